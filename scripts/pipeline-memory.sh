#!/usr/bin/env bash
# Peak resident memory of `sonoqc analyze` for a small and a large batch (issue 5: bounded memory).
# Frames in flight are capped by --jobs and the batch assembly streams (each scan's images.jsonl
# lines, summary.csv row and index page fragments wait in a scratch file), so the peak should barely move
# with the batch size; what grows is the plan (one path per image), the per-image timing table
# (24 bytes per image) and the cross-scan duplicate check's (scan, file, hash) per frame.
#
# usage: scripts/pipeline-memory.sh [small=200] [large=20000] [jobs=2]
#        ANALYZE_ARGS="--no-html" adds arguments to each `sonoqc analyze`.
set -euo pipefail
source "$(dirname "$0")/pipeline-common.sh"
small="${1:-200}"; large="${2:-20000}"; jobs="${3:-2}"
echo "images from $images, 200 images per scan, --jobs $jobs"
printf '%8s %12s %10s %12s\n' images max_rss_kb seconds images/s
for n in "$small" "$large"; do
  make_batch "$work/in$n" "$n" 200
  # shellcheck disable=SC2086  # ANALYZE_ARGS is split into arguments on purpose
  /usr/bin/time -v "$bin" analyze "$work/in$n" --out "$work/out$n" --jobs "$jobs" --quiet ${ANALYZE_ARGS:-} 2>"$work/time$n" >/dev/null || true
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time$n")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time$n")
  printf '%8d %12s %10s %12s\n' "$n" "$rss" "$secs" "$(images_per_second "$work/out$n")"
  rm -rf "$work/out$n"
done
