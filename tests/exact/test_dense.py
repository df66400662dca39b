"""Tests of symgrad.exact.dense: dense linear algebra over any field, written once.

Known answers come from classical closed forms (Hilbert's matrix, Vandermonde's
determinant, the 2x2 adjugate, the second-difference matrix); the properties
compare against SymPy's exact rational linear algebra, which shares no code
with symgrad.  Hypothesis runs derandomised.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from flint import fmpz_mpoly_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.exact import dense as linalg
from symgrad.exceptions import RankError, ShapeError, SymgradError
from symgrad.exact.ratfunc import RF

SETTINGS = settings(derandomize=True, deadline=None, max_examples=60, print_blob=True)

F = Fraction


def frac(M):
    return [[F(x) for x in row] for row in M]


def to_sympy(M):
    return sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in M])


# name -> (A, A^-1), closed forms
INVERSES = {
    # Hilbert (1894): the 3x3 Hilbert matrix H_ij = 1/(i+j-1) has an integer inverse
    "hilbert_3": (
        [[F(1), F(1, 2), F(1, 3)], [F(1, 2), F(1, 3), F(1, 4)], [F(1, 3), F(1, 4), F(1, 5)]],
        [[9, -36, 30], [-36, 192, -180], [30, -180, 180]],
    ),
    # second-difference matrix tridiag(-1, 2, -1), n = 3: det 4, inverse (min(i,j)(n+1-max(i,j)))/(n+1)
    "second_difference_3": (
        [[2, -1, 0], [-1, 2, -1], [0, -1, 2]],
        [[F(3, 4), F(1, 2), F(1, 4)], [F(1, 2), F(1), F(1, 2)], [F(1, 4), F(1, 2), F(3, 4)]],
    ),
    # 2x2 adjugate formula: [[1, 2], [3, 4]]^-1 = [[4, -2], [-3, 1]] / (-2)
    "two_by_two": ([[1, 2], [3, 4]], [[-2, 1], [F(3, 2), F(-1, 2)]]),
    # a permutation matrix is orthogonal: its inverse is its transpose
    "permutation": ([[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]]),
}


@pytest.mark.parametrize("name", sorted(INVERSES))
def test_inverse_known_answers(name):
    A, Ainv = INVERSES[name]
    assert linalg.inverse(frac(A)) == frac(Ainv)


# name -> (A, det A)
DETERMINANTS = {
    "hilbert_3": (INVERSES["hilbert_3"][0], F(1, 2160)),  # Hilbert: det H_3 = 1/2160
    "second_difference_4": ([[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]], F(5)),  # n + 1
    "one_to_nine": ([[1, 2, 3], [4, 5, 6], [7, 8, 9]], F(0)),
    "needs_row_swap": ([[0, 1, 2], [1, 0, 3], [4, -3, 8]], F(-2)),  # expansion by the first row: 0 - 1*(8-12) + 2*(-3) = -2
    "one_by_one": ([[7]], F(7)),
}


@pytest.mark.parametrize("name", sorted(DETERMINANTS))
def test_det_known_answers(name):
    A, d = DETERMINANTS[name]
    assert linalg.det(frac(A)) == d


def test_rank_profile_known_answers():
    r, rows, cols = linalg.rank_profile(frac([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    assert r == 2 and len(rows) == len(cols) == 2
    r, rows, cols = linalg.rank_profile(frac([[0, 0], [0, 0]]))
    assert (r, rows, cols) == (0, [], [])
    r, rows, cols = linalg.rank_profile(frac([[0, 0, 5], [0, 0, 0]]))
    assert (r, rows, cols) == (1, [0], [2])


def test_pinv_full_rank_known_answer():
    # REDUCE manual, operator pseudo_inverse: mat((1,2,3,4),(9,8,7,6)); by hand A^T (A A^T)^-1
    A = frac([[1, 2, 3, 4], [9, 8, 7, 6]])
    r, rows, cols = linalg.rank_profile(A)
    expected = [[F(-1, 5), F(1, 10)], [F(-1, 20), F(1, 20)], [F(1, 10), F(0)], [F(1, 4), F(-1, 20)]]
    assert linalg.pinv_full_rank(A, rows, cols) == expected
    assert linalg.pinv_projector(A, rows, cols)[0] == expected
    # Maple help, LinearAlgebra[MatrixInverse](method=pseudo), the singular matrix 1..9 (rank 2), by hand
    B = frac([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    r, rows, cols = linalg.rank_profile(B)
    expected = frac([[F(-23, 36), F(-1, 6), F(11, 36)], [F(-1, 18), 0, F(1, 18)], [F(19, 36), F(1, 6), F(-7, 36)]])
    assert linalg.pinv_full_rank(B, rows, cols) == expected
    assert linalg.pinv_projector(B, rows, cols)[0] == expected


def test_nullspace_known_answer():
    (v,) = linalg.nullspace(frac([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    assert v == [F(1), F(-2), F(1)]
    assert linalg.nullspace(frac([[1, 0], [0, 1]])) == []


CTX = fmpz_mpoly_ctx.get(("a", "b", "c", "d"), "degrevlex")
A_, B_, C_, D_ = (RF.gen(CTX, i) for i in range(4))


def test_rational_function_matrices():
    # Maple help (Student[LinearAlgebra], Pseudoinverse): <<a,c>|<b,d>>^+ = [[d, -b], [-c, a]] / (ad - bc)
    M = [[A_, B_], [C_, D_]]
    det = A_ * D_ - B_ * C_
    assert linalg.det(M) == det
    assert linalg.inverse(M) == [[D_ / det, -B_ / det], [-C_ / det, A_ / det]]
    # Vandermonde: det [[1, a, a^2], [1, b, b^2], [1, c, c^2]] = (b - a)(c - a)(c - b)
    one = RF.const(CTX, 1)
    V = [[one, s, s * s] for s in (A_, B_, C_)]
    assert linalg.det(V) == (B_ - A_) * (C_ - A_) * (C_ - B_)
    # a rank-one matrix of rational functions: u v^T
    u, v = [A_, B_ / C_], [C_, D_, one]
    UV = [[ui * vj for vj in v] for ui in u]
    r, rows, cols = linalg.rank_profile(UV)
    assert r == 1
    assert linalg.nullspace(UV) and all(
        all(x.is_zero() for x in linalg.matmul(UV, [[c] for c in w])[0]) for w in linalg.nullspace(UV)
    )


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: linalg.matmul(frac([[1, 2]]), frac([[1, 2]])), ShapeError, "1x2 matrix by a 1x2"),
        (lambda: linalg.matadd(frac([[1, 2]]), frac([[1], [2]])), ShapeError, "cannot add"),
        (lambda: linalg.matsub(frac([[1, 2]]), frac([[1], [2]])), ShapeError, "cannot subtract"),
        (lambda: linalg.inverse(frac([[1, 2]])), ShapeError, "square"),
        (lambda: linalg.det(frac([[1, 2]])), ShapeError, "square"),
        (lambda: linalg.inverse(frac([[1, 2], [2, 4]])), RankError, "singular"),
    ],
    ids=["matmul", "matadd", "matsub", "inverse_not_square", "det_not_square", "inverse_singular"],
)
def test_errors(call, exc, words):
    with pytest.raises(exc, match=words) as info:
        call()
    assert isinstance(info.value, SymgradError)


@st.composite
def low_rank_matrices(draw, max_size=4, symmetric=False):
    """Rational matrices L @ R of random rank (so rank drops are frequent)."""
    m = draw(st.integers(1, max_size))
    n = m if symmetric else draw(st.integers(1, max_size))
    r = draw(st.integers(0, min(m, n)))
    ent = st.fractions(-4, 4, max_denominator=3)
    L = [[draw(ent) for _ in range(r)] for _ in range(m)]
    if symmetric:  # L D L^T with D = diag(+-1): symmetric, possibly indefinite
        D = [draw(st.sampled_from([F(1), F(-1)])) for _ in range(r)]
        return [[sum((L[i][k] * D[k] * L[j][k] for k in range(r)), F(0)) for j in range(m)] for i in range(m)]
    Rm = [[draw(ent) for _ in range(n)] for _ in range(r)]
    return [[sum((L[i][k] * Rm[k][j] for k in range(r)), F(0)) for j in range(n)] for i in range(m)]


@SETTINGS
@given(low_rank_matrices())
def test_rank_profile_and_pinv_against_sympy(A):
    S = to_sympy(A)
    r, rows, cols = linalg.rank_profile(A)
    assert r == S.rank()
    if r:
        assert linalg.det(linalg.submatrix(A, rows, cols)) != 0, "the pivot block must be invertible"
    X = linalg.pinv_full_rank(A, rows, cols)
    assert to_sympy(X) == S.pinv()  # SymPy's pinv is exact on rational matrices
    if r:
        Xp, K, Kl = linalg.pinv_projector(A, rows, cols)
        assert to_sympy(Xp) == S.pinv()
        for B, N in ((S, K), (S.T, Kl)):  # the null bases: B N = 0, of full column rank
            if N and N[0]:
                Nm = to_sympy(N)
                assert B * Nm == sp.zeros(B.rows, Nm.cols) and Nm.rank() == Nm.cols == B.cols - r


@SETTINGS
@given(low_rank_matrices(symmetric=True))
def test_symmetric_pinv_against_sympy(A):
    S = to_sympy(A)
    r, rows, cols = linalg.rank_profile(A)
    X = linalg.pinv_full_rank(A, cols, cols, symmetric=True)
    assert to_sympy(X) == S.pinv()
    if r:
        assert to_sympy(linalg.pinv_projector(A, cols, cols, symmetric=True)[0]) == S.pinv()


@SETTINGS
@given(low_rank_matrices())
def test_nullspace_basis(A):
    S = to_sympy(A)
    basis = linalg.nullspace(A)
    assert len(basis) == S.cols - S.rank()
    for v in basis:
        assert S * sp.Matrix(v) == sp.zeros(S.rows, 1)
    if basis:
        assert sp.Matrix([list(v) for v in basis]).rank() == len(basis)


@SETTINGS
@given(st.integers(1, 4).flatmap(lambda n: st.lists(
    st.lists(st.fractions(-5, 5, max_denominator=4), min_size=n, max_size=n), min_size=n, max_size=n)))
def test_det_and_inverse_against_sympy(A):
    S = to_sympy(A)
    d = linalg.det(A)
    assert sp.Rational(d.numerator, d.denominator) == S.det()
    if d == 0:
        with pytest.raises(RankError):
            linalg.inverse(A)
    else:
        assert to_sympy(linalg.inverse(A)) == S.inv()


def test_rref_is_canonical_and_shares_the_kernel():
    A = frac([[2, 4, 6], [1, 2, 4], [3, 6, 10]])
    R, piv = linalg.rref(A)
    assert R == frac([[1, 2, 0], [0, 0, 1]]) and piv == [0, 2]
    # the same row space in another basis gives the same reduced form
    assert linalg.rref(frac([[1, 2, 4], [1, 2, 3]]))[0] == R


def test_one_kernel_on_every_entry_type():
    """Fractions, rational functions and mpmath numbers run through the same elimination."""
    import mpmath
    A = [[2, 1], [1, 3]]
    assert linalg.det(frac(A)) == 5
    with mpmath.workdps(30):
        M = [[mpmath.mpf(x) for x in row] for row in A]
        inv = linalg.inverse(M, lambda z: abs(z) < mpmath.mpf(10) ** -20)
        assert mpmath.almosteq(inv[0][0], mpmath.mpf(3) / 5)
    ctx = fmpz_mpoly_ctx.get(("p", "q"), "degrevlex")
    p, q = RF.gen(ctx, 0), RF.gen(ctx, 1)
    d = linalg.det([[p, q, 0 * p], [q, p, q], [0 * p, q, p]])
    assert d == p**3 - 2 * p * q**2


# -- degree bounds by Cramer's rule (the probabilistic level) --------------------

def _random_rf_matrix(rng, ctx, n, m):
    """An ``n x m`` matrix of rational functions with shared and distinct denominators."""
    x, y, z = ctx.gens()
    dens = [x + 1, y**2 + z + 2, x * y + 3]
    out = []
    for _ in range(n):
        row = []
        for _ in range(m):
            num = sum(rng.randint(-3, 3) * x**rng.randint(0, 2) * y**rng.randint(0, 1) * z**rng.randint(0, 2)
                      for _ in range(3)) + rng.randint(1, 4)
            row.append(RF(num, dens[rng.randrange(3)] ** rng.randint(0, 2)))
        out.append(row)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_cramer_degree_bounds_hold_and_values_are_exact(seed):
    """At a point, the tracked inverse, solve and determinant give the exact values of the rational
    functions (computed independently in the field), and their degree bounds are at least the true
    degrees of the reduced numerators and denominators."""
    import random
    from symgrad.exact.field import DegreeTracked
    rng = random.Random(seed)
    ctx = fmpz_mpoly_ctx.get(("x", "y", "z"), "degrevlex")
    n = 3 + seed % 2
    A = _random_rf_matrix(rng, ctx, n, n)
    B = _random_rf_matrix(rng, ctx, n, 2)
    point = [rng.randint(2, 50) for _ in range(3)]

    def at(M):
        return [[DegreeTracked(x.evaluate(point), *x.degrees()) for x in row] for row in M]

    exact = {"inverse": linalg.inverse(A), "solve": linalg.solve(A, B), "det": [[linalg.det(A)]]}
    tracked = {"inverse": linalg.inverse(at(A)), "solve": linalg.solve(at(A), at(B)), "det": [[linalg.det(at(A))]]}
    for name in exact:
        for erow, trow in zip(exact[name], tracked[name]):
            for e, t in zip(erow, trow):
                assert t.value == e.evaluate(point), name
                num_deg, den_deg = e.degrees()
                assert t.num_deg >= num_deg and t.den_deg >= den_deg, (name, t, e.degrees())


def test_cramer_bounds_grow_polynomially():
    """An ``n x n`` inverse of degree-1 entries: the bound is ``(n - 1, n)`` up to the row
    denominators, where tracking each elimination step doubles the degrees at every pivot."""
    from symgrad.exact.field import DegreeTracked
    n = 12
    A = [[DegreeTracked(F((i + 1) ** j + (i == j)), 1, 0) for j in range(n)] for i in range(n)]
    X = linalg.inverse(A)
    assert max(x.num_deg for row in X for x in row) == n - 1
    assert max(x.den_deg for row in X for x in row) == n


@pytest.mark.parametrize("seed", range(3))
def test_common_denominator_product_equals_entrywise_arithmetic(seed):
    """The product over known irreducible factors of the denominators is the same canonical rational
    function as summing the reduced products one by one (gcds at every step)."""
    import random
    rng = random.Random(seed)
    ctx = fmpz_mpoly_ctx.get(("x", "y", "z"), "degrevlex")
    A, B = _random_rf_matrix(rng, ctx, 3, 4), _random_rf_matrix(rng, ctx, 4, 3)
    x, y, z = ctx.gens()
    A[0][1] = RF(2 * x + 2, 6 * (x + 1) ** 2 * (y + 3))   # a content and a cancelling factor
    slow = [[sum((A[i][t] * B[t][j] for t in range(4)), RF(ctx.constant(0))) for j in range(3)] for i in range(3)]
    assert linalg.matmul(A, B) == slow
    S = linalg.matmul(A, linalg.transpose(A))
    assert linalg.matmul(A, linalg.transpose(A), symmetric=True) == S
