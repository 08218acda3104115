//! The run's private scratch folder (decoded CSV copies hold every value of the data): readable by its
//! owner only, removed when the run ends, and swept at the next start when a killed run left it behind.

use std::path::Path;

/// Prefix of every scratch folder in the system temp dir; the owning process id follows it.
const PREFIX: &str = "segaudit-";

/// Creates `TMPDIR/segaudit-<pid>-XXXXXX` with mode 0700, after removing the folders of processes
/// that no longer run.
pub fn create() -> std::io::Result<tempfile::TempDir> {
    let temp = std::env::temp_dir();
    sweep_stale(&temp);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{PREFIX}{}-", std::process::id());
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir_in(&temp)
}

/// Removes `segaudit-<pid>-*` folders whose process is gone. Only where `/proc` tells which processes
/// run (Linux); a folder another user owns, or one that cannot be removed, is left alone.
fn sweep_stale(temp: &Path) {
    let proc_root = Path::new("/proc/self");
    if !proc_root.exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = owner_pid(&name.to_string_lossy()) else {
            continue;
        };
        if pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `segaudit-1234-AbC123` → 1234; any other name → None.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, random) = rest.split_once('-')?;
    if random.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scratch_names_carry_a_pid() {
        assert_eq!(owner_pid("segaudit-1234-AbC123"), Some(1234));
        assert_eq!(owner_pid("segaudit-out"), None);
        assert_eq!(owner_pid("segaudit-12a-x"), None);
        assert_eq!(owner_pid("segaudit-12-"), None);
        assert_eq!(owner_pid("other-12-x"), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = create().map_err(|e| e.to_string());
        let mode = dir
            .as_ref()
            .ok()
            .and_then(|d| std::fs::metadata(d.path()).ok())
            .map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode, Some(0o700));
    }
}
