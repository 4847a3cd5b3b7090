"""`import glassgrad` loads the engine and the ops; layers, optimizers, files, datasets, the
training loop, figures and the explain mode load on first use, and then behave as if
always there."""

import subprocess
import sys

ON_FIRST_USE = ["nn", "optim", "utils", "special", "io", "data", "train", "viz", "explain",
                "textbook"]


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_import_glassgrad_leaves_the_optional_subpackages_unloaded():
    code = ("import sys, glassgrad; "
            f"print(*[f'glassgrad.{{m}}' in sys.modules for m in {ON_FIRST_USE!r}])")
    assert run(code) == ["False"] * len(ON_FIRST_USE)


def test_each_is_there_on_first_use_by_attribute_and_by_from_import():
    code = ("import glassgrad as gg, types; "
            "print(type(gg.data.mnist).__name__, type(gg.train.fit).__name__, "
            "isinstance(gg.explain, types.ModuleType), isinstance(gg.textbook, types.ModuleType)); "
            "from glassgrad import viz; print(viz.__name__, all(m in dir(gg) for m in "
            f"{ON_FIRST_USE!r}))")
    assert run(code) == ["function", "function", "True", "True", "glassgrad.viz", "True"]


def test_an_unknown_attribute_is_still_an_attribute_error():
    code = ("import glassgrad\n"
            "try:\n    glassgrad.no_such_thing\n"
            "except AttributeError as e:\n    print('AttributeError', 'no_such_thing' in str(e))")
    assert run(code) == ["AttributeError", "True"]


def test_torchs_import_path_for_the_data_tools():
    # `from torch.utils.data import ...` has a glassgrad twin; importing glassgrad.utils
    # (checkpoint) does not load the data package
    code = ("import sys, glassgrad.utils; print('glassgrad.data' in sys.modules); "
            "from glassgrad.utils.data import DataLoader, TensorDataset, default_collate, "
            "WeightedRandomSampler; import glassgrad.data as d; "
            "print(DataLoader is d.DataLoader, default_collate is d.collate)")
    assert run(code) == ["False", "True", "True"]


def test_layers_files_and_random_numbers_on_first_use():
    # nn, optim, load/save and the global generator (numpy.random) are made when first
    # reached; a seeded draw is the same as when everything was loaded up front
    code = ("import sys, glassgrad as gg; print('numpy.random' in sys.modules); "
            "print(type(gg.nn.Linear(2, 3)).__name__, gg.save.__module__, gg.load.__module__, "
            "gg.optim.SGD.__name__); from glassgrad import load; print(load is gg.load); "
            "gg.manual_seed(0); a = gg.rand(3); gg.manual_seed(0); print(bool((gg.rand(3) == a).all()))")
    assert run(code) == ["False", "Linear", "glassgrad.io", "glassgrad.io", "SGD", "True", "True"]
