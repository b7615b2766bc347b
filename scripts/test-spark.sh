#!/usr/bin/env bash
# The Spark tests, a CI step of their own (.ci/run): they need a Spark Connect server, which
# takes Java (Debian's openjdk-17-jre-headless, installed with apt-get when missing), Spark's
# jars (the pyspark package from PyPI, ~430 MB, downloaded once into target/spark) and ~20 s
# to start. scripts/spark-test-server.sh starts it on 127.0.0.1 unless
# CXM_TEST_SPARK_REMOTE already names one; a server this script started is stopped at the
# end. CXM_TEST_SPARK_REQUIRED makes the tests fail instead of skipping when no server is
# set. The main suite (scripts/test.sh) compiles the same tests and skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
started=""
if [ -z "${CXM_TEST_SPARK_REMOTE:-}" ]; then
    spark_env="$(./scripts/spark-test-server.sh)"
    if [ "$spark_env" = "false" ]; then
        echo "error: could not start the Spark Connect test server" >&2
        exit 1
    fi
    eval "$spark_env"
    started=1
fi
stop() {
    if [ -n "$started" ]; then
        ./scripts/spark-test-server.sh stop || true
    fi
}
trap stop EXIT
export CXM_TEST_SPARK_REQUIRED=1
cargo build --release --workspace --locked
# --workspace, as the main suite: selecting packages with -p would build the dependencies
# again with other features.
cargo test --release --locked --workspace --test spark --test live "$@"
