//! Charts of a unit's figures as SVG, drawn with plotters: a horizontal bar per value of a
//! breakdown, so that a phone shows the shape of the membership at a glance.

use plotters::prelude::*;

/// A bar chart of `(label, count)` rows, largest scale from the data; an SVG document.
pub fn bars(title: &str, rows: &[(String, i64)]) -> Result<String, String> {
    let mut svg = String::new();
    let height = 60 + 28 * rows.len().max(1) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (480, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(150)
            .build_cartesian_2d(0..max + max / 10 + 1, (0..rows.len()).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels
                    .len()
                    .checked_sub(i + 1)
                    .and_then(|k| labels.get(k))
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|n| crate::text::number(*n))
            .draw()
            .map_err(|e| e.to_string())?;
        // A histogram on the segmented axis puts each bar in its label's band.
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(RGBColor(0x1a, 0x73, 0xa8).filled())
                    .margin(4)
                    // The first row at the top, as in the table beside it.
                    .data(
                        rows.iter()
                            .enumerate()
                            .map(|(i, (_, n))| (rows.len() - 1 - i, *n)),
                    ),
            )
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_chart_has_a_bar_and_a_label_per_value() {
        let rows = vec![
            ("18-30".to_string(), 120),
            ("31-45".to_string(), 300),
            ("46-60".to_string(), 0),
        ];
        let svg = super::bars("Độ tuổi", &rows).expect("chart");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains("Độ tuổi") && svg.contains("31-45") && svg.contains("18-30"),
            "{svg}"
        );
        // One filled bar per row (plus the white background).
        assert_eq!(svg.matches("fill=\"#1A73A8\"").count(), 3, "{svg}");
    }
}
