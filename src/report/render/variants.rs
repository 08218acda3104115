//! The "variants" section's view model (contract §12), for the HTML page and the terminal: per
//! segment with variants, the rule in use and each variant side by side — size interval on one axis,
//! undetermined share, decided on missing values, the fields holding it back, risk — and its
//! segmentations' coverage with each variant in place.

use serde::Serialize;

use super::svg::{self, Interval};
use crate::base::i18n::{count, level, percent, t, Key};
use crate::base::risk::{share, Level};
use crate::report::{Report, SegmentReport};
use crate::spec::Lang;

/// A level as a page shows it: its CSS name and its word.
#[derive(Serialize)]
pub struct Risk {
    pub level: &'static str,
    pub word: &'static str,
}

fn risk(lang: Lang, l: Level) -> Risk {
    Risk {
        level: l.as_str(),
        word: level(lang, l),
    }
}

/// One line of a segment's comparison: the rule in use (first) or a variant.
#[derive(Serialize)]
pub struct RuleRow {
    pub name: String,
    pub in_use: bool,
    pub rule: String,
    pub members: String,
    pub undetermined: String,
    pub non_members: String,
    pub size: String,
    pub decided_on_missing: String,
    /// The fields leaving the most rows undetermined, with their rows ("–" when none).
    pub holding_back: String,
    pub risk: Risk,
}

/// A segmentation holding the segment: its name and its coverage with each variant in place.
#[derive(Serialize)]
pub struct Coverage {
    pub segmentation: String,
    pub rows: Vec<CoverageRow>,
}

/// One line of a segmentation's coverage: with the rules in use (first) or with one variant.
#[derive(Serialize)]
pub struct CoverageRow {
    pub name: String,
    pub in_use: bool,
    pub exactly_one: String,
    pub none: String,
    pub several: String,
    pub undetermined: String,
    pub risk: Risk,
}

#[derive(Serialize)]
pub struct SegmentVariants {
    pub id: String,
    pub name: String,
    pub chart: String,
    pub rows: Vec<RuleRow>,
    /// Per segmentation holding the segment: its name and its coverage rows.
    pub coverage: Vec<Coverage>,
}

/// At most this many fields are named as holding a rule back.
const HOLDERS: usize = 3;

fn holding_back(lang: Lang, fields: &[(&str, u64)]) -> String {
    let mut held: Vec<&(&str, u64)> = fields.iter().filter(|(_, n)| *n > 0).collect();
    held.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if held.is_empty() {
        return "–".to_string();
    }
    held.iter()
        .take(HOLDERS)
        .map(|(f, n)| format!("{f} ({})", count(lang, *n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn size(lang: Lang, min: u64, max: u64) -> String {
    format!("{} – {}", count(lang, min), count(lang, max))
}

fn with_share(lang: Lang, n: u64, population: u64) -> String {
    format!("{} ({})", count(lang, n), percent(lang, share(n, population)))
}

/// The section, one entry per segment that has variants (empty when none has).
pub fn views(report: &Report) -> Vec<SegmentVariants> {
    let lang = report.lang;
    report
        .segments
        .iter()
        .filter(|s| !s.variants.is_empty())
        .map(|s| segment(report, lang, s))
        .collect()
}

fn segment(report: &Report, lang: Lang, s: &SegmentReport) -> SegmentVariants {
    let in_use = t(lang, Key::VariantsRuleInUse);
    // The segment's own decided count is per field; a row decided on two missing fields is counted
    // in each, so the rule in use shows the largest (a lower bound of its rows), like the finding.
    let decided = s.fields.iter().map(|f| f.decided_on_missing).max().unwrap_or(0);
    let tested = s.fields.iter().any(|f| f.absence.is_some());
    let mut rows = vec![RuleRow {
        name: in_use.to_string(),
        in_use: true,
        rule: s.rule_sql.clone(),
        members: count(lang, s.members),
        undetermined: with_share(lang, s.undetermined, s.population),
        non_members: count(lang, s.non_members),
        size: size(lang, s.size_min, s.size_max),
        decided_on_missing: if tested {
            with_share(lang, decided, s.population)
        } else {
            "–".to_string()
        },
        holding_back: holding_back(
            lang,
            &s.fields
                .iter()
                .map(|f| (f.name.as_str(), f.undetermined_rows))
                .collect::<Vec<_>>(),
        ),
        risk: risk(lang, s.risk),
    }];
    for v in &s.variants {
        rows.push(RuleRow {
            name: v.id.clone(),
            in_use: false,
            rule: v.rule.clone(),
            members: count(lang, v.members),
            undetermined: with_share(lang, v.undetermined, s.population),
            non_members: count(lang, v.non_members),
            size: size(lang, v.size_min, v.size_max),
            decided_on_missing: with_share(lang, v.decided_on_missing, s.population),
            holding_back: holding_back(
                lang,
                &v.fields
                    .iter()
                    .map(|f| (f.name.as_str(), f.undetermined_rows))
                    .collect::<Vec<_>>(),
            ),
            risk: risk(lang, v.risk),
        });
    }
    let intervals: Vec<Interval> = std::iter::once((in_use, s.size_min, s.size_max, s.risk, true))
        .chain(
            s.variants
                .iter()
                .map(|v| (v.id.as_str(), v.size_min, v.size_max, v.risk, false)),
        )
        .map(|(label, min, max, l, strong)| Interval {
            label,
            min,
            max,
            text: if min == max {
                count(lang, min)
            } else {
                format!("{}–{}", count(lang, min), count(lang, max))
            },
            fill: super::brief::colour(l),
            strong,
        })
        .collect();
    // One axis per segment, from 0 to its population: every variant splits the same rows.
    let chart = svg::intervals(
        &intervals,
        s.population,
        &count(lang, s.population.max(1)),
        &format!("{} — {}", s.id, t(lang, Key::VariantsChart)),
    );
    let coverage = report
        .segmentations
        .iter()
        .filter(|g| g.segments.contains(&s.id))
        .map(|g| {
            let mut lines = vec![CoverageRow {
                name: in_use.to_string(),
                in_use: true,
                exactly_one: count(lang, g.exactly_one),
                none: count(lang, g.none),
                several: count(lang, g.several),
                undetermined: count(lang, g.undetermined),
                risk: risk(lang, g.risk),
            }];
            lines.extend(g.variants.iter().filter(|v| v.segment == s.id).map(|v| CoverageRow {
                name: v.variant.clone(),
                in_use: false,
                exactly_one: count(lang, v.exactly_one),
                none: count(lang, v.none),
                several: count(lang, v.several),
                undetermined: count(lang, v.undetermined),
                risk: risk(lang, v.risk),
            }));
            Coverage {
                segmentation: g.label.clone().unwrap_or_else(|| g.id.clone()),
                rows: lines,
            }
        })
        .collect();
    SegmentVariants {
        id: s.id.clone(),
        name: s.label.clone().unwrap_or_else(|| s.id.clone()),
        chart,
        rows,
        coverage,
    }
}
