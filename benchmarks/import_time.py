"""How long `import glassgrad` takes, next to `import numpy` (its one hard dependency).

The goal (issue 11): at most NumPy's import time + 60 ms. Each run is a fresh interpreter
(`python -X importtime -c "import X"`, the cumulative time of the top-level module), numpy
and glassgrad alternately, with compiled bytecode cached first in a temporary folder (as an
installed package has it), or with --no-cache glassgrad compiled from source at every run
(as a fresh clone on PYTHONPATH is under PYTHONDONTWRITEBYTECODE=1; NumPy keeps the bytecode
its installer wrote).

    PYTHONPATH=src python benchmarks/import_time.py [--runs 15] [--clock cpu] [--no-cache]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile


_CPU = "import time; t = time.process_time(); import {0}; print((time.process_time() - t) * 1000)"


def import_time(module, env, clock):
    """Time to import ``module`` in a fresh interpreter, in ms: the wall clock (the
    cumulative figure of ``-X importtime``) or the process's CPU time."""
    if clock == "cpu":
        out = subprocess.run([sys.executable, "-c", _CPU.format(module)], env=env,
                             capture_output=True, text=True, check=True).stdout
        return float(out)
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         env=env, capture_output=True, text=True, check=True).stderr
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$", line)
        if m and m.group(2) == module:
            return int(m.group(1)) / 1000
    raise RuntimeError(f"no import time reported for {module}")


def refuse_a_bytecode_cache(env):
    """--no-cache measures compiling from source: a __pycache__ beside glassgrad's sources
    (left by a run without PYTHONDONTWRITEBYTECODE) would be read instead."""
    folder = subprocess.run([sys.executable, "-c", "import glassgrad, os; "
                             "print(os.path.dirname(glassgrad.__file__))"], env=env,
                            capture_output=True, text=True, check=True).stdout.strip()
    for root, dirs, _ in os.walk(folder):
        if "__pycache__" in dirs:
            sys.exit(f"--no-cache: {os.path.join(root, '__pycache__')} holds compiled bytecode; "
                     f"remove the __pycache__ folders under {folder} first")


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: the process's CPU time, steadier on a busy machine")
    parser.add_argument("--no-cache", action="store_true",
                        help="no bytecode cache: every module compiled from source every run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        if args.no_cache:
            env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
            env.pop("PYTHONPYCACHEPREFIX", None)
            refuse_a_bytecode_cache(env)
        else:
            env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        for module in ("numpy", "glassgrad"):  # warm the bytecode cache
            subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)
        # interleaved, so that a busy moment of the machine hits both alike
        pairs = [(import_time("numpy", env, args.clock), import_time("glassgrad", env, args.clock))
                 for _ in range(args.runs)]
    numpy_times, glassgrad_times = zip(*pairs)
    print(f"import numpy      best {min(numpy_times):7.1f} ms   median {median(numpy_times):7.1f} ms")
    print(f"import glassgrad  best {min(glassgrad_times):7.1f} ms   median "
          f"{median(glassgrad_times):7.1f} ms   (numpy included)")
    print(f"difference        best-to-best {min(glassgrad_times) - min(numpy_times):7.1f} ms   "
          f"median of the pairs {median(g - n for n, g in pairs):7.1f} ms   (goal: at most 60 ms)")
    print(f"ratio             median of the pairs {median(g / n for n, g in pairs):7.2f}")


if __name__ == "__main__":
    main()
