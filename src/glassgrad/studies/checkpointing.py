r"""checkpointing (seed 003, exercise 4): how much memory does gradient checkpointing save,
and what does it cost?

Backpropagation needs the intermediate values of the forward pass, so the activation
memory of an L-layer network grows as O(L). Checkpointing keeps only the inputs of
segments of the network and recomputes each segment's intermediates during the backward:
with s segments of L/s layers, memory ~ s + L/s values, smallest (2 sqrt L) at
s = sqrt L, for one extra forward pass (about a third more work: forward + backward is
about 3 forwards). The study trains a 32-layer MLP without checkpointing, with a
checkpoint every k layers, and with sqrt(L) segments, and measures the peak memory
allocated during one training step above what the weights, gradients and optimizer hold
(``tracemalloc``, which sees NumPy's allocations), the time per step, and whether the
gradients are bit-for-bit those of the plain network (they must be: the recomputation
does the same arithmetic in the same order).
"""

import math
import time
import tracemalloc

import numpy as np

import glassgrad
import glassgrad.nn as nn
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


def segmented(model, layers_per_segment, x):
    """The network as consecutive segments of ``layers_per_segment`` (Linear, Tanh) layers, each
    checkpointed: only the segments' inputs are kept; the backward recomputes one segment
    at a time. (``checkpoint_sequential`` leaves the last segment plain, as PyTorch does;
    here every segment is checkpointed, so the memory follows s + L/s exactly.)"""
    modules = list(model.children())
    size = 2 * layers_per_segment

    def block(chunk):
        def forward(h):
            for m in chunk:
                h = m(h)
            return h
        return forward

    for i in range(0, len(modules), size):
        x = checkpoint(block(modules[i:i + size]), x)
    return x


def step(model, x, layers_per_segment):
    """One forward and backward; ``layers_per_segment`` = None runs the plain network."""
    model.zero_grad(set_to_none=False)
    out = model(x) if layers_per_segment is None else segmented(model, layers_per_segment, x)
    loss = (out * out).mean()
    loss.backward()
    return float(loss.item())


def measure(model, x, segments, repeats):
    """(peak bytes above the step's starting point, median CPU seconds per step: CPU time,
    not wall-clock, so that other jobs on a shared machine do not enter the ratio)."""
    step(model, x, segments)  # gradients allocated once, outside the measurement
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step(model, x, segments)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        step(model, x, segments)
        times.append(time.process_time() - t0)
    return peak, float(np.median(times))


@study("checkpointing", "How much activation memory does gradient checkpointing save, and at what cost in time?",
       "003")
def run(quick=False, seed=0, progress=False):
    width, batch = (128, 128) if quick else (512, 512)
    repeats = 3 if quick else 10
    sqrt_l = round(math.sqrt(DEPTH))  # 6 layers per segment: 6 segments (the last one of 2)
    configs = {"none": None, "every 16 layers": 16, "every 8 layers": 8,
               f"every {sqrt_l} layers (sqrt L)": sqrt_l, "every 2 layers": 2}
    settings = dict(depth=DEPTH, width=width, batch=batch, activation="tanh", repeats=repeats,
                    memory="tracemalloc peak during one step, above the step's start")
    result = StudyResult(settings=settings)
    rng = np.random.default_rng(seed)
    x = glassgrad.tensor(rng.standard_normal((batch, width)).astype(np.float32))
    numbers, grads = {}, {}
    with Steps(len(configs), "checkpointing", progress) as steps:
        for name, segments in configs.items():
            model = make_mlp(width, DEPTH, seed)
            peak, seconds = measure(model, x, segments, repeats)
            step(model, x, segments)
            grads[name] = [p.grad.array.copy() for p in model.parameters()]
            numbers[name] = {"layers_per_segment": segments, "peak_bytes": peak, "cpu_seconds_per_step": seconds}
            steps.advance()
    plain = numbers["none"]
    activation_bytes = batch * width * 4  # one float32 activation
    for name, e in numbers.items():
        e["memory_ratio"] = plain["peak_bytes"] / e["peak_bytes"]
        e["time_ratio"] = e["cpu_seconds_per_step"] / plain["cpu_seconds_per_step"]
        e["peak_in_activations"] = e["peak_bytes"] / activation_bytes
        e["gradients_identical"] = all(np.array_equal(a, b) for a, b in zip(grads["none"], grads[name]))
        result.find(f"{name}: peak memory / time per step",
                    f"{e['peak_bytes'] / 2**20:.2f} MiB / {1000 * e['cpu_seconds_per_step']:.1f} ms",
                    f"{e['memory_ratio']:.2f}x less memory, {e['time_ratio']:.2f}x the time; gradients "
                    + ("bit-identical" if e["gradients_identical"] else "DIFFER"))
    result.numbers = numbers
    result.add_figure("memory-time", lambda: _figure(numbers))
    return result


def _figure(numbers):
    from .plot import colour, figure

    fig, ax = figure(width=5.2, height=3.6)
    for i, (name, e) in enumerate(numbers.items()):
        ax.scatter(e["time_ratio"], e["peak_bytes"] / 2**20, s=40, color=colour(i), zorder=3)
        ax.annotate(name, (e["time_ratio"], e["peak_bytes"] / 2**20), textcoords="offset points",
                    xytext=(6, 4), fontsize=8)
    ax.set_xlabel("CPU time per step / without checkpointing")
    ax.set_ylabel("peak memory in a step (MiB)")
    ax.set_title(f"{DEPTH}-layer MLP")
    ax.set_ylim(bottom=0)
    ax.margins(x=0.25)
    return fig
