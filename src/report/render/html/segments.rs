//! The segment and segmentation sections of the HTML view model: one view per segment (size bar,
//! gaps, usability by stratum) and per segmentation (coverage bar, overlap matrix).

use serde::Serialize;

use super::cells::{cell, part, Cell};
use crate::base::i18n::{count, fill, percent, t as tr, Key};
use crate::report::render::{brief, svg};
use crate::report::{Report, SegmentField, SegmentReport, SegmentationReport};
use crate::spec::Lang;

/// Strata tables list the largest groups; the rest are counted, not drawn.
const STRATA_GROUPS_SHOWN: usize = 12;

#[derive(Serialize)]
pub struct Gap {
    pub field: String,
    pub usability: Cell,
    pub outside: String,
    pub undetermined_rows: String,
    /// Rows classified although the field is unknown (contract §9); "–" when its absence is not tested.
    pub decided_on_missing: String,
    pub sentence: String,
}

/// One group of a stratum table: its value, rows, usability and bar.
#[derive(Serialize, PartialEq)]
pub struct StratumRow {
    pub name: String,
    pub rows: String,
    pub share: String,
    pub bar: String,
}

#[derive(Serialize, PartialEq)]
pub struct StrataView {
    pub by: String,
    pub field: String,
    pub spread: String,
    pub risk: Cell,
    pub groups: Vec<StratumRow>,
    pub hidden_groups: usize,
    pub association: String,
}

#[derive(Serialize)]
pub struct SegmentView {
    pub id: String,
    pub name: String,
    pub population_sql: String,
    pub rule_sql: String,
    pub population: String,
    pub population_undetermined: String,
    pub members: String,
    pub non_members: String,
    pub undetermined: String,
    pub undetermined_share: String,
    pub size: String,
    pub risk: Cell,
    pub small: bool,
    pub bar: String,
    pub gaps: Vec<Gap>,
    pub strata: Vec<StrataView>,
    /// When an earlier segment has the same population and so the very same strata tables, the
    /// sentence naming it (its tables are not drawn again); empty otherwise.
    pub strata_as: String,
    /// Since the last audit, and the size interval over the kept runs (empty without a history).
    pub since: String,
    pub trend: String,
}

/// One row of a segmentation's overlap matrix: a segment and its shared rows with each other one.
#[derive(Serialize)]
pub struct OverlapRow {
    pub segment: String,
    pub rows: Vec<String>,
}

#[derive(Serialize)]
pub struct SegmentationView {
    pub id: String,
    pub name: String,
    pub population: String,
    pub exactly_one: String,
    pub none: String,
    pub several: String,
    pub undetermined: String,
    pub risk: Cell,
    pub flags: String,
    pub bar: String,
    pub overlap_names: Vec<String>,
    pub overlap_rows: Vec<OverlapRow>,
}

/// Every segment's view, the strata of a segment sharing an earlier one's population replaced by a
/// sentence naming it when they are the same tables.
pub fn segments(report: &Report) -> Vec<SegmentView> {
    let lang = report.lang;
    let mut views: Vec<SegmentView> = Vec::new();
    for s in &report.segments {
        let mut view = segment_view(lang, s);
        view.since = brief::since_segment(report, s).unwrap_or_default();
        view.trend = brief::segment_trend(report, s);
        let earlier =
            report.segments.iter().zip(&views).find(|(e, v)| {
                e.population_sql == s.population_sql && v.strata_as.is_empty() && v.strata == view.strata
            });
        if let Some((e, _)) = earlier.filter(|_| !view.strata.is_empty()) {
            let name = e.label.clone().unwrap_or_else(|| e.id.clone());
            view.strata_as = fill(lang, Key::StrataSameAs, &[("segment", &name)]);
            view.strata.clear();
        }
        views.push(view);
    }
    views
}

fn segment_view(lang: Lang, s: &SegmentReport) -> SegmentView {
    let l = |k| tr(lang, k);
    let parts = [
        part(lang, s.members, "members", Key::LegendMembers),
        part(lang, s.undetermined, "undetermined", Key::LegendUndetermined),
        part(lang, s.non_members, "non-members", Key::LegendNonMembers),
    ];
    let mut gaps: Vec<&SegmentField> = s.fields.iter().collect();
    gaps.sort_by(|a, b| b.undetermined_rows.cmp(&a.undetermined_rows).then(a.name.cmp(&b.name)));
    SegmentView {
        id: s.id.clone(),
        name: s.label.clone().unwrap_or_else(|| s.id.clone()),
        population_sql: s.population_sql.clone().unwrap_or_else(|| l(Key::Everyone).to_string()),
        rule_sql: s.rule_sql.clone(),
        population: count(lang, s.population),
        population_undetermined: count(lang, s.population_undetermined),
        members: count(lang, s.members),
        non_members: count(lang, s.non_members),
        undetermined: count(lang, s.undetermined),
        undetermined_share: percent(lang, s.undetermined_share),
        size: format!("{} – {}", count(lang, s.size_min), count(lang, s.size_max)),
        risk: cell(lang, None, s.risk),
        small: s.small_population,
        bar: svg::stacked_bar(&parts, &s.id),
        since: String::new(),
        trend: String::new(),
        strata_as: String::new(),
        gaps: gaps.into_iter().map(|f| gap(lang, s, f)).collect(),
        strata: s.strata.iter().map(|st| strata_view(lang, st)).collect(),
    }
}

fn gap(lang: Lang, s: &SegmentReport, f: &SegmentField) -> Gap {
    Gap {
        field: f.name.clone(),
        usability: cell(lang, f.usability, f.risk),
        outside: percent(lang, f.usability_outside),
        undetermined_rows: count(lang, f.undetermined_rows),
        decided_on_missing: if f.absence.is_some() {
            format!(
                "{} ({})",
                count(lang, f.decided_on_missing),
                percent(lang, crate::base::risk::share(f.decided_on_missing, s.population))
            )
        } else {
            "–".to_string()
        },
        sentence: format!(
            "{} {} {} / {} {}",
            f.name,
            tr(lang, Key::GapSentence),
            count(lang, f.undetermined_rows),
            count(lang, s.undetermined),
            tr(lang, Key::OfUndetermined)
        ),
    }
}

fn strata_view(lang: Lang, st: &crate::report::Strata) -> StrataView {
    StrataView {
        by: st.by.clone(),
        field: st.field.clone(),
        spread: percent(lang, st.spread),
        risk: cell(lang, st.spread, st.risk),
        hidden_groups: st.groups.len().saturating_sub(STRATA_GROUPS_SHOWN),
        association: association_sentence(lang, &st.field, &st.by, st.cramers_v, st.p_value),
        groups: st
            .groups
            .iter()
            .take(STRATA_GROUPS_SHOWN)
            .map(|g| {
                let name = match (&g.value, g.pooled) {
                    (_, true) => tr(lang, Key::SmallGroups).to_string(),
                    (Some(v), _) => v.clone(),
                    (None, _) => format!("({})", tr(lang, Key::Missing)),
                };
                let share = percent(lang, g.usability);
                let bar = svg::share_bar(g.usability, "usable", &format!("{name}: {share}"));
                StratumRow {
                    name,
                    rows: count(lang, g.rows),
                    share,
                    bar,
                }
            })
            .collect(),
    }
}

/// "Missing not at random" in plain words, from Cramér's V and the chi-square p-value.
fn association_sentence(lang: Lang, field: &str, by: &str, v: Option<f64>, p: Option<f64>) -> String {
    let (Some(v), Some(p)) = (v, p) else {
        return String::new();
    };
    let p_text = if p < 0.001 {
        "p < 0,001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    // Decimal comma in every language but English.
    let decimal = |text: String| {
        if lang == Lang::En {
            text.replace(',', ".")
        } else {
            text.replace('.', ",")
        }
    };
    let p_text = decimal(p_text);
    let v_text = decimal(format!("V = {v:.2}"));
    let strong = p < 0.01 && v >= 0.1;
    let key = if strong {
        Key::AssociationStrong
    } else {
        Key::AssociationNone
    };
    fill(
        lang,
        key,
        &[("field", field), ("by", by), ("v", &v_text), ("p", &p_text)],
    )
}

pub fn segmentations(report: &Report) -> Vec<SegmentationView> {
    report
        .segmentations
        .iter()
        .map(|g| segmentation_view(report.lang, g))
        .collect()
}

fn segmentation_view(lang: Lang, g: &SegmentationReport) -> SegmentationView {
    let parts = [
        part(lang, g.exactly_one, "members", Key::ExactlyOne),
        part(lang, g.several, "several", Key::Several),
        part(lang, g.undetermined, "undetermined", Key::Undetermined),
        part(lang, g.none, "none", Key::None),
    ];
    let overlap = |a: &str, b: &str| {
        g.overlaps
            .iter()
            .find(|o| (o.a == a && o.b == b) || (o.a == b && o.b == a))
            .map(|o| count(lang, o.rows))
    };
    let overlap_rows = g
        .segments
        .iter()
        .map(|a| OverlapRow {
            segment: a.clone(),
            rows: g
                .segments
                .iter()
                .map(|b| {
                    if a == b {
                        "—".to_string()
                    } else {
                        overlap(a, b).unwrap_or_default()
                    }
                })
                .collect(),
        })
        .collect();
    let flags = [(g.exclusive, "exclusive"), (g.exhaustive, "exhaustive")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ");
    SegmentationView {
        id: g.id.clone(),
        name: g.label.clone().unwrap_or_else(|| g.id.clone()),
        population: count(lang, g.population),
        exactly_one: count(lang, g.exactly_one),
        none: count(lang, g.none),
        several: count(lang, g.several),
        undetermined: count(lang, g.undetermined),
        risk: cell(lang, None, g.risk),
        flags,
        bar: svg::stacked_bar(&parts, &g.id),
        overlap_names: g.segments.clone(),
        overlap_rows,
    }
}
