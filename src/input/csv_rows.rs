//! Parses chunks of whole CSV records into Arrow text columns written to one IPC stream: the work of
//! one thread, with what it found per chunk (rows, bad rows and their lines, a swallowed quote),
//! positions made file-wide from the chunk's origin.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::input::csv_split::Chunk;

const BATCH_ROWS: usize = 8192;
/// How many bad line numbers a report lists; the count is always exact.
pub const BAD_LINES_KEPT: usize = 20;

/// What every chunk of one file is parsed with.
pub struct RowsFormat<'a> {
    pub path: &'a Path,
    pub delimiter: u8,
    pub quote: u8,
    /// The single-byte encoding the chunks are still in; `None`: they are UTF-8 already.
    pub decode: Option<&'static encoding_rs::Encoding>,
    /// Whether the file was meant to be UTF-8 (for the tip of an invalid-UTF-8 error).
    pub utf8_source: bool,
    pub null_tokens: &'a [String],
    pub fail_on_bad_rows: bool,
    /// The first record of chunk 0 is the header, not a row.
    pub header: bool,
    /// Whether the csv crate may drop a byte-order mark that starts the text. It drops one when its
    /// first read holds it whole: so it did on a decoder's output before issue 18, but not on a UTF-8
    /// file, whose own mark `decoded_reader` removes and whose first read then held 1 byte, so a
    /// second mark stayed text. Never in a chunk after the first: it is the middle of the text.
    pub strips_bom: bool,
    pub width: usize,
}

impl RowsFormat<'_> {
    /// A csv reader of the chunk's text, configured as for the whole file: no header handling,
    /// ragged rows allowed.
    pub fn reader<'b>(&self, chunk: &Chunk, text: &'b [u8]) -> csv::Reader<ChunkText<'b>> {
        let text = ChunkText {
            text,
            keep_bom: chunk.index > 0 || !self.strips_bom,
        };
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .quote(self.quote)
            .has_headers(false)
            .flexible(true)
            .from_reader(text)
    }

    /// The chunk's text in UTF-8 (a single-byte encoding decodes byte by byte: a chunk cut at a
    /// record end decodes as the whole file would).
    pub fn text<'c>(&self, chunk: &'c Chunk) -> Cow<'c, [u8]> {
        match self.decode {
            None => Cow::Borrowed(&chunk.bytes),
            Some(encoding) => match encoding.decode_without_bom_handling(&chunk.bytes) {
                (Cow::Borrowed(text), _) => Cow::Borrowed(text.as_bytes()),
                (Cow::Owned(text), _) => Cow::Owned(text.into_bytes()),
            },
        }
    }

    pub fn csv_error(&self, e: &csv::Error) -> Error {
        Error::new(msg(Key::ErrCsvRead).arg("path", self.path.display()).arg("why", e))
            .with_tip(msg(Key::ErrTipCsvRead))
    }

    /// The record's field `index` as text; an error names the file-wide line and byte offset.
    pub fn field<'r>(&self, chunk: &Chunk, record: &'r csv::ByteRecord, index: usize) -> Result<Option<&'r str>> {
        let Some(bytes) = record.get(index) else {
            return Ok(None);
        };
        std::str::from_utf8(bytes).map(Some).map_err(|e| {
            let start = chunk.offset + record.position().map_or(0, |p| p.byte());
            let within = record.range(index).map_or(0, |r| r.start);
            // The record buffer holds no delimiters: add one per field before this one.
            let offset = start + (within + index + e.valid_up_to()) as u64;
            let tip = if self.utf8_source {
                Key::ErrTipInvalidUtf8
            } else {
                Key::ErrTipDecoderInvalid
            };
            Error::new(
                msg(Key::ErrInvalidUtf8)
                    .arg("path", self.path.display())
                    .arg("line", line(chunk, record))
                    .arg("offset", offset),
            )
            .with_tip(msg(tip))
        })
    }
}

/// A chunk's text as the csv crate reads it; with `keep_bom`, its first read gives one byte, too few
/// for the crate to take a byte-order mark for one (see `RowsFormat::strips_bom`).
pub struct ChunkText<'b> {
    text: &'b [u8],
    keep_bom: bool,
}

impl std::io::Read for ChunkText<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let most = if std::mem::take(&mut self.keep_bom) {
            1
        } else {
            buf.len()
        };
        let n = most.min(buf.len()).min(self.text.len());
        let (head, rest) = self.text.split_at(n);
        buf[..n].copy_from_slice(head);
        self.text = rest;
        Ok(n)
    }
}

/// The file-wide line of a record: the csv crate counts `\n` bytes from 1 in what it read.
pub fn line(chunk: &Chunk, record: &csv::ByteRecord) -> u64 {
    chunk.lines_before + record.position().map_or(1, |p| p.line())
}

/// Whether the file's last record holds a value with line breaks and delimiters in it: the sign of
/// a quote opened and never closed, which makes the reader take the rest of the file as one value.
fn swallowed_lines(last: &csv::ByteRecord, delimiter: u8) -> bool {
    let slice = last.as_slice();
    slice.iter().any(|b| matches!(b, b'\n' | b'\r'))
        && last
            .iter()
            .any(|field| field.iter().any(|b| matches!(b, b'\n' | b'\r')) && field.contains(&delimiter))
}

/// What one chunk held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkRows {
    pub index: u64,
    pub rows: u64,
    pub bad_rows: u64,
    /// The first `BAD_LINES_KEPT` bad lines of the chunk.
    pub bad_lines: Vec<u64>,
    /// The line of the chunk's last record when it swallowed lines (see `swallowed_lines`).
    pub last_swallowed: Option<u64>,
    /// The line of the chunk's last record.
    pub last_line: Option<u64>,
    /// Rows of a UTF-8 file holding bytes that are not UTF-8 (read with U+FFFD in their place), and
    /// the first one's line.
    pub undecodable_rows: u64,
    pub first_undecodable: Option<u64>,
}

/// One IPC stream and the columns of the batch being built for it.
pub struct Shard {
    path: PathBuf,
    schema: SchemaRef,
    writer: StreamWriter<BufWriter<File>>,
    builders: Vec<StringBuilder>,
    pending: usize,
}

impl Shard {
    pub fn create(path: &Path, schema: &SchemaRef) -> Result<Self> {
        let out = File::create(path).map_err(|e| Error::io(path, &e))?;
        let writer =
            StreamWriter::try_new(BufWriter::new(out), schema).map_err(|e| Error::engine(path.display(), e))?;
        let builders = (0..schema.fields().len())
            .map(|_| StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8))
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            schema: schema.clone(),
            writer,
            builders,
            pending: 0,
        })
    }

    /// Parses the chunk's records into rows of this stream.
    pub fn add_chunk(&mut self, format: &RowsFormat, chunk: &Chunk) -> Result<ChunkRows> {
        let text = format.text(chunk);
        let mut reader = format.reader(chunk, &text);
        let mut record = csv::ByteRecord::new();
        let mut found = ChunkRows {
            index: chunk.index,
            ..ChunkRows::default()
        };
        let mut skip = format.header && chunk.index == 0;
        while reader.read_byte_record(&mut record).map_err(|e| format.csv_error(&e))? {
            if std::mem::take(&mut skip) {
                continue;
            }
            let line = line(chunk, &record);
            if record.len() != format.width {
                if format.fail_on_bad_rows {
                    return Err(Error::new(
                        msg(Key::ErrBadRowFields)
                            .arg("path", format.path.display())
                            .arg("line", line)
                            .arg("width", format.width)
                            .arg("found", record.len()),
                    )
                    .with_tip(msg(Key::ErrTipBadRowFields)));
                }
                found.bad_rows += 1;
                if found.bad_lines.len() < BAD_LINES_KEPT {
                    found.bad_lines.push(line);
                }
            }
            if self.append(format, chunk, &record)? {
                found.undecodable_rows += 1;
                found.first_undecodable = found.first_undecodable.or(Some(line));
            }
            // Kept for the last record only: the reader has reached the end of the chunk after it.
            found.last_swallowed = swallowed_lines(&record, format.delimiter).then_some(line);
            found.last_line = Some(line);
            found.rows += 1;
        }
        Ok(found)
    }

    /// Appends the record; `true` when some of its bytes were not UTF-8. Dirty data does not stop
    /// an audit: such a value is read with U+FFFD in place of each bad sequence (the profile counts
    /// it as mojibake, the source reports the rows), unless `on_bad_rows = "fail"` asks to stop.
    fn append(&mut self, format: &RowsFormat, chunk: &Chunk, record: &csv::ByteRecord) -> Result<bool> {
        let mut undecodable = false;
        for (i, builder) in self.builders.iter_mut().enumerate() {
            let Some(bytes) = record.get(i) else {
                builder.append_null();
                continue;
            };
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) if format.fail_on_bad_rows => return format.field(chunk, record, i).map(|_| true),
                Err(_) => {
                    undecodable = true;
                    String::from_utf8_lossy(bytes)
                }
            };
            let trimmed = text.trim();
            if format.null_tokens.iter().any(|t| t == trimmed) {
                builder.append_null();
            } else {
                builder.append_value(&text);
            }
        }
        self.pending += 1;
        if self.pending == BATCH_ROWS {
            self.write()?;
        }
        Ok(undecodable)
    }

    fn write(&mut self) -> Result<()> {
        self.pending = 0;
        let columns: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        let batch =
            RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| Error::engine(self.path.display(), e))?;
        self.writer
            .write(&batch)
            .map_err(|e| Error::engine(self.path.display(), e))
    }

    /// Writes the last rows and closes the stream.
    pub fn finish(mut self) -> Result<()> {
        if self.pending > 0 {
            self.write()?;
        }
        self.writer.finish().map_err(|e| Error::engine(self.path.display(), e))
    }
}
