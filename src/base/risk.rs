//! Risk levels and the thresholds that turn a share into a level (contract §3).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Ok,
    Warn,
    High,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ok" => Some(Level::Ok),
            "warn" => Some(Level::Warn),
            "high" => Some(Level::High),
            "critical" => Some(Level::Critical),
            _ => None,
        }
    }
}

/// The level from which findings fail the gate (`[gate] fail_on`, `--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// No finding fails the gate.
    Never,
    /// Findings at this level or above fail it.
    At(Level),
}

impl FailOn {
    /// `never`, `warn`, `high` or `critical`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "never" => Some(FailOn::Never),
            "warn" | "high" | "critical" => Level::parse(text).map(FailOn::At),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Never => "never",
            FailOn::At(level) => level.as_str(),
        }
    }

    /// Whether a run whose worst finding is `worst` fails the gate.
    pub fn fails(self, worst: Level) -> bool {
        matches!(self, FailOn::At(limit) if worst >= limit)
    }
}

impl std::fmt::Display for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FailOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Three cut points; whether lower or higher is worse depends on the measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub warn: f64,
    pub high: f64,
    pub critical: f64,
}

impl Thresholds {
    pub const USABILITY: Thresholds = Thresholds {
        warn: 0.95,
        high: 0.80,
        critical: 0.50,
    };
    pub const UNDETERMINED: Thresholds = Thresholds {
        warn: 0.02,
        high: 0.10,
        critical: 0.25,
    };
    pub const STRATA_GAP: Thresholds = Thresholds {
        warn: 0.10,
        high: 0.25,
        critical: 0.40,
    };

    pub const USABILITY_DROP: Thresholds = Thresholds {
        warn: 0.02,
        high: 0.05,
        critical: 0.10,
    };
    pub const SIZE_SHIFT: Thresholds = Thresholds {
        warn: 0.05,
        high: 0.10,
        critical: 0.20,
    };
    pub const ROW_COUNT_SHIFT: Thresholds = Thresholds {
        warn: 0.05,
        high: 0.20,
        critical: 0.50,
    };
    /// Share of the rows registered again under another key (contract §10).
    pub const DUPLICATE_IDENTITIES: Thresholds = Thresholds {
        warn: 0.001,
        high: 0.01,
        critical: 0.05,
    };
    pub const PSI: Thresholds = Thresholds {
        warn: 0.10,
        high: 0.25,
        critical: 0.50,
    };

    /// For a share where lower is worse (usability): strictly below a cut point reaches its level.
    pub fn level_when_low(&self, value: Option<f64>) -> Level {
        match value {
            Some(v) if v < self.critical => Level::Critical,
            Some(v) if v < self.high => Level::High,
            Some(v) if v < self.warn => Level::Warn,
            _ => Level::Ok,
        }
    }

    /// For a share where higher is worse (undetermined share, strata spread).
    pub fn level_when_high(&self, value: Option<f64>) -> Level {
        match value {
            Some(v) if v > self.critical => Level::Critical,
            Some(v) if v > self.high => Level::High,
            Some(v) if v > self.warn => Level::Warn,
            _ => Level::Ok,
        }
    }
}

/// `part / whole`, or `None` when the whole is empty.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Wilson score interval at 95 % for `successes` out of `trials`.
pub fn wilson_95(successes: u64, trials: u64) -> Option<[f64; 2]> {
    if trials == 0 {
        return None;
    }
    let z = 1.959_963_984_540_054_f64;
    let n = trials as f64;
    let p = successes as f64 / n;
    let denominator = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denominator;
    Some([(centre - half).max(0.0), (centre + half).min(1.0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_points_are_strict() {
        let t = Thresholds::USABILITY;
        assert_eq!(t.level_when_low(Some(0.95)), Level::Ok);
        assert_eq!(t.level_when_low(Some(0.9499)), Level::Warn);
        assert_eq!(t.level_when_low(Some(0.80)), Level::Warn);
        assert_eq!(t.level_when_low(Some(0.49)), Level::Critical);
        assert_eq!(t.level_when_low(None), Level::Ok);
        let u = Thresholds::UNDETERMINED;
        assert_eq!(u.level_when_high(Some(0.02)), Level::Ok);
        assert_eq!(u.level_when_high(Some(0.021)), Level::Warn);
        assert_eq!(u.level_when_high(Some(0.26)), Level::Critical);
    }

    #[test]
    fn wilson_interval_brackets_the_share() {
        let [low, high] = wilson_95(55, 100).unwrap_or([0.0, 0.0]);
        assert!(
            (low - 0.4524).abs() < 1e-3 && (high - 0.6438).abs() < 1e-3,
            "{low} {high}"
        );
        assert_eq!(wilson_95(0, 0), None);
    }
}
