//! `segaudit init`: reads data files and writes a commented starter spec — sources as detected,
//! the subject with a key candidate, fields with inferred types, date formats, allowed values,
//! suspected placeholders and personal-data guesses, the number conventions read (`decimal`,
//! `thousands`), commented `applies_when` and `identity` candidates, and commented criterion and
//! segment examples.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::init_guess::{looks_french, looks_personal};
use super::init_numbers::{number_readings, write_number_reading};
use super::init_propose::{self, applies_candidates};
use super::init_text::{column_in_sql, quoted, values_list, MAX_VALUES, MIN_COUNT};
use crate::base::error::{Error, Result};
use crate::base::names::fold;
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql;
use crate::engine::{Engine, RunOptions};
use crate::measure::profile::FieldProfile;
use crate::measure::profile::{self, ProfileSettings};

/// Values sampled per date column to find its formats.
const DATE_SAMPLE: usize = 5000;

/// A name as a SQL-friendly word: lower-case letters and digits, anything else `_`.
fn sql_word(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The source name `init` gives a database table: its last part, as a SQL-friendly word.
fn table_source_name(table: &str) -> String {
    let name = sql_word(table.rsplit('.').next().unwrap_or(table).trim_matches('"'));
    if name.is_empty() {
        "data".to_string()
    } else {
        name
    }
}

fn source_name(path: &Path, taken: &[String]) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| "data".into());
    let stem = file.split('.').next().unwrap_or("data");
    let mut name = sql_word(stem);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("data_{name}");
    }
    let base = name.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

fn key_candidate(fields: &[FieldProfile], rows: u64) -> Option<&FieldProfile> {
    let unique: Vec<&FieldProfile> = fields
        .iter()
        .filter(|f| rows > 0 && f.missing == 0 && f.distinct == Some(rows))
        .collect();
    let named = |f: &&&FieldProfile| {
        let n = fold(&f.name);
        n.contains("id")
            || n.contains("code")
            || n.contains("num")
            || n.contains("ref")
            || n.contains("key")
            || n.contains("cle")
    };
    unique.iter().find(named).or(unique.first()).copied()
}

/// The date formats a sample of values follows, most frequent first (each value counted once, under
/// the first format that reads it; `%d/%m/%Y` before `%m/%d/%Y`).
pub fn date_formats(values: &[String]) -> Vec<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for value in values {
        let Some(format) = crate::engine::udf::date_format_of(value.trim()) else {
            continue;
        };
        match counts.iter_mut().find(|(f, _)| *f == format) {
            Some((_, n)) => *n += 1,
            None => counts.push((format, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.into_iter().map(|(f, _)| f).collect()
}

/// A TOML key for a name: bare when it can be, quoted otherwise (`"date de naissance"`).
fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        name.to_string()
    } else {
        quoted(name)
    }
}

/// Writes the starter spec for `paths`; `spec_path` is where it will live (for relative paths).
pub async fn starter_spec(
    paths: &[PathBuf],
    table: Option<&str>,
    spec_path: Option<&Path>,
    password_env: Option<&str>,
) -> Result<String> {
    let spec_dir = spec_path.map(|p| {
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    });
    let mut names: Vec<String> = Vec::new();
    let mut blocks: Vec<String> = Vec::new();
    let mut csv: Vec<bool> = Vec::new();
    for path in paths {
        // A database URL reads the table --table names; its source is named after that table.
        let is_url = crate::spec::database::is_url(&path.to_string_lossy());
        let name = match (is_url, table) {
            (true, Some(t)) => table_source_name(t),
            _ => source_name(path, &names),
        };
        let db = crate::engine::database::UrlArgs { table, password_env };
        let lines = super::source_lines_or_url(path, spec_dir.as_deref(), db)?;
        blocks.push(format!("[source.{name}]\n{lines}"));
        csv.push(
            !is_url && path.is_file() && crate::input::sources::format_of(path) == Some(crate::spec::SourceFormat::Csv),
        );
        names.push(name);
    }
    let sources: String = blocks.iter().map(|b| format!("{b}\n")).collect();
    let subject = match table {
        Some(t) if names.iter().any(|n| n == t) => t.to_string(),
        Some(t)
            if paths
                .iter()
                .any(|p| crate::spec::database::is_url(&p.to_string_lossy())) =>
        {
            table_source_name(t)
        }
        Some(t) => {
            return Err(
                Error::new(format!("--table {t}: no data file gives a table of that name"))
                    .with_tip(format!("tables: {}", names.join(", "))),
            )
        }
        None => names.first().cloned().unwrap_or_default(),
    };

    // Profile the subject with the same machinery as `profile`, reading the sources as written above.
    let probe_text = format!("{sources}[subject]\ntable = {}\n", quoted(&subject));
    let probe_path = spec_path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("segaudit-init.toml"));
    let probe = crate::spec::parse(&probe_path, &probe_text)?;
    let engine = Engine::open(&probe, RunOptions::default()).await?;
    let profiled = profile::profile(
        &engine,
        &ProfileSettings {
            subject: &subject,
            key: None,
            top: 10,
            min_count: 1,
            usability: crate::base::risk::Thresholds::USABILITY,
        },
    )
    .await?;
    let rows = profiled.rows;

    // French only when the headers and values look French; English is the contract's default.
    let french = looks_french(&profiled.fields);
    let (title, lang_line) = if french {
        (format!("Audit de {subject}"), "lang = \"fr\"   # or \"en\"")
    } else {
        (format!("Audit of {subject}"), "lang = \"en\"   # or \"fr\"")
    };
    let readings = number_readings(&engine, &subject, &profiled.fields).await?;
    // `decimal = ","` on the subject's source when it is a CSV file and most of its columns with
    // decimals write a comma; on each field otherwise (contract §10).
    let floats = readings.iter().filter(|r| r.field_type == "float").count();
    let commas = readings
        .iter()
        .filter(|r| r.reading.as_ref().is_some_and(|n| n.mostly_comma))
        .count();
    let subject_csv = names.iter().position(|n| *n == subject).is_some_and(|i| csv[i]);
    let source_comma = subject_csv && commas > 0 && 2 * commas > floats;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Starter spec written by `segaudit init` from {} file(s).",
        paths.len()
    );
    let _ = writeln!(out, "# Edit it, then: segaudit check SPEC && segaudit audit SPEC\n");
    let _ = writeln!(out, "[audit]\ntitle = {}\n{lang_line}\n", quoted(&title));
    for (name, block) in names.iter().zip(&blocks) {
        out.push_str(block);
        if source_comma && *name == subject {
            let _ = writeln!(
                out,
                "decimal = \",\"   # {commas} of its {floats} columns with decimals write most with a comma (9,5); \".\" still reads as a decimal point"
            );
        }
        out.push('\n');
    }
    let placeholders: Vec<String> = {
        let mut all: Vec<String> = Vec::new();
        for f in &profiled.fields {
            for p in &f.suspected_placeholders {
                if !all.contains(&p.value) {
                    all.push(p.value.clone());
                }
            }
        }
        all
    };
    if !placeholders.is_empty() {
        let list: Vec<String> = placeholders.iter().map(|p| quoted(p.trim())).collect();
        let _ = writeln!(
            out,
            "# Suspected placeholders found in {subject}: uncomment in its [source] to read them as missing."
        );
        let _ = writeln!(out, "# null_tokens = [{}]\n", list.join(", "));
    }
    let _ = writeln!(out, "[subject]\ntable = {}", quoted(&subject));
    let key_field = key_candidate(&profiled.fields, rows);
    match key_field {
        Some(k) => {
            let _ = writeln!(
                out,
                "key = {}   # unique and never missing in {} rows",
                quoted(&k.name),
                rows
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# key = \"...\"   # no column is unique and complete: name the customer key"
            );
        }
    }
    // Proposed with or without a key candidate: counting needs the key the user names.
    if let Some(identity) = init_propose::identity_columns(&profiled.fields, key_field.map(|k| k.name.as_str())) {
        let list: Vec<String> = identity.iter().map(|n| quoted(n)).collect();
        let _ = writeln!(
            out,
            "# Customers registered twice under two keys: rows whose identity fields are all usable and equal\n\
             # (texts trimmed and case-folded) but whose keys differ are counted (subject.duplicate_identities).\n\
             # identity = [{}]",
            list.join(", ")
        );
    }
    let strata: Vec<&FieldProfile> = profiled
        .fields
        .iter()
        .filter(|f| {
            f.distinct.is_some_and(|d| (2..=MAX_VALUES * 3).contains(&d))
                && !looks_personal(&f.name)
                && f.observed_type.as_deref() == Some("string")
        })
        .take(3)
        .collect();
    let strata_list: Vec<String> = strata.iter().map(|f| quoted(&f.name)).collect();
    let _ = writeln!(
        out,
        "# strata = [{}]   # attributes to compare usability across\n",
        strata_list.join(", ")
    );

    let applies = applies_candidates(&engine, &subject, &profiled.fields, &readings, key_field, &placeholders).await?;
    for (i, f) in profiled.fields.iter().enumerate() {
        let _ = writeln!(out, "[field.{}]", key(&f.name));
        let observed = f.observed_type.as_deref().unwrap_or("string");
        let present = rows.saturating_sub(f.missing);
        let _ = writeln!(out, "# {} of {rows} rows present; observed type: {observed}", present);
        let numbers = &readings[i];
        if let Some(pattern) = &numbers.code {
            let _ = writeln!(
                out,
                "# a code, not a number: kept as text so leading zeros survive (08123 is not 8123)\npattern = {}",
                quoted(pattern)
            );
        } else if let Some(reading) = &numbers.reading {
            write_number_reading(&mut out, reading, source_comma);
        } else if observed != "string" {
            let _ = writeln!(out, "type = {}", quoted(observed));
        }
        if matches!(observed, "date" | "timestamp") {
            let statement = sql::sample(&subject, &f.name, DATE_SAMPLE);
            let sample = engine.query("sampling dates", &statement).await?;
            let sample = batch::named(&sample);
            let values: Vec<String> = batch::rows(&sample)
                .map(|(b, r)| batch::text(b, &Col::Sample, r))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            let formats = date_formats(&values);
            if !formats.is_empty() && observed == "date" {
                let list: Vec<String> = formats.iter().map(|x| quoted(x)).collect();
                let _ = writeln!(out, "formats = [{}]", list.join(", "));
            }
        }
        if let Some(values) = values_list(f, rows, &numbers.field_type, &placeholders) {
            let list: Vec<String> = values.iter().map(|v| quoted(v)).collect();
            let _ = writeln!(out, "values = [{}]", list.join(", "));
        }
        if looks_personal(&f.name) {
            let _ = writeln!(
                out,
                "pii = true   # the name suggests personal data: values are never shown"
            );
        }
        if let Some(a) = applies.get(i).and_then(Option::as_ref) {
            let _ = writeln!(
                out,
                "# {}: a field for some rows only?\n# applies_when = {}   # the other rows count as not_applicable",
                a.comment,
                quoted(&a.predicate)
            );
        }
        out.push('\n');
    }

    let numeric = profiled
        .fields
        .iter()
        .zip(&readings)
        .find(|(f, n)| matches!(n.field_type.as_str(), "integer" | "float") && !looks_personal(&f.name))
        .map(|(f, _)| f);
    let category = strata.first();
    let _ = writeln!(
        out,
        "# ── Criteria and segments: describe your a-priori segmentation ──────────────"
    );
    let _ = writeln!(out, "# [criterion.example]\n# family = \"behavioural\"   # socio-demographic | geographic | behavioural | value | psychographic | other");
    let _ = writeln!(
        out,
        "# fields = [{}]\n#",
        numeric.map(|f| quoted(&f.name)).unwrap_or_else(|| "\"...\"".into())
    );
    let _ = writeln!(out, "# [segment.example]\n# label = \"Example segment\"");
    if let Some(c) = category {
        let value = c
            .top_values
            .first()
            .map(|v| v.value.trim().replace('\'', "''"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "# population = {}",
            quoted(&format!("{} = '{value}'", column_in_sql(&c.name)))
        );
    }
    if let Some(n) = numeric {
        let _ = writeln!(out, "# rule = {}", quoted(&format!("{} > 0", column_in_sql(&n.name))));
    }
    let _ = writeln!(
        out,
        "#\n# [segmentation.example]\n# segments = [\"example\"]\n# exclusive = true\n# exhaustive = true\n"
    );
    let _ = writeln!(
        out,
        "# No value, stratum or group seen fewer times is named in the reports (small cells).\n[report]\nmin_count = {MIN_COUNT}\n"
    );
    let _ = writeln!(out, "[gate]\nfail_on = \"high\"");
    Ok(out)
}

/// The `[source]` lines for a data path read with no spec: CSV delimiter and encoding are sniffed.
pub fn source_lines(data: &Path, spec_dir: Option<&Path>) -> Result<String> {
    let absolute = std::path::absolute(data).unwrap_or_else(|_| data.to_path_buf());
    let shown = spec_dir
        .and_then(|dir| crate::base::fs::relative_path(&absolute, dir))
        .unwrap_or_else(|| absolute.display().to_string());
    let mut lines = format!("path = {}\n", toml::Value::String(shown));
    if data.is_file() && crate::input::sources::format_of(data) == Some(crate::spec::SourceFormat::Csv) {
        let sniffed = crate::input::detect::sniff(data)?;
        if sniffed.delimiter != b',' {
            let delimiter = if sniffed.delimiter == b'\t' {
                "\\t".to_string()
            } else {
                (sniffed.delimiter as char).to_string()
            };
            lines.push_str(&format!("delimiter = \"{delimiter}\"\n"));
        }
        if sniffed.encoding != "utf-8" {
            lines.push_str(&format!("encoding = \"{}\"   # {}\n", sniffed.encoding, sniffed.reason));
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_prefer_day_first() {
        let values: Vec<String> = ["12/03/1985", "1990-01-02", "31/12/1999", "01/02/2000"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(date_formats(&values), vec!["%d/%m/%Y", "%Y-%m-%d"]);
        assert!(looks_personal("Email_Client") && looks_personal("telephone") && !looks_personal("region"));
        assert_eq!(key("date de naissance"), "\"date de naissance\"");
    }
}
