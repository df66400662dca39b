"""Issue 12, RBMs: the Gibbs form of ``J`` and ``G``, the guessed-and-proved echelon form, and the
rational linear algebra through python-flint, each against an independent computation.

* ``rbm(...)``'s ``J`` (written through the scores) equals SymPy's derivative of ``phi`` exactly, and
  its unexpanded ``G`` equals the lifted ``J^T diag(1/p) J`` exactly and mpmath's ``J^T g J`` at a point;
* :func:`symgrad.exact.dense.rref` with a constant echelon form (guessed at points, proved in the
  field) equals the plain elimination, and refuses a wrong guess;
* ``fmpq_mat`` paths for ``Fraction`` and degree-tracked matrices give the values and degree bounds
  of the entrywise arithmetic.
"""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symgrad.exact import dense
from symgrad.exact.field import DegreeTracked, total
from symgrad.exact.lifting import Lifting
from symgrad.exceptions import ArgumentError, RankError, ShapeError
from symgrad.model import GibbsForm, Model
from symgrad.supervised import rbm


@pytest.mark.parametrize("nv,nh", [(2, 1), (2, 2), (3, 1)])
def test_gibbs_jacobian_is_the_derivative(nv: int, nh: int) -> None:
    M = rbm(nv, nh)
    J0 = M.phi.jacobian(M.xi)           # SymPy's derivative of the quotient, independent of the scores
    L = Lifting.build(list(J0) + list(M.J), M.xi)
    assert all(L.lift(J0[i, j] - M.J[i, j]).is_zero() for i in range(J0.rows) for j in range(J0.cols))
    assert M.J != J0                     # it is a different expression of the same functions


def test_gibbs_gram_equals_the_pullback_exactly() -> None:
    M = rbm(2, 2)
    E = M.exact
    G1 = M._gibbs.gram()                 # (Z S - Z_a Z_b) / Z^2, unexpanded
    L = E.lifting
    pull = dense.matmul(dense.matmul(dense.transpose(E.J), E.g), E.J)   # J^T g J, entrywise in the field
    assert all(L.lift(G1[i, j]) == pull[i][j] for i in range(G1.rows) for j in range(G1.cols))
    assert all(E.G[i][j] == pull[i][j] for i in range(G1.rows) for j in range(G1.cols))


def _mp_gram(M: Model, pt: dict) -> mpmath.matrix:
    """``J^T diag(1/p) J`` at a point by mpmath from SymPy's derivative of ``phi``."""
    with mpmath.workdps(50):
        vals = [mpmath.mpf(pt[s].p) / pt[s].q for s in M.xi]
        J = mpmath.matrix(sp.lambdify(M.xi, M.phi.jacobian(M.xi), "mpmath")(*vals).tolist())
        p = sp.lambdify(M.xi, list(M.phi), "mpmath")(*vals)
        g = mpmath.diag([1 / x for x in p])
        return J.T * g * J


def test_large_rbm_gram_is_unexpanded_and_agrees_with_mpmath() -> None:
    M = rbm(3, 2)                        # its cancelled G has 283,190 terms: given unexpanded
    G = M.G
    assert M.exact.G_within(M.G_EXPAND_LIMIT) is None
    rng = random.Random(5)
    pt = {s: sp.Rational(rng.randint(-16, 16), 8) for s in M.xi}
    ref = _mp_gram(M, pt)
    with mpmath.workdps(50):
        vals = [mpmath.mpf(pt[s].p) / pt[s].q for s in M.xi]
        got = mpmath.matrix(sp.lambdify(M.xi, G, "mpmath")(*vals).tolist())
        scale = max(abs(x) for x in ref)
        assert max(abs(got[i, j] - ref[i, j]) for i in range(ref.rows) for j in range(ref.cols)) / scale < 1e-40


def test_small_rbm_gram_is_cancelled() -> None:
    M = rbm(2, 1)
    E = M.exact
    assert E.G_within(M.G_EXPAND_LIMIT) is not None
    assert all(E.lifting.lift(M.G[i, j]) == E.G[i][j] for i in range(5) for j in range(5))


def test_gibbs_form_is_checked() -> None:
    a = sp.Symbol("a", real=True)
    w = (sp.Integer(1), sp.exp(a))
    T = sp.ImmutableMatrix([[0], [1]])
    Z = w[0] + w[1]
    M = Model([w[0] / Z, w[1] / Z], [a], gibbs=GibbsForm(w, T))
    assert sp.simplify(M.J[1, 0] - sp.diff(w[1] / Z, a)) == 0
    with pytest.raises(ShapeError, match="GibbsForm"):
        Model([w[0] / Z, w[1] / Z], [a], gibbs=GibbsForm(w, sp.ImmutableMatrix([[0, 1], [1, 0]])))
    with pytest.raises(ArgumentError, match="w_2 / sum"):
        Model([w[0] / Z, 1 - w[0] / Z], [a], gibbs=GibbsForm(w, T))
    with pytest.raises(ArgumentError, match="GibbsForm"):
        Model([w[0] / Z, w[1] / Z], [a], gibbs=object())


# -- the echelon form guessed at points and proved --------------------------------------------

def _field(n: int):
    xs = sp.symbols(f"x1:{n + 1}", real=True)
    return xs, Lifting.build(list(xs), xs)


def test_constant_echelon_form_is_guessed_and_equals_elimination() -> None:
    xs, L = _field(3)
    x, y, z = (L.lift(s) for s in xs)
    # rows span {v : v1 + v2 + v3 + v4 = 0} (a simplex tangent space) with non-constant entries
    rows = [[x, y, -x - y, L.zero], [x * y, L.zero, z, -x * y - z], [y / (1 + x), x, -x, -y / (1 + x)],
            [x + z, z, -x - 2 * z, L.zero]]
    guessed = dense._rref_constant(rows)
    assert guessed is not None
    R, piv = guessed
    assert piv == [0, 1, 2]
    assert [[str(e) for e in r] for r in R] == [[str(e) for e in r] for r in
                                                [[L.one, L.zero, L.zero, -L.one], [L.zero, L.one, L.zero, -L.one],
                                                 [L.zero, L.zero, L.one, -L.one]]]
    M = [list(r) for r in rows]
    _, pcol, _, _, _ = dense._eliminate(M, 4, lambda v: v.is_zero(), lambda v: v.size(), jordan=True)
    assert pcol == piv and M[:len(pcol)] == R


def test_non_constant_echelon_form_falls_back() -> None:
    xs, L = _field(2)
    x, y = (L.lift(s) for s in xs)
    full = [[L.one, x, y], [x, L.one, x * y], [y, x + y, L.one], [L.one, y, x]]
    assert dense._rref_constant(full) == (dense.identity(3, L.one, L.zero), [0, 1, 2])   # full rank: I
    rows = [[L.one, x, y, x * y], [L.one, x, y, x * y + 1], [x, x * x, x * y, x * x * y]]
    assert dense._rref_constant(rows) is None       # its echelon form (1, x, y, 0), (0, 0, 0, 1) varies
    R, piv = dense.rref(rows)                        # elimination
    assert piv == [0, 3] and R == [[L.one, x, y, L.zero], [L.zero, L.zero, L.zero, L.one]]


# -- rational matrices in python-flint ---------------------------------------------------------

def _rand_frac(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(-50, 50), rng.randint(1, 9))


def test_rational_paths_agree_with_elimination() -> None:
    rng = random.Random(1)
    for _ in range(20):
        m, n = rng.randint(1, 5), rng.randint(1, 5)
        A = [[_rand_frac(rng) if rng.random() < 0.7 else Fraction(0) for _ in range(n)] for _ in range(m)]
        if rng.random() < 0.3 and m > 1:
            A[-1] = [a + 2 * b for a, b in zip(A[0], A[1 % m])]   # a dependent row
        r, rows, cols = dense.rank_profile(A)
        M = [list(x) for x in A]
        prow, _, _, _, _ = dense._eliminate(M, n, lambda v: v == 0, lambda v: 0, full=True)
        assert r == len(prow)
        if r:
            W = dense.submatrix(A, rows, cols)
            assert dense.det(W) != 0
        R, piv = dense.rref(A)
        M = [list(x) for x in A]
        _, pcol, _, _, _ = dense._eliminate(M, n, lambda v: v == 0, lambda v: 0, jordan=True)
        assert piv == pcol and R == M[:len(pcol)]
        B = [[_rand_frac(rng) for _ in range(3)] for _ in range(n)]
        AB = dense.matmul(A, B)
        assert AB == [[sum((A[i][t] * B[t][j] for t in range(n)), Fraction(0)) for j in range(3)] for i in range(m)]
        if m == n:
            try:
                X = dense.inverse(A)
            except RankError:
                assert r < n
            else:
                assert dense.matmul(A, X) == dense.identity(n, Fraction(1), Fraction(0))


def test_tracked_product_matches_entrywise_bounds() -> None:
    rng = random.Random(2)
    for _ in range(30):
        m, k, n = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)

        def entry() -> DegreeTracked:
            v = _rand_frac(rng) if rng.random() < 0.7 else Fraction(0)
            return DegreeTracked(v, rng.choice([0, 0, 1, 3]), rng.choice([0, 1, 2]))

        A = [[entry() for _ in range(k)] for _ in range(m)]
        B = [[entry() for _ in range(n)] for _ in range(k)]
        C = dense.matmul(A, B)
        for i in range(m):
            for j in range(n):
                terms = [A[i][t] * B[t][j] for t in range(k) if not A[i][t].is_zero() and not B[t][j].is_zero()]
                ref = total(terms) if terms else A[0][0] * 0
                assert (C[i][j].value, C[i][j].num_deg, C[i][j].den_deg) == (ref.value, ref.num_deg, ref.den_deg)
