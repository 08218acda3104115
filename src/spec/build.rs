//! Turns the raw TOML model into a validated [`Spec`]: defaults, references, compiled expectations.

use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;

use super::at::{quoted, unknown, At};
use super::governance::Governance;
use super::model::{self, RawSpec, ThresholdSpec};
use super::sources::build_source;
use super::*;
use crate::base::error::msg;
use crate::base::i18n::Key;
use crate::spec::fieldsyntax::{build_field, inherited_numbers, value_text};

/// Distinct texts per column (and per partition) counted exactly before sketches take over: at ten
/// million customers it keeps near-unique columns (phone, e-mail) from holding every text, while a
/// column of up to a few hundred thousand values stays exact (docs/performance.md).
pub const DEFAULT_EXACT_DISTINCT_LIMIT: usize = 200_000;

const FAMILIES: [&str; 6] = [
    "socio-demographic",
    "geographic",
    "behavioural",
    "value",
    "psychographic",
    "other",
];

pub fn build(path: &Path, text: &str, raw: RawSpec) -> Result<Spec> {
    let at = At { path, text };
    let dir = path.parent().unwrap_or(Path::new("."));

    let lang = match &raw.audit.lang {
        None => Lang::En,
        Some(l) => Lang::parse(l.get_ref()).ok_or_else(|| {
            at.err(
                l,
                "audit.lang",
                msg(Key::ErrUnknownLang).arg("value", quoted(l.get_ref())),
            )
            .with_tip(msg(Key::ErrTipLang))
        })?,
    };

    let sources = raw
        .source
        .iter()
        .map(|(name, s)| build_source(&at, dir, name, s))
        .collect::<Result<Vec<_>>>()?;
    if sources.is_empty() {
        return Err(Error::at(path.display().to_string(), msg(Key::ErrNoSource)).with_tip(msg(Key::ErrTipNoSource)));
    }
    let mut views = Vec::new();
    for (name, v) in &raw.view {
        if raw.source.contains_key(name) {
            return Err(at
                .err(&v.sql, &format!("view.{name}"), msg(Key::ErrViewNamedLikeSource))
                .with_tip(msg(Key::ErrTipViewNamedLikeSource)));
        }
        views.push(View {
            name: name.clone(),
            sql: at.located(&v.sql),
        });
    }

    let subject = build_subject(&at, &raw, &sources, &views)?;

    let inherited = inherited_numbers(&raw, &subject.table.value);
    let fields = raw
        .field
        .iter()
        .map(|(name, f)| build_field(&at, name, f, inherited))
        .collect::<Result<Vec<_>>>()?;

    let criteria = raw
        .criterion
        .iter()
        .map(|(id, c)| {
            let family = match &c.family {
                None => "other".to_string(),
                Some(f) if FAMILIES.contains(&f.get_ref().as_str()) => f.get_ref().clone(),
                Some(f) => {
                    return Err(at
                        .err(
                            f,
                            &format!("criterion.{id}.family"),
                            msg(Key::ErrUnknownFamily).arg("value", quoted(f.get_ref())),
                        )
                        .with_tip(unknown(f.get_ref(), Key::ErrTipDeclareFamily, &FAMILIES)))
                }
            };
            Ok(Criterion {
                id: id.clone(),
                family,
                label: c.label.clone(),
                fields: c.fields.iter().map(|f| at.located(f)).collect(),
                governance: Governance::new(c.description.as_ref(), c.owner.as_ref(), c.steward.as_ref()),
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let segment_ids: Vec<&str> = raw.segment.keys().map(String::as_str).collect();
    let segmentation_ids: Vec<&str> = raw.segmentation.keys().map(String::as_str).collect();
    let segments: Vec<Segment> = raw
        .segment
        .iter()
        .map(|(id, s)| Segment {
            id: id.clone(),
            label: s.label.clone(),
            governance: Governance::new(s.description.as_ref(), s.owner.as_ref(), s.steward.as_ref()),
            population: s.population.as_ref().map(|p| at.located(p)),
            rule: at.located(&s.rule),
            variants: s
                .variants
                .iter()
                .map(|(v, rule)| super::Variant {
                    id: v.clone(),
                    rule: at.located(rule),
                })
                .collect(),
        })
        .collect();
    let segmentations = build_segmentations(&at, &raw, &segment_ids, &segmentation_ids)?;

    let risk = RiskSettings {
        usability: thresholds(
            &at,
            "risk.usability",
            raw.risk.usability.as_ref(),
            crate::base::risk::Thresholds::USABILITY,
            true,
            1.0,
        )?,
        undetermined: thresholds(
            &at,
            "risk.undetermined",
            raw.risk.undetermined.as_ref(),
            crate::base::risk::Thresholds::UNDETERMINED,
            false,
            1.0,
        )?,
        strata_gap: thresholds(
            &at,
            "risk.strata_gap",
            raw.risk.strata_gap.as_ref(),
            crate::base::risk::Thresholds::STRATA_GAP,
            false,
            1.0,
        )?,
        usability_drop: thresholds(
            &at,
            "risk.usability_drop",
            raw.risk.usability_drop.as_ref(),
            crate::base::risk::Thresholds::USABILITY_DROP,
            false,
            1.0,
        )?,
        // A segment may more than double and a PSI has no upper bound: no cap on these two.
        size_shift: thresholds(
            &at,
            "risk.size_shift",
            raw.risk.size_shift.as_ref(),
            crate::base::risk::Thresholds::SIZE_SHIFT,
            false,
            f64::INFINITY,
        )?,
        psi: thresholds(
            &at,
            "risk.psi",
            raw.risk.psi.as_ref(),
            crate::base::risk::Thresholds::PSI,
            false,
            f64::INFINITY,
        )?,
        row_count_shift: thresholds(
            &at,
            "risk.row_count_shift",
            raw.risk.row_count_shift.as_ref(),
            crate::base::risk::Thresholds::ROW_COUNT_SHIFT,
            false,
            f64::INFINITY,
        )?,
        duplicate_identities: thresholds(
            &at,
            "risk.duplicate_identities",
            raw.risk.duplicate_identities.as_ref(),
            crate::base::risk::Thresholds::DUPLICATE_IDENTITIES,
            false,
            1.0,
        )?,
        min_population: raw.risk.min_population.unwrap_or(30),
    };

    let fail_on = match &raw.gate.fail_on {
        None => FailOn::At(Level::High),
        Some(v) => FailOn::parse(v.get_ref()).ok_or_else(|| {
            at.err(
                v,
                "gate.fail_on",
                msg(Key::ErrUnknownLevel).arg("value", quoted(v.get_ref())),
            )
            .with_tip(msg(Key::ErrTipLevel))
        })?,
    };

    let links = super::link::build(path, text, &raw.link, &sources, &views)?;
    let tests = raw
        .test
        .iter()
        .enumerate()
        .map(|(i, t)| build_test(&at, i, t, &segments))
        .collect::<Result<Vec<_>>>()?;

    Ok(Spec {
        path: path.to_path_buf(),
        text: text.to_string(),
        sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
        title: raw.audit.title.clone().unwrap_or_else(|| "segaudit".to_string()),
        lang,
        sources,
        views,
        subject,
        fields,
        criteria,
        segments,
        segmentations,
        risk,
        fail_on,
        min_count: raw.report.min_count.unwrap_or(1),
        top_values: raw.report.top_values.unwrap_or(10).clamp(1, 100),
        exact_distinct_limit: raw
            .report
            .exact_distinct_limit
            .unwrap_or(DEFAULT_EXACT_DISTINCT_LIMIT)
            .max(1),
        tests,
        history: raw.history.as_ref().map(|h| dir.join(h.path.get_ref())),
        waivers: super::waiver::build(path, text, &raw.waiver, &segment_ids)?,
        applies_when: raw
            .field
            .iter()
            .filter_map(|(name, f)| {
                f.applies_when.as_ref().map(|p| AppliesWhen {
                    field: name.clone(),
                    predicate: at.located(p),
                })
            })
            .collect(),
        links,
    })
}

fn build_subject(at: &At, raw: &RawSpec, sources: &[Source], views: &[View]) -> Result<Subject> {
    let Some(subject) = &raw.subject else {
        let table = sources.first().map(|s| s.name.clone()).unwrap_or_default();
        return Err(Error::at(at.path.display().to_string(), msg(Key::ErrNoSubject))
            .with_tip(msg(Key::ErrTipNoSubject).arg("table", table)));
    };
    let subject = subject.get_ref();
    let tables: Vec<&str> = sources
        .iter()
        .map(|s| s.name.as_str())
        .chain(views.iter().map(|v| v.name.as_str()))
        .collect();
    if !tables.contains(&subject.table.get_ref().as_str()) {
        return Err(at
            .err(
                &subject.table,
                "subject.table",
                msg(Key::ErrNoSuchTable).arg("value", quoted(subject.table.get_ref())),
            )
            .with_tip(unknown(
                subject.table.get_ref(),
                Key::ErrTipDeclareSourceOrView,
                &tables,
            )));
    }
    // A stratum's groups are named by their values in every output: a personal field would list them.
    if let Some(stratum) = subject
        .strata
        .iter()
        .find(|s| raw.field.get(s.get_ref()).is_some_and(|f| f.pii))
    {
        return Err(at
            .err(
                stratum,
                "subject.strata",
                msg(Key::ErrPiiStratum).arg("value", quoted(stratum.get_ref())),
            )
            .with_tip(msg(Key::ErrTipPiiStratum)));
    }
    Ok(Subject {
        table: at.located(&subject.table),
        key: subject.key.as_ref().map(|k| at.located(k)),
        strata: subject.strata.iter().map(|s| at.located(s)).collect(),
        min_rows: subject.min_rows.unwrap_or(1),
        identity: subject.identity.iter().map(|s| at.located(s)).collect(),
    })
}

fn build_segmentations(
    at: &At,
    raw: &RawSpec,
    segment_ids: &[&str],
    segmentation_ids: &[&str],
) -> Result<Vec<Segmentation>> {
    let mut out: Vec<Segmentation> = Vec::new();
    for (id, s) in &raw.segmentation {
        let mut members = Vec::new();
        for seg in &s.segments {
            if !segment_ids.contains(&seg.get_ref().as_str()) {
                return Err(at
                    .err(
                        seg,
                        &format!("segmentation.{id}.segments"),
                        msg(Key::ErrNoSuchSegment).arg("value", quoted(seg.get_ref())),
                    )
                    .with_tip(unknown(seg.get_ref(), Key::ErrTipDeclareSegment, segment_ids)));
            }
            if !members.contains(seg.get_ref()) {
                members.push(seg.get_ref().clone());
            }
        }
        out.push(Segmentation {
            id: id.clone(),
            label: s.label.clone(),
            segments: members,
            exclusive: s.exclusive,
            exhaustive: s.exhaustive,
        });
    }
    // A segment may also name its segmentation itself.
    for (seg_id, seg) in &raw.segment {
        let Some(target) = &seg.segmentation else { continue };
        let Some(segmentation) = out.iter_mut().find(|s| &s.id == target.get_ref()) else {
            return Err(at
                .err(
                    target,
                    &format!("segment.{seg_id}.segmentation"),
                    msg(Key::ErrNoSuchSegmentation).arg("value", quoted(target.get_ref())),
                )
                .with_tip(unknown(
                    target.get_ref(),
                    Key::ErrTipDeclareSegmentation,
                    segmentation_ids,
                )));
        };
        if !segmentation.segments.contains(seg_id) {
            segmentation.segments.push(seg_id.clone());
        }
    }
    Ok(out)
}

fn thresholds(
    at: &At,
    key: &str,
    spec: Option<&Spanned<ThresholdSpec>>,
    default: crate::base::risk::Thresholds,
    lower_is_worse: bool,
    max: f64,
) -> Result<crate::base::risk::Thresholds> {
    let Some(spanned) = spec else { return Ok(default) };
    let t = spanned.get_ref();
    let out = crate::base::risk::Thresholds {
        warn: t.warn.unwrap_or(default.warn),
        high: t.high.unwrap_or(default.high),
        critical: t.critical.unwrap_or(default.critical),
    };
    for (name, v) in [("warn", out.warn), ("high", out.high), ("critical", out.critical)] {
        if !(0.0..=max).contains(&v) {
            return Err(at
                .err(
                    spanned,
                    &format!("{key}.{name}"),
                    msg(if max.is_finite() {
                        Key::ErrNotAShare
                    } else {
                        Key::ErrNegative
                    })
                    .arg("value", v),
                )
                .with_tip(msg(Key::ErrTipShare)));
        }
    }
    let ordered = if lower_is_worse {
        out.warn >= out.high && out.high >= out.critical
    } else {
        out.warn <= out.high && out.high <= out.critical
    };
    if !ordered {
        let order = if lower_is_worse {
            Key::ErrTipOrderLowerWorse
        } else {
            Key::ErrTipOrderHigherWorse
        };
        return Err(at
            .err(
                spanned,
                key,
                msg(Key::ErrThresholdsOrder)
                    .arg("warn", out.warn)
                    .arg("high", out.high)
                    .arg("critical", out.critical),
            )
            .with_tip(msg(order)));
    }
    Ok(out)
}

fn build_test(at: &At, index: usize, t: &model::TestSpec, segments: &[Segment]) -> Result<RuleTest> {
    let segment_ids: Vec<&str> = segments.iter().map(|s| s.id.as_str()).collect();
    let segment_ids = segment_ids.as_slice();
    let variant = match &t.variant {
        None => None,
        Some(name) => Some(super::variants::named(segments, name.get_ref()).ok_or_else(|| {
            let known = super::variants::names(segments);
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            at.err(
                name,
                &format!("test[{index}] ({}).variant", t.name),
                msg(Key::ErrNoSuchVariant).arg("value", quoted(name.get_ref())),
            )
            .with_tip(unknown(name.get_ref(), Key::ErrTipDeclareVariant, &known))
        })?),
    };
    for seg in t.expect.iter().chain(&t.undetermined) {
        if !segment_ids.contains(&seg.get_ref().as_str()) {
            return Err(at
                .err(
                    seg,
                    &format!("test[{index}] ({})", t.name),
                    msg(Key::ErrNoSuchSegment).arg("value", quoted(seg.get_ref())),
                )
                .with_tip(unknown(seg.get_ref(), Key::ErrTipDeclareSegment, segment_ids)));
        }
    }
    Ok(RuleTest {
        name: t.name.clone(),
        row: t.row.iter().map(|(k, v)| (k.clone(), value_text(v))).collect(),
        expect: t.expect.iter().map(|s| s.get_ref().clone()).collect(),
        undetermined: t.undetermined.iter().map(|s| s.get_ref().clone()).collect(),
        variant,
    })
}
