//! Links between sources (contract §10): `[[link]]` numbers worked out by hand on two small CSVs
//! (missing values by each side's own null tokens, trimmed text, rows not distinct values), the
//! `link.orphans` finding and its level by the `undetermined` thresholds, a waiver on it, the link's
//! history metrics, and spec errors at line:col for an unknown table or column.

use serde_json::Value;

use crate::{Case, Run};

/// The `from` side, `pay` (null token "inconnu"); 8 rows:
///   1 C1        matched
///   2 " C2 "    matched once trimmed
///   3 C9        orphan
///   4 C9        orphan again: the same value counts once per row
///   5 ""        missing (empty)
///   6 inconnu   missing (pay's null token)
///   7 C1        matched
///   8 N/A       orphan: "N/A" is a token of clients, not of pay, so here it is a value
/// from_rows 8, from_missing 2 (rows 5, 6), orphans 3 (rows 3, 4, 8), matched 3.
const PAY: &str =
    "pay_id,client_id,amount\n1,C1,10\n2, C2 ,20\n3,C9,30\n4,C9,40\n5,,50\n6,inconnu,60\n7,C1,70\n8,N/A,80\n";

/// The `to` side, `clients` (null token "N/A"); 7 rows:
///   C1, C2        referenced
///   " C3"         never referenced (trimmed: C3)
///   C4, C4        never referenced, counted twice
///   N/A           missing (clients' token): neither matched nor unmatched
///   ""            missing
/// to_rows 7, to_unmatched 3.
const CLIENTS: &str = "client_id,region\nC1,Nord\nC2,Sud\n C3,Nord\nC4,Est\nN/A,Ouest\n,Sud\nC4,Nord\n";

const SOURCES: &str = "[source.pay]\npath = \"pay.csv\"\nnull_tokens = [\"inconnu\"]\n\n\
                       [source.clients]\npath = \"clients.csv\"\nnull_tokens = [\"N/A\"]\n\n\
                       [view.v]\nsql = \"SELECT client_id AS cid FROM clients\"\n\n\
                       [subject]\ntable = \"clients\"\n\n";

fn case(rest: &str) -> Case {
    let case = Case::new(&format!("{SOURCES}{rest}"));
    std::fs::write(case.path("pay.csv"), PAY).unwrap();
    std::fs::write(case.path("clients.csv"), CLIENTS).unwrap();
    case
}

fn numbers(link: &Value) -> [u64; 5] {
    ["from_rows", "orphans", "from_missing", "to_rows", "to_unmatched"]
        .map(|k| link[k].as_u64().unwrap_or_else(|| panic!("{k} in {link}")))
}

fn links(run: &Run) -> &Vec<Value> {
    run.report()["links"].as_array().expect("links[]")
}

fn orphans_finding(run: &Run) -> Option<&Value> {
    run.finding("link.orphans", "pay.client_id")
}

#[test]
fn every_number_of_a_link_as_worked_out_by_hand() {
    let case = case(
        "[[link]]\nfrom = \"pay.client_id\"\nto = \"clients.client_id\"\ndescription = \"payments of known customers\"\n\n\
         [[link]]\nfrom = \"clients.client_id\"\nto = \"pay.client_id\"\n\n\
         [[link]]\nfrom = \"pay.client_id\"\nto = \"v.cid\"\n",
    );
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let links = links(&run);
    assert_eq!(links.len(), 3);
    assert_eq!(
        (links[0]["from"].as_str(), links[0]["to"].as_str()),
        (Some("pay.client_id"), Some("clients.client_id"))
    );
    assert_eq!(links[0]["description"], "payments of known customers");
    // [from_rows, orphans, from_missing, to_rows, to_unmatched], see PAY and CLIENTS.
    assert_eq!(numbers(&links[0]), [8, 3, 2, 7, 3]);
    // 3 / 8 = 0.375 > critical (0.25, the default undetermined thresholds).
    assert_eq!(links[0]["orphan_share"].as_f64(), Some(0.375));
    assert_eq!(links[0]["risk"], "critical");
    // The other way round: clients' missing are N/A and "" (2); its orphans C3, C4, C4 (3); pay's
    // rows no client has: C9, C9, N/A (3).
    assert_eq!(numbers(&links[1]), [7, 3, 2, 8, 3]);
    // A view is a table like a source; its rows come from clients, whose N/A was read as missing.
    assert_eq!(numbers(&links[2]), [8, 3, 2, 7, 3]);

    let finding = orphans_finding(&run).expect("link.orphans on pay.client_id");
    assert_eq!(finding["level"], "critical");
    assert_eq!(
        finding["message"],
        "3 of 8 rows of pay.client_id (37.5%) hold a value no row of clients.client_id has: \
         the rows a join on this link silently drops"
    );
    // clients → pay: 3 / 7 = 0.43 > 0.25, critical too; one finding per link.
    let codes = run.codes();
    assert_eq!(codes.iter().filter(|c| *c == "link.orphans").count(), 3);
    // The statement is kept with the others, for --show-sql and the appendix.
    let sql = run.report()["sql"].as_array().unwrap();
    assert!(sql
        .iter()
        .any(|s| s["purpose"] == "link pay.client_id → clients.client_id"));
}

#[test]
fn the_level_follows_the_undetermined_thresholds_and_a_waiver_matches_it() {
    let link = "[[link]]\nfrom = \"pay.client_id\"\nto = \"clients.client_id\"\n";
    // 0.375 is above warn (0.10), not above high (0.40): warn.
    let run = case(&format!(
        "[risk]\nundetermined = {{ warn = 0.10, high = 0.40, critical = 0.50 }}\n\n{link}"
    ))
    .audit(&["--fail-on", "never"]);
    assert_eq!(orphans_finding(&run).expect("link.orphans")["level"], "warn");
    assert_eq!(links(&run)[0]["risk"], "warn");
    // Not above warn either (0.40): no finding.
    let run = case(&format!(
        "[risk]\nundetermined = {{ warn = 0.40, high = 0.45, critical = 0.50 }}\n\n{link}"
    ))
    .audit(&["--fail-on", "never"]);
    assert_eq!(orphans_finding(&run), None);
    assert_eq!(links(&run)[0]["risk"], "ok");
    // A waiver names it by code and the link's `from` side.
    let run = case(&format!(
        "{link}\n[[waiver]]\ncode = \"link.orphans\"\nfield = \"pay.client_id\"\nreason = \"C9 is the test customer\"\n"
    ))
    .audit(&["--fail-on", "never"]);
    let finding = orphans_finding(&run).expect("link.orphans");
    assert_eq!(
        (finding["level"].as_str(), finding["waived"].as_bool()),
        (Some("critical"), Some(true))
    );
    assert!(!run.codes().contains(&"waiver.unused".to_string()));
}

#[test]
fn the_link_shows_in_the_terminal_the_html_and_the_history() {
    let case = case("[[link]]\nfrom = \"pay.client_id\"\nto = \"clients.client_id\"\n");
    let run = case.run(&[
        "audit",
        "spec.toml",
        "--out",
        "out",
        "--history",
        "hist",
        "--fail-on",
        "never",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("links between sources: rows a join would drop"),
        "{}",
        run.stdout
    );
    // The table may wrap its cells to fit 100 columns: look for the pieces.
    assert!(
        run.stdout.contains("pay.client_id") && run.stdout.contains("37.5%"),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(case.path("out/report.html")).unwrap();
    assert!(html.contains("<section id=\"links\">") && html.contains("pay.client_id → clients.client_id"));
    let rows = crate::history::read_metrics(&case.path("hist/metrics"));
    let metric = |name: &str| {
        rows.iter()
            .find(|r| r.1 == "link" && r.2 == "pay.client_id/clients.client_id" && r.3 == name)
            .map(|r| r.4)
    };
    assert_eq!(
        ["from_rows", "orphans", "from_missing", "to_rows", "to_unmatched"].map(metric),
        [Some(8.0), Some(3.0), Some(2.0), Some(7.0), Some(3.0)]
    );
    // French labels.
    let fr = case.run(&[
        "audit",
        "spec.toml",
        "--out",
        "out",
        "--lang",
        "fr",
        "--fail-on",
        "never",
    ]);
    assert!(
        fr.stdout
            .contains("liens entre sources : les lignes qu'une jointure perdrait"),
        "{}",
        fr.stdout
    );
    assert!(
        fr.stdout.contains("3 des 8 lignes de pay.client_id (37,5 %)"),
        "{}",
        fr.stdout
    );
}

#[test]
fn an_unknown_table_or_column_is_a_spec_error_at_its_place() {
    // The spec's lines: SOURCES takes 14 lines (the last one blank), so `[[link]]` is line 15,
    // `from` line 16 and `to` line 17; the value's opening quote stands at column 8 (`from = "`) or 6 (`to = "`).
    let refused = |link: &str| {
        let run = case(link).run(&["check", "spec.toml"]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        let audit = case(link).audit(&[]);
        assert_eq!((audit.code, audit.stderr.trim_end()), (2, run.stderr.trim_end()));
        run.stderr.trim_end().to_string()
    };
    assert_eq!(
        refused("[[link]]\nfrom = \"pai.client_id\"\nto = \"clients.client_id\"\n"),
        "error: spec.toml:16:8: `link[0].from`: no source or view is named \"pai\"\n\
         tip: did you mean `pay`? (known: pay, clients, v)"
    );
    assert_eq!(
        refused("[[link]]\nfrom = \"pay.client_id\"\nto = \"clients.client_idd\"\n"),
        "error: spec.toml:17:6: `link[0].to`: clients has no column \"client_idd\"\n\
         tip: did you mean `client_id`? (its columns: client_id, region)"
    );
    assert_eq!(
        refused("[[link]]\nfrom = \"pay.zzz\"\nto = \"clients.client_id\"\n"),
        "error: spec.toml:16:8: `link[0].from`: pay has no column \"zzz\"\n\
         tip: write one of its columns after the dot, exactly as the data names it (its columns: pay_id, client_id, amount)"
    );
    assert_eq!(
        refused("[[link]]\nfrom = \"pay\"\nto = \"clients.client_id\"\n"),
        "error: spec.toml:16:8: `link[0].from`: \"pay\" does not name a column: a link side is a source or view, \
         a dot, then one of its columns\ntip: write it as table.column, e.g. from = \"pay.client_id\""
    );
    // In French with --lang.
    let run = case("[[link]]\nfrom = \"pay.client_id\"\nto = \"clients.client_idd\"\n").run(&[
        "check",
        "spec.toml",
        "--lang",
        "fr",
    ]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: spec.toml:17:6: `link[0].to`: clients n'a pas de colonne \"client_idd\"\n\
         tip: vouliez-vous dire `client_id`\u{202f}? (ses colonnes\u{a0}: client_id, region)"
    );
}
