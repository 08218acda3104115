//! What every database source shares when something goes wrong (contract §6): the time limits, the
//! error that names the source and the server but never the password, the driver's words reduced
//! to the ones that help, and the brief reachability probe run before any driver is asked.

use std::fmt;
use std::time::Duration;

use datafusion::common::TableReference;

use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;
use crate::spec::database::Database;

/// How long connecting (TCP, TLS, login) may take before the audit gives up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long learning a table's columns may take (connect included).
pub const SCHEMA_TIMEOUT: Duration = Duration::from_secs(20);

/// `schema.table` or `table`, each part optionally double-quoted, as DataFusion's reference.
pub fn table_reference(text: &str) -> TableReference {
    let unquote = |s: &str| s.trim().trim_matches('"').replace("\"\"", "\"");
    match text.split_once('.') {
        Some((schema, table)) => TableReference::partial(unquote(schema), unquote(table)),
        None => TableReference::bare(unquote(text)),
    }
}

/// Builds the errors of one source: `source `name` (URL at host:port): what: detail`, scrubbed.
pub struct Fault<'a> {
    pub name: &'a str,
    pub db: &'a Database,
    pub password: Option<&'a str>,
}

impl Fault<'_> {
    pub fn text(&self, what: Text, detail: Text, tip: Key) -> Error {
        let place = format!("source `{}` ({} at {})", self.name, self.db.shown, self.db.place());
        Error::at(
            scrub(&place, self.password),
            Text::Seq(vec![what, Text::Verbatim(": ".to_string()), detail]),
        )
        .with_tip(msg(tip))
    }

    /// The same with the driver's (or the system's) message as the detail.
    pub fn error(&self, what: Text, e: &dyn fmt::Display, tip: Key) -> Error {
        let detail = crate::base::error::clean_engine_message(&e.to_string());
        self.text(what, Text::Verbatim(scrub(&detail, self.password)), tip)
    }

    /// The table (or query) could not be read: the tip says what to check for that database.
    pub fn relation(&self, table: Option<&str>, e: &dyn fmt::Display, table_tip: Key) -> Error {
        match table {
            Some(table) => self.error(msg(Key::ErrDbTable).arg("table", format!("{table:?}")), e, table_tip),
            None => self.error(msg(Key::ErrDbQuery), e, Key::ErrTipDbQuery),
        }
    }

    /// Drivers' own reachability probes wait 30 s or more on a silent host: probe first, briefly.
    pub async fn probe(&self, host: &str, port: u16, tip: Key) -> Result<()> {
        let unreachable = || msg(Key::ErrDbUnreachable);
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host, port))).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.error(unreachable(), &e, tip)),
            Err(_) => Err(self.text(unreachable(), no_answer(CONNECT_TIMEOUT), tip)),
        }
    }
}

/// "no answer within N s".
pub fn no_answer(limit: Duration) -> Text {
    msg(Key::ErrDbNoAnswer).arg("seconds", limit.as_secs())
}

/// The driver's first line and its innermost cause: "db error" alone hides the server's own words
/// (`database "crm" does not exist`).
pub fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let first = err.to_string().lines().next().unwrap_or_default().trim().to_string();
    let mut cause: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let last = cause.to_string().lines().next().unwrap_or_default().trim().to_string();
    if last == first || last.is_empty() {
        first
    } else {
        format!("{first} {last}")
    }
}

/// Removes every occurrence of the password from a message (drivers may echo connection settings).
pub fn scrub(message: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => message.replace(p, "***"),
        _ => message.to_string(),
    }
}

/// A step bounded by [`SCHEMA_TIMEOUT`], its error as text.
pub async fn timed<T, E: fmt::Display>(
    future: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> std::result::Result<T, String> {
    match tokio::time::timeout(SCHEMA_TIMEOUT, future).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} s", SCHEMA_TIMEOUT.as_secs())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_schema_qualified_tables() {
        assert_eq!(
            table_reference("public.customers"),
            TableReference::partial("public", "customers")
        );
        assert_eq!(table_reference("\"My Table\""), TableReference::bare("My Table"));
    }

    #[test]
    fn scrubs_the_password() {
        assert_eq!(scrub("user=a password=s3cret", Some("s3cret")), "user=a password=***");
        assert_eq!(scrub("nothing", Some("")), "nothing");
    }
}
