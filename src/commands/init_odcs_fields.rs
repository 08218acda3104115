//! One ODCS property as a `[field]` table (for `init --from-odcs`, contract §13): its logical type
//! and type options, its classification, and the expectations its library quality rules state
//! (`invalidValues` with `validValues` or `pattern`, `missingValues` as null tokens). What a field
//! cannot hold is added to the list of unmapped items.

use crate::report::odcs::{self, custom, Property, Quality, Value};
use crate::report::render::contract::FORMAT_LETTERS;
use crate::spec::governance::Classification;

/// What the document says that the written spec cannot: where, and what.
#[derive(Debug, Default)]
pub(super) struct Unmapped {
    pub(super) items: Vec<(String, Value)>,
    /// The document is one `segaudit contract` wrote: its thresholds derive from `[risk] usability`,
    /// which it carries, so listing them would only repeat it.
    pub(super) ours: bool,
}

impl Unmapped {
    pub(super) fn add(&mut self, at: String, value: Value) {
        // A default the standard writes out (false, -1, empty lists) says nothing worth listing.
        let empty = match &value {
            Value::Null => true,
            Value::Bool(b) => !b,
            Value::Number(n) => n.as_i64() == Some(-1),
            Value::String(s) => s.is_empty(),
            Value::Sequence(s) => s.is_empty(),
            Value::Mapping(m) => m.is_empty(),
            Value::Tagged(_) => false,
        };
        if !empty {
            self.items.push((at, value));
        }
    }
}

/// Custom properties segaudit writes on a property (`segaudit contract`).
const OURS: [&str; 9] = [
    "declared",
    "owner",
    "steward",
    "pii",
    "formats",
    "decimal",
    "thousands",
    "appliesWhen",
    "range",
];

/// The `[field]` table of a property; none for a column the contract marks as not declared.
pub(super) fn field_table(p: &Property, at: &str, unmapped: &mut Unmapped) -> Option<toml::Table> {
    for (key, value) in &p.other {
        unmapped.add(format!("{at}.{key}"), value.clone());
    }
    for c in p
        .custom_properties
        .iter()
        .filter(|c| !OURS.contains(&c.property.as_str()))
    {
        unmapped.add(format!("{at}.customProperties.{}", c.property), c.value.clone());
    }
    if !p.primary_key {
        for (key, set) in [("required", p.required), ("unique", p.unique)] {
            unmapped.add(format!("{at}.{key}"), Value::Bool(set));
        }
    }
    if custom(&p.custom_properties, "declared") == Some(&Value::Bool(false)) {
        return None;
    }
    let mut f = toml::Table::new();
    let s = |v: &str| toml::Value::String(v.to_string());
    let (field_type, dated) = match p.logical_type.as_deref() {
        None | Some("string") => ("string", false),
        Some("integer") => ("integer", false),
        Some("number") => ("float", false),
        Some("boolean") => ("boolean", false),
        Some("date") => ("date", true),
        Some("timestamp") => ("timestamp", true),
        Some(other) => {
            unmapped.add(format!("{at}.logicalType"), Value::String(other.to_string()));
            ("string", false)
        }
    };
    f.insert("type".into(), s(field_type));
    if let Some(label) = p
        .business_name
        .clone()
        .or_else(|| (p.physical_name.is_some()).then(|| p.name.clone()))
    {
        f.insert("label".into(), s(&label));
    }
    if let Some(d) = &p.description {
        f.insert("description".into(), s(d));
    }
    for key in ["owner", "steward", "decimal", "thousands"] {
        if let Some(Value::String(v)) = custom(&p.custom_properties, key) {
            f.insert(key.into(), s(v));
        }
    }
    if let Some(Value::String(a)) = custom(&p.custom_properties, "appliesWhen") {
        f.insert("applies_when".into(), s(a));
    }
    classification(p, at, &mut f, unmapped);
    type_options(p, at, dated, &mut f, unmapped);
    for (i, rule) in p.quality.iter().enumerate() {
        quality(rule, &format!("{at}.quality[{i}]"), &mut f, unmapped);
    }
    Some(f)
}

/// ODCS classifications are free text: segaudit's four are kept, `restricted`, `secret` and
/// `sensitive` read as confidential, `pii` as personal; a personal field is `pii` unless the
/// contract says otherwise.
fn classification(p: &Property, at: &str, f: &mut toml::Table, unmapped: &mut Unmapped) {
    let Some(written) = p.classification.as_deref() else {
        return;
    };
    let lower = written.trim().to_ascii_lowercase();
    let class = match lower.as_str() {
        "restricted" | "secret" | "sensitive" => {
            unmapped.add(
                format!("{at}.classification"),
                Value::String(format!("{written} → confidential")),
            );
            Some(Classification::Confidential)
        }
        "pii" => Some(Classification::Personal),
        other => Classification::parse(other),
    };
    let Some(class) = class else {
        unmapped.add(format!("{at}.classification"), Value::String(written.to_string()));
        return;
    };
    f.insert("classification".into(), toml::Value::String(class.as_str().into()));
    let pii = match custom(&p.custom_properties, "pii") {
        Some(Value::Bool(b)) => *b,
        _ => class == Classification::Personal,
    };
    if pii {
        f.insert("pii".into(), toml::Value::Boolean(true));
    }
}

fn type_options(p: &Property, at: &str, dated: bool, f: &mut toml::Table, unmapped: &mut Unmapped) {
    let mut range = [None, None];
    for (key, value) in &p.logical_type_options {
        match key.as_str() {
            "minimum" => range[0] = to_toml(value),
            "maximum" => range[1] = to_toml(value),
            "pattern" => {
                if let Value::String(pattern) = value {
                    f.insert("pattern".into(), toml::Value::String(pattern.clone()));
                }
            }
            "format" if dated => match value.as_str().and_then(chrono_format) {
                Some(format) if custom(&p.custom_properties, "formats").is_none() => {
                    f.insert("formats".into(), toml::Value::Array(vec![toml::Value::String(format)]));
                }
                Some(_) => {}
                None => unmapped.add(format!("{at}.logicalTypeOptions.format"), value.clone()),
            },
            _ => unmapped.add(format!("{at}.logicalTypeOptions.{key}"), value.clone()),
        }
    }
    if let Some(formats) = custom(&p.custom_properties, "formats").and_then(to_toml) {
        f.insert("formats".into(), formats);
    }
    if let Some(toml::Value::Array(bounds)) = custom(&p.custom_properties, "range").and_then(to_toml) {
        f.insert("range".into(), toml::Value::Array(bounds));
    } else if range.iter().any(Option::is_some) {
        let open = || toml::Value::String(String::new());
        let [min, max] = range;
        f.insert(
            "range".into(),
            toml::Value::Array(vec![min.unwrap_or_else(open), max.unwrap_or_else(open)]),
        );
    }
}

/// A JDK DateTimeFormatter pattern as a chrono format, or none when it uses a letter chrono lacks.
pub(super) fn chrono_format(jdk: &str) -> Option<String> {
    let mut letters: Vec<(&str, &str)> = FORMAT_LETTERS.iter().map(|(c, j)| (*j, *c)).collect();
    // Longest first: `yyyy` before `yy`, `MMM` before `MM`.
    letters.sort_by_key(|(j, _)| std::cmp::Reverse(j.len()));
    let mut out = String::new();
    let mut rest = jdk;
    while !rest.is_empty() {
        if let Some((j, c)) = letters.iter().find(|(j, _)| rest.starts_with(j)) {
            out.push_str(c);
            rest = &rest[j.len()..];
        } else if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'')?;
            out.push_str(&quoted[..end]);
            rest = &quoted[end + 1..];
        } else {
            let ch = rest.chars().next()?;
            if ch.is_ascii_alphabetic() {
                return None;
            }
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    Some(out)
}

/// A property's quality rule as expectations: valid values, a pattern, missing-value tokens. The
/// thresholds are not: segaudit judges a field's usability with `[risk] usability`.
fn quality(rule: &Quality, at: &str, f: &mut toml::Table, unmapped: &mut Unmapped) {
    let library = matches!(rule.rule_type.as_deref(), None | Some("library"));
    let texts = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    match (library, rule.metric.as_deref()) {
        (true, Some("invalidValues")) => {
            let values = texts(rule.arguments.get("validValues"));
            if !values.is_empty() {
                let values = values.into_iter().map(toml::Value::String).collect();
                f.insert("values".into(), toml::Value::Array(values));
            }
            if let Some(Value::String(pattern)) = rule.arguments.get("pattern") {
                f.insert("pattern".into(), toml::Value::String(pattern.clone()));
            }
            thresholds(rule, at, unmapped);
        }
        (true, Some("missingValues")) => {
            let tokens: Vec<toml::Value> = texts(rule.arguments.get("missingValues"))
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .map(toml::Value::String)
                .collect();
            if !tokens.is_empty() {
                f.insert("null_tokens".into(), toml::Value::Array(tokens));
            }
            thresholds(rule, at, unmapped);
        }
        // Duplicates of the key are a finding of every audit; nulls are missing values.
        (true, Some("duplicateValues" | "nullValues")) => thresholds(rule, at, unmapped),
        _ => unmapped.add(at.to_string(), odcs::yaml(rule)),
    }
}

/// A rule's threshold and severity, listed: the spec's `[risk]` thresholds judge instead.
fn thresholds(rule: &Quality, at: &str, unmapped: &mut Unmapped) {
    if unmapped.ours {
        return;
    }
    let mut shown = odcs::Mapping::new();
    for (key, value) in [
        ("mustBe", rule.must_be.clone()),
        ("mustBeLessOrEqualTo", rule.must_be_less_or_equal_to.map(odcs::yaml)),
        ("unit", rule.unit.clone().map(Value::String)),
        ("severity", rule.severity.clone().map(Value::String)),
    ] {
        if let Some(v) = value {
            shown.insert(key.into(), v);
        }
    }
    for (key, value) in &rule.other {
        shown.insert(key.as_str().into(), value.clone());
    }
    unmapped.add(at.to_string(), Value::Mapping(shown));
}

/// A YAML value as TOML; `null` has no TOML form and is left out.
pub(super) fn to_toml(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Sequence(items) => toml::Value::Array(items.iter().filter_map(to_toml).collect()),
        Value::Mapping(m) => toml::Value::Table(
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), to_toml(v)?)))
                .collect(),
        ),
        Value::Tagged(tagged) => return to_toml(&tagged.value),
    })
}
