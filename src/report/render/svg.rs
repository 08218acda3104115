//! Small inline SVG charts drawn by segaudit (no script, no external resource): size bars, stacked
//! coverage bars, stratum bars and equal-frequency histograms.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// One part of a stacked bar: its count, CSS class and legend.
pub struct Part<'a> {
    pub count: u64,
    pub class: &'a str,
    pub label: String,
}

/// A horizontal stacked bar, 100 % wide, each part proportional to its count.
pub fn stacked_bar(parts: &[Part], title: &str) -> String {
    let total: u64 = parts.iter().map(|p| p.count).sum();
    let mut svg = format!(
        "<svg class=\"bar\" viewBox=\"0 0 1000 28\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    let mut x = 0.0;
    for part in parts {
        if total == 0 || part.count == 0 {
            continue;
        }
        let width = 1000.0 * part.count as f64 / total as f64;
        let _ = write!(
            svg,
            "<rect class=\"{}\" x=\"{x:.2}\" y=\"0\" width=\"{width:.2}\" height=\"28\"><title>{}</title></rect>",
            part.class,
            escape(&part.label)
        );
        x += width;
    }
    svg.push_str("</svg>");
    svg
}

/// A single bar for a share in [0, 1], coloured by level.
pub fn share_bar(share: Option<f64>, class: &str, title: &str) -> String {
    let width = share.unwrap_or(0.0).clamp(0.0, 1.0) * 100.0;
    format!(
        "<svg class=\"mini\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{t}\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" height=\"10\"/><rect class=\"{class}\" x=\"0\" y=\"0\" width=\"{width:.2}\" height=\"10\"><title>{t}</title></rect></svg>",
        t = escape(title)
    )
}

/// An equal-frequency histogram: each bin holds a tenth of the values, so its height is its density.
pub fn histogram(edges: &[f64], labels: (&str, &str), title: &str) -> String {
    if edges.len() < 2 {
        return String::new();
    }
    let (lo, hi) = (edges[0], edges[edges.len() - 1]);
    let span = (hi - lo).max(f64::EPSILON);
    let bins: Vec<(f64, f64)> = edges.windows(2).map(|w| (w[0], w[1])).collect();
    // A zero-width bin (many equal values) is drawn one pixel wide at the tallest height.
    let min_width = span / 300.0;
    let density = |(a, b): (f64, f64)| 1.0 / (b - a).max(min_width);
    let tallest = bins.iter().copied().map(density).fold(0.0, f64::max).max(f64::EPSILON);
    let mut svg = format!(
        "<svg class=\"hist\" viewBox=\"0 0 300 80\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for bin in &bins {
        let x = 300.0 * (bin.0 - lo) / span;
        let width = (300.0 * (bin.1 - bin.0) / span).max(1.0);
        let height = 64.0 * density(*bin) / tallest;
        let _ = write!(
            svg,
            "<rect class=\"hbar\" x=\"{x:.2}\" y=\"{:.2}\" width=\"{width:.2}\" height=\"{height:.2}\"/>",
            64.0 - height
        );
    }
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"78\" class=\"axis\">{}</text><text x=\"300\" y=\"78\" class=\"axis\" text-anchor=\"end\">{}</text></svg>",
        escape(labels.0),
        escape(labels.1)
    );
    svg
}

/// Fill for a usability share: red (0) through amber to green (1).
fn heat_colour(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let (r, g, b) = if s < 0.5 {
        (0.85, 0.25 + s * 0.9, 0.2)
    } else {
        (0.85 - (s - 0.5) * 1.3, 0.7 - (s - 0.5) * 0.1, 0.2 + (s - 0.5) * 0.2)
    };
    format!("rgb({},{},{})", (r * 255.0) as u8, (g * 255.0) as u8, (b * 255.0) as u8)
}

/// A fields × groups heatmap; every cell carries its value as text, not only a colour.
/// One heatmap row: a field and, per group, its share and the text shown in the cell.
pub struct HeatRow {
    pub name: String,
    pub cells: Vec<(Option<f64>, String)>,
}

pub fn heatmap(rows: &[HeatRow], columns: &[String], title: &str) -> String {
    let (label_width, cell_width, cell_height, header) = (170.0, 78.0, 20.0, 34.0);
    let width = label_width + cell_width * columns.len() as f64;
    let height = header + cell_height * rows.len() as f64;
    let mut svg = format!(
        "<svg class=\"heatmap\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for (c, column) in columns.iter().enumerate() {
        let x = label_width + cell_width * (c as f64 + 0.5);
        let shown: String = column.chars().take(12).collect();
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" class=\"hm-head\">{}<title>{}</title></text>",
            header - 8.0,
            escape(&shown),
            escape(column)
        );
    }
    for (r, HeatRow { name, cells }) in rows.iter().enumerate() {
        let y = header + cell_height * r as f64;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"hm-label\">{}</text>",
            label_width - 6.0,
            y + 14.0,
            escape(name)
        );
        for (c, (share, text)) in cells.iter().enumerate() {
            let x = label_width + cell_width * c as f64;
            let fill = share.map_or_else(|| "#eef1f4".to_string(), heat_colour);
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"hm-cell\">{}</text>",
                cell_width - 2.0,
                cell_height - 2.0,
                escape(&format!("{name} × {}: {text}", columns.get(c).map(String::as_str).unwrap_or(""))),
                x + cell_width / 2.0,
                y + 14.0,
                escape(text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_text_and_use_no_namespace_url() {
        let bar = stacked_bar(
            &[Part {
                count: 1,
                class: "m",
                label: "<b>".into(),
            }],
            "a\"b",
        );
        assert!(bar.contains("&lt;b&gt;") && bar.contains("a&quot;b"));
        assert!(!bar.contains("http"));
        let h = histogram(&[0.0, 1.0, 1.0, 3.0], ("0", "3"), "h");
        assert_eq!(h.matches("<rect").count(), 3);
    }
}
