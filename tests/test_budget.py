"""The one time budget (symgrad._budget), and that every long computation honours it.

A budget is a positive finite number of seconds (anything else is a ``BudgetError``); limits nest (an
inner one never outlives an outer one, and an outer expiry is not mistaken for an inner one); and
``M.G``, ``G_plus``, ``natural_gradient``, ``check_invariance``, ``run_derivation`` and the command line
return within a small multiple of their budgets, saying what was reached.
"""
from __future__ import annotations

import math
import signal
import time

import pytest
import sympy as sp

import symgrad as sg
from symgrad._budget import Budget, OutOfTime, bounded
from symgrad.exceptions import BudgetError, OutOfBudgetError, SymgradError
from symgrad.proof import Verdict

from models import ARM_SOURCE, three_link_arm


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.mark.parametrize("bad", [0, -1, -0.5, math.inf, math.nan, "soon", True])
def test_a_budget_is_a_positive_finite_number(bad):
    with pytest.raises(BudgetError, match="budget"):
        Budget(bad)
    a, u = sp.symbols("a u", real=True)
    M = sg.Model([a], [a])
    claim = sg.Claim("a = a", {"A": sp.Matrix([[a - a]])}, (a,), lambda ops, inp: {"residual": inp["A"]})
    for call in (lambda: sg.natural_gradient(M, M.z[0] ** 2, budget=bad),
                 lambda: sg.check_invariance(M, sg.Reparametrisation([2 * u + 1], [u]), budget=bad),
                 lambda: sg.decide(claim, budget=bad),
                 lambda: sg.run_derivation(sg.Derivation(key="k", title="", summary="", model=M), budget=bad),
                 lambda: sg.Model([a], [a], budget=bad)):
        with pytest.raises(BudgetError):
            call()


def test_limits_nest_and_each_owns_its_expiry():
    outer, inner = Budget(0.3), Budget(5)
    t0 = time.monotonic()
    with pytest.raises(OutOfTime) as info:
        with outer.limit():
            with inner.limit():
                spin(3)
    assert time.monotonic() - t0 < 1.5
    assert outer.owns(info.value) and not inner.owns(info.value)


def test_bounded_names_what_ran_out():
    with pytest.raises(OutOfBudgetError, match="spinning did not finish within its budget of 0.2 s"):
        with bounded(0.2, "spinning"):
            spin(3)
    assert issubclass(OutOfBudgetError, SymgradError)


def seven_link_arm(**kw):
    """A planar arm of seven unit links: its exact G takes far longer than a second (over 20 s here),
    so a small budget is sure to run out whatever SymPy has cached from other tests."""
    t = sp.symbols("t1:8", real=True)
    x = sum(sp.cos(sum(t[:k + 1])) for k in range(7))
    y = sum(sp.sin(sum(t[:k + 1])) for k in range(7))
    return sg.Model([x, y], list(t), name="arm", **kw)


def test_the_gram_matrix_honours_the_model_budget():
    M = seven_link_arm(budget=0.3)
    t0 = time.monotonic()
    with pytest.raises(OutOfBudgetError, match="computing G = J\\^T g J of the model arm"):
        _ = M.G
    assert time.monotonic() - t0 < 3


def test_natural_gradient_and_invariance_return_within_their_budgets():
    M, f = three_link_arm()
    z1, z2 = M.z
    t0 = time.monotonic()
    ng = sg.natural_gradient(M, (z1 - 1) ** 2 + z2**2, budget=1, seed=0)
    assert time.monotonic() - t0 < 6
    assert ng.theorem1.verdict in (Verdict.PROVED, Verdict.PROVED_PROBABILISTIC, Verdict.NUMERIC, Verdict.UNDECIDED)
    t0 = time.monotonic()
    proof = sg.check_invariance(M, f, budget=1, seed=0)
    assert time.monotonic() - t0 < 8
    assert proof.verdict is not Verdict.REFUTED
    # proved within the budget, or the certificate says which level ran out of it
    assert proof.verdict is Verdict.PROVED or any("budget" in n for n in proof.certificate.notes)


def test_run_derivation_reports_the_stages_that_ran_out(tmp_path):
    (tmp_path / "arm.py").write_text(ARM_SOURCE)
    d = sg.load_derivation(tmp_path / "arm.py")
    t0 = time.monotonic()
    rep = sg.run_derivation(d, budget=1, seed=0)
    assert time.monotonic() - t0 < 30
    ran_out = [(n, c) for n, c in rep.checks if c.verdict is Verdict.UNDECIDED]
    assert ran_out, rep.summary_lines()
    assert not rep.refuted
    assert any("did not finish" in " ".join(c.notes) or "budget" in c.summary() for _, c in ran_out)


def test_verify_budget_on_a_slow_model_returns_and_says_what_was_reached(tmp_path):
    from test_cli import symgrad
    (tmp_path / "arm.py").write_text(ARM_SOURCE)
    t0 = time.monotonic()
    proc = symgrad("verify", "arm.py", "--budget", "1", cwd=tmp_path)
    assert time.monotonic() - t0 < 30
    assert proc.returncode == 0, proc.stdout + proc.stderr          # nothing refuted; some checks undecided
    assert "[UNDECIDED]" in proc.stdout and "budget of 1 s" in proc.stdout
    proc = symgrad("verify", "arm.py", "--budget", "1", "--require-proof", cwd=tmp_path)
    assert proc.returncode == 3 and proc.stderr.startswith("symgrad: not proved: arm:")


def test_an_expiry_that_is_swallowed_is_raised_again():
    # Python discards an exception raised by a signal handler that runs inside a finaliser; the
    # alarm therefore repeats after the deadline until the limit is left.
    b = Budget(0.1)
    swallowed = 0
    t0 = time.monotonic()
    with pytest.raises(OutOfTime):
        with b.limit():
            while True:
                try:
                    spin(5)
                except OutOfTime:
                    swallowed += 1          # as a finaliser would
                    if swallowed == 3:
                        raise
    assert swallowed == 3
    assert time.monotonic() - t0 < 2
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_rendering_a_run_that_ran_out_builds_no_formula_without_a_limit(tmp_path):
    # Converting exact results to SymPy formulas can take far longer than the proofs (the three-link
    # arm's G^+ takes about 30 s).  The run writes out the formulas within its budget and the appendix
    # leaves out, and says so, those that did not finish, instead of building them later unbounded.
    (tmp_path / "arm.py").write_text(ARM_SOURCE)
    rep = sg.run_derivation(sg.load_derivation(tmp_path / "arm.py"), budget=1, seed=0)
    assert rep.unshown, "the arm's formulas take seconds each: some should not fit a budget of 1 s"
    assert all("within the budget of 1 s" in why for why in rep.unshown.values())
    assert not rep.refuted
    t0 = time.monotonic()
    out = sg.render(rep)
    assert time.monotonic() - t0 < 10
    assert "not written out" in out.tex
    # each omission is explained in the appendix, once per formula left out
    assert out.tex.count("was not written out: converting it to a formula did not finish") == len(rep.unshown)


def test_the_memory_budget_stops_a_computation_that_grows_too_much():
    from symgrad._budget import OutOfMemory, memory_budget, set_memory_budget
    before = memory_budget()
    set_memory_budget(100 * 2**20)
    try:
        hold = []
        b = Budget(None)            # no deadline: the memory budget alone
        t0 = time.monotonic()
        with pytest.raises(OutOfMemory) as info:
            with b.limit():
                while True:
                    hold.append(bytearray(2**20))
        assert time.monotonic() - t0 < 5
        assert b.owns(info.value) and b.stopped_by is info.value
        assert 100 <= len(hold) < 1000          # stopped soon after it passed 100 MiB of growth
        assert "memory budget of 100 MiB" in b.spent()
        del hold
        with pytest.raises(OutOfBudgetError, match="stopped at the memory budget of 100 MiB"):
            with bounded(Budget(30), "filling memory"):
                grow = []
                while True:
                    grow.append(bytearray(2**20))
        with Budget(5).limit():                 # what fits is untouched
            small = [bytearray(2**20) for _ in range(20)]
        assert len(small) == 20
    finally:
        set_memory_budget(before)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    with pytest.raises(BudgetError):
        set_memory_budget(-1)
    with pytest.raises(BudgetError):
        set_memory_budget(float("nan"))
