#!/usr/bin/env bash
# Re-renders the demo report in headless Chromium and writes its cover and executive summary
# (1200 px wide) to docs/report-demo.png: the browser test, with CXM_UPDATE_SCREENSHOT=1.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${CXM_TEST_CHROMIUM:-}" ] || eval "$(./scripts/chromium.sh)"
cargo build --release --workspace
CXM_UPDATE_SCREENSHOT=1 cargo test --release --test report_browser -- --exact reports_render_in_chromium
