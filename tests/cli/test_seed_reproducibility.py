"""What `glassgrad train --seed` promises, exactly: the same seed on the same machine, with
the same BLAS kernel and the same number of threads, gives the same weights bit for bit.
Across thread counts the floating-point sums may be split and added in another order, so
there the promise is agreement to float32 rounding, not bits.

Each run is a subprocess, so the thread count (OMP_NUM_THREADS, read by OpenBLAS and by
torch when they load) is the run's own.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

# a run whose matrix products are big enough for OpenBLAS to split them between threads
ARGS = ["train", "--dataset", "circles", "--n", "2000", "--model", "mlp:256,256", "--epochs", "2",
        "--batch-size", "256", "--dropout", "0.1", "--seed", "3", "--no-progress", "--no-figures"]


def train(out, threads):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS=str(threads))
    env.pop("OPENBLAS_NUM_THREADS", None)  # would take precedence over OMP_NUM_THREADS
    env.pop("GLASSGRAD_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "glassgrad", *ARGS, "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    with np.load(out / "model.npz", allow_pickle=False) as z:
        weights = {k: z[k] for k in z.files if k[0].isdigit()}
    assert weights and all(w.dtype == np.float32 for w in weights.values())
    return weights


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("seed")
    return {name: train(root / name, threads)
            for name, threads in [("one", 1), ("one again", 1), ("two", 2)]}


def test_same_seed_same_thread_count_is_bit_for_bit(runs):
    a, b = runs["one"], runs["one again"]
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].tobytes() == b[k].tobytes(), k


def test_other_thread_count_agrees_to_float32_rounding(runs):
    a, b = runs["one"], runs["two"]
    assert a.keys() == b.keys()
    for k in a:
        # two epochs of SGD on float32 sums of up to 256 terms: rounding differences of a
        # few ulps per step, far below the weights' own size (their initial scale ~0.06)
        np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5, err_msg=k)
