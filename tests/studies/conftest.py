import pytest


@pytest.fixture(scope="session")
def need_mnist():
    from glassgrad.data.mnist import status

    if any(state == "missing" for _, _, state in status("mnist")):
        pytest.skip("MNIST not fetched (glassgrad data fetch mnist)")
