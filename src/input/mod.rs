//! Stage 2, input: finds and reads what the spec's sources name (files today) and registers each
//! as a DataFusion table, with what the reading found (bad rows, encodings, renamed headers).

pub mod csv_prep;
mod csv_rows;
mod csv_split;
pub mod detect;
mod digest;
mod null_tokens;
pub mod sources;
