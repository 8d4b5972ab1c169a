#!/usr/bin/env python3
"""Write the reference fixture for the Datasets transforms (``Sources/Datasets/Transforms``).

It needs PyTorch, torchvision, NumPy and Pillow::

    pip install torch torchvision numpy pillow
    python3 Scripts/make_transform_fixtures.py [--reference PATH]

Run it from anywhere; it writes ``Tests/DatasetsTests/Fixtures/transforms.json``, which
``Tests/DatasetsTests/TransformTests.swift`` reads through ``Bundle.module``, so the Swift
tests never need Python. The output is deterministic (fixed NumPy seed, CPU, one thread).

What the references are
-----------------------
* Inputs: a 3×5×7 RGB image and a 1×5×7 grey image with float32 values in [0, 1] (plus
  pixels chosen to hit the special cases of the HSV conversion: grey pixels, ties for the
  largest channel, 0 and 1), and a binary 1×5×7 mask.
* ``resize``: ``torchvision.transforms.functional.resize`` on the tensors with
  ``antialias=False`` (the Swift resize does not antialias) for bilinear and nearest, and
  ``torch.nn.functional.interpolate(mode='nearest-exact')`` for the pixel-centre nearest
  mode. The script asserts that PIL's ``NEAREST`` resize (what FCDD's MVTec-AD pipeline runs
  on PIL images) picks the same pixels as ``nearest-exact`` for every case. Sizes are exact
  ``(h, w)`` or an int (shorter side, torchvision's ``Resize(int)``).
* ``centerCrop``: ``F.center_crop`` for crops whose size differs from the image's by even
  and odd amounts (Python's round-half-to-even) and crops larger than the image (zero pad).
* ``color``: ``F.adjust_brightness/contrast/saturation/hue`` with fixed factors (rounded to
  float32 first, so that Python's double factor equals the Swift Float), on both images;
  ``jitter``: the four adjustments chained in a given order, as ``ColorJitter`` applies
  them; ``grayscale``: ``F.rgb_to_grayscale`` with 1 and 3 output channels.
  torchvision's tensor ``rgb_to_grayscale`` weights red by 0.2989; the Swift code uses the
  ITU-R BT.601 / PIL weight 0.299. The script therefore patches torchvision's grey
  conversion to 0.299 while computing these references (the adjust functions call it by
  module lookup) and records the largest difference the patch makes
  (``lumaPatchMaxDifference``) for the record.
* ``normalize``: ``F.normalize`` with three per-channel values and with one value.
* ``lcn``: a NumPy float32 re-implementation of FCDD's
  ``fcdd.datasets.preprocessing.local_contrast_normalization`` (scale ``'l1'`` and ``'l2'``),
  checked against the official torch code (copied below) before it is written.
* ``minMax``: LCN-L1 followed by ``F.normalize(x, min, max - min)`` with FCDD's per-class
  constants, as FCDD's ``lcn``/``lcnaug1`` pipelines do.
* ``tables``: FCDD's per-class constants (copied as data from ``python/fcdd/datasets/
  fmnist.py``, ``cifar.py`` and ``mvtec.py`` of liznerski/fcdd at commit 4fa8502), so the
  Swift tests can check every entry of the Swift tables (which live in the FCDD module, so
  the tables are also written on their own to ``Tests/FCDDTests/Fixtures/
  normalization_tables.json`` as ``{"version", "tables"}``). With ``--reference PATH`` the
  script also checks them against markdown tables of the form ``| class | name | LCN min |
  LCN max | mean | std |`` under ``### Fashion-MNIST``, ``### CIFAR-10`` and ``### MVTec-AD``
  headings of a document.

File layout: ``{"version", "torch", "torchvision", "seed", "inputs": {name: T}, "resize":
[...], "centerCrop": [...], "color": [...], "jitter": [...], "grayscale": [...],
"normalize": [...], "lcn": [...], "minMax": [...], "tables": {...}}`` where ``T`` is
``{"shape": [..], "data": [row-major float32 values]}``.
"""
import argparse
import json
import os
import re

import numpy as np
import torch
import torch.nn.functional as TNF
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import _functional_tensor as F_t
from PIL import Image

SEED = 20240601
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "DatasetsTests", "Fixtures", "transforms.json")
TABLES_OUT = os.path.join(ROOT, "Tests", "FCDDTests", "Fixtures", "normalization_tables.json")

# ---------------------------------------------------------------------------------------
# FCDD's constants, copied from liznerski/fcdd (python/fcdd/datasets/*.py).

FMNIST_CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                  "ankle boot"]
FMNIST_MIN_MAX_L1 = [
    (-2.681239128112793, 24.85430908203125),
    (-2.5778584480285645, 11.169795989990234),
    (-2.808171510696411, 19.133548736572266),
    (-1.9533653259277344, 18.65673065185547),
    (-2.6103856563568115, 19.166685104370117),
    (-1.2358522415161133, 28.463092803955078),
    (-3.251605987548828, 24.196823120117188),
    (-1.0814440250396729, 16.878812789916992),
    (-3.6560964584350586, 11.3502836227417),
    (-1.3859291076660156, 11.426650047302246),
]
FMNIST_MEAN = [[0.3256056010723114], [0.22290456295013428], [0.376699835062027], [0.25889596343040466],
               [0.3853232264518738], [0.1367349475622177], [0.3317836821079254], [0.16769391298294067],
               [0.35355499386787415], [0.30119451880455017]]
FMNIST_STD = [[0.35073918104171753], [0.34353047609329224], [0.3586803078651428], [0.3542196452617645],
              [0.37631189823150635], [0.26310813426971436], [0.3392786681652069], [0.29478660225868225],
              [0.3652712106704712], [0.37053292989730835]]

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR10_MIN_MAX_L1 = [
    (-28.94083453598571, 13.802961825439636),
    (-6.681770233365245, 9.158067708230273),
    (-34.924463588638204, 14.419298165027628),
    (-10.599172931391799, 11.093187820377565),
    (-11.945022995801637, 10.628045447867583),
    (-9.691969487694928, 8.948326776180823),
    (-9.174940012342555, 13.847014686472365),
    (-6.876682005899029, 12.282371383343161),
    (-15.603507135507172, 15.2464923804279),
    (-6.132882973622672, 8.046098172351265),
]
CIFAR10_MEAN = [
    [0.5256516933441162, 0.5603281855583191, 0.5888723731040955],
    [0.4711322784423828, 0.45446228981018066, 0.4471212327480316],
    [0.48923906683921814, 0.49146366119384766, 0.423904687166214],
    [0.4954785108566284, 0.45636114478111267, 0.4154069721698761],
    [0.47155335545539856, 0.46515223383903503, 0.37797248363494873],
    [0.49992093443870544, 0.4646056592464447, 0.4164286255836487],
    [0.47001829743385315, 0.43829214572906494, 0.34500396251678467],
    [0.5019531846046448, 0.47983652353286743, 0.4167139232158661],
    [0.4902143180370331, 0.5253947973251343, 0.5546804070472717],
    [0.4986417591571808, 0.4852965474128723, 0.4780091941356659],
]
CIFAR10_STD = [
    [0.2502202093601227, 0.24083486199378967, 0.2659735083580017],
    [0.26806357502937317, 0.2658274173736572, 0.2749459445476532],
    [0.22705480456352234, 0.2209445983171463, 0.24337927997112274],
    [0.2568431496620178, 0.25227081775665283, 0.25799375772476196],
    [0.21732737123966217, 0.20652702450752258, 0.21182335913181305],
    [0.2504253387451172, 0.24374878406524658, 0.2489463835954666],
    [0.22888341546058655, 0.21856172382831573, 0.2204199582338333],
    [0.2430490106344223, 0.243973046541214, 0.25171563029289246],
    [0.24962472915649414, 0.24068884551525116, 0.25149762630462646],
    [0.2680525481700897, 0.26910799741744995, 0.2810165584087372],
]

MVTEC_CLASSES = ["bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut", "pill", "screw",
                 "tile", "toothbrush", "transistor", "wood", "zipper"]
MVTEC_MIN_MAX_L1 = [
    [(-1.3336724042892456, -1.3107913732528687, -1.2445921897888184),
     (1.3779616355895996, 1.3779616355895996, 1.3779616355895996)],
    [(-2.2404820919036865, -2.3387579917907715, -2.2896201610565186),
     (4.573435306549072, 4.573435306549072, 4.573435306549072)],
    [(-3.184587001800537, -3.164201259613037, -3.1392977237701416),
     (1.6995097398757935, 1.6011602878570557, 1.5209171772003174)],
    [(-3.0334954261779785, -2.958242416381836, -2.7701096534729004),
     (6.503103256225586, 5.875098705291748, 5.814228057861328)],
    [(-3.100773334503174, -3.100773334503174, -3.100773334503174),
     (4.27892541885376, 4.27892541885376, 4.27892541885376)],
    [(-3.6565306186676025, -3.507692813873291, -2.7635035514831543),
     (18.966819763183594, 21.64590072631836, 26.408710479736328)],
    [(-1.5192601680755615, -2.2068002223968506, -2.3948357105255127),
     (11.564697265625, 10.976534843444824, 10.378695487976074)],
    [(-1.3207964897155762, -1.2889339923858643, -1.148416519165039),
     (6.854909896850586, 6.854909896850586, 6.854909896850586)],
    [(-0.9883341193199158, -0.9822461605072021, -0.9288841485977173),
     (2.290637969970703, 2.4007883071899414, 2.3044068813323975)],
    [(-7.236185073852539, -7.236185073852539, -7.236185073852539),
     (3.3777384757995605, 3.3777384757995605, 3.3777384757995605)],
    [(-3.2036616802215576, -3.221003532409668, -3.305514335632324),
     (7.022546768188477, 6.115569114685059, 6.310940742492676)],
    [(-0.8915618658065796, -0.8669204115867615, -0.8002046346664429),
     (4.4255571365356445, 4.642300128936768, 4.305730819702148)],
    [(-1.9086798429489136, -2.0004451274871826, -1.929288387298584),
     (5.463134765625, 5.463134765625, 5.463134765625)],
    [(-2.9547364711761475, -3.17536997795105, -3.143850803375244),
     (5.305514812469482, 4.535006523132324, 3.3618252277374268)],
    [(-1.2906527519226074, -1.2906527519226074, -1.2906527519226074),
     (2.515115737915039, 2.515115737915039, 2.515115737915039)],
]
MVTEC_MEAN = [
    (0.53453129529953, 0.5307118892669678, 0.5491130352020264),
    (0.326835036277771, 0.41494372487068176, 0.46718254685401917),
    (0.6953922510147095, 0.6663950085639954, 0.6533040404319763),
    (0.36377236247062683, 0.35087138414382935, 0.35671544075012207),
    (0.4484519958496094, 0.4484519958496094, 0.4484519958496094),
    (0.2390524297952652, 0.17620408535003662, 0.17206747829914093),
    (0.3919542133808136, 0.2631213963031769, 0.22006843984127045),
    (0.21368788182735443, 0.23478130996227264, 0.24079132080078125),
    (0.30240726470947266, 0.3029524087905884, 0.32861486077308655),
    (0.7099748849868774, 0.7099748849868774, 0.7099748849868774),
    (0.4567880630493164, 0.4711957275867462, 0.4482630491256714),
    (0.19987481832504272, 0.18578395247459412, 0.19361256062984467),
    (0.38699793815612793, 0.276934415102005, 0.24219433963298798),
    (0.6718143820762634, 0.47696375846862793, 0.35050269961357117),
    (0.4014520049095154, 0.4014520049095154, 0.4014520049095154),
]
MVTEC_STD = [
    (0.3667600452899933, 0.3666728734970093, 0.34991779923439026),
    (0.15321789681911469, 0.21510766446590424, 0.23905669152736664),
    (0.23858436942100525, 0.2591284513473511, 0.2601949870586395),
    (0.14506031572818756, 0.13994529843330383, 0.1276693195104599),
    (0.1636597216129303, 0.1636597216129303, 0.1636597216129303),
    (0.1688646823167801, 0.07597383111715317, 0.04383210837841034),
    (0.06069392338395119, 0.04061736911535263, 0.0303945429623127),
    (0.1602524220943451, 0.18222476541996002, 0.15336430072784424),
    (0.30409011244773865, 0.30411985516548157, 0.28656429052352905),
    (0.1337062269449234, 0.1337062269449234, 0.1337062269449234),
    (0.12076705694198608, 0.13341768085956573, 0.12879984080791473),
    (0.22920562326908112, 0.21501320600509644, 0.19536510109901428),
    (0.20621345937252045, 0.14321941137313843, 0.11695228517055511),
    (0.08259467780590057, 0.06751163303852081, 0.04756828024983406),
    (0.32304847240448, 0.32304847240448, 0.32304847240448),
]


def tables():
    """The constants per benchmark, one entry per class: name, LCN-L1 min/max lists (one
    value applies to every channel), mean and std lists."""
    return {
        "fashionMNIST": [
            {"name": n, "lcnMinimum": [mm[0]], "lcnMaximum": [mm[1]], "mean": list(m), "std": list(s)}
            for n, mm, m, s in zip(FMNIST_CLASSES, FMNIST_MIN_MAX_L1, FMNIST_MEAN, FMNIST_STD)
        ],
        "cifar10": [
            {"name": n, "lcnMinimum": [mm[0]], "lcnMaximum": [mm[1]], "mean": list(m), "std": list(s)}
            for n, mm, m, s in zip(CIFAR10_CLASSES, CIFAR10_MIN_MAX_L1, CIFAR10_MEAN, CIFAR10_STD)
        ],
        "mvtecAD": [
            {"name": n, "lcnMinimum": list(mm[0]), "lcnMaximum": list(mm[1]), "mean": list(m), "std": list(s)}
            for n, mm, m, s in zip(MVTEC_CLASSES, MVTEC_MIN_MAX_L1, MVTEC_MEAN, MVTEC_STD)
        ],
    }


def check_against_reference(path, table):
    """Compares the tables with the markdown tables of a document (see the module comment)."""
    text = open(path, encoding="utf-8").read()
    sections = {"fashionMNIST": "### Fashion-MNIST", "cifar10": "### CIFAR-10", "mvtecAD": "### MVTec-AD"}
    for key, heading in sections.items():
        start = text.index(heading)
        rows = []
        for line in text[start:].splitlines()[1:]:
            if line.startswith("###") or line.startswith("Other constants"):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 6 and re.fullmatch(r"\d+", cells[0]):
                rows.append(cells)
        assert len(rows) == len(table[key]), (key, len(rows))
        for cells, entry in zip(rows, table[key]):
            numbers = [[float(v) for v in c.split(",")] for c in cells[2:]]
            assert cells[1] == entry["name"], (cells[1], entry["name"])
            for got, want in zip(numbers, [entry["lcnMinimum"], entry["lcnMaximum"], entry["mean"], entry["std"]]):
                assert got == want, (key, entry["name"], got, want)
    print(f"tables agree with {path}")


# ---------------------------------------------------------------------------------------
# FCDD's local contrast normalisation: the official code and a NumPy re-implementation.

def official_local_contrast_normalization(x: torch.Tensor, scale: str = "l2"):
    """fcdd.datasets.preprocessing.local_contrast_normalization, verbatim."""
    assert scale in ("l1", "l2")
    n_features = int(np.prod(x.shape))
    mean = torch.mean(x)  # mean over all features (pixels) per sample
    x -= mean
    if scale == "l1":
        x_scale = torch.mean(torch.abs(x))
    if scale == "l2":
        x_scale = torch.sqrt(torch.sum(x ** 2)) / n_features
    x /= x_scale if x_scale != 0 else 1
    return x


def numpy_local_contrast_normalization(x: np.ndarray, scale: str) -> np.ndarray:
    """The same steps in NumPy, float32 throughout (sums accumulated in float64 and rounded,
    as the Swift code does)."""
    x = x.astype(np.float32).copy()
    n = x.size
    mean = np.float32(x.astype(np.float64).sum() / n)
    x = (x - mean).astype(np.float32)
    if scale == "l1":
        s = np.float32(np.abs(x).astype(np.float64).sum() / n)
    else:
        s = np.float32(np.sqrt((x.astype(np.float64) ** 2).sum())) / np.float32(n)
    if s != 0:
        x = (x / s).astype(np.float32)
    return x


# ---------------------------------------------------------------------------------------

def tensor_json(t):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    a = a.astype(np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def f32(x):
    return float(np.float32(x))


def make_inputs(rng):
    rgb = rng.random((3, 5, 7), dtype=np.float32)
    # Special cases for the HSV conversion.
    rgb[:, 0, 0] = [0.5, 0.5, 0.5]    # grey: max == min
    rgb[:, 0, 1] = [0.0, 0.0, 0.0]    # black
    rgb[:, 0, 2] = [1.0, 1.0, 1.0]    # white
    rgb[:, 0, 3] = [0.8, 0.8, 0.2]    # red and green tie for the maximum
    rgb[:, 0, 4] = [0.3, 0.9, 0.9]    # green and blue tie
    rgb[:, 0, 5] = [0.9, 0.1, 0.9]    # red and blue tie
    rgb[:, 0, 6] = [1.0, 0.0, 0.0]    # saturated red
    rgb[:, 1, 0] = [0.0, 0.0, 1.0]    # saturated blue
    rgb[:, 1, 1] = [0.2, 1.0, 0.0]    # saturated green-ish
    grey = rng.random((1, 5, 7), dtype=np.float32)
    mask = (rng.random((1, 5, 7)) < 0.4).astype(np.float32)
    return rgb, grey, mask


def patched_grayscale():
    """Swaps torchvision's tensor grey conversion (0.2989 R) for the BT.601 one (0.299 R)."""
    original = F_t.rgb_to_grayscale

    def rgb_to_grayscale(img, num_output_channels=1):
        if img.shape[-3] == 3:
            r, g, b = img.unbind(dim=-3)
            l_img = (0.299 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
        else:
            l_img = img.clone()
        if num_output_channels == 3:
            return l_img.expand(l_img.shape[:-3] + (3,) + l_img.shape[-2:])
        return l_img

    return original, rgb_to_grayscale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", help="a markdown document whose tables the constants are checked against")
    args = parser.parse_args()

    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    rgb_np, grey_np, mask_np = make_inputs(rng)
    rgb, grey, mask = torch.from_numpy(rgb_np), torch.from_numpy(grey_np), torch.from_numpy(mask_np)
    inputs = {"rgb": rgb, "grey": grey, "mask": mask, "rgbTall": rgb.transpose(1, 2).contiguous()}

    # Resize -----------------------------------------------------------------------------
    resize = []
    modes = {
        "bilinear": lambda x, s: F.resize(x, s, interpolation=F.InterpolationMode.BILINEAR, antialias=False),
        "nearest": lambda x, s: F.resize(x, s, interpolation=F.InterpolationMode.NEAREST, antialias=False),
        "nearestExact": lambda x, s: F.resize(x, s, interpolation=F.InterpolationMode.NEAREST_EXACT, antialias=False),
    }
    for input_name in ["rgb", "rgbTall", "mask"]:
        for size in [[3, 4], [8, 11], [5, 3], [2, 9], 3, 8]:
            for mode, fn in modes.items():
                if input_name == "mask" and mode == "bilinear":
                    continue
                x = inputs[input_name]
                out = fn(x, size if isinstance(size, list) else [size])
                if mode == "nearestExact":
                    direct = TNF.interpolate(x[None], size=list(out.shape[-2:]), mode="nearest-exact")[0]
                    assert torch.equal(direct, out)
                    # PIL's NEAREST (FCDD's MVTec-AD resize) picks the same pixels.
                    index = torch.arange(x.shape[-1] * x.shape[-2], dtype=torch.int32).reshape(x.shape[-2:])
                    pil = Image.fromarray(index.numpy()).resize((out.shape[-1], out.shape[-2]), Image.NEAREST)
                    picked = torch.from_numpy(np.asarray(pil).astype(np.int64))
                    via_pil = x.reshape(x.shape[0], -1)[:, picked.reshape(-1)].reshape(out.shape)
                    assert torch.equal(via_pil, out), (input_name, size)
                resize.append({
                    "input": input_name, "mode": mode,
                    "size": size if isinstance(size, list) else None,
                    "shorterSide": size if isinstance(size, int) else None,
                    "output": tensor_json(out),
                })

    # CenterCrop ---------------------------------------------------------------------------
    center_crop = []
    for size in [[3, 3], [4, 4], [2, 6], [1, 2], [5, 7], [4, 7], [7, 9], [6, 4], [8, 8]]:
        center_crop.append({"input": "rgb", "size": size, "output": tensor_json(F.center_crop(rgb, size))})

    # Colour -------------------------------------------------------------------------------
    original, patched = patched_grayscale()
    luma_difference = 0.0
    factors = {
        "brightness": [0.0, 0.5, 0.8999999761581421, 1.0, 1.375, 2.0],
        "contrast": [0.0, 0.5, 0.96, 1.0, 1.25, 3.0],
        "saturation": [0.0, 0.5, 1.0, 1.04, 1.5, 4.0],
        "hue": [-0.5, -0.25, -0.01, 0.0, 0.1, 0.375, 0.5],
    }
    functions = {
        "brightness": F.adjust_brightness, "contrast": F.adjust_contrast,
        "saturation": F.adjust_saturation, "hue": F.adjust_hue,
    }
    color = []
    for adjustment, values in factors.items():
        for value in values:
            value = f32(value)
            for input_name in ["rgb", "grey"]:
                x = inputs[input_name]
                unpatched = functions[adjustment](x.clone(), value)
                F_t.rgb_to_grayscale = patched
                try:
                    out = functions[adjustment](x.clone(), value)
                finally:
                    F_t.rgb_to_grayscale = original
                luma_difference = max(luma_difference, float((out - unpatched).abs().max()))
                color.append({"adjustment": adjustment, "factor": value, "input": input_name,
                              "output": tensor_json(out)})

    jitter = []
    for order, params in [
        ([0, 1, 2, 3], [1.05, 0.95, 1.1, 0.02]),
        ([3, 2, 1, 0], [0.9, 1.1, 0.8, -0.03]),
        ([2, 0, 3, 1], [1.2, 0.7, 1.3, 0.25]),
        ([1, 3, 0, 2], [0.6, 1.4, 0.0, -0.4]),
    ]:
        params = [f32(p) for p in params]
        for input_name in ["rgb", "grey"]:
            F_t.rgb_to_grayscale = patched
            try:
                x = inputs[input_name].clone()
                for fn_id in order:
                    x = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue][fn_id](x, params[fn_id])
            finally:
                F_t.rgb_to_grayscale = original
            jitter.append({"order": order, "brightness": params[0], "contrast": params[1],
                           "saturation": params[2], "hue": params[3], "input": input_name,
                           "output": tensor_json(x)})

    grayscale = []
    for input_name in ["rgb", "grey"]:
        for channels in [1, 3]:
            F_t.rgb_to_grayscale = patched
            try:
                out = F.rgb_to_grayscale(inputs[input_name], num_output_channels=channels)
            finally:
                F_t.rgb_to_grayscale = original
            grayscale.append({"input": input_name, "channels": channels, "output": tensor_json(out)})

    # Normalize ----------------------------------------------------------------------------
    normalize = []
    for input_name, mean, std in [
        ("rgb", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ("rgb", [0.25], [0.5]),
        ("grey", [0.3256056010723114], [0.35073918104171753]),
    ]:
        out = F.normalize(inputs[input_name].clone(), mean, std)
        normalize.append({"input": input_name, "mean": mean, "std": std, "output": tensor_json(out)})

    # LCN ----------------------------------------------------------------------------------
    lcn = []
    for input_name in ["rgb", "grey"]:
        for scale in ["l1", "l2"]:
            x = inputs[input_name]
            ours = numpy_local_contrast_normalization(x.numpy(), scale)
            official = official_local_contrast_normalization(x.clone(), scale).numpy()
            assert np.allclose(ours, official, rtol=1e-5, atol=1e-5), (input_name, scale, np.abs(ours - official).max())
            lcn.append({"input": input_name, "scale": scale, "output": tensor_json(ours)})
    constant = torch.full((3, 5, 7), 0.25)
    ours = numpy_local_contrast_normalization(constant.numpy(), "l1")
    assert np.array_equal(ours, official_local_contrast_normalization(constant.clone(), "l1").numpy())
    inputs["constant"] = constant
    lcn.append({"input": "constant", "scale": "l1", "output": tensor_json(ours)})

    # Min-max after LCN ---------------------------------------------------------------------
    table = tables()
    if args.reference:
        check_against_reference(args.reference, table)
    min_max = []
    for benchmark, normal_class, input_name in [
        ("fashionMNIST", 0, "grey"), ("fashionMNIST", 8, "grey"),
        ("cifar10", 3, "rgb"), ("mvtecAD", 5, "rgb"), ("mvtecAD", 14, "rgb"),
    ]:
        entry = table[benchmark][normal_class]
        channels = inputs[input_name].shape[0]
        low = entry["lcnMinimum"] * (channels if len(entry["lcnMinimum"]) == 1 else 1)
        high = entry["lcnMaximum"] * (channels if len(entry["lcnMaximum"]) == 1 else 1)
        x = official_local_contrast_normalization(inputs[input_name].clone(), "l1")
        out = F.normalize(x, low, [h - l for h, l in zip(high, low)])
        min_max.append({"benchmark": benchmark, "normalClass": normal_class, "input": input_name,
                        "output": tensor_json(out)})

    fixture = {
        "version": 1,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "seed": SEED,
        "lumaPatchMaxDifference": luma_difference,
        "inputs": {k: tensor_json(v) for k, v in inputs.items()},
        "resize": resize,
        "centerCrop": center_crop,
        "color": color,
        "jitter": jitter,
        "grayscale": grayscale,
        "normalize": normalize,
        "lcn": lcn,
        "minMax": min_max,
        "tables": table,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    with open(TABLES_OUT, "w", encoding="utf-8") as f:
        json.dump({"version": 1, "tables": table}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes); luma patch changed references by at most {luma_difference:.2e}")


if __name__ == "__main__":
    main()
