#!/usr/bin/env python3
"""Re-export hc18-dev as another scanner export would: resized and/or as JPEG.

    python3 scripts/export-variants.py OUT SCALE FORMAT [HC18_DIR]

writes OUT/images/*, OUT/truth.csv and OUT/ellipse-truth.csv with pixel sizes and expert
ellipses rescaled, so that `sonoqc evaluate-hc OUT/images --truth OUT/truth.csv
--ellipse-truth OUT/ellipse-truth.csv` and `sonoqc schema qc-evidence --hc18 OUT` run on the
variant exactly as on hc18-dev. SCALE multiplies both sides (bicubic); FORMAT is png or jpg
(quality 80). The frames stay outside the repository (hc18-dev is not redistributed here).
Needs Pillow.
"""
import csv
import os
import sys

from PIL import Image


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    out, scale, fmt = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    source = sys.argv[4] if len(sys.argv) == 5 else os.path.join(os.path.dirname(__file__), "../../shared/data/hc18-dev")
    if fmt not in ("png", "jpg") or not scale > 0:
        sys.exit("SCALE must be positive and FORMAT png or jpg")
    os.makedirs(os.path.join(out, "images"), exist_ok=True)

    def renamed(name):
        return name if fmt == "png" else name[:-4] + ".jpg"

    with open(os.path.join(source, "truth.csv"), newline="") as f:
        truth = list(csv.DictReader(f))
    with open(os.path.join(out, "truth.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["filename", "pixel_size_mm", "hc_mm"])
        for row in truth:
            image = Image.open(os.path.join(source, "images", row["filename"])).convert("L")
            if scale != 1:
                image = image.resize((round(image.width * scale), round(image.height * scale)), Image.BICUBIC)
            target = os.path.join(out, "images", renamed(row["filename"]))
            if fmt == "jpg":
                image.save(target, quality=80)
            else:
                image.save(target)
            writer.writerow([renamed(row["filename"]), float(row["pixel_size_mm"]) / scale, row["hc_mm"]])

    with open(os.path.join(source, "ellipse-truth.csv"), newline="") as f:
        reader = csv.DictReader(f)
        fields, ellipses = reader.fieldnames, list(reader)
    with open(os.path.join(out, "ellipse-truth.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in ellipses:
            row["filename"] = renamed(row["filename"])
            row["pixel_size_mm"] = float(row["pixel_size_mm"]) / scale
            # Pixel centres move as the resize maps them: (x + 0.5)·scale − 0.5.
            for key in ("center_x_px", "center_y_px"):
                row[key] = (float(row[key]) + 0.5) * scale - 0.5
            for key in ("semi_major_px", "semi_minor_px"):
                row[key] = float(row[key]) * scale
            writer.writerow(row)


if __name__ == "__main__":
    main()
