//! Reads the PDFs the tests check in Rust, with hayro (the PDF interpreter typst itself builds
//! on), so `cargo test` needs no system package: the pages and their size, the fonts and whether
//! each is embedded, and the text laid out line by line from where each glyph is drawn (its
//! Unicode from the font's ToUnicode map), pages separated by a form feed like `pdftotext`.

use hayro_interpret::font::Glyph;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::object::{Dict, Name, Object};
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache, InterpreterSettings,
    Paint, PathDrawMode, SoftMask,
};
use kurbo::{Affine, BezPath, Point, Rect};

/// What a test needs to know of a PDF.
pub struct PdfFacts {
    /// Each page's width and height in points, and its text.
    pub pages: Vec<(f32, f32, String)>,
    /// Each font's name and whether its program is embedded.
    pub fonts: Vec<(String, bool)>,
}

impl PdfFacts {
    /// Every page's text, pages separated by a form feed.
    pub fn text(&self) -> String {
        self.pages.iter().map(|(_, _, text)| text.as_str()).collect::<Vec<_>>().join("\x0c")
    }
}

/// Reads a PDF; panics (failing the test) when it cannot be read.
pub fn read(path: &std::path::Path) -> PdfFacts {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let pdf = Pdf::new(bytes).unwrap_or_else(|e| panic!("{} is not a PDF: {e:?}", path.display()));
    let cache = InterpreterCache::new();
    let mut pages = Vec::new();
    for page in pdf.pages().iter() {
        let (width, height) = page.render_dimensions();
        let mut context = Context::new(
            Affine::IDENTITY,
            Rect::new(0.0, 0.0, 1.0, 1.0),
            &cache,
            pdf.xref(),
            InterpreterSettings::default(),
        );
        let mut glyphs = Glyphs { height, found: Vec::new() };
        interpret_page(page, &mut context, &mut glyphs);
        pages.push((width, height, glyphs.lines()));
    }
    let mut fonts = Vec::new();
    for object in pdf.objects() {
        let dict = match object {
            Object::Dict(dict) => dict,
            Object::Stream(stream) => stream.dict().clone(),
            _ => continue,
        };
        if dict.get::<Name<'_>>(b"Type".as_slice()).is_some_and(|t| t.as_str() == "FontDescriptor") {
            fonts.push((font_name(&dict), ["FontFile", "FontFile2", "FontFile3"].iter().any(|k| dict.contains_key(k))));
        }
    }
    PdfFacts { pages, fonts }
}

fn font_name(descriptor: &Dict<'_>) -> String {
    descriptor.get::<Name<'_>>(b"FontName".as_slice()).map(|n| n.as_str().to_string()).unwrap_or_default()
}

/// The glyphs of one page: where each is drawn (from the top) and what it reads as.
struct Glyphs {
    height: f32,
    found: Vec<(f64, f64, String)>,
}

impl Glyphs {
    /// The glyphs as lines of text: glyphs within 2 points of the same baseline form a line, read
    /// left to right, with a space where the gap is far wider than the line's usual advance.
    fn lines(mut self) -> String {
        self.found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
        let mut lines: Vec<Vec<(f64, f64, String)>> = Vec::new();
        for glyph in self.found {
            match lines.last_mut() {
                Some(line) if (line[0].1 - glyph.1).abs() < 2.0 => line.push(glyph),
                _ => lines.push(vec![glyph]),
            }
        }
        let mut text = String::new();
        for mut line in lines {
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut steps: Vec<f64> = line.windows(2).map(|w| w[1].0 - w[0].0).filter(|d| *d > 0.0).collect();
            steps.sort_by(f64::total_cmp);
            let usual = steps.get(steps.len() / 2).copied().unwrap_or(5.0);
            for (n, (x, _, s)) in line.iter().enumerate() {
                if n > 0 && x - line[n - 1].0 > usual * 3.0 && !text.ends_with(' ') {
                    text.push(' ');
                }
                text.push_str(s);
            }
            text.push('\n');
        }
        text
    }
}

impl Device<'_> for Glyphs {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'_>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'_>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'_>>, _: BlendMode) {}
    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'_>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'_>,
        _: &GlyphDrawMode,
    ) {
        let text = match glyph.as_unicode() {
            Some(BfString::Char(c)) => c.to_string(),
            Some(BfString::String(s)) => s,
            None => '\u{fffd}'.to_string(),
        };
        let at = (transform * glyph_transform) * Point::new(0.0, 0.0);
        self.found.push((at.x, f64::from(self.height) - at.y, text));
    }
    fn draw_image(&mut self, _: Image<'_, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}
