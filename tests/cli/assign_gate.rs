//! `assign` behind the audit gate, and audit and assign sharing one history folder (contract §10).

use serde_json::Value;

use crate::Case;

const SPEC: &str = "[source.c]\npath = \"c.csv\"\n\n[subject]\ntable = \"c\"\nkey = \"id\"\n\n\
                    [field.age]\ntype = \"integer\"\n\n[segment.adult]\nrule = \"age >= 18\"\n";

/// `n` customers aged 20, 21, …; the ids listed in `invalid` have the age `abc`.
fn data(n: usize, invalid: &[usize]) -> String {
    let mut csv = String::from("id,age\n");
    for i in 1..=n {
        if invalid.contains(&i) {
            csv.push_str(&format!("{i},abc\n"));
        } else {
            csv.push_str(&format!("{i},{}\n", 19 + i));
        }
    }
    csv
}

fn case(csv: &str) -> Case {
    let case = Case::new(SPEC);
    std::fs::write(case.path("c.csv"), csv).unwrap();
    case
}

fn summary(case: &Case, out: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(case.path(&format!("{out}.json"))).unwrap()).unwrap()
}

#[test]
fn a_failed_gate_writes_nothing_unless_forced() {
    // 40 customers, 10 of them with an invalid age: usability 30 / 40 = 0.75 < 0.80 → field.usability
    // high, and inside adult's population (every row) segment.field_usability high; adult's
    // undetermined share 10 / 40 = 0.25, not above critical (0.25) but above high (0.10) →
    // segment.undetermined high. Three findings at high or above, worst high.
    let case = case(&data(40, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    let audit = case.audit(&[]);
    assert_eq!(audit.code, 1);
    let run = case.run(&["assign", "spec.toml", "--out", "a.csv", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the audit gate fails (3 findings at high or above, worst: high): nothing was written (--force writes anyway)"
        ) && run.stderr.contains("[high] field.usability:"),
        "{}",
        run.stderr
    );
    assert!(!case.path("a.csv").exists() && !case.path("a.csv.json").exists());

    let forced = case.run(&["assign", "spec.toml", "--out", "a.csv", "--quiet", "--force"]);
    assert_eq!(forced.code, 1, "{}", forced.stderr);
    assert!(forced.stderr.contains("written anyway (--force)"), "{}", forced.stderr);
    assert!(case.path("a.csv").exists());
    let s = summary(&case, "a.csv");
    assert_eq!(s["forced"], true);
    assert_eq!(s["gate"], audit.report()["gate"]);
    let codes: Vec<&str> = s["gate_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{codes:?}");
    assert!(codes.contains(&"field.usability") && codes.contains(&"segment.undetermined"));

    // The same findings waived: the gate passes and assign writes, exit 0.
    let waived = format!(
        "{SPEC}\n[[waiver]]\ncode = \"field.usability\"\nreason = \"r\"\n[[waiver]]\ncode = \"segment.field_usability\"\nreason = \"r\"\n\
         [[waiver]]\ncode = \"segment.undetermined\"\nreason = \"r\"\n"
    );
    std::fs::write(case.path("spec.toml"), waived).unwrap();
    let run = case.run(&["assign", "spec.toml", "--out", "b.csv", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(summary(&case, "b.csv")["gate"]["passed"], true);
}

#[test]
fn an_empty_extract_is_not_assigned() {
    let case = case("id,age\n");
    let run = case.run(&["assign", "spec.toml", "--out", "a.csv", "--quiet", "--lang", "fr"]);
    // 0 rows < min_rows = 1: subject.too_few_rows, critical.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("le contrôle de l'audit échoue") && run.stderr.contains("subject.too_few_rows"));
    assert!(!case.path("a.csv").exists());
}

#[test]
fn assign_then_audit_share_one_history_folder() {
    // The order that used to fail: assign --history H, then audit --history H.
    let case = case(&data(40, &[]));
    let first = case.run(&["assign", "spec.toml", "--out", "a.csv", "--history", "h", "--quiet"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let audit = case.audit(&["--history", "h"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert_eq!(audit.report()["history"]["runs"], 1);
    let again = case.run(&["assign", "spec.toml", "--out", "a.csv", "--history", "h", "--quiet"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    // Runs, metrics and membership side by side; `history` lists the one audit run only.
    for entry in ["segaudit-history.json", "runs", "metrics", "membership.parquet"] {
        assert!(case.path(&format!("h/{entry}")).exists(), "{entry}");
    }
    let listing = case.run(&["history", "h", "--json"]);
    assert_eq!(listing.code, 0, "{}", listing.stderr);
    let listing: Value = serde_json::from_str(&listing.stdout).unwrap();
    assert_eq!(listing["runs"].as_array().map(Vec::len), Some(1), "{listing}");
    // The second assignment saw the first: 40 keys × 1 segment, none closed.
    let s = summary(&case, "a.csv");
    assert!(s["history"]["previous_run"].is_string(), "{s}");
    assert_eq!(
        (s["history"]["rows"].as_u64(), s["history"]["closed"].as_u64()),
        (Some(40), Some(0))
    );
}

#[test]
fn a_seventy_percent_extract_after_an_audit_is_not_assigned() {
    let case = case(&data(40, &[]));
    assert_eq!(case.audit(&["--history", "h"]).code, 0);
    // 28 rows after 40: |28 − 40| / 40 = 0.30 > high (0.20): subject.row_count_shift high.
    std::fs::write(case.path("c.csv"), data(28, &[])).unwrap();
    let run = case.run(&["assign", "spec.toml", "--out", "a.csv", "--history", "h", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("[high] subject.row_count_shift:"), "{}", run.stderr);
    assert!(!case.path("a.csv").exists() && !case.path("h/membership.parquet").exists());
    // assign added no audit run.
    assert_eq!(std::fs::read_dir(case.path("h/metrics")).unwrap().count(), 1);
}
