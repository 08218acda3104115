//! Volume (contract §10): `subject.too_few_rows` on an empty or cut-short extract (header-only CSV,
//! an SQLite query returning no row, `min_rows`), and `subject.row_count_shift` against the previous
//! run of a history (a 70 % extract after a full one).

use serde_json::Value;

use crate::{fixture, Case};

fn header_only_spec(extra: &str) -> String {
    format!(
        "[source.clients]\npath = \"{}\"\n\n[subject]\ntable = \"clients\"\nkey = \"id\"\n{extra}\n\
         [field.conso]\ntype = \"float\"\n\n[segment.gros]\nrule = \"conso > 100\"\n\
         [segment.petits]\nrule = \"conso <= 100\"\n",
        fixture("header_only/clients.csv")
    )
}

fn level_of(run: &crate::Run, code: &str) -> Option<String> {
    run.finding(code, "")
        .and_then(|f| f["level"].as_str())
        .map(str::to_string)
}

#[test]
fn a_header_only_csv_fails_every_gate_but_never() {
    let case = Case::new(&header_only_spec(""));
    let run = case.audit(&[]);
    // 0 rows < min_rows = 1 (the default): critical, so the default gate (high) fails.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["rows"], 0);
    assert_eq!(run.report()["subject"]["min_rows"], 1);
    assert_eq!(level_of(&run, "subject.too_few_rows").as_deref(), Some("critical"));
    assert_eq!(
        run.finding("subject.too_few_rows", "").unwrap()["message"],
        "the subject `clients` has 0 rows, fewer than min_rows = 1: the extract is empty or cut short, \
         so no segment can be sized on it"
    );
    assert_eq!(run.report()["gate"]["worst"], "critical");
    assert_eq!(case.audit(&["--fail-on", "critical"]).code, 1);
    assert_eq!(case.audit(&["--fail-on", "never"]).code, 0);
}

#[test]
fn the_first_page_says_an_empty_extract_is_empty_not_sized() {
    let case = Case::new(&header_only_spec(""));
    let run = case.run(&["audit", "spec.toml", "--out", "out", "--lang", "fr"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains("±10"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("L'extraction est vide : aucune ligne à auditer, aucun segment ne peut être dimensionné."),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(case.path("out/report.html")).unwrap();
    assert!(!html.contains("±10") && html.contains("extraction est vide"), "{html}");
}

/// Three customers, so `min_rows = 5` makes them too few (3 < 5) and `min_rows = 3` enough.
#[test]
fn min_rows_sets_how_many_rows_are_enough() {
    let spec = "[source.c]\npath = \"c.csv\"\n[subject]\ntable = \"c\"\nkey = \"id\"\nmin_rows = 5\n";
    let case = Case::new(spec);
    std::fs::write(case.path("c.csv"), "id,v\n1,a\n2,b\n3,c\n").unwrap();
    let run = case.run(&["audit", "spec.toml", "--out", "out"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("The extract is too small: 3 rows, fewer than the 5 expected; no segment can be sized on it."),
        "{}",
        run.stdout
    );
    let enough = Case::new(&spec.replace("min_rows = 5", "min_rows = 3"));
    std::fs::write(enough.path("c.csv"), "id,v\n1,a\n2,b\n3,c\n").unwrap();
    let run = enough.audit(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.codes().contains(&"subject.too_few_rows".to_string()));
    // A negative or fractional min_rows is a spec error.
    let bad = Case::new(&spec.replace("min_rows = 5", "min_rows = -1"));
    assert_eq!(bad.audit(&[]).code, 2);
}

#[test]
fn an_empty_sqlite_query_fails_the_gate() {
    let case = Case::new(
        "[source.t]\nurl = \"sqlite:data.db\"\nquery = \"SELECT * FROM t WHERE 0\"\n\n\
         [subject]\ntable = \"t\"\nkey = \"id\"\n",
    );
    let conn = rusqlite::Connection::open(case.path("data.db")).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');")
        .unwrap();
    drop(conn);
    let run = case.audit(&[]);
    // The query returns none of the 2 rows: 0 < 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["rows"], 0);
    assert_eq!(level_of(&run, "subject.too_few_rows").as_deref(), Some("critical"));
}

fn rows_csv(n: usize) -> String {
    let mut csv = String::from("id,v\n");
    for i in 1..=n {
        csv.push_str(&format!("{i},x{i}\n"));
    }
    csv
}

#[test]
fn a_seventy_percent_extract_after_a_full_one_fails_the_gate() {
    let case = Case::new("[source.c]\npath = \"c.csv\"\n[subject]\ntable = \"c\"\nkey = \"id\"\n");
    std::fs::write(case.path("c.csv"), rows_csv(100)).unwrap();
    let full = case.audit(&["--history", "hist"]);
    assert_eq!(full.code, 0, "{}", full.stdout);
    assert_eq!(full.report()["subject"]["row_count_shift"], Value::Null);

    // 95 rows after 100: |95 − 100| / 100 = 0.05, not above warn (0.05): no finding.
    std::fs::write(case.path("c.csv"), rows_csv(95)).unwrap();
    let run = case.audit(&["--history", "hist"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.report()["subject"]["row_count_shift"].as_f64(), Some(0.05));
    assert!(!run.codes().contains(&"subject.row_count_shift".to_string()));

    // Back to 100 rows: each run is compared with the one just before it.
    std::fs::write(case.path("c.csv"), rows_csv(100)).unwrap();
    // |100 − 95| / 95 = 0.0526 > 0.05: warn, the gate (high) still passes.
    let back = case.audit(&["--history", "hist"]);
    assert_eq!(back.code, 0, "{}", back.stdout);
    assert_eq!(level_of(&back, "subject.row_count_shift").as_deref(), Some("warn"));

    // 70 rows after 100: |70 − 100| / 100 = 0.30 > high (0.20), ≤ critical (0.50): high, gate fails.
    std::fs::write(case.path("c.csv"), rows_csv(70)).unwrap();
    let cut = case.run(&["audit", "spec.toml", "--out", "out", "--history", "hist"]);
    assert_eq!(cut.code, 1, "{}", cut.stdout);
    // The first page names the move among the changes since the last audit.
    assert!(cut.stdout.contains("rows 100 → 70"), "{}", cut.stdout);
    let shift = cut.report()["subject"]["row_count_shift"].as_f64().unwrap();
    assert!((shift - 0.30).abs() < 1e-12, "{shift}");
    let finding = cut.finding("subject.row_count_shift", "").unwrap();
    assert_eq!(finding["level"], "high");
    let previous = back.report()["history"]["run_id"].as_str().unwrap();
    assert_eq!(
        finding["message"].as_str().unwrap(),
        format!(
            "the subject `c` moved by 30.0% since the previous run ({previous}): 100 → 70 rows; \
             check that the extract is complete"
        )
    );
    // The shift is kept in the history's metrics (scope subject, metric row_count_shift), one per
    // run with a previous run: 0.05, 5/95 and 0.30.
    let metrics = crate::history::read_metrics(&case.path("hist/metrics"));
    let mut shifts: Vec<f64> = metrics
        .iter()
        .filter(|m| m.1 == "subject" && m.2 == "c" && m.3 == "row_count_shift")
        .map(|m| m.4)
        .collect();
    shifts.sort_by(f64::total_cmp);
    assert_eq!(shifts.len(), 3, "{shifts:?}");
    assert!(
        (shifts[0] - 0.05).abs() < 1e-12 && (shifts[1] - 5.0 / 95.0).abs() < 1e-12 && (shifts[2] - 0.30).abs() < 1e-12
    );

    // [risk] row_count_shift moves the cut points: critical above 0.25 makes 0.30 critical.
    let strict = Case::new(
        "[source.c]\npath = \"c.csv\"\n[subject]\ntable = \"c\"\nkey = \"id\"\n\
         [risk]\nrow_count_shift = { warn = 0.1, high = 0.2, critical = 0.25 }\n",
    );
    std::fs::write(strict.path("c.csv"), rows_csv(100)).unwrap();
    assert_eq!(strict.audit(&["--history", "hist"]).code, 0);
    std::fs::write(strict.path("c.csv"), rows_csv(70)).unwrap();
    let run = strict.audit(&["--history", "hist"]);
    assert_eq!(level_of(&run, "subject.row_count_shift").as_deref(), Some("critical"));
}
