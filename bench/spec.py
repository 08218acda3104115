#!/usr/bin/env python3
"""The demo spec's fields and segments over one generated file (customers.csv or .parquet).
Usage: bench/spec.py FILE [EXTRA_SEGMENTS]  (EXTRA_SEGMENTS more segments, thresholds varying)"""
import re
import sys

path = sys.argv[1]
extra = int(sys.argv[2]) if len(sys.argv) > 2 else 0
demo = open("checks/demo.toml", encoding="utf-8").read()
# Keep everything from the first [field.*] table on; replace the sources, view and subject.
body = demo[demo.index("[field."):]
body = re.sub(r'fail_on = "[a-z]+"', 'fail_on = "never"', body)
options = 'delimiter = ";"\n' if path.endswith(".csv") else ""
print(f"""[audit]
title = "Benchmark"

[source.customers]
path = "{path}"
{options}null_tokens = ["N/A"]

[subject]
table = "customers"
key = "client_id"
strata = ["region", "milieu", "type_client"]

{body}""")
for i in range(extra):
    print(f"""
[segment.extra_{i}]
population = "type_client = 'B2C' AND milieu <> 'rural'"
rule = "retard_moyen_jours < {i + 1} AND conso_mensuelle_kwh > {10 * i}"
""")
