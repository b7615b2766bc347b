#!/usr/bin/env bash
# The whole test suite. `cargo test` does not build the other members' cdylibs, so the
# plugin libraries (and the test fixtures' libraries) are built first, in the same profile.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace --locked
cargo test --release --workspace --locked "$@"
