//! The audit spec: loading TOML, turning it into a validated model, and errors that point at line:column.

mod build;
pub mod database;
pub mod fieldcheck;
pub mod model;
pub mod numbers;
mod select;

use std::path::{Path, PathBuf};

use crate::base::error::{Error, Result};
use crate::base::risk::{FailOn, Level, Thresholds};
use crate::spec::fieldcheck::FieldRule;

pub use crate::base::i18n::Lang;
pub use build::build;
pub use select::ensure_select;

/// Where a value stands in the spec file, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Loc {
    pub line: usize,
    pub col: usize,
}

/// A spec value with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Parquet,
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub quote: u8,
    pub header: bool,
    /// WHATWG label, canonical name.
    pub encoding: &'static encoding_rs::Encoding,
    pub fail_on_bad_rows: bool,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub path: Located<String>,
    /// Path resolved against the spec's directory.
    pub resolved: PathBuf,
    pub format: Option<SourceFormat>,
    pub csv: CsvOptions,
    pub null_tokens: Vec<String>,
    /// Set for a database source (`url`); `path` then holds the URL without credentials.
    pub database: Option<crate::spec::database::Database>,
}

#[derive(Debug, Clone)]
pub struct View {
    pub name: String,
    pub sql: Located<String>,
}

#[derive(Debug, Clone)]
pub struct Subject {
    pub table: Located<String>,
    pub key: Option<Located<String>>,
    pub strata: Vec<Located<String>>,
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: String,
    pub family: String,
    pub label: Option<String>,
    pub fields: Vec<Located<String>>,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub id: String,
    pub label: Option<String>,
    pub population: Option<Located<String>>,
    pub rule: Located<String>,
}

#[derive(Debug, Clone)]
pub struct Segmentation {
    pub id: String,
    pub label: Option<String>,
    pub segments: Vec<String>,
    pub exclusive: bool,
    pub exhaustive: bool,
}

#[derive(Debug, Clone)]
pub struct RuleTest {
    pub name: String,
    pub row: Vec<(String, String)>,
    pub expect: Vec<String>,
    pub undetermined: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskSettings {
    pub usability: Thresholds,
    pub undetermined: Thresholds,
    pub strata_gap: Thresholds,
    /// Drift against the previous run (contract §7): all three are "higher is worse".
    pub usability_drop: Thresholds,
    pub size_shift: Thresholds,
    pub psi: Thresholds,
    pub min_population: u64,
}

/// A validated audit spec.
#[derive(Debug, Clone)]
pub struct Spec {
    pub path: PathBuf,
    pub text: String,
    pub sha256: String,
    pub title: String,
    pub lang: Lang,
    pub sources: Vec<Source>,
    pub views: Vec<View>,
    pub subject: Subject,
    pub fields: Vec<FieldRule>,
    pub criteria: Vec<Criterion>,
    pub segments: Vec<Segment>,
    pub segmentations: Vec<Segmentation>,
    pub risk: RiskSettings,
    /// `None` means the gate never fails.
    pub fail_on: FailOn,
    pub min_count: u64,
    pub top_values: usize,
    /// `[report] exact_distinct_limit`: distinct texts of a column counted exactly (per partition)
    /// before its distinct count and top values are estimated from sketches (contract §4).
    pub exact_distinct_limit: usize,
    pub tests: Vec<RuleTest>,
    /// `[history] path`, resolved against the spec's folder.
    pub history: Option<PathBuf>,
}

impl Spec {
    pub fn field(&self, name: &str) -> Option<&FieldRule> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Reads and validates a spec file.
pub fn load(path: &Path) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::io(path, &e).with_tip("pass the path of an audit spec, e.g. `segaudit audit checks/demo.toml`")
    })?;
    parse(path, &text)
}

/// Validates spec text as if read from `path` (paths inside resolve against its folder).
pub fn parse(path: &Path, text: &str) -> Result<Spec> {
    let raw: model::RawSpec = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    build(path, text, raw)
}

/// Line and column (1-based) of a byte offset.
pub fn loc_of(text: &str, offset: usize) -> Loc {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Loc { line, col }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> Error {
    let loc = err
        .span()
        .map(|s| loc_of(text, s.start))
        .unwrap_or(Loc { line: 1, col: 1 });
    let message = err.message().trim().to_string();
    let tip = unknown_key_tip(&message)
        .unwrap_or_else(|| "check the TOML syntax and the key's type against docs/spec.md".to_string());
    Error::new(format!("{}:{}:{}: {message}", path.display(), loc.line, loc.col)).with_tip(tip)
}

/// serde says "unknown field `sourc`, expected one of `audit`, `source`": turn it into a did-you-mean.
fn unknown_key_tip(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (bad, expected) = rest.split_once('`')?;
    let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    Some(match crate::base::names::did_you_mean(bad, options.iter().copied()) {
        Some(good) => format!("did you mean `{good}`? (allowed keys here: {})", options.join(", ")),
        None => format!("remove `{bad}`; allowed keys here: {}", options.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(loc_of(text, 0), Loc { line: 1, col: 1 });
        assert_eq!(loc_of(text, 6), Loc { line: 2, col: 1 });
        assert_eq!(loc_of(text, 10), Loc { line: 2, col: 4 });
    }

    #[test]
    fn unknown_keys_get_a_did_you_mean() {
        let tip = unknown_key_tip("unknown field `rulle`, expected one of `label`, `population`, `rule`");
        assert_eq!(
            tip.as_deref(),
            Some("did you mean `rule`? (allowed keys here: label, population, rule)")
        );
    }
}
