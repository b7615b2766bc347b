#!/usr/bin/env bash
# Spark pushdown benchmark (issue 15): the survey of bench/run.sh (bench/data/survey.parquet,
# 10M rows by default) as a Spark table on a local Spark Connect server, then NPS + CSAT +
# CES by region × month (the main benchmark's job) computed
#   1. by cxm with pushdown (Spark returns the row histogram),
#   2. by cxm streaming the rows from Spark (pushdown = false),
#   3. by Spark alone: a hand-written GROUP BY of the same five columns, the month cut with
#      date_trunc, read to the end by the Spark Connect client (examples/spark-sql.rs),
# each BENCH_RUNS times (default 3), with wall time and peak RSS; it checks that both cxm
# runs give the same figures and row counts.
#
#   bench/spark.sh             # needs bench/data/survey.parquet (bench/run.sh makes it)
#
# Starts its own Spark Connect server (scripts/spark-test-server.sh with state in
# /tmp/cxm-spark-bench: local mode, 2 threads, 6 GiB heap) and stops it at the end.
# Nothing here runs in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS="${BENCH_RUNS:-3}"
PARQUET="$PWD/bench/data/survey.parquet"
[ -f "$PARQUET" ] || { echo "bench/spark.sh: $PARQUET is missing; run bench/run.sh first" >&2; exit 1; }
export CXM_TEST_SPARK_STATE=/tmp/cxm-spark-bench
# Spark Connect produces a result as fast as the job runs and buffers what the client has
# not read yet in the driver: streaming 10M rows needs several GiB of heap (1 GiB ran out).
export CXM_TEST_SPARK_MEMORY="${CXM_TEST_SPARK_MEMORY:-6g}"
eval "$(scripts/spark-test-server.sh)"
trap 'scripts/spark-test-server.sh stop >/dev/null 2>&1 || true' EXIT
cargo build --release --workspace --locked >&2
cargo build --release --locked -p cxm-spark --example spark-sql >&2
TARGET="${CARGO_TARGET_DIR:-target}/release"
CXM="$TARGET/cxm"
SQL_TOOL="$TARGET/examples/spark-sql"
REMOTE="$CXM_TEST_SPARK_REMOTE"

"$SQL_TOOL" "$REMOTE" "DROP TABLE IF EXISTS survey" \
    "CREATE TABLE survey USING parquet OPTIONS (path '$PARQUET')" >/dev/null
ROWS=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rows"])' bench/data/meta.json)

OUT=bench/data/spark
mkdir -p "$OUT"
SOURCE="format = \"spark\"\\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\\ntable = \"survey\""
bench_warehouse_config bench_parquet.toml "Benchmark (Spark)" "$SOURCE" > "$OUT/pushdown.toml"
bench_warehouse_config bench_parquet.toml "Benchmark (Spark)" "$SOURCE" "pushdown = false" > "$OUT/stream.toml"

GROUP_BY="SELECT region, date_trunc('MONTH', submitted) AS month, nps, csat, ces, COUNT(*) AS n \
FROM survey GROUP BY region, date_trunc('MONTH', submitted), nps, csat, ces"
: > "$OUT/times"
for i in $(seq "$RUNS"); do
    bench_measure "cxm-pushdown" "$CXM" run "$OUT/pushdown.toml" --format json >> "$OUT/times"
    cp "$OUT/result.json" "$OUT/pushdown.json"
    bench_measure "spark-group-by" "$SQL_TOOL" "$REMOTE" "$GROUP_BY" >> "$OUT/times"
    cp "$OUT/result.json" "$OUT/group_by.txt"
    bench_measure "cxm-stream" "$CXM" run "$OUT/stream.toml" --format json >> "$OUT/times"
    cp "$OUT/result.json" "$OUT/stream.json"
done

python3 bench/warehouse_table.py "$OUT" "$ROWS" "Spark's GROUP BY: $(cat "$OUT/group_by.txt")" \
    cxm-pushdown cxm-stream spark-group-by
