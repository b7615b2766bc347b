#!/usr/bin/env bash
# The whole test suite. `cargo test` does not build the other members' cdylibs, so the
# plugin libraries (and the test fixtures' libraries) are built first, in the same profile.
# PostgreSQL tests need a server: unless CXM_TEST_PG_URL is already set, a throwaway one is
# started on 127.0.0.1 (scripts/pg-test-server.sh; installs PostgreSQL with apt when
# missing). Under CI the tests refuse to skip it. Likewise the browser test of the HTML report
# needs headless Chromium: unless CXM_TEST_CHROMIUM is already set, scripts/chromium.sh finds
# it (installing it with apt when missing). The ADBC tests load the SQLite and PostgreSQL
# driver libraries the ADBC project ships in its PyPI wheels: scripts/adbc-drivers.sh
# downloads them once into target/adbc-drivers.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CXM_TEST_PG_URL:-}" ]; then
    if pg_env="$(./scripts/pg-test-server.sh)" && [ "$pg_env" != "false" ]; then
        eval "$pg_env"
    elif [ -n "${CI:-}" ]; then
        echo "error: could not start the PostgreSQL test server" >&2
        exit 1
    else
        echo "warning: no PostgreSQL test server; PostgreSQL tests will be skipped" >&2
    fi
fi
if [ -z "${CXM_TEST_CHROMIUM:-}" ]; then
    if chromium_env="$(./scripts/chromium.sh)" && [ "$chromium_env" != "false" ]; then
        eval "$chromium_env"
    elif [ -n "${CI:-}" ]; then
        echo "error: no headless Chromium for the browser tests" >&2
        exit 1
    else
        echo "warning: no headless Chromium; browser tests will be skipped" >&2
    fi
fi
if [ -z "${CXM_TEST_ADBC_SQLITE:-}" ]; then
    if adbc_env="$(./scripts/adbc-drivers.sh)" && [ "$adbc_env" != "false" ]; then
        eval "$adbc_env"
    elif [ -n "${CI:-}" ]; then
        echo "error: could not fetch the ADBC driver libraries" >&2
        exit 1
    else
        echo "warning: no ADBC drivers; ADBC tests will be skipped" >&2
    fi
fi
cargo build --release --workspace --locked
cargo test --release --workspace --locked "$@"
