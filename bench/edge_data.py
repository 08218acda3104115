#!/usr/bin/env python3
"""A small `;` CSV with the generated file's 19 columns holding the edge cases the generator never
writes (Unicode blanks around values, `+3`, `3.0`, `.5`, `1E999`, `NaN`, `31/02/1990`, `1/5/1982`,
`Oui`, padded null tokens, repeated keys…), to check that bench/duck_audit.py reads values exactly as
segaudit does (contract §3), not only on clean generated data.

Usage: bench/edge_data.py OUT.csv [ROWS]   then audit it with bench/heldout_spec.py and compare with
bench/check_peer.py (bench/run does this first).
"""
import random
import sys

COLUMNS = ("client_id;type_client;nom;region;milieu;canal;date_naissance;telephone;email;date_abonnement;"
           "puissance_kva;conso_mensuelle_kwh;montant_moyen_facture;paiement_mobile;secteur_activite;statut;"
           "retard_moyen_jours;nb_impayes_12m;mode_paiement").split(";")
BLANKS = ["", " ", "\t", "\u00a0", "\u3000", "  "]
VALUES = {
    "client_id": ["C0000001", "C0000002", " C0000003", "C0000003", "c0000004", "N/A", "", "C00000051"],
    "type_client": ["B2B", "B2C", "b2c", " B2C ", "N/A ", " ", "B2C\u00a0"],
    "nom": ["Aya", "", "N/A", "Koné"],
    "region": ["Abidjan", "Abidjan ", "ABIDJAN", "", "Man", "\u00a0Man", "Bouaké"],
    "milieu": ["urbain", "rural", "", "Rural", " urbain"],
    "canal": ["web", "agence", "USSD", "mobile money", "Web", ""],
    "date_naissance": ["19/05/1982", "1982-05-19", "1/5/1982", "1982-5-19", "00/00/0000", "31/02/1990", "1899-12-31",
                       "01/01/1900", "31/12/2010", "01/01/2011", "", "  19/05/1990 ", "1990-05-19T00:00"],
    "telephone": ["+225 07 00 43 49 13", "+2250700434913", "07 00", "", "+225 07 00 43 49 1"],
    "email": ["a@b.ci", "inconnu", " inconnu ", "Inconnu", "a@b", "a b@c.ci", ""],
    "date_abonnement": ["01/10/2020", "1/10/2020", "31/12/2025", "01/01/2026", "01/01/1999", "", "2020-10-01"],
    "puissance_kva": ["3", "6", "12", " 36", "+3", "3.0", "7", "", "250", "0x10"],
    "conso_mensuelle_kwh": ["313.7", "313,7", "-1", ".5", "5.", "1e3", "1E999", "inf", "NaN", "+4", "100000",
                            "100000.01", "", " 99.9 ", "1_000", "-0", "1e", "e5"],
    "montant_moyen_facture": ["29108", "-0.0", "0", "-1", "", "abc", "3.5e2"],
    "paiement_mobile": ["oui", "non", "Oui", "TRUE", "f", "1", "0", "yes", "vraiment", "", "N"],
    "secteur_activite": ["Commerce", "Santé", "Sante", ""],
    "statut": ["actif", "N/A", " N/A", "n/a", "suspendu", "résilié", ""],
    "retard_moyen_jours": ["-0.8", "3.1", "9999", "7", "30", "30.0001", "-30", "-30.1", "365", "", "12,5", "+7"],
    "nb_impayes_12m": ["0", "1", "2", "3", "12", "13", "-1", "", "1.0", " 2 ", "+1", "99999999999999999999"],
    "mode_paiement": ["espèces", "chèque", "cheque", ""],
}

out, rows = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000
rng = random.Random(1)
with open(out, "w", encoding="utf-8") as f:
    f.write(";".join(COLUMNS) + "\n")
    for i in range(rows):
        row = []
        for c in COLUMNS:
            v = rng.choice(VALUES[c])
            if c == "client_id" and rng.random() < 0.7:
                v = f"C{i:07d}"
            if rng.random() < 0.05:
                v = rng.choice(BLANKS) + v + rng.choice(BLANKS)
            row.append(v)
        f.write(";".join(row) + "\n")
