"""Running code in a real Jupyter kernel, as a student's notebook does.

The kernel is this interpreter (a kernel spec written to a temporary folder and put first
on JUPYTER_PATH), so it sees the same glassgrad and the same packages as the tests; its
environment (PYTHONPATH included) is the test process's. Tests skip when the test extra's
nbclient / ipykernel are not installed.
"""

import json
import os
import sys

import pytest

KERNEL = "glassgrad-test"


@pytest.fixture(scope="session")
def kernel_name(tmp_path_factory):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "glassgrad tests", "language": "python",
    }))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(root) + (os.pathsep + old if old else "")
    yield KERNEL
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


@pytest.fixture(scope="session")
def execute(kernel_name):
    """execute(nb, cwd): run notebook ``nb`` (an nbformat node) in place, in folder ``cwd``;
    a failing cell raises nbclient's CellExecutionError naming the cell and the error."""
    from nbclient import NotebookClient

    def run(nb, cwd, timeout=600):
        NotebookClient(nb, kernel_name=kernel_name, timeout=timeout,
                       resources={"metadata": {"path": str(cwd)}}).execute()
        return nb

    return run


@pytest.fixture(scope="session")
def run_cells(execute, tmp_path_factory):
    """run_cells(source, source, ...) -> per cell, its list of outputs (dicts)."""
    import nbformat

    cwd = tmp_path_factory.mktemp("cells")

    def run(*sources):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
        execute(nb, cwd, timeout=120)
        return [cell.outputs for cell in nb.cells]

    return run
