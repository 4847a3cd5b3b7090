"""Op table rows: batch_norm, layer_norm, group_norm, normalize, cosine_similarity,
embedding and one_hot (row format: see harness.py).

batch_norm's running statistics are passed as fresh tensors built inside ``fn`` (buffers,
no gradient), so both sides start from the same values; their in-place update is checked
in tests/nn/test_normalization.py. embedding's indices repeat (the gradient rows add up).
"""

import numpy as np

from harness import Case, index, pos

_RM = np.array([0.3, -0.2, 0.1, 0.5])
_RV = np.array([1.5, 0.7, 2.0, 0.9])


def _bn(training, momentum=0.1, eps=1e-5, affine=True):
    """A batch_norm call on either side with the same running statistics (C = 4)."""

    def call(F, x, *wb):
        lib = F
        dtype = x.dtype
        rm = lib.tensor(_RM).to(dtype)
        rv = lib.tensor(_RV).to(dtype)
        fn = lib.nn.functional.batch_norm
        w, b = (wb + (None, None))[:2] if affine else (None, None)
        return fn(x, rm, rv, w, b, training=training, momentum=momentum, eps=eps)

    return call


def _emb(F, indices, weight, **kwargs):
    return F.nn.functional.embedding(indices, weight, **kwargs)  # torch.embedding swaps the two


CASES = [
    # --- batch_norm: training (batch statistics) and eval (running statistics), 2-D,
    # 3-D and 4-D inputs, without affine parameters, another eps
    Case("batch_norm", (6, 4), pos(4), (4,), fn=_bn(True), name="batch_norm,train,2d"),
    Case("batch_norm", (3, 4, 5), pos(4), (4,), fn=_bn(True), name="batch_norm,train,3d"),
    Case("batch_norm", (2, 4, 3, 5), pos(4), (4,), fn=_bn(True, eps=1e-3), name="batch_norm,train,4d"),
    Case("batch_norm", (2, 4, 3, 3), fn=_bn(True, affine=False), name="batch_norm,train,no affine"),
    Case("batch_norm", (6, 4), pos(4), (4,), fn=_bn(False), name="batch_norm,eval,2d"),
    Case("batch_norm", (2, 4, 3, 5), pos(4), (4,), fn=_bn(False), name="batch_norm,eval,4d"),
    # --- layer_norm over the last one and two dims, with and without weight / bias
    Case("layer_norm", (5, 6), pos(6), (6,), fn=lambda F, x, w, b: F.nn.functional.layer_norm(x, (6,), w, b),
         name="layer_norm,last dim"),
    Case("layer_norm", (2, 3, 4, 5), pos(4, 5), (4, 5),
         fn=lambda F, x, w, b: F.nn.functional.layer_norm(x, [4, 5], w, b, eps=1e-3),
         name="layer_norm,last two dims"),
    Case("layer_norm", (3, 7), fn=lambda F, x: F.nn.functional.layer_norm(x, (7,)), name="layer_norm,no affine"),
    Case("layer_norm", (3, 7), pos(7), fn=lambda F, x, w: F.nn.functional.layer_norm(x, (7,), w),
         name="layer_norm,weight only"),
    # --- group_norm
    Case("group_norm", (3, 6, 4, 2), pos(6), (6,),
         fn=lambda F, x, w, b: F.nn.functional.group_norm(x, 3, w, b), name="group_norm,3 groups"),
    Case("group_norm", (2, 4, 5), fn=lambda F, x: F.nn.functional.group_norm(x, 1, eps=1e-3),
         name="group_norm,1 group,no affine"),
    # --- normalize: p = 2 (default dim 1), other p and dims, a zero row (clamped at eps)
    Case("normalize", (4, 5), fn=lambda F, x: F.nn.functional.normalize(x), name="normalize,default"),
    Case("normalize", (2, 3, 4), fn=lambda F, x: F.nn.functional.normalize(x, p=3.0, dim=-1),
         name="normalize,p=3,dim=-1"),
    Case("normalize", pos(3, 4), fn=lambda F, x: F.nn.functional.normalize(x, p=1, dim=0),
         name="normalize,p=1"),
    Case("normalize", (3, 5), fn=lambda F, x: F.nn.functional.normalize(x, p=float("inf")),
         name="normalize,p=inf"),
    Case("normalize", pos(3, 4), fn=lambda F, x: F.nn.functional.normalize(x, p=0.5, dim=-1),
         name="normalize,p=0.5"),
    Case("normalize", (3, 4), fn=lambda F, x: F.nn.functional.normalize(x * F.tensor([[1.0], [0.0], [1.0]]).to(x.dtype), dim=1),
         name="normalize,zero row", gradcheck=False),
    # --- cosine_similarity: default dim 1, broadcasting, another dim
    Case("cosine_similarity", (4, 5), (4, 5),
         fn=lambda F, a, b: F.nn.functional.cosine_similarity(a, b), name="cosine_similarity,default"),
    Case("cosine_similarity", (3, 1, 6), (4, 6),
         fn=lambda F, a, b: F.nn.functional.cosine_similarity(a, b, dim=-1),
         name="cosine_similarity,broadcast"),
    Case("cosine_similarity", (3, 4, 2), (3, 4, 2),
         fn=lambda F, a, b: F.nn.functional.cosine_similarity(a, b, dim=0, eps=1e-6),
         name="cosine_similarity,dim=0"),
    # --- embedding: repeated indices (10 lookups from a table of 5), padding row, 2-D input
    Case("embedding", index(10, high=5), (5, 3), fn=_emb, name="embedding,repeats"),
    # (no gradcheck with a padding row: by design it gets 0, not the true derivative)
    Case("embedding", index(4, 6, high=5), (5, 3), fn=_emb, padding_idx=2, name="embedding,padding_idx",
         gradcheck=False),
    Case("embedding", index(4, 6, high=5), (5, 3), fn=_emb, padding_idx=-1, scale_grad_by_freq=True,
         name="embedding,scale_grad_by_freq", gradcheck=False),
    # --- one_hot (integer output, no gradient)
    Case("one_hot", index(7, high=4), fn=lambda F, t: F.nn.functional.one_hot(t),
         name="one_hot,inferred", gradcheck=False),
    Case("one_hot", index(2, 3, high=4), fn=lambda F, t: F.nn.functional.one_hot(t, num_classes=6),
         name="one_hot,num_classes", gradcheck=False),
]
