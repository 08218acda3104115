//! Segment variants (contract §12): each variant's numbers, and its segmentation's coverage with it in
//! place, from the counts of the one fused pass ([`crate::measure::tally`]), where a variant is one
//! more truth value in the group key. Variants raise no findings.

use serde::Serialize;

use crate::base::risk::{share, Level};
use crate::engine::Engine;
use crate::measure::tally::Tally;
use crate::spec::Spec;

/// One field a variant reads (the population's and its rule's), counted inside the population.
#[derive(Debug, Clone, Serialize)]
pub struct VariantField {
    pub name: String,
    pub usable: u64,
    pub usability: Option<f64>,
    /// Undetermined rows of the variant where the field is not usable: what holds it back.
    pub undetermined_rows: u64,
    pub risk: Level,
}

/// `segments[i].variants[]`: the numbers the segment would have with this rule (contract §12).
#[derive(Debug, Clone, Serialize)]
pub struct VariantReport {
    pub id: String,
    pub rule: String,
    pub members: u64,
    pub non_members: u64,
    pub undetermined: u64,
    pub size_min: u64,
    pub size_max: u64,
    pub decided_on_missing: u64,
    pub risk: Level,
    pub undetermined_share: Option<f64>,
    pub decided_share: Option<f64>,
    pub fields: Vec<VariantField>,
}

/// `segmentations[j].variants[]`: the coverage when one segment uses one of its variants.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentationVariant {
    pub segment: String,
    pub variant: String,
    pub exactly_one: u64,
    pub none: u64,
    pub several: u64,
    pub undetermined: u64,
    pub risk: Level,
}

/// Every segment's variants, from the fused pass's counts (segment by segment).
pub fn reports(engine: &Engine, spec: &Spec, tally: &Tally) -> Vec<Vec<VariantReport>> {
    let risk = &spec.risk;
    engine
        .segments
        .iter()
        .zip(&tally.segments)
        .map(|(plan, counts)| {
            let population = counts.population;
            plan.variants
                .iter()
                .zip(&counts.variants)
                .map(|(v, c)| {
                    let fields: Vec<VariantField> = v
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(k, name)| {
                            let usability = share(c.usable[k], population);
                            VariantField {
                                name: name.clone(),
                                usable: c.usable[k],
                                usability,
                                undetermined_rows: c.undetermined_rows[k],
                                risk: risk.usability.level_when_low(usability),
                            }
                        })
                        .collect();
                    let undetermined_share = share(c.undetermined, population);
                    let decided_share = share(c.decided_on_missing, population);
                    // The worst of its undetermined share, its decided share (both judged as
                    // undetermined rows are, contract §9) and its fields' usability in the population.
                    let level = fields
                        .iter()
                        .map(|f| f.risk)
                        .chain([
                            risk.undetermined.level_when_high(undetermined_share),
                            risk.undetermined.level_when_high(decided_share),
                        ])
                        .fold(Level::Ok, Level::max);
                    VariantReport {
                        id: v.id.clone(),
                        rule: v.rule.clone(),
                        members: c.members,
                        non_members: c.non_members,
                        undetermined: c.undetermined,
                        size_min: c.members,
                        size_max: c.members + c.undetermined,
                        decided_on_missing: c.decided_on_missing,
                        risk: level,
                        undetermined_share,
                        decided_share,
                        fields,
                    }
                })
                .collect()
        })
        .collect()
}

/// Segmentation `g`'s coverage with each variant of its members in place (contract §12), judged as
/// the segmentation itself is (contract §3), with that one member's risk the variant's. `risks` and
/// `variants` are per segment, in the spec's order.
pub fn coverage(
    spec: &Spec,
    tally: &Tally,
    g: usize,
    risks: &[Level],
    variants: &[Vec<VariantReport>],
) -> Vec<SegmentationVariant> {
    let (Some(segmentation), Some(counts)) = (spec.segmentations.get(g), tally.segmentations.get(g)) else {
        return Vec::new();
    };
    counts
        .variants
        .iter()
        .filter_map(|c| {
            let segment = spec.segments.get(c.segment)?;
            let variant = variants.get(c.segment)?.get(c.variant)?;
            let mut level = spec
                .risk
                .undetermined
                .level_when_high(share(c.undetermined, counts.population));
            if (segmentation.exclusive && c.several > 0) || (segmentation.exhaustive && c.none > 0) {
                level = level.max(Level::High);
            }
            let members = spec
                .segments
                .iter()
                .zip(risks)
                .enumerate()
                .filter(|(_, (s, _))| segmentation.segments.contains(&s.id))
                .map(|(j, (_, r))| if j == c.segment { variant.risk } else { *r });
            Some(SegmentationVariant {
                segment: segment.id.clone(),
                variant: variant.id.clone(),
                exactly_one: c.exactly_one,
                none: c.none,
                several: c.several,
                undetermined: c.undetermined,
                risk: members.fold(level, Level::max),
            })
        })
        .collect()
}
