"""Optimizer cost: glassgrad.optim against hand-written NumPy and torch.optim.

Two measurements, float32, the parameters of an MLP 784-256-128-10 (6 tensors, 235k
numbers):

1. One ``step()`` alone, for SGD, SGD + Nesterov momentum + weight decay, Adam, AdamW:
   glassgrad vs the same update written by hand in NumPy (in-place ufuncs, the way one
   writes it in a course) vs torch.optim (single-tensor and foreach).
2. An epoch of MLP training (ReLU, softmax cross-entropy, batch 128, 50 batches) whose
   forward and backward are hand-written NumPy in both sides; only the update differs:
   the hand-written update vs glassgrad's optimizer on Tensors sharing the same arrays.
   This is the optimizer's share of a real epoch (target: within 1.05x).

Sides run back to back in one process with a 0.2 s pause between them (BLAS threads
spin after a call); each figure is the median of 7 repeats. Run:

    .venv/bin/python benchmarks/optim_step.py

On a busy machine, pin both libraries to one thread for steadier figures:

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 .venv/bin/python benchmarks/optim_step.py
"""

import os
import resource
import statistics
import time

import numpy as np

import glassgrad as gg

SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
REPEATS = 7
PAUSE = 0.2


def median_time(fn, repeats=REPEATS, inner=1):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def make_arrays(seed=0):
    rng = np.random.default_rng(seed)
    weights = [(rng.normal(size=s) * 0.05).astype(np.float32) for s in SHAPES]
    grads = [(rng.normal(size=s) * 0.01).astype(np.float32) for s in SHAPES]
    return weights, grads


# ---------------------------------------------------------------- hand-written updates
class HandSGD:
    def __init__(self, weights, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        self.w, self.lr, self.mu, self.nesterov, self.wd = weights, lr, momentum, nesterov, weight_decay
        self.buf = [None] * len(weights)

    def step(self, grads):
        for i, (w, g) in enumerate(zip(self.w, grads)):
            if self.wd:
                g = g + self.wd * w
            if self.mu:
                if self.buf[i] is None:
                    self.buf[i] = g.copy()
                else:
                    self.buf[i] *= self.mu
                    self.buf[i] += g
                g = g + self.mu * self.buf[i] if self.nesterov else self.buf[i]
            w -= self.lr * g


class HandAdam:
    def __init__(self, weights, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
        self.w, self.lr, self.b1, self.b2, self.eps = weights, lr, betas[0], betas[1], eps
        self.wd, self.decoupled = weight_decay, decoupled
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2, t = self.b1, self.b2, self.t
        step_size = self.lr / (1 - b1**t)
        bc2_sqrt = (1 - b2**t) ** 0.5
        for w, g, m, v in zip(self.w, grads, self.m, self.v):
            if self.wd and self.decoupled:
                w *= 1 - self.lr * self.wd
            elif self.wd:
                g = g + self.wd * w
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            w -= step_size * m / (np.sqrt(v) / bc2_sqrt + self.eps)


CASES = {
    "SGD": (dict(lr=0.01), lambda w: HandSGD(w, 0.01),
            lambda p: gg.optim.SGD(p, lr=0.01), "SGD", dict(lr=0.01)),
    "SGD nesterov+wd": (None, lambda w: HandSGD(w, 0.01, 0.9, True, 1e-4),
                        lambda p: gg.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4),
                        "SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    "Adam": (None, lambda w: HandAdam(w, 1e-3),
             lambda p: gg.optim.Adam(p, lr=1e-3), "Adam", dict(lr=1e-3)),
    "AdamW": (None, lambda w: HandAdam(w, 1e-3, weight_decay=1e-2, decoupled=True),
              lambda p: gg.optim.AdamW(p, lr=1e-3), "AdamW", dict(lr=1e-3)),
}


def bench_step_alone():
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", 2)))
    print("1. one optimizer step, MLP 784-256-128-10 float32 parameters (us per step)")
    print(f"{'optimizer':<18}{'hand NumPy':>11}{'glassgrad':>11}{'torch':>9}{'torch foreach':>15}"
          f"{'gg/hand':>9}{'gg/torch':>10}{'faults/step':>13}")
    rows = []
    for name, (_, make_hand, make_gg, torch_name, torch_kw) in CASES.items():
        weights, grads = make_arrays()
        hand = make_hand([w.copy() for w in weights])
        hand.step(grads)  # the first step allocates buffers on every side

        params = [gg.tensor(w, requires_grad=True) for w in weights]
        for p, g in zip(params, grads):
            p.grad = gg.tensor(g)
        opt = make_gg(params)
        opt.step()
        faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(100):
            opt.step()
        faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0) / 100

        sides = {"hand": lambda: hand.step(grads), "glassgrad": opt.step}
        for foreach in (False, True):
            tp = [torch.tensor(w, requires_grad=True) for w in weights]
            for p, g in zip(tp, grads):
                p.grad = torch.from_numpy(g.copy())
            topt = getattr(torch.optim, torch_name)(tp, foreach=foreach, **torch_kw)
            topt.step()
            sides[f"torch{'-foreach' if foreach else ''}"] = topt.step

        times = {side: [] for side in sides}
        for _ in range(REPEATS):  # interleaved, so every side sees the same machine load
            for side, fn in sides.items():
                time.sleep(PAUSE)
                times[side].append(median_time(fn, repeats=1, inner=50))
        t = {side: statistics.median(v) for side, v in times.items()}
        t_torch = min(t["torch"], t["torch-foreach"])
        rows.append((name, t))
        print(f"{name:<18}{t['hand'] * 1e6:>11.1f}{t['glassgrad'] * 1e6:>11.1f}{t['torch'] * 1e6:>9.1f}"
              f"{t['torch-foreach'] * 1e6:>15.1f}{t['glassgrad'] / t['hand']:>9.2f}"
              f"{t['glassgrad'] / t_torch:>10.2f}{faults:>13.1f}")
    return rows


# ---------------------------------------------------------------- an epoch
def bench_epoch(batches=50, batch_size=128):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(batches * batch_size, 784)).astype(np.float32)
    labels = rng.integers(0, 10, size=len(X))
    Y = np.eye(10, dtype=np.float32)[labels]

    def forward_backward(W1, b1, W2, b2, W3, b3, x, y, grads):
        h1 = x @ W1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ W2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ W3.T
        z += b3
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        dz = z
        dz -= y
        dz /= len(x)
        gW1, gb1, gW2, gb2, gW3, gb3 = grads
        np.matmul(dz.T, h2, out=gW3)
        dz.sum(axis=0, out=gb3)
        dh2 = dz @ W3
        dh2 *= h2 > 0
        np.matmul(dh2.T, h1, out=gW2)
        dh2.sum(axis=0, out=gb2)
        dh1 = dh2 @ W2
        dh1 *= h1 > 0
        np.matmul(dh1.T, x, out=gW1)
        dh1.sum(axis=0, out=gb1)

    print(f"\n2. one epoch ({batches} batches of {batch_size}), hand NumPy forward/backward, "
          "update by hand vs by glassgrad.optim (ms per epoch)")
    print(f"{'optimizer':<18}{'hand update':>12}{'glassgrad':>11}{'ratio':>8}")
    rows = []
    for name, (_, make_hand, make_gg, _, _) in CASES.items():
        weights, _ = make_arrays()
        grads = [np.zeros_like(w) for w in weights]

        hand_w = [w.copy() for w in weights]
        hand = make_hand(hand_w)

        def epoch_hand():
            for k in range(batches):
                sl = slice(k * batch_size, (k + 1) * batch_size)
                forward_backward(*hand_w, X[sl], Y[sl], grads)
                hand.step(grads)

        params = [gg.tensor(w, requires_grad=True) for w in weights]
        gg_w = [p.array for p in params]
        for p, g in zip(params, grads):
            p.grad = gg.Tensor._wrap(g)  # backward writes into these arrays
        opt = make_gg(params)

        def epoch_gg():
            for k in range(batches):
                sl = slice(k * batch_size, (k + 1) * batch_size)
                forward_backward(*gg_w, X[sl], Y[sl], grads)
                opt.step()

        epoch_hand()
        epoch_gg()
        times = {"hand": [], "gg": []}
        for _ in range(REPEATS):  # interleaved, so both sides see the same machine load
            for side, fn in (("hand", epoch_hand), ("gg", epoch_gg)):
                time.sleep(PAUSE)
                t0 = time.perf_counter()
                fn()
                times[side].append(time.perf_counter() - t0)
        t_hand, t_gg = statistics.median(times["hand"]), statistics.median(times["gg"])
        rows.append((name, t_hand, t_gg))
        print(f"{name:<18}{t_hand * 1e3:>12.1f}{t_gg * 1e3:>11.1f}{t_gg / t_hand:>8.3f}")
    return rows


if __name__ == "__main__":
    bench_step_alone()
    bench_epoch()
