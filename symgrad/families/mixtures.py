r"""The two-component Gaussian mixture: Fisher information by quadrature, rank drops exactly.

(Finite mixtures on a finite sample space are exact models into the simplex:
:func:`symgrad.supervised.finite_mixture`, one floor up, beside the model.)

For continuous components the Fisher information is an integral with no closed
form.  :func:`gaussian_mixture` is the two-component mixture of Watanabe's
singular learning theory, ``p(x | w, m) = (1 - w) N(x; 0, 1) + w N(x; m, 1)``:
its Fisher information is computed by mpmath quadrature at a stated precision
and labelled numeric, while the locus where it drops rank (``w = 0`` or
``m = 0``, where the map ``(w, m) -> p`` is not an immersion) is found exactly
from the parametrisation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from .._inputs import as_value
from ..exact.lifting import Lifting
from ..exceptions import DomainError, LiftError, SymbolError

__all__ = ["gaussian_mixture", "GaussianMixture", "NumericFisher", "MixtureRankDrop"]


@dataclass(frozen=True)
class NumericFisher:
    """A Fisher information matrix computed by quadrature: numeric evidence, not a proof."""

    matrix: mpmath.matrix
    point: dict
    dps: int
    method: str
    label: str = "numeric"

    def __str__(self) -> str:
        rows = "; ".join(", ".join(mpmath.nstr(self.matrix[i, j], 12) for j in range(self.matrix.cols))
                         for i in range(self.matrix.rows))
        return f"Fisher information at {self.point} ({self.label}: {self.method}, {self.dps} digits): [{rows}]"


@dataclass(frozen=True)
class MixtureRankDrop:
    """Where the Fisher information of a mixture drops rank, found exactly from its parametrisation.

    Attributes
    ==========
    equation : a polynomial in the parameters whose zero set is the locus
    components : the irreducible components, each ``{symbol: value}``
    necessary : how ``equation = 0`` was shown necessary
    sufficient : how each component was shown to drop rank
    exact : True (both directions are exact computations)
    """

    equation: sp.Expr
    components: tuple[dict, ...]
    necessary: str
    sufficient: str
    exact: bool = True

    def __str__(self) -> str:
        comps = " or ".join(", ".join(f"{k} = {v}" for k, v in c.items()) for c in self.components)
        return f"the Fisher information drops rank exactly where {self.equation} = 0 ({comps}), proved exactly"


@dataclass
class GaussianMixture:
    r"""Watanabe's mixture ``(1 - w) N(x; 0, 1) + w N(x; m, 1)`` with ``0 <= w <= 1``, ``m`` real."""

    w: sp.Symbol = field(default_factory=lambda: sp.Symbol("w", nonnegative=True))
    m: sp.Symbol = field(default_factory=lambda: sp.Symbol("m", real=True))
    x: sp.Symbol = field(default_factory=lambda: sp.Symbol("x", real=True))

    @property
    def params(self) -> tuple[sp.Symbol, sp.Symbol]:
        return (self.w, self.m)

    def density(self) -> sp.Expr:
        phi = lambda t: sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi)   # noqa: E731
        return (1 - self.w) * phi(self.x) + self.w * phi(self.x - self.m)

    def _point(self, point: dict) -> tuple[sp.Expr, sp.Expr]:
        by = {getattr(k, "name", k): v for k, v in point.items()}
        if set(by) != {"w", "m"}:
            raise SymbolError(f"a point of the Gaussian mixture gives w and m; got {point!r}")
        wv, mv = as_value(by["w"], "w"), as_value(by["m"], "m")
        if not (wv.is_real and mv.is_real) or bool(wv < 0) or bool(wv > 1):
            raise DomainError(f"the mixture weight is defined only where 0 <= w <= 1 (and m is real); got w = {wv}, "
                              f"m = {mv}")
        return wv, mv

    def fisher(self, point: dict, *, dps: int = 30) -> NumericFisher:
        r"""``E[d log p d log p^T]`` at ``point`` by mpmath quadrature (tanh-sinh) at ``dps`` digits: numeric."""
        wv, mv = self._point(point)
        with mpmath.workdps(dps + 10):
            W, Mv = mpmath.mpf(sp.Rational(wv).p) / sp.Rational(wv).q, mpmath.mpf(sp.Rational(mv).p) / sp.Rational(mv).q
            c = 1 / mpmath.sqrt(2 * mpmath.pi)

            def parts(t: Any) -> tuple[Any, Any, Any]:
                a, b = c * mpmath.exp(-t**2 / 2), c * mpmath.exp(-(t - Mv) ** 2 / 2)
                return (1 - W) * a + W * b, b - a, W * (t - Mv) * b

            def entry(i: int, j: int) -> Any:
                def f(t: Any) -> Any:
                    p, dw, dm = parts(t)
                    d = (dw, dm)
                    return d[i] * d[j] / p
                pts = sorted({mpmath.mpf(0), Mv})
                return mpmath.quad(f, [-mpmath.inf, *pts, mpmath.inf])

            G = mpmath.matrix(2, 2)
            for i in range(2):
                for j in range(i, 2):
                    G[i, j] = G[j, i] = entry(i, j)
        with mpmath.workdps(dps):
            G = G * 1
        return NumericFisher(G, {self.w: wv, self.m: mv}, dps,
                             f"mpmath tanh-sinh quadrature of d_i p d_j p / p over R, split at 0 and m")

    def rank_drop_locus(self, order: int = 3) -> MixtureRankDrop:
        r"""The points where ``G`` is singular, exactly.

        ``G`` is the Gram matrix of ``d_w p / sqrt(p)`` and ``d_m p / sqrt(p)`` in
        ``L^2``, singular exactly where ``d_w p`` and ``d_m p`` are linearly
        dependent functions of ``x``.  Multiplied by the common non-vanishing
        factor ``sqrt(2 pi) e^{x^2/2} e^{m^2/2}`` they are ``h_w = e^{m x} - e^{m^2/2}``
        and ``h_m = w (x - m) e^{m x}``.  *Necessary:* a dependence makes every
        2x2 minor of their Taylor coefficients of orders ``1..order`` at ``x = 0``
        vanish; these minors are polynomials in ``(w, m)`` whose common zeros are
        the zeros of their gcd (the quotients generate the unit ideal, checked by a
        Groebner basis).  *Sufficient:* on each irreducible factor of the gcd the
        Wronskian ``h_w h_m' - h_w' h_m`` is identically zero in ``x`` (decided in
        the lifted field), and analytic functions with vanishing Wronskian are dependent.
        """
        w, m, x = self.w, self.m, self.x
        hw = sp.exp(m * x) - sp.exp(m**2 / 2)
        hm = w * (x - m) * sp.exp(m * x)
        rows = []
        for k in range(1, order + 1):
            rows.append([sp.expand(sp.diff(h, x, k).xreplace({x: 0}) / sp.factorial(k)) for h in (hw, hm)])
        minors = [sp.expand(rows[i][0] * rows[j][1] - rows[i][1] * rows[j][0])
                  for i in range(len(rows)) for j in range(i + 1, len(rows))]
        if any(not e.is_polynomial(w, m) for e in minors):   # pragma: no cover - rows of order >= 1 are polynomial
            raise LiftError("the Taylor minors are not polynomials in (w, m)")
        minors = [e for e in minors if e != 0]
        h = sp.factor(sp.gcd_list(minors))
        quotients = [sp.cancel(e / h) for e in minors]
        if list(sp.groebner(quotients, w, m, order="lex").exprs) != [1]:
            raise LiftError(f"the Taylor minors {minors} have common zeros off their gcd {h}; raise order")
        factors = [f for f, _e in sp.factor_list(h)[1]]
        components = []
        for fac in factors:
            sym = w if fac.has(w) else m
            sol = sp.solve(fac, sym)
            if len(sol) != 1:   # pragma: no cover - the factors here are linear
                raise LiftError(f"cannot parametrise the component {fac} = 0")
            comp = {sym: sol[0]}
            a, b = hw.xreplace(comp), hm.xreplace(comp)
            wr = a * sp.diff(b, x) - sp.diff(a, x) * b
            L = Lifting.build([wr], (w, m, x))
            if not L.lift(wr).is_zero():
                raise LiftError(f"the Wronskian does not vanish on {fac} = 0: {wr}")
            components.append(comp)
        return MixtureRankDrop(
            sp.expand(h * sp.Rational(1, sp.Poly(h, w, m).LC())), tuple(components),
            necessary=(f"the 2x2 minors of the Taylor coefficients of orders 1..{order} of (h_w, h_m) at x = 0 have "
                       f"gcd {h}, and the quotients generate the unit ideal (Groebner basis [1])"),
            sufficient="the Wronskian of (h_w, h_m) is the zero function on each component (exact, lifted field)",
        )


def gaussian_mixture() -> GaussianMixture:
    r"""Watanabe's two-component mixture ``(1 - w) N(0, 1) + w N(m, 1)``.

    Examples
    ========
    >>> gm = gaussian_mixture()
    >>> gm.rank_drop_locus().components
    ({w: 0}, {m: 0})
    """
    return GaussianMixture()
