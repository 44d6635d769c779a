#!/usr/bin/env bash
# Pipeline overhead (issue 5: >= 90%): `sonoqc analyze --jobs 1` with measurement switched off
# (hidden --skip-measure, so it only reads, decodes and writes records/reports) against
# `sonoqc bench-decode`, a plain single-threaded read + decode loop over the same files. Alternating
# runs, best of each; both are timed end to end as whole processes (discovery and output included).
#
# usage: scripts/pipeline-overhead.sh [images=1000] [repetitions=3]
set -euo pipefail
source "$(dirname "$0")/pipeline-common.sh"
count="${1:-1000}"; reps="${2:-3}"
make_batch "$work/in" "$count" 50
echo "$count images from $images (50 per scan), single worker"
bestLoop=0; bestPipe=0
for r in $(seq 1 "$reps"); do
  loop=$(timed_ips "$count" "$bin" bench-decode "$work/in")
  rm -rf "$work/out"
  pipe=$(timed_ips "$count" "$bin" analyze "$work/in" --out "$work/out" --jobs 1 --quiet --skip-measure)
  echo "run $r  read+decode loop $loop images/s   analyze pipeline $pipe images/s"
  bestLoop=$(python3 -c "print(max($bestLoop, $loop))"); bestPipe=$(python3 -c "print(max($bestPipe, $pipe))")
done
python3 -c "print('best: loop %.1f, pipeline %.1f images/s, pipeline = %.1f%% of loop' % ($bestLoop, $bestPipe, 100 * $bestPipe / $bestLoop))"
