#!/usr/bin/env bash
# cxm vs DuckDB vs Polars: the one benchmark command (see bench/README.md).
#
#   bench/run.sh [ROWS]        # default 10000000 survey rows
#
# 1. Builds cxm (cargo build --release --workspace) and bench/.venv (pinned packages).
# 2. Survey: generates bench/data/survey*.{csv,parquet} (gen.py: CSV quoted and plain; Parquet
#    by polars/Snappy, pyarrow/zstd and polars' default/zstd), times cxm, DuckDB and Polars
#    on every variant (best of BENCH_RUNS, default 3), checks that they agree on every figure.
# 3. Workloads (workloads.py): NPS per customer (many groups) and resolution-time quantiles,
#    cxm against DuckDB, figures checked (quantiles within the error cxm states).
#    Default sizes: 1M responses / 200k customers, 10M tickets; BENCH_BIG=1: 10M responses /
#    1M customers, 100M tickets. BENCH_WORKLOADS=0 skips them.
# Prints the tables with ratios and peak RSS (also in bench/results/latest.md); exit 1 if any
# figure disagrees. BENCH_QUIET=N waits up to N s for an idle CPU before each run.
set -euo pipefail

ROWS="${1:-10000000}"
case "$ROWS" in ''|*[!0-9]*) echo "usage: bench/run.sh [ROWS]" >&2; exit 2;; esac

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
bench_venv

echo "== survey dataset ($ROWS rows)"
"$PY" "$BENCH/gen.py" "$ROWS" "$BENCH/data"

echo "== survey: each engine a separate process, best of ${BENCH_RUNS:-3}"
"$PY" "$BENCH/bench.py" "$ROWS" "$CXM"

if [[ "${BENCH_WORKLOADS:-1}" != 0 ]]; then
    if [[ "${BENCH_BIG:-0}" != 0 ]]; then
        MG_ROWS=10000000 MG_GROUPS=1000000 Q_ROWS=100000000
    else
        MG_ROWS=1000000 MG_GROUPS=200000 Q_ROWS=10000000
    fi
    echo "== workloads: many groups ($MG_ROWS rows, $MG_GROUPS customers), quantiles ($Q_ROWS tickets)"
    "$PY" "$BENCH/workloads.py" "$CXM" "$MG_ROWS" "$MG_GROUPS" "$Q_ROWS"
fi
