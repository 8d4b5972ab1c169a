#!/usr/bin/env python3
"""Generate reference fixtures for the anomaly-detection metrics of the Explain module.

Covers ROC AUC and ROC curves (scikit-learn), precision-recall curves and their best F1,
NumPy quantiles for threshold calibration, pixel-level ROC AUC over all pixels of a set
of maps, and the MVTec AD AU-PRO. It needs NumPy, scikit-learn and SciPy:

    pip install numpy scikit-learn scipy
    python3 Scripts/make_metric_fixtures.py

Run it from anywhere; it writes ``Tests/ExplainTests/Fixtures/metrics.json``, which the
Explain tests read through ``Bundle.module``, so the Swift tests never need Python. The
output is deterministic (fixed NumPy seed), so an unchanged script reproduces the file.

File layout::

    {
      "version": 1,
      "seed": the NumPy seed,
      "numpy", "sklearn", "scipy": the library versions that computed the references,
      "roc": [
        {
          "name":         unique case name,
          "scores":       float32 scores (higher = more anomalous),
          "labels":       0 (nominal) / 1 (anomalous),
          "auc":          sklearn.metrics.roc_auc_score(labels, scores),
          "fpr", "tpr":   sklearn.metrics.roc_curve(labels, scores,
                          drop_intermediate=False) ...
          "thresholds":   ... and its thresholds; the first is "Infinity" (sklearn >= 1.3),
          "precision", "recall", "pr_thresholds":
                          sklearn.metrics.precision_recall_curve(labels, scores)
                          (drop_intermediate=False: every distinct score is a threshold,
                          ascending; precision ends with 1 and recall with 0),
          "best_f1":      max over the thresholds of 2·P·R / (P + R) (0 where P + R = 0),
          "best_f1_threshold":
                          the lowest threshold attaining it (mathematical ties within
                          1e-12 count as ties, so rounding cannot pick another one)
        }, ...
      ],
      "quantiles": [
        {
          "name", "scores": float32 nominal scores,
          "q":        quantile levels in [0, 1],
          "expected": numpy.quantile(float32 array, q) for each level (default method
                      "linear", computed in float32 as NumPy does for float32 input)
        }, ...
      ],
      "pixels": [
        {
          "name",
          "maps":   {"shape": [N, H, W] or [N, 1, H, W], "data": row-major float32},
          "masks":  the same, 0 / 1,
          "pixel_auc":  roc_auc_score over the pixels of all images,
          "aupro":  [{"limit": FPR integration limit, "value": normalised AU-PRO}, ...],
          "regions": number of connected ground-truth regions (8-connectivity)
        }, ...
      ]
    }

Non-finite values are written as the strings "NaN", "Infinity" and "-Infinity".

AU-PRO reference: the MVTec AD evaluation code (Bergmann, Batzner, Fauser, Sattlegger,
Steger, "The MVTec Anomaly Detection Dataset: A Comprehensive Real-World Dataset for
Unsupervised Anomaly Detection", IJCV 129, 2021), distributed by MVTec Software GmbH at
https://www.mvtec.com/company/research/datasets/mvtec-ad as ``evaluation_code``:
``pro_curve_util.compute_pro`` builds the PRO curve and ``generic_util.trapezoid``
integrates it up to the limit; ``evaluate_experiment.py`` divides by the limit (default
0.3). ``official_pro_curve`` and ``official_trapezoid`` below re-implement those two
functions step by step, including their numerical details:

* connected components of each ground-truth map with ``scipy.ndimage.label`` and the
  structuring element ``np.ones((3, 3))``, i.e. 8-connectivity;
* every pixel outside a region (in every image, nominal images included) is an "ok"
  pixel for the false positive rate; each pixel of region k adds 1 / |region k| to the
  PRO, which is divided by the total number of regions;
* scores sorted descending (``np.argsort(...)[::-1]``), cumulative sums, only the last
  point of a run of equal scores kept, both coordinates clipped to 1, and the curve
  padded with (0, 0) in front and (1, 1) at the end;
* the false positive rate is cast to float32 before the division (the official code
  does this to save memory), the PRO stays float64;
* the trapezoid is cut at the limit, the missing piece up to the limit interpolated
  linearly between the neighbouring points (``bisect`` on the sorted FPRs).
"""

import bisect
import json
import math
from pathlib import Path

import numpy as np
import scipy
import scipy.ndimage
import sklearn
from sklearn.metrics import precision_recall_curve, roc_auc_score, roc_curve

SEED = 20240611
OUTPUT = Path(__file__).resolve().parent.parent / "Tests" / "ExplainTests" / "Fixtures" / "metrics.json"


# MARK: - JSON helpers

def number(value):
    """A float for JSON; non-finite values as the strings the Swift decoder expects."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def numbers(values):
    return [number(v) for v in np.asarray(values).ravel()]


def tensor(array):
    array = np.asarray(array, dtype=np.float32)
    return {"shape": list(array.shape), "data": numbers(array)}


# MARK: - Score-level cases

def best_f1(labels, scores):
    """sklearn's precision-recall curve, then the largest F1 and the lowest threshold
    attaining it (ties within 1e-12 are ties)."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    p, r = precision[:-1], recall[:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    best = f1.max()
    index = int(np.flatnonzero(f1 >= best - 1e-12)[0])  # thresholds ascend: lowest first
    return precision, recall, thresholds, float(best), float(thresholds[index])


def roc_case(name, scores, labels):
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    assert scores.shape == labels.shape and set(np.unique(labels)) == {0, 1}, name
    fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
    assert np.isinf(thresholds[0]), "sklearn < 1.3 starts the thresholds at max + 1"
    precision, recall, pr_thresholds, f1, f1_threshold = best_f1(labels, scores)
    return {
        "name": name,
        "scores": numbers(scores),
        "labels": [int(v) for v in labels],
        "auc": float(roc_auc_score(labels, scores)),
        "fpr": numbers(fpr),
        "tpr": numbers(tpr),
        "thresholds": numbers(thresholds),
        "precision": numbers(precision),
        "recall": numbers(recall),
        "pr_thresholds": numbers(pr_thresholds),
        "best_f1": f1,
        "best_f1_threshold": f1_threshold,
    }


def roc_cases(rng):
    cases = []
    # The smallest inputs with both classes.
    cases.append(roc_case("tiny_separated", [0.2, 0.8], [0, 1]))
    cases.append(roc_case("tiny_inverted", [0.8, 0.2], [0, 1]))
    cases.append(roc_case("tiny_tied", [0.5, 0.5], [1, 0]))
    # The example of sklearn's roc_curve documentation.
    cases.append(roc_case("sklearn_doc_example", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]))
    # Perfect and inverted separation.
    nominal = rng.uniform(0.0, 0.4, 25)
    anomalous = rng.uniform(0.6, 1.0, 15)
    scores = np.concatenate([nominal, anomalous])
    labels = np.concatenate([np.zeros(25, int), np.ones(15, int)])
    order = rng.permutation(len(scores))
    cases.append(roc_case("perfect_separation", scores[order], labels[order]))
    cases.append(roc_case("inverted_separation", -scores[order], labels[order]))
    # Everything tied: AUC 0.5, a single finite threshold.
    cases.append(roc_case("all_tied", np.full(12, 0.25), rng.permutation([0] * 7 + [1] * 5)))
    # Quantised scores: many ties that mix both classes.
    labels = (rng.uniform(size=300) < 0.4).astype(int)
    raw = rng.normal(size=300) + 0.8 * labels
    cases.append(roc_case("quantised_ties", np.round(raw * 4) / 4, labels))
    cases.append(roc_case("coarse_ties", np.clip(np.round(raw), -1, 2), labels))
    # Negative scores and both zeros (-0.0 and 0.0 are one threshold).
    scores = np.array([-1.5, -0.0, 0.0, 0.0, -0.0, 2.0, -1.5, 3.25, 0.0, -7.0], dtype=np.float32)
    cases.append(roc_case("signed_zeros_and_negatives", scores, [0, 1, 0, 1, 0, 1, 1, 1, 0, 0]))
    # Imbalanced labels both ways.
    labels = np.zeros(400, int)
    labels[rng.choice(400, 4, replace=False)] = 1
    cases.append(roc_case("imbalanced_1_percent_anomalous", rng.normal(size=400) + 1.5 * labels, labels))
    labels = np.ones(60, int)
    labels[17] = 0
    cases.append(roc_case("imbalanced_single_nominal", rng.normal(size=60), labels))
    # FCDD-like image-level evaluation: one nominal class vs nine anomalous (1:9),
    # continuous float32 scores (few or no ties).
    labels = np.concatenate([np.zeros(100, int), np.ones(900, int)])
    scores = rng.gamma(2.0, 1.0, 1000) + 0.7 * labels
    order = rng.permutation(1000)
    cases.append(roc_case("fcdd_like_1_to_9", scores[order], labels[order]))
    return cases


# MARK: - Quantiles

def quantile_case(name, scores, levels):
    scores = np.asarray(scores, dtype=np.float32)
    expected = [np.quantile(scores, float(q)) for q in levels]
    assert all(e.dtype == np.float32 for e in expected)
    return {"name": name, "scores": numbers(scores), "q": [float(q) for q in levels], "expected": numbers(expected)}


def quantile_cases(rng):
    levels = [0.0, 0.05, 1 / 3, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0]
    return [
        quantile_case("single_value", [0.75], levels),
        quantile_case("three_values", [3.0, -1.0, 2.0], levels),
        quantile_case("ties", [1, 1, 1, 2, 2, 5, 5, 5, 5, 9], levels),
        quantile_case("normal_101", rng.normal(size=101), levels),
        quantile_case("gamma_1000", rng.gamma(2.0, 1.5, 1000), levels + [0.123456789, 0.987654321]),
        quantile_case("large_magnitudes", rng.normal(size=57) * 1e6 + 3e7, levels),
    ]


# MARK: - Pixel-level cases: official MVTec AD AU-PRO, re-implemented

def official_pro_curve(anomaly_maps, ground_truth_maps):
    """The PRO curve as MVTec's pro_curve_util.compute_pro builds it (see the module
    docstring): returns (fprs, pros) with (0, 0) in front and (1, 1) at the end."""
    structure = np.ones((3, 3), dtype=int)  # the official structuring element: 8-connectivity
    count, height, width = len(anomaly_maps), anomaly_maps[0].shape[0], anomaly_maps[0].shape[1]
    fp_step = np.zeros((count, height, width), dtype=np.uint32)
    pro_step = np.zeros((count, height, width), dtype=np.float64)
    ok_pixels = 0
    regions = 0
    for index, gt in enumerate(ground_truth_maps):
        labelled, found = scipy.ndimage.label(gt, structure)
        regions += found
        ok = labelled == 0
        ok_pixels += np.sum(ok)
        fp_step[index][ok] = 1
        for k in range(1, found + 1):
            region = labelled == k
            pro_step[index][region] = 1.0 / np.sum(region)
    scores = np.array(anomaly_maps).ravel()
    order = np.argsort(scores).astype(np.uint32)[::-1]
    scores = scores[order]
    fprs = np.cumsum(fp_step.ravel()[order]).astype(np.float32)
    np.divide(fprs, ok_pixels, out=fprs)  # float32, as in the official code
    pros = np.cumsum(pro_step.ravel()[order]) / regions
    keep = np.append(np.diff(scores) != 0, np.True_)
    fprs = np.clip(fprs[keep], None, 1.0)
    pros = np.clip(pros[keep], None, 1.0)
    return np.concatenate(([0.0], fprs, [1.0])), np.concatenate(([0.0], pros, [1.0])), regions


def official_trapezoid(x, y, x_max):
    """generic_util.trapezoid of the MVTec AD evaluation code for sorted, finite x."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    correction = 0.0
    if x_max not in x:
        ins = bisect.bisect(x, x_max)
        assert 0 < ins < len(x)
        y_interp = y[ins - 1] + (y[ins] - y[ins - 1]) * (x_max - x[ins - 1]) / (x[ins] - x[ins - 1])
        correction = 0.5 * (y_interp + y[ins - 1]) * (x_max - x[ins - 1])
    keep = x <= x_max
    x, y = x[keep], y[keep]
    return np.sum(0.5 * (y[1:] + y[:-1]) * (x[1:] - x[:-1])) + correction


def official_aupro(maps, masks, limit):
    fprs, pros, _ = official_pro_curve(list(maps), list(masks))
    return float(official_trapezoid(fprs, pros, limit) / limit)


LIMITS = [0.3, 0.05, 0.5, 1.0]


def pixel_case(name, maps, masks, nchw=False):
    maps = np.asarray(maps, dtype=np.float32)
    masks = np.asarray(masks, dtype=np.float32)
    assert maps.shape == masks.shape and maps.ndim == 3
    _, _, regions = official_pro_curve(list(maps), list(masks))
    labels = (masks.ravel() > 0.5).astype(int)
    case = {
        "name": name,
        "maps": tensor(maps[:, None] if nchw else maps),
        "masks": tensor(masks[:, None] if nchw else masks),
        "pixel_auc": float(roc_auc_score(labels, maps.ravel())),
        "aupro": [{"limit": limit, "value": official_aupro(maps, masks, limit)} for limit in LIMITS],
        "regions": int(regions),
    }
    return case


def rectangle(mask, top, left, height, width):
    mask[top:top + height, left:left + width] = 1


def pixel_cases(rng):
    cases = []
    size = 16

    # Three 16×16 images with one, two and three regions; quantised scores (ties).
    masks = np.zeros((3, size, size), dtype=np.float32)
    rectangle(masks[0], 3, 4, 5, 6)
    rectangle(masks[1], 1, 1, 3, 3)
    rectangle(masks[1], 9, 8, 6, 4)
    rectangle(masks[2], 0, 12, 2, 4)      # touches the border
    rectangle(masks[2], 6, 2, 1, 9)       # a one-pixel-high bar
    masks[2][10:15, 5] = 1                # an L shape
    masks[2][14, 5:10] = 1
    maps = rng.normal(size=masks.shape) + 1.2 * masks
    cases.append(pixel_case("three_images_quantised", np.round(maps * 3) / 3, masks))
    cases.append(pixel_case("three_images_continuous", maps, masks))

    # Regions that touch only at corners: one region with 8-connectivity, several with 4.
    diagonal = np.zeros((2, size, size), dtype=np.float32)
    rectangle(diagonal[0], 2, 2, 3, 3)
    rectangle(diagonal[0], 5, 5, 3, 3)    # corner contact with the first square
    for step in range(6):                 # a diagonal line of single pixels
        diagonal[1][8 + step, 2 + step] = 1
    rectangle(diagonal[1], 1, 10, 2, 2)
    # Scores that favour one square over the other, so merging them changes the PRO.
    maps = rng.normal(size=diagonal.shape) * 0.5
    maps[0][2:5, 2:5] += 2.0
    maps[0][5:8, 5:8] += 0.3
    maps[1] += 1.0 * diagonal[1]
    diagonal_case = pixel_case("corner_contact_regions", maps, diagonal)
    four = [scipy.ndimage.label(m)[1] for m in diagonal]  # default structure: 4-connectivity
    assert diagonal_case["regions"] == 3 and sum(four) == 2 + 6 + 1, (diagonal_case["regions"], four)
    cases.append(diagonal_case)

    # NCHW layout, with a nominal image (all-zero mask) that only adds false positives.
    masks = np.zeros((4, size, size), dtype=np.float32)
    rectangle(masks[0], 4, 4, 8, 8)
    rectangle(masks[2], 10, 0, 6, 3)
    rectangle(masks[3], 0, 0, 2, 2)
    rectangle(masks[3], 13, 13, 3, 3)
    maps = rng.gamma(2.0, 1.0, masks.shape) + 1.5 * masks
    maps[1] += 0.8  # the nominal image scores high everywhere
    cases.append(pixel_case("nchw_with_nominal_image", np.round(maps * 8) / 8, masks, nchw=True))

    # Maps equal to the masks: a perfect detector (AU-PRO 1 for every limit).
    cases.append(pixel_case("perfect_maps", masks[[0, 2, 3]], masks[[0, 2, 3]]))

    # Non-square images, many pixels per score (coarse ties), inverted scores.
    masks = np.zeros((2, 12, 20), dtype=np.float32)
    rectangle(masks[0], 2, 3, 4, 9)
    rectangle(masks[1], 7, 14, 5, 6)
    maps = np.clip(np.round(rng.normal(size=masks.shape) + 0.9 * masks), -2, 3)
    cases.append(pixel_case("non_square_coarse_ties", maps, masks))
    cases.append(pixel_case("non_square_inverted", -maps, masks))
    return cases


def main():
    rng = np.random.default_rng(SEED)
    document = {
        "version": 1,
        "seed": SEED,
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "scipy": scipy.__version__,
        "roc": roc_cases(rng),
        "quantiles": quantile_cases(rng),
        "pixels": pixel_cases(rng),
    }
    names = [case["name"] for section in ("roc", "quantiles", "pixels") for case in document[section]]
    assert len(names) == len(set(names)), "case names must be unique"
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=1, allow_nan=False)
    OUTPUT.write_text(text + "\n")
    print(f"wrote {OUTPUT} ({len(text) / 1024:.0f} KiB, {len(names)} cases)")


if __name__ == "__main__":
    main()
