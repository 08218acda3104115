//! Every SQL statement segaudit runs, generated here as pure text from plain inputs, so it can be
//! snapshot-tested, shown with `--show-sql` and re-run by hand. Identifiers go through [`ident`];
//! no data value is ever spliced in (spec predicates are parsed and checked before they get here).

use crate::udf;

/// Quotes an identifier exactly as written (`année`, `select`, `a "b"`).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column read as text, whatever its stored type.
pub fn text_of(column: &str) -> String {
    format!("CAST({} AS VARCHAR)", ident(column))
}

/// Name of the typed, cleaned subject view (contract §3).
pub const TYPED_SUBJECT: &str = "__segaudit_typed";

/// The typed subject: column `i` holds `segaudit_value_i` of its text (parsed when usable, else NULL).
pub fn typed_subject(subject: &str, columns: &[String]) -> String {
    let items: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}({}) AS {}", udf::value_name(i), text_of(c), ident(c)))
        .collect();
    format!("SELECT {}\nFROM {}", items.join(",\n       "), ident(subject))
}

/// One subject column in the profile pass.
pub struct ProfileColumn<'a> {
    pub name: &'a str,
    /// Typed statistics: min/max and deciles, plus mean and quartiles when `numeric`.
    pub stats: bool,
    pub numeric: bool,
    /// How the typed value becomes a number for deciles (`CAST(v AS DOUBLE)` for numbers, days or
    /// microseconds since the epoch for dates and timestamps).
    pub as_number: Option<&'static str>,
}

/// Edges of the equal-frequency histogram drawn in the HTML report: min, the nine deciles, max.
pub const DECILES: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// One aggregate pass: rows, missing, invalid, mojibake, typed stats per column, duplicate keys.
pub fn profile(subject: &str, columns: &[ProfileColumn], key: Option<&str>) -> String {
    let mut inner = Vec::new();
    let mut outer = vec!["COUNT(*) AS \"rows\"".to_string()];
    for (i, c) in columns.iter().enumerate() {
        let text = text_of(c.name);
        inner.push(format!("{}({text}) AS \"s{i}\"", udf::status_name(i)));
        inner.push(format!("{}({text}) AS \"j{i}\"", udf::MOJIBAKE));
        outer.push(format!("COUNT(*) FILTER (WHERE \"s{i}\" = 1) AS \"missing_{i}\""));
        outer.push(format!("COUNT(*) FILTER (WHERE \"s{i}\" = 2) AS \"invalid_{i}\""));
        outer.push(format!("COUNT(*) FILTER (WHERE \"j{i}\") AS \"mojibake_{i}\""));
        if c.stats {
            inner.push(format!("{}({text}) AS \"v{i}\"", udf::value_name(i)));
            outer.push(format!("CAST(MIN(\"v{i}\") AS VARCHAR) AS \"min_{i}\""));
            outer.push(format!("CAST(MAX(\"v{i}\") AS VARCHAR) AS \"max_{i}\""));
            if c.numeric {
                outer.push(format!("AVG(CAST(\"v{i}\" AS DOUBLE)) AS \"mean_{i}\""));
                for (q, label) in [(0.25, "q1"), (0.5, "median"), (0.75, "q3")] {
                    outer.push(format!(
                        "approx_percentile_cont({q}) WITHIN GROUP (ORDER BY CAST(\"v{i}\" AS DOUBLE)) AS \"{label}_{i}\""
                    ));
                }
            }
            if let Some(template) = c.as_number {
                let x = template.replace("{}", &format!("\"v{i}\""));
                for (d, q) in DECILES.iter().enumerate() {
                    outer.push(format!(
                        "approx_percentile_cont({q}) WITHIN GROUP (ORDER BY {x}) AS \"d{d}_{i}\""
                    ));
                }
            }
        }
    }
    if let Some(key) = key {
        inner.push(format!("{}({}) AS \"key\"", udf::CLEAN, text_of(key)));
        outer.push("COUNT(\"key\") - COUNT(DISTINCT \"key\") AS \"duplicate_keys\"".to_string());
    }
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM {})",
        outer.join(",\n       "),
        inner.join(",\n             "),
        ident(subject)
    )
}

/// The families of value counts the frequency pass groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Values,
    Shapes,
    Placeholders,
    Kinds,
}

pub const FAMILIES: [Family; 4] = [Family::Values, Family::Shapes, Family::Placeholders, Family::Kinds];

/// One pass for every column and family: the `top` most frequent entries, the number of distinct
/// entries, and every value that has case variants (equal to another once trimmed, lower-cased and
/// stripped of accents). Each row is unpivoted into (set, value) pairs with `unnest`, then grouped once (GROUPING
/// SETS would cap at 64 columns). Missing values are left out. Output: `set`, `value`, `n`, `groups`, `rank`, `variants`;
/// set = family_index * columns + column_index. `pii` columns get no shape or placeholder set (their
/// value set only feeds `distinct`).
pub fn frequencies(subject: &str, columns: &[&str], pii: &[bool], top: usize) -> String {
    let n = columns.len();
    let mut values = Vec::new();
    let mut derived = Vec::new();
    let mut set_ids = Vec::new();
    let mut entries = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        let text = text_of(c);
        values.push(format!(
            "CASE WHEN {}({text}) <> 1 THEN {text} END AS \"c{i}\"",
            udf::status_name(i)
        ));
        let mut push = |family: usize, expr: String| {
            derived.push(format!("{expr} AS \"f{family}_{i}\""));
            set_ids.push((family * n + i).to_string());
            entries.push(format!("\"f{family}_{i}\""));
        };
        push(0, format!("\"c{i}\""));
        if !pii.get(i).copied().unwrap_or(false) {
            push(1, format!("{}(\"c{i}\")", udf::SHAPE));
            push(2, format!("CASE WHEN {}(\"c{i}\") THEN \"c{i}\" END", udf::PLACEHOLDER));
        }
        push(3, format!("{}(\"c{i}\")", udf::KIND));
    }
    // Value sets of non-pii columns also look for case variants: values equal once folded.
    let foldable: Vec<String> = (0..n)
        .filter(|i| !pii.get(*i).copied().unwrap_or(false))
        .map(|i| i.to_string())
        .collect();
    let folded = if foldable.is_empty() {
        "CAST(NULL AS VARCHAR)".to_string()
    } else {
        format!(
            "CASE WHEN \"set\" IN ({}) THEN {}(\"value\") END",
            foldable.join(", "),
            udf::FOLD
        )
    };
    format!(
        "SELECT \"set\", \"value\", \"n\", \"groups\", \"rank\", \"variants\"\n\
         FROM (SELECT \"set\", \"value\", \"n\",\n\
                      ROW_NUMBER() OVER (PARTITION BY \"set\" ORDER BY \"n\" DESC, \"value\") AS \"rank\",\n\
                      COUNT(*) OVER (PARTITION BY \"set\") AS \"groups\",\n\
                      CASE WHEN \"folded\" IS NULL THEN 1 ELSE COUNT(*) OVER (PARTITION BY \"set\", \"folded\") END AS \"variants\"\n\
               FROM (SELECT \"set\", \"value\", \"n\", {folded} AS \"folded\"\n\
                     FROM (SELECT \"set\", \"value\", COUNT(*) AS \"n\"\n\
                           FROM (SELECT unnest(make_array({})) AS \"set\",\n\
                                        unnest(make_array({})) AS \"value\"\n\
                                 FROM (SELECT {}\n\
                                       FROM (SELECT {}\n\
                                             FROM {})))\n\
                           WHERE \"value\" IS NOT NULL\n\
                           GROUP BY \"set\", \"value\")))\n\
         WHERE \"rank\" <= {top} OR \"variants\" > 1\n\
         ORDER BY \"set\", \"rank\"",
        set_ids.join(", "),
        entries.join(", "),
        derived.join(", "),
        values.join(", "),
        ident(subject),
    )
}

/// One segment as the segment pass sees it: predicates already parsed and checked.
pub struct SegmentSql<'a> {
    pub population: Option<&'a str>,
    pub rule: &'a str,
    pub fields: Vec<&'a str>,
}

pub struct SegmentationSql {
    /// Indexes into the segment list.
    pub segments: Vec<usize>,
}

fn predicates(segments: &[SegmentSql]) -> Vec<String> {
    let mut items = Vec::new();
    for (j, s) in segments.iter().enumerate() {
        items.push(format!("({}) AS \"__p{j}\"", s.population.unwrap_or("TRUE")));
        items.push(format!("({}) AS \"__r{j}\"", s.rule));
    }
    items
}

fn member_count(segments: &[usize], truth: &str) -> String {
    let terms: Vec<String> = segments
        .iter()
        .map(|j| format!("CASE WHEN \"__p{j}\" IS TRUE AND \"__r{j}\" IS {truth} THEN 1 ELSE 0 END"))
        .collect();
    if terms.is_empty() {
        "0".to_string()
    } else {
        terms.join(" + ")
    }
}

fn in_any_population(segments: &[usize]) -> String {
    let terms: Vec<String> = segments.iter().map(|j| format!("\"__p{j}\" IS TRUE")).collect();
    if terms.is_empty() {
        "FALSE".to_string()
    } else {
        format!("({})", terms.join(" OR "))
    }
}

/// Every segment's population and rule, per row of `table` (columns `__pJ`, `__rJ`, then the row):
/// how rule tests see what each predicate says.
pub fn evaluate(segments: &[SegmentSql], table: &str) -> String {
    let mut items = predicates(segments);
    items.push("*".to_string());
    format!("SELECT {} FROM {}", items.join(", "), ident(table))
}

/// One aggregate pass over the typed subject: every segment, segment field and segmentation count.
pub fn segments(segments: &[SegmentSql], segmentations: &[SegmentationSql]) -> String {
    let mut inner = predicates(segments);
    inner.push("*".to_string());
    let mut outer = vec!["COUNT(*) AS \"rows\"".to_string()];
    for (j, s) in segments.iter().enumerate() {
        let pop = format!("\"__p{j}\" IS TRUE");
        outer.push(format!("COUNT(*) FILTER (WHERE {pop}) AS \"population_{j}\""));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE \"__p{j}\" IS NULL) AS \"population_undetermined_{j}\""
        ));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE {pop} AND \"__r{j}\" IS TRUE) AS \"members_{j}\""
        ));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE {pop} AND \"__r{j}\" IS FALSE) AS \"non_members_{j}\""
        ));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE {pop} AND \"__r{j}\" IS NULL) AS \"undetermined_{j}\""
        ));
        for (k, f) in s.fields.iter().enumerate() {
            let f = ident(f);
            outer.push(format!(
                "COUNT(*) FILTER (WHERE {pop} AND {f} IS NOT NULL) AS \"usable_{j}_{k}\""
            ));
            outer.push(format!(
                "COUNT(*) FILTER (WHERE {pop} AND \"__r{j}\" IS NULL AND {f} IS NULL) AS \"undetermined_rows_{j}_{k}\""
            ));
        }
    }
    let mut middle = vec!["*".to_string()];
    for (g, s) in segmentations.iter().enumerate() {
        middle.push(format!("{} AS \"__in_{g}\"", in_any_population(&s.segments)));
        middle.push(format!("{} AS \"__true_{g}\"", member_count(&s.segments, "TRUE")));
        middle.push(format!("{} AS \"__null_{g}\"", member_count(&s.segments, "NULL")));
        outer.push(format!("COUNT(*) FILTER (WHERE \"__in_{g}\") AS \"sg_population_{g}\""));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE \"__in_{g}\" AND \"__true_{g}\" = 1) AS \"sg_exactly_one_{g}\""
        ));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE \"__in_{g}\" AND \"__true_{g}\" = 0 AND \"__null_{g}\" = 0) AS \"sg_none_{g}\""
        ));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE \"__in_{g}\" AND \"__true_{g}\" >= 2) AS \"sg_several_{g}\""
        ));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE \"__in_{g}\" AND \"__true_{g}\" = 0 AND \"__null_{g}\" > 0) AS \"sg_undetermined_{g}\""
        ));
        for (x, a) in s.segments.iter().enumerate() {
            for b in &s.segments[x + 1..] {
                outer.push(format!(
                    "COUNT(*) FILTER (WHERE \"__p{a}\" IS TRUE AND \"__r{a}\" IS TRUE AND \"__p{b}\" IS TRUE AND \"__r{b}\" IS TRUE) AS \"sg_overlap_{g}_{a}_{b}\""
                ));
            }
        }
    }
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM (SELECT {}\n            FROM {}))",
        outer.join(",\n       "),
        middle.join(", "),
        inner.join(", "),
        ident(TYPED_SUBJECT)
    )
}

/// One GROUPING SETS pass over the strata attributes: per group, its rows and the usable rows of every
/// subject column (the heatmap), each segment's population rows and the usable rows of each of its
/// fields. Output: `by` (attribute index), `value` (text, NULL for the missing group), `rows`,
/// `field_usable_k`, `population_j`, `usable_j_k`.
pub fn strata(segments: &[SegmentSql], strata: &[&str], columns: &[&str]) -> String {
    let mut inner = predicates(segments);
    inner.push("*".to_string());
    let mut aggregates = vec!["COUNT(*) AS \"rows\"".to_string()];
    for (k, c) in columns.iter().enumerate() {
        aggregates.push(format!(
            "COUNT(*) FILTER (WHERE {} IS NOT NULL) AS \"field_usable_{k}\"",
            ident(c)
        ));
    }
    for (j, s) in segments.iter().enumerate() {
        let pop = format!("\"__p{j}\" IS TRUE");
        aggregates.push(format!("COUNT(*) FILTER (WHERE {pop}) AS \"population_{j}\""));
        for (k, f) in s.fields.iter().enumerate() {
            aggregates.push(format!(
                "COUNT(*) FILTER (WHERE {pop} AND {} IS NOT NULL) AS \"usable_{j}_{k}\"",
                ident(f)
            ));
        }
    }
    let attributes: Vec<String> = strata
        .iter()
        .enumerate()
        .map(|(a, s)| format!("CAST({} AS VARCHAR) AS \"__a{a}\"", ident(s)))
        .collect();
    let by_case: Vec<String> = (0..strata.len())
        .map(|a| format!("WHEN grouping(\"__a{a}\") = 0 THEN {a}"))
        .collect();
    let value = if strata.is_empty() {
        "NULL".to_string()
    } else {
        format!(
            "COALESCE({})",
            (0..strata.len())
                .map(|a| format!("\"__a{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let sets: Vec<String> = (0..strata.len()).map(|a| format!("(\"__a{a}\")")).collect();
    format!(
        "SELECT CASE {} END AS \"by\", {value} AS \"value\", {}\nFROM (SELECT {}, {}\n      FROM {})\nGROUP BY GROUPING SETS ({})",
        by_case.join(" "),
        aggregates.join(",\n       "),
        attributes.join(", "),
        inner.join(", "),
        ident(TYPED_SUBJECT),
        sets.join(", ")
    )
}

/// One aggregate: how often each combination of unusable segment fields occurs, overall and inside
/// each segment's population. `pattern` has one character per field: `1` unusable, `0` usable.
pub fn co_missingness(segments: &[SegmentSql], fields: &[&str]) -> String {
    let flags: Vec<String> = fields
        .iter()
        .map(|f| format!("CASE WHEN {} IS NULL THEN '1' ELSE '0' END", ident(f)))
        .collect();
    let pattern = match flags.as_slice() {
        [] => "''".to_string(),
        [one] => one.clone(),
        many => format!("concat({})", many.join(", ")),
    };
    let mut outer = vec!["\"pattern\"".to_string(), "COUNT(*) AS \"rows\"".to_string()];
    let mut inner = vec![format!("{pattern} AS \"pattern\"")];
    for (j, s) in segments.iter().enumerate() {
        inner.push(format!("({}) AS \"__p{j}\"", s.population.unwrap_or("TRUE")));
        outer.push(format!(
            "COUNT(*) FILTER (WHERE \"__p{j}\" IS TRUE) AS \"population_{j}\""
        ));
    }
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM {})\nGROUP BY \"pattern\"",
        outer.join(", "),
        inner.join(", "),
        ident(TYPED_SUBJECT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(ident("année"), "\"année\"");
        assert_eq!(ident("a \"b\""), "\"a \"\"b\"\"\"");
    }

    #[test]
    fn typed_subject_sql() {
        insta::assert_snapshot!(typed_subject("clients", &["id".into(), "Birth Date".into()]));
    }

    #[test]
    fn segment_sql() {
        let segs = [
            SegmentSql {
                population: Some("customer_type = 'B2C'"),
                rule: "avg_days_late < 7",
                fields: vec!["avg_days_late", "customer_type"],
            },
            SegmentSql {
                population: None,
                rule: "avg_days_late >= 7",
                fields: vec!["avg_days_late"],
            },
        ];
        insta::assert_snapshot!(segments(&segs, &[SegmentationSql { segments: vec![0, 1] }]));
        insta::assert_snapshot!(strata(&segs, &["region"], &["region", "avg_days_late"]));
        insta::assert_snapshot!(co_missingness(&segs, &["avg_days_late", "customer_type"]));
    }

    #[test]
    fn frequency_sql() {
        insta::assert_snapshot!(frequencies("clients", &["region", "phone"], &[false, true], 10));
    }
}
