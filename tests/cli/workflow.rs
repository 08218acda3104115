//! The workflow around the audit: `init` writes a spec `check` accepts and `audit` runs; completions
//! and the man page come from the command definitions.

use crate::{fixture, Case};

#[test]
fn init_detects_delimiter_encoding_key_types_and_date_formats() {
    let case = Case::new("");
    let run = case.run(&["init", &fixture("init/clients.csv"), "--out", "spec.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("spec.toml")).unwrap_or_default();
    for expected in [
        "delimiter = \";\"",
        "encoding = \"windows-1252\"",
        "key = \"code_client\"",
        "[field.montant]\n# 40 of 40 rows present; observed type: float\ntype = \"float\"",
        "[field.date_naissance]\n# 40 of 40 rows present; observed type: date\ntype = \"date\"\nformats = [\"%d/%m/%Y\"]",
        "values = [\"B2C\", \"B2B\"]",
        "[field.email]",
        "pii = true",
        // 00/00/0000 is seen once (never a placeholder); N/A 4 times in statut.
        "# null_tokens = [\"N/A\"]",
        "lang = \"fr\"",
    ] {
        assert!(spec.contains(expected), "{expected:?} not in:\n{spec}");
    }
    let check = case.run(&["check", "spec.toml"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let audit = case.audit(&[]);
    assert_ne!(audit.code, 2, "{}", audit.stderr);
    assert_eq!(audit.report()["subject"]["rows"], 40);
}

#[test]
fn init_output_is_accepted_for_every_fixture() {
    let fixtures = [
        "placeholders/customers.csv",
        "cp1252/clients.csv",
        "bom/clients.csv",
        "gzip/clients.csv.gz",
        "header_only/clients.csv",
        "ragged/clients.csv",
        "bad_utf8/clients.csv",
        "mojibake/clients.csv",
        "segments/customers.csv",
        "strata/customers.csv",
        "parquet/customers.parquet",
        "parquet/clients.csv",
        "ndjson/customers.ndjson",
        "demo/clients.csv",
    ];
    for name in fixtures {
        let case = Case::new("");
        let run = case.run(&["init", &fixture(name), "--out", "spec.toml"]);
        assert_eq!(run.code, 0, "init {name}: {}", run.stderr);
        let check = case.run(&["check", "spec.toml"]);
        assert_eq!(check.code, 0, "check {name}: {}{}", check.stdout, check.stderr);
        let audit = case.audit(&[]);
        assert!(audit.code == 0 || audit.code == 1, "audit {name}: {}", audit.stderr);
    }
}

#[test]
fn init_on_the_demo_pair_reads_the_windows_1252_export() {
    let case = Case::new("");
    let run = case.run(&[
        "init",
        &fixture("demo/clients.csv"),
        &fixture("demo/paiements.csv"),
        "--table",
        "clients",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("[source.clients]") && run.stdout.contains("[source.paiements]"));
    assert!(
        run.stdout.contains("formats = [\"%d/%m/%Y\", \"%Y-%m-%d\"]"),
        "{}",
        run.stdout
    );
    let bad = case.run(&["init", &fixture("demo/clients.csv"), "--table", "nope"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("tip: tables: clients"), "{}", bad.stderr);
}

#[test]
fn completions_and_man_page() {
    let case = Case::new("");
    let bash = case.run(&["completions", "bash"]);
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.contains("segaudit") && bash.stdout.contains("audit"));
    let man = case.run(&["man"]);
    assert!(man.stdout.contains(".TH segaudit 1"));
}
