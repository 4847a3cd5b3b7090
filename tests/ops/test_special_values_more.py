"""Special values against PyTorch for the wave-3 activations, erf/erfc, the normalization
family, embedding, the conv family, the pools (1-d, 2-d, adaptive), interpolate and
unfold/fold: +-inf, nan, +-0.0, huge (1e30, 3e38/1e300) and subnormal inputs, forward and
backward (ones and random upstream).

The values, the comparison and the known-difference mechanism are those of
test_special_values.py (imported, not copied); this file only adds rows and its own KNOWN
list. Where glassgrad knowingly differs from torch, KNOWN states the exact difference and
the kind of elements where it shows (docs/special-values.md).
"""

import numpy as np

from harness import Case
from test_special_values import (
    INF, NAN, ROWS, Fixed, MATRIX, VALUES, A, B, Known, _cycle, _functional, _variances,
    both_finite, check_no_warning_leaks, special_value_tests, specials, torch_not_finite,
    torch_zero_or_not_finite)


# ---------------------------------------------------------------- inputs
def _rows(shape):
    """ROWS (16 x 4: one special value per row, signed zeros, overflowing sums) reshaped."""
    return Fixed(lambda d: np.array(ROWS, dtype=d).reshape(shape))


def _array(values, requires_grad=None):
    return Fixed(lambda d: np.array(values, dtype=d), requires_grad=requires_grad)


IMAGES = _rows((4, 1, 4, 4))  # four 4 x 4 images, each of four ROWS
SIGNALS = _rows((16, 1, 4))  # one ROW per 1-d signal
CHANNELS = _rows((4, 4, 4))  # (N, C, L): four ROWS per sample
# ordinary numbers, with signed zeros, for the other operand
W1 = _array([[[1.0, -0.5]], [[0.0, 2.0]]])  # conv1d weight (2, 1, 2)
BIAS2 = _array([0.5, -0.0])
WT2 = _array([[[[1.0, -0.5], [0.0, 2.0]], [[-0.0, 0.25], [1.5, -1.0]]]])  # (1, 2, 2, 2)
WT1 = _array([[[1.0, -0.5], [0.0, 2.0]]])  # conv_transpose1d weight (1, 2, 2)
PLAIN_SIGNALS = _array(np.linspace(-2.0, 2.0, 12).reshape(2, 1, 6))
PLAIN_IMAGES = _array(np.linspace(-2.0, 2.0, 18).reshape(2, 1, 3, 3))
# special weights: ROWS as 16 filters of one channel
SPECIAL_W1 = _rows((16, 1, 4))
SPECIAL_WT2 = _rows((1, 16, 2, 2))
SPECIAL_WT1 = _rows((1, 16, 4))
GLU_PAIRS = Fixed(lambda d: np.concatenate([A.values(d), B.values(d)]))  # a | b halves


def _cases():
    F = _functional
    c = []
    # --- activations, one row per special value
    for op in ("gelu", "silu", "elu", "selu", "celu", "logsigmoid", "softsign", "hardtanh",
               "relu6", "hardsigmoid", "hardswish", "mish", "hardshrink", "softshrink",
               "tanhshrink"):
        c.append(Case(op, VALUES, fn=F(op), name=op))
    # the same with a negative upstream everywhere (-op(x)): the sign of each zero gradient
    for op in ("gelu", "silu", "elu", "logsigmoid", "softsign", "hardtanh", "relu6",
               "hardsigmoid", "hardswish", "mish", "hardshrink", "softshrink", "tanhshrink"):
        c.append(Case(op, VALUES, fn=lambda F, x, op=op: -getattr(F.nn.functional, op)(x),
                      name=f"-{op}"))
    c += [
        Case("gelu", VALUES, fn=F("gelu"), approximate="tanh", name="gelu,tanh"),
        Case("elu", VALUES, fn=F("elu"), alpha=2.0, name="elu,alpha 2"),
        Case("elu", VALUES, fn=F("elu"), alpha=-0.5, name="elu,alpha -0.5"),
        Case("celu", VALUES, fn=F("celu"), alpha=0.5, name="celu,alpha 0.5"),
        Case("celu", VALUES, fn=F("celu"), alpha=-2.0, name="celu,alpha -2"),
        Case("hardtanh", VALUES, fn=F("hardtanh"), min_val=-2.0, max_val=0.5,
             name="hardtanh,-2,0.5"),
        Case("hardtanh", VALUES, fn=F("hardtanh"), min_val=-INF, max_val=INF,
             name="hardtanh,-inf,inf"),
        Case("hardshrink", VALUES, fn=F("hardshrink"), lambd=0.0, name="hardshrink,lambd 0"),
        Case("softshrink", VALUES, fn=F("softshrink"), lambd=1.0, name="softshrink,lambd 1"),
        Case("softshrink", VALUES, fn=F("softshrink"), lambd=0.0, name="softshrink,lambd 0"),
        Case("threshold", VALUES, fn=F("threshold"), threshold=0.5, value=20.0,
             name="threshold,0.5,20"),
        Case("threshold", VALUES, fn=F("threshold"), threshold=-INF, value=-0.0,
             name="threshold,-inf,-0.0"),
        Case("threshold", VALUES, fn=F("threshold"), threshold=1.0, value=NAN,
             name="threshold,1,nan"),
        Case("softmin", MATRIX, fn=F("softmin"), dim=1, name="softmin,dim=1"),
        Case("softmin", MATRIX, fn=F("softmin"), dim=0, name="softmin,dim=0"),
        Case("prelu", VALUES, _array([0.25]), fn=F("prelu"), name="prelu,one slope"),
        Case("prelu", VALUES, _array([-0.0]), fn=F("prelu"), name="prelu,slope -0.0"),
        Case("prelu", MATRIX, _array([0.25, -1.0, 0.0, 2.0]), fn=F("prelu"),
             name="prelu,per channel"),
        Case("prelu", _array([[1.0, -2.0, 0.0, -0.0]] * 3), Fixed(lambda d: np.array(
            [INF, NAN, -0.0, 1e30], dtype=d)), fn=F("prelu"), name="prelu,special slopes"),
        Case("glu", GLU_PAIRS, fn=F("glu"), dim=0, name="glu,pairs"),
        Case("glu", MATRIX, fn=F("glu"), dim=1, name="glu,dim=1"),
        Case("erf", VALUES, name="erf"),
        Case("erfc", VALUES, name="erfc"),
    ]
    # --- normalization: special rows within a batch, special statistics, special affine
    weight4 = _array([1.0, -0.5, 0.0, 2.0])
    bias4 = _array([0.0, -0.0, 1.0, -1.0])
    c += [
        Case("layer_norm", MATRIX, fn=lambda F, x: F.nn.functional.layer_norm(x, (4,)),
             name="layer_norm"),
        Case("layer_norm", MATRIX, weight4, bias4,
             fn=lambda F, x, w, b: F.nn.functional.layer_norm(x, (4,), w, b),
             name="layer_norm,affine"),
        Case("layer_norm", _array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 0.0, 1.0]] * 2),
             Fixed(lambda d: np.array([INF, NAN, -0.0, 1e30], dtype=d)),
             Fixed(lambda d: np.array([-INF, 0.0, -0.0, NAN], dtype=d)),
             fn=lambda F, x, w, b: F.nn.functional.layer_norm(x, (4,), w, b),
             name="layer_norm,special affine"),
        Case("group_norm", CHANNELS, fn=lambda F, x: F.nn.functional.group_norm(x, 2),
             name="group_norm,2 groups"),
        Case("group_norm", CHANNELS, weight4, bias4,
             fn=lambda F, x, w, b: F.nn.functional.group_norm(x, 4, w, b),
             name="group_norm,4 groups,affine"),
        # (4, 16): channel k of batch_norm holds ROWS[k]
        Case("batch_norm", Fixed(lambda d: np.array(ROWS, dtype=d).T),
             fn=lambda F, x: F.nn.functional.batch_norm(x, None, None, training=True),
             name="batch_norm,training"),
        Case("batch_norm", Fixed(lambda d: np.array(ROWS, dtype=d).T),
             Fixed(lambda d: _cycle([1.0, -0.5, 0.0, 2.0], 16, d)),
             Fixed(lambda d: _cycle([0.0, -0.0, 1.0], 16, d)),
             fn=lambda F, x, w, b: F.nn.functional.batch_norm(x, None, None, w, b,
                                                                 training=True),
             name="batch_norm,training,affine"),
        Case("batch_norm", Fixed(lambda d: _cycle([1.0, -2.0, 0.0, -0.0, 3.0], 3 * 19, d)
                                 .reshape(3, 19)),
             Fixed(lambda d: _cycle(specials(d), 19, d), requires_grad=False),
             Fixed(lambda d: _cycle(_variances(d), 19, d), requires_grad=False),
             fn=lambda F, x, m, v: F.nn.functional.batch_norm(x, m, v, training=False),
             name="batch_norm,eval,special statistics"),
    ]
    for p in (2.0, 1.0, 3.0, INF):
        c.append(Case("normalize", MATRIX, fn=F("normalize"), p=p, dim=1,
                      name=f"normalize,p={p},dim=1"))
    c += [
        Case("normalize", MATRIX, fn=F("normalize"), dim=0, name="normalize,dim=0"),
        Case("cosine_similarity", MATRIX, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)),
             fn=F("cosine_similarity"), dim=1, name="cosine_similarity,rows"),
        Case("cosine_similarity", MATRIX, _array([[1.0, -0.5, 0.0, 2.0]]),
             fn=F("cosine_similarity"), dim=1, name="cosine_similarity,one ordinary row"),
        Case("cosine_similarity", Fixed(lambda d: A.values(d).reshape(-1, 1)),
             Fixed(lambda d: B.values(d).reshape(-1, 1)), fn=F("cosine_similarity"), dim=1,
             name="cosine_similarity,pairs,length 1"),
    ]
    # --- embedding: special rows looked up (repeats, unused rows keep a zero gradient)
    lookup = Fixed(np.array([[0, 3, 3], [8, 1, 15], [7, 7, 2]], dtype=np.int64))
    c += [
        Case("embedding", lookup, MATRIX, fn=F("embedding"), name="embedding"),
        Case("embedding", lookup, MATRIX, fn=F("embedding"), padding_idx=3,
             name="embedding,padding_idx"),
        Case("embedding", lookup, MATRIX, fn=F("embedding"), scale_grad_by_freq=True,
             name="embedding,scale_grad_by_freq"),
    ]
    # --- the conv family: special inputs with ordinary weights, and the reverse
    c += [
        Case("conv1d", SIGNALS, W1, BIAS2, fn=F("conv1d"), name="conv1d"),
        Case("conv1d", SIGNALS, W1, fn=F("conv1d"), padding=1, stride=2,
             name="conv1d,padding 1,stride 2"),
        Case("conv1d", PLAIN_SIGNALS, SPECIAL_W1, fn=F("conv1d"), name="conv1d,special weights"),
        Case("conv_transpose1d", SIGNALS, WT1, fn=F("conv_transpose1d"), name="conv_transpose1d"),
        Case("conv_transpose1d", SIGNALS, WT1, BIAS2, fn=F("conv_transpose1d"), stride=2,
             name="conv_transpose1d,stride 2"),
        Case("conv_transpose1d", PLAIN_SIGNALS, SPECIAL_WT1, fn=F("conv_transpose1d"),
             name="conv_transpose1d,special weights"),
        Case("conv_transpose2d", IMAGES, WT2, BIAS2, fn=F("conv_transpose2d"),
             name="conv_transpose2d"),
        Case("conv_transpose2d", IMAGES, WT2, fn=F("conv_transpose2d"), stride=2,
             name="conv_transpose2d,stride 2"),
        Case("conv_transpose2d", IMAGES, WT2, fn=F("conv_transpose2d"), stride=2, padding=1,
             output_padding=1, name="conv_transpose2d,stride 2,padding 1"),
        Case("conv_transpose2d", PLAIN_IMAGES, SPECIAL_WT2, fn=F("conv_transpose2d"),
             name="conv_transpose2d,special weights"),
        Case("conv2d", IMAGES, _array([[[[1.0, -0.5], [0.0, 2.0]]]]), fn=F("conv2d"),
             name="conv2d"),
    ]
    # --- pools
    c += [
        Case("max_pool1d", SIGNALS, fn=F("max_pool1d"), kernel_size=2, name="max_pool1d,2"),
        Case("max_pool1d", SIGNALS, fn=F("max_pool1d"), kernel_size=3, stride=1, padding=1,
             name="max_pool1d,3,stride 1,padding 1"),
        Case("avg_pool1d", SIGNALS, fn=F("avg_pool1d"), kernel_size=2, name="avg_pool1d,2"),
        Case("avg_pool1d", SIGNALS, fn=F("avg_pool1d"), kernel_size=3, stride=1, padding=1,
             name="avg_pool1d,3,stride 1,padding 1"),
        Case("max_pool2d", IMAGES, fn=F("max_pool2d"), kernel_size=2, name="max_pool2d,2"),
        Case("max_pool2d", IMAGES, fn=F("max_pool2d"), kernel_size=3, stride=1, padding=1,
             name="max_pool2d,3,stride 1,padding 1"),
        Case("avg_pool2d", IMAGES, fn=F("avg_pool2d"), kernel_size=2, name="avg_pool2d,2"),
        Case("avg_pool2d", IMAGES, fn=F("avg_pool2d"), kernel_size=3, stride=1, padding=1,
             name="avg_pool2d,3,stride 1,padding 1"),
        # a window over the border whose cells are all -inf (row [-inf] * 4) ties with the
        # padding: the max is its first cell inside the input
        Case("max_pool1d", SIGNALS, fn=lambda F, x: F.nn.functional.max_pool1d(
            x, 3, stride=1, padding=1, return_indices=True)[1], name="max_pool1d,indices"),
        Case("max_pool2d", IMAGES, fn=lambda F, x: F.nn.functional.max_pool2d(
            x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)[1],
             name="max_pool2d,indices,ceil_mode"),
        Case("max_pool2d", IMAGES, fn=F("max_pool2d"), kernel_size=3, stride=2, padding=1,
             ceil_mode=True, name="max_pool2d,3,stride 2,padding 1,ceil_mode"),
        Case("adaptive_avg_pool1d", SIGNALS, fn=F("adaptive_avg_pool1d"), output_size=3,
             name="adaptive_avg_pool1d,3"),
        Case("adaptive_avg_pool1d", SIGNALS, fn=F("adaptive_avg_pool1d"), output_size=1,
             name="adaptive_avg_pool1d,1"),
        Case("adaptive_avg_pool2d", IMAGES, fn=F("adaptive_avg_pool2d"), output_size=3,
             name="adaptive_avg_pool2d,3"),
        Case("adaptive_avg_pool2d", IMAGES, fn=F("adaptive_avg_pool2d"), output_size=(2, 3),
             name="adaptive_avg_pool2d,(2, 3)"),
        Case("adaptive_max_pool2d", IMAGES, fn=F("adaptive_max_pool2d"), output_size=3,
             name="adaptive_max_pool2d,3"),
        Case("adaptive_max_pool2d", IMAGES, fn=F("adaptive_max_pool2d"), output_size=(1, 2),
             name="adaptive_max_pool2d,(1, 2)"),
    ]
    # --- interpolate
    c += [
        Case("interpolate", SIGNALS, fn=F("interpolate"), size=7, mode="nearest",
             name="interpolate,nearest,1d"),
        Case("interpolate", IMAGES, fn=F("interpolate"), scale_factor=2, mode="nearest",
             name="interpolate,nearest,x2"),
        Case("interpolate", IMAGES, fn=F("interpolate"), size=(3, 5), mode="nearest-exact",
             name="interpolate,nearest-exact"),
        Case("interpolate", SIGNALS, fn=F("interpolate"), size=7, mode="linear",
             name="interpolate,linear"),
        Case("interpolate", SIGNALS, fn=F("interpolate"), size=3, mode="linear",
             align_corners=True, name="interpolate,linear,align_corners"),
        Case("interpolate", IMAGES, fn=F("interpolate"), scale_factor=2, mode="bilinear",
             name="interpolate,bilinear,x2"),
        Case("interpolate", IMAGES, fn=F("interpolate"), size=(3, 5), mode="bilinear",
             align_corners=True, name="interpolate,bilinear,align_corners"),
        Case("interpolate", IMAGES, fn=F("interpolate"), size=(3, 3), mode="bilinear",
             name="interpolate,bilinear,shrink"),
    ]
    # --- unfold / fold
    c += [
        Case("unfold", IMAGES, fn=F("unfold"), kernel_size=2, name="unfold,2"),
        Case("unfold", IMAGES, fn=F("unfold"), kernel_size=3, padding=1, stride=2,
             name="unfold,3,padding 1,stride 2"),
        Case("fold", _rows((4, 4, 4)), fn=F("fold"), output_size=(3, 3), kernel_size=2,
             name="fold,overlapping"),
        Case("fold", _rows((1, 4, 16)), fn=F("fold"), output_size=(8, 8), kernel_size=2,
             stride=2, name="fold,stride 2"),
    ]
    return c


CASES = _cases()


# ---------------------------------------------------------------- known differences
# Elementwise ops whose torch kernel answers differently at a nan in its vectorised and
# its scalar loop (elu, selu, celu, hardswish, hardtanh, relu6, hardshrink, softshrink,
# gelu) are compared with torch's scalar formula (test_special_values.SCALAR_LOOP); sums of
# products with the exact answer (SUMS); signs of zeros are not compared. What is left are
# differences of formula, each with its row in docs/special-values.md.
_SOFTSIGN = (
    "at +-inf torch's gradient is nan: softsign is composite in torch, x / (1 + |x|), whose "
    "backward 1/(1+|x|) - x sgn(x)/(1+|x|)^2 is inf/inf there; glassgrad's g/(1+|x|)^2 gives "
    "the limit 0")
_NORM_F32_OVERFLOW = (
    "float32 rows whose squares overflow ([1e30, 1e30, -1e30, 1], [1e30, 2e30, 3e30, 4e30], "
    "[3e38] * 4): torch's layer/group norm computes the variance in float32 as E[x^2] - mu^2 "
    "= inf - inf and gives nan (or 0 where only E[x^2] is inf); glassgrad recomputes such "
    "statistics in float64 and gives the true values (torch's batch norm does too)")
_BN_HUGE_CONSTANT = (
    "float32, channel [3e38] * 4: torch's batch norm has the right statistics (mean 3e38, "
    "var 0, computed in float64) but applies them as x (r gamma) + (beta - mu r gamma) in "
    "float32: 3e38 x 316 = inf, -inf + inf = nan; glassgrad's (x - mu) r gives x_hat 0 and "
    "the gradient r (g - mean g) (0 for the ones upstream)")
_NORM_CONSTANT_ROW = (
    "float64, a row [3e38] * 4 (variance 0, r = 1/sqrt(eps) = 316): torch's gradient is 0, "
    "its a g + b x + c form cancelling terms of size 3e38 x 316; glassgrad's r (g - mean g - "
    "x_hat mean(g x_hat)) is the derivative, r (g - mean g)")
_GROUP_AFFINE = (
    "cancellation: torch computes y = x (r gamma) + (beta - mu r gamma); over [3e38] * 4 "
    "(float64) its two terms of size 4.7e40 leave 4.2e24 where glassgrad's (x - mu) r gamma "
    "+ beta gives 0 (x_hat = 0); the gradients follow (" + _NORM_CONSTANT_ROW + ")")
_NORMALIZE_P3 = (
    "float32, p = 3, where ||x|| overflows (rows of 1e30, 3e38: y = x / inf = 0): torch's "
    "gradient is nan (its |x|^(p-1) / ||x||^(p-1) = inf / inf), glassgrad's 0")
_COSINE_LENGTH_1 = (
    "vectors of length 1: torch's norm of a length-1 vector is |x| (no square), glassgrad's "
    "sqrt(x^2) overflows for |x| >= 1e30 (float32) or 1e300 (float64), so torch's cosine is "
    "+-1 there and glassgrad's 0, with gradients of 1e8 (= 1/eps-sized) against 0")

# (case name, key) -> Known(reason, kinds), keys as test_special_values.py's: "forward" or
# "backward", optionally narrowed to the runs of one dtype and/or upstream
KNOWN = {
    **{(name, "backward"): Known(_SOFTSIGN, torch_not_finite) for name in ("softsign", "-softsign")},
    **{(name, f"{part},float32"): Known(_BN_HUGE_CONSTANT, torch_not_finite) for name in (
        "batch_norm,training", "batch_norm,training,affine") for part in ("forward", "backward")},
    ("layer_norm", "forward,float32"): Known(_NORM_F32_OVERFLOW, torch_zero_or_not_finite),
    **{("layer_norm", key): Known(_NORM_F32_OVERFLOW + "; " + _NORM_CONSTANT_ROW,
                                  torch_zero_or_not_finite, both_finite)
       for key in ("backward,float32", "backward,float64,random")},
    ("layer_norm,affine", "forward,float32"): Known(_NORM_F32_OVERFLOW, torch_zero_or_not_finite),
    ("layer_norm,affine", "backward"): Known(_NORM_F32_OVERFLOW + "; " + _NORM_CONSTANT_ROW,
                                             torch_zero_or_not_finite, both_finite),
    ("group_norm,2 groups", "forward,float32"): Known(_NORM_F32_OVERFLOW, torch_zero_or_not_finite),
    ("group_norm,2 groups", "backward,float32"): Known(_NORM_F32_OVERFLOW,
                                                       torch_zero_or_not_finite, both_finite),
    ("group_norm,4 groups,affine", "forward"): Known(_GROUP_AFFINE + "; " + _NORM_F32_OVERFLOW,
                                                     torch_zero_or_not_finite, both_finite),
    **{("group_norm,4 groups,affine", key): Known(_GROUP_AFFINE + "; " + _NORM_F32_OVERFLOW,
                                                  torch_zero_or_not_finite, both_finite)
       for key in ("backward,float32", "backward,float64,random")},
    ("normalize,p=3.0,dim=1", "backward,float32"): Known(_NORMALIZE_P3, torch_not_finite),
    ("cosine_similarity,pairs,length 1", "forward"): Known(_COSINE_LENGTH_1, both_finite),
    ("cosine_similarity,pairs,length 1", "backward"): Known(_COSINE_LENGTH_1, both_finite),
}


# ---------------------------------------------------------------- the tests
(test_forward_special_values, test_backward_special_values,
 test_every_known_difference_names_a_case) = special_value_tests(CASES, KNOWN)


def test_no_numpy_warning_leaks_out_of_glassgrad():
    check_no_warning_leaks("test_special_values_more")
