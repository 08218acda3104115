//! `segaudit diff OLD.json NEW.json`: what changed between two audit reports, field by field and
//! segment by segment, with the findings that appeared or went away (terminal, JSON, HTML).

use std::path::Path;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::{Deserialize, Serialize};

use crate::base::error::{Error, Result};
use crate::base::i18n::{count, level, percent, t, Key};
use crate::base::risk::Level;
use crate::spec::Lang;

/// What `diff` reads of a report (unknown keys ignored, so reports of other versions compare).
#[derive(Debug, Clone, Deserialize)]
struct Side {
    format: String,
    #[serde(default)]
    generated_at: String,
    subject: SideSubject,
    #[serde(default)]
    fields: Vec<SideField>,
    #[serde(default)]
    segments: Vec<SideSegment>,
    #[serde(default)]
    findings: Vec<SideFinding>,
    gate: SideGate,
}

#[derive(Debug, Clone, Deserialize)]
struct SideSubject {
    rows: u64,
}

#[derive(Debug, Clone, Deserialize)]
struct SideField {
    name: String,
    #[serde(default)]
    usability: Option<f64>,
    #[serde(default)]
    missing: u64,
    #[serde(default)]
    invalid: u64,
    risk: Level,
}

#[derive(Debug, Clone, Deserialize)]
struct SideSegment {
    id: String,
    size_min: u64,
    size_max: u64,
    risk: Level,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct SideFinding {
    level: Level,
    code: String,
    #[serde(default)]
    segment: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SideGate {
    worst: Level,
    passed: bool,
}

/// Whether an entry is in both reports or one only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Both,
    Added,
    Removed,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub presence: Presence,
    pub old_usability: Option<f64>,
    pub new_usability: Option<f64>,
    /// new − old usability.
    pub change: Option<f64>,
    pub old_missing: Option<u64>,
    pub new_missing: Option<u64>,
    pub old_invalid: Option<u64>,
    pub new_invalid: Option<u64>,
    pub old_risk: Option<Level>,
    pub new_risk: Option<Level>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentChange {
    pub id: String,
    pub presence: Presence,
    pub old_size: Option<[u64; 2]>,
    pub new_size: Option<[u64; 2]>,
    /// |m − m_old| / max(m_old, 1) with m the middle of the size interval (contract §7).
    pub shift: Option<f64>,
    pub old_risk: Option<Level>,
    pub new_risk: Option<Level>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingLine {
    pub level: Level,
    pub code: String,
    pub segment: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub format: &'static str,
    pub version: u32,
    pub old: String,
    pub new: String,
    pub old_generated_at: String,
    pub new_generated_at: String,
    pub old_rows: u64,
    pub new_rows: u64,
    pub fields: Vec<FieldChange>,
    pub segments: Vec<SegmentChange>,
    /// Findings in the new report and not in the old one (same code, segment and field).
    pub new_findings: Vec<FindingLine>,
    /// Findings of the old report that the new one no longer has.
    pub resolved_findings: Vec<FindingLine>,
    pub old_worst: Level,
    pub new_worst: Level,
    pub old_passed: bool,
    pub new_passed: bool,
    #[serde(skip)]
    pub lang: Lang,
}

fn read(path: &Path) -> Result<Side> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(path, &e).with_tip("pass two JSON reports written by `segaudit audit`"))?;
    let side: Side = serde_json::from_str(&text).map_err(|e| {
        Error::new(format!("{}: not a segaudit audit report: {e}", path.display()))
            .with_tip("pass two JSON reports written by `segaudit audit` (audit.json, or a history's runs/*.json)")
    })?;
    if side.format != "segaudit-audit" {
        return Err(Error::new(format!(
            "{}: format {:?} is not an audit report",
            path.display(),
            side.format
        ))
        .with_tip("diff compares two `segaudit audit` reports (format \"segaudit-audit\")"));
    }
    Ok(side)
}

/// Compares two reports; `lang` is the language of the rendered text.
pub fn diff(old_path: &Path, new_path: &Path, lang: Lang) -> Result<Diff> {
    let (old, new) = (read(old_path)?, read(new_path)?);
    let mut fields: Vec<FieldChange> = new
        .fields
        .iter()
        .map(|n| {
            let o = old.fields.iter().find(|o| o.name == n.name);
            FieldChange {
                name: n.name.clone(),
                presence: if o.is_some() { Presence::Both } else { Presence::Added },
                old_usability: o.and_then(|o| o.usability),
                new_usability: n.usability,
                change: o.and_then(|o| o.usability).zip(n.usability).map(|(a, b)| b - a),
                old_missing: o.map(|o| o.missing),
                new_missing: Some(n.missing),
                old_invalid: o.map(|o| o.invalid),
                new_invalid: Some(n.invalid),
                old_risk: o.map(|o| o.risk),
                new_risk: Some(n.risk),
            }
        })
        .collect();
    fields.extend(
        old.fields
            .iter()
            .filter(|o| !new.fields.iter().any(|n| n.name == o.name))
            .map(|o| FieldChange {
                name: o.name.clone(),
                presence: Presence::Removed,
                old_usability: o.usability,
                new_usability: None,
                change: None,
                old_missing: Some(o.missing),
                new_missing: None,
                old_invalid: Some(o.invalid),
                new_invalid: None,
                old_risk: Some(o.risk),
                new_risk: None,
            }),
    );
    let mut segments: Vec<SegmentChange> = new
        .segments
        .iter()
        .map(|n| {
            let o = old.segments.iter().find(|o| o.id == n.id);
            SegmentChange {
                id: n.id.clone(),
                presence: if o.is_some() { Presence::Both } else { Presence::Added },
                old_size: o.map(|o| [o.size_min, o.size_max]),
                new_size: Some([n.size_min, n.size_max]),
                shift: o.map(|o| crate::engine::drift::size_shift((o.size_min, o.size_max), (n.size_min, n.size_max))),
                old_risk: o.map(|o| o.risk),
                new_risk: Some(n.risk),
            }
        })
        .collect();
    segments.extend(
        old.segments
            .iter()
            .filter(|o| !new.segments.iter().any(|n| n.id == o.id))
            .map(|o| SegmentChange {
                id: o.id.clone(),
                presence: Presence::Removed,
                old_size: Some([o.size_min, o.size_max]),
                new_size: None,
                shift: None,
                old_risk: Some(o.risk),
                new_risk: None,
            }),
    );
    let same = |a: &SideFinding, b: &SideFinding| a.code == b.code && a.segment == b.segment && a.field == b.field;
    let line = |f: &SideFinding| FindingLine {
        level: f.level,
        code: f.code.clone(),
        segment: f.segment.clone(),
        field: f.field.clone(),
        message: f.message.clone(),
    };
    Ok(Diff {
        format: "segaudit-diff",
        version: 1,
        old: old_path.display().to_string(),
        new: new_path.display().to_string(),
        old_generated_at: old.generated_at.clone(),
        new_generated_at: new.generated_at.clone(),
        old_rows: old.subject.rows,
        new_rows: new.subject.rows,
        fields,
        segments,
        new_findings: new
            .findings
            .iter()
            .filter(|n| !old.findings.iter().any(|o| same(o, n)))
            .map(line)
            .collect(),
        resolved_findings: old
            .findings
            .iter()
            .filter(|o| !new.findings.iter().any(|n| same(o, n)))
            .map(line)
            .collect(),
        old_worst: old.gate.worst,
        new_worst: new.gate.worst,
        old_passed: old.gate.passed,
        new_passed: new.gate.passed,
        lang,
    })
    .map(|mut d| {
        d.fields.sort_by(|a, b| {
            magnitude(b.change)
                .total_cmp(&magnitude(a.change))
                .then_with(|| a.name.cmp(&b.name))
        });
        d
    })
}

fn magnitude(change: Option<f64>) -> f64 {
    change.map_or(0.0, f64::abs)
}

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

/// Whether a field line says anything: in one report only, or its usability or risk moved.
fn field_changed(f: &FieldChange) -> bool {
    f.presence != Presence::Both || f.change.is_some_and(|c| c != 0.0) || f.old_risk != f.new_risk
}

fn segment_changed(s: &SegmentChange) -> bool {
    s.presence != Presence::Both || s.old_size != s.new_size || s.old_risk != s.new_risk
}

/// The diff as terminal tables: only what changed.
pub fn render(d: &Diff) -> String {
    let lang = d.lang;
    let l = |key: Key| t(lang, key);
    let table = |header: Vec<&str>| {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(crate::report::render::terminal::WIDTH)
            .set_header(header);
        table
    };
    let mut out = format!(
        "{} {} ({}) → {} ({})\n{}: {} → {}\n",
        l(Key::DiffChangesFrom),
        d.old,
        d.old_generated_at,
        d.new,
        d.new_generated_at,
        l(Key::Rows),
        count(lang, d.old_rows),
        count(lang, d.new_rows),
    );
    let fields: Vec<&FieldChange> = d.fields.iter().filter(|f| field_changed(f)).collect();
    if fields.is_empty() {
        out.push_str(&format!("\n{}\n", l(Key::DiffNoFieldChanged)));
    } else {
        let mut ft = table(vec![
            l(Key::Field),
            l(Key::DiffUsabilityBefore),
            l(Key::DiffNow),
            l(Key::DiffChange),
            l(Key::Risk),
        ]);
        for f in fields {
            ft.add_row(vec![
                format!("{}{}", f.name, presence(lang, f.presence)),
                percent(lang, f.old_usability),
                percent(lang, f.new_usability),
                signed_points(lang, f.change),
                format!("{} → {}", risk(lang, f.old_risk), risk(lang, f.new_risk)),
            ]);
        }
        out.push_str(&format!("\n{ft}\n"));
    }
    let segments: Vec<&SegmentChange> = d.segments.iter().filter(|s| segment_changed(s)).collect();
    if !segments.is_empty() {
        let mut st = table(vec![
            l(Key::Segment),
            l(Key::DiffSizeBefore),
            l(Key::DiffNow),
            l(Key::DiffShift),
            l(Key::Risk),
        ]);
        for s in segments {
            st.add_row(vec![
                format!("{}{}", s.id, presence(lang, s.presence)),
                size(lang, s.old_size),
                size(lang, s.new_size),
                percent(lang, s.shift),
                format!("{} → {}", risk(lang, s.old_risk), risk(lang, s.new_risk)),
            ]);
        }
        out.push_str(&format!("\n{st}\n"));
    }
    for (title, list) in [
        (l(Key::DiffNewFindings), &d.new_findings),
        (l(Key::DiffResolvedFindings), &d.resolved_findings),
    ] {
        out.push_str(&format!("\n{title} ({})\n", list.len()));
        for f in list {
            out.push_str(&format!("  [{}] {}: {}\n", f.level.as_str(), f.code, f.message));
        }
    }
    out.push_str(&format!(
        "\n{}: {} → {} ({} → {})\n",
        l(Key::HistoryGate),
        gate_word(lang, d.old_passed),
        gate_word(lang, d.new_passed),
        level(lang, d.old_worst),
        level(lang, d.new_worst)
    ));
    out
}

fn gate_word(lang: Lang, passed: bool) -> String {
    t(lang, if passed { Key::Passed } else { Key::Failed }).to_string()
}

/// The diff as a self-contained HTML page (the terminal tables, as HTML tables).
pub fn render_html(d: &Diff) -> String {
    let lang = d.lang;
    let l = |key: Key| t(lang, key);
    let e = crate::report::render::svg::escape;
    let mut body = format!(
        "<h1>{} </h1><p>{} ({}) → {} ({})<br>{}: {} → {}</p>",
        e(l(Key::DiffWhatChanged)),
        e(&d.old),
        e(&d.old_generated_at),
        e(&d.new),
        e(&d.new_generated_at),
        e(l(Key::Rows)),
        e(&count(lang, d.old_rows)),
        e(&count(lang, d.new_rows)),
    );
    body.push_str(&format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        e(l(Key::DiffFields)),
        e(l(Key::Field)),
        e(l(Key::DiffUsabilityBefore)),
        e(l(Key::DiffNow)),
        e(l(Key::DiffChange)),
        e(l(Key::Risk)),
    ));
    for f in &d.fields {
        let class = if f.change.is_some_and(|c| c < 0.0) {
            " class=\"worse\""
        } else {
            ""
        };
        body.push_str(&format!(
            "<tr{class}><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td></tr>",
            e(&f.name),
            e(&presence(lang, f.presence)),
            e(&percent(lang, f.old_usability)),
            e(&percent(lang, f.new_usability)),
            e(&signed_points(lang, f.change)),
            risk(lang, f.old_risk),
            risk(lang, f.new_risk)
        ));
    }
    body.push_str(&format!(
        "</table><h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        e(l(Key::DiffSegments)),
        e(l(Key::Segment)),
        e(l(Key::DiffSizeBefore)),
        e(l(Key::DiffNow)),
        e(l(Key::DiffShift)),
        e(l(Key::Risk)),
    ));
    for s in &d.segments {
        body.push_str(&format!(
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td></tr>",
            e(&s.id),
            e(&presence(lang, s.presence)),
            e(&size(lang, s.old_size)),
            e(&size(lang, s.new_size)),
            e(&percent(lang, s.shift)),
            risk(lang, s.old_risk),
            risk(lang, s.new_risk)
        ));
    }
    body.push_str("</table>");
    for (title, list) in [
        (l(Key::DiffNewFindings), &d.new_findings),
        (l(Key::DiffResolvedFindings), &d.resolved_findings),
    ] {
        body.push_str(&format!("<h2>{} ({})</h2><ul>", e(title), list.len()));
        for f in list {
            body.push_str(&format!(
                "<li><b>{}</b> {}: {}</li>",
                f.level.as_str(),
                e(&f.code),
                e(&f.message)
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
