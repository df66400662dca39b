"""Self-crossings phi(xi1) = phi(xi2) (paper, Fig. 2), exact and cross-checked numerically."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import DomainError, ShapeError, SingularPointError, SymbolError
from symgrad.model import Model
from symgrad.singular import Classification, Crossing, SingularPoints, classify, ensure_nonsingular, singular_points
from symgrad.counterexample import branch_gradients, branch_swap, counterexample
from singular_cases import (
    DPS, TOL, a, b, cusp, linear_net, nodal, num_joint_rank, num_matrix, num_rank_at, numeric_recipe, product,
    real_roots_1d, sliced_preimages, smooth, svd_rank, t, w1, w2a, w2b,
)


@pytest.mark.parametrize("phi", [[t**2 - 1, t**3 - t], [(t**2 - 1) / (t**2 + 1), t * (t**2 - 1) / (t**2 + 1)]],
                         ids=["nodal cubic", "strophoid (rational)"])
def test_nodal_cubic_crossing(phi):
    M = Model(phi, [t])
    S = singular_points(M)
    assert S.crossings == (((1,), (-1,), (0, 0)),)
    assert isinstance(S.crossings[0], Crossing)
    d = S.details[0]
    assert d.kind == "crossing" and d.method == "exact"
    assert d.span1 == ((1, 1),) and d.span2 == ((1, -1),)
    assert "saturation" in S.scope and "finite" in S.scope
    # numeric cross-check: same point, different tangent lines
    x1, x2 = {t: 1}, {t: -1}
    with mpmath.workdps(DPS):
        assert all(abs(mpmath.mpf(sp.N(e.xreplace(x1) - e.xreplace(x2), DPS))) < TOL for e in M.phi)
    assert num_joint_rank(M, x1, x2) == 2 > M.rank
    # and the only real self-intersection: t^2 = s^2 with t != s forces s = -t, then t^2 = 1
    if all(e.is_polynomial(t) for e in phi):
        assert [float(x) for x in real_roots_1d(M, (0, 0))] == [-1.0, 1.0]


def test_family_of_crossings_whitney_umbrella():
    # (u v, v, u^2) meets itself along the half-line (0, 0, c), c > 0, reached from (u, 0) and (-u, 0)
    u, v = sp.symbols("u v", real=True)
    M = Model([u * v, v, u**2], [u, v])
    S = singular_points(M)
    # crossings with different tangent spaces are found exactly; tangencies are not searched, and it says so
    assert not S.exact and S.crossings == () and "not exhaustive" in S.scope and "tangencies" in S.scope
    assert len(S.crossing_loci) == 1
    c, free = S.crossing_loci[0]
    (s,) = free
    assert c.xi1 == (-s, 0) and c.xi2 == (s, 0) and c.p == (0, 0, s**2)
    assert [dict(q.xi) for q in S.rank_drops.points] == [{u: 0, v: 0}]
    # numeric: at u = +-2 one point, two different tangent planes
    assert num_joint_rank(M, {u: 2, v: 0}, {u: -2, v: 0}) == 3 > M.rank
    C = classify(M, (0, 0, 4))
    assert C.kinds == ("branches",) and len(C.branches) == 2


@pytest.mark.parametrize("make", [product, linear_net, cusp, smooth])
def test_no_crossings_exactly(make):
    M = make()
    S = singular_points(M)
    assert S.crossings == () and S.details == () and S.crossing_loci == ()
    assert S.exact and S.numeric is None
    assert S.scope.startswith("Complete exact search")
    if len(M.xi) == 1:  # the ends of a one-parameter domain are examined too
        assert "its ends included" in S.scope and "Ends of the parameter domain: examined exactly" in S.scope
    else:
        assert "at finite parameter values" in S.scope and "not examined" in S.scope.lower()


def test_smooth_injective_scope_and_numeric_evidence():
    M = smooth()
    S = singular_points(M)
    assert S.is_empty and S.exact
    assert "rank drops: none" in str(S)
    assert "self-crossings: none found" in str(S)
    assert "finite over C (0 real solution(s)" in S.scope
    # numeric evidence: J = (1, 3 t^2) never small; a Newton search for phi(x) = phi(y), x != y, finds only x = y
    rng = random.Random(3)
    for _ in range(30):
        x = sp.Rational(rng.randint(-300, 300), 100)
        assert num_rank_at(M, {t: x}) == 1
    # and phi(x) - phi(y) never vanishes off the diagonal: |phi(x) - phi(y)| >= |x - y| on a grid of pairs
    grid = [sp.Rational(k, 7) for k in range(-21, 22)]
    f = sp.lambdify(t, list(M.phi), "mpmath")
    with mpmath.workdps(DPS):
        worst = min(mpmath.norm(mpmath.matrix(f(x)) - mpmath.matrix(f(y))) / abs(x - y)
                    for x in grid for y in grid if x != y)
    assert worst >= 1


def test_overparametrised_crossing_tells_fibres_from_branches():
    # the nodal cubic through the product u = a*b: fibres a*b = const, and a genuine crossing at u = +-1
    M = Model([(a * b) ** 2 - 1, (a * b) ** 3 - a * b], [a, b], name="nodal cubic of a product")
    assert M.rank == 1 < len(M.xi)
    S = singular_points(M)
    assert not S.exact and "tangencies" in S.scope  # a fibre cannot be told from a tangency here
    assert len(S.crossings) == 1
    (c,) = S.crossings
    assert c.p == (0, 0)
    prods = {sp.simplify(c.xi1[0] * c.xi1[1]), sp.simplify(c.xi2[0] * c.xi2[1])}
    assert prods == {1, -1}                       # one preimage on each fibre a*b = 1, a*b = -1
    assert "different tangent spaces" in S.scope
    # numeric: on one fibre the spans agree (not a crossing), across the two fibres they differ
    assert num_joint_rank(M, {a: 2, b: sp.Rational(1, 2)}, {a: 3, b: sp.Rational(1, 3)}) == 1
    assert num_joint_rank(M, {a: 2, b: sp.Rational(1, 2)}, {a: 3, b: -sp.Rational(1, 3)}) == 2
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("branches",)
    assert len(C.branches) == 2


# -- classification ------------------------------------------------------------------------

CLASSIFY = [
    # (model, p, status, kinds, number of preimage components)
    (nodal, (0, 0), "singular", ("branches",), 2),
    (nodal, (-1, 0), "non-singular", (), 1),
    (nodal, (3, 6), "non-singular", (), 1),
    (product, (0,), "singular", ("rank drop",), 2),
    (product, (2,), "non-singular", (), 1),
    (linear_net, (0, 0), "singular", ("rank drop",), 2),
    (linear_net, (1, 2), "non-singular", (), 1),
    (cusp, (0, 0), "singular", ("rank drop",), 1),
    (cusp, (4, 8), "non-singular", (), 1),
    (smooth, (2, 8), "non-singular", (), 1),
]


def test_double_covering_with_a_tangency_is_not_called_exhaustive():
    # (T^2 - 1, T (T^2 - 1)^2) with T = (t^2 - 1) / (2t) covers the curve twice; its two sheets
    # y = x^2 and y = -x^2 touch at the origin with one tangent line
    T = (t**2 - 1) / (2 * t)
    M = Model([sp.cancel(T**2 - 1), sp.cancel(T * (T**2 - 1)**2)], [t])
    S = singular_points(M)
    assert not S.exact and "tangencies" in S.scope
    C = classify(M, (0, 0))
    assert C.status == "singular" and "tangency" in C.kinds

