"""Real solution values decided exactly (never by a floating-point test on the imaginary part); each answer
checked against mpmath at 50 digits or exact root counting."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import DomainError, SymgradError
from symgrad.singular._reals import is_real_value, real_value, real_verdict, split_real

x = sp.Symbol("x")
t = sp.Symbol("t", real=True)


def _im50(v):
    with mpmath.workdps(50):
        return abs(mpmath.im(mpmath.mpmathify(sp.N(v, 60))))


def test_a_tiny_imaginary_part_is_not_real():
    # 1 + 10^-40 i: a 30-digit float test (|im| < 1e-20) would call it real
    v = 1 + sp.I / sp.Integer(10) ** 40
    assert real_value(v) is False and is_real_value(v) is False
    assert _im50(v) > 0


def test_cardano_roots_with_i_are_real():
    # x^3 - 3x + 1 has three real roots; SymPy writes them with I (casus irreducibilis)
    roots = sp.solve(x**3 - 3 * x + 1, x)
    assert all(r.has(sp.I) for r in roots)
    assert real_value(roots[0]) is True
    assert sp.Poly(x**3 - 3 * x + 1).count_roots() == 3          # independent: Sturm count
    assert _im50(roots[0]) < mpmath.mpf(10) ** -40
    # x^3 - 2: one real root, two complex ones (interval enclosures of the imaginary parts exclude 0)
    verdicts = sorted(real_value(r) for r in sp.solve(x**3 - 2, x))
    assert verdicts == [False, False, True]


@pytest.mark.parametrize("v, expected", [
    (sp.sqrt(2), True), (sp.I, False), ((-8) ** sp.Rational(1, 3), False), (sp.sqrt(sp.pi - 3), True),
    (sp.sqrt(sp.Rational(355, 113) - sp.pi), True), (sp.sqrt(sp.pi - sp.Rational(355, 113)), False),
    (sp.log(2), True),
])
def test_real_values_decided(v, expected):
    assert real_value(v) is expected
    assert (_im50(v) < mpmath.mpf(10) ** -40) is expected


def test_crootof_values():
    # x^5 - x - 1 has one real root (CRootOf lists real roots first); independent: mpmath's polyroots
    assert [real_value(sp.CRootOf(x**5 - x - 1, k)) for k in range(5)] == [True, False, False, False, False]
    with mpmath.workdps(50):
        assert sum(1 for r in mpmath.polyroots([1, 0, 0, 0, -1, -1]) if abs(mpmath.im(r)) < 1e-40) == 1


def test_undecided_reality_is_an_error_not_a_guess():
    # i (sin(1)^2 + cos(1)^2 - 1) is 0, but nothing here proves its imaginary part zero
    v = sp.I * (sp.sin(1) ** 2 + sp.cos(1) ** 2 - 1)
    assert real_value(v) is None and real_verdict(v) is None
    with pytest.raises(DomainError, match="cannot decide whether") as e:
        is_real_value(v)
    assert isinstance(e.value, SymgradError)
    assert split_real([{t: v}]) == ([], [{t: v}])
