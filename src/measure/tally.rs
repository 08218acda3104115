//! The one pass after the profile (contract §3): the subject grouped by its strata values and by every
//! segment's population and rule truth and every segment field's absence ([`sql::fused`]), then every
//! segment, segmentation, strata, heatmap and co-missingness count summed here from the groups' rows.
//! A sum of the rows of the groups where a condition holds is exactly the conditional count, and the
//! groups are few next to the rows, so a segment adds a truth value to the key rather than counts to
//! the scan.

use datafusion::common::HashMap;

use crate::base::error::Result;
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql::{self, FusedSql, SegmentSql, SegmentationSql, SqlStatement};
use crate::engine::udf::unpack_truth;
use crate::engine::Engine;
use crate::measure::profile::FieldProfile;
use crate::spec::Spec;

/// Above this many combinations of strata values (from the profile's distinct counts, plus the missing
/// group), the pass groups by each attribute apart (one grouping set each) rather than by all of them
/// together: the groups then add up instead of multiplying. Both give the same counts.
pub const TOGETHER_MAX_COMBINATIONS: u64 = 1_000;

/// One segment's counts over the whole subject.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentCounts {
    pub population: u64,
    pub population_undetermined: u64,
    pub members: u64,
    pub non_members: u64,
    pub undetermined: u64,
    /// Per field of the segment (its plan's order).
    pub usable: Vec<u64>,
    pub undetermined_rows: Vec<u64>,
    pub decided_on_missing: Vec<u64>,
    /// Per variant of the segment (contract §12).
    pub variants: Vec<VariantCounts>,
}

/// One variant's counts over the segment's population: the numbers the segment would have with the
/// variant as its rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VariantCounts {
    pub members: u64,
    pub non_members: u64,
    pub undetermined: u64,
    /// Per field the variant reads (its plan's order).
    pub usable: Vec<u64>,
    pub undetermined_rows: Vec<u64>,
    /// Population rows its rule classifies while a field whose absence it tests is not usable,
    /// each row once (contract §12).
    pub decided_on_missing: u64,
}

/// A segmentation's coverage with one segment's rule replaced by one of its variants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageCounts {
    /// Indexes of the segment and of its variant.
    pub segment: usize,
    pub variant: usize,
    pub exactly_one: u64,
    pub none: u64,
    pub several: u64,
    pub undetermined: u64,
}

/// One segmentation's counts; `overlaps` in the order of its pairs of segments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentationCounts {
    pub population: u64,
    pub exactly_one: u64,
    pub none: u64,
    pub several: u64,
    pub undetermined: u64,
    pub overlaps: Vec<u64>,
    /// Per variant of a member segment, in segment then variant order.
    pub variants: Vec<CoverageCounts>,
}

/// One group of a strata attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StratumCounts {
    pub rows: u64,
    /// Usable rows of every subject column.
    pub field_usable: Vec<u64>,
    /// Per segment: its population rows, and the usable rows of each of its fields among them.
    pub population: Vec<u64>,
    pub usable: Vec<Vec<u64>>,
}

/// One combination of unusable segment fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatternCounts {
    pub rows: u64,
    /// Per segment: the rows of its population.
    pub population: Vec<u64>,
}

/// Everything the fused pass counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub segments: Vec<SegmentCounts>,
    pub segmentations: Vec<SegmentationCounts>,
    /// Per strata attribute, its groups by value (`None`: the rows missing it).
    pub strata: Vec<HashMap<Option<String>, StratumCounts>>,
    /// The segment fields, in the order of `patterns`' flags.
    pub fields: Vec<String>,
    /// Per combination of unusable segment fields (one flag per field of `fields`).
    pub patterns: HashMap<Vec<bool>, PatternCounts>,
}

/// What the rollup needs to know of the spec: per segment, its fields' indexes into the segment
/// fields and which of them its predicates test for absence; per segmentation, its segments.
struct Shape {
    segments: Vec<(Vec<usize>, Vec<bool>)>,
    segmentations: Vec<Vec<usize>>,
    strata: usize,
    columns: usize,
    /// Every variant, segment by segment: its segment, its fields' indexes into the segment fields
    /// followed by the variant-only fields, and which of them it tests for absence.
    variants: Vec<VariantShape>,
    /// The variant-only fields.
    variant_fields: usize,
}

struct VariantShape {
    segment: usize,
    /// Its index among the segment's variants.
    index: usize,
    fields: Vec<usize>,
    absence: Vec<bool>,
}

pub fn segment_sql(engine: &Engine) -> Vec<SegmentSql<'_>> {
    engine
        .segments
        .iter()
        .map(|s| SegmentSql {
            population: s.population.as_deref(),
            rule: &s.rule,
            fields: s.fields.iter().map(String::as_str).collect(),
        })
        .collect()
}

pub fn segmentation_sql(spec: &Spec) -> Vec<SegmentationSql> {
    spec.segmentations
        .iter()
        .map(|g| SegmentationSql {
            segments: g
                .segments
                .iter()
                .filter_map(|id| spec.segments.iter().position(|s| &s.id == id))
                .collect(),
        })
        .collect()
}

/// Every field some segment reads, once, in the order the segments name them.
pub fn segment_fields(engine: &Engine) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for plan in &engine.segments {
        for f in &plan.fields {
            if !fields.contains(f) {
                fields.push(f.clone());
            }
        }
    }
    fields
}

/// Every variant's rule, segment by segment, in the order their truth values are packed.
pub fn variant_rules(engine: &Engine) -> Vec<&str> {
    engine
        .segments
        .iter()
        .flat_map(|p| p.variants.iter().map(|v| v.rule.as_str()))
        .collect()
}

/// The fields variants read that no segment's own predicates read, once, in the order named.
pub fn variant_fields(engine: &Engine) -> Vec<String> {
    let fields = segment_fields(engine);
    let mut out: Vec<String> = Vec::new();
    for v in engine.segments.iter().flat_map(|p| &p.variants) {
        for f in &v.fields {
            if !fields.contains(f) && !out.contains(f) {
                out.push(f.clone());
            }
        }
    }
    out
}

/// The fused statement, `None` when there is neither a segment nor a strata attribute to count.
/// `apart` groups by each strata attribute on its own (see [`TOGETHER_MAX_COMBINATIONS`]).
pub fn statement(engine: &Engine, spec: &Spec, apart: bool) -> Option<SqlStatement> {
    let strata: Vec<&str> = spec.subject.strata.iter().map(|s| s.value.as_str()).collect();
    if strata.is_empty() && engine.segments.is_empty() {
        return None;
    }
    let segs = segment_sql(engine);
    let fields = segment_fields(engine);
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    let columns: Vec<&str> = engine.columns.iter().map(String::as_str).collect();
    let variants = variant_rules(engine);
    let variant_fields = variant_fields(engine);
    let variant_fields: Vec<&str> = variant_fields.iter().map(String::as_str).collect();
    Some(SqlStatement {
        purpose: "segments, segmentations, strata and co-missingness".into(),
        sql: sql::fused(&FusedSql {
            subject: &spec.subject.table.value,
            columns: &columns,
            segments: &segs,
            fields: &fields,
            strata: &strata,
            variants: &variants,
            variant_fields: &variant_fields,
            apart: apart && strata.len() > 1,
        }),
    })
}

/// Whether the strata attributes have too many combinations of values to group by all of them.
pub fn apart(spec: &Spec, profiles: &[FieldProfile]) -> bool {
    let mut combinations: u64 = 1;
    for attribute in &spec.subject.strata {
        let distinct = profiles
            .iter()
            .find(|f| f.name == attribute.value)
            .and_then(|f| f.distinct)
            .unwrap_or(u64::MAX);
        combinations = combinations.saturating_mul(distinct.saturating_add(1));
    }
    combinations > TOGETHER_MAX_COMBINATIONS
}

/// Runs the fused pass and sums its groups.
pub async fn measure(engine: &Engine, spec: &Spec, apart: bool) -> Result<(Tally, Option<SqlStatement>)> {
    let Some(statement) = self::statement(engine, spec, apart) else {
        return Ok((Tally::default(), None));
    };
    let batches = engine.query("measuring segments and strata", &statement.sql).await?;
    let fields = segment_fields(engine);
    let all_fields: Vec<String> = fields.iter().cloned().chain(variant_fields(engine)).collect();
    let variants = engine
        .segments
        .iter()
        .enumerate()
        .flat_map(|(j, plan)| plan.variants.iter().enumerate().map(move |(index, v)| (j, index, v)))
        .map(|(segment, index, v)| VariantShape {
            segment,
            index,
            fields: v
                .fields
                .iter()
                .map(|f| all_fields.iter().position(|x| x == f).unwrap_or(0))
                .collect(),
            absence: v
                .fields
                .iter()
                .map(|f| v.absence.iter().any(|t| &t.field == f))
                .collect(),
        })
        .collect();
    let shape = Shape {
        segments: engine
            .segments
            .iter()
            .map(|plan| {
                let indexes = plan
                    .fields
                    .iter()
                    .map(|f| fields.iter().position(|x| x == f).unwrap_or(0))
                    .collect();
                let absence = plan
                    .fields
                    .iter()
                    .map(|f| plan.absence.iter().any(|t| &t.field == f))
                    .collect();
                (indexes, absence)
            })
            .collect(),
        segmentations: segmentation_sql(spec).into_iter().map(|g| g.segments).collect(),
        strata: spec.subject.strata.len(),
        columns: engine.columns.len(),
        variants,
        variant_fields: all_fields.len() - fields.len(),
    };
    let mut tally = Tally::new(&shape, fields);
    let truths = 2 * shape.segments.len() + tally.fields.len() + shape.variants.len() + shape.variant_fields;
    let keys = truths.div_ceil(crate::engine::udf::TRUTHS_PER_KEY);
    for named in batch::named(&batches) {
        let groups = Groups::read(&named, &shape, keys)?;
        for g in 0..named.num_rows() {
            tally.add(&shape, &groups, g);
        }
    }
    Ok((tally, Some(statement)))
}

/// One result batch of the fused pass, read column by column.
struct Groups {
    by: Option<Vec<Option<i64>>>,
    values: Vec<Vec<Option<String>>>,
    keys: Vec<Vec<Option<i64>>>,
    rows: Vec<u64>,
    field_usable: Vec<Vec<u64>>,
}

impl Groups {
    fn read(named: &batch::Named, shape: &Shape, keys: usize) -> Result<Groups> {
        let apart = named.has(&Col::By);
        Ok(Groups {
            by: if apart {
                Some(batch::integers(named, &Col::By)?)
            } else {
                None
            },
            values: (0..shape.strata)
                .map(|a| batch::texts(named, &Col::Stratum(a)))
                .collect::<Result<_>>()?,
            keys: (0..keys)
                .map(|i| batch::integers(named, &Col::Truths(i)))
                .collect::<Result<_>>()?,
            rows: batch::counts(named, &Col::Rows)?,
            field_usable: if shape.strata == 0 {
                Vec::new()
            } else {
                (0..shape.columns)
                    .map(|k| batch::counts(named, &Col::FieldUsable(k)))
                    .collect::<Result<_>>()?
            },
        })
    }
}

impl Tally {
    fn new(shape: &Shape, fields: Vec<String>) -> Tally {
        Tally {
            segments: shape
                .segments
                .iter()
                .enumerate()
                .map(|(j, (f, _))| SegmentCounts {
                    usable: vec![0; f.len()],
                    undetermined_rows: vec![0; f.len()],
                    decided_on_missing: vec![0; f.len()],
                    variants: shape
                        .variants
                        .iter()
                        .filter(|v| v.segment == j)
                        .map(|v| VariantCounts {
                            usable: vec![0; v.fields.len()],
                            undetermined_rows: vec![0; v.fields.len()],
                            ..VariantCounts::default()
                        })
                        .collect(),
                    ..SegmentCounts::default()
                })
                .collect(),
            segmentations: shape
                .segmentations
                .iter()
                .map(|s| SegmentationCounts {
                    overlaps: vec![0; s.len() * s.len().saturating_sub(1) / 2],
                    variants: s
                        .iter()
                        .flat_map(|&j| shape.variants.iter().filter(move |v| v.segment == j))
                        .map(|v| CoverageCounts {
                            segment: v.segment,
                            variant: v.index,
                            ..CoverageCounts::default()
                        })
                        .collect(),
                    ..SegmentationCounts::default()
                })
                .collect(),
            strata: vec![HashMap::default(); shape.strata],
            fields,
            patterns: HashMap::default(),
        }
    }

    /// Adds group `g`: to the totals and patterns when it belongs to the first grouping set (every
    /// set covers every row once), and to the strata of its set's attributes.
    fn add(&mut self, shape: &Shape, groups: &Groups, g: usize) {
        let rows = groups.rows[g];
        if rows == 0 {
            return;
        }
        let keys: Vec<i64> = groups.keys.iter().map(|k| k[g].unwrap_or(0)).collect();
        let segments = shape.segments.len();
        // Population TRUE, and the rule's value, per segment; absence per segment field.
        let population: Vec<bool> = (0..segments)
            .map(|j| unpack_truth(&keys, 2 * j) == Some(true))
            .collect();
        let rule: Vec<Option<bool>> = (0..segments).map(|j| unpack_truth(&keys, 2 * j + 1)).collect();
        // Truth values: segments', then fields', then variants', then the variant-only fields'.
        let (fields, variants) = (self.fields.len(), shape.variants.len());
        let missing: Vec<bool> = (0..fields + shape.variant_fields)
            .map(|i| {
                let at = if i < fields {
                    2 * segments + i
                } else {
                    2 * segments + variants + i
                };
                unpack_truth(&keys, at) == Some(true)
            })
            .collect();
        let variant_rule: Vec<Option<bool>> = (0..variants)
            .map(|v| unpack_truth(&keys, 2 * segments + fields + v))
            .collect();
        let set = groups.by.as_ref().map(|by| by[g].unwrap_or(-1));
        if set.is_none_or(|s| s == 0) {
            self.add_totals(shape, rows, &population, &rule, &missing, &keys);
            self.add_variants(shape, rows, &population, &rule, &variant_rule, &missing);
        }
        for a in 0..shape.strata {
            if set.is_some_and(|s| s != a as i64) {
                continue;
            }
            let value = groups.values[a][g].clone();
            let counts = self.strata[a].entry(value).or_insert_with(|| StratumCounts {
                field_usable: vec![0; shape.columns],
                population: vec![0; segments],
                usable: shape.segments.iter().map(|(f, _)| vec![0; f.len()]).collect(),
                ..StratumCounts::default()
            });
            counts.rows += rows;
            for (sum, column) in counts.field_usable.iter_mut().zip(&groups.field_usable) {
                *sum += column[g];
            }
            for (j, (fields, _)) in shape.segments.iter().enumerate().filter(|(j, _)| population[*j]) {
                counts.population[j] += rows;
                for (k, &f) in fields.iter().enumerate() {
                    if !missing[f] {
                        counts.usable[j][k] += rows;
                    }
                }
            }
        }
    }

    fn add_totals(
        &mut self,
        shape: &Shape,
        rows: u64,
        population: &[bool],
        rule: &[Option<bool>],
        missing: &[bool],
        keys: &[i64],
    ) {
        // Co-missingness is over the segments' own fields, not the variant-only ones.
        let pattern = self
            .patterns
            .entry(missing[..self.fields.len()].to_vec())
            .or_insert_with(|| PatternCounts {
                population: vec![0; population.len()],
                ..PatternCounts::default()
            });
        pattern.rows += rows;
        for (j, (counts, (fields, absence))) in self.segments.iter_mut().zip(&shape.segments).enumerate() {
            if unpack_truth(keys, 2 * j).is_none() {
                counts.population_undetermined += rows;
            }
            if !population[j] {
                continue;
            }
            pattern.population[j] += rows;
            counts.population += rows;
            match rule[j] {
                Some(true) => counts.members += rows,
                Some(false) => counts.non_members += rows,
                None => counts.undetermined += rows,
            }
            for (k, &f) in fields.iter().enumerate() {
                if !missing[f] {
                    counts.usable[k] += rows;
                } else if rule[j].is_none() {
                    counts.undetermined_rows[k] += rows;
                } else if absence[k] {
                    // Classified (rule TRUE or FALSE) although the field is not usable.
                    counts.decided_on_missing[k] += rows;
                }
            }
        }
        for (counts, members) in self.segmentations.iter_mut().zip(&shape.segmentations) {
            if !members.iter().any(|&j| population[j]) {
                continue;
            }
            counts.population += rows;
            let member = |j: usize| population[j] && rule[j] == Some(true);
            let (exactly_one, none, several, undetermined) = coverage(members, population, |j| rule[j]);
            for (sum, add) in [
                (&mut counts.exactly_one, exactly_one),
                (&mut counts.none, none),
                (&mut counts.several, several),
                (&mut counts.undetermined, undetermined),
            ] {
                *sum += rows * u64::from(add);
            }
            let pairs = members
                .iter()
                .enumerate()
                .flat_map(|(x, &a)| members[x + 1..].iter().map(move |&b| (a, b)));
            for (overlap, (a, b)) in counts.overlaps.iter_mut().zip(pairs) {
                if member(a) && member(b) {
                    *overlap += rows;
                }
            }
        }
    }
}

/// Which of exactly one / none / several / undetermined a row is in a segmentation (contract §3),
/// given each member segment's rule value for it.
fn coverage(members: &[usize], population: &[bool], rule: impl Fn(usize) -> Option<bool>) -> (bool, bool, bool, bool) {
    let trues = members
        .iter()
        .filter(|&&j| population[j] && rule(j) == Some(true))
        .count();
    let nulls = members.iter().filter(|&&j| population[j] && rule(j).is_none()).count();
    match (trues, nulls) {
        (1, _) => (true, false, false, false),
        (0, 0) => (false, true, false, false),
        (0, _) => (false, false, false, true),
        _ => (false, false, true, false),
    }
}

impl Tally {
    /// Adds a group's rows to every variant's counts, and to every segmentation's coverage with one
    /// segment's rule replaced by one of its variants: the same sums as for the rule in use.
    fn add_variants(
        &mut self,
        shape: &Shape,
        rows: u64,
        population: &[bool],
        rule: &[Option<bool>],
        variant_rule: &[Option<bool>],
        missing: &[bool],
    ) {
        for (vs, truth) in shape.variants.iter().zip(variant_rule) {
            if !population[vs.segment] {
                continue;
            }
            let counts = &mut self.segments[vs.segment].variants[vs.index];
            match truth {
                Some(true) => counts.members += rows,
                Some(false) => counts.non_members += rows,
                None => counts.undetermined += rows,
            }
            let mut decided_on_missing = false;
            for (k, &f) in vs.fields.iter().enumerate() {
                if !missing[f] {
                    counts.usable[k] += rows;
                } else if truth.is_none() {
                    counts.undetermined_rows[k] += rows;
                } else if vs.absence[k] {
                    decided_on_missing = true;
                }
            }
            if decided_on_missing {
                counts.decided_on_missing += rows;
            }
        }
        for (counts, members) in self.segmentations.iter_mut().zip(&shape.segmentations) {
            if !members.iter().any(|&j| population[j]) {
                continue;
            }
            for c in &mut counts.variants {
                let v = shape
                    .variants
                    .iter()
                    .position(|x| x.segment == c.segment && x.index == c.variant)
                    .unwrap_or(0);
                let replaced = |j: usize| if j == c.segment { variant_rule[v] } else { rule[j] };
                let (exactly_one, none, several, undetermined) = coverage(members, population, replaced);
                c.exactly_one += rows * u64::from(exactly_one);
                c.none += rows * u64::from(none);
                c.several += rows * u64::from(several);
                c.undetermined += rows * u64::from(undetermined);
            }
        }
    }
}
