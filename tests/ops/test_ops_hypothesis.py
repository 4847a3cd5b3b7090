"""Rows marked ``hyp=`` run again on hypothesis-drawn shapes (and dims for reductions):
broadcasting in every direction, 0-d tensors, size-1 axes, negative and tuple dims."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import check_gradcheck, check_vs_torch, hyp_strategy, load_cases

CASES = [c for c in load_cases() if c.hyp]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_drawn_shapes_vs_torch(case):
    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(drawn=hyp_strategy(case), dtype=st.sampled_from(case.dtypes))
    def run(drawn, dtype):
        shapes, kwargs = drawn
        check_vs_torch(case, dtype, shapes=shapes, kwargs=kwargs, salt=str(shapes))

    run()


@pytest.mark.parametrize("case", [c for c in CASES if c.gradcheck], ids=str)
def test_drawn_shapes_gradcheck(case):
    @settings(max_examples=5, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(drawn=hyp_strategy(case))
    def run(drawn):
        shapes, kwargs = drawn
        check_gradcheck(case, shapes=shapes, kwargs=kwargs, salt=str(shapes))

    run()
