//! Reading one log file: plain or gzip (detected by content, not name), in chunks of whole lines,
//! hashing exactly the bytes handed out so the manifest can recognise the same content under
//! another name, a file that grew, or a rotated and compressed copy.

use std::fs::File;
use std::io::{BufReader, ErrorKind, Read};
use std::path::Path;
use std::time::SystemTime;

use flate2::read::MultiGzDecoder;
use sha2::Digest;
pub use sha2::Sha256;

use super::follow::SETTLE;
use crate::store::DiskStamp;

/// Bytes hashed for the quick "same start?" test against the manifest.
pub const HEAD_BYTES: usize = 4096;
/// Target size of one chunk of lines.
pub const CHUNK_BYTES: usize = 4 << 20;
/// Lines longer than this are not parsed: they are rejected with their first bytes kept.
pub const MAX_LINE_BYTES: usize = 16 << 20;
/// How much of an over-long line is kept for the rejects file.
const OVERSIZED_KEPT: usize = 4096;

/// A run of whole lines (the last one may lack its newline at the end of the file).
#[derive(Debug, Default)]
pub struct Chunk {
    /// The lines' bytes.
    pub data: Vec<u8>,
    /// Line number of the first line (1-based).
    pub first_line: u64,
    /// A line too long to parse, instead of data.
    pub oversized: Option<OversizedLine>,
}

/// A line over [`MAX_LINE_BYTES`]: its number, its first bytes and its length.
#[derive(Debug)]
pub struct OversizedLine {
    /// Line number.
    pub line: u64,
    /// The first bytes of the line.
    pub head: Vec<u8>,
    /// Its full length in bytes.
    pub bytes: u64,
}

/// A file's content as a stream of chunks, hashed as it is handed out.
pub struct ContentReader {
    stream: Box<dyn Read + Send>,
    carry: Vec<u8>,
    hasher: Sha256,
    delivered: u64,
    next_line: u64,
    eof: bool,
    damage: Option<String>,
    hold_partial: bool,
    /// The opened file's stamp, when it was last written long enough ago to be settled.
    settled: Option<DiskStamp>,
}

impl ContentReader {
    /// Opens a file, decompressing gzip when the content starts with the gzip magic bytes, and
    /// reads its first bytes for identification.
    pub fn open(path: &Path) -> std::io::Result<ContentReader> {
        let (file, meta) = open_regular(path)?;
        let settled = settled_stamp(&meta);
        let mut reader = ContentReader {
            stream: content_of(file)?,
            carry: Vec::with_capacity(CHUNK_BYTES + (64 << 10)),
            hasher: Sha256::new(),
            delivered: 0,
            next_line: 1,
            eof: false,
            damage: None,
            hold_partial: false,
            settled,
        };
        reader.fill_to(HEAD_BYTES);
        Ok(reader)
    }

    /// Reopens a plain file at `offset` (line `next_line`), where a follower stopped reading
    /// it, carrying on the hash of everything before (`hashed`) instead of reading it again.
    pub fn open_at(path: &Path, offset: u64, next_line: u64, hashed: Sha256) -> std::io::Result<ContentReader> {
        use std::io::{Seek, SeekFrom};
        let (mut file, _) = open_regular(path)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(ContentReader {
            stream: Box::new(BufReader::with_capacity(1 << 20, file)),
            carry: Vec::with_capacity(CHUNK_BYTES + (64 << 10)),
            hasher: hashed,
            delivered: offset,
            next_line,
            eof: false,
            damage: None,
            hold_partial: false,
            settled: None,
        })
    }

    /// Leaves an unterminated last line unread (not hashed, not counted): the writer may be
    /// half-way through it, and the next run reads it whole.
    pub fn hold_partial_line(&mut self) {
        self.hold_partial = true;
    }

    /// The hash state of everything handed out so far, for [`ContentReader::open_at`].
    pub fn hash_state(&self) -> Sha256 {
        self.hasher.clone()
    }

    /// The next line number to hand out.
    pub fn next_line(&self) -> u64 {
        self.next_line
    }

    /// The stamp of the file as it was opened, when it had settled (not written to within
    /// [`SETTLE`]: a file still being written, or rewritten within the file system's clock
    /// tick, is not trusted by its stamp).
    pub fn settled_stamp(&self) -> Option<DiskStamp> {
        self.settled
    }

    /// [`ContentReader::settled_stamp`] once every byte of the file has been handed out, with
    /// no damage and no partial line held back: the stamp stands for the whole content read.
    pub fn stamp_of_whole_file(&self) -> Option<DiskStamp> {
        (self.eof && self.carry.is_empty() && self.damage.is_none()).then_some(self.settled).flatten()
    }

    /// The first bytes of the content (valid before any chunk is taken).
    pub fn head(&self) -> &[u8] {
        &self.carry[..self.carry.len().min(HEAD_BYTES)]
    }

    /// Hands out nothing up to `offset` (already ingested), hashing it; false when the content
    /// ends first. Line numbering resumes at `next_line`.
    pub fn skip_to(&mut self, offset: u64, next_line: u64) -> bool {
        while self.delivered < offset {
            if self.carry.is_empty() {
                self.fill_to(CHUNK_BYTES);
                if self.carry.is_empty() {
                    return false;
                }
            }
            let take = (offset - self.delivered).min(self.carry.len() as u64) as usize;
            let rest = self.carry.split_off(take);
            let taken = std::mem::replace(&mut self.carry, rest);
            self.deliver(&taken);
        }
        self.next_line = next_line;
        true
    }

    /// SHA-256 (hex) of everything handed out so far.
    pub fn hash_so_far(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }

    /// Bytes handed out so far.
    pub fn position(&self) -> u64 {
        self.delivered
    }

    /// The next chunk of whole lines, or `None` at the end of the content.
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        loop {
            if self.carry.len() > MAX_LINE_BYTES && memchr::memchr(b'\n', &self.carry[..=MAX_LINE_BYTES]).is_none() {
                return Some(self.drop_oversized_line());
            }
            if self.carry.len() >= CHUNK_BYTES || self.eof {
                if let Some(end) = memchr::memrchr(b'\n', &self.carry) {
                    return Some(self.take_chunk(end + 1));
                }
                if self.eof {
                    return (!self.carry.is_empty() && !self.hold_partial).then(|| self.take_chunk(self.carry.len()));
                }
            }
            // Not a whole chunk yet, or one line longer than a chunk: read on.
            let target = self.carry.len().max(CHUNK_BYTES - CHUNK_BYTES / 2) + CHUNK_BYTES / 2;
            self.fill_to(target);
        }
    }

    /// Size, SHA-256 (hex) and any damage (a read error or truncated gzip) once the content is
    /// exhausted.
    pub fn finish(self) -> (u64, String, Option<String>) {
        (self.delivered, hex(&self.hasher.finalize()), self.damage)
    }

    fn take_chunk(&mut self, len: usize) -> Chunk {
        let rest = self.carry[len..].to_vec();
        self.carry.truncate(len);
        let data = std::mem::replace(&mut self.carry, rest);
        self.deliver(&data);
        let newlines = memchr::memchr_iter(b'\n', &data).count() as u64;
        let lines = newlines + u64::from(!data.ends_with(b"\n") && !data.is_empty());
        let chunk = Chunk { data, first_line: self.next_line, oversized: None };
        self.next_line += lines;
        chunk
    }

    /// Consumes a line longer than the limit up to its newline, keeping only its start.
    fn drop_oversized_line(&mut self) -> Chunk {
        let head = self.carry[..OVERSIZED_KEPT].to_vec();
        let mut bytes = 0u64;
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.carry) {
                let rest = self.carry.split_off(end + 1);
                let line = std::mem::replace(&mut self.carry, rest);
                bytes += line.len() as u64;
                self.deliver(&line);
                break;
            }
            let all = std::mem::take(&mut self.carry);
            bytes += all.len() as u64;
            self.deliver(&all);
            if self.eof {
                break;
            }
            self.fill_to(CHUNK_BYTES);
        }
        let chunk = Chunk {
            data: Vec::new(),
            first_line: self.next_line,
            oversized: Some(OversizedLine { line: self.next_line, head, bytes }),
        };
        self.next_line += 1;
        chunk
    }

    fn deliver(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.delivered += bytes.len() as u64;
    }

    /// Reads until `carry` holds `target` bytes or the content ends. A read error ends the
    /// content and is kept as damage: what was read before it still counts.
    fn fill_to(&mut self, target: usize) {
        let start = self.carry.len();
        if start >= target || self.eof {
            return;
        }
        // Read into the spare capacity (not zeroed first): `read_to_end` retries interruptions,
        // keeps what was read before an error, and stops at the limit or the end of the content.
        self.carry.reserve(target - start);
        let wanted = (target - start) as u64;
        let read = (&mut self.stream).take(wanted).read_to_end(&mut self.carry);
        match read {
            Ok(n) if (n as u64) < wanted => self.eof = true,
            Ok(_) => {}
            Err(e) => {
                let at = self.delivered + self.carry.len() as u64;
                self.damage = Some(match e.kind() {
                    ErrorKind::UnexpectedEof => format!("truncated compressed data after {at} bytes"),
                    _ => format!("read error after {at} bytes: {e}"),
                });
                self.eof = true;
            }
        }
    }
}

/// A file's content: its bytes, or the decompressed bytes when it starts with the gzip magic.
/// Only a regular file is read: a FIFO or device is refused without waiting for a writer.
pub fn open_content(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    content_of(open_regular(path)?.0)
}

/// An open file's content, decompressed when it starts with the gzip magic.
fn content_of(file: File) -> std::io::Result<Box<dyn Read + Send>> {
    use std::io::BufRead;
    let mut file = BufReader::with_capacity(1 << 20, file);
    let is_gzip = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if is_gzip { Box::new(BufReader::with_capacity(1 << 20, MultiGzDecoder::new(file))) } else { Box::new(file) })
}

/// Opens a regular file for reading, refusing a FIFO, device or socket without waiting on it;
/// gives the open file's metadata with it.
fn open_regular(path: &Path) -> std::io::Result<(File, std::fs::Metadata)> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(ErrorKind::InvalidInput, "not a regular file (a FIFO, device or socket)"));
    }
    Ok((file, meta))
}

/// The file's stamp when it was last written at least [`SETTLE`] ago.
fn settled_stamp(meta: &std::fs::Metadata) -> Option<DiskStamp> {
    let age = meta.modified().ok().and_then(|t| SystemTime::now().duration_since(t).ok())?;
    (age >= SETTLE).then(|| DiskStamp::of(meta)).flatten()
}

/// SHA-256 (hex) of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hex (how digests are written in the manifest).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn chunks_of(content: &[u8], gzip: bool) -> (Vec<Chunk>, u64, String, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let bytes = if gzip {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(content).unwrap();
            enc.finish().unwrap()
        } else {
            content.to_vec()
        };
        std::fs::write(&path, bytes).unwrap();
        let mut reader = ContentReader::open(&path).unwrap();
        let mut chunks = Vec::new();
        while let Some(c) = reader.next_chunk() {
            chunks.push(c);
        }
        let (size, hash, damage) = reader.finish();
        (chunks, size, hash, damage)
    }

    /// Reads a file written `age` ago to its end (holding an unterminated last line back when
    /// `hold`), and gives the stamp it would keep for it.
    fn stamp_after_reading(bytes: &[u8], age: std::time::Duration, hold: bool) -> Option<DiskStamp> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, bytes).unwrap();
        File::options().write(true).open(&path).unwrap().set_modified(SystemTime::now() - age).unwrap();
        let mut reader = ContentReader::open(&path).unwrap();
        if hold {
            reader.hold_partial_line();
        }
        while reader.next_chunk().is_some() {}
        reader.stamp_of_whole_file()
    }

    #[test]
    fn only_a_settled_file_read_whole_and_undamaged_keeps_its_stamp() {
        let hour = std::time::Duration::from_secs(3600);
        let whole = stamp_after_reading(b"a 1\nb 2\n", hour, false).expect("a settled file read to its end");
        assert_eq!(whole.len, 8);
        assert!(stamp_after_reading(b"a 1\nb 2\n", std::time::Duration::ZERO, false).is_none(), "just written");
        assert!(stamp_after_reading(b"a 1\nb 2", hour, true).is_none(), "a partial last line held back");
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(&b"a 1\n".repeat(10_000)).unwrap();
        let gzip = gzip.finish().unwrap();
        assert!(stamp_after_reading(&gzip, hour, false).is_some(), "a whole .gz");
        assert!(stamp_after_reading(&gzip[..gzip.len() / 2], hour, false).is_none(), "a truncated .gz");
    }

    #[test]
    fn gzip_and_plain_give_the_same_content_hash() {
        let text = b"a 1\nb 2\nc 3";
        let (plain, size, h1, _) = chunks_of(text, false);
        let (_, _, h2, _) = chunks_of(text, true);
        assert_eq!(h1, h2);
        assert_eq!(h1, sha256_hex(text));
        assert_eq!(size, text.len() as u64);
        let joined: Vec<u8> = plain.iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(joined, text.to_vec(), "final line without newline is kept");
        assert_eq!(plain.last().unwrap().first_line, 3);
    }

    #[test]
    fn long_lines_span_chunks_and_numbering_continues() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            writeln!(text, "line {i} {}", "x".repeat(i % 50)).unwrap();
        }
        text.extend(std::iter::repeat_n(b'y', 10 << 20));
        text.extend_from_slice(b"\nlast\n");
        let (chunks, size, hash, damage) = chunks_of(&text, false);
        assert_eq!(damage, None);
        assert_eq!(size, text.len() as u64);
        assert_eq!(hash, sha256_hex(&text));
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(joined, text);
        for pair in chunks.windows(2) {
            let lines = pair[0].data.iter().filter(|b| **b == b'\n').count() as u64;
            assert_eq!(pair[0].first_line + lines, pair[1].first_line);
            assert!(pair[0].data.ends_with(b"\n"));
        }
    }

    #[test]
    fn a_line_past_the_limit_is_cut_out() {
        let mut text = b"first\n".to_vec();
        text.extend(std::iter::repeat_n(b'z', MAX_LINE_BYTES + 10));
        text.extend_from_slice(b"\nthird\n");
        let (chunks, size, _, _) = chunks_of(&text, false);
        assert_eq!(size, text.len() as u64);
        let oversized: Vec<_> = chunks.iter().filter_map(|c| c.oversized.as_ref()).collect();
        assert_eq!(oversized.len(), 1);
        assert_eq!(oversized[0].line, 2);
        assert_eq!(oversized[0].bytes, (MAX_LINE_BYTES + 11) as u64);
        let last = chunks.last().unwrap();
        assert_eq!((last.first_line, last.data.as_slice()), (3, b"third\n".as_slice()));
    }

    #[test]
    fn truncated_gzip_keeps_what_was_read_and_reports_damage() {
        let mut text = Vec::new();
        for i in 0..50_000 {
            writeln!(text, "line number {i}").unwrap();
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&text).unwrap();
        let gz = enc.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.gz");
        std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
        let mut reader = ContentReader::open(&path).unwrap();
        let mut got = Vec::new();
        while let Some(c) = reader.next_chunk() {
            got.extend(c.data);
        }
        let (_, _, damage) = reader.finish();
        assert!(damage.unwrap().contains("truncated"));
        assert!(!got.is_empty() && text.starts_with(&got));
    }
}
