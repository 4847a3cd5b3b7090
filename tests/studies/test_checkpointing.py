"""checkpointing: the memory a plain 32-layer net must hold against checkpointed segments,
with bit-identical gradients."""

import numpy as np
import pytest

import glassgrad
from glassgrad.studies.checkpointing import DEPTH, make_mlp, segmented


@pytest.mark.parametrize("k", [1, 3, 6, 32])
def test_segmented_network_gives_bit_identical_gradients(k):
    x = glassgrad.tensor(np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32))
    grads = []
    for per in (None, k):
        model = make_mlp(8, DEPTH, seed=1)
        out = model(x) if per is None else segmented(model, per, x)
        (out * out).mean().backward()
        grads.append([p.grad.numpy().copy() for p in model.parameters()])
    # the recomputation repeats the same float operations in the same order
    assert all(np.array_equal(a, b) for a, b in zip(*grads))


@pytest.mark.slow
def test_quick_study_sqrt_segments_halve_the_peak():
    from glassgrad.studies.checkpointing import run

    r = run(quick=True)
    n = r.numbers
    width, batch = r.settings["width"], r.settings["batch"]
    one_activation = width * batch * 4
    # without checkpointing the backward needs every layer's tanh output alive at once
    assert n["none"]["peak_bytes"] >= DEPTH * one_activation
    sqrt_name = next(k for k in n if "sqrt L" in k)
    assert n[sqrt_name]["peak_bytes"] <= n["none"]["peak_bytes"] / 2
    assert all(e["gradients_identical"] for e in n.values())
