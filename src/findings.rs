//! Findings (contract §5): which measurements cross a threshold, at which level, said in plain words
//! with the numbers, in the report's language.

use crate::i18n::{count, percent, pick};
use crate::report::{FieldMapEntry, FieldProfile, Finding, SegmentReport, SegmentationReport, TestResult};
use crate::risk::{share, Level};
use crate::spec::{Lang, Spec};

struct Sink<'a> {
    lang: Lang,
    spec: &'a Spec,
    out: Vec<Finding>,
}

impl Sink<'_> {
    fn push(
        &mut self,
        level: Level,
        code: &'static str,
        segment: Option<&str>,
        field: Option<&str>,
        en: String,
        fr: String,
    ) {
        if level == Level::Ok {
            return;
        }
        self.out.push(Finding {
            level,
            code,
            segment: segment.map(str::to_string),
            field: field.map(str::to_string),
            message: pick(self.lang, en, fr),
        });
    }
}

pub struct Inputs<'a> {
    pub sources: &'a [crate::sources::SourceInfo],
    pub rows: u64,
    pub duplicate_keys: Option<u64>,
    pub fields: &'a [FieldProfile],
    pub field_map: &'a [FieldMapEntry],
    pub segments: &'a [SegmentReport],
    pub segmentations: &'a [SegmentationReport],
    pub tests: &'a [TestResult],
}

pub fn collect(spec: &Spec, lang: Lang, inputs: &Inputs) -> Vec<Finding> {
    let mut sink = Sink {
        lang,
        spec,
        out: Vec::new(),
    };
    field_map(&mut sink, inputs.field_map);
    subject(&mut sink, inputs);
    for field in inputs.fields {
        field_findings(&mut sink, field);
    }
    for segment in inputs.segments {
        segment_findings(&mut sink, segment, inputs.rows);
    }
    for segmentation in inputs.segmentations {
        segmentation_findings(&mut sink, segmentation);
    }
    for test in inputs.tests.iter().filter(|t| !t.passed) {
        sink.push(
            Level::High,
            "test.failed",
            None,
            None,
            format!(
                "rule test \"{}\" failed: expected [{}], got [{}]",
                test.name,
                test.expected.join(", "),
                test.actual.join(", ")
            ),
            format!(
                "le test de règle « {} » a échoué : attendu [{}], obtenu [{}]",
                test.name,
                test.expected.join(", "),
                test.actual.join(", ")
            ),
        );
    }
    let mut findings = sink.out;
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
    findings
}

fn field_map(sink: &mut Sink, entries: &[FieldMapEntry]) {
    for entry in entries.iter().filter(|e| e.status == "missing") {
        let level = if entry.criteria.is_empty() && entry.segments.is_empty() {
            Level::High
        } else {
            Level::Critical
        };
        let used = if entry.criteria.is_empty() {
            String::new()
        } else {
            entry.criteria.join(", ")
        };
        let hint_en = if entry.suggestions.is_empty() {
            String::new()
        } else {
            format!("; close columns: {}", entry.suggestions.join(", "))
        };
        let hint_fr = if entry.suggestions.is_empty() {
            String::new()
        } else {
            format!(" ; colonnes proches : {}", entry.suggestions.join(", "))
        };
        let (by_en, by_fr) = if used.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(" (needed by criteria {used})"),
                format!(" (requis par les critères {used})"),
            )
        };
        sink.push(
            level,
            "field_map.missing",
            None,
            Some(&entry.name),
            format!("field {} is not in the subject{by_en}{hint_en}", entry.name),
            format!("le champ {} est absent du sujet{by_fr}{hint_fr}", entry.name),
        );
    }
}

fn subject(sink: &mut Sink, inputs: &Inputs) {
    let lang = sink.lang;
    if let Some(key) = &sink.spec.subject.key {
        let missing = inputs
            .fields
            .iter()
            .find(|f| f.name == key.value)
            .map_or(0, |f| f.missing);
        if missing > 0 {
            sink.push(
                Level::High,
                "subject.missing_keys",
                None,
                Some(&key.value),
                format!(
                    "{} rows have no {}: they cannot be traced to a customer",
                    count(lang, missing),
                    key.value
                ),
                format!(
                    "{} lignes n'ont pas de {} : elles ne peuvent être rattachées à un client",
                    count(lang, missing),
                    key.value
                ),
            );
        }
    }
    for source in inputs.sources {
        if source.bad_rows > 0 {
            let first = source.bad_lines.first().cloned().unwrap_or_default();
            sink.push(
                Level::Warn,
                "source.bad_rows",
                None,
                None,
                format!("{}: {} rows have too few or too many fields (first at {first}); they were kept, padded or cut", source.name, count(lang, source.bad_rows)),
                format!("{} : {} lignes ont trop ou trop peu de champs (première en {first}) ; elles sont conservées, complétées ou tronquées", source.name, count(lang, source.bad_rows)),
            );
        }
        if let Some(first) = source.unclosed_quotes.first() {
            sink.push(
                Level::High,
                "source.unclosed_quote",
                None,
                None,
                format!("{}: a quote opened at {first} is never closed: the rest of the file was read as one value, so rows are missing", source.name),
                format!("{} : un guillemet ouvert en {first} n'est jamais fermé : la fin du fichier a été lue comme une seule valeur, des lignes manquent", source.name),
            );
        }
        if !source.renamed_columns.is_empty() {
            let list = source.renamed_columns.join(", ");
            sink.push(
                Level::Warn,
                "source.renamed_columns",
                None,
                None,
                format!("{}: empty or repeated header names were renamed: {list}", source.name),
                format!(
                    "{} : des noms de colonnes vides ou répétés ont été renommés : {list}",
                    source.name
                ),
            );
        }
    }
    if let (Some(dups), Some(key)) = (inputs.duplicate_keys, &sink.spec.subject.key) {
        if dups > 0 {
            sink.push(
                Level::High,
                "subject.duplicate_keys",
                None,
                Some(&key.value),
                format!(
                    "{} rows repeat a {} already seen; the subject should have one row per customer",
                    count(lang, dups),
                    key.value
                ),
                format!(
                    "{} lignes répètent une valeur de {} déjà vue ; le sujet doit avoir une ligne par client",
                    count(lang, dups),
                    key.value
                ),
            );
        }
    }
}

fn field_findings(sink: &mut Sink, field: &FieldProfile) {
    let lang = sink.lang;
    let name = field.name.as_str();
    if field.declared && field.available {
        sink.push(
            sink.spec.risk.usability.level_when_low(field.usability),
            "field.usability",
            None,
            Some(name),
            format!(
                "{name} is usable for {} of {} rows ({}): {} missing, {} invalid",
                count(lang, field.usable),
                count(lang, field.rows),
                percent(lang, field.usability),
                count(lang, field.missing),
                count(lang, field.invalid)
            ),
            format!(
                "{name} est exploitable pour {} lignes sur {} ({}) : {} manquantes, {} invalides",
                count(lang, field.usable),
                count(lang, field.rows),
                percent(lang, field.usability),
                count(lang, field.missing),
                count(lang, field.invalid)
            ),
        );
    }
    if !field.suspected_placeholders.is_empty() {
        let list: Vec<String> = field
            .suspected_placeholders
            .iter()
            .map(|p| format!("\"{}\" ×{}", p.value, count(lang, p.count)))
            .collect();
        sink.push(
            Level::Warn,
            "field.placeholder",
            None,
            Some(name),
            format!(
                "{name} holds values that look like disguised missing values: {}",
                list.join(", ")
            ),
            format!(
                "{name} contient des valeurs qui ressemblent à des manquants déguisés : {}",
                list.join(", ")
            ),
        );
    }
    if field.mojibake > 0 {
        sink.push(
            Level::High,
            "field.mojibake",
            None,
            Some(name),
            format!("{} values of {name} look mis-decoded (Ã©, �): set `encoding` on the source (e.g. \"windows-1252\")", count(lang, field.mojibake)),
            format!("{} valeurs de {name} semblent mal décodées (Ã©, �) : renseignez `encoding` sur la source (ex. \"windows-1252\")", count(lang, field.mojibake)),
        );
    }
    mixed_formats(sink, field);
    case_variants(sink, field);
}

/// A date or timestamp field whose values need several shapes to cover 95 % (two date formats, say).
fn mixed_formats(sink: &mut Sink, field: &FieldProfile) {
    let lang = sink.lang;
    let present = field.rows.saturating_sub(field.missing);
    let dated = |t: Option<&str>| matches!(t, Some("date" | "timestamp"));
    if field.pii || present == 0 || field.shapes_for_95 == Some(1) {
        return;
    }
    if !dated(Some(field.field_type.as_str())) && !dated(field.observed_type.as_deref()) {
        return;
    }
    let mut covered = 0;
    let mut listed = Vec::new();
    for shape in &field.shapes {
        if covered as f64 >= 0.95 * present as f64 {
            break;
        }
        covered += shape.count;
        listed.push(format!(
            "{} ({})",
            shape.shape,
            percent(lang, share(shape.count, present))
        ));
    }
    if listed.len() < 2 {
        return;
    }
    let dominant = percent(lang, field.dominant_shape_share);
    let name = &field.name;
    let shapes = listed.join(", ");
    let n = listed.len();
    sink.push(
        Level::Warn,
        "field.mixed_formats",
        None,
        Some(name),
        format!("{name} mixes {n} formats: {shapes}; the dominant one covers {dominant}"),
        format!("{name} mélange {n} formats : {shapes} ; le principal couvre {dominant}"),
    );
}

/// Distinct values that differ only by case, accents or surrounding spaces.
fn case_variants(sink: &mut Sink, field: &FieldProfile) {
    let lang = sink.lang;
    let Some(first) = field.case_variants.first() else {
        return;
    };
    let name = &field.name;
    let variants: Vec<String> = first
        .variants
        .iter()
        .map(|v| format!("\"{}\" ×{}", v.value, count(lang, v.count)))
        .collect();
    let more = field.case_variants.len() - 1;
    let (more_en, more_fr) = if more > 0 {
        (
            format!(" (and {more} more groups)"),
            format!(" (et {more} autres groupes)"),
        )
    } else {
        (String::new(), String::new())
    };
    sink.push(
        Level::Warn,
        "field.case_variants",
        None,
        Some(name),
        format!(
            "{name} has values that differ only by case, accents or spaces: {}{more_en}",
            variants.join(", ")
        ),
        format!(
            "{name} a des valeurs qui ne diffèrent que par la casse, les accents ou les espaces : {}{more_fr}",
            variants.join(", ")
        ),
    );
}

fn segment_findings(sink: &mut Sink, segment: &SegmentReport, rows: u64) {
    let lang = sink.lang;
    let id = segment.id.as_str();
    let name = segment.label.clone().unwrap_or_else(|| id.to_string());
    let risk = sink.spec.risk;
    if segment.population_undetermined > 0 {
        let level = risk
            .undetermined
            .level_when_high(share(segment.population_undetermined, rows))
            .max(Level::Warn);
        sink.push(
            level,
            "segment.population_undetermined",
            Some(id),
            None,
            format!("{} rows cannot be placed in or out of the population of {name}: its population predicate is NULL for them", count(lang, segment.population_undetermined)),
            format!("{} lignes ne peuvent être placées dans ou hors de la population de {name} : son prédicat de population est NULL pour elles", count(lang, segment.population_undetermined)),
        );
    }
    let cause = segment
        .fields
        .iter()
        .max_by_key(|f| f.undetermined_rows)
        .filter(|f| f.undetermined_rows > 0);
    let (cause_en, cause_fr) = match cause {
        Some(f) if f.undetermined_rows == segment.undetermined => (
            format!("; {} is not usable for all of them", f.name),
            format!(" ; {} est inexploitable pour tous", f.name),
        ),
        Some(f) => (
            format!(
                "; {} is not usable for {} of them",
                f.name,
                count(lang, f.undetermined_rows)
            ),
            format!(
                " ; {} est inexploitable pour {} d'entre eux",
                f.name,
                count(lang, f.undetermined_rows)
            ),
        ),
        None => (String::new(), String::new()),
    };
    sink.push(
        risk.undetermined.level_when_high(segment.undetermined_share),
        "segment.undetermined",
        Some(id),
        None,
        format!(
            "{} of {} customers in the population ({}) cannot be classified as {name}{cause_en}; the segment holds {} to {}",
            count(lang, segment.undetermined), count(lang, segment.population), percent(lang, segment.undetermined_share), count(lang, segment.size_min), count(lang, segment.size_max)
        ),
        format!(
            "{} clients sur {} de la population ({}) ne peuvent être classés dans {name}{cause_fr} ; le segment compte entre {} et {} clients",
            count(lang, segment.undetermined), count(lang, segment.population), percent(lang, segment.undetermined_share), count(lang, segment.size_min), count(lang, segment.size_max)
        ),
    );
    decides_on_missing(sink, segment, &name);
    if segment.small_population {
        sink.push(
            Level::Warn,
            "segment.small_population",
            Some(id),
            None,
            format!(
                "the population of {name} has only {} rows (under {}): its shares are imprecise",
                count(lang, segment.population),
                risk.min_population
            ),
            format!(
                "la population de {name} ne compte que {} lignes (moins de {}) : ses proportions sont imprécises",
                count(lang, segment.population),
                risk.min_population
            ),
        );
    }
    for field in &segment.fields {
        sink.push(
            field.risk,
            "segment.field_usability",
            Some(id),
            Some(&field.name),
            format!(
                "{} is usable for {} of {} customers in the population of {name} ({})",
                field.name,
                count(lang, field.usable),
                count(lang, segment.population),
                percent(lang, field.usability)
            ),
            format!(
                "{} est exploitable pour {} clients sur {} de la population de {name} ({})",
                field.name,
                count(lang, field.usable),
                count(lang, segment.population),
                percent(lang, field.usability)
            ),
        );
    }
    for strata in &segment.strata {
        // The two groups the spread was measured between (before pooling, contract §3).
        let (Some(low), Some(high)) = (&strata.low, &strata.high) else {
            continue;
        };
        let min_count = sink.spec.min_count;
        let shown = |g: &crate::report::StratumExtreme| match (&g.value, g.pooled) {
            // A group under `min_count` rows is pooled in the report: it is not named here either.
            (_, true) => pick(
                lang,
                format!("(a group of fewer than {min_count} customers)"),
                format!("(un groupe de moins de {min_count} clients)"),
                // pt: "(um grupo de menos de {min_count} clientes)"
            ),
            (Some(v), false) => v.clone(),
            (None, false) => pick(lang, "(missing)".into(), "(manquant)".into()),
        };
        sink.push(
            strata.risk,
            "segment.strata_gap",
            Some(id),
            Some(&strata.field),
            format!(
                "{} is usable for {} of the population of {name} where {} = {} and {} where {} = {}",
                strata.field,
                percent(lang, low.usability),
                strata.by,
                shown(low),
                percent(lang, high.usability),
                strata.by,
                shown(high)
            ),
            format!(
                "{} est exploitable pour {} de la population de {name} quand {} = {} et {} quand {} = {}",
                strata.field,
                percent(lang, low.usability),
                strata.by,
                shown(low),
                percent(lang, high.usability),
                strata.by,
                shown(high)
            ),
        );
    }
}

/// `segment.decides_on_missing` (contract §9): rows classified although a field the rule tests for
/// absence is unknown. Three-valued logic counts them as decided, so `segment.undetermined` never sees them.
fn decides_on_missing(sink: &mut Sink, segment: &SegmentReport, name: &str) {
    use crate::absence::Predicate;
    let lang = sink.lang;
    let risk = sink.spec.risk;
    for field in &segment.fields {
        let Some(test) = &field.absence else { continue };
        if field.decided_on_missing == 0 {
            continue;
        }
        let decided_share = share(field.decided_on_missing, segment.population);
        let construct = test.test.sql();
        let (whose_en, whose_fr) = match test.predicate {
            Predicate::Population => ("its population", "sa population"),
            Predicate::Rule => ("its rule", "sa règle"),
        };
        let (case_en, case_fr) = if test.in_case {
            (" inside a CASE", " dans un CASE")
        } else {
            ("", "")
        };
        let (n, p, f) = (
            count(lang, field.decided_on_missing),
            percent(lang, decided_share),
            &field.name,
        );
        sink.push(
            risk.undetermined.level_when_high(decided_share),
            "segment.decides_on_missing",
            Some(&segment.id),
            Some(f),
            format!(
                "{name} classifies {n} customers ({p}) whose {f} is unknown, because {whose_en} tests {construct}{case_en}: they are counted as members or non-members on a value nobody recorded"
            ),
            format!(
                "{name} classe {n} clients ({p}) dont {f} est inconnu, car {whose_fr} teste {construct}{case_fr} : ils sont comptés membres ou non-membres sur une valeur que personne n'a saisie"
            ),
            // pt: "{name} classifica {n} clientes ({p}) cujo {f} é desconhecido, porque {a sua regra | a sua
            // população} testa {construct}{ dentro de um CASE}: são contados como membros ou não membros
            // com base num valor que ninguém registou"
        );
    }
}

fn segmentation_findings(sink: &mut Sink, s: &SegmentationReport) {
    let lang = sink.lang;
    let name = s.label.clone().unwrap_or_else(|| s.id.clone());
    if s.exclusive && s.several > 0 {
        let worst = s.overlaps.iter().max_by_key(|o| o.rows).filter(|o| o.rows > 0);
        let detail = worst
            .map(|o| format!(" ({} ∩ {}: {})", o.a, o.b, count(lang, o.rows)))
            .unwrap_or_default();
        sink.push(
            Level::High,
            "segmentation.overlap",
            None,
            None,
            format!(
                "{} customers fall in several segments of {name}, which should be exclusive{detail}",
                count(lang, s.several)
            ),
            format!(
                "{} clients tombent dans plusieurs segments de {name}, qui devraient être exclusifs{detail}",
                count(lang, s.several)
            ),
        );
    }
    if s.exhaustive && s.none > 0 {
        sink.push(
            Level::High,
            "segmentation.uncovered",
            None,
            None,
            format!("{} customers of the population fall in no segment of {name}, which should cover everyone", count(lang, s.none)),
            format!("{} clients de la population ne tombent dans aucun segment de {name}, qui devrait couvrir tout le monde", count(lang, s.none)),
        );
    }
}
