//! Segments and segmentations (contract §3): their reports, from the counts of the fused pass
//! ([`crate::measure::tally`]).

use serde::Serialize;

use crate::base::risk::{share, wilson_95, Level};
use crate::engine::Engine;
use crate::measure::tally::Tally;
/// Where every pass and `assign` get the segments' SQL (defined with the fused pass, which needs them).
pub use crate::measure::tally::{segment_sql, segmentation_sql};
use crate::spec::Spec;

#[derive(Debug, Clone, Serialize)]
pub struct SegmentField {
    pub name: String,
    pub usable: u64,
    pub usability: Option<f64>,
    pub usability_interval: Option<[f64; 2]>,
    pub undetermined_rows: u64,
    /// Population rows where the field is not usable and the rule is TRUE or FALSE, when the
    /// population or rule tests the field's absence (contract §9); 0 otherwise.
    pub decided_on_missing: u64,
    /// How the segment tests the field's absence, for the finding's sentence.
    #[serde(skip)]
    pub absence: Option<crate::engine::absence::AbsenceTest>,
    /// Usability of the field among the rows outside the population, to compare with `usability`.
    pub usability_outside: Option<f64>,
    pub risk: Level,
}

#[derive(Debug, Clone, Serialize)]
pub struct StratumGroup {
    pub value: Option<String>,
    pub rows: u64,
    pub usable: u64,
    pub usability: Option<f64>,
    /// The groups smaller than `[report] min_count`, pooled so no small cell is named (value null).
    pub pooled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Strata {
    pub by: String,
    pub field: String,
    pub spread: Option<f64>,
    pub risk: Level,
    /// Association between the field being unusable and the attribute, inside the population.
    pub cramers_v: Option<f64>,
    pub p_value: Option<f64>,
    pub groups: Vec<StratumGroup>,
    /// The eligible groups (at least 30 rows) with the lowest and the highest usability, taken before
    /// small groups are pooled, so the finding names the two groups the spread was measured between.
    #[serde(skip)]
    pub low: Option<StratumExtreme>,
    #[serde(skip)]
    pub high: Option<StratumExtreme>,
}

/// One end of a strata spread.
#[derive(Debug, Clone)]
pub struct StratumExtreme {
    /// The attribute's value; `None` for the group of rows missing it.
    pub value: Option<String>,
    pub usability: Option<f64>,
    /// The group is under `[report] min_count` rows: pooled in the report, so never named.
    pub pooled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentReport {
    pub id: String,
    pub label: Option<String>,
    pub population_sql: Option<String>,
    pub rule_sql: String,
    pub population: u64,
    pub population_undetermined: u64,
    pub members: u64,
    pub non_members: u64,
    pub undetermined: u64,
    pub size_min: u64,
    pub size_max: u64,
    pub undetermined_share: Option<f64>,
    pub undetermined_interval: Option<[f64; 2]>,
    pub small_population: bool,
    pub risk: Level,
    pub fields: Vec<SegmentField>,
    pub strata: Vec<Strata>,
    /// Other rules for the same population, measured in the same pass (contract §12).
    pub variants: Vec<crate::measure::variants::VariantReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentationReport {
    pub id: String,
    pub label: Option<String>,
    pub segments: Vec<String>,
    pub exclusive: bool,
    pub exhaustive: bool,
    pub population: u64,
    pub exactly_one: u64,
    pub none: u64,
    pub several: u64,
    pub undetermined: u64,
    pub risk: Level,
    pub overlaps: Vec<Overlap>,
    /// The coverage with one member's rule replaced by one of its variants (contract §12).
    pub variants: Vec<crate::measure::variants::SegmentationVariant>,
}

/// Groups smaller than this do not count in a strata spread (contract §3).
pub const MIN_STRATUM_ROWS: u64 = 30;

pub struct SegmentOutput {
    pub segments: Vec<SegmentReport>,
    pub segmentations: Vec<SegmentationReport>,
}

/// The segment and segmentation reports from the fused pass's counts.
pub fn measure(engine: &Engine, spec: &Spec, tally: &Tally) -> SegmentOutput {
    let strata: Vec<&str> = spec.subject.strata.iter().map(|s| s.value.as_str()).collect();
    let risk = &spec.risk;
    let variants = crate::measure::variants::reports(engine, spec, tally);
    let segments: Vec<SegmentReport> = spec
        .segments
        .iter()
        .zip(&tally.segments)
        .enumerate()
        .map(|(j, (segment, counts))| {
            let plan = &engine.segments[j];
            let population = counts.population;
            let members = counts.members;
            let undetermined = counts.undetermined;
            let fields: Vec<SegmentField> = plan
                .fields
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let usable = counts.usable[k];
                    let usability = share(usable, population);
                    let absence = plan.absence.iter().find(|t| &t.field == name).cloned();
                    SegmentField {
                        usability_outside: None,
                        name: name.clone(),
                        usable,
                        usability,
                        usability_interval: wilson_95(usable, population),
                        undetermined_rows: counts.undetermined_rows[k],
                        // Counted only for a field whose absence the segment tests.
                        decided_on_missing: counts.decided_on_missing[k],
                        absence,
                        risk: risk.usability.level_when_low(usability),
                    }
                })
                .collect();
            let strata_reports = strata_for_segment(tally, &strata, j, &plan.fields, spec);
            let undetermined_share = share(undetermined, population);
            // Rows decided on a missing value weigh like undetermined ones (contract §9).
            let own = fields
                .iter()
                .map(|f| {
                    risk.undetermined
                        .level_when_high(share(f.decided_on_missing, population))
                })
                .fold(risk.undetermined.level_when_high(undetermined_share), Level::max);
            let worst = fields
                .iter()
                .map(|f| f.risk)
                .chain(strata_reports.iter().map(|s| s.risk))
                .fold(own, Level::max);
            SegmentReport {
                id: segment.id.clone(),
                label: segment.label.clone(),
                population_sql: plan.population.clone(),
                rule_sql: plan.rule.clone(),
                population,
                population_undetermined: counts.population_undetermined,
                members,
                non_members: counts.non_members,
                undetermined,
                size_min: members,
                size_max: members + undetermined,
                undetermined_share,
                undetermined_interval: wilson_95(undetermined, population),
                small_population: population < risk.min_population,
                risk: worst,
                fields,
                strata: strata_reports,
                variants: variants.get(j).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let risks: Vec<Level> = segments.iter().map(|s| s.risk).collect();
    let segmentations: Vec<SegmentationReport> = spec
        .segmentations
        .iter()
        .zip(&tally.segmentations)
        .enumerate()
        .map(|(g, (s, counts))| {
            let pairs = s
                .segments
                .iter()
                .enumerate()
                .flat_map(|(x, a)| s.segments[x + 1..].iter().map(move |b| (a, b)));
            let overlaps = pairs
                .zip(&counts.overlaps)
                .map(|((a, b), &rows)| Overlap {
                    a: a.clone(),
                    b: b.clone(),
                    rows,
                })
                .collect();
            let mut level = risk
                .undetermined
                .level_when_high(share(counts.undetermined, counts.population));
            if (s.exclusive && counts.several > 0) || (s.exhaustive && counts.none > 0) {
                level = level.max(Level::High);
            }
            let member_risk = s
                .segments
                .iter()
                .filter_map(|id| segments.iter().find(|x| &x.id == id))
                .map(|x| x.risk)
                .max()
                .unwrap_or(Level::Ok);
            SegmentationReport {
                id: s.id.clone(),
                label: s.label.clone(),
                segments: s.segments.clone(),
                exclusive: s.exclusive,
                exhaustive: s.exhaustive,
                population: counts.population,
                exactly_one: counts.exactly_one,
                none: counts.none,
                several: counts.several,
                undetermined: counts.undetermined,
                risk: level.max(member_risk),
                overlaps,
                variants: crate::measure::variants::coverage(spec, tally, g, &risks, &variants),
            }
        })
        .collect();
    SegmentOutput {
        segments,
        segmentations,
    }
}

/// Groups under `min_count` rows would single out a handful of customers: they are summed into one
/// unnamed group, so the counts still add up to the population.
fn pool_small_groups(groups: &mut Vec<StratumGroup>, min_count: u64) {
    let (small, _): (Vec<usize>, Vec<usize>) = (0..groups.len()).partition(|&i| groups[i].rows < min_count);
    if small.is_empty() {
        return;
    }
    let (rows, usable) = small
        .iter()
        .fold((0, 0), |(r, u), &i| (r + groups[i].rows, u + groups[i].usable));
    groups.retain(|g| g.rows >= min_count);
    groups.push(StratumGroup {
        value: None,
        rows,
        usable,
        usability: share(usable, rows),
        pooled: true,
    });
}

fn strata_for_segment(tally: &Tally, strata: &[&str], j: usize, fields: &[String], spec: &Spec) -> Vec<Strata> {
    let mut out = Vec::new();
    for (a, by) in strata.iter().enumerate() {
        for (k, field) in fields.iter().enumerate() {
            // Contract §3: a field is not measured across strata of itself (its usability is
            // trivially 0 in its own missing group).
            if field == by {
                continue;
            }
            let mut groups: Vec<StratumGroup> = tally.strata[a]
                .iter()
                .filter(|(_, counts)| counts.population[j] > 0)
                .map(|(value, counts)| {
                    let (rows, usable) = (counts.population[j], counts.usable[j][k]);
                    StratumGroup {
                        value: value.clone(),
                        rows,
                        usable,
                        usability: share(usable, rows),
                        pooled: false,
                    }
                })
                .collect();
            groups.sort_by(|x, y| y.rows.cmp(&x.rows).then_with(|| x.value.cmp(&y.value)));
            // Contract §3: the spread is over the attribute's own groups (the missing group included)
            // of at least 30 rows, measured BEFORE any privacy pooling, which would otherwise blur
            // or drop groups of 30 to `min_count` rows.
            let eligible: Vec<&StratumGroup> = groups
                .iter()
                .filter(|g| g.rows >= MIN_STRATUM_ROWS && g.usability.is_some())
                .collect();
            let by_usability = |a: &&&StratumGroup, b: &&&StratumGroup| {
                a.usability
                    .partial_cmp(&b.usability)
                    .unwrap_or(std::cmp::Ordering::Equal)
            };
            let extreme = |g: &StratumGroup| StratumExtreme {
                value: g.value.clone(),
                usability: g.usability,
                pooled: g.rows < spec.min_count,
            };
            let low = eligible.iter().min_by(by_usability).map(|g| extreme(g));
            let high = eligible.iter().max_by(by_usability).map(|g| extreme(g));
            let spread = match (&low, &high) {
                (Some(low), Some(high)) => high.usability.zip(low.usability).map(|(h, l)| h - l),
                _ => None,
            };
            pool_small_groups(&mut groups, spec.min_count);
            out.push(Strata {
                cramers_v: None,
                p_value: None,
                by: by.to_string(),
                field: field.clone(),
                spread,
                risk: spec.risk.strata_gap.level_when_high(spread),
                groups,
                low,
                high,
            });
        }
    }
    out
}
