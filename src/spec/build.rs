//! Turns the raw TOML model into a validated [`Spec`]: defaults, references, compiled expectations.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::model::{self, RawSpec, ThresholdSpec};
use super::*;
use crate::base::names::did_you_mean;
use crate::spec::fieldcheck::{parse_typed, FieldType, Typed};

/// Distinct texts per column (and per partition) counted exactly before sketches take over: at ten
/// million customers it keeps near-unique columns (phone, e-mail) from holding every text, while a
/// column of up to a few hundred thousand values stays exact (docs/performance.md).
pub const DEFAULT_EXACT_DISTINCT_LIMIT: usize = 200_000;

const FAMILIES: [&str; 6] = [
    "socio-demographic",
    "geographic",
    "behavioural",
    "value",
    "psychographic",
    "other",
];

/// Builds errors that point into the spec file.
struct At<'a> {
    path: &'a Path,
    text: &'a str,
}

impl At<'_> {
    fn loc<T>(&self, spanned: &Spanned<T>) -> Loc {
        loc_of(self.text, spanned.span().start)
    }

    fn located<T: Clone>(&self, spanned: &Spanned<T>) -> Located<T> {
        Located {
            value: spanned.get_ref().clone(),
            loc: self.loc(spanned),
        }
    }

    fn err<T>(&self, spanned: &Spanned<T>, key: &str, message: impl std::fmt::Display) -> Error {
        self.err_at(self.loc(spanned), key, message)
    }

    fn err_at(&self, loc: Loc, key: &str, message: impl std::fmt::Display) -> Error {
        Error::new(format!(
            "{}:{}:{}: `{key}`: {message}",
            self.path.display(),
            loc.line,
            loc.col
        ))
    }

    /// An error for a whole table, located at its `[header]`.
    fn err_table(&self, header: &str, message: impl std::fmt::Display) -> Error {
        let offset = self.text.find(&format!("[{header}]")).unwrap_or(0);
        self.err_at(loc_of(self.text, offset), header, message)
    }
}

fn unknown(name: &str, kind: &str, candidates: &[&str]) -> String {
    let mut tip = match did_you_mean(name, candidates.iter().copied()) {
        Some(good) => format!("did you mean `{good}`?"),
        None => format!("declare a {kind} named `{name}`"),
    };
    if !candidates.is_empty() {
        tip.push_str(&format!(" (known: {})", candidates.join(", ")));
    }
    tip
}

pub fn build(path: &Path, text: &str, raw: RawSpec) -> Result<Spec> {
    let at = At { path, text };
    let dir = path.parent().unwrap_or(Path::new("."));

    let lang = match &raw.audit.lang {
        None => Lang::En,
        Some(l) => Lang::parse(l.get_ref()).ok_or_else(|| {
            at.err(l, "audit.lang", format!("unknown language {:?}", l.get_ref()))
                .with_tip("use \"en\" or \"fr\"")
        })?,
    };

    let sources = raw
        .source
        .iter()
        .map(|(name, s)| build_source(&at, dir, name, s))
        .collect::<Result<Vec<_>>>()?;
    if sources.is_empty() {
        return Err(Error::new(format!("{}: the spec declares no source", path.display()))
            .with_tip("add a [source.NAME] table with a `path`, e.g. [source.clients] path = \"data/clients.csv\""));
    }
    let mut views = Vec::new();
    for (name, v) in &raw.view {
        if raw.source.contains_key(name) {
            return Err(at
                .err(&v.sql, &format!("view.{name}"), "a source has the same name")
                .with_tip("give the view another name"));
        }
        views.push(View {
            name: name.clone(),
            sql: at.located(&v.sql),
        });
    }

    let subject = build_subject(&at, &raw, &sources, &views)?;

    let inherited = inherited_numbers(&raw, &subject.table.value);
    let fields = raw
        .field
        .iter()
        .map(|(name, f)| build_field(&at, name, f, inherited))
        .collect::<Result<Vec<_>>>()?;

    let criteria = raw
        .criterion
        .iter()
        .map(|(id, c)| {
            let family = match &c.family {
                None => "other".to_string(),
                Some(f) if FAMILIES.contains(&f.get_ref().as_str()) => f.get_ref().clone(),
                Some(f) => {
                    return Err(at
                        .err(
                            f,
                            &format!("criterion.{id}.family"),
                            format!("unknown family {:?}", f.get_ref()),
                        )
                        .with_tip(unknown(f.get_ref(), "family", &FAMILIES)))
                }
            };
            Ok(Criterion {
                id: id.clone(),
                family,
                label: c.label.clone(),
                fields: c.fields.iter().map(|f| at.located(f)).collect(),
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let segment_ids: Vec<&str> = raw.segment.keys().map(String::as_str).collect();
    let segmentation_ids: Vec<&str> = raw.segmentation.keys().map(String::as_str).collect();
    let segments: Vec<Segment> = raw
        .segment
        .iter()
        .map(|(id, s)| Segment {
            id: id.clone(),
            label: s.label.clone(),
            population: s.population.as_ref().map(|p| at.located(p)),
            rule: at.located(&s.rule),
        })
        .collect();
    let segmentations = build_segmentations(&at, &raw, &segment_ids, &segmentation_ids)?;

    let risk = RiskSettings {
        usability: thresholds(
            &at,
            "risk.usability",
            raw.risk.usability.as_ref(),
            crate::base::risk::Thresholds::USABILITY,
            true,
            1.0,
        )?,
        undetermined: thresholds(
            &at,
            "risk.undetermined",
            raw.risk.undetermined.as_ref(),
            crate::base::risk::Thresholds::UNDETERMINED,
            false,
            1.0,
        )?,
        strata_gap: thresholds(
            &at,
            "risk.strata_gap",
            raw.risk.strata_gap.as_ref(),
            crate::base::risk::Thresholds::STRATA_GAP,
            false,
            1.0,
        )?,
        usability_drop: thresholds(
            &at,
            "risk.usability_drop",
            raw.risk.usability_drop.as_ref(),
            crate::base::risk::Thresholds::USABILITY_DROP,
            false,
            1.0,
        )?,
        // A segment may more than double and a PSI has no upper bound: no cap on these two.
        size_shift: thresholds(
            &at,
            "risk.size_shift",
            raw.risk.size_shift.as_ref(),
            crate::base::risk::Thresholds::SIZE_SHIFT,
            false,
            f64::INFINITY,
        )?,
        psi: thresholds(
            &at,
            "risk.psi",
            raw.risk.psi.as_ref(),
            crate::base::risk::Thresholds::PSI,
            false,
            f64::INFINITY,
        )?,
        min_population: raw.risk.min_population.unwrap_or(30),
    };

    let fail_on = match &raw.gate.fail_on {
        None => FailOn::At(Level::High),
        Some(v) => FailOn::parse(v.get_ref()).ok_or_else(|| {
            at.err(v, "gate.fail_on", format!("unknown level {:?}", v.get_ref()))
                .with_tip("use one of: warn, high, critical, never")
        })?,
    };

    let tests = raw
        .test
        .iter()
        .enumerate()
        .map(|(i, t)| build_test(&at, i, t, &segment_ids))
        .collect::<Result<Vec<_>>>()?;

    Ok(Spec {
        path: path.to_path_buf(),
        text: text.to_string(),
        sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
        title: raw.audit.title.clone().unwrap_or_else(|| "segaudit".to_string()),
        lang,
        sources,
        views,
        subject,
        fields,
        criteria,
        segments,
        segmentations,
        risk,
        fail_on,
        min_count: raw.report.min_count.unwrap_or(1),
        top_values: raw.report.top_values.unwrap_or(10).clamp(1, 100),
        exact_distinct_limit: raw
            .report
            .exact_distinct_limit
            .unwrap_or(DEFAULT_EXACT_DISTINCT_LIMIT)
            .max(1),
        tests,
        history: raw.history.as_ref().map(|h| dir.join(h.path.get_ref())),
    })
}

fn build_source(at: &At, dir: &Path, name: &str, s: &model::SourceSpec) -> Result<Source> {
    let key = |k: &str| format!("source.{name}.{k}");
    let path = match (&s.path, &s.url) {
        (Some(_), Some(url)) => {
            return Err(at
                .err(url, &key("url"), "a source has either `path` (files) or `url` (a database), not both")
                .with_tip("keep one; declare a second [source] for the other"))
        }
        (None, Some(url)) => return build_database_source(at, dir, name, s, url),
        (Some(path), None) => path,
        (None, None) => {
            return Err(at.err_table(&format!("source.{name}"), "the source has no `path` nor `url`").with_tip(
                "add path = \"data/clients.csv\" (files) or url = \"postgres://user@host:5432/db\" with table = \"customers\"",
            ))
        }
    };
    for (value, k) in [
        (&s.table, "table"),
        (&s.query, "query"),
        (&s.password_env, "password_env"),
    ] {
        if let Some(v) = value {
            return Err(at
                .err(v, &key(k), "only a database source (`url`) takes this key")
                .with_tip(format!(
                    "remove `{k}`, or replace `path` by url = \"postgres://…\" or \"sqlite:FILE\""
                )));
        }
    }
    let format = match &s.format {
        None => None,
        Some(f) => Some(match f.get_ref().to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => SourceFormat::Csv,
            "parquet" => SourceFormat::Parquet,
            "json" | "ndjson" | "jsonl" => SourceFormat::Json,
            other => {
                return Err(at
                    .err(f, &key("format"), format!("unknown format {other:?}"))
                    .with_tip("use csv, tsv, parquet or ndjson (or omit it: the extension decides)"))
            }
        }),
    };
    let single_byte = |value: &Option<Spanned<String>>, k: &str, default: u8| -> Result<u8> {
        let Some(v) = value else { return Ok(default) };
        match v.get_ref().as_str() {
            "\\t" | "tab" | "\t" => Ok(b'\t'),
            text if text.len() == 1 => Ok(text.as_bytes()[0]),
            text => Err(at
                .err(v, &key(k), format!("{text:?} is not a single ASCII character"))
                .with_tip(format!("write one character, e.g. {k} = \";\" (or \"\\t\" for tabs)"))),
        }
    };
    let is_tsv = path.get_ref().to_ascii_lowercase().contains(".tsv")
        || s.format
            .as_ref()
            .is_some_and(|f| f.get_ref().eq_ignore_ascii_case("tsv"));
    let delimiter = single_byte(&s.delimiter, "delimiter", if is_tsv { b'\t' } else { b',' })?;
    let quote = single_byte(&s.quote, "quote", b'"')?;
    let encoding = match &s.encoding {
        None => encoding_rs::UTF_8,
        Some(e) => encoding_rs::Encoding::for_label(e.get_ref().trim().as_bytes()).ok_or_else(|| {
            at.err(e, &key("encoding"), format!("unknown encoding {:?}", e.get_ref()))
                .with_tip("use a WHATWG label such as \"utf-8\", \"windows-1252\", \"iso-8859-1\" or \"utf-16le\"")
        })?,
    };
    let fail_on_bad_rows = match &s.on_bad_rows {
        None => false,
        Some(v) => match v.get_ref().as_str() {
            "report" => false,
            "fail" => true,
            other => {
                return Err(at
                    .err(v, &key("on_bad_rows"), format!("unknown value {other:?}"))
                    .with_tip("use \"report\" (count malformed rows and go on) or \"fail\""))
            }
        },
    };
    number_format(at, &format!("source.{name}"), s.decimal.as_ref(), s.thousands.as_ref())?;
    Ok(Source {
        name: name.to_string(),
        path: at.located(path),
        resolved: dir.join(path.get_ref()),
        format,
        csv: CsvOptions {
            delimiter,
            quote,
            header: s.header.unwrap_or(true),
            encoding,
            fail_on_bad_rows,
        },
        null_tokens: s.null_tokens.clone(),
        database: None,
    })
}

/// A `[source]` with `url`: a PostgreSQL or SQLite table or query (contract §6).
fn build_database_source(
    at: &At,
    dir: &Path,
    name: &str,
    s: &model::SourceSpec,
    url: &Spanned<String>,
) -> Result<Source> {
    use crate::spec::database::{parse_url, Database, Relation};
    let key = |k: &str| format!("source.{name}.{k}");
    for (value, k) in [
        (&s.format, "format"),
        (&s.delimiter, "delimiter"),
        (&s.quote, "quote"),
        (&s.encoding, "encoding"),
        (&s.on_bad_rows, "on_bad_rows"),
        (&s.decimal, "decimal"),
        (&s.thousands, "thousands"),
    ] {
        if let Some(v) = value {
            return Err(at
                .err(v, &key(k), "a database source has no files to read this way")
                .with_tip(format!("remove `{k}`: the database gives typed columns")));
        }
    }
    // Never echo the URL itself: it may carry the password being refused.
    let (target, shown) =
        parse_url(url.get_ref(), dir).map_err(|problem| at.err(url, &key("url"), &problem).with_tip(problem.tip()))?;
    let relation = match (&s.table, &s.query) {
        (Some(_), Some(q)) => {
            return Err(at
                .err(
                    q,
                    &key("query"),
                    "a source reads either a `table` or a `query`, not both",
                )
                .with_tip("keep `table` for a table or view, or `query` for a SELECT"))
        }
        (Some(t), None) if !t.get_ref().trim().is_empty() => Relation::Table(t.get_ref().trim().to_string()),
        (None, Some(q)) => {
            super::ensure_select(q.get_ref()).map_err(|why| {
                at.err(q, &key("query"), why)
                    .with_tip("write one SELECT; the database runs it read-only")
            })?;
            Relation::Query(q.get_ref().clone())
        }
        _ => {
            return Err(at
                .err(
                    url,
                    &key("table"),
                    "a database source needs `table` (a table or view) or `query` (a SELECT)",
                )
                .with_tip("add table = \"customers\" (or \"schema.customers\")"))
        }
    };
    let password_env = match &s.password_env {
        Some(v) if v.get_ref().trim().is_empty() || v.get_ref().contains(['=', ' ']) => {
            return Err(at
                .err(v, &key("password_env"), "not an environment variable name")
                .with_tip("name the variable that holds the password, e.g. password_env = \"CRM_PASSWORD\""))
        }
        Some(v) => Some(v.get_ref().clone()),
        None => None,
    };
    Ok(Source {
        name: name.to_string(),
        path: Located {
            value: shown.clone(),
            loc: at.loc(url),
        },
        resolved: PathBuf::new(),
        format: None,
        csv: CsvOptions {
            delimiter: b',',
            quote: b'"',
            header: true,
            encoding: encoding_rs::UTF_8,
            fail_on_bad_rows: false,
        },
        null_tokens: s.null_tokens.clone(),
        database: Some(Database {
            target,
            shown,
            relation,
            password_env,
        }),
    })
}

fn build_subject(at: &At, raw: &RawSpec, sources: &[Source], views: &[View]) -> Result<Subject> {
    let Some(subject) = &raw.subject else {
        let table = sources.first().map(|s| s.name.clone()).unwrap_or_default();
        return Err(
            Error::new(format!("{}: the spec has no [subject]", at.path.display())).with_tip(format!(
                "add:\n[subject]\ntable = \"{table}\"   # the table with one row per customer\nkey = \"client_id\""
            )),
        );
    };
    let subject = subject.get_ref();
    let tables: Vec<&str> = sources
        .iter()
        .map(|s| s.name.as_str())
        .chain(views.iter().map(|v| v.name.as_str()))
        .collect();
    if !tables.contains(&subject.table.get_ref().as_str()) {
        return Err(at
            .err(
                &subject.table,
                "subject.table",
                format!("no source or view is named {:?}", subject.table.get_ref()),
            )
            .with_tip(unknown(subject.table.get_ref(), "source or view", &tables)));
    }
    // A stratum's groups are named by their values in every output: a personal field would list them.
    if let Some(stratum) = subject
        .strata
        .iter()
        .find(|s| raw.field.get(s.get_ref()).is_some_and(|f| f.pii))
    {
        return Err(at
            .err(
                stratum,
                "subject.strata",
                format!("{:?} is pii, and strata name every value of their attribute in the report and the history", stratum.get_ref()),
            )
            .with_tip("remove it from strata, or stratify on a coarser field that is not personal (a region, an age band computed in a [view])"));
    }
    Ok(Subject {
        table: at.located(&subject.table),
        key: subject.key.as_ref().map(|k| at.located(k)),
        strata: subject.strata.iter().map(|s| at.located(s)).collect(),
    })
}

/// The `decimal` and `thousands` the subject's fields inherit: those of the subject's source, or,
/// when the subject is a view, the value every source that sets the key agrees on (none when they
/// disagree: the fields then say theirs).
fn inherited_numbers<'a>(raw: &'a RawSpec, table: &str) -> Inherited<'a> {
    if let Some(source) = raw.source.get(table) {
        return (source.decimal.as_ref(), source.thousands.as_ref());
    }
    let agreed = |get: fn(&'a model::SourceSpec) -> Option<&'a Spanned<String>>| {
        let mut set = raw.source.values().filter_map(get);
        let first = set.next()?;
        set.all(|v| v.get_ref() == first.get_ref()).then_some(first)
    };
    (agreed(|s| s.decimal.as_ref()), agreed(|s| s.thousands.as_ref()))
}

type Inherited<'a> = (Option<&'a Spanned<String>>, Option<&'a Spanned<String>>);

/// Validates a `decimal` / `thousands` pair (contract §10), the error at the key that is wrong.
fn number_format(
    at: &At,
    table: &str,
    decimal: Option<&Spanned<String>>,
    thousands: Option<&Spanned<String>>,
) -> Result<crate::spec::numbers::NumberFormat> {
    use crate::spec::numbers::{FormatError, NumberFormat};
    NumberFormat::from_spec(
        decimal.map(|d| d.get_ref().as_str()),
        thousands.map(|t| t.get_ref().as_str()),
    )
    .map_err(|why| {
        let (spanned, key, message, tip) = match why {
            FormatError::Decimal => (
                decimal,
                "decimal",
                "the decimal point is \",\" or \".\"",
                "write decimal = \",\" (or omit it for \".\")",
            ),
            FormatError::Thousands => (
                thousands,
                "thousands",
                "the thousands separator is one of \" \", \".\", \"'\" or \",\"",
                "write thousands = \" \" for 1 234 567 (U+202F and U+00A0 included)",
            ),
            FormatError::Same => (
                thousands.or(decimal),
                "thousands",
                "the thousands separator is the decimal point",
                "use another thousands separator, e.g. decimal = \",\" with thousands = \" \"",
            ),
        };
        let key = format!("{table}.{key}");
        match spanned {
            Some(s) => at.err(s, &key, message).with_tip(tip),
            None => at.err_table(table, message).with_tip(tip),
        }
    })
}

fn build_field(
    at: &At,
    name: &str,
    f: &model::FieldSpec,
    inherited: Inherited,
) -> Result<crate::spec::fieldcheck::FieldRule> {
    let key = |k: &str| format!("field.{name}.{k}");
    let range = f.range.as_ref();
    let field_type = match &f.field_type {
        Some(t) => FieldType::parse(t.get_ref()).ok_or_else(|| {
            at.err(t, &key("type"), format!("unknown type {:?}", t.get_ref()))
                .with_tip(unknown(t.get_ref(), "type", &FieldType::NAMES))
        })?,
        // A numeric range with no type can only mean a number.
        None if range.is_some_and(|r| range_items(r.get_ref()).iter().any(|v| v.is_integer() || v.is_float())) => {
            FieldType::Float
        }
        None => FieldType::String,
    };
    let formats = if f.formats.is_empty() {
        field_type.default_formats()
    } else {
        f.formats.clone()
    };
    if !f.formats.is_empty() && !matches!(field_type, FieldType::Date | FieldType::Timestamp) {
        return Err(at
            .err_table(
                &format!("field.{name}"),
                "`formats` only applies to date and timestamp fields",
            )
            .with_tip("add type = \"date\" (or \"timestamp\"), or remove `formats`"));
    }
    let (min, max) = match range {
        None => (None, None),
        Some(r) => parse_range(at, &key("range"), r, field_type, &formats)?,
    };
    let pattern = match &f.pattern {
        None => None,
        Some(p) => Some(Regex::new(&format!("^(?:{})$", p.get_ref())).map_err(|e| {
            at.err(p, &key("pattern"), format!("invalid regular expression: {e}"))
                .with_tip("write the pattern in TOML literal quotes ('...') so backslashes stay as typed")
        })?),
    };
    let values = f.values.as_ref().map(|vs| vs.iter().map(value_text).collect());
    let number = number_format(
        at,
        &format!("field.{name}"),
        f.decimal.as_ref().or(inherited.0),
        f.thousands.as_ref().or(inherited.1),
    )?;
    Ok(crate::spec::fieldcheck::FieldRule {
        name: name.to_string(),
        label: f.label.clone(),
        declared: true,
        field_type,
        type_declared: f.field_type.is_some(),
        formats,
        min,
        max,
        values,
        pattern,
        pii: f.pii,
        null_tokens: f.null_tokens.clone(),
        number,
    })
}

/// A spec value written as TOML (string, number, date) as the text a data file would hold.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn range_items(v: &toml::Value) -> Vec<toml::Value> {
    match v {
        toml::Value::Array(items) => items.clone(),
        toml::Value::Table(t) => vec![
            t.get("min").cloned().unwrap_or(toml::Value::String(String::new())),
            t.get("max").cloned().unwrap_or(toml::Value::String(String::new())),
        ],
        other => vec![other.clone()],
    }
}

type Bounds = (Option<Typed>, Option<Typed>);

fn parse_range(
    at: &At,
    key: &str,
    r: &Spanned<toml::Value>,
    field_type: FieldType,
    formats: &[String],
) -> Result<Bounds> {
    let shape_tip =
        "write range = [MIN, MAX] (inclusive); leave a side open with \"\", e.g. [0, \"\"], or use { min = 0 }";
    if let toml::Value::Table(t) = r.get_ref() {
        if let Some(bad) = t.keys().find(|k| *k != "min" && *k != "max") {
            return Err(at.err(r, key, format!("unknown bound `{bad}`")).with_tip(shape_tip));
        }
    }
    let items = range_items(r.get_ref());
    if items.len() != 2 {
        return Err(at
            .err(r, key, format!("expected two bounds, found {}", items.len()))
            .with_tip(shape_tip));
    }
    let bound = |v: &toml::Value| -> Result<Option<Typed>> {
        let text = value_text(v);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse_bound(field_type, formats, text).map(Some).ok_or_else(|| {
            at.err(r, key, format!("bound {text:?} is not a {}", field_type.as_str()))
                .with_tip(format!(
                    "write bounds as {} values (dates as \"YYYY-MM-DD\")",
                    field_type.as_str()
                ))
        })
    };
    let (min, max) = (bound(&items[0])?, bound(&items[1])?);
    if let (Some(lo), Some(hi)) = (&min, &max) {
        if lo > hi {
            return Err(at
                .err(r, key, "the lower bound is above the upper bound")
                .with_tip("write range = [MIN, MAX]"));
        }
    }
    Ok((min, max))
}

fn parse_bound(field_type: FieldType, formats: &[String], text: &str) -> Option<Typed> {
    match field_type {
        FieldType::Integer | FieldType::Float => text.parse::<f64>().ok().map(Typed::Float),
        FieldType::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(Typed::Date)
            .or_else(|| parse_typed(field_type, formats, text)),
        FieldType::Timestamp => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
            .ok()
            .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0))
            .map(Typed::Timestamp)
            .or_else(|| parse_typed(field_type, formats, text)),
        FieldType::String | FieldType::Boolean => Some(Typed::Text(text.to_string())),
    }
}

fn build_segmentations(
    at: &At,
    raw: &RawSpec,
    segment_ids: &[&str],
    segmentation_ids: &[&str],
) -> Result<Vec<Segmentation>> {
    let mut out: Vec<Segmentation> = Vec::new();
    for (id, s) in &raw.segmentation {
        let mut members = Vec::new();
        for seg in &s.segments {
            if !segment_ids.contains(&seg.get_ref().as_str()) {
                return Err(at
                    .err(
                        seg,
                        &format!("segmentation.{id}.segments"),
                        format!("no segment is named {:?}", seg.get_ref()),
                    )
                    .with_tip(unknown(seg.get_ref(), "segment", segment_ids)));
            }
            if !members.contains(seg.get_ref()) {
                members.push(seg.get_ref().clone());
            }
        }
        out.push(Segmentation {
            id: id.clone(),
            label: s.label.clone(),
            segments: members,
            exclusive: s.exclusive,
            exhaustive: s.exhaustive,
        });
    }
    // A segment may also name its segmentation itself.
    for (seg_id, seg) in &raw.segment {
        let Some(target) = &seg.segmentation else { continue };
        let Some(segmentation) = out.iter_mut().find(|s| &s.id == target.get_ref()) else {
            return Err(at
                .err(
                    target,
                    &format!("segment.{seg_id}.segmentation"),
                    format!("no segmentation is named {:?}", target.get_ref()),
                )
                .with_tip(unknown(target.get_ref(), "segmentation", segmentation_ids)));
        };
        if !segmentation.segments.contains(seg_id) {
            segmentation.segments.push(seg_id.clone());
        }
    }
    Ok(out)
}

fn thresholds(
    at: &At,
    key: &str,
    spec: Option<&Spanned<ThresholdSpec>>,
    default: crate::base::risk::Thresholds,
    lower_is_worse: bool,
    max: f64,
) -> Result<crate::base::risk::Thresholds> {
    let Some(spanned) = spec else { return Ok(default) };
    let t = spanned.get_ref();
    let out = crate::base::risk::Thresholds {
        warn: t.warn.unwrap_or(default.warn),
        high: t.high.unwrap_or(default.high),
        critical: t.critical.unwrap_or(default.critical),
    };
    for (name, v) in [("warn", out.warn), ("high", out.high), ("critical", out.critical)] {
        if !(0.0..=max).contains(&v) {
            return Err(at
                .err(
                    spanned,
                    &format!("{key}.{name}"),
                    if max.is_finite() {
                        format!("{v} is not a share between 0 and 1")
                    } else {
                        format!("{v} is negative")
                    },
                )
                .with_tip("write shares as fractions, e.g. 0.95 for 95 %"));
        }
    }
    let ordered = if lower_is_worse {
        out.warn >= out.high && out.high >= out.critical
    } else {
        out.warn <= out.high && out.high <= out.critical
    };
    if !ordered {
        let order = if lower_is_worse {
            "warn ≥ high ≥ critical (lower is worse)"
        } else {
            "warn ≤ high ≤ critical (higher is worse)"
        };
        return Err(at
            .err(
                spanned,
                key,
                format!(
                    "thresholds out of order: warn = {}, high = {}, critical = {}",
                    out.warn, out.high, out.critical
                ),
            )
            .with_tip(format!("order them {order}")));
    }
    Ok(out)
}

fn build_test(at: &At, index: usize, t: &model::TestSpec, segment_ids: &[&str]) -> Result<RuleTest> {
    for seg in t.expect.iter().chain(&t.undetermined) {
        if !segment_ids.contains(&seg.get_ref().as_str()) {
            return Err(at
                .err(
                    seg,
                    &format!("test[{index}] ({})", t.name),
                    format!("no segment is named {:?}", seg.get_ref()),
                )
                .with_tip(unknown(seg.get_ref(), "segment", segment_ids)));
        }
    }
    Ok(RuleTest {
        name: t.name.clone(),
        row: t.row.iter().map(|(k, v)| (k.clone(), value_text(v))).collect(),
        expect: t.expect.iter().map(|s| s.get_ref().clone()).collect(),
        undetermined: t.undetermined.iter().map(|s| s.get_ref().clone()).collect(),
    })
}
