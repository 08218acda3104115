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

/// One row of an intervals chart: its label, the interval and the bar's fill.
pub struct Interval<'a> {
    pub label: &'a str,
    pub min: u64,
    pub max: u64,
    pub text: String,
    pub fill: &'a str,
    /// Drawn in bold: the rule in use, among its variants.
    pub strong: bool,
}

/// Size intervals on one axis from 0 to `top` (the largest `max` when 0): per row a bar from `min` to
/// `max`, a tick at its middle and the interval as text, so rows compare at a glance.
pub fn intervals(rows: &[Interval], top: u64, top_text: &str, title: &str) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let top = top.max(rows.iter().map(|r| r.max).max().unwrap_or(0)).max(1) as f64;
    let (left, width, row) = (180.0, 560.0, 26.0);
    let height = row * rows.len() as f64 + 24.0;
    let mut svg = format!(
        "<svg class=\"intervals\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(title),
        w = left + width + 120.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = row * i as f64 + 6.0;
        let x = |v: u64| left + width * v as f64 / top;
        let (x0, x1) = (x(r.min), x(r.max));
        let middle = (x0 + x1) / 2.0;
        let weight = if r.strong { " font-weight=\"bold\"" } else { "" };
        let _ = write!(
            svg,
            "<text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"12\"{weight}>{name}</text>\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{width}\" height=\"14\" fill=\"#eee\"/>\
             <rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"14\" fill=\"{fill}\" opacity=\"0.75\"><title>{name}: {t}</title></rect>\
             <line x1=\"{middle:.1}\" x2=\"{middle:.1}\" y1=\"{y0:.1}\" y2=\"{y1:.1}\" stroke=\"#222\" stroke-width=\"2\"/>\
             <text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"12\">{t}</text>",
            tx = left - 6.0,
            ty = y + 11.0,
            name = escape(r.label),
            fill = escape(r.fill),
            bw = (x1 - x0).max(2.0),
            y0 = y - 2.0,
            y1 = y + 16.0,
            lx = left + width + 6.0,
            t = escape(&r.text),
        );
    }
    let axis_y = row * rows.len() as f64 + 18.0;
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"{axis_y}\" font-size=\"11\" fill=\"#555\">0</text><text x=\"{}\" y=\"{axis_y}\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">{}</text></svg>",
        left + width,
        escape(top_text)
    );
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
        let row = |label, min, max| Interval {
            label,
            min,
            max,
            text: format!("{min}–{max}"),
            fill: "#1a7f37",
            strong: false,
        };
        // Two rows on one axis up to 200: [50, 100] starts at 180 + 560 × 50 / 200 = 320 and is
        // 140 wide; [100, 200] starts at 460 and is 280 wide.
        let chart = intervals(&[row("rule", 50, 100), row("a<b", 100, 200)], 0, "200", "t");
        assert!(chart.contains("x=\"320.0\" y=\"6.0\" width=\"140.0\""));
        assert!(chart.contains("x=\"460.0\" y=\"32.0\" width=\"280.0\""));
        assert!(chart.contains("a&lt;b") && !chart.contains("http"));
    }
}
