//! The profile aggregate's partial state: every distinct text of a column counted exactly up to a
//! budget, the rest judged row by row; merged across partitions and summarised on several threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, UInt64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, UInt64Type};
use datafusion::common::utils::SingleRowListArrayBuilder;
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::Accumulator;

use super::summary::*;
use super::types::*;
use crate::engine::drift::Distribution;
use crate::engine::udf::distinct::DistinctTexts;
use crate::engine::udf::judgement::has_stats;
use crate::engine::udf::overflow::Overflow;
use crate::spec::fieldcheck::FieldRule;

/// Every distinct text of one column counted exactly, up to its budget; the rows beyond it judged one
/// by one into `overflow` (the partial state merged across partitions).
#[derive(Debug)]
pub(super) struct ColumnState {
    pub(super) rule: Arc<FieldRule>,
    pub(super) options: ProfileOptions,
    pub(super) previous: Option<Arc<Distribution>>,
    pub(super) nulls: u64,
    pub(super) counts: DistinctTexts,
    /// Set once the exact table holds more distinct texts than the budget: the table then only
    /// counts the texts it holds, every other row goes here.
    pub(super) overflow: Option<Overflow>,
}

/// State columns per profiled column: texts, counts, nulls, overflow (JSON), sample hashes, sample
/// counts, sample threshold, typed numbers of the overflow.
pub(super) const STATE_COLUMNS: usize = 8;

impl ColumnState {
    pub(super) fn update(&mut self, array: &ArrayRef) -> DfResult<()> {
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

    pub(super) fn state(&mut self) -> DfResult<[ScalarValue; STATE_COLUMNS]> {
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

    pub(super) fn merge(&mut self, states: &[ArrayRef]) -> DfResult<()> {
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

pub(super) fn internal(message: &str) -> DataFusionError {
    DataFusionError::Internal(format!("column profile: {message}"))
}

/// The accumulator of one partition: an empty state per profiled column.
pub(super) fn accumulator(columns: &[ProfiledColumn], threads: usize) -> TableProfileAccumulator {
    TableProfileAccumulator {
        columns: columns
            .iter()
            .map(|(rule, options, previous)| ColumnState {
                rule: rule.clone(),
                options: *options,
                previous: previous.clone(),
                nulls: 0,
                counts: DistinctTexts::default(),
                overflow: None,
            })
            .collect(),
        threads,
    }
}

#[derive(Debug)]
pub(super) struct TableProfileAccumulator {
    pub(super) columns: Vec<ColumnState>,
    pub(super) threads: usize,
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
pub(super) type Slot<'a, T> = (&'a mut ColumnState, Option<DfResult<T>>);

/// Runs `work` on every column on up to `threads` threads, the columns with the most distinct texts
/// first (so that a huge key column does not start last), and returns the results in column order.
pub(super) fn for_each_column<T: Send>(
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
