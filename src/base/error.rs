//! The one error type: every failure carries what went wrong, where, and how to fix it, as
//! sentences of the catalogues rendered in the user's language when printed.

use std::fmt;

use crate::base::i18n::{t, Key, Lang};

/// A sentence of an error: a catalogue entry with named arguments, or text that is the same in
/// every language.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    /// A catalogue sentence; each `{name}` is filled with the argument of that name.
    Msg(Key, Vec<(&'static str, Text)>),
    /// A value, a path, SQL or a library's own words: shown as written in every language.
    Verbatim(String),
    /// English not moved to the catalogues yet (`Error::new("…")`): shown as written in every
    /// language. New messages should use [`msg`].
    Untranslated(String),
    /// Several texts one after the other.
    Seq(Vec<Text>),
}

/// A catalogue sentence, to be completed with [`Text::arg`].
pub fn msg(key: Key) -> Text {
    Text::Msg(key, Vec::new())
}

impl Text {
    /// Fills `{name}` with a value shown as written (a path, a number, an expression).
    pub fn arg(self, name: &'static str, value: impl fmt::Display) -> Self {
        self.arg_text(name, Text::Verbatim(value.to_string()))
    }

    /// Fills `{name}` with another sentence, rendered in the same language.
    pub fn arg_text(self, name: &'static str, value: Text) -> Self {
        match self {
            Text::Msg(key, mut args) => {
                args.push((name, value));
                Text::Msg(key, args)
            }
            other => other,
        }
    }

    /// The text in `lang`. A placeholder the caller did not fill stays visible.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Text::Verbatim(s) | Text::Untranslated(s) => s.clone(),
            Text::Seq(parts) => parts.iter().map(|p| p.render(lang)).collect(),
            Text::Msg(key, args) => {
                let template = t(lang, *key);
                let mut out = String::with_capacity(template.len());
                let mut typeset = Typeset::new(lang);
                let mut rest = template;
                while let Some(start) = rest.find('{') {
                    typeset.push(&mut out, &rest[..start]);
                    let after = &rest[start + 1..];
                    let Some(end) = after.find('}') else {
                        rest = &rest[start..];
                        break;
                    };
                    let name = &after[..end];
                    match args.iter().find(|(n, _)| *n == name) {
                        Some((_, value)) => out.push_str(&value.render(lang)),
                        None => out.push_str(&rest[start..start + end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                typeset.push(&mut out, rest);
                out
            }
        }
    }

    /// The English text (tests, logs, matching on a library's words).
    pub fn english(&self) -> String {
        self.render(Lang::En)
    }
}

/// French typography for the catalogue's own words: a no-break space before `:` (U+00A0) and a
/// narrow one before `;`, `?` and `!` (U+202F), where the catalogue has a plain space, so that a
/// terminal never starts a line with the sign. Only the sentence is touched: arguments (values,
/// paths, SQL) are never in it, and neither is what the catalogue quotes between backticks, nor a
/// sign glued to what follows (`?sslmode=require`).
struct Typeset {
    french: bool,
    /// Inside a `code` span of the template (it may enclose an argument: `` `{key}` ``).
    in_code: bool,
}

impl Typeset {
    fn new(lang: Lang) -> Self {
        Self {
            french: lang == Lang::Fr,
            in_code: false,
        }
    }

    fn push(&mut self, out: &mut String, words: &str) {
        if !self.french {
            out.push_str(words);
            return;
        }
        let chars: Vec<char> = words.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c == '`' {
                self.in_code = !self.in_code;
            }
            let sign = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let ends = after.is_none_or(|a| a.is_whitespace() || matches!(a, ')' | '"' | '»' | ','));
            let space = match sign {
                _ if c != ' ' || self.in_code || !ends => None,
                Some(':') => Some('\u{00A0}'),
                Some(';' | '?' | '!') => Some('\u{202F}'),
                _ => None,
            };
            out.push(space.unwrap_or(c));
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Untranslated(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::Untranslated(s.to_string())
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::Untranslated(s.clone())
    }
}

/// A failure that stops segaudit from doing its job (exit code 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// Where, the same in every language: `path:line:col: \`key\`` (or just a path).
    pub place: Option<String>,
    /// What went wrong, naming the bad value.
    pub message: Text,
    /// How to fix it, shown on a `tip:` line.
    pub tip: Option<Text>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error from a sentence: `Error::new(msg(Key::…).arg(…))`, or English text not in the
    /// catalogues yet.
    pub fn new(message: impl Into<Text>) -> Self {
        Self {
            place: None,
            message: message.into(),
            tip: None,
        }
    }

    /// An error at a place (`path:line:col: \`key\``) that reads the same in every language.
    pub fn at(place: impl Into<String>, message: impl Into<Text>) -> Self {
        Self {
            place: Some(place.into()),
            ..Self::new(message)
        }
    }

    pub fn with_tip(mut self, tip: impl Into<Text>) -> Self {
        self.tip = Some(tip.into());
        self
    }

    /// Adds words after the message, e.g. which source was being read.
    pub fn with_suffix(mut self, suffix: impl Into<Text>) -> Self {
        self.message = Text::Seq(vec![self.message, suffix.into()]);
        self
    }

    /// Wraps an engine error met while doing `context`.
    pub fn engine(context: impl fmt::Display, err: impl fmt::Display) -> Self {
        Self::new(format!("{context}: {}", clean_engine_message(&err.to_string())))
    }

    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        let tip = match err.kind() {
            std::io::ErrorKind::NotFound => Key::ErrTipNotFound,
            std::io::ErrorKind::PermissionDenied => Key::ErrTipPermission,
            _ => Key::ErrTipUnreadable,
        };
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => msg(Key::ErrNotFound),
            _ => Text::Verbatim(err.to_string()),
        };
        Self::at(path.display().to_string(), what).with_tip(msg(tip))
    }

    /// The message (with its place) in `lang`, without the `error:` label.
    pub fn message_in(&self, lang: Lang) -> String {
        match &self.place {
            Some(place) => format!("{place}: {}", self.message.render(lang)),
            None => self.message.render(lang),
        }
    }

    /// `error: …` and `tip: …` in `lang`. The labels stay English, like the finding codes, so that
    /// scripts can look for them.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = format!("error: {}", self.message_in(lang));
        if let Some(tip) = &self.tip {
            out.push_str("\ntip: ");
            out.push_str(&tip.render(lang));
        }
        out
    }

    /// The English message (with its place).
    pub fn english(&self) -> String {
        self.message_in(Lang::En)
    }
}

/// DataFusion prefixes errors with layers of context ("Error during planning: ...");
/// users need the innermost sentence.
pub fn clean_engine_message(message: &str) -> String {
    let mut text = message.trim();
    for prefix in [
        "External error: ",
        "Error during planning: ",
        "Schema error: ",
        "SQL error: ",
        "This feature is not implemented: ",
        "Execution error: ",
        "Arrow error: ",
        "Optimizer rule 'optimize_projections' failed\ncaused by\n",
    ] {
        while let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim();
        }
    }
    // sqlparser wraps its sentence: ParserError("Expected: an expression, found: EOF").
    if let Some(inner) = text.strip_prefix("ParserError(\"").and_then(|t| t.strip_suffix("\")")) {
        return inner.to_string();
    }
    // "No field named lat. Did you mean '__segaudit_typed.late'?\nValid fields are ..." names internal views.
    if let Some(rest) = text.strip_prefix("No field named ") {
        let name = rest.split(['.', '\n']).next().unwrap_or(rest).trim_matches(['"', '\'']);
        return format!("no column named `{name}` in the subject");
    }
    text.to_string()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_render_in_each_language_with_their_arguments() {
        let e = Error::at("spec.toml:3:7", msg(Key::ErrNotFound)).with_tip(msg(Key::ErrTipNotFound));
        assert_eq!(
            e.render(Lang::En),
            "error: spec.toml:3:7: no such file or folder\ntip: check the path; paths in a spec are relative to the spec file"
        );
        assert!(e
            .render(Lang::Fr)
            .starts_with("error: spec.toml:3:7: fichier ou dossier introuvable\ntip: "));
        let untranslated = Error::new("plain").with_suffix(Text::Verbatim(" (x)".into()));
        assert_eq!(untranslated.render(Lang::Fr), "error: plain (x)");
    }

    #[test]
    fn french_puts_a_no_break_space_before_its_signs_but_not_in_code_or_values() {
        // "vouliez-vous dire `{good}` ? (clés admises ici : {list})"
        let tip = msg(Key::ErrTipDidYouMeanKeys).arg("good", "a ; b").arg("list", "x : y");
        assert_eq!(
            tip.render(Lang::Fr),
            "vouliez-vous dire `a ; b`\u{202F}? (clés admises ici\u{00A0}: x : y)"
        );
        assert_eq!(tip.render(Lang::En), "did you mean `a ; b`? (allowed keys here: x : y)");
        // "… par exemple ?sslmode=require": the sign belongs to the URL.
        assert!(msg(Key::ErrTipUrlParameter)
            .render(Lang::Fr)
            .ends_with(" ?sslmode=require"));
    }
}
