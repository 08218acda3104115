//! Every scalar UDF segaudit adds to DataFusion, and the one function that registers them: the hot
//! per-value work (missing/invalid test, typing, shapes, placeholder and mojibake checks) walks each
//! value once in Rust instead of chains of string functions. The profile aggregate lives in
//! [`profile`] (its distinct-text table in [`distinct`]); everything is registered by [`register_all`], the one place a distributed executor
//! would have to mirror.

mod distinct;
mod profile;

pub use profile::{has_stats, summarize, ColumnSummary, ProfileOptions, PROFILE};

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, Int8Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use datafusion::prelude::SessionContext;

use crate::fieldcheck::{parse_bool, parse_float, FieldRule, FieldType, Typed};

/// What a text UDF computes for each value.
#[derive(Debug, Clone)]
pub enum TextFn {
    /// 0 usable, 1 missing, 2 invalid, per the field's expectations.
    Status(Arc<FieldRule>),
    /// The parsed value when usable, NULL otherwise.
    Value(Arc<FieldRule>),
    /// Trimmed text, NULL when empty.
    Clean,
    /// Letters → a/A, digits → 9, other characters kept.
    Shape,
    /// Whether a value looks like a disguised missing value.
    Placeholder,
    /// The type a value looks like: integer, float, boolean, date, timestamp or string.
    Kind,
    /// Text that looks mis-decoded (`Ã©`, U+FFFD).
    Mojibake,
    /// Trimmed, lower-cased, accents removed: case and spelling variants fold together.
    Fold,
    /// NULL when the trimmed value is one of the tokens, the text otherwise.
    NullTokens(Arc<Vec<String>>),
}

#[derive(Debug)]
pub struct TextUdf {
    name: String,
    signature: Signature,
    func: TextFn,
}

impl PartialEq for TextUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for TextUdf {}
impl Hash for TextUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

pub const CLEAN: &str = "segaudit_clean";
pub const SHAPE: &str = "segaudit_shape";
pub const PLACEHOLDER: &str = "segaudit_placeholder";
pub const KIND: &str = "segaudit_kind";
pub const MOJIBAKE: &str = "segaudit_mojibake";
pub const FOLD: &str = "segaudit_fold";

pub fn status_name(index: usize) -> String {
    format!("segaudit_status_{index}")
}
pub fn value_name(index: usize) -> String {
    format!("segaudit_value_{index}")
}

pub fn text_udf(name: &str, func: TextFn) -> ScalarUDF {
    ScalarUDF::new_from_impl(TextUdf {
        name: name.to_string(),
        signature: Signature::any(1, Volatility::Immutable),
        func,
    })
}

/// Registers the fixed UDFs, per field rule (index = position in `rules`) its status and value
/// functions, and the profile aggregate over all rules, keeping `top` entries per family (`key`: the
/// subject key's index) and finishing on as many threads as the session has partitions.
pub fn register_all(ctx: &SessionContext, rules: &[Arc<FieldRule>], top: usize, key: Option<usize>) {
    for (name, func) in [
        (CLEAN, TextFn::Clean),
        (SHAPE, TextFn::Shape),
        (PLACEHOLDER, TextFn::Placeholder),
        (KIND, TextFn::Kind),
        (MOJIBAKE, TextFn::Mojibake),
        (FOLD, TextFn::Fold),
    ] {
        ctx.register_udf(text_udf(name, func));
    }
    for (i, rule) in rules.iter().enumerate() {
        ctx.register_udf(text_udf(&status_name(i), TextFn::Status(rule.clone())));
        ctx.register_udf(text_udf(&value_name(i), TextFn::Value(rule.clone())));
    }
    let columns = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            (
                rule.clone(),
                ProfileOptions {
                    top,
                    key: key == Some(i),
                },
            )
        })
        .collect();
    let threads = ctx.copied_config().target_partitions();
    ctx.register_udaf(profile::table_profile_udaf(columns, threads));
}

pub fn value_type(field_type: FieldType) -> DataType {
    match field_type {
        FieldType::String => DataType::Utf8,
        FieldType::Integer => DataType::Int64,
        FieldType::Float => DataType::Float64,
        FieldType::Boolean => DataType::Boolean,
        FieldType::Date => DataType::Date32,
        FieldType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
    }
}

impl ScalarUDFImpl for TextUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(match &self.func {
            TextFn::Status(_) => DataType::Int8,
            TextFn::Value(rule) => value_type(rule.field_type),
            TextFn::Clean | TextFn::Shape | TextFn::Kind | TextFn::Fold | TextFn::NullTokens(_) => DataType::Utf8,
            TextFn::Placeholder | TextFn::Mojibake => DataType::Boolean,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let Some(input) = args.args.first() else {
            return Err(datafusion::error::DataFusionError::Plan(format!(
                "{} takes one argument",
                self.name
            )));
        };
        let array = input.to_array(args.number_rows)?;
        // Non-text input (a typed Parquet column, a NULL literal) is read as its text.
        let array = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => array,
            _ => cast(&array, &DataType::Utf8)?,
        };
        let texts = as_texts(&array);
        Ok(ColumnarValue::Array(self.apply(&texts)))
    }
}

/// The values of a string array, borrowed.
fn as_texts(array: &ArrayRef) -> Vec<Option<&str>> {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        _ => array.as_string::<i32>().iter().collect(),
    }
}

impl TextUdf {
    fn apply(&self, texts: &[Option<&str>]) -> ArrayRef {
        let n = texts.len();
        let iter = texts.iter().copied();
        match &self.func {
            TextFn::Status(rule) => {
                let mut b = Int8Builder::with_capacity(n);
                iter.for_each(|t| b.append_value(rule.status(t).code()));
                Arc::new(b.finish())
            }
            TextFn::Value(rule) => typed_array(rule, iter, n),
            TextFn::Clean => strings(iter.map(|t| t.map(str::trim).filter(|s| !s.is_empty())), n),
            TextFn::Shape => strings(iter.map(|t| t.map(shape)), n),
            TextFn::Fold => strings(iter.map(|t| t.map(crate::names::fold_value)), n),
            TextFn::Kind => strings(iter.map(|t| t.map(|s| kind(s.trim()))), n),
            TextFn::NullTokens(tokens) => {
                strings(iter.map(|t| t.filter(|s| !tokens.iter().any(|tok| tok == s.trim()))), n)
            }
            TextFn::Placeholder => booleans(iter.map(|t| t.map(looks_like_placeholder)), n),
            TextFn::Mojibake => booleans(iter.map(|t| t.map(looks_mis_decoded)), n),
        }
    }
}

fn strings<S: AsRef<str>>(values: impl Iterator<Item = Option<S>>, n: usize) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(n, n * 8);
    values.for_each(|v| b.append_option(v));
    Arc::new(b.finish())
}

fn booleans(values: impl Iterator<Item = Option<bool>>, n: usize) -> ArrayRef {
    let mut b = BooleanBuilder::with_capacity(n);
    values.for_each(|v| b.append_option(v));
    Arc::new(b.finish())
}

fn typed_array<'a>(rule: &FieldRule, values: impl Iterator<Item = Option<&'a str>>, n: usize) -> ArrayRef {
    let parsed = values.map(|t| rule.check(t).1);
    match rule.field_type {
        FieldType::String => strings(
            parsed.map(|v| if let Some(Typed::Text(s)) = v { Some(s) } else { None }),
            n,
        ),
        FieldType::Integer => {
            let mut b = Int64Builder::with_capacity(n);
            parsed.for_each(|v| b.append_option(if let Some(Typed::Integer(i)) = v { Some(i) } else { None }));
            Arc::new(b.finish())
        }
        FieldType::Float => {
            let mut b = Float64Builder::with_capacity(n);
            parsed.for_each(|v| b.append_option(if let Some(Typed::Float(f)) = v { Some(f) } else { None }));
            Arc::new(b.finish())
        }
        FieldType::Boolean => booleans(
            parsed.map(|v| if let Some(Typed::Boolean(x)) = v { Some(x) } else { None }),
            n,
        ),
        FieldType::Date => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            let mut b = Date32Builder::with_capacity(n);
            parsed.for_each(|v| {
                b.append_option(match v {
                    Some(Typed::Date(d)) => i32::try_from((d - epoch).num_days()).ok(),
                    _ => None,
                })
            });
            Arc::new(b.finish())
        }
        FieldType::Timestamp => {
            let mut b = TimestampMicrosecondBuilder::with_capacity(n);
            parsed.for_each(|v| {
                b.append_option(match v {
                    Some(Typed::Timestamp(t)) => Some(t.and_utc().timestamp_micros()),
                    _ => None,
                })
            });
            Arc::new(b.finish())
        }
    }
}

const SHAPE_MAX_CHARS: usize = 40;

/// The value's shape: `+225 07 12 34 56` → `+999 99 99 99 99`, `12/03/1985` → `99/99/9999`.
pub fn shape(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SHAPE_MAX_CHARS + 3));
    shape_into(text, &mut out);
    out
}

/// [`shape`] written into a reused buffer (cleared first).
pub fn shape_into(text: &str, out: &mut String) {
    out.clear();
    let trimmed = text.trim();
    for (i, c) in trimmed.chars().enumerate() {
        if i == SHAPE_MAX_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_ascii_digit() {
            '9'
        } else if c.is_alphabetic() {
            if c.is_uppercase() {
                'A'
            } else {
                'a'
            }
        } else {
            c
        });
    }
}

const PLACEHOLDER_WORDS: [&str; 40] = [
    "n/a",
    "na",
    "n.a.",
    "n.a",
    "nan",
    "null",
    "none",
    "nil",
    "?",
    "??",
    "???",
    "-",
    "--",
    "---",
    ".",
    "..",
    "...",
    "x",
    "xx",
    "xxx",
    "xxxx",
    "unknown",
    "inconnu",
    "inconnue",
    "non renseigné",
    "non renseigne",
    "nr",
    "nc",
    "n/c",
    "nd",
    "n/d",
    "néant",
    "neant",
    "vide",
    "empty",
    "missing",
    "undefined",
    "#n/a",
    "0000-00-00",
    "00/00/0000",
];

/// Values that usually stand for "no value": `N/A`, `inconnu`, `00/00/0000`, `9999`, `000`.
pub fn looks_like_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return false;
    }
    // An ASCII value can only match the ASCII words, and needs no lower-cased copy for it.
    if trimmed.is_ascii() {
        let mut words = PLACEHOLDER_WORDS.iter().chain(["9999-12-31", "31/12/9999"].iter());
        if words.any(|w| w.eq_ignore_ascii_case(trimmed)) {
            return true;
        }
    } else if trimmed.len() <= 16 {
        // No placeholder word is longer than this: longer values are spared the lower-casing.
        let lower = trimmed.to_lowercase();
        if PLACEHOLDER_WORDS.contains(&lower.as_str()) || matches!(lower.as_str(), "9999-12-31" | "31/12/9999") {
            return true;
        }
    }
    let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let repeated_sentinel =
        digits.len() >= 3 && (digits.bytes().all(|b| b == b'9') || digits.bytes().all(|b| b == b'0'));
    let repeated_symbol = trimmed.chars().count() >= 2 && {
        let mut chars = trimmed.chars();
        let first = chars.next().unwrap_or('a');
        !first.is_alphanumeric() && chars.all(|c| c == first)
    };
    repeated_sentinel || repeated_symbol
}

/// UTF-8 text decoded as Windows-1252 shows `Ã` or `Â` before a continuation-range character.
pub fn looks_mis_decoded(text: &str) -> bool {
    if text.contains('\u{FFFD}') || text.contains("â€") {
        return true;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, 'Ã' | 'Â') {
            if let Some(&next) = chars.peek() {
                if ('\u{80}'..='\u{BF}').contains(&next) || "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".contains(next)
                {
                    return true;
                }
            }
        }
    }
    false
}

const DATE_FORMATS: [&str; 6] = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y", "%m/%d/%Y"];
const TIMESTAMP_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
];

/// The common date formats a value matches first, if any (for `init` and observed types).
pub fn date_format_of(trimmed: &str) -> Option<&'static str> {
    DATE_FORMATS
        .iter()
        .copied()
        .find(|f| NaiveDate::parse_from_str(trimmed, f).is_ok())
}

/// Only digits and date/time separators, starting with a digit: the cheap test that spares most
/// values the format-by-format parse attempts.
fn could_be_temporal(trimmed: &str) -> bool {
    trimmed.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && trimmed.len() <= 40
        && trimmed.bytes().all(|b| b.is_ascii_digit() || b" -/.:T".contains(&b))
}

/// The type a single trimmed value looks like.
pub fn kind(trimmed: &str) -> &'static str {
    if trimmed.parse::<i64>().is_ok() {
        "integer"
    } else if parse_float(trimmed).is_some() {
        "float"
    } else if parse_bool(trimmed).is_some() {
        "boolean"
    } else if could_be_temporal(trimmed) && date_format_of(trimmed).is_some() {
        "date"
    } else if could_be_temporal(trimmed)
        && TIMESTAMP_FORMATS
            .iter()
            .any(|f| chrono::NaiveDateTime::parse_from_str(trimmed, f).is_ok())
    {
        "timestamp"
    } else {
        "string"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_map_letters_and_digits() {
        assert_eq!(shape("+225 07 12 34 56"), "+999 99 99 99 99");
        assert_eq!(shape(" 12/03/1985 "), "99/99/9999");
        assert_eq!(shape("Île-de-France"), "Aaa-aa-Aaaaaa");
    }

    #[test]
    fn placeholders_are_recognised() {
        for v in ["N/A", "inconnu", "00/00/0000", "9999", "000", "-999", "###", " NULL "] {
            assert!(looks_like_placeholder(v), "{v}");
        }
        for v in ["Abidjan", "0", "99", "1985-03-12", "12"] {
            assert!(!looks_like_placeholder(v), "{v}");
        }
        for v in ["NÉANT", "Non Renseigné", "n/A"] {
            assert!(looks_like_placeholder(v), "{v}");
        }
        // Non-ASCII values longer than this skip the lower-cased comparison.
        assert!(PLACEHOLDER_WORDS.iter().all(|w| w.len() <= 16));
    }

    #[test]
    fn mojibake_is_recognised() {
        assert!(looks_mis_decoded("BouakÃ©"));
        assert!(looks_mis_decoded("caf\u{FFFD}"));
        assert!(!looks_mis_decoded("Bouaké"));
        assert!(!looks_mis_decoded("Ã la carte"));
    }

    #[test]
    fn kinds() {
        assert_eq!(kind("12"), "integer");
        assert_eq!(kind("1.5"), "float");
        assert_eq!(kind("12/03/1985"), "date");
        assert_eq!(kind("oui"), "boolean");
        assert_eq!(kind("Abidjan"), "string");
    }
}
