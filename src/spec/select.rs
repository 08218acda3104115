//! What a SQL snippet of the spec may be: a view or a database `query` is one SELECT, never a
//! statement that writes (checked by parsing, not by matching words).

use datafusion::sql::sqlparser::ast::Statement;

use crate::base::error::{msg, Text};
use crate::base::i18n::Key;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Refuses anything but a single SELECT query.
pub fn ensure_select(sql_text: &str) -> std::result::Result<(), Text> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql_text).map_err(|e| Text::Verbatim(e.to_string()))?;
    match statements.as_slice() {
        [Statement::Query(_)] => Ok(()),
        [other] => {
            let text = other.to_string();
            let kind: String = text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            Err(msg(Key::ErrOnlySelect).arg("kind", kind))
        }
        [] => Err(msg(Key::ErrEmptySql)),
        _ => Err(msg(Key::ErrOneStatement)),
    }
}
