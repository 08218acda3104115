//! A source's `null_tokens` on typed inputs (Parquet, NDJSON): a text value equal, once trimmed, to one
//! of the tokens reads as NULL. CSV applies them while it is prepared; this is the same rule for
//! columns DataFusion reads itself.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::base::text_argument::{text_argument, texts};
use datafusion::arrow::array::{Array, ArrayRef, StringBuilder};
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
        // Only text columns are wrapped; anything else would be read as its text rather than refused.
        let array = text_argument(&self.name, &args)?;
        let mut out = StringBuilder::with_capacity(array.len(), array.len() * 8);
        for text in texts(&array) {
            out.append_option(text.filter(|s| !self.tokens.iter().any(|token| token == s.trim())));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
    }
}
