//! What makes one value missing, invalid or usable (contract §3), in plain Rust, value by value.

use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;

pub use crate::spec::numbers::NumberFormat;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Integer,
    Float,
    Boolean,
    Date,
    Timestamp,
}

impl FieldType {
    pub const NAMES: [&'static str; 6] = ["string", "integer", "float", "boolean", "date", "timestamp"];

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "float" => FieldType::Float,
            "boolean" => FieldType::Boolean,
            "date" => FieldType::Date,
            "timestamp" => FieldType::Timestamp,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn default_formats(self) -> Vec<String> {
        let formats: &[&str] = match self {
            FieldType::Date => &["%Y-%m-%d"],
            // ISO 8601 as exports and Parquet write it, with or without fractions and a `Z`.
            FieldType::Timestamp => &[
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S%.fZ",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%SZ",
            ],
            _ => &[],
        };
        formats.iter().map(|f| f.to_string()).collect()
    }
}

/// A parsed, usable value.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum Typed {
    Text(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Usable,
    Missing,
    Invalid,
}

impl Status {
    pub fn code(self) -> i8 {
        match self {
            Status::Usable => 0,
            Status::Missing => 1,
            Status::Invalid => 2,
        }
    }
}

/// The expectations declared on one field (`[field.NAME]`), compiled.
#[derive(Debug, Clone)]
pub struct FieldRule {
    pub name: String,
    pub label: Option<String>,
    /// Whether the spec has a `[field.NAME]` table for it.
    pub declared: bool,
    pub field_type: FieldType,
    /// Whether `type` was written in the spec (the field map shows declared vs observed).
    pub type_declared: bool,
    pub formats: Vec<String>,
    pub min: Option<Typed>,
    pub max: Option<Typed>,
    pub values: Option<Vec<String>>,
    pub pattern: Option<Regex>,
    pub pii: bool,
    pub null_tokens: Vec<String>,
    /// How integer and float texts write their numbers (contract §10: `decimal`, `thousands`).
    pub number: NumberFormat,
    /// `description`, `owner`, `steward` (contract §13).
    pub governance: crate::spec::governance::Governance,
    /// `classification`, `personal` for a `pii` field (contract §13); none when not written.
    pub classification: Option<crate::spec::governance::Classification>,
}

impl FieldRule {
    /// A column with no expectations: only emptiness makes it missing.
    pub fn plain(name: &str) -> Self {
        Self {
            name: name.to_string(),
            label: None,
            declared: false,
            field_type: FieldType::String,
            type_declared: false,
            formats: Vec::new(),
            min: None,
            max: None,
            values: None,
            pattern: None,
            pii: false,
            null_tokens: Vec::new(),
            number: NumberFormat::default(),
            governance: Default::default(),
            classification: None,
        }
    }

    /// The `pattern` as the spec wrote it (the compiled one anchors it: `^(?:…)$`).
    pub fn pattern_text(&self) -> Option<&str> {
        self.pattern.as_ref().map(|p| {
            let s = p.as_str();
            s.strip_prefix("^(?:").and_then(|s| s.strip_suffix(")$")).unwrap_or(s)
        })
    }

    pub fn is_missing(&self, raw: Option<&str>) -> bool {
        match raw {
            None => true,
            Some(text) => {
                let trimmed = text.trim();
                trimmed.is_empty() || self.null_tokens.iter().any(|t| t == trimmed)
            }
        }
    }

    /// Classifies a raw value without building its typed value (the hot path of the profile pass).
    pub fn status(&self, raw: Option<&str>) -> Status {
        if self.is_missing(raw) {
            return Status::Missing;
        }
        let trimmed = raw.unwrap_or_default().trim();
        let conforms = match self.field_type {
            FieldType::String => self.text_conforms(trimmed),
            _ => self.conforming(trimmed).is_some(),
        };
        if conforms {
            Status::Usable
        } else {
            Status::Invalid
        }
    }

    /// `conforming` for string fields, on the borrowed text.
    fn text_conforms(&self, trimmed: &str) -> bool {
        let above_min = match &self.min {
            Some(Typed::Text(min)) => trimmed >= min.as_str(),
            _ => true,
        };
        let below_max = match &self.max {
            Some(Typed::Text(max)) => trimmed <= max.as_str(),
            _ => true,
        };
        self.values
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|a| a == trimmed))
            && above_min
            && below_max
            && self.pattern.as_ref().is_none_or(|p| p.is_match(trimmed))
    }

    /// Classifies a raw value and, when usable, returns its typed value.
    pub fn check(&self, raw: Option<&str>) -> (Status, Option<Typed>) {
        if self.is_missing(raw) {
            return (Status::Missing, None);
        }
        let trimmed = raw.unwrap_or_default().trim();
        match self.conforming(trimmed) {
            Some(value) => (Status::Usable, Some(value)),
            None => (Status::Invalid, None),
        }
    }

    fn conforming(&self, trimmed: &str) -> Option<Typed> {
        let value = parse_typed_with(self.field_type, &self.formats, self.number, trimmed)?;
        if let Some(allowed) = &self.values {
            if !allowed.iter().any(|a| a == trimmed) {
                return None;
            }
        }
        if self
            .min
            .as_ref()
            .is_some_and(|min| compare(&value, min).is_none_or(|o| o.is_lt()))
        {
            return None;
        }
        if self
            .max
            .as_ref()
            .is_some_and(|max| compare(&value, max).is_none_or(|o| o.is_gt()))
        {
            return None;
        }
        if let Some(pattern) = &self.pattern {
            if !pattern.is_match(trimmed) {
                return None;
            }
        }
        Some(value)
    }
}

fn compare(value: &Typed, bound: &Typed) -> Option<std::cmp::Ordering> {
    match (value, bound) {
        (Typed::Integer(v), Typed::Float(b)) => (*v as f64).partial_cmp(b),
        (Typed::Float(v), Typed::Integer(b)) => v.partial_cmp(&(*b as f64)),
        (Typed::Timestamp(v), Typed::Date(b)) => v.partial_cmp(&b.and_hms_opt(0, 0, 0)?),
        _ => value.partial_cmp(bound),
    }
}

/// Parses trimmed text as `field_type`; `None` when it does not conform.
pub fn parse_typed(field_type: FieldType, formats: &[String], trimmed: &str) -> Option<Typed> {
    match field_type {
        FieldType::String => Some(Typed::Text(trimmed.to_string())),
        FieldType::Integer => trimmed.parse::<i64>().ok().map(Typed::Integer),
        FieldType::Float => parse_float(trimmed).map(Typed::Float),
        FieldType::Boolean => parse_bool(trimmed).map(Typed::Boolean),
        FieldType::Date => formats
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(trimmed, f).ok())
            .map(Typed::Date),
        FieldType::Timestamp => formats
            .iter()
            .find_map(|f| {
                NaiveDateTime::parse_from_str(trimmed, f)
                    .ok()
                    .or_else(|| NaiveDate::parse_from_str(trimmed, f).ok()?.and_hms_opt(0, 0, 0))
            })
            .map(Typed::Timestamp),
    }
}

/// [`parse_typed`] with a field's number convention: integer and float texts are first rewritten
/// in plain notation ([`NumberFormat::normalize`]), so ranges and rules see the parsed number.
pub fn parse_typed_with(
    field_type: FieldType,
    formats: &[String],
    number: NumberFormat,
    trimmed: &str,
) -> Option<Typed> {
    match field_type {
        FieldType::Integer | FieldType::Float if !number.is_plain() => {
            parse_typed(field_type, formats, &number.normalize(trimmed)?)
        }
        _ => parse_typed(field_type, formats, trimmed),
    }
}

/// Plain decimal notation with an optional exponent; `inf` and `NaN` are not numbers a customer has.
pub fn parse_float(trimmed: &str) -> Option<f64> {
    let plain = trimmed
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !plain || !trimmed.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse::<f64>().ok().filter(|v| v.is_finite())
}

pub fn parse_bool(trimmed: &str) -> Option<bool> {
    if trimmed.len() > 5 {
        return None;
    }
    match trimmed.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" | "oui" | "vrai" => Some(true),
        "false" | "f" | "no" | "n" | "0" | "non" | "faux" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(field_type: FieldType) -> FieldRule {
        FieldRule {
            field_type,
            formats: field_type.default_formats(),
            ..FieldRule::plain("f")
        }
    }

    #[test]
    fn missing_covers_null_blank_and_tokens() {
        let mut r = rule(FieldType::String);
        r.null_tokens = vec!["N/A".into()];
        assert_eq!(r.check(None).0, Status::Missing);
        assert_eq!(r.check(Some("  ")).0, Status::Missing);
        assert_eq!(r.check(Some(" N/A ")).0, Status::Missing);
        assert_eq!(r.check(Some("n/a")).0, Status::Usable);
    }

    #[test]
    fn numbers_parse_strictly() {
        let r = rule(FieldType::Integer);
        assert_eq!(r.check(Some(" 42 ")), (Status::Usable, Some(Typed::Integer(42))));
        assert_eq!(r.check(Some("4.2")).0, Status::Invalid);
        let f = rule(FieldType::Float);
        assert_eq!(f.check(Some("-3.5")), (Status::Usable, Some(Typed::Float(-3.5))));
        assert_eq!(f.check(Some("NaN")).0, Status::Invalid);
        assert_eq!(f.check(Some("3,5")).0, Status::Invalid);
    }

    #[test]
    fn dates_try_formats_in_order_and_respect_inclusive_range() {
        let mut r = rule(FieldType::Date);
        r.formats = vec!["%d/%m/%Y".into(), "%Y-%m-%d".into()];
        r.min = NaiveDate::from_ymd_opt(1900, 1, 1).map(Typed::Date);
        r.max = NaiveDate::from_ymd_opt(2026, 12, 31).map(Typed::Date);
        assert_eq!(r.check(Some("31/12/2026")).0, Status::Usable);
        assert_eq!(r.check(Some("1900-01-01")).0, Status::Usable);
        assert_eq!(r.check(Some("1899-12-31")).0, Status::Invalid);
        assert_eq!(r.check(Some("00/00/0000")).0, Status::Invalid);
    }

    #[test]
    fn default_timestamp_formats_read_iso_8601() {
        let r = rule(FieldType::Timestamp);
        for v in [
            "2026-01-02T03:04:05",
            "2026-01-02 03:04:05",
            "2026-01-02T03:04:05.123",
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.5Z",
        ] {
            assert_eq!(r.check(Some(v)).0, Status::Usable, "{v}");
        }
        assert_eq!(r.check(Some("02/01/2026")).0, Status::Invalid);
    }

    #[test]
    fn values_and_pattern_apply_to_trimmed_text() {
        let mut r = rule(FieldType::String);
        r.values = Some(vec!["B2B".into(), "B2C".into()]);
        assert_eq!(r.check(Some(" B2C ")).0, Status::Usable);
        assert_eq!(r.check(Some("b2c")).0, Status::Invalid);
        let mut p = rule(FieldType::String);
        p.pattern = Regex::new(r"^(?:[0-9]{3})$").ok();
        assert_eq!(p.check(Some(" 123 ")).0, Status::Usable);
        assert_eq!(p.check(Some("1234")).0, Status::Invalid);
    }

    #[test]
    fn status_agrees_with_check() {
        let mut r = rule(FieldType::String);
        r.values = Some(vec!["a".into(), "b".into()]);
        r.min = Some(Typed::Text("b".into()));
        for v in [None, Some(""), Some(" a "), Some("b"), Some("c")] {
            assert_eq!(r.status(v), r.check(v).0, "{v:?}");
        }
    }
}
