//! Data contracts (contract §13): the spec's governance keys and their errors, `contract` validated
//! against the ODCS v3.1.0 JSON schema, `init --from-odcs` on others' contracts, and `contract` then
//! `init --from-odcs` then `audit` giving back every number of the original audit. The catalogue's
//! tests are in catalog.rs, on the same governed case.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::{fixture, Case};

/// Six people; the numbers below are worked out row by row.
const PEOPLE: &str = "id;phone;birth;kind;income;sector;city
1;+33 611111111;01/02/1980;B2C;3500,5;;Paris
2;+33 622222222;1975-06-30;B2C;1200;;Lyon
3;0633333333;31/12/1990;B2B;n/a;retail;Paris
4;;1850-01-01;B2C;2500;;Lille
5;+33 655555555;?;B2B;9000;;Paris
6;+33 666666666;15/15/2000;b2c;;;Lyon
";

const GOVERNED: &str = r#"
[audit]
title = "gouvernance"
lang = "fr"

[source.people]
path = "people.csv"
delimiter = ";"
null_tokens = ["?"]

[subject]
table = "people"
key = "id"

[field.id]
type = "integer"
description = "Numéro client"
owner = "Direction clients"
steward = "Équipe qualité"
classification = "internal"

[field.phone]
pii = true
pattern = '^\+33 [0-9]{9}$'
description = "Téléphone mobile"

[field.birth]
type = "date"
formats = ["%d/%m/%Y", "%Y-%m-%d"]
range = ["1900-01-01", "2010-12-31"]
label = "Date de naissance"
classification = "personal"
pii = true

[field.kind]
values = ["B2B", "B2C"]
classification = "public"

[field.income]
type = "float"
decimal = ","
range = [0, ""]
null_tokens = ["n/a"]
classification = "confidential"

[field.sector]
applies_when = "kind = 'B2B'"

[criterion.value]
family = "value"
fields = ["income"]
description = "Ce que rapporte le client"
owner = "Finance"

[segment.rich]
label = "Clients aisés"
description = "Revenu au-dessus de 3000"
owner = "Marketing"
steward = "Data office"
population = "kind = 'B2C'"
rule = "income > 3000"

[segment.rich.variants]
loose = "income > 2000"

[segment.pros]
rule = "kind = 'B2B'"

[segmentation.all]
segments = ["rich", "pros"]

[[test]]
name = "rich"
row = { kind = "B2C", income = "4000" }
expect = ["rich"]

[gate]
fail_on = "high"
"#;

pub(crate) fn governed() -> Case {
    let case = Case::new(GOVERNED);
    std::fs::write(case.path("people.csv"), PEOPLE).unwrap();
    case
}

fn strata_spec() -> String {
    format!(
        "[source.customers]\npath = \"{}\"\n\n[subject]\ntable = \"customers\"\nkey = \"id\"\nstrata = [\"region\"]\n\n[field.late]\ntype = \"integer\"\nrange = [0, 30]\n\n[segment.late_payers]\nrule = \"late > 10\"\n",
        fixture("strata/customers.csv")
    )
}

/// The demo spec with its data paths made absolute (the case runs in a temp dir).
fn demo_spec() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("checks/demo.toml"))
        .unwrap()
        .replace("../fixtures/", &format!("{}/fixtures/", root.display()))
}

/// `../shared/odcs` (or `SEGAUDIT_ODCS_DIR`): the ODCS schema and examples, kept outside the
/// project. Missing, the test fails under CI and says why elsewhere.
fn odcs_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEGAUDIT_ODCS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/odcs"));
    if dir.join("odcs-json-schema-v3.1.0.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{}: no ODCS schema (set SEGAUDIT_ODCS_DIR)",
        dir.display()
    );
    eprintln!("skipped: no ODCS schema in {} (set SEGAUDIT_ODCS_DIR)", dir.display());
    None
}

/// Debian's python3 with python3-jsonschema (.ci/run installs it).
fn python() -> Option<&'static str> {
    let python = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let ok = Command::new(python)
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{python}: no jsonschema module (apt-get install python3-jsonschema)"
    );
    eprintln!("skipped: {python} has no jsonschema (apt-get install python3-jsonschema)");
    None
}

/// The schema's errors for a YAML document (empty when it validates).
fn schema_errors(python: &str, dir: &Path, yaml: &str, scratch: &Path) -> Vec<String> {
    let value: Value = serde_norway::from_str(yaml).unwrap();
    let json_path = scratch.join("contract.json");
    std::fs::write(&json_path, serde_json::to_string(&value).unwrap()).unwrap();
    let script = "import json,sys\nfrom jsonschema import Draft201909Validator\nv = Draft201909Validator(json.load(open(sys.argv[1])))\nfor e in v.iter_errors(json.load(open(sys.argv[2]))):\n    print(list(e.absolute_path), e.message)\n";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(dir.join("odcs-json-schema-v3.1.0.json"))
        .arg(&json_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_pii_field_classified_as_anything_but_personal_is_refused_in_the_specs_language() {
    let case = Case::new(&GOVERNED.replace(
        "pii = true\npattern",
        "pii = true\nclassification = \"public\"\npattern",
    ));
    std::fs::write(case.path("people.csv"), PEOPLE).unwrap();
    let run = case.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`field.phone.classification`"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("le champ est pii mais sa classification est \"public\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("classification = \"personal\""), "{}", run.stderr);

    let case = Case::new(&GOVERNED.replace("classification = \"public\"", "classification = \"publik\""));
    let run = case.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown classification \"publik\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `public`?"), "{}", run.stderr);

    let case = Case::new(&GOVERNED.replace("owner = \"Finance\"", "ownr = \"Finance\""));
    let run = case.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `owner`?"), "{}", run.stderr);
}

/// The numbers the round trip must keep: every count and share of fields, segments (their fields
/// and variants) and segmentations.
fn numbers(report: &Value) -> Value {
    let pick = |v: &Value, keys: &[&str]| -> Value {
        Value::Object(keys.iter().map(|k| (k.to_string(), v[*k].clone())).collect())
    };
    let list = |v: &Value, keys: &[&str]| -> Value {
        Value::Array(v.as_array().into_iter().flatten().map(|x| pick(x, keys)).collect())
    };
    let field_keys = [
        "name",
        "type",
        "available",
        "pii",
        "rows",
        "not_applicable",
        "missing",
        "invalid",
        "usable",
        "completeness",
        "validity",
        "usability",
        "distinct",
    ];
    let segments: Vec<Value> = report["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let mut out = pick(
                s,
                &[
                    "id",
                    "population",
                    "population_undetermined",
                    "members",
                    "non_members",
                    "undetermined",
                    "size_min",
                    "size_max",
                    "risk",
                ],
            );
            out["fields"] = list(&s["fields"], &["name", "usable", "usability", "undetermined_rows"]);
            out["variants"] = list(&s["variants"], &["id", "members", "non_members", "undetermined"]);
            out
        })
        .collect();
    json!({
        "rows": report["subject"]["rows"],
        "duplicate_keys": report["subject"]["duplicate_keys"],
        "fields": list(&report["fields"], &field_keys),
        "segments": segments,
        "segmentations": list(&report["segmentations"], &["id", "population", "exactly_one", "none", "several", "undetermined"]),
    })
}

/// `contract` → `init --from-odcs` → `audit` on a case: both audits' numbers, and the written spec.
fn round_trip(case: &Case) -> (Value, Value, String) {
    let first = case.audit(&["--fail-on", "never"]);
    let before = numbers(first.report());
    std::fs::create_dir_all(case.path("contract")).unwrap();
    std::fs::create_dir_all(case.path("back")).unwrap();
    let run = case.run(&["contract", "spec.toml", "--out", "contract/contract.odcs.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = case.run(&[
        "init",
        "--from-odcs",
        "contract/contract.odcs.yaml",
        "--out",
        "back/spec.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("back/spec.toml")).unwrap();
    let run = case.run(&[
        "audit",
        "back/spec.toml",
        "--out",
        "out2",
        "--quiet",
        "--fail-on",
        "never",
    ]);
    assert!(run.code == 0, "{}\n{spec}", run.stderr);
    let text = std::fs::read_to_string(case.path("out2/audit.json")).unwrap();
    let after = numbers(&serde_json::from_str(&text).unwrap());
    (before, after, spec)
}

#[test]
fn contract_then_init_from_odcs_then_audit_keeps_every_number() {
    for (name, case) in [
        ("governed", governed()),
        ("segments", Case::new(&crate::segments::segments_spec())),
        ("strata", Case::new(&strata_spec())),
        ("demo", Case::new(&demo_spec())),
    ] {
        let (before, after, spec) = round_trip(&case);
        assert_eq!(before, after, "{name}:\n{spec}");
        // A contract segaudit wrote maps whole: no comment lists anything left out.
        assert!(!spec.contains("#   - "), "{name}:\n{spec}");
    }
    // The hand-worked numbers of the governed case, so the comparison is not of two empty lists.
    let case = governed();
    let (before, _, spec) = round_trip(&case);
    let field = |name: &str| {
        before["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    // phone: row 4 empty, row 3 without +33; birth: "?" missing, 1850 and 15/15 invalid.
    assert_eq!(
        (field("phone")["missing"].clone(), field("phone")["invalid"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        (field("birth")["missing"].clone(), field("birth")["invalid"].clone()),
        (json!(1), json!(2))
    );
    // income: n/a (its own token) and an empty cell; sector applies to rows 3, 5 and 6 (b2c is
    // invalid, so the condition is unknown and the field stays applicable).
    assert_eq!(field("income")["missing"], json!(2));
    assert_eq!(
        (
            field("sector")["not_applicable"].clone(),
            field("sector")["usable"].clone()
        ),
        (json!(3), json!(1))
    );
    // rich: B2C rows 1, 2, 4 (row 6 unknown); income > 3000 on row 1; the loose variant adds row 4.
    let rich = before["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "rich")
        .unwrap()
        .clone();
    assert_eq!(
        [
            &rich["population"],
            &rich["population_undetermined"],
            &rich["members"],
            &rich["non_members"]
        ],
        [&json!(3), &json!(1), &json!(1), &json!(2)]
    );
    assert_eq!(rich["variants"][0]["members"], json!(2));
    // The governance keys come back too.
    for line in [
        "owner = \"Direction clients\"",
        "steward = \"Data office\"",
        "classification = \"confidential\"",
        "description = \"Ce que rapporte le client\"",
        "applies_when = \"kind = 'B2B'\"",
        "path = \"../people.csv\"",
    ] {
        assert!(spec.contains(line), "{line}:\n{spec}");
    }
}

#[test]
fn contract_validates_against_the_odcs_schema() {
    let (Some(dir), Some(python)) = (odcs_dir(), python()) else {
        return;
    };
    // The schema rejects what it should: an official example stays valid, a broken copy does not.
    let scratch = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(dir.join("column-validity.odcs.yaml")).unwrap();
    assert_eq!(
        schema_errors(python, &dir, &example, scratch.path()),
        Vec::<String>::new()
    );
    let broken = example.replace(
        "logicalType: string",
        "logicalType: string\n      logicalTypeOptions: {minimum: 3}",
    );
    assert!(!schema_errors(python, &dir, &broken, scratch.path()).is_empty());

    for (name, case) in [
        ("demo", Case::new(&demo_spec())),
        ("segments", Case::new(&crate::segments::segments_spec())),
        ("strata", Case::new(&strata_spec())),
        ("governed", governed()),
    ] {
        let run = case.run(&["contract", "spec.toml"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let errors = schema_errors(python, &dir, &run.stdout, case.dir.path());
        assert_eq!(errors, Vec::<String>::new(), "{name}:\n{}", run.stdout);
    }

    // What the governed contract says, key by key.
    let run = governed().run(&["contract", "spec.toml"]);
    let doc: Value = serde_norway::from_str(&run.stdout).unwrap();
    assert_eq!(
        (&doc["apiVersion"], &doc["kind"]),
        (&json!("v3.1.0"), &json!("DataContract"))
    );
    let schema = &doc["schema"][0];
    assert_eq!(schema["name"], "people");
    let prop = |name: &str| {
        schema["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    let id = prop("id");
    assert_eq!(
        (&id["required"], &id["unique"], &id["primaryKey"]),
        (&json!(true), &json!(true), &json!(true))
    );
    assert_eq!(
        (&id["logicalType"], &id["classification"]),
        (&json!("integer"), &json!("internal"))
    );
    let metrics = |p: &Value| -> Vec<String> {
        p["quality"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["metric"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(metrics(&id), ["duplicateValues", "missingValues", "invalidValues"]);
    // The gate fails on high: usability below 0.80, so at most 20 % missing (or invalid).
    assert_eq!(id["quality"][1]["mustBeLessOrEqualTo"], json!(20.0));
    let birth = prop("birth");
    assert_eq!(
        birth["logicalTypeOptions"],
        json!({"format": "dd/MM/yyyy", "minimum": "1900-01-01", "maximum": "2010-12-31"})
    );
    assert_eq!(birth["classification"], "personal");
    let phone = prop("phone");
    assert_eq!(phone["logicalTypeOptions"]["pattern"], r"^\+33 [0-9]{9}$");
    assert_eq!(phone["classification"], "personal");
    assert_eq!(phone["quality"][1]["arguments"]["pattern"], r"^\+33 [0-9]{9}$");
    assert_eq!(
        prop("kind")["quality"][1]["arguments"]["validValues"],
        json!(["B2B", "B2C"])
    );
    assert_eq!(prop("income")["logicalTypeOptions"], json!({"minimum": 0.0}));
    assert_eq!(
        prop("income")["quality"][0]["arguments"]["missingValues"],
        json!([null, "", "n/a"])
    );
    assert_eq!(prop("city")["logicalType"], "string");
    let rich = schema["quality"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "rich")
        .unwrap();
    assert_eq!((&rich["type"], &rich["engine"]), (&json!("custom"), &json!("segaudit")));
    assert_eq!(rich["implementation"]["population"], "kind = 'B2C'");
    assert_eq!(rich["implementation"]["rule"], "income > 3000");
    assert_eq!(
        doc["servers"][0],
        json!({"server": "people", "type": "local", "path": "people.csv", "format": "csv"})
    );
}

#[test]
fn init_from_odcs_reads_other_contracts_and_lists_what_it_cannot_map() {
    let Some(dir) = odcs_dir() else { return };
    let case = Case::new("");
    let full = dir.join("full-example.odcs.yaml");
    let run = case.run(&["init", "--from-odcs", &full.display().to_string(), "--out", "full.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("full.toml")).unwrap();
    let comments: Vec<&str> = spec.lines().filter(|l| l.starts_with("#   - ")).collect();
    for key in [
        "price",
        "team",
        "roles",
        "slaProperties",
        "support",
        "tags",
        "schema[1]",
        "relationships",
    ] {
        assert!(comments.iter().any(|l| l.contains(key)), "{key} not listed:\n{spec}");
    }
    let table: toml::Table = toml::from_str(&spec).unwrap();
    assert_eq!(
        table["source"]["tbl"]["url"].as_str(),
        Some("postgres://localhost:5432/pypl-edw")
    );
    assert_eq!(table["source"]["tbl"]["table"].as_str(), Some("pp_access_views.tbl_1"));
    assert_eq!(table["subject"]["key"].as_str(), Some("rcvr_id"));
    // rowCount must be greater than 1,000,000.
    assert_eq!(table["subject"]["min_rows"].as_integer(), Some(1_000_001));
    let date = &table["field"]["txn_ref_dt"];
    assert_eq!(date["type"].as_str(), Some("date"));
    assert_eq!(date["label"].as_str(), Some("transaction reference date"));
    assert_eq!(date["classification"].as_str(), Some("public"));
    assert_eq!(
        table["field"]["rcvr_id"]["classification"].as_str(),
        Some("confidential")
    );
    assert!(
        comments.iter().any(|l| l.contains("restricted → confidential")),
        "{spec}"
    );

    // The small contract has no server: the spec points at a file to provide, and checks once it is there.
    let small = dir.join("column-validity.odcs.yaml");
    let run = case.run(&[
        "init",
        "--from-odcs",
        &small.display().to_string(),
        "--out",
        "small.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("small.toml")).unwrap();
    assert!(spec.contains("path = \"data/Air_Quality.csv\""), "{spec}");
    assert!(
        spec.lines()
            .any(|l| l.starts_with("#   - ") && l.contains("mustBeLessOrEqualTo")),
        "{spec}"
    );
    let table: toml::Table = toml::from_str(&spec).unwrap();
    assert_eq!(table["subject"]["key"].as_str(), Some("air_quality_status"));
    assert_eq!(
        table["field"]["air_quality_status"]["values"]
            .as_array()
            .map(|v| v.len()),
        Some(2)
    );
    std::fs::create_dir_all(case.path("data")).unwrap();
    std::fs::write(case.path("data/Air_Quality.csv"), "air_quality_status\nn/a\n\n").unwrap();
    let run = case.run(&["check", "small.toml"]);
    assert_eq!(run.code, 0, "{}\n{spec}", run.stderr);
}
