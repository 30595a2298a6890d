//! `evidence` must show the lines a finding was made from and nothing else: after logrotate
//! renamed the file and a new `access.log` holds another pupil's lines at the same line numbers,
//! after the rotated copy was compressed, from another working folder than ingest's, and against
//! a manifest crafted to point at another file. When the content is gone it says so and fails.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

fn filterwatch_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_filterwatch")).current_dir(dir).args(args).output().expect("runs")
}

/// Twelve blocked searches by `user`, a minute apart, on Wednesday 21 October 2026 from
/// `hour`:00 BST (UTC+1), in Squid's native format.
fn searches(user: &str, hour: u64, term: &str) -> String {
    let start = 1_792_573_200u64 + (hour - 10) * 3600;
    (0..12)
        .map(|i| {
            format!(
                "{}.000      5 10.1.2.3 TCP_DENIED/403 3500 GET https://www.google.com/search?q={term} {user} HIER_NONE/- text/html\n",
                start + i * 60
            )
        })
        .collect()
}

const PROFILE: &str = "id = \"riverside\"\n[[role_rules]]\npattern = '^\\d{2}[a-z]+$'\nrole = \"pupil\"\n";

struct School {
    dir: tempfile::TempDir,
}

impl School {
    fn new() -> School {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("logs")).unwrap();
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        std::fs::write(dir.path().join("school.toml"), PROFILE).unwrap();
        School { dir }
    }

    /// A school whose `logs/access.log` holds one pupil's repeated searches, ingested; and the
    /// id of that finding.
    fn with_one_finding() -> (School, String) {
        let school = School::new();
        std::fs::write(school.path("logs/access.log"), searches("09jbloggs", 10, "free+vpn")).unwrap();
        school.ingest("logs/access.log");
        let id = school.repeat_of("09jbloggs");
        (school, id)
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }

    /// Ingests with a path relative to the school folder, as a technician in that folder would.
    fn ingest(&self, relative: &str) {
        let out =
            filterwatch_in(self.dir.path(), &["ingest", "-q", "--config", "school.toml", "--data", "data", relative]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }

    fn repeat_of(&self, user: &str) -> String {
        let data = self.path("data");
        let out = filterwatch_in(self.dir.path(), &["repeats", "--data", data.to_str().unwrap(), "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let finding = findings.iter().find(|f| f["user"] == user).unwrap_or_else(|| panic!("a finding for {user}"));
        finding["id"].as_str().unwrap().to_string()
    }

    /// `evidence` run from another folder.
    fn evidence(&self, id: &str) -> (Option<i32>, String, String) {
        let data = self.path("data");
        let out = filterwatch_in(&self.path("elsewhere"), &["evidence", "--data", data.to_str().unwrap(), id]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[test]
fn evidence_follows_the_content_through_rotation_and_compression_and_says_when_it_is_gone() {
    let (school, id) = School::with_one_finding();

    // logrotate: rename, and a new access.log with another pupil's lines at the same numbers.
    std::fs::rename(school.path("logs/access.log"), school.path("logs/access.log.1")).unwrap();
    std::fs::write(school.path("logs/access.log"), searches("10asmith", 13, "proxy+sites")).unwrap();
    school.ingest("logs");
    assert_ne!(school.repeat_of("10asmith"), id);

    let (code, stdout, stderr) = school.evidence(&id);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 12, "{stdout}");
    for line in stdout.lines() {
        assert!(line.contains("09jbloggs") && line.contains("free+vpn"), "only the finding's own lines: {line}");
        assert!(
            line.starts_with(&format!("{}:", school.path("logs/access.log.1").canonicalize().unwrap().display())),
            "{line}"
        );
    }

    // Compressed by the next rotation: read from the .gz, verified.
    let plain = std::fs::read(school.path("logs/access.log.1")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    std::fs::write(school.path("logs/access.log.2.gz"), gz.finish().unwrap()).unwrap();
    std::fs::remove_file(school.path("logs/access.log.1")).unwrap();
    let (code, stdout, stderr) = school.evidence(&id);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 12);
    assert!(stdout.lines().all(|l| l.contains("access.log.2.gz:") && l.contains("09jbloggs")), "{stdout}");

    // Gone: say so, fail, and print nobody else's lines.
    std::fs::remove_file(school.path("logs/access.log.2.gz")).unwrap();
    let (code, stdout, stderr) = school.evidence(&id);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty(), "nothing printed in place of the lost lines: {stdout}");
    assert!(stderr.contains("no longer on disk"), "{stderr}");
}

#[test]
fn a_crafted_manifest_cannot_make_evidence_print_another_file() {
    let (school, id) = School::with_one_finding();
    let secret = school.path("secret.txt");
    std::fs::write(&secret, "root:SECRET-HASH\n".repeat(20)).unwrap();

    // Point the content at the secret file, and (worse) claim it has no bytes to check.
    let manifest_path = school.path("data/manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    std::fs::remove_file(school.path("logs/access.log")).unwrap();
    for entry in manifest["files"].as_array_mut().unwrap() {
        entry["path"] = secret.display().to_string().into();
    }
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let (code, stdout, _) = school.evidence(&id);
    assert_eq!(code, Some(1));
    assert!(!stdout.contains("SECRET"), "{stdout}");

    let empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    for entry in manifest["files"].as_array_mut().unwrap() {
        for (key, value) in [
            ("size", 0.into()),
            ("head_len", 0.into()),
            ("sha256", empty_sha.into()),
            ("head_sha256", empty_sha.into()),
        ] {
            entry[key] = value;
        }
    }
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let (code, stdout, stderr) = school.evidence(&id);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stdout.contains("SECRET"), "{stdout}");
}
