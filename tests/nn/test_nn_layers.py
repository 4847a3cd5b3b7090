"""Layers and activation modules against their torch.nn twins from identical weights:
forward values and the gradients of input and every parameter, float64 and float32."""

import warnings

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from nn_helpers import assert_close, compare_with_torch, randn, twins

torch = pytest.importorskip("torch")
tnn = torch.nn

DTYPES = ["float64", "float32"]


# ---------------------------------------------------------------- Linear
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 7), (2, 3, 7), (7,)], ids=["batch", "3d", "single"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(dtype, shape, bias):
    compare_with_torch(lambda lib: lib.Linear(7, 4, bias=bias), randn(*shape), dtype)


def test_linear_init_is_uniform_with_bound_one_over_sqrt_fan_in():
    layer = nn.Linear(1000, 400)
    bound = 1 / np.sqrt(1000)
    for values in (layer.weight.array, layer.bias.array):
        assert np.abs(values).max() <= bound
    assert np.abs(layer.weight.array).max() > bound * 0.999
    assert layer.weight.array.std() == pytest.approx(bound / np.sqrt(3), rel=0.01)  # 400,000 draws
    assert layer.weight.shape == (400, 1000) and layer.bias.shape == (400,)
    assert layer.weight.dtype == np.float32


def test_linear_dtype_argument_and_default_dtype():
    assert nn.Linear(2, 3, dtype=gg.float64).weight.dtype == np.float64
    gg.set_default_dtype(gg.float64)
    assert nn.Linear(2, 3).bias.dtype == np.float64


def test_linear_refuses_wrong_width_and_dtype_with_clear_messages():
    layer = nn.Linear(784, 10)
    with pytest.raises(ValueError, match=r"in_features=784.*shape \(32, 785\)"):
        layer(gg.zeros(32, 785))
    with pytest.raises(TypeError, match="float32 parameters but the input is float64"):
        layer(gg.zeros(2, 784, dtype=gg.float64))
    with pytest.raises(TypeError, match="expects a glassgrad Tensor"):
        layer(np.zeros((2, 784), np.float32))
    with pytest.raises(ValueError, match="in_features must be an integer"):
        nn.Linear(-1, 3)


# ---------------------------------------------------------------- Conv2d and pooling
CONVS = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=3, out_channels=2, kernel_size=(3, 2), stride=2, padding=1),
    dict(in_channels=3, out_channels=5, kernel_size=3, padding="same", dilation=2, bias=False),
    dict(in_channels=3, out_channels=2, kernel_size=2, stride=(1, 2), padding=(2, 0), dilation=(1, 2)),
    dict(in_channels=3, out_channels=2, kernel_size=1, padding="valid"),
    dict(in_channels=3, out_channels=6, kernel_size=3, groups=3, padding=1),  # depthwise x2
    dict(in_channels=3, out_channels=4, kernel_size=3, padding=2, padding_mode="reflect"),
    dict(in_channels=3, out_channels=3, kernel_size=(3, 2), padding="same", groups=3,
         padding_mode="circular"),
    dict(in_channels=3, out_channels=2, kernel_size=3, stride=2, padding=(1, 3),
         padding_mode="replicate"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("config", CONVS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items() if k not in ("in_channels",)))
def test_conv2d_matches_torch(dtype, config):
    compare_with_torch(lambda lib: lib.Conv2d(**config), randn(2, 3, 9, 8), dtype)


def test_conv2d_unbatched_input():
    compare_with_torch(lambda lib: lib.Conv2d(3, 2, 3), randn(3, 6, 5), "float64")


def test_conv2d_init_bound_uses_fan_in_of_channels_times_kernel():
    layer = nn.Conv2d(16, 300, 5)
    bound = 1 / np.sqrt(16 * 25)
    assert layer.weight.shape == (300, 16, 5, 5)
    assert np.abs(layer.weight.array).max() <= bound and np.abs(layer.weight.array).max() > 0.999 * bound
    assert layer.weight.array.std() == pytest.approx(bound / np.sqrt(3), rel=0.01)  # 120,000 draws
    assert np.abs(layer.bias.array).max() <= bound


def test_conv2d_refuses_bad_input_and_arguments():
    layer = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*shape \(2, 1, 8, 8\)"):
        layer(gg.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"in_channels \(4\) and out_channels \(6\) must both be divisible by groups \(4\)"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', got 'mirror'"):
        nn.Conv2d(4, 4, 3, padding_mode="mirror")


POOLS = [
    lambda lib: lib.MaxPool2d(2),
    lambda lib: lib.MaxPool2d(3, stride=2, padding=1),
    lambda lib: lib.MaxPool2d((2, 3), stride=1, dilation=(2, 1), ceil_mode=True),
    lambda lib: lib.AvgPool2d(2),
    lambda lib: lib.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    lambda lib: lib.AvgPool2d((2, 3), stride=(2, 1), ceil_mode=True),
    lambda lib: lib.AvgPool2d(2, divisor_override=3),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make", POOLS, ids=lambda f: "pool")
def test_pooling_matches_torch(dtype, make):
    compare_with_torch(make, randn(2, 3, 9, 8), dtype)


def test_max_pool_return_indices_match_torch():
    x = randn(1, 2, 6, 6)
    ours = nn.MaxPool2d(2, return_indices=True)(gg.tensor(x))
    theirs = tnn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    assert_close(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1].array, theirs[1].numpy())


# ---------------------------------------------------------------- Flatten, Identity
@pytest.mark.parametrize("dims", [(), (0,), (1, 2), (2, -1), (-3, -2)])
def test_flatten_matches_torch(dims):
    compare_with_torch(lambda lib: lib.Flatten(*dims), randn(2, 3, 4, 5), "float64")


def test_identity_returns_its_input():
    x = gg.randn(3)
    assert nn.Identity(54, unused="x")(x) is x


# ---------------------------------------------------------------- Dropout
def test_dropout_in_eval_mode_is_the_identity():
    layer = nn.Dropout(0.5).eval()
    x = gg.randn(100, 100)
    assert np.array_equal(layer(x).array, x.array)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_in_training_zeroes_a_fraction_p_and_scales_the_rest(p):
    layer = nn.Dropout(p)
    x = gg.tensor(np.random.default_rng(0).uniform(1, 2, (200, 500)), requires_grad=True)
    y = layer(x)
    dropped = y.array == 0
    # 100,000 Bernoulli(p) draws: the fraction has standard error sqrt(p(1-p)/n) <= 0.0016.
    assert dropped.mean() == pytest.approx(p, abs=0.01)
    np.testing.assert_allclose(y.array[~dropped], x.array[~dropped] / (1 - p), rtol=1e-12)
    y.sum().backward()  # dy/dx: the same mask, scaled by 1/(1-p)
    np.testing.assert_allclose(x.grad.array, np.where(dropped, 0.0, 1 / (1 - p)), rtol=1e-12)


def test_dropout_follows_train_and_eval_of_its_model():
    model = nn.Sequential(nn.Linear(50, 50), nn.Dropout(0.5), nn.ReLU())
    x = gg.ones(4, 50)
    model.eval()
    a, b = model(x).array, model(x).array
    np.testing.assert_array_equal(a, b)  # deterministic
    model.train()
    c, d = model(x).array, model(x).array
    assert not np.array_equal(c, d)  # a fresh mask each call
    assert np.any((c == 0) & (a != 0))


def test_dropout_reproducible_with_manual_seed_and_edge_probabilities():
    x = gg.ones(10, 10)
    gg.manual_seed(3)
    a = nn.Dropout(0.3)(x).array
    gg.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.3)(x).array, a)
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).array, x.array)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).array, np.zeros((10, 10)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


# ---------------------------------------------------------------- activations
ACTIVATIONS = [
    lambda lib: lib.ReLU(),
    lambda lib: lib.LeakyReLU(),
    lambda lib: lib.LeakyReLU(0.2),
    lambda lib: lib.Tanh(),
    lambda lib: lib.Sigmoid(),
    lambda lib: lib.Softplus(),
    lambda lib: lib.Softplus(beta=2.0, threshold=3.0),
    lambda lib: lib.Softmax(dim=1),
    lambda lib: lib.Softmax(dim=0),
    lambda lib: lib.LogSoftmax(dim=1),
    lambda lib: lib.LogSoftmax(dim=-1),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make", ACTIVATIONS, ids=lambda f: "act")
def test_activation_modules_match_torch(dtype, make):
    x = randn(4, 6, 3) * 3
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU's kink out of the way
    compare_with_torch(make, x, dtype)


@pytest.mark.parametrize("ndim, legacy_dim", [(1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_without_dim_warns_and_uses_torchs_legacy_dim(ndim, legacy_dim):
    x = randn(*([3] * ndim))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = nn.Softmax()(gg.tensor(x))
    assert any("Implicit dimension" in str(w.message) for w in caught)
    expected = torch.softmax(torch.tensor(x), dim=legacy_dim)
    assert_close(out, expected)


# ---------------------------------------------------------------- whole models
def _cnn(lib):
    return lib.Sequential(
        lib.Conv2d(1, 4, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(4, 6, 3), lib.Tanh(), lib.AvgPool2d(2),
        lib.Flatten(), lib.Dropout(0.3), lib.Linear(6 * 2 * 2, 10), lib.LogSoftmax(dim=1),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_small_cnn_matches_torch_in_eval_mode(dtype):
    compare_with_torch(_cnn, randn(3, 1, 12, 12), dtype, training=False)


def _seed_001_mlp(lib):
    return lib.Sequential(lib.Linear(4, 4), lib.Tanh(), lib.Linear(4, 3), lib.Tanh(), lib.Linear(3, 3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_matches_torch_over_several_sgd_steps(dtype):
    ours, theirs = twins(_seed_001_mlp, dtype)
    rng = np.random.default_rng(2)
    for step in range(5):
        x, y = rng.standard_normal((8, 4)).astype(dtype), rng.standard_normal((8, 3)).astype(dtype)
        diff = ours(gg.tensor(x)) - gg.tensor(y)
        loss_ours = (diff * diff).sum()
        out = theirs(torch.tensor(x))
        loss_theirs = ((out - torch.tensor(y)) ** 2).sum()
        ours.zero_grad()
        theirs.zero_grad()
        loss_ours.backward()
        loss_theirs.backward()
        assert_close(loss_ours, loss_theirs, dtype)
        with gg.no_grad(), torch.no_grad():
            for p, q in zip(ours.parameters(), theirs.parameters()):
                p.array -= 0.05 * p.grad.array
                q -= 0.05 * q.grad
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(p, q, dtype)
