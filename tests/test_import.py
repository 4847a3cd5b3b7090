"""`import glassgrad` loads the engine and the ops; layers, optimizers, files, datasets, the
training loop, figures and the explain mode load on first use, and then behave as if
always there."""

import subprocess
import sys

ON_FIRST_USE = ["nn", "optim", "utils", "special", "io", "data", "train", "viz", "explain",
                "textbook"]
# every module that `import glassgrad` must leave unloaded (a property of the import, not a
# timing: benchmarks/import_time.py times it)
NOT_IMPORTED = ON_FIRST_USE + [
    "display", "formats", "sweep", "studies", "distributed", "playground", "cli", "cuda",
    "accelerator", "backends", "printing", "type_info", "runtime", "testing", "distributions",
    "ops.loss", "ops.convolution", "ops.pooling", "ops.normalization", "ops.stochastic",
    "ops.lookup", "ops.attention", "autograd.custom_function", "autograd.anomaly",
    "autograd.variable", "autograd.gradcheck",
]


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_import_glassgrad_leaves_the_optional_subpackages_unloaded():
    code = ("import sys, glassgrad; "
            f"print(*[f'glassgrad.{{m}}' in sys.modules for m in {NOT_IMPORTED!r}])")
    assert run(code) == ["False"] * len(NOT_IMPORTED)


def test_nothing_beyond_numpy_and_the_core_is_imported():
    # the modules `import glassgrad` adds to those of `import numpy`: glassgrad's own core
    # and two small standard modules (heapq for the engine, threading for the grad mode)
    code = ("import sys, numpy; before = set(sys.modules); import glassgrad; "
            "print(*sorted(m for m in set(sys.modules) - before if not m.startswith('glassgrad')))")
    assert set(run(code)) <= {"heapq", "_heapq", "threading"}


def test_every_name_on_first_use_is_reachable_every_way():
    # glassgrad.X, from glassgrad import X and dir(glassgrad), for each row of the table;
    # an op family's names also on glassgrad.ops; the autograd names on glassgrad.autograd
    code = (
        "import types, glassgrad as gg\n"
        "names = dict(gg._ON_FIRST_USE)\n"
        "assert {'conv2d', 'cross_entropy', 'max_pool2d', 'layer_norm', 'dropout', 'Function',"
        " 'set_printoptions', 'nn', 'sweep', 'studies'} <= set(names)\n"
        "assert set(names) <= set(dir(gg))\n"
        "for name in names:\n"
        "    exec(f'from glassgrad import {name} as value')\n"
        "    assert value is getattr(gg, name), name\n"
        "    assert isinstance(value, types.ModuleType) == (names[name] == name), name\n"
        "assert gg.conv2d is gg.ops.conv2d is gg.ops.convolution.conv2d\n"
        "assert gg.nn.functional.conv2d is gg.conv2d\n"
        "assert set(gg.ops._ON_FIRST_USE) <= set(dir(gg.ops))\n"
        "import glassgrad.autograd as ag\n"
        "assert callable(ag.gradcheck) and ag.gradcheck is ag.gradcheck.__globals__['gradcheck']\n"
        "assert ag.Function is gg.Function and set(ag.__all__) <= set(dir(ag))\n"
        "print('ok')\n")
    assert run(code) == ["ok"]


def test_the_gradient_checks_first_reached_by_another_name():
    # importing the module glassgrad.autograd.gradcheck binds the package attribute to the
    # module; reaching gradcheck_graph first must still leave autograd.gradcheck the function
    code = ("import glassgrad.autograd as ag; ag.gradcheck_graph; "
            "print(type(ag.gradcheck).__name__)")
    assert run(code) == ["function"]


def test_names_on_first_use_need_no_numpy_spelling_wrappers():
    # aliases.install wraps axis=/keepdims= and out= around functions present at import;
    # a name imported on first use would miss it, so none may be in its lists
    import glassgrad
    from glassgrad import aliases

    assert not set(glassgrad._ON_FIRST_USE) & (set(aliases.AXIS) | set(aliases.OUT))


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


def test_star_import_brings_the_names_on_first_use_but_shadows_no_builtin():
    code = ("from glassgrad import *; import builtins; "
            "print(conv2d.__name__, Function.__name__, finfo.__name__, nn.Linear.__name__, "
            "bool is builtins.bool, max is builtins.max, sum is builtins.sum)")
    assert run(code) == ["conv2d", "Function", "finfo", "Linear", "True", "True", "True"]
