//! Charts as inline SVG, drawn with plotters' SVG backend: line charts
//! (precision-recall, F1 against threshold, shares over time), horizontal
//! and vertical bar charts, heat maps and a per-label spread of fold
//! scores.
//!
//! Text is left to the browser (`<text>` elements in a generic sans-serif
//! family), so no font is read or fetched.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::html::escape;

/// Colours of series, one per label in label order (Okabe-Ito, readable by
/// most colour-blind readers).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

/// The colour of series `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

const FONT: &str = "sans-serif";

/// Chart text of `size` pixels placed by its `h`/`v` anchor.
fn anchored(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(h, v))
}
type Failed = Box<dyn std::error::Error>;

/// Runs a drawing into an SVG string; a drawing error (none is expected
/// when drawing into memory) becomes a visible note instead of a chart.
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), Failed>,
) -> String {
    let mut out = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root).and_then(|()| root.present().map_err(Failed::from))
    };
    match result {
        Ok(()) => out,
        Err(e) => format!(
            "<p class=\"chart-error\">chart could not be drawn: {}</p>",
            escape(&e.to_string())
        ),
    }
}

/// A line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text (empty: no legend entry).
    pub name: String,
    /// Colour index (see [`color`]).
    pub color: usize,
    /// The points; `None` breaks the line (a gap in the data).
    pub points: Vec<Option<(f64, f64)>>,
    /// Mark each point with a dot.
    pub dots: bool,
}

/// A point marked on a line chart, with a note.
#[derive(Debug, Clone)]
pub struct Mark {
    /// Where.
    pub at: (f64, f64),
    /// The note beside it.
    pub note: String,
}

/// A line chart's description.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Title above the chart.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description.
    pub y_desc: String,
    /// X range.
    pub x: (f64, f64),
    /// Y range.
    pub y: (f64, f64),
    /// The lines.
    pub lines: Vec<Line>,
    /// Points marked (e.g. the chosen threshold).
    pub marks: Vec<Mark>,
    /// Vertical rules at these x values (dashed).
    pub rules: Vec<f64>,
    /// Names of integer x positions, for category axes such as months
    /// (empty: numbers).
    pub x_names: Vec<String>,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// Draws a line chart.
pub fn line_chart(c: &LineChart) -> String {
    svg(c.size, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&c.title, (FONT, 16))
            .margin(10)
            .x_label_area_size(if c.x_names.is_empty() { 36 } else { 60 })
            .y_label_area_size(48)
            .build_cartesian_2d(c.x.0..c.x.1, c.y.0..c.y.1)?;
        let names = &c.x_names;
        let x_format = |v: &f64| -> String {
            if names.is_empty() {
                return format!("{v:.1}");
            }
            let i = v.round();
            match ((v - i).abs() < 1e-6 && i >= 0.0).then(|| names.get(i as usize)) {
                Some(Some(n)) => n.clone(),
                _ => String::new(),
            }
        };
        let x_labels = if names.is_empty() {
            11
        } else {
            names.len().min(14)
        };
        chart
            .configure_mesh()
            .x_desc(&c.x_desc)
            .y_desc(&c.y_desc)
            .x_labels(x_labels)
            .y_labels(6)
            .x_label_formatter(&x_format)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        for &x in &c.rules {
            chart.draw_series(DashedLineSeries::new(
                [(x, c.y.0), (x, c.y.1)],
                4,
                4,
                BLACK.mix(0.6).stroke_width(1),
            ))?;
        }
        for line in &c.lines {
            let style = color(line.color).stroke_width(2);
            // Runs of points between gaps are drawn as separate paths.
            let runs = line.points.split(Option::is_none);
            let mut first = true;
            for run in runs.filter(|r| !r.is_empty()) {
                let pts: Vec<(f64, f64)> = run.iter().flatten().copied().collect();
                let drawn = chart.draw_series(LineSeries::new(pts.clone(), style))?;
                if first && !line.name.is_empty() {
                    let col = color(line.color);
                    drawn.label(&line.name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(3))
                    });
                    first = false;
                }
                if line.dots {
                    chart.draw_series(
                        pts.iter()
                            .map(|&p| Circle::new(p, 3, color(line.color).filled())),
                    )?;
                }
            }
        }
        for m in &c.marks {
            chart.draw_series(std::iter::once(Circle::new(m.at, 6, BLACK.stroke_width(2))))?;
            let anchor = if m.at.0 > (c.x.0 + c.x.1) / 2.0 {
                -8
            } else {
                8
            };
            let h = if anchor < 0 { HPos::Right } else { HPos::Left };
            let style = anchored(12, h, VPos::Bottom);
            chart.draw_series(std::iter::once(
                EmptyElement::at(m.at) + Text::new(m.note.clone(), (anchor, -6), style),
            ))?;
        }
        if c.lines.iter().any(|l| !l.name.is_empty()) {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font((FONT, 12))
                .draw()?;
        }
        Ok(())
    })
}

/// A horizontal bar chart: one bar per named value, top to bottom.
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    /// Title above the chart.
    pub title: String,
    /// Value axis description.
    pub value_desc: String,
    /// Bars: name, value, colour index.
    pub bars: Vec<(String, f64, usize)>,
    /// Largest value on the axis (at least the largest bar).
    pub max: f64,
    /// Print values as percentages.
    pub percent: bool,
    /// Width in pixels (the height follows the bar count).
    pub width: u32,
}

/// Pixels for the name column of a horizontal chart: about 7 per
/// character of the longest name, within 60..=260.
fn label_area(names: &[&str]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(4);
    (longest as u32 * 7 + 16).clamp(60, 260)
}

/// Draws a horizontal bar chart.
pub fn bar_chart(c: &BarChart) -> String {
    let n = c.bars.len().max(1);
    let names: Vec<&str> = c.bars.iter().map(|b| b.0.as_str()).collect();
    let label_area = label_area(&names);
    let height = 70 + 22 * n as u32;
    let max = c.bars.iter().map(|b| b.1).fold(c.max, f64::max).max(1e-9);
    svg((c.width, height), |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&c.title, (FONT, 15))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0f64..max * 1.12, (0..n).into_segmented())?;
        let percent = c.percent;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(&c.value_desc)
            .x_labels(6)
            .y_labels(n)
            .x_label_formatter(&|v| match percent {
                true => format!("{:.0}%", v * 100.0),
                false => format!("{v:.2}"),
            })
            .y_label_formatter(&|v| match v {
                // Bar 0 at the top.
                SegmentValue::CenterOf(i) if *i < n => names[n - 1 - i].to_string(),
                _ => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        chart.draw_series(c.bars.iter().enumerate().map(|(i, (_, v, col))| {
            let row = n - 1 - i;
            let mut r = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row)),
                    (*v, SegmentValue::Exact(row + 1)),
                ],
                color(*col).filled(),
            );
            r.set_margin(3, 3, 0, 0);
            r
        }))?;
        chart.draw_series(c.bars.iter().enumerate().map(|(i, (_, v, _))| {
            let row = n - 1 - i;
            let text = match percent {
                true => format!("{:.1}%", v * 100.0),
                false => format!("{v:.2}"),
            };
            Text::new(
                text,
                (*v + max * 0.01, SegmentValue::CenterOf(row)),
                anchored(11, HPos::Left, VPos::Center),
            )
        }))?;
        Ok(())
    })
}

/// A vertical bar chart over named positions (e.g. article counts per
/// month, or a histogram).
#[derive(Debug, Clone, Default)]
pub struct ColumnChart {
    /// Title above the chart.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description.
    pub y_desc: String,
    /// Columns: name and value.
    pub columns: Vec<(String, f64)>,
    /// Colour index.
    pub color: usize,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// Draws a vertical bar chart.
pub fn column_chart(c: &ColumnChart) -> String {
    let n = c.columns.len().max(1);
    let max = c.columns.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-9);
    svg(c.size, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&c.title, (FONT, 15))
            .margin(8)
            .x_label_area_size(if n > 8 { 60 } else { 36 })
            .y_label_area_size(48)
            .build_cartesian_2d((0..n).into_segmented(), 0f64..max * 1.1)?;
        let names: Vec<&str> = c.columns.iter().map(|b| b.0.as_str()).collect();
        // Long axes name every k-th column only, so names do not collide.
        let every = n.div_ceil(14);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(&c.x_desc)
            .y_desc(&c.y_desc)
            .x_labels(n)
            .y_labels(5)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n && i % every == 0 => names[*i].to_string(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 11))
            .axis_desc_style((FONT, 13))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        chart.draw_series(c.columns.iter().enumerate().map(|(i, (_, v))| {
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), *v),
                ],
                color(c.color).filled(),
            );
            r.set_margin(0, 0, 2, 2);
            r
        }))?;
        Ok(())
    })
}

/// A heat map: a grid of cells shaded by value, each with its note.
#[derive(Debug, Clone, Default)]
pub struct HeatMap {
    /// Title above the chart.
    pub title: String,
    /// Names of the rows, top to bottom.
    pub rows: Vec<String>,
    /// Names of the columns, left to right.
    pub columns: Vec<String>,
    /// Row description (y axis).
    pub row_desc: String,
    /// Column description (x axis).
    pub column_desc: String,
    /// Shade of each cell, 0 (white) to 1 (darkest).
    pub shade: Vec<Vec<f64>>,
    /// Text in each cell.
    pub notes: Vec<Vec<String>>,
}

/// Draws a heat map.
pub fn heat_map(c: &HeatMap) -> String {
    let (nr, nc) = (c.rows.len().max(1), c.columns.len().max(1));
    let longest = c.rows.iter().map(|r| r.chars().count()).max().unwrap_or(4);
    let label_area = (longest as u32 * 7 + 24).clamp(60, 240);
    let cell_w = 92u32;
    let width = label_area + cell_w * nc as u32 + 40;
    let height = 110 + 34 * nr as u32;
    svg((width, height), |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&c.title, (FONT, 15))
            .margin(8)
            .x_label_area_size(44)
            .y_label_area_size(label_area)
            .build_cartesian_2d((0..nc).into_segmented(), (0..nr).into_segmented())?;
        let (rows, cols) = (&c.rows, &c.columns);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&c.column_desc)
            .y_desc(&c.row_desc)
            .x_labels(nc)
            .y_labels(nr)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < nc => cols.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < nr => {
                    rows.get(nr - 1 - i).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()?;
        let cells = (0..c.rows.len()).flat_map(|r| (0..c.columns.len()).map(move |k| (r, k)));
        let shade_of = |r: usize, k: usize| {
            c.shade
                .get(r)
                .and_then(|row| row.get(k))
                .copied()
                .unwrap_or(0.0)
                .clamp(0.0, 1.0)
        };
        chart.draw_series(cells.clone().map(|(r, k)| {
            let s = shade_of(r, k);
            // White to a deep blue.
            let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
            let fill = RGBColor(mix(255.0, 8.0), mix(255.0, 69.0), mix(255.0, 148.0));
            let row = nr - 1 - r;
            Rectangle::new(
                [
                    (SegmentValue::Exact(k), SegmentValue::Exact(row)),
                    (SegmentValue::Exact(k + 1), SegmentValue::Exact(row + 1)),
                ],
                fill.filled(),
            )
        }))?;
        chart.draw_series(cells.map(|(r, k)| {
            let s = shade_of(r, k);
            let ink: &'static RGBColor = if s > 0.55 { &WHITE } else { &BLACK };
            let note = c
                .notes
                .get(r)
                .and_then(|row| row.get(k))
                .cloned()
                .unwrap_or_default();
            Text::new(
                note,
                (
                    SegmentValue::CenterOf(k),
                    SegmentValue::CenterOf(nr - 1 - r),
                ),
                anchored(12, HPos::Center, VPos::Center).color(ink),
            )
        }))?;
        Ok(())
    })
}

/// Fold-by-fold values per label: a dot per fold, the mean as a bar and
/// the mean ± one standard deviation as a whisker.
#[derive(Debug, Clone, Default)]
pub struct Spread {
    /// Title above the chart.
    pub title: String,
    /// Value axis description.
    pub value_desc: String,
    /// Per label: name and the fold values.
    pub rows: Vec<(String, Vec<f64>)>,
    /// Width in pixels.
    pub width: u32,
}

/// Draws a spread chart.
pub fn spread_chart(c: &Spread) -> String {
    let n = c.rows.len().max(1);
    let names: Vec<&str> = c.rows.iter().map(|r| r.0.as_str()).collect();
    let label_area = label_area(&names);
    svg((c.width, 80 + 40 * n as u32), |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&c.title, (FONT, 15))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0f64..1f64, (0..n).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(&c.value_desc)
            .x_labels(11)
            .y_labels(n)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n => names[n - 1 - i].to_string(),
                _ => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        for (i, (_, values)) in c.rows.iter().enumerate() {
            if values.is_empty() {
                continue;
            }
            let row = n - 1 - i;
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64)
                .sqrt();
            let col = color(i);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![
                    ((mean - sd).max(0.0), SegmentValue::CenterOf(row)),
                    ((mean + sd).min(1.0), SegmentValue::CenterOf(row)),
                ],
                col.stroke_width(2),
            )))?;
            let mut bar = Rectangle::new(
                [
                    (mean - 0.004, SegmentValue::Exact(row)),
                    (mean + 0.004, SegmentValue::Exact(row + 1)),
                ],
                col.filled(),
            );
            bar.set_margin(6, 6, 0, 0);
            chart.draw_series(std::iter::once(bar))?;
            chart.draw_series(values.iter().map(|&v| {
                Circle::new((v, SegmentValue::CenterOf(row)), 4, col.mix(0.5).filled())
            }))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_marks() {
        let line = line_chart(&LineChart {
            title: "PR <curve>".into(),
            x: (0.0, 1.0),
            y: (0.0, 1.0),
            lines: vec![Line {
                name: "a".into(),
                color: 0,
                points: vec![Some((0.0, 1.0)), None, Some((0.5, 0.5)), Some((1.0, 0.2))],
                dots: true,
            }],
            marks: vec![Mark {
                at: (0.5, 0.5),
                note: "chosen".into(),
            }],
            size: (400, 300),
            ..LineChart::default()
        });
        assert!(line.starts_with("<svg"), "{line}");
        assert!(line.contains("chosen") && line.contains("&lt;curve&gt;"));
        assert!(line.matches("<circle").count() >= 4);
        let bars = bar_chart(&BarChart {
            title: "t".into(),
            bars: vec![("war".into(), 0.5, 0), ("aid".into(), 0.25, 1)],
            width: 400,
            ..BarChart::default()
        });
        assert!(bars.contains("war") && bars.contains("<rect"));
        let heat = heat_map(&HeatMap {
            title: "h".into(),
            rows: vec!["x".into(), "y".into()],
            columns: vec!["x".into(), "y".into()],
            shade: vec![vec![1.0, 0.0], vec![0.2, 0.8]],
            notes: vec![vec!["10".into(), "0".into()], vec!["2".into(), "8".into()]],
            ..HeatMap::default()
        });
        assert!(heat.matches("<rect").count() >= 4 && heat.contains("\n10\n</text>"));
    }
}
