//! An output that would overwrite an input is refused before anything runs (exit 2, naming both), and
//! the input is left byte for byte as it was (issue 29: `--json data.csv` used to replace the data).

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
    assert_refused(
        &case,
        &["audit", "spec.toml", "--json", "data/clients.csv"],
        "data/clients.csv",
        "clients.csv",
    );
    assert_refused(
        &case,
        &["audit", "spec.toml", "--html", "spec.toml"],
        "spec.toml",
        "spec.toml",
    );
    // The same file reached another way (`./`, `..`) is the same file.
    assert_refused(
        &case,
        &["audit", "spec.toml", "--json", "./data/../data/clients.csv"],
        "./data/../data/clients.csv",
        "clients.csv",
    );
    assert_refused(
        &case,
        &["assign", "spec.toml", "--out", "data/clients.csv"],
        "data/clients.csv",
        "clients.csv",
    );
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
