//! Stage 6, report: the one report model, assembled once from the passes' results, and its renderers.

mod model;
pub mod render;

pub use model::*;
