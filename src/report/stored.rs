//! The one typed read-back of a stored audit report (`audit --json`, a history's `runs/*.json`):
//! what `history` and `diff` read of it. Read leniently (unknown keys ignored, new keys defaulted),
//! so a report from an older or newer tool version still counts.

use serde::Deserialize;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::base::risk::Level;
use crate::engine::drift::Distribution;
use crate::report::{HistoryInfo, RunPoint};

/// The `format` an audit report carries.
pub const AUDIT_FORMAT: &str = "segaudit-audit";

#[derive(Debug, Clone, Deserialize)]
pub struct StoredReport {
    pub format: String,
    #[serde(default)]
    pub generated_at: String,
    #[serde(default)]
    pub spec: StoredSpec,
    pub subject: StoredSubject,
    #[serde(default)]
    pub fields: Vec<StoredField>,
    #[serde(default)]
    pub segments: Vec<StoredSegment>,
    #[serde(default)]
    pub links: Vec<StoredLink>,
    #[serde(default)]
    pub findings: Vec<StoredFinding>,
    pub gate: StoredGate,
    #[serde(default)]
    pub history: Option<HistoryInfo>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredSpec {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredSubject {
    pub table: String,
    pub rows: u64,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub duplicate_keys: Option<u64>,
    /// 0 in reports written before contract §10.
    #[serde(default)]
    pub duplicate_identities: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredField {
    pub name: String,
    #[serde(default)]
    pub usability: Option<f64>,
    #[serde(default)]
    pub missing: u64,
    #[serde(default)]
    pub invalid: u64,
    #[serde(default)]
    pub not_applicable: u64,
    #[serde(default)]
    pub risk: Level,
    #[serde(default)]
    pub pii: bool,
    #[serde(default)]
    pub distribution: Option<Distribution>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredSegment {
    pub id: String,
    pub size_min: u64,
    pub size_max: u64,
    #[serde(default)]
    pub undetermined: u64,
    #[serde(default)]
    pub risk: Level,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredLink {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub from_rows: u64,
    #[serde(default)]
    pub orphans: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StoredFinding {
    pub level: Level,
    pub code: String,
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub waived: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredGate {
    pub worst: Level,
    pub passed: bool,
}

impl StoredReport {
    /// Parses a report's JSON text; the error is serde's own words, for the caller to place.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Reads the audit report at `path`, refusing a file that is not one.
    pub fn read(path: &std::path::Path) -> Result<Self> {
        let tip = || msg(Key::ErrTipNotAReport);
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e).with_tip(tip()))?;
        let place = path.display().to_string();
        let report = Self::parse(&text)
            .map_err(|reason| Error::at(&place, msg(Key::ErrNotAReport).arg("reason", reason)).with_tip(tip()))?;
        if report.format != AUDIT_FORMAT {
            return Err(Error::at(place, msg(Key::ErrReportFormat).arg("format", &report.format)).with_tip(tip()));
        }
        Ok(report)
    }

    /// The run's UTC time (the report's own run time, else when it was generated).
    pub fn time(&self) -> &str {
        self.history
            .as_ref()
            .map_or(self.generated_at.as_str(), |h| h.run_time.as_str())
    }

    /// The run as the trend charts see it.
    pub fn point(&self, id: &str) -> RunPoint {
        RunPoint {
            id: id.to_string(),
            rows: self.subject.rows,
            time: self.time().to_string(),
            fields: self.fields.iter().map(|f| (f.name.clone(), f.usability)).collect(),
            segments: self
                .segments
                .iter()
                .map(|s| (s.id.clone(), s.size_min, s.size_max))
                .collect(),
        }
    }
}
