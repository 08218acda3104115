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

use crate::base::error::{Error, Result};
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
    Error::new(format!("{}: cannot read: {err}", path.display()))
        .with_tip("the file may be truncated or not what its extension says (a gzip file must end in .gz)")
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
        return Err(
            Error::new(format!("{}: the file is empty (no header line)", path.display())).with_tip(
                "export the file again with its header line, or point the source at the files that have data",
            ),
        );
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
        return Err(Error::new("no output for the prepared CSV"));
    }
    let mut prepared = PreparedCsv {
        ipc_paths: output.paths.to_vec(),
        header,
        rows: 0,
        bad_rows: 0,
        bad_lines: Vec::new(),
        unclosed_quote: None,
        renamed_columns,
        sha256: String::new(),
        bytes: 0,
    };
    if output.header_only {
        shards.into_iter().try_for_each(Shard::finish)?;
        return Ok(prepared);
    }
    let chunks = parse_in_parallel(&format, first, &mut chunker, shards)?;
    tally(&mut prepared, &chunks);
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

/// What the chunks held, added up in file order.
fn tally(prepared: &mut PreparedCsv, chunks: &[ChunkRows]) {
    for chunk in chunks {
        prepared.rows += chunk.rows;
        prepared.bad_rows += chunk.bad_rows;
        let room = BAD_LINES_KEPT.saturating_sub(prepared.bad_lines.len());
        prepared.bad_lines.extend(chunk.bad_lines.iter().take(room));
    }
    // Only the file's last record can have swallowed the rest of the file.
    prepared.unclosed_quote = chunks.iter().rev().find(|c| c.rows > 0).and_then(|c| c.last_swallowed);
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
                    read.fail(
                        0,
                        Error::new(format!("cannot start a thread to read the CSV file: {e}")),
                    );
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
                failure: Some((
                    u64::MAX,
                    Error::new("a thread reading the CSV file stopped unexpectedly"),
                )),
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
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::ipc::reader::StreamReader;
    use proptest::prelude::*;
    use sha2::{Digest, Sha256};
    use std::fs::File;

    #[test]
    fn header_names_are_made_unique() {
        let (names, renamed) = unique_names(vec!["a".into(), "".into(), "a".into()]);
        assert_eq!(names, vec!["a", "column_2", "a_2"]);
        assert_eq!(renamed.len(), 2);
    }

    fn options() -> CsvOptions {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            header: true,
            encoding: encoding_rs::UTF_8,
            fail_on_bad_rows: false,
        }
    }

    /// Everything `prepare` tells, and every row of every stream, sorted (streams share rows out
    /// in no fixed order); an error's message, the file named `FILE`.
    #[derive(Debug, PartialEq)]
    struct Read {
        header: Vec<String>,
        renamed: Vec<String>,
        rows: u64,
        bad_rows: u64,
        bad_lines: Vec<u64>,
        unclosed_quote: Option<u64>,
        sha256: String,
        bytes: u64,
        values: Vec<Vec<Option<String>>>,
    }

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// A failure of the test's own files, told apart from the reading's.
    fn setup(e: impl std::fmt::Display) -> String {
        format!("test setup: {e}")
    }

    fn read(name: &str, bytes: &[u8], options: &CsvOptions, chunk_bytes: usize) -> Result<Read, String> {
        let dir = tempfile::tempdir().map_err(setup)?;
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).map_err(setup)?;
        let paths: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("{i}.arrow"))).collect();
        let output = Output {
            paths: &paths,
            header_only: false,
            chunk_bytes,
        };
        let p = prepare_to(&path, options, &["N/A".to_string()], &output)
            .map_err(|e| e.english().replace(&path.display().to_string(), "FILE"))?;
        let mut values = Vec::new();
        for stream in &paths {
            for batch in StreamReader::try_new(File::open(stream).map_err(setup)?, None).map_err(setup)? {
                let batch = batch.map_err(setup)?;
                let columns: Vec<_> = batch.columns().iter().map(|c| c.as_string::<i32>().clone()).collect();
                for row in 0..batch.num_rows() {
                    values.push(
                        columns
                            .iter()
                            .map(|c| c.is_valid(row).then(|| c.value(row).to_string()))
                            .collect(),
                    );
                }
            }
        }
        values.sort();
        assert_eq!(values.len() as u64, p.rows);
        Ok(Read {
            header: p.header,
            renamed: p.renamed_columns,
            rows: p.rows,
            bad_rows: p.bad_rows,
            bad_lines: p.bad_lines,
            unclosed_quote: p.unclosed_quote,
            sha256: p.sha256,
            bytes: p.bytes,
            values,
        })
    }

    /// Reads `bytes` with chunks of every size up to past its length, checks each reading equals
    /// the one-chunk reading (a single reader's), and returns that one.
    fn same_for_every_chunk_size(name: &str, bytes: &[u8], options: &CsvOptions) -> Result<Read, String> {
        same_for_chunk_sizes(name, bytes, options, 1..=bytes.len() + 1)
    }

    fn same_for_chunk_sizes(
        name: &str,
        bytes: &[u8],
        options: &CsvOptions,
        sizes: impl IntoIterator<Item = usize>,
    ) -> Result<Read, String> {
        let whole = read(name, bytes, options, usize::MAX);
        for chunk_bytes in sizes {
            assert_eq!(
                read(name, bytes, options, chunk_bytes),
                whole,
                "chunks of {chunk_bytes} bytes"
            );
        }
        whole
    }

    fn rows(values: &[&[&str]]) -> Vec<Vec<Option<String>>> {
        let mut rows: Vec<Vec<Option<String>>> = values
            .iter()
            .map(|r| r.iter().map(|v| (*v != "NULL").then(|| v.to_string())).collect())
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn a_quoted_line_break_and_a_doubled_quote_at_every_chunk_boundary() -> TestResult {
        let text = b"id,note\n1,\"two\nlines\"\n2,\"say \"\"hi\"\"\nthere\"\n3,N/A\n";
        let read = same_for_every_chunk_size("a.csv", text, &options())?;
        assert_eq!(
            read.values,
            rows(&[&["1", "two\nlines"], &["2", "say \"hi\"\nthere"], &["3", "NULL"]])
        );
        assert_eq!(read.bytes, text.len() as u64);
        Ok(())
    }

    #[test]
    fn bad_lines_are_file_lines_after_records_of_several_lines() -> TestResult {
        let text = b"id,note\n1,\"a\nb\nc\"\nbad\n2,x\n3,\"d\ne\",extra\n4,y";
        let read = same_for_every_chunk_size("a.csv", text, &options())?;
        assert_eq!((read.rows, read.bad_rows, read.bad_lines), (5, 2, vec![5, 7]));
        Ok(())
    }

    #[test]
    fn only_the_first_bad_lines_are_kept_in_file_order() -> TestResult {
        let text: String = "a,b\n".to_string() + &"x\n".repeat(BAD_LINES_KEPT + 5);
        let read = read("a.csv", text.as_bytes(), &options(), 3)?;
        assert_eq!(read.bad_rows, BAD_LINES_KEPT as u64 + 5);
        assert_eq!(read.bad_lines, (2..BAD_LINES_KEPT as u64 + 2).collect::<Vec<_>>());
        Ok(())
    }

    #[test]
    fn crlf_blank_lines_and_no_final_line_break() -> TestResult {
        let text = b"id,v\r\n1,a\r\n\r\n\r\nbad\r\n2,\"b\r\nc\"\r\nworse,,\r\n3,d";
        let read = same_for_every_chunk_size("a.csv", text, &options())?;
        assert_eq!(
            read.values,
            rows(&[
                &["1", "a"],
                &["bad", "NULL"],
                &["2", "b\r\nc"],
                &["worse", ""],
                &["3", "d"]
            ])
        );
        // The csv crate places a record where the previous one ended: with CRLF before its `\n`,
        // and before the blank lines that follow it.
        assert_eq!(read.bad_lines, vec![2, 7]);
        Ok(())
    }

    #[test]
    fn an_unclosed_quote_is_found_on_its_line() -> TestResult {
        let text = b"id,v\n1,a\n2,\"b\n3,c\n4,d\n";
        let read = same_for_every_chunk_size("a.csv", text, &options())?;
        assert_eq!((read.unclosed_quote, read.rows), (Some(3), 2));
        Ok(())
    }

    #[test]
    fn windows_1252_is_decoded_by_the_workers_as_a_whole_file_would_be() -> TestResult {
        let utf8 = "nom;ville\nJosé;Abidjan\n\"Zoé\n€\";Bouaké\nç\n";
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(utf8);
        let mut win = CsvOptions {
            delimiter: b';',
            encoding: encoding_rs::WINDOWS_1252,
            ..options()
        };
        assert!(decoded_by_workers(&win, &cp1252));
        let decoded = same_for_every_chunk_size("a.csv", &cp1252, &win)?;
        win.encoding = encoding_rs::UTF_8;
        let plain = read("b.csv", utf8.as_bytes(), &win, usize::MAX)?;
        assert_eq!((&decoded.values, &decoded.bad_lines), (&plain.values, &plain.bad_lines));
        assert_eq!(decoded.bad_lines, vec![5]);
        Ok(())
    }

    #[test]
    fn utf_16_is_decoded_before_it_is_cut() -> TestResult {
        let utf8 = "nom,ville\nJosé,\"Abi\ndjan\"\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf8.encode_utf16().flat_map(u16::to_le_bytes));
        let options = CsvOptions {
            encoding: encoding_rs::UTF_16LE,
            ..options()
        };
        assert!(!decoded_by_workers(&options, &utf16));
        let read = same_for_every_chunk_size("a.csv", &utf16, &options)?;
        assert_eq!(read.values, rows(&[&["José", "Abi\ndjan"]]));
        Ok(())
    }

    #[test]
    fn gzip_is_read_and_hashed_as_its_compressed_bytes() -> TestResult {
        use std::io::Write;
        let text = b"id,v\n1,\"a\nb\"\n2,c\nbad\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text)?;
        let gz = gz.finish()?;
        let read = same_for_every_chunk_size("a.csv.gz", &gz, &options())?;
        let plain = read_plain(text)?;
        assert_eq!((&read.values, &read.bad_lines), (&plain.values, &plain.bad_lines));
        assert_eq!(read.bytes, gz.len() as u64);
        assert_eq!(read.sha256, format!("{:x}", Sha256::digest(&gz)));
        Ok(())
    }

    fn read_plain(text: &[u8]) -> Result<Read, String> {
        read("a.csv", text, &options(), usize::MAX)
    }

    #[test]
    fn the_first_failure_in_file_order_is_the_one_told() -> TestResult {
        let strict = CsvOptions {
            fail_on_bad_rows: true,
            ..options()
        };
        let text = b"id,v\n1,\"a\nb\"\nbad\n2,\xFF\nworse\n";
        let error = same_for_every_chunk_size("a.csv", text, &strict)
            .err()
            .ok_or("no error")?;
        assert_eq!(error, "FILE:4: expected 2 fields, found 1");
        let error = same_for_every_chunk_size("a.csv", b"id,v\n1,a\n2,\xFF\nworse\n", &strict)
            .err()
            .ok_or("no error")?;
        assert_eq!(error, "FILE:3: invalid UTF-8 at byte offset 11");
        Ok(())
    }

    #[test]
    fn a_truncated_gzip_fails_after_the_rows_read_before_it() -> TestResult {
        use std::io::Write;
        let text: String = "id,v\n1,a\nbad\n".to_string() + &"2,b\n".repeat(2000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes())?;
        let mut gz = gz.finish()?;
        gz.truncate(gz.len() - 20);
        let sizes = [1, 2, 3, 7, 64, 1000, 4096];
        let error = same_for_chunk_sizes("a.csv.gz", &gz, &options(), sizes)
            .err()
            .ok_or("no error")?;
        assert!(error.starts_with("FILE: cannot read: "), "{error}");
        let strict = CsvOptions {
            fail_on_bad_rows: true,
            ..options()
        };
        let error = same_for_chunk_sizes("a.csv.gz", &gz, &strict, sizes)
            .err()
            .ok_or("no error")?;
        assert_eq!(error, "FILE:3: expected 2 fields, found 1");
        Ok(())
    }

    #[test]
    fn a_second_byte_order_mark_is_text_in_utf_8_and_dropped_from_a_decoder_s_output() -> TestResult {
        let body = "id,v\n1,a\n";
        let utf8 = [&b"\xEF\xBB\xBF\xEF\xBB\xBF"[..], body.as_bytes()].concat();
        let read_utf8 = same_for_every_chunk_size("a.csv", &utf8, &options())?;
        assert_eq!(read_utf8.header, vec!["\u{FEFF}id", "v"]);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(format!("\u{FEFF}{body}").encode_utf16().flat_map(u16::to_le_bytes));
        let options = CsvOptions {
            encoding: encoding_rs::UTF_16LE,
            ..options()
        };
        assert_eq!(
            same_for_every_chunk_size("a.csv", &utf16, &options)?.header,
            vec!["id", "v"]
        );
        Ok(())
    }

    #[test]
    fn an_empty_file_is_an_error_at_any_chunk_size() -> TestResult {
        for text in [&b""[..], b"\n\n\r\n"] {
            let error = same_for_every_chunk_size("a.csv", text, &options())
                .err()
                .ok_or("no error")?;
            assert_eq!(error, "FILE: the file is empty (no header line)");
        }
        Ok(())
    }

    /// Pieces of CSV text that meet chunk boundaries in every way: quotes, doubled quotes, line
    /// breaks of three kinds, delimiters, a byte-order mark and bytes that are not UTF-8.
    fn piece() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(vec![
            &b"a"[..],
            b"bc",
            b",",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r\n",
            b"\r",
            b"N/A",
            "é".as_bytes(),
            b"\xEF\xBB\xBF",
            b"\xFF",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn any_chunk_size_reads_what_one_chunk_reads(
            pieces in prop::collection::vec(piece(), 0..40),
            header in any::<bool>(),
            fail_on_bad_rows in any::<bool>(),
        ) {
            let text: Vec<u8> = pieces.concat();
            let options = CsvOptions { header, fail_on_bad_rows, ..options() };
            let whole = read("a.csv", &text, &options, usize::MAX);
            for chunk_bytes in 1..64 {
                prop_assert_eq!(&read("a.csv", &text, &options, chunk_bytes), &whole, "chunks of {} bytes", chunk_bytes);
            }
        }

        #[test]
        fn any_chunk_size_reads_what_one_chunk_reads_of_a_decoded_file(
            pieces in prop::collection::vec(piece(), 0..40),
            header in any::<bool>(),
        ) {
            // Decoded before it is cut, and the csv crate may drop a mark that starts the decoded text.
            let mut text = vec![0xFF, 0xFE];
            text.extend(String::from_utf8_lossy(&pieces.concat()).encode_utf16().flat_map(u16::to_le_bytes));
            let options = CsvOptions { header, encoding: encoding_rs::UTF_16LE, ..options() };
            let whole = read("a.csv", &text, &options, usize::MAX);
            for chunk_bytes in 1..64 {
                prop_assert_eq!(&read("a.csv", &text, &options, chunk_bytes), &whole, "chunks of {} bytes", chunk_bytes);
            }
        }
    }
}
