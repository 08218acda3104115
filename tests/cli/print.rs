//! The printed report: the demo's French report printed to PDF by headless Chromium, read back with
//! poppler-utils (`pdfinfo`, `pdftotext`), so what a committee gets on paper is checked by a test and
//! not by eye only (docs/report.md "Printing").

use std::path::Path;
use std::process::Command;

use crate::report::{chromium, demo_report, program};

/// The demo's risk matrix columns: every field a segment of `checks/demo.toml` reads (`email` is in
/// the `digital` criterion but no segment reads it, so it has no column), and the criteria over them.
const MATRIX_COLUMNS: [&str; 8] = [
    "type_client",
    "milieu",
    "retard_moyen_jours",
    "nb_impayes_12m",
    "montant_moyen_facture",
    "conso_mensuelle_kwh",
    "canal",
    "paiement_mobile",
];
const MATRIX_GROUPS: [&str; 5] = [
    "Profil du client",
    "Localisation",
    "Régularité de paiement",
    "Valeur du client",
    "Appétence digitale",
];

/// Prints `page` to `pdf` as Chromium's print dialog would (A4 from the page's `@page`), without
/// Chromium's own header and footer: the margins are the report's.
fn print_to_pdf(browser: &Path, page: &Path, pdf: &Path, profile: &Path) -> String {
    let output = crate::report::headless(browser, profile)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The text of each page, spaces of every width made plain (`5 008`, `42,8 %`).
fn pages_text(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace(['\u{a0}', '\u{202f}', '\u{2009}'], " ");
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn page_count(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("run pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in pdfinfo's answer:\n{info}"))
}

/// The first page whose text holds `needle`, counted from 1.
fn page_of(pages: &[String], needle: &str) -> usize {
    pages
        .iter()
        .position(|p| p.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} is on no page"))
}

#[test]
fn the_demo_report_prints_on_at_most_14_pages_with_the_findings_early() {
    let (Some(browser), Some(_), Some(_)) = (chromium(), program(&["pdftotext"]), program(&["pdfinfo"])) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium and poppler-utils (.ci/run installs them)"
        );
        eprintln!("skipped: no Chromium or no pdftotext/pdfinfo (install `chromium` and `poppler-utils`)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    demo_report(dir.path(), "fr");
    let page = dir.path().join("report-fr.html");
    let pdf = dir.path().join("report-fr.pdf");
    let log = print_to_pdf(&browser, &page, &pdf, &dir.path().join("profile"));
    assert!(pdf.exists(), "no PDF; chromium said:\n{log}");
    if let Ok(keep) = std::env::var("SEGAUDIT_PRINTS") {
        let _ = std::fs::copy(&pdf, Path::new(&keep).join("report-fr.pdf"));
    }

    let n = page_count(&pdf);
    assert!(n <= 14, "the demo's report prints on {n} pages, more than 14");
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), n, "pdftotext and pdfinfo disagree on the pages");

    // Every page carries the title, the run's date and its number in the margins.
    for (i, text) in pages.iter().enumerate() {
        assert!(
            text.contains("Parc clients — segmentation 2026 (démo)") && text.contains("2026-09-21"),
            "page {} has no title or date in its margin:\n{text}",
            i + 1
        );
        assert!(
            text.contains(&format!("page {} / {n}", i + 1)),
            "page {} has no page number:\n{text}",
            i + 1
        );
    }
    // No page but the last is left almost empty (the margins' three lines aside).
    for (i, text) in pages.iter().enumerate().take(n - 1) {
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(lines > 12, "page {} holds only {lines} lines:\n{text}", i + 1);
    }

    // The committee's page, then the details with the risk matrix, then the findings: all 60 of
    // the demo's JSON are counted in the heading, by page 6.
    assert_eq!(page_of(&pages, "Pour le comité"), 1);
    let matrix = page_of(&pages, "matrice de risque");
    let findings = page_of(&pages, "constats (60)");
    assert!(findings <= 6, "the findings start on page {findings}");
    // Every matrix column is printed whole between the matrix heading and the findings, as are
    // the values of its last columns (no column lost past the page's edge).
    let text = pages.join("\n");
    let from = text.find("matrice de risque").unwrap_or(0);
    let to = text.find("constats (60)").unwrap_or(text.len());
    let printed = &text[from..to];
    for column in MATRIX_COLUMNS.iter().chain(&MATRIX_GROUPS) {
        assert!(
            printed.contains(column),
            "matrix column {column} is not printed (page {matrix})"
        );
    }
    // The last columns' cells: the digital segments' canal and paiement_mobile, usable for 4 610
    // and 4 358 of the 5 008 customers (their population is everyone): 92,1 % and 87,0 %.
    assert!(
        printed.contains("92,1 %") && printed.contains("87,0 %"),
        "the last columns' cells are not printed:\n{printed}"
    );
}

/// The demo's 60 findings (the JSON keeps them all) are 40 rows of the page: 13 rows stand for the
/// same finding on segments of one population. By hand, from the demo's findings: the three B2C
/// payment segments repeat 1 critical strata gap, 3 high findings (retard_moyen_jours' usability,
/// two strata gaps) and 3 warnings (population NULL rows, nb_impayes_12m's usability and strata
/// gap): 7 rows for 21 findings; the two B2B segments repeat 3 warnings (population NULL rows,
/// montant_moyen_facture's usability and strata gap): 3 rows for 6; the two segments of everyone
/// repeat 3 warnings (canal's and paiement_mobile's usability, canal's strata gap): 3 rows for 6.
/// 60 − (21 − 7) − (6 − 3) − (6 − 3) = 40 rows, grouped in 3 levels.
#[test]
fn repeated_findings_of_one_population_are_one_row_of_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = demo_report(dir.path(), "fr");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("audit.json")).expect("JSON written"))
            .expect("JSON report");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(60));
    let start = html.find("<table id=\"findings\">").expect("findings table");
    let table = &html[start..start + html[start..].find("</table>").expect("table end")];
    assert_eq!(table.matches("<tr><td>").count(), 40);
    assert_eq!(table.matches("Même constat pour").count(), 13);
    assert_eq!(table.matches("class=\"group\"").count(), 3);
    assert!(table.contains("Même constat pour Payeurs irréguliers et Mauvais payeurs (même population)."));
    assert!(html.contains("<h2>constats (60)</h2>"));
    // Findings come before the segments' sections, right after the risk matrix.
    let (matrix, findings, segments) = (
        html.find("id=\"risk-matrix\"").expect("matrix"),
        html.find("id=\"findings-section\"").expect("findings"),
        html.find("id=\"segments\"").expect("segments"),
    );
    assert!(matrix < findings && findings < segments);
}
