//! The spec's row predicates planned against the typed subject: each segment's population and rule,
//! each field's `applies_when`, and the `[subject] identity` columns (contract §10, §11). Every
//! predicate goes through [`predicate`]: type-checked, parsed, its columns listed, errors at the
//! snippet's `line:col`.

use datafusion::common::DFSchema;
use datafusion::logical_expr::Expr;
use datafusion::prelude::SessionContext;

use crate::base::error::{msg, Result};
use crate::base::i18n::Key;
use crate::base::names::did_you_mean;
use crate::engine::{no_column, spec_err, typecheck, SegmentPlan, VariantPlan};
use crate::spec::{Located, Spec};

/// A field's `applies_when`, planned: the subject column it concerns and the checked predicate.
#[derive(Debug, Clone)]
pub struct ConditionPlan {
    /// Index of the field among the subject's columns.
    pub column: usize,
    pub predicate: String,
    /// The subject columns the predicate reads.
    pub fields: Vec<String>,
}

/// One checked predicate: its text and the subject columns it reads, in subject order.
struct Planned {
    text: String,
    fields: Vec<String>,
}

/// Type-checks and parses one row predicate of the spec (a population, a rule, an `applies_when`).
fn predicate(
    ctx: &SessionContext,
    spec: &Spec,
    schema: &DFSchema,
    columns: &[String],
    located: &Located<String>,
    key: &str,
) -> Result<Planned> {
    let text = located.value.trim();
    if text.is_empty() {
        return Err(spec_err(spec, located, key, "the predicate is empty")
            .with_tip("write a SQL condition, e.g. avg_days_late < 7"));
    }
    if let Some(problem) = typecheck::check_predicate(ctx, schema, &spec.fields, &located.value) {
        let loc = crate::spec::snippet_loc(&spec.text, located.loc, problem.line, problem.column);
        return Err(spec_err(
            spec,
            &Located {
                value: String::new(),
                loc,
            },
            key,
            problem.message,
        )
        .with_tip(problem.tip));
    }
    let expr: Expr = ctx.parse_sql_expr(text, schema).map_err(|e| {
        let message = crate::base::error::clean_engine_message(&e.to_string());
        let tip = unknown_column_tip(&message, columns).unwrap_or_else(|| {
            "write one SQL condition over the subject's columns, e.g. customer_type = 'B2C' AND avg_days_late < 7; quote names with spaces or keywords in double quotes".to_string()
        });
        spec_err(spec, located, key, message).with_tip(tip)
    })?;
    let mut fields: Vec<String> = Vec::new();
    for column in expr.column_refs() {
        if !fields.contains(&column.name) {
            fields.push(column.name.clone());
        }
    }
    fields.sort_by_key(|f| columns.iter().position(|c| c == f));
    Ok(Planned {
        text: text.to_string(),
        fields,
    })
}

pub(super) fn segment(
    ctx: &SessionContext,
    spec: &Spec,
    segment: &crate::spec::Segment,
    schema: &DFSchema,
    columns: &[String],
) -> Result<SegmentPlan> {
    let mut fields: Vec<String> = Vec::new();
    let mut read = |planned: Planned| {
        for f in planned.fields {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
        planned.text
    };
    let population_planned = match &segment.population {
        Some(p) => Some(predicate(
            ctx,
            spec,
            schema,
            columns,
            p,
            &format!("segment.{}.population", segment.id),
        )?),
        None => None,
    };
    let population_fields: Vec<String> = population_planned
        .as_ref()
        .map(|p| p.fields.clone())
        .unwrap_or_default();
    let population = population_planned.map(&mut read);
    let rule = read(predicate(
        ctx,
        spec,
        schema,
        columns,
        &segment.rule,
        &format!("segment.{}.rule", segment.id),
    )?);
    fields.sort_by_key(|f| columns.iter().position(|c| c == f));
    let absence = crate::engine::absence::segment_tests(population.as_deref(), &rule, &fields);
    // A variant is checked exactly like the rule, and reads the population's fields and its own.
    let mut variants = Vec::new();
    for v in &segment.variants {
        let key = format!("segment.{}.variants.{}", segment.id, v.id);
        let planned = predicate(ctx, spec, schema, columns, &v.rule, &key)?;
        let mut fields = population_fields.clone();
        for f in planned.fields {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
        fields.sort_by_key(|f| columns.iter().position(|c| c == f));
        let absence = crate::engine::absence::segment_tests(population.as_deref(), &planned.text, &fields);
        variants.push(VariantPlan {
            id: v.id.clone(),
            rule: planned.text,
            fields,
            absence,
        });
    }
    Ok(SegmentPlan {
        population,
        rule,
        fields,
        absence,
        variants,
    })
}

/// Every `applies_when` of a field the subject has (a field it lacks is `field_map.missing`):
/// checked like a rule, and refused when it reads the field it conditions — a field cannot decide
/// whether it applies to itself, and its own absence would then count as "does not apply".
pub(super) fn conditions(
    ctx: &SessionContext,
    spec: &Spec,
    schema: &DFSchema,
    columns: &[String],
) -> Result<Vec<ConditionPlan>> {
    let mut plans = Vec::new();
    for condition in &spec.applies_when {
        let Some(column) = columns.iter().position(|c| *c == condition.field) else {
            continue;
        };
        let key = format!("field.{}.applies_when", condition.field);
        let planned = predicate(ctx, spec, schema, columns, &condition.predicate, &key)?;
        if planned.fields.contains(&condition.field) {
            return Err(spec_err(
                spec,
                &condition.predicate,
                &key,
                msg(Key::ErrAppliesWhenSelf).arg("field", &condition.field),
            )
            .with_tip(msg(Key::ErrTipAppliesWhenSelf).arg("field", &condition.field)));
        }
        plans.push(ConditionPlan {
            column,
            predicate: planned.text,
            fields: planned.fields,
        });
    }
    Ok(plans)
}

/// The `[subject] identity` columns, as indexes into the subject's columns (contract §10): each must
/// exist, and the subject must have a key (duplicate identities are rows under *different* keys).
pub(super) fn identity(spec: &Spec, columns: &[String]) -> Result<Vec<usize>> {
    let Some(first) = spec.subject.identity.first() else {
        return Ok(Vec::new());
    };
    if spec.subject.key.is_none() {
        return Err(spec_err(spec, first, "subject.identity", msg(Key::ErrIdentityKeyless))
            .with_tip(msg(Key::ErrTipIdentityKeyless)));
    }
    let mut indexes = Vec::new();
    for located in &spec.subject.identity {
        let Some(index) = columns.iter().position(|c| *c == located.value) else {
            return Err(no_column(spec, located, "subject.identity", columns));
        };
        if !indexes.contains(&index) {
            indexes.push(index);
        }
    }
    Ok(indexes)
}

/// DataFusion says "No field named avg_day_late. Valid fields are ..."; suggest the closest column.
fn unknown_column_tip(message: &str, columns: &[String]) -> Option<String> {
    let rest = message.split("no column named `").nth(1)?;
    let name = rest.split('`').next()?;
    let suggestion = did_you_mean(name, columns.iter().map(String::as_str));
    Some(match suggestion {
        Some(good) => format!("the subject has no column `{name}`; did you mean `{good}`?"),
        None => format!(
            "the subject has no column `{name}`; its columns are: {}",
            columns.join(", ")
        ),
    })
}
