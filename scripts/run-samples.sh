#!/usr/bin/env bash
# The main job: analyse every batch in samples/ and say where the reports are.
set -uo pipefail
out="${1:-reports}"
bin="$(swift build -c release --show-bin-path)/sonoqc"
"$bin" analyze samples --out "$out"
status=$?
echo
echo "Summary: $(cd "$out" && pwd)/summary.json"
echo "Reports: $(cd "$out" && pwd)/index.html"
exit $status
