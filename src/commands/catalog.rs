//! `segaudit catalog`: the data dictionary of the subject (contract §13), its numbers from the latest
//! run of the history, or from an audit run for it when the history has none (that audit is not
//! kept: a catalogue adds no run).

use std::path::{Path, PathBuf};

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::{Key, Lang};
use crate::report::catalog::{self, AuditNumbers, Catalog, CatalogInput, RunOrigin};
use crate::spec;

use super::audit::{AuditOptions, Run};

#[derive(Debug, Clone, Default)]
pub struct CatalogOptions {
    /// `--history DIR` (overrides `[history] path`).
    pub history: Option<PathBuf>,
    pub lang: Option<Lang>,
    pub tool_version: String,
    /// The time of a fresh audit (injected so output can be reproduced).
    pub generated_at: String,
}

pub fn run_catalog(spec_path: &Path, options: &CatalogOptions) -> Result<Catalog> {
    let spec = spec::load(spec_path)?;
    let lang = options.lang.unwrap_or(spec.lang);
    let dir = options.history.clone().or_else(|| spec.history.clone());
    let latest = match &dir {
        Some(dir) => {
            let history = crate::history::open(dir)?;
            let runs = history.load()?;
            match runs.runs.last() {
                Some(run) => {
                    let path = history.runs_dir().join(format!("{}.json", run.id));
                    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))?;
                    let numbers: AuditNumbers = serde_json::from_str(&text)
                        .map_err(|e| Error::at(path.display().to_string(), msg(Key::ErrCatalogRun).arg("why", e)))?;
                    Some((numbers, run.id.clone(), run.time().to_string()))
                }
                None => None,
            }
        }
        None => None,
    };
    let (numbers, origin, run_id, run_time) = match latest {
        Some((numbers, id, time)) => (numbers, RunOrigin::History, Some(id), time),
        None => {
            let audit_options = AuditOptions {
                lang: Some(lang),
                generated_at: options.generated_at.clone(),
                tool_version: options.tool_version.clone(),
                history: options.history.clone(),
                ..AuditOptions::default()
            };
            let report = super::runtime(0)?
                .block_on(super::audit::audit(&spec, &audit_options, Run::Audit))
                .map_err(|e| crate::engine::database::explain_scan_error(&spec.sources, e))?;
            let numbers = serde_json::to_value(&report)
                .and_then(serde_json::from_value::<AuditNumbers>)
                .map_err(|e| Error::new(msg(Key::ErrCatalogRun).arg("why", e)))?;
            (numbers, RunOrigin::Fresh, None, report.generated_at.clone())
        }
    };
    Ok(catalog::build(&CatalogInput {
        spec: &spec,
        lang,
        tool_version: &options.tool_version,
        numbers: &numbers,
        origin,
        run_id,
        run_time,
    }))
}
