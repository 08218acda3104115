//! The HTML report: one self-contained, offline file (inline CSS and SVG, no URL of any kind) from the
//! embedded minijinja template, with every label from the message catalogue. The template reads a
//! typed view model of named structs, one builder per section in this folder; it prints on A4
//! (`templates/report.css`'s print rules, docs/report.md "Printing").

mod cells;
mod fields;
mod findings;
mod header;
mod matrix;
mod segments;

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::svg;
use crate::base::error::{Error, Result};
use crate::base::i18n::{count, percent, t as tr, Key, KEYS};
use crate::report::Report;
use cells::Counted;

const TEMPLATE: &str = include_str!("../../../../templates/report.html");
const STYLE: &str = include_str!("../../../../templates/report.css");
const SCRIPT: &str = include_str!("../../../../templates/report.js");

/// One heatmap of the heterogeneity section: the stratum it splits by and its SVG.
#[derive(Serialize)]
struct HeatmapView {
    by: String,
    svg: String,
}

/// A combination of fields unusable together, its rows and their share of the subject.
#[derive(Serialize)]
struct CombinationRow {
    fields: String,
    rows: String,
    share: String,
}

/// One segment's most frequent combinations of unusable fields.
#[derive(Serialize)]
struct SegmentCombinations {
    segment: String,
    combinations: Vec<Counted>,
}

/// One statement of the appendix.
#[derive(Serialize)]
struct SqlView {
    purpose: String,
    sql: String,
}

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    t: BTreeMap<&'static str, &'static str>,
    title: String,
    gate_passed: bool,
    gate_text: String,
    generated_at: String,
    tool_version: String,
    spec_path: String,
    spec_sha256: String,
    subject: String,
    /// The most repeated keys (contract §10), value and rows.
    duplicate_key_values: Vec<Counted>,
    sources: Vec<header::SourceRow>,
    matrix: matrix::Matrix,
    segments: Vec<segments::SegmentView>,
    segmentations: Vec<segments::SegmentationView>,
    links: Vec<super::links::LinkView>,
    variants: Vec<super::variants::SegmentVariants>,
    field_map: Vec<fields::FieldMapRow>,
    criteria: Vec<fields::CriterionRow>,
    fields: Vec<fields::FieldView>,
    tests: Vec<fields::TestRow>,
    /// Every finding, counted; `finding_groups` shows them by level, repeated ones merged.
    findings_total: usize,
    finding_groups: Vec<findings::FindingGroup>,
    heatmaps: Vec<HeatmapView>,
    combinations: Vec<CombinationRow>,
    segment_combinations: Vec<SegmentCombinations>,
    spec_text: String,
    sql: Vec<SqlView>,
    style: &'static str,
    script: &'static str,
    print: header::PrintMargins,
    brief: header::FirstPage,
}

fn heatmaps(report: &Report) -> Vec<HeatmapView> {
    let lang = report.lang;
    report
        .heterogeneity
        .heatmap
        .iter()
        .map(|h| {
            let columns: Vec<String> = h
                .groups
                .iter()
                .map(|g| match (&g.value, g.other) {
                    (_, true) => tr(lang, Key::OtherGroups).to_string(),
                    (Some(v), _) => v.clone(),
                    (None, _) => format!("({})", tr(lang, Key::Missing)),
                })
                .collect();
            let rows: Vec<svg::HeatRow> = h
                .fields
                .iter()
                .map(|f| svg::HeatRow {
                    name: f.name.clone(),
                    cells: f.usability.iter().map(|u| (*u, percent(lang, *u))).collect(),
                })
                .collect();
            HeatmapView {
                by: h.by.clone(),
                svg: svg::heatmap(&rows, &columns, &h.by),
            }
        })
        .collect()
}

fn combinations(report: &Report) -> Vec<CombinationRow> {
    let lang = report.lang;
    report
        .heterogeneity
        .co_missingness
        .iter()
        .flat_map(|c| &c.overall)
        .map(|c| CombinationRow {
            fields: c.fields.join(" + "),
            rows: count(lang, c.rows),
            share: percent(lang, crate::base::risk::share(c.rows, report.subject.rows)),
        })
        .collect()
}

fn segment_combinations(report: &Report) -> Vec<SegmentCombinations> {
    let lang = report.lang;
    report
        .heterogeneity
        .co_missingness
        .iter()
        .flat_map(|c| &c.segments)
        .filter(|s| !s.combinations.is_empty())
        .map(|s| SegmentCombinations {
            segment: s.segment.clone(),
            combinations: s
                .combinations
                .iter()
                .map(|c| Counted {
                    value: c.fields.join(" + "),
                    count: count(lang, c.rows),
                })
                .collect(),
        })
        .collect()
}

fn page(report: &Report) -> Page {
    let lang = report.lang;
    Page {
        lang: lang.code(),
        t: KEYS.iter().map(|k| (k.name(), tr(lang, *k))).collect(),
        title: report.title.clone(),
        gate_passed: report.gate.passed,
        gate_text: header::gate_text(report),
        generated_at: report.generated_at.clone(),
        tool_version: report.tool_version.clone(),
        spec_path: report.spec.path.clone(),
        spec_sha256: report.spec.sha256.clone(),
        subject: header::subject(report),
        duplicate_key_values: header::duplicate_keys(report),
        sources: header::sources(report),
        matrix: matrix::matrix(report),
        segments: segments::segments(report),
        segmentations: segments::segmentations(report),
        links: super::links::views(report),
        variants: super::variants::views(report),
        field_map: fields::field_map(report),
        criteria: fields::criteria(report),
        fields: fields::fields(report),
        tests: fields::tests(report),
        findings_total: report.findings.len(),
        finding_groups: findings::groups(report),
        heatmaps: heatmaps(report),
        combinations: combinations(report),
        segment_combinations: segment_combinations(report),
        spec_text: report.spec_text.clone(),
        sql: report
            .sql
            .iter()
            .map(|s| SqlView {
                purpose: s.purpose.clone(),
                sql: s.sql.clone(),
            })
            .collect(),
        style: STYLE,
        script: SCRIPT,
        print: header::print_margins(report),
        brief: header::first_page(report),
    }
}

pub fn render(report: &Report) -> Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("links.html", super::links::TEMPLATE)
        .map_err(|e| Error::new(format!("HTML template: {e}")))?;
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::new(format!("HTML template: {e}")))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| Error::new(format!("HTML template: {e}")))?;
    template
        .render(page(report))
        .map_err(|e| Error::new(format!("rendering the HTML report: {e}")))
}

pub fn write(report: &Report, path: &std::path::Path) -> Result<()> {
    let html = render(report)?;
    crate::base::fs::write_atomically(path, html.as_bytes())
}
