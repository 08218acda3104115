//! Every SQL statement segaudit runs, generated here as pure text from plain inputs, so it can be
//! snapshot-tested, shown with `--show-sql` and re-run by hand. Identifiers go through [`ident`];
//! no data value is ever spliced in (spec predicates are parsed and checked before they get here).

use crate::udf;

/// Quotes an identifier exactly as written (`année`, `select`, `a "b"`).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A database `query` source's first row, from which its columns are learnt.
pub fn query_probe(query: &str) -> String {
    format!("SELECT * FROM ({query}) AS segaudit_query LIMIT 1")
}

/// A database `query` source scanned for `columns` (the projection DataFusion pushed down).
pub fn query_scan(query: &str, columns: &[&str], limit: Option<usize>) -> String {
    let list = if columns.is_empty() {
        "1".to_string()
    } else {
        columns.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
    };
    let mut sql = format!("SELECT {list} FROM ({query}) AS segaudit_query");
    if let Some(n) = limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    sql
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

/// The one profile pass: the row count and the profile aggregate over every column (per column: missing, invalid,
/// mojibake, distinct, top values, shapes, placeholders, kinds, case variants, typed statistics and,
/// for the key, duplicates), all from an exact count of each column's distinct texts.
pub fn profile(subject: &str, columns: &[&str]) -> String {
    let mut items = vec!["COUNT(*) AS \"rows\"".to_string()];
    if !columns.is_empty() {
        let texts: Vec<String> = columns.iter().map(|c| text_of(c)).collect();
        items.push(format!(
            "{}(\n         {}) AS \"profiles\"",
            udf::PROFILE,
            texts.join(",\n         ")
        ));
    }
    format!("SELECT {}\nFROM {}", items.join(",\n       "), ident(subject))
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

/// `COUNT(NULLIF(c, FALSE)) AS "alias"`: the rows where the condition `c` is TRUE (NULLIF keeps TRUE,
/// turns FALSE into NULL, leaves NULL; COUNT skips NULLs). The same number as
/// `COUNT(*) FILTER (WHERE c)` or `COUNT(CASE WHEN c THEN 1 END)`, and much cheaper in DataFusion 55:
/// a FILTER copies the input for every count, a CASE builds an integer column for every count, while
/// NULLIF only combines the condition's bitmaps and COUNT reads a null count. Every conditional count
/// of every pass is written here.
pub fn count_where(condition: &str, alias: &str) -> String {
    format!("COUNT(NULLIF({condition}, FALSE)) AS {}", ident(alias))
}

/// One aggregate pass over the typed subject: every segment, segment field and segmentation count.
pub fn segments(segments: &[SegmentSql], segmentations: &[SegmentationSql]) -> String {
    let mut inner = predicates(segments);
    inner.push("*".to_string());
    let mut outer = vec!["COUNT(*) AS \"rows\"".to_string()];
    for (j, s) in segments.iter().enumerate() {
        let pop = format!("\"__p{j}\" IS TRUE");
        outer.push(count_where(&pop, &format!("population_{j}")));
        outer.push(count_where(
            &format!("\"__p{j}\" IS NULL"),
            &format!("population_undetermined_{j}"),
        ));
        outer.push(count_where(
            &format!("{pop} AND \"__r{j}\" IS TRUE"),
            &format!("members_{j}"),
        ));
        outer.push(count_where(
            &format!("{pop} AND \"__r{j}\" IS FALSE"),
            &format!("non_members_{j}"),
        ));
        outer.push(count_where(
            &format!("{pop} AND \"__r{j}\" IS NULL"),
            &format!("undetermined_{j}"),
        ));
        for (k, f) in s.fields.iter().enumerate() {
            let f = ident(f);
            outer.push(count_where(
                &format!("{pop} AND {f} IS NOT NULL"),
                &format!("usable_{j}_{k}"),
            ));
            outer.push(count_where(
                &format!("{pop} AND \"__r{j}\" IS NULL AND {f} IS NULL"),
                &format!("undetermined_rows_{j}_{k}"),
            ));
        }
    }
    let mut middle = vec!["*".to_string()];
    for (g, s) in segmentations.iter().enumerate() {
        middle.push(format!("{} AS \"__in_{g}\"", in_any_population(&s.segments)));
        middle.push(format!("{} AS \"__true_{g}\"", member_count(&s.segments, "TRUE")));
        middle.push(format!("{} AS \"__null_{g}\"", member_count(&s.segments, "NULL")));
        outer.push(count_where(&format!("\"__in_{g}\""), &format!("sg_population_{g}")));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" = 1"),
            &format!("sg_exactly_one_{g}"),
        ));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" = 0 AND \"__null_{g}\" = 0"),
            &format!("sg_none_{g}"),
        ));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" >= 2"),
            &format!("sg_several_{g}"),
        ));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" = 0 AND \"__null_{g}\" > 0"),
            &format!("sg_undetermined_{g}"),
        ));
        for (x, a) in s.segments.iter().enumerate() {
            for b in &s.segments[x + 1..] {
                outer.push(count_where(
                    &format!("\"__p{a}\" IS TRUE AND \"__r{a}\" IS TRUE AND \"__p{b}\" IS TRUE AND \"__r{b}\" IS TRUE"),
                    &format!("sg_overlap_{g}_{a}_{b}"),
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
        aggregates.push(count_where(
            &format!("{} IS NOT NULL", ident(c)),
            &format!("field_usable_{k}"),
        ));
    }
    for (j, s) in segments.iter().enumerate() {
        let pop = format!("\"__p{j}\" IS TRUE");
        aggregates.push(count_where(&pop, &format!("population_{j}")));
        for (k, f) in s.fields.iter().enumerate() {
            aggregates.push(count_where(
                &format!("{pop} AND {} IS NOT NULL", ident(f)),
                &format!("usable_{j}_{k}"),
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
        outer.push(count_where(&format!("\"__p{j}\" IS TRUE"), &format!("population_{j}")));
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
    fn profile_sql() {
        insta::assert_snapshot!(profile("clients", &["region", "Birth Date"]));
    }
}
