//! Rule acceptance tests (`[[test]]`): each row is typed like the data and run through the same
//! typed-subject SQL and predicates as the audit.

use serde::Serialize;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;

use crate::base::error::{Error, Result};
use crate::base::names::did_you_mean;
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql;
use crate::engine::Engine;
use crate::spec::{RuleTest, Spec};

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub segment: String,
    pub population: Option<bool>,
    pub rule: Option<bool>,
    pub inputs: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    pub row: Vec<(String, String)>,
    pub expected: Vec<String>,
    pub actual: Vec<String>,
    pub expected_undetermined: Vec<String>,
    pub actual_undetermined: Vec<String>,
    pub evaluations: Vec<Evaluation>,
    /// `segment.variant` when the test ran with that variant in place (contract §12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

const INPUT: &str = "__segaudit_test_input";
const TYPED: &str = "__segaudit_test_typed";

/// Runs every rule test of the spec.
pub async fn run(engine: &Engine, spec: &Spec) -> Result<Vec<TestResult>> {
    let mut results = Vec::new();
    for test in &spec.tests {
        results.push(run_one(engine, spec, test).await?);
    }
    Ok(results)
}

async fn run_one(engine: &Engine, spec: &Spec, test: &RuleTest) -> Result<TestResult> {
    for (key, _) in &test.row {
        if !engine.columns.contains(key) {
            let tip = did_you_mean(key, engine.columns.iter().map(String::as_str)).map_or_else(
                || format!("the subject's columns are: {}", engine.columns.join(", ")),
                |g| format!("did you mean `{g}`?"),
            );
            return Err(Error::new(format!(
                "{}: test \"{}\": the subject has no column `{key}`",
                spec.path.display(),
                test.name
            ))
            .with_tip(tip));
        }
    }
    let tokens: Vec<&String> = spec.sources.iter().flat_map(|s| &s.null_tokens).collect();
    let schema = Arc::new(Schema::new(
        engine
            .columns
            .iter()
            .map(|c| Field::new(c, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = engine
        .columns
        .iter()
        .map(|c| {
            let value = test
                .row
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, v)| v.clone())
                .filter(|v| !tokens.iter().any(|t| *t == v.trim()));
            Arc::new(StringArray::from(vec![value])) as ArrayRef
        })
        .collect();
    let engine_err = |e: &dyn std::fmt::Display| Error::engine(format!("test \"{}\"", test.name), e);
    let input = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| engine_err(&e))?;
    let table = MemTable::try_new(schema, vec![vec![input]]).map_err(|e| engine_err(&e))?;
    let ctx = &engine.ctx;
    ctx.deregister_table(INPUT).map_err(|e| engine_err(&e))?;
    ctx.deregister_table(TYPED).map_err(|e| engine_err(&e))?;
    ctx.register_table(INPUT, Arc::new(table)).map_err(|e| engine_err(&e))?;
    let typed = ctx
        .sql(&sql::typed_subject(INPUT, &engine.columns))
        .await
        .map_err(|e| engine_err(&e))?;
    ctx.register_table(TYPED, typed.into_view())
        .map_err(|e| engine_err(&e))?;

    // With a variant named, that segment's rule (and the fields it reads) is the variant's.
    let mut segments = crate::measure::segments::segment_sql(engine);
    let mut fields: Vec<&[String]> = engine.segments.iter().map(|p| p.fields.as_slice()).collect();
    if let Some((segment, variant)) = &test.variant {
        let found = spec.segments.iter().position(|s| &s.id == segment).and_then(|j| {
            let v = engine.segments[j].variants.iter().find(|v| &v.id == variant)?;
            Some((j, v))
        });
        if let Some((j, v)) = found {
            segments[j].rule = &v.rule;
            fields[j] = &v.fields;
        }
    }
    let statement = sql::evaluate(&segments, TYPED);
    let batches = engine.query(&format!("test \"{}\"", test.name), &statement).await?;
    let Some(row) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Err(Error::new(format!("test \"{}\" returned no row", test.name)));
    };
    let row = &batch::Named::new(row);
    let mut actual = Vec::new();
    let mut actual_undetermined = Vec::new();
    let mut evaluations = Vec::new();
    for (j, segment) in spec.segments.iter().enumerate() {
        let population = batch::truth(row, &Col::PopulationTruth(j), 0)?;
        let rule = batch::truth(row, &Col::RuleTruth(j), 0)?;
        if population == Some(true) && rule == Some(true) {
            actual.push(segment.id.clone());
        }
        if population == Some(true) && rule.is_none() {
            actual_undetermined.push(segment.id.clone());
        }
        let inputs = fields[j]
            .iter()
            .map(|f| Ok((f.clone(), batch::text(row, &Col::Data(f.clone()), 0)?)))
            .collect::<Result<_>>()?;
        evaluations.push(Evaluation {
            segment: segment.id.clone(),
            population,
            rule,
            inputs,
        });
    }
    let same = |a: &[String], b: &[String]| {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        a.sort();
        b.sort();
        a == b
    };
    let passed =
        same(&actual, &test.expect) && (test.undetermined.is_empty() || same(&actual_undetermined, &test.undetermined));
    Ok(TestResult {
        name: test.name.clone(),
        passed,
        row: test.row.clone(),
        expected: test.expect.clone(),
        actual,
        expected_undetermined: test.undetermined.clone(),
        actual_undetermined,
        evaluations,
        variant: test.variant.as_ref().map(|(s, v)| format!("{s}.{v}")),
    })
}
