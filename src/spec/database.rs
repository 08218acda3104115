//! A database source as the spec declares it (contract §6): the URL parsed and checked (no password
//! in it), what it reads (a table or a SELECT), and where the password comes from. Connecting is the
//! engine's job (engine/database.rs).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Postgres {
        host: String,
        port: u16,
        user: Option<String>,
        dbname: Option<String>,
        sslmode: SslMode,
    },
    /// MySQL or MariaDB (one protocol, one driver).
    Mysql {
        host: String,
        port: u16,
        user: Option<String>,
        dbname: Option<String>,
        ssl: MysqlSsl,
    },
    Sqlite {
        path: PathBuf,
    },
}

/// TLS towards MySQL/MariaDB, in the driver's three modes. The default is `required` (encrypted, the
/// certificate checked): a login sent in clear over a network is what `password_env` protects against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MysqlSsl {
    Disabled,
    /// Encrypted, the certificate not checked (a server with a self-signed one).
    Preferred,
    Required,
}

impl MysqlSsl {
    pub fn parse(text: &str) -> Option<MysqlSsl> {
        Some(match text.to_ascii_lowercase().as_str() {
            "disabled" => MysqlSsl::Disabled,
            "preferred" => MysqlSsl::Preferred,
            "required" => MysqlSsl::Required,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MysqlSsl::Disabled => "disabled",
            MysqlSsl::Preferred => "preferred",
            MysqlSsl::Required => "required",
        }
    }
}

/// PostgreSQL's `sslmode`, as libpq spells it; the default is libpq's (`prefer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "prefer" | "allow" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// What a database source reads: a table (or view) or a SELECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    Table(String),
    Query(String),
}

/// A database source as the spec declares it, validated.
#[derive(Debug, Clone)]
pub struct Database {
    pub target: Target,
    /// The URL without credentials, for reports and messages.
    pub shown: String,
    pub relation: Relation,
    /// The environment variable holding the password.
    pub password_env: Option<String>,
}

/// Whether a `path`-less text looks like a database URL (for `profile` and `init`).
pub fn is_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("postgres://")
        || lower.starts_with("postgresql://")
        || lower.starts_with("mysql://")
        || lower.starts_with("sqlite:")
}

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// The URL embeds a password: it would end up in files, shells' history and reports.
    Password,
    Scheme,
    Malformed(String),
    SslMode(String),
    /// A MySQL URL's `sslmode` (the driver's values differ from libpq's).
    MysqlSslMode(String),
    UnknownParameter(String),
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlProblem::Password => write!(f, "the URL carries a password"),
            UrlProblem::Scheme => write!(f, "unknown database URL scheme"),
            UrlProblem::Malformed(why) => write!(f, "malformed database URL: {why}"),
            UrlProblem::SslMode(v) | UrlProblem::MysqlSslMode(v) => write!(f, "unknown sslmode {v:?}"),
            UrlProblem::UnknownParameter(p) => write!(f, "unknown URL parameter {p:?}"),
        }
    }
}

impl UrlProblem {
    /// The problem in the user's language (the `Display` form is the English one).
    pub fn text(&self) -> Text {
        match self {
            UrlProblem::Password => msg(Key::ErrUrlPassword),
            UrlProblem::Scheme => msg(Key::ErrUrlScheme),
            UrlProblem::Malformed(why) => msg(Key::ErrUrlMalformed).arg("why", why),
            UrlProblem::SslMode(v) | UrlProblem::MysqlSslMode(v) => {
                msg(Key::ErrUrlSslmode).arg("value", format!("{v:?}"))
            }
            UrlProblem::UnknownParameter(p) => msg(Key::ErrUrlParameter).arg("value", format!("{p:?}")),
        }
    }

    pub fn tip(&self) -> Text {
        msg(match self {
            UrlProblem::Password => Key::ErrTipUrlPassword,
            UrlProblem::Scheme | UrlProblem::Malformed(_) => Key::ErrTipUrl,
            UrlProblem::SslMode(_) => Key::ErrTipUrlSslmode,
            UrlProblem::MysqlSslMode(_) => Key::ErrTipUrlMysqlSslmode,
            UrlProblem::UnknownParameter(_) => Key::ErrTipUrlParameter,
        })
    }
}

/// A URL as reports may show it: without credentials, or a neutral word when it does not parse.
pub fn shown_url(url: &str) -> String {
    parse_url(url, Path::new("")).map_or_else(|_| "database".to_string(), |(_, shown)| shown)
}

/// Parses a source URL; a SQLite path is resolved against `dir` (the spec's folder).
pub fn parse_url(url: &str, dir: &Path) -> std::result::Result<(Target, String), UrlProblem> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("sqlite:") {
        let rest = &url["sqlite:".len()..];
        // `sqlite://PATH` and `sqlite:PATH` both name a file.
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        if rest.is_empty() {
            return Err(UrlProblem::Malformed("no file after sqlite:".to_string()));
        }
        return Ok((Target::Sqlite { path: dir.join(rest) }, format!("sqlite:{rest}")));
    }
    let mysql = lower.starts_with("mysql://");
    if !(mysql || lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return Err(UrlProblem::Scheme);
    }
    let parsed = url::Url::parse(url).map_err(|e| UrlProblem::Malformed(e.to_string()))?;
    if parsed.password().is_some() {
        return Err(UrlProblem::Password);
    }
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let host = match parsed.host_str() {
        Some(h) if !h.is_empty() => h.trim_start_matches('[').trim_end_matches(']').to_string(),
        _ => return Err(UrlProblem::Malformed("no host".to_string())),
    };
    let port = parsed.port().unwrap_or(if mysql { 3306 } else { 5432 });
    let user = Some(decode(parsed.username())).filter(|u| !u.is_empty());
    let dbname = Some(decode(parsed.path().trim_start_matches('/'))).filter(|d| !d.is_empty());
    if mysql {
        return parse_mysql(&parsed, host, port, user, dbname);
    }
    let mut sslmode = SslMode::Prefer;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "sslmode" => sslmode = SslMode::parse(&value).ok_or_else(|| UrlProblem::SslMode(value.to_string()))?,
            other => return Err(UrlProblem::UnknownParameter(other.to_string())),
        }
    }
    let mut shown = format!("postgres://{}:{port}", parsed.host_str().unwrap_or_default());
    if let Some(db) = &dbname {
        shown.push('/');
        shown.push_str(db);
    }
    if sslmode != SslMode::Prefer {
        shown.push_str("?sslmode=");
        shown.push_str(sslmode.as_str());
    }
    Ok((
        Target::Postgres {
            host,
            port,
            user,
            dbname,
            sslmode,
        },
        shown,
    ))
}

/// The rest of a `mysql://` URL: its one parameter, and how reports show it.
fn parse_mysql(
    parsed: &url::Url,
    host: String,
    port: u16,
    user: Option<String>,
    dbname: Option<String>,
) -> std::result::Result<(Target, String), UrlProblem> {
    let mut ssl = MysqlSsl::Required;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "sslmode" | "ssl-mode" => {
                ssl = MysqlSsl::parse(&value).ok_or_else(|| UrlProblem::MysqlSslMode(value.to_string()))?
            }
            other => return Err(UrlProblem::UnknownParameter(other.to_string())),
        }
    }
    let mut shown = format!("mysql://{}:{port}", parsed.host_str().unwrap_or_default());
    if let Some(db) = &dbname {
        shown.push('/');
        shown.push_str(db);
    }
    if ssl != MysqlSsl::Required {
        shown.push_str("?sslmode=");
        shown.push_str(ssl.as_str());
    }
    let target = Target::Mysql {
        host,
        port,
        user,
        dbname,
        ssl,
    };
    Ok((target, shown))
}

impl Database {
    /// "host:port" for a server, the file for SQLite: what a message names so the user knows where to look.
    pub fn place(&self) -> String {
        match &self.target {
            Target::Postgres { host, port, .. } | Target::Mysql { host, port, .. } => format!("{host}:{port}"),
            Target::Sqlite { path } => path.display().to_string(),
        }
    }

    pub fn password(&self) -> Result<Option<String>> {
        let Some(var) = &self.password_env else { return Ok(None) };
        match std::env::var(var) {
            Ok(p) => Ok(Some(p)),
            Err(_) => Err(Error::new(msg(Key::ErrPasswordEnvUnset).arg("var", var))
                .with_tip(msg(Key::ErrTipPasswordEnvUnset).arg("var", var))),
        }
    }
}
