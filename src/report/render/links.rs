//! The HTML report's "links" section (contract §10): one row per `[[link]]`, its numbers in the
//! report's language and a bar of the `from` side (matched, without a value, orphans). Built here,
//! beside `html.rs`, and drawn by its own template `templates/links.html`.

use serde::Serialize;

use super::svg::{self, Part};
use crate::base::i18n::{count, level, percent, t as tr, Key};
use crate::report::{LinkReport, Report};
use crate::spec::Lang;

/// The section's template, included by the report's.
pub const TEMPLATE: &str = include_str!("../../../templates/links.html");

#[derive(Debug, Serialize)]
pub struct LinkView {
    name: String,
    description: String,
    from_rows: String,
    from_missing: String,
    orphans: String,
    orphan_share: String,
    level: &'static str,
    word: &'static str,
    to_rows: String,
    to_unmatched: String,
    bar: String,
}

pub fn views(report: &Report) -> Vec<LinkView> {
    report.links.iter().map(|l| view(report.lang, l)).collect()
}

fn view(lang: Lang, link: &LinkReport) -> LinkView {
    let name = format!("{} → {}", link.from, link.to);
    let part = |n: u64, class: &'static str, legend: Key| Part {
        count: n,
        class,
        label: format!("{}: {}", tr(lang, legend), count(lang, n)),
    };
    let matched = link.from_rows.saturating_sub(link.from_missing + link.orphans);
    let parts = [
        part(matched, "members", Key::LinkMatched),
        part(link.from_missing, "undetermined", Key::LinkFromMissing),
        part(link.orphans, "several", Key::LinkOrphans),
    ];
    LinkView {
        description: link.description.clone().unwrap_or_default(),
        from_rows: count(lang, link.from_rows),
        from_missing: count(lang, link.from_missing),
        orphans: count(lang, link.orphans),
        orphan_share: percent(lang, link.orphan_share),
        level: link.risk.as_str(),
        word: level(lang, link.risk),
        to_rows: count(lang, link.to_rows),
        to_unmatched: count(lang, link.to_unmatched),
        bar: svg::stacked_bar(&parts, &name),
        name,
    }
}
