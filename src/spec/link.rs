//! `[[link]]` (contract §10): a column of one source or view whose values should be found in a
//! column of another, each written `table.column`. The table names are checked here, against the
//! declared sources and views; the columns, which only the data knows, by the engine.

use std::path::Path;

use toml::Spanned;

use super::model::LinkSpec;
use super::{loc_of, Located, Source, View};
use crate::base::error::{msg, Error, Result, Text};
use crate::base::i18n::Key;
use crate::base::names::did_you_mean;

/// One side of a link: a column of a source or view.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkEnd {
    /// `table.column` as the reports show it, located where the spec writes it.
    pub name: Located<String>,
    pub table: String,
    pub column: String,
    /// The source's `null_tokens` (contract §3). A view has none of its own: the sources it reads
    /// applied theirs when they were read.
    pub null_tokens: Vec<String>,
}

/// A validated `[[link]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: LinkEnd,
    pub to: LinkEnd,
    pub description: Option<String>,
}

impl Link {
    /// `from → to`, the link's name in messages and statements.
    pub fn name(&self) -> String {
        format!("{} → {}", self.from.name.value, self.to.name.value)
    }
}

/// "did you mean …?" when a candidate is close to `name`, else `fallback`; then the candidates,
/// listed by `list` (a sentence with `{list}`).
pub fn names_tip(name: &str, fallback: Text, list: Key, candidates: &[&str]) -> Text {
    let first = match did_you_mean(name, candidates.iter().copied()) {
        Some(good) => msg(Key::ErrTipDidYouMean).arg("good", good),
        None => fallback,
    };
    if candidates.is_empty() {
        return first;
    }
    Text::Seq(vec![first, msg(list).arg("list", candidates.join(", "))])
}

/// The place of `link[index].key` in the spec, as every spec error writes it.
pub fn place(path: &Path, name: &Located<String>, index: usize, key: &str) -> String {
    format!(
        "{}:{}:{}: `link[{index}].{key}`",
        path.display(),
        name.loc.line,
        name.loc.col
    )
}

/// Validates every `[[link]]`: each side names a declared source or view, a dot, then a column.
pub fn build(
    path: &Path,
    text: &str,
    raw: &[Spanned<LinkSpec>],
    sources: &[Source],
    views: &[View],
) -> Result<Vec<Link>> {
    let tables: Vec<(&str, &[String])> = sources
        .iter()
        .map(|s| (s.name.as_str(), s.null_tokens.as_slice()))
        .chain(views.iter().map(|v| (v.name.as_str(), &[] as &[String])))
        .collect();
    raw.iter()
        .enumerate()
        .map(|(i, spanned)| {
            let link = spanned.get_ref();
            let side = |key: &str, value: &Spanned<String>| {
                let located = Located {
                    value: value.get_ref().trim().to_string(),
                    loc: loc_of(text, value.span().start),
                };
                end(path, i, key, located, &tables)
            };
            Ok(Link {
                from: side("from", &link.from)?,
                to: side("to", &link.to)?,
                description: link.description.clone(),
            })
        })
        .collect()
}

fn end(
    path: &Path,
    index: usize,
    key: &str,
    written: Located<String>,
    tables: &[(&str, &[String])],
) -> Result<LinkEnd> {
    let value = written.value.as_str();
    let quoted = format!("{value:?}");
    // The longest declared name followed by a dot: a column name may itself hold dots.
    let table = tables
        .iter()
        .filter(|(name, _)| {
            value.len() > name.len() + 1 && value.starts_with(name) && value[name.len()..].starts_with('.')
        })
        .max_by_key(|(name, _)| name.len());
    let names: Vec<&str> = tables.iter().map(|(name, _)| *name).collect();
    let Some((table, tokens)) = table else {
        let error = match value.split_once('.') {
            Some((table, column)) if !table.is_empty() && !column.is_empty() => Error::at(
                place(path, &written, index, key),
                msg(Key::ErrNoSuchTable).arg("value", format!("{table:?}")),
            )
            .with_tip(names_tip(table, msg(Key::ErrTipLinkTable), Key::ErrTipKnown, &names)),
            _ => Error::at(
                place(path, &written, index, key),
                msg(Key::ErrLinkNotColumn).arg("value", &quoted),
            )
            .with_tip(msg(Key::ErrTipLinkNotColumn).arg("key", key).arg(
                "example",
                names.first().map_or("clients".to_string(), |n| n.to_string()),
            )),
        };
        return Err(error);
    };
    let column = &value[table.len() + 1..];
    // `pay."client id"`: the quotes a SQL reader would write are not part of the name.
    let column = column
        .strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .filter(|c| !c.is_empty())
        .unwrap_or(column);
    Ok(LinkEnd {
        name: Located {
            value: format!("{table}.{column}"),
            loc: written.loc,
        },
        table: table.to_string(),
        column: column.to_string(),
        null_tokens: tokens.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> Vec<(&'static str, &'static [String])> {
        let none: &'static [String] = &[];
        vec![("pay", none), ("pay.eu", none), ("clients", none)]
    }

    fn parse(value: &str) -> Result<LinkEnd> {
        let written = Located {
            value: value.to_string(),
            loc: crate::spec::Loc { line: 3, col: 8 },
        };
        end(Path::new("spec.toml"), 0, "from", written, &tables())
    }

    fn table_and_column(value: &str) -> Result<(String, String)> {
        parse(value).map(|side| (side.table, side.column))
    }

    #[test]
    fn a_side_is_the_longest_table_then_the_column() {
        let pair = |t: &str, c: &str| Ok((t.to_string(), c.to_string()));
        assert_eq!(table_and_column("pay.eu.client_id"), pair("pay.eu", "client_id"));
        assert_eq!(table_and_column("pay.client.id"), pair("pay", "client.id"));
        assert_eq!(table_and_column("clients.\"client id\""), pair("clients", "client id"));
        assert_eq!(
            parse("clients.\"client id\"").map(|side| side.name.value),
            Ok("clients.client id".to_string())
        );
    }

    #[test]
    fn a_side_without_a_column_or_with_an_unknown_table_teaches() {
        let error = parse("clients").err();
        assert_eq!(
            error.as_ref().and_then(|e| e.place.as_deref()),
            Some("spec.toml:3:8: `link[0].from`")
        );
        assert!(error.is_some_and(|e| e.message.english().contains("\"clients\"")));
        let error = parse("clyents.client_id").err();
        assert_eq!(
            error.as_ref().map(|e| e.message.english()).as_deref(),
            Some("no source or view is named \"clyents\"")
        );
        let tip = error.and_then(|e| e.tip).map(|t| t.english()).unwrap_or_default();
        assert!(
            tip.contains("did you mean `clients`?") && tip.contains("pay, pay.eu, clients"),
            "{tip}"
        );
    }
}
