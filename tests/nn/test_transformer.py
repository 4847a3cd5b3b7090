"""The nn.Transformer family against torch's, from the same weights (torch's state dict
loaded into ours, which also checks that the keys and shapes are torch's): outputs and the
gradients of the inputs and of every parameter, in eval mode and in train mode with
dropout 0, float64 (tight) and float32 (tolerance grown with the terms summed)."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")
pytestmark = [  # torch's advice about its own speed paths, not about the results
    pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning"),
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning"),
]

D, H, FF = 8, 2, 16  # d_model, heads, feed-forward width


def twins(make, dtype):
    torch.manual_seed(0)
    theirs = make(torch.nn)
    ours = make(nn)
    if dtype == "float64":
        theirs.double()
        ours.double()
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict({k: gg.tensor(v.numpy()) for k, v in state.items()})
    assert repr(ours) == repr(theirs)
    return ours, theirs


def arrays(*shapes, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def tol(dtype, terms):
    if dtype == "float64":
        return dict(rtol=1e-9, atol=1e-11)
    return dict(rtol=1e-4, atol=terms * 8 * np.finfo(np.float32).eps)


def compare(ours, theirs, inputs, kwargs_g, kwargs_t, dtype, terms):
    ins_g = [gg.tensor(a, requires_grad=True) for a in inputs]
    ins_t = [torch.tensor(a, requires_grad=True) for a in inputs]
    out_g = ours(*ins_g, **kwargs_g)
    out_t = theirs(*ins_t, **kwargs_t)
    np.testing.assert_allclose(out_g.array, out_t.detach().numpy(), **tol(dtype, terms))
    up = arrays(tuple(out_t.shape), seed=7, dtype=dtype)[0]
    out_g.backward(gg.tensor(up))
    out_t.backward(torch.tensor(up))
    for a, b in zip(ins_g, ins_t):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), **tol(dtype, 4 * terms))
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad is not None, name
        np.testing.assert_allclose(p.grad.array, grads[name].grad.numpy(), **tol(dtype, 4 * terms),
                                   err_msg=name)


def masks(S, N, kind, dtype, lib):
    """The masks of one call, in ``lib`` (gg or torch)."""
    rng = np.random.default_rng(4)
    out = {}
    if kind in ("causal", "both"):
        out["causal"] = np.triu(np.full((S, S), -np.inf), 1).astype(dtype)
    if kind in ("padding", "both"):
        pad = rng.random((N, S)) < 0.3
        pad[:, 0] = False
        out["padding"] = pad
    make = gg.tensor if lib is gg else torch.tensor
    return {k: make(v) for k, v in out.items()}


LAYER_CASES = {
    "relu post-norm": dict(),
    "gelu pre-norm": dict(activation="gelu", norm_first=True),
    "batch_first": dict(batch_first=True),
    "callable activation, no bias": dict(activation="tanh", bias=False),
    "layer_norm_eps": dict(layer_norm_eps=1e-3),
}


def with_activation(kwargs, lib):
    if kwargs.get("activation") == "tanh":  # a callable: the same function in each library
        return dict(kwargs, activation=lib.tanh)
    return kwargs


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("mask", ["none", "causal", "both"])
@pytest.mark.parametrize("case", LAYER_CASES)
def test_encoder_layer_matches_torch(case, mask, dtype, mode):
    kwargs = dict(LAYER_CASES[case])
    ours, theirs = twins(lambda lib: lib.TransformerEncoderLayer(
        D, H, FF, dropout=0.0, **with_activation(kwargs, gg if lib is nn else torch)), dtype)
    getattr(ours, mode)()
    getattr(theirs, mode)()
    S, N = 5, 3
    shape = (N, S, D) if kwargs.get("batch_first") else (S, N, D)
    (src,) = arrays(shape, dtype=dtype)
    mg, mt = masks(S, N, mask, dtype, gg), masks(S, N, mask, dtype, torch)
    call = lambda m: dict(src_mask=m.get("causal"), src_key_padding_mask=m.get("padding"))
    compare(ours, theirs, [src], call(mg), call(mt), dtype, D * FF)


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", ["relu post-norm", "gelu pre-norm", "batch_first"])
def test_decoder_layer_matches_torch(case, dtype, mode):
    kwargs = dict(LAYER_CASES[case])
    ours, theirs = twins(lambda lib: lib.TransformerDecoderLayer(D, H, FF, dropout=0.0, **kwargs), dtype)
    getattr(ours, mode)()
    getattr(theirs, mode)()
    T, S, N = 4, 6, 2
    bf = kwargs.get("batch_first")
    tgt, memory = arrays((N, T, D) if bf else (T, N, D), (N, S, D) if bf else (S, N, D), dtype=dtype)
    rng = np.random.default_rng(5)
    pad = rng.random((N, S)) < 0.3
    pad[:, 0] = False
    causal = np.triu(np.full((T, T), -np.inf), 1).astype(dtype)

    def call(make):
        return dict(tgt_mask=make(causal), memory_key_padding_mask=make(pad), tgt_is_causal=True)
    compare(ours, theirs, [tgt, memory], call(gg.tensor), call(torch.tensor), dtype, D * FF)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_encoder_stack_matches_torch(dtype):
    def make(lib):
        layer = lib.TransformerEncoderLayer(D, H, FF, dropout=0.0)
        return lib.TransformerEncoder(layer, 3, norm=lib.LayerNorm(D), enable_nested_tensor=False)
    ours, theirs = twins(make, dtype)
    # the copies start equal and are separate parameters
    assert ours.layers[0].linear1.weight is not ours.layers[1].linear1.weight
    (src,) = arrays((5, 2, D), dtype=dtype)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    mask_t = torch.nn.Transformer.generate_square_subsequent_mask(5)
    np.testing.assert_array_equal(mask.numpy(), mask_t.numpy())
    if dtype == "float64":
        mask, mask_t = mask.double(), mask_t.double()
    compare(ours, theirs, [src], dict(mask=mask), dict(mask=mask_t), dtype, 3 * D * FF)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(dtype, batch_first):
    make = lambda lib: lib.Transformer(D, H, 2, 2, FF, dropout=0.0, batch_first=batch_first)
    ours, theirs = twins(make, dtype)
    ours.train()
    theirs.train()
    S, T, N = 6, 4, 2
    src, tgt = arrays((N, S, D) if batch_first else (S, N, D),
                      (N, T, D) if batch_first else (T, N, D), dtype=dtype)
    rng = np.random.default_rng(6)
    src_pad = rng.random((N, S)) < 0.3
    src_pad[:, 0] = False
    tgt_mask = np.triu(np.full((T, T), -np.inf), 1).astype(dtype)

    def call(make):
        return dict(tgt_mask=make(tgt_mask), src_key_padding_mask=make(src_pad),
                    memory_key_padding_mask=make(src_pad))
    compare(ours, theirs, [src, tgt], call(gg.tensor), call(torch.tensor), dtype, 4 * D * FF)


def test_transformer_state_dict_keys_and_start():
    """torch's keys, in torch's order; every matrix Xavier-uniform (within its bound)."""
    ours, theirs = nn.Transformer(D, H, 1, 1, FF), torch.nn.Transformer(D, H, 1, 1, FF)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in ours.state_dict().items():
        assert tuple(value.shape) == tuple(theirs.state_dict()[key].shape), key
        if value.ndim == 2:
            bound = np.sqrt(6 / sum(value.shape))
            assert np.abs(value.numpy()).max() <= bound, key
    assert "encoder.layers.0.self_attn.in_proj_weight" in ours.state_dict()
    assert "decoder.layers.0.multihead_attn.out_proj.bias" in ours.state_dict()


def test_square_subsequent_mask():
    mask = nn.Transformer.generate_square_subsequent_mask(3).numpy()
    inf = np.inf
    np.testing.assert_array_equal(mask, [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]])
    assert mask.dtype == np.float32


def test_transformer_dropout_is_active_in_training_only():
    gg.manual_seed(0)
    model = nn.TransformerEncoderLayer(D, H, FF, dropout=0.5).double()
    (x,) = arrays((4, 2, D))
    x = gg.tensor(x)
    model.eval()
    a, b = model(x), model(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    model.train()
    assert not np.allclose(model(x).detach().numpy(), a.detach().numpy())


@pytest.mark.parametrize("make, message", [
    (lambda: nn.TransformerEncoderLayer(D, H, activation="swish"), "activation should be"),
    (lambda: nn.TransformerEncoderLayer(D, 3), "divisible by num_heads"),
    (lambda: nn.Transformer(D, H, 1, 1, FF)(gg.zeros(3, 2, D), gg.zeros(3, 4, D)), "batch number"),
    (lambda: nn.Transformer(D, H, 1, 1, FF)(gg.zeros(3, 2, 4), gg.zeros(3, 2, 4)), "d_model=8"),
])
def test_transformer_refuses_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_transformer_takes_unbatched_sequences():
    """src (S, d_model), tgt (T, d_model): one pair of sequences, no batch dim."""
    ours, theirs = twins(lambda lib: lib.Transformer(D, H, 1, 1, FF, dropout=0.0), "float64")
    src, tgt = arrays((5, D), (3, D))
    causal = np.triu(np.full((3, 3), -np.inf), 1)
    compare(ours, theirs, [src, tgt], dict(tgt_mask=gg.tensor(causal)),
            dict(tgt_mask=torch.tensor(causal)), "float64", 2 * D * FF)
