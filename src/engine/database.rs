//! Database sources (contract §6): each connected by its sibling (`database_postgres`,
//! `database_mysql`, `database_sqlite`) and registered here as a DataFusion table; errors met while
//! scanning are explained here, naming the source and the server.

use std::path::Path;
use std::sync::Arc;

use datafusion::datasource::TableProvider;
use datafusion::prelude::SessionContext;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::engine::database_fault::Fault;
use crate::engine::{database_mysql, database_postgres, database_sqlite};
use crate::input::sources::SourceInfo;
use crate::spec::database::{parse_url, Database, Target, UrlProblem};

/// An error met while scanning (after every source was registered): when it comes from a database,
/// say which source, which server and what to check, since the driver's words name neither.
pub fn explain_scan_error(sources: &[crate::spec::Source], err: Error) -> Error {
    let databases: Vec<(&str, &Database)> = sources
        .iter()
        .filter_map(|s| s.database.as_ref().map(|d| (s.name.as_str(), d)))
        .collect();
    let english = err.english();
    let lower = english.to_ascii_lowercase();
    let from_database = [
        "db error",
        "connection",
        "failed to fetch",
        "closed",
        "terminating",
        "postgres",
        "mysql",
        "sqlite",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if databases.is_empty() || !from_database || english.contains("source `") {
        return err;
    }
    let named: Vec<String> = databases
        .iter()
        .map(|(name, db)| format!("source `{name}` ({} at {})", db.shown, db.place()))
        .collect();
    err.with_suffix(msg(Key::ErrWhileReadingDatabase).arg("sources", named.join(", ")))
        .with_tip(msg(Key::ErrTipDatabaseDown))
}

/// What `profile` and `init` need besides a database URL (`--table`, `--password-env`).
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlArgs<'a> {
    pub table: Option<&'a str>,
    pub password_env: Option<&'a str>,
}

/// The `[source]` lines for a database URL given on the command line; a SQLite path there is
/// relative to the current folder, in the spec to the spec's (`spec_dir`).
pub fn source_lines(url: &str, spec_dir: Option<&Path>, args: UrlArgs) -> Result<String> {
    let (target, _) = parse_url(url, Path::new("")).map_err(|p| {
        Error::new(format!(
            "{}: {p}",
            if p == UrlProblem::Password { "the URL" } else { url }
        ))
        .with_tip(p.tip())
    })?;
    let Some(table) = args.table else {
        return Err(Error::new(format!("{url}: which table? a database URL needs --table"))
            .with_tip("add --table customers (or --table schema.customers)"));
    };
    let written = match target {
        Target::Sqlite { path } => {
            let absolute = std::path::absolute(&path).unwrap_or(path);
            let shown = spec_dir
                .and_then(|dir| crate::base::fs::relative_path(&absolute, dir))
                .unwrap_or_else(|| absolute.display().to_string());
            format!("sqlite:{shown}")
        }
        Target::Postgres { .. } | Target::Mysql { .. } => url.to_string(),
    };
    let quoted = |t: &str| toml::Value::String(t.to_string()).to_string();
    let mut lines = format!("url = {}\ntable = {}\n", quoted(&written), quoted(table));
    if let Some(var) = args.password_env {
        lines.push_str(&format!("password_env = {}\n", quoted(var)));
    }
    Ok(lines)
}

/// Connects, learns the relation's columns and registers it as table `name`.
pub async fn register(ctx: &SessionContext, name: &str, db: &Database, null_tokens: &[String]) -> Result<SourceInfo> {
    let password = db.password()?;
    let fault = Fault {
        name,
        db,
        password: password.as_deref(),
    };
    let provider: Arc<dyn TableProvider> = match &db.target {
        Target::Postgres {
            host,
            port,
            user,
            dbname,
            sslmode,
        } => {
            let server = database_postgres::Server {
                host,
                port: *port,
                user: user.as_deref(),
                dbname: dbname.as_deref(),
                sslmode: *sslmode,
            };
            database_postgres::provider(&fault, server).await?
        }
        Target::Mysql {
            host,
            port,
            user,
            dbname,
            ssl,
        } => {
            let server = database_mysql::Server {
                host,
                port: *port,
                user: user.as_deref(),
                dbname: dbname.as_deref(),
                ssl: *ssl,
            };
            database_mysql::provider(&fault, server).await?
        }
        Target::Sqlite { path } => database_sqlite::provider(&fault, path).await?,
    };
    // Declared null tokens apply to text columns, as for Parquet files.
    if null_tokens.is_empty() {
        ctx.register_table(name, provider)
            .map_err(|e| fault.error(msg(Key::ErrDbRegister), &e, Key::ErrTipDbRegister))?;
    } else {
        let frame = ctx
            .read_table(provider)
            .map_err(|e| fault.error(msg(Key::ErrDbRegister), &e, Key::ErrTipDbRegister))?;
        let frame = crate::input::sources::apply_null_tokens(frame, name, null_tokens)?;
        ctx.register_table(name, frame.into_view())
            .map_err(|e| fault.error(msg(Key::ErrDbRegister), &e, Key::ErrTipDbRegister))?;
    }
    Ok(SourceInfo {
        name: name.to_string(),
        format: match db.target {
            Target::Postgres { .. } => "postgres",
            Target::Mysql { .. } => "mysql",
            Target::Sqlite { .. } => "sqlite",
        },
        files: Vec::new(),
        rows: None,
        bad_rows: 0,
        bad_lines: Vec::new(),
        unclosed_quotes: Vec::new(),
        renamed_columns: Vec::new(),
        undecodable_rows: 0,
        undecodable_lines: Vec::new(),
        url: Some(db.shown.clone()),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::database::{MysqlSsl, SslMode};

    #[test]
    fn parses_postgres_urls() {
        let parsed = parse_url(
            "postgresql://auditor@db.example.org:6543/crm?sslmode=require",
            Path::new("."),
        );
        let target = Target::Postgres {
            host: "db.example.org".into(),
            port: 6543,
            user: Some("auditor".into()),
            dbname: Some("crm".into()),
            sslmode: SslMode::Require,
        };
        assert_eq!(
            parsed,
            Ok((target, "postgres://db.example.org:6543/crm?sslmode=require".to_string()))
        );
    }

    #[test]
    fn refuses_passwords_and_resolves_sqlite_paths() {
        assert_eq!(
            parse_url("postgres://a:s3cret@h/db", Path::new(".")),
            Err(UrlProblem::Password)
        );
        let target = Target::Sqlite {
            path: PathBuf::from("/specs/data/c.db"),
        };
        assert_eq!(
            parse_url("sqlite:data/c.db", Path::new("/specs")),
            Ok((target, "sqlite:data/c.db".to_string()))
        );
        assert_eq!(parse_url("oracle://h/db", Path::new(".")), Err(UrlProblem::Scheme));
    }

    #[test]
    fn parses_mysql_urls() {
        let target = Target::Mysql {
            host: "db.example.org".into(),
            port: 3306,
            user: Some("auditor".into()),
            dbname: Some("crm".into()),
            ssl: MysqlSsl::Required,
        };
        assert_eq!(
            parse_url("mysql://auditor@db.example.org/crm", Path::new(".")),
            Ok((target, "mysql://db.example.org:3306/crm".to_string()))
        );
        let parsed = parse_url("mysql://a@h:3307/crm?sslmode=disabled", Path::new("."));
        assert!(
            matches!(&parsed, Ok((Target::Mysql { port: 3307, ssl: MysqlSsl::Disabled, .. }, shown)) if shown == "mysql://h:3307/crm?sslmode=disabled"),
            "{parsed:?}"
        );
        assert_eq!(
            parse_url("mysql://a:s3cret@h/db", Path::new(".")),
            Err(UrlProblem::Password)
        );
        assert_eq!(
            parse_url("mysql://a@h/db?sslmode=require", Path::new(".")),
            Err(UrlProblem::MysqlSslMode("require".to_string()))
        );
    }
}
