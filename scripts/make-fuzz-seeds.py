#!/usr/bin/env python3
"""Writes the seed corpora of the FuzzDICOM and FuzzService targets (issue 16).

Fuzz/corpus/dicom: a selection of the synthetic DICOM fixtures (one per transfer syntax and
photometric family, the multi-frame and fragment cases, every hostile file), plus one file this
script makes with the ultrasound calibration elements (Sequence of Ultrasound Regions, Pixel
Spacing, Imager Pixel Spacing, Burned In Annotation) that no small fixture carries.
Fuzz/corpus/service: one input per request parser; the first byte selects the parser as in
Fuzz/Sources/FuzzService/FuzzService.swift.

Requirements (PyPI): pydicom>=3. Run from the repository root: python3 scripts/make-fuzz-seeds.py
"""
import glob
import json
import os
import shutil

import pydicom
from pydicom.dataset import Dataset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "SonoCodecsTests", "Fixtures", "dicom")
DICOM = os.path.join(ROOT, "Fuzz", "corpus", "dicom")
SERVICE = os.path.join(ROOT, "Fuzz", "corpus", "service")

SELECTED = [
    "explicit-le-monochrome2-8", "explicit-le-monochrome2-12-signed", "explicit-le-palette-lut8",
    "explicit-le-palette-lut16-segmented", "explicit-le-rgb-8-planar1", "explicit-le-ybr_full_422-8",
    "explicit-be-monochrome1-16", "implicit-le-rgb-16-planar0", "implicit-le-palette-lut8-segmented",
    "deflated-monochrome2-8", "deflated-palette-lut16-segmented", "j2k-lossless-monochrome2-8",
    "j2k-lossy-ybr_ict-8", "jpeg-baseline-monochrome2-2frames", "jpeg-baseline-monochrome2-fragmented",
    "jpeg-baseline-ybr_full_422-fragmented", "rle-monochrome2-16-3frames", "rle-rgb-8-3frames",
    "rle-palette-lut16", "unsupported-jpeg-lossless",
]


def dicom_seeds():
    os.makedirs(DICOM, exist_ok=True)
    names = [n + ".dcm" for n in SELECTED] + [os.path.basename(p) for p in glob.glob(os.path.join(FIXTURES, "hostile-*.dcm"))]
    for name in sorted(names):
        shutil.copyfile(os.path.join(FIXTURES, name), os.path.join(DICOM, name))
    ds = pydicom.dcmread(os.path.join(FIXTURES, "explicit-le-monochrome2-8.dcm"))
    region = Dataset()
    region.RegionLocationMinX0, region.RegionLocationMinY0 = 0, 0
    region.RegionLocationMaxX1, region.RegionLocationMaxY1 = ds.Columns - 1, ds.Rows - 1
    region.RegionSpatialFormat, region.RegionDataType = 1, 1
    region.PhysicalUnitsXDirection, region.PhysicalUnitsYDirection = 3, 3
    region.PhysicalDeltaX, region.PhysicalDeltaY = 0.01, 0.01
    ds.SequenceOfUltrasoundRegions = [region]
    ds.PixelSpacing = [0.1, 0.1]
    ds.ImagerPixelSpacing = [0.1, 0.1]
    ds.BurnedInAnnotation = "NO"
    ds.StudyDate = "20240131"
    ds.save_as(os.path.join(DICOM, "us-regions.dcm"), enforce_file_format=True)


def service_seeds():
    os.makedirs(SERVICE, exist_ok=True)
    digest = "ab" * 32
    manifest = open(os.path.join(ROOT, "Fuzz", "corpus", "manifest-json", "clean.json"), "rb").read()
    csv = open(os.path.join(ROOT, "Fuzz", "corpus", "manifest-csv", "basic.csv"), "rb").read()
    seeds = {
        "0-manifest-json": b"\x00" + manifest,
        "0-manifest-csv": b"\x00" + csv,
        "1-declaration": b"\x01" + json.dumps({"name": "batch 1", "files": [
            {"name": "a.png", "sha256": digest, "size": 100},
            {"name": "manifest.json", "sha256": "cd" * 32, "size": 200}]}).encode(),
        "2-decision-image": b"\x02" + json.dumps({
            "batch_id": "b", "scan_index": 0, "image_index": 1, "criteria": {"symmetric-plane": "yes", "csp-visible": "na"},
            "verdict": "reject", "reasons": ["wrong-plane"], "comment": "tilted"}).encode(),
        "2-decision-scan": b"\x02" + json.dumps({"batch_id": "b", "scan_index": 2, "image_index": None,
                                                 "verdict": "accept", "reasons": None, "comment": None}).encode(),
        "3-queue": b"\x03/review?unit=u1&operator=op%201&rule=head-not-found&verdict=fail&from=2024-01-01&to=2024-12-31",
        "3-result-file": b"\x03/api/v1/batches/abc/scans/x/H0415-01/analysis.json",
        "3-validate": b"\x03/api/v1/manifests/validate?name=manifest.csv",
        "3-viewer": b"\x03/review/image/b/1/2?scope=scan&verdict=",
        "4-form": b"\x04csrf=abc&verdict=accept-remark&c.symmetric-plane=yes&c.thalami-visible=no&reason=other"
                  b"&reason=calipers&comment=hello+world%21&scope=scan",
        "5-bearer": b"\x05Bearer abcdefgh.secretsecretsecret\n",
        "5-cookie": b"\x05\nsonoqc_session=xyz123; theme=dark; sonoqc_session=second",
        "6-png": b"\x06a.png\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "6-jpeg": b"\x06scan 1.jpg\n\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "6-manifest": b"\x06manifest.csv\nscan_id,file\n",
    }
    for name, data in seeds.items():
        with open(os.path.join(SERVICE, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    dicom_seeds()
    service_seeds()
