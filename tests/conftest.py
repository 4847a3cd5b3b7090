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
