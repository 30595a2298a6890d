//! Parsing one chunk of lines into per-date record batches and reject lines. Chunks are parsed
//! in parallel; each call works on its own chunk with an enricher borrowed from a pool.

use std::borrow::Cow;

use arrow::record_batch::RecordBatch;

use super::source::{Chunk, MAX_LINE_BYTES};
use crate::enrich::Enricher;
use crate::event::{EventColumns, EventSource};
use crate::formats::Parser;

/// How much of a rejected line the rejects file keeps.
const REJECT_KEPT_BYTES: usize = 64 << 10;

/// One rejected line: where it was, why, and its text (escaped, possibly shortened).
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// 1-based line number.
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
    /// The line's text with control bytes escaped.
    pub text: String,
}

/// What one chunk gave.
#[derive(Debug, Default)]
pub struct ChunkOutput {
    /// Rows, one batch per school-local date (days since 1970-01-01).
    pub partitions: Vec<(i32, RecordBatch)>,
    /// Malformed lines.
    pub rejects: Vec<Reject>,
    /// Lines in the chunk.
    pub lines: u64,
    /// Rows produced.
    pub rows: u64,
    /// Blank lines, headers and lines that are not requests.
    pub skipped: u64,
    /// Earliest and latest event time (UTC µs) in the chunk.
    pub time_range: Option<(i64, i64)>,
}

/// Parses and enriches every line of a chunk.
pub fn parse_chunk(chunk: &Chunk, parser: &Parser, enricher: &mut Enricher, source: &EventSource) -> ChunkOutput {
    let mut out = ChunkOutput::default();
    if let Some(big) = &chunk.oversized {
        out.lines = 1;
        out.rejects.push(Reject {
            line: big.line,
            reason: format!("line of {} bytes is longer than the {} MiB limit", big.bytes, MAX_LINE_BYTES >> 20),
            text: escape(&big.head),
        });
        return out;
    }
    let mut by_date: Vec<(i32, EventColumns)> = Vec::new();
    let data = &chunk.data;
    // Valid UTF-8 as a whole (the usual case) is checked once, not line by line; a chunk with
    // a bad byte anywhere has each line read lossily.
    let valid_text = std::str::from_utf8(data).ok();
    let mut start = 0;
    let mut line_no = chunk.first_line;
    while start < data.len() {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let raw = &data[start..end];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        // `\n` and `\r` are ASCII, so the line's bounds are character boundaries.
        let text = match valid_text {
            Some(text) => Cow::Borrowed(&text[start..start + raw.len()]),
            None => String::from_utf8_lossy(raw),
        };
        out.lines += 1;
        let line = Line { raw, text: &text, number: line_no };
        parse_line(&line, parser, enricher, source, &mut by_date, &mut out);
        start = end + 1;
        line_no += 1;
    }
    out.partitions = by_date.into_iter().map(|(date, columns)| (date, columns.finish())).collect();
    out
}

/// One line of a chunk: its bytes, its text, its 1-based number in the file.
struct Line<'a> {
    raw: &'a [u8],
    text: &'a str,
    number: u64,
}

fn parse_line(
    line: &Line<'_>,
    parser: &Parser,
    enricher: &mut Enricher,
    source: &EventSource,
    by_date: &mut Vec<(i32, EventColumns)>,
    out: &mut ChunkOutput,
) {
    let (raw, text, line_no) = (line.raw, line.text, line.number);
    if text.trim().is_empty() || parser.is_preamble(text) {
        out.skipped += 1;
        return;
    }
    let record = match parser.parse(text) {
        Ok(record) => record,
        Err(e) if e.skip => {
            out.skipped += 1;
            return;
        }
        Err(e) => {
            out.rejects.push(Reject { line: line_no, reason: e.message, text: escape(raw) });
            return;
        }
    };
    let mut sink = |date: i32, row: &crate::event::EventRow<'_>| {
        let columns = match by_date.iter().position(|(d, _)| *d == date) {
            Some(i) => &mut by_date[i].1,
            None => {
                by_date.push((date, EventColumns::new(source.clone())));
                &mut by_date.last_mut().expect("just pushed").1
            }
        };
        columns.push(row);
        out.time_range = Some(match out.time_range {
            Some((lo, hi)) => (lo.min(row.ts), hi.max(row.ts)),
            None => (row.ts, row.ts),
        });
    };
    match enricher.enrich(&record, line_no, &mut sink) {
        Ok(()) => out.rows += 1,
        Err(reason) => out.rejects.push(Reject { line: line_no, reason, text: escape(raw) }),
    }
}

/// The line as printable text ([`crate::escape::bytes`]), shortened past [`REJECT_KEPT_BYTES`]
/// with the full length noted.
pub fn escape(raw: &[u8]) -> String {
    let kept = &raw[..raw.len().min(REJECT_KEPT_BYTES)];
    let mut text = crate::escape::bytes(kept);
    if raw.len() > kept.len() {
        text.push_str(&format!(" [… {} bytes in all]", raw.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_readable() {
        assert_eq!(escape(b"a\tb\x00c\xff"), "a\\tb\\x00c\\xff");
        let long = vec![b'x'; REJECT_KEPT_BYTES + 5];
        assert!(escape(&long).ends_with(&format!("[… {} bytes in all]", REJECT_KEPT_BYTES + 5)));
    }
}
