//! Renderers of the one [`crate::report::Report`]: JSON, terminal text, HTML. They return text or
//! write files; only the binary prints.

pub mod brief;
pub mod catalog;
pub mod contract;
pub mod diff;
pub mod html;
pub mod json;
pub mod links;
pub mod svg;
pub mod terminal;
pub mod variants;

/// A finding's message, followed for a waived finding by the waiver's reason (contract §10).
pub fn finding_text(lang: crate::spec::Lang, f: &crate::report::Finding) -> String {
    match &f.waiver_reason {
        Some(reason) if f.waived => format!(
            "{} — {}",
            f.message,
            crate::base::i18n::fill(lang, crate::base::i18n::Key::WaivedBecause, &[("reason", reason)])
        ),
        _ => f.message.clone(),
    }
}
