//! The summary of an `assign` run as one offline HTML page (`--html FILE`): counts, the worklist and
//! each segmentation's transition matrix. Every text from the spec or the data is escaped.

use super::summary::Summary;
use crate::base::i18n::{self, pick};

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
    let title = pick(
        lang,
        "Segment assignment".into(),
        "Affectation aux segments".into(),
        // pt: Atribuição aos segmentos
    );
    body.push_str(&format!(
        "<h1>{}</h1>\n<p>{} · {} · {} {}</p>\n",
        escape(&title),
        escape(&summary.spec.path),
        escape(&summary.run_time),
        n(summary.subject.rows),
        escape(&label(i18n::Key::Rows))
    ));
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
            pick(lang, "outside".into(), "hors population".into()), // pt: fora da população
            pick(lang, "population undetermined".into(), "population indéterminée".into()), // pt: população indeterminada
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
            pick(lang, "outside".into(), "hors population".into()), // pt: fora da população
        ],
        &segmentations,
    ));
    if !summary.worklist.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(&pick(
                lang,
                "Data to collect".into(),
                "Données à collecter".into(),
                // pt: Dados a recolher
            ))
        ));
        let rows: Vec<Vec<String>> = summary
            .worklist
            .iter()
            .map(|w| vec![w.field.clone(), n(w.decides_alone), n(w.rows)])
            .collect();
        body.push_str(&table(
            &[
                label(i18n::Key::Field),
                pick(
                    lang,
                    "rows it alone would decide".into(),
                    "lignes qu'elle seule déciderait".into(),
                ), // pt: linhas que só ele decidiria
                pick(lang, "rows waiting for it".into(), "lignes qui l'attendent".into()), // pt: linhas que o aguardam
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
        let mut head = vec![pick(lang, format!("{id}: from \\ to"), format!("{id} : de \\ vers"))]; // pt: de \ para
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
            escape(&pick(
                lang,
                format!("Transitions: {id}"),
                format!("Transitions : {id}"),
                // pt: Transições: {id}
            ))
        ));
        body.push_str(&table(&head, &rows));
    }
    let html_lang = lang.code();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}th,td{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}th:first-child,td:first-child{{text-align:left}}</style></head>\n<body>\n{body}</body></html>\n",
        escape(&title)
    )
}
