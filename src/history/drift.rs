//! Findings against the previous run (contract §7): usability drops, segment size shifts and
//! distribution shifts (PSI), plus what the history itself warns about (unreadable runs, a previous
//! run of another subject).

use std::sync::Arc;

use crate::base::i18n::{count, fill, percent, Key};
use crate::base::risk::Level;
use crate::engine::drift::Distribution;
use crate::report::{FieldProfile, Finding, SegmentReport};
use crate::spec::fieldcheck::FieldRule;
use crate::spec::{Lang, RiskSettings};

use super::{CorruptRun, StoredRun};

/// The previous run's bins per subject column (by position), for the profile aggregate. None for a
/// `pii` column: its values are never binned.
pub fn previous_bins(rules: &[Arc<FieldRule>], previous: &StoredRun) -> Vec<Option<Arc<Distribution>>> {
    rules
        .iter()
        .map(|rule| {
            if rule.pii {
                return None;
            }
            previous
                .report
                .fields
                .iter()
                .find(|f| f.name == rule.name && !f.pii)
                .and_then(|f| f.distribution.clone())
                .map(Arc::new)
        })
        .collect()
}

/// Fills each field's `psi` from the previous run's counts and this run's counts in its bins.
pub fn fill_psi(fields: &mut [FieldProfile], previous: &StoredRun) {
    for field in fields.iter_mut().filter(|f| !f.pii) {
        let expected = previous
            .report
            .fields
            .iter()
            .find(|p| p.name == field.name && !p.pii)
            .and_then(|p| p.distribution.as_ref());
        field.psi = match (expected, &field.against_previous) {
            (Some(e), Some(a)) if e.bins.len() == a.len() => crate::engine::drift::psi(&e.counts, a),
            _ => None,
        };
    }
}

fn finding(level: Level, code: &'static str, segment: Option<&str>, field: Option<&str>, message: String) -> Finding {
    Finding {
        level,
        code,
        segment: segment.map(str::to_string),
        field: field.map(str::to_string),
        message,
        waived: false,
        waiver_reason: None,
    }
}

/// The drift findings of this run against `previous`.
pub fn findings(
    risk: &RiskSettings,
    lang: Lang,
    fields: &[FieldProfile],
    segments: &[SegmentReport],
    previous: &StoredRun,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let run = previous.id.as_str();
    for field in fields {
        let before = previous.report.fields.iter().find(|p| p.name == field.name);
        if let (Some(was), Some(now)) = (before.and_then(|p| p.usability), field.usability) {
            let level = risk.usability_drop.level_when_high(Some(was - now));
            if level != Level::Ok {
                let (was_text, now_text) = (percent(lang, Some(was)), percent(lang, Some(now)));
                let name = &field.name;
                out.push(finding(
                    level,
                    "field.usability_drop",
                    None,
                    Some(name),
                    fill(
                        lang,
                        Key::DriftUsabilityDrop,
                        &[("name", name), ("run", run), ("was", &was_text), ("now", &now_text)],
                    ),
                ));
            }
        }
        if let Some(psi) = field.psi {
            let level = risk.psi.level_when_high(Some(psi));
            if level != Level::Ok {
                let name = &field.name;
                let psi = crate::base::i18n::decimal(lang, psi, 3);
                out.push(finding(
                    level,
                    "field.distribution_shift",
                    None,
                    Some(name),
                    fill(
                        lang,
                        Key::DriftDistributionShift,
                        &[("name", name), ("run", run), ("psi", &psi)],
                    ),
                ));
            }
        }
    }
    for segment in segments {
        let Some(before) = previous.report.segments.iter().find(|p| p.id == segment.id) else {
            continue;
        };
        let shift =
            crate::engine::drift::size_shift((before.size_min, before.size_max), (segment.size_min, segment.size_max));
        let level = risk.size_shift.level_when_high(Some(shift));
        if level == Level::Ok {
            continue;
        }
        let interval = |a: u64, b: u64| format!("{}–{}", count(lang, a), count(lang, b));
        let (was, now) = (
            interval(before.size_min, before.size_max),
            interval(segment.size_min, segment.size_max),
        );
        let moved = percent(lang, Some(shift));
        let id = &segment.id;
        out.push(finding(
            level,
            "segment.size_shift",
            Some(id),
            None,
            fill(
                lang,
                Key::DriftSizeShift,
                &[
                    ("id", id),
                    ("moved", &moved),
                    ("run", run),
                    ("was", &was),
                    ("now", &now),
                ],
            ),
        ));
    }
    out
}

/// `subject.row_count_shift` (contract §10): the shift of the subject's rows since `previous`, and
/// its finding when above `[risk] row_count_shift`.
pub fn row_count_shift(risk: &RiskSettings, lang: Lang, rows: u64, previous: &StoredRun) -> (f64, Option<Finding>) {
    let was = previous.report.subject.rows;
    let shift = crate::engine::drift::row_count_shift(was, rows);
    let level = risk.row_count_shift.level_when_high(Some(shift));
    let finding = (level != Level::Ok).then(|| {
        finding(
            level,
            "subject.row_count_shift",
            None,
            None,
            fill(
                lang,
                Key::DriftRowCountShift,
                &[
                    ("table", &previous.report.subject.table),
                    ("moved", &percent(lang, Some(shift))),
                    ("run", &previous.id),
                    ("was", &count(lang, was)),
                    ("now", &count(lang, rows)),
                ],
            ),
        )
    });
    (shift, finding)
}

/// Warnings about the history itself: runs skipped because unreadable, and a previous run that
/// audited another subject table or key (drift then compares different bases; a changed spec is
/// expected and not reported: specs evolve).
pub fn history_findings(
    lang: Lang,
    corrupt: &[CorruptRun],
    previous: Option<&StoredRun>,
    table: &str,
    key: Option<&str>,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = corrupt
        .iter()
        .map(|c| {
            let (id, reason) = (&c.id, &c.reason);
            finding(
                Level::Warn,
                "history.corrupt_run",
                None,
                None,
                fill(lang, Key::HistoryCorruptRun, &[("id", id), ("reason", reason)]),
            )
        })
        .collect();
    if let Some(previous) = previous {
        let subject = &previous.report.subject;
        if subject.table != table || subject.key.as_deref() != key {
            let was = format!("{} ({})", subject.table, subject.key.as_deref().unwrap_or("–"));
            let now = format!("{table} ({})", key.unwrap_or("–"));
            let run = &previous.id;
            out.push(finding(
                Level::Warn,
                "history.subject_changed",
                None,
                None,
                fill(
                    lang,
                    Key::HistorySubjectChanged,
                    &[("run", run), ("was", &was), ("now", &now)],
                ),
            ));
        }
    }
    out
}
