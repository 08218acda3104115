//! The field map: every field the spec names (in `[field]`, criteria, populations and rules), whether
//! the subject has it, declared vs observed type, and close names for the missing ones.

use crate::base::names::{close_names, fold};
use crate::measure::profile::FieldProfile;
use crate::spec::Spec;
use serde::Serialize;

/// Whether the subject has a field the spec names (JSON: `present` / `missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldStatus {
    Present,
    Missing,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldMapEntry {
    pub name: String,
    pub status: FieldStatus,
    pub declared: bool,
    pub declared_type: Option<String>,
    pub observed_type: Option<String>,
    pub criteria: Vec<String>,
    pub segments: Vec<String>,
    pub suggestions: Vec<String>,
}

/// Customer-data words and their usual French/English counterparts, so `income` suggests `revenu`.
const SYNONYMS: [&[&str]; 16] = [
    &["income", "revenu", "revenus", "salaire", "salary"],
    &["birthdate", "datenaissance", "datedenaissance", "dob", "naissance"],
    &["phone", "telephone", "tel", "mobile", "portable", "gsm"],
    &["email", "mail", "courriel", "adressemail"],
    &["address", "adresse"],
    &["city", "ville", "commune", "localite"],
    &["region", "province", "departement", "district"],
    &["name", "nom", "lastname", "nomdefamille"],
    &["firstname", "prenom"],
    &["gender", "sexe", "genre"],
    &["customertype", "typeclient", "segmentclient", "typedeclient"],
    &["channel", "canal"],
    &["country", "pays"],
    &["age", "ageclient"],
    &["consumption", "consommation", "conso"],
    &["avgdayslate", "retardmoyen", "joursderetard", "delaimoyen"],
];

fn synonyms_of(name: &str) -> Vec<&'static str> {
    let folded = fold(name);
    SYNONYMS
        .iter()
        .filter(|group| group.contains(&folded.as_str()))
        .flat_map(|g| g.iter().copied())
        .collect()
}

/// Close column names for a field the subject does not have.
pub fn suggestions(name: &str, columns: &[String]) -> Vec<String> {
    let mut found = close_names(name, columns.iter().map(String::as_str));
    let synonyms = synonyms_of(name);
    for column in columns {
        if synonyms.contains(&fold(column).as_str()) && !found.contains(column) {
            found.push(column.clone());
        }
    }
    found
}

pub fn build(
    spec: &Spec,
    columns: &[String],
    profiles: &[FieldProfile],
    segment_fields: &[(String, Vec<String>)],
) -> Vec<FieldMapEntry> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    };
    spec.fields.iter().for_each(|f| add(&f.name));
    spec.criteria.iter().flat_map(|c| &c.fields).for_each(|f| add(&f.value));
    segment_fields.iter().flat_map(|(_, fs)| fs).for_each(|f| add(f));
    names
        .into_iter()
        .map(|name| {
            let present = columns.contains(&name);
            let declared = spec.field(&name);
            FieldMapEntry {
                status: if present {
                    FieldStatus::Present
                } else {
                    FieldStatus::Missing
                },
                declared: declared.is_some(),
                declared_type: declared
                    .filter(|f| f.type_declared)
                    .map(|f| f.field_type.as_str().to_string()),
                observed_type: profiles
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.observed_type.clone()),
                criteria: spec
                    .criteria
                    .iter()
                    .filter(|c| c.fields.iter().any(|f| f.value == name))
                    .map(|c| c.id.clone())
                    .collect(),
                segments: segment_fields
                    .iter()
                    .filter(|(_, fs)| fs.contains(&name))
                    .map(|(id, _)| id.clone())
                    .collect(),
                suggestions: if present {
                    Vec::new()
                } else {
                    suggestions(&name, columns)
                },
                name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_translations_and_spellings() {
        let columns: Vec<String> = ["revenu", "Birth_Date", "region"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(suggestions("income", &columns), vec!["revenu"]);
        assert_eq!(suggestions("birth_date", &columns), vec!["Birth_Date"]);
    }
}
