//! The HTML report: one self-contained, offline file (inline CSS and SVG, no URL of any kind) from the
//! embedded minijinja template, with every label from the message catalogue.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::svg::{self, Part};
use crate::base::error::{Error, Result};
use crate::base::i18n::{count, fill, level, percent, t as tr, Key, KEYS};
use crate::base::risk::Level;
use crate::report::{FieldProfile, FieldStatus, Report, SegmentReport};
use crate::spec::Lang;

const TEMPLATE: &str = include_str!("../../../templates/report.html");
const STYLE: &str = include_str!("../../../templates/report.css");
const SCRIPT: &str = include_str!("../../../templates/report.js");

#[derive(Serialize)]
struct Cell {
    text: String,
    level: &'static str,
    word: &'static str,
}

#[derive(Serialize)]
struct MatrixGroup {
    name: String,
    span: usize,
}

#[derive(Serialize)]
struct Gap {
    field: String,
    usability: Cell,
    outside: String,
    undetermined_rows: String,
    /// Rows classified although the field is unknown (contract §9); "–" when its absence is not tested.
    decided_on_missing: String,
    sentence: String,
}

#[derive(Serialize)]
struct StrataView {
    by: String,
    field: String,
    spread: String,
    risk: Cell,
    groups: Vec<(String, String, String, String)>,
    hidden_groups: usize,
    association: String,
}

/// Strata tables list the largest groups; the rest are counted, not drawn.
const STRATA_GROUPS_SHOWN: usize = 12;

#[derive(Serialize)]
struct SegmentView {
    id: String,
    name: String,
    population_sql: String,
    rule_sql: String,
    population: String,
    population_undetermined: String,
    members: String,
    non_members: String,
    undetermined: String,
    undetermined_share: String,
    size: String,
    risk: Cell,
    small: bool,
    bar: String,
    gaps: Vec<Gap>,
    strata: Vec<StrataView>,
    /// Since the last audit, and the size interval over the kept runs (empty without a history).
    since: String,
    trend: String,
}

#[derive(Serialize)]
struct SegmentationView {
    id: String,
    name: String,
    population: String,
    exactly_one: String,
    none: String,
    several: String,
    undetermined: String,
    risk: Cell,
    flags: String,
    bar: String,
    overlap_names: Vec<String>,
    overlap_rows: Vec<(String, Vec<String>)>,
}

#[derive(Serialize)]
struct FieldView {
    name: String,
    field_type: String,
    observed: String,
    declared: bool,
    available: bool,
    pii: bool,
    /// Rows its `applies_when` leaves out (empty when none do).
    not_applicable: String,
    missing: String,
    invalid: String,
    usable: String,
    distinct: String,
    /// Distinct count and top values estimated from sketches.
    estimated: bool,
    completeness: (String, String),
    validity: (String, String),
    usability: Cell,
    usability_bar: String,
    top_values: Vec<(String, String)>,
    shapes: Vec<(String, String)>,
    placeholders: Vec<(String, String)>,
    invalid_values: Vec<(String, String)>,
    case_variants: Vec<String>,
    stats: Vec<(String, String)>,
    histogram: String,
    /// Since the last audit, and the usability over the kept runs (empty without a history).
    since: String,
    trend: String,
    psi: String,
}

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    t: BTreeMap<&'static str, &'static str>,
    title: String,
    gate_passed: bool,
    gate_text: String,
    generated_at: String,
    tool_version: String,
    spec_path: String,
    spec_sha256: String,
    subject: String,
    /// The most repeated keys (contract §10), value and rows.
    duplicate_key_values: Vec<(String, String)>,
    sources: Vec<BTreeMap<&'static str, String>>,
    matrix_groups: Vec<MatrixGroup>,
    matrix_fields: Vec<String>,
    matrix_rows: Vec<(String, String, Vec<Option<Cell>>)>,
    segments: Vec<SegmentView>,
    segmentations: Vec<SegmentationView>,
    links: Vec<super::links::LinkView>,
    variants: Vec<super::variants::SegmentVariants>,
    field_map: Vec<BTreeMap<&'static str, String>>,
    criteria: Vec<BTreeMap<&'static str, String>>,
    fields: Vec<FieldView>,
    tests: Vec<BTreeMap<&'static str, String>>,
    findings: Vec<(Cell, String, String)>,
    heatmaps: Vec<(String, String)>,
    combinations: Vec<(String, String, String)>,
    segment_combinations: Vec<(String, Vec<(String, String)>)>,
    spec_text: String,
    sql: Vec<(String, String)>,
    style: &'static str,
    script: &'static str,
    brief: FirstPage,
}

/// The committee's first page and the words of the history columns.
#[derive(Serialize)]
struct FirstPage {
    heading: String,
    sentences: Vec<String>,
    chart: String,
    /// Whether the tables carry "since the last audit" columns.
    history: bool,
    since: String,
    trend: String,
    details: String,
}

fn first_page(report: &Report) -> FirstPage {
    let lang = report.lang;
    let b = super::brief::brief(report);
    let p = |key: Key| tr(lang, key).to_string();
    FirstPage {
        heading: p(if report.format == crate::report::model::ReportFormat::Profile {
            Key::ProfileHeading
        } else {
            Key::CommitteeHeading
        }),
        sentences: b.sentences,
        chart: b.chart,
        history: report.history.as_ref().is_some_and(|h| h.previous.is_some()),
        since: p(Key::SinceTheLastAudit),
        trend: p(Key::Trend),
        details: p(Key::AuditDetails),
    }
}

fn cell(lang: Lang, share: Option<f64>, risk: Level) -> Cell {
    Cell {
        text: percent(lang, share),
        level: risk.as_str(),
        word: level(lang, risk),
    }
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// One part of a stacked bar, with its legend word and count as the tooltip.
fn part(lang: Lang, n: u64, class: &'static str, legend: Key) -> Part<'static> {
    Part {
        count: n,
        class,
        label: format!("{}: {}", tr(lang, legend), count(lang, n)),
    }
}

fn segment_view(lang: Lang, s: &SegmentReport) -> SegmentView {
    let l = |k| tr(lang, k);
    let parts = [
        part(lang, s.members, "members", Key::LegendMembers),
        part(lang, s.undetermined, "undetermined", Key::LegendUndetermined),
        part(lang, s.non_members, "non-members", Key::LegendNonMembers),
    ];
    let mut gaps: Vec<&crate::report::SegmentField> = s.fields.iter().collect();
    gaps.sort_by(|a, b| b.undetermined_rows.cmp(&a.undetermined_rows).then(a.name.cmp(&b.name)));
    SegmentView {
        id: s.id.clone(),
        name: s.label.clone().unwrap_or_else(|| s.id.clone()),
        population_sql: s.population_sql.clone().unwrap_or_else(|| l(Key::Everyone).to_string()),
        rule_sql: s.rule_sql.clone(),
        population: count(lang, s.population),
        population_undetermined: count(lang, s.population_undetermined),
        members: count(lang, s.members),
        non_members: count(lang, s.non_members),
        undetermined: count(lang, s.undetermined),
        undetermined_share: percent(lang, s.undetermined_share),
        size: format!("{} – {}", count(lang, s.size_min), count(lang, s.size_max)),
        risk: cell(lang, None, s.risk),
        small: s.small_population,
        bar: svg::stacked_bar(&parts, &s.id),
        since: String::new(),
        trend: String::new(),
        gaps: gaps
            .into_iter()
            .map(|f| Gap {
                field: f.name.clone(),
                usability: cell(lang, f.usability, f.risk),
                outside: percent(lang, f.usability_outside),
                undetermined_rows: count(lang, f.undetermined_rows),
                decided_on_missing: if f.absence.is_some() {
                    format!(
                        "{} ({})",
                        count(lang, f.decided_on_missing),
                        percent(lang, crate::base::risk::share(f.decided_on_missing, s.population))
                    )
                } else {
                    "–".to_string()
                },
                sentence: format!(
                    "{} {} {} / {} {}",
                    f.name,
                    l(Key::GapSentence),
                    count(lang, f.undetermined_rows),
                    count(lang, s.undetermined),
                    l(Key::OfUndetermined)
                ),
            })
            .collect(),
        strata: s
            .strata
            .iter()
            .map(|st| StrataView {
                by: st.by.clone(),
                field: st.field.clone(),
                spread: percent(lang, st.spread),
                risk: cell(lang, st.spread, st.risk),
                hidden_groups: st.groups.len().saturating_sub(STRATA_GROUPS_SHOWN),
                association: association_sentence(lang, &st.field, &st.by, st.cramers_v, st.p_value),
                groups: st
                    .groups
                    .iter()
                    .take(STRATA_GROUPS_SHOWN)
                    .map(|g| {
                        let name = match (&g.value, g.pooled) {
                            (_, true) => l(Key::SmallGroups).to_string(),
                            (Some(v), _) => v.clone(),
                            (None, _) => format!("({})", l(Key::Missing)),
                        };
                        let share = percent(lang, g.usability);
                        let bar = svg::share_bar(g.usability, "usable", &format!("{name}: {share}"));
                        (name, count(lang, g.rows), share, bar)
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// "Missing not at random" in plain words, from Cramér's V and the chi-square p-value.
fn association_sentence(lang: Lang, field: &str, by: &str, v: Option<f64>, p: Option<f64>) -> String {
    let (Some(v), Some(p)) = (v, p) else {
        return String::new();
    };
    let p_text = if p < 0.001 {
        "p < 0,001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    // Decimal comma in every language but English.
    let decimal = |text: String| {
        if lang == Lang::En {
            text.replace(',', ".")
        } else {
            text.replace('.', ",")
        }
    };
    let p_text = decimal(p_text);
    let v_text = decimal(format!("V = {v:.2}"));
    let strong = p < 0.01 && v >= 0.1;
    let key = if strong {
        Key::AssociationStrong
    } else {
        Key::AssociationNone
    };
    fill(
        lang,
        key,
        &[("field", field), ("by", by), ("v", &v_text), ("p", &p_text)],
    )
}

fn field_view(lang: Lang, f: &FieldProfile) -> FieldView {
    let l = |k| tr(lang, k);
    let pairs =
        |items: &[crate::report::ValueCount]| items.iter().map(|v| (v.value.clone(), count(lang, v.count))).collect();
    let mut stats = Vec::new();
    let mut histogram = String::new();
    if let Some(s) = &f.stats {
        let number = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into());
        stats.push((l(Key::Min).to_string(), s.min.clone().unwrap_or_else(|| "–".into())));
        stats.push((l(Key::Max).to_string(), s.max.clone().unwrap_or_else(|| "–".into())));
        if s.mean.is_some() {
            stats.push((l(Key::Mean).to_string(), number(s.mean)));
            stats.push((l(Key::Median).to_string(), number(s.median)));
        }
        histogram = svg::histogram(
            &s.histogram,
            (s.min.as_deref().unwrap_or(""), s.max.as_deref().unwrap_or("")),
            &f.name,
        );
    }
    FieldView {
        name: f.name.clone(),
        field_type: f.field_type.clone(),
        observed: f.observed_type.clone().unwrap_or_default(),
        declared: f.declared,
        available: f.available,
        pii: f.pii,
        not_applicable: if f.not_applicable > 0 {
            count(lang, f.not_applicable)
        } else {
            String::new()
        },
        missing: count(lang, f.missing),
        invalid: count(lang, f.invalid),
        usable: count(lang, f.usable),
        distinct: match (f.distinct, f.distinct_exact) {
            (Some(d), true) => count(lang, d),
            (Some(d), false) => format!("≈ {}", count(lang, d)),
            (None, _) => "–".into(),
        },
        estimated: !f.distinct_exact,
        completeness: (
            percent(lang, f.completeness),
            svg::share_bar(f.completeness, "neutral", l(Key::Completeness)),
        ),
        validity: (
            percent(lang, f.validity),
            svg::share_bar(f.validity, "neutral", l(Key::Validity)),
        ),
        usability: cell(lang, f.usability, f.risk),
        usability_bar: svg::share_bar(f.usability, &format!("lvl-{}", f.risk.as_str()), l(Key::Usability)),
        top_values: pairs(&f.top_values),
        shapes: f
            .shapes
            .iter()
            .map(|s| (s.shape.clone(), count(lang, s.count)))
            .collect(),
        placeholders: pairs(&f.suspected_placeholders),
        invalid_values: pairs(&f.invalid_values),
        case_variants: f
            .case_variants
            .iter()
            .map(|g| {
                g.variants
                    .iter()
                    .map(|v| format!("«{}» ×{}", v.value, count(lang, v.count)))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .collect(),
        stats,
        histogram,
        since: String::new(),
        trend: String::new(),
        psi: f
            .psi
            .map(|p| crate::base::i18n::decimal(lang, p, 3))
            .unwrap_or_default(),
    }
}

fn page(report: &Report) -> Page {
    let lang = report.lang;
    let l = |k| tr(lang, k);
    let t = KEYS.iter().map(|k| (k.name(), tr(lang, *k))).collect();

    // Risk matrix columns: fields grouped by the criterion that needs them, then the others.
    let mut matrix_fields: Vec<String> = Vec::new();
    let mut matrix_groups = Vec::new();
    let read: Vec<&str> = report
        .segments
        .iter()
        .flat_map(|s| s.fields.iter().map(|f| f.name.as_str()))
        .collect();
    for c in &report.criteria {
        let fields: Vec<String> = c
            .fields
            .iter()
            .filter(|f| read.contains(&f.as_str()) && !matrix_fields.contains(f))
            .cloned()
            .collect();
        if !fields.is_empty() {
            matrix_groups.push(MatrixGroup {
                name: c.label.clone().unwrap_or_else(|| c.id.clone()),
                span: fields.len(),
            });
            matrix_fields.extend(fields);
        }
    }
    let others: Vec<String> = read.iter().map(|f| f.to_string()).fold(Vec::new(), |mut acc, f| {
        if !matrix_fields.contains(&f) && !acc.contains(&f) {
            acc.push(f);
        }
        acc
    });
    if !others.is_empty() {
        matrix_groups.push(MatrixGroup {
            name: l(Key::OtherFields).to_string(),
            span: others.len(),
        });
        matrix_fields.extend(others);
    }
    let matrix_rows = report
        .segments
        .iter()
        .map(|s| {
            let cells = matrix_fields
                .iter()
                .map(|name| {
                    s.fields
                        .iter()
                        .find(|f| &f.name == name)
                        .map(|f| cell(lang, f.usability, f.risk))
                })
                .collect();
            (s.id.clone(), s.label.clone().unwrap_or_default(), cells)
        })
        .collect();

    let segmentations = report
        .segmentations
        .iter()
        .map(|g| {
            let parts = [
                part(lang, g.exactly_one, "members", Key::ExactlyOne),
                part(lang, g.several, "several", Key::Several),
                part(lang, g.undetermined, "undetermined", Key::Undetermined),
                part(lang, g.none, "none", Key::None),
            ];
            let overlap = |a: &str, b: &str| {
                g.overlaps
                    .iter()
                    .find(|o| (o.a == a && o.b == b) || (o.a == b && o.b == a))
                    .map(|o| count(lang, o.rows))
            };
            let overlap_rows = g
                .segments
                .iter()
                .map(|a| {
                    (
                        a.clone(),
                        g.segments
                            .iter()
                            .map(|b| {
                                if a == b {
                                    "—".to_string()
                                } else {
                                    overlap(a, b).unwrap_or_default()
                                }
                            })
                            .collect(),
                    )
                })
                .collect();
            let flags = [(g.exclusive, "exclusive"), (g.exhaustive, "exhaustive")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, name)| *name)
                .collect::<Vec<_>>()
                .join(", ");
            SegmentationView {
                id: g.id.clone(),
                name: g.label.clone().unwrap_or_else(|| g.id.clone()),
                population: count(lang, g.population),
                exactly_one: count(lang, g.exactly_one),
                none: count(lang, g.none),
                several: count(lang, g.several),
                undetermined: count(lang, g.undetermined),
                risk: cell(lang, None, g.risk),
                flags,
                bar: svg::stacked_bar(&parts, &g.id),
                overlap_names: g.segments.clone(),
                overlap_rows,
            }
        })
        .collect();

    let sources = report
        .sources
        .iter()
        .flat_map(|s| {
            // A database source has no files: its row shows the URL (never with credentials).
            let database = s.url.as_ref().map(|url| crate::input::sources::FileInfo {
                path: url.clone(),
                bytes: 0,
                rows: None,
                sha256: String::new(),
            });
            s.files.iter().cloned().chain(database).map(move |f| {
                BTreeMap::from([
                    ("name", s.name.clone()),
                    ("format", s.format.to_string()),
                    ("path", f.path.clone()),
                    // A database has no file size to show.
                    ("size", if s.url.is_some() { "–".into() } else { bytes(f.bytes) }),
                    ("rows", f.rows.map(|r| count(lang, r)).unwrap_or_else(|| "–".into())),
                    ("sha256", f.sha256.clone()),
                    ("bad_rows", count(lang, s.bad_rows)),
                ])
            })
        })
        .collect();
    let field_map = report
        .field_map
        .iter()
        .map(|e| {
            BTreeMap::from([
                ("name", e.name.clone()),
                (
                    "status",
                    if e.status == FieldStatus::Present {
                        l(Key::Present)
                    } else {
                        l(Key::Absent)
                    }
                    .to_string(),
                ),
                (
                    "level",
                    if e.status == FieldStatus::Present {
                        "ok"
                    } else {
                        "critical"
                    }
                    .to_string(),
                ),
                ("declared_type", e.declared_type.clone().unwrap_or_default()),
                ("observed_type", e.observed_type.clone().unwrap_or_default()),
                ("criteria", e.criteria.join(", ")),
                ("segments", e.segments.join(", ")),
                ("suggestions", e.suggestions.join(", ")),
            ])
        })
        .collect();
    let criteria = report
        .criteria
        .iter()
        .map(|c| {
            BTreeMap::from([
                ("id", c.id.clone()),
                ("label", c.label.clone().unwrap_or_default()),
                ("family", c.family.clone()),
                ("fields", c.fields.join(", ")),
                ("segments", c.segments.join(", ")),
                ("level", c.risk.as_str().to_string()),
                ("word", level(lang, c.risk).to_string()),
            ])
        })
        .collect();
    let tests = report
        .tests
        .iter()
        .map(|t| {
            BTreeMap::from([
                ("name", t.name.clone()),
                ("level", if t.passed { "ok" } else { "high" }.to_string()),
                (
                    "word",
                    if t.passed { l(Key::Passed) } else { l(Key::Failed) }.to_string(),
                ),
                (
                    "row",
                    t.row
                        .iter()
                        .map(|(k, v)| format!("{k} = {v:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                ("expected", t.expected.join(", ")),
                ("actual", t.actual.join(", ")),
            ])
        })
        .collect();
    let gate_text = if report.format == crate::report::model::ReportFormat::Profile {
        // A profile has no gate to pass: only the worst level.
        format!("{}: {}", l(Key::Worst), level(lang, report.gate.worst))
    } else {
        format!(
            "{} — {}: {} · {}: {}",
            if report.gate.passed {
                l(Key::GatePassed)
            } else {
                l(Key::GateFailed)
            },
            l(Key::Worst),
            level(lang, report.gate.worst),
            l(Key::FailOn),
            crate::base::i18n::fail_on(lang, report.gate.fail_on)
        )
    };
    Page {
        lang: lang.code(),
        t,
        title: report.title.clone(),
        gate_passed: report.gate.passed,
        gate_text,
        generated_at: report.generated_at.clone(),
        tool_version: report.tool_version.clone(),
        spec_path: report.spec.path.clone(),
        spec_sha256: report.spec.sha256.clone(),
        subject: format!(
            "{} · {} {}{}",
            report.subject.table,
            count(lang, report.subject.rows),
            l(Key::Rows),
            report
                .subject
                .duplicate_keys
                .map(|d| format!(" · {} {}", count(lang, d), l(Key::DuplicateKeys)))
                .unwrap_or_default(),
        ) + &if report.subject.identity.is_empty() {
            String::new()
        } else {
            format!(
                " · {} {} ({})",
                count(lang, report.subject.duplicate_identities),
                l(Key::DuplicateIdentities),
                report.subject.identity.join(", ")
            )
        },
        duplicate_key_values: report
            .subject
            .duplicate_key_values
            .iter()
            .map(|v| (v.value.clone(), count(lang, v.count)))
            .collect(),
        sources,
        matrix_groups,
        matrix_fields,
        matrix_rows,
        segments: report
            .segments
            .iter()
            .map(|s| {
                let mut view = segment_view(lang, s);
                view.since = super::brief::since_segment(report, s).unwrap_or_default();
                view.trend = super::brief::segment_trend(report, s);
                view
            })
            .collect(),
        segmentations,
        links: super::links::views(report),
        variants: super::variants::views(report),
        field_map,
        criteria,
        fields: report
            .fields
            .iter()
            .map(|f| {
                let mut view = field_view(lang, f);
                view.since = super::brief::since_field(report, &f.name).unwrap_or_default();
                view.trend = super::brief::field_trend(report, &f.name);
                view
            })
            .collect(),
        tests,
        findings: report
            .findings
            .iter()
            .map(|f| {
                (
                    cell(lang, None, f.level),
                    f.code.to_string(),
                    super::finding_text(lang, f),
                )
            })
            .collect(),
        heatmaps: report
            .heterogeneity
            .heatmap
            .iter()
            .map(|h| {
                let columns: Vec<String> = h
                    .groups
                    .iter()
                    .map(|g| match (&g.value, g.other) {
                        (_, true) => l(Key::OtherGroups).to_string(),
                        (Some(v), _) => v.clone(),
                        (None, _) => format!("({})", l(Key::Missing)),
                    })
                    .collect();
                let rows: Vec<svg::HeatRow> = h
                    .fields
                    .iter()
                    .map(|f| svg::HeatRow {
                        name: f.name.clone(),
                        cells: f.usability.iter().map(|u| (*u, percent(lang, *u))).collect(),
                    })
                    .collect();
                (h.by.clone(), svg::heatmap(&rows, &columns, &h.by))
            })
            .collect(),
        combinations: report
            .heterogeneity
            .co_missingness
            .iter()
            .flat_map(|c| &c.overall)
            .map(|c| {
                (
                    c.fields.join(" + "),
                    count(lang, c.rows),
                    percent(lang, crate::base::risk::share(c.rows, report.subject.rows)),
                )
            })
            .collect(),
        segment_combinations: report
            .heterogeneity
            .co_missingness
            .iter()
            .flat_map(|c| &c.segments)
            .filter(|s| !s.combinations.is_empty())
            .map(|s| {
                (
                    s.segment.clone(),
                    s.combinations
                        .iter()
                        .map(|c| (c.fields.join(" + "), count(lang, c.rows)))
                        .collect(),
                )
            })
            .collect(),
        spec_text: report.spec_text.clone(),
        sql: report.sql.iter().map(|s| (s.purpose.clone(), s.sql.clone())).collect(),
        style: STYLE,
        script: SCRIPT,
        brief: first_page(report),
    }
}

pub fn render(report: &Report) -> Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("links.html", super::links::TEMPLATE)
        .map_err(|e| Error::new(format!("HTML template: {e}")))?;
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::new(format!("HTML template: {e}")))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| Error::new(format!("HTML template: {e}")))?;
    template
        .render(page(report))
        .map_err(|e| Error::new(format!("rendering the HTML report: {e}")))
}

pub fn write(report: &Report, path: &std::path::Path) -> Result<()> {
    let html = render(report)?;
    crate::base::fs::write_atomically(path, html.as_bytes())
}
