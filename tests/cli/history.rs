//! History and drift (contract §7): runs kept in a folder (JSON + Parquet), drift findings against
//! the previous run with PSI worked out by hand, concurrent audits, unreadable runs and folders, and
//! the `history` and `diff` commands.

use std::path::Path;

use serde_json::Value;

use crate::Case;

const SPEC: &str = r#"
[audit]
title = "history"

[source.customers]
path = "customers.csv"

[subject]
table = "customers"
key = "id"

[field.age]
type = "integer"

[field.score]
type = "float"

[field.city]
type = "string"

[field.phone]
pii = true

[segment.old]
rule = "age > 10"

[segment.big_city]
rule = "city = 'A'"

[segment.scored]
rule = "score >= 0"

[history]
path = "hist"

[gate]
fail_on = "never"
"#;

/// Twenty customers: ages 1–20, scores 0.5–19.5, cities A ×10, B ×6, C ×4, one phone each.
fn first_data() -> String {
    let mut csv = String::from("id,age,score,city,phone\n");
    for i in 1..=20 {
        let city = match i {
            1..=10 => "A",
            11..=16 => "B",
            _ => "C",
        };
        csv.push_str(&format!("{i},{i},{}.5,{city},+225 01 00 00 {i:02}\n", i - 1));
    }
    csv
}

/// The degraded copy: ages 17–20 blanked; cities A ×4, B ×6, C ×4, D ×6 (six A become D); new
/// phones. Scores and ids unchanged.
fn degraded_data() -> String {
    let mut csv = String::from("id,age,score,city,phone\n");
    for i in 1..=20 {
        let city = match i {
            1..=4 => "A",
            5..=10 => "D",
            11..=16 => "B",
            _ => "C",
        };
        let age = if i > 16 { String::new() } else { i.to_string() };
        csv.push_str(&format!("{i},{age},{}.5,{city},+33 6 00 00 00 {i:02}\n", i - 1));
    }
    csv
}

fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    expected
        .iter()
        .zip(actual)
        .map(|(e, a)| {
            let (e, a) = (e.max(0.0001), a.max(0.0001));
            (a - e) * (a / e).ln()
        })
        .sum()
}

fn finding_level(run: &crate::Run, code: &str, segment: Option<&str>, field: Option<&str>) -> Option<String> {
    run.report()["findings"].as_array()?.iter().find_map(|f| {
        let matches =
            f["code"] == code && segment.is_none_or(|s| f["segment"] == s) && field.is_none_or(|x| f["field"] == x);
        matches.then(|| f["level"].as_str().unwrap_or_default().to_string())
    })
}

fn drift_codes(run: &crate::Run) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = run.report()["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter(|f| {
                    let code = f["code"].as_str().unwrap_or_default();
                    code == "field.usability_drop" || code == "segment.size_shift" || code == "field.distribution_shift"
                })
                .map(|f| {
                    let object = f["field"].as_str().or(f["segment"].as_str()).unwrap_or_default();
                    (f["code"].as_str().unwrap_or_default().to_string(), object.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn two_runs() -> (Case, crate::Run, crate::Run) {
    let case = Case::new(SPEC);
    std::fs::write(case.path("customers.csv"), first_data()).unwrap();
    let first = case.audit(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    std::fs::write(case.path("customers.csv"), degraded_data()).unwrap();
    let second = case.audit(&[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    (case, first, second)
}

#[test]
fn drift_fires_on_the_degraded_fields_and_segments_only_with_exact_psi() {
    let (case, first, second) = two_runs();
    assert_eq!(first.report()["history"]["runs"], 1);
    assert_eq!(first.report()["history"]["previous"], Value::Null);
    assert_eq!(first.field("age")["psi"], Value::Null);
    assert!(drift_codes(&first).is_empty());
    let first_id = first.report()["history"]["run_id"].as_str().unwrap().to_string();
    assert_eq!(second.report()["history"]["runs"], 2);
    assert_eq!(second.report()["history"]["previous"], first_id.as_str());

    // age, run 1: 1..20, deciles 2, 4, …, 18 (the smallest value with 2k values at or below it):
    // 2 values per bin, e = 0.1. Run 2: 1..16 usable, 2 per bin in the first 8 bins (a = 0.125),
    // none in the last two (a floored at 0.0001).
    let edges: Vec<f64> = (1..=9).map(|k| f64::from(2 * k)).collect();
    assert_eq!(
        first.field("age")["distribution"]["bins"]["edges"],
        serde_json::json!(edges)
    );
    let mut a = vec![0.125; 8];
    a.extend([0.0, 0.0]);
    let age = psi(&[0.1; 10], &a);
    // By hand: 8 × 0.025 × ln 1.25 + 2 × (0.0001 − 0.1) × ln 0.001 = 1.424798…
    assert!((age - 1.424_798_2).abs() < 1e-6, "{age}");
    let got = second.field("age")["psi"].as_f64().unwrap();
    assert!((got - age).abs() < 1e-12, "age psi {got} vs {age}");

    // city, run 1: bins A, B, C and the others: e = 0.5, 0.3, 0.2, 0. Run 2: A 4, B 6, C 4, other
    // (D) 6: a = 0.2, 0.3, 0.2, 0.3.
    let city = psi(&[0.5, 0.3, 0.2, 0.0], &[0.2, 0.3, 0.2, 0.3]);
    // By hand: −0.3 × ln 0.4 + 0.2999 × ln 3000 = 2.675996…
    assert!((city - 2.675_996_8).abs() < 1e-6, "{city}");
    let got = second.field("city")["psi"].as_f64().unwrap();
    assert!((got - city).abs() < 1e-12, "city psi {got} vs {city}");

    // Unchanged fields have a PSI of 0; a pii field none.
    assert_eq!(second.field("score")["psi"].as_f64(), Some(0.0));
    assert_eq!(second.field("id")["psi"].as_f64(), Some(0.0));
    assert_eq!(second.field("phone")["psi"], Value::Null);
    assert_eq!(second.field("phone")["distribution"], Value::Null);

    // Usability of age 1 → 0.8 (drop 0.2 > 0.10: critical). Segment old: 10 members → 6 members and
    // 4 undetermined, m = 8 vs 10: shift 0.2, above high (0.10), not above critical (0.20).
    // big_city: 10 → 4: shift 0.6, critical.
    assert_eq!(
        drift_codes(&second),
        vec![
            ("field.distribution_shift".to_string(), "age".to_string()),
            ("field.distribution_shift".to_string(), "city".to_string()),
            ("field.usability_drop".to_string(), "age".to_string()),
            ("segment.size_shift".to_string(), "big_city".to_string()),
            ("segment.size_shift".to_string(), "old".to_string()),
        ]
    );
    let level = |code, segment, field| finding_level(&second, code, segment, field);
    assert_eq!(
        level("field.usability_drop", None, Some("age")).as_deref(),
        Some("critical")
    );
    assert_eq!(level("segment.size_shift", Some("old"), None).as_deref(), Some("high"));
    assert_eq!(
        level("segment.size_shift", Some("big_city"), None).as_deref(),
        Some("critical")
    );
    assert_eq!(
        level("field.distribution_shift", None, Some("city")).as_deref(),
        Some("critical")
    );

    // The history on disk: a marker, two reports, two Parquet files read back as one table.
    let hist = case.path("hist");
    let marker: Value =
        serde_json::from_str(&std::fs::read_to_string(hist.join("segaudit-history.json")).unwrap()).unwrap();
    assert_eq!(marker, serde_json::json!({"format": "segaudit-history", "version": 1}));
    assert_eq!(std::fs::read_dir(hist.join("runs")).unwrap().count(), 2);
    assert_eq!(std::fs::read_dir(hist.join("metrics")).unwrap().count(), 2);
    let second_id = second.report()["history"]["run_id"].as_str().unwrap().to_string();
    let rows = read_metrics(&hist.join("metrics"));
    let value = |run: &str, scope: &str, object: &str, metric: &str| {
        rows.iter()
            .find(|r| r.0 == run && r.1 == scope && r.2 == object && r.3 == metric)
            .map(|r| r.4)
    };
    assert_eq!(value(&first_id, "field", "age", "usability"), Some(1.0));
    assert_eq!(value(&second_id, "field", "age", "usability"), Some(0.8));
    assert_eq!(value(&second_id, "segment", "old", "size_min"), Some(6.0));
    assert_eq!(value(&second_id, "segment", "old", "size_max"), Some(10.0));
    assert_eq!(value(&second_id, "segment_field", "old/age", "usable"), Some(16.0));
    assert_eq!(value(&second_id, "subject", "customers", "rows"), Some(20.0));
    assert_eq!(
        value(&second_id, "field", "city", "psi"),
        second.field("city")["psi"].as_f64()
    );
    assert_eq!(value(&first_id, "field", "city", "psi"), None);
}

/// (run_id, scope, object, metric, value) of every row of `metrics/*.parquet`, through DataFusion.
pub fn read_metrics(dir: &Path) -> Vec<(String, String, String, String, f64)> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Float64Type;
    use datafusion::prelude::{ParquetReadOptions, SessionContext};
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        let df = ctx
            .read_parquet(dir.display().to_string(), ParquetReadOptions::default())
            .await
            .unwrap();
        let df = df
            .select_columns(&["run_id", "scope", "object", "metric", "value", "run_time"])
            .unwrap();
        let batches = df.collect().await.unwrap();
        let mut out = Vec::new();
        for b in batches {
            let text = |i: usize, r: usize| {
                let col = datafusion::arrow::compute::cast(b.column(i), &datafusion::arrow::datatypes::DataType::Utf8)
                    .unwrap();
                col.as_string::<i32>().value(r).to_string()
            };
            let values = b.column(4).as_primitive::<Float64Type>();
            assert!(!b.column(5).is_null(0));
            for r in 0..b.num_rows() {
                out.push((text(0, r), text(1, r), text(2, r), text(3, r), values.value(r)));
            }
        }
        out
    })
}

#[test]
fn two_concurrent_audits_both_land() {
    let case = Case::new(SPEC);
    std::fs::write(case.path("customers.csv"), first_data()).unwrap();
    let spawn = |out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_segaudit"))
            .args(["audit", "spec.toml", "--out", out, "--quiet"])
            .current_dir(case.dir.path())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn("out_a"), spawn("out_b"));
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let listing = case.run(&["history", "hist", "--json"]);
    assert_eq!(listing.code, 0, "{}", listing.stderr);
    let listing: Value = serde_json::from_str(&listing.stdout).unwrap();
    assert_eq!(listing["runs"].as_array().map(Vec::len), Some(2), "{listing}");
    assert_eq!(std::fs::read_dir(case.path("hist/metrics")).unwrap().count(), 2);
    // Two distinct runs, each read back from the table.
    let rows = read_metrics(&case.path("hist/metrics"));
    let mut ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2);
}

#[test]
fn a_corrupt_run_is_skipped_with_a_finding() {
    let case = Case::new(SPEC);
    std::fs::write(case.path("customers.csv"), first_data()).unwrap();
    let first = case.audit(&[]);
    let id = first.report()["history"]["run_id"].as_str().unwrap().to_string();
    std::fs::write(case.path(&format!("hist/runs/{id}.json")), "{ not json").unwrap();
    // A report left by a killed audit (no metrics file) is no run at all.
    std::fs::write(case.path("hist/runs/20000101T000000.000000000Z-0.json"), "{}").unwrap();
    let second = case.audit(&[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.report()["history"]["runs"], 1);
    assert_eq!(second.report()["history"]["previous"], Value::Null);
    let corrupt = second
        .finding("history.corrupt_run", "")
        .expect("a history.corrupt_run finding");
    assert_eq!(corrupt["level"], "warn");
    assert!(corrupt["message"].as_str().unwrap().contains(&id), "{corrupt}");
    assert!(drift_codes(&second).is_empty());
    let listing = case.run(&["history", "hist"]);
    assert_eq!(listing.code, 0, "{}", listing.stderr);
    assert!(
        listing.stdout.contains(&format!("unreadable run {id}")),
        "{}",
        listing.stdout
    );
}

#[test]
fn a_folder_that_is_not_a_history_is_refused() {
    let case = Case::new(SPEC);
    std::fs::write(case.path("customers.csv"), first_data()).unwrap();
    std::fs::create_dir_all(case.path("hist")).unwrap();
    std::fs::write(case.path("hist/notes.txt"), "mine").unwrap();
    let run = case.audit(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a segaudit history folder") && run.stderr.contains("notes.txt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("tip:"), "{}", run.stderr);
    // In the user's language, message and tip alike (contract §11).
    let fr = case.audit(&["--lang", "fr"]);
    assert!(
        fr.stderr.contains("hist: ce n’est pas un dossier d’historique segaudit (pas de segaudit-history.json, et il contient `notes.txt`)")
            && fr.stderr.contains("tip: indiquez à `[history] path`"),
        "{}",
        fr.stderr
    );
    std::fs::remove_file(case.path("hist/notes.txt")).unwrap();
    std::fs::write(
        case.path("hist/segaudit-history.json"),
        r#"{"format": "segaudit-history", "version": 2}"#,
    )
    .unwrap();
    let run = case.audit(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("version 2 is newer"), "{}", run.stderr);
    // --history overrides [history] path.
    let run = case.audit(&["--history", "other"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(case.path("other/metrics").is_dir());
}

#[test]
fn history_lists_runs_and_diff_says_what_changed() {
    let (case, first, second) = two_runs();
    let listing = case.run(&["history", "hist"]);
    assert_eq!(listing.code, 0, "{}", listing.stderr);
    assert!(listing.stdout.starts_with("2 runs"), "{}", listing.stdout);
    let listing = case.run(&["history", "hist", "--lang", "fr"]);
    assert!(listing.stdout.starts_with("2 exécutions"), "{}", listing.stdout);
    let ids = [&first, &second].map(|r| r.report()["history"]["run_id"].as_str().unwrap().to_string());
    let (old, new) = (
        format!("hist/runs/{}.json", ids[0]),
        format!("hist/runs/{}.json", ids[1]),
    );
    let diff = case.run(&["diff", &old, &new, "--json", "--html", "diff.html"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let d: Value = serde_json::from_str(&diff.stdout).unwrap();
    let field = |name: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert!((field("age")["change"].as_f64().unwrap() + 0.2).abs() < 1e-12);
    assert_eq!(field("score")["change"].as_f64(), Some(0.0));
    let segment = |id: &str| {
        d["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(segment("old")["old_size"], serde_json::json!([10, 10]));
    assert_eq!(segment("old")["new_size"], serde_json::json!([6, 10]));
    assert_eq!(segment("old")["shift"].as_f64(), Some(0.2));
    assert!(d["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "segment.size_shift"));
    let html = std::fs::read_to_string(case.path("diff.html")).unwrap();
    assert!(html.contains("<td>age</td>") && html.contains("-20.0 pts"), "{html}");
    let text = case.run(&["diff", &old, &new, "--lang", "fr"]);
    assert!(
        text.stdout.contains("utilisabilité avant") && text.stdout.contains("-20,0 pts"),
        "{}",
        text.stdout
    );
    let bad = case.run(&["diff", "spec.toml", &new]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not a segaudit audit report"), "{}", bad.stderr);
}

/// DuckDB reads the metrics with no option, when its Python module is installed (skipped otherwise:
/// `pip install duckdb`).
#[test]
fn duckdb_reads_the_metrics_table_as_is() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("python3 duckdb not installed: skipped");
        return;
    }
    let (case, _, second) = two_runs();
    let query = "import duckdb; print(duckdb.sql(\"SELECT count(DISTINCT run_id), max(value) FILTER (WHERE object = 'age' AND metric = 'psi') FROM read_parquet('hist/metrics/*.parquet')\").fetchall())";
    let out = std::process::Command::new("python3")
        .args(["-c", query])
        .current_dir(case.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let psi = second.field("age")["psi"].as_f64().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("[(2, {psi})]"));
}

/// `--lang pt` reaches every history path: the drift findings and the first page of an audit with
/// a history, the `history` listing and the `diff` tables — no English sentence left.
#[test]
fn history_listing_diff_and_drift_speak_portuguese() {
    let (case, first, second) = two_runs();
    let listing = case.run(&["history", "hist", "--lang", "pt"]);
    assert_eq!(listing.code, 0, "{}", listing.stderr);
    assert!(listing.stdout.starts_with("2 execuções"), "{}", listing.stdout);
    assert!(
        listing.stdout.contains("especificação") && listing.stdout.contains("controlo"),
        "{}",
        listing.stdout
    );
    let ids = [&first, &second].map(|r| r.report()["history"]["run_id"].as_str().unwrap().to_string());
    let (old, new) = (
        format!("hist/runs/{}.json", ids[0]),
        format!("hist/runs/{}.json", ids[1]),
    );
    let diff = case.run(&["diff", &old, &new, "--lang", "pt", "--html", "diff.html"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        diff.stdout.starts_with("Mudanças de")
            && diff.stdout.contains("usabilidade antes")
            && diff.stdout.contains("-20,0 pts")
            && diff.stdout.contains("Novas constatações"),
        "{}",
        diff.stdout
    );
    let html = std::fs::read_to_string(case.path("diff.html")).unwrap();
    assert!(html.contains("O que mudou") && html.contains("Campos"), "{html}");

    // A third run back on the first data, in Portuguese: the drift findings and the first page.
    std::fs::write(case.path("customers.csv"), first_data()).unwrap();
    let third = case.audit(&["--lang", "pt"]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    let messages: Vec<String> = third.report()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "segment.size_shift" || f["code"] == "field.distribution_shift")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(!messages.is_empty());
    for message in &messages {
        assert!(
            message.contains("desde a execução anterior") || message.contains("na execução anterior"),
            "{message}"
        );
    }
    let page = std::fs::read_dir(case.path("out"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    assert!(
        page.contains("Para o comité") && page.contains("Desde a última auditoria") && page.contains("tendência"),
        "first page not in Portuguese"
    );
    assert!(!page.contains("Since the last audit") && !page.contains("For the committee"));
}

#[test]
fn a_corrupt_metrics_file_is_quarantined_and_the_folder_stays_readable() {
    // A truncated metrics file used to go unnoticed, then break every reader of metrics/*.parquet.
    let case = Case::new(SPEC);
    std::fs::write(case.path("customers.csv"), first_data()).unwrap();
    let first = case.audit(&[]);
    let id = first.report()["history"]["run_id"].as_str().unwrap().to_string();
    let metrics = case.path(&format!("hist/metrics/{id}.parquet"));
    let bytes = std::fs::read(&metrics).unwrap();
    std::fs::write(&metrics, &bytes[..bytes.len() / 2]).unwrap();
    let second = case.audit(&[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let corrupt = second
        .finding("history.corrupt_run", "")
        .expect("a history.corrupt_run finding");
    assert!(corrupt["message"].as_str().unwrap().contains(&id), "{corrupt}");
    // Moved beside the folder, byte for byte; the folder holds only the new, readable run.
    let quarantined = case.path(&format!("hist.quarantine/{id}.parquet"));
    assert_eq!(std::fs::read(&quarantined).unwrap(), &bytes[..bytes.len() / 2]);
    assert!(!metrics.exists());
    let rows = read_metrics(&case.path("hist/metrics"));
    let new_id = second.report()["history"]["run_id"].as_str().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.0 == new_id));
}
