#!/usr/bin/env python3
"""Reference fixtures for the heatmap maps of the Explain module (Sources/Explain/Maps).

It re-implements, in NumPy and PyTorch, what the official FCDD code (liznerski/fcdd,
commit 4fa8502, paths relative to ``python/fcdd/``) does with anomaly maps:

* the receptive-field bookkeeping of ``RecConv2d`` / ``RecMaxPool2d``
  (``models/bases.py``): n' = (n + 2p - k)//stride + 1, j' = j*stride,
  r' = r + (k-1)*j, s' = s + ((k-1)/2 - p)*j, starting from (n, j, r, s) = (W, 1, 1, 0);
* ``gkern(k, std)`` (``datasets/noise.py``), including the even-size rule
  (window of length k-1, centre sample duplicated, everything halved);
* ``receptive_upsample`` (``models/bases.py``): transposed convolution with
  the gkern kernel, stride = jump, padding 0, output padding W - (h'-1)j - 1 (odd r) or
  W - (h'-1)j - 2 (even r), then the crop [pad - s : -pad - s] with pad = (r-1)//2 and
  s = int(shift);
* ``__local_norm`` and ``__global_norm`` (``training/bases.py``), with the
  quantile as torch ``kthvalue(int(qu * N))``, and the low-resolution quirk of the global
  reference set;
* ``BaseNet.get_grad_heatmap`` (``models/bases.py``) (|d sum_i mean(loss_i) / d input|
  summed over channels) and the kornia ``gaussian_blur2d`` used by ``--blur-heatmaps``
  (normalised Gaussian, x = arange(k) - k//2, reflect border).

It needs NumPy, SciPy and PyTorch:

    pip install numpy scipy torch
    python3 Scripts/make_upsampling_fixtures.py

Run it from anywhere; it writes ``Tests/ExplainTests/Fixtures/upsampling.json``, which
the Explain tests read through ``Bundle.module``. The output is deterministic (fixed
NumPy seed, CPU, one thread).

File layout (T = {"shape": [...], "data": [row-major values]}):

    {
      "version": 1, "seed", "torch", "scipy",
      "gkern": [{"name", "size", "sigma", "window": [k values], "kernel": T [k, k]}],
      "receptive_fields": [{
          "name", "input": [H, W],
          "layers": [{"kind": "conv" | "maxpool", "kernel": [h, w], "stride": [h, w],
                      "padding": [h, w], "dilation": [h, w]}],
          "size": [rH, rW], "jump": [jH, jW], "shift": [sH, sW], "output": [h', w']}],
      "upsampling": [{
          "name", "input": [H, W], "size": [rH, rW], "jump": [jH, jW],
          "shift": [sH, sW], "sigma",
          "reference_path": true when the official conv_transpose2d call (output padding
              below the stride, crop inside the output) computes it, false when only the
              closed form of receptive_upsample below does (the Swift code then pads with
              zeros),
          "maps": T [N, 1, h', w'], "expected": T [N, 1, H, W]}],
      "gains": [{"name", "input", "size", "jump", "shift", "sigma", "map": [h', w'],
                 "mean": mean of the up-sampled all-ones map}],
      "normalization": [{
          "name", "mode": "local" | "global" | "semi_global", "quantile",
          "maps": T, "reference": T or null (global only), "expected": T}],
      "quirk": [{
          "name", "quantile", "sigma", "input", "size", "jump", "shift",
          "low_resolution": T [N, 1, h', w'] (raw A maps of a split),
          "labels": [N ints], "reference_indices": the label-balanced subset (sorted),
          "picture_indices": the maps shown,
          "quirk": T, global normalisation of the up-sampled shown maps with statistics
                   of the raw low-resolution reference maps (the official behaviour),
          "consistent": T, the same with statistics of the up-sampled reference maps,
          "local": T, local normalisation of the up-sampled shown maps}],
      "blur": [{"name", "kernel_size", "sigma", "padding": "reflect" | "zero",
                "weights": [k], "maps": T, "expected": T}],
      "gradient": [{
          "name", "weights": {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"},
          "inputs": T [N, C, H, W], "scores": T [N],
          "heatmaps": T [N, H, W],
          "blurred": [{"kernel_size", "sigma", "padding", "expected": T [N, H, W]}]}]
    }

Up-sampling cases: the 28x28 net (7x7 maps, r 16, sigma 1.2, batch 3), the 32x32 nets
(8x8 maps, r 32 / 18 / 22, sigma 1.2), the 224 VGG net (28x28 maps, r 62, j 8, s 3.5,
sigma 12, batch 2), the odd-r FCDD_CNN224 layers (r 59, s 0) on a 64x64 input, a small
odd-r net, a non-square input (28x36), a rectangular field (r 10 x 9), a dilated net, and
an un-padded stride-1 net whose official call would fail (output padding >= stride; only
the closed form computes it). Every case with a valid official geometry is checked three
ways in the script: the official square code (when square), the per-axis generalisation,
and the closed form. The expected values are the closed form in float64 (the kernel
rounded to float32, as the official `.float()` does).

The tiny model of "gradient": conv1 (C -> 3, 3x3, padding 1, bias) -> leaky_relu(0.01)
-> max_pool 2 -> conv2 (3 -> 1, 1x1, bias) = phi; A = sqrt(phi^2 + 1) - 1; the score of a
sample is the mean of its A map (the reduction get_grad_heatmap applies).
"""

import json
import pathlib

import numpy as np
import scipy
import torch
import torch.nn.functional as F
from scipy.signal import windows

SEED = 20240917
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "ExplainTests" / "Fixtures" / "upsampling.json"

rng = np.random.default_rng(SEED)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------
# Encoding


def rand(shape, low=0.0, high=1.5, decimals=3):
    """Random float32 values with few decimals (exact round trip through JSON)."""
    return np.round(rng.uniform(low, high, size=shape), decimals).astype(np.float32)


def encode_value(value, digits):
    value = float(value)
    if digits is None:
        return float(str(np.float32(value))) + 0.0
    return float(f"{value:.{digits}g}") + 0.0


def encode(array, digits=7):
    array = np.asarray(array, dtype=np.float64)
    return {"shape": list(array.shape), "data": [encode_value(v, digits) for v in array.reshape(-1)]}


def exact(array):
    """A float32 input, written as the shortest decimal that round-trips it."""
    return encode(np.asarray(array, dtype=np.float32), digits=None)


# ---------------------------------------------------------------------------------------
# Receptive-field bookkeeping (models/bases.py: RecConv2d, RecMaxPool2d)


def compose(layers, size):
    """(n, j, r, s) per axis after `layers`, from (size, 1, 1, 0), with the formulas of
    RecConv2d / RecMaxPool2d. Dilation d is a generalisation (the official classes ignore
    it; every FCDD net has d = 1): the kernel then spans d(k-1)+1 input positions."""
    result = []
    for axis in range(2):
        n, j, r, s = size[axis], 1, 1, 0.0
        for layer in layers:
            k = layer["dilation"][axis] * (layer["kernel"][axis] - 1) + 1
            stride, p = layer["stride"][axis], layer["padding"][axis]
            n = (n + 2 * p - k) // stride + 1
            r = r + (k - 1) * j
            s = s + ((k - 1) / 2 - p) * j
            j = j * stride
        result.append((n, j, r, s))
    return result


def torch_output_size(layers, size):
    """The output size PyTorch gives for the layer list (checks n)."""
    x = torch.zeros(1, 1, *size)
    for layer in layers:
        if layer["kind"] == "conv":
            w = torch.zeros(1, 1, *layer["kernel"])
            x = F.conv2d(x, w, stride=layer["stride"], padding=layer["padding"], dilation=layer["dilation"])
        else:
            x = F.max_pool2d(x, layer["kernel"], stride=layer["stride"], padding=layer["padding"],
                             dilation=layer["dilation"])
    return list(x.shape[2:])


def conv(k, p=0, s=1, d=1):
    pair = lambda v: list(v) if isinstance(v, (tuple, list)) else [v, v]
    return {"kind": "conv", "kernel": pair(k), "stride": pair(s), "padding": pair(p), "dilation": pair(d)}


def pool(k, s=None, p=0, d=1):
    layer = conv(k, p, k if s is None else s, d)
    layer["kind"] = "maxpool"
    return layer


# The FCDD nets of models/fcdd_cnn_{28,32,224}.py (only the layers that change the geometry;
# conv_final is 1x1).
NETS = {
    "FCDD_CNN28": ([28, 28], [conv(5, 2), pool(2), conv(5, 2), pool(2), conv(1)]),
    "FCDD_CNN32": ([32, 32], [conv(5, 2), pool(2), conv(5, 2), pool(2), conv(5, 2), conv(1)]),
    "FCDD_CNN32_S": ([32, 32], [conv(3, 1), pool(2), conv(3, 1), pool(2), conv(3, 1), conv(1)]),
    "FCDD_CNN32_LW3K": ([32, 32], [conv(3, 1), pool(2), conv(3, 1), conv(3, 1), pool(2), conv(3, 1), conv(1)]),
    "FCDD_CNN224_VGG": ([224, 224], [conv(3, 1), pool(2), conv(3, 1), pool(2), conv(3, 1), conv(3, 1), pool(2),
                                     conv(3, 1), conv(3, 1), conv(1)]),
    "FCDD_CNN224": ([224, 224], [conv(5, 2), pool(3, 2, 1), conv(5, 2), pool(3, 2, 1), conv(3, 1), conv(3, 1),
                                 pool(3, 2, 1), conv(3, 1), conv(1)]),
}
# Generalisations: a non-square input, a rectangular geometry (odd r on one axis, even on
# the other), a dilated convolution, an un-padded stride-1 net.
CUSTOM = {
    "cnn28_on_28x36": ([28, 36], NETS["FCDD_CNN28"][1]),
    "rectangular_20x24": ([20, 24], [conv((5, 3), (2, 1)), pool((2, 3), 2, (0, 1)), conv(3, 1)]),
    "odd_small_20": ([20, 20], [conv(5, 2), pool(3, 2, 1), conv(3, 1)]),
    "dilated_24": ([24, 24], [conv(3, 2, 1, 2), pool(2), conv(3, 1)]),
    "valid_stride1_12": ([12, 12], [conv(5)]),
    "FCDD_CNN224_on_64": ([64, 64], NETS["FCDD_CNN224"][1]),
}


def receptive_field_cases():
    cases = []
    for name, (size, layers) in list(NETS.items()) + list(CUSTOM.items()):
        axes = compose(layers, size)
        output = [axes[0][0], axes[1][0]]
        assert output == torch_output_size(layers, size), (name, output, torch_output_size(layers, size))
        cases.append({
            "name": name, "input": size, "layers": layers,
            "size": [axes[0][2], axes[1][2]], "jump": [axes[0][1], axes[1][1]],
            "shift": [axes[0][3], axes[1][3]], "output": output,
        })
    # The geometry (output side, jump, receptive field, shift) the official nets report.
    table = {"FCDD_CNN28": (7, 4, 16, 1.5), "FCDD_CNN32": (8, 4, 32, 1.5), "FCDD_CNN32_S": (8, 4, 18, 1.5),
             "FCDD_CNN32_LW3K": (8, 4, 22, 1.5), "FCDD_CNN224_VGG": (28, 8, 62, 3.5), "FCDD_CNN224": (28, 8, 59, 0.0)}
    for case in cases:
        if case["name"] in table:
            n, j, r, s = table[case["name"]]
            assert case["output"] == [n, n] and case["jump"] == [j, j] and case["size"] == [r, r] \
                and case["shift"] == [s, s], case
    return cases


# ---------------------------------------------------------------------------------------
# gkern (datasets/noise.py)


def kernel_size_to_std(k):
    return np.log10(0.45 * k + 1) + 0.25 if k < 32 else 10


def gkern1d(k, std):
    """The 1-D window of the official gkern. scipy.signal.gaussian, which the official
    code calls, is scipy.signal.windows.gaussian (the alias was removed in SciPy 1.13)."""
    if std is None:
        std = kernel_size_to_std(k)
    if k % 2 == 0:
        window = windows.gaussian(k - 1, std=std).reshape(k - 1, 1)
        return np.insert(window, (k - 1) // 2, window[(k - 1) // 2]) / 2
    return windows.gaussian(k, std=std).reshape(k, 1).reshape(-1)


def gkern(k, std):
    window = gkern1d(k, std)
    return np.outer(window, window)


def gkern_cases():
    cases = []
    for k, std in [(16, 1.2), (22, 1.2), (62, 12.0), (62, 8.0), (59, 10.0), (9, 2.0), (1, 1.0), (2, 1.0), (3, 0.5),
                   (15, None)]:
        window = gkern1d(k, std)
        # The window by its formula: exp(-((n - (M-1)/2)/std)^2 / 2) for n < M.
        sigma = kernel_size_to_std(k) if std is None else std
        m = k - 1 if k % 2 == 0 else k
        formula = np.exp(-0.5 * ((np.arange(m) - (m - 1) / 2) / sigma) ** 2)
        if k % 2 == 0:
            formula = np.insert(formula, (k - 1) // 2, formula[(k - 1) // 2]) / 2
        assert np.allclose(window, formula, atol=1e-15), k
        cases.append({"name": f"gkern_{k}_{std}", "size": k, "sigma": std,
                      "window": [float(v) for v in window], "kernel": encode(gkern(k, std), 17)})
    return cases


# ---------------------------------------------------------------------------------------
# receptive_upsample (models/bases.py)


def receptive_upsample_official(pixels, r, j, s, width, std):
    """The official code for a square input, as written there (n x 1 x h' x h' in)."""
    s = int(s)
    gaus = torch.from_numpy(gkern(r, std)).float().to(pixels.dtype)
    pad = (r - 1) // 2
    if (r - 1) % 2 == 0:
        res = F.conv_transpose2d(pixels, gaus[None, None], stride=j, padding=0,
                                 output_padding=width - (pixels.size(-1) - 1) * j - 1)
    else:
        res = F.conv_transpose2d(pixels, gaus[None, None], stride=j, padding=0,
                                 output_padding=width - (pixels.size(-1) - 1) * j - 1 - 1)
    return res[:, :, pad - s:-pad - s, pad - s:-pad - s]


def geometry_axis(map_size, r, j, s, size):
    """Per axis: the official output padding, the crop start, and whether the official call
    is valid (output padding in [0, j) and a non-empty crop inside the output)."""
    pad, s = (r - 1) // 2, int(s)
    output_padding = size - (map_size - 1) * j - 1 - (1 if r % 2 == 0 else 0)
    start = pad - s
    valid = 0 <= output_padding < j and start >= 0 and pad + s > 0
    return output_padding, start, valid


def receptive_upsample_general(pixels, r, j, s, size, std):
    """The official computation per axis (rectangular kernel outer(g_rH, g_rW), a tuple of
    output paddings, the crop per axis). Requires a valid official geometry on both axes."""
    ops, starts = [], []
    for axis in range(2):
        op, start, valid = geometry_axis(pixels.shape[2 + axis], r[axis], j[axis], s[axis], size[axis])
        assert valid
        ops.append(op)
        starts.append(start)
    kernel = np.outer(gkern1d(r[0], std), gkern1d(r[1], std))
    kernel = torch.from_numpy(kernel).float().to(pixels.dtype)
    res = F.conv_transpose2d(pixels, kernel[None, None], stride=tuple(j), padding=0, output_padding=tuple(ops))
    return res[:, :, starts[0]:starts[0] + size[0], starts[1]:starts[1] + size[1]]


def receptive_upsample_closed_form(maps, r, j, s, size, std):
    """The closed form of receptive_upsample:
    A'(x, y) = sum A[i, k] g(x - (j i + s)) g(y - (j k + s)),
    g the gkern window (float32, as the official kernel) centred at index (r-1)//2,
    contributions outside the input dropped. Float64 sums."""
    maps = np.asarray(maps, dtype=np.float64)
    matrices = []
    for axis in range(2):
        window = gkern1d(r[axis], std).astype(np.float32).astype(np.float64)
        pad, shift = (r[axis] - 1) // 2, int(s[axis])
        matrix = np.zeros((size[axis], maps.shape[2 + axis]))
        for i in range(maps.shape[2 + axis]):
            for t in range(r[axis]):
                x = j[axis] * i + shift + t - pad
                if 0 <= x < size[axis]:
                    matrix[x, i] += window[t]
        matrices.append(matrix)
    # The 2-D kernel is the float32 rounding of the outer product, not the product of the
    # rounded windows; the difference (< 1e-7 relative) is far below the tolerance.
    return np.einsum("xi,ncij,yj->ncxy", matrices[0], maps, matrices[1])


def upsampling_cases():
    fields = {case["name"]: case for case in receptive_field_cases()}
    plan = [
        ("FCDD_CNN28", 1.2, 3), ("FCDD_CNN32", 1.2, 2), ("FCDD_CNN32_S", 1.2, 2), ("FCDD_CNN32_LW3K", 1.2, 2),
        ("FCDD_CNN224_VGG", 12.0, 2), ("FCDD_CNN224_on_64", 10.0, 2),
        ("cnn28_on_28x36", 1.2, 2), ("rectangular_20x24", 2.0, 2), ("odd_small_20", 1.5, 3),
        ("valid_stride1_12", 1.0, 2), ("dilated_24", 3.0, 2),
    ]
    cases = []
    for name, sigma, batch in plan:
        field = fields[name]
        size, r, j, s, out = field["input"], field["size"], field["jump"], field["shift"], field["output"]
        maps = rand([batch, 1, *out])
        expected = receptive_upsample_closed_form(maps, r, j, s, size, sigma)
        valid = all(geometry_axis(out[a], r[a], j[a], s[a], size[a])[2] for a in range(2))
        if valid:
            pixels = torch.from_numpy(maps.astype(np.float64))
            general = receptive_upsample_general(pixels, r, j, s, size, sigma).numpy()
            assert np.allclose(general, expected, atol=1e-6), name
            if size[0] == size[1] and r[0] == r[1] and j[0] == j[1] and s[0] == s[1]:
                official = receptive_upsample_official(pixels, r[0], j[0], s[0], size[1], sigma).numpy()
                assert np.array_equal(official, general), name
            # And in float32, as the official code runs.
            single = receptive_upsample_general(torch.from_numpy(maps), r, j, s, size, sigma).numpy()
            assert np.allclose(single, expected, atol=1e-5, rtol=1e-5), name
        assert expected.shape == (batch, 1, *size)
        cases.append({
            "name": f"{name}_sigma{sigma}", "input": size, "size": r, "jump": j, "shift": s, "sigma": sigma,
            "reference_path": valid, "maps": exact(maps), "expected": encode(expected, 7),
        })
    return cases


def gain_cases():
    """Mean of the up-sampled all-ones map (about 3.4 for VGG at sigma 12,
    ~1.7 at sigma 8 and ~0.24 for the 28/32 nets at sigma 1.2)."""
    fields = {case["name"]: case for case in receptive_field_cases()}
    cases = []
    for name, sigma in [("FCDD_CNN224_VGG", 12.0), ("FCDD_CNN224_VGG", 8.0), ("FCDD_CNN28", 1.2),
                        ("FCDD_CNN32_LW3K", 1.2), ("FCDD_CNN224", 10.0)]:
        field = fields[name]
        ones = np.ones([1, 1, *field["output"]])
        up = receptive_upsample_closed_form(ones, field["size"], field["jump"], field["shift"], field["input"], sigma)
        cases.append({"name": f"{name}_sigma{sigma}", "input": field["input"], "size": field["size"],
                      "jump": field["jump"], "shift": field["shift"], "sigma": sigma, "map": field["output"],
                      "mean": float(up.mean())})
    return cases


# ---------------------------------------------------------------------------------------
# Display normalisation (training/bases.py, as of 4fa8502)


def local_norm(imgs, qu):
    imgs = imgs.clone()
    imgs.sub_(imgs.reshape(imgs.size(0), -1).min(1)[0][(...,) + (None,) * (imgs.dim() - 1)])
    quantile = imgs.reshape(imgs.size(0), -1).kthvalue(int(qu * imgs.reshape(imgs.size(0), -1).size(1)), dim=1)[0]
    imgs.div_(quantile[(...,) + (None,) * (imgs.dim() - 1)])
    return imgs.clamp(0, 1)


def global_norm(imgs, qu, ref=None):
    imgs = imgs.clone()
    ref = ref if ref is not None else imgs.clone()
    imgs.sub_(ref.min())
    ref = ref.sub(ref.min())
    quantile = ref.reshape(-1).kthvalue(int(qu * ref.reshape(-1).size(0)))[0]
    imgs.div_(quantile)
    return imgs.clamp(0, 1)


def with_ties(shape):
    """Positive maps with repeated values (quantiles then land on ties)."""
    values = rand(shape, 0.0, 2.0, decimals=1)
    return values


def normalization_cases():
    cases = []
    maps = torch.from_numpy(rand([3, 1, 12, 12], 0.0, 3.0))
    tied = torch.from_numpy(with_ties([2, 1, 9, 7]))
    for qu in [0.85, 0.97, 0.99, 1.0]:
        cases.append({"name": f"local_{qu}", "mode": "local", "quantile": qu, "maps": exact(maps), "reference": None,
                      "expected": encode(local_norm(maps.double(), qu).numpy())})
    cases.append({"name": "local_ties_0.85", "mode": "local", "quantile": 0.85, "maps": exact(tied),
                  "reference": None, "expected": encode(local_norm(tied.double(), 0.85).numpy())})
    reference = torch.from_numpy(rand([4, 1, 12, 12], 0.2, 2.5))
    for qu in [0.85, 0.97]:
        cases.append({"name": f"global_{qu}", "mode": "global", "quantile": qu, "maps": exact(maps),
                      "reference": exact(reference),
                      "expected": encode(global_norm(maps.double(), qu, reference.double()).numpy())})
    for qu in [0.93, 1.0]:
        cases.append({"name": f"semi_global_{qu}", "mode": "semi_global", "quantile": qu, "maps": exact(maps),
                      "reference": None, "expected": encode(global_norm(maps.double(), qu).numpy())})
    return cases


def quirk_cases():
    fields = {case["name"]: case for case in receptive_field_cases()}
    cases = []
    for name, sigma, qu, count in [("FCDD_CNN28", 1.2, 0.85, 10), ("FCDD_CNN32_LW3K", 1.2, 0.97, 8)]:
        field = fields[name]
        size, r, j, s = field["input"], field["size"], field["jump"], field["shift"]
        low = rand([count, 1, *field["output"]], 0.0, 2.0)
        labels = [0] * (count - count // 3) + [1] * (count // 3)
        # A fixed label-balanced subset: every anomalous map and as many nominal ones.
        nominal = [i for i, label in enumerate(labels) if label == 0]
        anomalous = [i for i, label in enumerate(labels) if label == 1]
        keep = sorted(anomalous + list(rng.choice(nominal, size=len(anomalous), replace=False)))
        keep = [int(i) for i in keep]
        picture = [0, count - 1, 1] if count > 3 else [0, count - 1]
        up = lambda maps: torch.from_numpy(receptive_upsample_closed_form(maps, r, j, s, size, sigma))
        shown = up(low[picture])
        quirk = global_norm(shown, qu, torch.from_numpy(low[keep]).double())
        consistent = global_norm(shown, qu, up(low[keep]))
        cases.append({
            "name": f"{name}_sigma{sigma}_q{qu}", "quantile": qu, "sigma": sigma, "input": size, "size": r,
            "jump": j, "shift": s, "low_resolution": exact(low), "labels": labels, "reference_indices": keep,
            "picture_indices": picture, "quirk": encode(quirk.numpy()), "consistent": encode(consistent.numpy()),
            "local": encode(local_norm(shown, qu).numpy()),
        })
    return cases


# ---------------------------------------------------------------------------------------
# Gradient heatmaps (models/bases.py: BaseNet.get_grad_heatmap) and kornia's gaussian_blur2d


def blur_weights(k, sigma):
    """kornia.filters.get_gaussian_kernel1d: x = arange(k) - k//2, exp(-x^2 / (2 sigma^2)),
    normalised to sum 1 (odd k)."""
    x = np.arange(k, dtype=np.float64) - k // 2
    g = np.exp(-(x ** 2) / (2.0 * sigma ** 2))
    return g / g.sum()


def gaussian_blur(maps, k, sigma, padding):
    """kornia.filters.gaussian_blur2d(maps, (k, k), (sigma, sigma)) for padding 'reflect'
    (kornia's default border), or the same filter over zero padding."""
    w = torch.from_numpy(blur_weights(k, sigma)).to(maps.dtype)
    kernel = torch.outer(w, w)[None, None]
    n, c, h, wd = maps.shape
    x = maps.reshape(n * c, 1, h, wd)
    half = k // 2
    x = F.pad(x, (half, half, half, half), mode="reflect" if padding == "reflect" else "constant")
    return F.conv2d(x, kernel).reshape(n, c, h, wd)


def blur_cases():
    cases = []
    for name, shape, k, sigma, padding in [
        ("reflect_5", [2, 1, 9, 11], 5, 1.3, "reflect"), ("zero_3", [2, 1, 9, 11], 3, 0.8, "zero"),
        ("reflect_15_default_sigma", [1, 1, 20, 20], 15, None, "reflect"), ("zero_7_two_channels", [1, 2, 6, 8], 7, 2.0, "zero"),
    ]:
        maps = rand(shape, -1.0, 2.0)
        used = kernel_size_to_std(k) if sigma is None else sigma
        expected = gaussian_blur(torch.from_numpy(maps).double(), k, used, padding)
        cases.append({"name": name, "kernel_size": k, "sigma": sigma, "padding": padding,
                      "weights": [float(v) for v in blur_weights(k, used)], "maps": exact(maps),
                      "expected": encode(expected.numpy())})
    return cases


def gradient_cases():
    cases = []
    for name, batch, channels, size in [("tiny_fcdd_2x2x8x8", 2, 2, 8), ("tiny_fcdd_3x3x10x10", 3, 3, 10)]:
        w1 = rand([3, channels, 3, 3], -0.8, 0.8)
        b1 = rand([3], -0.3, 0.3)
        w2 = rand([1, 3, 1, 1], -1.0, 1.0)
        b2 = rand([1], -0.3, 0.3)
        x = rand([batch, channels, size, size], -1.0, 1.0)
        params = [torch.from_numpy(v).double() for v in (w1, b1, w2, b2)]
        inputs = torch.from_numpy(x).double().requires_grad_(True)
        phi = F.conv2d(F.max_pool2d(F.leaky_relu(F.conv2d(inputs, params[0], params[1], padding=1), 0.01), 2),
                       params[2], params[3])
        losses = (phi ** 2 + 1).sqrt() - 1
        scores = losses.view(losses.size(0), -1).mean(-1)
        grads = torch.autograd.grad((*scores,), inputs)[0]
        heat = grads.abs().sum(1, keepdim=True)
        blurred = []
        for k, sigma, padding in [(5, 1.0, "reflect"), (3, 0.6, "zero")]:
            blurred.append({"kernel_size": k, "sigma": sigma, "padding": padding,
                            "expected": encode(gaussian_blur(heat, k, sigma, padding)[:, 0].detach().numpy())})
        cases.append({
            "name": name,
            "weights": {"conv1.weight": exact(w1), "conv1.bias": exact(b1), "conv2.weight": exact(w2),
                        "conv2.bias": exact(b2)},
            "inputs": exact(x), "scores": encode(scores.detach().numpy()),
            "heatmaps": encode(heat[:, 0].detach().numpy()), "blurred": blurred,
        })
    return cases


def main():
    document = {
        "version": 1, "seed": SEED, "torch": torch.__version__, "scipy": scipy.__version__,
        "gkern": gkern_cases(),
        "receptive_fields": receptive_field_cases(),
        "upsampling": upsampling_cases(),
        "gains": gain_cases(),
        "normalization": normalization_cases(),
        "quirk": quirk_cases(),
        "blur": blur_cases(),
        "gradient": gradient_cases(),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    counts = {key: len(value) for key, value in document.items() if isinstance(value, list)}
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size // 1024} KiB): {counts}")


if __name__ == "__main__":
    main()
