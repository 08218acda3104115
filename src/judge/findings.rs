//! Findings (contract §5): which measurements cross a threshold, at which level, said in plain words
//! with the numbers, in the report's language.

use crate::base::i18n::{count, fill, percent, t, Key};
use crate::base::risk::{share, Level};
pub use crate::judge::sink::Finding;
use crate::judge::sink::Sink;
use crate::measure::fieldmap::{FieldMapEntry, FieldStatus};
use crate::measure::profile::FieldProfile;
use crate::measure::ruletest::TestResult;
use crate::measure::segments::{SegmentReport, SegmentationReport};
use crate::spec::{Lang, Spec};

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
    let mut sink = Sink::new(lang, spec);
    field_map(&mut sink, inputs.field_map);
    subject(&mut sink, inputs);
    for field in inputs.fields {
        field_findings(&mut sink, field);
    }
    for segment in inputs.segments {
        crate::judge::segment_findings::segment(&mut sink, segment, inputs.rows);
    }
    for segmentation in inputs.segmentations {
        crate::judge::segment_findings::segmentation(&mut sink, segmentation);
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
