r"""Scaled dot-product attention (Vaswani et al., 2017, "Attention is all you need"):

    \mathrm{Attention}(Q, K, V) = \mathrm{softmax}(Q K^T \cdot s + M)\, V,
    s = 1/\sqrt{E} by default (E: the size of a query vector)

Q: (..., L, E) queries, K: (..., S, E) keys, V: (..., S, Ev) values; M: (L, S) or any shape
that broadcasts to the scores (..., L, S), an additive mask (-inf where a query may not
look at a key). Every step is an existing op (matmul, mul, masked_fill or add, softmax,
dropout, matmul), so there is no Function class here: the backward is the engine's, and a
trace shows the steps one by one, as a student would write them. (A fused kernel would be
faster; this file is the readable reference.)

The gradients the engine returns, for a reader checking them on paper, with
P = softmax(S) and O = P V:

    dV = P^T dO,   dP = dO V^T,   dS = P \odot (dP - \mathrm{rowsum}(dP \odot P)),
    dQ = s\, dS\, K,   dK = s\, dS^T Q
"""

import math

from ..backend import xp
from ..tensor import Tensor
from .activation import softmax
from .indexing import masked_fill
from .linalg import matmul
from .pointwise import logical_not
from .shape import repeat_interleave, transpose
from .stochastic import dropout

__all__ = ["scaled_dot_product_attention"]

_OP = "scaled_dot_product_attention"


def attend(query, key, value, scale, bias=None, allowed=None, dropout_p=0.0):
    """The attention steps shared by ``scaled_dot_product_attention`` and
    ``nn.MultiheadAttention``: scores = Q K^T * scale; masked (``allowed``: a bool tensor,
    False = -inf) or shifted (``bias``: added); softmax over the keys; dropout; times V.
    Returns (output, weights), weights being softmax(scores) after dropout."""
    scores = matmul(query, transpose(key, -2, -1)) * scale
    if allowed is not None:
        scores = masked_fill(scores, logical_not(allowed), float("-inf"))
    if bias is not None:
        scores = scores + bias
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, value), weights


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    r"""softmax(Q K^T \cdot s + M) V over the last two dims, as PyTorch's function.

    query (..., L, E), key (..., S, E), value (..., S, Ev) -> output (..., L, Ev).

    - ``scale``: s, by default 1/\sqrt{E}.
    - ``attn_mask``: a bool mask (True: the query may attend to that key; False: its score
      becomes -inf) or a float mask added to the scores; it broadcasts to (..., L, S).
    - ``is_causal``: query i attends to keys 0..i only (the lower triangle of an (L, S)
      mask); not together with ``attn_mask``.
    - ``dropout_p``: dropout on the attention weights (applied whenever > 0, as in
      PyTorch: pass ``dropout_p=p if self.training else 0.0``).
    - ``enable_gqa``: grouped-query attention: the key and value heads (dim -3) are each
      repeated to match the query heads.

    A query row whose keys are all masked gives softmax over only -inf: nan, as the math.
    """
    _check_attention(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if enable_gqa:  # each key/value head serves a group of query heads
        key = repeat_interleave(key, query.shape[-3] // key.shape[-3], dim=-3)
        value = repeat_interleave(value, query.shape[-3] // value.shape[-3], dim=-3)
    allowed = bias = None
    if is_causal:
        allowed = Tensor._wrap(xp.tril(xp.ones((query.shape[-2], key.shape[-2]), dtype=bool)))
    elif attn_mask is not None and attn_mask.array.dtype == xp.bool_:
        allowed = attn_mask
    else:
        bias = attn_mask
    output, _ = attend(query, key, value, scale, bias=bias, allowed=allowed, dropout_p=dropout_p)
    return output


def _check_attention(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{_OP}: {name} must be a glassgrad Tensor, got {type(t).__name__}")
        if t.ndim < 2 or t.array.dtype.kind != "f":
            raise ValueError(f"{_OP}: {name} must be a floating-point tensor of at least 2 dims "
                             f"(..., sequence, features), got shape {tuple(t.shape)}, dtype {t.array.dtype}")
    if query.array.dtype != key.array.dtype or query.array.dtype != value.array.dtype:
        raise TypeError(f"{_OP}: query, key and value must have the same dtype, got "
                        f"{query.array.dtype}, {key.array.dtype} and {value.array.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"{_OP}: query and key need the same feature size (last dim), got "
                         f"{query.shape[-1]} and {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{_OP}: key and value need the same sequence length (dim -2), got "
                         f"{key.shape[-2]} and {value.shape[-2]}")
    if enable_gqa and (query.ndim < 3 or key.ndim < 3 or query.shape[-3] % key.shape[-3]
                       or key.shape[-3] != value.shape[-3]):
        raise ValueError(f"{_OP}: enable_gqa needs a head dim (-3) whose query size is a multiple "
                         f"of the key and value size, got query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)}, value {tuple(value.shape)}")
    if isinstance(dropout_p, bool) or not isinstance(dropout_p, (int, float)) or not 0 <= dropout_p <= 1:
        raise ValueError(f"{_OP}: dropout_p must be a probability in [0, 1], got {dropout_p!r}")
    if attn_mask is None:
        return
    if is_causal:
        raise ValueError(f"{_OP}: give attn_mask or is_causal=True, not both (is_causal builds "
                         "its own lower-triangular mask)")
    if not isinstance(attn_mask, Tensor):
        raise TypeError(f"{_OP}: attn_mask must be a glassgrad Tensor, got {type(attn_mask).__name__}")
    kind = attn_mask.array.dtype
    if kind != xp.bool_ and kind != query.array.dtype:
        raise TypeError(f"{_OP}: attn_mask must be a bool tensor or have the query's dtype "
                        f"{query.array.dtype}, got {kind}")
    scores = query.shape[:-1] + (key.shape[-2],)
    try:
        ok = xp.broadcast_shapes(attn_mask.shape, scores) == tuple(scores)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{_OP}: attn_mask of shape {tuple(attn_mask.shape)} does not broadcast "
                         f"to the scores' shape {tuple(scores)} (..., L, S)")
