"""glassgrad.linalg against torch.linalg 2.13: values and gradients, float64 tight and
float32 with tolerances scaled to the matrix size, on seeded well-conditioned random
matrices (a random matrix plus n I), batched; singular inputs as the docstrings state."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import glassgrad as gg

L = gg.linalg
N = 4


def _matrix(shape, seed=0):
    rng = np.random.default_rng(seed)
    n = shape[-1]
    return rng.standard_normal(shape) + n * np.eye(n)  # diagonally dominant: well-conditioned


def _spd(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def _tol(dtype, terms):
    # float32: about eps per term summed, times a margin for the conditioning (< 10 here)
    return (1e-10, 1e-10) if dtype == "float64" else (50 * terms * 1.2e-7, 50 * terms * 1.2e-7)


def _compare(fn, torch_fn, arrays, dtype="float64", seed=1):
    """fn(*glassgrad tensors) against torch_fn(*torch tensors): the value, and the
    gradient of sum(out * upstream) for a random upstream, for every input."""
    xs = [gg.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out, t_out = fn(*xs), torch_fn(*ts)
    upstream = np.random.default_rng(seed).standard_normal(tuple(t_out.shape)).astype(dtype)
    terms = max(a.shape[-1] for a in arrays) ** 2
    rtol, atol = _tol(dtype, terms)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    (out * gg.tensor(upstream)).sum().backward()
    (t_out * torch.tensor(upstream)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


SQUARE_OPS = {
    "inv": (L.inv, torch.linalg.inv),
    "det": (L.det, torch.linalg.det),
    "logabsdet": (lambda a: L.slogdet(a).logabsdet, lambda a: torch.linalg.slogdet(a).logabsdet),
    "logdet": (gg.logdet, torch.logdet),
    "inverse_method": (lambda a: a.inverse(), lambda a: a.inverse()),
    "det_method": (lambda a: a.det(), lambda a: a.det()),
    "svdvals": (L.svdvals, torch.linalg.svdvals),
    "matrix_power_5": (lambda a: L.matrix_power(a, 5), lambda a: torch.linalg.matrix_power(a, 5)),
    "matrix_power_-2": (lambda a: L.matrix_power(a, -2), lambda a: torch.linalg.matrix_power(a, -2)),
    "matrix_power_0": (lambda a: L.matrix_power(a, 0) * a, lambda a: torch.linalg.matrix_power(a, 0) * a),
    "diagonal": (lambda a: L.diagonal(a, offset=1), lambda a: torch.linalg.diagonal(a, offset=1)),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(N, N), (2, 3, N, N)], ids=str)
@pytest.mark.parametrize("name", SQUARE_OPS)
def test_square_ops_match_torch(name, shape, dtype):
    fn, torch_fn = SQUARE_OPS[name]
    _compare(fn, torch_fn, [_matrix(shape)], dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_eigvalsh_and_cholesky_on_symmetric_matrices(dtype):
    sym = lambda a: (a + a.mT) / 2 if isinstance(a, torch.Tensor) else (a + a.mT) / 2  # noqa: E731
    _compare(lambda a: L.eigvalsh(sym(a)), lambda a: torch.linalg.eigvalsh(sym(a)),
             [_spd((3, N, N))], dtype)
    _compare(lambda a: L.cholesky(sym(a)), lambda a: torch.linalg.cholesky(sym(a)),
             [_spd((3, N, N))], dtype)


SOLVE_SHAPES = [((N, N), (N, 2)), ((N, N), (N,)), ((3, N, N), (3, N)), ((3, N, N), (N, 5)),
                ((2, 1, N, N), (3, N, 2))]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shapes", SOLVE_SHAPES, ids=str)
def test_solve_matches_torch_with_vectors_and_broadcast_batches(shapes, dtype):
    a = _matrix(shapes[0])
    b = np.random.default_rng(2).standard_normal(shapes[1])
    _compare(L.solve, torch.linalg.solve, [a, b], dtype)


MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 0)], ids=str)
@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norm_matches_torch(ord, dim, keepdim, dtype):
    a = np.random.default_rng(3).standard_normal((3, 2, 5))
    _compare(lambda x: L.matrix_norm(x, ord, dim, keepdim),
             lambda x: torch.linalg.matrix_norm(x, ord, dim, keepdim), [a], dtype)


NORM_CALLS = [dict(), dict(ord=3, dim=(1,)), dict(ord=1, dim=1), dict(ord=math.inf, dim=-1),
              dict(ord=0.5, dim=(0,), keepdim=True), dict(dim=(0, 2)), dict(ord="nuc", dim=(1, 2)),
              dict(ord=-math.inf, dim=(2, 1), keepdim=True), dict(ord=2, dim=2)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", NORM_CALLS, ids=str)
def test_norm_and_vector_norm_match_torch(kwargs, dtype):
    a = np.random.default_rng(4).standard_normal((3, 2, 5))
    _compare(lambda x: L.norm(x, **kwargs), lambda x: torch.linalg.norm(x, **kwargs), [a], dtype)
    if "ord" not in kwargs or not isinstance(kwargs["ord"], str):
        if kwargs.get("dim") is None or len(np.atleast_1d(kwargs["dim"])) == 1 or "ord" not in kwargs:
            _compare(lambda x: L.vector_norm(x, **kwargs),
                     lambda x: torch.linalg.vector_norm(x, **kwargs), [a], dtype)


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, 2, -2, math.inf])
def test_norm_of_a_matrix_with_dim_none_is_the_matrix_norm(ord):
    a = np.random.default_rng(5).standard_normal((4, 3))
    _compare(lambda x: L.norm(x, ord), lambda x: torch.linalg.norm(x, ord), [a])


def test_cross_vecdot_multi_dot_match_torch():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((3, 3)), rng.standard_normal((1, 3))
    _compare(L.cross, torch.linalg.cross, [a, b])  # dim=-1, though dim 0 also has size 3
    _compare(lambda x, y: L.cross(x, y, dim=0), lambda x, y: torch.linalg.cross(x, y, dim=0),
             [a, rng.standard_normal((3, 3))])
    _compare(L.vecdot, torch.linalg.vecdot, [a, rng.standard_normal((2, 1, 3))])
    arrays = [rng.standard_normal(4), rng.standard_normal((4, 3)), rng.standard_normal((3, 5)),
              rng.standard_normal(5)]
    _compare(lambda *t: L.multi_dot(t), lambda *t: torch.linalg.multi_dot(t), arrays)
    _compare(lambda *t: L.multi_dot(t), lambda *t: torch.linalg.multi_dot(t), arrays[1:3])
    _compare(L.matmul, torch.linalg.matmul, arrays[1:3])


LEFT_FALSE_SHAPES = [((N, N), (2, N)), ((3, N, N), (3, 5, N)), ((2, 1, N, N), (3, 2, N))]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shapes", LEFT_FALSE_SHAPES, ids=str)
def test_solve_with_left_false_solves_x_a_equals_b_as_torch(shapes, dtype):
    a = _matrix(shapes[0], seed=10)
    b = np.random.default_rng(11).standard_normal(shapes[1])
    _compare(lambda x, y: L.solve(x, y, left=False),
             lambda x, y: torch.linalg.solve(x, y, left=False), [a, b], dtype)
    for upper in (False, True):
        _compare(lambda x, y: L.solve_triangular(x, y, upper=upper, left=False),
                 lambda x, y: torch.linalg.solve_triangular(x, y, upper=upper, left=False),
                 [a, b], dtype)


def test_solve_triangular_and_cholesky_keep_their_torch_names():
    a = np.tril(_matrix((N, N)))
    b = np.random.default_rng(7).standard_normal((N, 2))
    _compare(lambda x, y: L.solve_triangular(x, y, upper=False),
             lambda x, y: torch.linalg.solve_triangular(x, y, upper=False), [a, b])


def test_top_level_and_tensor_method_names():
    a = _matrix((2, N, N))
    _compare(gg.inverse, torch.inverse, [a])
    _compare(gg.det, torch.det, [a])
    _compare(lambda x: gg.slogdet(x)[1], lambda x: torch.slogdet(x)[1], [a])
    _compare(lambda x: x.logdet(), lambda x: x.logdet(), [a])
    _compare(lambda x: x.slogdet().logabsdet, lambda x: x.slogdet().logabsdet, [a])
    sign, _ = gg.slogdet(gg.tensor(-a))
    np.testing.assert_array_equal(sign.numpy(), torch.slogdet(torch.tensor(-a)).sign.numpy())


# ---------------------------------------------------------------- singular input
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])  # row 2 = 2 row 1


def test_inv_and_solve_of_a_singular_matrix_raise_a_clear_error():
    with pytest.raises(ValueError, match="inverse: the input .* is singular"):
        L.inv(gg.tensor(SINGULAR))
    with pytest.raises(ValueError, match="solve: the input .* is singular"):
        L.solve(gg.tensor(SINGULAR), gg.ones(3, dtype=gg.float64))
    with pytest.raises(torch.linalg.LinAlgError):  # torch refuses too
        torch.linalg.inv(torch.tensor(SINGULAR))


def test_det_of_a_singular_matrix_is_zero_with_the_cofactor_gradient_as_torch():
    x = gg.tensor(SINGULAR, requires_grad=True)
    t = torch.tensor(SINGULAR, requires_grad=True)
    d, td = L.det(x), torch.linalg.det(t)
    assert abs(d.item()) < 1e-12 and abs(td.item()) < 1e-12
    d.backward()
    td.backward()
    # the cofactor matrix of SINGULAR by hand: C_ij = (-1)^(i+j) minor_ij
    cofactor = np.array([[14.0, -10.0, 2.0], [-7.0, 5.0, -1.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(x.grad.numpy(), cofactor, atol=1e-10)
    np.testing.assert_allclose(t.grad.numpy(), cofactor, atol=1e-10)


def test_slogdet_of_a_singular_matrix_is_zero_and_minus_inf_and_its_backward_raises():
    # a zero row: elimination leaves an exactly zero pivot on every machine
    zero_row = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [4.0, 5.0, 6.0]])
    x = gg.tensor(zero_row, requires_grad=True)
    sign, logabs = L.slogdet(x)
    t_sign, t_logabs = torch.linalg.slogdet(torch.tensor(zero_row))
    assert sign.item() == t_sign.item() == 0
    assert logabs.item() == t_logabs.item() == -math.inf
    assert gg.logdet(gg.tensor(zero_row)).item() == -math.inf
    with pytest.raises(ValueError, match="slogdet backward: the input .* is singular"):
        logabs.backward()


# ---------------------------------------------------------------- bad input, the namespace
@pytest.mark.parametrize("call, message", [
    (lambda: L.inv(gg.ones(2, 3)), "inverse: A must be square"),
    (lambda: L.det(gg.ones(3)), "det: A must be a matrix"),
    (lambda: L.solve(gg.eye(3), gg.ones(2, 2)), "solve: A of shape"),
    (lambda: L.solve(gg.eye(3), gg.ones(3), left=False), "solve: with left=False"),
    (lambda: L.matrix_norm(gg.ones(3, 3), 3), "matrix_norm: ord must be one of"),
    (lambda: L.norm(gg.ones(2, 2, 2), 2), "norm: with ord=2 and dim=None"),
    (lambda: L.matrix_power(gg.ones(3, 3), 1.5), "matrix_power: n must be an integer"),
    (lambda: L.multi_dot([gg.ones(3, 3)]), "multi_dot: expected at least 2"),
    (lambda: L.cross(gg.ones(3), gg.ones(2, 3)), "cross: input and other must have the same"),
])
def test_bad_input_says_what_was_expected(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_the_namespace_is_the_module_and_has_torch_linalg_names():
    import glassgrad.linalg as module

    assert gg.linalg is module and module.__name__ == "glassgrad.linalg"
    assert set(module.__all__) <= set(dir(torch.linalg))
    code = "import sys, glassgrad; print('glassgrad.linalg' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split() == ["False"]


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigvalsh_reads_one_triangle_of_an_unsymmetric_input_as_torch(uplo):
    a = _matrix((2, N, N), seed=8)  # not symmetric: only the triangle UPLO names counts
    _compare(lambda x: L.eigvalsh(x, UPLO=uplo), lambda x: torch.linalg.eigvalsh(x, UPLO=uplo), [a])


def test_the_explain_trace_writes_the_new_ops_in_latex():
    # a form template is str.format'ed: a brace of LaTeX (A^{-1}) must be doubled in it
    from glassgrad.explain import trace

    A = gg.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=gg.float64, requires_grad=True, name="A")
    b = gg.tensor([[1.0], [2.0]], dtype=gg.float64, requires_grad=True, name="b")
    with trace() as t:
        f = (L.solve(A, b).sum() + L.solve_triangular(A, b, upper=False).sum() + L.inv(A).sum()
             + L.det(A) + gg.logdet(A) + L.svdvals(A).sum() + L.eigvalsh(A).sum())
        f.backward()
    latex = t.to_latex()
    assert "A^{-1} b" in latex and r"\det A" in latex and r"\log|\det A|" in latex
    assert "inverse(A)" in t.table() and "solve_triangular(A, b)" in t.table()


@pytest.mark.parametrize("name, fn", [
    ("inv", L.inv), ("det", L.det), ("logabsdet", lambda a: L.slogdet(a)[1]),
    ("solve", lambda a: L.solve(a, a[..., :2] * 2)), ("svdvals", L.svdvals),
    ("eigvalsh", lambda a: L.eigvalsh(a + a.mT)), ("matrix_norm_2", lambda a: L.matrix_norm(a, 2)),
])
def test_backward_agrees_with_finite_differences(name, fn):
    from glassgrad.autograd import gradcheck

    a = gg.tensor(_matrix((2, 3, 3), seed=9), requires_grad=True)
    assert gradcheck(fn, (a,))
