//! The risk matrix: segments × the fields they read, grouped by the criterion that needs them. On
//! screen one table; on paper page-wide blocks of columns, each repeating the segment column, so
//! no column is cut at the page's edge.

use serde::Serialize;

use super::cells::{cell, Cell};
use crate::base::i18n::{t as tr, Key};
use crate::report::Report;

/// A criterion's heading over the columns of its fields.
#[derive(Serialize, Clone)]
pub struct MatrixGroup {
    pub name: String,
    pub span: usize,
}

/// One segment's row: its id, its label and one cell per column (none when it does not read it).
#[derive(Serialize, Clone)]
pub struct MatrixRow {
    pub id: String,
    pub label: String,
    pub cells: Vec<Option<Cell>>,
}

/// A table of the matrix: its criterion headings, its field columns and a row per segment.
#[derive(Serialize, Clone)]
pub struct MatrixTable {
    pub groups: Vec<MatrixGroup>,
    pub fields: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Serialize)]
pub struct Matrix {
    /// The whole matrix (the screen's table).
    pub whole: MatrixTable,
    /// The same columns cut into blocks that fit an A4 page's width (the printed tables).
    pub blocks: Vec<MatrixTable>,
}

/// What a block of columns may hold, in characters of a 9.5 px font: an A4 page less its margins
/// and the segment column is about 560 px, 5.6 px a character of a bold header with its padding.
const BLOCK_WIDTH: usize = 96;
/// A column is never narrower than its cell's text, "100,0 % ● attention" on two lines.
const COLUMN_MIN: usize = 12;

fn column_width(field: &str) -> usize {
    field.chars().count().max(COLUMN_MIN) + 2
}

pub fn matrix(report: &Report) -> Matrix {
    let lang = report.lang;
    // Columns: fields grouped by the criterion that needs them, then the others.
    let mut fields: Vec<String> = Vec::new();
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let read: Vec<&str> = report
        .segments
        .iter()
        .flat_map(|s| s.fields.iter().map(|f| f.name.as_str()))
        .collect();
    for c in &report.criteria {
        let own: Vec<String> = c
            .fields
            .iter()
            .filter(|f| read.contains(&f.as_str()) && !fields.contains(f))
            .cloned()
            .collect();
        if !own.is_empty() {
            fields.extend(own.iter().cloned());
            groups.push((c.label.clone().unwrap_or_else(|| c.id.clone()), own));
        }
    }
    let mut others: Vec<String> = Vec::new();
    for f in read {
        if !fields.iter().any(|x| x == f) && !others.iter().any(|x| x == f) {
            others.push(f.to_string());
        }
    }
    if !others.is_empty() {
        fields.extend(others.iter().cloned());
        groups.push((tr(lang, Key::OtherFields).to_string(), others));
    }
    let table = |groups: &[(String, Vec<String>)]| {
        let fields: Vec<String> = groups.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
        MatrixTable {
            groups: groups
                .iter()
                .map(|(name, f)| MatrixGroup {
                    name: name.clone(),
                    span: f.len(),
                })
                .collect(),
            rows: report
                .segments
                .iter()
                .map(|s| MatrixRow {
                    id: s.id.clone(),
                    label: s.label.clone().unwrap_or_default(),
                    cells: fields
                        .iter()
                        .map(|name| {
                            s.fields
                                .iter()
                                .find(|f| &f.name == name)
                                .map(|f| cell(lang, f.usability, f.risk))
                        })
                        .collect(),
                })
                .collect(),
            fields,
        }
    };
    let blocks = blocks(&groups).iter().map(|b| table(b)).collect();
    Matrix {
        whole: table(&groups),
        blocks,
    }
}

/// Cuts the criterion groups into blocks no wider than [`BLOCK_WIDTH`], in order: a group stays in
/// one block when it fits in an empty one, and a group too wide for any block is cut between its
/// fields (its heading repeated).
fn blocks(groups: &[(String, Vec<String>)]) -> Vec<Vec<(String, Vec<String>)>> {
    let mut out: Vec<Vec<(String, Vec<String>)>> = Vec::new();
    let mut current: Vec<(String, Vec<String>)> = Vec::new();
    let mut used = 0;
    for (name, fields) in groups {
        let width: usize = fields.iter().map(|f| column_width(f)).sum();
        if used + width > BLOCK_WIDTH && !current.is_empty() && width <= BLOCK_WIDTH {
            out.push(std::mem::take(&mut current));
            used = 0;
        }
        for f in fields {
            let w = column_width(f);
            if used + w > BLOCK_WIDTH && !current.is_empty() {
                out.push(std::mem::take(&mut current));
                used = 0;
            }
            match current.last_mut() {
                Some((last, own)) if last == name => own.push(f.clone()),
                _ => current.push((name.clone(), vec![f.clone()])),
            }
            used += w;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, fields: &[&str]) -> (String, Vec<String>) {
        (name.to_string(), fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn blocks_keep_groups_whole_and_cut_only_what_cannot_fit() {
        // Widths: a 12-letter name counts 14; "montant_moyen_facture" (21) counts 23.
        let groups = [
            group("a", &["type_client", "milieu"]),
            group("b", &["montant_moyen_facture", "conso_mensuelle_kwh", "revenu_estime"]),
            group("c", &["canal", "paiement_mobile", "email"]),
        ];
        // a = 28, b = 23 + 21 + 15 = 59: 87 in the first block; c = 14 + 17 + 14 = 45 starts the second.
        let cut = blocks(&groups);
        let names: Vec<Vec<&str>> = cut.iter().map(|b| b.iter().map(|g| g.0.as_str()).collect()).collect();
        assert_eq!(names, [vec!["a", "b"], vec!["c"]]);
        // One group wider than a block is cut between its fields, its heading on both blocks.
        let wide: Vec<String> = (0..9).map(|i| format!("field_number_{i:02}")).collect();
        let wide = [(String::from("w"), wide)];
        let cut = blocks(&wide);
        assert_eq!(cut.len(), 2);
        // Each name has 15 letters, 17 wide: 5 × 17 = 85 fit, a sixth would make 102 > 96.
        assert_eq!((cut[0][0].1.len(), cut[1][0].1.len()), (5, 4));
        assert_eq!(cut[1][0].0, "w");
    }
}
