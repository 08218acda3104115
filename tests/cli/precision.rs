//! Precision: on small real-looking tables (fixtures/precision, fixtures/init), each finding that
//! must not fire does not (unique ids holding 999 / 9999, a field stratified by itself, COALESCE on
//! a complete field, English data, codes with leading zeros, `hotel`), beside ones that must
//! (a placeholder word twice, a frequent 00/00/0000, an IS NULL rule on a half-missing field).

use serde_json::Value;

use crate::{counts, fixture, Case, Run};

fn customers_spec() -> String {
    format!(
        r#"
[source.customers]
path = "{}"

[subject]
table = "customers"
key = "customer_id"
strata = ["region", "zip_code"]

[field.income]
type = "integer"

[segment.lille]
rule = "zip_code = '59000'"

[segment.wealthy]
rule = "COALESCE(income, 0) > 50000"

[gate]
fail_on = "never"
"#,
        fixture("precision/customers.csv")
    )
}

fn seg_field<'a>(run: &'a Run, segment: &str, field: &str) -> &'a Value {
    run.segment(segment)["fields"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["name"] == field))
        .unwrap_or_else(|| panic!("no field {field} in {segment}"))
}

fn strata_pairs(run: &Run, segment: &str) -> Vec<(String, String)> {
    run.segment(segment)["strata"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["by"].as_str().unwrap_or_default().to_string(),
                s["field"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn unique_ids_holding_999_and_9999_are_not_placeholders() {
    let run = Case::new(&customers_spec()).audit(&[]);
    // customer_id: 970–999 and 9990–10019, each once: 999 and 9999 are seen once, never a placeholder.
    assert_eq!(
        counts(&run.field("customer_id")["suspected_placeholders"], "value"),
        vec![]
    );
    assert!(run.finding("field.placeholder", "customer_id").is_none());
    // income: 20000 + 1500 i, none made of one repeated digit.
    assert!(run.finding("field.placeholder", "income").is_none());
}

#[test]
fn frequent_sentinels_and_repeated_placeholder_words_are_placeholders() {
    let run = Case::new(&customers_spec()).audit(&[]);
    // birth_date: 00/00/0000 on the 12 rows i ≡ 2 (mod 5), 01/01/1970 twice (i = 8, 43), the 46 other
    // dates once each: 48 distinct values, median count 1. 00/00/0000: 12 ≥ 3 and ≥ 10 × 1;
    // 01/01/1970: 2 < 3. (With 5 rows, 00/00/0000 would be under 10 × 1: not suspected.)
    assert_eq!(
        counts(&run.field("birth_date")["suspected_placeholders"], "value"),
        vec![("00/00/0000".into(), 12)]
    );
    // status: N/A twice (a word: 2 is enough), inconnu once (never).
    assert_eq!(
        counts(&run.field("status")["suspected_placeholders"], "value"),
        vec![("N/A".into(), 2)]
    );
    assert!(run.finding("field.placeholder", "birth_date").is_some());
    assert!(run.finding("field.placeholder", "status").is_some());
}

#[test]
fn a_field_is_not_measured_across_strata_of_itself() {
    let run = Case::new(&customers_spec()).audit(&[]);
    // lille reads zip_code only: measured across region, not across zip_code itself (whose missing
    // group would make its usability trivially 0).
    assert_eq!(strata_pairs(&run, "lille"), vec![("region".into(), "zip_code".into())]);
    // wealthy reads income: measured across both attributes.
    assert_eq!(
        strata_pairs(&run, "wealthy"),
        vec![("region".into(), "income".into()), ("zip_code".into(), "income".into())]
    );
    // zip_code is present on the 30 Nord rows, missing on the 30 Sud rows: across region, a true gap
    // of 1.0 − 0.0.
    let strata = &run.segment("lille")["strata"][0];
    assert_eq!(strata["spread"], 1.0);
    assert_eq!(strata["risk"], "critical");
    let gaps: Vec<&Value> = run.report()["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "segment.strata_gap")
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0]["segment"], "lille");
    let message = gaps[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("where region = Sud and 100.0% where region = Nord"),
        "{message}"
    );
}

#[test]
fn coalesce_on_a_complete_field_decides_nothing_on_missing_values() {
    let run = Case::new(&customers_spec()).audit(&[]);
    // income is complete: COALESCE never supplies a value. income > 50000 for i = 21..59: 39 members.
    let wealthy = run.segment("wealthy");
    assert_eq!(
        (wealthy["members"].as_u64(), wealthy["non_members"].as_u64()),
        (Some(39), Some(21))
    );
    assert_eq!(seg_field(&run, "wealthy", "income")["decided_on_missing"], 0);
    // The key is on every segment field, 0 when its absence is not tested.
    assert_eq!(seg_field(&run, "lille", "zip_code")["decided_on_missing"], 0);
    assert!(run.finding("segment.decides_on_missing", "").is_none());
}

fn dogs_spec() -> String {
    format!(
        r#"
[source.dogs]
path = "{}"

[subject]
table = "dogs"
key = "dog_id"

[field.weight_kg]
type = "float"

[segment.purebred]
rule = "secondary_breed IS NULL"

[segment.heavy]
population = "borough = 'Brooklyn'"
rule = "COALESCE(weight_kg, 0) > 30"

[segment.mixed_lab]
rule = "CASE WHEN secondary_breed IS NULL THEN FALSE ELSE primary_breed = 'Labrador' END"

[segment.known_breed]
population = "secondary_breed IS NOT NULL"
rule = "weight_kg > 20"

[gate]
fail_on = "never"
"#,
        fixture("precision/dogs.csv")
    )
}

#[test]
fn rules_that_decide_on_missing_values_are_counted_and_raised() {
    let run = Case::new(&dogs_spec()).audit(&[]);
    // 40 dogs (i = 0..39): secondary_breed missing on even i (20); weight_kg missing on i = 0, 1, 20,
    // 22 and invalid on i = 2 ("abc") and 21 ("lourd"); Brooklyn is i < 20.
    let purebred = run.segment("purebred");
    // IS NULL is never NULL: 20 members, 20 non-members, 0 undetermined, yet the 20 members rest on
    // a breed nobody recorded.
    assert_eq!(
        (
            purebred["members"].as_u64(),
            purebred["non_members"].as_u64(),
            purebred["undetermined"].as_u64()
        ),
        (Some(20), Some(20), Some(0))
    );
    assert_eq!(seg_field(&run, "purebred", "secondary_breed")["decided_on_missing"], 20);
    let finding = run.report()["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "segment.decides_on_missing" && f["segment"] == "purebred")
        .cloned()
        .unwrap_or_default();
    assert_eq!(finding["level"], "critical", "{finding}");
    assert_eq!(finding["field"], "secondary_breed");
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "purebred classifies 20 customers (50.0%) whose secondary_breed is unknown, because its rule tests IS NULL"
        ),
        "{message}"
    );

    // heavy: Brooklyn (20 dogs); weight_kg not usable on i = 0, 1 (missing) and 2 (invalid): COALESCE
    // turns them into 0 > 30, FALSE. 3 of 20 = 15 % decided on a missing value: high (> 0.10), while
    // weight_kg's usability 17/20 = 0.85 is only warn: the segment's risk is high because of it.
    assert_eq!(seg_field(&run, "heavy", "weight_kg")["decided_on_missing"], 3);
    assert_eq!(seg_field(&run, "heavy", "weight_kg")["risk"], "warn");
    assert_eq!(seg_field(&run, "heavy", "borough")["decided_on_missing"], 0);
    assert_eq!(run.segment("heavy")["risk"], "high");
    // Members: usable weights 10 + 1.5 i > 30 for i = 14..19.
    assert_eq!(run.segment("heavy")["members"], 6);

    // mixed_lab: the CASE tests secondary_breed IS NULL (20 decided FALSE) and compares primary_breed
    // inside it (complete: 0). Members: odd i with primary Labrador (i mod 8 = 1): 1, 9, 17, 25, 33.
    assert_eq!(
        seg_field(&run, "mixed_lab", "secondary_breed")["decided_on_missing"],
        20
    );
    assert_eq!(seg_field(&run, "mixed_lab", "primary_breed")["decided_on_missing"], 0);
    assert_eq!(run.segment("mixed_lab")["members"], 5);

    // known_breed: the population keeps only dogs with a secondary breed, so none is decided on a
    // missing one; weight_kg is not tested for absence (its unusable rows, i = 1 and 21, stay
    // undetermined). Members: odd i ≥ 7 but 21 (16); i = 3, 5 non-members.
    let known = run.segment("known_breed");
    assert_eq!(
        (
            known["population"].as_u64(),
            known["members"].as_u64(),
            known["non_members"].as_u64(),
            known["undetermined"].as_u64()
        ),
        (Some(20), Some(16), Some(2), Some(2))
    );
    assert_eq!(
        seg_field(&run, "known_breed", "secondary_breed")["decided_on_missing"],
        0
    );
    assert_eq!(seg_field(&run, "known_breed", "weight_kg")["decided_on_missing"], 0);

    let raised: Vec<(String, String)> = run.report()["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "segment.decides_on_missing")
        .map(|f| {
            (
                f["segment"].as_str().unwrap_or_default().to_string(),
                f["level"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(raised.len(), 3, "{raised:?}");
    for expected in [("purebred", "critical"), ("heavy", "high"), ("mixed_lab", "critical")] {
        assert!(
            raised.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} not in {raised:?}"
        );
    }
}

#[test]
fn decides_on_missing_speaks_french_and_shows_in_the_html_gaps_table() {
    let case = Case::new(&dogs_spec());
    let run = case.audit(&["--lang", "fr"]);
    let message = run
        .finding("segment.decides_on_missing", "weight_kg")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.starts_with("heavy classe 3 clients (15,0 %) dont weight_kg est inconnu, car sa règle teste COALESCE"),
        "{message}"
    );
    // The gaps table has the column, with the count and its share of the population.
    let html = std::fs::read_to_string(case.path("out/report.html")).unwrap_or_default();
    assert!(html.contains("décidés sur une valeur manquante"));
    assert!(html.contains("<td class=\"num\">3 (15,0 %)</td>"));
}

fn init_spec(file: &str) -> String {
    let case = Case::new("");
    let run = case.run(&["init", &fixture(file), "--out", "spec.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("spec.toml")).unwrap_or_default();
    let check = case.run(&["check", "spec.toml"]);
    assert_eq!(check.code, 0, "{}{}\n{spec}", check.stdout, check.stderr);
    spec
}

#[test]
fn init_on_english_data_writes_english_and_keeps_codes_as_text() {
    let spec = init_spec("init/customers_en.csv");
    // English headers and values: the contract's default language.
    assert!(
        spec.contains("[audit]\ntitle = \"Audit of customers_en\"\nlang = \"en\""),
        "{spec}"
    );
    // zip_code has leading zeros (02134, 08123, 01002): text with a pattern, never an integer.
    assert!(
        spec.contains("[field.zip_code]\n# 30 of 30 rows present; observed type: integer\n# a code, not a number: kept as text so leading zeros survive (08123 is not 8123)\npattern = \"^[0-9]{5}$\"\n"),
        "{spec}"
    );
    // phone_prefix: three digits always, a code-like name; customer_id: 101–130, an id of fixed width.
    assert!(
        spec.contains("[field.phone_prefix]\n# 30 of 30 rows present; observed type: integer\n# a code"),
        "{spec}"
    );
    assert!(spec.contains("pattern = \"^[0-9]{3}$\""), "{spec}");
    // age varies in width and has no leading zero: a number.
    assert!(
        spec.contains("[field.age]\n# 30 of 30 rows present; observed type: integer\ntype = \"integer\""),
        "{spec}"
    );
    // segment: Gold ×10, Silver ×8, Bronze ×6 and "Gold " ×6 (trimmed to Gold, not next to it).
    assert!(spec.contains("values = [\"Gold\", \"Silver\", \"Bronze\"]\n"), "{spec}");
    // hotel and telecom are not personal data (tel is not a word of either).
    for field in ["hotel", "telecom"] {
        let section = spec.split(&format!("[field.{field}]")).nth(1).unwrap_or_default();
        let section = section.split("\n\n").next().unwrap_or_default();
        assert!(!section.contains("pii"), "{field}: {section}");
    }
}

#[test]
fn init_on_french_data_writes_french_and_guesses_personal_data_by_whole_words() {
    let spec = init_spec("init/foyers.csv");
    assert!(spec.contains("title = \"Audit de foyers\"\nlang = \"fr\""), "{spec}");
    let section = |field: &str| -> String {
        let s = spec.split(&format!("[field.{field}]")).nth(1).unwrap_or_default();
        s.split("\n\n").next().unwrap_or_default().to_string()
    };
    assert!(section("nom").contains("pii = true"), "{}", section("nom"));
    assert!(section("tel").contains("pii = true"), "{}", section("tel"));
    // nombre_enfants holds 0–3: not a name.
    assert!(
        !section("nombre_enfants").contains("pii"),
        "{}",
        section("nombre_enfants")
    );
    // tel: 07 followed by 8 digits, leading zero: text.
    assert!(
        section("tel").contains("pattern = \"^[0-9]{10}$\""),
        "{}",
        section("tel")
    );
    // The French fixture of the workflow test is French too.
    assert!(init_spec("init/clients.csv").contains("lang = \"fr\""));
}
