#!/usr/bin/env bash
# `make test-browser`: drives the system Chromium (apt; Playwright's own browser download is not
# reachable here) with Playwright for Python against a live `sonoqc serve` holding the sample
# batches. CI starts bare, so this installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh chromium
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q playwright axe-playwright-python pytest
SWIFT=${SWIFT:-swift}
# SONOQC_BINARY names a built sonoqc (.ci/run passes the one `make test` linked); otherwise build
# with the same flags as `make test`.
if [ -z "${SONOQC_BINARY:-}" ]; then
  $SWIFT build -c release -Xswiftc -enable-testing --product sonoqc
  SONOQC_BINARY="$($SWIFT build -c release -Xswiftc -enable-testing --show-bin-path)/sonoqc"
fi
export SONOQC_BINARY
exec "$VENV/bin/python" -m pytest -v Tests/browser "$@"
