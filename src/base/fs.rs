//! Files segaudit writes: always whole or not at all (temp file beside the target, then rename).

use std::io::Write;
use std::path::Path;

use crate::base::error::{Error, Result};

/// Writes `content` next to `path`, syncs it, then renames it into place and syncs the folder: a
/// reader never sees half a report, and a crash leaves the old file or the new one.
pub fn write_atomically(path: &Path, content: &[u8]) -> Result<()> {
    write_together(&[(path, content)])
}

/// Writes several files as one: each to a temporary file beside it, all synced, and only then all
/// renamed into place. A failure while writing (a full disk) leaves every target as it was; only a
/// failure between two renames, after all data is on disk, can leave some renamed.
pub fn write_together(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut temps = Vec::with_capacity(files.len());
    for (path, content) in files {
        let dir = folder_of(path);
        let unwritable =
            |e: std::io::Error| Error::io(dir, &e).with_tip("choose an output folder you can write to (--out DIR)");
        std::fs::create_dir_all(dir).map_err(unwritable)?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".segaudit-");
        // Reports are shared documents: readable like any file the user writes (tempfile defaults to 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let mut temp = builder.tempfile_in(dir).map_err(unwritable)?;
        temp.write_all(content).map_err(|e| Error::io(path, &e))?;
        temp.as_file().sync_all().map_err(|e| Error::io(path, &e))?;
        temps.push((temp, *path));
    }
    for (temp, path) in temps {
        temp.persist(path).map_err(|e| Error::io(path, &e.error))?;
        sync_folder(folder_of(path));
    }
    Ok(())
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Flushes a folder's entries (a rename) to disk; best effort where folders cannot be opened.
pub fn sync_folder(dir: &Path) {
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// `path` relative to `dir` when they share a root (`../data/x.csv`).
pub fn relative_path(path: &Path, dir: &Path) -> Option<String> {
    let dir = std::path::absolute(dir).ok()?;
    let path_parts: Vec<_> = path.components().collect();
    let dir_parts: Vec<_> = dir.components().collect();
    let common = path_parts.iter().zip(&dir_parts).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..dir_parts.len() {
        out.push("..");
    }
    path_parts[common..].iter().for_each(|p| out.push(p));
    Some(out.display().to_string())
}
