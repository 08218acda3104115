//! Words and number formats in English and French: every sentence a report shows comes from here.

use crate::risk::Level;
use crate::spec::Lang;

/// `174,239` (en) or `174 239` (fr).
pub fn count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::En => ',',
        Lang::Fr => ' ',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// `55.2%` (en) or `55,2 %` (fr); `–` when there is nothing to divide.
pub fn percent(lang: Lang, share: Option<f64>) -> String {
    let Some(share) = share else { return "–".to_string() };
    let text = format!("{:.1}", share * 100.0);
    match lang {
        Lang::En => format!("{text}%"),
        Lang::Fr => format!("{} %", text.replace('.', ",")),
    }
}

pub fn level(lang: Lang, level: Level) -> &'static str {
    match (lang, level) {
        (Lang::En, Level::Ok) => "ok",
        (Lang::En, Level::Warn) => "warn",
        (Lang::En, Level::High) => "high",
        (Lang::En, Level::Critical) => "critical",
        (Lang::Fr, Level::Ok) => "ok",
        (Lang::Fr, Level::Warn) => "attention",
        (Lang::Fr, Level::High) => "élevé",
        (Lang::Fr, Level::Critical) => "critique",
    }
}

/// A message catalogue entry: the English and the French text.
pub fn pick(lang: Lang, en: String, fr: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// Labels used by the terminal and HTML renderers.
pub fn label(lang: Lang, key: &str) -> &'static str {
    let (en, fr) = match key {
        "rows" => ("rows", "lignes"),
        "field" => ("field", "champ"),
        "type" => ("type", "type"),
        "missing" => ("missing", "manquants"),
        "invalid" => ("invalid", "invalides"),
        "usable" => ("usable", "exploitables"),
        "usability" => ("usability", "exploitabilité"),
        "completeness" => ("completeness", "complétude"),
        "validity" => ("validity", "validité"),
        "distinct" => ("distinct", "distincts"),
        "risk" => ("risk", "risque"),
        "segment" => ("segment", "segment"),
        "population" => ("population", "population"),
        "members" => ("members", "membres"),
        "non_members" => ("non-members", "non-membres"),
        "undetermined" => ("undetermined", "indéterminés"),
        "size" => ("size (min–max)", "taille (min–max)"),
        "segmentation" => ("segmentation", "segmentation"),
        "exactly_one" => ("exactly one", "un seul"),
        "none" => ("none", "aucun"),
        "several" => ("several", "plusieurs"),
        "findings" => ("findings", "constats"),
        "gate_passed" => ("gate passed", "contrôle réussi"),
        "gate_failed" => ("gate failed", "contrôle échoué"),
        "subject" => ("subject", "sujet"),
        "duplicate_keys" => ("duplicate keys", "clés en double"),
        "fields" => ("fields", "champs"),
        "risk_matrix" => (
            "risk matrix: usability of each field inside each segment's population",
            "matrice de risque : exploitabilité de chaque champ dans la population de chaque segment",
        ),
        "no_findings" => ("no findings", "aucun constat"),
        "worst" => ("worst level", "niveau le plus grave"),
        "fail_on" => ("fails on", "échoue à partir de"),
        "tests" => ("rule tests", "tests de règles"),
        "passed" => ("passed", "réussi"),
        "failed" => ("failed", "échoué"),
        "status" => ("status", "statut"),
        "present" => ("present", "présent"),
        "absent" => ("missing", "absent"),
        "suggestions" => ("suggestions", "suggestions"),
        "field_map" => ("field map", "cartographie des champs"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(count(Lang::Fr, 174_239), "174 239");
        assert_eq!(count(Lang::En, 174_239), "174,239");
        assert_eq!(count(Lang::En, 12), "12");
        assert_eq!(count(Lang::En, 1_000_000), "1,000,000");
        assert_eq!(percent(Lang::Fr, Some(0.5517)), "55,2 %");
        assert_eq!(percent(Lang::En, Some(0.5517)), "55.2%");
        assert_eq!(percent(Lang::En, None), "–");
    }
}
