"""singular_points as a whole: the numeric fallback, limit points, display and scope."""
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


def _exact_stage_out_of_time(monkeypatch):
    """Make every exact stage run out of its budget at once (as a tiny budget would on a big model)."""
    import sys

    from symgrad._budget import Budget, OutOfTime
    classify_mod = sys.modules["symgrad.singular.classify"]
    search_mod = sys.modules["symgrad.singular.search"]

    def out_of_time(*args, **kwargs):
        raise OutOfTime(next(x for x in args if isinstance(x, Budget)))

    for mod, name in ((search_mod, "rank_drops_exact"), (search_mod, "crossings_exact"),
                      (classify_mod, "classify_exact")):
        monkeypatch.setattr(mod, name, out_of_time)


def test_numeric_fallback_is_reported_as_such(monkeypatch):
    M = nodal()
    _exact_stage_out_of_time(monkeypatch)
    S = singular_points(M, starts=16)
    assert not S.exact
    assert S.numeric is not None
    assert "did not finish within the budget" in S.scope
    assert "Not a proof that nothing else exists" in S.scope
    assert S.rank_drops.method == "numeric" and "not a proof" in str(S.rank_drops)
    assert len(S.crossings) == 1
    c = S.crossings[0]
    assert float(c.xi1[0]) == pytest.approx(1) and float(c.xi2[0]) == pytest.approx(-1)
    assert [float(v) for v in c.p] == pytest.approx([0, 0], abs=1e-20)
    assert S.details[0].kind == "crossing" and S.details[0].method == "numeric"
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.method == "numeric" and C.kinds == ("branches",)
    assert any("numeric" in n for n in C.notes)


def test_branch_reached_only_in_the_limit():
    # the lemniscate (t + t^3, t - t^3) / (1 + t^4) passes the origin at t = 0 with tangent (1, 1), and
    # approaches it again as t -> +-oo with tangent (1, -1): the origin is singular although reached once
    M = Model([(t + t**3) / (1 + t**4), (t - t**3) / (1 + t**4)], [t])
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("branches",) and "t -> +oo" in C.reasons[0]
    S = singular_points(M)
    assert not S.is_empty and [L.p for L in S.limit_points] == [(0, 0)]
    # numeric cross-check: far out, phi is close to the origin along the direction (1, -1)
    with mpmath.workdps(DPS):
        far = [mpmath.mpf(sp.N(e.subs(t, 10**6), DPS)) for e in M.phi]
    assert abs(far[0] + far[1]) < 1e-17 and 0 < far[0] < 1e-5
    # a nodal cubic on the half-line t > 0, shifted so that one branch arrives only as t -> 0+
    tp = sp.Symbol("t", positive=True)
    C = classify(Model([(tp - 1)**2 - 1, (tp - 1)**3 - (tp - 1)], [tp]), (0, 0))
    assert C.status == "singular" and "0+" in C.reasons[0]


def test_str_repr_latex():
    M = nodal()
    S = singular_points(M)
    C = classify(M, (0, 0))
    B = branch_gradients(M, M.z[0] + 2 * M.z[1], (0, 0), classification=C)
    X = counterexample(M, M.z[0] + 2 * M.z[1], (0, 0))
    assert "crossing at p = (0, 0)" in str(S)
    assert repr(S) == "<SingularPoints of nodal cubic: no rank drop, 1 crossing(s) (exact and exhaustive)>"
    assert str(C).startswith("p = (0, 0) is singular (exact)")
    assert repr(C) == "<Classification: p = (0, 0) singular (exact: branches)>"
    assert repr(S.rank_drops) == "<RankDropLocus: rank J = 1 everywhere on the real domain (exact)>"
    assert repr(S.details[0]) == "<CrossingDetail: crossing at p = (0, 0), phi(-1) = phi(1) (exact)>" or \
        repr(S.details[0]) == "<CrossingDetail: crossing at p = (0, 0), phi(1) = phi(-1) (exact)>"
    assert all(repr(o).startswith("<") and len(repr(o)) < 200 for o in (*C.preimages, *C.branches, S.numeric or S))
    for obj in (*C.preimages, *C.branches, *S.details):
        tex = obj._repr_latex_()
        assert tex.startswith("$") and tex.endswith("$") and tex.count("{") == tex.count("}")
    assert "(3/2, 3/2)" in str(B[0])
    assert "phi o f" in str(X)
    for obj in (S, S.rank_drops, C, B[0], X, X.swap):
        tex = obj._repr_latex_()
        assert tex.startswith("$") and tex.endswith("$") and tex.count("{") == tex.count("}")
    assert r"\frac{3}{2}" in B[0]._repr_latex_()
