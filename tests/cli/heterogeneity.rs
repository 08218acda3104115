//! Heterogeneity: case variants, mixed formats, co-missingness, the strata association and heatmap.

use std::path::Path;

use crate::{fixture, Case};

#[test]
fn case_variants_group_values_equal_once_folded() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n",
        fixture("placeholders/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let groups = run.field("city")["case_variants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["normalized"], "abidjan");
    let variants = crate::counts(&groups[0]["variants"], "value");
    assert_eq!(
        variants,
        vec![("Abidjan".into(), 2), ("Abidjan ".into(), 1), ("abidjan".into(), 1)]
    );
    assert!(run.finding("field.case_variants", "city").is_some());
    // "Bouaké", "Daloa" and "Man" have no variant.
    assert!(run.finding("field.case_variants", "status").is_none());
}

#[test]
fn mixed_formats_report_the_dominant_share() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\n\n[field.birth_date]\ntype = \"date\"\nformats = [\"%d/%m/%Y\", \"%Y-%m-%d\"]\n",
        fixture("placeholders/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let birth = run.field("birth_date");
    // 8 present values: 6 like 99/99/9999, 2 like 9999-99-99.
    assert_eq!(birth["dominant_shape_share"], 0.75);
    assert_eq!(birth["shapes_for_95"], 2);
    let message = run
        .finding("field.mixed_formats", "birth_date")
        .map(|f| f["message"].to_string())
        .unwrap_or_default();
    assert!(message.contains("99/99/9999 (75.0%), 9999-99-99 (25.0%)"), "{message}");
}

#[test]
fn co_missingness_counts_combinations_overall_and_per_segment() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\nnull_tokens = [\"N/A\"]\n\n[subject]\ntable = \"c\"\n\n[field.type]\nvalues = [\"B2B\", \"B2C\"]\n[field.late]\ntype = \"float\"\n[field.unpaid]\ntype = \"integer\"\n[field.channel]\nvalues = [\"agence\", \"web\", \"USSD\"]\n[field.mobile]\ntype = \"boolean\"\n\n[segment.safe]\npopulation = \"type = 'B2C'\"\nrule = \"late < 7 AND unpaid = 0\"\n[segment.digital]\nrule = \"channel IN ('web', 'USSD') OR mobile\"\n",
        fixture("segments/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let co = &run.report()["heterogeneity"]["co_missingness"];
    let list = |v: &serde_json::Value| -> Vec<(String, u64)> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let fields: Vec<&str> = c["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.as_str())
                    .collect();
                (fields.join("+"), c["rows"].as_u64().unwrap_or(0))
            })
            .collect()
    };
    // Unusable late alone on rows 3,5,7,9,12,14,18,19; type on 15,16; late and channel on 10;
    // mobile on 6; unpaid on 8.
    assert_eq!(
        list(&co["overall"]),
        vec![
            ("late".into(), 8),
            ("type".into(), 2),
            ("late+channel".into(), 1),
            ("mobile".into(), 1),
            ("unpaid".into(), 1)
        ]
    );
    // Inside safe's population (B2C), on its own fields only: row 10 counts as late alone.
    let safe = co["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["segment"] == "safe")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        list(&safe["combinations"]),
        vec![("late".into(), 8), ("unpaid".into(), 1)]
    );
    // late is usable for 7 of 15 B2C rows and for 4 of the 5 other rows (11, 15, 16, 20; not 12).
    let late = run.segment("safe")["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "late")
        .cloned()
        .unwrap_or_default();
    assert_eq!(late["usability_outside"], 0.8);
}

#[test]
fn strata_association_and_heatmap() {
    let spec = format!(
        "[source.c]\npath = \"{}\"\n\n[subject]\ntable = \"c\"\nstrata = [\"region\"]\n\n[field.late]\ntype = \"integer\"\n\n[segment.all]\nrule = \"late >= 0\"\n",
        fixture("strata/customers.csv")
    );
    let run = Case::new(&spec).audit(&["--fail-on", "never"]);
    let strata = run.segment("all")["strata"].as_array().cloned().unwrap_or_default();
    let late = strata
        .iter()
        .find(|s| s["field"] == "late")
        .cloned()
        .unwrap_or_default();
    // Groups (rows, usable): A (40, 30), B (35, 14), C (20, 2), missing (5, 5): chi2 = 29.1717 on 3 df.
    let v = late["cramers_v"].as_f64().unwrap_or(0.0);
    let p = late["p_value"].as_f64().unwrap_or(1.0);
    assert!((v - 0.540_108).abs() < 1e-5, "{v}");
    assert!((p - 2.060_92e-6).abs() < 1e-10, "{p}");
    let heat = &run.report()["heterogeneity"]["heatmap"][0];
    assert_eq!(heat["by"], "region");
    let groups: Vec<(Option<String>, u64)> = heat["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| (g["value"].as_str().map(str::to_string), g["rows"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(
        groups,
        vec![
            (Some("A".into()), 40),
            (Some("B".into()), 35),
            (Some("C".into()), 20),
            (None, 5)
        ]
    );
    let late_row = heat["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "late")
        .cloned()
        .unwrap_or_default();
    assert_eq!(late_row["usability"], serde_json::json!([0.75, 0.4, 0.1, 1.0]));
}

/// The demo spec with other strata attributes.
fn demo_with_strata(strata: &str) -> String {
    let demo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("checks/demo.toml")).unwrap();
    demo.replace("../fixtures/demo/", &format!("{}/", fixture("demo")))
        .replace(
            "strata = [\"region\", \"milieu\", \"type_client\"]",
            &format!("strata = {strata}"),
        )
}

#[test]
fn strata_with_many_values_are_grouped_apart_with_the_same_counts() {
    // With `client_id` (5,008 values) among the strata, the fused pass groups by each attribute on
    // its own (grouping sets) instead of by all of them together: every count must be the same.
    let together = Case::new(&demo_with_strata("[\"region\", \"milieu\"]")).audit(&["--fail-on", "never"]);
    let apart = Case::new(&demo_with_strata("[\"region\", \"client_id\", \"milieu\"]")).audit(&["--fail-on", "never"]);
    assert!(apart.report()["sql"].to_string().contains("GROUPING SETS"));
    assert!(!together.report()["sql"].to_string().contains("GROUPING SETS"));
    let heatmap = |run: &crate::Run, by: &str| {
        run.report()["heterogeneity"]["heatmap"]
            .as_array()
            .and_then(|h| h.iter().find(|m| m["by"] == by).cloned())
            .unwrap()
    };
    for by in ["region", "milieu"] {
        assert_eq!(heatmap(&together, by), heatmap(&apart, by), "{by}");
    }
    for (t, a) in together.report()["segments"]
        .as_array()
        .unwrap()
        .iter()
        .zip(apart.report()["segments"].as_array().unwrap())
    {
        let keep = |s: &serde_json::Value| {
            let mut s = s.clone();
            let strata: Vec<serde_json::Value> = s["strata"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["by"] != "client_id")
                .cloned()
                .collect();
            s["strata"] = serde_json::Value::Array(strata);
            s["risk"] = serde_json::Value::Null;
            s
        };
        assert_eq!(keep(t), keep(a));
    }
    assert_eq!(together.report()["segmentations"], apart.report()["segmentations"]);
    assert_eq!(
        together.report()["heterogeneity"]["co_missingness"],
        apart.report()["heterogeneity"]["co_missingness"]
    );
}
