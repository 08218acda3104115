//! The commands on top of the stages: each resolves its settings, runs the stages in order and returns
//! what `main.rs` prints or writes.

pub mod assign;
pub mod audit;
pub mod diff;
pub mod init;
mod init_guess;

use std::path::{Path, PathBuf};

use crate::base::error::{Error, Result};
use crate::base::i18n::{fill, Key, Lang};
use crate::engine::RunOptions;
use crate::report::Report;
use crate::spec;
use audit::{AuditOptions, CheckOutcome, Run};

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
    let spec = spec::load(spec_path)?;
    let report = runtime(options.run.threads)?.block_on(audit::audit(&spec, options, Run::Audit))?;
    // The run is kept only once the whole report exists: a failed or killed audit adds nothing.
    if let Some(dir) = options.history_dir(&spec) {
        crate::history::open(&dir)?.record(&report)?;
    }
    Ok(report)
}

/// Writes every subject row's segment memberships (`segaudit assign`, contract §8).
pub fn run_assign(spec_path: &Path, options: &assign::AssignOptions) -> Result<assign::AssignOutcome> {
    let spec = spec::load(spec_path)?;
    runtime(options.run.threads)?.block_on(assign::assign(&spec, options))
}

/// Validates a spec without scanning data, then runs its rule tests.
pub fn run_check(spec_path: &Path, options: RunOptions) -> Result<(spec::Spec, CheckOutcome)> {
    let spec = spec::load(spec_path)?;
    let outcome = runtime(options.threads)?.block_on(audit::check(&spec, options))?;
    Ok((spec, outcome))
}

/// A spec that profiles one data path with no expectations.
pub fn profile_spec(data: &Path, lang: Lang) -> Result<spec::Spec> {
    let shown = data.display().to_string();
    let title = toml::Value::String(fill(lang, Key::ProfileTitle, &[("path", &shown)]));
    let source = init::source_lines(data, None)?;
    let text = format!("[audit]\ntitle = {title}\n\n[source.data]\n{source}\n[subject]\ntable = \"data\"\n\n[gate]\nfail_on = \"never\"\n");
    spec::parse(&PathBuf::from("segaudit-profile.toml"), &text)
}

/// Profiles each data path on its own (every column, overall, no spec).
pub fn run_profile(paths: &[PathBuf], options: &AuditOptions) -> Result<Vec<Report>> {
    let rt = runtime(options.run.threads)?;
    paths
        .iter()
        .map(|p| {
            let spec = profile_spec(p, options.lang.unwrap_or(Lang::En))?;
            let run = Run::Profile { data: p };
            rt.block_on(audit::audit(&spec, options, run))
        })
        .collect()
}

/// Writes a commented starter spec for the data files (`segaudit init`).
pub fn run_init(paths: &[PathBuf], table: Option<&str>, spec_path: Option<&Path>) -> Result<String> {
    runtime(0)?.block_on(init::starter_spec(paths, table, spec_path))
}

/// The current UTC time as RFC 3339, or `SOURCE_DATE_EPOCH` when set (reproducible reports).
pub fn now_rfc3339() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}
