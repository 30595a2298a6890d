//! Ingest's stages on real daemon output (testdata/corpus): each format's line parser alone, the
//! whole per-chunk stage (parse + enrich + Arrow columns) that `ingest` runs in parallel, the
//! reading stage ahead of it (plain or gzip: read, decompress, hash, cut into chunks), and the
//! writing stage after it (the event Parquet encoding: dictionaries, deltas, statistics, zstd).
//!
//! `cargo bench --bench parsers`; numbers are per core (one thread).

use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use filterwatch::config::Profile;
use filterwatch::enrich::{Enricher, SchoolContext};
use filterwatch::event::EventSource;
use filterwatch::formats::detect::{choose, FormatHints};
use filterwatch::formats::FormatChoice;
use filterwatch::formats::Parser;
use filterwatch::ingest::parse::{parse_chunk, ChunkOutput};
use filterwatch::ingest::source::{Chunk, ContentReader};

const USERLOG: &str = r#"%{%Y-%m-%d %H:%M:%S}tl %>a %un %Ss/%03>Hs %rm %ru %<st %mt %tr category=%{category}note err=%err_code "%{User-Agent}>h""#;
const FORMATS: [&str; 10] = [
    "squid-native",
    "squid-common",
    "squid-combined",
    "squid-custom-userlog",
    "e2guardian-format1",
    "e2guardian-format2",
    "e2guardian-format3",
    "e2guardian-format4",
    "e2guardian-format5",
    "e2guardian-format6",
];

fn corpus_text(dir: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus").join(dir).join("access.log");
    std::fs::read_to_string(path).expect("corpus file")
}

fn hints() -> FormatHints {
    FormatHints { squid_logformat: Some(USERLOG.to_string()), csv: None }
}

fn line_parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_line");
    for dir in FORMATS {
        let text = corpus_text(dir);
        let lines: Vec<&str> = text.lines().collect();
        let parser = choose(&lines, FormatChoice::Auto, &hints()).expect("detects");
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function(dir, |b| {
            b.iter(|| lines.iter().filter(|l| parser.parse(std::hint::black_box(l)).is_ok()).count())
        });
    }
    group.finish();
}

/// One 4 MiB chunk of the Squid native corpus (repeated), and what parses it.
struct SquidChunk {
    chunk: Chunk,
    lines: u64,
    parser: Parser,
    enricher: Enricher,
    source: EventSource,
}

impl SquidChunk {
    fn new() -> SquidChunk {
        let text = corpus_text("squid-native");
        let sample: Vec<&str> = text.lines().collect();
        let mut data = Vec::with_capacity(4 << 20);
        while data.len() < (4 << 20) {
            data.extend_from_slice(text.as_bytes());
        }
        let lines = data.iter().filter(|b| **b == b'\n').count() as u64;
        let parser = choose(&sample, FormatChoice::Auto, &hints()).expect("detects");
        let profile = Profile::from_toml("id = \"bench\"\n", Path::new(".")).expect("profile");
        let enricher = Enricher::new(Arc::new(SchoolContext::new(profile).expect("school")));
        let source =
            EventSource { format: "squid".into(), file: "access.log".into(), content: "0123456789abcdef".into() };
        SquidChunk { chunk: Chunk { data, first_line: 1, oversized: None }, lines, parser, enricher, source }
    }

    fn parse(&mut self) -> ChunkOutput {
        parse_chunk(&self.chunk, &self.parser, &mut self.enricher, &self.source)
    }
}

fn chunk_stage(c: &mut Criterion) {
    let mut squid = SquidChunk::new();
    let mut group = c.benchmark_group("chunk");
    group.throughput(Throughput::Elements(squid.lines));
    group.sample_size(20);
    group.bench_function("squid-native 4MiB parse+enrich+columns", |b| b.iter(|| squid.parse().rows));
    group.throughput(Throughput::Bytes(squid.chunk.data.len() as u64));
    group.bench_function("squid-native 4MiB bytes", |b| b.iter(|| squid.parse().rows));
    group.finish();
}

/// The reading stage on 64 MiB of Squid lines, as a plain file and gzip-compressed (by default
/// logrotate's `compress` is gzip level 6): bytes of content handed out per second.
fn read_stage(c: &mut Criterion) {
    use std::io::Write;
    let text = corpus_text("squid-native");
    let mut content = Vec::with_capacity(64 << 20);
    while content.len() < (64 << 20) {
        content.extend_from_slice(text.as_bytes());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("access.log.1");
    std::fs::write(&plain, &content).expect("write plain");
    let gzip = dir.path().join("access.log.2.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(&content).expect("compress");
    std::fs::write(&gzip, encoder.finish().expect("compress")).expect("write gzip");
    let mut group = c.benchmark_group("read");
    group.throughput(Throughput::Bytes(content.len() as u64));
    group.sample_size(10);
    for (name, path) in [("plain 64MiB", &plain), ("gzip 64MiB", &gzip)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut reader = ContentReader::open(path).expect("open");
                while reader.next_chunk().is_some() {}
                reader.finish().0
            })
        });
    }
    group.finish();
}

/// The writing stage: the rows of eight parsed 4 MiB chunks encoded into one event file (in
/// memory) with the dataset's Parquet settings, as the writer's thread does for each date.
fn write_stage(c: &mut Criterion) {
    let batches: Vec<_> = SquidChunk::new().parse().partitions.into_iter().map(|(_, batch)| batch).collect();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut group = c.benchmark_group("write");
    group.throughput(Throughput::Elements(8 * rows as u64));
    group.sample_size(10);
    group.bench_function("squid-native 8 chunks to one event file", |b| {
        b.iter(|| {
            let properties = filterwatch::store::writer_properties();
            let mut writer =
                parquet::arrow::ArrowWriter::try_new(Vec::new(), filterwatch::event::schema(), Some(properties))
                    .expect("writer");
            for _ in 0..8 {
                for batch in &batches {
                    writer.write(batch).expect("write");
                }
            }
            writer.into_inner().expect("finish").len()
        })
    });
    group.finish();
}

criterion_group!(benches, line_parsers, chunk_stage, read_stage, write_stage);
criterion_main!(benches);
