"""The numerics of the singular-point search: mpmath evaluations, numeric rank and span, a
Levenberg-Marquardt solver, and the numeric same-sheet test.

Everything here is evidence, never proof: the callers label what it finds
``"numeric"`` and never conclude absence from it.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Sequence

import mpmath
import sympy as sp

from ..exact.ideals import TooLarge
from ..model import Model

__all__ = ["NumericModel", "num_out", "numeric_span", "numeric_rank", "norm", "levenberg_marquardt",
           "lm_system", "same_sheet_numeric"]


class NumericModel:
    """mpmath evaluations of ``phi`` and ``J`` at a stated precision."""

    def __init__(self, model: Model, dps: int):
        self.model = model
        self.dps = dps
        self.xi = model.xi
        self.n, self.m = len(model.xi), model.phi.rows
        if model.constants:
            raise TooLarge("the model has symbolic constants; a numeric search needs their values")
        self._phi = sp.lambdify(self.xi, list(model.phi), "mpmath")
        self._J = sp.lambdify(self.xi, model.J.tolist(), "mpmath")
        self.res_tol = mpmath.mpf(10) ** (-(dps * 4) // 5)
        self.rank_tol = mpmath.mpf(10) ** (-(dps // 4))
        # the model's conditions e > 0 (its own domain, the metric's pulled back)
        self._positive = [sp.lambdify(self.xi, e, "mpmath") for e in model.positive]

    def phi(self, x: Sequence) -> list:
        return [mpmath.mpf(v) if not isinstance(v, mpmath.mpc) else v for v in self._phi(*x)]

    def J(self, x: Sequence) -> mpmath.matrix:
        return mpmath.matrix([[mpmath.mpf(v) for v in row] for row in self._J(*x)])

    def rank(self, A: mpmath.matrix) -> int:
        return numeric_rank(A, self.rank_tol)

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

    def in_domain(self, x: Sequence) -> bool:
        for s, v in zip(self.xi, x):
            if s.is_positive and not v > 0:
                return False
            if s.is_nonnegative and v < 0:
                return False
        # a numeric point is inside the open domain only clearly so: within the rank tolerance of its
        # boundary it may be a boundary point, which is not a parameter
        try:
            return all(mpmath.re(f(*x)) > self.rank_tol for f in self._positive)
        except (ZeroDivisionError, ValueError, TypeError):
            return False


def num_out(v: Any, digits: int = 15) -> sp.Float:
    """An mpmath number as a SymPy Float, with values below working precision shown as 0."""
    v = mpmath.chop(v, tol=mpmath.mpf(10) ** (-(mpmath.mp.dps // 2)))
    return sp.Float(v, digits)


def numeric_span(A: mpmath.matrix, tol: Any) -> tuple[tuple[sp.Float, ...], ...]:
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
    return tuple(tuple(num_out(x) for x in r) for r in rows[:row])


def numeric_rank(A: mpmath.matrix, tol: Any) -> int:
    """The number of singular values above ``tol`` times the largest (or 1)."""
    if A.rows == 0 or A.cols == 0:
        return 0
    S = mpmath.svd_r(A, compute_uv=False)
    smax = max([abs(s) for s in S] + [mpmath.mpf(1)])
    return sum(1 for s in S if abs(s) > tol * smax)


def norm(v: Sequence) -> Any:
    return mpmath.sqrt(sum(abs(x) ** 2 for x in v)) if len(v) else mpmath.mpf(0)


def levenberg_marquardt(F: Callable, DF: Callable, x0: list, tol: Any, maxit: int = 200) -> tuple[list, Any]:
    """Minimise ``|F(x)|`` from ``x0`` (any number of equations and unknowns); returns ``(x, |F(x)|)``."""
    x = list(x0)
    try:
        f = F(x)
    except (ZeroDivisionError, ValueError, TypeError):  # a pole, or a complex value
        return x, mpmath.inf
    nf = norm(f)
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
            nfn = norm(fn)
            if nfn < nf:
                x, f, nf = xn, fn, nfn
                mu = max(mu / 10, mpmath.mpf(10) ** (-60))
                improved = True
                break
            mu *= 10
        if not improved:
            break
    return x, nf


def lm_system(exprs: Sequence[sp.Expr], vars_: Sequence[sp.Symbol]) -> tuple[Callable, Callable]:
    """``F`` and its Jacobian as mpmath callables for :func:`levenberg_marquardt`."""
    f = sp.lambdify(vars_, list(exprs), "mpmath")
    J = sp.lambdify(vars_, sp.Matrix(list(exprs)).jacobian(list(vars_)).tolist(), "mpmath")
    return (lambda x: [mpmath.mpf(v) for v in f(*x)]), (lambda x: [[mpmath.mpf(v) for v in r] for r in J(*x)])


def same_sheet_numeric(N: NumericModel, x: list, y: list, rng: random.Random,
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
            nv = norm(v)
            xs = [a + mpmath.mpf(d) * b / nv for a, b in zip(x, v)]
            if not N.in_domain(xs):
                continue
            target = N.phi(xs)

            def F(z: Sequence, target: list = target) -> list:
                return [mpmath.mpf(a) - t for a, t in zip(Fy(*z), target)]

            def DF(z: Sequence) -> list:
                return [[mpmath.mpf(a) for a in r] for r in Jy(*z)]

            _, res = levenberg_marquardt(F, DF, list(y), N.res_tol)
            worst = max(worst, res)
    return worst <= mpmath.mpf(10) ** (-(N.dps // 2)), worst
