#!/usr/bin/env python3
"""Write the matplotlib reference values that test the `Explain` colour maps.

What it writes
--------------
``Tests/ExplainTests/Fixtures/colormaps.json``
    For matplotlib's ``jet`` and ``viridis`` (the maps ``ColorMap.jet`` and
    ``ColorMap.viridis`` reproduce):

    ``lut``
        The 256-entry lookup table, ``cmap(np.arange(256))[:, :3]``: what the map gives
        for the integer index ``i``, i.e. for every value in ``[i / 256, (i + 1) / 256)``.
    ``samples``
        ``cmap(x)[:, :3]`` for a float32 array ``x`` of probe values: both ends, values
        just inside and outside ``[0, 1]`` (matplotlib's "under" and "over" colours are the
        end colours, as ``ColorMap`` clamps), the edges of a few lookup bins and a seeded
        uniform sample. Each probe is written as the shortest decimal that reads back as
        the same float32, so Swift's ``Float("...")`` gets the value matplotlib coloured.

    ``matplotlib`` records the version that produced the numbers.

Running the script again gives a byte-identical file (for the same matplotlib version).

Usage
-----
    python3 Scripts/make_colormap_fixtures.py

Needs numpy and matplotlib (``pip install matplotlib``).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "ExplainTests" / "Fixtures" / "colormaps.json"


def probes() -> np.ndarray:
    fixed = [
        -1.0, -0.25, -1e-7, 0.0, 1e-7,
        1 / 256, np.nextafter(np.float32(1 / 256), np.float32(0)),
        0.1, 0.125, 0.25, 1 / 3, 0.35, 0.5, 0.5 - 1e-6, 0.64, 0.66, 0.75, 0.89, 0.91,
        255 / 256, np.nextafter(np.float32(255 / 256), np.float32(0)),
        0.999, 1 - 1e-7, 1.0, 1.0 + 1e-6, 1.5, 10.0,
    ]
    rng = np.random.default_rng(20240611)
    return np.concatenate([np.asarray(fixed, dtype=np.float32), rng.random(40, dtype=np.float32)])


def shortest(value: np.float32) -> str:
    # numpy's repr of a float32 scalar is the shortest string that round-trips.
    return np.format_float_positional(value, unique=True, trim="-") if abs(value) >= 1e-4 or value == 0 \
        else np.format_float_scientific(value, unique=True, trim="-")


def table(name: str) -> dict:
    cmap = matplotlib.colormaps[name]
    assert cmap.N == 256, (name, cmap.N)
    lut = cmap(np.arange(256))[:, :3]
    x = probes()
    colours = cmap(x)[:, :3]
    return {
        "lut": [[float(c) for c in row] for row in lut],
        "samples": [
            {"x": shortest(v), "rgb": [float(c) for c in row]} for v, row in zip(x, colours)
        ],
    }


def compact_json(value, indent: str = "") -> str:
    """JSON with one line per innermost list or sample object, so the file stays short."""
    inner = indent + " "
    if isinstance(value, dict) and not ("x" in value and "rgb" in value):
        items = [f"{inner}{json.dumps(k)}: {compact_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        items = [inner + compact_json(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value)


def main() -> None:
    fixture = {
        "matplotlib": matplotlib.__version__,
        "maps": {name: table(name) for name in ("jet", "viridis")},
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(compact_json(fixture) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
