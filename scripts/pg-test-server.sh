#!/usr/bin/env bash
# A throwaway PostgreSQL server for the cxm-postgres tests.
#
#   eval "$(scripts/pg-test-server.sh)"   # start (or reuse) it; exports CXM_TEST_PG_URL
#   scripts/pg-test-server.sh stop        # stop it and delete its cluster
#
# Installs PostgreSQL with apt-get only when no pg_ctl exists under
# /usr/lib/postgresql/*/bin. The cluster lives in /tmp/cxm-pg-test-<port>, owned by the
# `postgres` OS user when run as root (initdb refuses root), listens on 127.0.0.1 only, and
# trusts every local connection. Only the export line goes to stdout; progress goes to stderr.
# The port is CXM_TEST_PG_PORT (default 55432). Idempotent: if a server already answers on the
# port, it just prints the export line. On failure it prints `false`, so that
# `eval "$(scripts/pg-test-server.sh)"` fails too (under `set -e` it stops the caller).
set -euo pipefail

on_exit() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo false
    fi
}
trap on_exit EXIT

PORT="${CXM_TEST_PG_PORT:-55432}"
BASE="/tmp/cxm-pg-test-${PORT}"
DATA="${BASE}/data"
LOG="${BASE}/server.log"
DB=cxm_test
EXPORT="export CXM_TEST_PG_URL=\"host=127.0.0.1 port=${PORT} user=postgres dbname=${DB}\""

say() { echo "pg-test-server: $*" >&2; }

find_bin() {
    local d found=""
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/pg_ctl" ]; then
            found="$d"
        fi
    done
    echo "$found"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

BIN="$(find_bin)"

if [ "${1:-}" = "stop" ]; then
    if [ -n "$BIN" ] && [ -f "${DATA}/postmaster.pid" ]; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    rm -rf "$BASE"
    say "stopped (port ${PORT})"
    exit 0
fi
if [ -n "${1:-}" ]; then
    say "unknown argument '$1' (use no argument to start, or 'stop')"
    exit 2
fi

if [ -z "$BIN" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "PostgreSQL is not installed and installing it needs root"
        exit 1
    fi
    say "installing PostgreSQL"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
    BIN="$(find_bin)"
    if [ -z "$BIN" ]; then
        say "pg_ctl not found under /usr/lib/postgresql/*/bin after installing"
        exit 1
    fi
fi

# Already running on the port (ours or another trust-auth server): reuse it.
if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 2; then
    say "already running on 127.0.0.1:${PORT}"
    echo "$EXPORT"
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    say "creating the postgres OS user"
    useradd --system --user-group --no-create-home --home-dir "$BASE" --shell /bin/sh postgres
fi

# A stale cluster (server not answering) is thrown away and made afresh.
rm -rf "$BASE"
mkdir -p "$BASE"
chmod 700 "$BASE"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$BASE"
fi

say "initialising a cluster in ${DATA}"
as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"${BASE}/initdb.log" 2>&1 \
    || as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"${BASE}/initdb.log" 2>&1 \
    || { cat "${BASE}/initdb.log" >&2; say "initdb failed"; exit 1; }

say "starting on 127.0.0.1:${PORT}"
if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
    -o "-h 127.0.0.1 -p ${PORT} -k ${BASE} -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2; then
    cat "$LOG" >&2 || true
    say "the server did not start"
    exit 1
fi

as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2
say "ready"
echo "$EXPORT"
