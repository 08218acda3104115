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
    assert_clear_error("utf16le.csv", &["looks like utf-16le", "encoding = \"utf-16le\""]);
    assert_clear_error(
        "utf16be_bom.csv",
        &["UTF-16 byte-order mark", "encoding = \"utf-16be\""],
    );
    assert_clear_error("binary.csv", &["invalid UTF-8 at byte offset", "encoding"]);
    assert_clear_error("mixed_dir", &["is not csv like", "split it into two sources"]);
}

#[test]
fn utf16_files_read_with_their_encoding() {
    for (file, encoding) in [
        ("utf16le_bom.csv", "utf-16le"),
        ("utf16le.csv", "utf-16le"),
        ("utf16be_bom.csv", "utf-16be"),
        ("utf16be.csv", "utf-16be"),
    ] {
        let spec = format!(
            "[source.t]\npath = \"{}\"\nencoding = \"{encoding}\"\n\n[subject]\ntable = \"t\"\n\n[report]\nmin_count = 1\n",
            fixture(&format!("hostile/{file}"))
        );
        let run = Case::new(&spec).audit(&[]);
        assert_eq!(run.report()["subject"]["rows"], 2, "{file}");
        assert_eq!(run.field("ville")["top_values"][1]["value"], "Bouaké", "{file}");
    }
}

#[test]
fn odd_but_readable_files_are_audited_with_findings() {
    // NUL bytes are kept as text; every line ending (\n, \r\n, \r) ends a row.
    let run = audit_of("nul_bytes.csv");
    assert_eq!(run.report()["subject"]["rows"], 3);
    let run = audit_of("mixed_endings.csv");
    assert_eq!(run.report()["subject"]["rows"], 4);
    // A quote never closed: the reader takes the rest of the file as one value; rows 2 and 3 are
    // lost, and the audit says so.
    let run = audit_of("unclosed_quote.csv");
    assert_eq!(run.report()["subject"]["rows"], 1);
    let finding = run
        .finding("source.unclosed_quote", "")
        .expect("unclosed quote finding");
    assert_eq!(finding["level"], "high");
    assert!(
        finding["message"].as_str().unwrap().contains("unclosed_quote.csv:2"),
        "{finding}"
    );
    // An export cut inside a quoted value on its last line: the cut row is read, and named.
    let run = audit_of("truncated_quote.csv");
    assert_eq!(run.report()["subject"]["rows"], 3);
    let finding = run
        .finding("source.unclosed_quote", "")
        .expect("truncated quote finding");
    assert!(
        finding["message"].as_str().unwrap().contains("truncated_quote.csv:4"),
        "{finding}"
    );
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

#[test]
fn a_twenty_megabyte_line_is_audited_and_cut_in_the_report() {
    let case = Case::new("[source.t]\npath = \"t.csv\"\n\n[subject]\ntable = \"t\"\n\n[report]\nmin_count = 1\n");
    let mut csv = String::from("id,note\n1,");
    csv.push_str(&"x".repeat(20 << 20));
    csv.push_str("\n2,court\n");
    std::fs::write(case.path("t.csv"), csv).unwrap();
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["rows"], 2);
    let top = &run.field("note")["top_values"];
    let longest = top
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap().chars().count());
    assert_eq!(longest.max(), Some(201), "200 characters and an ellipsis");
    assert!(run.report().to_string().len() < 1 << 20);
    assert!(std::fs::metadata(case.path("out/report.html")).unwrap().len() < 2 << 20);
}

#[test]
fn three_thousand_columns_are_audited() {
    let header: Vec<String> = (0..3000).map(|i| format!("c{i}")).collect();
    let mut csv = header.join(",") + "\n";
    for row in 0..3 {
        csv += &(0..3000).map(|i| (i * row).to_string()).collect::<Vec<_>>().join(",");
        csv += "\n";
    }
    let case = Case::new("[source.t]\npath = \"t.csv\"\n\n[subject]\ntable = \"t\"\n");
    std::fs::write(case.path("t.csv"), csv).unwrap();
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report()["fields"].as_array().map(Vec::len), Some(3000));
    assert_eq!(run.field("c2999")["distinct"], 3);
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn an_unreadable_file_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new("[source.t]\npath = \"t.csv\"\n\n[subject]\ntable = \"t\"\n");
    std::fs::write(case.path("t.csv"), "id\n1\n").unwrap();
    std::fs::set_permissions(case.path("t.csv"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // Permissions do not stop root (CI runs as root): the binary then runs as `nobody`.
    let output = if is_root() {
        let binary = case.path("segaudit");
        std::fs::copy(env!("CARGO_BIN_EXE_segaudit"), &binary).unwrap();
        std::fs::set_permissions(case.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::set_permissions(case.path("spec.toml"), std::fs::Permissions::from_mode(0o644)).unwrap();
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(["audit", "spec.toml", "--out", "out"])
            .current_dir(case.dir.path())
            .env("TMPDIR", case.dir.path())
            .output()
            .expect("setpriv (util-linux) runs the binary as nobody")
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_segaudit"))
            .args(["audit", "spec.toml", "--out", "out"])
            .current_dir(case.dir.path())
            .output()
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for needle in ["t.csv", "Permission denied", "tip:", "chmod"] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
}

#[test]
fn a_memory_limit_too_small_stops_with_a_clear_error() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checks/demo.toml");
    let demo = demo.display().to_string();
    let case = Case::new("");
    let run = case.run(&["audit", &demo, "--out", "out", "--quiet", "--memory-limit", "100K"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("Resources exhausted"), "{}", run.stderr);
    assert!(run
        .stderr
        .contains("tip: the audit needs more memory than --memory-limit allows"));
    assert!(!case.path("out/audit.json").exists(), "no report that looks complete");
    let run = case.run(&["audit", &demo, "--out", "out", "--quiet", "--memory-limit", "256M"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = case.run(&["audit", &demo, "--memory-limit", "12 parsecs"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("write e.g. 512M or 4G"), "{}", run.stderr);
}

#[test]
fn inputs_are_left_untouched_and_outputs_complete() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new(
        "[source.clients]\npath = \"clients.csv.gz\"\n\n[source.extra]\npath = \"extra.parquet\"\n\n[subject]\ntable = \"clients\"\n",
    );
    let inputs = [
        ("clients.csv.gz", fixture("gzip/clients.csv.gz")),
        ("extra.parquet", fixture("parquet/customers.parquet")),
    ];
    let mut before = Vec::new();
    for (name, from) in &inputs {
        std::fs::copy(from, case.path(name)).unwrap();
        std::fs::set_permissions(case.path(name), std::fs::Permissions::from_mode(0o444)).unwrap();
        let meta = std::fs::metadata(case.path(name)).unwrap();
        before.push((
            std::fs::read(case.path(name)).unwrap(),
            meta.modified().unwrap(),
            meta.permissions(),
        ));
    }
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for ((name, _), (bytes, modified, permissions)) in inputs.iter().zip(before) {
        let meta = std::fs::metadata(case.path(name)).unwrap();
        assert_eq!(std::fs::read(case.path(name)).unwrap(), bytes, "{name} changed");
        assert_eq!(meta.modified().unwrap(), modified, "{name} touched");
        assert_eq!(meta.permissions(), permissions, "{name} permissions changed");
    }
    // The folder holds the inputs, the spec and the reports: no leftover temporary file.
    let mut names: Vec<String> = std::fs::read_dir(case.dir.path())
        .unwrap()
        .chain(std::fs::read_dir(case.path("out")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["clients.csv.gz", "extra.parquet", "out", "report.html", "spec.toml"]
    );
}

#[test]
fn pii_values_and_small_cells_never_leave_the_machine() {
    // 12 customers. Phones, e-mails and names are pii: one phone and one e-mail are shared by
    // six customers, so they would be top values if they were not pii. "Tiassalé" (2 rows) is a
    // small cell (min_count 5) as a value, as a stratum and as a heatmap group.
    let mut csv = String::from("id;telephone;email;nom;ville;age\n");
    for i in 0..12 {
        let (phone, email) = if i < 6 {
            ("+225 07 11 22 33 44".to_string(), "awa.kone@example.ci".to_string())
        } else {
            (format!("+225 05 99 88 77 {i:02}"), format!("client{i}@mail.example.ci"))
        };
        let town = if i < 10 { "Abidjan" } else { "Tiassalé" };
        let age = if i % 4 == 0 {
            String::new()
        } else {
            (20 + i).to_string()
        };
        csv += &format!("C{i};{phone};{email};Koné Awa {i};{town};{age}\n");
    }
    let spec = "[source.t]\npath = \"t.csv\"\ndelimiter = \";\"\n\n[subject]\ntable = \"t\"\nkey = \"id\"\nstrata = [\"ville\"]\n\n\
        [field.telephone]\npii = true\npattern = '\\+225( \\d\\d){5}'\n\n[report]\nmin_count = 5\n\n[field.email]\npii = true\n\n[field.nom]\npii = true\n\n\
        [field.age]\ntype = \"integer\"\n\n[segment.adultes]\nrule = \"age >= 25 AND telephone LIKE '+225%'\"\n";
    let case = Case::new(spec);
    std::fs::write(case.path("t.csv"), csv).unwrap();
    let mut outputs = String::new();
    for lang in ["fr", "en"] {
        let run = case.audit(&["--fail-on", "never", "--show-sql", "--lang", lang, "--history", "h"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        outputs += &run.stdout;
        outputs += &run.stderr;
        outputs += &run.report().to_string();
        outputs += &std::fs::read_to_string(case.path("out/report.html")).unwrap();
    }
    // The history (runs, Parquet metrics, membership), its listing, and every file assign writes.
    let assign = case.run(&[
        "assign",
        "spec.toml",
        "--out",
        "a.csv",
        "--html",
        "a.html",
        "--history",
        "h",
        "--force",
        "--show-sql",
    ]);
    assert!(assign.code == 0 || assign.code == 1, "{}", assign.stderr);
    let listing = case.run(&["history", "h"]);
    outputs += &assign.stdout;
    outputs += &assign.stderr;
    outputs += &listing.stdout;
    let mut files = vec![case.path("a.csv"), case.path("a.csv.json"), case.path("a.html")];
    for folder in ["h", "h/runs", "h/metrics"] {
        for entry in std::fs::read_dir(case.path(folder)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    assert!(case.path("a.csv").is_file() && case.path("h/membership.parquet").is_file());
    for file in files.iter().filter(|f| f.is_file()) {
        outputs += &String::from_utf8_lossy(&std::fs::read(file).unwrap());
    }
    // The grep sees values: a stratum value seen 10 times is named, in the report and the history.
    assert!(outputs.contains("Abidjan"));
    for secret in [
        "07 11 22 33 44",
        "99 88 77",
        "awa.kone",
        "mail.example",
        "Koné Awa",
        "Tiassalé",
        "Tiassal",
    ] {
        assert!(!outputs.contains(secret), "{secret:?} leaked");
    }
    // The counts are all still there: the ville strata pool the small town with the rest.
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.field("telephone")["distinct"], 7);
    let strata = &run.segment("adultes")["strata"][0]["groups"];
    assert_eq!(strata[1]["pooled"], true);
    assert_eq!(
        strata[0]["rows"].as_u64().unwrap() + strata[1]["rows"].as_u64().unwrap(),
        12
    );
}

#[test]
fn the_scratch_copy_of_a_csv_is_private_and_a_killed_run_leaves_nothing_for_long() {
    // A killed run (kill -9 runs no destructor) leaves `segaudit-<pid>-XXXXXX` behind, holding every
    // value of the data. The next run removes it: its pid runs no process (pids stop far below 999999999).
    let temp = tempfile::tempdir().unwrap();
    let stale = temp.path().join("segaudit-999999999-Ab12Cd");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("clients.arrows"), "every value").unwrap();
    // Another process's live folder (ours: this test's pid runs) is left alone.
    let live = temp.path().join(format!("segaudit-{}-Zz99Yy", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    let spec = format!(
        "[source.t]\npath = \"{}\"\n\n[subject]\ntable = \"t\"\nkey = \"id\"\n",
        fixture("hostile/mixed_endings.csv")
    );
    let case = Case::new(&spec);
    let tmpdir = temp.path().display().to_string();
    let run = case.run_with_env(&["audit", "spec.toml", "--fail-on", "never"], &[("TMPDIR", &tmpdir)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!stale.exists(), "the dead run's copy is still there");
    assert!(live.exists(), "a running process's folder was removed");
    // The run's own folder went with it: only the live one is left.
    let left: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec![live.file_name().unwrap().to_string_lossy().into_owned()]);
}
