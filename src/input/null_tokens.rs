//! A source's `null_tokens` on typed inputs (Parquet, NDJSON): a text value equal, once trimmed, to one
//! of the tokens reads as NULL. CSV applies them while it is prepared; this is the same rule for
//! columns DataFusion reads itself.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

#[derive(Debug)]
struct NullTokens {
    name: String,
    signature: Signature,
    tokens: Arc<Vec<String>>,
}

impl PartialEq for NullTokens {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for NullTokens {}
impl Hash for NullTokens {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// The function `name(text)`: NULL when the trimmed text is one of `tokens`, the text otherwise.
pub fn udf(name: &str, tokens: Arc<Vec<String>>) -> ScalarUDF {
    ScalarUDF::new_from_impl(NullTokens {
        name: name.to_string(),
        signature: Signature::any(1, Volatility::Immutable),
        tokens,
    })
}

impl ScalarUDFImpl for NullTokens {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let Some(input) = args.args.first() else {
            return Err(datafusion::error::DataFusionError::Plan(format!(
                "{} takes one argument",
                self.name
            )));
        };
        let array = input.to_array(args.number_rows)?;
        // Only text columns are wrapped; anything else is read as its text rather than refused.
        let array = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => array,
            _ => cast(&array, &DataType::Utf8)?,
        };
        let tokens = &self.tokens;
        fn kept<'a>(tokens: &[String], text: Option<&'a str>) -> Option<&'a str> {
            text.filter(|s| !tokens.iter().any(|token| token == s.trim()))
        }
        let mut out = StringBuilder::with_capacity(array.len(), array.len() * 8);
        match array.data_type() {
            DataType::LargeUtf8 => array
                .as_string::<i64>()
                .iter()
                .for_each(|t| out.append_option(kept(tokens, t))),
            DataType::Utf8View => array
                .as_string_view()
                .iter()
                .for_each(|t| out.append_option(kept(tokens, t))),
            _ => array
                .as_string::<i32>()
                .iter()
                .for_each(|t| out.append_option(kept(tokens, t))),
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
    }
}
