#!/usr/bin/env bash
# A throwaway Apache Spark Connect server for tests/spark.rs, and only ours.
#
#   eval "$(scripts/spark-test-server.sh)"   # start (or reuse) it; exports CXM_TEST_SPARK_REMOTE
#   scripts/spark-test-server.sh stop        # stop it and delete its state
#
# Spark comes from the `pyspark` package on PyPI: its source distribution carries Spark's
# jars (the Spark Connect server among them) and launch scripts, so it is downloaded once
# (pip download, no install, no Python at run time) into CXM_SPARK_DIR (default
# target/spark) and only its `deps/bin` and `deps/jars` are unpacked. Spark 4 needs Java 17
# or later: Debian's openjdk-17-jre-headless is installed with apt-get when no such `java`
# is on the PATH.
#
# The server runs Spark in local mode (2 threads, a heap of CXM_TEST_SPARK_MEMORY, default
# 1g) in CXM_TEST_SPARK_STATE
# (default /tmp/cxm-spark-test-<uid>: its warehouse folder, log and pid), listens on
# 127.0.0.1 only, on a free port picked at random below the ephemeral range, and its UI is
# off. Its session time zone is Asia/Kolkata, not UTC, so that the tests show that nothing
# cxm computes depends on it. A server left by an earlier call is reused only when its recorded pid is alive and
# is this script's Spark Connect server, and its port answers.
#
# Only the export line goes to stdout; progress goes to stderr. On failure it prints
# `false`, so that `eval "$(scripts/spark-test-server.sh)"` fails too.
set -euo pipefail

on_exit() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo false
    fi
}
trap on_exit EXIT

cd "$(dirname "$0")/.."
VERSION=4.0.1
DIR="${CXM_SPARK_DIR:-target/spark}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
HOME_DIR="$DIR/spark-$VERSION"
STATE="${CXM_TEST_SPARK_STATE:-/tmp/cxm-spark-test-$(id -u)}"
LOG="$STATE/server.log"
PID_FILE="$STATE/pid"
PORT_FILE="$STATE/port"

say() { echo "spark-test-server: $*" >&2; }

export_line() {
    echo "export CXM_TEST_SPARK_REMOTE=\"sc://127.0.0.1:$1\""
}

port_in_use() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Whether the recorded server is alive and is ours.
is_ours() {
    [ -f "$PID_FILE" ] && [ -f "$PORT_FILE" ] || return 1
    local pid port
    pid="$(cat "$PID_FILE")"
    port="$(cat "$PORT_FILE")"
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "SparkConnectServer" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$STATE/warehouse" || return 1
    port_in_use "$port"
}

stop_server() {
    if [ -f "$PID_FILE" ]; then
        local pid
        pid="$(cat "$PID_FILE")"
        if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "SparkConnectServer"; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.2
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$STATE"
}

case "${1:-}" in
    "") ;;
    stop)
        stop_server
        say "stopped ($STATE)"
        exit 0
        ;;
    *)
        say "unknown argument '$1' (use no argument to start, or 'stop')"
        exit 2
        ;;
esac

java_major() {
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        say "Java 17 or later is needed and installing it needs root"
        exit 1
    fi
    say "installing openjdk-17-jre-headless"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y openjdk-17-jre-headless >&2
fi

if [ ! -x "$HOME_DIR/bin/spark-submit" ]; then
    say "downloading pyspark $VERSION from PyPI (Spark's jars, ~430 MB)"
    python3 -m pip download --quiet --no-deps \
        --dest "$DIR/dist" "pyspark==$VERSION" >&2
    archive="$DIR/dist/pyspark-$VERSION.tar.gz"
    rm -rf "$HOME_DIR.tmp"
    mkdir -p "$HOME_DIR.tmp"
    tar -xzf "$archive" -C "$HOME_DIR.tmp" --strip-components=2 \
        "pyspark-$VERSION/deps/bin" "pyspark-$VERSION/deps/jars" \
        --exclude "pyspark-$VERSION/deps/jars/connect-repl" >&2
    rm -rf "$HOME_DIR"
    mv "$HOME_DIR.tmp" "$HOME_DIR"
    if ! ls "$HOME_DIR"/jars/spark-connect_*.jar >/dev/null 2>&1; then
        say "no spark-connect jar in $archive"
        exit 1
    fi
fi

if is_ours; then
    port="$(cat "$PORT_FILE")"
    say "reusing this script's server on 127.0.0.1:${port} ($STATE)"
    export_line "$port"
    exit 0
fi

stop_server
mkdir -p "$STATE"

port=""
for _ in $(seq 1 20); do
    candidate=$((20000 + RANDOM % 12000))
    port_in_use "$candidate" && continue
    port="$candidate"
    break
done
if [ -z "$port" ]; then
    say "no free port found on 127.0.0.1 after 20 tries"
    exit 1
fi

say "starting Spark Connect on 127.0.0.1:${port} (log: $LOG)"
# setsid: the server outlives this script, in its own session.
SPARK_HOME="$HOME_DIR" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$STATE" SPARK_CONF_DIR="$STATE" \
    setsid "$HOME_DIR/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name cxm-spark-test \
    --master 'local[2]' \
    --driver-memory "${CXM_TEST_SPARK_MEMORY:-1g}" \
    --conf spark.connect.grpc.binding.address=127.0.0.1 \
    --conf "spark.connect.grpc.binding.port=${port}" \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions=2 \
    --conf spark.sql.session.timeZone=Asia/Kolkata \
    --conf "spark.sql.warehouse.dir=$STATE/warehouse" \
    --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$STATE" \
    spark-internal </dev/null >"$LOG" 2>&1 &
pid=$!
echo "$pid" >"$PID_FILE"
echo "$port" >"$PORT_FILE"

for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
        tail -30 "$LOG" >&2 || true
        say "the server exited while starting"
        exit 1
    fi
    if port_in_use "$port"; then
        # The JVM's pid is the spark-submit's (it execs java).
        if is_ours; then
            say "ready on 127.0.0.1:${port}"
            export_line "$port"
            exit 0
        fi
    fi
    sleep 0.5
done
tail -30 "$LOG" >&2 || true
say "the server did not answer on 127.0.0.1:${port} within 120 s"
exit 1
