//! Snapshots of the generated SQL and checks of its quoting.

use super::*;

#[test]
fn quotes_identifiers() {
    assert_eq!(ident("année"), "\"année\"");
    assert_eq!(ident("a \"b\""), "\"a \"\"b\"\"\"");
}

#[test]
fn typed_subject_sql() {
    insta::assert_snapshot!(typed_subject("clients", &["id".into(), "Birth Date".into()]));
}

fn two_segments() -> [SegmentSql<'static>; 2] {
    [
        SegmentSql {
            population: Some("customer_type = 'B2C'"),
            rule: "avg_days_late < 7",
            fields: vec!["avg_days_late", "customer_type"],
        },
        SegmentSql {
            population: None,
            rule: "avg_days_late >= 7",
            fields: vec!["avg_days_late"],
        },
    ]
}

#[test]
fn fused_sql() {
    let segs = two_segments();
    let fused_sql = |strata: &[&str], apart: bool| {
        fused(&FusedSql {
            subject: "clients",
            columns: &["id", "region", "customer_type", "avg_days_late"],
            segments: &segs,
            fields: &["avg_days_late", "customer_type"],
            strata,
            variants: &[],
            variant_fields: &[],
            apart,
        })
    };
    insta::assert_snapshot!(fused_sql(&["region", "customer_type"], false));
    insta::assert_snapshot!(fused_sql(&["region", "customer_type"], true));
    insta::assert_snapshot!(fused_sql(&[], false));
}

#[test]
fn fused_pass_adds_keys_not_counts_with_segments() {
    // 40 segments: 80 truth values and 2 field flags, packed in three keys; the aggregate stays
    // one COUNT(*) (no strata, so no heatmap counts).
    let segs: Vec<SegmentSql> = (0..40).flat_map(|_| two_segments()).take(40).collect();
    let sql = fused(&FusedSql {
        subject: "clients",
        columns: &["id", "customer_type", "avg_days_late"],
        segments: &segs,
        fields: &["avg_days_late", "customer_type"],
        strata: &[],
        variants: &[],
        variant_fields: &[],
        apart: false,
    });
    assert_eq!(sql.matches("segaudit_truths(").count(), 3);
    assert_eq!(sql.matches("COUNT(").count(), 1);
    // Only the columns some predicate reads are typed; with no strata, none is tested for the heatmap.
    assert!(!sql.contains("segaudit_value_0("));
    assert!(!sql.contains("segaudit_usable_"));
}

#[test]
fn heatmap_tests_usability_without_typing_unread_columns() {
    let segs = two_segments();
    let sql = fused(&FusedSql {
        subject: "clients",
        columns: &["id", "region", "customer_type", "avg_days_late"],
        segments: &segs,
        fields: &["avg_days_late", "customer_type"],
        strata: &["region"],
        variants: &[],
        variant_fields: &[],
        apart: false,
    });
    // `id` is read by no predicate nor stratum: tested, not typed, for its heatmap count.
    assert!(sql.contains("COUNT(NULLIF(\"__u0\", FALSE)) AS \"field_usable_0\""));
    assert!(sql.contains("segaudit_usable_0(CAST(\"id\" AS VARCHAR)) AS \"__u0\""));
    assert!(sql.contains("COUNT(NULLIF(\"region\" IS NOT NULL, FALSE)) AS \"field_usable_1\""));
    assert!(!sql.contains("segaudit_usable_1("));
    assert!(!sql.contains("segaudit_value_0("));
}

#[test]
fn link_sql() {
    let from = LinkSide {
        table: "pay",
        column: "client id",
        function: "segaudit_link_0_0",
    };
    let to = LinkSide {
        table: "clients",
        column: "client_id",
        function: "segaudit_link_0_1",
    };
    insta::assert_snapshot!(link(&from, &to));
}

#[test]
fn variants_add_truth_values_not_counts() {
    // A variant is one more truth value in the keys, and a field only it reads one more absence
    // flag: still one COUNT(*), and the variant's field is typed for its rule.
    let segs = two_segments();
    let sql = fused(&FusedSql {
        subject: "clients",
        columns: &["id", "customer_type", "avg_days_late", "nb_unpaid"],
        segments: &segs,
        fields: &["avg_days_late", "customer_type"],
        strata: &[],
        variants: &["COALESCE(avg_days_late, 30) < 7 AND nb_unpaid = 0"],
        variant_fields: &["nb_unpaid"],
        apart: false,
    });
    assert_eq!(sql.matches("COUNT(").count(), 1);
    assert!(sql.contains(
        "segaudit_truths((customer_type = 'B2C'), (avg_days_late < 7), (TRUE), (avg_days_late >= 7), \
         \"avg_days_late\" IS NULL, \"customer_type\" IS NULL, \
         (COALESCE(avg_days_late, 30) < 7 AND nb_unpaid = 0), \"nb_unpaid\" IS NULL)"
    ));
    assert!(sql.contains("segaudit_value_3(CAST(\"nb_unpaid\" AS VARCHAR)) AS \"nb_unpaid\""));
}

#[test]
fn init_scans_sql() {
    // One aggregate for leading zeros and number shapes; one grouped scan for presence by value.
    let numbers = number_texts("clients", &["puissance"], &["conso"]);
    assert_eq!(numbers.matches("COUNT(").count(), 1 + NUMBER_SHAPES.len());
    assert!(numbers.contains("AS \"n0_comma\"") && numbers.contains("AS \"lz_0\""));
    let presence = presence_by_value("clients", &["id", "type_client", "secteur", "milieu"], &[1, 3], &[2]);
    assert!(
        presence.ends_with("GROUP BY GROUPING SETS ((\"__v0\"), (\"__v1\"))"),
        "{presence}"
    );
    assert_eq!(presence.matches("COUNT(").count(), 2);
}

#[test]
fn profile_sql() {
    insta::assert_snapshot!(profile("clients", &["region", "Birth Date"], &ProfileSql::default()));
}

#[test]
fn profile_sql_with_conditions_and_identity() {
    // secteur (2) applies to B2B rows: typed `type` (1) is read by the predicate; the identity
    // (nom 3, naissance 4) under key id (0).
    let extra = ProfileSql {
        conditions: vec![(2, "\"type\" = 'B2B'")],
        identity: Some((0, vec![3, 4])),
        typed: vec![1, 3, 4],
    };
    insta::assert_snapshot!(profile(
        "clients",
        &["id", "type", "secteur", "nom", "naissance"],
        &extra
    ));
}
