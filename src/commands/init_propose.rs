//! What `segaudit init` proposes as comments (contract §10, issue 23): `applies_when` candidates (a
//! field missing on nearly all rows of one value of a low-cardinality column, found in one grouped
//! scan whatever the number of columns) and the `identity` columns that could find customers
//! registered twice under two keys.

use crate::base::error::Result;
use crate::engine::batch;
use crate::engine::columns::Col;
use crate::engine::sql;
use crate::engine::Engine;
use crate::measure::profile::FieldProfile;

use super::init_guess::{looks_personal, name_tokens};
use super::init_numbers::FieldNumbers;
use super::init_text::{column_in_sql, values_list, MIN_COUNT};

/// Columns with at most this many distinct values may condition another field (`applies_when`).
const MAX_CONDITION_VALUES: u64 = 20;

/// A low-cardinality column `applies_when` may read: its name as a predicate writes it, and the
/// values the written spec allows (`None`: any).
pub struct ByColumn {
    pub index: usize,
    pub in_sql: String,
    pub values: Option<Vec<String>>,
}

/// One group of the presence scan: attribute `by` (an index into the attributes) with `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub by: usize,
    pub value: String,
    pub rows: u64,
    /// Present rows of every scanned field, in order.
    pub present: Vec<u64>,
}

/// Rows and present rows per value of every `by` column (subject indexes), for every `fields`
/// column: one grouped scan.
pub async fn presence_scan(engine: &Engine, subject: &str, by: &[usize], fields: &[usize]) -> Result<Vec<Group>> {
    if by.is_empty() || fields.is_empty() {
        return Ok(Vec::new());
    }
    let columns: Vec<&str> = engine.columns.iter().map(String::as_str).collect();
    let statement = sql::presence_by_value(subject, &columns, by, fields);
    let batches = engine.query("looking for conditional fields", &statement).await?;
    let named = batch::named(&batches);
    let mut groups = Vec::new();
    for (b, r) in batch::rows(&named) {
        let mut found = None;
        for a in 0..by.len() {
            if let Some(value) = batch::text(b, &Col::ValueOf(a), r)? {
                found = Some((a, value));
            }
        }
        let Some((a, value)) = found else { continue };
        let present = (0..fields.len())
            .map(|k| batch::count(b, &Col::PresentIn(k), r))
            .collect::<Result<Vec<_>>>()?;
        groups.push(Group {
            by: a,
            value,
            rows: batch::count(b, &Col::Rows, r)?,
            present,
        });
    }
    Ok(groups)
}

/// An `applies_when` to propose, with the measured shares that suggest it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applies {
    pub predicate: String,
    pub comment: String,
}

/// Share of a field missing in the groups that make it not applicable.
const NOT_APPLICABLE_SHARE: f64 = 0.95;

fn percent(part: u64, whole: u64) -> String {
    if part == whole {
        "100%".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole.max(1) as f64)
    }
}

/// The `applies_when` for scanned field `k`, when some value(s) of one `by` column hold it missing on
/// ≥ 95 % of their rows and the other values present on most of theirs. Only values the spec allows
/// and seen at least `min_count` times are named (small cells); the attribute read best wins. The
/// field is subject column `field`: it never conditions itself.
pub fn applies_when(k: usize, field: usize, by: &[ByColumn], groups: &[Group], min_count: u64) -> Option<Applies> {
    let mut best: Option<(f64, u64, Applies)> = None;
    for (a, column) in by.iter().enumerate().filter(|(_, c)| c.index != field) {
        let allowed = |v: &str| column.values.as_ref().is_none_or(|list| list.iter().any(|x| x == v));
        let valued: Vec<&Group> = groups
            .iter()
            .filter(|g| g.by == a && !g.value.is_empty() && allowed(&g.value))
            .collect();
        let named: Vec<&Group> = valued.iter().copied().filter(|g| g.rows >= min_count).collect();
        let missing = |g: &Group| g.rows - g.present.get(k).copied().unwrap_or(0).min(g.rows);
        let (off, on): (Vec<&Group>, Vec<&Group>) = named
            .iter()
            .copied()
            .partition(|g| missing(g) as f64 >= NOT_APPLICABLE_SHARE * g.rows as f64);
        let on_rows: u64 = on.iter().map(|g| g.rows).sum();
        let on_present: u64 = on.iter().map(|g| g.present.get(k).copied().unwrap_or(0)).sum();
        if off.is_empty() || on.is_empty() || 2 * on_present <= on_rows {
            continue;
        }
        let off_rows: u64 = off.iter().map(|g| g.rows).sum();
        let off_missing: u64 = off.iter().map(|g| missing(g)).sum();
        let literal = |g: &&Group| sql::text_literal(&g.value);
        let predicate = if on.len() == 1 && valued.len() == 2 {
            format!("{} = {}", column.in_sql, literal(&on[0]))
        } else if off.len() == 1 {
            format!("{} <> {}", column.in_sql, literal(&off[0]))
        } else {
            let list: Vec<String> = off.iter().map(literal).collect();
            format!("{} NOT IN ({})", column.in_sql, list.join(", "))
        };
        let off_values: Vec<String> = off.iter().map(literal).collect();
        let comment = format!(
            "missing on {off_missing} of the {off_rows} rows where {} is {} ({}), present on {on_present} of the {on_rows} others ({})",
            column.in_sql,
            off_values.join(" or "),
            percent(off_missing, off_rows),
            percent(on_present, on_rows),
        );
        let score = on_present as f64 / on_rows as f64;
        if best
            .as_ref()
            .is_none_or(|(s, r, _)| score > *s || (score == *s && off_rows > *r))
        {
            best = Some((score, off_rows, Applies { predicate, comment }));
        }
    }
    best.map(|(_, _, a)| a)
}

/// Per field, the `applies_when` to propose: one grouped scan of every non-personal text column of
/// at most 20 values, counting the present rows of every field some rows miss (neither personal
/// nor the key), per value.
pub async fn applies_candidates(
    engine: &Engine,
    subject: &str,
    fields: &[FieldProfile],
    numbers: &[FieldNumbers],
    key: Option<&FieldProfile>,
    placeholders: &[String],
) -> Result<Vec<Option<Applies>>> {
    let is_key = |f: &FieldProfile| key.is_some_and(|k| k.name == f.name);
    let by: Vec<ByColumn> = fields
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            numbers[*i].field_type == "string"
                && f.distinct_exact
                && f.distinct.is_some_and(|d| (2..=MAX_CONDITION_VALUES).contains(&d))
                && !looks_personal(&f.name)
                && !f.pii
                && !is_key(f)
        })
        .map(|(i, f)| ByColumn {
            index: i,
            in_sql: column_in_sql(&f.name),
            values: values_list(f, f.rows, &numbers[i].field_type, placeholders),
        })
        .collect();
    let scanned: Vec<usize> = (0..fields.len())
        .filter(|&i| {
            let f = &fields[i];
            f.missing >= MIN_COUNT && f.missing < f.rows && !looks_personal(&f.name) && !f.pii && !is_key(f)
        })
        .collect();
    let indexes: Vec<usize> = by.iter().map(|b| b.index).collect();
    let groups = presence_scan(engine, subject, &indexes, &scanned).await?;
    let mut out = vec![None; fields.len()];
    for (k, &i) in scanned.iter().enumerate() {
        out[i] = applies_when(k, i, &by, &groups, MIN_COUNT);
    }
    Ok(out)
}

/// Words of names that are a person's (first, last or full name).
const NAME_WORDS: [&str; 10] = [
    "nom",
    "prenom",
    "name",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "nome",
    "sobrenome",
    "apelido",
];
/// Words that make a name a thing's, not a person's (`nom_agence`, `product_name`).
const THING_WORDS: [&str; 18] = [
    "agence",
    "agency",
    "agencia",
    "produit",
    "product",
    "produto",
    "entreprise",
    "company",
    "empresa",
    "societe",
    "ville",
    "city",
    "cidade",
    "fichier",
    "file",
    "region",
    "pays",
    "country",
];
const BIRTH_WORDS: [&str; 6] = ["naissance", "birth", "birthdate", "birthday", "nascimento", "dob"];
const PHONE_WORDS: [&str; 11] = [
    "telephone",
    "phone",
    "telefone",
    "tel",
    "mobile",
    "gsm",
    "portable",
    "celular",
    "telemovel",
    "msisdn",
    "whatsapp",
];
const EMAIL_WORDS: [&str; 3] = ["email", "mail", "courriel"];

/// The columns that could identify a person across keys: every name-like column, then the first
/// birth-date-like (typed date) and the first phone-like one, or an e-mail when there is no phone.
/// By name (French, English, Portuguese) and observed type; `None` for fewer than two columns.
pub fn identity_columns(fields: &[FieldProfile], key: Option<&str>) -> Option<Vec<String>> {
    let candidates: Vec<(&FieldProfile, Vec<String>)> = fields
        .iter()
        .filter(|f| Some(f.name.as_str()) != key)
        .map(|f| (f, name_tokens(&f.name)))
        .collect();
    let has = |tokens: &[String], words: &[&str]| tokens.iter().any(|t| words.contains(&t.as_str()));
    let typed = |f: &FieldProfile, types: &[&str]| types.contains(&f.observed_type.as_deref().unwrap_or("string"));
    let mut chosen: Vec<String> = candidates
        .iter()
        .filter(|(f, t)| has(t, &NAME_WORDS) && !has(t, &THING_WORDS) && typed(f, &["string"]))
        .map(|(f, _)| f.name.clone())
        .collect();
    let first = |words: &[&str], types: &[&str], personal: bool| {
        candidates
            .iter()
            .find(|(f, t)| has(t, words) && typed(f, types) && (!personal || looks_personal(&f.name)))
            .map(|(f, _)| f.name.clone())
    };
    chosen.extend(first(&BIRTH_WORDS, &["date", "timestamp"], false));
    // looks_personal leaves out `paiement_mobile`: a channel, not a number.
    match first(&PHONE_WORDS, &["string", "integer"], true) {
        Some(phone) => chosen.push(phone),
        None => chosen.extend(first(&EMAIL_WORDS, &["string"], true)),
    }
    (chosen.len() >= 2).then_some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(by: usize, value: &str, rows: u64, present: u64) -> Group {
        Group {
            by,
            value: value.into(),
            rows,
            present: vec![present],
        }
    }

    #[test]
    fn a_field_missing_for_one_value_applies_to_the_other() -> Result<(), &'static str> {
        let by = [ByColumn {
            index: 1,
            in_sql: "type_client".into(),
            values: Some(vec!["B2C".into(), "B2B".into()]),
        }];
        // B2C: 40 rows, 1 present (97.5 % missing); B2B 10 rows, 9 present; b2b (not allowed) ignored.
        let groups = [
            group(0, "B2C", 40, 1),
            group(0, "B2B", 10, 9),
            group(0, "b2b", 2, 0),
            group(0, "", 3, 0),
        ];
        let a = applies_when(0, 9, &by, &groups, 5).ok_or("a candidate")?;
        assert_eq!(a.predicate, "type_client = 'B2B'");
        assert_eq!(
            a.comment,
            "missing on 39 of the 40 rows where type_client is 'B2C' (97.5%), present on 9 of the 10 others (90.0%)"
        );
        // 94 % missing is not enough.
        assert_eq!(
            applies_when(0, 9, &by, &[group(0, "B2C", 50, 3), group(0, "B2B", 10, 9)], 5),
            None
        );
        // A value seen fewer than min_count times is never named.
        assert_eq!(
            applies_when(0, 9, &by, &[group(0, "B2C", 4, 0), group(0, "B2B", 10, 9)], 5),
            None
        );
        // Three values: the one that holds it missing is left out.
        let three = [ByColumn {
            index: 1,
            in_sql: "canal".into(),
            values: None,
        }];
        let groups = [
            group(0, "web", 20, 0),
            group(0, "agence", 10, 9),
            group(0, "USSD", 10, 10),
        ];
        let a = applies_when(0, 9, &three, &groups, 5).ok_or("a candidate")?;
        assert_eq!(a.predicate, "canal <> 'web'");
        Ok(())
    }
}
