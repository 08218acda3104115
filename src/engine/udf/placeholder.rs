//! Suspected placeholders (contract §5): which texts could be a disguised missing value, and when one
//! seen so often is suspected. A placeholder word (`N/A`, `inconnu`, `-`) is suspected when seen at
//! least twice; a sentinel (`9999`, `00/00/0000`, `1900-01-01`) only when seen at least 3 times and at
//! least 10 times as often as the field's median count per distinct value, so that the `9999` of a
//! sequential id, seen once like every other id, is never one.

use datafusion::common::HashMap;

/// Why a text could stand for "no value".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspect {
    /// A word or symbol that means "nothing": `N/A`, `null`, `inconnu`, `-`, `?`, `xxx`, `###`.
    Word,
    /// A number or date made of one repeated digit or of zeros, or a conventional sentinel date.
    Sentinel,
}

/// A placeholder word needs this many rows.
pub const WORD_MIN_COUNT: u64 = 2;
/// A sentinel needs this many rows…
pub const SENTINEL_MIN_COUNT: u64 = 3;
/// …and this many times the field's median count per distinct value.
pub const SENTINEL_MEDIAN_FACTOR: f64 = 10.0;

/// Dates conventionally written for "unknown" (year, month, day), besides those made of one digit.
const SENTINEL_DATES: [(u32, u32, u32); 8] = [
    (1900, 1, 1),
    (1970, 1, 1),
    (1899, 12, 30),
    (1899, 12, 31),
    (1901, 1, 1),
    (1800, 1, 1),
    (1, 1, 1),
    (2999, 12, 31),
];

/// What kind of placeholder a text could be, judged on the text alone.
pub fn classify(text: &str) -> Option<Suspect> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if is_sentinel_number(trimmed) || is_sentinel_date(trimmed) {
        return Some(Suspect::Sentinel);
    }
    if is_word(trimmed) {
        return Some(Suspect::Word);
    }
    None
}

fn is_word(trimmed: &str) -> bool {
    // An ASCII value can only match the ASCII words, and needs no lower-cased copy for it.
    if trimmed.is_ascii() {
        if super::PLACEHOLDER_WORDS.iter().any(|w| w.eq_ignore_ascii_case(trimmed)) {
            return true;
        }
    } else if trimmed.len() <= 16 {
        // No placeholder word is longer than this: longer values are spared the lower-casing.
        if super::PLACEHOLDER_WORDS.contains(&trimmed.to_lowercase().as_str()) {
            return true;
        }
    }
    // `###`, `***`, `//`: one symbol repeated.
    trimmed.chars().count() >= 2 && {
        let mut chars = trimmed.chars();
        let first = chars.next().unwrap_or('a');
        !first.is_alphanumeric() && chars.all(|c| c == first)
    }
}

/// `9999`, `-999`, `000`, `1111`, `99.99`, `00.00`: an integer part of at least two digits, all the
/// same, and a decimal part (if any) of that digit or of zeros. `0` and `0.00` alone are ordinary
/// amounts, not sentinels.
fn is_sentinel_number(trimmed: &str) -> bool {
    let unsigned = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    let (whole, decimals) = match unsigned.split_once(['.', ',']) {
        Some((w, d)) => (w, d),
        None => (unsigned, ""),
    };
    let Some(digit) = whole.bytes().next() else {
        return false;
    };
    whole.len() >= 2
        && whole.bytes().all(|b| b == digit && b.is_ascii_digit())
        && decimals.bytes().all(|b| b == digit || b == b'0')
}

/// `00/00/0000`, `9999-99-99`, `1900-01-01`, `01/01/1970`, `31/12/9999`, optionally followed by a
/// midnight time (`1900-01-01 00:00:00`).
fn is_sentinel_date(trimmed: &str) -> bool {
    let (date, time) = match trimmed.split_once([' ', 'T']) {
        Some((d, t)) => (d, t),
        None => (trimmed, ""),
    };
    if !time.bytes().all(|b| b == b'0' || b == b':' || b == b'.') {
        return false;
    }
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return false;
    };
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|x| x.is_ascii_digit()))
    {
        return false;
    }
    // Only date-like layouts: a four-digit year first or last.
    if a.len() != 4 && c.len() != 4 {
        return false;
    }
    let first = date.bytes().find(u8::is_ascii_digit).unwrap_or(b'0');
    if date.bytes().filter(u8::is_ascii_digit).all(|x| x == first) {
        return true;
    }
    let num = |p: &str| p.parse::<u32>().unwrap_or(0);
    let candidates = if a.len() == 4 {
        vec![(num(a), num(b), num(c))]
    } else {
        // Day first or month first: both readings are tried.
        vec![(num(c), num(b), num(a)), (num(c), num(a), num(b))]
    };
    candidates
        .iter()
        .any(|&(y, m, d)| y == 9999 || SENTINEL_DATES.contains(&(y, m, d)))
}

/// Median of the counts of a field's distinct present values, from a tally of how many distinct
/// values have each count (`count → distinct values`); the mean of the two middle counts when there
/// is an even number of distinct values. `None` with no value.
pub fn median_count(tally: &HashMap<u64, u64>) -> Option<f64> {
    let total: u64 = tally.values().sum();
    if total == 0 {
        return None;
    }
    let mut counts: Vec<(u64, u64)> = tally.iter().map(|(c, n)| (*c, *n)).collect();
    counts.sort_unstable();
    // 0-based ranks of the middle value(s).
    let (lo, hi) = ((total - 1) / 2, total / 2);
    let at = |rank: u64| {
        let mut seen = 0;
        for (count, n) in &counts {
            seen += n;
            if rank < seen {
                return *count;
            }
        }
        0
    };
    Some((at(lo) + at(hi)) as f64 / 2.0)
}

/// Whether a value of this kind, seen `n` times in a field whose median count per distinct value is
/// `median`, is a suspected placeholder.
pub fn is_suspected(kind: Suspect, n: u64, median: f64) -> bool {
    match kind {
        Suspect::Word => n >= WORD_MIN_COUNT,
        Suspect::Sentinel => n >= SENTINEL_MIN_COUNT && n as f64 >= SENTINEL_MEDIAN_FACTOR * median,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        for w in [
            "N/A", "na", "NULL", "None", "inconnu", "-", "?", "xxx", "XXX", "###", "Néant",
        ] {
            assert_eq!(classify(w), Some(Suspect::Word), "{w}");
        }
        for s in [
            "9999",
            "-999",
            "000",
            "1111",
            "99.99",
            "00/00/0000",
            "0000-00-00",
            "1900-01-01",
            "01/01/1970",
            "1970-01-01",
            "31/12/9999",
            "9999-12-31",
            "1900-01-01 00:00:00",
            "99/99/9999",
        ] {
            assert_eq!(classify(s), Some(Suspect::Sentinel), "{s}");
        }
        for v in [
            "Abidjan",
            "0",
            "0.00",
            "7",
            "12",
            "1985-03-12",
            "01/02/1970",
            "10999",
            "9998",
            "1234",
        ] {
            assert_eq!(classify(v), None, "{v}");
        }
    }

    #[test]
    fn median_of_counts() {
        let tally = |pairs: &[(u64, u64)]| pairs.iter().copied().collect::<HashMap<u64, u64>>();
        assert_eq!(median_count(&tally(&[])), None);
        // Counts 1, 1, 1, 5: middle ranks 1 and 2 are both 1.
        assert_eq!(median_count(&tally(&[(1, 3), (5, 1)])), Some(1.0));
        // Counts 1, 5: the mean of the two.
        assert_eq!(median_count(&tally(&[(1, 1), (5, 1)])), Some(3.0));
        // Counts 2, 4, 4: the middle one.
        assert_eq!(median_count(&tally(&[(2, 1), (4, 2)])), Some(4.0));
    }

    #[test]
    fn thresholds() {
        assert!(!is_suspected(Suspect::Word, 1, 1.0));
        assert!(is_suspected(Suspect::Word, 2, 100.0));
        assert!(!is_suspected(Suspect::Sentinel, 1, 0.1));
        assert!(!is_suspected(Suspect::Sentinel, 2, 0.1));
        assert!(is_suspected(Suspect::Sentinel, 3, 0.3));
        assert!(is_suspected(Suspect::Sentinel, 10, 1.0));
        assert!(!is_suspected(Suspect::Sentinel, 9, 1.0));
    }
}
