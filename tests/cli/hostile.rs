//! Broken and hostile inputs: each ends in a clear error (exit 2, naming the file and the fix) or a
//! finding in a completed audit — never a panic.

use crate::{fixture, Case};

fn audit_of(name: &str) -> crate::Run {
    let spec = format!(
        "[source.t]\npath = \"{}\"\n\n[subject]\ntable = \"t\"\nkey = \"id\"\n",
        fixture(&format!("hostile/{name}"))
    );
    Case::new(&spec).audit(&["--fail-on", "never"])
}

fn assert_clear_error(name: &str, needles: &[&str]) {
    let run = audit_of(name);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    for needle in needles.iter().chain(&["tip:", name.split('/').next().unwrap_or(name)]) {
        assert!(run.stderr.contains(needle), "{name}: {needle:?} not in {}", run.stderr);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn broken_files_are_clear_errors() {
    assert_clear_error("truncated.csv.gz", &["cannot read", "truncated"]);
    assert_clear_error("truncated.parquet", &["Corrupt footer"]);
    assert_clear_error(
        "utf16le_bom.csv",
        &["UTF-16 byte-order mark", "encoding = \"utf-16le\""],
    );
    assert_clear_error("utf16be.csv", &["looks like utf-16be", "encoding = \"utf-16be\""]);
    assert_clear_error("binary.csv", &["invalid UTF-8 at byte offset", "encoding"]);
    assert_clear_error("mixed_dir", &["is not csv like", "split it into two sources"]);
}

#[test]
fn utf16_files_read_with_their_encoding() {
    let spec = format!(
        "[source.t]\npath = \"{}\"\nencoding = \"utf-16le\"\n\n[subject]\ntable = \"t\"\n\n[report]\nmin_count = 1\n",
        fixture("hostile/utf16le_bom.csv")
    );
    let run = Case::new(&spec).audit(&[]);
    assert_eq!(run.report()["subject"]["rows"], 2);
    assert_eq!(run.field("ville")["top_values"][1]["value"], "Bouaké");
}

#[test]
fn odd_but_readable_files_are_audited_with_findings() {
    // NUL bytes are kept as text; every line ending (\n, \r\n, \r) ends a row.
    let run = audit_of("nul_bytes.csv");
    assert_eq!(run.report()["subject"]["rows"], 3);
    let run = audit_of("mixed_endings.csv");
    assert_eq!(run.report()["subject"]["rows"], 4);
    // A key column with nothing in it.
    let run = audit_of("null_key.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["duplicate_keys"], 0);
    assert!(run.finding("subject.missing_keys", "id").is_some());
    // Empty and repeated header names.
    let run = audit_of("bad_headers.csv");
    let names: Vec<&str> = run.report()["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, vec!["id", "column_2", "v", "v_2"]);
    assert!(run.codes().contains(&"source.renamed_columns".to_string()));
}

#[test]
fn ragged_rows_are_a_finding_and_can_fail_the_source() {
    let spec = format!(
        "[source.t]\npath = \"{}\"\n\n[subject]\ntable = \"t\"\n",
        fixture("ragged/clients.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    assert!(run.codes().contains(&"source.bad_rows".to_string()));
    let strict = spec
        .replace("[subject]", "on_bad_rows = \"fail\"\n\n[subject]")
        .replace("\"\n\non_bad", "\"\non_bad");
    let run = Case::new(&strict).audit(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("ragged/clients.csv:3: expected 3 fields, found 2"),
        "{}",
        run.stderr
    );
}
