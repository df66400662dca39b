"""classify and ensure_nonsingular (paper, §3): preimages, ranks, spans and branches."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import DomainError, NotProperError, ShapeError, SingularPointError, SymbolError
from symgrad.model import Model
from symgrad.singular import Classification, Crossing, SingularPoints, classify, ensure_nonsingular, singular_points
from symgrad.counterexample import branch_gradients, branch_swap, counterexample
from singular_cases import (
    DPS, TOL, a, b, cusp, linear_net, nodal, num_joint_rank, num_matrix, num_rank_at, numeric_recipe, product,
    real_roots_1d, sliced_preimages, smooth, svd_rank, t, w1, w2a, w2b,
)


CLASSIFY = [
    # (model, p, status, kinds, number of preimage components, rank drops among the preimages)
    # the paper's words: a rank drop at a preimage makes the parametrisation not proper there; it makes p
    # singular only when M itself is not an embedded submanifold at p (the cusp), not at the origin of phi = a b
    # (M = R) or of the linear network (M = R^2)
    (nodal, (0, 0), "singular", ("branches",), 2, False),
    (nodal, (-1, 0), "non-singular", (), 1, False),
    (nodal, (3, 6), "non-singular", (), 1, False),
    (product, (0,), "non-singular", (), 2, True),
    (product, (2,), "non-singular", (), 1, False),
    (linear_net, (0, 0), "non-singular", (), 2, True),
    (linear_net, (1, 2), "non-singular", (), 1, False),
    (cusp, (0, 0), "singular", ("half-branches",), 1, True),
    (cusp, (4, 8), "non-singular", (), 1, False),
    (smooth, (2, 8), "non-singular", (), 1, False),
]


@pytest.mark.parametrize("make,p,status,kinds,ncomp,drops", CLASSIFY,
                         ids=[f"{m.__name__}-{p}" for m, p, *_ in CLASSIFY])
def test_classify_known_answers_with_numeric_cross_check(make, p, status, kinds, ncomp, drops):
    M = make()
    C = classify(M, p)
    assert isinstance(C, Classification)
    assert (C.status, C.kinds, C.method) == (status, kinds, "exact")
    assert C.is_singular == (status == "singular")
    assert len(C.preimages) == ncomp
    r = M.rank
    rng = random.Random(11)
    # numeric: every preimage component really maps to p, with the stated rank (SVD) at random points of it
    for pre in C.preimages:
        for _ in range(3):
            free = {s: sp.Rational(rng.randint(1, 9), rng.randint(1, 4)) for s in pre.free}
            point = {s: sp.sympify(pre.xi[s]).xreplace(free) if s in pre.xi else free[s] for s in M.xi}
            with mpmath.workdps(DPS):
                assert all(abs(mpmath.mpf(sp.N(e.xreplace(point) - v, DPS))) < TOL for e, v in zip(M.phi, p))
            assert num_rank_at(M, point) == pre.rank
    # numeric: rank drops exactly at the listed points
    for q in C.rank_drop_points:
        point = {s: sp.sympify(q.get(s, 1)).xreplace({x: 1 for x in M.xi}) for s in M.xi}
        assert num_rank_at(M, point) < r
    assert bool(C.rank_drop_points) == drops
    # at a non-singular point the rank-drop preimages are exactly where the parametrisation is not proper
    if status == "non-singular":
        assert C.smooth == "proved" and C.certificate.holds is True
        assert {tuple(sorted(q.items(), key=str)) for q in C.rank_drop_points} <= \
            {tuple(sorted(q.items(), key=str)) for q in C.not_proper}
    else:
        assert C.smooth == "refuted" and C.certificate.holds is False and not C.not_proper
    # numeric: branches have pairwise different spans (rank of [J1 | J2] > r)
    reps = []
    for br in C.branches:
        pre = C.preimages[br.preimages[0]]
        reps.append({s: sp.sympify(pre.xi.get(s, 1)).xreplace({x: 1 for x in pre.free}) for s in M.xi})
    for i in range(len(reps)):
        for j in range(i + 1, len(reps)):
            assert num_joint_rank(M, reps[i], reps[j]) > r
    # numeric: an independent preimage search finds nothing outside the exact components
    if len(M.xi) == 1:
        roots = real_roots_1d(M, p)
        assert sorted(float(sp.N(pre.xi[t])) for pre in C.preimages) == pytest.approx([float(x) for x in roots])
    else:
        found = sliced_preimages(M, p)
        assert found, "the numeric search should find some preimages"
        for x in found:
            point = dict(zip(M.xi, x))
            on = []
            for pre in C.preimages:
                # a numeric point lies on a component when the component's equations hold there
                eqs = [s - v for s, v in pre.xi.items()]
                f = sp.lambdify(list(M.xi), eqs, "mpmath")
                with mpmath.workdps(DPS):
                    on.append(max([abs(e) for e in f(*x)] + [0]) < 1e-20)
            assert any(on), f"numeric preimage {point} is on no exact component"
            # and the SVD rank there agrees with the exact classification of rank drops
            drop = num_rank_at(M, {s: sp.Float(v, DPS) for s, v in point.items()}) < r
            if drop:
                assert C.rank_drop_points


def test_classify_tangency_and_covering():
    # two arcs touching at the origin with one tangent line: singular, decided exactly
    M = Model([t**2 - 1, (t**2 - 1) ** 2 * t], [t])
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("tangency",) and C.method == "exact"
    assert C.preimages[0].span == C.preimages[1].span == ((1, 0),)
    assert num_joint_rank(M, {t: 1}, {t: -1}) == 1      # the same tangent line, numerically
    # t -> t^2 covers (0, oo) twice, on one sheet: p = 1 is non-singular
    Q = Model([t**2], [t])
    C = classify(Q, (1,))
    assert C.status == "non-singular" and len(C.preimages) == 2 and len(C.branches) == 1


def test_classify_errors():
    M = nodal()
    with pytest.raises(DomainError, match="not a point"):
        classify(M, (3, 24))
    with pytest.raises(ShapeError):
        classify(M, (0,))
    with pytest.raises(SymbolError):
        classify(M, {"q": 0, "z2": 0})
    assert classify(M, {"z1": 0, "z2": 0}).kinds == ("branches",)


def test_ensure_nonsingular():
    M = nodal()
    assert ensure_nonsingular(M, {t: 2}).status == "non-singular"
    with pytest.raises(SingularPointError) as err:
        ensure_nonsingular(M, {t: -1})
    msg = str(err.value)
    assert "p = (0, 0) is singular" in msg and "branches with different tangent spaces" in msg
    # the origin of the linear network is a non-singular point (M = R^2 there) with a non-proper preimage
    with pytest.raises(NotProperError, match="rank drop") as err:
        ensure_nonsingular(linear_net(), {w1: 0, w2a: 1, w2b: 3})
    assert "non-singular" in str(err.value) and "not proper" in str(err.value)
    assert isinstance(err.value, SingularPointError)
    # the product at (0, 0): not proper there; at (1, 0), a proper preimage of the same point p = 0, Theorem 1
    # applies (the rank-drop preimage is listed, and the point is not called singular)
    with pytest.raises(NotProperError, match="rank drop"):
        ensure_nonsingular(product(), {a: 0, b: 0})
    assert ensure_nonsingular(product(), {a: 1, b: 0}).status == "non-singular"
    assert classify(product(), (0,)).not_proper == ({a: 0, b: 0},)
