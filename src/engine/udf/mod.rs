//! Every scalar UDF segaudit adds to DataFusion, and the one function that registers them: the hot
//! per-value work (missing/invalid test, typing, shapes, placeholder and mojibake checks) walks each
//! value once in Rust instead of chains of string functions. The profile aggregate lives in
//! [`profile`] (its distinct-text table in [`distinct`]); everything is registered by [`register_all`], the one place a distributed executor
//! would have to mirror.

mod distinct;
mod evidence;
mod identities;
mod judgement;
pub mod link_text;
mod overflow;
pub mod placeholder;
mod profile;
mod sketch;
mod truths;

pub use identities::IDENTITIES;
pub use profile::{ColumnSummary, ProfileOptions, Stats, PROFILE};
pub use truths::{unpack as unpack_truth, PER_KEY as TRUTHS_PER_KEY, TRUTHS};

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use datafusion::prelude::SessionContext;

use crate::base::text_argument::{text_argument, texts};
use crate::spec::fieldcheck::{parse_bool, parse_float, FieldRule, FieldType, Status, Typed};

/// The typed value of one declared field: its parsed value when usable, NULL otherwise (contract §3).
/// The typed, cleaned subject calls one per field ([`value_name`]).
#[derive(Debug)]
struct ValueUdf {
    name: String,
    signature: Signature,
    rule: Arc<FieldRule>,
}

impl PartialEq for ValueUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for ValueUdf {}
impl Hash for ValueUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// The name of the typed-value function of the field at `index` of the registered rules.
pub fn value_name(index: usize) -> String {
    format!("segaudit_value_{index}")
}

/// What the profile aggregate keeps of each column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileShape {
    /// Entries kept per family (values, shapes, placeholders).
    pub top: usize,
    /// The subject key's index among the columns (counted exactly, its duplicates too).
    pub key: Option<usize>,
    /// Distinct texts a partition counts exactly per column before sketching the rest.
    pub exact_limit: usize,
}

/// Whether one declared field's value is usable (contract §3), TRUE or FALSE, never NULL: the same
/// test as its typed value being non-NULL, without building the value (the heatmap counts usable
/// values of every column, and most columns are read by no predicate).
#[derive(Debug)]
struct UsableUdf {
    name: String,
    signature: Signature,
    rule: Arc<FieldRule>,
}

impl PartialEq for UsableUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for UsableUdf {}
impl Hash for UsableUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// The name of the usable-test function of the field at `index` of the registered rules.
pub fn usable_name(index: usize) -> String {
    format!("segaudit_usable_{index}")
}

impl ScalarUDFImpl for UsableUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let array = text_argument(&self.name, &args)?;
        let texts = texts(&array);
        let usable = texts.iter().map(|t| Some(self.rule.status(*t) == Status::Usable));
        Ok(ColumnarValue::Array(booleans(usable, texts.len())))
    }
}

/// Registers, per field rule (index = position in `rules`), its typed-value and usable-test functions, the truth-packing function, the functions reading each `[[link]]` side, and the profile aggregate over all rules, keeping `top` entries per family (`key`: the
/// subject key's index) and finishing on as many threads as the session has partitions.
pub fn register_all(
    ctx: &SessionContext,
    rules: &[Arc<FieldRule>],
    shape: ProfileShape,
    links: &[crate::spec::link::Link],
) {
    for (i, rule) in rules.iter().enumerate() {
        ctx.register_udf(ScalarUDF::new_from_impl(ValueUdf {
            name: value_name(i),
            signature: Signature::any(1, Volatility::Immutable),
            rule: rule.clone(),
        }));
        ctx.register_udf(ScalarUDF::new_from_impl(UsableUdf {
            name: usable_name(i),
            signature: Signature::any(1, Volatility::Immutable),
            rule: rule.clone(),
        }));
    }
    ctx.register_udf(ScalarUDF::new_from_impl(truths::TruthsUdf::new()));
    ctx.register_udaf(identities::identities_udaf());
    link_text::register(ctx, links);
    register_profile(ctx, rules, shape, &[]);
}

/// (Re-)registers the profile aggregate; `previous[i]` holds the previous run's bins of column `i`
/// (empty without a history), so the one profile pass also counts this run's values in them.
pub fn register_profile(
    ctx: &SessionContext,
    rules: &[Arc<FieldRule>],
    shape: ProfileShape,
    previous: &[Option<Arc<crate::engine::drift::Distribution>>],
) {
    let columns = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            (
                rule.clone(),
                ProfileOptions {
                    top: shape.top,
                    key: shape.key == Some(i),
                    // The key's duplicates must be exact, so the key never goes to sketches.
                    exact_limit: if shape.key == Some(i) {
                        usize::MAX
                    } else {
                        shape.exact_limit
                    },
                },
                previous.get(i).cloned().flatten(),
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

impl ScalarUDFImpl for ValueUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(value_type(self.rule.field_type))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let array = text_argument(&self.name, &args)?;
        let texts = texts(&array);
        Ok(ColumnarValue::Array(typed_array(
            &self.rule,
            texts.iter().copied(),
            texts.len(),
        )))
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
#[cfg(test)]
fn shape(text: &str) -> String {
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
        // "99" is a sentinel candidate since contract §5 (one repeated digit); its frequency decides.
        for v in [
            "N/A",
            "inconnu",
            "00/00/0000",
            "9999",
            "000",
            "-999",
            "###",
            " NULL ",
            "99",
        ] {
            assert!(placeholder::classify(v).is_some(), "{v}");
        }
        for v in ["Abidjan", "0", "1985-03-12", "12"] {
            assert!(placeholder::classify(v).is_none(), "{v}");
        }
        for v in ["NÉANT", "Non Renseigné", "n/A"] {
            assert!(placeholder::classify(v).is_some(), "{v}");
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
