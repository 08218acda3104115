//! Fuzzing with proptest (cargo-fuzz needs a nightly toolchain these machines do not have): random
//! and mutated spec text through the spec parser, random CSV bytes through `segaudit profile`.
//! Neither may ever panic. CI runs a few dozen cases; a longer, time-bounded run is documented in
//! docs/performance.md (`PROPTEST_CASES=… cargo test --test cli fuzz`). Every crash found becomes a
//! named regression case below.

use std::path::Path;

use proptest::prelude::*;

use crate::Case;

/// Cases per target: PROPTEST_CASES when set (long fuzzing runs), else a CI-sized number.
fn cases(ci: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ci);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const DEMO_SPEC: &str = include_str!("../../checks/demo.toml");

/// Bytes that matter to a CSV reader or a decoder, plus anything at all.
fn csv_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(b",;\"\n\r\t 0123456789aZ.-/".to_vec()),
        1 => prop::sample::select(vec![0u8, 0xEF, 0xBB, 0xBF, 0xFF, 0xFE, 0xC3, 0xA9, 0x80, 0x1F]),
        1 => any::<u8>(),
    ]
}

/// A spec damaged the way hand edits damage it: a slice cut out, a fragment pasted in.
fn mutated_spec() -> impl Strategy<Value = String> {
    let fragments = prop::sample::select(vec![
        "[",
        "]",
        "\"",
        "'",
        "=",
        "\n",
        "[segment.x]\nrule = \"",
        "population = \"a >\"\n",
        "[[",
        "type = 3\n",
        "range = [\"a\", 1]\n",
        "\u{0}",
        "é",
        "[field.\"\"]\n",
        "null_tokens = [[]]\n",
        "fail_on = \"sometimes\"\n",
        "strata = \"region\"\n",
        "key = \"\"\n",
        "path = \"/nonexistent\"\n",
        "#",
    ]);
    (0..DEMO_SPEC.len(), 0usize..200, fragments).prop_map(|(at, cut, fragment)| {
        let start = floor_char_boundary(DEMO_SPEC, at);
        let end = floor_char_boundary(DEMO_SPEC, (start + cut).min(DEMO_SPEC.len()));
        format!("{}{fragment}{}", &DEMO_SPEC[..start], &DEMO_SPEC[end..])
    })
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn assert_spec_parse_is_total(text: &str) {
    // Paths resolve against the demo's folder, so undamaged sources still exist.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks/fuzz.toml");
    if let Err(e) = segaudit::spec::parse(&path, text) {
        assert!(!e.english().is_empty(), "an error with no message for:\n{text}");
    }
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn fuzz_spec_parsing_never_panics(text in mutated_spec()) {
        assert_spec_parse_is_total(&text);
    }

    #[test]
    fn fuzz_spec_parsing_of_any_text_never_panics(text in "\\PC{0,200}") {
        assert_spec_parse_is_total(&text);
    }
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn fuzz_csv_bytes_profile_or_fail_clearly(bytes in prop::collection::vec(csv_byte(), 0..400)) {
        let case = Case::new("");
        std::fs::write(case.path("t.csv"), &bytes).expect("write");
        let run = case.run(&["profile", "t.csv", "--out", "out", "--quiet"]);
        prop_assert!(run.code == 0 || run.code == 2, "exit {}: {}\nbytes: {bytes:?}", run.code, run.stderr);
        prop_assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        if run.code == 2 {
            prop_assert!(run.stderr.contains("t.csv"), "the error does not name the file: {}", run.stderr);
        }
    }
}
