"""e^x - 1 and log(1 + e), fast and accurate on whole arrays.

NumPy's expm1 and log1p have no vector loop: each costs about five times an exp or a log.
Both are rewritten here with the vectorised exp and log, exact to a few ulps:

- Kahan's e^x - 1 = (u - 1) x / log(u), u = e^x: where u - 1 alone would keep none of the
  digits of a small x, the ratio x / log(u) restores them; where u rounds to 1 it is
  taken as x.
- Goldberg's (1991) log(1 + e) = e log(u) / (u - 1), u = 1 + e; where u rounds to 1,
  log(1 + e) = e.
"""

from ...backend import xp


def expm1_and_exp(x):
    """(e^x - 1, e^x), the first exact to a few ulps.

    x is held above -80 first: there e^x - 1 is -1 to the last bit of float64 and float32,
    and below e^x would turn subnormal and lose the digits log(u) needs (e^x itself is
    computed from the true x). e^x = inf gives e^x - 1 = inf."""
    dt = x.dtype.type
    floor = x < -80
    any_floor = floor.any()
    u = xp.exp(xp.maximum(x, dt(-80)) if any_floor else x)
    d = u - 1
    exact = d == 0
    em1 = (d + exact) * x
    em1 /= xp.log(u) + exact
    if any_floor:  # (where, not em1[floor] = -1: a 0-d input makes NumPy scalars)
        em1 = xp.where(floor, dt(-1), em1)
        u = xp.where(floor, xp.exp(x), u)
    overflow = u == xp.inf
    if overflow.any():
        em1 = xp.where(overflow, u, em1)
    return em1, u


def log1p(e):
    """log(1 + e) for e >= 0 (Goldberg), exact to a few ulps."""
    u = 1 + e
    d = u - 1
    exact = d == 0
    ratio = xp.log(u)
    ratio /= d + exact
    ratio += exact
    return ratio * e
