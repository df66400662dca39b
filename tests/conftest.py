import os
import sys

# the shared acceptance models live next to the tests
sys.path.insert(0, os.path.dirname(__file__))

import signal

import pytest

from symgrad import _budget


@pytest.fixture(autouse=True)
def _no_budget_left_behind():
    """Every test leaves no time limit active and no interval timer running (a leaked alarm would
    silently disable the budgets of the tests after it)."""
    yield
    assert not _budget._ACTIVE, f"limits left active: {_budget._ACTIVE}"
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0, "an interval timer was left running"
