//! Parser throughput on real daemon output (testdata/corpus): each format's line parser alone,
//! and the whole per-chunk stage (parse + enrich + Arrow columns) that `ingest` runs in parallel.
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
use filterwatch::ingest::source::Chunk;

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

criterion_group!(benches, line_parsers, chunk_stage);
criterion_main!(benches);
