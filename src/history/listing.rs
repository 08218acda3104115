//! `segaudit history DIR`: the runs of a history folder as a table (time, spec, rows, worst level,
//! gate), or as JSON.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::base::error::{Error, Result};
use crate::base::i18n::{count, level, pick};
use crate::base::risk::Level;
use crate::spec::Lang;

/// One line of the listing.
#[derive(Debug, Clone, Serialize)]
pub struct RunLine {
    pub run_id: String,
    pub run_time: String,
    pub spec_path: String,
    pub spec_sha256: String,
    pub subject: String,
    pub rows: u64,
    pub worst: Level,
    pub gate_passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub format: &'static str,
    pub version: u32,
    pub runs: Vec<RunLine>,
    /// Runs that could not be read: id and reason.
    pub unreadable: Vec<(String, String)>,
}

/// Reads the runs of a history folder (that must exist).
pub fn list(dir: &std::path::Path) -> Result<Listing> {
    if !dir.is_dir() {
        return Err(Error::new(format!("{}: no such history folder", dir.display()))
            .with_tip("give the folder of `[history] path` or of `audit --history DIR`"));
    }
    let runs = super::open(dir)?.load()?;
    Ok(Listing {
        format: "segaudit-history-list",
        version: 1,
        runs: runs
            .runs
            .iter()
            .map(|r| RunLine {
                run_id: r.id.clone(),
                run_time: r.time().to_string(),
                spec_path: r.report.spec.path.clone(),
                spec_sha256: r.report.spec.sha256.clone(),
                subject: r.report.subject.table.clone(),
                rows: r.report.subject.rows,
                worst: r.report.gate.worst,
                gate_passed: r.report.gate.passed,
            })
            .collect(),
        unreadable: runs.corrupt.iter().map(|c| (c.id.clone(), c.reason.clone())).collect(),
    })
}

/// The listing as a terminal table in `lang`.
pub fn render(listing: &Listing, lang: Lang) -> String {
    let p = |en: &str, fr: &str| pick(lang, en.to_string(), fr.to_string());
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(crate::report::render::terminal::WIDTH)
        .set_header(vec![
            p("run", "exécution"),              // pt: execução
            p("time (UTC)", "heure (UTC)"),     // pt: hora (UTC)
            p("spec", "spécification"),         // pt: especificação
            p("rows", "lignes"),                // pt: linhas
            p("worst", "niveau le plus grave"), // pt: nível mais grave
            p("gate", "contrôle"),              // pt: controlo
        ]);
    for r in &listing.runs {
        let sha: String = r.spec_sha256.chars().take(12).collect();
        t.add_row(vec![
            r.run_id.clone(),
            r.run_time.clone(),
            format!("{} ({sha})", r.spec_path),
            count(lang, r.rows),
            level(lang, r.worst).to_string(),
            if r.gate_passed {
                p("passed", "réussi") // pt: aprovado
            } else {
                p("failed", "échoué") // pt: reprovado
            },
        ]);
    }
    let n = listing.runs.len();
    let mut out = format!("{}\n{t}\n", pick(lang, format!("{n} runs"), format!("{n} exécutions"))); // pt: {n} execuções
    for (id, reason) in &listing.unreadable {
        out.push_str(&pick(
            lang,
            format!("unreadable run {id} (skipped): {reason}\n"),
            format!("exécution illisible {id} (ignorée) : {reason}\n"),
            // pt: execução ilegível {id} (ignorada): {reason}
        ));
    }
    out
}
