"""The checks of the command's input, run before anything else.

Every setting of every run is checked before the first run starts and before any file or
folder is created. A refusal is a ``UserError`` whose one line names the option (``--lr``),
the key and file (``runs/c/config.json: key 'model'``) or the sweep value, says what was
expected and repeats what was given::

    --lr: expected a finite number > 0, got 'inf'

The same rule checks a value typed on the command line (text, through argparse's
``type=``), one from a dataset's preset, one of a sweep's values and one read back from a
run's config.json, so the four cannot drift apart.

Sizes have limits, checked before anything is allocated: they are far above what a
lesson needs and far below what would exhaust the memory of a laptop.
"""

import argparse
import math
import os
import re

from glassgrad.errors import UserError, require

# Limits of the sizes (see the module's docstring).
MAX_POINTS = 1_000_000  # points of a 2-D dataset (--n), examples per batch
MAX_EPOCHS = 100_000
MAX_WIDTH = 100_000  # units of one hidden layer
MAX_PARAMETERS = 100_000_000  # weights of a network trained by `glassgrad train` (400 MB in float32)
MAX_SHIFT = 8  # pixels of --random-shift: beyond that a 28x28 digit leaves its frame
MAX_SEED = 2**64 - 1  # what torch.manual_seed accepts
MAX_SWEEP_VALUES = 50  # runs of one sweep
_MAX_DIGITS = 30  # longest whole number read from text (int() of 5000 digits is slow and refused)
_WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: str.isdigit() also accepts '²'


def describe(value):
    """A value as the user wrote it: text quoted, numbers as they are."""
    return repr(value) if isinstance(value, str) else str(value) if not isinstance(value, float) \
        else repr(value) if math.isfinite(value) else str(value)


def refuse(name, expected, got):
    """The UserError of one bad value: '<name>: expected <expected>, got <got>'."""
    return UserError(f"{name}: expected {expected}, got {describe(got)}")


# ------------------------------------------------------------------------------ rules
class Rule:
    """How one setting is read from text and checked. ``check`` takes the value already
    read (a number from a preset or a JSON file; text from the command line is read by
    ``parse`` first)."""

    optional = False  # None allowed (the setting is off or takes its default)
    may_be_absent = False  # a config written before the setting existed may lack it

    def expected(self):
        raise NotImplementedError

    def parse(self, text, name):
        return self.check(text, name)

    def check(self, value, name):
        raise NotImplementedError


class Real(Rule):
    """A finite number, optionally within bounds (``low_open``: the bound itself is out)."""

    def __init__(self, low=None, high=None, low_open=False, high_open=False, optional=False):
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open
        self.optional = optional

    def expected(self):
        if self.low is not None and self.high is not None:
            return (f"a number in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}"
                    f"{')' if self.high_open else ']'}")
        if self.low is not None:
            return f"a finite number {'>' if self.low_open else '>='} {self.low:g}"
        if self.high is not None:
            return f"a finite number {'<' if self.high_open else '<='} {self.high:g}"
        return "a finite number"

    def parse(self, text, name):
        try:
            value = float(text)
        except (TypeError, ValueError):
            raise refuse(name, self.expected(), text) from None
        return self._in_range(value, name, text)

    def check(self, value, name):
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise refuse(name, self.expected(), value)
        return self._in_range(float(value), name, value)

    def _in_range(self, value, name, given):
        ok = math.isfinite(value)
        if ok and self.low is not None:
            ok = value > self.low if self.low_open else value >= self.low
        if ok and self.high is not None:
            ok = value < self.high if self.high_open else value <= self.high
        if not ok:
            raise refuse(name, self.expected(), given)
        return value


class Whole(Rule):
    """A whole number within bounds (both inclusive)."""

    def __init__(self, low=None, high=None, optional=False):
        self.low, self.high, self.optional = low, high, optional

    def expected(self):
        if self.low is not None and self.high is not None:
            return f"a whole number from {self.low} to {self.high}"
        if self.low is not None:
            return f"a whole number >= {self.low}"
        return "a whole number"

    def parse(self, text, name):
        digits = str(text).strip()
        if len(digits) > _MAX_DIGITS or not _WHOLE.fullmatch(digits):
            raise refuse(name, self.expected(), text)
        return self._in_range(int(digits), name, text)

    def check(self, value, name):
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise refuse(name, self.expected(), value)
        return self._in_range(value, name, value)

    def _in_range(self, value, name, given):
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise refuse(name, self.expected(), given)
        return value


class Choice(Rule):
    """One of a list of names (None among them when the setting may be off)."""

    def __init__(self, names):
        self.names = tuple(names)
        self.optional = None in self.names

    def expected(self):
        return "one of " + ", ".join("none" if n is None else n for n in self.names)

    def parse(self, text, name):
        return self.check(text.strip(), name)

    def check(self, value, name):
        if value not in self.names or (value is None and not self.optional):
            raise refuse(name, self.expected(), value)
        return value


class Text(Rule):
    """A string, checked further by the caller (a model spec, say)."""

    def __init__(self, what):
        self.what = what

    def expected(self):
        return self.what

    def check(self, value, name):
        if not isinstance(value, str):
            raise refuse(name, self.expected(), value)
        return value


class Shift(Whole):
    """--random-shift: pixels an image may move along each axis (0: no augmentation)."""

    may_be_absent = True  # configs written before --random-shift existed: no shift


class InitScheme(Rule):
    """A weight initialisation: default, xavier, kaiming, normal:STD or constant:C."""

    may_be_absent = True  # configs written before --init existed: the default

    def expected(self):
        return "default, xavier, kaiming, normal:STD (STD > 0) or constant:C (C finite)"

    def check(self, value, name):
        from glassgrad.nn.init import parse_init_scheme

        if not isinstance(value, str):
            raise refuse(name, self.expected(), value)
        try:
            parse_init_scheme(value)
        except ValueError:
            raise refuse(name, self.expected(), value) from None
        return value


def arg(rule, name):
    """``rule`` as an argparse ``type=``: the refusal becomes argparse's one-line error
    ('--lr: expected a finite number > 0, got 'inf'')."""

    def read(text):
        try:
            return rule.parse(text, name)
        except UserError as exc:
            raise argparse.ArgumentTypeError(str(exc).split(": ", 1)[1]) from None

    read.__name__ = rule.expected()  # argparse names the type in some messages
    return read


# ------------------------------------------------------------------------------ train settings
def settings_rules():
    """The rule of each key of a run's settings (``glassgrad.cli.train._settings``)."""
    from .train import ACTIVATIONS, DATASETS, LOSSES, OPTIMIZERS, SCHEDULERS

    return {
        "dataset": Choice(DATASETS),
        "n": Whole(1, MAX_POINTS, optional=True),
        "noise": Real(0, optional=True),
        "val_fraction": Real(0, 1, high_open=True),
        "test_fraction": Real(0, 1, low_open=True, high_open=True),
        "seed": Whole(0, MAX_SEED),
        "model": Text("a model such as 'mlp:256,128' or 'cnn'"),
        "activation": Choice(ACTIVATIONS),
        "dropout": Real(0, 1, high_open=True),
        "init": InitScheme(),
        "loss": Choice(LOSSES),
        "optimizer": Choice(OPTIMIZERS),
        "lr": Real(0, low_open=True),
        "momentum": Real(0),
        "weight_decay": Real(0),
        "decay": Choice(("l2", "decoupled")),
        "batch_size": Whole(0, MAX_POINTS),
        "epochs": Whole(1, MAX_EPOCHS),
        "scheduler": Choice(SCHEDULERS),
        "keep_best": Choice(("val_loss", "val_accuracy", None)),
        "early_stopping": Whole(1, MAX_EPOCHS, optional=True),
        "random_shift": Shift(0, MAX_SHIFT),
    }


def option_name(key):
    """The command-line option of a settings key: 'weight_decay' -> '--weight-decay'."""
    return "--" + key.replace("_", "-")


# Inputs and classes of each dataset: what the size of a network is computed from before
# the data is loaded.
DATASET_SHAPES = {"xor": ((2,), 2), "circles": ((2,), 2), "moons": ((2,), 2), "spirals": ((2,), 3),
                  "mnist": ((1, 28, 28), 10), "fashion-mnist": ((1, 28, 28), 10)}


def check_settings(s, name=option_name):
    """Check one run's settings (a dict); ``name(key)`` says where a key came from (an
    option, or a key of a config file). Returns nothing; raises UserError."""
    for key, rule in settings_rules().items():
        if key in s or not rule.may_be_absent:
            rule.check(s[key], name(key))
    if s["n"] is not None and s["dataset"] != "xor" and s["n"] < 10:
        raise refuse(name("n"), "at least 10 points", s["n"])
    if s["dataset"] not in ("xor", "mnist", "fashion-mnist") and s["val_fraction"] + s["test_fraction"] > 0.9:
        raise UserError(f"{name('val_fraction')} + {name('test_fraction')}: expected a sum of at most 0.9 "
                        f"(the rest is the training set), got {s['val_fraction']:g} + {s['test_fraction']:g}")
    if s["decay"] == "decoupled" and s["optimizer"] in ("rmsprop", "adagrad"):
        raise UserError(f"{name('decay')}: decoupled is for sgd, adam and adamw; {s['optimizer']} has only l2")
    if s["decay"] == "l2" and s["optimizer"] == "adamw":
        raise UserError(f"{name('decay')}: adamw is Adam with decoupled decay: use --optimizer adam "
                        "--decay l2 for L2")
    if s["momentum"] and s["optimizer"] in ("adam", "adamw", "adagrad"):
        raise UserError(f"{name('momentum')}: does not apply to {s['optimizer']} (its betas play that role)")
    if s.get("random_shift") and len(DATASET_SHAPES[s["dataset"]][0]) != 3:
        raise UserError(f"{name('random_shift')}: moves images; {s['dataset']} has points, not images "
                        "(use it with mnist or fashion-mnist, or leave it at 0)")
    check_model(s["model"], s["dataset"], name("model"))


def parse_model(spec, name="--model"):
    """'mlp:256,128' -> ('mlp', [256, 128]); 'mlp:' -> ('mlp', []); 'cnn' -> ('cnn', [])."""
    expected = "mlp:H1,H2,... (hidden sizes, as in mlp:256,128; 'mlp:' for none) or cnn"
    if not isinstance(spec, str):
        raise refuse(name, expected, spec)
    text = spec.strip().lower()
    if text == "cnn":
        return "cnn", []
    if text == "mlp" or text.startswith("mlp:"):
        sizes = text[4:].replace(" ", "")
        parts = sizes.split(",") if sizes else []
        if any(not re.fullmatch(r"[0-9]+", p) for p in parts):
            raise refuse(name, expected, spec)
        hidden = [int(p) if len(p) <= _MAX_DIGITS else MAX_WIDTH + 1 for p in parts]
        for h in hidden:
            if not 1 <= h <= MAX_WIDTH:
                raise refuse(name, f"hidden sizes from 1 to {MAX_WIDTH}", spec)
        return "mlp", hidden
    raise refuse(name, expected, spec)


def check_model(spec, dataset, name="--model"):
    """The model spec is well formed, fits the dataset and is not too large to allocate."""
    kind, hidden = parse_model(spec, name)
    in_shape, classes = DATASET_SHAPES[dataset]
    if kind == "cnn":
        if len(in_shape) != 3:
            raise UserError(f"{name}: cnn needs images; {dataset} has points of shape {in_shape}")
        return
    widths = [math.prod(in_shape)] + hidden + [classes]
    parameters = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
    if parameters > MAX_PARAMETERS:
        raise UserError(f"{name}: expected at most {MAX_PARAMETERS} parameters, got {spec!r} "
                        f"with {parameters} on {dataset}")


# ------------------------------------------------------------------------------ files and folders
def check_out_folder(out, name="--out"):
    """``out`` can be created (or is an existing folder) and written to; nothing is created."""
    if not out:
        raise UserError(f"{name}: expected a folder, got an empty name")
    path = os.path.abspath(out)
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise UserError(f"{name}: expected a folder, got {out!r}, which is a file")
        if not os.access(path, os.W_OK | os.X_OK) or _read_only(path):
            raise UserError(f"{name}: cannot write in the folder {out!r} (permission denied)")
        return out
    parent = path
    while not os.path.exists(parent):  # the nearest existing folder above it gets the new ones
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise UserError(f"{name}: cannot create the folder {out!r}: {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK) or _read_only(parent):
        raise UserError(f"{name}: cannot create the folder {out!r} in {parent} (permission denied)")
    return out


def _read_only(folder):
    """On a file system mounted read-only (where even root cannot write)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # no statvfs (Windows): os.access has said enough
        return False


def check_out_file(out, name="--out"):
    """``out`` can be written as a file: its folder exists and it is not a folder."""
    path = os.path.abspath(out)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise UserError(f"{name}: expected a file name, got {out!r}, which is a folder")
    if not os.path.isdir(folder):
        raise UserError(f"{name}: cannot write {out!r}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"{name}: cannot write {out!r} (permission denied in {folder})")
    from glassgrad.atomic import TargetError, check_file_target

    try:  # a device or a link is never replaced by a regular file
        check_file_target(out)
    except TargetError as exc:
        raise UserError(f"{name}: {exc}") from None
    return out


def need_matplotlib(feature):
    """matplotlib is installed, or one line naming the extra (checked before any work)."""
    require("matplotlib", feature, "viz")


MAX_CONFIG_BYTES = 1_000_000  # a run's config.json is about 1 kB


def read_json_object(path, what):
    """A JSON file holding an object (dict), or one line naming the file and what is wrong."""
    import json

    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise UserError(f"{path}: expected {what} (about 1 kB), got a file of more than {MAX_CONFIG_BYTES} bytes")
    text = decode_utf8(raw, path)

    def no_constant(name):  # NaN, Infinity: not standard JSON, never written by glassgrad
        raise ValueError(f"{name} is not standard JSON")

    try:
        data = json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise UserError(f"{path}: expected {what}, got JSON nested too deeply") from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise UserError(f"{path}: expected {what} in JSON, but {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected {what} (a JSON object), got a JSON {type(data).__name__}")
    return data


def decode_utf8(raw, path):
    """Bytes read from ``path`` as UTF-8 text, or one line naming the file and the byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: expected UTF-8 text, got the byte 0x{raw[exc.start]:02x} at "
                        f"position {exc.start}") from None
