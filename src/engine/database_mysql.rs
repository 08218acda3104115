//! MySQL and MariaDB sources (contract §6) through datafusion-table-providers' MySQL pool. A table
//! or a query is read as a SELECT the server runs, with DataFusion's projection pushed into it.
//! Dates, times and timestamps are read as the text the server writes for them (`2024-01-05`,
//! `2024-01-05 10:00:00`, `0000-00-00`), which is what a CSV export of the same rows holds: a zero
//! or partial date, legal in MySQL and frequent in old billing systems, is then counted invalid by a
//! declared `date` as it would be in the export, instead of becoming NULL or aborting the scan
//! (the driver has no date for `2024-00-00`).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::TableReference;
use datafusion::datasource::TableProvider;
use datafusion::sql::unparser::dialect::MySqlDialect;
use datafusion_table_providers::sql::db_connection_pool::dbconnection::get_schema;
use datafusion_table_providers::sql::db_connection_pool::mysqlpool::MySQLConnectionPool;
use datafusion_table_providers::sql::db_connection_pool::DbConnectionPool;
use secrecy::SecretString;

use crate::base::error::{msg, Result};
use crate::base::i18n::Key;
use crate::engine::database_fault::{innermost, no_answer, table_reference, timed, Fault, SCHEMA_TIMEOUT};
use crate::engine::database_query::{learn_schema, QueryTable};
use crate::spec::database::{MysqlSsl, Relation};

/// Where a MySQL source is and who logs in.
pub struct Server<'a> {
    pub host: &'a str,
    pub port: u16,
    pub user: Option<&'a str>,
    pub dbname: Option<&'a str>,
    pub ssl: MysqlSsl,
}

/// MySQL's identifier quote (ANSI double quotes are a string literal in MySQL's default mode, and
/// the provider removes every `"` from the SQL it sends).
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// `db.table` or `table` as MySQL writes it.
fn quoted_table(reference: &TableReference) -> String {
    [reference.schema(), Some(reference.table())]
        .into_iter()
        .flatten()
        .map(ident)
        .collect::<Vec<_>>()
        .join(".")
}

/// The SELECT of a scan: `columns` of `relation`, those in `as_text` as the server writes them.
pub fn scan_sql(relation: &str, columns: &[&str], as_text: &[String], limit: Option<usize>) -> String {
    let list = if columns.is_empty() {
        "1".to_string()
    } else {
        columns
            .iter()
            .map(|c| {
                if as_text.iter().any(|t| t == c) {
                    format!("CAST({} AS CHAR) AS {}", ident(c), ident(c))
                } else {
                    ident(c)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sql = format!("SELECT {list} FROM ({relation}) AS segaudit_query");
    if let Some(n) = limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    sql
}

/// The schema with every date, time and timestamp column turned into text, and those columns' names.
fn temporal_as_text(schema: &Schema) -> (SchemaRef, Vec<String>) {
    let mut as_text = Vec::new();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(..)
            | DataType::Time32(_)
            | DataType::Time64(_) => {
                as_text.push(f.name().clone());
                Field::new(f.name(), DataType::Utf8, true)
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    (Arc::new(Schema::new(fields)), as_text)
}

/// Connects (login checked), learns the relation's columns and returns its provider.
pub async fn provider(fault: &Fault<'_>, server: Server<'_>) -> Result<Arc<dyn TableProvider>> {
    fault.probe(server.host, server.port, Key::ErrTipMyUnreachable).await?;
    let mut params: HashMap<String, SecretString> = HashMap::new();
    let mut set = |k: &str, v: &str| {
        params.insert(k.to_string(), SecretString::from(v.to_string()));
    };
    set("host", server.host);
    set("tcp_port", &server.port.to_string());
    set("sslmode", server.ssl.as_str());
    if let Some(u) = server.user {
        set("user", u);
    }
    if let Some(d) = server.dbname {
        set("db", d);
    }
    if let Some(p) = fault.password {
        set("pass", p);
    }
    let login = || msg(Key::ErrDbLogin);
    let pool = match tokio::time::timeout(SCHEMA_TIMEOUT, MySQLConnectionPool::new(params)).await {
        Ok(Ok(pool)) => Arc::new(pool),
        Ok(Err(e)) => return Err(fault.error(login(), &innermost(&e), Key::ErrTipMyLogin)),
        Err(_) => return Err(fault.text(login(), no_answer(SCHEMA_TIMEOUT), Key::ErrTipMyLogin)),
    };
    let dyn_pool: Arc<dyn DbConnectionPool<_, _> + Send + Sync> = pool;
    let (relation, schema) = match &fault.db.relation {
        Relation::Table(table) => {
            let reference = table_reference(table);
            let learn = async {
                let conn = dyn_pool.connect().await.map_err(|e| e.to_string())?;
                get_schema(conn, &reference).await.map_err(|e| innermost(&e))
            };
            let schema = timed(learn)
                .await
                .map_err(|e| fault.relation(Some(table), &e, Key::ErrTipMyTable))?;
            (format!("SELECT * FROM {}", quoted_table(&reference)), schema)
        }
        Relation::Query(query) => {
            let query = query.trim().trim_end_matches(';').to_string();
            let schema = learn_schema(&dyn_pool, crate::engine::sql::query_probe(&query))
                .await
                .map_err(|e| fault.relation(None, &e, Key::ErrTipDbQuery))?;
            (query, schema)
        }
    };
    let (schema, as_text) = temporal_as_text(&schema);
    Ok(Arc::new(QueryTable {
        pool: dyn_pool,
        schema,
        scan_sql: Box::new(move |columns, limit| scan_sql(&relation, columns, &as_text, limit)),
        dialect: Arc::new(MySqlDialect {}),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_quote_with_backticks_and_read_dates_as_text() {
        let sql = scan_sql(
            "SELECT * FROM `crm`.`t`",
            &["id", "né le", "a`b"],
            &["né le".to_string()],
            Some(5),
        );
        assert_eq!(
            sql,
            "SELECT `id`, CAST(`né le` AS CHAR) AS `né le`, `a``b` FROM (SELECT * FROM `crm`.`t`) AS segaudit_query LIMIT 5"
        );
        assert_eq!(scan_sql("q", &[], &[], None), "SELECT 1 FROM (q) AS segaudit_query");
        assert_eq!(
            quoted_table(&TableReference::partial("crm", "clients")),
            "`crm`.`clients`"
        );
    }
}
