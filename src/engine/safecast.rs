//! Dirty data never aborts an audit: a rule comparing an undeclared text column with a number
//! (`age > 30` over `"abc"`) makes DataFusion cast the text, and a strict cast fails the whole query.
//! This analyzer rule, run after type coercion, turns every cast *from text* into `TRY_CAST`, so a
//! value that does not convert is NULL — an undetermined row, as three-valued logic intends.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, LogicalPlan, TryCast};
use datafusion::optimizer::AnalyzerRule;

#[derive(Debug, Default)]
pub struct SafeTextCasts;

fn is_text(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

impl AnalyzerRule for SafeTextCasts {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let Some(schema) = node.inputs().first().map(|input| input.schema().clone()) else {
                return Ok(Transformed::no(node));
            };
            node.map_expressions(|expr| {
                expr.transform_up(|e| match e {
                    Expr::Cast(Cast { expr, field })
                        if !is_text(field.data_type()) && expr.get_type(&schema).is_ok_and(|t| is_text(&t)) =>
                    {
                        Ok(Transformed::yes(Expr::TryCast(TryCast { expr, field })))
                    }
                    other => Ok(Transformed::no(other)),
                })
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "segaudit_safe_text_casts"
    }
}
