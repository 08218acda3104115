//! The SQL of `assign`, generated as pure text like every other statement (see [`crate::engine::sql`]):
//! the one SELECT that decides every row, the aggregates that summarise the written file, and the
//! membership history merge. Predicates come from [`crate::engine::sql::predicates`], the subject from
//! [`crate::engine::sql::typed_subject_with_key`]: the same definitions `audit` counts with.

use crate::engine::columns::Col;
use crate::engine::sql::{count_where, ident, predicates, text_literal, typed_subject_with_key, SegmentSql};

use crate::engine::statuses::{Status, Verdict};

/// The subject key's text, carried beside the typed columns.
pub const KEY_ALIAS: &str = "__segaudit_key";
/// The written assignment, registered to be summarised and merged into the history.
pub const ASSIGNMENT: &str = "__segaudit_assignment";
/// The previous membership history (an empty table on the first run).
pub const OLD_MEMBERSHIP: &str = "__segaudit_membership_old";
/// The name of the column listing the fields to collect (contract §8).
pub const TO_COLLECT: &str = "to_collect";

/// What the assignment SELECT needs: the subject and its typed columns, the key, the segments (in
/// spec order, with their ids) and the segmentations (their ids and the indexes of their segments).
pub struct AssignSql<'a> {
    pub subject: &'a str,
    pub columns: &'a [String],
    pub key: &'a str,
    pub segments: &'a [SegmentSql<'a>],
    pub segment_ids: &'a [&'a str],
    pub segmentations: &'a [(&'a str, Vec<usize>)],
}

fn lit(status: Status) -> String {
    text_literal(status.as_str())
}

/// A segment's status from its population `__pJ` and rule `__rJ` (contract §8).
pub fn status(j: usize) -> String {
    format!(
        "CASE WHEN \"__p{j}\" IS NULL THEN {} WHEN NOT \"__p{j}\" THEN {} WHEN \"__r{j}\" THEN {} WHEN NOT \"__r{j}\" THEN {} ELSE {} END",
        lit(Status::PopulationUndetermined),
        lit(Status::Outside),
        lit(Status::Member),
        lit(Status::NonMember),
        lit(Status::Undetermined),
    )
}

/// A segmentation's value from its segments' statuses (SQL expressions, one per segment, NULL when
/// unknown): `outside` unless one segment has the row in its population (status member, non_member
/// or undetermined: the population TRUE, as `audit` counts a segmentation's population), then the one
/// member's id, `several`, `undetermined` (no member, one undetermined) or `none`. Written once and
/// used for this run's statuses and for the previous run's (transitions).
pub fn segmentation_value(statuses: &[String], ids: &[&str]) -> String {
    if statuses.is_empty() {
        return text_literal(Verdict::Outside.as_str());
    }
    let inside = [Status::Member, Status::NonMember, Status::Undetermined]
        .map(lit)
        .join(", ");
    let in_population: Vec<String> = statuses.iter().map(|s| format!("{s} IN ({inside})")).collect();
    let count_of = |status: Status| -> String {
        let terms: Vec<String> = statuses
            .iter()
            .map(|s| format!("CASE WHEN {s} = {} THEN 1 ELSE 0 END", lit(status)))
            .collect();
        format!("({})", terms.join(" + "))
    };
    let members = count_of(Status::Member);
    let the_one: Vec<String> = statuses
        .iter()
        .zip(ids)
        .map(|(s, id)| format!("WHEN {s} = {} THEN {}", lit(Status::Member), text_literal(id)))
        .collect();
    format!(
        "CASE WHEN ({}) IS NOT TRUE THEN {} WHEN {members} = 1 THEN CASE {} END WHEN {members} >= 2 THEN {} WHEN {} > 0 THEN {} ELSE {} END",
        in_population.join(" OR "),
        text_literal(Verdict::Outside.as_str()),
        the_one.join(" "),
        text_literal(Verdict::Several.as_str()),
        count_of(Status::Undetermined),
        text_literal(Verdict::Undetermined.as_str()),
        text_literal(Verdict::None.as_str()),
    )
}

/// `to_collect`: every field read by a segment left undecided (population NULL, or population TRUE
/// and rule NULL) and not usable in the row (NULL in the typed subject), sorted by name, joined by
/// `,`; empty when there is none.
pub fn to_collect(segments: &[SegmentSql]) -> String {
    let mut fields: Vec<&str> = segments.iter().flat_map(|s| s.fields.iter().copied()).collect();
    fields.sort_unstable();
    fields.dedup();
    let items: Vec<String> = fields
        .iter()
        .map(|f| {
            let undecided: Vec<String> = segments
                .iter()
                .enumerate()
                .filter(|(_, s)| s.fields.contains(f))
                .map(|(j, _)| format!("\"__p{j}\" IS NULL OR (\"__p{j}\" AND \"__r{j}\" IS NULL)"))
                .collect();
            format!(
                "CASE WHEN {} IS NULL AND ({}) THEN {} END",
                ident(f),
                undecided.join(" OR "),
                text_literal(f)
            )
        })
        .collect();
    if items.is_empty() {
        "''".to_string()
    } else {
        // A leading '' keeps concat_ws with two arguments when DataFusion's simplifier folds every
        // item to NULL (a rule that is never NULL): `concat_ws(',')` alone fails to plan. `substr`
        // drops the comma it adds in front.
        format!("substr(concat_ws(',', '', {}), 2)", items.join(", "))
    }
}

/// The one SELECT that decides every subject row: key text, one status per segment, one value per
/// segmentation, `to_collect`. Streams: no grouping, no sort.
pub fn assignment(plan: &AssignSql) -> String {
    let mut inner = predicates(plan.segments);
    inner.push("*".to_string());
    let mut middle = vec![ident(KEY_ALIAS)];
    for j in 0..plan.segments.len() {
        middle.push(format!("{} AS \"__s{j}\"", status(j)));
    }
    middle.push(format!("{} AS \"__to_collect\"", to_collect(plan.segments)));
    let mut outer = vec![format!("{} AS {}", ident(KEY_ALIAS), ident(plan.key))];
    for (j, id) in plan.segment_ids.iter().enumerate() {
        outer.push(format!("\"__s{j}\" AS {}", ident(id)));
    }
    for (id, members) in plan.segmentations {
        let statuses: Vec<String> = members.iter().map(|j| format!("\"__s{j}\"")).collect();
        let ids: Vec<&str> = members.iter().map(|j| plan.segment_ids[*j]).collect();
        outer.push(format!("{} AS {}", segmentation_value(&statuses, &ids), ident(id)));
    }
    outer.push(format!("\"__to_collect\" AS {}", ident(TO_COLLECT)));
    format!(
        "SELECT {}\nFROM (SELECT {}\n      FROM (SELECT {}\n            FROM ({})))",
        outer.join(",\n       "),
        middle.join(",\n             "),
        inner.join(", "),
        typed_subject_with_key(plan.subject, plan.columns, plan.key, KEY_ALIAS)
    )
}

/// Column alias of a segment count in [`summary`].
pub fn segment_count_alias(j: usize, status: Status) -> Col {
    Col::StatusCount(j, status.as_str())
}

/// Column alias of a segmentation count in [`summary`] (`exactly_one` or a verdict).
pub fn segmentation_count_alias(g: usize, what: &'static str) -> Col {
    Col::SegmentationCount(g, what)
}

/// One aggregate over the written assignment: rows, each segment's rows per status, each
/// segmentation's rows per value (`exactly_one` = any segment id).
pub fn summary(segment_ids: &[&str], segmentation_ids: &[&str]) -> String {
    let mut items = vec!["COUNT(*) AS \"rows\"".to_string()];
    for (j, id) in segment_ids.iter().enumerate() {
        for status in Status::ALL {
            items.push(count_where(
                &format!("{} = {}", ident(id), lit(status)),
                &segment_count_alias(j, status),
            ));
        }
    }
    let verdicts: Vec<String> = Verdict::ALL.iter().map(|v| text_literal(v.as_str())).collect();
    for (g, id) in segmentation_ids.iter().enumerate() {
        items.push(count_where(
            &format!("{} NOT IN ({})", ident(id), verdicts.join(", ")),
            &segmentation_count_alias(g, "exactly_one"),
        ));
        for verdict in Verdict::ALL {
            items.push(count_where(
                &format!("{} = {}", ident(id), text_literal(verdict.as_str())),
                &segmentation_count_alias(g, verdict.as_str()),
            ));
        }
    }
    format!("SELECT {}\nFROM {}", items.join(",\n       "), ident(ASSIGNMENT))
}

/// The distinct non-empty `to_collect` lists with their rows: the worklist is tallied from these
/// (few) groups, never from the rows.
pub fn worklist() -> String {
    format!(
        "SELECT {c} AS \"fields\", COUNT(*) AS \"rows\"\nFROM {}\nWHERE COALESCE({c}, '') <> ''\nGROUP BY {c}",
        ident(ASSIGNMENT),
        c = ident(TO_COLLECT)
    )
}

/// The common table expressions of the history: this run's rows (`a`), key counts, the rows of
/// keys seen once (`uniq`) as (`key`, `segment`, `status`) rows (`cur`), the repeated keys (`dup`)
/// and the previous run's open rows (`old_open`, flagged when their key now repeats).
fn history_ctes(key: &str, segment_ids: &[&str]) -> String {
    let mut a = vec![format!("CAST({} AS VARCHAR) AS \"k\"", ident(key))];
    for (j, id) in segment_ids.iter().enumerate() {
        a.push(format!("CAST({} AS VARCHAR) AS \"__s{j}\"", ident(id)));
    }
    let names: Vec<String> = segment_ids.iter().map(|id| text_literal(id)).collect();
    let statuses: Vec<String> = (0..segment_ids.len()).map(|j| format!("\"__s{j}\"")).collect();
    // With no segment there is nothing to historise: no (key, segment) row at all.
    let cur = if segment_ids.is_empty() {
        "SELECT \"k\" AS \"key\", CAST(NULL AS VARCHAR) AS \"segment\", CAST(NULL AS VARCHAR) AS \"status\" FROM \"uniq\" WHERE FALSE"
            .to_string()
    } else {
        format!(
            "SELECT \"k\" AS \"key\", unnest(make_array({})) AS \"segment\", unnest(make_array({})) AS \"status\" FROM \"uniq\"",
            names.join(", "),
            statuses.join(", ")
        )
    };
    format!(
        "WITH \"a\" AS (SELECT {} FROM {}),
\"counts\" AS (SELECT \"k\", COUNT(*) AS \"n\" FROM \"a\" WHERE \"k\" IS NOT NULL GROUP BY \"k\"),
\"uniq\" AS (SELECT \"a\".* FROM \"a\" JOIN \"counts\" ON \"a\".\"k\" = \"counts\".\"k\" WHERE \"counts\".\"n\" = 1),
\"cur\" AS ({cur}),
\"dup\" AS (SELECT \"k\" FROM \"counts\" WHERE \"n\" > 1),
\"old_open\" AS (SELECT o.\"key\", o.\"segment\", o.\"status\", o.\"valid_from\", \"dup\".\"k\" IS NOT NULL AS \"repeated\"
               FROM {old} o LEFT JOIN \"dup\" ON o.\"key\" = \"dup\".\"k\" WHERE o.\"valid_to\" IS NULL)\n",
        a.join(", "),
        ident(ASSIGNMENT),
        old = ident(OLD_MEMBERSHIP),
    )
}

/// The membership history after this run, as a slowly changing dimension (contract §8): closed rows
/// kept; an open row kept while its status holds, closed (valid_to = this run) when it changes or its
/// key left the subject; a new open row for a changed status and for a (key, segment) not open before.
/// Keys that repeat in this run are left as they were: the run says nothing about them.
/// `run` is the SQL expression of this run's time. Each joined pair gives its old row (kept or
/// closed) and its new row (when opened) through one `unnest`, so the join runs once, not once per
/// kind of row.
pub fn membership(key: &str, segment_ids: &[&str], run: &str) -> String {
    format!(
        "{}, \"j\" AS (SELECT o.\"key\" AS ok, o.\"segment\" AS os, o.\"status\" AS ost, o.\"valid_from\" AS ovf, o.\"repeated\" AS orep,
              c.\"key\" AS ck, c.\"segment\" AS cs, c.\"status\" AS cst
              FROM \"old_open\" o FULL OUTER JOIN \"cur\" c ON o.\"key\" = c.\"key\" AND o.\"segment\" = c.\"segment\")
SELECT CAST(\"key\" AS VARCHAR) AS \"key\", CAST(\"segment\" AS VARCHAR) AS \"segment\", CAST(\"status\" AS VARCHAR) AS \"status\", \"valid_from\", \"valid_to\"
FROM {old} WHERE \"valid_to\" IS NOT NULL
UNION ALL
SELECT \"key\", \"segment\", \"status\", \"valid_from\", \"valid_to\"
FROM (SELECT unnest(make_array(CAST(ok AS VARCHAR), CAST(ck AS VARCHAR))) AS \"key\",
             unnest(make_array(CAST(os AS VARCHAR), CAST(cs AS VARCHAR))) AS \"segment\",
             unnest(make_array(CAST(ost AS VARCHAR), CAST(cst AS VARCHAR))) AS \"status\",
             unnest(make_array(ovf, {run})) AS \"valid_from\",
             unnest(make_array(CASE WHEN orep OR (ck IS NOT NULL AND cst = ost) THEN {none} ELSE {run} END, {none})) AS \"valid_to\",
             unnest(make_array(ok IS NOT NULL, ck IS NOT NULL AND (ok IS NULL OR cst <> ost))) AS \"keep\"
      FROM \"j\")
WHERE \"keep\"",
        history_ctes(key, segment_ids),
        old = ident(OLD_MEMBERSHIP),
        none = no_time(),
    )
}

/// The Arrow type of `valid_from` / `valid_to`: microseconds, UTC (a TIMESTAMPTZ to DuckDB).
pub const TIME_TYPE: &str = "Timestamp(µs, \"UTC\")";

/// A run time (RFC 3339, UTC, as the tool formats it) as a [`TIME_TYPE`] value.
pub fn run_time(rfc3339: &str) -> String {
    format!("arrow_cast({}, {})", text_literal(rfc3339), text_literal(TIME_TYPE))
}

/// A NULL [`TIME_TYPE`] (an open row's `valid_to`).
fn no_time() -> String {
    format!("arrow_cast(NULL, {})", text_literal(TIME_TYPE))
}

/// Each segmentation's transitions: keys counted by their value in the previous run (from its open
/// history rows) and in this one, `absent` when the key is missing from one of them. Keys that repeat
/// in this run are left out, as the history leaves them. Output: `g` (segmentation index), `from`,
/// `to`, `rows`.
pub fn transitions(key: &str, segment_ids: &[&str], segmentations: &[(&str, Vec<usize>)]) -> String {
    let prev_items: Vec<String> = segment_ids
        .iter()
        .enumerate()
        .map(|(j, id)| {
            format!(
                "MAX(CASE WHEN \"segment\" = {} THEN \"status\" END) AS \"__s{j}\"",
                text_literal(id)
            )
        })
        .collect();
    let mut prev = vec!["\"key\"".to_string()];
    prev.extend(prev_items);
    let absent = text_literal(Verdict::Absent.as_str());
    let mut values = Vec::new();
    for (g, (_, members)) in segmentations.iter().enumerate() {
        let ids: Vec<&str> = members.iter().map(|j| segment_ids[*j]).collect();
        let side = |alias: &str| -> Vec<String> {
            members
                .iter()
                .map(|j| format!("CAST({alias}.\"__s{j}\" AS VARCHAR)"))
                .collect()
        };
        values.push(format!(
            "CASE WHEN p.\"key\" IS NULL THEN {absent} ELSE {} END AS \"f{g}\"",
            segmentation_value(&side("p"), &ids)
        ));
        values.push(format!(
            "CASE WHEN c.\"k\" IS NULL THEN {absent} ELSE {} END AS \"t{g}\"",
            segmentation_value(&side("c"), &ids)
        ));
    }
    let sets: Vec<String> = (0..segmentations.len())
        .map(|g| format!("(\"f{g}\", \"t{g}\")"))
        .collect();
    let which: Vec<String> = (0..segmentations.len())
        .map(|g| format!("WHEN grouping(\"f{g}\") = 0 THEN {g}"))
        .collect();
    let from: Vec<String> = (0..segmentations.len()).map(|g| format!("\"f{g}\"")).collect();
    let to: Vec<String> = (0..segmentations.len()).map(|g| format!("\"t{g}\"")).collect();
    format!(
        "{}SELECT CASE {} END AS \"g\", COALESCE({}) AS \"from\", COALESCE({}) AS \"to\", COUNT(*) AS \"rows\"
FROM (SELECT {}
      FROM (SELECT {} FROM \"old_open\" WHERE NOT \"repeated\" GROUP BY \"key\") p
      FULL OUTER JOIN \"uniq\" c ON p.\"key\" = c.\"k\")
GROUP BY GROUPING SETS ({})",
        history_ctes(key, segment_ids),
        which.join(" "),
        from.join(", "),
        to.join(", "),
        values.join(",\n             "),
        prev.join(", "),
        sets.join(", ")
    )
}

/// Counts over the history just written: its rows, the rows this run opened and those it closed.
pub fn history_counts(table: &str, run: &str) -> String {
    format!(
        "SELECT COUNT(*) AS \"rows\", {}, {}, {}\nFROM {}",
        count_where(&format!("\"valid_from\" = {run}"), &Col::Opened),
        count_where(&format!("\"valid_to\" = {run}"), &Col::Closed),
        count_where("\"valid_to\" IS NULL", &Col::Open),
        ident(table)
    )
}

/// Keys of this run: distinct keys seen more than once and their rows, and rows with no key.
pub fn key_counts(key: &str) -> String {
    format!(
        "SELECT {}, {}, COALESCE(SUM(CASE WHEN \"n\" > 1 THEN \"n\" ELSE 0 END), 0) AS \"duplicate_rows\", {}
FROM (SELECT {k} AS \"k\", COUNT(*) AS \"n\" FROM {} GROUP BY {k})",
        count_where("\"k\" IS NOT NULL AND \"n\" = 1", &Col::Keys),
        count_where("\"k\" IS NOT NULL AND \"n\" > 1", &Col::DuplicateKeys),
        "COALESCE(SUM(CASE WHEN \"k\" IS NULL THEN \"n\" ELSE 0 END), 0) AS \"null_key_rows\"",
        ident(ASSIGNMENT),
        k = ident(key),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_sql() {
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
        let columns = ["id".to_string(), "customer_type".into(), "avg_days_late".into()];
        let sql = assignment(&AssignSql {
            subject: "clients",
            columns: &columns,
            key: "id",
            segments: &segs,
            segment_ids: &["safe", "late"],
            segmentations: &[("pay", vec![0, 1])],
        });
        insta::assert_snapshot!(sql);
    }

    #[test]
    fn a_segmentation_with_no_segment_is_outside() {
        assert_eq!(segmentation_value(&[], &[]), "'outside'");
    }
}
