//! A finding (contract §5) and the sink the judges push their findings into.

use serde::Serialize;

use crate::base::risk::Level;
use crate::spec::{Lang, Spec};

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub level: Level,
    pub code: &'static str,
    pub segment: Option<String>,
    pub field: Option<String>,
    pub message: String,
    /// Accepted by a `[[waiver]]` (contract §10): shown, but not counted by the gate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub waived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver_reason: Option<String>,
}

/// Where the judges put their findings: each knows the report's language and the spec's thresholds.
pub(in crate::judge) struct Sink<'a> {
    pub lang: Lang,
    pub spec: &'a Spec,
    pub out: Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(lang: Lang, spec: &'a Spec) -> Self {
        Self {
            lang,
            spec,
            out: Vec::new(),
        }
    }

    /// Adds a finding, unless its level is `ok`.
    pub fn push(
        &mut self,
        level: Level,
        code: &'static str,
        segment: Option<&str>,
        field: Option<&str>,
        message: String,
    ) {
        if level == Level::Ok {
            return;
        }
        self.out.push(Finding {
            level,
            code,
            segment: segment.map(str::to_string),
            field: field.map(str::to_string),
            message,
            waived: false,
            waiver_reason: None,
        });
    }
}
