//! Segment variants (contract §12): each variant's numbers equal those of an audit of a copy of the
//! spec where the segment's rule is the variant (three specs: a threshold, deciding on missing
//! values, an exclusive and exhaustive segmentation); `assign --variant` rows equal `assign` of that
//! copy; a rule test naming a variant; a bad variant is a `check` error at its line:col; and the
//! numbers of one spec worked out by hand.

use serde_json::Value;

use crate::Case;

/// Ten customers, eight of kind `p`. `days` is a float: row 2 and 7 miss it, row 6 holds `x`
/// (invalid), so inside the population (rows 1, 2, 3, 4, 6, 7, 8, 10) it is NULL for 2, 6, 7.
/// `age` is missing for 3, 7 (and 9, outside).
const DATA: &str = "id,kind,age,income,days\n\
                    1,p,25,1200,3\n\
                    2,p,35,800,\n\
                    3,p,,1500,10\n\
                    4,p,40,,0\n\
                    5,b,28,2000,5\n\
                    6,p,19,500,x\n\
                    7,p,,,\n\
                    8,p,31,1000,40\n\
                    9,b,,300,2\n\
                    10,p,30,1100,7\n";

const HEAD: &str = r#"[source.c]
path = "c.csv"

[subject]
table = "c"
key = "id"

[field.kind]
values = ["p", "b"]
[field.age]
type = "integer"
[field.income]
type = "float"
[field.days]
type = "float"

[gate]
fail_on = "never"
"#;

/// A threshold moved, and a condition added on another field.
const THRESHOLD: &str = r#"
[segment.young]
population = "kind = 'p'"
rule = "age < 30"
[segment.young.variants]
under35 = "age < 35"
rich_young = "age < 30 AND income > 1000"
"#;

/// Variants that decide on a missing `days` (COALESCE, IS NOT NULL).
const MISSING: &str = r#"
[segment.prompt]
population = "kind = 'p'"
rule = "days < 7"
[segment.prompt.variants]
fallback = "COALESCE(days, 0) < 7"
known = "days IS NOT NULL AND days < 7"
"#;

/// An exclusive, exhaustive segmentation; variants on both of its segments.
const SEGMENTATION: &str = r#"
[segment.young]
population = "kind = 'p'"
rule = "age < 30"
[segment.young.variants]
wide = "age < 35"
coalesced = "COALESCE(age, 0) < 30"
[segment.adult]
population = "kind = 'p'"
rule = "age >= 30"
[segment.adult.variants]
older = "age > 30"

[segmentation.life]
segments = ["young", "adult"]
exclusive = true
exhaustive = true
"#;

fn case(segments: &str) -> Case {
    let case = Case::new(&format!("{HEAD}{segments}"));
    std::fs::write(case.path("c.csv"), DATA).expect("data");
    case
}

/// The segments text with `segment`'s rule replaced by `rule` (the copy the contract compares with).
fn replaced(segments: &str, segment: &str, rule: &str) -> String {
    let header = format!("[segment.{segment}]\n");
    let at = segments.find(&header).expect("segment in spec") + header.len();
    let (before, after) = segments.split_at(at);
    let start = after.find("rule = \"").expect("rule line");
    let end = start + after[start..].find('\n').expect("end of rule line");
    format!("{before}{}rule = \"{rule}\"{}", &after[..start], &after[end..])
}

fn numbers(value: &Value, keys: &[&str]) -> Vec<(String, Value)> {
    keys.iter().map(|k| (k.to_string(), value[*k].clone())).collect()
}

const SEGMENT_NUMBERS: [&str; 6] = ["members", "non_members", "undetermined", "size_min", "size_max", "risk"];
const COVERAGE_NUMBERS: [&str; 5] = ["exactly_one", "none", "several", "undetermined", "risk"];

/// For every variant of every segment of `segments`: its numbers equal the copy's segment, its
/// `decided_on_missing` the copy's (the specs here test at most one field's absence, so the
/// copy's per-field counts add up to the variant's one count), and its segmentations' coverage
/// equal the copy's segmentations.
fn variants_equal_copies(segments: &str) -> usize {
    let base = case(segments);
    let run = base.audit(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.report().clone();
    let mut compared = 0;
    for segment in report["segments"].as_array().expect("segments") {
        let id = segment["id"].as_str().expect("id");
        for variant in segment["variants"].as_array().expect("variants") {
            let vid = variant["id"].as_str().expect("variant id");
            let rule = variant["rule"].as_str().expect("rule");
            let copy = case(&replaced(segments, id, rule));
            let copied = copy.audit(&[]);
            assert_eq!(copied.code, 0, "{}", copied.stderr);
            let s = copied.segment(id);
            assert_eq!(
                numbers(variant, &SEGMENT_NUMBERS),
                numbers(s, &SEGMENT_NUMBERS),
                "{id}.{vid}"
            );
            let decided: u64 = s["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| f["decided_on_missing"].as_u64().unwrap_or(0))
                .sum();
            assert_eq!(variant["decided_on_missing"].as_u64(), Some(decided), "{id}.{vid}");
            for g in report["segmentations"].as_array().expect("segmentations") {
                let Some(with) = g["variants"]
                    .as_array()
                    .and_then(|vs| vs.iter().find(|x| x["segment"] == id && x["variant"] == vid))
                else {
                    continue;
                };
                let gid = g["id"].as_str().expect("id");
                assert_eq!(
                    numbers(with, &COVERAGE_NUMBERS),
                    numbers(copied.segmentation(gid), &COVERAGE_NUMBERS),
                    "{gid} with {id}.{vid}"
                );
            }
            compared += 1;
        }
    }
    compared
}

#[test]
fn each_variant_equals_an_audit_of_the_spec_with_its_rule() {
    assert_eq!(variants_equal_copies(THRESHOLD), 2);
    assert_eq!(variants_equal_copies(MISSING), 2);
    assert_eq!(variants_equal_copies(SEGMENTATION), 3);
}

#[test]
fn numbers_worked_out_by_hand() {
    let run = case(&format!("{MISSING}{SEGMENTATION}")).audit(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let prompt = run.segment("prompt");
    // Population: the 8 rows of kind p. `days < 7`: TRUE for 1 (3) and 4 (0); FALSE for 3 (10),
    // 8 (40), 10 (7); NULL for 2, 6, 7.
    assert_eq!(
        (prompt["members"].as_u64(), prompt["undetermined"].as_u64()),
        (Some(2), Some(3))
    );
    let variants = prompt["variants"].as_array().expect("variants");
    let fallback = &variants[0];
    // COALESCE(days, 0) < 7: rows 2, 6, 7 become members (0 < 7): 5 members, 3 non-members, none
    // undetermined; those 3 are decided although `days` is not usable: 3 / 8 = 0.375 > 0.25 →
    // critical (days' usability 5 / 8 = 0.625 is only high).
    assert_eq!(fallback["id"], "fallback");
    assert_eq!(fallback["rule"], "COALESCE(days, 0) < 7");
    let expect = |v: &Value, members, non_members, undetermined, decided, risk: &str| {
        assert_eq!(
            (
                v["members"].as_u64(),
                v["non_members"].as_u64(),
                v["undetermined"].as_u64(),
                v["size_min"].as_u64(),
                v["size_max"].as_u64(),
                v["decided_on_missing"].as_u64(),
                v["risk"].as_str()
            ),
            (
                Some(members),
                Some(non_members),
                Some(undetermined),
                Some(members),
                Some(members + undetermined),
                Some(decided),
                Some(risk)
            ),
            "{v}"
        );
    };
    expect(fallback, 5, 3, 0, 3, "critical");
    // days IS NOT NULL AND days < 7: rows 2, 6, 7 are FALSE (IS NOT NULL is FALSE): 2 members,
    // 6 non-members, still 3 decided on a missing `days`.
    expect(&variants[1], 2, 6, 0, 3, "critical");

    let young = run.segment("young");
    // age < 35 over ages 25, 35, NULL, 40, 19, NULL, 31, 30: TRUE for 25, 19, 31, 30 (4); FALSE 35,
    // 40 (2); NULL 2. Nothing decided on a missing age (no absence test); age usable 6 / 8 = 0.75
    // (high), undetermined 2 / 8 = 0.25 (high, not above critical) → high.
    expect(&young["variants"][0], 4, 2, 2, 0, "high");
    // COALESCE(age, 0) < 30: the two missing ages become members: 4 members, 4 non-members, 2
    // decided on missing (0.25 → high).
    expect(&young["variants"][1], 4, 4, 0, 2, "high");

    let life = run.segmentation("life");
    // Rules in use: young TRUE for 1, 6; adult TRUE for 2, 4, 8, 10; both NULL for 3, 7.
    assert_eq!(
        numbers(life, &["exactly_one", "none", "several", "undetermined"]),
        numbers(
            &serde_json::json!({"exactly_one": 6, "none": 0, "several": 0, "undetermined": 2}),
            &["exactly_one", "none", "several", "undetermined"]
        )
    );
    let coverage: Vec<(String, String, u64, u64, u64, u64)> = life["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| {
            let n = |k: &str| v[k].as_u64().unwrap_or(u64::MAX);
            (
                v["segment"].as_str().unwrap_or_default().to_string(),
                v["variant"].as_str().unwrap_or_default().to_string(),
                n("exactly_one"),
                n("none"),
                n("several"),
                n("undetermined"),
            )
        })
        .collect();
    assert_eq!(
        coverage,
        vec![
            // young = age < 35: rows 8 (31) and 10 (30) are young and adult: 2 several, 4 exactly one.
            ("young".into(), "wide".into(), 4, 0, 2, 2),
            // young = COALESCE(age, 0) < 30: rows 3 and 7 are young, adult NULL: one TRUE → exactly one.
            ("young".into(), "coalesced".into(), 8, 0, 0, 0),
            // adult = age > 30: row 10 (30) is neither: 1 none; 3 and 7 stay undetermined.
            ("adult".into(), "older".into(), 5, 1, 0, 2),
        ]
    );
    // An exclusive segmentation with several > 0 is at least high, as are its members (usability of
    // age 6 / 8 = 0.75, undetermined 2 / 8 = 0.25: high); nothing is critical.
    assert_eq!(life["variants"][0]["risk"], "high");
    // Variants raise no findings: the copy's findings would name them; these name the rules in use.
    let codes = run.codes();
    assert!(!codes.iter().any(|c| c.contains("variant")), "{codes:?}");
}

/// Sorted lines of a written assignment (row order is the scan's).
fn assignment(case: &Case, variant: Option<&str>) -> Vec<String> {
    let mut args = vec!["assign", "spec.toml", "--quiet", "--threads", "1", "--out", "a.csv"];
    if let Some(v) = variant {
        args.extend(["--variant", v]);
    }
    let run = case.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(case.path("a.csv")).expect("assignment written");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn assign_with_a_variant_equals_assign_of_the_copied_spec() {
    for (segment, variant, rule) in [
        ("young", "coalesced", "COALESCE(age, 0) < 30"),
        ("young", "wide", "age < 35"),
        ("adult", "older", "age > 30"),
    ] {
        let with = assignment(&case(SEGMENTATION), Some(&format!("{segment}={variant}")));
        let copy = assignment(&case(&replaced(SEGMENTATION, segment, rule)), None);
        assert_eq!(with, copy, "{segment}={variant}");
        let base = assignment(&case(SEGMENTATION), None);
        assert_ne!(with, base, "{segment}={variant} changes some row");
    }
    // Two variants at once: young=coalesced and adult=older; row 10 (30): young FALSE, adult
    // FALSE → none; rows 3, 7: young TRUE (COALESCE) → young.
    let both = case(SEGMENTATION);
    let run = both.run(&[
        "assign",
        "spec.toml",
        "--quiet",
        "--out",
        "a.csv",
        "--variant",
        "young=coalesced",
        "--variant",
        "adult=older",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(both.path("a.csv")).expect("assignment");
    assert!(
        text.lines().any(|l| l.starts_with("10,") && l.contains(",none,")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("3,member,")), "{text}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(both.path("a.csv.json")).expect("summary")).expect("json");
    assert_eq!(
        summary["variants"],
        serde_json::json!(["young=coalesced", "adult=older"])
    );
    // The terminal and HTML summaries say which definitions the rows were assigned with.
    let shown = both.run(&[
        "assign",
        "spec.toml",
        "--out",
        "b.csv",
        "--html",
        "b.html",
        "--variant",
        "young=coalesced",
    ]);
    assert!(
        shown
            .stdout
            .contains("assigned with these variants in place of their segments' rules: young=coalesced"),
        "{}",
        shown.stdout
    );
    let page = std::fs::read_to_string(both.path("b.html")).expect("assignment page");
    assert!(page.contains("assigned with these variants in place of their segments&#39; rules: young=coalesced"));

    // A variant that does not exist is a bad argument (exit 2) listing the known ones.
    let run = case(SEGMENTATION).run(&["assign", "spec.toml", "--quiet", "--variant", "young=old"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--variant young=old") && run.stderr.contains("young=wide, young=coalesced, adult=older"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_rule_test_may_name_a_variant() {
    let tests = r#"
[[test]]
name = "no age: undecided by the rules in use"
row = { kind = "p" }
expect = []
undetermined = ["young", "adult"]

[[test]]
name = "no age: young with the COALESCE variant"
variant = "young.coalesced"
row = { kind = "p" }
expect = ["young"]
undetermined = ["adult"]
"#;
    let good = case(&format!("{SEGMENTATION}{tests}"));
    let run = good.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The same expectation without the variant fails: the rule in use leaves young undetermined.
    let bad = case(&format!(
        "{SEGMENTATION}{}",
        tests.replace("variant = \"young.coalesced\"\n", "")
    ));
    assert_eq!(bad.run(&["check", "spec.toml"]).code, 1);
    // A test naming an unknown variant is a spec error at its line.
    let unknown = case(&format!(
        "{SEGMENTATION}{}",
        tests.replace("young.coalesced", "young.coalesce")
    ));
    let run = unknown.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no variant is named \"young.coalesce\"")
            && run.stderr.contains("did you mean `young.coalesced`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_variant_is_a_check_error_at_its_line_and_column() {
    let spec = SEGMENTATION.replace("wide = \"age < 35\"", "wide = \"agee < 35\"");
    let bad = case(&spec);
    let text = std::fs::read_to_string(bad.path("spec.toml")).expect("spec");
    // The line of `wide = "agee < 35"`; an unknown column points at the value, its opening quote at
    // column 8, as for a rule.
    let line = text.lines().position(|l| l.starts_with("wide =")).expect("line") + 1;
    let run = bad.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with(&format!("error: spec.toml:{line}:8: `segment.young.variants.wide`:")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `age`?"), "{}", run.stderr);
    // A type mistake is caught like in a rule: a text compared with a number, at its own column.
    let typed = case(&SEGMENTATION.replace("older = \"age > 30\"", "older = \"kind = 3\""));
    let run = typed.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let text = std::fs::read_to_string(typed.path("spec.toml")).expect("spec");
    let line = text.lines().position(|l| l.starts_with("older =")).expect("line") + 1;
    assert!(
        run.stderr.starts_with(&format!(
            "error: spec.toml:{line}:10: `segment.adult.variants.older`: `kind = 3` compares the text field `kind` with the number 3"
        )),
        "{}",
        run.stderr
    );
}
