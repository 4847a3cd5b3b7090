"""L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss, SoftMarginLoss, CosineEmbeddingLoss and
GaussianNLLLoss as Modules against torch's Modules; their behaviour exactly at the kinks
(PyTorch's conventions, checked against torch at those points); overflow-free soft
margin (a hand derivation where torch overflows); and the input checks.

The functional forms are rows of tests/ops/table_losses.py (values and gradients vs
torch in float64 and float32, finite differences)."""

import math
import warnings

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn.functional as F
from glassgrad import nn
from nn_helpers import assert_close, backward_with, pair

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = ["float64", "float32"]
REDUCTIONS = ["mean", "sum", "none"]


def _rng(seed=0):
    return np.random.default_rng(seed)


def _data(shape, dtype, seed=0, positive=False):
    a = _rng(seed).standard_normal(shape)
    return (np.abs(a) + 0.1 if positive else a).astype(dtype)


MODULES = {  # name: (ours, theirs, constructor kwargs, positive target, target requires grad)
    "L1Loss": (nn.L1Loss, torch.nn.L1Loss, {}, False, True),
    "SmoothL1Loss": (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, {"beta": 0.7}, False, True),
    "HuberLoss": (nn.HuberLoss, torch.nn.HuberLoss, {"delta": 0.3}, False, True),
    "KLDivLoss": (nn.KLDivLoss, torch.nn.KLDivLoss, {}, True, True),
    "KLDivLoss-log_target": (nn.KLDivLoss, torch.nn.KLDivLoss, {"log_target": True}, False, True),
    "SoftMarginLoss": (nn.SoftMarginLoss, torch.nn.SoftMarginLoss, {}, False, False),
}


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", MODULES)
def test_module_matches_torch(name, reduction, dtype):
    ours_cls, theirs_cls, kw, positive, target_grad = MODULES[name]
    (x1, x2) = pair(_data((5, 4), dtype))
    (y1, y2) = pair(_data((5, 4), dtype, seed=1, positive=positive), requires_grad=target_grad)
    ours = ours_cls(reduction=reduction, **kw)(x1, y1)
    theirs = theirs_cls(reduction=reduction, **kw)(x2, y2)
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs)
    assert_close(x1.grad, x2.grad, dtype)
    if target_grad:
        assert_close(y1.grad, y2.grad, dtype)
    assert x1.grad.dtype == np.dtype(dtype)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_batchmean_module_is_the_kl_divergence_per_example(log_target):
    """Hand derivation: KL(p || q) = sum_k p_k log(p_k / q_k), averaged over the batch."""
    logits_p, logits_q = _rng(0).standard_normal((3, 5)), _rng(1).standard_normal((3, 5))
    p = np.exp(logits_p) / np.exp(logits_p).sum(1, keepdims=True)
    q = np.exp(logits_q) / np.exp(logits_q).sum(1, keepdims=True)
    expected = (p * np.log(p / q)).sum(1).mean()
    target = np.log(p) if log_target else p
    loss = nn.KLDivLoss(reduction="batchmean", log_target=log_target)(gg.tensor(np.log(q)), gg.tensor(target))
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-12)
    assert_close(loss, torch.nn.KLDivLoss(reduction="batchmean", log_target=log_target)(
        torch.tensor(np.log(q)), torch.tensor(target)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_module_matches_torch(reduction, dtype):
    (a1, a2), (b1, b2) = pair(_data((6, 4), dtype)), pair(_data((6, 4), dtype, seed=1))
    y = np.array([1, -1, 1, -1, -1, 1])
    ours = nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction)(a1, b1, gg.tensor(y))
    theirs = torch.nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction)(a2, b2, torch.tensor(y))
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs)
    assert_close(a1.grad, a2.grad, dtype)
    assert_close(b1.grad, b2.grad, dtype)


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_module_matches_torch(reduction, full):
    (m1, m2), (y1, y2) = pair(_data((5, 3), "float64")), pair(_data((5, 3), "float64", seed=1))
    (v1, v2) = pair(_data((5, 3), "float64", seed=2, positive=True))
    ours = nn.GaussianNLLLoss(full=full, reduction=reduction)(m1, y1, v1)
    theirs = torch.nn.GaussianNLLLoss(full=full, reduction=reduction)(m2, y2, v2)
    assert_close(ours, theirs)
    backward_with(ours, theirs)
    for a, b in [(m1, m2), (y1, y2), (v1, v2)]:
        assert_close(a.grad, b.grad)


def test_gaussian_nll_scalar_var_and_heteroscedastic_shapes_match_torch():
    (m1, m2), (y1, y2) = pair(_data((4, 2, 3), "float64")), pair(_data((4, 2, 3), "float64", seed=1))
    assert_close(F.gaussian_nll_loss(m1, y1, 0.5), TF.gaussian_nll_loss(m2, y2, 0.5))
    for shape in [(4, 2), (4, 1, 3), (4, 2, 1)]:
        (v1, v2) = pair(_data(shape, "float64", seed=3, positive=True))
        ours, theirs = F.gaussian_nll_loss(m1, y1, v1), TF.gaussian_nll_loss(m2, y2, v2)
        assert_close(ours, theirs)
        ours.backward()
        theirs.backward()
        assert v1.grad.shape == shape
        assert_close(v1.grad, v2.grad)


def test_losses_have_no_parameters_like_torch():
    for ours, theirs in [(nn.L1Loss(), torch.nn.L1Loss()), (nn.KLDivLoss(), torch.nn.KLDivLoss()),
                         (nn.CosineEmbeddingLoss(), torch.nn.CosineEmbeddingLoss()),
                         (nn.GaussianNLLLoss(), torch.nn.GaussianNLLLoss())]:
        assert list(ours.state_dict()) == list(theirs.state_dict()) == []


# ---------------------------------------------------------------- at the kinks
def _grads_at(fn_ours, fn_theirs, x, y):
    (x1, x2), (y1, y2) = pair(np.asarray(x, dtype=np.float64)), pair(np.asarray(y, dtype=np.float64))
    ours, theirs = fn_ours(x1, y1), fn_theirs(x2, y2)
    assert_close(ours, theirs)
    ours.backward()
    theirs.backward()
    assert_close(x1.grad, x2.grad)
    assert_close(y1.grad, y2.grad)
    return x1.grad.array


def test_l1_gradient_at_zero_error_is_zero():
    """sign(0) = 0: a prediction that is exactly right gets no push (PyTorch's sgn)."""
    g = _grads_at(lambda x, y: F.l1_loss(x, y, reduction="sum"), lambda x, y: TF.l1_loss(x, y, reduction="sum"),
                  [0.5, 1.0, -2.0], [0.5, 0.0, -1.0])
    np.testing.assert_array_equal(g, [0.0, 1.0, -1.0])


@pytest.mark.parametrize("beta", [0.0, 1.0, 0.25])
def test_smooth_l1_at_zero_and_at_beta(beta):
    """Errors 0, +-beta exactly, and inside/outside the band; beta = 0 is L1 (torch too)."""
    x = [0.0, beta, -beta, 0.1, 3.0]
    g = _grads_at(lambda a, b: F.smooth_l1_loss(a, b, reduction="sum", beta=beta),
                  lambda a, b: TF.smooth_l1_loss(a, b, reduction="sum", beta=beta), x, np.zeros(5))
    assert g[0] == 0.0 and g[4] == 1.0
    if beta:
        assert g[1] == 1.0 and g[2] == -1.0  # the two branches meet: slope +-1 at +-beta


@pytest.mark.parametrize("delta", [1.0, 0.25])
def test_huber_at_zero_and_at_delta(delta):
    x = [0.0, delta, -delta, 0.1, -3.0]
    g = _grads_at(lambda a, b: F.huber_loss(a, b, reduction="sum", delta=delta),
                  lambda a, b: TF.huber_loss(a, b, reduction="sum", delta=delta), x, np.zeros(5))
    np.testing.assert_array_equal(g[[0, 1, 2, 4]], [0.0, delta, -delta, -delta])


def test_huber_is_delta_times_smooth_l1():
    x, y = gg.tensor(_data(10, "float64")), gg.tensor(_data(10, "float64", seed=1))
    for d in (0.3, 1.0, 2.5):
        np.testing.assert_allclose(F.huber_loss(x, y, delta=d).item(), d * F.smooth_l1_loss(x, y, beta=d).item(),
                                   rtol=1e-14)


def test_kl_div_target_zero_contributes_zero_and_its_gradient_is_nan_like_torch():
    x, t = [-0.5, 0.3, -1.0], [0.0, 0.5, 0.25]
    (x1, x2), (t1, t2) = pair(np.array(x)), pair(np.array(t))
    ours, theirs = F.kl_div(x1, t1, reduction="sum"), TF.kl_div(x2, t2, reduction="sum")
    assert_close(ours, theirs)
    np.testing.assert_allclose(ours.item(), 0.5 * (math.log(0.5) - 0.3) + 0.25 * (math.log(0.25) + 1.0))
    ours.backward()
    theirs.backward()
    assert_close(x1.grad, x2.grad)  # -p, also 0 where p = 0
    np.testing.assert_array_equal(np.isnan(t1.grad.array), [True, False, False])
    np.testing.assert_array_equal(np.isnan(t2.grad.numpy()), [True, False, False])
    np.testing.assert_allclose(t1.grad.array[1:], t2.grad.numpy()[1:], rtol=1e-12)


def test_kl_div_batchmean_on_a_scalar_is_the_sum_like_torch():
    ours = F.kl_div(gg.tensor(-0.7), gg.tensor(0.4), reduction="batchmean")
    theirs = TF.kl_div(torch.tensor(-0.7, dtype=torch.float64), torch.tensor(0.4, dtype=torch.float64),
                       reduction="batchmean")
    assert_close(ours, theirs)


def test_cosine_embedding_gradient_flows_at_cos_equal_margin_like_torch():
    """Orthogonal pair, margin 0, y = -1: cos - margin = 0 exactly; torch's clamp_min
    passes the gradient there (>=), so must we."""
    (a1, a2), (b1, b2) = pair(np.array([[1.0, 0.0]])), pair(np.array([[0.0, 2.0]]))
    y = np.array([-1])
    ours = F.cosine_embedding_loss(a1, b1, gg.tensor(y), reduction="sum")
    theirs = TF.cosine_embedding_loss(a2, b2, torch.tensor(y), reduction="sum")
    assert ours.item() == theirs.item() == 0.0
    ours.backward()
    theirs.backward()
    assert_close(a1.grad, a2.grad)
    assert_close(b1.grad, b2.grad)
    assert a1.grad.array[0, 1] != 0


def test_cosine_embedding_labels_other_than_plus_minus_one_contribute_nothing():
    (a1, a2), (b1, b2) = pair(_data((3, 4), "float64")), pair(_data((3, 4), "float64", seed=1))
    y = np.array([1.0, 0.0, 0.5])
    ours = F.cosine_embedding_loss(a1, b1, gg.tensor(y), reduction="none")
    theirs = TF.cosine_embedding_loss(a2, b2, torch.tensor(y), reduction="none")
    assert_close(ours, theirs)
    assert ours.array[1] == ours.array[2] == 0


# ---------------------------------------------------------------- soft margin far out
def test_soft_margin_stays_finite_where_torch_overflows():
    """Hand derivation: for z = -y x >> 0, log(1 + e^z) = z + log(1 + e^-z) ~ z, and the
    gradient -y sigma(z) ~ -y; for z << 0 the loss ~ e^z and the gradient ~ 0."""
    x = gg.tensor(np.array([-800.0, 800.0, 800.0, 30.0]), requires_grad=True)
    y = gg.tensor(np.array([1.0, -1.0, 1.0, 1.0]))
    loss = F.soft_margin_loss(x, y, reduction="none")
    np.testing.assert_allclose(loss.array, [800.0, 800.0, 0.0, math.log1p(math.exp(-30.0))], rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, [-1.0, 1.0, 0.0, -math.exp(-30) / (1 + math.exp(-30))],
                               rtol=1e-12, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.isinf(TF.soft_margin_loss(torch.tensor([-800.0], dtype=torch.float64),
                                               torch.tensor([1.0], dtype=torch.float64)))


def test_soft_margin_target_gradient_by_finite_differences():
    """torch refuses a target gradient; ours is d/dy log(1 + e^{-yx}) = -x sigma(-yx)."""
    x, y = gg.tensor(_data(6, "float64")), gg.tensor(_data(6, "float64", seed=1), requires_grad=True)
    assert gg.autograd.gradcheck(lambda t: F.soft_margin_loss(x, t), [y])


@pytest.mark.parametrize("name", ["l1_loss", "smooth_l1_loss", "kl_div", "huber_loss"])
def test_mixed_precision_promotes_and_grads_keep_their_dtype(name):
    """float32 with float64 gives a float64 loss, as torch's l1, smooth_l1 and kl_div do
    (and glassgrad's mse_loss). torch's huber_loss instead returns the input's dtype and
    then fails in backward ("Found dtype Double but expected Float"): glassgrad promotes
    it like the others."""
    a, b = _data(4, "float32"), np.abs(_data(4, "float64", seed=1))
    (a1, a2), (b1, b2) = pair(a), pair(b)
    ours = getattr(F, name)(a1, b1)
    assert ours.dtype == np.float64
    ours.backward()
    assert a1.grad.dtype == np.float32 and b1.grad.dtype == np.float64
    if name != "huber_loss":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(TF, name)(a2, b2)
        theirs.backward()
        assert theirs.dtype == torch.float64
        assert_close(ours, theirs)
        assert_close(a1.grad, a2.grad, "float32")
        assert_close(b1.grad, b2.grad)  # float64: both sides compute it in float64


# ---------------------------------------------------------------- bad input
X, Y = gg.tensor(np.ones((3, 2))), gg.tensor(np.zeros((3, 2)))


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.l1_loss(X, gg.tensor(np.zeros((3, 1)))), ValueError, r"shape \(3, 2\).*\(3, 1\)"),
    (lambda: F.l1_loss(X, Y, reduction="avg"), ValueError, "reduction"),
    (lambda: F.l1_loss(X, np.zeros((3, 2))), TypeError, "Tensor"),
    (lambda: F.l1_loss(gg.tensor([1, 2]), gg.tensor([1, 2])), TypeError, "floating"),
    (lambda: F.smooth_l1_loss(X, Y, beta=-1.0), ValueError, "beta"),
    (lambda: F.huber_loss(X, Y, delta=0.0), ValueError, "delta"),
    (lambda: nn.HuberLoss(delta=-2), ValueError, "delta"),
    (lambda: nn.SmoothL1Loss(beta="1"), TypeError, "beta"),
    (lambda: F.kl_div(X, Y, reduction="batch"), ValueError, "batchmean"),
    (lambda: nn.KLDivLoss(reduction="avg"), ValueError, "batchmean"),
    (lambda: F.kl_div(X, gg.tensor(np.zeros(2))), ValueError, "shape"),
    (lambda: F.soft_margin_loss(X, gg.tensor(np.zeros(6))), ValueError, "shape"),
    (lambda: F.cosine_embedding_loss(X, Y, gg.tensor(np.ones((3, 1)))), ValueError, "0D or 1D target"),
    (lambda: F.cosine_embedding_loss(X, Y, gg.tensor(np.ones(4))), ValueError, r"\(N, D\)"),
    (lambda: F.cosine_embedding_loss(X, gg.tensor(np.ones((3, 3))), gg.tensor(np.ones(3))), ValueError, "input2"),
    (lambda: F.cosine_embedding_loss(X[0], Y[0], gg.tensor(np.ones(1))), ValueError, r"\(D,\)"),
    (lambda: F.gaussian_nll_loss(X, Y, gg.tensor(np.ones((2, 2)))), ValueError, "incorrect size"),
    (lambda: F.gaussian_nll_loss(X, Y, gg.tensor(-np.ones((3, 2)))), ValueError, "negative"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_torch_refuses_the_same_cosine_and_gaussian_inputs():
    """The shape errors above are PyTorch's too (where torch raises rather than warns)."""
    x = torch.ones(3, 2, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="0D or 1D target"):
        TF.cosine_embedding_loss(x, x, torch.ones(3, 1))
    with pytest.raises(ValueError, match="incorrect size"):
        TF.gaussian_nll_loss(x, x, torch.ones(2, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match="negative"):
        TF.gaussian_nll_loss(x, x, -torch.ones(3, 2, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="beta"):
        TF.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(RuntimeError, match="delta"):
        TF.huber_loss(x, x, delta=0.0)


# ---------------------------------------------------------------- weight= (functional only, as torch)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["l1_loss", "huber_loss"])
def test_weighted_l1_and_huber_match_torch(name, reduction, dtype):
    """torch's two different weighted means: l1 divides by sum(w), huber by n."""
    (x1, x2), (y1, y2) = pair(_data((4, 3), dtype)), pair(_data((4, 3), dtype, seed=1))
    (w1, w2) = pair(np.abs(_data((4, 3), dtype, seed=2)) + 0.1)
    kw = {"delta": 0.5} if name == "huber_loss" else {}
    ours = getattr(F, name)(x1, y1, reduction=reduction, weight=w1, **kw)
    theirs = getattr(TF, name)(x2, y2, reduction=reduction, weight=w2, **kw)
    assert_close(ours, theirs, dtype)
    backward_with(ours, theirs)
    for a, b in [(x1, x2), (y1, y2), (w1, w2)]:
        assert_close(a.grad, b.grad, dtype)


def test_weight_of_the_wrong_shape_is_refused_like_torch():
    w = gg.tensor(np.ones(2))
    with pytest.raises(ValueError, match=r"weight of shape \(2,\).*\(3, 2\)"):
        F.l1_loss(X, Y, weight=w)
    with pytest.raises(ValueError, match="weight"):
        F.huber_loss(X, Y, weight=w)
    with pytest.raises(ValueError, match="same size"):
        TF.l1_loss(torch.ones(3, 2), torch.ones(3, 2), weight=torch.ones(2))
