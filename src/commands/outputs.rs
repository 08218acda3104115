//! Outputs that would destroy an input: every path a command is about to write is checked, before
//! anything runs, against the spec, its data files and folders, its SQLite files and the history folder.

use std::path::{Path, PathBuf};

use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;
use crate::spec::database::Target;
use crate::spec::Spec;

/// One thing a run reads, as the output check sees it.
enum Input {
    /// A file read whole (the spec, a data file, a SQLite database).
    File(PathBuf),
    /// A folder whose files are read (a directory source) or kept (the history).
    Folder(PathBuf),
    /// A glob source: any file it matches.
    Pattern(glob::Pattern, String),
}

/// Refuses (exit 2) an output that is one of the spec's inputs, lies inside a source folder or the
/// history folder, or matches a source's glob.
pub fn guard_outputs(spec: &Spec, history: Option<&Path>, outputs: &[&Path]) -> Result<()> {
    let inputs = inputs_of(spec, history);
    for output in outputs {
        let target = normal(output);
        for input in &inputs {
            if let Some(what) = clash(&target, input) {
                return Err(Error::new(
                    msg(Key::ErrOutputClash)
                        .arg("output", output.display())
                        .arg_text("what", what),
                )
                .with_tip(msg(Key::ErrTipOutputClash)));
            }
        }
    }
    Ok(())
}

fn inputs_of(spec: &Spec, history: Option<&Path>) -> Vec<Input> {
    let mut inputs = vec![Input::File(normal(&spec.path))];
    for source in &spec.sources {
        match &source.database {
            Some(db) => {
                if let Target::Sqlite { path } = &db.target {
                    inputs.push(Input::File(normal(path)));
                }
            }
            None if source.resolved.is_dir() => inputs.push(Input::Folder(normal(&source.resolved))),
            None => {
                let text = source.resolved.to_string_lossy().into_owned();
                let pattern = glob::Pattern::new(&normal_pattern(&source.resolved));
                match pattern {
                    Ok(pattern) if text.contains(['*', '?', '[']) => inputs.push(Input::Pattern(pattern, text)),
                    _ => inputs.push(Input::File(normal(&source.resolved))),
                }
            }
        }
    }
    // The folder on the command line and the spec's: a run may read one and keep the other.
    for dir in history.into_iter().chain(spec.history.as_deref()) {
        inputs.push(Input::Folder(normal(dir)));
    }
    inputs
}

/// What `target` would overwrite of `input`, in words; `None` when they do not meet.
fn clash(target: &Path, input: &Input) -> Option<Text> {
    match input {
        Input::File(file) => (target == file).then(|| msg(Key::ErrClashFile).arg("path", file.display())),
        Input::Folder(dir) => target
            .starts_with(dir)
            .then(|| msg(Key::ErrClashFolder).arg("path", dir.display())),
        Input::Pattern(pattern, text) => pattern
            .matches_path(target)
            .then(|| msg(Key::ErrClashPattern).arg("pattern", text)),
    }
}

/// A glob with its folders before the first wildcard resolved like [`normal`] (`data/*.csv` →
/// `/home/…/data/*.csv`), so it compares with resolved outputs.
fn normal_pattern(pattern: &Path) -> String {
    let wild = |part: &std::ffi::OsStr| part.to_string_lossy().contains(['*', '?', '[']);
    let parts: Vec<&std::ffi::OsStr> = pattern.iter().collect();
    let fixed = parts.iter().take_while(|p| !wild(p)).count();
    let prefix: PathBuf = parts[..fixed].iter().collect();
    let prefix = if prefix.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        prefix
    };
    let mut out = glob::Pattern::escape(&normal(&prefix).to_string_lossy());
    for part in &parts[fixed..] {
        out.push('/');
        out.push_str(&part.to_string_lossy());
    }
    out
}

/// The path as the file system resolves it (symbolic links, `..`), for a file that may not exist yet:
/// its folder resolved, its name kept.
fn normal(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => normal(parent).join(name),
        _ => absolute,
    }
}
