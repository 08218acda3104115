//! Waivers (contract §10): a finding a `[[waiver]]` matches stays in the report, marked `waived` with
//! the reason, and no longer counts for the gate; a waiver past its date waives nothing and is
//! `waiver.expired`; one matching no finding is `waiver.unused`.

use chrono::NaiveDate;

use crate::base::i18n::{fill, Key};
use crate::base::risk::Level;
use crate::judge::findings::Finding;
use crate::spec::waiver::Waiver;
use crate::spec::Lang;

fn matches(waiver: &Waiver, finding: &Finding) -> bool {
    waiver.code == finding.code
        && waiver.field.as_ref().is_none_or(|f| finding.field.as_ref() == Some(f))
        && waiver
            .segment
            .as_ref()
            .is_none_or(|s| finding.segment.as_ref() == Some(s))
}

/// What a waiver names, for messages: `field.usability` (field `x`, segment `y`).
fn named(waiver: &Waiver) -> String {
    let mut out = format!("`{}`", waiver.code);
    if let Some(f) = &waiver.field {
        out.push_str(&format!(" · {f}"));
    }
    if let Some(s) = &waiver.segment {
        out.push_str(&format!(" · {s}"));
    }
    out
}

fn warn(code: &'static str, message: String) -> Finding {
    Finding {
        level: Level::Warn,
        code,
        segment: None,
        field: None,
        message,
        waived: false,
        waiver_reason: None,
    }
}

/// Marks the findings the waivers match (on `today`) and adds the waivers' own findings; keeps the
/// findings sorted worst first.
pub fn apply(waivers: &[Waiver], lang: Lang, today: Option<NaiveDate>, findings: &mut Vec<Finding>) {
    let mut own = Vec::new();
    for waiver in waivers {
        let line = waiver.loc.line.to_string();
        if let (Some(until), Some(today)) = (waiver.until, today) {
            if today > until {
                let until = until.format("%Y-%m-%d").to_string();
                own.push(warn(
                    "waiver.expired",
                    fill(
                        lang,
                        Key::FindingWaiverExpired,
                        &[("waiver", &named(waiver)), ("until", &until), ("line", &line)],
                    ),
                ));
                continue;
            }
        }
        let mut used = false;
        for finding in findings.iter_mut().filter(|f| !f.waived && matches(waiver, f)) {
            finding.waived = true;
            finding.waiver_reason = Some(waiver.reason.clone());
            used = true;
        }
        if !used {
            own.push(warn(
                "waiver.unused",
                fill(
                    lang,
                    Key::FindingWaiverUnused,
                    &[("waiver", &named(waiver)), ("line", &line)],
                ),
            ));
        }
    }
    findings.extend(own);
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
}

/// The run's date from its RFC 3339 time (`generated_at`).
pub fn day_of(time: &str) -> Option<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(time)
        .ok()
        .map(|t| t.date_naive())
        .or_else(|| NaiveDate::parse_from_str(time.get(..10)?, "%Y-%m-%d").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &'static str, field: Option<&str>) -> Finding {
        Finding {
            level: Level::High,
            code,
            segment: None,
            field: field.map(str::to_string),
            message: String::new(),
            waived: false,
            waiver_reason: None,
        }
    }

    fn waiver(code: &str, field: Option<&str>, until: Option<&str>) -> Waiver {
        Waiver {
            code: code.into(),
            field: field.map(str::to_string),
            segment: None,
            reason: "known".into(),
            until: until.and_then(|u| NaiveDate::parse_from_str(u, "%Y-%m-%d").ok()),
            loc: Default::default(),
        }
    }

    #[test]
    fn a_waiver_marks_only_what_it_names_until_its_day() {
        let today = NaiveDate::from_ymd_opt(2026, 9, 21);
        let mut findings = vec![
            finding("field.usability", Some("a")),
            finding("field.usability", Some("b")),
        ];
        let waivers = [
            waiver("field.usability", Some("a"), Some("2026-09-21")),
            waiver("field.usability", Some("b"), Some("2026-09-20")),
            waiver("test.failed", None, None),
        ];
        apply(&waivers, Lang::En, today, &mut findings);
        let waived = |name: &str| findings.iter().any(|f| f.field.as_deref() == Some(name) && f.waived);
        assert!(waived("a") && !waived("b"));
        let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"waiver.expired") && codes.contains(&"waiver.unused"));
    }
}
