//! Evidence of a column's defects (contract §10): its most frequent invalid texts and, for the subject
//! key, its most repeated keys, both by trimmed text, gathered during the profile's one walk over the
//! column's distinct texts.

use datafusion::common::HashMap;

use super::distinct::DistinctTexts;
use super::sketch::{text_hash, TopCounts};

/// Entries listed as evidence.
pub const EVIDENCE_TOP: usize = 10;

/// The most frequent trimmed texts among those pushed, exact without a map of every text: the texts
/// of the exact table are distinct, so a trimmed text can only be counted more than its own count by
/// also being written with surrounding blanks, and those padded spellings are kept in a map. A text
/// dropped from `own` had `top` others at least as frequent (ties by text), so it cannot come back.
pub struct TrimmedLeaders<'a> {
    top: usize,
    /// Texts that are their own trimmed text, by their own count.
    own: Vec<(&'a str, u64)>,
    /// Trimmed texts also written with surrounding blanks, with the count of those spellings.
    padded: HashMap<&'a str, u64>,
}

impl<'a> TrimmedLeaders<'a> {
    pub fn new(top: usize) -> Self {
        Self {
            top,
            own: Vec::new(),
            padded: HashMap::default(),
        }
    }

    /// Counts `text` (a distinct text of the exact table) `n` times under its trimmed text.
    pub fn add(&mut self, text: &'a str, n: u64) {
        let trimmed = text.trim();
        if trimmed.len() != text.len() {
            *self.padded.entry(trimmed).or_default() += n;
            return;
        }
        self.own.push((text, n));
        if self.own.len() >= self.top.saturating_mul(2).saturating_add(64) {
            self.own.select_nth_unstable_by(self.top, by_frequency);
            self.own.truncate(self.top);
        }
    }

    /// The `top` trimmed texts seen at least `at_least` times, most frequent first, ties by text.
    /// `texts` is the exact table the texts came from (a trimmed text's own count, found there, has
    /// the status of its padded spellings since a status is judged on the trimmed text); `beyond` the
    /// trimmed texts of the rows beyond it, estimated (none for an exact column).
    pub fn finish(self, texts: &DistinctTexts, beyond: Option<&TopCounts>, at_least: u64) -> Vec<(String, u64)> {
        let mut totals: HashMap<&str, u64> = HashMap::default();
        for (text, n) in &self.own {
            totals.insert(text, *n);
        }
        for (text, n) in &self.padded {
            let own = texts.count(text).unwrap_or(0);
            totals.insert(text, own + n);
        }
        if let Some(beyond) = beyond {
            for (text, n) in beyond.leaders() {
                let exact = totals
                    .get(text)
                    .copied()
                    .unwrap_or_else(|| texts.count(text).unwrap_or(0));
                totals.insert(text, exact + n);
            }
        }
        let mut entries: Vec<(&str, u64)> = totals.into_iter().filter(|(_, n)| *n >= at_least).collect();
        entries.sort_unstable_by(by_frequency);
        entries.truncate(self.top);
        entries
            .into_iter()
            .map(|(t, n)| (super::judgement::shown(t), n))
            .collect()
    }
}

/// Counts one invalid row beyond the exact table under its trimmed text.
pub fn add_beyond(top: &mut TopCounts, text: &str) {
    let trimmed = text.trim();
    top.add(text_hash(trimmed), trimmed, 1, false);
}

fn by_frequency(a: &(&str, u64), b: &(&str, u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_spellings_add_up_and_ties_go_by_text() {
        let mut texts = DistinctTexts::default();
        let rows = [("b", 2), (" b", 1), ("a", 2), ("c ", 2), ("d", 1), ("é", 2)];
        for (t, n) in rows {
            texts.add(t, n);
        }
        let mut leaders = TrimmedLeaders::new(3);
        for (t, n) in texts.iter() {
            leaders.add(t, n);
        }
        // b: 2 + 1 = 3; a, c (padded only), é: 2 each, tie by bytes: a < c < é; d: 1.
        let listed = leaders.finish(&texts, None, 2);
        let expected = vec![("b".to_string(), 3), ("a".to_string(), 2), ("c".to_string(), 2)];
        assert_eq!(listed, expected);
    }
}
