//! Conditional fields and duplicate identities (contract §10): `applies_when` takes the rows where it
//! is FALSE out of a field's counts as `not_applicable`; `[subject] identity` counts customers
//! registered again under another key. Every number worked out by hand below.

use crate::Case;

/// Eight customers. `secteur` applies to B2B ones; `type` is declared with two values, so `x` is
/// invalid, its typed value NULL, and row 6's applicability unknown (it stays applicable).
///
/// | id | type | secteur   | for secteur                       |
/// | 1  | B2B  | commerce  | applicable, usable                |
/// | 2  | B2B  |           | applicable, missing               |
/// | 3  | B2B  | agri      | applicable, invalid (not in values) |
/// | 4  | B2C  |           | not applicable                    |
/// | 5  | B2C  | commerce  | not applicable (present, not counted) |
/// | 6  | x    |           | applicable (NULL predicate), missing |
/// | 7  | B2B  | industrie | applicable, usable                |
/// | 8  | B2C  |           | not applicable                    |
///
/// Identity (nom, naissance), trimmed and lower-cased: {1, 2, 7} are "kone"/1990-01-01 under three
/// keys → 2 rows beyond the first; {3, 4} "traore"/1985-02-02 under two keys → 1; 5 has an invalid
/// date (not grouped), 6 and 8 are alone. duplicate_identities = 3.
const CUSTOMERS: &str = "\
id,type,secteur,nom,naissance
1,B2B,commerce,Kone,1990-01-01
2,B2B,,kone ,1990-01-01
3,B2B,agri,Traore,1985-02-02
4,B2C,,TRAORE,1985-02-02
5,B2C,commerce,Diallo,1990-13-45
6,x,,Diallo,1970-05-05
7,B2B,industrie,KONE,1990-01-01
8,B2C,,Bamba,
";

fn spec(subject_extra: &str, applies_when: &str) -> String {
    format!(
        "[source.customers]\npath = \"customers.csv\"\n\n[subject]\ntable = \"customers\"\n{subject_extra}\n\n\
         [field.type]\nvalues = [\"B2B\", \"B2C\"]\n\n\
         [field.secteur]\nvalues = [\"commerce\", \"industrie\"]\n{applies_when}\n\n\
         [field.naissance]\ntype = \"date\"\n\n\
         [segment.pros]\npopulation = \"type = 'B2B'\"\nrule = \"secteur = 'commerce'\"\n"
    )
}

fn case(subject_extra: &str, applies_when: &str) -> Case {
    let case = Case::new(&spec(subject_extra, applies_when));
    std::fs::write(case.path("customers.csv"), CUSTOMERS).unwrap();
    case
}

#[test]
fn applies_when_counts_applicable_rows_only() {
    let case = case("key = \"id\"", "applies_when = \"type = 'B2B'\"");
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let secteur = run.field("secteur");
    assert_eq!(secteur["rows"], 8);
    assert_eq!(secteur["not_applicable"], 3); // rows 4, 5, 8
    assert_eq!(secteur["missing"], 2); // rows 2, 6
    assert_eq!(secteur["invalid"], 1); // row 3
    assert_eq!(secteur["usable"], 2); // rows 1, 7
                                      // applicable = 8 − 3 = 5: completeness (5 − 2) / 5, usability 2 / 5, validity 2 / 3.
    assert_eq!(secteur["completeness"], 0.6);
    assert_eq!(secteur["usability"], 0.4);
    assert!((secteur["validity"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // Row 5's "commerce" does not apply: counted once, not twice.
    assert_eq!(
        crate::counts(&secteur["top_values"], "value"),
        [
            ("agri".to_string(), 1),
            ("commerce".to_string(), 1),
            ("industrie".to_string(), 1)
        ]
    );
    assert_eq!(
        crate::counts(&secteur["invalid_values"], "value"),
        [("agri".to_string(), 1)]
    );
    // Fields without applies_when: not_applicable is 0 and nothing else moves.
    assert_eq!(run.field("type")["not_applicable"], 0);
    assert_eq!(run.field("type")["invalid"], 1);
    // field.usability is judged on 0.4 (critical below 0.5 by default), and its message says 2 of 8
    // rows would be wrong: it names the applicable rows.
    let finding = run.finding("field.usability", "secteur").unwrap();
    assert_eq!(finding["level"], "critical");
    // Rules still read the value: pros = B2B rows (1, 2, 3, 7) whose secteur is commerce → row 1;
    // rows 2 (missing) and 3 (invalid → NULL) are undetermined.
    let pros = run.segment("pros");
    assert_eq!(
        (pros["population"].as_u64(), pros["members"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(pros["undetermined"], 2);
}

#[test]
fn without_applies_when_the_same_field_counts_every_row() {
    let run = case("key = \"id\"", "").audit(&["--fail-on", "never"]);
    let secteur = run.field("secteur");
    // missing: rows 2, 4, 6, 8; invalid: 3; usable: 1, 5, 7.
    assert_eq!(secteur["not_applicable"], 0);
    assert_eq!(
        (secteur["missing"].as_u64(), secteur["invalid"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(secteur["usable"], 3);
}

#[test]
fn identity_counts_customers_registered_under_another_key() {
    let case = case("key = \"id\"\nidentity = [\"nom\", \"naissance\"]", "");
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["duplicate_identities"], 3);
    assert_eq!(
        run.report()["subject"]["identity"],
        serde_json::json!(["nom", "naissance"])
    );
    // 3 / 8 = 37.5 % ≥ 5 %: critical by the default thresholds.
    let finding = run.finding("subject.duplicate_identities", "").unwrap();
    assert_eq!(finding["level"], "critical");
    assert_eq!(
        finding["message"],
        "3 rows (37.5%) repeat a customer already registered under another key: same nom, naissance; \
         counting customers by key counts them twice"
    );
    // With a threshold above the share, the count stays and the finding goes.
    let lenient = crate::Case::new(&format!(
        "{}\n[risk]\nduplicate_identities = {{ warn = 0.5, high = 0.6, critical = 0.7 }}\n",
        spec("key = \"id\"\nidentity = [\"nom\", \"naissance\"]", "")
    ));
    std::fs::write(lenient.path("customers.csv"), CUSTOMERS).unwrap();
    let run = lenient.audit(&["--fail-on", "never"]);
    assert_eq!(run.report()["subject"]["duplicate_identities"], 3);
    assert!(run.finding("subject.duplicate_identities", "").is_none());
}

#[test]
fn without_identity_the_subject_says_zero() {
    let run = case("key = \"id\"", "").audit(&["--fail-on", "never"]);
    assert_eq!(run.report()["subject"]["duplicate_identities"], 0);
    assert!(!run.codes().contains(&"subject.duplicate_identities".to_string()));
}

#[test]
fn applies_when_reading_its_own_field_is_a_spec_error() {
    let case = case("key = \"id\"", "applies_when = \"secteur IS NOT NULL\"");
    let run = case.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("spec.toml:13:16: `field.secteur.applies_when`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "`applies_when` of secteur reads secteur itself: a field cannot decide whether it applies to itself"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("tip: write the condition over another field"),
        "{}",
        run.stderr
    );
    // The audit refuses it before any scan, in French when asked.
    let run = case.run(&["audit", "spec.toml", "--lang", "fr"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("lit secteur lui-même"), "{}", run.stderr);
}

#[test]
fn applies_when_is_type_checked_like_a_rule() {
    // `type` is text: comparing it with a number can never be TRUE (contract §11).
    let run = case("key = \"id\"", "applies_when = \"type = 2\"").run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`field.secteur.applies_when`"), "{}", run.stderr);
    assert!(run.stderr.contains("tip:"), "{}", run.stderr);
}

#[test]
fn identity_needs_a_key_and_known_columns() {
    let run = case("identity = [\"nom\"]", "").run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`subject.identity`"), "{}", run.stderr);
    assert!(run.stderr.contains("the subject has no key"), "{}", run.stderr);
    assert!(run.stderr.contains("tip: add key = "), "{}", run.stderr);
    let run = case("key = \"id\"\nidentity = [\"nomm\"]", "").run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("the subject has no column \"nomm\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `nom`?"), "{}", run.stderr);
}

/// The new numbers of contract §10 and §12 reach the history's metrics table, `diff` and the first
/// page. Run 1 is the eight customers above; run 2 adds `9,B2C,,Kone,1990-01-01`:
/// - secteur's not_applicable: rows 4, 5, 8 → 3; then 4, 5, 8, 9 → 4;
/// - duplicate identities: 3 (see above); then kone/1990-01-01 holds keys {1, 2, 7, 9} → 3 beyond the
///   first, plus traore's 1 → 4;
/// - variant `pros.filled` (`secteur IS NOT NULL`) on the B2B rows 1, 2, 3, 7: 1 and 7 are members,
///   2 (missing) and 3 (invalid, NULL) non-members decided while secteur is not usable → 2, 2, 2.
#[test]
fn history_diff_and_first_page_carry_not_applicable_identities_and_variants() {
    let spec = format!(
        "{}\n[segment.pros.variants]\nfilled = \"secteur IS NOT NULL\"\n",
        spec(
            "key = \"id\"\nidentity = [\"nom\", \"naissance\"]",
            "applies_when = \"type = 'B2B'\""
        )
    );
    let case = Case::new(&spec);
    std::fs::write(case.path("customers.csv"), CUSTOMERS).unwrap();
    let audit = |json: &str| {
        let run = case.run(&[
            "audit",
            "spec.toml",
            "--history",
            "hist",
            "--json",
            json,
            "--html",
            "report.html",
            "--quiet",
            "--fail-on",
            "never",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    };
    audit("a.json");
    std::fs::write(
        case.path("customers.csv"),
        format!("{CUSTOMERS}9,B2C,,Kone,1990-01-01\n"),
    )
    .unwrap();
    audit("b.json");
    let rows = crate::history::read_metrics(&case.path("hist/metrics"));
    let values = |scope: &str, object: &str, metric: &str| {
        let mut v: Vec<(String, f64)> = rows
            .iter()
            .filter(|r| r.1 == scope && r.2 == object && r.3 == metric)
            .map(|r| (r.0.clone(), r.4))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0)); // run ids start with their time
        v.into_iter().map(|(_, value)| value).collect::<Vec<f64>>()
    };
    assert_eq!(values("field", "secteur", "not_applicable"), [3.0, 4.0]);
    assert_eq!(values("field", "type", "not_applicable"), [0.0, 0.0]);
    assert_eq!(values("subject", "customers", "duplicate_identities"), [3.0, 4.0]);
    assert_eq!(values("variant", "pros/filled", "members"), [2.0, 2.0]);
    assert_eq!(values("variant", "pros/filled", "non_members"), [2.0, 2.0]);
    assert_eq!(values("variant", "pros/filled", "decided_on_missing"), [2.0, 2.0]);

    let diff = case.run(&["diff", "a.json", "b.json", "--json"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let d: serde_json::Value = serde_json::from_str(&diff.stdout).unwrap();
    assert_eq!((d["old_rows"].as_u64(), d["new_rows"].as_u64()), (Some(8), Some(9)));
    assert_eq!(d["row_count_shift"], 0.125); // |9 − 8| / 8
    assert_eq!(
        (
            d["old_duplicate_identities"].as_u64(),
            d["new_duplicate_identities"].as_u64()
        ),
        (Some(3), Some(4))
    );
    let secteur = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "secteur")
        .unwrap();
    assert_eq!(
        (
            secteur["old_not_applicable"].as_u64(),
            secteur["new_not_applicable"].as_u64()
        ),
        (Some(3), Some(4))
    );
    let text = case.run(&["diff", "a.json", "b.json"]);
    assert!(
        text.stdout.contains("rows: 8 → 9 (moved by 12.5%)")
            && text.stdout.contains("customers registered twice: 3 → 4"),
        "{}",
        text.stdout
    );
    let fr = case.run(&["diff", "a.json", "b.json", "--lang", "fr"]);
    assert!(
        fr.stdout.contains("écart de 12,5") && fr.stdout.contains("clients enregistrés deux fois : 3 → 4"),
        "{}",
        fr.stdout
    );

    // The first page: 4 of 9 rows are customers registered again.
    let html = std::fs::read_to_string(case.path("report.html")).unwrap();
    assert!(
        html.contains(
            "Before counting customers: 4 rows (44.4%) repeat a customer already registered under another key."
        ),
        "no integrity sentence on the first page"
    );
}
