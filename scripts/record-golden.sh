#!/usr/bin/env bash
# Records the golden outputs of `sonoqc analyze samples` that GoldenOutputTests compares byte for byte:
# SHA256SUMS of every output file except timing.json (the only file that depends on time), plus
# summary.json and summary.csv in full so a review sees what changed. Run it deliberately after a
# change that is meant to alter reports, and say why in the commit; a test never records.
# It also records the localized golden pages (Tests/SonoReportsTests/Fixtures/golden): the sample
# scan's report.json and its report.html in en and zh-CN, and `sonoqc audit` of the run in both.
set -euo pipefail
cd "$(dirname "$0")/.."
# SONOQC_BIN names an already built binary (outputs do not depend on the build configuration:
# GoldenOutputTests passes with debug and release builds alike).
if [ -z "${SONOQC_BIN:-}" ]; then
  swift build -c release --product sonoqc >/dev/null
  bin="$(swift build -c release --show-bin-path)/sonoqc"
else
  # Absolute, since the audit below runs from inside the output folder.
  bin="$(cd "$(dirname "$SONOQC_BIN")" && pwd)/$(basename "$SONOQC_BIN")"
fi
# Runs are stamped 2026-01-01 (report provenance, page headers), the day the tests give sonoqc.
export SOURCE_DATE_EPOCH=1767225600
# The committed default QC profile is the built-in one (QCProfileTests compares them).
"$bin" schema default-profile > profiles/default.json
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# No `|| true`: samples analyse with exit 0, and a run that fails or crashes must not be recorded.
"$bin" analyze samples --out "$out/run" --jobs 2 --quiet
golden=Tests/Golden/samples
mkdir -p "$golden"
(cd "$out/run" && find . -type f ! -name timing.json ! -name '.sonoqc*' | LC_ALL=C sort | sed 's|^\./||' \
  | while IFS= read -r f; do sha256sum -- "$f"; done) > "$golden/SHA256SUMS"
cp "$out/run/summary.json" "$out/run/summary.csv" "$golden/"
echo "recorded $(wc -l < "$golden/SHA256SUMS") files into $golden"

# Localized pages: the same run in Chinese gives the zh-CN page of the sample scan.
pages=Tests/SonoReportsTests/Fixtures/golden
scan=scans/samples/defects-overlays-duplicates/O-SWAP
mkdir -p "$pages"
"$bin" analyze samples --out "$out/zh" --jobs 2 --quiet --lang zh-CN
cp "$out/run/$scan/report.json" "$pages/sample-scan.report.json"
cp "$out/run/$scan/report.html" "$pages/scan.en.html"
cp "$out/zh/$scan/report.html" "$pages/scan.zh-CN.html"
for lang in en zh-CN; do
  # Run from inside the run folder so the page names it "." rather than a temporary path, and
  # write it there (after SHA256SUMS) as GoldenOutputTests does: its links to the scans are relative.
  (cd "$out/run" && "$bin" audit . --out "audit-$lang" --lang "$lang" >/dev/null 2>&1)
  cp "$out/run/audit-$lang/audit.html" "$pages/audit.$lang.html"
done
echo "recorded the sample scan's page and the audit page in en and zh-CN into $pages"
