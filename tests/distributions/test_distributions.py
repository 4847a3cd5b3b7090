"""glassgrad.distributions against torch.distributions (torch 2.13 as the oracle, float64):
log_prob, entropy, kl_divergence and their gradients; rsample's gradient by its hand
derivation; sample statistics against the distribution's own mean and variance, with a
tolerance of 5 standard errors (the seed is fixed, so the draw is the same every run).
"""

import numpy as np
import pytest
import torch

import glassgrad
from glassgrad import distributions as D

TD = torch.distributions
RTOL = 1e-10


def pair(values, grad=True):
    """The same float64 values as a glassgrad and a torch leaf tensor."""
    a = np.asarray(values, dtype=np.float64)
    return (glassgrad.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad))


def close(g, t, rtol=RTOL, atol=1e-12):
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def check_grads(g_out, t_out, g_leaves, t_leaves):
    """Backward of the same random-weighted sum on both sides; every leaf's gradient."""
    w = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    (g_out * glassgrad.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    for g, t in zip(g_leaves, t_leaves):
        close(g.grad, t.grad)


LOC, SCALE = [[0.3, -1.2, 2.0], [0.0, 0.5, -0.7]], [[0.5, 2.0, 1.3], [0.9, 0.2, 3.0]]
VALUE = [[0.1, 0.7, -2.0], [1.5, 0.45, 0.0]]


# ------------------------------------------------------------------ Normal
def test_normal_log_prob_entropy_cdf_and_their_gradients_match_torch():
    (gl, tl), (gs, ts), (gv, tv) = pair(LOC), pair(SCALE), pair(VALUE)
    g, t = D.Normal(gl, gs), TD.Normal(tl, ts)
    assert tuple(g.batch_shape) == tuple(t.batch_shape) == (2, 3)
    assert tuple(g.event_shape) == ()
    out_g = g.log_prob(gv) + g.entropy() + g.cdf(gv)
    out_t = t.log_prob(tv) + t.entropy() + t.cdf(tv)
    close(out_g, out_t)
    check_grads(out_g, out_t, (gl, gs, gv), (tl, ts, tv))


def test_normal_mean_variance_stddev_and_numbers_as_parameters():
    g, t = D.Normal(1.5, 2.0), TD.Normal(1.5, 2.0)
    for name in ("mean", "variance", "stddev"):
        close(getattr(g, name), getattr(t, name))
    assert g.mean.dtype == glassgrad.float32  # numbers become the default float dtype
    assert D.Normal(glassgrad.zeros(3, dtype=glassgrad.float64), 1.0).scale.dtype == glassgrad.float64


def test_normal_rsample_gradient_reaches_loc_and_scale():
    # x = loc + scale * eps: dx/dloc = 1, dx/dscale = eps = (x - loc) / scale
    (gl, _), (gs, _) = pair(LOC), pair(SCALE)
    x = D.Normal(gl, gs).rsample((4,))
    assert tuple(x.shape) == (4, 2, 3) and x.requires_grad
    eps = (x.detach().numpy() - np.array(LOC)) / np.array(SCALE)
    x.sum().backward()
    np.testing.assert_allclose(gl.grad.numpy(), np.full((2, 3), 4.0))
    np.testing.assert_allclose(gs.grad.numpy(), eps.sum(0), rtol=1e-12)


def test_normal_sample_has_no_graph_and_the_requested_shape():
    (gl, _), (gs, _) = pair(LOC), pair(SCALE)
    s = D.Normal(gl, gs).sample((5,))
    assert tuple(s.shape) == (5, 2, 3) and not s.requires_grad


def test_normal_sample_statistics_match_its_mean_and_variance():
    n = 40000
    dist = D.Normal(glassgrad.tensor([1.0, -3.0], dtype=glassgrad.float64),
                    glassgrad.tensor([0.5, 2.0], dtype=glassgrad.float64))
    draws = dist.sample((n,)).numpy()
    sd = np.array([0.5, 2.0])
    # the sample mean's standard error is sd/sqrt(n); the sample variance's about
    # sd^2 sqrt(2/(n-1)) for a normal
    assert np.all(np.abs(draws.mean(0) - [1.0, -3.0]) < 5 * sd / np.sqrt(n))
    assert np.all(np.abs(draws.var(0, ddof=1) - sd ** 2) < 5 * sd ** 2 * np.sqrt(2 / (n - 1)))


def test_normal_icdf_inverts_cdf():
    g = D.Normal(glassgrad.tensor([0.5], dtype=glassgrad.float64), glassgrad.tensor([2.0], dtype=glassgrad.float64))
    t = TD.Normal(torch.tensor([0.5], dtype=torch.float64), torch.tensor([2.0], dtype=torch.float64))
    p = [0.025, 0.3, 0.5, 0.9, 0.999]
    close(g.icdf(glassgrad.tensor(p, dtype=glassgrad.float64).reshape(-1, 1)),
          t.icdf(torch.tensor(p, dtype=torch.float64).reshape(-1, 1)), rtol=1e-9)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan")])
def test_normal_refuses_a_scale_that_is_not_positive(scale):
    with pytest.raises(ValueError, match="scale.*GreaterThan"):
        D.Normal(0.0, glassgrad.tensor([1.0, scale]))
    D.Normal(0.0, glassgrad.tensor([1.0, scale]), validate_args=False)  # allowed when asked


# ------------------------------------------------------------------ Categorical
LOGITS = [[0.1, 2.0, -1.0, 0.3], [0.0, 0.0, 3.0, -2.5]]
PROBS = [[0.1, 0.2, 0.3, 0.4], [2.0, 0.0, 1.0, 1.0]]  # unnormalised weights, a zero


@pytest.mark.parametrize("given", ["logits", "probs"])
def test_categorical_log_prob_and_entropy_and_gradients_match_torch(given):
    values = LOGITS if given == "logits" else PROBS
    (gp, tp) = pair(values)
    g, t = D.Categorical(**{given: gp}), TD.Categorical(**{given: tp})
    assert tuple(g.batch_shape) == (2,) and tuple(g.event_shape) == ()
    k = [[3, 1], [0, 3], [2, 2]]  # (3, 2): sample dims before the batch
    out_g = g.log_prob(glassgrad.tensor(k)) + g.entropy()
    out_t = t.log_prob(torch.tensor(k)) + t.entropy()
    close(out_g, out_t)
    close(g.probs, t.probs)
    check_grads(out_g, out_t, (gp,), (tp,))


def test_categorical_sample_frequencies_match_its_probabilities():
    n = 40000
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    draws = D.Categorical(glassgrad.tensor(probs)).sample((n,)).numpy()
    assert draws.dtype == np.int64 and draws.shape == (n,)
    freq = np.bincount(draws, minlength=4) / n
    assert np.all(np.abs(freq - probs) < 5 * np.sqrt(probs * (1 - probs) / n))


def test_categorical_never_samples_a_zero_probability_category():
    draws = D.Categorical(glassgrad.tensor([[0.5, 0.0, 0.5], [0.0, 0.0, 1.0]])).sample((2000,))
    assert tuple(draws.shape) == (2000, 2)
    assert not (draws.numpy()[:, 0] == 1).any() and (draws.numpy()[:, 1] == 2).all()


def test_categorical_refuses_an_index_out_of_range():
    with pytest.raises(ValueError, match="support"):
        D.Categorical(logits=glassgrad.zeros(3)).log_prob(glassgrad.tensor([3]))


def test_categorical_refuses_negative_probs_and_both_parameters():
    with pytest.raises(ValueError, match="probs.*Simplex"):
        D.Categorical(glassgrad.tensor([0.5, -0.1]))
    with pytest.raises(ValueError, match="either probs or logits"):
        D.Categorical(glassgrad.ones(2), logits=glassgrad.ones(2))


# ------------------------------------------------------------------ Bernoulli
@pytest.mark.parametrize("given", ["logits", "probs"])
def test_bernoulli_log_prob_entropy_mean_variance_match_torch(given):
    values = [[0.2, 0.9, 0.5], [0.01, 0.7, 0.35]] if given == "probs" else LOC
    (gp, tp) = pair(values)
    g, t = D.Bernoulli(**{given: gp}), TD.Bernoulli(**{given: tp})
    x = [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    out_g = g.log_prob(glassgrad.tensor(x, dtype=glassgrad.float64)) + g.entropy() + g.mean * g.variance
    out_t = t.log_prob(torch.tensor(x, dtype=torch.float64)) + t.entropy() + t.mean * t.variance
    close(out_g, out_t)
    close(g.logits, t.logits)
    check_grads(out_g, out_t, (gp,), (tp,))


def test_bernoulli_sample_frequency_matches_its_probability():
    n = 40000
    p = np.array([0.1, 0.5, 0.85])
    draws = D.Bernoulli(glassgrad.tensor(p)).sample((n,)).numpy()
    assert set(np.unique(draws)) <= {0.0, 1.0}
    assert np.all(np.abs(draws.mean(0) - p) < 5 * np.sqrt(p * (1 - p) / n))


def test_bernoulli_refuses_a_probability_above_one():
    with pytest.raises(ValueError, match="probs.*Interval"):
        D.Bernoulli(glassgrad.tensor([0.5, 1.5]))


# ------------------------------------------------------------------ Uniform
def test_uniform_log_prob_entropy_cdf_and_gradients_match_torch():
    (gl, tl), (gh, th) = pair([0.0, -1.0, 2.0]), pair([1.0, 3.0, 2.5])
    g, t = D.Uniform(gl, gh), TD.Uniform(tl, th)
    v = [0.25, 2.9, 2.0]
    out_g = g.log_prob(glassgrad.tensor(v, dtype=glassgrad.float64)) + g.entropy() + g.cdf(glassgrad.tensor(v, dtype=glassgrad.float64))
    out_t = t.log_prob(torch.tensor(v, dtype=torch.float64)) + t.entropy() + t.cdf(torch.tensor(v, dtype=torch.float64))
    close(out_g, out_t)
    close(g.mean + g.variance + g.stddev, t.mean + t.variance + t.stddev)
    check_grads(out_g, out_t, (gl, gh), (tl, th))


def test_uniform_log_prob_outside_is_minus_inf_without_validation():
    u = D.Uniform(0.0, 1.0, validate_args=False)
    assert u.log_prob(glassgrad.tensor([1.5])).item() == float("-inf")
    with pytest.raises(ValueError, match="support"):
        D.Uniform(0.0, 1.0).log_prob(glassgrad.tensor([1.5]))


def test_uniform_rsample_gradient_and_statistics():
    (gl, _), (gh, _) = pair([-1.0]), pair([3.0])
    n = 40000
    x = D.Uniform(gl, gh).rsample((n,))
    u = (x.detach().numpy() + 1.0) / 4.0  # x = low + u (high - low)
    x.sum().backward()
    np.testing.assert_allclose(gl.grad.numpy(), [(1 - u).sum()], rtol=1e-10)
    np.testing.assert_allclose(gh.grad.numpy(), [u.sum()], rtol=1e-10)
    assert (x.detach().numpy() >= -1).all() and (x.detach().numpy() < 3).all()
    sd = 4 / np.sqrt(12)
    assert abs(x.detach().numpy().mean() - 1.0) < 5 * sd / np.sqrt(n)


# ------------------------------------------------------------------ Independent
def test_independent_sums_the_reinterpreted_dims():
    (gl, tl), (gs, ts), (gv, tv) = pair(LOC), pair(SCALE), pair(VALUE)
    g = D.Independent(D.Normal(gl, gs), 1)
    t = TD.Independent(TD.Normal(tl, ts), 1)
    assert tuple(g.batch_shape) == (2,) and tuple(g.event_shape) == (3,)
    out_g, out_t = g.log_prob(gv) + g.entropy(), t.log_prob(tv) + t.entropy()
    close(out_g, out_t)
    check_grads(out_g, out_t, (gl, gs, gv), (tl, ts, tv))
    assert tuple(g.rsample((7,)).shape) == (7, 2, 3)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.Independent(D.Normal(gl, gs), 3)


# ------------------------------------------------------------------ KL
def test_kl_normal_normal_matches_torch_with_gradients():
    (gl, tl), (gs, ts) = pair(LOC), pair(SCALE)
    (gm, tm), (gq, tq) = pair(VALUE), pair([[1.0, 0.3, 2.0], [0.7, 1.1, 0.4]])
    out_g = D.kl_divergence(D.Normal(gl, gs), D.Normal(gm, gq))
    out_t = TD.kl_divergence(TD.Normal(tl, ts), TD.Normal(tm, tq))
    close(out_g, out_t)
    check_grads(out_g, out_t, (gl, gs, gm, gq), (tl, ts, tm, tq))


def test_kl_of_a_distribution_with_itself_is_zero_and_the_vae_term_by_hand():
    mu, sigma = np.array([0.4, -1.0]), np.array([0.8, 1.5])
    kl = D.kl_divergence(D.Normal(glassgrad.tensor(mu), glassgrad.tensor(sigma)), D.Normal(0.0, 1.0))
    # the VAE's closed form: KL(N(mu, s^2) || N(0, 1)) = (mu^2 + s^2 - 1 - log s^2) / 2
    np.testing.assert_allclose(kl.numpy(), (mu ** 2 + sigma ** 2 - 1 - np.log(sigma ** 2)) / 2, rtol=1e-12)
    p = D.Normal(glassgrad.tensor(mu), glassgrad.tensor(sigma))
    np.testing.assert_allclose(D.kl_divergence(p, p).numpy(), 0.0, atol=1e-15)


def test_kl_categorical_bernoulli_uniform_independent_match_torch():
    (gp, tp), (gq, tq) = pair(LOGITS), pair(LOC[:1] + [[0.0, 1.0, 2.0]])
    g = D.kl_divergence(D.Categorical(logits=gp), D.Categorical(logits=glassgrad.tensor(np.array(LOGITS)[::-1].copy())))
    t = TD.kl_divergence(TD.Categorical(logits=tp), TD.Categorical(logits=torch.tensor(np.array(LOGITS)[::-1].copy())))
    close(g, t)
    check_grads(g, t, (gp,), (tp,))
    close(D.kl_divergence(D.Categorical(glassgrad.tensor([0.5, 0.5, 0.0])), D.Categorical(glassgrad.tensor([0.2, 0.3, 0.5]))),
          TD.kl_divergence(TD.Categorical(torch.tensor([0.5, 0.5, 0.0])), TD.Categorical(torch.tensor([0.2, 0.3, 0.5]))),
          rtol=1e-6)
    gb, tb = D.Bernoulli(logits=gq), TD.Bernoulli(logits=tq)
    close(D.kl_divergence(gb, D.Bernoulli(probs=glassgrad.tensor(0.3, dtype=glassgrad.float64))),
          TD.kl_divergence(tb, TD.Bernoulli(probs=torch.tensor(0.3, dtype=torch.float64))))
    close(D.kl_divergence(D.Uniform(0.0, 1.0), D.Uniform(-1.0, 2.0)),
          TD.kl_divergence(TD.Uniform(0.0, 1.0), TD.Uniform(-1.0, 2.0)), rtol=1e-6)
    assert D.kl_divergence(D.Uniform(0.0, 1.0), D.Uniform(0.5, 2.0)).item() == float("inf")
    (gl, tl), (gs, ts) = pair(LOC), pair(SCALE)
    close(D.kl_divergence(D.Independent(D.Normal(gl, gs), 1), D.Independent(D.Normal(glassgrad.zeros(2, 3, dtype=glassgrad.float64), 1.0), 1)),
          TD.kl_divergence(TD.Independent(TD.Normal(tl, ts), 1), TD.Independent(TD.Normal(torch.zeros(2, 3, dtype=torch.float64), 1.0), 1)))


def test_kl_of_an_unregistered_pair_says_so():
    with pytest.raises(NotImplementedError, match="Normal.*Categorical"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Categorical(glassgrad.ones(3)))


def test_register_kl_adds_a_pair():
    class MyNormal(D.Normal):
        pass

    # a subclass finds its base class's formula
    close(D.kl_divergence(MyNormal(0.0, 2.0), D.Normal(1.0, 1.0)),
          TD.kl_divergence(TD.Normal(0.0, 2.0), TD.Normal(1.0, 1.0)), rtol=1e-6)
