# Shared set-up of the benchmark commands (sourced by run.sh, quantiles.sh, pushdown.sh):
# paths, building cxm, and the Python venv with the pinned packages.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_build      # cargo build --release --workspace (a no-op when up to date); sets CXM
#   bench_venv       # bench/.venv from requirements.txt, reinstalled when it changes; sets PY

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
