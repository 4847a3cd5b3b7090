r"""The Transformer of Vaswani et al. (2017), as PyTorch's ``nn.Transformer`` family:
TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder
and Transformer. Submodule names and parameter shapes are torch's, so state_dicts carry
the same keys (``encoder.layers.0.self_attn.in_proj_weight``, ...).

One encoder layer (post-norm, the paper's; ``norm_first=True`` is the pre-norm variant):

    x = \mathrm{LayerNorm}(x + \mathrm{Dropout}(\mathrm{SelfAttention}(x)))
    x = \mathrm{LayerNorm}(x + \mathrm{Dropout}(W_2\, \mathrm{Dropout}(\mathrm{act}(W_1 x + b_1)) + b_2))

A decoder layer has one more block between the two: attention of its positions (queries)
to the encoder's output ``memory`` (keys and values). Every step is a Module or op of
glassgrad, so the backward comes from the engine.
"""

import copy

from ..backend import xp
from ..ops.activation import gelu, relu
from ..tensor import Tensor
from .. import creation
from ._layer_setup import _check_device, _check_size, _float_dtype
from . import init
from .attention import MultiheadAttention
from .dropout import Dropout
from .linear import Linear
from .module import Module, ModuleList
from .normalization import LayerNorm

__all__ = [
    "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
    "TransformerEncoderLayer",
]


def _activation(activation, owner):
    """'relu' / 'gelu' as the functions, or the user's callable (a Module becomes a child)."""
    if activation == "relu":
        return relu
    if activation == "gelu":
        return gelu
    if callable(activation):
        return activation
    raise ValueError(f"{owner}: activation should be 'relu', 'gelu' or a callable, not {activation!r}")


class _FeedForwardLayer(Module):
    """What both layer kinds share: the position-wise feed-forward block
    linear2(dropout(act(linear1(x)))) and the settings (norm_first, activation)."""

    def _feed_forward_parts(self, d_model, dim_feedforward, dropout, layer_norm_eps,
                            norm_first, bias, dtype):
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self._norm_settings = (d_model, layer_norm_eps, bias, dtype)

    def _norm(self):
        d_model, eps, bias, dtype = self._norm_settings
        return LayerNorm(d_model, eps=eps, bias=bias, dtype=dtype)

    def _ff_block(self, x, dropout):
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _check_layer_args(owner, d_model, nhead, dim_feedforward, device, dtype):
    _check_device(device, owner)
    dtype = _float_dtype(dtype, owner)
    _check_size(d_model, "d_model", owner, 1)
    _check_size(nhead, "nhead", owner, 1)
    _check_size(dim_feedforward, "dim_feedforward", owner, 1)
    return dtype


class TransformerEncoderLayer(_FeedForwardLayer):
    r"""Self-attention, then the feed-forward block, each with a residual connection and a
    LayerNorm (after the sum; before the block with ``norm_first=True``).

    src (S, N, d_model) [(N, S, d_model) with ``batch_first``; (S, d_model) unbatched];
    ``src_mask`` (S, S) and ``src_key_padding_mask`` (N, S) as MultiheadAttention's
    ``attn_mask`` and ``key_padding_mask``.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        owner = "TransformerEncoderLayer"
        dtype = _check_layer_args(owner, d_model, nhead, dim_feedforward, device, dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self._feed_forward_parts(d_model, dim_feedforward, dropout, layer_norm_eps, norm_first,
                                 bias, dtype)
        self.norm1, self.norm2 = self._norm(), self._norm()
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation, owner)  # last, as torch registers it

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x, self.dropout2))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        out, _ = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                need_weights=False, is_causal=is_causal)
        return self.dropout1(out)


class TransformerDecoderLayer(_FeedForwardLayer):
    r"""Self-attention over the target, attention of the target to ``memory`` (the
    encoder's output), then the feed-forward block; each with a residual connection and a
    LayerNorm (after the sum; before the block with ``norm_first=True``)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        owner = "TransformerDecoderLayer"
        dtype = _check_layer_args(owner, d_model, nhead, dim_feedforward, device, dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self._feed_forward_parts(d_model, dim_feedforward, dropout, layer_norm_eps, norm_first,
                                 bias, dtype)
        self.norm1, self.norm2, self.norm3 = self._norm(), self._norm(), self._norm()
        self.dropout1, self.dropout2, self.dropout3 = Dropout(dropout), Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation, owner)  # last, as torch registers it

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                    memory_is_causal)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                           memory_is_causal))
        return self.norm3(x + self._ff_block(x, self.dropout3))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        out, _ = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                need_weights=False, is_causal=is_causal)
        return self.dropout1(out)

    def _mha_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        out, _ = self.multihead_attn(x, memory, memory, attn_mask=attn_mask,
                                     key_padding_mask=key_padding_mask, need_weights=False,
                                     is_causal=is_causal)
        return self.dropout2(out)


def _clones(layer, num_layers, owner):
    _check_size(num_layers, "num_layers", owner, 0)
    if not isinstance(layer, Module):
        raise TypeError(f"{owner}: expected a layer Module to copy, got {type(layer).__name__}")
    return ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])


def _is_causal_mask(mask, is_causal, size):
    """PyTorch's rule for the ``is_causal`` hint left as None: True when ``mask`` equals the
    causal mask generate_square_subsequent_mask(size)."""
    if is_causal is not None:
        return bool(is_causal)
    if mask is None or tuple(mask.shape) != (size, size):
        return False
    future = xp.triu(xp.ones((size, size), dtype=bool), 1)  # above the diagonal
    if mask.dtype.is_floating_point:  # 0 on and below the diagonal, -inf above it
        return bool((mask.array == xp.where(future, -xp.inf, 0.0)).all())
    return bool((mask.array == future).all())  # the bool form: True above the diagonal


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (each with its own weights, starting equal),
    applied in turn, then ``norm`` if given."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers = num_layers
        self.norm = norm
        # nested tensors are a speed path of torch's; the results are the same without them
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        first = self.layers[0] if len(self.layers) else None
        seq_dim = 1 if first is not None and first.self_attn.batch_first and src.ndim == 3 else 0
        is_causal = _is_causal_mask(mask, is_causal, src.shape[seq_dim])
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal,
                           src_key_padding_mask=src_key_padding_mask)
        return self.norm(output) if self.norm is not None else output


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer``, each attending to the same ``memory``,
    then ``norm`` if given."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        first = self.layers[0] if len(self.layers) else None
        seq_dim = 1 if first is not None and first.self_attn.batch_first and tgt.ndim == 3 else 0
        tgt_is_causal = _is_causal_mask(tgt_mask, tgt_is_causal, tgt.shape[seq_dim])
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        return self.norm(output) if self.norm is not None else output


class Transformer(Module):
    """The encoder-decoder Transformer: ``encoder`` (num_encoder_layers layers and a final
    LayerNorm) reads ``src``; ``decoder`` (num_decoder_layers layers and a final LayerNorm)
    reads ``tgt`` attending to the encoder's output. Every weight matrix starts
    Xavier-uniform, as in PyTorch.

    src (S, N, d_model), tgt (T, N, d_model) [batch first with ``batch_first``] ->
    (T, N, d_model).
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation=relu, custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        dtype = _check_layer_args("Transformer", d_model, nhead, dim_feedforward, device, dtype)
        layer_args = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                          layer_norm_eps=layer_norm_eps, batch_first=batch_first,
                          norm_first=norm_first, bias=bias, dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, **layer_args)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, **layer_args)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        for name, t in (("src", src), ("tgt", tgt)):
            if not isinstance(t, Tensor):
                raise TypeError(f"Transformer: {name} must be a glassgrad Tensor, got {type(t).__name__}")
        batch_dim = 0 if self.batch_first else 1
        if src.ndim == 3 and tgt.ndim == 3 and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise ValueError(f"Transformer: the batch number of src and tgt must be equal, got "
                             f"shapes {tuple(src.shape)} and {tuple(tgt.shape)}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature number of src and tgt must be equal to "
                             f"d_model={self.d_model}, got shapes {tuple(src.shape)} and {tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The causal mask of a sequence of ``sz``: 0 on and below the diagonal (position i
        may look at positions 0..i), -inf above it (the future)."""
        _check_device(device, "generate_square_subsequent_mask")
        return creation.full((sz, sz), float("-inf"), dtype=dtype).triu(diagonal=1)
