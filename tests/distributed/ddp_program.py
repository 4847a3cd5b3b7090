"""Run by tests/distributed under `mpirun -n K`: a few SGD steps of a float64 MLP through
DistributedDataParallel, each rank on rows rank::K of every batch of B. Writes each
rank's final parameters to OUT.rank<r>.npz (argv: OUT STEPS B)."""

import sys

import numpy as np

import glassgrad as gg
import glassgrad.distributed as dist
from glassgrad import nn

out, steps, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gg.set_default_dtype(gg.float64)
dist.init_process_group(backend="mpi")
rank, k = dist.get_rank(), dist.get_world_size()
gg.manual_seed(100 + rank)  # a different start on each rank: the wrapper must broadcast rank 0's
model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
if rank == 0:  # the start, for the one-process run to begin from the same weights
    np.savez(out + ".start.npz", *[p.detach().numpy() for p in model.parameters()])
ddp = nn.parallel.DistributedDataParallel(model, check_every=1)
opt = gg.optim.SGD(ddp.parameters(), lr=0.5, momentum=0.9)
data = np.random.default_rng(7)
X, Y = data.normal(size=(steps * batch, 3)), data.integers(0, 2, steps * batch)
for s in range(steps):
    xb, yb = X[s * batch:(s + 1) * batch], Y[s * batch:(s + 1) * batch]
    opt.zero_grad()
    loss = nn.functional.cross_entropy(ddp(gg.tensor(xb[rank::k])), gg.tensor(yb[rank::k]))
    loss.backward()
    opt.step()
np.savez(f"{out}.rank{rank}.npz", *[p.detach().numpy() for p in model.parameters()])
