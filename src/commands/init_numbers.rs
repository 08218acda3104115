//! How `segaudit init` reads a column's numbers (contract §10, issue 23): which columns of digits are
//! codes (leading zeros), and the `decimal` point and `thousands` separator the others are written
//! with, counted in one scan over every candidate column.

use std::fmt::Write;

use crate::base::error::Result;
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql;
use crate::engine::Engine;
use crate::measure::profile::FieldProfile;

use super::init_guess::{code_pattern, looks_personal};
use super::init_text::quoted;

/// Texts of each number shape in one column (the names of [`sql::NUMBER_SHAPES`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberTexts {
    pub int: u64,
    pub point: u64,
    pub point3: u64,
    pub comma: u64,
    pub comma3: u64,
    pub space: u64,
    pub space_fraction: u64,
    pub space_comma: u64,
    pub dot_fraction: u64,
    pub dot_whole: u64,
}

impl NumberTexts {
    fn set(&mut self, shape: &str, n: u64) {
        let slot = match shape {
            "int" => &mut self.int,
            "point" => &mut self.point,
            "point3" => &mut self.point3,
            "comma" => &mut self.comma,
            "comma3" => &mut self.comma3,
            "space" => &mut self.space,
            "space_fraction" => &mut self.space_fraction,
            "space_comma" => &mut self.space_comma,
            "dot_fraction" => &mut self.dot_fraction,
            _ => &mut self.dot_whole,
        };
        *slot = n;
    }
}

/// How a column reads as numbers under the convention `init` proposes for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberReading {
    /// `integer` or `float`.
    pub field_type: &'static str,
    /// `decimal = ","` is needed to read the column.
    pub decimal_comma: bool,
    /// Most texts with a fraction write it with a comma (contract §10: `init` then proposes it).
    pub mostly_comma: bool,
    pub thousands: Option<char>,
    /// Texts written with a decimal comma, and texts with a fraction at all.
    pub comma_texts: u64,
    pub fraction_texts: u64,
    /// Texts grouping thousands with `thousands`.
    pub grouped: u64,
    /// Texts like `1,234` that nothing else says are decimals (left invalid).
    pub ambiguous: u64,
}

/// The convention that reads a column whose present texts (placeholders left out) number `present`,
/// or `None` when the plain reading needs no help or the column is not made of numbers (fewer than
/// 99 % of its texts would read, the observed-type rule). `1,234` alone could be a decimal or a
/// thousands group: a decimal only when another text shows the convention (`12,5`, `1 234`).
pub fn number_reading(t: &NumberTexts, present: u64) -> Option<NumberReading> {
    let conventional = t.comma + t.space + t.dot_fraction + t.dot_whole;
    if conventional == 0 || present == 0 {
        return None;
    }
    let dot_groups = t.dot_fraction + t.dot_whole;
    let point_decimals = t.point.saturating_sub(t.point3);
    let thousands = if t.space > 0 && t.space >= dot_groups {
        Some(' ')
    } else if dot_groups > 0 && point_decimals == 0 {
        Some('.')
    } else {
        None
    };
    let evidence = t.comma.saturating_sub(t.comma3) + t.space_comma + t.dot_fraction;
    // `thousands = "."` needs `decimal = ","` (the two must differ).
    let decimal_comma = evidence > 0 || (t.comma3 > 0 && thousands.is_some()) || thousands == Some('.');
    let dot_thousands = thousands == Some('.');
    let space_read = match (thousands, decimal_comma) {
        (Some(' '), true) => t.space,
        (Some(' '), false) => t.space - t.space_comma.min(t.space),
        _ => 0,
    };
    let comma_read = if decimal_comma { t.comma } else { 0 };
    let dots_read = if dot_thousands { t.point3 + dot_groups } else { t.point };
    let readable = t.int + dots_read + comma_read + space_read;
    if !decimal_comma && thousands.is_none() && t.comma3 == 0 {
        return None;
    }
    if (readable as f64) < 0.99 * present as f64 {
        return None;
    }
    let space_fractions = match (thousands, decimal_comma) {
        (Some(' '), true) => t.space_fraction,
        (Some(' '), false) => t.space_fraction.saturating_sub(t.space_comma),
        _ => 0,
    };
    let point_fractions = if dot_thousands { 0 } else { t.point };
    let dot_fractions = if dot_thousands { t.dot_fraction } else { 0 };
    let fraction_texts = point_fractions + comma_read + space_fractions + dot_fractions;
    let comma_texts = if decimal_comma {
        t.comma + t.space_comma.min(space_read) + dot_fractions
    } else {
        0
    };
    Some(NumberReading {
        field_type: if fraction_texts > 0 { "float" } else { "integer" },
        decimal_comma,
        mostly_comma: decimal_comma && 2 * comma_texts > fraction_texts,
        thousands,
        comma_texts,
        fraction_texts,
        grouped: match thousands {
            Some(' ') => space_read,
            Some(_) => t.point3 + dot_groups,
            None => 0,
        },
        ambiguous: if decimal_comma { 0 } else { t.comma3 },
    })
}

/// Per column of `leading`, its values with a leading zero; per column of `numbers`, its number
/// texts: one scan for both.
pub async fn number_scan(
    engine: &Engine,
    subject: &str,
    leading: &[&str],
    numbers: &[&str],
) -> Result<(Vec<u64>, Vec<NumberTexts>)> {
    let mut zeros = vec![0; leading.len()];
    let mut texts = vec![NumberTexts::default(); numbers.len()];
    if leading.is_empty() && numbers.is_empty() {
        return Ok((zeros, texts));
    }
    let statement = sql::number_texts(subject, leading, numbers);
    let batches = engine.query("reading number conventions", &statement).await?;
    if let Some(row) = batches.iter().find(|b| b.num_rows() > 0) {
        let row = batch::Named::new(row);
        for (k, zero) in zeros.iter_mut().enumerate() {
            *zero = batch::count(&row, &Col::LeadingZeros(k), 0)?;
        }
        for (k, t) in texts.iter_mut().enumerate() {
            for (shape, _) in sql::NUMBER_SHAPES {
                t.set(shape, batch::count(&row, &Col::NumberTexts(k, shape), 0)?);
            }
        }
    }
    Ok((zeros, texts))
}

/// How init writes one column's numbers: the type it gives, the code pattern that keeps it text,
/// or the number convention that reads it.
pub struct FieldNumbers {
    pub field_type: String,
    pub code: Option<String>,
    pub reading: Option<NumberReading>,
}

/// Whether a text shape (`999,9`, `9 999`) could be a number: digits, signs and separators only.
fn numeric_shape(shape: &str) -> bool {
    shape.contains('9') && shape.chars().all(|c| "9+-.,' \u{a0}\u{202f}".contains(c))
}

/// Per field, how init types it: integer-looking columns are checked for leading zeros (codes) and
/// number-looking ones for their decimal point and thousands separator, in one scan.
pub async fn number_readings(engine: &Engine, subject: &str, fields: &[FieldProfile]) -> Result<Vec<FieldNumbers>> {
    let observed = |f: &FieldProfile| f.observed_type.clone().unwrap_or_else(|| "string".into());
    let integers: Vec<usize> = (0..fields.len())
        .filter(|&i| observed(&fields[i]) == "integer")
        .collect();
    let candidates: Vec<usize> = (0..fields.len())
        .filter(|&i| {
            let f = &fields[i];
            !looks_personal(&f.name)
                && match observed(f).as_str() {
                    "integer" | "float" => true,
                    "string" => f.shapes.iter().any(|s| numeric_shape(&s.shape)),
                    _ => false,
                }
        })
        .collect();
    let name = |i: &usize| fields[*i].name.as_str();
    let leading: Vec<&str> = integers.iter().map(name).collect();
    let numbers: Vec<&str> = candidates.iter().map(name).collect();
    let (zeros, texts) = number_scan(engine, subject, &leading, &numbers).await?;
    let mut out: Vec<FieldNumbers> = fields
        .iter()
        .map(|f| FieldNumbers {
            field_type: observed(f),
            code: None,
            reading: None,
        })
        .collect();
    for (k, &i) in integers.iter().enumerate() {
        out[i].code = code_pattern(&fields[i], zeros[k]);
        if out[i].code.is_some() {
            out[i].field_type = "string".into();
        }
    }
    for (k, &i) in candidates.iter().enumerate() {
        let f = &fields[i];
        if out[i].code.is_some() {
            continue;
        }
        // Placeholders that are words (`N/A`, `inconnu`) are left out, as for the observed type.
        let words: u64 = f
            .suspected_placeholders
            .iter()
            .filter(|p| crate::engine::udf::kind(p.value.trim()) == "string")
            .map(|p| p.count)
            .sum();
        let present = f.rows.saturating_sub(f.missing).saturating_sub(words);
        if let Some(reading) = number_reading(&texts[k], present) {
            out[i].field_type = reading.field_type.to_string();
            out[i].reading = Some(reading);
        }
    }
    Ok(out)
}

/// The number convention lines of a field: its type, `decimal` (unless the source says it) and
/// `thousands`, with the counts that suggest them.
pub fn write_number_reading(out: &mut String, r: &NumberReading, source_comma: bool) {
    let _ = writeln!(out, "type = {}", quoted(r.field_type));
    if r.decimal_comma {
        let read = if source_comma {
            "the source's decimal = \",\" reads them"
        } else {
            "\".\" still reads as a decimal point"
        };
        let _ = writeln!(
            out,
            "# {} of {} numbers with a fraction write it with a comma (9,5): {read}",
            r.comma_texts, r.fraction_texts
        );
        if !source_comma {
            let _ = writeln!(out, "decimal = \",\"");
        }
    } else if r.ambiguous > 0 {
        let _ = writeln!(
            out,
            "# {} numbers look like 9,999: a decimal comma or a thousands separator? Counted invalid as they stand",
            r.ambiguous
        );
        if source_comma {
            let _ = writeln!(out, "decimal = \".\"");
        }
    }
    if let Some(t) = r.thousands {
        let _ = writeln!(
            out,
            "thousands = {}   # {} numbers group their thousands (1{t}234{t}567)",
            quoted(&t.to_string()),
            r.grouped
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pairs: &[(&str, u64)]) -> NumberTexts {
        let mut t = NumberTexts::default();
        pairs.iter().for_each(|(s, n)| t.set(s, *n));
        t
    }

    #[test]
    fn a_few_decimal_commas_among_points_need_decimal_comma() -> Result<(), &'static str> {
        // The demo's consumption: 52 integers, 4 361 points, 254 commas.
        let t = texts(&[("int", 52), ("point", 4361), ("comma", 254)]);
        let r = number_reading(&t, 4667).ok_or("a reading")?;
        assert_eq!((r.field_type, r.decimal_comma, r.mostly_comma), ("float", true, false));
        assert_eq!((r.comma_texts, r.fraction_texts), (254, 4615));
        // One word more in 100 texts and the column is not made of numbers.
        assert_eq!(number_reading(&t, 4667 + 48), None);
        Ok(())
    }

    #[test]
    fn french_groups_and_decimal_commas() -> Result<(), &'static str> {
        // 1 234,5 ×2, 12,5 ×3, 7 ×1: thousands " ", decimal ",", mostly commas.
        let t = texts(&[
            ("int", 1),
            ("comma", 3),
            ("space", 2),
            ("space_fraction", 2),
            ("space_comma", 2),
        ]);
        let r = number_reading(&t, 6).ok_or("a reading")?;
        assert_eq!((r.thousands, r.decimal_comma, r.mostly_comma), (Some(' '), true, true));
        assert_eq!((r.grouped, r.comma_texts, r.fraction_texts), (2, 5, 5));
        // 1.234,5 ×2 and 1.234 ×1: dots group, commas are decimals.
        let t = texts(&[("point", 1), ("point3", 1), ("dot_fraction", 2)]);
        let r = number_reading(&t, 3).ok_or("a reading")?;
        assert_eq!((r.thousands, r.decimal_comma, r.grouped), (Some('.'), true, 3));
        Ok(())
    }

    #[test]
    fn plain_or_ambiguous_or_text_columns_get_no_decimal() {
        assert_eq!(number_reading(&texts(&[("int", 10), ("point", 5)]), 15), None);
        // 1,234 with points elsewhere: a thousands group as likely as a decimal; not read.
        let r = number_reading(&texts(&[("point", 300), ("comma", 1), ("comma3", 1)]), 301);
        assert_eq!(r.map(|r| (r.decimal_comma, r.ambiguous)), Some((false, 1)));
        // Mostly words: 2 numbers of 10 texts.
        assert_eq!(number_reading(&texts(&[("comma", 2)]), 10), None);
    }
}
