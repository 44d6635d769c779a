#!/usr/bin/env python3
"""Writes the DICOM decoder's test fixtures to Tests/SonoCodecsTests/Fixtures/dicom/.

Synthetic DICOM files (small, made-up pixels, made-up patient) for each transfer syntax ×
photometric interpretation × bits combination SonoQC decodes, each with its expected grey
pixels (`<name>.gray`, 8-bit, row-major; `<name>.gray16` little-endian when 16-bit), a set of
hostile files, and `expected.json` (what each file should decode to, or which error it gives),
including the expected grey hashes of the five shared files in ../shared/data/dicom-us (computed
from pydicom's pixels, never copied).

Expected grey values are computed here from pydicom's decoded pixels with the same integer
formulas as Sources/SonoCore/Luminance.swift (BT.601 luma in 16.16 fixed point; Y for YCbCr).

Requirements (PyPI): pydicom>=3, numpy, pillow, pylibjpeg, pylibjpeg-openjpeg.
Run from the repository root: python3 scripts/make-dicom-fixtures.py
"""
import hashlib
import io
import json
import os
import struct
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate, generate_frames
from pydicom.pixels import pixel_array
from pydicom.uid import (
    UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian, DeflatedExplicitVRLittleEndian,
    RLELossless, JPEGBaseline8Bit, JPEG2000Lossless, JPEG2000, JPEGLosslessSV1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SonoCodecsTests", "Fixtures", "dicom")
SHARED = os.path.join(ROOT, "..", "shared", "data", "dicom-us")
W, H = 24, 16
# The made-up identity every fixture carries; the privacy test greps all outputs for these.
PATIENT_NAME = "Fixture^Patricia^Q"
PATIENT_ID = "PID-7734-FIXTURE"


def luma(r, g, b):
    r, g, b = (np.asarray(x, dtype=np.uint64) for x in (r, g, b))
    return ((r * 19595 + g * 38470 + b * 7471 + 32768) >> 16)


def narrow(v):
    return ((np.asarray(v, dtype=np.uint64) * 255 + 32767) // 65535).astype(np.uint8)


def widen(v, bits, to):
    top = (1 << bits) - 1
    full = (1 << to) - 1
    return ((np.asarray(v, dtype=np.uint64) * full + top // 2) // top)


def base_dataset(rows=H, cols=W):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.PatientName = PATIENT_NAME
    ds.PatientID = PATIENT_ID
    ds.PatientBirthDate = "19900101"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    # Fixed UIDs so that running the script twice writes the same bytes.
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.2"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.3"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"
    ds.Modality = "US"
    ds.StudyDate = "20240131"
    ds.InstitutionName = "Fixture Unit"
    ds.StationName = "FIXSTATION"
    ds.OperatorsName = "Op^Fixture"
    ds.Rows, ds.Columns = rows, cols
    return ds


def save(ds, name, syntax):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    ds.file_meta = meta
    path = os.path.join(OUT, name)
    ds.save_as(path, enforce_file_format=True)
    return path


def pattern(bits, samples, frames=1, seed=0, h=H, w=W):
    rng = np.random.default_rng(seed)
    top = (1 << bits) - 1
    shape = (frames, h, w, samples)
    y, x = np.mgrid[0:h, 0:w]
    ramp = ((x * 7 + y * 13) * top // (w * 7 + h * 13))
    arr = np.empty(shape, dtype=np.uint16 if bits > 8 else np.uint8)
    for f in range(frames):
        for s in range(samples):
            noise = rng.integers(0, max(2, top // 8), size=(h, w))
            arr[f, :, :, s] = np.clip(ramp * (s + 1) // samples + noise + f * 5, 0, top)
    return arr


def set_pixels(ds, arr, bits, photometric, planar=0, signed=False):
    frames, rows, cols, samples = arr.shape
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = 8 if bits <= 8 else 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 1 if signed else 0
    if samples == 3:
        ds.PlanarConfiguration = planar
    if frames > 1:
        ds.NumberOfFrames = frames
    data = arr if samples == 3 else arr[..., 0]
    if frames == 1:
        data = data[0]
    if samples == 3 and planar == 1:
        data = np.moveaxis(data, -1, -3)
    if signed:
        data = data.astype(np.int16 if bits > 8 else np.int8)
    ds.PixelData = np.ascontiguousarray(data).tobytes()


def expected_grey(ds, frame_index, photometric):
    """Grey (8-bit) and optional 16-bit from pydicom's decoded pixels, SonoQC's formulas."""
    if ds.file_meta.TransferSyntaxUID == JPEGBaseline8Bit:
        # libjpeg's own Y (SonoQC asks libjpeg for grey): Pillow's libjpeg-turbo in draft YCbCr
        # mode gives exactly that, where pydicom would convert to RGB first.
        frames = list(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1))))
        im = Image.open(io.BytesIO(frames[frame_index]))
        if im.mode == "RGB":
            im.draft("YCbCr", im.size)
        arr = np.asarray(im)
        return (arr if arr.ndim == 2 else arr[..., 0]).astype(np.uint8), None
    arr = pixel_array(ds, index=frame_index, as_rgb=False, raw=photometric.startswith("YBR_FULL"))
    bits = int(ds.BitsStored)
    if int(ds.PixelRepresentation) == 1:
        arr = arr.astype(np.int64) + (1 << (bits - 1))
    if photometric == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut
        rgb = apply_color_lut(pixel_array(ds, index=frame_index, raw=True), ds)
        if rgb.dtype == np.uint8:
            return luma(rgb[..., 0], rgb[..., 1], rgb[..., 2]).astype(np.uint8), None
        wide = luma(rgb[..., 0], rgb[..., 1], rgb[..., 2]).astype(np.uint16)
        return narrow(wide), wide
    if photometric.startswith("MONOCHROME"):
        v = np.asarray(arr, dtype=np.int64)
        if photometric == "MONOCHROME1":
            v = ((1 << bits) - 1) - v
        if bits <= 8:
            return widen(v, bits, 8).astype(np.uint8), None
        wide = widen(v, bits, 16).astype(np.uint16)
        return narrow(wide), wide
    if photometric.startswith("YBR_FULL"):
        y = arr[..., 0]
        if bits <= 8:
            return widen(y, bits, 8).astype(np.uint8), None
        wide = widen(y, bits, 16).astype(np.uint16)
        return narrow(wide), wide
    r, g, b = arr[..., 0], arr[..., 1], arr[..., 2]
    if bits <= 8:
        return luma(widen(r, bits, 8), widen(g, bits, 8), widen(b, bits, 8)).astype(np.uint8), None
    wide = luma(widen(r, bits, 16), widen(g, bits, 16), widen(b, bits, 16)).astype(np.uint16)
    return narrow(wide), wide


def sha(b):
    return hashlib.sha256(bytes(b)).hexdigest()


entries = []


def record(name, path, photometric, tolerance=0, frames=1):
    ds = pydicom.dcmread(path)
    hashes = []
    for f in range(frames):
        grey, wide = expected_grey(ds, f, photometric)
        suffix = "" if frames == 1 else f"#{f + 1}"
        with open(os.path.join(OUT, name + suffix.replace("#", ".f") + ".gray"), "wb") as fh:
            fh.write(grey.astype(np.uint8).tobytes())
        if wide is not None:
            with open(os.path.join(OUT, name + suffix.replace("#", ".f") + ".gray16"), "wb") as fh:
                fh.write(wide.astype("<u2").tobytes())
        hashes.append(sha(grey.astype(np.uint8).tobytes()))
    entries.append({"file": name, "width": int(ds.Columns), "height": int(ds.Rows), "frames": frames,
                    "bits_stored": int(ds.BitsStored), "colour": photometric not in ("MONOCHROME1", "MONOCHROME2"),
                    "has16": int(ds.BitsStored) > 8 or (photometric == "PALETTE COLOR" and
                                                         int(ds.RedPaletteColorLookupTableDescriptor[2]) == 16),
                    "tolerance": tolerance, "grey_sha256": hashes,
                    "transfer_syntax": str(ds.file_meta.TransferSyntaxUID), "photometric": photometric})


def palette(ds, bits, segmented=False):
    entries_n = 256
    ramp = np.arange(entries_n)
    if bits == 8:
        lut = [ramp, (255 - ramp), (ramp * 3) % 256]
    else:
        lut = [ramp * 257, (255 - ramp) * 257, ((ramp * 3) % 256) * 200]
    ds.RedPaletteColorLookupTableDescriptor = [entries_n, 0, bits]
    ds.GreenPaletteColorLookupTableDescriptor = [entries_n, 0, bits]
    ds.BluePaletteColorLookupTableDescriptor = [entries_n, 0, bits]
    dtype = "<u2" if bits == 16 else "u1"
    if not segmented:
        # PS3.3 C.7.6.3.1.5: 8-bit entries are stored as if 8 bits were allocated (packed bytes).
        for tag, l in zip(("Red", "Green", "Blue"), lut):
            setattr(ds, f"{tag}PaletteColorLookupTableData", np.asarray(l, dtype=dtype).tobytes())
    else:
        # Discrete, linear and indirect segments (PS3.3 C.7.9.2): 16-bit words for 16-bit
        # entries, bytes for 8-bit ones (as pydicom reads them); the indirect offset takes two
        # words or four bytes.
        top = 65535 if bits == 16 else 255
        indirect = [2, 1, 0, 0] if bits == 16 else [2, 1, 0, 0, 0, 0]
        segs = {
            "Red": [0, 1, 0, 1, 127, top, 1, 128, 0],
            "Green": [0, 2, top, top, 1, 100, 0, 0, 2, 0, 7, 1, 152, top // 2],
            "Blue": [0, 1, 5, 1, 99, top // 3] + indirect + [1, 155, top],
        }
        for tag, words in segs.items():
            fmt = f"<{len(words)}{'H' if bits == 16 else 'B'}"
            setattr(ds, f"Segmented{tag}PaletteColorLookupTableData", struct.pack(fmt, *words))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))

    native = [("explicit-le", ExplicitVRLittleEndian), ("implicit-le", ImplicitVRLittleEndian),
              ("explicit-be", ExplicitVRBigEndian), ("deflated", DeflatedExplicitVRLittleEndian)]
    # Native: every transfer syntax × photometric × bits.
    for tname, syntax in native:
        for bits in (8, 12, 16):
            for photometric in ("MONOCHROME2", "MONOCHROME1"):
                ds = base_dataset()
                set_pixels(ds, pattern(bits, 1, seed=bits), bits, photometric)
                name = f"{tname}-{photometric.lower()}-{bits}.dcm"
                record(name, save(ds, name, syntax), photometric)
            for planar in (0, 1):
                ds = base_dataset()
                set_pixels(ds, pattern(bits, 3, seed=bits + 1), bits, "RGB", planar=planar)
                name = f"{tname}-rgb-{bits}-planar{planar}.dcm"
                record(name, save(ds, name, syntax), "RGB")
            ds = base_dataset()
            set_pixels(ds, pattern(bits, 3, seed=bits + 2), bits, "YBR_FULL")
            name = f"{tname}-ybr_full-{bits}.dcm"
            record(name, save(ds, name, syntax), "YBR_FULL")
        # YBR_FULL_422 native: Y Y Cb Cr per pixel pair.
        ds = base_dataset()
        arr = pattern(8, 3, seed=3)
        arr[0, :, 1::2, 1:] = arr[0, :, 0::2, 1:]
        set_pixels(ds, arr, 8, "YBR_FULL_422")
        y = arr[0, :, :, 0]
        packed = np.empty((H, W * 2), dtype=np.uint8)
        packed[:, 0::4] = y[:, 0::2]
        packed[:, 1::4] = y[:, 1::2]
        packed[:, 2::4] = arr[0, :, 0::2, 1]
        packed[:, 3::4] = arr[0, :, 0::2, 2]
        ds.PixelData = packed.tobytes()
        name = f"{tname}-ybr_full_422-8.dcm"
        record(name, save(ds, name, syntax), "YBR_FULL_422")
        for bits in (8, 16):
            for segmented in (False, True):
                if tname == "explicit-be":
                    # pydicom reads palette LUT data in the machine's byte order whatever the
                    # transfer syntax, so it cannot give the truth for this retired case.
                    continue
                ds = base_dataset()
                set_pixels(ds, pattern(8, 1, seed=9), 8, "PALETTE COLOR")
                palette(ds, bits, segmented)
                name = f"{tname}-palette-lut{bits}{'-segmented' if segmented else ''}.dcm"
                record(name, save(ds, name, syntax), "PALETTE COLOR")
    # Signed 16-bit monochrome.
    ds = base_dataset()
    set_pixels(ds, pattern(12, 1, seed=4), 12, "MONOCHROME2", signed=False)
    arr = np.frombuffer(ds.PixelData, dtype="<u2").astype(np.int32) - 2048
    ds.PixelRepresentation = 1
    ds.PixelData = arr.astype("<i2").tobytes()
    record("explicit-le-monochrome2-12-signed.dcm", save(ds, "explicit-le-monochrome2-12-signed.dcm", ExplicitVRLittleEndian),
           "MONOCHROME2")

    # RLE Lossless: grey, RGB, palette; 8 and 16 bits; multi-frame.
    for photometric, samples in (("MONOCHROME2", 1), ("RGB", 3)):
        for bits in (8, 16):
            ds = base_dataset()
            set_pixels(ds, pattern(bits, samples, frames=3, seed=5), bits, photometric)
            ds.compress(RLELossless, encoding_plugin="pydicom")
            name = f"rle-{photometric.lower()}-{bits}-3frames.dcm"
            record(name, save(ds, name, RLELossless), photometric, frames=3)
    ds = base_dataset()
    set_pixels(ds, pattern(8, 1, seed=6), 8, "PALETTE COLOR")
    palette(ds, 16)
    ds.compress(RLELossless, encoding_plugin="pydicom")
    record("rle-palette-lut16.dcm", save(ds, "rle-palette-lut16.dcm", RLELossless), "PALETTE COLOR")

    # JPEG Baseline through Pillow (libjpeg), encapsulated one fragment per frame, and a
    # multi-fragment frame; grey and YBR_FULL_422 colour.
    def jpeg_frames(arr, mode):
        out = []
        for f in range(arr.shape[0]):
            img = Image.fromarray(arr[f, :, :, 0] if mode == "L" else arr[f], mode=mode)
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=90, subsampling=1 if mode == "RGB" else 0)
            out.append(buf.getvalue())
        return out

    for mode, photometric, samples in (("L", "MONOCHROME2", 1), ("RGB", "YBR_FULL_422", 3)):
        ds = base_dataset()
        arr = pattern(8, samples, frames=2, seed=7)
        set_pixels(ds, arr, 8, photometric)
        frames = jpeg_frames(arr, mode)
        ds.PixelData = encapsulate(frames)
        ds["PixelData"].VR = "OB"
        name = f"jpeg-baseline-{photometric.lower()}-2frames.dcm"
        record(name, save(ds, name, JPEGBaseline8Bit), photometric, frames=2)
        # The same frames split into two fragments each, without an offset table.
        ds = base_dataset()
        set_pixels(ds, arr, 8, photometric)
        halves = []
        for fr in frames:
            cut = (len(fr) // 2) & ~1
            halves.append(fr[:cut])
            halves.append(fr[cut:])
        ds.PixelData = encapsulate(halves, has_bot=False, fragments_per_frame=1)
        ds["PixelData"].VR = "OB"
        name = f"jpeg-baseline-{photometric.lower()}-fragmented.dcm"
        record(name, save(ds, name, JPEGBaseline8Bit), photometric, frames=2)

    # JPEG 2000 lossless (.90) and lossy (.91), grey and colour (RCT / ICT); 64 × 64 because
    # OpenJPEG's default six resolution levels need at least that.
    for syntax, label, photometric, samples, bits in (
            (JPEG2000Lossless, "j2k-lossless", "MONOCHROME2", 1, 8),
            (JPEG2000Lossless, "j2k-lossless", "MONOCHROME2", 1, 16),
            (JPEG2000Lossless, "j2k-lossless", "YBR_RCT", 3, 8),
            (JPEG2000, "j2k-lossy", "YBR_ICT", 3, 8)):
        ds = base_dataset(64, 64)
        set_pixels(ds, pattern(bits, samples, seed=8, h=64, w=64), bits, "RGB" if samples == 3 else photometric)
        kwargs = {"j2k_cr": [20]} if syntax == JPEG2000 else {}
        ds.compress(syntax, encoding_plugin="pylibjpeg", **kwargs)
        name = f"{label}-{photometric.lower()}-{bits}.dcm"
        record(name, save(ds, name, syntax), photometric, tolerance=0)

    # Hostile inputs: each must fail with the error kind named in "error".
    good = open(os.path.join(OUT, "explicit-le-monochrome2-8.dcm"), "rb").read()
    hostile = []

    def write(name, data, error, note):
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(data)
        hostile.append({"file": name, "error": error, "note": note})

    def el_explicit(group, element, vr, value, length=None):
        long = vr in ("OB", "OW", "SQ", "UN", "UT")
        n = len(value) if length is None else length
        if long:
            return struct.pack("<HH2sHI", group, element, vr.encode(), 0, n) + value
        return struct.pack("<HH2sH", group, element, vr.encode(), n) + value

    meta_end = good.index(b"\x08\x00")  # first group-0008 tag after the meta group
    meta = good[:meta_end]

    def image_header(rows=H, cols=W):
        return (el_explicit(0x0028, 0x0002, "US", struct.pack("<H", 1))
                + el_explicit(0x0028, 0x0004, "CS", b"MONOCHROME2 ")
                + el_explicit(0x0028, 0x0010, "US", struct.pack("<H", rows))
                + el_explicit(0x0028, 0x0011, "US", struct.pack("<H", cols))
                + el_explicit(0x0028, 0x0100, "US", struct.pack("<H", 8))
                + el_explicit(0x0028, 0x0101, "US", struct.pack("<H", 8)))

    write("hostile-length-past-end.dcm", meta + image_header() + el_explicit(0x7FE0, 0x0010, "OB", b"\0" * 10, length=W * H),
          "truncated", "pixel data declares more bytes than the file holds")
    write("hostile-4gb-length.dcm", meta + image_header() + el_explicit(0x7FE0, 0x0010, "OB", b"\0" * 16, length=0xFFFFFFFE),
          "truncated", "a 4 GB element length")
    write("hostile-undefined-sequence.dcm",
          meta + el_explicit(0x0018, 0x6011, "SQ", b"", length=0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
          + el_explicit(0x0018, 0x6012, "US", struct.pack("<H", 1)),
          "truncated", "undefined-length sequence and item without delimiters")
    nested = b""
    for _ in range(40):
        nested = struct.pack("<HH2sHI", 0x0018, 0x6011, b"SQ", 0, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF) + nested
    write("hostile-deep-nesting.dcm", meta + nested, "corrupt", "sequences nested 40 deep")
    write("hostile-no-pixel-data.dcm", meta + image_header(), "corrupt", "image module without pixel data")
    frag = struct.pack("<HHI", 0xFFFE, 0xE000, 0) + struct.pack("<HHI", 0xFFFE, 0xE000, 4) + b"\xff\xd8\xff\xd9" \
        + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    ts_meta = meta.replace(b"1.2.840.10008.1.2.1\0", b"1.2.840.10008.1.2.5\0")
    write("hostile-fragments-do-not-add-up.dcm",
          ts_meta + image_header() + el_explicit(0x0028, 0x0008, "IS", b"3 ")
          + struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF) + frag,
          "corrupt", "one fragment for three RLE frames")
    write("hostile-bad-vr.dcm", meta + b"\x08\x00\x20\x00\x01\x02\x04\x00abcd", "corrupt", "VR bytes that are not letters")
    ds = base_dataset()
    set_pixels(ds, pattern(8, 1, seed=1), 8, "MONOCHROME2")
    ds.PixelData = encapsulate([b"\0" * 16])
    ds["PixelData"].VR = "OB"
    save(ds, "unsupported-jpeg-lossless.dcm", JPEGLosslessSV1)
    hostile.append({"file": "unsupported-jpeg-lossless.dcm", "error": "unsupported-transfer-syntax",
                    "note": "JPEG Lossless SV1 is named, not decoded"})

    shared = []
    if os.path.isdir(SHARED):
        for name, photometric, frames in (("OBXXXX1A.dcm", "PALETTE COLOR", 1), ("OBXXXX1A_rle_2frame.dcm", "PALETTE COLOR", 2),
                                          ("US1_UNCR.dcm", "RGB", 1), ("US1_J2KR.dcm", "RGB", 1),
                                          ("examples_ybr_color.dcm", "YBR_FULL_422", 30)):
            ds = pydicom.dcmread(os.path.join(SHARED, name))
            hashes = [sha(expected_grey(ds, f, photometric)[0].tobytes()) for f in range(frames)]
            shared.append({"file": name, "width": int(ds.Columns), "height": int(ds.Rows), "frames": frames,
                           "grey_sha256": hashes})

    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump({"generator": "scripts/make-dicom-fixtures.py", "pydicom": pydicom.__version__,
                   "patient_name": PATIENT_NAME, "patient_id": PATIENT_ID,
                   "decodable": entries, "hostile": hostile, "shared": shared}, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"{len(entries)} decodable, {len(hostile)} hostile, {len(shared)} shared files", file=sys.stderr)


if __name__ == "__main__":
    main()
