"""The configurations of a sweep: grids, random draws, and each trial's name and seed.

A sweep varies some training settings and keeps the rest. Each varied setting has either a
list of values or, for random search, a range::

    lr=0.01,0.1,0.5           a list (a grid axis; random search picks among them)
    model=mlp:64,mlp:128,64   a list of models: a value starts at each 'mlp'/'cnn'
    lr=1e-4:1                 a range (random search only): log-uniform for lr, weight_decay,
                              batch_size and n, uniform for the others

A grid is the Cartesian product of its lists. Random search draws ``count`` configurations
from a generator seeded by the sweep's seed, so the same command draws the same trials.

Every trial is named by a hash of its complete settings (``trial_id``) and seeded by it
(``trial_seed``): the same configuration trains the same way whichever process, machine or
executor runs it, and a resumed sweep recognises the trials it has already run.
"""

import hashlib
import itertools
import json
import math

from glassgrad.errors import UserError

# The settings a sweep may vary (the data set, its split and the selection rule stay fixed,
# so that every trial is scored on the same validation examples).
SWEEP_KEYS = ("n", "noise", "model", "activation", "dropout", "init", "loss", "optimizer", "lr",
              "momentum", "weight_decay", "decay", "batch_size", "epochs", "scheduler", "early_stopping")
LOG_UNIFORM = ("lr", "weight_decay", "batch_size", "n")  # ranges spanning orders of magnitude
WHOLE = ("n", "batch_size", "epochs", "early_stopping")
MAX_TRIALS = 1000  # trials of one sweep


class Range:
    """A range ``[low, high]`` to draw from in a random search (both ends included)."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def __repr__(self):
        return f"Range({self.low!r}, {self.high!r})"

    def __eq__(self, other):
        return isinstance(other, Range) and (self.low, self.high) == (other.low, other.high)


def key_of(name, where):
    """'batch-size' or 'batch_size' -> 'batch_size'; an unknown name is refused."""
    key = name.strip().replace("-", "_")
    if key not in SWEEP_KEYS:
        raise UserError(f"{where}: expected a setting among {', '.join(k.replace('_', '-') for k in SWEEP_KEYS)}, "
                        f"got {name.strip()!r}")
    return key


def parse_spec(text, where="--grid"):
    """'lr=0.01,0.1' -> ('lr', ['0.01', '0.1']); 'lr=1e-4:1' -> ('lr', Range('1e-4', '1'))
    (values still text: ``check_space`` reads and checks them)."""
    if "=" not in text:
        raise UserError(f"{where}: expected NAME=VALUES such as lr=0.01,0.1 or lr=1e-4:1, got {text!r}")
    name, values = text.split("=", 1)
    key = key_of(name, where)
    values = values.strip()
    if not values:
        raise UserError(f"{where} {key}: expected at least one value, got none")
    if key not in ("model", "init") and ":" in values and "," not in values and ";" not in values:
        low, _, high = values.partition(":")
        return key, Range(low.strip(), high.strip())
    if ";" in values:
        parts = [v.strip() for v in values.split(";")]
    elif key == "model":  # 'mlp:64,mlp:128,64': a new model starts at each 'mlp' or 'cnn'
        parts = []
        for piece in values.split(","):
            piece = piece.strip()
            if not parts or piece.lower().startswith(("mlp", "cnn")):
                parts.append(piece)
            else:
                parts[-1] += "," + piece
    else:
        parts = [v.strip() for v in values.split(",")]
    if any(not p for p in parts):
        raise UserError(f"{where} {key}: expected comma-separated values, got an empty one in {values!r}")
    return key, parts


def check_space(space, where=lambda key: f"--grid {key}"):
    """Read and check every value of ``space`` (key -> list or Range, values as text or
    Python values) by the rule of its setting; returns key -> list of values or Range."""
    from glassgrad.cli.checks import settings_rules

    rules = settings_rules()
    checked = {}
    if not space:
        raise UserError("--grid: expected at least one setting to vary, such as --grid lr=0.01,0.1")
    for name, values in space.items():
        key = key_of(name, "--grid")
        rule = rules[key]

        def read(v):  # text as typed (the rule reads it), or a Python value (checked)
            return rule.parse(v, where(key)) if isinstance(v, str) else rule.check(v, where(key))

        if isinstance(values, Range):
            if key not in LOG_UNIFORM + WHOLE + ("momentum", "dropout", "noise"):
                raise UserError(f"{where(key)}: a range is for numbers; give {key} as a list of values")
            low, high = read(values.low), read(values.high)
            if key in WHOLE and (isinstance(low, float) or isinstance(high, float)):
                raise UserError(f"{where(key)}: expected whole numbers, got {values.low}:{values.high}")
            if not low < high:
                raise UserError(f"{where(key)}: expected LOW:HIGH with LOW < HIGH, got {values.low}:{values.high}")
            if key in LOG_UNIFORM and low <= 0:
                raise UserError(f"{where(key)}: a log-uniform range needs LOW > 0, got {values.low}")
            checked[key] = Range(low, high)
        else:
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                values = [values]
            read_values = [read(v) for v in values]
            if not read_values:
                raise UserError(f"{where(key)}: expected at least one value, got none")
            if len(set(map(repr, read_values))) != len(read_values):
                raise UserError(f"{where(key)}: expected different values, got a repeated one")
            checked[key] = read_values
    return checked


def grid(space):
    """Every combination of the lists of ``space``, as dicts (the first key varies slowest)."""
    ranges = [k for k, v in space.items() if isinstance(v, Range)]
    if ranges:
        raise UserError(f"--grid {ranges[0]}: a range LOW:HIGH needs --random N (a grid needs a list of values)")
    keys = list(space)
    combos = [dict(zip(keys, values)) for values in itertools.product(*(space[k] for k in keys))]
    _check_count(len(combos))
    return combos


def draw(space, count, seed):
    """``count`` configurations drawn from ``space`` (a list: uniform choice; a Range:
    log-uniform or uniform, see the module's docstring), reproducible from ``seed``.
    A draw equal to an earlier one is dropped (it would train the very same model)."""
    import numpy as np

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise UserError(f"--random: expected a whole number of trials >= 1, got {count!r}")
    _check_count(count)
    rng = np.random.default_rng(seed)
    drawn, seen = [], set()
    for _ in range(count):
        config = {}
        for key, values in space.items():
            config[key] = _draw_one(rng, key, values)
        name = json.dumps(config, sort_keys=True)
        if name not in seen:
            seen.add(name)
            drawn.append(config)
    return drawn


def _draw_one(rng, key, values):
    if not isinstance(values, Range):
        return values[int(rng.integers(len(values)))]
    low, high = values.low, values.high
    if key in LOG_UNIFORM:  # uniform in log(x): as many draws in [1e-4, 1e-3] as in [0.1, 1]
        x = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        x = rng.uniform(low, high)
    if key in WHOLE:
        return min(max(int(round(x)), low), high)
    return min(max(float(f"{x:.4g}"), low), high)  # 4 significant digits: readable, and exact in the CSV


def _check_count(n):
    if n > MAX_TRIALS:
        raise UserError(f"--grid: expected at most {MAX_TRIALS} trials, got {n}")


def trial_id(settings):
    """A short name of a configuration: the first 12 hex digits of the SHA-256 of its
    settings written as sorted JSON (the same settings give the same name everywhere)."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def trial_seed(settings):
    """The seed of a trial's weights and shuffling, taken from its configuration."""
    return int(trial_id(settings)[:8], 16)
