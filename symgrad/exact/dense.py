r"""Dense linear algebra over any field, written once.

The functions here take matrices as lists of rows and work for every entry
type that meets the contract of :mod:`symgrad.exact.field`: the rational
functions :class:`~symgrad.exact.ratfunc.RF`, :class:`fractions.Fraction`,
:class:`~symgrad.exact.field.DegreeTracked` values, number-field elements and
``mpmath.mpf``.  A pivot test ``iszero`` and a pivot cost are the only things
that differ between the levels (exact, at a point, numeric), and they are
passed in.

Every elimination runs through one kernel, :func:`_eliminate` (after SymPy's
``polys/matrices/dense.py``, where ``ddm_iinv`` augments the matrix and calls
``ddm_irref``): :func:`rank_profile` (full pivoting on the cheapest entry),
:func:`inverse` (Gauss-Jordan on ``[A | I]``), :func:`det` (forward
elimination, the product of the pivots), :func:`nullspace` and :func:`rref`
(reduced row echelon form).

The Moore-Penrose inverse uses a full-rank factorisation instead of
``Matrix.pinv``: if the ``r x r`` submatrix ``W = A[q, p]`` is invertible and
``r`` is the rank of ``A``, then with ``C = A[:, p]`` and ``R = A[q, :]``

.. math::

    A = C W^{-1} R, \qquad A^+ = R^T (R R^T)^{-1} W (C^T C)^{-1} C^T,

which one checks against the four Penrose conditions directly.  Only two
``r x r`` inverses are needed, and no simplification.  The exact kernels of
:mod:`symgrad.inverse` on rational functions (:func:`rank_condition`,
:func:`pinv_psd_fraction_free`) are here too.
"""
from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction
from typing import Any, Callable, Sequence

from flint import fmpq, fmpq_mat

from ..exceptions import RankError, ShapeError
from .field import cost as _cost
from .field import is_zero as _is_zero
from .field import DegreeTracked, reciprocal, total
from .ratfunc import RF, _ZERO_TESTS

Matrix = list  # list[list[entry]]

__all__ = [
    "zeros", "identity", "transpose", "shape", "matmul", "matadd", "matsub", "submatrix", "is_zero_matrix",
    "rank_profile", "inverse", "solve", "det", "Factored", "gram_pinv", "nullspace", "rref", "pinv_full_rank", "pinv_projector", "exact_pinv_at",
    "rank_condition", "pinv_psd_fraction_free", "reduce_known",
]


def zeros(m: int, n: int, zero: Any) -> Matrix:
    return [[zero for _ in range(n)] for _ in range(m)]


def identity(n: int, one: Any, zero: Any) -> Matrix:
    return [[one if i == j else zero for j in range(n)] for i in range(n)]


def transpose(A: Matrix) -> Matrix:
    return [list(col) for col in zip(*A)] if A and A[0] else [[] for _ in range(len(A[0]) if A else 0)]


def shape(A: Matrix) -> tuple[int, int]:
    return (len(A), len(A[0]) if A else 0)


# ---------------------------------------------------------------------------
# Rational matrices through python-flint
# ---------------------------------------------------------------------------

def _rational(A: Matrix) -> bool:
    """Whether every entry is a :class:`~fractions.Fraction` or an ``int`` (then python-flint's
    ``fmpq_mat`` does the linear algebra in C: the values of a probabilistic check at a point are
    rationals of thousands of bits, where Python's ``Fraction`` spends its time in ``gcd``)."""
    return bool(A) and bool(A[0]) and all(type(x) is Fraction or type(x) is int for row in A for x in row)


def _to_fmpq(A: Matrix) -> fmpq_mat:
    m, n = shape(A)
    return fmpq_mat(m, n, [fmpq(x.numerator, x.denominator) if type(x) is Fraction else x for row in A for x in row])


def _from_fmpq(M: fmpq_mat) -> Matrix:
    return [[Fraction(int(M[i, j].p), int(M[i, j].q)) for j in range(M.ncols())] for i in range(M.nrows())]


def _pivot_columns(R: fmpq_mat, rank: int) -> list[int]:
    """The pivot columns of a matrix in reduced row echelon form (its first ``rank`` rows)."""
    out = []
    for i in range(rank):
        out.append(next(j for j in range(R.ncols()) if R[i, j] != 0))
    return out


class _Denominators:
    r"""The denominators of the entries of a product, as products of irreducible polynomials seen so far.

    Every denominator of the inputs of total degree at most ``factor_degree`` is factored once
    (python-flint; larger ones are kept whole and the entries they divide reduced by a gcd at
    the end); a denominator is then an
    integer content with a vector of exponents.  Common denominators of a row or column are
    least common multiples taken on the exponents (no gcd of polynomials), and the entries of
    the product are reduced to lowest terms by trial division with the known factors of their
    denominators: the only non-constant factors a reduced denominator can have.
    """

    def __init__(self, factor_degree: int = 24) -> None:
        self.factor_degree = factor_degree
        self.factors: list = []
        self.opaque: set[int] = set()  # factors left unfactored (too large): reduced by a gcd at the end
        self._seen: list = []  # (polynomial, (content, exponents))

    def of(self, den: Any) -> tuple[int, dict[int, int]]:
        for q, v in self._seen:
            if q == den:
                return v
        if int(den.total_degree()) > self.factor_degree:
            k = next((i for i, g in enumerate(self.factors) if g == den), None)
            if k is None:
                k = len(self.factors)
                self.factors.append(den)
                self.opaque.add(k)
            v = (1, {k: 1})
            self._seen.append((den, v))
            return v
        c, facs = den.factor()
        exps: dict[int, int] = {}
        for f, e in facs:
            k = next((i for i, g in enumerate(self.factors) if g == f), None)
            if k is None:
                k = len(self.factors)
                self.factors.append(f)
            exps[k] = exps.get(k, 0) + int(e)
        v = (int(c), exps)
        self._seen.append((den, v))
        return v

    def common(self, xs: Sequence[RF]) -> tuple[tuple[int, dict[int, int]], list[Any]]:
        """The least common denominator of ``xs`` and the numerators over it."""
        parts = [self.of(x.den) if not x.num.is_zero() else None for x in xs]
        content, exps = 1, {}  # type: int, dict[int, int]
        for p in parts:
            if p is not None:
                content = math.lcm(content, abs(p[0]))
                for k, e in p[1].items():
                    exps[k] = max(exps.get(k, 0), e)
        nums = []
        for x, p in zip(xs, parts):
            if p is None:
                nums.append(x.num)
                continue
            cof = x.num * (content // p[0])
            for k, e in exps.items():
                if e > p[1].get(k, 0):
                    cof = cof * self.factors[k] ** (e - p[1].get(k, 0))
            nums.append(cof)
        return (content, exps), nums

    def reduced(self, num: Any, d1: tuple[int, dict[int, int]], d2: tuple[int, dict[int, int]]) -> RF:
        """``num / (d1 d2)`` in lowest terms."""
        content = d1[0] * d2[0]
        exps = dict(d1[1])
        for k, e in d2[1].items():
            exps[k] = exps.get(k, 0) + e
        den = num.context().constant(1)
        opaque = False
        for k, e in exps.items():
            f = self.factors[k]
            while e:
                q, rem = divmod(num, f)
                if not rem.is_zero():
                    break
                num, e = q, e - 1
            if e:
                den = den * f**e
                opaque = opaque or k in self.opaque
        if opaque:  # a factor that is not known to be irreducible is left: reduce by a gcd
            return RF(num, den * content)
        g = math.gcd(int(num.content()), content)
        if g > 1:
            num, content = num / g, content // g
        den = den * content
        if den.leading_coefficient() < 0:
            num, den = -num, -den
        return RF(num, den, reduced=True)


def _matmul_rf(A: Matrix, B: Matrix, symmetric: bool = False) -> Matrix | None:
    r"""``A B`` for rational-function matrices over one common denominator per row of ``A`` and per
    column of ``B``: ``(A B)_{ij} = (\sum_t a_{it} b_{tj}) / (d_i e_j)`` with polynomial numerators,
    the common denominators and the reduction to lowest terms done on known irreducible factors
    (:class:`_Denominators`) instead of reducing every product and partial sum by a gcd.  ``None``
    when a multivariate denominator is too large to factor (the entrywise product is then cheaper)."""
    ctx = A[0][0].num.context()
    # univariate values at a point: gcds are cheap there and factoring high degrees is not
    D = _Denominators(24 if ctx.nvars() > 1 else -1)
    rows = [D.common(r) for r in A]
    cols = [D.common(c) for c in zip(*B)]
    if D.opaque and ctx.nvars() > 1:
        # denominators too large to factor: the one gcd per entry at the end is then a gcd of the large
        # common numerator with the product of whole denominators, far dearer than the pairwise products
        # with their small gcds (the tanh network's G^+ nabla: 13.4 s against 0.16 s)
        return None
    zero_p = ctx.constant(0)
    out: Matrix = []
    for i, (d, na) in enumerate(rows):
        row = []
        live = [(t, a) for t, a in enumerate(na) if not a.is_zero()]
        for j, (e, nb) in enumerate(cols):
            if symmetric and j < i:
                row.append(out[j][i])
                continue
            acc = zero_p
            for t, a in live:
                b = nb[t]
                if not b.is_zero():
                    acc = acc + a * b
            row.append(RF(zero_p) if acc.is_zero() else D.reduced(acc, d, e))
        out.append(row)
    return out


def matmul(A: Matrix, B: Matrix, zero: Any = None, *, symmetric: bool = False) -> Matrix:
    """``A B`` for matrices over any field (a common-denominator product for rational functions).

    ``symmetric=True`` declares the product symmetric (``J^T (g J)`` for a symmetric ``g``, say):
    only the entries on and above the diagonal are computed."""
    m, k = shape(A)
    k2, n = shape(B)
    if k != k2:
        raise ShapeError(f"cannot multiply a {m}x{k} matrix by a {k2}x{n} matrix")
    symmetric = symmetric and m == n
    if m and k and n and _rational(A) and _rational(B):
        return _from_fmpq(_to_fmpq(A) * _to_fmpq(B))
    if m and k and n and _all_tracked(A) and _all_tracked(B):
        return _matmul_tracked(A, B, zero)
    if m and k and n and type(A[0][0]) is RF and type(B[0][0]) is RF and (m > 1 or n > 1 or k > 2):
        if all(type(x) is RF for row in A for x in row) and all(type(x) is RF for row in B for x in row):
            out_rf = _matmul_rf(A, B, symmetric)
            if out_rf is not None:
                return out_rf
    out: Matrix = []
    for i in range(m):
        row = []
        Ai = A[i]
        for j in range(n):
            if symmetric and j < i:
                row.append(out[j][i])
                continue
            terms = []
            for t in range(k):
                a = Ai[t]
                if _is_zero(a):
                    continue
                b = B[t][j]
                if _is_zero(b):
                    continue
                terms.append(a * b)
            if not terms:
                acc = zero if zero is not None else (A[0][0] * 0 if A and A[0] else 0)
            else:
                acc = total(terms)
            row.append(acc)
        out.append(row)
    return out


def _matmul_tracked(A: Matrix, B: Matrix, zero: Any) -> Matrix:
    """``A B`` for degree-tracked values: the values by one rational matrix product in python-flint, the
    degree bounds by the same steps as the entrywise product of :func:`matmul` (terms that are zero
    skipped, the rest summed left to right by :meth:`DegreeTracked.__add__`), so both give the same
    bounds.  The running value is needed only while its numerator degree is 0 (``__add__`` treats a
    sum that is the constant 0 as absent), and only then computed here."""
    m, k = shape(A)
    n = shape(B)[1]
    vals = _from_fmpq(_to_fmpq([[x.value for x in row] for row in A]) * _to_fmpq([[x.value for x in row] for row in B]))
    out: Matrix = []
    for i in range(m):
        Ai = A[i]
        row = []
        for j in range(n):
            acc: tuple[int, int] | None = None   # (num_deg, den_deg) of the running sum
            acc_val: Fraction | None = None      # its value, kept while num_deg == 0
            for t in range(k):
                a, b = Ai[t], B[t][j]
                if a.is_zero() or b.is_zero():
                    continue
                nd, dd = a.num_deg + b.num_deg, a.den_deg + b.den_deg
                if acc is None:
                    acc, acc_val = (nd, dd), (a.value * b.value if nd == 0 else None)
                    continue
                if nd == 0 and (a.value == 0 or b.value == 0):
                    continue  # the term is the constant 0
                if acc[0] == 0 and acc_val == 0:
                    acc, acc_val = (nd, dd), (a.value * b.value if nd == 0 else None)
                    continue
                acc = (max(acc[0] + dd, nd + acc[1]), acc[1] + dd)
                acc_val = acc_val + a.value * b.value if acc[0] == 0 and acc_val is not None else None
            if acc is None:
                row.append(zero if zero is not None else A[0][0] * 0)
            else:
                row.append(DegreeTracked(vals[i][j], acc[0], acc[1]))
        out.append(row)
    return out


def matadd(A: Matrix, B: Matrix) -> Matrix:
    if shape(A) != shape(B):
        raise ShapeError(f"cannot add matrices of shapes {shape(A)} and {shape(B)}")
    return [[a + b for a, b in zip(ra, rb)] for ra, rb in zip(A, B)]


def matsub(A: Matrix, B: Matrix) -> Matrix:
    if shape(A) != shape(B):
        raise ShapeError(f"cannot subtract matrices of shapes {shape(A)} and {shape(B)}")
    return [[a - b for a, b in zip(ra, rb)] for ra, rb in zip(A, B)]


def submatrix(A: Matrix, rows: Sequence[int], cols: Sequence[int]) -> Matrix:
    return [[A[i][j] for j in cols] for i in rows]


def is_zero_matrix(A: Matrix, iszero: Callable[[Any], bool] = _is_zero) -> bool:
    return all(iszero(a) for row in A for a in row)


# ---------------------------------------------------------------------------
# The one elimination kernel
# ---------------------------------------------------------------------------

def _subtract_row(Mi: list, f: Any, Mp: list, skip: int, zero: Any) -> None:
    """``Mi -= f * Mp`` in place, the entry in column ``skip`` set to zero (it is eliminated)."""
    for j, b in enumerate(Mp):
        if j != skip and not _is_zero(b):
            Mi[j] = Mi[j] - f * b
    Mi[skip] = zero


def _eliminate(M: Matrix, width: int, iszero: Callable[[Any], bool], cost: Callable[[Any], int], *,
               full: bool = False, jordan: bool = False,
               stop_at_gap: bool = False) -> tuple[list[int], list[int], int, list[Any], int | None]:
    """Gaussian elimination on the first ``width`` columns of ``M``, in place.

    * ``full=True``: full pivoting on the cheapest non-zero entry of the rows and
      columns not yet used (rows are not moved; forward elimination only).  The
      choice of the cheapest pivot (fewest terms, for rational functions) keeps
      intermediate expressions small.
    * ``full=False``: column by column, the cheapest non-zero entry of the column
      among the rows not yet used, swapped into place; with ``jordan=True`` the
      pivot row is normalised and every other row eliminated (reduced row echelon
      form), otherwise only the rows below are.  ``stop_at_gap`` stops at the
      first column without a pivot.

    Returns ``(pivot rows, pivot columns, sign of the row permutation, pivot
    values, first column without a pivot or None)``; in column mode the pivot
    rows are ``0, 1, ..., r - 1`` after the swaps.
    """
    m = len(M)
    zero = M[0][0] * 0 if m and M[0] else 0
    prow: list[int] = []
    pcol: list[int] = []
    pivots: list[Any] = []
    sign = 1
    gap: int | None = None
    if full:
        rows_left = list(range(m))
        cols_left = list(range(width))
        while rows_left and cols_left:
            best = None
            for i in rows_left:
                for j in cols_left:
                    x = M[i][j]
                    if iszero(x):
                        continue
                    c = cost(x)
                    if best is None or c < best[0]:
                        best = (c, i, j)
                        if c <= 2:
                            break
                if best is not None and best[0] <= 2:
                    break
            if best is None:
                break
            _, pi, pj = best
            prow.append(pi)
            pcol.append(pj)
            pivots.append(M[pi][pj])
            rows_left.remove(pi)
            cols_left.remove(pj)
            piv_inv = reciprocal(M[pi][pj])
            for i in rows_left:
                if not iszero(M[i][pj]):
                    _subtract_row(M[i], M[i][pj] * piv_inv, M[pi], pj, zero)
        return prow, pcol, sign, pivots, gap
    row = 0
    for col in range(width):
        if row >= m:
            break
        cands = [i for i in range(row, m) if not iszero(M[i][col])]
        if not cands:
            if gap is None:
                gap = col
            if stop_at_gap:
                break
            continue
        piv = min(cands, key=lambda i: cost(M[i][col]))
        if piv != row:
            M[row], M[piv] = M[piv], M[row]
            sign = -sign
        p = M[row][col]
        prow.append(row)
        pcol.append(col)
        pivots.append(p)
        p_inv = reciprocal(p)
        if jordan:
            M[row] = [x if _is_zero(x) else x * p_inv for x in M[row]]
            for i in range(m):
                if i != row and not iszero(M[i][col]):
                    _subtract_row(M[i], M[i][col], M[row], col, zero)
        else:
            for i in range(row + 1, m):
                if not iszero(M[i][col]):
                    _subtract_row(M[i], M[i][col] * p_inv, M[row], col, zero)
        row += 1
    if gap is None and len(pcol) < width and not stop_at_gap:
        gap = next(c for c in range(width) if c not in pcol)
    return prow, pcol, sign, pivots, gap


def rank_profile(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
                 cost: Callable[[Any], int] = _cost) -> tuple[int, list[int], list[int]]:
    """Rank and a pair of index lists ``(rows, cols)`` with ``A[rows, cols]`` invertible.

    Gaussian elimination with full pivoting on the cheapest non-zero entry
    (:func:`_eliminate`).  Exact whenever ``iszero`` is.

    >>> from fractions import Fraction as F
    >>> rank_profile([[F(1), F(2)], [F(2), F(4)]])
    (1, [0], [0])
    """
    if _tracked(A):  # only the values decide the pivots
        A, iszero, cost = [[x.value for x in row] for row in A], (lambda v: v == 0), (lambda v: 0)
    if _rational(A):
        # pivot columns of A and of A^T (the rows): A[rows, cols] is invertible (both index sets
        # are independent and the rank is r)
        F = _to_fmpq(A)
        R, r = F.rref()
        Rt, _ = F.transpose().rref()
        return r, _pivot_columns(Rt, r), _pivot_columns(R, r)
    M = [list(r) for r in A]
    prow, pcol, _, _, _ = _eliminate(M, shape(A)[1], iszero, cost, full=True)
    return len(prow), sorted(prow), sorted(pcol)


# ---------------------------------------------------------------------------
# Degree bounds by Cramer's rule (values at a point, for Schwartz-Zippel)
# ---------------------------------------------------------------------------

def _tracked(A: Matrix) -> bool:
    return bool(A) and bool(A[0]) and isinstance(A[0][0], DegreeTracked)


def _all_tracked(A: Matrix) -> bool:
    return _tracked(A) and all(type(x) is DegreeTracked for row in A for x in row)


def _row_degrees(A: Matrix) -> tuple[list[int], list[int]]:
    r"""Row ``i`` of ``A`` over the common denominator ``D_i``: ``(deg D_i, deg of the numerators)``.

    ``D_i`` is the product of the row's denominators (degree ``d_i``, at most the sum of theirs) and
    each numerator ``a_ij D_i / b_ij`` has degree at most ``p_i = max_j (deg a_ij - deg b_ij) + d_i``.
    Entries that are zero as rational functions take no part."""
    d, p = [], []
    for row in A:
        live = [x for x in row if not x.is_zero()]
        di = sum(x.den_deg for x in live)
        d.append(di)
        p.append(max((x.num_deg - x.den_deg for x in live), default=0) + di)
    return d, p


def _tracked_solve(A: Matrix, B: Matrix | None) -> Matrix:
    r"""``A^{-1}`` (``B = None``) or ``A^{-1} B`` for degree-tracked values, with Cramer's-rule bounds.

    The values are computed exactly at the point.  For the degrees write ``A = D^{-1} P`` with
    ``D = diag(D_i)`` the row denominators and ``P`` polynomial (:func:`_row_degrees`); then
    ``A^{-1} = adj(P) D / det P``, where ``det P`` has degree at most ``Delta = sum_i p_i`` and the
    cofactor ``C_ij`` at most ``Delta - p_i``.  So ``(A^{-1})_{ji}`` is a fraction of degrees
    ``(Delta - p_i + d_i, Delta)``, and ``(A^{-1} B)_{jk} = sum_i C_ij D_i B_ik / det P`` one of degrees
    ``(max_i (Delta - p_i + d_i + deg u_ik - deg v_ik) + e_k, Delta + e_k)`` with ``e_k`` the degree of
    the common denominator of column ``k`` of ``B``.  These grow polynomially in the size, where
    tracking every step of the elimination grows exponentially.
    """
    n = len(A)
    vals = [[x.value for x in row] for row in A]
    d, p = _row_degrees(A)
    Delta = sum(p)
    if B is None:
        X = inverse(vals, lambda v: v == 0, lambda v: 0)
        return [[DegreeTracked(X[j][i], Delta - p[i] + d[i], Delta) for i in range(n)] for j in range(n)]
    Y = solve(vals, [[x.value for x in row] for row in B], lambda v: v == 0, lambda v: 0)
    out: Matrix = [[None] * len(B[0]) for _ in range(n)]
    for k in range(len(B[0])):
        col = [B[i][k] for i in range(n)]
        e = sum(x.den_deg for x in col if not x.is_zero())
        num = max((Delta - p[i] + d[i] + x.num_deg - x.den_deg for i, x in enumerate(col) if not x.is_zero()),
                  default=0) + e
        for j in range(n):
            out[j][k] = DegreeTracked(Y[j][k], max(num, 0), Delta + e)
    return out


def inverse(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
            cost: Callable[[Any], int] = _cost) -> Matrix:
    """Inverse of a square matrix by Gauss-Jordan elimination on ``[A | I]``; ``RankError`` if singular.

    Degree-tracked values get Cramer's-rule bounds (:func:`_tracked_solve`)."""
    n, n2 = shape(A)
    if n != n2:
        raise ShapeError(f"only square matrices have inverses; got {n}x{n2}")
    if _tracked(A):
        return _tracked_solve(A, None)
    if _rational(A):
        try:
            return _from_fmpq(_to_fmpq(A).inv())
        except ZeroDivisionError:
            raise RankError(f"the {n}x{n} matrix is singular") from None
    one = A[0][0] ** 0 if n else 1
    zero = A[0][0] * 0 if n else 0
    M = [list(A[i]) + [one if i == j else zero for j in range(n)] for i in range(n)]
    _, pcol, _, _, gap = _eliminate(M, n, iszero, cost, jordan=True, stop_at_gap=True)
    if len(pcol) < n:
        raise RankError(f"the {n}x{n} matrix is singular (no pivot in column {(gap or 0) + 1})")
    return [row[n:] for row in M]


def solve(A: Matrix, B: Matrix, iszero: Callable[[Any], bool] = _is_zero,
          cost: Callable[[Any], int] = _cost) -> Matrix:
    """``A^{-1} B`` for a square invertible ``A``, by Gauss-Jordan elimination on ``[A | B]``
    (less work than :func:`inverse` followed by a product when ``B`` has few columns);
    :class:`RankError` if ``A`` is singular.

    >>> from fractions import Fraction as F
    >>> solve([[F(2), F(0)], [F(1), F(1)]], [[F(4)], [F(3)]])
    [[Fraction(2, 1)], [Fraction(1, 1)]]
    """
    n, n2 = shape(A)
    if n != n2:
        raise ShapeError(f"only square systems are solved here; got {n}x{n2}")
    if shape(B)[0] != n:
        raise ShapeError(f"cannot solve a {n}x{n} system with a right-hand side of {shape(B)[0]} rows")
    if _tracked(A) and n and B and B[0] and isinstance(B[0][0], DegreeTracked):
        return _tracked_solve(A, B)
    if _rational(A) and _rational(B):
        try:
            return _from_fmpq(_to_fmpq(A).solve(_to_fmpq(B)))
        except ZeroDivisionError:
            raise RankError(f"the {n}x{n} matrix is singular") from None
    M = [list(A[i]) + list(B[i]) for i in range(n)]
    _, pcol, _, _, gap = _eliminate(M, n, iszero, cost, jordan=True, stop_at_gap=True)
    if len(pcol) < n:
        raise RankError(f"the {n}x{n} matrix is singular (no pivot in column {(gap or 0) + 1})")
    return [row[n:] for row in M]


def det(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
        cost: Callable[[Any], int] = _cost) -> Any:
    """Determinant: the signed product of the pivots of a forward elimination."""
    n, n2 = shape(A)
    if n != n2:
        raise ShapeError(f"only square matrices have determinants; got {n}x{n2}")
    if n == 0:
        return 1
    if n == 1:
        return A[0][0]
    if n == 2:
        return A[0][0] * A[1][1] - A[0][1] * A[1][0]
    if _tracked(A):  # det P / prod D_i (see _tracked_solve)
        d, p = _row_degrees(A)
        value = det([[x.value for x in row] for row in A], lambda v: v == 0, lambda v: 0)
        return DegreeTracked(value, sum(p), sum(d))
    if _rational(A):
        v = _to_fmpq(A).det()
        return Fraction(int(v.p), int(v.q))
    M = [list(r) for r in A]
    _, pcol, sign, pivots, _ = _eliminate(M, n, iszero, cost, stop_at_gap=True)
    if len(pcol) < n:
        return A[0][0] * 0
    d = A[0][0] ** 0
    for p in pivots:
        d = d * p
    return d if sign > 0 else -d


def rref(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
         cost: Callable[[Any], int] = _cost) -> tuple[Matrix, list[int]]:
    """The non-zero rows of the reduced row echelon form (a canonical basis of the row space) and the
    pivot columns.

    >>> from fractions import Fraction as F
    >>> rref([[F(2), F(4)], [F(1), F(2)]])
    ([[Fraction(1, 1), Fraction(2, 1)]], [0])
    """
    if _rational(A):
        R, r = _to_fmpq(A).rref()
        return _from_fmpq(R)[:r], _pivot_columns(R, r)
    guessed = _rref_constant(A)
    if guessed is not None:
        return guessed
    M = [list(r) for r in A]
    _, pcol, _, _, _ = _eliminate(M, shape(A)[1], iszero, cost, jordan=True)
    return M[:len(pcol)], pcol


def _free_rf_matrix(A: Matrix) -> bool:
    """Whether ``A`` is a non-empty matrix of rational functions over a field of independent variables
    (no registered zero test: an element is zero exactly when its numerator is, and evaluating at
    a point where no denominator vanishes is a ring homomorphism)."""
    if not A or not A[0] or not all(type(x) is RF for row in A for x in row):
        return False
    ctx = A[0][0].ctx
    return ctx.nvars() > 0 and ctx not in _ZERO_TESTS and all(x.ctx is ctx for row in A for x in row)


#: matrices of rational functions with fewer entries than this are reduced by elimination directly
_GUESS_MIN_ENTRIES = 12


def _rref_constant(A: Matrix, points: int = 2) -> tuple[Matrix, list[int]] | None:
    r"""The reduced row echelon form of a rational-function matrix whose echelon form is *constant*,
    guessed at integer points and proved exactly; ``None`` when it is not constant (or not shown so).

    Many row spaces met here are spanned by constant vectors although the matrix is not: the
    tangent space of a model onto an open part of the simplex is ``{v : sum v = 0}`` whatever the
    parametrisation, whose canonical basis is ``[I | -1]``, and eliminating over the field to find
    that swells every intermediate entry (the canonical basis of an RBM's ``J^T``: 5-10 s).

    The guess: the echelon form ``R`` (``r`` rows, pivot columns ``P``) of ``A`` evaluated at
    random integer points, kept when it is the same rational matrix at each.  The proof, exact:

    * ``A = A[:, P] R`` holds in the field (entry by entry, a rational-function identity), so the
      row space of ``A`` lies in that of ``R`` and ``rank A <= r``;
    * at the first point ``A[:, P]`` has rank ``r`` (``P`` are the pivot columns of the value),
      and evaluation is a ring homomorphism, so an ``r x r`` minor of ``A[:, P]`` is a non-zero
      rational function: ``rank A = r`` and the two row spaces are equal;
    * ``R`` is in reduced row echelon form by construction, and that form of a row space is unique.

    Only over fields of independent variables (:func:`_free_rf_matrix`), where the homomorphism
    argument holds.
    """
    m, n = shape(A)
    if m * n < _GUESS_MIN_ENTRIES or not _free_rf_matrix(A):
        return None
    ctx = A[0][0].ctx
    rng = random.Random(m * 1009 + n)
    guess: tuple[list[list[Fraction]], list[int]] | None = None
    for _ in range(points):
        point = [rng.randrange(1, 2**20) for _ in range(ctx.nvars())]
        try:
            A0 = [[x.evaluate(point) for x in row] for row in A]
        except ZeroDivisionError:
            return None
        R0_, r0 = _to_fmpq(A0).rref()
        pcol = _pivot_columns(R0_, r0)
        here = (_from_fmpq(R0_)[:r0], pcol)
        if not pcol or (guess is not None and here != guess):
            return None
        guess = guess or here
    assert guess is not None
    R0, P = guess
    one = RF(ctx.constant(1))
    R = [[RF.const(ctx, v) if v != 0 else one * 0 for v in row] for row in R0]
    free = [j for j in range(n) if j not in P]
    for row in A:
        for j in free:
            terms = [row[p] * R0[t][j] for t, p in enumerate(P) if R0[t][j] != 0 and not row[p].num.is_zero()]
            combination = RF.sum_many(terms) if terms else one * 0
            if combination != row[j]:
                return None
    return R, list(P)


def nullspace(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
              cost: Callable[[Any], int] = _cost) -> list[list[Any]]:
    """A basis of the right null space (as a list of column vectors), from the reduced row echelon form."""
    m, n = shape(A)
    R, pivots = rref(A, iszero, cost)
    one = A[0][0] ** 0 if m and n else 1
    zero = one * 0
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        v = [zero] * n
        v[free] = one
        for k, pc in enumerate(pivots):
            v[pc] = -R[k][free]
        basis.append(v)
    return basis



# ---------------------------------------------------------------------------
# Moore-Penrose inverses
# ---------------------------------------------------------------------------

def pinv_full_rank(A: Matrix, rows: Sequence[int], cols: Sequence[int],
                   iszero: Callable[[Any], bool] = _is_zero, cost: Callable[[Any], int] = _cost,
                   symmetric: bool = False) -> Matrix:
    r"""Moore-Penrose inverse from a full-rank factorisation through ``W = A[rows, cols]``.

    Valid where ``A`` has rank ``len(rows)`` and ``W`` is invertible (then
    ``A = C W^{-1} R``).  With ``symmetric=True`` (and ``rows == cols``) it uses
    ``R = C^T`` and one ``r x r`` inverse: ``A^+ = C (C^T C)^{-1} W (C^T C)^{-1} C^T``.
    """
    m, n = shape(A)
    r = len(rows)
    zero = A[0][0] * 0 if m and n else 0
    if r == 0:
        return zeros(n, m, zero)
    C = submatrix(A, range(m), cols)
    W = submatrix(A, rows, cols)
    Ct = transpose(C)
    CtC_inv = inverse(matmul(Ct, C), iszero, cost)
    if symmetric:
        left = matmul(C, CtC_inv)
        return matmul(matmul(left, W), transpose(left))
    R = submatrix(A, rows, range(n))
    Rt = transpose(R)
    RRt_inv = inverse(matmul(R, Rt), iszero, cost)
    return matmul(matmul(matmul(Rt, RRt_inv), W), matmul(CtC_inv, Ct))


def _embedded_null_basis(A: Matrix, rows: Sequence[int], cols: Sequence[int], Winv: Matrix) -> Matrix:
    """Right null space of ``A`` (rank ``len(rows)``, ``W = A[rows, cols]`` invertible) as columns of ``K``.

    ``K`` is the identity on the non-pivot columns and ``-W^{-1} A[rows, free]``
    on the pivot columns, so ``A K = 0`` and ``K`` has full column rank.
    """
    m, n = shape(A)
    free = [j for j in range(n) if j not in cols]
    one = A[0][0] ** 0
    zero = one * 0
    if not free:
        return [[] for _ in range(n)]
    top = matmul(Winv, submatrix(A, rows, free))
    K = [[zero] * len(free) for _ in range(n)]
    for a, j in enumerate(cols):
        for b in range(len(free)):
            K[j][b] = -top[a][b]
    for b, j in enumerate(free):
        K[j][b] = one
    return K


def _projector(K: Matrix, n: int, iszero: Callable[[Any], bool], cost: Callable[[Any], int]) -> Matrix | None:
    """Orthogonal projector ``K (K^T K)^{-1} K^T`` onto the column space of ``K`` (zero if ``K`` is empty)."""
    if not K or not K[0]:
        return None
    Kt = transpose(K)
    return matmul(matmul(K, inverse(matmul(Kt, K), iszero, cost)), Kt)


def pinv_projector(A: Matrix, rows: Sequence[int], cols: Sequence[int],
                   iszero: Callable[[Any], bool] = _is_zero, cost: Callable[[Any], int] = _cost,
                   symmetric: bool = False) -> tuple[Matrix, Matrix, Matrix]:
    r"""Moore-Penrose inverse through a generalised inverse and two projectors.

    With ``W = A[rows, cols]`` invertible and ``rank A = r``, the matrix ``A^-``
    that holds ``W^{-1}`` in the block ``(cols, rows)`` and zeros elsewhere is
    a generalised inverse (``A A^- A = A``, paper Def. 1), and

    .. math::

        A^+ = (I - P_N)\, A^-\, (I - P_{N'}),

    where ``P_N`` projects orthogonally onto the null space of ``A`` and
    ``P_{N'}`` onto that of ``A^T``.  Both null spaces come from ``W^{-1}``
    directly, so only ``W`` and two small Gram matrices of null bases are
    inverted.  Returns ``(A^+, K, K')`` with the null bases.
    """
    m, n = shape(A)
    W = submatrix(A, rows, cols)
    Winv = inverse(W, iszero, cost)
    one = A[0][0] ** 0
    zero = one * 0
    Am = [[zero] * m for _ in range(n)]
    for a, j in enumerate(cols):
        for b, i in enumerate(rows):
            Am[j][i] = Winv[a][b]
    K = _embedded_null_basis(A, rows, cols, Winv)
    if symmetric:
        Kl = K
    else:
        Kl = _embedded_null_basis(transpose(A), cols, rows, transpose(Winv))
    PN = _projector(K, n, iszero, cost)
    PL = PN if symmetric else _projector(Kl, m, iszero, cost)
    X = Am
    if PN is not None:
        X = matsub(X, matmul(PN, X))
    if PL is not None:
        X = matsub(X, matmul(X, PL))
    return X, K, Kl


class Factored:
    """A matrix kept as the product ``F_1 F_2 ... F_k`` of small exact factors, expanded only on request.

    :meth:`apply` multiplies a few columns from the right to left (never forming the product);
    :meth:`expand` forms it once and remembers it.

    >>> from fractions import Fraction as F
    >>> X = Factored([[[F(1)], [F(2)]], [[F(3), F(4)]]])          # (1, 2)^T (3, 4)
    >>> X.shape, X.apply([[F(1)], [F(1)]]), X.expand()[1]
    ((2, 2), [[Fraction(7, 1)], [Fraction(14, 1)]], [Fraction(6, 1), Fraction(8, 1)])
    """

    def __init__(self, factors: Sequence[Matrix], shape_: tuple[int, int] | None = None):
        self.factors = tuple(factors)
        self.shape = shape_ if shape_ is not None else (len(self.factors[0]), shape(self.factors[-1])[1])
        self._expanded: Matrix | None = self.factors[0] if len(self.factors) == 1 else None

    def apply(self, V: Matrix) -> Matrix:
        """``F_1 (F_2 (... (F_k V)))``."""
        for F in reversed(self.factors):
            V = matmul(F, V)
        return V

    def expand(self) -> Matrix:
        """The product itself, formed once."""
        if self._expanded is None:
            out = self.factors[0]
            for F in self.factors[1:]:
                out = matmul(out, F)
            self._expanded = out
        return self._expanded


def _inverse_of_metric(g: Matrix, iszero: Callable[[Any], bool], cost: Callable[[Any], int]) -> Matrix:
    """``g^{-1}``, entry by entry when ``g`` is diagonal."""
    n = len(g)
    if all(iszero(g[i][j]) for i in range(n) for j in range(n) if i != j):
        zero = g[0][0] * 0
        return [[reciprocal(g[i][i]) if i == j else zero for j in range(n)] for i in range(n)]
    return inverse(g, iszero, cost)


def gram_pinv(J: Matrix, g: Matrix, profile: tuple[int, Sequence[int], Sequence[int]],
              iszero: Callable[[Any], bool] = _is_zero, cost: Callable[[Any], int] = _cost,
              route: str = "auto") -> tuple[Factored, str, dict]:
    r"""The Moore-Penrose inverse of ``G = J^T g J`` as a product of small factors, chosen from the structure.

    ``profile = (r, rows, cols)`` is a rank profile of ``J`` (``J[rows, cols]`` invertible, ``r``
    the rank).  Each route needs ``H = B^T g B`` invertible for the basis ``B = J[:, cols]``
    of the column space (true when ``g`` is positive definite); where it is not, :class:`RankError`.

    * ``r = n`` (``G`` invertible): ``G^+ = G^{-1}``;
    * ``r = m < n`` (``J`` of full row rank, few outputs): with ``K = (J J^T)^{-1}``,
      ``G^+ = J^T K g^{-1} K J``; only ``m x m`` inverses;
    * ``r <= n - r`` (a large null space): the full-rank factorisation ``J = B R`` with
      ``R = W^{-1} J[rows, :]`` and ``W = J[rows, cols]``, so ``G = R^T H R`` and
      ``G^+ = R^T S H^{-1} S R`` with ``S = (R R^T)^{-1}``; only ``r x r`` inverses;
    * otherwise (a small null space) the projector formula on ``G`` itself
      (:func:`pinv_projector`), one ``r x r`` and one ``(n - r) x (n - r)`` inverse.

    The first three are the Moore-Penrose inverse by the same four-line check: with
    ``R^+ = R^T (R R^T)^{-1}`` (``R`` of full row rank) and ``X = R^+ H^{-1} R^{+T}``,
    ``G X = X G = R^+ R``, which is symmetric and idempotent, so ``G X G = G`` and ``X G X = X``
    (``J`` itself plays ``R`` in the second route, with ``H = g``).  Returns the factors,
    the route's name and the intermediate matrices (for the validity condition).
    """
    m, n = shape(J)
    r, rows, cols = profile
    zero = J[0][0] * 0
    if r == 0:
        return Factored([zeros(n, n, zero)]), "zero", {}
    Jt = transpose(J)
    if route == "auto":
        route = ("inverse" if r == n else "full row rank" if r == m else
                 "full-rank factorisation" if r <= n - r else "projector")
    if route == "inverse":
        G = matmul(matmul(Jt, g), J)
        return Factored([inverse(G, iszero, cost)]), route, {"G": G}
    if route == "full row rank":
        JJt = matmul(J, Jt)
        K = inverse(JJt, iszero, cost)
        core = matmul(matmul(K, _inverse_of_metric(g, iszero, cost)), K)
        return Factored([Jt, core, J]), route, {"JJt": JJt}
    B = submatrix(J, range(m), cols)
    H = matmul(matmul(transpose(B), g), B)
    if route == "full-rank factorisation":
        R = solve(submatrix(J, rows, cols), submatrix(J, rows, range(n)), iszero, cost)
        RRt = matmul(R, transpose(R))
        S = inverse(RRt, iszero, cost)
        core = matmul(matmul(S, inverse(H, iszero, cost)), S)
        return Factored([transpose(R), core, R]), route, {"H": H, "RRt": RRt}
    G = matmul(matmul(Jt, g), J)
    X, K, _ = pinv_projector(G, cols, cols, iszero, cost, symmetric=True)  # inverts G[cols, cols] = H
    return Factored([X]), "projector", {"G": G, "H": H, "K": K}


def exact_pinv_at(A0: list[list[Any]], psd: bool = False) -> list[list[Any]]:
    """Moore-Penrose inverse of a matrix with exact entries (rank decided exactly)."""
    r, rows, cols = rank_profile(A0)
    zero = A0[0][0] * 0
    if r == 0:
        return zeros(len(A0[0]), len(A0), zero)
    if psd:
        rows = cols
    return pinv_projector(A0, rows, cols, symmetric=psd)[0]


# ---------------------------------------------------------------------------
# Exact kernels on rational functions
# ---------------------------------------------------------------------------

def _sum_principal_minors(A: Matrix, r: int, zero: RF) -> RF:
    n = len(A)
    total = zero
    for S in itertools.combinations(range(n), r):
        total = total + det(submatrix(A, S, S))
    return total


def rank_condition(A: Matrix, r: int, *, psd: bool, zero: RF) -> RF:
    r"""An expression non-zero exactly where ``rank A = r`` (given ``rank A <= r`` everywhere).

    For positive semi-definite ``A`` the principal ``r x r`` minors are all
    ``>= 0`` and some is positive iff the rank is at least ``r``; in general
    the same holds for ``A^T A``, whose principal minors sum to the sum of
    squares of all ``r x r`` minors of ``A`` (Cauchy-Binet).
    """
    if r == 0:
        return zero + 1
    B = A if psd else matmul(transpose(A), A)
    n = len(B)
    if math.comb(n, r) <= 400:
        return _sum_principal_minors(B, r, zero)
    # Faddeev-LeVerrier: coefficients of the characteristic polynomial
    M = identity(n, zero + 1, zero)
    c = zero + 1
    for k in range(1, r + 1):
        AM = matmul(B, M)
        c = -sum((AM[i][i] for i in range(n)), zero) / k
        M = [[AM[i][j] + (c if i == j else zero) for j in range(n)] for i in range(n)]
    return c if r % 2 == 0 else -c


def pinv_psd_fraction_free(A: list[list[RF]], cols: Sequence[int]) -> list[list[RF]]:
    r"""``A^+ = C N^{-1} W N^{-1} C^T`` for a symmetric PSD ``A`` of rank ``r = len(cols)``,
    computed over polynomials and reduced once per entry by the known factors of its denominator.

    ``A = A_0 / d`` with ``d`` the common denominator, ``C = A_0[:, cols]``, ``W = A_0[cols, cols]``,
    ``N = C^T C = M / D`` (``M`` polynomial): then ``A^+ = d \, (C M) W (C M)^T / D^2`` (the formula
    of :func:`symgrad.exact.dense.pinv_full_rank` with ``R = C^T``).  The numerators are polynomial
    products, with no gcd on the way; each entry is then reduced by trial division with the
    irreducible factors of ``D`` and the integer contents, which gives the same canonical
    rational function as reducing by a gcd (the only non-constant factors its denominator can
    have are those of ``D``).  The cost is that of the ``r x r`` inverse and of ``n^2`` polynomial
    products, instead of ``n^2`` gcds of large polynomials.
    """
    n = len(A)
    d = A[0][0].num.context().constant(1)
    for row in A:
        for x in row:
            if not x.den.is_one():
                d = d * (x.den / d.gcd(x.den))
    A0 = [[x.num * (d / x.den) for x in row] for row in A]
    one = RF(d.context().constant(1))
    C = [[RF(A0[i][c]) for c in cols] for i in range(n)]
    Ninv = inverse(matmul(transpose(C), C))
    D = d.context().constant(1)
    for row in Ninv:
        for x in row:
            D = D * (x.den / D.gcd(x.den))
    M = [[x.num * (D / x.den) for x in row] for row in Ninv]
    Cp = [[A0[i][c] for c in cols] for i in range(n)]
    W = [[A0[i][j] for j in cols] for i in cols]
    r = len(cols)
    zero = d * 0
    CM = [[sum((Cp[i][k] * M[k][j] for k in range(r)), zero) for j in range(r)] for i in range(n)]
    CMW = [[sum((CM[i][k] * W[k][j] for k in range(r)), zero) for j in range(r)] for i in range(n)]
    _, factors = D.factor()
    den0 = D * D
    out = [[one * 0 for _ in range(n)] for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            num = d * sum((CMW[i][k] * CM[j][k] for k in range(r)), zero)
            out[i][j] = out[j][i] = reduce_known(num, den0, factors, 2) if not num.is_zero() else one * 0
    return out


def reduce_known(num: Any, den: Any, factors: Sequence[tuple[Any, Any]], power: int) -> RF:
    """``num / den`` in lowest terms, where every irreducible factor of ``den`` is among ``factors``
    (``(q, e)`` pairs of a factorisation of a polynomial whose ``power``-th power is ``den``)."""
    for q, e in factors:
        k = int(e) * power
        while k:
            quo, rem = divmod(num, q)
            if not rem.is_zero():
                break
            quo_d, rem_d = divmod(den, q)
            num, den = quo, quo_d
            k -= 1
    g = math.gcd(int(num.content()), int(den.content()))
    if g > 1:
        num, den = num / g, den / g
    if den.leading_coefficient() < 0:
        num, den = -num, -den
    return RF(num, den, reduced=True)
