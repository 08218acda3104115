//! The data dictionary (`segaudit catalog`, contract §13): one entry per subject column, declared or
//! not, with what the spec says of it (label, description, owner, steward, classification, type and
//! expectations), the criteria and segments that read it, and its numbers from one audit run (the
//! latest of the history, or a fresh one). The numbers are read from the audit's JSON report, the
//! same text a history keeps, so that both origins go through one path.

use serde::{Deserialize, Serialize};

use crate::base::risk::Level;
use crate::spec::fieldcheck::{FieldRule, Typed};
use crate::spec::governance::Classification;
use crate::spec::{Lang, Spec};

/// The catalogue's `format` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CatalogFormat {
    #[serde(rename = "segaudit-catalog")]
    Catalog,
}

#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    pub format: CatalogFormat,
    pub version: u32,
    pub tool_version: String,
    pub title: String,
    pub lang: Lang,
    pub spec: CatalogSpec,
    pub subject: CatalogSubject,
    /// The audit run the numbers come from.
    pub run: CatalogRun,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogSpec {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogSubject {
    pub table: String,
    pub key: Option<String>,
    pub rows: u64,
}

/// Where the numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunOrigin {
    /// The latest run of the history folder.
    History,
    /// An audit run for the catalogue (the history has no run).
    Fresh,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogRun {
    pub origin: RunOrigin,
    /// The history's run id; null for a fresh audit.
    pub id: Option<String>,
    /// UTC, RFC 3339.
    pub time: String,
    /// The sha256 of the spec the run audited, and whether it is this spec.
    pub spec_sha256: String,
    pub same_spec: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub name: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub steward: Option<String>,
    pub classification: Option<Classification>,
    pub pii: bool,
    /// Whether the spec has a `[field]` table for the column.
    pub declared: bool,
    /// Whether the subject has the column (a declared field may be absent from the data).
    pub available: bool,
    /// The declared type, or the one observed in the data for an undeclared column.
    #[serde(rename = "type")]
    pub field_type: String,
    pub key: bool,
    pub expectations: Expectations,
    /// Criteria listing the column, and segments whose population or rule reads it.
    pub criteria: Vec<String>,
    pub segments: Vec<String>,
    pub measured: Option<Measured>,
}

/// A field's expectations as the spec writes them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Expectations {
    pub formats: Vec<String>,
    /// Inclusive bounds as text; an empty text is an open side.
    pub range: Option<[String; 2]>,
    /// Allowed values; for a `pii` field, left out (`values_count` says how many).
    pub values: Option<Vec<String>>,
    pub values_count: Option<usize>,
    pub pattern: Option<String>,
    pub null_tokens: Vec<String>,
    pub applies_when: Option<String>,
}

/// A column's numbers in the run (contract §3).
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub rows: u64,
    pub missing: u64,
    pub invalid: u64,
    pub usable: u64,
    pub usability: Option<f64>,
    pub risk: Level,
    pub distinct: Option<u64>,
}

/// What the catalogue reads from an audit's JSON report (contract §4); unknown keys are ignored,
/// so a run kept by another version still reads.
#[derive(Debug, Clone, Deserialize)]
pub struct AuditNumbers {
    #[serde(default)]
    pub generated_at: String,
    pub spec: NumbersSpec,
    pub subject: NumbersSubject,
    #[serde(default)]
    pub fields: Vec<NumbersField>,
    #[serde(default)]
    pub criteria: Vec<NumbersCriterion>,
    #[serde(default)]
    pub segments: Vec<NumbersSegment>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumbersSpec {
    #[serde(default)]
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumbersSubject {
    pub rows: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumbersField {
    pub name: String,
    #[serde(default)]
    pub available: bool,
    #[serde(rename = "type", default)]
    pub field_type: String,
    pub rows: u64,
    pub missing: u64,
    pub invalid: u64,
    pub usable: u64,
    pub usability: Option<f64>,
    pub risk: Level,
    pub distinct: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumbersCriterion {
    pub id: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumbersSegment {
    pub id: String,
    #[serde(default)]
    pub fields: Vec<NumbersSegmentField>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumbersSegmentField {
    pub name: String,
}

/// What the catalogue is built from besides the spec.
pub struct CatalogInput<'a> {
    pub spec: &'a Spec,
    pub lang: Lang,
    pub tool_version: &'a str,
    pub numbers: &'a AuditNumbers,
    pub origin: RunOrigin,
    pub run_id: Option<String>,
    pub run_time: String,
}

pub fn build(input: &CatalogInput) -> Catalog {
    let spec = input.spec;
    let numbers = input.numbers;
    let key = spec.subject.key.as_ref().map(|k| k.value.clone());
    let mut names: Vec<&str> = numbers.fields.iter().map(|f| f.name.as_str()).collect();
    for f in &spec.fields {
        if !names.contains(&f.name.as_str()) {
            names.push(&f.name);
        }
    }
    let entries = names
        .into_iter()
        .map(|name| {
            let measured = numbers.fields.iter().find(|f| f.name == name);
            entry(spec, numbers, name, measured, key.as_deref())
        })
        .collect();
    Catalog {
        format: CatalogFormat::Catalog,
        version: 1,
        tool_version: input.tool_version.to_string(),
        title: spec.title.clone(),
        lang: input.lang,
        spec: CatalogSpec {
            path: spec.path.display().to_string(),
            sha256: spec.sha256.clone(),
        },
        subject: CatalogSubject {
            table: spec.subject.table.value.clone(),
            key,
            rows: numbers.subject.rows,
        },
        run: CatalogRun {
            origin: input.origin,
            id: input.run_id.clone(),
            time: input.run_time.clone(),
            spec_sha256: numbers.spec.sha256.clone(),
            same_spec: numbers.spec.sha256 == spec.sha256,
        },
        entries,
    }
}

fn entry(spec: &Spec, numbers: &AuditNumbers, name: &str, measured: Option<&NumbersField>, key: Option<&str>) -> Entry {
    let rule = spec.field(name);
    let pii = rule.is_some_and(|r| r.pii);
    let criteria = spec
        .criteria
        .iter()
        .filter(|c| c.fields.iter().any(|f| f.value == name))
        .map(|c| c.id.clone())
        .collect();
    let segments = numbers
        .segments
        .iter()
        .filter(|s| s.fields.iter().any(|f| f.name == name))
        .map(|s| s.id.clone())
        .collect();
    let field_type = match (rule, measured) {
        (Some(r), _) => r.field_type.as_str().to_string(),
        (None, Some(m)) => m.field_type.clone(),
        (None, None) => "string".to_string(),
    };
    Entry {
        name: name.to_string(),
        label: rule.and_then(|r| r.label.clone()),
        description: rule.and_then(|r| r.governance.description.clone()),
        owner: rule.and_then(|r| r.governance.owner.clone()),
        steward: rule.and_then(|r| r.governance.steward.clone()),
        classification: rule.and_then(|r| r.classification),
        pii,
        declared: rule.is_some(),
        available: measured.is_some_and(|m| m.available),
        field_type,
        key: key == Some(name),
        expectations: rule.map(|r| expectations(spec, r)).unwrap_or_default(),
        criteria,
        segments,
        measured: measured.map(|m| Measured {
            rows: m.rows,
            missing: m.missing,
            invalid: m.invalid,
            usable: m.usable,
            usability: m.usability,
            risk: m.risk,
            distinct: m.distinct,
        }),
    }
}

fn expectations(spec: &Spec, rule: &FieldRule) -> Expectations {
    let text = |v: &Option<Typed>| match v {
        None => String::new(),
        Some(Typed::Text(s)) => s.clone(),
        Some(Typed::Integer(i)) => i.to_string(),
        Some(Typed::Float(f)) => f.to_string(),
        Some(Typed::Boolean(b)) => b.to_string(),
        Some(Typed::Date(d)) => d.format("%Y-%m-%d").to_string(),
        Some(Typed::Timestamp(t)) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    };
    let dated = matches!(
        rule.field_type,
        crate::spec::fieldcheck::FieldType::Date | crate::spec::fieldcheck::FieldType::Timestamp
    );
    Expectations {
        formats: if dated { rule.formats.clone() } else { Vec::new() },
        range: (rule.min.is_some() || rule.max.is_some()).then(|| [text(&rule.min), text(&rule.max)]),
        // A personal field's allowed values would list personal data: only their number is shown.
        values: rule.values.clone().filter(|_| !rule.pii),
        values_count: rule.values.as_ref().map(Vec::len),
        pattern: rule.pattern_text().map(str::to_string),
        null_tokens: rule.null_tokens.clone(),
        applies_when: spec
            .applies_when
            .iter()
            .find(|a| a.field == rule.name)
            .map(|a| a.predicate.value.clone()),
    }
}
