//! The same SQL on Apache Spark: every file in queries/ runs unchanged on a standalone cluster (a
//! master and two workers on 127.0.0.1, from the pyspark package) over a generated school week and
//! must return exactly the rows polars returns. `.ci/run` installs pyspark; elsewhere the test
//! skips with a message when pyspark is missing.

use std::process::Command;

use filterwatch::demo::generator::WeekSpec;
use filterwatch::demo::{generate_and_ingest, IngestedWeek};

#[test]
fn every_query_returns_the_same_rows_on_spark_as_on_polars() {
    let has_pyspark = Command::new("python3").args(["-c", "import pyspark"]).status().is_ok_and(|s| s.success());
    if !has_pyspark {
        assert!(std::env::var_os("CI").is_none(), "CI must have pyspark (.ci/run installs it)");
        eprintln!("skipped: pyspark is not installed (pip install pyspark)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = WeekSpec { pupils: 150, staff: 15, requests_per_pupil_day: 40, ..WeekSpec::demo() };
    let IngestedWeek { data, .. } = generate_and_ingest(&spec, dir.path()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spark/compare.py");
    let out = Command::new("python3")
        .args([script, "--data", data.to_str().unwrap(), "--filterwatch", env!("CARGO_BIN_EXE_filterwatch")])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    let checked = report.lines().filter(|l| l.ends_with("same as polars")).count();
    assert_eq!(checked, filterwatch::queries::ALL.len(), "{report}");
}
