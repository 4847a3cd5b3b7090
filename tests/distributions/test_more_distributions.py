"""Gamma, Beta, Exponential, Laplace and Poisson against torch.distributions (float64):
log_prob, entropy, mean, variance and their gradients; sample means within 5 standard
errors of the distribution's mean; rsample's gradient by hand."""

import numpy as np
import pytest
import torch

import glassgrad
from glassgrad import distributions as D

TD = torch.distributions

# name -> (parameters, values in the support)
CASES = {
    "Gamma": ([[0.5, 2.0, 7.5], [1.0, 0.3, 4.0]], [0.2, 1.5, 3.0]),
    "Beta": ([[0.5, 2.0, 7.5], [1.2, 0.8, 3.0]], [0.1, 0.5, 0.93]),
    "Exponential": ([[0.5, 2.0, 7.5]], [0.2, 1.5, 3.0]),
    "Laplace": ([[0.5, -2.0, 1.0], [1.0, 0.3, 4.0]], [0.2, -1.5, 3.0]),
    "Poisson": ([[0.5, 2.0, 7.5]], [0.0, 3.0, 6.0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_log_prob_entropy_mean_variance_and_gradients_match_torch(name):
    params, values = CASES[name]
    g_params = [glassgrad.tensor(np.array(p), requires_grad=True) for p in params]
    t_params = [torch.tensor(np.array(p), requires_grad=True) for p in params]
    g, t = getattr(D, name)(*g_params), getattr(TD, name)(*t_params)
    value = np.array(values)
    out_g = g.log_prob(glassgrad.tensor(value)) + g.mean + g.variance
    out_t = t.log_prob(torch.tensor(value)) + t.mean + t.variance
    if name != "Poisson":  # torch's Poisson has no entropy
        out_g, out_t = out_g + g.entropy(), out_t + t.entropy()
    np.testing.assert_allclose(out_g.detach().numpy(), out_t.detach().numpy(), rtol=1e-10)
    out_g.sum().backward()
    out_t.sum().backward()
    for a, b in zip(g_params, t_params):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
def test_sample_mean_within_five_standard_errors(name):
    n = 40000
    params, _ = CASES[name]
    dist = getattr(D, name)(*[glassgrad.tensor(np.array(p[0]) if np.ndim(p) > 1 else np.array(p)) for p in params])
    draws = dist.sample((n,)).numpy()
    assert draws.shape == (n, 3)
    mean, var = dist.mean.numpy(), dist.variance.numpy()
    assert np.all(np.abs(draws.mean(0) - mean) < 5 * np.sqrt(var / n))


def test_exponential_and_laplace_rsample_gradients():
    # x = e / rate: d sum(x)/d rate = -sum(x) / rate
    rate = glassgrad.tensor([0.5, 2.0], dtype=glassgrad.float64, requires_grad=True)
    x = D.Exponential(rate).rsample((100,))
    x.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), -x.detach().numpy().sum(0) / [0.5, 2.0], rtol=1e-12)
    # x = loc + b s e: d sum(x)/d loc = n, d sum(x)/d b = sum (x - loc) / b
    loc = glassgrad.tensor([1.0], dtype=glassgrad.float64, requires_grad=True)
    scale = glassgrad.tensor([3.0], dtype=glassgrad.float64, requires_grad=True)
    y = D.Laplace(loc, scale).rsample((50,))
    y.sum().backward()
    assert loc.grad.item() == 50.0
    np.testing.assert_allclose(scale.grad.numpy(), (y.detach().numpy() - 1.0).sum(0) / 3.0, rtol=1e-12)


def test_no_rsample_where_there_is_no_gradient_and_parameters_checked():
    with pytest.raises(NotImplementedError, match="rsample"):
        D.Gamma(1.0, 1.0).rsample()
    with pytest.raises(ValueError, match="concentration.*GreaterThan"):
        D.Beta(-1.0, 1.0)
    with pytest.raises(ValueError, match="support"):
        D.Poisson(2.0).log_prob(glassgrad.tensor([1.5]))
    assert D.Poisson(0.0).log_prob(glassgrad.tensor([0.0])).item() == 0.0  # p(0) = 1
