"""A playground session's config: every field checked before anything is built.

    check_config({"dataset": "circles", "hidden": [4, 4]})  ->  the full config (defaults in)

Every field is optional (DEFAULTS); an unknown field, a wrong type or a value out of
range is a ``UserError`` of one line naming the field, what was expected and what came.
The config is plain JSON from the browser: nothing in it is evaluated, only compared.
"""

import math

from ..errors import UserError
from . import limits

DATASETS = ("xor", "circles", "moons", "spirals", "blobs", "csv")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
LOSSES = ("cross_entropy", "mse")
OPTIMIZERS = ("sgd", "momentum", "adam")

DEFAULTS = {
    "dataset": "xor", "csv": "", "points": 200, "noise": 0.1, "test_fraction": 0.3,
    "hidden": [8, 8], "activation": "tanh", "loss": "cross_entropy", "optimizer": "sgd",
    "lr": 0.03, "batch_size": 10, "weight_decay": 0.0, "dropout": 0.0, "seed": 0,
}


def _whole(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not value.is_integer()) or not low <= value <= high:
        raise UserError(f"{name}: expected a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _number(name, value, low, high, low_open=False):
    bad = isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    if not bad:
        bad = value <= low if low_open else value < low
        bad = bad or value > high
    if bad:
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise UserError(f"{name}: expected a finite number in {interval}, got {value!r}")
    return float(value)


def _choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise UserError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _hidden(value):
    what = (f"a list of at most {limits.MAX_LAYERS} layer widths, each a whole number "
            f"from 1 to {limits.MAX_WIDTH}")
    if not isinstance(value, list) or len(value) > limits.MAX_LAYERS:
        raise UserError(f"hidden: expected {what}, got {_short(value)}")
    for w in value:
        if isinstance(w, bool) or not isinstance(w, (int, float)) or \
                (isinstance(w, float) and not w.is_integer()) or not 1 <= w <= limits.MAX_WIDTH:
            raise UserError(f"hidden: expected {what}, got {_short(w)} in {_short(value)}")
    return [int(w) for w in value]


def _short(value, room=60):
    text = repr(value)
    return text if len(text) <= room else text[:room] + "..."


def check_config(config):
    """The config with defaults filled in, or a UserError naming the first bad field."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise UserError(f"config: expected a JSON object of settings, got {type(config).__name__}")
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise UserError(f"config: unknown field {unknown[0]!r}; expected fields: {', '.join(DEFAULTS)}")
    c = dict(DEFAULTS, **config)
    out = {
        "dataset": _choice("dataset", c["dataset"], DATASETS),
        "csv": c["csv"],
        "points": _whole("points", c["points"], limits.MIN_POINTS, limits.MAX_POINTS),
        "noise": _number("noise", c["noise"], 0.0, 1.0),
        "test_fraction": _number("test_fraction", c["test_fraction"], 0.0, 0.9),
        "hidden": _hidden(c["hidden"]),
        "activation": _choice("activation", c["activation"], ACTIVATIONS),
        "loss": _choice("loss", c["loss"], LOSSES),
        "optimizer": _choice("optimizer", c["optimizer"], OPTIMIZERS),
        "lr": _number("lr", c["lr"], 0.0, 10.0, low_open=True),
        "batch_size": _whole("batch_size", c["batch_size"], 1, limits.MAX_POINTS),
        "weight_decay": _number("weight_decay", c["weight_decay"], 0.0, 1.0),
        "dropout": _number("dropout", c["dropout"], 0.0, 0.9),
        "seed": _whole("seed", c["seed"], 0, limits.MAX_SEED),
    }
    if not isinstance(out["csv"], str):
        raise UserError(f"csv: expected the CSV file's text (lines x,y,label), got {type(out['csv']).__name__}")
    size = len(out["csv"].encode("utf-8", "surrogatepass"))
    if size > limits.MAX_CSV_BYTES:
        raise UserError(f"csv: expected at most {limits.MAX_CSV_BYTES} bytes, got {size}")
    if out["dataset"] == "csv" and not out["csv"].strip():
        raise UserError("csv: dataset 'csv' needs the CSV text (lines x,y,label) in the field 'csv'")
    return out
