//! The one error type: every failure carries what went wrong, where, and how to fix it.

use std::fmt;

/// A failure that stops segaudit from doing its job (exit code 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// What went wrong, naming the file, line/key and bad value.
    pub message: String,
    /// How to fix it, shown on a `tip:` line.
    pub tip: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            tip: None,
        }
    }

    pub fn with_tip(mut self, tip: impl Into<String>) -> Self {
        self.tip = Some(tip.into());
        self
    }

    /// Wraps an engine error met while doing `context`.
    pub fn engine(context: impl fmt::Display, err: impl fmt::Display) -> Self {
        Self::new(format!("{context}: {}", clean_engine_message(&err.to_string())))
    }

    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        let tip = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path; paths in a spec are relative to the spec file",
            std::io::ErrorKind::PermissionDenied => "make the file readable by this user (chmod +r)",
            _ => "check that the file is readable and not truncated",
        };
        Self::new(format!("{}: {err}", path.display())).with_tip(tip)
    }
}

/// DataFusion prefixes errors with layers of context ("Error during planning: ...");
/// users need the innermost sentence.
pub fn clean_engine_message(message: &str) -> String {
    let mut text = message.trim();
    for prefix in [
        "External error: ",
        "Error during planning: ",
        "Schema error: ",
        "SQL error: ",
        "This feature is not implemented: ",
        "Execution error: ",
        "Arrow error: ",
        "Optimizer rule 'optimize_projections' failed\ncaused by\n",
    ] {
        while let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim();
        }
    }
    // sqlparser wraps its sentence: ParserError("Expected: an expression, found: EOF").
    if let Some(inner) = text.strip_prefix("ParserError(\"").and_then(|t| t.strip_suffix("\")")) {
        return inner.to_string();
    }
    // "No field named lat. Did you mean '__segaudit_typed.late'?\nValid fields are ..." names internal views.
    if let Some(rest) = text.strip_prefix("No field named ") {
        let name = rest.split(['.', '\n']).next().unwrap_or(rest).trim_matches(['"', '\'']);
        return format!("no column named `{name}` in the subject");
    }
    text.to_string()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(tip) = &self.tip {
            write!(f, "\ntip: {tip}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
