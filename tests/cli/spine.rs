//! Sources, typing and field profiles (contract §3 for fields) on the small fixtures.

use crate::{assert_counts, counts, fixture, Case};

fn placeholders_spec(extra: &str) -> String {
    format!(
        r#"
[source.customers]
path = "{}"

[subject]
table = "customers"
key = "client_id"

[field.birth_date]
type = "date"
formats = ["%d/%m/%Y", "%Y-%m-%d"]
range = ["1900-01-01", "2026-12-31"]

[field.income]
type = "integer"
range = [0, ""]
null_tokens = ["N/A"]

[field.status]
values = ["actif", "suspendu", "résilié"]
{extra}
"#,
        fixture("placeholders/customers.csv")
    )
}

#[test]
fn placeholders_dates_and_duplicates_are_counted_exactly() {
    let run = Case::new(&placeholders_spec("")).audit(&[]);
    assert_eq!(run.report()["subject"]["rows"], 10);
    // client_id: 10 present values, 9 distinct (7 twice).
    assert_eq!(run.report()["subject"]["duplicate_keys"], 1);
    // birth_date: "  " and "" missing; 00/00/0000 and 31/02/1990 do not parse; 6 usable.
    assert_counts(&run, "birth_date", 2, 2, 6);
    let birth = run.field("birth_date");
    assert_eq!(birth["completeness"], 0.8);
    assert_eq!(birth["validity"], 0.75);
    assert_eq!(birth["usability"], 0.6);
    assert_eq!(
        counts(&birth["shapes"], "shape"),
        vec![("99/99/9999".into(), 6), ("9999-99-99".into(), 2)]
    );
    // 00/00/0000 is seen once: never a suspected placeholder (contract §5).
    assert_eq!(counts(&birth["suspected_placeholders"], "value"), vec![]);
    // income: N/A is the field's null token; "-" and "abc" are not integers; 9999 is.
    assert_counts(&run, "income", 1, 2, 7);
    // 9999 (a sentinel) is seen twice, under 3; "-" (a word) once, under 2: neither is suspected.
    assert_eq!(counts(&run.field("income")["suspected_placeholders"], "value"), vec![]);
    // status: "" missing; "inconnu" and "N/A" are not allowed values.
    assert_counts(&run, "status", 1, 2, 7);
    // city is undeclared: only the empty value is missing; values are kept as written.
    assert_counts(&run, "city", 1, 0, 9);
    assert_eq!(run.field("city")["distinct"], 6);
    assert_eq!(run.field("city")["declared"], false);
    let codes = run.codes();
    // Every candidate placeholder of this fixture is seen once or twice: no field.placeholder.
    assert!(!codes.contains(&"field.placeholder".to_string()), "{codes:?}");
    for code in ["subject.duplicate_keys", "field.mixed_formats", "field.usability"] {
        assert!(codes.contains(&code.to_string()), "{code} missing from {codes:?}");
    }
    assert!(run.finding("field.mixed_formats", "birth_date").is_some());
}

#[test]
fn source_null_tokens_make_values_missing_in_every_column() {
    let spec = placeholders_spec("").replace("[subject]", "null_tokens = [\"N/A\", \"inconnu\", \"-\"]\n\n[subject]");
    let run = Case::new(&spec).audit(&[]);
    // status: "", "inconnu" and "N/A" are now missing; nothing invalid.
    assert_counts(&run, "status", 3, 0, 7);
    // income: N/A and "-" missing; "abc" invalid.
    assert_counts(&run, "income", 2, 1, 7);
}

#[test]
fn windows_1252_semicolon_file_decodes_accents() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\ndelimiter = \";\"\nencoding = \"windows-1252\"\n\n[subject]\ntable = \"c\"\nkey = \"id\"\n\n[report]\nmin_count = 1\n",
        fixture("cp1252/clients.csv")
    );
    let run = Case::new(&spec).audit(&[]);
    assert_eq!(run.report()["subject"]["rows"], 3);
    let values: Vec<String> = counts(&run.field("ville")["top_values"], "value")
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    assert_eq!(values, vec!["Bouaké", "Séguéla", "Île-de-Man"]);
    assert_counts(&run, "région", 0, 0, 3);
    assert!(!run.codes().contains(&"field.mojibake".to_string()));
}

#[test]
fn utf8_bom_is_not_part_of_the_first_column() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nkey = \"id\"\n",
        fixture("bom/clients.csv")
    );
    let run = Case::new(&spec).audit(&[]);
    assert_eq!(run.report()["fields"][0]["name"], "id");
    assert_eq!(run.report()["subject"]["duplicate_keys"], 0);
}

#[test]
fn gzip_csv_is_read_and_typed() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n\n[field.conso]\ntype = \"float\"\n",
        fixture("gzip/clients.csv.gz")
    );
    let run = Case::new(&spec).audit(&[]);
    assert_eq!(run.report()["subject"]["rows"], 3);
    // "120.5" usable, "" missing, "abc" invalid.
    assert_counts(&run, "conso", 1, 1, 1);
}

#[test]
fn header_only_file_gives_zero_rows_and_null_shares() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n",
        fixture("header_only/clients.csv")
    );
    let run = Case::new(&spec).audit(&[]);
    // An empty extract fails the gate (contract §10: subject.too_few_rows, tests/cli/volume.rs).
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["rows"], 0);
    assert!(run.field("ville")["completeness"].is_null());
    assert!(run.field("ville")["usability"].is_null());
}

#[test]
fn ragged_rows_are_counted_not_fatal() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n\n[field.conso]\ntype = \"integer\"\n",
        fixture("ragged/clients.csv")
    );
    let run = Case::new(&spec).audit(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.report()["subject"]["rows"], 5);
    let source = &run.report()["sources"][0];
    assert_eq!(source["bad_rows"], 2);
    let lines: Vec<String> = source["bad_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            l.as_str()
                .unwrap_or_default()
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(lines, vec!["3", "5"]);
    // The short row has no conso; the long row keeps its first three fields.
    assert_counts(&run, "conso", 1, 0, 4);
}

#[test]
fn mojibake_is_a_finding() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n",
        fixture("mojibake/clients.csv")
    );
    let run = Case::new(&spec).audit(&[]);
    let finding = run.finding("field.mojibake", "ville").expect("mojibake finding");
    assert!(
        finding["message"].as_str().unwrap_or_default().starts_with("2 values"),
        "{finding}"
    );
    assert_eq!(run.field("ville")["mojibake"], 2);
}

#[test]
fn pii_fields_show_no_values() {
    let spec = placeholders_spec("[field.city]\npii = true\n\n[report]\nmin_count = 1\n");
    let run = Case::new(&spec).audit(&["--show-sql"]);
    let city = run.field("city");
    assert_eq!(city["top_values"].as_array().map(Vec::len), Some(0));
    assert_eq!(city["shapes"].as_array().map(Vec::len), Some(0));
    assert_eq!(city["suspected_placeholders"].as_array().map(Vec::len), Some(0));
    let text = serde_json::to_string(run.report()).unwrap_or_default();
    assert!(!text.contains("Bouaké"), "a pii value leaked into the JSON");
}

#[test]
fn profile_needs_no_spec() {
    let case = Case::new("");
    let run = case.run(&["profile", &fixture("placeholders/customers.csv"), "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("birth_date"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("out/profile.json")).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(json["subject"]["rows"], 10);
    // With no spec, birth_date is only text: the blank and the empty value are missing.
    let birth = json["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["name"] == "birth_date"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(birth["missing"], 2);
}

#[test]
fn parquet_and_csv_of_the_same_data_give_the_same_counts() {
    let spec = |path: &str, csv: bool| {
        let options = if csv {
            "delimiter = \";\"\nencoding = \"windows-1252\"\n"
        } else {
            ""
        };
        format!(
            "[source.c]\npath = \"{}\"\n{options}null_tokens = [\"N/A\"]\n\n[subject]\ntable = \"c\"\nkey = \"client_id\"\n\n[field.date_naissance]\ntype = \"date\"\nformats = [\"%d/%m/%Y\", \"%Y-%m-%d\"]\n\n[field.conso_mensuelle_kwh]\ntype = \"float\"\n",
            fixture(path)
        )
    };
    let parquet = Case::new(&spec("parquet/customers.parquet", false)).audit(&[]);
    let csv = Case::new(&spec("parquet/clients.csv", true)).audit(&[]);
    assert_eq!(parquet.report()["subject"]["rows"], 40);
    for name in [
        "client_id",
        "region",
        "date_naissance",
        "conso_mensuelle_kwh",
        "statut",
        "email",
    ] {
        let (p, c) = (parquet.field(name), csv.field(name));
        for key in ["missing", "invalid", "usable"] {
            assert_eq!(p[key], c[key], "{name}.{key}");
        }
    }
}

#[test]
fn ndjson_keeps_types_and_applies_null_tokens_to_text() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\nnull_tokens = [\"N/A\"]\n\n[subject]\ntable = \"c\"\nkey = \"id\"\n\n[field.late]\ntype = \"float\"\nrange = [-30, 365]\n",
        fixture("ndjson/customers.ndjson")
    );
    let run = Case::new(&spec).audit(&[]);
    assert_eq!(run.report()["subject"]["rows"], 4);
    // "N/A" (a token) and "" are missing; " Man " is a value.
    crate::assert_counts(&run, "region", 2, 0, 2);
    // null missing; -50 outside the range; 3.5 and 12 usable.
    crate::assert_counts(&run, "late", 1, 1, 2);
    crate::assert_counts(&run, "mobile", 1, 0, 3);
    assert_eq!(run.field("id")["observed_type"], "integer");
}

#[test]
fn keyword_unicode_and_quoted_column_names() {
    let spec = format!(
        "[source.t]\npath = \"{}\"\n[subject]\ntable = \"t\"\nkey = \"select\"\nstrata = [\"année\"]\n[field.\"année\"]\ntype = \"integer\"\n[segment.s]\nrule = \"\"\"\"année\" > 2000 AND \"select\" IS NOT NULL AND \"from\" = 'b'\"\"\"\n",
        fixture("hostile/keyword_columns.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_counts(&run, "année", 1, 0, 1);
    assert_counts(&run, "quoted \"x\"", 0, 0, 2);
    // Row 1: 2020 > 2000, from = 'b': member. Row 2: année and from missing: undetermined.
    let s = run.segment("s");
    assert_eq!((s["members"].as_u64(), s["undetermined"].as_u64()), (Some(1), Some(1)));
    let fields: Vec<&str> = s["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(fields, vec!["select", "année", "from"]);
}
