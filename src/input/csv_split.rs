//! Cuts a delimited text stream into chunks of whole records, so several threads can parse one file:
//! a quote-aware byte scan from the start of the stream that follows the csv crate's own reading.
//!
//! A cut is placed right after the byte that ends a record as `csv_core` reads it (the first `\r` or
//! `\n` outside a quoted field), so a parser started on the chunk sees the same records as one
//! reading the whole stream, and its positions shifted by the chunk's origin are the same too: the
//! csv crate gives a record the position where the previous one ended, blank lines included.

use std::io::Read;

/// Bytes asked from the source at a time.
const READ_BYTES: usize = 64 * 1024;
/// The mark the csv crate drops at the start of the text when its first read holds it whole
/// (`csv_rows::RowsFormat::strips_bom`).
const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Where the scan stands, as `csv_core`'s reader with no escape byte, doubled quotes, no comments and
/// `\r`, `\n` or `\r\n` ending a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a record: line breaks here are blank lines, skipped.
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote met inside a quoted field: closes it, or is the first of a doubled quote.
    QuoteInQuoted,
}

/// The record boundaries of a byte stream, fed piece by piece.
#[derive(Debug, Clone)]
pub struct RecordScanner {
    delimiter: u8,
    quote: u8,
    state: State,
}

impl RecordScanner {
    pub fn new(delimiter: u8, quote: u8) -> Self {
        Self {
            delimiter,
            quote,
            state: State::RecordStart,
        }
    }

    /// Reads one byte; true when it ends a record (the cut goes after it). The tests are in
    /// `csv_core`'s order, which matters when the delimiter or quote is a line break.
    #[inline]
    pub fn step(&mut self, b: u8) -> bool {
        let line_break = b == b'\n' || b == b'\r';
        let (next, ends) = match self.state {
            State::RecordStart if line_break => (State::RecordStart, false),
            State::RecordStart | State::FieldStart => {
                if b == self.quote {
                    (State::Quoted, false)
                } else if b == self.delimiter {
                    (State::FieldStart, false)
                } else if line_break {
                    (State::RecordStart, true)
                } else {
                    (State::Unquoted, false)
                }
            }
            State::Unquoted => self.after_field_byte(b, line_break),
            State::Quoted if b == self.quote => (State::QuoteInQuoted, false),
            State::Quoted => (State::Quoted, false),
            State::QuoteInQuoted if b == self.quote => (State::Quoted, false),
            State::QuoteInQuoted => self.after_field_byte(b, line_break),
        };
        self.state = next;
        ends
    }

    /// Reads `bytes` up to the first record end and returns its position (after the byte that
    /// ends it), or `None` when it reads them all; counts the `\n` bytes it reads into `lines`.
    /// What `step` does byte by byte, with runs of bytes that cannot change anything skipped at once.
    pub fn next_end(&mut self, bytes: &[u8], lines: &mut u64) -> Option<usize> {
        let mut at = 0;
        loop {
            let rest = bytes.get(at..).unwrap_or_default();
            let skip = match self.state {
                // Only a quote or a line break ends a run of unquoted text: a quote is text here, but
                // one just after a delimiter opens a quoted field.
                State::Unquoted => {
                    let run = memchr::memchr3(self.quote, b'\n', b'\r', rest).unwrap_or(rest.len());
                    if run > 0 && rest[run - 1] == self.delimiter {
                        self.state = State::FieldStart;
                    }
                    run
                }
                // Inside quotes only the quote matters; line breaks are stopped at to be counted.
                State::Quoted => memchr::memchr2(self.quote, b'\n', rest).unwrap_or(rest.len()),
                _ => 0,
            };
            at += skip;
            let &b = bytes.get(at)?;
            at += 1;
            *lines += u64::from(b == b'\n');
            if self.step(b) {
                return Some(at);
            }
        }
    }

    fn after_field_byte(&self, b: u8, line_break: bool) -> (State, bool) {
        if b == self.delimiter {
            (State::FieldStart, false)
        } else if line_break {
            (State::RecordStart, true)
        } else {
            (State::Unquoted, false)
        }
    }
}

/// Whole records of the stream, and where they start in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Its rank in the stream, from 0.
    pub index: u64,
    pub bytes: Vec<u8>,
    /// `\n` bytes before the chunk: a line number in it plus this is the line in the stream.
    pub lines_before: u64,
    /// Offset of its first byte in the stream (the text the csv crate would read whole; for a
    /// single-byte encoding decoded by the workers, the undecoded bytes: only an invalid UTF-8 error
    /// names an offset, and decoded text is valid).
    pub offset: u64,
}

/// Reads a stream and hands it out in chunks of whole records of about `target` bytes (more when a
/// record is longer: a quote never closed makes the rest of the stream one record, as it does for
/// the csv crate).
pub struct Chunker<R> {
    source: R,
    scanner: RecordScanner,
    target: usize,
    buf: Vec<u8>,
    /// `buf[..scanned]` has been through the scanner.
    scanned: usize,
    /// `\n` bytes in `buf[..scanned]`.
    scanned_lines: u64,
    /// A record end at or past `target`: where the next chunk ends.
    cut: Option<usize>,
    /// The parser of the first chunk drops a byte-order mark that starts it: the scan skips it too.
    skip_bom: bool,
    /// The last record end in `buf[..scanned]` (0: none), and the `\n` bytes before it.
    last_end: usize,
    last_end_lines: u64,
    eof: bool,
    /// The source's failure, told after the records read before it.
    failed: Option<std::io::Error>,
    index: u64,
    lines_before: u64,
    offset: u64,
}

impl<R: Read> Chunker<R> {
    /// With `skip_bom`, a byte-order mark that starts the stream is no text (see `skip_bom`).
    pub fn new(source: R, delimiter: u8, quote: u8, target: usize, skip_bom: bool) -> Self {
        Self {
            source,
            scanner: RecordScanner::new(delimiter, quote),
            target: target.max(1),
            buf: Vec::new(),
            scanned: 0,
            scanned_lines: 0,
            cut: None,
            skip_bom,
            last_end: 0,
            last_end_lines: 0,
            eof: false,
            failed: None,
            index: 0,
            lines_before: 0,
            offset: 0,
        }
    }

    /// The next chunk; `None` at the end of the stream. An error is the source's, returned once the
    /// whole records read before it are handed out, as a single reader would read them.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        loop {
            if let Some(cut) = self.find_cut() {
                return Ok(Some(self.take(cut)));
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let all = self.buf.len();
                return Ok(Some(self.take(all)));
            }
            if let Err(error) = self.fill() {
                let Some(complete) = self.take_complete() else {
                    return Err(error);
                };
                self.failed = Some(error);
                return Ok(Some(complete));
            }
        }
    }

    /// The index the next chunk will have.
    pub fn next_index(&self) -> u64 {
        self.index
    }

    /// Whether the stream ended inside a quoted field: its last record opened a quote that nothing
    /// closed (an export cut short), which the csv crate reads without a word.
    pub fn ended_in_quote(&self) -> bool {
        self.eof && self.scanned == self.buf.len() && self.scanner.state == State::Quoted
    }

    /// Whole records read so far that no chunk holds yet, handed out when the source fails.
    fn take_complete(&mut self) -> Option<Chunk> {
        self.scan(false);
        if self.last_end == 0 {
            return None;
        }
        // No chunk follows a failed source: the scan may stand back at the last record end.
        self.scanned = self.last_end;
        self.scanned_lines = self.last_end_lines;
        Some(self.take(self.last_end))
    }

    /// Scans buffered bytes for the first record end at or past `target`.
    fn find_cut(&mut self) -> Option<usize> {
        if self.cut.is_none() {
            self.cut = self.scan(true);
        }
        self.cut
    }

    /// Runs the scanner over the buffered bytes not scanned yet; with `stop`, stops after the first
    /// record end at or past `target` and returns it.
    fn scan(&mut self, stop: bool) -> Option<usize> {
        if self.skip_bom {
            if self.buf.len() < UTF8_BOM.len() && !self.eof {
                return None;
            }
            self.skip_bom = false;
            if self.buf.starts_with(&UTF8_BOM) {
                self.scanned = UTF8_BOM.len();
            }
        }
        loop {
            let start = self.scanned;
            let Some(n) = self.scanner.next_end(&self.buf[start..], &mut self.scanned_lines) else {
                self.scanned = self.buf.len();
                return None;
            };
            let end = start + n;
            self.scanned = end;
            self.last_end = end;
            self.last_end_lines = self.scanned_lines;
            if stop && end >= self.target {
                return Some(end);
            }
        }
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let start = self.buf.len();
        self.buf.resize(start + READ_BYTES, 0);
        let read = loop {
            match self.source.read(&mut self.buf[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(start + read);
        self.eof = read == 0;
        Ok(())
    }

    /// Hands out `buf[..end]`, where the scan stands (or the end of the stream).
    fn take(&mut self, end: usize) -> Chunk {
        let rest = self.buf.split_off(end);
        let bytes = std::mem::replace(&mut self.buf, rest);
        // Room for the next chunk at once, rather than growing by doubling (a test's chunks are
        // unbounded: `usize::MAX`).
        let room = self.target.min(1 << 30).saturating_add(READ_BYTES);
        self.buf.reserve(room.saturating_sub(self.buf.len()));
        let chunk = Chunk {
            index: self.index,
            bytes,
            lines_before: self.lines_before,
            offset: self.offset,
        };
        self.index += 1;
        self.lines_before += self.scanned_lines;
        self.offset += end as u64;
        self.scanned -= end.min(self.scanned);
        self.scanned_lines = 0;
        self.cut = None;
        self.last_end = 0;
        self.last_end_lines = 0;
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &[u8], target: usize) -> Vec<Chunk> {
        let mut chunker = Chunker::new(text, b',', b'"', target, false);
        let mut out = Vec::new();
        // Reading a slice cannot fail.
        while let Ok(Some(chunk)) = chunker.next_chunk() {
            out.push(chunk);
        }
        out
    }

    fn pieces(text: &[u8], target: usize) -> Vec<String> {
        chunks(text, target)
            .into_iter()
            .map(|c| String::from_utf8_lossy(&c.bytes).into_owned())
            .collect()
    }

    #[test]
    fn cuts_after_each_record_when_the_target_is_one_byte() {
        assert_eq!(pieces(b"a,b\nc,d\ne,f", 1), vec!["a,b\n", "c,d\n", "e,f"]);
    }

    #[test]
    fn a_line_break_inside_quotes_is_not_a_cut() {
        assert_eq!(pieces(b"a,\"x\ny\"\nc,d\n", 1), vec!["a,\"x\ny\"\n", "c,d\n"]);
    }

    #[test]
    fn a_doubled_quote_keeps_the_field_open() {
        assert_eq!(pieces(b"\"a\"\"\nb\",c\nd\n", 1), vec!["\"a\"\"\nb\",c\n", "d\n"]);
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text() {
        assert_eq!(pieces(b"a\"b,c\nd\n", 1), vec!["a\"b,c\n", "d\n"]);
    }

    #[test]
    fn crlf_is_cut_after_the_carriage_return_and_blank_lines_go_with_the_next_record() {
        assert_eq!(pieces(b"a\r\n\r\nb\r\n", 1), vec!["a\r", "\n\r\nb\r", "\n"]);
    }

    #[test]
    fn chunks_carry_their_origin() {
        let all = chunks(b"a\n\"x\ny\"\nb\n", 1);
        let origins: Vec<(u64, u64, u64)> = all.iter().map(|c| (c.index, c.lines_before, c.offset)).collect();
        assert_eq!(origins, vec![(0, 0, 0), (1, 1, 2), (2, 3, 8)]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_only_at_the_start_and_only_when_asked() {
        let text = b"\xEF\xBB\xBF\na\n\xEF\xBB\xBF\nb\n";
        let ends = |skip_bom| {
            let mut chunker = Chunker::new(&text[..], b',', b'"', 1, skip_bom);
            let mut ends = Vec::new();
            while let Ok(Some(chunk)) = chunker.next_chunk() {
                ends.push(chunk.offset as usize + chunk.bytes.len());
            }
            ends
        };
        // Skipped, the mark leaves a blank line; as text, it is a record.
        assert_eq!(ends(true), vec![6, 10, 12]);
        assert_eq!(ends(false), vec![4, 6, 10, 12]);
    }

    #[test]
    fn an_unclosed_quote_takes_the_rest_of_the_stream() {
        assert_eq!(pieces(b"a\n\"b\nc\nd\n", 1), vec!["a\n", "\"b\nc\nd\n"]);
    }

    /// Gives its bytes, then fails.
    struct Failing(&'static [u8]);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("corrupt"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn whole_records_come_before_the_source_s_failure() {
        let mut chunker = Chunker::new(Failing(b"a\nb\nc"), b',', b'"', 1 << 20, false);
        assert_eq!(
            chunker.next_chunk().ok().flatten().map(|c| c.bytes),
            Some(b"a\nb\n".to_vec())
        );
        assert!(chunker.next_chunk().is_err());
        let mut chunker = Chunker::new(Failing(b"abc"), b',', b'"', 1 << 20, false);
        assert!(chunker.next_chunk().is_err());
    }

    /// Record ends and `\n` counts at each, byte by byte.
    fn ends_by_step(bytes: &[u8], delimiter: u8, quote: u8) -> Vec<(usize, u64)> {
        let mut scanner = RecordScanner::new(delimiter, quote);
        let mut lines = 0;
        let mut ends = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            lines += u64::from(b == b'\n');
            if scanner.step(b) {
                ends.push((i + 1, lines));
            }
        }
        ends
    }

    /// The same with `next_end`, fed in pieces of `piece` bytes.
    fn ends_by_runs(bytes: &[u8], delimiter: u8, quote: u8, piece: usize) -> Vec<(usize, u64)> {
        let mut scanner = RecordScanner::new(delimiter, quote);
        let mut lines = 0;
        let mut ends = Vec::new();
        for (p, part) in bytes.chunks(piece).enumerate() {
            let mut at = 0;
            while let Some(n) = scanner.next_end(&part[at..], &mut lines) {
                at += n;
                ends.push((p * piece + at, lines));
            }
        }
        ends
    }

    proptest::proptest! {
        #[test]
        fn skipping_runs_finds_the_ends_stepping_finds(
            bytes in proptest::collection::vec(proptest::sample::select(b"ab,;\"'\n\r".to_vec()), 0..80),
            delimiter in proptest::sample::select(b",;\"\n".to_vec()),
            quote in proptest::sample::select(b"\"',\r".to_vec()),
            piece in 1usize..90,
        ) {
            proptest::prop_assert_eq!(
                ends_by_runs(&bytes, delimiter, quote, piece),
                ends_by_step(&bytes, delimiter, quote)
            );
        }
    }
}
