"""One shuffled epoch of mini-batches over MNIST-sized data: glassgrad's DataLoader versus
torch.utils.data.DataLoader and a hand-written NumPy loop (permutation + fancy index).

    .venv/bin/python benchmarks/data_loader.py

Uses random data of MNIST's shape (60000, 1, 28, 28) float32, so no files are needed.
"""

import statistics
import time

import numpy as np

import glassgrad
from glassgrad.data import DataLoader, TensorDataset

N, REPEATS = 60000, 7


def timed(fn):
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        time.sleep(0.2)  # let BLAS/OpenMP threads settle between runs
    return statistics.median(times)


def main():
    import torch
    import torch.utils.data as tud

    rng = np.random.default_rng(0)
    X = rng.random((N, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    ours = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    theirs = tud.DataLoader(tud.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=64, shuffle=True)

    def numpy_epoch():
        order = rng.permutation(N)
        for s in range(0, N, 64):
            idx = order[s:s + 64]
            X[idx], y[idx]

    print(f"one shuffled epoch, {N} examples of (1, 28, 28) float32 + int64 labels (median of {REPEATS})")
    for batch_size in (64, 256):
        ours.batch_size = theirs.batch_sampler.batch_size = batch_size
        t_ours = timed(lambda: [None for _ in ours])
        t_torch = timed(lambda: [None for _ in theirs])
        t_np = timed(numpy_epoch) if batch_size == 64 else float("nan")
        print(f"batch {batch_size:>4}: glassgrad {t_ours * 1e3:7.1f} ms   torch {t_torch * 1e3:7.1f} ms   "
              f"ratio torch/glassgrad {t_torch / t_ours:5.1f}x"
              + (f"   hand NumPy {t_np * 1e3:6.1f} ms (glassgrad/numpy {t_ours / t_np:4.2f})" if batch_size == 64 else ""))


if __name__ == "__main__":
    glassgrad.manual_seed(0)
    main()
