//! segaudit: audits a customer base before it is split into business segments.
//!
//! The library does all the work and never prints; `main.rs` parses the command line, calls
//! [`run_audit`], [`run_check`], [`run_profile`] or [`run_init`], prints what the renderers return and
//! maps the outcome to an exit code. The stages, in the one direction data flows (a module imports
//! only from its own stage or an earlier one; see docs/architecture.md):
//! `base` → `spec` → `input` → `engine` → `measure` → `judge` → `report` → `history` → `commands`.

mod base;
mod commands;
mod engine;
mod history;
mod input;
mod judge;
mod measure;
pub mod report;
pub mod spec;

pub use base::error::{Error, Result};
pub use base::fs::write_atomically;
pub use base::i18n::Lang;
pub use base::risk::{FailOn, Level};
pub use commands::assign::summary::{refusal as render_assign_refusal, render as render_assign_summary};
pub use commands::assign::{AssignOptions, AssignOutcome};
pub use commands::audit::{AuditOptions, CheckOutcome};
pub use commands::catalog::{run_catalog, CatalogOptions};
pub use commands::diff::diff;
pub use commands::{
    guard_profile_outputs, now_rfc3339, run_assign, run_audit, run_audit_writing, run_check, run_contract, run_init,
    run_init_from_odcs, run_profile, ReportFiles,
};
pub use engine::database::UrlArgs;
pub use engine::RunOptions;
pub use history::listing::{list as history_list, render as render_history};
pub use report::render::diff::{render as render_diff, render_html as render_diff_html};
pub use report::Report;

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
