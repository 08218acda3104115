//! Spec and source errors: exit 2, naming file:line:column, the bad value and the fix.

use crate::{fixture, Case};

fn spec_with(segment: &str) -> String {
    format!(
        "[source.c]\npath = \"{}\"\nnull_tokens = [\"N/A\"]\n\n[subject]\ntable = \"c\"\n\n[field.late]\ntype = \"float\"\n\n{segment}",
        fixture("segments/customers.csv")
    )
}

fn assert_error(run: &crate::Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    for needle in needles {
        assert!(run.stderr.contains(needle), "{needle:?} not in:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("tip:"), "no tip in:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn misspelled_key_gets_line_and_did_you_mean() {
    let case = Case::new(&spec_with("[segment.safe]\nrulle = \"late < 7\"\n"));
    for command in ["audit", "check"] {
        let run = case.run(&[command, "spec.toml"]);
        assert_error(&run, &["spec.toml:12:1", "unknown key `rulle`", "did you mean `rule`?"]);
    }
}

#[test]
fn rule_naming_an_unknown_column() {
    let run = Case::new(&spec_with("[segment.safe]\nrule = \"lat < 7\"\n")).run(&["check", "spec.toml"]);
    assert_error(
        &run,
        &[
            "spec.toml:12:8",
            "segment.safe.rule",
            "no column named `lat`",
            "did you mean `late`?",
        ],
    );
}

#[test]
fn rule_with_a_sql_syntax_error() {
    let run = Case::new(&spec_with("[segment.safe]\nrule = \"late < \"\n")).audit(&[]);
    assert_error(
        &run,
        &["spec.toml:12:8", "segment.safe.rule", "Expected: an expression"],
    );
}

#[test]
fn views_that_write_are_refused() {
    for statement in [
        "COPY (SELECT * FROM c) TO 'stolen.csv'",
        "CREATE TABLE stolen AS SELECT * FROM c",
        "INSERT INTO c VALUES (1)",
        // A SELECT that changes the session or the database (issue 29: a query switched the read-only
        // session off, then advanced a sequence).
        "SELECT set_config('default_transaction_read_only', 'off', false) AS x FROM c",
    ] {
        let spec = spec_with("").replace("[subject]", &format!("[view.v]\nsql = \"{statement}\"\n\n[subject]"));
        let case = Case::new(&spec);
        for command in ["check", "audit"] {
            let run = case.run(&[command, "spec.toml"]);
            let why = if statement.contains("set_config") {
                "set_config()"
            } else {
                "only SELECT"
            };
            assert_error(&run, &["spec.toml:6:7", "view.v.sql", why]);
        }
        assert!(!case.path("stolen.csv").exists());
    }
}

#[test]
fn dangling_references_are_errors() {
    let run = Case::new(&spec_with(
        "[segment.safe]\nrule = \"late < 7\"\nsegmentation = \"paymnet\"\n\n[segmentation.payment]\n",
    ))
    .run(&["check", "spec.toml"]);
    assert_error(
        &run,
        &[
            "spec.toml:13:16",
            "no segmentation is named \"paymnet\"",
            "did you mean `payment`?",
        ],
    );
    let run = Case::new(&spec_with("").replace("table = \"c\"", "table = \"clients\"")).run(&["check", "spec.toml"]);
    assert_error(&run, &["subject.table", "no source or view is named \"clients\""]);
}

#[test]
fn thresholds_out_of_order() {
    let run = Case::new(&spec_with(
        "[risk]\nusability = { warn = 0.5, high = 0.8, critical = 0.9 }\n",
    ))
    .run(&["check", "spec.toml"]);
    assert_error(&run, &["risk.usability", "out of order"]);
}

#[test]
fn source_problems_name_the_file() {
    let empty = Case::new(&format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n",
        fixture("empty/clients.csv")
    ))
    .audit(&[]);
    assert_error(&empty, &["empty/clients.csv", "empty"]);
    let missing = Case::new("[source.c]\npath = \"nowhere.csv\"\n\n[subject]\ntable = \"c\"\n").audit(&[]);
    assert_error(&missing, &["nowhere.csv", "does not exist"]);
    // Bytes that are not UTF-8 in a row do not stop the audit (dirty data never aborts): a finding
    // names the first line and the encoding to write.
    let bad = Case::new(&format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n",
        fixture("bad_utf8/clients.csv")
    ))
    .audit(&["--fail-on", "never"]);
    assert_eq!(bad.code, 0, "{}", bad.stderr);
    let finding = bad.finding("source.undecodable", "").expect("finding");
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("1 row holds bytes that are not UTF-8")
            && message.contains("bad_utf8/clients.csv:3")
            && message.contains("encoding = \"windows-1252\""),
        "{message}"
    );
}

#[test]
fn missing_criterion_field_is_a_finding_with_suggestions() {
    let spec = spec_with("[criterion.pay]\nfamily = \"behavioural\"\nfields = [\"late_days\", \"Late\"]\n");
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let entry = run.report()["field_map"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["name"] == "Late")
        .cloned()
        .unwrap_or_default();
    assert_eq!(entry["status"], "missing");
    assert_eq!(entry["suggestions"][0], "late");
    let finding = run.finding("field_map.missing", "Late").cloned().unwrap_or_default();
    assert_eq!(finding["level"], "critical");
    assert_eq!(run.report()["criteria"][0]["risk"], "critical");
}

#[test]
fn check_refuses_a_declared_field_the_subject_lacks() {
    let case = Case::new(&spec_with("").replace("[field.late]", "[field.lates]"));
    let run = case.run(&["check", "spec.toml"]);
    assert_error(
        &run,
        &[
            "spec.toml:8:1",
            "`field.lates`",
            "no such column",
            "did you mean `late`?",
        ],
    );
    // The audit goes on and reports it.
    let audit = case.audit(&["--fail-on", "never"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert!(audit.finding("field_map.missing", "lates").is_some());
}

#[test]
fn a_pii_stratum_is_refused_before_its_values_leak() {
    // Strata groups carry their values (`segments[].strata[].groups[].value`, the heatmap, the history):
    // a pii field there would print every phone number. The spec is refused at the stratum's line.
    let case = Case::new(&format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nstrata = [\"late\"]\n\n[field.late]\npii = true\n",
        fixture("segments/customers.csv")
    ));
    for command in ["audit", "check"] {
        let run = case.run(&[command, "spec.toml"]);
        assert_error(
            &run,
            &[
                "spec.toml:6:11",
                "subject.strata",
                "\"late\" is pii",
                "remove it from strata",
            ],
        );
    }
}
