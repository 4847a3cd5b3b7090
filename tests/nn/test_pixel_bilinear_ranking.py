"""PixelShuffle / PixelUnshuffle, Bilinear and the ranking and embedding losses
(margin_ranking_loss, hinge_embedding_loss, triplet_margin_loss) against torch's: values and
the gradients of every input and parameter, float64 and float32."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn
import glassgrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def arrays(*shapes, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def tol(dtype, terms=1):
    if dtype == "float64":
        return dict(rtol=1e-10, atol=1e-12)
    return dict(rtol=1e-5, atol=terms * 4 * np.finfo(np.float32).eps)


def run_both(fn_g, fn_t, values, dtype, terms=1, grad_of=None):
    """Call fn on glassgrad and torch leaves made from ``values`` (float ones require grad),
    compare the results, backpropagate the same upstream, compare the gradients."""
    grad_of = grad_of or [v.dtype.kind == "f" for v in values]
    ins_g = [gg.tensor(v, requires_grad=g) for v, g in zip(values, grad_of)]
    ins_t = [torch.tensor(v, requires_grad=g) for v, g in zip(values, grad_of)]
    out_g, out_t = fn_g(*ins_g), fn_t(*ins_t)
    np.testing.assert_allclose(out_g.array, out_t.detach().numpy(), **tol(dtype, terms))
    up = arrays(tuple(out_t.shape), seed=11, dtype=dtype)[0]
    out_g.backward(gg.tensor(up))
    out_t.backward(torch.tensor(up))
    for a, b in zip(ins_g, ins_t):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), **tol(dtype, terms))
    return ins_g, ins_t


# ------------------------------------------------------------------ pixel shuffle
@pytest.mark.parametrize("shape, r", [((2, 8, 3, 5), 2), ((18, 2, 3), 3), ((2, 1, 4, 1, 1), 2)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape, r):
    (x,) = arrays(shape)
    run_both(lambda t: F.pixel_shuffle(t, r), lambda t: TF.pixel_shuffle(t, r), [x], "float64")
    shuffled = TF.pixel_shuffle(torch.tensor(x), r).numpy()
    run_both(lambda t: F.pixel_unshuffle(t, r), lambda t: TF.pixel_unshuffle(t, r), [shuffled], "float64")
    back = nn.PixelUnshuffle(r)(nn.PixelShuffle(r)(gg.tensor(x)))
    np.testing.assert_array_equal(back.numpy(), x)  # a rearrangement: exactly invertible
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))


def test_pixel_shuffle_index_map():
    """out[c, h r + i, w r + j] = in[c r^2 + i r + j, h, w], checked element by element."""
    r, c, h, w = 2, 2, 3, 2
    x = np.arange(c * r * r * h * w, dtype=float).reshape(c * r * r, h, w)
    out = F.pixel_shuffle(gg.tensor(x), r).numpy()
    for ci in range(c):
        for hi in range(h):
            for wi in range(w):
                for i in range(r):
                    for j in range(r):
                        assert out[ci, hi * r + i, wi * r + j] == x[ci * r * r + i * r + j, hi, wi]


@pytest.mark.parametrize("call, message", [
    (lambda: F.pixel_shuffle(gg.zeros(1, 3, 2, 2), 2), "divisible by upscale_factor"),
    (lambda: F.pixel_unshuffle(gg.zeros(1, 3, 3, 2), 2), "divisible by downscale_factor"),
    (lambda: F.pixel_shuffle(gg.zeros(4, 2), 2), "at least 3 dims"),
    (lambda: F.pixel_shuffle(gg.zeros(1, 4, 2, 2), 0), "positive integer"),
])
def test_pixel_shuffle_refuses_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ bilinear
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("lead, bias", [((5,), True), ((2, 3), False), ((), True)])
def test_bilinear_matches_torch(lead, bias, dtype):
    torch.manual_seed(0)
    theirs = torch.nn.Bilinear(3, 4, 2, bias=bias)
    ours = nn.Bilinear(3, 4, 2, bias=bias)
    if dtype == "float64":
        theirs.double()
        ours.double()
    ours.load_state_dict({k: gg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    x1, x2 = arrays(lead + (3,), lead + (4,), dtype=dtype)
    run_both(ours, theirs, [x1, x2], dtype, terms=12)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, grads[name].grad.numpy(), **tol(dtype, 12))


def test_bilinear_is_the_formula_and_starts_in_bounds():
    layer = nn.Bilinear(4, 3, 2)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= 0.5 and np.abs(b).max() <= 0.5  # 1/sqrt(in1 = 4)
    x1, x2 = arrays((4,), (3,), dtype="float32")
    expected = np.array([x1 @ w[o] @ x2 for o in range(2)]) + b
    np.testing.assert_allclose(layer(gg.tensor(x1), gg.tensor(x2)).detach().numpy(), expected, rtol=1e-5)


# ------------------------------------------------------------------ ranking and embedding losses
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss_matches_torch(reduction, dtype):
    x1, x2 = arrays((7,), (7,), dtype=dtype)
    y = np.array([1, -1, 1, 1, -1, -1, 1], dtype=dtype)
    run_both(lambda a, b, t: F.margin_ranking_loss(a, b, t, margin=0.3, reduction=reduction),
             lambda a, b, t: TF.margin_ranking_loss(a, b, t, margin=0.3, reduction=reduction),
             [x1, x2, y], dtype, terms=7)
    module = nn.MarginRankingLoss(margin=0.3, reduction=reduction)
    torch_module = torch.nn.MarginRankingLoss(margin=0.3, reduction=reduction)
    run_both(module, torch_module, [x1, x2, y], dtype, terms=7)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("labels", ["float", "int"])
def test_hinge_embedding_loss_matches_torch(labels, reduction, dtype):
    (x,) = arrays((3, 5), dtype=dtype)
    x = np.abs(x) * 1.5  # distances, some above and some below the margin
    y = np.where(np.random.default_rng(1).random((3, 5)) < 0.5, 1, -1).astype(
        dtype if labels == "float" else "int64")
    run_both(lambda a, t: F.hinge_embedding_loss(a, t, margin=1.2, reduction=reduction),
             lambda a, t: TF.hinge_embedding_loss(a, t, margin=1.2, reduction=reduction),
             [x, y], dtype, terms=15, grad_of=[True, False])
    run_both(nn.HingeEmbeddingLoss(1.2, reduction=reduction),
             torch.nn.HingeEmbeddingLoss(1.2, reduction=reduction), [x, y], dtype, terms=15,
             grad_of=[True, False])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, swap", [(2, False), (2, True), (1, False), (3, True)])
def test_triplet_margin_loss_matches_torch(p, swap, reduction, dtype):
    a, pos, neg = arrays((6, 4), (6, 4), (6, 4), dtype=dtype)
    neg = pos + 0.8 * neg  # negatives near the positives: swap picks d(p, n) for some
    kwargs = dict(margin=1.5, p=p, swap=swap, reduction=reduction)
    run_both(lambda *t: F.triplet_margin_loss(*t, **kwargs),
             lambda *t: TF.triplet_margin_loss(*t, **kwargs), [a, pos, neg], dtype, terms=24)
    run_both(nn.TripletMarginLoss(**kwargs), torch.nn.TripletMarginLoss(**kwargs),
             [a, pos, neg], dtype, terms=24)


def test_triplet_margin_loss_of_one_triplet():
    a, pos, neg = arrays((4,), (4,), (4,))
    run_both(lambda *t: F.triplet_margin_loss(*t), lambda *t: TF.triplet_margin_loss(*t),
             [a, pos, neg], "float64")


@pytest.mark.parametrize("call, message", [
    (lambda: F.margin_ranking_loss(gg.zeros(3), gg.zeros(3), gg.zeros(4)), "one shape"),
    (lambda: F.margin_ranking_loss(gg.zeros(3), gg.zeros(3), gg.zeros(3), reduction="avg"), "reduction"),
    (lambda: F.hinge_embedding_loss(gg.zeros(3), gg.zeros(2)), "shape"),
    (lambda: F.triplet_margin_loss(gg.zeros(3, 2), gg.zeros(3, 2), gg.zeros(3, 3)), "one shape"),
    (lambda: F.triplet_margin_loss(gg.zeros(3, 2), gg.zeros(3, 2), gg.zeros(3, 2), p=0), "p must be"),
])
def test_ranking_losses_refuse_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
