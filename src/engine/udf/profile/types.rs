//! The profile aggregate's result types and options: what one column's summary holds.

use std::hash::Hash;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::drift::Distribution;
use crate::spec::fieldcheck::FieldRule;

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

/// What the profile aggregate returns for one column (in a JSON array, one per column): counts, and the most frequent
/// entries of each family, most frequent first, ties by text.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub missing: u64,
    pub invalid: u64,
    pub mojibake: u64,
    /// Distinct present (non-missing) texts: exact, or estimated when `estimated` is set.
    pub distinct: u64,
    /// The column held more distinct texts than its budget: `distinct`, `values`, `shapes` and
    /// `variants` come from bounded sketches (the report's `distinct_exact: false`, contract §4).
    pub estimated: bool,
    pub values: Vec<(String, u64)>,
    /// Every present text that folds (trim, lower case, accents) to the same text as another one.
    pub variants: Vec<(String, u64)>,
    pub shapes: Vec<(String, u64)>,
    pub placeholders: Vec<(String, u64)>,
    /// Every value that could be a placeholder by its text alone (suspected or not, e.g. a single
    /// `00/00/0000`): left out when the observed type is judged.
    #[serde(default)]
    pub candidates: Vec<(String, u64)>,
    /// Present values per observed kind (integer, float, boolean, date, timestamp, string).
    pub kinds: Vec<(String, u64)>,
    /// For numbers, dates and timestamps whose type is declared (and not `pii`).
    pub stats: Option<Stats>,
    /// For the subject key: rows with a key − distinct keys (trimmed text).
    pub duplicate_keys: Option<u64>,
    /// The most frequent invalid trimmed texts (contract §10; none for `pii`).
    #[serde(default)]
    pub invalid_values: Vec<(String, u64)>,
    /// For the subject key: the most repeated keys (trimmed text) and their rows.
    #[serde(default)]
    pub duplicate_key_values: Vec<(String, u64)>,
    /// The bins the next run compares with and this run's counts in them (not for `pii`).
    pub distribution: Option<Distribution>,
    /// This run's usable values counted in the previous run's bins, when they were given.
    pub against_previous: Option<Vec<u64>>,
}

/// Edges of the equal-frequency histogram drawn in the HTML report: min, the nine deciles, max.
pub const DECILES: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// How a column's profile is summarised beyond its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileOptions {
    /// Entries kept per family.
    pub top: usize,
    /// The column is the subject key: count the rows repeating a key (trimmed text).
    pub key: bool,
    /// Distinct texts a partition counts exactly before the rest of the column goes to sketches
    /// (`usize::MAX`: always exact, as the subject key is).
    pub exact_limit: usize,
}

/// A profiled column: its rule, options, and the previous run's bins when there is a history.
pub type ProfiledColumn = (Arc<FieldRule>, ProfileOptions, Option<Arc<Distribution>>);
