"""torch.distributions in the two places course code uses it: a variational autoencoder
(a Gaussian encoder q(z|x), the reparameterised sample, a Bernoulli decoder, the KL to the
prior) and policy gradients (REINFORCE with a Categorical policy; a PPO clipped surrogate
with a MultivariateNormal policy on a diagonal covariance), trained with Adam.

The noise of the reparameterisation and the logged actions come from NumPy's generator,
so that both runs do the same arithmetic (in the style of PyTorch's VAE example and of
common PPO / REINFORCE implementations); plus torch.median, torch.quantile and
torch.testing.assert_close on the way.
"""

import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Bernoulli, Categorical, MultivariateNormal, Normal, kl_divergence

rng = np.random.default_rng(0)


def tensor(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float32))


def init_from_numpy(module):
    for p in module.parameters():
        p.data = tensor(rng.standard_normal(tuple(p.shape)) * 0.3)


# ---------------------------------------------------------------- a small VAE
class VAE(nn.Module):
    def __init__(self, d_in=12, d_hidden=16, d_latent=2):
        super().__init__()
        self.enc = nn.Linear(d_in, d_hidden)
        self.mu = nn.Linear(d_hidden, d_latent)
        self.logvar = nn.Linear(d_hidden, d_latent)
        self.dec = nn.Sequential(nn.Linear(d_latent, d_hidden), nn.Tanh(), nn.Linear(d_hidden, d_in))

    def forward(self, x, eps):
        h = torch.tanh(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        q = Normal(mu, torch.exp(0.5 * logvar))
        z = q.loc + q.scale * eps  # rsample with the noise given
        return q, Bernoulli(logits=self.dec(z))


x = tensor(rng.random((32, 12)) < 0.3)
vae = VAE()
init_from_numpy(vae)
opt = torch.optim.Adam(vae.parameters(), lr=1e-2)
prior = Normal(torch.zeros(2), torch.ones(2))
vae_losses = []
for step in range(60):
    eps = tensor(rng.standard_normal((32, 2)))
    q, likelihood = vae(x, eps)
    reconstruction = likelihood.log_prob(x).sum(-1)
    kl = kl_divergence(q, prior).sum(-1)
    loss = -(reconstruction - kl).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    vae_losses.append(loss.item())

# ---------------------------------------------------------------- REINFORCE, logged actions
policy = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
init_from_numpy(policy)
opt = torch.optim.Adam(policy.parameters(), lr=5e-3)
states = tensor(rng.standard_normal((64, 4)))
actions = torch.from_numpy(rng.integers(0, 3, 64))
returns = tensor(rng.standard_normal(64))
returns = (returns - returns.mean()) / (returns.std() + 1e-8)
pg_losses, entropies = [], []
for step in range(40):
    dist = Categorical(logits=policy(states))
    loss = -(dist.log_prob(actions) * returns).mean() - 0.01 * dist.entropy().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    pg_losses.append(loss.item())
    entropies.append(dist.entropy().mean().item())

# ---------------------------------------------------------------- PPO's clipped surrogate
actor = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 2))
init_from_numpy(actor)
opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
action_var = torch.full((2,), 0.5 * 0.5)
obs = tensor(rng.standard_normal((48, 3)))
with torch.no_grad():
    old = MultivariateNormal(actor(obs), torch.diag_embed(action_var).unsqueeze(0))
    taken = old.loc + tensor(rng.standard_normal((48, 2))) * 0.5
    old_logp = old.log_prob(taken)
advantages = tensor(rng.standard_normal(48))
ppo_losses = []
for step in range(30):
    dist = MultivariateNormal(actor(obs), torch.diag_embed(action_var).unsqueeze(0))
    ratio = torch.exp(dist.log_prob(taken) - old_logp)
    surrogate = torch.min(ratio * advantages, torch.clamp(ratio, 0.8, 1.2) * advantages)
    loss = -surrogate.mean() - 0.01 * dist.entropy().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    ppo_losses.append(loss.item())

# ---------------------------------------------------------------- summaries
latent = torch.tanh(vae.enc(x))
mu = vae.mu(latent).detach()
torch.testing.assert_close(mu.mean(0), mu.sum(0) / 32)  # torch's default float32 tolerances

RESULT = {
    "vae_losses": vae_losses[::6] + [vae_losses[-1]],
    "pg_losses": pg_losses[::5] + [pg_losses[-1]],
    "entropies": entropies[::5] + [entropies[-1]],
    "ppo_losses": ppo_losses[::5] + [ppo_losses[-1]],
    "latent_median": mu.median(dim=0).values.tolist(),
    "latent_quartiles": torch.quantile(mu, torch.tensor([0.25, 0.75]), dim=0).flatten().tolist(),
}
print(RESULT)
