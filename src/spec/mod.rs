//! The audit spec: loading TOML, turning it into a validated model, and errors that point at line:column.

mod at;
mod build;
pub mod database;
pub mod fieldcheck;
mod fieldsyntax;
pub mod governance;
pub mod link;
pub mod model;
pub mod numbers;
mod select;
mod sources;
pub mod variants;
pub mod waiver;

use std::path::{Path, PathBuf};

use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;
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
    /// `[subject] min_rows` (contract §10).
    pub min_rows: u64,
    /// `[subject] identity` (contract §10): empty when not set.
    pub identity: Vec<Located<String>>,
}

/// `[field.F] applies_when` (contract §10): `field` is `not_applicable` where `predicate` is FALSE.
#[derive(Debug, Clone)]
pub struct AppliesWhen {
    pub field: String,
    pub predicate: Located<String>,
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: String,
    pub family: String,
    pub label: Option<String>,
    pub fields: Vec<Located<String>>,
    /// `description`, `owner`, `steward` (contract §13).
    pub governance: governance::Governance,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub id: String,
    pub label: Option<String>,
    /// `description`, `owner`, `steward` (contract §13).
    pub governance: governance::Governance,
    pub population: Option<Located<String>>,
    pub rule: Located<String>,
    /// Other rules for the same population (contract §12), in the spec's order.
    pub variants: Vec<Variant>,
}

/// `[segment.S.variants] V = "rule"`.
#[derive(Debug, Clone)]
pub struct Variant {
    pub id: String,
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
    /// The variant in place for this test: (segment id, variant id).
    pub variant: Option<(String, String)>,
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
    /// |rows − rows_prev| / max(rows_prev, 1) (contract §10).
    pub row_count_shift: Thresholds,
    /// Share of rows registered twice under another key (contract §10).
    pub duplicate_identities: Thresholds,
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
    /// `[[waiver]]` (contract §10).
    pub waivers: Vec<waiver::Waiver>,
    /// `[field.F] applies_when`, in field order (contract §10).
    pub applies_when: Vec<AppliesWhen>,
    /// `[[link]]` (contract §10).
    pub links: Vec<link::Link>,
}

impl Spec {
    pub fn field(&self, name: &str) -> Option<&FieldRule> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Reads and validates a spec file.
pub fn load(path: &Path) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e).with_tip(msg(Key::ErrTipSpecPath)))?;
    parse(path, &text)
}

/// Validates spec text as if read from `path` (paths inside resolve against its folder).
pub fn parse(path: &Path, text: &str) -> Result<Spec> {
    let raw: model::RawSpec = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    build(path, text, raw)
}

/// The `[audit] lang` a spec file asks for, read even when the spec is not valid, so that its
/// errors can be written in that language. A TOML syntax error elsewhere still lets a plain
/// `lang = "fr"` line under `[audit]` be found.
pub fn lang_hint(path: &Path) -> Option<Lang> {
    let text = std::fs::read_to_string(path).ok()?;
    if let Ok(table) = toml::from_str::<toml::Table>(&text) {
        return Lang::parse(table.get("audit")?.get("lang")?.as_str()?);
    }
    let mut in_audit = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_audit = line.trim_start_matches('[').trim_end_matches(']').trim() == "audit";
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if in_audit && key.trim() == "lang" {
            return Lang::parse(value.trim().trim_matches(['"', '\'']));
        }
    }
    None
}

/// Where position `line:col` (1-based) of a SQL snippet stands in the spec file, the snippet
/// being the TOML string at `at` (its opening quote). A `"""` or `'''` string that starts with a
/// line break begins on the next line.
pub fn snippet_loc(text: &str, at: Loc, line: u64, col: u64) -> Loc {
    let quote_line = text.lines().nth(at.line.saturating_sub(1)).unwrap_or("");
    let rest: String = quote_line.chars().skip(at.col.saturating_sub(1)).collect();
    let triple = rest.starts_with("\"\"\"") || rest.starts_with("'''");
    let (line, col) = (line.max(1) as usize, col.max(1) as usize);
    let opening = if triple { 3 } else { 1 };
    if triple && rest.trim_end().len() == 3 {
        // The content starts on the line after the quotes.
        return Loc {
            line: at.line + line,
            col,
        };
    }
    if line == 1 {
        Loc {
            line: at.line,
            col: at.col + opening + col - 1,
        }
    } else {
        Loc {
            line: at.line + line - 1,
            col,
        }
    }
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
    let place = format!("{}:{}:{}", path.display(), loc.line, loc.col);
    match unknown_key(&message) {
        Some((bad, tip)) => Error::at(place, msg(Key::ErrKeyNotAllowed).arg("bad", bad)).with_tip(tip),
        // The TOML parser's own words (a syntax error) are English; the tip follows the language.
        None => Error::at(place, Text::Verbatim(message)).with_tip(msg(Key::ErrTipToml)),
    }
}

/// serde says "unknown field `sourc`, expected one of `audit`, `source`": the bad key and a
/// did-you-mean.
fn unknown_key(message: &str) -> Option<(String, Text)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (bad, expected) = rest.split_once('`')?;
    let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let tip = match crate::base::names::did_you_mean(bad, options.iter().copied()) {
        Some(good) => msg(Key::ErrTipDidYouMeanKeys).arg("good", good),
        None => msg(Key::ErrTipRemoveUnknown).arg("bad", bad),
    };
    Some((bad.to_string(), tip.arg("list", options.join(", "))))
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
        let found = unknown_key("unknown field `rulle`, expected one of `label`, `population`, `rule`")
            .map(|(bad, tip)| (bad, tip.english()));
        assert_eq!(
            found,
            Some((
                "rulle".to_string(),
                "did you mean `rule`? (allowed keys here: label, population, rule)".to_string()
            ))
        );
    }
}
