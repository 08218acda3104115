//! The JSON report of contract §4.

use std::path::Path;

use crate::base::error::{Error, Result};
use crate::report::Report;

pub fn to_string(report: &Report) -> Result<String> {
    serde_json::to_string_pretty(report).map_err(|e| Error::new(format!("cannot serialise the report: {e}")))
}

pub fn write(report: &Report, path: &Path) -> Result<()> {
    let mut text = to_string(report)?;
    text.push('\n');
    crate::base::fs::write_atomically(path, text.as_bytes())
}
