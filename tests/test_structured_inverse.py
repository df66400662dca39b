"""G^+ kept as a product of small exact factors (issue 12): every route against independent computations.

For one model per route of :func:`symgrad.exact.dense.gram_pinv` (``G^{-1}``; ``J^T K g^{-1} K J``
for a Jacobian of full row rank; the full-rank factorisation ``R^T S H^{-1} S R``; the projector
formula), ``Model.G_plus``

* passes the four Penrose conditions on the *expanded* matrix, exactly;
* equals an mpmath SVD pseudo-inverse of ``G`` at 50 digits at random points, both the expanded
  formula and :meth:`PseudoInverse.at`, which multiplies the factors at the point;
* has as its condition the sum of the principal ``r x r`` minors of ``G`` computed directly
  (:func:`symgrad.exact.dense.rank_condition`), whatever the route;
* gives the same ``G^+ v`` applied factor by factor as the expanded matrix times ``v``.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exact import dense
from symgrad.numeric import evaluate_matrix, max_abs_diff, numeric_pinv, random_point

from models import ACCEPTANCE

DPS = 50
TOL = mpmath.mpf(10) ** -35


def _dependent_outputs():
    """Three outputs of rank 2 in five parameters: ``r < m`` and ``r <= n - r``."""
    a, b, c, d, e = sp.symbols("a b c d e", real=True)
    return sg.Model([a * b + c * d, 2 * (a * b + c * d), e**2 + a], [a, b, c, d, e], name="dependent outputs")


ROUTES = {
    "inverse": lambda: ACCEPTANCE["polar"]()[0],
    "full row rank": lambda: ACCEPTANCE["linear-network-2"]()[0],
    "full row rank (Fisher metric)": lambda: ACCEPTANCE["gaussian"]()[0],
    "full-rank factorisation": _dependent_outputs,
    "projector": lambda: ACCEPTANCE["softmax3"]()[0],
}


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_structured_G_plus_against_penrose_and_mpmath(name):
    M = ROUTES[name]()
    P = M.G_plus
    assert P.route == name.split(" (")[0]
    assert P.rank == M.rank
    assert P.penrose.holds, P.penrose                       # exact, on the expanded matrix
    E = M.exact
    direct = dense.rank_condition(E.G, P.rank, psd=True, zero=E.lifting.zero)
    assert P.lifted_condition == direct                      # the same rational function on every route
    for seed in range(2):
        pt = random_point(M.xi + M.constants, 300 + seed)
        Xn, rank, _ = numeric_pinv(evaluate_matrix(M.G, pt, DPS), DPS)
        assert rank == P.rank
        assert max_abs_diff(Xn, evaluate_matrix(P.matrix, pt, DPS), DPS) < TOL
        assert max_abs_diff(Xn, evaluate_matrix(P.at(pt), {}, DPS), DPS) < TOL


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_factors_applied_to_a_vector_equal_the_expanded_product(name):
    M = ROUTES[name]()
    P = M.G_plus
    L = P.lifting
    v = [[L.gen(i % len(L.variables)) + i] for i in range(M.n_params)]
    X = dense.Factored(P.factors)
    assert X.apply(v) == dense.matmul(P.lifted_inverse, v)
    assert X.shape == (M.n_params, M.n_params)


def test_structured_route_at_a_rank_drop_is_the_true_inverse():
    """At ``a = b = 0`` the product model's rank drops: ``at`` inverts the substituted ``G`` (zero)."""
    a, b = sp.symbols("a b", real=True)
    M = sg.Model([a * b], [a, b])
    assert M.G_plus.route == "full row rank"
    assert M.G_plus.at({a: 0, b: 0}) == sp.zeros(2, 2)
    assert M.G_plus.at({a: 1, b: 2}) == sp.Matrix([[4, 2], [2, 1]]) / 25
