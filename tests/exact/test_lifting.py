"""Tests of symgrad.exact.lifting: the exact rational-function field behind every "exact" claim.

* known answers: identities that must lift to zero, non-identities that must not;
* coherence: ``to_sympy`` round trips against SymPy's own evaluation at 50 digits
  (values at points: tests/exact/test_point.py; the field arithmetic: test_ratfunc.py);
* errors: what cannot be lifted raises ``LiftError`` naming the culprit.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import LiftError, SymgradError
from symgrad.exact.lifting import Lifting, lift
from symgrad.numeric import evaluate_matrix, random_point

a, b, t = sp.symbols("a b t", real=True)
x, y = sp.symbols("x y", positive=True)
R = sp.Rational

# name -> an expression that is the zero function
IDENTITIES = {
    "pythagoras": sp.cos(t) ** 2 + sp.sin(t) ** 2 - 1,
    "double_angle_sin": sp.sin(2 * t) - 2 * sp.sin(t) * sp.cos(t),
    "double_angle_cos": sp.cos(2 * t) - (1 - 2 * sp.sin(t) ** 2),
    "half_angle_cos": sp.cos(t) - (2 * sp.cos(t / 2) ** 2 - 1),
    "cos_of_sum": sp.cos(a + b) - (sp.cos(a) * sp.cos(b) - sp.sin(a) * sp.sin(b)),
    "sin_of_difference": sp.sin(a - b) - (sp.sin(a) * sp.cos(b) - sp.cos(a) * sp.sin(b)),
    "tan_is_sin_over_cos": sp.tan(t) - sp.sin(t) / sp.cos(t),
    "pythagoras_of_monomial": sp.sin(a * b) ** 2 + sp.cos(a * b) ** 2 - 1,
    "exp_of_sum": sp.exp(a + b) - sp.exp(a) * sp.exp(b),
    "exp_of_double": sp.exp(2 * a) - sp.exp(a) ** 2,
    "exp_of_half": sp.exp(a / 2) ** 2 - sp.exp(a),
    "exp_of_negative": sp.exp(-a) * sp.exp(a) - 1,
    "exp_of_thirds": sp.exp(a / 3) * sp.exp(2 * a / 3) - sp.exp(a),
    "square_root": sp.sqrt(x) ** 2 - x,
    "cube_roots": x ** R(1, 3) * x ** R(2, 3) - x,
    "softmax_sums_to_one": sum(sp.exp(s) for s in (a, b, t)) / sum(sp.exp(s) for s in (a, b, t)) - 1,
    "rational_function": (a**2 - b**2) / (a - b) - (a + b),
    "log_is_a_variable": sp.log(x) - sp.log(x),
}

# name -> an expression that is not the zero function
NON_IDENTITIES = {
    "exp_minus_taylor": sp.exp(a) - 1 - a,
    "sin_minus_t": sp.sin(t) - t,
    "cos_of_product": sp.cos(a) * sp.cos(b) - sp.cos(a * b),
    "exp_of_product": sp.exp(a * b) - sp.exp(a) * sp.exp(b),
    "root_minus_x": sp.sqrt(x) - x,
    "tan_minus_t": sp.tan(t) - t,
    "log_minus_chord": sp.log(x) - (x - 1),
    "exp_a_minus_exp_b": sp.exp(a) - sp.exp(b),
    "pythagoras_off_by_one": sp.cos(t) ** 2 + sp.sin(t) ** 2 - 2,
    "exp_and_trig": sp.exp(t) - sp.cos(t),
}


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_identities_lift_to_zero(name):
    e = IDENTITIES[name]
    L, (r,) = lift([e])
    assert r.is_zero(), f"{name}: {e} lifted to {r}, not 0"


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_identity_table_is_right(name):
    """The identities really are zero: checked numerically by SymPy, independently of the lift."""
    e = IDENTITIES[name]
    pt = random_point(sorted(e.free_symbols, key=str), 11, positive=True)
    assert abs(evaluate_matrix(sp.Matrix([[e]]), pt, 50)[0, 0]) < mpmath.mpf(10) ** -40


@pytest.mark.parametrize("name", sorted(NON_IDENTITIES))
def test_non_identities_do_not_lift_to_zero(name):
    e = NON_IDENTITIES[name]
    L, (r,) = lift([e])
    assert not r.is_zero(), f"{name}: {e} is not the zero function but lifted to 0"


def test_variables_and_their_meanings():
    L = Lifting.build([sp.cos(t / 2), sp.cos(t), sp.exp(a + b), sp.exp(2 * a), sp.exp(a / 3)], [a, b, t])
    meanings = dict(L.describe())
    assert list(meanings.values())[:3] == [a, b, t], "listed symbols come first, in order"
    kernels = set(list(meanings.values())[3:])
    # exp(a/3) generates exp(a) and exp(2a); exp(b); one tangent for both angles: tan(t/4)
    assert kernels == {sp.exp(a / 3), sp.exp(b), sp.tan(t / 4)}
    assert L.has_trig
    assert L.lift(sp.exp(a)) == L.lift(sp.exp(a / 3)) ** 3


def test_roots_share_one_variable():
    L = Lifting.build([sp.sqrt(x), x ** R(2, 3)])
    ((name, meaning),) = L.describe()
    assert meaning == x ** R(1, 6)
    w = L.gen(0)
    assert L.lift(x) == w**6 and L.lift(sp.sqrt(x)) == w**3 and L.lift(x ** R(2, 3)) == w**4


def test_to_sympy_round_trip():
    exprs = [sp.exp(a) / (1 + sp.exp(a) + sp.exp(b)), sp.cos(t) * a, sp.sqrt(x) + 1 / x, sp.tan(t) ** 2]
    L, lifted = lift(exprs)
    pt = random_point(sorted(set().union(*(e.free_symbols for e in exprs)), key=str), 3, positive=[x])
    for e, r in zip(exprs, lifted):
        for factor in (False, True):
            back = L.to_sympy(r, factor=factor)
            diff = evaluate_matrix(sp.Matrix([[back - e]]), pt, 50)[0, 0]
            assert abs(diff) < mpmath.mpf(10) ** -40, f"{e} came back as {back}"


# name -> (expression, words the message must contain)
UNLIFTABLE = {
    "float": (R(1, 2) * a + sp.Float("0.5") * b, "float"),
    "abs": (sp.Abs(a), "Abs"),
    "max": (sp.Max(0, a * b), "symgrad.regions"),
    "imaginary_unit": (sp.I * a, "not real"),
    "log_of_negative": (sp.log(-2) * a, "not real"),
    "root_of_negative": ((-2) ** R(1, 3) * a, "not real"),
    "undefined_function": (sp.Function("f")(a), "f(a)"),
    "gamma_function": (sp.gamma(a), "gamma"),
}


@pytest.mark.parametrize("name", sorted(UNLIFTABLE))
def test_unliftable_expressions_raise(name):
    e, words = UNLIFTABLE[name]
    with pytest.raises(LiftError) as info:
        lift([e])
    assert isinstance(info.value, SymgradError)
    assert words in str(info.value), f"message {info.value} does not name {words}"


def test_lifting_only_what_was_seen():
    L = Lifting.build([a + sp.exp(a)])
    with pytest.raises(LiftError, match="not a variable"):
        L.lift(b)
    with pytest.raises(LiftError, match="not seen"):
        L.lift(sp.cos(a))
