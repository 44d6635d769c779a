#!/usr/bin/env python3
"""Make docs/images/phantom-vs-real.png: simulated frames (top row) beside real HC18 frames (bottom row).

Usage: python3 scripts/simulator-montage.py [--real ../shared/data/hc18-dev] [--out docs/images/phantom-vs-real.png]

The real frames are read from the HC18 development set at run time; only this downscaled montage
is committed (CC BY 4.0, van den Heuvel et al. 2018, doi:10.5281/zenodo.1322001).
"""
import argparse
import os

import numpy as np
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
PHANTOMS = ["samples/hospital-day/H0415-01_1.png", "samples/hospital-day/H0415-04_2.png",
            "samples/clean-18-40/C34_1.png"]
REAL = ["images/050_HC.png", "images/300_HC.png", "images/710_HC.png"]
TILE = (360, 243)


def tile(path):
    return Image.open(path).convert("L").resize(TILE, Image.LANCZOS)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", default=os.path.join(ROOT, "..", "shared", "data", "hc18-dev"))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "images", "phantom-vs-real.png"))
    args = parser.parse_args()
    gap, label = 4, 18
    w = 3 * TILE[0] + 2 * gap
    h = 2 * (TILE[1] + label) + gap
    canvas = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(canvas)
    rows = [("SonoQC phantoms (sonoqc simulate)", [os.path.join(ROOT, p) for p in PHANTOMS]),
            ("Real HC18 frames (hc18-dev)", [os.path.join(args.real, p) for p in REAL])]
    for r, (title, paths) in enumerate(rows):
        y = r * (TILE[1] + label + gap)
        draw.text((4, y + 3), title, fill=0)
        for c, p in enumerate(paths):
            canvas.paste(tile(p), (c * (TILE[0] + gap), y + label))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    canvas.save(args.out, optimize=True)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
