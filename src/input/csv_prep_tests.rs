//! Unit tests of `csv_prep`: encodings, gzip, ragged rows and line numbers across chunks.
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
fn a_truncated_last_line_inside_a_quote_is_an_unclosed_quote() -> TestResult {
    // An export cut in the middle of a quoted value, with or without a final newline: the cut record
    // is read (two rows, as when a quote swallows the rest of a file) and its line is named.
    for text in [&b"id,v\n1,a\n2,\"b"[..], b"id,v\n1,a\n2,\"b\n", b"id,v\n1,a\n2,\""] {
        let read = same_for_every_chunk_size("a.csv", text, &options())?;
        assert_eq!(
            (read.unclosed_quote, read.rows),
            (Some(3), 2),
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
    // A quote closed right at the end of the file is no cut.
    let closed = same_for_every_chunk_size("a.csv", b"id,v\n1,a\n2,\"b\"", &options())?;
    assert_eq!((closed.unclosed_quote, closed.rows), (None, 2));
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
