"""Where the trials run: in this process, in processes on this machine, or on Dask.

Every executor has the same two methods: ``results(jobs)`` yields ``(index, result)`` as
trials finish (in any order), and ``close()`` stops what it started. A job is
``(settings, seed)``, and a trial's numbers depend only on it (see trial.py), so the
executor changes how long a sweep takes, never what it finds.

- ``sequential``: one trial after the other in this process (the reference);
- ``local``: ``concurrent.futures.ProcessPoolExecutor``, one process per core by default,
  each with one BLAS thread so that the processes do not oversubscribe the cores;
- ``dask-local``: a ``dask.distributed.LocalCluster`` started for the sweep (``--workers``
  processes of one thread each) and stopped after it;
- ``dask``: an existing Dask cluster, reached at its scheduler's address
  (``tcp://HOST:PORT``); its workers need glassgrad installed.

Connecting happens when the executor is made, before any trial or file: an unreachable
scheduler is one line of error, with nothing written.
"""

import os
from contextlib import contextmanager

from glassgrad.errors import UserError, require

from .trial import BLAS_THREAD_VARIABLES, run_trial

EXECUTORS = ("sequential", "local", "dask-local", "dask")
CONNECT_TIMEOUT = 10  # seconds to reach a Dask scheduler


def make_executor(name="sequential", workers=None, scheduler=None):
    """The executor called ``name`` (see the module's docstring), ready to run trials."""
    if name not in EXECUTORS:
        raise UserError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {name!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 1024):
        raise UserError(f"--workers: expected a whole number from 1 to 1024, got {workers!r}")
    if name == "sequential":
        return Sequential()
    if name == "local":
        return LocalProcesses(workers or os.cpu_count() or 1)
    if name == "dask-local":
        return DaskExecutor(workers=workers or os.cpu_count() or 1)
    if not scheduler:
        raise UserError("--executor dask: expected --dask-scheduler tcp://HOST:PORT, the address of the Dask scheduler")
    return DaskExecutor(address=scheduler)


class Sequential:
    """The trials one after the other, in this process."""

    def results(self, jobs):
        for i, (settings, seed) in enumerate(jobs):
            yield i, run_trial(settings, seed)

    def close(self):
        pass


@contextmanager
def _single_threaded_blas_environment():
    """The BLAS variables set to 1 while worker processes start (they read them as NumPy
    loads), then put back as they were in this process."""
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARIABLES}
    os.environ.update({k: "1" for k in BLAS_THREAD_VARIABLES})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class LocalProcesses:
    """``workers`` processes on this machine (started fresh, 'spawn': no state copied from
    this process, and the BLAS variables are read as each starts)."""

    def __init__(self, workers):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def results(self, jobs):
        from concurrent.futures import as_completed

        with _single_threaded_blas_environment():  # the processes start at the first submit
            futures = {self.pool.submit(run_trial, s, seed): i for i, (s, seed) in enumerate(jobs)}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask client: on a LocalCluster started here (``workers``) or on the cluster whose
    scheduler listens at ``address``."""

    def __init__(self, workers=None, address=None):
        feature = "--executor dask" if address else "--executor dask-local"
        require("dask", feature, "dask")
        distributed = require("distributed", feature, "dask")
        self.cluster = None
        if address is None:
            import dask

            # Dask's nannies set these variables before each worker process starts.
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            environ.update({k: 1 for k in BLAS_THREAD_VARIABLES})
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                self.cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                        dashboard_address=None)
            self.client = distributed.Client(self.cluster)
        else:
            _check_address(address)
            try:
                self.client = distributed.Client(address, timeout=f"{CONNECT_TIMEOUT}s")
            except (OSError, TimeoutError) as exc:
                raise UserError(f"--scheduler {address}: cannot reach a Dask scheduler there within "
                                f"{CONNECT_TIMEOUT} s ({type(exc).__name__}); is `dask scheduler` running?") from None

    def results(self, jobs):
        from distributed import as_completed

        futures = [self.client.submit(run_trial, s, seed, pure=False) for s, seed in jobs]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            yield index[future.key], future.result()

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _check_address(address):
    import re

    if not isinstance(address, str) or not re.fullmatch(r"(tcp|tls|ucx|inproc)://[^\s/]+(:[0-9]{1,5})?", address):
        raise UserError(f"--scheduler: expected a Dask scheduler address such as tcp://HOST:8786, got {address!r}")
