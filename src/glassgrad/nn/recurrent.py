r"""Recurrent layers: RNN, LSTM and GRU, with PyTorch's parameters, names and formulas.

Each is written out step by step from glassgrad ops (linear, sigmoid, tanh, mul, add), so
the graph shows every time step and backpropagation through time is the engine's usual
backward. Per layer, the input projections of all time steps are one matrix product
(W_ih x_t + b_ih for every t at once); the loop over t does the rest. For hidden state h,
cell state c and input x_t (PyTorch's gate order):

    RNN:   h_t = \tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      (or relu)
    LSTM:  i, f, g, o = \sigma, \sigma, \tanh, \sigma of the four chunks of
           W_ih x_t + b_ih + W_hh h_{t-1} + b_hh;
           c_t = f c_{t-1} + i g,   h_t = o \tanh(c_t)
    GRU:   r = \sigma(W_ir x_t + b_ir + W_hr h + b_hr),  z likewise,
           n = \tanh(W_in x_t + b_in + r (W_hn h + b_hn)),  h_t = (1 - z) n + z h_{t-1}

Parameters per layer k: ``weight_ih_l{k}`` (G*H, input), ``weight_hh_l{k}`` (G*H, H),
``bias_ih_l{k}``, ``bias_hh_l{k}`` (G = 1, 4, 3 gates), all drawn from
U(-1/\sqrt{H}, 1/\sqrt{H}) as PyTorch does, so a PyTorch state dict loads. Inputs are
(L, N, input) (or (N, L, input) with ``batch_first``, or (L, input) unbatched). Not
written: ``bidirectional=True`` and LSTM's ``proj_size``, refused with a clear error.
"""

import math

from .. import backend
from ..backend import xp
from ..ops.activation import relu, sigmoid, tanh
from ..ops.linalg import linear
from ..ops.stochastic import dropout
from ..ops.shape import stack
from ..tensor import Tensor
from ._layer_setup import _check_device, _float_dtype
from .module import Module, Parameter

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class _RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{owner}: dropout must be a number in [0, 1], got {dropout!r}")
        if bidirectional:
            raise NotImplementedError(f"{owner}: bidirectional=True is not written in glassgrad; "
                                      "run two layers, one on the reversed sequence")
        if proj_size:
            raise NotImplementedError(f"{owner}: proj_size is not written in glassgrad")
        _check_device(device, owner)
        dtype = _float_dtype(dtype, owner)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = False, 0
        gate_size = _GATES[mode] * hidden_size
        bound = 1.0 / math.sqrt(hidden_size)
        rng = backend.rng()
        for k in range(num_layers):
            width = input_size if k == 0 else hidden_size
            shapes = [(f"weight_ih_l{k}", (gate_size, width)),
                      (f"weight_hh_l{k}", (gate_size, hidden_size))]
            if bias:
                shapes += [(f"bias_ih_l{k}", (gate_size,)), (f"bias_hh_l{k}", (gate_size,))]
            for name, shape in shapes:
                values = rng.uniform(-bound, bound, shape).astype(dtype)
                setattr(self, name, Parameter(Tensor._wrap(values)))

    def _layer_parameters(self, k):
        return (getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}"),
                getattr(self, f"bias_ih_l{k}", None), getattr(self, f"bias_hh_l{k}", None))

    def forward(self, input, hx=None):
        owner = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (2, 3):
            got = f"shape {tuple(input.shape)}" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"{owner}: expected a 3-D input (L, N, {self.input_size}) or a 2-D "
                             f"unbatched one (L, {self.input_size}), got {got}")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{owner}: input.size(-1) must be equal to input_size. Expected "
                             f"{self.input_size}, got {input.shape[-1]}")
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first
                                                   else input)
        states = self._initial_states(hx, x, unbatched)
        finals = []
        for k in range(self.num_layers):
            x, final = self._run_layer(x, [s[k] for s in states], self._layer_parameters(k))
            finals.append(final)
            if self.dropout and self.training and k < self.num_layers - 1:
                x = dropout(x, self.dropout)
        output = x.squeeze(1) if unbatched else (x.transpose(0, 1) if self.batch_first else x)
        stacked = [stack([f[i] for f in finals]) for i in range(len(states))]
        if unbatched:
            stacked = [s.squeeze(1) for s in stacked]
        return output, (tuple(stacked) if self.mode == "LSTM" else stacked[0])

    def _initial_states(self, hx, x, unbatched):
        """[h0] or [h0, c0], each (num_layers, N, H), zeros unless given."""
        count = 2 if self.mode == "LSTM" else 1
        shape = (self.num_layers, x.shape[1], self.hidden_size)
        if hx is None:
            zeros = Tensor._wrap(xp.zeros(shape, dtype=x.array.dtype))
            return [zeros] * count
        given = list(hx) if count == 2 and isinstance(hx, (tuple, list)) else [hx]
        if len(given) != count or not all(isinstance(t, Tensor) for t in given):
            raise ValueError(f"{type(self).__name__}: hx must be "
                             f"{'a tuple (h_0, c_0)' if count == 2 else 'a tensor h_0'}")
        states = [t.unsqueeze(1) if unbatched else t for t in given]
        for t in states:
            if tuple(t.shape) != shape:
                raise ValueError(f"{type(self).__name__}: expected hidden size {shape}, got "
                                 f"{tuple(t.shape)}")
        return states

    def _run_layer(self, x, state, params):
        """One layer over the whole sequence: the outputs (L, N, H) and the final state."""
        w_ih, w_hh, b_ih, b_hh = params
        projected = linear(x, w_ih, b_ih)  # every time step's input projection at once
        outputs = []
        for t in range(x.shape[0]):
            state = self._cell(projected[t], state, w_hh, b_hh)
            outputs.append(state[0])
        return stack(outputs), state

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        return text


class RNN(_RNNBase):
    r"""Elman RNN: h_t = \tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (``nonlinearity='relu'``
    for relu). Returns (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def _cell(self, projected, state, w_hh, b_hh):
        pre = projected + linear(state[0], w_hh, b_hh)
        return [tanh(pre) if self.nonlinearity == "tanh" else relu(pre)]


class LSTM(_RNNBase):
    r"""Long short-term memory: gates i, f, g, o; c_t = f c_{t-1} + i g, h_t = o \tanh(c_t).
    Returns (output, (h_n, c_n))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def _cell(self, projected, state, w_hh, b_hh):
        h, c = state
        i, f, g, o = (projected + linear(h, w_hh, b_hh)).chunk(4, dim=-1)
        c = sigmoid(f) * c + sigmoid(i) * tanh(g)
        return [sigmoid(o) * tanh(c), c]


class GRU(_RNNBase):
    r"""Gated recurrent unit: r, z gates, n = \tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h_t = (1 - z) n + z h_{t-1}. Returns (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def _cell(self, projected, state, w_hh, b_hh):
        h = state[0]
        x_r, x_z, x_n = projected.chunk(3, dim=-1)
        h_r, h_z, h_n = linear(h, w_hh, b_hh).chunk(3, dim=-1)
        r = sigmoid(x_r + h_r)
        z = sigmoid(x_z + h_z)
        n = tanh(x_n + r * h_n)
        return [(1.0 - z) * n + z * h]
