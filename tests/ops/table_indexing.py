"""Op table rows: pieces (split chunk unbind narrow select), reordering and repeating (flip
roll repeat tile), triangles and diagonals (tril triu diag diagonal trace), indexing along
a dim (gather scatter scatter_add index_select masked_fill sort topk argsort) and small
linear algebra (outer dot bmm addmm einsum). Row format: see harness.py.

Pieces: all pieces of a split get a random upstream, so the rows check that the engine
adds the pieces' gradients into the input's. gather, index_select and scatter_add rows use
random indices (repeats are likely, and their gradients add up); scatter rows use fixed
indices without repeats, because which value a repeated scatter keeps is unspecified in
PyTorch. sort and topk inputs come from ``grid(distinct=True)``: no ties, so the
permutation (and the gradient) is unique.
"""

import numpy as np

from harness import Arg, Case, grid, index, mask


class Fixed(Arg):
    """A fixed int64 index array (no gradient)."""

    def __init__(self, value):
        super().__init__(np.shape(value), "index", False, high=0)
        self.value = np.asarray(value, dtype=np.int64)

    def make(self, rng, dtype):
        return self.value.copy()


def _in_place(method, *args, **kwargs):
    """y = x * 1; y.<method>(*args): the tracked in-place path, then y."""

    def fn(F, x, *tensors):
        y = x * 1
        getattr(y, method)(*args, *tensors, **kwargs)
        return y

    return fn


def _pieces_used_twice(F, x):
    # the first piece is used in two products: its gradient is the sum of both
    a, b, c = F.split(x, [1, 2, 1])
    return a * b[:1] + a * c, b.exp()


CASES = [
    # --- pieces: each a view node; the engine sums their gradients
    Case("split", (5, 4), fn=lambda F, x: F.split(x, 2), name="split(x, 2)"),
    Case("split", (3, 6), fn=lambda F, x: F.split(x, [1, 3, 2], dim=1),
         name="split(x, [1, 3, 2], dim=1)"),
    Case("split", (3, 6), fn=lambda F, x: x.split(4, -1), name="x.split(4, -1)"),
    Case("split", (4, 3), fn=_pieces_used_twice, name="split pieces used twice"),
    Case("split", (4, 3), fn=lambda F, x: F.split(x, 1)[2] * 3, name="split, one piece used"),
    Case("chunk", (7, 3), chunks=3),
    Case("chunk", (2, 6), chunks=4, dim=1),
    Case("chunk", (4, 5), chunks=2, dim=0, hyp="reduce", name="chunk,drawn"),
    Case("unbind", (3, 4), dim=0, hyp="reduce", name="unbind,drawn"),
    Case("unbind", (2, 3, 4), dim=-1),
    Case("unbind", (3, 4), fn=lambda F, x: (lambda r: r[0] * r[2] + r[0])(x.unbind()),
         name="unbind rows used twice"),
    Case("narrow", (4, 6), fn=lambda F, x: F.narrow(x, 1, 2, 3), name="narrow(x, 1, 2, 3)"),
    Case("narrow", (4, 6), fn=lambda F, x: x.narrow(0, -3, 2), name="x.narrow(0, -3, 2)"),
    Case("select", (3, 4, 5), fn=lambda F, x: F.select(x, 1, -1), name="select(x, 1, -1)"),
    Case("select", (3, 4), fn=lambda F, x: x.select(0, 2) * 2, name="x.select(0, 2)"),
    # --- reordering and repeating
    Case("flip", (3, 4, 5), dims=(0, 2)),
    Case("flip", (3, 4), fn=lambda F, x: x.flip(1), name="x.flip(1)"),
    Case("flip", (3, 4), fn=lambda F, x: x.flip(0, -1), name="x.flip(0, -1)"),
    Case("roll", (3, 4), shifts=1, name="roll,flattened"),
    Case("roll", (3, 4), shifts=(1, -2), dims=(0, 1)),
    Case("roll", (3, 4), shifts=5, dims=1, name="roll,shift beyond size"),
    Case("roll", (2, 3, 4), fn=lambda F, x: x.roll(-1, 2), name="x.roll(-1, 2)"),
    Case("repeat", (3, 4), fn=lambda F, x: x.repeat(2, 3), name="x.repeat(2, 3)"),
    Case("repeat", (3, 4), fn=lambda F, x: x.repeat(2, 1, 3), name="x.repeat(2, 1, 3)"),
    Case("repeat", (4,), fn=lambda F, x: x.repeat((3, 2)), name="x.repeat((3, 2))"),
    Case("tile", (3, 4), dims=(2,)),
    Case("tile", (3, 4), dims=(2, 1, 2)),
    Case("fliplr", (3, 4, 2)),
    Case("flipud", (3, 4)),
    Case("rot90", (3, 4), k=1, dims=(0, 1)),
    Case("rot90", (2, 3, 4), k=-1, dims=(2, 0)),
    Case("rot90", (2, 3, 4), k=2, dims=(1, 2)),
    Case("rot90", (2, 3, 4), k=3, dims=(0, 1)),
    Case("rot90", (3, 4), k=4, dims=(0, 1), name="rot90,k=4 (a copy)"),
    Case("movedim", (2, 3, 4, 5), source=1, destination=-1),
    Case("movedim", (2, 3, 4, 5), source=(0, 3), destination=(2, 0)),
    Case("moveaxis", (2, 3, 4), fn=lambda F, x: x.moveaxis(0, 1) * 2, name="x.moveaxis(0, 1)"),
    Case("swapaxes", (2, 3, 4), fn=lambda F, x: x.swapaxes(0, 2) * 2, name="x.swapaxes(0, 2)"),
    Case("swapdims", (2, 3, 4), fn=lambda F, x: F.swapdims(x, -1, 1) * 2,
         name="swapdims(x, -1, 1)"),
    # --- triangles and diagonals
    Case("tril", (4, 5)),
    Case("tril", (4, 5), diagonal=1),
    Case("tril", (2, 4, 4), diagonal=-1),
    Case("triu", (4, 5)),
    Case("triu", (5, 4), diagonal=-2),
    Case("triu", (2, 3, 4), diagonal=1),
    Case("diag", (4,)),
    Case("diag", (4,), diagonal=-1),
    Case("diag", (3,), diagonal=2),
    Case("diag", (3, 5)),
    Case("diag", (3, 5), diagonal=2),
    Case("diag", (5, 3), diagonal=-1),
    Case("diagonal", (3, 4)),
    Case("diagonal", (4, 3), offset=-1),
    Case("diagonal", (2, 3, 4), offset=1, dim1=-1, dim2=0),
    Case("diagonal", (3, 4), offset=9, name="diagonal,offset past the edge (empty)"),
    Case("trace", (3, 4)),
    Case("trace", (4, 4)),
    # --- gather / scatter / index_select (random indices repeat: their gradients add)
    Case("gather", (4, 5), index(4, 7, high=5), fn=lambda F, x, i: F.gather(x, 1, i),
         name="gather(x, 1, i)"),
    Case("gather", (4, 5), index(2, 3, high=4), fn=lambda F, x, i: F.gather(x, 0, i),
         name="gather(x, 0, smaller i)"),
    Case("gather", (2, 3, 4), index(2, 3, 6, high=4), fn=lambda F, x, i: x.gather(-1, i),
         name="x.gather(-1, i)"),
    Case("scatter", (3, 5), Fixed([[0, 2], [4, 1], [3, 0]]), (3, 2),
         fn=lambda F, x, i, s: F.scatter(x, 1, i, s), name="scatter(x, 1, i, src)"),
    Case("scatter", (4, 3), Fixed([[0, 1, 2], [3, 2, 0]]), (2, 3),
         fn=lambda F, x, i, s: x.scatter(0, i, s), name="x.scatter(0, i, src)"),
    Case("scatter", (3, 5), Fixed([[0, 2], [4, 1], [3, 0]]),
         fn=lambda F, x, i: F.scatter(x, 1, i, 0.5), name="scatter(x, 1, i, 0.5)"),
    Case("scatter_add", (3, 5), index(3, 4, high=5), (3, 4),
         fn=lambda F, x, i, s: F.scatter_add(x, 1, i, s), name="scatter_add(x, 1, i, src)"),
    Case("scatter_add", (4, 3), index(5, 3, high=4), (5, 3),
         fn=lambda F, x, i, s: x.scatter_add(0, i, s), name="x.scatter_add(0, i, src)"),
    Case("index_select", (5, 3), index(7, high=5), fn=lambda F, x, i: F.index_select(x, 0, i),
         name="index_select(x, 0, i)"),
    Case("index_select", (2, 5, 3), index(4, high=5),
         fn=lambda F, x, i: x.index_select(1, i), name="x.index_select(1, i)"),
    Case("index_select", (5, 3), index((), high=3), fn=lambda F, x, i: F.index_select(x, -1, i),
         name="index_select(x, -1, 0-d i)"),
    Case("take_along_dim", (4, 5), index(4, 3, high=5),
         fn=lambda F, x, i: F.take_along_dim(x, i, 1), name="take_along_dim(x, i, 1)"),
    Case("take_along_dim", (4, 1), index(2, 3, high=4),
         fn=lambda F, x, i: F.take_along_dim(x, i, dim=0), name="take_along_dim,broadcast"),
    Case("take_along_dim", (4, 5), index(7, high=20),
         fn=lambda F, x, i: x.take_along_dim(i), name="x.take_along_dim(i) flattened"),
    Case("index_add", (5, 3), index(4, high=5), (4, 3),
         fn=lambda F, x, i, s: F.index_add(x, 0, i, s), name="index_add(x, 0, i, src)"),
    Case("index_add", (2, 5), index(6, high=5), (2, 6),
         fn=lambda F, x, i, s: x.index_add(1, i, s, alpha=-2.5), name="x.index_add(1, alpha)"),
    Case("index_copy", (5, 3), Fixed([4, 0, 2]), (3, 3),
         fn=lambda F, x, i, s: F.index_copy(x, 0, i, s), name="index_copy(x, 0, i, src)"),
    Case("index_copy", (2, 5), Fixed([1, 3]), (2, 2),
         fn=lambda F, x, i, s: x.index_copy(-1, i, s), name="x.index_copy(-1, i, src)"),
    Case("index_fill", (4, 5), Fixed([0, 3, 0]), fn=lambda F, x, i: F.index_fill(x, 1, i, -2.0),
         name="index_fill(x, 1, i, -2.0)"),
    Case("index_fill", (4, 5), Fixed([2]), (), fn=lambda F, x, i, v: x.index_fill(0, i, v),
         name="x.index_fill(0, i, 0-d tensor)"),
    Case("masked_select", (3, 4), mask(3, 4)),
    Case("masked_select", (3, 1), mask(2, 3, 4), name="masked_select,broadcast"),
    # --- masked_fill
    Case("masked_fill", (3, 4), mask(3, 4), value=-1.0),
    Case("masked_fill", (3, 4), mask(4), value=2.0, name="masked_fill,mask broadcast"),
    Case("masked_fill", (3, 1), mask(3, 4), value=0.0, name="masked_fill,input broadcast"),
    Case("masked_fill", (3, 4), mask(3, 4), (), fn=lambda F, x, m, v: F.masked_fill(x, m, v),
         name="masked_fill,0-d tensor value"),
    Case("masked_fill_", (3, 4), mask(3, 4), fn=_in_place("masked_fill_", value=1.5),
         name="y.masked_fill_(mask, 1.5)"),
    Case("masked_fill_", (3, 4), mask(3, 4), (), fn=_in_place("masked_fill_"),
         name="y.masked_fill_(mask, 0-d tensor)"),
    Case("scatter_", (3, 5), Fixed([[0, 2], [4, 1], [3, 0]]), (3, 2),
         fn=lambda F, x, i, s: _in_place("scatter_", 1, i, s)(F, x), name="y.scatter_(1, i, s)"),
    Case("scatter_add_", (3, 5), index(3, 4, high=5), (3, 4),
         fn=lambda F, x, i, s: _in_place("scatter_add_", 1, i, s)(F, x),
         name="y.scatter_add_(1, i, s)"),
    # --- sort / topk / argsort (no ties)
    Case("sort", grid(3, 5, distinct=True)),
    Case("sort", grid(4, 3, distinct=True), dim=0, descending=True),
    Case("sort", grid(3, 6, distinct=True), stable=True, name="sort,stable"),
    Case("sort", grid(3, 4, distinct=True), dim=-1, hyp="reduce", name="sort,drawn"),
    Case("sort", grid(3, 4, distinct=True), dim=0, descending=True, hyp="reduce",
         name="sort,descending drawn"),
    Case("topk", grid(3, 6, distinct=True), k=2),
    Case("topk", grid(5, 4, distinct=True), k=3, dim=0, largest=False),
    Case("topk", grid(2, 3, 4, distinct=True), k=4, dim=-1, sorted=True),
    Case("topk", grid(9, 3, distinct=True), k=2, dim=0, largest=False,
         name="topk,partition path smallest"),
    Case("topk", grid(2, 11, distinct=True), k=3, name="topk,partition path largest"),
    Case("topk", grid(3, 6, distinct=True), fn=lambda F, x: x.topk(1, 0).values * 2,
         name="x.topk(1, 0).values"),
    Case("kthvalue", grid(3, 5, distinct=True), k=2),
    Case("kthvalue", grid(4, 3, distinct=True), k=4, dim=0, keepdim=True),
    Case("kthvalue", grid(2, 3, 4, distinct=True), k=1, dim=1),
    Case("argsort", grid(3, 5, distinct=True), dim=0, gradcheck=False),
    Case("argsort", grid(3, 5, distinct=True), descending=True, gradcheck=False),
    # --- small linear algebra
    Case("outer", (3,), (4,)),
    Case("dot", (5,), (5,)),
    Case("mv", (3, 4), (4,)),
    Case("bmm", (2, 3, 4), (2, 4, 5)),
    Case("addmm", (2, 3), (2, 4), (4, 3)),
    Case("addmm", (3,), (2, 4), (4, 3), beta=0.5, alpha=2.0),
    Case("addmm", (1, 1), (2, 4), (4, 3), beta=-1.5, name="addmm,input (1, 1)"),
    Case("addmm", (2, 3), (2, 4), (4, 3), beta=0.0, name="addmm,beta 0"),
    # --- einsum: forward and every operand's gradient (einsum with permuted subscripts)
    Case("einsum", (3, 4), (4, 5), fn=lambda F, a, b: F.einsum("ij,jk->ik", a, b),
         name="einsum ij,jk->ik"),
    Case("einsum", (3, 3), fn=lambda F, a: F.einsum("ii->i", a),
         name="einsum ii->i"),
    Case("einsum", (4, 4), fn=lambda F, a: F.einsum("ii", a),
         name="einsum ii"),
    Case("einsum", (3, 4), fn=lambda F, a: F.einsum("ij->", a),
         name="einsum ij->"),
    Case("einsum", (3, 4), fn=lambda F, a: F.einsum("ij->ji", a),
         name="einsum ij->ji"),
    Case("einsum", (2, 3, 4), (2, 4, 5), fn=lambda F, a, b: F.einsum("bij,bjk->bik", a, b),
         name="einsum bij,bjk->bik"),
    Case("einsum", (2, 3, 4), (2, 4, 5), fn=lambda F, a, b: F.einsum("bij,bjk", a, b),
         name="einsum bij,bjk"),
    Case("einsum", (2, 3, 4), (4, 5), fn=lambda F, a, b: F.einsum("...ij,...jk->...ik", a, b),
         name="einsum ...ij,...jk->...ik"),
    Case("einsum", (3,), (4,), fn=lambda F, a, b: F.einsum("i,j->ij", a, b),
         name="einsum i,j->ij"),
    Case("einsum", (5,), (5,), fn=lambda F, a, b: F.einsum("i,i->", a, b),
         name="einsum i,i->"),
    Case("einsum", (3, 1), (4,), fn=lambda F, a, b: F.einsum("ij,j->i", a, b),
         name="einsum ij,j->i"),
    Case("einsum", (3, 3, 2), fn=lambda F, a: F.einsum("iij->ji", a),
         name="einsum iij->ji"),
    Case("einsum", (2, 3, 4), (2, 4), fn=lambda F, a, b: F.einsum("ijk,ik->j", a, b),
         name="einsum ijk,ik->j"),
    Case("einsum", (2, 3), (4, 3, 5), (2, 5),
         fn=lambda F, a, b, c: F.einsum("bn,anm,bm->ba", a, b, c),
         name="einsum bn,anm,bm->ba"),
    Case("einsum", (2, 3, 4), (2, 3, 4), fn=lambda F, a, b: F.einsum("b...,b...->b", a, b),
         name="einsum b...,b...->b"),
    Case("einsum", (3, 4), (4, 5), fn=lambda F, a, b: F.einsum("ij,jk", [a, b]),
         name="einsum,operands as a list"),
]
