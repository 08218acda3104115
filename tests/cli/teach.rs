//! Spec errors that teach (contract §11): predicates type-checked before any scan, and errors and
//! tips in the spec's language (`--lang` wins), each naming the file, `line:col`, key and fix.

use crate::Case;

const DATA: &str = "id,prepaye,delai,region,date_contrat\n1,true,3,Nord,2021-03-01\n2,false,10,Sud,2019-05-02\n";

/// A French spec whose one segment has `rule` on line 15: `rule = "` puts the snippet's first
/// character at column 9.
fn case(lang: &str, rule: &str) -> Case {
    let spec = format!(
        "[audit]\nlang = \"{lang}\"\n[source.clients]\npath = \"clients.csv\"\n[subject]\ntable = \"clients\"\nkey = \"id\"\n\
         [field.prepaye]\ntype = \"boolean\"\n[field.delai]\ntype = \"integer\"\n[field.date_contrat]\ntype = \"date\"\n\
         [segment.a]\nrule = \"{rule}\"\n"
    );
    let case = Case::new(&spec);
    std::fs::write(case.path("clients.csv"), DATA).expect("write data");
    case
}

/// `check`, `audit` and `assign` all stop with exactly `expected` on stderr (exit 2), before any
/// output is written.
fn assert_refused(case: &Case, lang_arg: &[&str], expected: &str) {
    for command in [
        vec!["check", "spec.toml"],
        vec!["audit", "spec.toml", "--out", "out"],
        vec!["assign", "spec.toml", "--out", "assignment.csv"],
    ] {
        let mut args = command.clone();
        args.extend_from_slice(lang_arg);
        let run = case.run(&args);
        assert_eq!(run.code, 2, "{command:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim_end(), expected, "{command:?}");
        assert!(!case.path("out").exists() && !case.path("assignment.csv").exists());
    }
}

#[test]
fn a_boolean_compared_with_a_number() {
    let case = case("fr", "prepaye = 1");
    assert_refused(
        &case,
        &[],
        "error: spec.toml:15:9: `segment.a.rule`: `prepaye = 1` compare le booléen `prepaye` à un nombre : \
         cette condition n'est jamais vraie\ntip: écrivez `prepaye` ou `prepaye = true`",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: spec.toml:15:9: `segment.a.rule`: `prepaye = 1` compares the boolean `prepaye` with a number: \
         it can never be TRUE\ntip: write `prepaye` or `prepaye = true`",
    );
    // `<> 1` means false: the tip says so.
    let run = self::case("en", "prepaye <> 1").run(&["check", "spec.toml"]);
    assert!(
        run.stderr.ends_with("tip: write `NOT prepaye` or `prepaye = false`\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_number_compared_with_words() {
    let case = case("fr", "delai >= '7 jours'");
    assert_refused(
        &case,
        &[],
        "error: spec.toml:15:9: `segment.a.rule`: `delai >= '7 jours'` compare le nombre `delai` au texte '7 jours', \
         qui n'est pas un nombre : cette condition n'est jamais vraie\n\
         tip: écrivez le nombre seul, sans apostrophes ni unité : `delai >= 7`",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: spec.toml:15:9: `segment.a.rule`: `delai >= '7 jours'` compares the number `delai` with the text \
         '7 jours', which is not a number: it can never be TRUE\n\
         tip: write the number alone, without quotes or unit: `delai >= 7`",
    );
    // A quoted number is a number: no error.
    let run = self::case("fr", "delai >= '7'").run(&["check", "spec.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_text_field_compared_with_a_number() {
    let case = case("fr", "region = 3");
    assert_refused(
        &case,
        &[],
        "error: spec.toml:15:9: `segment.a.rule`: `region = 3` compare le champ texte `region` au nombre 3 : \
         cette condition n'est jamais vraie\ntip: mettez la valeur entre apostrophes, `region = '3'`, ou déclarez \
         type = \"integer\" (ou \"float\") sous [field.region] s'il contient des nombres",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: spec.toml:15:9: `segment.a.rule`: `region = 3` compares the text field `region` with the number 3: \
         it can never be TRUE\ntip: put the value in single quotes, `region = '3'`, or declare type = \"integer\" \
         (or \"float\") under [field.region] if it holds numbers",
    );
}

#[test]
fn a_date_compared_with_a_day_first_text() {
    // `prepaye AND ` is 12 characters: the comparison starts at column 9 + 12 = 21.
    let case = case("fr", "prepaye AND date_contrat > '01/01/2020'");
    assert_refused(
        &case,
        &[],
        "error: spec.toml:15:21: `segment.a.rule`: `date_contrat > '01/01/2020'` compare la date `date_contrat` au \
         texte '01/01/2020', qui n'est pas une date ISO (AAAA-MM-JJ) : cette condition n'est jamais vraie\n\
         tip: écrivez la date sous la forme DATE 'AAAA-MM-JJ' : `date_contrat > DATE '2020-01-01'`",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: spec.toml:15:21: `segment.a.rule`: `date_contrat > '01/01/2020'` compares the date `date_contrat` \
         with the text '01/01/2020', which is not an ISO date (YYYY-MM-DD): it can never be TRUE\n\
         tip: write the date as DATE 'YYYY-MM-DD': `date_contrat > DATE '2020-01-01'`",
    );
    let iso = self::case("fr", "prepaye AND date_contrat > '2020-01-01'").run(&["check", "spec.toml"]);
    assert_eq!(iso.code, 0, "{}", iso.stderr);
}

#[test]
fn aggregates_windows_and_unknown_operators() {
    let aggregate = case("en", "delai > avg(delai)");
    // `delai > ` is 8 characters: `avg` starts at column 17.
    assert_refused(
        &aggregate,
        &[],
        "error: spec.toml:15:17: `segment.a.rule`: `avg(delai)` uses the aggregate function `avg`: a population or \
         rule is tested on each customer's row alone\ntip: compare the row's own columns; for a total or an average \
         over customers, compute it in a [view.NAME] and make that view the subject",
    );
    let window = case("en", "row_number() OVER () < 10").run(&["check", "spec.toml"]);
    assert!(
        window.stderr.starts_with(
            "error: spec.toml:15:9: `segment.a.rule`: `row_number() OVER ()` uses the window function `row_number` (OVER)"
        ),
        "{}",
        window.stderr
    );
    let and = case("fr", "prepaye && delai > 3");
    assert_refused(
        &and,
        &[],
        "error: spec.toml:15:9: `segment.a.rule`: `prepaye && delai > 3` utilise l'opérateur `&&`, que le SQL de \
         segaudit ne connaît pas\ntip: écrivez AND : `prepaye AND delai > 3`",
    );
}

#[test]
fn a_population_is_checked_too_and_points_into_a_multi_line_snippet() {
    let case = case("en", "delai > 1");
    let spec = std::fs::read_to_string(case.path("spec.toml")).expect("spec");
    // The population's snippet starts on line 16 (after `"""` and its line break); `  AND ` puts
    // `region` at column 7 of line 17.
    std::fs::write(
        case.path("spec.toml"),
        format!("{spec}population = \"\"\"\nprepaye\n  AND region IN ('Nord', 2)\"\"\"\n"),
    )
    .expect("spec");
    let run = case.run(&["check", "spec.toml"]);
    assert!(
        run.stderr.starts_with(
            "error: spec.toml:18:7: `segment.a.population`: `region IN ('Nord', 2)` compares the text field `region` with the number 2"
        ),
        "{}",
        run.stderr
    );
}

/// Issue 22: a French spec's errors are French, name the file and line and end with a French tip;
/// `--lang en` gives the English ones, and Portuguese likewise.
#[test]
fn spec_errors_speak_the_spec_language() {
    let missing = case("fr", "delai > 1");
    std::fs::remove_file(missing.path("clients.csv")).expect("remove");
    let run = missing.run(&["audit", "spec.toml", "--out", "out"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: source `clients` : clients.csv n'existe pas (source `clients`, spec.toml:4)\n\
         tip: vérifiez `path` ; il est relatif au dossier du fichier de spécification"
    );
    let run = missing.run(&["audit", "spec.toml", "--out", "out", "--lang", "pt"]);
    assert!(
        run.stderr
            .ends_with("tip: verifique `path`; é relativo à pasta do ficheiro da especificação\n"),
        "{}",
        run.stderr
    );

    let unknown_key = case("fr", "delai > 1");
    let spec = std::fs::read_to_string(unknown_key.path("spec.toml")).expect("spec");
    std::fs::write(unknown_key.path("spec.toml"), spec.replace("rule =", "rulle =")).expect("spec");
    let run = unknown_key.run(&["check", "spec.toml"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: spec.toml:15:1: clé inconnue `rulle`\n\
         tip: vouliez-vous dire `rule` ? (clés admises ici : label, description, population, rule, segmentation, variants)"
    );
    let run = unknown_key.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: spec.toml:15:1: unknown key `rulle`\n\
         tip: did you mean `rule`? (allowed keys here: label, description, population, rule, segmentation, variants)"
    );

    // A TOML syntax error: the spec does not parse, its `lang = "fr"` line still decides.
    let syntax = case("fr", "delai > 1");
    let spec = std::fs::read_to_string(syntax.path("spec.toml")).expect("spec");
    std::fs::write(syntax.path("spec.toml"), spec.replace("[field.delai]", "[field.delai")).expect("spec");
    let run = syntax.run(&["check", "spec.toml"]);
    assert!(run.stderr.starts_with("error: spec.toml:10:"), "{}", run.stderr);
    assert!(
        run.stderr
            .ends_with("tip: vérifiez la syntaxe TOML et le type de la clé dans docs/spec.md\n"),
        "{}",
        run.stderr
    );

    let bad_type = case("pt", "delai > 1");
    let spec = std::fs::read_to_string(bad_type.path("spec.toml")).expect("spec");
    std::fs::write(bad_type.path("spec.toml"), spec.replace("\"integer\"", "\"integr\"")).expect("spec");
    let run = bad_type.run(&["check", "spec.toml"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: spec.toml:11:8: `field.delai.type`: tipo desconhecido \"integr\"\n\
         tip: quis dizer `integer`? (conhecidos: string, integer, float, boolean, date, timestamp)"
    );
}

/// Issue 23: "0 lignes" is "0 ligne" in French (0 takes the singular), and "2/2 réussi" agrees with
/// its tests ("réussis"), and one segment is not "Les 1 segments".
#[test]
fn french_plurals_agree_with_their_number() {
    let spec = "[audit]\nlang = \"fr\"\n[source.clients]\npath = \"clients.csv\"\n[subject]\ntable = \"clients\"\n\
                [field.delai]\ntype = \"integer\"\n[segment.a]\nrule = \"delai > 5\"\n\
                [[test]]\nname = \"late\"\nrow = { delai = \"9\" }\nexpect = [\"a\"]\n\
                [[test]]\nname = \"early\"\nrow = { delai = \"1\" }\nexpect = []\n";
    let case = Case::new(spec);
    std::fs::write(case.path("clients.csv"), "id,delai\n").expect("write data");
    let run = case.run(&["audit", "spec.toml", "--out", "out", "--fail-on", "never"]);
    assert!(run.stdout.contains("sujet clients · 0 ligne\n"), "{}", run.stdout);
    assert!(run.stdout.contains("2/2 réussis\n"), "{}", run.stdout);
    // No segment is sized on an empty extract (contract §10).
    assert!(run.stdout.contains("L'extraction est vide"), "{}", run.stdout);
    // Two rows are plural, and the one segment is singular.
    std::fs::write(case.path("clients.csv"), "id,delai\n1,9\n2,1\n").expect("write data");
    let run = case.run(&["audit", "spec.toml", "--out", "out", "--fail-on", "never"]);
    assert!(run.stdout.contains("sujet clients · 2 lignes\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Le segment peut être dimensionné à ±10 % près."),
        "{}",
        run.stdout
    );
}

/// Issue 23: `profile` has no gate: it says neither "gate passed" nor "For the committee", even
/// above critical fields.
#[test]
fn a_profile_claims_no_gate() {
    let case = Case::new("");
    // `b` is missing on 2 of 3 rows: usability 1/3 (33.3%), below the critical threshold.
    std::fs::write(case.path("clients.csv"), "a,b\n1,\n2,\n3,x\n").expect("write data");
    let run = case.run(&["profile", "clients.csv", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("gate passed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("33.3% critical") && run.stdout.contains("No gate: a profile only describes the data;"),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(case.path("out/profile.html")).expect("html");
    assert!(!html.contains("For the committee") && !html.contains("gate passed"));
    assert!(html.contains("What the data holds"));
}

/// Issue 23: `init` lists only the dominant spelling of case variants in `values` (the variants are
/// then counted invalid), and `paiement_mobile` is a payment channel, not a phone number.
#[test]
fn init_keeps_the_dominant_spelling_and_knows_a_payment_channel() {
    let case = Case::new("");
    // type: B2C 5 times, B2B 3, b2c 1, b2b 1: 4 distinct texts in 10 rows (≥ 2 × 4).
    std::fs::write(
        case.path("clients.csv"),
        "id,type,paiement_mobile\n1,B2C,oui\n2,B2C,non\n3,B2C,oui\n4,B2B,non\n5,B2B,oui\n6,b2c,non\n7,b2b,oui\n\
         8,B2C,non\n9,B2B,oui\n10,B2C,non\n",
    )
    .expect("write data");
    let run = case.run(&["init", "clients.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("[field.type]\n# 10 of 10 rows present; observed type: string\nvalues = [\"B2C\", \"B2B\"]\n"),
        "{}",
        run.stdout
    );
    let mobile = run.stdout.split("[field.paiement_mobile]").nth(1).unwrap_or("");
    let mobile = mobile.split("\n\n").next().unwrap_or("");
    assert!(!mobile.is_empty() && !mobile.contains("pii"), "{}", run.stdout);
}
