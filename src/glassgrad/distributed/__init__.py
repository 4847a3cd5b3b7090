"""Several processes training one model: PyTorch's ``torch.distributed`` names over MPI.

Start K copies of a program with ``mpirun -n K python prog.py``; each copy is a *rank*
(0 .. K-1) of a *world* of size K. They talk through collective operations, where every
rank calls the same function in the same order:

- ``all_reduce(t)``: every rank's ``t`` becomes the element-wise sum over the ranks
  (``op=ReduceOp.AVG``: the mean), ``t <- sum_k t_k``;
- ``broadcast(t, src=0)``: every rank's ``t`` becomes rank ``src``'s;
- ``barrier()``: wait until every rank has arrived.

Data-parallel training (``glassgrad.nn.parallel.DistributedDataParallel``) needs only
these: the same weights everywhere (broadcast at the start), each rank's gradient on its
part of the batch, and their mean (all_reduce) before every optimizer step.

    import glassgrad.distributed as dist
    dist.init_process_group(backend="mpi")
    print(dist.get_rank(), "of", dist.get_world_size())

The only backend is MPI through mpi4py (``pip install "glassgrad[mpi]"``; MPI itself
from the system, e.g. Debian's ``openmpi-bin``). A collective that one rank never calls
waits for ever: a rank that fails should stop the others (``abort``, or the
``abort_on_error`` context manager that ``glassgrad train --distributed`` uses).
"""

import contextlib
import sys

from ..backend import xp
from ..errors import UserError, missing_extra

__all__ = [
    "ReduceOp", "is_available", "init_process_group", "is_initialized", "destroy_process_group",
    "get_rank", "get_world_size", "all_reduce", "broadcast", "barrier", "all_gather_object", "abort",
    "abort_on_error",
]

_comm = None  # the MPI communicator of the process group, once initialised


class ReduceOp:
    """How ``all_reduce`` combines the ranks' tensors (PyTorch's names)."""

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"


def is_available():
    """True when mpi4py (and through it an MPI library) can be imported."""
    try:
        _mpi()
    except Exception:  # ImportError, or mpi4py present but no libmpi to load
        return False
    return True


def _mpi():
    from mpi4py import MPI

    return MPI


def init_process_group(backend="mpi", world_size=-1, rank=-1):
    """Join the process group made by ``mpirun``. Rank and world size come from MPI; a
    ``world_size``/``rank`` given here must agree with them. Run without mpirun, the
    group is this one process (world size 1)."""
    global _comm
    if backend != "mpi":
        raise ValueError(f"init_process_group: backend {backend!r} is not available; glassgrad "
                         "speaks MPI only: backend='mpi', started with mpirun")
    if _comm is not None:
        raise RuntimeError("init_process_group: the default process group is already initialised")
    try:
        MPI = _mpi()
    except ImportError:
        raise missing_extra("glassgrad.distributed", "mpi4py", "mpi") from None
    except (RuntimeError, OSError) as exc:  # mpi4py is there but finds no MPI library
        raise UserError(f"glassgrad.distributed: mpi4py cannot load an MPI library ({exc}); install "
                        "one from the system, e.g. apt-get install openmpi-bin libopenmpi-dev") from None
    comm = MPI.COMM_WORLD
    for name, given, actual in (("world_size", world_size, comm.Get_size()), ("rank", rank, comm.Get_rank())):
        if given != -1 and given != actual:
            raise ValueError(f"init_process_group: {name}={given} but mpirun started this process "
                             f"with {name} {actual}; leave it out (-1) to take MPI's")
    _comm = comm


def is_initialized():
    return _comm is not None


def destroy_process_group():
    """Leave the group (MPI itself is finalised when the program ends)."""
    global _comm
    _comm = None


def _group(what="this"):
    if _comm is None:
        raise RuntimeError(f"{what} needs the process group: call "
                           "glassgrad.distributed.init_process_group(backend='mpi') first")
    return _comm


def get_rank():
    return _group("get_rank").Get_rank()


def get_world_size():
    return _group("get_world_size").Get_size()


def barrier():
    _group("barrier").Barrier()


def all_reduce(tensor, op=ReduceOp.SUM):
    """Replace ``tensor`` in place by the combination over all ranks of their ``tensor``."""
    comm = _group("all_reduce")
    MPI = _mpi()
    mpi_op = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.MAX: MPI.MAX, ReduceOp.MIN: MPI.MIN}.get(op)
    if mpi_op is None:
        raise ValueError(f"all_reduce: unknown op {op!r}; expected one of ReduceOp.SUM, AVG, MAX, MIN")
    array = _contiguous(tensor, "all_reduce")
    comm.Allreduce(MPI.IN_PLACE, array, op=mpi_op)
    if op == ReduceOp.AVG:
        array /= comm.Get_size()
    tensor._vc[0] += 1  # an in-place change, as autograd's version counter sees it


def broadcast(tensor, src=0):
    """Replace ``tensor`` in place by rank ``src``'s."""
    comm = _group("broadcast")
    comm.Bcast(_contiguous(tensor, "broadcast"), root=src)
    tensor._vc[0] += 1


def _contiguous(tensor, what):
    array = tensor.array
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ValueError(f"{what}: the tensor must be contiguous and writable (call .contiguous() "
                         "or .clone() first)")
    return array


def all_gather_object(obj):
    """A list of every rank's ``obj`` (small Python values: numbers, tuples of numbers)."""
    return _group("all_gather_object").allgather(obj)


def abort(message, code=1):
    """Print ``message`` (naming this rank) and stop every rank of the job (MPI_Abort).

    A collective waits for all ranks: without this, a rank that fails leaves the others
    waiting for it for ever."""
    comm = _comm if _comm is not None else _mpi().COMM_WORLD
    print(f"rank {comm.Get_rank()} of {comm.Get_size()}: {message}", file=sys.stderr, flush=True)
    comm.Abort(code)


@contextlib.contextmanager
def abort_on_error(what):
    """Run the block; if it raises on this rank, stop every rank with a message naming
    ``what``, this rank and the error (rather than leave the others waiting)."""
    try:
        yield
    except BaseException as exc:  # KeyboardInterrupt too: the others must not hang
        if get_world_size() == 1:
            raise
        text = str(exc) or type(exc).__name__
        abort(f"{what} failed: {type(exc).__name__}: {text}; stopping all ranks")
        raise  # pragma: no cover - Abort does not return


def _checksum(arrays):
    """Two float64 numbers that change when any element of ``arrays`` changes (almost
    surely): the plain sum and a sum weighted by position, so a swap is seen too."""
    total, weighted = 0.0, 0.0
    for a in arrays:
        flat = a.reshape(-1).astype(xp.float64)
        total += float(flat.sum())
        weighted += float(flat @ xp.linspace(1.0, 2.0, flat.size)) if flat.size else 0.0
    return total, weighted
