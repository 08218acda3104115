//! The binary's own modules (not the library's): its arguments and its spinner. Only `main.rs` uses
//! them; the library never parses a command line nor prints.

pub(crate) mod args;
pub(crate) mod progress;
