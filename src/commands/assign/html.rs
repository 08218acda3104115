//! The summary of an `assign` run as one offline HTML page (`--html FILE`): counts, the worklist and
//! each segmentation's transition matrix. Every text from the spec or the data is escaped.

use super::summary::Summary;
use crate::base::i18n;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn table(head: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", escape(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The page.
pub fn render(summary: &Summary) -> String {
    let lang = summary.lang;
    let n = |v: u64| i18n::count(lang, v);
    let label = |k: i18n::Key| i18n::t(lang, k).to_string();
    let mut body = String::new();
    let title = i18n::t(lang, i18n::Key::AssignTitle).to_string();
    body.push_str(&format!(
        "<h1>{}</h1>\n<p>{} · {} · {} {}</p>\n",
        escape(&title),
        escape(&summary.spec.path),
        escape(&summary.run_time),
        n(summary.subject.rows),
        escape(&label(i18n::Key::Rows))
    ));
    // The variants in place of the segments' rules (contract §12): the page says which definitions
    // these rows were assigned with.
    if !summary.variants.is_empty() {
        let with = i18n::fill(
            lang,
            i18n::Key::AssignWithVariants,
            &[("variants", &summary.variants.join(", "))],
        );
        body.push_str(&format!("<p class=\"variants\">{}</p>\n", escape(&with)));
    }
    // Written past a failed gate (--force): why, and the findings that fail it (contract §10).
    if let Some(why) = super::summary::refusal(summary) {
        body.push_str(&format!(
            "<p class=\"forced\"><strong>{}</strong></p>\n",
            escape(&why).replace('\n', "<br>")
        ));
    }
    let segments: Vec<Vec<String>> = summary
        .segments
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                n(s.members),
                n(s.non_members),
                n(s.undetermined),
                n(s.outside),
                n(s.population_undetermined),
            ]
        })
        .collect();
    body.push_str(&format!("<h2>{}</h2>\n", escape(&label(i18n::Key::Segments))));
    body.push_str(&table(
        &[
            label(i18n::Key::Segment),
            label(i18n::Key::Members),
            label(i18n::Key::NonMembers),
            label(i18n::Key::Undetermined),
            i18n::t(lang, i18n::Key::AssignOutside).to_string(),
            i18n::t(lang, i18n::Key::AssignPopulationUndetermined).to_string(),
        ],
        &segments,
    ));
    let segmentations: Vec<Vec<String>> = summary
        .segmentations
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                n(s.exactly_one),
                n(s.none),
                n(s.several),
                n(s.undetermined),
                n(s.outside),
            ]
        })
        .collect();
    body.push_str(&format!("<h2>{}</h2>\n", escape(&label(i18n::Key::Segmentations))));
    body.push_str(&table(
        &[
            label(i18n::Key::Segmentation),
            label(i18n::Key::ExactlyOne),
            label(i18n::Key::None),
            label(i18n::Key::Several),
            label(i18n::Key::Undetermined),
            i18n::t(lang, i18n::Key::AssignOutside).to_string(),
        ],
        &segmentations,
    ));
    if !summary.worklist.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(i18n::t(lang, i18n::Key::AssignDataToCollect))
        ));
        let rows: Vec<Vec<String>> = summary
            .worklist
            .iter()
            .map(|w| vec![w.field.clone(), n(w.decides_alone), n(w.rows)])
            .collect();
        body.push_str(&table(
            &[
                label(i18n::Key::Field),
                i18n::t(lang, i18n::Key::AssignRowsDecided).to_string(),
                i18n::t(lang, i18n::Key::AssignRowsWaiting).to_string(),
            ],
            &rows,
        ));
    }
    for (id, _) in summary
        .segmentations
        .iter()
        .map(|s| (s.id.as_str(), ()))
        .filter(|(id, _)| summary.transitions.iter().any(|t| t.segmentation == *id))
    {
        let of: Vec<&super::summary::Transition> =
            summary.transitions.iter().filter(|t| t.segmentation == id).collect();
        let mut froms: Vec<&str> = of.iter().map(|t| t.from.as_str()).collect();
        let mut tos: Vec<&str> = of.iter().map(|t| t.to.as_str()).collect();
        froms.sort_unstable();
        froms.dedup();
        tos.sort_unstable();
        tos.dedup();
        let mut head = vec![i18n::fill(lang, i18n::Key::AssignFromTo, &[("segmentation", id)])];
        head.extend(tos.iter().map(|t| t.to_string()));
        let rows: Vec<Vec<String>> = froms
            .iter()
            .map(|f| {
                let mut row = vec![f.to_string()];
                row.extend(tos.iter().map(|t| {
                    of.iter()
                        .find(|x| x.from == *f && x.to == *t)
                        .map_or_else(String::new, |x| n(x.rows))
                }));
                row
            })
            .collect();
        body.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(&i18n::fill(lang, i18n::Key::AssignTransitions, &[("segmentation", id)]))
        ));
        body.push_str(&table(&head, &rows));
    }
    let html_lang = lang.code();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}th,td{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}th:first-child,td:first-child{{text-align:left}}</style></head>\n<body>\n{body}</body></html>\n",
        escape(&title)
    )
}
