//! The rows of a column beyond its budget of exactly counted distinct texts: each row is judged as it
//! comes, so every count of contract §3 (missing, invalid, usable) stays exact, as do mojibake, kinds,
//! placeholder candidates and typed values; distinct texts, top values and shapes go to bounded sketches.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::sketch::{text_hash, DistinctSample, TopCounts};
use crate::spec::fieldcheck::{FieldRule, Status, Typed};

/// What the rows not counted in the exact table add to a column's profile.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overflow {
    pub missing: u64,
    pub invalid: u64,
    pub usable: u64,
    pub mojibake: u64,
    pub kinds: HashMap<String, u64>,
    /// Placeholder candidates by their text alone (few): counted exactly.
    pub candidates: HashMap<String, u64>,
    pub values: TopCounts,
    pub shapes: TopCounts,
    /// Invalid rows by trimmed text (contract §10 evidence, estimated like the top values).
    #[serde(default)]
    pub invalid_texts: TopCounts,
    /// The smallest and largest typed values seen, as numbers and as their texts.
    pub min: Option<(f64, String)>,
    pub max: Option<(f64, String)>,
    /// Present texts (moved in and out of the partial state as lists, not as JSON).
    #[serde(skip)]
    pub sample: DistinctSample,
    /// Every typed value seen, on the histogram's number line (statistics stay exact).
    #[serde(skip)]
    pub numbers: Vec<f64>,
    #[serde(skip)]
    shape: String,
}

impl Overflow {
    /// Judges one row's text. `with_stats`: the column's typed values feed its statistics.
    pub fn add(&mut self, rule: &FieldRule, with_stats: bool, text: &str) {
        if super::looks_mis_decoded(text) {
            self.mojibake += 1;
        }
        let (status, value) = super::judgement::judge(rule, with_stats, text);
        match status {
            Status::Missing => {
                self.missing += 1;
                return;
            }
            Status::Invalid => {
                self.invalid += 1;
                if !rule.pii {
                    super::evidence::add_beyond(&mut self.invalid_texts, text);
                }
            }
            Status::Usable => self.usable += 1,
        }
        let hash = text_hash(text);
        self.sample.add(hash, 1);
        self.values.add(hash, text, 1, false);
        add_to(&mut self.kinds, super::kind(text.trim()), 1);
        if let Some(value) = value {
            self.add_number(&value, text);
        }
        if rule.pii {
            return;
        }
        super::shape_into(text, &mut self.shape);
        self.shapes.add(text_hash(&self.shape), &self.shape, 1, true);
        if super::placeholder::classify(text).is_some() {
            add_to(&mut self.candidates, text, 1);
        }
    }

    fn add_number(&mut self, value: &Typed, text: &str) {
        let x = super::judgement::as_number(value);
        self.numbers.push(x);
        if self.min.as_ref().is_none_or(|(m, _)| x < *m) {
            self.min = Some((x, text.to_string()));
        }
        if self.max.as_ref().is_none_or(|(m, _)| x > *m) {
            self.max = Some((x, text.to_string()));
        }
    }

    /// Adds another partition's overflow (its sample and numbers come separately, as lists).
    pub fn merge(&mut self, other: Overflow) {
        self.missing += other.missing;
        self.invalid += other.invalid;
        self.usable += other.usable;
        self.mojibake += other.mojibake;
        for (kind, n) in other.kinds {
            add_to(&mut self.kinds, &kind, n);
        }
        for (text, n) in other.candidates {
            add_to(&mut self.candidates, &text, n);
        }
        self.values.merge(other.values);
        self.shapes.merge(other.shapes);
        self.invalid_texts.merge(other.invalid_texts);
        if let Some((x, text)) = other.min {
            if self.min.as_ref().is_none_or(|(m, _)| x < *m) {
                self.min = Some((x, text));
            }
        }
        if let Some((x, text)) = other.max {
            if self.max.as_ref().is_none_or(|(m, _)| x > *m) {
                self.max = Some((x, text));
            }
        }
    }
}

fn add_to(map: &mut HashMap<String, u64>, key: &str, n: u64) {
    match map.get_mut(key) {
        Some(count) => *count += n,
        None => {
            map.insert(key.to_string(), n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fieldcheck::FieldType;

    #[test]
    fn every_row_is_judged_so_the_counts_stay_exact() {
        let mut rule = FieldRule::plain("montant");
        rule.field_type = FieldType::Integer;
        rule.type_declared = true;
        rule.declared = true;
        rule.null_tokens = vec!["N/A".into()];
        let mut overflow = Overflow::default();
        for text in ["12", " 7 ", "N/A", "", "douze", "9999", "9999", "-3"] {
            overflow.add(&rule, true, text);
        }
        assert_eq!((overflow.missing, overflow.invalid, overflow.usable), (2, 1, 5));
        assert_eq!(overflow.numbers.len(), 5);
        assert_eq!(overflow.min, Some((-3.0, "-3".to_string())));
        assert_eq!(overflow.max, Some((9999.0, "9999".to_string())));
        assert_eq!(overflow.candidates.get("9999"), Some(&2));
        let mut other = Overflow::default();
        other.add(&rule, true, "9999");
        overflow.merge(other);
        let rows = overflow.missing + overflow.invalid + overflow.usable;
        assert_eq!(
            (rows, overflow.usable, overflow.candidates.get("9999")),
            (9, 6, Some(&3))
        );
    }
}
