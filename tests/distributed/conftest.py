"""The distributed tests start real MPI jobs (`mpirun -n 2`). Without mpirun or mpi4py
they are skipped, and the skip says which is missing and how to install it."""

import os
import shutil
import subprocess
import sys

import pytest


def _why_not():
    if shutil.which("mpirun") is None:
        return "mpirun not found: install MPI (apt-get install openmpi-bin libopenmpi-dev)"
    probe = subprocess.run([sys.executable, "-c", "import mpi4py.MPI"], capture_output=True, text=True)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f'mpi4py cannot be imported ({last}): pip install "glassgrad[mpi]"'
    return None


MPI_MISSING = _why_not()


@pytest.fixture
def mpirun():
    return _mpirun


def _mpirun(n, args, timeout=300):
    """Run ``args`` (after the Python interpreter) as ``n`` MPI ranks; the
    CompletedProcess. As root, OpenMPI wants --allow-run-as-root; --oversubscribe lets
    2 ranks start on a machine with fewer free cores."""
    if MPI_MISSING:
        pytest.skip(MPI_MISSING)
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src), OMPI_MCA_rmaps_base_oversubscribe="1")
    cmd = ["mpirun", "-n", str(n), "--oversubscribe", "-x", "PYTHONPATH"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return subprocess.run(cmd + [sys.executable] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=env)
