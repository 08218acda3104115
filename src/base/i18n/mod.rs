//! Words, sentences and number formats in every language segaudit speaks. Every sentence and label a
//! report shows comes from one catalogue per language (`en.toml`, `fr.toml`, `pt.toml` beside this
//! file), compiled in by build.rs, which fails the build on a key or placeholder missing from one.

include!(concat!(env!("OUT_DIR"), "/i18n_catalogues.rs"));

use crate::base::risk::{FailOn, Level};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Fr,
    Pt,
}

impl Lang {
    /// The ISO 639-1 code (`<html lang>`, `--lang`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Pt => "pt",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Some(Lang::En),
            "fr" | "french" | "français" | "francais" => Some(Lang::Fr),
            "pt" | "portuguese" | "português" | "portugues" => Some(Lang::Pt),
            _ => None,
        }
    }
}

/// `174,239` (en) or `174 239` (fr, pt).
pub fn count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::En => ',',
        Lang::Fr | Lang::Pt => ' ',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// `55.2%` (en) or `55,2 %` (fr, pt); `–` when there is nothing to divide.
pub fn percent(lang: Lang, share: Option<f64>) -> String {
    let Some(share) = share else { return "–".to_string() };
    let text = format!("{:.1}", share * 100.0);
    match lang {
        Lang::En => format!("{text}%"),
        Lang::Fr | Lang::Pt => format!("{} %", text.replace('.', ",")),
    }
}

/// A number with `places` decimals, with the language's decimal mark.
pub fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match lang {
        Lang::En => text,
        Lang::Fr | Lang::Pt => text.replace('.', ","),
    }
}

/// Whether `n` takes the singular: 1 in English and Portuguese, 0 and 1 in French ("0 ligne").
pub fn singular(lang: Lang, n: u64) -> bool {
    match lang {
        Lang::Fr => n <= 1,
        Lang::En | Lang::Pt => n == 1,
    }
}

/// "row" or "rows" for `n` rows, in the language.
pub fn rows_word(lang: Lang, n: u64) -> &'static str {
    t(lang, if singular(lang, n) { Key::RowOne } else { Key::Rows })
}

pub fn level(lang: Lang, level: Level) -> &'static str {
    t(
        lang,
        match level {
            Level::Ok => Key::LevelOk,
            Level::Warn => Key::LevelWarn,
            Level::High => Key::LevelHigh,
            Level::Critical => Key::LevelCritical,
        },
    )
}

/// The gate's threshold (`[gate] fail_on`) in the language: a level's name, or "never".
pub fn fail_on(lang: Lang, fail_on: FailOn) -> &'static str {
    match fail_on {
        FailOn::Never => t(lang, Key::FailOnNever),
        FailOn::At(limit) => level(lang, limit),
    }
}

/// A catalogue entry in the language.
pub fn t(lang: Lang, key: Key) -> &'static str {
    let catalogue = match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
        Lang::Pt => &PT,
    };
    // `Key` is generated from the same list as the arrays, in the same order.
    catalogue[key as usize]
}

/// A catalogue sentence with its `{name}` placeholders filled. build.rs guarantees every language
/// has the same placeholders; one the caller does not give stays visible rather than vanishing.
pub fn fill(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    let mut out = t(lang, key).to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for key in KEYS {
            for lang in [Lang::En, Lang::Fr, Lang::Pt] {
                assert!(!t(lang, key).is_empty(), "{lang:?} {}", key.name());
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let text = fill(Lang::Fr, Key::JsonReport, &[("path", "out/audit.json")]);
        assert_eq!(text, "rapport JSON : out/audit.json");
        assert_eq!(t(Lang::Pt, Key::LevelCritical), "crítico");
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(count(Lang::Fr, 174_239), "174 239");
        assert_eq!(count(Lang::En, 174_239), "174,239");
        assert_eq!(count(Lang::En, 12), "12");
        assert_eq!(count(Lang::En, 1_000_000), "1,000,000");
        assert_eq!(percent(Lang::Fr, Some(0.5517)), "55,2 %");
        assert_eq!(percent(Lang::En, Some(0.5517)), "55.2%");
        assert_eq!(percent(Lang::En, None), "–");
        assert_eq!(count(Lang::Pt, 174_239), "174 239");
        assert_eq!(percent(Lang::Pt, Some(0.5517)), "55,2 %");
    }

    #[test]
    fn zero_is_singular_in_french_only() {
        assert_eq!(rows_word(Lang::Fr, 0), "ligne");
        assert_eq!(rows_word(Lang::Fr, 2), "lignes");
        assert_eq!(rows_word(Lang::En, 0), "rows");
        assert_eq!(rows_word(Lang::Pt, 1), "linha");
    }
}
