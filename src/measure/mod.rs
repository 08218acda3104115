//! Stage 4, measure: the passes over the typed subject that produce every number of contract §3
//! (profile, then one fused pass for segments, strata and co-missingness; field map, rule tests) and the statistics on them;
//! and the `[[link]]` pass over the linked sources' columns (contract §10).

pub mod fieldmap;
pub mod heterogeneity;
pub mod links;
pub mod profile;
pub mod ruletest;
pub mod segments;
pub mod stats;
pub mod tally;
pub mod variants;
