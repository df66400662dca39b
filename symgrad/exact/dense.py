r"""Dense linear algebra over any field, written once.

The functions here take matrices as lists of rows and work for every entry
type with field arithmetic: :class:`~symgrad.exact.lifting.RF` (exact rational
functions), :class:`fractions.Fraction` (exact values at a rational point) and
:class:`DegreeTracked` (exact values that also carry a bound on the degree of
the rational function they came from, for Schwartz-Zippel).  A zero test and a
pivot cost are the only things that differ, and they are passed in.

The Moore-Penrose inverse uses a full-rank factorisation instead of
``Matrix.pinv``: if the ``r x r`` submatrix ``W = A[q, p]`` is invertible and
``r`` is the rank of ``A``, then with ``C = A[:, p]`` and ``R = A[q, :]``

.. math::

    A = C W^{-1} R, \qquad A^+ = R^T (R R^T)^{-1} W (C^T C)^{-1} C^T,

which one checks against the four Penrose conditions directly.  Only two
``r x r`` inverses are needed, and no simplification.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Sequence

from ..exceptions import RankError, ShapeError

Matrix = list  # list[list[entry]]

__all__ = [
    "DegreeTracked", "pinv_projector", "zeros", "identity", "transpose", "matmul", "matadd", "matsub", "scale",
    "rank_profile", "inverse", "det", "pinv_full_rank", "nullspace", "submatrix", "is_zero_matrix",
]


def _is_zero(x: Any) -> bool:
    z = getattr(x, "is_zero", None)
    if callable(z):
        return z()
    return x == 0


def _cost(x: Any) -> int:
    size = getattr(x, "size", None)
    return size() if callable(size) else 0


def zeros(m: int, n: int, zero: Any) -> Matrix:
    return [[zero for _ in range(n)] for _ in range(m)]


def identity(n: int, one: Any, zero: Any) -> Matrix:
    return [[one if i == j else zero for j in range(n)] for i in range(n)]


def transpose(A: Matrix) -> Matrix:
    return [list(col) for col in zip(*A)] if A and A[0] else [[] for _ in range(len(A[0]) if A else 0)]


def shape(A: Matrix) -> tuple[int, int]:
    return (len(A), len(A[0]) if A else 0)


def _sum(terms: list) -> Any:
    """The sum of a non-empty list; a field whose elements offer ``sum_many`` (the rational
    functions of :mod:`symgrad.exact.lifting`, which then reduce once instead of once per term) uses it."""
    many = getattr(type(terms[0]), "sum_many", None)
    if many is not None and len(terms) > 2:
        return many(terms)
    acc = terms[0]
    for x in terms[1:]:
        acc = acc + x
    return acc


def matmul(A: Matrix, B: Matrix, zero: Any = None) -> Matrix:
    m, k = shape(A)
    k2, n = shape(B)
    if k != k2:
        raise ShapeError(f"cannot multiply a {m}x{k} matrix by a {k2}x{n} matrix")
    out = []
    for i in range(m):
        row = []
        Ai = A[i]
        for j in range(n):
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
                acc = _sum(terms)
            row.append(acc)
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


def scale(c: Any, A: Matrix) -> Matrix:
    return [[c * a for a in row] for row in A]


def submatrix(A: Matrix, rows: Sequence[int], cols: Sequence[int]) -> Matrix:
    return [[A[i][j] for j in cols] for i in rows]


def is_zero_matrix(A: Matrix, iszero: Callable[[Any], bool] = _is_zero) -> bool:
    return all(iszero(a) for row in A for a in row)


def rank_profile(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
                 cost: Callable[[Any], int] = _cost) -> tuple[int, list[int], list[int]]:
    """Rank and a pair of index lists ``(rows, cols)`` with ``A[rows, cols]`` invertible.

    Gaussian elimination with full pivoting on the cheapest non-zero entry
    (fewest terms, for rational functions), which keeps intermediate
    expressions small.  Exact whenever ``iszero`` is.
    """
    m, n = shape(A)
    M = [list(r) for r in A]
    rows_left = list(range(m))
    cols_left = list(range(n))
    prow: list[int] = []
    pcol: list[int] = []
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
        rows_left.remove(pi)
        cols_left.remove(pj)
        piv_inv = 1 / M[pi][pj] if not hasattr(M[pi][pj], "inverse") else M[pi][pj].inverse()
        for i in rows_left:
            if iszero(M[i][pj]):
                continue
            f = M[i][pj] * piv_inv
            Mi, Mp = M[i], M[pi]
            for j in cols_left:
                if not iszero(Mp[j]):
                    Mi[j] = Mi[j] - f * Mp[j]
            Mi[pj] = Mi[pj] * 0
    return len(prow), sorted(prow), sorted(pcol)


def inverse(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
            cost: Callable[[Any], int] = _cost) -> Matrix:
    """Inverse of a square matrix by Gauss-Jordan elimination; ``RankError`` if singular."""
    n, n2 = shape(A)
    if n != n2:
        raise ShapeError(f"only square matrices have inverses; got {n}x{n2}")
    one = A[0][0] ** 0 if n else 1
    zero = A[0][0] * 0 if n else 0
    M = [list(A[i]) + [one if i == j else zero for j in range(n)] for i in range(n)]
    for col in range(n):
        cands = [i for i in range(col, n) if not iszero(M[i][col])]
        if not cands:
            raise RankError(f"the {n}x{n} matrix is singular (no pivot in column {col + 1})")
        piv = min(cands, key=lambda i: cost(M[i][col]))
        M[col], M[piv] = M[piv], M[col]
        p = M[col][col]
        pinv = p.inverse() if hasattr(p, "inverse") else 1 / p
        M[col] = [x * pinv for x in M[col]]
        for i in range(n):
            if i != col and not iszero(M[i][col]):
                f = M[i][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[col])]
    return [row[n:] for row in M]


def det(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
        cost: Callable[[Any], int] = _cost) -> Any:
    """Determinant by Gaussian elimination with pivoting."""
    n, n2 = shape(A)
    if n != n2:
        raise ShapeError(f"only square matrices have determinants; got {n}x{n2}")
    if n == 0:
        return 1
    if n == 1:
        return A[0][0]
    if n == 2:
        return A[0][0] * A[1][1] - A[0][1] * A[1][0]
    M = [list(r) for r in A]
    d = M[0][0] ** 0
    for col in range(n):
        cands = [i for i in range(col, n) if not iszero(M[i][col])]
        if not cands:
            return M[0][0] * 0
        piv = min(cands, key=lambda i: cost(M[i][col]))
        if piv != col:
            M[col], M[piv] = M[piv], M[col]
            d = -d
        p = M[col][col]
        d = d * p
        pinv = p.inverse() if hasattr(p, "inverse") else 1 / p
        for i in range(col + 1, n):
            if not iszero(M[i][col]):
                f = M[i][col] * pinv
                M[i] = [a - f * b for a, b in zip(M[i], M[col])]
    return d


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


def _projector(K: Matrix, n: int, iszero, cost) -> Matrix:
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


def nullspace(A: Matrix, iszero: Callable[[Any], bool] = _is_zero,
              cost: Callable[[Any], int] = _cost) -> list[list[Any]]:
    """A basis of the right null space (as a list of column vectors), from the reduced row echelon form."""
    m, n = shape(A)
    M = [list(r) for r in A]
    pivots: list[int] = []
    row = 0
    for col in range(n):
        if row >= m:
            break
        cands = [i for i in range(row, m) if not iszero(M[i][col])]
        if not cands:
            continue
        piv = min(cands, key=lambda i: cost(M[i][col]))
        M[row], M[piv] = M[piv], M[row]
        p = M[row][col]
        pinv = p.inverse() if hasattr(p, "inverse") else 1 / p
        M[row] = [x * pinv for x in M[row]]
        for i in range(m):
            if i != row and not iszero(M[i][col]):
                f = M[i][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[row])]
        pivots.append(col)
        row += 1
    one = A[0][0] ** 0 if m and n else 1
    zero = one * 0
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        v = [zero] * n
        v[free] = one
        for k, pc in enumerate(pivots):
            v[pc] = -M[k][free]
        basis.append(v)
    return basis


class DegreeTracked:
    """An exact rational value with bounds on the degrees of the rational function behind it.

    Arithmetic on values is exact (``Fraction``); alongside, ``num_deg`` and
    ``den_deg`` bound the total degrees of numerator and denominator of the
    rational function that the same sequence of operations produces
    symbolically.  This is what a Schwartz-Zippel bound needs.

    >>> a = DegreeTracked(Fraction(3), 1, 0); b = DegreeTracked(Fraction(2), 2, 1)
    >>> c = a / b + a
    >>> (c.value, c.num_deg, c.den_deg)
    (Fraction(9, 2), 3, 2)
    """

    __slots__ = ("value", "num_deg", "den_deg")

    def __init__(self, value: Fraction, num_deg: int, den_deg: int):
        self.value = Fraction(value)
        self.num_deg = num_deg
        self.den_deg = den_deg

    def _c(self, o):
        return o if isinstance(o, DegreeTracked) else DegreeTracked(Fraction(o), 0, 0)

    def __add__(self, o):
        o = self._c(o)
        if o.value == 0 and o.num_deg == 0:
            return self
        if self.value == 0 and self.num_deg == 0:
            return o
        return DegreeTracked(self.value + o.value, max(self.num_deg + o.den_deg, o.num_deg + self.den_deg),
                             self.den_deg + o.den_deg)

    __radd__ = __add__

    def __neg__(self):
        return DegreeTracked(-self.value, self.num_deg, self.den_deg)

    def __sub__(self, o):
        return self + (-self._c(o))

    def __rsub__(self, o):
        return (-self) + o

    def __mul__(self, o):
        o = self._c(o)
        return DegreeTracked(self.value * o.value, self.num_deg + o.num_deg, self.den_deg + o.den_deg)

    __rmul__ = __mul__

    def inverse(self):
        if self.value == 0:
            raise ZeroDivisionError("inverse of zero")
        return DegreeTracked(1 / self.value, self.den_deg, self.num_deg)

    def __truediv__(self, o):
        return self * self._c(o).inverse()

    def __rtruediv__(self, o):
        return self._c(o) * self.inverse()

    def __pow__(self, n: int):
        if n < 0:
            return self.inverse() ** (-n)
        out = DegreeTracked(Fraction(1), 0, 0)
        for _ in range(n):
            out = out * self
        return out

    def is_zero(self) -> bool:
        """Zero as a rational function: value zero with a constant numerator."""
        return self.value == 0 and self.num_deg == 0

    def vanishes(self) -> bool:
        """Zero at this point (the pivot test)."""
        return self.value == 0

    def size(self) -> int:
        return self.num_deg + self.den_deg

    def __repr__(self) -> str:
        return f"DegreeTracked({self.value}, deg<={self.num_deg}/{self.den_deg})"


def as_fraction_matrix(A: Matrix) -> list[list[Fraction]]:
    return [[Fraction(x) if not isinstance(x, DegreeTracked) else x.value for x in row] for row in A]
