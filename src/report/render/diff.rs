//! Renderers of [`crate::report::diff::Diff`]: terminal tables of what changed, and the same as a
//! self-contained HTML page.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::base::i18n::{count, fill, level, percent, t, Key};
use crate::base::risk::Level;
use crate::report::diff::{Diff, FieldChange, LinkChange, Presence, SegmentChange};
use crate::report::render::svg::escape;
use crate::spec::Lang;

fn signed_points(lang: Lang, change: Option<f64>) -> String {
    match change {
        None => "–".to_string(),
        Some(c) => crate::report::render::brief::signed_points(lang, c),
    }
}

fn size(lang: Lang, s: Option<[u64; 2]>) -> String {
    s.map_or_else(
        || "–".to_string(),
        |[a, b]| format!("{}–{}", count(lang, a), count(lang, b)),
    )
}

/// `old → new` of a count, `–` on the side that lacks it.
fn moved(lang: Lang, old: Option<u64>, new: Option<u64>) -> String {
    let side = |v: Option<u64>| v.map_or_else(|| "–".to_string(), |v| count(lang, v));
    if old == new {
        side(new)
    } else {
        format!("{} → {}", side(old), side(new))
    }
}

/// A risk level in the diff's language (`–` when the object is in one report only).
fn risk(lang: Lang, r: Option<Level>) -> String {
    r.map_or_else(|| "–".to_string(), |r| level(lang, r).to_string())
}

fn presence(lang: Lang, p: Presence) -> String {
    match p {
        Presence::Both => String::new(),
        Presence::Added => t(lang, Key::DiffAdded).to_string(),
        Presence::Removed => t(lang, Key::DiffRemoved).to_string(),
    }
}

fn gate_word(lang: Lang, passed: bool) -> String {
    t(lang, if passed { Key::Passed } else { Key::Failed }).to_string()
}

/// Whether any field of either report had rows excluded by `applies_when`: only then is the
/// column shown.
fn shows_not_applicable(d: &Diff) -> bool {
    d.fields
        .iter()
        .any(|f| f.old_not_applicable.unwrap_or(0) + f.new_not_applicable.unwrap_or(0) > 0)
}

/// The subject's lines: rows (with their shift), duplicate keys and identities when there are any.
fn subject_lines(d: &Diff) -> Vec<String> {
    let lang = d.lang;
    let line = |label: Key, value: String| fill(lang, Key::LabelValue, &[("label", t(lang, label)), ("value", &value)]);
    let shift = fill(
        lang,
        Key::DiffRowShift,
        &[("share", &percent(lang, Some(d.row_count_shift)))],
    );
    let rows = format!("{} → {} ({shift})", count(lang, d.old_rows), count(lang, d.new_rows));
    let mut lines = vec![line(Key::Rows, rows)];
    if d.old_duplicate_keys.unwrap_or(0) + d.new_duplicate_keys.unwrap_or(0) > 0 {
        lines.push(line(
            Key::DuplicateKeys,
            moved(lang, d.old_duplicate_keys, d.new_duplicate_keys),
        ));
    }
    if d.old_duplicate_identities + d.new_duplicate_identities > 0 {
        lines.push(line(
            Key::DuplicateIdentities,
            moved(lang, Some(d.old_duplicate_identities), Some(d.new_duplicate_identities)),
        ));
    }
    lines
}

fn field_row(lang: Lang, f: &FieldChange, not_applicable: bool) -> Vec<String> {
    let mut row = vec![
        format!("{}{}", f.name, presence(lang, f.presence)),
        percent(lang, f.old_usability),
        percent(lang, f.new_usability),
        signed_points(lang, f.change),
        moved(lang, f.old_missing, f.new_missing),
        moved(lang, f.old_invalid, f.new_invalid),
    ];
    if not_applicable {
        row.push(moved(lang, f.old_not_applicable, f.new_not_applicable));
    }
    row.push(format!("{} → {}", risk(lang, f.old_risk), risk(lang, f.new_risk)));
    row
}

fn field_header(lang: Lang, not_applicable: bool) -> Vec<&'static str> {
    let mut header = vec![
        t(lang, Key::Field),
        t(lang, Key::DiffUsabilityBefore),
        t(lang, Key::DiffNow),
        t(lang, Key::DiffChange),
        t(lang, Key::Missing),
        t(lang, Key::Invalid),
    ];
    if not_applicable {
        header.push(t(lang, Key::NotApplicable));
    }
    header.push(t(lang, Key::Risk));
    header
}

fn segment_row(lang: Lang, s: &SegmentChange) -> Vec<String> {
    vec![
        format!("{}{}", s.id, presence(lang, s.presence)),
        size(lang, s.old_size),
        size(lang, s.new_size),
        percent(lang, s.shift),
        format!("{} → {}", risk(lang, s.old_risk), risk(lang, s.new_risk)),
    ]
}

fn segment_header(lang: Lang) -> Vec<&'static str> {
    vec![
        t(lang, Key::Segment),
        t(lang, Key::DiffSizeBefore),
        t(lang, Key::DiffNow),
        t(lang, Key::DiffShift),
        t(lang, Key::Risk),
    ]
}

fn link_row(lang: Lang, l: &LinkChange) -> Vec<String> {
    vec![
        format!("{} → {}{}", l.from, l.to, presence(lang, l.presence)),
        moved(lang, l.old_from_rows, l.new_from_rows),
        moved(lang, l.old_orphans, l.new_orphans),
    ]
}

fn link_header(lang: Lang) -> Vec<&'static str> {
    vec![
        t(lang, Key::Link),
        t(lang, Key::LinkFromRows),
        t(lang, Key::LinkOrphans),
    ]
}

/// The diff as terminal tables: only what changed.
pub fn render(d: &Diff) -> String {
    let lang = d.lang;
    let l = |key: Key| t(lang, key);
    let table = |header: Vec<&str>, rows: Vec<Vec<String>>| {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(crate::report::render::terminal::WIDTH)
            .set_header(header);
        for row in rows {
            table.add_row(row);
        }
        format!("\n{table}\n")
    };
    let mut out = format!(
        "{} {} ({}) → {} ({})\n{}\n",
        l(Key::DiffChangesFrom),
        d.old,
        d.old_generated_at,
        d.new,
        d.new_generated_at,
        subject_lines(d).join("\n"),
    );
    let not_applicable = shows_not_applicable(d);
    let fields: Vec<Vec<String>> = d
        .fields
        .iter()
        .filter(|f| f.changed())
        .map(|f| field_row(lang, f, not_applicable))
        .collect();
    if fields.is_empty() {
        out.push_str(&format!("\n{}\n", l(Key::DiffNoFieldChanged)));
    } else {
        out.push_str(&table(field_header(lang, not_applicable), fields));
    }
    let segments: Vec<Vec<String>> = d
        .segments
        .iter()
        .filter(|s| s.changed())
        .map(|s| segment_row(lang, s))
        .collect();
    if !segments.is_empty() {
        out.push_str(&table(segment_header(lang), segments));
    }
    let links: Vec<Vec<String>> = d
        .links
        .iter()
        .filter(|l| l.changed())
        .map(|l| link_row(lang, l))
        .collect();
    if !links.is_empty() {
        out.push_str(&table(link_header(lang), links));
    }
    for (title, list) in [
        (l(Key::DiffNewFindings), &d.new_findings),
        (l(Key::DiffResolvedFindings), &d.resolved_findings),
    ] {
        out.push_str(&format!("\n{title} ({})\n", list.len()));
        for f in list {
            let waived = if f.waived {
                format!(" ({})", l(Key::Waived))
            } else {
                String::new()
            };
            out.push_str(&format!("  [{}] {}{waived}: {}\n", f.level.as_str(), f.code, f.message));
        }
    }
    let gate = format!(
        "{} → {} ({} → {})",
        gate_word(lang, d.old_passed),
        gate_word(lang, d.new_passed),
        level(lang, d.old_worst),
        level(lang, d.new_worst)
    );
    let gate = fill(
        lang,
        Key::LabelValue,
        &[("label", l(Key::HistoryGate)), ("value", &gate)],
    );
    out.push_str(&format!("\n{gate}\n"));
    out
}

/// One HTML table; `worse` marks rows to highlight.
fn html_table(header: &[&str], rows: &[(bool, Vec<String>)]) -> String {
    let mut out = String::from("<table><tr>");
    for h in header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr>");
    for (worse, row) in rows {
        out.push_str(if *worse { "<tr class=\"worse\">" } else { "<tr>" });
        for cell in row {
            out.push_str(&format!("<td>{}</td>", escape(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// The diff as a self-contained HTML page (the terminal tables, as HTML tables, every line shown).
pub fn render_html(d: &Diff) -> String {
    let lang = d.lang;
    let l = |key: Key| t(lang, key);
    let mut body = format!(
        "<h1>{}</h1><p>{} ({}) → {} ({})<br>{}</p>",
        escape(l(Key::DiffWhatChanged)),
        escape(&d.old),
        escape(&d.old_generated_at),
        escape(&d.new),
        escape(&d.new_generated_at),
        subject_lines(d)
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join("<br>"),
    );
    let not_applicable = shows_not_applicable(d);
    let fields: Vec<(bool, Vec<String>)> = d
        .fields
        .iter()
        .map(|f| (f.change.is_some_and(|c| c < 0.0), field_row(lang, f, not_applicable)))
        .collect();
    body.push_str(&format!("<h2>{}</h2>", escape(l(Key::DiffFields))));
    body.push_str(&html_table(&field_header(lang, not_applicable), &fields));
    let segments: Vec<(bool, Vec<String>)> = d.segments.iter().map(|s| (false, segment_row(lang, s))).collect();
    body.push_str(&format!("<h2>{}</h2>", escape(l(Key::DiffSegments))));
    body.push_str(&html_table(&segment_header(lang), &segments));
    if !d.links.is_empty() {
        let links: Vec<(bool, Vec<String>)> = d
            .links
            .iter()
            .map(|k| {
                (
                    k.new_orphans > k.old_orphans && k.old_orphans.is_some(),
                    link_row(lang, k),
                )
            })
            .collect();
        body.push_str(&format!("<h2>{}</h2>", escape(l(Key::Links))));
        body.push_str(&html_table(&link_header(lang), &links));
    }
    for (title, list) in [
        (l(Key::DiffNewFindings), &d.new_findings),
        (l(Key::DiffResolvedFindings), &d.resolved_findings),
    ] {
        body.push_str(&format!("<h2>{} ({})</h2><ul>", escape(title), list.len()));
        for f in list {
            let waived = if f.waived {
                format!(" ({})", escape(l(Key::Waived)))
            } else {
                String::new()
            };
            body.push_str(&format!(
                "<li><b>{}</b> {}{waived}: {}</li>",
                f.level.as_str(),
                escape(&f.code),
                escape(&f.message)
            ));
        }
        body.push_str("</ul>");
    }
    let lang_code = lang.code();
    format!(
        "<!DOCTYPE html><html lang=\"{lang_code}\"><head><meta charset=\"utf-8\"><title>segaudit diff</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}}\
         tr.worse td{{background:#fde8e8}}</style></head><body>{body}</body></html>\n"
    )
}
