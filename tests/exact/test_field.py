"""Tests of symgrad.exact.field: the element contract and DegreeTracked.

* the dispatch of :func:`is_zero`, :func:`cost`, :func:`reciprocal` on plain numbers and exact elements;
* DegreeTracked: the degree bookkeeping behind Schwartz-Zippel, against the same operations on
  rational functions (hypothesis, derandomised), and known answers.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from flint import fmpq, fmpz_mpoly_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.exact import field
from symgrad.exact.field import DegreeTracked, ExactElement
from symgrad.exact.ratfunc import RF

SETTINGS = settings(derandomize=True, deadline=None, max_examples=60, print_blob=True)

F = Fraction


def test_plain_numbers_and_exact_elements_meet_the_contract():
    ctx = fmpz_mpoly_ctx.get(("u",), "degrevlex")
    u = RF.gen(ctx, 0)
    for x in (F(0), 0, mpmath.mpf(0), fmpq(0)):
        assert field.is_zero(x) and field.cost(x) == 0
    assert field.reciprocal(F(2)) == F(1, 2) and field.reciprocal(fmpq(3)) == fmpq(1, 3)
    assert field.reciprocal(u) * u == 1 and field.cost(u + 1) == 3 and not field.is_zero(u)
    d = DegreeTracked(F(0), 2, 0)
    assert not field.is_zero(d) and d.vanishes()  # zero at the point, not as a rational function
    assert isinstance(u, ExactElement) and isinstance(d, ExactElement) and not isinstance(F(1), ExactElement)
    assert field.total([u, u, u, 1 - 3 * u]) == 1


# -- DegreeTracked: the degree bookkeeping behind Schwartz-Zippel ------------------

UV_CTX = fmpz_mpoly_ctx.get(("u", "v"), "degrevlex")


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from("+-*/"), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12),
       st.integers(-5, 5), st.integers(-5, 5))
def test_degree_tracked_bounds_the_true_degrees(ops, pu, pv):
    """Run the same operations on rational functions and on tracked values at a point."""
    u, v = RF.gen(UV_CTX, 0), RF.gen(UV_CTX, 1)
    pool = [(u, DegreeTracked(F(pu), 1, 0)), (v, DegreeTracked(F(pv), 1, 0)),
            (RF.const(UV_CTX, 3), DegreeTracked(F(3), 0, 0))]
    for op, i, j in ops:
        (r1, d1), (r2, d2) = pool[i % len(pool)], pool[j % len(pool)]
        if op == "/":
            if r2.is_zero() or d2.value == 0:
                continue
            pool.append((r1 / r2, d1 / d2))
        else:
            f = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}[op]
            pool.append((f(r1, r2), f(d1, d2)))
    for r, d in pool:
        nd, dd = r.degrees()
        assert nd <= d.num_deg and dd <= d.den_deg, f"{r}: degrees {(nd, dd)} exceed the bounds of {d}"
        try:
            assert r.evaluate([pu, pv]) == d.value
        except ZeroDivisionError:  # the reduced denominator vanishes only where the tracked one does
            pytest.fail(f"{r} has a pole at {(pu, pv)} but the tracked value is {d.value}")
        if d.is_zero():
            assert r.is_zero()


def test_degree_tracked_known_answer():
    a = DegreeTracked(F(3), 1, 0)
    b = DegreeTracked(F(2), 2, 1)
    c = a / b + a
    assert (c.value, c.num_deg, c.den_deg) == (F(9, 2), 3, 2)
    assert (a**3).num_deg == 3 and (a ** -1).den_deg == 1
    with pytest.raises(ZeroDivisionError):
        DegreeTracked(F(0), 1, 0).inverse()
