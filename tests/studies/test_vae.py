"""vae: the loss terms against PyTorch's own formulas, the reparametrization's gradient
paths, and the quick study's finding (both terms finite, the loss falling)."""

import numpy as np
import pytest

import glassgrad
from glassgrad.studies.vae import VAE, gradient_paths, loss_terms

torch = pytest.importorskip("torch")


def test_loss_terms_match_torch_bce_and_normal_kl():
    rng = np.random.default_rng(0)
    x = rng.random((5, 784)).astype(np.float32)
    x_hat = rng.uniform(0.05, 0.95, (5, 784)).astype(np.float32)
    mu = rng.standard_normal((5, 2)).astype(np.float32)
    logvar = rng.standard_normal((5, 2)).astype(np.float32)
    rec, kl = loss_terms(*(glassgrad.tensor(a) for a in (x_hat, x, mu, logvar)))
    t = [torch.tensor(a, dtype=torch.float64) for a in (x_hat, x, mu, logvar)]
    want_rec = torch.nn.functional.binary_cross_entropy(t[0], t[1], reduction="sum") / 5
    q = torch.distributions.Normal(t[2], torch.exp(t[3] / 2))
    p = torch.distributions.Normal(torch.zeros_like(t[2]), torch.ones_like(t[2]))
    want_kl = torch.distributions.kl_divergence(q, p).sum() / 5
    # float32 sums of 784 x 5 terms of size ~1: relative 1e-5 is a few ulps per term
    assert float(rec.item()) == pytest.approx(float(want_rec), rel=1e-5)
    assert float(kl.item()) == pytest.approx(float(want_kl), rel=1e-5)


def test_only_the_reparametrized_sample_passes_gradient_to_mu_and_logvar():
    glassgrad.manual_seed(0)
    x = glassgrad.tensor(np.random.default_rng(1).random((8, 784)).astype(np.float32))
    paths = gradient_paths(VAE(latent=2, hidden=16), x)
    r, d = paths["reparametrized"], paths["sampled directly"]
    assert r["mu"] > 0 and r["logvar"] > 0 and r["encoder_weight"] > 0
    assert d["mu"] is None and d["logvar"] is None and d["encoder_weight"] is None


@pytest.mark.slow
@pytest.mark.mnist
def test_quick_study_loss_terms_finite_and_falling(need_mnist):
    from glassgrad.studies.vae import run

    r = run(quick=True)
    rec, kl = r.numbers["train"]["reconstruction"], r.numbers["train"]["kl"]
    assert np.isfinite(rec).all() and np.isfinite(kl).all() and min(kl) >= 0
    assert rec[-1] < rec[0]
    assert rec[-1] + kl[-1] < rec[0] + kl[0]
    # a 784-pixel Bernoulli image coded in 2 numbers: far below the 543 nats of
    # predicting 0.5 everywhere (784 ln 2), above what a perfect model would need
    assert 100 < r.numbers["test"]["total"] < 784 * np.log(2)
