#!/usr/bin/env bash
# Instructions two sonoqc builds execute on the same frames, counted by valgrind's callgrind: the
# same binary, frames and arguments give the same count to within about 0.01 % whatever else the
# machine is doing, so a change of a per cent or less shows here where CPU time (cpu-ab.sh) and
# wall time (Benchmarks/peers/e2e.sh) are lost in the noise of a shared machine. Instructions are
# not time: a change that removes memory traffic (a full-frame copy) saves more time than
# instructions, and valgrind runs the AVX2 (x86-64-v3) kernels, as it cannot run AVX-512 ones.
#   scripts/instr-ab.sh NEW_BIN BASE_BIN [-- extra analyze arguments, e.g. --no-html]
#   INSTR_AB_FRAMES=N   the first N HC18 frames, one scan each (default 20; IMAGES=DIR for others)
#   INSTR_AB_TOP=N      also list the N functions whose counts changed most (default 12, 0 for none)
# Each run takes about 1.5 s per frame under valgrind. The binaries are copied without their
# DWARF sections (strip --strip-debug, symbols kept): valgrind 3.19 rejects Swift's debug info.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 NEW_BIN BASE_BIN [-- analyze args]" >&2; exit 2; }
new="$1" base="$2"; shift 2
[[ "${1:-}" == "--" ]] && shift
new="$(cd "$(dirname "$new")" && pwd)/$(basename "$new")" base="$(cd "$(dirname "$base")" && pwd)/$(basename "$base")"
command -v valgrind >/dev/null || { echo "instr-ab: installing valgrind" >&2; apt-get install -y -q valgrind >/dev/null; }
SONOQC_BIN="$new"
# shellcheck source=scripts/pipeline-common.sh
source "$(dirname "$0")/pipeline-common.sh"
make_batch "$work/frames" "${INSTR_AB_FRAMES:-20}" 1

for side in new base; do
    bin="$new"; [[ $side == base ]] && bin="$base"
    strip --strip-debug -o "$work/$side-bin" "$bin"
    valgrind --tool=callgrind --callgrind-out-file="$work/$side.callgrind" "$work/$side-bin" \
        analyze "$work/frames" --out "$work/out-$side" --jobs 1 --quiet "$@" >/dev/null 2>"$work/$side.log" \
        || { cat "$work/$side.log" >&2; exit 1; }
    callgrind_annotate --threshold=100 "$work/$side.callgrind" > "$work/$side.functions"
done
python3 - "$work" "${INSTR_AB_TOP:-12}" <<'EOF'
import re, sys
work, top = sys.argv[1], int(sys.argv[2])
def read(side):
    total, functions = None, {}
    for line in open(f"{work}/{side}.functions"):
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", line)
        if not m:
            continue
        count, name = int(m.group(1).replace(",", "")), m.group(2)
        if name.startswith("PROGRAM TOTALS"):
            total = count
        else:
            # "file:function [object]" -> function, so the same function matches across builds.
            functions[re.sub(r"^\S*?:(?=\$s|\w)", "", name.rsplit(" [", 1)[0])] = count
    return total, functions
(new_total, new_f), (base_total, base_f) = read("new"), read("base")
print(f"instructions  new {new_total:,}  base {base_total:,}  new / base {new_total / base_total:.4f}x")
if top:
    change = sorted(set(new_f) | set(base_f), key=lambda f: -abs(new_f.get(f, 0) - base_f.get(f, 0)))[:top]
    print(f"largest changes (new - base, share of base's total):")
    for f in change:
        d = new_f.get(f, 0) - base_f.get(f, 0)
        print(f"  {d:+15,}  {100 * d / base_total:+6.2f} %  {f[:110]}")
EOF
