#!/usr/bin/env python3
"""Generate the safetensors interoperability fixture for the NN module.

Run it from the package root with a Python that has PyTorch, NumPy and ``safetensors``
(``pip install torch numpy safetensors``):

    python3 Scripts/make_safetensors_fixture.py

It writes two files that ``Tests/NNTests/SafeTensorsTests.swift`` reads through
``Bundle.module``, so the Swift tests never need Python:

``Tests/NNTests/Fixtures/python_written.safetensors``
    written by ``safetensors.torch.save_file`` with metadata and one tensor of each dtype
    the Swift reader converts (float32 with signed zero, infinities, NaN and a subnormal;
    float16; bfloat16; float64; int64 as a rank-0 ``num_batches_tracked`` like
    BatchNorm's; int32; int16; int8; uint8; bool) plus an empty float32 tensor.

``Tests/NNTests/Fixtures/python_written.json``
    what the Swift reader must produce::

        {
          "metadata": {key: value, ...},
          "tensors": {
            name: {"dtype": safetensors dtype name,
                   "shape": [...],
                   "data": [row-major float32 values]}, ...
          }
        }

    Every value is the tensor converted to float32 by PyTorch (``.to(torch.float32)``),
    written as the shortest ``repr`` of that float32's exact value as a double (so parsing
    it as a double and rounding to float32 is exact); infinities and NaN, which JSON numbers
    cannot hold, are the strings "Infinity", "-Infinity" and "NaN".

The output is deterministic (fixed values, no random numbers): re-running the script
reproduces both files byte for byte.
"""
import json
import math
import os

import torch
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "NNTests", "Fixtures")
SAFETENSORS_PATH = os.path.join(FIXTURES, "python_written.safetensors")
JSON_PATH = os.path.join(FIXTURES, "python_written.json")

# One metadata key only: safetensors serialises the metadata from a Rust HashMap, whose
# iteration order (and so the file's bytes) would vary between runs with several keys.
# The value exercises JSON escapes and non-ASCII text.
METADATA = {"note": 'save_file: "quotes", back\\slash, tab\t, \u00fcnic\u00f6de \u2713'}

INF = float("inf")
DTYPE_NAMES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def tensors():
    """The fixture's tensors by name."""
    return {
        # Signed zeros, infinities, NaN, the smallest subnormal, the largest finite value.
        "f32": torch.tensor(
            [[0.0, -0.0, 1.5, -2.25], [INF, -INF, float("nan"), 1e-45], [3.4028234663852886e38, 0.1, -1e-40, 7.0]],
            dtype=torch.float32,
        ),
        # Largest finite half, smallest subnormal half, a normal, infinity, signed zero.
        "f16": torch.tensor([65504.0, 2.0**-24, -0.333251953125, INF, -0.0], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -3.140625], [3.3895313892515355e38, -INF]], dtype=torch.bfloat16),
        # Rounded to float32 by value: 0.1 and 1/3 round, 1e300 overflows to infinity,
        # 1e-50 underflows to zero.
        "f64": torch.tensor([0.1, 1.0 / 3.0, -1e300, 1e-50, 16777217.0], dtype=torch.float64),
        # Like BatchNorm's counter in a PyTorch state dict: a rank-0 int64.
        "bn.num_batches_tracked": torch.tensor(1234, dtype=torch.int64),
        # The edges of the range where every integer is exact in float32.
        "i32": torch.tensor([-16777216, 16777216, 0, -7], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, 1], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "u8": torch.tensor([0, 128, 255], dtype=torch.uint8),
        "mask": torch.tensor([[True, False], [False, True]], dtype=torch.bool),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }


def json_number(value):
    """A float32 value as JSON: the shortest repr, or a string for non-finite values."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    values = tensors()
    save_file(values, SAFETENSORS_PATH, metadata=METADATA)

    expected = {}
    for name, tensor in values.items():
        as_float32 = tensor.to(torch.float32).reshape(-1).numpy()
        expected[name] = {
            "dtype": DTYPE_NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            # float(numpy.float32) is the exact value; its repr round-trips.
            "data": [json_number(float(value)) for value in as_float32],
        }
    with open(JSON_PATH, "w", encoding="utf-8") as out:
        json.dump({"metadata": METADATA, "tensors": expected}, out, indent=1, sort_keys=True)
        out.write("\n")
    print(f"wrote {SAFETENSORS_PATH} ({os.path.getsize(SAFETENSORS_PATH)} bytes) and {JSON_PATH}")


if __name__ == "__main__":
    main()
