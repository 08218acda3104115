//! The commands on top of the stages: each resolves its settings, runs the stages in order and returns
//! what `main.rs` prints or writes.

pub mod assign;
pub mod audit;
pub mod catalog;
pub mod contract;
pub mod diff;
pub mod init;
mod init_guess;
mod init_numbers;
mod init_odcs;
mod init_odcs_fields;
mod init_propose;
mod init_text;
mod outputs;

use std::path::{Path, PathBuf};

use crate::base::error::{Error, Result};
use crate::base::i18n::{fill, Key, Lang};
use crate::engine::{database, RunOptions};
use crate::report::Report;
use crate::spec;
use audit::{AuditOptions, CheckOutcome, Run};
use outputs::guard_outputs;

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if threads > 0 {
        builder.worker_threads(threads);
    }
    builder
        .build()
        .map_err(|e| Error::new(format!("cannot start worker threads: {e}")))
}

/// Runs the audit a spec file declares.
pub fn run_audit(spec_path: &Path, options: &AuditOptions) -> Result<Report> {
    run_audit_writing(spec_path, options, None)
}

/// Where `audit` writes its JSON and HTML reports.
pub struct ReportFiles<'a> {
    pub json: &'a Path,
    pub html: &'a Path,
}

/// Runs the audit, writes its reports together (both or neither: a full disk leaves the previous
/// ones), and only then adds the run to the history, so a history never holds a run whose reports
/// were not written.
pub fn run_audit_writing(spec_path: &Path, options: &AuditOptions, files: Option<ReportFiles>) -> Result<Report> {
    let spec = spec::load(spec_path)?;
    if let Some(files) = &files {
        guard_outputs(&spec, options.history.as_deref(), &[files.json, files.html])?;
    }
    let report = runtime(options.run.threads)?
        .block_on(audit::audit(&spec, options, Run::Audit))
        .map_err(|e| database::explain_scan_error(&spec.sources, e))?;
    if let Some(files) = files {
        let mut json = crate::report::render::json::to_string(&report)?;
        json.push('\n');
        let html = crate::report::render::html::render(&report)?;
        crate::base::fs::write_together(&[(files.json, json.as_bytes()), (files.html, html.as_bytes())])?;
    }
    // The run is kept only once the whole report exists: a failed or killed audit adds nothing.
    if let Some(dir) = options.history_dir(&spec) {
        crate::history::open(&dir)?.record(&report)?;
    }
    Ok(report)
}

/// Writes every subject row's segment memberships (`segaudit assign`, contract §8).
pub fn run_assign(spec_path: &Path, options: &assign::AssignOptions) -> Result<assign::AssignOutcome> {
    let summary = assign::summary_path(&options.out);
    let mut outputs = vec![options.out.as_path(), summary.as_path()];
    outputs.extend(options.html.as_deref());
    let spec = spec::variants::apply(&spec::load(spec_path)?, &options.variants)?;
    guard_outputs(&spec, options.history.as_deref(), &outputs)?;
    runtime(options.run.threads)?.block_on(assign::assign(&spec, options))
}

/// Validates a spec without scanning data, then runs its rule tests.
pub fn run_check(spec_path: &Path, options: RunOptions) -> Result<(spec::Spec, CheckOutcome)> {
    let spec = spec::load(spec_path)?;
    let outcome = runtime(options.threads)?
        .block_on(audit::check(&spec, options))
        .map_err(|e| database::explain_scan_error(&spec.sources, e))?;
    Ok((spec, outcome))
}

/// `source_lines`, or for a database URL (`postgres://…`, `sqlite:FILE`) its `url`/`table` lines.
pub fn source_lines_or_url(data: &Path, spec_dir: Option<&Path>, db: database::UrlArgs) -> Result<String> {
    let text = data.to_string_lossy();
    if spec::database::is_url(&text) {
        database::source_lines(&text, spec_dir, db)
    } else {
        init::source_lines(data, spec_dir)
    }
}

/// How a data path or database URL is shown (a URL without its credentials).
fn shown_data(data: &Path) -> String {
    let text = data.to_string_lossy();
    if spec::database::is_url(&text) {
        spec::database::shown_url(&text)
    } else {
        data.display().to_string()
    }
}

/// A spec that profiles one data path (or database table) with no expectations.
pub fn profile_spec(data: &Path, lang: Lang, db: database::UrlArgs) -> Result<spec::Spec> {
    let shown = shown_data(data);
    let title = toml::Value::String(fill(lang, Key::ProfileTitle, &[("path", &shown)]));
    let source = source_lines_or_url(data, None, db)?;
    let text = format!("[audit]\ntitle = {title}\n\n[source.data]\n{source}\n[subject]\ntable = \"data\"\n\n[gate]\nfail_on = \"never\"\n");
    spec::parse(&PathBuf::from("segaudit-profile.toml"), &text)
}

/// Refuses (exit 2) a `profile` output that would overwrite one of its data files or databases.
pub fn guard_profile_outputs(paths: &[PathBuf], db: database::UrlArgs, outputs: &[&Path]) -> Result<()> {
    for path in paths {
        // A path that makes no spec is reported by `run_profile` as it always is.
        if let Ok(spec) = profile_spec(path, Lang::En, db) {
            guard_outputs(&spec, None, outputs)?;
        }
    }
    Ok(())
}

/// Profiles each data path on its own (every column, overall, no spec).
pub fn run_profile(paths: &[PathBuf], options: &AuditOptions, db: database::UrlArgs) -> Result<Vec<Report>> {
    let rt = runtime(options.run.threads)?;
    paths
        .iter()
        .map(|p| {
            let spec = profile_spec(p, options.lang.unwrap_or(Lang::En), db)?;
            let shown = shown_data(p);
            let run = Run::Profile { shown: &shown };
            rt.block_on(audit::audit(&spec, options, run))
                .map_err(|e| database::explain_scan_error(&spec.sources, e))
        })
        .collect()
}

/// Writes a commented starter spec for the data files (`segaudit init`).
pub fn run_init(
    paths: &[PathBuf],
    table: Option<&str>,
    spec_path: Option<&Path>,
    password_env: Option<&str>,
) -> Result<String> {
    runtime(0)?.block_on(init::starter_spec(paths, table, spec_path, password_env))
}

/// The spec an ODCS v3.1.0 data contract describes (`segaudit init --from-odcs`, contract §13); its
/// paths are relative to the folder of `out` (the current folder when printed).
pub fn run_init_from_odcs(document: &Path, out: Option<&Path>) -> Result<String> {
    init_odcs::spec_from_odcs(document, out)
}

/// The spec as an ODCS v3.1.0 data contract (`segaudit contract`, contract §13); its paths are
/// relative to the folder of `out` (the current folder when printed).
pub fn run_contract(spec_path: &Path, out: Option<&Path>) -> Result<String> {
    let out_dir = out
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let spec = spec::load(spec_path)?;
    runtime(0)?
        .block_on(contract::contract_yaml(&spec, out_dir))
        .map_err(|e| database::explain_scan_error(&spec.sources, e))
}

/// The current UTC time as RFC 3339, or `SOURCE_DATE_EPOCH` when set (reproducible reports).
pub fn now_rfc3339() -> String {
    // A fixed SOURCE_DATE_EPOCH (reproducible builds and tests) is whole seconds; the clock is read
    // to the microsecond, so two runs within a second keep their order in a history.
    if let Some(seconds) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        return chrono::DateTime::from_timestamp(seconds, 0)
            .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
