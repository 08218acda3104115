#!/usr/bin/env python3
"""The demo spec's fields and segments over one generated file (customers.csv or .parquet)."""
import re
import sys

path = sys.argv[1]
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
