//! PostgreSQL and SQLite sources (contract §6): a table or a SELECT read through
//! `datafusion-table-providers`, so DataFusion pushes projections (and, for tables, filters) down.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::TableReference;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use datafusion::sql::unparser::dialect::{Dialect, PostgreSqlDialect, SqliteDialect};
use datafusion_table_providers::sql::db_connection_pool::dbconnection::query_arrow;
use datafusion_table_providers::sql::db_connection_pool::{DbConnectionPool, Mode, StaticPasswordProvider};
use datafusion_table_providers::sql::sql_provider_datafusion::SqlExec;
use futures::StreamExt;
use secrecy::SecretString;

use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;
use crate::input::sources::SourceInfo;
use crate::spec::database::{parse_url, Database, Relation, Target, UrlProblem};

/// How long connecting (TCP, TLS, login) may take before the audit gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long learning a table's columns may take (connect included).
const SCHEMA_TIMEOUT: Duration = Duration::from_secs(20);

/// `schema.table` or `table`, each part optionally double-quoted, as DataFusion's reference.
pub fn table_reference(text: &str) -> TableReference {
    let unquote = |s: &str| s.trim().trim_matches('"').replace("\"\"", "\"");
    match text.split_once('.') {
        Some((schema, table)) => TableReference::partial(unquote(schema), unquote(table)),
        None => TableReference::bare(unquote(text)),
    }
}

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
        Target::Postgres { .. } => url.to_string(),
    };
    let quoted = |t: &str| toml::Value::String(t.to_string()).to_string();
    let mut lines = format!("url = {}\ntable = {}\n", quoted(&written), quoted(table));
    if let Some(var) = args.password_env {
        lines.push_str(&format!("password_env = {}\n", quoted(var)));
    }
    Ok(lines)
}

/// The driver's first line and its innermost cause: "db error" alone hides the server's own words
/// (`database "crm" does not exist`).
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
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
fn scrub(message: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => message.replace(p, "***"),
        _ => message.to_string(),
    }
}

/// Connects, learns the relation's columns and registers it as table `name`.
pub async fn register(ctx: &SessionContext, name: &str, db: &Database, null_tokens: &[String]) -> Result<SourceInfo> {
    let password = db.password()?;
    let fail_text = |what: Text, detail: Text, tip: Key| {
        let place = format!("source `{name}` ({} at {})", db.shown, db.place());
        Error::at(
            scrub(&place, password.as_deref()),
            Text::Seq(vec![what, Text::Verbatim(": ".to_string()), detail]),
        )
        .with_tip(msg(tip))
    };
    let fail = |what: Text, e: &dyn fmt::Display, tip: Key| {
        let detail = crate::base::error::clean_engine_message(&e.to_string());
        fail_text(what, Text::Verbatim(scrub(&detail, password.as_deref())), tip)
    };
    let provider: Arc<dyn TableProvider> = match &db.target {
        Target::Postgres {
            host,
            port,
            user,
            dbname,
            sslmode,
        } => {
            let tip = Key::ErrTipDbUnreachable;
            let unreachable = || msg(Key::ErrDbUnreachable);
            let no_answer = |seconds: u64| msg(Key::ErrDbNoAnswer).arg("seconds", seconds);
            // The pool's own reachability probe waits 30 s on a silent host: probe first, briefly.
            match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), *port))).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(fail(unreachable(), &e, tip)),
                Err(_) => return Err(fail_text(unreachable(), no_answer(CONNECT_TIMEOUT.as_secs()), tip)),
            }
            let mut settings = format!("host={host} port={port} connect_timeout={}", CONNECT_TIMEOUT.as_secs());
            if let Some(u) = user {
                settings.push_str(&format!(" user={u}"));
            }
            if let Some(d) = dbname {
                settings.push_str(&format!(" dbname={d}"));
            }
            settings.push_str(&format!(" sslmode={}", sslmode.as_str()));
            let mut params: HashMap<String, SecretString> = HashMap::new();
            params.insert("connection_string".to_string(), SecretString::from(settings));
            // An audit only reads: the session refuses writes whatever a query tries.
            params.insert(
                "options".to_string(),
                SecretString::from("-c default_transaction_read_only=on".to_string()),
            );
            use datafusion_table_providers::sql::db_connection_pool::postgrespool::PostgresConnectionPool;
            let connect = async {
                match &password {
                    Some(p) => {
                        PostgresConnectionPool::new_with_password_provider(
                            params,
                            Arc::new(StaticPasswordProvider::new(SecretString::from(p.clone()))),
                        )
                        .await
                    }
                    None => PostgresConnectionPool::new(params).await,
                }
            };
            let login_tip = Key::ErrTipDbLogin;
            let login = || msg(Key::ErrDbLogin);
            let pool = match tokio::time::timeout(SCHEMA_TIMEOUT, connect).await {
                Ok(Ok(pool)) => Arc::new(pool),
                Ok(Err(e)) => return Err(fail(login(), &innermost(&e), login_tip)),
                Err(_) => return Err(fail_text(login(), no_answer(SCHEMA_TIMEOUT.as_secs()), login_tip)),
            };
            let dyn_pool: Arc<dyn DbConnectionPool<_, _> + Send + Sync> = pool.clone();
            match &db.relation {
                Relation::Table(table) => {
                    let factory = datafusion_table_providers::postgres::PostgresTableFactory::new(pool);
                    timed(factory.table_provider(table_reference(table)))
                        .await
                        .map_err(|e| fail(msg(Key::ErrDbTable).arg("table", format!("{table:?}")), &e, TABLE_TIP))?
                }
                Relation::Query(query) => Arc::new(
                    QueryTable::new(dyn_pool, query, Arc::new(PostgreSqlDialect {}))
                        .await
                        .map_err(|e| fail(msg(Key::ErrDbQuery), &e, QUERY_TIP))?,
                ),
            }
        }
        Target::Sqlite { path } => {
            // The pool would create a missing file: an empty database is a typo, not data.
            if !path.is_file() {
                return Err(Error::at(
                    format!("source `{name}` ({})", db.shown),
                    msg(Key::ErrSqliteMissing).arg("path", path.display()),
                )
                .with_tip(msg(Key::ErrTipSqliteMissing)));
            }
            use datafusion_table_providers::sql::db_connection_pool::sqlitepool::SqliteConnectionPoolFactory;
            // The provider would guess each column's type from the first row (a NULL there loses the
            // column): give it the declared types instead.
            let schema = sqlite_schema(path, &db.relation).map_err(|e| match &db.relation {
                Relation::Table(table) => fail(msg(Key::ErrDbTable).arg("table", format!("{table:?}")), &e, TABLE_TIP),
                Relation::Query(_) => fail(msg(Key::ErrDbQuery), &e, QUERY_TIP),
            })?;
            let mut factory = SqliteConnectionPoolFactory::new(&read_only_uri(path), Mode::File, CONNECT_TIMEOUT);
            if let Relation::Table(table) = &db.relation {
                factory = factory.with_schema(table_reference(table), Arc::clone(&schema));
            }
            let pool = factory
                .build()
                .await
                .map_err(|e| fail(msg(Key::ErrDbOpen), &e, Key::ErrTipDbOpen))?;
            let pool = Arc::new(pool);
            let dyn_pool: Arc<dyn DbConnectionPool<_, _> + Send + Sync> = pool.clone();
            match &db.relation {
                Relation::Table(table) => {
                    let factory = datafusion_table_providers::sqlite::SqliteTableFactory::new(pool);
                    timed(factory.table_provider(table_reference(table)))
                        .await
                        .map_err(|e| fail(msg(Key::ErrDbTable).arg("table", format!("{table:?}")), &e, TABLE_TIP))?
                }
                Relation::Query(query) => Arc::new(QueryTable {
                    pool: dyn_pool,
                    query: query.trim().trim_end_matches(';').to_string(),
                    schema,
                    dialect: Arc::new(SqliteDialect {}),
                }),
            }
        }
    };
    // Declared null tokens apply to text columns, as for Parquet files.
    if null_tokens.is_empty() {
        ctx.register_table(name, provider)
            .map_err(|e| fail(msg(Key::ErrDbRegister), &e, Key::ErrTipDbRegister))?;
    } else {
        let frame = ctx
            .read_table(provider)
            .map_err(|e| fail(msg(Key::ErrDbRegister), &e, Key::ErrTipDbRegister))?;
        let frame = crate::input::sources::apply_null_tokens(frame, name, null_tokens)?;
        ctx.register_table(name, frame.into_view())
            .map_err(|e| fail(msg(Key::ErrDbRegister), &e, Key::ErrTipDbRegister))?;
    }
    Ok(SourceInfo {
        name: name.to_string(),
        format: match db.target {
            Target::Postgres { .. } => "postgres",
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

const TABLE_TIP: Key = Key::ErrTipDbTable;
const QUERY_TIP: Key = Key::ErrTipDbQuery;

async fn timed<T, E: fmt::Display>(
    future: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> std::result::Result<T, String> {
    match tokio::time::timeout(SCHEMA_TIMEOUT, future).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("no answer within 20 s".to_string()),
    }
}

/// The SQLite URI that opens `path` without ever changing it: `mode=ro`, and `immutable=1` unless a
/// `-wal` file shows a writer may be at work (an immutable reader would ignore its pages). The pool
/// switches a writable file to WAL journaling and so changes its bytes; a read-only connection
/// cannot, and a file the user may not write is audited all the same.
fn read_only_uri(path: &Path) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    // What would end or escape the path part of a URI.
    const PATH_PART: &AsciiSet = &CONTROLS.add(b'?').add(b'#').add(b'%').add(b' ');
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut wal = absolute.clone().into_os_string();
    wal.push("-wal");
    let immutable = if Path::new(&wal).exists() { "" } else { "&immutable=1" };
    let shown = absolute.to_string_lossy();
    format!("file:{}?mode=ro{immutable}", utf8_percent_encode(&shown, PATH_PART))
}

/// A SQLite table's or query's columns with the types their declarations give (SQLite's affinity
/// rules); an undeclared type (an expression in a query) is read as text.
fn sqlite_schema(path: &Path, relation: &Relation) -> std::result::Result<SchemaRef, String> {
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use rusqlite::OpenFlags;
    // Read-only: the temporary view below lives in the connection's temp schema, never in the file.
    let conn = rusqlite::Connection::open_with_flags(
        read_only_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| e.to_string())?;
    let (schema, table) = match relation {
        Relation::Table(table) => {
            let reference = table_reference(table);
            (
                reference.schema().unwrap_or("main").to_string(),
                reference.table().to_string(),
            )
        }
        Relation::Query(query) => {
            let query = query.trim().trim_end_matches(';');
            conn.execute_batch(&format!("CREATE TEMP VIEW segaudit_query AS {query}"))
                .map_err(|e| e.to_string())?;
            ("temp".to_string(), "segaudit_query".to_string())
        }
    };
    let mut statement = conn
        .prepare("SELECT name, type FROM pragma_table_info(?1, ?2)")
        .map_err(|e| e.to_string())?;
    let columns = statement
        .query_map([&table, &schema], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(|e| e.to_string())?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if columns.is_empty() {
        return Err(format!("no table or view named {table:?}"));
    }
    let fields: Vec<Field> = columns
        .into_iter()
        .map(|(name, declared)| {
            let upper = declared.to_ascii_uppercase();
            let data_type = if upper.contains("INT") {
                DataType::Int64
            } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
                DataType::Float64
            } else {
                DataType::Utf8
            };
            Field::new(name, data_type, true)
        })
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}

/// A SELECT run by the database as a derived table; DataFusion pushes the projection into it.
struct QueryTable<T: 'static, P: 'static> {
    pool: Arc<dyn DbConnectionPool<T, P> + Send + Sync>,
    query: String,
    schema: SchemaRef,
    dialect: Arc<dyn Dialect + Send + Sync>,
}

impl<T, P> fmt::Debug for QueryTable<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryTable")
    }
}

impl<T: 'static, P: 'static> QueryTable<T, P> {
    async fn new(
        pool: Arc<dyn DbConnectionPool<T, P> + Send + Sync>,
        query: &str,
        dialect: Arc<dyn Dialect + Send + Sync>,
    ) -> std::result::Result<Self, String> {
        let query = query.trim().trim_end_matches(';').to_string();
        // The columns come from the first row: drivers give the types of the rows they return.
        let probe = crate::engine::sql::query_probe(&query);
        let learn = async {
            let conn = pool.connect().await.map_err(|e| e.to_string())?;
            let mut stream = query_arrow(conn, probe, None).await.map_err(|e| e.to_string())?;
            let mut schema = stream.schema();
            if let Some(batch) = stream.next().await {
                schema = batch.map_err(|e| e.to_string())?.schema();
            }
            Ok::<_, String>(schema)
        };
        let schema = match tokio::time::timeout(SCHEMA_TIMEOUT, learn).await {
            Ok(r) => r?,
            Err(_) => return Err("no answer within 20 s".to_string()),
        };
        if schema.fields().is_empty() {
            return Err("the query returned no row, so its columns cannot be learnt".to_string());
        }
        Ok(QueryTable {
            pool,
            query,
            schema,
            dialect,
        })
    }
}

#[async_trait]
impl<T: 'static, P: 'static> TableProvider for QueryTable<T, P> {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let fields = self.schema.fields();
        let columns: Vec<&str> = match projection {
            Some(p) => p
                .iter()
                .filter_map(|&i| fields.get(i).map(|f| f.name().as_str()))
                .collect(),
            None => fields.iter().map(|f| f.name().as_str()).collect(),
        };
        let sql = crate::engine::sql::query_scan(&self.query, &columns, limit);
        Ok(Arc::new(SqlExec::new(
            projection,
            &self.schema,
            Arc::clone(&self.pool),
            sql,
            Arc::clone(&self.dialect),
        )?))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::database::SslMode;

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
        assert_eq!(parse_url("mysql://h/db", Path::new(".")), Err(UrlProblem::Scheme));
    }

    #[test]
    fn splits_schema_qualified_tables() {
        assert_eq!(
            table_reference("public.customers"),
            TableReference::partial("public", "customers")
        );
        assert_eq!(table_reference("\"My Table\""), TableReference::bare("My Table"));
    }
}
