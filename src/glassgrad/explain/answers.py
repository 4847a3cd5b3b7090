"""Check-my-answer: compare a student's numbers with the worked solution.

An answer names a quantity of the solution (``loss``, ``h1``, ``W1[0,0]``, ``df/dx``,
``step2.loss``) and gives a number or an array. It is **correct** when it equals the right
value rounded to the decimals the student wrote (0.376 for 0.37636...), and is within 1 %
of it (so that 0.3 is not accepted for 0.2913); ``tol`` replaces this rule by an absolute
tolerance. The report names the first quantity, in the order the solution computes
them, where the student's numbers diverge.
"""

import json
import re
from dataclasses import dataclass

import numpy as np

from ..errors import UserError

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INDEXED = re.compile(r"^(?P<name>[^\[\]]+?)\s*\[(?P<index>[0-9,\s]+)\]$")
MAX_ANSWER_CHARS = 100_000  # one answer's text
MAX_NESTING = 8  # brackets inside brackets: a tensor of an exercise has at most a few dimensions


@dataclass
class Check:
    name: str  # as the student wrote it
    quantity: str  # the solution's quantity it refers to
    given: np.ndarray
    expected: np.ndarray
    correct: bool
    tolerance: np.ndarray
    position: int  # index of the quantity in dependency order
    message: str = ""


def decimals(token):
    """Decimals written in a number's text: '0.376' -> 3, '12' -> 0, '1.5e-3' -> 4."""
    token = token.strip().lower()
    mant, _, exp = token.partition("e")
    d = len(mant.split(".", 1)[1]) if "." in mant else 0
    if exp:
        d -= int(exp)
    return max(d, 0)


def parse_value(text):
    """'0.376' / '[0.29, 0.29]' / '[[1,2],[3,4]]' -> (array, decimals per element)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(float(text)) if isinstance(text, float) else str(text)
    if isinstance(text, (list, tuple)):
        try:
            arr = np.asarray(text, dtype=float)
        except (ValueError, TypeError):
            raise UserError(f"cannot read the answer {text!r}: ragged or non-numeric list") from None
        if not np.all(np.isfinite(arr)):
            raise UserError(f"cannot read the answer {text!r}: expected finite numbers")
        toks = [repr(float(v)) if isinstance(v, float) else str(v) for v in np.ravel(np.asarray(text, dtype=object))]
        return arr, np.array([decimals(t) for t in toks]).reshape(arr.shape)
    text = str(text).strip()
    _check_size(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise UserError(f"cannot read the answer {text!r}: give a number or a bracketed list "
                         "like [0.29, 0.29]") from None
    if isinstance(data, bool) or not isinstance(data, (int, float, list)):
        raise UserError(f"cannot read the answer {text!r}: give a number or a list of numbers")
    try:
        arr = np.asarray(data, dtype=float)
    except (ValueError, TypeError):
        raise UserError(f"cannot read the answer {text!r}: ragged or non-numeric list") from None
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise UserError(f"cannot read the answer {text!r}: expected finite numbers")
    toks = _NUMBER.findall(text)
    if len(toks) != arr.size:
        raise UserError(f"cannot read the answer {text!r}")
    return arr, np.array([decimals(t) for t in toks]).reshape(arr.shape)


def _check_size(text):
    """Refuse an answer too long or nested too deeply before parsing it (the parser
    recurses: 5000 nested brackets would end in a RecursionError)."""
    if len(text) > MAX_ANSWER_CHARS:
        raise UserError(f"cannot read the answer: expected at most {MAX_ANSWER_CHARS} characters, "
                        f"got {len(text)}")
    depth = deepest = 0
    for c in text:
        if c == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif c == "]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise UserError(f"cannot read the answer: expected lists nested at most {MAX_NESTING} deep, "
                        f"got {deepest}")


def tolerance(expected, dec, tol=None):
    """Per element: rounding to the written decimals, capped at 1 % of the value (with a
    floor of 1e-12 so that a value that is 0 up to rounding accepts 0)."""
    expected = np.asarray(expected, dtype=float)
    if tol is not None:
        return np.full(expected.shape, float(tol))
    rounding = 0.5 * 10.0 ** (-np.asarray(dec, dtype=float)) * (1 + 1e-9)
    cap = np.maximum(0.01 * np.abs(expected), 1e-12)
    return np.maximum(np.minimum(rounding, cap), 1e-12)


def split_name(name):
    """'W1[0, 1]' -> ('W1', (0, 1)); 'loss' -> ('loss', None)."""
    m = _INDEXED.match(name.strip())
    if not m:
        return name.strip(), None
    index = tuple(int(i) for i in m.group("index").replace(" ", "").split(",") if i != "")
    return m.group("name").strip(), index


def check_answers(answers, quantities, order, tol=None, aliases=None):
    """answers: name -> text/number/list; quantities: name -> array; order: names in
    dependency order. Returns a list of Check (sorted by that order)."""
    aliases = aliases or {}
    checks = []
    for name, raw in answers.items():
        base, index = split_name(name)
        key = aliases.get(base, base)
        if key not in quantities:
            names = list(order) + [a for a in aliases if a not in order]
            known = ", ".join(names[:60]) + (", ..." if len(names) > 60 else "")
            raise UserError(f"unknown quantity {base!r} in the answers; this solution has: {known}")
        value = np.asarray(quantities[key], dtype=float)
        squeezed = value.squeeze() if value.ndim else value
        given, dec = parse_value(raw)
        if index is not None:
            try:
                expected = np.asarray(squeezed[index] if squeezed.ndim else squeezed, dtype=float)
                if squeezed.ndim != len(index):
                    raise IndexError
            except IndexError:
                raise UserError(f"{name}: index out of range for {key} of shape "
                                 f"{tuple(squeezed.shape)} (indices start at 0)") from None
        else:
            expected = squeezed
        if given.shape != expected.shape:
            if given.size == expected.size:
                given = given.reshape(expected.shape)
                dec = dec.reshape(expected.shape)
            elif given.size == 1:
                given = np.full(expected.shape, given.item())
                dec = np.full(expected.shape, dec.item())
            else:
                checks.append(Check(name, key, given, expected, False, np.zeros(1), order.index(key),
                                    f"shape {tuple(given.shape)}, expected {tuple(expected.shape)}"))
                continue
        tols = tolerance(expected, dec, tol)
        ok = bool(np.all(np.abs(given - expected) <= tols))
        checks.append(Check(name, key, given, expected, ok, tols, order.index(key)))
    checks.sort(key=lambda c: (c.position, c.name))
    return checks


_STEP = re.compile(r"^step(?P<step>\d+)\.(?P<name>.+)$")
_LAYERED = re.compile(r"^(?P<kind>s|h|dh|delta|dW|db)(?P<layer>\d+)$")
_UPDATED = re.compile(r"^(?P<kind>W|b)(?P<layer>\d+)_new$")


def _direct_inputs(name, step, layers):
    """What a network quantity is computed from (``layers`` = L), as (step, name) pairs;
    None for a name these rules do not know. Parameters come from the previous step's
    update (W{l}_new of step - 1) or, at step 1, from the exercise (no quantity)."""
    def param(kind, layer):
        return [(step - 1, f"{kind}{layer}_new")] if step > 1 else []

    m = _LAYERED.match(name)
    if m:
        kind, layer = m.group("kind"), int(m.group("layer"))
        if kind == "s":
            return [(step, f"h{layer - 1}")] + param("W", layer) + param("b", layer)
        if kind == "h":
            return [] if layer == 0 else [(step, f"s{layer}")]
        if kind == "dh":
            if layer == layers:
                return [(step, f"h{layers}")]
            return [(step, f"delta{layer + 1}")] + param("W", layer + 1)
        if kind == "delta":
            return [(step, f"dh{layer}"), (step, "dp"), (step, f"s{layer}"), (step, f"h{layer}")]
        if kind == "dW":
            return [(step, f"delta{layer}"), (step, f"h{layer - 1}")]
        return [(step, f"delta{layer}")]  # db
    m = _UPDATED.match(name)
    if m:
        kind, layer = m.group("kind"), int(m.group("layer"))
        return [(step, f"d{kind}{layer}")] + param(kind, layer)
    if name in ("losses", "dp"):
        return [(step, f"h{layers}")]
    if name == "loss":
        return [(step, "losses"), (step, f"h{layers}")]
    if name == "loss_after":
        return [(step, f"{k}{layer}_new") for layer in range(1, layers + 1) for k in "Wb"]
    return None


def dependencies(order):
    """quantity -> the set of quantities it is computed from, directly or not, for the
    quantities of a network solution (s, h, dh, delta, dW, db, W_new, b_new, the losses;
    "stepK." prefixes for later steps). A name the rules do not know depends on every
    quantity computed before it (the cautious reading)."""
    keys = set(order)
    layers = max([int(m.group("layer")) for k in order
                  for m in [_LAYERED.match(_STEP.match(k).group("name") if _STEP.match(k) else k)]
                  if m and m.group("kind") == "s"] or [0])
    closure = {}
    for position, key in enumerate(order):
        m = _STEP.match(key)
        step, name = (int(m.group("step")), m.group("name")) if m else (1, key)
        inputs = _direct_inputs(name, step, layers)
        if inputs is None:
            closure[key] = set(order[:position])
            continue
        deps = set()
        for s, n in inputs:
            k = n if s == 1 else f"step{s}.{n}"
            if k in keys and k != key:
                deps.add(k)
                deps |= closure.get(k, set())
        closure[key] = deps
    return closure


def first_divergence(checks, who="Your", depends=None):
    """The first wrong check in dependency order, and a sentence about it. ``depends``
    (quantity -> the quantities it is computed from, see ``dependencies``) decides which
    later answers depend on the wrong one; without it, every later one is taken to."""
    wrong = [c for c in checks if not c.correct]
    if not wrong:
        return None, f"All {who.lower()} numbers are correct." if who != "Your" else "All your answers are correct."
    first = wrong[0]
    later_right = [c.name for c in checks if c.correct and c.position > first.position
                   and (depends is None or first.quantity in depends.get(c.quantity, ()))]
    text = (f"{who} numbers first diverge at {first.name} (the earliest wrong value in the "
            "order the solution computes them); the values computed from it depend on it.")
    if later_right:
        text += (f" Later answers that depend on it are right ({', '.join(later_right)}), so this "
                 "looks like a slip in writing the value down rather than in the computation.")
    return first, text
