"""Core ops, forward + backward, glassgrad vs PyTorch eager, side by side in one process.

For each op: the median (over REPEATS runs of a timed loop) of one forward + backward on
a fresh graph, at two sizes: a 128 x 256 float32 activation (an MLP hidden layer: NumPy's
work dominates) and a 16-element tensor (framework overhead dominates). Then a 20-op
elementwise chain (mul, add, tanh, exp, relu, sigmoid, sub, div, pow, abs, maximum, clamp,
where, sqrt, log, ... on 16 elements) fwd + bwd, reported per op, and a fused linear layer
against torch's F.linear.

The printed ratio is glassgrad time / torch time (below 1: glassgrad is faster). Between
the two sides of each comparison the script sleeps 0.2 s (BLAS and OpenMP threads spin
after a call and would slow whichever side runs next).

Run:  .venv/bin/python benchmarks/ops.py           (add --cpu on a busy machine: CPU time
      of this process, torch and OpenBLAS on one thread each)
"""

import os
import statistics
import sys
import time

if "--cpu" in sys.argv:  # CPU time counts every thread: give both sides one BLAS thread
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPEATS = 7
PAUSE = 0.2
CLOCK = time.process_time if "--cpu" in sys.argv else time.perf_counter


def median_time(fn, iters):
    """Median over REPEATS of the mean seconds per call of fn, after a warm-up."""
    for _ in range(max(iters // 10, 3)):
        fn()
    times = []
    for _ in range(REPEATS):
        start = CLOCK()
        for _ in range(iters):
            fn()
        times.append((CLOCK() - start) / iters)
    return statistics.median(times)


def fwd_bwd(fn, leaves, upstream):
    def step():
        for x in leaves:
            x.grad = None
        fn(*leaves).backward(upstream)

    return step


def ops_table(gg, torch, F):
    """name -> (make inputs from rng and shape, op(lib, *tensors)); inputs away from kinks."""

    def normal(rng, shape):
        return [rng.standard_normal(shape)]

    def positive(rng, shape):
        return [rng.uniform(0.5, 2.0, shape)]

    def two(rng, shape):
        return [rng.standard_normal(shape), rng.standard_normal(shape)]

    def row_bias(rng, shape):
        return [rng.standard_normal(shape), rng.standard_normal(shape[-1:])]

    def lib_of(x):
        return torch if isinstance(x, torch.Tensor) else gg

    return {
        "add (same shape)": (two, lambda a, b: a + b),
        "add (row bias)": (row_bias, lambda a, b: a + b),
        "mul": (two, lambda a, b: a * b),
        "div": (lambda r, s: [r.standard_normal(s), r.uniform(0.5, 2, s)], lambda a, b: a / b),
        "pow (x ** 2)": (normal, lambda a: a ** 2),
        "pow (x ** 1.5)": (positive, lambda a: a ** 1.5),
        "exp": (normal, lambda a: a.exp()),
        "log": (positive, lambda a: a.log()),
        "sqrt": (positive, lambda a: a.sqrt()),
        "abs": (normal, lambda a: a.abs()),
        "maximum": (two, lambda a, b: lib_of(a).maximum(a, b)),
        "clamp(-0.5, 0.5)": (normal, lambda a: a.clamp(-0.5, 0.5)),
        "where(a > 0, a, b)": (two, lambda a, b: lib_of(a).where(a > 0, a, b)),
        "relu": (normal, lambda a: lib_of(a).relu(a)),
        "leaky_relu": (normal, lambda a: (F if isinstance(a, torch.Tensor) else gg).leaky_relu(a, 0.1)),
        "tanh": (normal, lambda a: a.tanh()),
        "sigmoid": (normal, lambda a: a.sigmoid()),
        "softplus": (normal, lambda a: (F if isinstance(a, torch.Tensor) else gg).softplus(a)),
        "sum(dim=1)": (normal, lambda a: a.sum(dim=1)),
        "mean()": (normal, lambda a: a.mean()),
        "max(dim=1).values": (normal, lambda a: a.max(dim=1)[0]),
        "amax(dim=0)": (normal, lambda a: a.amax(dim=0)),
        "logsumexp(dim=1)": (normal, lambda a: a.logsumexp(dim=1)),
        "var(dim=0)": (normal, lambda a: a.var(dim=0)),
        "reshape + transpose": (normal, lambda a: a.reshape(a.shape[1], a.shape[0]).t() * 1),
        "x[1:, ::2]": (normal, lambda a: a[1:, ::2]),
        "x[int index]": (normal, lambda a: a[_INDEX[: a.shape[0]] % a.shape[0]]),
        "cat([a, b], 1)": (two, lambda a, b: lib_of(a).cat([a, b], 1)),
    }


_INDEX = np.random.default_rng(1).integers(0, 1 << 20, 128)


def bench_ops(gg, torch, F, shape, iters):
    rng = np.random.default_rng(0)
    rows = []
    for name, (make, op) in ops_table(gg, torch, F).items():
        arrays = [a.astype(np.float32) for a in make(rng, shape)]
        g_in = [gg.tensor(a, requires_grad=True) for a in arrays]
        t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
        g_out = op(*g_in)
        up = rng.standard_normal(g_out.shape).astype(np.float32)
        time.sleep(PAUSE)
        g = median_time(fwd_bwd(op, g_in, gg.tensor(up)), iters)
        time.sleep(PAUSE)
        t = median_time(fwd_bwd(op, t_in, torch.tensor(up)), iters)
        rows.append((name, g, t))
    return rows


def chain(x, lib, F):
    """20 ops on one tensor; values stay in a tame range (x in [0.5, 1.5])."""
    m = lib.maximum
    h = x * 0.5                     # 1 mul
    h = h + 0.25                    # 2 add
    h = h.tanh()                    # 3
    h = h.exp()                     # 4
    h = h - 0.5                     # 5 sub
    h = h / 2.0                     # 6 div
    h = h ** 2                      # 7 pow
    h = h.sqrt()                    # 8
    h = h.abs()                     # 9
    h = h.sigmoid()                 # 10
    h = h.log()                     # 11
    h = -h                          # 12 neg
    h = lib.relu(h)                 # 13
    h = m(h, x)                     # 14 maximum
    h = h.clamp(0.0, 3.0)           # 15
    h = F.softplus(h)               # 16
    h = h * x                       # 17
    h = F.leaky_relu(h, 0.1)        # 18
    h = lib.where(x > 1.0, h, x)    # 19
    return h.sum()                  # 20


def main():
    import torch
    import torch.nn.functional as F

    import glassgrad as gg

    torch.set_num_threads(1 if CLOCK is time.process_time else 2)
    us = 1e6
    clock = "CPU time" if CLOCK is time.process_time else "wall clock"
    print(f"median of {REPEATS} repeats ({clock}); 0.2 s pause between sides; float32")
    print("forward + backward per op, glassgrad / torch (below 1: glassgrad faster)\n")

    big = bench_ops(gg, torch, F, (128, 256), 200)
    small = bench_ops(gg, torch, F, (4, 4), 2000)
    print(f"{'op':<22}{'128x256 gg':>12}{'torch':>10}{'ratio':>7}{'4x4 gg':>11}{'torch':>9}{'ratio':>7}")
    for (name, g, t), (_, gs, ts) in zip(big, small):
        print(f"{name:<22}{g * us:>10.1f}us{t * us:>8.1f}us{g / t:>7.2f}"
              f"{gs * us:>9.1f}us{ts * us:>7.1f}us{gs / ts:>7.2f}")

    # the 20-op chain
    x0 = np.random.default_rng(0).uniform(0.5, 1.5, 16).astype(np.float32)
    gx = gg.tensor(x0, requires_grad=True)
    tx = torch.tensor(x0, requires_grad=True)

    def g_step():
        gx.grad = None
        chain(gx, gg, gg).backward()

    def t_step():
        tx.grad = None
        chain(tx, torch, F).backward()

    time.sleep(PAUSE)
    g = median_time(g_step, 1000)
    time.sleep(PAUSE)
    t = median_time(t_step, 1000)
    print(f"\n20-op elementwise chain fwd+bwd (16 elements): glassgrad {g / 20 * us:.2f} us/op, "
          f"torch {t / 20 * us:.2f} us/op, ratio {g / t:.2f}")

    # fused linear at MLP sizes
    rng = np.random.default_rng(0)
    for batch in (32, 128):
        x = rng.standard_normal((batch, 784)).astype(np.float32)
        w = rng.standard_normal((256, 784)).astype(np.float32) * 0.05
        b = rng.standard_normal(256).astype(np.float32)
        up = rng.standard_normal((batch, 256)).astype(np.float32)
        g_in = [gg.tensor(a, requires_grad=True) for a in (x, w, b)]
        t_in = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        time.sleep(PAUSE)
        g = median_time(fwd_bwd(gg.linear, g_in, gg.tensor(up)), 200)
        time.sleep(PAUSE)
        t = median_time(fwd_bwd(F.linear, t_in, torch.tensor(up)), 200)
        print(f"linear {batch}x784 -> 256 fwd+bwd: glassgrad {g * us:.1f} us, torch {t * us:.1f} us, "
              f"ratio {g / t:.2f}")


if __name__ == "__main__":
    main()
