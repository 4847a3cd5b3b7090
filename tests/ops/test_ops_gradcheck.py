"""Every row of the op table against finite differences, in float64."""

import pytest

from harness import check_gradcheck, load_cases

CASES = [c for c in load_cases() if c.gradcheck]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_gradcheck(case):
    check_gradcheck(case)
