//! The spec as an ODCS v3.1.0 data contract (contract §13), in YAML: one schema object for the
//! subject, a property per column with its type, expectations, classification and description, the
//! library quality rules (`missingValues`, `invalidValues`, `duplicateValues` on the key, `rowCount`)
//! whose thresholds come from `[risk] usability`, and each segment as a `custom` rule of the
//! `segaudit` engine. What ODCS has no place for (sources' CSV options, views, criteria,
//! segmentations, thresholds, rule tests…) rides in the top-level custom property `segauditSpec`, so
//! that `init --from-odcs` gives the spec back.

use std::path::Path;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::base::risk::{FailOn, Level};
use crate::report::odcs::{
    self, yaml, CustomProperty, Document, Mapping, Property, Quality, SchemaObject, Server, Value,
};
use crate::spec::fieldcheck::{FieldRule, FieldType, Typed};
use crate::spec::governance::Classification;
use crate::spec::{SourceFormat, Spec};

/// Spec sections carried whole in `segauditSpec` (ODCS has no place for them).
const CARRIED: [&str; 10] = [
    "source",
    "view",
    "criterion",
    "segmentation",
    "risk",
    "gate",
    "report",
    "test",
    "waiver",
    "link",
];

/// What the contract needs beyond the spec: the subject's columns as the data has them, and the
/// folder its paths are written relative to.
pub struct ContractInput<'a> {
    pub spec: &'a Spec,
    pub columns: &'a [String],
    /// Where the contract is written (its paths are relative to this folder).
    pub out_dir: &'a Path,
}

pub fn render(input: &ContractInput) -> Result<String> {
    let document = document(input)?;
    serde_norway::to_string(&document).map_err(|e| Error::new(msg(Key::ErrContractYaml).arg("why", e)))
}

pub fn document(input: &ContractInput) -> Result<Document> {
    let spec = input.spec;
    let raw: toml::Table =
        toml::from_str(&spec.text).map_err(|e| Error::new(msg(Key::ErrContractYaml).arg("why", e)))?;
    let spec_dir = spec.path.parent().unwrap_or(Path::new("."));
    let mut carried = Mapping::new();
    if let Some(lang) = raw.get("audit").and_then(|a| a.get("lang")) {
        let mut audit = Mapping::new();
        audit.insert("lang".into(), to_yaml(lang));
        carried.insert("audit".into(), Value::Mapping(audit));
    }
    for section in CARRIED {
        if let Some(value) = raw.get(section) {
            carried.insert(section.into(), to_yaml(value));
        }
    }
    let subject = raw.get("subject").and_then(|s| s.as_table());
    let mut subject_extra = Mapping::new();
    for key in ["strata", "identity"] {
        if let Some(v) = subject.and_then(|s| s.get(key)) {
            subject_extra.insert(key.into(), to_yaml(v));
        }
    }
    if !subject_extra.is_empty() {
        carried.insert("subject".into(), Value::Mapping(subject_extra));
    }
    // Paths are written relative to where the contract goes, and read back relative to it.
    if let Some(Value::Mapping(sources)) = carried.get_mut("source") {
        for source in sources.values_mut() {
            if let Some(Value::String(path)) = source.get_mut("path") {
                *path = rebase(path, spec_dir, input.out_dir);
            }
        }
    }
    let table = &spec.subject.table.value;
    let is_view = spec.views.iter().any(|v| &v.name == table);
    let mut schema = SchemaObject {
        name: table.clone(),
        physical_type: Some(if is_view { "view" } else { "table" }.to_string()),
        properties: properties(input),
        ..Default::default()
    };
    schema.quality.push(Quality {
        metric: Some("rowCount".into()),
        must_be_greater_or_equal_to: Some(spec.subject.min_rows as f64),
        unit: Some("rows".into()),
        dimension: Some("completeness".into()),
        ..Default::default()
    });
    schema.quality.extend(spec.segments.iter().map(segment_rule));
    Ok(Document {
        api_version: odcs::API_VERSION.into(),
        kind: odcs::KIND.into(),
        id: stable_id(spec),
        version: "1.0.0".into(),
        status: "active".into(),
        name: Some(spec.title.clone()),
        servers: spec
            .sources
            .iter()
            .map(|s| server(s, spec_dir, input.out_dir))
            .collect(),
        schema: vec![schema],
        custom_properties: vec![
            CustomProperty::new(odcs::SPEC_PROPERTY, Value::Mapping(carried)),
            CustomProperty::new("segauditSpecSha256", spec.sha256.clone()),
        ],
        ..Default::default()
    })
}

/// The document's `id`: the spec file's name as a stable id (letters, digits, `-`, `_`).
fn stable_id(spec: &Spec) -> String {
    let stem = spec
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.trim_matches('-').is_empty() {
        "segaudit-contract".into()
    } else {
        id
    }
}

fn server(source: &crate::spec::Source, spec_dir: &Path, out_dir: &Path) -> Server {
    use crate::spec::database::Target;
    let mut server = Server {
        server: source.name.clone(),
        ..Default::default()
    };
    match &source.database {
        Some(db) => match &db.target {
            Target::Postgres { host, port, dbname, .. } => {
                server.server_type = "postgres".into();
                server.host = Some(host.clone());
                server.port = Some(*port);
                server.database = Some(dbname.clone().unwrap_or_default());
                let schema = match &db.relation {
                    crate::spec::database::Relation::Table(t) => t.rsplit_once('.').map(|(s, _)| s.to_string()),
                    crate::spec::database::Relation::Query(_) => None,
                };
                server.schema = Some(schema.unwrap_or_else(|| "public".into()));
            }
            Target::Mysql { host, port, dbname, .. } => {
                // ODCS's server type for MySQL and MariaDB alike.
                server.server_type = "mysql".into();
                server.host = Some(host.clone());
                server.port = Some(*port);
                server.database = Some(dbname.clone().unwrap_or_default());
            }
            Target::Sqlite { .. } => {
                server.server_type = "custom".into();
                server.path = Some(db.shown.clone());
                server.format = Some("sqlite".into());
            }
        },
        None => {
            server.server_type = "local".into();
            server.path = Some(rebase(&source.path.value, spec_dir, out_dir));
            let format = source
                .format
                .or_else(|| crate::input::sources::format_of(&source.resolved));
            server.format = Some(
                match format {
                    Some(SourceFormat::Parquet) => "parquet",
                    Some(SourceFormat::Json) => "json",
                    _ => "csv",
                }
                .into(),
            );
            // A `local` server has no delimiter in ODCS: the CSV options ride in `segauditSpec`.
        }
    }
    server
}

/// `path`, written relative to `from` (the spec's folder), as seen from `to`.
pub fn rebase(path: &str, from: &Path, to: &Path) -> String {
    let given = Path::new(path);
    if given.is_absolute() {
        return path.to_string();
    }
    let absolute = normalize(&std::path::absolute(from.join(given)).unwrap_or_else(|_| from.join(given)));
    let to = normalize(&std::path::absolute(to).unwrap_or_else(|_| to.to_path_buf()));
    // Sharing only the root, a relative path would climb to `/` and back: the absolute one reads better.
    if absolute.components().nth(1) != to.components().nth(1) {
        return absolute.display().to_string();
    }
    crate::base::fs::relative_path(&absolute, &to).unwrap_or_else(|| absolute.display().to_string())
}

/// A path without `.` and `..` steps (lexically: a glob need not exist).
fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn properties(input: &ContractInput) -> Vec<Property> {
    let spec = input.spec;
    let mut names: Vec<&str> = input.columns.iter().map(String::as_str).collect();
    for f in &spec.fields {
        if !names.contains(&f.name.as_str()) {
            names.push(&f.name);
        }
    }
    names.into_iter().map(|name| property(spec, name)).collect()
}

pub fn logical_type(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Float => "number",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Timestamp => "timestamp",
    }
}

fn property(spec: &Spec, name: &str) -> Property {
    let is_key = spec.subject.key.as_ref().is_some_and(|k| k.value == name);
    let mut p = Property {
        name: name.to_string(),
        logical_type: Some("string".into()),
        primary_key: is_key,
        primary_key_position: is_key.then_some(1),
        required: is_key,
        unique: is_key,
        ..Default::default()
    };
    if is_key {
        p.quality.push(Quality {
            metric: Some("duplicateValues".into()),
            must_be: Some(yaml(0)),
            unit: Some("rows".into()),
            dimension: Some("uniqueness".into()),
            severity: Some("error".into()),
            ..Default::default()
        });
    }
    let Some(rule) = spec.field(name) else {
        p.custom_properties.push(CustomProperty::new("declared", false));
        return p;
    };
    p.logical_type = Some(logical_type(rule.field_type).into());
    p.business_name = rule.label.clone();
    p.description = rule.governance.description.clone();
    p.classification = rule.classification.map(|c| c.as_str().to_string());
    type_options(rule, &mut p);
    let custom = &mut p.custom_properties;
    for (key, value) in [("owner", &rule.governance.owner), ("steward", &rule.governance.steward)] {
        if let Some(v) = value {
            custom.push(CustomProperty::new(key, v.clone()));
        }
    }
    if rule.classification == Some(Classification::Personal) {
        custom.push(CustomProperty::new("pii", rule.pii));
    }
    if matches!(rule.field_type, FieldType::Date | FieldType::Timestamp) {
        custom.push(CustomProperty::new("formats", rule.formats.clone()));
    }
    if rule.number.decimal != '.' {
        custom.push(CustomProperty::new("decimal", rule.number.decimal.to_string()));
    }
    if let Some(t) = rule.number.thousands {
        custom.push(CustomProperty::new("thousands", t.to_string()));
    }
    if let Some(a) = spec.applies_when.iter().find(|a| a.field == name) {
        custom.push(CustomProperty::new("appliesWhen", a.predicate.value.clone()));
    }
    let threshold = missing_share(spec);
    let severity = match spec.fail_on {
        FailOn::Never => "warning",
        FailOn::At(_) => "error",
    };
    let mut missing: Vec<Value> = vec![Value::Null, yaml("")];
    missing.extend(rule.null_tokens.iter().map(yaml));
    p.quality.push(Quality {
        metric: Some("missingValues".into()),
        arguments: [("missingValues".to_string(), Value::Sequence(missing))]
            .into_iter()
            .collect(),
        must_be_less_or_equal_to: Some(threshold),
        unit: Some("percent".into()),
        dimension: Some("completeness".into()),
        severity: Some(severity.into()),
        ..Default::default()
    });
    let mut arguments = odcs::Other::new();
    if let Some(values) = &rule.values {
        arguments.insert("validValues".into(), yaml(values));
    }
    if let Some(pattern) = rule.pattern_text() {
        arguments.insert("pattern".into(), yaml(pattern));
    }
    p.quality.push(Quality {
        metric: Some("invalidValues".into()),
        arguments,
        must_be_less_or_equal_to: Some(threshold),
        unit: Some("percent".into()),
        dimension: Some("conformity".into()),
        severity: Some(severity.into()),
        ..Default::default()
    });
    p
}

/// The share (in percent) of missing, or of invalid, values a field may have before its usability
/// falls below the `[risk] usability` threshold of the level the gate fails on (`warn` when the gate
/// never fails).
fn missing_share(spec: &Spec) -> f64 {
    let t = spec.risk.usability;
    let limit = match spec.fail_on {
        FailOn::At(Level::Critical) => t.critical,
        FailOn::At(Level::High) => t.high,
        _ => t.warn,
    };
    ((1.0 - limit) * 100.0 * 1e6).round() / 1e6
}

fn type_options(rule: &FieldRule, p: &mut Property) {
    let options = &mut p.logical_type_options;
    let bound = |v: &Typed| -> Value {
        match v {
            Typed::Integer(i) => yaml(i),
            Typed::Float(f) => yaml(f),
            Typed::Date(d) => yaml(d.format("%Y-%m-%d").to_string()),
            Typed::Timestamp(t) => yaml(t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            Typed::Text(s) => yaml(s),
            Typed::Boolean(b) => yaml(b),
        }
    };
    match rule.field_type {
        FieldType::String => {
            if let Some(pattern) = rule.pattern_text() {
                options.insert("pattern".into(), yaml(pattern));
            }
            // ODCS bounds no text: a text range rides as a custom property.
            if rule.min.is_some() || rule.max.is_some() {
                let side = |v: &Option<Typed>| v.as_ref().map_or(yaml(""), bound);
                p.custom_properties
                    .push(CustomProperty::new("range", yaml([side(&rule.min), side(&rule.max)])));
            }
        }
        FieldType::Boolean => {}
        _ => {
            if let Some(format) = rule.formats.first().and_then(|f| jdk_format(f)) {
                options.insert("format".into(), yaml(format));
            }
            if let Some(min) = &rule.min {
                options.insert("minimum".into(), bound(min));
            }
            if let Some(max) = &rule.max {
                options.insert("maximum".into(), bound(max));
            }
        }
    }
}

/// Chrono specifiers and their JDK DateTimeFormatter letters (ODCS's `format`), both ways.
pub const FORMAT_LETTERS: [(&str, &str); 9] = [
    ("%Y", "yyyy"),
    ("%m", "MM"),
    ("%d", "dd"),
    ("%H", "HH"),
    ("%M", "mm"),
    ("%S", "ss"),
    ("%.f", ".SSS"),
    ("%y", "yy"),
    ("%b", "MMM"),
];

/// A chrono format as a JDK pattern, or none when it uses a specifier without one.
pub fn jdk_format(chrono: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = chrono;
    while !rest.is_empty() {
        if let Some((c, j)) = FORMAT_LETTERS.iter().find(|(c, _)| rest.starts_with(c)) {
            out.push_str(j);
            rest = &rest[c.len()..];
        } else if rest.starts_with('%') {
            return None;
        } else {
            let ch = rest.chars().next()?;
            // JDK reads letters as fields: literal letters (the `T` of ISO) are quoted.
            if ch.is_ascii_alphabetic() {
                out.push_str(&format!("'{ch}'"));
            } else {
                out.push(ch);
            }
            rest = &rest[ch.len_utf8()..];
        }
    }
    Some(out)
}

fn segment_rule(segment: &crate::spec::Segment) -> Quality {
    let mut implementation = Mapping::new();
    if let Some(label) = &segment.label {
        implementation.insert("label".into(), yaml(label));
    }
    if let Some(population) = &segment.population {
        implementation.insert("population".into(), yaml(&population.value));
    }
    implementation.insert("rule".into(), yaml(&segment.rule.value));
    if !segment.variants.is_empty() {
        let variants: Mapping = segment
            .variants
            .iter()
            .map(|v| (yaml(&v.id), yaml(&v.rule.value)))
            .collect();
        implementation.insert("variants".into(), Value::Mapping(variants));
    }
    let mut custom = Vec::new();
    for (key, value) in [
        ("owner", &segment.governance.owner),
        ("steward", &segment.governance.steward),
    ] {
        if let Some(v) = value {
            custom.push(CustomProperty::new(key, v.clone()));
        }
    }
    Quality {
        rule_type: Some("custom".into()),
        name: Some(segment.id.clone()),
        description: segment.governance.description.clone(),
        engine: Some(odcs::ENGINE.into()),
        implementation: Some(Value::Mapping(implementation)),
        custom_properties: custom,
        ..Default::default()
    }
}

/// A TOML value as YAML (dates and times as their text).
pub fn to_yaml(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => yaml(s),
        toml::Value::Integer(i) => yaml(i),
        toml::Value::Float(f) => yaml(f),
        toml::Value::Boolean(b) => yaml(b),
        toml::Value::Datetime(d) => yaml(d.to_string()),
        toml::Value::Array(items) => Value::Sequence(items.iter().map(to_yaml).collect()),
        toml::Value::Table(t) => Value::Mapping(t.iter().map(|(k, v)| (yaml(k), to_yaml(v))).collect()),
    }
}
