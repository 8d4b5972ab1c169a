"""Shared helpers of the PyTorch fixture scripts for the FCDD nets and their baselines.

``Scripts/make_fcdd_fixtures.py`` and ``Scripts/make_baseline_fixtures.py`` import this
module (each puts its own folder on ``sys.path``, so both run as
``python3 Scripts/make_X.py`` from the repository root). It holds the deterministic
weight and input formulas that the Swift tests reproduce (``FCDDFixtures.formulaState``
and ``FCDDFixtures.formulaInput``), the float32-versus-float64 deviation report, the JSON
encoding of tensors and the writing of a fixture file. It needs PyTorch and NumPy.

Weights are not stored: both sides fill them from this formula
------------------------------------------------------------------
Take the net's ``state_dict()`` names (parameters and buffers; for an autoencoder the
encoder's names carry the prefix ``encoder.``) sorted by code point (Python's ``sorted``;
for these ASCII names the same as Swift's ``<`` on ``String``). For the tensor at position
``t`` of that list and its element at row-major flat index ``k`` (both 0-based), let, in
IEEE double precision and in exactly this order of operations,

    s(t, k) = sin(((0.731 * k) + (0.37 * t)) + (0.001 * (k * k)))

(the small quadratic term keeps the filters of one layer from all being phase shifts of
one sinusoid, which would make every conv output rank 2 across channels). The value,
computed in double and then rounded to the nearest float32, is

    name ends in "num_batches_tracked"   0
    name ends in "running_mean"          0.1 * s
    name ends in "running_var"           1 + 0.5 * |s|
    name ends in "weight", rank >= 2     s / sqrt(fan_in), fan_in = product of shape[1:]
                                         (conv: in_channels * kh * kw; linear: in;
                                         transposed conv, weight [in, out, kh, kw]:
                                         out * kh * kw)
    name ends in "weight", rank 1        1 + 0.1 * s    (batch-norm scale)
    name ends in "bias"                  0.1 * s        (convolution, linear or
                                                        batch-norm shift)

Inputs come from a formula too: the element at row-major flat index ``i`` of the input
batch ``[N, C, H, W]`` is, in double rounded to float32,

    x(i) = sin(((0.917 * i) + 0.5) + (0.0007 * (i * i)))

References are float64 computations on those float32 values (the net is converted with
``.double()`` after the fill), so they carry no float32 rounding of their own; the scripts
also run everything in float32 and print the largest deviation relative to each tensor's
largest magnitude, which is what a float32 implementation can be expected to show (the
Swift tolerances are set from it).

Tensors are encoded as ``{"shape": [...], "data": [row-major values]}`` with a given number
of significant digits, and a fixture file is written one case a line (``section``).

Large tensors (``encode_sampled``): a tensor of more than 4096 elements is written as

    {"shape": [...], "stride": s, "data": flat[::s], "sum": Σ x, "abs_sum": Σ |x|}

``flat`` being its row-major elements, ``s = ceil(count / 2000)`` (so ``data`` keeps at most
2000 values: the elements at flat indices 0, s, 2s, ...), and the two sums taken over all
elements in float64 (exactly rounded, ``math.fsum``) and written with 12 significant digits.
Tensors of at most 4096 elements keep the plain form, so a reader tells the two apart by
the presence of ``stride``.
"""

import functools
import json
import math

import numpy as np
import torch

# ---------------------------------------------------------------------------------------
# The deterministic fill and input (see the docstring)


@functools.lru_cache(maxsize=None)
def s_values(t, n):
    # math.sin (the C library's) element by element: NumPy's vectorised sin need not round
    # the same way; fromiter keeps the 10^8-element tensors of the VGG nets off a list.
    return np.fromiter((math.sin(((0.731 * k) + (0.37 * t)) + (0.001 * (k * k))) for k in range(n)),
                       dtype=np.float64, count=n)


def fill(net):
    """Overwrites every state-dict entry of `net` with the formula values; returns `net`."""
    state = net.state_dict()
    new = {}
    for t, name in enumerate(sorted(state)):
        tensor = state[name]
        n = tensor.numel()
        if name.endswith("num_batches_tracked"):
            new[name] = torch.zeros_like(tensor)
            continue
        s = s_values(t, n)
        if name.endswith("running_mean"):
            v = 0.1 * s
        elif name.endswith("running_var"):
            v = 1 + 0.5 * np.abs(s)
        elif name.endswith("weight") and tensor.dim() >= 2:
            v = s / math.sqrt(int(np.prod(tensor.shape[1:])))
        elif name.endswith("weight"):
            v = 1 + 0.1 * s
        elif name.endswith("bias"):
            v = 0.1 * s
        else:
            raise ValueError(f"no fill rule for {name}")
        new[name] = torch.from_numpy(v.astype(np.float32).reshape(tuple(tensor.shape)))
    net.load_state_dict(new, strict=True)
    return net


def formula_input(shape):
    """The formula input batch of `shape`, float32."""
    n = int(np.prod(shape))
    v = np.array([math.sin(((0.917 * i) + 0.5) + (0.0007 * (i * i))) for i in range(n)], dtype=np.float64)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


# ---------------------------------------------------------------------------------------
# Given tensors for the loss cases (float32 values, held in float64)


def f32(values, shape):
    """`values` rounded to float32, as a float64 tensor of `shape` that records gradients."""
    return torch.tensor(np.asarray(values, dtype=np.float32).reshape(shape).astype(np.float64), requires_grad=True)


def grid(shape, scale, offset=0.0, phase=0.0):
    """`offset + scale * sin(1.3 * i + phase)` for every flat index `i` of `shape`."""
    n = int(np.prod(shape))
    return [offset + scale * math.sin(1.3 * i + phase) for i in range(n)]


# ---------------------------------------------------------------------------------------
# float32 against float64

SAMPLE_ABOVE = 4096  # tensors with more elements are sampled
SAMPLE_KEEP = 2000  # at most this many values of a sampled tensor are written


def relative_deviation(a32, a64):
    """max |a32 − a64| / max |a64|."""
    a32, a64 = torch.as_tensor(a32).detach().double(), torch.as_tensor(a64).detach()
    return float((a32 - a64).abs().max() / a64.abs().max().clamp_min(1e-30))


def sample_stride(count):
    """The stride of `encode_sampled` for a tensor of `count` elements (1: not sampled)."""
    return -(-count // SAMPLE_KEEP) if count > SAMPLE_ABOVE else 1


def sampled_deviation(a32, a64):
    """`relative_deviation` on the elements that `encode_sampled` keeps: what a reader of
    the fixture, who sees only those, can check."""
    a32, a64 = torch.as_tensor(a32).detach().reshape(-1), torch.as_tensor(a64).detach().reshape(-1)
    stride = sample_stride(a64.numel())
    return relative_deviation(a32[::stride], a64[::stride])


def sum_deviation(a32, a64):
    """|Σ a32 − Σ a64| / Σ |a64|: how far the `sum` of a sampled tensor may move in float32,
    relative to its `abs_sum` (the sum itself can cancel to nearly nothing)."""
    a32, a64 = torch.as_tensor(a32).detach().double(), torch.as_tensor(a64).detach()
    return float((a32.sum() - a64.sum()).abs() / a64.abs().sum().clamp_min(1e-30))


def buffer_deviation(b32, b64):
    """The largest relative deviation among the buffers, the batch counters left out."""
    return max(relative_deviation(b32[k], b64[k]) for k in b64 if not k.endswith("num_batches_tracked"))


def report(name, summary, deviations):
    print(f"{name}: {summary}; float32 deviation (max |Δ| / max |ref|): "
          + ", ".join(f"{k} {v:.1e}" for k, v in deviations.items()))


# ---------------------------------------------------------------------------------------
# Encoding and writing


def encode_value(value, digits):
    value = float(value)
    assert math.isfinite(value), value
    return float(f"{value:.{digits}g}") + 0.0  # + 0.0: no negative zeros


def encode(array, digits=7):
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    array = np.asarray(array)
    return {"shape": [int(d) for d in array.shape], "data": [encode_value(v, digits) for v in array.reshape(-1)]}


def encode_sampled(array, digits=7):
    """`encode` for tensors of at most `SAMPLE_ABOVE` elements; larger ones as
    {"shape", "stride", "data": every stride-th row-major element from index 0, "sum",
    "abs_sum"} with stride = ceil(count / SAMPLE_KEEP) and both sums over all elements
    (see the docstring)."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    array = np.asarray(array)
    if array.size <= SAMPLE_ABOVE:
        return encode(array, digits)
    flat = array.reshape(-1).astype(np.float64)
    stride = sample_stride(flat.size)
    return {"shape": [int(d) for d in array.shape], "stride": int(stride),
            "data": [encode_value(v, digits) for v in flat[::stride]],
            "sum": encode_value(math.fsum(flat.tolist()), 12),
            "abs_sum": encode_value(math.fsum(np.abs(flat).tolist()), 12)}


def encode_buffers(buffers, encoding=encode):
    """Buffers by name, sorted, as float64 (so the batch counters become floats), each
    written with `encoding` (`encode`, or `encode_sampled` for nets with large buffers)."""
    return {k: encoding(v.double()) for k, v in sorted(buffers.items())}


def names_and_shapes(net):
    return [[name, [int(d) for d in tensor.shape]] for name, tensor in sorted(net.state_dict().items())]


def dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def section(key, cases):
    """`"key":[` and the cases, one a line."""
    return '"' + key + '":[\n' + ",\n".join(dumps(c) for c in cases) + "\n]"


def write_fixture(path, text):
    """Checks that `text` is JSON and writes it, with a final newline, to `path`."""
    json.loads(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
