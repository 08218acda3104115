//! The vocabulary every stage shares and that depends on no stage: errors, risk levels, languages
//! and their catalogues, name matching, atomic writes.

pub mod error;
pub mod fs;
pub mod i18n;
pub mod names;
pub mod risk;
pub mod scratch;
pub mod text_argument;
