"""checkpointing: the memory a plain 32-layer net must hold against checkpointed segments,
with bit-identical gradients."""

import numpy as np
import pytest

import glassgrad
from glassgrad.studies.checkpointing import DEPTH, decreasing, make_mlp, segmented, uniform


@pytest.mark.parametrize("lengths", [1, 3, 6, 32, [8, 7, 6, 5, 4, 2], [2, 30]])
def test_segmented_network_gives_bit_identical_gradients(lengths):
    x = glassgrad.tensor(np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32))
    grads = []
    for per in (None, lengths):
        model = make_mlp(8, DEPTH, seed=1)
        out = model(x) if per is None else segmented(model, per, x)
        out.square().mean().backward()
        grads.append([p.grad.numpy().copy() for p in model.parameters()])
    # the recomputation repeats the same float operations in the same order
    assert all(np.array_equal(a, b) for a, b in zip(*grads))


def test_segment_lengths_by_hand():
    assert uniform(6) == [6, 6, 6, 6, 6, 2]
    assert uniform(8) == [8, 8, 8, 8]
    # 1 + ... + 7 = 28 < 32 <= 36 = 1 + ... + 8: m = 8, lengths 8, 7, 6, 5, 4 and the 2 left
    assert decreasing(32) == [8, 7, 6, 5, 4, 2]
    assert decreasing(36) == [8, 7, 6, 5, 4, 3, 2, 1]
    assert decreasing(1) == [1]


@pytest.mark.slow
def test_quick_study_keeps_the_counted_activations():
    from glassgrad.studies.checkpointing import run

    r = run(quick=True)
    n = r.numbers
    one_activation = r.settings["width"] * r.settings["batch"] * 4
    # plain: the backward needs every layer's tanh output (the next Linear's input is the
    # same array): exactly 32 activations kept, and the step's peak holds at least those
    assert n["none"]["saved_peak_bytes"] == DEPTH * one_activation
    assert n["none"]["peak_bytes"] >= DEPTH * one_activation
    # equal segments of 6: while the 5th is recomputed, the inputs of segments 2-5 (the
    # first one's input is the batch, there before the step) and its 6 outputs: 4 + 6
    sqrt_name = next(k for k in n if "sqrt L" in k)
    assert n[sqrt_name]["saved_peak_bytes"] == 10 * one_activation
    # segments 8, 7, 6, 5, 4, 2: segment j is recomputed beside j - 1 inputs: 8 each time
    dec_name = next(k for k in n if k.startswith("decreasing"))
    assert n[dec_name]["saved_peak_bytes"] == 8 * one_activation
    # the whole step (the backward's gradient buffers included) at least halves
    assert n[dec_name]["peak_bytes"] <= n["none"]["peak_bytes"] / 2
    assert all(e["gradients_identical"] for e in n.values())
