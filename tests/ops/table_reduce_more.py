"""Op table rows: median, nanmedian, quantile, nanquantile, nansum, nanmean, var_mean,
std_mean, logcumsumexp, cummax, cummin (row format: see harness.py).

Medians and running extremes take ``grid(..., distinct=True)`` inputs: no two equal
elements, so the element picked (and its index) is unambiguous. Even counts are in: the
lower middle value is PyTorch's documented rule for the median.
"""

from harness import Case, const, grid, uniform

Q2 = [0.2, 0.75]

CASES = [
    # --- median: of everything (0-d), along a dim (values, indices); odd and even counts
    Case("median", grid(3, 5, distinct=True)),
    Case("median", grid(4, 4, distinct=True), name="median,even"),
    Case("median", grid(3, 5, distinct=True), dim=1),
    Case("median", grid(4, 6, distinct=True), dim=0, keepdim=True),
    Case("median", grid(2, 3, 4, distinct=True), dim=-1),
    Case("nanmedian", grid(3, 5, distinct=True)),
    Case("nanmedian", grid(4, 6, distinct=True), dim=1),
    # --- quantile: a number or a 1-D tensor of q, all interpolations
    Case("quantile", grid(3, 5, distinct=True), fn=lambda F, x: F.quantile(x, 0.3), name="quantile,all"),
    Case("quantile", grid(3, 5, distinct=True), fn=lambda F, x: F.quantile(x, 0.3, dim=1), name="quantile,dim"),
    Case("quantile", grid(4, 5, distinct=True), name="quantile,qs,keepdim",
         fn=lambda F, x: F.quantile(x, F.tensor(Q2, dtype=x.dtype), dim=0, keepdim=True)),
    Case("quantile", grid(4, 5, distinct=True), name="quantile,qs,all,keepdim",
         fn=lambda F, x: F.quantile(x, F.tensor(Q2, dtype=x.dtype), keepdim=True)),
    *[Case("quantile", grid(3, 6, distinct=True), name=f"quantile,{how}",
           fn=lambda F, x, how=how: F.quantile(x, F.tensor([0.1, 0.5, 0.9], dtype=x.dtype), dim=1,
                                              interpolation=how))
      for how in ("lower", "higher", "midpoint", "nearest")],
    Case("nanquantile", grid(3, 5, distinct=True), fn=lambda F, x: F.nanquantile(x, 0.6, dim=0),
         name="nanquantile,dim"),
    Case("quantile", grid(3, 5, distinct=True), fn=lambda F, x: x.quantile(0.3, dim=1), name="quantile,method"),
    # --- nan-ignoring sums and means (no nan here: their own tests put nans in)
    Case("nansum", (3, 4), dim=1),
    Case("nansum", (3, 4)),
    Case("nanmean", (3, 4), dim=0, keepdim=True),
    Case("nanmean", (2, 3, 4), dim=(0, 2)),
    # --- (var, mean) and (std, mean) in one call
    Case("var_mean", (3, 4), dim=1),
    Case("std_mean", (3, 5), dim=0, keepdim=True),
    Case("std_mean", (3, 5), fn=lambda F, x: F.std_mean(x, 1, correction=0), name="std_mean,correction=0"),
    Case("var_mean", (4, 3), fn=lambda F, x: F.var_mean(x, unbiased=False), name="var_mean,unbiased=False"),
    # --- running log-sum-exp and running extremes
    Case("logcumsumexp", (3, 5), dim=1),
    Case("logcumsumexp", (4, 2, 3), dim=0),
    Case("logcumsumexp", uniform(2, 6, low=-300, high=300), dim=1, dtypes=("float64",),
         name="logcumsumexp,large"),  # e^300 overflows nothing: the backward stays in log space
    Case("logcumsumexp", const([[1000.0, -1000.0, 999.0, 0.5]]), dim=1, dtypes=("float64",),
         gradcheck=False, name="logcumsumexp,huge"),
    Case("cummax", grid(3, 6, distinct=True), dim=1),
    Case("cummin", grid(4, 3, distinct=True), dim=0),
    Case("cummax", grid(2, 3, 4, distinct=True), dim=-1),
]
