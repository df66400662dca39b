"""The model as the singular-point search sees it: rational functions of the parameters, exact
spans at points, the parameter domain, and the one ordering of parameter points."""
from __future__ import annotations

import itertools
import math
from typing import Any, Mapping, Sequence

import sympy as sp
from sympy.polys.polyerrors import CoercionFailed

from ..exact.domain import field_of, is_algebraic, span_basis
from ..exact.lifting import lift
from ..exact.ideals import TooLarge, has_gens
from ..exceptions import DomainError, LiftError
from ..model import Model
from ..exact import dense
from ..numeric import interval_enclosure, interval_nonzero
from ..ops import Interval

__all__ = ["RationalParametrisation", "in_domain", "free_of", "sort_key", "span_exact", "representative",
           "rename_free", "zero_exact", "rank_at_point", "rank_lower_bound", "GROEBNER_FAILURES", "EXACT_FAILURES",
           "no_exact_reason", "family_rank"]


class RationalParametrisation:
    """``phi = num/den`` componentwise, polynomials in ``xi`` over QQ (constants as coefficients).

    ``h`` is the product of the denominators that involve the parameters (the
    poles), ``Jp`` the Jacobian with row ``i`` multiplied by ``den_i^2``: a
    polynomial matrix with the rank of ``J`` wherever ``phi`` is defined.
    """

    def __init__(self, model: Model, num: list[sp.Expr], den: list[sp.Expr]):
        self.model = model
        self.xi = model.xi
        self.num, self.den = num, den
        self.h = sp.Mul(*[d for d in den if has_gens(d, self.xi)])
        self.Jp = sp.Matrix([[sp.expand(sp.diff(n_, x) * d - n_ * sp.diff(d, x)) for x in self.xi]
                             for n_, d in zip(num, den)])

    @classmethod
    def of(cls, model: Model) -> RationalParametrisation | None:
        """The rational form of ``model``, or ``None`` when ``phi`` is not rational over QQ."""
        xi = model.xi
        num, den = [], []
        for e in model.phi:
            if not is_algebraic([e]):
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
                    if not syms or not syms <= set(model.constants) or dom.domain not in (sp.ZZ, sp.QQ):
                        return None
            num.append(sp.expand(n_))
            den.append(sp.expand(d))
        return cls(model, num, den)

    def copies(self, tag: str) -> tuple[sp.Symbol, ...]:
        """Copies of the parameters, ``a_1`` for ``a`` with ``tag = "1"``, with the same assumptions."""
        return tuple(sp.Symbol(f"{s.name}_{tag}", **s.assumptions0) for s in self.xi)

    def phi_at(self, sub: Mapping) -> tuple[sp.Expr, ...]:
        return tuple(sp.cancel(sp.together(e.xreplace(dict(sub)))) for e in self.model.phi)

    def pair_equations(self) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...], list[sp.Expr], sp.Expr]:
        """``phi(x) = phi(y)`` cleared of denominators, and the product of the poles of both copies."""
        X, Y = self.copies("1"), self.copies("2")
        sx, sy = dict(zip(self.xi, X)), dict(zip(self.xi, Y))
        F = [sp.expand(nu.xreplace(sx) * de.xreplace(sy) - nu.xreplace(sy) * de.xreplace(sx))
             for nu, de in zip(self.num, self.den)]
        hxy = sp.expand(self.h.xreplace(sx) * self.h.xreplace(sy))
        return X, Y, F, hxy


def in_domain(model: Model, sol: Mapping) -> bool:
    """The parameter values obey the sign assumptions and ``phi`` is finite there."""
    for s, v in sol.items():
        if s.is_positive and v.is_number and not bool(v > 0):
            return False
        if s.is_nonnegative and v.is_number and not bool(v >= 0):
            return False
    try:
        vals = [e.xreplace(dict(sol)) for e in model.phi]
        own = [e.xreplace(dict(sol)) for e in model.domain]
    except Exception:  # pragma: no cover
        return False
    if any(v.is_number and not bool(v > 0) for v in own):    # outside the model's own open domain
        return False
    return not any(v.has(sp.zoo, sp.nan, sp.oo) for v in vals)


def free_of(model: Model, sol: Mapping) -> tuple[sp.Symbol, ...]:
    """The parameters that stay free on the component ``sol``."""
    free = {s for s in model.xi if s not in sol}
    for v in sol.values():
        free |= (sp.sympify(v).free_symbols & set(model.xi))
    return tuple(s for s in model.xi if s in free)


def sort_key(values: Sequence[Any]) -> tuple:
    """The one order of parameter points (and sides of a crossing): numeric values, else SymPy's key."""
    try:
        return (1, tuple(float(sp.N(v)) for v in values))
    except (TypeError, ValueError):
        return (0, tuple(str(sp.default_sort_key(v)) for v in values))


def span_exact(J: sp.MatrixBase) -> tuple[int, tuple[tuple[sp.Expr, ...], ...]] | None:
    """Rank of ``J`` and a canonical basis of its column span, exactly; ``None`` without an exact field."""
    return span_basis([list(J[:, j]) for j in range(J.cols)])


def rename_free(free: Sequence[sp.Symbol], xi: Mapping, tag: str) -> dict:
    """A component's values with its free parameters renamed (``a -> a_tag``), every parameter listed."""
    ren = {s: sp.Symbol(f"{s.name}_{tag}", **s.assumptions0) for s in free}
    return {s: (sp.sympify(xi[s]).xreplace(ren) if s in xi else ren[s]) for s in set(xi) | set(free)}


def representative(model: Model, xi_map: Mapping, free: Sequence[sp.Symbol] | None = None,
                   avoid_rank_below: int | None = None) -> dict:
    """A point of a preimage component: free parameters set to small rationals where all is defined."""
    free = free_of(model, xi_map) if free is None else free
    candidates = [1, 2, -1, 3, sp.Rational(1, 2), -2, 5, sp.Rational(-1, 3), 7, 11]
    for combo in itertools.islice(itertools.product(candidates, repeat=len(free)), 400):
        sub = dict(zip(free, combo))
        vals = {s: sp.sympify(sp.sympify(xi_map[s]).xreplace(sub) if s in xi_map else sub[s]) for s in model.xi}
        vals = {s: sp.nsimplify(v) if v.is_Float else v for s, v in vals.items()}
        if any(v.has(sp.zoo, sp.nan, sp.oo) or v.free_symbols for v in vals.values()):
            continue
        if not in_domain(model, vals):
            continue
        if avoid_rank_below is not None:
            s_ = span_exact(model.J.xreplace(vals))
            if s_ is not None and s_[0] < avoid_rank_below:
                continue
        return vals
    raise DomainError(f"no rational point found on the preimage component {dict(xi_map)}")


#: Failures of SymPy's Groebner routines (a coefficient domain chosen too small, CoercionFailed) that end
#: an exact stage without an answer.
GROEBNER_FAILURES: tuple[type[Exception], ...] = (CoercionFailed,)
#: Everything that ends an exact stage without an answer: too large, or a failed Groebner computation.
EXACT_FAILURES: tuple[type[Exception], ...] = (TooLarge, CoercionFailed)


def no_exact_reason(exc: BaseException) -> str:
    """Why an exact stage gave no answer, in words."""
    if isinstance(exc, GROEBNER_FAILURES):
        return f"a Groebner computation of SymPy failed ({type(exc).__name__}: {exc}), so no exact answer"
    return str(exc)


#: Minors examined at most when a rank at a point is certified by interval arithmetic.
MAX_POINT_MINORS = 400


def zero_exact(e: Any) -> bool | None:
    """Is ``e`` zero? ``True`` only when proved zero (SymPy's expansion is ``0``, or zero in an exact field:
    algebraic numbers, fractions over them, or the lifted field), ``False`` only when proved non-zero (in an
    exact field, or by an interval enclosure that excludes zero), ``None`` otherwise.

    >>> zero_exact(sp.sin(1) * 0), zero_exact(sp.sqrt(2) ** 2 - 2), zero_exact(sp.cos(1)), zero_exact(sp.pi - sp.E)
    (True, True, False, False)
    """
    e = sp.expand(sp.sympify(e))
    if e == 0:
        return True
    vals = field_of([e])
    if vals is not None:
        return vals[0].is_zero()
    if e.free_symbols:
        try:
            _, (lifted,) = lift([e])
            return lifted.is_zero()  # the lift is faithful: zero there exactly when e is the zero function
        except LiftError:  # no lift, or a zero test the field cannot decide
            return None
    return False if interval_nonzero(e) else None


def rank_lower_bound(Mx: sp.MatrixBase) -> int:
    """A proved lower bound on the rank of a matrix of numbers: Gaussian elimination on interval enclosures
    of the entries, a pivot taken only where its enclosure excludes zero.  The enclosures contain the values
    exact elimination would compute in the same pivot order, so those pivots are non-zero and the pivoted
    submatrix is invertible.

    >>> rank_lower_bound(sp.Matrix([[sp.E, 1], [1, sp.pi]])), rank_lower_bound(sp.Matrix([[sp.E, sp.pi]]))
    (2, 1)
    """
    try:
        rows = [[Interval(interval_enclosure(Mx[i, j], dps=40)) for j in range(Mx.cols)] for i in range(Mx.rows)]
    except Exception:  # no interval rule, a domain error: nothing proved
        return 0
    return dense.rank_profile(rows, iszero=lambda x: not x.excludes_zero(), cost=lambda x: 0)[0]


def rank_at_point(Mx: sp.MatrixBase, at_most: int | None = None) -> int | None:
    """The rank of a matrix of numbers, proved: exactly in a field when one holds the entries, else the
    largest size ``k`` of a minor that an interval enclosure proves non-zero, when every minor of size
    ``k + 1`` is proved zero, or when ``k`` equals ``at_most``, a known upper bound (the generic rank of a
    Jacobian bounds its rank at every point); ``None`` when neither decides it.

    >>> rank_at_point(sp.Matrix([[sp.cos(1), 0], [sp.sin(1), 0]])), rank_at_point(sp.Matrix([[sp.E, 1], [1, sp.pi]]))
    (1, 2)
    """
    s = span_exact(Mx)
    if s is not None:
        return s[0]
    m, n = Mx.rows, Mx.cols
    if any(sp.sympify(x).free_symbols for x in Mx):
        return None

    def minors(k: int) -> Any:
        return itertools.islice(((R, C) for R in itertools.combinations(range(m), k)
                                 for C in itertools.combinations(range(n), k)), MAX_POINT_MINORS)

    k = rank_lower_bound(Mx)
    if k == min(m, n) or k == at_most:
        return k
    total = math.comb(m, k + 1) * math.comb(n, k + 1)
    if total > MAX_POINT_MINORS:
        return None
    if all(zero_exact(Mx.extract(list(R), list(C)).det(method="berkowitz")) is True for R, C in minors(k + 1)):
        return k
    return None


def family_rank(model: Model, vals: Mapping) -> int | None:
    """The generic rank of ``J`` on a family of parameter points (``vals``, the other parameters free),
    exactly: in the lifted field, which is faithful, so the rank there is the rank at generic members;
    ``None`` when the entries do not lift or a zero test there is not decided.

    >>> t, s = sp.symbols("t s", real=True)
    >>> family_rank(Model([sp.sin(t) * sp.cos(s), sp.sin(t) * sp.sin(s), sp.cos(t)], [t, s]), {t: 0})
    1
    """
    Jf = model.J.xreplace(dict(vals))
    try:
        _, ents = lift(list(Jf), model.xi)
        rows = [ents[i * Jf.cols:(i + 1) * Jf.cols] for i in range(Jf.rows)]
        return dense.rank_profile(rows, iszero=lambda x: x.is_zero())[0]
    except LiftError:  # no lift, or a zero test the field cannot decide
        return None
