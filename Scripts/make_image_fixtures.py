#!/usr/bin/env python3
"""Write the small PNG and JPEG files that test the `Datasets` image codecs, and what they hold.

What it writes
--------------
``Tests/DatasetsTests/Fixtures/images/*.png``, ``*.jpg``
    Tiny images (at most 16x12 pixels, a few KB in all), one per variant the decoders
    handle. PNG: 1-, 8- and 16-bit grey, 8- and 16-bit grey + alpha, RGB and RGBA, 4- and
    8-bit palette with and without a tRNS chunk, and three interlaced (Adam7) images.
    JPEG: grey, RGB (4:2:0) and progressive RGB (4:4:4), plus a CMYK JPEG that the decoder
    must refuse, and a PNG and a JPEG (``oversized.*``) whose headers announce huge images. The variants PIL writes are written with PIL; the others (16-bit colour,
    interlaced) with the small PNG writer below, which cycles through all five row filters.

``Tests/DatasetsTests/Fixtures/images/images.json``
    For each image: file, width, height, channels, the maximum sample value (255 or
    65535) and every sample as an integer, interleaved (height, width, channel). For the
    PNGs these are the values written; the script checks that PIL decodes them (for the
    16-bit colour images, where PIL keeps only 8 bits, their high bytes). For the JPEGs
    they are the values PIL (libjpeg) decodes, and ``tolerance`` is the difference in
    levels that another IDCT may give. ``luma`` holds PIL's ``convert("L")`` of the 8-bit
    RGB and RGBA images. ``unsupported`` lists the files that must be refused as
    unsupported variants, ``oversized`` two files whose valid headers announce more samples
    than the decoders allocate.
    ``realFiles`` describes a few files of the Magnetic Tile Defect set (grey JPEG images
    and their PNG masks, under ``../shared/data/magnetic-tile-defect``): size, the sum of
    the decoded 8-bit samples, how many are 0 and 255, and a few probed samples, as PIL
    decodes them. (The masks are not strictly 0/255: the defective ones hold a few
    intermediate values along the defect borders.)

Running the script again gives byte-identical files.

Usage
-----
    python3 Scripts/make_image_fixtures.py [--data DIR]

``--data`` defaults to ``../shared/data/magnetic-tile-defect`` relative to the package
root; when it is missing, ``realFiles`` is written empty. Needs numpy and Pillow.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = PACKAGE_ROOT / "Tests" / "DatasetsTests" / "Fixtures" / "images"

# Adam7 passes: first column, first row, column step, row step.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

# Real files checked when the data set is beside the repository: one defect-free image and
# two defective ones, with their masks.
REAL_FILES = ["MT_Free/Imgs/exp0_num_743", "MT_Blowhole/Imgs/exp1_num_108719", "MT_Crack/Imgs/exp1_num_249594"]


def chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows: list[bytes], bpp: int, first_filter: int) -> bytes:
    """Filters the scanlines of one pass, cycling through None, Sub, Up, Average, Paeth."""
    out = bytearray()
    prior = bytes(len(rows[0])) if rows else b""
    for index, row in enumerate(rows):
        kind = (first_filter + index) % 5
        filtered = bytearray(len(row))
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            filtered[i] = (x - predictor) & 0xFF
        out.append(kind)
        out += filtered
        prior = row
    return bytes(out)


def write_png(samples: np.ndarray, color_type: int, bit_depth: int, interlace: bool = False,
              palette: np.ndarray | None = None, alpha: bytes | None = None) -> bytes:
    """A PNG of `samples` (height x width x channels, or height x width palette indices)."""
    if samples.ndim == 2:
        samples = samples[:, :, None]
    height, width, channels = samples.shape
    dtype = ">u2" if bit_depth == 16 else "u1"
    bpp = max(1, channels * bit_depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    for number, (x0, y0, dx, dy) in enumerate(passes):
        part = samples[y0::dy, x0::dx]
        if part.size == 0:
            continue
        rows = [part[y].astype(dtype).tobytes() for y in range(part.shape[0])]
        raw += filter_rows(rows, bpp, first_filter=number)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    if palette is not None:
        png += chunk(b"PLTE", palette.astype("u1").tobytes())
    if alpha is not None:
        png += chunk(b"tRNS", alpha)
    return png + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def pil_png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def pil_jpeg(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def pattern(height: int, width: int, channels: int, maximum: int, seed: int) -> np.ndarray:
    """Gradients in each channel plus noise, covering the whole range; 0 and the maximum
    appear in every channel."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    out = np.empty((height, width, channels), dtype=np.int64)
    for c in range(channels):
        ramp = (x * (c + 1) + y * (width - c)) / ((width - 1) * (c + 1) + (height - 1) * (width - c))
        noise = rng.integers(-maximum // 16, maximum // 16 + 1, size=(height, width))
        out[:, :, c] = np.clip(np.round(ramp * maximum) + noise, 0, maximum)
        out[0, 0, c], out[-1, -1, c] = 0, maximum
    return out


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"check failed: {what}")


def png_fixtures() -> list[tuple[str, bytes, np.ndarray, int]]:
    """(file name, PNG bytes, expected samples height x width x channels, maximum)."""
    out = []

    def add(name: str, png: bytes, expected: np.ndarray, maximum: int) -> None:
        if expected.ndim == 2:
            expected = expected[:, :, None]
        out.append((name, png, expected.astype(np.int64), maximum))

    # 8-bit grey, grey + alpha, RGB, RGBA: written by PIL, which reads them back exactly.
    for name, mode, channels, size in [("grey8.png", "L", 1, (9, 6)), ("greyalpha8.png", "LA", 2, (8, 5)),
                                       ("rgb8.png", "RGB", 3, (7, 5)), ("rgba8.png", "RGBA", 4, (6, 5))]:
        samples = pattern(size[1], size[0], channels, 255, seed=channels)
        array = samples.astype(np.uint8)
        png = pil_png(Image.fromarray(array[:, :, 0] if channels == 1 else array, mode))
        check(np.array_equal(np.array(decoded(png)).reshape(samples.shape), samples), name)
        add(name, png, samples, 255)

    # 1-bit grey: PIL mode "1" decodes to 0 and 255.
    bits = (pattern(5, 10, 1, 1, seed=11)[:, :, 0]).astype(bool)
    png = pil_png(Image.fromarray(bits))
    check(decoded(png).mode == "1" and np.array_equal(np.array(decoded(png)), bits), "grey1.png")
    add("grey1.png", png, bits.astype(np.int64) * 255, 255)

    # 16-bit grey: PIL writes and reads mode I;16 with full precision.
    samples = pattern(6, 9, 1, 65535, seed=16)
    png = pil_png(Image.fromarray(samples[:, :, 0].astype(np.uint16)))
    check(np.array_equal(np.array(decoded(png)).astype(np.int64), samples[:, :, 0]), "grey16.png")
    add("grey16.png", png, samples, 65535)

    # 16-bit grey + alpha, RGB, RGBA: PIL reads only their high bytes (and grey + alpha as
    # RGBA).
    for name, color_type, channels, mode in [("greyalpha16.png", 4, 2, "LA"), ("rgb16.png", 2, 3, "RGB"),
                                             ("rgba16.png", 6, 4, "RGBA")]:
        samples = pattern(5, 7, channels, 65535, seed=16 + channels)
        png = write_png(samples, color_type, 16)
        image = decoded(png).convert(mode)
        check(np.array_equal(np.array(image).reshape(samples.shape), samples >> 8), name)
        add(name, png, samples, 65535)

    # Palettes: 8-bit without transparency, 8-bit with a tRNS chunk shorter than the palette
    # (the other entries are opaque), 4-bit.
    rng = np.random.default_rng(7)
    palette = rng.integers(0, 256, size=(40, 3))
    palette[0], palette[1] = (0, 0, 0), (255, 255, 255)
    indices = rng.integers(0, 40, size=(6, 8))
    indices[0, 0], indices[-1, -1] = 0, 1
    image = Image.fromarray(indices.astype(np.uint8), "P")
    image.putpalette(palette.astype(np.uint8).flatten().tolist())
    png = pil_png(image)
    check(np.array_equal(np.array(decoded(png).convert("RGB")), palette[indices]), "palette8.png")
    add("palette8.png", png, palette[indices], 255)

    alpha = rng.integers(0, 256, size=30)
    alpha[0], alpha[1] = 0, 255
    png = pil_png(image, transparency=bytes(alpha.astype(np.uint8)))
    rgba_palette = np.concatenate([palette, np.concatenate([alpha, np.full(10, 255)])[:, None]], axis=1)
    check(b"tRNS" in png and np.array_equal(np.array(decoded(png).convert("RGBA")), rgba_palette[indices]), "palette8-trns.png")
    add("palette8-trns.png", png, rgba_palette[indices], 255)

    small = indices % 16
    image4 = Image.fromarray(small.astype(np.uint8), "P")
    image4.putpalette(palette[:16].astype(np.uint8).flatten().tolist())
    png = pil_png(image4, bits=4)
    check(png[24] == 4 and np.array_equal(np.array(decoded(png).convert("RGB")), palette[small]), "palette4.png")
    add("palette4.png", png, palette[small], 255)

    # Interlaced (Adam7), 13x11 so that every pass is partly filled.
    samples = pattern(11, 13, 3, 255, seed=21)
    png = write_png(samples, 2, 8, interlace=True)
    check(np.array_equal(np.array(decoded(png)), samples), "interlaced-rgb8.png")
    add("interlaced-rgb8.png", png, samples, 255)

    samples = pattern(11, 13, 1, 65535, seed=22)
    png = write_png(samples, 0, 16, interlace=True)
    check(np.array_equal(np.array(decoded(png)).astype(np.int64), samples[:, :, 0]), "interlaced-grey16.png")
    add("interlaced-grey16.png", png, samples, 65535)

    trns_indices = rng.integers(0, 40, size=(7, 9))
    png = write_png(trns_indices, 3, 8, interlace=True, palette=palette, alpha=bytes(alpha.astype(np.uint8)))
    check(np.array_equal(np.array(decoded(png).convert("RGBA")), rgba_palette[trns_indices]), "interlaced-palette8-trns.png")
    add("interlaced-palette8-trns.png", png, rgba_palette[trns_indices], 255)
    return out


def jpeg_fixtures() -> list[tuple[str, bytes]]:
    y, x = np.mgrid[0:12, 0:16]
    grey = np.clip(x * 14 + y * 5 + np.where((x // 4 + y // 4) % 2 == 0, 40, 0), 0, 255).astype(np.uint8)
    rgb = pattern(11, 15, 3, 255, seed=31).astype(np.uint8)
    rgb_full = pattern(12, 16, 3, 255, seed=32).astype(np.uint8)
    return [
        ("grey.jpg", pil_jpeg(Image.fromarray(grey, "L"), quality=90)),
        ("rgb.jpg", pil_jpeg(Image.fromarray(rgb, "RGB"), quality=90, subsampling=2)),
        ("rgb-progressive.jpg", pil_jpeg(Image.fromarray(rgb_full, "RGB"), quality=85, subsampling=0, progressive=True)),
    ]


def real_files(data: Path) -> list[dict]:
    out = []
    for stem in REAL_FILES:
        for suffix in (".jpg", ".png"):
            path = data / (stem + suffix)
            image = Image.open(path)
            check(image.mode == "L", f"{path} is grey")
            samples = np.array(image).astype(np.int64)
            height, width = samples.shape
            probes = [(0, 0), (height // 2, width // 2), (height // 3, 2 * width // 3), (height - 1, width - 1)]
            brightest = np.unravel_index(int(samples.argmax()), samples.shape)
            probes.append((int(brightest[0]), int(brightest[1])))
            out.append({
                "path": stem + suffix, "width": width, "height": height, "channels": 1,
                "sum": int(samples.sum()), "zeros": int((samples == 0).sum()), "maxima": int((samples == 255).sum()),
                "probes": [[py, px, int(samples[py, px])] for py, px in probes],
            })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=PACKAGE_ROOT.parent / "shared" / "data" / "magnetic-tile-defect")
    arguments = parser.parse_args()

    OUTPUT.mkdir(parents=True, exist_ok=True)
    record: dict = {"png": [], "jpeg": [], "luma": {}, "unsupported": [], "oversized": [], "realFiles": []}

    def entry(name: str, samples: np.ndarray, maximum: int) -> dict:
        height, width, channels = samples.shape
        return {"file": name, "width": width, "height": height, "channels": channels, "maxValue": maximum,
                "pixels": samples.flatten().tolist()}

    for name, png, samples, maximum in png_fixtures():
        (OUTPUT / name).write_bytes(png)
        record["png"].append(entry(name, samples, maximum))
        if name in ("rgb8.png", "rgba8.png"):
            record["luma"][name] = np.array(decoded(png).convert("L")).flatten().tolist()

    for name, jpeg in jpeg_fixtures():
        (OUTPUT / name).write_bytes(jpeg)
        image = decoded(jpeg)
        samples = np.array(image).astype(np.int64)
        item = entry(name, samples.reshape(image.height, image.width, -1), 255)
        item["tolerance"] = 2
        record["jpeg"].append(item)

    cmyk = np.stack([pattern(8, 8, 1, 255, seed=41)[:, :, 0]] * 4, axis=2).astype(np.uint8)
    (OUTPUT / "cmyk.jpg").write_bytes(pil_jpeg(Image.fromarray(cmyk, "CMYK"), quality=90))
    record["unsupported"].append("cmyk.jpg")

    # Valid headers announcing more samples than the decoders allocate (2^28): a 100000 x
    # 100000 grey PNG with one empty IDAT, and the grey JPEG with its size set to 65500 x 65500.
    oversized_png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    (OUTPUT / "oversized.png").write_bytes(oversized_png)
    grey_jpeg = bytearray((OUTPUT / "grey.jpg").read_bytes())
    sof = grey_jpeg.index(b"\xff\xc0")
    grey_jpeg[sof + 5:sof + 9] = struct.pack(">HH", 65500, 65500)
    (OUTPUT / "oversized.jpg").write_bytes(bytes(grey_jpeg))
    record["oversized"] = ["oversized.png", "oversized.jpg"]

    if arguments.data.is_dir():
        record["realFiles"] = real_files(arguments.data)
    else:
        print(f"note: {arguments.data} not found, realFiles left empty")

    with open(OUTPUT / "images.json", "w") as file:
        file.write("{\n")
        for key_index, (key, value) in enumerate(record.items()):
            comma = "," if key_index < len(record) - 1 else ""
            if isinstance(value, list) and value:
                lines = ",\n".join("    " + json.dumps(item, separators=(",", ":")) for item in value)
                file.write(f'  "{key}": [\n{lines}\n  ]{comma}\n')
            else:
                file.write(f'  "{key}": {json.dumps(value, separators=(",", ":"))}{comma}\n')
        file.write("}\n")
    total = sum(path.stat().st_size for path in OUTPUT.iterdir() if path.suffix in (".png", ".jpg"))
    print(f"wrote {len(list(OUTPUT.glob('*.png')))} PNGs and {len(list(OUTPUT.glob('*.jpg')))} JPEGs "
          f"({total} bytes) and images.json to {OUTPUT.relative_to(PACKAGE_ROOT)}")


if __name__ == "__main__":
    main()
