//! `segaudit contract`: the spec as an ODCS v3.1.0 data contract (contract §13). The subject's
//! columns are read from the data's schema (no scan), so that every column gets its property.

use std::path::Path;

use crate::base::error::Result;
use crate::engine::{Engine, RunOptions};
use crate::report::render::contract::{self, ContractInput};
use crate::spec::Spec;

/// The contract of `spec`, its paths relative to `out_dir` (where it is written).
pub async fn contract_yaml(spec: &Spec, out_dir: &Path) -> Result<String> {
    let engine = Engine::open(
        spec,
        RunOptions {
            schema_only: true,
            ..RunOptions::default()
        },
    )
    .await?;
    contract::render(&ContractInput {
        spec,
        columns: &engine.columns,
        out_dir,
    })
}
