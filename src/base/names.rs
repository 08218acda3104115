//! Name matching: did-you-mean for keys and close-name suggestions for missing fields.

/// Folds a name to compare it loosely: lower case, accents removed, separators dropped,
/// so `Birth_Date`, `birth date` and `birthdate` all fold to `birthdate`.
pub fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.' | '\t'))
        .flat_map(char::to_lowercase)
        .map(strip_accent)
        .collect()
}

/// Lower case and accent folding, keeping separators: used to group value variants.
pub fn fold_value(value: &str) -> String {
    value
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(strip_accent)
        .collect()
}

pub fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Candidates close enough to `wanted` to be what the user meant, closest first.
pub fn close_names<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let wanted_folded = fold(wanted);
    let mut scored: Vec<(usize, String)> = candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .filter_map(|candidate| {
            let folded = fold(candidate);
            let distance = edit_distance(&wanted_folded, &folded);
            let allowed = (wanted_folded.chars().count() / 3).clamp(1, 3);
            let contains = folded.len() >= 4
                && wanted_folded.len() >= 4
                && (folded.contains(&wanted_folded) || wanted_folded.contains(&folded));
            (distance <= allowed || contains).then(|| (distance, candidate.to_string()))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, name)| name).take(5).collect()
}

/// The single best did-you-mean for a key, if any is close.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    close_names(wanted, candidates).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_case_separator_and_spelling_variants() {
        let columns = ["Birth_Date", "birth date", "birthdate", "bith_date", "region"];
        let found = close_names("birth_date", columns);
        for expected in ["Birth_Date", "birth date", "birthdate", "bith_date"] {
            assert!(
                found.contains(&expected.to_string()),
                "{expected} missing from {found:?}"
            );
        }
        assert!(!found.contains(&"region".to_string()));
    }

    #[test]
    fn folds_accents() {
        assert_eq!(fold("Année_Naissance"), "anneenaissance");
        assert_eq!(did_you_mean("annee", ["année", "mois"]), Some("année".into()));
    }
}
