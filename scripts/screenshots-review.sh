#!/usr/bin/env bash
# README screenshots of the reviewer workspace (docs/screenshots/queue|viewer|audit.png, <= 200 KB
# each): a live `sonoqc serve` with samples/ uploaded, as `make test-browser` sets it up, photographed
# in the system Chromium by scripts/screenshots_review.py. SONOQC_BINARY names a built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh chromium
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# pytest too: the server setup is the browser tests' conftest.
"$VENV/bin/python" -m pip install -q playwright pillow pytest
if [ -z "${SONOQC_BINARY:-}" ]; then
  SWIFT=${SWIFT:-swift}
  # Same flags as `make test`, so its build is reused.
  $SWIFT build -c release -Xswiftc -enable-testing --product sonoqc
  SONOQC_BINARY="$($SWIFT build -c release -Xswiftc -enable-testing --show-bin-path)/sonoqc"
fi
export SONOQC_BINARY
exec "$VENV/bin/python" scripts/screenshots_review.py
