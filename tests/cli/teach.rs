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
        "error: spec.toml:15:9: `segment.a.rule`: `prepaye = 1` compare le booléen `prepaye` à un nombre\u{a0}: \
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
         qui n'est pas un nombre\u{a0}: cette condition n'est jamais vraie\n\
         tip: écrivez le nombre seul, sans apostrophes ni unité\u{a0}: `delai >= 7`",
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
        "error: spec.toml:15:9: `segment.a.rule`: `region = 3` compare le champ texte `region` au nombre 3\u{a0}: \
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
         texte '01/01/2020', qui n'est pas une date ISO (AAAA-MM-JJ)\u{a0}: cette condition n'est jamais vraie\n\
         tip: écrivez la date sous la forme DATE 'AAAA-MM-JJ'\u{a0}: `date_contrat > DATE '2020-01-01'`",
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
         segaudit ne connaît pas\ntip: écrivez AND\u{a0}: `prepaye AND delai > 3`",
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
        "error: source `clients`\u{a0}: clients.csv n'existe pas (source `clients`, spec.toml:4)\n\
         tip: vérifiez `path`\u{202f}; il est relatif au dossier du fichier de spécification"
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
         tip: vouliez-vous dire `rule`\u{202f}? (clés admises ici\u{a0}: label, description, owner, steward, population, rule, segmentation, variants)"
    );
    let run = unknown_key.run(&["check", "spec.toml", "--lang", "en"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: spec.toml:15:1: unknown key `rulle`\n\
         tip: did you mean `rule`? (allowed keys here: label, description, owner, steward, population, rule, segmentation, variants)"
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

/// A spec over `clients.csv` holding `data`, with `extra` appended: `[field…]` tables from line 8.
fn spec_case(lang: &str, extra: &str, data: &[u8]) -> Case {
    let spec = format!(
        "[audit]\nlang = \"{lang}\"\n[source.clients]\npath = \"clients.csv\"\n[subject]\ntable = \"clients\"\nkey = \"id\"\n{extra}"
    );
    let case = Case::new(&spec);
    std::fs::write(case.path("clients.csv"), data).expect("write data");
    case
}

/// Issue 22 (contract §11): a `formats` entry with no chrono specifier reads no date; the error
/// points at the entry and gives its chrono spelling.
#[test]
fn a_format_without_chrono_specifiers_gets_its_chrono_spelling() {
    // Line 10 is `formats = ["%Y-%m-%d", "dd/mm/yyyy"]`: `formats = [` is 11 characters and
    // `"%Y-%m-%d", ` 12 more, so the second entry's quote is at column 24.
    let case = spec_case(
        "fr",
        "[field.date_contrat]\ntype = \"date\"\nformats = [\"%Y-%m-%d\", \"dd/mm/yyyy\"]\n",
        DATA.as_bytes(),
    );
    assert_refused(
        &case,
        &[],
        "error: spec.toml:10:24: `field.date_contrat.formats`: \"dd/mm/yyyy\" ne contient aucun indicateur chrono \
         (%d, %m, %Y…)\u{a0}: aucune date ne peut être lue avec\n\
         tip: écrivez \"%d/%m/%Y\" (chrono\u{a0}: jj ou dd → %d, mm → %m, aaaa ou yyyy → %Y, HH:mm → %H:%M)",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: spec.toml:10:24: `field.date_contrat.formats`: \"dd/mm/yyyy\" holds no chrono specifier \
         (%d, %m, %Y…): no date can be read with it\n\
         tip: write \"%d/%m/%Y\" (chrono: dd → %d, mm → %m, yyyy → %Y, HH:mm → %H:%M)",
    );
    // Java's spelling, with the time: `MM` is the month, `mm` after `HH` the minutes.
    let java = spec_case(
        "en",
        "[field.date_contrat]\ntype = \"timestamp\"\nformats = [\"yyyy-MM-dd HH:mm\"]\n",
        DATA.as_bytes(),
    );
    let run = java.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: spec.toml:10:12: `field.date_contrat.formats`: \"yyyy-MM-dd HH:mm\" holds")
            && run.stderr.contains("\ntip: write \"%Y-%m-%d %H:%M\" (chrono:"),
        "{}",
        run.stderr
    );
    // `formats` on a text field points at the entry too.
    let text = spec_case("en", "[field.region]\nformats = [\"%d/%m/%Y\"]\n", DATA.as_bytes());
    let run = text.run(&["check", "spec.toml"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: spec.toml:9:12: `field.region.formats`: `formats` only applies to date and timestamp fields\n\
         tip: add type = \"date\" (or \"timestamp\"), or remove `formats`"
    );
}

/// Issue 22: a `pattern` that does not compile points at the character the regex parser stopped
/// at, says why in a few words and how to fix the usual slips.
#[test]
fn a_pattern_that_does_not_compile_says_where_and_why() {
    // Line 9 is `pattern = "[A-Z"`: the quote is at column 11 and the unclosed `[` at column 12.
    let case = spec_case("fr", "[field.region]\npattern = \"[A-Z\"\n", DATA.as_bytes());
    assert_refused(
        &case,
        &[],
        "error: spec.toml:9:12: `field.region.pattern`: le motif \"[A-Z\" ne se compile pas\u{a0}: unclosed character \
         class\ntip: fermez le crochet, par exemple `[A-Z]`, ou écrivez `\\[` pour un `[` littéral",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: spec.toml:9:12: `field.region.pattern`: the pattern \"[A-Z\" does not compile: unclosed character \
         class\ntip: close the bracket, e.g. `[A-Z]`, or write `\\[` for a literal `[`",
    );
    // Look-ahead: `^(?!x)` is 3 characters in, at column 11 + 1 + 1 = 13.
    let ahead = spec_case("en", "[field.region]\npattern = '^(?!x)'\n", DATA.as_bytes());
    let run = ahead.run(&["check", "spec.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: spec.toml:9:13: `field.region.pattern`: the pattern \"^(?!x)\" does not compile: ")
            && run.stderr.contains("\ntip: patterns have no look-around"),
        "{}",
        run.stderr
    );
}

/// Issue 22: a header read as one column while `;` would split it: the file is not written with
/// the delimiter the spec says (here the default `,`). `check` reads headers only and says so too.
#[test]
fn a_delimiter_that_leaves_the_header_in_one_column() {
    let case = spec_case("fr", "", b"id;ville;age\n1;Abidjan;30\n");
    assert_refused(
        &case,
        &[],
        "error: clients.csv\u{a0}: découpé au séparateur \",\", l'en-tête tient en une seule colonne, `id;ville;age`\u{202f}; \
         \";\" le découpe en 3 colonnes (source `clients`, spec.toml:4)\n\
         tip: écrivez delimiter = \";\" dans cette [source]",
    );
    assert_refused(
        &case,
        &["--lang", "en"],
        "error: clients.csv: split on delimiter \",\", the header is one column, `id;ville;age`; \";\" splits it into \
         3 columns (source `clients` at spec.toml:4)\ntip: write delimiter = \";\" in this [source]",
    );
    // A written `delimiter = "|"` on a tab-separated file: the tab is named as the spec writes it.
    let tabs =
        Case::new("[source.clients]\npath = \"clients.csv\"\ndelimiter = \"|\"\n[subject]\ntable = \"clients\"\n");
    std::fs::write(tabs.path("clients.csv"), "id\tville\n1\tAbidjan\n").expect("write data");
    let run = tabs.run(&["check", "spec.toml"]);
    assert_eq!(
        run.stderr.trim_end(),
        "error: clients.csv: split on delimiter \"|\", the header is one column, `id\tville`; \"\\t\" splits it into \
         2 columns (source `clients` at spec.toml:2)\ntip: write delimiter = \"\\t\" in this [source]"
    );
    // A one-column file is not a mistake.
    let single = spec_case("en", "", b"id\n1\n2\n");
    assert_eq!(single.run(&["check", "spec.toml"]).code, 0);
}

/// Issue 22: Windows-1252 bytes in a file read as UTF-8. In the rows they do not stop the audit:
/// the values are read with U+FFFD, `source.undecodable` counts the rows and says what to write;
/// in the header (the columns cannot be named) they are an error with the same fix.
#[test]
fn bytes_that_do_not_decode_say_which_encoding_to_write() {
    // Rows 2 and 3 (lines 3 and 4) hold 0xE9, "é" in Windows-1252, invalid in UTF-8.
    let data = b"id,ville\n1,Abidjan\n2,Bouak\xe9\n3,S\xe9gou\n4,Dakar\n";
    let case = spec_case("fr", "", data);
    let run = case.audit(&["--fail-on", "never", "--lang", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let source = &run.report()["sources"][0];
    assert_eq!(source["undecodable_rows"], 2);
    assert_eq!(source["undecodable_lines"], serde_json::json!(["clients.csv:3"]));
    let finding = run.finding("source.undecodable", "").expect("finding");
    assert_eq!(finding["level"], "high");
    assert_eq!(
        finding["message"],
        "clients: 2 rows hold bytes that are not UTF-8 (first at clients.csv:3), read with � in their place: the \
         file is probably Windows-1252; write encoding = \"windows-1252\" (or its real encoding) in [source.clients]"
    );
    // Both values hold U+FFFD: the field says they look mis-decoded.
    assert_eq!(run.field("ville")["mojibake"], 2);
    // Read as Windows-1252, they are "Bouaké" and "Ségou": nothing to report.
    let spec = std::fs::read_to_string(case.path("spec.toml")).expect("spec");
    let fixed = spec.replace(
        "path = \"clients.csv\"\n",
        "path = \"clients.csv\"\nencoding = \"windows-1252\"\n",
    );
    std::fs::write(case.path("spec.toml"), fixed).expect("spec");
    let run = case.audit(&["--fail-on", "never"]);
    assert_eq!(run.report()["sources"][0]["undecodable_rows"], 0);
    assert!(run.finding("source.undecodable", "").is_none());
    assert_eq!(run.field("ville")["mojibake"], 0);

    // In the header, "prénom" is byte 5 of line 1.
    let header = spec_case("fr", "", b"id,pr\xe9nom\n1,Awa\n");
    assert_refused(
        &header,
        &[],
        "error: clients.csv:1\u{a0}: UTF-8 invalide à l'octet 5 (source `clients`, spec.toml:4)\n\
         tip: le fichier n'est pas en UTF-8\u{a0}: écrivez encoding = \"windows-1252\" (ou son véritable encodage) \
         dans cette [source]",
    );
    // An unknown label is a spec error at its line:col listing labels that exist.
    let label = spec_case("en", "", DATA.as_bytes());
    let spec = std::fs::read_to_string(label.path("spec.toml")).expect("spec");
    let bad = spec.replace(
        "path = \"clients.csv\"\n",
        "path = \"clients.csv\"\nencoding = \"ansi\"\n",
    );
    std::fs::write(label.path("spec.toml"), bad).expect("spec");
    assert_refused(
        &label,
        &[],
        "error: spec.toml:5:12: `source.clients.encoding`: unknown encoding \"ansi\"\n\
         tip: use a WHATWG label such as \"utf-8\", \"windows-1252\", \"iso-8859-1\" or \"utf-16le\"",
    );
}

/// Issue 22 (contract §10): `decimal` and `thousands` say how numbers are written; on a field not
/// read as a number they are a spec error (the `type` is missing), on a source a default that text
/// fields ignore.
#[test]
fn decimal_on_a_field_that_is_not_a_number() {
    // Line 9 is `decimal = ","`: the value's quote is at column 11.
    let case = spec_case("fr", "[field.delai]\ndecimal = \",\"\n", DATA.as_bytes());
    assert_refused(
        &case,
        &[],
        "error: spec.toml:9:11: `field.delai.decimal`: `decimal` dit comment les nombres sont écrits, mais `delai` est \
         lu comme string\ntip: ajoutez type = \"float\" (ou \"integer\") sous [field.delai]\u{a0}: sans type, le champ \
         est du texte et `decimal` ne change rien",
    );
    let dated = spec_case(
        "en",
        "[field.date_contrat]\ntype = \"date\"\nthousands = \" \"\n",
        DATA.as_bytes(),
    );
    assert_refused(
        &dated,
        &[],
        "error: spec.toml:10:13: `field.date_contrat.thousands`: `thousands` says how numbers are written, but \
         `date_contrat` is read as date\ntip: remove `thousands` from [field.date_contrat], or declare type = \"float\" \
         (or \"integer\") if it holds numbers",
    );
    // On the source, text fields ignore it and numeric ones use it.
    let source = Case::new(
        "[source.clients]\npath = \"clients.csv\"\ndecimal = \",\"\n[subject]\ntable = \"clients\"\n\
         [field.region]\nvalues = [\"Nord\", \"Sud\"]\n[field.delai]\ntype = \"float\"\n",
    );
    std::fs::write(source.path("clients.csv"), DATA).expect("write data");
    assert_eq!(source.run(&["check", "spec.toml"]).code, 0);
}
