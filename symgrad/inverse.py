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

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Literal, Mapping, NamedTuple, Sequence

import sympy as sp

from ._inputs import as_matrix
from ._inputs import point as read_point
from .exact import dense
from .exact.lifting import Lifting
from .exact.point import PointField
from .exact.ratfunc import RF
from .exceptions import ArgumentError, DomainError, LiftError, RankError, ShapeError
from .notation import latex_text
from .numeric import interval_nonzero

__all__ = [
    "PseudoInverse", "PenroseCheck", "pinv", "pinv_lifted", "pinv_gram", "penrose_check", "generalised_inverse_family",
    "family_member", "is_generalised_inverse", "tikhonov_inverse", "damped_inverse", "tikhonov_limit",
    "TikhonovLimit",
]


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

    def __repr__(self) -> str:
        return f"<PenroseCheck: {self}>"

    def _latex(self, printer: Any = None) -> str:
        return latex_text(str(self))

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 3].rstrip() + "..."


def penrose_check(A: list[list[Any]], X: list[list[Any]]) -> PenroseCheck:
    AX = dense.matmul(A, X)
    XA = dense.matmul(X, A)
    z = dense.is_zero_matrix
    return PenroseCheck(
        AXA_eq_A=z(dense.matsub(dense.matmul(AX, A), A)),
        XAX_eq_X=z(dense.matsub(dense.matmul(XA, X), X)),
        AX_symmetric=z(dense.matsub(AX, dense.transpose(AX))),
        XA_symmetric=z(dense.matsub(XA, dense.transpose(XA))),
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

    source_matrix: Any = field(repr=False)      # the SymPy matrix A, or a callable that builds it
    rank: int
    lifting: Lifting = field(repr=False)
    lifted: list = field(repr=False)            # A in the lifted field
    factors: tuple = field(repr=False)          # A^+ = factors[0] factors[1] ..., in the lifted field
    lifted_condition: RF = field(repr=False)
    lifted_extra: tuple | None = field(repr=False)  # None: found from the expanded formula when asked for
    psd: bool = False
    domain: Any = field(default=None, repr=False)  # a callable that validates a point (Model.check_params)
    route: str = "projector"
    defined_by: tuple = field(default=(), repr=False)  # SymPy matrices checked defined at a point (else source)
    extra_fallback: tuple = field(default=(), repr=False)  # valid extra conditions when the formula is too large

    @cached_property
    def source(self) -> sp.ImmutableMatrix:
        """The matrix ``A`` (built on first request when given as a callable)."""
        A = self.source_matrix
        return sp.ImmutableMatrix(A() if callable(A) else A)

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(self.lifting.symbols)

    @cached_property
    def lifted_inverse(self) -> list:
        """The formula for ``A^+`` in the lifted field, the factors multiplied out (once, on request)."""
        return dense.Factored(self.factors).expand()

    @cached_property
    def matrix(self) -> sp.ImmutableMatrix:
        """The formula for ``A^+`` as a SymPy matrix (numerators and denominators factored)."""
        return self.lifting.matrix_to_sympy(self.lifted_inverse, factor=True)

    @property
    def factored(self) -> tuple[sp.ImmutableMatrix, ...]:
        """The factors whose product is ``A^+``, as SymPy matrices (see :attr:`route`)."""
        return tuple(self.lifting.matrix_to_sympy(F, factor=True) for F in self.factors)

    @cached_property
    def condition(self) -> sp.Expr:
        """Non-zero exactly where the rank equals :attr:`rank` (see :func:`symgrad.exact.dense.rank_condition`)."""
        return self.lifting.to_sympy(self.lifted_condition, factor=True)

    @cached_property
    def _extra(self) -> tuple:
        if self.lifted_extra is not None:
            return self.lifted_extra
        return _undefined_factors(self.lifted_inverse, self.lifted_condition, fallback=self.extra_fallback)

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
        return penrose_check(self.lifted, self.lifted_inverse)

    latex_name = r"A^{+}"

    @property
    def valid_where(self) -> sp.Expr:
        """The validity set as a SymPy relation: all conditions non-zero."""
        return sp.And(*[sp.Ne(c, 0) for c in (self.condition, *self.extra_conditions)])

    def at(self, point: Mapping[sp.Symbol, Any]) -> sp.ImmutableMatrix:
        """The true Moore-Penrose inverse of ``source`` at ``point``.

        Where the condition is non-zero there and every factor of the formula is defined,
        the factors are evaluated and multiplied (the rank is then generic, and the formula
        is the inverse: see :func:`symgrad.exact.dense.gram_pinv` and
        :func:`_undefined_factors`); elsewhere the matrix is substituted first and
        inverted with its rank at the point decided exactly.  Parameter values must be
        rational for the rank decision to be exact; at other values the formula is used
        only where the conditions are shown non-zero by interval arithmetic, and otherwise
        :class:`RankError` is raised.
        """
        if self.domain is not None:
            self.domain(point)  # the model's own checks: its parameters, their domain, the metric there
        point = read_point(point, self.symbols, ignore_unknown=True)
        for M in self.defined_by or (self.source,):
            _check_defined(M, point)
        try:
            F = PointField(self.lifting, point)
        except LiftError as exc:
            return self._at_irrational(point, exc)
        try:
            cond = F.value(self.lifted_condition)
        except ZeroDivisionError:
            cond = None
        if cond is not None and not cond.is_zero():
            try:
                vals = dense.Factored([[[F.value(x) for x in row] for row in M] for M in self.factors]).expand()
                return sp.ImmutableMatrix([[F.to_sympy(v) for v in row] for row in vals])
            except ZeroDivisionError:
                pass  # a factor has a pole here although the rank is generic: invert at the point
        try:
            A0 = [[F.value(x) for x in row] for row in self.lifted]
        except ZeroDivisionError as exc:
            raise DomainError(
                f"the matrix is not defined at {dict(point)}: a denominator vanishes there. "
                "Choose a point inside the domain of the model."
            ) from exc
        X0 = dense.exact_pinv_at(A0, psd=self.psd)
        return sp.ImmutableMatrix([[F.to_sympy(v) for v in row] for row in X0])

    def _at_irrational(self, point, why: Exception) -> sp.ImmutableMatrix:
        checks = [self.condition, *self.extra_conditions]
        if all(interval_nonzero(c, point) for c in checks):
            return sp.ImmutableMatrix(self.matrix.subs(point))
        raise RankError(
            f"cannot decide exactly whether the rank of the matrix drops at {dict(point)} ({why}). "
            "Give rational parameter values, or use symgrad.numeric.numeric_pinv for a numeric value."
        )

    def _latex(self, printer: Any = None) -> str:
        """LaTeX mathematics (SymPy's printer hook, so a tuple of results displays under ``init_printing``)."""
        conds = ", ".join(sp.latex(c) + r" \neq 0" for c in (self.condition, *self.extra_conditions))
        return r"A^{+} = " + sp.latex(self.matrix) + r"\quad\text{where } " + conds

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"

    def __repr__(self) -> str:
        """What is known without computing anything new: the shape, the rank, and the rank condition and
        the Penrose check once they have been computed."""
        d = self.__dict__
        shape = (f"{self.source.rows}x{self.source.cols} " if "source" in d or not callable(self.source_matrix)
                 else "")
        out = f"<PseudoInverse of a {shape}matrix of rank {self.rank}"
        if "condition" in d:
            out += f", valid where {_clip(str(self.condition), 50)} != 0"
        if "penrose" in d:
            out += "; Penrose conditions " + ("proved exactly" if self.penrose.holds else "REFUTED")
        return out + ">"

    def __str__(self) -> str:
        return (f"Moore-Penrose inverse of rank {self.rank}, valid where {self.condition} != 0"
                + (f" and {', '.join(str(e) + ' != 0' for e in self.extra_conditions)}" if self.extra_conditions else "")
                + f"\n{self.matrix}\n{self.penrose}")


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


def _check_defined(A: sp.MatrixBase, point: Mapping[sp.Symbol, sp.Expr]) -> None:
    """Refuse a point (already read by :func:`symgrad._inputs.point`) where an entry of ``A`` is
    undefined or not real (``log(0)``, ``1/sin(pi)``, ``sqrt(-1)``, even a removable ``0/0``)."""
    try:
        vals = A.xreplace(dict(point))
    except (TypeError, ValueError, ZeroDivisionError) as exc:  # pragma: no cover
        raise DomainError(f"the matrix cannot be evaluated at {dict(point)}: {exc}") from exc
    for x in vals:
        if x.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or (x.is_number and x.is_real is False):
            raise DomainError(f"the matrix is not defined (or not real) at {dict(point)}: an entry becomes {x}. "
                              "Choose a point inside the domain of the model.")


Method = Literal["auto", "projector", "full-rank"]


def pinv(A: Any, symbols: Sequence[sp.Symbol] | None = None, *, psd: bool = False,
         method: Method = "auto") -> PseudoInverse:
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
      minors (:func:`symgrad.exact.dense.rank_condition`).  Slower; kept as an independent route.

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
    A = as_matrix(A)
    syms = tuple(symbols) if symbols is not None else tuple(sorted(A.free_symbols, key=lambda s: s.name))
    if psd and A.rows != A.cols:
        raise ShapeError(f"a positive semi-definite matrix is square; got {A.rows}x{A.cols}")
    L = Lifting.build(list(A), syms)
    return pinv_lifted(A, L, L.lift_matrix(A), psd=psd, method=method)


def pinv_lifted(A: Any, L: Lifting, Ar: list[list[RF]], *, psd: bool = False,
                method: Method = "auto", domain: Callable[[Mapping], Any] | None = None) -> PseudoInverse:
    """:func:`pinv` of a matrix already lifted: ``Ar`` is ``A`` in the field of ``L``.

    For callers that hold the lifted matrix already; ``domain`` validates a point for
    :meth:`PseudoInverse.at` (the model's own checks).  ``A`` is the SymPy matrix (or a
    callable that builds it, called only when it is asked for), square when ``psd``.
    """
    nrows, ncols = dense.shape(Ar)
    if psd and any(not (Ar[i][j] - Ar[j][i]).is_zero() for i in range(nrows) for j in range(i + 1, ncols)):
        raise RankError("the matrix declared positive semi-definite is not symmetric; "
                        "call pinv without psd=True (the symmetric formula would give a wrong inverse)")
    r, rows, cols = dense.rank_profile(Ar)
    if psd:
        rows = cols  # columns independent => principal block invertible, for a PSD matrix
        if r and dense.det(dense.submatrix(Ar, rows, cols)).is_zero():
            raise RankError("the matrix declared positive semi-definite is not: a principal pivot block is singular")
    if method not in ("auto", "projector", "full-rank"):
        raise ArgumentError(f"the pseudo-inverse method must be 'auto', 'projector' or 'full-rank', not {method!r}; "
                            "leave it at 'auto' unless you compare the two routes")
    if method == "auto":
        nullity = max(nrows, ncols) - r
        method = "projector" if nullity < r else "full-rank"
    extra: tuple[RF, ...] = ()
    if r == 0:
        X = dense.zeros(ncols, nrows, L.zero)
        cond = L.one
    else:
        W = dense.submatrix(Ar, rows, cols)
        dW = dense.det(W)
        extra = () if dW.num.is_constant() else (dW,)
        if method == "full-rank":
            if psd and all(isinstance(x, RF) for row in Ar for x in row):
                X = dense.pinv_psd_fraction_free(Ar, cols)
            else:
                X = dense.pinv_full_rank(Ar, rows, cols, symmetric=psd)
            cond = dense.rank_condition(Ar, r, psd=psd, zero=L.zero)
        else:
            X, K, Kl = dense.pinv_projector(Ar, rows, cols, symmetric=psd)
            gram = lambda B: dense.det(dense.matmul(dense.transpose(B), B)) if B and B[0] else L.one  # noqa: E731
            cond = dW * gram(K) if psd else dW * dW * gram(K) * gram(Kl)
        extra = _undefined_factors(X, cond, fallback=extra)
    return PseudoInverse(source_matrix=A, rank=r, lifting=L, lifted=Ar, factors=(X,), lifted_condition=cond,
                         lifted_extra=extra, psd=psd, domain=domain, route=method)


def pinv_gram(L: Lifting, J: list[list[RF]], g: list[list[RF]], G: list[list[RF]], *, source: Any,
              profile: tuple[int, Sequence[int], Sequence[int]] | None = None,
              domain: Callable[[Mapping], Any] | None = None, defined_by: tuple = ()) -> PseudoInverse:
    r"""The Moore-Penrose inverse of ``G = J^T g J`` (lifted ``J``, ``g``, ``G``), kept as a product of factors.

    The route is chosen from the rank ``r`` of ``J`` against the number ``m`` of outputs and
    ``n`` of parameters (:func:`symgrad.exact.dense.gram_pinv`): ``G^{-1}``; ``J^T K g^{-1} K J``
    with ``K = (J J^T)^{-1}`` when ``r = m``; ``R^T S H^{-1} S R`` from the full-rank
    factorisation ``J = B R`` when ``r <= n - r``; the projector formula on ``G`` otherwise.
    Only ``r x r`` (or ``m x m``) inverses are taken, and the ``n x n`` formula is multiplied
    out only when :attr:`PseudoInverse.matrix`, :attr:`~PseudoInverse.penrose` or the extra
    conditions are asked for.  Where ``g`` is degenerate on the column space of ``J`` (the
    routes need ``B^T g B`` invertible) it is :func:`pinv_lifted` of ``G``.

    The condition is the same rational function on every route, the sum of the principal
    ``r x r`` minors of ``G`` (non-zero exactly where the rank is ``r``), computed from the
    small factors: ``det G``; ``det g det(J J^T)``; ``det H det(R R^T)`` (``G[T, T] =
    R[:, T]^T H R[:, T]`` and Cauchy-Binet); ``det W det(K^T K)`` on the projector route.
    """
    r, rows, cols = profile if profile is not None else dense.rank_profile(J)
    try:
        X, route, parts = dense.gram_pinv(J, g, (r, rows, cols))
    except RankError:
        return pinv_lifted(source, L, G, psd=True, domain=domain)
    det = dense.det
    fallback: tuple[RF, ...] = ()
    if route == "zero":
        cond = L.one
    elif route == "inverse":
        cond = det(parts["G"])
    elif route == "full row rank":
        cond = det(g) * det(parts["JJt"])
    elif route == "full-rank factorisation":
        cond = det(parts["H"]) * det(parts["RRt"])
        dW = det(dense.submatrix(J, rows, cols))
        fallback = () if dW.num.is_constant() else (dW,)  # R = W^{-1} J[rows, :] has poles only there
    else:
        K = parts["K"]
        cond = det(parts["H"]) * (det(dense.matmul(dense.transpose(K), K)) if K and K[0] else L.one)
    return PseudoInverse(source_matrix=source, rank=r, lifting=L, lifted=G, factors=X.factors,
                         lifted_condition=cond, lifted_extra=None, psd=True, domain=domain, route=route,
                         defined_by=defined_by, extra_fallback=fallback)


def family_member(A: list[list[Any]], X: list[list[Any]], U: list[list[Any]], V: list[list[Any]]) -> list[list[Any]]:
    r"""``X + (I - X A) U + V (I - A X)`` in any field: with ``X = A^+`` this runs over every
    generalised inverse of ``A`` as ``U, V`` run over all ``n x m`` matrices (Penrose 1955; paper Def. 1).

    The one place the family is written; :func:`generalised_inverse_family` is its SymPy view.

    >>> from fractions import Fraction as F
    >>> A = [[F(1), F(0)], [F(0), F(0)]]
    >>> family_member(A, A, [[F(0), F(0)], [F(0), F(5)]], [[F(0), F(0)], [F(0), F(0)]])[1][1]
    Fraction(5, 1)
    """
    m, n = dense.shape(A)
    zero = A[0][0] * 0
    one = zero + 1
    XA = dense.matmul(X, A)
    AX = dense.matmul(A, X)
    left = dense.matsub(dense.identity(n, one, zero), XA)
    right = dense.matsub(dense.identity(m, one, zero), AX)
    return dense.matadd(dense.matadd(X, dense.matmul(left, U)), dense.matmul(V, right))


def generalised_inverse_family(P: PseudoInverse, prefix: str = "u") -> tuple[sp.ImmutableMatrix, tuple[sp.Symbol, ...]]:
    r"""Every generalised inverse of ``A``: ``A^+ + (I - A^+ A) U + V (I - A A^+)`` (Def. 1).

    Returns the matrix with free symbols ``U_ij, V_ij`` and the tuple of those
    symbols.  Every matrix of this form satisfies ``A A^- A = A``, and every
    generalised inverse has this form (Penrose 1955).  Computed exactly by
    :func:`family_member` in the lifted field.
    """
    A, X = P.source, P.matrix
    m, n = A.rows, A.cols
    U = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"{prefix}_U{i + 1}{j + 1}", real=True))
    V = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"{prefix}_V{i + 1}{j + 1}", real=True))
    L = Lifting.build(list(A) + list(X), P.symbols + tuple(U) + tuple(V))
    G = family_member(L.lift_matrix(A), L.lift_matrix(X), L.lift_matrix(U), L.lift_matrix(V))
    return L.matrix_to_sympy(G), tuple(U) + tuple(V)


def is_generalised_inverse(A: Any, X: Any, symbols: Sequence[sp.Symbol] | None = None) -> bool:
    """``A X A == A``, decided exactly (raises ``LiftError`` if the entries cannot be lifted)."""
    A, X = as_matrix(A), as_matrix(X, "candidate inverse")
    if (X.rows, X.cols) != (A.cols, A.rows):
        raise ShapeError(f"a generalised inverse of a {A.rows}x{A.cols} matrix is {A.cols}x{A.rows}; got {X.rows}x{X.cols}")
    L = Lifting.build(list(A) + list(X), symbols or ())
    Ar, Xr = L.lift_matrix(A), L.lift_matrix(X)
    return dense.is_zero_matrix(dense.matsub(dense.matmul(dense.matmul(Ar, Xr), Ar), Ar))


# ---------------------------------------------------------------------------
# Tikhonov damping: the one path (the lifted functions below, and their SymPy views)
# ---------------------------------------------------------------------------

def damped_inverse(G: list[list[Any]], lam: Any) -> list[list[Any]]:
    r"""``(G + lambda I)^{-1}`` in any field (``lam`` an element of it, e.g. a lifted symbol)."""
    if dense.shape(G)[0] != dense.shape(G)[1]:
        raise ShapeError(f"Tikhonov damping needs a square matrix; got {dense.shape(G)[0]}x{dense.shape(G)[1]}")
    return dense.inverse([[x + lam if i == j else x for j, x in enumerate(row)] for i, row in enumerate(G)])


def tikhonov_inverse(G: Any, lam: sp.Symbol, symbols: Sequence[sp.Symbol] | None = None) -> sp.ImmutableMatrix:
    r"""``(G + lambda I)^{-1}`` exactly, as a matrix of rational functions in ``lambda``.

    For singular ``G`` this diverges as ``lambda -> 0``; what converges is
    ``(G + lambda I)^{-1} v`` for ``v`` in the image of ``G`` (to ``G^+ v``) and
    ``(A^T A + lambda I)^{-1} A^T`` (to ``A^+``): see :func:`tikhonov_limit`.
    The work is done by :func:`damped_inverse` in the lifted field.
    """
    G = as_matrix(G)
    if G.rows != G.cols:
        raise ShapeError(f"Tikhonov damping needs a square matrix; got {G.rows}x{G.cols}")
    L = Lifting.build(list(G) + [lam], tuple(symbols or ()) + (lam,))
    return L.matrix_to_sympy(damped_inverse(L.lift_matrix(G), L.lift(lam)))


class TikhonovLimit(NamedTuple):
    r"""The limit ``lambda -> 0`` of a damped expression, and where it holds.

    ``limit`` is the matrix of limits; ``conditions`` the expressions that must be non-zero
    for it (the lowest-order coefficients of the denominators in ``lambda``, and
    ``1 + cos(theta)`` for each lifted half-angle tangent ``tan(theta/2)``).
    """

    limit: sp.ImmutableMatrix
    conditions: tuple[sp.Expr, ...]


def lambda_variable(L: Lifting, lam: sp.Symbol) -> int:
    """The index of ``lam`` among the variables of ``L``; :class:`LiftError` unless every entry is rational in it."""
    k = next((i for i, v in enumerate(L.variables) if v.kind == "symbol" and v.meaning == lam), None)
    if k is None or any(lam in v.meaning.free_symbols for i, v in enumerate(L.variables) if i != k):
        raise LiftError(f"the entries are not rational functions of {lam}: the limit "
                        f"{lam} -> 0 is taken for rational functions only")
    return k


def limit_at_zero(M: list[list[RF]], k: int) -> tuple[list[list[RF]], list[RF]]:
    r"""The limit as the ``k``-th variable tends to 0, entry by entry, in the lifted field.

    Each entry is ``lambda^a (a_0 + a_1 lambda + ...) / (lambda^b (b_0 + ...))`` with ``a_0, b_0``
    free of ``lambda``; its limit is ``a_0 / b_0`` (or 0 when ``a > b``) wherever ``b_0 != 0``.
    Returns the limits and the non-constant ``b_0`` (as rational functions).  :class:`RankError`
    if an entry diverges (``a < b``).
    """
    def lowest(p: Any) -> tuple[int, Any] | None:
        # the lowest order whose coefficient is not the zero function (in a field of kernels of unknown
        # independence a coefficient can be non-zero as a polynomial and zero as a function)
        for order in sorted({int(m[k]) for m, _ in p.terms()}):
            coeff = p.context().from_dict({tuple(0 if i == k else e for i, e in enumerate(m)): c
                                           for m, c in p.terms() if int(m[k]) == order})
            if not RF(coeff).is_zero():
                return order, coeff
        return None

    out: list[list[RF]] = []
    conditions: list[RF] = []
    for i, row in enumerate(M):
        out_row = []
        for j, rf in enumerate(row):
            if rf.is_zero():
                out_row.append(rf)
                continue
            low_num, low_den = lowest(rf.num), lowest(rf.den)
            if low_num is None:
                out_row.append(rf * 0)
                continue
            if low_den is None:  # pragma: no cover - denominators are certified non-zero when formed
                raise LiftError(f"the entry ({i + 1}, {j + 1}) has a denominator that is the zero function")
            on, a0 = low_num
            od, b0 = low_den
            if on < od:
                raise RankError(
                    f"the entry ({i + 1}, {j + 1}) diverges as the damping tends to 0: the bare damped inverse "
                    "has no limit on a singular matrix. Apply it to a vector in the image of G, or use "
                    "(A^T A + lambda I)^-1 A^T."
                )
            out_row.append(rf * 0 if on > od else RF(a0, b0))
            if not b0.is_constant() and not any(RF(b0) == c for c in conditions):
                conditions.append(RF(b0))
        out.append(out_row)
    return out, conditions


def tikhonov_limit(expr_matrix: Any, lam: sp.Symbol) -> TikhonovLimit:
    r"""The exact limit ``lambda -> 0`` of a matrix of rational functions of ``lambda``, and where it holds.

    Each entry is lifted to the exact field first (so ``cos^2 + sin^2 - 1`` is zero there), then
    written ``lambda^k (a_0 + a_1 lambda + ...) / (lambda^l (b_0 + ...))`` with ``a_0, b_0``
    non-zero functions of the other symbols (:func:`limit_at_zero`).  The limit is ``a_0 / b_0``
    (or 0 when ``k > l``) wherever ``b_0 != 0``; at points where ``b_0`` vanishes the orders
    change and the limit may differ (``lambda / (lambda + a^2)`` tends to 0 for ``a != 0`` but
    is 1 at ``a = 0``).

    Parameters
    ==========
    expr_matrix : matrix-like of rational functions of ``lam`` (and other symbols)
    lam : the damping parameter

    Returns
    =======
    TikhonovLimit
        ``limit``, and ``conditions``: the expressions that must be non-zero, the ``b_0`` (those
        SymPy does not know to be positive), and ``1 + cos(theta)`` for each lifted half-angle
        tangent ``tan(theta/2)`` (infinite where that vanishes, so the lifted computation says
        nothing there)

    Raises
    ======
    RankError
        if some entry diverges (a pole at ``lambda = 0``)
    LiftError
        if an entry is not a rational function of ``lambda`` (``sin(lambda)/lambda``, say)

    Examples
    ========
    >>> lam, a = sp.Symbol("lambda", positive=True), sp.Symbol("a", real=True)
    >>> T = tikhonov_limit(sp.Matrix([[lam / (lam + a**2)]]), lam)
    >>> T.limit, T.conditions
    (Matrix([[0]]), (a**2,))
    """
    M = as_matrix(expr_matrix)
    syms = sorted(M.free_symbols - {lam}, key=lambda x: x.name)
    L = Lifting.build(list(M), (lam, *syms))
    try:
        k = lambda_variable(L, lam)
    except LiftError:
        raise LiftError(f"the entries of {M.tolist()} are not rational functions of {lam}: the limit "
                        f"{lam} -> 0 is taken for rational functions only") from None
    Mr = L.lift_matrix(M)
    try:
        lim, dens = limit_at_zero(Mr, k)
    except RankError:
        bad = next(e for e, x in zip(M, (x for row in Mr for x in row))
                   if not x.is_zero() and min(int(m[k]) for m, _ in x.num.terms())
                   < min(int(m[k]) for m, _ in x.den.terms()))
        raise RankError(
            f"the entry {bad} diverges as {lam} -> 0: the bare damped inverse has no limit on a singular "
            "matrix. Apply it to a vector in the image of G, or use (A^T A + lambda I)^-1 A^T."
        ) from None
    conditions: list[sp.Expr] = []
    for d in dens:
        b = L.to_sympy(d, factor=True)
        if b.is_positive is not True and not any(b == c for c in conditions):
            conditions.append(b)
    # a half-angle tangent u = tan(theta/2) is infinite where cos(theta) = -1: the lifted
    # computation cannot see those points, so the limit is stated only where every u is finite
    for v in L.variables:
        if v.kind == "tan":
            c = 1 + sp.cos(2 * v.meaning.args[0])
            if not any(c == x for x in conditions):
                conditions.append(c)
    limit = sp.ImmutableMatrix(M.rows, M.cols, [L.to_sympy(x, factor=True) for row in lim for x in row])
    return TikhonovLimit(limit, tuple(conditions))
