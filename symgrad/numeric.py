r"""The independent numeric reference: mpmath at a stated precision.

Everything symgrad calls *numeric* evidence comes from here (DESIGN.md, kind 3
of "Exactness").  The code shares nothing with the exact layer
(:mod:`symgrad.exact.lifting`, :mod:`symgrad.exact.dense`): matrices are evaluated by SymPy's
own ``evalf`` and inverted through mpmath's singular value decomposition, so an
agreement between the two is a genuine cross-check.

* :func:`evaluate_matrix`: a SymPy matrix at a point, as an mpmath matrix;
* :func:`numeric_pinv`: the Moore-Penrose inverse from ``mpmath.svd_r`` with a
  stated rank threshold (mpmath 1.3 has no ``pinv``);
* :func:`random_point`: a random rational point for the symbols of a problem
  (drawn by :mod:`symgrad._sampling`, the one sampler);
* :func:`interval_nonzero`: a rigorous proof, by interval arithmetic, that an
  expression is non-zero at a point.

Precision is always scoped with :func:`mpmath.workdps`; the global
``mpmath.mp.dps`` is never changed.
"""
from __future__ import annotations

import random
from typing import Any, Iterable, Mapping, Sequence

import mpmath
import sympy as sp

from ._inputs import as_matrix as _as_sympy_matrix
from ._sampling import sample_point
from .exceptions import DomainError, ShapeError, SymbolError

__all__ = ["evaluate_matrix", "numeric_pinv", "random_point", "default_rank_tol", "max_abs_diff",
           "interval_enclosure", "interval_nonzero"]


def evaluate_matrix(M: Any, point: Mapping[sp.Symbol, Any] | None = None, dps: int = 50) -> mpmath.matrix:
    r"""The SymPy matrix ``M`` at ``point``, as an mpmath matrix accurate to ``dps`` digits.

    Each entry is evaluated by SymPy's ``evalf`` with the point substituted
    inside the evaluation (so no precision is lost to an early rounding of the
    point), at ``dps`` plus 10 guard digits, and converted under
    ``mpmath.workdps(dps)``.

    Parameters
    ----------
    M : matrix-like of SymPy expressions
    point : mapping from symbols to numbers (exact rationals preferred);
        every free symbol of ``M`` must be given a value
    dps : int
        Decimal digits of the result.

    Returns
    -------
    mpmath.matrix

    Raises
    ------
    SymbolError
        If a free symbol of ``M`` has no value at ``point``.
    DomainError
        If an entry is undefined there (a pole, ``0/0``) or not real.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> A = evaluate_matrix(sp.Matrix([[sp.exp(x), 1/x]]), {x: sp.Rational(1, 2)}, dps=30)
    >>> with mpmath.workdps(30):
    ...     print(A[0, 1] == 2, mpmath.almosteq(A[0, 0], mpmath.sqrt(mpmath.e), 1e-29))
    True True
    """
    M = _as_sympy_matrix(M)
    point = {} if point is None else dict(point)
    missing = M.free_symbols - set(point)
    if missing:
        raise SymbolError(
            f"the point gives no value for {sorted(map(str, missing))}; every free symbol of the matrix needs one"
        )
    subs = {k: sp.sympify(v) for k, v in point.items()}
    out = mpmath.matrix(M.rows, M.cols)
    with mpmath.workdps(dps):
        for i in range(M.rows):
            for j in range(M.cols):
                e = M[i, j]
                val = sp.N(e, dps + 10, subs=subs) if e.free_symbols else sp.N(e, dps + 10)
                if val.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not val.is_number:
                    raise DomainError(f"the entry ({i + 1}, {j + 1}) = {e} is undefined at {point} (it evaluates "
                                      f"to {val}); choose a point inside the domain")
                re, im = val.as_real_imag()
                if im != 0 and abs(im) > sp.Float(10) ** (-dps) * max(1, abs(re)):
                    raise DomainError(f"the entry ({i + 1}, {j + 1}) = {e} is not real at {point}: {val}")
                out[i, j] = mpmath.mpf(sp.Float(re, dps + 10)._mpf_) if re != 0 else mpmath.mpf(0)
    return out


def default_rank_tol(singular_values: Sequence[Any], dps: int) -> mpmath.mpf:
    r"""The default rank threshold: ``sigma_max * 10**(-dps // 2)``.

    A singular value counts as zero when it is below half the working digits
    relative to the largest one.  Entries evaluated to ``dps`` digits carry
    errors near ``10**-dps``, far below the threshold, while a non-zero
    singular value of a matrix with entries of moderate size at a random
    rational point is far above it.

    Examples
    --------
    >>> mpmath.nstr(default_rank_tol([mpmath.mpf(4), mpmath.mpf(1)], dps=20), 5)
    '4.0e-10'
    """
    smax = max((abs(s) for s in singular_values), default=mpmath.mpf(0))
    with mpmath.workdps(dps):
        return mpmath.mpf(smax) * mpmath.mpf(10) ** (-(dps // 2))


def numeric_pinv(A: Any, dps: int = 50, rank_tol: Any = None) -> tuple[mpmath.matrix, int, list[mpmath.mpf]]:
    r"""The Moore-Penrose inverse of a numeric matrix, from an SVD at ``dps`` digits.

    With ``A = U diag(s) V`` (``mpmath.svd_r``) and ``r`` the number of
    singular values above ``rank_tol``,

    .. math::

        A^+ = V^T \operatorname{diag}(1/s_1, \dots, 1/s_r, 0, \dots, 0) U^T .

    Parameters
    ----------
    A : mpmath matrix, list of rows, or a SymPy matrix without free symbols
        (a symbolic matrix is first put at a point with :func:`evaluate_matrix`)
    dps : int
        Working precision in decimal digits (scoped, never global).
    rank_tol : number, optional
        Singular values ``<= rank_tol`` count as zero; the default is
        :func:`default_rank_tol`, ``sigma_max * 10**(-dps // 2)``.

    Returns
    -------
    (mpmath.matrix, int, list of mpmath.mpf)
        The inverse, the numeric rank, and all singular values (descending).

    Raises
    ------
    SymbolError
        If ``A`` is a SymPy matrix with free symbols.

    Examples
    --------
    >>> X, r, s = numeric_pinv([[1, 2], [2, 4]], dps=30)
    >>> with mpmath.workdps(30):
    ...     print(r, mpmath.almosteq(X[0, 1], mpmath.mpf(2) / 25, 1e-28))
    1 True
    """
    if isinstance(A, mpmath.matrix):
        with mpmath.workdps(dps):
            M = mpmath.matrix(A)
    else:
        S = _as_sympy_matrix(A)
        if S.free_symbols:
            raise SymbolError(f"numeric_pinv needs numbers; the matrix has free symbols "
                              f"{sorted(map(str, S.free_symbols))}: evaluate it first with evaluate_matrix")
        M = evaluate_matrix(S, {}, dps)
    m, n = M.rows, M.cols
    if m == 0 or n == 0:
        raise ShapeError(f"the matrix is empty ({m}x{n})")
    with mpmath.workdps(dps):
        U, s, V = mpmath.svd_r(M, full_matrices=False, compute_uv=True)
        svals = [s[i] for i in range(s.rows)]
        tol = default_rank_tol(svals, dps) if rank_tol is None else mpmath.mpf(rank_tol)
        r = sum(1 for x in svals if x > tol)
        X = mpmath.matrix(n, m)
        for k in range(r):
            inv = 1 / svals[k]
            for i in range(n):
                vik = V[k, i] * inv
                for j in range(m):
                    X[i, j] += vik * U[j, k]
    return X, r, svals


def max_abs_diff(A: mpmath.matrix, B: Any, dps: int = 50) -> mpmath.mpf:
    """The largest absolute entry of ``A - B`` (``B`` may be a numeric SymPy matrix).

    Examples
    --------
    >>> max_abs_diff(mpmath.matrix([[1, 2]]), sp.Matrix([[1, sp.Rational(5, 2)]]))
    mpf('0.5')
    """
    if not isinstance(B, mpmath.matrix):
        B = evaluate_matrix(B, {}, dps)
    if (A.rows, A.cols) != (B.rows, B.cols):
        raise ShapeError(f"cannot compare a {A.rows}x{A.cols} matrix with a {B.rows}x{B.cols} matrix")
    with mpmath.workdps(dps):
        return max((abs(A[i, j] - B[i, j]) for i in range(A.rows) for j in range(A.cols)), default=mpmath.mpf(0))


def random_point(symbols: Iterable[sp.Symbol], rng: random.Random | int | None = None, *,
                 positive: bool | Iterable[sp.Symbol] | None = None, bound: int = 9, max_den: int = 9,
                 allow_zero: bool = False) -> dict[sp.Symbol, sp.Rational]:
    r"""A random rational point: ``{s: p/q}`` with ``|p/q| <= bound`` and ``1 <= q <= max_den``.

    Parameters
    ----------
    symbols : the symbols to give values to
    rng : a :class:`random.Random`, or a seed (log it: the point is then reproducible)
    positive : which symbols get values ``> 0``: ``True`` (all), ``False`` (none),
        a collection of symbols, or ``None`` (default: those declared ``positive=True``)
    bound, max_den : size of the values
    allow_zero : whether ``0`` may be drawn (off by default: random points are
        meant to be generic; pin zeros explicitly)

    Examples
    --------
    >>> a, b = sp.symbols("a b", positive=True)
    >>> pt = random_point([a, b], 42)
    >>> pt == random_point([a, b], 42) and all(v.is_Rational and v > 0 for v in pt.values())
    True
    """
    rng = rng if isinstance(rng, random.Random) else random.Random(rng)
    syms = list(symbols)
    for s in syms:
        if not isinstance(s, sp.Symbol):
            raise SymbolError(f"random_point gives values to symbols; got {s!r} of type {type(s).__name__}")
    if positive is None:
        pos = {s for s in syms if s.is_positive}
    elif positive is True:
        pos = set(syms)
    elif positive is False:
        pos = set()
    else:
        pos = set(positive)
    if bound < 1 or max_den < 1:
        raise ShapeError(f"bound and max_den must be at least 1; got bound={bound}, max_den={max_den}")
    values = sample_point(syms, rng, kind="small", positive=pos, bound=bound, max_den=max_den, allow_zero=allow_zero)
    return {s: sp.Rational(v.numerator, v.denominator) for s, v in values.items()}


_IV_FUNCS = {sp.exp: "exp", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.log: "log", sp.tanh: "tanh",
             sp.sinh: "sinh", sp.cosh: "cosh", sp.atan: "atan"}


def interval_enclosure(expr: sp.Expr, point: Mapping[sp.Symbol, Any] | None = None, dps: int = 60) -> Any:
    """A rigorous enclosure of ``expr`` at ``point`` (an ``mpmath.iv`` interval), at ``dps`` digits.

    Exact integers and rationals enter as point intervals, ``pi`` and ``E`` as mpmath's
    enclosures, and every operation rounds outwards, so the true value lies in the result.
    Raises :class:`TypeError` for an expression with no interval rule (a fractional power of
    an interval that reaches 0 or below, an unknown function) and :class:`ValueError` from
    mpmath for a domain error inside the interval.

    Examples
    --------
    >>> e = interval_enclosure(sp.exp(1) - sp.Rational(2718, 1000), dps=30)
    >>> e.a > 0
    True
    """
    iv = mpmath.iv
    point = {} if point is None else point

    def enclose(e: sp.Expr) -> Any:
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
        if e.is_Pow:
            base = enclose(e.base)
            if not base.a > 0:
                raise TypeError(f"no interval rule for a power of {e.base} near 0 or below")
            return iv.exp(enclose(e.exp) * iv.log(base))
        name = _IV_FUNCS.get(e.func)
        if name is not None:
            x = enclose(e.args[0])
            if name == "tanh":
                t = iv.exp(2 * x)
                return (t - 1) / (t + 1)
            if name in ("sinh", "cosh"):
                t = iv.exp(x)
                return (t - 1 / t) / 2 if name == "sinh" else (t + 1 / t) / 2
            return getattr(iv, name)(x)
        raise TypeError(f"no interval rule for {e}")

    saved = iv.dps
    try:
        iv.dps = dps
        return enclose(sp.sympify(expr))
    finally:
        iv.dps = saved


def interval_nonzero(expr: sp.Expr, point: Mapping[sp.Symbol, Any] | None = None, dps: int = 60) -> bool:
    """True if interval arithmetic proves ``expr`` non-zero at ``point`` (False: not proved).

    Examples
    --------
    >>> interval_nonzero(sp.pi - sp.Rational(22, 7)), interval_nonzero(sp.cos(1)**2 + sp.sin(1)**2 - 1)
    (True, False)
    """
    try:
        val = interval_enclosure(expr, point, dps)
        if not (mpmath.isfinite(val.a) and mpmath.isfinite(val.b)):
            return False  # an infinite enclosure proves nothing
        return not (val.a <= 0 <= val.b)
    except Exception:  # no rule, or a domain error inside the interval: not proved
        return False
