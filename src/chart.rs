//! A trend as an SVG chart for reports: one bar per period (or, split, one line with a
//! point per period for each series), the index's own count of questions per period as a
//! grey line on the right-hand axis, and the periods the index holds no questions for
//! shaded and named in the legend, so that a gap in the sources cannot pass for a fall.
//!
//! Drawn with plotters' SVG backend alone (no fonts, bitmaps or system libraries: text is
//! left for the viewer to render), which keeps the build small; the CLI writes it with
//! `trend --svg FILE`, and the web page can serve the same string.

use plotters::prelude::*;

use crate::facets::{PeriodCoverage, Trend};

/// The bar colour; one bar of it per period.
pub const BAR: RGBColor = RGBColor(31, 95, 158);
/// The index's questions per period.
const INDEXED: RGBColor = RGBColor(140, 140, 140);
const GAP: RGBColor = RGBColor(225, 225, 225);
const PARTIAL: RGBColor = RGBColor(250, 236, 200);
/// Series colours for a split trend (Tableau 10, colour-blind friendly enough for 6).
pub const SERIES: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("drawing the chart: {0}")]
pub struct ChartError(String);

/// Draws a trend (its first `SERIES.len() - 1` series and "other", when split) as SVG.
pub fn trend_svg(trend: &Trend, title: &str) -> Result<String, ChartError> {
    let mut trend = trend.top_series(SERIES.len() - 1);
    for s in &mut trend.series {
        *s = xml_text(s);
    }
    let mut svg = String::new();
    draw(&trend, &xml_text(title), &mut svg).map_err(|e| ChartError(e.to_string()))?;
    Ok(svg)
}

/// Text that XML 1.0 can hold: control characters (which it forbids, even escaped) are
/// written as `\u{..}`. plotters escapes `<`, `&` and quotes itself.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

type Segment = SegmentValue<u32>;

fn draw<'a>(
    trend: &Trend,
    title: &str,
    svg: &'a mut String,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let n = trend.periods.len() as u32;
    let split = !trend.series.is_empty();
    let labels: Vec<&str> = trend.periods.iter().map(|p| p.period.as_str()).collect();
    let top = trend
        .periods
        .iter()
        .flat_map(|p| p.by_series.iter().copied().chain([p.count]))
        .max()
        .unwrap_or(0);
    // Half as much again above the highest value, so that the legend clears the data.
    let headroom = |n: u64| nice_max(n + n / 2);
    let y_max = headroom(if split {
        trend
            .periods
            .iter()
            .flat_map(|p| p.by_series.iter().copied())
            .max()
            .unwrap_or(0)
    } else {
        top
    });
    let indexed_max = headroom(trend.periods.iter().map(|p| p.indexed).max().unwrap_or(0));
    let date = trend.date.as_str();
    let unit = match trend.bucket {
        crate::date::Bucket::Day => "day",
        crate::date::Bucket::Month => "month",
        crate::date::Bucket::Year => "year",
    };

    let root = SVGBackend::with_string(svg, (960, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .right_y_label_area_size(80)
        .build_cartesian_2d((0..n.max(1)).into_segmented(), 0..y_max)?
        .set_secondary_coord((0..n.max(1)).into_segmented(), 0..indexed_max);
    let label_every = (n as usize).div_ceil(16).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .x_labels(n as usize + 1)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if (*i as usize).is_multiple_of(label_every) => labels
                .get(*i as usize)
                .map_or(String::new(), |l| l.to_string()),
            _ => String::new(),
        })
        .x_desc(format!("{unit} {date}"))
        .y_desc("questions matching")
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 13))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("questions in the index")
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 13).into_font().color(&INDEXED))
        .draw()?;

    // Coverage first, behind the data.
    let band = |i: usize, colour: RGBColor| {
        Rectangle::new(
            [
                (Segment::Exact(i as u32), 0),
                (Segment::Exact(i as u32 + 1), y_max),
            ],
            colour.filled(),
        )
    };
    let gaps: Vec<usize> = (0..trend.periods.len())
        .filter(|&i| trend.periods[i].coverage == PeriodCoverage::Gap)
        .collect();
    let thin: Vec<usize> = (0..trend.periods.len())
        .filter(|&i| {
            matches!(
                trend.periods[i].coverage,
                PeriodCoverage::Partial | PeriodCoverage::Thin
            )
        })
        .collect();
    if !gaps.is_empty() {
        chart
            .draw_series(gaps.iter().map(|&i| band(i, GAP)))?
            .label("no questions in the index (a gap in the data)")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], GAP.filled()));
    }
    if !thin.is_empty() {
        chart
            .draw_series(thin.iter().map(|&i| band(i, PARTIAL)))?
            .label("the index covers the period only in part")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], PARTIAL.filled()));
    }

    if split {
        for (s, name) in trend.series.iter().enumerate() {
            let colour = SERIES[s % SERIES.len()];
            let points: Vec<(Segment, u64)> = trend
                .periods
                .iter()
                .enumerate()
                .map(|(i, p)| (Segment::CenterOf(i as u32), p.by_series[s]))
                .collect();
            chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|pt| Circle::new(pt, 3, colour.filled())),
                )?
                .label(shorten(name, 48))
                .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
        }
    } else {
        chart
            .draw_series(trend.periods.iter().enumerate().map(|(i, p)| {
                let mut bar = Rectangle::new(
                    [
                        (Segment::Exact(i as u32), 0),
                        (Segment::Exact(i as u32 + 1), p.count),
                    ],
                    BAR.filled(),
                );
                bar.set_margin(0, 0, 1, 1);
                bar
            }))?
            .label("questions matching")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], BAR.filled()));
    }
    chart
        .draw_secondary_series(LineSeries::new(
            trend
                .periods
                .iter()
                .enumerate()
                .map(|(i, p)| (Segment::CenterOf(i as u32), p.indexed)),
            INDEXED.stroke_width(1),
        ))?
        .label("questions in the index (right-hand axis)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], INDEXED.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 13))
        .draw()?;
    root.present()?;
    Ok(())
}

/// A round number a little above `n`, so that the top of the axis has a label.
fn nice_max(n: u64) -> u64 {
    let n = n.max(1);
    let step = 10u64.pow((n as f64).log10().floor() as u32).max(1);
    (n / step + 1) * step
}

fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        name.chars().take(max - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_with_control_characters_stay_xml() {
        assert_eq!(xml_text("a\u{1b}[31mb <c>"), "a\\u{1b}[31mb <c>");
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0), 2);
        assert_eq!(nice_max(7), 8);
        assert_eq!(nice_max(45), 50);
        assert_eq!(nice_max(4012), 5000);
    }
}
