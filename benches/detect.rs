//! The three detections on a generated 2M-row school week (the target: each well under a
//! second on a 2-core machine). Setup generates and ingests the week once (~10 s).
//!
//! `cargo bench --profile profiling --bench detect`

use criterion::{criterion_group, criterion_main, Criterion};
use filterwatch::demo::generator::WeekSpec;
use filterwatch::demo::{generate_and_ingest, IngestedWeek};
use filterwatch::detect::{out_of_hours, repeats, spikes, Scope};

fn detections(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    // ~700 lines per pupil-week: 2,900 pupils make about 2M rows.
    let spec = WeekSpec { pupils: 2_900, staff: 200, ..WeekSpec::demo() };
    let IngestedWeek { data, reports, .. } = generate_and_ingest(&spec, dir.path()).expect("generates and ingests");
    let rows: u64 = reports.iter().map(|r| r.rows).sum();
    eprintln!("dataset: {rows} rows");
    let scope = Scope::new(&data, None, None, None, None).expect("scope");
    let mut group = c.benchmark_group(format!("detect {rows} rows"));
    group.sample_size(10);
    group.bench_function("spikes", |b| b.iter(|| spikes::detect(&scope).expect("spikes").len()));
    group.bench_function("out-of-hours", |b| b.iter(|| out_of_hours::detect(&scope).expect("sessions").len()));
    group.bench_function("repeats", |b| b.iter(|| repeats::detect(&scope).expect("repeats").len()));
    group.finish();
}

criterion_group!(benches, detections);
criterion_main!(benches);
