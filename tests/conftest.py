import numpy as np
import pytest

import glassgrad


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same global RNG state and default dtype."""
    glassgrad.manual_seed(0)
    np.random.seed(0)
    yield
    glassgrad.set_default_dtype(glassgrad.float32)


def pytest_terminal_summary(terminalreporter, config):
    """Print pytest-randomly's seed even under -q (whose header would hide it), so that a
    failure seen in a random order can be replayed in that order."""
    seed = getattr(config.option, "randomly_seed", None)
    if config.pluginmanager.has_plugin("randomly") and isinstance(seed, int):
        terminalreporter.write_line(f"random test order: replay it with -p randomly --randomly-seed={seed}")
