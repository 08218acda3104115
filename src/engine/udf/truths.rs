//! `segaudit_truths(b0, b1, …)`: up to [`PER_KEY`] three-valued booleans packed into one integer, two
//! bits each, so the fused pass can group rows by every segment's population and rule truth and every
//! segment field's absence with a few integer keys, and count everything else from the groups.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility};

/// The function's name.
pub const TRUTHS: &str = "segaudit_truths";
/// Truth values one key holds: 31 × 2 bits fit a non-negative `Int64`.
pub const PER_KEY: usize = 31;

const FALSE: i64 = 0;
const TRUE: i64 = 1;
const NULL: i64 = 2;

/// The truth value packed at `index` of the keys (`keys[index / PER_KEY]`).
pub fn unpack(keys: &[i64], index: usize) -> Option<bool> {
    let key = keys.get(index / PER_KEY).copied().unwrap_or(NULL);
    match (key >> ((index % PER_KEY) * 2)) & 3 {
        FALSE => Some(false),
        TRUE => Some(true),
        _ => None,
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TruthsUdf {
    signature: Signature,
}

impl TruthsUdf {
    pub fn new() -> Self {
        Self {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TruthsUdf {
    fn name(&self) -> &str {
        TRUTHS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Only conditions: a predicate of another type is refused when the statement is planned.
    fn return_type(&self, arg_types: &[DataType]) -> DfResult<DataType> {
        if arg_types.len() > PER_KEY {
            return Err(DataFusionError::Plan(format!(
                "{TRUTHS} packs at most {PER_KEY} values"
            )));
        }
        match arg_types
            .iter()
            .find(|t| !matches!(t, DataType::Boolean | DataType::Null))
        {
            Some(other) => Err(DataFusionError::Plan(format!(
                "a segment's population or rule must be a condition (TRUE, FALSE or NULL), not {other}"
            ))),
            None => Ok(DataType::Int64),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let n = args.number_rows;
        let mut keys = vec![0i64; n];
        for (i, arg) in args.args.iter().enumerate() {
            let array = arg.to_array(n)?;
            let shift = i * 2;
            if array.data_type() == &DataType::Null {
                keys.iter_mut().for_each(|k| *k |= NULL << shift);
                continue;
            }
            let values = array.as_boolean();
            for (row, key) in keys.iter_mut().enumerate() {
                let code = if values.is_null(row) {
                    NULL
                } else if values.value(row) {
                    TRUE
                } else {
                    FALSE
                };
                *key |= code << shift;
            }
        }
        let mut builder = Int64Builder::with_capacity(n);
        builder.append_slice(&keys);
        Ok(ColumnarValue::Array(Arc::new(builder.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks_three_values() {
        // FALSE, TRUE, NULL at 0, 1, 2; then a second key.
        let keys = [FALSE | (TRUE << 2) | (NULL << 4), TRUE];
        assert_eq!(unpack(&keys, 0), Some(false));
        assert_eq!(unpack(&keys, 1), Some(true));
        assert_eq!(unpack(&keys, 2), None);
        assert_eq!(unpack(&keys, PER_KEY), Some(true));
        assert_eq!(unpack(&keys, PER_KEY + 1), Some(false));
    }
}
