r"""Finite mixtures: exact on a finite sample space, numeric for the two-component Gaussian mixture.

On a finite sample space a mixture ``sum_j w_j p_j(x; z_j)`` is a model into the
probability simplex of the outcomes, so its Fisher information matrix is the
pullback ``J^T diag(1/p) J`` of the simplex Fisher metric, exact, with every
tool of the package (rank, singular points, natural gradients) available:
:func:`finite_mixture` returns that :class:`~symgrad.model.Model`.

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
from typing import Any, Sequence

import mpmath
import sympy as sp

from .._inputs import as_value
from ..exact.lifting import Lifting
from ..exceptions import DomainError, LiftError, ShapeError, SymbolError
from ..model import Model
from ._base import Family
from .discrete import categorical

__all__ = ["finite_mixture", "gaussian_mixture", "GaussianMixture", "NumericFisher", "MixtureRankDrop"]


def finite_mixture(components: Sequence[Family], *, name: str | None = None) -> Model:
    r"""The mixture ``sum_j w_j p_j(x; z_j)`` of families on one finite sample space, as an exact model.

    The parameters are the weights ``w1, ..., w_{m-1}`` (``w_m = 1 - sum``) and the
    coordinates of the components, suffixed ``_j``; the ambient coordinates are
    the outcome probabilities ``q1, ..., qn`` with the simplex Fisher metric, so
    ``G`` is the Fisher information matrix of the mixture.

    Examples
    ========
    >>> from symgrad import families
    >>> M = finite_mixture([families.bernoulli(), families.bernoulli()])
    >>> M.xi
    (w1, p_1, p_2)
    >>> M.rank          # a mixture of two Bernoullis is a Bernoulli: one dimension
    1
    """
    comps = list(components)
    if len(comps) < 2:
        raise ShapeError("a mixture needs at least two components")
    for F in comps:
        if not isinstance(F, Family) or F.outcomes is None:
            raise SymbolError(f"finite_mixture() takes families with a finite sample space; got {F!r}. "
                              "For the two-component Gaussian mixture use gaussian_mixture()")
    outcomes = comps[0].outcomes
    if any(F.outcomes != outcomes for F in comps):
        raise ShapeError("the components of a finite mixture must share one sample space")
    assert outcomes is not None
    k = len(comps)
    w = sp.symbols(f"w1:{k}", positive=True)
    weights = list(w) + [1 - sp.Add(*w)]
    parts = [F.renamed([f"{s.name}_{j + 1}" for s in F.z]) for j, F in enumerate(comps)]
    # exp of a sum of logarithms, expanded into the product it is (p^x (1 - p)^(1 - x) at an outcome)
    probs = [sp.expand(sp.Add(*[wj * sp.expand(sp.exp(sp.expand(F.log_p(o)))) for wj, F in zip(weights, parts)]))
             for o in outcomes]
    for F in parts:
        total = sp.expand(sp.Add(*[sp.exp(sp.expand(F.log_p(o))) for o in outcomes]) - 1)
        try:
            sums_to_one = Lifting.build([total], F.z).lift(total).is_zero()
        except LiftError:
            sums_to_one = False
        if not sums_to_one:
            raise DomainError(f"the probabilities of the component {F.name} do not sum to 1 identically in its "
                              f"coordinates {list(F.z)} (sum - 1 = {total}); give it in minimal coordinates "
                              "(families.categorical(k, minimal=True))")
    params = tuple(w) + tuple(s for F in parts for s in F.z)
    q = [f"q{i + 1}" for i in range(len(outcomes))]
    return Model(probs, params=params, metric=categorical(len(outcomes), coords=q),
                 name=name or f"mixture of {k} components")


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
