r"""Multi-head attention (Vaswani et al., 2017), as PyTorch's ``nn.MultiheadAttention``:

    \mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, ..., \mathrm{head}_h) W^O + b^O,
    \mathrm{head}_i = \mathrm{softmax}(Q W_i^Q (K W_i^K)^T / \sqrt{d} + M)\, V W_i^V,   d = E / h

The h heads' projections W_i^Q (and K, V) are the row blocks of one matrix: rows
[0, E) of ``in_proj_weight`` project the queries, [E, 2E) the keys, [2E, 3E) the values;
each projection's E outputs are cut into h pieces of d, one per head. The parameter names
and shapes are torch's, so a state_dict moves between the two libraries unchanged.

Every step is an existing op (linear, reshape, transpose, the attention steps of
``glassgrad.ops.attention``), so the backward comes from the engine.
"""

import math

from .. import creation
from ..ops.attention import attend
from ..ops.indexing import masked_fill
from ..ops.linalg import linear
from ..ops.shape import cat, expand, pad, reshape, transpose
from ..tensor import Tensor
from . import init
from ._layer_setup import _check_device, _check_size, _empty_parameter, _float_dtype
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear", "multi_head_attention_forward"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under the name PyTorch gives MultiheadAttention's output projection (so a
    printed model reads the same); glassgrad has no quantisation, so it is just Linear."""


class MultiheadAttention(Module):
    r"""Attention of queries to keys and values, in ``num_heads`` heads of size
    ``embed_dim // num_heads``, then an output projection (see the module docstring).

    query (L, N, E) [(N, L, E) with ``batch_first``; (L, E) unbatched], key (S, N, kdim),
    value (S, N, vdim) -> (output (L, N, E), weights (N, L, S) averaged over the heads, or
    (N, h, L, S) with ``average_attn_weights=False``; None with ``need_weights=False``).

    Masks, as PyTorch's (note: True means *masked out* here, the opposite of
    ``F.scaled_dot_product_attention``'s bool mask):

    - ``key_padding_mask`` (N, S): True (or -inf) for padding keys no query may look at;
    - ``attn_mask`` (L, S) or (N * num_heads, L, S): True where query i may not look at
      key j; a float mask is added to the scores;
    - ``is_causal``: a hint that ``attn_mask`` is the causal mask (it must be given).

    ``add_bias_kv`` appends one learnt key and value (``bias_k``, ``bias_v``) to the
    sequence; ``add_zero_attn`` appends a zero key and value. ``dropout`` drops attention
    weights in training mode.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        owner = "MultiheadAttention"
        _check_device(device, owner)
        dtype = _float_dtype(dtype, owner)
        self.embed_dim = _check_size(embed_dim, "embed_dim", owner, 1)
        self.kdim = _check_size(kdim, "kdim", owner, 1) if kdim is not None else embed_dim
        self.vdim = _check_size(vdim, "vdim", owner, 1) if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = _check_size(num_heads, "num_heads", owner, 1)
        if embed_dim % num_heads:
            raise ValueError(f"{owner}: embed_dim ({embed_dim}) must be divisible by num_heads "
                             f"({num_heads}): each head gets embed_dim // num_heads features")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{owner}: dropout must be a probability in [0, 1], got {dropout!r}")
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        E = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _empty_parameter((3 * E, E), dtype)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = _empty_parameter((E, E), dtype)
            self.k_proj_weight = _empty_parameter((E, self.kdim), dtype)
            self.v_proj_weight = _empty_parameter((E, self.vdim), dtype)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty_parameter((3 * E,), dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(E, E, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = _empty_parameter((1, 1, E), dtype)
            self.bias_v = _empty_parameter((1, 1, E), dtype)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's start: Xavier-uniform projections, zero biases, Xavier-normal bias_k/v
        (out_proj.weight keeps Linear's default)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    # ------------------------------------------------------------------ forward
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        batched = self._check_inputs(query, key, value, key_padding_mask, attn_mask, is_causal)
        if batched and self.batch_first:  # (N, L, E) -> (L, N, E)
            query, key, value = (transpose(x, 0, 1) for x in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        if batched and self.batch_first:
            out = transpose(out, 0, 1)
        return out, weights

    def _check_inputs(self, query, key, value, key_padding_mask, attn_mask, is_causal):
        """Refuse what PyTorch refuses, in one line; return whether the input is batched."""
        owner = "MultiheadAttention"
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{owner}: {name} must be a glassgrad Tensor, got {type(t).__name__}")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"{owner}: query, key and value must all be 3-D (batched) or all 2-D "
                             f"(unbatched), got shapes {tuple(query.shape)}, {tuple(key.shape)}, "
                             f"{tuple(value.shape)}")
        sizes = (self.embed_dim, self.kdim, self.vdim)
        for name, t, size in zip(("query", "key", "value"), (query, key, value), sizes):
            if t.shape[-1] != size:
                raise ValueError(f"{owner}: {name} must have {size} features (last dim), got "
                                 f"shape {tuple(t.shape)}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(f"{owner}: key and value must have the same sequence length and "
                             f"batch, got shapes {tuple(key.shape)} and {tuple(value.shape)}")
        if batched:
            batch_dim = 0 if self.batch_first else 1
            if query.shape[batch_dim] != key.shape[batch_dim]:
                raise ValueError(f"{owner}: query and key have different batch sizes: shapes "
                                 f"{tuple(query.shape)} and {tuple(key.shape)}")
        if is_causal and attn_mask is None:
            raise ValueError(f"{owner}: is_causal=True is a hint that attn_mask is the causal mask; "
                             "give attn_mask too (e.g. Transformer.generate_square_subsequent_mask(L))")
        seq = 1 if batched and self.batch_first else 0
        L, S = query.shape[seq], key.shape[seq]
        N = query.shape[1 - seq] if batched else 1
        if key_padding_mask is not None:
            expected = (N, S) if batched else (S,)
            if not isinstance(key_padding_mask, Tensor) or tuple(key_padding_mask.shape) != expected:
                raise ValueError(f"{owner}: key_padding_mask must be a tensor of shape {expected} "
                                 f"(True for the keys to ignore), got {_shape(key_padding_mask)}")
        if attn_mask is not None:
            allowed = [(L, S), (N * self.num_heads, L, S)]
            if not isinstance(attn_mask, Tensor) or tuple(attn_mask.shape) not in allowed:
                raise ValueError(f"{owner}: attn_mask must be a tensor of shape {allowed[0]} or "
                                 f"{allowed[1]} (N * num_heads, L, S), got {_shape(attn_mask)}")
        return batched


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """The computation of ``nn.MultiheadAttention`` with its weights passed in, as PyTorch's
    ``F.multi_head_attention_forward``: query (L, N, E) [(L, E) unbatched], key (S, N, kdim),
    value (S, N, vdim) -> (output (L, N, E), weights or None). Sequence first: the module
    transposes a ``batch_first`` input before calling it."""
    op = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{op}: static_k and static_v are not supported")
    if query.ndim not in (2, 3) or query.shape[-1] != embed_dim_to_check:
        raise ValueError(f"{op}: expected a query (L, N, {embed_dim_to_check}) or (L, "
                         f"{embed_dim_to_check}), got shape {tuple(query.shape)}")
    if embed_dim_to_check % num_heads:
        raise ValueError(f"{op}: embed_dim ({embed_dim_to_check}) must be divisible by "
                         f"num_heads ({num_heads})")
    if is_causal and attn_mask is None:
        raise ValueError(f"{op}: is_causal=True is a hint that attn_mask is the causal mask; "
                         "give attn_mask too")
    batched = query.ndim == 3
    if not batched:  # one sequence: a batch of 1 in dim 1
        query, key, value = (reshape(x, (x.shape[0], 1, x.shape[1])) for x in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = reshape(key_padding_mask, (1, -1))
    L, N, E = query.shape
    H, d = num_heads, E // num_heads
    if use_separate_proj_weight:
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:  # the row blocks of in_proj_weight project the queries, the keys, the values
        weights = (in_proj_weight[0:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:])
    b = in_proj_bias
    biases = (None,) * 3 if b is None else (b[0:E], b[E:2 * E], b[2 * E:])
    q, k, v = (linear(x, w, bb) for x, w, bb in zip((query, key, value), weights, biases))
    if bias_k is not None:  # one more (learnt) key and value for every sequence
        k = cat([k, expand(bias_k, 1, N, E)])
        v = cat([v, expand(bias_v, 1, N, E)])
        attn_mask, key_padding_mask = _one_more_key(attn_mask), _one_more_key(key_padding_mask)
    # (length, N, E) -> (N * H, length, d): each (sequence, head) is one attention problem
    q, k, v = (transpose(reshape(x, (x.shape[0], N * H, d)), 0, 1) for x in (q, k, v))
    if add_zero_attn:  # one more key and value, all zeros
        zeros = creation.zeros((N * H, 1, d), dtype=q.dtype)
        k, v = cat([k, zeros], dim=1), cat([v, zeros], dim=1)
        attn_mask, key_padding_mask = _one_more_key(attn_mask), _one_more_key(key_padding_mask)
    S = k.shape[1]
    bias = _mask_bias(attn_mask, key_padding_mask, N, H, S, q.dtype)
    p = dropout_p if training else 0.0
    out, attn = attend(q, k, v, 1.0 / math.sqrt(d), bias=bias, dropout_p=p)
    # (N * H, L, d) -> (L, N, H * d): the heads side by side, then the output projection
    out = reshape(transpose(out, 0, 1), (L * N, E))
    out = reshape(linear(out, out_proj_weight, out_proj_bias), (L, N, E))
    if not batched:
        out = reshape(out, (L, E))
    if not need_weights:
        return out, None
    attn = reshape(attn, (N, H, L, S))
    if average_attn_weights:
        attn = attn.mean(dim=1)
    if not batched:
        attn = reshape(attn, attn.shape[1:])
    return out, attn


def _mask_bias(attn_mask, key_padding_mask, N, H, S, dtype):
    """Both masks as one additive float mask, broadcastable to the (N * H, L, S) scores:
    a bool True becomes -inf, a float mask is used as it is."""
    bias = None
    if attn_mask is not None:
        bias = _additive(attn_mask, dtype)
        if bias.ndim == 2:  # (L, S): the same for every sequence and head
            bias = reshape(bias, (1,) + tuple(bias.shape))
    if key_padding_mask is not None:
        pad_bias = _additive(key_padding_mask, dtype)  # (N, S), one row per sequence
        pad_bias = reshape(expand(reshape(pad_bias, (N, 1, 1, S)), N, H, 1, S), (N * H, 1, S))
        bias = pad_bias if bias is None else bias + pad_bias
    return bias


def _shape(x):
    return f"shape {tuple(x.shape)}" if isinstance(x, Tensor) else type(x).__name__


def _additive(mask, dtype):
    """A bool mask (True: not allowed) as 0 / -inf; a float mask as it is."""
    if mask.dtype.is_floating_point:
        return mask
    return masked_fill(creation.zeros(tuple(mask.shape), dtype=dtype), mask, float("-inf"))


def _one_more_key(mask):
    """A mask widened by one key column (the appended key is allowed: False or 0)."""
    return None if mask is None else pad(mask, (0, 1))
