//! Every SQL statement segaudit runs, generated here as pure text from plain inputs, so it can be
//! snapshot-tested, shown with `--show-sql` and re-run by hand. Identifiers go through [`ident`];
//! no data value is ever spliced in (spec predicates are parsed and checked before they get here).

use crate::engine::columns::Col;
use crate::engine::udf;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SqlStatement {
    pub purpose: String,
    pub sql: String,
}

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
    format!(
        "SELECT {}\nFROM {}",
        typed_items(columns).join(",\n       "),
        ident(subject)
    )
}

fn typed_items(columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}({}) AS {}", udf::value_name(i), text_of(c), ident(c)))
        .collect()
}

/// The typed subject with, first, the text of `key` as it stands in the subject under `alias`: what
/// `assign` writes as the key, while predicates read the typed columns (one typed-subject definition).
pub fn typed_subject_with_key(subject: &str, columns: &[String], key: &str, alias: &str) -> String {
    let mut items = vec![format!("{} AS {}", text_of(key), ident(alias))];
    items.extend(typed_items(columns));
    format!("SELECT {}\nFROM {}", items.join(",\n       "), ident(subject))
}

/// A text literal for a name the tool itself chose or read from the spec (a segment id, a column
/// name written as a value): quotes doubled, the only escape DataFusion's SQL dialect has.
pub fn text_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The one profile pass: the row count and the profile aggregate over every column (per column: missing, invalid,
/// mojibake, distinct, top values, shapes, placeholders, kinds, case variants, typed statistics and,
/// for the key, duplicates), all from an exact count of each column's distinct texts.
pub fn profile(subject: &str, columns: &[&str]) -> String {
    let mut items = vec![aliased("COUNT(*)", &Col::Rows)];
    if !columns.is_empty() {
        let texts: Vec<String> = columns.iter().map(|c| text_of(c)).collect();
        items.push(format!(
            "{}(\n         {}) AS {}",
            udf::PROFILE,
            texts.join(",\n         "),
            ident(&Col::Profiles.alias())
        ));
    }
    format!("SELECT {}\nFROM {}", items.join(",\n       "), ident(subject))
}

/// Up to `limit` present values of one column as text (`init` guesses date formats from them).
pub fn sample(subject: &str, column: &str, limit: usize) -> String {
    format!(
        "SELECT {} AS {} FROM {} WHERE {} IS NOT NULL LIMIT {limit}",
        text_of(column),
        ident(&Col::Sample.alias()),
        ident(subject),
        ident(column)
    )
}

/// One scan counting, per column, the values that start with a zero then a digit (`08123`): `init`
/// keeps such integer-looking codes as text.
pub fn leading_zeros(subject: &str, columns: &[&str]) -> String {
    let items: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            count_where(
                &format!("regexp_like(trim({}), '^[+-]?0[0-9]')", text_of(c)),
                &Col::LeadingZeros(k),
            )
        })
        .collect();
    format!("SELECT {} FROM {}", items.join(", "), ident(subject))
}

/// One segment as the segment pass sees it: predicates already parsed and checked.
pub struct SegmentSql<'a> {
    pub population: Option<&'a str>,
    pub rule: &'a str,
    pub fields: Vec<&'a str>,
    /// The fields whose absence the population or rule tests (contract §9): they get a
    /// `decided_on_missing_J_K` count.
    pub absence: Vec<&'a str>,
}

pub struct SegmentationSql {
    /// Indexes into the segment list.
    pub segments: Vec<usize>,
}

/// Segment `j`'s population truth value, as the passes name it.
fn pop(j: usize) -> String {
    ident(&Col::PopulationTruth(j).alias())
}

/// Segment `j`'s rule truth value, as the passes name it.
fn rule(j: usize) -> String {
    ident(&Col::RuleTruth(j).alias())
}

/// `(population) AS "__pJ"`, `(rule) AS "__rJ"` for every segment: the one rendering of the spec's
/// predicates that every pass (and `assign`) selects from.
pub fn predicates(segments: &[SegmentSql]) -> Vec<String> {
    let mut items = Vec::new();
    for (j, s) in segments.iter().enumerate() {
        items.push(aliased(
            &format!("({})", s.population.unwrap_or("TRUE")),
            &Col::PopulationTruth(j),
        ));
        items.push(aliased(&format!("({})", s.rule), &Col::RuleTruth(j)));
    }
    items
}

fn member_count(segments: &[usize], truth: &str) -> String {
    let terms: Vec<String> = segments
        .iter()
        .map(|&j| {
            format!(
                "CASE WHEN {} IS TRUE AND {} IS {truth} THEN 1 ELSE 0 END",
                pop(j),
                rule(j)
            )
        })
        .collect();
    if terms.is_empty() {
        "0".to_string()
    } else {
        terms.join(" + ")
    }
}

fn in_any_population(segments: &[usize]) -> String {
    let terms: Vec<String> = segments.iter().map(|&j| format!("{} IS TRUE", pop(j))).collect();
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
pub fn count_where(condition: &str, column: &Col) -> String {
    format!("COUNT(NULLIF({condition}, FALSE)) AS {}", ident(&column.alias()))
}

/// `expression AS "alias"` for a result column.
fn aliased(expression: &str, column: &Col) -> String {
    format!("{expression} AS {}", ident(&column.alias()))
}

/// One aggregate pass over the typed subject: every segment, segment field and segmentation count.
pub fn segments(segments: &[SegmentSql], segmentations: &[SegmentationSql]) -> String {
    let mut inner = predicates(segments);
    inner.push("*".to_string());
    let mut outer = vec![aliased("COUNT(*)", &Col::Rows)];
    for (j, s) in segments.iter().enumerate() {
        let (p, r) = (pop(j), rule(j));
        let pop = format!("{p} IS TRUE");
        outer.push(count_where(&pop, &Col::Population(j)));
        outer.push(count_where(&format!("{p} IS NULL"), &Col::PopulationUndetermined(j)));
        outer.push(count_where(&format!("{pop} AND {r} IS TRUE"), &Col::Members(j)));
        outer.push(count_where(&format!("{pop} AND {r} IS FALSE"), &Col::NonMembers(j)));
        outer.push(count_where(&format!("{pop} AND {r} IS NULL"), &Col::Undetermined(j)));
        for (k, f) in s.fields.iter().enumerate() {
            let f = ident(f);
            outer.push(count_where(&format!("{pop} AND {f} IS NOT NULL"), &Col::Usable(j, k)));
            outer.push(count_where(
                &format!("{pop} AND {r} IS NULL AND {f} IS NULL"),
                &Col::UndeterminedRows(j, k),
            ));
            if s.absence.contains(&s.fields[k]) {
                // Classified (rule TRUE or FALSE) although the field is not usable.
                outer.push(count_where(
                    &format!("{pop} AND {r} IS NOT NULL AND {f} IS NULL"),
                    &Col::DecidedOnMissing(j, k),
                ));
            }
        }
    }
    let mut middle = vec!["*".to_string()];
    for (g, s) in segmentations.iter().enumerate() {
        middle.push(format!("{} AS \"__in_{g}\"", in_any_population(&s.segments)));
        middle.push(format!("{} AS \"__true_{g}\"", member_count(&s.segments, "TRUE")));
        middle.push(format!("{} AS \"__null_{g}\"", member_count(&s.segments, "NULL")));
        outer.push(count_where(&format!("\"__in_{g}\""), &Col::SegmentationPopulation(g)));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" = 1"),
            &Col::ExactlyOne(g),
        ));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" = 0 AND \"__null_{g}\" = 0"),
            &Col::NoSegment(g),
        ));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" >= 2"),
            &Col::Several(g),
        ));
        outer.push(count_where(
            &format!("\"__in_{g}\" AND \"__true_{g}\" = 0 AND \"__null_{g}\" > 0"),
            &Col::SegmentationUndetermined(g),
        ));
        for (x, a) in s.segments.iter().enumerate() {
            for b in &s.segments[x + 1..] {
                outer.push(count_where(
                    &format!(
                        "{} IS TRUE AND {} IS TRUE AND {} IS TRUE AND {} IS TRUE",
                        pop(*a),
                        rule(*a),
                        pop(*b),
                        rule(*b)
                    ),
                    &Col::Overlap(g, *a, *b),
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
    let mut aggregates = vec![aliased("COUNT(*)", &Col::Rows)];
    for (k, c) in columns.iter().enumerate() {
        aggregates.push(count_where(&format!("{} IS NOT NULL", ident(c)), &Col::FieldUsable(k)));
    }
    for (j, s) in segments.iter().enumerate() {
        let pop = format!("{} IS TRUE", pop(j));
        aggregates.push(count_where(&pop, &Col::Population(j)));
        for (k, f) in s.fields.iter().enumerate() {
            aggregates.push(count_where(
                &format!("{pop} AND {} IS NOT NULL", ident(f)),
                &Col::Usable(j, k),
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
        "SELECT {}, {}, {}\nFROM (SELECT {}, {}\n      FROM {})\nGROUP BY GROUPING SETS ({})",
        aliased(&format!("CASE {} END", by_case.join(" ")), &Col::By),
        aliased(&value, &Col::Value),
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
    let pattern_column = ident(&Col::Pattern.alias());
    let mut outer = vec![pattern_column.clone(), aliased("COUNT(*)", &Col::Rows)];
    let mut inner = vec![aliased(&pattern, &Col::Pattern)];
    for (j, s) in segments.iter().enumerate() {
        inner.push(aliased(
            &format!("({})", s.population.unwrap_or("TRUE")),
            &Col::PopulationTruth(j),
        ));
        outer.push(count_where(&format!("{} IS TRUE", pop(j)), &Col::Population(j)));
    }
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM {})\nGROUP BY {pattern_column}",
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
                absence: vec![],
            },
            SegmentSql {
                population: None,
                rule: "avg_days_late >= 7",
                fields: vec!["avg_days_late"],
                absence: vec![],
            },
        ];
        insta::assert_snapshot!(segments(&segs, &[SegmentationSql { segments: vec![0, 1] }]));
        insta::assert_snapshot!(strata(&segs, &["region"], &["region", "avg_days_late"]));
        insta::assert_snapshot!(co_missingness(&segs, &["avg_days_late", "customer_type"]));
    }

    #[test]
    fn decided_on_missing_is_one_more_count_of_the_same_pass() {
        let segs = [SegmentSql {
            population: None,
            rule: "secondary_breed IS NULL",
            fields: vec!["primary_breed", "secondary_breed"],
            absence: vec!["secondary_breed"],
        }];
        let sql = segments(&segs, &[]);
        assert!(sql.contains(
            "COUNT(NULLIF(\"__p0\" IS TRUE AND \"__r0\" IS NOT NULL AND \"secondary_breed\" IS NULL, FALSE)) AS \"decided_on_missing_0_1\""
        ));
        // Only for the fields whose absence is tested.
        assert!(!sql.contains("decided_on_missing_0_0"));
    }

    #[test]
    fn profile_sql() {
        insta::assert_snapshot!(profile("clients", &["region", "Birth Date"]));
    }
}
