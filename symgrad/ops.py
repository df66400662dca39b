r"""The field operations every claim is written against (exact, at a point, numeric, interval).

A claim of the proof engine (:mod:`symgrad.proof`) and the paper's recipes
(:mod:`symgrad.gradient`) are written once against :class:`Ops`; the subclasses
run the same computation over the lifted rational-function field
(:class:`ExactOps`), in exact arithmetic at a random point with tracked degrees
(:class:`PointOps`), at given exact values (:class:`ValueOps`), in mpmath
(:class:`NumericOps`) or in rigorous interval arithmetic (:class:`IntervalOps`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath

from .exact import dense as linalg
from .exact.field import DegreeTracked, cost as field_cost, is_zero as field_is_zero
from .exact.lifting import Lifting
from .exact.ratfunc import RF
from .exceptions import RankError

__all__ = ["Ops", "ExactOps", "ValueOps", "PointOps", "NumericOps", "IntervalOps", "Interval"]


# ---------------------------------------------------------------------------
# Field operations for claims
# ---------------------------------------------------------------------------

class Ops:
    """The operations a claim may use; one subclass per level (exact, point, numeric)."""

    level = "abstract"

    def pivot_zero(self, x: Any) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def cost(self, x: Any) -> int:
        return 0

    zero: Any = 0
    one: Any = 1

    # linear algebra, dispatching the zero test
    def mul(self, A, B):
        return linalg.matmul(A, B)

    def T(self, A):
        return linalg.transpose(A)

    def add(self, A, B):
        return linalg.matadd(A, B)

    def sub(self, A, B):
        return linalg.matsub(A, B)

    def eye(self, n):
        return linalg.identity(n, self.one, self.zero)

    def inv(self, A):
        return linalg.inverse(A, self.pivot_zero, self.cost)

    def solve(self, A, B):
        """``A^{-1} B`` (Gauss-Jordan on ``[A | B]``)."""
        return linalg.solve(A, B, self.pivot_zero, self.cost)

    def rank_profile(self, A):
        return linalg.rank_profile(A, self.pivot_zero, self.cost)

    def pinv(self, A, psd: bool = False):
        """Moore-Penrose inverse by the full-rank factorisation (pivots found at this level)."""
        r, rows, cols = self.rank_profile(A)
        if r == 0:
            return linalg.zeros(len(A[0]), len(A), self.zero)
        if psd:
            rows = cols
        return linalg.pinv_projector(A, rows, cols, self.pivot_zero, self.cost, symmetric=psd)[0]

    def gram_pinv(self, J, g):
        """``(J^T g J)^+`` as a :class:`~symgrad.exact.dense.Factored` product, its route chosen from the
        rank profile of ``J`` (:func:`~symgrad.exact.dense.gram_pinv`); where ``g`` is degenerate on the
        column space of ``J``, the projector formula on ``G`` with ``G``'s own rank."""
        try:
            return linalg.gram_pinv(J, g, self.rank_profile(J), self.pivot_zero, self.cost)[0]
        except RankError:
            G = linalg.matmul(linalg.matmul(linalg.transpose(J), g), J)
            return linalg.Factored([self.pinv(G, psd=True)])

    def const(self, value: Any) -> Any:
        return self.one * Fraction(value) if not isinstance(self.one, mpmath.mpf) else mpmath.mpf(value)


class ExactOps(Ops):
    level = "exact"

    def __init__(self, lifting: Lifting):
        self.lifting = lifting
        self.zero, self.one = lifting.zero, lifting.one

    def pivot_zero(self, x: RF) -> bool:
        return x.is_zero()

    def cost(self, x: RF) -> int:
        return x.size()


class ValueOps(Ops):
    """Exact values in any field whose zero test is exact (rationals, a number field, a point field).

    ``zero`` and ``one`` are that field's elements; the zero test and the pivot
    cost are those of :mod:`symgrad.exact.dense`.
    """

    level = "exact"

    def __init__(self, zero: Any, one: Any):
        self.zero, self.one = zero, one

    def pivot_zero(self, x: Any) -> bool:
        return field_is_zero(x)

    def cost(self, x: Any) -> int:
        return field_cost(x)


class PointOps(Ops):
    """Exact values at one random point, with degree bounds (for Schwartz-Zippel).

    ``bad`` accumulates, for every pseudo-inverse taken, a bound on the degree
    of a maximal minor: the point is *bad* (rank lower than generic, so the
    value computed is not the generic formula's) only if such a minor
    vanishes there.
    """

    level = "probabilistic"
    zero = DegreeTracked(Fraction(0), 0, 0)
    one = DegreeTracked(Fraction(1), 0, 0)

    def __init__(self) -> None:
        self.bad = 0

    def rank_profile(self, A):
        """The rank at the point, with the chance that it is below the generic rank added to :attr:`bad`.

        Every rank decision of a claim (a pseudo-inverse, a basis of pivot columns) goes through
        here.  The point sees a lower rank only where every ``r x r`` minor of the generic rank
        ``r`` vanishes, in particular a fixed non-zero one, whose numerator has degree at most
        ``k a + k^2 b`` (``k`` the smaller dimension, ``a`` and ``b`` the largest numerator and
        denominator degrees of the entries).
        """
        if A and A[0]:
            k = min(len(A), len(A[0]))
            a = max(x.num_deg for row in A for x in row)
            b = max(x.den_deg for row in A for x in row)
            self.bad += k * a + k * k * b
        return super().rank_profile(A)

    def pivot_zero(self, x: DegreeTracked) -> bool:
        return x.vanishes()

    def cost(self, x) -> int:
        return x.size()


class NumericOps(Ops):
    level = "numeric"

    def __init__(self, dps: int):
        self.dps = dps
        self.tol = mpmath.mpf(10) ** (-(dps // 2))
        self.zero, self.one = mpmath.mpf(0), mpmath.mpf(1)

    def pivot_zero(self, x) -> bool:
        return abs(x) <= self.tol

    def const(self, value):
        return mpmath.mpf(Fraction(value).numerator) / Fraction(value).denominator


class Interval:
    """An ``mpmath.iv`` interval as a field element: exact zero only when it is the point ``[0, 0]``."""

    __slots__ = ("x",)

    def __init__(self, x: Any):
        self.x = x

    @staticmethod
    def _v(o: Any) -> Any:
        if isinstance(o, Interval):
            return o.x
        if isinstance(o, Fraction):
            return mpmath.iv.mpf(o.numerator) / o.denominator
        return o

    def __add__(self, o: Any) -> Interval:
        return Interval(self.x + self._v(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> Interval:
        return Interval(self.x - self._v(o))

    def __rsub__(self, o: Any) -> Interval:
        return Interval(self._v(o) - self.x)

    def __mul__(self, o: Any) -> Interval:
        return Interval(self.x * self._v(o))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Interval:
        d = self._v(o)
        if d.a <= 0 <= d.b:
            raise ZeroDivisionError("division by an interval that contains 0")
        return Interval(self.x / d)

    def __neg__(self) -> Interval:
        return Interval(-self.x)

    def __pow__(self, n: int) -> Interval:
        return Interval(self.x ** n)

    def is_zero(self) -> bool:
        return bool(self.x.a == 0 and self.x.b == 0)

    def inverse(self) -> Interval:
        return Interval(mpmath.iv.mpf(1)) / self

    def size(self) -> int:
        return 0

    def excludes_zero(self) -> bool:
        return bool(mpmath.isfinite(self.x.a) and mpmath.isfinite(self.x.b) and not (self.x.a <= 0 <= self.x.b))


class IntervalOps(Ops):
    """Rigorous enclosures at one point (``mpmath.iv``), for certifying a numeric refutation.

    A pivot is taken only where its interval excludes zero; an entry whose
    interval contains zero without being the point ``[0, 0]`` is treated as zero
    and marks the run :attr:`uncertain` (a rank decision interval arithmetic
    cannot make).  A run that is not uncertain computed the claim's value at the
    point exactly enclosed, with the ranks the point really has.
    """

    level = "interval"

    def __init__(self) -> None:
        self.zero, self.one = Interval(mpmath.iv.mpf(0)), Interval(mpmath.iv.mpf(1))
        self.uncertain = False

    def pivot_zero(self, x: Any) -> bool:
        if x.is_zero():
            return True
        if not x.excludes_zero():
            self.uncertain = True
            return True
        return False
