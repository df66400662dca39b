r"""Generalised inverses of symbolic matrices, with the set where they are valid.

A generalised inverse of ``A`` is any ``A^-`` with ``A A^- A = A`` (paper,
Def. 1, eq. 2); the Moore-Penrose inverse ``A^+`` is the one that also meets
the other three Penrose conditions.  A formula for ``A^+`` in terms of the
parameters is only valid where the rank of ``A`` equals its generic rank
``r``: :func:`pinv` returns it together with

* ``condition``: :math:`e_r(A^T A)`, the sum of the squares of the ``r x r``
  minors of ``A`` (Cauchy-Binet), or the sum of the principal ``r x r`` minors
  when ``A`` is known to be positive semi-definite.  It vanishes exactly where
  the rank drops below ``r``;
* ``extra_conditions``: factors of the formula's denominators that are not
  factors of the condition (usually none: the pivot block the computation
  divides by cancels out of the reduced formula);
* ``penrose``: the four Penrose conditions, checked as exact identities.

:meth:`PseudoInverse.at` gives the true inverse at a point: the formula where
the conditions hold, the inverse of the substituted matrix where they fail.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Mapping, Sequence

import mpmath
import sympy as sp

from .exact import dense as linalg
from .exceptions import DomainError, LiftError, RankError, ShapeError, SymbolError
from .exact.lifting import RF, Lifting, PointField

__all__ = [
    "PseudoInverse", "pinv", "generalised_inverse_family", "is_generalised_inverse",
    "tikhonov_inverse", "tikhonov_limit", "exact_pinv_at",
]


def _as_matrix(A: Any, what: str = "matrix") -> sp.ImmutableMatrix:
    try:
        M = sp.ImmutableMatrix(A)
    except Exception as exc:  # sympy raises several types here
        raise ShapeError(f"cannot read the {what} {A!r} as a matrix: {exc}") from exc
    if M.rows == 0 or M.cols == 0:
        raise ShapeError(f"the {what} is empty ({M.rows}x{M.cols})")
    return M


def _sum_principal_minors(A: list[list[RF]], r: int, zero: RF) -> RF:
    n = len(A)
    total = zero
    for S in itertools.combinations(range(n), r):
        total = total + linalg.det(linalg.submatrix(A, S, S))
    return total


def rank_condition(A: list[list[RF]], r: int, *, psd: bool, zero: RF) -> RF:
    r"""An expression non-zero exactly where ``rank A = r`` (given ``rank A <= r`` everywhere).

    For positive semi-definite ``A`` the principal ``r x r`` minors are all
    ``>= 0`` and some is positive iff the rank is at least ``r``; in general
    the same holds for ``A^T A``, whose principal minors sum to the sum of
    squares of all ``r x r`` minors of ``A`` (Cauchy-Binet).
    """
    if r == 0:
        return zero + 1
    B = A if psd else linalg.matmul(linalg.transpose(A), A)
    n = len(B)
    if math.comb(n, r) <= 400:
        return _sum_principal_minors(B, r, zero)
    # Faddeev-LeVerrier: coefficients of the characteristic polynomial
    M = linalg.identity(n, zero + 1, zero)
    c = zero + 1
    for k in range(1, r + 1):
        AM = linalg.matmul(B, M)
        c = -sum((AM[i][i] for i in range(n)), zero) / k
        M = [[AM[i][j] + (c if i == j else zero) for j in range(n)] for i in range(n)]
    return c if r % 2 == 0 else -c


@dataclass(frozen=True, eq=False)
class PenroseCheck:
    """The four Penrose conditions on ``X`` as a generalised inverse of ``A``, checked exactly."""

    AXA_eq_A: bool
    XAX_eq_X: bool
    AX_symmetric: bool
    XA_symmetric: bool
    method: str = "exact rational-function arithmetic"

    @property
    def holds(self) -> bool:
        return self.AXA_eq_A and self.XAX_eq_X and self.AX_symmetric and self.XA_symmetric

    def __str__(self) -> str:
        if self.holds:
            return f"all four Penrose conditions proved exactly ({self.method})"
        failed = [n for n, ok in [("AXA = A", self.AXA_eq_A), ("XAX = X", self.XAX_eq_X),
                                  ("(AX)^T = AX", self.AX_symmetric), ("(XA)^T = XA", self.XA_symmetric)] if not ok]
        return "Penrose conditions refuted: " + ", ".join(failed)


def penrose_check(A: list[list[Any]], X: list[list[Any]]) -> PenroseCheck:
    AX = linalg.matmul(A, X)
    XA = linalg.matmul(X, A)
    z = linalg.is_zero_matrix
    return PenroseCheck(
        AXA_eq_A=z(linalg.matsub(linalg.matmul(AX, A), A)),
        XAX_eq_X=z(linalg.matsub(linalg.matmul(XA, X), X)),
        AX_symmetric=z(linalg.matsub(AX, linalg.transpose(AX))),
        XA_symmetric=z(linalg.matsub(XA, linalg.transpose(XA))),
    )


@dataclass(frozen=True, eq=False)
class PseudoInverse:
    r"""A symbolic Moore-Penrose inverse and the set where it is the true one.

    The exact rational-function form is computed at construction; the SymPy
    views (``matrix``, ``condition``) and the Penrose check are computed when
    first asked for, and cached.

    Attributes
    ==========
    source : the matrix ``A``
    matrix : the formula for ``A^+`` (valid where ``condition != 0`` and every extra condition ``!= 0``)
    rank : the generic rank ``r`` of ``A``
    condition : non-zero exactly where ``rank A = r``
    extra_conditions : further factors of the formula's denominators (usually none)
    penrose : the four Penrose conditions, checked exactly on the formula

    Examples
    ========
    >>> a, b = sp.symbols("a b", real=True)
    >>> P = pinv(sp.Matrix([[b**2, a*b], [a*b, a**2]]))
    >>> P.rank, P.condition
    (1, (a**2 + b**2)**2)
    >>> P.at({a: 0, b: 0})
    Matrix([
    [0, 0],
    [0, 0]])
    >>> P.penrose.holds
    True
    """

    source: sp.ImmutableMatrix
    rank: int
    lifting: Lifting = field(repr=False)
    _A: list = field(repr=False)
    _X: list = field(repr=False)
    _cond: RF = field(repr=False)
    _extra: tuple = field(repr=False)
    psd: bool = False
    domain: Any = field(default=None, repr=False)  # a callable that validates a point (Model.check_params)

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(self.lifting.symbols)

    @cached_property
    def matrix(self) -> sp.ImmutableMatrix:
        """The formula for ``A^+`` as a SymPy matrix (numerators and denominators factored)."""
        return self.lifting.matrix_to_sympy(self._X, factor=True)

    @cached_property
    def condition(self) -> sp.Expr:
        """Non-zero exactly where the rank equals :attr:`rank` (see :func:`rank_condition`)."""
        return self.lifting.to_sympy(self._cond, factor=True)

    @cached_property
    def extra_conditions(self) -> tuple[sp.Expr, ...]:
        """Where the formula is undefined although the rank may be generic (usually none).

        These are the irreducible factors of the denominators of :attr:`matrix`
        that do not divide the numerator of :attr:`condition`.  Where the
        condition and every extra condition are non-zero, the formula is the
        true Moore-Penrose inverse (see :meth:`at`).
        """
        return tuple(self.lifting.to_sympy(e, factor=True) for e in self._extra)

    @cached_property
    def penrose(self) -> PenroseCheck:
        """The four Penrose conditions on the formula, as exact rational-function identities."""
        return penrose_check(self._A, self._X)

    latex_name = r"A^{+}"

    @property
    def valid_where(self) -> sp.Expr:
        """The validity set as a SymPy relation: all conditions non-zero."""
        return sp.And(*[sp.Ne(c, 0) for c in (self.condition, *self.extra_conditions)])

    def at(self, point: Mapping[sp.Symbol, Any]) -> sp.ImmutableMatrix:
        """The true Moore-Penrose inverse of ``source`` at ``point``.

        Substitutes into the formula where its conditions hold there; where the
        rank drops it inverts the substituted matrix instead.  Parameter values
        must be rational for the rank decision to be exact; at other values the
        formula is used only where the conditions are shown non-zero by interval
        arithmetic, and otherwise :class:`RankError` is raised.
        """
        if self.domain is not None:
            self.domain(point)  # the model's own checks: its parameters, their domain, the metric there
        point = _check_point(point, self.symbols)
        _check_defined(self.source, point)
        try:
            F = PointField(self.lifting, point)
        except LiftError as exc:
            return self._at_irrational(point, exc)
        try:
            cond = F.value(self._cond)
            extras = [F.value(e) for e in self._extra]
            if not cond.is_zero() and not any(e.is_zero() for e in extras):
                vals = [[F.value(x) for x in row] for row in self._X]
                return sp.ImmutableMatrix([[F.to_sympy(v) for v in row] for row in vals])
            A0 = [[F.value(x) for x in row] for row in self._A]
        except ZeroDivisionError as exc:
            raise DomainError(
                f"the matrix is not defined at {dict(point)}: a denominator vanishes there. "
                "Choose a point inside the domain of the model."
            ) from exc
        X0 = exact_pinv_at(A0, psd=self.psd)
        return sp.ImmutableMatrix([[F.to_sympy(v) for v in row] for row in X0])

    def _at_irrational(self, point, why: Exception) -> sp.ImmutableMatrix:
        checks = [self.condition, *self.extra_conditions]
        if all(_interval_nonzero(c, point) for c in checks):
            return sp.ImmutableMatrix(self.matrix.subs(point))
        raise RankError(
            f"cannot decide exactly whether the rank of the matrix drops at {dict(point)} ({why}). "
            "Give rational parameter values, or use symgrad.numeric.numeric_pinv for a numeric value."
        )

    def _repr_latex_(self) -> str:
        conds = ", ".join(sp.latex(c) + r" \neq 0" for c in (self.condition, *self.extra_conditions))
        return r"$A^{+} = " + sp.latex(self.matrix) + r"\quad\text{where } " + conds + "$"

    def __str__(self) -> str:
        return (f"Moore-Penrose inverse of rank {self.rank}, valid where {self.condition} != 0"
                + (f" and {', '.join(str(e) + ' != 0' for e in self.extra_conditions)}" if self.extra_conditions else "")
                + f"\n{self.matrix}\n{self.penrose}")


def _pinv_psd_fraction_free(A: list[list[RF]], cols: Sequence[int]) -> list[list[RF]]:
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
    Ninv = linalg.inverse(linalg.matmul(linalg.transpose(C), C))
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
            out[i][j] = out[j][i] = _reduce_known(num, den0, factors, 2) if not num.is_zero() else one * 0
    return out


def _reduce_known(num, den, factors, power: int) -> RF:
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


_FACTOR_LIMIT = 400  # terms of a denominator that _undefined_factors is willing to factor


def _undefined_factors(X: list[list[RF]], cond: RF, fallback: tuple[RF, ...]) -> tuple[RF, ...]:
    r"""The factors of the denominators of ``X`` whose zeros are not all zeros of ``cond``.

    Why this is the whole validity set: the formula is computed with the inverse
    of a pivot block ``W``, so it is the true ``A^+`` wherever ``cond != 0`` and
    ``det W != 0``.  On the set where ``cond != 0`` the rank is constant, so
    ``A^+`` is continuous there; the reduced formula is continuous wherever its
    denominators do not vanish; and the points with ``det W = 0`` are nowhere
    dense (``det W`` is a non-zero rational function of algebraically
    independent lifted variables).  Two continuous functions equal on a dense
    subset are equal, so the formula holds wherever ``cond`` and its own
    denominators are non-zero.  A denominator factor that divides the numerator
    of ``cond`` adds nothing.  When a denominator is too large to factor, the
    pivot determinant ``fallback`` is returned instead, which is also valid.
    """
    dens: list = []
    for row in X:
        for x in row:
            if not x.den.is_constant() and not any(x.den == d for d in dens):
                dens.append(x.den)
    if any(len(d) > _FACTOR_LIMIT for d in dens):
        return fallback
    out: list = []
    for d in dens:
        for f, _ in d.factor()[1]:
            if f.is_constant() or any(f == g or f == -g for g in out):
                continue
            _, rem = divmod(cond.num, f)
            if rem == 0:
                continue
            out.append(f)
    return tuple(RF(f) for f in out)


def exact_pinv_at(A0: list[list[Any]], psd: bool = False) -> list[list[Any]]:
    """Moore-Penrose inverse of a matrix with exact entries (rank decided exactly)."""
    r, rows, cols = linalg.rank_profile(A0)
    zero = A0[0][0] * 0
    if r == 0:
        return linalg.zeros(len(A0[0]), len(A0), zero)
    if psd:
        rows = cols
    return linalg.pinv_projector(A0, rows, cols, symmetric=psd)[0]


def _check_point(point: Mapping, symbols: Sequence[sp.Symbol]) -> dict:
    if not isinstance(point, Mapping):
        raise SymbolError(f"a point is a mapping from symbols to values, e.g. {{a: 0, b: 1}}; got {point!r}")
    point = {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in point.items()}
    by_name = {s.name: s for s in symbols}
    fixed = {}
    for k, v in point.items():
        s = k if k in symbols else by_name.get(getattr(k, "name", None))
        if s is None:
            if isinstance(k, sp.Symbol):
                continue  # the matrix does not depend on k (e.g. t for G = diag(1, r**2)): irrelevant
            raise SymbolError(f"the point names {k}, which is not among the symbols {list(symbols)}")
        if isinstance(v, float):
            v = sp.nsimplify(v, rational=True)
        fixed[s] = sp.sympify(v)
    missing = [s for s in symbols if s not in fixed]
    if missing:
        raise SymbolError(f"the point gives no value for {missing}; every symbol of the matrix needs one")
    return fixed


def _check_defined(A: sp.MatrixBase, point: Mapping[sp.Symbol, sp.Expr]) -> None:
    """Refuse a point outside the real domain of ``A``: a value that is not a finite real number,
    a value against a symbol's sign assumption, or an entry of ``A`` that is undefined or not real
    there (``log(0)``, ``1/sin(pi)``, ``sqrt(-1)``, even a removable ``0/0``)."""
    for s, v in point.items():
        if v.is_number and (v.is_real is False or v.is_finite is False or v.has(sp.nan)):
            raise DomainError(f"{s} = {v} is not a finite real number: give a real value")
        if v.is_number and ((s.is_positive and not v.is_positive) or (s.is_nonnegative and v.is_negative)
                            or (s.is_negative and not v.is_negative) or (s.is_nonpositive and v.is_positive)):
            raise DomainError(f"{s} = {v} is against the assumptions on {s} ({'positive' if s.is_positive else 'signed'}); "
                              "choose a point in the domain")
    try:
        vals = A.xreplace(dict(point))
    except (TypeError, ValueError, ZeroDivisionError) as exc:  # pragma: no cover
        raise DomainError(f"the matrix cannot be evaluated at {dict(point)}: {exc}") from exc
    for x in vals:
        if x.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or (x.is_number and x.is_real is False):
            raise DomainError(f"the matrix is not defined (or not real) at {dict(point)}: an entry becomes {x}. "
                              "Choose a point inside the domain of the model.")


def _interval_nonzero(expr: sp.Expr, point: Mapping, dps: int = 60) -> bool:
    """True if interval arithmetic proves ``expr`` non-zero at ``point``."""
    iv = mpmath.iv
    funcs = {sp.exp: iv.exp, sp.sin: iv.sin, sp.cos: iv.cos, sp.tan: iv.tan, sp.log: iv.log}

    def enclose(e: sp.Expr):  # a rigorous enclosure: exact integers, outward-rounded operations
        if e.is_Symbol:
            return enclose(sp.sympify(point[e]))
        if e.is_Integer:
            return iv.mpf(int(e))
        if e.is_Rational:
            return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
        if e is sp.pi:
            return iv.pi
        if e is sp.E:
            return iv.e
        if e.is_Add or e.is_Mul:
            vals = [enclose(x) for x in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = out + v if e.is_Add else out * v
            return out
        if e.is_Pow and e.exp.is_Integer:
            return enclose(e.base) ** int(e.exp)
        if e.is_Pow and e.exp == sp.S.Half:
            return iv.sqrt(enclose(e.base))
        if e.is_Pow and e.exp.is_Rational:
            base = enclose(e.base)
            if not base.a > 0:
                raise TypeError(f"no interval rule for a fractional power of {e.base} near 0 or below")
            return iv.exp(iv.mpf(int(e.exp.p)) / iv.mpf(int(e.exp.q)) * iv.log(base))
        if e.func in funcs:
            return funcs[e.func](enclose(e.args[0]))
        raise TypeError(f"no interval rule for {e}")

    saved = iv.dps
    try:
        iv.dps = dps
        val = enclose(sp.sympify(expr))
        if not (mpmath.isfinite(val.a) and mpmath.isfinite(val.b)):
            return False  # an infinite enclosure proves nothing
        return not (val.a <= 0 <= val.b)
    except Exception:  # no rule, or a domain error inside the interval: not proved
        return False
    finally:
        iv.dps = saved


def pinv(A: Any, symbols: Sequence[sp.Symbol] | None = None, *, psd: bool = False,
         method: Literal["auto", "projector", "full-rank"] = "auto",
         _lifting: Lifting | None = None,
         _lifted: list[list[RF]] | None = None) -> PseudoInverse:
    r"""The symbolic Moore-Penrose inverse of ``A``, exact, with its validity condition.

    The entries are lifted to rational functions (:mod:`symgrad.exact.lifting`), the
    rank and an invertible pivot block ``W`` are found by exact elimination,
    and the formula is built without ``Matrix.pinv`` or ``simplify``:

    * ``method="auto"`` (default): ``"projector"`` when the null spaces are smaller than the
      rank (the projectors are then cheap: softmax, whose ``G`` has a one-dimensional null
      space), ``"full-rank"`` otherwise (a linear network of rank 2 in 18 parameters);
    * ``method="projector"``: ``A^+ = (I - P_N) A^- (I - P_N')`` with
      the generalised inverse ``A^-`` holding ``W^{-1}`` and the orthogonal
      projectors onto the two null spaces (:func:`symgrad.exact.dense.pinv_projector`).
      The condition is then ``det(W)^k det(K^T K) [det(K'^T K')]`` for the null
      bases ``K, K'`` that are the identity off the pivots, which equals the sum
      of (squared) ``r x r`` minors by Cauchy-Binet and the Plücker relations;
    * ``method="full-rank"``: ``A^+ = R^T (R R^T)^{-1} W (C^T C)^{-1} C^T``
      (:func:`symgrad.exact.dense.pinv_full_rank`), with the condition summed over
      minors (:func:`rank_condition`).  Slower; kept as an independent route.

    Parameters
    ==========
    A : matrix-like of SymPy expressions
    symbols : the symbols the entries depend on (default: all free symbols)
    psd : declare ``A`` symmetric positive semi-definite (a Gram matrix); uses
        the principal-minor condition and one inverse instead of two

    Examples
    ========
    >>> r, t = sp.symbols("r t", positive=True)
    >>> P = pinv(sp.diag(1, r**2)); P.matrix
    Matrix([
    [1,       0],
    [0, r**(-2)]])
    >>> P.condition                      # the square of the only 2 x 2 minor
    r**4
    >>> pinv(sp.diag(1, r**2), psd=True).condition   # a principal minor, for a Gram matrix
    r**2
    """
    A = _as_matrix(A)
    syms = tuple(symbols) if symbols is not None else tuple(sorted(A.free_symbols, key=lambda s: s.name))
    if psd and A.rows != A.cols:
        raise ShapeError(f"a positive semi-definite matrix is square; got {A.rows}x{A.cols}")
    L = _lifting or Lifting.build(list(A), syms)
    Ar = _lifted if _lifted is not None else L.lift_matrix(A)
    if psd and any(not (Ar[i][j] - Ar[j][i]).is_zero() for i in range(A.rows) for j in range(i + 1, A.cols)):
        raise RankError("the matrix declared positive semi-definite is not symmetric; "
                        "call pinv without psd=True (the symmetric formula would give a wrong inverse)")
    r, rows, cols = linalg.rank_profile(Ar)
    if psd:
        rows = cols  # columns independent => principal block invertible, for a PSD matrix
        if r and linalg.det(linalg.submatrix(Ar, rows, cols)).is_zero():
            raise RankError("the matrix declared positive semi-definite is not: a principal pivot block is singular")
    if method not in ("auto", "projector", "full-rank"):
        raise ValueError(f"method must be 'auto', 'projector' or 'full-rank', not {method!r}")
    if method == "auto":
        nullity = max(A.rows, A.cols) - r
        method = "projector" if nullity < r else "full-rank"
    extra: tuple[RF, ...] = ()
    if r == 0:
        X = linalg.zeros(A.cols, A.rows, L.zero)
        cond = L.one
    else:
        W = linalg.submatrix(Ar, rows, cols)
        dW = linalg.det(W)
        extra = () if dW.num.is_constant() else (dW,)
        if method == "full-rank":
            if psd and all(isinstance(x, RF) for row in Ar for x in row):
                X = _pinv_psd_fraction_free(Ar, cols)
            else:
                X = linalg.pinv_full_rank(Ar, rows, cols, symmetric=psd)
            cond = rank_condition(Ar, r, psd=psd, zero=L.zero)
        else:
            X, K, Kl = linalg.pinv_projector(Ar, rows, cols, symmetric=psd)
            gram = lambda B: linalg.det(linalg.matmul(linalg.transpose(B), B)) if B and B[0] else L.one  # noqa: E731
            cond = dW * gram(K) if psd else dW * dW * gram(K) * gram(Kl)
        extra = _undefined_factors(X, cond, fallback=extra)
    return PseudoInverse(source=A, rank=r, lifting=L, _A=Ar, _X=X, _cond=cond, _extra=extra, psd=psd)


def generalised_inverse_family(P: PseudoInverse, prefix: str = "u") -> tuple[sp.ImmutableMatrix, tuple[sp.Symbol, ...]]:
    r"""Every generalised inverse of ``A``: ``A^+ + (I - A^+ A) U + V (I - A A^+)`` (Def. 1).

    Returns the matrix with free symbols ``U_ij, V_ij`` and the tuple of those
    symbols.  Every matrix of this form satisfies ``A A^- A = A``, and every
    generalised inverse has this form (Penrose 1955).
    """
    A, X = P.source, P.matrix
    m, n = A.rows, A.cols
    U = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"{prefix}_U{i + 1}{j + 1}", real=True))
    V = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"{prefix}_V{i + 1}{j + 1}", real=True))
    G = X + (sp.eye(n) - X * A) * U + V * (sp.eye(m) - A * X)
    return sp.ImmutableMatrix(G), tuple(U) + tuple(V)


def is_generalised_inverse(A: Any, X: Any, symbols: Sequence[sp.Symbol] | None = None) -> bool:
    """``A X A == A``, decided exactly (raises ``LiftError`` if the entries cannot be lifted)."""
    A, X = _as_matrix(A), _as_matrix(X, "candidate inverse")
    if (X.rows, X.cols) != (A.cols, A.rows):
        raise ShapeError(f"a generalised inverse of a {A.rows}x{A.cols} matrix is {A.cols}x{A.rows}; got {X.rows}x{X.cols}")
    L = Lifting.build(list(A) + list(X), symbols or ())
    Ar, Xr = L.lift_matrix(A), L.lift_matrix(X)
    return linalg.is_zero_matrix(linalg.matsub(linalg.matmul(linalg.matmul(Ar, Xr), Ar), Ar))


def tikhonov_inverse(G: Any, lam: sp.Symbol, symbols: Sequence[sp.Symbol] | None = None) -> sp.ImmutableMatrix:
    r"""``(G + lambda I)^{-1}`` exactly, as a matrix of rational functions in ``lambda``.

    For singular ``G`` this diverges as ``lambda -> 0``; what converges is
    ``(G + lambda I)^{-1} v`` for ``v`` in the image of ``G`` (to ``G^+ v``) and
    ``(A^T A + lambda I)^{-1} A^T`` (to ``A^+``): see :func:`tikhonov_limit`.
    """
    G = _as_matrix(G)
    if G.rows != G.cols:
        raise ShapeError(f"Tikhonov damping needs a square matrix; got {G.rows}x{G.cols}")
    L = Lifting.build(list(G) + [lam], tuple(symbols or ()) + (lam,))
    Gr = L.lift_matrix(G)
    l = L.lift(lam)
    Gl = [[x + (l if i == j else L.zero) for j, x in enumerate(row)] for i, row in enumerate(Gr)]
    return L.matrix_to_sympy(linalg.inverse(Gl))


def tikhonov_limit(expr_matrix: Any, lam: sp.Symbol, *, with_conditions: bool = False) -> Any:
    r"""The exact limit ``lambda -> 0`` of a matrix of rational functions of ``lambda``.

    Each entry is lifted to the exact field first (so ``cos^2 + sin^2 - 1`` is zero there), then
    written ``lambda^k (a_0 + a_1 lambda + ...) / (lambda^l (b_0 + ...))`` with ``a_0, b_0``
    non-zero functions of the other symbols.  The limit is ``a_0 / b_0`` (or 0 when ``k > l``)
    wherever ``b_0 != 0``; at points where ``b_0`` vanishes the orders change and the limit may
    differ (``lambda / (lambda + a^2)`` tends to 0 for ``a != 0`` but is 1 at ``a = 0``).

    Parameters
    ==========
    expr_matrix : matrix-like of rational functions of ``lam`` (and other symbols)
    lam : the damping parameter
    with_conditions : also return the expressions that must be non-zero: the ``b_0``, and
        ``1 + cos(theta)`` for each lifted half-angle tangent ``tan(theta/2)`` (infinite where
        that vanishes, so the lifted computation says nothing there)

    Returns
    =======
    the limit matrix, or ``(limit, conditions)`` with ``with_conditions=True``

    Raises
    ======
    RankError
        if some entry diverges (a pole at ``lambda = 0``)
    LiftError
        if an entry is not a rational function of ``lambda`` (``sin(lambda)/lambda``, say)
    """
    M = _as_matrix(expr_matrix)
    syms = sorted(M.free_symbols - {lam}, key=lambda x: x.name)
    L = Lifting.build(list(M), (lam, *syms))
    k = next((i for i, v in enumerate(L.variables) if v.meaning == lam), None)
    if k is None or any(lam in v.meaning.free_symbols for i, v in enumerate(L.variables) if i != k):
        raise LiftError(f"the entries of {M.tolist()} are not rational functions of {lam}: the limit "
                        f"{lam} -> 0 is taken for rational functions only")
    out, conditions = [], []

    def lowest(p):
        """Order in lam and the coefficient polynomial (lam = 0 substituted after dividing out)."""
        order = min(int(m[k]) for m, _ in p.terms())
        ctx = p.context()
        coeff = ctx.from_dict({tuple(0 if i == k else e for i, e in enumerate(m)): c
                               for m, c in p.terms() if int(m[k]) == order})
        return order, coeff

    for e in M:
        rf = L.lift(e)
        if rf.is_zero():
            out.append(sp.Integer(0))
            continue
        on, a0 = lowest(rf.num)
        od, b0 = lowest(rf.den)
        if on < od:
            raise RankError(
                f"the entry {e} diverges as {lam} -> 0: the bare damped inverse has no limit on a singular "
                "matrix. Apply it to a vector in the image of G, or use (A^T A + lambda I)^-1 A^T."
            )
        out.append(sp.Integer(0) if on > od else L.to_sympy(RF(a0, b0), factor=True))
        if not b0.is_constant():
            b = L.to_sympy(RF(b0), factor=True)
            if b.is_positive is not True and not any(b == c for c in conditions):
                conditions.append(b)
    # a half-angle tangent u = tan(theta/2) is infinite where cos(theta) = -1: the lifted
    # computation cannot see those points, so the limit is stated only where every u is finite
    for v in L.variables:
        if isinstance(v.meaning, sp.tan):
            c = 1 + sp.cos(2 * v.meaning.args[0])
            if not any(c == x for x in conditions):
                conditions.append(c)
    limit = sp.ImmutableMatrix(M.rows, M.cols, out)
    return (limit, tuple(conditions)) if with_conditions else limit
