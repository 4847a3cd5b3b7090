"""Data-parallel training throughput: K = 1 and K = 2 MPI ranks (examples per second).

The work: SGD with momentum on the 784-256-128-10 ReLU MLP, float32, random inputs of
MNIST's shape, a global batch of B examples per step. With K ranks each rank computes
forward and backward on B/K rows of every batch, then one Allreduce averages the
gradients (235,146 floats, 0.9 MB) and every rank takes the same step
(glassgrad.nn.parallel.DistributedDataParallel). Throughput = B x steps / wall time of
the timed steps on rank 0 (after warm-up steps), median over repeats.

Each K is its own `mpirun -n K` job; one BLAS thread per rank, so K = 2 uses the two
cores that K = 1 leaves to one rank and its one thread (a fair split of the machine).

    .venv/bin/python benchmarks/data_parallel.py                  # B = 64, 256; K = 1, 2
    .venv/bin/python benchmarks/data_parallel.py --batches 256 --steps 40 --repeats 5

Needs mpirun (apt-get install openmpi-bin libopenmpi-dev) and mpi4py (glassgrad[mpi]).
As root, the script adds --allow-run-as-root; --oversubscribe lets 2 ranks start when
other jobs hold the cores.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SIZES = (784, 256, 128, 10)


def worker(batch, steps, warmup, repeats):
    """One rank of the job: train, and on rank 0 print the throughputs as JSON."""
    import numpy as np

    import glassgrad as gg
    import glassgrad.distributed as dist
    from glassgrad import nn

    dist.init_process_group(backend="mpi")
    rank, k = dist.get_rank(), dist.get_world_size()
    gg.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(SIZES) - 2 else [])
    model = nn.parallel.DistributedDataParallel(nn.Sequential(*layers), check_every=50)
    # Time spent in the gradient reduction: waiting for the other ranks plus the Allreduce.
    reduce, in_reduce = model._reduce_gradients, [0.0]

    def timed_reduce():
        t = time.perf_counter()
        reduce()
        in_reduce[0] += time.perf_counter() - t

    model._reduce_gradients = timed_reduce
    opt = gg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    data = np.random.default_rng(0)
    X = data.random((batch * 8, SIZES[0]), dtype=np.float32)
    Y = data.integers(0, SIZES[-1], batch * 8)

    def step(s):
        i = (s % 8) * batch
        xb, yb = gg.tensor(X[i:i + batch][rank::k]), gg.tensor(Y[i:i + batch][rank::k])
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

    for s in range(warmup):
        step(s)
    rates = []
    in_reduce[0] = 0.0
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        for s in range(steps):
            step(s)
        dist.barrier()
        rates.append(batch * steps / (time.perf_counter() - start))
    if rank == 0:
        print(json.dumps({"k": k, "batch": batch, "rates": rates,
                          "reduce_ms": 1e3 * in_reduce[0] / (steps * repeats)}))


def launch(k, batch, steps, warmup, repeats):
    cmd = ["mpirun", "-n", str(k), "-x", "PYTHONPATH", "-x", "OMP_NUM_THREADS",
           "-x", "OPENBLAS_NUM_THREADS"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    cmd += [sys.executable, __file__, "--worker", "--batches", str(batch), "--steps", str(steps),
            "--warmup", str(warmup), "--repeats", str(repeats)]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    job = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if job.returncode != 0:
        sys.exit(f"mpirun -n {k} failed:\n{job.stderr}")
    return json.loads(job.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batches", default="64,256", help="global batch sizes, comma-separated")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        return worker(int(a.batches), a.steps, a.warmup, a.repeats)
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| global batch | K = 1 (examples/s) | K = 2 (examples/s) | K=2 / K=1 | K = 2: ms per step in the "
          "reduction (wait + Allreduce) |")
    print("|---|---|---|---|---|")
    for batch in [int(b) for b in a.batches.split(",")]:
        one = statistics.median(launch(1, batch, a.steps, a.warmup, a.repeats)["rates"])
        job = launch(2, batch, a.steps, a.warmup, a.repeats)
        two = statistics.median(job["rates"])
        print(f"| {batch} | {one:,.0f} | {two:,.0f} | {two / one:.2f} | {job['reduce_ms']:.1f} of "
              f"{1e3 * batch / two:.1f} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
