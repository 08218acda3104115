//! Segments, segmentations, strata and the gate (contract §3) on fixtures/segments and fixtures/strata.
//! The expected counts are worked out row by row in the comments.

use crate::{fixture, Case};

pub(crate) fn segments_spec() -> String {
    format!(
        r#"
[source.customers]
path = "{}"
null_tokens = ["N/A"]

[subject]
table = "customers"
key = "id"
strata = ["region"]

[field.type]
values = ["B2B", "B2C"]
[field.late]
type = "float"
range = [-30, 365]
[field.unpaid]
type = "integer"
range = [0, 12]
[field.channel]
values = ["agence", "web", "USSD"]
[field.mobile]
type = "boolean"

[segment.safe]
population = "type = 'B2C'"
rule = "late < 7 AND unpaid = 0"
[segment.irregular]
population = "type = 'B2C'"
rule = "(late >= 7 AND late <= 30) OR unpaid BETWEEN 1 AND 2"
[segment.bad]
population = "type = 'B2C'"
rule = "late > 30 OR unpaid >= 3"
[segment.digital]
rule = "channel IN ('web', 'USSD') OR mobile"
[segment.branch]
rule = "channel = 'agence'"
[segment.mobile_payers]
rule = "mobile"

[segmentation.payment]
segments = ["safe", "irregular", "bad"]
exclusive = true
exhaustive = true
[segmentation.extremes]
segments = ["safe", "bad"]
exhaustive = true
[segmentation.canal]
segments = ["digital", "branch", "mobile_payers"]
exclusive = true
exhaustive = true
"#,
        fixture("segments/customers.csv")
    )
}

fn counts(segment: &serde_json::Value) -> [u64; 7] {
    [
        "population",
        "population_undetermined",
        "members",
        "non_members",
        "undetermined",
        "size_min",
        "size_max",
    ]
    .map(|k| segment[k].as_u64().unwrap_or(u64::MAX))
}

#[test]
fn segment_reading_a_40_percent_missing_field() {
    let run = Case::new(&segments_spec()).audit(&["--fail-on", "never"]);
    // late is empty or N/A on rows 3,5,7,9,10,12,18,19 (8 of 20), "abc" on row 14.
    crate::assert_counts(&run, "late", 8, 1, 11);
    // B2C rows: 1-10,13,14,17,18,19 (15); "b2c" (15) and "" (16) leave the population NULL.
    // safe: TRUE on 1,6,13; FALSE on 2,4,5,8,9,17,18; NULL (late unusable, unpaid 0) on 3,7,10,14,19.
    let safe = run.segment("safe");
    assert_eq!(counts(safe), [15, 2, 3, 7, 5, 3, 8]);
    let fields: Vec<(String, u64, u64)> = safe["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_string(),
                f["usable"].as_u64().unwrap_or(0),
                f["undetermined_rows"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![("type".into(), 15, 0), ("late".into(), 7, 5), ("unpaid".into(), 14, 0)]
    );
    // 5 undetermined of 15 = 33 % > 25 %: critical.
    assert_eq!(safe["risk"], "critical");
    assert!(run.finding("segment.undetermined", "").is_some());
    assert!(run.finding("segment.population_undetermined", "").is_some());
}

#[test]
fn or_rule_is_decided_when_its_other_branch_is_true() {
    let run = Case::new(&segments_spec()).audit(&["--fail-on", "never"]);
    // irregular: row 5 has no late but unpaid = 2, row 9 late N/A but unpaid = 1: both members.
    // TRUE 2,5,8,9,17; FALSE 1,4,6,13; NULL 3,7,10,14,18,19.
    assert_eq!(counts(run.segment("irregular")), [15, 2, 5, 4, 6, 5, 11]);
    // bad: row 18 has no late but unpaid = 5: member. TRUE 4,18; FALSE 1,2,6,13,17.
    assert_eq!(counts(run.segment("bad")), [15, 2, 2, 5, 8, 2, 10]);
    // digital over all 20 rows: row 10 has no channel but pays by mobile: member; row 6 agence, mobile unknown: NULL.
    assert_eq!(counts(run.segment("digital")), [20, 0, 12, 7, 1, 12, 13]);
}

#[test]
fn segmentations_count_overlaps_and_uncovered_rows() {
    let run = Case::new(&segments_spec()).audit(&["--fail-on", "never"]);
    let keys = ["population", "exactly_one", "none", "several", "undetermined"];
    let get = |id: &str| keys.map(|k| run.segmentation(id)[k].as_u64().unwrap_or(u64::MAX));
    // payment: every decided row is in exactly one; rows 3,7,10,14,19 are all-NULL.
    assert_eq!(get("payment"), [15, 10, 0, 0, 5]);
    // extremes (safe, bad): rows 2 and 17 are in neither.
    assert_eq!(get("extremes"), [15, 5, 2, 0, 8]);
    // canal: the 8 mobile payers with a digital channel are in two segments.
    assert_eq!(get("canal"), [20, 12, 0, 8, 0]);
    let overlaps = &run.segmentation("canal")["overlaps"];
    let digital_mobile = overlaps
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["a"] == "digital" && o["b"] == "mobile_payers")
        .cloned()
        .unwrap_or_default();
    assert_eq!(digital_mobile["rows"], 8);
    let codes = run.codes();
    assert!(codes.contains(&"segmentation.overlap".to_string()), "{codes:?}");
    assert!(codes.contains(&"segmentation.uncovered".to_string()), "{codes:?}");
    assert_eq!(run.segmentation("canal")["risk"], "high");
}

#[test]
fn strata_spread_excludes_small_groups_and_keeps_the_missing_group() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nstrata = [\"region\"]\n\n[field.late]\ntype = \"integer\"\n\n[segment.all]\nrule = \"late >= 0\"\n",
        fixture("strata/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let strata = &run.segment("all")["strata"];
    let late = strata
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["by"] == "region" && s["field"] == "late")
        .cloned()
        .unwrap_or_default();
    let groups: Vec<(Option<String>, u64, u64)> = late["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            (
                g["value"].as_str().map(str::to_string),
                g["rows"].as_u64().unwrap_or(0),
                g["usable"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            (Some("A".into()), 40, 30),
            (Some("B".into()), 35, 14),
            (Some("C".into()), 20, 2),
            (None, 5, 5)
        ]
    );
    // Only A (0.75) and B (0.40) have 30 rows or more: spread 0.35, above high (0.25), under critical (0.40).
    let spread = late["spread"].as_f64().unwrap_or(-1.0);
    assert!((spread - 0.35).abs() < 1e-12, "{spread}");
    assert_eq!(late["risk"], "high");
    assert!(run.finding("segment.strata_gap", "late").is_some());
}

#[test]
fn strata_gap_names_the_groups_of_the_spread_measured_before_pooling() {
    // Regression: with min_count = 36, B (35 rows), C (20) and the missing group (5) are pooled into
    // one group of 60 rows, 21 usable (0.35). The spread is still A (30/40 = 0.75) − B (14/35 = 0.40)
    // = 0.35, over the groups of at least 30 rows before pooling (contract §3); the finding used to
    // pick the pooled group as its low end and call it "(missing)" with 35.0 %.
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nstrata = [\"region\"]\n\n[field.late]\ntype = \"integer\"\n\n[segment.all]\nrule = \"late >= 0\"\n\n[report]\nmin_count = 36\n",
        fixture("strata/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let late = run.segment("all")["strata"][0].clone();
    let spread = late["spread"].as_f64().unwrap_or(-1.0);
    assert!((spread - 0.35).abs() < 1e-12, "{spread}");
    let pooled: Vec<(bool, u64, u64)> = late["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            (
                g["pooled"] == true,
                g["rows"].as_u64().unwrap_or(0),
                g["usable"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(pooled, vec![(false, 40, 30), (true, 60, 21)]);
    let message = run
        .finding("segment.strata_gap", "late")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        message,
        "late is usable for 40.0% of the population of all where region = (a group of fewer than 36 customers) and 75.0% where region = A"
    );
}

#[test]
fn a_segment_field_is_not_measured_across_strata_of_itself() {
    // The rule reads region and late; strata = [region]: late is measured across region, region is not.
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nstrata = [\"region\"]\n\n[field.late]\ntype = \"integer\"\n\n[segment.all]\nrule = \"late >= 0 AND region <> 'Z'\"\n",
        fixture("strata/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let measured: Vec<String> = run.segment("all")["strata"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            format!(
                "{}/{}",
                s["field"].as_str().unwrap_or_default(),
                s["by"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(measured, vec!["late/region".to_string()]);
}

#[test]
fn gate_follows_fail_on() {
    // Only undeclared columns and a duplicate key: the worst finding is high.
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nkey = \"client_id\"\n",
        fixture("placeholders/customers.csv")
    );
    let case = Case::new(&spec);
    let expected = [("never", 0), ("warn", 1), ("high", 1), ("critical", 0)];
    for (level, code) in expected {
        let run = case.audit(&["--fail-on", level]);
        assert_eq!(run.code, code, "--fail-on {level}: {}", run.stderr);
        assert_eq!(run.report()["gate"]["worst"], "high");
        assert_eq!(run.report()["gate"]["passed"], code == 0);
    }
}

#[test]
fn rule_tests_pass_fail_and_explain() {
    let spec = format!(
        "{}\n[[test]]\nname = \"three days late is safe\"\nrow = {{ type = \"B2C\", late = \"3\", unpaid = \"0\" }}\nexpect = [\"safe\"]\n\n[[test]]\nname = \"no history is undetermined\"\nrow = {{ type = \"B2C\", unpaid = \"0\" }}\nexpect = []\nundetermined = [\"safe\", \"irregular\", \"bad\", \"digital\", \"branch\", \"mobile_payers\"]\n",
        segments_spec()
    );
    let case = Case::new(&spec);
    let run = case.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 passed, 0 failed"), "{}", run.stdout);

    let failing = spec.replace("expect = [\"safe\"]", "expect = [\"bad\"]");
    let run = Case::new(&failing).run(&["check", "spec.toml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("test \"three days late is safe\": FAILED"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("expected: [bad]  actual: [safe]"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("safe: population TRUE, rule TRUE  (type = B2C, late = 3"),
        "{}",
        run.stdout
    );
    let audit = Case::new(&failing).audit(&["--fail-on", "never"]);
    assert!(audit.codes().contains(&"test.failed".to_string()));
}

#[test]
fn undeclared_text_compared_with_a_number_is_undetermined_not_fatal() {
    // age is undeclared, so it holds text: `age > 30` compares a text field with a number, a spec
    // error (contract §11) that says to declare the type.
    let spec = format!(
        "[source.t]\npath = \"{}\"\n\n[subject]\ntable = \"t\"\n\n[segment.s]\nrule = \"age > 30\"\n",
        fixture("hostile/undeclared_numbers.csv")
    );
    let undeclared = Case::new(&spec).audit(&["--fail-on", "never"]);
    assert_eq!(undeclared.code, 2, "{}", undeclared.stderr);
    assert!(
        undeclared.stderr.contains("declare type = \"integer\""),
        "{}",
        undeclared.stderr
    );
    // Declared, "abc" is an invalid integer and must not abort the audit.
    let spec = spec.replace("[segment.s]", "[field.age]\ntype = \"integer\"\n\n[segment.s]");
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 40: member; 25: non-member; "abc" and "": undetermined.
    assert_eq!(counts(run.segment("s")), [4, 0, 1, 1, 2, 1, 3]);
}
