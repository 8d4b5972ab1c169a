#!/usr/bin/env python3
"""Write the small Fashion-MNIST sample that the `Datasets` module ships, and its test fixture.

What it writes
--------------
``Sources/Datasets/Resources/fashion-mnist-sample/``
    The four standard Fashion-MNIST files in the original IDX format, gzipped:
    ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``.
    The train files hold the first 300 images of each of the 10 classes of the official
    train set, the t10k files the first 100 of each class of the official test set.
    "First" means first in file order, and the selected images keep their file order
    (so the classes stay interleaved as in the original). 3,000 + 1,000 images, about
    1.8 MB gzipped. A ``LICENSE`` (MIT, Zalando SE) and a ``README.md`` go beside them.

``Tests/DatasetsTests/Fixtures/fashion-mnist-sample.json``
    What the Swift tests compare the decoded sample with: per split, the image and label
    counts, the per-class counts, the SHA-256 of the decoded uint8 pixel payload (all
    images, row-major, header excluded) and of the decoded label payload, and the
    SHA-256, label and original index of a few single images.

The gzip files are written with ``mtime=0`` and no file name, so running the script
again on the same input gives byte-identical output.

Usage
-----
    python3 Scripts/make_fashion_mnist_sample.py [--source DIR] [--per-class-train 300] \
        [--per-class-test 100]

``--source`` defaults to ``../shared/data/fashion-mnist`` relative to the package root (the
full, upstream-identical Fashion-MNIST release). Needs numpy only.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import struct
import sys
from pathlib import Path

import numpy as np

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PACKAGE_ROOT / "Sources" / "Datasets" / "Resources" / "fashion-mnist-sample"
FIXTURE = PACKAGE_ROOT / "Tests" / "DatasetsTests" / "Fixtures" / "fashion-mnist-sample.json"
CLASS_COUNT = 10
CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]
# Indices (into the sample, not the original) of the single images whose hashes the
# fixture records: the first, a few from the middle, and the last.
PROBE_FRACTIONS = [0.0, 0.25, 0.5, 0.75, 1.0]
SIZE_LIMIT_BYTES = 2_500_000

LICENSE_TEXT = """\
The MIT License (MIT)

Copyright © 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the “Software”), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED “AS IS”, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def read_idx(path: Path) -> np.ndarray:
    """Decode a (possibly gzipped) IDX file of unsigned bytes into an array of its shape."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    zero, dtype, ndims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: expected IDX magic 0x0000 08 <ndims>, found {raw[:4].hex()}")
    dims = struct.unpack(f">{ndims}I", raw[4:4 + 4 * ndims])
    payload = raw[4 + 4 * ndims:]
    expected = int(np.prod(dims))
    if len(payload) != expected:
        sys.exit(f"{path}: expected {expected} data bytes for dimensions {dims}, found {len(payload)}")
    return np.frombuffer(payload, dtype=np.uint8).reshape(dims)


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX: magic 0x00 0x00 0x08 <ndims>, big-endian dims, data."""
    assert array.dtype == np.uint8
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def write_gzip(path: Path, payload: bytes) -> int:
    """Gzip deterministically (no file name, mtime 0, level 9) and return the size written."""
    data = gzip.compress(payload, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return len(data)


def first_per_class(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first `per_class` items of every class, in file order."""
    chosen = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(CLASS_COUNT)])
    if len(chosen) != per_class * CLASS_COUNT:
        sys.exit(f"expected {per_class} items of each of {CLASS_COUNT} classes, found {len(chosen)} in all")
    return np.sort(chosen)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_split(source: Path, prefix: str, per_class: int) -> tuple[dict, int]:
    images = read_idx(source / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(source / f"{prefix}-labels-idx1-ubyte.gz")
    chosen = first_per_class(labels, per_class)
    sample_images, sample_labels = images[chosen], labels[chosen]

    written = write_gzip(SAMPLE_DIR / f"{prefix}-images-idx3-ubyte.gz", idx_bytes(sample_images))
    written += write_gzip(SAMPLE_DIR / f"{prefix}-labels-idx1-ubyte.gz", idx_bytes(sample_labels))

    count = len(chosen)
    probes = sorted({min(count - 1, int(round(f * (count - 1)))) for f in PROBE_FRACTIONS})
    entry = {
        "count": count,
        "imageShape": list(sample_images.shape[1:]),
        "classCounts": np.bincount(sample_labels, minlength=CLASS_COUNT).tolist(),
        "imagesSHA256": sha256(sample_images.tobytes()),
        "labelsSHA256": sha256(sample_labels.tobytes()),
        "pixelSum": int(sample_images.astype(np.int64).sum()),
        "probes": [
            {
                "index": int(i),
                "originalIndex": int(chosen[i]),
                "label": int(sample_labels[i]),
                "sha256": sha256(sample_images[i].tobytes()),
            }
            for i in probes
        ],
    }
    return entry, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=PACKAGE_ROOT.parent / "shared" / "data" / "fashion-mnist",
                        help="folder with the four official Fashion-MNIST .gz files")
    parser.add_argument("--per-class-train", type=int, default=300)
    parser.add_argument("--per-class-test", type=int, default=100)
    args = parser.parse_args()

    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)

    train, train_bytes = make_split(args.source, "train", args.per_class_train)
    test, test_bytes = make_split(args.source, "t10k", args.per_class_test)
    total = train_bytes + test_bytes
    if total > SIZE_LIMIT_BYTES:
        sys.exit(f"the sample takes {total} bytes, more than the {SIZE_LIMIT_BYTES}-byte budget")

    (SAMPLE_DIR / "LICENSE").write_text(LICENSE_TEXT, encoding="utf-8")
    (SAMPLE_DIR / "README.md").write_text(
        "# Fashion-MNIST sample\n\n"
        "A class-balanced subset of [Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist)\n"
        "(Xiao, Rasul and Vollgraf, 2017), © Zalando SE, MIT licence (see `LICENSE`).\n\n"
        f"- `train-*`: the first {args.per_class_train} images of each class of the official train set "
        f"({train['count']} images).\n"
        f"- `t10k-*`: the first {args.per_class_test} images of each class of the official test set "
        f"({test['count']} images).\n\n"
        "Selected images keep their original file order. Same IDX format and file names as the\n"
        "original release, gzipped. Classes: "
        + ", ".join(f"{i} {name}" for i, name in enumerate(CLASS_NAMES)) + ".\n\n"
        "Generated by `Scripts/make_fashion_mnist_sample.py`; do not edit by hand.\n",
        encoding="utf-8",
    )

    fixture = {
        "generatedBy": "Scripts/make_fashion_mnist_sample.py",
        "note": "SHA-256 of decoded uint8 payloads (IDX header excluded), row-major",
        "sampleBytes": total,
        "train": train,
        "test": test,
    }
    FIXTURE.write_text(json.dumps(fixture, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SAMPLE_DIR.relative_to(PACKAGE_ROOT)} ({total} bytes of data) and {FIXTURE.relative_to(PACKAGE_ROOT)}")


if __name__ == "__main__":
    main()
