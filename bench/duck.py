#!/usr/bin/env python3
"""Times DuckDB's SUMMARIZE over one file; prints the wall-clock seconds."""
import sys
import time

import duckdb

path = sys.argv[1]
source = f"read_csv('{path}', delim=';', header=true)" if path.endswith(".csv") else f"read_parquet('{path}')"
connection = duckdb.connect()
start = time.perf_counter()
connection.execute(f"SUMMARIZE SELECT * FROM {source}").fetchall()
print(f"{time.perf_counter() - start:.2f}")
