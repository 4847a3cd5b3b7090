"""A small CNN step: glassgrad's conv2d against PyTorch (oneDNN) on the CPU.

The network of the brief: a batch of 128 images 1x28x28 (MNIST's size), conv 1->16 3x3,
ReLU, conv 16->32 3x3, ReLU, sum; forward + backward (gradients of both weights and
biases; the input needs none). Target: glassgrad / torch <= 1.5.

Sides run in one process, interleaved repeat by repeat with a 0.2 s pause between them
(BLAS threads spin after a call); each figure is the median over the repeats of the mean
of 3 steps. Gradients are checked against torch before timing. The machine is shared, so
the load average is printed with the figures.

    .venv/bin/python benchmarks/cnn_step.py                 # float32, batch 128
    .venv/bin/python benchmarks/cnn_step.py --dtype float64 --batch 64
    .venv/bin/python benchmarks/cnn_step.py --one-thread    # CPU time, 1 thread each

``--one-thread`` runs both libraries on one thread (OpenBLAS and torch) and measures the
CPU time of that thread instead of the wall clock: on a shared, loaded machine that
figure moves much less than wall-clock time with 2 threads, where each multithreaded
call may wait for a descheduled thread.
"""

import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np

import glassgrad as gg
import glassgrad.nn.functional as F

PAUSE = 0.2
CLOCK = [time.perf_counter]


def make_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((16, 1, 3, 3)) / 3).astype(dtype), np.zeros(16, dtype),
        (rng.standard_normal((32, 16, 3, 3)) / 12).astype(dtype), np.zeros(32, dtype),
    ]


def glassgrad_side(x, weights):
    X = gg.tensor(x)
    params = [gg.tensor(w, requires_grad=True) for w in weights]

    def step():
        for p in params:
            p.grad = None
        w1, b1, w2, b2 = params
        h = F.relu(F.conv2d(X, w1, b1))
        h = F.relu(F.conv2d(h, w2, b2))
        h.sum().backward()

    def forward():
        with gg.no_grad():
            w1, b1, w2, b2 = params
            F.relu(F.conv2d(F.relu(F.conv2d(X, w1, b1)), w2, b2))

    return step, forward, lambda: [p.grad.array for p in params]


def torch_side(x, weights):
    import torch

    TF = torch.nn.functional
    X = torch.tensor(x)
    params = [torch.tensor(w, requires_grad=True) for w in weights]

    def step():
        for p in params:
            p.grad = None
        w1, b1, w2, b2 = params
        h = torch.relu(TF.conv2d(X, w1, b1))
        h = torch.relu(TF.conv2d(h, w2, b2))
        h.sum().backward()

    def forward():
        with torch.no_grad():
            w1, b1, w2, b2 = params
            torch.relu(TF.conv2d(torch.relu(TF.conv2d(X, w1, b1)), w2, b2))

    return step, forward, lambda: [p.grad.numpy() for p in params]


def check_gradients(ours, theirs, dtype):
    rtol = 1e-4 if dtype == "float32" else 1e-9
    for name, a, b in zip(["w1", "b1", "w2", "b2"], ours, theirs):
        scale = np.abs(b).max()
        err = np.abs(a - b).max() / scale
        if err > rtol:
            raise SystemExit(f"gradient of {name} differs from torch: max rel. error {err:.2e}")


def timed(fn, inner=3):
    clock = CLOCK[0]
    t0 = clock()
    for _ in range(inner):
        fn()
    return (clock() - t0) / inner


def compare(label, ours, theirs, repeats):
    """Interleave the two sides repeat by repeat, so that a change of load hits both."""
    ours(), theirs()  # warm up (allocations, BLAS threads, torch's kernel choice)
    t_ours, t_theirs, faults = [], [], []
    for _ in range(repeats):
        time.sleep(PAUSE)
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t_ours.append(timed(ours))
        faults.append((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / 3)
        time.sleep(PAUSE)
        t_theirs.append(timed(theirs))
    a, b = statistics.median(t_ours), statistics.median(t_theirs)
    print(f"{label:22s} glassgrad {a * 1e3:8.1f} ms   torch {b * 1e3:8.1f} ms   "
          f"glassgrad/torch {a / b:5.2f}   (minor page faults per glassgrad step: "
          f"{statistics.median(faults):.0f})")
    return a / b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--one-thread", action="store_true",
                        help="one thread per library, CPU time instead of wall-clock time")
    args = parser.parse_args()
    if args.one_thread and os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        # OpenBLAS reads its thread count when NumPy loads: start again with it set
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)

    import torch

    if args.one_thread:
        torch.set_num_threads(1)
        CLOCK[0] = time.thread_time

    x = np.random.default_rng(1).standard_normal((args.batch, 1, 28, 28)).astype(args.dtype)
    weights = make_weights(args.dtype)
    g_step, g_forward, g_grads = glassgrad_side(x, weights)
    t_step, t_forward, t_grads = torch_side(x, weights)
    g_step()
    t_step()
    check_gradients(g_grads(), t_grads(), args.dtype)

    clock = "CPU time of the one thread" if args.one_thread else "wall clock"
    print(f"conv 1->16->32 3x3, batch {args.batch}, 28x28, {args.dtype}; torch "
          f"{torch.__version__}, {torch.get_num_threads()} thread(s); {clock}; median of "
          f"{args.repeats}; load average {os.getloadavg()[0]:.1f}")
    compare("forward (no_grad)", g_forward, t_forward, args.repeats)
    compare("forward + backward", g_step, t_step, args.repeats)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
