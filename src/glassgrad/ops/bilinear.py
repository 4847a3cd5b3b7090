r"""The bilinear map of two inputs (PyTorch's ``F.bilinear``, ``nn.Bilinear``):

    y_o = x_1^T A_o x_2 + b_o = \sum_{i,j} x_{1,i} A_{o,i,j} x_{2,j} + b_o

weight A: (out, in1, in2). Written as two contractions of existing ops (a matmul, then a
product summed over j), so the backward comes from them:

    u_{o,j} = \sum_i x_{1,i} A_{o,i,j},   y_o = \sum_j u_{o,j} x_{2,j}
"""

from ..tensor import Tensor
from .linalg import matmul
from .shape import permute, reshape

__all__ = ["bilinear"]


def bilinear(input1, input2, weight, bias=None):
    r"""y = x_1^T A x_2 + b for inputs (*, in1) and (*, in2) -> (*, out); weight (out, in1,
    in2), bias (out,)."""
    op = "bilinear"
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a glassgrad Tensor, got {type(t).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"{op}: weight must have shape (out, in1, in2), got {tuple(weight.shape)}")
    out, in1, in2 = weight.shape
    if (input1.ndim < 1 or input1.shape[-1] != in1 or input2.ndim < 1 or input2.shape[-1] != in2
            or input1.shape[:-1] != input2.shape[:-1]):
        raise ValueError(f"{op}: expected input1 (*, {in1}) and input2 (*, {in2}) with the same "
                         f"leading dims, got {tuple(input1.shape)} and {tuple(input2.shape)}")
    lead = tuple(input1.shape[:-1])
    # u[n, o, j] = sum_i x1[n, i] A[o, i, j]: one matmul with A laid out as (in1, out * in2)
    u = matmul(reshape(input1, (-1, in1)), reshape(permute(weight, 1, 0, 2), (in1, out * in2)))
    u = reshape(u, (-1, out, in2))
    y = (u * reshape(input2, (-1, 1, in2))).sum(dim=-1)  # y[n, o] = sum_j u[n, o, j] x2[n, j]
    if bias is not None:
        y = y + bias
    return reshape(y, lead + (out,))
