#!/usr/bin/env bash
# CPU of two sonoqc builds on the same frames, in alternating single-worker runs (new, base, new,
# base, ...), so both see the same machine load; prints each side's runs, median and least, and
# the ratios. On a shared machine this resolves differences that wall-clock rounds (e2e.sh) cannot.
#   scripts/cpu-ab.sh NEW_BIN BASE_BIN [RUNS] [-- extra analyze arguments, e.g. --no-html]
#   CPU_AB_FRAMES=N   the first N HC18 frames, one scan each (default 200; IMAGES=DIR for others)
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 NEW_BIN BASE_BIN [RUNS] [-- analyze args]" >&2; exit 2; }
new="$1" base="$2"; shift 2
runs=8
if [[ $# -gt 0 && "$1" != "--" ]]; then runs="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
new="$(cd "$(dirname "$new")" && pwd)/$(basename "$new")" base="$(cd "$(dirname "$base")" && pwd)/$(basename "$base")"
# pipeline-common.sh: the frames as make_batch links them (one per scan), $work and its cleanup;
# SONOQC_BIN keeps it from building.
SONOQC_BIN="$new"
# shellcheck source=scripts/pipeline-common.sh
source "$(dirname "$0")/pipeline-common.sh"
make_batch "$work/frames" "${CPU_AB_FRAMES:-200}" 1

for ((i = 0; i < runs; i++)); do
    for side in new base; do
        bin="$new"; [[ $side == base ]] && bin="$base"
        rm -rf "$work/out"
        /usr/bin/time -f "$side %U %S" -o "$work/time" "$bin" analyze "$work/frames" --out "$work/out" --jobs 1 --quiet "$@" >/dev/null
        cat "$work/time" >> "$work/times"
    done
done
python3 - "$work/times" <<'EOF'
import statistics, sys
cpu = {"new": [], "base": []}
for line in open(sys.argv[1]):
    side, user, system = line.split()
    cpu[side].append(float(user) + float(system))
for side, values in cpu.items():
    print(f"{side:5} CPU s: {' '.join(f'{v:.2f}' for v in sorted(values))}  median {statistics.median(values):.3f}  least {min(values):.3f}")
print(f"new / base: median {statistics.median(cpu['new']) / statistics.median(cpu['base']):.3f}x, "
      f"least {min(cpu['new']) / min(cpu['base']):.3f}x")
EOF
