r"""checkpointing (seed 003, exercise 4): how much memory does gradient checkpointing save,
and what does it cost?

Backpropagation needs the intermediate values of the forward pass, so the activation
memory of an L-layer network grows as O(L): c values per layer (here c = 1: tanh keeps
its output, which is also the next Linear's saved input). Checkpointing keeps only the
inputs of segments of the network and recomputes each segment's intermediates during the
backward: with s equal segments about s + c L / s values, least (2 sqrt(c L)) at
s = sqrt(c L); segments whose lengths fall by one (``decreasing``) lower that to about
sqrt(2 c L), for the same one extra forward pass (about a third more work: forward +
backward is about 3 forwards). The study runs one training step of a 32-layer MLP plain
and with both kinds of segments, and measures the peak memory allocated during the step
above what existed before it (``tracemalloc``, which sees NumPy's allocations; the
weights, their gradients and the batch are there before and are not counted), the peak
of the arrays the graph keeps for the backward (the activations proper, without the
backward's gradient buffers), the CPU time per step, and whether the gradients are
bit-for-bit those of the plain network (they must be: the recomputation does the same
arithmetic in the same order).
"""

import contextlib
import importlib.util
import math
import time
import tracemalloc

import numpy as np

import glassgrad
import glassgrad.nn as nn
from glassgrad.autograd.function import observers
from glassgrad.utils.checkpoint import checkpoint

from . import study
from .progress import Steps
from .result import StudyResult

DEPTH = 32


def make_mlp(width, depth, seed):
    glassgrad.manual_seed(seed)
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.Tanh()]
    return nn.Sequential(*layers)


def uniform(layers_per_segment, depth=DEPTH):
    """Segment lengths k, k, ..., and what is left over: a checkpoint every k layers."""
    lengths = [layers_per_segment] * (depth // layers_per_segment)
    return lengths + ([depth % layers_per_segment] if depth % layers_per_segment else [])


def decreasing(depth=DEPTH):
    """Segment lengths m, m - 1, m - 2, ... (the last one cut to what is left), with m the
    smallest number with m + (m - 1) + ... + 1 >= depth.

    While segment j (from 1) is recomputed, the inputs of the j - 1 segments before it are
    still kept (the first one's input is the batch, held anyway): j - 1 + length_j values.
    Equal segments make that largest for the last ones; lengths falling by one make it m
    for every segment, and m ~ sqrt(2 depth) beats the 2 sqrt(depth) - 1 of equal ones.
    """
    m = 1
    while m * (m + 1) // 2 < depth:
        m += 1
    lengths, left = [], depth
    for length in range(m, 0, -1):
        lengths.append(min(length, left))
        left -= lengths[-1]
        if not left:
            break
    return lengths


def segmented(model, lengths, x):
    """The network as consecutive segments of ``lengths`` (Linear, Tanh) layers (an int k:
    every k layers), each checkpointed: only the segments' inputs are kept; the backward
    recomputes one segment at a time. (``checkpoint_sequential`` leaves the last segment
    plain, as PyTorch does; here every segment is checkpointed, so the kept values follow
    the counts in the docstrings exactly.)"""
    modules = list(model.children())
    if isinstance(lengths, int):
        lengths = uniform(lengths, len(modules) // 2)

    def block(chunk):
        def forward(h):
            for m in chunk:
                h = m(h)
            return h
        return forward

    start = 0
    for length in lengths:
        x = checkpoint(block(modules[start:start + 2 * length]), x)
        start += 2 * length
    return x


def step(model, x, lengths):
    """One forward and backward; ``lengths`` = None runs the plain network."""
    model.zero_grad(set_to_none=False)
    out = model(x) if lengths is None else segmented(model, lengths, x)
    loss = out.square().mean()  # square keeps only out (a * a would hand the backward two partial gradients to add)
    del out  # the loss keeps what its backward needs; a name here would keep one more array
    loss.backward()
    return float(loss.item())


class SavedActivations:
    """Observer of the graph: the bytes of the arrays kept for the backward (each recorded
    op's ``ctx.saved``, a shared array counted once), apart from arrays that existed before
    the step (the batch, the weights), and their largest total during the step. This is
    the activation memory proper; tracemalloc's peak adds the backward's gradient buffers."""

    def __init__(self, existing):
        self.existing = {id(a) for a in existing}
        self.nodes = []
        self.peak = 0

    def _count(self):
        alive, seen, total = [], set(), 0
        for node in self.nodes:
            if not node.saved:
                continue  # released by its backward
            alive.append(node)
            for a in node.saved:
                while isinstance(a, np.ndarray) and a.base is not None:
                    a = a.base  # a view keeps its base's memory
                if isinstance(a, np.ndarray) and id(a) not in self.existing and id(a) not in seen:
                    seen.add(id(a))
                    total += a.nbytes
        self.nodes = alive
        self.peak = max(self.peak, total)

    def on_forward(self, ctx, cls, args, out):
        if ctx is not None:  # None: not recorded (no_grad), nothing kept
            self.nodes.append(ctx)
            self._count()

    def on_backward(self, node, upstream, downstream):
        self._count()

    def on_unbroadcast(self, node, index, grad_before, grad_after, axes):
        pass


def measure(model, x, lengths, repeats):
    """(peak bytes above the step's starting point, peak bytes of saved activations,
    median CPU seconds per step: CPU time, not wall-clock, so that other jobs on a shared
    machine do not enter the ratio)."""
    step(model, x, lengths)  # gradients allocated once, outside the measurement
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step(model, x, lengths)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    watcher = SavedActivations([x.array] + [p.array for p in model.parameters()])
    observers.append(watcher)
    try:
        step(model, x, lengths)
    finally:
        observers.remove(watcher)
    times = []
    with _one_blas_thread():
        for _ in range(repeats):
            t0 = time.process_time()
            step(model, x, lengths)
            times.append(time.process_time() - t0)
    return peak, watcher.peak, float(np.median(times))


def _one_blas_thread():
    """Time on one BLAS thread when threadpoolctl is installed (the [dask] extra): on a
    loaded machine a second BLAS thread spins while it waits for a core, and that spinning
    is CPU time too (a plain step measured 30 to 600 ms for the same work)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@study("checkpointing", "How much activation memory does gradient checkpointing save, and at what cost in time?",
       "003")
def run(quick=False, seed=0, progress=False):
    width, batch = (128, 128) if quick else (512, 512)
    repeats = 3 if quick else 10
    # c = 1 value kept per layer (tanh's output, which is also the next Linear's input):
    # kept ~ s + c L / s with s equal segments, least at s = sqrt(c L)
    sqrt_l = round(math.sqrt(DEPTH))  # 6 layers per segment: 6 segments (the last one of 2)
    configs = {"none": None, "every 16 layers": uniform(16), "every 8 layers": uniform(8),
               f"every {sqrt_l} layers (sqrt L)": uniform(sqrt_l), "every 2 layers": uniform(2),
               "decreasing " + "-".join(map(str, decreasing())): decreasing()}
    settings = dict(depth=DEPTH, width=width, batch=batch, activation="tanh", repeats=repeats,
                    memory="tracemalloc peak during one step, above the step's start; and the "
                           "peak of the arrays the graph keeps for the backward",
                    timing="median CPU time of a step, "
                           + ("one BLAS thread (threadpoolctl)" if importlib.util.find_spec("threadpoolctl")
                              else "BLAS threads as configured (threadpoolctl not installed)"))
    result = StudyResult(settings=settings)
    rng = np.random.default_rng(seed)
    x = glassgrad.tensor(rng.standard_normal((batch, width)).astype(np.float32))
    numbers, grads = {}, {}
    with Steps(len(configs), "checkpointing", progress) as steps:
        for name, lengths in configs.items():
            model = make_mlp(width, DEPTH, seed)
            peak, saved, seconds = measure(model, x, lengths, repeats)
            step(model, x, lengths)
            grads[name] = [p.grad.array.copy() for p in model.parameters()]
            numbers[name] = {"segment_lengths": lengths, "peak_bytes": peak, "saved_peak_bytes": saved,
                             "cpu_seconds_per_step": seconds}
            steps.advance()
    plain = numbers["none"]
    activation_bytes = batch * width * 4  # one float32 activation
    for name, e in numbers.items():
        e["memory_ratio"] = plain["peak_bytes"] / e["peak_bytes"]
        e["saved_ratio"] = plain["saved_peak_bytes"] / e["saved_peak_bytes"]
        e["time_ratio"] = e["cpu_seconds_per_step"] / plain["cpu_seconds_per_step"]
        e["peak_in_activations"] = e["peak_bytes"] / activation_bytes
        e["saved_in_activations"] = e["saved_peak_bytes"] / activation_bytes
        e["gradients_identical"] = all(np.array_equal(a, b) for a, b in zip(grads["none"], grads[name]))
        result.find(f"{name}: peak memory in a step / of saved activations / time per step",
                    f"{e['peak_bytes'] / 2**20:.2f} MiB / {e['saved_peak_bytes'] / 2**20:.2f} MiB"
                    f" / {1000 * e['cpu_seconds_per_step']:.1f} ms",
                    f"{e['memory_ratio']:.2f}x / {e['saved_ratio']:.2f}x less memory, "
                    f"{e['time_ratio']:.2f}x the time; gradients "
                    + ("bit-identical" if e["gradients_identical"] else "DIFFER"))
    result.numbers = numbers
    result.add_figure("memory-time", lambda: _figure(numbers))
    return result


def _figure(numbers):
    from .plot import colour, figure, legend_outside

    fig, ax = figure(width=6.4, height=3.8)
    for i, (name, e) in enumerate(numbers.items()):
        t, step_mib, saved_mib = e["time_ratio"], e["peak_bytes"] / 2**20, e["saved_peak_bytes"] / 2**20
        ax.plot([t, t], [saved_mib, step_mib], color=colour(i), linewidth=1, zorder=2)
        ax.scatter(t, step_mib, s=40, color=colour(i), zorder=3, label=name)
        ax.scatter(t, saved_mib, s=40, facecolors="white", edgecolors=colour(i), zorder=3)
    ax.scatter([], [], s=40, color="grey", label="filled: whole step (tracemalloc)")
    ax.scatter([], [], s=40, facecolors="white", edgecolors="grey", label="open: saved activations")
    ax.set_xlabel("CPU time per step / without checkpointing")
    ax.set_ylabel("peak memory above the step's start (MiB)")
    ax.set_title(f"{DEPTH}-layer MLP")
    ax.set_ylim(bottom=0)
    legend_outside(ax, fontsize=8)
    return fig
