//! Finds a source's files (file, directory or glob), reads them, and registers each source as a table.

use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::file_format::options::{ArrowReadOptions, JsonReadOptions};
use datafusion::logical_expr::Expr;
use datafusion::prelude::{col, DataFrame, ParquetReadOptions, SessionContext};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::input::csv_prep::{self, PreparedCsv};
use crate::spec::{CsvOptions, SourceFormat};

/// One input file as the report names it.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub path: String,
    pub bytes: u64,
    pub rows: Option<u64>,
    pub sha256: String,
}

/// What registering a source found.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub name: String,
    pub format: &'static str,
    pub files: Vec<FileInfo>,
    pub rows: Option<u64>,
    pub bad_rows: u64,
    pub bad_lines: Vec<String>,
    /// `file:line` of a quote never closed (the rest of that file was read as one value).
    pub unclosed_quotes: Vec<String>,
    pub renamed_columns: Vec<String>,
    /// Rows of CSV files read as UTF-8 that hold bytes that are not UTF-8 (read with U+FFFD in
    /// their place), and `file:line` of the first one in each such file.
    pub undecodable_rows: u64,
    pub undecodable_lines: Vec<String>,
    /// A database source's URL, without credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A source to read: where it is and how.
pub struct SourceRequest<'a> {
    pub name: &'a str,
    pub path: &'a Path,
    /// How the path was written, for messages.
    pub shown: &'a str,
    pub format: Option<SourceFormat>,
    pub csv: &'a CsvOptions,
    pub null_tokens: &'a [String],
    /// Read only what gives the schema (CSV headers), for `check`.
    pub schema_only: bool,
}

pub fn format_of(path: &Path) -> Option<SourceFormat> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit('.').next()?;
    match ext {
        "csv" | "tsv" | "txt" | "tab" => Some(SourceFormat::Csv),
        "parquet" | "pq" => Some(SourceFormat::Parquet),
        "json" | "jsonl" | "ndjson" => Some(SourceFormat::Json),
        _ => None,
    }
}

fn format_name(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Csv => "csv",
        SourceFormat::Parquet => "parquet",
        SourceFormat::Json => "ndjson",
    }
}

/// The files a source path names, sorted, and their common format.
pub fn resolve(request: &SourceRequest) -> Result<(Vec<PathBuf>, SourceFormat)> {
    let path = request.path;
    let text = path.to_string_lossy();
    let mut files: Vec<PathBuf> = if text.contains(['*', '?', '[']) {
        let paths = glob::glob(&text).map_err(|e| {
            Error::new(
                msg(Key::ErrBadGlob)
                    .arg("name", request.name)
                    .arg("value", format!("{:?}", request.shown))
                    .arg("why", e),
            )
            .with_tip(msg(Key::ErrTipBadGlob))
        })?;
        paths.filter_map(|p| p.ok()).filter(|p| p.is_file()).collect()
    } else if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, &e))?;
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && format_of(p).is_some())
            .collect()
    } else if path.exists() {
        vec![path.to_path_buf()]
    } else {
        return Err(Error::new(
            msg(Key::ErrSourceMissingFile)
                .arg("name", request.name)
                .arg("path", path.display()),
        )
        .with_tip(msg(Key::ErrTipSourceMissingFile)));
    };
    files.sort();
    let Some(first) = files.first() else {
        return Err(Error::new(
            msg(Key::ErrSourceNoMatch)
                .arg("name", request.name)
                .arg("value", format!("{:?}", request.shown)),
        )
        .with_tip(msg(Key::ErrTipSourceNoMatch)));
    };
    let format = match request.format.or_else(|| format_of(first)) {
        Some(f) => f,
        None => {
            return Err(Error::new(
                msg(Key::ErrUnknownFileFormat)
                    .arg("name", request.name)
                    .arg("path", first.display()),
            )
            .with_tip(msg(Key::ErrTipUnknownFileFormat)))
        }
    };
    if request.format.is_none() {
        if let Some(other) = files.iter().find(|f| format_of(f) != Some(format)) {
            return Err(Error::new(
                msg(Key::ErrMixedFormats)
                    .arg("name", request.name)
                    .arg("other", other.display())
                    .arg("format", format_name(format))
                    .arg("first", first.display()),
            )
            .with_tip(msg(Key::ErrTipMixedFormats)));
        }
    }
    Ok((files, format))
}

/// Registers the source as table `request.name`, reading its files.
pub async fn register(ctx: &SessionContext, request: &SourceRequest<'_>, scratch: &Path) -> Result<SourceInfo> {
    let (files, format) = resolve(request)?;
    let mut info = SourceInfo {
        name: request.name.to_string(),
        format: format_name(format),
        files: Vec::new(),
        rows: None,
        bad_rows: 0,
        bad_lines: Vec::new(),
        unclosed_quotes: Vec::new(),
        renamed_columns: Vec::new(),
        undecodable_rows: 0,
        undecodable_lines: Vec::new(),
        url: None,
    };
    let engine_err = |e| {
        Error::engine(format!("source `{}` ({})", request.name, request.path.display()), e)
            .with_tip(msg(Key::ErrTipSourceEngine))
    };
    let frame = match format {
        SourceFormat::Csv => {
            let prepared = prepare_csv_files(request, &files, scratch, ctx.copied_config().target_partitions())?;
            let mut total = 0;
            for (file, p) in files.iter().zip(&prepared) {
                total += p.rows;
                info.bad_rows += p.bad_rows;
                info.bad_lines
                    .extend(p.bad_lines.iter().map(|l| format!("{}:{l}", file.display())));
                info.renamed_columns.extend(p.renamed_columns.iter().cloned());
                info.unclosed_quotes
                    .extend(p.unclosed_quote.map(|l| format!("{}:{l}", file.display())));
                info.undecodable_rows += p.undecodable_rows;
                info.undecodable_lines
                    .extend(p.first_undecodable.map(|l| format!("{}:{l}", file.display())));
                info.files.push(FileInfo {
                    path: file.display().to_string(),
                    bytes: p.bytes,
                    rows: Some(p.rows),
                    sha256: p.sha256.clone(),
                });
            }
            info.bad_lines.truncate(csv_prep::BAD_LINES_KEPT);
            info.rows = Some(total);
            let ipc: Vec<String> = prepared
                .iter()
                .flat_map(|p| p.ipc_paths.iter().map(|path| path.display().to_string()))
                .collect();
            ctx.read_arrow(
                ipc,
                ArrowReadOptions {
                    file_extension: ".arrow",
                    ..Default::default()
                },
            )
            .await
            .map_err(engine_err)?
        }
        SourceFormat::Parquet | SourceFormat::Json => {
            if !request.schema_only {
                for file in &files {
                    info.files.push(hash_file(file)?);
                }
            }
            let urls: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            let ext = files
                .first()
                .and_then(|f| f.extension())
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            if format == SourceFormat::Parquet {
                ctx.read_parquet(
                    urls,
                    ParquetReadOptions {
                        file_extension: &ext,
                        ..Default::default()
                    },
                )
                .await
                .map_err(engine_err)?
            } else {
                ctx.read_json(
                    urls,
                    JsonReadOptions {
                        file_extension: &ext,
                        ..Default::default()
                    },
                )
                .await
                .map_err(engine_err)?
            }
        }
    };
    let frame = if format != SourceFormat::Csv && !request.null_tokens.is_empty() {
        apply_null_tokens(frame, request.name, request.null_tokens)?
    } else {
        frame
    };
    ctx.register_table(request.name, frame.into_view())
        .map_err(engine_err)?;
    Ok(info)
}

fn prepare_csv_files(
    request: &SourceRequest,
    files: &[PathBuf],
    scratch: &Path,
    shards: usize,
) -> Result<Vec<PreparedCsv>> {
    // One stream per core; a schema-only read needs one.
    let shards = if request.schema_only { 1 } else { shards.max(1) };
    let mut prepared: Vec<PreparedCsv> = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let outs: Vec<PathBuf> = (0..shards)
            .map(|shard| scratch.join(format!("{}-{i}-{shard}.arrow", sanitize(request.name))))
            .collect();
        let p = csv_prep::prepare(file, request.csv, request.null_tokens, &outs, request.schema_only)?;
        if let Some(first) = prepared.first() {
            if first.header != p.header {
                return Err(Error::new(
                    msg(Key::ErrHeadersDiffer)
                        .arg("name", request.name)
                        .arg("file", file.display())
                        .arg("columns", p.header.join(", "))
                        .arg("first", files[0].display())
                        .arg("first_columns", first.header.join(", ")),
                )
                .with_tip(msg(Key::ErrTipHeadersDiffer)));
            }
        }
        prepared.push(p);
    }
    Ok(prepared)
}

/// Text columns of typed sources: a value equal (trimmed) to a null token becomes NULL.
pub fn apply_null_tokens(frame: DataFrame, name: &str, null_tokens: &[String]) -> Result<DataFrame> {
    let tokens = std::sync::Arc::new(null_tokens.to_vec());
    let nulls = super::null_tokens::udf(&format!("segaudit_nulls_{}", sanitize(name)), tokens);
    let columns: Vec<Expr> = frame
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let column = col(datafusion::common::Column::new_unqualified(f.name()));
            if matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
                nulls.call(vec![column]).alias(f.name())
            } else {
                column
            }
        })
        .collect();
    frame
        .select(columns)
        .map_err(|e| Error::engine(format!("source `{name}`"), e))
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn hash_file(path: &Path) -> Result<FileInfo> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, &e))?;
    Ok(FileInfo {
        path: path.display().to_string(),
        bytes,
        rows: None,
        sha256: format!("{:x}", hasher.finalize()),
    })
}
