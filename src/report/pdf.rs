//! PDF rendering with typst used as a library: a small in-memory "world" holding the template,
//! its JSON data, the charts (SVG, so they stay vector in the PDF) and the embedded DejaVu Sans.
//! No external program and no system font is needed at run time.

use std::collections::HashMap;

use anyhow::{anyhow, Result};
use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::charts::{FONT_BOLD, FONT_REGULAR};

/// A typst document and everything it reads, all in memory.
pub struct Document {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    files: HashMap<String, Bytes>,
    today: NaiveDate,
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| anyhow!("bad virtual path {path:?}: {e:?}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Document {
    /// A document from template source; `today` is what `datetime.today()` gives.
    pub fn new(template: &str, today: NaiveDate) -> Result<Document> {
        let fonts: Vec<Font> =
            [FONT_REGULAR, FONT_BOLD].iter().flat_map(|bytes| Font::iter(Bytes::new(bytes.to_vec()))).collect();
        let main = Source::new(file_id("/main.typ")?, template.to_string());
        Ok(Document {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main,
            files: HashMap::new(),
            today,
        })
    }

    /// Makes `bytes` readable by the template at `path` (e.g. `data.json`, `charts/x.svg`).
    pub fn add_file(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.insert(path.trim_start_matches('/').to_string(), Bytes::new(bytes));
    }

    /// Lays the document out and writes it as PDF. Template errors are reported with their text.
    pub fn to_pdf(&self) -> Result<Vec<u8>> {
        let compiled = typst::compile::<typst_layout::PagedDocument>(self);
        let document = compiled.output.map_err(|errors| {
            let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
            anyhow!("the report template failed: {}", messages.join("; "))
        })?;
        typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
            let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
            anyhow!("PDF export failed: {}", messages.join("; "))
        })
    }
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.get().vpath().get_without_slash();
        self.files.get(path).cloned().ok_or_else(|| FileError::NotFound(path.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(self.today.year(), self.today.month() as u8, self.today.day() as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_data_becomes_a_pdf() {
        let mut doc = Document::new(
            "#let data = json(\"data.json\")\n#set text(font: \"DejaVu Sans\")\n= Report\nHello #data.name",
            NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(),
        )
        .unwrap();
        doc.add_file("data.json", br#"{"name": "Riverside <Academy> #1 *not bold*"}"#.to_vec());
        let pdf = doc.to_pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let bad = Document::new("#let x = (", NaiveDate::from_ymd_opt(2026, 10, 26).unwrap()).unwrap();
        assert!(bad.to_pdf().unwrap_err().to_string().contains("template failed"));
    }
}
