//! The profile aggregate: one exact value count per column in a single scan, then every
//! per-value judgement (status, mojibake, shape, placeholder, kind, case folding) made once per
//! distinct text instead of once per row.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, UInt64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, UInt64Type};
use datafusion::common::utils::SingleRowListArrayBuilder;
use datafusion::common::{HashMap, HashSet, Result as DfResult, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use hashbrown::DefaultHashBuilder;
use serde::{Deserialize, Serialize};

use super::distinct::DistinctTexts;
use super::evidence::{TrimmedLeaders, EVIDENCE_TOP};
use super::judgement::{as_number, has_stats, judge, shown, SHOWN_CHARS};
use super::overflow::Overflow;
use super::sketch::{text_hash, DistinctSample};
use crate::engine::drift::{self, Bins, Distribution};
use crate::spec::fieldcheck::{FieldRule, FieldType, Status, Typed};

/// Exact statistics of a typed field's usable values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Extremes as text, formatted the way DataFusion casts the typed value to text.
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<f64>,
    pub q1: Option<f64>,
    pub median: Option<f64>,
    pub q3: Option<f64>,
    /// Equal-frequency histogram: min, the nine deciles, max (as numbers; dates in days and
    /// timestamps in microseconds since 1970-01-01).
    pub histogram: Vec<f64>,
}

/// What the profile aggregate returns for one column (in a JSON array, one per column): counts, and the most frequent
/// entries of each family, most frequent first, ties by text.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub missing: u64,
    pub invalid: u64,
    pub mojibake: u64,
    /// Distinct present (non-missing) texts: exact, or estimated when `estimated` is set.
    pub distinct: u64,
    /// The column held more distinct texts than its budget: `distinct`, `values`, `shapes` and
    /// `variants` come from bounded sketches (the report's `distinct_exact: false`, contract §4).
    pub estimated: bool,
    pub values: Vec<(String, u64)>,
    /// Every present text that folds (trim, lower case, accents) to the same text as another one.
    pub variants: Vec<(String, u64)>,
    pub shapes: Vec<(String, u64)>,
    pub placeholders: Vec<(String, u64)>,
    /// Every value that could be a placeholder by its text alone (suspected or not, e.g. a single
    /// `00/00/0000`): left out when the observed type is judged.
    #[serde(default)]
    pub candidates: Vec<(String, u64)>,
    /// Present values per observed kind (integer, float, boolean, date, timestamp, string).
    pub kinds: Vec<(String, u64)>,
    /// For numbers, dates and timestamps whose type is declared (and not `pii`).
    pub stats: Option<Stats>,
    /// For the subject key: rows with a key − distinct keys (trimmed text).
    pub duplicate_keys: Option<u64>,
    /// The most frequent invalid trimmed texts (contract §10; none for `pii`).
    #[serde(default)]
    pub invalid_values: Vec<(String, u64)>,
    /// For the subject key: the most repeated keys (trimmed text) and their rows.
    #[serde(default)]
    pub duplicate_key_values: Vec<(String, u64)>,
    /// The bins the next run compares with and this run's counts in them (not for `pii`).
    pub distribution: Option<Distribution>,
    /// This run's usable values counted in the previous run's bins, when they were given.
    pub against_previous: Option<Vec<u64>>,
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
    /// Distinct texts a partition counts exactly before the rest of the column goes to sketches
    /// (`usize::MAX`: always exact, as the subject key is).
    pub exact_limit: usize,
}

/// The one profile aggregate of a subject: `segaudit_profile(c0, c1, …)` takes every column as text
/// and returns a JSON array with one [`ColumnSummary`] per column. One aggregate for all columns (not
/// one per column) so that the serial end of the aggregation, the merge of the partitions' states and
/// the summaries, runs on `threads` threads across columns, the largest first.
#[derive(Debug)]
pub struct TableProfileUdaf {
    signature: Signature,
    columns: Vec<ProfiledColumn>,
    threads: usize,
}

impl PartialEq for TableProfileUdaf {
    fn eq(&self, other: &Self) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|((a, x, p), (b, y, q))| a.name == b.name && x == y && p == q)
    }
}
impl Eq for TableProfileUdaf {}
impl Hash for TableProfileUdaf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for (rule, options, _) in &self.columns {
            rule.name.hash(state);
            options.hash(state);
        }
    }
}

pub const PROFILE: &str = "segaudit_profile";

/// A profiled column: its rule, options, and the previous run's bins when there is a history.
pub type ProfiledColumn = (Arc<FieldRule>, ProfileOptions, Option<Arc<Distribution>>);

pub fn table_profile_udaf(columns: Vec<ProfiledColumn>, threads: usize) -> AggregateUDF {
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
            .map(|(rule, options, previous)| ColumnState {
                rule: rule.clone(),
                options: *options,
                previous: previous.clone(),
                nulls: 0,
                counts: DistinctTexts::default(),
                overflow: None,
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
        let scalar = |i: usize, name: &str, item: DataType| {
            Arc::new(Field::new(format!("{}[{i}.{name}]", args.name), item, true))
        };
        Ok((0..self.columns.len())
            .flat_map(|i| {
                [
                    list(i, "texts", DataType::LargeUtf8),
                    list(i, "counts", DataType::UInt64),
                    scalar(i, "nulls", DataType::UInt64),
                    scalar(i, "overflow", DataType::Utf8),
                    list(i, "sample_hashes", DataType::UInt64),
                    list(i, "sample_counts", DataType::UInt64),
                    scalar(i, "sample_threshold", DataType::UInt64),
                    list(i, "numbers", DataType::Float64),
                ]
            })
            .collect())
    }
}

/// Every distinct text of one column counted exactly, up to its budget; the rows beyond it judged one
/// by one into `overflow` (the partial state merged across partitions).
#[derive(Debug)]
struct ColumnState {
    rule: Arc<FieldRule>,
    options: ProfileOptions,
    previous: Option<Arc<Distribution>>,
    nulls: u64,
    counts: DistinctTexts,
    /// Set once the exact table holds more distinct texts than the budget: the table then only
    /// counts the texts it holds, every other row goes here.
    overflow: Option<Overflow>,
}

/// State columns per profiled column: texts, counts, nulls, overflow (JSON), sample hashes, sample
/// counts, sample threshold, typed numbers of the overflow.
const STATE_COLUMNS: usize = 8;

impl ColumnState {
    fn update(&mut self, array: &ArrayRef) -> DfResult<()> {
        let array = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => array.clone(),
            _ => cast(array, &DataType::Utf8)?,
        };
        let with_stats = has_stats(&self.rule);
        let limit = self.options.exact_limit;
        let mut count = |text: Option<&str>| match (text, self.overflow.as_mut()) {
            (None, _) => self.nulls += 1,
            (Some(t), None) => {
                self.counts.add(t, 1);
                if self.counts.len() > limit {
                    self.overflow = Some(Overflow::default());
                }
            }
            (Some(t), Some(overflow)) => {
                if !self.counts.add_if_present(t, 1) {
                    overflow.add(&self.rule, with_stats, t);
                }
            }
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
        let list = |array: ArrayRef| SingleRowListArrayBuilder::new(array).build_list_scalar();
        let overflow = self.overflow.take();
        let (json, hashes, sample_counts, threshold, numbers) = match overflow {
            None => (None, Vec::new(), Vec::new(), None, Vec::new()),
            Some(overflow) => {
                let json = serde_json::to_string(&overflow).map_err(|e| internal(&e.to_string()))?;
                let (hashes, counts, threshold) = overflow.sample.parts();
                (Some(json), hashes, counts, threshold, overflow.numbers)
            }
        };
        Ok([
            list(texts),
            list(counts),
            ScalarValue::UInt64(Some(self.nulls)),
            ScalarValue::Utf8(json),
            list(Arc::new(UInt64Array::from(hashes))),
            list(Arc::new(UInt64Array::from(sample_counts))),
            ScalarValue::UInt64(threshold),
            list(Arc::new(Float64Array::from(numbers))),
        ])
    }

    fn merge(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let [texts, counts, nulls, overflows, hashes, sample_counts, thresholds, numbers] = states else {
            return Err(internal("expected eight state columns per column"));
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
        let overflows = overflows.as_string::<i32>();
        let (hashes, sample_counts) = (hashes.as_list::<i32>(), sample_counts.as_list::<i32>());
        let (thresholds, numbers) = (thresholds.as_primitive::<UInt64Type>(), numbers.as_list::<i32>());
        for row in 0..overflows.len() {
            if overflows.is_null(row) {
                continue;
            }
            let theirs: Overflow = serde_json::from_str(overflows.value(row)).map_err(|e| internal(&e.to_string()))?;
            let threshold = (!thresholds.is_null(row)).then(|| thresholds.value(row));
            let row_hashes = hashes.value(row);
            let row_counts = sample_counts.value(row);
            let pairs = row_hashes
                .as_primitive::<UInt64Type>()
                .iter()
                .zip(row_counts.as_primitive::<UInt64Type>().iter())
                .filter_map(|(h, n)| Some((h?, n?)));
            let mine = self.overflow.get_or_insert_with(Overflow::default);
            mine.sample.merge(pairs, threshold);
            let row_numbers = numbers.value(row);
            mine.numbers
                .extend(row_numbers.as_primitive::<Float64Type>().iter().flatten());
            mine.merge(theirs);
        }
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
            return Err(internal("eight state columns per profiled column expected"));
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
            summarize(
                &column.rule,
                column.options,
                column.nulls,
                &column.counts,
                column.overflow.as_mut(),
                column.previous.as_deref(),
            )
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
/// With an `overflow` (the rows beyond the exact budget, judged one by one), its exact counts are
/// added, and distinct texts, top values and shapes are estimated from its sketches.
pub fn summarize<'a>(
    rule: &FieldRule,
    options: ProfileOptions,
    nulls: u64,
    texts: &'a DistinctTexts,
    overflow: Option<&'a mut Overflow>,
    previous: Option<&Distribution>,
) -> DfResult<ColumnSummary> {
    // The sample and the numbers are consumed here; the rest of the overflow is read.
    let mut sample: Option<DistinctSample> = None;
    let mut overflow_numbers: Vec<f64> = Vec::new();
    let overflow: Option<&'a Overflow> = overflow.map(|o| {
        sample = Some(std::mem::take(&mut o.sample));
        overflow_numbers = std::mem::take(&mut o.numbers);
        &*o
    });
    let with_stats = has_stats(rule);
    // Fields that are not numbers, dates or timestamps are binned by their most frequent values.
    let categorical = !with_stats && !rule.pii;
    let mut categories = Categories::default();
    let mut summary = ColumnSummary {
        missing: nulls,
        estimated: overflow.is_some(),
        ..ColumnSummary::default()
    };
    let mut values = Leaders::new(options.top);
    let mut shapes: HashMap<String, u64> = HashMap::default();
    // Placeholder candidates, judged once the median count per distinct value is known (contract §5):
    // the tally of counts (count → distinct present values with it) gives the exact median with no
    // second walk and a few entries even for a column of ten million keys.
    let mut candidates: Vec<(&'a str, u64, super::placeholder::Suspect)> = Vec::new();
    let mut count_tally: HashMap<u64, u64> = HashMap::default();
    let mut kinds: HashMap<&'a str, u64> = HashMap::default();
    // The hash of each present text's folded form: only hashes seen twice are folded for real.
    let mut fold_hashes: Vec<u64> = Vec::new();
    let fold_hasher = DefaultHashBuilder::default();
    let mut shape = String::new();
    let mut typed: Vec<(Typed, &'a str, u64)> = Vec::new();
    let mut keys = KeyCount::default();
    let mut repeated_keys = TrimmedLeaders::new(EVIDENCE_TOP);
    let mut invalid_texts = TrimmedLeaders::new(EVIDENCE_TOP);
    for (text, n) in texts.iter() {
        if options.key {
            keys.add(texts, text, n);
            if !text.trim().is_empty() {
                repeated_keys.add(text, n);
            }
        }
        if super::looks_mis_decoded(text) {
            summary.mojibake += n;
        }
        let (status, value) = judge(rule, with_stats, text);
        match status {
            Status::Missing => {
                summary.missing += n;
                continue;
            }
            Status::Invalid => {
                summary.invalid += n;
                if !rule.pii {
                    invalid_texts.add(text, n);
                }
            }
            Status::Usable => {}
        }
        if let Some(value) = value {
            typed.push((value, text, n));
        }
        if categorical && status == Status::Usable {
            categories.add(rule, text, n);
        }
        summary.distinct += 1;
        *count_tally.entry(n).or_default() += 1;
        let also_in_overflow = match (sample.as_mut(), overflow) {
            (Some(sample), Some(overflow)) => {
                let hash = text_hash(text);
                sample.add(hash, n);
                overflow.values.count(hash, text)
            }
            _ => 0,
        };
        values.push(text, n + also_in_overflow);
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
        if let Some(kind) = super::placeholder::classify(text) {
            candidates.push((text, n, kind));
        }
        fold_hashes.push(folded_hash(&fold_hasher, text));
    }
    if let Some(overflow) = overflow {
        add_overflow(
            &mut summary,
            overflow,
            texts,
            &mut values,
            &mut shapes,
            &mut kinds,
            &mut candidates,
        );
        categories.usable += overflow.usable;
    }
    if let Some(sample) = sample {
        let (estimate, sampled_counts) = sample.finish();
        summary.distinct = estimate;
        count_tally.clear();
        for n in sampled_counts {
            *count_tally.entry(n).or_default() += 1;
        }
    }
    summary.values = values.into_sorted();
    summary.shapes = most_frequent(shapes.iter().map(|(s, n)| (s.as_str(), *n)).collect(), options.top);
    let median = super::placeholder::median_count(&count_tally).unwrap_or(0.0);
    let mut placeholders = Leaders::new(options.top);
    let mut all_candidates = Leaders::new(options.top);
    for (text, n, kind) in candidates {
        all_candidates.push(text, n);
        if super::placeholder::is_suspected(kind, n, median) {
            placeholders.push(text, n);
        }
    }
    summary.placeholders = placeholders.into_sorted();
    summary.candidates = all_candidates.into_sorted();
    summary.kinds = most_frequent(kinds.into_iter().collect(), usize::MAX);
    summary.variants = case_variants(rule, texts, &fold_hasher, repeated(fold_hashes));
    summary.duplicate_keys = options.key.then(|| keys.duplicates());
    if options.key && !rule.pii {
        summary.duplicate_key_values = repeated_keys.finish(texts, None, 2);
    }
    summary.invalid_values = invalid_texts.finish(texts, overflow.map(|o| &o.invalid_texts), 1);
    if with_stats {
        let numbers = sorted_numbers(&mut typed, overflow_numbers);
        (summary.distribution, summary.against_previous) = drift::numeric(&numbers, previous);
        let overflow_extremes = overflow.map(|o| (o.min.as_ref(), o.max.as_ref()));
        summary.stats = Some(typed_stats(rule, &typed, &numbers, overflow_extremes)?);
    } else if categorical {
        let extra = overflow.map(|o| &o.values);
        (summary.distribution, summary.against_previous) = categories.finish(rule, texts, extra, previous);
    }
    Ok(summary)
}

/// Adds the overflow's exact counts (missing, invalid, mojibake, kinds, placeholder candidates) and
/// its estimated leaders (values and shapes not in the exact table) to a column's summary.
fn add_overflow<'a>(
    summary: &mut ColumnSummary,
    overflow: &'a Overflow,
    texts: &DistinctTexts,
    values: &mut Leaders<'a>,
    shapes: &mut HashMap<String, u64>,
    kinds: &mut HashMap<&'a str, u64>,
    candidates: &mut Vec<(&'a str, u64, super::placeholder::Suspect)>,
) {
    summary.missing += overflow.missing;
    summary.invalid += overflow.invalid;
    summary.mojibake += overflow.mojibake;
    for (kind, n) in &overflow.kinds {
        *kinds.entry(kind.as_str()).or_default() += n;
    }
    for (text, n) in overflow.values.leaders() {
        if !texts.contains(text) {
            values.push(text, n);
        }
    }
    for (text, n) in overflow.shapes.leaders() {
        *shapes.entry(text.to_string()).or_default() += n;
    }
    for (text, n) in &overflow.candidates {
        match candidates.iter_mut().find(|(t, _, _)| t == text) {
            Some(known) => known.1 += n,
            None => {
                if let Some(kind) = super::placeholder::classify(text) {
                    candidates.push((text.as_str(), *n, kind));
                }
            }
        }
    }
}

/// The usable values of a typed column on the number line, sorted, with their counts: the exact
/// table's distinct values and the overflow's values one by one (run-length counted).
fn sorted_numbers(typed: &mut [(Typed, &str, u64)], overflow: Vec<f64>) -> Vec<(f64, u64)> {
    typed.sort_by(|a, b| typed_order(&a.0, &b.0));
    let mut numbers: Vec<(f64, u64)> = typed.iter().map(|(v, _, n)| (as_number(v), *n)).collect();
    if overflow.is_empty() {
        return numbers;
    }
    numbers.extend(overflow.into_iter().map(|x| (x, 1)));
    numbers.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    // One entry per value, as the exact table gives: the mean then sums in the same order.
    let mut merged: Vec<(f64, u64)> = Vec::with_capacity(numbers.len());
    for (x, n) in numbers {
        match merged.last_mut() {
            Some((last, count)) if last.total_cmp(&x).is_eq() => *count += n,
            _ => merged.push((x, n)),
        }
    }
    merged
}

/// The usable values of a field binned by value, gathered during the one walk over its distinct
/// texts. A value is its trimmed text (a declared boolean: `true` or `false`), so ` B2C` and `B2C`
/// are one value. Exact without a map of every value: a value can only beat the 20 most frequent
/// texts that are already their own value by also being written some other way (padded, `oui`),
/// and those other spellings are few and kept in a map.
#[derive(Default)]
struct Categories<'a> {
    usable: u64,
    /// The most frequent texts that are their own value, by their own count.
    leaders: Vec<(&'a str, u64)>,
    /// Values written some other way, with the count of those other spellings.
    respelled: HashMap<&'a str, u64>,
}

impl<'a> Categories<'a> {
    fn add(&mut self, rule: &FieldRule, text: &'a str, n: u64) {
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

    fn finish(
        self,
        rule: &FieldRule,
        texts: &DistinctTexts,
        overflow: Option<&super::sketch::TopCounts>,
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
fn category<'a>(rule: &FieldRule, text: &'a str) -> &'a str {
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
        .map(crate::base::names::strip_accent)
    {
        hasher.write_u32(c as u32);
    }
    hasher.finish()
}

fn typed_order(a: &Typed, b: &Typed) -> std::cmp::Ordering {
    match (a, b) {
        (Typed::Integer(x), Typed::Integer(y)) => x.cmp(y),
        (Typed::Date(x), Typed::Date(y)) => x.cmp(y),
        (Typed::Timestamp(x), Typed::Timestamp(y)) => x.cmp(y),
        _ => as_number(a).total_cmp(&as_number(b)),
    }
}

/// One end of a typed column's range: its place on the number line and its text.
type Extreme<'t> = Option<&'t (f64, String)>;

/// Exact min, max, mean, quartiles and deciles from the usable values (`typed`: the exact table's,
/// sorted; `numbers`: every usable value on the number line, sorted, with counts) and the overflow's
/// extremes.
fn typed_stats(
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
    let extremes = super::typed_array(rule, [Some(first.1), Some(last.1)].into_iter(), 2);
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

/// The `top` entries with the highest counts, ties broken by text (byte order).
fn most_frequent(mut entries: Vec<(&str, u64)>, top: usize) -> Vec<(String, u64)> {
    if entries.len() > top {
        entries.select_nth_unstable_by(top, by_frequency);
        entries.truncate(top);
    }
    entries.sort_unstable_by(by_frequency);
    entries.into_iter().map(|(t, n)| (shown(t), n)).collect()
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
        let s = summarize(
            &rule,
            ProfileOptions {
                top: 2,
                key: true,
                exact_limit: usize::MAX,
            },
            1,
            &distinct(&counts),
            None,
            None,
        )
        .unwrap_or_default();
        assert_eq!((s.missing, s.invalid, s.distinct), (1 + 3 + 4, 0, 4));
        assert_eq!(s.values, vec![("Abidjan".to_string(), 5), ("9999".to_string(), 2)]);
        assert_eq!(s.variants, vec![("Abidjan".to_string(), 5), ("ABIDJAN".to_string(), 2)]);
        // Present counts 5, 2, 2, 1: median 2. "9999" (a sentinel) is seen twice, under the 3 rows and
        // the 10 × median a sentinel needs (contract §5).
        assert!(s.placeholders.is_empty());
        assert_eq!(s.shapes, vec![("Aaaaaaa".to_string(), 5), ("9999".to_string(), 2)]);
        assert_eq!(s.kinds, vec![("string".to_string(), 8), ("integer".to_string(), 2)]);
        // Keys: 5 + 2 + 4 + 1 + 2 rows with a non-blank key, over 5 distinct keys.
        assert_eq!(s.duplicate_keys, Some(14 - 5));
    }

    #[test]
    fn suspected_placeholders_follow_the_contract() {
        let rule = FieldRule::plain("code");
        // 20 distinct values seen once each, "9999" 10 times, "00/00/0000" 9 times, "N/A" twice,
        // "inconnu" once: 24 distinct counts, 20 of them 1 → median 1. A sentinel needs 3 rows and
        // 10 × 1: "9999" (10) is one, "00/00/0000" (9) is not; a word needs 2 rows: "N/A" is,
        // "inconnu" (once) is not.
        let mut counts: Vec<(String, u64)> = (0..20).map(|i| (format!("C{i:03}"), 1)).collect();
        counts.extend([
            ("9999".to_string(), 10),
            ("00/00/0000".to_string(), 9),
            ("N/A".to_string(), 2),
            ("inconnu".to_string(), 1),
        ]);
        let borrowed: Vec<(&str, u64)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
        let options = ProfileOptions {
            top: 10,
            key: false,
            exact_limit: usize::MAX,
        };
        let s = summarize(&rule, options, 0, &distinct(&borrowed), None, None).unwrap_or_default();
        assert_eq!(s.placeholders, vec![("9999".to_string(), 10), ("N/A".to_string(), 2)]);
    }

    #[test]
    fn typed_statistics_are_exact() {
        let mut rule = FieldRule::plain("age");
        rule.field_type = FieldType::Integer;
        rule.type_declared = true;
        // 1, 2, 2, 3, 10 and one invalid value.
        let counts = [("2", 2), ("10", 1), ("1", 1), (" 3 ", 1), ("x", 1)];
        let options = ProfileOptions {
            top: 10,
            key: false,
            exact_limit: usize::MAX,
        };
        let s = summarize(&rule, options, 0, &distinct(&counts), None, None).unwrap_or_default();
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
                    options: ProfileOptions {
                        top: 1,
                        key: false,
                        exact_limit: usize::MAX,
                    },
                    previous: None,
                    nulls: i as u64,
                    counts,
                    overflow: None,
                }
            })
            .collect();
        let seen = for_each_column(&mut columns, 3, |i, column| Ok((i, column.nulls, column.counts.len())));
        let expected: Vec<(usize, u64, usize)> = (0..7).map(|i| (i, i as u64, i * 100)).collect();
        assert_eq!(seen.unwrap_or_default(), expected);
    }

    #[test]
    fn values_are_binned_by_trimmed_text_and_counted_in_the_previous_bins() {
        let rule = FieldRule::plain("city");
        // "A" 3 + " A" 2 = 5, "B" 4, "C " 1 (only padded), 2 blanks (missing).
        let texts = distinct(&[("A", 3), (" A", 2), ("B", 4), ("C ", 1), ("  ", 2)]);
        let previous = Distribution {
            bins: Bins::Values {
                values: vec!["B".into(), "Z".into()],
            },
            counts: vec![1, 1, 1],
        };
        let options = ProfileOptions {
            top: 10,
            key: false,
            exact_limit: usize::MAX,
        };
        let s = summarize(&rule, options, 0, &texts, None, Some(&previous)).unwrap_or_default();
        let own = s.distribution.unwrap_or(Distribution {
            bins: Bins::Values { values: Vec::new() },
            counts: Vec::new(),
        });
        assert_eq!(
            own.bins,
            Bins::Values {
                values: vec!["A".into(), "B".into(), "C".into()]
            }
        );
        assert_eq!(own.counts, vec![5, 4, 1, 0]);
        // B 4, Z 0, every other value 6.
        assert_eq!(s.against_previous, Some(vec![4, 0, 6]));
    }

    #[test]
    fn pii_columns_keep_counts_only() {
        let mut rule = FieldRule::plain("phone");
        rule.pii = true;
        let options = ProfileOptions {
            top: 10,
            key: false,
            exact_limit: usize::MAX,
        };
        let s = summarize(
            &rule,
            options,
            0,
            &distinct(&[("+225 01", 1), ("+225 02", 1)]),
            None,
            None,
        )
        .unwrap_or_default();
        assert_eq!(s.distinct, 2);
        assert!(s.shapes.is_empty() && s.placeholders.is_empty() && s.variants.is_empty());
    }
}
