//! A `[[link]]` side's values as the link compares them (contract §10): the trimmed text, or NULL
//! when the value is missing by contract §3 — NULL, empty or whitespace only, or one of the side's
//! `null_tokens` once trimmed. Rust's `trim` is the one the profile uses; SQL's `trim` only strips
//! spaces, so a tab-padded key would otherwise match differently here and in the field profile.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use datafusion::prelude::SessionContext;

use crate::base::text_argument::{text_argument, texts};
use crate::spec::link::Link;

#[derive(Debug)]
struct LinkText {
    name: String,
    signature: Signature,
    tokens: Arc<Vec<String>>,
}

impl PartialEq for LinkText {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for LinkText {}
impl Hash for LinkText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// The function reading side `side` (0: `from`, 1: `to`) of link `index`.
pub fn name(index: usize, side: usize) -> String {
    format!("segaudit_link_{index}_{side}")
}

/// Registers both sides' functions of every link, each with its source's null tokens.
pub fn register(ctx: &SessionContext, links: &[Link]) {
    for (i, link) in links.iter().enumerate() {
        for (side, end) in [&link.from, &link.to].into_iter().enumerate() {
            ctx.register_udf(ScalarUDF::new_from_impl(LinkText {
                name: name(i, side),
                signature: Signature::any(1, Volatility::Immutable),
                tokens: Arc::new(end.null_tokens.clone()),
            }));
        }
    }
}

/// The value as the link compares it: trimmed, or `None` when missing.
fn present<'a>(text: Option<&'a str>, tokens: &[String]) -> Option<&'a str> {
    let trimmed = text?.trim();
    (!trimmed.is_empty() && !tokens.iter().any(|t| t == trimmed)).then_some(trimmed)
}

impl ScalarUDFImpl for LinkText {
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
        let array = text_argument(&self.name, &args)?;
        let values = texts(&array);
        let mut out = StringBuilder::with_capacity(values.len(), values.len() * 8);
        for text in values {
            out.append_option(present(text, &self.tokens));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_are_null_and_others_trimmed() {
        let tokens = vec!["N/A".to_string()];
        assert_eq!(present(Some(" C1\t"), &tokens), Some("C1"));
        assert_eq!(present(Some(" N/A "), &tokens), None);
        assert_eq!(present(Some("n/a"), &tokens), Some("n/a"));
        assert_eq!(present(Some(" \t "), &tokens), None);
        assert_eq!(present(None, &tokens), None);
    }
}
