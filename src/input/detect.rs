//! Guessing how a delimited text file is written (encoding, delimiter) from its first bytes, for
//! `profile` and `init`, which run without a spec.

use std::io::Read;
use std::path::Path;

use crate::base::error::{Error, Result};

const SAMPLE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Sniffed {
    /// A WHATWG label: `utf-8`, `utf-16le`, `utf-16be` or `windows-1252`.
    pub encoding: &'static str,
    pub delimiter: u8,
    /// Why the encoding was chosen, for the comment `init` writes.
    pub reason: &'static str,
}

fn sample(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut bytes = Vec::new();
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let read = if gz {
        flate2::read::MultiGzDecoder::new(file)
            .take(SAMPLE_BYTES)
            .read_to_end(&mut bytes)
    } else {
        file.take(SAMPLE_BYTES).read_to_end(&mut bytes)
    };
    read.map_err(|e| Error::io(path, &e))?;
    Ok(bytes)
}

/// Encoding from a byte sample: a BOM decides; valid UTF-8 is UTF-8; anything else is read as
/// Windows-1252 (which WHATWG also uses for "iso-8859-1" and "latin1" labels).
pub fn encoding_of(bytes: &[u8], truncated: bool) -> (&'static str, &'static str) {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return ("utf-8", "UTF-8 byte-order mark");
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return ("utf-16le", "UTF-16 little-endian byte-order mark");
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return ("utf-16be", "UTF-16 big-endian byte-order mark");
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => ("utf-8", "valid UTF-8"),
        // A sample cut inside a multi-byte character is still UTF-8.
        Err(e) if truncated && e.error_len().is_none() => ("utf-8", "valid UTF-8"),
        Err(_) if bytes.iter().any(|b| (0x80..=0x9F).contains(b)) => (
            "windows-1252",
            "not UTF-8; bytes 0x80–0x9F are Windows-1252 letters and signs (é, €, ’)",
        ),
        Err(_) => ("windows-1252", "not UTF-8; read as Latin-1 / Windows-1252"),
    }
}

/// The delimiter that splits the first lines into the same number (> 1) of fields most often.
pub fn delimiter_of(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(50).collect();
    let mut best = (b',', 0usize, 0usize);
    for candidate in [b';', b',', b'\t', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == candidate).count())
            .collect();
        let Some(&first) = counts.first() else { continue };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        if (consistent, first) > (best.1, best.2) {
            best = (candidate, consistent, first);
        }
    }
    best.0
}

pub fn sniff(path: &Path) -> Result<Sniffed> {
    let bytes = sample(path)?;
    let (encoding, reason) = encoding_of(&bytes, bytes.len() as u64 == SAMPLE_BYTES);
    let label = encoding_rs::Encoding::for_label(encoding.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = label.decode(&bytes);
    Ok(Sniffed {
        encoding,
        delimiter: delimiter_of(&text),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_delimiters() {
        assert_eq!(encoding_of("é".as_bytes(), false).0, "utf-8");
        assert_eq!(encoding_of(&[b'B', b'o', 0xE9], false).0, "windows-1252");
        assert_eq!(encoding_of(&[0xEF, 0xBB, 0xBF, b'a'], false).0, "utf-8");
        assert_eq!(encoding_of(&[0xFF, 0xFE, b'a', 0], false).0, "utf-16le");
        assert_eq!(encoding_of(&[b'B', b'o', 0xC3], true).0, "utf-8");
        assert_eq!(delimiter_of("a;b;c\n1;2,5;3\n4;5;6\n"), b';');
        assert_eq!(delimiter_of("a,b\n1,2\n"), b',');
        assert_eq!(delimiter_of("a\tb\n1\t2\n"), b'\t');
    }
}
