//! The same results on Apache Spark, on a real standalone cluster (a master and two workers on
//! 127.0.0.1, from the pyspark package; `tests/spark/cluster.py` starts and stops it):
//! - every file in queries/ returns exactly the rows polars returns;
//! - `aggregate --engine spark` writes the same report files as `aggregate` here.
//!
//! `.ci/run` installs pyspark; elsewhere the tests skip with a message when pyspark is missing.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

use filterwatch::demo::generator::WeekSpec;
use filterwatch::demo::{generate_and_ingest, IngestedWeek};

/// One cluster at a time: two on two cores would starve each other.
static CLUSTER: Mutex<()> = Mutex::new(());

const BIN: &str = env!("CARGO_BIN_EXE_filterwatch");

fn has_pyspark() -> bool {
    let found = Command::new("python3").args(["-c", "import pyspark"]).status().is_ok_and(|s| s.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI must have pyspark (.ci/run installs it)");
        eprintln!("skipped: pyspark is not installed (pip install pyspark)");
    }
    found
}

/// Runs `command` while a cluster is up (`{master}`, `{spark_submit}` filled in).
fn beside_a_cluster(command: &[&str]) -> Output {
    let _one = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spark/cluster.py");
    Command::new("python3").arg(script).arg("--").args(command).output().unwrap()
}

#[test]
fn every_query_returns_the_same_rows_on_spark_as_on_polars() {
    if !has_pyspark() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = WeekSpec { pupils: 150, staff: 15, requests_per_pupil_day: 40, ..WeekSpec::demo() };
    let IngestedWeek { data, .. } = generate_and_ingest(&spec, dir.path()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spark/compare.py");
    let out = beside_a_cluster(&[
        "python3",
        script,
        "--master",
        "{master}",
        "--data",
        data.to_str().unwrap(),
        "--filterwatch",
        BIN,
    ]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    let checked = report.lines().filter(|l| l.ends_with("same as polars")).count();
    assert_eq!(checked, filterwatch::queries::ALL.len(), "{report}");
}

#[test]
fn aggregate_on_spark_writes_the_same_report_as_aggregate_here() {
    if !has_pyspark() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let share = support::la::share(dir.path()).share;
    let aggregate = |engine: &str, extra: &[&str]| {
        let (out, cache) = (dir.path().join(format!("la-{engine}")), dir.path().join(format!("cache-{engine}")));
        let mut command = vec![BIN, "aggregate", "--engine", engine, "--data", share.to_str().unwrap()];
        command.extend(["--out", out.to_str().unwrap(), "--cache", cache.to_str().unwrap()]);
        command.extend(extra);
        let result = if engine == "spark" {
            beside_a_cluster(&command)
        } else {
            Command::new(command[0]).args(&command[1..]).output().unwrap()
        };
        assert!(result.status.success(), "{engine}: {}", String::from_utf8_lossy(&result.stderr));
        out
    };
    let here = aggregate("local", &[]);
    let spark = aggregate("spark", &["--master", "{master}", "--spark-submit", "{spark_submit}"]);
    for file in ["school-weeks.csv", "outliers.csv", "trends.csv", "la-weeks.csv"] {
        let read = |dir: &Path| std::fs::read_to_string(dir.join(file)).unwrap();
        assert_eq!(read(&spark), read(&here), "{file} differs between Spark and here");
    }
    let outliers = std::fs::read_to_string(here.join("outliers.csv")).unwrap();
    assert!(outliers.contains("willow"), "the planted school stands out on both: {outliers}");
    let weeks = std::fs::read_to_string(here.join("school-weeks.csv")).unwrap();
    assert_eq!(weeks.lines().count(), 1 + support::la::SCHOOLS.len(), "{weeks}");
}

#[test]
fn a_uri_without_the_spark_engine_or_a_missing_spark_submit_is_named() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN).arg("aggregate").args(args).args(["--out", "/nonexistent/out"]).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, stderr) = run(&["--data", "hdfs://namenode/la/share"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--engine spark") && stderr.contains("hdfs://namenode/la/share"), "{stderr}");
    let (code, stderr) =
        run(&["--data", "/srv/share", "--engine", "spark", "--spark-submit", "/nonexistent/spark-submit"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("/nonexistent/spark-submit") && stderr.contains("--spark-submit"), "{stderr}");
}
