"""The parts of glassgrad.distributed that need no MPI job."""

import pytest

import glassgrad as gg
import glassgrad.distributed as dist
from glassgrad.autograd.engine import queue_callback
from glassgrad.distributed.training import ShardedLoader, check_shardable
from glassgrad.errors import UserError


def test_a_queued_callback_runs_once_after_every_grad_is_complete():
    w = gg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    y = (w * w).sum() + (3 * w).sum()  # w receives two contributions: 2w and 3
    y.register_hook(lambda g: queue_callback(lambda: seen.append(w.grad.tolist())))
    y.backward()
    assert seen == [[5.0, 7.0]]  # 2w + 3, both parts summed when the callback ran
    (w * 1).sum().backward()
    assert seen == [[5.0, 7.0]]  # not again on the next pass


def test_only_the_mpi_backend_is_offered():
    with pytest.raises(ValueError, match="backend 'nccl' is not available"):
        dist.init_process_group(backend="nccl")
    assert not dist.is_initialized()


def test_without_mpi4py_the_error_names_the_extra(monkeypatch):
    def no_mpi4py():
        raise ImportError("No module named 'mpi4py'")

    monkeypatch.setattr(dist, "_mpi", no_mpi4py)
    with pytest.raises(UserError, match=r'needs mpi4py, which is not installed: pip install "glassgrad\[mpi\]"'):
        dist.init_process_group(backend="mpi")
    assert not dist.is_initialized()
    assert not dist.is_available()


def test_collectives_before_init_say_what_to_call():
    with pytest.raises(RuntimeError, match="init_process_group"):
        dist.get_rank()


def test_each_rank_gets_every_kth_row_of_each_batch():
    x = gg.arange(10).reshape(5, 2)
    y = gg.arange(5)
    shards = [list(ShardedLoader([(x, y)], r, 2)) for r in (0, 1)]
    assert shards[0][0][1].tolist() == [0, 2, 4]
    assert shards[1][0][1].tolist() == [1, 3]
    assert shards[1][0][0].tolist() == [[2, 3], [6, 7]]


@pytest.mark.parametrize("n, batch, k, ok", [(700, 10, 2, True), (701, 10, 2, False), (702, 10, 2, True),
                                              (700, 1, 2, False), (10, 4, 3, False), (11, 4, 3, True)])
def test_batches_must_give_every_rank_an_example(n, batch, k, ok):
    if ok:
        check_shardable(n, batch, k)
    else:
        with pytest.raises(UserError, match="cannot give every rank one"):
            check_shardable(n, batch, k)
