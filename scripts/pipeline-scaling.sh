#!/usr/bin/env bash
# Throughput of the full `sonoqc analyze` chain with 1 and 2 workers on the same batch
# (issue 5: >= 1.8x on 2 cores). The runs alternate (1,2,1,2,...) because this VM's speed drifts;
# each line is one run (whole process, end to end) and the ratio uses the best of each.
#
# usage: scripts/pipeline-scaling.sh [images=2000] [repetitions=3]
set -euo pipefail
source "$(dirname "$0")/pipeline-common.sh"
count="${1:-2000}"; reps="${2:-3}"
make_batch "$work/in" "$count" 50
echo "$count images from $images (50 per scan)"
best1=0; best2=0
for r in $(seq 1 "$reps"); do
  for jobs in 1 2; do
    rm -rf "$work/out"
    ips=$(timed_ips "$count" "$bin" analyze "$work/in" --out "$work/out" --jobs "$jobs" --quiet)
    echo "run $r  --jobs $jobs  $ips images/s"
    if [ "$jobs" = 1 ]; then best1=$(python3 -c "print(max($best1, $ips))"); else best2=$(python3 -c "print(max($best2, $ips))"); fi
  done
done
python3 -c "print('best: --jobs 1 %.1f, --jobs 2 %.1f images/s, speed-up %.2fx' % ($best1, $best2, $best2 / $best1))"
