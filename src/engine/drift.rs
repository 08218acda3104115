//! Drift against the previous run (contract §7): the bins a run keeps for the next one (deciles or
//! most frequent values), each run's counts in them, and the population stability index.
//!
//! Everything here is pure arithmetic on counts the profile pass already holds: no scan.

use serde::{Deserialize, Serialize};

/// Most frequent values kept as bins for a field that is not a number, date or timestamp.
pub const TOP_BINS: usize = 20;
/// Shares are floored here so that an empty bin does not make the logarithm infinite.
pub const SHARE_FLOOR: f64 = 0.0001;

/// The bins a run's usable values fall into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bins {
    /// Nine decile edges (numbers; dates in days and timestamps in microseconds since 1970-01-01):
    /// ten bins, upper edges inclusive, the first and last open.
    Deciles { edges: Vec<f64> },
    /// The most frequent usable values (at most 20, most frequent first, ties by value), then one
    /// bin for every other value.
    Values { values: Vec<String> },
}

impl Bins {
    /// How many bins: ten for deciles, the listed values plus one for the others.
    pub fn len(&self) -> usize {
        match self {
            Bins::Deciles { .. } => 10,
            Bins::Values { values } => values.len() + 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The decile bin of a number: the first edge at or above it, or the last (open) bin.
    pub fn decile_bin(edges: &[f64], x: f64) -> usize {
        edges.iter().position(|e| x <= *e).unwrap_or(edges.len())
    }
}

/// A run's bins and how many of its usable values fell in each (what the next run compares with).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub bins: Bins,
    pub counts: Vec<u64>,
}

/// A value seen fewer than `min_count` times is not named in a report (`[report] min_count`): it
/// leaves the listed bins and counts among the others. The most frequent values come first, so
/// the bins that stay are the most frequent values seen at least `min_count` times.
pub fn without_small_bins(d: Distribution, min_count: u64) -> Distribution {
    let Bins::Values { values } = d.bins else { return d };
    let (mut kept, mut counts, mut others) = (Vec::new(), Vec::new(), 0);
    let listed = values.len();
    for (i, (value, n)) in values.into_iter().zip(d.counts.iter().copied()).enumerate() {
        if n >= min_count && i < listed {
            kept.push(value);
            counts.push(n);
        } else {
            others += n;
        }
    }
    counts.push(others + d.counts.get(listed).copied().unwrap_or(0));
    Distribution {
        bins: Bins::Values { values: kept },
        counts,
    }
}

/// The exact deciles of sorted `(value, count)` pairs (ascending, distinct values): the k-th is the
/// smallest value with at least k/10 of the total at or below it (compared in integers, so exact).
pub fn deciles(sorted: &[(f64, u64)]) -> Option<Vec<f64>> {
    let total: u64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let mut edges = Vec::with_capacity(9);
    let mut cumulative: u128 = 0;
    let mut k: u128 = 1;
    for (x, n) in sorted {
        cumulative += u128::from(*n);
        while k <= 9 && cumulative * 10 >= k * u128::from(total) {
            edges.push(*x);
            k += 1;
        }
    }
    (edges.len() == 9).then_some(edges)
}

/// Counts of sorted `(value, count)` pairs in decile bins.
pub fn decile_counts(edges: &[f64], values: &[(f64, u64)]) -> Vec<u64> {
    let mut counts = vec![0; edges.len() + 1];
    for (x, n) in values {
        if let Some(c) = counts.get_mut(Bins::decile_bin(edges, *x)) {
            *c += n;
        }
    }
    counts
}

/// A numeric field's own distribution and, given the previous run's, its counts in those bins.
pub fn numeric(sorted: &[(f64, u64)], previous: Option<&Distribution>) -> (Option<Distribution>, Option<Vec<u64>>) {
    let own = deciles(sorted).map(|edges| Distribution {
        counts: decile_counts(&edges, sorted),
        bins: Bins::Deciles { edges },
    });
    let against = match previous.map(|p| &p.bins) {
        Some(Bins::Deciles { edges }) => Some(decile_counts(edges, sorted)),
        _ => None,
    };
    (own, against)
}

/// The population stability index between the previous run's counts (`expected`) and this run's
/// counts in the same bins (`actual`): Σ (a − e) · ln(a / e), shares floored at 0.0001. `None`
/// when the bins differ in number or either run has no usable value (no share to compare).
pub fn psi(expected: &[u64], actual: &[u64]) -> Option<f64> {
    if expected.len() != actual.len() || expected.is_empty() {
        return None;
    }
    let (e_total, a_total): (u64, u64) = (expected.iter().sum(), actual.iter().sum());
    if e_total == 0 || a_total == 0 {
        return None;
    }
    let share = |n: u64, total: u64| (n as f64 / total as f64).max(SHARE_FLOOR);
    Some(
        expected
            .iter()
            .zip(actual)
            .map(|(e, a)| {
                let (e, a) = (share(*e, e_total), share(*a, a_total));
                (a - e) * (a / e).ln()
            })
            .sum(),
    )
}

/// A segment's size as §7 compares it: the middle of its interval.
pub fn midpoint(size_min: u64, size_max: u64) -> f64 {
    (size_min as f64 + size_max as f64) / 2.0
}

/// The relative move of a segment's midpoint: |m − m_prev| / max(m_prev, 1).
pub fn size_shift(previous: (u64, u64), current: (u64, u64)) -> f64 {
    let (p, c) = (midpoint(previous.0, previous.1), midpoint(current.0, current.1));
    (c - p).abs() / p.max(1.0)
}

/// The subject's row count shift (contract §10): |rows − rows_prev| / max(rows_prev, 1).
pub fn row_count_shift(previous: u64, current: u64) -> f64 {
    (current as f64 - previous as f64).abs() / (previous as f64).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_follow_the_definition() {
        // 1..=10 once each: the k-th decile is k.
        let values: Vec<(f64, u64)> = (1..=10).map(|i| (f64::from(i), 1)).collect();
        assert_eq!(deciles(&values), Some((1..=9).map(f64::from).collect()));
        // 1 ×5, 2 ×1, 3 ×4 (N = 10): cumulative 5, 6, 10 → deciles 1–5 are 1, 6 is 2, 7–9 are 3.
        let values = [(1.0, 5), (2.0, 1), (3.0, 4)];
        assert_eq!(
            deciles(&values),
            Some(vec![1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0])
        );
        // N = 3: decile 1 needs 0.3 rows → the first value; decile 4 needs 1.2 → the second.
        let values = [(5.0, 1), (6.0, 1), (7.0, 1)];
        assert_eq!(
            deciles(&values),
            Some(vec![5.0, 5.0, 5.0, 6.0, 6.0, 6.0, 7.0, 7.0, 7.0])
        );
        assert_eq!(deciles(&[]), None);
        // Upper edges inclusive, outer bins open.
        let edges: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(
            decile_counts(&edges, &[(0.5, 1), (1.0, 2), (1.5, 3), (9.0, 4), (100.0, 5)]),
            {
                let mut c = vec![0; 10];
                c[0] = 3;
                c[1] = 3;
                c[8] = 4;
                c[9] = 5;
                c
            }
        );
    }

    #[test]
    fn rare_values_leave_the_bins_for_the_others() {
        let d = Distribution {
            bins: Bins::Values {
                values: vec!["A".into(), "B".into(), "C".into()],
            },
            counts: vec![9, 5, 2, 4],
        };
        let kept = without_small_bins(d, 5);
        assert_eq!(
            kept.bins,
            Bins::Values {
                values: vec!["A".into(), "B".into()]
            }
        );
        assert_eq!(kept.counts, vec![9, 5, 6]);
    }

    #[test]
    fn psi_by_hand() {
        // e = (0.5, 0.5), a = (0.25, 0.75):
        // (0.25 − 0.5) ln(0.5) + (0.75 − 0.5) ln(1.5) = 0.25 (ln 1.5 + ln 2) = 0.25 ln 3.
        let value = psi(&[50, 50], &[1, 3]).unwrap_or(f64::NAN);
        assert!((value - 0.25 * 3f64.ln()).abs() < 1e-12, "{value}");
        // An empty bin is floored at 0.0001: e = (1, 0) vs a = (0.5, 0.5):
        // (0.5 − 1) ln(0.5) + (0.5 − 0.0001) ln(0.5 / 0.0001).
        let value = psi(&[10, 0], &[1, 1]).unwrap_or(f64::NAN);
        let expected = -0.5 * 0.5f64.ln() + 0.4999 * 5000f64.ln();
        assert!((value - expected).abs() < 1e-12, "{value}");
        assert_eq!(psi(&[1, 1], &[1, 1]), Some(0.0));
        assert_eq!(psi(&[1, 1], &[0, 0]), None);
        assert_eq!(psi(&[1], &[1, 1]), None);
    }

    #[test]
    fn size_shift_uses_the_midpoint() {
        // m_prev = (100 + 140) / 2 = 120, m = (100 + 116) / 2 = 108: |108 − 120| / 120 = 0.1.
        assert!((size_shift((100, 140), (100, 116)) - 0.1).abs() < 1e-15);
        // An empty segment counts as 1 row.
        assert_eq!(size_shift((0, 0), (2, 4)), 3.0);
    }
}
