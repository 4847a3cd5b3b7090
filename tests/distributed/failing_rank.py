"""Run under `mpirun -n 2` by tests/distributed: rank 1 fails while rank 0 waits in a
collective (argv[1] = "error": an exception; "killed": SIGKILL; "drift": rank 1's weights are changed so the
DistributedDataParallel check must see it)."""

import sys

import glassgrad as gg
import glassgrad.distributed as dist
from glassgrad import nn

dist.init_process_group(backend="mpi")
rank = dist.get_rank()
if sys.argv[1] == "killed":  # rank 1 dies without a word (out of memory, kill -9)
    if rank == 1:
        import os
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    dist.barrier()
elif sys.argv[1] == "error":
    with dist.abort_on_error("the test program"):
        if rank == 1:
            raise ValueError("rank 1 cannot read its data")
        dist.barrier()  # rank 0 would wait here for ever without the abort
else:
    model = nn.Linear(2, 1)
    ddp = nn.parallel.DistributedDataParallel(model, check_every=1)
    if rank == 1:
        with gg.no_grad():
            model.weight.add_(1.0)
    ddp(gg.ones(4, 2)).sum().backward()
