//! The weekly PDF as the coordinator gets it: text that names the planted findings, A4 pages with
//! a footer, embedded fonts, real charts, the two CSVs, and a short valid report for an empty
//! week. The PDFs are read in Rust (tests/support/pdf.rs): pages, page size, fonts, text.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

mod support;

use filterwatch::config::Profile;
use filterwatch::demo::generator::{GeneratedWeek, WeekSpec};
use filterwatch::demo::{generate_and_ingest, IngestedWeek};
use filterwatch::report::weekly::{write_weekly, WeeklyFiles};
use filterwatch::week::Week;
use support::pdf_text;

struct Fixture {
    _dir: tempfile::TempDir,
    week: GeneratedWeek,
    profile: Profile,
    files: WeeklyFiles,
    data: PathBuf,
    out: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let IngestedWeek { week, data, .. } = generate_and_ingest(&WeekSpec::small(), dir.path()).unwrap();
        let profile = Profile::load(&week.profile).unwrap();
        let out = dir.path().join("reports");
        let files = write_weekly(&data, &profile, Week::parse("2026-W43").unwrap(), &out).unwrap();
        Fixture { _dir: dir, week, profile, files, data, out }
    })
}

#[test]
fn the_pdf_names_the_planted_findings_in_plain_words() {
    let f = fixture();
    assert_eq!(f.files.pdf.file_name().unwrap(), "riverside-2026-W43.pdf");
    let text = pdf_text(&f.files.pdf);
    let page_one = text.split('\x0c').next().unwrap();
    assert!(page_one.contains("What needs action first"));
    for kind in ["proxy_hunter", "selfharm_search", "out_of_hours_staff"] {
        let user = &f.week.planted.iter().find(|p| p.kind == kind).unwrap().user;
        assert!(page_one.contains(user.as_str()), "{kind} ({user}) on page 1:\n{page_one}");
    }
    assert!(page_one.contains("19:30"), "school-local time of the evening session");
    assert!(page_one.contains("slither.io") || page_one.contains("games"), "the spike is on page 1");
    for quiet in ["adware", "scattered_blocks", "in_hours_staff"] {
        let user = &f.week.planted.iter().find(|p| p.kind == quiet).unwrap().user;
        assert!(!page_one.contains(user.as_str()), "{quiet} ({user}) must not need action");
    }
    for section in [
        "Repeated attempts",
        "Staff use out of hours",
        "Spikes in blocked requests",
        "Top blocked domains",
        "Blocked searches",
        "Staff and pupils",
        "Coverage",
        "Contains personal data",
    ] {
        assert!(text.contains(section), "section {section}");
    }
    assert!(text.contains("ways to self harm"), "blocked search terms are listed");
}

#[test]
fn pages_are_a4_with_embedded_fonts_and_a_footer_on_each() {
    let f = fixture();
    let pdf = support::pdf::read(&f.files.pdf);
    let pages = pdf.pages.len();
    assert!((3..=8).contains(&pages), "{pages} pages");
    assert!(pdf.pages.iter().all(|(w, h, _)| (w - 595.3).abs() < 1.0 && (h - 841.9).abs() < 1.0), "A4");
    assert!(
        !pdf.fonts.is_empty() && pdf.fonts.iter().all(|(name, embedded)| name.contains("DejaVu") && *embedded),
        "{:?}",
        pdf.fonts
    );
    let text = pdf.text();
    for (n, page) in text.split('\x0c').filter(|p| !p.trim().is_empty()).enumerate() {
        assert!(page.contains(&format!("page {} of {pages}", n + 1)), "footer on page {}", n + 1);
        assert!(page.contains("Riverside Academy") && page.contains("2026-W43"));
    }
}

#[test]
fn charts_exist_as_png_and_svg_and_are_not_blank() {
    let f = fixture();
    assert!(f.files.charts.len() >= 8, "{:?}", f.files.charts);
    for chart in &f.files.charts {
        let bytes = std::fs::read(chart).unwrap();
        match chart.extension().unwrap().to_str().unwrap() {
            "png" => assert!(
                bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
                "{} is {} bytes",
                chart.display(),
                bytes.len()
            ),
            "svg" => {
                let svg = String::from_utf8(bytes).unwrap();
                assert!(svg.matches("<rect").count() > 5 && svg.contains("<text"), "{}", chart.display());
            }
            other => panic!("unexpected chart file {other}"),
        }
    }
}

#[test]
fn incident_log_and_findings_csv_have_the_school_columns() {
    let f = fixture();
    let log = std::fs::read_to_string(&f.files.incident_log_csv).unwrap();
    let mut lines = log.lines();
    assert_eq!(
        lines.next().unwrap(),
        "date,time,user,role,year_group,device_or_ip,category,severity,what_happened,evidence_reference,status,action_taken,outcome,recorded_by"
    );
    let hunter = &f.week.planted.iter().find(|p| p.kind == "proxy_hunter").unwrap().user;
    let row = log.lines().find(|l| l.contains(hunter.as_str())).expect("the proxy hunter is logged");
    assert!(row.starts_with("2026-10-22,11:0"), "school-local date and time: {row}");
    assert!(row.ends_with(",new,,,"), "new, with action, outcome and recorder left for staff: {row}");
    let findings = std::fs::read_to_string(&f.files.findings_csv).unwrap();
    assert!(findings.lines().count() >= 5);
    assert!(findings.lines().next().unwrap().starts_with("kind,id,school,user"));
}

#[test]
fn an_empty_week_is_a_short_valid_report_not_an_error() {
    let f = fixture();
    let files = write_weekly(&f.data, &f.profile, Week::parse("2026-W40").unwrap(), &f.out.join("empty")).unwrap();
    assert_eq!(std::fs::read_to_string(&files.incident_log_csv).unwrap().lines().count(), 1, "header only");
    let pdf = support::pdf::read(&files.pdf);
    assert!(pdf.text().contains("No log data this week"), "{}", pdf.text());
    assert_eq!(pdf.pages.len(), 1);
}

#[test]
fn the_report_command_writes_the_named_files() {
    let f = fixture();
    let out = f.out.join("cli");
    let report = |week: &str| {
        Command::new(env!("CARGO_BIN_EXE_filterwatch"))
            .args(["report", "--data", f.data.to_str().unwrap(), "--config", f.week.profile.to_str().unwrap()])
            .args(["--week", week, "--out", out.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let result = report("2026-W43");
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(out.join("riverside-2026-W43.pdf").exists());
    assert!(out.join("incident-log.csv").exists() && out.join("findings.csv").exists());
    assert!(out.join("charts/blocked-by-day.png").exists() && out.join("charts/blocked-by-day.svg").exists());
    let bad = report("43");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--week"));
}
