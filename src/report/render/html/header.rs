//! The head of the HTML report: the gate's verdict, the subject line, the most repeated keys, the
//! sources, the committee's first page, and what the printed page carries in its margins.

use serde::Serialize;

use super::cells::{bytes, counted, css_string, Counted};
use crate::base::i18n::{count, level, t as tr, Key};
use crate::report::render::brief;
use crate::report::{Report, ReportFormat};

/// One file of a source (a database source: one row with its URL, never with credentials).
#[derive(Serialize)]
pub struct SourceRow {
    pub name: String,
    pub format: String,
    pub path: String,
    pub size: String,
    pub rows: String,
    pub sha256: String,
    pub bad_rows: String,
}

/// The committee's first page and the words of the history columns.
#[derive(Serialize)]
pub struct FirstPage {
    pub heading: String,
    pub sentences: Vec<String>,
    pub chart: String,
    /// The chart's legend: what its colours, bars and ticks mean (no levels without a chart).
    pub legend: Legend,
    /// Whether the tables carry "since the last audit" columns.
    pub history: bool,
    pub since: String,
    pub trend: String,
    pub details: String,
}

/// The first page's chart legend: each risk level drawn, the bar and the tick.
#[derive(Serialize)]
pub struct Legend {
    pub colour: &'static str,
    pub levels: Vec<LegendLevel>,
    pub bar: &'static str,
    pub middle: &'static str,
}

/// A risk level some segment has: its colour on the chart and its word.
#[derive(Serialize)]
pub struct LegendLevel {
    pub colour: &'static str,
    pub word: &'static str,
}

/// The `@page` margin boxes: the report's title, its date and the page number, as CSS strings.
#[derive(Serialize)]
pub struct PrintMargins {
    pub title: String,
    pub date: String,
    pub page: String,
}

pub fn first_page(report: &Report) -> FirstPage {
    let lang = report.lang;
    let b = brief::brief(report);
    let p = |key: Key| tr(lang, key).to_string();
    // Only the levels some segment has are explained.
    let mut levels: Vec<crate::base::risk::Level> = report.segments.iter().map(|s| s.risk).collect();
    levels.sort();
    levels.dedup();
    let legend = Legend {
        colour: tr(lang, Key::IntervalsLegendColour),
        levels: levels
            .into_iter()
            .map(|l| LegendLevel {
                colour: brief::colour(l),
                word: level(lang, l),
            })
            .collect(),
        bar: tr(lang, Key::IntervalsLegendBar),
        middle: tr(lang, Key::IntervalsLegendMiddle),
    };
    FirstPage {
        heading: p(if report.format == ReportFormat::Profile {
            Key::ProfileHeading
        } else {
            Key::CommitteeHeading
        }),
        sentences: b.sentences,
        chart: b.chart,
        legend,
        history: report.history.as_ref().is_some_and(|h| h.previous.is_some()),
        since: p(Key::SinceTheLastAudit),
        trend: p(Key::Trend),
        details: p(Key::AuditDetails),
    }
}

pub fn print_margins(report: &Report) -> PrintMargins {
    PrintMargins {
        title: css_string(&report.title),
        // The run's day is enough on paper; the header table gives the instant.
        date: css_string(&report.generated_at.chars().take(10).collect::<String>()),
        page: css_string(tr(report.lang, Key::PrintPage)),
    }
}

pub fn gate_text(report: &Report) -> String {
    let lang = report.lang;
    let l = |k| tr(lang, k);
    if report.format == ReportFormat::Profile {
        // A profile has no gate to pass: only the worst level.
        format!("{}: {}", l(Key::Worst), level(lang, report.gate.worst))
    } else {
        format!(
            "{} — {}: {} · {}: {}",
            if report.gate.passed {
                l(Key::GatePassed)
            } else {
                l(Key::GateFailed)
            },
            l(Key::Worst),
            level(lang, report.gate.worst),
            l(Key::FailOn),
            crate::base::i18n::fail_on(lang, report.gate.fail_on)
        )
    }
}

pub fn subject(report: &Report) -> String {
    let lang = report.lang;
    let l = |k| tr(lang, k);
    let s = &report.subject;
    let mut text = format!("{} · {} {}", s.table, count(lang, s.rows), l(Key::Rows));
    if let Some(d) = s.duplicate_keys {
        text += &format!(" · {} {}", count(lang, d), l(Key::DuplicateKeys));
    }
    if !s.identity.is_empty() {
        text += &format!(
            " · {} {} ({})",
            count(lang, s.duplicate_identities),
            l(Key::DuplicateIdentities),
            s.identity.join(", ")
        );
    }
    text
}

pub fn duplicate_keys(report: &Report) -> Vec<Counted> {
    counted(report.lang, &report.subject.duplicate_key_values)
}

pub fn sources(report: &Report) -> Vec<SourceRow> {
    let lang = report.lang;
    let mut rows = Vec::new();
    for s in &report.sources {
        let row = |path: &str, size: String, file_rows: Option<u64>, sha256: &str| SourceRow {
            name: s.name.clone(),
            format: s.format.to_string(),
            path: path.to_string(),
            size,
            rows: file_rows.map(|r| count(lang, r)).unwrap_or_else(|| "–".into()),
            sha256: sha256.to_string(),
            bad_rows: count(lang, s.bad_rows),
        };
        for f in &s.files {
            let size = if s.url.is_some() { "–".into() } else { bytes(f.bytes) };
            rows.push(row(&f.path, size, f.rows, &f.sha256));
        }
        // A database has no file, nor a size to show: its row shows the URL.
        if let Some(url) = &s.url {
            rows.push(row(url, "–".into(), None, ""));
        }
    }
    rows
}
