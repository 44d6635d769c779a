#!/usr/bin/env bash
# Times `sonoqc simulate` on the committed seeds with 1 and 2 render threads (side by side, three
# rounds each, best time kept: this VM's speed drifts) and checks both outputs are identical.
# Usage: scripts/simulator-bench.sh [path/to/sonoqc]   (default: release build in .build)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/sonoqc}
[ -x "$BIN" ] || swift build -c release --product sonoqc >/dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
best() { sort -n | head -1; }
for spec in seeds/clean-18-40.json seeds/operator-audit.json; do
  images=$(python3 -c "import json,sys; s=json.load(open('$spec')); r=s.get('random_scans'); print(sum(len(x.get('frames',[1])) for x in s.get('scans',[])) + (r['scans_per_operator']*len(s['operators'])*r.get('frames_per_scan',1) if r else 0))")
  for threads in 1 2; do
    times=""
    for round in 1 2 3; do
      start=$(date +%s.%N)
      "$BIN" simulate "$spec" --out "$TMP/t$threads" --threads "$threads" >/dev/null
      end=$(date +%s.%N)
      times+="$(echo "$end - $start" | bc)"$'\n'
    done
    t=$(printf "%s" "$times" | best)
    printf "%-28s threads=%d  %6.2f s  %6.1f ms/image\n" "$(basename "$spec")" "$threads" "$t" "$(echo "1000 * $t / $images" | bc -l)"
  done
  diff -r -q "$TMP/t1" "$TMP/t2" >/dev/null && echo "  output identical for 1 and 2 threads"
done
