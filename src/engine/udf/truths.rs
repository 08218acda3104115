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
            // Bit by bit over the buffers, not row by row: one pass over the TRUE bits, then the
            // NULL rows (if any) overwrite their two bits.
            let values = array.as_boolean();
            for row in values.values().set_indices() {
                keys[row] |= TRUE << shift;
            }
            if let Some(nulls) = values.logical_nulls().filter(|n| n.null_count() > 0) {
                for row in (!nulls.inner()).set_indices() {
                    keys[row] = (keys[row] & !(3 << shift)) | (NULL << shift);
                }
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
    fn packs_columns_of_truth_values() -> DfResult<()> {
        use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array};
        use datafusion::arrow::datatypes::Field;
        let a: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None, Some(false), None]));
        // A NULL whose value bit is set must still read as NULL.
        let b: ArrayRef = Arc::new(BooleanArray::new(
            vec![true, true, false, false].into(),
            Some(vec![false, true, true, false].into()),
        ));
        let args = ScalarFunctionArgs {
            args: vec![ColumnarValue::Array(a), ColumnarValue::Array(b)],
            arg_fields: vec![
                Arc::new(Field::new("a", DataType::Boolean, true)),
                Arc::new(Field::new("b", DataType::Boolean, true)),
            ],
            number_rows: 4,
            return_field: Arc::new(Field::new("t", DataType::Int64, false)),
            config_options: Arc::new(Default::default()),
        };
        let ColumnarValue::Array(keys) = TruthsUdf::new().invoke_with_args(args)? else {
            return Err(DataFusionError::Internal("a scalar for arrays".into()));
        };
        let keys: Vec<i64> = keys
            .as_any()
            .downcast_ref::<Int64Array>()
            .map(|k| k.values().to_vec())
            .unwrap_or_default();
        // Canonical keys: a NULL is exactly code 2, whatever its value bit.
        assert_eq!(keys[0], TRUE | (NULL << 2));
        let read = |row: usize| (unpack(&keys[row..=row], 0), unpack(&keys[row..=row], 1));
        assert_eq!(read(0), (Some(true), None));
        assert_eq!(read(1), (None, Some(true)));
        assert_eq!(read(2), (Some(false), Some(false)));
        assert_eq!(read(3), (None, None));
        Ok(())
    }

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
