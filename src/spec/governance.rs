//! What a field, criterion or segment means, who answers for it and how sensitive a field is
//! (contract §13): the keys `description`, `owner`, `steward` and `[field.F] classification`, read for
//! the data dictionary (`segaudit catalog`) and the data contract (`segaudit contract`).

use serde::Serialize;
use toml::Spanned;

use super::at::{quoted, unknown, At};
use crate::base::error::{msg, Result};
use crate::base::i18n::Key;

/// `[field.F] classification`: how far the field's values may travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Personal,
}

impl Classification {
    pub const NAMES: [&'static str; 4] = ["public", "internal", "confidential", "personal"];

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "public" => Classification::Public,
            "internal" => Classification::Internal,
            "confidential" => Classification::Confidential,
            "personal" => Classification::Personal,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The documentation keys shared by `[field]`, `[criterion]` and `[segment]` tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Governance {
    pub description: Option<String>,
    pub owner: Option<String>,
    pub steward: Option<String>,
}

impl Governance {
    /// Blank texts are as good as absent: a catalogue would show an empty cell either way.
    pub fn new(description: Option<&String>, owner: Option<&String>, steward: Option<&String>) -> Self {
        let keep = |v: Option<&String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Self {
            description: keep(description),
            owner: keep(owner),
            steward: keep(steward),
        }
    }
}

/// A field's classification: the one written, `personal` for a `pii` field that writes none; a
/// `pii` field written as anything but `personal` contradicts itself and is refused.
pub(super) fn classification(
    at: &At,
    name: &str,
    written: Option<&Spanned<String>>,
    pii: bool,
) -> Result<Option<Classification>> {
    let key = format!("field.{name}.classification");
    let Some(written) = written else {
        return Ok(pii.then_some(Classification::Personal));
    };
    let value = written.get_ref().trim();
    let class = Classification::parse(value).ok_or_else(|| {
        at.err(
            written,
            &key,
            msg(Key::ErrUnknownClassification).arg("value", quoted(value)),
        )
        .with_tip(unknown(value, Key::ErrTipDeclareClassification, &Classification::NAMES))
    })?;
    if pii && class != Classification::Personal {
        return Err(at
            .err(written, &key, msg(Key::ErrPiiNotPersonal).arg("value", quoted(value)))
            .with_tip(msg(Key::ErrTipPiiNotPersonal)));
    }
    Ok(Some(class))
}
