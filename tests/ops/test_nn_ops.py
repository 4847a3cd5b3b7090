"""The nn ops beyond the op table (tests/ops/table_nn.py holds the plain torch/gradcheck
rows): dropout, the y_hat - y gradient written out by hand, PyTorch's tie and NaN rules,
conv chains through the channels-last layout, float32 on larger shapes, and every error.

Expected values come from PyTorch, from finite differences, or from a derivation written
in the test itself.
"""

import numpy as np
import pytest

import glassgrad
import glassgrad.nn.functional as F
from glassgrad.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL = {"float64": 1e-7, "float32": 1e-4}


def _pair(array, requires_grad=True):
    """The same values as a glassgrad tensor and a torch tensor."""
    g = glassgrad.tensor(array, requires_grad=requires_grad)
    t = torch.tensor(array, requires_grad=requires_grad)
    return g, t


def _assert_close(actual, expected, dtype, what=""):
    """Relative tolerance per dtype, with an absolute floor scaled by the magnitude of the
    values: float32 sums of many terms carry absolute rounding errors near zero."""
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    actual = actual.array if isinstance(actual, glassgrad.Tensor) else actual
    scale = float(np.abs(expected).max()) if expected.size else 1.0
    atol = RTOL[dtype] * 1e-2 * scale if dtype == "float64" else 1e-5 * scale
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=atol, err_msg=what)


# =========================================================================== dropout
class TestDropout:
    def test_kept_values_are_scaled_and_dropped_are_zero(self):
        x = glassgrad.tensor(np.random.default_rng(1).uniform(1, 2, (200, 50)))
        y = F.dropout(x, p=0.3).array
        kept = y != 0
        np.testing.assert_allclose(y[kept], x.array[kept] / 0.7, rtol=1e-15)

    def test_mask_statistics(self):
        # 100,000 Bernoulli(0.7) draws: the kept fraction has std sqrt(.21/1e5) = 0.0014,
        # so 0.7 +- 0.01 is a 7-sigma band; the mean of the output stays that of the input.
        x = glassgrad.ones(100_000, dtype=glassgrad.float64)
        y = F.dropout(x, p=0.3).array
        assert abs((y != 0).mean() - 0.7) < 0.01
        assert abs(y.mean() - 1.0) < 0.015  # E[y] = E[x]: inverted dropout

    def test_backward_is_the_same_scaled_mask(self):
        rng = np.random.default_rng(2)
        x = glassgrad.tensor(rng.uniform(1, 2, (30, 40)), requires_grad=True)
        y = F.dropout(x, p=0.4)
        upstream = rng.standard_normal((30, 40))
        y.backward(glassgrad.tensor(upstream))
        mask_times_scale = y.array / x.array  # 0 or 1/(1-p), read off the forward
        np.testing.assert_allclose(x.grad.array, upstream * mask_times_scale, rtol=1e-12)
        assert set(np.unique(np.round(mask_times_scale, 12))) <= {0.0, round(1 / 0.6, 12)}

    def test_training_false_is_identity(self):
        x = glassgrad.randn(5, 6, requires_grad=True)
        assert F.dropout(x, p=0.5, training=False) is x

    def test_p_zero_is_identity(self):
        x = glassgrad.randn(5, 6, requires_grad=True)
        np.testing.assert_array_equal(F.dropout(x, p=0.0).array, x.array)

    def test_p_one_gives_zeros_and_zero_gradient(self):
        x = glassgrad.randn(5, 6, requires_grad=True)
        y = F.dropout(x, p=1.0)
        assert not np.isnan(y.array).any()
        np.testing.assert_array_equal(y.array, np.zeros((5, 6), np.float32))
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.array, np.zeros((5, 6), np.float32))

    def test_seeded_runs_are_identical_and_seeds_differ(self):
        x = glassgrad.ones(1000)
        glassgrad.manual_seed(7)
        a = F.dropout(x).array
        glassgrad.manual_seed(7)
        b = F.dropout(x).array
        glassgrad.manual_seed(8)
        c = F.dropout(x).array
        np.testing.assert_array_equal(a, b)
        assert (a != c).any()

    def test_restoring_the_rng_state_repeats_the_mask(self):
        # what glassgrad.utils.checkpoint relies on: the mask comes from the global generator
        x = glassgrad.ones(500)
        state = glassgrad.get_rng_state()
        a = F.dropout(x).array
        glassgrad.set_rng_state(state)
        b = F.dropout(x).array
        np.testing.assert_array_equal(a, b)

    def test_float32_stays_float32(self):
        x = glassgrad.randn(4, 4, requires_grad=True)
        y = F.dropout(x, p=0.2)
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32

    def test_gradcheck(self):
        # gradcheck restores the RNG state before each call, so every call sees one mask
        x = glassgrad.tensor(np.random.default_rng(3).standard_normal((4, 5)), requires_grad=True)
        assert gradcheck(lambda t: F.dropout(t, p=0.35), (x,))

    @pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "0.5", True])
    def test_bad_p(self, p):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(glassgrad.ones(3), p=p)

    def test_integer_input_refused(self):
        with pytest.raises(TypeError, match="floating-point"):
            F.dropout(glassgrad.tensor([1, 2, 3]), p=0.5)


# =========================================================================== softmax
class TestSoftmax:
    def test_method_and_top_level_agree_with_torch(self):
        a = np.random.default_rng(4).standard_normal((3, 4))
        g, t = _pair(a)
        _assert_close(g.softmax(0), torch.softmax(t, 0), "float64")
        _assert_close(glassgrad.softmax(g, dim=1), torch.softmax(t, 1), "float64")
        _assert_close(g.log_softmax(-1), torch.log_softmax(t, -1), "float64")

    def test_hand_derivation_of_the_backward(self):
        # y = softmax(x); for L = sum_i c_i y_i: dL/dx_j = y_j (c_j - sum_i c_i y_i)
        x = np.array([1.0, 2.0, 0.5])
        c = np.array([0.3, -1.0, 2.0])
        y = np.exp(x) / np.exp(x).sum()
        expected = y * (c - (c * y).sum())
        g = glassgrad.tensor(x, requires_grad=True)
        (F.softmax(g, dim=0) * glassgrad.tensor(c)).sum().backward()
        np.testing.assert_allclose(g.grad.array, expected, rtol=1e-12)

    def test_no_overflow_on_huge_logits(self):
        g = glassgrad.tensor([[1000.0, 0.0, -1000.0]], dtype=glassgrad.float64)
        np.testing.assert_allclose(F.softmax(g, 1).array, [[1.0, 0.0, 0.0]], atol=1e-300)
        np.testing.assert_allclose(F.log_softmax(g, 1).array, [[0.0, -1000.0, -2000.0]])

    def test_dim_is_required_and_checked(self):
        x = glassgrad.randn(2, 3)
        with pytest.raises(TypeError, match="needs dim"):
            F.softmax(x)
        with pytest.raises(IndexError, match=r"dim 2 is out of range.*\[-2, 1\]"):
            F.log_softmax(x, 2)

    def test_integer_input_refused(self):
        with pytest.raises(TypeError, match="floating-point"):
            F.softmax(glassgrad.tensor([1, 2]), 0)


# =========================================================================== cross-entropy
class TestCrossEntropy:
    def test_gradient_is_y_hat_minus_y_over_n(self):
        # the seeds' result (001): for softmax + cross-entropy, dL/dz = (y_hat - y) / N
        rng = np.random.default_rng(5)
        z = rng.standard_normal((4, 3))
        y = np.array([2, 0, 1, 2])
        y_hat = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        onehot = np.eye(3)[y]
        zt = glassgrad.tensor(z, requires_grad=True)
        loss = F.cross_entropy(zt, glassgrad.tensor(y))
        np.testing.assert_allclose(loss.item(), -np.log(y_hat[np.arange(4), y]).mean(), rtol=1e-12)
        loss.backward()
        np.testing.assert_allclose(zt.grad.array, (y_hat - onehot) / 4, rtol=1e-12, atol=1e-16)

    def test_equals_nll_of_log_softmax(self):
        rng = np.random.default_rng(6)
        z = rng.standard_normal((5, 4))
        y = glassgrad.tensor(rng.integers(0, 4, 5))
        a = glassgrad.tensor(z, requires_grad=True)
        b = glassgrad.tensor(z, requires_grad=True)
        F.cross_entropy(a, y).backward()
        F.nll_loss(F.log_softmax(b, 1), y).backward()
        np.testing.assert_allclose(a.grad.array, b.grad.array, rtol=1e-12, atol=1e-16)

    @pytest.mark.parametrize("dtype", ["float64", "float32"])
    @pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
    @pytest.mark.parametrize("smoothing", [0.0, 0.15])
    def test_large_batch_vs_torch(self, dtype, reduction, smoothing):
        rng = np.random.default_rng(7)
        z = (3 * rng.standard_normal((256, 10))).astype(dtype)
        y = rng.integers(0, 10, 256)
        y[::7] = -100
        w = rng.uniform(0.5, 2, 10).astype(dtype)
        g, t = _pair(z)
        kwargs = dict(reduction=reduction, label_smoothing=smoothing)
        out_g = F.cross_entropy(g, glassgrad.tensor(y), glassgrad.tensor(w), **kwargs)
        out_t = TF.cross_entropy(t, torch.tensor(y), torch.tensor(w), **kwargs)
        _assert_close(out_g, out_t, dtype, "loss")
        up = rng.standard_normal(out_t.shape).astype(dtype)
        out_g.backward(glassgrad.tensor(up))
        out_t.backward(torch.tensor(up))
        _assert_close(g.grad, t.grad, dtype, "grad")
        assert out_g.dtype == np.dtype(dtype) and g.grad.dtype == np.dtype(dtype)

    def test_probability_target_gradient_vs_torch(self):
        rng = np.random.default_rng(8)
        z = rng.standard_normal((5, 3))
        p = rng.dirichlet(np.ones(3), 5)
        gz, tz = _pair(z)
        gp, tp = _pair(p)
        F.cross_entropy(gz, gp, label_smoothing=0.2).backward()
        TF.cross_entropy(tz, tp, label_smoothing=0.2).backward()
        _assert_close(gz.grad, tz.grad, "float64", "d input")
        _assert_close(gp.grad, tp.grad, "float64", "d target")

    def test_all_targets_ignored_gives_nan_like_torch(self):
        z = np.zeros((3, 2))
        y = np.full(3, -100)
        ours = F.cross_entropy(glassgrad.tensor(z), glassgrad.tensor(y)).item()
        theirs = TF.cross_entropy(torch.tensor(z), torch.tensor(y)).item()
        assert np.isnan(ours) and np.isnan(theirs)

    def test_target_out_of_range_names_value_and_classes(self):
        z = glassgrad.randn(3, 4, requires_grad=True)
        with pytest.raises(IndexError, match=r"target 7 is out of bounds.*4 classes.*\[0, 3\]"):
            F.cross_entropy(z, glassgrad.tensor([0, 7, 1]))
        with pytest.raises(IndexError, match="target -1 is out of bounds"):
            F.nll_loss(z, glassgrad.tensor([0, -1, 1]))
        assert z.grad is None

    def test_float_class_labels_get_a_clear_error(self):
        z = glassgrad.randn(3, 4)
        with pytest.raises(TypeError, match=r"dtype float32 and shape \(3,\).*integer.*long\(\)"):
            F.cross_entropy(z, glassgrad.tensor([0.0, 1.0, 2.0]))
        with pytest.raises(TypeError, match="dtype bool"):
            F.nll_loss(z, glassgrad.tensor([True, False, True]))

    def test_wrong_target_shape(self):
        with pytest.raises(ValueError, match=r"target has shape \(4,\).*need shape \(3,\)"):
            F.cross_entropy(glassgrad.randn(3, 5), glassgrad.tensor([0, 1, 2, 3]))

    def test_bad_arguments(self):
        z, y = glassgrad.randn(3, 4), glassgrad.tensor([0, 1, 2])
        with pytest.raises(ValueError, match="reduction must be"):
            F.cross_entropy(z, y, reduction="avg")
        with pytest.raises(ValueError, match="label_smoothing must be between"):
            F.cross_entropy(z, y, label_smoothing=1.5)
        with pytest.raises(ValueError, match=r"weight must be a float tensor of shape \(4,\)"):
            F.cross_entropy(z, y, weight=glassgrad.ones(3))
        with pytest.raises(TypeError, match="float scores"):
            F.cross_entropy(glassgrad.tensor([[1, 2]]), glassgrad.tensor([0]))


# =========================================================================== conv2d
def _conv_case(dtype, x_shape, w_shape, bias=True, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(x_shape).astype(dtype),
              (rng.standard_normal(w_shape) / np.sqrt(np.prod(w_shape[1:]))).astype(dtype)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[0]).astype(dtype))
    pairs = [_pair(a) for a in arrays]
    out_g = F.conv2d(*[p[0] for p in pairs], **kwargs)
    out_t = TF.conv2d(*[p[1] for p in pairs], **kwargs)
    return pairs, out_g, out_t, rng


class TestConv2d:
    @pytest.mark.parametrize("dtype", ["float64", "float32"])
    @pytest.mark.parametrize("kwargs", [
        dict(), dict(stride=2), dict(padding=1), dict(stride=(1, 2), padding=(2, 1)),
        dict(dilation=2, padding=2), dict(padding="same"),
        dict(stride=3, padding=1, dilation=(1, 2)),
    ], ids=str)
    def test_realistic_shapes_vs_torch(self, dtype, kwargs):
        pairs, out_g, out_t, rng = _conv_case(dtype, (8, 6, 17, 15), (10, 6, 3, 3), **kwargs)
        _assert_close(out_g, out_t, dtype, "forward")
        up = rng.standard_normal(out_t.shape).astype(dtype)
        out_g.backward(glassgrad.tensor(up))
        out_t.backward(torch.tensor(up))
        for name, (g, t) in zip(["input", "weight", "bias"], pairs):
            _assert_close(g.grad, t.grad, dtype, f"d {name}")
            assert g.grad.dtype == np.dtype(dtype)

    @pytest.mark.parametrize("dtype", ["float64", "float32"])
    def test_conv_relu_conv_pool_chain_vs_torch(self, dtype):
        # the second conv reads the first one's channels-last output, the pools read the
        # second's; the upstream gradients arrive in both memory layouts
        rng = np.random.default_rng(9)
        arrays = [rng.standard_normal((4, 3, 16, 16)),
                  rng.standard_normal((8, 3, 3, 3)) / 5, rng.standard_normal(8),
                  rng.standard_normal((6, 8, 3, 3)) / 8, rng.standard_normal(6)]
        pairs = [_pair(a.astype(dtype)) for a in arrays]

        def net(lib, fn, x, w1, b1, w2, b2):
            h = lib.relu(fn.conv2d(x, w1, b1, padding=1))
            h = fn.conv2d(h, w2, b2, stride=2)
            pooled = fn.avg_pool2d(h, 3, stride=1, padding=1)[:, :, :3, :3]
            return fn.max_pool2d(h, 2) * 2 + pooled

        out_g = net(glassgrad, F, *[p[0] for p in pairs])
        out_t = net(torch, TF, *[p[1] for p in pairs])
        _assert_close(out_g, out_t, dtype, "forward")
        up = rng.standard_normal(out_t.shape).astype(dtype)
        out_g.backward(glassgrad.tensor(up))
        out_t.backward(torch.tensor(up))
        for i, (g, t) in enumerate(pairs):
            _assert_close(g.grad, t.grad, dtype, f"grad of input {i}")

    @pytest.mark.parametrize("channels", [3, 6], ids=["narrow", "wide"])
    @pytest.mark.parametrize("kept", [True, False], ids=["patches-kept", "patches-recopied"])
    def test_chunked_im2col_and_col2im_vs_torch(self, monkeypatch, channels, kept):
        # shrink the chunks so that the batch of 7 is cut 2+2+2+1 (im2col) and 3+3+1
        # (col2im): every chunk boundary and the short last chunk are exercised, with the
        # patch matrix kept for dL/dw or copied again in backward (above _KEEP_PATCHES),
        # in both patch layouts (3 channels x 3 columns is a narrow window row, 6 is not)
        import glassgrad.ops._kernels.conv as nn_ops

        assert nn_ops._is_narrow(3, channels) == (channels == 3)
        per_image_patches, per_image_contribution = 9 * 8 * 9 * channels, 9 * 8 * channels
        monkeypatch.setattr(nn_ops, "_PATCH_FLOATS", 2 * per_image_patches + 5)
        monkeypatch.setattr(nn_ops, "_CACHE_FLOATS", 3 * per_image_contribution + 5)
        monkeypatch.setattr(nn_ops, "_KEEP_PATCHES", 7 * per_image_patches if kept else 0)
        pairs, out_g, out_t, rng = _conv_case("float64", (7, channels, 9, 8), (5, channels, 3, 3),
                                              padding=1)
        saved_for_w = out_g.grad_fn.saved[0]  # the patch matrix (7*9*8 rows) or padded input
        assert saved_for_w.shape == ((7 * 9 * 8, 9 * channels) if kept else (7, channels, 11, 10))
        _assert_close(out_g, out_t, "float64", "forward")
        up = rng.standard_normal(out_t.shape)
        out_g.backward(glassgrad.tensor(up))
        out_t.backward(torch.tensor(up))
        for name, (g, t) in zip(["input", "weight", "bias"], pairs):
            _assert_close(g.grad, t.grad, "float64", f"d {name}")

    def test_gradcheck_through_two_convs(self):
        rng = np.random.default_rng(10)
        x = glassgrad.tensor(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
        w1 = glassgrad.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
        w2 = glassgrad.tensor(rng.standard_normal((2, 3, 3, 3)), requires_grad=True)
        fn = lambda a, b, c: F.conv2d(F.conv2d(a, b, padding=1) * 0.5, c, stride=2)  # noqa: E731
        assert gradcheck(fn, (x, w1, w2))

    def test_noncontiguous_input_and_weight(self):
        rng = np.random.default_rng(11)
        x = rng.standard_normal((5, 9, 3, 2)).transpose(3, 2, 0, 1)  # (2, 3, 5, 9) view
        w = rng.standard_normal((3, 3, 4, 2))[:, :, ::2, :]  # strided (3, 3, 2, 2)
        (gx, tx), (gw, tw) = _pair(x), _pair(w)
        out_g, out_t = F.conv2d(gx, gw), TF.conv2d(tx, tw)
        _assert_close(out_g, out_t, "float64")
        out_g.sum().backward()
        out_t.sum().backward()
        _assert_close(gx.grad, tx.grad, "float64")
        _assert_close(gw.grad, tw.grad, "float64")

    def test_output_size_formula_and_the_seed_slip(self):
        # Exam seed 002 writes n_out = floor((n - n' + 1) / s). The number of positions of
        # a width-n' window moved by s inside n cells is floor((n - n') / s) + 1: for n = 5,
        # n' = 3, s = 2 the windows start at 0 and 2, so 2 outputs (the seed's formula says 1).
        x = glassgrad.ones(1, 1, 5, 7)
        w = glassgrad.ones(1, 1, 3, 3)
        assert F.conv2d(x, w, stride=2).shape == (1, 1, 2, 3)
        assert (5 - 3 + 1) // 2 == 1  # the seed's formula, for the record
        # each output is the sum of its 3x3 window of ones
        np.testing.assert_array_equal(F.conv2d(x, w, stride=2).array, np.full((1, 1, 2, 3), 9.0))

    def test_weight_count(self):
        # K filters of n' x p' over C channels: K*C*n'*p' weights + K biases
        w = glassgrad.zeros(8, 3, 5, 4)
        assert w.numel() + 8 == 8 * (3 * 5 * 4 + 1)

    def test_in_place_change_of_the_weight_is_caught(self):
        x = glassgrad.randn(1, 1, 4, 4, requires_grad=True)
        w = glassgrad.randn(1, 1, 2, 2, requires_grad=True)
        w2 = w * 1.0
        y = F.conv2d(x, w2)
        w2.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            y.sum().backward()

    @pytest.mark.parametrize("channels", [1, 6], ids=["narrow", "wide"])
    @pytest.mark.parametrize("padding", [0, 1])
    def test_in_place_change_of_the_input_is_caught(self, channels, padding):
        # dL/dw needs the input; conv2d works from a patch copy (or a padded copy), but an
        # in-place edit of the input is refused as in PyTorch, which saves the input itself
        x = glassgrad.randn(2, channels, 5, 5)
        w = glassgrad.randn(3, channels, 3, 3, requires_grad=True)
        y = F.conv2d(x, w, padding=padding)
        x.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            y.sum().backward()
        tx, tw = torch.randn(2, channels, 5, 5), torch.randn(3, channels, 3, 3, requires_grad=True)
        ty = TF.conv2d(tx, tw, padding=padding)
        tx.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            ty.sum().backward()

    def test_errors_name_both_shapes(self):
        x, w = glassgrad.randn(2, 3, 8, 8), glassgrad.randn(4, 5, 3, 3)
        with pytest.raises(ValueError, match=r"\(2, 3, 8, 8\) has 3 channels.*\(4, 5, 3, 3\).*5"):
            F.conv2d(x, w)
        with pytest.raises(ValueError, match=r"4-D \(N, C, H, W\).*\(3, 8\)"):
            F.conv2d(glassgrad.randn(3, 8), w)
        with pytest.raises(ValueError, match="weight must be 4-D"):
            F.conv2d(x, glassgrad.randn(4, 3, 3))
        with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
            F.conv2d(x, glassgrad.randn(4, 3, 3, 3), glassgrad.randn(5))
        with pytest.raises(ValueError, match="smaller than the dilated kernel"):
            F.conv2d(glassgrad.randn(1, 3, 2, 2), glassgrad.randn(4, 3, 3, 3))
        with pytest.raises(TypeError, match="input dtype float32 and weight dtype float64"):
            F.conv2d(x, glassgrad.randn(4, 3, 3, 3, dtype=glassgrad.float64))
        with pytest.raises(ValueError, match=r"expects 6 input channels \(weight.shape\[1\] x groups=3\)"):
            F.conv2d(glassgrad.randn(1, 4, 5, 5), glassgrad.randn(3, 2, 3, 3), groups=3)
        with pytest.raises(ValueError, match=r"the 3 filters .* cannot be split into groups=2"):
            F.conv2d(glassgrad.randn(1, 4, 5, 5), glassgrad.randn(3, 2, 3, 3), groups=2)
        with pytest.raises(ValueError, match="groups must be a positive int, got 0"):
            F.conv2d(glassgrad.randn(1, 4, 5, 5), glassgrad.randn(4, 4, 3, 3), groups=0)
        with pytest.raises(ValueError, match="'same' is not supported for strided"):
            F.conv2d(x, glassgrad.randn(4, 3, 3, 3), padding="same", stride=2)
        with pytest.raises(ValueError, match="stride must be >= 1"):
            F.conv2d(x, glassgrad.randn(4, 3, 3, 3), stride=0)
        with pytest.raises(TypeError, match="padding must be an int or a pair"):
            F.conv2d(x, glassgrad.randn(4, 3, 3, 3), padding=(1, 2, 3))


# =========================================================================== pooling
class TestPooling:
    def test_max_pool_ties_go_to_the_first_max_like_torch(self):
        x = np.zeros((1, 1, 4, 4))
        x[0, 0, 1, 1] = x[0, 0, 0, 1] = 1.0  # a tie inside the first window
        g, t = _pair(x)
        F.max_pool2d(g, 2).sum().backward()
        TF.max_pool2d(t, 2).sum().backward()
        np.testing.assert_array_equal(g.grad.array, t.grad.numpy())
        assert g.grad.array[0, 0, 0, 1] == 1 and g.grad.array[0, 0, 1, 1] == 0

    def test_max_pool_overlapping_windows_add_up(self):
        x = np.arange(16.0).reshape(1, 1, 4, 4)  # the max of every 3x3 window is bottom-right
        g = glassgrad.tensor(x, requires_grad=True)
        F.max_pool2d(g, 3, stride=1).sum().backward()
        expected = np.zeros((4, 4))
        expected[2:, 2:] = 1  # four windows, four different maxima
        np.testing.assert_array_equal(g.grad.array[0, 0], expected)

    def test_max_pool_nan_propagates_like_torch(self):
        x = np.arange(16.0).reshape(1, 1, 4, 4)
        x[0, 0, 0, 0] = np.nan
        ours = F.max_pool2d(glassgrad.tensor(x), 2).array
        theirs = TF.max_pool2d(torch.tensor(x), 2).numpy()
        np.testing.assert_array_equal(ours, theirs)

    @pytest.mark.parametrize("kwargs", [
        dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
        dict(kernel_size=(2, 3), stride=2, ceil_mode=True, dilation=(2, 1))], ids=str)
    def test_return_indices_vs_torch(self, kwargs):
        x = np.random.default_rng(12).permutation(2 * 3 * 9 * 8).reshape(2, 3, 9, 8) * 1.0
        out_g, idx_g = F.max_pool2d(glassgrad.tensor(x), return_indices=True, **kwargs)
        out_t, idx_t = TF.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
        np.testing.assert_array_equal(out_g.array, out_t.numpy())
        np.testing.assert_array_equal(idx_g.array, idx_t.numpy())
        assert idx_g.dtype == np.int64

    @pytest.mark.parametrize("dtype", ["float64", "float32"])
    def test_pools_on_realistic_shapes_vs_torch(self, dtype):
        rng = np.random.default_rng(13)
        x = rng.permutation(16 * 8 * 14 * 14).reshape(16, 8, 14, 14).astype(dtype) / 100
        for name, kwargs in [("max_pool2d", dict(kernel_size=2)),
                             ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1))]:
            g, t = _pair(x)
            out_g = getattr(F, name)(g, **kwargs)
            out_t = getattr(TF, name)(t, **kwargs)
            _assert_close(out_g, out_t, dtype, name)
            up = rng.standard_normal(out_t.shape).astype(dtype)
            out_g.backward(glassgrad.tensor(up))
            out_t.backward(torch.tensor(up))
            _assert_close(g.grad, t.grad, dtype, f"d {name}")

    def test_avg_pool_hand_computed(self):
        # 2x2 average of 0..15 in a 4x4 grid; backward spreads upstream / 4 over each window
        x = glassgrad.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
        y = F.avg_pool2d(x, 2)
        np.testing.assert_array_equal(y.array[0, 0], [[2.5, 4.5], [10.5, 12.5]])
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.array, np.full((1, 1, 4, 4), 0.25))

    def test_errors(self):
        x = glassgrad.randn(1, 1, 4, 4)
        with pytest.raises(ValueError, match="at most half of effective kernel size"):
            F.max_pool2d(x, 2, padding=2)
        with pytest.raises(ValueError, match="too small for kernel_size=5"):
            F.avg_pool2d(x, 5)
        with pytest.raises(ValueError, match=r"4-D \(N, C, H, W\) or 3-D"):
            F.max_pool2d(glassgrad.randn(4, 4), 2)
        with pytest.raises(ValueError, match="kernel_size must be >= 1"):
            F.max_pool2d(x, 0)
        with pytest.raises(ValueError, match="divisor_override must be a positive int"):
            F.avg_pool2d(x, 2, divisor_override=0)


def test_max_pool_gradient_goes_to_the_nan_like_torch():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan  # two NaNs in the first window: torch picks the last
    g, t = _pair(x)
    F.max_pool2d(g, 2).sum().backward()
    TF.max_pool2d(t, 2).sum().backward()
    np.testing.assert_array_equal(g.grad.array, t.grad.numpy())
    assert g.grad.array[0, 0, 1, 0] == 1
