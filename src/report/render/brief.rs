//! The committee's first page (HTML and terminal): the verdict, at most five sentences on the risks
//! that matter most, one chart of every segment's size interval; and the "since the last audit"
//! cells and trend charts the field and segment tables carry when there is a history.

use std::fmt::Write;

use super::svg::escape;
use crate::base::i18n::{count, decimal, fill, level, percent, t, Key};
use crate::base::risk::{FailOn, Level};
use crate::report::{Report, SegmentReport};
use crate::spec::Lang;

/// A segment is sized within ±10 % when half its interval is at most a tenth of its middle.
pub const PRECISION: f64 = 0.10;

pub struct Brief {
    pub sentences: Vec<String>,
    /// Every segment's size interval, as inline SVG (empty without segments).
    pub chart: String,
}

fn relative_half_width(s: &SegmentReport) -> f64 {
    let middle = (s.size_min as f64 + s.size_max as f64) / 2.0;
    let half = (s.size_max as f64 - s.size_min as f64) / 2.0;
    if half == 0.0 {
        0.0
    } else {
        half / middle.max(1.0)
    }
}

fn interval(lang: Lang, min: u64, max: u64) -> String {
    if min == max {
        count(lang, min)
    } else {
        format!("{}–{}", count(lang, min), count(lang, max))
    }
}

fn list(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), t(lang, Key::ListAnd)),
    }
}

/// The first page's sentences (at most five) and chart.
pub fn brief(report: &Report) -> Brief {
    let lang = report.lang;
    let mut sentences = Vec::new();
    let total = report.segments.len();
    let mut imprecise: Vec<&SegmentReport> = report
        .segments
        .iter()
        .filter(|s| relative_half_width(s) > PRECISION)
        .collect();
    imprecise.sort_by(|a, b| {
        relative_half_width(b)
            .total_cmp(&relative_half_width(a))
            .then(a.id.cmp(&b.id))
    });
    let (rows, min_rows) = (report.subject.rows, report.subject.min_rows);
    if rows < min_rows {
        // No segment can be sized on an empty or cut-short extract (contract §10).
        sentences.push(if rows == 0 {
            t(lang, Key::BriefEmpty).to_string()
        } else {
            fill(
                lang,
                Key::BriefTooFewRows,
                &[("rows", &count(lang, rows)), ("min", &count(lang, min_rows))],
            )
        });
    } else if total > 0 {
        if imprecise.is_empty() {
            let key = if total == 1 {
                Key::BriefOneSized
            } else {
                Key::BriefAllSized
            };
            sentences.push(fill(lang, key, &[("total", &total.to_string())]));
        } else {
            let named: Vec<String> = imprecise
                .iter()
                .take(3)
                .map(|s| format!("{} ({})", s.id, interval(lang, s.size_min, s.size_max)))
                .collect();
            let more = imprecise.len().saturating_sub(3);
            let tail = if more > 0 {
                fill(lang, Key::BriefAndMore, &[("more", &more.to_string())])
            } else {
                String::new()
            };
            let n = imprecise.len();
            sentences.push(fill(
                lang,
                Key::BriefNotSized,
                &[
                    ("n", &n.to_string()),
                    ("total", &total.to_string()),
                    ("segments", &named.join(", ")),
                    ("tail", &tail),
                ],
            ));
            // The fields that leave the most rows of those segments undecided.
            let mut holders: Vec<(&str, &str, u64)> = imprecise
                .iter()
                .flat_map(|s| {
                    s.fields
                        .iter()
                        .map(move |f| (f.name.as_str(), s.id.as_str(), f.undetermined_rows))
                })
                .filter(|(_, _, n)| *n > 0)
                .collect();
            holders.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
            let mut named_fields: Vec<String> = Vec::new();
            let mut seen: Vec<&str> = Vec::new();
            for (field, segment, rows) in holders {
                if seen.contains(&field) || seen.len() == 3 {
                    continue;
                }
                seen.push(field);
                named_fields.push(fill(
                    lang,
                    Key::BriefUndecidedRows,
                    &[("field", field), ("rows", &count(lang, rows)), ("segment", segment)],
                ));
            }
            if !named_fields.is_empty() {
                sentences.push(fill(
                    lang,
                    Key::BriefHoldingBack,
                    &[("fields", &list(lang, &named_fields))],
                ));
            }
        }
    }
    if let Some(sentence) = integrity_sentence(report) {
        sentences.push(sentence);
    }
    if let Some(sentence) = since_sentence(report) {
        sentences.push(sentence);
    }
    if let Some(sentence) = variants_sentence(report) {
        sentences.push(sentence);
    }
    // At most five sentences, the gate's always among them.
    sentences.truncate(4);
    let limit = match report.gate.fail_on {
        FailOn::Never => None,
        FailOn::At(level) => Some(level),
    };
    let at_or_above = limit.map_or(0, |limit| {
        report.findings.iter().filter(|f| f.level >= limit && !f.waived).count()
    });
    let worst = level(lang, report.gate.worst);
    let fail_on = crate::base::i18n::fail_on(lang, report.gate.fail_on);
    let profile = report.format == crate::report::model::ReportFormat::Profile;
    sentences.push(if profile {
        // A profile has no gate: saying it passed, under critical fields, would mislead.
        fill(lang, Key::BriefProfileWorst, &[("worst", worst)])
    } else if limit.is_none() {
        fill(lang, Key::BriefGateNever, &[("worst", worst)])
    } else if report.gate.passed {
        fill(lang, Key::BriefGatePasses, &[("fail_on", fail_on), ("worst", worst)])
    } else {
        fill(
            lang,
            Key::BriefGateFails,
            &[("n", &at_or_above.to_string()), ("fail_on", fail_on), ("worst", worst)],
        )
    });
    Brief {
        sentences,
        chart: intervals_chart(report),
    }
}

/// Customers counted twice and rows a join would drop (contract §10): what the committee must know
/// before trusting any count of customers; None when there are none.
fn integrity_sentence(report: &Report) -> Option<String> {
    let lang = report.lang;
    let rows = report.subject.rows;
    let share = |n: u64, of: u64| percent(lang, Some(n as f64 / of.max(1) as f64));
    let mut items = Vec::new();
    let twice = report.subject.duplicate_identities;
    if twice > 0 {
        items.push(fill(
            lang,
            Key::BriefDuplicateIdentities,
            &[("n", &count(lang, twice)), ("share", &share(twice, rows))],
        ));
    }
    for link in report.links.iter().filter(|l| l.orphans > 0) {
        items.push(fill(
            lang,
            Key::BriefLinkOrphans,
            &[
                ("n", &count(lang, link.orphans)),
                ("from", &link.from),
                ("to", &link.to),
                ("share", &share(link.orphans, link.from_rows)),
            ],
        ));
    }
    (!items.is_empty()).then(|| fill(lang, Key::BriefIntegrity, &[("items", &list(lang, &items))]))
}

/// The variants that would more than halve their segment's undetermined share (contract §12), the
/// largest cut first; None when no variant would.
fn variants_sentence(report: &Report) -> Option<String> {
    let lang = report.lang;
    let mut cuts: Vec<(f64, String)> = Vec::new();
    for s in &report.segments {
        let Some(now) = s.undetermined_share.filter(|u| *u > 0.0) else {
            continue;
        };
        for v in &s.variants {
            let then = v.undetermined_share.unwrap_or(0.0);
            if then < now / 2.0 {
                let item = fill(
                    lang,
                    Key::BriefVariantItem,
                    &[
                        ("variant", &v.id),
                        ("segment", &s.id),
                        ("from", &percent(lang, Some(now))),
                        ("to", &percent(lang, Some(then))),
                    ],
                );
                cuts.push((now - then, item));
            }
        }
    }
    if cuts.is_empty() {
        return None;
    }
    cuts.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let items: Vec<String> = cuts.into_iter().take(3).map(|(_, item)| item).collect();
    Some(fill(lang, Key::BriefVariantsHalve, &[("items", &list(lang, &items))]))
}

/// What changed since the previous run, from the drift findings; None without a history.
fn since_sentence(report: &Report) -> Option<String> {
    let lang = report.lang;
    let history = report.history.as_ref()?;
    let Some(previous) = &history.previous else {
        return Some(t(lang, Key::BriefFirstAudit).to_string());
    };
    let when = report
        .trend
        .last()
        .map_or_else(|| previous.clone(), |p| p.time.chars().take(10).collect());
    let mut items: Vec<String> = Vec::new();
    for f in &report.findings {
        let item = match (f.code, &f.field, &f.segment) {
            ("field.usability_drop", Some(field), _) => {
                let before = previous_usability(report, field);
                let now = report
                    .fields
                    .iter()
                    .find(|x| &x.name == field)
                    .and_then(|x| x.usability);
                fill(
                    lang,
                    Key::BriefUsabilityMoved,
                    &[
                        ("field", field),
                        ("before", &percent(lang, before)),
                        ("now", &percent(lang, now)),
                    ],
                )
            }
            ("segment.size_shift", _, Some(segment)) => {
                let before = report
                    .trend
                    .last()
                    .and_then(|p| p.segments.iter().find(|s| &s.0 == segment))
                    .map(|s| interval(lang, s.1, s.2))
                    .unwrap_or_default();
                let now = report
                    .segments
                    .iter()
                    .find(|s| &s.id == segment)
                    .map(|s| interval(lang, s.size_min, s.size_max))
                    .unwrap_or_default();
                fill(
                    lang,
                    Key::BriefSizeMoved,
                    &[("segment", segment), ("before", &before), ("now", &now)],
                )
            }
            ("subject.row_count_shift", _, _) => {
                let before = report.trend.last().map_or(0, |p| p.rows);
                fill(
                    lang,
                    Key::BriefRowsMoved,
                    &[
                        ("before", &count(lang, before)),
                        ("now", &count(lang, report.subject.rows)),
                    ],
                )
            }
            ("field.distribution_shift", Some(field), _) => {
                let psi = report
                    .fields
                    .iter()
                    .find(|x| &x.name == field)
                    .and_then(|x| x.psi)
                    .unwrap_or(0.0);
                let psi = decimal(lang, psi, 2);
                fill(lang, Key::BriefValuesShifted, &[("field", field), ("psi", &psi)])
            }
            _ => continue,
        };
        items.push(item);
    }
    Some(if items.is_empty() {
        fill(lang, Key::BriefNothingMoved, &[("when", &when)])
    } else {
        let n = items.len();
        let shown: Vec<String> = items.into_iter().take(4).collect();
        let more = if n > shown.len() {
            fill(lang, Key::BriefMoreChanges, &[("n", &(n - shown.len()).to_string())])
        } else {
            String::new()
        };
        fill(
            lang,
            Key::BriefSince,
            &[
                ("when", &when),
                ("changes", &shown.join(t(lang, Key::BriefChangeSeparator))),
                ("more", &more),
            ],
        )
    })
}

/// A change in points with its sign, one decimal; a change that rounds to nothing is `±0.0`
/// (not `-0.0`).
pub fn points(change: f64) -> String {
    if change.abs() < 0.05 {
        "±0.0".to_string()
    } else {
        format!("{change:+.1}")
    }
}

/// A change of a share (0.0 to 1.0) in points with its sign and the language's decimal mark:
/// `-12.5 pts` (en), `-12,5 pts` (fr, pt).
pub fn signed_points(lang: Lang, change: f64) -> String {
    let text = points(change * 100.0);
    let text = if lang == Lang::En { text } else { text.replace('.', ",") };
    fill(lang, Key::PointsChange, &[("points", &text)])
}

fn previous_usability(report: &Report, field: &str) -> Option<f64> {
    report
        .trend
        .last()?
        .fields
        .iter()
        .find(|f| f.0 == field)
        .and_then(|f| f.1)
}

/// "since the last audit" for a field: the change of usability in points; None without a
/// previous run.
pub fn since_field(report: &Report, name: &str) -> Option<String> {
    report.history.as_ref()?.previous.as_ref()?;
    let lang = report.lang;
    let now = report.fields.iter().find(|f| f.name == name)?.usability;
    Some(match (previous_usability(report, name), now) {
        (Some(before), Some(now)) => signed_points(lang, now - before),
        (None, _) if !report.trend.last()?.fields.iter().any(|f| f.0 == name) => t(lang, Key::NewEntry).to_string(),
        _ => "–".into(),
    })
}

/// "since the last audit" for a segment: the previous interval and the move of its middle.
pub fn since_segment(report: &Report, s: &SegmentReport) -> Option<String> {
    report.history.as_ref()?.previous.as_ref()?;
    let lang = report.lang;
    let before = report.trend.last()?.segments.iter().find(|p| p.0 == s.id);
    Some(match before {
        None => t(lang, Key::NewEntry).to_string(),
        Some((_, min, max)) => {
            let shift = crate::engine::drift::size_shift((*min, *max), (s.size_min, s.size_max));
            let sign = if (s.size_min + s.size_max) >= (min + max) {
                "+"
            } else {
                "−"
            };
            format!("{} ({sign}{})", interval(lang, *min, *max), percent(lang, Some(shift)))
        }
    })
}

const LEVEL_COLOURS: [(Level, &str); 4] = [
    (Level::Ok, "#2e7d32"),
    (Level::Warn, "#f9a825"),
    (Level::High, "#ef6c00"),
    (Level::Critical, "#c62828"),
];

pub(super) fn colour(level: Level) -> &'static str {
    LEVEL_COLOURS
        .iter()
        .find(|(l, _)| *l == level)
        .map_or("#555", |(_, c)| c)
}

/// A segment's name on the chart: its label (its id without one), cut to what the chart's left
/// column holds; the full label and id are in the bar's tooltip.
fn chart_name(s: &SegmentReport) -> String {
    const SHOWN: usize = 34;
    let label = s.label.as_deref().unwrap_or(&s.id);
    if label.chars().count() <= SHOWN {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(SHOWN - 1).collect::<String>())
    }
}

/// Every segment's size interval on one axis: a bar from size_min to size_max, a tick at the
/// middle, coloured by the segment's risk; each row named by the segment's label.
pub fn intervals_chart(report: &Report) -> String {
    let lang = report.lang;
    if report.segments.is_empty() {
        return String::new();
    }
    let top = report.segments.iter().map(|s| s.size_max).max().unwrap_or(0).max(1) as f64;
    let (left, width, row) = (230.0, 530.0, 26.0);
    let height = row * report.segments.len() as f64 + 24.0;
    let title = t(lang, Key::IntervalsTitle);
    let mut svg = format!(
        "<svg class=\"intervals\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(title),
        w = left + width + 120.0
    );
    for (i, s) in report.segments.iter().enumerate() {
        let y = row * i as f64 + 6.0;
        let x = |v: u64| left + width * v as f64 / top;
        let (x0, x1) = (x(s.size_min), x(s.size_max));
        let middle = (x0 + x1) / 2.0;
        let c = colour(s.risk);
        let text = interval(lang, s.size_min, s.size_max);
        let _ = write!(
            svg,
            "<text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"12\">{name}<title>{full} ({id})</title></text>\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{width}\" height=\"14\" fill=\"#eee\"/>\
             <rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"14\" fill=\"{c}\" opacity=\"0.75\"><title>{full} ({id}): {t}</title></rect>\
             <line x1=\"{middle:.1}\" x2=\"{middle:.1}\" y1=\"{y0:.1}\" y2=\"{y1:.1}\" stroke=\"#222\" stroke-width=\"2\"/>\
             <text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"12\">{t}</text>",
            tx = left - 6.0,
            ty = y + 11.0,
            name = escape(&chart_name(s)),
            full = escape(s.label.as_deref().unwrap_or(&s.id)),
            id = escape(&s.id),
            bw = (x1 - x0).max(2.0),
            y0 = y - 2.0,
            y1 = y + 16.0,
            lx = left + width + 6.0,
            t = escape(&text),
        );
    }
    let axis_y = row * report.segments.len() as f64 + 18.0;
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"{axis_y}\" font-size=\"11\" fill=\"#555\">0</text><text x=\"{}\" y=\"{axis_y}\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">{}</text></svg>",
        left + width,
        escape(&count(lang, top as u64))
    );
    svg
}

/// A field's usability over the kept runs and this one (0 to 100 %), as a small line.
pub fn field_trend(report: &Report, name: &str) -> String {
    if report.trend.is_empty() {
        return String::new();
    }
    let mut values: Vec<Option<f64>> = report
        .trend
        .iter()
        .map(|p| p.fields.iter().find(|f| f.0 == name).and_then(|f| f.1))
        .collect();
    values.push(report.fields.iter().find(|f| f.name == name).and_then(|f| f.usability));
    let (w, h) = (90.0, 20.0);
    let step = w / (values.len().max(2) - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.map(|v| format!("{:.1},{:.1}", i as f64 * step, h - 2.0 - v.clamp(0.0, 1.0) * (h - 4.0)))
        })
        .collect();
    let title = values
        .iter()
        .map(|v| percent(report.lang, *v))
        .collect::<Vec<_>>()
        .join(" → ");
    format!(
        "<svg class=\"trend\" viewBox=\"0 0 {w} {h}\" width=\"90\" height=\"20\" role=\"img\" aria-label=\"{t}\"><title>{t}</title><polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
        points.join(" "),
        t = escape(&title)
    )
}

/// A segment's size interval over the kept runs and this one: one vertical band per run.
pub fn segment_trend(report: &Report, s: &SegmentReport) -> String {
    if report.trend.is_empty() {
        return String::new();
    }
    let mut bands: Vec<Option<(u64, u64)>> = report
        .trend
        .iter()
        .map(|p| p.segments.iter().find(|x| x.0 == s.id).map(|x| (x.1, x.2)))
        .collect();
    bands.push(Some((s.size_min, s.size_max)));
    let top = bands.iter().flatten().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let (w, h) = (90.0, 24.0);
    let step = w / bands.len() as f64;
    let mut svg = String::new();
    let title = bands
        .iter()
        .map(|b| b.map_or_else(|| "–".to_string(), |(a, z)| interval(report.lang, a, z)))
        .collect::<Vec<_>>()
        .join(" → ");
    let _ = write!(
        svg,
        "<svg class=\"trend\" viewBox=\"0 0 {w} {h}\" width=\"90\" height=\"24\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(&title)
    );
    for (i, band) in bands.iter().enumerate() {
        let Some((min, max)) = band else { continue };
        let y = |v: u64| h - 2.0 - (h - 4.0) * v as f64 / top;
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#1565c0\" opacity=\"0.6\"/>",
            i as f64 * step + 1.0,
            y(*max),
            (step - 2.0).max(1.0),
            (y(*min) - y(*max)).max(1.5)
        );
    }
    svg.push_str("</svg>");
    svg
}
