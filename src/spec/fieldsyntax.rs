//! The `[field.F]` tables of a spec turned into [`FieldRule`]s: type, `formats`, `range`, `pattern`,
//! `values` and the number conventions, each mistake an error at its `line:col` that says what to write
//! instead (contract §11): a format with no chrono specifier gets its chrono spelling, a pattern that
//! does not compile its short reason and the fix, `decimal` on a text field the type to declare.

use chrono::format::{Item, StrftimeItems};
use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;
use toml::Spanned;

use super::at::{quoted, unknown, At};
use super::model::{self, RawSpec};
use super::Loc;
use crate::base::error::{msg, Result};
use crate::base::i18n::Key;
use crate::spec::fieldcheck::{parse_typed, FieldRule, FieldType, Typed};

/// The `decimal` and `thousands` the subject's fields inherit: those of the subject's source, or,
/// when the subject is a view, the value every source that sets the key agrees on (none when they
/// disagree: the fields then say theirs).
pub(super) fn inherited_numbers<'a>(raw: &'a RawSpec, table: &str) -> Inherited<'a> {
    if let Some(source) = raw.source.get(table) {
        return (source.decimal.as_ref(), source.thousands.as_ref());
    }
    let agreed = |get: fn(&'a model::SourceSpec) -> Option<&'a Spanned<String>>| {
        let mut set = raw.source.values().filter_map(get);
        let first = set.next()?;
        set.all(|v| v.get_ref() == first.get_ref()).then_some(first)
    };
    (agreed(|s| s.decimal.as_ref()), agreed(|s| s.thousands.as_ref()))
}

pub(super) type Inherited<'a> = (Option<&'a Spanned<String>>, Option<&'a Spanned<String>>);

/// Validates a `decimal` / `thousands` pair (contract §10), the error at the key that is wrong.
pub(super) fn number_format(
    at: &At,
    table: &str,
    decimal: Option<&Spanned<String>>,
    thousands: Option<&Spanned<String>>,
) -> Result<crate::spec::numbers::NumberFormat> {
    use crate::spec::numbers::{FormatError, NumberFormat};
    NumberFormat::from_spec(
        decimal.map(|d| d.get_ref().as_str()),
        thousands.map(|t| t.get_ref().as_str()),
    )
    .map_err(|why| {
        let (spanned, key, message, tip) = match why {
            FormatError::Decimal => (decimal, "decimal", Key::ErrDecimalPoint, Key::ErrTipDecimalPoint),
            FormatError::Thousands => (
                thousands,
                "thousands",
                Key::ErrThousandsSeparator,
                Key::ErrTipThousandsSeparator,
            ),
            FormatError::Same => (
                thousands.or(decimal),
                "thousands",
                Key::ErrThousandsIsDecimal,
                Key::ErrTipThousandsIsDecimal,
            ),
        };
        let key = format!("{table}.{key}");
        match spanned {
            Some(s) => at.err(s, &key, msg(message)).with_tip(msg(tip)),
            None => at.err_table(table, msg(message)).with_tip(msg(tip)),
        }
    })
}

pub(super) fn build_field(at: &At, name: &str, f: &model::FieldSpec, inherited: Inherited) -> Result<FieldRule> {
    let key = |k: &str| format!("field.{name}.{k}");
    let range = f.range.as_ref();
    let field_type = match &f.field_type {
        Some(t) => FieldType::parse(t.get_ref()).ok_or_else(|| {
            at.err(
                t,
                &key("type"),
                msg(Key::ErrUnknownType).arg("value", quoted(t.get_ref())),
            )
            .with_tip(unknown(t.get_ref(), Key::ErrTipDeclareType, &FieldType::NAMES))
        })?,
        // A numeric range with no type can only mean a number.
        None if range.is_some_and(|r| range_items(r.get_ref()).iter().any(|v| v.is_integer() || v.is_float())) => {
            FieldType::Float
        }
        None => FieldType::String,
    };
    let formats = if f.formats.is_empty() {
        field_type.default_formats()
    } else {
        check_formats(at, name, &f.formats, field_type)?
    };
    let (min, max) = match range {
        None => (None, None),
        Some(r) => parse_range(at, &key("range"), r, field_type, &formats)?,
    };
    let pattern = match &f.pattern {
        None => None,
        Some(p) => Some(compile_pattern(at, &key("pattern"), p)?),
    };
    numbers_on_numbers(at, name, f, field_type)?;
    let values = f.values.as_ref().map(|vs| vs.iter().map(value_text).collect());
    let number = number_format(
        at,
        &format!("field.{name}"),
        f.decimal.as_ref().or(inherited.0),
        f.thousands.as_ref().or(inherited.1),
    )?;
    Ok(FieldRule {
        name: name.to_string(),
        label: f.label.clone(),
        declared: true,
        field_type,
        type_declared: f.field_type.is_some(),
        formats,
        min,
        max,
        values,
        pattern,
        pii: f.pii,
        null_tokens: f.null_tokens.clone(),
        number,
        governance: crate::spec::governance::Governance::new(
            f.description.as_ref(),
            f.owner.as_ref(),
            f.steward.as_ref(),
        ),
        classification: crate::spec::governance::classification(at, name, f.classification.as_ref(), f.pii)?,
    })
}

/// A spec value written as TOML (string, number, date) as the text a data file would hold.
pub(super) fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn range_items(v: &toml::Value) -> Vec<toml::Value> {
    match v {
        toml::Value::Array(items) => items.clone(),
        toml::Value::Table(t) => vec![
            t.get("min").cloned().unwrap_or(toml::Value::String(String::new())),
            t.get("max").cloned().unwrap_or(toml::Value::String(String::new())),
        ],
        other => vec![other.clone()],
    }
}

type Bounds = (Option<Typed>, Option<Typed>);

fn parse_range(
    at: &At,
    key: &str,
    r: &Spanned<toml::Value>,
    field_type: FieldType,
    formats: &[String],
) -> Result<Bounds> {
    let shape_tip = || msg(Key::ErrTipRangeShape);
    if let toml::Value::Table(t) = r.get_ref() {
        if let Some(bad) = t.keys().find(|k| *k != "min" && *k != "max") {
            return Err(at
                .err(r, key, msg(Key::ErrRangeUnknownBound).arg("bound", bad))
                .with_tip(shape_tip()));
        }
    }
    let items = range_items(r.get_ref());
    if items.len() != 2 {
        return Err(at
            .err(r, key, msg(Key::ErrRangeTwoBounds).arg("n", items.len()))
            .with_tip(shape_tip()));
    }
    let bound = |v: &toml::Value| -> Result<Option<Typed>> {
        let text = value_text(v);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse_bound(field_type, formats, text).map(Some).ok_or_else(|| {
            at.err(
                r,
                key,
                msg(Key::ErrRangeBadBound)
                    .arg("value", quoted(text))
                    .arg("type", field_type.as_str()),
            )
            .with_tip(msg(Key::ErrTipRangeBadBound).arg("type", field_type.as_str()))
        })
    };
    let (min, max) = (bound(&items[0])?, bound(&items[1])?);
    if let (Some(lo), Some(hi)) = (&min, &max) {
        if lo > hi {
            return Err(at
                .err(r, key, msg(Key::ErrRangeReversed))
                .with_tip(msg(Key::ErrTipRangeReversed)));
        }
    }
    Ok((min, max))
}

fn parse_bound(field_type: FieldType, formats: &[String], text: &str) -> Option<Typed> {
    match field_type {
        FieldType::Integer | FieldType::Float => text.parse::<f64>().ok().map(Typed::Float),
        FieldType::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(Typed::Date)
            .or_else(|| parse_typed(field_type, formats, text)),
        FieldType::Timestamp => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
            .ok()
            .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0))
            .map(Typed::Timestamp)
            .or_else(|| parse_typed(field_type, formats, text)),
        FieldType::String | FieldType::Boolean => Some(Typed::Text(text.to_string())),
    }
}

/// The `formats` of a date or timestamp field, each a chrono format. A pattern written the way
/// spreadsheets and other languages write it (`dd/mm/yyyy`, `jj/mm/aaaa`, `yyyy-MM-dd HH:mm`) reads
/// no date at all in chrono: its error gives the chrono spelling.
fn check_formats(at: &At, name: &str, formats: &[Spanned<String>], field_type: FieldType) -> Result<Vec<String>> {
    let key = format!("field.{name}.formats");
    if let Some(first) = formats.first() {
        if !matches!(field_type, FieldType::Date | FieldType::Timestamp) {
            return Err(at
                .err(first, &key, msg(Key::ErrFormatsNotDate))
                .with_tip(msg(Key::ErrTipFormatsNotDate)));
        }
    }
    for format in formats {
        let text = format.get_ref();
        let broken = StrftimeItems::new(text).any(|item| matches!(item, Item::Error));
        let message = if !text.contains('%') {
            Key::ErrFormatNoSpecifier
        } else if broken {
            Key::ErrFormatBadSpecifier
        } else {
            continue;
        };
        let tip = match chrono_spelling(text) {
            Some(good) => msg(Key::ErrTipFormatSpelling).arg("good", quoted(&good)),
            None => msg(Key::ErrTipFormatExamples),
        };
        return Err(at
            .err(format, &key, msg(message).arg("value", quoted(text)))
            .with_tip(tip));
    }
    Ok(formats.iter().map(|f| f.get_ref().clone()).collect())
}

/// `dd/mm/yyyy` → `%d/%m/%Y`: the letters of day, month, year, hour, minute and second patterns
/// (English, French `jj/aaaa`, Portuguese `aaaa`) as chrono specifiers; `None` when the text holds
/// none of them or already uses `%`. `mm` after an hour is minutes, as in `HH:mm`; otherwise a month.
fn chrono_spelling(text: &str) -> Option<String> {
    if text.contains('%') {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut after_hour = false;
    let mut converted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let spec = match (c, run) {
            ('y' | 'Y' | 'a' | 'A', 4) => Some("%Y"),
            ('y' | 'Y' | 'a' | 'A', 2) => Some("%y"),
            ('d' | 'D' | 'j' | 'J', 1 | 2) => Some("%d"),
            ('M', 1 | 2) => Some("%m"),
            ('M', 3) => Some("%b"),
            ('M', 4) => Some("%B"),
            ('m', 1 | 2) if after_hour => Some("%M"),
            ('m', 1 | 2) => Some("%m"),
            ('H' | 'h', 1 | 2) => Some("%H"),
            ('s' | 'S', 2) => Some("%S"),
            _ => None,
        };
        match spec {
            Some(spec) => {
                out.push_str(spec);
                after_hour = spec == "%H" || (after_hour && spec == "%M");
                converted = true;
            }
            None => out.extend(&chars[i..i + run]),
        }
        i += run;
    }
    converted.then_some(out)
}

/// Compiles a `pattern` (it must match the whole trimmed value). A pattern that does not compile
/// is an error at the character the regex parser stopped at, with its reason in a few words and a
/// tip for the usual slips (an unclosed `[` or `(`, a `*` with nothing to repeat, a backslash).
fn compile_pattern(at: &At, key: &str, pattern: &Spanned<String>) -> Result<Regex> {
    let text = pattern.get_ref();
    let error = match Regex::new(&format!("^(?:{text})$")) {
        Ok(regex) => return Ok(regex),
        Err(e) => e,
    };
    use regex_syntax::ast::ErrorKind as Kind;
    let (reason, offset, tip) = match regex_syntax::Parser::new().parse(text) {
        Err(regex_syntax::Error::Parse(e)) => {
            let tip = match e.kind() {
                Kind::ClassUnclosed => Key::ErrTipRegexClass,
                Kind::GroupUnclosed => Key::ErrTipRegexGroupUnclosed,
                Kind::GroupUnopened => Key::ErrTipRegexGroupUnopened,
                Kind::RepetitionMissing => Key::ErrTipRegexRepetition,
                Kind::EscapeUnrecognized | Kind::EscapeUnexpectedEof => Key::ErrTipBadRegex,
                Kind::UnsupportedLookAround | Kind::UnsupportedBackreference => Key::ErrTipRegexLookAround,
                _ => Key::ErrTipRegexSyntax,
            };
            (e.kind().to_string(), Some(e.span().start.offset), tip)
        }
        Err(regex_syntax::Error::Translate(e)) => (
            e.kind().to_string(),
            Some(e.span().start.offset),
            Key::ErrTipRegexSyntax,
        ),
        // Compiles as syntax but not as a regex (a size limit): the library's last line says why.
        _ => {
            let words = error.to_string();
            let last = words.lines().last().unwrap_or_default();
            (
                last.trim_start_matches("error: ").to_string(),
                None,
                Key::ErrTipRegexSyntax,
            )
        }
    };
    let loc = offset.map_or(at.loc(pattern), |o| pattern_loc(at, pattern, o));
    Err(at
        .err_at(
            loc,
            key,
            msg(Key::ErrPatternInvalid)
                .arg("value", quoted(text))
                .arg("why", reason),
        )
        .with_tip(msg(tip)))
}

/// Where byte `offset` of a pattern's value stands in the spec: inside a one-line string written
/// without escapes, the character itself; otherwise the string's opening quote.
fn pattern_loc(at: &At, pattern: &Spanned<String>, offset: usize) -> Loc {
    let opening = at.loc(pattern);
    let span = pattern.span();
    let written = at.text.get(span.start + 1..span.end.saturating_sub(1));
    let value = pattern.get_ref();
    match (written, value.get(..offset)) {
        (Some(written), Some(before)) if written == value && !value.contains('\n') => Loc {
            line: opening.line,
            col: opening.col + 1 + before.chars().count(),
        },
        _ => opening,
    }
}

/// `decimal` and `thousands` say how numbers are written: on a field that is not read as a number
/// they would change nothing, a sign that its `type` is missing. (On a source they are the default
/// of its numeric fields, and text fields ignore them.)
fn numbers_on_numbers(at: &At, name: &str, f: &model::FieldSpec, field_type: FieldType) -> Result<()> {
    if matches!(field_type, FieldType::Integer | FieldType::Float) {
        return Ok(());
    }
    for (value, k) in [(&f.decimal, "decimal"), (&f.thousands, "thousands")] {
        let Some(v) = value else { continue };
        let message = msg(Key::ErrNumberKeyNotNumber)
            .arg("key", k)
            .arg("field", name)
            .arg("type", field_type.as_str());
        let tip = match &f.field_type {
            Some(_) => Key::ErrTipNumberKeyNotNumber,
            None => Key::ErrTipNumberKeyNoType,
        };
        return Err(at
            .err(v, &format!("field.{name}.{k}"), message)
            .with_tip(msg(tip).arg("key", k).arg("field", name)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::chrono_spelling;

    #[test]
    fn common_patterns_get_their_chrono_spelling() {
        let spell = |t: &str| chrono_spelling(t);
        assert_eq!(spell("dd/mm/yyyy").as_deref(), Some("%d/%m/%Y"));
        assert_eq!(spell("jj/mm/aaaa").as_deref(), Some("%d/%m/%Y"));
        assert_eq!(spell("yyyy-MM-dd").as_deref(), Some("%Y-%m-%d"));
        assert_eq!(spell("dd.MM.yy").as_deref(), Some("%d.%m.%y"));
        assert_eq!(spell("yyyy-MM-dd HH:mm:ss").as_deref(), Some("%Y-%m-%d %H:%M:%S"));
        assert_eq!(spell("dd MMM yyyy").as_deref(), Some("%d %b %Y"));
        assert_eq!(spell("ISO"), None);
        assert_eq!(spell("%d/%m/%Y"), None);
    }
}
