//! The `[[link]]` pass (contract §10): per link, one aggregate statement over its two columns (see
//! [`crate::engine::sql::link`]), never a scan of the subject for it. A link's risk is its orphan
//! share judged with the `undetermined` thresholds: orphans are rows a join silently drops, as
//! undetermined rows are customers a segment silently cannot place.

use serde::Serialize;

use crate::base::error::Result;
use crate::base::risk::{share, Level};
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql::SqlStatement;
use crate::engine::Engine;
use crate::spec::Spec;

/// One link's numbers (JSON `links[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkReport {
    /// `table.column` of each side.
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every row of the `from` side.
    pub from_rows: u64,
    /// `from` rows whose value (not missing) no `to` row has.
    pub orphans: u64,
    /// `from` rows whose value is missing (contract §3, with the side's null tokens).
    pub from_missing: u64,
    pub to_rows: u64,
    /// `to` rows whose value (not missing) no `from` row has.
    pub to_unmatched: u64,
    /// orphans / from_rows; null when the `from` side has no rows.
    pub orphan_share: Option<f64>,
    pub risk: Level,
}

/// Every link's statement, in spec order.
pub fn statements(spec: &Spec) -> Vec<SqlStatement> {
    spec.links
        .iter()
        .enumerate()
        .map(|(i, link)| crate::engine::links::statement(i, link))
        .collect()
}

/// Runs every link's statement and reads its numbers.
pub async fn measure(engine: &Engine, spec: &Spec) -> Result<(Vec<LinkReport>, Vec<SqlStatement>)> {
    let statements = statements(spec);
    let mut out = Vec::with_capacity(spec.links.len());
    for (link, statement) in spec.links.iter().zip(&statements) {
        let batches = engine.query(&statement.purpose, &statement.sql).await?;
        let named = batch::named(&batches);
        // One row; an aggregate over nothing still answers one row of NULLs, read as 0.
        let read = |column: &Col| -> Result<u64> {
            named
                .iter()
                .find(|b| b.num_rows() > 0)
                .map_or(Ok(0), |b| batch::count(b, column, 0))
        };
        let (from_rows, orphans) = (read(&Col::LinkFromRows)?, read(&Col::LinkOrphans)?);
        let orphan_share = share(orphans, from_rows);
        out.push(LinkReport {
            from: link.from.name.value.clone(),
            to: link.to.name.value.clone(),
            description: link.description.clone(),
            from_rows,
            orphans,
            from_missing: read(&Col::LinkFromMissing)?,
            to_rows: read(&Col::LinkToRows)?,
            to_unmatched: read(&Col::LinkToUnmatched)?,
            orphan_share,
            risk: spec.risk.undetermined.level_when_high(orphan_share),
        });
    }
    Ok((out, statements))
}
