//! `link.orphans` (contract §10): a link whose orphan share (orphans / from_rows) is above the
//! `undetermined` thresholds, at the level they give. The finding names the link's `from` side as
//! its field, so a `[[waiver]]` with `field = "pay.client_id"` can accept it.

use crate::base::i18n::{count, fill, percent, Key};
use crate::judge::findings::Finding;
use crate::measure::links::LinkReport;
use crate::spec::Lang;

pub fn findings(lang: Lang, links: &[LinkReport]) -> Vec<Finding> {
    links
        .iter()
        .filter(|l| l.risk > crate::base::risk::Level::Ok)
        .map(|l| Finding {
            level: l.risk,
            code: "link.orphans",
            segment: None,
            field: Some(l.from.clone()),
            message: fill(
                lang,
                Key::FindingLinkOrphans,
                &[
                    ("orphans", &count(lang, l.orphans)),
                    ("rows", &count(lang, l.from_rows)),
                    ("from", &l.from),
                    ("to", &l.to),
                    ("share", &percent(lang, l.orphan_share)),
                ],
            ),
            waived: false,
            waiver_reason: None,
        })
        .collect()
}
