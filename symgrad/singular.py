r"""Singular points of a model, and where parametrisation independence fails (paper, §3, Fig. 2).

Theorem 1 of the paper computes the natural gradient at a *non-singular* point
``p`` of the model ``M = phi(Xi)``: near ``p`` the set ``M`` is an embedded
submanifold and the pushforwards ``d_i = dphi(e_i)`` span its tangent space
at every preimage of ``p``.  The section "Gradient in singular points" shows
what goes wrong elsewhere: if two parameters ``xi1 != xi2`` reach the same
``p`` along branches with different tangent spaces (Fig. 2), the recipe of
eq. (4), ``J (J^T g J)^+ J^T dL``, gives a vector in the span of the
``d_i(xi1)`` (the blue arrows) at ``xi1`` and one in the span of the
``d_i(xi2)`` (the red arrows) at ``xi2``, and a reparametrisation ``f`` with
``f(xi1) = xi2`` turns the first into the second.  So there is no single
gradient at ``p``.

This module finds such points and says how it knows:

* :func:`singular_points` finds where the rank of ``J`` falls below its
  generic rank ``r`` (the common zeros of the ``r x r`` minors, reduced and
  split into components), and the points reached twice,
  ``phi(xi1) = phi(xi2)`` with ``xi1 != xi2``.  For rational
  parametrisations both are exact elimination problems, solved with SymPy's
  Groebner bases within a time budget; the diagonal ``xi1 = xi2`` is removed
  by saturation (a new variable ``s`` with ``s (xi1_k - xi2_k) = 1``).  For
  an overparametrised model every point is reached from a whole fibre, so the
  search keeps only pairs whose tangent spaces differ (some
  ``(r+1) x (r+1)`` minor of ``[J(xi1) | J(xi2)]`` is non-zero, again by
  saturation).  When the exact search does not finish, or the model is not
  rational, a bounded numeric search follows and is reported as such: it is
  evidence, never a proof that nothing else exists.
* :func:`classify` decides whether a model point ``p`` is singular: it finds
  all preimages of ``p``, the rank of ``J`` and the span of the ``d_i`` at
  each, and groups them into branches.
* :func:`branch_gradients` evaluates eq. (4) at every preimage, exactly;
  :func:`counterexample` builds the reparametrisation of Fig. 2 and checks
  that it turns one branch's vector into the other's.
* :func:`ensure_nonsingular` is the guard used by APIs that assume a
  non-singular point.

What is *exact* here: the Groebner bases, the component splitting (by
factorisation over the rationals), and every rank and span computed at
rational or algebraic parameter values (exact field arithmetic, never floating
point).  What is *numeric*: the fallback searches (Levenberg-Marquardt in
mpmath at a stated precision) and, where it is used, the test whether two
preimages with the same tangent space lie on the same sheet.
"""
from __future__ import annotations

import itertools
import math
import random
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterator, Literal, Mapping, NamedTuple, Sequence

import mpmath
import sympy as sp
from sympy.polys.constructor import construct_domain
from sympy.polys.orderings import MonomialOrder, monomial_key

from .exact import dense as linalg
from .exceptions import DomainError, LiftError, ShapeError, SingularPointError, SymbolError
from .inverse import exact_pinv_at
from .exact.lifting import PointField
from .model import Model
from .notation import latex_text

__all__ = [
    "singular_points", "classify", "branch_gradients", "counterexample", "branch_swap", "ensure_nonsingular",
    "SingularPoints", "RankDropLocus", "RankDropPoint", "Crossing", "CrossingDetail", "NumericSearch",
    "Preimage", "Branch", "Classification", "BranchGradient", "BranchSwap", "Counterexample",
]

Method = Literal["exact", "numeric"]
Status = Literal["non-singular", "singular", "undecided"]

_MAX_MINORS = 400          # rank-drop minors computed exactly
_MAX_PAIR_MINORS = 60      # (r+1)-minors of [J(x) | J(y)] used for saturation
_MAX_COMPONENTS = 64
_GREVLEX = monomial_key("grevlex")


# ======================================================================================
# Time budget
# ======================================================================================

class _OutOfTime(BaseException):
    """Raised by the alarm when the exact stage exceeds its budget (a BaseException so no
    ``except Exception`` inside SymPy swallows it)."""


class _Budget:
    """A deadline shared by the exact stages of one call."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.start = time.monotonic()
        self.enforced = True

    def remaining(self) -> float | None:
        if self.seconds is None:
            return None
        return self.seconds - (time.monotonic() - self.start)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    @contextmanager
    def limit(self) -> Iterator[None]:
        """Run the block under the remaining budget, raising :class:`_OutOfTime` when it is spent.

        Uses ``SIGALRM``, so the limit is enforced only in the main thread and
        when no other interval timer is running; otherwise the block runs to
        the end and :attr:`enforced` records that the budget was not enforced.
        """
        rem = self.remaining()
        if rem is None:
            yield
            return
        if rem <= 0:
            raise _OutOfTime()
        usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                  and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
        if not usable:
            self.enforced = False
            yield
            return

        def _alarm(signum, frame):  # pragma: no cover - timing dependent
            raise _OutOfTime()

        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, rem)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


# ======================================================================================
# Polynomial ideals (SymPy Groebner bases)
# ======================================================================================

class _BlockOrder(MonomialOrder):
    """Elimination order: grevlex on the first ``k`` variables, ties broken by grevlex on the rest."""

    alias = "elim"
    is_global = True
    is_default = False

    def __init__(self, k: int):
        self.k = k

    def __call__(self, m):
        a, b = m[:self.k], m[self.k:]
        return ((sum(a), tuple(reversed([-x for x in a]))), (sum(b), tuple(reversed([-x for x in b]))))

    def __repr__(self) -> str:
        return f"_BlockOrder({self.k})"

    def __eq__(self, other) -> bool:
        return isinstance(other, _BlockOrder) and other.k == self.k

    def __hash__(self) -> int:
        return hash((_BlockOrder, self.k))


def _has_gens(e: sp.Expr, gens: Sequence[sp.Symbol]) -> bool:
    return bool(e.free_symbols & set(gens))


def _gb(polys: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Reduced Groebner basis (grevlex); ``[]`` for the zero ideal, ``[1]`` for the unit ideal."""
    polys = [sp.expand(p) for p in polys]
    polys = [p for p in polys if p != 0]
    if not polys:
        return []
    if any(not _has_gens(p, gens) for p in polys):
        return [sp.Integer(1)]
    G = sp.groebner(polys, *gens, order="grevlex")
    out = list(G.exprs)
    if any(not _has_gens(g, gens) for g in out):
        return [sp.Integer(1)]
    return out


def _is_unit(G: Sequence[sp.Expr]) -> bool:
    return len(G) == 1 and G[0] == 1


def _saturate(polys: Sequence[sp.Expr], h: sp.Expr, gens: Sequence[sp.Symbol]) -> list[sp.Expr]:
    r"""Reduced Groebner basis of the saturation ``I : h^\infty`` (the closure of ``V(I) \ V(h)``)."""
    h = sp.expand(h)
    if not _has_gens(h, gens):
        return _gb(polys, gens) if h != 0 else [sp.Integer(1)]
    s = sp.Dummy("s")
    polys = [sp.expand(p) for p in polys if sp.expand(p) != 0]
    G = sp.groebner(list(polys) + [1 - s * h], s, *gens, order=_BlockOrder(1))
    keep = [g for g in G.exprs if not g.has(s)]
    return _gb(keep, gens) if keep else []


def _dimension(G: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> int:
    """Krull dimension of the ideal with reduced Groebner basis ``G`` (from its leading monomials)."""
    if _is_unit(G):
        return -1
    if not G:
        return len(gens)
    supports = []
    for g in G:
        lm = max(sp.Poly(g, *gens).monoms(), key=_GREVLEX)
        supports.append({i for i, k in enumerate(lm) if k})
    n = len(gens)
    for size in range(n, -1, -1):
        for U in itertools.combinations(range(n), size):
            Us = set(U)
            if all(not sup <= Us for sup in supports):
                return size
    return 0  # pragma: no cover


def _squarefree(G: list[sp.Expr], gens: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Replace generators by their square-free parts until stable: same zero set, smaller ideal basis."""
    for _ in range(6):
        F = [sp.sqf_part(g, *gens) if _has_gens(g, gens) else g for g in G]
        G2 = _gb(F, gens)
        if G2 == G:
            break
        G = G2
    return G


def _components(G: list[sp.Expr], gens: Sequence[sp.Symbol], limit: int = _MAX_COMPONENTS) -> list[list[sp.Expr]]:
    """Split ``V(G)`` into pieces whose Groebner bases have only irreducible generators (over QQ).

    A factorising Groebner basis: if a generator factors as ``f1 * f2 * ...``
    the zero set is the union of the zero sets of ``G + (f_k)``.  Pieces
    contained in others are dropped, so what remains is the list of
    components (irreducible over QQ in all the examples this is used on).
    """
    out: list[list[sp.Expr]] = []
    stack = [_squarefree(G, gens)]
    while stack:
        C = stack.pop()
        if _is_unit(C):
            continue
        split = None
        for g in C:
            _, facs = sp.factor_list(g, *gens)
            facs = [f for f, _k in facs if _has_gens(f, gens)]
            if len(facs) > 1:
                split = facs
                break
        if split is None:
            if C not in out:
                out.append(C)
            if len(out) > limit:
                raise _TooLarge(f"more than {limit} components")
            continue
        for f in split:
            stack.append(_squarefree(_gb(list(C) + [f], gens), gens))
    # drop pieces contained in others: V(C1) ⊆ V(C2) when every generator of C2 lies in (C1)
    minimal = []
    for i, C in enumerate(out):
        contained = False
        for j, D in enumerate(out):
            if i == j or C == D:
                continue
            if _ideal_contains(C, D, gens) and not (_ideal_contains(D, C, gens) and j > i):
                contained = True
                break
        if not contained:
            minimal.append(C)
    return minimal


def _ideal_contains(C: list[sp.Expr], D: list[sp.Expr], gens: Sequence[sp.Symbol]) -> bool:
    """Every generator of ``D`` reduces to zero modulo the Groebner basis ``C`` (so ``V(C) ⊆ V(D)``)."""
    if _is_unit(C):
        return True
    if not D:
        return True
    if not C:
        return False
    Gb = sp.groebner(C, *gens, order="grevlex")
    return all(Gb.contains(d) for d in D)


class _TooLarge(Exception):
    """An exact computation that would not fit the stated limits (too many minors or components)."""


def _solve_component(C: list[sp.Expr], gens: Sequence[sp.Symbol]) -> list[dict] | None:
    """Explicit solutions of one component, or ``None`` when SymPy cannot give them.

    SymPy's ``solve`` honours the symbols' assumptions (``real``,
    ``positive``), so an empty answer means no solution in that domain when
    the symbols carry assumptions; without assumptions an empty answer for a
    consistent system is treated as "no explicit solution".
    """
    if not C:
        return [{}]
    try:
        sols = sp.solve(C, list(gens), dict=True)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return None
    if not sols:
        assumed = any(s.is_real is not None for s in gens)
        return [] if assumed else None
    good = []
    for s in sols:
        try:
            ok = all(sp.simplify(sp.expand(g.xreplace(s))) == 0 for g in C)
        except Exception:  # pragma: no cover - defensive
            ok = False
        if ok:
            good.append(s)
    return good if good else None


def _is_real_value(v: sp.Expr) -> bool:
    v = sp.sympify(v)
    if v.is_real is False:
        return False
    if v.is_number:
        try:
            return abs(complex(sp.N(v, 30)).imag) < 1e-20
        except (TypeError, ValueError):  # pragma: no cover
            return False
    return not v.has(sp.I)


def _real_solutions(sols: list[dict]) -> list[dict]:
    return [s for s in sols if all(_is_real_value(v) for v in s.values())]


def _poly_expr(p, gens: Sequence[sp.Expr]) -> sp.Expr:
    """A python-flint ``fmpz_mpoly`` as a SymPy expression in ``gens``."""
    terms = []
    for monom, coeff in p.terms():
        t = sp.Integer(int(coeff))
        for g, k in zip(gens, monom):
            if k:
                t = t * g**k
        terms.append(t)
    return sp.Add(*terms)


# ======================================================================================
# Exact values at points: a field element wrapper for symgrad.exact.dense
# ======================================================================================

class _K:
    """An element of a SymPy domain (``QQ``, ``QQ<sqrt(2)>``, ``QQ(t)``, ...) with plain operators."""

    __slots__ = ("K", "x")

    def __init__(self, K, x):
        self.K, self.x = K, x

    def _o(self, o):
        if isinstance(o, _K):
            return o.x
        if isinstance(o, Fraction):
            return self.K.from_sympy(sp.Rational(o.numerator, o.denominator))
        return self.K.convert(o)

    def __add__(self, o):
        return _K(self.K, self.x + self._o(o))

    __radd__ = __add__

    def __sub__(self, o):
        return _K(self.K, self.x - self._o(o))

    def __rsub__(self, o):
        return _K(self.K, self._o(o) - self.x)

    def __mul__(self, o):
        return _K(self.K, self.x * self._o(o))

    __rmul__ = __mul__

    def __neg__(self):
        return _K(self.K, -self.x)

    def inverse(self):
        if self.K.is_zero(self.x):
            raise ZeroDivisionError("inverse of zero")
        return _K(self.K, self.K.quo(self.K.one, self.x))

    def __truediv__(self, o):
        o = o if isinstance(o, _K) else _K(self.K, self._o(o))
        return self * o.inverse()

    def __rtruediv__(self, o):
        return _K(self.K, self._o(o)) * self.inverse()

    def __pow__(self, k: int):
        if k < 0:
            return self.inverse() ** (-k)
        out = _K(self.K, self.K.one)
        for _ in range(k):
            out = out * self
        return out

    def is_zero(self) -> bool:
        return self.K.is_zero(self.x)

    def size(self) -> int:
        return 1

    def to_sympy(self) -> sp.Expr:
        return self.K.to_sympy(self.x)


_NON_ALGEBRAIC = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh, sp.asin, sp.acos, sp.atan)


def _algebraic_exprs(exprs: Sequence[sp.Expr]) -> bool:
    for e in exprs:
        if e.has(sp.Float) or e.has(sp.pi) or e.has(sp.E) or e.has(sp.zoo) or e.has(sp.nan) or e.has(sp.oo):
            return False
        if any(isinstance(a, _NON_ALGEBRAIC) for a in sp.preorder_traversal(e)):
            return False
    return True


def _field_of(exprs: Sequence[sp.Expr]) -> list[_K] | None:
    """The expressions as elements of one exact field (rationals, a number field, or fractions over one).

    ``None`` when no exact field is at hand (transcendental numbers, floats).
    """
    exprs = [sp.sympify(e) for e in exprs]
    if not _algebraic_exprs(exprs):
        return None
    try:
        K, els = construct_domain(exprs, field=True, extension=True)
    except Exception:
        K, els = sp.EX, None
    if K.is_EX or getattr(K, "is_EXRAW", False):
        alg = set()
        for e in exprs:
            for a in sp.preorder_traversal(e):
                if a.is_number and not a.is_Rational and (a.is_Pow or isinstance(a, sp.CRootOf)):
                    alg.add(a)
        free = sorted(set().union(*[e.free_symbols for e in exprs]), key=lambda s: s.name)
        try:
            K0 = sp.QQ.algebraic_field(*sorted(alg, key=sp.default_sort_key)) if alg else sp.QQ
            K = K0.frac_field(*free) if free else K0
            els = [K.from_sympy(e) for e in exprs]
        except Exception:
            return None
    return [_K(K, x) for x in els]


def _rref_rows(A: list[list[Any]]) -> list[list[Any]]:
    """The non-zero rows of the reduced row echelon form (a canonical basis of the row space)."""
    M = [list(r) for r in A]
    m = len(M)
    n = len(M[0]) if M else 0
    row = 0
    for col in range(n):
        piv = next((i for i in range(row, m) if not M[i][col].is_zero()), None)
        if piv is None:
            continue
        M[row], M[piv] = M[piv], M[row]
        inv = M[row][col].inverse()
        M[row] = [x * inv for x in M[row]]
        for i in range(m):
            if i != row and not M[i][col].is_zero():
                f = M[i][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[row])]
        row += 1
        if row == m:
            break
    return M[:row]


# ======================================================================================
# The model as rational functions of xi
# ======================================================================================

class _Rational:
    """``phi = num/den`` componentwise, polynomials in ``xi`` over QQ (constants as coefficients)."""

    def __init__(self, model: Model, num: list[sp.Expr], den: list[sp.Expr]):
        self.model = model
        self.xi = model.xi
        self.num, self.den = num, den
        self.h = sp.Mul(*[d for d in den if _has_gens(d, self.xi)])
        # J with row i multiplied by den_i^2: a polynomial matrix with the same rank where phi is defined
        self.Jp = sp.Matrix([[sp.expand(sp.diff(n_, x) * d - n_ * sp.diff(d, x)) for x in self.xi]
                             for n_, d in zip(num, den)])

    @classmethod
    def of(cls, model: Model) -> _Rational | None:
        xi = model.xi
        num, den = [], []
        for e in model.phi:
            if not _algebraic_exprs([e]):
                return None
            n_, d = sp.fraction(sp.cancel(sp.together(e)))
            for q in (n_, d):
                try:
                    P = sp.Poly(q, *xi)
                except (sp.PolynomialError, sp.GeneratorsNeeded):
                    return None
                dom = P.domain
                if not (dom.is_ZZ or dom.is_QQ):
                    syms = set(getattr(dom, "symbols", ()) or ())
                    gens = getattr(dom, "gens", None)
                    if not syms or not syms <= set(model.constants) or dom.domain not in (sp.ZZ, sp.QQ):
                        return None
            num.append(sp.expand(n_))
            den.append(sp.expand(d))
        return cls(model, num, den)

    def copies(self, tag: str) -> tuple[sp.Symbol, ...]:
        return tuple(sp.Symbol(f"{s.name}_{tag}", **s.assumptions0) for s in self.xi)

    def phi_at(self, sub: Mapping) -> tuple[sp.Expr, ...]:
        return tuple(sp.cancel(sp.together(e.xreplace(dict(sub)))) for e in self.model.phi)


# ======================================================================================
# Numerics (the fallback, and the sheet test)
# ======================================================================================

class _Numeric:
    """mpmath evaluations of ``phi`` and ``J`` at a stated precision."""

    def __init__(self, model: Model, dps: int):
        self.model = model
        self.dps = dps
        self.xi = model.xi
        self.n, self.m = len(model.xi), model.phi.rows
        if model.constants:
            raise _TooLarge("the model has symbolic constants; a numeric search needs their values")
        self._phi = sp.lambdify(self.xi, list(model.phi), "mpmath")
        self._J = sp.lambdify(self.xi, model.J.tolist(), "mpmath")
        self.res_tol = mpmath.mpf(10) ** (-(dps * 4) // 5)
        self.rank_tol = mpmath.mpf(10) ** (-(dps // 4))

    def phi(self, x) -> list:
        return [mpmath.mpf(v) if not isinstance(v, mpmath.mpc) else v for v in self._phi(*x)]

    def J(self, x) -> mpmath.matrix:
        return mpmath.matrix([[mpmath.mpf(v) for v in row] for row in self._J(*x)])

    def rank(self, A: mpmath.matrix) -> int:
        return _numeric_rank(A, self.rank_tol)

    def starts(self, rng: random.Random, box: tuple[float, float], k: int) -> list[list]:
        lo, hi = box
        out = []
        for _ in range(k):
            pt = []
            for s in self.xi:
                a = max(lo, 1e-3) if (s.is_positive or s.is_nonnegative) else lo
                pt.append(mpmath.mpf(rng.uniform(a, hi)))
            out.append(pt)
        return out

    def in_domain(self, x) -> bool:
        for s, v in zip(self.xi, x):
            if s.is_positive and not v > 0:
                return False
            if s.is_nonnegative and v < 0:
                return False
        return True


def _num_out(v, digits: int = 15) -> sp.Float:
    """An mpmath number as a SymPy Float, with values below working precision shown as 0."""
    v = mpmath.chop(v, tol=mpmath.mpf(10) ** (-(mpmath.mp.dps // 2)))
    return sp.Float(v, digits)


def _numeric_span(A: mpmath.matrix, tol) -> tuple[tuple[sp.Float, ...], ...]:
    """The column span of ``A`` as the reduced echelon basis (canonical), computed from its SVD."""
    if A.rows == 0 or A.cols == 0:
        return ()
    U, S, V = mpmath.svd_r(A)
    smax = max([abs(x) for x in S] + [mpmath.mpf(1)])
    k = sum(1 for x in S if abs(x) > tol * smax)
    rows = [[U[i, j] for i in range(A.rows)] for j in range(k)]
    row = 0
    for col in range(A.rows):
        if row == k:
            break
        piv = max(range(row, k), key=lambda i: abs(rows[i][col]))
        if abs(rows[piv][col]) <= tol:
            continue
        rows[row], rows[piv] = rows[piv], rows[row]
        c = rows[row][col]
        rows[row] = [x / c for x in rows[row]]
        for i in range(k):
            if i != row:
                f = rows[i][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[row])]
        row += 1
    return tuple(tuple(_num_out(x) for x in r) for r in rows[:row])


def _numeric_rank(A: mpmath.matrix, tol) -> int:
    if A.rows == 0 or A.cols == 0:
        return 0
    S = mpmath.svd_r(A, compute_uv=False)
    smax = max([abs(s) for s in S] + [mpmath.mpf(1)])
    return sum(1 for s in S if abs(s) > tol * smax)


def _norm(v) -> Any:
    return mpmath.sqrt(sum(abs(x) ** 2 for x in v)) if len(v) else mpmath.mpf(0)


def _levenberg_marquardt(F: Callable, DF: Callable, x0: list, tol, maxit: int = 200) -> tuple[list, Any]:
    """Minimise ``|F(x)|`` from ``x0`` (any number of equations and unknowns); returns ``(x, |F(x)|)``."""
    x = list(x0)
    try:
        f = F(x)
    except (ZeroDivisionError, ValueError, TypeError):  # a pole, or a complex value
        return x, mpmath.inf
    nf = _norm(f)
    mu = mpmath.mpf("1e-3")
    n = len(x)
    for _ in range(maxit):
        if nf <= tol:
            break
        try:
            A = mpmath.matrix(DF(x))
        except (ZeroDivisionError, ValueError, TypeError):  # a pole, or a complex value
            break
        fv = mpmath.matrix(f)
        AtA = A.T * A
        g = A.T * fv
        improved = False
        for _ in range(40):
            try:
                step = mpmath.lu_solve(AtA + mu * mpmath.eye(n), -g)
                xn = [x[i] + step[i] for i in range(n)]
                fn = F(xn)
            except (ZeroDivisionError, ValueError, TypeError):  # a pole, or a complex value
                mu *= 10
                continue
            nfn = _norm(fn)
            if nfn < nf:
                x, f, nf = xn, fn, nfn
                mu = max(mu / 10, mpmath.mpf(10) ** (-60))
                improved = True
                break
            mu *= 10
        if not improved:
            break
    return x, nf


def _lm_system(exprs: Sequence[sp.Expr], vars_: Sequence[sp.Symbol]) -> tuple[Callable, Callable]:
    f = sp.lambdify(vars_, list(exprs), "mpmath")
    J = sp.lambdify(vars_, sp.Matrix(list(exprs)).jacobian(list(vars_)).tolist(), "mpmath")
    return (lambda x: [mpmath.mpf(v) for v in f(*x)]), (lambda x: [[mpmath.mpf(v) for v in r] for r in J(*x)])


def _same_sheet_numeric(N: _Numeric, x: list, y: list, rng: random.Random,
                        deltas: Sequence[str] = ("1e-3", "1e-4")) -> tuple[bool, Any]:
    """Do the images of small neighbourhoods of ``x`` and ``y`` coincide? (numeric test)

    Moves ``x`` by ``delta`` in random directions and looks for a point near
    ``y`` with the same image.  On one sheet the residual vanishes to working
    precision; on two sheets that only touch (same tangent space), it is of
    order ``delta^2`` or larger.  Returns ``(same_sheet, largest residual)``.
    """
    ys = list(N.xi)
    Fy = sp.lambdify(ys, list(N.model.phi), "mpmath")
    Jy = sp.lambdify(ys, N.model.J.tolist(), "mpmath")
    worst = mpmath.mpf(0)
    for d in deltas:
        for _ in range(2):
            v = [mpmath.mpf(rng.uniform(-1, 1)) for _ in x]
            nv = _norm(v)
            xs = [a + mpmath.mpf(d) * b / nv for a, b in zip(x, v)]
            if not N.in_domain(xs):
                continue
            target = N.phi(xs)
            F = lambda z: [mpmath.mpf(a) - t for a, t in zip(Fy(*z), target)]  # noqa: E731
            DF = lambda z: [[mpmath.mpf(a) for a in r] for r in Jy(*z)]  # noqa: E731
            _, res = _levenberg_marquardt(F, DF, list(y), N.res_tol)
            worst = max(worst, res)
    return worst <= mpmath.mpf(10) ** (-(N.dps // 2)), worst


# ======================================================================================
# Result objects
# ======================================================================================

def _fmt_point(xi: Sequence[sp.Symbol], vals: Mapping) -> str:
    return ", ".join(f"{s} = {vals[s]}" for s in xi if s in vals) or "(all parameters free)"


def _latex_point(xi: Sequence[sp.Symbol], vals: Mapping) -> str:
    return ",\\ ".join(f"{sp.latex(s)} = {sp.latex(vals[s])}" for s in xi if s in vals)


def _latex_vec(v: Sequence[sp.Expr]) -> str:
    return r"\left(" + ", ".join(sp.latex(x) for x in v) + r"\right)"


def _text(s: str) -> str:
    return latex_text(s)


@dataclass(frozen=True, eq=False)
class RankDropPoint:
    """A set of parameters where ``rank J`` is below its generic rank.

    Attributes
    ==========
    xi : the parameter values (a mapping; parameters not listed are free along the component)
    free : the parameters that stay free (empty for an isolated point)
    p : the model point ``phi(xi)`` (may depend on the free parameters)
    rank : the rank of ``J`` at generic points of this set
    method : ``"exact"`` or ``"numeric"``
    """

    xi: Mapping[sp.Symbol, sp.Expr]
    free: tuple[sp.Symbol, ...]
    p: tuple[sp.Expr, ...]
    rank: int | None
    method: Method = "exact"

    def __str__(self) -> str:
        what = f"{{{_fmt_point(tuple(self.xi), self.xi)}}}"
        if self.free:
            what += f" ({', '.join(map(str, self.free))} free)"
        return f"{what}: rank {self.rank if self.rank is not None else '?'}, p = {self.p}"

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class RankDropLocus:
    r"""Where ``rank J`` falls below the generic rank ``r`` (paper, §3: one kind of singular point).

    Attributes
    ==========
    equations : a reduced Groebner basis (grevlex) with the same zeros as the ``r x r`` minors of ``J``
        (square-free parts taken), as expressions that vanish on the locus; ``(1,)`` when it is empty
    components : the locus split into components, each given by its own equations
    points : explicit solutions, one :class:`RankDropPoint` per component when SymPy can solve it
    generic_rank : ``r``
    dimension : the dimension of the locus over the complex numbers (``-1`` when empty)
    method : ``"exact"`` (Groebner bases) or ``"numeric"`` (points found by a numeric search)
    note : how it was obtained
    """

    equations: tuple[sp.Expr, ...]
    components: tuple[tuple[sp.Expr, ...], ...]
    points: tuple[RankDropPoint, ...]
    generic_rank: int
    dimension: int
    method: Method
    note: str = ""
    unsolved: int = 0

    def __bool__(self) -> bool:
        return bool(self.points) or self.unsolved > 0

    @property
    def is_empty(self) -> bool:
        """True when the rank never drops (proved when ``method == "exact"``)."""
        return not self

    def __str__(self) -> str:
        if self.method == "exact" and self.dimension < 0:
            k = self.generic_rank
            return f"rank drops: none (exact: the {k}x{k} minors of J have no common zero)"
        if self.method == "exact" and not self:
            return ("rank drops: none in the real parameter domain (exact: the locus "
                    + ", ".join(f"{e} = 0" for e in self.equations) + " has no real point there)")
        if self.method == "numeric" and not self.points:
            return "rank drops: none found by the numeric search (not a proof that there are none)"
        lines = [f"rank drops below the generic rank {self.generic_rank} ({self.method}):"]
        if self.method == "exact":
            lines.append("  equations: " + ", ".join(f"{e} = 0" for e in self.equations))
        for pt in self.points:
            lines.append(f"  {pt}")
        if self.unsolved:
            lines.append(f"  ({self.unsolved} component(s) without explicit solution; see .components)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"RankDropLocus({self.method}, equations={list(self.equations)}, points={len(self.points)})"

    def _repr_latex_(self) -> str:
        if self.method == "exact" and not self:
            return r"$\operatorname{rank} J = " + str(self.generic_rank) + r"\text{ on the whole real domain (exact)}$"
        if self.method == "numeric" and not self:
            return r"$\text{no rank drop found (numeric search, not a proof)}$"
        eqs = ",\\ ".join(sp.latex(e) + " = 0" for e in self.equations)
        return r"$\operatorname{rank} J < " + str(self.generic_rank) + r"\iff " + eqs + "$"


class Crossing(NamedTuple):
    """Two parameters reaching one point: ``phi(xi1) = phi(xi2) = p`` with ``xi1 != xi2`` (Fig. 2)."""

    xi1: tuple[sp.Expr, ...]
    xi2: tuple[sp.Expr, ...]
    p: tuple[sp.Expr, ...]


@dataclass(frozen=True, eq=False)
class CrossingDetail:
    """A crossing with its tangent spaces.

    Attributes
    ==========
    crossing : the :class:`Crossing` ``(xi1, xi2, p)``
    kind : ``"crossing"`` (the spans of the ``d_i`` differ) or ``"tangency"`` (two sheets with the
        same tangent space that still differ as sets)
    span1, span2 : bases of the spans of the ``d_i`` at ``xi1`` and ``xi2`` (canonical: reduced echelon form)
    method : ``"exact"`` or ``"numeric"``
    """

    crossing: Crossing
    kind: Literal["crossing", "tangency"]
    span1: tuple[tuple[sp.Expr, ...], ...]
    span2: tuple[tuple[sp.Expr, ...], ...]
    method: Method

    def __str__(self) -> str:
        c = self.crossing
        return (f"{self.kind} at p = {c.p}: xi1 = {c.xi1} spans {list(self.span1)}, "
                f"xi2 = {c.xi2} spans {list(self.span2)} ({self.method})")

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class NumericSearch:
    """What a bounded numeric search did and found; evidence, never a proof of absence.

    Attributes
    ==========
    box : the interval each parameter's starting values were drawn from
    starts : how many random starting points were used (per search)
    dps : mpmath working precision (decimal digits)
    seed : the random seed
    residual_tol : the residual below which a solution was accepted
    rank_drops : parameter points found with numeric rank below the generic rank
    crossings : :class:`CrossingDetail` found (kind ``"crossing"`` or ``"tangency"``)
    same_sheet_pairs : how many converged off-diagonal pairs had the same tangent space and the same
        sheet (fibres of an overparametrised model, or repeated coverings): not singular
    """

    box: tuple[float, float]
    starts: int
    dps: int
    seed: int
    residual_tol: str
    rank_drops: tuple[RankDropPoint, ...] = ()
    crossings: tuple[CrossingDetail, ...] = ()
    same_sheet_pairs: int = 0
    searched: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (f"bounded numeric search ({', '.join(self.searched)}): {self.starts} random starts in "
                f"{list(self.box)} per parameter, Levenberg-Marquardt at {self.dps} digits, residual < "
                f"{self.residual_tol}, seed {self.seed}; found {len(self.rank_drops)} rank-drop point(s), "
                f"{len(self.crossings)} crossing(s), {self.same_sheet_pairs} same-sheet pair(s). "
                "Not a proof that nothing else exists.")


@dataclass(frozen=True, eq=False)
class SingularPoints:
    r"""The singular points of a model found by :func:`singular_points`, with the scope of the search.

    Attributes
    ==========
    model : the :class:`~symgrad.model.Model`
    rank_drops : a :class:`RankDropLocus`
    crossings : tuple of :class:`Crossing` ``(xi1, xi2, p)``: points reached from two parameters with
        different tangent spaces, or tangent sheets that differ (see :attr:`details`)
    details : one :class:`CrossingDetail` per crossing, in the same order
    crossing_loci : families of crossings whose model point varies along a curve or surface (double
        curves of a surface, say), as pairs ``(Crossing with symbolic entries, free symbols)``
    numeric : the :class:`NumericSearch` when one ran, else ``None``
    scope : what was searched, how, and what was not
    exact : True when both searches finished exactly and left nothing out (then no other singular
        point exists over the parameter domain; its ends too, when :attr:`scope` says they were examined)
    limit_points : :class:`Classification` s of points that ``phi`` tends to at an end of the domain
        and also reaches at a finite parameter, where the model is singular or undecided (the
        lemniscate's node, approached as ``t -> oo``); one-parameter rational models only
    """

    model: Model
    rank_drops: RankDropLocus
    crossings: tuple[Crossing, ...]
    details: tuple[CrossingDetail, ...]
    crossing_loci: tuple[tuple[Crossing, tuple[sp.Symbol, ...]], ...]
    numeric: NumericSearch | None
    scope: str
    exact: bool
    seconds: float = 0.0
    limit_points: tuple[Classification, ...] = ()

    @property
    def is_empty(self) -> bool:
        """No singular point found (a proof only when :attr:`exact`)."""
        return not self.rank_drops and not self.crossings and not self.crossing_loci and not self.limit_points

    def __str__(self) -> str:
        lines = [f"Singular points of {self.model.name} ({'exact' if self.exact else 'not exhaustive'}, "
                 f"{self.seconds:.2f} s)", str(self.rank_drops)]
        if self.details or self.crossing_loci:
            lines.append("self-crossings:")
            lines += [f"  {d}" for d in self.details]
            for c, free in self.crossing_loci:
                lines.append(f"  family of crossings ({', '.join(map(str, free))} free): xi1 = {c.xi1}, "
                             f"xi2 = {c.xi2}, p = {c.p}")
        else:
            lines.append("self-crossings: none found")
        for C in self.limit_points:
            lines.append(f"limit point: {str(C).splitlines()[0]}")
        lines.append("scope: " + self.scope)
        return "\n".join(lines)

    def __repr__(self) -> str:
        extra = (f", crossing_families={len(self.crossing_loci)}" if self.crossing_loci else "") + \
            (f", limit_points={[C.p for C in self.limit_points]}" if self.limit_points else "")
        return (f"SingularPoints({self.model.name}: rank_drops={self.rank_drops!r}, crossings={list(self.crossings)}"
                f"{extra}, exact={self.exact})")

    def _repr_latex_(self) -> str:
        parts = [self.rank_drops._repr_latex_().strip("$")]
        for d in self.details:
            c = d.crossing
            parts.append(r"\phi" + _latex_vec(c.xi1) + r" = \phi" + _latex_vec(c.xi2) + " = " + _latex_vec(c.p)
                         + r"\ " + _text(f"({d.kind}, {d.method})"))
        for c, free in self.crossing_loci:
            parts.append(r"\phi" + _latex_vec(c.xi1) + r" = \phi" + _latex_vec(c.xi2) + " = " + _latex_vec(c.p)
                         + r"\ " + _text(f"(a family: {', '.join(map(str, free))} free)"))
        for C in self.limit_points:
            parts.append("p = " + _latex_vec(C.p) + r"\ " + _text(f"({C.status}: a branch reached only in the limit)"))
        if not self.details and not self.crossing_loci and not self.limit_points:
            parts.append(_text("no self-crossings found"))
        parts.append(_text("(exact and exhaustive search; the scope is in .scope)" if self.exact else
                           "(not exhaustive: what was not examined is in .scope)"))
        return r"$\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}$"


@dataclass(frozen=True, eq=False)
class Preimage:
    """One component of ``phi^{-1}(p)``: a point, or a family (a fibre) with free parameters.

    Attributes
    ==========
    xi : the values (parameters not listed, and symbols in the values, are free)
    free : the free parameters along the component
    rank : the rank of ``J`` at generic points of the component
    span : a canonical basis (reduced echelon form) of the span of the ``d_i`` there
    branch : index into :attr:`Classification.branches`, or ``None`` for a component where the rank drops
    """

    xi: Mapping[sp.Symbol, sp.Expr]
    free: tuple[sp.Symbol, ...]
    rank: int
    span: tuple[tuple[sp.Expr, ...], ...]
    branch: int | None = None
    method: Method = "exact"

    def __str__(self) -> str:
        s = "{" + _fmt_point(tuple(self.xi), self.xi) + "}"
        if self.free:
            s += f" with {', '.join(map(str, self.free))} free"
        return f"{s}: rank {self.rank}, span {[tuple(v) for v in self.span]}"

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class Branch:
    """Preimages with one tangent space that lie on one sheet of the model near ``p``."""

    span: tuple[tuple[sp.Expr, ...], ...]
    preimages: tuple[int, ...]

    def __str__(self) -> str:
        return f"branch with tangent span {[tuple(v) for v in self.span]} from preimages {list(self.preimages)}"


@dataclass(frozen=True, eq=False)
class Classification:
    r"""Whether a model point ``p`` is singular, and why (paper, §3).

    ``p`` is *non-singular* when the model is an embedded submanifold near
    ``p`` whose tangent space the ``d_i`` span at every preimage (the paper's
    proper parametrisation).  It is *singular* when the rank of ``J`` drops
    at some preimage, when preimages lie on branches with different tangent
    spaces (Fig. 2), or when two sheets touch with one tangent space.

    Attributes
    ==========
    p : the model point
    status : ``"non-singular"``, ``"singular"`` or ``"undecided"``
    reasons : the reasons for ``"singular"``, as sentences
    kinds : the reasons as keywords: ``"rank drop"``, ``"branches"``, ``"tangency"``
    preimages : the :class:`Preimage` components of ``phi^{-1}(p)``
    branches : the :class:`Branch` es of full rank
    rank_drop_points : the preimages where the rank of ``J`` drops (as mappings)
    generic_rank : the generic rank ``r`` of ``J``
    method : ``"exact"`` or ``"numeric"`` (the weakest step used)
    notes : what was not examined or how a step was decided
    """

    model: Model
    p: tuple[sp.Expr, ...]
    status: Status
    reasons: tuple[str, ...]
    kinds: tuple[str, ...]
    preimages: tuple[Preimage, ...]
    branches: tuple[Branch, ...]
    rank_drop_points: tuple[Mapping, ...]
    generic_rank: int
    method: Method
    notes: tuple[str, ...] = ()

    @property
    def is_singular(self) -> bool:
        return self.status == "singular"

    @property
    def spans(self) -> tuple[tuple[tuple[sp.Expr, ...], ...], ...]:
        """The tangent span of each branch."""
        return tuple(b.span for b in self.branches)

    def __str__(self) -> str:
        head = f"p = {self.p} is {self.status} ({self.method})"
        if self.reasons:
            head += ": " + "; ".join(self.reasons)
        lines = [head, f"  preimages (generic rank {self.generic_rank}):"]
        lines += [f"    [{i}] {pre}" for i, pre in enumerate(self.preimages)]
        lines += [f"  {b}" for b in self.branches]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Classification(p={self.p}, status={self.status!r}, kinds={self.kinds}, method={self.method!r})"

    def _repr_latex_(self) -> str:
        body = r"p = " + _latex_vec(self.p) + r"\ " + _text(f"is {self.status} ({self.method})")
        rows = [body] + [_text(r) for r in self.reasons]
        for pre in self.preimages:
            rows.append(_latex_point(tuple(pre.xi), pre.xi) + r":\ \operatorname{span}\{"
                        + ", ".join(_latex_vec(v) for v in pre.span) + r"\}")
        return r"$\begin{gathered}" + r" \\ ".join(rows) + r"\end{gathered}$"


@dataclass(frozen=True, eq=False)
class BranchGradient:
    r"""The recipe of eq. (4) at one preimage ``xi`` of ``p``: ``J (J^T g J)^+ J^T dL``.

    At a non-singular point every preimage gives the gradient (Theorem 1).  At
    a singular point each branch gives a vector in its own span of the
    ``d_i``: Figure 2's blue and red arrows.

    Attributes
    ==========
    xi : the preimage (a representative point when the component is a family)
    p : the model point
    d : the pushforwards ``d_i = dphi(e_i)`` at ``xi`` (the columns of ``J``)
    span : canonical basis of ``span(d_i)``
    rank : ``rank J`` at ``xi``
    G : ``J^T g J`` at ``xi``
    nabla : ``J^T dL``, the coordinate derivatives
    vector : the recipe ``J G^+ nabla`` (ambient coordinates)
    method : ``"exact"`` or ``"numeric"``
    """

    xi: Mapping[sp.Symbol, sp.Expr]
    p: tuple[sp.Expr, ...]
    d: tuple[tuple[sp.Expr, ...], ...]
    span: tuple[tuple[sp.Expr, ...], ...]
    rank: int
    G: sp.ImmutableMatrix
    nabla: tuple[sp.Expr, ...]
    vector: tuple[sp.Expr, ...]
    method: Method = "exact"

    def __str__(self) -> str:
        return (f"at {_fmt_point(tuple(self.xi), self.xi)}: J G^+ nabla L = {self.vector} "
                f"in span{[tuple(v) for v in self.span]} ({self.method})")

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        return (r"$" + _latex_point(tuple(self.xi), self.xi) + r":\ J G^{+} \nabla L = " + _latex_vec(self.vector)
                + r" \in \operatorname{span}\{" + ", ".join(_latex_vec(v) for v in self.span) + r"\}$")


@dataclass(frozen=True, eq=False)
class BranchSwap:
    r"""A reparametrisation ``f: H -> Xi`` with ``f(xi1) = xi2`` (paper, Fig. 2).

    ``f(eta) = eta + (xi2 - xi1)``, a translation, or ``f(eta)_k = eta_k * xi2_k / xi1_k``
    (a scaling) when the parameters are declared positive.  Either is a
    diffeomorphism with ``Df`` invertible, so ``phi o f`` is another
    parametrisation of the same model.
    """

    eta: tuple[sp.Symbol, ...]
    f: tuple[sp.Expr, ...]
    xi1: tuple[sp.Expr, ...]
    xi2: tuple[sp.Expr, ...]
    kind: Literal["translation", "scaling"]

    def apply(self, model: Model) -> Model:
        """The reparametrised model ``phi o f`` in the parameters ``eta``."""
        phi = model.phi.xreplace(dict(zip(model.xi, self.f)))
        return Model(phi, self.eta, coords=model.z, metric=model.metric, constants=model.constants,
                     name=f"{model.name} o f")

    def __str__(self) -> str:
        return f"f({', '.join(map(str, self.eta))}) = {self.f}  ({self.kind}; f{self.xi1} = {self.xi2})"

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        return r"$f" + _latex_vec(self.eta) + " = " + _latex_vec(self.f) + "$"


@dataclass(frozen=True, eq=False)
class Counterexample:
    r"""Parametrisation dependence of eq. (4) at a singular point, made explicit (paper, Fig. 2).

    Attributes
    ==========
    swap : the :class:`BranchSwap` ``f`` with ``f(xi1) = xi2``
    model_f : the model ``phi o f``
    blue : eq. (4) for ``phi`` at ``xi1``
    red : eq. (4) for ``phi o f`` at ``eta = xi1`` (the same parameter value, the same point ``p``)
    differ : True when the two vectors differ (proved exactly when both are exact)
    matches_other_branch : True when ``red`` equals eq. (4) for ``phi`` at ``xi2``
    """

    swap: BranchSwap
    model_f: Model
    blue: BranchGradient
    red: BranchGradient
    other: BranchGradient
    differ: bool
    matches_other_branch: bool

    def __str__(self) -> str:
        return (f"reparametrisation {self.swap}\n"
                f"  phi     at {self.swap.xi1}: {self.blue.vector} in span{[tuple(v) for v in self.blue.span]}\n"
                f"  phi o f at {self.swap.xi1}: {self.red.vector} in span{[tuple(v) for v in self.red.span]}\n"
                f"  the vectors {'differ' if self.differ else 'agree'}; phi o f reproduces the branch at "
                f"{self.swap.xi2}: {self.matches_other_branch}")

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        return (r"$\begin{gathered}" + self.swap._repr_latex_().strip("$") + r" \\ "
                + r"\overline{\operatorname{grad}}^{\phi} = " + _latex_vec(self.blue.vector) + r" \neq "
                + r"\overline{\operatorname{grad}}^{\phi\circ f} = " + _latex_vec(self.red.vector)
                + r"\end{gathered}$")


# ======================================================================================
# Rank drops
# ======================================================================================

def _rank_drop_system(model: Model) -> tuple[list[sp.Expr], sp.Expr, tuple[sp.Symbol, ...], dict, int]:
    """The ``r x r`` minors of ``J`` (rows cleared of denominators) as polynomials in the lifted variables.

    Returns ``(minors, h, gens, back, n_minors)``: ``h`` is the product of the
    row multipliers (non-zero where ``phi`` is defined), ``gens`` the
    variables, ``back`` maps kernel variables to their meaning.
    """
    E = model.exact
    L = E.lifting
    r = E.rank
    gens, back = [], {}
    params = set(model.xi)
    for v in L.variables:
        if isinstance(v.meaning, sp.Symbol) and v.meaning in params:
            gens.append(v.meaning)
        elif isinstance(v.meaning, sp.Symbol) and v.meaning in set(model.constants):
            gens.append(None)
        else:
            g = sp.Symbol(v.name)
            gens.append(g)
            back[g] = v.meaning
    all_syms = [g if g is not None else L.variables[i].meaning for i, g in enumerate(gens)]
    rows = []
    h = sp.Integer(1)
    for row in E.J:
        mult = None
        for x in row:
            d = x.den
            mult = d if mult is None else (mult * d) / mult.gcd(d)
        scaled = [(x * type(x)(mult)) for x in row]
        rows.append(scaled)
        if not mult.is_constant():
            h = h * _poly_expr(mult, all_syms)
    m, n = len(rows), len(rows[0])
    count = math.comb(m, r) * math.comb(n, r) if r else 0
    if count > _MAX_MINORS:
        raise _TooLarge(f"{count} minors of size {r} (more than {_MAX_MINORS})")
    minors = []
    if r:
        for R in itertools.combinations(range(m), r):
            for C in itertools.combinations(range(n), r):
                dt = linalg.det(linalg.submatrix(rows, R, C))
                if not dt.is_zero():
                    minors.append(_poly_expr(dt.num, all_syms))
    pgens = tuple(g for g in gens if g is not None)
    return minors, h, pgens, back, count


def _rank_drops_exact(model: Model, budget: _Budget) -> tuple[RankDropLocus, list[sp.Expr], tuple]:
    r = model.rank
    if r == 0:
        return (RankDropLocus((sp.Integer(1),), (), (), 0, -1, "exact",
                              "phi is constant: the generic rank is 0 and cannot drop"), [sp.Integer(1)], ())
    with budget.limit():
        minors, h, gens, back, count = _rank_drop_system(model)
        G = _saturate(minors, h, gens)
        G = _squarefree(G, gens)
        dim = _dimension(G, gens)
        comps = _components(G, gens) if not _is_unit(G) else []
    note = (f"exact: reduced Groebner basis of the {count} minors of size {r} of J"
            + (" (rows cleared of denominators, poles removed by saturation)" if _has_gens(h, gens) else "")
            + (", square-free parts taken, split into components by factorisation over QQ"))
    if back:
        note += ("; computed in the lifted variables " + ", ".join(f"{k} = {v}" for k, v in back.items())
                 + ", explicit solutions by sympy.solve in the original parameters")
    points: list[RankDropPoint] = []
    unsolved = no_real = 0
    for C in comps:
        sols = None
        try:
            with budget.limit():
                if back:
                    eqs = [sp.sympify(c).xreplace(back) for c in C]
                    sols = sp.solve(eqs, list(model.xi), dict=True)
                else:
                    sols = _solve_component(C, gens)
        except (_TooLarge, NotImplementedError, ValueError, TypeError):
            sols = None
        if sols is None:
            unsolved += 1
            continue
        real = [s for s in _real_solutions(sols) if _in_domain(model, s)]
        no_real += not real
        for s in real:
            points.append(_rank_drop_point(model, s))
    # tan(x/2) is infinite at x = pi: the lifted equations cannot see those points, so examine them apart
    # tan(c x) is infinite at x = pi / (2 c): handled for angles c x, c rational, x a parameter
    half_angle, where = [], {}
    for m in back.values():
        if not isinstance(m, sp.tan):
            continue
        arg = m.args[0]
        x = next(iter(arg.free_symbols)) if len(arg.free_symbols) == 1 else None
        c = sp.cancel(arg / x) if x is not None else None
        if x is None or x not in model.xi or not (c.is_Rational and c != 0):
            raise _TooLarge(f"the lifted variable {m} is infinite on a set this search does not examine")
        half_angle.append(x)
        where[x] = sp.pi / (2 * c)
    for x in half_angle:
        extra_pts, extra_unsolved = _rank_drops_at_pi(model, x, r, where[x])
        # leave out what a component found already covers (its equations are a subset of the new point's)
        points += [q for q in extra_pts
                   if not any(all(k in q.xi and q.xi[k] == v for k, v in old.xi.items()) for old in points)]
        unsolved += extra_unsolved
    if half_angle:
        names = ", ".join(f"{x} = {where[x]}" for x in half_angle)
        periods = ", ".join(f"{2 * where[x]} in {x}" for x in half_angle)
        note += (f"; the points {names}, where a lifted half-angle tangent is infinite, examined separately "
                 f"by substitution; every solution repeats with period {periods} (the lifted solutions are "
                 "listed once per period)")
    divisors = sorted({str(f) for q in points for v in q.xi.values()
                       for f in [sp.fraction(sp.together(sp.sympify(v)))[1]] if f.free_symbols}, key=str)
    if divisors:
        note += (f"; the explicit solutions divide by {', '.join(divisors)}, so they describe their components "
                 "only where that is non-zero: the equations are the complete description")
    if unsolved:
        note += f"; {unsolved} component(s) given by equations only (no explicit solution)"
    if no_real:
        note += f"; {no_real} component(s) with no real point in the parameter domain"
    eqs = tuple(sp.factor(sp.sympify(g).xreplace(back)) for g in G) if back else tuple(sp.factor(g) for g in G)
    comps_out = tuple(tuple(sp.factor(sp.sympify(c).xreplace(back)) for c in C) for C in comps)
    return RankDropLocus(eqs, comps_out, tuple(points), r, dim, "exact", note, unsolved), G, gens


def _rank_drops_at_pi(model: Model, x: sp.Symbol, r: int, value: sp.Expr = sp.pi
                      ) -> tuple[list[RankDropPoint], int]:
    """Rank drops on the hyperplane ``x = value`` (``pi`` for the half-angle lift ``tan(x/2)``),
    which the lifted equations cannot see.

    Returns the points found and the number of pieces left unsolved."""
    Jpi = model.J.xreplace({x: value})
    rest = [s for s in model.xi if s != x]
    minors = []
    for R in itertools.combinations(range(Jpi.rows), r):
        for C in itertools.combinations(range(Jpi.cols), r):
            dt = sp.simplify(Jpi.extract(list(R), list(C)).det())
            if dt != 0:
                minors.append(dt)
    if not minors:
        return [_rank_drop_point(model, {x: value})], 0
    if not rest or not any(m.free_symbols & set(rest) for m in minors):
        return [], 0  # a non-zero constant minor: full rank on the whole hyperplane
    try:
        sols = sp.solve(minors, rest, dict=True)
    except (NotImplementedError, ValueError, TypeError):
        return [], 1
    real = [sol for sol in _real_solutions(sols) if _in_domain(model, {**sol, x: value})]
    return [_rank_drop_point(model, {x: value, **sol}) for sol in real], 0


def _rank_drop_point(model: Model, sol: Mapping) -> RankDropPoint:
    sol = {k: v for k, v in sol.items()}
    free = tuple(s for s in model.xi if s not in sol or any(s in v.free_symbols for v in sol.values()))
    free = tuple(sorted(set(free) | {s for v in sol.values() for s in v.free_symbols if s in model.xi},
                        key=lambda s: model.xi.index(s)))
    try:
        p = tuple(sp.cancel(e.xreplace(sol)) for e in model.phi)
    except Exception:  # pragma: no cover
        p = tuple(e.xreplace(sol) for e in model.phi)
    Js = model.J.xreplace(sol)
    vals = _field_of(list(Js))
    rank = None
    if vals is not None:
        M = [vals[i * Js.cols:(i + 1) * Js.cols] for i in range(Js.rows)]
        rank = linalg.rank_profile(M)[0]
    return RankDropPoint(sol, free, p, rank, "exact")


# ======================================================================================
# Crossings
# ======================================================================================

def _side_key(t: tuple) -> tuple:
    try:
        return (1, tuple(float(sp.N(v)) for v in t))
    except (TypeError, ValueError):
        return (0, tuple(str(sp.default_sort_key(v)) for v in t))


def _pair_key(a: tuple, b: tuple) -> tuple:
    """Order of the two sides of a crossing: the side with the larger parameter values first."""
    return (_side_key(a), _side_key(b))


def _canon_pair(a: tuple, b: tuple) -> tuple[tuple, tuple]:
    return (a, b) if _side_key(a) >= _side_key(b) else (b, a)


def _span_exact(J: sp.MatrixBase) -> tuple[int, tuple[tuple[sp.Expr, ...], ...]] | None:
    vals = _field_of(list(J.T))
    if vals is None:
        return None
    Jt = [vals[i * J.rows:(i + 1) * J.rows] for i in range(J.cols)]
    R = _rref_rows(Jt)
    return len(R), tuple(tuple(x.to_sympy() for x in row) for row in R)


def _free_in(vals: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> tuple[sp.Symbol, ...]:
    syms = set().union(*[sp.sympify(v).free_symbols for v in vals]) & set(gens)
    return tuple(g for g in gens if g in syms)


def _crossings_exact(model: Model, A: _Rational, budget: _Budget, r: int
                     ) -> tuple[list[CrossingDetail], list, list[str], bool]:
    """Exact self-crossings of a rational model.

    Returns ``(details, loci, scope sentences, complete, tangency_gap)``: ``complete`` when every
    pair with different tangent spaces was found exactly, ``tangency_gap`` when pairs of different
    sheets with one tangent space (tangencies) were not searched.
    """
    xi = model.xi
    n, m = len(xi), model.phi.rows
    X, Y = A.copies("1"), A.copies("2")
    sx, sy = dict(zip(xi, X)), dict(zip(xi, Y))
    gens = X + Y
    F = [sp.expand(nu.xreplace(sx) * de.xreplace(sy) - nu.xreplace(sy) * de.xreplace(sx))
         for nu, de in zip(A.num, A.den)]
    hxy = sp.expand(A.h.xreplace(sx) * A.h.xreplace(sy))
    scope: list[str] = []
    details: list[CrossingDetail] = []
    loci: list = []
    seen: set = set()

    swap = {**dict(zip(X, Y)), **dict(zip(Y, X))}

    def record(sol: dict, kind_hint: str | None = None) -> None:
        a = tuple(sp.sympify(sol.get(s, s)) for s in X)
        b = tuple(sp.sympify(sol.get(s, s)) for s in Y)
        if any(not _is_real_value(v) for v in a + b):
            return
        pa = A.phi_at(dict(zip(xi, a)))
        if any(v.has(sp.zoo, sp.nan) for v in pa):
            return
        # the same pair with the two sides exchanged (and the copies of the parameters swapped with them)
        a2 = tuple(v.xreplace(swap) for v in b)
        b2 = tuple(v.xreplace(swap) for v in a)
        (a, b) = max([(a, b), (a2, b2)], key=lambda ab: _pair_key(*ab))
        if (a, b) in seen:
            return
        seen.add((a, b))
        if any(v.free_symbols & set(gens) for v in pa):
            loci.append((Crossing(a, b, A.phi_at(dict(zip(xi, a)))), _free_in(a + b, gens)))
            return
        Ja = model.J.xreplace(dict(zip(xi, a)))
        Jb = model.J.xreplace(dict(zip(xi, b)))
        sa, sb, sab = _span_exact(Ja), _span_exact(Jb), _span_exact(Ja.row_join(Jb))
        method: Method = "exact"
        if sa is None or sb is None or sab is None:  # pragma: no cover - non-algebraic values
            method = "numeric"
            with mpmath.workdps(50):
                num = lambda M: _numeric_rank(mpmath.matrix(M.evalf(50).tolist()), mpmath.mpf(10) ** -20)  # noqa: E731
                ra, rb, rab = num(Ja), num(Jb), num(Ja.row_join(Jb))
            sa, sb = (ra, ()), (rb, ())
        else:
            ra, rb, rab = sa[0], sb[0], sab[0]
        kind = "tangency" if (ra == rb == rab) else "crossing"
        if kind_hint == "crossing" and kind != "crossing":
            return
        p = A.phi_at(dict(zip(xi, a)))
        details.append(CrossingDetail(Crossing(a, b, p), kind, sa[1], sb[1], method))

    complete = tangency_gap = False
    if r == n:
        # remove the diagonal coordinate by coordinate; all pairs off the diagonal
        dims, pieces = [], []
        with budget.limit():
            for i in range(n):
                Q = _saturate(F, sp.expand((X[i] - Y[i]) * hxy), gens)
                dims.append(_dimension(Q, gens))
                pieces.append(Q)
        if max(dims) <= 0:
            nsol = 0
            for Q in pieces:
                if _is_unit(Q):
                    continue
                with budget.limit():
                    comps = _components(Q, gens)
                for C in comps:
                    with budget.limit():
                        sols = _solve_component(C, gens)
                    if sols is None:
                        raise _TooLarge(f"no explicit solution of the crossing equations {C}")
                    nsol += len(sols)
                    for s in sols:
                        record(s)
            scope.append(
                f"self-crossings: exact; phi({', '.join(map(str, X))}) = phi({', '.join(map(str, Y))}) was solved "
                "over QQ with the diagonal removed by saturation (a variable s with s*(x_k - y_k) = 1"
                + (", and poles removed the same way" if _has_gens(A.h, xi) else "")
                + f"); the solution set is finite over C ({nsol} real solution(s), both orders counted), so every "
                "real pair is listed and classified by comparing the spans of the d_i (a crossing when they "
                "differ, a tangency when two isolated sheets share a tangent space)")
            complete = True
        else:
            scope.append(
                "self-crossings: phi(x) = phi(y) off the diagonal has a positive-dimensional solution set "
                f"(dimension {max(dims)} over C): pairs on one sheet (repeated coverings) are not singular, so only "
                "pairs with different tangent spaces are searched")
    if not complete:
        if r + 1 > m:
            scope.append(
                f"self-crossings with different tangent spaces: none (exact): the generic rank {r} equals the "
                f"ambient dimension {m}, so at full rank every tangent space is the whole space; pairs "
                "phi(xi1) = phi(xi2) are fibres of the parametrisation, not singular points")
            complete = True
        else:
            Jx = sp.Matrix([[A.Jp[i, j].xreplace(sx) * A.den[i].xreplace(sy) ** 2 for j in range(n)]
                            for i in range(m)])
            Jy = sp.Matrix([[A.Jp[i, j].xreplace(sy) * A.den[i].xreplace(sx) ** 2 for j in range(n)]
                            for i in range(m)])
            JJ = Jx.row_join(Jy)
            minors = []
            for R in itertools.combinations(range(m), r + 1):
                for C in itertools.combinations(range(2 * n), r + 1):
                    if all(c < n for c in C) or all(c >= n for c in C):
                        continue  # one side alone has rank <= r
                    dt = sp.expand(JJ.extract(list(R), list(C)).det(method="berkowitz"))
                    if dt != 0:
                        minors.append(dt)
            if len(minors) > _MAX_PAIR_MINORS:
                raise _TooLarge(f"{len(minors)} minors of [J(x) | J(y)] (more than {_MAX_PAIR_MINORS})")
            nfam = 0
            for M_ in minors:
                with budget.limit():
                    Q = _saturate(F, sp.expand(M_ * hxy), gens)
                    if _is_unit(Q):
                        continue
                    comps = _components(Q, gens)
                for C in comps:
                    with budget.limit():
                        sols = _solve_component(C, gens)
                    if sols is None:
                        raise _TooLarge("a crossing component without explicit solution")
                    for s in sols:
                        nfam += 1
                        record(s, "crossing")
            scope.append(
                f"self-crossings with different tangent spaces: exact; phi(x) = phi(y) was solved with the "
                f"saturation by each of the {len(minors)} non-trivial minors of size {r + 1} of [J(x) | J(y)] "
                "(a pair survives exactly when the spans of the d_i at x and y differ, which also removes the "
                "diagonal and pairs on one fibre). Not searched: points where two different sheets touch "
                "with one tangent space (tangencies), which this test cannot tell from pairs on one sheet; "
                "so the search is not exhaustive for them (classify a point to examine it)")
            complete = True
            tangency_gap = True
    return details, loci, scope, complete, tangency_gap


# ======================================================================================
# Numeric search
# ======================================================================================

def _numeric_search(model: Model, *, box, starts: int, seed: int, dps: int, rank: bool, crossings: bool
                    ) -> NumericSearch:
    rng = random.Random(seed)
    r = model.rank
    found_rd: list[RankDropPoint] = []
    found_cr: list[CrossingDetail] = []
    same = 0
    searched = []
    with mpmath.workdps(dps):
        N = _Numeric(model, dps)
        xi = model.xi
        n = N.n
        if rank and r > 0:
            searched.append("rank drops")
            Jm = model.J
            minors = []
            for R in itertools.combinations(range(Jm.rows), r):
                for C in itertools.combinations(range(Jm.cols), r):
                    minors.append(Jm.extract(list(R), list(C)).det(method="berkowitz"))
                    if len(minors) >= 200:
                        break
            F, DF = _lm_system(minors, xi)
            for x0 in N.starts(rng, box, starts):
                x, res = _levenberg_marquardt(F, DF, x0, N.res_tol)
                if res > N.res_tol or not N.in_domain(x):
                    continue
                if N.rank(N.J(x)) >= r:
                    continue
                pt = tuple(_num_out(v) for v in x)
                if any(max(abs(float(a) - float(b)) for a, b in zip(pt, q.xi.values())) < 1e-6 for q in found_rd):
                    continue
                sol = dict(zip(xi, pt))
                found_rd.append(RankDropPoint(sol, (), tuple(_num_out(v) for v in N.phi(x)),
                                              N.rank(N.J(x)), "numeric"))
        if crossings:
            searched.append("self-crossings")
            X = tuple(sp.Dummy(f"{s.name}1") for s in xi)
            Y = tuple(sp.Dummy(f"{s.name}2") for s in xi)
            sx, sy = dict(zip(xi, X)), dict(zip(xi, Y))
            diff = [e.xreplace(sx) - e.xreplace(sy) for e in model.phi]
            w = 1 + 1 / sum((a - b) ** 2 for a, b in zip(X, Y))
            F, DF = _lm_system([d * w for d in diff], X + Y)
            Fplain = sp.lambdify(X + Y, diff, "mpmath")
            for x0, y0 in zip(N.starts(rng, box, starts), N.starts(rng, box, starts)):
                z, _ = _levenberg_marquardt(F, DF, x0 + y0, N.res_tol)
                x, y = z[:n], z[n:]
                if not (N.in_domain(x) and N.in_domain(y)):
                    continue
                try:
                    res = _norm(Fplain(*z))
                except (ZeroDivisionError, ValueError):
                    continue
                if res > N.res_tol or _norm([a - b for a, b in zip(x, y)]) < mpmath.mpf("1e-6"):
                    continue
                Jx, Jy = N.J(x), N.J(y)
                rx, ry = N.rank(Jx), N.rank(Jy)
                Jxy = mpmath.matrix(Jx.rows, 2 * n)
                for i in range(Jx.rows):
                    for j in range(n):
                        Jxy[i, j], Jxy[i, n + j] = Jx[i, j], Jy[i, j]
                rxy = N.rank(Jxy)
                if rx == ry == rxy:
                    on_sheet, _ = _same_sheet_numeric(N, x, y, rng)
                    if on_sheet:
                        same += 1
                        continue
                    kind = "tangency"
                else:
                    kind = "crossing"
                a = tuple(_num_out(v) for v in x)
                b = tuple(_num_out(v) for v in y)
                spans = {a: _numeric_span(Jx, N.rank_tol), b: _numeric_span(Jy, N.rank_tol)}
                a, b = _canon_pair(a, b)
                p = tuple(_num_out(v) for v in N.phi(x))
                if any(max(abs(float(u) - float(v)) for u, v in zip(p, d.crossing.p)) < 1e-6 for d in found_cr):
                    continue
                found_cr.append(CrossingDetail(Crossing(a, b, p), kind, spans[a], spans[b], "numeric"))
    return NumericSearch(tuple(box), starts, dps, seed, f"1e-{(dps * 4) // 5}", tuple(found_rd), tuple(found_cr),
                         same, tuple(searched))


# ======================================================================================
# Public: singular_points
# ======================================================================================

def singular_points(model: Model, *, budget: float | None = 20.0, box: tuple[float, float] = (-3.0, 3.0),
                    starts: int = 32, seed: int = 0, dps: int = 50, numeric: bool | None = None) -> SingularPoints:
    r"""Rank drops and self-crossings of a model, with the scope of the search stated (paper, §3, Fig. 2).

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    budget : seconds for the exact stage (Groebner bases); ``None`` for no limit
    box : interval for the starting values of the numeric search, per parameter
    starts : random starting points of the numeric search (per search)
    seed : random seed of the numeric search
    dps : mpmath precision of the numeric search
    numeric : run the numeric search always (``True``), never (``False``), or only where the exact
        stage did not finish or does not apply (``None``)

    Returns
    =======
    SingularPoints
        ``rank_drops`` (a :class:`RankDropLocus`), ``crossings`` (tuples
        ``(xi1, xi2, p)``), ``details``, ``scope``, ``exact``.

    Notes
    =====
    The rank-drop locus is the zero set of the ``r x r`` minors of ``J``,
    ``r`` the generic rank.  Self-crossings solve ``phi(x) = phi(y)``, with
    the diagonal removed by saturation; for an overparametrised model the
    pairs are further restricted to different tangent spaces, since a fibre
    ``phi^{-1}(p)`` of a constant-rank map lies over one sheet.  Points that
    ``phi`` only approaches (limits as parameters go to infinity or to the
    boundary of the domain) are not examined.

    Examples
    ========
    The nodal cubic of Fig. 2 meets itself at the origin:

    >>> t = sp.Symbol("t", real=True)
    >>> S = singular_points(Model([t**2 - 1, t**3 - t], [t]))
    >>> S.crossings
    (Crossing(xi1=(1,), xi2=(-1,), p=(0, 0)),)
    >>> S.rank_drops.is_empty, S.exact
    (True, True)
    """
    if not isinstance(model, Model):
        raise SymbolError(f"singular_points needs a symgrad Model; got {type(model).__name__}")
    B = _Budget(budget)
    scope: list[str] = []
    r = model.rank
    # -- rank drops --------------------------------------------------------------------
    rank_exact = False
    try:
        rd, _, _ = _rank_drops_exact(model, B)
        rank_exact = True
        scope.append("rank drops: " + rd.note)
    except _OutOfTime:
        rd = None
        scope.append(f"rank drops: the exact computation did not finish within the budget of {budget} s")
    except (_TooLarge, LiftError) as exc:
        rd = None
        scope.append(f"rank drops: no exact computation ({exc})")
    # -- crossings ---------------------------------------------------------------------
    A = _Rational.of(model)
    cross_exact = tangency_gap = False
    details: list[CrossingDetail] = []
    loci: list = []
    if r == 0:
        scope.append("self-crossings: phi is constant, so every parameter reaches the same point (one fibre)")
        cross_exact = True
    elif A is None:
        scope.append("self-crossings: phi is not a rational function of the parameters, so no exact search")
    else:
        try:
            details, loci, sc, cross_exact, tangency_gap = _crossings_exact(model, A, B, r)
            scope += sc
        except _OutOfTime:
            scope.append(f"self-crossings: the exact elimination did not finish within the budget of {budget} s")
        except _TooLarge as exc:
            scope.append(f"self-crossings: no exact elimination ({exc})")
    # -- numeric ---------------------------------------------------------------------------
    NS = None
    want_rank = numeric is True or (numeric is None and not rank_exact)
    want_cross = numeric is True or (numeric is None and not cross_exact)
    if (want_rank or want_cross) and numeric is not False:
        try:
            NS = _numeric_search(model, box=box, starts=starts, seed=seed, dps=dps,
                                 rank=want_rank and r > 0, crossings=want_cross and r > 0)
            scope.append(str(NS))
        except _TooLarge as exc:
            scope.append(f"numeric search: not run ({exc})")
    if rd is None:
        pts = NS.rank_drops if NS else ()
        rd = RankDropLocus((), (), pts, r, -1 if not pts else 0, "numeric",
                           "numeric: points found by the bounded search only")
    if not cross_exact and NS is not None:
        details = details + [d for d in NS.crossings]
    if not B.enforced:
        scope.append("the time budget could not be enforced (not in the main thread); the exact stage ran to the end")
    limit_points: list[Classification] = []
    ends_examined = False
    if len(model.xi) == 1 and A is not None:
        try:
            with B.limit():
                limit_points, sc = _limit_points(model, A, B)
            scope.append(sc)
            ends_examined = True
        except (_OutOfTime, _TooLarge) as exc:
            scope.append(f"ends of the parameter domain: not examined ({exc or 'out of time'})")
    else:
        scope.append("not examined: points that phi only approaches (parameters tending to infinity or to the "
                     "boundary of the domain; examined for one-parameter rational models only)")
    exact = rank_exact and cross_exact and not tangency_gap
    if exact:
        scope.insert(0, "complete exact search over the real parameter domain"
                     + (", its ends included" if ends_examined else " at finite parameter values"))
    details = sorted(details, key=lambda d: sp.default_sort_key(d.crossing.p))
    return SingularPoints(model, rd, tuple(d.crossing for d in details), tuple(details), tuple(loci), NS,
                          ". ".join(s[:1].upper() + s[1:].rstrip(".") for s in scope) + ".", exact, B.elapsed(),
                          tuple(limit_points))


def _limit_points(model: Model, A: _Rational, B: _Budget) -> tuple[list[Classification], str]:
    """One-parameter rational models: the finite limits of ``phi`` at the ends of the domain that
    are also reached at a finite parameter, classified; and the scope sentence."""
    t = model.xi[0]
    s = _S_END
    found, ends = [], []
    for name, sub in _domain_ends(t):
        vals = [_valuation(sp.cancel(sp.together(e.xreplace({t: sub}))), s) for e in model.phi]
        if any(v is not None and v[0] < 0 for v in vals):
            continue  # phi is unbounded at this end
        L = tuple(sp.Integer(0) if v is None or v[0] > 0 else v[1] for v in vals)
        same = [k for k, (_, q) in enumerate(ends) if q == L]
        if same:
            ends[same[0]] = (f"{ends[same[0]][0]} and {t} -> {name}", L)
            continue
        ends.append((name, L))
    for name, L in ends:
        if any(v.free_symbols for v in L):
            raise _TooLarge(f"the limit of phi as {t} -> {name} depends on constants")
        try:
            C = _classify_exact(model, A, L, B, box=(-3.0, 3.0), seed=0, dps=50)
        except DomainError:
            continue  # a limit point the model never reaches: not a point of M
        if C.status != "non-singular":
            found.append(C)
    sentence = ("ends of the parameter domain: examined exactly; "
                + (", ".join(f"phi -> {L} as {t} -> {name}" for name, L in ends) if ends else
                   f"phi is unbounded at every end ({', '.join(n for n, _ in _domain_ends(t))})")
                + (f"; {len(found)} of these limit points also reached at a finite parameter, where the model "
                   "is singular or undecided" if found else
                   "; no limit point is reached at a finite parameter with a different branch"))
    return found, sentence


# ======================================================================================
# Public: classify
# ======================================================================================

def _as_point(model: Model, p: Any) -> tuple[sp.Expr, ...]:
    m = model.phi.rows
    if isinstance(p, Mapping):
        by_name = {z.name: z for z in model.z}
        vals = {}
        for k, v in p.items():
            z = k if k in model.z else by_name.get(k if isinstance(k, str) else getattr(k, "name", None))
            if z is None:
                raise SymbolError(f"{k} is not an ambient coordinate of {model.name}; they are {list(model.z)}")
            vals[z] = v
        missing = [z for z in model.z if z not in vals]
        if missing:
            raise SymbolError(f"the point gives no value for the coordinates {missing}")
        items = [vals[z] for z in model.z]
    else:
        if isinstance(p, sp.MatrixBase):
            items = list(p)
        elif isinstance(p, (str, bytes)) or not hasattr(p, "__iter__"):
            items = [p]
        else:
            items = list(p)
    if len(items) != m:
        raise ShapeError(f"a point of {model.name} has {m} coordinates; got {len(items)}")
    out = []
    for v in items:
        v = sp.nsimplify(v, rational=True) if isinstance(v, float) else sp.sympify(v)
        if v.free_symbols - set(model.constants):
            raise SymbolError(f"the point coordinate {v} is not a number")
        out.append(v)
    return tuple(out)


def _free_of(model: Model, sol: Mapping) -> tuple[sp.Symbol, ...]:
    free = {s for s in model.xi if s not in sol}
    for v in sol.values():
        free |= (v.free_symbols & set(model.xi))
    return tuple(s for s in model.xi if s in free)


def classify(model: Model, p: Any, *, budget: float | None = 20.0, box: tuple[float, float] = (-3.0, 3.0),
             starts: int = 32, seed: int = 0, dps: int = 50) -> Classification:
    r"""Is the model point ``p`` singular? With the reason (paper, §3, Fig. 2).

    Finds every preimage of ``p`` (exactly, by a Groebner basis of
    ``phi(xi) = p`` split into components, for rational parametrisations; by a
    bounded numeric search otherwise), the rank of ``J`` and the span of the
    ``d_i`` on each, and groups the preimages into branches.

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    p : the model point: a sequence of coordinates or a mapping from coordinates (or their names)
    budget : seconds for the exact stage; after it a numeric search decides, and says so
    box, starts, seed, dps : the numeric search (used only when the exact stage cannot decide)

    Returns
    =======
    Classification

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> C = classify(Model([t**2, t**3], [t]), (0, 0))
    >>> C.status, C.kinds
    ('singular', ('rank drop',))
    >>> classify(Model([t**2, t**3], [t]), (1, 1)).status
    'non-singular'
    """
    pt = _as_point(model, p)
    B = _Budget(budget)
    A = _Rational.of(model)
    notes: list[str] = []
    if A is not None:
        try:
            return _classify_exact(model, A, pt, B, box=box, seed=seed, dps=dps)
        except _OutOfTime:
            notes.append(f"the exact computation did not finish within {budget} s; numeric search instead")
        except _TooLarge as exc:
            notes.append(f"no exact computation ({exc}); numeric search instead")
    else:
        notes.append("phi is not a rational function of the parameters: preimages found by a numeric search")
    return _classify_numeric(model, pt, box=box, starts=starts, seed=seed, dps=dps, notes=notes)


def _classify_exact(model: Model, A: _Rational, p: tuple, B: _Budget, *, box, seed: int, dps: int
                    ) -> Classification:
    xi = model.xi
    r = model.rank
    n = len(xi)
    notes: list[str] = []
    with B.limit():
        P = _saturate([sp.expand(nu - pk * de) for nu, de, pk in zip(A.num, A.den, p)], A.h, xi)
    if _is_unit(P):
        raise DomainError(f"p = {p} is not a point of {model.name}: phi(xi) = p has no solution, "
                          "not even a complex one")
    with B.limit():
        comps = _components(P, xi)
    sols: list[dict] = []
    for C in comps:
        with B.limit():
            s = _solve_component(C, xi)
        if s is None:
            raise _TooLarge(f"a component of the preimage, {C}, has no explicit solution")
        sols += _real_solutions(s)
    sols = [s for s in sols if _in_domain(model, s)]
    if not sols:
        raise DomainError(f"p = {p} is not reached by real parameters in the domain of {model.name}")
    # rank drops among the preimages
    rd_points: list[dict] = []
    if r > 0:
        with B.limit():
            minors, h, gens, back, _ = _rank_drop_system(model)
            if back:  # pragma: no cover - rational models have no kernels
                raise _TooLarge("lifted variables in a rational model")
            R = _saturate(list(P) + minors, A.h, xi)
            rcomps = _components(R, xi) if not _is_unit(R) else []
        for C in rcomps:
            with B.limit():
                s = _solve_component(C, xi)
            if s is None:
                raise _TooLarge(f"rank-drop component {C} has no explicit solution")
            rd_points += [q for q in _real_solutions(s) if _in_domain(model, q)]
    # each preimage component: generic rank and span
    pres: list[Preimage] = []
    for s in sols:
        Js = model.J.xreplace(s)
        sp_ = _span_exact(Js)
        if sp_ is None:  # pragma: no cover
            raise _TooLarge("the span at a preimage has no exact field")
        pres.append(Preimage(s, _free_of(model, s), sp_[0], sp_[1]))
    # group full-rank components into branches: one tangent space and one sheet per branch
    full = [i for i, q in enumerate(pres) if q.rank == r]
    groups: list[list[int]] = []
    tangency = different = False
    sheet_method: Method = "exact"
    for i in full:
        placed = False
        for g in groups:
            j = g[0]
            if not _same_span(model, pres[i], pres[j], r):
                different = True
                continue
            same, how = _same_sheet(model, A, pres[j], pres[i], B, box=box, seed=seed, dps=dps)
            if how == "numeric":
                sheet_method = "numeric"
            if same:
                g.append(i)
                placed = True
                break
            tangency = True
        if not placed:
            groups.append([i])
    branches = tuple(Branch(pres[g[0]].span, tuple(g)) for g in groups)
    pres = [Preimage(q.xi, q.free, q.rank, q.span,
                     next((b for b, g in enumerate(groups) if i in g), None)) for i, q in enumerate(pres)]
    reasons, kinds = [], []
    if rd_points:
        kinds.append("rank drop")
        desc = "; ".join("{" + _fmt_point(xi, q) + "}" + (f" ({', '.join(map(str, _free_of(model, q)))} free)"
                                                         if _free_of(model, q) else "") for q in rd_points)
        reasons.append(f"rank drop: at {desc} the d_i span less than the generic rank {r}, so eq. (4) there "
                       "does not see the whole tangent space")
        if len(branches) == 1:
            notes.append("other preimages have full rank on one sheet, so the set M may still be smooth at p; "
                         "what fails is the proper-parametrisation assumption of Theorem 1 at the rank-drop "
                         "preimages")
    if different:
        kinds.append("branches")
        reasons.append(f"{len(branches)} branches with different tangent spaces: "
                       + "; ".join(f"span{[tuple(v) for v in b.span]}" for b in branches))
    if tangency:
        kinds.append("tangency")
        reasons.append("two sheets meet with the same tangent space (a tangency)")
    if kinds == ["rank drop"] and len(branches) != 1:
        notes.append("whether the set M is a smooth submanifold at p is not decided: what is certain is that "
                     "the d_i do not span the tangent space at the rank-drop preimages, so the parametrisation "
                     "is not proper there and Theorem 1 does not apply")
    undecided: list[str] = []
    if n == 1:
        with B.limit():
            limits = _limit_branches(model, A, p)
        for end, direction in limits:
            inside = [b for b in branches if _in_span(direction, b.span)]
            if not inside and branches:
                if "branches" not in kinds:
                    kinds.append("branches")
                reasons.append(f"the model also approaches p as {xi[0]} -> {end}, along the direction "
                               f"{tuple(direction)}, which is not tangent to the branches through p: a branch "
                               "reached only in the limit")
            else:
                undecided.append(f"the model also approaches p as {xi[0]} -> {end} (direction "
                                 f"{tuple(direction)}); whether that limit branch is the same sheet as a branch "
                                 "through p was not decided")
        notes.append("ends of the parameter domain examined exactly: the model approaches p at "
                     + (", ".join(f"{xi[0]} -> {e}" for e, _ in limits) if limits else "none of them"))
    else:
        notes.append("points approached only as parameters tend to infinity or to the boundary of the domain "
                     "are not examined (done for one-parameter models only)")
    status: Status = "singular" if kinds else ("undecided" if undecided else "non-singular")
    reasons += [] if kinds else undecided
    method: Method = "exact" if sheet_method == "exact" else "numeric"
    if sheet_method == "numeric":
        notes.append("whether preimages with the same tangent space lie on one sheet was decided numerically")
    notes.append("preimages searched exactly over the whole parameter domain")
    return Classification(model, p, status, tuple(reasons), tuple(kinds), tuple(pres), branches,
                          tuple(rd_points), r, method, tuple(notes))


def _in_span(v: Sequence[sp.Expr], span: Sequence[Sequence[sp.Expr]]) -> bool:
    """``v`` lies in the span of the vectors ``span`` (exact rank test)."""
    if not span:
        return all(x == 0 for x in v)
    B = sp.Matrix([list(w) for w in span]).T
    return B.rank() == B.row_join(sp.Matrix(list(v))).rank()


def _domain_ends(t: sp.Symbol) -> list[tuple[str, sp.Expr]]:
    """The open ends of the real domain of ``t``: ``(name, t as a function of s -> 0+)``."""
    s = _S_END
    if t.is_positive:
        return [("+oo", 1 / s), ("0+", s)]
    if t.is_negative:
        return [("-oo", -1 / s), ("0-", -s)]
    if t.is_nonnegative:
        return [("+oo", 1 / s)]
    if t.is_nonpositive:
        return [("-oo", -1 / s)]
    return [("+oo", 1 / s), ("-oo", -1 / s)]


_S_END = sp.Symbol("s_end", positive=True)


def _valuation(e: sp.Expr, s: sp.Symbol) -> tuple[int, sp.Expr] | None:
    """Order and leading coefficient of a rational function of ``s`` at ``s = 0`` (None for 0)."""
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    if num == 0:
        return None
    pn, pd = sp.Poly(num, s), sp.Poly(den, s)
    on = min(m[0] for m in pn.monoms())
    od = min(m[0] for m in pd.monoms())
    return on - od, pn.coeff_monomial(s**on) / pd.coeff_monomial(s**od)


def _limit_branches(model: Model, A: _Rational, p: tuple) -> list[tuple[str, tuple[sp.Expr, ...]]]:
    """For a one-parameter rational model: the ends of the domain at which ``phi`` tends to ``p``,
    each with the direction of approach (the leading coefficient of ``phi - p``)."""
    t = model.xi[0]
    s = _S_END
    out = []
    for name, sub in _domain_ends(t):
        diffs = [sp.cancel(sp.together(e.xreplace({t: sub}) - pk)) for e, pk in zip(model.phi, p)]
        vals = [_valuation(d, s) for d in diffs]
        orders = [v[0] for v in vals if v is not None]
        if not orders or min(orders) <= 0:
            continue  # phi - p does not tend to zero at this end (or phi is constant p: no branch)
        k = min(orders)
        direction = tuple(v[1] if v is not None and v[0] == k else sp.Integer(0) for v in vals)
        out.append((name, direction))
    return out


def _in_domain(model: Model, sol: Mapping) -> bool:
    for s, v in sol.items():
        if s.is_positive and v.is_number and not bool(v > 0):
            return False
        if s.is_nonnegative and v.is_number and not bool(v >= 0):
            return False
    try:
        vals = [e.xreplace(dict(sol)) for e in model.phi]
    except Exception:  # pragma: no cover
        return False
    return not any(v.has(sp.zoo, sp.nan, sp.oo) for v in vals)


def _rename_free(pre: Preimage, tag: str) -> dict:
    ren = {s: sp.Symbol(f"{s.name}_{tag}", **s.assumptions0) for s in pre.free}
    full = {s: (pre.xi[s].xreplace(ren) if s in pre.xi else ren[s]) for s in set(pre.xi) | set(pre.free)}
    return full


def _same_span(model: Model, a: Preimage, b: Preimage, r: int) -> bool:
    """Spans of the d_i equal at generic points of two components (exact rank of ``[J(a) | J(b)]``)."""
    Ja = model.J.xreplace(_rename_free(a, "a"))
    Jb = model.J.xreplace(_rename_free(b, "b"))
    s = _span_exact(Ja.row_join(Jb))
    if s is None:  # pragma: no cover
        raise _TooLarge("spans without an exact field")
    return s[0] == r


def _same_sheet(model: Model, A: _Rational, a: Preimage, b: Preimage, B: _Budget, *, box, seed: int, dps: int
                ) -> tuple[bool, Method]:
    """Do two preimage components with one tangent space lie on one sheet near ``p``?

    Exact when the model is not overparametrised and ``phi(x) = phi(y)`` off
    the diagonal is finite: then no sheet is covered twice near any point, so
    two isolated preimages lie on different sheets (a tangency).  Otherwise a
    numeric test (:func:`_same_sheet_numeric`).
    """
    xi = model.xi
    n = len(xi)
    if model.rank == model.phi.rows:
        # phi is a submersion at both preimages: each maps a neighbourhood onto a neighbourhood of p
        return True, "exact"
    if model.rank == n and not a.free and not b.free:
        X, Y = A.copies("1"), A.copies("2")
        sx, sy = dict(zip(xi, X)), dict(zip(xi, Y))
        F = [sp.expand(nu.xreplace(sx) * de.xreplace(sy) - nu.xreplace(sy) * de.xreplace(sx))
             for nu, de in zip(A.num, A.den)]
        hxy = sp.expand(A.h.xreplace(sx) * A.h.xreplace(sy))
        with B.limit():
            dims = [_dimension(_saturate(F, sp.expand((X[i] - Y[i]) * hxy), X + Y), X + Y) for i in range(n)]
        if max(dims) <= 0:
            return False, "exact"
    # numeric: representatives of both components
    rng = random.Random(seed)
    with mpmath.workdps(dps):
        N = _Numeric(model, dps)
        x = [mpmath.mpf(sp.N(v, dps)) for v in _representative(model, a).values()]
        y = [mpmath.mpf(sp.N(v, dps)) for v in _representative(model, b).values()]
        same, _ = _same_sheet_numeric(N, x, y, rng)
    return same, "numeric"


def _representative(model: Model, pre: Preimage | Mapping, avoid_rank_below: int | None = None) -> dict:
    """A point of a preimage component: free parameters set to small rationals where all is defined."""
    xi_map = pre.xi if isinstance(pre, Preimage) else pre
    free = pre.free if isinstance(pre, Preimage) else _free_of(model, xi_map)
    candidates = [1, 2, -1, 3, sp.Rational(1, 2), -2, 5, sp.Rational(-1, 3), 7, 11]
    for combo in itertools.islice(itertools.product(candidates, repeat=len(free)), 400):
        sub = dict(zip(free, combo))
        vals = {s: sp.sympify(sp.sympify(xi_map[s]).xreplace(sub) if s in xi_map else sub[s]) for s in model.xi}
        vals = {s: sp.nsimplify(v) if v.is_Float else v for s, v in vals.items()}
        if any(v.has(sp.zoo, sp.nan, sp.oo) or v.free_symbols for v in vals.values()):
            continue
        if not _in_domain(model, vals):
            continue
        if avoid_rank_below is not None:
            s_ = _span_exact(model.J.xreplace(vals))
            if s_ is not None and s_[0] < avoid_rank_below:
                continue
        return vals
    raise DomainError(f"no rational point found on the preimage component {dict(xi_map)}")


def _classify_numeric(model: Model, p: tuple, *, box, starts: int, seed: int, dps: int,
                      notes: list[str]) -> Classification:
    rng = random.Random(seed)
    r = model.rank
    xi = model.xi
    try:
        N = None
        with mpmath.workdps(dps):
            N = _Numeric(model, dps)
            target = [mpmath.mpf(sp.N(v, dps)) for v in p]
            F, DF = _lm_system([e - t for e, t in zip(model.phi, p)], xi)
            found: list[list] = []
            for x0 in N.starts(rng, box, starts):
                x, res = _levenberg_marquardt(F, DF, x0, N.res_tol)
                if res > N.res_tol or not N.in_domain(x):
                    continue
                if any(_norm([a - b for a, b in zip(x, q)]) < mpmath.mpf("1e-8") for q in found):
                    continue
                found.append(x)
            del target
            if not found:
                return Classification(model, p, "undecided", (), (), (), (), (), r, "numeric",
                                      tuple(notes) + (f"no preimage found by {starts} numeric starts in {list(box)}",))
            ranks = [N.rank(N.J(x)) for x in found]
            pres, rd = [], []
            for x, k in zip(found, ranks):
                sol = {s: _num_out(v) for s, v in zip(xi, x)}
                pres.append(Preimage(sol, (), k, _numeric_span(N.J(x), N.rank_tol), None, "numeric"))
                if k < r:
                    rd.append(sol)
            full = [i for i, k in enumerate(ranks) if k == r]
            groups: list[list[int]] = []
            tangency = different = False
            for i in full:
                placed = False
                for g in groups:
                    j = g[0]
                    M = mpmath.matrix(N.m, 2 * N.n)
                    Ji, Jj = N.J(found[i]), N.J(found[j])
                    for a in range(N.m):
                        for b in range(N.n):
                            M[a, b], M[a, N.n + b] = Ji[a, b], Jj[a, b]
                    if N.rank(M) > r:
                        different = True
                    else:
                        if r < N.n or r == N.m:
                            g.append(i)
                            placed = True
                            break
                        same, _ = _same_sheet_numeric(N, found[j], found[i], rng)
                        if same:
                            g.append(i)
                            placed = True
                            break
                        tangency = True
                if not placed:
                    groups.append([i])
    except _TooLarge as exc:
        return Classification(model, p, "undecided", (), (), (), (), (), r, "numeric", tuple(notes) + (str(exc),))
    # keep at most three preimages per branch (an overparametrised model has whole fibres of them)
    keep = sorted(set(i for g in groups for i in g[:3]) | {i for i, k in enumerate(ranks) if k < r})
    if len(keep) < len(pres):
        notes.append(f"{len(pres)} numeric preimages found; at most three per branch are listed")
    index = {i: k for k, i in enumerate(keep)}
    groups = [[index[i] for i in g[:3]] for g in groups]
    pres = [pres[i] for i in keep]
    branches = tuple(Branch(pres[g[0]].span, tuple(g)) for g in groups)
    pres = [Preimage(q.xi, q.free, q.rank, q.span, next((b for b, g in enumerate(groups) if i in g), None), "numeric")
            for i, q in enumerate(pres)]
    reasons, kinds = [], []
    if rd:
        kinds.append("rank drop")
        reasons.append(f"rank drop (numeric SVD) at {len(rd)} preimage(s) found: "
                       + "; ".join("{" + _fmt_point(xi, q) + "}" for q in rd))
    if different:
        kinds.append("branches")
        reasons.append(f"{len(groups)} branches with different tangent spaces (numeric): "
                       + "; ".join(f"span{[tuple(v) for v in b.span]}" for b in branches))
    if tangency:
        kinds.append("tangency")
        reasons.append("two sheets meet with the same tangent space (numeric)")
    notes = list(notes) + [f"numeric: {starts} random starts in {list(box)}, {dps} digits, seed {seed}; preimages "
                           "outside the box or missed by the search are not examined"]
    status: Status = "singular" if kinds else "non-singular"
    return Classification(model, p, status, tuple(reasons), tuple(kinds), tuple(pres), branches, tuple(rd), r,
                          "numeric", tuple(notes))


# ======================================================================================
# Public: branch gradients, counterexample, guard
# ======================================================================================

def _loss_differential(model: Model, L: Any) -> list[sp.Expr]:
    """``dL`` as expressions in the ambient coordinates (loss symbols matched to coordinates by name)."""
    L = sp.sympify(L)
    by_name = {z.name: z for z in model.z}
    ren = {}
    for s in L.free_symbols:
        if s in model.z or s in model.constants:
            continue
        if s.name in by_name:
            ren[s] = by_name[s.name]
        else:
            raise SymbolError(f"the loss uses {s}, which is not an ambient coordinate of {model.name} "
                              f"(they are {list(model.z)}); write L in the coordinates z")
    L = L.xreplace(ren)
    return [sp.diff(L, z) for z in model.z]


def _recipe_at(model: Model, dL: Sequence[sp.Expr], point: Mapping) -> BranchGradient:
    """Eq. (4) at ``point``: ``J (J^T g J)^+ J^T dL``, exactly where an exact field is at hand."""
    m, n = model.phi.rows, len(model.xi)
    point = {s: point[s] for s in model.xi}
    p = tuple(sp.cancel(e.xreplace(point)) for e in model.phi)
    zsub = dict(zip(model.z, model.phi))
    g_phi = model.g_phi
    dL_phi = [e.xreplace(zsub) for e in dL]
    exprs = list(model.J) + list(g_phi) + dL_phi
    vals = _field_of([e.xreplace(point) for e in exprs])
    to_sp: Callable | None = None
    if vals is not None:
        to_sp = lambda v: v.to_sympy()  # noqa: E731
    elif all(sp.sympify(v).is_Rational for v in point.values()):
        try:
            E = model.exact_with(dL_phi)
            lifted = [E.lifting.lift(e) for e in exprs]
            F = PointField(E.lifting, {**point})
            vals = [F.value(x) for x in lifted]
            to_sp = F.to_sympy
        except (LiftError, ZeroDivisionError):
            vals = None
    if vals is not None:
        J = [vals[i * n:(i + 1) * n] for i in range(m)]
        g = [vals[m * n + i * m: m * n + (i + 1) * m] for i in range(m)]
        dl = [[v] for v in vals[m * n + m * m:]]
        Jt = linalg.transpose(J)
        G = linalg.matmul(linalg.matmul(Jt, g), J)
        nabla = linalg.matmul(Jt, dl)
        w = linalg.matmul(exact_pinv_at(G, psd=True), nabla)
        v = linalg.matmul(J, w)
        rank = linalg.rank_profile(J)[0]
        span = _rref_rows(Jt) if rank else []
        conv = to_sp
        return BranchGradient(point, p, tuple(tuple(conv(J[i][j]) for i in range(m)) for j in range(n)),
                              tuple(tuple(conv(x) for x in row) for row in span), rank,
                              sp.ImmutableMatrix([[conv(x) for x in row] for row in G]),
                              tuple(conv(x[0]) for x in nabla), tuple(conv(x[0]) for x in v), "exact")
    # numeric fallback (transcendental values at irrational points)
    with mpmath.workdps(50):
        ev = lambda e: mpmath.mpf(sp.N(e.xreplace(point), 50))  # noqa: E731
        J = mpmath.matrix([[ev(model.J[i, j]) for j in range(n)] for i in range(m)])
        g = mpmath.matrix([[ev(g_phi[i, j]) for j in range(m)] for i in range(m)])
        dl = mpmath.matrix([ev(e) for e in dL_phi])
        G = J.T * g * J
        nabla = J.T * dl
        U, S, V = mpmath.svd_r(G)
        tol = mpmath.mpf(10) ** -30 * max([mpmath.mpf(1)] + [abs(s) for s in S])
        Gp = mpmath.zeros(n, n)
        for k in range(len(S)):
            if abs(S[k]) > tol:
                Gp += (V.T[:, k] * U.T[k, :]) / S[k]
        vec = J * (Gp * nabla)
        rank = _numeric_rank(J, mpmath.mpf(10) ** -30)
        span = _numeric_span(J, mpmath.mpf(10) ** -30)
        fl = lambda x: sp.Float(x, 30)  # noqa: E731
        return BranchGradient(point, p, tuple(tuple(fl(J[i, j]) for i in range(m)) for j in range(n)), span, rank,
                              sp.ImmutableMatrix([[fl(G[i, j]) for j in range(n)] for i in range(n)]),
                              tuple(fl(x) for x in nabla), tuple(fl(x) for x in vec), "numeric")


def branch_gradients(model: Model, L: Any, p: Any, *, classification: Classification | None = None,
                     **kwargs: Any) -> list[BranchGradient]:
    r"""The recipe of eq. (4) at each preimage of ``p`` (paper, §3, Fig. 2's blue and red arrows).

    For each preimage component of ``p`` (a representative point when it is
    a family), computes ``J (J^T g J)^+ J^T dL`` with exact arithmetic at that
    point, together with the span of the ``d_i`` there.  Rank-drop preimages
    are included: eq. (4) is evaluated there too.

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    L : the loss, a SymPy expression in the ambient coordinates ``model.z`` (matched by name)
    p : the model point
    classification : a :class:`Classification` of ``p`` already computed (else :func:`classify` runs)
    kwargs : passed to :func:`classify`

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> M = Model([t**2 - 1, t**3 - t], [t])
    >>> z1, z2 = M.z
    >>> [b.vector for b in branch_gradients(M, z1 + 2*z2, (0, 0))]
    [(3/2, 3/2), (-1/2, 1/2)]
    """
    C = classification if classification is not None else classify(model, p, **kwargs)
    dL = _loss_differential(model, L)
    out: list[BranchGradient] = []
    seen: list[dict] = []
    for pre in C.preimages:
        rep = _representative(model, pre, avoid_rank_below=pre.rank) if pre.method == "exact" else dict(pre.xi)
        seen.append(rep)
        out.append(_recipe_at(model, dL, rep))
    for q in C.rank_drop_points:
        try:
            rep = _representative(model, q)
        except DomainError:  # pragma: no cover
            continue
        if any(rep == s for s in seen):
            continue
        seen.append(rep)
        out.append(_recipe_at(model, dL, rep))
    out.sort(key=lambda b: _sort_key_point(model, b.xi), reverse=True)
    return out


def _sort_key_point(model: Model, pt: Mapping) -> tuple:
    try:
        return (1, tuple(float(sp.N(pt[s])) for s in model.xi))
    except (TypeError, ValueError):
        return (0, tuple(str(pt[s]) for s in model.xi))


def branch_swap(model: Model, xi1: Any, xi2: Any, eta: Sequence[sp.Symbol] | None = None) -> BranchSwap:
    r"""A reparametrisation ``f`` with ``f(xi1) = xi2`` (paper, Fig. 2): a translation, or a scaling.

    Parameters
    ==========
    model : the model whose parameters ``f`` maps to
    xi1, xi2 : parameter points (mappings from the parameters, or sequences in ``model.xi`` order)
    eta : names for the new parameters (default ``eta`` for one parameter, else ``eta1, eta2, ...``)

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> f = branch_swap(Model([t**2 - 1, t**3 - t], [t]), (1,), (-1,))
    >>> f.f, f.f[0].subs(f.eta[0], 1)
    ((eta - 2,), -1)
    """
    a = _param_tuple(model, xi1)
    b = _param_tuple(model, xi2)
    n = len(model.xi)
    positive = all(s.is_positive for s in model.xi) and all(v > 0 for v in a + b)
    if eta is None:
        names = ["eta"] if n == 1 else [f"eta{k + 1}" for k in range(n)]
        eta = tuple(sp.Symbol(nm, positive=True) if positive else sp.Symbol(nm, real=True) for nm in names)
    eta = tuple(eta)
    if len(eta) != n:
        raise ShapeError(f"f needs {n} new parameters; got {len(eta)}")
    if positive:
        f = tuple(e * (bv / av) for e, av, bv in zip(eta, a, b))
        kind = "scaling"
    else:
        f = tuple(e + (bv - av) for e, av, bv in zip(eta, a, b))
        kind = "translation"
    return BranchSwap(eta, f, a, b, kind)


def _param_tuple(model: Model, pt: Any) -> tuple[sp.Expr, ...]:
    if isinstance(pt, Mapping):
        by_name = {s.name: s for s in model.xi}
        d = {}
        for k, v in pt.items():
            s = k if k in model.xi else by_name.get(k if isinstance(k, str) else getattr(k, "name", None))
            if s is None:
                raise SymbolError(f"{k} is not a parameter of {model.name}")
            d[s] = sp.sympify(v)
        return tuple(d[s] for s in model.xi)
    vals = tuple(sp.sympify(v) for v in pt)
    if len(vals) != len(model.xi):
        raise ShapeError(f"{model.name} has {len(model.xi)} parameters; got {len(vals)} values")
    return vals


def counterexample(model: Model, L: Any, p: Any, *, branches: tuple[int, int] | None = None,
                   **kwargs: Any) -> Counterexample:
    r"""Fig. 2 made explicit: two parametrisations whose eq. (4) vectors at ``p`` differ.

    Takes two preimages ``xi1, xi2`` of ``p`` on branches with different
    tangent spaces, builds ``f`` with ``f(xi1) = xi2`` (:func:`branch_swap`)
    and evaluates eq. (4) for ``phi`` at ``xi1`` (blue) and for ``phi o f``
    at the same parameter value (red).  The red vector equals the vector of
    ``phi`` at ``xi2``, since ``d(phi o f) = dphi Df`` with ``Df`` invertible.

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> M = Model([t**2 - 1, t**3 - t], [t])
    >>> z1, z2 = M.z
    >>> X = counterexample(M, z1 + 2*z2, (0, 0))
    >>> X.blue.vector, X.red.vector, X.differ and X.matches_other_branch
    ((3/2, 3/2), (-1/2, 1/2), True)
    """
    C = classify(model, p, **kwargs)
    bgs = branch_gradients(model, L, p, classification=C)
    if branches is None:
        pair = None
        for i, j in itertools.combinations(range(len(bgs)), 2):
            if bgs[i].rank == bgs[j].rank == C.generic_rank and bgs[i].span != bgs[j].span:
                pair = (i, j)
                break
        if pair is None:
            raise SingularPointError(
                f"no two preimages of p = {C.p} with different tangent spaces, so no counterexample of Fig. 2 "
                f"type: {C}")
    else:
        pair = branches
    b1, b2 = bgs[pair[0]], bgs[pair[1]]
    swap = branch_swap(model, b1.xi, b2.xi)
    Mf = swap.apply(model)
    dL = _loss_differential(model, L)
    red = _recipe_at(Mf, [e.xreplace(dict(zip(model.z, Mf.z))) for e in dL], dict(zip(swap.eta, swap.xi1)))
    differ = any(sp.simplify(a - b) != 0 for a, b in zip(b1.vector, red.vector))
    matches = all(sp.simplify(a - b) == 0 for a, b in zip(b2.vector, red.vector))
    return Counterexample(swap, Mf, b1, red, b2, differ, matches)


def ensure_nonsingular(model: Model, xi_point: Mapping[Any, Any], **kwargs: Any) -> Classification:
    """Raise :class:`~symgrad.exceptions.SingularPointError` unless ``phi(xi_point)`` is non-singular.

    The guard for APIs that assume a non-singular point (Theorem 1): it
    classifies the model point ``p = phi(xi_point)`` with :func:`classify`
    (all preimages of ``p`` count, not only ``xi_point``) and puts the
    classification in the error message.  Returns the
    :class:`Classification` otherwise; an ``"undecided"`` classification
    passes, with its notes.

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> M = Model([t**2 - 1, t**3 - t], [t])
    >>> ensure_nonsingular(M, {t: 2}).status
    'non-singular'
    >>> try:
    ...     ensure_nonsingular(M, {t: 1})
    ... except SingularPointError as e:
    ...     print("2 branches with different tangent spaces" in str(e))
    True
    """
    point = model.check_params(xi_point)
    p = tuple(model.phi.xreplace(point))
    C = classify(model, p, **kwargs)
    if C.is_singular:
        raise SingularPointError(
            f"the gradient is not defined at xi = {dict(point)}: its model point is singular, and eq. (4) "
            "depends on the parametrisation there (paper, §3, Fig. 2).\n"
            f"{C}\n"
            "Move the parameters off the singular point, or use symgrad.singular.branch_gradients to see the "
            "vector of each branch.")
    return C
