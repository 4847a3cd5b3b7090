r"""vae (seed 002, exam question 2.4): why does a VAE need the reparametrization trick?

The encoder maps x to (mu, log sigma^2); the decoder maps a code z back to an image. The
loss of one image is

    reconstruction  -sum_i [x_i log x_hat_i + (1 - x_i) log(1 - x_hat_i)]    (Bernoulli)
  + KL(N(mu, sigma^2) || N(0, I)) = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2).

z must be a sample of N(mu, sigma^2). Drawn directly, z is a new leaf of the graph: the
gradient stops there and mu, log sigma^2 (and the encoder) get none. Written as
z = mu + exp(log sigma^2 / 2) * eps with eps ~ N(0, I) drawn outside the graph, z is a
deterministic, differentiable function of mu and log sigma^2, and the gradient reaches
them (dz/dmu = 1, dz/dlogvar = z - mu over 2). The study prints both, trains the VAE with a
2-D code on MNIST (both loss terms per epoch), and draws samples, an interpolation and
the latent map coloured by digit.
"""

import numpy as np

import glassgrad
import glassgrad.nn as nn
import glassgrad.nn.functional as F

from . import study
from .common import mnist_arrays
from .progress import Steps
from .result import StudyResult


class VAE(nn.Module):
    def __init__(self, latent=2, hidden=256):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784), nn.Sigmoid())

    def encode(self, x):
        h = self.encoder(x)
        return self.mu(h), self.logvar(h)

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = reparametrize(mu, logvar)
        return self.decoder(z), mu, logvar


def reparametrize(mu, logvar):
    """z = mu + sigma * eps, eps ~ N(0, I) drawn outside the graph: z depends on mu and logvar."""
    eps = glassgrad.randn_like(mu)
    return mu + glassgrad.exp(logvar / 2) * eps


def loss_terms(x_hat, x, mu, logvar):
    """(reconstruction, KL), each summed over an image's pixels / code and averaged over the batch."""
    n = x.shape[0]
    rec = F.binary_cross_entropy(x_hat, x, reduction="sum") / n
    kl = -0.5 * (1 + logvar - mu ** 2 - glassgrad.exp(logvar)).sum() / n
    return rec, kl


def gradient_paths(model, x):
    """The norms of dL/dmu and dL/dlogvar with the trick, and what direct sampling leaves them."""
    out = {}
    for how in ("reparametrized", "sampled directly"):
        mu, logvar = model.encode(x)
        mu.retain_grad()
        logvar.retain_grad()
        if how == "reparametrized":
            z = reparametrize(mu, logvar)
        else:  # z ~ N(mu, sigma^2) drawn by the sampler: a new leaf, no path back to mu
            z = glassgrad.normal(mu, glassgrad.exp(logvar / 2))
        rec, kl = loss_terms(model.decoder(z), x, mu, logvar)
        model.zero_grad()
        rec.backward()  # the reconstruction term alone: the KL term reaches mu either way
        out[how] = {name: (None if t.grad is None else float(np.linalg.norm(t.grad.array)))
                    for name, t in (("mu", mu), ("logvar", logvar))}
        out[how]["encoder_weight"] = (None if model.encoder[0].weight.grad is None
                                      else float(np.linalg.norm(model.encoder[0].weight.grad.array)))
    return out


@study("vae", "Why does a VAE need the reparametrization trick, and what do its two loss terms do?", "002")
def run(quick=False, seed=0, progress=False):
    n_train = 6000 if quick else 60000
    epochs = 6 if quick else 30
    batch, lr = 100, 1e-3
    Xtr, _ = mnist_arrays("train", n=n_train)
    Xte, yte = mnist_arrays("test", n=2000 if quick else None)
    settings = dict(latent=2, hidden=256, train_images=len(Xtr), test_images=len(Xte), epochs=epochs,
                    optimizer=f"Adam lr {lr} batch {batch}",
                    loss="Bernoulli reconstruction (BCE summed over pixels) + KL, per image")
    result = StudyResult(settings=settings)
    glassgrad.manual_seed(seed)
    model = VAE()
    paths = gradient_paths(model, glassgrad.tensor(Xtr[:100]))
    opt = glassgrad.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history = {"reconstruction": [], "kl": []}
    with Steps(epochs, "vae", progress) as steps:
        for _ in range(epochs):
            rec_sum = kl_sum = 0.0
            for idx in np.array_split(rng.permutation(len(Xtr)), len(Xtr) // batch):
                x = glassgrad.tensor(Xtr[idx])
                x_hat, mu, logvar = model(x)
                rec, kl = loss_terms(x_hat, x, mu, logvar)
                opt.zero_grad()
                (rec + kl).backward()
                opt.step()
                rec_sum += float(rec.item()) * len(idx)
                kl_sum += float(kl.item()) * len(idx)
            history["reconstruction"].append(rec_sum / len(Xtr))
            history["kl"].append(kl_sum / len(Xtr))
            steps.advance()
    with glassgrad.no_grad():
        x = glassgrad.tensor(Xte)
        x_hat, mu, logvar = model(x)
        rec, kl = loss_terms(x_hat, x, mu, logvar)
        test = {"reconstruction": float(rec.item()), "kl": float(kl.item())}
        test["total"] = test["reconstruction"] + test["kl"]
        codes = mu.array
        samples = model.decoder(glassgrad.randn(16, 2)).array.reshape(-1, 28, 28)
        a, b = codes[np.flatnonzero(yte == 0)[0]], codes[np.flatnonzero(yte == 1)[0]]
        path = np.stack([a + t * (b - a) for t in np.linspace(0, 1, 10)]).astype(np.float32)
        interpolation = model.decoder(glassgrad.tensor(path)).array.reshape(-1, 28, 28)
    result.numbers = {"gradients_at_init": paths, "train": history, "test": test}
    r, d = paths["reparametrized"], paths["sampled directly"]
    result.find("||dL_rec/dmu||, z = mu + sigma * eps", r["mu"], "the gradient reaches mu through z")
    result.find("||dL_rec/dlogvar||, z = mu + sigma * eps", r["logvar"], "and the log variance")
    result.find("dL_rec/dmu, z sampled directly", str(d["mu"]), "None: no path from the loss to mu")
    result.find("dL_rec/dlogvar, z sampled directly", str(d["logvar"]), "None: the encoder cannot learn")
    result.find("reconstruction per image, epoch 1 -> last",
                f"{history['reconstruction'][0]:.1f} -> {history['reconstruction'][-1]:.1f}", "nats, falls")
    result.find("KL per image, epoch 1 -> last", f"{history['kl'][0]:.2f} -> {history['kl'][-1]:.2f}",
                "nats: the price of a code near N(0, I)")
    result.find("test loss per image (reconstruction + KL)", test["total"], "nats (lower is better)")
    result.add_figure("losses", lambda: _figure_losses(history))
    result.add_figure("latent-map", lambda: _figure_latent(codes, yte))
    result.add_figure("samples", lambda: _figure_images(samples, interpolation))
    return result


def _figure_losses(history):
    from .plot import figure, integer_ticks

    fig, (a1, a2) = figure(ncols=2, width=3.6, height=3.0)
    epochs = np.arange(1, len(history["kl"]) + 1)
    a1.plot(epochs, history["reconstruction"], marker="o", ms=3)
    a1.set_title("reconstruction (BCE)")
    a2.plot(epochs, history["kl"], marker="o", ms=3, color="#D55E00")
    a2.set_title("KL(q(z|x) || N(0, I))")
    for ax in (a1, a2):
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per image")
        integer_ticks(ax)
    return fig


def _figure_latent(codes, labels):
    from .plot import OKABE_ITO, figure, legend_outside

    colours = OKABE_ITO[:7] + ["#999999", "#000000", "#882255"]
    markers = "o^sDv<>ph*"
    fig, ax = figure(width=5.0, height=4.2)
    for digit in range(10):
        c = codes[labels == digit]
        ax.scatter(c[:, 0], c[:, 1], s=5, color=colours[digit], marker=markers[digit], label=str(digit), alpha=0.7,
                   rasterized=True)  # 2000 points: a vector file of them would weigh 300 kB
    ax.set_xlabel("mu_1")
    ax.set_ylabel("mu_2")
    ax.set_title("test digits in the 2-D code")
    legend_outside(ax, title="digit", markerscale=2.5)
    return fig


def _figure_images(samples, interpolation):
    from .plot import figure, image_grid

    fig, (a1, a2) = figure(nrows=2, width=5.0, height=1.5)
    image_grid(a1, samples[:10], 10, "decoded z ~ N(0, I)")
    image_grid(a2, interpolation, 10, "a 0 to a 1 along the line between their codes")
    return fig
