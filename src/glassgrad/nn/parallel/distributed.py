"""DistributedDataParallel: one model trained by K processes, each on its part of the batch.

Data parallelism rests on one identity. For a loss that is a mean over the batch,

    L(w) = (1/B) sum_i l_i(w),   split into K shards S_k of size B/K:
    grad L = (1/K) sum_k [ (K/B) sum_{i in S_k} grad l_i ] = (1/K) sum_k g_k,

the gradient of the whole batch is the mean of the K shards' gradients g_k. So K ranks
that start from the same weights, each compute g_k on B/K examples, average the g_k
(one Allreduce) and take the same optimizer step, end every step with the same weights as
one process with batch B: the same algorithm, only the work is split (seed 002's
mini-batch gradient; up to float rounding, the order of the sums differs).

With shards of unequal size n_k (a last batch that does not split evenly),
``weight_by_batch=True`` uses the exact weights: grad L = sum_k n_k g_k / sum_k n_k.
PyTorch always takes the plain mean (the default here too).
"""

import contextlib

from ...autograd import function as _function
from ...autograd.engine import queue_callback
from ...autograd.function import Reduction
from ...autograd.grad_mode import is_grad_enabled
from ...backend import xp
from ... import distributed as dist
from ..module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Wrap ``module`` so that every backward pass ends with the gradients averaged over
    the ranks (PyTorch's ``torch.nn.parallel.DistributedDataParallel``).

    - At wrap time the parameters and buffers of rank 0 are copied to every rank.
    - ``loss.backward()`` ends with one Allreduce of all gradients, flattened into one
      buffer: ``p.grad <- (1/K) sum_k p.grad_k``. The loop stays the usual
      ``zero_grad()``, ``backward()``, ``step()``.
    - Every ``check_every`` backward passes, a checksum of the parameters is compared
      across ranks; a difference raises RuntimeError (the ranks drifted apart: a rank
      stepped differently, or a bug).

    - Under ``glassgrad.explain.trace`` the averaging is instead a node per parameter,
      ``MeanOverWorkers`` ("mean over workers"), so the trace shows it.

    ``ddp.module`` is the wrapped model (save ``ddp.module.state_dict()``, as in PyTorch).
    Call ``glassgrad.distributed.init_process_group(backend="mpi")`` first.
    """

    def __init__(self, module, check_every=100, weight_by_batch=False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps a Module, got {type(module).__name__}")
        if isinstance(check_every, bool) or not isinstance(check_every, int) or check_every < 0:
            raise ValueError(f"check_every must be an int >= 0 (0: never check), got {check_every!r}")
        self._comm = dist._group("DistributedDataParallel")
        self.module = module
        self.check_every = check_every
        self.weight_by_batch = weight_by_batch
        self.world_size = self._comm.Get_size()
        self._reductions = 0
        self._queued = False
        self._batch = 0
        # The same model code on every rank gives the parameters in the same order.
        for t in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(t, src=0)

    def forward(self, *inputs, **kwargs):
        if self.training and is_grad_enabled() and _function.observers:
            # Watched (glassgrad.explain.trace): the averaging becomes a node of the graph,
            # "mean over workers", between each parameter and its uses (one Allreduce per
            # parameter, during backward, instead of one at the end).
            with self._parameters_through_mean(len(inputs[0]) if self.weight_by_batch else None):
                return self.module(*inputs, **kwargs)
        out = self.module(*inputs, **kwargs)
        if self.training and is_grad_enabled():
            if self.weight_by_batch:
                self._batch += len(inputs[0])
            for t in _tensors_in(out):
                if t.requires_grad:
                    t.register_hook(self._queue_reduction)
        return out

    @contextlib.contextmanager
    def _parameters_through_mean(self, batch):
        swapped = []
        try:
            for mod in self.module.modules():
                for name, p in list(mod._parameters.items()):
                    if p is None or not p.requires_grad:
                        continue
                    routed = MeanOverWorkers.apply(p, comm=self._comm, batch=batch)
                    swapped.append((mod, name, p, name in mod.__dict__))
                    mod._parameters[name] = routed
                    if name in mod.__dict__:
                        mod.__dict__[name] = routed
            yield
        finally:
            for mod, name, p, mirrored in swapped:
                mod._parameters[name] = p
                if mirrored:
                    mod.__dict__[name] = p

    def _queue_reduction(self, grad):
        # Called while backward reaches our output; the reduction must wait until every
        # parameter's .grad is complete, at the end of this backward pass.
        if not self._queued:
            self._queued = True
            queue_callback(self._reduce_gradients)

    def _reduce_gradients(self):
        """p.grad <- mean over the ranks of p.grad, all parameters in one Allreduce."""
        self._queued = False
        params = [p for p in self.module.parameters() if p.requires_grad]
        grads = [p.grad.array if p.grad is not None else xp.zeros_like(p.array) for p in params]
        dtype = xp.result_type(*grads) if grads else xp.float64
        flat = xp.concatenate([g.reshape(-1) for g in grads] + [xp.zeros(1, dtype)])
        if self.weight_by_batch:  # sum_k n_k g_k and, in the last slot, sum_k n_k
            flat[:-1] *= self._batch
            flat[-1] = self._batch
        self._batch = 0
        self._comm.Allreduce(dist._mpi().IN_PLACE, flat, op=dist._mpi().SUM)
        divisor = flat[-1] if self.weight_by_batch else self.world_size
        flat /= divisor
        offset = 0
        for p, g in zip(params, grads):
            part = flat[offset:offset + g.size].reshape(g.shape).astype(p.array.dtype, copy=False)
            offset += g.size
            if p.grad is None:
                from ...tensor import Tensor

                p.grad = Tensor._wrap(part)
            else:
                p.grad.array[...] = part
                p.grad._vc[0] += 1
        self._reductions += 1
        if self.check_every and self._reductions % self.check_every == 0:
            self.check_parameters_in_sync()

    def check_parameters_in_sync(self):
        """Raise RuntimeError unless every rank holds the same parameters (a checksum
        of two float64 numbers per rank, gathered from all ranks: cheap)."""
        mine = dist._checksum([p.array for p in self.module.parameters()])
        every = self._comm.allgather(mine)
        differ = [k for k, c in enumerate(every) if c != every[0]]
        if differ:
            raise RuntimeError(
                f"DistributedDataParallel: the parameters of rank(s) {differ} differ from rank 0's "
                f"after {self._reductions} backward passes (checksums {every}); every rank must "
                "run the same steps on the same model")


class MeanOverWorkers(Reduction):
    """The gradient averaged over the ranks, as a node of the graph (shown in a trace): a
    reduction across processes rather than across the elements of one tensor.

    Forward: w (this rank's parameter, the same on every rank). Backward:
    g <- (1/K) sum_k g_k, one Allreduce; with shard sizes n_k, g <- sum_k n_k g_k / sum_k n_k."""

    label = "mean over workers"
    plain = "g = (1/K) sum_k g_k (Allreduce over the K ranks)"
    rule = r"\bar g = \frac{1}{K} \sum_{k=1}^{K} g_k"
    form = ("mean over workers({...})", r"\mathrm{mean}_{\mathrm{workers}}({...})")

    def forward(ctx, w, comm=None, batch=None):
        ctx.comm, ctx.batch = comm, batch
        return w.copy()

    def backward(ctx, upstream):
        from mpi4py import MPI

        n = 1 if ctx.batch is None else ctx.batch
        flat = xp.concatenate([upstream.reshape(-1) * n, xp.array([n], dtype=upstream.dtype)])
        ctx.comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
        return (flat[:-1] / flat[-1]).reshape(upstream.shape).astype(upstream.dtype, copy=False)


def _tensors_in(out):
    """The Tensors in a forward's output (a Tensor, or tuples/lists/dicts of them)."""
    from ...tensor import Tensor

    if isinstance(out, Tensor):
        yield out
    elif isinstance(out, (tuple, list)):
        for item in out:
            yield from _tensors_in(item)
    elif isinstance(out, dict):
        for item in out.values():
            yield from _tensors_in(item)
