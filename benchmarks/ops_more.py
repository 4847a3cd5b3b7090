"""The ops, layers and optimizers added after the issues' lists (session 3), vs PyTorch.

Forward + backward of one op on a fresh graph, glassgrad vs torch eager, side by side in
one process, at the sizes a course model meets (a 128 x 256 float32 activation, a batch
of 32 x 16 x 28 x 28 feature maps); then one ``step()`` of the new optimizers on an MLP's
parameters. The timing loop, the pause between sides and the clock are benchmarks/ops.py's.

The printed ratio is glassgrad time / torch time (below 1: glassgrad is faster).

Run:  .venv/bin/python benchmarks/ops_more.py        (add --cpu on a busy machine: CPU time
      of this process, torch and OpenBLAS on one thread each)
"""

import time

# benchmarks/ops.py first: with --cpu it pins OpenBLAS to one thread, which only works
# before NumPy is loaded
from ops import CLOCK, PAUSE, REPEATS, fwd_bwd, median_time  # noqa: I001

import numpy as np  # noqa: E402

ACT = (128, 256)  # an MLP hidden layer
MAPS = (32, 16, 28, 28)  # a batch of conv feature maps


def cases(gg, torch, F):
    """name -> (input arrays (float32, all needing a gradient), op(F, lib, *tensors))."""
    rng = np.random.default_rng(0)

    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    def positive(*shape):
        return rng.uniform(0.5, 2.0, shape).astype(np.float32)

    index = rng.integers(0, ACT[1], ACT)
    rows = rng.integers(0, 1000, (32, 20))
    probs = rng.dirichlet(np.ones(ACT[1]), ACT[0]).astype(np.float32)

    def index_of(lib):
        return lib.tensor(index) if lib is gg else torch.from_numpy(index)

    return {
        # pointwise and activations
        "sin": ([normal(*ACT)], lambda F, lib, a: a.sin()),
        "log1p": ([positive(*ACT)], lambda F, lib, a: a.log1p()),
        "erf": ([normal(*ACT)], lambda F, lib, a: a.erf()),
        "gelu": ([normal(*ACT)], lambda F, lib, a: F.gelu(a)),
        "gelu (tanh)": ([normal(*ACT)], lambda F, lib, a: F.gelu(a, approximate="tanh")),
        "silu": ([normal(*ACT)], lambda F, lib, a: F.silu(a)),
        "elu": ([normal(*ACT)], lambda F, lib, a: F.elu(a)),
        "mish": ([normal(*ACT)], lambda F, lib, a: F.mish(a)),
        "hardtanh": ([normal(*ACT)], lambda F, lib, a: F.hardtanh(a)),
        # reductions and scans
        "prod(dim=1)": ([positive(*ACT)], lambda F, lib, a: a.prod(dim=1)),
        "cumsum(dim=1)": ([normal(*ACT)], lambda F, lib, a: a.cumsum(1)),
        "norm(dim=1)": ([normal(*ACT)], lambda F, lib, a: a.norm(dim=1)),
        # indexing
        "gather(1, index)": ([normal(*ACT)], lambda F, lib, a: a.gather(1, index_of(lib))),
        "sort(dim=1).values": ([normal(*ACT)], lambda F, lib, a: a.sort(dim=1).values),
        "topk(10, dim=1).values": ([normal(*ACT)], lambda F, lib, a: a.topk(10, dim=1).values),
        "split(64, dim=1) used": ([normal(*ACT)],
                                  lambda F, lib, a: lib.cat([p * 2 for p in a.split(64, 1)], 1)),
        # linear algebra
        "einsum('bij,bjk->bik')": ([normal(16, 32, 64), normal(16, 64, 32)],
                                   lambda F, lib, a, b: lib.einsum("bij,bjk->bik", a, b)),
        # normalisation, embedding
        "batch_norm (training)": ([normal(*MAPS), positive(MAPS[1]), normal(MAPS[1])],
                                  lambda F, lib, x, w, b: F.batch_norm(
                                      x, None, None, w, b, training=True)),
        "layer_norm(256)": ([normal(*ACT), positive(ACT[1]), normal(ACT[1])],
                            lambda F, lib, x, w, b: F.layer_norm(x, (ACT[1],), w, b)),
        "embedding(1000x64)": ([normal(1000, 64)],
                               lambda F, lib, w: F.embedding(
                                   lib.tensor(rows) if lib is gg else torch.from_numpy(rows), w)),
        # convolution family
        "conv_transpose2d 16->8 s2": ([normal(32, 16, 14, 14), normal(16, 8, 3, 3)],
                                      lambda F, lib, x, w: F.conv_transpose2d(
                                          x, w, stride=2, padding=1, output_padding=1)),
        "interpolate bilinear x2": ([normal(*MAPS)],
                                    lambda F, lib, x: F.interpolate(
                                        x, scale_factor=2, mode="bilinear", align_corners=False)),
        "adaptive_avg_pool2d 7x7": ([normal(*MAPS)],
                                    lambda F, lib, x: F.adaptive_avg_pool2d(x, 7)),
        # losses (the target gets no gradient: it is made inside the op)
        "l1_loss": ([normal(*ACT)], lambda F, lib, a: F.l1_loss(a, a.detach() * 0.5)),
        "smooth_l1_loss": ([normal(*ACT)], lambda F, lib, a: F.smooth_l1_loss(a, a.detach() * 0.5)),
        "kl_div(batchmean)": ([normal(*ACT)], lambda F, lib, a: F.kl_div(
            F.log_softmax(a, 1), lib.tensor(probs) if lib is gg else torch.from_numpy(probs),
            reduction="batchmean")),
    }


def bench_ops(gg, torch, gF, tF, iters):
    rows = []
    g_cases, t_cases = cases(gg, torch, gF), cases(gg, torch, tF)
    for name, (arrays, op) in g_cases.items():
        g_in = [gg.tensor(a, requires_grad=True) for a in arrays]
        t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
        g_op = lambda *t, op=op: op(gF, gg, *t)  # noqa: E731
        t_op = lambda *t, op=t_cases[name][1]: op(tF, torch, *t)  # noqa: E731
        up = np.random.default_rng(1).standard_normal(g_op(*g_in).shape).astype(np.float32)
        time.sleep(PAUSE)
        g = median_time(fwd_bwd(g_op, g_in, gg.tensor(up)), iters)
        time.sleep(PAUSE)
        t = median_time(fwd_bwd(t_op, t_in, torch.tensor(up)), iters)
        rows.append((name, g, t))
    return rows


def bench_optimizers(gg, torch, iters):
    """One step() on the 784-256-128-10 MLP's six parameter tensors (gradients preset)."""
    rng = np.random.default_rng(0)
    shapes = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
    weights = [(rng.standard_normal(s) * 0.05).astype(np.float32) for s in shapes]
    grads = [(rng.standard_normal(s) * 0.01).astype(np.float32) for s in shapes]
    rows = []
    for name, kw in [("NAdam", {}), ("RAdam", {}), ("Adamax", {}), ("Adadelta", {}),
                     ("Adam (for scale)", {})]:
        cls = name.split()[0]
        g_p = [gg.tensor(w, requires_grad=True) for w in weights]
        t_p = [torch.tensor(w, requires_grad=True) for w in weights]
        for p, t, g in zip(g_p, t_p, grads):
            p.grad = gg.tensor(g)
            t.grad = torch.tensor(g)
        g_opt = getattr(gg.optim, cls)(g_p, **kw)
        t_opt = getattr(torch.optim, cls)(t_p, foreach=False, **kw)
        time.sleep(PAUSE)
        g = median_time(g_opt.step, iters)
        time.sleep(PAUSE)
        with torch.no_grad():
            t = median_time(t_opt.step, iters)
        rows.append((name, g, t))
    return rows


def main():
    import torch
    import torch.nn.functional as tF

    import glassgrad as gg
    import glassgrad.nn.functional as gF

    torch.set_num_threads(1 if CLOCK is time.process_time else 2)
    us = 1e6
    clock = "CPU time" if CLOCK is time.process_time else "wall clock"
    print(f"median of {REPEATS} repeats ({clock}); 0.2 s pause between sides; float32")
    print("forward + backward, glassgrad / torch (below 1: glassgrad faster)\n")
    print(f"{'op':<28}{'glassgrad':>12}{'torch':>12}{'ratio':>8}")
    for name, g, t in bench_ops(gg, torch, gF, tF, 30):
        print(f"{name:<28}{g * us:>10.1f}us{t * us:>10.1f}us{g / t:>8.2f}")
    print(f"\none step() on an MLP's parameters (235k floats)")
    for name, g, t in bench_optimizers(gg, torch, 50):
        print(f"{name:<28}{g * us:>10.1f}us{t * us:>10.1f}us{g / t:>8.2f}")


if __name__ == "__main__":
    main()
