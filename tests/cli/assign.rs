//! `segaudit assign` (contract §8): every row's statuses, segmentation values and `to_collect`
//! worked out by hand on a small fixture; the summary's counts equal `audit`'s; membership history
//! over three runs worked out by hand; refusals and errors.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use serde_json::Value;

use crate::{fixture, Case, Run};

/// Reads a Parquet file with `sql` over the table `t`; each row is one text column.
fn parquet_rows(path: &std::path::Path, sql: &str) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let ctx = SessionContext::new();
        ctx.register_parquet("t", path.display().to_string(), ParquetReadOptions::default())
            .await
            .unwrap();
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        let mut out = Vec::new();
        for b in &batches {
            let column =
                datafusion::arrow::compute::cast(b.column(0), &datafusion::arrow::datatypes::DataType::Utf8).unwrap();
            let texts = column.as_string::<i32>();
            for i in 0..texts.len() {
                out.push(texts.value(i).to_string());
            }
        }
        out
    })
}

fn summary(case: &Case, out: &str) -> Value {
    let text = std::fs::read_to_string(case.path(&format!("{out}.json")))
        .unwrap_or_else(|e| panic!("no summary {out}.json: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn assign(case: &Case, extra: &[&str]) -> Run {
    let mut args = vec!["assign", "spec.toml", "--quiet"];
    args.extend_from_slice(extra);
    case.run(&args)
}

const SMALL_SPEC: &str = r#"
[source.c]
path = "c.csv"

[subject]
table = "c"
key = "id"

[field.kind]
values = ["p", "b"]
[field.age]
type = "integer"
range = [0, 120]
[field.income]
type = "float"

[segment.young]
population = "kind = 'p'"
rule = "age < 30"
[segment.rich]
population = "kind = 'p'"
rule = "income > 1000"
[segment.adult]
rule = "age >= 30"

[segmentation.s1]
segments = ["young", "adult"]
[segmentation.s2]
segments = ["young", "rich"]

# The data is dirty on purpose (its numbers are the point): the audit gate, which `assign` runs
# (contract §10), must not stop these tests; tests/cli/assign_gate.rs covers the gate.
[gate]
fail_on = "never"
"#;

const SMALL_DATA: &str = "id,kind,age,income\n\
1,p,25,500\n\
2,p,40,2000\n\
3,p,,2000\n\
4,p,20,5000\n\
5,b,50,x\n\
6,,10,\n\
7,p,200,100\n\
8,p,35,\n";

fn small_case() -> Case {
    let case = Case::new(SMALL_SPEC);
    std::fs::write(case.path("c.csv"), SMALL_DATA).unwrap();
    case
}

#[test]
fn every_row_worked_out_by_hand() {
    let case = small_case();
    let run = assign(&case, &["--out", "a.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(case.path("a.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].sort();
    // young and rich read kind (population) and age / income; adult reads age, everyone's population.
    // 1: p 25 500 → young member, rich FALSE, adult FALSE.
    // 3: age missing → young and adult NULL (undetermined), rich TRUE: s1 undetermined, s2 rich; age to collect.
    // 4: young and rich both members: s2 several.
    // 5: kind b → young, rich outside (income "x" unusable but rich does not need it); adult member.
    // 6: kind missing → populations NULL; adult FALSE: s1 in adult's population, no member → none;
    //    s2 has no TRUE population → outside; kind (young, rich) and income (rich) to collect.
    // 7: age 200 out of range → NULL: young, adult undetermined; rich FALSE; s2 undetermined.
    // 8: income missing → rich undetermined; adult member.
    assert_eq!(
        lines,
        vec![
            "id,young,rich,adult,s1,s2,to_collect",
            "1,member,non_member,non_member,young,young,",
            "2,non_member,member,member,adult,rich,",
            "3,undetermined,member,undetermined,undetermined,rich,age",
            "4,member,member,non_member,young,several,",
            "5,outside,outside,member,adult,outside,",
            "6,population_undetermined,population_undetermined,non_member,none,outside,\"income,kind\"",
            "7,undetermined,non_member,undetermined,undetermined,undetermined,age",
            "8,non_member,undetermined,member,adult,undetermined,income",
        ]
    );
    let s = summary(&case, "a.csv");
    let seg = |id: &str| -> Vec<u64> {
        let x = s["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap();
        [
            "members",
            "non_members",
            "undetermined",
            "outside",
            "population_undetermined",
        ]
        .map(|k| x[k].as_u64().unwrap())
        .to_vec()
    };
    assert_eq!(seg("young"), vec![2, 2, 2, 1, 1]);
    assert_eq!(seg("rich"), vec![3, 2, 1, 1, 1]);
    assert_eq!(seg("adult"), vec![3, 3, 2, 0, 0]);
    let sg = |id: &str| -> Vec<u64> {
        let x = s["segmentations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap();
        ["exactly_one", "none", "several", "undetermined", "outside"]
            .map(|k| x[k].as_u64().unwrap())
            .to_vec()
    };
    assert_eq!(sg("s1"), vec![5, 1, 0, 2, 0]);
    assert_eq!(sg("s2"), vec![3, 0, 1, 2, 2]);
    // Worklist: age listed on 3 and 7 (alone both times), income on 6 and 8 (alone on 8), kind on 6.
    let worklist: Vec<(String, u64, u64)> = s["worklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["field"].as_str().unwrap().to_string(),
                w["decides_alone"].as_u64().unwrap(),
                w["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        worklist,
        vec![("age".into(), 2, 2), ("income".into(), 1, 2), ("kind".into(), 0, 1)]
    );
    assert_eq!(s["transitions"], serde_json::json!([]));
    assert_eq!(s["run_time"], "2026-09-21T14:13:20Z");
}

#[test]
fn parquet_output_holds_the_same_rows() {
    let case = small_case();
    let run = assign(&case, &["--html", "a.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(case.path("a.html")).unwrap();
    assert!(
        page.contains("<td>young</td><td>2</td><td>2</td><td>2</td><td>1</td><td>1</td>"),
        "{page}"
    );
    let rows = parquet_rows(
        &case.path("assignment.parquet"),
        "SELECT concat_ws('|', id, young, rich, adult, s1, s2, to_collect) FROM t ORDER BY id",
    );
    assert_eq!(
        rows[5],
        "6|population_undetermined|population_undetermined|non_member|none|outside|income,kind"
    );
    assert_eq!(rows[0], "1|member|non_member|non_member|young|young|");
    assert_eq!(summary(&case, "assignment.parquet")["output"]["format"], "parquet");
}

/// Runs audit and assign on the same spec and asserts every count of §8 agrees.
fn assert_agrees_with_audit(case: &Case, spec: &str) {
    let audit = case.run(&["audit", spec, "--out", "out", "--quiet", "--fail-on", "never"]);
    let report = audit.report();
    let run = case.run(&["assign", spec, "--out", "agree.parquet", "--quiet", "--force"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let s = summary(case, "agree.parquet");
    let segments = report["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    for a in segments {
        let b = s["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == a["id"])
            .unwrap();
        for k in [
            "population",
            "population_undetermined",
            "members",
            "non_members",
            "undetermined",
        ] {
            assert_eq!(a[k], b[k], "segment {} {k}", a["id"]);
        }
    }
    for a in report["segmentations"].as_array().unwrap() {
        let b = s["segmentations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == a["id"])
            .unwrap();
        for k in ["population", "exactly_one", "none", "several", "undetermined"] {
            assert_eq!(a[k], b[k], "segmentation {} {k}", a["id"]);
        }
    }
    assert_eq!(report["subject"]["rows"], s["subject"]["rows"]);
}

#[test]
fn counts_equal_the_audit_on_the_segments_fixture() {
    let spec = crate::segments::segments_spec();
    assert!(spec.contains(&fixture("segments/customers.csv")));
    assert_agrees_with_audit(&Case::new(&spec), "spec.toml");
}

#[test]
fn counts_equal_the_audit_on_the_demo() {
    let case = Case::new("");
    let spec = format!("{}/checks/demo.toml", env!("CARGO_MANIFEST_DIR"));
    assert_agrees_with_audit(&case, &spec);
}

#[test]
fn counts_equal_the_audit_on_the_small_fixture() {
    assert_agrees_with_audit(&small_case(), "spec.toml");
}

const HISTORY_SPEC: &str = r#"
[source.c]
path = "c.csv"

[subject]
table = "c"
key = "id"

[field.age]
type = "integer"

[segment.young]
rule = "age < 30"
[segment.adult]
rule = "age >= 30"

[segmentation.life]
segments = ["young", "adult"]

[gate]
fail_on = "never"
"#;

fn run_at(case: &Case, epoch: &str, data: &str) -> Value {
    std::fs::write(case.path("c.csv"), data).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_segaudit"))
        .args(["assign", "spec.toml", "--out", "a.csv", "--history", "h", "--quiet"])
        .current_dir(case.dir.path())
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    summary(case, "a.csv")
}

fn history(case: &Case) -> Vec<String> {
    parquet_rows(
        &case.path("h/membership.parquet"),
        "SELECT concat_ws('|', key, segment, status, CAST(to_unixtime(valid_from) AS VARCHAR), COALESCE(CAST(to_unixtime(valid_to) AS VARCHAR), '-')) AS r FROM t ORDER BY r",
    )
}

fn transitions(s: &Value) -> Vec<String> {
    s["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {}>{} {}",
                t["segmentation"].as_str().unwrap(),
                t["from"].as_str().unwrap(),
                t["to"].as_str().unwrap(),
                t["rows"]
            )
        })
        .collect()
}

#[test]
fn membership_history_over_three_runs() {
    let case = Case::new(HISTORY_SPEC);
    // Run 1 (T1 = 1790000000): a young, b adult, c undetermined (no age), d adult.
    let s1 = run_at(&case, "1790000000", "id,age\na,20\nb,40\nc,\nd,50\n");
    let t1 = "1790000000";
    assert_eq!(
        history(&case),
        vec![
            format!("a|adult|non_member|{t1}|-"),
            format!("a|young|member|{t1}|-"),
            format!("b|adult|member|{t1}|-"),
            format!("b|young|non_member|{t1}|-"),
            format!("c|adult|undetermined|{t1}|-"),
            format!("c|young|undetermined|{t1}|-"),
            format!("d|adult|member|{t1}|-"),
            format!("d|young|non_member|{t1}|-"),
        ]
    );
    assert_eq!(
        transitions(&s1),
        vec![
            "life absent>adult 2",
            "life absent>undetermined 1",
            "life absent>young 1"
        ]
    );
    assert_eq!(s1["history"]["opened"], 8);
    assert_eq!(s1["history"]["previous_run"], Value::Null);

    // Run 2 (T2 = T1 + 1 day): a unchanged; b now 25 (young); c now 35 (adult); d gone; e twice.
    let t2 = "1790086400";
    let s2 = run_at(&case, t2, "id,age\na,20\nb,25\nc,35\ne,10\ne,70\n");
    assert_eq!(
        history(&case),
        vec![
            format!("a|adult|non_member|{t1}|-"),
            format!("a|young|member|{t1}|-"),
            format!("b|adult|member|{t1}|{t2}"),
            format!("b|adult|non_member|{t2}|-"),
            format!("b|young|member|{t2}|-"),
            format!("b|young|non_member|{t1}|{t2}"),
            format!("c|adult|member|{t2}|-"),
            format!("c|adult|undetermined|{t1}|{t2}"),
            format!("c|young|non_member|{t2}|-"),
            format!("c|young|undetermined|{t1}|{t2}"),
            format!("d|adult|member|{t1}|{t2}"),
            format!("d|young|non_member|{t1}|{t2}"),
        ]
    );
    // e repeats: assigned (5 rows in the file) but neither historised nor in the transitions.
    assert_eq!(
        transitions(&s2),
        vec![
            "life adult>absent 1",
            "life adult>young 1",
            "life undetermined>adult 1",
            "life young>young 1"
        ]
    );
    let h = &s2["history"];
    assert_eq!(
        [
            &h["rows"],
            &h["open"],
            &h["opened"],
            &h["closed"],
            &h["keys"],
            &h["duplicate_keys"],
            &h["duplicate_rows"]
        ],
        [12, 6, 4, 6, 3, 1, 2].map(Value::from).each_ref()
    );
    assert_eq!(s2["history"]["previous_run"], "2026-09-21T14:13:20Z");
    assert_eq!(s2["subject"]["rows"], 5);

    // Run 3 (T3 = T2 + 1 day): a unchanged; b twice (its open rows stay as they were); c gone;
    // d reappears (new rows open).
    let t3 = "1790172800";
    let s3 = run_at(&case, t3, "id,age\na,20\nb,25\nb,26\nd,10\n");
    let rows = history(&case);
    assert_eq!(rows.len(), 14);
    for expected in [
        format!("b|adult|non_member|{t2}|-"),
        format!("b|young|member|{t2}|-"),
        format!("c|adult|member|{t2}|{t3}"),
        format!("c|young|non_member|{t2}|{t3}"),
        format!("d|adult|member|{t1}|{t2}"),
        format!("d|adult|non_member|{t3}|-"),
        format!("d|young|member|{t3}|-"),
        format!("d|young|non_member|{t1}|{t2}"),
    ] {
        assert!(rows.contains(&expected), "{expected} not in {rows:#?}");
    }
    assert_eq!(
        transitions(&s3),
        vec!["life absent>young 1", "life adult>absent 1", "life young>young 1"]
    );
    assert_eq!(
        [&s3["history"]["opened"], &s3["history"]["closed"]],
        [&Value::from(2), &Value::from(2)]
    );
}

#[test]
fn a_history_of_another_key_is_refused() {
    let case = Case::new(HISTORY_SPEC);
    run_at(&case, "1790000000", "id,age\na,20\n");
    std::fs::write(case.path("c.csv"), "id,age,code\na,20,x\n").unwrap();
    std::fs::write(
        case.path("spec.toml"),
        HISTORY_SPEC.replace("key = \"id\"", "key = \"code\""),
    )
    .unwrap();
    let before = std::fs::read(case.path("h/membership.parquet")).unwrap();
    let run = assign(&case, &["--out", "b.csv", "--history", "h"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("keyed by `id`") && run.stderr.contains("tip:"),
        "{}",
        run.stderr
    );
    assert!(!case.path("b.csv").exists());
    assert_eq!(std::fs::read(case.path("h/membership.parquet")).unwrap(), before);
}

#[test]
fn a_failed_rule_test_writes_nothing_unless_forced() {
    let spec = format!(
        "{SMALL_SPEC}\n[[test]]\nname = \"wrong on purpose\"\nrow = {{ kind = \"p\", age = \"50\" }}\nexpect = [\"young\"]\n"
    );
    let case = Case::new(&spec);
    std::fs::write(case.path("c.csv"), SMALL_DATA).unwrap();
    let run = assign(&case, &["--out", "a.csv"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("wrong on purpose"), "{}", run.stdout);
    assert!(!case.path("a.csv").exists() && !case.path("a.csv.json").exists());
    let forced = assign(&case, &["--out", "a.csv", "--force"]);
    assert_eq!(forced.code, 1, "{}", forced.stderr);
    assert!(case.path("a.csv").exists());
    assert_eq!(summary(&case, "a.csv")["forced"], true);
}

#[test]
fn bad_inputs_are_clear_errors() {
    let case = Case::new(&SMALL_SPEC.replace("key = \"id\"\n", ""));
    std::fs::write(case.path("c.csv"), SMALL_DATA).unwrap();
    let run = assign(&case, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no `key`") && run.stderr.contains("tip:"),
        "{}",
        run.stderr
    );

    let case = small_case();
    let run = assign(&case, &["--out", "missing/a.parquet"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("does not exist") && run.stderr.contains("mkdir"),
        "{}",
        run.stderr
    );
    let run = assign(&case, &["--out", "a.txt"]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    // An existing output is replaced whole; no temporary file is left beside it.
    std::fs::write(case.path("a.csv"), "old").unwrap();
    assert_eq!(assign(&case, &["--out", "a.csv"]).code, 0);
    assert!(std::fs::read_to_string(case.path("a.csv"))
        .unwrap()
        .starts_with("id,young"));
    let leftovers: Vec<_> = std::fs::read_dir(case.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".segaudit"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn two_runs_at_once_both_land_in_the_history() {
    // Two copies of the spec (same file name: the same spec) on data where a's statuses differ, one
    // history. Whichever runs second closes the first one's 2 rows and opens 2: 4 rows, 2 open. A lost
    // update would leave 2.
    let case = Case::new(HISTORY_SPEC);
    std::fs::write(case.path("c.csv"), "id,age\na,20\n").unwrap();
    std::fs::create_dir(case.path("other")).unwrap();
    std::fs::write(case.path("other/spec.toml"), HISTORY_SPEC).unwrap();
    std::fs::write(case.path("other/c.csv"), "id,age\na,40\n").unwrap();
    let history_dir = case.path("h").display().to_string();
    let spawn = |dir: std::path::PathBuf, epoch: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_segaudit"))
            .args([
                "assign",
                "spec.toml",
                "--out",
                "a.csv",
                "--history",
                &history_dir,
                "--quiet",
            ])
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", epoch)
            .spawn()
            .unwrap()
    };
    let mut first = spawn(case.dir.path().to_path_buf(), "1790000000");
    let mut second = spawn(case.path("other"), "1790086400");
    assert!(first.wait().unwrap().success());
    assert!(second.wait().unwrap().success());
    let rows = history(&case);
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert_eq!(rows.iter().filter(|r| r.ends_with("|-")).count(), 2, "{rows:#?}");
}

#[test]
fn a_rule_that_is_never_null_assigns_with_nothing_to_collect() {
    // `x IS NOT NULL` is TRUE or FALSE on every row, so DataFusion folds each `to_collect` item to NULL;
    // `concat_ws(',')` with nothing left used to fail to plan ("expects at least 2 arguments").
    let case = Case::new(
        "[source.c]\npath = \"c.csv\"\n\n[subject]\ntable = \"c\"\nkey = \"id\"\n\n\
         [segment.known]\nrule = \"x IS NOT NULL\"\n\n[gate]\nfail_on = \"never\"\n",
    );
    std::fs::write(case.path("c.csv"), "id,x\n1,a\n2,\n").unwrap();
    let run = assign(&case, &["--out", "out.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = std::fs::read_to_string(case.path("out.csv")).unwrap();
    // Row 1 has x: member; row 2 has none: non_member (decided on the absence, nothing to collect).
    assert_eq!(rows, "id,known,to_collect\n1,member,\n2,non_member,\n");
}

#[test]
fn runs_in_the_same_second_keep_every_interval_forward() {
    // Three runs at the same clock second (SOURCE_DATE_EPOCH fixed, as when assigns follow each other
    // fast or wait on the lock): each run's time is made one microsecond after the previous one, so no
    // row ends before it starts and each key has one open row per segment.
    let case = Case::new(HISTORY_SPEC);
    run_at(&case, "1790000000", "id,age\n1,20\n2,40\n");
    run_at(&case, "1790000000", "id,age\n1,35\n2,40\n");
    run_at(&case, "1790000000", "id,age\n1,20\n2,40\n");
    let path = case.path("h/membership.parquet");
    let backwards = parquet_rows(
        &path,
        "SELECT CAST(count(*) AS VARCHAR) FROM t WHERE valid_to IS NOT NULL AND valid_to <= valid_from",
    );
    assert_eq!(backwards, vec!["0"]);
    let open = parquet_rows(
        &path,
        "SELECT CAST(max(n) AS VARCHAR) FROM (SELECT count(*) AS n FROM t WHERE valid_to IS NULL GROUP BY key, segment)",
    );
    assert_eq!(open, vec!["1"]);
    // Key 1 went young → adult → young: 3 rows for `young` (member, non_member, member) and 3 for
    // `adult`; key 2 never changed: one row per segment. 3 + 3 + 1 + 1 = 8.
    let rows = parquet_rows(&path, "SELECT CAST(count(*) AS VARCHAR) FROM t");
    assert_eq!(rows, vec!["8"]);
}

#[test]
fn assign_respects_the_history_marker() {
    // A folder marked by a newer segaudit (or garbled) used to be written into by assign.
    let case = Case::new(HISTORY_SPEC);
    std::fs::write(case.path("c.csv"), "id,age\n1,20\n").unwrap();
    std::fs::create_dir_all(case.path("h")).unwrap();
    for (marker, needle) in [
        (r#"{"format": "segaudit-history", "version": 99}"#, "newer"),
        ("{ garbled", "unreadable history marker"),
    ] {
        std::fs::write(case.path("h/segaudit-history.json"), marker).unwrap();
        let run = assign(&case, &["--out", "a.csv", "--history", "h"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(needle), "{needle:?} not in {}", run.stderr);
        assert!(!case.path("h/membership.parquet").exists());
        assert_eq!(
            std::fs::read_to_string(case.path("h/segaudit-history.json")).unwrap(),
            marker
        );
    }
}
