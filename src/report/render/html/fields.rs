//! The field sections of the HTML view model: the field map and criteria, one profile per field
//! (bars, shapes, top values, case variants, placeholders, histogram) and the rule tests.

use serde::Serialize;

use super::cells::{cell, counted, Cell, Counted, Labelled};
use crate::base::i18n::{count, level, percent, t as tr, Key};
use crate::report::render::{brief, svg};
use crate::report::{FieldProfile, FieldStatus, Report};
use crate::spec::Lang;

/// A share as text beside its bar.
#[derive(Serialize)]
pub struct ShareBar {
    pub text: String,
    pub bar: String,
}

#[derive(Serialize)]
pub struct FieldView {
    pub name: String,
    pub field_type: String,
    pub observed: String,
    pub declared: bool,
    pub available: bool,
    pub pii: bool,
    /// Rows its `applies_when` leaves out (empty when none do).
    pub not_applicable: String,
    pub missing: String,
    pub invalid: String,
    pub usable: String,
    pub distinct: String,
    /// Distinct count and top values estimated from sketches.
    pub estimated: bool,
    pub completeness: ShareBar,
    pub validity: ShareBar,
    pub usability: Cell,
    pub usability_bar: String,
    pub top_values: Vec<Counted>,
    pub shapes: Vec<Counted>,
    pub placeholders: Vec<Counted>,
    pub invalid_values: Vec<Counted>,
    pub case_variants: Vec<String>,
    pub stats: Vec<Labelled>,
    pub histogram: String,
    /// Since the last audit, and the usability over the kept runs (empty without a history).
    pub since: String,
    pub trend: String,
    pub psi: String,
}

#[derive(Serialize)]
pub struct FieldMapRow {
    pub name: String,
    pub status: String,
    pub level: &'static str,
    pub declared_type: String,
    pub observed_type: String,
    pub criteria: String,
    pub segments: String,
    pub suggestions: String,
}

#[derive(Serialize)]
pub struct CriterionRow {
    pub id: String,
    pub label: String,
    pub family: String,
    pub fields: String,
    pub segments: String,
    pub level: &'static str,
    pub word: &'static str,
}

#[derive(Serialize)]
pub struct TestRow {
    pub name: String,
    pub level: &'static str,
    pub word: &'static str,
    pub row: String,
    pub expected: String,
    pub actual: String,
}

pub fn fields(report: &Report) -> Vec<FieldView> {
    report
        .fields
        .iter()
        .map(|f| {
            let mut view = field_view(report.lang, f);
            view.since = brief::since_field(report, &f.name).unwrap_or_default();
            view.trend = brief::field_trend(report, &f.name);
            view
        })
        .collect()
}

fn field_view(lang: Lang, f: &FieldProfile) -> FieldView {
    let l = |k| tr(lang, k);
    let mut stats = Vec::new();
    let mut histogram = String::new();
    if let Some(s) = &f.stats {
        let number = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into());
        let stat = |key: Key, value: String| Labelled {
            label: l(key).to_string(),
            value,
        };
        stats.push(stat(Key::Min, s.min.clone().unwrap_or_else(|| "–".into())));
        stats.push(stat(Key::Max, s.max.clone().unwrap_or_else(|| "–".into())));
        if s.mean.is_some() {
            stats.push(stat(Key::Mean, number(s.mean)));
            stats.push(stat(Key::Median, number(s.median)));
        }
        histogram = svg::histogram(
            &s.histogram,
            (s.min.as_deref().unwrap_or(""), s.max.as_deref().unwrap_or("")),
            &f.name,
        );
    }
    FieldView {
        name: f.name.clone(),
        field_type: f.field_type.clone(),
        observed: f.observed_type.clone().unwrap_or_default(),
        declared: f.declared,
        available: f.available,
        pii: f.pii,
        not_applicable: if f.not_applicable > 0 {
            count(lang, f.not_applicable)
        } else {
            String::new()
        },
        missing: count(lang, f.missing),
        invalid: count(lang, f.invalid),
        usable: count(lang, f.usable),
        distinct: match (f.distinct, f.distinct_exact) {
            (Some(d), true) => count(lang, d),
            (Some(d), false) => format!("≈ {}", count(lang, d)),
            (None, _) => "–".into(),
        },
        estimated: !f.distinct_exact,
        completeness: ShareBar {
            text: percent(lang, f.completeness),
            bar: svg::share_bar(f.completeness, "neutral", l(Key::Completeness)),
        },
        validity: ShareBar {
            text: percent(lang, f.validity),
            bar: svg::share_bar(f.validity, "neutral", l(Key::Validity)),
        },
        usability: cell(lang, f.usability, f.risk),
        usability_bar: svg::share_bar(f.usability, &format!("lvl-{}", f.risk.as_str()), l(Key::Usability)),
        top_values: counted(lang, &f.top_values),
        shapes: f
            .shapes
            .iter()
            .map(|s| Counted {
                value: s.shape.clone(),
                count: count(lang, s.count),
            })
            .collect(),
        placeholders: counted(lang, &f.suspected_placeholders),
        invalid_values: counted(lang, &f.invalid_values),
        case_variants: f
            .case_variants
            .iter()
            .map(|g| {
                g.variants
                    .iter()
                    .map(|v| format!("«{}» ×{}", v.value, count(lang, v.count)))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .collect(),
        stats,
        histogram,
        since: String::new(),
        trend: String::new(),
        psi: f
            .psi
            .map(|p| crate::base::i18n::decimal(lang, p, 3))
            .unwrap_or_default(),
    }
}

pub fn field_map(report: &Report) -> Vec<FieldMapRow> {
    let lang = report.lang;
    report
        .field_map
        .iter()
        .map(|e| {
            let present = e.status == FieldStatus::Present;
            FieldMapRow {
                name: e.name.clone(),
                status: tr(lang, if present { Key::Present } else { Key::Absent }).to_string(),
                level: if present { "ok" } else { "critical" },
                declared_type: e.declared_type.clone().unwrap_or_default(),
                observed_type: e.observed_type.clone().unwrap_or_default(),
                criteria: e.criteria.join(", "),
                segments: e.segments.join(", "),
                suggestions: e.suggestions.join(", "),
            }
        })
        .collect()
}

pub fn criteria(report: &Report) -> Vec<CriterionRow> {
    report
        .criteria
        .iter()
        .map(|c| CriterionRow {
            id: c.id.clone(),
            label: c.label.clone().unwrap_or_default(),
            family: c.family.clone(),
            fields: c.fields.join(", "),
            segments: c.segments.join(", "),
            level: c.risk.as_str(),
            word: level(report.lang, c.risk),
        })
        .collect()
}

pub fn tests(report: &Report) -> Vec<TestRow> {
    let lang = report.lang;
    report
        .tests
        .iter()
        .map(|t| TestRow {
            name: t.name.clone(),
            level: if t.passed { "ok" } else { "high" },
            word: tr(lang, if t.passed { Key::Passed } else { Key::Failed }),
            row: t
                .row
                .iter()
                .map(|(k, v)| format!("{k} = {v:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            expected: t.expected.join(", "),
            actual: t.actual.join(", "),
        })
        .collect()
}
