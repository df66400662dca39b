"""Tests of symgrad.exact.lifting: the exact rational-function field behind every "exact" claim.

* known answers: identities that must lift to zero, non-identities that must not;
* coherence: lifted values at rational points (``PointField``) against SymPy's
  own evaluation at 50 digits, and ``RF.evaluate`` against SymPy's exact
  substitution;
* properties (hypothesis, derandomised): the canonical form of ``RF``;
* errors: what cannot be lifted raises ``LiftError`` naming the culprit.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from flint import fmpz_mpoly_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.exceptions import LiftError, SymgradError
from symgrad.exact.lifting import Lifting, lift
from symgrad.exact.point import PointField
from symgrad.exact.ratfunc import RF
from symgrad.numeric import evaluate_matrix, random_point

SETTINGS = settings(derandomize=True, deadline=None, max_examples=60, print_blob=True)

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
    [({x: sp.sqrt(2)}, "not rational"), ({x: 2}, "perfect"), ({}, "no value")],
    ids=["irrational_value", "root_of_non_power", "missing_symbol"],
)
def test_point_field_errors(values, words):
    L = Lifting.build([sp.sqrt(x)])
    with pytest.raises(LiftError, match=words):
        PointField(L, values)


def test_point_field_refuses_logarithms():
    L = Lifting.build([sp.log(x)])
    assert PointField(L, {x: 1}).value(L.lift(sp.log(x))).is_zero()
    with pytest.raises(LiftError, match="log"):
        PointField(L, {x: 2})


# name -> (expression, words the message must contain)
UNLIFTABLE = {
    "float": (R(1, 2) * a + sp.Float("0.5") * b, "float"),
    "abs": (sp.Abs(a), "Abs"),
    "exp_of_sin": (sp.exp(sp.sin(a)), "exp(sin(a))"),
    "root_of_sum": (sp.sqrt(1 + a**2), "fractional powers"),
    "pi": (sp.pi * a, "pi"),
    "constant_in_exp": (sp.exp(a + 1), "constants such as pi or 1"),
    "log_of_sum": (sp.log(1 + x), "logarithms of symbols"),
    "imaginary_unit": (sp.I * a, "I"),
    "undefined_function": (sp.Function("f")(a), "f(a)"),
    "symbolic_power": (a**b, "power"),
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
