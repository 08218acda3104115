//! The sha256 of a file's bytes, computed on a thread of its own from the very blocks another thread
//! reads, so the report names the exact input and hashing does not slow the reading down.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;

/// Bytes read from the file at a time.
const BLOCK_BYTES: usize = 1 << 20;
/// Blocks read but not hashed yet: past this, reading waits for the hash.
const BLOCKS_IN_FLIGHT: usize = 4;

/// What names a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub sha256: String,
    pub bytes: u64,
}

/// Reads the file by blocks, each shared with the hashing thread.
pub struct HashingReader {
    file: File,
    block: Arc<Vec<u8>>,
    at: usize,
    bytes: u64,
    hashing: SyncSender<Arc<Vec<u8>>>,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.block.len() {
            self.next_block()?;
        }
        let rest = self.block.get(self.at..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

impl HashingReader {
    fn next_block(&mut self) -> std::io::Result<()> {
        let mut block = vec![0; BLOCK_BYTES];
        let n = loop {
            match self.file.read(&mut block) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        block.truncate(n);
        self.block = Arc::new(block);
        self.at = 0;
        self.bytes += n as u64;
        if n > 0 && self.hashing.send(Arc::clone(&self.block)).is_err() {
            return Err(std::io::Error::other("the hashing thread stopped"));
        }
        Ok(())
    }
}

fn hash(blocks: Receiver<Arc<Vec<u8>>>) -> String {
    let mut hasher = Sha256::new();
    for block in blocks {
        hasher.update(&block[..]);
    }
    format!("{:x}", hasher.finalize())
}

/// Runs `read` on the file at `path`; with `whole`, then reads what `read` left and returns the
/// digest of the whole file along with `read`'s result.
pub fn read_hashed<T>(
    path: &Path,
    whole: bool,
    read: impl FnOnce(&mut HashingReader) -> Result<T>,
) -> Result<(T, Option<FileDigest>)> {
    let file = File::open(path).map_err(|e| Error::io(path, &e))?;
    let (sender, blocks) = std::sync::mpsc::sync_channel(BLOCKS_IN_FLIGHT);
    std::thread::scope(|scope| {
        let hasher = scope.spawn(move || hash(blocks));
        let mut reader = HashingReader {
            file,
            block: Arc::new(Vec::new()),
            at: 0,
            bytes: 0,
            hashing: sender,
        };
        let value = read(&mut reader)?;
        if !whole {
            return Ok((value, None));
        }
        std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| Error::io(path, &e))?;
        let bytes = reader.bytes;
        // Closes the channel: the hasher has every block.
        drop(reader);
        let sha256 = hasher
            .join()
            .map_err(|_| Error::new(msg(Key::ErrHashingThreadStopped).arg("path", path.display())))?;
        Ok((value, Some(FileDigest { sha256, bytes })))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn the_digest_covers_what_the_reader_left() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("f");
        let content: Vec<u8> = (0..3 * BLOCK_BYTES + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content)?;
        let (head, digest) = read_hashed(&path, true, |r| {
            let mut head = [0u8; 10];
            r.read_exact(&mut head).map_err(|e| Error::io(&path, &e))?;
            Ok(head)
        })?;
        assert_eq!(head[..], content[..10]);
        let expected = FileDigest {
            sha256: format!("{:x}", Sha256::digest(&content)),
            bytes: content.len() as u64,
        };
        assert_eq!(digest, Some(expected));
        let (_, digest) = read_hashed(&path, false, |_| Ok(()))?;
        assert_eq!(digest, None);
        Ok(())
    }
}
