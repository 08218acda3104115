//! Reads one delimited text file as it comes (gzip, any encoding, ragged rows) into an Arrow IPC stream
//! of text columns, streaming, so DataFusion scans clean UTF-8 and every bad row is counted, not fatal.
//! The stream format, not the IPC file format: DataFusion 55 reads a byte range of an IPC file all at
//! once (10M rows: +1.8 GiB of memory), and a stream batch by batch.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;
use sha2::{Digest, Sha256};

use crate::base::error::{Error, Result};
use crate::spec::CsvOptions;

const BATCH_ROWS: usize = 8192;
/// How many bad line numbers a report lists; the count is always exact.
pub const BAD_LINES_KEPT: usize = 20;

/// Whether the file's last record holds a value with line breaks and delimiters in it: the sign of
/// a quote opened and never closed, which makes the reader take the rest of the file as one value.
fn swallowed_lines(last: &csv::ByteRecord, delimiter: u8) -> bool {
    let slice = last.as_slice();
    slice.iter().any(|b| matches!(b, b'\n' | b'\r'))
        && last
            .iter()
            .any(|field| field.iter().any(|b| matches!(b, b'\n' | b'\r')) && field.contains(&delimiter))
}

/// What reading one file found.
#[derive(Debug, Clone)]
pub struct PreparedCsv {
    /// The IPC streams the rows were dealt into, batch by batch (at least one).
    pub ipc_paths: Vec<PathBuf>,
    pub header: Vec<String>,
    pub rows: u64,
    pub bad_rows: u64,
    pub bad_lines: Vec<u64>,
    /// The line of a quote never closed: the rest of the file was read as one value.
    pub unclosed_quote: Option<u64>,
    pub renamed_columns: Vec<String>,
    pub sha256: String,
    pub bytes: u64,
}

/// Feeds every byte read from the file into a hash, so the report can name the exact input.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn is_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Converts `path` into IPC streams at `out_paths` (at least one), its batches dealt in turn.
pub fn prepare(
    path: &Path,
    options: &CsvOptions,
    null_tokens: &[String],
    out_paths: &[PathBuf],
    header_only: bool,
) -> Result<PreparedCsv> {
    let file = File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut hashing = HashingReader {
        inner: BufReader::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let result = {
        let raw: Box<dyn Read + '_> = if is_gzip(path) {
            Box::new(flate2::read::MultiGzDecoder::new(&mut hashing))
        } else {
            Box::new(&mut hashing)
        };
        convert(path, raw, options, null_tokens, out_paths, header_only)
    };
    let mut prepared = result?;
    if header_only {
        return Ok(prepared);
    }
    // Hash whatever the reader left unread, so the digest covers the whole file.
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| Error::io(path, &e))?;
    prepared.sha256 = format!("{:x}", hashing.hasher.finalize());
    prepared.bytes = hashing.bytes;
    Ok(prepared)
}

fn decoded_reader<'a>(path: &Path, mut raw: Box<dyn Read + 'a>, options: &CsvOptions) -> Result<Box<dyn Read + 'a>> {
    let mut head = Vec::new();
    (&mut raw)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| read_error(path, &e))?;
    let head_reader = std::io::Cursor::new(head.clone()).chain(raw);
    if options.encoding != encoding_rs::UTF_8 {
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(options.encoding))
            .bom_override(true)
            .strip_bom(true)
            .build(head_reader);
        return Ok(Box::new(decoder));
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let label = if head[0] == 0xFF { "utf-16le" } else { "utf-16be" };
        return Err(Error::new(format!(
            "{}: the file starts with a UTF-16 byte-order mark but is read as UTF-8",
            path.display()
        ))
        .with_tip(format!("set encoding = \"{label}\" in this [source]")));
    }
    // UTF-16 without a byte-order mark: ASCII text shows a NUL byte beside every character.
    if let [a, b, c, d] = head[..] {
        let utf16 = match (a == 0, b == 0, c == 0, d == 0) {
            (true, false, true, false) => Some("utf-16be"),
            (false, true, false, true) => Some("utf-16le"),
            _ => None,
        };
        if let Some(label) = utf16 {
            return Err(Error::new(format!(
                "{}: the file looks like {label} (a NUL byte beside every character) but is read as UTF-8",
                path.display()
            ))
            .with_tip(format!("set encoding = \"{label}\" in this [source]")));
        }
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        let mut reader = head_reader;
        let mut bom = [0u8; 3];
        reader.read_exact(&mut bom).map_err(|e| read_error(path, &e))?;
        return Ok(Box::new(reader));
    }
    Ok(Box::new(head_reader))
}

fn read_error(path: &Path, err: &std::io::Error) -> Error {
    Error::new(format!("{}: cannot read: {err}", path.display()))
        .with_tip("the file may be truncated or not what its extension says (a gzip file must end in .gz)")
}

fn convert(
    path: &Path,
    raw: Box<dyn Read + '_>,
    options: &CsvOptions,
    null_tokens: &[String],
    out_paths: &[PathBuf],
    header_only: bool,
) -> Result<PreparedCsv> {
    let utf8_source = options.encoding == encoding_rs::UTF_8;
    let reader = decoded_reader(path, raw, options)?;
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .quote(options.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let csv_error = |e: csv::Error| -> Error {
        match e.kind() {
            csv::ErrorKind::Io(io) => read_error(path, io),
            _ => Error::new(format!("{}: {e}", path.display()))
                .with_tip("check the delimiter and quote settings of this [source]"),
        }
    };
    let has_first = csv_reader.read_byte_record(&mut record).map_err(csv_error)?;
    if !has_first {
        return Err(
            Error::new(format!("{}: the file is empty (no header line)", path.display())).with_tip(
                "export the file again with its header line, or point the source at the files that have data",
            ),
        );
    }
    let (header, renamed_columns) = if options.header {
        let names = record
            .iter()
            .enumerate()
            .map(|(i, f)| utf8_field(path, &record, i, f, utf8_source).map(str::to_string))
            .collect::<Result<Vec<_>>>()?;
        unique_names(names)
    } else {
        ((1..=record.len()).map(|i| format!("column_{i}")).collect(), Vec::new())
    };
    let schema: SchemaRef = Arc::new(Schema::new(
        header
            .iter()
            .map(|n| Field::new(n, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let mut shards = Shards::create(out_paths, &schema)?;
    let mut prepared = PreparedCsv {
        ipc_paths: out_paths.to_vec(),
        header: header.clone(),
        rows: 0,
        bad_rows: 0,
        bad_lines: Vec::new(),
        unclosed_quote: None,
        renamed_columns,
        sha256: String::new(),
        bytes: 0,
    };
    let width = header.len();
    let mut builders: Vec<StringBuilder> = (0..width)
        .map(|_| StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8))
        .collect();
    let mut pending = 0usize;
    let mut first_is_data = !options.header;
    let mut last_swallowed = None;
    loop {
        if header_only {
            break;
        }
        if !first_is_data {
            match csv_reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(e)),
            }
        }
        first_is_data = false;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != width {
            if options.fail_on_bad_rows {
                return Err(Error::new(format!(
                    "{}:{line}: expected {width} fields, found {}",
                    path.display(),
                    record.len()
                ))
                .with_tip("fix the row, or set on_bad_rows = \"report\" to count malformed rows and go on"));
            }
            prepared.bad_rows += 1;
            if prepared.bad_lines.len() < BAD_LINES_KEPT {
                prepared.bad_lines.push(line);
            }
        }
        for (i, builder) in builders.iter_mut().enumerate() {
            match record.get(i) {
                None => builder.append_null(),
                Some(bytes) => {
                    let text = utf8_field(path, &record, i, bytes, utf8_source)?;
                    let trimmed = text.trim();
                    if null_tokens.iter().any(|t| t == trimmed) {
                        builder.append_null();
                    } else {
                        builder.append_value(text);
                    }
                }
            }
        }
        // Kept for the last record only: the reader has reached the end of the file after it.
        last_swallowed = swallowed_lines(&record, options.delimiter).then_some(line);
        prepared.rows += 1;
        pending += 1;
        if pending == BATCH_ROWS {
            shards.write(&schema, &mut builders)?;
            pending = 0;
        }
    }
    prepared.unclosed_quote = last_swallowed;
    if pending > 0 {
        shards.write(&schema, &mut builders)?;
    }
    shards.finish()?;
    Ok(prepared)
}

/// The IPC streams one CSV file is written to, batches dealt in turn: DataFusion reads one stream per
/// core, with no repartition behind a single reader (whose buffers grow without bound when the
/// reader outpaces the aggregation: 1.1 GB at 10M rows).
struct Shards {
    writers: Vec<(PathBuf, StreamWriter<BufWriter<File>>)>,
    next: usize,
}

impl Shards {
    fn create(paths: &[PathBuf], schema: &SchemaRef) -> Result<Self> {
        let writers = paths
            .iter()
            .map(|path| {
                let out = File::create(path).map_err(|e| Error::io(path, &e))?;
                let writer =
                    StreamWriter::try_new(BufWriter::new(out), schema).map_err(|e| Error::engine(path.display(), e))?;
                Ok((path.clone(), writer))
            })
            .collect::<Result<Vec<_>>>()?;
        if writers.is_empty() {
            return Err(Error::new("no output for the prepared CSV"));
        }
        Ok(Self { writers, next: 0 })
    }

    fn write(&mut self, schema: &SchemaRef, builders: &mut [StringBuilder]) -> Result<()> {
        let count = self.writers.len();
        let Some((path, writer)) = self.writers.get_mut(self.next % count) else {
            return Err(Error::new("no output for the prepared CSV"));
        };
        self.next += 1;
        let columns: Vec<ArrayRef> = builders.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::engine(path.display(), e))?;
        writer.write(&batch).map_err(|e| Error::engine(path.display(), e))
    }

    fn finish(self) -> Result<()> {
        for (path, mut writer) in self.writers {
            writer.finish().map_err(|e| Error::engine(path.display(), e))?;
        }
        Ok(())
    }
}

fn utf8_field<'r>(
    path: &Path,
    record: &csv::ByteRecord,
    index: usize,
    bytes: &'r [u8],
    utf8_source: bool,
) -> Result<&'r str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let start = record.position().map_or(0, |p| p.byte());
        let within = record.range(index).map_or(0, |r| r.start);
        let line = record.position().map_or(0, |p| p.line());
        // The record buffer holds no delimiters: add one per field before this one.
        let offset = start + (within + index + e.valid_up_to()) as u64;
        let tip = if utf8_source {
            "the file is not UTF-8: set encoding = \"windows-1252\" (or its real encoding) in this [source]"
        } else {
            "the decoder produced invalid text; check the source's encoding"
        };
        Error::new(format!(
            "{}:{line}: invalid UTF-8 at byte offset {offset}",
            path.display()
        ))
        .with_tip(tip)
    })
}

/// Empty header names become `column_N`; repeated ones get a `_2`, `_3` suffix.
fn unique_names(names: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    let mut renamed = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let base = if name.trim().is_empty() {
            format!("column_{}", i + 1)
        } else {
            name.clone()
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while out.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        if candidate != name {
            renamed.push(format!("{:?} → {candidate:?}", name));
        }
        out.push(candidate);
    }
    (out, renamed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_made_unique() {
        let (names, renamed) = unique_names(vec!["a".into(), "".into(), "a".into()]);
        assert_eq!(names, vec!["a", "column_2", "a_2"]);
        assert_eq!(renamed.len(), 2);
    }
}
