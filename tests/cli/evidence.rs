//! Evidence (contract §10): each field's most frequent invalid trimmed texts and the subject's most
//! repeated keys, with counts worked out by hand from the fixture written in each test.

use crate::Case;
use serde_json::{json, Value};

/// `id,age,phone`: ages that are not integers, keys repeated, a pii phone.
fn customers() -> String {
    let mut csv = String::from("id,age,phone\n");
    let rows = [
        // id    age      phone
        ("C1", "40", "x"),
        ("C1", "abc", "x"),
        (" C1", "abc ", "x"), // padded key and text: trimmed, they are C1 and abc
        ("C2", "zz", "x"),
        ("C2", "zz", "x"),
        ("C3", "yy", "x"),
        ("C3", "yy", "x"),
        ("C4", "é", "x"),
        ("C5", "", "x"),
        ("C6", "N/A", "x"),
    ];
    for (id, age, phone) in rows {
        csv.push_str(&format!("{id},{age},{phone}\n"));
    }
    csv
}

fn spec(key_pii: bool, limit: usize) -> String {
    format!(
        r#"
[source.customers]
path = "customers.csv"
null_tokens = ["N/A"]

[subject]
table = "customers"
key = "id"

[field.id]
pii = {key_pii}

[field.age]
type = "integer"

[field.phone]
type = "integer"
pii = true

[report]
exact_distinct_limit = {limit}
"#
    )
}

fn listed(value: &Value) -> Vec<(String, u64)> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| (v["value"].as_str().unwrap().to_string(), v["count"].as_u64().unwrap()))
        .collect()
}

fn pairs(items: &[(&str, u64)]) -> Vec<(String, u64)> {
    items.iter().map(|(v, n)| (v.to_string(), *n)).collect()
}

#[test]
fn invalid_values_and_repeated_keys_are_listed_with_exact_counts() {
    let case = Case::new(&spec(false, 1_000_000));
    std::fs::write(case.path("customers.csv"), customers()).unwrap();
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let age = run.field("age");
    // Invalid ages: "abc" + "abc " → abc 2; zz 2; yy 2; é 1. "" and "N/A" are missing, "40" usable:
    // 10 rows − 2 missing − 1 usable = 7 invalid = 2 + 2 + 2 + 1.
    assert_eq!(age["invalid"], 7);
    // Ties at 2 by UTF-8 bytes: abc < yy < zz; é (0xC3 0xA9) last with 1.
    assert_eq!(
        listed(&age["invalid_values"]),
        pairs(&[("abc", 2), ("yy", 2), ("zz", 2), ("é", 1)])
    );
    // A pii field lists nothing, though its 10 "x" are invalid integers.
    assert_eq!(run.field("phone")["invalid"], 10);
    assert_eq!(run.field("phone")["invalid_values"], json!([]));
    // Keys: C1 ×3 (" C1" trimmed), C2 ×2, C3 ×2; C4, C5, C6 once are not repeated.
    // duplicate_keys = 10 keyed rows − 6 distinct keys = 4 = (3 − 1) + (2 − 1) + (2 − 1).
    let subject = &run.report()["subject"];
    assert_eq!(subject["duplicate_keys"], 4);
    assert_eq!(
        listed(&subject["duplicate_key_values"]),
        pairs(&[("C1", 3), ("C2", 2), ("C3", 2)])
    );
    let html = std::fs::read_to_string(case.path("out/report.html")).unwrap();
    assert!(html.contains("most frequent invalid values"), "HTML evidence table");
    assert!(html.contains("most repeated keys"), "HTML subject evidence");
    // The terminal shows the first three, briefly.
    let run = case.run(&["audit", "spec.toml", "--fail-on", "never"]);
    assert!(
        run.stdout
            .contains("age · most frequent invalid values: «abc» ×2, «yy» ×2, «zz» ×2"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("most repeated keys: «C1» ×3, «C2» ×2, «C3» ×2"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_pii_key_lists_no_repeated_key() {
    let case = Case::new(&spec(true, 1_000_000));
    std::fs::write(case.path("customers.csv"), customers()).unwrap();
    let run = case.audit(&["--fail-on", "never"]);
    // Still counted (4, as above), never shown.
    assert_eq!(run.report()["subject"]["duplicate_keys"], 4);
    assert_eq!(run.report()["subject"]["duplicate_key_values"], json!([]));
}

#[test]
fn invalid_values_beyond_the_exact_budget_are_still_found() {
    // A budget of 2 distinct texts: the rest of the age column goes to the sketches, the key stays
    // exact. Invalid counts stay exact (7); the leaders seen twice or more are kept with their count.
    let case = Case::new(&spec(false, 2));
    std::fs::write(case.path("customers.csv"), customers()).unwrap();
    let run = case.audit(&["--fail-on", "never"]);
    let age = run.field("age");
    assert_eq!(age["invalid"], 7);
    assert_eq!(age["distinct_exact"], false);
    let shown = listed(&age["invalid_values"]);
    assert_eq!(shown.first(), Some(&("abc".to_string(), 2)), "{shown:?}");
    assert_eq!(
        listed(&run.report()["subject"]["duplicate_key_values"]),
        pairs(&[("C1", 3), ("C2", 2), ("C3", 2)])
    );
}
