#!/usr/bin/env bash
# Cost of segment variants (contract §12): `audit` of the demo spec (bench/spec.py: 8 segments,
# 3 segmentations, 3 strata attributes) over ROWS generated rows, with no variant and with 9 (three
# on each of payeurs_surs, ruraux_modestes and digitaux), median wall seconds of RUNS runs each,
# alternated; prints both medians and the ratio. Target: at most 1.25 (+25 %) at 1M rows.
# Usage: bench/variants.sh [ROWS]    (default 1000000)
# Environment: RUNS (default 3), BENCH_DATA (default bench/data), NO_BUILD=1 (use the binaries as
#   they are), PROFILE (release, default, or debug), GENERATE (the generator binary).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
RUNS="${RUNS:-3}"
DATA="${BENCH_DATA:-bench/data}"
PROFILE="${PROFILE:-release}"
TARGET="${CARGO_TARGET_DIR:-target}"
SEGAUDIT="$TARGET/$PROFILE/segaudit"
GENERATE="${GENERATE:-$TARGET/$PROFILE/examples/generate}"
flag=$([ "$PROFILE" = release ] && echo --release || true)
if [ -z "${NO_BUILD:-}" ]; then
  cargo build $flag --quiet
  cargo build $flag --quiet --example generate
fi
dir="$DATA/$ROWS"
mkdir -p "$dir"
[ -f "$dir/customers.csv" ] || "$GENERATE" --rows "$ROWS" --out "$dir" --joined --parquet
file="$(realpath "$dir/customers.csv")"

# The demo spec without its own variants, then with nine.
python3 bench/spec.py "$file" | python3 -c '
import re, sys
text = sys.stdin.read()
print(re.sub(r"\n\[segment\.[a-z_]+\.variants\]\n(?:[a-z_]+ = .*\n)+", "\n", text))
' > "$dir/spec-variants-0.toml"
python3 - "$dir/spec-variants-0.toml" > "$dir/spec-variants-9.toml" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
variants = {
    "payeurs_surs": [
        'strict = "retard_moyen_jours < 3 AND nb_impayes_12m = 0"',
        'repli = "COALESCE(retard_moyen_jours, 0) < 7 AND nb_impayes_12m = 0"',
        'large = "retard_moyen_jours < 10 AND nb_impayes_12m <= 1"',
    ],
    "ruraux_modestes": [
        'seuil_80 = "conso_mensuelle_kwh < 80"',
        'seuil_150 = "conso_mensuelle_kwh < 150"',
        'ou_facture = "conso_mensuelle_kwh < 100 OR montant_moyen_facture < 5000"',
    ],
    "digitaux": [
        'web_seul = "canal = \'web\'"',
        'mobile = "paiement_mobile"',
        'repli = "COALESCE(canal, \'agence\') IN (\'web\', \'mobile money\', \'USSD\') OR paiement_mobile IS TRUE"',
    ],
}
for segment, rules in variants.items():
    text += f"\n[segment.{segment}.variants]\n" + "\n".join(rules) + "\n"
print(text)
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
seconds() {
  local start end
  start=$(date +%s.%N)
  "$SEGAUDIT" audit "$1" --out "$2" --quiet --fail-on never --threads "${THREADS:-0}" > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}
zero=(); nine=()
for _ in $(seq "$RUNS"); do
  zero+=("$(seconds "$dir/spec-variants-0.toml" "$dir/out-variants-0")")
  nine+=("$(seconds "$dir/spec-variants-9.toml" "$dir/out-variants-9")")
done
z=$(printf '%s\n' "${zero[@]}" | median)
n=$(printf '%s\n' "${nine[@]}" | median)
# The nine variants must be in the report, with numbers.
python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
count = sum(len(s["variants"]) for s in report["segments"])
assert count == 9, count
' "$dir/out-variants-9/audit.json"
echo "rows: $ROWS ($PROFILE build, $RUNS runs each)"
echo "0 variants: median ${z} s (${zero[*]})"
echo "9 variants: median ${n} s (${nine[*]})"
python3 -c "r = $n / $z; print(f'ratio: {r:.3f} (+{(r - 1) * 100:.1f} %); target at most 1.25: ' + ('met' if r <= 1.25 else 'NOT met'))"
