#!/usr/bin/env python3
"""What MS-001's detection of a mis-stated HC would be under another tolerance or a more precise
measurer, from held-out per-image results (issue 14's "±5 % caught ≥ 90 %" target).

Input: per-image.csv of `sonoqc evaluate-hc IMAGES --truth truth.csv --folds 5 --out DIR` (each
frame measured with constants fitted on the other folds; columns hc_mm, measured_hc_mm,
expected_abs_error_mm, hc_tolerance_mm). With the expert HC E reported as f·E, MS-001 as
Sources/SonoChecks/Rules.swift decides it (automatic A, d = f·E − A, tolerance t, at least the
profile's 3 mm floor): flagged when
|d| > t; otherwise "cannot confirm" (review) when |d| + t ≥ 10 % of f·E. A frame without an
automatic HC goes to review through HP-001 and counts as caught.

  --multiple M  t = M × expected_abs_error_mm instead of the frame's own hc_tolerance_mm
  --scale K     every frame's error A − E and expected error multiplied by K (a measurer whose
                errors are K times as large, all else equal)

Prints, of all frames: flagged with f = 1 (false flags), "cannot confirm" with f = 1, and
caught with f = 0.95, 1.05, 0.90, 1.10; then the mean signed error A − E per expert-HC band (a
bias a correction could remove would show there).

Usage: python3 scripts/ms001-sensitivity.py per-image.csv [--multiple M] [--scale K]
"""
import argparse
import csv

GROSS = 0.10  # QCProfile measurements.grossHCErrorFraction
MIN_TOLERANCE_MM = 3.0  # QCProfile measurements.minToleranceHCMM (per-image.csv's tolerance is before it)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--multiple", type=float)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    rows = list(csv.DictReader(open(args.csv)))
    factors = [0.95, 1.05, 0.90, 1.10]
    false_flags = cannot = 0
    caught = {f: 0 for f in factors}
    for row in rows:
        if not row["measured_hc_mm"]:
            for f in factors:
                caught[f] += 1
            continue
        expert = float(row["hc_mm"])
        auto = expert + args.scale * (float(row["measured_hc_mm"]) - expert)
        if args.multiple is None:
            tol = args.scale * float(row["hc_tolerance_mm"])
        else:
            tol = args.multiple * args.scale * float(row["expected_abs_error_mm"])
        tol = max(tol, MIN_TOLERANCE_MM)

        def decision(reported):
            d = abs(reported - auto)
            if d > tol:
                return "flagged"
            return "cannot confirm" if d + tol >= GROSS * reported else "confirmed"

        outcome = decision(expert)
        false_flags += outcome == "flagged"
        cannot += outcome == "cannot confirm"
        for f in factors:
            caught[f] += decision(f * expert) != "confirmed"
    n = len(rows)
    print(f"{n} frames; tolerance {'own' if args.multiple is None else f'{args.multiple} x expected'}, error scale {args.scale}")
    print(f"expert value flagged {100 * false_flags / n:.1f} %, cannot confirm {100 * cannot / n:.1f} %")
    print("caught: " + ", ".join(f"x{f:.2f} {100 * caught[f] / n:.1f} %" for f in factors))
    measured = [r for r in rows if r["measured_hc_mm"]]
    for lo, hi in [(0, 90), (90, 120), (120, 160), (160, 200), (200, 240), (240, 1000)]:
        band = [args.scale * (float(r["measured_hc_mm"]) - float(r["hc_mm"]))
                for r in measured if lo <= float(r["hc_mm"]) < hi]
        if band:
            print(f"HC {lo}-{hi} mm: {len(band)} frames, mean signed error {sum(band) / len(band):+.2f} mm")


if __name__ == "__main__":
    main()
