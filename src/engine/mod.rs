//! Sets up DataFusion for one spec: sources, views (SELECT only), the subject and its typed,
//! cleaned view, the parsed segment predicates and the `[[link]]` columns checked. Nothing here
//! counts anything.

pub mod absence;
pub mod batch;
pub mod columns;
pub mod database;
mod database_fault;
mod database_mysql;
mod database_postgres;
mod database_query;
mod database_sqlite;
pub mod drift;
pub mod links;
mod plan;
pub mod safecast;
pub mod sql;
pub mod statuses;
pub mod typecheck;
pub mod udf;

pub use plan::ConditionPlan;

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::TableReference;
use datafusion::error::DataFusionError;
use datafusion::execution::config::SessionConfig;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::SessionContext;

use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;
use crate::base::names::did_you_mean;
use crate::input::sources::{self, SourceInfo, SourceRequest};
use crate::spec::fieldcheck::FieldRule;
use crate::spec::{Located, Spec};

/// How hard to work.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// Memory DataFusion may hold at once, in bytes; `None` = unbounded. Sorts and hash
    /// aggregations spill to the temporary folder beyond it; what cannot spill stops with an error.
    pub memory_limit: Option<usize>,
    /// Read only the headers of CSV sources (for `check`).
    pub schema_only: bool,
    /// Count every distinct text exactly, whatever `[report] exact_distinct_limit` says (`--exact`).
    pub exact: bool,
}

/// A segment's predicates, checked against the typed subject.
#[derive(Debug, Clone)]
pub struct SegmentPlan {
    pub population: Option<String>,
    pub rule: String,
    /// Every subject column the population or rule reads, in subject order (from the logical plan).
    pub fields: Vec<String>,
    /// The fields among them whose absence the population or rule tests (contract §9).
    pub absence: Vec<crate::engine::absence::AbsenceTest>,
    /// The segment's variants (contract §12), each planned as if it were the rule.
    pub variants: Vec<VariantPlan>,
}

/// A variant's rule, with the fields and absence tests of the population and that rule.
#[derive(Debug, Clone)]
pub struct VariantPlan {
    pub id: String,
    pub rule: String,
    pub fields: Vec<String>,
    pub absence: Vec<crate::engine::absence::AbsenceTest>,
}

/// A DataFusion session holding the spec's tables.
pub struct Engine {
    pub ctx: SessionContext,
    pub sources: Vec<SourceInfo>,
    /// Subject columns, in order.
    pub columns: Vec<String>,
    pub native_types: Vec<DataType>,
    /// One rule per subject column: the declared one or a plain one.
    pub rules: Vec<Arc<FieldRule>>,
    pub segments: Vec<SegmentPlan>,
    /// Every `applies_when` of a field the subject has (contract §10).
    pub conditions: Vec<ConditionPlan>,
    /// `[subject] identity` as subject column indexes (contract §10); empty when not set.
    pub identity: Vec<usize>,
    /// What the profile aggregate keeps per column (re-registered with a history's bins).
    pub profile_shape: udf::ProfileShape,
    /// Holds the converted CSV files for as long as the engine lives.
    _scratch: tempfile::TempDir,
}

pub fn new_context(threads: usize, memory_limit: Option<usize>) -> Result<SessionContext> {
    let mut config = SessionConfig::new()
        .set_bool("datafusion.sql_parser.enable_ident_normalization", false)
        .set_bool("datafusion.execution.collect_statistics", false)
        // `CAST(x AS VARCHAR)` of a text column must be a no-op, not a copy into string views.
        .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", false)
        // Parquet text read as plain strings, not string views: every column is read as text
        // (`CAST(… AS VARCHAR)`), and a view column would be copied once more by that cast.
        .set_bool("datafusion.execution.parquet.schema_force_view_types", false)
        // DataFusion 55 disagrees with itself on the nullability of `x IS TRUE` after common
        // subexpression elimination; the check is a sanity check, not a correctness one.
        .set_bool("datafusion.execution.skip_physical_aggregate_schema_check", true);
    if threads > 0 {
        config = config.with_target_partitions(threads);
    }
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(limit) = memory_limit {
        runtime = runtime.with_memory_limit(limit, 1.0);
    }
    let runtime = runtime
        .build_arc()
        .map_err(|e| Error::engine("setting up the query engine", e))?;
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .build();
    let ctx = SessionContext::new_with_state(state);
    ctx.add_analyzer_rule(std::sync::Arc::new(crate::engine::safecast::SafeTextCasts));
    Ok(ctx)
}

pub(crate) fn spec_err(spec: &Spec, located: &Located<String>, key: &str, message: impl Into<Text>) -> Error {
    Error::at(
        format!(
            "{}:{}:{}: `{key}`",
            spec.path.display(),
            located.loc.line,
            located.loc.col
        ),
        message,
    )
}

impl Engine {
    pub async fn open(spec: &Spec, options: RunOptions) -> Result<Engine> {
        let ctx = new_context(options.threads, options.memory_limit)?;
        let scratch = crate::base::scratch::create().map_err(|e| {
            Error::new(format!("cannot create a temporary folder: {e}"))
                .with_tip("set TMPDIR to a writable folder with free space")
        })?;
        let mut infos = Vec::new();
        for source in &spec.sources {
            if let Some(db) = &source.database {
                infos.push(database::register(&ctx, &source.name, db, &source.null_tokens).await?);
                continue;
            }
            let request = SourceRequest {
                name: &source.name,
                path: &source.resolved,
                shown: &source.path.value,
                format: source.format,
                csv: &source.csv,
                null_tokens: &source.null_tokens,
                schema_only: options.schema_only,
            };
            let info = sources::register(&ctx, &request, scratch.path()).await.map_err(|e| {
                e.with_suffix(
                    msg(Key::ErrInSource)
                        .arg("name", &source.name)
                        .arg("place", format!("{}:{}", spec.path.display(), source.path.loc.line)),
                )
            })?;
            infos.push(info);
        }
        register_views(&ctx, spec).await?;

        let subject_name = &spec.subject.table.value;
        let table = ctx
            .table(TableReference::bare(subject_name.as_str()))
            .await
            .map_err(|e| {
                spec_err(
                    spec,
                    &spec.subject.table,
                    "subject.table",
                    crate::base::error::clean_engine_message(&e.to_string()),
                )
            })?;
        let schema = table.schema().as_arrow().clone();
        let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let native_types = schema.fields().iter().map(|f| f.data_type().clone()).collect();
        let rules: Vec<Arc<FieldRule>> = columns
            .iter()
            .map(|c| Arc::new(spec.field(c).cloned().unwrap_or_else(|| FieldRule::plain(c))))
            .collect();
        let key_index = spec
            .subject
            .key
            .as_ref()
            .and_then(|k| columns.iter().position(|c| *c == k.value));
        let profile_shape = udf::ProfileShape {
            top: spec.top_values.max(10),
            key: key_index,
            exact_limit: if options.exact {
                usize::MAX
            } else {
                spec.exact_distinct_limit
            },
        };
        udf::register_all(&ctx, &rules, profile_shape, &spec.links);
        check_subject_columns(spec, &columns)?;
        let typed_sql = sql::typed_subject(subject_name, &columns);
        let typed = ctx
            .sql(&typed_sql)
            .await
            .map_err(|e| Error::engine("building the typed subject", e))?;
        ctx.register_table(sql::TYPED_SUBJECT, typed.into_view())
            .map_err(|e| Error::engine("building the typed subject", e))?;
        let typed_schema = ctx
            .table(sql::TYPED_SUBJECT)
            .await
            .map_err(|e| Error::engine("building the typed subject", e))?
            .schema()
            .clone();
        let segments = spec
            .segments
            .iter()
            .map(|s| plan::segment(&ctx, spec, s, &typed_schema, &columns))
            .collect::<Result<Vec<_>>>()?;
        let conditions = plan::conditions(&ctx, spec, &typed_schema, &columns)?;
        let identity = plan::identity(spec, &columns)?;
        links::check(&ctx, spec).await?;
        Ok(Engine {
            ctx,
            sources: infos,
            columns,
            native_types,
            rules,
            segments,
            conditions,
            identity,
            profile_shape,
            _scratch: scratch,
        })
    }

    /// Runs one statement and gathers its (small) result.
    pub async fn query(&self, purpose: &str, statement: &str) -> Result<Vec<RecordBatch>> {
        let frame = self
            .ctx
            .sql(statement)
            .await
            .map_err(|e| Error::engine(purpose, e).with_tip("run with --show-sql to see the statement"))?;
        frame.collect().await.map_err(|e| {
            let exhausted = matches!(e.find_root(), DataFusionError::ResourcesExhausted(_));
            let error = Error::engine(purpose, e);
            if exhausted {
                error.with_tip(
                    "the audit needs more memory than --memory-limit allows: raise it, or audit fewer high-cardinality columns",
                )
            } else {
                error.with_tip("run with --show-sql to see the statement")
            }
        })
    }

    /// Plans a statement without running it (for `check`).
    pub async fn plan(&self, purpose: &str, statement: &str) -> Result<()> {
        self.ctx
            .state()
            .create_logical_plan(statement)
            .await
            .map(|_| ())
            .map_err(|e| Error::engine(purpose, e))
    }
}

/// A spec key naming a column the subject lacks, with the closest one or the list.
pub(crate) fn no_column(spec: &Spec, located: &Located<String>, key: &str, columns: &[String]) -> Error {
    let tip = did_you_mean(&located.value, columns.iter().map(String::as_str)).map_or_else(
        || format!("columns: {}", columns.join(", ")),
        |g| format!("did you mean `{g}`?"),
    );
    spec_err(
        spec,
        located,
        key,
        format!("the subject has no column {:?}", located.value),
    )
    .with_tip(tip)
}

fn check_subject_columns(spec: &Spec, columns: &[String]) -> Result<()> {
    let named = spec
        .subject
        .key
        .iter()
        .map(|k| (k, "subject.key"))
        .chain(spec.subject.strata.iter().map(|s| (s, "subject.strata")));
    for (located, key) in named {
        if columns.contains(&located.value) {
            continue;
        }
        return Err(no_column(spec, located, key, columns));
    }
    Ok(())
}

async fn register_views(ctx: &SessionContext, spec: &Spec) -> Result<()> {
    for view in &spec.views {
        crate::spec::ensure_select(&view.sql.value).map_err(|m| {
            spec_err(spec, &view.sql, &format!("view.{}.sql", view.name), m)
                .with_tip("a view is a SELECT over sources and other views; segaudit never writes or changes data")
        })?;
    }
    // Views may name each other in any order: register what plans, until nothing more does.
    let options = datafusion::execution::context::SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let mut pending: Vec<&crate::spec::View> = spec.views.iter().collect();
    while !pending.is_empty() {
        let mut failures = Vec::new();
        let mut progressed = false;
        for view in pending {
            match ctx.sql_with_options(&view.sql.value, options).await {
                Ok(frame) => {
                    ctx.register_table(view.name.as_str(), frame.into_view())
                        .map_err(|e| Error::engine(format!("view `{}`", view.name), e))?;
                    progressed = true;
                }
                Err(e) => failures.push((view, crate::base::error::clean_engine_message(&e.to_string()))),
            }
        }
        if !progressed {
            let Some((view, message)) = failures.first() else { break };
            let names: Vec<&str> = failures.iter().map(|(v, _)| v.name.as_str()).collect();
            let tip = if message.contains("not found") && names.len() > 1 {
                format!("views {} depend on each other or on an unknown table; a view may only read sources and views that do not read it back", names.join(", "))
            } else if message.contains("not found") {
                format!(
                    "a view reads sources ({}) and other views by name",
                    spec.sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                "check the SQL; column names are written exactly as in the data, in double quotes when they have spaces"
                    .to_string()
            };
            return Err(spec_err(spec, &view.sql, &format!("view.{}.sql", view.name), message).with_tip(tip));
        }
        pending = failures.into_iter().map(|(v, _)| v).collect();
    }
    Ok(())
}
