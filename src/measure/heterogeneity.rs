//! Heterogeneity (issue: where the data differs): the subject-wide usability heatmap over strata,
//! the association between each segment field's gaps and each stratum, usability outside each
//! population, and the combinations of unusable fields that travel together.

use datafusion::common::HashMap;
use serde::Serialize;

use crate::base::risk::share;
use crate::engine::Engine;
use crate::measure::profile::FieldProfile;
use crate::measure::segments::SegmentReport;
use crate::measure::stats::association;
use crate::measure::tally::{PatternCounts, Tally};
use crate::spec::Spec;

/// Where the data differs across strata and which gaps travel together.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Heterogeneity {
    /// Per strata attribute: usability of every field in each of the largest groups (the rest pooled).
    pub heatmap: Vec<Heatmap>,
    pub co_missingness: Option<CoMissingness>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeatGroup {
    pub value: Option<String>,
    pub rows: u64,
    /// The pooled smaller groups.
    pub other: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeatField {
    pub name: String,
    pub usability: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Heatmap {
    pub by: String,
    pub groups: Vec<HeatGroup>,
    pub fields: Vec<HeatField>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Combination {
    /// The fields unusable together (and only them, among the segment fields).
    pub fields: Vec<String>,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentCombinations {
    pub segment: String,
    pub combinations: Vec<Combination>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoMissingness {
    pub fields: Vec<String>,
    pub overall: Vec<Combination>,
    pub segments: Vec<SegmentCombinations>,
}

/// Groups drawn in the heatmap per attribute; smaller groups are pooled as "other".
pub const HEATMAP_GROUPS: usize = 8;
/// Combinations listed overall and per segment.
pub const COMBINATIONS: usize = 10;

/// The heatmap, from the fused pass's strata groups.
/// Groups under `min_count` rows are pooled with the "other" groups, never named.
pub fn heatmap(tally: &Tally, strata: &[&str], columns: &[String], min_count: u64) -> Vec<Heatmap> {
    strata
        .iter()
        .zip(&tally.strata)
        .map(|(by, counts)| {
            let mut groups: Vec<(Option<String>, u64, Vec<u64>)> = counts
                .iter()
                .map(|(value, c)| (value.clone(), c.rows, c.field_usable.clone()))
                .collect();
            groups.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            let mut shown: Vec<(HeatGroup, Vec<u64>)> = Vec::new();
            let mut pooled: Option<(u64, Vec<u64>)> = None;
            for (i, (value, rows, usable)) in groups.into_iter().enumerate() {
                if i < HEATMAP_GROUPS && rows >= min_count {
                    shown.push((
                        HeatGroup {
                            value,
                            rows,
                            other: false,
                        },
                        usable,
                    ));
                } else {
                    let (total, sums) = pooled.get_or_insert_with(|| (0, vec![0; columns.len()]));
                    *total += rows;
                    sums.iter_mut().zip(&usable).for_each(|(s, u)| *s += u);
                }
            }
            if let Some((rows, usable)) = pooled {
                shown.push((
                    HeatGroup {
                        value: None,
                        rows,
                        other: true,
                    },
                    usable,
                ));
            }
            let fields = columns
                .iter()
                .enumerate()
                .map(|(k, name)| HeatField {
                    name: name.clone(),
                    usability: shown.iter().map(|(g, usable)| share(usable[k], g.rows)).collect(),
                })
                .collect();
            Heatmap {
                by: by.to_string(),
                groups: shown.into_iter().map(|(g, _)| g).collect(),
                fields,
            }
        })
        .collect()
}

/// Adds to each segment: usability outside the population, and the association of each field's
/// gaps with each stratum.
pub fn enrich_segments(segments: &mut [SegmentReport], fields: &[FieldProfile], rows: u64) {
    for segment in segments {
        let outside_rows = rows.saturating_sub(segment.population);
        for field in &mut segment.fields {
            let total = fields.iter().find(|f| f.name == field.name).map_or(0, |f| f.usable);
            field.usability_outside = share(total.saturating_sub(field.usable), outside_rows);
        }
        for strata in &mut segment.strata {
            let table: Vec<(u64, u64)> = strata.groups.iter().map(|g| (g.rows, g.usable)).collect();
            if let Some((v, p)) = association(&table) {
                strata.cramers_v = Some(v);
                strata.p_value = Some(p);
            }
        }
    }
}

/// Unusable-field combinations overall and per segment population, from the fused pass's patterns.
pub fn co_missingness(engine: &Engine, spec: &Spec, tally: &Tally) -> Option<CoMissingness> {
    let fields = &tally.fields;
    if fields.is_empty() {
        return None;
    }
    let patterns: Vec<(&Vec<bool>, &PatternCounts)> = tally.patterns.iter().collect();
    // Tallied by field indexes in a hash map: a wide spec has tens of thousands of patterns, and a
    // linear search per pattern made this quadratic (15 s of a 100k-row audit of 150 fields).
    let top = |among: &[bool], count: &dyn Fn(&PatternCounts) -> u64| -> Vec<Combination> {
        let mut tally: HashMap<Vec<usize>, u64> = HashMap::default();
        for (unusable, p) in &patterns {
            let n = count(p);
            let unusable: Vec<usize> = (0..fields.len())
                .filter(|&i| unusable.get(i) == Some(&true) && among.get(i) == Some(&true))
                .collect();
            if unusable.is_empty() || n == 0 {
                continue;
            }
            *tally.entry(unusable).or_default() += n;
        }
        let mut tally: Vec<(Vec<String>, u64)> = tally
            .into_iter()
            .map(|(indexes, n)| {
                let names = indexes.iter().filter_map(|&i| fields.get(i)).map(|f| f.to_string());
                (names.collect(), n)
            })
            .collect();
        tally.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        tally
            .into_iter()
            .take(COMBINATIONS)
            .map(|(fields, rows)| Combination { fields, rows })
            .collect()
    };
    let overall = top(&vec![true; fields.len()], &|p| p.rows);
    let segments = spec
        .segments
        .iter()
        .zip(&engine.segments)
        .enumerate()
        .map(|(j, (s, plan))| {
            let own: Vec<bool> = fields.iter().map(|f| plan.fields.iter().any(|o| o == f)).collect();
            SegmentCombinations {
                segment: s.id.clone(),
                combinations: top(&own, &|p| p.population[j]),
            }
        })
        .collect();
    Some(CoMissingness {
        fields: fields.clone(),
        overall,
        segments,
    })
}
