//! Inputs stay as they were: an output that would overwrite one is refused before anything runs (exit 2,
//! naming both; `--json data.csv` used to replace the data), and a SQLite file is read without a byte
//! changing, even when it is read-only (issue 29).

use crate::Case;

const DATA: &str = "id,segment_input\n1,a\n2,b\n";

fn case(source_path: &str) -> Case {
    let spec = format!(
        "[source.t]\npath = \"{source_path}\"\n\n[subject]\ntable = \"t\"\nkey = \"id\"\n\n\
         [segment.all]\nrule = \"segment_input IS NOT NULL\"\n"
    );
    let case = Case::new(&spec);
    std::fs::create_dir_all(case.path("data")).unwrap();
    std::fs::write(case.path("data/clients.csv"), DATA).unwrap();
    case
}

/// Runs `args`, expects the refusal naming `output` and `what`, and checks nothing was overwritten.
fn assert_refused(case: &Case, args: &[&str], output: &str, what: &str) {
    let spec_before = std::fs::read(case.path("spec.toml")).unwrap();
    let run = case.run(args);
    assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("refusing to write {output}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(what), "{what:?} not in {}", run.stderr);
    assert!(run.stderr.contains("tip:"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(case.path("data/clients.csv")).unwrap(), DATA);
    assert_eq!(std::fs::read(case.path("spec.toml")).unwrap(), spec_before);
}

#[test]
fn an_output_naming_the_data_or_the_spec_is_refused() {
    let case = case("data/clients.csv");
    let refusals: [(&[&str], &str, &str); 5] = [
        (
            &["audit", "spec.toml", "--json", "data/clients.csv"],
            "data/clients.csv",
            "clients.csv",
        ),
        (&["audit", "spec.toml", "--html", "spec.toml"], "spec.toml", "spec.toml"),
        // The same file reached another way (`./`, `..`) is the same file.
        (
            &["audit", "spec.toml", "--json", "./data/../data/clients.csv"],
            "./data/../data/clients.csv",
            "clients.csv",
        ),
        (
            &["assign", "spec.toml", "--out", "data/clients.csv"],
            "data/clients.csv",
            "clients.csv",
        ),
        (
            &["profile", "data/clients.csv", "--json", "data/clients.csv"],
            "data/clients.csv",
            "clients.csv",
        ),
    ];
    for (args, output, what) in refusals {
        assert_refused(&case, args, output, what);
    }
    // A legitimate output still works, and the data is unchanged by it.
    let run = case.run(&["audit", "spec.toml", "--json", "out/audit.json", "--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_output_inside_a_source_folder_a_glob_or_the_history_is_refused() {
    let folder = case("data");
    assert_refused(
        &folder,
        &["audit", "spec.toml", "--json", "data/audit.json"],
        "data/audit.json",
        "inside the folder",
    );
    let glob = case("data/*.csv");
    assert_refused(
        &glob,
        &["assign", "spec.toml", "--out", "data/assignment.csv"],
        "data/assignment.csv",
        "pattern",
    );
    let history = case("data/clients.csv");
    assert_refused(
        &history,
        &["assign", "spec.toml", "--history", "h", "--out", "h/membership.parquet"],
        "h/membership.parquet",
        "inside the folder",
    );
    assert_refused(
        &history,
        &["audit", "spec.toml", "--history", "h", "--json", "h/runs/1.json"],
        "h/runs/1.json",
        "inside the folder",
    );
    assert!(!history.path("h/membership.parquet").exists());
}

#[test]
fn a_sqlite_file_is_read_without_changing_it_even_read_only() {
    // The provider used to switch the file to WAL journaling (its bytes changed, `-wal`/`-shm` appeared)
    // and a read-only file failed with "attempt to write a readonly database".
    let case = Case::new(
        "[source.t]\nurl = \"sqlite:t.db\"\nquery = \"SELECT * FROM t WHERE n > 1\"\n\n\
         [subject]\ntable = \"t\"\nkey = \"id\"\n\n[field.n]\ntype = \"integer\"\n",
    );
    let conn = rusqlite::Connection::open(case.path("t.db")).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER, n INTEGER); INSERT INTO t VALUES (1, 1), (2, 2), (3, 3);")
        .unwrap();
    drop(conn);
    let before = std::fs::read(case.path("t.db")).unwrap();
    let modified = std::fs::metadata(case.path("t.db")).unwrap().modified().unwrap();
    for read_only in [false, true] {
        let mut permissions = std::fs::metadata(case.path("t.db")).unwrap().permissions();
        permissions.set_readonly(read_only);
        std::fs::set_permissions(case.path("t.db"), permissions).unwrap();
        let run = case.audit(&["--fail-on", "never"]);
        assert_eq!(run.code, 0, "read-only {read_only}: {}", run.stderr);
        // Rows 2 and 3 have n > 1: the query ran in the database.
        assert_eq!(run.report()["subject"]["rows"], 2);
        assert_eq!(std::fs::read(case.path("t.db")).unwrap(), before);
        assert_eq!(
            std::fs::metadata(case.path("t.db")).unwrap().modified().unwrap(),
            modified
        );
        assert!(!case.path("t.db-wal").exists() && !case.path("t.db-shm").exists());
    }
}

#[test]
fn reports_are_written_together_and_the_run_kept_only_after_them() {
    // The HTML cannot be written (its folder would be inside a file): the JSON must stay the previous
    // run's and the history must not gain a run whose reports do not exist.
    let case = case("data/clients.csv");
    let first = case.run(&[
        "audit",
        "spec.toml",
        "--history",
        "h",
        "--fail-on",
        "never",
        "--json",
        "kept.json",
    ]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let kept = std::fs::read(case.path("kept.json")).unwrap();
    std::fs::write(case.path("blocker"), "a file, not a folder").unwrap();
    std::fs::write(case.path("data/clients.csv"), "id,segment_input\n1,a\n2,b\n3,c\n").unwrap();
    let second = case.run(&[
        "audit",
        "spec.toml",
        "--history",
        "h",
        "--fail-on",
        "never",
        "--json",
        "kept.json",
        "--html",
        "blocker/report.html",
    ]);
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert_eq!(std::fs::read(case.path("kept.json")).unwrap(), kept);
    let runs = std::fs::read_dir(case.path("h/runs")).unwrap().count();
    assert_eq!(runs, 1, "the failed run was added to the history");
}
