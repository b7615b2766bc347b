#!/usr/bin/env bash
# Quantiles in bounded memory: peak RSS of cxm computing resolution-time quantiles over a
# generated ticket export, with the default quantile state (exact up to 4096 durations per
# group, then a DDSketch within 1%) and with `exact = true`. One command:
#
#   bench/quantiles.sh [ROWS]     # default 100000000; QUANTILES_EXACT=0 skips the exact run
#
# Builds cxm, generates bench/data/tickets.parquet (bench/gen_tickets.py, skipped when it
# already has ROWS rows), runs
#   /usr/bin/time -f %M target/release/cxm run bench/config/quantiles{,_exact}.toml --format json
# and checks that every sketched median/p90/p95 is within its stated relative error of the
# exact value (exit 1 if not). See bench/README.md, "Quantiles in bounded memory".
set -euo pipefail

ROWS="${1:-100000000}"
case "$ROWS" in ''|*[!0-9]*) echo "usage: bench/quantiles.sh [ROWS]" >&2; exit 2;; esac

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OUT="$BENCH/results/quantiles"
mkdir -p "$OUT"
bench_build
bench_venv

echo "== dataset ($ROWS tickets)"
"$PY" "$BENCH/gen_tickets.py" "$ROWS" "$BENCH/data"

runs=(quantiles)
if [[ "${QUANTILES_EXACT:-1}" != 0 ]]; then
    runs+=(quantiles_exact)
fi
for name in "${runs[@]}"; do
    echo "== cxm run bench/config/$name.toml"
    /usr/bin/time -f "%M %e" -o "$OUT/$name.time" \
        "$CXM" run "$BENCH/config/$name.toml" --format json > "$OUT/$name.json"
    read -r kb secs < "$OUT/$name.time"
    echo "   peak RSS $((kb / 1024)) MB, wall $secs s"
done

"$PY" - "$OUT" "$ROWS" "${runs[@]}" <<'PY'
import json, sys

out, rows, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def load(name):
    with open(f"{out}/{name}.json") as f:
        report = json.load(f)
    with open(f"{out}/{name}.time") as f:
        kb, secs = f.read().split()
    groups = {json.dumps(r["group"], sort_keys=True): r for r in report["results"]}
    return groups, int(kb) / 1024, float(secs)

print()
print(f"| {rows:,} tickets | peak RSS MB | wall s | quantile method (overall) |")
print("|---|---:|---:|---|")
loaded = {name: load(name) for name in runs}
for name, (groups, mb, secs) in loaded.items():
    method = groups["{}"]["details"]["quantile_method"]
    print(f"| `{name}.toml` | {mb:,.0f} | {secs:.2f} | {method} |")

if "quantiles_exact" not in loaded:
    sys.exit(0)
sketch, exact = loaded["quantiles"][0], loaded["quantiles_exact"][0]
worst, failed = 0.0, False
for key, r in exact.items():
    s = sketch[key]
    bound = s["details"].get("relative_error", 0.0)
    if s["n"] != r["n"]:
        print(f"{key}: n differs ({s['n']} vs {r['n']})")
        failed = True
    for q in ("median", "p90", "p95"):
        a, b = s["details"][q], r["details"][q]
        err = abs(a - b) / abs(b) if b else abs(a)
        worst = max(worst, err)
        if err > bound * (1 + 1e-9):
            print(f"{key} {q}: {a} vs exact {b}: relative error {err:.5f} > {bound}")
            failed = True
print()
print(f"{len(exact)} groups x (median, p90, p95): largest relative error of the sketch "
      f"{worst:.4%} (stated bound 1%)" + ("" if not failed else ": FAILED"))
sys.exit(1 if failed else 0)
PY
