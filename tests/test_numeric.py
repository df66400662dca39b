"""Tests of symgrad.numeric, the independent numeric reference (mpmath SVD at a stated precision).

The known answers are published examples or hand computations; the properties
are the four Penrose conditions at 50 digits.  Hypothesis runs derandomised
(``derandomize=True``), so every failure reproduces.
"""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.exceptions import DomainError, ShapeError, SymbolError, SymgradError
from symgrad.numeric import default_rank_tol, evaluate_matrix, max_abs_diff, numeric_pinv, random_point

SETTINGS = settings(derandomize=True, deadline=None, max_examples=40, print_blob=True)
DPS = 50
TOL = mpmath.mpf(10) ** -40

R = sp.Rational

# name -> (A, expected A^+ computed by hand, rank, source)
NUMERIC_EXAMPLES = {
    # REDUCE manual, linalg package, operator pseudo_inverse: R = mat((1,2,3,4),(9,8,7,6)).
    # Full row rank, so A^+ = A^T (A A^T)^-1 with A A^T = [[30, 70], [70, 230]], det 2000.
    "reduce_manual_2x4": (
        [[1, 2, 3, 4], [9, 8, 7, 6]],
        [[R(-1, 5), R(1, 10)], [R(-1, 20), R(1, 20)], [R(1, 10), 0], [R(1, 4), R(-1, 20)]],
        2,
    ),
    # Maple help, Student[LinearAlgebra][Pseudoinverse]: the column <1, 3> -> [1/10, 3/10] (= a^T / a^T a).
    "maple_student_column": ([[1], [3]], [[R(1, 10), R(3, 10)]], 1),
    # Maple help, LinearAlgebra[MatrixInverse](method=pseudo) on the singular 3x3 matrix 1..9.
    # By hand: rank 2, A = C F with C the first two columns, A^+ = F^T (F F^T)^-1 (C^T C)^-1 C^T.
    "maple_matrixinverse_1to9": (
        [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
        [[R(-23, 36), R(-1, 6), R(11, 36)], [R(-1, 18), 0, R(1, 18)], [R(19, 36), R(1, 6), R(-7, 36)]],
        2,
    ),
    # MATLAB Cody problem 42587 ("Moore-Penrose pseudoinverse of matrix"), test 1: invertible, A^+ = A^-1.
    "cody_42587_test1": ([[1, 2], [3, 4]], [[-2, 1], [R(3, 2), R(-1, 2)]], 2),
    # MATLAB Cody problem 42587, test 2.
    "cody_42587_test2": ([[0, 1], [1, 1]], [[-1, 1], [1, 0]], 2),
    # Penrose (1955): the generalised inverse of the zero m x n matrix is the zero n x m matrix.
    "penrose_zero_2x3": ([[0, 0, 0], [0, 0, 0]], [[0, 0], [0, 0], [0, 0]], 0),
    # Rank one: (x y^T)^+ = y x^T / (|x|^2 |y|^2) (Ben-Israel & Greville, Generalized Inverses);
    # here x = (1, 2), y = (1, 2): A^+ = A / 25.
    "rank_one_1224": ([[1, 2], [2, 4]], [[R(1, 25), R(2, 25)], [R(2, 25), R(4, 25)]], 1),
    # Penrose (1955): a diagonal matrix inverts its non-zero entries and keeps its zeros.
    "penrose_diagonal": ([[2, 0, 0], [0, 0, 0], [0, 0, -4]], [[R(1, 2), 0, 0], [0, 0, 0], [0, 0, R(-1, 4)]], 2),
}


@pytest.mark.parametrize("name", sorted(NUMERIC_EXAMPLES))
def test_numeric_pinv_known_answers(name):
    A, expected, rank = NUMERIC_EXAMPLES[name]
    X, r, s = numeric_pinv(A, dps=DPS)
    assert r == rank, f"{name}: numeric rank {r}, expected {rank}; singular values {s}"
    assert max_abs_diff(X, sp.Matrix(expected), DPS) < TOL


@pytest.mark.parametrize("name", sorted(NUMERIC_EXAMPLES))
def test_known_answer_table_is_right(name):
    """The table itself satisfies the four Penrose conditions, in SymPy's exact rational arithmetic."""
    A, X, _ = NUMERIC_EXAMPLES[name]
    A, X = sp.Matrix(A), sp.Matrix(X)
    assert A * X * A == A
    assert X * A * X == X
    assert (A * X).T == A * X
    assert (X * A).T == X * A


def test_singular_values_known():
    # [[3, 0], [0, -4]] has singular values 4, 3; [[1, 1], [1, 1]] has 2, 0.
    _, r, s = numeric_pinv([[3, 0], [0, -4]], dps=DPS)
    assert r == 2 and abs(s[0] - 4) < TOL and abs(s[1] - 3) < TOL
    _, r, s = numeric_pinv([[1, 1], [1, 1]], dps=DPS)
    assert r == 1 and abs(s[0] - 2) < TOL and abs(s[1]) < TOL


def test_rank_tol_is_respected():
    eps = sp.Rational(1, 10**30)
    A = sp.Matrix([[1, 0], [0, eps]])
    X, r, _ = numeric_pinv(A, dps=DPS)  # default threshold: sigma_max * 1e-25
    assert r == 1, "1e-30 is below the default threshold 1e-25 and must count as zero"
    assert abs(X[1, 1]) == 0
    X, r, _ = numeric_pinv(A, dps=DPS, rank_tol=mpmath.mpf(10) ** -35)
    assert r == 2
    with mpmath.workdps(DPS):
        assert abs(X[1, 1] - mpmath.mpf(10) ** 30) < mpmath.mpf(10) ** -10


def test_default_rank_tol_value():
    with mpmath.workdps(DPS):
        assert default_rank_tol([mpmath.mpf(8), mpmath.mpf(1)], DPS) == mpmath.mpf(8) * mpmath.mpf(10) ** -25


def test_precision_is_scoped():
    before = mpmath.mp.dps
    x = sp.Symbol("x")
    evaluate_matrix(sp.Matrix([[sp.exp(x)]]), {x: 1}, dps=80)
    numeric_pinv([[1, 2], [3, 4]], dps=80)
    assert mpmath.mp.dps == before


def test_evaluate_matrix_known_values():
    x, y = sp.symbols("x y", real=True)
    M = sp.Matrix([[sp.exp(x), sp.cos(y)], [x / y, sp.Integer(7)]])
    A = evaluate_matrix(M, {x: R(1, 3), y: R(2, 5)}, dps=DPS)
    with mpmath.workdps(DPS):
        assert abs(A[0, 0] - mpmath.exp(mpmath.mpf(1) / 3)) < TOL
        assert abs(A[0, 1] - mpmath.cos(mpmath.mpf(2) / 5)) < TOL
        assert abs(A[1, 0] - mpmath.mpf(5) / 6) < TOL
        assert A[1, 1] == 7


def test_evaluate_matrix_keeps_cancellation():
    # cos^2 + sin^2 - 1 is exactly zero: evaluation must not leave more than rounding noise
    t = sp.Symbol("t")
    A = evaluate_matrix(sp.Matrix([[sp.cos(t) ** 2 + sp.sin(t) ** 2 - 1]]), {t: R(7, 3)}, dps=DPS)
    assert abs(A[0, 0]) < TOL


@pytest.mark.parametrize(
    "M, point, exc, words",
    [
        (sp.Matrix([[sp.Symbol("a")]]), {}, SymbolError, "no value"),
        (sp.Matrix([[1 / sp.Symbol("a")]]), {sp.Symbol("a"): 0}, DomainError, "undefined"),
        (sp.Matrix([[sp.sin(sp.Symbol("a")) / sp.Symbol("a")]]), {sp.Symbol("a"): 0}, DomainError, "undefined"),
        (sp.Matrix([[sp.sqrt(sp.Symbol("a"))]]), {sp.Symbol("a"): -1}, DomainError, "not real"),
    ],
    ids=["missing_symbol", "pole", "zero_over_zero", "complex"],
)
def test_evaluate_matrix_errors(M, point, exc, words):
    with pytest.raises(exc, match=words) as info:
        evaluate_matrix(M, point, dps=30)
    assert isinstance(info.value, SymgradError)


def test_numeric_pinv_errors():
    a = sp.Symbol("a")
    with pytest.raises(SymbolError, match="free symbols"):
        numeric_pinv(sp.Matrix([[a, 1]]))
    with pytest.raises(ShapeError, match="empty"):
        numeric_pinv(sp.Matrix(0, 0, []))
    with pytest.raises(ShapeError, match="cannot read"):
        numeric_pinv([[1, 2], [3]])
    with pytest.raises(ShapeError, match="cannot compare"):
        max_abs_diff(mpmath.matrix([[1, 2]]), sp.Matrix([[1], [2]]))


def test_random_point_reproducible_and_in_range():
    a, b = sp.symbols("a b", real=True)
    p = sp.Symbol("p", positive=True)
    pts = [random_point([a, b, p], seed, bound=3, max_den=4) for seed in range(50)]
    assert pts[7] == random_point([a, b, p], 7, bound=3, max_den=4)
    assert random_point([a, b, p], random.Random(7), bound=3, max_den=4) == pts[7]
    for pt in pts:
        assert set(pt) == {a, b, p}
        for s, v in pt.items():
            assert v.is_Rational and v != 0 and abs(v) <= 3 and v.q <= 4
        assert pt[p] > 0
    assert any(pt[a] < 0 for pt in pts), "unconstrained symbols must also take negative values"
    assert all(v > 0 for seed in range(10) for v in random_point([a, b], seed, positive=True).values())
    assert all(random_point([a, b, p], seed, positive=[a])[a] > 0 for seed in range(10))
    assert any(random_point([a], s, allow_zero=True, bound=1, max_den=1)[a] == 0 for s in range(40))
    assert all(random_point([p], s, positive=False, bound=2)[p] != 0 for s in range(10))


def test_random_point_errors():
    with pytest.raises(SymbolError, match="symbols"):
        random_point([sp.Symbol("a") + 1], 0)
    with pytest.raises(ShapeError, match="at least 1"):
        random_point([sp.Symbol("a")], 0, bound=0)


@st.composite
def rational_matrices(draw, max_rows=4, max_cols=4):
    m = draw(st.integers(1, max_rows))
    n = draw(st.integers(1, max_cols))
    r = draw(st.integers(0, min(m, n)))
    # a product of an m x r and an r x n integer matrix has rank at most r: rank drops are common
    L = [[draw(st.integers(-5, 5)) for _ in range(r)] for _ in range(m)]
    Rm = [[draw(st.fractions(-3, 3, max_denominator=4)) for _ in range(n)] for _ in range(r)]
    if r == 0:
        return sp.zeros(m, n)
    return sp.Matrix(L) * sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in Rm])


@SETTINGS
@given(rational_matrices())
def test_numeric_pinv_penrose_conditions(A):
    X, r, s = numeric_pinv(A, dps=DPS)
    assert r == A.rank(), f"numeric rank {r} != exact rank {A.rank()} of {A.tolist()}; singular values {s}"
    with mpmath.workdps(DPS):
        M = evaluate_matrix(A, {}, DPS)
        scale = 1 + max((abs(x) for x in X), default=0) ** 2 * (1 + max((abs(x) for x in M), default=0)) ** 2
        tol = TOL * scale
        assert mpmath.mnorm(M * X * M - M, 1) < tol
        assert mpmath.mnorm(X * M * X - X, 1) < tol
        assert mpmath.mnorm(M * X - (M * X).T, 1) < tol
        assert mpmath.mnorm(X * M - (X * M).T, 1) < tol


@SETTINGS
@given(rational_matrices(3, 3))
def test_numeric_pinv_agrees_with_exact_rational_pinv(A):
    # SymPy's own pinv on a *rational* matrix is exact and shares no code with mpmath's SVD
    X, _, _ = numeric_pinv(A, dps=DPS)
    size = max((abs(x) for x in X), default=0)
    assert max_abs_diff(X, A.pinv(), DPS) < TOL * (1 + size)
