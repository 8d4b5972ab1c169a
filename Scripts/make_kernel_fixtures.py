#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for TensorCore's spatial kernels.

Covers convolution, transposed convolution, max / average / adaptive average pooling,
batch normalisation and resizing: forward outputs, gradients and (for batch
normalisation) updated running statistics. It needs PyTorch and NumPy:

    pip install torch numpy
    python3 Scripts/make_kernel_fixtures.py

Run it from anywhere; it writes ``Tests/TensorCoreTests/Fixtures/kernel_ops.json``,
which ``Tests/TensorCoreTests/KernelFixtureTests.swift`` reads through
``Bundle.module``, so the Swift tests never need Python. The output is deterministic
(fixed NumPy seed, CPU float64 reference), so an unchanged script reproduces the file.

File layout::

    {
      "version": 1,
      "seed": the NumPy seed,
      "torch": the PyTorch version that computed the references,
      "cases": [
        {
          "name":       unique case name (the Swift test is parameterised over these),
          "op":         conv2d | conv_transpose2d | max_pool2d | avg_pool2d |
                        adaptive_avg_pool2d | batch_norm | resize; the Swift side fails
                        on an op it does not know,
          "attrs":      operation parameters (see each section below); every attribute
                        must be read by the Swift dispatcher, or the case fails,
          "inputs":     {"input": T, "weight": T, "bias": T, "running_mean": T,
                         "running_var": T} (only those the case uses),
          "projection": R, the fixed upstream gradient: loss = sum(output * R),
          "expected":   {"output": T} plus, for batch_norm in training mode with running
                        statistics, {"running_mean": T, "running_var": T},
          "gradients":  d loss / d input, weight, bias for those of input, weight and
                        bias the case has
        }, ...
      ]
    }

where T = {"shape": [...], "data": [row-major values]}. Inputs and R are float32
values with at most three decimals (so the JSON is short and both sides see exactly the
same float32 numbers); the references are computed by PyTorch in float64 from those
float32 values and written with 7 significant digits.

Spatial attribute conventions: ``stride``, ``dilation``, ``kernel``, ``output_padding``
and ``size`` are [height, width]; convolution ``padding`` is per side
[top, bottom, left, right] (asymmetric padding is emulated in PyTorch with ``F.pad``
before the convolution, or by cropping the output of the transposed convolution);
pooling ``padding`` is [height, width]; a ``stride`` of null means the default (the
kernel size).
"""

import json
import math
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20250301
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "TensorCoreTests" / "Fixtures" / "kernel_ops.json"

rng = np.random.default_rng(SEED)
torch.use_deterministic_algorithms(True)
CASES = []


# ---------------------------------------------------------------------------------------
# Data and encoding helpers


def rand(shape, low=-2.0, high=2.0, decimals=3):
    """Random float32 values with few decimals (short JSON, exact round trip)."""
    return np.round(rng.uniform(low, high, size=shape), decimals).astype(np.float32)


def rand_ints(shape, low=0, high=2):
    """Small integers as float32: many ties inside pooling windows."""
    return rng.integers(low, high + 1, size=shape).astype(np.float32)


def distinct(shape, low=-2.0, high=2.0):
    """A random permutation of evenly spaced values: no ties anywhere."""
    count = int(np.prod(shape))
    values = np.round(np.linspace(low, high, count), 3)
    return rng.permutation(values).reshape(shape).astype(np.float32)


def encode_value(value, digits):
    value = float(value)
    assert math.isfinite(value), value
    if digits is None:  # an input: the shortest decimal that round-trips the float32
        return float(str(np.float32(value)))
    return float(f"{value:.{digits}g}")


def encode(array, digits=7):
    array = np.asarray(array)
    return {
        "shape": [int(d) for d in array.shape],
        "data": [encode_value(v, digits) for v in array.reshape(-1)],
    }


def t64(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float32).astype(np.float64), requires_grad=grad)


def pair(value):
    return [int(value[0]), int(value[1])] if isinstance(value, (tuple, list)) else [int(value), int(value)]


def record(name, op, attrs, inputs, forward, differentiable=("input", "weight", "bias")):
    """Runs `forward` on float64 copies of `inputs` and records output and gradients.

    `forward(tensors)` returns the output, or (output, extra expected tensors)."""
    tensors = {key: t64(value, grad=key in differentiable) for key, value in inputs.items()}
    result = forward(tensors)
    output, extra = result if isinstance(result, tuple) else (result, {})
    projection = rand(tuple(output.shape), -1.0, 1.0)
    loss = (output * t64(projection)).sum()
    names = [key for key in differentiable if key in tensors]
    grads = torch.autograd.grad(loss, [tensors[key] for key in names], allow_unused=True) if names else []
    gradients = {}
    for key, grad in zip(names, grads):
        gradients[key] = encode(torch.zeros_like(tensors[key]) if grad is None else grad.detach())
    expected = {"output": encode(output.detach())}
    expected.update({key: encode(value.detach()) for key, value in extra.items()})
    CASES.append({
        "name": name,
        "op": op,
        "attrs": attrs,
        "inputs": {key: encode(value, None) for key, value in inputs.items()},
        "projection": encode(projection, None),
        "expected": expected,
        "gradients": gradients,
    })


# ---------------------------------------------------------------------------------------
# conv2d: attrs stride, padding [top, bottom, left, right], dilation, groups


def four_sides(padding):
    """(top, bottom, left, right) from an int, an (h, w) pair or four values."""
    if isinstance(padding, int):
        return (padding, padding, padding, padding)
    if len(padding) == 2:
        return (padding[0], padding[0], padding[1], padding[1])
    return tuple(padding)


def conv2d_case(name, input_shape, weight_shape, bias=True, stride=1, padding=0, dilation=1, groups=1):
    top, bottom, left, right = four_sides(padding)
    inputs = {"input": rand(input_shape), "weight": rand(weight_shape, -1.0, 1.0)}
    if bias:
        inputs["bias"] = rand([weight_shape[0]], -1.0, 1.0)
    stride, dilation = pair(stride), pair(dilation)

    def forward(t):
        x = t["input"]
        if top == bottom and left == right:
            pad = (top, left)
        else:  # PyTorch pads symmetrically only: pad explicitly, then convolve unpadded
            x = F.pad(x, (left, right, top, bottom))
            pad = (0, 0)
        return F.conv2d(x, t["weight"], t.get("bias"), stride=stride, padding=pad, dilation=dilation, groups=groups)

    attrs = {"stride": stride, "padding": [top, bottom, left, right], "dilation": dilation, "groups": groups}
    record(name, "conv2d", attrs, inputs, forward)


conv2d_case("conv2d_b1_3x6x5_k3_p1", [1, 3, 6, 5], [4, 3, 3, 3], padding=1)
conv2d_case("conv2d_nonsquare_kernel_2x3_p_h1", [2, 2, 7, 5], [3, 2, 2, 3], padding=(1, 0))
conv2d_case("conv2d_nonsquare_kernel_3x1", [1, 2, 5, 6], [2, 2, 3, 1], padding=(1, 0))
conv2d_case("conv2d_stride2_p1", [2, 3, 7, 8], [2, 3, 3, 3], stride=2, padding=1)
conv2d_case("conv2d_stride2_no_padding_odd", [1, 2, 9, 7], [3, 2, 3, 3], stride=2)
conv2d_case("conv2d_stride_2x1", [1, 2, 9, 6], [3, 2, 3, 2], stride=(2, 1), padding=(1, 0))
conv2d_case("conv2d_stride_1x3", [2, 2, 5, 10], [2, 2, 2, 3], stride=(1, 3), padding=(0, 1))
conv2d_case("conv2d_k3_p2", [2, 2, 5, 4], [3, 2, 3, 3], padding=2)
conv2d_case("conv2d_k2_p3_beyond_kernel", [1, 1, 3, 4], [2, 1, 2, 2], padding=3, stride=2)
conv2d_case("conv2d_asymmetric_padding_t0_b2_l1_r0", [2, 3, 5, 6], [2, 3, 3, 3], padding=(0, 2, 1, 0))
conv2d_case("conv2d_asymmetric_padding_stride2", [1, 2, 6, 7], [3, 2, 3, 3], padding=(1, 0, 2, 1), stride=2)
conv2d_case("conv2d_asymmetric_padding_dilation2", [1, 2, 6, 5], [2, 2, 2, 3], padding=(2, 1, 0, 3), dilation=2)
conv2d_case("conv2d_dilation2_p2", [1, 2, 8, 7], [3, 2, 3, 3], dilation=2, padding=2)
conv2d_case("conv2d_dilation_2x1_stride_1x2", [2, 2, 7, 7], [2, 2, 3, 3], dilation=(2, 1), stride=(1, 2), padding=1)
conv2d_case("conv2d_dilation3_stride2", [1, 1, 10, 9], [2, 1, 2, 3], dilation=3, stride=2)
conv2d_case("conv2d_groups2", [2, 4, 6, 5], [6, 2, 3, 3], groups=2, padding=1)
conv2d_case("conv2d_groups2_stride2_no_bias", [1, 4, 7, 6], [4, 2, 3, 2], groups=2, stride=2, bias=False)
conv2d_case("conv2d_groups3_dilation2", [2, 6, 6, 6], [3, 2, 2, 2], groups=3, dilation=2, padding=1)
conv2d_case("conv2d_depthwise", [2, 3, 6, 6], [3, 1, 3, 3], groups=3, padding=1)
conv2d_case("conv2d_depthwise_multiplier2_stride2", [1, 3, 7, 5], [6, 1, 3, 3], groups=3, stride=2, padding=1)
conv2d_case("conv2d_no_bias", [2, 3, 5, 5], [4, 3, 3, 3], bias=False)
conv2d_case("conv2d_pointwise_1x1", [2, 3, 4, 5], [5, 3, 1, 1])
conv2d_case("conv2d_pointwise_1x1_b1_no_bias", [1, 4, 3, 6], [2, 4, 1, 1], bias=False)
conv2d_case("conv2d_pointwise_1x1_groups2", [2, 4, 3, 3], [4, 2, 1, 1], groups=2)
conv2d_case("conv2d_1x1_stride2", [2, 3, 5, 5], [2, 3, 1, 1], stride=2)
conv2d_case("conv2d_1x1_padding1", [1, 2, 3, 4], [3, 2, 1, 1], padding=1)
conv2d_case("conv2d_kernel_equals_input", [2, 2, 4, 3], [3, 2, 4, 3])
conv2d_case("conv2d_batch5_block", [5, 2, 5, 5], [3, 2, 3, 3], padding=1)
conv2d_case("conv2d_batch3_groups2_stride2", [3, 4, 6, 7], [4, 2, 3, 3], groups=2, stride=2, padding=1)
conv2d_case("conv2d_k5_stride3_p2_nonsquare", [1, 2, 11, 8], [2, 2, 5, 5], stride=3, padding=2)
conv2d_case("conv2d_width1_input", [1, 2, 6, 1], [2, 2, 3, 1], padding=(1, 0))
conv2d_case("conv2d_single_channel_single_filter", [3, 1, 4, 4], [1, 1, 2, 2])


# ---------------------------------------------------------------------------------------
# conv_transpose2d: attrs stride, padding [top, bottom, left, right], output_padding,
# dilation, groups


def conv_transpose2d_case(name, input_shape, weight_shape, bias=True, stride=1, padding=0,
                          output_padding=0, dilation=1, groups=1):
    top, bottom, left, right = four_sides(padding)
    inputs = {"input": rand(input_shape), "weight": rand(weight_shape, -1.0, 1.0)}
    if bias:
        inputs["bias"] = rand([weight_shape[1] * groups], -1.0, 1.0)
    stride, dilation, output_padding = pair(stride), pair(dilation), pair(output_padding)

    def forward(t):
        if top == bottom and left == right:
            return F.conv_transpose2d(t["input"], t["weight"], t.get("bias"), stride=stride, padding=(top, left),
                                      output_padding=output_padding, groups=groups, dilation=dilation)
        # Padding removes rows and columns from the full output: crop per side.
        full = F.conv_transpose2d(t["input"], t["weight"], t.get("bias"), stride=stride, padding=0,
                                  output_padding=output_padding, groups=groups, dilation=dilation)
        height, width = full.shape[2], full.shape[3]
        return full[:, :, top:height - bottom, left:width - right]

    attrs = {"stride": stride, "padding": [top, bottom, left, right], "output_padding": output_padding,
             "dilation": dilation, "groups": groups}
    record(name, "conv_transpose2d", attrs, inputs, forward)


conv_transpose2d_case("conv_transpose2d_basic", [2, 3, 4, 5], [3, 2, 3, 3])
conv_transpose2d_case("conv_transpose2d_stride2_p1_op1", [1, 2, 4, 3], [2, 3, 3, 3], stride=2, padding=1, output_padding=1)
conv_transpose2d_case("conv_transpose2d_stride2_k4_p1", [2, 2, 3, 4], [2, 2, 4, 4], stride=2, padding=1)
conv_transpose2d_case("conv_transpose2d_stride_2x1_op_1x0", [1, 2, 3, 4], [2, 2, 3, 2], stride=(2, 1), padding=(1, 0),
                      output_padding=(1, 0))
conv_transpose2d_case("conv_transpose2d_stride3_op2", [1, 1, 3, 2], [1, 2, 2, 3], stride=3, output_padding=2)
conv_transpose2d_case("conv_transpose2d_dilation2_p1", [1, 2, 3, 4], [2, 2, 3, 3], dilation=2, padding=1)
conv_transpose2d_case("conv_transpose2d_dilation2_op1_stride1", [2, 2, 3, 3], [2, 3, 2, 2], dilation=2, output_padding=1)
conv_transpose2d_case("conv_transpose2d_stride2_dilation3_op2", [1, 2, 3, 2], [2, 2, 2, 2], stride=2, dilation=3,
                      output_padding=2)
conv_transpose2d_case("conv_transpose2d_groups2_stride2_p1", [2, 4, 3, 3], [4, 3, 3, 3], groups=2, stride=2, padding=1)
conv_transpose2d_case("conv_transpose2d_depthwise", [1, 3, 4, 4], [3, 1, 3, 3], groups=3, padding=1)
conv_transpose2d_case("conv_transpose2d_1x1", [2, 3, 4, 4], [3, 2, 1, 1])
conv_transpose2d_case("conv_transpose2d_1x1_groups2_no_bias", [1, 4, 2, 3], [4, 1, 1, 1], groups=2, bias=False)
conv_transpose2d_case("conv_transpose2d_1x1_stride2_op1", [1, 2, 3, 3], [2, 2, 1, 1], stride=2, output_padding=1)
conv_transpose2d_case("conv_transpose2d_nonsquare_kernel_no_bias", [2, 3, 3, 4], [3, 2, 2, 3], stride=(1, 2), bias=False)
conv_transpose2d_case("conv_transpose2d_b1_p2_k3", [1, 2, 5, 5], [2, 2, 3, 3], padding=2)
conv_transpose2d_case("conv_transpose2d_asymmetric_padding_stride2_op1", [1, 2, 3, 4], [2, 2, 3, 3], stride=2,
                      padding=(1, 0, 0, 2), output_padding=1)
conv_transpose2d_case("conv_transpose2d_batch4_stride2", [4, 2, 2, 3], [2, 3, 3, 3], stride=2, padding=1)


# ---------------------------------------------------------------------------------------
# max_pool2d: attrs kernel, stride (null = kernel), padding [h, w], dilation, ceil_mode


def max_pool2d_case(name, x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    kernel, padding, dilation = pair(kernel), pair(padding), pair(dilation)
    stride = None if stride is None else pair(stride)

    def forward(t):
        return F.max_pool2d(t["input"], kernel, stride=stride if stride is not None else kernel, padding=padding,
                            dilation=dilation, ceil_mode=ceil_mode)

    attrs = {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation, "ceil_mode": ceil_mode}
    record(name, "max_pool2d", attrs, {"input": x}, forward, differentiable=("input",))


max_pool2d_case("max_pool2d_k2_s2", distinct([2, 2, 6, 6]), 2, 2)
max_pool2d_case("max_pool2d_k2_s2_odd_5x7", distinct([1, 3, 5, 7]), 2, 2)
max_pool2d_case("max_pool2d_k3_s2_p1", distinct([2, 2, 7, 6]), 3, 2, padding=1)
max_pool2d_case("max_pool2d_k3_s2_p1_ceil", distinct([1, 2, 6, 6]), 3, 2, padding=1, ceil_mode=True)
max_pool2d_case("max_pool2d_k2_s2_ceil_5x5", distinct([2, 1, 5, 5]), 2, 2, ceil_mode=True)
max_pool2d_case("max_pool2d_k3_s3_ceil_p1_last_window_dropped", distinct([1, 1, 7, 8]), 3, 3, padding=1, ceil_mode=True)
max_pool2d_case("max_pool2d_dilation2_k3_s1", distinct([1, 2, 7, 7]), 3, 1, dilation=2)
max_pool2d_case("max_pool2d_dilation2_k2_s2_p1", distinct([2, 1, 6, 5]), 2, 2, padding=1, dilation=2)
max_pool2d_case("max_pool2d_dilation2_k3_s2_p1_ceil", distinct([1, 2, 8, 7]), 3, 2, padding=1, dilation=2, ceil_mode=True)
max_pool2d_case("max_pool2d_nonsquare_k2x3_s1x2_p1", distinct([1, 2, 5, 7]), (2, 3), (1, 2), padding=1)
max_pool2d_case("max_pool2d_default_stride_k3", distinct([1, 2, 7, 8]), 3)
max_pool2d_case("max_pool2d_ties_k2_s2", rand_ints([2, 2, 6, 6], 0, 2), 2, 2)
max_pool2d_case("max_pool2d_ties_k3_s1_p1_overlap", rand_ints([1, 2, 5, 6], 0, 2), 3, 1, padding=1)
max_pool2d_case("max_pool2d_ties_k3_s2_p1_ceil", rand_ints([2, 1, 6, 7], 0, 1), 3, 2, padding=1, ceil_mode=True)
max_pool2d_case("max_pool2d_ties_constant_k3_s2_p1", np.full([1, 2, 5, 5], 1.5, dtype=np.float32), 3, 2, padding=1)
max_pool2d_case("max_pool2d_ties_negative_k3_s2_p1", rand_ints([1, 2, 6, 5], -3, -1), 3, 2, padding=1)
max_pool2d_case("max_pool2d_ties_dilation2_p1", rand_ints([1, 1, 7, 7], 0, 1), 2, 1, padding=1, dilation=2)
max_pool2d_case("max_pool2d_global_k_equals_input", rand_ints([3, 2, 3, 4], 0, 3), (3, 4))


# ---------------------------------------------------------------------------------------
# avg_pool2d: attrs kernel, stride (null = kernel), padding [h, w], ceil_mode,
# count_include_pad


def avg_pool2d_case(name, shape, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    kernel, padding = pair(kernel), pair(padding)
    stride = None if stride is None else pair(stride)

    def forward(t):
        return F.avg_pool2d(t["input"], kernel, stride=stride if stride is not None else kernel, padding=padding,
                            ceil_mode=ceil_mode, count_include_pad=count_include_pad)

    attrs = {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil_mode,
             "count_include_pad": count_include_pad}
    record(name, "avg_pool2d", attrs, {"input": rand(shape)}, forward, differentiable=("input",))


avg_pool2d_case("avg_pool2d_k2_s2_6x5", [2, 2, 6, 5], 2, 2)
avg_pool2d_case("avg_pool2d_k3_s2_p1_include_pad", [1, 2, 7, 6], 3, 2, padding=1)
avg_pool2d_case("avg_pool2d_k3_s2_p1_exclude_pad", [1, 2, 7, 6], 3, 2, padding=1, count_include_pad=False)
avg_pool2d_case("avg_pool2d_k3_s2_p1_ceil_include_pad", [2, 1, 6, 6], 3, 2, padding=1, ceil_mode=True)
avg_pool2d_case("avg_pool2d_k3_s2_p1_ceil_exclude_pad", [2, 1, 6, 6], 3, 2, padding=1, ceil_mode=True,
                count_include_pad=False)
avg_pool2d_case("avg_pool2d_k2_s2_ceil_5x5", [1, 2, 5, 5], 2, 2, ceil_mode=True)
avg_pool2d_case("avg_pool2d_k2_s2_ceil_5x5_exclude_pad", [1, 2, 5, 5], 2, 2, ceil_mode=True, count_include_pad=False)
avg_pool2d_case("avg_pool2d_k3x2_s2x1_p1x0", [1, 2, 5, 4], (3, 2), (2, 1), padding=(1, 0))
avg_pool2d_case("avg_pool2d_default_stride_k2_5x7", [2, 1, 5, 7], 2)
avg_pool2d_case("avg_pool2d_k4_s3_p2_ceil_exclude_pad", [1, 1, 7, 9], 4, 3, padding=2, ceil_mode=True,
                count_include_pad=False)
avg_pool2d_case("avg_pool2d_k4_s3_p2_ceil_include_pad", [1, 1, 7, 9], 4, 3, padding=2, ceil_mode=True)
avg_pool2d_case("avg_pool2d_k3_s1_p1_same", [1, 3, 4, 5], 3, 1, padding=1)


# ---------------------------------------------------------------------------------------
# adaptive_avg_pool2d: attrs output_size [h, w]


def adaptive_case(name, shape, size):
    size = pair(size)
    record(name, "adaptive_avg_pool2d", {"output_size": size}, {"input": rand(shape)},
           lambda t: F.adaptive_avg_pool2d(t["input"], size), differentiable=("input",))


adaptive_case("adaptive_avg_pool2d_7x7_to_3x3", [2, 2, 7, 7], 3)
adaptive_case("adaptive_avg_pool2d_5x6_to_2x4", [1, 3, 5, 6], (2, 4))
adaptive_case("adaptive_avg_pool2d_up_3x4_to_5x5", [1, 2, 3, 4], 5)
adaptive_case("adaptive_avg_pool2d_up_and_down_6x2_to_4x3", [2, 1, 6, 2], (4, 3))
adaptive_case("adaptive_avg_pool2d_global_1x1", [2, 3, 5, 4], 1)
adaptive_case("adaptive_avg_pool2d_identity", [1, 2, 3, 4], (3, 4))
adaptive_case("adaptive_avg_pool2d_9x10_to_4x7", [1, 1, 9, 10], (4, 7))


# ---------------------------------------------------------------------------------------
# batch_norm: attrs training, momentum, eps; inputs input and optionally
# running_mean + running_var, weight, bias


def batch_norm_case(name, shape, training, momentum=0.1, eps=1e-5, running=True, weight=True, bias=True, offset=0.0):
    channels = shape[1]
    inputs = {"input": rand(shape) + np.float32(offset)}
    if running:
        inputs["running_mean"] = rand([channels], -1.0, 1.0)
        inputs["running_var"] = rand([channels], 0.2, 2.0)
    if weight:
        inputs["weight"] = rand([channels], 0.5, 1.5)
    if bias:
        inputs["bias"] = rand([channels], -1.0, 1.0)

    def forward(t):
        mean = t["running_mean"].clone() if running else None
        var = t["running_var"].clone() if running else None
        out = F.batch_norm(t["input"], mean, var, t.get("weight"), t.get("bias"), training=training,
                           momentum=momentum, eps=eps)
        extra = {"running_mean": mean, "running_var": var} if running and training else {}
        return out, extra

    attrs = {"training": training, "momentum": momentum, "eps": eps}
    record(name, "batch_norm", attrs, inputs, forward)


batch_norm_case("batch_norm_train_4d_affine", [4, 3, 3, 2], True)
batch_norm_case("batch_norm_train_4d_momentum0.3_eps1e-4", [3, 2, 4, 3], True, momentum=0.3, eps=1e-4)
batch_norm_case("batch_norm_train_2d_affine", [6, 4], True)
batch_norm_case("batch_norm_train_2d_non_affine_momentum0.3", [5, 3], True, momentum=0.3, weight=False, bias=False)
batch_norm_case("batch_norm_train_4d_non_affine_no_running", [2, 3, 3, 3], True, running=False, weight=False,
                bias=False)
batch_norm_case("batch_norm_train_4d_weight_only_eps1e-4", [2, 2, 3, 4], True, eps=1e-4, bias=False)
batch_norm_case("batch_norm_train_2d_batch2", [2, 3], True)
batch_norm_case("batch_norm_train_3d", [3, 2, 5], True, momentum=0.3)
batch_norm_case("batch_norm_train_4d_offset_mean", [3, 2, 3, 3], True, offset=20.0)
batch_norm_case("batch_norm_train_4d_batch1", [1, 2, 3, 3], True, eps=1e-4)
batch_norm_case("batch_norm_eval_4d_affine", [2, 3, 3, 2], False)
batch_norm_case("batch_norm_eval_2d_non_affine_eps1e-4", [4, 3], False, eps=1e-4, weight=False, bias=False)
batch_norm_case("batch_norm_eval_4d_bias_only", [2, 2, 2, 3], False, weight=False)
batch_norm_case("batch_norm_eval_2d_affine_momentum_ignored", [3, 4], False, momentum=0.3)


# ---------------------------------------------------------------------------------------
# resize: attrs size [h, w], mode (nearest | bilinear, align_corners=False)


def resize_case(name, shape, size, mode):
    size = pair(size)

    def forward(t):
        if mode == "nearest":
            return F.interpolate(t["input"], size=size, mode="nearest")
        return F.interpolate(t["input"], size=size, mode="bilinear", align_corners=False)

    record(name, "resize", {"size": size, "mode": mode}, {"input": rand(shape)}, forward, differentiable=("input",))


for mode in ("nearest", "bilinear"):
    resize_case(f"resize_{mode}_7x5_to_3x8", [2, 3, 7, 5], (3, 8), mode)
    resize_case(f"resize_{mode}_4x4_to_9x9", [1, 2, 4, 4], 9, mode)
    resize_case(f"resize_{mode}_3x3_to_6x6_double", [2, 1, 3, 3], 6, mode)
    resize_case(f"resize_{mode}_6x6_to_3x3_half", [1, 2, 6, 6], 3, mode)
    resize_case(f"resize_{mode}_5x4_to_2x3", [2, 2, 5, 4], (2, 3), mode)
    resize_case(f"resize_{mode}_2x3_to_5x7", [1, 3, 2, 3], (5, 7), mode)
    resize_case(f"resize_{mode}_4x6_identity", [1, 1, 4, 6], (4, 6), mode)
    resize_case(f"resize_{mode}_1x1_to_3x2", [2, 2, 1, 1], (3, 2), mode)
    resize_case(f"resize_{mode}_3x2_to_1x1", [1, 2, 3, 2], 1, mode)
    resize_case(f"resize_{mode}_5x8_to_7x3", [1, 2, 5, 8], (7, 3), mode)


# ---------------------------------------------------------------------------------------

names = [c["name"] for c in CASES]
duplicates = sorted({n for n in names if names.count(n) > 1})
assert not duplicates, f"duplicate case names: {duplicates}"


def dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


# One case per line keeps diffs of the committed file readable.
text = (
    '{"version":1,"seed":' + str(SEED) + ',"torch":' + dumps(torch.__version__.split("+")[0]) + ',\n"cases":[\n'
    + ",\n".join(dumps(c) for c in CASES)
    + "\n]}"
)
json.loads(text)  # well-formed
OUTPUT.parent.mkdir(parents=True, exist_ok=True)
OUTPUT.write_text(text + "\n")
counts = {}
for c in CASES:
    counts[c["op"]] = counts.get(c["op"], 0) + 1
print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(CASES)} cases ({counts}), {len(text) / 1024:.1f} KiB")
