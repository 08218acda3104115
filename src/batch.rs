//! Reading the few numbers a query returns out of Arrow batches, by column name.

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;

/// A cell as a scalar, or NULL when the column or row is absent.
pub fn cell(batch: &RecordBatch, column: &str, row: usize) -> ScalarValue {
    batch
        .column_by_name(column)
        .filter(|array| row < array.len())
        .and_then(|array| ScalarValue::try_from_array(array, row).ok())
        .unwrap_or(ScalarValue::Null)
}

pub fn count(batch: &RecordBatch, column: &str, row: usize) -> u64 {
    match cell(batch, column, row) {
        ScalarValue::Int64(Some(v)) => u64::try_from(v).unwrap_or(0),
        ScalarValue::UInt64(Some(v)) => v,
        ScalarValue::Int32(Some(v)) => u64::try_from(v).unwrap_or(0),
        ScalarValue::UInt32(Some(v)) => u64::from(v),
        _ => 0,
    }
}

pub fn float(batch: &RecordBatch, column: &str, row: usize) -> Option<f64> {
    match cell(batch, column, row) {
        ScalarValue::Float64(v) => v,
        ScalarValue::Float32(v) => v.map(f64::from),
        ScalarValue::Int64(v) => v.map(|x| x as f64),
        _ => None,
    }
}

pub fn text(batch: &RecordBatch, column: &str, row: usize) -> Option<String> {
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
pub fn rows(batches: &[RecordBatch]) -> impl Iterator<Item = (&RecordBatch, usize)> {
    batches.iter().flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)))
}
