//! The one report model (contract §4): every renderer (JSON, terminal, HTML) reads this and nothing else.

use serde::{Deserialize, Serialize};

use crate::risk::Level;
use crate::sources::SourceInfo;
use crate::spec::Lang;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: &'static str,
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
    pub trend: Vec<crate::history::RunPoint>,
}

/// The run this report was kept as, and the run it was compared with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryInfo {
    /// Runs in the folder, this one included.
    pub runs: usize,
    /// The latest run before this one, compared with; null for the first run.
    pub previous: Option<String>,
    pub run_id: String,
    /// UTC, RFC 3339.
    pub run_time: String,
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
    pub strata: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShapeCount {
    pub shape: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseVariants {
    pub normalized: String,
    pub variants: Vec<ValueCount>,
}

/// Exact statistics of a typed field's usable values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Extremes as text, formatted the way DataFusion casts the typed value to text.
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<f64>,
    pub q1: Option<f64>,
    pub median: Option<f64>,
    pub q3: Option<f64>,
    /// Equal-frequency histogram: min, the nine deciles, max (as numbers; dates in days and
    /// timestamps in microseconds since 1970-01-01).
    pub histogram: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldProfile {
    pub name: String,
    pub label: Option<String>,
    pub declared: bool,
    pub available: bool,
    /// The declared type, or the observed one for an undeclared column.
    #[serde(rename = "type")]
    pub field_type: String,
    pub observed_type: Option<String>,
    pub rows: u64,
    pub missing: u64,
    pub invalid: u64,
    pub usable: u64,
    pub completeness: Option<f64>,
    pub validity: Option<f64>,
    pub usability: Option<f64>,
    pub usability_interval: Option<[f64; 2]>,
    pub distinct: Option<u64>,
    pub pii: bool,
    pub top_values: Vec<ValueCount>,
    pub shapes: Vec<ShapeCount>,
    pub suspected_placeholders: Vec<ValueCount>,
    /// Share of present values that follow the most frequent shape.
    pub dominant_shape_share: Option<f64>,
    /// How many shapes cover 95 % of present values (null when the listed ones do not).
    pub shapes_for_95: Option<usize>,
    /// Groups of distinct values equal once trimmed, lower-cased and stripped of accents.
    pub case_variants: Vec<CaseVariants>,
    pub mojibake: u64,
    pub stats: Option<Stats>,
    pub risk: Level,
    /// Population stability index against the previous run (contract §7); null without one.
    pub psi: Option<f64>,
    /// This run's bins and counts, what the next run's PSI compares with (null for `pii`).
    pub distribution: Option<crate::drift::Distribution>,
    /// This run's counts in the previous run's bins.
    #[serde(skip)]
    pub against_previous: Option<Vec<u64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldMapEntry {
    pub name: String,
    pub status: &'static str,
    pub declared: bool,
    pub declared_type: Option<String>,
    pub observed_type: Option<String>,
    pub criteria: Vec<String>,
    pub segments: Vec<String>,
    pub suggestions: Vec<String>,
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

#[derive(Debug, Clone, Serialize)]
pub struct SegmentField {
    pub name: String,
    pub usable: u64,
    pub usability: Option<f64>,
    pub usability_interval: Option<[f64; 2]>,
    pub undetermined_rows: u64,
    /// Usability of the field among the rows outside the population, to compare with `usability`.
    pub usability_outside: Option<f64>,
    pub risk: Level,
}

#[derive(Debug, Clone, Serialize)]
pub struct StratumGroup {
    pub value: Option<String>,
    pub rows: u64,
    pub usable: u64,
    pub usability: Option<f64>,
    /// The groups smaller than `[report] min_count`, pooled so no small cell is named (value null).
    pub pooled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Strata {
    pub by: String,
    pub field: String,
    pub spread: Option<f64>,
    pub risk: Level,
    /// Association between the field being unusable and the attribute, inside the population.
    pub cramers_v: Option<f64>,
    pub p_value: Option<f64>,
    pub groups: Vec<StratumGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentReport {
    pub id: String,
    pub label: Option<String>,
    pub population_sql: Option<String>,
    pub rule_sql: String,
    pub population: u64,
    pub population_undetermined: u64,
    pub members: u64,
    pub non_members: u64,
    pub undetermined: u64,
    pub size_min: u64,
    pub size_max: u64,
    pub undetermined_share: Option<f64>,
    pub undetermined_interval: Option<[f64; 2]>,
    pub small_population: bool,
    pub risk: Level,
    pub fields: Vec<SegmentField>,
    pub strata: Vec<Strata>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentationReport {
    pub id: String,
    pub label: Option<String>,
    pub segments: Vec<String>,
    pub exclusive: bool,
    pub exhaustive: bool,
    pub population: u64,
    pub exactly_one: u64,
    pub none: u64,
    pub several: u64,
    pub undetermined: u64,
    pub risk: Level,
    pub overlaps: Vec<Overlap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub segment: String,
    pub population: Option<bool>,
    pub rule: Option<bool>,
    pub inputs: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    pub row: Vec<(String, String)>,
    pub expected: Vec<String>,
    pub actual: Vec<String>,
    pub expected_undetermined: Vec<String>,
    pub actual_undetermined: Vec<String>,
    pub evaluations: Vec<Evaluation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub level: Level,
    pub code: &'static str,
    pub segment: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub fail_on: String,
    pub worst: Level,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SqlStatement {
    pub purpose: String,
    pub sql: String,
}

impl Gate {
    pub fn decide(fail_on: Option<Level>, findings: &[Finding]) -> Gate {
        let worst = findings.iter().map(|f| f.level).max().unwrap_or(Level::Ok);
        Gate {
            fail_on: fail_on.map_or("never", Level::as_str).to_string(),
            worst,
            passed: fail_on.is_none_or(|limit| worst < limit),
        }
    }
}

/// Where the data differs across strata and which gaps travel together.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Heterogeneity {
    /// Per strata attribute: usability of every field in each of the largest groups (the rest pooled).
    pub heatmap: Vec<Heatmap>,
    pub co_missingness: Option<CoMissingness>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeatGroup {
    pub value: Option<String>,
    pub rows: u64,
    /// The pooled smaller groups.
    pub other: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeatField {
    pub name: String,
    pub usability: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Heatmap {
    pub by: String,
    pub groups: Vec<HeatGroup>,
    pub fields: Vec<HeatField>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Combination {
    /// The fields unusable together (and only them, among the segment fields).
    pub fields: Vec<String>,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentCombinations {
    pub segment: String,
    pub combinations: Vec<Combination>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoMissingness {
    pub fields: Vec<String>,
    pub overall: Vec<Combination>,
    pub segments: Vec<SegmentCombinations>,
}
