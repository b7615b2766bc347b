#!/usr/bin/env bash
# The ADBC driver libraries the warehouse tests load (tests/adbc.rs, tests/formats.rs):
#
#   eval "$(scripts/adbc-drivers.sh)"   # exports CXM_TEST_ADBC_SQLITE, CXM_TEST_ADBC_POSTGRESQL
#
# The ADBC project ships its drivers as shared libraries inside the PyPI wheels
# adbc-driver-sqlite and adbc-driver-postgresql; they need only libc and libstdc++, so
# cxm loads them without Python. The wheels are downloaded once (pip download, no install)
# into CXM_ADBC_DIR (default target/adbc-drivers) and unpacked there; later calls reuse
# them. Only the export lines go to stdout; progress goes to stderr. On failure it prints
# `false`, so that `eval "$(scripts/adbc-drivers.sh)"` fails too.
set -euo pipefail

on_exit() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo false
    fi
}
trap on_exit EXIT

cd "$(dirname "$0")/.."
VERSION=1.13.0
DIR="${CXM_ADBC_DIR:-target/adbc-drivers}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

say() { echo "adbc-drivers: $*" >&2; }

for name in sqlite postgresql; do
    lib="$DIR/$VERSION/adbc_driver_$name/libadbc_driver_$name.so"
    if [ ! -f "$lib" ]; then
        say "downloading adbc-driver-$name $VERSION from PyPI"
        python3 -m pip download --quiet --no-deps --only-binary=:all: \
            --dest "$DIR/wheels" "adbc-driver-$name==$VERSION" >&2
        wheel="$(ls "$DIR"/wheels/adbc_driver_"$name"-"$VERSION"-*.whl | head -1)"
        python3 -m zipfile -e "$wheel" "$DIR/$VERSION" >&2
        if [ ! -f "$lib" ]; then
            say "$lib not found in $wheel"
            exit 1
        fi
    fi
    var="CXM_TEST_ADBC_$(echo "$name" | tr '[:lower:]' '[:upper:]')"
    echo "export $var=\"$lib\""
done
