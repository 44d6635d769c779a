#!/usr/bin/env python3
"""Held-out choice of the 'clearly inadequate' limits of the single-criterion review rules.

Input: the per-frame CSV of `sonoqc schema qc-evidence --hc18 DIR --per-frame FILE` (real HC18
frames, all accepted clinical frames, expert values reported). Policy, fixed before looking at
the rates: a single image or plane criterion is a review reason by itself only beyond what
99 % of accepted frames show, i.e. the limit is the 1st (or 99th) percentile of the training
folds' frames, and beyond every clean simulator phantom in samples/ (the accepted-phantom floor,
where a rule has one); it is never made so lenient that a simulator defect phantom stops going
to review (the phantom bound). Phantom values: `sonoqc analyze samples`, each report's metrics.
Folds: examinations (file name up to the first '_') sorted and dealt round-robin into 5, as
CrossValidation.foldAssignment does. Each fold's limit is chosen on the other four and the
rate reported on the held-out fold; the limit committed to profiles/default.json is the same
rule applied to all frames.

Usage: python3 scripts/rule-limits-cv.py per-frame.csv
"""
import csv
import math
import sys

FOLDS = 5
QUANTILE = 0.01
# rule: (CSV column, True when a low value is bad, profile key, phantom bound, phantom,
#        accepted-phantom floor or None)
RULES = {
    "IQ-005": ("sharpness", True, "imageQuality.minSharpness", 0.25, "D-BLUR_1 sharpness 0.245",
               (0.31, "just under H0415-06_1 0.314, the least sharp phantom without blur")),
    "HP-002": ("head_area_fraction", True, "headPlane.clearlyTooSmallHeadAreaFraction", 0.092, "D-DEPTH_1 area 0.091", None),
    "HP-004": ("ring_echo_deficit", False, "headPlane.clearlyAsymmetricRingEchoDeficit", 0.60, "D-OBLIQUE_1 deficit 0.610", None),
}


def quantile(values, q):
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def limit(values, low_is_bad, bound, accepted=None):
    """The training quantile, made more lenient where needed so no clean phantom fires (beyond
    `accepted`) and stricter where needed so the defect phantom (beyond `bound`) still fires;
    bound=None gives the quantile alone."""
    if low_is_bad:
        q = quantile(values, QUANTILE)
        if accepted is not None:
            q = min(q, accepted)
        return q if bound is None else max(q, bound)
    q = quantile(values, 1 - QUANTILE)
    if accepted is not None:
        q = max(q, accepted)
    return q if bound is None else min(q, bound)


def fires(value, threshold, low_is_bad):
    return value < threshold if low_is_bad else value > threshold


def wilson(k, n):
    z = 1.959964
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    d = 1 + z * z / n
    return max(0, (centre - spread) / d), min(1, (centre + spread) / d)


def main(path):
    for bound_on in (True, False):
        print("with the phantom limits (committed)" if bound_on else "the quantile alone (defect phantoms would pass, clean ones fire)")
        evaluate(path, bound_on)


def evaluate(path, bound_on):
    rows = list(csv.DictReader(open(path)))
    exams = sorted({r["filename"].split("_", 1)[0] for r in rows})
    fold_of_exam = {e: i % FOLDS for i, e in enumerate(exams)}
    for r in rows:
        r["fold"] = fold_of_exam[r["filename"].split("_", 1)[0]]
    n = len(rows)
    print(f"{n} frames, {len(exams)} examinations, {FOLDS} folds; limit = training "
          f"{100 * QUANTILE:g} % / {100 * (1 - QUANTILE):g} % quantile, clamped by the phantom limits")
    held_out = {}
    for rule, (col, low, key, bound, phantom, floor) in RULES.items():
        accepted = floor[0] if floor else None
        measured = [r for r in rows if r[col] != ""]
        per_fold = []
        fired = 0
        for k in range(FOLDS):
            train = [float(r[col]) for r in measured if r["fold"] != k]
            t = limit(train, low, bound if bound_on else None, accepted if bound_on else None)
            per_fold.append(t)
            for r in measured:
                if r["fold"] == k and fires(float(r[col]), t, low):
                    fired += 1
                    held_out.setdefault(r["filename"], set()).add(rule)
        all_limit = limit([float(r[col]) for r in measured], low, bound if bound_on else None, accepted if bound_on else None)
        lo, hi = wilson(fired, n)
        floor_note = f"; accepted-phantom floor {floor[0]}, {floor[1]}" if floor and bound_on else ""
        print(f"{rule} {key}: all-frame limit {all_limit:.4f} (phantom bound {bound}, {phantom}{floor_note}); "
              f"per fold {', '.join(f'{t:.4f}' for t in per_fold)}; held-out review reason "
              f"{fired}/{n} = {100 * fired / n:.1f} % (95 % CI {100 * lo:.1f}-{100 * hi:.1f})")
    # Verdict with the held-out limits: the other reasons as qc-evidence reported them.
    recalibrated = set(RULES)
    not_pass = 0
    reasons_count = {}
    for r in rows:
        reasons = set(r["reasons"].split()) - recalibrated
        reasons |= held_out.get(r["filename"], set())
        for x in reasons:
            reasons_count[x] = reasons_count.get(x, 0) + 1
        if reasons:
            not_pass += 1
    lo, hi = wilson(not_pass, n)
    print(f"not pass with the held-out limits: {not_pass}/{n} = {100 * not_pass / n:.1f} % (95 % CI {100 * lo:.1f}-{100 * hi:.1f})")
    print("review/fail reasons: " + ", ".join(f"{k} {100 * v / n:.1f} %" for k, v in sorted(reasons_count.items())))


if __name__ == "__main__":
    main(sys.argv[1])
