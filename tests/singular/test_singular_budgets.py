"""Budgets that hold: singular_points and classify return within their budget and a small margin, saying
what they reached; the RBM's simplex and softmax models are decided at a known preimage (M lies in the
affine hull sum p = 1, verified exactly, with rank J = dim there), cross-checked by mpmath SVD ranks."""
from __future__ import annotations

import time

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exceptions import BudgetError
from symgrad.proof import Verdict
from symgrad.singular import classify, ensure_nonsingular, singular_points
from symgrad.supervised import rbm as rbm_model
from singular_cases import DPS, TOL, num_rank_at, numeric_recipe

MARGIN = 1.5  # seconds of bookkeeping allowed past a budget


def rbm(nv, nh):
    return rbm_model(nv, nh)


def test_singular_points_of_an_rbm_returns_within_its_budget():
    M = rbm(2, 1)
    t0 = time.monotonic()
    S = singular_points(M, budget=1)          # the generic rank is computed inside the budget too
    took = time.monotonic() - t0
    assert took < 1 + MARGIN, took
    assert not S.exact and S.certificate.verdict is Verdict.UNDECIDED
    # what was reached is stated: the stage the budget stopped, and that nothing is concluded
    assert ("did not finish within the budget" in S.scope and "Not a proof that nothing else exists" in S.scope) \
        or "ran out while the generic rank of J was computed" in S.scope


@pytest.mark.slow
def test_singular_points_of_a_2x2_rbm_returns_within_its_budget():
    M = rbm(2, 2)
    t0 = time.monotonic()
    S = singular_points(M, budget=20)
    took = time.monotonic() - t0
    assert took < 20 + 2 * MARGIN, took
    assert not S.exact and S.certificate.verdict is Verdict.UNDECIDED
    assert ("did not finish within the budget" in S.scope and "Not a proof that nothing else exists" in S.scope) \
        or "ran out while the generic rank of J was computed" in S.scope


def test_classify_returns_within_its_budget_and_says_so():
    M = rbm(2, 1)
    pt = {x: sp.Rational(1, i + 2) for i, x in enumerate(M.xi)}
    p = tuple(M.phi.xreplace(pt))
    t0 = time.monotonic()
    C = classify(M, p, budget=1)
    assert time.monotonic() - t0 < 1 + MARGIN
    assert C.status == "undecided" and C.certificate.verdict is Verdict.UNDECIDED
    assert "budget" in str(C) or "bounded numeric search" in C.smooth_reason
    # with the preimage: rank J = 3 = dim of the simplex (interval enclosures, at most the generic rank),
    # and M lies in sum p = 1 (verified exactly): non-singular, proved
    C = classify(M, p, budget=1, preimage=pt)
    assert C.status == "non-singular" and C.method == "exact" and "p1 + p2 + p3 + p4 - 1 = 0" in C.smooth_reason
    assert num_rank_at(M, pt) == 3                      # independent: mpmath SVD at 40 digits
    with mpmath.workdps(DPS):
        assert abs(sum(mpmath.mpf(sp.N(e, DPS)) for e in p) - 1) < TOL


@pytest.mark.parametrize("budget", [0, -1, float("nan"), float("inf"), "5"])
def test_a_budget_that_is_not_a_positive_finite_number_is_refused(budget):
    with pytest.raises(BudgetError, match="budget"):
        singular_points(rbm(1, 1), budget=budget)


def test_softmax_gradient_at_a_transcendental_point():
    # softmax of two logits: eq. (4) at (a, b) = (0, 1) equals an independent SVD computation in mpmath
    a, b = sp.symbols("a b", real=True)
    E = [sp.exp(a), sp.exp(b), sp.Integer(1)]
    p = list(sp.symbols("p1:4", positive=True))
    M = sg.Model([e / sum(E) for e in E], [a, b], coords=p, metric=sg.Metric.euclidean(p))
    pt = {a: 0, b: 1}
    C = ensure_nonsingular(M, pt)
    assert C.status == "non-singular" and "affine subspace" in C.smooth_reason
    L = p[0] * p[1] + p[2] ** 2
    got = sg.natural_gradient(M, L).at(pt).manifold
    ref = numeric_recipe(M, L, pt)
    with mpmath.workdps(DPS):
        for g, r in zip(got, ref):
            assert abs(mpmath.mpf(sp.N(g, DPS)) - r) < TOL


@pytest.mark.parametrize("phi, point", [
    ([3 * sp.Symbol("a", real=True) / ((-4 * sp.Symbol("a", real=True) - 1) ** 2 + 1)], {"a": 2}),
    ([sp.Rational(3, 2) * sp.Symbol("a", real=True) ** 2 + sp.Symbol("a", real=True) / 4 - sp.Rational(1, 2)],
     {"a": -2}),
])
def test_small_rational_models_give_no_raw_exception(phi, point):
    # SymPy's Groebner routines raised CoercionFailed on these (a rational coefficient in a basis over ZZ);
    # the exact stage now ends with its reason and the answer is honest
    M = sg.Model(phi, list(phi[0].free_symbols))
    (a,) = M.xi
    pt = {a: point["a"]}
    p = tuple(M.phi.xreplace(pt))
    C = classify(M, p, budget=3)
    assert C.status in ("non-singular", "undecided")
    assert ensure_nonsingular(M, pt).status == "non-singular"         # rank J = 1 = m at the preimage
    assert num_rank_at(M, pt) == 1
    singular_points(M, budget=3)
