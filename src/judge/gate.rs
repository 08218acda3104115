//! The gate (contract §1): the worst finding against `fail_on` decides the exit code.

use serde::Serialize;

use crate::base::risk::{FailOn, Level};
use crate::judge::findings::Finding;

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub fail_on: FailOn,
    pub worst: Level,
    pub passed: bool,
}

impl Gate {
    pub fn decide(fail_on: FailOn, findings: &[Finding]) -> Gate {
        // A waived finding is shown but does not count (contract §10).
        let worst = findings
            .iter()
            .filter(|f| !f.waived)
            .map(|f| f.level)
            .max()
            .unwrap_or(Level::Ok);
        Gate {
            fail_on,
            worst,
            passed: !fail_on.fails(worst),
        }
    }
}
