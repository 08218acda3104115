//! What a SQL snippet of the spec may be: a view or a database `query` is one SELECT, never a
//! statement that writes (checked by parsing, not by matching words).

use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Refuses anything but a single SELECT query.
pub fn ensure_select(sql_text: &str) -> std::result::Result<(), String> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql_text).map_err(|e| e.to_string())?;
    match statements.as_slice() {
        [Statement::Query(_)] => Ok(()),
        [other] => {
            let text = other.to_string();
            let kind: String = text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            Err(format!("only SELECT queries are allowed in a spec, found `{kind} …`"))
        }
        [] => Err("the SQL is empty".to_string()),
        _ => Err("write a single SELECT statement (no `;`-separated statements)".to_string()),
    }
}
