//! `[[waiver]]` (contract §10): a finding the committee accepted, by code and optionally field or
//! segment, with a reason and an optional end date; validated here, applied by the judge.

use std::path::Path;

use chrono::NaiveDate;
use toml::Spanned;

use super::model::WaiverSpec;
use super::{loc_of, Loc};
use crate::base::error::{Error, Result};
use crate::base::names::did_you_mean;

/// The finding codes a waiver may name (contract §5 and the tool's own); `waiver.*` are not waivable.
pub const CODES: [&str; 30] = [
    "field_map.missing",
    "subject.duplicate_keys",
    "subject.missing_keys",
    "subject.too_few_rows",
    "subject.row_count_shift",
    "subject.duplicate_identities",
    "source.bad_rows",
    "source.unclosed_quote",
    "source.undecodable",
    "source.renamed_columns",
    "field.usability",
    "field.placeholder",
    "field.case_variants",
    "field.mojibake",
    "field.mixed_formats",
    "field.usability_drop",
    "field.distribution_shift",
    "segment.population_undetermined",
    "segment.undetermined",
    "segment.field_usability",
    "segment.strata_gap",
    "segment.small_population",
    "segment.decides_on_missing",
    "segment.size_shift",
    "segmentation.overlap",
    "segmentation.uncovered",
    "test.failed",
    "link.orphans",
    "history.corrupt_run",
    "history.subject_changed",
];

/// A validated waiver.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    pub code: String,
    pub field: Option<String>,
    pub segment: Option<String>,
    pub reason: String,
    /// Last day the waiver holds (inclusive).
    pub until: Option<NaiveDate>,
    /// Where the `[[waiver]]` stands, for messages.
    pub loc: Loc,
}

fn err(path: &Path, loc: Loc, index: usize, key: &str, message: impl std::fmt::Display) -> Error {
    Error::new(format!(
        "{}:{}:{}: `waiver[{index}].{key}`: {message}",
        path.display(),
        loc.line,
        loc.col
    ))
}

/// Validates every `[[waiver]]`: a known code, a non-empty reason, a `YYYY-MM-DD` date, a declared segment.
pub fn build(path: &Path, text: &str, raw: &[Spanned<WaiverSpec>], segments: &[&str]) -> Result<Vec<Waiver>> {
    raw.iter()
        .enumerate()
        .map(|(i, spanned)| {
            let w = spanned.get_ref();
            let at = |s: &Spanned<String>| loc_of(text, s.span().start);
            let table = loc_of(text, spanned.span().start);
            let code = w.code.get_ref().trim();
            if !CODES.contains(&code) {
                let tip = match did_you_mean(code, CODES.iter().copied()) {
                    Some(good) => format!("did you mean `{good}`? (the codes are listed in docs/report.md)"),
                    None => "name a finding code as the report shows it, e.g. code = \"field.usability\"".to_string(),
                };
                return Err(err(path, at(&w.code), i, "code", format!("unknown finding code {code:?}")).with_tip(tip));
            }
            let reason = match &w.reason {
                Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_string(),
                Some(r) => {
                    return Err(err(path, at(r), i, "reason", "the reason is empty").with_tip(
                        "say why the finding is accepted, e.g. reason = \"B2B customers have no birth date\"",
                    ))
                }
                None => {
                    return Err(err(path, table, i, "reason", "a waiver needs a `reason`")
                        .with_tip("add reason = \"…\": the report shows it beside the waived finding"))
                }
            };
            let until = match &w.until {
                None => None,
                Some(u) => Some(NaiveDate::parse_from_str(u.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                    err(path, at(u), i, "until", format!("{:?} is not a date", u.get_ref()))
                        .with_tip("write the last day the waiver holds as YYYY-MM-DD, e.g. until = \"2026-12-31\"")
                })?),
            };
            if let Some(s) = &w.segment {
                if !segments.contains(&s.get_ref().as_str()) {
                    let tip = match did_you_mean(s.get_ref(), segments.iter().copied()) {
                        Some(good) => format!("did you mean `{good}`?"),
                        None => format!("known segments: {}", segments.join(", ")),
                    };
                    return Err(err(
                        path,
                        at(s),
                        i,
                        "segment",
                        format!("no segment is named {:?}", s.get_ref()),
                    )
                    .with_tip(tip));
                }
            }
            Ok(Waiver {
                code: code.to_string(),
                field: w.field.as_ref().map(|f| f.get_ref().clone()),
                segment: w.segment.as_ref().map(|s| s.get_ref().clone()),
                reason,
                until,
                loc: table,
            })
        })
        .collect()
}
