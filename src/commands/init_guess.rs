//! The guesses `segaudit init` makes from names and values alone: which columns hold personal data,
//! whether the data is French (the report language), and which number-looking columns are codes that
//! must stay text (`08123` read as an integer would silently become 8123).

use crate::base::names::strip_accent;
use crate::measure::profile::FieldProfile;

/// The words of a column name, lower-cased and without accents: split at every non-alphanumeric
/// character and at camelCase humps (`phoneNumber` → `phone`, `number`).
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase().map(strip_accent));
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Words that name personal data when they are a whole word of the column name (`tel`, `nom`, not
/// `hotel`, `telecom`, `nombre_enfants`).
const PERSONAL_WORDS: [&str; 29] = [
    "email",
    "mail",
    "courriel",
    "phone",
    "telephone",
    "tel",
    "mobile",
    "gsm",
    "portable",
    "nom",
    "name",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "prenom",
    "adresse",
    "address",
    "cni",
    "passport",
    "passeport",
    "iban",
    "ssn",
    "nin",
    "identite",
    "dob",
    "birthname",
    "msisdn",
    "whatsapp",
];

/// Column names that usually hold personal data, matched word by word.
pub fn looks_personal(name: &str) -> bool {
    let tokens = name_tokens(name);
    // `e_mail`, `e-mail`: the two words together.
    if tokens.windows(2).any(|w| w[0] == "e" && w[1] == "mail") {
        return true;
    }
    // `paiement_mobile`, `mobile_banking`: "mobile" or "portable" qualifying a channel, not a number.
    let channel = tokens.iter().any(|t| CHANNEL_WORDS.contains(&t.as_str()));
    tokens
        .iter()
        .filter(|t| !(channel && (*t == "mobile" || *t == "portable")))
        .any(|t| PERSONAL_WORDS.contains(&t.as_str()))
}

/// Words that make `mobile` a channel: a payment, an app, a subscription.
const CHANNEL_WORDS: [&str; 12] = [
    "paiement",
    "payment",
    "pay",
    "banking",
    "money",
    "app",
    "application",
    "canal",
    "channel",
    "internet",
    "data",
    "abonnement",
];

/// Words of headers or values that are French (accents are counted separately).
const FRENCH_WORDS: [&str; 40] = [
    "naissance",
    "nom",
    "prenom",
    "adresse",
    "ville",
    "commune",
    "departement",
    "region",
    "pays",
    "sexe",
    "montant",
    "statut",
    "date",
    "oui",
    "non",
    "actif",
    "inactif",
    "resilie",
    "homme",
    "femme",
    "client",
    "clients",
    "numero",
    "annee",
    "mois",
    "jour",
    "paiement",
    "retard",
    "solde",
    "revenu",
    "agence",
    "particulier",
    "entreprise",
    "inconnu",
    "courriel",
    "telephone",
    "enfants",
    "nombre",
    "postal",
    "categorie",
];

/// Words that are English and not French, to weigh against the French ones.
const ENGLISH_WORDS: [&str; 24] = [
    "name",
    "birth",
    "city",
    "country",
    "amount",
    "status",
    "customer",
    "customers",
    "number",
    "year",
    "month",
    "day",
    "payment",
    "late",
    "balance",
    "income",
    "yes",
    "no",
    "active",
    "male",
    "female",
    "phone",
    "address",
    "zip",
];

fn has_french_accent(text: &str) -> bool {
    text.chars().any(|c| "éèêëàâçôûùîïœÉÈÊÀÂÇÔÛÙÎ".contains(c))
}

/// Whether the data looks French: its headers and most frequent values hold more French words and
/// accented letters than English words. `en`, the contract's default, otherwise.
pub fn looks_french(fields: &[FieldProfile]) -> bool {
    let (mut french, mut english) = (0usize, 0usize);
    let mut weigh = |text: &str| {
        if has_french_accent(text) {
            french += 1;
        }
        for token in name_tokens(text) {
            if FRENCH_WORDS.contains(&token.as_str()) && token != "date" {
                french += 1;
            }
            if ENGLISH_WORDS.contains(&token.as_str()) {
                english += 1;
            }
        }
    };
    for f in fields {
        weigh(&f.name);
        if !f.pii {
            for v in f.top_values.iter().filter(|v| v.value.chars().count() <= 40) {
                weigh(&v.value);
            }
        }
    }
    french >= 2 && french > english
}

/// Names that say a column holds a code, not a quantity.
fn code_like_name(name: &str) -> bool {
    name_tokens(name).iter().any(|t| {
        matches!(
            t.as_str(),
            "code"
                | "cp"
                | "zip"
                | "zipcode"
                | "postcode"
                | "postal"
                | "id"
                | "num"
                | "numero"
                | "number"
                | "prefix"
                | "prefixe"
                | "indicatif"
                | "siren"
                | "siret"
                | "insee"
                | "ref"
                | "reference"
        )
    })
}

/// The `(shortest, longest)` widths of the digit-only shapes of a field (`99999` → 5).
fn digit_widths(field: &FieldProfile) -> Option<(usize, usize)> {
    let widths: Vec<usize> = field
        .shapes
        .iter()
        .filter(|s| !s.shape.is_empty() && s.shape.bytes().all(|b| b == b'9'))
        .map(|s| s.shape.len())
        .collect();
    Some((*widths.iter().min()?, *widths.iter().max()?))
}

/// A column of digits that is a code, not a number: some values have leading zeros
/// (`leading_zeros` of them), or every value has the same width and the name says code (postcode,
/// id, prefix). Returns the `pattern` to write instead of `type = "integer"`.
pub fn code_pattern(field: &FieldProfile, leading_zeros: u64) -> Option<String> {
    let (shortest, longest) = digit_widths(field)?;
    let digits_only = field.shapes.iter().all(|s| s.shape.bytes().all(|b| b == b'9'));
    if !digits_only {
        return None;
    }
    let fixed = shortest == longest && shortest >= 2 && code_like_name(&field.name);
    if leading_zeros == 0 && !fixed {
        return None;
    }
    Some(if shortest == longest {
        format!("^[0-9]{{{shortest}}}$")
    } else {
        format!("^[0-9]{{{shortest},{longest}}}$")
    })
}

/// Keeps the first of values equal up to case, wherever they are (not only next to each other):
/// from values listed most frequent first, the dominant spelling of `B2C`/`b2c` stays, and the
/// variant is left to be counted invalid (issue 23).
pub fn dedup_all(values: &mut Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    values.retain(|v| {
        let folded = v.to_lowercase();
        if seen.contains(&folded) {
            false
        } else {
            seen.push(folded);
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_names_are_matched_word_by_word() {
        for name in [
            "email",
            "Email_Client",
            "e_mail",
            "tel",
            "num_tel",
            "telephone",
            "nom",
            "nom_client",
            "phoneNumber",
            "prénom",
            "first_name",
            "tel_mobile",
        ] {
            assert!(looks_personal(name), "{name}");
        }
        for name in [
            "hotel",
            "telecom",
            "nombre_enfants",
            "nombre",
            "region",
            "nominal",
            "paiement_mobile",
        ] {
            assert!(!looks_personal(name), "{name}");
        }
    }

    #[test]
    fn tokens_split_at_separators_and_humps() {
        assert_eq!(name_tokens("phoneNumber"), vec!["phone", "number"]);
        assert_eq!(name_tokens("date_naissance"), vec!["date", "naissance"]);
        assert_eq!(name_tokens("Région"), vec!["region"]);
    }

    #[test]
    fn dedup_keeps_the_first_of_every_value() {
        let mut v: Vec<String> = ["B2C", "B2B", "B2C", "b2c", "b2b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        dedup_all(&mut v);
        assert_eq!(v, vec!["B2C", "B2B"]);
    }
}
