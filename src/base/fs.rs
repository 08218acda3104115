//! Files segaudit writes: always whole or not at all (temp file beside the target, then rename).

use std::io::Write;
use std::path::Path;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;

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
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".segaudit-");
        // Reports are shared documents: readable like any file the user writes (tempfile defaults to 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let mut temp = builder.tempfile_in(dir).map_err(|e| write_error(dir, &e))?;
        temp.write_all(content).map_err(|e| write_error(path, &e))?;
        temp.as_file().sync_all().map_err(|e| write_error(path, &e))?;
        temps.push((temp, *path));
    }
    for (temp, path) in temps {
        temp.persist(path).map_err(|e| write_error(path, &e.error))?;
        sync_folder(folder_of(path));
    }
    Ok(())
}

/// A failed write, with the tip its cause calls for: a full disk is not a permission problem, and
/// neither is a history folder an `--out` one.
pub fn write_error(path: &Path, err: &std::io::Error) -> Error {
    use std::io::ErrorKind;
    let tip = match err.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Key::ErrTipWriteFull,
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => Key::ErrTipWriteDenied,
        ErrorKind::NotADirectory | ErrorKind::IsADirectory => Key::ErrTipWriteMixup,
        _ => Key::ErrTipWriteOther,
    };
    let shown = path.display();
    Error::new(msg(Key::ErrWrite).arg("path", &shown).arg("reason", err)).with_tip(msg(tip).arg("path", shown))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tip_of(kind: std::io::ErrorKind) -> String {
        let error = write_error(Path::new("out/audit.json"), &std::io::Error::from(kind));
        error.render(crate::base::i18n::Lang::En)
    }

    #[test]
    fn a_write_error_tip_names_its_cause() {
        // A full disk used to get "check that the file is readable"; a read-only history "--out DIR".
        assert!(tip_of(std::io::ErrorKind::StorageFull).contains("is full"));
        assert!(tip_of(std::io::ErrorKind::PermissionDenied).contains("may not write out/audit.json"));
        assert!(tip_of(std::io::ErrorKind::ReadOnlyFilesystem).contains("may not write"));
        for kind in [std::io::ErrorKind::StorageFull, std::io::ErrorKind::PermissionDenied] {
            let text = tip_of(kind);
            assert!(!text.contains("readable") && !text.contains("--out"), "{text}");
        }
    }
}
