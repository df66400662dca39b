"""Tests of symgrad.inverse: exact Moore-Penrose inverses with their validity set.

* known answers: published Moore-Penrose examples (source named on each row)
  and symbolic closed forms computed by hand; a second test checks each table
  row against the Penrose conditions in SymPy's own arithmetic;
* coherence: the symbolic formula and ``PseudoInverse.at`` at random rational
  points against ``numeric_pinv`` (mpmath SVD at 50 digits);
* properties (hypothesis, derandomised): Penrose conditions and the rank
  condition at random rational points, rank-drop points pinned by ``@example``;
* generalised inverses (Def. 1) and Tikhonov limits;
* errors.
"""
from __future__ import annotations

import itertools

import mpmath
import pytest

from symgrad.exceptions import ArgumentError
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.exceptions import DomainError, LiftError, RankError, ShapeError, SymbolError, SymgradError
from symgrad.inverse import pinv, pinv_lifted
from symgrad.numeric import evaluate_matrix, max_abs_diff, numeric_pinv, random_point

SETTINGS = settings(derandomize=True, deadline=None, max_examples=40, print_blob=True)
DPS = 50
TOL = mpmath.mpf(10) ** -35

R = sp.Rational
a, b, c, d = sp.symbols("a b c d", real=True)
r, t = sp.symbols("r t", real=True)
lam = sp.Symbol("lambda", positive=True)


def is_zero_matrix(M):
    return all(sp.simplify(x) == 0 for x in M)


def same(M, N):
    return sp.Matrix(M).shape == sp.Matrix(N).shape and is_zero_matrix(sp.Matrix(M) - sp.Matrix(N))


# -- known answers ------------------------------------------------------------

# name -> (A, A^+, rank); sources named, values computed by hand (see test_numeric.py for the arithmetic)
NUMERIC_EXAMPLES = {
    "reduce_manual_2x4": ([[1, 2, 3, 4], [9, 8, 7, 6]],
                          [[R(-1, 5), R(1, 10)], [R(-1, 20), R(1, 20)], [R(1, 10), 0], [R(1, 4), R(-1, 20)]], 2),
    "maple_student_column": ([[1], [3]], [[R(1, 10), R(3, 10)]], 1),
    "maple_matrixinverse_1to9": ([[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                                 [[R(-23, 36), R(-1, 6), R(11, 36)], [R(-1, 18), 0, R(1, 18)],
                                  [R(19, 36), R(1, 6), R(-7, 36)]], 2),
    "cody_42587_test1": ([[1, 2], [3, 4]], [[-2, 1], [R(3, 2), R(-1, 2)]], 2),
    "cody_42587_test2": ([[0, 1], [1, 1]], [[-1, 1], [1, 0]], 2),
    # atozmath.com "Pseudoinverse [[4,0],[3,-5]]" worked example (invertible: the ordinary inverse)
    "atozmath_4_0_3_m5": ([[4, 0], [3, -5]], [[R(1, 4), 0], [R(3, 20), R(-1, 5)]], 2),
    "penrose_zero_2x3": ([[0, 0, 0], [0, 0, 0]], [[0, 0], [0, 0], [0, 0]], 0),
    "rank_one_1224": ([[1, 2], [2, 4]], [[R(1, 25), R(2, 25)], [R(2, 25), R(4, 25)]], 1),
    # Penrose (1955): (A^+)^+ = A, so the inverse of [[1/4, 0],[3/20, -1/5]] is [[4, 0],[3, -5]]
    "penrose_involution": ([[R(1, 4), 0], [R(3, 20), R(-1, 5)]], [[4, 0], [3, -5]], 2),
}

# name -> (A, A^+, rank, a point where the rank drops or None); by hand
SYMBOLIC_EXAMPLES = {
    # a column a: a^+ = a^T / (a^T a)
    "column_ab": ([[a], [b]], [[a / (a**2 + b**2), b / (a**2 + b**2)]], 1, {a: 0, b: 0}),
    # DESIGN.md: G = [[b^2, ab], [ab, a^2]] (the Gram matrix of phi = a*b): G^+ = G / (a^2 + b^2)^2
    "gram_of_product": ([[b**2, a * b], [a * b, a**2]],
                        [[b**2 / (a**2 + b**2) ** 2, a * b / (a**2 + b**2) ** 2],
                         [a * b / (a**2 + b**2) ** 2, a**2 / (a**2 + b**2) ** 2]], 1, {a: 0, b: 0}),
    # rank one (x y^T)^+ = y x^T / (|x|^2 |y|^2), Ben-Israel & Greville, with x = (a, b), y = (c, d)
    "rank_one_outer": ([[a * c, a * d], [b * c, b * d]],
                       [[a * c / ((a**2 + b**2) * (c**2 + d**2)), b * c / ((a**2 + b**2) * (c**2 + d**2))],
                        [a * d / ((a**2 + b**2) * (c**2 + d**2)), b * d / ((a**2 + b**2) * (c**2 + d**2))]],
                       1, {a: 0, b: 0, c: 1, d: 2}),
    # polar coordinates: G = diag(1, r^2), G^+ = diag(1, 1/r^2) for r != 0
    "polar_gram": ([[1, 0], [0, r**2]], [[1, 0], [0, 1 / r**2]], 2, {r: 0}),
    # the Jacobian of polar coordinates is invertible for r != 0: J^-1 = [[cos, sin], [-sin/r, cos/r]]
    "polar_jacobian": ([[sp.cos(t), -r * sp.sin(t)], [sp.sin(t), r * sp.cos(t)]],
                       [[sp.cos(t), sp.sin(t)], [-sp.sin(t) / r, sp.cos(t) / r]], 2, {r: 0, t: 1}),
    # Maple help (Student[LinearAlgebra], Pseudoinverse): <<a,c>|<b,d>>^+ = adj / (ad - bc)
    "maple_student_2x2": ([[a, b], [c, d]],
                          [[d / (a * d - b * c), -b / (a * d - b * c)], [-c / (a * d - b * c), a / (a * d - b * c)]],
                          2, {a: 1, b: 2, c: 2, d: 4}),
    # a row of exponentials: (e^a, e^b)^+ = (e^a, e^b)^T / (e^2a + e^2b)
    "exp_row": ([[sp.exp(a), sp.exp(b)]],
                [[sp.exp(a) / (sp.exp(2 * a) + sp.exp(2 * b))], [sp.exp(b) / (sp.exp(2 * a) + sp.exp(2 * b))]],
                1, None),
}


METHODS = ("projector", "full-rank")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(NUMERIC_EXAMPLES))
def test_numeric_known_answers(name, method):
    A, X, rank = NUMERIC_EXAMPLES[name]
    P = pinv(sp.Matrix(A), method=method)
    assert P.rank == rank
    assert P.matrix == sp.Matrix(X)
    assert P.penrose.holds


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(SYMBOLIC_EXAMPLES))
def test_symbolic_known_answers(name, method):
    A, X, rank, _ = SYMBOLIC_EXAMPLES[name]
    P = pinv(sp.Matrix(A), method=method)
    assert P.rank == rank
    assert same(P.matrix, X), f"{name}: got {P.matrix}"
    assert P.penrose.holds


@pytest.mark.parametrize("name", sorted(SYMBOLIC_EXAMPLES))
def test_symbolic_table_is_right(name):
    """Each hand-computed row satisfies the Penrose conditions in plain SymPy (independent of symgrad)."""
    A, X, _, _ = SYMBOLIC_EXAMPLES[name]
    A, X = sp.Matrix(A), sp.Matrix(X)
    assert is_zero_matrix(A * X * A - A)
    assert is_zero_matrix(X * A * X - X)
    assert is_zero_matrix(A * X - (A * X).T)
    assert is_zero_matrix(X * A - (X * A).T)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(k for k, v in SYMBOLIC_EXAMPLES.items() if v[3] is not None))
def test_condition_vanishes_at_the_rank_drop(name, method):
    A, _, rank, drop = SYMBOLIC_EXAMPLES[name]
    P = pinv(sp.Matrix(A), method=method)
    assert sp.Matrix(A).subs(drop).rank() < rank
    assert sp.simplify(P.condition.subs(drop)) == 0
    # and the true inverse there is the pinv of the substituted matrix (SymPy's, on a numeric matrix)
    assert max_abs_diff(evaluate_matrix(P.at(drop), {}, DPS), sp.Matrix(A).subs(drop).pinv(), DPS) < TOL


def test_condition_zero_set_polar():
    P = pinv(sp.Matrix(SYMBOLIC_EXAMPLES["polar_jacobian"][0]))
    # non-zero exactly where r != 0: the condition is a power of r times a positive constant
    assert sp.simplify(P.condition.subs(r, 0)) == 0
    for k in (R(1, 3), -2, 5):
        assert sp.simplify(P.condition.subs({r: k, t: R(1, 7)})) != 0


@pytest.mark.parametrize("method", METHODS)
def test_pivot_zeros_are_not_reported_as_conditions(method):
    # phi = a*b: G^+ is built on the pivot entry b^2, which vanishes at b = 0 although the rank is 1 there
    # (a != 0).  The reduced formula G / (a^2 + b^2)^2 holds wherever the rank is 1, and says so.
    G = sp.Matrix([[b**2, a * b], [a * b, a**2]])
    P = pinv(G, psd=True, method=method)
    assert P.extra_conditions == ()
    assert sp.simplify(P.condition.subs({a: 1, b: 0})) != 0
    assert P.matrix.subs({a: 1, b: 0}) == P.at({a: 1, b: 0}) == sp.Matrix([[0, 0], [0, 1]])
    assert P.at({a: 0, b: 1}) == sp.Matrix([[1, 0], [0, 0]])
    assert P.valid_where != sp.true


# -- the example session of issue 2 -------------------------------------------

def test_issue_example_polar():
    rr, tt = sp.symbols("r t", real=True)
    M = sg.Model([rr * sp.cos(tt), rr * sp.sin(tt)], params=[rr, tt])
    P = sg.pinv(M.G)
    assert P.rank == 2
    assert same(P.matrix, sp.diag(1, 1 / rr**2))
    assert sp.simplify(P.condition.subs(rr, 0)) == 0 and P.condition.subs(rr, 1) != 0
    assert P.at({rr: 0, tt: 1}) == sp.diag(1, 0)  # the true inverse at the origin, not a division by zero
    assert P.at({rr: 2, tt: 1}) == sp.diag(1, R(1, 4))


# -- rank-drop points: at() is the true inverse there ----------------------------

def test_at_product_model_origin():
    M = sg.Model([a * b], params=[a, b])
    assert M.G_plus.at({a: 0, b: 0}) == sp.zeros(2, 2)
    assert M.G_plus.at({a: 0, b: 0}) != M.G_plus.matrix.subs({a: R(1, 10**6), b: R(1, 10**6)})


@SETTINGS
@given(st.fractions(-20, 20, max_denominator=50))
@example(0)
@example(R(1, 10**6))
def test_at_along_the_diagonal(s):
    """Along a = b = s, G = s^2 [[1, 1], [1, 1]]: G^+ = [[1, 1], [1, 1]] / (4 s^2), and 0 at s = 0."""
    s = sp.Rational(s.numerator, s.denominator) if not isinstance(s, sp.Basic) else s
    P = pinv(sp.Matrix([[b**2, a * b], [a * b, a**2]]))
    got = P.at({a: s, b: s})
    expected = sp.zeros(2, 2) if s == 0 else sp.ones(2, 2) / (4 * s**2)
    assert got == expected


@SETTINGS
@given(st.fractions(-5, 5, max_denominator=9), st.fractions(-5, 5, max_denominator=9))
@example(0, 0)
@example(0, 1)
@example(1, 0)
def test_at_polar_jacobian(rv, tv):
    """J of polar coordinates at rational (r, t), including r = 0 (rank 1), against mpmath's SVD."""
    A = sp.Matrix(SYMBOLIC_EXAMPLES["polar_jacobian"][0])
    P = pinv(A)
    pt = {r: sp.Rational(rv.numerator, rv.denominator), t: sp.Rational(tv.numerator, tv.denominator)}
    X = P.at(pt)
    Xn, rank, _ = numeric_pinv(evaluate_matrix(A, pt, DPS), DPS)
    assert rank == (1 if pt[r] == 0 else 2)
    assert max_abs_diff(Xn, evaluate_matrix(X, {}, DPS), DPS) < TOL


rational = st.fractions(-6, 6, max_denominator=6).map(lambda q: sp.Rational(q.numerator, q.denominator))


@SETTINGS
@given(rational, rational, rational, rational)
@example(0, 0, 0, 0)
@example(0, 0, 1, 2)
@example(1, 2, 2, 4)
@example(3, 0, 0, 5)
def test_at_penrose_conditions_exact(av, bv, cv, dv):
    """At every rational point (rank drops included), at() satisfies the Penrose conditions exactly
    and equals SymPy's pinv of the substituted (numeric) matrix."""
    pt = {a: av, b: bv, c: cv, d: dv}
    for name, method in itertools.product(("rank_one_outer", "maple_student_2x2", "gram_of_product", "column_ab"),
                                          METHODS):
        A0 = sp.Matrix(SYMBOLIC_EXAMPLES[name][0]).subs(pt)
        X = pinv(sp.Matrix(SYMBOLIC_EXAMPLES[name][0]), method=method).at(pt)
        assert A0 * X * A0 == A0
        assert X * A0 * X == X
        assert (A0 * X).T == A0 * X
        assert (X * A0).T == X * A0
        assert X == A0.pinv()


@SETTINGS
@given(rational, rational, rational, rational)
def test_condition_is_nonzero_exactly_at_generic_rank(av, bv, cv, dv):
    pt = {a: av, b: bv, c: cv, d: dv}
    for name, method in itertools.product(("rank_one_outer", "maple_student_2x2", "gram_of_product", "column_ab"),
                                          METHODS):
        A = sp.Matrix(SYMBOLIC_EXAMPLES[name][0])
        P = pinv(A, method=method)
        assert (P.condition.subs(pt) != 0) == (A.subs(pt).rank() == P.rank), f"{name}, {method}"
        psd = sp.Matrix(A.T * A)  # a Gram matrix: the psd route's condition has the same zero set
        Q = pinv(psd, method=method, psd=True)
        assert (Q.condition.subs(pt) != 0) == (psd.subs(pt).rank() == Q.rank), f"{name}^T {name}, {method}"


# -- coherence: symbolic against mpmath's SVD at 50 digits ------------------------

def _softmax(n):
    th = sp.symbols(f"th1:{n + 1}", real=True)
    p = sp.symbols(f"p1:{n + 1}", positive=True)
    E = [sp.exp(x) for x in th]
    return sg.Model([e / sum(E) for e in E], params=th, coords=p, metric=sg.Metric.simplex_fisher(p))


def _linear_net(h):
    w = sp.symbols(f"w1:{h + 1}", real=True)
    V = sp.Matrix(2, h, lambda i, j: sp.Symbol(f"v{i + 1}{j + 1}", real=True))
    return sg.Model(list(V * sp.Matrix(w)), params=list(w) + list(V))


COHERENCE_CASES = {
    "polar_G": lambda: sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t]).G,
    "polar_J": lambda: sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t]).J,
    "product_G": lambda: sg.Model([a * b], params=[a, b]).G,
    "softmax3_G": lambda: _softmax(3).G,
    "softmax3_J": lambda: _softmax(3).J,
    "linear_net1_G": lambda: _linear_net(1).G,
    "linear_net2_G": lambda: _linear_net(2).G,
    "linear_net2_J": lambda: _linear_net(2).J,
    "sphere_patch_J": lambda: sp.Matrix([sp.cos(a) * sp.cos(b), sp.cos(a) * sp.sin(b), sp.sin(a)]).jacobian([a, b]),
    "mixed_3x4": lambda: sp.Matrix([[a, b, a + b, a * b], [sp.exp(a), 1, sp.exp(a) + 1, b * sp.exp(a)],
                                    [a**2, a * b, a**2 + a * b, a**2 * b]]),
}


@pytest.mark.parametrize("seed, method", [(0, "projector"), (1, "projector"), (2, "full-rank")])
@pytest.mark.parametrize("name", sorted(COHERENCE_CASES))
def test_formula_against_mpmath_svd(name, seed, method):
    A = sp.Matrix(COHERENCE_CASES[name]())
    P = pinv(A, method=method)
    pt = random_point(sorted(A.free_symbols, key=str), seed)
    An = evaluate_matrix(A, pt, DPS)
    Xn, rank, svals = numeric_pinv(An, DPS)
    assert rank == P.rank, f"{name}, seed {seed}: numeric rank {rank} at {pt}, singular values {svals}"
    cond = evaluate_matrix(sp.Matrix([[P.condition]]), pt, DPS)[0, 0]
    assert abs(cond) > TOL, "the condition must hold at a generic point"
    assert max_abs_diff(Xn, evaluate_matrix(P.matrix, pt, DPS), DPS) < TOL
    assert max_abs_diff(Xn, evaluate_matrix(P.at(pt), {}, DPS), DPS) < TOL


def test_model_pinv_psd_route_agrees_with_general_route():
    M = _softmax(3)
    general = pinv(M.G)
    pt = random_point(M.xi, 5)
    assert max_abs_diff(evaluate_matrix(M.G_plus.matrix, pt, DPS), evaluate_matrix(general.matrix, pt, DPS)) < TOL


def test_at_irrational_point_uses_interval_arithmetic():
    P = pinv(sp.Matrix([[b**2, a * b], [a * b, a**2]]))
    pt = {a: sp.sqrt(2), b: sp.pi}
    X = P.at(pt)
    Xn, _, _ = numeric_pinv(evaluate_matrix(sp.Matrix([[b**2, a * b], [a * b, a**2]]), pt, DPS), DPS)
    assert max_abs_diff(Xn, evaluate_matrix(X, {}, DPS), DPS) < TOL
    # at a = log 2, exp(a) - 2 vanishes: the rank drops at an irrational point, decided exactly (the
    # value exp(log 2) is 2), so the Moore-Penrose inverse there is the zero matrix, not 1/(exp(a) - 2)
    assert pinv(sp.Matrix([[sp.exp(a) - 2]])).at({a: sp.log(2)}) == sp.zeros(1, 1)
    # at x = sqrt(2), x**2 - 2 vanishes: decided by the relation of the root
    assert pinv(sp.Matrix([[a**2 - 2]])).at({a: sp.sqrt(2)}) == sp.zeros(1, 1)
    assert pinv(sp.Matrix([[a**2 - 2]])).at({a: sp.sqrt(3)}) == sp.ones(1, 1)


# -- generalised inverses (Def. 1) ----------------------------------------------

def test_generalised_inverse_family():
    G = sp.Matrix([[b**2, a * b], [a * b, a**2]])
    P = pinv(G)
    F, syms = sg.generalised_inverse_family(P)
    assert F.shape == (2, 2) and len(syms) == 8
    assert sg.is_generalised_inverse(G, F)  # A A^- A = A for every U, V
    assert same(F.subs({s: 0 for s in syms}), P.matrix)  # U = V = 0 is A^+
    # one member that is not the Moore-Penrose inverse: it fails (A X)^T = A X in general
    X = F.subs({s: k for k, s in enumerate(syms, start=1)})
    assert sg.is_generalised_inverse(G, X)
    assert not is_zero_matrix((G * X).T - G * X)


def test_projector_is_the_same_for_every_generalised_inverse():
    """J G^- J^T does not depend on the choice of G^- (the ingredient of Theorem 1)."""
    M = sg.Model([a * b, a + b**2], params=[a, b])
    Mp = sg.Model([a * b], params=[a, b])
    for model in (M, Mp):
        F, syms = sg.generalised_inverse_family(model.G_plus)
        proj = sp.Matrix(model.J * F * model.J.T).applyfunc(sp.cancel)
        assert not (proj.free_symbols & set(syms)), f"{model}: J G^- J^T depends on U, V: {proj}"


def test_is_generalised_inverse_rejects():
    A = sp.Matrix([[1, 1], [1, 1]])
    assert not sg.is_generalised_inverse(A, sp.eye(2))  # A A = 2A != A
    assert sg.is_generalised_inverse(A, sp.Matrix([[1, 0], [0, 0]]))  # A e1 e1^T A = A
    with pytest.raises(ShapeError, match="2x1"):
        sg.is_generalised_inverse(sp.Matrix([[1, 2]]), sp.Matrix([[1, 2]]))


# -- Tikhonov --------------------------------------------------------------------

def test_tikhonov_known_answer():
    # (G + lambda I)^-1 for G = diag(1, 0) is diag(1/(1 + lambda), 1/lambda), by hand
    T = sg.tikhonov_inverse(sp.diag(1, 0), lam)
    assert same(T, sp.diag(1 / (1 + lam), 1 / lam))


@pytest.mark.parametrize(
    "A",
    [sp.Matrix([[b, a]]), sp.Matrix([[a], [b]]), sp.Matrix([[a, b], [2 * a, 2 * b]]),
     sp.Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), sp.Matrix([[a, 0], [0, b], [a, b]])],
    ids=["row", "column", "rank_one_2x2", "one_to_nine", "full_column_rank"],
)
def test_tikhonov_limit_of_damped_least_squares_is_pinv(A):
    """(A^T A + lambda I)^-1 A^T -> A^+ exactly as lambda -> 0."""
    T = sg.tikhonov_inverse(A.T * A, lam) * A.T
    assert same(sg.tikhonov_limit(T, lam).limit, pinv(A).matrix)
    # and against the closed form computed independently by SymPy's limit on one entry
    i, j = 0, 0
    assert sp.simplify(sp.limit(sp.cancel(T[i, j]), lam, 0) - pinv(A).matrix[i, j]) == 0


@pytest.mark.parametrize("w", [sp.Matrix([1, 0]), sp.Matrix([a, 3]), sp.Matrix([b**2, -1])], ids=["e1", "a_3", "b2_m1"])
def test_tikhonov_limit_on_the_image(w):
    """(G + lambda I)^-1 v -> G^+ v for v = G w in the image of G."""
    G = sp.Matrix([[b**2, a * b], [a * b, a**2]])
    v = G * w
    limit = sg.tikhonov_limit(sg.tikhonov_inverse(G, lam) * v, lam).limit
    assert same(limit, pinv(G).matrix * v)


def test_tikhonov_bare_inverse_diverges_for_singular_G():
    G = sp.Matrix([[b**2, a * b], [a * b, a**2]])
    with pytest.raises(RankError, match="diverges") as info:
        sg.tikhonov_limit(sg.tikhonov_inverse(G, lam), lam)
    assert "image of G" in str(info.value)
    # a vector outside the image also diverges
    with pytest.raises(RankError, match="diverges"):
        sg.tikhonov_limit(sg.tikhonov_inverse(G, lam) * sp.Matrix([a, -b]), lam)


def test_tikhonov_limit_of_invertible_is_inverse():
    A = sp.Matrix([[a, 1], [0, b]])
    assert same(sg.tikhonov_limit(sg.tikhonov_inverse(A, lam), lam).limit, A.inv())


def test_tikhonov_numeric_coherence():
    """At lambda = 1e-30 the damped inverse applied to v in im G is within 1e-25 of G^+ v (mpmath)."""
    G = sg.Model([a * b], params=[a, b]).G
    pt = {a: R(2, 3), b: R(-5, 7)}
    v = G * sp.Matrix([1, 2])
    damped = evaluate_matrix(sg.tikhonov_inverse(G, lam) * v, {**pt, lam: R(1, 10**30)}, DPS)
    Xn, _, _ = numeric_pinv(evaluate_matrix(G, pt, DPS), DPS)
    with mpmath.workdps(DPS):
        assert mpmath.mnorm(damped - Xn * evaluate_matrix(v, pt, DPS), 1) < mpmath.mpf(10) ** -25


# -- errors ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: pinv(sp.Matrix(0, 0, [])), ShapeError, "empty"),
        (lambda: pinv([[1, 2], [3]]), ShapeError, "cannot read"),
        (lambda: pinv(sp.Matrix([[a, b]]), psd=True), ShapeError, "square"),
        (lambda: pinv(sp.Matrix([[a, 1], [0, b]]), psd=True), RankError, "not symmetric"),
        (lambda: pinv(sp.Matrix([[0, a], [a, 0]]), psd=True).matrix, None, None),
        (lambda: pinv(sp.Matrix([[R(1, 2) * a + sp.Float("0.5")]])), LiftError, "float"),
        (lambda: pinv(sp.Matrix([[sp.Abs(a)]])), LiftError, "Abs"),
        (lambda: pinv(sp.Matrix([[sp.gamma(a)]])), LiftError, "gamma"),
        (lambda: pinv(sp.Matrix([[a]])).at({a: 1, b: 2}), None, None),
        (lambda: pinv(sp.Matrix([[a, b]])).at({a: 1}), SymbolError, "no value"),
        (lambda: pinv(sp.Matrix([[a, b]])).at({2 * a: 1, b: 1}), SymbolError, "2*a"),
        (lambda: pinv(sp.Matrix([[a, b]])).at([1, 2]), SymbolError, "mapping"),
        (lambda: pinv(sp.Matrix([[1 / a, b]])).at({a: 0, b: 1}), DomainError, "not defined"),
        (lambda: sg.tikhonov_inverse(sp.Matrix([[a, b]]), lam), ShapeError, "square"),
    ],
    ids=["empty", "ragged", "psd_not_square", "psd_not_symmetric", "psd_indefinite_symmetric_is_fine", "float",
         "abs", "gamma_function", "extra_symbol_in_point_is_ignored", "missing_value", "non_symbol_key", "not_a_mapping",
         "pole", "tikhonov_not_square"],
)
def test_errors(call, exc, words):
    if exc is None:
        call()  # must not raise
        return
    with pytest.raises(exc) as info:
        call()
    assert isinstance(info.value, SymgradError)
    assert words in str(info.value), f"message {info.value!s} does not name {words!r}"


def test_unknown_method_is_rejected():
    # an argument error of the package's own, naming the methods there are
    with pytest.raises(ArgumentError, match="'auto', 'projector' or 'full-rank', not 'svd'"):
        pinv(sp.Matrix([[a, b]]), method="svd")


# -- the routes agree exactly on Gram matrices ------------------------------------------

def _gram_models():
    from models import ACCEPTANCE, linear_network
    out = {name: make()[0] for name, make in ACCEPTANCE.items()}
    out["linear-network-3"] = linear_network(3)[0]
    return out


@pytest.mark.parametrize("name", sorted(_gram_models()))
def test_gram_pinv_routes_agree_structurally(name):
    """The fraction-free PSD route (used for low-rank Gram matrices), the projector route and the
    generic full-rank formula give the same canonical rational functions, entry by entry."""
    from symgrad.exact import dense as linalg
    M = _gram_models()[name]
    E = M.exact
    ff = pinv_lifted(M.G, E.lifting, E.G, psd=True, method="full-rank")
    pr = pinv_lifted(M.G, E.lifting, E.G, psd=True, method="projector")
    _, _, cols = linalg.rank_profile(E.G)
    generic = linalg.pinv_full_rank(E.G, cols, cols, symmetric=True)
    assert ff.lifted_inverse == pr.lifted_inverse == generic


# -- at() refuses points where the matrix (or the model behind it) is not defined ---------

_x, _t = sp.symbols("x t", real=True)
_r = sp.Symbol("r", positive=True)


@pytest.mark.parametrize("call, words", [
    (lambda: pinv(sp.Matrix([[sp.log(_x), 1]])).at({_x: 0}), "not defined"),
    (lambda: pinv(sp.Matrix([[sp.log(_x)]])).at({_x: 0}), "not defined"),
    (lambda: pinv(sp.Matrix([[sp.tan(_t / 2), 1]])).at({_t: sp.pi}), "not defined"),
    (lambda: pinv(sp.Matrix([[1 / sp.sin(_t), 1]])).at({_t: sp.pi}), "not defined"),
    (lambda: pinv(sp.Matrix([[(_x**2 - 1) / (_x - 1)]])).at({_x: 1}), "not defined"),  # even a removable 0/0
    (lambda: pinv(sp.Matrix([[_x, 1]])).at({_x: sp.I}), "not a finite real number"),
    (lambda: pinv(sp.Matrix([[_r, 1]])).at({_r: -1}), "r is declared positive"),
    (lambda: sg.Model([_x * sp.log(_x)], [_x]).G_plus.at({_x: 0}), "not defined"),
    (lambda: sg.Model([_r, _r**2], [_r]).G_plus.at({_r: -1}), "declared positive"),
    (lambda: sg.Model([sp.sqrt(_x)], [_x]).G_plus.at({_x: -1}), "not real"),
    (lambda: sg.Model([_x, 1 - _x], [_x], metric=sg.Metric.simplex_fisher(sp.symbols("p1 p2", positive=True)))
     .G_plus.at({_x: 2}), "p2 > 0|p2 is declared positive"),
], ids=["log0-row", "log0", "tan-half-pi", "csc-pi", "removable", "complex", "sign", "model-undefined",
        "model-sign", "model-complex", "model-metric-domain"])
def test_at_refuses_points_outside_the_domain(call, words):
    with pytest.raises(DomainError, match=words):
        call()


def test_at_checks_the_metric_is_an_inner_product_there():
    import warnings
    a_, b_ = sp.symbols("a b", real=True)
    z1 = sp.Symbol("z1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # positive definiteness undecidable symbolically: checked at points
        M = sg.Model([a_, b_], [a_, b_], metric=sp.Matrix([[1, z1], [z1, 1]]))
    with pytest.raises(DomainError, match="not positive definite"):
        M.G_plus.at({a_: 2, b_: 0})
    with pytest.raises(DomainError, match="not positive definite"):
        M.G_plus.at({a_: 1, b_: 0})              # singular there
    X = M.G_plus.at({a_: R(1, 2), b_: 0})      # an inner product there: the true inverse
    assert X == sp.Matrix([[1, R(1, 2)], [R(1, 2), 1]]).inv()


def test_tikhonov_limit_is_exact_and_states_where_it_holds():
    a_ = sp.Symbol("a", real=True)
    # cos^2 + sin^2 - 1 is zero in the lifted field: the entry is 0, not a pole
    assert sg.tikhonov_limit(sp.Matrix([[(sp.sin(a_)**2 + sp.cos(a_)**2 - 1) / lam]]), lam).limit == sp.Matrix([[0]])
    # lambda / (lambda + a^2) -> 0 only where a != 0 (at a = 0 it is 1): the condition says so
    limit, conds = sg.tikhonov_limit(sp.Matrix([[lam / (lam + a_**2)]]), lam)
    assert limit == sp.Matrix([[0]]) and conds == (a_**2,)
    assert sp.limit((lam / (lam + a_**2)).subs(a_, 0), lam, 0) == 1
    with pytest.raises(LiftError, match="rational functions"):
        sg.tikhonov_limit(sp.Matrix([[sp.sin(lam) / lam]]), lam)


def test_at_irrational_points_with_fractional_powers_and_logs():
    # interval arithmetic proves the condition non-zero there, then the formula is evaluated exactly
    y = sp.Symbol("y", positive=True)
    c = 2 ** R(1, 3)
    assert same(pinv(sp.Matrix([[y ** R(1, 3), 1]])).at({y: 2}), sp.Matrix([c, 1]) / (c**2 + 1))
    assert same(pinv(sp.Matrix([[sp.log(y)]])).at({y: R(1, 2)}), sp.Matrix([[-1 / sp.log(2)]]))


def test_tikhonov_limit_conditions_cover_half_angle_infinities():
    # lifted with u = tan(t/2), the points t = pi are invisible; the condition 1 + cos t != 0 says so
    t_ = sp.Symbol("t", real=True)
    limit, conds = sg.tikhonov_limit(sp.Matrix([[lam / (lam + 1 + sp.cos(t_))]]), lam)
    assert limit == sp.Matrix([[0]]) and sp.cos(t_) + 1 in conds
    assert sp.limit((lam / (lam + 1 + sp.cos(t_))).subs(t_, sp.pi), lam, 0) == 1   # where it fails
    with pytest.raises(LiftError):
        sg.tikhonov_limit(sp.Matrix([[sp.sqrt(lam) / (sp.sqrt(lam) + 1)]]), lam)


def test_one_family_and_one_tikhonov_path_in_the_lifted_field():
    """family_member is the family of generalised inverses in any field; damped_inverse and
    limit_at_zero are the Tikhonov path that tikhonov_inverse / tikhonov_limit view in SymPy."""
    from symgrad.exact import dense
    from symgrad.exact.lifting import Lifting
    from symgrad.inverse import TikhonovLimit, damped_inverse, family_member, lambda_variable, limit_at_zero
    lam = sp.Symbol("lambda", positive=True)
    G = sp.Matrix([[a**2, a * b], [a * b, b**2]])
    P = pinv(G, psd=True)
    u = sp.symbols("u1:5", real=True)
    L = Lifting.build(list(G) + [lam, *u], (a, b, lam, *u))
    Gr, Xr = L.lift_matrix(G), L.lift_matrix(P.matrix)
    U = L.lift_matrix(sp.Matrix(2, 2, u[:4]))
    Gm = family_member(Gr, Xr, U, U)
    assert dense.is_zero_matrix(dense.matsub(dense.matmul(dense.matmul(Gr, Gm), Gr), Gr))  # G G^- G = G
    # (G + lam I)^-1 G tends to G^+ G (the projector onto the row space), exactly
    k = lambda_variable(L, lam)
    D = dense.matmul(damped_inverse(Gr, L.lift(lam)), Gr)
    lim, dens = limit_at_zero(D, k)
    assert dense.is_zero_matrix(dense.matsub(lim, dense.matmul(Xr, Gr)))
    T = sg.tikhonov_limit(L.matrix_to_sympy(D), lam)
    assert isinstance(T, TikhonovLimit) and T.limit == L.matrix_to_sympy(lim)
