//! The audit spec as written in TOML (contract §2): serde structs, nothing else.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    #[serde(default)]
    pub audit: AuditSection,
    #[serde(default)]
    pub source: IndexMap<String, SourceSpec>,
    #[serde(default)]
    pub view: IndexMap<String, ViewSpec>,
    pub subject: Option<Spanned<SubjectSpec>>,
    #[serde(default)]
    pub field: IndexMap<String, FieldSpec>,
    #[serde(default)]
    pub criterion: IndexMap<String, CriterionSpec>,
    #[serde(default)]
    pub segment: IndexMap<String, SegmentSpec>,
    #[serde(default)]
    pub segmentation: IndexMap<String, SegmentationSpec>,
    #[serde(default)]
    pub risk: RiskSpec,
    #[serde(default)]
    pub gate: GateSpec,
    #[serde(default)]
    pub report: ReportSpec,
    pub history: Option<HistorySpec>,
    #[serde(default)]
    pub test: Vec<TestSpec>,
    /// `[[waiver]]`: accepted findings (contract §10).
    #[serde(default)]
    pub waiver: Vec<Spanned<WaiverSpec>>,
    /// `[[link]]`: a column of one source or view that should find its value in another (contract §10).
    #[serde(default)]
    pub link: Vec<Spanned<LinkSpec>>,
}

/// `[[link]]`: `from = "pay.client_id"`, `to = "clients.client_id"` (contract §10).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub description: Option<String>,
}

/// `[[waiver]]`: a finding the committee accepted, until a date (contract §10).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverSpec {
    pub code: Spanned<String>,
    pub field: Option<Spanned<String>>,
    pub segment: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    pub until: Option<Spanned<String>>,
}

/// `[history]`: where runs are kept (contract §7).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistorySpec {
    pub path: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    pub title: Option<String>,
    pub lang: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub path: Option<Spanned<String>>,
    /// A database instead of files (contract §6).
    pub url: Option<Spanned<String>>,
    pub table: Option<Spanned<String>>,
    pub query: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub format: Option<Spanned<String>>,
    pub delimiter: Option<Spanned<String>>,
    pub quote: Option<Spanned<String>>,
    pub header: Option<bool>,
    pub encoding: Option<Spanned<String>>,
    #[serde(default)]
    pub null_tokens: Vec<String>,
    pub on_bad_rows: Option<Spanned<String>>,
    /// Number conventions of the source's fields (contract §10); a field's own keys win.
    pub decimal: Option<Spanned<String>>,
    pub thousands: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSpec {
    pub sql: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectSpec {
    pub table: Spanned<String>,
    pub key: Option<Spanned<String>>,
    #[serde(default)]
    pub strata: Vec<Spanned<String>>,
    /// Fewer rows is `subject.too_few_rows` (contract §10); default 1.
    pub min_rows: Option<u64>,
    /// Fields that together identify a customer (contract §10, duplicate identities).
    #[serde(default)]
    pub identity: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub field_type: Option<Spanned<String>>,
    #[serde(default)]
    pub formats: Vec<Spanned<String>>,
    pub range: Option<Spanned<toml::Value>>,
    pub values: Option<Vec<toml::Value>>,
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub pii: bool,
    #[serde(default)]
    pub null_tokens: Vec<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    /// Who answers for the field, and who looks after its quality (contract §13).
    pub owner: Option<String>,
    pub steward: Option<String>,
    /// `public`, `internal`, `confidential` or `personal` (contract §13).
    pub classification: Option<Spanned<String>>,
    pub decimal: Option<Spanned<String>>,
    pub thousands: Option<Spanned<String>>,
    /// The rows the field applies to (contract §10); on the others it is `not_applicable`.
    pub applies_when: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionSpec {
    pub family: Option<Spanned<String>>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub steward: Option<String>,
    #[serde(default)]
    pub fields: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    pub label: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub steward: Option<String>,
    pub population: Option<Spanned<String>>,
    pub rule: Spanned<String>,
    pub segmentation: Option<Spanned<String>>,
    /// `[segment.S.variants]`: other rules for the same population, measured beside it (contract §12).
    #[serde(default)]
    pub variants: IndexMap<String, Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SegmentationSpec {
    pub label: Option<String>,
    #[serde(default)]
    pub segments: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub exhaustive: bool,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdSpec {
    pub warn: Option<f64>,
    pub high: Option<f64>,
    pub critical: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RiskSpec {
    pub usability: Option<Spanned<ThresholdSpec>>,
    pub undetermined: Option<Spanned<ThresholdSpec>>,
    pub strata_gap: Option<Spanned<ThresholdSpec>>,
    pub usability_drop: Option<Spanned<ThresholdSpec>>,
    pub size_shift: Option<Spanned<ThresholdSpec>>,
    pub psi: Option<Spanned<ThresholdSpec>>,
    pub row_count_shift: Option<Spanned<ThresholdSpec>>,
    pub duplicate_identities: Option<Spanned<ThresholdSpec>>,
    pub min_population: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    pub fail_on: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    pub min_count: Option<u64>,
    pub top_values: Option<usize>,
    pub exact_distinct_limit: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    pub name: String,
    #[serde(default)]
    pub row: IndexMap<String, toml::Value>,
    #[serde(default)]
    pub expect: Vec<Spanned<String>>,
    #[serde(default)]
    pub undetermined: Vec<Spanned<String>>,
    /// `"segment.variant"`: the row is checked with that variant in place (contract §12).
    pub variant: Option<Spanned<String>>,
}
