"""Run one of the PyTorch-style programs in this folder on real torch or on glassgrad.

    python run_program.py torch     polynomial_autograd.py
    python run_program.py glassgrad polynomial_autograd.py

The programs say ``import torch`` (and ``torch.nn``, ``torch.nn.functional``,
``torch.optim``, ``torch.utils.data``, ...). For ``glassgrad`` those names are bound to
glassgrad's twins before the program runs, which is what a student does by editing the
import lines; nothing else in the program changes. The program leaves its numbers in a
dict ``RESULT``, printed here as one JSON line for the test to compare.
"""

import json
import runpy
import sys

TWINS = {
    "torch": "glassgrad",
    "torch.nn": "glassgrad.nn",
    "torch.nn.functional": "glassgrad.nn.functional",
    "torch.nn.init": "glassgrad.nn.init",
    "torch.nn.utils": "glassgrad.nn.utils",
    "torch.optim": "glassgrad.optim",
    "torch.optim.lr_scheduler": "glassgrad.optim.lr_scheduler",
    "torch.autograd": "glassgrad.autograd",
    "torch.utils": "glassgrad.utils",
    "torch.utils.data": "glassgrad.utils.data",
    "torch.distributions": "glassgrad.distributions",
}


def use_glassgrad_as_torch():
    import importlib

    for alias, real in TWINS.items():
        sys.modules[alias] = importlib.import_module(real)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("torch", "glassgrad"):
        sys.exit("usage: run_program.py torch|glassgrad PROGRAM.py")
    if argv[1] == "glassgrad":
        use_glassgrad_as_torch()
    namespace = runpy.run_path(argv[2], run_name="__main__")
    print("RESULT " + json.dumps(namespace["RESULT"]))


if __name__ == "__main__":
    main(sys.argv)
