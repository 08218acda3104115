//! The data dictionary (`segaudit catalog`, contract §13) on the governed case of governance.rs: its
//! numbers are the audit's (from the history's latest run and from a fresh audit), personal fields
//! show no value in any format, the HTML is one offline file.

use serde_json::{json, Value};

use crate::governance::governed;

#[test]
fn catalog_numbers_are_the_audits_and_personal_fields_show_no_value() {
    let case = governed();
    let audit = case.audit(&["--history", "hist"]);
    let report = audit.report().clone();
    let run = case.run(&["catalog", "spec.toml", "--history", "hist", "--out", "catalog.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let catalog: Value = serde_json::from_str(&std::fs::read_to_string(case.path("catalog.json")).unwrap()).unwrap();
    assert_eq!(
        (&catalog["format"], &catalog["version"]),
        (&json!("segaudit-catalog"), &json!(1))
    );
    assert_eq!(catalog["run"]["origin"], "history");
    assert_eq!(catalog["run"]["id"], report["history"]["run_id"]);
    let entries = catalog["entries"].as_array().unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["id", "phone", "birth", "kind", "income", "sector", "city"]);
    for e in entries {
        let f = report["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == e["name"])
            .unwrap();
        for k in ["rows", "missing", "invalid", "usable", "usability", "risk", "distinct"] {
            assert_eq!(e["measured"][k], f[k], "{} {k}", e["name"]);
        }
    }
    let entry = |name: &str| entries.iter().find(|e| e["name"] == name).unwrap();
    assert_eq!(entry("income")["measured"]["missing"], json!(2));
    assert_eq!(entry("income")["criteria"], json!(["value"]));
    assert_eq!(entry("income")["segments"], json!(["rich"]));
    assert_eq!(entry("kind")["segments"], json!(["rich", "pros"]));
    assert_eq!(entry("id")["owner"], "Direction clients");
    assert_eq!(entry("phone")["classification"], "personal");
    assert_eq!(entry("city")["declared"], json!(false));
    assert_eq!(entry("sector")["expectations"]["applies_when"], "kind = 'B2B'");

    // Without a run in the history the catalogue audits afresh: the same numbers.
    let run = case.run(&["catalog", "spec.toml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fresh: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(fresh["run"]["origin"], "fresh");
    assert_eq!(fresh["run"]["id"], Value::Null);
    let measured = |c: &Value| -> Vec<Value> {
        c["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["measured"].clone())
            .collect()
    };
    assert_eq!(measured(&fresh), measured(&catalog));

    // No value of a personal column, in any format; the HTML fetches nothing.
    let html = case.run(&["catalog", "spec.toml", "--history", "hist"]).stdout;
    let csv = case
        .run(&["catalog", "spec.toml", "--history", "hist", "--format", "csv"])
        .stdout;
    let json_text = serde_json::to_string(&catalog).unwrap();
    for text in [&html, &csv, &json_text] {
        for value in ["+33 611111111", "0633333333", "01/02/1980", "1975-06-30", "15/15/2000"] {
            assert!(!text.contains(value), "{value} shown");
        }
    }
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Dictionnaire des données — gouvernance"), "{html}");
    for external in ["http://", "https://", "src=", "<link", "<script", "url(", "@import"] {
        assert!(!html.contains(external), "{external} in the HTML");
    }
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 8);
    assert!(lines[0].starts_with("name,label,description,owner,steward,classification,pii"));
    assert!(
        lines[5].starts_with("income,,,,,confidential,false,true,true,float,false,"),
        "{}",
        lines[5]
    );
}
