"""Per-op overhead of the engine: glassgrad vs PyTorch eager (and NumPy) in one process.

Three measurements, each the median over REPEATS runs of a timed loop:

1. tiny graph: ``(a @ b + c).sum()`` forward + backward on 4x4 float32 leaves, where
   almost all the time is framework overhead (graph recording, engine, dispatch);
2. 20-op chain: mul / add / tanh / exp alternating on a 16-element float32 tensor,
   forward + backward, reported as microseconds per op;
3. the same chain under no_grad, against the bare NumPy calls it wraps;
4. calibration: the tiny graph and the chain in a minimal engine (below, micrograd's
   design on NumPy arrays: a closure per node, a recursive topological sort, no checks of
   any kind), the floor for a Python engine on this machine. PERFORMANCE-NOTES measured it at 15 us on
   its machine, where torch took 53 us; the ratio of the two machines' figures turns an
   absolute target (8 us per op) into this machine's terms.

Between the two sides of a comparison the script sleeps 0.2 s: BLAS and OpenMP threads
keep spinning for a while after a call and would slow whichever side runs next.

Run:  .venv/bin/python benchmarks/overhead.py          (add --cpu on a busy machine)
"""

import statistics
import sys
import time

import numpy as np

REPEATS = 9
PAUSE = 0.2
# --cpu: time with the process's CPU clock instead of the wall clock, for a machine that
# other jobs keep busy (torch then runs on one thread, so that no spinning helper thread
# is billed to it). The default, the wall clock, is the figure that counts.
CLOCK = time.process_time if "--cpu" in sys.argv else time.perf_counter
FASTEST = []  # the fastest repeat of each measurement, in order


def median_time(fn, iters):
    """Median over REPEATS of the mean seconds per call of fn, after a warm-up (the
    fastest repeat is kept too, in FASTEST: on a busy machine it is the closer figure)."""
    for _ in range(max(iters // 10, 5)):
        fn()
    times = []
    for _ in range(REPEATS):
        start = CLOCK()
        for _ in range(iters):
            fn()
        times.append((CLOCK() - start) / iters)
    FASTEST.append(min(times))
    return statistics.median(times)


class MinimalTensor:
    """The least a reverse-mode engine needs (calibration only, not glassgrad's design)."""

    def __init__(self, data, parents=(), backward=None):
        self.array, self.grad, self.parents, self.backward_fn = data, None, parents, backward

    def __matmul__(self, other):
        a, b = self.array, other.array
        return MinimalTensor(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def __mul__(self, k):  # times a Python number (the chain's only use)
        return MinimalTensor(self.array * k, (self,), lambda g: (g * k,))

    def __add__(self, other):
        if isinstance(other, MinimalTensor):
            return MinimalTensor(self.array + other.array, (self, other), lambda g: (g, g))
        return MinimalTensor(self.array + other, (self,), lambda g: (g,))

    def tanh(self):
        y = np.tanh(self.array)
        return MinimalTensor(y, (self,), lambda g: (g * (1 - y * y),))

    def exp(self):
        y = np.exp(self.array)
        return MinimalTensor(y, (self,), lambda g: (g * y,))

    def sum(self):
        shape, dtype = self.array.shape, self.array.dtype

        def backward(g):
            full = np.empty(shape, dtype)
            full.fill(g)
            return (full,)

        return MinimalTensor(self.array.sum(), (self,), backward)

    def backward(self):
        order, seen = [], set()

        def visit(t):
            if t not in seen:
                seen.add(t)
                for p in t.parents:
                    visit(p)
                order.append(t)

        visit(self)
        grads = {self: np.array(1, self.array.dtype)}
        for t in reversed(order):
            g = grads.pop(t)
            if t.backward_fn is None:
                t.grad = g if t.grad is None else t.grad + g
                continue
            for p, pg in zip(t.parents, t.backward_fn(g)):
                grads[p] = pg if p not in grads else grads[p] + pg


def tiny_graph(lib, a, b, c):
    def step():
        a.grad = b.grad = c.grad = None
        lib_sum = (a @ b + c).sum()
        lib_sum.backward()

    return step


def chain(x, n_ops, tanh, exp):
    """x -> 20 ops alternating mul/add/tanh/exp (values stay in a tame range)."""
    h = x
    for i in range(n_ops):
        k = i % 4
        if k == 0:
            h = h * 0.5
        elif k == 1:
            h = h + 0.1
        elif k == 2:
            h = tanh(h)
        else:
            h = exp(h)
    return h


def chain_step(x, n_ops, tanh, exp):
    def step():
        x.grad = None
        chain(x, n_ops, tanh, exp).sum().backward()

    return step


def main():
    import torch

    import glassgrad as gg

    torch.set_num_threads(1 if CLOCK is time.process_time else 2)
    rng = np.random.default_rng(0)
    n_ops = 20
    results = {}

    # 1. tiny graph -------------------------------------------------------------------
    mats = [rng.standard_normal((4, 4)).astype(np.float32) for _ in range(3)]
    g_leaves = [gg.tensor(m, requires_grad=True) for m in mats]
    t_leaves = [torch.tensor(m, requires_grad=True) for m in mats]
    g_tiny = median_time(tiny_graph(gg, *g_leaves), 3000)
    time.sleep(PAUSE)
    t_tiny = median_time(tiny_graph(torch, *t_leaves), 3000)
    results["tiny"] = (g_tiny, t_tiny)

    # 2. 20-op chain, forward + backward -----------------------------------------------
    x0 = rng.uniform(-1, 1, 16).astype(np.float32)
    gx = gg.tensor(x0, requires_grad=True)
    tx = torch.tensor(x0, requires_grad=True)
    time.sleep(PAUSE)
    g_chain = median_time(chain_step(gx, n_ops, gg.tanh, gg.exp), 500)
    time.sleep(PAUSE)
    t_chain = median_time(chain_step(tx, n_ops, torch.tanh, torch.exp), 500)
    results["chain"] = (g_chain, t_chain)

    # 3. the chain under no_grad vs bare NumPy ------------------------------------------
    gx_ng = gg.tensor(x0)

    def g_nograd():
        with gg.no_grad():
            chain(gx_ng, n_ops, gg.tanh, gg.exp)

    def np_chain():
        chain(x0, n_ops, np.tanh, np.exp)

    time.sleep(PAUSE)
    g_ng = median_time(g_nograd, 2000)
    time.sleep(PAUSE)
    np_ng = median_time(np_chain, 2000)
    results["nograd"] = (g_ng, np_ng)

    # 4. calibration: the tiny graph in the minimal engine ------------------------------
    m_leaves = [MinimalTensor(m) for m in mats]
    time.sleep(PAUSE)
    results["minimal"] = median_time(tiny_graph(None, *m_leaves), 3000)
    time.sleep(PAUSE)
    results["minimal_chain"] = median_time(
        chain_step(MinimalTensor(x0), n_ops, MinimalTensor.tanh, MinimalTensor.exp), 500)

    us = 1e6
    clock = "CPU time" if CLOCK is time.process_time else "wall clock"
    print(f"median of {REPEATS} repeats ({clock}); 0.2 s pause between sides; float32")
    print(f"{'measurement':<44}{'glassgrad':>12}{'reference':>12}{'ratio':>8}")
    g, t = results["tiny"]
    print(f"{'tiny graph (a@b+c).sum() fwd+bwd, 4x4 [torch]':<44}"
          f"{g * us:>10.1f}us{t * us:>10.1f}us{g / t:>8.2f}")
    g, t = results["chain"]
    print(f"{'20-op chain fwd+bwd, per op [torch]':<44}"
          f"{g / n_ops * us:>10.2f}us{t / n_ops * us:>10.2f}us{g / t:>8.2f}")
    g, n = results["nograd"]
    print(f"{'20-op chain under no_grad, per op [numpy]':<44}"
          f"{g / n_ops * us:>10.2f}us{n / n_ops * us:>10.2f}us{g / n:>8.2f}")
    f = FASTEST
    print(f"fastest repeats: tiny {f[0] * us:.1f} / {f[1] * us:.1f} us, "
          f"chain per op {f[2] / n_ops * us:.2f} / {f[3] / n_ops * us:.2f} us, "
          f"no_grad per op {f[4] / n_ops * us:.2f} / {f[5] / n_ops * us:.2f} us")
    m = results["minimal"]
    print(f"{'calibration: tiny graph, minimal engine':<44}{m * us:>10.1f}us"
          f"   (PERFORMANCE-NOTES' machine: 15 us; torch there 53 us)")
    slower = results["tiny"][1] / 53e-6, m / 15e-6
    print(f"this machine vs PERFORMANCE-NOTES': torch {slower[0]:.1f}x, minimal engine "
          f"{slower[1]:.1f}x slower; 8 us per op there is about "
          f"{8 * min(slower):.0f}-{8 * max(slower):.0f} us here")
    print(f"{'calibration: 20-op chain, minimal engine, per op':<44}"
          f"{results['minimal_chain'] / n_ops * us:>10.2f}us   (the floor of a Python engine here)")
    print()
    print("targets: tiny graph glassgrad/torch <= 0.30; per-op fwd+bwd <= 8 us")
    print(f"  tiny graph ratio {results['tiny'][0] / results['tiny'][1]:.2f}, "
          f"per-op {results['chain'][0] / n_ops * us:.2f} us")


if __name__ == "__main__":
    main()
