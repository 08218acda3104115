//! Reading the numbers a query returns out of Arrow batches, through the one definition of each
//! result column ([`Col`]): a column the result lacks, or of the wrong kind, is an error, never 0.

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{HashMap, ScalarValue};

use crate::base::error::{Error, Result};
use crate::engine::columns::Col;

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

    /// Whether the result has this column (a pass whose shape varies, e.g. grouping sets or not).
    pub fn has(&self, column: &Col) -> bool {
        self.index.contains_key(column.alias().as_str())
    }
}

/// Every batch of a result, indexed.
pub fn named(batches: &[RecordBatch]) -> Vec<Named<'_>> {
    batches.iter().map(Named::new).collect()
}

fn missing(column: &Col) -> Error {
    Error::new(format!("internal error: a query result has no column `{column}`"))
        .with_tip("this is a bug in segaudit: please report it with the output of --show-sql")
}

fn wrong_kind(column: &Col, value: &ScalarValue) -> Error {
    Error::new(format!(
        "internal error: result column `{column}` holds {} where {:?} was expected",
        value.data_type(),
        column.kind()
    ))
    .with_tip("this is a bug in segaudit: please report it with the output of --show-sql")
}

/// A cell as a scalar; an error when the result has no such column.
pub fn cell(batch: &Named, column: &Col, row: usize) -> Result<ScalarValue> {
    let array = array(batch, column)?;
    if row >= array.len() {
        return Ok(ScalarValue::Null);
    }
    ScalarValue::try_from_array(array, row).map_err(|e| Error::engine(format!("reading `{column}`"), e))
}

/// A count column's value (NULL, as an empty aggregate gives, is 0).
pub fn count(batch: &Named, column: &Col, row: usize) -> Result<u64> {
    let value = cell(batch, column, row)?;
    match value {
        ScalarValue::Int64(Some(v)) => u64::try_from(v).map_err(|_| wrong_kind(column, &ScalarValue::Int64(Some(v)))),
        ScalarValue::UInt64(Some(v)) => Ok(v),
        ScalarValue::Int32(Some(v)) => u64::try_from(v).map_err(|_| wrong_kind(column, &ScalarValue::Int32(Some(v)))),
        ScalarValue::UInt32(Some(v)) => Ok(u64::from(v)),
        other if other.is_null() => Ok(0),
        other => Err(wrong_kind(column, &other)),
    }
}

/// A column's value as text (NULL: `None`).
pub fn text(batch: &Named, column: &Col, row: usize) -> Result<Option<String>> {
    let value = cell(batch, column, row)?;
    if value.is_null() {
        return Ok(None);
    }
    Ok(match value {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v,
        other => Some(other.to_string()),
    })
}

/// A truth column's value (NULL: `None`).
pub fn truth(batch: &Named, column: &Col, row: usize) -> Result<Option<bool>> {
    match cell(batch, column, row)? {
        ScalarValue::Boolean(v) => Ok(v),
        other if other.is_null() => Ok(None),
        other => Err(wrong_kind(column, &other)),
    }
}

/// The array of a column; an error when the result has no such column.
fn array<'a>(batch: &'a Named, column: &Col) -> Result<&'a datafusion::arrow::array::ArrayRef> {
    batch
        .index
        .get(column.alias().as_str())
        .map(|&i| batch.batch.column(i))
        .ok_or_else(|| missing(column))
}

/// A whole integer column at once (NULL: `None`): the fused pass returns thousands of groups,
/// read faster than cell by cell.
pub fn integers(batch: &Named, column: &Col) -> Result<Vec<Option<i64>>> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::{DataType, Int64Type};
    let array = array(batch, column)?;
    let array = datafusion::arrow::compute::cast(array, &DataType::Int64)
        .map_err(|e| Error::new(format!("internal error: reading `{column}`: {e}")))?;
    Ok(array.as_primitive::<Int64Type>().iter().collect())
}

/// A whole count column at once (NULL, as an empty aggregate gives, is 0).
pub fn counts(batch: &Named, column: &Col) -> Result<Vec<u64>> {
    integers(batch, column)?
        .into_iter()
        .map(|v| {
            let v = v.unwrap_or(0);
            u64::try_from(v).map_err(|_| wrong_kind(column, &ScalarValue::Int64(Some(v))))
        })
        .collect()
}

/// A whole column as text at once (NULL: `None`).
pub fn texts(batch: &Named, column: &Col) -> Result<Vec<Option<String>>> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::DataType;
    let array = array(batch, column)?;
    let array = datafusion::arrow::compute::cast(array, &DataType::Utf8)
        .map_err(|e| Error::new(format!("internal error: reading `{column}`: {e}")))?;
    Ok(array.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect())
}

/// Every (batch, row) pair of a result.
pub fn rows<'a>(batches: &'a [Named<'a>]) -> impl Iterator<Item = (&'a Named<'a>, usize)> {
    batches.iter().flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;

    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn result() -> std::result::Result<RecordBatch, Box<dyn std::error::Error>> {
        let members: ArrayRef = Arc::new(Int64Array::from(vec![42]));
        let value: ArrayRef = Arc::new(StringArray::from(vec!["Man"]));
        let truth: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true)]));
        Ok(RecordBatch::try_from_iter([
            (Col::FieldUsable(0).alias(), members),
            (Col::Stratum(0).alias(), value),
            (Col::RuleTruth(0).alias(), truth),
        ])?)
    }

    #[test]
    fn a_column_is_read_by_its_one_definition() -> TestResult {
        let batch = result()?;
        let named = Named::new(&batch);
        assert_eq!(count(&named, &Col::FieldUsable(0), 0).map_err(|e| e.english())?, 42);
        assert_eq!(
            text(&named, &Col::Stratum(0), 0).map_err(|e| e.english())?.as_deref(),
            Some("Man")
        );
        assert_eq!(
            truth(&named, &Col::RuleTruth(0), 0).map_err(|e| e.english())?,
            Some(true)
        );
        Ok(())
    }

    #[test]
    fn a_misspelt_or_absent_alias_fails_loudly() -> TestResult {
        // The SQL wrote `field_usable_0`; a reader asking for column 1 (or any alias the SQL did not
        // write) gets an error naming the column, never a count of 0.
        let batch = result()?;
        let named = Named::new(&batch);
        let absent = count(&named, &Col::FieldUsable(1), 0);
        assert!(
            matches!(&absent, Err(e) if e.english().contains("`field_usable_1`")),
            "{absent:?}"
        );
        let misspelt = count(&named, &Col::Data("field_usable0".into()), 0);
        assert!(
            matches!(&misspelt, Err(e) if e.english().contains("`field_usable0`")),
            "{misspelt:?}"
        );
        Ok(())
    }

    #[test]
    fn whole_columns_are_read_at_once() -> TestResult {
        let batch = result()?;
        let named = Named::new(&batch);
        assert_eq!(counts(&named, &Col::FieldUsable(0)).map_err(|e| e.english())?, vec![42]);
        assert_eq!(
            texts(&named, &Col::Stratum(0)).map_err(|e| e.english())?,
            vec![Some("Man".to_string())]
        );
        assert!(named.has(&Col::FieldUsable(0)) && !named.has(&Col::By));
        assert!(counts(&named, &Col::By).is_err());
        Ok(())
    }

    #[test]
    fn a_column_of_the_wrong_kind_is_an_error() -> TestResult {
        let batch = result()?;
        let named = Named::new(&batch);
        assert!(count(&named, &Col::Data(Col::Stratum(0).alias()), 0).is_err());
        assert!(truth(&named, &Col::Data(Col::FieldUsable(0).alias()), 0).is_err());
        Ok(())
    }
}
