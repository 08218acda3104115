#!/usr/bin/env python3
"""Checks that the hand-written DuckDB audit (bench/duck_audit.py --json) computes the same numbers as
segaudit: every number both reports have, counts exactly, shares to 1e-9; and the same items (fields,
segments, segment fields, strata, groups, top values). A field segaudit flags `"distinct_exact": false`
(contract §4) has its `distinct` checked within 2 % and its top values left out.

Usage: bench/check_peer.py AUDIT_JSON PEER_JSON     exit 0 when they agree, 1 otherwise
"""
import json
import math
import sys

from audit_numbers import flatten, is_count, load, show


def same(a, b):
    if is_count(a) and is_count(b):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def main():
    audit, peer = (flatten(load(p)) for p in sys.argv[1:3])
    with open(sys.argv[1], encoding="utf-8") as file:
        estimated = {f["name"] for f in json.load(file).get("fields", []) if f.get("distinct_exact") is False}
    compared, differences, absent, skipped = 0, [], [], 0
    for path, expected in peer.items():
        if path[-1] == "format":
            continue
        if len(path) > 2 and path[0] == "fields" and path[1] in estimated:
            if path[2] == "top_values":
                skipped += 1
                continue
            if path[2] == "distinct" and path in audit:
                compared += 1
                if abs(audit[path] - expected) > 0.02 * max(expected, 1):
                    differences.append(f"{show(path)}: segaudit ≈{audit[path]!r}, DuckDB {expected!r} (over 2 %)")
                continue
        if path not in audit:
            absent.append(path)
            continue
        actual = audit[path]
        if path[-1] == "#items" and path[-2] == "groups":
            # Groups segaudit pools (under [report] min_count rows) have no named counterpart.
            actual = [i for i in actual if not i.endswith("(pooled)")]
        compared += 1 if path[-1] != "#items" else 0
        if not same(actual, expected):
            differences.append(f"{show(path)}: segaudit {actual!r}, DuckDB {expected!r}")
    for line in differences[:50]:
        print(line)
    if absent:
        print(f"{len(absent)} numbers of the peer absent from the audit, e.g. {show(absent[0])}")
    counts = sum(1 for p, v in peer.items() if p in audit and is_count(v))
    note = f"; {len(estimated)} estimated distinct counts within 2 %, {skipped} estimated top values not compared" if estimated else ""
    print(f"compared {compared} values ({counts} counts): {len(differences)} differences{note}")
    sys.exit(1 if differences or absent else 0)


if __name__ == "__main__":
    main()
