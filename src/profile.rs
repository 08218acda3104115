//! Field profiles (contract §3 for fields): one aggregate pass for the counts, one GROUPING SETS pass
//! for value frequencies, shapes, placeholders and observed types.

use datafusion::arrow::datatypes::DataType;

use crate::batch;
use crate::engine::Engine;
use crate::error::Result;
use crate::fieldcheck::FieldType;
use crate::report::{CaseVariants, FieldProfile, ShapeCount, SqlStatement, Stats, ValueCount};
use crate::risk::{share, wilson_95, Thresholds};
use crate::sql::{self, ProfileColumn};

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
    pub duplicate_keys: Option<u64>,
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
/// suspected placeholders (a date column with some `00/00/0000` is still a date column).
fn observed_type(kinds: &[ValueCount], placeholders: &[ValueCount]) -> Option<String> {
    let count = |k: &str| {
        let all = kinds.iter().find(|v| v.value == k).map_or(0, |v| v.count);
        let disguised: u64 = placeholders
            .iter()
            .filter(|p| crate::udf::kind(p.value.trim()) == k)
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
    let columns: Vec<ProfileColumn> = engine
        .rules
        .iter()
        .map(|rule| {
            let typed = rule.type_declared && !rule.pii;
            ProfileColumn {
                name: &rule.name,
                stats: typed
                    && matches!(
                        rule.field_type,
                        FieldType::Integer | FieldType::Float | FieldType::Date | FieldType::Timestamp
                    ),
                numeric: typed && matches!(rule.field_type, FieldType::Integer | FieldType::Float),
                as_number: match rule.field_type {
                    _ if !typed => None,
                    FieldType::Integer | FieldType::Float => Some("CAST({} AS DOUBLE)"),
                    FieldType::Date => Some("CAST(CAST({} AS INT) AS DOUBLE)"),
                    FieldType::Timestamp => Some("CAST(CAST({} AS BIGINT) AS DOUBLE)"),
                    _ => None,
                },
            }
        })
        .collect();
    let counts_sql = sql::profile(settings.subject, &columns, settings.key);
    let counts = engine.query("profiling the subject", &counts_sql).await?;
    let names: Vec<&str> = engine.columns.iter().map(String::as_str).collect();
    let pii: Vec<bool> = engine.rules.iter().map(|r| r.pii).collect();
    let freq_sql = sql::frequencies(settings.subject, &names, &pii, settings.top.max(10));
    let frequencies = engine.query("counting values and shapes", &freq_sql).await?;

    let Some(first) = counts.iter().find(|b| b.num_rows() > 0) else {
        return Err(crate::error::Error::new("the profile query returned no row"));
    };
    let rows = batch::count(first, "rows", 0);
    let n = names.len();
    // families[f][i]: entries of family f for column i, most frequent first; distinct[f][i].
    let mut families = vec![vec![Vec::<ValueCount>::new(); n]; sql::FAMILIES.len()];
    let mut distinct = vec![vec![None::<u64>; n]; sql::FAMILIES.len()];
    // Values with case variants, per column (any rank).
    let mut variants = vec![Vec::<ValueCount>::new(); n];
    let top = settings.top.max(10);
    for (b, r) in batch::rows(&frequencies) {
        let set = batch::count(b, "set", r) as usize;
        let (family, column) = (set / n.max(1), set % n.max(1));
        if family >= sql::FAMILIES.len() {
            continue;
        }
        let value = batch::text(b, "value", r).unwrap_or_default();
        let entry = ValueCount {
            value,
            count: batch::count(b, "n", r),
        };
        distinct[family][column] = Some(batch::count(b, "groups", r));
        if family == 0 && batch::count(b, "variants", r) > 1 {
            variants[column].push(entry.clone());
        }
        if batch::count(b, "rank", r) as usize <= top {
            families[family][column].push(entry);
        }
    }
    let fields = engine
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let missing = batch::count(first, &format!("missing_{i}"), 0);
            let invalid = batch::count(first, &format!("invalid_{i}"), 0);
            let usable = rows.saturating_sub(missing + invalid);
            let usability = share(usable, rows);
            let observed = native_type(&engine.native_types[i])
                .map(str::to_string)
                .or_else(|| observed_type(&families[3][i], &families[2][i]));
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
            let stats = columns[i].stats.then(|| Stats {
                min: batch::text(first, &format!("min_{i}"), 0),
                max: batch::text(first, &format!("max_{i}"), 0),
                mean: batch::float(first, &format!("mean_{i}"), 0),
                q1: batch::float(first, &format!("q1_{i}"), 0),
                median: batch::float(first, &format!("median_{i}"), 0),
                q3: batch::float(first, &format!("q3_{i}"), 0),
                histogram: histogram_edges(first, i),
            });
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
                missing,
                invalid,
                usable,
                completeness: share(rows - missing, rows),
                validity: share(usable, rows - missing),
                usability,
                usability_interval: wilson_95(usable, rows),
                distinct: Some(distinct[0][i].unwrap_or(0)),
                pii: rule.pii,
                top_values: visible(&families[0][i], settings.top),
                shapes: if rule.pii {
                    Vec::new()
                } else {
                    families[1][i]
                        .iter()
                        .take(settings.top)
                        .map(|v| ShapeCount {
                            shape: v.value.clone(),
                            count: v.count,
                        })
                        .collect()
                },
                suspected_placeholders: if rule.pii { Vec::new() } else { families[2][i].clone() },
                dominant_shape_share: families[1][i].first().and_then(|s| share(s.count, rows - missing)),
                shapes_for_95: shapes_for_95(&families[1][i], rows - missing),
                case_variants: case_variant_groups(std::mem::take(&mut variants[i])),
                mojibake: batch::count(first, &format!("mojibake_{i}"), 0),
                stats,
                risk: settings.usability.level_when_low(usability),
            }
        })
        .collect();
    Ok(ProfileOutput {
        rows,
        duplicate_keys: settings.key.map(|_| batch::count(first, "duplicate_keys", 0)),
        fields,
        statements: vec![
            SqlStatement {
                purpose: "field counts".into(),
                sql: counts_sql,
            },
            SqlStatement {
                purpose: "value frequencies, shapes, placeholders, observed types".into(),
                sql: freq_sql,
            },
        ],
    })
}

/// Equal-frequency bin edges (min, deciles, max) of a typed column, when it has values.
fn histogram_edges(batch: &datafusion::arrow::record_batch::RecordBatch, i: usize) -> Vec<f64> {
    (0..sql::DECILES.len())
        .map(|d| batch::float(batch, &format!("d{d}_{i}"), 0))
        .collect::<Option<Vec<f64>>>()
        .unwrap_or_default()
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

/// Groups values that fold to the same text (trim, lower case, accents), largest groups first.
fn case_variant_groups(values: Vec<ValueCount>) -> Vec<CaseVariants> {
    let mut groups: Vec<CaseVariants> = Vec::new();
    for value in values {
        let folded = crate::names::fold_value(&value.value);
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
    groups.retain(|g| g.variants.len() > 1);
    groups.sort_by(|a, b| {
        let total = |g: &CaseVariants| g.variants.iter().map(|v| v.count).sum::<u64>();
        total(b).cmp(&total(a)).then_with(|| a.normalized.cmp(&b.normalized))
    });
    groups.truncate(VARIANT_GROUPS);
    groups
}
