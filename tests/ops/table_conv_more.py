"""Op table rows: conv_transpose2d, conv_transpose1d, conv1d, max_pool1d, avg_pool1d,
adaptive_avg_pool1d/2d, adaptive_max_pool2d, interpolate (row format: see harness.py).

conv_transpose2d rows cover strides, paddings, output_padding (< stride, and < dilation
at stride 1), dilation, groups (and depthwise), no bias, unbatched input, and both of
conv2d's patch layouts its backward reuses (narrow: kW * C_out < 16, and wide).
Max pools get ``grid(distinct=True)`` inputs (no ties, a finite-difference step cannot move
the max). Adaptive pools use sizes that do and do not divide (overlapping bins), and
outputs larger than the input. interpolate covers torch's index rules: size or
scale_factor (the kernel then uses 1 / scale_factor), recompute_scale_factor, and
align_corners for the linear modes. Geometry drawn by hypothesis and error messages live
in tests/nn/test_conv_more.py.
"""

import torch

from harness import Case, grid

CASES = [
    # --- conv_transpose2d
    Case("conv_transpose2d", (2, 3, 4, 5), (3, 4, 3, 3), (4,)),
    Case("conv_transpose2d", (2, 3, 4, 5), (3, 4, 3, 2), (4,), stride=2, padding=1,
         output_padding=1),
    Case("conv_transpose2d", (2, 3, 3, 4), (3, 2, 3, 3), (2,), stride=(2, 3), padding=(1, 2),
         output_padding=(1, 0), dilation=(1, 2)),
    Case("conv_transpose2d", (2, 4, 3, 4), (4, 3, 3, 3), stride=2, groups=2,
         name="conv_transpose2d,groups=2,no bias"),
    Case("conv_transpose2d", (2, 4, 4, 4), (4, 1, 3, 3), (4,), groups=4, dilation=2,
         output_padding=1, name="conv_transpose2d,depthwise,output_padding<dilation"),
    Case("conv_transpose2d", (3, 4, 5), (3, 2, 3, 3), (2,), stride=2, padding=1,
         name="conv_transpose2d,unbatched"),
    Case("conv_transpose2d", (2, 3, 3, 3), (3, 2, 1, 1), (2,), stride=2,
         name="conv_transpose2d,1x1 stride 2"),
    Case("conv_transpose2d", (1, 3, 3, 3), (3, 8, 2, 2), (8,), stride=2, padding=1,
         output_padding=1, name="conv_transpose2d,wide patches"),
    Case("conv_transpose2d", (2, 2, 4, 4), (2, 3, 4, 4), (3,), stride=2, padding=1,
         name="conv_transpose2d,4x4 stride 2 (DCGAN)"),
    # --- conv_transpose1d
    Case("conv_transpose1d", (2, 3, 5), (3, 4, 3), (4,), stride=2, padding=1, output_padding=1),
    Case("conv_transpose1d", (2, 4, 6), (4, 1, 2), groups=2, dilation=3,
         name="conv_transpose1d,groups,dilation"),
    # --- conv1d: stride, padding, dilation, 'same', 'valid', groups, unbatched
    Case("conv1d", (2, 3, 9), (4, 3, 3), (4,)),
    Case("conv1d", (2, 3, 9), (4, 3, 3), (4,), stride=2, padding=1, dilation=2),
    Case("conv1d", (2, 3, 8), (2, 3, 4), padding="same", name="conv1d,same,even kernel"),
    Case("conv1d", (2, 3, 8), (2, 3, 3), (2,), padding="valid"),
    Case("conv1d", (2, 4, 7), (6, 2, 3), (6,), groups=2, padding=1, name="conv1d,groups=2"),
    Case("conv1d", (3, 7), (2, 3, 2), (2,), stride=3, name="conv1d,unbatched"),
    # --- 1-D pools
    Case("max_pool1d", grid(2, 3, 9, distinct=True), kernel_size=2),
    Case("max_pool1d", grid(2, 3, 9, distinct=True), kernel_size=3, stride=2, padding=1,
         dilation=2, ceil_mode=True),
    Case("max_pool1d", grid(3, 8, distinct=True), kernel_size=3, stride=1, return_indices=True,
         name="max_pool1d,unbatched,indices",
         torch_fn=lambda torch, x, **kw: torch.nn.functional.max_pool1d(x, **kw)),
    Case("avg_pool1d", (2, 3, 9), kernel_size=3),
    Case("avg_pool1d", (2, 3, 9), kernel_size=3, stride=2, padding=1, ceil_mode=True,
         count_include_pad=False),
    # --- adaptive pools: divisible, not divisible (overlapping bins), None, larger output
    Case("adaptive_avg_pool2d", (2, 3, 6, 4), output_size=(3, 2)),
    Case("adaptive_avg_pool2d", (2, 3, 7, 5), output_size=(3, 4), name="adaptive_avg_pool2d,overlap"),
    Case("adaptive_avg_pool2d", (2, 3, 5, 4), output_size=1, name="adaptive_avg_pool2d,global"),
    Case("adaptive_avg_pool2d", (2, 3, 5, 4), output_size=(None, 3), name="adaptive_avg_pool2d,None"),
    Case("adaptive_avg_pool2d", (3, 3, 2), output_size=(5, 4), name="adaptive_avg_pool2d,up,unbatched"),
    Case("adaptive_avg_pool1d", (2, 3, 7), output_size=3),
    Case("adaptive_max_pool2d", grid(2, 3, 7, 5, distinct=True), output_size=(3, 2),
         torch_fn=lambda torch, x, **kw: torch.nn.functional.adaptive_max_pool2d(x, **kw)),
    Case("adaptive_max_pool2d", grid(2, 5, 6, distinct=True), output_size=(4, 4),
         return_indices=True, name="adaptive_max_pool2d,unbatched,indices,overlap",
         torch_fn=lambda torch, x, **kw: torch.nn.functional.adaptive_max_pool2d(x, **kw)),
    # --- interpolate
    Case("interpolate", (2, 3, 4, 5), size=(7, 9)),
    Case("interpolate", (2, 3, 4, 5), scale_factor=2, name="interpolate,nearest,x2"),
    Case("interpolate", (2, 3, 5, 6), scale_factor=(1.7, 0.6), name="interpolate,nearest,1.7x0.6"),
    Case("interpolate", (2, 3, 5, 6), scale_factor=1.5, recompute_scale_factor=True,
         name="interpolate,nearest,recompute"),
    Case("interpolate", (2, 3, 5, 6), size=(8, 4), mode="nearest-exact"),
    # out == in and out == 2 in by a scale_factor: torch's 2-D kernel copies / shifts,
    # its 1-D kernel steps by 1 / scale_factor (indices 0 0 1 2 3 for 5 -> 5)
    Case("interpolate", (2, 3, 5, 6), scale_factor=(1.1, 2.05),
         name="interpolate,nearest,1.1x2.05 (out = in, 2 in)"),
    # (the 1-D kernel's case is in tests/nn/test_conv_more.py: torch's 1-D backward is
    # not the transpose of its forward there)
    Case("interpolate", (2, 3, 4, 5), size=(7, 9), mode="bilinear"),
    Case("interpolate", (2, 3, 4, 5), size=(7, 3), mode="bilinear", align_corners=True),
    Case("interpolate", (2, 3, 4, 5), scale_factor=(2.5, 1.5), mode="bilinear",
         name="interpolate,bilinear,2.5x1.5"),
    Case("interpolate", (2, 3, 4, 5), scale_factor=2, mode="bilinear", align_corners=True,
         name="interpolate,bilinear,x2,align_corners"),
    Case("interpolate", (2, 3, 6), size=10, mode="linear"),
    Case("interpolate", (2, 3, 6), scale_factor=0.5, mode="linear", align_corners=True,
         name="interpolate,linear,down,align_corners"),
    Case("interpolate", (2, 3, 6), size=4, name="interpolate,nearest,1-d"),
    # an axis that keeps its size is a copy in torch's linear kernels, whatever the factor
    Case("interpolate", (2, 3, 5), scale_factor=1.1, mode="linear",
         name="interpolate,linear,1.1 (out = in)"),
    Case("interpolate", (2, 3, 3, 4), scale_factor=(1.2, 1.3), mode="bilinear",
         name="interpolate,bilinear,1.2x1.3 (H: out = in)"),
]

assert torch  # the torch_fn lambdas receive torch from the harness; imported for linters

# --- unfold / fold: reached as F.unfold / F.fold only (as in torch), hence fn=
_UNFOLD = dict(fn=lambda F, x, **kw: F.nn.functional.unfold(x, **kw))
_FOLD = dict(fn=lambda F, x, **kw: F.nn.functional.fold(x, **kw))
CASES += [
    Case("unfold", (2, 3, 5, 6), kernel_size=2, **_UNFOLD),
    Case("unfold", (2, 3, 7, 6), kernel_size=(3, 2), stride=2, padding=1, dilation=(1, 2),
         name="unfold,stride,padding,dilation", **_UNFOLD),
    Case("unfold", (3, 5, 5), kernel_size=3, stride=2, name="unfold,unbatched", **_UNFOLD),
    Case("fold", (2, 12, 20), output_size=(5, 6), kernel_size=2, **_FOLD),
    Case("fold", (2, 18, 12), output_size=(7, 6), kernel_size=(3, 2), stride=2, padding=1,
         dilation=(1, 2), name="fold,stride,padding,dilation", **_FOLD),
    Case("fold", (27, 4), output_size=(5, 5), kernel_size=3, stride=2, name="fold,unbatched",
         **_FOLD),
]
