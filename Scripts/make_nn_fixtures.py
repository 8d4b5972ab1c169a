#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the NN module library.

Covers ``torch.nn`` layers (forward outputs, gradients and buffer updates), losses,
optimiser trajectories, learning-rate schedules and gradient-norm clipping. It needs
PyTorch and NumPy:

    pip install torch numpy
    python3 Scripts/make_nn_fixtures.py

Run it from anywhere; it writes ``Tests/NNTests/Fixtures/nn_modules.json``, which the
NN tests read through ``Bundle.module``, so the Swift tests never need Python. The
output is deterministic (fixed NumPy seed, CPU references, one thread), so an unchanged
script reproduces the file.

File layout::

    {
      "version": 1,
      "seed": the NumPy seed,
      "torch": the PyTorch version that computed the references,
      "layers": [
        {
          "name":        unique case name,
          "layer":       the torch.nn class name (Conv2d, ConvTranspose2d, Linear,
                         BatchNorm1d, BatchNorm2d, ReLU, LeakyReLU, Sigmoid, Tanh,
                         MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample, Flatten,
                         Dropout, Sequential),
          "attrs":       the constructor arguments under PyTorch's names (see below),
          "training":    whether the module runs in training mode,
          "state":       the module's full state_dict {name: T} as loaded before the
                         forward (parameters and buffers; num_batches_tracked is a
                         float scalar of shape []),
          "input":       T,
          "projection":  R, the fixed upstream gradient: loss = sum(output * R),
          "output":      T,
          "gradients":   {"input": T, and one T per parameter name of the state},
          "state_after": {buffer name: T} for every buffer of the module after the
                         forward ({} for a module without buffers; batch norm in
                         evaluation mode leaves them unchanged)
        }, ...
      ],
      "losses": [
        {
          "name", "loss": mse | l1 | bce_with_logits | bce | cross_entropy,
          "reduction": mean | sum | none,
          "input": T, "target": T (class indices written as floats for cross_entropy),
          "extra": {} or {"pos_weight": T} (bce_with_logits), {"weight": T} and/or
                   {"label_smoothing": float} (cross_entropy),
          "projection": R (only for reduction none),
          "output": T (shape [] for mean / sum),
          "gradient": d/d input of the scalar output, or of sum(output * R) for none
        }, ...
      ],
      "optimizers": [
        {
          "name", "optimizer": sgd | adam | adamw,
          "hyper":    sgd: {lr, momentum, dampening, nesterov, weight_decay, maximize};
                      adam / adamw: {lr, betas: [b1, b2], eps, weight_decay, amsgrad,
                      maximize},
          "schedule": null or {"schedule": ..., "attrs": ...} as in "schedules" (its
                      base lr is hyper.lr), stepped once after every 5 optimiser steps
                      (one "epoch"),
          "frozen":   names of parameters that do not train (requires_grad false, not
                      given to the optimiser); their values stay at "initial",
          "initial":  {"w": T [4, 3], "b": T [3]}, "x": T [6, 4], "y": T [6, 3],
          "steps":    [{"lr": the learning rate this step used, "loss": the loss
                        before the step, "w": T, "b": T after the step}, ...]
        }, ...
      ],
      "schedules": [
        {
          "name", "schedule": exponential | lambda_power | multistep | cosine,
          "attrs":    exponential / lambda_power: {"gamma"}; multistep: {"milestones",
                      "gamma"}; cosine: {"t_max", "eta_min"},
          "base_lr":  float, "epochs": 40,
          "lrs":      [the learning rate at epoch 0, 1, ..., epochs - 1]
        }, ...
      ],
      "clipping": [
        {
          "name", "max_norm": float, "norm_type": 1.0 | 2.0 | "Infinity",
          "gradients": [T, ...] (the .grad of each parameter before clipping),
          "clipped":   [T, ...] (after torch.nn.utils.clip_grad_norm_),
          "total_norm": the returned norm of all gradients together
        }, ...
      ],
      "reprs": [
        {
          "name", "layer", "attrs": as in "layers" (Sequential elements may be
                   Sequentials themselves),
          "repr":  str(module) of the PyTorch module built from them
        }, ...
      ],
      "gains": [
        {
          "name", "nonlinearity": linear | sigmoid | tanh | relu | leaky_relu,
          "param": the negative slope for leaky_relu, else null,
          "gain":  torch.nn.init.calculate_gain(nonlinearity, param), full precision
        }, ...
      ]
    }

where T = {"shape": [...], "data": [row-major values]}. Inputs, parameters, buffers,
projections and targets are float32 values with at most three decimals (so the JSON is
short and both sides see exactly the same float32 numbers); layer, loss, schedule and
clipping references are computed by PyTorch in float64 from those float32 values and
written with 7 significant digits. Non-finite values are the strings "NaN", "Infinity"
and "-Infinity".

Optimiser trajectories are different: they are computed in float32 by torch.optim's
default CPU implementation (the single-tensor for-loop), as a user would run them,
and every value (w, b, loss) is written as the shortest decimal that round-trips the
float32 result. A float32 re-implementation differs by rounding that accumulates over
the steps (an independent float32 NumPy re-implementation stays within 2.5e-7 absolute
and 3e-6 relative of these values), so compare with |a - b| <= 1e-6 + 1e-5 |b| rather
than bit for bit.

Layer attribute conventions (PyTorch constructor names, spatial values as [h, w]):

* Conv2d: in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
  bias (bool). ConvTranspose2d adds output_padding.
* Linear: in_features, out_features, bias (bool).
* BatchNorm1d / BatchNorm2d: num_features, eps, momentum (null = cumulative moving
  average), affine, track_running_stats.
* LeakyReLU: negative_slope. ReLU, Sigmoid, Tanh: {}.
* MaxPool2d: kernel_size, stride (null = PyTorch's default, the kernel size), padding,
  dilation, ceil_mode. AvgPool2d: kernel_size, stride (null as above), padding,
  ceil_mode, count_include_pad.
* AdaptiveAvgPool2d: output_size.
* Upsample: size ([h, w] or null), scale_factor ([h, w] floats or null), mode (nearest
  | bilinear), align_corners (null for nearest, false for bilinear).
* Flatten: start_dim, end_dim. Dropout: p.
* Sequential: {"layers": [{"layer": ..., "attrs": ...}, ...]}; its state uses
  PyTorch's dotted names ("0.weight", "1.running_mean", ..., "5.bias").

For "reprs", the PyTorch module is built from the attributes as a user would write it:
a square pooling size ([k, k]) is passed as the integer k and a non-square one as a
tuple (PyTorch prints what it was given: 2, (3, 2) or [2, 2]); an Upsample scale factor
[s, s] as the float s; convolution sizes are tuples either way.
"""

import json
import math
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20250415
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "NNTests" / "Fixtures" / "nn_modules.json"

rng = np.random.default_rng(SEED)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
LAYERS, LOSSES, OPTIMIZERS, SCHEDULES, CLIPPING, REPRS, GAINS = [], [], [], [], [], [], []


# ---------------------------------------------------------------------------------------
# Data and encoding helpers


def rand(shape, low=-2.0, high=2.0, decimals=3):
    """Random float32 values with few decimals (short JSON, exact round trip)."""
    return np.round(rng.uniform(low, high, size=shape), decimals).astype(np.float32)


def away_from_zero(shape, low=0.05, high=2.0):
    """Random values with |x| in [low, high]: no ReLU / LeakyReLU kink is hit."""
    magnitude = rand(shape, low, high)
    sign = np.where(rng.integers(0, 2, size=shape) == 0, -1.0, 1.0).astype(np.float32)
    return (magnitude * sign).astype(np.float32)


def distinct(shape, low=-2.0, high=2.0):
    """A random permutation of evenly spaced values: no ties anywhere."""
    count = int(np.prod(shape))
    values = np.round(np.linspace(low, high, count), 3)
    return rng.permutation(values).reshape(shape).astype(np.float32)


def encode_value(value, digits):
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if digits is None:  # an input or a float32 result: the shortest float32 round trip
        return float(str(np.float32(value))) + 0.0  # + 0.0: no negative zeros
    return float(f"{value:.{digits}g}") + 0.0


def encode(array, digits=7):
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    array = np.asarray(array)
    return {
        "shape": [int(d) for d in array.shape],
        "data": [encode_value(v, digits) for v in array.reshape(-1)],
    }


def t64(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float32).astype(np.float64), requires_grad=grad)


def pair(value):
    return [int(value[0]), int(value[1])] if isinstance(value, (tuple, list)) else [int(value), int(value)]


# ---------------------------------------------------------------------------------------
# Layers


def initial_state(module):
    """Random float32 values for every parameter and buffer (not PyTorch's init, so the
    fixture does not depend on PyTorch's generator)."""
    state = {}
    for key, value in module.state_dict().items():
        owner = module.get_submodule(key.rpartition(".")[0]) if "." in key else module
        leaf = key.rpartition(".")[2]
        batch_norm = isinstance(owner, nn.modules.batchnorm._BatchNorm)
        if leaf == "num_batches_tracked":
            state[key] = np.float32(0)
        elif leaf == "running_mean":
            state[key] = rand(value.shape, -1.0, 1.0)
        elif leaf == "running_var":
            state[key] = rand(value.shape, 0.2, 2.0)
        elif batch_norm and leaf == "weight":
            state[key] = rand(value.shape, 0.5, 1.5)
        else:
            state[key] = rand(value.shape, -1.0, 1.0)
    return state


def load_state(module, state):
    tensors = {}
    for key, value in module.state_dict().items():
        if key.endswith("num_batches_tracked"):
            tensors[key] = torch.tensor(int(state[key]), dtype=value.dtype)
        else:
            tensors[key] = t64(state[key])
    module.load_state_dict(tensors, strict=True)


def layer_case(name, layer, attrs, module, x, training, overrides=None, check=None):
    """Runs `module` (converted to float64) on `x` and records output, gradients and
    buffers. `x` is an array or a function that draws one; `overrides` replaces initial
    state entries; `check(module, x)` may reject a draw (returns False), in which case
    state and input are drawn again."""
    module = module.double()
    for _ in range(50):
        state = initial_state(module)
        state.update(overrides or {})
        load_state(module, state)
        module.train(training)
        inputs = x() if callable(x) else x
        if check is None or check(module, inputs):
            break
    else:
        raise RuntimeError(f"{name}: no acceptable draw")
    load_state(module, state)  # the check may have run a forward that moved buffers
    module.train(training)
    xt = t64(inputs, grad=True)
    output = module(xt)
    projection = rand(tuple(output.shape), -1.0, 1.0)
    loss = (output * t64(projection)).sum()
    names = [n for n, _ in module.named_parameters()]
    grads = torch.autograd.grad(loss, [xt] + [p for _, p in module.named_parameters()], allow_unused=True)
    gradients = {"input": encode(grads[0])}
    for key, grad, (_, p) in zip(names, grads[1:], module.named_parameters()):
        gradients[key] = encode(torch.zeros_like(p) if grad is None else grad)
    state_after = {key: encode(b.double()) for key, b in module.named_buffers()}
    LAYERS.append({
        "name": name,
        "layer": layer,
        "attrs": attrs,
        "training": training,
        "state": {key: encode(np.asarray(v, dtype=np.float32), None) for key, v in state.items()},
        "input": encode(inputs, None),
        "projection": encode(projection, None),
        "output": encode(output),
        "gradients": gradients,
        "state_after": state_after,
    })


def conv2d(name, x_shape, cin, cout, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True):
    attrs = {"in_channels": cin, "out_channels": cout, "kernel_size": pair(kernel), "stride": pair(stride),
             "padding": pair(padding), "dilation": pair(dilation), "groups": groups, "bias": bias}
    module = nn.Conv2d(cin, cout, pair(kernel), stride=pair(stride), padding=pair(padding),
                       dilation=pair(dilation), groups=groups, bias=bias)
    layer_case(name, "Conv2d", attrs, module, rand(x_shape), training=True)


conv2d("conv2d_k3_bias", [2, 3, 5, 5], 3, 4, 3)
conv2d("conv2d_k3_stride2_padding2_no_bias", [2, 2, 6, 7], 2, 3, 3, stride=2, padding=2, bias=False)
conv2d("conv2d_groups2_dilation2", [2, 4, 7, 6], 4, 6, 3, padding=1, dilation=2, groups=2)
conv2d("conv2d_kernel_3x5_padding_1x2_nonsquare_b1", [1, 2, 5, 8], 2, 3, (3, 5), padding=(1, 2))


def conv_transpose2d(name, x_shape, cin, cout, kernel, stride=1, padding=0, output_padding=0, dilation=1,
                     groups=1, bias=True):
    attrs = {"in_channels": cin, "out_channels": cout, "kernel_size": pair(kernel), "stride": pair(stride),
             "padding": pair(padding), "output_padding": pair(output_padding), "groups": groups, "bias": bias,
             "dilation": pair(dilation)}
    module = nn.ConvTranspose2d(cin, cout, pair(kernel), stride=pair(stride), padding=pair(padding),
                                output_padding=pair(output_padding), groups=groups, bias=bias,
                                dilation=pair(dilation))
    layer_case(name, "ConvTranspose2d", attrs, module, rand(x_shape), training=True)


conv_transpose2d("conv_transpose2d_k3_stride2_padding1_output_padding1", [2, 3, 3, 4], 3, 2, 3, stride=2,
                 padding=1, output_padding=1)
conv_transpose2d("conv_transpose2d_k4_stride2_padding1_no_bias_fcdd", [2, 4, 3, 3], 4, 2, 4, stride=2, padding=1,
                 bias=False)


def linear(name, x_shape, fin, fout, bias=True):
    attrs = {"in_features": fin, "out_features": fout, "bias": bias}
    layer_case(name, "Linear", attrs, nn.Linear(fin, fout, bias=bias), rand(x_shape), training=True)


linear("linear_bias_rank2", [4, 6], 6, 3)
linear("linear_no_bias_rank2", [3, 5], 5, 4, bias=False)
linear("linear_bias_rank3", [2, 3, 4], 4, 5)
linear("linear_no_bias_rank3", [2, 2, 3], 3, 2, bias=False)


def batch_norm(name, kind, x_shape, training, eps=1e-5, momentum=0.1, affine=True, tracked=None):
    channels = x_shape[1]
    attrs = {"num_features": channels, "eps": eps, "momentum": momentum, "affine": affine,
             "track_running_stats": True}
    cls = nn.BatchNorm2d if kind == "BatchNorm2d" else nn.BatchNorm1d
    module = cls(channels, eps=eps, momentum=momentum, affine=affine)
    overrides = {"num_batches_tracked": np.float32(tracked)} if tracked is not None else None
    layer_case(name, kind, attrs, module, rand(x_shape), training=training, overrides=overrides)


batch_norm("batch_norm2d_train_eps1e-4_momentum0.1", "BatchNorm2d", [3, 3, 4, 3], True, eps=1e-4)
batch_norm("batch_norm2d_eval", "BatchNorm2d", [2, 3, 3, 4], False, tracked=7)
batch_norm("batch_norm2d_train_affine_false", "BatchNorm2d", [2, 2, 3, 3], True, affine=False)
batch_norm("batch_norm2d_train_momentum_none_tracked3", "BatchNorm2d", [2, 3, 3, 3], True, momentum=None,
           tracked=3)
batch_norm("batch_norm1d_train_nc", "BatchNorm1d", [6, 4], True)
batch_norm("batch_norm1d_train_ncl", "BatchNorm1d", [3, 2, 5], True)
batch_norm("batch_norm1d_eval", "BatchNorm1d", [5, 3], False, tracked=2)

layer_case("relu", "ReLU", {}, nn.ReLU(), away_from_zero([2, 3, 4, 4]), training=True)
layer_case("leaky_relu_default", "LeakyReLU", {"negative_slope": 0.01}, nn.LeakyReLU(),
           away_from_zero([2, 3, 4, 4]), training=True)
layer_case("leaky_relu_0.2", "LeakyReLU", {"negative_slope": 0.2}, nn.LeakyReLU(0.2), away_from_zero([3, 10]),
           training=True)
layer_case("sigmoid", "Sigmoid", {}, nn.Sigmoid(), rand([2, 3, 3, 3], -4.0, 4.0), training=True)
layer_case("tanh", "Tanh", {}, nn.Tanh(), rand([4, 8], -3.0, 3.0), training=True)


def max_pool2d(name, x_shape, kernel, stride=None, padding=0, dilation=1):
    attrs = {"kernel_size": pair(kernel), "stride": None if stride is None else pair(stride),
             "padding": pair(padding), "dilation": pair(dilation), "ceil_mode": False}
    module = nn.MaxPool2d(pair(kernel), stride=None if stride is None else pair(stride), padding=pair(padding),
                          dilation=pair(dilation))
    layer_case(name, "MaxPool2d", attrs, module, distinct(x_shape), training=True)


max_pool2d("max_pool2d_k2_s2", [2, 2, 6, 6], 2, 2)
max_pool2d("max_pool2d_k3_s2_p1", [2, 2, 7, 6], 3, 2, padding=1)
max_pool2d("max_pool2d_k2_default_stride_odd", [1, 3, 5, 7], 2)


def avg_pool2d(name, x_shape, kernel, stride=None, padding=0, count_include_pad=True):
    attrs = {"kernel_size": pair(kernel), "stride": None if stride is None else pair(stride),
             "padding": pair(padding), "ceil_mode": False, "count_include_pad": count_include_pad}
    module = nn.AvgPool2d(pair(kernel), stride=None if stride is None else pair(stride), padding=pair(padding),
                          count_include_pad=count_include_pad)
    layer_case(name, "AvgPool2d", attrs, module, rand(x_shape), training=True)


avg_pool2d("avg_pool2d_k2", [2, 2, 6, 5], 2)
avg_pool2d("avg_pool2d_k3_s2_p1_include_pad", [1, 3, 7, 6], 3, 2, padding=1)
avg_pool2d("avg_pool2d_k3_s2_p1_exclude_pad", [1, 3, 7, 6], 3, 2, padding=1, count_include_pad=False)

layer_case("adaptive_avg_pool2d_7x5_to_3x2", "AdaptiveAvgPool2d", {"output_size": [3, 2]},
           nn.AdaptiveAvgPool2d((3, 2)), rand([2, 2, 7, 5]), training=True)
layer_case("adaptive_avg_pool2d_global_1", "AdaptiveAvgPool2d", {"output_size": [1, 1]}, nn.AdaptiveAvgPool2d(1),
           rand([2, 3, 4, 5]), training=True)


def upsample(name, x_shape, mode, size=None, scale=None):
    attrs = {"size": None if size is None else pair(size),
             "scale_factor": None if scale is None else [float(scale), float(scale)],
             "mode": mode, "align_corners": None if mode == "nearest" else False}
    module = nn.Upsample(size=None if size is None else tuple(pair(size)),
                         scale_factor=None if scale is None else float(scale), mode=mode,
                         align_corners=None if mode == "nearest" else False)
    layer_case(name, "Upsample", attrs, module, rand(x_shape), training=True)


upsample("upsample_nearest_scale2", [2, 2, 3, 4], "nearest", scale=2)
upsample("upsample_bilinear_scale2", [1, 2, 4, 3], "bilinear", scale=2)
upsample("upsample_nearest_size_5x7", [2, 1, 3, 4], "nearest", size=(5, 7))
upsample("upsample_bilinear_down_size_3x4", [1, 2, 7, 9], "bilinear", size=(3, 4))

layer_case("flatten_default", "Flatten", {"start_dim": 1, "end_dim": -1}, nn.Flatten(), rand([3, 2, 3, 2]),
           training=True)
layer_case("dropout_eval_identity", "Dropout", {"p": 0.5}, nn.Dropout(0.5), rand([3, 7]), training=False)
layer_case("dropout_p0_training_identity", "Dropout", {"p": 0.0}, nn.Dropout(0.0), rand([2, 3, 4]), training=True)


def sequential_check(module, x):
    """Pre-activation values away from zero and max-pool windows without near ties, so a
    float32 implementation takes the same branches as the float64 reference."""
    with torch.no_grad():
        pre = module[1](module[0](t64(x)))
        act = module[2](pre)
    if pre.abs().min().item() < 1e-3:
        return False
    n, c, h, w = act.shape
    windows = act.reshape(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 2, 4, 3, 5).reshape(-1, 4)
    top2 = windows.sort(dim=1, descending=True).values[:, :2]
    return (top2[:, 0] - top2[:, 1]).min().item() > 1e-4


sequential_attrs = {"layers": [
    {"layer": "Conv2d", "attrs": {"in_channels": 1, "out_channels": 4, "kernel_size": [3, 3], "stride": [1, 1],
                                  "padding": [1, 1], "dilation": [1, 1], "groups": 1, "bias": True}},
    {"layer": "BatchNorm2d", "attrs": {"num_features": 4, "eps": 1e-4, "momentum": 0.1, "affine": True,
                                       "track_running_stats": True}},
    {"layer": "LeakyReLU", "attrs": {"negative_slope": 0.01}},
    {"layer": "MaxPool2d", "attrs": {"kernel_size": [2, 2], "stride": None, "padding": [0, 0],
                                     "dilation": [1, 1], "ceil_mode": False}},
    {"layer": "Flatten", "attrs": {"start_dim": 1, "end_dim": -1}},
    {"layer": "Linear", "attrs": {"in_features": 36, "out_features": 5, "bias": True}},
]}
layer_case("sequential_conv_bn_leaky_pool_flatten_linear_train", "Sequential", sequential_attrs,
           nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4, eps=1e-4), nn.LeakyReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 5)),
           lambda: rand([3, 1, 6, 6]), training=True, check=sequential_check)


# ---------------------------------------------------------------------------------------
# Losses


def loss_case(name, loss, reduction, x, target, extra=None):
    extra = extra or {}
    xt = t64(x, grad=True)
    tt = t64(target)
    if loss == "mse":
        out = F.mse_loss(xt, tt, reduction=reduction)
    elif loss == "l1":
        out = F.l1_loss(xt, tt, reduction=reduction)
    elif loss == "bce_with_logits":
        pos_weight = t64(extra["pos_weight"]) if "pos_weight" in extra else None
        out = F.binary_cross_entropy_with_logits(xt, tt, pos_weight=pos_weight, reduction=reduction)
    elif loss == "bce":
        out = F.binary_cross_entropy(xt, tt, reduction=reduction)
    elif loss == "cross_entropy":
        weight = t64(extra["weight"]) if "weight" in extra else None
        out = F.cross_entropy(xt, tt.long(), weight=weight, reduction=reduction,
                              label_smoothing=extra.get("label_smoothing", 0.0))
    else:
        raise ValueError(loss)
    case = {"name": name, "loss": loss, "reduction": reduction, "input": encode(x, None),
            "target": encode(target, None),
            "extra": {k: (encode(v, None) if isinstance(v, np.ndarray) else v) for k, v in extra.items()}}
    if reduction == "none":
        projection = rand(tuple(out.shape), -1.0, 1.0)
        scalar = (out * t64(projection)).sum()
        case["projection"] = encode(projection, None)
    else:
        scalar = out
    (grad,) = torch.autograd.grad(scalar, [xt])
    case["output"] = encode(out)
    case["gradient"] = encode(grad)
    LOSSES.append(case)


def regression_pair(shape):
    """Input and target that never coincide (no L1 kink)."""
    x = rand(shape)
    return x, (x + away_from_zero(shape, 0.05, 1.5)).astype(np.float32)


for reduction in ("mean", "sum", "none"):
    loss_case(f"mse_{reduction}", "mse", reduction, *regression_pair([3, 4]))
for reduction in ("mean", "sum", "none"):
    loss_case(f"l1_{reduction}", "l1", reduction, *regression_pair([2, 3, 2]))

binary_targets = lambda shape: rng.integers(0, 2, size=shape).astype(np.float32)  # noqa: E731
loss_case("bce_with_logits_mean", "bce_with_logits", "mean", rand([4, 3], -4.0, 4.0), binary_targets([4, 3]))
loss_case("bce_with_logits_soft_targets_sum", "bce_with_logits", "sum", rand([3, 4], -4.0, 4.0),
          rand([3, 4], 0.0, 1.0))
extreme = np.array([[-100.0, -60.0, -20.0, 0.0, 20.0, 60.0, 100.0]] * 3, dtype=np.float32)
extreme_targets = np.array([[0.0] * 7, [1.0] * 7, [0.25] * 7], dtype=np.float32)
loss_case("bce_with_logits_extreme_logits_none", "bce_with_logits", "none", extreme, extreme_targets)
loss_case("bce_with_logits_extreme_logits_mean", "bce_with_logits", "mean", extreme, extreme_targets)
loss_case("bce_with_logits_pos_weight_mean", "bce_with_logits", "mean", rand([5, 3], -3.0, 3.0),
          binary_targets([5, 3]), {"pos_weight": rand([3], 0.5, 3.0)})
loss_case("bce_with_logits_pos_weight_extreme_none", "bce_with_logits", "none", extreme[:2], extreme_targets[1:],
          {"pos_weight": np.full([7], 2.5, dtype=np.float32)})
loss_case("bce_mean", "bce", "mean", rand([4, 3], 0.02, 0.98), binary_targets([4, 3]))
loss_case("bce_soft_targets_sum", "bce", "sum", rand([2, 5], 0.02, 0.98), rand([2, 5], 0.0, 1.0))
# Probabilities of exactly 0 and 1 with matching targets: log(0) is clamped to -100, so
# the loss is finite (0 here) and PyTorch's gradient (p - t) / max(p (1 - p), 1e-12) is 0.
saturated = np.array([[0.0, 1.0, 0.001, 0.999, 0.5], [1.0, 0.0, 0.3, 0.7, 0.05]], dtype=np.float32)
saturated_targets = np.array([[0.0, 1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 1.0, 0.0, 0.0]], dtype=np.float32)
loss_case("bce_saturated_probabilities_none", "bce", "none", saturated, saturated_targets)
loss_case("bce_saturated_probabilities_mean", "bce", "mean", saturated, saturated_targets)
# Saturated on the wrong side: the clamped log makes the loss exactly 100 per element,
# and PyTorch's backward divides by max(p (1 - p), 1e-12), giving gradients of 1e12.
loss_case("bce_saturated_wrong_side_none_grad_eps1e-12", "bce", "none",
          np.array([[0.0, 1.0, 0.0, 1.0]], dtype=np.float32), np.array([[1.0, 0.0, 0.5, 0.25]], dtype=np.float32))
classes = lambda n, c: rng.integers(0, c, size=[n]).astype(np.float32)  # noqa: E731
loss_case("cross_entropy_mean", "cross_entropy", "mean", rand([5, 4], -3.0, 3.0), classes(5, 4))
loss_case("cross_entropy_sum", "cross_entropy", "sum", rand([4, 3], -3.0, 3.0), classes(4, 3))
loss_case("cross_entropy_none", "cross_entropy", "none", rand([4, 5], -3.0, 3.0), classes(4, 5))
loss_case("cross_entropy_large_logits_mean", "cross_entropy", "mean",
          np.array([[100.0, -100.0, 0.0], [-50.0, 80.0, 79.5], [0.0, 0.0, 90.0]], dtype=np.float32),
          np.array([1.0, 2.0, 2.0], dtype=np.float32))
loss_case("cross_entropy_weight_mean", "cross_entropy", "mean", rand([6, 3], -3.0, 3.0),
          np.array([0, 1, 2, 2, 1, 2], dtype=np.float32), {"weight": rand([3], 0.2, 2.0)})
loss_case("cross_entropy_weight_none", "cross_entropy", "none", rand([4, 3], -3.0, 3.0),
          np.array([2, 0, 1, 0], dtype=np.float32), {"weight": rand([3], 0.2, 2.0)})
loss_case("cross_entropy_label_smoothing_mean", "cross_entropy", "mean", rand([5, 4], -3.0, 3.0), classes(5, 4),
          {"label_smoothing": 0.1})
loss_case("cross_entropy_weight_label_smoothing_mean", "cross_entropy", "mean", rand([5, 3], -3.0, 3.0),
          np.array([0, 2, 1, 2, 2], dtype=np.float32), {"weight": rand([3], 0.2, 2.0), "label_smoothing": 0.2})


# ---------------------------------------------------------------------------------------
# Learning-rate schedules (torch.optim.lr_scheduler, stepped once per epoch)


def make_scheduler(optimizer, spec):
    kind, attrs = spec["schedule"], spec["attrs"]
    sched = torch.optim.lr_scheduler
    if kind == "exponential":
        return sched.ExponentialLR(optimizer, gamma=attrs["gamma"])
    if kind == "lambda_power":  # FCDD's "lambda" scheduler: lr = base_lr * gamma ** epoch
        gamma = attrs["gamma"]
        return sched.LambdaLR(optimizer, lambda epoch: gamma ** epoch)
    if kind == "multistep":
        return sched.MultiStepLR(optimizer, milestones=attrs["milestones"], gamma=attrs["gamma"])
    if kind == "cosine":
        return sched.CosineAnnealingLR(optimizer, T_max=attrs["t_max"], eta_min=attrs["eta_min"])
    raise ValueError(kind)


def schedule_case(name, kind, attrs, base_lr, epochs=40):
    spec = {"schedule": kind, "attrs": attrs}
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = make_scheduler(optimizer, spec)
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    SCHEDULES.append({"name": name, "schedule": kind, "attrs": attrs, "base_lr": base_lr, "epochs": epochs,
                      "lrs": [encode_value(v, 7) for v in lrs]})
    return lrs


schedule_case("exponential_gamma0.9", "exponential", {"gamma": 0.9}, 0.1)
schedule_case("lambda_power_gamma0.98", "lambda_power", {"gamma": 0.98}, 0.01)
schedule_case("multistep_10_25_gamma0.1", "multistep", {"milestones": [10, 25], "gamma": 0.1}, 0.1)
cosine_lrs = schedule_case("cosine_t_max15_eta_min1e-4", "cosine", {"t_max": 15, "eta_min": 1e-4}, 0.05)
schedule_case("cosine_t_max40_eta_min0", "cosine", {"t_max": 40, "eta_min": 0.0}, 0.1)
# The recursive form that PyTorch steps is the periodic closed form (it rises again
# after t_max) up to rounding; fail loudly should that ever change.
closed = [1e-4 + (0.05 - 1e-4) * (1 + math.cos(math.pi * t / 15)) / 2 for t in range(40)]
assert max(abs(a - b) / b for a, b in zip(cosine_lrs, closed)) < 1e-9


# ---------------------------------------------------------------------------------------
# Optimisers: float32 trajectories on a small non-quadratic problem


W0 = rand([4, 3], -1.0, 1.0)
B0 = rand([3], -1.0, 1.0)
X = rand([6, 4], -1.0, 1.0)
Y = rand([6, 3], -1.0, 1.0)


def objective(w, b, x, y):
    return ((x @ w + b - y) ** 2).mean() + 0.5 * (w ** 4).sum() / w.numel()


def optimizer_case(name, kind, hyper, schedule=None, frozen=(), steps=30):
    w = torch.tensor(W0, requires_grad="w" not in frozen)
    b = torch.tensor(B0, requires_grad="b" not in frozen)
    x, y = torch.tensor(X), torch.tensor(Y)
    params = [p for key, p in (("w", w), ("b", b)) if key not in frozen]
    if kind == "sgd":
        optimizer = torch.optim.SGD(params, **hyper)
    elif kind == "adam":
        optimizer = torch.optim.Adam(params, **{**hyper, "betas": tuple(hyper["betas"])})
    elif kind == "adamw":
        optimizer = torch.optim.AdamW(params, **{**hyper, "betas": tuple(hyper["betas"])})
    else:
        raise ValueError(kind)
    scheduler = make_scheduler(optimizer, schedule) if schedule is not None else None
    records = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = objective(w, b, x, y)
        assert loss.dtype == torch.float32
        loss.backward()
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        records.append({"lr": encode_value(lr, 7), "loss": encode_value(loss.item(), None),
                        "w": encode(w, None), "b": encode(b, None)})
        if scheduler is not None and (step + 1) % 5 == 0:
            scheduler.step()
    OPTIMIZERS.append({"name": name, "optimizer": kind, "hyper": hyper, "schedule": schedule,
                       "frozen": list(frozen), "initial": {"w": encode(W0, None), "b": encode(B0, None)},
                       "x": encode(X, None), "y": encode(Y, None), "steps": records})


def sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    return {"lr": lr, "momentum": momentum, "dampening": dampening, "nesterov": nesterov,
            "weight_decay": weight_decay, "maximize": False}


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    return {"lr": lr, "betas": list(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
            "maximize": False}


optimizer_case("sgd_plain", "sgd", sgd(0.1))
optimizer_case("sgd_momentum0.9_dampening0.1", "sgd", sgd(0.05, momentum=0.9, dampening=0.1))
optimizer_case("sgd_nesterov_momentum0.9_weight_decay1e-2", "sgd", sgd(0.05, momentum=0.9, nesterov=True,
                                                                       weight_decay=1e-2))
optimizer_case("adam_default", "adam", adam())
optimizer_case("adam_lr0.05", "adam", adam(lr=0.05))
optimizer_case("adam_weight_decay1e-2_coupled", "adam", adam(lr=0.05, weight_decay=1e-2))
optimizer_case("adam_amsgrad", "adam", adam(lr=0.05, amsgrad=True))
optimizer_case("adamw_weight_decay1e-2", "adamw", adam(lr=0.05, weight_decay=1e-2))
optimizer_case("sgd_nesterov_multistep_schedule", "sgd",
               sgd(0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
               schedule={"schedule": "multistep", "attrs": {"milestones": [2, 4], "gamma": 0.1}})
optimizer_case("adam_lambda_power_schedule", "adam", adam(lr=0.05),
               schedule={"schedule": "lambda_power", "attrs": {"gamma": 0.5}})
optimizer_case("adam_frozen_b", "adam", adam(lr=0.05), frozen=("b",))
optimizer_case("sgd_momentum_frozen_w", "sgd", sgd(0.1, momentum=0.9), frozen=("w",))


# ---------------------------------------------------------------------------------------
# Gradient clipping: torch.nn.utils.clip_grad_norm_


def clipping_case(name, shapes, max_norm, norm_type, scale=1.0):
    grads = [(rand(s) * np.float32(scale)).astype(np.float32) for s in shapes]
    params = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = t64(g)
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    CLIPPING.append({"name": name, "max_norm": max_norm,
                     "norm_type": encode_value(norm_type, 7),
                     "gradients": [encode(g, None) for g in grads],
                     "clipped": [encode(p.grad) for p in params],
                     "total_norm": encode_value(total.item(), 7)})
    return total.item()


assert clipping_case("clip_l2_scaled", [[3, 4], [5], [2, 2, 2]], 1.0, 2.0) > 1.0
assert clipping_case("clip_l2_below_max_norm_unchanged", [[2, 3], [4]], 50.0, 2.0) < 50.0
assert clipping_case("clip_inf_scaled", [[3, 3], [4]], 0.5, float("inf")) > 0.5
assert clipping_case("clip_l1_scaled", [[2, 4], [3]], 2.0, 1.0) > 2.0
assert clipping_case("clip_l2_single_tensor_scaled", [[6]], 0.25, 2.0, scale=0.5) > 0.25


# ---------------------------------------------------------------------------------------
# Printed descriptions (str(module)) and initialisation gains. These use no random
# numbers, so the sections above do not depend on them.


def natural_size(value):
    """What a user passes for a [h, w] pooling size: k when square, (h, w) otherwise."""
    return value[0] if value[0] == value[1] else tuple(value)


def torch_layer(layer, attrs):
    """The PyTorch module for fixture attributes (conventions in the docstring)."""
    a = attrs
    if layer in ("Conv2d", "ConvTranspose2d"):
        common = dict(stride=tuple(a["stride"]), padding=tuple(a["padding"]), dilation=tuple(a["dilation"]),
                      groups=a["groups"], bias=a["bias"])
        if layer == "Conv2d":
            return nn.Conv2d(a["in_channels"], a["out_channels"], tuple(a["kernel_size"]), **common)
        return nn.ConvTranspose2d(a["in_channels"], a["out_channels"], tuple(a["kernel_size"]),
                                  output_padding=tuple(a["output_padding"]), **common)
    if layer == "Linear":
        return nn.Linear(a["in_features"], a["out_features"], bias=a["bias"])
    if layer in ("BatchNorm1d", "BatchNorm2d"):
        cls = nn.BatchNorm2d if layer == "BatchNorm2d" else nn.BatchNorm1d
        return cls(a["num_features"], eps=a["eps"], momentum=a["momentum"], affine=a["affine"],
                   track_running_stats=a["track_running_stats"])
    if layer == "ReLU":
        return nn.ReLU()
    if layer == "LeakyReLU":
        return nn.LeakyReLU(a["negative_slope"])
    if layer == "Sigmoid":
        return nn.Sigmoid()
    if layer == "Tanh":
        return nn.Tanh()
    if layer == "MaxPool2d":
        return nn.MaxPool2d(natural_size(a["kernel_size"]),
                            stride=None if a["stride"] is None else natural_size(a["stride"]),
                            padding=natural_size(a["padding"]), dilation=natural_size(a["dilation"]),
                            ceil_mode=a["ceil_mode"])
    if layer == "AvgPool2d":
        return nn.AvgPool2d(natural_size(a["kernel_size"]),
                            stride=None if a["stride"] is None else natural_size(a["stride"]),
                            padding=natural_size(a["padding"]), ceil_mode=a["ceil_mode"],
                            count_include_pad=a["count_include_pad"])
    if layer == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(natural_size(a["output_size"]))
    if layer == "Upsample":
        scale = a["scale_factor"]
        assert scale is None or scale[0] == scale[1]
        return nn.Upsample(size=None if a["size"] is None else tuple(a["size"]),
                           scale_factor=None if scale is None else float(scale[0]), mode=a["mode"],
                           align_corners=a["align_corners"])
    if layer == "Flatten":
        return nn.Flatten(a["start_dim"], a["end_dim"])
    if layer == "Dropout":
        return nn.Dropout(a["p"])
    if layer == "Sequential":
        return nn.Sequential(*(torch_layer(e["layer"], e["attrs"]) for e in a["layers"]))
    raise ValueError(layer)


def repr_case(name, layer, attrs):
    REPRS.append({"name": name, "layer": layer, "attrs": attrs, "repr": str(torch_layer(layer, attrs))})


def conv_attrs(cin, cout, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True):
    return {"in_channels": cin, "out_channels": cout, "kernel_size": pair(kernel), "stride": pair(stride),
            "padding": pair(padding), "dilation": pair(dilation), "groups": groups, "bias": bias}


def batch_norm_attrs(features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
    return {"num_features": features, "eps": eps, "momentum": momentum, "affine": affine,
            "track_running_stats": track_running_stats}


def pool_attrs(kernel, stride=None, padding=0, **extra):
    return {"kernel_size": pair(kernel), "stride": None if stride is None else pair(stride),
            "padding": pair(padding), "ceil_mode": False, **extra}


def upsample_attrs(mode, size=None, scale=None):
    return {"size": None if size is None else pair(size),
            "scale_factor": None if scale is None else [float(scale), float(scale)],
            "mode": mode, "align_corners": None if mode == "nearest" else False}


repr_case("conv2d_defaults", "Conv2d", conv_attrs(1, 8, 5))
repr_case("conv2d_stride_padding_dilation_groups_no_bias", "Conv2d",
          conv_attrs(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False))
repr_case("conv2d_nonsquare_kernel_padding", "Conv2d", conv_attrs(2, 3, (3, 5), padding=(1, 2)))
repr_case("conv_transpose2d_output_padding", "ConvTranspose2d",
          {**conv_attrs(3, 2, 3, stride=2, padding=1), "output_padding": [1, 1]})
repr_case("conv_transpose2d_no_bias_fcdd", "ConvTranspose2d",
          {**conv_attrs(4, 2, 4, stride=2, padding=1, bias=False), "output_padding": [0, 0]})
repr_case("linear_bias", "Linear", {"in_features": 6, "out_features": 3, "bias": True})
repr_case("linear_no_bias", "Linear", {"in_features": 5, "out_features": 4, "bias": False})
repr_case("batch_norm2d_defaults", "BatchNorm2d", batch_norm_attrs(3))
repr_case("batch_norm2d_eps1e-4", "BatchNorm2d", batch_norm_attrs(4, eps=1e-4))
repr_case("batch_norm2d_no_running_stats", "BatchNorm2d", batch_norm_attrs(2, track_running_stats=False))
repr_case("batch_norm1d_momentum_none_affine_false", "BatchNorm1d",
          batch_norm_attrs(3, momentum=None, affine=False))
repr_case("relu", "ReLU", {})
repr_case("leaky_relu_default", "LeakyReLU", {"negative_slope": 0.01})
repr_case("leaky_relu_0.2", "LeakyReLU", {"negative_slope": 0.2})
repr_case("sigmoid", "Sigmoid", {})
repr_case("tanh", "Tanh", {})
repr_case("max_pool2d_k2", "MaxPool2d", pool_attrs(2, dilation=[1, 1]))
repr_case("max_pool2d_k3_s2_p1", "MaxPool2d", pool_attrs(3, 2, 1, dilation=[1, 1]))
repr_case("max_pool2d_nonsquare", "MaxPool2d", pool_attrs((2, 3), (1, 2), dilation=[1, 1]))
repr_case("avg_pool2d_k2", "AvgPool2d", pool_attrs(2, count_include_pad=True))
repr_case("avg_pool2d_k3_s2_p1_exclude_pad", "AvgPool2d", pool_attrs(3, 2, 1, count_include_pad=False))
repr_case("adaptive_avg_pool2d_3x2", "AdaptiveAvgPool2d", {"output_size": [3, 2]})
repr_case("adaptive_avg_pool2d_global", "AdaptiveAvgPool2d", {"output_size": [1, 1]})
repr_case("upsample_nearest_scale2", "Upsample", upsample_attrs("nearest", scale=2))
repr_case("upsample_bilinear_size_5x7", "Upsample", upsample_attrs("bilinear", size=(5, 7)))
repr_case("upsample_nearest_size_4x4", "Upsample", upsample_attrs("nearest", size=4))
repr_case("flatten_default", "Flatten", {"start_dim": 1, "end_dim": -1})
repr_case("dropout_0.5", "Dropout", {"p": 0.5})
repr_case("dropout_0.3", "Dropout", {"p": 0.3})
repr_case("sequential_empty", "Sequential", {"layers": []})
repr_case("sequential_nested", "Sequential", {"layers": [
    {"layer": "Sequential", "attrs": {"layers": [
        {"layer": "Conv2d", "attrs": conv_attrs(1, 8, 5, bias=False)},
        {"layer": "BatchNorm2d", "attrs": batch_norm_attrs(8, eps=1e-4, affine=False)},
        {"layer": "LeakyReLU", "attrs": {"negative_slope": 0.01}},
        {"layer": "MaxPool2d", "attrs": pool_attrs(2, dilation=[1, 1])},
    ]}},
    {"layer": "Sequential", "attrs": {"layers": [
        {"layer": "Sequential", "attrs": {"layers": [{"layer": "ReLU", "attrs": {}}]}},
        {"layer": "Upsample", "attrs": upsample_attrs("nearest", scale=2)},
    ]}},
    {"layer": "Flatten", "attrs": {"start_dim": 1, "end_dim": -1}},
    {"layer": "Dropout", "attrs": {"p": 0.5}},
    {"layer": "Linear", "attrs": {"in_features": 288, "out_features": 10, "bias": True}},
]})
repr_case("sequential_fixture_model", "Sequential", sequential_attrs)


def gain_case(name, nonlinearity, param=None):
    GAINS.append({"name": name, "nonlinearity": nonlinearity, "param": param,
                  "gain": float(nn.init.calculate_gain(nonlinearity, param))})


gain_case("linear", "linear")
gain_case("sigmoid", "sigmoid")
gain_case("tanh", "tanh")
gain_case("relu", "relu")
gain_case("leaky_relu_0", "leaky_relu", 0.0)
gain_case("leaky_relu_0.01", "leaky_relu", 0.01)
gain_case("leaky_relu_0.2", "leaky_relu", 0.2)
gain_case("leaky_relu_sqrt5", "leaky_relu", math.sqrt(5.0))


# ---------------------------------------------------------------------------------------

for section in (LAYERS, LOSSES, OPTIMIZERS, SCHEDULES, CLIPPING, REPRS, GAINS):
    names = [c["name"] for c in section]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"duplicate case names: {duplicates}"


def dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def section(key, cases):
    # One case per line keeps diffs of the committed file readable.
    return '"' + key + '":[\n' + ",\n".join(dumps(c) for c in cases) + "\n]"


text = (
    '{"version":1,"seed":' + str(SEED) + ',"torch":' + dumps(torch.__version__.split("+")[0]) + ",\n"
    + ",\n".join(section(k, v) for k, v in (("layers", LAYERS), ("losses", LOSSES), ("optimizers", OPTIMIZERS),
                                            ("schedules", SCHEDULES), ("clipping", CLIPPING), ("reprs", REPRS),
                                            ("gains", GAINS)))
    + "\n}"
)
json.loads(text)  # well-formed
OUTPUT.parent.mkdir(parents=True, exist_ok=True)
OUTPUT.write_text(text + "\n")
print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(LAYERS)} layers, {len(LOSSES)} losses, "
      f"{len(OPTIMIZERS)} optimizers, {len(SCHEDULES)} schedules, {len(CLIPPING)} clipping cases, "
      f"{len(REPRS)} reprs, {len(GAINS)} gains, "
      f"{len(text) / 1024:.1f} KiB")
