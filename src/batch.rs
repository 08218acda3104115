//! Reading the few numbers a query returns out of Arrow batches, by column name.

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{HashMap, ScalarValue};

/// One result batch with its columns indexed by name. A strata or segment result has thousands of
/// columns: finding each by scanning the schema made reading it quadratic (27 s of a 30 s audit of
/// 150 fields × 30 segments).
pub struct Named<'a> {
    batch: &'a RecordBatch,
    index: HashMap<&'a str, usize>,
}

impl<'a> Named<'a> {
    pub fn new(batch: &'a RecordBatch) -> Self {
        let schema = batch.schema_ref();
        let index = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, field)| (field.name().as_str(), i))
            .collect();
        Self { batch, index }
    }

    pub fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }
}

/// Every batch of a result, indexed.
pub fn named(batches: &[RecordBatch]) -> Vec<Named<'_>> {
    batches.iter().map(Named::new).collect()
}

/// A cell as a scalar, or NULL when the column or row is absent.
pub fn cell(batch: &Named, column: &str, row: usize) -> ScalarValue {
    batch
        .index
        .get(column)
        .map(|&i| batch.batch.column(i))
        .filter(|array| row < array.len())
        .and_then(|array| ScalarValue::try_from_array(array, row).ok())
        .unwrap_or(ScalarValue::Null)
}

pub fn count(batch: &Named, column: &str, row: usize) -> u64 {
    match cell(batch, column, row) {
        ScalarValue::Int64(Some(v)) => u64::try_from(v).unwrap_or(0),
        ScalarValue::UInt64(Some(v)) => v,
        ScalarValue::Int32(Some(v)) => u64::try_from(v).unwrap_or(0),
        ScalarValue::UInt32(Some(v)) => u64::from(v),
        _ => 0,
    }
}

pub fn float(batch: &Named, column: &str, row: usize) -> Option<f64> {
    match cell(batch, column, row) {
        ScalarValue::Float64(v) => v,
        ScalarValue::Float32(v) => v.map(f64::from),
        ScalarValue::Int64(v) => v.map(|x| x as f64),
        _ => None,
    }
}

pub fn text(batch: &Named, column: &str, row: usize) -> Option<String> {
    let value = cell(batch, column, row);
    if value.is_null() {
        return None;
    }
    match value {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v,
        other => Some(other.to_string()),
    }
}

/// Every (batch, row) pair of a result.
pub fn rows<'a>(batches: &'a [Named<'a>]) -> impl Iterator<Item = (&'a Named<'a>, usize)> {
    batches.iter().flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)))
}
