//! SQLite sources (contract §6): the file opened read-only, its columns typed from their declarations,
//! a table through datafusion-table-providers' SQLite provider, a query as a [`QueryTable`].

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::TableProvider;
use datafusion::sql::unparser::dialect::SqliteDialect;
use datafusion_table_providers::sql::db_connection_pool::{DbConnectionPool, Mode};

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::engine::database_fault::{table_reference, timed, Fault, CONNECT_TIMEOUT};
use crate::engine::database_query::QueryTable;
use crate::spec::database::Relation;

/// The provider of a SQLite table or query in the file at `path`.
pub async fn provider(fault: &Fault<'_>, path: &Path) -> Result<Arc<dyn TableProvider>> {
    let db = fault.db;
    // The pool would create a missing file: an empty database is a typo, not data.
    if !path.is_file() {
        return Err(Error::at(
            format!("source `{}` ({})", fault.name, db.shown),
            msg(Key::ErrSqliteMissing).arg("path", path.display()),
        )
        .with_tip(msg(Key::ErrTipSqliteMissing)));
    }
    use datafusion_table_providers::sql::db_connection_pool::sqlitepool::SqliteConnectionPoolFactory;
    let table = match &db.relation {
        Relation::Table(table) => Some(table.as_str()),
        Relation::Query(_) => None,
    };
    // The provider would guess each column's type from the first row (a NULL there loses the
    // column): give it the declared types instead.
    let schema = sqlite_schema(path, &db.relation).map_err(|e| fault.relation(table, &e, Key::ErrTipDbTable))?;
    let mut factory = SqliteConnectionPoolFactory::new(&read_only_uri(path), Mode::File, CONNECT_TIMEOUT);
    if let Relation::Table(table) = &db.relation {
        factory = factory.with_schema(table_reference(table), Arc::clone(&schema));
    }
    let pool = factory
        .build()
        .await
        .map_err(|e| fault.error(msg(Key::ErrDbOpen), &e, Key::ErrTipDbOpen))?;
    let pool = Arc::new(pool);
    let dyn_pool: Arc<dyn DbConnectionPool<_, _> + Send + Sync> = pool.clone();
    Ok(match &db.relation {
        Relation::Table(table) => {
            let factory = datafusion_table_providers::sqlite::SqliteTableFactory::new(pool);
            timed(factory.table_provider(table_reference(table)))
                .await
                .map_err(|e| fault.relation(Some(table), &e, Key::ErrTipDbTable))?
        }
        Relation::Query(query) => {
            let query = query.trim().trim_end_matches(';').to_string();
            Arc::new(QueryTable {
                pool: dyn_pool,
                schema,
                scan_sql: Box::new(move |columns, limit| crate::engine::sql::query_scan(&query, columns, limit)),
                dialect: Arc::new(SqliteDialect {}),
            })
        }
    })
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
