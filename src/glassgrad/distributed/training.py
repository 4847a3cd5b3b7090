"""What ``glassgrad train --distributed`` adds to a run: each rank's shard of every batch,
and the model wrapped in DistributedDataParallel.

Every rank builds the same DataLoader (same seed, so the same shuffled batches) and keeps
rows ``rank, rank + K, rank + 2K, ...`` of each batch: K ranks with batch B each train on
B/K examples, and the averaged gradient is the gradient of the whole batch B.
"""

from ..errors import UserError

__all__ = ["ShardedLoader", "data_parallel"]


class ShardedLoader:
    """Iterate ``loader``, giving this rank its rows of each batch: ``batch[rank::world]``."""

    def __init__(self, loader, rank, world_size):
        self.loader = loader
        self.rank = rank
        self.world_size = world_size

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        r, k = self.rank, self.world_size
        for x, y in self.loader:
            yield x[r::k], y[r::k]


def check_shardable(n_examples, batch_size, world_size):
    """Every batch must give every rank at least one example (an empty shard has no mean
    loss). Raises UserError, the same on every rank, before anything is trained."""
    last = n_examples % batch_size
    small = batch_size if batch_size < world_size else last if 0 < last < world_size else None
    if small is not None:
        raise UserError(
            f"--distributed with {world_size} ranks: a batch of {small} examples cannot give every "
            f"rank one (training set {n_examples}, batch size {batch_size}); choose a batch size "
            f"of at least {world_size} whose last batch (n mod batch size) is 0 or at least {world_size}")


def data_parallel(model, loader, n_examples, batch_size, check_every=100):
    """(DistributedDataParallel(model), this rank's ShardedLoader). The gradient mean is
    weighted by shard sizes, so an uneven last batch still equals one process's."""
    from .. import distributed as dist
    from ..nn.parallel import DistributedDataParallel

    k = dist.get_world_size()
    check_shardable(n_examples, batch_size, k)
    ddp = DistributedDataParallel(model, check_every=check_every, weight_by_batch=True)
    return ddp, ShardedLoader(loader, dist.get_rank(), k)


def run_ranks(run, settings, progress=True):
    """``run`` (cli.train.run) on this rank of mpirun. Rank 0 shows the progress and gets
    the results back; the other ranks get (None, None, None, None) and write nothing.
    A rank that fails stops them all (MPI abort) before anything is written: outputs are
    written by rank 0 only after every rank has finished training (a barrier)."""
    from .. import distributed as dist

    if not dist.is_initialized():
        dist.init_process_group(backend="mpi")
    rank = dist.get_rank()
    with dist.abort_on_error("glassgrad train --distributed"):
        result = run(settings, progress=progress and rank == 0, verbose=rank == 0, distributed=True)
        dist.barrier()
    return result if rank == 0 else (None, None, None, None)
