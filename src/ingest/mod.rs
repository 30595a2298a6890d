//! `ingest`: raw log files → the school's Parquet dataset. Each file is recognised by content
//! against the manifest (same content: nothing to do; a longer version: only the new lines),
//! read in chunks, parsed and enriched in parallel (rayon), and written to staging; the whole run
//! is published atomically at the end.

pub mod compact;
pub mod follow;
pub mod known;
pub mod parse;
pub mod paths;
pub mod sink;
pub mod source;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::enrich::{Enricher, SchoolContext};
use crate::event::EventSource;
use crate::formats::detect::{self, FormatHints};
use crate::formats::{FormatChoice, FormatName, Parser};
use crate::store::{self, Dataset, DiskStamp, Manifest, ManifestEntry};
use crate::stored_path;
use follow::{FollowCache, Position};
use known::KnownContents;
use parse::{parse_chunk, ChunkOutput};
use sink::{PartitionSink, RejectsSink};
use source::{sha256_hex, Chunk, ContentReader, HEAD_BYTES};

/// How the run reads its files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Format choice (`--format`, else the profile's `format`, else auto).
    pub format: FormatChoice,
    /// Logformat string and CSV mapping for detection.
    pub hints: FormatHints,
    /// Set by a follower (`watch`): where each plain file was last read to, and an
    /// unterminated last line written within [`follow::SETTLE`] is left for the next run.
    pub follow: Option<Arc<Mutex<FollowCache>>>,
}

/// What happened to one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New lines were read.
    Ingested,
    /// The same content was ingested before (maybe under another name): nothing to do.
    AlreadyIngested,
    /// The file is empty.
    Empty,
    /// The file could not be read or its format not recognised.
    Failed(String),
}

/// Counts for one input file in this run.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as given.
    pub path: PathBuf,
    /// What happened.
    pub outcome: Outcome,
    /// Format used.
    pub format: Option<FormatName>,
    /// Lines read in this run.
    pub lines: u64,
    /// Rows written.
    pub rows: u64,
    /// Lines rejected.
    pub rejects: u64,
    /// Blank, header and non-request lines.
    pub skipped: u64,
    /// Bytes of (decompressed) content read in this run.
    pub bytes: u64,
    /// A read error or truncation after which the rest of the file was lost.
    pub damage: Option<String>,
    /// Earliest and latest event time (UTC µs) among the new rows.
    pub time_range: Option<(i64, i64)>,
}

impl FileReport {
    fn new(path: &Path, outcome: Outcome) -> FileReport {
        FileReport {
            path: path.to_path_buf(),
            outcome,
            format: None,
            lines: 0,
            rows: 0,
            rejects: 0,
            skipped: 0,
            bytes: 0,
            damage: None,
            time_range: None,
        }
    }
}

/// Ingests `paths` for one school and publishes the result atomically.
pub fn ingest(
    data: &Dataset,
    school: Arc<SchoolContext>,
    paths: &[PathBuf],
    options: &IngestOptions,
    progress: &ProgressBar,
) -> Result<Vec<FileReport>> {
    let mut manifest = data.manifest()?;
    let mut known = KnownContents::new(&manifest);
    let mut changed = false;
    let staging = data.stage()?;
    let school_id = school.profile.id.clone();
    let mut partitions = PartitionSink::new(&staging, &school_id);
    let pool = EnricherPool::new(school);
    let mut reports = Vec::with_capacity(paths.len());
    for path in paths {
        progress.set_message(path.display().to_string());
        let mut rejects = RejectsSink::new(data, &staging, &school_id, path)?;
        let mut state = ManifestState { manifest: &mut manifest, known: &mut known, changed: &mut changed };
        let report =
            ingest_file(path, &school_id, &mut state, options, &pool, &mut partitions, &mut rejects, progress)?;
        rejects.finish()?;
        reports.push(report);
    }
    partitions.finish()?;
    if reports.iter().any(|r| r.outcome == Outcome::Ingested) {
        let settings = staging.path(&Dataset::profile_path(&school_id))?;
        let text = &pool.school.profile.source_text;
        std::fs::write(&settings, text).with_context(|| format!("cannot write {}", settings.display()))?;
        if store::profile_versions(data.root(), &school_id)?.last().is_none_or(|(_, last)| last != text) {
            let version = staging.path(&store::profile_version_path(&school_id, chrono::Utc::now()))?;
            std::fs::write(&version, text).with_context(|| format!("cannot write {}", version.display()))?;
        }
        staging.commit(&manifest, data.root())?;
    } else if changed {
        // Nothing new, but known content was seen under a new name (a rotation), so `evidence`
        // finds the lines there, or in a settled file whose stamp saves reading it next time.
        staging.commit(&manifest, data.root())?;
    } else {
        staging.abandon()?;
    }
    Ok(reports)
}

/// Enrichers with warm caches, lent to parsing threads one chunk at a time.
struct EnricherPool {
    school: Arc<SchoolContext>,
    idle: Mutex<Vec<Enricher>>,
}

impl EnricherPool {
    fn new(school: Arc<SchoolContext>) -> EnricherPool {
        EnricherPool { school, idle: Mutex::new(Vec::new()) }
    }

    fn with<T>(&self, work: impl FnOnce(&mut Enricher) -> T) -> T {
        let taken = self.idle.lock().expect("pool lock").pop();
        let mut enricher = taken.unwrap_or_else(|| Enricher::new(self.school.clone()));
        let result = work(&mut enricher);
        self.idle.lock().expect("pool lock").push(enricher);
        result
    }
}

/// Where reading starts: from the beginning, or after content a manifest entry already covers.
enum Start {
    Fresh,
    Resume(usize),
}

/// The run's manifest and its index, kept in step, and whether the manifest learnt something
/// without new rows (known content under a new name, or the stamp of a file holding it).
struct ManifestState<'a> {
    manifest: &'a mut Manifest,
    known: &'a mut KnownContents,
    changed: &'a mut bool,
}

impl ManifestState<'_> {
    /// Records that entry `i`'s whole content, nothing more, was found at `path` (stored form),
    /// in a file with stamp `whole_file` when it was read to its end and had settled.
    fn seen_again(&mut self, i: usize, path: String, whole_file: Option<DiskStamp>) {
        let entry = &mut self.manifest.files[i];
        let renamed = entry.seen_at(path);
        let stamped = whole_file.is_some() && entry.disk != whole_file;
        if stamped {
            entry.disk = whole_file;
        }
        if renamed || stamped {
            *self.changed = true;
            self.known.add(i, entry);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn ingest_file(
    path: &Path,
    school: &str,
    state: &mut ManifestState<'_>,
    options: &IngestOptions,
    pool: &EnricherPool,
    partitions: &mut PartitionSink<'_>,
    rejects: &mut RejectsSink,
    progress: &ProgressBar,
) -> Result<FileReport> {
    let failed = |why: String| Ok(FileReport::new(path, Outcome::Failed(why)));
    let mut reader = match ContentReader::open(path) {
        Ok(r) => r,
        Err(e) => return failed(format!("cannot read: {e}")),
    };
    let head = reader.head().to_vec();
    if head.is_empty() {
        let (_, _, damage) = reader.finish();
        return match damage {
            Some(d) => failed(d),
            None => Ok(FileReport::new(path, Outcome::Empty)),
        };
    }
    let canonical = stored_path::canonical(path);
    let stored = stored_path::encode(&canonical);
    let known_file =
        reader.settled_stamp().and_then(|disk| state.known.read_in_full(state.manifest, school, disk, &head));
    if let Some(i) = known_file {
        // The very file read to its end before, unchanged since (a rotated log, renamed or not):
        // nothing to read, not even to hash it again.
        state.seen_again(i, stored, None);
        return Ok(FileReport::new(path, Outcome::AlreadyIngested));
    }
    let plain = !head.starts_with(&[0x1f, 0x8b]);
    let followed = options.follow.as_ref().filter(|_| plain);
    let (start, resumed_reader) = match followed.and_then(|cache| resume_followed(cache, path, school, state, &head)) {
        Some(found) => found,
        None => match find_start(path, school, &stored, state, &head, reader)? {
            Some(found) => found,
            None => return Ok(FileReport::new(path, Outcome::AlreadyIngested)),
        },
    };
    let manifest = &mut *state.manifest;
    reader = resumed_reader;
    if followed.is_some() && follow::recently_written(path) {
        if matches!(start, Start::Fresh) && !head.contains(&b'\n') {
            // A new file whose first line is still being written: nothing to read yet.
            return Ok(FileReport::new(path, Outcome::Empty));
        }
        reader.hold_partial_line();
    }
    let started_at = reader.position();
    let first_chunk = match start {
        Start::Fresh => reader.next_chunk(),
        Start::Resume(_) => None,
    };
    let sample_source = first_chunk.as_ref().map_or(head.as_slice(), |c| c.data.as_slice());
    let sample_text = String::from_utf8_lossy(&sample_source[..sample_source.len().min(1 << 20)]).into_owned();
    let sample: Vec<&str> = sample_text.lines().take(detect::SAMPLE_LINES + 1).collect();
    let choice = match start {
        Start::Resume(i) => FormatName::parse(&manifest.files[i].format).unwrap_or(options.format),
        Start::Fresh => options.format,
    };
    let parser = match detect::choose(&sample, choice, &options.hints) {
        Ok(p) => p,
        Err(why) => return failed(format!("unrecognised format: {why}")),
    };
    let content_id = match start {
        Start::Resume(i) => manifest.files[i].id.clone(),
        Start::Fresh => state.known.new_content_id(school, &sha256_hex(&head[..head.len().min(HEAD_BYTES)])),
    };
    let file = canonical.display().to_string().into();
    let source = EventSource { format: parser.name().as_str().into(), file, content: content_id.into() };
    let mut report = FileReport::new(path, Outcome::Ingested);
    report.format = Some(parser.name());

    // Three stages at once, each as fast as it can go: the reader's thread reads ahead, the
    // rayon pool parses chunks as they come, and the writer's thread writes them in file order.
    let (reader, written) = pipeline(
        reader,
        first_chunk,
        progress,
        |chunk| pool.with(|e| parse_chunk(chunk, &parser, e, &source)),
        |out| write_output(out, partitions, rejects, &mut report),
    );
    written?;
    // The stamp taken when the file was opened stands for what was read only if the file is
    // still the same now (a write while it was read moves its modification time).
    let whole_file = reader.stamp_of_whole_file().filter(|&opened| DiskStamp::of_path(path) == Some(opened));
    let (hashed, next_line) = (reader.hash_state(), reader.next_line());
    let (size, sha256, damage) = reader.finish();
    if let Some(cache) = followed {
        let position = Position { size, next_line, hashed, sha256: sha256.clone(), head: head.clone() };
        cache.lock().expect("follow cache").remember(path, position);
    }
    report.bytes = size - started_at;
    report.damage = damage;
    if report.bytes == 0 {
        // Resumed at the very end: the same content as last time, maybe under a new name, and
        // now maybe in a settled file whose stamp spares reading it again.
        if let Start::Resume(i) = start {
            state.seen_again(i, stored, whole_file);
        }
        report.outcome = Outcome::AlreadyIngested;
        return Ok(report);
    }
    let content =
        ContentFacts { id: source.content.to_string(), path: stored, head: &head, size, sha256, disk: whole_file };
    let i = record_in_manifest(manifest, start, school, &parser, content, &report);
    state.known.add(i, &manifest.files[i]);
    Ok(report)
}

/// What ingest learnt about one file's content.
struct ContentFacts<'a> {
    id: String,
    path: String,
    head: &'a [u8],
    size: u64,
    sha256: String,
    /// The file's stamp when it was read to its end.
    disk: Option<DiskStamp>,
}

/// Where a follower stopped reading this file, when that is still where its manifest entry
/// ends: reading carries on there without hashing the file again.
fn resume_followed(
    cache: &Mutex<FollowCache>,
    path: &Path,
    school: &str,
    state: &ManifestState<'_>,
    head: &[u8],
) -> Option<(Start, ContentReader)> {
    let position = cache.lock().expect("follow cache").position(path, head)?;
    let i = state
        .manifest
        .files
        .iter()
        .rposition(|e| e.school == school && e.size == position.size && e.sha256 == position.sha256)?;
    let reader = ContentReader::open_at(path, position.size, position.next_line, position.hashed).ok()?;
    Some((Start::Resume(i), reader))
}

/// Finds where this content starts relative to the manifest. `None`: already ingested in full.
fn find_start(
    path: &Path,
    school: &str,
    stored: &str,
    state: &ManifestState<'_>,
    head: &[u8],
    mut reader: ContentReader,
) -> Result<Option<(Start, ContentReader)>> {
    let manifest = &*state.manifest;
    for i in state.known.candidates(manifest, school, stored, head) {
        let entry = &manifest.files[i];
        if !reader.skip_to(entry.size, entry.lines + 1) {
            // Shorter than the ingested content and starting the same way: an older copy.
            return Ok(None);
        }
        if reader.hash_so_far() == entry.sha256 {
            return Ok(Some((Start::Resume(i), reader)));
        }
        reader = ContentReader::open(path)?;
    }
    Ok(Some((Start::Fresh, reader)))
}

/// Adds or extends the file's manifest entry; returns its index.
fn record_in_manifest(
    manifest: &mut Manifest,
    start: Start,
    school: &str,
    parser: &Parser,
    content: ContentFacts<'_>,
    report: &FileReport,
) -> usize {
    let head_len = content.head.len().min(HEAD_BYTES).min(content.size as usize);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let fresh = ManifestEntry {
        school: school.to_string(),
        id: content.id,
        path: content.path,
        seen: Vec::new(),
        format: parser.name().as_str().to_string(),
        size: content.size,
        sha256: content.sha256,
        head_len: head_len as u64,
        head_sha256: sha256_hex(&content.head[..head_len]),
        lines: report.lines,
        rows: report.rows,
        rejects: report.rejects,
        skipped: report.skipped,
        ingested_at: now,
        disk: content.disk,
    };
    match start {
        Start::Fresh => {
            manifest.files.push(fresh);
            manifest.files.len() - 1
        }
        Start::Resume(i) => {
            let new_path = fresh.path.clone();
            let old = &manifest.files[i];
            let mut grown = ManifestEntry {
                path: old.path.clone(),
                seen: old.seen.clone(),
                lines: old.lines + fresh.lines,
                rows: old.rows + fresh.rows,
                rejects: old.rejects + fresh.rejects,
                skipped: old.skipped + fresh.skipped,
                ..fresh
            };
            grown.seen_at(new_path);
            manifest.files[i] = grown;
            i
        }
    }
}

/// Chunks read but not yet written, at most: what bounds the pipeline's memory (each holds up
/// to [`source::CHUNK_BYTES`] of lines and, once parsed, their rows) while keeping every core busy.
fn chunks_in_flight() -> usize {
    4 * rayon::current_num_threads().max(1)
}

/// Runs the three stages of one file at once: the reader on its own thread (read, gunzip,
/// hash, cut into chunks: a large `.gz` never waits on parsing), `parse` on the rayon pool as
/// chunks arrive, and `write` on its own thread, in file order. At most [`chunks_in_flight`]
/// chunks are between the reader and the writer. The first write error stops every stage; the
/// reader is given back with what it read.
fn pipeline(
    reader: ContentReader,
    first: Option<Chunk>,
    progress: &ProgressBar,
    parse: impl Fn(&Chunk) -> ChunkOutput + Sync,
    mut write: impl FnMut(ChunkOutput) -> Result<()> + Send,
) -> (ContentReader, Result<()>) {
    use std::sync::mpsc::{channel, sync_channel};
    let in_flight = chunks_in_flight();
    // A ticket per chunk in flight: the reader takes one before reading a chunk, the writer
    // gives it back once the chunk is written.
    let (tickets_back, tickets) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        tickets_back.send(()).expect("the receiver is alive");
    }
    let (chunk_sender, chunks) = sync_channel::<(u64, Chunk)>(in_flight);
    let (output_sender, outputs) = channel::<(u64, ChunkOutput)>();
    // `move`: should a parser panic, the output sender is dropped as the panic leaves this
    // closure, so the writer's thread ends and the panic is not turned into a hang.
    std::thread::scope(move |scope| {
        let read = scope.spawn(move || read_ahead(reader, first, &tickets, chunk_sender, progress));
        let written = scope.spawn(move || write_in_order(&outputs, &tickets_back, &mut write));
        // A send fails only once the writer has stopped on an error: parsing stops too.
        let _ = chunks.into_iter().par_bridge().try_for_each(|(seq, chunk)| output_sender.send((seq, parse(&chunk))));
        drop(output_sender);
        let written = written.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), written)
    })
}

/// The reading stage: hands out numbered chunks, one per ticket, until the content ends or the
/// writer stops (no more tickets); gives the reader back.
fn read_ahead(
    mut reader: ContentReader,
    first: Option<Chunk>,
    tickets: &std::sync::mpsc::Receiver<()>,
    chunks: std::sync::mpsc::SyncSender<(u64, Chunk)>,
    progress: &ProgressBar,
) -> ContentReader {
    let mut next = first;
    for seq in 0.. {
        if tickets.recv().is_err() {
            break;
        }
        let Some(chunk) = next.take().or_else(|| reader.next_chunk()) else { break };
        progress.set_position(reader.position());
        if chunks.send((seq, chunk)).is_err() {
            break;
        }
    }
    reader
}

/// The writing stage: writes parsed chunks in file order (they are parsed in any order) and
/// gives back a ticket for each. Stops at the first error.
fn write_in_order(
    outputs: &std::sync::mpsc::Receiver<(u64, ChunkOutput)>,
    tickets: &std::sync::mpsc::SyncSender<()>,
    write: &mut impl FnMut(ChunkOutput) -> Result<()>,
) -> Result<()> {
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0u64;
    for (seq, output) in outputs {
        waiting.insert(seq, output);
        while let Some(output) = waiting.remove(&next) {
            write(output)?;
            next += 1;
            // The reader may have stopped already, with nothing left to read.
            let _ = tickets.send(());
        }
    }
    Ok(())
}

/// Writes one parsed chunk: its rows to their date partitions, its rejects, its counts.
fn write_output(
    out: ChunkOutput,
    partitions: &mut PartitionSink<'_>,
    rejects: &mut RejectsSink,
    report: &mut FileReport,
) -> Result<()> {
    for (date, batch) in &out.partitions {
        partitions.write(*date, batch)?;
    }
    rejects.write(&out.rejects)?;
    report.lines += out.lines;
    report.rows += out.rows;
    report.rejects += out.rejects.len() as u64;
    report.skipped += out.skipped;
    report.time_range = match (report.time_range, out.time_range) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (a, b) => a.or(b),
    };
    Ok(())
}
