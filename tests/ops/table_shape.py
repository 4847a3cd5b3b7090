"""Op table rows: shape ops and indexing (row format: see harness.py).

Indexing rows cover basic slicing (a view), None and Ellipsis, integer lists and integer
tensors with repeated indices (the gradient of a repeated element is the sum of its
uses), boolean masks, and out-of-place item assignment (index_put) through
``y[index] = value`` on a tracked tensor.
"""

import numpy as np

from harness import Case, index, mask, randn

REPEATS = np.array([0, 2, 0, 1, 2, 2])


def _setitem(index):
    """y = x.clone(); y[index] = v: the tracked __setitem__ path (index_put)."""

    def fn(F, x, v):
        y = x.clone()
        y[index] = v
        return y

    return fn


def _setitem_scalar(index, value):
    def fn(F, x):
        y = x.clone()
        y[index] = value
        return y

    return fn


CASES = [
    # --- reshape family
    Case("reshape", (3, 4), fn=lambda F, x: x.reshape(2, 6), name="x.reshape(2, 6)"),
    Case("reshape", (2, 3, 4), fn=lambda F, x: F.reshape(x, (4, -1)), name="reshape(x, (4, -1))"),
    Case("view", (3, 4), fn=lambda F, x: x.view(-1), name="x.view(-1)"),
    Case("view", (2, 3, 4), fn=lambda F, x: x.view(6, 4) * 2, name="x.view(6, 4)"),
    Case("view_as", (2, 6), (3, 4), fn=lambda F, x, y: x.view_as(y) * y, name="x.view_as(y)"),
    Case("reshape_as", (2, 6), (4, 3), fn=lambda F, x, y: x.t().reshape_as(y),
         name="x.t().reshape_as(y)"),
    Case("flatten", (2, 3, 4)),
    Case("flatten", (2, 3, 4, 5), start_dim=1),
    Case("flatten", (2, 3, 4, 5), start_dim=1, end_dim=-2),
    Case("squeeze", (3, 1, 4, 1)),
    Case("squeeze", (3, 1, 4, 1), dim=1),
    Case("squeeze", (3, 1, 4, 1), dim=-1),
    Case("squeeze", (3, 1, 4, 1), dim=0, name="squeeze,non-1 dim is kept"),
    Case("squeeze", (3, 1, 4, 1), dim=(1, 3)),
    Case("unsqueeze", (3, 4), dim=0),
    Case("unsqueeze", (3, 4), dim=-1),
    Case("unsqueeze", (3, 4), dim=1),
    Case("contiguous", (3, 4), fn=lambda F, x: x.t().contiguous() * 2, name="x.t().contiguous()"),
    # --- axis order
    Case("transpose", (3, 4), dim0=0, dim1=1),
    Case("transpose", (2, 3, 4), dim0=-1, dim1=0),
    Case("permute", (2, 3, 4), fn=lambda F, x: x.permute(2, 0, 1), name="x.permute(2, 0, 1)"),
    Case("permute", (2, 3, 4, 5), fn=lambda F, x: F.permute(x, (1, 3, 0, 2)),
         name="permute(x, (1, 3, 0, 2))"),
    Case("t", (3, 4)),
    Case("t", (4,), name="t,1-d"),
    Case("T", (3, 4), fn=lambda F, x: x.T * 1, name="x.T"),
    Case("mT", (2, 3, 4), fn=lambda F, x: x.mT * 1, name="x.mT"),
    # --- broadcasting views (the engine sums the copies)
    Case("broadcast_to", (3, 1), size=(2, 3, 4)),
    Case("broadcast_to", (4,), size=(3, 4)),
    Case("expand", (3, 1), fn=lambda F, x: x.expand(2, -1, 4), name="x.expand(2, -1, 4)"),
    Case("expand_as", (1, 4), (3, 4), fn=lambda F, x, y: x.expand_as(y) * y,
         name="x.expand_as(y)"),
    # --- joining and padding
    Case("cat", (3, 4), (2, 4), fn=lambda F, a, b: F.cat([a, b]), name="cat dim 0"),
    Case("cat", (3, 4), (3, 2), (3, 1), fn=lambda F, a, b, c: F.cat((a, b, c), dim=-1),
         name="cat dim -1"),
    Case("cat", (3, 4), randn(3, 2, requires_grad=False), fn=lambda F, a, b: F.cat([a, b], 1),
         name="cat,one input without grad"),
    Case("stack", (3, 4), (3, 4), fn=lambda F, a, b: F.stack([a, b]), name="stack dim 0"),
    Case("stack", (3, 4), (3, 4), (3, 4), fn=lambda F, a, b, c: F.stack([a, b, c], dim=-1),
         name="stack dim -1"),
    Case("stack", (3, 4), (3, 4), fn=lambda F, a, b: F.stack([a, b], 1), name="stack dim 1"),
    Case("pad", (2, 3, 4), pad=(1, 2)),
    Case("pad", (2, 3, 4), pad=(1, 0, 2, 1), value=0.5),
    Case("pad", (2, 3, 4), pad=(0, 0, 0, 0, 1, 1)),
    Case("pad", (2, 3, 4), pad=(-1, 2, 1, -1), name="pad,negative crops"),
    # reflect / replicate / circular: copies of input elements (the corners are copied
    # up to 4 times; their gradient sums every copy's upstream)
    Case("pad", (2, 3, 5), pad=(2, 3), mode="reflect", name="pad,reflect last dim"),
    Case("pad", (2, 2, 4, 5), pad=(1, 2, 3, 0), mode="reflect", name="pad,reflect 2 dims"),
    Case("pad", (2, 3, 4), pad=(3, 1), mode="replicate", name="pad,replicate last dim"),
    Case("pad", (1, 2, 3, 4), pad=(2, 2, 1, 4), mode="replicate", name="pad,replicate 2 dims"),
    Case("pad", (2, 3, 4), pad=(4, 2), mode="circular", name="pad,circular last dim"),
    Case("pad", (1, 2, 3, 4), pad=(1, 3, 3, 2), mode="circular", name="pad,circular 2 dims"),
    # --- getitem: basic (views)
    Case("getitem", (4, 5), fn=lambda F, x: x[1], name="x[1]"),
    Case("getitem", (4, 5), fn=lambda F, x: x[-1, 2], name="x[-1, 2]"),
    Case("getitem", (4, 5), fn=lambda F, x: x[1:3], name="x[1:3]"),
    Case("getitem", (4, 5), fn=lambda F, x: x[:, ::2], name="x[:, ::2]"),
    Case("getitem", (2, 3, 4), fn=lambda F, x: x[..., 1:], name="x[..., 1:]"),
    Case("getitem", (2, 3, 4), fn=lambda F, x: x[None, :, None, 0], name="x[None, :, None, 0]"),
    Case("getitem", (2, 3, 4), fn=lambda F, x: x[1, ..., None], name="x[1, ..., None]"),
    # --- getitem: advanced (copies, repeated indices add up)
    Case("getitem", (4, 5), fn=lambda F, x: x[[0, 2, 0]], name="x[[0, 2, 0]]"),
    Case("getitem", (4, 5), index(6, high=4), fn=lambda F, x, i: x[i], name="x[int tensor]"),
    Case("getitem", (4, 5), index(2, 3, high=5), fn=lambda F, x, i: x[:, i],
         name="x[:, 2-d int tensor]"),
    Case("getitem", (4, 5), index(6, high=4), index(6, high=5), fn=lambda F, x, i, j: x[i, j],
         name="x[i, j]"),
    Case("getitem", (3, 4, 5), fn=lambda F, x: x[REPEATS, 1:, REPEATS[:1]],
         name="x[ints, 1:, ints] (advanced dims split)"),
    Case("getitem", (4, 5), mask(4, 5), fn=lambda F, x, m: x[m], name="x[bool mask]"),
    Case("getitem", (4, 5), mask(4), fn=lambda F, x, m: x[m, 1:], name="x[row mask, 1:]"),
    Case("getitem", (4, 5), fn=lambda F, x: x[x > 0], name="x[x > 0]"),
    # --- index_put through y[index] = value (tracked)
    Case("index_put", (4, 5), (2, 5), fn=_setitem(slice(1, 3)), name="y[1:3] = v"),
    Case("index_put", (4, 5), (5,), fn=_setitem(np.array([0, 3])), name="y[[0, 3]] = v broadcast"),
    Case("index_put", (4, 5), (), fn=_setitem((slice(None), 2)), name="y[:, 2] = 0-d v"),
    Case("index_put", (4, 5), fn=_setitem_scalar(np.array([0, 2, 0]), 0.5),
         name="y[[0, 2, 0]] = 0.5"),
    Case("index_put", (4, 5), mask(4, 5), fn=lambda F, x, m: _setitem_scalar(m, -1.0)(F, x),
         name="y[mask] = -1.0"),
    Case("index_put", (4, 5), (1, 3), fn=_setitem((slice(1, 2), slice(0, 3))),
         name="y[1:2, :3] = v"),
    Case("index_put", (4, 5), index(3, high=4), (3, 5),
         fn=lambda F, x, i, v: x.index_put((i,), v, accumulate=True), name="x.index_put accumulate"),
    Case("index_put", (4, 5), index(6, high=4), index(6, high=5), (6,),
         fn=lambda F, x, i, j, v: F.index_put(x, (i, j), v, accumulate=True),
         name="index_put((i, j), v, accumulate)"),
    Case("where", mask(3, 4), (3, 4), (3, 4), fn=lambda F, c, x, y: x.where(c, y),
         name="x.where(c, y)"),
]
