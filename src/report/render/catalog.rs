//! Renderers of the data dictionary ([`crate::report::catalog::Catalog`]): JSON
//! (`"format": "segaudit-catalog"`), CSV (one row per column) and one offline HTML page in the
//! catalogue's language (an embedded minijinja template; no script, font or image is fetched).

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::{count, fill, level, percent, t, Key, Lang};
use crate::report::catalog::{Catalog, Entry, RunOrigin};
use crate::spec::governance::Classification;

const TEMPLATE: &str = include_str!("../../../templates/catalog.html");

pub fn json(catalog: &Catalog) -> Result<String> {
    serde_json::to_string_pretty(catalog)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::new(msg(Key::ErrCatalogWrite).arg("why", e)))
}

/// One row per column; lists are joined with ` | `, numbers are plain (shares as 0–1 fractions).
pub fn csv(catalog: &Catalog) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::new(msg(Key::ErrCatalogWrite).arg("why", e));
    writer
        .write_record([
            "name",
            "label",
            "description",
            "owner",
            "steward",
            "classification",
            "pii",
            "declared",
            "available",
            "type",
            "key",
            "formats",
            "range_min",
            "range_max",
            "values",
            "pattern",
            "null_tokens",
            "applies_when",
            "criteria",
            "segments",
            "rows",
            "missing",
            "invalid",
            "usable",
            "usability",
            "risk",
            "distinct",
            "run_id",
            "run_time",
        ])
        .map_err(fail)?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    for e in &catalog.entries {
        let x = &e.expectations;
        let m = e.measured.as_ref();
        let number = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        let range = x.range.clone().unwrap_or_default();
        writer
            .write_record([
                e.name.clone(),
                opt(&e.label),
                opt(&e.description),
                opt(&e.owner),
                opt(&e.steward),
                e.classification.map(|c| c.as_str().to_string()).unwrap_or_default(),
                e.pii.to_string(),
                e.declared.to_string(),
                e.available.to_string(),
                e.field_type.clone(),
                e.key.to_string(),
                x.formats.join(" | "),
                range[0].clone(),
                range[1].clone(),
                x.values.as_ref().map(|v| v.join(" | ")).unwrap_or_default(),
                opt(&x.pattern),
                x.null_tokens.join(" | "),
                opt(&x.applies_when),
                e.criteria.join(" | "),
                e.segments.join(" | "),
                number(m.map(|m| m.rows)),
                number(m.map(|m| m.missing)),
                number(m.map(|m| m.invalid)),
                number(m.map(|m| m.usable)),
                m.and_then(|m| m.usability).map(|u| u.to_string()).unwrap_or_default(),
                m.map(|m| m.risk.as_str().to_string()).unwrap_or_default(),
                number(m.and_then(|m| m.distinct)),
                opt(&catalog.run.id),
                catalog.run.time.clone(),
            ])
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::new(msg(Key::ErrCatalogWrite).arg("why", e)))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    title: String,
    heading: String,
    run: String,
    other_spec: Option<String>,
    subject: String,
    tool_version: String,
    spec_path: String,
    spec_sha256: String,
    labels: Labels,
    entries: Vec<Row>,
}

#[derive(Serialize)]
struct Labels {
    field: &'static str,
    label: &'static str,
    description: &'static str,
    owner: &'static str,
    steward: &'static str,
    classification: &'static str,
    type_: &'static str,
    expectations: &'static str,
    criteria: &'static str,
    segments: &'static str,
    rows: &'static str,
    missing: &'static str,
    invalid: &'static str,
    usable: &'static str,
    usability: &'static str,
    risk: &'static str,
    distinct: &'static str,
    spec: &'static str,
}

#[derive(Serialize)]
struct Row {
    name: String,
    label: String,
    description: String,
    owner: String,
    steward: String,
    classification: String,
    type_: String,
    /// Short notes: key, not declared, absent from the data, personal.
    notes: Vec<String>,
    expectations: Vec<String>,
    criteria: String,
    segments: String,
    numbers: Option<Numbers>,
}

#[derive(Serialize)]
struct Numbers {
    rows: String,
    missing: String,
    invalid: String,
    usable: String,
    usability: String,
    risk: String,
    risk_class: &'static str,
    distinct: String,
}

fn class_name(lang: Lang, c: Classification) -> &'static str {
    t(
        lang,
        match c {
            Classification::Public => Key::CatalogClassPublic,
            Classification::Internal => Key::CatalogClassInternal,
            Classification::Confidential => Key::CatalogClassConfidential,
            Classification::Personal => Key::CatalogClassPersonal,
        },
    )
}

fn row(lang: Lang, e: &Entry) -> Row {
    let mut notes = Vec::new();
    if e.key {
        notes.push(t(lang, Key::CatalogKeyColumn).to_string());
    }
    if !e.declared {
        notes.push(t(lang, Key::CatalogNotDeclared).to_string());
    }
    if !e.available {
        notes.push(t(lang, Key::CatalogAbsent).to_string());
    }
    if e.pii {
        notes.push(t(lang, Key::CatalogPii).to_string());
    }
    let x = &e.expectations;
    let mut expectations = Vec::new();
    let mut add = |key: Key, value: String| expectations.push(fill(lang, key, &[("value", &value)]));
    if !x.formats.is_empty() {
        add(Key::CatalogFormats, x.formats.join(", "));
    }
    if let Some([min, max]) = &x.range {
        let side = |s: &String| if s.is_empty() { "…".to_string() } else { s.clone() };
        add(Key::CatalogRange, format!("{} – {}", side(min), side(max)));
    }
    match (&x.values, x.values_count) {
        (Some(values), _) => add(Key::CatalogValues, values.join(", ")),
        (None, Some(n)) => add(Key::CatalogValuesHidden, n.to_string()),
        (None, None) => {}
    }
    if let Some(p) = &x.pattern {
        add(Key::CatalogPattern, p.clone());
    }
    if !x.null_tokens.is_empty() {
        add(Key::CatalogNullTokens, x.null_tokens.join(", "));
    }
    if let Some(a) = &x.applies_when {
        add(Key::CatalogAppliesWhen, a.clone());
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Row {
        name: e.name.clone(),
        label: text(&e.label),
        description: text(&e.description),
        owner: text(&e.owner),
        steward: text(&e.steward),
        classification: e
            .classification
            .map(|c| class_name(lang, c))
            .unwrap_or_default()
            .to_string(),
        type_: e.field_type.clone(),
        notes,
        expectations,
        criteria: e.criteria.join(", "),
        segments: e.segments.join(", "),
        numbers: e.measured.as_ref().map(|m| Numbers {
            rows: count(lang, m.rows),
            missing: count(lang, m.missing),
            invalid: count(lang, m.invalid),
            usable: count(lang, m.usable),
            usability: percent(lang, m.usability),
            risk: level(lang, m.risk).to_string(),
            risk_class: m.risk.as_str(),
            distinct: m.distinct.map(|d| count(lang, d)).unwrap_or_default(),
        }),
    }
}

pub fn html(catalog: &Catalog) -> Result<String> {
    let lang = catalog.lang;
    let run = match (catalog.run.origin, &catalog.run.id) {
        (RunOrigin::History, Some(id)) => {
            fill(lang, Key::CatalogRunHistory, &[("id", id), ("time", &catalog.run.time)])
        }
        _ => fill(lang, Key::CatalogRunFresh, &[("time", &catalog.run.time)]),
    };
    let page = Page {
        lang: lang.code(),
        title: catalog.title.clone(),
        heading: fill(lang, Key::CatalogHeading, &[("title", &catalog.title)]),
        run,
        other_spec: (!catalog.run.same_spec).then(|| t(lang, Key::CatalogOtherSpec).to_string()),
        subject: fill(
            lang,
            Key::CatalogSubject,
            &[
                ("table", &catalog.subject.table),
                ("rows", &count(lang, catalog.subject.rows)),
                ("columns", &catalog.entries.len().to_string()),
            ],
        ),
        tool_version: catalog.tool_version.clone(),
        spec_path: catalog.spec.path.clone(),
        spec_sha256: catalog.spec.sha256.clone(),
        labels: Labels {
            field: t(lang, Key::Field),
            label: t(lang, Key::CatalogLabel),
            description: t(lang, Key::CatalogDescription),
            owner: t(lang, Key::CatalogOwner),
            steward: t(lang, Key::CatalogSteward),
            classification: t(lang, Key::CatalogClassification),
            type_: t(lang, Key::Type),
            expectations: t(lang, Key::CatalogExpectations),
            criteria: t(lang, Key::CatalogCriteria),
            segments: t(lang, Key::CatalogSegments),
            rows: t(lang, Key::Rows),
            missing: t(lang, Key::Missing),
            invalid: t(lang, Key::Invalid),
            usable: t(lang, Key::Usable),
            usability: t(lang, Key::Usability),
            risk: t(lang, Key::Risk),
            distinct: t(lang, Key::Distinct),
            spec: t(lang, Key::CatalogSpec),
        },
        entries: catalog.entries.iter().map(|e| row(lang, e)).collect(),
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let fail = |e: minijinja::Error| Error::new(msg(Key::ErrCatalogWrite).arg("why", e));
    env.add_template("catalog.html", TEMPLATE).map_err(fail)?;
    env.get_template("catalog.html")
        .map_err(fail)?
        .render(page)
        .map_err(fail)
}
