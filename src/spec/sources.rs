//! A `[source.NAME]` table validated into a [`Source`]: files (format, CSV options, encoding) or a
//! database (contract §6). Split from `build.rs`, which calls [`build_source`] for every source.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::at::{quoted, At};
use super::model;
use super::{CsvOptions, Located, Source, SourceFormat};
use crate::base::error::{msg, Result};
use crate::base::i18n::Key;
use crate::spec::fieldsyntax::number_format;

pub(super) fn build_source(at: &At, dir: &Path, name: &str, s: &model::SourceSpec) -> Result<Source> {
    let key = |k: &str| format!("source.{name}.{k}");
    let path = match (&s.path, &s.url) {
        (Some(_), Some(url)) => {
            return Err(at
                .err(url, &key("url"), msg(Key::ErrPathAndUrl))
                .with_tip(msg(Key::ErrTipPathAndUrl)))
        }
        (None, Some(url)) => return build_database_source(at, dir, name, s, url),
        (Some(path), None) => path,
        (None, None) => {
            return Err(at
                .err_table(&format!("source.{name}"), msg(Key::ErrNoPathNorUrl))
                .with_tip(msg(Key::ErrTipNoPathNorUrl)))
        }
    };
    for (value, k) in [
        (&s.table, "table"),
        (&s.query, "query"),
        (&s.password_env, "password_env"),
    ] {
        if let Some(v) = value {
            return Err(at
                .err(v, &key(k), msg(Key::ErrDatabaseKeyOnFiles))
                .with_tip(msg(Key::ErrTipDatabaseKeyOnFiles).arg("key", k)));
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
                    .err(
                        f,
                        &key("format"),
                        msg(Key::ErrUnknownFormat).arg("value", quoted(other)),
                    )
                    .with_tip(msg(Key::ErrTipFormat)))
            }
        }),
    };
    let single_byte = |value: &Option<Spanned<String>>, k: &str, default: u8| -> Result<u8> {
        let Some(v) = value else { return Ok(default) };
        match v.get_ref().as_str() {
            "\\t" | "tab" | "\t" => Ok(b'\t'),
            text if text.len() == 1 => Ok(text.as_bytes()[0]),
            text => Err(at
                .err(v, &key(k), msg(Key::ErrNotOneCharacter).arg("value", quoted(text)))
                .with_tip(msg(Key::ErrTipOneCharacter).arg("key", k))),
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
            at.err(
                e,
                &key("encoding"),
                msg(Key::ErrUnknownEncoding).arg("value", quoted(e.get_ref())),
            )
            .with_tip(msg(Key::ErrTipEncoding))
        })?,
    };
    let fail_on_bad_rows = match &s.on_bad_rows {
        None => false,
        Some(v) => match v.get_ref().as_str() {
            "report" => false,
            "fail" => true,
            other => {
                return Err(at
                    .err(
                        v,
                        &key("on_bad_rows"),
                        msg(Key::ErrUnknownValue).arg("value", quoted(other)),
                    )
                    .with_tip(msg(Key::ErrTipOnBadRows)))
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
                .err(v, &key(k), msg(Key::ErrFileKeyOnDatabase))
                .with_tip(msg(Key::ErrTipFileKeyOnDatabase).arg("key", k)));
        }
    }
    // Never echo the URL itself: it may carry the password being refused.
    let (target, shown) = parse_url(url.get_ref(), dir)
        .map_err(|problem| at.err(url, &key("url"), problem.text()).with_tip(problem.tip()))?;
    let relation = match (&s.table, &s.query) {
        (Some(_), Some(q)) => {
            return Err(at
                .err(q, &key("query"), msg(Key::ErrTableAndQuery))
                .with_tip(msg(Key::ErrTipTableAndQuery)))
        }
        (Some(t), None) if !t.get_ref().trim().is_empty() => Relation::Table(t.get_ref().trim().to_string()),
        (None, Some(q)) => {
            super::ensure_select(q.get_ref())
                .map_err(|why| at.err(q, &key("query"), why).with_tip(msg(Key::ErrTipOneSelect)))?;
            Relation::Query(q.get_ref().clone())
        }
        _ => {
            return Err(at
                .err(url, &key("table"), msg(Key::ErrNoTableNorQuery))
                .with_tip(msg(Key::ErrTipNoTableNorQuery)))
        }
    };
    let password_env = match &s.password_env {
        Some(v) if v.get_ref().trim().is_empty() || v.get_ref().contains(['=', ' ']) => {
            return Err(at
                .err(v, &key("password_env"), msg(Key::ErrNotEnvName))
                .with_tip(msg(Key::ErrTipNotEnvName)))
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
