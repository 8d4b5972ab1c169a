#!/usr/bin/env python3
"""Generate the forward-value reference fixtures for TensorCore.

Run it from the package root (it needs only NumPy):

    python3 Scripts/make_tensor_fixtures.py

It writes ``Tests/TensorCoreTests/Fixtures/tensor_ops.json``, which
``Tests/TensorCoreTests/ForwardFixtureTests.swift`` and
``Tests/TensorCoreTests/SeededGeneratorTests.swift`` read through ``Bundle.module``,
so the Swift tests never need Python. Re-run it (and commit the JSON) whenever a case
is added; the output is deterministic (fixed NumPy seed), so an unchanged script
reproduces the file byte for byte.

File layout::

    {
      "version": 1,
      "cases": [
        {
          "name":     unique case name (the Swift test is parameterised over these),
          "op":       operation name; ForwardFixtureTests.swift maps it to a Swift call
                      and fails on a name it does not know,
          "inputs":   [{"shape": [...], "data": [row-major floats]}, ...],
          "attrs":    operation attributes (axes, keepdims, exponent, slope, min, max,
                      permutation, shape, widths + mode, axis/start/end, indices,
                      correction, scalar + side, seed, ...); every attribute must be
                      consumed by the Swift dispatcher, or the case fails,
          "expected": {"shape": [...], "data": [...]},
          "atol", "rtol": optional per-case tolerances (the test has defaults)
        }, ...
      ],
      "generator": reference outputs of xoshiro256** seeded by SplitMix64, computed
                   here independently of the Swift implementation (64-bit values as
                   hex strings, since JSON numbers cannot hold them exactly)
    }

Inputs are float32 values written with the shortest decimal that round-trips;
expected values are computed in float64 from those float32 inputs (PyTorch semantics
where NumPy differs, e.g. softplus), rounded to float32 and written with 7 significant
digits. Non-finite
values are the strings "NaN", "Infinity" and "-Infinity".
"""

import json
import math
import pathlib

import numpy as np

SEED = 20240611
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "TensorCoreTests" / "Fixtures" / "tensor_ops.json"

rng = np.random.default_rng(SEED)
CASES = []
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------------------
# Encoding helpers


def encode_value(value, digits):
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if digits is None:  # an input: the shortest decimal that round-trips the float32
        return float(str(np.float32(value)))
    return float(f"{value:.{digits}g}")


def encode_tensor(array, digits):
    array = np.asarray(array)
    return {
        "shape": [int(d) for d in array.shape],
        "data": [encode_value(v, digits) for v in array.reshape(-1)],
    }


def f32(array):
    """Float32 copy of an array (the values the Swift side will see)."""
    return np.asarray(array, dtype=np.float32)


def to_float32(array):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(array, dtype=np.float64).astype(np.float32)


def case(name, op, inputs, expected, attrs=None, atol=None, rtol=None):
    inputs = [f32(x) for x in inputs]
    entry = {
        "name": name,
        "op": op,
        "inputs": [encode_tensor(x, None) for x in inputs],
        "attrs": attrs or {},
        # The float64 reference rounded to float32, as a float32 library returns it:
        # overflow becomes ±∞ and underflow 0 (or a denormal).
        "expected": encode_tensor(to_float32(expected), 7),
    }
    if atol is not None:
        entry["atol"] = atol
    if rtol is not None:
        entry["rtol"] = rtol
    CASES.append(entry)


def d(x):
    """Float64 view of float32 inputs for the reference computation."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def rand(shape, low=-2.0, high=2.0, decimals=3):
    """Random float32 values with few decimals (short JSON, exact round trip)."""
    return f32(np.round(np.asarray(rng.uniform(low, high, size=shape)), decimals))


def rand_ints(shape, low=-2, high=2):
    """Small integers as float32: ties for comparisons, max/min and maximum/minimum."""
    return f32(rng.integers(low, high + 1, size=shape))


def nonzero(shape, low=0.5, high=2.0):
    """Values away from 0, either sign (safe denominators)."""
    magnitude = rand(shape, low, high)
    sign = np.where(rng.integers(0, 2, size=shape) == 0, -1.0, 1.0)
    return f32(magnitude * sign)


def shape_name(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"


# ---------------------------------------------------------------------------------------
# Elementwise binary arithmetic with broadcasting

BROADCAST_PAIRS = [
    ([2, 3], [2, 3]),
    ([2, 3], []),          # tensor ∘ scalar-shaped tensor
    ([], [2, 3]),          # scalar-shaped tensor ∘ tensor
    ([2, 3], [3]),         # rank mismatch
    ([4], [2, 3, 4]),      # rank mismatch, left shorter
    ([3, 1], [1, 4]),      # both sides broadcast
    ([2, 1, 4], [3, 1]),   # both sides broadcast, rank mismatch
    ([2, 3, 4], [2, 1, 4]),
    ([1], [2, 2]),
    ([5, 1, 3], [1, 4, 1]),
    ([2, 1, 3, 1], [1, 4, 1, 5]),
    ([3, 1, 1], [1, 1, 4]),
    ([1, 1], [1]),
    ([2, 3, 1], [2, 3, 4]),
]

ARITHMETIC = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
}

for op, fn in ARITHMETIC.items():
    for sa, sb in BROADCAST_PAIRS:
        a = rand(sa)
        b = nonzero(sb) if op == "divide" else rand(sb)
        case(f"{op}_{shape_name(sa)}_{shape_name(sb)}", op, [a, b], fn(d(a), d(b)))

# Division by zero follows IEEE 754: ±∞ and NaN for 0/0.
a = f32([1.0, -1.0, 0.0, 2.5])
b = f32([0.0, 0.0, 0.0, -0.0])
with np.errstate(divide="ignore", invalid="ignore"):
    case("divide_by_zero", "divide", [a, b], d(a) / d(b))

# Scalar overloads: tensor ∘ Float ("right") and Float ∘ tensor ("left").
for op, fn in ARITHMETIC.items():
    for side, scalar in (("right", 2.5), ("left", -1.5)):
        x = nonzero([2, 3]) if (op == "divide" and side == "left") else rand([2, 3])
        s = float(np.float32(scalar))
        expected = fn(d(x), s) if side == "right" else fn(s, d(x))
        case(f"{op}_scalar_{side}", f"{op}_scalar", [x], expected,
             attrs={"scalar": s, "side": side})
x = rand([4, 2])
case("multiply_scalar_zero_rank3", "multiply_scalar", [x.reshape(2, 2, 2)], d(x).reshape(2, 2, 2) * 0.0,
     attrs={"scalar": 0.0, "side": "right"})

x = rand([2, 3])
x[0, 0] = 0.0
case("negate_2x3", "negate", [x], -d(x))
case("negate_scalar", "negate", [f32(3.25)], -3.25)

# ---------------------------------------------------------------------------------------
# pow, exp, log, sqrt, abs, tanh, sigmoid, relu, leakyRelu, softplus, squared, clamped

base = rand([2, 3], 0.1, 3.0)
exponent = rand([2, 3], -2.0, 2.0)
case("pow_tensor_2x3", "pow", [base, exponent], np.power(d(base), d(exponent)))
base = rand([2, 3], 0.1, 3.0)
exponent = rand([3], -2.0, 2.0)
case("pow_tensor_broadcast_2x3_3", "pow", [base, exponent], np.power(d(base), d(exponent)))
base = rand([3, 1], 0.1, 3.0)
exponent = rand([1, 4], -2.0, 2.0)
case("pow_tensor_broadcast_3x1_1x4", "pow", [base, exponent], np.power(d(base), d(exponent)))
base = rand([4], 0.1, 3.0)
case("pow_tensor_scalar_shaped_exponent", "pow", [base, f32(1.5)], np.power(d(base), 1.5))
base = f32([-2.0, -1.5, -3.0, 2.0])
exponent = f32([3.0, 2.0, -1.0, 0.0])
case("pow_tensor_negative_base_integer_exponent", "pow", [base, exponent], np.power(d(base), d(exponent)))
with np.errstate(divide="ignore"):
    base = f32([0.0, 0.0, 0.0, 1.0])
    exponent = f32([0.0, 2.0, -1.0, 7.5])
    case("pow_tensor_zero_base", "pow", [base, exponent], np.power(d(base), d(exponent)))

for p in (3.0, 0.5, -1.0, 2.0, 0.0, -0.5, 1.5):
    x = rand([2, 3], 0.1, 3.0)
    case(f"pow_scalar_{p:g}", "pow_scalar", [x], np.power(d(x), p), attrs={"exponent": p})
x = f32([-2.0, -0.5, 0.0, 1.5])
case("pow_scalar_3_negative_base", "pow_scalar", [x], np.power(d(x), 3.0), attrs={"exponent": 3.0})
case("pow_scalar_2_negative_base", "pow_scalar", [x], np.power(d(x), 2.0), attrs={"exponent": 2.0})

# exp over a range that crosses every lane count of an 8-wide vector loop (and the tail).
x = f32(np.concatenate([rand([13], -5.0, 5.0), [0.0, -20.0, 20.0, 50.0, -50.0, 80.0, -87.0, 88.5]]))
case("exp_range_21", "exp", [x], np.exp(d(x)))
x = rand([2, 3, 4], -3.0, 3.0)
case("exp_2x3x4", "exp", [x], np.exp(d(x)))
with np.errstate(over="ignore"):
    x = f32([100.0, -110.0, float("inf"), float("-inf"), float("nan"), 89.0, -104.0, 1.0, -1.0])
    case("exp_special", "exp", [x], np.exp(d(x)))
case("exp_scalar", "exp", [f32(0.75)], np.exp(0.75))
# A dense sweep over the whole finite range (normal results), held to a few ulps.
x = f32(np.round(np.linspace(-87.0, 88.7, 67), 3))
case("exp_sweep_normal_range", "exp", [x], np.exp(d(x)), atol=0.0, rtol=1e-6)
x = f32([-88.0, -90.0, -95.0, -100.0, -103.0, 88.72, 88.73, -0.0, 1e-7, -1e-7, 0.6931472, -0.6931472])
with np.errstate(over="ignore"):
    case("exp_edges_denormal_and_overflow", "exp", [x], np.exp(d(x)), atol=1e-44, rtol=1e-5)

x = rand([3, 4], 0.01, 10.0)
case("log_3x4", "log", [x], np.log(d(x)))
with np.errstate(divide="ignore", invalid="ignore"):
    x = f32([0.0, -1.0, 1.0, 1e-30, 3e38, float("inf")])
    case("log_special", "log", [x], np.log(d(x)))

x = rand([3, 4], 0.0, 9.0)
x[0, 0] = 0.0
case("sqrt_3x4", "sqrt", [x], np.sqrt(d(x)))
with np.errstate(invalid="ignore"):
    x = f32([-1.0, 0.0, 4.0, float("inf")])
    case("sqrt_special", "sqrt", [x], np.sqrt(d(x)))

x = rand([3, 4])
x[1, 1] = 0.0
case("abs_3x4", "abs", [x], np.abs(d(x)))

x = f32(np.concatenate([rand([8], -3.0, 3.0), [0.0, 10.0, -10.0, 20.0, -20.0, 0.001]]))
case("tanh_range", "tanh", [x], np.tanh(d(x)))


def sigmoid(v):
    v = d(v)
    return np.where(v >= 0, 1.0 / (1.0 + np.exp(-np.abs(v))), np.exp(-np.abs(v)) / (1.0 + np.exp(-np.abs(v))))


x = f32(np.concatenate([rand([6], -4.0, 4.0), [0.0, 30.0, -30.0, 50.0, -50.0, 15.0, -15.0, 100.0, -88.0]]))
case("sigmoid_range", "sigmoid", [x], sigmoid(x))

x = rand([3, 4])
x[0, 0] = 0.0
case("relu_3x4", "relu", [x], np.maximum(d(x), 0.0))

x = rand([3, 4])
x[0, 1] = 0.0
for slope in (0.01, 0.2):
    case(f"leaky_relu_{slope:g}", "leaky_relu", [x], np.where(d(x) > 0, d(x), d(x) * float(np.float32(slope))),
         attrs={"slope": slope})
case("leaky_relu_default_slope", "leaky_relu", [x], np.where(d(x) > 0, d(x), d(x) * float(np.float32(0.01))))


def softplus_torch(v):
    v = d(v)
    return np.where(v > 20.0, v, np.logaddexp(0.0, v))


x = f32(np.concatenate([rand([6], -5.0, 5.0),
                        [0.0, -25.0, -20.5, -20.0, 19.5, 20.0, 20.001, 20.5, 25.0, 30.0, -30.0]]))
case("softplus_range", "softplus", [x], softplus_torch(x))

x = rand([2, 3, 2])
case("squared_2x3x2", "squared", [x], d(x) ** 2)

x = rand([3, 4])
case("clamped_both", "clamped", [x], np.clip(d(x), -0.5, 0.75), attrs={"min": -0.5, "max": 0.75})
case("clamped_min_only", "clamped", [x], np.maximum(d(x), 0.0), attrs={"min": 0.0})
case("clamped_max_only", "clamped", [x], np.minimum(d(x), 1.0), attrs={"max": 1.0})
case("clamped_no_bounds", "clamped", [x], d(x), attrs={})
# PyTorch: with min > max every element becomes max.
case("clamped_min_above_max", "clamped", [x], np.minimum(np.maximum(d(x), 1.0), -1.0),
     attrs={"min": 1.0, "max": -1.0})
with np.errstate(invalid="ignore"):
    x = f32([float("nan"), -3.0, 3.0, 0.5])
    case("clamped_nan", "clamped", [x], np.clip(d(x), -1.0, 1.0), attrs={"min": -1.0, "max": 1.0})

# ---------------------------------------------------------------------------------------
# maximum / minimum, comparisons, where

for op, fn in (("maximum", np.maximum), ("minimum", np.minimum)):
    a, b = rand_ints([2, 3]), rand_ints([2, 3])
    case(f"{op}_2x3_with_ties", op, [a, b], fn(d(a), d(b)))
    a, b = rand([3, 1]), rand([1, 4])
    case(f"{op}_broadcast_3x1_1x4", op, [a, b], fn(d(a), d(b)))
    a = rand([2, 3])
    case(f"{op}_broadcast_scalar_shaped", op, [a, f32(0.25)], fn(d(a), 0.25))
    a = f32([float("nan"), 1.0, 2.0, float("nan")])
    b = f32([1.0, float("nan"), 1.0, float("nan")])
    case(f"{op}_nan_propagates", op, [a, b], fn(d(a), d(b)))

COMPARISONS = {
    "is_greater": np.greater,
    "is_greater_or_equal": np.greater_equal,
    "is_less": np.less,
    "is_less_or_equal": np.less_equal,
    "is_equal": np.equal,
}
for op, fn in COMPARISONS.items():
    a, b = rand_ints([3, 4], -1, 1), rand_ints([3, 4], -1, 1)
    case(f"{op}_3x4_with_ties", op, [a, b], fn(d(a), d(b)).astype(np.float64))
    a, b = rand_ints([2, 3], -1, 1), rand_ints([3], -1, 1)
    case(f"{op}_broadcast_2x3_3", op, [a, b], fn(d(a), d(b)).astype(np.float64))
    a, b = rand_ints([3, 1], -1, 1), rand_ints([1, 4], -1, 1)
    case(f"{op}_broadcast_3x1_1x4", op, [a, b], fn(d(a), d(b)).astype(np.float64))
    a = f32([float("nan"), 1.0, float("nan"), float("inf")])
    b = f32([1.0, float("nan"), float("nan"), float("inf")])
    case(f"{op}_nan_and_inf", op, [a, b], fn(d(a), d(b)).astype(np.float64))

for op, fn, value in (("is_greater_scalar", np.greater, 0.0), ("is_less_scalar", np.less, 1.0),
                      ("is_equal_scalar", np.equal, 1.0)):
    x = rand_ints([3, 4], -1, 2)
    case(f"{op}_3x4", op, [x], fn(d(x), value).astype(np.float64), attrs={"value": value})


def where(c, a, b):
    return np.where(d(c) != 0, d(a), d(b))


c = f32([[1, 0, 2], [0, -1, 0]])  # any non-zero picks a
a, b = rand([2, 3]), rand([2, 3])
case("where_2x3", "where", [c, a, b], where(c, a, b))
c, a, b = rand_ints([3, 1], 0, 1), rand([1, 4]), f32(-9.0)
case("where_broadcast_3x1_1x4_scalar", "where", [c, a, b], where(c, a, b))
c, a, b = rand_ints([2, 3, 1], 0, 1), rand([4]), rand([3, 1])
case("where_broadcast_condition_largest_rank", "where", [c, a, b], where(c, a, b))
c, a, b = f32(1.0), rand([2, 2]), rand([2, 2])
case("where_scalar_condition", "where", [c, a, b], where(c, a, b))
c, a, b = f32(1.0), f32(2.0), f32(3.0)
case("where_all_scalars", "where", [c, a, b], where(c, a, b))
c = f32([1, 0, 1, 0])
a = f32([1.0, float("inf"), -2.0, 5.0])
b = f32([float("inf"), 3.0, float("nan"), float("-inf")])
case("where_unpicked_infinity", "where", [c, a, b], where(c, a, b))

# ---------------------------------------------------------------------------------------
# Reductions


def reduce_cases(op, fn, x, label, axes_list, **extra):
    for axes in axes_list:
        for keep in (False, True):
            axes_label = "_".join(str(a).replace("-", "m") for a in axes)
            attrs = {"axes": list(axes), "keepdims": keep}
            attrs.update(extra.get("attrs", {}))
            expected = fn(d(x), axis=tuple(axes), keepdims=keep)
            case(f"{op}_{label}_axes_{axes_label}_keep{int(keep)}{extra.get('suffix', '')}", op, [x], expected,
                 attrs=attrs, atol=extra.get("atol"), rtol=extra.get("rtol"))


x3 = rand([2, 3, 4])
x3_ties = rand_ints([2, 3, 4], -2, 2)
x4 = rand([2, 3, 4, 5])
AXES3 = [[0], [1], [2], [-1], [0, 1], [1, 2], [0, 2], [-3, -1], [2, 0], [0, 1, 2]]
AXES4 = [[0, 2], [1, 3], [0, 2, 3], [-1, -2], [1, 2]]

for op, fn in (("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min)):
    reduce_cases(op, fn, x3_ties if op in ("max", "min") else x3, "2x3x4", AXES3)
    reduce_cases(op, fn, x4, "2x3x4x5", AXES4)
    # the same axes on a tensor with size-1 dimensions
    x = rand([3, 1, 4])
    reduce_cases(op, fn, x, "3x1x4", [[1], [0, 1]])
    # rank-1 and whole-tensor
    x = rand([7])
    case(f"{op}_rank1_axis0", op, [x], fn(d(x), axis=0), attrs={"axes": [0], "keepdims": False})
    x = rand([3, 4])
    case(f"{op}_all_3x4", f"{op}_all", [x], fn(d(x)))
    x = rand([2, 3, 4])
    case(f"{op}_all_2x3x4", f"{op}_all", [x], fn(d(x)))
    case(f"{op}_all_scalar", f"{op}_all", [f32(1.75)], 1.75)

for correction in (0, 1):
    reduce_cases("variance", lambda v, axis, keepdims, c=correction: np.var(v, axis=axis, ddof=c, keepdims=keepdims),
                 x3, "2x3x4", [[0], [1], [-1], [0, 2], [1, 2], [0, 1, 2]],
                 attrs={"correction": correction}, suffix=f"_corr{correction}", atol=1e-5, rtol=5e-4)
    reduce_cases("variance", lambda v, axis, keepdims, c=correction: np.var(v, axis=axis, ddof=c, keepdims=keepdims),
                 x4, "2x3x4x5", [[0, 2], [-1, -3]],
                 attrs={"correction": correction}, suffix=f"_corr{correction}", atol=1e-5, rtol=5e-4)
    x = rand([4, 5])
    case(f"variance_all_4x5_corr{correction}", "variance_all", [x], np.var(d(x), ddof=correction),
         attrs={"correction": correction}, atol=1e-5, rtol=5e-4)
x = rand([3, 4])
case("variance_default_correction_axis1", "variance", [x], np.var(d(x), axis=1, ddof=1),
     attrs={"axes": [1]}, atol=1e-5, rtol=5e-4)
case("variance_all_default_correction", "variance_all", [x], np.var(d(x), ddof=1), atol=1e-5, rtol=5e-4)
x = f32([[1.0e4 + 0.5, 1.0e4 - 0.5, 1.0e4 + 1.5, 1.0e4 - 1.5]])
case("variance_large_offset", "variance", [x], np.var(d(x), axis=1, ddof=0), attrs={"axes": [1], "correction": 0},
     atol=1e-4, rtol=1e-3)
x = f32([3.0, 3.0, 3.0])
case("variance_constant", "variance", [x], 0.0, attrs={"axes": [0], "correction": 1})

# NaN propagates through max/min (PyTorch semantics).
x = f32([[1.0, float("nan"), 3.0], [float("nan"), -1.0, 0.0], [2.0, 5.0, 4.0]])
case("max_nan_propagates_axis1", "max", [x], [float("nan"), float("nan"), 5.0], attrs={"axes": [1]})
case("min_nan_propagates_axis0", "min", [x], [float("nan"), float("nan"), 0.0], attrs={"axes": [0]})
# Empty reductions: a sum over nothing is 0 (PyTorch and NumPy agree).
case("sum_over_empty_axis", "sum", [np.zeros([2, 0, 3], dtype=np.float32)], np.zeros([2, 3]),
     attrs={"axes": [1], "keepdims": False})

# Degenerate counts follow PyTorch: the mean of nothing and a variance with correction ≥
# count are NaN.
case("mean_over_empty_axis", "mean", [np.zeros([2, 0, 3], dtype=np.float32)], np.full([2, 3], np.nan),
     attrs={"axes": [1]})
case("variance_single_element_corr1", "variance", [rand([3, 1])], np.full([3], np.nan),
     attrs={"axes": [1], "correction": 1})
x = rand([3, 1])
case("variance_single_element_corr0", "variance", [x], np.zeros([3]), attrs={"axes": [1], "correction": 0})

# ---------------------------------------------------------------------------------------
# Shape operations

x = rand([2, 3, 4])
for target, label in (([4, 6], "4x6"), ([-1], "m1"), ([2, -1, 2], "2xm1x2"), ([-1, 1, 3], "m1x1x3"),
                      ([24], "24"), ([2, 3, 4], "same")):
    resolved = d(x).reshape(target)
    case(f"reshape_2x3x4_to_{label}", "reshape", [x], resolved, attrs={"shape": target})
case("reshape_1_to_scalar", "reshape", [f32([4.5])], f32(4.5), attrs={"shape": []})
case("reshape_scalar_to_1x1", "reshape", [f32(4.5)], f32([[4.5]]), attrs={"shape": [1, 1]})

x4s = rand([2, 3, 4, 5])
case("flatten_default_2x3x4", "flatten", [x], d(x).reshape(2, 12))
case("flatten_start0_2x3x4", "flatten", [x], d(x).reshape(24), attrs={"start_axis": 0})
case("flatten_start1_end2_2x3x4x5", "flatten", [x4s], d(x4s).reshape(2, 12, 5), attrs={"start_axis": 1, "end_axis": 2})
case("flatten_start0_endm2_2x3x4x5", "flatten", [x4s], d(x4s).reshape(24, 5), attrs={"start_axis": 0, "end_axis": -2})
case("flatten_startm2_2x3x4x5", "flatten", [x4s], d(x4s).reshape(2, 3, 20), attrs={"start_axis": -2})
case("flatten_single_axis_2x3x4", "flatten", [x], d(x), attrs={"start_axis": 1, "end_axis": 1})
case("flatten_scalar", "flatten", [f32(2.0)], f32([2.0]))

x = rand([1, 3, 1, 2])
case("squeeze_all_1x3x1x2", "squeeze", [x], d(x).reshape(3, 2))
case("squeeze_axis0_1x3x1x2", "squeeze", [x], d(x).reshape(3, 1, 2), attrs={"axis": 0})
case("squeeze_axism2_1x3x1x2", "squeeze", [x], d(x).reshape(1, 3, 2), attrs={"axis": -2})
case("squeeze_all_ones", "squeeze", [f32([[[7.0]]])], f32(7.0))
case("squeeze_rank1_size1", "squeeze", [f32([7.0])], f32(7.0))
x = rand([2, 3])
case("squeeze_no_unit_axes", "squeeze", [x], d(x))

x = rand([2, 3, 4])
for axis in (0, 1, 3, -1, -4):
    case(f"unsqueeze_2x3x4_axis{str(axis).replace('-', 'm')}", "unsqueeze", [x], np.expand_dims(d(x), axis),
         attrs={"axis": axis})
case("unsqueeze_scalar", "unsqueeze", [f32(1.5)], f32([1.5]), attrs={"axis": 0})

x = rand([2, 3, 4])
for perm in ([2, 0, 1], [1, 0, 2], [0, 2, 1], [2, 1, 0], [-1, 0, 1], [0, 1, 2]):
    label = "_".join(str(p).replace("-", "m") for p in perm)
    case(f"permute_2x3x4_{label}", "permute", [x], np.transpose(d(x), perm), attrs={"permutation": perm})
x = rand([2, 3, 4, 5])
for perm in ([0, 2, 3, 1], [3, 2, 1, 0], [0, 3, 1, 2], [1, 0, 3, 2]):
    label = "_".join(str(p) for p in perm)
    case(f"permute_2x3x4x5_{label}", "permute", [x], np.transpose(d(x), perm), attrs={"permutation": perm})
x = rand([1, 3, 1, 4])
case("permute_with_unit_axes", "permute", [x], np.transpose(d(x), [3, 2, 1, 0]), attrs={"permutation": [3, 2, 1, 0]})

x = rand([2, 3, 4])
case("transpose_default_2x3x4", "transpose", [x], np.swapaxes(d(x), -2, -1))
case("transpose_0_2_2x3x4", "transpose", [x], np.swapaxes(d(x), 0, 2), attrs={"first": 0, "second": 2})
case("transpose_m3_1_2x3x4", "transpose", [x], np.swapaxes(d(x), -3, 1), attrs={"first": -3, "second": 1})
case("transpose_same_axis_2x3x4", "transpose", [x], d(x), attrs={"first": 1, "second": 1})
x = rand([3, 5])
case("transpose_default_3x5", "transpose", [x], d(x).T)

for src, dst in (([3, 1], [3, 4]), ([3, 1], [2, 3, 4]), ([1, 4], [3, 4]), ([], [2, 2]), ([4], [2, 3, 4]),
                 ([2, 1, 3], [2, 4, 3]), ([3], [1, 3]), ([2, 3], [2, 3])):
    x = rand(src)
    case(f"expand_{shape_name(src)}_to_{shape_name(dst)}", "expand", [x], np.broadcast_to(d(x), dst),
         attrs={"shape": dst})

x = rand([4, 3, 5])
for axis, start, end in ((0, 1, 3), (1, 0, 2), (2, 2, 5), (-1, 0, 1), (1, 0, 3), (0, 2, 2), (-2, 1, 2)):
    index = [slice(None)] * 3
    index[axis] = slice(start, end)
    label = f"axis{str(axis).replace('-', 'm')}_{start}_{end}"
    case(f"slice_4x3x5_{label}", "slice", [x], d(x)[tuple(index)], attrs={"axis": axis, "start": start, "end": end})

parts = [rand([1, 3]), rand([2, 3]), rand([3, 3])]
case("concatenate_axis0_three", "concatenate", parts, np.concatenate([d(p) for p in parts], axis=0), attrs={"axis": 0})
parts = [rand([2, 1, 4]), rand([2, 3, 4]), rand([2, 2, 4])]
case("concatenate_axis1_three", "concatenate", parts, np.concatenate([d(p) for p in parts], axis=1), attrs={"axis": 1})
parts = [rand([2, 3, 1]), rand([2, 3, 2]), rand([2, 3, 3])]
case("concatenate_axism1_three", "concatenate", parts, np.concatenate([d(p) for p in parts], axis=-1),
     attrs={"axis": -1})
parts = [rand([2, 2]), np.zeros([2, 0], dtype=np.float32), rand([2, 1])]
case("concatenate_with_empty_part", "concatenate", parts, np.concatenate([d(p) for p in parts], axis=1),
     attrs={"axis": 1})
parts = [rand([2, 3])]
case("concatenate_single", "concatenate", parts, d(parts[0]), attrs={"axis": 0})
parts = [rand([3]), rand([2])]
case("concatenate_default_axis_rank1", "concatenate", parts, np.concatenate([d(p) for p in parts]))

parts = [rand([2, 3]), rand([2, 3]), rand([2, 3])]
for axis in (0, 1, 2, -1, -3):
    case(f"stack_three_2x3_axis{str(axis).replace('-', 'm')}", "stack", parts,
         np.stack([d(p) for p in parts], axis=axis), attrs={"axis": axis})
case("stack_default_axis", "stack", parts[:2], np.stack([d(p) for p in parts[:2]]))
parts = [f32(1.0), f32(2.0), f32(3.0)]
case("stack_scalars", "stack", parts, [1.0, 2.0, 3.0], attrs={"axis": 0})

# Padding: widths are (before, after) per axis; numpy "reflect" is PyTorch's reflect.
for shape, widths, mode in (
    ([3, 4], [[1, 2], [0, 3]], "zero"),
    ([2, 3, 4], [[0, 0], [1, 1], [2, 0]], "zero"),
    ([2, 3], [[0, 0], [0, 0]], "zero"),
    ([5], [[3, 1]], "zero"),
    ([3], [[2, 2]], "reflect"),
    ([3, 4], [[2, 1], [1, 3]], "reflect"),
    ([1, 2, 5], [[0, 0], [1, 1], [4, 4]], "reflect"),
    ([2, 3, 4, 4], [[0, 0], [0, 0], [1, 2], [3, 0]], "reflect"),
):
    x = rand(shape)
    np_mode = "constant" if mode == "zero" else "reflect"
    expected = np.pad(d(x), [tuple(w) for w in widths], mode=np_mode)
    label = "_".join(f"{a}{b}" for a, b in widths)
    case(f"pad_{mode}_{shape_name(shape)}_{label}", "pad", [x], expected, attrs={"widths": widths, "mode": mode})

# gather = PyTorch's index_select: any order, repeats allowed.
x = rand([4, 3])
case("gather_axis0_repeats", "gather", [x], np.take(d(x), [3, 0, 0, 2], axis=0),
     attrs={"indices": [3, 0, 0, 2], "axis": 0})
x = rand([2, 4, 3])
case("gather_axis1_repeats", "gather", [x], np.take(d(x), [1, 1, 3], axis=1), attrs={"indices": [1, 1, 3], "axis": 1})
case("gather_axism1_repeats", "gather", [x], np.take(d(x), [2, 0, 2, 2, 1], axis=-1),
     attrs={"indices": [2, 0, 2, 2, 1], "axis": -1})
case("gather_empty_indices", "gather", [x], np.take(d(x), np.array([], dtype=int), axis=1),
     attrs={"indices": [], "axis": 1})
x = rand([5])
case("gather_rank1", "gather", [x], np.take(d(x), [4, 4, 0], axis=0), attrs={"indices": [4, 4, 0], "axis": 0})

# ---------------------------------------------------------------------------------------
# matmul (float32 GEMM against a float64 reference: slightly looser tolerance)

for sa, sb in (([3, 4], [4, 5]), ([1, 4], [4, 1]), ([2, 3, 4], [2, 4, 5]), ([2, 3, 4, 5], [5, 6]),
               ([4, 5], [2, 5, 3]), ([1, 3, 4], [2, 4, 2]), ([2, 1, 3, 4], [1, 5, 4, 2]), ([2, 3, 4], [1, 4, 2]),
               ([3, 2, 4], [4, 3]), ([2, 0], [0, 3]), ([7, 16], [16, 9])):
    a, b = rand(sa), rand(sb)
    case(f"matmul_{shape_name(sa)}_{shape_name(sb)}", "matmul", [a, b], np.matmul(d(a), d(b)), atol=1e-4, rtol=1e-4)

# ---------------------------------------------------------------------------------------
# Creation


def arange_reference(start, end, step):
    """torch.arange / np.arange on float32 bounds: start + i·step (computed in double,
    rounded to float32) for every i whose value lies strictly below `end` (above it for a
    negative step), as the Swift documentation promises."""
    start, end, step = (np.float32(v) for v in (start, end, step))
    count = max(0, math.ceil((float(end) - float(start)) / float(step)))
    values = [np.float32(float(start) + i * float(step)) for i in range(count)]
    # Rounding to float32 can land the last value on `end` itself: it does not belong.
    while values and (values[-1] >= end if step > 0 else values[-1] <= end):
        values.pop()
    assert len(values) == len(np.arange(start, end, step, dtype=np.float32)), (start, end, step)
    return [float(v) for v in values]


for start, end, step in ((0, 5, 1), (2, 7, 1.5), (5, 0, -1.5), (0, 1, 0.1), (-3, 3, 0.7), (3, 3, 1), (0, 10, 3),
                         (1, -1, -0.25), (0, 0.3, 0.1), (0, 1.2, 0.1)):
    label = f"{start:g}_{end:g}_{step:g}".replace("-", "m").replace(".", "p")
    case(f"arange_{label}", "arange", [], arange_reference(start, end, step),
         attrs={"start": float(start), "end": float(end), "step": float(step)})
case("arange_end_only", "arange", [], arange_reference(0, 4, 1), attrs={"end": 4.0})

case("full_2x3", "full", [], np.full([2, 3], 1.5), attrs={"shape": [2, 3], "value": 1.5})
case("full_scalar", "full", [], np.float64(-2.0), attrs={"shape": [], "value": -2.0})
case("zeros_3", "zeros", [], np.zeros([3]), attrs={"shape": [3]})
case("zeros_2x0", "zeros", [], np.zeros([2, 0]), attrs={"shape": [2, 0]})
case("ones_2x2", "ones", [], np.ones([2, 2]), attrs={"shape": [2, 2]})

# ---------------------------------------------------------------------------------------
# SeededGenerator: xoshiro256** seeded through SplitMix64, written from the reference C.


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


class Xoshiro256StarStar:
    def __init__(self, seed):
        mixer = seed & MASK64

        def split_mix():
            nonlocal mixer
            mixer = (mixer + 0x9E3779B97F4A7C15) & MASK64
            z = mixer
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            return z ^ (z >> 31)

        self.s = [split_mix() for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def unit_float(self):
        return float(self.next() >> 40) * 2.0 ** -24

    def normal_pair(self):
        u1 = (float(self.next() >> 11) + 1.0) * 2.0 ** -53
        u2 = float(self.next() >> 11) * 2.0 ** -53
        radius = math.sqrt(-2.0 * math.log(u1))
        angle = 2.0 * math.pi * u2
        return float(np.float32(radius * math.cos(angle))), float(np.float32(radius * math.sin(angle)))


def self_check():
    # SplitMix64 from seed 0 starts with 0xE220A8397B1DCDAF (Vigna's splitmix64.c).
    assert Xoshiro256StarStar(0).s[0] == 0xE220A8397B1DCDAF
    # xoshiro256** from state {1, 2, 3, 4}: the reference implementation gives 11520, 0, ...
    g = Xoshiro256StarStar(0)
    g.s = [1, 2, 3, 4]
    assert [g.next() for _ in range(3)] == [11520, 0, 1509978240]


self_check()

GENERATOR_SEEDS = [0, 1, 42, 0xDEADBEEF, MASK64]
generator = {
    "sequences": [],
}
for seed in GENERATOR_SEEDS:
    g = Xoshiro256StarStar(seed)
    generator["sequences"].append({"seed": f"0x{seed:016x}", "outputs": [f"0x{g.next():016x}" for _ in range(8)]})
g = Xoshiro256StarStar(7)
generator["unit_floats"] = {"seed": "0x0000000000000007", "values": [g.unit_float() for _ in range(8)]}
g = Xoshiro256StarStar(7)
generator["normal_pairs"] = {"seed": "0x0000000000000007",
                             "values": [list(g.normal_pair()) for _ in range(4)]}


def random_uniform(seed, count, low, high):
    g = Xoshiro256StarStar(seed)
    low32, high32 = np.float32(low), np.float32(high)
    width = np.float32(high32 - low32)
    return [float(low32 + width * np.float32(g.unit_float())) for _ in range(count)]


def random_normal(seed, count, mean, std):
    g = Xoshiro256StarStar(seed)
    values = []
    while len(values) < count:
        values.extend(g.normal_pair())
    m, s = np.float32(mean), np.float32(std)
    return [float(m + s * np.float32(v)) for v in values[:count]]


case("random_uniform_seed42_7_m1_3", "random_uniform", [], random_uniform(42, 7, -1.0, 3.0),
     attrs={"seed": 42, "shape": [7], "low": -1.0, "high": 3.0})
case("random_uniform_seed7_2x3_default", "random_uniform", [],
     np.array(random_uniform(7, 6, 0.0, 1.0)).reshape(2, 3), attrs={"seed": 7, "shape": [2, 3]})
case("random_normal_seed42_5_odd_count", "random_normal", [], random_normal(42, 5, 1.0, 2.0),
     attrs={"seed": 42, "shape": [5], "mean": 1.0, "std": 2.0})
case("random_normal_seed3_2x4_default", "random_normal", [],
     np.array(random_normal(3, 8, 0.0, 1.0)).reshape(2, 4), attrs={"seed": 3, "shape": [2, 4]})

# ---------------------------------------------------------------------------------------

names = [c["name"] for c in CASES]
duplicates = sorted({n for n in names if names.count(n) > 1})
assert not duplicates, f"duplicate case names: {duplicates}"

OUTPUT.parent.mkdir(parents=True, exist_ok=True)
# One case per line keeps diffs of the committed file readable.
def dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


text = (
    '{"version":1,"seed":' + str(SEED) + ',\n"cases":[\n'
    + ",\n".join(dumps(c) for c in CASES)
    + '\n],\n"generator":' + dumps(generator) + "}"
)
json.loads(text)  # well-formed
OUTPUT.write_text(text + "\n")
ops = sorted({c["op"] for c in CASES})
print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(CASES)} cases, {len(ops)} ops, {len(text) / 1024:.1f} KiB")
