r"""overwrite (seed 002, exam question 2.3): why does overwriting a value in place break
backpropagation, and can the input be recovered from the output?

The backward of y = f(x) needs f'(x). If x was overwritten, f'(x) must be rebuilt from y,
which works only where y determines f'(x):

- y = x^2 / 2: x = +-sqrt(2 y), and f'(x) = x: the sign is lost, the gradient is wrong for
  every negative x (the exam's example);
- y = sin x: the seed claims f'(x) = cos x = sqrt(1 - sin^2 x) = sqrt(1 - y^2), "so the
  derivative can be retrieved from the output". That is a slip: sqrt(1 - sin^2 x) = |cos x|,
  and the claim is wrong wherever cos x < 0 (half of every period), where it gives the
  gradient the wrong sign;
- y = exp(x) or y = tanh(x): f'(x) = y or 1 - y^2 holds for every x, so PyTorch's (and
  glassgrad's) backward of these ops keeps the *output* instead of the input.

Then glassgrad's version counter: each tensor counts its in-place changes; a Function
that saved a tensor records the count and refuses to backpropagate if it changed.
"""

import numpy as np

import glassgrad

from . import study
from .result import StudyResult


def recovery(n):
    """On n points of [-pi, pi]: the true derivative and the one rebuilt from the output."""
    x = np.linspace(-np.pi, np.pi, n)
    y = np.sin(x)
    rebuilt_sin = np.sqrt(1 - y ** 2)
    sq = x ** 2 / 2
    rebuilt_sq = np.sqrt(2 * sq)  # the positive root: what the output alone can give
    return {"x": x, "cos": np.cos(x), "sqrt_1_minus_y2": rebuilt_sin,
            "sin_max_error": float(np.abs(np.cos(x) - rebuilt_sin).max()),
            "sin_wrong_fraction": float((np.abs(np.cos(x) - rebuilt_sin) > 1e-9).mean()),
            "square_max_error": float(np.abs(x - rebuilt_sq).max()),
            "square_wrong_fraction": float((np.abs(x - rebuilt_sq) > 1e-9).mean())}


def version_counter_demo():
    """Overwrite an input that sin saved; the backward refuses. Returns (versions, message)."""
    a = glassgrad.tensor([0.5, 2.5], requires_grad=True)
    x = a * 1.0  # not a leaf, so it may be changed in place
    y = x.sin()  # sin saves x for its backward: cos(x)
    before = x._version
    x.mul_(2.0)  # the overwrite
    after = x._version
    try:
        y.sum().backward()
    except RuntimeError as exc:
        return before, after, str(exc).splitlines()[0]
    return before, after, None


@study("overwrite", "Can a backward pass survive an input overwritten in place (is sqrt(1 - sin^2 x) = cos x)?",
       "002")
def run(quick=False, seed=0, progress=False):
    r = recovery(2001 if quick else 200001)
    before, after, message = version_counter_demo()
    numbers = {k: v for k, v in r.items() if not isinstance(v, np.ndarray)}
    numbers.update(version_before=before, version_after=after, backward_error=message)
    result = StudyResult(numbers=numbers, settings={"points": len(r["x"]), "interval": "[-pi, pi]"})
    result.find("max |cos x - sqrt(1 - sin^2 x)| on [-pi, pi]", r["sin_max_error"],
                "2 at x = +-pi: the seed's formula is |cos x|, not cos x")
    result.find("share of x where sqrt(1 - sin^2 x) is wrong", r["sin_wrong_fraction"],
                "where cos x < 0: half the period")
    result.find("y = x^2/2: share of x where sqrt(2y) is not x", r["square_wrong_fraction"], "every x < 0")
    result.find("x._version before / after x.mul_(2)", f"{before} / {after}", "the overwrite is counted")
    result.find("backward after the overwrite", "RuntimeError" if message else "no error (unexpected)",
                "refused: the tensor saved by sin is at version 1, expected 0")
    result.add_figure("sin-recovery", lambda: _figure(r))
    return result


def _figure(r):
    from .plot import figure, legend_outside

    fig, ax = figure(width=5.0, height=3.2)
    ax.plot(r["x"], r["cos"], label="cos x (true derivative)")
    ax.plot(r["x"], r["sqrt_1_minus_y2"], "--", label="sqrt(1 - sin^2 x) (seed 002)")
    ax.axvspan(-np.pi, -np.pi / 2, color="#999999", alpha=0.2, label="cos x < 0")
    ax.axvspan(np.pi / 2, np.pi, color="#999999", alpha=0.2)
    ax.set_xticks([-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi], ["-pi", "-pi/2", "0", "pi/2", "pi"])
    ax.set_xlabel("x")
    legend_outside(ax)
    return fig
