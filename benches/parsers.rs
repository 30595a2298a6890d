//! Ingest's stages on real daemon output (testdata/corpus): each format's line parser alone, the
//! whole per-chunk stage (parse + enrich + Arrow columns) that `ingest` runs in parallel, and the
//! reading stage ahead of it (plain or gzip: read, decompress, hash, cut into chunks).
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
use filterwatch::ingest::parse::parse_chunk;
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

fn chunk_stage(c: &mut Criterion) {
    let text = corpus_text("squid-native");
    let lines: Vec<&str> = text.lines().collect();
    let mut data = Vec::with_capacity(4 << 20);
    while data.len() < (4 << 20) {
        data.extend_from_slice(text.as_bytes());
    }
    let line_count = data.iter().filter(|b| **b == b'\n').count() as u64;
    let parser = choose(&lines, FormatChoice::Auto, &hints()).expect("detects");
    let profile = Profile::from_toml("id = \"bench\"\n", Path::new(".")).expect("profile");
    let school = Arc::new(SchoolContext::new(profile).expect("school"));
    let mut enricher = Enricher::new(school);
    let source = EventSource { format: "squid".into(), file: "access.log".into(), content: "0123456789abcdef".into() };
    let chunk = Chunk { data, first_line: 1, oversized: None };
    let mut group = c.benchmark_group("chunk");
    group.throughput(Throughput::Elements(line_count));
    group.sample_size(20);
    group.bench_function("squid-native 4MiB parse+enrich+columns", |b| {
        b.iter(|| parse_chunk(&chunk, &parser, &mut enricher, &source).rows)
    });
    group.throughput(Throughput::Bytes(chunk.data.len() as u64));
    group.bench_function("squid-native 4MiB bytes", |b| {
        b.iter(|| parse_chunk(&chunk, &parser, &mut enricher, &source).rows)
    });
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

criterion_group!(benches, line_parsers, chunk_stage, read_stage);
criterion_main!(benches);
