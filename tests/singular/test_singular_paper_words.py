"""The paper's two words (§2, §3), kept apart: *singular* (M is not an embedded submanifold at p) and
*not proper* (at a preimage the d_i do not span T_p M); bounded searches that conclude nothing; solvers that
do not lie by omission; budgets that hold.  Every exact answer is cross-checked numerically here."""
from __future__ import annotations

import time

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import NotProperError, SingularPointError
from symgrad.model import Model
from symgrad.proof import Verdict
from symgrad.singular import Step, classify, ensure_nonsingular, scope_text, singular_points
from singular_cases import DPS, TOL, a, b, linear_net, nodal, num_joint_rank, num_rank_at, numeric_recipe, product, \
    svd_rank, t, w1, w2a, w2b

u, v = sp.symbols("u v", real=True)


def umbrella():
    return Model([u * v, v, u**2], [u, v], name="Whitney umbrella")


# -- non-singular points with a non-proper preimage ------------------------------------------

@pytest.mark.parametrize("make, p, drop, dim", [
    (product, (0,), {a: 0, b: 0}, 1),
    (lambda: Model([t**3, t**6], [t]), (0, 0), {t: 0}, 1),
    (linear_net, (0, 0), {w1: 0}, 2),
], ids=["a b at 0", "(t^3, t^6) at 0", "linear network at 0"])
def test_non_singular_points_with_a_non_proper_preimage(make, p, drop, dim):
    M = make()
    C = classify(M, p)
    assert C.status == "non-singular" and C.smooth == "proved" and C.method == "exact"
    assert C.dimension == dim and C.kinds == ()
    assert C.certificate.verdict is Verdict.PROVED
    assert drop in [dict(q) for q in C.not_proper]
    assert "not proper" in str(C) and "is non-singular" in str(C)
    # numeric cross-check: the rank at the non-proper preimage (free parameters at 1) is below dim M
    point = {s: sp.sympify(drop.get(s, 1)) for s in M.xi}
    assert num_rank_at(M, point) < dim
    with pytest.raises(NotProperError, match="not proper"):
        ensure_nonsingular(M, point)


def test_parabola_of_t_cubed_is_smooth_numerically():
    # (t^3, t^6) is the parabola y = x^2 near 0: every x near 0 is reached (t = x^(1/3)), on the parabola
    M = Model([t**3, t**6], [t])
    f = sp.lambdify(t, list(M.phi), "mpmath")
    with mpmath.workdps(DPS):
        for x in [mpmath.mpf(k) / 1000 for k in range(-50, 51, 7)]:
            s = mpmath.sign(x) * mpmath.cbrt(abs(x))
            X, Y = f(s)
            assert abs(X - x) < TOL and abs(Y - x**2) < TOL


def test_sum_of_squares_and_the_full_ambient_rank_rule():
    # phi = a^2 + b^2: M = [0, oo); p = 1 is non-singular (rank 1 = dim R^1 on the circle of preimages)
    M = Model([a**2 + b**2], [a, b])
    C = classify(M, (1,))
    assert C.status == "non-singular" and C.method == "exact"
    assert num_rank_at(M, {a: 1, b: 0}) == 1
    # p = 0 is an end point of M; sympy gives the preimage as a = +-I b, whose real point a = b = 0 is not
    # explicit: not "not reached", and not called non-singular
    C0 = classify(M, (0,), budget=5)
    assert C0.status != "non-singular"


# -- singular points ---------------------------------------------------------------------------

def test_singular_points_with_their_reasons():
    C = classify(nodal(), (0, 0))
    assert C.status == "singular" and C.kinds == ("branches",) and C.certificate.holds is False
    assert num_joint_rank(nodal(), {t: 1}, {t: -1}) == 2 > 1
    cusp = Model([t**2, t**3], [t])
    C = classify(cusp, (0, 0))
    assert C.status == "singular" and C.kinds == ("half-branches",) and "cusp" in C.reasons[0]
    # numeric: both halves leave the origin towards x > 0 (x = t^2), none towards x < 0
    assert all(float((e.subs(t, s))) > 0 for e in [cusp.phi[0]] for s in (sp.Rational(-1, 100), sp.Rational(1, 100)))
    W = umbrella()
    C = classify(W, (0, 0, 4))
    assert C.status == "singular" and C.kinds == ("branches",)
    assert num_joint_rank(W, {u: 2, v: 0}, {u: -2, v: 0}) == 3 > 2
    C = classify(W, (0, 0, 0))
    assert C.status == "singular" and C.kinds == ("limit of singular points",)
    assert "Smooth(M) is open" in C.reasons[0]
    # numeric: crossings with different tangent planes at (0, 0, e^2) for small e
    for e in (sp.Rational(1, 10), sp.Rational(1, 1000)):
        assert num_joint_rank(W, {u: e, v: 0}, {u: -e, v: 0}) == 3
    with pytest.raises(SingularPointError, match="singular"):
        ensure_nonsingular(W, {u: 0, v: 0})


def test_half_branches_of_an_end_point():
    # (t^2, t^4) ends at the origin (a half parabola): not a curve through p
    C = classify(Model([t**2, t**4], [t]), (0, 0))
    assert C.status == "singular" and C.kinds == ("half-branches",)


# -- bounded numeric searches ------------------------------------------------------------------

def test_gerono_node_is_never_called_non_singular():
    # the node of (sin(t/4), sin(t/4) cos(t/4)) is reached at t = 0 and at t = 4 pi, outside the box
    M = Model([sp.sin(t / 4), sp.sin(t / 4) * sp.cos(t / 4)], [t], name="Gerono lemniscate")
    C = classify(M, (0, 0))
    assert C.status == "undecided" and C.method == "numeric"
    assert C.certificate.verdict is Verdict.UNDECIDED and "bounded numeric search" in C.smooth_reason
    with pytest.raises(SingularPointError, match="not decided"):
        ensure_nonsingular(M, {t: 0})
    # numeric cross-check: t = 4 pi reaches the origin too, along another tangent
    with mpmath.workdps(DPS):
        far = [mpmath.mpf(sp.N(e.subs(t, 4 * sp.pi), DPS)) for e in M.phi]
    assert max(abs(x) for x in far) < TOL
    assert num_joint_rank(M, {t: 0}, {t: sp.N(4 * sp.pi, DPS)}) == 2


# -- solvers that do not lie by omission -------------------------------------------------------

def _sigma():
    a11, a12, a21, a22 = sp.symbols("a11 a12 a21 a22", real=True)
    M = Model([a11**2 + a12**2, a11 * a21 + a12 * a22, a21**2 + a22**2], [a11, a12, a21, a22], name="Sigma = A A^T")
    return M, {a11: 1, a12: 1, a21: 0, a22: 2}


def test_sigma_of_a_full_matrix_is_reached_and_its_gradient_computed():
    from symgrad.gradient import natural_gradient
    M, A = _sigma()
    C = ensure_nonsingular(M, A)
    assert C.status == "non-singular" and C.p == (2, 2, 4) and C.preimages[0].proper
    z1, z2, z3 = M.z
    L = (z1 - 1) ** 2 + z2 * z3
    got = natural_gradient(M, L).at(A)
    ref = numeric_recipe(M, L, A)                    # an independent SVD computation in mpmath
    assert [float(x) for x in got.manifold] == pytest.approx([float(x) for x in ref])
    # without the preimage: sympy's solve returns [] on the one-dimensional fibre, which is no proof that
    # p is not reached
    C = classify(M, (2, 2, 4), budget=3)
    assert C.status in ("non-singular", "undecided")


# -- budgets -----------------------------------------------------------------------------------

def _rbm():
    c, d1, d2, c1, c2 = sp.symbols("c d1 d2 c1 c2", real=True)

    def un(x1, x2):
        return sp.exp(c1 * x1 + c2 * x2) * (1 + sp.exp(c + d1 * x1 + d2 * x2))

    U = [un(0, 0), un(0, 1), un(1, 0), un(1, 1)]
    return Model([q / sum(U) for q in U], [d1, d2, c1, c2, c], name="RBM 2x1")


def test_singular_points_of_an_rbm_honours_its_budget():
    M = _rbm()
    M.rank  # the generic rank is the model's (cached), not part of the search
    t0 = time.monotonic()
    S = singular_points(M, budget=2)
    took = time.monotonic() - t0
    assert took < 2 + 1.5, took          # the budget and a small margin (the numeric search shares it)
    assert not S.exact and S.certificate.verdict is Verdict.UNDECIDED
    assert "budget" in S.scope and "Not a proof that nothing else exists" in S.scope


# -- the scope as data -------------------------------------------------------------------------

def test_scope_steps_are_data_with_one_formatter():
    S = singular_points(nodal())
    assert all(isinstance(s, Step) for s in S.steps)
    assert S.scope == scope_text(S.steps)
    kinds = {(s.stage, s.outcome) for s in S.steps}
    assert ("summary", "complete") in kinds and ("self-crossings", "finite") in kinds
    assert all(s.exhaustive for s in S.steps if s.stage in ("rank drops", "self-crossings"))
    assert S.certificate.verdict is Verdict.PROVED


def test_counterexample_latex_states_the_verdict():
    from symgrad.counterexample import counterexample
    M = nodal()
    X = counterexample(M, M.z[0] + 2 * M.z[1], (0, 0))
    assert X.differ is True and r"\neq" in X._repr_latex_()
    assert X.certificate.verdict is Verdict.REFUTED and X.certificate.witness.exact
    # an always-zero loss makes both vectors zero: then the relation shown is "="
    Y = counterexample(M, 0 * M.z[0] + 1, (0, 0))
    assert Y.differ is False and r"\neq" not in Y._repr_latex_() and Y.certificate.holds is True


def test_polar_origin_is_non_singular_with_non_proper_preimages():
    r, th = sp.symbols("r theta", real=True)
    M = Model([r * sp.cos(th), r * sp.sin(th)], [r, th], name="polar")
    C = classify(M, (0, 0))
    assert C.status == "non-singular" and C.method == "exact" and C.dimension == 2
    assert C.not_proper and all(q.proper is False for q in C.preimages)
    assert "compact" in C.smooth_reason
    # numeric cross-check: rank 1 < 2 on the fibre r = 0, and points near the origin are reached
    assert num_rank_at(M, {r: 0, th: sp.Rational(7, 10)}) == 1
    S = singular_points(M, budget=10)
    assert S.crossings == ()            # no fake numeric crossing at the origin


# -- cusps of odd order: the image is a C^1 graph that is not smooth --------------------------------

@pytest.mark.parametrize("phi, exponent, taylor", [((t**3, t**5), sp.Rational(5, 3), 0),
                                                   ((t**3, t**4), sp.Rational(4, 3), 0),
                                                   ((t**3 + t**4, t**6), sp.Rational(7, 3), 2)],
                         ids=["(t^3, t^5)", "(t^3, t^4)", "(t^3 + t^4, t^6)"])
def test_odd_order_cusps_are_singular(phi, exponent, taylor):
    M = Model(list(phi), [t])
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.method == "exact" and C.kinds == ("not a smooth graph",)
    assert C.certificate.holds is False and str(exponent) in C.reasons[0]
    with pytest.raises(SingularPointError, match="not a smooth curve"):
        ensure_nonsingular(M, {t: 0})
    # independent numerics: M is the graph y(x) over x = phi_1 (a monotone function of t); if y were C^k,
    # k = ceil(exponent), its Taylor polynomial x^taylor would leave a remainder bounded by C x^k; the
    # remainder over x^k grows like x^(exponent - k) instead
    f = sp.lambdify(t, list(M.phi), "mpmath")
    k = int(sp.ceiling(exponent))
    with mpmath.workdps(DPS):
        ratios = []
        for e in (3, 4, 5):
            s = mpmath.mpf(10) ** -e
            x, y = f(s)
            ratios.append(abs(y - x**taylor if taylor else y) / x**k)
        assert ratios[0] < ratios[1] < ratios[2] and ratios[2] > 10


def test_a_smooth_image_of_an_odd_order_arc_is_not_called_singular():
    # (t^3 + t^4, (t^3 + t^4)^2) is the parabola y = x^2 traced with a rank drop at t = 0
    M = Model([t**3 + t**4, (t**3 + t**4) ** 2], [t])
    C = classify(M, (0, 0))
    assert C.status == "non-singular" and {t: 0} in [dict(q) for q in C.not_proper]
    f = sp.lambdify(t, list(M.phi), "mpmath")
    with mpmath.workdps(DPS):
        for s in (mpmath.mpf("1e-5"), mpmath.mpf("-1e-7")):
            x, y = f(s)
            assert abs(y - x**2) < TOL
