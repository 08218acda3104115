//! What `init` proposes beyond types (contract §10, issue 23): `decimal` and `thousands` for columns
//! written with decimal commas, `applies_when` candidates and `identity` columns as comments — and the
//! spec it writes still loads, and its audit reads the comma numbers.

use crate::{fixture, Case};

/// 20 customers written the French way. By row `i` (1–20):
/// - type_client: B2C for 1–13, `b2c` for 14 (a dirty variant), B2B for 15–20;
/// - conso: `i,5` for 1–12 (12 decimal commas), `1 2i,5` for 13–15 (3 grouped thousands), `i` for
///   16–19 (4 integers), empty for 20;
/// - solde: `-i,25` (20 decimal commas); montant: `i.5` (20 decimal points);
/// - secteur: `Industrie` / `Commerce` for the B2B rows 15–20 only;
/// - nom, date_naissance (dd/03/198x), telephone: personal data for the identity proposal;
///   paiement_mobile: oui / non, a payment channel, not a phone.
fn french_clients() -> String {
    let mut csv =
        String::from("id;type_client;nom;date_naissance;telephone;paiement_mobile;conso;solde;montant;secteur\n");
    for i in 1..=20 {
        let kind = match i {
            1..=13 => "B2C",
            14 => "b2c",
            _ => "B2B",
        };
        let conso = match i {
            1..=12 => format!("{i},5"),
            13..=15 => format!("1 2{i},5"),
            16..=19 => format!("{i}"),
            _ => String::new(),
        };
        let secteur = match (i, i % 2) {
            (15..=20, 1) => "Industrie",
            (15..=20, _) => "Commerce",
            _ => "",
        };
        csv.push_str(&format!(
            "C{i:02};{kind};Client {i};{i:02}/03/198{};+225 07 00 00 00 {i:02};{};{conso};-{i},25;{i}.5;{secteur}\n",
            i % 10,
            if i % 2 == 0 { "oui" } else { "non" },
        ));
    }
    csv
}

#[test]
fn init_proposes_decimal_commas_applies_when_and_identity() {
    let case = Case::new("");
    std::fs::write(case.path("clients.csv"), french_clients()).expect("write data");
    let run = case.run(&["init", "clients.csv", "--out", "spec.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("spec.toml")).unwrap_or_default();
    for expected in [
        // Columns with decimals: conso and solde (commas), montant (points): 2 of 3 write commas, so
        // the source says it once.
        "[source.clients]\npath = \"clients.csv\"\ndelimiter = \";\"\ndecimal = \",\"   # 2 of its 3 columns with decimals write most with a comma (9,5); \".\" still reads as a decimal point\n",
        // conso: 12 + 3 comma fractions of 15 fractions; 3 texts grouped with a space; the 4
        // integers and the 15 others are 19 present texts, all numbers: a float column.
        "[field.conso]\n# 19 of 20 rows present; observed type: string\ntype = \"float\"\n# 15 of 15 numbers with a fraction write it with a comma (9,5): the source's decimal = \",\" reads them\nthousands = \" \"   # 3 numbers group their thousands (1 234 567)\n",
        "[field.solde]\n# 20 of 20 rows present; observed type: string\ntype = \"float\"\n# 20 of 20 numbers with a fraction write it with a comma (9,5): the source's decimal = \",\" reads them\n\n",
        "[field.montant]\n# 20 of 20 rows present; observed type: float\ntype = \"float\"\n\n",
        // secteur: missing on the 13 B2C rows, present on the 6 B2B rows (b2c, 1 row, is a variant
        // left out of values: never named); type_client has two values, so `= 'B2B'`.
        "# missing on 13 of the 13 rows where type_client is 'B2C' (100%), present on 6 of the 6 others (100%): a field for some rows only?\n# applies_when = \"type_client = 'B2B'\"   # the other rows count as not_applicable\n\n",
        // A name, a birth date (typed date) and a phone, in that order.
        "key = \"id\"   # unique and never missing in 20 rows\n# Customers registered twice under two keys: rows whose identity fields are all usable and equal\n# (texts trimmed and case-folded) but whose keys differ are counted (subject.duplicate_identities).\n# identity = [\"nom\", \"date_naissance\", \"telephone\"]\n",
        // The smaller points of issue 23: the dominant spelling only, no pii on a payment channel.
        "[field.type_client]\n# 20 of 20 rows present; observed type: string\nvalues = [\"B2C\", \"B2B\"]\n\n",
    ] {
        assert!(spec.contains(expected), "{expected:?} not in:\n{spec}");
    }
    // Only secteur gets an applies_when: every other field is complete (conso misses 1 row).
    assert_eq!(spec.matches("# applies_when").count(), 1, "{spec}");
    let mobile = spec.split("[field.paiement_mobile]").nth(1).unwrap_or("");
    let mobile = mobile.split("\n\n").next().unwrap_or("");
    assert!(!mobile.is_empty() && !mobile.contains("pii"), "{spec}");

    let check = case.run(&["check", "spec.toml"]);
    assert_eq!(check.code, 0, "{}{}\n{spec}", check.stdout, check.stderr);
    let audit = case.audit(&["--fail-on", "never"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let counts = |run: &crate::Run, name: &str| {
        let f = run.field(name);
        (f["missing"].as_u64(), f["invalid"].as_u64(), f["usable"].as_u64())
    };
    // Every comma number reads: conso 19 usable (1 missing), solde and montant 20.
    assert_eq!(counts(&audit, "conso"), (Some(1), Some(0), Some(19)));
    assert_eq!(counts(&audit, "solde"), (Some(0), Some(0), Some(20)));
    assert_eq!(counts(&audit, "montant"), (Some(0), Some(0), Some(20)));
    // b2c is left to be counted invalid.
    assert_eq!(counts(&audit, "type_client"), (Some(0), Some(1), Some(19)));

    // Without the proposals, the 12 + 3 comma texts of conso and the 20 of solde are invalid.
    let plain = spec
        .lines()
        .filter(|l| !l.starts_with("decimal =") && !l.starts_with("thousands ="))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(case.path("spec.toml"), plain).expect("write spec");
    let before = case.audit(&["--fail-on", "never"]);
    assert_eq!(counts(&before, "conso"), (Some(1), Some(15), Some(4)));
    assert_eq!(counts(&before, "solde"), (Some(0), Some(20), Some(0)));
}

#[test]
fn init_on_the_demo_reads_its_decimal_commas_and_proposes_applies_when() {
    let case = Case::new("");
    let run = case.run(&["init", &fixture("demo/clients.csv"), "--out", "spec.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(case.path("spec.toml")).unwrap_or_default();
    for expected in [
        // conso_mensuelle_kwh: 4 361 decimal points, 254 decimal commas and 52 integers (341 empty):
        // a minority of commas, so on the field; every one of the 4 667 present texts reads.
        "[field.conso_mensuelle_kwh]\n# 4667 of 5008 rows present; observed type: string\ntype = \"float\"\n# 254 of 4615 numbers with a fraction write it with a comma (9,5): \".\" still reads as a decimal point\ndecimal = \",\"\n",
        // secteur_activite: empty on all 4 331 B2C rows, filled on all 631 B2B rows.
        "# missing on 4331 of the 4331 rows where type_client is 'B2C' (100%), present on 631 of the 631 others (100%): a field for some rows only?\n# applies_when = \"type_client = 'B2B'\"",
        "# identity = [\"nom\", \"date_naissance\", \"telephone\"]",
    ] {
        assert!(spec.contains(expected), "{expected:?} not in:\n{spec}");
    }
    let check = case.run(&["check", "spec.toml"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let audit = case.audit(&["--fail-on", "never"]);
    let conso = audit.field("conso_mensuelle_kwh");
    assert_eq!(
        (conso["invalid"].as_u64(), conso["usable"].as_u64()),
        (Some(0), Some(4667))
    );
}
