# Shared set-up of the benchmark commands (sourced by run.sh, quantiles.sh, pushdown.sh,
# spark.sh): paths, building cxm, the Python venv with the pinned packages, and the
# warehouse benchmarks' configs and timing.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_build      # cargo build --release --workspace (a no-op when up to date); sets CXM
#   bench_venv       # bench/.venv from requirements.txt, reinstalled when it changes; sets PY
#   bench_warehouse_config TEMPLATE CLIENT SOURCE [EXTRA]   # a config reading a warehouse
#   bench_measure LABEL COMMAND…     # runs COMMAND into $OUT/result.json, prints its time

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
VENV="$BENCH/.venv"
PY="$VENV/bin/python"
CXM="$ROOT/target/release/cxm"

bench_build() {
    echo "== building cxm (release)"
    (cd "$ROOT" && cargo build --release --workspace --quiet)
}

bench_venv() {
    local sum
    sum="$(sha256sum "$BENCH/requirements.txt" | cut -d' ' -f1)"
    if [[ ! -x "$PY" || "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$sum" ]]; then
        echo "== creating $VENV"
        python3 -m venv "$VENV"
        "$PY" -m pip install --quiet --upgrade pip
        "$PY" -m pip install --quiet -r "$BENCH/requirements.txt"
        echo "$sum" > "$VENV/.requirements.sha256"
    fi
}

# bench/config/TEMPLATE with its `path` replaced by the dataset keys SOURCE (lines joined
# with "\n", as sed writes them) and EXTRA, the workspace's registry, and client CLIENT.
bench_warehouse_config() {
    sed -e "s|^path = .*|$3\\n${4:-}|" \
        -e "s|^plugins = .*|plugins = \"$ROOT/config/plugins.toml\"|" \
        -e "s|^client = .*|client = \"$2\"|" "$BENCH/config/$1"
}

# Runs COMMAND under GNU time with its stdout in $OUT/result.json; prints
# "LABEL wall_s rss_mb".
bench_measure() {
    local label=$1 wall rss
    shift
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" > "$OUT/result.json"
    read -r wall rss < "$OUT/time"
    echo "$label $wall $((rss / 1024))"
}

