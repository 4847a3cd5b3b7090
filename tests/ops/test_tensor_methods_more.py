"""The smaller PyTorch Tensor methods and functions, against torch: device helpers,
new_* factories, strides, type_as, the random fills, finding and counting (nonzero,
unique, bincount, ...), repeat_interleave, ravel, unflatten, addcmul / addcdiv and their
in-place forms."""

import numpy as np
import pytest

import glassgrad as gg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def both(array, requires_grad=False):
    return gg.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def same(ours, theirs, rtol=1e-12):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = ours.array if isinstance(ours, gg.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours, theirs, rtol=rtol)


# ---------------------------------------------------------------- device, memory layout
def test_cpu_is_the_tensor_and_cuda_says_why_not():
    x = gg.randn(2, 3)
    assert x.cpu() is x and x.device == gg.device("cpu") and str(x.device) == "cpu"
    with pytest.raises(RuntimeError, match="CPU only"):
        x.cuda()


@pytest.mark.parametrize("view", [lambda t: t, lambda t: t.t(), lambda t: t[:, ::2],
                                  lambda t: t[1], lambda t: t.permute(1, 0)[::2]])
def test_stride_contiguity_and_sizes_match_torch(view):
    a = np.arange(12.0).reshape(3, 4)
    x, tx = both(a)
    v, tv = view(x), view(tx)
    assert v.stride() == tv.stride() and v.is_contiguous() == tv.is_contiguous()
    if v.ndim:
        assert v.stride(0) == tv.stride(0)
    assert (v.element_size(), v.nelement(), v.ndimension()) == \
        (tv.element_size(), tv.nelement(), tv.ndimension())
    assert v.is_complex() is False


# ---------------------------------------------------------------- new_* and type_as
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_new_factories_take_the_dtype_of_their_tensor(dtype):
    x, tx = both(np.ones((2, 2), dtype=dtype))
    pairs = [
        (x.new_zeros(2, 3), tx.new_zeros(2, 3)), (x.new_ones((3,)), tx.new_ones((3,))),
        (x.new_full((2,), 7), tx.new_full((2,), 7)), (x.new_tensor([1, 2]), tx.new_tensor([1, 2])),
        (x.new_zeros(2, dtype=gg.float64), tx.new_zeros(2, dtype=torch.float64)),
    ]
    for ours, theirs in pairs:
        same(ours, theirs)
    assert x.new_empty(4, 5).shape == (4, 5) and x.new_empty(4, 5).dtype == x.dtype
    if dtype == "int64":  # only floating-point tensors can require gradients, in both
        with pytest.raises(RuntimeError):
            tx.new_ones(2, requires_grad=True)
        with pytest.raises((RuntimeError, TypeError)):
            x.new_ones(2, requires_grad=True)
    else:
        assert x.new_ones(2, requires_grad=True).requires_grad
    f = gg.ones(2)
    same(x.type_as(f), tx.type_as(torch.ones(2)))
    with pytest.raises(ValueError, match="non-negative integers"):  # as gg.zeros(2.5)
        x.new_zeros(2.5)


# ---------------------------------------------------------------- random fills
@pytest.mark.parametrize("fill, check", [
    (lambda t: t.uniform_(-2.0, 3.0), lambda v: v.min() >= -2 and v.max() < 3 and abs(v.mean() - 0.5) < 0.05),
    (lambda t: t.normal_(1.0, 2.0), lambda v: abs(v.mean() - 1) < 0.05 and abs(v.std() - 2) < 0.05),
    (lambda t: t.bernoulli_(0.3), lambda v: set(np.unique(v)) <= {0.0, 1.0} and abs(v.mean() - 0.3) < 0.02),
    (lambda t: t.exponential_(4.0), lambda v: v.min() >= 0 and abs(v.mean() - 0.25) < 0.01),
])
def test_random_fills_draw_the_distribution_in_place_and_repeat_with_a_seed(fill, check):
    x = gg.zeros(20_000)  # the standard errors of these means are 0.5 % to 1.5 %
    gg.manual_seed(7)
    assert fill(x) is x and x._version == 1 and x.dtype == np.float32
    assert check(x.array.astype(np.float64))
    y = gg.zeros(20_000)
    gg.manual_seed(7)
    fill(y)
    np.testing.assert_array_equal(x.array, y.array)


def test_random_fill_of_a_leaf_in_the_graph_is_refused_before_drawing():
    w = gg.zeros(3, requires_grad=True)
    state = str(gg.get_rng_state())
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.normal_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch.zeros(3, requires_grad=True).normal_()
    assert w._version == 0 and not w.array.any()
    assert str(gg.get_rng_state()) == state  # no number was drawn
    with gg.no_grad():
        w.normal_()
    assert w._version == 1


# ---------------------------------------------------------------- finding and counting
def test_nonzero_argwhere_and_count_nonzero_match_torch():
    a = RNG.integers(-1, 2, size=(4, 5)).astype(np.float32)
    x, tx = both(a)
    same(gg.nonzero(x), torch.nonzero(tx))
    same(x.argwhere(), tx.argwhere())
    for ours, theirs in zip(x.nonzero(as_tuple=True), tx.nonzero(as_tuple=True)):
        same(ours, theirs)
    same(gg.count_nonzero(x), torch.count_nonzero(tx))
    same(x.count_nonzero(dim=1), tx.count_nonzero(dim=1))
    for value in (3.0, 0.0):
        same(gg.nonzero(gg.tensor(value)), torch.nonzero(torch.tensor(value)))


@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True},
                                    {"dim": 0, "return_inverse": True, "return_counts": True}])
def test_unique_matches_torch(kwargs):
    a = RNG.integers(0, 3, size=(6, 2)).astype(np.int64)
    a[3] = a[1]  # a repeated row for dim=0
    ours, theirs = gg.unique(gg.tensor(a), **kwargs), torch.unique(torch.tensor(a), **kwargs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        same(o, t)


def test_bincount_matches_torch():
    counts = np.array([0, 3, 3, 1, 0, 3])
    x, tx = both(counts)
    same(gg.bincount(x), torch.bincount(tx))
    same(x.bincount(minlength=6), tx.bincount(minlength=6))
    w = RNG.random(6).astype(np.float32)
    same(gg.bincount(x, weights=gg.tensor(w)), torch.bincount(tx, weights=torch.tensor(w)),
         rtol=1e-6)
    with pytest.raises(ValueError, match="non-negative"):
        gg.bincount(gg.tensor([1, -1]))


# ---------------------------------------------------------------- repeat_interleave, ravel, unflatten
@pytest.mark.parametrize("repeats, dim", [(2, None), (3, 1), ([1, 0, 2], 0), ([2, 1, 1, 3], 1)])
def test_repeat_interleave_values_and_gradient_match_torch(repeats, dim):
    a = RNG.standard_normal((3, 4))
    x, tx = both(a, requires_grad=True)
    r = repeats if isinstance(repeats, int) else gg.tensor(repeats)
    tr = repeats if isinstance(repeats, int) else torch.tensor(repeats)
    out, tout = x.repeat_interleave(r, dim=dim), tx.repeat_interleave(tr, dim=dim)
    same(out, tout)
    weights = RNG.standard_normal(tout.shape)
    (out * gg.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    same(x.grad, tx.grad)


def test_ravel_and_unflatten_match_torch():
    a = np.arange(24.0).reshape(2, 12)
    x, tx = both(a)
    same(x.ravel(), tx.ravel())
    same(x.unflatten(1, (3, -1)), tx.unflatten(1, (3, -1)))
    same(gg.unflatten(x, -1, (2, 2, 3)), torch.unflatten(tx, -1, (2, 2, 3)))


# ---------------------------------------------------------------- addcmul, addcdiv
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_addcdiv_and_in_place_forms_match_torch(name):
    arrays = [RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)),
              RNG.uniform(0.5, 2.0, (3, 4))]
    ours = [gg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(gg, name)(*ours, value=0.7)
    tout = getattr(torch, name)(*theirs, value=0.7)
    same(out, tout)
    out.sum().backward()
    tout.sum().backward()
    for o, t in zip(ours, theirs):
        same(o.grad, t.grad)
    # in place on a tensor outside the graph, with a second argument that requires grad:
    # the graph must still reach that argument (as in torch)
    base, tbase = both(arrays[0])
    t1, tt1 = both(arrays[1], requires_grad=True)
    getattr(base, name + "_")(t1, gg.tensor(arrays[2]), value=0.7).sum().backward()
    getattr(tbase, name + "_")(tt1, torch.tensor(arrays[2]), value=0.7).sum().backward()
    same(base, tbase)
    same(t1.grad, tt1.grad)


def test_pow_in_place_with_an_exponent_that_requires_grad():
    b, tb = both(np.array([2.0, 3.0]))
    e, te = both(np.array([2.0, 0.5]), requires_grad=True)
    b.pow_(e).sum().backward()
    tb.pow_(te).sum().backward()
    same(b, tb)
    same(e.grad, te.grad)


def test_true_divide_is_div():
    x, tx = both(np.array([1.0, 3.0]))
    same(x.true_divide(gg.tensor([2.0, 4.0])), tx.true_divide(torch.tensor([2.0, 4.0])))


# ---------------------------------------------------------------- tensordot, cdist, diff, logspace
def grads_match(fn, tfn, arrays, rtol=1e-10):
    ours = [gg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = fn(*ours), tfn(*theirs)
    same(out, tout, rtol=rtol)
    weights = RNG.standard_normal(tuple(tout.shape))
    (out * gg.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.array, t.grad.numpy(), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("dims, b_shape", [(2, (4, 5, 2)), (1, (5, 2)), (0, (2,)),
                                           (([1, 0], [0, 1]), (4, 3, 2)), (([-1], [1]), (2, 5))])
def test_tensordot_matches_torch(dims, b_shape):
    a, b = RNG.standard_normal((3, 4, 5)), RNG.standard_normal(b_shape)
    grads_match(lambda x, y: gg.tensordot(x, y, dims), lambda x, y: torch.tensordot(x, y, dims),
                [a, b])


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_cdist_matches_torch_and_is_finite_where_rows_coincide(p):
    x, y = RNG.standard_normal((5, 3)), RNG.standard_normal((4, 3))
    y[1] = x[2]  # a distance of exactly 0: torch's gradient there is 0, and so is ours
    grads_match(lambda a, b: gg.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), [x, y])
    grads_match(lambda a, b: gg.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
                [RNG.standard_normal((2, 5, 3)), RNG.standard_normal((2, 4, 3))])


@pytest.mark.parametrize("kwargs", [{}, {"n": 2, "dim": 0}, {"n": 3}, {"prepend": True},
                                    {"append": True, "n": 2}])
def test_diff_matches_torch(kwargs):
    v = RNG.standard_normal((4, 6))
    extra = RNG.standard_normal((4, 2))
    ours = dict(kwargs)
    theirs = dict(kwargs)
    for key in ("prepend", "append"):
        if key in kwargs:
            ours[key], theirs[key] = gg.tensor(extra), torch.tensor(extra)
    grads_match(lambda x: x.diff(**ours), lambda x: x.diff(**theirs), [v])


def test_logspace_matches_torch():
    same(gg.logspace(-1, 2, 7), torch.logspace(-1, 2, 7), rtol=1e-6)
    same(gg.logspace(0, 3, 4, base=2.0, dtype=gg.float64),
         torch.logspace(0, 3, 4, base=2.0, dtype=torch.float64))
