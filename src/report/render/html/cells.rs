//! The small named values every section of the HTML view model shares: a coloured cell with its
//! level word, a value with its count, a stacked-bar part, and the text escapes the page needs.

use serde::Serialize;

use crate::base::i18n::{count, level, percent, t as tr, Key};
use crate::base::risk::Level;
use crate::report::render::svg::Part;
use crate::report::ValueCount;
use crate::spec::Lang;

/// A share (or nothing) with its risk level: the CSS class and the word printed beside the colour,
/// so the page reads in black and white.
#[derive(Serialize, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub level: &'static str,
    pub word: &'static str,
}

pub fn cell(lang: Lang, share: Option<f64>, risk: Level) -> Cell {
    Cell {
        text: percent(lang, share),
        level: risk.as_str(),
        word: level(lang, risk),
    }
}

/// A value and how many rows hold it, both as shown.
#[derive(Serialize, Clone, PartialEq)]
pub struct Counted {
    pub value: String,
    pub count: String,
}

pub fn counted(lang: Lang, items: &[ValueCount]) -> Vec<Counted> {
    items
        .iter()
        .map(|v| Counted {
            value: v.value.clone(),
            count: count(lang, v.count),
        })
        .collect()
}

/// A label and its value: a statistic, a table's heading and its text.
#[derive(Serialize, Clone, PartialEq)]
pub struct Labelled {
    pub label: String,
    pub value: String,
}

/// One part of a stacked bar, with its legend word and count as the tooltip.
pub fn part(lang: Lang, n: u64, class: &'static str, legend: Key) -> Part<'static> {
    Part {
        count: n,
        class,
        label: format!("{}: {}", tr(lang, legend), count(lang, n)),
    }
}

pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// A quoted CSS string of any text: every character but letters, digits, spaces and `-_.,:()` as a
/// hexadecimal escape, so a title can neither end the string nor the `<style>` element it sits in. Each escape
/// ends with a space, which CSS consumes as its end (a real space after it then stays).
pub fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c.is_alphanumeric() || " -_.,:()".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_strings_cannot_close_the_style_element() {
        assert_eq!(css_string("a\"</style>é"), "\"a\\22 \\3c \\2f style\\3e é\"");
        assert_eq!(css_string("Parc — 2026 (démo)"), "\"Parc \\2014  2026 (démo)\"");
        assert_eq!(css_string("a\\b\nc"), "\"a\\5c b\\a c\"");
    }
}
