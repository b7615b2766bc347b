#!/usr/bin/env bash
# A throwaway PostgreSQL server for the cxm-postgres tests, and only ours.
#
#   eval "$(scripts/pg-test-server.sh)"   # start (or reuse) it; exports CXM_TEST_PG_URL
#   scripts/pg-test-server.sh stop        # stop it and delete its cluster
#
# Installs PostgreSQL with apt-get only when no pg_ctl exists under
# /usr/lib/postgresql/*/bin. The cluster lives in CXM_TEST_PG_DIR (default
# /tmp/cxm-pg-test-<uid>), owned by the `postgres` OS user when run as root (initdb refuses
# root), listens on 127.0.0.1 only, and trusts every local connection.
#
# The server is never one that merely answers on a port: a server left running by an
# earlier call is reused only when it proves to be this cluster (its data_directory is ours);
# otherwise a new cluster is started on a free loopback port, picked at random and retried
# if another process takes it first. CXM_TEST_PG_PORT pins the port instead; if something
# else already listens there, the script fails naming the port rather than using it.
# Concurrent calls are serialised with a lock beside the cluster.
#
# Only the export line goes to stdout; progress goes to stderr. On failure it prints
# `false`, so that `eval "$(scripts/pg-test-server.sh)"` fails too (under `set -e` it stops
# the caller).
set -euo pipefail

on_exit() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo false
    fi
}
trap on_exit EXIT

BASE="${CXM_TEST_PG_DIR:-/tmp/cxm-pg-test-$(id -u)}"
DATA="${BASE}/data"
LOG="${BASE}/server.log"
PORT_FILE="${BASE}/port"
LOCK="${BASE}.lock"
DB=cxm_test

say() { echo "pg-test-server: $*" >&2; }

export_line() {
    echo "export CXM_TEST_PG_URL=\"host=127.0.0.1 port=$1 user=postgres dbname=${DB}\""
}

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

# Whether anything accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Whether the server on 127.0.0.1:$1 is this script's cluster: it answers as our trusted
# superuser, in our database, and its data directory is ours.
is_ours() {
    local port="$1" dir want
    [ -d "$DATA" ] || return 1
    want="$(cd "$DATA" 2>/dev/null && pwd -P)" || return 1
    dir="$(PGCONNECT_TIMEOUT=3 "$BIN/psql" -X -w -A -t -q -h 127.0.0.1 -p "$port" -U postgres \
        -d "$DB" -c "SHOW data_directory" 2>/dev/null)" || return 1
    [ -n "$dir" ] || return 1
    dir="$(cd "$dir" 2>/dev/null && pwd -P)" || return 1
    [ "$dir" = "$want" ]
}

# Stops this script's cluster if its postmaster is alive, then deletes it.
discard_cluster() {
    if [ -f "${DATA}/postmaster.pid" ]; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    rm -rf "$BASE"
}

# One caller at a time: another may be starting or stopping the same cluster.
take_lock() {
    exec 9>"$LOCK"
    if ! flock -w 120 9; then
        say "another pg-test-server.sh holds ${LOCK} for more than 2 minutes"
        exit 1
    fi
}

# Starts the cluster on port $1; returns 3 when the port was taken meanwhile.
start_on() {
    local port="$1"
    : >"$LOG"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$LOG"
    fi
    # The server must not inherit the lock's descriptor (it would hold the lock for life).
    if as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
        -o "-h 127.0.0.1 -p ${port} -k ${BASE} -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2 9>&-; then
        return 0
    fi
    if grep -q -e "could not bind" -e "Address already in use" -e "could not create any TCP/IP sockets" "$LOG" 2>/dev/null; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
        return 3
    fi
    cat "$LOG" >&2 || true
    return 1
}

BIN="$(find_bin)"

case "${1:-}" in
    "") ;;
    stop)
        take_lock
        if [ -n "$BIN" ]; then
            discard_cluster
        else
            rm -rf "$BASE"
        fi
        say "stopped (${BASE})"
        exit 0
        ;;
    *)
        say "unknown argument '$1' (use no argument to start, or 'stop')"
        exit 2
        ;;
esac

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

take_lock

# Our own server from an earlier call, still running: reuse it (only if it is ours).
if [ -f "$PORT_FILE" ]; then
    port="$(cat "$PORT_FILE")"
    if [ -z "${CXM_TEST_PG_PORT:-}" ] || [ "$CXM_TEST_PG_PORT" = "$port" ]; then
        if is_ours "$port"; then
            say "reusing this script's server on 127.0.0.1:${port} (${DATA})"
            export_line "$port"
            exit 0
        fi
    fi
fi

# A pinned port that another server holds is an error, not a server to use.
if [ -n "${CXM_TEST_PG_PORT:-}" ] && port_in_use "$CXM_TEST_PG_PORT"; then
    say "port ${CXM_TEST_PG_PORT} (CXM_TEST_PG_PORT) is in use by a server that is not this script's (${DATA}): unset CXM_TEST_PG_PORT to use a free port"
    exit 1
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    say "creating the postgres OS user"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /bin/sh postgres
fi

# Anything else (a stale cluster, a server on another port) is thrown away and made afresh.
discard_cluster
mkdir -p "$BASE"
chmod 700 "$BASE"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$BASE"
fi

say "initialising a cluster in ${DATA}"
as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"${BASE}/initdb.log" 2>&1 \
    || as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"${BASE}/initdb.log" 2>&1 \
    || { cat "${BASE}/initdb.log" >&2; say "initdb failed"; exit 1; }

port=""
if [ -n "${CXM_TEST_PG_PORT:-}" ]; then
    status=0
    start_on "$CXM_TEST_PG_PORT" || status=$?
    if [ "$status" -ne 0 ]; then
        say "the server did not start on port ${CXM_TEST_PG_PORT} (CXM_TEST_PG_PORT)"
        exit 1
    fi
    port="$CXM_TEST_PG_PORT"
else
    for _ in $(seq 1 20); do
        # Below Linux's ephemeral range (32768-60999), where outgoing connections take ports.
        candidate=$((20000 + RANDOM % 12000))
        if port_in_use "$candidate"; then
            continue
        fi
        say "starting on 127.0.0.1:${candidate}"
        status=0
        start_on "$candidate" || status=$?
        if [ "$status" -eq 0 ]; then
            port="$candidate"
            break
        fi
        if [ "$status" -ne 3 ]; then
            say "the server did not start"
            exit 1
        fi
        say "port ${candidate} was taken meanwhile; trying another"
    done
    if [ -z "$port" ]; then
        say "no free port found on 127.0.0.1 after 20 tries"
        exit 1
    fi
fi

echo "$port" >"$PORT_FILE"
as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB" >&2
if ! is_ours "$port"; then
    say "the server on 127.0.0.1:${port} is not the cluster in ${DATA}"
    exit 1
fi
say "ready on 127.0.0.1:${port}"
export_line "$port"
