//! `segaudit history DIR`: the runs of a history folder as a table (time, spec, rows, worst level,
//! gate), or as JSON.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::{count, fill, level, t, Key};
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
        return Err(Error::at(dir.display().to_string(), msg(Key::ErrNoHistoryFolder))
            .with_tip(msg(Key::ErrTipNoHistoryFolder)));
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
    let p = |key: Key| t(lang, key);
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(crate::report::render::terminal::WIDTH)
        .set_header(vec![
            p(Key::HistoryRun),
            p(Key::HistoryTime),
            p(Key::HistorySpec),
            p(Key::Rows),
            p(Key::HistoryWorst),
            p(Key::HistoryGate),
        ]);
    for r in &listing.runs {
        let sha: String = r.spec_sha256.chars().take(12).collect();
        table.add_row(vec![
            r.run_id.clone(),
            r.run_time.clone(),
            format!("{} ({sha})", r.spec_path),
            count(lang, r.rows),
            level(lang, r.worst).to_string(),
            p(if r.gate_passed { Key::Passed } else { Key::Failed }).to_string(),
        ]);
    }
    let n = listing.runs.len();
    let mut out = format!("{}\n{table}\n", fill(lang, Key::HistoryRuns, &[("n", &n.to_string())]));
    for (id, reason) in &listing.unreadable {
        out.push_str(&fill(lang, Key::HistoryUnreadable, &[("id", id), ("reason", reason)]));
        out.push('\n');
    }
    out
}
