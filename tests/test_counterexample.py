"""Figure 2 of the paper: eq. (4) on each branch of a singular point, and the reparametrisation swapping them."""
from __future__ import annotations

import os
import random
import sys

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import DomainError, ShapeError, SingularPointError, SymbolError
from symgrad.model import Model
from symgrad.singular import Classification, Crossing, SingularPoints, classify, ensure_nonsingular, singular_points
from symgrad.counterexample import branch_gradients, branch_swap, counterexample
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "singular"))  # the shared cases, also when run alone
from singular_cases import (  # noqa: E402
    DPS, TOL, a, b, cusp, linear_net, nodal, num_joint_rank, num_matrix, num_rank_at, numeric_recipe, product,
    real_roots_1d, sliced_preimages, smooth, svd_rank, t, w1, w2a, w2b,
)


def test_branch_gradients_nodal_cubic_by_hand():
    M = nodal()
    z1, z2 = M.z
    L = z1 + 2 * z2
    B = branch_gradients(M, L, (0, 0))
    assert [dict(x.xi) for x in B] == [{t: 1}, {t: -1}]
    # by hand: at t = 1, d = (2, 2), G = 8, nabla = 2 + 4 = 6, vector = d * 6/8 = (3/2, 3/2);
    #          at t = -1, d = (-2, 2), G = 8, nabla = -2 + 4 = 2, vector = d * 2/8 = (-1/2, 1/2)
    assert B[0].d == ((2, 2),) and B[0].G == sp.Matrix([[8]]) and B[0].nabla == (6,)
    assert B[0].vector == (sp.Rational(3, 2), sp.Rational(3, 2))
    assert B[1].d == ((-2, 2),) and B[1].nabla == (2,)
    assert B[1].vector == (-sp.Rational(1, 2), sp.Rational(1, 2))
    assert B[0].span == ((1, 1),) and B[1].span == ((1, -1),)
    assert all(x.method == "exact" for x in B)
    for x in B:
        assert [float(v) for v in numeric_recipe(M, L, dict(x.xi))] == pytest.approx([float(v) for v in x.vector])


def test_branch_gradients_rank_drop_and_fibres():
    # the cusp: one preimage, J = 0 there, so eq. (4) gives the zero vector
    (B,) = branch_gradients(cusp(), sp.Symbol("z1") + sp.Symbol("z2"), (0, 0))   # loss matched by name
    assert B.rank == 0 and B.vector == (0, 0) and B.span == ()
    # the product model at 0: full-rank preimages give dL, the rank-drop preimage gives 0
    M = product()
    (z,) = M.z
    B = branch_gradients(M, 3 * z, (0,))
    vecs = sorted(x.vector for x in B)
    assert vecs == [(0,), (3,), (3,)]
    for x in B:
        assert [float(v) for v in numeric_recipe(M, 3 * z, dict(x.xi))] == pytest.approx([float(v) for v in x.vector])
    # the linear network at the origin: the rank-drop fibre w1 = 0 sees only a line
    N = linear_net()
    z1, z2 = N.z
    B = branch_gradients(N, z1 + 2 * z2, (0, 0))
    full = [x for x in B if x.rank == 2]
    low = [x for x in B if x.rank == 1]
    assert full and low
    assert all(x.vector == (1, 2) for x in full)          # the whole gradient of z1 + 2 z2
    assert all(x.vector != (1, 2) for x in low)
    for x in B:
        assert [float(v) for v in numeric_recipe(N, z1 + 2 * z2, dict(x.xi))] == pytest.approx(
            [float(v) for v in x.vector])


def test_counterexample_reparametrisation():
    M = nodal()
    z1, z2 = M.z
    X = counterexample(M, z1 + 2 * z2, (0, 0))
    eta = X.swap.eta[0]
    assert tuple(X.swap.f) == (eta - 2,) and X.swap.kind == "translation"
    assert X.swap.f[0].subs(eta, 1) == -1                    # f(xi1) = xi2
    assert X.blue.vector == (sp.Rational(3, 2), sp.Rational(3, 2))
    assert X.red.vector == (-sp.Rational(1, 2), sp.Rational(1, 2))
    assert X.differ and X.matches_other_branch
    # numeric: phi o f at eta = 1 reaches p = (0, 0), and its recipe is the red vector
    Mf = X.model_f
    with mpmath.workdps(DPS):
        assert all(abs(mpmath.mpf(sp.N(e.subs(eta, 1), DPS))) < TOL for e in Mf.phi)
    assert [float(v) for v in numeric_recipe(Mf, Mf.z[0] + 2 * Mf.z[1], {eta: 1})] == pytest.approx([-0.5, 0.5])
    # a scaling for positive parameters
    s = sp.Symbol("s", positive=True)
    P = Model([s, s**2], [s])
    F = branch_swap(P, (2,), (6,))
    assert F.kind == "scaling" and F.f[0].subs(F.eta[0], 2) == 6
    with pytest.raises(SingularPointError):
        counterexample(cusp(), sp.Symbol("z1"), (0, 0))      # one branch only: no Fig. 2 counterexample
