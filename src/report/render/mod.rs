//! Renderers of the one [`crate::report::Report`]: JSON, terminal text, HTML. They return text or
//! write files; only the binary prints.

pub mod brief;
pub mod html;
pub mod json;
pub mod svg;
pub mod terminal;
