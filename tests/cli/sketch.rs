//! Columns with more distinct values than `[report] exact_distinct_limit`: their distinct count and
//! top values may be estimated (`distinct_exact: false`, contract §4), every count of §3 stays exact,
//! and `--exact` counts everything exactly.

use serde_json::Value;

use crate::Case;

/// 30,000 rows: `id` unique (the key); `code` unique `X<i>` except "9999" on every 300th row (100 rows)
/// and a blank on rows 1, 601, 1201… (50 rows); `city` one of three; `amount` = i mod 7000, "abc" on
/// rows ending in 999 (30 rows).
fn case(limit: usize) -> Case {
    let mut csv = String::from("id,code,city,amount\n");
    for i in 0..30_000 {
        let code = match i {
            i if i % 300 == 0 => "9999".to_string(),
            i if i % 600 == 1 => String::new(),
            i => format!("X{i}"),
        };
        let city = ["Abidjan", "Bouaké", "Daloa"][i % 3];
        let amount = if i % 1000 == 999 {
            "abc".to_string()
        } else {
            (i % 7000).to_string()
        };
        csv.push_str(&format!("K{i},{code},{city},{amount}\n"));
    }
    let case = Case::new(&format!(
        r#"
[source.customers]
path = "customers.csv"

[subject]
table = "customers"
key = "id"

[field.amount]
type = "integer"

[segment.big]
rule = "amount > 3500"

[report]
exact_distinct_limit = {limit}
"#
    ));
    std::fs::write(case.path("customers.csv"), csv).expect("write data");
    case
}

fn number(field: &Value, key: &str) -> u64 {
    field[key].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn a_column_beyond_the_budget_is_estimated_and_every_count_stays_exact() {
    let case = case(1_000);
    let sketched = case.audit(&["--fail-on", "never"]);
    let exact = case.audit(&["--fail-on", "never", "--exact"]);
    assert_eq!(sketched.code, 0, "{}", sketched.stderr);
    for name in ["id", "code", "city", "amount"] {
        let (s, e) = (sketched.field(name), exact.field(name));
        for key in ["rows", "missing", "invalid", "usable", "mojibake"] {
            assert_eq!(s[key], e[key], "{name}.{key}");
        }
        assert_eq!(s["stats"], e["stats"], "{name} statistics");
        assert_eq!(
            s["suspected_placeholders"], e["suspected_placeholders"],
            "{name} placeholders"
        );
        // `--exact` leaves the flag out: every count is exact.
        assert!(e.get("distinct_exact").is_none(), "{name} under --exact");
    }
    // code: 50 blanks missing; 29,850 distinct X<i> + "9999" present, below the sample's 65,536
    // texts, so even the estimate is the count. amount: 7,000 residues minus the 7 (999, 1999, …)
    // always replaced by "abc", plus "abc": 6,994 distinct, 30 invalid.
    let code = sketched.field("code");
    assert_eq!((number(code, "missing"), number(code, "distinct")), (50, 29_851));
    assert_eq!(code["distinct_exact"], Value::Bool(false));
    let amount = sketched.field("amount");
    assert_eq!((number(amount, "invalid"), number(amount, "distinct")), (30, 6_994));
    assert_eq!(amount["distinct_exact"], Value::Bool(false));
    // "9999" on 100 rows is a sentinel (median count 1): its count is exact, sketch or not.
    assert_eq!(code["suspected_placeholders"][0]["count"], 100);
    // Three cities fit the budget; the key is always exact (its duplicates must be).
    assert!(sketched.field("city").get("distinct_exact").is_none());
    assert!(sketched.field("id").get("distinct_exact").is_none());
    assert_eq!(sketched.report()["subject"]["duplicate_keys"], 0);
    assert_eq!(sketched.segment("big"), exact.segment("big"));
}

#[test]
fn the_report_says_an_estimate_is_one() {
    let case = case(1_000);
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(case.path("out/report.html")).expect("report.html");
    assert!(html.contains("≈ 29,851"), "the distinct count is marked as an estimate");
    assert!(html.contains("exact_distinct_limit"), "the field explains its estimate");
    let exact = case.audit(&["--fail-on", "never", "--exact"]);
    assert_eq!(exact.code, 0);
    let html = std::fs::read_to_string(case.path("out/report.html")).expect("report.html");
    assert!(!html.contains("≈ 29,851") && html.contains("29,851"));
}
