#!/usr/bin/env python3
"""Compare simulated B-mode phantoms with the real HC18 frames on first-order statistics.

Usage:
    python3 scripts/simulator-realism.py [--real ../shared/data/hc18-dev] [--phantoms samples/clean-18-40 ...]

Every statistic is computed the same way on both sets:
  background   fraction of the image outside the field of view (FOV). The FOV is found from the
               pixels alone, per row, as the span between the first and last pixel brighter than 8
               (sectors are convex per row), so real and phantom frames are treated alike.
  FOV p5..p95  grey-level percentiles inside the FOV; "anechoic" = fraction of FOV pixels <= 10,
               "bright" = fraction >= 200.
  speckle SNR  in homogeneous 16x16 blocks (block mean 40..180 and the lowest-gradient third of
               such blocks): median of mean/std on the 8-bit (log-compressed) values, and the
               envelope SNR after undoing a 60 dB log compression (fully developed speckle: 1.91).
  ring         the head outline (HC18: the expert's annotation; phantoms: the truth ellipse) is
               rasterised; "ring" = pixels within 1.5 mm of it, "in" = inside the head 3-8 mm
               from it, "out" = outside 3-8 mm from it. Reported: mean(ring)/mean(in),
               mean(ring)/mean(out), and the 90th percentile of the ring band.
  ring edge    where the outline sits on the skull's outer edge, on the top and bottom walls (beam
               roughly perpendicular): (peak - value at the outline) / (peak - darkest value
               outside within 4 mm), after a 1-px Gaussian; 0 = on the peak, 1 = fully outside.
               HC18 outlines are ellipses fitted to the expert annotations.
Prints one markdown table: median [interquartile range] per statistic and set.
"""
import argparse
import glob
import json
import math
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage


def fov_mask(img):
    mask = np.zeros(img.shape, dtype=bool)
    bright = img > 8
    for y in range(img.shape[0]):
        xs = np.flatnonzero(bright[y])
        if xs.size >= 2:
            mask[y, xs[0]:xs[-1] + 1] = True
    return mask


def speckle_snr(img, fov, dynamic_range_db=60.0, block=16):
    h, w = img.shape
    f = img.astype(np.float64)
    gy, gx = np.gradient(ndimage.gaussian_filter(f, 2.0))
    grad = np.hypot(gx, gy)
    rows = []
    for y in range(0, h - block + 1, block):
        for x in range(0, w - block + 1, block):
            if not fov[y:y + block, x:x + block].all():
                continue
            patch = f[y:y + block, x:x + block]
            m = patch.mean()
            if not 40 <= m <= 180:
                continue
            env = 10 ** (patch * dynamic_range_db / 255.0 / 20.0)
            rows.append((grad[y:y + block, x:x + block].mean(), m / max(patch.std(), 1e-9),
                         env.mean() / max(env.std(), 1e-9)))
    if not rows:
        return float("nan"), float("nan")
    rows.sort()
    keep = rows[:max(1, len(rows) // 3)]
    return float(np.median([r[1] for r in keep])), float(np.median([r[2] for r in keep]))


def ellipse_outline(shape, cx, cy, a, b, angle_deg):
    mask = np.zeros(shape, dtype=bool)
    t = np.linspace(0, 2 * math.pi, 4000, endpoint=False)
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    x = cx + c * a * np.cos(t) - s * b * np.sin(t)
    y = cy + s * a * np.cos(t) + c * b * np.sin(t)
    xi, yi = np.round(x).astype(int), np.round(y).astype(int)
    ok = (xi >= 0) & (yi >= 0) & (xi < shape[1]) & (yi < shape[0])
    mask[yi[ok], xi[ok]] = True
    return mask


def ring_stats(img, outline, inside, spacing_mm, fov):
    dist_mm = ndimage.distance_transform_edt(~outline) * spacing_mm
    f = img.astype(np.float64)
    ring = (dist_mm <= 1.5) & fov
    inner = inside & (dist_mm >= 3) & (dist_mm <= 8) & fov
    outer = ~inside & (dist_mm >= 3) & (dist_mm <= 8) & fov
    if ring.sum() < 50 or inner.sum() < 50 or outer.sum() < 50:
        return float("nan"), float("nan"), float("nan")
    return (f[ring].mean() / max(f[inner].mean(), 1), f[ring].mean() / max(f[outer].mean(), 1),
            float(np.percentile(f[ring], 90)))


def fit_ellipse(mask):
    """Direct least-squares ellipse (Fitzgibbon) through the pixels of an annotation outline."""
    ys, xs = np.nonzero(mask)
    x, y = xs.astype(float), ys.astype(float)
    d = np.vstack([x * x, x * y, y * y, x, y, np.ones_like(x)]).T
    c = np.zeros((6, 6))
    c[0, 2] = c[2, 0] = 2
    c[1, 1] = -1
    evals, evecs = np.linalg.eig(np.linalg.inv(d.T @ d) @ c)
    a, b, cc, dd, e, f = np.real(evecs[:, np.argmax(np.real(evals))])
    den = b * b - 4 * a * cc
    x0, y0 = (2 * cc * dd - b * e) / den, (2 * a * e - b * dd) / den
    num = 2 * (a * e * e + cc * dd * dd - b * dd * e + den * f)
    s = math.sqrt((a - cc) ** 2 + b * b)
    r1, r2 = abs(math.sqrt(abs(num * (a + cc + s))) / den), abs(math.sqrt(abs(num * (a + cc - s))) / den)
    return x0, y0, r1, r2, math.degrees(0.5 * math.atan2(-b, cc - a))


def edge_levels(img, ellipse, spacing_mm):
    cx, cy, a, b, angle = ellipse
    th = math.radians(angle)
    c, s = math.cos(th), math.sin(th)
    f = ndimage.gaussian_filter(img.astype(np.float64), 1.0)
    steps = np.arange(-4, 4.001, 0.1) / spacing_mm
    mid = len(steps) // 2
    inner = int(round(2 / 0.1))
    out = []
    for k in range(120):
        t = 2 * math.pi * k / 120
        px = cx + c * a * math.cos(t) - s * b * math.sin(t)
        py = cy + s * a * math.cos(t) + c * b * math.sin(t)
        gx = math.cos(t) / a * c - math.sin(t) / b * s
        gy = math.cos(t) / a * s + math.sin(t) / b * c
        n = math.hypot(gx, gy)
        gx, gy = gx / n, gy / n
        if abs(gy) < 0.8:
            continue
        xs, ys = px + gx * steps, py + gy * steps
        if xs.min() < 0 or ys.min() < 0 or xs.max() > img.shape[1] - 1 or ys.max() > img.shape[0] - 1:
            continue
        v = ndimage.map_coordinates(f, [ys, xs], order=1)
        peak, outside = v[mid - inner:mid + 1].max(), v[mid:].min()
        if peak - outside >= 20:
            out.append((peak - v[mid]) / (peak - outside))
    return out


def image_stats(img, outline=None, inside=None, spacing=None, ellipse=None):
    fov = fov_mask(img)
    vals = img[fov].astype(np.float64)
    snr_log, snr_env = speckle_snr(img, fov)
    out = {
        "background": 1 - fov.mean(),
        "mean": vals.mean(),
        "p5": np.percentile(vals, 5), "p25": np.percentile(vals, 25), "p50": np.percentile(vals, 50),
        "p75": np.percentile(vals, 75), "p95": np.percentile(vals, 95),
        "anechoic": (vals <= 10).mean(), "bright": (vals >= 200).mean(),
        "snr_log": snr_log, "snr_env": snr_env,
    }
    if outline is not None:
        out["ring_in"], out["ring_out"], out["ring_p90"] = ring_stats(img, outline, inside, spacing, fov)
    if ellipse is not None:
        levels = edge_levels(img, ellipse, spacing)
        out["edge"] = float(np.median(levels)) if levels else float("nan")
    return out


def real_set(root, limit):
    truth = {}
    with open(os.path.join(root, "truth.csv")) as f:
        next(f)
        for line in f:
            name, spacing, _ = line.strip().split(",")
            truth[name] = float(spacing)
    rows = []
    # The expert outlines (annotations/) exist only for the 101 frames whose examination number
    # ends in 0; the ring statistics need them, so the other frames of the set are not used.
    annotated = [name for name in sorted(truth)
                 if os.path.exists(os.path.join(root, "annotations", name[:-4] + "_Annotation.png"))]
    for name in annotated[:limit]:
        img = np.array(Image.open(os.path.join(root, "images", name)).convert("L"))
        stem = name[:-4]
        ann = np.array(Image.open(os.path.join(root, "annotations", stem + "_Annotation.png")).convert("L")) > 127
        mask = np.array(Image.open(os.path.join(root, "masks", stem + "_Mask.png")).convert("L")) > 127
        rows.append(image_stats(img, ann, mask, truth[name], fit_ellipse(ann)))
    return rows


def phantom_set(directory):
    rows = []
    for truth_path in sorted(glob.glob(os.path.join(directory, "*.truth.json"))):
        with open(truth_path) as f:
            t = json.load(f)
        img = np.array(Image.open(os.path.join(directory, t["file"])).convert("L"))
        h = t["head"]
        outline = ellipse_outline(img.shape, h["centre_x_px"], h["centre_y_px"], h["semi_axis_a_px"],
                                  h["semi_axis_b_px"], h["angle_deg"])
        inside = ndimage.binary_fill_holes(outline)
        ellipse = (h["centre_x_px"], h["centre_y_px"], h["semi_axis_a_px"], h["semi_axis_b_px"], h["angle_deg"])
        rows.append(image_stats(img, outline, inside, t["pixel_spacing_mm"], ellipse))
    return rows


KEYS = [("background", "background fraction", 3), ("mean", "FOV mean grey", 1), ("p5", "FOV p5", 0),
        ("p25", "FOV p25", 0), ("p50", "FOV median", 0), ("p75", "FOV p75", 0), ("p95", "FOV p95", 0),
        ("anechoic", "FOV fraction <= 10", 3), ("bright", "FOV fraction >= 200", 3),
        ("snr_log", "speckle SNR, 8-bit values", 2), ("snr_env", "speckle SNR, envelope (60 dB)", 2),
        ("ring_in", "ring / brain inside", 2), ("ring_out", "ring / tissue outside", 2),
        ("ring_p90", "ring p90 grey", 0), ("edge", "ring edge level at the outline", 2)]


def summarise(rows, key, digits):
    v = np.array([r[key] for r in rows if key in r and not math.isnan(r[key])])
    if v.size == 0:
        return "n/a"
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return f"{med:.{digits}f} [{q1:.{digits}f}–{q3:.{digits}f}]"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=os.path.join(here, "..", "..", "shared", "data", "hc18-dev"))
    parser.add_argument("--phantoms", nargs="+",
                        default=[os.path.join(here, "..", "samples", "clean-18-40"),
                                 os.path.join(here, "..", "samples", "hospital-day")])
    parser.add_argument("--limit", type=int, default=1000, help="at most this many real frames")
    args = parser.parse_args()
    sets = [("HC18 dev (n=%d)", real_set(args.real, args.limit))]
    for d in args.phantoms:
        if not os.path.isdir(d):
            print(f"missing phantom directory {d}", file=sys.stderr)
            return 1
        sets.append((os.path.basename(os.path.normpath(d)) + " (n=%d)", phantom_set(d)))
    header = "| statistic | " + " | ".join(name % len(rows) for name, rows in sets) + " |"
    print(header)
    print("|" + "---|" * (len(sets) + 1))
    for key, label, digits in KEYS:
        print(f"| {label} | " + " | ".join(summarise(rows, key, digits) for _, rows in sets) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
