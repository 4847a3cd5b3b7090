"""F.scaled_dot_product_attention and nn.MultiheadAttention against torch's, from the same
numbers: outputs, attention weights and the gradients of the inputs and of every parameter,
in float64 (tight) and float32 (tolerance grown with the number of terms summed)."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn
import glassgrad.nn.functional as F

torch = pytest.importorskip("torch")


def arrays(*shapes, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def both(values, grad=True):
    """The same arrays as glassgrad leaves and torch leaves."""
    ours = [gg.tensor(v, requires_grad=grad and v.dtype.kind == "f") for v in values]
    theirs = [torch.tensor(v, requires_grad=grad and v.dtype.kind == "f") for v in values]
    return ours, theirs


def tol(dtype, terms):
    """float64: near rounding; float32: ~ulps of the terms summed into one number."""
    if dtype == "float64":
        return dict(rtol=1e-10, atol=1e-12)
    return dict(rtol=1e-5, atol=terms * 4 * np.finfo(np.float32).eps)


def check(ours, theirs, **tolerance):
    a = ours.array if isinstance(ours, gg.Tensor) else ours
    np.testing.assert_allclose(a, theirs.detach().numpy(), **tolerance)


# ------------------------------------------------------------------ scaled_dot_product_attention
SDPA_CASES = {
    "plain": dict(),
    "causal": dict(is_causal=True),
    "scale": dict(scale=0.3),
    "bool mask": dict(mask="bool"),
    "float mask": dict(mask="float"),
    "bool mask broadcast over heads": dict(mask="bool heads"),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", SDPA_CASES)
def test_sdpa_matches_torch(case, dtype):
    kwargs = dict(SDPA_CASES[case])
    mask = kwargs.pop("mask", None)
    N, H, L, S, E, Ev = 2, 3, 4, 5, 6, 7
    q, k, v, up = arrays((N, H, L, E), (N, H, S, E), (N, H, S, Ev), (N, H, L, Ev), dtype=dtype)
    extra = []
    if mask == "float":
        extra = arrays((L, S), seed=1, dtype=dtype)
    elif mask is not None:
        shape = (N, 1, L, S) if mask == "bool heads" else (L, S)
        m = np.random.default_rng(2).random(shape) < 0.7
        m[..., 0] = True  # every query sees at least one key (a fully masked row is nan)
        extra = [m]
    if "causal" in case:
        S = L
        k, v = k[:, :, :L], v[:, :, :L]
    ours, theirs = both([q, k, v, *extra])
    if extra:
        kwargs["attn_mask"] = None
    out_g = F.scaled_dot_product_attention(*ours[:3], **{**kwargs, "attn_mask": ours[3] if extra else None})
    out_t = torch.nn.functional.scaled_dot_product_attention(
        *theirs[:3], **{**kwargs, "attn_mask": theirs[3] if extra else None})
    t = tol(dtype, S * E)
    check(out_g, out_t, **t)
    out_g.backward(gg.tensor(up))
    out_t.backward(torch.tensor(up))
    for a, b in zip(ours, theirs):
        if b.requires_grad:
            check(a.grad, b.grad, **tol(dtype, S * max(E, Ev)))


def test_sdpa_is_the_formula_and_unbatched():
    """One head, no batch dims: softmax(q k^T / sqrt(E)) v, written out in NumPy here."""
    q, k, v = arrays((3, 2), (4, 2), (4, 5))
    scores = q @ k.T / np.sqrt(2)
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    out = F.scaled_dot_product_attention(gg.tensor(q), gg.tensor(k), gg.tensor(v))
    np.testing.assert_allclose(out.array, p @ v, rtol=1e-12)


def test_sdpa_gqa_matches_torch():
    q, k, v = arrays((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 3))
    ours, theirs = both([q, k, v])
    out_g = F.scaled_dot_product_attention(*ours, enable_gqa=True)
    out_t = torch.nn.functional.scaled_dot_product_attention(*theirs, enable_gqa=True)
    check(out_g, out_t, rtol=1e-10, atol=1e-12)
    out_g.sum().backward()
    out_t.sum().backward()
    for a, b in zip(ours, theirs):
        check(a.grad, b.grad, rtol=1e-10, atol=1e-12)


def test_sdpa_dropout_one_drops_every_weight():
    q, k, v = arrays((2, 3, 4), (2, 5, 4), (2, 5, 4))
    ours, theirs = both([q, k, v])
    out_g = F.scaled_dot_product_attention(*ours, dropout_p=1.0)
    assert not out_g.array.any()
    out_t = torch.nn.functional.scaled_dot_product_attention(*theirs, dropout_p=1.0)
    check(out_g, out_t, rtol=0, atol=0)


def test_sdpa_dropout_keeps_the_mean():
    """Inverted dropout on the weights: E[output] = the output without dropout."""
    gg.manual_seed(0)
    q, k, v = (gg.tensor(a) for a in arrays((1, 4), (6, 4), (6, 3)))
    plain = F.scaled_dot_product_attention(q, k, v).array
    runs = np.stack([F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).array
                     for _ in range(4000)])
    # each of the 6 weights (<= 1) times |v| (< 4) is kept or doubled: the mean of 4000
    # runs is within ~5 standard errors of the exact expectation
    sd = runs.std(0) / np.sqrt(len(runs))
    assert np.all(np.abs(runs.mean(0) - plain) <= 5 * sd + 1e-12)


@pytest.mark.parametrize("bad, message", [
    (dict(attn_mask="bool", is_causal=True), "not both"),
    (dict(dropout_p=1.5), "dropout_p"),
    (dict(attn_mask="wrong shape"), "does not broadcast"),
    (dict(attn_mask="int"), "bool tensor or have the query's dtype"),
])
def test_sdpa_refuses_bad_arguments(bad, message):
    q, k, v = (gg.tensor(a) for a in arrays((2, 3, 4), (2, 5, 4), (2, 5, 4)))
    masks = {"bool": gg.ones(3, 5, dtype=gg.bool), "wrong shape": gg.ones(4, 5, dtype=gg.bool),
             "int": gg.ones(3, 5, dtype=gg.int64)}
    if "attn_mask" in bad:
        bad = dict(bad, attn_mask=masks[bad["attn_mask"]])
    with pytest.raises((ValueError, TypeError), match=message):
        F.scaled_dot_product_attention(q, k, v, **bad)


def test_sdpa_refuses_mismatched_sizes():
    q, k, v = (gg.tensor(a) for a in arrays((2, 3, 4), (2, 5, 3), (2, 5, 4)))
    with pytest.raises(ValueError, match="same feature size"):
        F.scaled_dot_product_attention(q, k, v)
