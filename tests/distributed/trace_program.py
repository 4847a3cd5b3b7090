"""Run under `mpirun -n 2` by tests/distributed: one backward of a float64 Linear through
DistributedDataParallel inside glassgrad.explain.trace. Rank 0 writes the trace's table
(OUT.txt), the start weights and the traced gradients (OUT.npz)."""

import sys

import numpy as np

import glassgrad as gg
import glassgrad.distributed as dist
from glassgrad import nn
from glassgrad.explain import trace

gg.set_default_dtype(gg.float64)
dist.init_process_group(backend="mpi")
rank, k = dist.get_rank(), dist.get_world_size()
gg.manual_seed(0)
model = nn.Linear(3, 1)
ddp = nn.parallel.DistributedDataParallel(model)
X = np.arange(12.0).reshape(4, 3) / 10
with trace() as t:
    loss = (ddp(gg.tensor(X[rank::k])) ** 2).mean()
    loss.backward()
if rank == 0:
    with open(sys.argv[1] + ".txt", "w") as f:
        f.write(t.table())
    np.savez(sys.argv[1] + ".npz", X=X, W=model.weight.detach().numpy(), b=model.bias.detach().numpy(),
             gW=model.weight.grad.numpy(), gb=model.bias.grad.numpy())
