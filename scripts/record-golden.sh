#!/usr/bin/env bash
# Records the golden outputs of `sonoqc analyze samples` that GoldenOutputTests compares byte for byte:
# SHA256SUMS of every output file except timing.json (the only file that depends on time), plus
# summary.json and summary.csv in full so a review sees what changed. Run it deliberately after a
# change that is meant to alter reports, and say why in the commit; a test never records.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product sonoqc >/dev/null
bin="$(swift build -c release --show-bin-path)/sonoqc"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" analyze samples --out "$out/run" --jobs 2 --quiet || true
golden=Tests/Golden/samples
mkdir -p "$golden"
(cd "$out/run" && find . -type f ! -name timing.json ! -name '.sonoqc*' | LC_ALL=C sort | sed 's|^\./||' \
  | while IFS= read -r f; do sha256sum -- "$f"; done) > "$golden/SHA256SUMS"
cp "$out/run/summary.json" "$out/run/summary.csv" "$golden/"
echo "recorded $(wc -l < "$golden/SHA256SUMS") files into $golden"
