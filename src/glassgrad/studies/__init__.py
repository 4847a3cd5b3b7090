"""Studies: every question of the course notes as something you can run.

A study is a function ``run(quick=False, seed=0, out=None, progress=False) -> StudyResult``
registered under a name with the one-line question it answers and the seed (course note)
it comes from. Each study module writes ``@study(name, question, seed_note)`` above a
function ``run(quick, seed, progress)``; the decorator adds ``out=`` (save the result
there) and the registry entry::

    from glassgrad import studies
    studies.names()                                  # what can be run
    result = studies.run("vanishing-gradients", quick=True)
    print(result.table())                            # the findings, in numbers
    result.save("out/vg", dpi=200)                   # results.json + figures (PNG and SVG)

``quick=True`` finishes within a minute on two cores and still shows the finding; the full
mode is what docs/studies/ reports. The command line is a thin wrapper:
``glassgrad study --list`` and ``glassgrad study NAME [--quick] [--out DIR]``.
"""

import importlib

from .result import Finding, StudyResult  # noqa: F401

__all__ = ["Study", "StudyResult", "Finding", "study", "names", "get", "run", "MODULES"]

# The modules that define studies, in the order `glassgrad study --list` shows them.
# Imported on first use, so `import glassgrad.studies` stays cheap.
MODULES = [
    "vanishing_gradients", "autoencoder_outliers", "vae", "checkpointing", "weight_decay",
    "symmetry", "overwrite", "xor", "invariance", "linear_stack", "ce_vs_mse",
    "gd_variants", "learning_rate", "backprop_cost", "space_bending", "dropout",
    "n_examples", "cnn_mnist", "latent_size",
]

_REGISTRY = {}
_loaded = False


class Study:
    """One registered study: its name, its question, its seed and the function that runs it."""

    def __init__(self, name, question, seed_note, fn):
        self.name, self.question, self.seed_note, self.fn = name, question, seed_note, fn

    def __call__(self, quick=False, seed=0, out=None, progress=False, dpi=150):
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        result = self.fn(quick=bool(quick), seed=seed, progress=progress)
        result.name, result.question, result.seed_note = self.name, self.question, self.seed_note
        result.settings.setdefault("quick", bool(quick))
        result.settings.setdefault("seed", seed)
        if out is not None:
            result.save(out, dpi=dpi)
        return result

    def __repr__(self):
        return f"Study({self.name!r}: {self.question})"


def study(name, question, seed_note):
    """Decorator registering ``fn(quick, seed, progress) -> StudyResult`` as a study; the
    decorated name becomes the Study, callable as ``run(quick, seed, out, progress, dpi)``."""

    def register(fn):
        if name in _REGISTRY:
            raise ValueError(f"a study named {name!r} is already registered")
        _REGISTRY[name] = Study(name, question, seed_note, fn)
        return _REGISTRY[name]

    return register


def _load():
    global _loaded
    if not _loaded:
        for module in MODULES:
            importlib.import_module(f"{__name__}.{module}")
        _loaded = True


def names():
    """The registered study names, in the order of MODULES (whatever order they were imported in)."""
    _load()

    def place(name):
        module = _REGISTRY[name].fn.__module__.rpartition(".")[2]
        return MODULES.index(module) if module in MODULES else len(MODULES)

    return sorted(_REGISTRY, key=place)


def get(name):
    """The Study called ``name``; ValueError naming the known studies otherwise."""
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"no study named {name!r}; the studies are: {', '.join(names())}") from None


def run(name, quick=False, seed=0, out=None, progress=False, dpi=150):
    """Run the study ``name`` and return its StudyResult (``out``: also save it there)."""
    return get(name)(quick=quick, seed=seed, out=out, progress=progress, dpi=dpi)
