//! A local authority's share of seven generated schools, one of which (`willow`) has its pupils
//! hammering a proxy site all week, so it stands out from the rest.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use filterwatch::aggregate::export::export;
use filterwatch::aggregate::pseudonym::Pseudonymiser;
use filterwatch::config::Profile;
use filterwatch::demo::generator::{generate, WeekSpec};
use filterwatch::enrich::SchoolContext;
use filterwatch::formats::detect::FormatHints;
use filterwatch::formats::FormatChoice;
use filterwatch::ingest::{ingest, IngestOptions};
use filterwatch::store::Dataset;

/// The schools of [`share`], in order.
pub const SCHOOLS: [&str; 7] = ["ash", "beech", "cedar", "elm", "hazel", "oak", "willow"];

/// What [`share`] made.
pub struct Share {
    /// The schools' own dataset (names and addresses in it).
    pub data: PathBuf,
    /// The pseudonymised export of it, as the authority receives it.
    pub share: PathBuf,
    /// Every roster username: none may reach an adviser's output.
    pub usernames: Vec<String>,
}

/// Generates, ingests and exports the seven schools' week under `dir`.
pub fn share(dir: &Path) -> Share {
    let data = dir.join("data");
    let mut usernames = Vec::new();
    for (n, id) in SCHOOLS.iter().enumerate() {
        let spec = WeekSpec {
            school_id: id.to_string(),
            pupils: 60,
            staff: 8,
            requests_per_pupil_day: 30,
            seed: 100 + n as u64,
            ..WeekSpec::demo()
        };
        let week = generate(&spec, &dir.join(id)).unwrap();
        let roster = std::fs::read_to_string(dir.join(id).join("roster.csv")).unwrap();
        usernames.extend(roster.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()));
        let mut logs = week.logs.clone();
        if *id == "willow" {
            let extra = dir.join(id).join("logs/extra.log");
            let mut file = std::fs::File::create(&extra).unwrap();
            for i in 0..3000u64 {
                let ts = 1_792_396_800 + (i % 5) * 86_400 + (i / 5) * 20; // Mon–Fri from 08:00 BST
                writeln!(file, "{ts}.000      0 10.20.9.{} TCP_DENIED/403 3423 GET https://www.croxyproxy.com/ 25doej HIER_NONE/- text/html", i % 200).unwrap();
            }
            logs.push(extra);
        }
        let profile = Profile::load(&week.profile).unwrap();
        let school = Arc::new(SchoolContext::new(profile).unwrap());
        let options = IngestOptions { format: FormatChoice::Auto, hints: FormatHints::default(), follow: None };
        ingest(&Dataset::open(&data).unwrap(), school, &logs, &options, &indicatif::ProgressBar::hidden()).unwrap();
    }
    let share = dir.join("share");
    export(&data, &share, &[], &mut Pseudonymiser::new(b"the local authority's own key")).unwrap();
    Share { data, share, usernames }
}
