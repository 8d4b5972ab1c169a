#!/usr/bin/env python3
"""Write the reference values that the Swift CIFAR tests compare the real subsets with.

What it reads
-------------
``<data>/cifar-10-subset/data_batch_1.bin`` and ``<data>/cifar-100-subset/train.bin``: files in
CIFAR's binary format (CIFAR-10 records are 1 label byte + 3,072 pixel bytes, CIFAR-100
records a coarse byte, a fine byte and 3,072 pixel bytes; the pixels are the R, G and B
planes of a 32x32 image, each row-major), and the class-name files beside them.

What it writes
--------------
``Tests/DatasetsTests/Fixtures/cifar_reference.json``: per subset, the file's SHA-256 and
record count, the class names, the number of images per class (fine and coarse for
CIFAR-100), the sum of all pixel bytes, and for a few images ("probes") the label(s), the
sum of the image's pixel bytes, the SHA-256 of its 3,072 bytes (planes R, G, B) and the
bytes at a few (channel, y, x) positions.

The parsing here is independent of the Swift loader: numpy reshapes the whole file to
``[count, record]`` and slices it.

Usage
-----
    python3 Scripts/make_cifar_reference.py [--data DIR] [--output FILE]

``--data`` defaults to ``../shared/data`` relative to the package root. Needs numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
PROBE_INDICES = [0, 1, 1234, 5000, 9999]
# (channel, y, x) positions whose byte the fixture records for every probe.
PROBE_POSITIONS = [(0, 0, 0), (0, 31, 31), (1, 16, 8), (2, 5, 27), (2, 31, 0)]
IMAGE_BYTES = 3 * 32 * 32


def class_names(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def records(path: Path, label_bytes: int) -> tuple[np.ndarray, np.ndarray, bytes]:
    raw = path.read_bytes()
    record = label_bytes + IMAGE_BYTES
    if len(raw) % record != 0:
        raise SystemExit(f"{path}: {len(raw)} bytes is not a multiple of {record}")
    table = np.frombuffer(raw, dtype=np.uint8).reshape(-1, record)
    labels = table[:, :label_bytes].astype(np.int64)
    images = table[:, label_bytes:].reshape(-1, 3, 32, 32)
    return labels, images, raw


def probe(images: np.ndarray, index: int) -> dict:
    image = images[index]
    return {
        "index": index,
        "pixelSum": int(image.astype(np.int64).sum()),
        "sha256": hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest(),
        "values": [
            {"channel": c, "y": y, "x": x, "byte": int(image[c, y, x])} for (c, y, x) in PROBE_POSITIONS
        ],
    }


def cifar10(directory: Path) -> dict:
    path = directory / "data_batch_1.bin"
    labels, images, raw = records(path, 1)
    names = class_names(directory / "batches.meta.txt")
    label = labels[:, 0]
    probes = []
    for index in PROBE_INDICES:
        entry = probe(images, index)
        entry["label"] = int(label[index])
        probes.append(entry)
    return {
        "file": "cifar-10-subset/data_batch_1.bin",
        "fileSHA256": hashlib.sha256(raw).hexdigest(),
        "count": int(len(label)),
        "classNames": names,
        "classCounts": np.bincount(label, minlength=len(names)).tolist(),
        "pixelSum": int(images.astype(np.int64).sum()),
        "probes": probes,
    }


def cifar100(directory: Path) -> dict:
    path = directory / "train.bin"
    labels, images, raw = records(path, 2)
    fine_names = class_names(directory / "fine_label_names.txt")
    coarse_names = class_names(directory / "coarse_label_names.txt")
    coarse, fine = labels[:, 0], labels[:, 1]
    probes = []
    for index in PROBE_INDICES:
        entry = probe(images, index)
        entry["fineLabel"] = int(fine[index])
        entry["coarseLabel"] = int(coarse[index])
        probes.append(entry)
    return {
        "file": "cifar-100-subset/train.bin",
        "fileSHA256": hashlib.sha256(raw).hexdigest(),
        "count": int(len(fine)),
        "fineClassNames": fine_names,
        "coarseClassNames": coarse_names,
        "fineClassCounts": np.bincount(fine, minlength=len(fine_names)).tolist(),
        "coarseClassCounts": np.bincount(coarse, minlength=len(coarse_names)).tolist(),
        "pixelSum": int(images.astype(np.int64).sum()),
        "probes": probes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=PACKAGE_ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--output", type=Path, default=PACKAGE_ROOT / "Tests" / "DatasetsTests" / "Fixtures" / "cifar_reference.json"
    )
    arguments = parser.parse_args()
    reference = {
        "generator": "Scripts/make_cifar_reference.py",
        "probePositions": "channel, y, x of each recorded byte; channels are R, G, B",
        "cifar10": cifar10(arguments.data / "cifar-10-subset"),
        "cifar100": cifar100(arguments.data / "cifar-100-subset"),
    }
    arguments.output.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()
