//! The dataset on disk (DESIGN §3): hive-partitioned event files, the manifest of ingested files
//! and the rejects. Every change is staged under `DATA/.staging/<run>/` and published by renames
//! once a `COMMIT` marker is written, so a crash leaves the old state (no marker: the staging is
//! thrown away) or the new one (marker: the next run finishes the renames). One process at a time
//! holds `DATA/.lock`.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

const STAGING: &str = ".staging";
const COMMIT_MARKER: &str = "COMMIT";
const MANIFEST: &str = "manifest.json";
/// In a staging folder: the dataset-relative files the change replaces, removed once it is
/// published.
const REMOVALS: &str = "REMOVE";
/// Longest rejects file name kept from a source path (file systems allow 255 bytes).
const MAX_REJECTS_NAME_BYTES: usize = 200;

/// An open dataset folder, locked for this process.
#[derive(Debug)]
pub struct Dataset {
    root: PathBuf,
    _lock: File,
}

/// One ingested file content: what it was, where it was seen and what it gave.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestEntry {
    /// School the file was ingested for.
    pub school: String,
    /// Stable id of this content within the manifest, stamped on every row read from it
    /// (`source_content`), so a finding's lines are found again whatever the file is called now.
    #[serde(default)]
    pub id: String,
    /// Canonical path the content was last read from ([`crate::stored_path`]: lossless).
    pub path: String,
    /// Other canonical paths the same content was read from before (its names before a rotation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
    /// Format it was read as.
    pub format: String,
    /// Bytes of (decompressed) content ingested.
    pub size: u64,
    /// SHA-256 of those bytes.
    pub sha256: String,
    /// How many leading bytes `head_sha256` covers (4 KiB, or less for a smaller file).
    pub head_len: u64,
    /// SHA-256 of the first `head_len` bytes: finds the same content under another name.
    pub head_sha256: String,
    /// Lines read.
    pub lines: u64,
    /// Rows written.
    pub rows: u64,
    /// Lines rejected as malformed.
    pub rejects: u64,
    /// Lines skipped as blank or not a request.
    pub skipped: u64,
    /// When this content was last ingested (RFC 3339).
    pub ingested_at: String,
    /// The file this content was last read from to its end, as it stood when it was opened: a
    /// file with the same stamp holds the same content, and is not read again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<DiskStamp>,
}

/// A file as it stood on disk: which file (device and inode, kept by a rename), how long, and
/// when it was last written. Two looks at a file with equal stamps saw the same bytes unless
/// someone rewrote it in place at the same length and then set its modification time back, the
/// same trust make and rsync place in a file's size and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DiskStamp {
    /// The file system's device number.
    pub device: u64,
    /// The file's inode number on that device.
    pub inode: u64,
    /// Length in bytes (of the file as stored: compressed, for a `.gz`).
    pub len: u64,
    /// Last modification, nanoseconds since the Unix epoch.
    pub modified_ns: i64,
}

impl DiskStamp {
    /// The stamp of a file's metadata; `None` where the platform gives no inode numbers.
    pub fn of(meta: &fs::Metadata) -> Option<DiskStamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let modified_ns = meta.mtime().checked_mul(1_000_000_000)?.checked_add(meta.mtime_nsec())?;
            Some(DiskStamp { device: meta.dev(), inode: meta.ino(), len: meta.len(), modified_ns })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }

    /// The stamp of the file at `path` now (`None` when it cannot be read).
    pub fn of_path(path: &Path) -> Option<DiskStamp> {
        DiskStamp::of(&fs::metadata(path).ok()?)
    }
}

/// Every ingested file content, per school.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Layout version of this file.
    pub version: u32,
    /// The entries, one per distinct content.
    pub files: Vec<ManifestEntry>,
}

/// The manifest layout written by this version: 2 added content ids and seen paths.
const MANIFEST_VERSION: u32 = 2;
/// Hex digits of the head hash that make a content id.
const CONTENT_ID_DIGITS: usize = 16;

impl Manifest {
    /// A new id for a content with this head hash: its first hex digits, with a `-2`, `-3`…
    /// suffix while `taken` says another content of the school already has it.
    pub fn new_content_id(head_sha256: &str, taken: impl Fn(&str) -> bool) -> String {
        let base = &head_sha256[..head_sha256.len().min(CONTENT_ID_DIGITS)];
        let mut id = base.to_string();
        let mut suffix = 2;
        while taken(&id) {
            id = format!("{base}-{suffix}");
            suffix += 1;
        }
        id
    }

    /// A school's content by id.
    pub fn content(&self, school: &str, id: &str) -> Option<&ManifestEntry> {
        self.files.iter().find(|e| e.school == school && e.id == id)
    }

    /// Gives entries from a version 1 manifest (no ids) their ids.
    fn upgrade(mut self) -> Manifest {
        let mut ids: std::collections::HashSet<(String, String)> =
            self.files.iter().map(|e| (e.school.clone(), e.id.clone())).collect();
        for entry in self.files.iter_mut().filter(|e| e.id.is_empty()) {
            let school = entry.school.clone();
            entry.id =
                Manifest::new_content_id(&entry.head_sha256, |id| ids.contains(&(school.clone(), id.to_string())));
            ids.insert((school, entry.id.clone()));
        }
        self.version = MANIFEST_VERSION;
        self
    }
}

impl ManifestEntry {
    /// Records that the content was read from `path` (stored form) now, keeping the old name;
    /// true when that is a new name.
    pub fn seen_at(&mut self, path: String) -> bool {
        if self.path == path {
            return false;
        }
        let old = std::mem::replace(&mut self.path, path);
        self.seen.retain(|p| *p != self.path && *p != old);
        self.seen.push(old);
        true
    }
}

impl Dataset {
    /// Opens (creating if needed) a dataset folder, waits for its lock, and finishes or discards
    /// whatever an interrupted run left in staging.
    pub fn open(root: &Path) -> Result<Dataset> {
        fs::create_dir_all(root).with_context(|| format!("cannot create data folder {}", root.display()))?;
        let lock_path = root.join(".lock");
        let lock = crate::private_fs::open_lock(&lock_path)?;
        if lock.try_lock().is_err() {
            eprintln!("filterwatch: {} is in use by another filterwatch; waiting for it to finish", root.display());
            lock.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
        }
        let dataset = Dataset { root: root.to_path_buf(), _lock: lock };
        dataset.recover()?;
        Ok(dataset)
    }

    /// The dataset folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of the hive-partitioned event files.
    pub fn events_dir(&self) -> PathBuf {
        self.root.join("events")
    }

    /// Reads the manifest (empty when nothing was ingested yet).
    pub fn manifest(&self) -> Result<Manifest> {
        read_manifest(&self.root)
    }

    /// Starts a staged change.
    pub fn stage(&self) -> Result<Staging> {
        let run = format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"), std::process::id());
        let dir = self.root.join(STAGING).join(&run);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging { dir, run })
    }

    /// Rolls committed staging forward and removes uncommitted staging.
    fn recover(&self) -> Result<()> {
        let staging = self.root.join(STAGING);
        let Ok(entries) = fs::read_dir(&staging) else { return Ok(()) };
        let mut runs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        runs.sort();
        for run in runs {
            if run.join(COMMIT_MARKER).exists() {
                publish(&run, &self.root)?;
            } else {
                fs::remove_dir_all(&run).with_context(|| format!("cannot remove unfinished {}", run.display()))?;
            }
        }
        Ok(())
    }

    /// The relative path of the copy of a school's profile kept with its data.
    pub fn profile_path(school: &str) -> PathBuf {
        PathBuf::from("profiles").join(format!("{school}.toml"))
    }

    /// The relative path of a school's rejects file for a source file: the path flattened (`/`
    /// as `_`), its start kept and the rest replaced by a hash when it would make too long a
    /// file name.
    pub fn rejects_path(school: &str, source: &Path) -> PathBuf {
        let flat: String = source
            .to_string_lossy()
            .trim_start_matches('/')
            .chars()
            .map(|c| if c == '/' || c == '\\' || c == ':' || c.is_control() { '_' } else { c })
            .collect();
        let name = if flat.len() > MAX_REJECTS_NAME_BYTES {
            let cut = (0..=MAX_REJECTS_NAME_BYTES - 17).rev().find(|&i| flat.is_char_boundary(i)).unwrap_or(0);
            let digest = crate::ingest::source::sha256_hex(flat.as_bytes());
            format!("{}-{}", &flat[..cut], &digest[..16])
        } else {
            flat
        };
        PathBuf::from("rejects").join(school).join(format!("{name}.rejects"))
    }
}

/// Reads a dataset's manifest without taking its lock (it is replaced by a rename, so a reader
/// sees the old or the new one whole); empty when nothing was ingested yet.
pub fn read_manifest(root: &Path) -> Result<Manifest> {
    let path = root.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<Manifest>(&bytes)
            .map(Manifest::upgrade)
            .with_context(|| format!("damaged manifest {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Manifest { version: MANIFEST_VERSION, files: Vec::new() })
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The schools in a dataset (its `school=` folders), sorted.
pub fn schools(root: &Path) -> Result<Vec<String>> {
    let events = root.join("events");
    let entries =
        fs::read_dir(&events).with_context(|| format!("no events in {} (nothing ingested yet?)", root.display()))?;
    let mut schools: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_string_lossy().strip_prefix("school=").map(str::to_string))
        .collect();
    schools.sort();
    Ok(schools)
}

/// The first and last date partition of the given schools, `None` when they have none.
pub fn date_range(root: &Path, schools: &[String]) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>> {
    let mut range: Option<(chrono::NaiveDate, chrono::NaiveDate)> = None;
    for school in schools {
        let dates = school_dates(root, school)?;
        if let (Some(&lo), Some(&hi)) = (dates.first(), dates.last()) {
            range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    Ok(range)
}

/// The school-local dates a school has events for (its `date=` partitions).
pub fn school_dates(root: &Path, school: &str) -> Result<std::collections::BTreeSet<chrono::NaiveDate>> {
    let dir = root.join("events").join(format!("school={school}"));
    let mut dates = std::collections::BTreeSet::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().to_string();
        if let Some(date) =
            name.strip_prefix("date=").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            dates.insert(date);
        }
    }
    Ok(dates)
}

/// The relative path of one version of a school's profile as ingest first saw it at `seen`
/// (UTC): `profiles/<school>/<YYYYMMDDTHHMMSS.ffffffZ>.toml`. Every version is kept, so the annual
/// review can show each change of settings and when it took effect.
pub fn profile_version_path(school: &str, seen: chrono::DateTime<chrono::Utc>) -> PathBuf {
    PathBuf::from("profiles").join(school).join(format!("{}.toml", seen.format("%Y%m%dT%H%M%S%.6fZ")))
}

/// Every version of a school's profile ingest has seen, oldest first, with when it was first
/// seen; empty for a dataset written before versions were kept.
pub fn profile_versions(root: &Path, school: &str) -> Result<Vec<(chrono::DateTime<chrono::Utc>, String)>> {
    let dir = root.join("profiles").join(school);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut versions = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("cannot list {}", dir.display()))?.path();
        let stamp = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let Ok(seen) = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.fZ") else { continue };
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        versions.push((seen.and_utc(), text));
    }
    versions.sort();
    Ok(versions)
}

/// A school's settings (hours, thresholds, severities) from the profile copy ingest keeps in the
/// dataset; the defaults when there is none.
pub fn school_settings(root: &Path, school: &str) -> Result<crate::config::Profile> {
    let origin = root.join(Dataset::profile_path(school));
    settings_from(school, settings_copy(root, school)?.as_deref(), &origin.to_string_lossy())
}

/// The text of the settings copy kept with a school's events, `None` when there is none.
pub fn settings_copy(root: &Path, school: &str) -> Result<Option<String>> {
    let path = root.join(Dataset::profile_path(school));
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// A school's settings from its copy's text (read from `origin`), or the defaults without one.
pub fn settings_from(school: &str, copy: Option<&str>, origin: &str) -> Result<crate::config::Profile> {
    match copy {
        Some(text) => crate::config::Profile::from_toml(text, Path::new("."))
            .with_context(|| format!("bad profile copy {}", crate::escape::text(origin))),
        None => crate::config::Profile::with_defaults(school),
    }
}

/// All events of a dataset as a lazy polars frame, with `school` and `date` read from the
/// folder names (hive partitioning), so filters on them prune whole folders.
pub fn scan_events(root: &Path) -> Result<polars::prelude::LazyFrame> {
    scan_hive(root, "**")
}

/// The events of one school, or of all when `schools` is not exactly one. One school's scan lists
/// only its own folder, so planning a query does not walk every school's files (with hundreds of
/// schools that listing was most of a query's time). Its `school` column is read from the folder
/// name as in [`scan_events`]: a constant column added instead stopped polars pushing a query's
/// date range down to the folders, and every query then read every day kept (the nightly grew by
/// ~0.4 s a night for each week of history).
pub fn scan_events_of(root: &Path, schools: &[String]) -> Result<polars::prelude::LazyFrame> {
    let [school] = schools else { return scan_events(root) };
    if !crate::config::is_school_id(school) || !root.join("events").join(format!("school={school}")).is_dir() {
        return scan_events(root);
    }
    scan_hive(root, &format!("school={school}/**"))
}

/// A hive-partitioned scan of the event files under `events/<within>` in dataset `root`.
/// polars reads a partition from every `name=value` folder of a file's whole path, the dataset's
/// own path included, so the partitions are typed here rather than guessed from the names (a
/// school id such as `1e5` or `2024` would be read as a number that no text equals) and any
/// `name=value` folder above the dataset is typed as text; the dataset's path is matched
/// literally, whatever glob characters it holds.
fn scan_hive(root: &Path, within: &str) -> Result<polars::prelude::LazyFrame> {
    use polars::prelude::{DataType, Field, HiveOptions, LazyFrame, PlRefPath, ScanArgsParquet, Schema};
    let events = root.join("events");
    let above: Vec<String> = events
        .components()
        .filter_map(|c| c.as_os_str().to_str()?.split_once('=').map(|(name, _)| name.to_string()))
        .filter(|name| name != "school" && name != "date")
        .collect();
    let partitions = Schema::from_iter(
        [Field::new("school".into(), DataType::String), Field::new("date".into(), DataType::Date)]
            .into_iter()
            .chain(above.iter().map(|name| Field::new(name.as_str().into(), DataType::String))),
    );
    let pattern = format!("{}/{within}/*.parquet", glob::Pattern::escape(&events.to_string_lossy()));
    // Files written before a column was added (`source_content`) read it as null.
    let args = ScanArgsParquet {
        hive_options: HiveOptions { schema: Some(std::sync::Arc::new(partitions)), ..HiveOptions::new_enabled() },
        glob: true,
        allow_missing_columns: true,
        ..Default::default()
    };
    let frame = LazyFrame::scan_parquet(PlRefPath::new(&pattern), args)
        .with_context(|| format!("cannot read the events in {}", root.display()))?;
    // The folders above the dataset are not the events' columns.
    Ok(if above.is_empty() { frame } else { frame.drop(polars::prelude::cols(above)) })
}

/// Rows per Parquet row group: large enough for good compression and fast scans.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Integer columns with a new value on almost every row (instants, line numbers, sizes and
/// durations): a dictionary would only be filled and abandoned, so they are delta-encoded
/// (DELTA_BINARY_PACKED, which Spark, DuckDB and polars read). The instants and line numbers
/// take half their dictionary-and-plain size; `bytes` and `duration_ms` about 0.7 and 0.9 of it
/// on a generated school day, for less CPU than interning every value.
const DELTA_COLUMNS: [&str; 5] = ["ts", "local_time", "source_line", "bytes", "duration_ms"];

/// Text columns no query selects by range: their min/max statistics (a comparison of every
/// value) are not kept. Free text, and the people, machines and sites, whose range over a
/// day's file (one row group) spans nearly the whole alphabet and so could never skip it.
const UNSTATISTICAL_COLUMNS: [&str; 11] = [
    "url",
    "user_agent",
    "reason",
    "search_terms",
    "source_file",
    "source_content",
    "client_ip",
    "device",
    "user",
    "host",
    "domain",
];

/// zstd level of the event files. Level 1 against 3 on a generated 2M-line week: ingest 7% less
/// CPU and wall time for files 0.8% larger (each page is compressed on its own, and pages are
/// small, so the higher level's larger match tables cost more than they find).
const ZSTD_LEVEL: i32 = 1;

/// The Parquet settings of every event file: zstd ([`ZSTD_LEVEL`]), dictionary encoding but for
/// [`DELTA_COLUMNS`], min/max statistics but for [`UNSTATISTICAL_COLUMNS`], 1M-row groups.
pub fn writer_properties() -> parquet::file::properties::WriterProperties {
    use parquet::basic::Encoding;
    use parquet::file::properties::EnabledStatistics;
    use parquet::schema::types::ColumnPath;
    let mut properties = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(
            parquet::basic::ZstdLevel::try_new(ZSTD_LEVEL).expect("valid zstd level"),
        ))
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("filterwatch {}", env!("CARGO_PKG_VERSION")));
    for column in DELTA_COLUMNS {
        properties = properties
            .set_column_dictionary_enabled(ColumnPath::from(column), false)
            .set_column_encoding(ColumnPath::from(column), Encoding::DELTA_BINARY_PACKED);
    }
    for column in UNSTATISTICAL_COLUMNS {
        properties = properties.set_column_statistics_enabled(ColumnPath::from(column), EnabledStatistics::None);
    }
    properties.build()
}

/// What `prune` removed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Pruned {
    /// When (RFC 3339).
    pub at: String,
    /// The school.
    pub school: String,
    /// Data before this school-local date was removed.
    pub before: String,
    /// Date partitions removed.
    pub partitions: Vec<String>,
    /// Alert files removed.
    pub alerts: Vec<String>,
    /// Rejects files removed (last written before the cut-off).
    pub rejects: Vec<String>,
}

impl Dataset {
    /// Deletes a school's date partitions, alerts and rejects from before `before` (school-local
    /// date) and appends what was removed to `DATA/prune.log` (one JSON object a line). The
    /// manifest keeps its entries, so old log files still on disk are not ingested again.
    pub fn prune(&self, school: &str, before: chrono::NaiveDate) -> Result<Pruned> {
        anyhow::ensure!(crate::config::is_school_id(school), "{school:?} is not a school id");
        let mut pruned = Pruned {
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            school: school.to_string(),
            before: before.to_string(),
            ..Pruned::default()
        };
        let dated = |name: &str, prefix: &str, suffix: &str| {
            name.strip_prefix(prefix)
                .and_then(|n| n.strip_suffix(suffix))
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .is_some_and(|d| d < before)
        };
        let school_dir = self.events_dir().join(format!("school={school}"));
        for name in entry_names(&school_dir)? {
            if dated(&name, "date=", "") {
                fs::remove_dir_all(school_dir.join(&name)).with_context(|| format!("cannot remove {name}"))?;
                pruned.partitions.push(name);
            }
        }
        let alerts_dir = self.root.join("alerts");
        for name in entry_names(&alerts_dir)? {
            if dated(&name, "", ".json") && remove_school_alerts(&alerts_dir.join(&name), school)? {
                pruned.alerts.push(name);
            }
        }
        let rejects_dir = self.root.join("rejects").join(school);
        let cutoff = before.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        for name in entry_names(&rejects_dir)? {
            let path = rejects_dir.join(&name);
            let modified: chrono::DateTime<chrono::Utc> = fs::metadata(&path)?.modified()?.into();
            if modified < cutoff {
                fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
                pruned.rejects.push(name);
            }
        }
        let log = self.root.join("prune.log");
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .with_context(|| format!("cannot open {}", log.display()))?;
        writeln!(file, "{}", serde_json::to_string(&pruned)?)
            .with_context(|| format!("cannot write {}", log.display()))?;
        Ok(pruned)
    }
}

/// Removes one school's entry from a day's alerts file (`[{"school": …}, …]`), deleting the
/// file when no school is left in it; true when the school had an entry.
fn remove_school_alerts(path: &Path, school: &str) -> Result<bool> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut alerts: Vec<serde_json::Value> =
        serde_json::from_slice(&bytes).with_context(|| format!("damaged alerts file {}", path.display()))?;
    let before = alerts.len();
    alerts.retain(|entry| entry["school"] != school);
    if alerts.len() == before {
        return Ok(false);
    }
    if alerts.is_empty() {
        fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    } else {
        crate::private_fs::write_atomically(path, &serde_json::to_vec_pretty(&alerts)?)?;
    }
    Ok(true)
}

/// The names in a folder, sorted; none when it does not exist.
fn entry_names(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().to_string()).collect();
    names.sort();
    Ok(names)
}

/// A change being prepared; nothing in it is visible until [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    run: String,
}

impl Staging {
    /// A unique id for this run, used in part file names.
    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// The staged location of a dataset-relative path (folders created).
    pub fn path(&self, relative: &Path) -> Result<PathBuf> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        Ok(path)
    }

    /// Notes dataset-relative files that the change replaces: removed when it is published.
    pub fn replace(&self, relative: &[PathBuf]) -> Result<()> {
        let text: String = relative.iter().map(|p| format!("{}\n", p.display())).collect();
        write_synced(&self.dir.join(REMOVALS), text.as_bytes())
    }

    /// Writes the new manifest, marks the change committed and publishes it.
    pub fn commit(self, manifest: &Manifest, root: &Path) -> Result<()> {
        let manifest_path = self.dir.join(MANIFEST);
        write_synced(&manifest_path, &serde_json::to_vec_pretty(manifest)?)?;
        sync_tree(&self.dir)?;
        write_synced(&self.dir.join(COMMIT_MARKER), b"committed\n")?;
        publish(&self.dir, root)
    }

    /// Throws the staged change away.
    pub fn abandon(self) -> Result<()> {
        fs::remove_dir_all(&self.dir).with_context(|| format!("cannot remove {}", self.dir.display()))
    }
}

/// Moves every staged file into place (skipping ones already moved), the manifest last, then
/// removes the staging folder. Safe to repeat after a crash.
fn publish(staged: &Path, root: &Path) -> Result<()> {
    for relative in staged_files(staged)? {
        let target = root.join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::rename(staged.join(&relative), &target).with_context(|| format!("cannot publish {}", target.display()))?;
    }
    let manifest = staged.join(MANIFEST);
    if manifest.exists() {
        fs::rename(&manifest, root.join(MANIFEST)).context("cannot publish the manifest")?;
    }
    if let Ok(list) = fs::read_to_string(staged.join(REMOVALS)) {
        for relative in list.lines().map(Path::new) {
            // Only names this code wrote: inside the dataset, never `..`.
            if relative.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
                match fs::remove_file(root.join(relative)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(e).with_context(|| format!("cannot remove replaced {}", relative.display()))
                    }
                    _ => {}
                }
            }
        }
    }
    fs::remove_dir_all(staged).with_context(|| format!("cannot remove {}", staged.display()))
}

/// Staged data files (events and rejects), relative to the staging folder.
fn staged_files(staged: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![staged.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.parent() != Some(staged) {
                found.push(path.strip_prefix(staged).expect("inside staging").to_path_buf());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes a file and flushes it to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes).and_then(|_| file.sync_all()).with_context(|| format!("cannot write {}", path.display()))
}

/// Flushes every staged file to disk before the commit marker is written.
fn sync_tree(dir: &Path) -> Result<()> {
    for relative in staged_files(dir)? {
        File::open(dir.join(&relative))
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot flush {}", relative.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_staging_is_discarded_and_committed_is_published() {
        let root = tempfile::tempdir().unwrap();
        {
            let data = Dataset::open(root.path()).unwrap();
            let staged = data.stage().unwrap();
            let part = staged.path(Path::new("events/school=a/date=2026-10-19/p.parquet")).unwrap();
            fs::write(part, b"x").unwrap();
            // Dropped without commit: as if killed.
        }
        let data = Dataset::open(root.path()).unwrap();
        assert!(!root.path().join("events/school=a/date=2026-10-19/p.parquet").exists());
        assert!(fs::read_dir(root.path().join(STAGING)).unwrap().next().is_none());

        let staged = data.stage().unwrap();
        let part = staged.path(Path::new("events/school=a/date=2026-10-19/p.parquet")).unwrap();
        fs::write(part, b"x").unwrap();
        // Killed after the commit marker but before publishing:
        write_synced(&staged.dir.join(MANIFEST), b"{\"version\":1,\"files\":[]}").unwrap();
        write_synced(&staged.dir.join(COMMIT_MARKER), b"committed\n").unwrap();
        drop(data);
        let data = Dataset::open(root.path()).unwrap();
        assert!(root.path().join("events/school=a/date=2026-10-19/p.parquet").exists());
        assert_eq!(data.manifest().unwrap().version, MANIFEST_VERSION);
    }

    #[test]
    fn a_version_1_manifest_gets_unique_content_ids_and_new_names_are_remembered() {
        let entry = |path: &str, head: &str| {
            format!(
                r#"{{"school":"riverside","path":"{path}","format":"squid","size":10,"sha256":"x","head_len":10,"head_sha256":"{head}","lines":1,"rows":1,"rejects":0,"skipped":0,"ingested_at":"2026-10-19T00:00:00Z"}}"#
            )
        };
        let head = "ab".repeat(32);
        let v1 = format!(r#"{{"version":1,"files":[{},{}]}}"#, entry("/logs/a", &head), entry("/logs/b", &head));
        let mut manifest = serde_json::from_str::<Manifest>(&v1).unwrap().upgrade();
        assert_eq!(manifest.version, MANIFEST_VERSION);
        let ids: Vec<&str> = manifest.files.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec![&head[..16], &format!("{}-2", &head[..16])[..]]);
        assert_eq!(
            manifest.content("riverside", ids[1].to_string().as_str()).map(|e| e.path.as_str()),
            Some("/logs/b")
        );

        manifest.files[0].seen_at("/logs/a.1".to_string());
        manifest.files[0].seen_at("/logs/a.2.gz".to_string());
        manifest.files[0].seen_at("/logs/a.2.gz".to_string());
        assert_eq!(manifest.files[0].path, "/logs/a.2.gz");
        assert_eq!(manifest.files[0].seen, vec!["/logs/a".to_string(), "/logs/a.1".to_string()]);
    }

    #[test]
    fn the_per_column_settings_name_event_columns() {
        use parquet::schema::types::ColumnPath;
        let properties = writer_properties();
        let declared = |name: &str| crate::event::COLUMNS.iter().any(|c| c.name == name);
        for name in DELTA_COLUMNS {
            assert!(declared(name), "{name} is not an event column");
            let path = ColumnPath::from(name);
            assert!(!properties.dictionary_enabled(&path), "{name}");
            assert_eq!(properties.encoding(&path), Some(parquet::basic::Encoding::DELTA_BINARY_PACKED));
        }
        for name in UNSTATISTICAL_COLUMNS {
            assert!(declared(name), "{name} is not an event column");
            let path = ColumnPath::from(name);
            assert_eq!(properties.statistics_enabled(&path), parquet::file::properties::EnabledStatistics::None);
        }
        assert!(properties.dictionary_enabled(&ColumnPath::from("user")));
    }

    #[test]
    fn rejects_path_flattens_the_source_path() {
        assert_eq!(
            Dataset::rejects_path("riverside", Path::new("/var/log/squid/access.log")),
            PathBuf::from("rejects/riverside/var_log_squid_access.log.rejects")
        );
        let deep = PathBuf::from(format!("/{}/access.log", "nested-folder/".repeat(30)));
        let name = Dataset::rejects_path("riverside", &deep).file_name().unwrap().len();
        assert!(name <= 255, "{name}");
        assert_ne!(
            Dataset::rejects_path("riverside", &deep),
            Dataset::rejects_path("riverside", &deep.with_file_name("other.log"))
        );
    }
}
