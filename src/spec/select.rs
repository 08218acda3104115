//! What a SQL snippet of the spec may be: a view or a database `query` is one SELECT, never a
//! statement that writes, and never a call that changes the database or its session (checked by
//! parsing, not by matching words).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{visit_expressions, Expr, SetExpr, Statement};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::base::error::{msg, Text};
use crate::base::i18n::Key;

/// Functions that change state from inside a SELECT (a session setting, a sequence, a lock, a file, a
/// large object, another query run from text), on PostgreSQL, MySQL/MariaDB or SQLite. A read-only
/// session stops most writes, but `set_config('default_transaction_read_only', 'off', …)` turns it
/// off, and a sequence or an advisory lock is not a write to it.
const STATE_CHANGING: &[&str] = &[
    "set_config",
    "nextval",
    "setval",
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_cancel_backend",
    "pg_terminate_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_notify",
    "pg_logical_emit_message",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "lo_import",
    "lo_export",
    "lo_unlink",
    "lo_create",
    "lo_put",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "query_to_xml",
    "query_to_xml_and_xmlschema",
    "get_lock",
    "release_lock",
    "load_file",
    "load_extension",
    "writefile",
    "readfile",
];

/// Refuses anything but a single SELECT query that only reads.
pub fn ensure_select(sql_text: &str) -> std::result::Result<(), Text> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql_text).map_err(|e| Text::Verbatim(e.to_string()))?;
    match statements.as_slice() {
        [statement @ Statement::Query(query)] => {
            if !query.locks.is_empty() {
                return Err(msg(Key::ErrRowLocks));
            }
            if let SetExpr::Select(select) = query.body.as_ref() {
                if select.into.is_some() {
                    return Err(msg(Key::ErrSelectInto));
                }
            }
            ensure_reads_only(statement)
        }
        [other] => {
            let text = other.to_string();
            let kind: String = text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            Err(msg(Key::ErrOnlySelect).arg("kind", kind))
        }
        [] => Err(msg(Key::ErrEmptySql)),
        _ => Err(msg(Key::ErrOneStatement)),
    }
}

/// Refuses a call to one of [`STATE_CHANGING`], however qualified (`pg_catalog.set_config`) or cased.
fn ensure_reads_only(statement: &Statement) -> std::result::Result<(), Text> {
    let found = visit_expressions(statement, |expr| match expr {
        Expr::Function(function) => {
            let name = function.name.0.last().map(|part| part.to_string()).unwrap_or_default();
            let bare = name.trim_matches('"').to_lowercase();
            if STATE_CHANGING.contains(&bare.as_str()) {
                ControlFlow::Break(bare)
            } else {
                ControlFlow::Continue(())
            }
        }
        _ => ControlFlow::Continue(()),
    });
    match found {
        ControlFlow::Break(name) => Err(msg(Key::ErrStateChanging).arg("name", name)),
        ControlFlow::Continue(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_that_only_read_pass() {
        for sql in [
            "SELECT * FROM t",
            "SELECT lower(name), count(*) FROM t GROUP BY 1",
            "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        ] {
            assert_eq!(ensure_select(sql), Ok(()), "{sql}");
        }
    }

    #[test]
    fn state_changing_calls_locks_and_into_are_refused() {
        for (sql, needle) in [
            (
                "SELECT set_config('default_transaction_read_only', 'off', false)",
                "set_config()",
            ),
            ("SELECT *, pg_catalog.NEXTVAL('s') FROM t", "nextval()"),
            (
                "SELECT * FROM t WHERE pg_try_advisory_lock(1)",
                "pg_try_advisory_lock()",
            ),
            (
                "SELECT * FROM (SELECT \"set_config\"('a', 'b', false)) x",
                "set_config()",
            ),
            ("SELECT * FROM t FOR UPDATE", "FOR UPDATE"),
            ("SELECT * INTO copy FROM t", "INTO"),
        ] {
            let refused = ensure_select(sql).err().map(|t| t.english()).unwrap_or_default();
            assert!(refused.contains(needle), "{sql}: {refused:?}");
        }
    }
}
