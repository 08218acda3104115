//! Renderers of the one [`crate::report::Report`]: JSON, terminal text, HTML. They return text or
//! write files; only the binary prints.

pub mod json;
pub mod terminal;

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `content` next to `path` then renames it into place, so a reader never sees half a report.
pub fn write_atomically(path: &Path, content: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(dir, &e).with_tip("choose an output folder you can write to (--out DIR)"))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(dir, &e).with_tip("choose an output folder you can write to (--out DIR)"))?;
    temp.write_all(content).map_err(|e| Error::io(path, &e))?;
    temp.persist(path).map_err(|e| Error::io(path, &e.error))?;
    Ok(())
}
