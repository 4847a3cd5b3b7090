"""glassgrad.nn against torch.nn: the cost of the loss ops and of the Module layer.

Two measurements, float32:

1. Each loss, forward + backward, on a batch of 128 (scores (128, 10) or predictions
   (128, 10)), as glassgrad's fused op vs torch's. SoftmaxHingeLoss has no torch twin; its
   torch side is the composition softmax, gather, clamp, mask, sum.
2. One training step's forward + backward of the MLP 784-256-128-10 (ReLU, cross-entropy,
   batch 128) written with nn.Sequential + nn.CrossEntropyLoss, vs the same graph written
   with the ops directly (F.linear, F.relu, F.cross_entropy: no Modules), vs torch.nn.
   The first ratio is what the Module layer costs.

Sides run in one process, taking turns within each of 9 repeats of an inner loop, with a
0.2 s pause between turns (BLAS threads spin after a call); each figure is the median of
the 9. The load average is printed: on a shared machine the ratios are what to read. Run:

    .venv/bin/python benchmarks/nn_modules.py
    .venv/bin/python benchmarks/nn_modules.py --threads 1 --cpu   # on a busy machine
"""

import statistics
import time

import numpy as np
import torch

import glassgrad as gg
import glassgrad.nn.functional as F
from glassgrad import nn

REPEATS = 9
PAUSE = 0.2
CLOCK = [time.perf_counter]


def interleaved(sides, inner):
    """Median seconds per call of each side. The sides take turns within every repeat
    (with a pause between turns), so a change in machine load hits them alike."""
    for fn in sides:
        fn()  # warm up
    times = [[] for _ in sides]
    for _ in range(REPEATS):
        for fn, bucket in zip(sides, times):
            t0 = CLOCK[0]()
            for _ in range(inner):
                fn()
            bucket.append((CLOCK[0]() - t0) / inner)
            time.sleep(PAUSE)
    return [statistics.median(bucket) for bucket in times]


def loss_cases():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((128, 10)).astype(np.float32)
    target = rng.standard_normal((128, 10)).astype(np.float32)
    probs = rng.uniform(0.05, 0.95, (128, 10)).astype(np.float32)
    bits = (rng.uniform(size=(128, 10)) > 0.5).astype(np.float32)
    labels = rng.integers(0, 10, 128)
    TF = torch.nn.functional

    def hinge_torch(o, y):
        p = torch.softmax(o, 1)
        terms = (p - p.gather(1, y[:, None]) + 1.0).clamp(min=0) * (1 - TF.one_hot(y, 10).float())
        return terms.sum(1).mean()

    return [
        ("mse_loss", lambda x, t: F.mse_loss(x, t), lambda x, t: TF.mse_loss(x, t), scores, target),
        ("squared_error (torch: 0.5*mse sum)", lambda x, t: F.squared_error(x, t),
         lambda x, t: 0.5 * TF.mse_loss(x, t, reduction="sum"), scores, target),
        ("binary_cross_entropy", F.binary_cross_entropy, TF.binary_cross_entropy, probs, bits),
        ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits,
         TF.binary_cross_entropy_with_logits, scores, bits),
        ("multi_margin_loss", F.multi_margin_loss, TF.multi_margin_loss, scores, labels),
        ("softmax_hinge_loss (torch: composed)", F.softmax_hinge_loss, hinge_torch, scores, labels),
        ("CrossEntropyLoss module", nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), scores, labels),
    ]


def bench_losses():
    rows = []
    for name, ours_fn, theirs_fn, x, t in loss_cases():
        xo = gg.tensor(x, requires_grad=True)
        to = gg.tensor(t)
        xt = torch.tensor(x, requires_grad=True)
        tt = torch.tensor(t)

        def ours():
            xo.grad = None
            ours_fn(xo, to).backward()

        def theirs():
            xt.grad = None
            theirs_fn(xt, tt).backward()

        a, b = interleaved([ours, theirs], inner=300)
        rows.append((name, a, b))
    return rows


def bench_mlp():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    tmodel = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                 torch.nn.ReLU(), torch.nn.Linear(128, 10))
    criterion, tcriterion = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    xo, yo, xt, yt = gg.tensor(x), gg.tensor(y), torch.tensor(x), torch.tensor(y)
    w = [m.weight for m in model if isinstance(m, nn.Linear)]
    b = [m.bias for m in model if isinstance(m, nn.Linear)]

    def with_modules():
        model.zero_grad()
        criterion(model(xo), yo).backward()

    def ops_only():
        model.zero_grad()
        h = F.relu(F.linear(xo, w[0], b[0]))
        h = F.relu(F.linear(h, w[1], b[1]))
        F.cross_entropy(F.linear(h, w[2], b[2]), yo).backward()

    def torch_step():
        tmodel.zero_grad()
        tcriterion(tmodel(xt), yt).backward()

    return interleaved([with_modules, ops_only, torch_step], inner=30)


def main():
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, help="BLAS and torch threads (default: the libraries' own)")
    parser.add_argument("--cpu", action="store_true", help="time with process CPU time (busy machine)")
    args = parser.parse_args()
    if args.threads:  # other jobs on the machine make spinning BLAS threads distort everything
        import threadpoolctl

        threadpoolctl.threadpool_limits(args.threads)
        torch.set_num_threads(args.threads)
    if args.cpu:
        CLOCK[0] = time.process_time
    print(f"load average {os.getloadavg()[0]:.1f}, torch threads {torch.get_num_threads()}, "
          f"clock {'process CPU time' if args.cpu else 'wall'}")
    print("1. losses, forward + backward, batch 128 x 10 classes, float32")
    print(f"{'loss':40s} {'glassgrad':>11s} {'torch':>11s} {'ratio':>7s}")
    for name, a, b in bench_losses():
        print(f"{name:40s} {a * 1e6:9.1f}us {b * 1e6:9.1f}us {a / b:7.2f}")
    a, c, t = bench_mlp()
    print("\n2. MLP 784-256-128-10 forward + backward, batch 128, float32")
    print(f"nn.Sequential + CrossEntropyLoss  {a * 1e6:9.1f}us  ratio to torch {a / t:5.2f}")
    print(f"same graph, ops only (no Modules) {c * 1e6:9.1f}us  ratio to torch {c / t:5.2f}")
    print(f"torch.nn                          {t * 1e6:9.1f}us")
    print(f"Module layer overhead: {a / c:5.3f}x")


if __name__ == "__main__":
    main()
