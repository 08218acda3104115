//! The model of `segaudit diff`: what changed between two stored audit reports, field by field,
//! segment by segment and link by link, with the subject's volume and the findings that appeared
//! or went away. Built once from the two read-backs; rendered by `render::diff`.

use serde::Serialize;

use crate::base::risk::Level;
use crate::report::stored::{StoredFinding, StoredReport};
use crate::spec::Lang;

/// Whether an entry is in both reports or one only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Both,
    Added,
    Removed,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub presence: Presence,
    pub old_usability: Option<f64>,
    pub new_usability: Option<f64>,
    /// new − old usability.
    pub change: Option<f64>,
    pub old_missing: Option<u64>,
    pub new_missing: Option<u64>,
    pub old_invalid: Option<u64>,
    pub new_invalid: Option<u64>,
    /// Rows its `applies_when` excludes (contract §10).
    pub old_not_applicable: Option<u64>,
    pub new_not_applicable: Option<u64>,
    pub old_risk: Option<Level>,
    pub new_risk: Option<Level>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentChange {
    pub id: String,
    pub presence: Presence,
    pub old_size: Option<[u64; 2]>,
    pub new_size: Option<[u64; 2]>,
    /// |m − m_old| / max(m_old, 1) with m the middle of the size interval (contract §7).
    pub shift: Option<f64>,
    pub old_risk: Option<Level>,
    pub new_risk: Option<Level>,
}

/// A `[[link]]`'s orphans before and now (contract §10).
#[derive(Debug, Clone, Serialize)]
pub struct LinkChange {
    pub from: String,
    pub to: String,
    pub presence: Presence,
    pub old_from_rows: Option<u64>,
    pub new_from_rows: Option<u64>,
    pub old_orphans: Option<u64>,
    pub new_orphans: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingLine {
    pub level: Level,
    pub code: String,
    pub segment: Option<String>,
    pub field: Option<String>,
    pub message: String,
    /// Accepted by a waiver in its report (contract §10).
    pub waived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub format: &'static str,
    pub version: u32,
    pub old: String,
    pub new: String,
    pub old_generated_at: String,
    pub new_generated_at: String,
    pub old_rows: u64,
    pub new_rows: u64,
    /// |rows − rows_old| / max(rows_old, 1), as `subject.row_count_shift` (contract §10).
    pub row_count_shift: f64,
    pub old_duplicate_keys: Option<u64>,
    pub new_duplicate_keys: Option<u64>,
    pub old_duplicate_identities: u64,
    pub new_duplicate_identities: u64,
    /// Fields, the largest usability change first.
    pub fields: Vec<FieldChange>,
    pub segments: Vec<SegmentChange>,
    pub links: Vec<LinkChange>,
    /// Findings in the new report and not in the old one (same code, segment and field).
    pub new_findings: Vec<FindingLine>,
    /// Findings of the old report that the new one no longer has.
    pub resolved_findings: Vec<FindingLine>,
    pub old_worst: Level,
    pub new_worst: Level,
    pub old_passed: bool,
    pub new_passed: bool,
    #[serde(skip)]
    pub lang: Lang,
}

/// Pairs the entries of two lists by name: those of `new` in order (with their old twin, if any),
/// then those only `old` has.
fn pair<'a, T>(old: &'a [T], new: &'a [T], same: impl Fn(&T, &T) -> bool) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    let mut out: Vec<(Option<&T>, Option<&T>)> =
        new.iter().map(|n| (old.iter().find(|o| same(o, n)), Some(n))).collect();
    out.extend(
        old.iter()
            .filter(|o| !new.iter().any(|n| same(o, n)))
            .map(|o| (Some(o), None)),
    );
    out
}

fn presence<T>(old: Option<&T>, new: Option<&T>) -> Presence {
    match (old, new) {
        (Some(_), Some(_)) => Presence::Both,
        (None, _) => Presence::Added,
        (_, None) => Presence::Removed,
    }
}

/// Compares two reports; `old_name`/`new_name` say where they came from, `lang` is the language of
/// the rendered text.
pub fn compare(old: &StoredReport, new: &StoredReport, names: [String; 2], lang: Lang) -> Diff {
    let mut fields: Vec<FieldChange> = pair(&old.fields, &new.fields, |a, b| a.name == b.name)
        .into_iter()
        .map(|(o, n)| FieldChange {
            name: o.or(n).map(|f| f.name.clone()).unwrap_or_default(),
            presence: presence(o, n),
            old_usability: o.and_then(|o| o.usability),
            new_usability: n.and_then(|n| n.usability),
            change: o
                .and_then(|o| o.usability)
                .zip(n.and_then(|n| n.usability))
                .map(|(a, b)| b - a),
            old_missing: o.map(|o| o.missing),
            new_missing: n.map(|n| n.missing),
            old_invalid: o.map(|o| o.invalid),
            new_invalid: n.map(|n| n.invalid),
            old_not_applicable: o.map(|o| o.not_applicable),
            new_not_applicable: n.map(|n| n.not_applicable),
            old_risk: o.map(|o| o.risk),
            new_risk: n.map(|n| n.risk),
        })
        .collect();
    fields.sort_by(|a, b| {
        magnitude(b.change)
            .total_cmp(&magnitude(a.change))
            .then_with(|| a.name.cmp(&b.name))
    });
    let segments = pair(&old.segments, &new.segments, |a, b| a.id == b.id)
        .into_iter()
        .map(|(o, n)| SegmentChange {
            id: o.or(n).map(|s| s.id.clone()).unwrap_or_default(),
            presence: presence(o, n),
            old_size: o.map(|o| [o.size_min, o.size_max]),
            new_size: n.map(|n| [n.size_min, n.size_max]),
            shift: o
                .zip(n)
                .map(|(o, n)| crate::engine::drift::size_shift((o.size_min, o.size_max), (n.size_min, n.size_max))),
            old_risk: o.map(|o| o.risk),
            new_risk: n.map(|n| n.risk),
        })
        .collect();
    let links = pair(&old.links, &new.links, |a, b| a.from == b.from && a.to == b.to)
        .into_iter()
        .filter_map(|(o, n)| {
            let either = o.or(n)?;
            Some(LinkChange {
                from: either.from.clone(),
                to: either.to.clone(),
                presence: presence(o, n),
                old_from_rows: o.map(|o| o.from_rows),
                new_from_rows: n.map(|n| n.from_rows),
                old_orphans: o.map(|o| o.orphans),
                new_orphans: n.map(|n| n.orphans),
            })
        })
        .collect();
    let [old_name, new_name] = names;
    Diff {
        format: "segaudit-diff",
        version: 1,
        old: old_name,
        new: new_name,
        old_generated_at: old.generated_at.clone(),
        new_generated_at: new.generated_at.clone(),
        old_rows: old.subject.rows,
        new_rows: new.subject.rows,
        row_count_shift: old.subject.rows.abs_diff(new.subject.rows) as f64 / old.subject.rows.max(1) as f64,
        old_duplicate_keys: old.subject.duplicate_keys,
        new_duplicate_keys: new.subject.duplicate_keys,
        old_duplicate_identities: old.subject.duplicate_identities,
        new_duplicate_identities: new.subject.duplicate_identities,
        fields,
        segments,
        links,
        new_findings: only_in(&new.findings, &old.findings),
        resolved_findings: only_in(&old.findings, &new.findings),
        old_worst: old.gate.worst,
        new_worst: new.gate.worst,
        old_passed: old.gate.passed,
        new_passed: new.gate.passed,
        lang,
    }
}

/// Findings of `these` that `others` has not (same code, segment and field).
fn only_in(these: &[StoredFinding], others: &[StoredFinding]) -> Vec<FindingLine> {
    let same = |a: &StoredFinding, b: &StoredFinding| a.code == b.code && a.segment == b.segment && a.field == b.field;
    these
        .iter()
        .filter(|f| !others.iter().any(|o| same(o, f)))
        .map(|f| FindingLine {
            level: f.level,
            code: f.code.clone(),
            segment: f.segment.clone(),
            field: f.field.clone(),
            message: f.message.clone(),
            waived: f.waived,
        })
        .collect()
}

fn magnitude(change: Option<f64>) -> f64 {
    change.map_or(0.0, f64::abs)
}

impl FieldChange {
    /// Whether the line says anything: in one report only, or a count, its usability or risk moved.
    pub fn changed(&self) -> bool {
        self.presence != Presence::Both
            || self.change.is_some_and(|c| c != 0.0)
            || self.old_risk != self.new_risk
            || self.old_missing != self.new_missing
            || self.old_invalid != self.new_invalid
            || self.old_not_applicable != self.new_not_applicable
    }
}

impl SegmentChange {
    pub fn changed(&self) -> bool {
        self.presence != Presence::Both || self.old_size != self.new_size || self.old_risk != self.new_risk
    }
}

impl LinkChange {
    pub fn changed(&self) -> bool {
        self.presence != Presence::Both
            || self.old_orphans != self.new_orphans
            || self.old_from_rows != self.new_from_rows
    }
}
