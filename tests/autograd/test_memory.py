"""The graph is freed by reference counting alone: no cycles, no growth over many steps."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import glassgrad as gg

from autograd_helpers import tanh


@pytest.fixture
def no_gc():
    """Run with the cycle collector off: anything freed was freed by reference counting."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was:
        gc.enable()


def test_saved_buffers_and_nodes_die_right_after_backward(no_gc):
    x = gg.tensor(np.array([0.5, 1.5]), requires_grad=True)
    h = x.exp()  # Exp saves its output array; Mul below saves it too
    saved = weakref.ref(h.array)
    node = weakref.ref(h.grad_fn)
    loss = (h * 3.0).sum()
    del h
    assert saved() is not None  # the graph keeps it for backward
    loss.backward()
    assert saved() is None  # released by backward, not by a garbage collection
    assert node() is not None  # the node itself lives as long as the loss refers to it
    del loss
    assert node() is None


def test_retain_graph_keeps_buffers_until_graph_dropped(no_gc):
    x = gg.tensor(np.array([0.5, 1.5]), requires_grad=True)
    h = x.exp()
    saved = weakref.ref(h.array)
    loss = (h * 3.0).sum()
    del h
    loss.backward(retain_graph=True)
    assert saved() is not None
    del loss
    assert saved() is None


def test_intermediate_tensor_dies_with_its_graph(no_gc):
    x = gg.tensor(np.ones((3, 3)), requires_grad=True)
    h = tanh(x @ x)
    ref = weakref.ref(h)
    node = weakref.ref(h.grad_fn)
    loss = (h * h).sum()
    del h
    assert ref() is None  # nodes never hold their output tensor
    loss.backward()
    del loss
    assert node() is None


def test_checkpoint_and_anomaly_leave_nothing_behind(no_gc):
    from glassgrad.autograd import detect_anomaly
    from glassgrad.utils.checkpoint import checkpoint

    w = gg.tensor(np.ones((3, 3)), requires_grad=True)
    x = gg.tensor(np.ones((2, 3)), requires_grad=True)
    with detect_anomaly():
        out = checkpoint(lambda a: tanh(a @ w), x)
        node = weakref.ref(out.grad_fn)
        out.sum().backward()
        del out
    assert node() is None


def training_step(params, x, y, lr=0.01):
    W1, b1, W2, b2 = params
    h = tanh(x @ W1 + b1)
    out = h @ W2 + b2
    d = out - y
    loss = (d * d).sum()
    loss.backward()
    with gg.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
    return loss.item()


def test_memory_flat_over_1000_training_steps(no_gc):
    rng = np.random.default_rng(0)
    params = [
        gg.tensor(rng.normal(size=s).astype(np.float32) * 0.3, requires_grad=True)
        for s in [(8, 16), (16,), (16, 4), (4,)]
    ]
    x = gg.tensor(rng.normal(size=(32, 8)).astype(np.float32))
    y = gg.tensor(rng.normal(size=(32, 4)).astype(np.float32))

    for _ in range(50):  # warm-up: caches, interned objects, lazily bound names
        training_step(params, x, y)
    tracemalloc.start()
    try:
        objects_before = len(gc.get_objects())
        bytes_before = tracemalloc.get_traced_memory()[0]
        losses = [training_step(params, x, y) for _ in range(1000)]
        bytes_after = tracemalloc.get_traced_memory()[0]
        objects_after = len(gc.get_objects())
    finally:
        tracemalloc.stop()
    # One step allocates ~30 kB of arrays; a leak of a single graph per step would add
    # 30 MB over 1000 steps. Allow a little noise, nowhere near one graph per step.
    assert bytes_after - bytes_before < 64 * 1024, bytes_after - bytes_before
    assert objects_after - objects_before < 200, objects_after - objects_before
    assert losses[-1] < losses[0]  # it was really training
