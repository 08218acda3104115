//! Reading conventions for numbers (contract §10): the decimal point and the thousands separator a
//! source or field writes, and the one function that turns such a text into plain notation.

use std::borrow::Cow;

/// The values `decimal` may take.
pub const DECIMALS: [&str; 2] = [",", "."];
/// The values `thousands` may take.
pub const THOUSANDS: [&str; 4] = [" ", ".", "'", ","];

/// How a field writes its numbers: `decimal` is `.` or `,`; `thousands` the group separator, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    pub decimal: char,
    pub thousands: Option<char>,
}

impl Default for NumberFormat {
    fn default() -> Self {
        Self {
            decimal: '.',
            thousands: None,
        }
    }
}

/// Why a `decimal` / `thousands` pair is refused (the spec error names the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    Decimal,
    Thousands,
    Same,
}

impl NumberFormat {
    /// Validates the spec's texts (either may be absent: the default then holds).
    pub fn from_spec(decimal: Option<&str>, thousands: Option<&str>) -> Result<Self, FormatError> {
        let decimal = match decimal {
            None | Some(".") => '.',
            Some(",") => ',',
            Some(_) => return Err(FormatError::Decimal),
        };
        let thousands = match thousands {
            None => None,
            Some(t) if THOUSANDS.contains(&t) => t.chars().next(),
            Some(_) => return Err(FormatError::Thousands),
        };
        if thousands == Some(decimal) {
            return Err(FormatError::Same);
        }
        Ok(Self { decimal, thousands })
    }

    /// Whether this is the default convention (plain notation, nothing to rewrite).
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }

    fn is_decimal_point(&self, c: char) -> bool {
        c == self.decimal || (c == '.' && self.decimal == ',' && self.thousands != Some('.'))
    }

    fn is_separator(&self, c: char) -> bool {
        match self.thousands {
            Some(' ') => matches!(c, ' ' | '\u{202F}' | '\u{00A0}'),
            Some(t) => c == t,
            None => false,
        }
    }

    /// The trimmed text in plain notation (`.` as the decimal point, no group separator), or `None`
    /// when it breaks the convention: a separator not between groups of exactly three digits, or,
    /// with `decimal = ","` and `.` also a decimal point, a text holding both `,` and `.`.
    pub fn normalize<'a>(&self, trimmed: &'a str) -> Option<Cow<'a, str>> {
        if self.is_plain() {
            return Some(Cow::Borrowed(trimmed));
        }
        if self.decimal == ',' && self.thousands != Some('.') && trimmed.contains(',') && trimmed.contains('.') {
            return None;
        }
        let (sign, body) = match trimmed.strip_prefix(['-', '+']) {
            Some(rest) => (&trimmed[..1], rest),
            None => ("", trimmed),
        };
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => body.split_at(i),
            None => (body, ""),
        };
        let (whole, fraction) = match mantissa.char_indices().find(|(_, c)| self.is_decimal_point(*c)) {
            Some((i, c)) => (&mantissa[..i], Some(&mantissa[i + c.len_utf8()..])),
            None => (mantissa, None),
        };
        let separated = |s: &str| s.chars().any(|c| self.is_separator(c));
        if fraction.is_some_and(separated) || separated(exponent) {
            return None;
        }
        let mut out = String::with_capacity(trimmed.len());
        out.push_str(sign);
        if separated(whole) {
            let groups: Vec<&str> = whole.split(|c| self.is_separator(c)).collect();
            let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
            let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()) && digits(g));
            if !first_ok || !groups[1..].iter().all(|g| g.len() == 3 && digits(g)) {
                return None;
            }
            groups.iter().for_each(|g| out.push_str(g));
        } else {
            out.push_str(whole);
        }
        if let Some(fraction) = fraction {
            out.push('.');
            out.push_str(fraction);
        }
        out.push_str(exponent);
        Some(Cow::Owned(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(decimal: &str, thousands: Option<&str>) -> NumberFormat {
        NumberFormat::from_spec(Some(decimal), thousands).unwrap_or_default()
    }

    fn norm(f: NumberFormat, text: &str) -> Option<String> {
        f.normalize(text).map(|c| c.into_owned())
    }

    #[test]
    fn spec_values_are_checked() {
        assert_eq!(NumberFormat::from_spec(Some(";"), None), Err(FormatError::Decimal));
        assert_eq!(NumberFormat::from_spec(None, Some("_")), Err(FormatError::Thousands));
        assert_eq!(NumberFormat::from_spec(Some(","), Some(",")), Err(FormatError::Same));
        assert_eq!(NumberFormat::from_spec(None, Some(".")), Err(FormatError::Same));
        assert!(NumberFormat::from_spec(Some("."), Some(",")).is_ok());
    }

    #[test]
    fn decimal_comma_reads_dot_too_unless_dot_groups() {
        let f = fmt(",", None);
        assert_eq!(norm(f, "99,1").as_deref(), Some("99.1"));
        assert_eq!(norm(f, "99.1").as_deref(), Some("99.1"));
        assert_eq!(norm(f, "1.234,5"), None);
        let g = fmt(",", Some("."));
        assert_eq!(norm(g, "1.234,5").as_deref(), Some("1234.5"));
        assert_eq!(norm(g, "1.5"), None);
    }

    #[test]
    fn separators_only_between_groups_of_three() {
        let f = fmt(",", Some(" "));
        assert_eq!(norm(f, "1 234 567,5").as_deref(), Some("1234567.5"));
        assert_eq!(norm(f, "-1\u{202F}234").as_deref(), Some("-1234"));
        assert_eq!(norm(f, "1\u{00A0}234").as_deref(), Some("1234"));
        assert_eq!(norm(f, "12 34"), None);
        assert_eq!(norm(f, "1234 567"), None);
        assert_eq!(norm(f, "1 234,5 6"), None);
        assert_eq!(norm(f, " 123"), None);
        let q = fmt(".", Some("'"));
        assert_eq!(norm(q, "1'234.5").as_deref(), Some("1234.5"));
        assert_eq!(norm(q, "1'23"), None);
    }
}
