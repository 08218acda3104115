//! The one argument of segaudit's scalar functions, read as text: a typed column (Parquet, a
//! database) or a NULL literal is cast to its text, so every function sees values as the data has them.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ScalarFunctionArgs;

/// The function `name`'s single argument as a text array (Utf8, LargeUtf8 or Utf8View).
pub fn text_argument(name: &str, args: &ScalarFunctionArgs) -> DfResult<ArrayRef> {
    let Some(input) = args.args.first() else {
        return Err(datafusion::error::DataFusionError::Plan(format!(
            "{name} takes one argument"
        )));
    };
    let array = input.to_array(args.number_rows)?;
    Ok(match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => array,
        _ => cast(&array, &DataType::Utf8)?,
    })
}

/// The values of a text array from [`text_argument`], borrowed.
pub fn texts(array: &ArrayRef) -> Vec<Option<&str>> {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        _ => array.as_string::<i32>().iter().collect(),
    }
}
