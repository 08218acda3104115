//! Field profiles (contract §3 for fields): one aggregate pass whose per-column profile aggregates
//! count values, shapes, placeholders and observed types, next to typed statistics.

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;

use crate::base::error::Result;
use crate::base::risk::Level;
use crate::base::risk::{share, wilson_95, Thresholds};
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql;
use crate::engine::sql::SqlStatement;
use crate::engine::udf::ColumnSummary;
use crate::engine::udf::Stats;
use crate::engine::Engine;

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
    /// Rows where the field's `applies_when` is FALSE (contract §10); 0 without one. `missing`,
    /// `invalid` and `usable` count the other rows, and the shares are of them.
    pub not_applicable: u64,
    pub missing: u64,
    pub invalid: u64,
    pub usable: u64,
    pub completeness: Option<f64>,
    pub validity: Option<f64>,
    pub usability: Option<f64>,
    pub usability_interval: Option<[f64; 2]>,
    pub distinct: Option<u64>,
    /// False when `distinct` and `top_values` are estimated from sketches (contract §4); the key is
    /// left out of the JSON when they are exact.
    #[serde(skip_serializing_if = "is_true")]
    pub distinct_exact: bool,
    pub pii: bool,
    pub top_values: Vec<ValueCount>,
    pub shapes: Vec<ShapeCount>,
    pub suspected_placeholders: Vec<ValueCount>,
    /// The 10 most frequent invalid trimmed texts (contract §10), estimated with `distinct_exact: false`;
    /// empty for `pii`.
    pub invalid_values: Vec<ValueCount>,
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
    pub distribution: Option<crate::engine::drift::Distribution>,
    /// This run's counts in the previous run's bins.
    #[serde(skip)]
    pub against_previous: Option<Vec<u64>>,
}

pub struct ProfileSettings<'a> {
    pub subject: &'a str,
    pub key: Option<&'a str>,
    pub top: usize,
    /// Values seen fewer times are not shown (so a report cannot single out a customer).
    pub min_count: u64,
    pub usability: Thresholds,
}

pub struct ProfileOutput {
    pub rows: u64,
    /// Rows registered again under another key (contract §10); 0 without `identity`.
    pub duplicate_identities: u64,
    pub duplicate_keys: Option<u64>,
    /// The 10 most repeated keys (empty when the key is `pii`).
    pub duplicate_key_values: Vec<ValueCount>,
    pub fields: Vec<FieldProfile>,
    pub statements: Vec<SqlStatement>,
}

/// The type native (typed) source columns already have; `None` for text.
fn native_type(data_type: &DataType) -> Option<&'static str> {
    Some(match data_type {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => "integer",
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => "float",
        DataType::Boolean => "boolean",
        DataType::Date32 | DataType::Date64 => "date",
        DataType::Timestamp(_, _) => "timestamp",
        _ => return None,
    })
}

/// The observed type: the narrowest kind that covers at least 99 % of present values, leaving out
/// values that could be placeholders, suspected or not (a date column with some `00/00/0000` is
/// still a date column, even when they are too few to be suspected).
fn observed_type(kinds: &[ValueCount], placeholders: &[ValueCount]) -> Option<String> {
    let count = |k: &str| {
        let all = kinds.iter().find(|v| v.value == k).map_or(0, |v| v.count);
        let disguised: u64 = placeholders
            .iter()
            .filter(|p| crate::engine::udf::kind(p.value.trim()) == k)
            .map(|p| p.count)
            .sum();
        all.saturating_sub(disguised)
    };
    let present: u64 = ["integer", "float", "boolean", "date", "timestamp", "string"]
        .iter()
        .map(|k| count(k))
        .sum();
    if present == 0 {
        return None;
    }
    let covers = |n: u64| n as f64 >= 0.99 * present as f64;
    let (int, float) = (count("integer"), count("float"));
    let observed = if covers(int) {
        "integer"
    } else if covers(int + float) {
        "float"
    } else if covers(count("date")) {
        "date"
    } else if covers(count("timestamp")) {
        "timestamp"
    } else if covers(count("boolean")) {
        "boolean"
    } else {
        "string"
    };
    Some(observed.to_string())
}

pub async fn profile(engine: &Engine, settings: &ProfileSettings<'_>) -> Result<ProfileOutput> {
    let names: Vec<&str> = engine.columns.iter().map(String::as_str).collect();
    let typed: Vec<usize> = {
        let mut read: Vec<usize> = engine.identity.clone();
        for condition in &engine.conditions {
            read.extend(
                condition
                    .fields
                    .iter()
                    .filter_map(|f| names.iter().position(|c| c == f)),
            );
        }
        read.sort_unstable();
        read.dedup();
        read
    };
    let extra = sql::ProfileSql {
        conditions: engine
            .conditions
            .iter()
            .map(|c| (c.column, c.predicate.as_str()))
            .collect(),
        identity: engine
            .profile_shape
            .key
            .filter(|_| !engine.identity.is_empty())
            .map(|key| (key, engine.identity.clone())),
        typed,
    };
    let profile_sql = sql::profile(settings.subject, &names, &extra);
    let batches = engine.query("profiling the subject", &profile_sql).await?;
    let Some(first) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Err(crate::base::error::Error::new("the profile query returned no row"));
    };
    let first = batch::Named::new(first);
    let rows = batch::count(&first, &Col::Rows, 0)?;
    // Rows where a field's `applies_when` is FALSE: passed to the profile as NULL, so counted among
    // its missing values, taken out of them here (contract §10).
    let mut not_applicable = vec![0u64; engine.rules.len()];
    for (c, condition) in engine.conditions.iter().enumerate() {
        not_applicable[condition.column] = batch::count(&first, &Col::NotApplicable(c), 0)?;
    }
    let duplicate_identities = match extra.identity {
        Some(_) => batch::count(&first, &Col::DuplicateIdentities, 0)?,
        None => 0,
    };
    let summaries: Vec<ColumnSummary> = match batch::text(&first, &Col::Profiles, 0)? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| crate::base::error::Error::new(format!("the column profiles are unreadable: {e}")))?,
        None => Vec::new(),
    };
    if summaries.len() != engine.rules.len() {
        return Err(crate::base::error::Error::new(format!(
            "the profile query returned {} column profiles for {} columns",
            summaries.len(),
            engine.rules.len()
        )));
    }
    let listed = |entries: &[(String, u64)]| -> Vec<ValueCount> {
        entries
            .iter()
            .map(|(value, count)| ValueCount {
                value: value.clone(),
                count: *count,
            })
            .collect()
    };
    let fields = engine
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let summary = &summaries[i];
            let not_applicable = not_applicable[i];
            let applicable = rows - not_applicable;
            let (missing, invalid) = (summary.missing.saturating_sub(not_applicable), summary.invalid);
            let (values, shapes, placeholders) = (
                listed(&summary.values),
                listed(&summary.shapes),
                listed(&summary.placeholders),
            );
            let usable = applicable.saturating_sub(missing + invalid);
            let usability = share(usable, applicable);
            let observed = native_type(&engine.native_types[i])
                .map(str::to_string)
                .or_else(|| observed_type(&listed(&summary.kinds), &listed(&summary.candidates)));
            let visible = |list: &Vec<ValueCount>, limit: usize| -> Vec<ValueCount> {
                if rule.pii {
                    return Vec::new();
                }
                list.iter()
                    .filter(|v| v.count >= settings.min_count)
                    .take(limit)
                    .cloned()
                    .collect()
            };
            FieldProfile {
                name: rule.name.clone(),
                label: rule.label.clone(),
                declared: rule.declared,
                available: true,
                field_type: if rule.declared {
                    rule.field_type.as_str().to_string()
                } else {
                    observed.clone().unwrap_or_else(|| "string".into())
                },
                observed_type: observed,
                rows,
                not_applicable,
                missing,
                invalid,
                usable,
                completeness: share(applicable - missing, applicable),
                validity: share(usable, applicable - missing),
                usability,
                usability_interval: wilson_95(usable, applicable),
                distinct: Some(summary.distinct),
                distinct_exact: !summary.estimated,
                pii: rule.pii,
                top_values: visible(&values, settings.top),
                shapes: if rule.pii {
                    Vec::new()
                } else {
                    shapes
                        .iter()
                        .take(settings.top)
                        .map(|v| ShapeCount {
                            shape: v.value.clone(),
                            count: v.count,
                        })
                        .collect()
                },
                suspected_placeholders: visible(&placeholders, usize::MAX),
                invalid_values: if rule.pii {
                    Vec::new()
                } else {
                    listed(&summary.invalid_values)
                },
                dominant_shape_share: shapes.first().and_then(|s| share(s.count, applicable - missing)),
                shapes_for_95: shapes_for_95(&shapes, applicable - missing),
                case_variants: case_variant_groups(listed(&summary.variants), settings.min_count),
                mojibake: summary.mojibake,
                stats: summary.stats.clone(),
                risk: settings.usability.level_when_low(usability),
                psi: None,
                distribution: if rule.pii {
                    None
                } else {
                    summary
                        .distribution
                        .clone()
                        .map(|d| crate::engine::drift::without_small_bins(d, settings.min_count))
                },
                against_previous: summary.against_previous.clone(),
            }
        })
        .collect();
    Ok(ProfileOutput {
        rows,
        duplicate_identities,
        duplicate_keys: settings
            .key
            .map(|_| summaries.iter().find_map(|s| s.duplicate_keys).unwrap_or(0)),
        duplicate_key_values: summaries
            .iter()
            .find(|s| s.duplicate_keys.is_some())
            .map(|s| listed(&s.duplicate_key_values))
            .unwrap_or_default(),
        fields,
        statements: vec![SqlStatement {
            purpose: "field profiles: counts, value frequencies, shapes, placeholders, observed types".into(),
            sql: profile_sql,
        }],
    })
}

/// How many of the most frequent shapes it takes to cover 95 % of present values (None when the
/// listed shapes do not reach it).
fn shapes_for_95(shapes: &[ValueCount], present: u64) -> Option<usize> {
    let mut covered = 0;
    for (i, s) in shapes.iter().enumerate() {
        covered += s.count;
        if covered as f64 >= 0.95 * present as f64 {
            return Some(i + 1);
        }
    }
    None
}

/// Case variant groups shown per field, and variants per group.
const VARIANT_GROUPS: usize = 20;
const VARIANTS_PER_GROUP: usize = 10;

/// Groups values that fold to the same text (trim, lower case, accents), largest groups first. The
/// variants of a group are spellings of one value, so the group is the cell: groups of fewer than
/// `min_count` rows are not shown.
fn case_variant_groups(values: Vec<ValueCount>, min_count: u64) -> Vec<CaseVariants> {
    let mut groups: Vec<CaseVariants> = Vec::new();
    for value in values {
        let folded = crate::base::names::fold_value(&value.value);
        match groups.iter_mut().find(|g| g.normalized == folded) {
            Some(group) => group.variants.push(value),
            None => groups.push(CaseVariants {
                normalized: folded,
                variants: vec![value],
            }),
        }
    }
    for group in &mut groups {
        group
            .variants
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        group.variants.truncate(VARIANTS_PER_GROUP);
    }
    groups.retain(|g| g.variants.len() > 1 && g.variants.iter().map(|v| v.count).sum::<u64>() >= min_count);
    groups.sort_by(|a, b| {
        let total = |g: &CaseVariants| g.variants.iter().map(|v| v.count).sum::<u64>();
        total(b).cmp(&total(a)).then_with(|| a.normalized.cmp(&b.normalized))
    });
    groups.truncate(VARIANT_GROUPS);
    groups
}

fn is_true(value: &bool) -> bool {
    *value
}
