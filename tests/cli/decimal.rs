//! Decimal commas and thousands separators (contract §10): counts worked out by hand, spec errors at
//! line:col, and the property that a number printed in any convention reads back as the same value.

use proptest::prelude::*;

use crate::{assert_counts, Case};

fn write(case: &Case, name: &str, text: &str) {
    std::fs::write(case.path(name), text).expect("write data");
}

#[test]
fn decimal_comma_and_thousands_read_the_number() {
    // Field `a` inherits decimal = "," from the source; field `b` says thousands = " " on top.
    let spec = "[source.t]\npath = \"t.csv\"\ndelimiter = \";\"\ndecimal = \",\"\n[subject]\ntable = \"t\"\n\
[field.a]\ntype = \"float\"\nrange = [0, 100]\n[field.b]\ntype = \"float\"\nthousands = \" \"\n\
[field.c]\ntype = \"float\"\ndecimal = \".\"\n\
[segment.big]\nrule = \"b > 1000\"\n";
    let case = Case::new(spec);
    write(
        &case,
        "t.csv",
        "a;b;c\n99,1;1 234 567,5;1.5\n99.1;12 34;1,5\n1.234,5;1234;2\n;-1\u{202F}234;\n150,0;1 234.5;x\n",
    );
    let run = case.audit(&[]);
    // a: "99,1" and "99.1" read 99.1 (usable); "1.234,5" holds both , and . (invalid); "" missing;
    //    "150,0" reads 150 > 100 (invalid): 1 missing, 2 invalid, 2 usable.
    assert_counts(&run, "a", 1, 2, 2);
    // b: "1 234 567,5" → 1234567.5; "12 34" groups of two (invalid); "1234" plain; "-1 234" with
    //    U+202F → -1234; "1 234.5" → 1234.5 (`.` is still a decimal point): 0 missing, 1 invalid, 4 usable.
    assert_counts(&run, "b", 0, 1, 4);
    // c: decimal "." on the field wins: "1.5", "2" usable; "1,5" and "x" invalid; "" missing.
    assert_counts(&run, "c", 1, 2, 2);
    // The rule sees the parsed number: b > 1000 for 1234567.5, 1234, 1234.5 (three members);
    // -1234 is a non-member; "12 34" is NULL, so undetermined.
    let big = run.segment("big");
    assert_eq!(big["members"], 3);
    assert_eq!(big["non_members"], 1);
    assert_eq!(big["undetermined"], 1);
}

#[test]
fn dot_as_thousands_makes_a_lone_dot_invalid() {
    let spec = "[source.t]\npath = \"t.csv\"\n[subject]\ntable = \"t\"\n\
[field.n]\ntype = \"integer\"\ndecimal = \",\"\nthousands = \".\"\n";
    let case = Case::new(spec);
    write(&case, "t.csv", "n\n1.234.567\n1.5\n12\n\"1,0\"\n");
    let run = case.audit(&[]);
    // "1.234.567" → 1234567; "12" → 12; "1.5" is a dot not before three digits (invalid);
    // "1,0" reads 1.0, not an integer text (invalid): 0 missing, 2 invalid, 2 usable.
    assert_counts(&run, "n", 0, 2, 2);
}

#[test]
fn separator_spec_errors_point_at_the_key() {
    let cases = [
        (
            "[field.n]\ntype = \"float\"\ndecimal = \";\"\n",
            "spec.toml:8:11: `field.n.decimal`",
        ),
        (
            "[field.n]\ntype = \"float\"\nthousands = \"_\"\n",
            "spec.toml:8:13: `field.n.thousands`",
        ),
        (
            "[field.n]\ntype = \"float\"\ndecimal = \",\"\nthousands = \",\"\n",
            "spec.toml:9:13: `field.n.thousands`",
        ),
    ];
    for (field, expected) in cases {
        let spec = format!("[source.t]\npath = \"t.csv\"\n[subject]\ntable = \"t\"\n\n{field}");
        let case = Case::new(&spec);
        write(&case, "t.csv", "n\n1\n");
        let run = case.run(&["check", "spec.toml"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(expected), "{expected} not in {}", run.stderr);
    }
}

/// `value` (in hundredths) printed with `decimal` and `thousands`, grouping the integer part by three.
fn printed(hundredths: i64, decimal: char, thousands: Option<char>) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let digits = (hundredths.unsigned_abs() / 100).to_string();
    let mut whole = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            if let Some(t) = thousands {
                whole.push(t);
            }
        }
        whole.push(c);
    }
    format!("{sign}{whole}{decimal}{:02}", hundredths.unsigned_abs() % 100)
}

/// `decimal` key, the point printed, and `thousands` key with the separator printed.
type Convention = (&'static str, char, Option<(&'static str, char)>);

const CONVENTIONS: [Convention; 7] = [
    (".", '.', None),
    (".", '.', Some((",", ','))),
    (".", '.', Some(("'", '\''))),
    (",", ',', None),
    (",", ',', Some((".", '.'))),
    (",", ',', Some((" ", ' '))),
    (",", ',', Some((" ", '\u{202F}'))),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn printed_numbers_read_back(values in prop::collection::vec(-999_999_999i64..999_999_999, 1..6), convention in 0usize..7) {
        let (decimal, point, thousands) = CONVENTIONS[convention];
        let mut spec = format!("[source.t]\npath = \"t.csv\"\ndelimiter = \";\"\n[subject]\ntable = \"t\"\n[field.n]\ntype = \"float\"\ndecimal = \"{decimal}\"\n");
        if let Some((key, _)) = thousands {
            spec.push_str(&format!("thousands = \"{key}\"\n"));
        }
        // Every value must be usable and the extremes must read back exactly.
        let case = Case::new(&spec);
        let mut csv = String::from("n\n");
        for v in &values {
            csv.push_str(&printed(*v, point, thousands.map(|t| t.1)));
            csv.push('\n');
        }
        write(&case, "t.csv", &csv);
        let run = case.audit(&[]);
        assert_counts(&run, "n", 0, 0, values.len() as u64);
        let stats = &run.field("n")["stats"];
        let min = *values.iter().min().unwrap_or(&0) as f64 / 100.0;
        let max = *values.iter().max().unwrap_or(&0) as f64 / 100.0;
        prop_assert_eq!(stats["min"].as_str().and_then(|t| t.parse::<f64>().ok()), Some(min), "{}", csv);
        prop_assert_eq!(stats["max"].as_str().and_then(|t| t.parse::<f64>().ok()), Some(max), "{}", csv);
    }
}
