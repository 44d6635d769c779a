#!/usr/bin/env bash
# Re-records the golden pages checked by Tests/SonoReportsTests/L10nTests.swift:
#  1. the sample scan's report.json, as `sonoqc analyze` writes it today, becomes the fixture the
#     scan pages are rendered from;
#  2. the tests run with SONOQC_RECORD_GOLDEN=1, which rewrites the golden HTML files and makes
#     those tests FAIL on purpose, so recording never passes by itself.
# Review `git diff Tests/SonoReportsTests/Fixtures/golden`, then run `make test` again.
set -euo pipefail
cd "$(dirname "$0")/.."
sample="samples/defects-overlays-duplicates"
scan="O-SWAP"
golden="Tests/SonoReportsTests/Fixtures/golden"
swift build -c release --product sonoqc
bin="$(swift build -c release --show-bin-path)/sonoqc"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" analyze "$sample" --out "$out" --quiet --no-html > /dev/null || true
cp "$out/scans/$(basename "$sample")/$scan/report.json" "$golden/sample-scan.report.json"
if SONOQC_RECORD_GOLDEN=1 swift test -c release -Xswiftc -enable-testing --filter 'L10nTests/golden'; then
  echo "recording should have failed the golden tests; nothing was recorded?" >&2
  exit 1
fi
echo "Golden files rewritten in $golden: review the diff, then run make test."
