"""InstanceNorm1d/2d (F.instance_norm) and RMSNorm (F.rms_norm) against torch: values,
gradients of input and parameters, running statistics in training and eval, repr."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(11)

SETTINGS = [{}, {"affine": True}, {"track_running_stats": True},
            {"affine": True, "track_running_stats": True, "momentum": 0.3}]


def compare(ours, theirs, x):
    a, ta = gg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(a), theirs(ta)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = RNG.standard_normal(x.shape)
    (out * gg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.array, ta.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-8, atol=1e-10,
                                   err_msg=name)
    for name, buffer in ours.named_buffers():
        np.testing.assert_allclose(buffer.array, getattr(theirs, name).numpy(), rtol=1e-12,
                                   err_msg=name)


@pytest.mark.parametrize("kwargs", SETTINGS)
@pytest.mark.parametrize("name, shape", [("InstanceNorm1d", (3, 4, 7)), ("InstanceNorm1d", (4, 7)),
                                         ("InstanceNorm2d", (3, 4, 5, 6)),
                                         ("InstanceNorm2d", (4, 5, 6))])
def test_instance_norm_matches_torch_in_training_and_eval(name, shape, kwargs):
    ours = getattr(nn, name)(4, **kwargs).double()
    theirs = getattr(torch.nn, name)(4, **kwargs).double()
    assert repr(ours) == repr(theirs)
    for training in (True, True, False):  # two batches move the running statistics
        ours.train(training)
        theirs.train(training)
        compare(ours, theirs, RNG.standard_normal(shape) * 2 + 1)
    assert set(dict(ours.named_buffers())) == set(dict(theirs.named_buffers()))


@pytest.mark.parametrize("kwargs", [{}, {"eps": 1e-3}, {"elementwise_affine": False}])
def test_rms_norm_matches_torch(kwargs):
    ours, theirs = nn.RMSNorm((5, 6), **kwargs).double(), torch.nn.RMSNorm((5, 6), **kwargs).double()
    assert repr(ours) == repr(theirs)
    if ours.weight is not None:
        w = RNG.uniform(0.5, 1.5, (5, 6))
        ours.weight.array[...] = w
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(w))
    compare(ours, theirs, RNG.standard_normal((3, 5, 6)))


def test_rms_norm_refuses_a_shape_that_does_not_end_the_input():
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.RMSNorm(4)(gg.ones(2, 3))
