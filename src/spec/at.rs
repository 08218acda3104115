//! Where a spec error points: [`At`] turns a TOML span into `file:line:col: \`key\``, and the two
//! helpers every validation uses to say what was written and what is known.

use std::path::Path;

use toml::Spanned;

use super::{loc_of, Loc, Located};
use crate::base::error::{msg, Error, Text};
use crate::base::i18n::Key;
use crate::base::names::did_you_mean;

/// Builds errors that point into the spec file.
pub(super) struct At<'a> {
    pub(super) path: &'a Path,
    pub(super) text: &'a str,
}

impl At<'_> {
    pub(super) fn loc<T>(&self, spanned: &Spanned<T>) -> Loc {
        loc_of(self.text, spanned.span().start)
    }

    pub(super) fn located<T: Clone>(&self, spanned: &Spanned<T>) -> Located<T> {
        Located {
            value: spanned.get_ref().clone(),
            loc: self.loc(spanned),
        }
    }

    pub(super) fn err<T>(&self, spanned: &Spanned<T>, key: &str, message: impl Into<Text>) -> Error {
        self.err_at(self.loc(spanned), key, message)
    }

    pub(super) fn err_at(&self, loc: Loc, key: &str, message: impl Into<Text>) -> Error {
        Error::at(
            format!("{}:{}:{}: `{key}`", self.path.display(), loc.line, loc.col),
            message,
        )
    }

    /// An error for a whole table, located at its `[header]`.
    pub(super) fn err_table(&self, header: &str, message: impl Into<Text>) -> Error {
        let offset = self.text.find(&format!("[{header}]")).unwrap_or(0);
        self.err_at(loc_of(self.text, offset), header, message)
    }
}

/// "did you mean …?" when a known name is close, else `declare` (a key with `{name}`), then the
/// known names.
pub(super) fn unknown(name: &str, declare: Key, candidates: &[&str]) -> Text {
    let first = match did_you_mean(name, candidates.iter().copied()) {
        Some(good) => msg(Key::ErrTipDidYouMean).arg("good", good),
        None => msg(declare).arg("name", name),
    };
    if candidates.is_empty() {
        return first;
    }
    Text::Seq(vec![first, msg(Key::ErrTipKnown).arg("list", candidates.join(", "))])
}

/// A value quoted as Rust's `{:?}` does, as the messages have always shown it.
pub(super) fn quoted(value: &str) -> String {
    format!("{value:?}")
}
