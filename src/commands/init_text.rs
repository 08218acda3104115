//! What `init` writes about a column, shared by its writer and its proposals: how a column is named
//! in SQL, how a text is quoted in TOML, the `values` list and the small-cell count.

use super::init_guess::{dedup_all, looks_personal};
use crate::engine::sql;
use crate::measure::profile::FieldProfile;

/// The `[report] min_count` init writes: no value seen fewer times is named in a proposal either.
pub(super) const MIN_COUNT: u64 = 5;
/// Columns with at most this many distinct values get a `values` list.
pub(super) const MAX_VALUES: u64 = 10;

/// A column as a spec predicate would name it: bare when simple, in double quotes otherwise.
pub(super) fn column_in_sql(name: &str) -> String {
    let simple = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if simple {
        name.to_string()
    } else {
        sql::ident(name)
    }
}

pub(super) fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The `values` init writes for a text column of at most 10 distinct values seen twice each on
/// average: the dominant spelling of each value (case variants are left to be counted invalid),
/// suspected placeholders left out. `None` for other columns and for personal data.
pub(super) fn values_list(
    f: &FieldProfile,
    rows: u64,
    field_type: &str,
    placeholders: &[String],
) -> Option<Vec<String>> {
    let distinct = f.distinct.unwrap_or(u64::MAX);
    let observed = f.observed_type.as_deref().unwrap_or("string");
    if observed != "string"
        || field_type != "string"
        || distinct > MAX_VALUES
        || rows < 2 * distinct
        || looks_personal(&f.name)
    {
        return None;
    }
    let mut values: Vec<String> = f.top_values.iter().map(|v| v.value.trim().to_string()).collect();
    dedup_all(&mut values);
    values.retain(|v| !placeholders.iter().any(|p| p.trim() == v));
    Some(values)
}
