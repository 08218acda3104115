//! The findings of the HTML view model, grouped by level, the worst first. Segments sharing a
//! population share its numbers, so the same finding comes once per segment with only the
//! segment's name changed: the page shows it once and names the other segments (the JSON keeps
//! every finding).

use serde::Serialize;

use super::cells::{cell, Cell};
use crate::base::i18n::{fill, level, t as tr, Key};
use crate::base::risk::Level;
use crate::report::{Finding, Report};
use crate::spec::Lang;

#[derive(Serialize)]
pub struct FindingRow {
    pub level: Cell,
    pub code: String,
    pub message: String,
    /// "Same finding for …" naming the segments merged into this row; empty when none is.
    pub also: String,
}

/// The findings of one level.
#[derive(Serialize)]
pub struct FindingGroup {
    pub level: &'static str,
    pub word: &'static str,
    /// Findings in the group, merged ones counted.
    pub count: usize,
    pub rows: Vec<FindingRow>,
}

/// A row being built: its first finding and the names of the segments merged into it.
struct Merged<'a> {
    first: &'a Finding,
    population: Option<&'a Option<String>>,
    others: Vec<String>,
}

fn segment_name(report: &Report, id: &str) -> String {
    report
        .segments
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_string(), |s| s.label.clone().unwrap_or_else(|| s.id.clone()))
}

/// The message with the segment's name taken out: two findings on segments of one population are
/// the same finding when what remains is the same text.
fn without_segment(report: &Report, f: &Finding) -> String {
    match &f.segment {
        Some(id) => f.message.replace(&segment_name(report, id), "\u{0}"),
        None => f.message.clone(),
    }
}

fn same(report: &Report, row: &Merged, f: &Finding, population: Option<&Option<String>>) -> bool {
    let a = row.first;
    a.segment.is_some()
        && f.segment.is_some()
        && row.population.is_some()
        && row.population == population
        && (a.code, a.level, &a.field, a.waived, &a.waiver_reason)
            == (f.code, f.level, &f.field, f.waived, &f.waiver_reason)
        && without_segment(report, a) == without_segment(report, f)
}

fn list(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), tr(lang, Key::ListAnd)),
    }
}

pub fn groups(report: &Report) -> Vec<FindingGroup> {
    let lang = report.lang;
    let mut levels: Vec<Level> = report.findings.iter().map(|f| f.level).collect();
    levels.sort_by(|a, b| b.cmp(a));
    levels.dedup();
    levels
        .into_iter()
        .map(|at| {
            let mut rows: Vec<Merged> = Vec::new();
            let mut n = 0;
            for f in report.findings.iter().filter(|f| f.level == at) {
                n += 1;
                let population = f
                    .segment
                    .as_ref()
                    .and_then(|id| report.segments.iter().find(|s| &s.id == id))
                    .map(|s| &s.population_sql);
                match rows.iter_mut().find(|r| same(report, r, f, population)) {
                    Some(row) => row
                        .others
                        .push(segment_name(report, f.segment.as_deref().unwrap_or(""))),
                    None => rows.push(Merged {
                        first: f,
                        population,
                        others: Vec::new(),
                    }),
                }
            }
            FindingGroup {
                level: at.as_str(),
                word: level(lang, at),
                count: n,
                rows: rows
                    .into_iter()
                    .map(|r| FindingRow {
                        level: cell(lang, None, r.first.level),
                        code: r.first.code.to_string(),
                        message: crate::report::render::finding_text(lang, r.first),
                        also: if r.others.is_empty() {
                            String::new()
                        } else {
                            fill(lang, Key::FindingAlsoFor, &[("segments", &list(lang, &r.others))])
                        },
                    })
                    .collect(),
            }
        })
        .collect()
}
