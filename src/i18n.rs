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

/// Every key [`label`] knows, so a renderer can hand the whole catalogue to a template.
pub const LABEL_KEYS: [&str; 104] = [
    "rows",
    "field",
    "type",
    "missing",
    "invalid",
    "usable",
    "usability",
    "completeness",
    "validity",
    "distinct",
    "risk",
    "segment",
    "population",
    "members",
    "non_members",
    "undetermined",
    "segmentation",
    "exactly_one",
    "none",
    "several",
    "findings",
    "gate_passed",
    "gate_failed",
    "subject",
    "duplicate_keys",
    "fields",
    "risk_matrix",
    "no_findings",
    "worst",
    "fail_on",
    "tests",
    "passed",
    "failed",
    "status",
    "present",
    "absent",
    "suggestions",
    "field_map",
    "more_findings",
    "generated",
    "tool",
    "spec",
    "sources",
    "source",
    "path",
    "size",
    "format",
    "malformed_rows",
    "segments",
    "segmentations",
    "criteria",
    "criterion",
    "family",
    "declared",
    "observed",
    "field_profiles",
    "top_values",
    "shapes",
    "placeholders",
    "histogram",
    "gaps",
    "by_stratum",
    "spread",
    "overlaps",
    "coverage",
    "appendix",
    "spec_as_given",
    "sql_run",
    "rule",
    "expected",
    "actual",
    "test",
    "pii_hidden",
    "no_values",
    "mean",
    "median",
    "min",
    "max",
    "level",
    "code",
    "message",
    "everyone",
    "small_population",
    "not_read",
    "legend_members",
    "legend_undetermined",
    "legend_non_members",
    "other_fields",
    "value",
    "count",
    "gap_sentence",
    "of_undetermined",
    "size_interval",
    "smaller_groups",
    "other_groups",
    "small_groups",
    "outside",
    "heterogeneity",
    "co_missingness",
    "combination",
    "case_variants",
    "expand_all",
    "collapse_all",
    "decided_on_missing",
];

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
        "size_interval" => ("size (min–max)", "taille (min–max)"),
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
        "more_findings" => ("more in the JSON report", "de plus dans le rapport JSON"),
        "generated" => ("generated", "généré le"),
        "tool" => ("tool", "outil"),
        "spec" => ("spec", "spécification"),
        "sources" => ("sources", "sources"),
        "source" => ("source", "source"),
        "path" => ("path", "chemin"),
        "size" => ("size", "taille"),
        "format" => ("format", "format"),
        "malformed_rows" => ("malformed rows", "lignes mal formées"),
        "segments" => ("segments", "segments"),
        "segmentations" => ("segmentations", "segmentations"),
        "criteria" => ("criteria", "critères"),
        "criterion" => ("criterion", "critère"),
        "family" => ("family", "famille"),
        "declared" => ("declared", "déclaré"),
        "observed" => ("observed", "observé"),
        "field_profiles" => ("field profiles", "profils des champs"),
        "top_values" => ("top values", "valeurs fréquentes"),
        "shapes" => ("shapes", "formes"),
        "placeholders" => ("suspected placeholders", "manquants déguisés présumés"),
        "histogram" => (
            "distribution (equal-frequency bins)",
            "distribution (classes d'effectif égal)",
        ),
        "gaps" => (
            "gaps, by the undetermined customers they explain",
            "lacunes, selon les clients indéterminés qu'elles expliquent",
        ),
        "by_stratum" => ("usability by stratum", "exploitabilité par strate"),
        "spread" => ("spread", "écart"),
        "overlaps" => ("overlaps (members of both)", "chevauchements (membres des deux)"),
        "coverage" => ("coverage", "couverture"),
        "appendix" => ("appendix", "annexe"),
        "spec_as_given" => ("the spec as given", "la spécification telle que fournie"),
        "sql_run" => ("the SQL that produced the numbers", "le SQL qui a produit les chiffres"),
        "rule" => ("rule", "règle"),
        "expected" => ("expected", "attendu"),
        "actual" => ("actual", "obtenu"),
        "test" => ("test", "test"),
        "pii_hidden" => (
            "personal data: values are not shown",
            "donnée personnelle : les valeurs ne sont pas affichées",
        ),
        "no_values" => (
            "no value seen often enough to be shown",
            "aucune valeur assez fréquente pour être affichée",
        ),
        "mean" => ("mean", "moyenne"),
        "median" => ("median", "médiane"),
        "min" => ("min", "min"),
        "max" => ("max", "max"),
        "level" => ("level", "niveau"),
        "code" => ("code", "code"),
        "message" => ("message", "message"),
        "everyone" => ("every customer", "tous les clients"),
        "small_population" => (
            "small population: shares are imprecise",
            "petite population : proportions imprécises",
        ),
        "not_read" => ("not read by this segment", "non lu par ce segment"),
        "legend_members" => ("members", "membres"),
        "legend_undetermined" => ("undetermined", "indéterminés"),
        "legend_non_members" => ("non-members", "non-membres"),
        "other_fields" => ("other fields", "autres champs"),
        "value" => ("value", "valeur"),
        "count" => ("count", "nombre"),
        "gap_sentence" => ("not usable for", "inexploitable pour"),
        "of_undetermined" => ("of the undetermined customers", "des clients indéterminés"),
        "smaller_groups" => ("smaller groups", "groupes plus petits"),
        "other_groups" => ("other", "autres"),
        "small_groups" => ("small groups, pooled", "petits groupes, regroupés"),
        "outside" => ("usability outside the population", "exploitabilité hors population"),
        "heterogeneity" => (
            "heterogeneity: usability of each field across strata",
            "hétérogénéité : exploitabilité de chaque champ selon les strates",
        ),
        "co_missingness" => (
            "gaps that travel together (unusable segment fields, combined)",
            "lacunes qui vont ensemble (champs de segment inexploitables, combinés)",
        ),
        "combination" => ("unusable together", "inexploitables ensemble"),
        "case_variants" => ("case variants", "variantes de casse"),
        "expand_all" => ("expand all", "tout déplier"),
        "collapse_all" => ("collapse all", "tout replier"),
        // pt: "decididos sobre um valor em falta"
        "decided_on_missing" => ("decided on a missing value", "décidés sur une valeur manquante"),
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
    fn every_label_has_both_languages() {
        for key in LABEL_KEYS {
            assert_ne!(label(Lang::En, key), "?", "{key}");
            assert_ne!(label(Lang::Fr, key), "?", "{key}");
        }
    }

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
