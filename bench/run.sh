#!/usr/bin/env bash
# cxm vs DuckDB vs Polars on a generated survey export. One command:
#
#   bench/run.sh [ROWS]        # default 10000000
#
# Builds cxm (cargo build --release --workspace), creates bench/.venv with the pinned
# Python packages, generates bench/data/survey.{csv,parquet} (skipped when already there
# with the same row count), times every engine on both formats (best of BENCH_RUNS, default
# 3), checks that they agree on every figure (exit 1 if not), and prints the table, also
# written to bench/results/latest.md. See bench/README.md.
set -euo pipefail

ROWS="${1:-10000000}"
case "$ROWS" in ''|*[!0-9]*) echo "usage: bench/run.sh [ROWS]" >&2; exit 2;; esac

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
VENV="$BENCH/.venv"
PY="$VENV/bin/python"

echo "== building cxm (release)"
(cd "$ROOT" && cargo build --release --workspace --quiet)
CXM="$ROOT/target/release/cxm"

# The venv is (re)installed when requirements.txt changes.
REQ_SUM="$(sha256sum "$BENCH/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$PY" || "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$REQ_SUM" ]]; then
    echo "== creating $VENV"
    python3 -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -r "$BENCH/requirements.txt"
    echo "$REQ_SUM" > "$VENV/.requirements.sha256"
fi

echo "== dataset ($ROWS rows)"
"$PY" "$BENCH/gen.py" "$ROWS" "$BENCH/data"

echo "== checking the cxm configs"
for fmt in csv parquet; do
    "$CXM" validate "$BENCH/config/bench_$fmt.toml" > /dev/null
done

echo "== running (each engine a separate process, best of ${BENCH_RUNS:-3})"
"$PY" "$BENCH/bench.py" "$ROWS" "$CXM"
