//! The summary of an `assign` run: the JSON written beside the output as `FILE.json`, and its
//! terminal rendering in English or French (with the Portuguese of each sentence noted beside it).

use serde::Serialize;

use super::{AssignOptions, OutputFormat};
use crate::base::i18n::{self, Key};
use crate::report::{SpecInfo, TestResult};
use crate::spec::{Lang, Spec};

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub format: &'static str,
    pub version: u32,
    pub tool_version: String,
    /// The run time, UTC (RFC 3339); `valid_from` / `valid_to` of the history use it.
    pub run_time: String,
    pub spec: SpecInfo,
    pub output: OutputInfo,
    pub subject: SubjectCounts,
    /// True when rule tests failed and `--force` wrote anyway.
    pub forced: bool,
    pub tests: Vec<TestResult>,
    pub segments: Vec<SegmentCounts>,
    pub segmentations: Vec<SegmentationCounts>,
    pub worklist: Vec<WorklistEntry>,
    pub history: Option<HistoryInfo>,
    pub transitions: Vec<Transition>,
    /// The audit gate on the same data (contract §10): a failed gate writes nothing unless `--force`.
    pub gate: Option<crate::report::Gate>,
    /// The findings that fail it (at or above `fail_on`, not waived).
    pub gate_findings: Vec<crate::report::Finding>,
    /// `--variant segment=variant`: the variants the assignment was made with (contract §12).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    #[serde(skip)]
    pub lang: Lang,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputInfo {
    pub path: String,
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectCounts {
    pub table: String,
    pub key: String,
    pub rows: u64,
}

/// A segment's rows by status; `population` = members + non_members + undetermined (as `audit`).
#[derive(Debug, Clone, Serialize)]
pub struct SegmentCounts {
    pub id: String,
    pub population: u64,
    pub members: u64,
    pub non_members: u64,
    pub undetermined: u64,
    pub outside: u64,
    pub population_undetermined: u64,
}

/// A segmentation's rows by value; `population` = exactly_one + none + several + undetermined.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentationCounts {
    pub id: String,
    pub population: u64,
    pub exactly_one: u64,
    pub none: u64,
    pub several: u64,
    pub undetermined: u64,
    pub outside: u64,
}

/// A field of the data steward's worklist: `rows` lists it in `to_collect`; in `decides_alone` of
/// them it is the only field listed.
#[derive(Debug, Clone, Serialize)]
pub struct WorklistEntry {
    pub field: String,
    pub decides_alone: u64,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryInfo {
    pub path: String,
    /// The run the history held before this one (null on the first run).
    pub previous_run: Option<String>,
    /// Rows of the history after this run; `open` of them current.
    pub rows: u64,
    pub open: u64,
    /// Rows this run opened (new keys, reappearing keys, changed statuses) and closed.
    pub opened: u64,
    pub closed: u64,
    /// Keys seen once in this run (historised).
    pub keys: u64,
    /// Keys seen more than once in this run, and their rows: assigned, not historised.
    pub duplicate_keys: u64,
    pub duplicate_rows: u64,
    /// Rows with no key: assigned, not historised.
    pub null_key_rows: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Transition {
    pub segmentation: String,
    pub from: String,
    pub to: String,
    pub rows: u64,
}

impl Summary {
    pub fn new(
        spec: &Spec,
        key: &str,
        options: &AssignOptions,
        format: OutputFormat,
        lang: Lang,
        tests: Vec<TestResult>,
    ) -> Summary {
        Summary {
            format: "segaudit-assignment",
            version: 1,
            tool_version: options.tool_version.clone(),
            run_time: options.run_time.clone(),
            spec: super::spec_info(spec),
            output: OutputInfo {
                path: options.out.display().to_string(),
                format,
            },
            subject: SubjectCounts {
                table: spec.subject.table.value.clone(),
                key: key.to_string(),
                rows: 0,
            },
            forced: options.force && tests.iter().any(|t| !t.passed),
            variants: options.variants.clone(),
            tests,
            segments: Vec::new(),
            segmentations: Vec::new(),
            worklist: Vec::new(),
            history: None,
            transitions: Vec::new(),
            gate: None,
            gate_findings: Vec::new(),
            lang,
        }
    }
}

/// Why the assignment was refused or forced, in the summary's language: a failed rule test first,
/// else the failed gate; None when both passed.
pub fn refusal(summary: &Summary) -> Option<String> {
    let lang = summary.lang;
    let written = summary.forced;
    if summary.tests.iter().any(|t| !t.passed) && !written {
        return Some(i18n::t(lang, Key::AssignTestFailed).to_string());
    }
    let gate = summary.gate.as_ref().filter(|g| !g.passed)?;
    let key = if written {
        Key::AssignGateFailedForced
    } else {
        Key::AssignGateFailed
    };
    let mut out = i18n::fill(
        lang,
        key,
        &[
            ("n", &summary.gate_findings.len().to_string()),
            ("fail_on", crate::base::i18n::fail_on(lang, gate.fail_on)),
            ("worst", i18n::level(lang, gate.worst)),
        ],
    );
    for f in &summary.gate_findings {
        out.push_str(&format!(
            "\n  [{}] {}: {}",
            i18n::level(lang, f.level),
            f.code,
            f.message
        ));
    }
    Some(out)
}

/// The terminal summary.
pub fn render(summary: &Summary) -> String {
    let lang = summary.lang;
    let n = |v: u64| i18n::count(lang, v);
    let mut out = String::new();
    let assigned = i18n::fill(
        lang,
        Key::AssignAssigned,
        &[
            ("rows", &n(summary.subject.rows)),
            ("table", &summary.subject.table),
            ("key", &summary.subject.key),
        ],
    );
    out.push_str(&format!("{assigned}\n"));
    if !summary.variants.is_empty() {
        let with = i18n::fill(
            lang,
            Key::AssignWithVariants,
            &[("variants", &summary.variants.join(", "))],
        );
        out.push_str(&format!("{with}\n"));
    }
    if summary.forced && summary.tests.iter().any(|t| !t.passed) {
        out.push_str(&format!("{}\n", i18n::t(lang, Key::AssignForced)));
    }
    if let Some(gate) = summary.gate.as_ref().filter(|g| g.passed) {
        let passes = i18n::fill(lang, Key::AssignGatePasses, &[("worst", i18n::level(lang, gate.worst))]);
        out.push_str(&format!("{passes}\n"));
    }
    if !summary.segments.is_empty() {
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::NOTHING);
        table.set_header(vec![
            i18n::t(lang, i18n::Key::Segment).to_string(),
            i18n::t(lang, i18n::Key::Members).to_string(),
            i18n::t(lang, i18n::Key::NonMembers).to_string(),
            i18n::t(lang, i18n::Key::Undetermined).to_string(),
            i18n::t(lang, Key::AssignOutside).to_string(),
            i18n::t(lang, Key::AssignPopulationUndetermined).to_string(),
        ]);
        for s in &summary.segments {
            table.add_row(vec![
                s.id.clone(),
                n(s.members),
                n(s.non_members),
                n(s.undetermined),
                n(s.outside),
                n(s.population_undetermined),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    if !summary.segmentations.is_empty() {
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::NOTHING);
        table.set_header(vec![
            i18n::t(lang, i18n::Key::Segmentation),
            i18n::t(lang, i18n::Key::ExactlyOne),
            i18n::t(lang, i18n::Key::None),
            i18n::t(lang, i18n::Key::Several),
            i18n::t(lang, i18n::Key::Undetermined),
        ]);
        for s in &summary.segmentations {
            table.add_row(vec![
                s.id.clone(),
                n(s.exactly_one),
                n(s.none),
                n(s.several),
                n(s.undetermined),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    if !summary.worklist.is_empty() {
        out.push_str(&format!("{}\n", i18n::t(lang, Key::AssignWorklistLine)));
        for w in summary.worklist.iter().take(10) {
            out.push_str(&format!("  {}: {} / {}\n", w.field, n(w.decides_alone), n(w.rows)));
        }
    }
    if let Some(h) = &summary.history {
        let line = i18n::fill(
            lang,
            Key::AssignHistoryLine,
            &[
                ("path", &h.path),
                ("opened", &n(h.opened)),
                ("closed", &n(h.closed)),
                ("repeated", &n(h.duplicate_keys)),
            ],
        );
        out.push_str(&format!("{line}\n"));
        for t in summary.transitions.iter().filter(|t| t.from != t.to) {
            out.push_str(&format!("  {}: {} → {}: {}\n", t.segmentation, t.from, t.to, n(t.rows)));
        }
    }
    out
}
