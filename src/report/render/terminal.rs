//! The terminal summary: fields, the risk matrix, segments, segmentations, findings and the gate,
//! in tables that fit 100 columns. No colour, so NO_COLOR and pipes need nothing special.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, ContentArrangement, Table};

use crate::base::i18n::{count, fail_on, fill, level, percent, rows_word, singular, t as tr, Key};
use crate::base::risk::Level;
use crate::report::Report;
use crate::spec::Lang;

pub const WIDTH: u16 = 100;
const FINDINGS_SHOWN: usize = 25;

fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH)
        .set_header(header);
    t
}

fn cell_level(lang: Lang, value: Option<f64>, risk: Level) -> String {
    format!("{} {}", percent(lang, value), level(lang, risk))
}

pub fn render(report: &Report) -> String {
    let lang = report.lang;
    let l = |k| tr(lang, k).to_string();
    let mut out = String::new();
    out.push_str(&format!("{}\n", report.title));
    // The committee's first page: the verdict and the few sentences that matter, before the tables.
    let profile = report.format == crate::report::model::ReportFormat::Profile;
    let verdict_word = if report.gate.passed {
        l(Key::GatePassed)
    } else {
        l(Key::GateFailed)
    };
    if !profile {
        out.push_str(&format!("{verdict_word}\n"));
    }
    for sentence in super::brief::brief(report).sentences {
        out.push_str(&format!("  • {sentence}\n"));
    }
    let with_history = report.history.as_ref().is_some_and(|h| h.previous.is_some());
    let since = l(Key::SinceLastAudit);
    let mut subject = format!(
        "{} {} · {} {}",
        l(Key::Subject),
        report.subject.table,
        count(lang, report.subject.rows),
        rows_word(lang, report.subject.rows)
    );
    if let (Some(key), Some(d)) = (&report.subject.key, report.subject.duplicate_keys) {
        subject.push_str(&format!(" · {key}: {} {}", count(lang, d), l(Key::DuplicateKeys)));
        if !report.subject.duplicate_key_values.is_empty() {
            let shown = evidence(lang, &report.subject.duplicate_key_values);
            subject.push_str(&format!(" ({}: {shown})", l(Key::DuplicateKeyValues)));
        }
    }
    if !report.subject.identity.is_empty() {
        subject.push_str(&format!(
            " · {}: {}",
            l(Key::DuplicateIdentities),
            count(lang, report.subject.duplicate_identities)
        ));
    }
    out.push_str(&subject);
    out.push('\n');
    for source in report.sources.iter().filter(|s| s.bad_rows > 0) {
        let first = source.bad_lines.first().cloned().unwrap_or_default();
        let line = fill(
            lang,
            Key::SourceMalformed,
            &[
                ("source", &source.name),
                ("rows", &count(lang, source.bad_rows)),
                ("first", &first),
            ],
        );
        out.push_str(&format!("{line}\n"));
    }

    let mut header = vec![
        l(Key::Field),
        l(Key::Type),
        l(Key::Missing),
        l(Key::Invalid),
        l(Key::Usable),
        l(Key::Usability),
    ];
    if with_history {
        header.push(since.clone());
    }
    let mut fields = table(header);
    for f in &report.fields {
        let name = if !f.available {
            format!("{} ({})", f.name, l(Key::Absent))
        } else if f.not_applicable > 0 {
            format!(
                "{} ({} {})",
                f.name,
                count(lang, f.not_applicable),
                l(Key::NotApplicable)
            )
        } else {
            f.name.clone()
        };
        let mut row = vec![
            Cell::new(name),
            Cell::new(&f.field_type),
            Cell::new(count(lang, f.missing)),
            Cell::new(count(lang, f.invalid)),
            Cell::new(count(lang, f.usable)),
            Cell::new(cell_level(lang, f.usability, f.risk)),
        ];
        if with_history {
            row.push(Cell::new(
                super::brief::since_field(report, &f.name).unwrap_or_default(),
            ));
        }
        fields.add_row(row);
    }
    out.push_str(&format!("\n{}\n{fields}\n", l(Key::Fields)));
    for f in report.fields.iter().filter(|f| !f.invalid_values.is_empty()) {
        let shown = evidence(lang, &f.invalid_values);
        out.push_str(&format!("  {} · {}: {shown}\n", f.name, l(Key::InvalidValues)));
    }

    if !report.segments.is_empty() {
        out.push_str(&format!("\n{}\n", l(Key::RiskMatrix)));
        for matrix in risk_matrix(report) {
            out.push_str(&format!("{matrix}\n"));
        }
        let mut header = vec![
            l(Key::Segment),
            l(Key::Population),
            l(Key::Members),
            l(Key::Undetermined),
            l(Key::SizeInterval),
            l(Key::Risk),
        ];
        if with_history {
            header.push(since.clone());
        }
        let mut segs = table(header);
        for s in &report.segments {
            let mut row = vec![
                s.id.clone(),
                count(lang, s.population),
                count(lang, s.members),
                format!(
                    "{} ({})",
                    count(lang, s.undetermined),
                    percent(lang, s.undetermined_share)
                ),
                format!("{} – {}", count(lang, s.size_min), count(lang, s.size_max)),
                level(lang, s.risk).to_string(),
            ];
            if with_history {
                row.push(super::brief::since_segment(report, s).unwrap_or_default());
            }
            segs.add_row(row);
        }
        out.push_str(&format!("\n{segs}\n"));
    }
    if !report.segmentations.is_empty() {
        let mut t = table(vec![
            l(Key::Segmentation),
            l(Key::Population),
            l(Key::ExactlyOne),
            l(Key::None),
            l(Key::Several),
            l(Key::Undetermined),
            l(Key::Risk),
        ]);
        for s in &report.segmentations {
            t.add_row(vec![
                s.id.clone(),
                count(lang, s.population),
                count(lang, s.exactly_one),
                count(lang, s.none),
                count(lang, s.several),
                count(lang, s.undetermined),
                level(lang, s.risk).to_string(),
            ]);
        }
        out.push_str(&format!("\n{t}\n"));
    }
    if !report.links.is_empty() {
        out.push_str(&format!("\n{}\n{}\n", l(Key::Links), links_table(report)));
    }
    out.push_str(&variants(report));
    if !report.tests.is_empty() {
        let passed = report.tests.iter().filter(|t| t.passed).count();
        out.push_str(&format!(
            "\n{}: {passed}/{} {}\n",
            l(Key::Tests),
            report.tests.len(),
            l(if singular(lang, passed as u64) {
                Key::TestsPassedOne
            } else {
                Key::TestsPassedMany
            })
        ));
    }
    out.push_str(&format!("\n{} ({})\n", l(Key::Findings), report.findings.len()));
    if report.findings.is_empty() {
        out.push_str(&format!("  {}\n", l(Key::NoFindings)));
    }
    for f in report.findings.iter().take(FINDINGS_SHOWN) {
        match &f.waiver_reason {
            Some(reason) if f.waived => out.push_str(&format!(
                "  [{} · {}] {}: {} ({})\n",
                l(Key::Waived),
                level(lang, f.level),
                f.code,
                f.message,
                fill(lang, Key::WaivedBecause, &[("reason", reason)])
            )),
            _ => out.push_str(&format!("  [{}] {}: {}\n", level(lang, f.level), f.code, f.message)),
        }
    }
    if report.findings.len() > FINDINGS_SHOWN {
        out.push_str(&format!(
            "  … {} {}\n",
            report.findings.len() - FINDINGS_SHOWN,
            l(Key::MoreFindings)
        ));
    }
    let verdict = if report.gate.passed {
        l(Key::GatePassed)
    } else {
        l(Key::GateFailed)
    };
    if profile {
        return out;
    }
    out.push_str(&format!(
        "\n{verdict}: {} = {}, {} = {}\n",
        l(Key::Worst),
        level(lang, report.gate.worst),
        l(Key::FailOn),
        fail_on(lang, report.gate.fail_on)
    ));
    out
}

/// One row per `[[link]]`: its rows, those without a value, its orphans (share and level), and the
/// `to` side's rows and never-referenced rows.
fn links_table(report: &Report) -> Table {
    let lang = report.lang;
    let l = |k| tr(lang, k).to_string();
    let mut t = table(vec![
        l(Key::Link),
        l(Key::LinkFromRows),
        l(Key::LinkFromMissing),
        l(Key::LinkOrphans),
        l(Key::LinkToRows),
        l(Key::LinkToUnmatched),
    ]);
    for link in &report.links {
        t.add_row(vec![
            format!("{} → {}", link.from, link.to),
            count(lang, link.from_rows),
            count(lang, link.from_missing),
            format!(
                "{} ({})",
                count(lang, link.orphans),
                cell_level(lang, link.orphan_share, link.risk)
            ),
            count(lang, link.to_rows),
            count(lang, link.to_unmatched),
        ]);
    }
    t
}

/// Where the reports were written, in the report's language.
pub fn written(lang: Lang, json: &str, html: &str) -> String {
    format!(
        "{}\n{}\n",
        fill(lang, Key::JsonReport, &[("path", json)]),
        fill(lang, Key::HtmlReport, &[("path", html)])
    )
}

/// Fields per matrix table, so each table fits 100 columns.
const MATRIX_FIELDS_PER_TABLE: usize = 4;

/// Segments × the fields they read; each cell the usability inside the population and its level
/// word. Wide matrices are split into several tables of a few fields each; segments not reading any
/// field of a table are left out of it.
pub fn risk_matrix(report: &Report) -> Vec<Table> {
    let lang = report.lang;
    let mut columns: Vec<&str> = Vec::new();
    for s in &report.segments {
        for f in &s.fields {
            if !columns.contains(&f.name.as_str()) {
                columns.push(&f.name);
            }
        }
    }
    columns
        .chunks(MATRIX_FIELDS_PER_TABLE)
        .map(|chunk| {
            let mut header = vec![tr(lang, Key::Segment).to_string()];
            header.extend(chunk.iter().map(|c| c.to_string()));
            let mut t = table(header);
            for s in report
                .segments
                .iter()
                .filter(|s| s.fields.iter().any(|f| chunk.contains(&f.name.as_str())))
            {
                let mut row = vec![s.id.clone()];
                for c in chunk {
                    row.push(
                        s.fields
                            .iter()
                            .find(|f| f.name == *c)
                            .map_or_else(|| "·".to_string(), |f| cell_level(lang, f.usability, f.risk)),
                    );
                }
                t.add_row(row);
            }
            t
        })
        .collect()
}

/// The first three evidence values, briefly (`«x» ×3, «y» ×2`); the reports list ten.
fn evidence(lang: Lang, values: &[crate::report::ValueCount]) -> String {
    values
        .iter()
        .take(3)
        .map(|v| format!("«{}» ×{}", v.value, count(lang, v.count)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The terminal's variants tables (empty when no segment has variants): each segment's rule in use
/// and variants, then each segmentation's coverage with them.
fn variants(report: &Report) -> String {
    let lang = report.lang;
    let views = super::variants::views(report);
    if views.is_empty() {
        return String::new();
    }
    let l = |k| tr(lang, k).to_string();
    let mut rules = table(vec![
        l(Key::Variants),
        l(Key::Members),
        l(Key::Undetermined),
        l(Key::SizeInterval),
        l(Key::DecidedOnMissing),
        l(Key::Risk),
    ]);
    let mut coverage = table(vec![
        l(Key::Segmentation),
        l(Key::ExactlyOne),
        l(Key::None),
        l(Key::Several),
        l(Key::Undetermined),
        l(Key::Risk),
    ]);
    let mut any_coverage = false;
    for v in &views {
        for r in &v.rows {
            let name = if r.in_use {
                format!("{} ({})", v.id, r.name)
            } else {
                format!("{}.{}", v.id, r.name)
            };
            rules.add_row(vec![
                name,
                r.members.clone(),
                r.undetermined.clone(),
                r.size.clone(),
                r.decided_on_missing.clone(),
                r.risk.word.to_string(),
            ]);
        }
        for c in &v.coverage {
            for r in c.rows.iter().filter(|r| !r.in_use) {
                any_coverage = true;
                coverage.add_row(vec![
                    format!("{} · {}.{}", c.segmentation, v.id, r.name),
                    r.exactly_one.clone(),
                    r.none.clone(),
                    r.several.clone(),
                    r.undetermined.clone(),
                    r.risk.word.to_string(),
                ]);
            }
        }
    }
    let mut out = format!("\n{rules}\n");
    if any_coverage {
        out.push_str(&format!("\n{coverage}\n"));
    }
    out
}
