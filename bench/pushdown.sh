#!/usr/bin/env bash
# Pushdown benchmark (issue 15): the 10M-row survey of bench/run.sh loaded into a PostgreSQL
# table, then NPS + CSAT + CES by region × month (the main benchmark's job) computed
#   1. by cxm with pushdown (the warehouse returns the row histogram),
#   2. by cxm streaming the rows (pushdown = false),
#   3. by the same histogram SQL in psql (COPY … TO /dev/null): the warehouse's own GROUP BY,
# each BENCH_RUNS times (default 3), with wall time, peak RSS and the bytes the server sends
# (the size of the result in PostgreSQL's binary COPY format, which the ADBC driver reads).
#
#   bench/pushdown.sh          # needs bench/data/survey.csv (bench/run.sh makes it)
#
# Starts its own throwaway PostgreSQL cluster in /tmp/cxm-pg-bench (scripts/pg-test-server.sh
# with CXM_TEST_PG_DIR) and stops it at the end; fetches the ADBC drivers like the tests.
# Nothing here runs in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS="${BENCH_RUNS:-3}"
CSV=bench/data/survey.csv
[ -f "$CSV" ] || { echo "bench/pushdown.sh: $CSV is missing; run bench/run.sh first" >&2; exit 1; }
export CXM_TEST_PG_DIR=/tmp/cxm-pg-bench
eval "$(scripts/pg-test-server.sh)"
trap 'scripts/pg-test-server.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(scripts/adbc-drivers.sh)"
cargo build --release --workspace --locked >&2
CXM="${CARGO_TARGET_DIR:-target}/release/cxm"
URL="$CXM_TEST_PG_URL"
LOG="$CXM_TEST_PG_DIR/server.log"
ROWS=$(($(wc -l < "$CSV") - 1))

psql "$URL" -q -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS survey;
CREATE TABLE survey (response_id bigint, customer_id text, submitted timestamp, region text,
                     plan text, channel text, nps smallint, csat smallint, ces smallint,
                     comment text);
SQL
echo "loading $ROWS rows into PostgreSQL…" >&2
psql "$URL" -q -v ON_ERROR_STOP=1 -c "\\copy survey FROM '$CSV' WITH (FORMAT csv, HEADER true)"
psql "$URL" -q -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE survey" \
    -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null

OUT=bench/data/pushdown
mkdir -p "$OUT"
SOURCE="format = \"adbc\"\\ndriver = \"$CXM_TEST_ADBC_POSTGRESQL\"\\nconnection_env = \"CXM_TEST_PG_URL\"\\ntable = \"survey\""
bench_warehouse_config bench_csv.toml "Benchmark (PostgreSQL)" "$SOURCE" > "$OUT/pushdown.toml"
bench_warehouse_config bench_csv.toml "Benchmark (PostgreSQL)" "$SOURCE" "pushdown = false" > "$OUT/stream.toml"

: > "$OUT/times"
for i in $(seq "$RUNS"); do
    bench_measure "cxm-pushdown" "$CXM" run "$OUT/pushdown.toml" --format json >> "$OUT/times"
    cp "$OUT/result.json" "$OUT/pushdown.json"
    bench_measure "cxm-stream" "$CXM" run "$OUT/stream.toml" --format json >> "$OUT/times"
    cp "$OUT/result.json" "$OUT/stream.json"
done
# The histogram query cxm sent, from the server's statement log (the driver wraps it in COPY).
SQL=$(python3 - "$LOG" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
found = re.findall(r"(?:statement|execute <unnamed>): COPY \((SELECT r0 AS .*?)\) TO STDOUT", text, re.S)
print(found[-1] if found else "")
PY
)
[ -n "$SQL" ] || { echo "bench/pushdown.sh: the histogram query is not in $LOG" >&2; exit 1; }
printf '%s\n' "$SQL" > "$OUT/histogram.sql"
for i in $(seq "$RUNS"); do
    bench_measure "psql-histogram" psql "$URL" -q -c "COPY ($SQL) TO STDOUT (FORMAT binary)" >> "$OUT/times"
done
HIST_BYTES=$(psql "$URL" -q -c "COPY ($SQL) TO STDOUT (FORMAT binary)" | wc -c)
HIST_ROWS=$(psql "$URL" -qtA -c "SELECT COUNT(*) FROM ($SQL) AS h")
ROW_BYTES=$(psql "$URL" -q -c "COPY (SELECT submitted, region, nps, csat, ces FROM survey) TO STDOUT (FORMAT binary)" | wc -c)

python3 bench/warehouse_table.py "$OUT" "$ROWS" \
    "histogram $(printf "%'d" "$HIST_ROWS") rows, $(printf "%'d" "$HIST_BYTES") bytes (binary COPY) vs $(printf "%'d" "$ROW_BYTES") bytes for the rows' columns" \
    cxm-pushdown cxm-stream psql-histogram
