"""glassgrad's ops are silent about inf and nan, as PyTorch is; NumPy outside stays loud.

Run in a fresh interpreter: pytest replaces the warning filters around every test, so
only a subprocess shows what a user's script sees."""

import subprocess
import sys

SCRIPT = """
import numpy as np
import glassgrad as gg
x = gg.tensor([0.0, 1.0, -1.0], requires_grad=True)
y = gg.log(x) + 1 / x + gg.sqrt(x) + gg.exp(x * 1000)  # -inf, inf, nan, overflow
y.sum().backward()
print("glassgrad done")
np.log(np.zeros(1))  # the user's own NumPy call
"""


def test_glassgrad_ops_do_not_warn_but_user_numpy_still_does():
    run = subprocess.run([sys.executable, "-W", "default", "-c", SCRIPT],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "glassgrad done" in run.stdout
    warnings = [line for line in run.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(warnings) == 1, run.stderr
    assert "<string>" in warnings[0] and "divide by zero encountered in log" in warnings[0]
