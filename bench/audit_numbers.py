"""Flattens an audit.json (or a peer's JSON of the same shape) into {path: value}, list items keyed by
what identifies them (a field's name, a segment's id, a stratum's by/field, a group's value), never by
position, so two reports compare item by item whatever their order. Used by bench/check_peer.py and
bench/exact_counts.py."""
import json

# Identity of a list item, first match wins. A pooled strata group (small groups summed, value null)
# is told apart from the attribute's missing-value group (also null).
IDENTITIES = [("id",), ("by", "field"), ("by",), ("name",), ("a", "b"), ("normalized",), ("shape",), ("value",)]


def identity(item):
    for keys in IDENTITIES:
        if all(k in item for k in keys):
            ident = "|".join("∅" if item[k] is None else str(item[k]) for k in keys)
            return ident + (" (pooled)" if item.get("pooled") or item.get("other") else "")
    return None


def flatten(node, path=(), out=None):
    """{path tuple: scalar}; a list of dicts also yields (path, '#items'): its sorted identities, and
    a list of value counts (top values) its ordered (value, count) pairs."""
    out = {} if out is None else out
    if isinstance(node, dict):
        for k, v in node.items():
            flatten(v, path + (k,), out)
    elif isinstance(node, list) and node and all(isinstance(i, dict) for i in node):
        if path and path[-1] == "top_values":
            out[path] = [(i.get("value"), i.get("count")) for i in node]
            return out
        idents = [identity(i) for i in node]
        if None in idents or len(set(idents)) != len(idents):
            idents = [str(n) for n in range(len(node))]
        out[path + ("#items",)] = sorted(idents)
        for ident, item in zip(idents, node):
            flatten(item, path + (ident,), out)
    elif isinstance(node, list):
        out[path] = node
    else:
        out[path] = node
    return out


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool)


def show(path):
    return "/".join(path)
