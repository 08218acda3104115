//! PostgreSQL sources (contract §6): a read-only session through datafusion-table-providers'
//! PostgreSQL pool; a table through its provider (filters and projections pushed down), a query as
//! a [`QueryTable`].

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::datasource::TableProvider;
use datafusion::sql::unparser::dialect::PostgreSqlDialect;
use datafusion_table_providers::sql::db_connection_pool::{DbConnectionPool, StaticPasswordProvider};
use secrecy::SecretString;

use crate::base::error::{msg, Result};
use crate::base::i18n::Key;
use crate::engine::database_fault::{
    innermost, no_answer, table_reference, timed, Fault, CONNECT_TIMEOUT, SCHEMA_TIMEOUT,
};
use crate::engine::database_query::{learn_schema, QueryTable};
use crate::spec::database::{Relation, SslMode};

/// Where a PostgreSQL source is and who logs in.
pub struct Server<'a> {
    pub host: &'a str,
    pub port: u16,
    pub user: Option<&'a str>,
    pub dbname: Option<&'a str>,
    pub sslmode: SslMode,
}

/// Connects (login checked), learns the relation's columns and returns its provider.
pub async fn provider(fault: &Fault<'_>, server: Server<'_>) -> Result<Arc<dyn TableProvider>> {
    let Server {
        host,
        port,
        user,
        dbname,
        sslmode,
    } = server;
    fault.probe(host, port, Key::ErrTipDbUnreachable).await?;
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
        match fault.password {
            Some(p) => {
                PostgresConnectionPool::new_with_password_provider(
                    params,
                    Arc::new(StaticPasswordProvider::new(SecretString::from(p.to_string()))),
                )
                .await
            }
            None => PostgresConnectionPool::new(params).await,
        }
    };
    let login = || msg(Key::ErrDbLogin);
    let pool = match tokio::time::timeout(SCHEMA_TIMEOUT, connect).await {
        Ok(Ok(pool)) => Arc::new(pool),
        Ok(Err(e)) => return Err(fault.error(login(), &innermost(&e), Key::ErrTipDbLogin)),
        Err(_) => return Err(fault.text(login(), no_answer(SCHEMA_TIMEOUT), Key::ErrTipDbLogin)),
    };
    let dyn_pool: Arc<dyn DbConnectionPool<_, _> + Send + Sync> = pool.clone();
    Ok(match &fault.db.relation {
        Relation::Table(table) => {
            let factory = datafusion_table_providers::postgres::PostgresTableFactory::new(pool);
            timed(factory.table_provider(table_reference(table)))
                .await
                .map_err(|e| fault.relation(Some(table), &e, Key::ErrTipDbTable))?
        }
        Relation::Query(query) => {
            let query = query.trim().trim_end_matches(';').to_string();
            let schema = learn_schema(&dyn_pool, crate::engine::sql::query_probe(&query))
                .await
                .map_err(|e| fault.relation(None, &e, Key::ErrTipDbQuery))?;
            Arc::new(QueryTable {
                pool: dyn_pool,
                schema,
                scan_sql: Box::new(move |columns, limit| crate::engine::sql::query_scan(&query, columns, limit)),
                dialect: Arc::new(PostgreSqlDialect {}),
            })
        }
    })
}
