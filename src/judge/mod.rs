//! Stage 5, judge: turns measurements into findings (contract §5) and the gate.

pub mod findings;
pub mod gate;
pub mod links;
mod segment_findings;
mod sink;
pub mod waivers;
