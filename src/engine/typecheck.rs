//! Type checks of a spec predicate (contract §11), before any scan: a comparison whose sides' types
//! never meet (a boolean with a number, a number with a text that is not one, a text field with a
//! number, a date with a text that is not an ISO date), an aggregate or window function in a row
//! predicate, an operator DataFusion does not know (`&&`). The parsed SQL is walked for the literals;
//! the other side's type comes from planning it over the typed subject's schema (no data read).

use std::ops::ControlFlow;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::DFSchema;
use datafusion::logical_expr::ExprSchemable;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{visit_expressions, BinaryOperator, Expr, Spanned, UnaryOperator, Value};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::base::error::{msg, Text};
use crate::base::i18n::Key;
use crate::spec::fieldcheck::FieldRule;

/// A predicate that cannot mean what its author meant, at `line:column` of the snippet (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: u64,
    pub column: u64,
    pub message: Text,
    pub tip: Text,
}

/// One side of a comparison: a literal as written, or an expression of a planned type.
enum Side {
    Number(String),
    Text(String),
    Other(Option<DataType>),
}

/// The first problem of `snippet` (a population, rule or `applies_when`), or `None`. A snippet that
/// does not parse, or names an unknown column, is left to the planner's own error.
pub fn check_predicate(
    ctx: &SessionContext,
    schema: &DFSchema,
    fields: &[FieldRule],
    snippet: &str,
) -> Option<Problem> {
    let parsed = Parser::new(&GenericDialect {})
        .try_with_sql(snippet)
        .and_then(|mut p| p.parse_expr())
        .ok()?;
    let aggregates = ctx.state().aggregate_functions().clone();
    let found = visit_expressions(&parsed, |node| {
        let problem = match node {
            Expr::BinaryOp { left, op, right } => operator_problem(snippet, op).or_else(|| {
                is_comparison(op)
                    .then(|| compare(ctx, schema, fields, node, left, op, right))
                    .flatten()
            }),
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                compare(ctx, schema, fields, node, a, &BinaryOperator::Eq, b)
            }
            Expr::Between { expr, low, high, .. } => {
                compare(ctx, schema, fields, node, expr, &BinaryOperator::GtEq, low)
                    .or_else(|| compare(ctx, schema, fields, node, expr, &BinaryOperator::LtEq, high))
            }
            Expr::InList { expr, list, .. } => list
                .iter()
                .find_map(|item| compare(ctx, schema, fields, node, expr, &BinaryOperator::Eq, item)),
            Expr::Function(f) => {
                let name = f.name.to_string().to_ascii_lowercase();
                if f.over.is_some() {
                    Some((msg(Key::ErrWindowInRow), msg(Key::ErrTipAggregateInRow), name))
                } else if aggregates.contains_key(&name) {
                    Some((msg(Key::ErrAggregateInRow), msg(Key::ErrTipAggregateInRow), name))
                } else {
                    None
                }
                .map(|(message, tip, name)| (message.arg("name", name).arg("expr", node), tip))
            }
            _ => None,
        };
        match problem {
            Some((message, tip)) => {
                let start = node.span().start;
                ControlFlow::Break(Problem {
                    line: start.line.max(1),
                    column: start.column.max(1),
                    message,
                    tip,
                })
            }
            None => ControlFlow::Continue(()),
        }
    });
    match found {
        ControlFlow::Break(problem) => Some(problem),
        ControlFlow::Continue(()) => None,
    }
}

fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}

/// `a && b`: an operator the SQL parser reads but DataFusion cannot plan (its list:
/// datafusion-sql `parse_sql_binary_op`).
fn operator_problem(snippet: &str, op: &BinaryOperator) -> Option<(Text, Text)> {
    use BinaryOperator as B;
    let known = matches!(
        op,
        B::Gt
            | B::GtEq
            | B::Lt
            | B::LtEq
            | B::Eq
            | B::NotEq
            | B::Plus
            | B::Minus
            | B::Multiply
            | B::Divide
            | B::Modulo
            | B::And
            | B::Or
            | B::PGRegexMatch
            | B::PGRegexIMatch
            | B::PGRegexNotMatch
            | B::PGRegexNotIMatch
            | B::PGLikeMatch
            | B::PGILikeMatch
            | B::PGNotLikeMatch
            | B::PGNotILikeMatch
            | B::BitwiseAnd
            | B::BitwiseOr
            | B::Xor
            | B::BitwiseXor
            | B::PGBitwiseXor
            | B::PGBitwiseShiftRight
            | B::PGBitwiseShiftLeft
            | B::StringConcat
            | B::ArrowAt
            | B::AtArrow
            | B::Arrow
            | B::LongArrow
            | B::HashArrow
            | B::HashLongArrow
            | B::AtAt
            | B::Spaceship
            | B::DuckIntegerDivide
            | B::MyIntegerDivide
            | B::HashMinus
            | B::AtQuestion
            | B::Question
            | B::QuestionAnd
            | B::QuestionPipe
    );
    if known {
        return None;
    }
    let snippet = snippet.trim();
    let message = msg(Key::ErrUnsupportedOperator).arg("expr", snippet).arg("op", op);
    let tip = match op {
        B::PGOverlap => {
            let good = snippet.replace("&&", " AND ");
            msg(Key::ErrTipOperatorAnd).arg("good", good.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        _ => msg(Key::ErrTipOperator),
    };
    Some((message, tip))
}

fn side(ctx: &SessionContext, schema: &DFSchema, expr: &Expr) -> Side {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Side::Number(n.clone()),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Side::Text(s.clone()),
            _ => Side::Other(None),
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: inner,
        } => match inner.as_ref() {
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => Side::Number(format!("-{inner}")),
            _ => Side::Other(planned_type(ctx, schema, expr)),
        },
        Expr::Nested(inner) => side(ctx, schema, inner),
        _ => Side::Other(planned_type(ctx, schema, expr)),
    }
}

fn planned_type(ctx: &SessionContext, schema: &DFSchema, expr: &Expr) -> Option<DataType> {
    let planned = ctx.parse_sql_expr(&expr.to_string(), schema).ok()?;
    planned.get_type(schema).ok()
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_date(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(..))
}

/// The comparison `node` (`left op right`) if its sides never meet.
fn compare(
    ctx: &SessionContext,
    schema: &DFSchema,
    fields: &[FieldRule],
    node: &Expr,
    left: &Expr,
    op: &BinaryOperator,
    right: &Expr,
) -> Option<(Text, Text)> {
    let (a, b) = (side(ctx, schema, left), side(ctx, schema, right));
    // Put the typed expression first: `1 = prepaye` reads as `prepaye = 1`.
    let (typed, typed_expr, other, literal_expr) = match (&a, &b) {
        (Side::Other(Some(t)), _) => (t.clone(), left, &b, right),
        (_, Side::Other(Some(t))) => (t.clone(), right, &a, left),
        _ => return None,
    };
    let expr = node.to_string();
    let field = typed_expr.to_string();
    let with_literal = |replacement: &str| expr.replacen(&literal_expr.to_string(), replacement, 1);
    match (&typed, other) {
        (DataType::Boolean, Side::Number(n)) => {
            let nonzero = n.parse::<f64>().ok().is_none_or(|v| v != 0.0);
            let truthy = nonzero != matches!(op, BinaryOperator::NotEq);
            let (good, alt) = if truthy {
                (field.clone(), format!("{field} = true"))
            } else {
                (format!("NOT {field}"), format!("{field} = false"))
            };
            Some((
                msg(Key::ErrTypeBoolNumber).arg("expr", &expr).arg("field", &field),
                msg(Key::ErrTipTypeBoolNumber).arg("good", good).arg("alt", alt),
            ))
        }
        (DataType::Boolean, Side::Other(Some(t))) if t.is_numeric() => Some((
            msg(Key::ErrTypeBoolNumber).arg("expr", &expr).arg("field", &field),
            msg(Key::ErrTipTypeBoolNumber)
                .arg("good", &field)
                .arg("alt", format!("{field} = true")),
        )),
        (t, Side::Text(s)) if t.is_numeric() && s.trim().parse::<f64>().is_err() => {
            let message = msg(Key::ErrTypeNumberText)
                .arg("expr", &expr)
                .arg("field", &field)
                .arg("text", literal_expr);
            let tip = match leading_number(s) {
                Some(n) => msg(Key::ErrTipTypeNumberText).arg("good", with_literal(&n)),
                None => msg(Key::ErrTipTypeNumberTextPlain).arg("field", &field),
            };
            Some((message, tip))
        }
        (t, Side::Number(n)) if is_text(t) => Some((
            msg(Key::ErrTypeTextNumber)
                .arg("expr", &expr)
                .arg("field", &field)
                .arg("number", n),
            msg(Key::ErrTipTypeTextNumber)
                .arg("good", with_literal(&format!("'{n}'")))
                .arg("field", &field),
        )),
        (t, Side::Text(s)) if is_date(t) && !is_iso(s) => {
            let message = msg(Key::ErrTypeDateText)
                .arg("expr", &expr)
                .arg("field", &field)
                .arg("text", literal_expr);
            let formats = fields
                .iter()
                .find(|f| f.name == field.trim_matches('"'))
                .map(|f| f.formats.clone())
                .unwrap_or_default();
            let tip = match as_iso(s, &formats) {
                Some(iso) => msg(Key::ErrTipTypeDateText).arg("good", with_literal(&format!("DATE '{iso}'"))),
                None => msg(Key::ErrTipTypeDateTextPlain).arg("field", &field),
            };
            Some((message, tip))
        }
        _ => None,
    }
}

/// `7` from `'7 jours'`, `2.5` from `'2,5 kWh'`.
fn leading_number(text: &str) -> Option<String> {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || ((*c == '.' || *c == ',') && *i > 0) || (*c == '-' && *i == 0)))
        .map_or(text.len(), |(i, _)| i);
    let number = text[..end].trim_end_matches(['.', ',']).replace(',', ".");
    number.parse::<f64>().ok().map(|_| number)
}

/// A text DataFusion reads as a date or timestamp: ISO 8601.
fn is_iso(text: &str) -> bool {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        || [
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ]
        .iter()
        .any(|f| NaiveDateTime::parse_from_str(text, f).is_ok())
        || DateTime::parse_from_rfc3339(text).is_ok()
}

/// The date a non-ISO text most likely means, as `YYYY-MM-DD`: read with the field's own
/// `formats` first, then the day-first forms a French or Portuguese export uses.
fn as_iso(text: &str, formats: &[String]) -> Option<String> {
    let text = text.trim();
    formats
        .iter()
        .map(String::as_str)
        .chain(["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d"])
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_from_the_front_of_a_text() {
        assert_eq!(leading_number("7 jours").as_deref(), Some("7"));
        assert_eq!(leading_number("2,5 kWh").as_deref(), Some("2.5"));
        assert_eq!(leading_number("sept"), None);
    }

    #[test]
    fn dates_day_first_become_iso() {
        assert!(is_iso("2020-01-01"));
        assert!(is_iso("2020-01-01 10:00:00"));
        assert!(!is_iso("01/01/2020"));
        assert_eq!(as_iso("31/12/2020", &[]).as_deref(), Some("2020-12-31"));
        assert_eq!(as_iso("n'importe", &[]), None);
    }
}
