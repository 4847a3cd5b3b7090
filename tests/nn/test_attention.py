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


# ------------------------------------------------------------------ MultiheadAttention
def mha_pair(dtype="float64", **kwargs):
    """The same MultiheadAttention in both libraries: torch's weights loaded into ours."""
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(8, 2, **kwargs)
    ours = nn.MultiheadAttention(8, 2, **kwargs)
    if dtype == "float64":
        theirs.double()
        ours.double()
    state = theirs.state_dict()
    ours.load_state_dict({k: gg.tensor(v.numpy()) for k, v in state.items()})
    assert list(ours.state_dict()) == list(state)
    assert repr(ours) == repr(theirs)
    return ours, theirs


MHA_CASES = {
    "self-attention": (dict(), dict()),
    "batch_first": (dict(batch_first=True), dict()),
    "no bias": (dict(bias=False), dict()),
    "kdim vdim": (dict(kdim=5, vdim=3), dict()),
    "bias_kv zero_attn": (dict(add_bias_kv=True, add_zero_attn=True), dict(kpm="bool", mask="bool")),
    "causal float mask": (dict(), dict(mask="causal", is_causal=True)),
    "bool masks": (dict(), dict(kpm="bool", mask="bool")),
    "float masks per head": (dict(), dict(kpm="float", mask="float3d")),
    "heads not averaged": (dict(), dict(average_attn_weights=False, kpm="bool")),
    "no weights": (dict(), dict(need_weights=False, mask="bool")),
    "unbatched": (dict(), dict(unbatched=True, kpm="bool")),
}


def mha_inputs(kwargs, call, dtype):
    L, N, E = 4, 3, 8
    S = L if call.get("is_causal") else 5
    kdim, vdim = kwargs.get("kdim", E), kwargs.get("vdim", E)
    shapes = [(L, N, E), (S, N, kdim), (S, N, vdim)]
    if call.get("unbatched"):
        shapes = [(s[0], s[2]) for s in shapes]
    elif kwargs.get("batch_first"):
        shapes = [(s[1], s[0], s[2]) for s in shapes]
    values = arrays(*shapes, dtype=dtype)
    rng = np.random.default_rng(3)
    masks = {}
    kpm = call.get("kpm")
    kpm_shape = (S,) if call.get("unbatched") else (N, S)
    if kpm == "bool":
        m = rng.random(kpm_shape) < 0.3
        m[..., 0] = False  # every sequence keeps a key
        masks["key_padding_mask"] = m
    elif kpm == "float":
        masks["key_padding_mask"] = rng.standard_normal(kpm_shape).astype(dtype)
    mask = call.get("mask")
    if mask == "bool":
        m = rng.random((L, S)) < 0.3
        m[:, 0] = False
        masks["attn_mask"] = m
    elif mask == "float3d":
        masks["attn_mask"] = rng.standard_normal((N * 2, L, S)).astype(dtype)
    elif mask == "causal":
        masks["attn_mask"] = np.triu(np.full((L, L), -np.inf), 1).astype(dtype)
    return values, masks


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", MHA_CASES)
def test_multihead_attention_matches_torch(case, dtype):
    kwargs, call = MHA_CASES[case]
    ours, theirs = mha_pair(dtype, **kwargs)
    values, masks = mha_inputs(kwargs, call, dtype)
    options = {k: v for k, v in call.items() if k in ("need_weights", "average_attn_weights", "is_causal")}
    if case == "self-attention":  # the same tensor as query, key and value
        values = values[:1]
    ins_g, ins_t = both(values)
    mg = {k: gg.tensor(v) for k, v in masks.items()}
    mt = {k: torch.tensor(v) for k, v in masks.items()}
    args_g = ins_g * 3 if len(ins_g) == 1 else ins_g
    args_t = ins_t * 3 if len(ins_t) == 1 else ins_t
    out_g, w_g = ours(*args_g, **mg, **options)
    out_t, w_t = theirs(*args_t, **mt, **options)
    t = tol(dtype, 8 * 8)
    check(out_g, out_t, **t)
    if options.get("need_weights", True):
        check(w_g, w_t, **t)
    else:
        assert w_g is None and w_t is None
    up = arrays(tuple(out_t.shape), seed=9, dtype=dtype)[0]
    loss_g = (out_g * gg.tensor(up)).sum() + (w_g.sum() * 0.5 if w_g is not None else 0)
    loss_t = (out_t * torch.tensor(up)).sum() + (w_t.sum() * 0.5 if w_t is not None else 0)
    loss_g.backward()
    loss_t.backward()
    for a, b in zip(ins_g, ins_t):
        check(a.grad, b.grad, **tol(dtype, 3 * 8 * 8))
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        check(p.grad, grads_t[name].grad, **tol(dtype, 3 * 8 * 8))


def test_multihead_attention_state_dict_round_trip():
    theirs = torch.nn.MultiheadAttention(6, 3, add_bias_kv=True, kdim=4, vdim=5)
    ours = nn.MultiheadAttention(6, 3, add_bias_kv=True, kdim=4, vdim=5)
    keys = ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k",
            "bias_v", "out_proj.weight", "out_proj.bias"]
    assert list(theirs.state_dict()) == keys == list(ours.state_dict())
    for k, v in ours.state_dict().items():
        assert tuple(v.shape) == tuple(theirs.state_dict()[k].shape), k
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    again = nn.MultiheadAttention(6, 3, add_bias_kv=True, kdim=4, vdim=5)
    again.load_state_dict({k: gg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for k, v in again.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ours.state_dict()[k].numpy())


def test_multihead_attention_starts_as_torch_does():
    """Xavier-uniform in_proj_weight (bound sqrt(6 / (E + 3E))), zero biases."""
    mha = nn.MultiheadAttention(16, 4)
    bound = np.sqrt(6 / (16 + 48))
    w = mha.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert not mha.in_proj_bias.detach().numpy().any() and not mha.out_proj.bias.detach().numpy().any()


def test_multihead_attention_dropout_only_in_training():
    gg.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5).double()
    x = gg.tensor(arrays((4, 2, 8))[0])
    mha.eval()
    a, _ = mha(x, x, x)
    b, _ = mha(x, x, x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    mha.train()
    c, weights = mha(x, x, x, average_attn_weights=False)
    assert not np.allclose(a.detach().numpy(), c.detach().numpy())
    # a dropped weight is 0, a kept one is doubled (p = 0.5): some zeros in every case
    assert (weights.detach().numpy() == 0).any()


@pytest.mark.parametrize("call, message", [
    (lambda m, x: m(x, x, x, is_causal=True), "give attn_mask too"),
    (lambda m, x: m(x, x, x, attn_mask=gg.zeros(3, 3)), "attn_mask must be a tensor of shape"),
    (lambda m, x: m(x, x, x, key_padding_mask=gg.zeros(4, 2, dtype=gg.bool)), "key_padding_mask"),
    (lambda m, x: m(x, x[..., :4], x), "key must have 8 features"),
])
def test_multihead_attention_refuses_bad_input(call, message):
    mha = nn.MultiheadAttention(8, 2)
    with pytest.raises(ValueError, match=message):
        call(mha, gg.randn(4, 2, 8))


def test_multihead_attention_refuses_indivisible_heads():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(10, 3)


def test_a_trace_shows_each_step_of_attention():
    """No fused attention op: the trace lists the formula's steps, in order."""
    from glassgrad import explain

    q = gg.randn(3, 2, requires_grad=True)
    with explain.trace() as t:
        F.scaled_dot_product_attention(q, q, q, is_causal=True).sum().backward()
    assert [n.label for n in t.nodes] == ["transpose", "matmul", "mul", "masked_fill", "softmax",
                                          "matmul", "sum"]


@pytest.mark.parametrize("separate", [False, True])
def test_functional_multi_head_attention_forward_matches_torch(separate):
    """F.multi_head_attention_forward with the weights passed in (sequence first)."""
    kwargs = dict(kdim=5, vdim=3) if separate else {}
    ours, theirs = mha_pair("float64", add_bias_kv=True, **kwargs)
    values, masks = mha_inputs(kwargs, dict(kpm="bool"), "float64")
    ins_g, ins_t = both(values)

    def params(m, lib):
        return dict(embed_dim_to_check=8, num_heads=2, in_proj_weight=m.in_proj_weight,
                    in_proj_bias=m.in_proj_bias, bias_k=m.bias_k, bias_v=m.bias_v,
                    add_zero_attn=False, dropout_p=0.0, out_proj_weight=m.out_proj.weight,
                    out_proj_bias=m.out_proj.bias, use_separate_proj_weight=separate,
                    q_proj_weight=m.q_proj_weight, k_proj_weight=m.k_proj_weight,
                    v_proj_weight=m.v_proj_weight, average_attn_weights=False,
                    key_padding_mask=lib.tensor(masks["key_padding_mask"]))
    out_g, w_g = F.multi_head_attention_forward(*ins_g, **params(ours, gg))
    out_t, w_t = torch.nn.functional.multi_head_attention_forward(*ins_t, **params(theirs, torch))
    check(out_g, out_t, rtol=1e-10, atol=1e-12)
    check(w_g, w_t, rtol=1e-10, atol=1e-12)
    (out_g.sum() + w_g.sum()).backward()
    (out_t.sum() + w_t.sum()).backward()
    for a, b in zip(ins_g, ins_t):
        check(a.grad, b.grad, rtol=1e-9, atol=1e-11)
