//! The report's charts, drawn with plotters once per backend: SVG for the PDF (vector, sharp in
//! print) and PNG for e-mail and slides. Text uses the embedded DejaVu Sans, so no system font is
//! needed; colours differ in lightness as well as hue, so the charts still read printed in grey.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::private_fs::{write_atomically, write_atomically_with};

/// The report's font (DejaVu Sans, free to embed).
pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The report's bold font.
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// The family name charts and the PDF use.
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// Series colours, dark to light, so that neighbours differ in grey too.
const PALETTE: [RGBColor; 8] = [
    RGBColor(27, 58, 92),
    RGBColor(230, 145, 56),
    RGBColor(106, 168, 79),
    RGBColor(166, 77, 121),
    RGBColor(61, 133, 198),
    RGBColor(241, 194, 50),
    RGBColor(120, 63, 4),
    RGBColor(180, 180, 180),
];

/// The colour of the n-th series.
pub fn series_colour(n: usize) -> RGBColor {
    PALETTE[n % PALETTE.len()]
}

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    /// File name stem (`blocked-by-day`).
    fn name(&self) -> String;
    /// Size in pixels (the SVG uses the same units).
    fn size(&self) -> (u32, u32) {
        (1000, 520)
    }
    /// Draws the chart.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Turns a plotters error into an anyhow error.
pub fn plot<T, E: std::fmt::Debug>(result: Result<T, E>) -> Result<T> {
    result.map_err(|e| anyhow!("chart drawing failed: {e:?}"))
}

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are DejaVu Sans, compiled in: registering them cannot fail.
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_REGULAR);
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, FONT_BOLD);
    });
}

/// Renders a chart as `<dir>/<name>.svg` and `<dir>/<name>.png`; returns the SVG text and path.
pub fn save(chart: &impl Chart, dir: &Path) -> Result<(String, PathBuf)> {
    register_fonts();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let size = chart.size();
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        plot(area.fill(&WHITE))?;
        chart.draw(&area)?;
        plot(area.present())?;
    }
    let svg_path = dir.join(format!("{}.svg", chart.name()));
    write_atomically(&svg_path, svg.as_bytes())?;
    let png_path = dir.join(format!("{}.png", chart.name()));
    write_atomically_with(&png_path, |temporary| {
        let area = BitMapBackend::new(temporary, size).into_drawing_area();
        plot(area.fill(&WHITE))?;
        chart.draw(&area)?;
        plot(area.present()).with_context(|| format!("cannot write {}", png_path.display()))
    })?;
    Ok((svg, svg_path))
}

/// Longest label drawn before it is shortened with `…`.
const LABEL_CHARS: usize = 60;

/// Log text as a chart label: control bytes visible (they would make the SVG invalid XML), and
/// shortened past [`LABEL_CHARS`].
fn label(text: &str) -> String {
    let text = crate::escape::text(text);
    match text.char_indices().nth(LABEL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.into_owned(),
    }
}

/// A chart builder with the report's title style, margins and an x-axis label area.
fn titled<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    y_label_area: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder.caption(label(title), title_font()).margin(12).x_label_area_size(44).y_label_area_size(y_label_area);
    builder
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().into()
}

fn title_font() -> TextStyle<'static> {
    (FONT_FAMILY, 26, FontStyle::Bold).into_font().into()
}

/// Stacked bars: one bar per day, one segment per series (category).
pub struct StackedBars {
    /// File name stem.
    pub name: String,
    /// Chart title.
    pub title: String,
    /// Label of each bar (day).
    pub bars: Vec<String>,
    /// (series name, value per bar).
    pub series: Vec<(String, Vec<u64>)>,
    /// Y-axis description.
    pub y_label: String,
}

impl Chart for StackedBars {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let totals: Vec<u64> = (0..self.bars.len())
            .map(|i| self.series.iter().map(|(_, v)| v.get(i).copied().unwrap_or(0)).sum())
            .collect();
        let top = totals.iter().copied().max().unwrap_or(0).max(1);
        let (plot_area, legend_area) = area.split_horizontally(area.dim_in_pixel().0 as i32 * 3 / 4);
        let mut chart = plot(
            titled(&plot_area, &self.title, 64)
                .build_cartesian_2d((0..self.bars.len()).into_segmented(), 0u64..(top + top / 10 + 1)),
        )?;
        let labels: Vec<String> = self.bars.iter().map(|l| label(l)).collect();
        plot(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .y_desc(&self.y_label)
                .label_style(font(16))
                .axis_desc_style(font(17))
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .draw(),
        )?;
        let mut base = vec![0u64; self.bars.len()];
        for (n, (_, values)) in self.series.iter().enumerate() {
            let colour = series_colour(n);
            let rects: Vec<Rectangle<(SegmentValue<usize>, u64)>> = (0..self.bars.len())
                .filter(|&i| values.get(i).copied().unwrap_or(0) > 0)
                .map(|i| {
                    let (low, high) = (base[i], base[i] + values[i]);
                    Rectangle::new([(SegmentValue::Exact(i), low), (SegmentValue::Exact(i + 1), high)], colour.filled())
                })
                .collect();
            plot(chart.draw_series(rects.into_iter().map(|r| r.into_dyn())))?;
            for (i, b) in base.iter_mut().enumerate() {
                *b += values.get(i).copied().unwrap_or(0);
            }
        }
        draw_legend(&legend_area, &self.series.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>())
    }
}

/// A legend: a colour swatch and a name per series, top to bottom.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, names: &[String]) -> Result<()> {
    for (n, name) in names.iter().enumerate() {
        let y = 70 + n as i32 * 34;
        plot(area.draw(&Rectangle::new([(10, y), (34, y + 22)], series_colour(n).filled())))?;
        plot(area.draw(&Text::new(label(name), (44, y + 2), font(17))))?;
    }
    Ok(())
}

/// A heat map of counts by weekday (rows) and hour (columns).
pub struct HeatMap {
    /// File name stem.
    pub name: String,
    /// Chart title.
    pub title: String,
    /// counts[weekday 0 = Monday][hour].
    pub counts: [[u64; 24]; 7],
}

impl Chart for HeatMap {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 420)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let top = self.counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
        let mut chart = plot(titled(area, &self.title, 60).build_cartesian_2d(0i32..24, 0i32..7))?;
        plot(
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(24)
                .y_labels(7)
                .label_style(font(15))
                .axis_desc_style(font(17))
                .x_desc("hour of the day (school time)")
                .y_label_formatter(&|y| DAYS.get((6 - *y) as usize).map(|d| d.to_string()).unwrap_or_default())
                .draw(),
        )?;
        let cells = (0..7).flat_map(|day| (0..24).map(move |hour| (day, hour))).map(|(day, hour)| {
            let value = self.counts[day][hour] as f64 / top;
            // White to dark blue: darker is more, in colour and in grey.
            let shade = |full: u8| (255.0 - (255.0 - f64::from(full)) * value.sqrt()) as u8;
            let colour = RGBColor(shade(27), shade(58), shade(92));
            let row = 6 - day as i32;
            Rectangle::new([(hour as i32, row), (hour as i32 + 1, row + 1)], colour.filled())
        });
        plot(chart.draw_series(cells))?;
        Ok(())
    }
}

/// Horizontal bars, largest first.
pub struct HorizontalBars {
    /// File name stem.
    pub name: String,
    /// Chart title.
    pub title: String,
    /// (label, value), drawn top to bottom.
    pub bars: Vec<(String, u64)>,
    /// Value-axis description.
    pub x_label: String,
}

impl Chart for HorizontalBars {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 120 + 38 * self.bars.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let top = self.bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let n = self.bars.len().max(1);
        let labels: Vec<String> = self.bars.iter().map(|(l, _)| label(l)).collect();
        let mut chart = plot(
            titled(area, &self.title, 230).build_cartesian_2d(0u64..(top + top / 8 + 1), (0..n).into_segmented()),
        )?;
        plot(
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc(&self.x_label)
                .label_style(font(16))
                .axis_desc_style(font(17))
                .y_labels(n)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => {
                        (n - 1).checked_sub(*i).and_then(|row| labels.get(row)).cloned().unwrap_or_default()
                    }
                    _ => String::new(),
                })
                .draw(),
        )?;
        let bars = self.bars.iter().enumerate().map(|(i, (_, value))| {
            let row = n - 1 - i;
            Rectangle::new(
                [(0, SegmentValue::Exact(row)), (*value, SegmentValue::Exact(row + 1))],
                series_colour(0).filled(),
            )
        });
        plot(chart.draw_series(bars))?;
        Ok(())
    }
}

/// One day's hourly counts as bars with the usual level as a line: what a spike looks like.
pub struct HourlyAgainstUsual {
    /// File name stem.
    pub name: String,
    /// Chart title.
    pub title: String,
    /// Count per hour on the day.
    pub day: [u64; 24],
    /// The usual count per hour (median of comparable days).
    pub usual: [f64; 24],
}

impl Chart for HourlyAgainstUsual {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 400)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let top = self.day.iter().map(|v| *v as f64).chain(self.usual.iter().copied()).fold(1.0, f64::max);
        let mut chart = plot(titled(area, &self.title, 60).build_cartesian_2d(0f64..24f64, 0f64..top * 1.1))?;
        plot(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(13)
                .x_desc("hour of the day (school time)")
                .y_desc("blocked requests")
                .label_style(font(15))
                .axis_desc_style(font(17))
                .x_label_formatter(&|x| format!("{:02}:00", *x as u32))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .draw(),
        )?;
        let bars = self.day.iter().enumerate().map(|(hour, count)| {
            let h = hour as f64;
            Rectangle::new([(h + 0.1, 0.0), (h + 0.9, *count as f64)], series_colour(1).filled())
        });
        plot(chart.draw_series(bars))?
            .label("this day")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], series_colour(1).filled()));
        let usual = LineSeries::new(
            self.usual.iter().enumerate().map(|(h, v)| (h as f64 + 0.5, *v)),
            series_colour(0).stroke_width(3),
        );
        plot(chart.draw_series(usual))?
            .label("usual for this hour")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], series_colour(0).stroke_width(3)));
        plot(chart.configure_series_labels().label_font(font(16)).border_style(BLACK).background_style(WHITE).draw())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_render_to_svg_and_png() {
        let dir = tempfile::tempdir().unwrap();
        let chart = StackedBars {
            name: "blocked-by-day".into(),
            title: "Blocked requests per school day".into(),
            bars: vec!["Mon".into(), "Tue".into()],
            series: vec![("games".into(), vec![10, 20]), ("adult".into(), vec![3, 0])],
            y_label: "blocked requests".into(),
        };
        let (svg, path) = save(&chart, dir.path()).unwrap();
        assert!(svg.contains("Blocked requests per school day") && svg.contains("games"));
        assert!(path.exists());
        let png = std::fs::read(dir.path().join("blocked-by-day.png")).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "a real picture, not an empty file");
    }
}
