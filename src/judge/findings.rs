//! Findings (contract §5): which measurements cross a threshold, at which level, said in plain words
//! with the numbers, in the report's language.

use crate::base::i18n::{count, fill, percent, t, Key};
use crate::base::risk::{share, Level};
use crate::engine::absence::Predicate;
use crate::measure::fieldmap::{FieldMapEntry, FieldStatus};
use crate::measure::profile::FieldProfile;
use crate::measure::ruletest::TestResult;
use crate::measure::segments::{SegmentReport, SegmentationReport, StratumExtreme};
use crate::spec::{Lang, Spec};
use serde::Serialize;

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

struct Sink<'a> {
    lang: Lang,
    spec: &'a Spec,
    out: Vec<Finding>,
}

impl Sink<'_> {
    fn push(&mut self, level: Level, code: &'static str, segment: Option<&str>, field: Option<&str>, message: String) {
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

pub struct Inputs<'a> {
    pub sources: &'a [crate::input::sources::SourceInfo],
    pub rows: u64,
    pub duplicate_keys: Option<u64>,
    pub duplicate_identities: u64,
    pub fields: &'a [FieldProfile],
    pub field_map: &'a [FieldMapEntry],
    pub segments: &'a [SegmentReport],
    pub segmentations: &'a [SegmentationReport],
    pub tests: &'a [TestResult],
}

pub fn collect(spec: &Spec, lang: Lang, inputs: &Inputs) -> Vec<Finding> {
    let mut sink = Sink {
        lang,
        spec,
        out: Vec::new(),
    };
    field_map(&mut sink, inputs.field_map);
    subject(&mut sink, inputs);
    for field in inputs.fields {
        field_findings(&mut sink, field);
    }
    for segment in inputs.segments {
        segment_findings(&mut sink, segment, inputs.rows);
    }
    for segmentation in inputs.segmentations {
        segmentation_findings(&mut sink, segmentation);
    }
    for test in inputs.tests.iter().filter(|t| !t.passed) {
        sink.push(
            Level::High,
            "test.failed",
            None,
            None,
            fill(
                lang,
                Key::FindingTestFailed,
                &[
                    ("test", &test.name),
                    ("expected", &test.expected.join(", ")),
                    ("actual", &test.actual.join(", ")),
                ],
            ),
        );
    }
    let mut findings = sink.out;
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
    findings
}

fn field_map(sink: &mut Sink, entries: &[FieldMapEntry]) {
    for entry in entries.iter().filter(|e| e.status == FieldStatus::Missing) {
        let level = if entry.criteria.is_empty() && entry.segments.is_empty() {
            Level::High
        } else {
            Level::Critical
        };
        let lang = sink.lang;
        let close = if entry.suggestions.is_empty() {
            String::new()
        } else {
            fill(
                lang,
                Key::FindingCloseColumns,
                &[("columns", &entry.suggestions.join(", "))],
            )
        };
        let needed = if entry.criteria.is_empty() {
            String::new()
        } else {
            fill(lang, Key::FindingNeededBy, &[("criteria", &entry.criteria.join(", "))])
        };
        let message = fill(
            lang,
            Key::FindingFieldMapMissing,
            &[("field", &entry.name), ("needed", &needed), ("close", &close)],
        );
        sink.push(level, "field_map.missing", None, Some(&entry.name), message);
    }
}

fn subject(sink: &mut Sink, inputs: &Inputs) {
    let lang = sink.lang;
    let min_rows = sink.spec.subject.min_rows;
    if inputs.rows < min_rows {
        let table = sink.spec.subject.table.value.clone();
        sink.push(
            Level::Critical,
            "subject.too_few_rows",
            None,
            None,
            fill(
                lang,
                Key::FindingTooFewRows,
                &[
                    ("table", &table),
                    ("rows", &count(lang, inputs.rows)),
                    ("min", &count(lang, min_rows)),
                ],
            ),
        );
    }
    if let Some(key) = &sink.spec.subject.key {
        let missing = inputs
            .fields
            .iter()
            .find(|f| f.name == key.value)
            .map_or(0, |f| f.missing);
        if missing > 0 {
            sink.push(
                Level::High,
                "subject.missing_keys",
                None,
                Some(&key.value),
                fill(
                    lang,
                    Key::FindingMissingKeys,
                    &[("rows", &count(lang, missing)), ("key", &key.value)],
                ),
            );
        }
    }
    for source in inputs.sources {
        if source.bad_rows > 0 {
            let first = source.bad_lines.first().cloned().unwrap_or_default();
            sink.push(
                Level::Warn,
                "source.bad_rows",
                None,
                None,
                fill(
                    lang,
                    Key::FindingBadRows,
                    &[
                        ("source", &source.name),
                        ("rows", &count(lang, source.bad_rows)),
                        ("first", &first),
                    ],
                ),
            );
        }
        if let Some(first) = source.unclosed_quotes.first() {
            sink.push(
                Level::High,
                "source.unclosed_quote",
                None,
                None,
                fill(
                    lang,
                    Key::FindingUnclosedQuote,
                    &[("source", &source.name), ("first", first)],
                ),
            );
        }
        if let Some(first) = source.undecodable_lines.first() {
            sink.push(
                Level::High,
                "source.undecodable",
                None,
                None,
                fill(
                    lang,
                    if source.undecodable_rows == 1 {
                        Key::FindingUndecodableOne
                    } else {
                        Key::FindingUndecodable
                    },
                    &[
                        ("source", &source.name),
                        ("rows", &count(lang, source.undecodable_rows)),
                        ("first", first),
                    ],
                ),
            );
        }
        if !source.renamed_columns.is_empty() {
            let list = source.renamed_columns.join(", ");
            sink.push(
                Level::Warn,
                "source.renamed_columns",
                None,
                None,
                fill(
                    lang,
                    Key::FindingRenamedColumns,
                    &[("source", &source.name), ("columns", &list)],
                ),
            );
        }
    }
    if let (Some(dups), Some(key)) = (inputs.duplicate_keys, &sink.spec.subject.key) {
        if dups > 0 {
            sink.push(
                Level::High,
                "subject.duplicate_keys",
                None,
                Some(&key.value),
                fill(
                    lang,
                    Key::FindingDuplicateKeys,
                    &[("rows", &count(lang, dups)), ("key", &key.value)],
                ),
            );
        }
    }
    let identity = &sink.spec.subject.identity;
    if !identity.is_empty() {
        let found = share(inputs.duplicate_identities, inputs.rows);
        let names: Vec<&str> = identity.iter().map(|i| i.value.as_str()).collect();
        sink.push(
            sink.spec.risk.duplicate_identities.level_when_high(found),
            "subject.duplicate_identities",
            None,
            None,
            fill(
                lang,
                Key::FindingDuplicateIdentities,
                &[
                    ("rows", &count(lang, inputs.duplicate_identities)),
                    ("share", &percent(lang, found)),
                    ("fields", &names.join(", ")),
                ],
            ),
        );
    }
}

fn field_findings(sink: &mut Sink, field: &FieldProfile) {
    let lang = sink.lang;
    let name = field.name.as_str();
    if field.declared && field.available {
        sink.push(
            sink.spec.risk.usability.level_when_low(field.usability),
            "field.usability",
            None,
            Some(name),
            fill(
                lang,
                Key::FindingFieldUsability,
                &[
                    ("field", name),
                    ("usable", &count(lang, field.usable)),
                    ("rows", &count(lang, field.rows)),
                    ("share", &percent(lang, field.usability)),
                    ("missing", &count(lang, field.missing)),
                    ("invalid", &count(lang, field.invalid)),
                ],
            ),
        );
    }
    if !field.suspected_placeholders.is_empty() {
        let list: Vec<String> = field
            .suspected_placeholders
            .iter()
            .map(|p| format!("\"{}\" ×{}", p.value, count(lang, p.count)))
            .collect();
        sink.push(
            Level::Warn,
            "field.placeholder",
            None,
            Some(name),
            fill(
                lang,
                Key::FindingPlaceholder,
                &[("field", name), ("values", &list.join(", "))],
            ),
        );
    }
    if field.mojibake > 0 {
        sink.push(
            Level::High,
            "field.mojibake",
            None,
            Some(name),
            fill(
                lang,
                Key::FindingMojibake,
                &[("rows", &count(lang, field.mojibake)), ("field", name)],
            ),
        );
    }
    mixed_formats(sink, field);
    case_variants(sink, field);
}

/// A date or timestamp field whose values need several shapes to cover 95 % (two date formats, say).
fn mixed_formats(sink: &mut Sink, field: &FieldProfile) {
    let lang = sink.lang;
    let present = field.rows.saturating_sub(field.missing);
    let dated = |t: Option<&str>| matches!(t, Some("date" | "timestamp"));
    if field.pii || present == 0 || field.shapes_for_95 == Some(1) {
        return;
    }
    if !dated(Some(field.field_type.as_str())) && !dated(field.observed_type.as_deref()) {
        return;
    }
    let mut covered = 0;
    let mut listed = Vec::new();
    for shape in &field.shapes {
        if covered as f64 >= 0.95 * present as f64 {
            break;
        }
        covered += shape.count;
        listed.push(format!(
            "{} ({})",
            shape.shape,
            percent(lang, share(shape.count, present))
        ));
    }
    if listed.len() < 2 {
        return;
    }
    let dominant = percent(lang, field.dominant_shape_share);
    let name = &field.name;
    let shapes = listed.join(", ");
    let n = listed.len();
    sink.push(
        Level::Warn,
        "field.mixed_formats",
        None,
        Some(name),
        fill(
            lang,
            Key::FindingMixedFormats,
            &[
                ("field", name),
                ("n", &n.to_string()),
                ("shapes", &shapes),
                ("dominant", &dominant),
            ],
        ),
    );
}

/// Distinct values that differ only by case, accents or surrounding spaces.
fn case_variants(sink: &mut Sink, field: &FieldProfile) {
    let lang = sink.lang;
    let Some(first) = field.case_variants.first() else {
        return;
    };
    let name = &field.name;
    let variants: Vec<String> = first
        .variants
        .iter()
        .map(|v| format!("\"{}\" ×{}", v.value, count(lang, v.count)))
        .collect();
    let more = field.case_variants.len() - 1;
    let more = match more {
        0 => String::new(),
        1 => t(lang, Key::FindingOneMoreGroup).to_string(),
        n => fill(lang, Key::FindingMoreGroups, &[("n", &n.to_string())]),
    };
    sink.push(
        Level::Warn,
        "field.case_variants",
        None,
        Some(name),
        fill(
            lang,
            Key::FindingCaseVariants,
            &[("field", name), ("values", &variants.join(", ")), ("more", &more)],
        ),
    );
}

fn segment_findings(sink: &mut Sink, segment: &SegmentReport, rows: u64) {
    let lang = sink.lang;
    let id = segment.id.as_str();
    let name = segment.label.clone().unwrap_or_else(|| id.to_string());
    let risk = sink.spec.risk;
    if segment.population_undetermined > 0 {
        let level = risk
            .undetermined
            .level_when_high(share(segment.population_undetermined, rows))
            .max(Level::Warn);
        sink.push(
            level,
            "segment.population_undetermined",
            Some(id),
            None,
            fill(
                lang,
                Key::FindingPopulationUndetermined,
                &[
                    ("rows", &count(lang, segment.population_undetermined)),
                    ("segment", &name),
                ],
            ),
        );
    }
    let cause = segment
        .fields
        .iter()
        .max_by_key(|f| f.undetermined_rows)
        .filter(|f| f.undetermined_rows > 0);
    let cause = match cause {
        Some(f) if f.undetermined_rows == segment.undetermined => {
            fill(lang, Key::FindingCauseAll, &[("field", &f.name)])
        }
        Some(f) => fill(
            lang,
            Key::FindingCauseSome,
            &[("field", &f.name), ("rows", &count(lang, f.undetermined_rows))],
        ),
        None => String::new(),
    };
    sink.push(
        risk.undetermined.level_when_high(segment.undetermined_share),
        "segment.undetermined",
        Some(id),
        None,
        fill(
            lang,
            Key::FindingUndetermined,
            &[
                ("undetermined", &count(lang, segment.undetermined)),
                ("population", &count(lang, segment.population)),
                ("share", &percent(lang, segment.undetermined_share)),
                ("segment", &name),
                ("cause", &cause),
                ("min", &count(lang, segment.size_min)),
                ("max", &count(lang, segment.size_max)),
            ],
        ),
    );
    decides_on_missing(sink, segment, &name);
    if segment.small_population {
        sink.push(
            Level::Warn,
            "segment.small_population",
            Some(id),
            None,
            fill(
                lang,
                Key::FindingSmallPopulation,
                &[
                    ("segment", &name),
                    ("rows", &count(lang, segment.population)),
                    ("min", &risk.min_population.to_string()),
                ],
            ),
        );
    }
    for field in &segment.fields {
        sink.push(
            field.risk,
            "segment.field_usability",
            Some(id),
            Some(&field.name),
            fill(
                lang,
                Key::FindingSegmentFieldUsability,
                &[
                    ("field", &field.name),
                    ("usable", &count(lang, field.usable)),
                    ("population", &count(lang, segment.population)),
                    ("segment", &name),
                    ("share", &percent(lang, field.usability)),
                ],
            ),
        );
    }
    for strata in &segment.strata {
        // The two groups the spread was measured between (before pooling, contract §3).
        let (Some(low), Some(high)) = (&strata.low, &strata.high) else {
            continue;
        };
        let min_count = sink.spec.min_count.to_string();
        let shown = |g: &StratumExtreme| match (&g.value, g.pooled) {
            // A group under `min_count` rows is pooled in the report: it is not named here either.
            (_, true) => fill(lang, Key::SmallGroup, &[("min", &min_count)]),
            (Some(v), false) => v.clone(),
            (None, false) => t(lang, Key::MissingGroup).to_string(),
        };
        sink.push(
            strata.risk,
            "segment.strata_gap",
            Some(id),
            Some(&strata.field),
            fill(
                lang,
                Key::FindingStrataGap,
                &[
                    ("field", &strata.field),
                    ("low", &percent(lang, low.usability)),
                    ("segment", &name),
                    ("by", &strata.by),
                    ("low_group", &shown(low)),
                    ("high", &percent(lang, high.usability)),
                    ("high_group", &shown(high)),
                ],
            ),
        );
    }
}

/// `segment.decides_on_missing` (contract §9): rows classified although a field the rule tests for
/// absence is unknown. Three-valued logic counts them as decided, so `segment.undetermined` never sees them.
fn decides_on_missing(sink: &mut Sink, segment: &SegmentReport, name: &str) {
    let lang = sink.lang;
    let risk = sink.spec.risk;
    for field in &segment.fields {
        let Some(test) = &field.absence else { continue };
        if field.decided_on_missing == 0 {
            continue;
        }
        let decided_share = share(field.decided_on_missing, segment.population);
        let whose = match test.predicate {
            Predicate::Population => t(lang, Key::WhosePopulation),
            Predicate::Rule => t(lang, Key::WhoseRule),
        };
        let inside_case = if test.in_case { t(lang, Key::InsideCase) } else { "" };
        let message = fill(
            lang,
            Key::FindingDecidesOnMissing,
            &[
                ("segment", name),
                ("rows", &count(lang, field.decided_on_missing)),
                ("share", &percent(lang, decided_share)),
                ("field", &field.name),
                ("whose", whose),
                ("construct", test.test.sql()),
                ("case", inside_case),
            ],
        );
        sink.push(
            risk.undetermined.level_when_high(decided_share),
            "segment.decides_on_missing",
            Some(&segment.id),
            Some(&field.name),
            message,
        );
    }
}

fn segmentation_findings(sink: &mut Sink, s: &SegmentationReport) {
    let lang = sink.lang;
    let name = s.label.clone().unwrap_or_else(|| s.id.clone());
    if s.exclusive && s.several > 0 {
        let worst = s.overlaps.iter().max_by_key(|o| o.rows).filter(|o| o.rows > 0);
        let detail = worst
            .map(|o| format!(" ({} ∩ {}: {})", o.a, o.b, count(lang, o.rows)))
            .unwrap_or_default();
        sink.push(
            Level::High,
            "segmentation.overlap",
            None,
            None,
            fill(
                lang,
                Key::FindingOverlap,
                &[
                    ("rows", &count(lang, s.several)),
                    ("segmentation", &name),
                    ("detail", &detail),
                ],
            ),
        );
    }
    if s.exhaustive && s.none > 0 {
        sink.push(
            Level::High,
            "segmentation.uncovered",
            None,
            None,
            fill(
                lang,
                Key::FindingUncovered,
                &[("rows", &count(lang, s.none)), ("segmentation", &name)],
            ),
        );
    }
}
