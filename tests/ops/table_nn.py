"""Op table rows: softmax, log_softmax, cross_entropy, nll_loss, conv2d and pooling (row
format: see harness.py).

max_pool2d gets ``grid(distinct=True)`` inputs: all values distinct and >= 0.2 apart, so
every window has one clear maximum and a finite-difference step cannot change it.
Dropout is random and lives in test_nn_ops.py. Error messages, tie and NaN behaviour and
longer conv chains are tested there too.
"""

from harness import Case, grid, index, pos, uniform

CASES = [
    # --- softmax / log_softmax: every dim (hypothesis draws shapes and dims), large logits
    Case("softmax", (3, 5), dim=1, hyp="reduce"),
    Case("softmax", (2, 3, 4), dim=0),
    Case("softmax", (), dim=0, name="softmax,0-d"),
    Case("softmax", uniform(4, 6, low=-800, high=800), dim=-1, name="softmax,huge logits"),
    Case("log_softmax", (3, 5), dim=-1, hyp="reduce"),
    Case("log_softmax", (2, 3, 4), dim=1),
    Case("log_softmax", uniform(4, 6, low=-800, high=800), dim=1, name="log_softmax,huge logits"),
    # dtype=: the input is cast first (float32 rows then compute in float64)
    Case("softmax", (3, 5), fn=lambda F, x: F.nn.functional.softmax(x, dim=1, dtype=F.float64),
         name="softmax,dtype=float64"),
    Case("log_softmax", (3, 5), fn=lambda F, x: F.log_softmax(x, 0, dtype=F.float64),
         name="log_softmax,dtype=float64"),
    # --- cross_entropy: class indices (plain, every reduction, weight, ignore_index,
    # label smoothing, spatial (N, C, d1, d2), unbatched), then probability targets
    Case("cross_entropy", (6, 4), index(6, high=4)),
    Case("cross_entropy", (6, 4), index(6, high=4), reduction="sum"),
    Case("cross_entropy", (6, 4), index(6, high=4), reduction="none"),
    Case("cross_entropy", (6, 4), index(6, high=4), pos(4, requires_grad=False),
         name="cross_entropy,weight"),
    Case("cross_entropy", (8, 4), index(8, high=4), ignore_index=1),
    Case("cross_entropy", (8, 4), index(8, high=4), pos(4, requires_grad=False), ignore_index=2,
         label_smoothing=0.3, name="cross_entropy,weight,ignore,smoothing"),
    Case("cross_entropy", (8, 4), index(8, high=4), label_smoothing=0.1, reduction="sum"),
    Case("cross_entropy", (8, 4), index(8, high=4), pos(4, requires_grad=False),
         label_smoothing=0.2, reduction="none", name="cross_entropy,weight,smoothing,none"),
    Case("cross_entropy", (2, 3, 4, 5), index(2, 4, 5, high=3)),
    Case("cross_entropy", (2, 3, 4, 5), index(2, 4, 5, high=3), pos(3, requires_grad=False),
         ignore_index=0, reduction="none", name="cross_entropy,spatial,weight,none"),
    Case("cross_entropy", (5,), index((), high=5), name="cross_entropy,unbatched"),
    Case("cross_entropy", (5,), index((), high=5), reduction="none",
         name="cross_entropy,unbatched,none"),
    Case("cross_entropy", (6, 4), uniform(6, 4, low=0, high=1), name="cross_entropy,probs"),
    Case("cross_entropy", (6, 4), uniform(6, 4, low=0, high=1), pos(4, requires_grad=False),
         label_smoothing=0.25, reduction="sum", name="cross_entropy,probs,weight,smoothing"),
    Case("cross_entropy", (2, 3, 4), uniform(2, 3, 4, low=0, high=1), reduction="none",
         name="cross_entropy,probs,spatial,none"),
    # --- nll_loss on log-probabilities
    Case("nll_loss", (6, 4), index(6, high=4)),
    Case("nll_loss", (6, 4), index(6, high=4), pos(4, requires_grad=False), ignore_index=3,
         name="nll_loss,weight,ignore"),
    Case("nll_loss", (2, 3, 4), index(2, 4, high=3), reduction="none"),
    Case("nll_loss", (2, 3, 4), index(2, 4, high=3), reduction="sum"),
    # --- conv2d: stride, padding (ints, pairs, 'same', 'valid'), dilation, no bias,
    # unbatched, non-square everything
    Case("conv2d", (2, 3, 7, 6), (4, 3, 3, 3), (4,)),
    Case("conv2d", (2, 3, 7, 6), (4, 3, 3, 2), (4,), stride=2, padding=1),
    Case("conv2d", (2, 2, 9, 8), (3, 2, 3, 2), stride=(2, 1), padding=(0, 2), dilation=(2, 1)),
    Case("conv2d", (2, 2, 8, 7), (3, 2, 3, 3), (3,), dilation=2, padding=2),
    Case("conv2d", (1, 2, 6, 5), (2, 2, 2, 4), padding="same", name="conv2d,same,even kernel"),
    Case("conv2d", (2, 1, 5, 5), (2, 1, 3, 3), (2,), padding="valid"),
    Case("conv2d", (3, 6, 5), (2, 3, 3, 3), (2,), stride=2, padding=1, name="conv2d,unbatched"),
    Case("conv2d", (2, 3, 4, 4), (5, 3, 1, 1), (5,), name="conv2d,1x1"),
    Case("conv2d", (2, 3, 3, 3), (2, 3, 3, 3), (2,), name="conv2d,kernel=input"),
    # groups: filters of group g see only the channels of group g (groups = C: depthwise)
    Case("conv2d", (2, 4, 6, 5), (6, 2, 3, 3), (6,), groups=2, padding=1, name="conv2d,groups=2"),
    Case("conv2d", (2, 3, 6, 6), (3, 1, 3, 3), (3,), groups=3, stride=2,
         name="conv2d,depthwise"),
    Case("conv2d", (6, 5, 5), (4, 3, 2, 2), groups=2, dilation=2, name="conv2d,groups,unbatched"),
    # --- max_pool2d: distinct values (no ties), stride default and explicit, padding,
    # dilation, ceil_mode, overlapping windows, unbatched
    Case("max_pool2d", grid(2, 3, 6, 6, distinct=True), kernel_size=2),
    Case("max_pool2d", grid(2, 2, 7, 6, distinct=True), kernel_size=3, stride=2, padding=1),
    Case("max_pool2d", grid(2, 2, 7, 7, distinct=True), kernel_size=3, stride=1),
    Case("max_pool2d", grid(1, 2, 7, 8, distinct=True), kernel_size=(3, 2), stride=(2, 3),
         ceil_mode=True),
    Case("max_pool2d", grid(1, 2, 9, 9, distinct=True), kernel_size=2, stride=2, padding=1,
         dilation=2),
    Case("max_pool2d", grid(2, 5, 5, distinct=True), kernel_size=2, name="max_pool2d,unbatched"),
    # --- avg_pool2d: padding counted or not, ceil_mode, divisor_override, unbatched
    Case("avg_pool2d", (2, 3, 6, 6), kernel_size=2),
    Case("avg_pool2d", (2, 2, 7, 6), kernel_size=3, stride=2, padding=1),
    Case("avg_pool2d", (2, 2, 7, 6), kernel_size=3, stride=2, padding=1, count_include_pad=False),
    Case("avg_pool2d", (1, 2, 7, 8), kernel_size=(3, 2), stride=(2, 3), padding=(1, 1),
         ceil_mode=True),
    Case("avg_pool2d", (1, 2, 8, 7), kernel_size=3, stride=2, padding=1, ceil_mode=True,
         count_include_pad=False),
    Case("avg_pool2d", (1, 2, 6, 6), kernel_size=3, stride=1, divisor_override=4),
    Case("avg_pool2d", (2, 5, 5), kernel_size=2, stride=1, name="avg_pool2d,unbatched"),
]
