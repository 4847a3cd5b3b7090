"""Variants of an exercise: the same question with other numbers, for a class set.

``variant(spec, k)`` gives variant ``k`` (1, 2, ...) of an exercise:

- **seeded**: the numbers come from a generator seeded with ``k`` and the exercise's name,
  so the same ``k`` always gives the same sheet (on every machine: the draws are integers);
- **friendly**: weights, biases and inputs are multiples of 0.1 (expression values
  multiples of 0.5), small enough to compute by hand, and drawn again until no ReLU input
  sits at 0 and no max / min has a tie (where the derivative is a convention, not a
  computation) and every value is finite (``check_friendly`` asserts it).

The network's shape, activations, loss, targets and learning rate stay; the seed's own
numbers, the notes and the answers do not (they belong to the original numbers).
"""

import copy
import hashlib

import numpy as np

WEIGHT_GRID = np.round(np.arange(-5, 6) * 0.1, 1)  # -0.5 ... 0.5
INPUT_GRID = np.round(np.arange(-10, 11) * 0.1, 1)  # -1 ... 1
VALUE_GRID = np.arange(-6, 7) * 0.5  # -3 ... 3 for expression variables
_TRIES = 200


def _rng(name, k):
    digest = hashlib.sha256(f"{name}/variant/{k}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def variant(spec, k):
    """Variant ``k`` (an int >= 1) of the ExerciseSpec ``spec`` (see the module docstring)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"a variant number is a whole number >= 1, got {k!r}")
    rng = _rng(spec.name, k)
    for _ in range(_TRIES):
        new = _draw(spec, rng)
        if not friendly_problems(new):
            new.name = f"{spec.name}-v{k}"
            new.title = f"{spec.title} (variant {k})"
            new.notes, new.answers, new.seed_values = "", {}, {}
            return new
    raise ValueError(f"{spec.name}: no friendly variant {k} found in {_TRIES} draws")  # pragma: no cover


def _draw(spec, rng):
    new = copy.deepcopy(spec)
    if spec.kind == "network":
        mlp = new.mlp
        mlp.W = [rng.choice(WEIGHT_GRID[WEIGHT_GRID != 0], size=W.shape) for W in mlp.W]
        mlp.b = [None if b is None else rng.choice(WEIGHT_GRID, size=b.shape) for b in mlp.b]
        new.X = rng.choice(INPUT_GRID, size=spec.X.shape)
    else:
        new.values = {name: float(rng.choice(VALUE_GRID[VALUE_GRID != 0])) for name in spec.values}
    return new


def friendly_problems(spec):
    """What makes ``spec`` unfriendly (a list of sentences; empty when it is friendly)."""
    problems = []
    if spec.kind == "network":
        mlp = spec.mlp
        for name, arrays in (("W", mlp.W), ("b", [b for b in mlp.b if b is not None]), ("x", [spec.X])):
            for a in arrays:
                if not np.allclose(a * 10, np.round(a * 10), atol=1e-9):
                    problems.append(f"{name} is not on the 0.1 grid")
        H = spec.X
        for l, (W, b, act) in enumerate(zip(mlp.W, mlp.b, mlp.activations), start=1):
            S = W @ H + (0 if b is None else b[:, None])
            if act == "relu" and np.any(np.isclose(S, 0, atol=1e-9)):
                problems.append(f"a ReLU input of layer {l} is 0")
            H = _activate(act, S)
        if not np.all(np.isfinite(H)):
            problems.append("the output is not finite")
        return problems
    from .expression import explain_expression

    try:
        r = explain_expression(spec.expression, spec.values, spec.constants, upstream=spec.upstream)
    except (ValueError, ArithmeticError) as exc:
        return [str(exc)]
    for node in r.trace.nodes:
        inputs = [rec.value for rec in node.inputs]
        if node.label in ("maximum", "minimum", "max", "min") and len(inputs) == 2 and np.any(
                np.isclose(np.asarray(inputs[0], float), np.asarray(inputs[1], float))):
            problems.append(f"{node.name}: a tie in {node.label}")
        if node.label in ("relu", "abs") and np.any(np.isclose(np.asarray(inputs[0], float), 0)):
            problems.append(f"{node.name}: {node.label} of 0")
        if not np.all(np.isfinite(np.asarray(node.value, float))):
            problems.append(f"{node.name} is not finite")
    if any(g is None or not np.isfinite(g) for g in r.gradient.values()):
        problems.append("a gradient is not finite")
    return problems


def check_friendly(spec):
    """Raise AssertionError naming what makes ``spec`` unfriendly."""
    problems = friendly_problems(spec)
    assert not problems, f"{spec.name}: " + "; ".join(problems)


def _activate(name, S):
    if name == "tanh":
        return np.tanh(S)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-S))
    if name == "relu":
        return np.maximum(S, 0)
    return S  # identity / linear (softmax and the losses act after the last layer)


def parse_range(text):
    """'1-30' -> [1, ..., 30]; '3' -> [3]; '1,4,7' -> [1, 4, 7]."""
    out = []
    for part in str(text).split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            a, b = int(lo), int(hi) if sep else int(lo)
        except ValueError:
            raise ValueError(f"--variants: expected numbers like 1-30 or 1,4,7, got {text!r}") from None
        if a < 1 or b < a or b - a > 999:
            raise ValueError(f"--variants: expected a range like 1-30 (from 1, at most 1000 variants), got {text!r}")
        out.extend(range(a, b + 1))
    return out
