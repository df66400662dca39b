"""Tests of symgrad.exact.point: the lifted field at a point.

* coherence: exact values at rational points against SymPy's own evaluation at 50 digits;
* known answers: zero decided exactly, poles, refused points.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import LiftError
from symgrad.exact.lifting import Lifting, lift
from symgrad.exact.point import PointField
from symgrad.numeric import evaluate_matrix, random_point

a, b, t = sp.symbols("a b t", real=True)
x, y = sp.symbols("x y", positive=True)
R = sp.Rational


def test_point_field_values_against_sympy():
    exprs = [sp.exp(a) * sp.cos(b) / (1 + sp.sin(t) ** 2), sp.exp(-2 * a / 3) + sp.tan(b / 2), a * b - t]
    L, lifted = lift(exprs)
    for seed in range(5):
        pt = random_point([a, b, t], seed)
        F = PointField(L, pt)
        for e, r in zip(exprs, lifted):
            exact = F.to_sympy(F.value(r))
            diff = evaluate_matrix(sp.Matrix([[exact - e]]), pt, 50)[0, 0]
            assert abs(diff) < mpmath.mpf(10) ** -40, f"seed {seed}: {e} at {pt}"


def test_point_field_decides_zero_exactly():
    L, (r1, r2, r3) = lift([sp.exp(a) - sp.exp(b), sp.sin(t), sp.exp(a) - sp.exp(2 * b)])
    F = PointField(L, {a: R(1, 3), b: R(1, 3), t: 0})
    assert F.value(r1).is_zero() and F.value(r2).is_zero()
    assert not F.value(r3).is_zero()
    G = PointField(L, {a: R(1, 3), b: R(1, 6), t: R(1, 2)})
    assert not G.value(r1).is_zero() and not G.value(r2).is_zero() and G.value(r3).is_zero()


def test_point_field_pole():
    L, (r,) = lift([1 / (sp.exp(a) - 1)])
    with pytest.raises(ZeroDivisionError):
        PointField(L, {a: 0}).value(r)


@pytest.mark.parametrize(
    "values, words",
    [({x: sp.Float(1.5)}, "not an exact number"), ({x: sp.I}, "real"), ({}, "no value")],
    ids=["float_value", "complex_value", "missing_symbol"],
)
def test_point_field_errors(values, words):
    L = Lifting.build([sp.sqrt(x)])
    with pytest.raises(LiftError, match=words):
        PointField(L, values)


@pytest.mark.parametrize(
    "expr, value",
    [(sp.sqrt(x), 2), (sp.log(x), R(3, 2)), (sp.exp(x) + sp.log(x), sp.log(R(3, 2))),
     (sp.cos(x) * x, sp.pi / 3), (sp.exp(sp.exp(x)), R(1, 2)), (x**2 - 2, sp.sqrt(2))],
    ids=["root_of_non_power", "logarithm", "log_point", "pi_point", "nested_exp", "algebraic_point"],
)
def test_point_field_at_exact_irrational_values(expr, value):
    """Values at points with roots, logarithms, pi: exact, and equal to SymPy's at 50 digits."""
    L, (r,) = lift([expr])
    F = PointField(L, {x: value})
    exact = F.to_sympy(F.value(r))
    assert not exact.has(x)
    assert abs(sp.N(exact - expr.subs(x, value), 50)) < sp.Float(10) ** -45


def test_point_field_zero_at_an_algebraic_point():
    """x**2 - 2 vanishes at sqrt(2): decided exactly, by the relation of the root (not by a float)."""
    L, (r,) = lift([x**2 - 2])
    F = PointField(L, {x: sp.sqrt(2)})
    assert F.value(r).is_zero()
    L3, (r3,) = lift([x**2 - 3])
    assert not PointField(L3, {x: sp.sqrt(2)}).value(r3).is_zero()
