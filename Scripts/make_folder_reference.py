#!/usr/bin/env python3
"""Write the reference values that the Swift folder-dataset tests compare the Magnetic Tile
Defect set with.

What it reads
-------------
``<data>/MT_<Class>/Imgs/NAME.jpg`` (8-bit grey JPEG images) and ``NAME.png`` (their
masks, 0 = normal, 255 = defect, with a few intermediate values along defect borders) of
the Magnetic Tile Defect set (Huang et al., "Saliency of magnetic tile surface defects").

What it writes
--------------
``Tests/DatasetsTests/Fixtures/magnetic_tile_reference.json``:

* ``folders``: the class folders, sorted, with how many images (``.jpg``) each holds;
  ``normalFolder`` (``MT_Free``), ``normalCount`` and ``anomalousCount``;
* ``sizeMismatches``: how many masks differ in size from their image (PIL opens every file);
* ``probes``: for the first image (by path) of each folder: its path relative to the data
  folder, its index in the whole set sorted by path (the order the Swift dataset lists
  samples in), its label (0 for ``MT_Free``, 1 otherwise), width and height, the sum of
  its decoded 8-bit samples as PIL (libjpeg) decodes them, and its mask's number of
  anomalous pixels (samples above 127, i.e. above 0.5 after dividing by 255) and the sum
  of the mask's samples.

The listing here is independent of the Swift code: ``Path.glob`` and ``sorted`` on the
path strings relative to the data folder.

Usage
-----
    /tmp/torchenv/bin/python Scripts/make_folder_reference.py [--data DIR] [--output FILE]

``--data`` defaults to ``../shared/data/magnetic-tile-defect`` relative to the package
root. Needs numpy and Pillow. Running it again gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
NORMAL_FOLDER = "MT_Free"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PACKAGE_ROOT.parent / "shared" / "data" / "magnetic-tile-defect")
    parser.add_argument(
        "--output", type=Path, default=PACKAGE_ROOT / "Tests" / "DatasetsTests" / "Fixtures" / "magnetic_tile_reference.json"
    )
    arguments = parser.parse_args()
    data: Path = arguments.data

    folders = sorted(p.name for p in data.iterdir() if p.is_dir() and not p.name.startswith("."))
    images = sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg"})
    counts = {folder: sum(1 for path in images if path.split("/")[0] == folder) for folder in folders}

    mismatches = 0
    for path in images:
        with Image.open(data / path) as image, Image.open((data / path).with_suffix(".png")) as mask:
            if image.size != mask.size:
                mismatches += 1

    probes = []
    for folder in folders:
        index = next(i for i, path in enumerate(images) if path.split("/")[0] == folder)
        path = images[index]
        with Image.open(data / path) as file:
            assert file.mode == "L", f"{path}: expected an 8-bit grey JPEG, found mode {file.mode}"
            image = np.asarray(file, dtype=np.int64)
        with Image.open((data / path).with_suffix(".png")) as file:
            mask = np.asarray(file.convert("L"), dtype=np.int64)
        probes.append(
            {
                "path": path,
                "index": index,
                "label": 0 if folder == NORMAL_FOLDER else 1,
                "width": int(image.shape[1]),
                "height": int(image.shape[0]),
                "pixelSum": int(image.sum()),
                "maskAnomalousPixels": int((mask > 127).sum()),
                "maskSum": int(mask.sum()),
            }
        )

    normal = counts.get(NORMAL_FOLDER, 0)
    record = {
        "folders": [{"name": folder, "count": counts[folder]} for folder in folders],
        "normalFolder": NORMAL_FOLDER,
        "normalCount": normal,
        "anomalousCount": len(images) - normal,
        "sizeMismatches": mismatches,
        "probes": probes,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {arguments.output}: {len(images)} images, {mismatches} size mismatches, {len(probes)} probes")


if __name__ == "__main__":
    main()
