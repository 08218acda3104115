//! A relation the database runs itself (a `query` source, or a MySQL table read through a SELECT
//! that gives its dates as the text a CSV export holds), registered as a DataFusion table whose
//! projection is pushed into the SQL sent. Which SQL is sent is the caller's: quoting differs by
//! database.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::sql::unparser::dialect::Dialect;
use datafusion_table_providers::sql::db_connection_pool::dbconnection::query_arrow;
use datafusion_table_providers::sql::db_connection_pool::DbConnectionPool;
use datafusion_table_providers::sql::sql_provider_datafusion::SqlExec;
use futures::StreamExt;

use crate::engine::database_fault::SCHEMA_TIMEOUT;

/// The SELECT sent for a scan of `columns` (DataFusion's projection), with an optional LIMIT.
pub type ScanSql = Box<dyn Fn(&[&str], Option<usize>) -> String + Send + Sync>;

pub struct QueryTable<T: 'static, P: 'static> {
    pub pool: Arc<dyn DbConnectionPool<T, P> + Send + Sync>,
    pub schema: SchemaRef,
    pub scan_sql: ScanSql,
    pub dialect: Arc<dyn Dialect + Send + Sync>,
}

impl<T, P> fmt::Debug for QueryTable<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryTable")
    }
}

/// A query's columns, learnt from its first row (`probe` returns at most one): drivers give the
/// types of the rows they return.
pub async fn learn_schema<T: 'static, P: 'static>(
    pool: &Arc<dyn DbConnectionPool<T, P> + Send + Sync>,
    probe: String,
) -> std::result::Result<SchemaRef, String> {
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
        Err(_) => return Err(format!("no answer within {} s", SCHEMA_TIMEOUT.as_secs())),
    };
    if schema.fields().is_empty() {
        return Err("the query returned no row, so its columns cannot be learnt".to_string());
    }
    Ok(schema)
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
        let sql = (self.scan_sql)(&columns, limit);
        Ok(Arc::new(SqlExec::new(
            projection,
            &self.schema,
            Arc::clone(&self.pool),
            sql,
            Arc::clone(&self.dialect),
        )?))
    }
}
