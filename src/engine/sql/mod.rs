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
    columns.iter().enumerate().map(|(i, c)| typed_item(i, c)).collect()
}

/// Subject column `index`, named `column`, as its typed value.
fn typed_item(index: usize, column: &str) -> String {
    format!("{}({}) AS {}", udf::value_name(index), text_of(column), ident(column))
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

/// What the profile pass reads besides the columns themselves (contract §10): each `applies_when`
/// and the identity columns, both on the typed subject.
#[derive(Default)]
pub struct ProfileSql<'a> {
    /// `(column index, predicate)`: the column is profiled on the rows where the predicate is not
    /// FALSE, and the rows where it is FALSE are counted as `not_applicable_c`.
    pub conditions: Vec<(usize, &'a str)>,
    /// The key's column index and the identity columns' indexes.
    pub identity: Option<(usize, Vec<usize>)>,
    /// Every column a condition or the identity reads: typed under its own name.
    pub typed: Vec<usize>,
}

/// The one profile pass: the row count and the profile aggregate over every column (per column: missing, invalid,
/// mojibake, distinct, top values, shapes, placeholders, kinds, case variants, typed statistics and,
/// for the key, duplicates), all from an exact count of each column's distinct texts.
///
/// With `applies_when` or `identity` (contract §10), the same scan first types the columns they
/// read (under their own names, as predicates see them) beside every column's text (`__xK`): a
/// conditioned column's text is passed only where its predicate is not FALSE (so every count of
/// its profile is over applicable rows, and its rows where the predicate is FALSE add to its NULLs,
/// which the reader subtracts), and the identity aggregate reads the key's text and the identity
/// columns' typed values, case-folded.
pub fn profile(subject: &str, columns: &[&str], extra: &ProfileSql) -> String {
    let mut items = vec![aliased("COUNT(*)", &Col::Rows)];
    if extra.conditions.is_empty() && extra.identity.is_none() {
        if !columns.is_empty() {
            let texts: Vec<String> = columns.iter().map(|c| text_of(c)).collect();
            items.push(profile_call(&texts));
        }
        return format!("SELECT {}\nFROM {}", items.join(",\n       "), ident(subject));
    }
    let raw = |k: usize| ident(&format!("__x{k}"));
    let mut inner: Vec<String> = (0..columns.len())
        .map(|k| format!("{} AS {}", text_of(columns[k]), raw(k)))
        .collect();
    inner.extend(extra.typed.iter().map(|&k| typed_item(k, columns[k])));
    for (c, (_, predicate)) in extra.conditions.iter().enumerate() {
        items.push(count_where(&format!("NOT ({predicate})"), &Col::NotApplicable(c)));
    }
    let texts: Vec<String> = (0..columns.len())
        .map(|k| match extra.conditions.iter().find(|(column, _)| *column == k) {
            Some((_, predicate)) => format!("CASE WHEN ({predicate}) IS NOT FALSE THEN {} END", raw(k)),
            None => raw(k),
        })
        .collect();
    if !columns.is_empty() {
        items.push(profile_call(&texts));
    }
    if let Some((key, identity)) = &extra.identity {
        let mut arguments = vec![raw(*key)];
        arguments.extend(
            identity
                .iter()
                .map(|&k| format!("lower(CAST({} AS VARCHAR))", ident(columns[k]))),
        );
        items.push(aliased(
            &format!("{}({})", udf::IDENTITIES, arguments.join(", ")),
            &Col::DuplicateIdentities,
        ));
    }
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM {})",
        items.join(",\n       "),
        inner.join(",\n             "),
        ident(subject)
    )
}

fn profile_call(texts: &[String]) -> String {
    format!(
        "{}(\n         {}) AS {}",
        udf::PROFILE,
        texts.join(",\n         "),
        ident(&Col::Profiles.alias())
    )
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

/// The number shapes `init` counts per column, by name, as regular expressions over the trimmed
/// text (contract §10: which `decimal` and `thousands` the column writes). `int`, `point`, `comma`,
/// `space`, `dot_fraction` and `dot_whole` are disjoint and together the numeric-looking texts;
/// `point3`, `comma3`, `space_fraction` and `space_comma` are parts of them that decide ambiguities
/// (`1.234`, `1,234` may be a decimal or a group of thousands). The no-break spaces U+00A0 and
/// U+202F stand as themselves in the patterns: no escape is left to the SQL dialect.
pub const NUMBER_SHAPES: [(&str, &str); 10] = [
    ("int", "^[+-]?[0-9]+$"),
    ("point", "^[+-]?[0-9]*[.][0-9]+$"),
    ("point3", "^[+-]?[0-9]{1,3}[.][0-9]{3}$"),
    ("comma", "^[+-]?[0-9]*,[0-9]+$"),
    ("comma3", "^[+-]?[0-9]{1,3},[0-9]{3}$"),
    ("space", "^[+-]?[0-9]{1,3}([ \u{a0}\u{202f}][0-9]{3})+([,.][0-9]+)?$"),
    (
        "space_fraction",
        "^[+-]?[0-9]{1,3}([ \u{a0}\u{202f}][0-9]{3})+[,.][0-9]+$",
    ),
    ("space_comma", "^[+-]?[0-9]{1,3}([ \u{a0}\u{202f}][0-9]{3})+,[0-9]+$"),
    ("dot_fraction", "^[+-]?[0-9]{1,3}([.][0-9]{3})+,[0-9]+$"),
    ("dot_whole", "^[+-]?[0-9]{1,3}([.][0-9]{3}){2,}$"),
];

/// `init`'s one scan for number conventions: per column of `leading`, the values that start with a
/// zero then a digit (`08123`: integer-looking codes stay text); per column of `numbers`, the texts of
/// every [`NUMBER_SHAPES`] shape. One aggregate, however many columns.
pub fn number_texts(subject: &str, leading: &[&str], numbers: &[&str]) -> String {
    let mut items: Vec<String> = leading
        .iter()
        .enumerate()
        .map(|(k, c)| {
            count_where(
                &format!("regexp_like(trim({}), '^[+-]?0[0-9]')", text_of(c)),
                &Col::LeadingZeros(k),
            )
        })
        .collect();
    for (k, c) in numbers.iter().enumerate() {
        for (name, pattern) in NUMBER_SHAPES {
            items.push(count_where(
                &format!("regexp_like(trim({}), '{pattern}')", text_of(c)),
                &Col::NumberTexts(k, name),
            ));
        }
    }
    if items.is_empty() {
        items.push(aliased("COUNT(*)", &Col::Rows));
    }
    format!("SELECT {} FROM {}", items.join(",\n       "), ident(subject))
}

/// `init`'s one scan for conditional fields: the rows grouped, one grouping set per attribute of
/// `by` (low-cardinality columns, at subject indexes), by the attribute's typed value (`''` for
/// missing, so in a set only its attribute is non-NULL), with per group its rows and, per field of
/// `fields` (subject indexes), its present rows. The groups add up over attributes instead of
/// multiplying; the aggregate grows with fields, the scans do not.
pub fn presence_by_value(subject: &str, columns: &[&str], by: &[usize], fields: &[usize]) -> String {
    let column = |i: usize| columns.get(i).copied().unwrap_or_default();
    let mut inner: Vec<String> = by
        .iter()
        .enumerate()
        .map(|(a, &i)| {
            aliased(
                &format!("COALESCE({}({}), '')", udf::value_name(i), text_of(column(i))),
                &Col::ValueOf(a),
            )
        })
        .collect();
    inner.extend(fields.iter().enumerate().map(|(k, &i)| {
        format!(
            "{}({}) AS {}",
            udf::usable_name(i),
            text_of(column(i)),
            ident(&format!("__f{k}"))
        )
    }));
    let attributes: Vec<String> = (0..by.len()).map(|a| ident(&Col::ValueOf(a).alias())).collect();
    let mut selected = attributes.clone();
    selected.push(aliased("COUNT(*)", &Col::Rows));
    selected.extend((0..fields.len()).map(|k| count_where(&ident(&format!("__f{k}")), &Col::PresentIn(k))));
    let sets: Vec<String> = attributes.iter().map(|a| format!("({a})")).collect();
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM {})\nGROUP BY GROUPING SETS ({})",
        selected.join(",\n       "),
        inner.join(",\n              "),
        ident(subject),
        sets.join(", ")
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

/// What the fused pass reads: the subject's columns, the segments, the segment fields whose absence
/// it tracks, the strata attributes, and how to group by them.
pub struct FusedSql<'a> {
    pub subject: &'a str,
    pub columns: &'a [&'a str],
    pub segments: &'a [SegmentSql<'a>],
    /// Every field some segment reads, once: their absence is packed with the truth values.
    pub fields: &'a [&'a str],
    pub strata: &'a [&'a str],
    /// Every segment variant's rule (contract §12): one more truth value each, after the fields'.
    pub variants: &'a [&'a str],
    /// The fields only variants read, whose absence is packed last.
    pub variant_fields: &'a [&'a str],
    /// One grouping set per strata attribute, instead of one grouping by all of them: the groups
    /// add up instead of multiplying, when the attributes have many values.
    pub apart: bool,
}

/// The truth values the fused pass packs, in order: `(population)` and `(rule)` of every segment,
/// then `"field" IS NULL` of every segment field, then `(variant rule)` of every variant and
/// `"field" IS NULL` of the fields only variants read; [`udf::unpack_truth`] reads them back by index.
fn truth_values(fused: &FusedSql) -> Vec<String> {
    let mut values = Vec::new();
    for s in fused.segments {
        values.push(format!("({})", s.population.unwrap_or("TRUE")));
        values.push(format!("({})", s.rule));
    }
    values.extend(fused.fields.iter().map(|f| format!("{} IS NULL", ident(f))));
    values.extend(fused.variants.iter().map(|rule| format!("({rule})")));
    values.extend(fused.variant_fields.iter().map(|f| format!("{} IS NULL", ident(f))));
    values
}

/// The one pass after the profile: the rows grouped by the strata attributes' values and by every
/// truth value of [`truth_values`], packed in a few integer keys (`segaudit_truths`); per group, its
/// rows and, with strata, the usable rows of every subject column (the heatmap). Every segment,
/// segmentation, strata and co-missingness count is a sum of these groups' rows, made in Rust, so a
/// segment adds a truth value to the key, not counts to the aggregate. Columns: `by` (with
/// `apart`: the attribute index of the group's set), `__aA` (text, NULL for the missing group),
/// `__tI`, `rows`, `field_usable_k`.
pub fn fused(fused: &FusedSql) -> String {
    // Only the columns a predicate or a stratum reads are typed; the others are only tested for
    // usability, for the heatmap.
    let typed: Vec<&str> = fused
        .fields
        .iter()
        .chain(fused.variant_fields)
        .chain(fused.strata)
        .copied()
        .collect();
    let mut inner: Vec<String> = fused
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| typed.contains(c))
        .map(|(k, c)| typed_item(k, c))
        .collect();
    let mut aggregates = vec![aliased("COUNT(*)", &Col::Rows)];
    for (k, c) in fused.columns.iter().enumerate().filter(|_| !fused.strata.is_empty()) {
        let usable = if typed.contains(c) {
            format!("{} IS NOT NULL", ident(c))
        } else {
            let name = format!("__u{k}");
            inner.push(format!("{}({}) AS {}", udf::usable_name(k), text_of(c), ident(&name)));
            ident(&name)
        };
        aggregates.push(count_where(&usable, &Col::FieldUsable(k)));
    }
    let mut middle: Vec<String> = fused
        .strata
        .iter()
        .enumerate()
        .map(|(a, s)| aliased(&format!("CAST({} AS VARCHAR)", ident(s)), &Col::Stratum(a)))
        .collect();
    let values = truth_values(fused);
    let keys: Vec<String> = (0..values.len().div_ceil(udf::TRUTHS_PER_KEY))
        .map(|i| ident(&Col::Truths(i).alias()))
        .collect();
    for (i, chunk) in values.chunks(udf::TRUTHS_PER_KEY).enumerate() {
        middle.push(aliased(
            &format!("{}({})", udf::TRUTHS, chunk.join(", ")),
            &Col::Truths(i),
        ));
    }
    middle.push("*".to_string());
    let attributes: Vec<String> = (0..fused.strata.len())
        .map(|a| ident(&Col::Stratum(a).alias()))
        .collect();
    let mut selected: Vec<String> = attributes.iter().chain(&keys).cloned().collect();
    let group_by = if fused.apart {
        let by_case: Vec<String> = attributes
            .iter()
            .enumerate()
            .map(|(a, attribute)| format!("WHEN grouping({attribute}) = 0 THEN {a}"))
            .collect();
        selected.insert(0, aliased(&format!("CASE {} END", by_case.join(" ")), &Col::By));
        let sets: Vec<String> = attributes
            .iter()
            .map(|attribute| {
                format!(
                    "({})",
                    std::iter::once(attribute)
                        .chain(&keys)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        format!("GROUPING SETS ({})", sets.join(", "))
    } else {
        attributes.iter().chain(&keys).cloned().collect::<Vec<_>>().join(", ")
    };
    selected.extend(aggregates);
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM (SELECT {}\n            FROM {}))\nGROUP BY {group_by}",
        selected.join(",\n       "),
        middle.join(",\n              "),
        inner.join(",\n                    "),
        ident(fused.subject)
    )
}

/// One side of a `[[link]]` as [`link`] reads it: a registered table, one of its columns, and the
/// function that turns the column's text into the value the link compares (NULL when missing).
pub struct LinkSide<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub function: &'a str,
}

/// One `[[link]]`'s numbers (contract §10) in one statement over its two columns. Both sides' values
/// are stacked (UNION ALL, tagged by side) and grouped by value: each group then knows how many
/// `from` rows and how many `to` rows hold that value, and every number is a sum over groups —
/// orphans are the `from` rows of groups no `to` row is in, unmatched the `to` rows of groups no
/// `from` row is in, the missing the `from` rows of the NULL group. One hash aggregate keyed by the
/// distinct values (it spills under a memory limit), where a join would need a second statement, or
/// a distinct on one side, to count the other side's unmatched rows; and counting rows, not distinct
/// values, falls out of summing. The subject is not scanned for it (unless it is one of the sides).
pub fn link(from: &LinkSide, to: &LinkSide) -> String {
    let (value, side, from_n, to_n) = (ident("__v"), ident("__side"), ident("__f"), ident("__t"));
    let stacked = |s: &LinkSide, tag: u8| {
        format!(
            "SELECT {}({}) AS {value}, {tag} AS {side} FROM {}",
            s.function,
            text_of(s.column),
            ident(s.table)
        )
    };
    let items = [
        aliased(&format!("SUM({from_n})"), &Col::LinkFromRows),
        aliased(
            &format!("SUM(CASE WHEN {value} IS NULL THEN {from_n} ELSE 0 END)"),
            &Col::LinkFromMissing,
        ),
        aliased(
            &format!("SUM(CASE WHEN {value} IS NOT NULL AND {to_n} = 0 THEN {from_n} ELSE 0 END)"),
            &Col::LinkOrphans,
        ),
        aliased(&format!("SUM({to_n})"), &Col::LinkToRows),
        aliased(
            &format!("SUM(CASE WHEN {value} IS NOT NULL AND {from_n} = 0 THEN {to_n} ELSE 0 END)"),
            &Col::LinkToUnmatched,
        ),
    ];
    format!(
        "SELECT {}\nFROM (SELECT {value}, SUM(1 - {side}) AS {from_n}, SUM({side}) AS {to_n}\n      FROM ({}\n            UNION ALL\n            {})\n      GROUP BY {value})",
        items.join(",\n       "),
        stacked(from, 0),
        stacked(to, 1)
    )
}

pub mod assign;
#[cfg(test)]
mod tests;
