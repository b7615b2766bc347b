#!/usr/bin/env bash
# Headless Chromium for the browser test of the HTML report (tests/report_browser.rs).
#
#   eval "$(scripts/chromium.sh)"   # find (or install) it; exports CXM_TEST_CHROMIUM
#
# Uses Debian's Chromium (/usr/bin/chromium), installing it with apt-get only when it is
# missing (needs root). Only the export line goes to stdout; progress goes to stderr. On
# failure it prints `false`, so that `eval "$(scripts/chromium.sh)"` fails too (under `set -e`
# it stops the caller).
set -euo pipefail

on_exit() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo false
    fi
}
trap on_exit EXIT

BIN=/usr/bin/chromium

say() { echo "chromium: $*" >&2; }

if [ ! -x "$BIN" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "Chromium is not installed and installing it needs root"
        exit 1
    fi
    say "installing Chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends chromium >&2
    if [ ! -x "$BIN" ]; then
        say "$BIN not found after installing"
        exit 1
    fi
fi

# It must actually start (missing shared libraries show up here, not in the test).
if ! version="$("$BIN" --headless --no-sandbox --disable-gpu --version 2>&1)"; then
    say "$BIN does not run: $version"
    exit 1
fi
say "$version"
echo "export CXM_TEST_CHROMIUM=$BIN"
