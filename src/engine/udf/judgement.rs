//! One text's judgement for the profile aggregate: its status, its typed value when the column has
//! statistics, that value's place on the histogram's number line, and how much of it a report shows. Shared by the exact distinct
//! table (`profile.rs`) and the rows beyond it (`overflow.rs`), which is why it is neither of them.

use crate::spec::fieldcheck::{FieldRule, FieldType, Status, Typed};

/// A text's status and, for a column with statistics, its typed value (the cheaper status test
/// otherwise).
pub(super) fn judge(rule: &FieldRule, with_stats: bool, text: &str) -> (Status, Option<Typed>) {
    if with_stats {
        rule.check(Some(text))
    } else {
        (rule.status(Some(text)), None)
    }
}

/// Whether a column gets typed statistics: a declared number, date or timestamp, not `pii`.
pub fn has_stats(rule: &FieldRule) -> bool {
    rule.type_declared
        && !rule.pii
        && matches!(
            rule.field_type,
            FieldType::Integer | FieldType::Float | FieldType::Date | FieldType::Timestamp
        )
}

/// A typed value on the number line the histogram uses.
pub(super) fn as_number(value: &Typed) -> f64 {
    match value {
        Typed::Integer(i) => *i as f64,
        Typed::Float(f) => *f,
        Typed::Date(d) => d.signed_duration_since(epoch()).num_days() as f64,
        Typed::Timestamp(t) => t.and_utc().timestamp_micros() as f64,
        Typed::Text(_) | Typed::Boolean(_) => f64::NAN,
    }
}

fn epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Characters of a value a report shows; a 20 MB cell is cut, not copied into every output.
pub const SHOWN_CHARS: usize = 200;

/// The text as a report shows it: cut after [`SHOWN_CHARS`] characters.
pub(super) fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
