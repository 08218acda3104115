#!/usr/bin/env python3
"""Writes the 30-segment × 150-field audit spec used to measure the HTML report at scale.

Usage: wide_spec.py DATA_DIR WIDE > spec.toml   (DATA_DIR from `generate --wide WIDE`)
"""
import sys

data, wide = sys.argv[1], int(sys.argv[2])
print(f"""[audit]
title = "Wide audit: 30 segments x 150 fields"
lang = "fr"

[source.clients]
path = "{data}/clients.csv"
delimiter = ";"
encoding = "windows-1252"

[source.paiements]
path = "{data}/paiements.csv"

[view.customers]
sql = "SELECT c.*, p.retard_moyen_jours, p.nb_impayes_12m, p.mode_paiement FROM clients c LEFT JOIN paiements p ON c.client_id = p.client_id"

[subject]
table = "customers"
key = "client_id"
strata = ["region", "milieu"]

[field.date_naissance]
type = "date"
formats = ["%d/%m/%Y", "%Y-%m-%d"]
[field.telephone]
pii = true
[field.email]
pii = true
[field.nom]
pii = true
[field.retard_moyen_jours]
type = "float"
[field.nb_impayes_12m]
type = "integer"
[field.conso_mensuelle_kwh]
type = "float"
""")
for k in range(1, wide + 1):
    if k % 2 == 0:
        print(f"[field.indicateur_{k:03}]\ntype = \"float\"\nrange = [0, 100]")
    else:
        values = ", ".join(f'"cat{v}"' for v in range(2 + k % 9))
        print(f"[field.indicateur_{k:03}]\nvalues = [{values}]")
for j in range(1, 31):
    a, b = 2 * j, 2 * j + 1
    population = ["type_client = 'B2C'", "type_client = 'B2B'", "milieu = 'rural'"][j % 3]
    print(f"""[segment.segment_{j:02}]
population = "{population}"
rule = "indicateur_{a:03} > 50 OR indicateur_{b:03} = 'cat1' OR retard_moyen_jours < {j}"
""")
print("""[gate]
fail_on = "never"
""")
