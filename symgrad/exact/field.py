r"""What a field element must offer to the dense linear algebra, stated once.

:mod:`symgrad.exact.dense` runs one elimination for every entry type.  The
entries are of two sorts, and this module states the contract of each:

* **plain numbers** (:class:`int`, :class:`fractions.Fraction`, ``mpmath.mpf``,
  python-flint's ``fmpq``): field arithmetic by operators, zero test ``x == 0``,
  reciprocal ``1 / x``, no notion of size;
* **exact elements** (:class:`ExactElement`): the rational functions
  :class:`~symgrad.exact.ratfunc.RF`, :class:`DegreeTracked` values, the
  number-field elements of :mod:`symgrad.exact.domain`.  They add ``is_zero()``
  (a zero test that may differ from ``== 0``: a degree-tracked value is zero as
  a rational function only if its numerator is the constant zero), ``inverse()``
  and ``size()`` (a cost that guides the choice of pivots: fewer terms keep
  the intermediate expressions small).

:func:`is_zero`, :func:`cost`, :func:`reciprocal` and :func:`total` dispatch on
that distinction by type, with no attribute probing; the pivot-inverse idiom is
written here once.

:class:`DegreeTracked` lives here too: exact values at a point that also carry
bounds on the degrees of the rational function behind them, which is what a
Schwartz-Zippel bound needs (:mod:`symgrad.proof`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Protocol, Sequence, runtime_checkable

import mpmath
from flint import fmpq, fmpz

__all__ = ["FieldElement", "ExactElement", "DegreeTracked", "is_zero", "cost", "reciprocal", "total", "PLAIN"]


class FieldElement(Protocol):
    """Field arithmetic by operators; mixing with ``int`` and ``Fraction`` allowed."""

    def __add__(self, other: Any) -> Any: ...
    def __radd__(self, other: Any) -> Any: ...
    def __sub__(self, other: Any) -> Any: ...
    def __rsub__(self, other: Any) -> Any: ...
    def __mul__(self, other: Any) -> Any: ...
    def __rmul__(self, other: Any) -> Any: ...
    def __truediv__(self, other: Any) -> Any: ...
    def __neg__(self) -> Any: ...
    def __pow__(self, n: int) -> Any: ...


@runtime_checkable
class ExactElement(FieldElement, Protocol):
    """A field element with its own zero test, inverse and cost (``RF``, ``DegreeTracked``, ...)."""

    def is_zero(self) -> bool: ...
    def inverse(self) -> Any: ...
    def size(self) -> int: ...


#: the plain number types: zero test ``== 0``, reciprocal ``1 / x``, cost 0
PLAIN: tuple[type, ...] = (int, Fraction, mpmath.mpf, mpmath.mpc, fmpq, fmpz)


def is_zero(x: Any) -> bool:
    """The element's own exact zero test (``== 0`` for a plain number)."""
    if isinstance(x, PLAIN):
        return x == 0
    return bool(x.is_zero())


def cost(x: Any) -> int:
    """The pivot cost of ``x``: its size for an exact element, 0 for a plain number."""
    if isinstance(x, PLAIN):
        return 0
    return int(x.size())


def reciprocal(x: Any) -> Any:
    """``1 / x``: the element's own ``inverse()``, or division for a plain number."""
    if isinstance(x, PLAIN):
        return 1 / x  # type: ignore[operator]
    return x.inverse()


def total(terms: Sequence[Any]) -> Any:
    """The sum of a non-empty sequence; an element type with a ``sum_many`` static method
    (:class:`~symgrad.exact.ratfunc.RF`, which then reduces once instead of once per term)
    provides its own."""
    first = terms[0]
    many = _SUM_MANY.get(type(first))
    if many is not None and len(terms) > 2:
        return many(terms)
    acc = first
    for x in terms[1:]:
        acc = acc + x
    return acc


_SUM_MANY: dict[type, Any] = {}


def register_sum(kind: type, many: Any) -> None:
    """Declare ``many(terms)`` as the sum of a sequence of ``kind`` (used by :func:`total`)."""
    _SUM_MANY[kind] = many


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

    def __init__(self, value: Fraction | int, num_deg: int, den_deg: int):
        self.value = Fraction(value)
        self.num_deg = num_deg
        self.den_deg = den_deg

    @staticmethod
    def _c(o: Any) -> DegreeTracked:
        return o if isinstance(o, DegreeTracked) else DegreeTracked(Fraction(o), 0, 0)

    def __add__(self, o: Any) -> DegreeTracked:
        o = self._c(o)
        if o.value == 0 and o.num_deg == 0:
            return self
        if self.value == 0 and self.num_deg == 0:
            return o
        return DegreeTracked(self.value + o.value, max(self.num_deg + o.den_deg, o.num_deg + self.den_deg),
                             self.den_deg + o.den_deg)

    __radd__ = __add__

    def __neg__(self) -> DegreeTracked:
        return DegreeTracked(-self.value, self.num_deg, self.den_deg)

    def __sub__(self, o: Any) -> DegreeTracked:
        return self + (-self._c(o))

    def __rsub__(self, o: Any) -> DegreeTracked:
        return (-self) + o

    def __mul__(self, o: Any) -> DegreeTracked:
        o = self._c(o)
        return DegreeTracked(self.value * o.value, self.num_deg + o.num_deg, self.den_deg + o.den_deg)

    __rmul__ = __mul__

    def inverse(self) -> DegreeTracked:
        if self.value == 0:
            raise ZeroDivisionError("inverse of zero")
        return DegreeTracked(1 / self.value, self.den_deg, self.num_deg)

    def __truediv__(self, o: Any) -> DegreeTracked:
        return self * self._c(o).inverse()

    def __rtruediv__(self, o: Any) -> DegreeTracked:
        return self._c(o) * self.inverse()

    def __pow__(self, n: int) -> DegreeTracked:
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
