//! Bounded summaries of a column too varied to count exactly (contract §4, `distinct_exact: false`):
//! a uniform sample of its distinct texts chosen by hash, with their exact counts (the distinct
//! estimate and the median count per value), and the most frequent texts (space-saving).

use std::hash::BuildHasher;

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

/// Distinct texts kept in the sample: the estimate's relative standard error is 1/√(k − 2), 0.39 %,
/// so the contract's 2 % bound is five standard errors away. 65,536 hashes and counts: about 2 MiB.
pub const SAMPLE_SIZE: usize = 65_536;

/// Texts followed by [`TopCounts`]; the report lists at most 100 of them.
pub const TOP_CAPACITY: usize = 1_024;

/// Any fixed seed: every partition must hash a text alike for their samples to merge.
const SEED: u64 = 0x5e6a_0d17;

/// The one hash of a text every partition agrees on.
pub fn text_hash(text: &str) -> u64 {
    foldhash::quality::FixedState::with_seed(SEED).hash_one(text.as_bytes())
}

/// The distinct texts with the `k` smallest hashes ("k minimum values") and how often each was seen.
/// Hashes are uniform, so these texts are a uniform sample of the distinct texts; a text is kept only
/// while its hash is under a threshold that never rises, so a kept text was counted from its first
/// sight: its count is exact. Merging keeps the union's `k` smallest under the lower threshold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistinctSample {
    counts: HashMap<u64, u64>,
    /// Hashes above it are not kept; `u64::MAX` until the sample first fills.
    threshold: Option<u64>,
}

impl DistinctSample {
    /// Counts a text of hash `hash` `n` more times, if it belongs to the sample.
    pub fn add(&mut self, hash: u64, n: u64) {
        if self.threshold.is_some_and(|t| hash > t) {
            return;
        }
        *self.counts.entry(hash).or_default() += n;
        if self.counts.len() >= 2 * SAMPLE_SIZE {
            self.shrink();
        }
    }

    /// Adds another partition's sample.
    pub fn merge(&mut self, hashes: impl Iterator<Item = (u64, u64)>, threshold: Option<u64>) {
        self.threshold = match (self.threshold, threshold) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let limit = self.threshold.unwrap_or(u64::MAX);
        self.counts.retain(|&h, _| h <= limit);
        for (hash, n) in hashes {
            self.add(hash, n);
        }
    }

    /// Keeps the `k` smallest hashes and lowers the threshold to the largest of them.
    fn shrink(&mut self) {
        if self.counts.len() <= SAMPLE_SIZE {
            return;
        }
        let mut hashes: Vec<u64> = self.counts.keys().copied().collect();
        let (_, &mut kth, _) = hashes.select_nth_unstable(SAMPLE_SIZE - 1);
        self.threshold = Some(kth);
        self.counts.retain(|&h, _| h <= kth);
    }

    /// The sample as parallel lists (hashes, counts) and its threshold, for a partial state.
    pub fn parts(&self) -> (Vec<u64>, Vec<u64>, Option<u64>) {
        let (hashes, counts) = self.counts.iter().map(|(h, n)| (*h, *n)).unzip();
        (hashes, counts, self.threshold)
    }

    /// The estimated number of distinct texts, and the counts of the sampled ones.
    pub fn finish(mut self) -> (u64, Vec<u64>) {
        self.shrink();
        let kept = self.counts.len();
        let estimate = match self.threshold {
            // The sample never filled: it holds every distinct text.
            None => kept as u64,
            // The k-th smallest of uniform hashes sits near k / (distinct + 1) of the range.
            Some(kth) => {
                let fraction = (kth as f64 + 1.0) / 2f64.powi(64);
                ((kept as f64 - 1.0) / fraction).round() as u64
            }
        };
        (estimate, self.counts.into_values().collect())
    }
}

/// The most frequent texts of a stream, space-saving style with lazy eviction: at most twice
/// `TOP_CAPACITY` entries, a text seen after the eviction of others starts from what they were
/// evicted with (`floor`), and its count minus that error is a lower bound of its true count. Entries
/// are found by hash; a text is kept from its second sighting (a text seen once in a column of
/// millions is never a leader, and most texts of such a column are seen once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopCounts {
    #[serde(with = "entry_list")]
    entries: HashMap<u64, TopEntry>,
    floor: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct TopEntry {
    count: u64,
    error: u64,
    text: Option<String>,
}

impl TopCounts {
    /// Counts `text` (of hash `hash`) `n` more times; `keep_text` stores its text at first sight.
    pub fn add(&mut self, hash: u64, text: &str, n: u64, keep_text: bool) {
        let floor = self.floor;
        let entry = self.entries.entry(hash).or_insert_with(|| TopEntry {
            count: floor,
            error: floor,
            text: None,
        });
        let seen_before = entry.count > entry.error;
        entry.count += n;
        if entry.text.is_none() && (keep_text || seen_before || n > 1) {
            entry.text = Some(text.to_string());
        }
        if self.entries.len() >= 2 * TOP_CAPACITY {
            self.evict();
        }
    }

    /// Adds another partition's leaders.
    pub fn merge(&mut self, other: TopCounts) {
        for (hash, theirs) in other.entries {
            let entry = self.entries.entry(hash).or_insert_with(|| TopEntry {
                count: 0,
                error: 0,
                text: None,
            });
            entry.count += theirs.count;
            entry.error += theirs.error;
            if entry.text.is_none() {
                entry.text = theirs.text;
            }
        }
        self.floor += other.floor;
        self.evict();
    }

    /// Keeps the `TOP_CAPACITY` largest counts; the largest evicted count becomes the floor.
    fn evict(&mut self) {
        if self.entries.len() <= TOP_CAPACITY {
            return;
        }
        let mut counts: Vec<u64> = self.entries.values().map(|e| e.count).collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let kept_min = counts.get(TOP_CAPACITY - 1).copied().unwrap_or(0);
        let evicted_max = counts.get(TOP_CAPACITY).copied().unwrap_or(0);
        let mut kept = 0;
        self.entries.retain(|_, e| {
            // Ties at the boundary: keep the first ones met, up to the capacity.
            let keep = e.count > kept_min || (e.count == kept_min && kept < TOP_CAPACITY);
            kept += usize::from(keep);
            keep
        });
        self.floor = self.floor.max(evicted_max);
    }

    /// Every text known with its guaranteed count (a lower bound), largest first.
    pub fn leaders(&self) -> Vec<(&str, u64)> {
        let mut leaders: Vec<(&str, u64)> = self
            .entries
            .values()
            .filter_map(|e| Some((e.text.as_deref()?, e.count - e.error)))
            .filter(|(_, n)| *n > 0)
            .collect();
        leaders.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        leaders
    }

    /// The guaranteed count of `text` (of hash `hash`) among the leaders (0 when not followed).
    pub fn count(&self, hash: u64, text: &str) -> u64 {
        self.entries
            .get(&hash)
            .filter(|e| e.text.as_deref() == Some(text))
            .map_or(0, |e| e.count - e.error)
    }
}

/// The leaders' map goes into a partial state as a list of (hash, entry) pairs.
mod entry_list {
    use super::{HashMap, TopEntry};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(entries: &HashMap<u64, TopEntry>, to: S) -> Result<S::Ok, S::Error> {
        entries.iter().collect::<Vec<_>>().serialize(to)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<HashMap<u64, TopEntry>, D::Error> {
        Ok(Vec::<(u64, TopEntry)>::deserialize(from)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_columns_are_counted_exactly() {
        let mut sample = DistinctSample::default();
        for i in 0..1_000u64 {
            sample.add(text_hash(&(i % 250).to_string()), 1);
        }
        let (distinct, counts) = sample.finish();
        assert_eq!(distinct, 250);
        assert!(counts.iter().all(|&n| n == 4));
    }

    #[test]
    fn the_distinct_estimate_is_within_two_percent_and_merges_across_partitions() {
        // Two partitions sharing a third of their texts: 1,000,000 distinct texts in all.
        let (mut a, mut b) = (DistinctSample::default(), DistinctSample::default());
        for i in 0..600_000u64 {
            a.add(text_hash(&format!("C{i:08}")), 1);
        }
        for i in 400_000..1_000_000u64 {
            b.add(text_hash(&format!("C{i:08}")), 2);
        }
        let (hashes, counts, threshold) = b.parts();
        a.merge(hashes.into_iter().zip(counts), threshold);
        let (distinct, counts) = a.finish();
        let error = (distinct as f64 - 1_000_000.0).abs() / 1_000_000.0;
        assert!(error < 0.02, "estimate {distinct}, error {error}");
        // Sampled texts keep exact counts: 1 (only in a), 2 (only in b) or 3 (in both).
        assert!(counts.iter().all(|n| (1..=3).contains(n)));
        let shared = counts.iter().filter(|&&n| n == 3).count() as f64 / counts.len() as f64;
        assert!((shared - 0.2).abs() < 0.02, "share of texts in both: {shared}");
    }

    #[test]
    fn frequent_texts_are_found_among_millions_of_rare_ones() {
        let mut top = TopCounts::default();
        for i in 0..200_000u64 {
            let text = format!("rare-{i}");
            top.add(text_hash(&text), &text, 1, false);
            if i % 100 == 0 {
                top.add(text_hash("N/A"), "N/A", 1, false);
            }
            if i % 1_000 == 0 {
                top.add(text_hash("9999"), "9999", 1, false);
            }
        }
        let leaders = top.leaders();
        let first: Vec<&str> = leaders.iter().take(2).map(|(t, _)| *t).collect();
        assert_eq!(first, vec!["N/A", "9999"]);
        // Lower bounds of the true counts (2,000 and 200).
        assert!(top.count(text_hash("N/A"), "N/A") <= 2_000 && top.count(text_hash("N/A"), "N/A") > 1_000);
        assert!(top.count(text_hash("9999"), "9999") <= 200);
    }
}
