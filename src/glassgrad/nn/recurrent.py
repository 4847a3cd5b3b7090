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

The cells RNNCell, LSTMCell and GRUCell take one time step: the same step functions
(rnn_step, lstm_step, gru_step) as the layers, with parameters ``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh`` as PyTorch names them.
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

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ------------------------------------------------------------ one time step
# ``projected`` is the input's share, W_ih x_t + b_ih, computed by the caller (a layer does
# it for all time steps at once).

def rnn_step(projected, h, w_hh, b_hh, nonlinearity="tanh"):
    r"""h_t = \tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (or relu)"""
    pre = projected + linear(h, w_hh, b_hh)
    return tanh(pre) if nonlinearity == "tanh" else relu(pre)


def lstm_step(projected, h, c, w_hh, b_hh):
    r"""i, f, g, o = \sigma, \sigma, \tanh, \sigma of the gates' four chunks;
    c_t = f c_{t-1} + i g,   h_t = o \tanh(c_t).   Returns (h_t, c_t)."""
    i, f, g, o = (projected + linear(h, w_hh, b_hh)).chunk(4, dim=-1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c), c


def gru_step(projected, h, w_hh, b_hh):
    r"""r, z = \sigma(...);  n = \tanh(W_in x + b_in + r (W_hn h + b_hn));
    h_t = (1 - z) n + z h_{t-1}"""
    x_r, x_z, x_n = projected.chunk(3, dim=-1)
    h_r, h_z, h_n = linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = sigmoid(x_r + h_r)
    z = sigmoid(x_z + h_z)
    n = tanh(x_n + r * h_n)
    return (1.0 - z) * n + z * h


def _uniform_parameters(module, shapes, hidden_size, dtype):
    """PyTorch's recurrent init: every parameter from U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(hidden_size)
    rng = backend.rng()
    for name, shape in shapes:
        values = rng.uniform(-bound, bound, shape).astype(dtype)
        setattr(module, name, Parameter(Tensor._wrap(values)))


def _check_sizes(owner, **sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")


class _RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        _check_sizes(owner, input_size=input_size, hidden_size=hidden_size,
                     num_layers=num_layers)
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
        shapes = []
        for k in range(num_layers):
            width = input_size if k == 0 else hidden_size
            shapes += [(f"weight_ih_l{k}", (gate_size, width)),
                       (f"weight_hh_l{k}", (gate_size, hidden_size))]
            if bias:
                shapes += [(f"bias_ih_l{k}", (gate_size,)), (f"bias_hh_l{k}", (gate_size,))]
        _uniform_parameters(self, shapes, hidden_size, dtype)

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
        return [rnn_step(projected, state[0], w_hh, b_hh, self.nonlinearity)]


class LSTM(_RNNBase):
    r"""Long short-term memory: gates i, f, g, o; c_t = f c_{t-1} + i g, h_t = o \tanh(c_t).
    Returns (output, (h_n, c_n))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def _cell(self, projected, state, w_hh, b_hh):
        return list(lstm_step(projected, *state, w_hh, b_hh))


class GRU(_RNNBase):
    r"""Gated recurrent unit: r, z gates, n = \tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h_t = (1 - z) n + z h_{t-1}. Returns (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def _cell(self, projected, state, w_hh, b_hh):
        return [gru_step(projected, state[0], w_hh, b_hh)]


# ------------------------------------------------------------ cells: one step
class _CellBase(Module):
    _gates = 1
    _states = 1  # 2 for LSTMCell: (h, c)

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        _check_sizes(owner, input_size=input_size, hidden_size=hidden_size)
        _check_device(device, owner)
        dtype = _float_dtype(dtype, owner)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = self._gates * hidden_size
        shapes = [("weight_ih", (gate_size, input_size)), ("weight_hh", (gate_size, hidden_size))]
        if bias:
            shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
        else:
            self.bias_ih = self.bias_hh = None
        _uniform_parameters(self, shapes, hidden_size, dtype)

    def forward(self, input, hx=None):
        owner = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{owner}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{owner}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{owner}: input has {input.shape[-1]} features; expected "
                             f"input_size={self.input_size}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        states = self._states_from(hx, x.shape[0], x.array.dtype, batched)
        projected = linear(x, self.weight_ih, self.bias_ih)
        new = self._step(projected, states)
        if not batched:
            new = [s.squeeze(0) for s in new]
        return tuple(new) if self._states == 2 else new[0]

    def _states_from(self, hx, batch, dtype, batched):
        owner = type(self).__name__
        shape = (batch, self.hidden_size)
        if hx is None:
            zeros = Tensor._wrap(xp.zeros(shape, dtype=dtype))
            return [zeros] * self._states
        if self._states == 2:
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise ValueError(f"{owner}: hx must be a tuple (h_0, c_0), got "
                                 f"{type(hx).__name__}")
            given = list(hx)
        else:
            given = [hx]
        states = []
        for index, t in enumerate(given):
            where = f"hx[{index}]" if self._states == 2 else "hx"
            if not isinstance(t, Tensor):
                raise TypeError(f"{owner}: {where} must be a Tensor, got {type(t).__name__}")
            if t.ndim != (2 if batched else 1):
                raise ValueError(f"{owner}: Expected {where} to be {2 if batched else 1}D for "
                                 f"{'a batched' if batched else 'an unbatched'} input, got "
                                 f"{t.ndim}D instead")
            t = t if batched else t.unsqueeze(0)
            if tuple(t.shape) != shape:
                raise ValueError(f"{owner}: {where} has shape {tuple(t.shape)}; expected "
                                 f"{shape if batched else shape[1:]}")
            states.append(t)
        return states

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class RNNCell(_CellBase):
    r"""One Elman step: h' = \tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). Input (N, in)
    or (in,); hx (N, H) or (H,), zeros if not given. Returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh",
                 device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; use 'tanh' or "
                             "'relu'")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def _step(self, projected, states):
        return [rnn_step(projected, states[0], self.weight_hh, self.bias_hh, self.nonlinearity)]


class LSTMCell(_CellBase):
    r"""One LSTM step (gates i, f, g, o): c' = f c + i g, h' = o \tanh(c').
    hx is the tuple (h, c), zeros if not given. Returns (h', c')."""

    _gates = 4
    _states = 2

    def _step(self, projected, states):
        return list(lstm_step(projected, *states, self.weight_hh, self.bias_hh))


class GRUCell(_CellBase):
    r"""One GRU step: h' = (1 - z) n + z h. Returns h'."""

    _gates = 3

    def _step(self, projected, states):
        return [gru_step(projected, states[0], self.weight_hh, self.bias_hh)]
