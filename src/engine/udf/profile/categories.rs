//! The usable values of a field binned by value, the keys repeated, the case variants and the most
//! frequent entries, gathered during the one walk over a column's distinct texts.

use std::hash::Hasher;

use datafusion::common::{HashMap, HashSet};
use hashbrown::DefaultHashBuilder;

use crate::engine::drift::{self, Bins, Distribution};
use crate::engine::udf::distinct::DistinctTexts;
use crate::engine::udf::judgement::{as_number, shown, SHOWN_CHARS};
use crate::engine::udf::sketch::text_hash;
use crate::spec::fieldcheck::{FieldRule, FieldType, Status, Typed};

/// The usable values of a field binned by value, gathered during the one walk over its distinct
/// texts. A value is its trimmed text (a declared boolean: `true` or `false`), so ` B2C` and `B2C`
/// are one value. Exact without a map of every value: a value can only beat the 20 most frequent
/// texts that are already their own value by also being written some other way (padded, `oui`),
/// and those other spellings are few and kept in a map.
#[derive(Default)]
pub(super) struct Categories<'a> {
    pub(super) usable: u64,
    /// The most frequent texts that are their own value, by their own count.
    pub(super) leaders: Vec<(&'a str, u64)>,
    /// Values written some other way, with the count of those other spellings.
    pub(super) respelled: HashMap<&'a str, u64>,
}

impl<'a> Categories<'a> {
    pub(super) fn add(&mut self, rule: &FieldRule, text: &'a str, n: u64) {
        self.usable += n;
        let value = category(rule, text);
        if value.chars().nth(SHOWN_CHARS).is_some() {
            // Never a bin (see `finish`): only counted among the others.
            return;
        }
        if value == text {
            self.leaders.push((text, n));
            if self.leaders.len() >= 4 * drift::TOP_BINS + 64 {
                self.leaders.select_nth_unstable_by(drift::TOP_BINS, by_frequency);
                self.leaders.truncate(drift::TOP_BINS);
            }
        } else {
            *self.respelled.entry(value).or_default() += n;
        }
    }

    pub(super) fn finish(
        self,
        rule: &FieldRule,
        texts: &DistinctTexts,
        overflow: Option<&crate::engine::udf::sketch::TopCounts>,
        previous: Option<&Distribution>,
    ) -> (Option<Distribution>, Option<Vec<u64>>) {
        if self.usable == 0 {
            return (None, None);
        }
        // A value's count: its own text (usable, since spellings of one value share a status) plus
        // its other spellings.
        let count_of = |value: &str| {
            let own = match texts.count(value) {
                Some(n) if category(rule, value) == value && rule.status(Some(value)) == Status::Usable => n,
                _ => 0,
            };
            // Rows beyond the exact budget: the sketch's lower bound (0 for an exact column).
            let beyond = overflow.map_or(0, |top| top.count(text_hash(value), value));
            own + self.respelled.get(value).copied().unwrap_or(0) + beyond
        };
        // A value longer than a report shows is never a bin (it would be copied whole into every
        // report): it counts among the others, in this run and the next alike.
        let mut candidates: Vec<(&str, u64)> = self
            .leaders
            .iter()
            .map(|(t, _)| *t)
            .chain(self.respelled.keys().copied())
            .filter(|v| v.chars().nth(SHOWN_CHARS).is_none())
            .collect::<HashSet<&str>>()
            .into_iter()
            .map(|v| (v, count_of(v)))
            .collect();
        candidates.sort_unstable_by(by_frequency);
        candidates.truncate(drift::TOP_BINS);
        let in_bins = |values: &mut dyn Iterator<Item = &str>| {
            let mut counts: Vec<u64> = values.map(count_of).collect();
            let listed: u64 = counts.iter().sum();
            counts.push(self.usable.saturating_sub(listed));
            counts
        };
        let own = Distribution {
            counts: in_bins(&mut candidates.iter().map(|(v, _)| *v)),
            bins: Bins::Values {
                values: candidates.iter().map(|(v, _)| v.to_string()).collect(),
            },
        };
        let against = match previous.map(|p| &p.bins) {
            Some(Bins::Values { values }) => Some(in_bins(&mut values.iter().map(String::as_str))),
            _ => None,
        };
        (Some(own), against)
    }
}

/// The value a usable text stands for when binned: its trimmed text, or a declared boolean's truth.
pub(super) fn category<'a>(rule: &FieldRule, text: &'a str) -> &'a str {
    if rule.field_type == FieldType::Boolean && rule.type_declared {
        match rule.check(Some(text)).1 {
            Some(Typed::Boolean(true)) => return "true",
            Some(Typed::Boolean(false)) => return "false",
            _ => {}
        }
    }
    text.trim()
}

/// The hashes that occur more than once (sorting is cheaper than a set of ten million hashes).
pub(super) fn repeated(mut hashes: Vec<u64>) -> HashSet<u64> {
    hashes.sort_unstable();
    hashes
        .windows(2)
        .filter(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
        .collect()
}

/// Every present text that folds to the same text as another one. A second walk over the texts,
/// folding for real only those whose folded hash was seen twice (none, in a column of keys).
pub(super) fn case_variants(
    rule: &FieldRule,
    texts: &DistinctTexts,
    fold_hasher: &DefaultHashBuilder,
    repeated: HashSet<u64>,
) -> Vec<(String, u64)> {
    if repeated.is_empty() {
        return Vec::new();
    }
    let mut groups: HashMap<String, Vec<(&str, u64)>> = HashMap::default();
    for (text, n) in texts.iter() {
        if repeated.contains(&folded_hash(fold_hasher, text)) && rule.status(Some(text)) != Status::Missing {
            groups
                .entry(crate::base::names::fold_value(text))
                .or_default()
                .push((text, n));
        }
    }
    let variants = groups.into_values().filter(|g| g.len() > 1).flatten().collect();
    most_frequent(variants, usize::MAX)
}

/// Rows with a non-blank key and distinct keys (trimmed text), without a set of every key: texts are
/// already distinct, so only a text with surrounding blanks can repeat another key.
#[derive(Default)]
pub(super) struct KeyCount<'a> {
    pub(super) keyed_rows: u64,
    pub(super) trimmed_keys: u64,
    pub(super) padded_only: HashSet<&'a str>,
}

impl<'a> KeyCount<'a> {
    pub(super) fn add(&mut self, texts: &DistinctTexts, text: &'a str, n: u64) {
        let key = text.trim();
        if key.is_empty() {
            return;
        }
        self.keyed_rows += n;
        if key.len() == text.len() {
            self.trimmed_keys += 1;
        } else if !texts.contains(key) {
            self.padded_only.insert(key);
        }
    }

    pub(super) fn duplicates(&self) -> u64 {
        self.keyed_rows - self.trimmed_keys - self.padded_only.len() as u64
    }
}

/// The `top` entries with the highest counts among those pushed, holding at most about twice `top`.
pub(super) struct Leaders<'a> {
    pub(super) top: usize,
    pub(super) entries: Vec<(&'a str, u64)>,
}

impl<'a> Leaders<'a> {
    pub(super) fn new(top: usize) -> Self {
        Self {
            top,
            entries: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, text: &'a str, n: u64) {
        self.entries.push((text, n));
        if self.entries.len() >= self.top.saturating_mul(2).saturating_add(64) {
            // Texts are distinct, so the order is total and the dropped entries can never return.
            self.entries.select_nth_unstable_by(self.top, by_frequency);
            self.entries.truncate(self.top);
        }
    }

    pub(super) fn into_sorted(self) -> Vec<(String, u64)> {
        most_frequent(self.entries, self.top)
    }
}

pub(super) fn by_frequency(a: &(&str, u64), b: &(&str, u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
}

/// A hash of `names::fold_value(text)`, computed without building the folded text.
pub(super) fn folded_hash(build: &impl std::hash::BuildHasher, text: &str) -> u64 {
    let mut hasher = build.build_hasher();
    for c in text
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(crate::base::names::strip_accent)
    {
        hasher.write_u32(c as u32);
    }
    hasher.finish()
}

pub(super) fn typed_order(a: &Typed, b: &Typed) -> std::cmp::Ordering {
    match (a, b) {
        (Typed::Integer(x), Typed::Integer(y)) => x.cmp(y),
        (Typed::Date(x), Typed::Date(y)) => x.cmp(y),
        (Typed::Timestamp(x), Typed::Timestamp(y)) => x.cmp(y),
        _ => as_number(a).total_cmp(&as_number(b)),
    }
}

/// The `top` entries with the highest counts, ties broken by text (byte order).
pub(super) fn most_frequent(mut entries: Vec<(&str, u64)>, top: usize) -> Vec<(String, u64)> {
    if entries.len() > top {
        entries.select_nth_unstable_by(top, by_frequency);
        entries.truncate(top);
    }
    entries.sort_unstable_by(by_frequency);
    entries.into_iter().map(|(t, n)| (shown(t), n)).collect()
}
