//! The findings of segments and segmentations (contract §5, §9): undetermined shares, fields holding
//! a segment back, strata far apart, rules deciding on missing values, coverage of a segmentation.

use crate::base::i18n::{count, fill, percent, t, Key};
use crate::base::risk::{share, Level};
use crate::engine::absence::Predicate;
use crate::judge::sink::Sink;
use crate::measure::segments::{SegmentReport, SegmentationReport, StratumExtreme};

pub(in crate::judge) fn segment(sink: &mut Sink, segment: &SegmentReport, rows: u64) {
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

pub(in crate::judge) fn segmentation(sink: &mut Sink, s: &SegmentationReport) {
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
