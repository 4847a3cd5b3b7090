"""One training epoch of the 784-256-128-10 ReLU MLP: glassgrad vs PyTorch eager vs NumPy.

Every side does the same work on the same data (60,000 examples of 784 float32 values,
the real MNIST training images when they are present, else random values of that shape):
a shuffled pass in mini-batches; per batch: forward, cross-entropy, backward, SGD step
with momentum 0.9.

    glassgrad     the real library API: nn.Sequential of nn.Linear/nn.ReLU,
                  nn.CrossEntropyLoss, optim.SGD, data.DataLoader(shuffle=True)
    glassgrad fit the same, driven by glassgrad.train.fit (loss and accuracy recorded)
    torch         PyTorch eager, same layers; batches by indexing with torch.randperm
                  (its fastest idiom: torch's DataLoader collates example by example and
                  would be many times slower)
    numpy         the forward and backward written by hand in NumPy: 8 matmuls, ReLU
                  masks, fused softmax-cross-entropy gradient, momentum update in place

The sides alternate, with a 0.2 s pause between them (BLAS threads keep spinning after a
call); each figure is the median over the repeats. Page faults per iteration
(ru_minflt) are counted too: a glibc that hands freed temporaries back to the OS makes
every step fault them in again.

    .venv/bin/python benchmarks/mlp_epoch.py                   # batches 32, 128, 512, 7 repeats
    .venv/bin/python benchmarks/mlp_epoch.py --batches 128 --repeats 5 --examples 20000
    .venv/bin/python benchmarks/mlp_epoch.py --profile 32      # where glassgrad's time goes
    .venv/bin/python benchmarks/mlp_epoch.py --cpu             # CPU time instead of wall clock
    .venv/bin/python benchmarks/mlp_epoch.py --threads 1       # one BLAS/torch thread (busy machine)
"""

import argparse
import resource
import statistics
import time

import numpy as np

TARGETS_VS_TORCH = {32: 0.60, 128: 0.70, 512: 0.85}
TARGET_VS_NUMPY = 1.05
LR, MOMENTUM = 0.01, 0.9
SIZES = (784, 256, 128, 10)


# ------------------------------------------------------------------------------ data
def load_data(n):
    try:
        from glassgrad.data import mnist

        X, y = mnist("train").tensors
        X = np.ascontiguousarray(X.array.reshape(len(X.array), -1)[:n])
        return X, y.array[:n].copy(), "real MNIST training images"
    except (FileNotFoundError, ValueError):
        rng = np.random.default_rng(0)
        X = rng.random((n, 784), dtype=np.float32)
        y = rng.integers(0, 10, n)
        return X, y, "random data of MNIST's shape (MNIST not fetched)"


def initial_weights(seed=0):
    """PyTorch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)), the same for every side."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return params


# ------------------------------------------------------------------------------ sides
class GlassgradSide:
    name = "glassgrad"

    def __init__(self, X, y, batch, use_fit=False):
        import glassgrad as gg
        import glassgrad.nn as nn
        from glassgrad.data import DataLoader, TensorDataset

        self.gg, self.use_fit = gg, use_fit
        a, b, c, d = SIZES
        self.model = nn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c), nn.ReLU(), nn.Linear(c, d))
        with gg.no_grad():
            for p, w in zip(self.model.parameters(), initial_weights()):
                p.array[...] = w
        self.loss_fn = nn.CrossEntropyLoss()
        self.opt = gg.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)
        self.loader = DataLoader(TensorDataset(gg.tensor(X), gg.tensor(y)), batch_size=batch, shuffle=True,
                                 generator=gg.Generator(0))
        if use_fit:
            self.name = "glassgrad fit"

    def epoch(self):
        if self.use_fit:
            from glassgrad.train import fit

            fit(self.model, self.loss_fn, self.opt, self.loader, epochs=1, progress=False)
            return
        model, loss_fn, opt = self.model, self.loss_fn, self.opt
        for xb, yb in self.loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()


class TorchSide:
    name = "torch"

    def __init__(self, X, y, batch):
        import torch

        self.torch = torch
        a, b, c, d = SIZES
        self.model = torch.nn.Sequential(torch.nn.Linear(a, b), torch.nn.ReLU(), torch.nn.Linear(b, c),
                                         torch.nn.ReLU(), torch.nn.Linear(c, d))
        with torch.no_grad():
            for p, w in zip(self.model.parameters(), initial_weights()):
                p.copy_(torch.from_numpy(w))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.batch = batch
        self.generator = torch.Generator().manual_seed(0)

    def epoch(self):
        torch, model, opt, X, y, batch = self.torch, self.model, self.opt, self.X, self.y, self.batch
        F = torch.nn.functional
        perm = torch.randperm(len(X), generator=self.generator)
        for start in range(0, len(X), batch):
            idx = perm[start:start + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            opt.step()


class NumpySide:
    """The MLP's training step written out by hand, as a careful NumPy programmer would."""

    name = "numpy"

    def __init__(self, X, y, batch):
        self.X, self.y, self.batch = X, y, batch
        self.params = initial_weights()
        self.velocity = [np.zeros_like(p) for p in self.params]
        self.rng = np.random.default_rng(0)

    def epoch(self):
        X, y, batch = self.X, self.y, self.batch
        W1, b1, W2, b2, W3, b3 = self.params
        perm = self.rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = perm[start:start + batch]
            x, t = X[idx], y[idx]
            n = len(t)
            rows = np.arange(n)
            # forward
            h1 = x @ W1.T
            h1 += b1
            np.maximum(h1, 0, out=h1)
            h2 = h1 @ W2.T
            h2 += b2
            np.maximum(h2, 0, out=h2)
            z = h2 @ W3.T
            z += b3
            # softmax cross-entropy; its gradient with respect to z is (softmax - onehot) / n
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            loss = -np.log(p[rows, t]).mean()  # noqa: F841 - computed, as the other sides do
            g = p
            g[rows, t] -= 1
            g /= n
            # backward: 5 more matmuls
            grads = [None] * 6
            grads[4] = g.T @ h2
            grads[5] = g.sum(axis=0)
            g2 = g @ W3
            g2 *= h2 > 0
            grads[2] = g2.T @ h1
            grads[3] = g2.sum(axis=0)
            g1 = g2 @ W2
            g1 *= h1 > 0
            grads[0] = g1.T @ x
            grads[1] = g1.sum(axis=0)
            # SGD with momentum (PyTorch's convention: v = m v + g; w -= lr v)
            for w, v, gw in zip(self.params, self.velocity, grads):
                v *= MOMENTUM
                v += gw
                w -= LR * v


# ------------------------------------------------------------------------------ timing
def measure(sides, repeats, pause, clock):
    times = {s.name: [] for s in sides}
    faults = {s.name: [] for s in sides}
    for side in sides:  # warm-up: one epoch each (allocator, BLAS threads, caches)
        side.epoch()
        time.sleep(pause)
    for _ in range(repeats):
        for side in sides:
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t0 = clock()
            side.epoch()
            times[side.name].append(clock() - t0)
            faults[side.name].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
            time.sleep(pause)
    return times, faults


def profile(X, y, batch, top):
    import cProfile
    import pstats

    side = GlassgradSide(X, y, batch)
    side.epoch()
    prof = cProfile.Profile()
    prof.enable()
    side.epoch()
    prof.disable()
    stats = pstats.Stats(prof).strip_dirs()
    print(f"\nglassgrad, one epoch at batch {batch}: functions by own time")
    stats.sort_stats("tottime").print_stats(top)
    print("by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="32,128,512")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--examples", type=int, default=60000)
    parser.add_argument("--pause", type=float, default=0.2)
    parser.add_argument("--no-fit", action="store_true", help="skip the glassgrad fit() side")
    parser.add_argument("--cpu", action="store_true", help="time with process CPU time (busy machine)")
    parser.add_argument("--profile", type=int, metavar="BATCH", help="profile glassgrad's epoch at BATCH and stop")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--threads", type=int, help="BLAS and torch threads (default: the libraries' own)")
    args = parser.parse_args()
    if args.threads:  # on a machine other jobs keep busy, spinning BLAS threads distort everything
        import threadpoolctl
        import torch

        threadpoolctl.threadpool_limits(args.threads)
        torch.set_num_threads(args.threads)

    X, y, what = load_data(args.examples)
    if args.profile:
        profile(X, y, args.profile, args.top)
        return
    clock = time.process_time if args.cpu else time.perf_counter
    import torch

    print(f"{len(X)} examples ({what}); 784-256-128-10 ReLU, cross-entropy, SGD momentum 0.9; "
          f"median of {args.repeats}, {'CPU' if args.cpu else 'wall'} time; torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), numpy {np.__version__}")
    rows = []
    for batch in (int(b) for b in args.batches.split(",")):
        sides = [GlassgradSide(X, y, batch), TorchSide(X, y, batch), NumpySide(X, y, batch)]
        if not args.no_fit:
            sides.insert(1, GlassgradSide(X, y, batch, use_fit=True))
        times, faults = measure(sides, args.repeats, args.pause, clock)
        iters = -(-len(X) // batch)
        med = {k: statistics.median(v) for k, v in times.items()}
        best = {k: min(v) for k, v in times.items()}
        flt = {k: statistics.median(v) / iters for k, v in faults.items()}
        rows.append((batch, med, best, flt))
        vs_torch = med["glassgrad"] / med["torch"]
        vs_numpy = med["glassgrad"] / med["numpy"]
        print(f"\nbatch {batch} ({iters} iterations per epoch)")
        for name in med:
            print(f"  {name:<14} median {med[name] * 1e3:8.1f} ms   best {best[name] * 1e3:8.1f} ms   "
                  f"{med[name] / iters * 1e6:7.1f} us/iteration   {flt[name]:6.1f} page faults/iteration")
        print(f"  glassgrad / torch  {vs_torch:.2f}  (target <= {TARGETS_VS_TORCH.get(batch, float('nan')):.2f})")
        print(f"  glassgrad / numpy  {vs_numpy:.2f}  (target <= {TARGET_VS_NUMPY:.2f})")
        if "glassgrad fit" in med:
            print(f"  fit / loop         {med['glassgrad fit'] / med['glassgrad']:.2f}")
    print("\n| batch | glassgrad | fit | torch | numpy | glassgrad/torch (target) | glassgrad/numpy | faults/it (gg, torch, np) |")
    print("|---|---|---|---|---|---|---|---|")
    for batch, med, best, flt in rows:
        fit_ms = f"{med['glassgrad fit'] * 1e3:.0f} ms" if "glassgrad fit" in med else "-"
        print(f"| {batch} | {med['glassgrad'] * 1e3:.0f} ms | {fit_ms} | {med['torch'] * 1e3:.0f} ms | "
              f"{med['numpy'] * 1e3:.0f} ms | {med['glassgrad'] / med['torch']:.2f} "
              f"({TARGETS_VS_TORCH.get(batch, float('nan')):.2f}) | {med['glassgrad'] / med['numpy']:.2f} | "
              f"{flt['glassgrad']:.1f}, {flt['torch']:.1f}, {flt['numpy']:.1f} |")


if __name__ == "__main__":
    main()
