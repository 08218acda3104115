//! The profile aggregate: one exact value count per column in a single scan, then every
//! per-value judgement (status, mojibake, shape, placeholder, kind, case folding) made once per
//! distinct text instead of once per row.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, UInt64Type};
use datafusion::common::utils::SingleRowListArrayBuilder;
use datafusion::common::{HashMap, HashSet, Result as DfResult, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use hashbrown::DefaultHashBuilder;
use serde::{Deserialize, Serialize};

use super::distinct::DistinctTexts;
use crate::fieldcheck::{FieldRule, FieldType, Status, Typed};
use crate::report::Stats;

/// What the profile aggregate returns for one column (in a JSON array, one per column): counts, and the most frequent
/// entries of each family, most frequent first, ties by text.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub missing: u64,
    pub invalid: u64,
    pub mojibake: u64,
    /// Distinct present (non-missing) texts.
    pub distinct: u64,
    pub values: Vec<(String, u64)>,
    /// Every present text that folds (trim, lower case, accents) to the same text as another one.
    pub variants: Vec<(String, u64)>,
    pub shapes: Vec<(String, u64)>,
    pub placeholders: Vec<(String, u64)>,
    /// Present values per observed kind (integer, float, boolean, date, timestamp, string).
    pub kinds: Vec<(String, u64)>,
    /// For numbers, dates and timestamps whose type is declared (and not `pii`).
    pub stats: Option<Stats>,
    /// For the subject key: rows with a key − distinct keys (trimmed text).
    pub duplicate_keys: Option<u64>,
}

/// Edges of the equal-frequency histogram drawn in the HTML report: min, the nine deciles, max.
pub const DECILES: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// How a column's profile is summarised beyond its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileOptions {
    /// Entries kept per family.
    pub top: usize,
    /// The column is the subject key: count the rows repeating a key (trimmed text).
    pub key: bool,
}

/// The one profile aggregate of a subject: `segaudit_profile(c0, c1, …)` takes every column as text
/// and returns a JSON array with one [`ColumnSummary`] per column. One aggregate for all columns (not
/// one per column) so that the serial end of the aggregation, the merge of the partitions' states and
/// the summaries, runs on `threads` threads across columns, the largest first.
#[derive(Debug)]
pub struct TableProfileUdaf {
    signature: Signature,
    columns: Vec<(Arc<FieldRule>, ProfileOptions)>,
    threads: usize,
}

impl PartialEq for TableProfileUdaf {
    fn eq(&self, other: &Self) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|((a, x), (b, y))| a.name == b.name && x == y)
    }
}
impl Eq for TableProfileUdaf {}
impl Hash for TableProfileUdaf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for (rule, options) in &self.columns {
            rule.name.hash(state);
            options.hash(state);
        }
    }
}

pub const PROFILE: &str = "segaudit_profile";

pub fn table_profile_udaf(columns: Vec<(Arc<FieldRule>, ProfileOptions)>, threads: usize) -> AggregateUDF {
    AggregateUDF::new_from_impl(TableProfileUdaf {
        signature: Signature::variadic_any(Volatility::Immutable),
        columns,
        threads: threads.max(1),
    })
}

impl AggregateUDFImpl for TableProfileUdaf {
    fn name(&self) -> &str {
        PROFILE
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        if args.exprs.len() != self.columns.len() {
            return Err(internal("one argument per profiled column expected"));
        }
        let columns = self
            .columns
            .iter()
            .map(|(rule, options)| ColumnState {
                rule: rule.clone(),
                options: *options,
                nulls: 0,
                counts: DistinctTexts::default(),
            })
            .collect();
        Ok(Box::new(TableProfileAccumulator {
            columns,
            threads: self.threads,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        let list = |i: usize, name: &str, item: DataType| {
            Arc::new(Field::new(
                format!("{}[{i}.{name}]", args.name),
                DataType::List(Arc::new(Field::new_list_field(item, true))),
                true,
            ))
        };
        Ok((0..self.columns.len())
            .flat_map(|i| {
                [
                    list(i, "texts", DataType::LargeUtf8),
                    list(i, "counts", DataType::UInt64),
                    Arc::new(Field::new(format!("{}[{i}.nulls]", args.name), DataType::UInt64, true)),
                ]
            })
            .collect())
    }
}

/// Exact count of every distinct text of one column (the partial state merged across partitions).
#[derive(Debug)]
struct ColumnState {
    rule: Arc<FieldRule>,
    options: ProfileOptions,
    nulls: u64,
    counts: DistinctTexts,
}

/// Three state columns per profiled column: texts, counts, nulls.
const STATE_COLUMNS: usize = 3;

impl ColumnState {
    fn update(&mut self, array: &ArrayRef) -> DfResult<()> {
        let array = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => array.clone(),
            _ => cast(array, &DataType::Utf8)?,
        };
        let mut count = |text: Option<&str>| match text {
            Some(t) => self.counts.add(t, 1),
            None => self.nulls += 1,
        };
        match array.data_type() {
            DataType::LargeUtf8 => array.as_string::<i64>().iter().for_each(&mut count),
            DataType::Utf8View => array.as_string_view().iter().for_each(&mut count),
            _ => array.as_string::<i32>().iter().for_each(&mut count),
        }
        Ok(())
    }

    fn state(&mut self) -> DfResult<[ScalarValue; STATE_COLUMNS]> {
        let (texts, counts) = self.counts.take_arrays()?;
        Ok([
            SingleRowListArrayBuilder::new(texts).build_list_scalar(),
            SingleRowListArrayBuilder::new(counts).build_list_scalar(),
            ScalarValue::UInt64(Some(self.nulls)),
        ])
    }

    fn merge(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let [texts, counts, nulls] = states else {
            return Err(internal("expected three state columns per column"));
        };
        let (texts, counts) = (texts.as_list::<i32>(), counts.as_list::<i32>());
        for row in 0..texts.len() {
            if texts.is_null(row) || counts.is_null(row) {
                continue;
            }
            let (row_texts, row_counts) = (texts.value(row), counts.value(row));
            let row_texts = row_texts.as_string::<i64>();
            self.counts.reserve(row_texts.len(), row_texts.value_data().len());
            let row_counts = row_counts.as_primitive::<UInt64Type>();
            for (text, n) in row_texts.iter().zip(row_counts.iter()) {
                if let (Some(text), Some(n)) = (text, n) {
                    self.counts.add(text, n);
                }
            }
        }
        self.nulls += nulls.as_primitive::<UInt64Type>().iter().flatten().sum::<u64>();
        Ok(())
    }
}

fn internal(message: &str) -> DataFusionError {
    DataFusionError::Internal(format!("column profile: {message}"))
}

#[derive(Debug)]
struct TableProfileAccumulator {
    columns: Vec<ColumnState>,
    threads: usize,
}

impl Accumulator for TableProfileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        // Partitions already keep every core busy here: columns are counted one after the other.
        if values.len() != self.columns.len() {
            return Err(internal("one input per profiled column expected"));
        }
        for (column, array) in self.columns.iter_mut().zip(values) {
            column.update(array)?;
        }
        Ok(())
    }

    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        // The state is taken, not copied: DataFusion calls `state` once, at the end of a partition.
        let mut state = Vec::with_capacity(self.columns.len() * STATE_COLUMNS);
        for column in &mut self.columns {
            state.extend(column.state()?);
        }
        Ok(state)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        if states.len() != self.columns.len() * STATE_COLUMNS {
            return Err(internal("three state columns per profiled column expected"));
        }
        for_each_column(&mut self.columns, self.threads, |i, column| {
            column.merge(
                states
                    .get(i * STATE_COLUMNS..(i + 1) * STATE_COLUMNS)
                    .unwrap_or_default(),
            )
        })?;
        Ok(())
    }

    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        let summaries = for_each_column(&mut self.columns, self.threads, |_, column| {
            summarize(&column.rule, column.options, column.nulls, &column.counts)
        })?;
        let json = serde_json::to_string(&summaries).map_err(|e| internal(&e.to_string()))?;
        Ok(ScalarValue::Utf8(Some(json)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .columns
                .iter()
                .map(|c| std::mem::size_of_val(c) + c.counts.allocated())
                .sum::<usize>()
    }
}

/// A column and, once processed, its result.
type Slot<'a, T> = (&'a mut ColumnState, Option<DfResult<T>>);

/// Runs `work` on every column on up to `threads` threads, the columns with the most distinct texts
/// first (so that a huge key column does not start last), and returns the results in column order.
fn for_each_column<T: Send>(
    columns: &mut [ColumnState],
    threads: usize,
    work: impl Fn(usize, &mut ColumnState) -> DfResult<T> + Sync,
) -> DfResult<Vec<T>> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(columns.get(i).map_or(0, |c| c.counts.len())));
    let slots: Vec<Mutex<Slot<T>>> = columns.iter_mut().map(|c| Mutex::new((c, None))).collect();
    let next = AtomicUsize::new(0);
    let run = || {
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Some(slot) = slots.get(i) {
                let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
                let result = work(i, slot.0);
                slot.1 = Some(result);
            }
        }
    };
    let workers = threads.min(order.len());
    if workers <= 1 {
        run();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(run);
            }
        });
    }
    slots
        .into_iter()
        .map(|slot| {
            let (_, result) = slot.into_inner().unwrap_or_else(PoisonError::into_inner);
            result.unwrap_or_else(|| Err(internal("a column was not processed")))
        })
        .collect()
}

/// Judges each distinct text once, weighted by how often it occurs. Beyond the texts themselves, it
/// holds one hash per distinct text (for case variants) and the typed values of a column with
/// statistics: no map or copy per text, so a column of ten million keys costs 80 MB here.
pub fn summarize<'a>(
    rule: &FieldRule,
    options: ProfileOptions,
    nulls: u64,
    texts: &'a DistinctTexts,
) -> DfResult<ColumnSummary> {
    let with_stats = has_stats(rule);
    let mut summary = ColumnSummary {
        missing: nulls,
        ..ColumnSummary::default()
    };
    let mut values = Leaders::new(options.top);
    let mut shapes: HashMap<String, u64> = HashMap::default();
    let mut placeholders = Leaders::new(options.top);
    let mut kinds: HashMap<&'static str, u64> = HashMap::default();
    // The hash of each present text's folded form: only hashes seen twice are folded for real.
    let mut fold_hashes: Vec<u64> = Vec::new();
    let fold_hasher = DefaultHashBuilder::default();
    let mut shape = String::new();
    let mut typed: Vec<(Typed, &'a str, u64)> = Vec::new();
    let mut keys = KeyCount::default();
    for (text, n) in texts.iter() {
        if options.key {
            keys.add(texts, text, n);
        }
        if super::looks_mis_decoded(text) {
            summary.mojibake += n;
        }
        let (status, value) = if with_stats {
            rule.check(Some(text))
        } else {
            (rule.status(Some(text)), None)
        };
        match status {
            Status::Missing => {
                summary.missing += n;
                continue;
            }
            Status::Invalid => summary.invalid += n,
            Status::Usable => {}
        }
        if let Some(value) = value {
            typed.push((value, text, n));
        }
        summary.distinct += 1;
        values.push(text, n);
        *kinds.entry(super::kind(text.trim())).or_default() += n;
        if rule.pii {
            continue;
        }
        super::shape_into(text, &mut shape);
        match shapes.get_mut(shape.as_str()) {
            Some(count) => *count += n,
            None => {
                shapes.insert(shape.clone(), n);
            }
        }
        if super::looks_like_placeholder(text) {
            placeholders.push(text, n);
        }
        fold_hashes.push(folded_hash(&fold_hasher, text));
    }
    summary.values = values.into_sorted();
    summary.shapes = most_frequent(shapes.iter().map(|(s, n)| (s.as_str(), *n)).collect(), options.top);
    summary.placeholders = placeholders.into_sorted();
    summary.kinds = most_frequent(kinds.into_iter().collect(), usize::MAX);
    summary.variants = case_variants(rule, texts, &fold_hasher, repeated(fold_hashes));
    summary.duplicate_keys = options.key.then(|| keys.duplicates());
    if with_stats {
        summary.stats = Some(typed_stats(rule, typed)?);
    }
    Ok(summary)
}

/// The hashes that occur more than once (sorting is cheaper than a set of ten million hashes).
fn repeated(mut hashes: Vec<u64>) -> HashSet<u64> {
    hashes.sort_unstable();
    hashes
        .windows(2)
        .filter(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
        .collect()
}

/// Every present text that folds to the same text as another one. A second walk over the texts,
/// folding for real only those whose folded hash was seen twice (none, in a column of keys).
fn case_variants(
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
                .entry(crate::names::fold_value(text))
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
struct KeyCount<'a> {
    keyed_rows: u64,
    trimmed_keys: u64,
    padded_only: HashSet<&'a str>,
}

impl<'a> KeyCount<'a> {
    fn add(&mut self, texts: &DistinctTexts, text: &'a str, n: u64) {
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

    fn duplicates(&self) -> u64 {
        self.keyed_rows - self.trimmed_keys - self.padded_only.len() as u64
    }
}

/// The `top` entries with the highest counts among those pushed, holding at most about twice `top`.
struct Leaders<'a> {
    top: usize,
    entries: Vec<(&'a str, u64)>,
}

impl<'a> Leaders<'a> {
    fn new(top: usize) -> Self {
        Self {
            top,
            entries: Vec::new(),
        }
    }

    fn push(&mut self, text: &'a str, n: u64) {
        self.entries.push((text, n));
        if self.entries.len() >= self.top.saturating_mul(2).saturating_add(64) {
            // Texts are distinct, so the order is total and the dropped entries can never return.
            self.entries.select_nth_unstable_by(self.top, by_frequency);
            self.entries.truncate(self.top);
        }
    }

    fn into_sorted(self) -> Vec<(String, u64)> {
        most_frequent(self.entries, self.top)
    }
}

fn by_frequency(a: &(&str, u64), b: &(&str, u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
}

/// A hash of `names::fold_value(text)`, computed without building the folded text.
fn folded_hash(build: &impl std::hash::BuildHasher, text: &str) -> u64 {
    let mut hasher = build.build_hasher();
    for c in text
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(crate::names::strip_accent)
    {
        hasher.write_u32(c as u32);
    }
    hasher.finish()
}

/// Whether a column gets typed statistics: a declared number, date or timestamp, not `pii`.
pub fn has_stats(rule: &FieldRule) -> bool {
    rule.type_declared
        && !rule.pii
        && matches!(
            rule.field_type,
            FieldType::Integer | FieldType::Float | FieldType::Date | FieldType::Timestamp
        )
}

/// A typed value on the number line the histogram uses.
fn as_number(value: &Typed) -> f64 {
    match value {
        Typed::Integer(i) => *i as f64,
        Typed::Float(f) => *f,
        Typed::Date(d) => d.signed_duration_since(epoch()).num_days() as f64,
        Typed::Timestamp(t) => t.and_utc().timestamp_micros() as f64,
        Typed::Text(_) | Typed::Boolean(_) => f64::NAN,
    }
}

fn epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn typed_order(a: &Typed, b: &Typed) -> std::cmp::Ordering {
    match (a, b) {
        (Typed::Integer(x), Typed::Integer(y)) => x.cmp(y),
        (Typed::Date(x), Typed::Date(y)) => x.cmp(y),
        (Typed::Timestamp(x), Typed::Timestamp(y)) => x.cmp(y),
        _ => as_number(a).total_cmp(&as_number(b)),
    }
}

/// Exact min, max, mean, quartiles and deciles from the distinct usable values and their counts.
fn typed_stats(rule: &FieldRule, mut values: Vec<(Typed, &str, u64)>) -> DfResult<Stats> {
    values.sort_by(|a, b| typed_order(&a.0, &b.0));
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return Ok(Stats::default());
    };
    // Min and max go through the same typed array and cast the SQL `CAST(… AS VARCHAR)` used.
    let extremes = super::typed_array(rule, [Some(first.1), Some(last.1)].into_iter(), 2);
    let extremes = cast(&extremes, &DataType::Utf8)?;
    let extremes = extremes.as_string::<i32>();
    let text = |i: usize| (!extremes.is_null(i)).then(|| extremes.value(i).to_string());
    let numbers: Vec<(f64, u64)> = values.iter().map(|(v, _, n)| (as_number(v), *n)).collect();
    let total: u64 = numbers.iter().map(|(_, n)| n).sum();
    let mut cumulative = Vec::with_capacity(numbers.len());
    let mut running = 0;
    for (_, n) in &numbers {
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

/// The `top` entries with the highest counts, ties broken by text (byte order).
fn most_frequent(mut entries: Vec<(&str, u64)>, top: usize) -> Vec<(String, u64)> {
    if entries.len() > top {
        entries.select_nth_unstable_by(top, by_frequency);
        entries.truncate(top);
    }
    entries.sort_unstable_by(by_frequency);
    entries.into_iter().map(|(t, n)| (shown(t), n)).collect()
}

/// Characters of a value a report shows; a 20 MB cell is cut, not copied into every output.
pub const SHOWN_CHARS: usize = 200;

fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distinct(counts: &[(&str, u64)]) -> DistinctTexts {
        let mut texts = DistinctTexts::default();
        for (text, n) in counts {
            texts.add(text, *n);
        }
        texts
    }

    #[test]
    fn each_distinct_text_is_judged_with_its_weight() {
        let mut rule = FieldRule::plain("ville");
        rule.null_tokens = vec!["N/A".into()];
        let counts = [
            ("Abidjan", 5),
            ("ABIDJAN", 2),
            (" ", 3),
            ("N/A", 4),
            ("Bouaké", 1),
            ("9999", 2),
        ];
        let s = summarize(&rule, ProfileOptions { top: 2, key: true }, 1, &distinct(&counts)).unwrap_or_default();
        assert_eq!((s.missing, s.invalid, s.distinct), (1 + 3 + 4, 0, 4));
        assert_eq!(s.values, vec![("Abidjan".to_string(), 5), ("9999".to_string(), 2)]);
        assert_eq!(s.variants, vec![("Abidjan".to_string(), 5), ("ABIDJAN".to_string(), 2)]);
        assert_eq!(s.placeholders, vec![("9999".to_string(), 2)]);
        assert_eq!(s.shapes, vec![("Aaaaaaa".to_string(), 5), ("9999".to_string(), 2)]);
        assert_eq!(s.kinds, vec![("string".to_string(), 8), ("integer".to_string(), 2)]);
        // Keys: 5 + 2 + 4 + 1 + 2 rows with a non-blank key, over 5 distinct keys.
        assert_eq!(s.duplicate_keys, Some(14 - 5));
    }

    #[test]
    fn typed_statistics_are_exact() {
        let mut rule = FieldRule::plain("age");
        rule.field_type = FieldType::Integer;
        rule.type_declared = true;
        // 1, 2, 2, 3, 10 and one invalid value.
        let counts = [("2", 2), ("10", 1), ("1", 1), (" 3 ", 1), ("x", 1)];
        let options = ProfileOptions { top: 10, key: false };
        let s = summarize(&rule, options, 0, &distinct(&counts)).unwrap_or_default();
        let stats = s.stats.unwrap_or_default();
        assert_eq!((stats.min.as_deref(), stats.max.as_deref()), (Some("1"), Some("10")));
        assert_eq!(stats.mean, Some(18.0 / 5.0));
        assert_eq!((stats.q1, stats.median, stats.q3), (Some(2.0), Some(2.0), Some(3.0)));
        // Decile 0.1 sits at rank 0.4: 1 + 0.4 × (2 − 1).
        assert_eq!(stats.histogram.get(1).copied(), Some(1.4));
        assert_eq!(stats.histogram.last().copied(), Some(10.0));
    }

    #[test]
    fn columns_processed_on_several_threads_come_back_in_column_order() {
        let mut columns: Vec<ColumnState> = (0..7)
            .map(|i| {
                let mut counts = DistinctTexts::default();
                for n in 0..(i * 100) {
                    counts.add(&n.to_string(), 1);
                }
                ColumnState {
                    rule: Arc::new(FieldRule::plain(&format!("c{i}"))),
                    options: ProfileOptions { top: 1, key: false },
                    nulls: i as u64,
                    counts,
                }
            })
            .collect();
        let seen = for_each_column(&mut columns, 3, |i, column| Ok((i, column.nulls, column.counts.len())));
        let expected: Vec<(usize, u64, usize)> = (0..7).map(|i| (i, i as u64, i * 100)).collect();
        assert_eq!(seen.unwrap_or_default(), expected);
    }

    #[test]
    fn pii_columns_keep_counts_only() {
        let mut rule = FieldRule::plain("phone");
        rule.pii = true;
        let options = ProfileOptions { top: 10, key: false };
        let s = summarize(&rule, options, 0, &distinct(&[("+225 01", 1), ("+225 02", 1)])).unwrap_or_default();
        assert_eq!(s.distinct, 2);
        assert!(s.shapes.is_empty() && s.placeholders.is_empty() && s.variants.is_empty());
    }
}
