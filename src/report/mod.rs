//! Stage 6, report: the one report model, assembled once from the passes' results, and its renderers.

pub mod catalog;
mod model;
pub mod odcs;
pub mod render;

pub use model::*;
