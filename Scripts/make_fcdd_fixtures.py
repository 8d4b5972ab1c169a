#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the FCDD networks and losses.

Re-implements in PyTorch the FCDD nets exactly as the reference code defines them
(``liznerski/fcdd``, ``python/fcdd/models/fcdd_cnn_28.py``, ``fcdd_cnn_32.py`` and
``fcdd_cnn_224.py``) and the two FCDD losses (``training/fcdd.py``), fills every net with
deterministic weights from a formula, and writes what the Swift port must reproduce. It
needs PyTorch, torchvision and NumPy (no downloads: the VGG backbone is built without
weights):

    python3 Scripts/make_fcdd_fixtures.py

It writes ``Tests/FCDDTests/Fixtures/fcdd_nets.json``, which the FCDD tests read through
``Bundle.module``. The output is deterministic (no random numbers at all; references are
computed on the CPU in float64).

Weights and inputs are not stored: both sides compute them from the formulas described
in ``Scripts/fixture_formulas.py`` (which this script imports). References are float64
computations on those float32 values; the script also runs each net in float32 and prints
the largest deviation, which is what a float32 implementation can be expected to show (the
Swift tolerances are set from it).

File layout (T = {"shape": [...], "data": [row-major values]})::

    {
      "version": 1, "torch": ..., "torchvision": ...,
      "nets": [                      one case per small net
        {
          "name":          unique case name,
          "net":           the reference's class name (FCDD_CNN28, FCDD_CNN28_W, FCDD_CNN32,
                           FCDD_CNN32_S, FCDD_CNN32_LW3K),
          "in_channels":   C,
          "input_shape":   [N, C, H, W] of the formula input,
          "labels":        one 0/1 label per sample (0 nominal, 1 anomalous),
          "state":         [[name, shape], ...] of the state dict, sorted by name,
          "phi_train":     T, φ of the input in training mode (batch statistics),
          "loss":          the sample-level loss of phi_train and the labels,
          "gradients":     {"input": T, "conv_final.weight": T, "conv1.weight": T}:
                           d loss / d ...,
          "buffers_after": {name: T} every batch-norm buffer after that one training
                           forward pass, num_batches_tracked included as a float of
                           shape [] (the unused bn2d3 keeps its filled values and 0),
          "phi_eval":      T, φ of the same input in evaluation mode afterwards
        }, ...
      ],
      "vgg": {
        "net": "FCDD_CNN224_VGG", "in_channels": 3,
        "state":        [[name, shape], ...] (features.0 ... features.20 of torchvision's
                        vgg11_bn plus conv_final), sorted,
        "phi_shape_224": φ's shape for a [1, 3, 224, 224] input,
        "input_shape":  [1, 3, 64, 64] (the net is fully convolutional),
        "phi_train":    T, training mode; "buffers_after": {name: T} the buffers of
                        features.1 and features.19 after it; "phi_eval": T, evaluation mode afterwards
      },
      "sample_losses": [             the sample-level loss on given maps
        {"name", "phi": T [N, 1, u, v], "labels": [...], "loss": float,
         "gradient": T (d loss / d phi)}, ...
      ],
      "pixel_losses": [              the pixel-wise loss on given upsampled maps
        {"name", "map": T [N, 1, H, W] (A′), "masks": T (0/1), "loss": float,
         "gradient": T (d loss / d map)}, ...
      ]
    }

The sample-level loss is always the labelled formula, also for a batch with one label
only (the reference's ``FCDDTrainer.__fcdd_loss`` falls back to the plain mean of A there;
the Swift port deliberately does not).
"""

import json
import math
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_formulas import (buffer_deviation, dumps, encode, encode_buffers, encode_value, f32, fill,  # noqa: E402
                              formula_input, grid, names_and_shapes, relative_deviation, report, section,
                              write_fixture)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "FCDDTests" / "Fixtures" / "fcdd_nets.json"
VGG_NAMES = ROOT / "Tests" / "NNTests" / "Fixtures" / "vgg11_bn_features_names.json"

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------
# The nets, as the reference defines them (`models/fcdd_cnn_*.py`). Constructor order and
# module names are the reference's; `bias=True` as the CLI always passes it
# (`runners/argparse_configs.py`), so
# convs have biases and batch norms are affine; eps 1e-4; F.leaky_relu's slope 0.01.


def conv(cin, cout, k, padding=0):
    return nn.Conv2d(cin, cout, k, padding=padding, bias=True)


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-4, affine=True)


class FCDD_CNN28(nn.Module):
    """`models/fcdd_cnn_28.py`: conv 5×5 → BN → lrelu → pool; conv 5×5 → pool; 1×1."""

    def __init__(self, cin, wide=False):
        super().__init__()
        first, second = (128, 128) if wide else (8, 16)
        self.conv1 = conv(cin, first, 5, 2)
        self.bn2d1 = bn(first)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = conv(first, second, 5, 2)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.conv_final = conv(second, 1, 1)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(F.leaky_relu(self.bn2d1(x)))
        x = self.conv2(x)  # no BN, no activation (as in the reference)
        x = self.pool2(x)
        return self.conv_final(x)


class FCDD_CNN32(nn.Module):
    """`models/fcdd_cnn_32.py`: FCDD_CNN32 (5×5) and FCDD_CNN32_S (3×3)."""

    def __init__(self, cin, small=False):
        super().__init__()
        k, p = (3, 1) if small else (5, 2)
        self.conv1 = conv(cin, 32, k, p)
        self.bn2d1 = bn(32)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = conv(32, 64, k, p)
        self.bn2d2 = bn(64)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.conv3 = conv(64, 128, k, p)
        if not small:
            self.bn2d3 = bn(128)  # defined by FCDD_CNN32, never used in forward
        self.conv_final = conv(128, 1, 1)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(F.leaky_relu(self.bn2d1(x)))
        x = self.conv2(x)
        x = self.pool2(F.leaky_relu(self.bn2d2(x)))
        x = self.conv3(x)
        return self.conv_final(x)


class FCDD_CNN32_LW3K(nn.Module):
    """`models/fcdd_cnn_32.py`, the CIFAR-10 default."""

    def __init__(self, cin):
        super().__init__()
        self.conv1 = conv(cin, 128, 3, 1)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.bn2d1 = bn(128)
        self.conv2 = conv(128, 256, 3, 1)
        self.bn2d2 = bn(256)
        self.conv25 = conv(256, 256, 3, 1)
        self.bn2d25 = bn(256)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.conv3 = conv(256, 128, 3, 1)
        self.bn2d3 = bn(128)  # defined, never used in forward (as in the reference)
        self.conv_final = conv(128, 1, 1)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(F.leaky_relu(self.bn2d1(x)))
        x = self.conv2(x)
        x = F.leaky_relu(self.bn2d2(x))
        x = self.conv25(x)
        x = self.pool2(F.leaky_relu(self.bn2d25(x)))
        x = self.conv3(x)
        return self.conv_final(x)


class FCDD_CNN224_VGG(nn.Module):
    """`models/fcdd_cnn_224.py`: torchvision's vgg11_bn features, indices 0–20
    (the last 8 modules dropped), then conv_final 512→1. torchvision's BN eps 1e-5, ReLU."""

    def __init__(self, cin=3):
        super().__init__()
        features = torchvision.models.vgg11_bn(weights=None).features
        if cin != 3:
            features[0] = nn.Conv2d(cin, 64, 3, padding=1)
        self.features = features[:21]
        self.conv_final = conv(512, 1, 1)

    def forward(self, x):
        return self.conv_final(self.features(x))


# ---------------------------------------------------------------------------------------
# The losses (`training/fcdd.py`: `__supervised_loss`, `__gt_loss`)


def anomaly_map(phi):
    """The anomaly map (`__fcdd_loss`): A = sqrt(φ² + 1) − 1."""
    return (phi ** 2 + 1).sqrt() - 1


def sample_loss(phi, labels):
    """`__supervised_loss`, always labelled: mean over the batch of Ā (label 0) or
    −log(1 − exp(−Ā) + 1e-31) (label 1)."""
    means = anomaly_map(phi).reshape(phi.shape[0], -1).mean(-1)
    y = torch.tensor(labels, dtype=phi.dtype)
    anom = -(((1 - (-means).exp()) + 1e-31).log())
    return ((1 - y) * means + y * anom).mean()


def pixel_loss(a, gtmaps):
    """As `__gt_loss` after the upsampling: per sample (1/M)Σ(1−Y)A′ plus, where Y
    has a one, −log(1 − exp(−(1/M)ΣY·A′) + 1e-31); the batch mean."""
    norm = (a * (1 - gtmaps)).view(a.size(0), -1).mean(-1)
    has = (gtmaps == 1).view(gtmaps.size(0), -1).sum(-1) > 0
    anom = torch.zeros_like(norm)
    if has.sum() > 0:
        x = (a * gtmaps)[has]
        anom[has] = -(((1 - (-x.view(x.size(0), -1).mean(-1)).exp()) + 1e-31).log())
    return (norm + anom).mean()


# ---------------------------------------------------------------------------------------
# Nets

NET_CASES = [
    ("cnn28_1x28x28", "FCDD_CNN28", lambda c: FCDD_CNN28(c), [2, 1, 28, 28]),
    ("cnn28w_1x28x28", "FCDD_CNN28_W", lambda c: FCDD_CNN28(c, wide=True), [2, 1, 28, 28]),
    ("cnn32_3x32x32", "FCDD_CNN32", lambda c: FCDD_CNN32(c), [2, 3, 32, 32]),
    ("cnn32s_3x32x32", "FCDD_CNN32_S", lambda c: FCDD_CNN32(c, small=True), [2, 3, 32, 32]),
    ("cnn32lw3k_3x32x32", "FCDD_CNN32_LW3K", lambda c: FCDD_CNN32_LW3K(c), [2, 3, 32, 32]),
    ("cnn28_3x28x36_nonsquare", "FCDD_CNN28", lambda c: FCDD_CNN28(c), [2, 3, 28, 36]),
]
LABELS = [0, 1]


def run_net(make, shape, dtype):
    net = fill(make(shape[1])).to(dtype).train()
    x = formula_input(shape).to(dtype).requires_grad_(True)
    phi = net(x)
    loss = sample_loss(phi, LABELS)
    first = "conv1.weight"
    grads = torch.autograd.grad(loss, [x, net.conv_final.weight, dict(net.named_parameters())[first]])
    buffers = {name: b.detach().clone() for name, b in net.named_buffers()}
    net.eval()
    with torch.no_grad():
        phi_eval = net(x)
    return net, phi, loss, dict(zip(["input", "conv_final.weight", first], grads)), buffers, phi_eval


NETS = []
for name, net_name, make, shape in NET_CASES:
    net, phi, loss, grads, buffers, phi_eval = run_net(make, shape, torch.float64)
    _, phi32, loss32, grads32, buffers32, phi_eval32 = run_net(make, shape, torch.float32)
    deviations = {"phi_train": relative_deviation(phi32, phi), "loss": relative_deviation(loss32, loss),
                  "phi_eval": relative_deviation(phi_eval32, phi_eval)}
    deviations.update({f"d/d {k}": relative_deviation(grads32[k], grads[k]) for k in grads})
    deviations["buffers"] = buffer_deviation(buffers32, buffers)
    report(name, f"φ {list(phi.shape)}, loss {float(loss.detach()):.6g}, |φ| ≤ {float(phi.detach().abs().max()):.3g}",
           deviations)
    # The unused bn2d3 must keep its filled statistics; the used ones counted one batch.
    for key, count in buffers.items():
        if key.endswith("num_batches_tracked"):
            assert int(count) == (0 if key.startswith("bn2d3.") else 1), (key, count)
    NETS.append({
        "name": name, "net": net_name, "in_channels": shape[1], "input_shape": shape, "labels": LABELS,
        "state": names_and_shapes(net),
        "phi_train": encode(phi), "loss": encode_value(loss.detach(), 10),
        "gradients": {k: encode(v) for k, v in grads.items()},
        "buffers_after": encode_buffers(buffers),
        "phi_eval": encode(phi_eval),
    })

# ---------------------------------------------------------------------------------------
# VGG (names, the 224 output shape, and φ at 64×64)

vgg = fill(FCDD_CNN224_VGG(3))
vgg_state = names_and_shapes(vgg)
expected_features = json.loads(VGG_NAMES.read_text())["tensors"]
assert [[t["name"], t["shape"]] for t in expected_features] == [e for e in vgg_state if e[0].startswith("features.")]
with torch.no_grad():
    vgg.eval()
    phi_shape_224 = list(vgg(torch.zeros(1, 3, 224, 224)).shape)
    vgg = fill(vgg).double().train()  # fresh statistics for the recorded run
    x = formula_input([1, 3, 64, 64]).double()
    vgg_phi_train = vgg(x)
    vgg_buffers = {k: b.clone().double() for k, b in vgg.named_buffers() if k.split(".")[1] in ("1", "19")}
    vgg.eval()
    vgg_phi_eval = vgg(x)
    vgg32 = fill(FCDD_CNN224_VGG(3)).train()
    print(f"vgg: φ(224) {phi_shape_224}, φ(64) train deviation {relative_deviation(vgg32(x.float()), vgg_phi_train):.1e}, "
          f"|φ| ≤ {float(vgg_phi_train.abs().max()):.3g}")
VGG = {
    "net": "FCDD_CNN224_VGG", "in_channels": 3, "state": vgg_state, "phi_shape_224": phi_shape_224,
    "input_shape": [1, 3, 64, 64], "phi_train": encode(vgg_phi_train),
    "buffers_after": encode_buffers(vgg_buffers), "phi_eval": encode(vgg_phi_eval),
}

# ---------------------------------------------------------------------------------------
# Losses on given maps, in float64 on float32 inputs


SAMPLE_LOSSES = []


def sample_case(name, phi, labels):
    loss = sample_loss(phi, labels)
    (gradient,) = torch.autograd.grad(loss, [phi])
    assert math.isfinite(float(loss.detach())) and bool(torch.isfinite(gradient).all())
    SAMPLE_LOSSES.append({"name": name, "phi": encode(phi, 9), "labels": labels, "loss": encode_value(loss.detach(), 12),
                          "gradient": encode(gradient, 10)})


sample_case("mixed", f32(grid([4, 1, 3, 3], 1.5, phase=0.2), [4, 1, 3, 3]), [0, 1, 0, 1])
sample_case("all_anomalous", f32(grid([3, 1, 2, 4], 2.0, phase=1.1), [3, 1, 2, 4]), [1, 1, 1])
sample_case("all_nominal", f32(grid([2, 1, 3, 2], 0.7, phase=0.4), [2, 1, 3, 2]), [0, 0])
# Ā ≈ 1e-6: φ ≈ ±√2·1e-3, where sqrt(φ² + 1) − 1 and 1 − exp(−Ā) both cancel in float32.
sample_case("tiny_maps", f32([v * 1e-3 for v in grid([3, 1, 2, 2], 0.3, offset=1.414, phase=0.7)], [3, 1, 2, 2]),
            [1, 0, 1])
# Large maps: Ā ≈ 20–30, the anomalous term ≈ e^(−Ā) underflows nothing in float64.
sample_case("large_maps", f32(grid([2, 1, 2, 2], 5.0, offset=25.0, phase=0.3), [2, 1, 2, 2]), [1, 1])
# φ = 0 for an anomalous sample: Ā = 0, the 1e-31 floor keeps the term finite (−log 1e-31).
sample_case("zero_map_anomalous", f32([0.0] * 8, [2, 1, 2, 2]), [1, 0])

PIXEL_LOSSES = []


def pixel_case(name, a, masks):
    loss = pixel_loss(a, masks)
    (gradient,) = torch.autograd.grad(loss, [a])
    assert math.isfinite(float(loss.detach())) and bool(torch.isfinite(gradient).all())
    PIXEL_LOSSES.append({"name": name, "map": encode(a, 9), "masks": encode(masks.detach(), 9),
                         "loss": encode_value(loss.detach(), 12), "gradient": encode(gradient, 10)})


shape = [4, 1, 6, 5]
a = f32([abs(v) for v in grid(shape, 1.2, offset=0.3, phase=0.5)], shape)
partial = [1.0 if (i % 7 in (2, 3) or i % 11 == 0) else 0.0 for i in range(30)]
masks = f32([0.0] * 30 + [1.0] * 30 + partial + partial[::-1], shape)
pixel_case("zeros_ones_partial", a, masks.detach())
shape = [3, 1, 4, 4]
a = f32([abs(v) for v in grid(shape, 0.8, offset=0.1, phase=2.0)], shape)
pixel_case("all_ones", a, torch.ones(shape, dtype=torch.float64))
pixel_case("all_zeros", a, torch.zeros(shape, dtype=torch.float64))
shape = [2, 1, 3, 4]
tiny = f32([1e-6 * (1 + 0.5 * math.sin(i)) for i in range(24)], shape)
pixel_case("tiny_ones", tiny, torch.ones(shape, dtype=torch.float64))

# ---------------------------------------------------------------------------------------


text = (
    '{"version":1,"torch":' + dumps(torch.__version__.split("+")[0])
    + ',"torchvision":' + dumps(torchvision.__version__.split("+")[0]) + ",\n"
    + section("nets", NETS) + ",\n"
    + '"vgg":' + dumps(VGG) + ",\n"
    + section("sample_losses", SAMPLE_LOSSES) + ",\n"
    + section("pixel_losses", PIXEL_LOSSES)
    + "\n}"
)
write_fixture(OUTPUT, text)
print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(NETS)} nets, VGG, {len(SAMPLE_LOSSES)} sample-level and "
      f"{len(PIXEL_LOSSES)} pixel-wise loss cases, {len(text) / 1024:.1f} KiB")
