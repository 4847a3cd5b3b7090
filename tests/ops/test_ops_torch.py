"""Every row of the op table, forward and backward against PyTorch, in each of its dtypes,
as a function and (where both libraries have it) as a Tensor method."""

import pytest

from harness import check_vs_torch, load_cases

CASES = load_cases()


@pytest.mark.parametrize(
    "case, dtype",
    [(case, dtype) for case in CASES for dtype in case.dtypes],
    ids=[f"{case}-{dtype}" for case in CASES for dtype in case.dtypes],
)
def test_forward_backward_vs_torch(case, dtype):
    check_vs_torch(case, dtype)


METHOD_CASES = [c for c in CASES if c.method_name()]


@pytest.mark.parametrize("case", METHOD_CASES, ids=str)
def test_tensor_method_vs_torch(case):
    check_vs_torch(case, case.dtypes[0], method=True)
