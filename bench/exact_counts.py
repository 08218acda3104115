#!/usr/bin/env python3
"""Prints every exact count that differs between two audit.json files: a change meant to make the
audit faster must leave them all unchanged.

Usage: bench/exact_counts.py BEFORE_JSON AFTER_JSON     exit 0 when unchanged, 1 otherwise

Compared: the subject's rows and duplicate_keys; each source's rows and bad rows; each field's rows,
missing, invalid, usable, distinct and top values; every count of each segment (population …
size_max, per field usable/undetermined_rows/decided_on_missing, strata groups' rows and usable),
segmentation (coverage and overlaps) and heatmap group; and which items each list holds.
Not compared: shares and statistics (derived or floating point), timing and version keys, and a
field's `distinct` and `top_values` when either report flags it `"distinct_exact": false` (contract
§4 lets those be estimated).
"""
import sys

from audit_numbers import flatten, is_count, load, show

SECTIONS = {"subject", "sources", "fields", "segments", "segmentations", "heterogeneity"}
FIELD_COUNTS = {"rows", "missing", "invalid", "usable", "distinct", "top_values"}
ESTIMATED = {"distinct", "top_values"}
# Integers that are not counts of rows: a source file's size.
NOT_COUNTS = {"bytes"}


def estimated_fields(report):
    return {f.get("name") for f in report.get("fields", []) if f.get("distinct_exact") is False}


def exact_counts(report, estimated):
    kept = {}
    for path, value in flatten(report).items():
        if path[0] not in SECTIONS:
            continue
        if path[0] == "fields":
            # fields/<name>/<key>: only the §3 counts of the field itself.
            if len(path) != 3 or path[2] not in FIELD_COUNTS:
                if path[-1] != "#items" or len(path) != 2:
                    continue
            elif path[2] in ESTIMATED and path[1] in estimated:
                continue
        if path[-1] in NOT_COUNTS:
            continue
        if is_count(value) or path[-1] in ("#items", "top_values"):
            kept[path] = value
    return kept


def main():
    before, after = (load(p) for p in sys.argv[1:3])
    estimated = estimated_fields(before) | estimated_fields(after)
    old, new = exact_counts(before, estimated), exact_counts(after, estimated)
    differences = 0
    for path in sorted(old.keys() | new.keys()):
        a, b = old.get(path, "(absent)"), new.get(path, "(absent)")
        if a != b:
            differences += 1
            print(f"{show(path)}: {a!r} -> {b!r}")
    skipped = f"; distinct/top_values not compared for {', '.join(sorted(estimated))}" if estimated else ""
    print(f"{len(old | new)} exact counts compared: {differences} differences{skipped}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
