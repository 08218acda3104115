//! Findings against the previous run (contract §7): usability drops, segment size shifts and
//! distribution shifts (PSI), plus what the history itself warns about (unreadable runs, a previous
//! run of another subject).

use std::sync::Arc;

use crate::drift::Distribution;
use crate::fieldcheck::FieldRule;
use crate::i18n::{count, percent, pick};
use crate::report::{FieldProfile, Finding, SegmentReport};
use crate::risk::Level;
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
            (Some(e), Some(a)) if e.bins.len() == a.len() => crate::drift::psi(&e.counts, a),
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
    }
}

/// A segment's size as §7 compares it: the middle of its interval.
pub fn midpoint(size_min: u64, size_max: u64) -> f64 {
    (size_min as f64 + size_max as f64) / 2.0
}

/// The relative move of a segment's midpoint: |m − m_prev| / max(m_prev, 1).
pub fn size_shift(previous: (u64, u64), current: (u64, u64)) -> f64 {
    let (p, c) = (midpoint(previous.0, previous.1), midpoint(current.0, current.1));
    (c - p).abs() / p.max(1.0)
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
                    pick(
                        lang,
                        format!("`{name}` lost usability since the previous run ({run}): {was_text} → {now_text}"),
                        format!("`{name}` a perdu en utilisabilité depuis l'audit précédent ({run}) : {was_text} → {now_text}"),
                        // pt: `{name}` perdeu usabilidade desde a execução anterior ({run}): {was_text} → {now_text}
                    ),
                ));
            }
        }
        if let Some(psi) = field.psi {
            let level = risk.psi.level_when_high(Some(psi));
            if level != Level::Ok {
                let name = &field.name;
                let psi = crate::render::brief::decimal(lang, psi, 3);
                out.push(finding(
                    level,
                    "field.distribution_shift",
                    None,
                    Some(name),
                    pick(
                        lang,
                        format!("the values of `{name}` are distributed differently than in the previous run ({run}): PSI {psi}"),
                        format!("les valeurs de `{name}` ne se répartissent plus comme à l'audit précédent ({run}) : PSI {psi}"),
                        // pt: os valores de `{name}` distribuem-se de outra forma que na execução anterior ({run}): PSI {psi}
                    ),
                ));
            }
        }
    }
    for segment in segments {
        let Some(before) = previous.report.segments.iter().find(|p| p.id == segment.id) else {
            continue;
        };
        let shift = size_shift((before.size_min, before.size_max), (segment.size_min, segment.size_max));
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
            pick(
                lang,
                format!("the size of `{id}` moved by {moved} since the previous run ({run}): {was} → {now} rows"),
                format!(
                    "la taille de `{id}` a bougé de {moved} depuis l'audit précédent ({run}) : {was} → {now} lignes"
                ),
                // pt: o tamanho de `{id}` mudou {moved} desde a execução anterior ({run}): {was} → {now} linhas
            ),
        ));
    }
    out
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
                pick(
                    lang,
                    format!("history run {id} is unreadable and was skipped ({reason})"),
                    format!("l'exécution {id} de l'historique est illisible et a été ignorée ({reason})"),
                    // pt: a execução {id} do histórico está ilegível e foi ignorada ({reason})
                ),
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
                pick(
                    lang,
                    format!("the previous run ({run}) audited {was}, this one {now}: drift compares different subjects"),
                    format!("l'audit précédent ({run}) portait sur {was}, celui-ci sur {now} : la dérive compare des sujets différents"),
                    // pt: a execução anterior ({run}) auditou {was}, esta {now}: a deriva compara sujeitos diferentes
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_shift_uses_the_midpoint() {
        // m_prev = (100 + 140) / 2 = 120, m = (100 + 116) / 2 = 108: |108 − 120| / 120 = 0.1.
        assert!((size_shift((100, 140), (100, 116)) - 0.1).abs() < 1e-15);
        // An empty segment counts as 1 row.
        assert_eq!(size_shift((0, 0), (2, 4)), 3.0);
    }
}
