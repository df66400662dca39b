"""Tests of symgrad.exact.ratfunc: the canonical rational functions of the exact field.

* known answers, and the canonical form and field laws (hypothesis, derandomised);
* coherence: ``RF.evaluate`` against SymPy's exact substitution; ``sum_many`` against term-by-term sums.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from flint import fmpz_mpoly_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.exact.lifting import lift
from symgrad.exact.ratfunc import RF

SETTINGS = settings(derandomize=True, deadline=None, max_examples=60, print_blob=True)

a, b = sp.symbols("a b", real=True)


# -- RF: canonical rational functions ------------------------------------------

CTX = fmpz_mpoly_ctx.get(("u", "v"), "degrevlex")
U, V = RF.gen(CTX, 0), RF.gen(CTX, 1)


def test_rf_known_answers():
    assert (U**2 - V**2) / (U - V) == U + V
    assert (U / V) * (V / U) == 1
    assert U / U - 1 == 0
    assert (1 / (U + 1)) + (1 / (U - 1)) == (2 * U) / (U**2 - 1)
    assert (U + V) ** -2 == 1 / ((U + V) * (U + V))
    assert Fraction(1, 2) * U + U / 2 == U
    assert (U / V).evaluate([3, 4]) == Fraction(3, 4)
    with pytest.raises(ZeroDivisionError):
        (U / V).evaluate([3, 0])
    with pytest.raises(ZeroDivisionError):
        U / (V - V)


small_rf = st.builds(
    lambda c, i, j, k: RF(CTX.constant(c)) + U**i * V**j * k,
    st.integers(-4, 4), st.integers(0, 2), st.integers(0, 2), st.integers(-3, 3),
)


@SETTINGS
@given(small_rf, small_rf, small_rf.filter(lambda r: not r.is_zero()))
def test_rf_canonical_form_and_field_laws(p, q, d):
    for r in (p / d, q / d, p * q / d, (p + q) / d):
        assert r.num.gcd(r.den).is_one() or r.num.is_zero()
        assert r.den.leading_coefficient() > 0
        if r.num.is_zero():
            assert r.den.is_one()
    assert (p + q) / d == p / d + q / d
    assert (p * q) / d == p * (q / d)
    assert p / d - p / d == 0
    assert hash(p / d) == hash((p * d) / (d * d))
    assert (p / d) * d == p


@SETTINGS
@given(st.lists(st.integers(-3, 3), min_size=6, max_size=6), st.integers(1, 5), st.integers(-4, 4))
def test_rf_evaluate_matches_sympy_substitution(cs, xv, yv):
    e = (cs[0] * a**2 + cs[1] * a * b + cs[2]) / (cs[3] * b**2 + cs[4] * a + cs[5] + 20)
    L, (r,) = lift([e], [a, b])
    expected = e.subs({a: xv, b: yv})
    if expected.has(sp.zoo, sp.nan):
        return
    got = r.evaluate([xv, yv])
    assert sp.Rational(got.numerator, got.denominator) == expected


def test_sum_many_equals_the_sum_term_by_term():
    # matrix products use RF.sum_many (numerators over a shared denominator added before one
    # reduction); it must give the same canonical rational function as adding one by one
    ctx = fmpz_mpoly_ctx.get(("x", "y"), "degrevlex")
    x, y = ctx.gens()
    d1, d2 = x**2 + y + 1, x - y
    terms = [RF(x, d1), RF(y * y, d1), RF(-x - y * y, d1), RF(x * y + 1, d2), RF(3 + 0 * x, d1 * d2),
             RF(x + 1, ctx.constant(1)), RF(d2 * y, d1 * d2)]
    for k in range(1, len(terms) + 1):
        acc = terms[0]
        for t in terms[1:k]:
            acc = acc + t
        assert RF.sum_many(terms[:k]) == acc
    assert RF.sum_many([RF(x, d1), RF(-x, d1)]).is_zero()
