//! Waivers (contract §10): a waived finding stays in the report, marked, and counts neither for the
//! gate nor for `gate.worst`; an expired waiver waives nothing (`waiver.expired`), an unmatched one
//! is `waiver.unused`; bad waivers are spec errors at line:col. The runs are dated by
//! SOURCE_DATE_EPOCH = 1790000000, i.e. 2026-09-21.

use crate::{Case, Run};

/// Ten customers; `age` is invalid on 3 of them: usability 7 / 10 = 0.70, below high (0.80) and
/// above critical (0.50): `field.usability` at high; the one segment (every row) is small (10 < 30):
/// `segment.small_population` at warn.
const DATA: &str = "id,age\n1,20\n2,30\n3,40\n4,abc\n5,50\n6,def\n7,60\n8,ghi\n9,70\n10,80\n";

fn case(waivers: &str) -> Case {
    let spec = format!(
        "[source.c]\npath = \"c.csv\"\n\n[subject]\ntable = \"c\"\nkey = \"id\"\n\n\
         [field.age]\ntype = \"integer\"\n\n[segment.adult]\nrule = \"id <> ''\"\n{waivers}"
    );
    let case = Case::new(&spec);
    std::fs::write(case.path("c.csv"), DATA).unwrap();
    case
}

fn usability(run: &Run) -> &serde_json::Value {
    run.finding("field.usability", "age").expect("field.usability on age")
}

#[test]
fn without_a_waiver_the_known_gap_fails_the_gate() {
    let run = case("").audit(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(usability(&run)["level"], "high");
    assert_eq!(usability(&run).get("waived"), None);
    assert_eq!(run.report()["gate"]["worst"], "high");
}

#[test]
fn a_waived_finding_stays_but_does_not_count() {
    let waiver = "\n[[waiver]]\ncode = \"field.usability\"\nfield = \"age\"\nreason = \"legacy ages, fixed in March\"\nuntil = \"2026-09-21\"\n";
    let case = case(waiver);
    let run = case.audit(&[]);
    // until is inclusive: the run's day 2026-09-21 is still covered.
    assert_eq!(run.code, 0, "{}", run.stdout);
    let f = usability(&run);
    assert_eq!((f["level"].as_str(), f["waived"].as_bool()), (Some("high"), Some(true)));
    assert_eq!(f["waiver_reason"], "legacy ages, fixed in March");
    // Besides it, only segment.small_population (10 rows < 30, warn): worst is warn, not high.
    assert_eq!(run.codes(), ["field.usability", "segment.small_population"]);
    assert_eq!(run.report()["gate"]["worst"], "warn");
    assert!(!run.codes().contains(&"waiver.unused".to_string()));
    // Terminal and HTML show it as waived, with the reason.
    let shown = case.run(&["audit", "spec.toml", "--out", "out", "--lang", "fr"]);
    assert!(
        shown.stdout.contains("[dérogé · élevé] field.usability:")
            && shown.stdout.contains("(dérogation : legacy ages, fixed in March)"),
        "{}",
        shown.stdout
    );
    let html = std::fs::read_to_string(case.path("out/report.html")).unwrap();
    assert!(html.contains("dérogation : legacy ages, fixed in March"));
}

#[test]
fn an_expired_waiver_waives_nothing_and_says_so() {
    let waiver =
        "\n[[waiver]]\ncode = \"field.usability\"\nfield = \"age\"\nreason = \"old\"\nuntil = \"2026-09-20\"\n";
    let run = case(waiver).audit(&[]);
    // 2026-09-20 < 2026-09-21: expired; the finding counts again.
    assert_eq!(run.code, 1);
    assert_eq!(usability(&run).get("waived"), None);
    let expired = run.finding("waiver.expired", "").expect("waiver.expired");
    assert_eq!(expired["level"], "warn");
    assert_eq!(
        expired["message"],
        "the waiver of `field.usability` · age (spec line 14) ended on 2026-09-20: it waives nothing now; renew or remove it"
    );
    assert!(!run.codes().contains(&"waiver.unused".to_string()));
}

#[test]
fn a_waiver_matching_nothing_is_unused() {
    // `segment` narrows the match: field.usability has no segment, so this waiver matches nothing.
    let waiver = "\n[[waiver]]\ncode = \"field.usability\"\nsegment = \"adult\"\nreason = \"r\"\n\n\
                  [[waiver]]\ncode = \"subject.duplicate_keys\"\nreason = \"r\"\n";
    let run = case(waiver).audit(&[]);
    assert_eq!(run.code, 1);
    let unused: Vec<&str> = run.report()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "waiver.unused")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        unused,
        [
            "the waiver of `field.usability` · adult (spec line 14) matches no finding: remove it",
            "the waiver of `subject.duplicate_keys` (spec line 19) matches no finding: remove it"
        ]
    );
    assert_eq!(run.finding("waiver.unused", "").unwrap()["level"], "warn");
}

#[test]
fn bad_waivers_are_spec_errors_at_line_and_column() {
    let bad = |waiver: &str| {
        let run = case(waiver).run(&["check", "spec.toml"]);
        assert_eq!(run.code, 2, "{waiver}: {}", run.stderr);
        run.stderr
    };
    let err = bad("\n[[waiver]]\ncode = \"field.usabilty\"\nreason = \"r\"\n");
    assert!(
        err.contains("spec.toml:15:8: `waiver[0].code`: unknown finding code \"field.usabilty\"")
            && err.contains("did you mean `field.usability`?"),
        "{err}"
    );
    let err = bad("\n[[waiver]]\ncode = \"field.usability\"\n");
    assert!(
        err.contains("spec.toml:14:1: `waiver[0].reason`: a waiver needs a `reason`"),
        "{err}"
    );
    let err = bad("\n[[waiver]]\ncode = \"field.usability\"\nreason = \"r\"\nuntil = \"31/12/2026\"\n");
    assert!(
        err.contains("spec.toml:17:9: `waiver[0].until`: \"31/12/2026\" is not a date") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    let err = bad("\n[[waiver]]\ncode = \"segment.undetermined\"\nsegment = \"adul\"\nreason = \"r\"\n");
    assert!(
        err.contains("`waiver[0].segment`: no segment is named \"adul\"") && err.contains("did you mean `adult`?"),
        "{err}"
    );
}
