"""MultivariateNormal against torch.distributions (float64): log_prob, entropy, kl and
their gradients for covariance and scale_tril parameters, batched; rsample's gradient by
hand; sample mean and covariance within 5 standard errors."""

import numpy as np
import pytest
import torch

import glassgrad
from glassgrad import distributions as D

TD = torch.distributions
RNG = np.random.default_rng(3)
LOC = RNG.standard_normal((4, 3))
M = RNG.standard_normal((3, 3))
COV = M @ M.T + np.eye(3)
X = RNG.standard_normal((2, 4, 3))  # (sample, batch, event)


def pair(a):
    return glassgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def close(g, t, rtol=1e-10):
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("given", ["covariance_matrix", "scale_tril"])
def test_log_prob_entropy_and_gradients_match_torch(given):
    (gl, tl), (gm, tm) = pair(LOC), pair(COV if given == "covariance_matrix" else np.linalg.cholesky(COV))
    g = D.MultivariateNormal(gl, **{given: gm})
    t = TD.MultivariateNormal(tl, **{given: tm})
    assert tuple(g.batch_shape) == (4,) and tuple(g.event_shape) == (3,)
    out_g = g.log_prob(glassgrad.tensor(X)) + g.entropy()
    out_t = t.log_prob(torch.tensor(X)) + t.entropy()
    close(out_g, out_t)
    w = RNG.standard_normal(tuple(out_t.shape))
    (out_g * glassgrad.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    close(gl.grad, tl.grad)
    close(gm.grad, tm.grad, rtol=1e-9)
    close(g.covariance_matrix, t.covariance_matrix)
    close(g.variance, t.variance)
    close(g.scale_tril, t.scale_tril)


def test_kl_matches_torch_with_gradients():
    (gl, tl), (gm, tm) = pair(LOC), pair(COV)
    q_cov = np.diag([2.0, 0.5, 1.5])
    g = D.kl_divergence(D.MultivariateNormal(gl, gm), D.MultivariateNormal(glassgrad.tensor(LOC[0] * 0.5), glassgrad.tensor(q_cov)))
    t = TD.kl_divergence(TD.MultivariateNormal(tl, tm), TD.MultivariateNormal(torch.tensor(LOC[0] * 0.5), torch.tensor(q_cov)))
    close(g, t)
    g.sum().backward()
    t.sum().backward()
    close(gl.grad, tl.grad)
    close(gm.grad, tm.grad, rtol=1e-9)


def test_rsample_gradient_reaches_loc_and_scale_tril():
    # x = loc + L eps: d sum(x)/d loc_i = 1 per draw; d sum(x)/d L_ij = sum over draws of eps_j
    low = np.linalg.cholesky(COV)
    (gl, _), (gs, _) = pair(LOC[0]), pair(low)
    x = D.MultivariateNormal(gl, scale_tril=gs).rsample((5,))
    assert tuple(x.shape) == (5, 3)
    eps = np.linalg.solve(low, (x.detach().numpy() - LOC[0]).T).T  # (5, 3)
    x.sum().backward()
    np.testing.assert_allclose(gl.grad.numpy(), np.full(3, 5.0))
    np.testing.assert_allclose(gs.grad.numpy(), np.ones((3, 1)) * eps.sum(0)[None, :], rtol=1e-10)


def test_sample_mean_and_covariance_match():
    n = 40000
    dist = D.MultivariateNormal(glassgrad.tensor(LOC[0]), glassgrad.tensor(COV))
    draws = dist.sample((n,)).numpy()
    sd = np.sqrt(np.diag(COV))
    assert np.all(np.abs(draws.mean(0) - LOC[0]) < 5 * sd / np.sqrt(n))
    # the standard error of a sample covariance is sqrt((S_ii S_jj + S_ij^2) / n)
    se = np.sqrt((np.outer(np.diag(COV), np.diag(COV)) + COV ** 2) / n)
    assert np.all(np.abs(np.cov(draws.T) - COV) < 5 * se)


def test_ppo_style_diagonal_covariance():
    var = glassgrad.full((2,), 0.36)
    dist = D.MultivariateNormal(glassgrad.zeros(5, 2), glassgrad.diag_embed(var).unsqueeze(0))
    action = dist.sample()
    assert tuple(action.shape) == (5, 2)
    tdist = TD.MultivariateNormal(torch.zeros(5, 2), torch.diag_embed(torch.full((2,), 0.36)).unsqueeze(0))
    close(dist.log_prob(action), tdist.log_prob(torch.tensor(action.numpy())), rtol=1e-5)
    close(dist.entropy(), tdist.entropy(), rtol=1e-6)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="positive-definite"):
        D.MultivariateNormal(glassgrad.zeros(2), glassgrad.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="LowerCholesky"):
        D.MultivariateNormal(glassgrad.zeros(2), scale_tril=glassgrad.tensor([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="exactly one"):
        D.MultivariateNormal(glassgrad.zeros(2))
    with pytest.raises(ValueError, match=r"\(2, 2\) matrix"):
        D.MultivariateNormal(glassgrad.zeros(2), glassgrad.eye(3))
