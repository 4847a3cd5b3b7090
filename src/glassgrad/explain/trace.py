"""The trace: a record of every node of a forward pass and every message of its backward.

    with glassgrad.explain.trace() as t:
        f = 2 * (x * y + glassgrad.maximum(z, w))
        f.backward()
    print(t.table())

The trace is an *observer* of the autograd machinery (``autograd.function.observers``):
``Function.apply`` tells it about each op it runs (inputs, output), and the engine tells it,
node by node, the upstream gradient it handed to the op's backward and the downstream
gradients the backward returned, plus every "sum over broadcast axes" it did on the way
to an input. Nothing is computed twice: the values in the trace are the arrays the ops and
the engine produced (copied, so that later in-place updates cannot change the record).

The one number the engine does not hand over is the *local* derivative of an elementwise
node (the d out / d in that the backward multiplies the upstream by). For elementwise ops
it is read off the messages, local = downstream / upstream; only where the upstream is 0
(a branch that a max or a ReLU switched off) is that ratio undefined, and there the trace
asks the op's own backward for it, with an upstream of 1 (still no derivative written
twice: the op's code is the only place it lives).
"""

from ..autograd import function as _function
from ..autograd.function import Elementwise
from ..backend import xp
from ..tensor import Tensor


def _copy(a):
    if a is None:
        return None
    return xp.array(a, copy=True)


def is_elementwise(op):
    """An op whose backward is upstream x a local derivative of the output's shape: its
    class derives from ``Elementwise``."""
    return isinstance(op, type) and issubclass(op, Elementwise)


class Message:
    """One gradient sent backward along an edge, from a consumer node to one of its inputs.

    ``raw`` is what the op's backward returned (shaped like the op's output); ``value`` is
    what the input received after the engine summed over broadcast axes (``axes``; empty
    when no broadcasting was undone). ``local`` is the local derivative (elementwise ops)
    or None.
    """

    __slots__ = ("source", "target", "index", "raw", "value", "axes", "local")

    def __init__(self, source, target, index, raw, value, axes, local):
        self.source = source
        self.target = target
        self.index = index
        self.raw = raw
        self.value = value
        self.axes = axes
        self.local = local

    @property
    def broadcast(self):
        return bool(self.axes)


class Record:
    """A value in the graph: a leaf tensor, or the output of one op (a node)."""

    kind = "value"

    def __init__(self, trace, tensor):
        self.trace = trace
        self.tensor = tensor  # kept alive so that a name given later is seen
        self.value = _copy(tensor.array)
        self.incoming = []  # Messages received from consumers in the last backward
        self._auto = None

    @property
    def name(self):
        return self.tensor.name or self._auto

    @property
    def requires_grad(self):
        return self.tensor.requires_grad

    @property
    def gradient(self):
        """The gradient this value received: the sum of all messages sent to it (None if
        backward never reached it)."""
        if not self.incoming:
            return None
        total = self.incoming[0].value
        for m in self.incoming[1:]:
            total = total + m.value
        return total

    def __repr__(self):
        return f"<{type(self).__name__} {self.name} shape={tuple(self.value.shape)}>"


class Leaf(Record):
    """A tensor made outside the traced ops: a variable, a parameter, data. ``external``:
    it does have a grad_fn, made before the trace started."""

    kind = "leaf"

    def __init__(self, trace, tensor, auto_name):
        super().__init__(trace, tensor)
        self._auto = auto_name
        self.external = tensor.grad_fn is not None


class Constant:
    """A raw Python number (or array) passed to an op: no node, no gradient."""

    kind = "constant"

    def __init__(self, value):
        self.value = xp.asarray(value)
        self.incoming = []

    @property
    def name(self):
        from .format import number

        v = self.value
        return number(v.item()) if v.size == 1 else f"const{tuple(v.shape)}"

    requires_grad = False
    gradient = None


class Node(Record):
    """One op application: its inputs, label, rule, value, and (after backward) upstream,
    local derivatives and the messages it sent to each input."""

    kind = "node"

    def __init__(self, trace, ctx, op, inputs, out, auto_name, params):
        super().__init__(trace, out)
        self.ctx = ctx  # the Function instance (None when nothing required grad)
        self.op = op
        self.inputs = inputs
        self.params = dict(params or {})
        self._auto = auto_name
        self.elementwise = is_elementwise(op)
        self.upstream = None
        self.outgoing = [None] * len(inputs)  # Message per input (None: no gradient)

    @property
    def label(self):
        return self.op.label

    @property
    def rule(self):
        return self.op.rule

    @property
    def plain(self):
        return self.op.plain

    @property
    def op_kind(self):
        """The op's kind ("elementwise unary", "reduction", ...), from its class."""
        return self.op.kind

    @property
    def differentiable(self):
        return self.ctx is not None


class Trace:
    """Records the graph built and differentiated while it is active.

    Use it as a context manager (``with trace() as t``); run ``backward`` inside the
    block. ``t.nodes`` lists the op nodes in creation order, ``t.leaves`` the leaf
    tensors; ``t.table()``, ``t.to_markdown()``, ``t.to_latex()``, ``t.to_dot()`` render
    it, and in Jupyter it displays as HTML.

    ``names``: an optional ``nn.Module`` (or dict name -> tensor) whose parameters give
    names to unnamed leaves ("0.weight").
    """

    def __init__(self, names=None, digits=6):
        self.nodes = []
        self.leaves = []
        self.digits = digits
        self.passes = 0  # number of backward passes seen
        self._by_tensor = {}  # id(Tensor) -> Record (the Tensor is kept alive by the record)
        self._by_ctx = {}  # id(Function) -> Node
        self._pending = {}  # (id(ctx), index) -> (before, after, axes) from on_unbroadcast
        self._counters = {}
        self._active = False
        self._param_names = {}
        if names is not None:
            items = names.named_parameters() if hasattr(names, "named_parameters") else names.items()
            self._param_names = {id(t): n for n, t in items}

    # ------------------------------------------------------------ context manager
    def __enter__(self):
        if self._active:
            raise RuntimeError("this trace is already active")
        _function.observers.append(self)
        self._active = True
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        if self._active:
            _function.observers.remove(self)
            self._active = False

    # ------------------------------------------------------------ observer protocol
    def on_forward(self, ctx, op, args, out):
        inputs = [self._record_of(a) if isinstance(a, Tensor) else Constant(a) for a in args]
        params = getattr(ctx, "_params", None) if ctx is not None else None
        node = Node(self, ctx, op, inputs, out, self._auto_name(op.label), params)
        self.nodes.append(node)
        self._by_tensor[id(out)] = node
        if ctx is not None:
            self._by_ctx[id(ctx)] = node

    def on_unbroadcast(self, ctx, index, before, after, axes):
        self._pending[(id(ctx), index)] = (before, after, axes)

    def on_backward(self, ctx, upstream, downstream):
        node = self._by_ctx.get(id(ctx))
        if node is None or node.ctx is not ctx:  # a node made outside the trace
            for i in range(len(downstream)):
                self._pending.pop((id(ctx), i), None)
            return
        if node.upstream is not None:  # this node ran before: a new backward pass began
            self._start_pass()
        elif self.passes == 0:
            self.passes = 1
        node.upstream = _copy(upstream)
        locals_ = self._locals(node, ctx, upstream, downstream) if node.elementwise else None
        edges = ctx._next
        for i, target in enumerate(node.inputs):
            if edges[i] is None or i >= len(downstream) or downstream[i] is None:
                continue
            raw = downstream[i]
            before_after = self._pending.pop((id(ctx), i), None)
            if before_after is not None:
                _, after, axes = before_after
                value = _copy(after)
            else:
                axes = ()
                value = _copy(raw)
            msg = Message(node, target, i, _copy(raw) if axes else value, value, tuple(axes),
                          None if locals_ is None else locals_[i])
            node.outgoing[i] = msg
            target.incoming.append(msg)

    # ------------------------------------------------------------ helpers
    def _record_of(self, t):
        rec = self._by_tensor.get(id(t))
        if rec is not None and rec.tensor is t:
            return rec
        if t.grad_fn is not None:  # the same node seen through another Tensor object
            node = self._by_ctx.get(id(t.grad_fn))
            if node is not None and node.ctx is t.grad_fn:
                return node
        auto = self._param_names.get(id(t)) or (None if t.name else self._auto_name("leaf"))
        leaf = Leaf(self, t, auto)
        self.leaves.append(leaf)
        self._by_tensor[id(t)] = leaf
        return leaf

    def _auto_name(self, label):
        n = self._counters.get(label, 0) + 1
        self._counters[label] = n
        return f"{label}{n}"

    def _start_pass(self):
        self.passes += 1
        for rec in self.nodes + self.leaves:
            rec.incoming = []
        for node in self.nodes:
            node.upstream = None
            node.outgoing = [None] * len(node.inputs)

    @staticmethod
    def _locals(node, ctx, upstream, downstream):
        """Local derivative per input of an elementwise node: downstream / upstream,
        and the op's own backward (with upstream 1) where the upstream is 0."""
        out = []
        zero = upstream == 0
        fallback = None
        for i, g in enumerate(downstream):
            if g is None or getattr(g, "shape", None) != upstream.shape:
                out.append(None)
                continue
            with xp.errstate(divide="ignore", invalid="ignore"):
                local = xp.divide(g, upstream, out=xp.full(g.shape, xp.nan, dtype=g.dtype),
                                  where=~zero)
            if zero.any():
                if fallback is None:
                    fallback = _ask_op(ctx, upstream)
                alt = fallback[i] if fallback is not None and i < len(fallback) else None
                if alt is not None and alt.shape == local.shape:
                    local = xp.where(zero, alt, local)
            out.append(local)
        return out

    # ------------------------------------------------------------ queries
    def record(self, name):
        """The record (node or leaf) called ``name``."""
        for rec in self.leaves + self.nodes:
            if rec.name == name:
                return rec
        raise KeyError(f"no value named {name!r} in this trace")

    def __getitem__(self, name):
        return self.record(name)

    @property
    def output(self):
        """The last node (normally the value backward started from)."""
        return self.nodes[-1] if self.nodes else None

    def backward_order(self):
        """Nodes that ran backward, in the engine's order (output first)."""
        done = [n for n in self.nodes if n.upstream is not None]
        return list(reversed(done))

    # ------------------------------------------------------------ renderings
    def document(self, title=None):
        from .trace_doc import trace_document

        return trace_document(self, title=title)

    def table(self):
        """The forward and backward tables as plain text."""
        from .render_text import to_text

        return to_text(self.document())

    def to_markdown(self):
        from .render_markdown import to_markdown

        return to_markdown(self.document())

    def to_latex(self):
        from .render_latex import to_latex

        return to_latex(self.document())

    def to_dot(self):
        from .render_dot import trace_to_dot

        return trace_to_dot(self)

    def to_html(self, path=None, title=None):
        """The backprop explorer (explain/explorer.py): one self-contained HTML page that
        steps through this forward and backward pass. With ``path``, written there
        atomically (and the path returned); without, returned as a string."""
        from .explorer import to_html, write_html

        return to_html(self, title=title) if path is None else write_html(self, path, title=title)

    def graph(self):
        """The graph with every value and gradient, shown inline as SVG in a notebook."""
        from ..display.graph import graph

        return graph(self)

    def _repr_html_(self):
        from .render_markdown import to_html

        return to_html(self.document())

    def __str__(self):
        return self.table()

    def __repr__(self):
        return f"<Trace: {len(self.nodes)} nodes, {len(self.leaves)} leaves, {self.passes} backward pass(es)>"


def _ask_op(ctx, upstream):
    """The op's backward applied to an upstream of ones: its local derivative."""
    if ctx.saved is None:  # buffers already released
        return None
    try:
        res = ctx.backward(xp.ones_like(upstream))
    except Exception:  # an op that cannot be re-run this way: leave the entry undefined
        return None
    return res if isinstance(res, tuple) else (res,)


def trace(names=None, digits=6):
    """Record the forward values and backward messages of every node built inside:

        with glassgrad.explain.trace() as t:
            loss = model(x).sum()
            loss.backward()
        print(t.table())
    """
    return Trace(names=names, digits=digits)
