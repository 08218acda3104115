//! Segment variants (contract §12): other rules for a segment's population, named `segment.variant`
//! by rule tests and `segment=variant` by `assign --variant`, which assigns with a copy of the spec
//! where the segment's rule is the variant's.

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::spec::{Segment, Spec};

/// Every variant as `segment.variant`, in the spec's order.
pub fn names(segments: &[Segment]) -> Vec<String> {
    segments
        .iter()
        .flat_map(|s| s.variants.iter().map(move |v| format!("{}.{}", s.id, v.id)))
        .collect()
}

/// `segment.variant` as (segment id, variant id). Ids may hold dots themselves, so the text is matched
/// against the declared pairs rather than split.
pub fn named(segments: &[Segment], text: &str) -> Option<(String, String)> {
    segments.iter().find_map(|s| {
        let rest = text.strip_prefix(s.id.as_str())?.strip_prefix('.')?;
        s.variants
            .iter()
            .find(|v| v.id == rest)
            .map(|v| (s.id.clone(), v.id.clone()))
    })
}

/// `segments` with each chosen variant's rule in place of its segment's rule.
pub fn with_rules_of(segments: &[Segment], chosen: &[(String, String)]) -> Vec<Segment> {
    segments
        .iter()
        .map(|s| {
            let mut s = s.clone();
            let picked = chosen.iter().find(|(segment, _)| *segment == s.id);
            if let Some(v) = picked.and_then(|(_, v)| s.variants.iter().find(|x| &x.id == v)) {
                s.rule = v.rule.clone();
            }
            s
        })
        .collect()
}

/// The spec `assign --variant segment=variant …` assigns with: a copy where each named segment's rule
/// is the variant's (its location too, so an error points at the variant). A pair that names no
/// declared variant is a bad argument.
pub fn apply(spec: &Spec, chosen: &[String]) -> Result<Spec> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for text in chosen {
        let pair = text
            .split_once('=')
            .and_then(|(s, v)| named(&spec.segments, &format!("{}.{}", s.trim(), v.trim())));
        let Some(pair) = pair else {
            let known = names(&spec.segments)
                .iter()
                .map(|n| n.replacen('.', "=", 1))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(
                Error::new(msg(Key::ErrNoSuchVariantArg).arg("value", text)).with_tip(if known.is_empty() {
                    msg(Key::ErrTipNoVariants).arg("spec", spec.path.display().to_string())
                } else {
                    msg(Key::ErrTipVariantsKnown).arg("list", known)
                }),
            );
        };
        if pairs.iter().any(|(s, _)| *s == pair.0) {
            return Err(
                Error::new(msg(Key::ErrVariantTwice).arg("segment", &pair.0)).with_tip(msg(Key::ErrTipVariantTwice))
            );
        }
        pairs.push(pair);
    }
    let mut copy = spec.clone();
    copy.segments = with_rules_of(&spec.segments, &pairs);
    Ok(copy)
}
