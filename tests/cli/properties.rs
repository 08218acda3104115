//! Invariants on random small tables and rules: missing + invalid + usable = rows,
//! members + non_members + undetermined = population, segmentation counts sum to its population.

use proptest::prelude::*;

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("N/A".to_string()),
        Just(" ".to_string()),
        Just("x".to_string()),
        (-5i32..15).prop_map(|v| v.to_string()),
    ]
}

const RULES: [&str; 6] = [
    "a < 5",
    "a >= 5 OR b < 3",
    "b IS NULL",
    "a + b > 4",
    "NOT (a = 1)",
    "c = 'x' OR a > 2",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn counts_always_add_up(rows in prop::collection::vec((cell(), cell(), cell()), 0..25), r1 in 0usize..6, r2 in 0usize..6, pop in 0usize..6) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut csv = String::from("a,b,c\n");
        for (a, b, c) in &rows {
            csv.push_str(&format!("{a},{b},{c}\n"));
        }
        std::fs::write(dir.path().join("t.csv"), csv).expect("write");
        let spec = format!(
            "[source.t]\npath = \"t.csv\"\nnull_tokens = [\"N/A\"]\n[subject]\ntable = \"t\"\n[field.a]\ntype = \"integer\"\nrange = [0, 10]\n[field.b]\ntype = \"integer\"\n[segment.s1]\npopulation = \"{}\"\nrule = \"{}\"\n[segment.s2]\npopulation = \"{}\"\nrule = \"{}\"\n[segmentation.g]\nsegments = [\"s1\", \"s2\"]\n",
            RULES[pop], RULES[r1], RULES[pop], RULES[r2]
        );
        let spec_path = dir.path().join("spec.toml");
        std::fs::write(&spec_path, spec).expect("write spec");
        let report = segaudit::run_audit(&spec_path, &segaudit::AuditOptions::default()).expect("audit runs");
        prop_assert_eq!(report.subject.rows, rows.len() as u64);
        for f in &report.fields {
            prop_assert_eq!(f.missing + f.invalid + f.usable, f.rows);
        }
        for s in &report.segments {
            prop_assert_eq!(s.members + s.non_members + s.undetermined, s.population);
            prop_assert!(s.population + s.population_undetermined <= report.subject.rows);
            prop_assert_eq!(s.size_max, s.members + s.undetermined);
            for f in &s.fields {
                prop_assert!(f.undetermined_rows <= s.undetermined);
                prop_assert!(f.usable <= s.population);
            }
        }
        for g in &report.segmentations {
            prop_assert_eq!(g.exactly_one + g.none + g.several + g.undetermined, g.population);
        }
    }
}
