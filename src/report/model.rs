//! The one report model (contract §4), assembled once from the passes' results: every renderer (JSON,
//! terminal, HTML) reads this and nothing else. Each pass owns the types of its result; they are
//! re-exported here so renderers name them all from one place.

use serde::Serialize;

pub use crate::base::risk::Level;
pub use crate::engine::sql::SqlStatement;
pub use crate::engine::udf::Stats;
pub use crate::input::sources::{FileInfo, SourceInfo};
pub use crate::judge::findings::Finding;
pub use crate::judge::gate::Gate;
pub use crate::measure::fieldmap::{FieldMapEntry, FieldStatus};
pub use crate::measure::heterogeneity::{
    CoMissingness, Combination, HeatField, HeatGroup, Heatmap, Heterogeneity, SegmentCombinations,
};
pub use crate::measure::links::LinkReport;
pub use crate::measure::profile::{CaseVariants, FieldProfile, ShapeCount, ValueCount};
pub use crate::measure::ruletest::{Evaluation, TestResult};
pub use crate::measure::segments::{Overlap, SegmentField, SegmentReport, SegmentationReport, Strata, StratumGroup};
pub use crate::spec::Lang;

/// The report's `format` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReportFormat {
    #[serde(rename = "segaudit-audit")]
    Audit,
    #[serde(rename = "segaudit-profile")]
    Profile,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: ReportFormat,
    pub version: u32,
    pub tool_version: String,
    pub generated_at: String,
    pub title: String,
    pub lang: Lang,
    pub spec: SpecInfo,
    pub sources: Vec<SourceInfo>,
    pub subject: SubjectInfo,
    pub fields: Vec<FieldProfile>,
    pub field_map: Vec<FieldMapEntry>,
    pub criteria: Vec<CriterionReport>,
    pub segments: Vec<SegmentReport>,
    pub segmentations: Vec<SegmentationReport>,
    /// `[[link]]` numbers (contract §10), in spec order.
    pub links: Vec<LinkReport>,
    pub heterogeneity: Heterogeneity,
    pub tests: Vec<TestResult>,
    pub findings: Vec<Finding>,
    pub gate: Gate,
    /// Where this run was kept (contract §7); null without a history.
    pub history: Option<HistoryInfo>,
    /// Every statement that produced a number, so an auditor can re-run it.
    pub sql: Vec<SqlStatement>,
    /// The spec as given, for the HTML appendix (the JSON names it by path and sha256).
    #[serde(skip)]
    pub spec_text: String,
    /// The earlier runs of the history, oldest first (for the trend charts and the "since the last
    /// audit" column); empty without a history.
    #[serde(skip)]
    pub trend: Vec<RunPoint>,
}

/// The run this report was kept as, and the run it was compared with.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct HistoryInfo {
    /// Runs in the folder, this one included.
    pub runs: usize,
    /// The latest run before this one, compared with; null for the first run.
    pub previous: Option<String>,
    pub run_id: String,
    /// UTC, RFC 3339.
    pub run_time: String,
}

/// One earlier run as the trend charts see it.
#[derive(Debug, Clone)]
pub struct RunPoint {
    pub id: String,
    pub time: String,
    pub fields: Vec<(String, Option<f64>)>,
    /// Segment id, size_min, size_max.
    pub segments: Vec<(String, u64, u64)>,
    /// The subject's rows in that run.
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecInfo {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectInfo {
    pub table: String,
    pub rows: u64,
    pub key: Option<String>,
    pub duplicate_keys: Option<u64>,
    /// The 10 most repeated keys with their rows (contract §10; empty when the key is `pii`).
    pub duplicate_key_values: Vec<ValueCount>,
    /// `[subject] identity` (contract §10); empty when not set.
    pub identity: Vec<String>,
    /// Rows registered again under another key: Σ over identity groups holding two or more keys of
    /// (rows − 1); 0 without `identity` (contract §10).
    pub duplicate_identities: u64,
    pub strata: Vec<String>,
    /// `[subject] min_rows` (contract §10).
    pub min_rows: u64,
    /// |rows − rows_prev| / max(rows_prev, 1) against the previous run; null without one (§10).
    pub row_count_shift: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionReport {
    pub id: String,
    pub label: Option<String>,
    pub family: String,
    pub fields: Vec<String>,
    pub segments: Vec<String>,
    pub risk: Level,
}
