//! Run history (contract §7): a folder keeping every audit run — its JSON report in `runs/` and its
//! numbers as a long Parquet table in `metrics/` — and the drift findings against the previous run.
//!
//! Layout of a history folder:
//! - `segaudit-history.json`: `{"format": "segaudit-history", "version": 1}`, so a folder that is
//!   not a history (or one from a future version) is refused instead of being written into;
//! - `runs/RUN_ID.json`: the run's report, as `audit --json` writes it;
//! - `metrics/RUN_ID.parquet`: its numbers, one row per (scope, object, metric).
//!
//! A run exists once its Parquet file does: the report is written first, the metrics last, each
//! through a temporary file renamed into place, so a killed audit leaves at most a report no
//! listing counts (and nothing in the Parquet table). Run ids start with the UTC time to the
//! nanosecond and end with a random suffix: two audits running at once write different files and
//! never rewrite a shared one.

pub mod drift;
pub mod listing;
pub mod metrics;

use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::report::stored::StoredReport;
use crate::report::{Report, RunPoint};

pub const MARKER: &str = "segaudit-history.json";
pub const FORMAT: &str = "segaudit-history";
pub const VERSION: u32 = 1;
/// Runs shown in the trend charts (the latest ones).
pub const TREND_RUNS: usize = 12;

/// A history folder that was checked to be one (or to be new).
#[derive(Debug, Clone)]
pub struct History {
    pub dir: PathBuf,
}

/// One readable run of a history.
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub id: String,
    pub report: StoredReport,
}

/// A run that could not be read, and why.
#[derive(Debug, Clone)]
pub struct CorruptRun {
    pub id: String,
    pub reason: String,
}

/// The runs of a history, oldest first, and the ones skipped.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    pub runs: Vec<StoredRun>,
    pub corrupt: Vec<CorruptRun>,
}

impl StoredRun {
    pub fn point(&self) -> RunPoint {
        self.report.point(&self.id)
    }

    /// The run's UTC time (the report's own run time, else when it was generated).
    pub fn time(&self) -> &str {
        self.report.time()
    }
}

/// What the folder's marker says.
#[derive(Debug, Deserialize)]
struct Marker {
    format: String,
    version: u32,
}

/// Entries a history folder may hold besides the marker: `assign --history` keeps its membership
/// (and the lock that serialises its runs) beside the audit runs (contract §10, one history folder).
const KNOWN_ENTRIES: [&str; 4] = ["runs", "metrics", "membership.parquet", "membership.lock"];

/// Checks that `dir` is a history folder, or absent, or empty (it becomes one on the first run).
pub fn open(dir: &Path) -> Result<History> {
    let history = History { dir: dir.to_path_buf() };
    if !dir.exists() {
        return Ok(history);
    }
    if !dir.is_dir() {
        return Err(
            Error::at(dir.display().to_string(), msg(Key::ErrHistoryIsFile)).with_tip(msg(Key::ErrTipHistoryIsFile))
        );
    }
    let marker = dir.join(MARKER);
    if !marker.exists() {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, &e))?;
        let stranger = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .find(|name| !name.starts_with('.') && !KNOWN_ENTRIES.contains(&name.as_str()));
        return match stranger {
            None => Ok(history),
            Some(name) => Err(Error::at(
                dir.display().to_string(),
                msg(Key::ErrNotAHistory).arg("marker", MARKER).arg("name", name),
            )
            .with_tip(msg(Key::ErrTipNotAHistory))),
        };
    }
    let text = std::fs::read_to_string(&marker).map_err(|e| Error::io(&marker, &e))?;
    let parsed: Marker = serde_json::from_str(&text).map_err(|e| {
        Error::at(
            marker.display().to_string(),
            msg(Key::ErrHistoryMarker).arg("reason", e),
        )
        .with_tip(
            msg(Key::ErrTipHistoryMarker)
                .arg("format", FORMAT)
                .arg("version", VERSION),
        )
    })?;
    if parsed.format != FORMAT {
        return Err(Error::at(
            marker.display().to_string(),
            msg(Key::ErrHistoryFormat)
                .arg("format", &parsed.format)
                .arg("expected", FORMAT),
        )
        .with_tip(msg(Key::ErrTipHistoryFormat)));
    }
    if parsed.version > VERSION {
        return Err(Error::at(
            marker.display().to_string(),
            msg(Key::ErrHistoryVersion)
                .arg("version", parsed.version)
                .arg("known", VERSION),
        )
        .with_tip(msg(Key::ErrTipHistoryVersion)));
    }
    Ok(history)
}

impl History {
    pub fn runs_dir(&self) -> PathBuf {
        self.dir.join("runs")
    }

    pub fn metrics_dir(&self) -> PathBuf {
        self.dir.join("metrics")
    }

    /// Every run (a `metrics/*.parquet` file), oldest first; a run whose report is missing or
    /// unreadable is listed as corrupt and left out.
    pub fn load(&self) -> Result<Runs> {
        let metrics = self.metrics_dir();
        let mut ids: Vec<String> = match std::fs::read_dir(&metrics) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().to_string();
                    let id = name.strip_suffix(".parquet")?;
                    (!id.starts_with('.')).then(|| id.to_string())
                })
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&metrics, &e)),
        };
        ids.sort();
        let mut out = Runs::default();
        for id in ids {
            let parquet = metrics.join(format!("{id}.parquet"));
            if let Err(reason) = readable_parquet(&parquet) {
                // One unreadable file breaks every reader of `metrics/*.parquet` (DuckDB, pandas,
                // DataFusion): it moves out of the folder, kept for inspection, never deleted.
                let moved = self.quarantine(&parquet, &id);
                out.corrupt.push(CorruptRun {
                    id,
                    reason: format!("{}: {reason}; {moved}", parquet.display()),
                });
                continue;
            }
            let path = self.runs_dir().join(format!("{id}.json"));
            let read = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| StoredReport::parse(&text))
                .and_then(|report| {
                    if report.format == "segaudit-audit" {
                        Ok(report)
                    } else {
                        Err(format!("format {:?} is not an audit report", report.format))
                    }
                });
            match read {
                Ok(report) => out.runs.push(StoredRun { id, report }),
                Err(reason) => out.corrupt.push(CorruptRun {
                    id,
                    reason: format!("{}: {reason}", path.display()),
                }),
            }
        }
        Ok(out)
    }

    /// Moves a corrupt metrics file to `DIR.quarantine/`, beside the history folder; says where.
    fn quarantine(&self, file: &Path, id: &str) -> String {
        let mut name = self.dir.file_name().unwrap_or_default().to_os_string();
        name.push(".quarantine");
        let folder = self.dir.with_file_name(name);
        let target = folder.join(format!("{id}.parquet"));
        match std::fs::create_dir_all(&folder).and_then(|()| std::fs::rename(file, &target)) {
            Ok(()) => format!("moved to {}", target.display()),
            Err(e) => format!("could not be moved to {}: {e}", target.display()),
        }
    }

    /// Adds the run `report` describes: its report, then its metrics (which make it a run).
    pub fn record(&self, report: &Report) -> Result<()> {
        let Some(info) = &report.history else {
            return Err(Error::new("the report has no history run id"));
        };
        let cannot = |path: &Path, e: std::io::Error| crate::base::fs::write_error(path, &e);
        std::fs::create_dir_all(self.runs_dir()).map_err(|e| cannot(&self.runs_dir(), e))?;
        std::fs::create_dir_all(self.metrics_dir()).map_err(|e| cannot(&self.metrics_dir(), e))?;
        let marker = self.dir.join(MARKER);
        if !marker.exists() {
            let text = format!("{{\"format\": \"{FORMAT}\", \"version\": {VERSION}}}\n");
            crate::base::fs::write_atomically(&marker, text.as_bytes())?;
        }
        let json = crate::report::render::json::to_string(report)?;
        crate::base::fs::write_atomically(
            &self.runs_dir().join(format!("{}.json", info.run_id)),
            format!("{json}\n").as_bytes(),
        )?;
        let parquet = metrics::to_parquet(report, info)?;
        crate::base::fs::write_atomically(&self.metrics_dir().join(format!("{}.parquet", info.run_id)), &parquet)
    }
}

/// A new run id and its time: `20261123T193512.123456789Z-3f2a9c1b` (sorts by time; the random
/// suffix keeps two audits started in the same nanosecond apart).
pub fn new_run_id() -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = i64::try_from(now.as_secs()).unwrap_or(0);
    let time = chrono::DateTime::from_timestamp(seconds, now.subsec_nanos()).unwrap_or_default();
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u128(now.as_nanos());
    let suffix = hasher.finish() as u32;
    (
        format!("{}-{suffix:08x}", time.format("%Y%m%dT%H%M%S%.9fZ")),
        time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
    )
}

/// The run time in microseconds since 1970 (the Parquet `run_time`).
/// Whether a Parquet file's footer parses (what every reader does first); the reason otherwise.
fn readable_parquet(path: &Path) -> std::result::Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    datafusion::parquet::file::reader::SerializedFileReader::new(file)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn micros_of(time: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time).map_or(0, |t| t.timestamp_micros())
}
