#!/usr/bin/env bash
# Renders a scan report, the batch index and the audit page in headless Chromium and saves
# screenshots to docs/images/ (the README shows two of them).
#
# Usage: scripts/screenshots.sh [REPORTS_DIR] [AUDIT_DIR] [SCAN_ID]
#   REPORTS_DIR  output of `sonoqc analyze` (holds index.html and scans/**/report.html); default reports
#                (what `make run` writes)
#   AUDIT_DIR    output of `sonoqc audit` (holds audit.html); default REPORTS_DIR/audit, produced
#                here with `sonoqc audit REPORTS_DIR` when missing (SONOQC: binary, default the
#                release build)
#   SCAN_ID      folder under scans/ to show (e.g. hospital-day/H0415-08); default: the first
#                (most flagged) scan listed in the index
# Environment: CHROMIUM (binary), WINDOW (default 1280,2000), OUT_DIR (default docs/images),
#   SHOT_LANG (default en): the language the reports were written in (`sonoqc analyze --lang`); the
#   audit is produced in it too, and other than en it suffixes the image names (scan-report.zh-CN.png).
set -euo pipefail
cd "$(dirname "$0")/.."

REPORTS_DIR="${1:-reports}"
AUDIT_DIR="${2:-$REPORTS_DIR/audit}"
SCAN_ID="${3:-}"
WINDOW="${WINDOW:-1280,2000}"
OUT_DIR="${OUT_DIR:-docs/images}"
SHOT_LANG="${SHOT_LANG:-en}"
SUFFIX=""; [ "$SHOT_LANG" != en ] && SUFFIX=".$SHOT_LANG"
MAX_BYTES=$((250 * 1024))

find_chromium() {
    for c in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
    done
    return 1
}
if ! BROWSER="$(find_chromium)"; then
    echo "chromium not found; installing the Debian package" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
    BROWSER="$(find_chromium)"
fi
# Chinese pages need a CJK system font (the pages fetch no web fonts).
if [ "$SHOT_LANG" = zh-CN ] && ! fc-list :lang=zh | grep -q .; then
    echo "no Chinese system font; installing the Debian package fonts-wqy-microhei" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null
fi

[ -f "$REPORTS_DIR/index.html" ] || { echo "no $REPORTS_DIR/index.html: run sonoqc analyze first" >&2; exit 1; }
if [ -z "$SCAN_ID" ]; then
    # The index lists flagged scans first: take the first scan link.
    SCAN_ID="$(grep -o -m1 'href="scans/[^"]*/report.html"' "$REPORTS_DIR/index.html" | sed -n 1p | sed 's|href="scans/||; s|/report.html"||')"
fi
mkdir -p "$OUT_DIR"

shoot() { # page-path output-name [window]
    local page out tmp window="${3:-$WINDOW}"
    page="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    out="$OUT_DIR/$2$SUFFIX.png"
    tmp="$(mktemp -d)"
    "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
        --force-device-scale-factor=1 --window-size="$window" --screenshot="$tmp/shot.png" \
        "file://$page" >/dev/null 2>&1
    # Chromium's PNGs are uncompressed-ish; quantise to stay under the size budget.
    python3 "scripts/screenshot-shrink.py" "$tmp/shot.png" "$out" "$MAX_BYTES"
    rm -rf "$tmp"
    echo "$out ($(stat -c %s "$out") bytes)"
}

shoot "$REPORTS_DIR/scans/$SCAN_ID/report.html" scan-report
# The index is mostly thumbnails: a shorter window keeps it at full resolution within the budget.
shoot "$REPORTS_DIR/index.html" batch-index "${INDEX_WINDOW:-1280,1300}"
if [ ! -f "$AUDIT_DIR/audit.html" ]; then
    SONOQC="${SONOQC:-$(swift build -c release --show-bin-path)/sonoqc}"
    if [ -x "$SONOQC" ]; then
        "$SONOQC" audit "$REPORTS_DIR" --out "$AUDIT_DIR" --lang "$SHOT_LANG" >/dev/null || true
    fi
fi
if [ -f "$AUDIT_DIR/audit.html" ]; then
    shoot "$AUDIT_DIR/audit.html" audit
else
    echo "no $AUDIT_DIR/audit.html: skipped the audit page (run sonoqc audit $REPORTS_DIR --out $AUDIT_DIR)" >&2
fi
