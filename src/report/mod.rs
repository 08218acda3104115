//! Stage 6, report: the one report model, assembled once from the passes' results, and its renderers.

pub mod catalog;
pub mod diff;
mod model;
pub mod odcs;
pub mod render;
pub mod stored;

pub use model::*;
