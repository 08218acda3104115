//! `[[link]]` sides against the registered tables (contract §10): each side's column must be one of
//! its source's or view's columns. Checked when the engine opens, before any scan, so `check`
//! refuses a wrong column as `audit` does; and each link's one statement, for both to run or plan.

use datafusion::common::TableReference;
use datafusion::prelude::SessionContext;

use crate::base::error::{msg, Error, Result};
use crate::base::i18n::Key;
use crate::engine::sql::{self, LinkSide, SqlStatement};
use crate::engine::udf::link_text;
use crate::spec::link::{names_tip, place, Link};
use crate::spec::Spec;

/// Every link side names a column its table has.
pub async fn check(ctx: &SessionContext, spec: &Spec) -> Result<()> {
    for (i, link) in spec.links.iter().enumerate() {
        for (key, end) in [("from", &link.from), ("to", &link.to)] {
            let table = ctx
                .table(TableReference::bare(end.table.as_str()))
                .await
                .map_err(|e| Error::engine(format!("link `{}`", link.name()), e))?;
            let columns: Vec<&str> = table.schema().fields().iter().map(|f| f.name().as_str()).collect();
            if columns.contains(&end.column.as_str()) {
                continue;
            }
            return Err(Error::at(
                place(&spec.path, &end.name, i, key),
                msg(Key::ErrLinkNoSuchColumn)
                    .arg("table", &end.table)
                    .arg("value", format!("{:?}", end.column)),
            )
            .with_tip(names_tip(
                &end.column,
                msg(Key::ErrTipLinkColumn),
                Key::ErrTipLinkColumns,
                &columns,
            )));
        }
    }
    Ok(())
}

/// Link `index`'s statement (its purpose names the link).
pub fn statement(index: usize, link: &Link) -> SqlStatement {
    let (from_function, to_function) = (link_text::name(index, 0), link_text::name(index, 1));
    let from = LinkSide {
        table: &link.from.table,
        column: &link.from.column,
        function: &from_function,
    };
    let to = LinkSide {
        table: &link.to.table,
        column: &link.to.column,
        function: &to_function,
    };
    SqlStatement {
        purpose: format!("link {}", link.name()),
        sql: sql::link(&from, &to),
    }
}
