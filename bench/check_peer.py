#!/usr/bin/env python3
"""Checks that the hand-written DuckDB audit (bench/duck_audit.py --json) computes the same numbers as
segaudit: every number both reports have, counts exactly, shares to 1e-9; and the same items (fields,
segments, segment fields, strata, groups, top values).

Usage: bench/check_peer.py AUDIT_JSON PEER_JSON     exit 0 when they agree, 1 otherwise
"""
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
    compared, differences, absent = 0, [], []
    for path, expected in peer.items():
        if path[-1] == "format":
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
    print(f"compared {compared} values ({counts} counts): {len(differences)} differences")
    sys.exit(1 if differences or absent else 0)


if __name__ == "__main__":
    main()
