//! The profile aggregate: one exact value count per column in a single scan, then every
//! per-value judgement (status, mojibake, shape, placeholder, kind, case folding) made once per
//! distinct text instead of once per row.

mod categories;
mod state;
mod stats;
mod summary;
mod types;

pub use types::{ColumnSummary, ProfileOptions, ProfiledColumn, Stats};
#[cfg(test)]
mod tests;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

/// The one profile aggregate of a subject: `segaudit_profile(c0, c1, …)` takes every column as text
/// and returns a JSON array with one [`ColumnSummary`] per column. One aggregate for all columns (not
/// one per column) so that the serial end of the aggregation, the merge of the partitions' states and
/// the summaries, runs on `threads` threads across columns, the largest first.
#[derive(Debug)]
pub struct TableProfileUdaf {
    signature: Signature,
    columns: Vec<ProfiledColumn>,
    threads: usize,
}

impl PartialEq for TableProfileUdaf {
    fn eq(&self, other: &Self) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|((a, x, p), (b, y, q))| a.name == b.name && x == y && p == q)
    }
}
impl Eq for TableProfileUdaf {}
impl Hash for TableProfileUdaf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for (rule, options, _) in &self.columns {
            rule.name.hash(state);
            options.hash(state);
        }
    }
}

pub const PROFILE: &str = "segaudit_profile";

pub fn table_profile_udaf(columns: Vec<ProfiledColumn>, threads: usize) -> AggregateUDF {
    AggregateUDF::new_from_impl(TableProfileUdaf {
        signature: Signature::variadic_any(Volatility::Immutable),
        columns,
        threads: threads.max(1),
    })
}

impl AggregateUDFImpl for TableProfileUdaf {
    fn name(&self) -> &str {
        PROFILE
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        if args.exprs.len() != self.columns.len() {
            return Err(state::internal("one argument per profiled column expected"));
        }
        Ok(Box::new(state::accumulator(&self.columns, self.threads)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        let list = |i: usize, name: &str, item: DataType| {
            Arc::new(Field::new(
                format!("{}[{i}.{name}]", args.name),
                DataType::List(Arc::new(Field::new_list_field(item, true))),
                true,
            ))
        };
        let scalar = |i: usize, name: &str, item: DataType| {
            Arc::new(Field::new(format!("{}[{i}.{name}]", args.name), item, true))
        };
        Ok((0..self.columns.len())
            .flat_map(|i| {
                [
                    list(i, "texts", DataType::LargeUtf8),
                    list(i, "counts", DataType::UInt64),
                    scalar(i, "nulls", DataType::UInt64),
                    scalar(i, "overflow", DataType::Utf8),
                    list(i, "sample_hashes", DataType::UInt64),
                    list(i, "sample_counts", DataType::UInt64),
                    scalar(i, "sample_threshold", DataType::UInt64),
                    list(i, "numbers", DataType::Float64),
                ]
            })
            .collect())
    }
}
