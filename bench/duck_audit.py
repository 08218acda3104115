#!/usr/bin/env python3
"""The held-out audit (bench/heldout_spec.py) hand-written in DuckDB SQL, as an analyst would write it:
the same numbers as `segaudit audit`, for a fair second peer in bench/run.

Usage: bench/duck_audit.py FILE [--json OUT]
Prints the wall-clock seconds from connecting to the last result (like bench/duck.py); with --json,
writes its numbers in the shape of segaudit's audit.json (the keys it computes), for bench/check_peer.py.

What it computes (contract §3), from one typed, cleaned subject:
- per field: rows, missing (NULL, blank once trimmed, or a null token), invalid (present but not
  parseable as the declared type, or outside the allowed values, range or pattern), usable, the shares,
  the exact number of distinct present texts and the 10 most frequent ones;
- duplicate keys (rows with a key − distinct trimmed keys);
- per segment: population, population_undetermined, members, non_members, undetermined, size_min,
  size_max, and for each field it reads its usable rows and undetermined rows in the population;
- per segmentation: exactly_one, none, several, undetermined over its population;
- per segment, field and strata attribute: rows and usable rows per group of the typed attribute.
Rules are evaluated by DuckDB's three-valued logic on the typed values, as segaudit does.

A CSV is loaded once into a DuckDB table (every query would otherwise parse it again); a Parquet file
is queried in place (columnar: each query reads only its columns).
"""
import json
import sys
import time

import duckdb

# Every character Rust's str::trim removes (Unicode White_Space), so "blank" and "trimmed" agree; a
# regular expression, as DuckDB's trim(v, characters) is several times slower.
WHITESPACE = r"[\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
SOURCE_NULL_TOKENS = ["N/A"]
RAW_COLUMNS = [
    "client_id", "type_client", "nom", "region", "milieu", "canal", "date_naissance", "telephone", "email",
    "date_abonnement", "puissance_kva", "conso_mensuelle_kwh", "montant_moyen_facture", "paiement_mobile",
    "secteur_activite", "statut", "retard_moyen_jours", "nb_impayes_12m", "mode_paiement",
]
KEY = "client_id"
STRATA = ["region", "milieu"]
TOP = 10


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def listed(values):
    return ", ".join(quote(v) for v in values)


def values_in(values):
    return f"CASE WHEN $t IN ({listed(values)}) THEN $t END"


# Per field: (SQL of its typed value from its trimmed, present text `$t`, NULL when not conforming;
# the field's own null tokens; pii). Written from bench/heldout_spec.py's [field] tables.
FIELDS = {
    "client_id": ("CASE WHEN regexp_full_match($t, 'C[0-9]{7}') THEN $t END", [], False),
    "type_client": (values_in(["B2B", "B2C"]), [], False),
    "nom": ("$t", [], True),
    "region": (values_in(["Abidjan", "Bouaké", "Yamoussoukro", "San-Pédro", "Daloa", "Korhogo", "Man", "Gagnoa"]), [], False),
    "milieu": (values_in(["urbain", "rural"]), [], False),
    "canal": (values_in(["agence", "web", "mobile money", "USSD"]), [], False),
    "date_naissance": ("in_range(as_date($t, ['%d/%m/%Y', '%Y-%m-%d']), DATE '1900-01-01', DATE '2010-12-31')", [], False),
    "telephone": ("CASE WHEN regexp_full_match($t, '\\+225( ?[0-9]{2}){5}') THEN $t END", [], True),
    "email": ("CASE WHEN regexp_full_match($t, '[^@ ]+@[^@ ]+\\.[a-z]{2,}') THEN $t END", ["inconnu"], True),
    "date_abonnement": ("in_range(as_date($t, ['%d/%m/%Y']), DATE '2000-01-01', DATE '2025-12-31')", [], False),
    "annee_abonnement": ("in_range(as_int($t), 2000, 2025)", [], False),
    "puissance_kva": (f"CASE WHEN $t IN ({listed(['3', '6', '9', '12', '36', '50', '100', '250'])}) THEN as_int($t) END", [], False),
    "conso_mensuelle_kwh": ("in_range(as_float($t), 0, 100000)", [], False),
    "montant_moyen_facture": ("in_range(as_float($t), 0, NULL)", [], False),
    "paiement_mobile": ("as_bool($t)", [], False),
    "secteur_activite": (values_in(["Commerce", "Industrie", "Santé", "Éducation", "Hôtellerie", "Administration"]), [], False),
    "statut": (values_in(["actif", "suspendu", "résilié"]), [], False),
    "retard_moyen_jours": ("in_range(as_float($t), -30, 365)", [], False),
    "nb_impayes_12m": ("in_range(as_int($t), 0, 12)", [], False),
    "mode_paiement": (values_in(["espèces", "mobile money", "prélèvement", "chèque"]), [], False),
}

# Per segment: population (None = every row), rule, the fields they read. From bench/heldout_spec.py.
B2C, ACTIF = "type_client = 'B2C'", "statut = 'actif'"
SEGMENTS = {
    "payeurs_surs": (B2C, "retard_moyen_jours < 7 AND nb_impayes_12m = 0",
                     ["type_client", "retard_moyen_jours", "nb_impayes_12m"]),
    "payeurs_irreguliers": (B2C, "(retard_moyen_jours >= 7 AND retard_moyen_jours <= 30) OR nb_impayes_12m BETWEEN 1 AND 2",
                            ["type_client", "retard_moyen_jours", "nb_impayes_12m"]),
    "mauvais_payeurs": (B2C, "retard_moyen_jours > 30 OR nb_impayes_12m >= 3",
                        ["type_client", "retard_moyen_jours", "nb_impayes_12m"]),
    "petits_consommateurs": (ACTIF, "conso_mensuelle_kwh < 100", ["statut", "conso_mensuelle_kwh"]),
    "consommateurs_moyens": (ACTIF, "conso_mensuelle_kwh >= 100 AND conso_mensuelle_kwh < 500",
                             ["statut", "conso_mensuelle_kwh"]),
    "gros_consommateurs": (ACTIF, "conso_mensuelle_kwh >= 500 OR puissance_kva >= 36",
                           ["statut", "conso_mensuelle_kwh", "puissance_kva"]),
    "jeunes_digitaux": ("milieu = 'urbain'",
                        "date_naissance >= DATE '1985-01-01' AND (canal IN ('web', 'mobile money', 'USSD') OR paiement_mobile) AND annee_abonnement >= 2015",
                        ["milieu", "date_naissance", "canal", "paiement_mobile", "annee_abonnement"]),
}
SEGMENTATIONS = {
    "comportement_paiement": ["payeurs_surs", "payeurs_irreguliers", "mauvais_payeurs"],
    "consommation": ["petits_consommateurs", "consommateurs_moyens", "gros_consommateurs"],
}

MACROS = f"""
CREATE MACRO clean(v) AS CASE WHEN regexp_matches(v, '^{WHITESPACE}|{WHITESPACE}$')
    THEN regexp_replace(v, '^{WHITESPACE}+|{WHITESPACE}+$', '', 'g') ELSE v END;
CREATE MACRO as_int(t) AS CASE WHEN regexp_full_match(t, '[+-]?[0-9]+') THEN try_cast(t AS BIGINT) END;
CREATE MACRO as_float(t) AS CASE
    WHEN regexp_full_match(t, '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?') AND isfinite(try_cast(t AS DOUBLE))
    THEN try_cast(t AS DOUBLE) END;
CREATE MACRO as_bool(t) AS CASE
    WHEN lower(t) IN ('true', 't', 'yes', 'y', '1', 'oui', 'vrai') THEN TRUE
    WHEN lower(t) IN ('false', 'f', 'no', 'n', '0', 'non', 'faux') THEN FALSE END;
CREATE MACRO as_date(t, formats) AS try_strptime(t, formats)::DATE;
CREATE MACRO in_range(x, lo, hi) AS CASE WHEN (lo IS NULL OR x >= lo) AND (hi IS NULL OR x <= hi) THEN x END;
"""


def source_sql(path):
    if path.endswith(".csv"):
        return f"read_csv({quote(path)}, delim = ';', header = true, all_varchar = true, quote = '\"')"
    return f"read_parquet({quote(path)})"


def subject_sql(path):
    """The source with its null tokens read as NULL, and the view's derived column."""
    tokens = listed(SOURCE_NULL_TOKENS)
    # A text can only be a token if it contains one: the cheap test first.
    contains = " OR ".join(f"contains(\"{{c}}\", {quote(t)})" for t in SOURCE_NULL_TOKENS)
    columns = [
        f'CASE WHEN ({contains.format(c=c)}) AND clean("{c}") IN ({tokens}) THEN NULL ELSE "{c}" END AS "{c}"'
        for c in RAW_COLUMNS
    ]
    return f"""SELECT *, substr(date_abonnement, 7, 4) AS annee_abonnement
               FROM (SELECT {', '.join(columns)} FROM {source_sql(path)})"""


def present_sql(name, column=None):
    """The trimmed text of a field (column: already trimmed), NULL when missing (blank or a null token)."""
    column = column or f'clean("{name}")'
    tokens = FIELDS[name][1]
    extra = f" OR {column} IN ({listed(tokens)})" if tokens else ""
    return f"CASE WHEN {column} = ''{extra} THEN NULL ELSE {column} END"


def typed_view_sql():
    """Per field: `f` its typed value (NULL unless usable), `f__missing` and `f__usable`; `f__raw` its
    text as read, and each segment's population and rule. One layer per step, so that each value is
    trimmed once and parsed once."""
    trimmed = ", ".join(f'"{f}" AS "{f}__raw", clean("{f}") AS "{f}__c"' for f in FIELDS)
    present = ", ".join(f'"{f}__raw", {present_sql(f, chr(34) + f + "__c" + chr(34))} AS "{f}__t"' for f in FIELDS)
    typed = ", ".join(
        f'"{f}__raw", "{f}__t" IS NULL AS "{f}__missing", {expr.replace("$t", chr(34) + f + "__t" + chr(34))} AS "{f}"'
        for f, (expr, _, _) in FIELDS.items()
    )
    flags = ", ".join(f'"{f}" IS NOT NULL AS "{f}__usable"' for f in FIELDS)
    decisions = ", ".join(
        f'({population or "TRUE"}) AS "{s}__population", ({rule}) AS "{s}__rule"'
        for s, (population, rule, _) in SEGMENTS.items()
    )
    return f"""CREATE VIEW typed AS
        SELECT *, {flags}, {decisions}
        FROM (SELECT {typed} FROM (SELECT {present} FROM (SELECT {trimmed} FROM subject)))"""


def main_aggregate_sql():
    """One scan: field counts, duplicate keys, segment and segmentation counts."""
    parts = ["count(*) AS rows"]
    for f in FIELDS:
        parts.append(f'count_if("{f}__missing") AS "{f}.missing"')
        parts.append(f'count_if(NOT "{f}__missing" AND NOT "{f}__usable") AS "{f}.invalid"')
    key = f'clean("{KEY}__raw")'
    parts.append(f"count_if({key} <> '') - count(DISTINCT CASE WHEN {key} <> '' THEN {key} END) AS duplicate_keys")
    for s, (_, _, fields) in SEGMENTS.items():
        pop, rule = f'"{s}__population"', f'"{s}__rule"'
        parts += [
            f"count_if({pop} IS TRUE) AS \"{s}.population\"",
            f"count_if({pop} IS NULL) AS \"{s}.population_undetermined\"",
            f"count_if({pop} IS TRUE AND {rule} IS TRUE) AS \"{s}.members\"",
            f"count_if({pop} IS TRUE AND {rule} IS FALSE) AS \"{s}.non_members\"",
            f"count_if({pop} IS TRUE AND {rule} IS NULL) AS \"{s}.undetermined\"",
        ]
        for f in fields:
            parts.append(f'count_if({pop} IS TRUE AND "{f}__usable") AS "{s}.{f}.usable"')
            parts.append(f'count_if({pop} IS TRUE AND {rule} IS NULL AND NOT "{f}__usable") AS "{s}.{f}.undetermined_rows"')
    for g, segments in SEGMENTATIONS.items():
        # The segments of each segmentation here share one population: the first one's.
        pop = f'"{segments[0]}__population" IS TRUE'
        true = " + ".join(f'("{s}__rule" IS TRUE)::INT' for s in segments)
        null = " OR ".join(f'"{s}__rule" IS NULL' for s in segments)
        parts += [
            f'count_if({pop}) AS "{g}.population"',
            f'count_if({pop} AND {true} = 1) AS "{g}.exactly_one"',
            f'count_if({pop} AND {true} = 0 AND NOT ({null})) AS "{g}.none"',
            f'count_if({pop} AND {true} >= 2) AS "{g}.several"',
            f'count_if({pop} AND {true} = 0 AND ({null})) AS "{g}.undetermined"',
        ]
    return f"SELECT {', '.join(parts)} FROM typed"


def field_values_sql(f):
    """Distinct present texts of one field (exact) and its most frequent ones, ties by text: grouped
    by the text as read first, so the missing test runs once per distinct text, not once per row."""
    return f"""SELECT count(*) OVER () AS distinct_texts, value, n FROM (
                 SELECT "{f}" AS value, count(*) AS n FROM subject GROUP BY 1)
               WHERE ({present_sql(f, "clean(value)")}) IS NOT NULL
               ORDER BY n DESC, value LIMIT {TOP}"""


def strata_sql():
    """One GROUPING SETS scan: per strata attribute's typed value, each segment's population rows and
    its fields' usable rows there."""
    parts = []
    for s, (_, _, fields) in SEGMENTS.items():
        pop = f'"{s}__population" IS TRUE'
        parts.append(f'count_if({pop}) AS "{s}"')
        parts += [f'count_if({pop} AND "{f}__usable") AS "{s}.{f}"' for f in fields]
    by = ", ".join(f'"{a}"' for a in STRATA)
    sets = ", ".join(f'("{a}")' for a in STRATA)
    return f"SELECT {by}, grouping({by}) AS g, {', '.join(parts)} FROM typed GROUP BY GROUPING SETS ({sets})"


def share(part, whole):
    return part / whole if whole else None


def audit(connection, path):
    connection.execute(MACROS)
    if path.endswith(".csv"):
        connection.execute(f"CREATE TABLE subject AS {subject_sql(path)}")
    else:
        connection.execute(f"CREATE VIEW subject AS {subject_sql(path)}")
    connection.execute(typed_view_sql())
    cursor = connection.execute(main_aggregate_sql())
    names = [d[0] for d in cursor.description]
    main = dict(zip(names, cursor.fetchone()))
    rows = main["rows"]
    fields = []
    for f, (_, _, pii) in FIELDS.items():
        missing, invalid = main[f"{f}.missing"], main[f"{f}.invalid"]
        usable = rows - missing - invalid
        top = connection.execute(field_values_sql(f)).fetchall()
        fields.append({
            "name": f, "rows": rows, "missing": missing, "invalid": invalid, "usable": usable,
            "completeness": share(rows - missing, rows), "validity": share(usable, rows - missing),
            "usability": share(usable, rows), "distinct": top[0][0] if top else 0,
            "top_values": [] if pii else [{"value": v, "count": n} for _, v, n in top],
        })
    cursor = connection.execute(strata_sql())
    names = [d[0] for d in cursor.description]
    strata_rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    segments = []
    for s, (_, _, seg_fields) in SEGMENTS.items():
        population, undetermined = main[f"{s}.population"], main[f"{s}.undetermined"]
        entry = {k: main[f"{s}.{k}"] for k in ["population", "population_undetermined", "members", "non_members", "undetermined"]}
        entry.update(id=s, size_min=entry["members"], size_max=entry["members"] + undetermined)
        entry["fields"] = [
            {"name": f, "usable": main[f"{s}.{f}.usable"], "usability": share(main[f"{s}.{f}.usable"], population),
             "undetermined_rows": main[f"{s}.{f}.undetermined_rows"]}
            for f in seg_fields
        ]
        entry["strata"] = [stratum(strata_rows, s, f, a) for a in STRATA for f in seg_fields if f != a]
        segments.append(entry)
    segmentations = [
        {"id": g, **{k: main[f"{g}.{k}"] for k in ["population", "exactly_one", "none", "several", "undetermined"]}}
        for g in SEGMENTATIONS
    ]
    return {
        "format": "duckdb-peer-audit",
        "subject": {"rows": rows, "duplicate_keys": main["duplicate_keys"]},
        "fields": fields, "segments": segments, "segmentations": segmentations,
    }


def stratum(strata_rows, s, f, by):
    """Groups of one attribute with population rows (the missing attribute value is a group, null)."""
    a = STRATA.index(by)
    # grouping(): bit set for each attribute NOT in the set; the set of `by` has only its bit clear.
    mask = sum(1 << (len(STRATA) - 1 - i) for i in range(len(STRATA)) if i != a)
    groups = []
    for r in strata_rows:
        if r["g"] == mask and r[s] > 0:
            value = r[by]
            groups.append({"value": None if value is None else str(value), "rows": r[s],
                           "usable": r[f"{s}.{f}"], "usability": share(r[f"{s}.{f}"], r[s])})
    groups.sort(key=lambda g: (-g["rows"], g["value"] is not None, g["value"] or ""))
    eligible = [g["usability"] for g in groups if g["rows"] >= 30]
    spread = max(eligible) - min(eligible) if eligible else None
    return {"by": by, "field": f, "spread": spread, "groups": groups}


def main():
    args = sys.argv[1:]
    out = None
    if "--json" in args:
        i = args.index("--json")
        out = args[i + 1]
        del args[i:i + 2]
    path = args[0]
    connection = duckdb.connect()
    start = time.perf_counter()
    report = audit(connection, path)
    seconds = time.perf_counter() - start
    print(f"{seconds:.2f}")
    if out:
        with open(out, "w", encoding="utf-8") as w:
            json.dump(report, w, ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    main()
