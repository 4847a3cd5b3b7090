"""``glassgrad.distributions``: PyTorch's ``torch.distributions`` for the distributions
variational autoencoders and reinforcement learning use.

    from glassgrad.distributions import Normal, Categorical, kl_divergence
    q = Normal(mu, sigma)
    z = q.rsample()                                   # gradients reach mu and sigma
    kl = kl_divergence(q, Normal(0.0, 1.0)).sum()     # the VAE's KL term
    a = Categorical(logits=policy(s)).sample()        # an action; log_prob for REINFORCE

Every formula is written with glassgrad ops (docs/pytorch.md lists what is here).
"""

from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential, Laplace
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "MultivariateNormal", "Normal", "Poisson", "Uniform",
           "kl_divergence", "register_kl"]
