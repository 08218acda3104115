//! segaudit: audits a customer base before it is split into business segments.
//!
//! The library does all the work and never prints; `main.rs` parses the command line, calls
//! [`run_audit`], [`run_check`] or [`run_profile`], prints what the renderers return and maps the
//! outcome to an exit code.

pub mod audit;
pub mod batch;
pub mod csv_prep;
pub mod database;
pub mod detect;
pub mod engine;
pub mod error;
pub mod fieldcheck;
pub mod fieldmap;
pub mod findings;
pub mod heterogeneity;
pub mod i18n;
pub mod init;
pub mod names;
pub mod profile;
pub mod render;
pub mod report;
pub mod risk;
pub mod ruletest;
pub mod safecast;
pub mod segments;
pub mod sources;
pub mod spec;
pub mod sql;
pub mod stats;
pub mod udf;

use std::path::{Path, PathBuf};

pub use audit::{AuditOptions, CheckOutcome};
pub use error::{Error, Result};
pub use report::Report;

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

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
    runtime(options.run.threads)?
        .block_on(audit::audit(&spec, options))
        .map_err(|e| database::explain_scan_error(&spec.sources, e))
}

/// Validates a spec without scanning data, then runs its rule tests.
pub fn run_check(spec_path: &Path, options: engine::RunOptions) -> Result<(spec::Spec, CheckOutcome)> {
    let spec = spec::load(spec_path)?;
    let outcome = runtime(options.threads)?
        .block_on(audit::check(&spec, options))
        .map_err(|e| database::explain_scan_error(&spec.sources, e))?;
    Ok((spec, outcome))
}

/// The `[source]` lines for a data path read with no spec: CSV delimiter and encoding are sniffed.
pub fn source_lines(data: &Path, spec_dir: Option<&Path>) -> Result<String> {
    let absolute = std::path::absolute(data).unwrap_or_else(|_| data.to_path_buf());
    let shown = spec_dir
        .and_then(|dir| relative_path(&absolute, dir))
        .unwrap_or_else(|| absolute.display().to_string());
    let mut lines = format!("path = {}\n", toml::Value::String(shown));
    if data.is_file() && sources::format_of(data) == Some(spec::SourceFormat::Csv) {
        let sniffed = detect::sniff(data)?;
        if sniffed.delimiter != b',' {
            let delimiter = if sniffed.delimiter == b'\t' {
                "\\t".to_string()
            } else {
                (sniffed.delimiter as char).to_string()
            };
            lines.push_str(&format!("delimiter = \"{delimiter}\"\n"));
        }
        if sniffed.encoding != "utf-8" {
            lines.push_str(&format!("encoding = \"{}\"   # {}\n", sniffed.encoding, sniffed.reason));
        }
    }
    Ok(lines)
}

/// `path` relative to `dir` when they share a root (`../data/x.csv`).
pub fn relative_path(path: &Path, dir: &Path) -> Option<String> {
    let dir = std::path::absolute(dir).ok()?;
    let path_parts: Vec<_> = path.components().collect();
    let dir_parts: Vec<_> = dir.components().collect();
    let common = path_parts.iter().zip(&dir_parts).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..dir_parts.len() {
        out.push("..");
    }
    path_parts[common..].iter().for_each(|p| out.push(p));
    Some(out.display().to_string())
}

/// `source_lines`, or for a database URL (`postgres://…`, `sqlite:FILE`) its `url`/`table` lines.
pub fn source_lines_or_url(data: &Path, spec_dir: Option<&Path>, db: database::UrlArgs) -> Result<String> {
    let text = data.to_string_lossy();
    if database::is_url(&text) {
        database::source_lines(&text, spec_dir, db)
    } else {
        source_lines(data, spec_dir)
    }
}

/// A spec that profiles one data path (or database table) with no expectations.
pub fn profile_spec(data: &Path, db: database::UrlArgs) -> Result<spec::Spec> {
    let shown = if database::is_url(&data.to_string_lossy()) {
        database::shown_url(&data.to_string_lossy())
    } else {
        data.display().to_string()
    };
    let title = toml::Value::String(format!("Profile of {shown}"));
    let source = source_lines_or_url(data, None, db)?;
    let text = format!("[audit]\ntitle = {title}\n\n[source.data]\n{source}\n[subject]\ntable = \"data\"\n\n[gate]\nfail_on = \"never\"\n");
    spec::parse(&PathBuf::from("segaudit-profile.toml"), &text)
}

/// Profiles each data path on its own (every column, overall, no spec).
pub fn run_profile(paths: &[PathBuf], options: &AuditOptions, db: database::UrlArgs) -> Result<Vec<Report>> {
    let rt = runtime(options.run.threads)?;
    paths
        .iter()
        .map(|p| {
            let spec = profile_spec(p, db)?;
            let mut report = rt
                .block_on(audit::audit(&spec, options))
                .map_err(|e| database::explain_scan_error(&spec.sources, e))?;
            report.format = "segaudit-profile";
            report.spec.path = if database::is_url(&p.to_string_lossy()) {
                database::shown_url(&p.to_string_lossy())
            } else {
                p.display().to_string()
            };
            Ok(report)
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
