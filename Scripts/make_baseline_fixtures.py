#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the HSC and AE baseline networks and losses.

Re-implements in PyTorch the baseline nets of the reference code (``liznerski/fcdd``,
``python/fcdd/models/shallow_cnn_28.py``, ``shallow_cnn_32.py`` and ``shallow_cnn_224.py``,
as of the camera-ready commit ``d110aa8``, unchanged up to ``4fa8502``): the
hypersphere-classifier (HSC) nets CNN28, CNN28_W, CNN32 and CNN32_LW3K and the autoencoders
AE28, AE32 and AE32_LW3K, and, in a second file, the 224×224 nets CNN224, CNN224_VGG and
CNN224_VGG_NOPT_1000 (HSC) and AE224 and AE224_VGG. It also re-implements the HSC loss
(``training/hsc.py``) and the autoencoder's reconstruction error (``training/ae.py``,
reduced as ``training/bases.py`` does), fills every net with the deterministic weights of
``Scripts/fixture_formulas.py`` and writes what the Swift port must reproduce. It needs
PyTorch, torchvision and NumPy (no downloads: the VGG nets are built without pretrained
weights, which the fill would overwrite anyway):

    python3 Scripts/make_baseline_fixtures.py

It writes ``Tests/FCDDTests/Fixtures/baseline_nets.json`` (the 28×28 and 32×32 nets and
the losses, in seconds) and ``Tests/FCDDTests/Fixtures/baseline_nets_224.json`` (the
224×224 nets, several minutes on two CPU cores, most of it filling the 10^8-parameter VGG
nets and running them in float64), which the FCDD tests read through ``Bundle.module``.
The output is deterministic (no random numbers are used; the references are computed on
the CPU in float64, the first file with one thread and the second with two).

Weights and inputs are not stored: both sides compute them from the formulas described
in ``Scripts/fixture_formulas.py`` (which this script, like make_fcdd_fixtures.py,
imports); the fill covers linear layers and transposed convolutions too, and an
autoencoder's state-dict names include its encoder's, prefixed ``encoder.``. References
are float64 computations on those float32 values; the script also runs everything in
float32 and prints the largest deviation relative to each tensor's largest magnitude,
which is what a float32 implementation can be expected to show (the Swift tolerances are
set from it).

What is computed (reference semantics)
--------------------------------------
* HSC score per sample: ``h = sqrt(||out||^2 + 1) - 1``, the squared norm summed over the
  last (feature) axis (``HSCTrainer.__hsc_loss``).
* HSC loss in training mode: per sample ``h`` for label 0 and ``-log(1 - exp(-h) + 1e-31)``
  for label 1, then the batch mean. The reference applies the labelled form whenever the
  net is in training mode, whatever labels the batch holds. In evaluation mode the loss is
  ``h`` itself (its batch mean with reduce='mean').
* Training mode is ``net.train()`` with every ``nn.Dropout`` put back into evaluation mode
  (only the VGG-based nets have dropout, in their torchvision classifier): batch norms use
  the batch statistics and update their running ones, dropout passes its input unchanged.
  The reference draws dropout masks at random in training, which no fixture can pin down;
  the Swift tests switch dropout off the same way.
* HSC explanation (``BaseNet.get_grad_heatmap``, method 'grad', absolute), computed in
  evaluation mode as the reference's test does: the gradient of ``sum_i h_i`` with respect
  to the input, its absolute value summed over the channels, ``[N, 1, H, W]``.
* AE: the elementwise squared error ``(rec - x)^2``; the training loss is its mean over
  everything; the score of a sample its mean over C·H·W (``reduce_ascore``); the pixel map
  its mean over the channels, ``[N, 1, H, W]`` (``reduce_pixelwise_ascore``).

File layout (T = {"shape": [...], "data": [row-major values]})::

    {
      "version": 1, "torch": ...,
      "hsc_nets": [                  one case per HSC net
        {
          "name":          unique case name,
          "net":           the reference's class name (CNN28, CNN28_W, CNN32, CNN32_LW3K),
          "in_channels":   C,
          "input_shape":   [N, C, H, W] of the formula input,
          "labels":        one 0/1 label per sample (0 nominal, 1 anomalous),
          "state":         [[name, shape], ...] of the state dict, sorted by name,
          "output_train":  T [N, D], the net's output in training mode (batch statistics),
          "scores_train":  T [N], h of output_train,
          "loss_train":    the labelled HSC loss of output_train,
          "gradients":     {"input": T, name: T, ...}: d loss_train / d the input and
                           d loss_train / d the first batch norm's weight (bn1.weight or
                           bn2d1.weight) and fc_final.bias (small parameters whose
                           gradients pass through the whole net; the fixture stays small),
          "buffers_after": {name: T} every batch-norm buffer after that one training
                           forward pass (num_batches_tracked as a float of shape []),
          "output_eval":   T, the output in evaluation mode afterwards,
          "scores_eval":   T [N], h of output_eval,
          "loss_eval":     the evaluation-mode loss, the batch mean of scores_eval,
          "heatmap_eval":  T [N, 1, H, W], |d (sum_i h_i) / d input| summed over channels
        }, ...
      ],
      "ae_nets": [                   one case per autoencoder
        {
          "name", "net" (AE28, AE32, AE32_LW3K), "in_channels", "input_shape", "state",
          "reconstruction_train": T [N, C, H, W], training mode,
          "scores_train":  T [N], per-sample mean squared error,
          "loss_train":    the mean squared error over everything,
          "gradients":     {name: T, ...}: d loss_train / d the encoder's first batch-norm
                           weight, the decoder's first 2-D batch-norm weight and the last
                           transposed convolution's weight (AE28) or bias (AE32, AE32_LW3K),
          "buffers_after": {name: T} as above,
          "scores_eval":   T [N], per-sample mean squared error in evaluation mode afterwards,
          "error_map_eval": T [N, 1, H, W], its squared error averaged over channels (the
                           evaluation-mode reconstruction itself is not stored, to keep the
                           file small; the map pins it down)
        }, ...
      ],
      "hsc_losses": [                the HSC score and training loss on given outputs
        {"name", "outputs": T [N, D], "labels": [...], "scores": T [N], "loss": float,
         "gradient": T (d loss / d outputs)}, ...
      ],
      "ae_losses": [                 the AE error on given reconstructions and inputs
        {"name", "reconstruction": T, "inputs": T, "loss": float, "scores": T [N],
         "error_map": T [N, 1, H, W], "gradient": T (d loss / d reconstruction)}, ...
      ]
    }

The 224×224 file, ``baseline_nets_224.json``, holds only net cases, with the same keys as
above plus ``"large"``; every case is batch 2 of the 3-channel formula input
``[2, 3, 224, 224]``::

    {
      "version": 1, "torch": ..., "torchvision": ...,
      "hsc_nets": [                  CNN224, CNN224_VGG, CNN224_VGG_NOPT_1000
        {"name", "net", "large", "in_channels", "input_shape", "labels", "state",
         "output_train", "scores_train", "loss_train", "gradients", "buffers_after",
         "output_eval", "scores_eval", "loss_eval", "heatmap_eval"}, ...
      ],
      "ae_nets": [                   AE224, AE224_VGG
        {"name", "net", "large", "in_channels", "input_shape", "state",
         "reconstruction_train", "scores_train", "loss_train", "gradients",
         "buffers_after", "scores_eval", "error_map_eval"}, ...
      ]
    }

* ``"large"``: true for the VGG-based nets (about 10^8 parameters each; the Swift suite
  runs them only when asked to), false for CNN224 and AE224.
* Gradients: HSC nets d loss_train / d the input, the first batch norm's weight
  (``bn2d1.weight``, ``vgg.features.1.weight``) and a linear layer's bias near the output
  (``fc_final.bias``; ``vgg.classifier.0.bias`` for CNN224_VGG, the first linear layer of
  its cut classifier, whose gradient comes through the ReLU and ``vgg.classifier.3``;
  ``vgg.classifier.6.bias``); autoencoders the encoder's first batch-norm weight, the
  decoder's first batch-norm weight (``bn2dd1.weight``; AE224_VGG's ``bn1d.weight``) and
  the last transposed convolution's bias (``deconv7.bias``, ``defeatures.26.bias``).
* Every tensor of more than 4096 elements (input gradients, heatmaps, reconstructions,
  error maps, [2, 4096] outputs, the 25088-feature buffers of AE224_VGG) is sampled, as
  ``Scripts/fixture_formulas.py`` describes (``encode_sampled``):
  ``{"shape", "stride": s, "data": flat[::s], "sum", "abs_sum"}`` with
  ``s = ceil(count / 2000)``, ``flat`` the row-major elements and both sums over all of
  them; smaller tensors keep the plain ``T`` form. Scores and losses are never sampled.
* The state names of the VGG nets are torchvision's (``vgg.features.0.weight``, ...,
  ``vgg.classifier.0.weight``, ...; ``encoder.vgg.`` in AE224_VGG). CNN224_VGG keeps
  ``classifier[:-3]`` as the reference does: Linear(25088, 4096) → ReLU → Dropout →
  Linear(4096, 4096), so its output is the last linear layer's (no final ReLU);
  CNN224_VGG_NOPT_1000 keeps the whole classifier (… → Linear(4096, 1000)).
"""

import copy
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_formulas import (SAMPLE_ABOVE, buffer_deviation, dumps, encode, encode_buffers,  # noqa: E402
                              encode_sampled, encode_value, f32, fill, formula_input, grid, names_and_shapes,
                              relative_deviation, report, sampled_deviation, section, sum_deviation,
                              write_fixture)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "FCDDTests" / "Fixtures" / "baseline_nets.json"
OUTPUT_224 = ROOT / "Tests" / "FCDDTests" / "Fixtures" / "baseline_nets_224.json"

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------
# The nets, as the reference defines them (`models/shallow_cnn_*.py`). Constructor order and
# module names are the reference's; `bias=True` as the CLI always passes it
# (`runners/argparse_configs.py`), so
# convolutions and linear layers have biases and batch norms are affine; eps 1e-4 for
# every batch norm, 2-D and 1-D; F.leaky_relu's default slope 0.01; F.interpolate's default
# mode 'nearest' with scale factor 2.


def conv(cin, cout, k, padding):
    return nn.Conv2d(cin, cout, k, padding=padding, bias=True)


def bn2d(c):
    return nn.BatchNorm2d(c, eps=1e-4, affine=True)


def bn1d(c):
    return nn.BatchNorm1d(c, eps=1e-4, affine=True)


def deconv(cin, cout, k, padding, xavier):
    """A transposed convolution; AE28 and AE32 re-initialise its weight with xavier-uniform
    (gain for leaky ReLU), AE32_LW3K keeps PyTorch's default. Irrelevant for the fixture,
    whose fill overwrites every weight, but kept to mirror the reference."""
    layer = nn.ConvTranspose2d(cin, cout, k, padding=padding, bias=True)
    if xavier:
        nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain("leaky_relu"))
    return layer


def up(x):
    return F.interpolate(x, scale_factor=2)


class CNN28(nn.Module):
    """`shallow_cnn_28.py` CNN28 (8 and 4 channels) and CNN28_W (128 and 64): two blocks of
    conv 5×5 p2 → BN → lrelu → pool 2, then fc_final 4·7·7 (or 64·7·7) → 48."""

    def __init__(self, cin, wide=False):
        super().__init__()
        first, second = (128, 64) if wide else (8, 4)
        self.conv1 = conv(cin, first, 5, 2)
        self.bn1 = bn2d(first)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = conv(first, second, 5, 2)
        self.bn2 = bn2d(second)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.fc_final = nn.Linear(second * 7 * 7, 48, bias=True)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(F.leaky_relu(self.bn1(x)))
        x = self.conv2(x)
        x = self.pool2(F.leaky_relu(self.bn2(x)))
        x = x.contiguous().view(x.size(0), -1)
        return self.fc_final(x)


class CNN32Head(nn.Module):
    """What CNN32 and CNN32_LW3K share after their first blocks: conv3 → 128 → BN → lrelu →
    pool 2 (8×8 → 4×4), then fc1 2048 → 512 → BN1d → lrelu → fc_final 512 → 64. A subclass
    registers it last (as the reference does) with `add_head` and ends its forward with
    `head`; the modules are the subclass's own, under the reference's names."""

    def add_head(self, cin, k, p):
        self.conv3 = conv(cin, 128, k, p)
        self.bn2d3 = bn2d(128)
        self.pool3 = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(128 * 4 * 4, 512, bias=True)
        self.bn1d1 = bn1d(512)
        self.fc_final = nn.Linear(512, 64, bias=True)

    def head(self, x):
        x = self.conv3(x)
        x = self.pool3(F.leaky_relu(self.bn2d3(x)))
        x = x.contiguous().view(x.size(0), -1)
        x = F.leaky_relu(self.bn1d1(self.fc1(x)))
        return self.fc_final(x)


class CNN32(CNN32Head):
    """`shallow_cnn_32.py` CNN32: three blocks conv 5×5 p2 (32, 64, 128) → BN → lrelu →
    pool 2, then fc1 2048 → 512 → BN1d → lrelu → fc_final 512 → 64."""

    def __init__(self, cin):
        super().__init__()
        self.conv1 = conv(cin, 32, 5, 2)
        self.bn2d1 = bn2d(32)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = conv(32, 64, 5, 2)
        self.bn2d2 = bn2d(64)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.add_head(64, 5, 2)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(F.leaky_relu(self.bn2d1(x)))
        x = self.conv2(x)
        x = self.pool2(F.leaky_relu(self.bn2d2(x)))
        return self.head(x)


class CNN32_LW3K(CNN32Head):
    """`shallow_cnn_32.py` CNN32_LW3K: conv 3×3 p1 128 → BN → lrelu → pool; 256 → BN →
    lrelu; conv25 256 → BN → lrelu → pool; conv3 128 → BN → lrelu → pool; fc1 2048 → 512 →
    BN1d → lrelu → fc_final 512 → 64."""

    def __init__(self, cin):
        super().__init__()
        self.conv1 = conv(cin, 128, 3, 1)
        self.bn2d1 = bn2d(128)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = conv(128, 256, 3, 1)
        self.bn2d2 = bn2d(256)
        self.conv25 = conv(256, 256, 3, 1)
        self.bn2d25 = bn2d(256)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.add_head(256, 3, 1)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(F.leaky_relu(self.bn2d1(x)))
        x = self.conv2(x)
        x = F.leaky_relu(self.bn2d2(x))
        x = self.conv25(x)
        x = self.pool2(F.leaky_relu(self.bn2d25(x)))
        return self.head(x)


class AE28(nn.Module):
    """`shallow_cnn_28.py` AE28 on a CNN28 encoder: the 48 features viewed as 3×4×4 →
    lrelu → up → deconv1 3→4 k5 p2 (8×8) → BN → lrelu → up → deconv2 4→8 k5 p3 (14×14) →
    BN → lrelu → up → deconv3 8→1 k5 p2 (28×28) → sigmoid. Xavier init on the deconvs."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.deconv1 = deconv(3, 4, 5, 2, xavier=True)
        self.bn3 = bn2d(4)
        self.deconv2 = deconv(4, 8, 5, 3, xavier=True)
        self.bn4 = bn2d(8)
        self.deconv3 = deconv(8, 1, 5, 2, xavier=True)

    def forward(self, x):
        x = self.encoder(x)
        x = x.view(x.size(0), 3, 4, 4)
        x = up(F.leaky_relu(x))
        x = self.deconv1(x)
        x = up(F.leaky_relu(self.bn3(x)))
        x = self.deconv2(x)
        x = up(F.leaky_relu(self.bn4(x)))
        x = self.deconv3(x)
        return torch.sigmoid(x)


class AE32(nn.Module):
    """`shallow_cnn_32.py` AE32 on a CNN32 encoder: BN1d(64) → view 4×4×4 → lrelu →
    deconv1 4→128 k5 p2 → BN → lrelu → up → deconv2 128→64 → BN → lrelu → up → deconv3
    64→32 → BN → lrelu → up → deconv4 32→3 (32×32), no final activation. Xavier init."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.bn1d = bn1d(64)
        self.deconv1 = deconv(4, 128, 5, 2, xavier=True)
        self.bn2d4 = bn2d(128)
        self.deconv2 = deconv(128, 64, 5, 2, xavier=True)
        self.bn2d5 = bn2d(64)
        self.deconv3 = deconv(64, 32, 5, 2, xavier=True)
        self.bn2d6 = bn2d(32)
        self.deconv4 = deconv(32, 3, 5, 2, xavier=True)

    def forward(self, x):
        x = self.bn1d(self.encoder(x))
        x = F.leaky_relu(x.view(x.size(0), 4, 4, 4))
        x = self.deconv1(x)
        x = up(F.leaky_relu(self.bn2d4(x)))
        x = self.deconv2(x)
        x = up(F.leaky_relu(self.bn2d5(x)))
        x = self.deconv3(x)
        x = up(F.leaky_relu(self.bn2d6(x)))
        return self.deconv4(x)


class AE32_LW3K(nn.Module):
    """`shallow_cnn_32.py` AE32_LW3K on a CNN32_LW3K encoder: BN1d(64) → view 4×4×4 →
    lrelu → deconv1 4→128 k3 p1 → BN → lrelu → up → deconv2 128→256 → BN → lrelu →
    deconv25 256→256 → BN (bn2d55) → lrelu → up → deconv3 256→128 → BN → lrelu → up →
    deconv4 128→3, no final activation. PyTorch's default init (no xavier here)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.bn1d = bn1d(64)
        self.deconv1 = deconv(4, 128, 3, 1, xavier=False)
        self.bn2d4 = bn2d(128)
        self.deconv2 = deconv(128, 256, 3, 1, xavier=False)
        self.bn2d5 = bn2d(256)
        self.deconv25 = deconv(256, 256, 3, 1, xavier=False)
        self.bn2d55 = bn2d(256)
        self.deconv3 = deconv(256, 128, 3, 1, xavier=False)
        self.bn2d6 = bn2d(128)
        self.deconv4 = deconv(128, 3, 3, 1, xavier=False)

    def forward(self, x):
        x = self.bn1d(self.encoder(x))
        x = F.leaky_relu(x.view(x.size(0), 4, 4, 4))
        x = self.deconv1(x)
        x = up(F.leaky_relu(self.bn2d4(x)))
        x = self.deconv2(x)
        x = F.leaky_relu(self.bn2d5(x))
        x = self.deconv25(x)
        x = up(F.leaky_relu(self.bn2d55(x)))
        x = self.deconv3(x)
        x = up(F.leaky_relu(self.bn2d6(x)))
        return self.deconv4(x)


# ---------------------------------------------------------------------------------------
# The 224×224 nets (`shallow_cnn_224.py`), for the second fixture file. CNN224 and AE224
# follow the conventions above (eps 1e-4, leaky ReLU, nearest upsampling); the VGG-based
# nets wrap torchvision's vgg11_bn (no pretrained weights are loaded: the fill overwrites
# them), whose batch norms keep PyTorch's default eps 1e-5, as do AE224_VGG's.


class CNN224(nn.Module):
    """`shallow_cnn_224.py` CNN224: conv 5×5 p2 8 → BN → lrelu → pool 3/2/1 (112²);
    conv 5×5 p2 32 → BN → lrelu → pool (56²); conv 3×3 p1 64 → BN → lrelu; conv 128 → BN →
    lrelu → pool (28²); conv 128 → BN → lrelu → pool (14²); conv 64 → BN → lrelu → pool
    (7²); fc1 3136 → 1536 → BN1d → lrelu → fc_final 1536 → 784."""

    def __init__(self, cin):
        super().__init__()
        self.conv1 = conv(cin, 8, 5, 2)
        self.bn2d1 = bn2d(8)
        self.pool1 = nn.MaxPool2d(3, 2, 1)
        self.conv2 = conv(8, 32, 5, 2)
        self.bn2d2 = bn2d(32)
        self.pool2 = nn.MaxPool2d(3, 2, 1)
        self.conv3 = conv(32, 64, 3, 1)
        self.bn2d3 = bn2d(64)
        self.conv4 = conv(64, 128, 3, 1)
        self.bn2d4 = bn2d(128)
        self.pool3 = nn.MaxPool2d(3, 2, 1)
        self.conv5 = conv(128, 128, 3, 1)
        self.bn2d5 = bn2d(128)
        self.pool4 = nn.MaxPool2d(3, 2, 1)
        self.conv6 = conv(128, 64, 3, 1)
        self.bn2d6 = bn2d(64)
        self.pool5 = nn.MaxPool2d(3, 2, 1)
        self.fc1 = nn.Linear(64 * 7 * 7, 1536, bias=True)
        self.bn1d1 = bn1d(1536)
        self.fc_final = nn.Linear(1536, 784, bias=True)

    def forward(self, x):
        x = self.pool1(F.leaky_relu(self.bn2d1(self.conv1(x))))
        x = self.pool2(F.leaky_relu(self.bn2d2(self.conv2(x))))
        x = F.leaky_relu(self.bn2d3(self.conv3(x)))
        x = self.pool3(F.leaky_relu(self.bn2d4(self.conv4(x))))
        x = self.pool4(F.leaky_relu(self.bn2d5(self.conv5(x))))
        x = self.pool5(F.leaky_relu(self.bn2d6(self.conv6(x))))
        x = x.contiguous().view(x.size(0), -1)
        x = F.leaky_relu(self.bn1d1(self.fc1(x)))
        return self.fc_final(x)


class AE224(nn.Module):
    """`shallow_cnn_224.py` AE224 on a CNN224 encoder: BN1d(784) → view 16×7×7 → lrelu →
    deconv1 16→64 k3 p1 → BN → lrelu → up (14²) → deconv2 64→128 → BN → lrelu → up (28²) →
    deconv3 128→128 → BN → lrelu → up (56²) → deconv4 128→64 → BN → lrelu → deconv5 64→32 →
    BN → lrelu → up (112²) → deconv6 32→8 k5 p2 → BN → lrelu → up (224²) → deconv7 8→C k5 p2
    → sigmoid. Xavier init on the deconvs."""

    def __init__(self, encoder, cin):
        super().__init__()
        self.encoder = encoder
        self.bn1d = bn1d(784)
        self.deconv1 = deconv(16, 64, 3, 1, xavier=True)
        self.bn2dd1 = bn2d(64)
        self.deconv2 = deconv(64, 128, 3, 1, xavier=True)
        self.bn2dd2 = bn2d(128)
        self.deconv3 = deconv(128, 128, 3, 1, xavier=True)
        self.bn2dd3 = bn2d(128)
        self.deconv4 = deconv(128, 64, 3, 1, xavier=True)
        self.bn2dd4 = bn2d(64)
        self.deconv5 = deconv(64, 32, 3, 1, xavier=True)
        self.bn2dd5 = bn2d(32)
        self.deconv6 = deconv(32, 8, 5, 2, xavier=True)
        self.bn2dd6 = bn2d(8)
        self.deconv7 = deconv(8, cin, 5, 2, xavier=True)

    def forward(self, x):
        x = self.bn1d(self.encoder(x))
        x = F.leaky_relu(x.view(x.size(0), 16, 7, 7))
        x = self.deconv1(x)
        x = up(F.leaky_relu(self.bn2dd1(x)))
        x = self.deconv2(x)
        x = up(F.leaky_relu(self.bn2dd2(x)))
        x = self.deconv3(x)
        x = up(F.leaky_relu(self.bn2dd3(x)))
        x = self.deconv4(x)
        x = F.leaky_relu(self.bn2dd4(x))
        x = self.deconv5(x)
        x = up(F.leaky_relu(self.bn2dd5(x)))
        x = self.deconv6(x)
        x = up(F.leaky_relu(self.bn2dd6(x)))
        return torch.sigmoid(self.deconv7(x))


class CNN224_VGG(nn.Module):
    """`shallow_cnn_224.py` CNN224_VGG (and, with `head_1000`, CNN224_VGG_NOPT_1000): the
    child `vgg` is torchvision's vgg11_bn (features: 8 conv 3×3 → BN → ReLU blocks with 5
    max pools, 224² → 7²; avgpool AdaptiveAvgPool2d(7), the identity here; classifier).
    Without `head_1000` its classifier is cut to `classifier[:-3]`: of Linear(25088, 4096)
    → ReLU → Dropout → Linear(4096, 4096) → ReLU → Dropout → Linear(4096, 1000) the first
    four stay, so the output is Linear(4096, 4096)'s, 4096 features, not rectified (the
    reference's ImageNet weights are irrelevant here: the fill overwrites them); with
    `head_1000` the full classifier ends in 1000. Three input channels (`cin` must be 3)."""

    def __init__(self, cin, head_1000=False):
        super().__init__()
        assert cin == 3, cin
        model = torchvision.models.vgg11_bn(weights=None)
        if not head_1000:
            model.classifier = model.classifier[:-3]
        self.vgg = model

    def forward(self, x):
        return self.vgg(x)


class AE224_VGG(nn.Module):
    """`shallow_cnn_224.py` AE224_VGG on a CNN224_VGG encoder: BN1d(4096) → ReLU →
    declassifier (Linear 4096 → 25088 → BN1d → ReLU) → view 512×7×7 → defeatures: up →
    deconv 512→512 → BN → ReLU → deconv 512→512 → BN → ReLU → up → 512→512 → BN → ReLU →
    512→256 → BN → ReLU → up → 256→256 → BN → ReLU → 256→128 → BN → ReLU → up → 128→64 →
    BN → ReLU → up → 64→C (all 3×3 stride 1 padding 1; 7² → 224²), no final activation.
    PyTorch's default init and batch-norm eps (1e-5)."""

    def __init__(self, encoder, cin):
        super().__init__()
        self.encoder = encoder
        self.bn1d = nn.BatchNorm1d(4096)
        self.declassifier = nn.Sequential(nn.Linear(4096, 25088), nn.BatchNorm1d(25088), nn.ReLU(True))
        self.defeatures = nn.Sequential(
            nn.Upsample(scale_factor=2),
            nn.ConvTranspose2d(512, 512, 3, 1, 1), nn.BatchNorm2d(512), nn.ReLU(True),
            nn.ConvTranspose2d(512, 512, 3, 1, 1), nn.BatchNorm2d(512), nn.ReLU(True),
            nn.Upsample(scale_factor=2),
            nn.ConvTranspose2d(512, 512, 3, 1, 1), nn.BatchNorm2d(512), nn.ReLU(True),
            nn.ConvTranspose2d(512, 256, 3, 1, 1), nn.BatchNorm2d(256), nn.ReLU(True),
            nn.Upsample(scale_factor=2),
            nn.ConvTranspose2d(256, 256, 3, 1, 1), nn.BatchNorm2d(256), nn.ReLU(True),
            nn.ConvTranspose2d(256, 128, 3, 1, 1), nn.BatchNorm2d(128), nn.ReLU(True),
            nn.Upsample(scale_factor=2),
            nn.ConvTranspose2d(128, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.Upsample(scale_factor=2),
            nn.ConvTranspose2d(64, cin, 3, 1, 1),
        )

    def forward(self, x):
        x = self.encoder(x)
        x = F.relu(self.bn1d(x))
        x = self.declassifier(x)
        x = x.view(x.size(0), 512, 7, 7)
        return self.defeatures(x)


# ---------------------------------------------------------------------------------------
# The objectives (`training/hsc.py`, `training/ae.py`,
# `training/bases.py`, `models/bases.py: BaseNet.get_grad_heatmap`)


def hsc_scores(outs):
    """h = sqrt(||out||² + 1) − 1 over the last axis."""
    return ((outs ** 2).sum(-1) + 1).sqrt() - 1


def hsc_loss(outs, labels, training):
    """`HSCTrainer.__hsc_loss` with reduce='mean': in training mode h for nominal and
    −log(1 − exp(−h) + 1e-31) for anomalous samples (written into the per-sample vector by
    label masks, as the reference does), then the batch mean; in evaluation mode mean h."""
    loss = hsc_scores(outs)
    if training:
        y = torch.tensor(labels)
        norm = loss[y == 0]
        anom = -(((1 - (-loss[y == 1]).exp()) + 1e-31).log())
        loss = loss.clone()
        loss[y == 0] = norm
        loss[y == 1] = anom
    return loss.mean()


def grad_heatmap(per_sample_losses, inputs):
    """`BaseNet.get_grad_heatmap`, 'grad', absolute: d(Σᵢ lossᵢ)/d input, |·|, summed over
    channels (keepdim)."""
    losses = per_sample_losses.view(per_sample_losses.size(0), -1).mean(-1)
    (grads,) = torch.autograd.grad((*losses,), inputs)
    return grads.abs().sum(1, keepdim=True)


def ae_errors(rec, x):
    """`AETrainer.loss` with reduce='none': (outs − ins)²."""
    return (rec - x) ** 2


def ae_scores(errors):
    """`reduce_ascore`: the per-sample mean over C·H·W."""
    return errors.reshape(errors.size(0), -1).mean(1)


def ae_maps(errors):
    """`reduce_pixelwise_ascore`: the mean over channels, [N, 1, H, W]."""
    return errors.mean(1).unsqueeze(1)


# ---------------------------------------------------------------------------------------
# Checking a float32 run against the float64 one


def float32_deviations(r32, r64, keys, sums=False):
    """How far the float32 run `r32` lies from the float64 run `r64`: the results named in
    `keys`, every recorded gradient, and the batch-norm buffers. With `sums`, also, for
    every tensor that `encode_sampled` samples, the deviation on the kept elements only
    ("name[::s]") and that of its `sum` relative to its `abs_sum` ("Σ name")."""
    deviations = {k: relative_deviation(r32[k], r64[k]) for k in keys}
    deviations.update({f"d/d {k}": relative_deviation(r32["gradients"][k], r64["gradients"][k]) for k in r64["gradients"]})
    deviations["buffers"] = buffer_deviation(r32["buffers_after"], r64["buffers_after"])
    if sums:
        tensors = [(k, r32[k], r64[k]) for k in keys]
        tensors += [(f"d/d {k}", r32["gradients"][k], r64["gradients"][k]) for k in r64["gradients"]]
        tensors += [(k, r32["buffers_after"][k], r64["buffers_after"][k]) for k in r64["buffers_after"]]
        for k, a32, a64 in tensors:
            if torch.as_tensor(a64).numel() > SAMPLE_ABOVE:
                deviations[f"{k}[::s]"] = sampled_deviation(a32, a64)
                deviations[f"Σ {k}"] = sum_deviation(a32, a64)
    return deviations


def training_mode(net):
    """`net.train()`, then every dropout module back in evaluation mode: batch norms use
    and update batch statistics, dropout is off (its random draws cannot be reproduced on
    the Swift side, whose tests switch dropout off the same way). Only the VGG-based nets
    of the 224×224 fixture have dropout."""
    net.train()
    for module in net.modules():
        if isinstance(module, nn.Dropout):
            module.eval()
    return net


def assert_one_batch_tracked(buffers):
    """Every batch norm of these nets is used, so each counted the one training batch."""
    for key, count in buffers.items():
        if key.endswith("num_batches_tracked"):
            assert int(count) == 1, (key, count)


# ---------------------------------------------------------------------------------------
# Running a net in float64 and float32 and writing its case


def run_hsc(net32, shape, labels, keys, dtype):
    """The HSC case of the filled float32 net `net32`, on a copy converted to `dtype`: one
    training-mode pass (loss, the gradients named in `keys`, "input" first), then
    evaluation mode (scores, loss, heatmap)."""
    net = training_mode(copy.deepcopy(net32).to(dtype))
    x = formula_input(shape).to(dtype).requires_grad_(True)
    out = net(x)
    scores = hsc_scores(out)
    loss = hsc_loss(out, labels, training=True)
    params = dict(net.named_parameters())
    grads = torch.autograd.grad(loss, [x] + [params[k] for k in keys[1:]])
    buffers = {name: b.detach().clone() for name, b in net.named_buffers()}
    net.eval()
    x_eval = x.detach().clone().requires_grad_(True)
    out_eval = net(x_eval)
    scores_eval = hsc_scores(out_eval)
    loss_eval = hsc_loss(out_eval, labels, training=False)
    heatmap = grad_heatmap(scores_eval, x_eval)
    return {
        "net": net, "output_train": out, "scores_train": scores, "loss_train": loss,
        "gradients": dict(zip(keys, grads)), "buffers_after": buffers,
        "output_eval": out_eval, "scores_eval": scores_eval, "loss_eval": loss_eval, "heatmap_eval": heatmap,
    }


def run_ae(net32, shape, keys, dtype):
    """The autoencoder case of the filled float32 net `net32`, on a copy converted to
    `dtype`: one training-mode pass (reconstruction, loss, the gradients named in `keys`),
    then evaluation mode (scores and error map)."""
    net = training_mode(copy.deepcopy(net32).to(dtype))
    x = formula_input(shape).to(dtype)
    rec = net(x)
    assert rec.shape == x.shape, (rec.shape, x.shape)
    errors = ae_errors(rec, x)
    loss = errors.mean()
    params = dict(net.named_parameters())
    grads = torch.autograd.grad(loss, [params[k] for k in keys])
    buffers = {name: b.detach().clone() for name, b in net.named_buffers()}
    net.eval()
    with torch.no_grad():
        rec_eval = net(x)
        errors_eval = ae_errors(rec_eval, x)
    return {
        "net": net, "reconstruction_train": rec, "scores_train": ae_scores(errors), "loss_train": loss,
        "gradients": dict(zip(keys, grads)), "buffers_after": buffers,
        "reconstruction_eval": rec_eval, "scores_eval": ae_scores(errors_eval), "error_map_eval": ae_maps(errors_eval),
    }


def magnitudes(t):
    """max |t|, mean |t| and the share of exact zeros, for spotting degenerate outputs."""
    t = t.detach()
    return (f"max |·| {float(t.abs().max()):.3g}, mean |·| {float(t.abs().mean()):.3g}, "
            f"zeros {float((t == 0).double().mean()):.0%}")


def hsc_net_case(name, net_name, make, shape, labels, keys, large=None, encoding=encode):
    """Runs the HSC net `make(C)` filled with the formula weights in float64 and float32,
    reports the deviations and returns the case. `large` (a bool) adds the "large" key;
    `encoding` writes the tensors (`encode_sampled` for the 224×224 nets)."""
    net32 = fill(make(shape[1]))
    r64 = run_hsc(net32, shape, labels, keys, torch.float64)
    r32 = run_hsc(net32, shape, labels, keys, torch.float32)
    sampled = encoding is not encode
    deviations = float32_deviations(r32, r64, ["output_train", "scores_train", "loss_train", "output_eval",
                                               "scores_eval", "loss_eval", "heatmap_eval"], sums=sampled)
    summary = (f"out {list(r64['output_train'].shape)}, loss {float(r64['loss_train'].detach()):.6g}, "
               f"h ∈ [{float(r64['scores_train'].detach().min()):.3g}, {float(r64['scores_train'].detach().max()):.3g}]")
    if sampled:
        summary += (f", eval loss {float(r64['loss_eval'].detach()):.6g}; output_train {magnitudes(r64['output_train'])}; "
                    f"output_eval {magnitudes(r64['output_eval'])}")
    report(name, summary, deviations)
    assert_one_batch_tracked(r64["buffers_after"])
    return {
        "name": name, "net": net_name, **({} if large is None else {"large": large}),
        "in_channels": shape[1], "input_shape": shape, "labels": labels,
        "state": names_and_shapes(r64["net"]),
        "output_train": encoding(r64["output_train"]), "scores_train": encode(r64["scores_train"]),
        "loss_train": encode_value(r64["loss_train"].detach(), 10),
        "gradients": {k: encoding(v) for k, v in r64["gradients"].items()},
        "buffers_after": encode_buffers(r64["buffers_after"], encoding),
        "output_eval": encoding(r64["output_eval"]), "scores_eval": encode(r64["scores_eval"]),
        "loss_eval": encode_value(r64["loss_eval"].detach(), 10),
        "heatmap_eval": encoding(r64["heatmap_eval"]),
    }


def ae_net_case(name, net_name, make, shape, keys, large=None, encoding=encode):
    """Runs the autoencoder `make(C)` as `hsc_net_case` runs an HSC net."""
    net32 = fill(make(shape[1]))
    r64 = run_ae(net32, shape, keys, torch.float64)
    r32 = run_ae(net32, shape, keys, torch.float32)
    sampled = encoding is not encode
    deviations = float32_deviations(r32, r64, ["reconstruction_train", "scores_train", "loss_train",
                                               "reconstruction_eval", "scores_eval", "error_map_eval"], sums=sampled)
    summary = f"rec {list(r64['reconstruction_train'].shape)}, loss {float(r64['loss_train'].detach()):.6g}"
    if sampled:
        summary += (f", eval scores {[round(float(v), 4) for v in r64['scores_eval']]}; "
                    f"reconstruction_train {magnitudes(r64['reconstruction_train'])}; "
                    f"reconstruction_eval {magnitudes(r64['reconstruction_eval'])}")
    report(name, summary, deviations)
    assert_one_batch_tracked(r64["buffers_after"])
    return {
        "name": name, "net": net_name, **({} if large is None else {"large": large}),
        "in_channels": shape[1], "input_shape": shape,
        "state": names_and_shapes(r64["net"]),
        "reconstruction_train": encoding(r64["reconstruction_train"]), "scores_train": encode(r64["scores_train"]),
        "loss_train": encode_value(r64["loss_train"].detach(), 10),
        "gradients": {k: encoding(v) for k, v in r64["gradients"].items()},
        "buffers_after": encode_buffers(r64["buffers_after"], encoding),
        "scores_eval": encode(r64["scores_eval"]), "error_map_eval": encoding(r64["error_map_eval"]),
    }


# ---------------------------------------------------------------------------------------
# HSC nets

HSC_CASES = [
    ("cnn28_1x28x28_b4", "CNN28", lambda c: CNN28(c), [4, 1, 28, 28], [0, 1, 0, 1], "bn1"),
    ("cnn28w_1x28x28_b3", "CNN28_W", lambda c: CNN28(c, wide=True), [3, 1, 28, 28], [1, 0, 1], "bn1"),
    ("cnn32_3x32x32_b3", "CNN32", lambda c: CNN32(c), [3, 3, 32, 32], [0, 1, 1], "bn2d1"),
    ("cnn32lw3k_3x32x32_b3", "CNN32_LW3K", lambda c: CNN32_LW3K(c), [3, 3, 32, 32], [0, 0, 1], "bn2d1"),
]

HSC_NETS = [hsc_net_case(name, net_name, make, shape, labels, ["input", f"{first_bn}.weight", "fc_final.bias"])
            for name, net_name, make, shape, labels, first_bn in HSC_CASES]

# ---------------------------------------------------------------------------------------
# Autoencoders

AE_CASES = [
    ("ae28_1x28x28_b3", "AE28", lambda c: AE28(CNN28(c)), [3, 1, 28, 28],
     ["encoder.bn1.weight", "bn3.weight", "deconv3.weight"]),
    ("ae32_3x32x32_b3", "AE32", lambda c: AE32(CNN32(c)), [3, 3, 32, 32],
     ["encoder.bn2d1.weight", "bn2d4.weight", "deconv4.bias"]),
    ("ae32lw3k_3x32x32_b3", "AE32_LW3K", lambda c: AE32_LW3K(CNN32_LW3K(c)), [3, 3, 32, 32],
     ["encoder.bn2d1.weight", "bn2d4.weight", "deconv4.bias"]),
]

AE_NETS = [ae_net_case(*case) for case in AE_CASES]

# ---------------------------------------------------------------------------------------
# Losses on given tensors, in float64 on float32 inputs


HSC_LOSSES = []


def hsc_case(name, outs, labels):
    loss = hsc_loss(outs, labels, training=True)
    (gradient,) = torch.autograd.grad(loss, [outs])
    assert math.isfinite(float(loss.detach())) and bool(torch.isfinite(gradient).all())
    HSC_LOSSES.append({"name": name, "outputs": encode(outs, 9), "labels": labels,
                       "scores": encode(hsc_scores(outs), 12), "loss": encode_value(loss.detach(), 12),
                       "gradient": encode(gradient, 10)})


hsc_case("mixed", f32(grid([4, 5], 0.8, phase=0.2), [4, 5]), [0, 1, 0, 1])
hsc_case("all_nominal", f32(grid([2, 6], 1.5, phase=0.9), [2, 6]), [0, 0])
hsc_case("all_anomalous", f32(grid([3, 4], 0.6, phase=1.7), [3, 4]), [1, 1, 1])
# h ≈ 1e-6: outputs ≈ 7e-4, where sqrt(s + 1) − 1 and 1 − exp(−h) both cancel in float32.
hsc_case("tiny_outputs", f32([v * 1e-3 for v in grid([3, 2], 0.2, offset=0.7, phase=0.4)], [3, 2]), [1, 0, 1])
# h ≈ 20–40: the anomalous term ≈ e^(−h) is tiny but positive in float64.
hsc_case("large_outputs", f32(grid([2, 3], 4.0, offset=15.0, phase=0.3), [2, 3]), [1, 0])
# A zero output for an anomalous sample: h = 0, the 1e-31 floor keeps the term finite.
hsc_case("zero_output_anomalous", f32([0.0] * 6, [2, 3]), [1, 0])

AE_LOSSES = []


def ae_case(name, rec, x):
    errors = ae_errors(rec, x)
    loss = errors.mean()
    (gradient,) = torch.autograd.grad(loss, [rec])
    AE_LOSSES.append({"name": name, "reconstruction": encode(rec, 9), "inputs": encode(x, 9),
                      "loss": encode_value(loss.detach(), 12), "scores": encode(ae_scores(errors), 12),
                      "error_map": encode(ae_maps(errors), 12), "gradient": encode(gradient, 10)})


shape = [2, 3, 4, 5]
ae_case("colour", f32(grid(shape, 0.5, offset=0.5, phase=0.1), shape), f32(grid(shape, 1.0, phase=2.3), shape).detach())
shape = [3, 1, 3, 3]
ae_case("grey", f32(grid(shape, 0.4, offset=0.5, phase=1.0), shape), f32(grid(shape, 0.5, offset=0.5, phase=0.6), shape).detach())
shape = [1, 2, 2, 2]
same = grid(shape, 0.3, phase=0.5)
ae_case("perfect", f32(same, shape), f32(same, shape).detach())

# ---------------------------------------------------------------------------------------


text = (
    '{"version":1,"torch":' + dumps(torch.__version__.split("+")[0]) + ",\n"
    + section("hsc_nets", HSC_NETS) + ",\n"
    + section("ae_nets", AE_NETS) + ",\n"
    + section("hsc_losses", HSC_LOSSES) + ",\n"
    + section("ae_losses", AE_LOSSES)
    + "\n}"
)
write_fixture(OUTPUT, text)
print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(HSC_NETS)} HSC nets, {len(AE_NETS)} autoencoders, "
      f"{len(HSC_LOSSES)} HSC and {len(AE_LOSSES)} AE loss cases, {len(text) / 1024:.1f} KiB")

# ---------------------------------------------------------------------------------------
# The 224×224 nets, in a second file; tensors of more than 4096 elements are sampled
# (`encode_sampled`). Two threads: these nets take minutes on the CPU.

torch.set_num_threads(2)
SHAPE_224 = [2, 3, 224, 224]

HSC_CASES_224 = [
    ("cnn224_3x224x224_b2", "CNN224", lambda c: CNN224(c), False, [0, 1],
     ["input", "bn2d1.weight", "fc_final.bias"]),
    ("cnn224vgg_3x224x224_b2", "CNN224_VGG", lambda c: CNN224_VGG(c), True, [1, 0],
     ["input", "vgg.features.1.weight", "vgg.classifier.0.bias"]),
    ("cnn224vggnopt1000_3x224x224_b2", "CNN224_VGG_NOPT_1000", lambda c: CNN224_VGG(c, head_1000=True), True, [0, 1],
     ["input", "vgg.features.1.weight", "vgg.classifier.6.bias"]),
]

AE_CASES_224 = [
    ("ae224_3x224x224_b2", "AE224", lambda c: AE224(CNN224(c), c), False,
     ["encoder.bn2d1.weight", "bn2dd1.weight", "deconv7.bias"]),
    ("ae224vgg_3x224x224_b2", "AE224_VGG", lambda c: AE224_VGG(CNN224_VGG(c), c), True,
     ["encoder.vgg.features.1.weight", "bn1d.weight", "defeatures.26.bias"]),
]


def timed(run, *args, **kwargs):
    began = time.time()
    case = run(*args, **kwargs)
    print(f"  ({case['name']}: {time.time() - began:.0f} s)")
    return case


HSC_NETS_224 = [timed(hsc_net_case, name, net_name, make, SHAPE_224, labels, keys, large=large, encoding=encode_sampled)
                for name, net_name, make, large, labels, keys in HSC_CASES_224]
AE_NETS_224 = [timed(ae_net_case, name, net_name, make, SHAPE_224, keys, large=large, encoding=encode_sampled)
               for name, net_name, make, large, keys in AE_CASES_224]

text_224 = (
    '{"version":1,"torch":' + dumps(torch.__version__.split("+")[0]) + ","
    + '"torchvision":' + dumps(torchvision.__version__.split("+")[0]) + ",\n"
    + section("hsc_nets", HSC_NETS_224) + ",\n"
    + section("ae_nets", AE_NETS_224)
    + "\n}"
)
write_fixture(OUTPUT_224, text_224)
print(f"wrote {OUTPUT_224.relative_to(ROOT)}: {len(HSC_NETS_224)} HSC nets, {len(AE_NETS_224)} autoencoders, "
      f"{len(text_224) / 1024:.1f} KiB")
