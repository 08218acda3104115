//! `segaudit init --from-odcs FILE`: the spec an ODCS v3.1.0 data contract describes (contract §13).
//! A contract `segaudit contract` wrote gives its spec back (what ODCS has no place for rides in its
//! `segauditSpec` custom property); another contract gives its first table as the subject, its
//! server as the source (or an invented path to fill in), each property as a field and its library
//! quality rules as expectations. Whatever a spec cannot hold is listed in comments at the top of the
//! written spec, with where it stands in the document.

use std::path::Path;

use super::init_odcs_fields::{field_table, to_toml, Unmapped};
use crate::base::error::{msg, Error, Result};
use crate::base::i18n::{fill, t, Key, Lang};
use crate::report::odcs::{self, custom, Document, Mapping, Quality, SchemaObject, Server, Value};
use crate::report::render::contract::rebase;

/// The spec text for the ODCS document at `document`, its paths relative to `spec_path`'s folder.
pub fn spec_from_odcs(document: &Path, spec_path: Option<&Path>) -> Result<String> {
    let text = std::fs::read_to_string(document).map_err(|e| Error::io(document, &e))?;
    let doc: Document = serde_norway::from_str(&text).map_err(|e| {
        Error::at(document.display().to_string(), msg(Key::ErrOdcsRead).arg("why", e))
            .with_tip(msg(Key::ErrTipOdcsRead))
    })?;
    let Some(subject) = doc.schema.first() else {
        return Err(
            Error::at(document.display().to_string(), msg(Key::ErrOdcsNoSchema)).with_tip(msg(Key::ErrTipOdcsNoSchema))
        );
    };
    let dir_of = |p: &Path| {
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let from = dir_of(document);
    let to = spec_path.map_or_else(|| Path::new(".").to_path_buf(), dir_of);
    let carried = match custom(&doc.custom_properties, odcs::SPEC_PROPERTY) {
        Some(Value::Mapping(m)) => Some(m.clone()),
        _ => None,
    };
    let lang = carried
        .as_ref()
        .and_then(|c| c.get("audit")?.get("lang")?.as_str().and_then(Lang::parse))
        .unwrap_or(Lang::En);
    let mut unmapped = Unmapped {
        ours: carried.is_some(),
        ..Unmapped::default()
    };
    top_level(&doc, &mut unmapped);
    let mut spec = toml::Table::new();
    let mut audit = toml::Table::new();
    if let Some(name) = &doc.name {
        audit.insert("title".into(), toml::Value::String(name.clone()));
    }
    if let Some(lang) = carried.as_ref().and_then(|c| c.get("audit")?.get("lang")) {
        audit.insert("lang".into(), to_toml(lang).unwrap_or(toml::Value::String("en".into())));
    }
    if !audit.is_empty() {
        spec.insert("audit".into(), toml::Value::Table(audit));
    }

    let table = match carried.as_ref().and_then(|c| c.get("source")) {
        Some(Value::Mapping(sources)) => {
            let mut sources = sources.clone();
            for (_, source) in sources.iter_mut() {
                if let Some(Value::String(path)) = source.get_mut("path") {
                    *path = rebase(path, &from, &to);
                }
            }
            insert(&mut spec, "source", &Value::Mapping(sources));
            if let Some(views) = carried.as_ref().and_then(|c| c.get("view")) {
                insert(&mut spec, "view", views);
            }
            subject.name.clone()
        }
        _ => foreign_source(&doc, subject, &from, &to, &mut spec, &mut unmapped),
    };
    for (i, other) in doc.schema.iter().enumerate().skip(1) {
        unmapped.add(format!("schema[{i}]"), Value::String(other.name.clone()));
    }

    let mut subject_table = toml::Table::new();
    subject_table.insert("table".into(), toml::Value::String(table));
    let keys: Vec<&odcs::Property> = subject.properties.iter().filter(|p| p.primary_key).collect();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_by_key(|p| p.primary_key_position.unwrap_or(i64::MAX));
    if let Some(key) = keys_sorted.first() {
        subject_table.insert("key".into(), toml::Value::String(column_of(key)));
    }
    for extra in keys_sorted.iter().skip(1) {
        unmapped.add(
            format!("schema[0].properties.{}.primaryKey", extra.name),
            Value::String(t(lang, Key::OdcsCompositePart).to_string()),
        );
    }
    if let Some(Value::Mapping(extra)) = carried.as_ref().and_then(|c| c.get("subject")) {
        for (k, v) in extra {
            if let (Some(k), Some(v)) = (k.as_str(), to_toml(v)) {
                subject_table.insert(k.to_string(), v);
            }
        }
    }
    let mut segments = toml::Table::new();
    schema_level(subject, &mut subject_table, &mut segments, &mut unmapped);
    spec.insert("subject".into(), toml::Value::Table(subject_table));

    let mut fields = toml::Table::new();
    for (i, property) in subject.properties.iter().enumerate() {
        let at = format!("schema[0].properties[{i}] ({})", property.name);
        if let Some(table) = field_table(property, &at, &mut unmapped) {
            fields.insert(column_of(property), toml::Value::Table(table));
        }
    }
    if !fields.is_empty() {
        spec.insert("field".into(), toml::Value::Table(fields));
    }
    if let Some(c) = carried.as_ref().and_then(|c| c.get("criterion")) {
        insert(&mut spec, "criterion", c);
    }
    if !segments.is_empty() {
        spec.insert("segment".into(), toml::Value::Table(segments));
    }
    for section in ["segmentation", "risk", "gate", "report", "test", "waiver", "link"] {
        if let Some(v) = carried.as_ref().and_then(|c| c.get(section)) {
            insert(&mut spec, section, v);
        }
    }
    let body = toml::to_string(&spec).map_err(|e| Error::new(msg(Key::ErrOdcsRead).arg("why", e)))?;
    Ok(format!("{}{body}", header(lang, document, &doc, &unmapped)))
}

/// The column a property names in the data: its physical name when it has one.
pub(super) fn column_of(p: &odcs::Property) -> String {
    p.physical_name.clone().unwrap_or_else(|| p.name.clone())
}

fn header(lang: Lang, document: &Path, doc: &Document, unmapped: &Unmapped) -> String {
    let mut out = String::new();
    let line = fill(
        lang,
        Key::OdcsHeader,
        &[
            ("file", &document.display().to_string()),
            ("id", &doc.id),
            ("version", &doc.api_version),
        ],
    );
    out.push_str(&format!("# {line}\n"));
    if unmapped.items.is_empty() {
        out.push_str(&format!("# {}\n\n", t(lang, Key::OdcsAllMapped)));
        return out;
    }
    out.push_str(&format!("# {}\n", t(lang, Key::OdcsUnmapped)));
    for (at, value) in &unmapped.items {
        out.push_str(&format!("#   - {at}: {}\n", one_line(value)));
    }
    out.push('\n');
    out
}

/// A value on one comment line, cut at 120 characters.
fn one_line(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    let text = text.replace(['\n', '\r'], " ");
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// Top-level keys with no place in a spec.
fn top_level(doc: &Document, unmapped: &mut Unmapped) {
    for (key, value) in &doc.other {
        unmapped.add(key.clone(), value.clone());
    }
    if let Some(description) = &doc.description {
        unmapped.add("description".into(), odcs::yaml(description));
    }
    for p in &doc.custom_properties {
        if p.property != odcs::SPEC_PROPERTY && p.property != "segauditSpecSha256" {
            unmapped.add(format!("customProperties.{}", p.property), p.value.clone());
        }
    }
}

/// The subject's source from the document's first server (a path to fill in when it has none
/// segaudit can read); returns the subject's table name.
fn foreign_source(
    doc: &Document,
    subject: &SchemaObject,
    from: &Path,
    to: &Path,
    spec: &mut toml::Table,
    unmapped: &mut Unmapped,
) -> String {
    let name = sql_word(&subject.name);
    let physical = subject.physical_name.clone().unwrap_or_else(|| subject.name.clone());
    let mut source = toml::Table::new();
    let s = |v: &str| toml::Value::String(v.to_string());
    match doc.servers.first() {
        Some(Server {
            server_type,
            host: Some(host),
            database,
            schema,
            port,
            ..
        }) if server_type == "postgres" || server_type == "postgresql" => {
            let port = port.unwrap_or(5432);
            let database = database.clone().unwrap_or_default();
            source.insert("url".into(), s(&format!("postgres://{host}:{port}/{database}")));
            let table = match schema {
                Some(schema) => format!("{schema}.{physical}"),
                None => physical.clone(),
            };
            source.insert("table".into(), s(&table));
        }
        Some(Server {
            path: Some(path),
            format,
            delimiter,
            ..
        }) => {
            source.insert("path".into(), s(&rebase(path, from, to)));
            if let Some(format) = format {
                source.insert("format".into(), s(format));
            }
            if let Some(d) = delimiter {
                source.insert("delimiter".into(), s(d));
            }
        }
        other => {
            if let Some(server) = other {
                unmapped.add("servers[0]".into(), odcs::yaml(server));
            }
            source.insert("path".into(), s(&format!("data/{physical}.csv")));
            unmapped.add("source".into(), Value::String(format!("data/{physical}.csv")));
        }
    }
    for (i, server) in doc.servers.iter().enumerate().skip(1) {
        unmapped.add(format!("servers[{i}]"), Value::String(server.server.clone()));
    }
    let mut sources = toml::Table::new();
    sources.insert(name.clone(), toml::Value::Table(source));
    spec.insert("source".into(), toml::Value::Table(sources));
    name
}

/// The schema object's rules: `rowCount` sets `min_rows`, `segaudit` rules become segments.
fn schema_level(subject: &SchemaObject, table: &mut toml::Table, segments: &mut toml::Table, unmapped: &mut Unmapped) {
    for (key, value) in &subject.other {
        unmapped.add(format!("schema[0].{key}"), value.clone());
    }
    for (key, value) in [
        ("businessName", &subject.business_name),
        ("description", &subject.description),
    ] {
        if let Some(v) = value {
            unmapped.add(format!("schema[0].{key}"), Value::String(v.clone()));
        }
    }
    for (i, rule) in subject.quality.iter().enumerate() {
        let at = format!("schema[0].quality[{i}]");
        match (
            rule.rule_type.as_deref(),
            rule.metric.as_deref(),
            rule.engine.as_deref(),
        ) {
            (Some("custom"), _, Some(odcs::ENGINE)) => match segment(rule) {
                Some((id, seg)) => {
                    segments.insert(id, toml::Value::Table(seg));
                }
                None => unmapped.add(at, odcs::yaml(rule)),
            },
            (None | Some("library"), Some("rowCount"), _) => {
                let min = rule
                    .must_be_greater_or_equal_to
                    .or(rule.must_be_greater_than.map(|n| n.floor() + 1.0));
                match min {
                    Some(n) if n >= 0.0 => {
                        table.insert("min_rows".into(), toml::Value::Integer(n as i64));
                    }
                    _ => unmapped.add(at, odcs::yaml(rule)),
                }
            }
            _ => unmapped.add(at, odcs::yaml(rule)),
        }
    }
}

/// A `segaudit` custom rule as a `[segment]` table.
fn segment(rule: &Quality) -> Option<(String, toml::Table)> {
    let id = rule.name.clone()?;
    let Some(Value::Mapping(implementation)) = &rule.implementation else {
        return None;
    };
    let mut table = toml::Table::new();
    let text = |m: &Mapping, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(label) = text(implementation, "label") {
        table.insert("label".into(), toml::Value::String(label));
    }
    if let Some(d) = &rule.description {
        table.insert("description".into(), toml::Value::String(d.clone()));
    }
    for key in ["owner", "steward"] {
        if let Some(Value::String(v)) = custom(&rule.custom_properties, key) {
            table.insert(key.into(), toml::Value::String(v.clone()));
        }
    }
    if let Some(p) = text(implementation, "population") {
        table.insert("population".into(), toml::Value::String(p));
    }
    table.insert("rule".into(), toml::Value::String(text(implementation, "rule")?));
    if let Some(variants) = implementation.get("variants").and_then(to_toml) {
        table.insert("variants".into(), variants);
    }
    Some((id, table))
}

fn insert(spec: &mut toml::Table, key: &str, value: &Value) {
    if let Some(v) = to_toml(value) {
        spec.insert(key.to_string(), v);
    }
}

/// A name as a source name: lower-case letters, digits and `_`.
fn sql_word(text: &str) -> String {
    let word: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        format!("data_{word}")
    } else {
        word
    }
}
