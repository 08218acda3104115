//! Reads one delimited text file as it comes (gzip, any encoding, ragged rows) into Arrow IPC streams
//! of text columns, streaming, so DataFusion scans clean UTF-8 and every bad row is counted, not fatal.
//! The stream format, not the IPC file format: DataFusion 55 reads a byte range of an IPC file all at
//! once (10M rows: +1.8 GiB of memory), and a stream batch by batch.
//!
//! Decoding uses every core: this thread reads and cuts the text into chunks of whole records
//! (`csv_split`), another hashes the file's bytes (`digest`), and one worker per stream parses the
//! chunks (`csv_rows`); the counts and line numbers are the file's, whatever chunk a record fell in.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
pub use crate::input::csv_rows::BAD_LINES_KEPT;
use crate::input::csv_rows::{ChunkRows, RowsFormat, Shard};
use crate::input::csv_split::{Chunk, Chunker};
use crate::input::digest::read_hashed;
use crate::spec::CsvOptions;

/// Text handed to a worker at a time: large enough that a chunk's own cost (a csv reader, a decoded
/// copy) is noise, small enough that the few in flight keep memory bounded whatever the file's size.
const CHUNK_BYTES: usize = 4 << 20;

/// What reading one file found.
#[derive(Debug, Clone)]
pub struct PreparedCsv {
    /// The IPC streams the rows were written to, one per worker (at least one).
    pub ipc_paths: Vec<PathBuf>,
    pub header: Vec<String>,
    pub rows: u64,
    pub bad_rows: u64,
    pub bad_lines: Vec<u64>,
    /// The line of a quote never closed: the rest of the file was read as one value.
    pub unclosed_quote: Option<u64>,
    pub renamed_columns: Vec<String>,
    /// Rows holding bytes that are not UTF-8 in a file read as UTF-8, and the first one's line.
    pub undecodable_rows: u64,
    pub first_undecodable: Option<u64>,
    pub sha256: String,
    pub bytes: u64,
}

fn is_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Converts `path` into IPC streams at `out_paths` (at least one), one per worker thread.
pub fn prepare(
    path: &Path,
    options: &CsvOptions,
    null_tokens: &[String],
    out_paths: &[PathBuf],
    header_only: bool,
) -> Result<PreparedCsv> {
    let output = Output {
        paths: out_paths,
        header_only,
        chunk_bytes: CHUNK_BYTES,
    };
    prepare_to(path, options, null_tokens, &output)
}

/// Where and how a file is prepared.
struct Output<'a> {
    paths: &'a [PathBuf],
    header_only: bool,
    /// `CHUNK_BYTES`, or a few bytes in the tests, to put chunk boundaries everywhere.
    chunk_bytes: usize,
}

fn prepare_to(path: &Path, options: &CsvOptions, null_tokens: &[String], output: &Output) -> Result<PreparedCsv> {
    let (mut prepared, digest) = read_hashed(path, !output.header_only, |file| {
        let raw: Box<dyn Read + '_> = if is_gzip(path) {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        convert(path, raw, options, null_tokens, output)
    })?;
    if let Some(digest) = digest {
        prepared.sha256 = digest.sha256;
        prepared.bytes = digest.bytes;
    }
    Ok(prepared)
}

/// The text to cut into chunks, and the encoding the workers still decode it from (`None`: it is
/// UTF-8 already).
type TextStream<'a> = (Box<dyn Read + 'a>, Option<&'static encoding_rs::Encoding>);

fn decoded_reader<'a>(path: &Path, mut raw: Box<dyn Read + 'a>, options: &CsvOptions) -> Result<TextStream<'a>> {
    let mut head = Vec::new();
    (&mut raw)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| read_error(path, &e))?;
    let head_reader = std::io::Cursor::new(head.clone()).chain(raw);
    if options.encoding != encoding_rs::UTF_8 {
        if decoded_by_workers(options, &head) {
            return Ok((Box::new(head_reader), Some(options.encoding)));
        }
        // Here a line break byte can sit inside a character (UTF-16): decoded before it is cut.
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(options.encoding))
            .bom_override(true)
            .strip_bom(true)
            .build(head_reader);
        return Ok((Box::new(decoder), None));
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let label = if head[0] == 0xFF { "utf-16le" } else { "utf-16be" };
        return Err(Error::new(msg(Key::ErrUtf16Bom).arg("path", path.display()))
            .with_tip(msg(Key::ErrTipSetEncoding).arg("label", label)));
    }
    // UTF-16 without a byte-order mark: ASCII text shows a NUL byte beside every character.
    if let [a, b, c, d] = head[..] {
        let utf16 = match (a == 0, b == 0, c == 0, d == 0) {
            (true, false, true, false) => Some("utf-16be"),
            (false, true, false, true) => Some("utf-16le"),
            _ => None,
        };
        if let Some(label) = utf16 {
            return Err(
                Error::new(msg(Key::ErrUtf16Nul).arg("path", path.display()).arg("label", label))
                    .with_tip(msg(Key::ErrTipSetEncoding).arg("label", label)),
            );
        }
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        let mut reader = head_reader;
        let mut bom = [0u8; 3];
        reader.read_exact(&mut bom).map_err(|e| read_error(path, &e))?;
        return Ok((Box::new(reader), None));
    }
    Ok((Box::new(head_reader), None))
}

/// Whether the workers can decode their chunks themselves: a single-byte encoding that keeps ASCII
/// as it is puts the delimiter, quote and line breaks (ASCII) at the same bytes before and after
/// decoding, and decodes a chunk as it decodes the whole file. A byte-order mark makes the decoder
/// read the file in the mark's encoding instead (`bom_override`): that file is decoded before it is cut.
fn decoded_by_workers(options: &CsvOptions, head: &[u8]) -> bool {
    let encoding = options.encoding;
    encoding.is_single_byte()
        && encoding.is_ascii_compatible()
        && options.delimiter.is_ascii()
        && options.quote.is_ascii()
        && encoding_rs::Encoding::for_bom(head).is_none()
}

fn read_error(path: &Path, err: &std::io::Error) -> Error {
    Error::new(msg(Key::ErrCannotRead).arg("path", path.display()).arg("why", err)).with_tip(msg(Key::ErrTipCannotRead))
}

fn convert(
    path: &Path,
    raw: Box<dyn Read + '_>,
    options: &CsvOptions,
    null_tokens: &[String],
    output: &Output,
) -> Result<PreparedCsv> {
    let (text, decode) = decoded_reader(path, raw, options)?;
    // A decoder's output, read whole by the csv crate before issue 18 (see `RowsFormat::strips_bom`).
    let strips_bom = options.encoding != encoding_rs::UTF_8 && decode.is_none();
    let mut chunker = Chunker::new(text, options.delimiter, options.quote, output.chunk_bytes, strips_bom);
    let mut format = RowsFormat {
        path,
        delimiter: options.delimiter,
        quote: options.quote,
        decode,
        utf8_source: options.encoding == encoding_rs::UTF_8,
        null_tokens,
        fail_on_bad_rows: options.fail_on_bad_rows,
        header: options.header,
        strips_bom,
        width: 0,
    };
    let first = chunker.next_chunk().map_err(|e| read_error(path, &e))?;
    let header = match &first {
        Some(chunk) => header_of(&format, options, chunk)?,
        None => None,
    };
    let (Some(first), Some((header, renamed_columns))) = (first, header) else {
        return Err(Error::new(msg(Key::ErrEmptyFile).arg("path", path.display())).with_tip(msg(Key::ErrTipEmptyFile)));
    };
    format.width = header.len();
    let schema: SchemaRef = Arc::new(Schema::new(
        header
            .iter()
            .map(|n| Field::new(n, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let shards = output
        .paths
        .iter()
        .map(|p| Shard::create(p, &schema))
        .collect::<Result<Vec<_>>>()?;
    if shards.is_empty() {
        return Err(Error::new(msg(Key::ErrNoPreparedOutput)));
    }
    let mut prepared = PreparedCsv {
        ipc_paths: output.paths.to_vec(),
        header,
        rows: 0,
        bad_rows: 0,
        bad_lines: Vec::new(),
        unclosed_quote: None,
        renamed_columns,
        undecodable_rows: 0,
        first_undecodable: None,
        sha256: String::new(),
        bytes: 0,
    };
    if output.header_only {
        shards.into_iter().try_for_each(Shard::finish)?;
        return Ok(prepared);
    }
    let chunks = parse_in_parallel(&format, first, &mut chunker, shards)?;
    tally(&mut prepared, &chunks, chunker.ended_in_quote());
    Ok(prepared)
}

/// The header and the columns it renamed, from the first record of the first chunk; `None` when
/// the chunk holds no record (blank lines only).
fn header_of(format: &RowsFormat, options: &CsvOptions, chunk: &Chunk) -> Result<Option<(Vec<String>, Vec<String>)>> {
    let text = format.text(chunk);
    let mut reader = format.reader(chunk, &text);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(|e| format.csv_error(&e))? {
        return Ok(None);
    }
    if record.len() == 1 {
        let first = format.field(chunk, &record, 0)?.unwrap_or_default();
        if let Some((better, columns)) = splitting_delimiter(first, options.delimiter) {
            return Err(one_column_error(format.path, first, options.delimiter, better, columns));
        }
    }
    if !options.header {
        return Ok(Some((
            (1..=record.len()).map(|i| format!("column_{i}")).collect(),
            Vec::new(),
        )));
    }
    let names = (0..record.len())
        .map(|i| Ok(format.field(chunk, &record, i)?.unwrap_or_default().to_string()))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(unique_names(names)))
}

/// The common delimiter that splits a first line read as one column, and into how many columns:
/// the sign that the file is not written with `delimiter`. The most columns wins.
fn splitting_delimiter(first: &str, delimiter: u8) -> Option<(u8, usize)> {
    [b';', b',', b'\t', b'|']
        .into_iter()
        .filter(|c| *c != delimiter)
        .map(|c| (c, first.split(char::from(c)).count()))
        .filter(|(_, columns)| *columns > 1)
        .max_by_key(|(_, columns)| *columns)
}

/// A delimiter as a spec writes it: `"\t"` for a tab.
fn written(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "\"\\t\"".to_string(),
        other => format!("\"{}\"", char::from(other)),
    }
}

fn one_column_error(path: &Path, first: &str, delimiter: u8, better: u8, columns: usize) -> Error {
    // A long header is shown by its start: enough to recognise it.
    let shown: String = first.chars().take(60).collect();
    let shown = if shown.len() < first.len() {
        format!("{shown}…")
    } else {
        shown
    };
    Error::new(
        msg(Key::ErrOneColumnHeader)
            .arg("path", path.display())
            .arg("header", shown)
            .arg("delimiter", written(delimiter))
            .arg("better", written(better))
            .arg("n", columns),
    )
    .with_tip(msg(Key::ErrTipOneColumnHeader).arg("better", written(better)))
}

/// What the chunks held, added up in file order.
fn tally(prepared: &mut PreparedCsv, chunks: &[ChunkRows], ended_in_quote: bool) {
    for chunk in chunks {
        prepared.rows += chunk.rows;
        prepared.bad_rows += chunk.bad_rows;
        let room = BAD_LINES_KEPT.saturating_sub(prepared.bad_lines.len());
        prepared.bad_lines.extend(chunk.bad_lines.iter().take(room));
        prepared.undecodable_rows += chunk.undecodable_rows;
        prepared.first_undecodable = prepared.first_undecodable.or(chunk.first_undecodable);
    }
    // Only the file's last record can have swallowed the rest of the file, or been cut inside a quote.
    let last = chunks.iter().rev().find(|c| c.rows > 0);
    prepared.unclosed_quote = last.and_then(|c| c.last_swallowed.or(c.last_line.filter(|_| ended_in_quote)));
}

/// A failure, and the chunk it was met in: the first in file order is the one a single reader meets.
type Failure = (u64, Error);

/// What a thread of `parse_in_parallel` ends with.
#[derive(Default)]
struct Outcome {
    chunks: Vec<ChunkRows>,
    failure: Option<Failure>,
}

impl Outcome {
    fn fail(&mut self, index: u64, error: Error) {
        if self.failure.as_ref().is_none_or(|(first, _)| index < *first) {
            self.failure = Some((index, error));
        }
    }
}

/// Feeds the chunks, `first` then the chunker's, to one worker per shard through a bounded queue
/// (a few chunks in flight: memory stays bounded), and returns what every chunk held, in file order.
fn parse_in_parallel<R: Read>(
    format: &RowsFormat,
    first: Chunk,
    chunker: &mut Chunker<R>,
    shards: Vec<Shard>,
) -> Result<Vec<ChunkRows>> {
    // The first chunk index that failed: later chunks cannot change the outcome and are skipped.
    let failed_at = AtomicU64::new(u64::MAX);
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Chunk>(shards.len());
    // Shared by the workers only: when they have all stopped, sending fails instead of blocking.
    let receiver = Arc::new(Mutex::new(receiver));
    let outcomes = std::thread::scope(|scope| {
        let mut read = Outcome::default();
        let mut workers = Vec::new();
        for (i, shard) in shards.into_iter().enumerate() {
            let receiver = Arc::clone(&receiver);
            let failed_at = &failed_at;
            let spawned = std::thread::Builder::new()
                .name(format!("segaudit-csv-{i}"))
                .spawn_scoped(scope, move || work(format, shard, &receiver, failed_at));
            match spawned {
                Ok(worker) => workers.push(worker),
                Err(e) => {
                    // Its stream would miss rows: nothing more is read.
                    failed_at.store(0, Ordering::Relaxed);
                    read.fail(0, Error::new(msg(Key::ErrThreadStart).arg("why", e)));
                }
            }
        }
        drop(receiver);
        if let Some(failure) = feed(format.path, first, chunker, &sender, &failed_at) {
            read.fail(failure.0, failure.1);
        }
        drop(sender);
        let mut outcomes = vec![read];
        for worker in workers {
            outcomes.push(worker.join().unwrap_or_else(|_| Outcome {
                chunks: Vec::new(),
                failure: Some((u64::MAX, Error::new(msg(Key::ErrThreadStopped)))),
            }));
        }
        outcomes
    });
    let mut all = Outcome::default();
    for outcome in outcomes {
        all.chunks.extend(outcome.chunks);
        if let Some((index, error)) = outcome.failure {
            all.fail(index, error);
        }
    }
    if let Some((_, error)) = all.failure {
        return Err(error);
    }
    all.chunks.sort_by_key(|c| c.index);
    Ok(all.chunks)
}

/// The reading thread: sends every chunk until the end, a failure of the source (returned with the
/// index the next chunk would have had) or a worker's failure.
fn feed<R: Read>(
    path: &Path,
    first: Chunk,
    chunker: &mut Chunker<R>,
    sender: &SyncSender<Chunk>,
    failed_at: &AtomicU64,
) -> Option<Failure> {
    // A send fails only when every worker has stopped; their outcome tells why.
    sender.send(first).ok()?;
    while failed_at.load(Ordering::Relaxed) == u64::MAX {
        match chunker.next_chunk() {
            Ok(Some(chunk)) => sender.send(chunk).ok()?,
            Ok(None) => return None,
            Err(e) => return Some((chunker.next_index(), read_error(path, &e))),
        }
    }
    None
}

/// A worker: parses chunks into its shard until the queue closes.
fn work(format: &RowsFormat, mut shard: Shard, receiver: &Mutex<Receiver<Chunk>>, failed_at: &AtomicU64) -> Outcome {
    let mut outcome = Outcome::default();
    loop {
        // Nothing panics while holding the lock, so a poisoned one is as good as any.
        let next = receiver.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(chunk) = next else {
            break;
        };
        if chunk.index > failed_at.load(Ordering::Relaxed) {
            continue;
        }
        match shard.add_chunk(format, &chunk) {
            Ok(rows) => outcome.chunks.push(rows),
            Err(error) => {
                failed_at.fetch_min(chunk.index, Ordering::Relaxed);
                outcome.fail(chunk.index, error);
            }
        }
    }
    if let Err(error) = shard.finish() {
        outcome.fail(u64::MAX, error);
    }
    outcome
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
#[path = "csv_prep_tests.rs"]
mod tests;
