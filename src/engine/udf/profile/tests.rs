//! Unit tests of the profile aggregate.

use std::sync::Arc;

use crate::engine::drift::{Bins, Distribution};
use crate::engine::udf::distinct::DistinctTexts;
use crate::spec::fieldcheck::{FieldRule, FieldType};

use super::state::*;
use super::summary::*;
use super::types::*;

fn distinct(counts: &[(&str, u64)]) -> DistinctTexts {
    let mut texts = DistinctTexts::default();
    for (text, n) in counts {
        texts.add(text, *n);
    }
    texts
}

#[test]
fn each_distinct_text_is_judged_with_its_weight() {
    let mut rule = FieldRule::plain("ville");
    rule.null_tokens = vec!["N/A".into()];
    let counts = [
        ("Abidjan", 5),
        ("ABIDJAN", 2),
        (" ", 3),
        ("N/A", 4),
        ("Bouaké", 1),
        ("9999", 2),
    ];
    let s = summarize(
        &rule,
        ProfileOptions {
            top: 2,
            key: true,
            exact_limit: usize::MAX,
        },
        1,
        &distinct(&counts),
        None,
        None,
    )
    .unwrap_or_default();
    assert_eq!((s.missing, s.invalid, s.distinct), (1 + 3 + 4, 0, 4));
    assert_eq!(s.values, vec![("Abidjan".to_string(), 5), ("9999".to_string(), 2)]);
    assert_eq!(s.variants, vec![("Abidjan".to_string(), 5), ("ABIDJAN".to_string(), 2)]);
    // Present counts 5, 2, 2, 1: median 2. "9999" (a sentinel) is seen twice, under the 3 rows and
    // the 10 × median a sentinel needs (contract §5).
    assert!(s.placeholders.is_empty());
    assert_eq!(s.shapes, vec![("Aaaaaaa".to_string(), 5), ("9999".to_string(), 2)]);
    assert_eq!(s.kinds, vec![("string".to_string(), 8), ("integer".to_string(), 2)]);
    // Keys: 5 + 2 + 4 + 1 + 2 rows with a non-blank key, over 5 distinct keys.
    assert_eq!(s.duplicate_keys, Some(14 - 5));
}

#[test]
fn suspected_placeholders_follow_the_contract() {
    let rule = FieldRule::plain("code");
    // 20 distinct values seen once each, "9999" 10 times, "00/00/0000" 9 times, "N/A" twice,
    // "inconnu" once: 24 distinct counts, 20 of them 1 → median 1. A sentinel needs 3 rows and
    // 10 × 1: "9999" (10) is one, "00/00/0000" (9) is not; a word needs 2 rows: "N/A" is,
    // "inconnu" (once) is not.
    let mut counts: Vec<(String, u64)> = (0..20).map(|i| (format!("C{i:03}"), 1)).collect();
    counts.extend([
        ("9999".to_string(), 10),
        ("00/00/0000".to_string(), 9),
        ("N/A".to_string(), 2),
        ("inconnu".to_string(), 1),
    ]);
    let borrowed: Vec<(&str, u64)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    let options = ProfileOptions {
        top: 10,
        key: false,
        exact_limit: usize::MAX,
    };
    let s = summarize(&rule, options, 0, &distinct(&borrowed), None, None).unwrap_or_default();
    assert_eq!(s.placeholders, vec![("9999".to_string(), 10), ("N/A".to_string(), 2)]);
}

#[test]
fn typed_statistics_are_exact() {
    let mut rule = FieldRule::plain("age");
    rule.field_type = FieldType::Integer;
    rule.type_declared = true;
    // 1, 2, 2, 3, 10 and one invalid value.
    let counts = [("2", 2), ("10", 1), ("1", 1), (" 3 ", 1), ("x", 1)];
    let options = ProfileOptions {
        top: 10,
        key: false,
        exact_limit: usize::MAX,
    };
    let s = summarize(&rule, options, 0, &distinct(&counts), None, None).unwrap_or_default();
    let stats = s.stats.unwrap_or_default();
    assert_eq!((stats.min.as_deref(), stats.max.as_deref()), (Some("1"), Some("10")));
    assert_eq!(stats.mean, Some(18.0 / 5.0));
    assert_eq!((stats.q1, stats.median, stats.q3), (Some(2.0), Some(2.0), Some(3.0)));
    // Decile 0.1 sits at rank 0.4: 1 + 0.4 × (2 − 1).
    assert_eq!(stats.histogram.get(1).copied(), Some(1.4));
    assert_eq!(stats.histogram.last().copied(), Some(10.0));
}

#[test]
fn columns_processed_on_several_threads_come_back_in_column_order() {
    let mut columns: Vec<ColumnState> = (0..7)
        .map(|i| {
            let mut counts = DistinctTexts::default();
            for n in 0..(i * 100) {
                counts.add(&n.to_string(), 1);
            }
            ColumnState {
                rule: Arc::new(FieldRule::plain(&format!("c{i}"))),
                options: ProfileOptions {
                    top: 1,
                    key: false,
                    exact_limit: usize::MAX,
                },
                previous: None,
                nulls: i as u64,
                counts,
                overflow: None,
            }
        })
        .collect();
    let seen = for_each_column(&mut columns, 3, |i, column| Ok((i, column.nulls, column.counts.len())));
    let expected: Vec<(usize, u64, usize)> = (0..7).map(|i| (i, i as u64, i * 100)).collect();
    assert_eq!(seen.unwrap_or_default(), expected);
}

#[test]
fn values_are_binned_by_trimmed_text_and_counted_in_the_previous_bins() {
    let rule = FieldRule::plain("city");
    // "A" 3 + " A" 2 = 5, "B" 4, "C " 1 (only padded), 2 blanks (missing).
    let texts = distinct(&[("A", 3), (" A", 2), ("B", 4), ("C ", 1), ("  ", 2)]);
    let previous = Distribution {
        bins: Bins::Values {
            values: vec!["B".into(), "Z".into()],
        },
        counts: vec![1, 1, 1],
    };
    let options = ProfileOptions {
        top: 10,
        key: false,
        exact_limit: usize::MAX,
    };
    let s = summarize(&rule, options, 0, &texts, None, Some(&previous)).unwrap_or_default();
    let own = s.distribution.unwrap_or(Distribution {
        bins: Bins::Values { values: Vec::new() },
        counts: Vec::new(),
    });
    assert_eq!(
        own.bins,
        Bins::Values {
            values: vec!["A".into(), "B".into(), "C".into()]
        }
    );
    assert_eq!(own.counts, vec![5, 4, 1, 0]);
    // B 4, Z 0, every other value 6.
    assert_eq!(s.against_previous, Some(vec![4, 0, 6]));
}

#[test]
fn pii_columns_keep_counts_only() {
    let mut rule = FieldRule::plain("phone");
    rule.pii = true;
    let options = ProfileOptions {
        top: 10,
        key: false,
        exact_limit: usize::MAX,
    };
    let s = summarize(
        &rule,
        options,
        0,
        &distinct(&[("+225 01", 1), ("+225 02", 1)]),
        None,
        None,
    )
    .unwrap_or_default();
    assert_eq!(s.distinct, 2);
    assert!(s.shapes.is_empty() && s.placeholders.is_empty() && s.variants.is_empty());
}
