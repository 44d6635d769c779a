#!/usr/bin/env python3
"""Generate the median selection networks in Sources/SonoKernels/MedianNetworks.swift.

For a (2r+1)x(2r+1) window the vector median first sorts every column of the window (the
sorted columns are shared by neighbouring output pixels), then runs a selection network on
the n*n values. The network is "sort each row, then Batcher's odd-even merge sort", pruned in two steps:
  1. comparators that never swap anything when every column is already sorted are dropped;
     this is decided exhaustively on all 0-1 inputs with sorted columns (0-1 principle: a
     comparator swaps a real input only if it swaps one of its thresholdings, and thresholding
     a sorted column gives a sorted 0-1 column);
  2. only comparators that can influence the middle element are kept, and a comparator whose
     max (or min) output is never used again becomes a single min (or max).
The result is verified on all sorted-column 0-1 inputs and on random inputs before writing.
Run:  python3 scripts/make-median-networks.py
"""
import itertools
import os
import random


def batcher(n):
    """Comparators (i, j), i < j, of Batcher's odd-even merge sort for n inputs."""
    p = 1
    while p < n:
        p *= 2
    pairs = []
    t = 1
    while t < p:
        k = t
        while k >= 1:
            for j in range(k % t, p - k, 2 * k):
                for i in range(min(k, p - j - k)):
                    if (i + j) // (2 * t) == (i + j + k) // (2 * t):
                        pairs.append((i + j, i + j + k))
            k //= 2
        t *= 2
    # Padding the top with +infinity keeps those entries in place, so comparators touching
    # them never act and can be removed.
    return [(a, b) for a, b in pairs if b < n]


def sorted_column_inputs(side):
    columns = [tuple([0] * (side - ones) + [1] * ones) for ones in range(side + 1)]
    for choice in itertools.product(columns, repeat=side):
        # value index = row * side + column; column c is choice[c]
        yield [choice[c][r] for r in range(side) for c in range(side)]


def apply_ops(ops, v):
    v = list(v)
    for a, b, need_min, need_max in ops:
        lo, hi = min(v[a], v[b]), max(v[a], v[b])
        if need_min:
            v[a] = lo
        if need_max:
            v[b] = hi
    return v


def verify(side, ops):
    n = side * side
    for vec in sorted_column_inputs(side):
        assert apply_ops(ops, vec)[n // 2] == sorted(vec)[n // 2]
    rng = random.Random(side)
    for _ in range(20000):
        cols = [sorted(rng.randrange(256) for _ in range(side)) for _ in range(side)]
        vec = [cols[c][r] for r in range(side) for c in range(side)]
        assert apply_ops(ops, vec)[n // 2] == sorted(vec)[n // 2]


def network_with_row_sorts(side):
    """Sorting each row of the (column-sorted) window first lets more of Batcher's
    comparators be pruned (5x5: 162 min/max instead of 168)."""
    rows = [(r * side + a, r * side + b) for r in range(side) for a, b in batcher(side)]
    return rows + batcher(side * side)


def prune(side, comps):
    n = side * side
    used = [False] * len(comps)
    for vec in sorted_column_inputs(side):
        v = list(vec)
        for idx, (a, b) in enumerate(comps):
            if v[a] > v[b]:
                v[a], v[b] = v[b], v[a]
                used[idx] = True
    comps = [c for c, u in zip(comps, used) if u]
    live = {n // 2}
    ops = []
    for a, b in reversed(comps):
        need_min, need_max = a in live, b in live
        if not (need_min or need_max):
            continue
        ops.append((a, b, need_min, need_max))
        live |= {a, b}
    ops.reverse()
    return ops


def emit_selection(side, ops):
    n = side * side
    count = sum(int(a) + int(b) for *_, a, b in ops)
    params = ", ".join(f"_ s{r}: UnsafePointer<UInt8>" for r in range(side))
    body = [f"    /// Median of the {side}x{side} windows of `V.scalarCount` adjacent pixels. `s_r` points at the",
            f"    /// r-th smallest value of each window column (columns sorted ascending), so lane `i`",
            f"    /// of window column `c` is `s_r[i + c]`. {count} min/max operations.",
            "    @inline(__always)",
            f"    static func median{side}x{side}<V: ByteVector>({params}, as _: V.Type) -> V {{"]
    for r in range(side):
        for c in range(side):
            body.append(f"        var v{r * side + c} = V.load(s{r} + {c})")
    for a, b, need_min, need_max in ops:
        if need_min and need_max:
            body.append(f"        (v{a}, v{b}) = (vmin(v{a}, v{b}), vmax(v{a}, v{b}))")
        elif need_min:
            body.append(f"        v{a} = vmin(v{a}, v{b})")
        else:
            body.append(f"        v{b} = vmax(v{a}, v{b})")
    body.append(f"        return v{n // 2}")
    body.append("    }")
    return body, count


def emit_column_sort(side):
    comps = batcher(side)
    body = [f"    /// Sorts {side} vectors lane-wise ascending ({len(comps)} compare-exchanges).",
            "    @inline(__always)",
            f"    static func sortColumn{side}<V: ByteVector>(" + ", ".join(f"_ c{i}: inout V" for i in range(side)) + ") {"]
    for a, b in comps:
        body.append(f"        (c{a}, c{b}) = (vmin(c{a}, c{b}), vmax(c{a}, c{b}))")
    body.append("    }")
    return body, comps


def main():
    out = ["// Generated by scripts/make-median-networks.py; do not edit by hand.",
           "// The 5x5 selection network of the vector median (see the script for how it is pruned",
           "// and verified), generic over the vector width (see `ByteVector` in Kernels.swift). The 3x3",
           "// median needs no generated network (`Kernels.median3x3`).", "",
           "enum MedianNetworks {"]
    side = 5
    ops = prune(side, network_with_row_sorts(side))
    verify(side, ops)
    sort_body, comps = emit_column_sort(side)
    select_body, count = emit_selection(side, ops)
    out += sort_body + [""] + select_body + ["}"]
    print(f"{side}x{side}: column sort {len(comps)} CE, selection {len(ops)} comparators, {count} min/max")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "SonoKernels", "MedianNetworks.swift")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
