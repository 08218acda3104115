//! Exact statistics of a typed column (extremes, mean, quartiles, deciles) from its sorted usable values.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;

use super::types::*;
use crate::engine::udf::judgement::as_number;
use crate::spec::fieldcheck::{FieldRule, FieldType, Typed};

/// One end of a typed column's range: its place on the number line and its text.
pub(super) type Extreme<'t> = Option<&'t (f64, String)>;

/// Exact min, max, mean, quartiles and deciles from the usable values (`typed`: the exact table's,
/// sorted; `numbers`: every usable value on the number line, sorted, with counts) and the overflow's
/// extremes.
pub(super) fn typed_stats(
    rule: &FieldRule,
    typed: &[(Typed, &str, u64)],
    numbers: &[(f64, u64)],
    overflow_extremes: Option<(Extreme, Extreme)>,
) -> DfResult<Stats> {
    let mut low = typed.first().map(|(v, t, _)| (as_number(v), *t));
    let mut high = typed.last().map(|(v, t, _)| (as_number(v), *t));
    if let Some((min, max)) = overflow_extremes {
        if let Some((x, text)) = min {
            if low.is_none_or(|(m, _)| *x < m) {
                low = Some((*x, text.as_str()));
            }
        }
        if let Some((x, text)) = max {
            if high.is_none_or(|(m, _)| *x > m) {
                high = Some((*x, text.as_str()));
            }
        }
    }
    let (Some(first), Some(last)) = (low, high) else {
        return Ok(Stats::default());
    };
    // Min and max go through the same typed array and cast the SQL `CAST(… AS VARCHAR)` used.
    let extremes = crate::engine::udf::typed_array(rule, [Some(first.1), Some(last.1)].into_iter(), 2);
    let extremes = cast(&extremes, &DataType::Utf8)?;
    let extremes = extremes.as_string::<i32>();
    let text = |i: usize| (!extremes.is_null(i)).then(|| extremes.value(i).to_string());
    let total: u64 = numbers.iter().map(|(_, n)| n).sum();
    let mut cumulative = Vec::with_capacity(numbers.len());
    let mut running = 0;
    for (_, n) in numbers {
        running += n;
        cumulative.push(running);
    }
    // The value at 0-based rank r among all usable rows (ranks repeat a value `n` times).
    let at_rank = |r: u64| {
        let i = cumulative.partition_point(|&c| c <= r);
        numbers.get(i).map_or(f64::NAN, |(x, _)| *x)
    };
    // Linear interpolation between the two closest ranks, as `percentile_cont` does.
    let quantile = |q: f64| {
        let position = q * (total - 1) as f64;
        let (low, high) = (position.floor(), position.ceil());
        let (a, b) = (at_rank(low as u64), at_rank(high as u64));
        a + (b - a) * (position - low)
    };
    let numeric = matches!(rule.field_type, FieldType::Integer | FieldType::Float);
    let mean = numbers.iter().map(|(x, n)| x * *n as f64).sum::<f64>() / total as f64;
    Ok(Stats {
        min: text(0),
        max: text(1),
        mean: numeric.then_some(mean),
        q1: numeric.then(|| quantile(0.25)),
        median: numeric.then(|| quantile(0.5)),
        q3: numeric.then(|| quantile(0.75)),
        histogram: DECILES.iter().map(|q| quantile(*q)).collect(),
    })
}
