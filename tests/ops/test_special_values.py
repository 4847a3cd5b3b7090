"""Special values, every op against PyTorch: +-inf, nan, +-0.0, huge (1e30: its square
overflows float32; 3e38 and 1e300 at the top of each dtype) and subnormal (1e-40 in
float32, 1e-310 in float64) inputs, mixed with ordinary numbers, in float32 and float64.

Each row is an op-table ``Case`` (harness.py) whose inputs are fixed arrays of such
values; the harness resolves and calls the op on both sides and runs backward with the same
upstream gradient. The comparison (see "the comparison" below) asks for the same answer on
every machine: NaN in the same places, infinities of the same sign in the same places,
finite values within the tolerances; not the sign of a zero, not torch's bits where its
answer depends on the CPU (a vectorised loop's NaN placement, a GEMM's rounding and
overflow, the order among ties). Output and gradient dtypes must match too.

Backward runs twice: with an all-ones upstream and with a random finite one.

The rows cover the ops of the first waves (``_cases``) and of wave 3 (``_wave3_cases``:
the newer losses, pointwise math, prod/cumsum/cumprod/norm, indexing, sort/topk/kthvalue,
the shape ops, outer/mv/dot/bmm/addmm/einsum and matmul's vector cases).

Where glassgrad knowingly differs from torch (a different formula, not a platform's
rounding), KNOWN (near the end) states the exact difference and the kind of elements where
it shows; every other element of that run is still compared. docs/special-values.md lists
them all in one table.

The last test runs every row in a fresh interpreter and checks that no NumPy
RuntimeWarning (overflow, invalid value, ...) escapes glassgrad: PyTorch prints none.
"""

import warnings

import numpy as np
import pytest

from harness import TOLERANCES, Arg, Case, _run

import glassgrad

INF, NAN = float("inf"), float("nan")
F32, F64 = np.dtype("float32"), np.dtype("float64")


# ---------------------------------------------------------------- the values
def specials(dtype):
    """Every special value once, then ordinary numbers of both signs."""
    top = [3e38, -3e38, 1e-45] if dtype == F32 else [1e300, -1e300, 1e-310, -1e-310]
    return [-INF, INF, NAN, -0.0, 0.0, 1e30, -1e30, 1e-40, -1e-40, *top,
            -2.5, -1.0, -0.3, 0.5, 1.0, 3.0]


def pairs(dtype):
    """Two flat arrays that together hold every (a, b) pair of special values."""
    v = np.array(specials(dtype), dtype=dtype)
    return np.repeat(v, len(v)), np.tile(v, len(v))


# Rows for reductions along dim 1: one special value among ordinary ones, all -inf,
# opposite infinities, signed zeros only, sums that overflow float32, subnormals.
ROWS = [
    [1.0, 2.0, 3.0, 4.0],
    [-INF, 1.0, 2.0, 3.0],
    [INF, 1.0, 2.0, 3.0],
    [NAN, 1.0, 2.0, 3.0],
    [-INF, -INF, -INF, -INF],
    [INF, INF, 1.0, 2.0],
    [INF, -INF, 1.0, 2.0],
    [NAN, INF, -INF, 0.0],
    [-0.0, -0.0, -0.0, -0.0],
    [-0.0, 0.0, -0.0, 0.0],
    [0.0, -0.0, 0.0, -0.0],
    [1e30, 1e30, -1e30, 1.0],
    [1e30, 2e30, 3e30, 4e30],
    [3e38, 3e38, 3e38, 3e38],
    [1e-40, 2e-40, -1e-40, 0.0],
    [-1e30, -1e30, 5.0, -3.0],
]
# the same rows without any nan, for reductions over every element
ROWS_NO_NAN = [r for r in ROWS if not np.isnan(r).any()]


class Fixed(Arg):
    """A fixed input, given as a function of the dtype (the extremes differ per dtype).
    Integer arrays (class indices) keep their dtype and take no gradient."""

    def __init__(self, values, requires_grad=None):
        self.values = values if callable(values) else (lambda dtype: values)
        probe = np.asarray(self.values(F64))
        kind = "index" if probe.dtype.kind in "iub" else "const"
        super().__init__(probe.shape, kind, requires_grad, value=probe)

    def make(self, rng, dtype):
        a = np.asarray(self.values(np.dtype(dtype)))
        return a if a.dtype.kind in "iub" else a.astype(dtype)


def _first(dtype):
    return pairs(dtype)[0]


def _second(dtype):
    return pairs(dtype)[1]


def _in_range(low, high):
    """Special values clipped into [low, high] (a domain such as probabilities)."""
    return lambda dtype: np.array([v for v in specials(dtype) if low <= v <= high], dtype=dtype)


VALUES = Fixed(lambda dtype: np.array(specials(dtype), dtype=dtype))
A, B = Fixed(_first), Fixed(_second)
MATRIX = Fixed(lambda dtype: np.array(ROWS, dtype=dtype))
MATRIX_NO_NAN = Fixed(lambda dtype: np.array(ROWS_NO_NAN, dtype=dtype))
CLASS_ROWS = [
    # (scores, target)
    ([0.0, 1.0, 2.0, 3.0], 2),
    ([-INF, 1.0, 2.0, 3.0], 0),
    ([-INF, 1.0, 2.0, 3.0], 1),
    ([INF, 1.0, 2.0, 3.0], 0),
    ([INF, 1.0, 2.0, 3.0], 1),
    ([NAN, 1.0, 2.0, 3.0], 1),
    ([-INF, -INF, -INF, -INF], 3),
    ([INF, INF, 0.0, 0.0], 0),
    ([1e30, 0.0, 0.0, 0.0], 0),
    ([1e30, 0.0, 0.0, 0.0], 1),
    ([-1e30, 0.0, 0.0, 0.0], 0),
    ([3e38, -3e38, 0.0, 0.0], 1),
    ([1e-40, -0.0, 0.0, -1e-40], 3),
    ([-0.0, -0.0, -0.0, -0.0], 0),
]
SCORES = Fixed(lambda dtype: np.array([s for s, _ in CLASS_ROWS], dtype=dtype))
TARGETS = Fixed(np.array([t for _, t in CLASS_ROWS], dtype=np.int64))


def _one_row(i):
    return (Fixed(lambda dtype: np.array([CLASS_ROWS[i][0]], dtype=dtype)),
            Fixed(np.array([CLASS_ROWS[i][1]], dtype=np.int64)))


def _cycle(values, n, dtype):
    return np.resize(np.array(values, dtype=dtype), n)


def _functional(name):
    """A loss of glassgrad.nn.functional, on either side (torch.nn.functional has it too)."""
    return lambda lib, *tensors, **kwargs: getattr(lib.nn.functional, name)(*tensors, **kwargs)


# ---------------------------------------------------------------- the rows
def _cases():
    c = []
    # --- unary elementwise, by name (resolved as the op table does)
    for op in ("neg", "exp", "log", "sqrt", "abs", "clone", "relu", "tanh", "sigmoid",
               "softplus", "leaky_relu"):
        c.append(Case(op, VALUES, name=op))
    c += [
        Case("leaky_relu", VALUES, negative_slope=0.2, name="leaky_relu,slope 0.2"),
        Case("leaky_relu", VALUES, negative_slope=1.5, name="leaky_relu,slope 1.5"),
        Case("softplus", VALUES, beta=2, threshold=5, name="softplus,beta 2"),
        Case("softplus", VALUES, beta=0.5, threshold=1, name="softplus,beta 0.5"),
        Case("pow", VALUES, fn=lambda F, x: x ** 2, name="x ** 2"),
        Case("pow", VALUES, fn=lambda F, x: x ** 3, name="x ** 3"),
        Case("pow", VALUES, fn=lambda F, x: x ** 0.5, name="x ** 0.5"),
        Case("pow", VALUES, fn=lambda F, x: x ** -1.5, name="x ** -1.5"),
        Case("pow", VALUES, fn=lambda F, x: x ** -0.5, name="x ** -0.5"),
        Case("pow", VALUES, fn=lambda F, x: x ** 1.5, name="x ** 1.5"),
        Case("pow", VALUES, fn=lambda F, x: x ** 4, name="x ** 4"),
        Case("pow", VALUES, fn=lambda F, x: x ** 0, name="x ** 0"),
        Case("pow", VALUES, fn=lambda F, x: x ** -1, name="x ** -1"),
        Case("pow", VALUES, fn=lambda F, x: 2 ** x, name="2 ** x"),
        Case("pow", VALUES, fn=lambda F, x: 0.5 ** x, name="0.5 ** x"),
        Case("mul", VALUES, fn=lambda F, x: x * 2.5, name="x * 2.5"),
        Case("mul", VALUES, fn=lambda F, x: x * 0.0, name="x * 0.0"),
        Case("add", VALUES, fn=lambda F, x: x + 1.0, name="x + 1.0"),
        Case("sub", VALUES, fn=lambda F, x: 2.0 - x, name="2.0 - x"),
        Case("div", VALUES, fn=lambda F, x: 1 / x, name="1 / x"),
        Case("div", VALUES, fn=lambda F, x: x / 3, name="x / 3"),
        Case("clamp", VALUES, min=-1.0, max=2.0, name="clamp(-1, 2)"),
        Case("clamp", VALUES, min=-1.0, name="clamp(min=-1)"),
        Case("clamp", VALUES, max=2.0, name="clamp(max=2)"),
        Case("clamp", VALUES, min=-INF, max=INF, name="clamp(-inf, inf)"),
        Case("to", VALUES, fn=lambda F, x: x.to(F.float32 if x.dtype == F.float64 else F.float64),
             name="to(other float dtype)"),
    ]
    # --- an inf upstream reaching a masked-out place: d log(y)/dy = inf at y = 0
    c += [
        Case("relu", VALUES, fn=lambda F, x: F.log(F.relu(x)), name="log(relu(x))"),
        Case("clamp", VALUES, fn=lambda F, x: F.log(F.clamp(x, min=0.0)),
             name="log(clamp(x, min=0))"),
        Case("where", VALUES, fn=lambda F, x: F.log(F.where(x > 0, x, 0.0)),
             name="log(where(x > 0, x, 0))"),
        Case("max", MATRIX, fn=lambda F, x: F.log(F.max(x, dim=1)[0] - 4),
             name="log(max(x, dim=1) - 4)"),
    ]
    # --- binary elementwise on every pair of special values
    for op in ("add", "sub", "mul", "div", "pow", "maximum", "minimum"):
        c.append(Case(op, A, B, name=f"{op},pairs"))
    c += [
        Case("where", A, B, fn=lambda F, a, b: F.where(a > b, a, b), name="where(a > b, a, b),pairs"),
        Case("clamp", A, B, fn=lambda F, x, lo: F.clamp(x, min=lo), name="clamp(x, min=t),pairs"),
        Case("clamp", A, B, fn=lambda F, x, hi: F.clamp(x, max=hi), name="clamp(x, max=t),pairs"),
        Case("clamp", A, B, fn=lambda F, x, lo: F.clamp(x, lo, lo + 1), name="clamp(x, t, t + 1),pairs"),
    ]
    # --- matmul and linear: one special value in an otherwise ordinary matrix
    c += [
        Case("matmul", MATRIX, Fixed(lambda d: np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 0.5],
                                                         [-1.0, 3.0]], dtype=d)),
             name="matmul,special rows"),
        Case("matmul", Fixed(lambda d: np.array([[1.0, 0.0, 2.0, -1.0], [0.0, 0.0, 0.0, 0.0]],
                                                dtype=d)), Fixed(lambda d: np.array(ROWS, dtype=d).T),
             name="matmul,special columns"),
        # b's gradient sums two batches of 0.75 * the dtype's max: inf, and NumPy's warning
        Case("matmul", Fixed(lambda d: np.full((2, 1, 1), 0.75 * np.finfo(d).max, dtype=d)),
             Fixed(lambda d: np.ones((1, 1, 1), dtype=d)), name="matmul,batch sum overflows"),
        Case("linear", MATRIX, Fixed(lambda d: np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 0.5, 0.0, 0.0],
                                                         [0.0, 0.0, 0.0, 0.0]], dtype=d)),
             Fixed(lambda d: np.array([0.0, -0.0, INF], dtype=d)), name="linear,special input"),
    ]
    # --- reductions along dim 1 (one output per row) and over everything
    for op, kw in [("sum", {}), ("mean", {}), ("amax", {}), ("amin", {}), ("logsumexp", {}),
                   ("var", {}), ("std", {}), ("var", {"correction": 0}),
                   ("std", {"correction": 0}), ("softmax", {}), ("log_softmax", {})]:
        extra = ",".join(f"{k}={v}" for k, v in kw.items())
        c.append(Case(op, MATRIX, dim=1, name=f"{op},dim=1{',' + extra if extra else ''}", **kw))
    c += [
        Case("max", MATRIX, dim=1, name="max,dim=1"),
        Case("min", MATRIX, dim=1, name="min,dim=1"),
        Case("argmax", MATRIX, dim=1, name="argmax,dim=1"),
        Case("argmin", MATRIX, dim=1, name="argmin,dim=1"),
        Case("softmax", MATRIX, dim=0, name="softmax,dim=0"),
        Case("log_softmax", MATRIX, dim=0, name="log_softmax,dim=0"),
    ]
    for op in ("sum", "mean", "max", "min", "logsumexp", "var", "std"):
        kw = {"dim": (0, 1)} if op == "logsumexp" else {}
        c.append(Case(op, MATRIX_NO_NAN, name=f"{op},all elements,no nan", **kw))
        c.append(Case(op, MATRIX, name=f"{op},all elements", **kw))
    # --- cross-entropy: the short path (one row at a time, 'mean' and 'sum': its backward
    # is per row, its forward one number), the general path per row ('none'), smoothing,
    # probability targets with special scores and with special probabilities
    for i in range(len(CLASS_ROWS)):
        s, t = _one_row(i)
        c.append(Case("cross_entropy", s, t, name=f"cross_entropy,row {i}"))
    c += [
        Case("cross_entropy", SCORES, TARGETS, name="cross_entropy,all rows"),
        Case("cross_entropy", SCORES, TARGETS, reduction="sum", name="cross_entropy,all rows,sum"),
        Case("cross_entropy", SCORES, TARGETS, reduction="none", name="cross_entropy,none"),
        Case("cross_entropy", SCORES, TARGETS, reduction="none", label_smoothing=0.2,
             name="cross_entropy,none,smoothing"),
        Case("cross_entropy", SCORES, Fixed(lambda d: np.full((len(CLASS_ROWS), 4), 0.25, dtype=d),
                                            requires_grad=False),
             reduction="none", name="cross_entropy,none,uniform probabilities"),
        Case("cross_entropy", SCORES, Fixed(lambda d: np.eye(4, dtype=d)[[t for _, t in CLASS_ROWS]],
                                            requires_grad=False),
             reduction="none", name="cross_entropy,none,one-hot probabilities"),
        # ignored rows (target 1) hold -inf, inf, nan and 1e30 at class 0, where they point
        Case("cross_entropy", SCORES, TARGETS, ignore_index=1, name="cross_entropy,ignore"),
        Case("cross_entropy", SCORES, TARGETS, ignore_index=1, reduction="none",
             name="cross_entropy,ignore,none"),
        Case("cross_entropy", SCORES, TARGETS, ignore_index=1, reduction="none",
             label_smoothing=0.1, name="cross_entropy,ignore,none,smoothing"),
        Case("nll_loss", SCORES, TARGETS, ignore_index=1, reduction="none",
             name="nll_loss,ignore,none"),
        Case("nll_loss", SCORES, TARGETS, reduction="none", name="nll_loss,none"),
        Case("nll_loss", SCORES, TARGETS, name="nll_loss,mean"),
        Case("log_softmax", SCORES, dim=1, name="log_softmax,class rows"),
    ]
    # --- the other losses of glassgrad.nn.functional
    probs = Fixed(_in_range(0.0, 1.0))
    labels = Fixed(lambda d: _cycle([0.0, 1.0, 0.3], len(_in_range(0.0, 1.0)(d)), d),
                   requires_grad=False)
    targets = Fixed(lambda d: _cycle([0.0, 1.0, 0.3], len(specials(d)), d), requires_grad=False)
    c += [
        Case("mse_loss", A, B, fn=_functional("mse_loss"), reduction="none",
             name="mse_loss,pairs,none"),
        Case("mse_loss", VALUES, Fixed(lambda d: _cycle([0.0, 1.0, -2.0], len(specials(d)), d)),
             fn=_functional("mse_loss"), name="mse_loss,mean"),
        Case("squared_error", A, B, fn=_functional("squared_error"), reduction="none",
             # (0.5 d) d: its gradient is exactly g d, with no 2 d to overflow on the way
             torch_fn=lambda torch, a, b, reduction: (0.5 * (a - b)) * (a - b),
             name="squared_error,pairs,none"),
        Case("binary_cross_entropy_with_logits", VALUES, targets, reduction="none",
             fn=_functional("binary_cross_entropy_with_logits"), name="bce_with_logits,none"),
        Case("binary_cross_entropy_with_logits", VALUES, targets,
             Fixed(lambda d: np.full(len(specials(d)), 2.0, dtype=d), requires_grad=False),
             fn=lambda F, z, y, pw: F.nn.functional.binary_cross_entropy_with_logits(
                 z, y, reduction="none", pos_weight=pw),
             name="bce_with_logits,none,pos_weight"),
        Case("binary_cross_entropy_with_logits", VALUES, targets,
             fn=_functional("binary_cross_entropy_with_logits"), name="bce_with_logits,mean"),
        Case("mse_loss", A, B, fn=_functional("mse_loss"), reduction="sum",
             name="mse_loss,pairs,sum"),
        Case("binary_cross_entropy", probs, labels, fn=_functional("binary_cross_entropy"),
             reduction="none", name="bce,none"),
        Case("binary_cross_entropy", probs, labels, fn=_functional("binary_cross_entropy"),
             name="bce,mean"),
        Case("multi_margin_loss", SCORES, TARGETS, fn=_functional("multi_margin_loss"),
             reduction="none", name="multi_margin_loss,none"),
        Case("multi_margin_loss", SCORES, TARGETS, fn=_functional("multi_margin_loss"), p=2,
             reduction="none", name="multi_margin_loss,p=2,none"),
        Case("multi_margin_loss", SCORES, TARGETS, fn=_functional("multi_margin_loss"), p=2,
             name="multi_margin_loss,p=2,mean"),
        Case("multi_margin_loss", SCORES, TARGETS,
             Fixed(lambda d: np.array([0.5, 1.0, 2.0, 0.25], dtype=d), requires_grad=False),
             fn=lambda F, x, y, w: F.nn.functional.multi_margin_loss(x, y, weight=w, reduction="sum"),
             name="multi_margin_loss,weight,sum"),
    ]
    return c


# ---------------------------------------------------------------- wave-3 ops
SQUARE = Fixed(lambda d: np.array(ROWS[6:10], dtype=d))  # inf, nan and signed zeros, 4 x 4
ORDINARY = Fixed(lambda d: np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 0.5], [-1.0, 3.0]], dtype=d))
SIGNS = Fixed(lambda d: _cycle([1.0, -1.0, 1.0, -1.0, -1.0], len(specials(d)), d),
              requires_grad=False)  # +-1 labels, not periodic with the specials' pairs
ROW_LABELS = Fixed(np.array([1, -1] * (len(ROWS) // 2), dtype=np.int64))
EVERY_OTHER = Fixed(np.indices((len(ROWS), 4)).sum(axis=0) % 2 == 0)  # a checkerboard mask
COLUMNS = Fixed(np.array([[3, 0], [1, 1], [0, 2], [2, 3]] * (len(ROWS) // 4), dtype=np.int64))
LABELS = Fixed(_second, requires_grad=False)  # B for a target that torch cannot differentiate
# the rows of ROWS whose values are all different (no ties for sort, topk, kthvalue)
DISTINCT = Fixed(lambda d: np.array([r for r in ROWS if len({float(v) for v in r}) == 4
                                     and not (np.isnan(r).sum() > 1)], dtype=d))
PERMUTED = Fixed(np.array([[2, 0, 3, 1], [1, 3, 0, 2]] * (len(ROWS) // 2), dtype=np.int64))


def _probabilities(dtype):
    """Special probabilities: 0, +-0.0, subnormal, 1, nan, inf and ordinary ones."""
    return _cycle([0.0, -0.0, 1e-40 if dtype == F32 else 1e-310, 1.0, NAN, 0.3, INF, 0.5],
                  len(specials(dtype)), dtype)


def _variances(dtype):
    """Special variances (>= 0): 0 and subnormals (below eps), huge, inf, nan."""
    return _cycle([0.0, 1e-40 if dtype == F32 else 1e-310, 1e30, INF, NAN, 0.5, 2.0],
                  len(specials(dtype)), dtype)


def _wave3_cases():
    c = []
    targets = Fixed(lambda d: _cycle([0.0, 1.0, -2.0], len(specials(d)), d))
    # --- the wave-3 losses: special predictions against every special target, each
    # reduction; kl_div with special log-probabilities and special probabilities
    for op, kw in [("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
                   ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}),
                   ("huber_loss", {"delta": 2.0})]:
        extra = "".join(f",{k}={v}" for k, v in kw.items())
        for reduction in ("none", "mean"):
            c.append(Case(op, A, B, fn=_functional(op), reduction=reduction,
                          name=f"{op}{extra},pairs,{reduction}", **kw))
    c += [
        Case("l1_loss", A, B, Fixed(lambda d: _cycle([0.5, 2.0, 0.0], len(pairs(d)[0]), d)),
             fn=lambda F, a, b, w: F.nn.functional.l1_loss(a, b, weight=w),
             name="l1_loss,pairs,weight"),
        Case("huber_loss", A, B, Fixed(lambda d: _cycle([0.5, 2.0, 0.0], len(pairs(d)[0]), d)),
             fn=lambda F, a, b, w: F.nn.functional.huber_loss(a, b, weight=w),
             name="huber_loss,pairs,weight"),
        Case("kl_div", VALUES, Fixed(_probabilities), fn=_functional("kl_div"),
             reduction="none", name="kl_div,none"),
        Case("kl_div", VALUES, Fixed(_probabilities), fn=_functional("kl_div"),
             reduction="batchmean", name="kl_div,batchmean"),
        Case("kl_div", A, B, fn=_functional("kl_div"), reduction="none", log_target=True,
             name="kl_div,pairs,log_target,none"),
        Case("kl_div", A, B, fn=_functional("kl_div"), reduction="sum", name="kl_div,pairs,sum"),
        Case("soft_margin_loss", VALUES, SIGNS, fn=_functional("soft_margin_loss"),
             reduction="none", name="soft_margin_loss,none"),
        Case("soft_margin_loss", VALUES, SIGNS, fn=_functional("soft_margin_loss"),
             name="soft_margin_loss,mean"),
        Case("soft_margin_loss", A, LABELS, fn=_functional("soft_margin_loss"), reduction="none",
             name="soft_margin_loss,pairs,none"),
        Case("cosine_embedding_loss", MATRIX, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)),
             ROW_LABELS, fn=_functional("cosine_embedding_loss"), reduction="none",
             name="cosine_embedding_loss,none"),
        Case("cosine_embedding_loss", MATRIX, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)),
             ROW_LABELS, fn=_functional("cosine_embedding_loss"), margin=0.5,
             name="cosine_embedding_loss,margin,mean"),
        Case("gaussian_nll_loss", VALUES, targets, Fixed(_variances),
            fn=_functional("gaussian_nll_loss"), reduction="none", name="gaussian_nll_loss,none"),
        Case("gaussian_nll_loss", VALUES, targets, Fixed(_variances),
             fn=_functional("gaussian_nll_loss"), full=True, name="gaussian_nll_loss,full,mean"),
        Case("gaussian_nll_loss", A, B,
             Fixed(lambda d: _cycle([0.5, 1e-40, 2.0], len(pairs(d)[0]), d)),
             fn=_functional("gaussian_nll_loss"), reduction="none",
             name="gaussian_nll_loss,pairs,none"),
        # one variance per row, broadcast along it (its gradient sums the row's terms)
        Case("gaussian_nll_loss", MATRIX, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)),
             Fixed(lambda d: _variances(d)[:len(ROWS), None]),
             fn=_functional("gaussian_nll_loss"), reduction="none",
             name="gaussian_nll_loss,variance per row,none"),
    ]
    # --- ops/pointwise.py
    for op in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
               "atanh", "log1p", "expm1", "log2", "log10", "square", "rsqrt", "reciprocal",
               "sign", "floor", "ceil", "trunc", "fix", "round", "frac", "nan_to_num",
               "isnan", "isinf", "isposinf", "isneginf", "isfinite", "logical_not"):
        c.append(Case(op, VALUES, name=op))
    c += [
        Case("round", VALUES, decimals=2, name="round,decimals=2"),
        Case("round", VALUES, decimals=-1, name="round,decimals=-1"),
        Case("nan_to_num", VALUES, nan=1.0, posinf=2.0, neginf=-3.0, name="nan_to_num,1,2,-3"),
        Case("clamp_min", VALUES, min=-1.0, name="clamp_min(-1)"),
        Case("clamp_max", VALUES, max=2.0, name="clamp_max(2)"),
        Case("clamp_min", A, B, name="clamp_min,pairs"),
        Case("clamp_max", A, B, name="clamp_max,pairs"),
        Case("atan2", A, B, name="atan2,pairs"),
        Case("lerp", A, B, weight=0.25, name="lerp,pairs,weight 0.25"),
        Case("lerp", A, B, weight=0.75, name="lerp,pairs,weight 0.75"),
        Case("lerp", VALUES, Fixed(lambda d: _cycle([0.0, 1.0, -2.0], len(specials(d)), d)),
             VALUES, name="lerp,special weights"),
        Case("isclose", A, B, name="isclose,pairs"),
        Case("isclose", A, B, equal_nan=True, name="isclose,pairs,equal_nan"),
        Case("logical_and", A, B, name="logical_and,pairs"),
        Case("logical_or", A, B, name="logical_or,pairs"),
        Case("logical_xor", A, B, name="logical_xor,pairs"),
        Case("any", MATRIX, dim=1, name="any,dim=1"),
        Case("all", MATRIX, dim=1, name="all,dim=1"),
    ]
    # --- ops/reduction.py: prod, cumsum, cumprod, norm
    c += [
        Case("prod", MATRIX, dim=1, name="prod,dim=1"),
        Case("prod", MATRIX_NO_NAN, name="prod,all elements,no nan"),
        Case("prod", SQUARE, dim=0, name="prod,dim=0,square"),
        Case("cumsum", MATRIX, dim=1, name="cumsum,dim=1"),
        Case("cumsum", MATRIX, dim=0, name="cumsum,dim=0"),
        Case("cumprod", MATRIX, dim=1, name="cumprod,dim=1"),
        Case("cumprod", MATRIX, dim=0, name="cumprod,dim=0"),
    ]
    for p in (2, 1, 3, 0.5, INF, -INF, 0, "fro"):
        c.append(Case("norm", MATRIX, p=p, dim=1, name=f"norm,p={p},dim=1"))
    c += [
        Case("norm", MATRIX_NO_NAN, name="norm,all elements,no nan"),
        Case("norm", MATRIX, p=INF, name="norm,p=inf,all elements"),
    ]
    # --- ops/indexing.py
    c += [
        Case("gather", MATRIX, Fixed(np.array([[0, 0], [3, 1]] * (len(ROWS) // 2))),
             fn=lambda F, x, i: F.gather(x, 1, i), name="gather,dim=1"),
        Case("take_along_dim", MATRIX, COLUMNS, dim=1, name="take_along_dim,dim=1"),
        Case("scatter", MATRIX, PERMUTED, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)[:, :2]),
             fn=lambda F, x, i, s: F.scatter(x, 1, i[:, :2], s), name="scatter,src"),
        Case("scatter", MATRIX, PERMUTED, fn=lambda F, x, i: F.scatter(x, 1, i[:, :3], value=-0.0),
             name="scatter,value=-0.0"),
        Case("scatter_add", MATRIX, COLUMNS, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)[:, :2]),
             fn=lambda F, x, i, s: F.scatter_add(x, 1, i, s), name="scatter_add"),
        Case("index_select", MATRIX, Fixed(np.array([3, 0, 0, 2])),
             fn=lambda F, x, i: F.index_select(x, 1, i), name="index_select,dim=1"),
        Case("index_add", MATRIX, Fixed(np.array([3, 0, 0])),
             Fixed(lambda d: np.array(ROWS, d)[:, :3]),
             fn=lambda F, x, i, s: F.index_add(x, 1, i, s, alpha=-1.0), name="index_add,alpha=-1"),
        Case("index_copy", MATRIX, Fixed(np.array([3, 0])),
             Fixed(lambda d: np.array(ROWS, d)[::-1, :2]),
             fn=lambda F, x, i, s: F.index_copy(x, 1, i, s), name="index_copy"),
        Case("index_fill", MATRIX, Fixed(np.array([1, 2])),
             fn=lambda F, x, i: F.index_fill(x, 1, i, NAN), name="index_fill,nan"),
        Case("masked_fill", MATRIX, EVERY_OTHER, value=-INF, name="masked_fill,-inf"),
        Case("masked_fill", MATRIX, EVERY_OTHER, value=-0.0, name="masked_fill,-0.0"),
        Case("masked_select", MATRIX, EVERY_OTHER, name="masked_select"),
        Case("sort", MATRIX, dim=1, stable=True, name="sort,dim=1,stable"),
        Case("sort", MATRIX, dim=1, descending=True, stable=True, name="sort,dim=1,descending"),
        Case("argsort", MATRIX, dim=1, stable=True, name="argsort,dim=1,stable"),
        Case("sort", DISTINCT, dim=1, name="sort,dim=1,distinct"),
        Case("sort", DISTINCT, dim=1, descending=True, name="sort,dim=1,descending,distinct"),
        Case("topk", DISTINCT, k=2, dim=1, name="topk,k=2,distinct"),
        Case("topk", DISTINCT, k=2, dim=1, largest=False, name="topk,k=2,smallest,distinct"),
        Case("topk", DISTINCT, k=1, dim=1, largest=False, name="topk,k=1,smallest,distinct"),
        Case("kthvalue", DISTINCT, k=2, dim=1, name="kthvalue,k=2,distinct"),
        Case("kthvalue", DISTINCT, k=4, dim=1, name="kthvalue,k=4,distinct"),
        # rows with ties (all -inf, +-0.0, 1e30 twice, ...): which tied element is picked
        Case("topk", MATRIX, k=2, dim=1, name="topk,k=2"),
        Case("topk", MATRIX, k=2, dim=1, largest=False, name="topk,k=2,smallest"),
        Case("kthvalue", MATRIX, k=2, dim=1, name="kthvalue,k=2"),
    ]
    # --- ops/shape.py: data movement, and the zeros its backward writes
    c += [
        Case("narrow", MATRIX, fn=lambda F, x: F.narrow(x, 1, 1, 2), name="narrow"),
        Case("select", MATRIX, fn=lambda F, x: F.select(x, 1, -1), name="select"),
        Case("split", MATRIX, fn=lambda F, x: F.split(x, [1, 3], dim=1)[1], name="split,one piece"),
        Case("chunk", MATRIX, fn=lambda F, x: F.chunk(x, 2, dim=1)[0], name="chunk,one piece"),
        Case("unbind", MATRIX, fn=lambda F, x: F.unbind(x, dim=1)[2], name="unbind,one piece"),
        Case("flip", MATRIX, dims=(0, 1), name="flip"),
        Case("fliplr", MATRIX, name="fliplr"),
        Case("flipud", MATRIX, name="flipud"),
        Case("rot90", MATRIX, k=1, dims=(0, 1), name="rot90"),
        Case("roll", MATRIX, shifts=(1, -1), dims=(0, 1), name="roll"),
        Case("movedim", MATRIX, source=0, destination=1, name="movedim"),
        Case("swapaxes", MATRIX, fn=lambda F, x: F.swapaxes(x, 0, 1), name="swapaxes"),
        Case("tile", MATRIX, dims=(2, 1), name="tile"),
        Case("repeat", MATRIX, fn=lambda F, x: x.repeat(1, 2), name="repeat"),
        Case("tril", MATRIX, name="tril"),
        Case("triu", MATRIX, diagonal=1, name="triu,diagonal=1"),
        Case("diagonal", MATRIX, offset=1, name="diagonal,offset=1"),
        Case("diag", VALUES, name="diag,vector"),
        Case("diag", SQUARE, name="diag,matrix"),
        Case("trace", SQUARE, name="trace"),
        Case("trace", Fixed(lambda d: np.array([[-0.0, 1.0], [2.0, -0.0]], dtype=d)),
             name="trace,signed zeros"),
    ]
    # --- ops/linalg.py: the new products
    vec = Fixed(lambda d: np.array([1.0, -0.0, 2.0, -0.5], dtype=d))
    c += [
        Case("outer", VALUES, Fixed(lambda d: np.array([1.0, -0.0, 0.0, -2.0], dtype=d)),
             name="outer"),
        Case("mv", MATRIX, vec, name="mv"),
        Case("bmm", Fixed(lambda d: np.array(ROWS, dtype=d).reshape(4, 4, 4)),
             Fixed(lambda d: np.tile(np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 0.5], [-1.0, 3.0]],
                                              dtype=d), (4, 1, 1))), name="bmm"),
        Case("addmm", Fixed(lambda d: _cycle(specials(d), 2 * len(ROWS), d).reshape(-1, 2)),
             MATRIX, ORDINARY, name="addmm"),
        Case("addmm", Fixed(lambda d: _cycle(specials(d), 2 * len(ROWS), d).reshape(-1, 2)),
             MATRIX, ORDINARY, beta=0.5, alpha=-2.0, name="addmm,beta 0.5,alpha -2"),
        Case("addmm", Fixed(lambda d: _cycle(specials(d), 2 * len(ROWS), d).reshape(-1, 2)),
             MATRIX, ORDINARY, beta=0, name="addmm,beta 0"),
        Case("einsum", MATRIX, ORDINARY, fn=lambda F, x, w: F.einsum("ij,jk->ik", x, w),
             name="einsum,ij,jk->ik"),
        Case("einsum", MATRIX, fn=lambda F, x: F.einsum("ij->i", x), name="einsum,ij->i"),
        Case("einsum", SQUARE, fn=lambda F, x: F.einsum("ii->i", x), name="einsum,ii->i"),
        Case("einsum", MATRIX, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)),
             fn=lambda F, x, y: F.einsum("ij,ij->i", x, y), name="einsum,ij,ij->i"),
        Case("einsum", VALUES, vec, fn=lambda F, x, y: F.einsum("i,j->ij", x, y),
             name="einsum,i,j->ij"),
        Case("einsum", A, B, fn=lambda F, x, y: F.einsum("i,i->", x, y), name="einsum,i,i->"),
        Case("einsum", Fixed(lambda d: np.array(ROWS, dtype=d).reshape(4, 4, 4)),
             Fixed(lambda d: np.array(ROWS[::-1], dtype=d).reshape(4, 4, 4)),
             fn=lambda F, x, y: F.einsum("bij,bjk->bik", x, y), name="einsum,bij,bjk->bik"),
        Case("einsum", MATRIX, Fixed(lambda d: np.array(ROWS[::-1], dtype=d)),
             fn=lambda F, x, y: F.einsum("ij,ij->ij", x, y), name="einsum,ij,ij->ij"),
    ]
    c += [
        Case("matmul", MATRIX, vec, name="matmul,matrix @ vector"),
        Case("matmul", Fixed(lambda d: np.array(ROWS, dtype=d).reshape(4, 4, 4)), vec,
             name="matmul,batch @ vector"),
        Case("matmul", vec, Fixed(lambda d: np.array(ROWS, dtype=d).T),
             name="matmul,vector @ matrix"),
        Case("matmul", vec, Fixed(lambda d: np.array(ROWS, dtype=d).reshape(4, 4, 4)),
             name="matmul,vector @ batch"),
        Case("matmul", Fixed(lambda d: np.array([1.0, -0.0, 2.0, -0.5], dtype=d),
                             requires_grad=False),
             Fixed(lambda d: np.array(ROWS, dtype=d).reshape(4, 4, 4)),
             name="matmul,vector @ batch,constant vector"),
    ]
    for i in (0, 1, 4, 5, 8, 9, 10, 11, 12, 13, 14):  # one special row each
        c.append(Case("dot", Fixed(lambda d, i=i: np.array(ROWS[i], dtype=d)), vec,
                      name=f"dot,row {i}"))
    return c


CASES = _cases() + _wave3_cases()


# ---------------------------------------------------------------- the comparison
# What is compared, and against what, so that the expected value is the same on every
# machine (CPU vector width, BLAS kernel, thread count):
#
# - NaN in the same places, infinities of the same sign in the same places, finite values
#   within the tolerance. The sign of a zero is not compared: where a zero comes out of a
#   sum (a GEMM's accumulation, a vectorised reduction) its sign depends on the kernel,
#   and matching torch's bits there is not a goal (docs/special-values.md).
# - Sums of products (SUMS: matmul, convolutions, average pools, ...) are compared with the
#   exact answer, the same op on the same values in float64 (torch as the oracle), within
#   SUM_ULPS ulps of the sum of the magnitudes of the terms (the same op on |inputs|, and
#   |upstream| for the gradients). Where that sum comes within HEADROOM of the dtype's
#   largest value, a kernel's running sum may overflow (a mean sums before it divides) and
#   the order in which it adds its terms decides between inf and nan (3e38 + 3e38 is inf,
#   inf - inf is nan): there an exact nan must stay nan, an exact +-inf (or a value beyond
#   the dtype's range) may come out as that inf or as nan, and nothing else is asserted.
# - Elementwise ops whose torch kernel gives a position-dependent answer at a nan (SCALAR_LOOP:
#   its vectorised loop and its scalar loop disagree, and the block size depends on the CPU)
#   are compared with torch's scalar formula: torch run on one element at a time.
# - Selections among ties (TIES: topk, kthvalue on rows with equal values): which of the
#   equal elements is picked is each library's implementation detail, so the values are
#   compared, the indices must point at an element of that value, and each group of equal
#   inputs must receive the same total gradient.
SUM_ULPS = 16
HEADROOM = 64
SUMS = {"sum", "mean", "cumsum", "trace", "matmul", "linear", "mv", "bmm", "addmm", "einsum",
        "dot", "outer", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
        "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
        "interpolate", "fold", "scatter_add"}
SCALAR_LOOP = {"elu", "selu", "celu", "hardswish", "hardtanh", "relu6", "hardshrink",
               "softshrink", "gelu"}
TIES = {"topk,k=2", "topk,k=2,smallest", "kthvalue,k=2"}


def _mismatches(got, want, rtol, atol, scale=None):
    """A boolean array: where ``got`` differs from ``want`` in the special-value sense.
    With ``scale`` (the sum of the magnitudes of the terms behind each element, for SUMS),
    ``want`` is the exact answer and the tolerance is SUM_ULPS ulps of ``scale``."""
    if want.dtype.kind not in "fc":
        return got != want
    g, w = got.astype(np.float64), want.astype(np.float64)
    nan_g, nan_w = np.isnan(g), np.isnan(w)
    bad = nan_g != nan_w
    inf_w, inf_g = np.isinf(w), np.isinf(g)
    bad |= inf_w != inf_g
    bad |= inf_w & inf_g & (g != w)
    finite = np.isfinite(g) & np.isfinite(w)
    with np.errstate(invalid="ignore", over="ignore"):
        tol = atol + rtol * np.abs(w)
        if scale is not None:
            info = np.finfo(got.dtype)
            tol = SUM_ULPS * (info.eps * scale + info.tiny)
        bad |= finite & ~(np.abs(g - w) <= tol)
    if scale is None:
        return bad
    with np.errstate(invalid="ignore"):
        overflows = ~(scale <= np.finfo(got.dtype).max / HEADROOM)
        beyond = nan_w | inf_w | (np.abs(w) > np.finfo(got.dtype).max)
    # where the magnitudes overflow: exact nan stays nan; an infinite or out-of-range exact
    # answer may come out as that infinity or as nan; nothing else is asserted
    inf_ok = nan_g | (np.isinf(g) & (np.sign(g) == np.sign(w)))
    ok_there = np.where(nan_w, nan_g, np.where(beyond, inf_ok, True))
    return np.where(overflows, ~ok_there, bad)


def _at(x, pos):
    """The input element (or row, for a reduction) behind output position ``pos``."""
    x = np.asarray(x)
    try:
        return np.array2string(x[pos], separator=", ") if x.ndim >= len(pos) else "..."
    except IndexError:
        return "..."


def _assert_same(got, want, inputs, rtol, atol, what, scale=None, allowed=None):
    """``allowed(got, want)``: a mask of elements where a documented difference (KNOWN)
    may show; every other element must match."""
    assert got.shape == want.shape, f"{what}: shape {got.shape}, torch {want.shape}"
    bad = np.atleast_1d(_mismatches(got, want, rtol, atol, scale))
    if allowed is not None:
        bad &= ~np.atleast_1d(allowed(got, want))
    if not bad.any():
        return
    lines = [f"{what}: {int(bad.sum())} of {bad.size} elements differ"]
    got, want = np.atleast_1d(got), np.atleast_1d(want)
    for pos in list(zip(*np.nonzero(bad)))[:8]:
        at = ", ".join(_at(x, pos) for x in inputs)
        lines.append(f"  at {tuple(int(p) for p in pos)} (inputs {at}): "
                     f"glassgrad {got[pos]!r}, expected {want[pos]!r}")
    raise AssertionError("\n".join(lines))


class _Ones:
    """An upstream 'generator' that always gives ones (harness._run draws upstreams)."""

    def standard_normal(self, shape):
        return np.ones(shape)


class _Given:
    """An upstream 'generator' that hands out given arrays, in order."""

    def __init__(self, arrays, transform=lambda a: a):
        self.arrays, self.transform = list(arrays), transform

    def standard_normal(self, shape):
        return self.transform(np.asarray(self.arrays.pop(0)).reshape(shape))


class _Recorder:
    """Draws from ``rng`` as harness._run does, keeping what it drew."""

    def __init__(self, rng):
        self.rng, self.drawn = rng, []

    def standard_normal(self, shape):
        self.drawn.append(self.rng.standard_normal(shape))
        return self.drawn[-1]


def _upstreams(case, upstream):
    return _Ones() if upstream == "ones" else np.random.default_rng(case.seed("up"))


def _torch(case, arrays, upstream_rng, kwargs=None):
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # torch's own nan/inf remarks
        return _run(torch, case, arrays, case.args, case.kwargs if kwargs is None else kwargs,
                    upstream_rng)


def _one_at_a_time(case, arrays, ups):
    """torch's scalar formula: the op on each element alone (a one-element array never
    enters the vectorised loop), with that element's upstream."""
    (x,) = arrays
    outs, grads = [], []
    for i in range(x.size):
        out, _, grad = _torch(case, [x[i:i + 1]], _Given([u.reshape(-1)[i:i + 1] for u in ups]))
        outs.append(out)
        grads.append(grad)
    outs = [np.concatenate([o[k] for o in outs]) for k in range(len(outs[0]))]
    grads = [None if grads[0][k] is None else np.concatenate([g[k] for g in grads])
             for k in range(len(grads[0]))]
    return outs, grads


def _magnitudes(case, arrays, ups):
    """SUMS: the same op on |inputs| (float64) and |upstream|: per element, the sum of the
    magnitudes of the terms added up (a sum of products is linear in each |input|)."""
    mags = [np.abs(a.astype(np.float64)) if a.dtype.kind == "f" else a for a in arrays]
    kwargs = {k: abs(v) if isinstance(v, float) and not isinstance(v, bool) else v
              for k, v in case.kwargs.items()}
    out, _, grads = _torch(case, mags, _Given(ups, np.abs), kwargs)
    return out, grads


def reference(case, dtype, upstream):
    """(inputs, torch's outputs in ``dtype``, expected outputs, expected gradients, the
    magnitude scales of outputs and gradients (None unless SUMS), glassgrad's outputs and
    gradients), all as arrays. The upstream gradients are the same everywhere."""
    rng = np.random.default_rng(case.seed())
    arrays = [a.make(rng, dtype) for a in case.args]
    recorder = _Recorder(_upstreams(case, upstream))
    torch_out, _, torch_grads = _torch(case, arrays, recorder)
    got_out, _, got_grads = _run(glassgrad, case, arrays, case.args, case.kwargs,
                                 _upstreams(case, upstream))
    # the upstreams as both sides used them (SUMS and SCALAR_LOOP outputs are in dtype)
    ups = [u.astype(dtype) for u in recorder.drawn]
    want_out, want_grads, scale_out, scale_grads = torch_out, torch_grads, None, None
    if case.op in SUMS:
        wide = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays]
        want_out, _, want_grads = _torch(case, wide, _Given(ups))
        scale_out, scale_grads = _magnitudes(case, arrays, ups)
    elif case.op in SCALAR_LOOP and len(arrays) == 1:
        want_out, want_grads = _one_at_a_time(case, arrays, ups)
    return (arrays, torch_out, torch_grads, want_out, want_grads, scale_out, scale_grads,
            got_out, got_grads)


def _tied_selection(got, want, inputs, what):
    """TIES: topk/kthvalue along dim 1 of a 2-d input: values (and, given indices, the
    value each index points at) without asking which of several equal elements was taken."""
    x = inputs[0]
    if got.dtype.kind in "iu":
        picked = np.take_along_axis(x, got.reshape(x.shape[0], -1), axis=1).reshape(got.shape)
        want_values = np.take_along_axis(x, want.reshape(x.shape[0], -1), axis=1).reshape(got.shape)
        _assert_same(picked, want_values, inputs, 0, 0, what + " (the values at the indices)")
        if got.ndim == 2:
            assert all(len(set(row)) == len(row) for row in got.tolist()), f"{what}: repeated index"
        return
    _assert_same(got, want, inputs, 0, 0, what)


def _tied_gradient(got, want, inputs, rtol, atol, what):
    """TIES: per row, every group of equal inputs gets the same total gradient."""
    x = inputs[0]
    for r in range(x.shape[0]):
        keys = [("nan",) if np.isnan(v) else (float(v),) for v in x[r]]
        for key in set(keys):
            where = np.array([k == key for k in keys])
            g, w = got[r][where].sum(keepdims=True), want[r][where].sum(keepdims=True)
            _assert_same(g, w, inputs, rtol, atol, f"{what}, row {r}, inputs equal to {key[0]}")


def check_forward(case, dtype, known=None):
    rtol, atol = TOLERANCES[dtype]
    (arrays, torch_out, _, want_out, _, scale_out, _, got_out, _) = reference(case, dtype, "ones")
    assert len(got_out) == len(torch_out)
    for i, (g, t, w) in enumerate(zip(got_out, torch_out, want_out)):
        what = f"{case.name} {dtype}: output {i}"
        assert g.dtype == t.dtype, f"{what}: dtype {g.dtype}, torch {t.dtype}"
        if case.name in TIES:
            _tied_selection(g, w, arrays, what)
            continue
        _assert_same(g, w, arrays, rtol, atol, what,
                     None if scale_out is None else scale_out[i], _allowed(known, case, "forward", dtype))


def check_backward(case, dtype, upstream, known=None):
    rtol, atol = TOLERANCES[dtype]
    (arrays, _, torch_grads, _, want_grads, _, scale_grads, _, got_grads) = reference(
        case, dtype, upstream)
    for i, (g, t, w, arr) in enumerate(zip(got_grads, torch_grads, want_grads, arrays)):
        assert (g is None) == (t is None), f"{case.name}: grad of input {i}: {g} vs torch {t}"
        if g is None:
            continue
        what = f"{case.name} {dtype}: gradient of input {i} ({upstream} upstream)"
        assert g.dtype == arr.dtype, f"{what}: dtype {g.dtype}, input {arr.dtype}"
        if case.name in TIES:
            _tied_gradient(g, w, arrays, rtol, atol, what)
            continue
        _assert_same(g, w, arrays, rtol, atol, what,
                     None if scale_grads is None else scale_grads[i],
                     _allowed(known, case, "backward", dtype, upstream))


# ---------------------------------------------------------------- known differences
class Known:
    """A documented difference from torch (docs/special-values.md lists them all):
    ``allowed(got, want)`` marks the elements where it may show (got is glassgrad's
    answer, want the expected one). Not an xfail: the other elements are still compared,
    and the run passes on a machine where torch happens to agree."""

    def __init__(self, reason, *kinds):
        self.reason, self.kinds = reason, kinds

    def allowed(self, got, want):
        with np.errstate(invalid="ignore"):
            return np.logical_or.reduce([np.asarray(k(got, want), bool) for k in self.kinds])


def _allowed(known, case, part, dtype, upstream=None):
    """The documented differences of a run, as one mask function (or None). A KNOWN key
    is the part, optionally narrowed: "part", "part,dtype", "part,upstream",
    "part,dtype,upstream"."""
    if not known:
        return None
    keys = [part, f"{part},{dtype}"]
    if upstream is not None:
        keys += [f"{part},{upstream}", f"{part},{dtype},{upstream}"]
    entries = [known[case.name, k] for k in keys if (case.name, k) in known]
    if not entries:
        return None
    return lambda got, want: np.logical_or.reduce([np.asarray(e.allowed(got, want), bool)
                                                   for e in entries])



# The kinds of documented difference, as masks over (glassgrad's answer, the expected one)
def torch_not_finite(got, want):
    """torch overflows (inf, or inf - inf = nan, inf / inf = nan) where glassgrad has a
    number (or an infinity of its own)."""
    return ~np.isfinite(want) & ~np.isnan(got)


def torch_zero_or_not_finite(got, want):
    """as torch_not_finite, and a 0 where torch's overflowed variance made x_hat vanish."""
    return (~np.isfinite(want) | (want == 0)) & np.isfinite(got)


def glassgrad_nan(got, want):
    """glassgrad's product with a mask keeps inf * 0 = nan where torch selects a 0."""
    return np.isnan(got) & np.isfinite(want)


def opposite_infinities(got, want):
    """1/y at y = +-0: the infinity's sign is the sign of a zero, which is not compared."""
    return np.isinf(got) & np.isinf(want)


def both_finite(got, want):
    """two different numbers, each library's formula (the reason says which is the
    derivative)."""
    return np.isfinite(got) & np.isfinite(want)


_MASK_PRODUCT = (
    "an inf upstream (d log(y)/dy at y = 0) where the mask is 0: PyTorch's backward is "
    "where(mask, grad, 0), which gives 0; glassgrad multiplies by the mask (np.where costs "
    "about 20x a multiply on a random mask), and inf * 0 is nan")
_SOFT_MARGIN = (
    "by choice (see soft_margin_loss's docstring): PyTorch computes log(1 + e^z), z = -yx, "
    "and its backward -y e^z / (1 + e^z), so where e^z overflows (z above ~88.7 in float32, "
    "~709.8 in float64: x = -inf, +-1e30 or +-3e38 against an opposite label) its loss is inf "
    "and its gradient inf/inf = nan; glassgrad's max(z, 0) + log1p(e^-|z|) gives the loss z "
    "and the gradient -y sigma(z) (-y at x = -inf; +-inf where y is infinite)")

# (case name, part) -> Known(the exact difference, where it may show); part is "forward",
# "backward" (both upstreams) or "backward,random" (only the random upstream); a dtype
# narrows either: "forward,float32", "backward,float32,random". Every entry has its row
# in docs/special-values.md.
KNOWN = {
    ("log(relu(x))", "backward"): Known("relu: " + _MASK_PRODUCT, glassgrad_nan),
    ("log(clamp(x, min=0))", "backward"): Known(
        "clamp: " + _MASK_PRODUCT + "; and clamp(-0.0, min=0.0) is -0.0 in torch, +0.0 here "
        "(the two are equal, either is the max), so 1/y there is -inf in torch, +inf here",
        glassgrad_nan, opposite_infinities),
    ("log(where(x > 0, x, 0))", "backward"): Known("where: " + _MASK_PRODUCT, glassgrad_nan),
    ("abs", "backward"): Known(
        "at a nan input: PyTorch's sign(nan) is 0, so its abs gradient there is 0; NumPy's "
        "sign(nan) is nan, and glassgrad keeps the nan (nan in, nan out)", glassgrad_nan),
    ("logsumexp,dim=1", "backward"): Known(
        "where n elements share a huge maximum and log(n) is lost against it in rounding "
        "([1e30, 1e30, -1e30, 1], [3e38] * 4), PyTorch's backward exp(a - logsumexp(a)) "
        "gives each tied maximum 1 (the gradients sum to n); glassgrad keeps the forward's "
        "softmax, 1/n each, which is the derivative", both_finite),
    **{(name, part): Known(_SOFT_MARGIN, torch_not_finite)
       for name in ("soft_margin_loss,none", "soft_margin_loss,pairs,none")
       for part in ("forward", "backward")},
    ("soft_margin_loss,mean", "backward"): Known(_SOFT_MARGIN, torch_not_finite),
}


def forward_runs(cases):
    return [pytest.param(case, dtype, id=f"{case.name}-{dtype}")
            for case in cases for dtype in case.dtypes]


def backward_runs(cases):
    return [pytest.param(case, dtype, up, id=f"{case.name}-{dtype}-{up}")
            for case in cases for dtype in case.dtypes for up in ("ones", "random")]


def unknown_names(cases, known):
    """Names in ``known`` that no case has (a renamed row would silently lose its entry)."""
    names = {c.name for c in cases}
    return sorted(name for name, _ in known if name not in names)


def special_value_tests(cases, known):
    """The three tests of a table of special-value rows, for a test module to bind: every
    row's forward and backward, and every KNOWN entry naming a row."""

    @pytest.mark.parametrize("case, dtype", forward_runs(cases))
    def test_forward_special_values(case, dtype):
        check_forward(case, dtype, known)

    @pytest.mark.parametrize("case, dtype, upstream", backward_runs(cases))
    def test_backward_special_values(case, dtype, upstream):
        check_backward(case, dtype, upstream, known)

    def test_every_known_difference_names_a_case():
        assert unknown_names(cases, known) == []
        assert undocumented(cases, known) == []

    return (test_forward_special_values, test_backward_special_values,
            test_every_known_difference_names_a_case)


def undocumented(cases, known):
    """Ops of ``known`` without a row in docs/special-values.md's table."""
    import pathlib

    page = pathlib.Path(__file__).resolve().parents[2] / "docs" / "special-values.md"
    table = [line for line in page.read_text().splitlines() if line.startswith("| `")]
    ops = {c.op for c in cases if any(c.name == name for name, _ in known)}
    return sorted(op for op in ops if not any(f"`{op}" in line for line in table))


# ---------------------------------------------------------------- the tests
(test_forward_special_values, test_backward_special_values,
 test_every_known_difference_names_a_case) = special_value_tests(CASES, KNOWN)


# NumPy's floating-point RuntimeWarnings from glassgrad's own calls are silenced by
# backend.py; one raised inside NumPy's Python layer (a.sum() is numpy/_core/_methods.py
# calling add.reduce) is attributed to NumPy and leaks to the user. pytest resets the
# warning filters around each test, so the check runs every row in a fresh interpreter
# where every other RuntimeWarning is an error.
_NO_WARNINGS = """
import sys
sys.path.insert(0, {here!r})
import numpy as np
import glassgrad
import {module} as T
for case in T.CASES:
    for dtype in case.dtypes:
        rng = np.random.default_rng(0)
        tensors = [glassgrad.tensor(a.make(rng, dtype), requires_grad=a.requires_grad)
                   for a in case.args]
        try:
            outs = case.call(glassgrad, tensors, case.kwargs)
            outs = outs if isinstance(outs, (tuple, list)) else (outs,)
            for out in outs:
                if out.requires_grad:
                    out.backward(glassgrad.ones_like(out))
        except RuntimeWarning as w:
            print(f"{{case.name}} {{dtype}}: {{w}}")
"""


def check_no_warning_leaks(module):
    """Run every row of ``module`` (a test file of this folder) in a fresh interpreter."""
    import pathlib
    import subprocess
    import sys

    script = _NO_WARNINGS.format(here=str(pathlib.Path(__file__).parent), module=module)
    run = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", script],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "", "RuntimeWarnings that reach the user:\n" + run.stdout


def test_no_numpy_warning_leaks_out_of_glassgrad():
    check_no_warning_leaks("test_special_values")


_UNBROADCAST = """
import numpy as np
import glassgrad
x = glassgrad.tensor(np.ones(2, dtype=np.float32), requires_grad=True)
y = x * glassgrad.ones((2, 1))  # x is broadcast over 2 rows: its gradient is a sum of 2
y.backward(glassgrad.tensor(np.full((2, 2), 3e38, dtype=np.float32)))  # 6e38: inf
"""


def test_no_numpy_warning_leaks_out_of_the_engines_unbroadcast():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", _UNBROADCAST],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
