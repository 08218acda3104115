//! Rules that decide on missing values (contract §9): which fields a segment's population or rule
//! tests for absence (`IS NULL`, `IS NOT NULL`, `COALESCE`, `IFNULL`, `NVL`, `NULLIF`, or a comparison
//! inside a `CASE` that applies one), found by walking the parsed SQL expression, never by matching
//! text (a column named `is_null_flag` or a string `'IS NULL'` must not count).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{visit_expressions, Expr, Function};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The construct by which a predicate tests a field's absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullTest {
    IsNull,
    IsNotNull,
    Coalesce,
    IfNull,
    Nvl,
    NullIf,
}

impl NullTest {
    /// As written in SQL, for the report's sentences.
    pub fn sql(self) -> &'static str {
        match self {
            NullTest::IsNull => "IS NULL",
            NullTest::IsNotNull => "IS NOT NULL",
            NullTest::Coalesce => "COALESCE",
            NullTest::IfNull => "IFNULL",
            NullTest::Nvl => "NVL",
            NullTest::NullIf => "NULLIF",
        }
    }

    fn of_function(f: &Function) -> Option<NullTest> {
        let name = f.name.0.last()?.as_ident()?.value.to_ascii_lowercase();
        match name.as_str() {
            "coalesce" => Some(NullTest::Coalesce),
            "ifnull" => Some(NullTest::IfNull),
            "nvl" => Some(NullTest::Nvl),
            "nullif" => Some(NullTest::NullIf),
            _ => None,
        }
    }
}

/// Which predicate of the segment holds the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predicate {
    Population,
    Rule,
}

/// One field whose absence a segment tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceTest {
    pub field: String,
    pub test: NullTest,
    /// The field is compared inside a `CASE` that applies `test` (perhaps to another field).
    pub in_case: bool,
    pub predicate: Predicate,
}

/// The null test an expression node applies itself, if any.
fn null_test(expr: &Expr) -> Option<NullTest> {
    match expr {
        Expr::IsNull(_) => Some(NullTest::IsNull),
        Expr::IsNotNull(_) => Some(NullTest::IsNotNull),
        Expr::Function(f) => NullTest::of_function(f),
        _ => None,
    }
}

/// Every column an expression reads (the last part of a compound name), in order of appearance.
fn columns(expr: &Expr, out: &mut Vec<String>) {
    let _ = visit_expressions(expr, |e| {
        let name = match e {
            Expr::Identifier(ident) => Some(ident.value.clone()),
            Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
            _ => None,
        };
        if let Some(name) = name {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// The fields one predicate tests for absence, with the construct that does. A predicate that does
/// not parse tests nothing (it has been checked by DataFusion before it gets here).
pub fn tested_fields(sql: &str, predicate: Predicate) -> Vec<AbsenceTest> {
    let Ok(expr) = Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
    else {
        return Vec::new();
    };
    let mut out: Vec<AbsenceTest> = Vec::new();
    let mut add = |field: String, test: NullTest, in_case: bool| {
        if !out.iter().any(|t| t.field == field) {
            out.push(AbsenceTest {
                field,
                test,
                in_case,
                predicate,
            });
        }
    };
    // First the fields a null test applies to directly, then those compared inside a CASE that
    // applies one (the visit is pre-order: a CASE comes before the tests inside it).
    let _ = visit_expressions(&expr, |e| {
        if let Some(test) = null_test(e) {
            let mut read = Vec::new();
            columns(e, &mut read);
            read.into_iter().for_each(|f| add(f, test, false));
        }
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions(&expr, |e| {
        if let Expr::Case { .. } = e {
            // The first null test the CASE applies, anywhere inside it.
            let mut found = None;
            let _ = visit_expressions(e, |inner| match null_test(inner) {
                Some(test) => {
                    found = Some(test);
                    ControlFlow::Break(())
                }
                None => ControlFlow::Continue(()),
            });
            if let Some(test) = found {
                let mut read = Vec::new();
                columns(e, &mut read);
                read.into_iter().for_each(|f| add(f, test, true));
            }
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

/// The fields a segment tests for absence, restricted to the subject columns it reads (`fields`,
/// from DataFusion's plan), the population's tests first.
pub fn segment_tests(population: Option<&str>, rule: &str, fields: &[String]) -> Vec<AbsenceTest> {
    let mut out: Vec<AbsenceTest> = Vec::new();
    let found = population
        .map(|p| tested_fields(p, Predicate::Population))
        .unwrap_or_default()
        .into_iter()
        .chain(tested_fields(rule, Predicate::Rule));
    for test in found {
        if fields.contains(&test.field) && !out.iter().any(|t| t.field == test.field) {
            out.push(test);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<(String, NullTest, bool)> {
        tested_fields(sql, Predicate::Rule)
            .into_iter()
            .map(|t| (t.field, t.test, t.in_case))
            .collect()
    }

    #[test]
    fn null_tests_are_found_in_the_expression() {
        assert_eq!(
            names("secondary_breed IS NULL"),
            vec![("secondary_breed".into(), NullTest::IsNull, false)]
        );
        assert_eq!(
            names("a > 3 AND \"Birth Date\" IS NOT NULL"),
            vec![("Birth Date".into(), NullTest::IsNotNull, false)]
        );
        assert_eq!(
            names("coalesce(income, 0) > 100 OR ifnull(x, 1) = 1"),
            vec![
                ("income".into(), NullTest::Coalesce, false),
                ("x".into(), NullTest::IfNull, false)
            ]
        );
        assert_eq!(names("NVL(t.a, 0) > 1"), vec![("a".into(), NullTest::Nvl, false)]);
        assert_eq!(
            names("NULLIF(a, '') = 'x'"),
            vec![("a".into(), NullTest::NullIf, false)]
        );
    }

    #[test]
    fn case_with_a_null_test_counts_every_field_it_compares() {
        assert_eq!(
            names("CASE WHEN a IS NULL THEN b > 1 ELSE c < 2 END"),
            vec![
                ("a".into(), NullTest::IsNull, false),
                ("b".into(), NullTest::IsNull, true),
                ("c".into(), NullTest::IsNull, true)
            ]
        );
        // A CASE without a null test tests nothing.
        assert!(names("CASE WHEN a > 1 THEN b > 1 ELSE FALSE END").is_empty());
    }

    #[test]
    fn text_that_only_looks_like_a_null_test_is_not_one() {
        assert!(names("is_null_flag = 'IS NULL'").is_empty());
        assert!(names("a < 7").is_empty());
    }

    #[test]
    fn only_fields_the_segment_reads() {
        let fields = vec!["a".to_string()];
        let tests = segment_tests(Some("a IS NOT NULL"), "coalesce(a, 0) > 1", &fields);
        assert_eq!(tests.len(), 1);
        assert_eq!(tests[0].predicate, Predicate::Population);
        assert!(segment_tests(None, "zzz IS NULL", &fields).is_empty());
    }
}
