"""Rank drops of J (paper, §3): the exact locus of the minors, cross-checked by SVD ranks."""
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


RANK_DROPS = {
    # model: (generic rank, reduced equations, explicit rank-drop points with their rank and model point)
    "nodal": (nodal, 1, (1,), []),
    "product": (product, 1, (a, b), [({a: 0, b: 0}, 0, (0,))]),
    "linear_net": (linear_net, 2, (w1,), [({w1: 0}, 1, (0, 0))]),
    "cusp": (cusp, 1, (t,), [({t: 0}, 0, (0, 0))]),
    "smooth": (smooth, 1, (1,), []),
}


@pytest.mark.parametrize("name", list(RANK_DROPS))
def test_rank_drop_locus_known_answers(name):
    make, r, eqs, pts = RANK_DROPS[name]
    M = make()
    S = singular_points(M)
    assert isinstance(S, SingularPoints)
    assert S.exact
    assert S.rank_drops.generic_rank == r == M.rank
    assert S.rank_drops.method == "exact"
    assert set(S.rank_drops.equations) == set(sp.sympify(e) for e in eqs)
    got = [(dict(q.xi), q.rank, q.p) for q in S.rank_drops.points]
    assert got == [(d, k, tuple(sp.sympify(v) for v in p)) for d, k, p in pts]
    assert S.rank_drops.is_empty == (not pts)
    # numeric cross-check: the SVD rank at each rank-drop point (free parameters at random values)
    rng = random.Random(5)
    for q in S.rank_drops.points:
        for _ in range(3):
            point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in M.xi}
            point.update({s: sp.sympify(v).xreplace(point) for s, v in q.xi.items()})
            assert num_rank_at(M, point) == q.rank < r
    # and off the locus the rank is generic
    for _ in range(5):
        point = {s: sp.Rational(rng.randint(1, 9), rng.randint(1, 5)) for s in M.xi}
        assert num_rank_at(M, point) == r


@pytest.mark.parametrize("phi, drops", [
    ([1 + sp.cos(t)], [({t: 0}, (2,)), ({t: sp.pi}, (0,))]),
    ([sp.cos(t), sp.sin(t)**2], [({t: 0}, (1, 0)), ({t: sp.pi}, (-1, 0))]),
], ids=["1 + cos t", "(cos t, sin^2 t)"])
def test_rank_drop_at_pi_is_not_lost_to_the_half_angle_lift(phi, drops):
    # tan(t/2) is infinite at t = pi, so the lifted equations cannot see it: it is examined apart
    M = Model(phi, [t])
    S = singular_points(M)
    assert [(dict(q.xi), q.p) for q in S.rank_drops.points] == drops
    assert "period 2*pi in t" in S.rank_drops.note
    for q in S.rank_drops.points:  # numeric cross-check: J vanishes there
        assert num_rank_at(M, dict(q.xi)) == 0


def test_rank_drop_where_a_quarter_angle_tangent_is_infinite():
    # cos(x/2) lifts to tan(x/4), infinite at x = 2 pi, where J = (0, 0)
    x = sp.Symbol("x", real=True)
    S = singular_points(Model([sp.cos(x / 2), sp.sin(x / 2) ** 3], [x]))
    assert [dict(q.xi) for q in S.rank_drops.points] == [{x: 0}, {x: 2 * sp.pi}]
    assert "period 4*pi in x" in S.rank_drops.note
    # an angle the search cannot place (x t) is not called exhaustive
    t2 = sp.Symbol("s", real=True)
    assert not singular_points(Model([sp.cos(x * t2), t2], [x, t2])).exact


def test_transcendental_model_rank_drops_exact_crossings_numeric():
    # a figure eight: (sin t, sin 2t) passes through 0 at t = 0 and t = pi with different tangents
    M = Model([sp.sin(t), sp.sin(2 * t)], [t], name="figure eight")
    S = singular_points(M, starts=16)
    assert not S.exact
    assert S.rank_drops.method == "exact" and S.rank_drops.is_empty
    assert "not a rational function" in S.scope
    assert any(d.kind == "crossing" and all(abs(float(v)) < 1e-20 for v in d.crossing.p) for d in S.details)
    assert S.numeric.same_sheet_pairs >= 0
