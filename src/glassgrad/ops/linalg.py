"""Linear algebra: matmul (with PyTorch's 1-D and batched cases) and linear (fused).

matmul follows torch.matmul: a 1-D first argument is treated as a row (1, k) and a 1-D
second argument as a column (k, 1), and the added dim is removed from the result; dims
before the last two are batch dims and broadcast. Backward undoes all of that itself: the
1-D cases get their dim back, and a batch dim that was broadcast is summed inside matmul's
backward (it is matmul's own broadcasting, not an elementwise broadcast of its output).
"""

import builtins

from ..autograd.function import LinearAlgebra
from ..backend import xp
from .arithmetic import ShapeError


def _matmul_error(a, b):
    """The clearest thing to say about two shapes that matmul refused."""
    sa, sb = tuple(a.shape), tuple(b.shape)
    if not sa or not sb:
        return ShapeError(f"matmul: both arguments need at least 1 dimension, got shapes {sa} "
                          f"and {sb}")
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        return ShapeError(f"matmul: shapes {sa} and {sb} cannot be multiplied ({k_a} != {k_b})")
    return ShapeError(f"matmul: the batch dimensions {sa[:-2]} of shape {sa} and {sb[:-2]} of "
                      f"shape {sb} cannot be broadcast together")


def _sum_to(g, shape):
    """Sum a batch-broadcast gradient down to ``shape`` (the input's, as a >= 2-D array)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g.shape[extra + i] != 1)
    # add.reduce, not g.sum(): an overflow warning raised in NumPy's sum() layer would be
    # NumPy's own and escape backend.py's filter of glassgrad's floating-point warnings
    return xp.add.reduce(g, axis=axes).reshape(shape)


def _as_matrices(a, b, upstream):
    """The operands and upstream of a matmul with its 1-D dims put back: a 1-D a was a row
    (1, k), a 1-D b a column (k, 1), and the upstream lacks the matching dims."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g = upstream
    if a.ndim == 1:
        g = xp.expand_dims(g, -2)
    if b.ndim == 1:
        g = xp.expand_dims(g, -1)
    return a2, b2, g


# A gradient that is an outer product of two vectors is formed elementwise, as PyTorch's ger
# (the backward of its mv): a -0.0 in the vector gives -0.0 products, where a GEMM of inner
# size 1 adds them to +0.0. PyTorch computes matrix @ vector, batch @ vector and vector @
# matrix by mv, and vector @ batch by mv only when the vector needs a gradient too (else
# by bmm: +0.0).
def _matmul_grad_a(a, b, upstream):
    """dL/dA = G B^T for matmul's vector and batched cases, summed to A's shape."""
    if b.ndim == 1:  # dL/dA_ij = G_i b_j (over any batch dims of A)
        return upstream[..., None] * b
    a2, b2, g = _as_matrices(a, b, upstream)
    return _sum_to(g @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)


def _matmul_grad_b(a, b, upstream, a_needs_grad):
    """dL/dB = A^T G for matmul's vector and batched cases, summed to B's shape."""
    if a.ndim == 1 and (b.ndim == 2 or a_needs_grad):  # dL/dB_ij = a_i G_j
        return (a[:, None] * upstream[..., None, :]).reshape(b.shape)
    a2, b2, g = _as_matrices(a, b, upstream)
    if b2.ndim == 2 and g.ndim > 2 and a2.shape[:-2] == g.shape[:-2]:
        # B was shared by every batch element: fold the batch into rows, one GEMM
        # (sum_i A_i^T G_i is [A_1; A_2; ...]^T [G_1; G_2; ...]).
        db = a2.reshape(-1, a2.shape[-1]).T @ g.reshape(-1, g.shape[-1])
    else:
        db = _sum_to(a2.swapaxes(-1, -2) @ g, b2.shape)
    return db.reshape(b.shape)


class MatMul(LinearAlgebra):
    label = "matmul"
    rule = r"\partial (AB)/\partial A = \bar{G} B^T,\ \partial (AB)/\partial B = A^T \bar{G}"
    plain = "d (AB)/d A = Gbar B^T, d (AB)/d B = A^T Gbar"
    form = ("{0} @ {1}", "{0} {1}")

    def forward(ctx, a, b):
        try:
            out = a @ b
        except ValueError:
            raise _matmul_error(a, b) from None
        ctx.save_for_backward(a, b)
        return out

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, straight to BLAS
            return (upstream @ b.T if need_a else None), (a.T @ upstream if need_b else None)
        if a.ndim == 1 and b.ndim == 1:  # a dot product: the upstream is a 0-d scalar
            return (upstream * b if need_a else None), (upstream * a if need_b else None)
        # vectors and batches: the same dA = G B^T and dB = A^T G, with matmul's 1-D dims
        # put back and the batch dims it broadcast summed away (_matmul_grad_a, _b)
        da = _matmul_grad_a(a, b, upstream) if need_a else None
        db = _matmul_grad_b(a, b, upstream, a_needs_grad=need_a) if need_b else None
        return da, db


def matmul(input, other):
    """Matrix product with PyTorch's rules for 1-D and batched operands.
    d/dA = G B^T, d/dB = A^T G, G the upstream gradient."""
    return MatMul.apply(input, other)


def dot(input, tensor):
    """The dot product of two 1-D tensors of equal length, sum_i a_i b_i (a 0-d tensor).
    d/da = G b, d/db = G a. (matmul's 1-D x 1-D case.)"""
    _need_dims("dot", input, 1, "input")
    _need_dims("dot", tensor, 1, "tensor")
    if input.shape != tensor.shape:
        raise ShapeError(f"dot: the two vectors must have the same length, got shapes "
                         f"{tuple(input.shape)} and {tuple(tensor.shape)}")
    return MatMul.apply(input, tensor)


def bmm(input, mat2):
    """Batched matrix product of (b, n, m) and (b, m, p) tensors: out[k] = input[k] @ mat2[k]
    (no broadcasting, as in PyTorch; use matmul for that). d/dA_k = G_k B_k^T,
    d/dB_k = A_k^T G_k."""
    _need_dims("bmm", input, 3, "input")
    _need_dims("bmm", mat2, 3, "mat2")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise ShapeError(f"bmm: shapes {tuple(input.shape)} and {tuple(mat2.shape)} do not fit: "
                         "expected (b, n, m) and (b, m, p)")
    return MatMul.apply(input, mat2)


def mv(input, vec):
    """Matrix times vector: (n, m) @ (m,) -> (n,). d/dA = G vec^T, d/dvec = A^T G."""
    _need_dims("mv", input, 2, "input")
    _need_dims("mv", vec, 1, "vec")
    if input.shape[1] != vec.shape[0]:
        raise ShapeError(f"mv: shapes {tuple(input.shape)} and {tuple(vec.shape)} cannot be "
                         f"multiplied ({input.shape[1]} != {vec.shape[0]})")
    return MatMul.apply(input, vec)


mm = matmul


class Linear(LinearAlgebra):
    label = "linear"
    rule = (r"\partial (xW^T+b)/\partial x = \bar{G} W,\ \partial/\partial W = \bar{G}^T x,\ "
            r"\partial/\partial b = \textstyle\sum_{\text{rows}} \bar{G}")
    plain = "d (xW^T+b)/d x = Gbar W, d/d W = Gbar^T x, d/d b = sum_rows Gbar"
    form = ("linear({...})", r"\mathrm{linear}({...})")

    def forward(ctx, x, weight, bias):
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ShapeError(
                f"linear: input of shape {x.shape} and weight of shape {weight.shape} do not "
                f"fit: the weight must be (out_features, in_features) with in_features equal "
                f"to the input's last size")
        out = x @ weight.T  # BLAS reads the transpose in place: no copy, no extra node
        if bias is not None:
            try:
                out += bias  # out is ours and fresh: add the bias without a temporary
            except ValueError:
                raise ShapeError(f"linear: bias of shape {bias.shape} does not fit the output "
                                 f"of shape {out.shape} (expected ({weight.shape[0]},))") from None
        ctx.save_for_backward(x, weight)
        ctx.bias_is_vector = bias is not None and bias.ndim == 1
        return out

    def backward(ctx, upstream):
        x, weight = ctx.saved
        need_x, need_w, need_b = ctx.needs_input_grad
        dx = upstream @ weight if need_x else None
        dw = db = None
        if x.ndim == 1:
            if need_w:
                dw = xp.multiply.outer(upstream, x)
            if need_b:
                db = upstream
        else:
            # Fold every leading dim into rows: one GEMM, one column sum.
            g2 = upstream.reshape(-1, upstream.shape[-1])
            if need_w:
                dw = g2.T @ x.reshape(-1, x.shape[-1])
            if need_b:
                # a bias of another shape (1, out) was broadcast: the engine sums it back
                db = xp.add.reduce(g2, axis=0) if ctx.bias_is_vector else upstream  # = .sum(0)
        return dx, dw, db


def linear(input, weight, bias=None):
    """input @ weight.T + bias in one node (torch.nn.functional.linear): weight is
    (out_features, in_features). The bias gradient is the upstream summed over every
    leading dim."""
    return Linear.apply(input, weight, bias)


__all__ = ["matmul", "mm", "linear"]


# ---------------------------------------------------------------- outer, dot, bmm, addmm
class Outer(LinearAlgebra):
    label = "outer"
    rule = r"\partial (a b^T)/\partial a = \bar{G} b,\ \partial (a b^T)/\partial b = \bar{G}^T a"
    plain = "d (a b^T)/d a = Gbar b, d (a b^T)/d b = Gbar^T a"
    form = ("outer({...})", r"\mathrm{outer}({...})")

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.multiply.outer(a, b)

    def backward(ctx, upstream):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        da = upstream @ b if need_a else None  # dL/da_i = sum_j G_ij b_j
        db = a @ upstream if need_b else None  # dL/db_j = sum_i G_ij a_i
        return da, db


def outer(input, vec2):
    """The outer product of two 1-D tensors: out[i, j] = input[i] * vec2[j].
    d/d input = G vec2, d/d vec2 = G^T input."""
    _need_dims("outer", input, 1, "input")
    _need_dims("outer", vec2, 1, "vec2")
    return Outer.apply(input, vec2)


def _need_dims(op, t, n, name):
    if t.ndim != n:
        raise ShapeError(f"{op}: {name} must be a {n}-D tensor, got shape {tuple(t.shape)}")


ger = outer


class AddMM(LinearAlgebra):
    label = "addmm"
    rule = (r"\partial (\beta C + \alpha AB)/\partial C = \beta,\ "
            r"\partial/\partial A = \alpha \bar{G} B^T,\ \partial/\partial B = \alpha A^T \bar{G}")
    plain = "d (beta C + alpha AB)/d C = beta, d/d A = alpha Gbar B^T, d/d B = alpha A^T Gbar"
    form = ("addmm({...})", r"\mathrm{addmm}({...})")

    def forward(ctx, c, m1, m2, beta=1, alpha=1):
        out = m1 @ m2
        if alpha != 1:
            out *= alpha
        if beta != 0:  # beta = 0: c is ignored, its nan and inf included (PyTorch's rule)
            out = out + (c if beta == 1 else beta * c)
        ctx.save_for_backward(m1, m2)
        ctx.beta, ctx.alpha = beta, alpha
        return out

    def backward(ctx, upstream):
        m1, m2 = ctx.saved
        need_c, need_1, need_2 = ctx.needs_input_grad
        dc = d1 = d2 = None
        if need_c:  # shaped like the output: the engine sums a broadcast c back
            dc = upstream if ctx.beta == 1 else upstream * ctx.beta
        if need_1:
            d1 = upstream @ m2.T
            if ctx.alpha != 1:
                d1 *= ctx.alpha
        if need_2:
            d2 = m1.T @ upstream
            if ctx.alpha != 1:
                d2 *= ctx.alpha
        return dc, d1, d2


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2) in one node; input broadcasts to the (n, p)
    result. d/d input = beta G (summed over broadcast dims), d/d mat1 = alpha G mat2^T,
    d/d mat2 = alpha mat1^T G."""
    _need_dims("addmm", mat1, 2, "mat1")
    _need_dims("addmm", mat2, 2, "mat2")
    if mat1.shape[1] != mat2.shape[0]:
        raise ShapeError(f"addmm: mat1 and mat2 shapes cannot be multiplied "
                         f"({tuple(mat1.shape)} and {tuple(mat2.shape)})")
    out_shape = (mat1.shape[0], mat2.shape[1])
    in_shape = tuple(input.shape) if hasattr(input, "shape") else ()
    try:
        fits = xp.broadcast_shapes(in_shape, out_shape) == out_shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"addmm: input of shape {in_shape} cannot be broadcast to the "
                         f"product's shape {out_shape}")
    return AddMM.apply(input, mat1, mat2, beta=beta, alpha=alpha)


__all__ += ["outer", "ger", "dot", "mv", "bmm", "addmm"]


# ---------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation, shapes):
    """The equation with '...' spelt out in letters and the output made explicit:
    (input subscripts per operand, output subscripts, size of every letter)."""
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} names {len(ins)} operand(s), but "
                         f"{len(shapes)} were given")
    for s in ins + ([out] if arrow else []):
        if any(c not in _LETTERS for c in s.replace("...", "")):
            raise ValueError(f"einsum: subscripts must be letters (and '...'), got {s!r} in "
                             f"{equation!r}")
    # '...' stands for the leading dims no letter names, right-aligned across operands
    free = [c for c in _LETTERS if c not in eq]
    counts = [len(shape) - len(s.replace("...", "")) for s, shape in zip(ins, shapes)]
    n_ell = max([n for s, n in zip(ins, counts) if "..." in s], default=0)
    ell = "".join(free[:n_ell])
    spelt = []
    for s, n, shape in zip(ins, counts, shapes):
        if "..." in s:
            s = s.replace("...", ell[n_ell - n:] if n >= 0 else "?")
        if len(s) != len(shape):
            raise ShapeError(f"einsum: subscripts {s!r} do not fit an operand of shape "
                             f"{tuple(shape)} ({len(shape)} dims)")
        spelt.append(s)
    if arrow:
        out = out.replace("...", ell)
    else:  # implicit output: '...' first, then the letters used once, alphabetically
        joined = "".join(spelt)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ell))
    sizes = {}
    for s, shape in zip(spelt, shapes):
        for c, n in zip(s, shape):
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise ShapeError(f"einsum: subscript {c!r} has size {sizes[c]} in one operand "
                                 f"and {n} in another (shapes {[tuple(x) for x in shapes]})")
            sizes[c] = max(sizes.get(c, 1), n)
    if len(set(out)) != len(out) or any(c not in sizes for c in out):
        raise ValueError(f"einsum: output subscripts {out!r} must be distinct letters of the "
                         f"inputs ({equation!r})")
    return spelt, out, sizes


def _drop_broadcast(array, subs, sizes):
    """An operand's size-1 dims that broadcast against a larger size are constant along
    that letter: index them at 0 and drop the letter, so einsum sees no size clash."""
    keep = [not (n == 1 and sizes[c] > 1) for c, n in zip(subs, array.shape)]
    if all(keep):
        return array, subs
    index = tuple(slice(None) if k else 0 for k in keep)
    return array[index], "".join(c for c, k in zip(subs, keep) if k)


class Einsum(LinearAlgebra):
    label = "einsum"
    rule = (r"\partial\,\mathrm{einsum}(\ldots, A_i, \ldots)/\partial A_i = "
            r"\mathrm{einsum}(\bar{G}, A_{j \ne i})"
            r" \text{ with } A_i\text{'s subscripts as output}")
    plain = "d einsum(..., A_i, ...)/d A_i = einsum(Gbar, A_j != i) with A_i's subscripts as output"
    form = ("einsum({...})", r"\mathrm{einsum}({...})")

    def forward(ctx, *operands, spelt, out):
        ctx.spelt, ctx.out = spelt, out
        ctx.sizes = sizes = {}
        for s, a in zip(spelt, operands):
            for c, n in zip(s, a.shape):
                sizes[c] = max(sizes.get(c, 1), n)
        ctx.save_for_backward(*operands)
        eq = ",".join(spelt) + "->" + out
        # np.einsum is Python (numpy/_core/einsumfunc.py): an overflow or invalid-value
        # warning from its calls would be NumPy's own and reach the user (backend.py
        # silences glassgrad's only), where PyTorch says nothing
        with xp.errstate(all="ignore"):
            return xp.einsum(eq, *operands, optimize=len(operands) > 1)

    def backward(ctx, upstream):
        operands, spelt, sizes = ctx.saved, ctx.spelt, ctx.sizes
        # PyTorch contracts a pair of operands that share a summed letter by bmm, whose
        # backward is bmm again: its sums start from +0.0, so no gradient element is -0.0,
        # not even one that is a single product (np.einsum's, then, may be -0.0: + 0.0)
        by_bmm = len(spelt) == 2 and any(c in spelt[1] and c not in ctx.out for c in spelt[0])
        grads = []
        with xp.errstate(all="ignore"):
            for i, need in enumerate(ctx.needs_input_grad):
                g = _einsum_grad(i, upstream, ctx.out, operands, spelt, sizes) if need else None
                if by_bmm and g is not None and g.dtype.kind == "f":
                    g = g + 0.0
                grads.append(g)
        return tuple(grads)


def einsum(equation, *operands):
    """Einstein summation, as torch.einsum: 'ij,jk->ik' is a matrix product, 'ii->i' a
    diagonal, 'bij,bjk->bik' a batched product, '...' the dims no letter names; without
    '->' the output is the letters used once, in alphabetical order. Size-1 dims broadcast.
    The gradient of each operand is einsum again: the upstream with the other operands,
    that operand's subscripts as the output."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    if not operands:
        raise ValueError("einsum: give at least one operand")
    spelt, out, _ = _parse_einsum(equation, [tuple(t.shape) for t in operands])
    return Einsum.apply(*operands, spelt=tuple(spelt), out=out)


def _einsum_grad(i, upstream, out, operands, spelt, sizes):
    """dL/dA_i = einsum of the upstream with every other operand, A_i's letters as output.
    Letters that only A_i has (summed inside A_i alone) are not in any other operand: the
    gradient is constant along them and is broadcast afterwards. A letter repeated in A_i
    (a diagonal, 'ii') gets the gradient on its diagonal and 0 elsewhere."""
    a, subs = operands[i], spelt[i]
    others = [(upstream, out)] + [_drop_broadcast(operands[j], spelt[j], sizes)
                                  for j in range(len(operands)) if j != i]
    seen = set("".join(s for _, s in others))
    unique = "".join(dict.fromkeys(subs))  # A_i's letters, each once, in order
    own = {c: n for c, n in zip(subs, a.shape)}
    target = "".join(c for c in unique if c in seen and own[c] == sizes[c])
    eq = ",".join(s for _, s in others) + "->" + target
    g = xp.einsum(eq, *[x for x, _ in others], optimize=len(others) > 1)
    # back to one axis per unique letter: size-1 axes for the letters einsum left out
    g = g.reshape([own[c] if c in target else 1 for c in unique])
    full = tuple(own[c] for c in unique)
    if len(unique) == len(subs):
        return xp.ascontiguousarray(xp.broadcast_to(g, full)) if g.shape != full else g
    grad = xp.zeros(a.shape, dtype=g.dtype)
    strides = tuple(sum(st for c2, st in zip(subs, grad.strides) if c2 == c) for c in unique)
    xp.lib.stride_tricks.as_strided(grad, full, strides)[...] = g  # write on the diagonal
    return grad


__all__ += ["einsum"]


# ---------------------------------------------------------------- tensordot, cdist
def tensordot(a, b, dims=2):
    """Sum over pairs of dims: ``dims=k`` contracts the last k dims of a with the first k
    of b; ``dims=([da...], [db...])`` names the pairs. Written as an einsum, whose
    backward is einsum again."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: dims={dims} must be between 0 and the smaller "
                             f"number of dims ({min(a.ndim, b.ndim)})")
        pairs = (list(range(a.ndim - dims, a.ndim)), list(range(dims)))
    else:
        pairs = ([d % a.ndim for d in dims[0]], [d % b.ndim for d in dims[1]])
        if len(pairs[0]) != len(pairs[1]):
            raise ValueError(f"tensordot: dims {dims} pair {len(pairs[0])} dims of a with "
                             f"{len(pairs[1])} of b")
    if a.ndim + b.ndim > len(letters):
        raise ValueError("tensordot: too many dims")
    sub_a = list(letters[:a.ndim])
    sub_b = list(letters[a.ndim:a.ndim + b.ndim])
    for da, db in zip(*pairs):
        if a.shape[da] != b.shape[db]:
            raise ShapeError(f"tensordot: dim {da} of a (size {a.shape[da]}) and dim {db} of b "
                             f"(size {b.shape[db]}) are contracted but differ")
        sub_b[db] = sub_a[da]
    out = [s for i, s in enumerate(sub_a) if i not in pairs[0]] + \
          [s for i, s in enumerate(sub_b) if i not in pairs[1]]
    return einsum(f"{''.join(sub_a)},{''.join(sub_b)}->{''.join(out)}", a, b)


def cdist(x1, x2, p=2.0):
    """The p-norm distance between every row of x1 (..., P, M) and every row of x2
    (..., R, M): a (..., P, R) tensor. Computed from the differences (not PyTorch's
    ||a||^2 + ||b||^2 - 2ab shortcut, which loses digits for close points), through
    norm, whose gradient is 0 where two rows coincide, as PyTorch's."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: expected (..., P, M) and (..., R, M) with the same M, got "
                         f"shapes {tuple(x1.shape)} and {tuple(x2.shape)}")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


__all__ += ["tensordot", "cdist"]


# ---------------------------------------------------------------- compositions
# Written with the ops above (and arithmetic, shape, reduction), so the engine gives their
# gradients: each is the formula in its docstring.
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), batch by batch: (b, n, m) @ (b, m, p), input
    broadcast to (b, n, p). With beta = 0 the input is ignored (its nans and infs too)."""
    product = bmm(batch1, batch2)
    product = product if alpha == 1 else product * alpha
    if beta == 0:
        return product
    return (input if beta == 1 else input * beta) + product


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum_k batch1[k] @ batch2[k]: the batch of products summed."""
    product = bmm(batch1, batch2).sum(0)
    product = product if alpha == 1 else product * alpha
    if beta == 0:
        return product
    return (input if beta == 1 else input * beta) + product


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (None: the first dim of size 3, as
    torch.cross; torch.linalg.cross takes -1), the two broadcast together:
    c = (a2 b3 - a3 b2, a3 b1 - a1 b3, a1 b2 - a2 b1). d c/d a = [b]x^T, composed of
    select, mul, sub and stack."""
    from . import shape

    a, b = shape.broadcast_tensors(input, other)
    if dim is None:
        sized_3 = [d for d, n in enumerate(a.shape) if n == 3]
        if not sized_3:
            raise ValueError(f"cross: no dimension of size 3 in input of shape {tuple(a.shape)}")
        dim = sized_3[0]
    d = shape._dim(dim, a.ndim, "cross")
    if a.shape[d] != 3:
        raise ValueError(f"cross: dimension {dim} does not have size 3 (shapes {tuple(input.shape)} "
                         f"and {tuple(other.shape)})")
    a1, a2, a3 = shape.unbind(a, d)
    b1, b2, b3 = shape.unbind(b, d)
    return shape.stack([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], dim=d)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (columns are
    observations; a 1-D input is one variable, giving a 0-d variance):

        C = (X - mean) W (X - mean)^T / (sum w - correction)

    with w = fweights * aweights (integer frequencies times real weights; all 1 by
    default) and, when aweights are given, correction scaled by sum(w aweights)/sum(w), as
    torch.cov. A normaliser <= 0 gives inf or nan, as in torch."""
    from .reduction import sum as total

    if input.ndim > 2:
        raise ValueError(f"cov: expected input with at most 2 dims, got shape {tuple(input.shape)}")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    if x.array.dtype.kind in "biu":
        x = x.to(_default_float())
    n = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        if weights.ndim > 1 or weights.numel() != n:
            raise ValueError(f"cov: {name} must be a 1-D tensor of {n} weights (one per "
                             f"observation), got shape {tuple(weights.shape)}")
        if (weights.array < 0).any():
            raise ValueError(f"cov: {name} cannot be negative")
        if name == "fweights" and weights.array.dtype.kind not in "iu":
            raise ValueError("cov: fweights must be integers")
        w = weights if w is None else w * weights
    if w is None:
        mean = x.mean(1, keepdim=True)
        norm = n - correction
        centred = x - mean
        c = matmul(centred, centred.T) / float(builtins.max(norm, 0))
    else:
        w = w.to(x.dtype)
        w_sum = total(w)
        mean = total(x * w, 1, keepdim=True) / w_sum
        norm = w_sum - correction if aweights is None else (
            w_sum - correction * total(w * aweights.to(x.dtype)) / w_sum)
        centred = x - mean
        c = matmul(centred * w, centred.T) / norm.clamp(min=0)
    return c.reshape(()) if input.ndim < 2 else c


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``: C_ij / sqrt(C_ii C_jj)
    with C = cov(input), clipped to [-1, 1] as torch does (rounding can leave a
    correlation a hair outside)."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.reshape(-1, 1)
    c = c / std.reshape(1, -1)
    return c.clamp(-1, 1)


def _default_float():
    from .. import backend

    return backend.get_default_dtype()


__all__ += ["baddbmm", "addbmm", "cross", "cov", "corrcoef"]


# ---------------------------------------------------------------- Cholesky, triangular solves
def _tril_or_triu(a, upper):
    return xp.triu(a) if upper else xp.tril(a)


def _mT(a):
    return xp.swapaxes(a, -1, -2)


def _need_matrices(op, t, name):
    if t.ndim < 2:
        raise ShapeError(f"{op}: {name} must be a matrix or a batch of matrices (at least 2-D), "
                         f"got shape {tuple(t.shape)}")


class Cholesky(LinearAlgebra):
    label = "cholesky"
    rule = (r"A = L L^T:\ \bar A = \tfrac12 (S + S^T),\ S = L^{-T}\,\Phi(L^T \bar L)\,L^{-1},"
            r"\ \Phi = \text{lower triangle, diagonal halved}")
    plain = ("A = L L^T: dA = (S + S^T)/2, S = L^-T Phi(L^T dL) L^-1, Phi = lower triangle "
             "with the diagonal halved")
    form = ("cholesky({...})", r"\mathrm{chol}({...})")
    float_only = True

    def forward(ctx, a, upper=False):
        ctx.upper = upper
        try:
            low = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            raise ValueError(f"cholesky: the input (shape {a.shape}) is not positive-definite "
                             "(a covariance matrix must be symmetric with positive eigenvalues)") from None
        ctx.save_for_backward(low)
        return _mT(low).copy() if upper else low

    def backward(ctx, upstream):
        (low,) = ctx.saved
        g = xp.tril(_mT(upstream) if ctx.upper else upstream)  # as the gradient of L
        phi = xp.tril(_mT(low) @ g)
        phi[..., range(phi.shape[-1]), range(phi.shape[-1])] *= 0.5  # Phi: diagonal halved
        # S = L^-T Phi L^-1, by two triangular solves instead of an inverse
        s = xp.linalg.solve(_mT(low), phi)
        s = _mT(xp.linalg.solve(_mT(low), _mT(s)))
        return 0.5 * (s + _mT(s))  # A is symmetric: the gradient of its symmetric part


def cholesky(input, upper=False):
    """The Cholesky factor of a symmetric positive-definite matrix (or a batch of them):
    lower-triangular L with A = L L^T (``upper=True``: U = L^T, A = U^T U). A matrix that
    is not positive-definite raises ValueError."""
    _need_matrices("cholesky", input, "input")
    return Cholesky.apply(input, upper=upper)


class SolveTriangular(LinearAlgebra):
    label = "solve_triangular"
    rule = r"X = A^{-1} B:\ \bar B = A^{-T} \bar X,\ \bar A = -\,\mathrm{tri}(\bar B X^T)"
    plain = "X = A^-1 B: dB = A^-T dX, dA = -tri(dB X^T) (the triangle A lives in)"
    form = ("solve_triangular({...})", r"{0}^{{-1}} {1}")
    float_only = True

    def forward(ctx, a, b, upper=False, unitriangular=False):
        ctx.upper, ctx.unit = upper, unitriangular
        ctx.shapes = (a.shape, b.shape)
        tri = _tril_or_triu(a, upper)
        if unitriangular:  # the diagonal is taken as ones, whatever a holds there
            n = a.shape[-1]
            tri[..., range(n), range(n)] = 1
        x = xp.linalg.solve(tri, b)
        ctx.save_for_backward(tri, x)
        return x

    def backward(ctx, upstream):
        tri, x = ctx.saved
        a_shape, b_shape = ctx.shapes
        gb = xp.linalg.solve(_mT(tri), upstream)
        ga = -_tril_or_triu(gb @ _mT(x), ctx.upper)
        if ctx.unit:
            ga[..., range(ga.shape[-1]), range(ga.shape[-1])] = 0
        return _sum_to(ga, a_shape), _sum_to(gb, b_shape)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B for a triangular A (the lower triangle is read, or the upper with
    ``upper=True``; ``unitriangular``: ones on the diagonal), batch dims broadcast, as
    torch.linalg.solve_triangular. ``left=False``: X with X A = B, solved as
    A^T X^T = B^T (A^T is triangular in the other triangle)."""
    _need_matrices("solve_triangular", A, "A")
    _need_matrices("solve_triangular", B, "B")
    if not left:
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    if A.shape[-1] != A.shape[-2] or A.shape[-1] != B.shape[-2]:
        raise ShapeError(f"solve_triangular: A must be square and match B's rows, got shapes "
                         f"{tuple(A.shape)} and {tuple(B.shape)}")
    return SolveTriangular.apply(A, B, upper=upper, unitriangular=unitriangular)


__all__ += ["cholesky", "solve_triangular"]


# ---------------------------------------------------------------- bilinear
# The bilinear map of two inputs (F.bilinear, nn.Bilinear):
#     y_o = x_1^T A_o x_2 + b_o = sum_{i,j} x_{1,i} A_{o,i,j} x_{2,j} + b_o,  A: (out, in1, in2)
# written as two contractions of existing ops (a matmul, then a product summed over j), so
# the backward comes from them: u_{o,j} = sum_i x_{1,i} A_{o,i,j}, y_o = sum_j u_{o,j} x_{2,j}
from ..tensor import Tensor  # noqa: E402


def bilinear(input1, input2, weight, bias=None):
    r"""y = x_1^T A x_2 + b for inputs (*, in1) and (*, in2) -> (*, out); weight (out, in1,
    in2), bias (out,)."""
    op = "bilinear"
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a glassgrad Tensor, got {type(t).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"{op}: weight must have shape (out, in1, in2), got {tuple(weight.shape)}")
    out, in1, in2 = weight.shape
    if (input1.ndim < 1 or input1.shape[-1] != in1 or input2.ndim < 1 or input2.shape[-1] != in2
            or input1.shape[:-1] != input2.shape[:-1]):
        raise ValueError(f"{op}: expected input1 (*, {in1}) and input2 (*, {in2}) with the same "
                         f"leading dims, got {tuple(input1.shape)} and {tuple(input2.shape)}")
    lead = tuple(input1.shape[:-1])
    # u[n, o, j] = sum_i x1[n, i] A[o, i, j]: one matmul with A laid out as (in1, out * in2)
    u = matmul(input1.reshape(-1, in1), weight.permute(1, 0, 2).reshape(in1, out * in2))
    u = u.reshape(-1, out, in2)
    y = (u * input2.reshape(-1, 1, in2)).sum(dim=-1)  # y[n, o] = sum_j u[n, o, j] x2[n, j]
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out,))


__all__ += ["bilinear"]


def inner(input, other):
    """The inner product over the last dims: out[i.., j..] = sum_k a[i.., k] b[j.., k]
    (a 0-d operand: the plain product). A tensordot, whose backward is einsum's."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return tensordot(input, other, dims=([-1], [-1]))


__all__ += ["inner"]


# ---------------------------------------------------------------- inverse, det, solve
# Square matrices (or batches of them, the last two dims). A singular input: inverse and
# solve raise ValueError (torch raises its LinAlgError, a RuntimeError); det gives 0 with
# the adjugate as gradient; slogdet gives sign 0 and log|det| = -inf, as torch, and its
# backward raises (the gradient A^-T does not exist there).
def _need_square(op, t, name="A"):
    _need_matrices(op, t, name)
    if t.shape[-1] != t.shape[-2]:
        raise ShapeError(f"{op}: {name} must be square (or a batch of square matrices), got "
                         f"shape {tuple(t.shape)}")


def _singular(op, shape):
    return ValueError(f"{op}: the input (shape {tuple(shape)}) is singular (not invertible); "
                      "expected an invertible matrix")


class Inverse(LinearAlgebra):
    label = "inverse"
    rule = r"\partial A^{-1}:\ \bar A = -A^{-T}\,\bar G\,A^{-T}"
    plain = "dA = -A^-T Gbar A^-T"
    form = ("inverse({...})", r"{0}^{{-1}}")
    float_only = True

    def forward(ctx, a):
        try:
            inv = xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise _singular("inverse", a.shape) from None
        ctx.save_for_backward(inv)
        return inv

    def backward(ctx, upstream):
        (inv,) = ctx.saved
        inv_t = _mT(inv)
        return -(inv_t @ upstream @ inv_t)  # d(A^-1) = -A^-1 dA A^-1, transposed


def inverse(input):
    """A^{-1} for a square matrix or a batch of them (torch.inverse, torch.linalg.inv).
    A singular input raises ValueError. dA = -A^{-T} G A^{-T}."""
    _need_square("inverse", input)
    return Inverse.apply(input)


def _adjugate_t(a):
    """adj(A)^T, the cofactor matrix, which exists for a singular A too: from A = U S V^T,
    adj(A) = det(V) det(U) V adj(S) U^T with adj(S) = diag(prod_{j != i} s_j)."""
    u, s, vt = xp.linalg.svd(a)
    n = s.shape[-1]
    others = xp.stack([xp.prod(xp.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1)
    sign = xp.linalg.det(u) * xp.linalg.det(vt)
    adj = sign[..., None, None] * (_mT(vt) * others[..., None, :]) @ _mT(u)
    return _mT(adj)


class Det(LinearAlgebra):
    label = "det"
    rule = r"\partial \det A/\partial A = \det(A)\,A^{-T}\ (\text{the cofactor matrix})"
    plain = "d det(A)/dA = det(A) A^-T (the cofactor matrix; it exists for a singular A too)"
    form = ("det({...})", r"\det {0}")
    float_only = True

    def forward(ctx, a):
        d = xp.linalg.det(a)
        ctx.save_for_backward(a, d)
        return d

    def backward(ctx, upstream):
        a, d = ctx.saved
        if (d != 0).all():
            try:  # G det(A) A^-T = solve(A^T, G det(A) I): one solve, no inverse
                eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
                return xp.linalg.solve(_mT(a), (upstream * d)[..., None, None] * eye)
            except xp.linalg.LinAlgError:
                pass
        # a singular matrix: det(A) A^-T is still the cofactor matrix adj(A)^T
        return upstream[..., None, None] * _adjugate_t(a)


def det(input):
    """det(A) for a square matrix or a batch of them (torch.det, torch.linalg.det).
    A singular input gives 0, its gradient the cofactor matrix (as torch).
    dA = G det(A) A^{-T}."""
    _need_square("det", input)
    return Det.apply(input)


class LogAbsDet(LinearAlgebra):
    label = "logabsdet"
    rule = r"\partial \log|\det A|/\partial A = A^{-T}"
    plain = "d log|det A|/dA = A^-T"
    form = ("logabsdet({...})", r"\log|\det {0}|")
    float_only = True

    def forward(ctx, a):
        sign, logabs = xp.linalg.slogdet(a)
        ctx.sign = sign
        ctx.save_for_backward(a)
        return logabs

    def backward(ctx, upstream):
        (a,) = ctx.saved
        if (ctx.sign == 0).any():
            raise _singular("slogdet backward", a.shape)
        # G A^-T = solve(A^T, G I)
        eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return xp.linalg.solve(_mT(a), upstream[..., None, None] * eye)


def slogdet(input):
    """(sign, log|det A|) for a square matrix or a batch of them (torch.slogdet,
    torch.linalg.slogdet); sign has no gradient. A singular input gives (0, -inf), as
    torch; its backward then raises ValueError. d log|det A|/dA = A^{-T}."""
    _need_square("slogdet", input)
    logabs = LogAbsDet.apply(input)
    sign = Tensor._wrap(xp.linalg.slogdet(input.array)[0].astype(input.array.dtype))
    return SlogdetResult(sign, logabs)


def logdet(input):
    """log det(A) (torch.logdet): nan where det(A) < 0, -inf where det(A) = 0.
    d/dA = A^{-T}."""
    _need_square("logdet", input)
    sign, logabs = slogdet(input)
    with xp.errstate(divide="ignore", invalid="ignore"):
        # log(sign) is 0 for sign 1, nan for -1, -inf for 0: the value torch gives
        return logabs + Tensor._wrap(xp.log(sign.array))


class Solve(LinearAlgebra):
    label = "solve"
    rule = r"X = A^{-1} B:\ \bar B = A^{-T} \bar X,\ \bar A = -\bar B X^T"
    plain = "X = A^-1 B: dB = A^-T dX, dA = -dB X^T"
    form = ("solve({...})", r"{0}^{{-1}} {1}")
    float_only = True

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        try:
            x = xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise _singular("solve", a.shape) from None
        ctx.save_for_backward(a, x)
        return x

    def backward(ctx, upstream):
        a, x = ctx.saved
        a_shape, b_shape = ctx.shapes
        gb = xp.linalg.solve(_mT(a), upstream)  # dB = A^-T G
        ga = -(gb @ _mT(x))                     # dA = -dB X^T
        return _sum_to(ga, a_shape), _sum_to(gb, b_shape)


def solve(A, B, *, left=True):
    """X with A X = B (torch.linalg.solve), batch dims broadcast. B is a vector (or batch
    of vectors) when it is 1-D or has A's shape without the last dim, as torch decides.
    A singular A raises ValueError. ``left=False``: X with X A = B (B a matrix, or a batch),
    solved as A^T X^T = B^T. dB = A^{-T} G, dA = -dB X^T."""
    _need_square("solve", A)
    if not left:
        if B.ndim < 2 or B.shape[-1] != A.shape[-1]:
            raise ShapeError(f"solve: with left=False (X A = B), B must be a matrix with "
                             f"{A.shape[-1]} columns, got shapes {tuple(A.shape)} and "
                             f"{tuple(B.shape)}")
        return Solve.apply(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-1]:
        raise ShapeError(f"solve: A of shape {tuple(A.shape)} and B of shape {tuple(B.shape)} "
                         f"do not fit (B needs {A.shape[-1]} rows)")
    x = Solve.apply(A, b)
    return x.squeeze(-1) if vector else x


class SvdVals(LinearAlgebra):
    label = "svdvals"
    rule = r"A = U \Sigma V^T:\ \bar A = U\,\mathrm{diag}(\bar\sigma)\,V^T"
    plain = "A = U S V^T: dA = U diag(dsigma) V^T"
    form = ("svdvals({...})", r"\sigma({0})")
    float_only = True

    def forward(ctx, a):
        u, s, vt = xp.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vt)
        return s

    def backward(ctx, upstream):
        u, vt = ctx.saved
        return (u * upstream[..., None, :]) @ vt  # U diag(g) V^T


def svdvals(A):
    """The singular values of A (or of each matrix of a batch), in descending order
    (torch.linalg.svdvals). dA = U diag(G) V^T (well defined for distinct values)."""
    _need_matrices("svdvals", A, "A")
    return SvdVals.apply(A)


class EigvalsH(LinearAlgebra):
    label = "eigvalsh"
    rule = r"A = V \Lambda V^T:\ \bar A = V\,\mathrm{diag}(\bar\lambda)\,V^T"
    plain = "A = V L V^T: dA = V diag(dlambda) V^T"
    form = ("eigvalsh({...})", r"\lambda({0})")
    float_only = True

    def forward(ctx, a, uplo="L"):
        w, v = xp.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(v)
        return w

    def backward(ctx, upstream):
        (v,) = ctx.saved
        return (v * upstream[..., None, :]) @ _mT(v)  # V diag(g) V^T


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of a symmetric matrix (or batch), ascending (torch.linalg.eigvalsh);
    only the triangle UPLO names is read. dA = V diag(G) V^T (symmetric, as torch's)."""
    _need_square("eigvalsh", A)
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigvalsh: UPLO must be 'L' or 'U', got {UPLO!r}")
    return EigvalsH.apply(A, uplo=UPLO)


def _slogdet_result():
    from collections import namedtuple

    return namedtuple("slogdet", ["sign", "logabsdet"])


SlogdetResult = _slogdet_result()

__all__ += ["inverse", "det", "logdet", "slogdet"]
