r"""Rational functions over the integers: the arithmetic of the exact field.

:class:`RF` is a reduced fraction of python-flint multivariate polynomials
(``fmpz_mpoly``).  It is canonical (equal elements have equal numerators and
denominators), so the zero test is a test of the numerator, and it meets the
:class:`~symgrad.exact.field.ExactElement` contract of the dense linear algebra.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Sequence

import sympy as sp
from flint import fmpz, fmpz_mpoly, fmpz_mpoly_ctx

from .field import register_sum

__all__ = ["RF", "register_zero_test"]

#: zero tests of fields whose variables are not known to be independent (see
#: :mod:`symgrad.exact.certify`), by flint context; a context not listed is a field of
#: independent variables, where an element is zero exactly when its numerator is.
_ZERO_TESTS: dict[fmpz_mpoly_ctx, Callable[[fmpz_mpoly], bool]] = {}


def register_zero_test(ctx: fmpz_mpoly_ctx, test: Callable[[fmpz_mpoly], bool]) -> None:
    """Make ``test`` (a function of a numerator) the zero test of the elements of ``ctx``."""
    _ZERO_TESTS[ctx] = test


class RF:
    """A reduced fraction ``num/den`` of flint polynomials over the integers.

    Invariants: ``gcd(num, den) = 1``, the leading coefficient of ``den`` is
    positive, and ``den = 1`` when ``num = 0``.  The representation is therefore
    canonical: two RFs are equal exactly when their numerators and denominators
    are, and an RF is zero exactly when its numerator is.

    Examples
    ========
    >>> ctx = fmpz_mpoly_ctx.get(("x", "y"), "degrevlex")
    >>> x, y = (RF.gen(ctx, i) for i in range(2))
    >>> (x**2 - y**2) / (x - y) == x + y
    True
    """

    __slots__ = ("num", "den")

    def __init__(self, num: fmpz_mpoly, den: fmpz_mpoly | None = None, *, reduced: bool = False):
        if den is None:
            self.num, self.den = num, num.context().constant(1)
            return
        if den.is_zero():
            raise ZeroDivisionError("rational function with zero denominator")
        if not reduced:
            if num.is_zero():
                den = den.context().constant(1)
            else:
                g = num.gcd(den)
                if not g.is_one():
                    num, den = num / g, den / g
            if den.leading_coefficient() < 0:
                num, den = -num, -den
        self.num, self.den = num, den

    # -- constructors --------------------------------------------------------
    @staticmethod
    def gen(ctx: fmpz_mpoly_ctx, i: int) -> RF:
        return RF(ctx.gens()[i])

    @staticmethod
    def const(ctx: fmpz_mpoly_ctx, value: int | Fraction | sp.Rational) -> RF:
        q = Fraction(int(value.p), int(value.q)) if isinstance(value, sp.Rational) else Fraction(value)
        return RF(ctx.constant(q.numerator), ctx.constant(q.denominator), reduced=True)

    @property
    def ctx(self) -> fmpz_mpoly_ctx:
        return self.num.context()

    # -- arithmetic ----------------------------------------------------------
    def _coerce(self, other: Any) -> Any:
        if isinstance(other, RF):
            return other
        if isinstance(other, (int, Fraction)):
            return RF.const(self.ctx, other)
        return NotImplemented

    def __add__(self, other) -> RF:
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        if self.num.is_zero():
            return other
        if other.num.is_zero():
            return self
        if self.den == other.den:
            return RF(self.num + other.num, self.den)
        g = self.den.gcd(other.den)
        b1, d1 = self.den / g, other.den / g
        num = self.num * d1 + other.num * b1
        if num.is_zero():
            return RF(num)
        # only factors of g can cancel
        h = num.gcd(g)
        if not h.is_one():
            num, g = num / h, g / h
        den = b1 * d1 * g
        if den.leading_coefficient() < 0:
            num, den = -num, -den
        return RF(num, den, reduced=True)

    __radd__ = __add__

    @staticmethod
    def sum_many(terms: Sequence[RF]) -> RF:
        """``sum(terms)``, with the numerators of terms over the same denominator added first and
        each such group reduced once (a matrix product's entries mostly share denominators)."""
        groups: list[list] = []  # [den, summed numerator]
        for x in terms:
            for grp in groups:
                if grp[0] == x.den:
                    grp[1] = grp[1] + x.num
                    break
            else:
                groups.append([x.den, x.num])
        parts = [RF(num, den) for den, num in groups if not num.is_zero()]
        if not parts:
            return RF(terms[0].num * 0)
        acc = parts[0]
        for x in parts[1:]:
            acc = acc + x
        return acc

    def __neg__(self) -> RF:
        return RF(-self.num, self.den, reduced=True)

    def __sub__(self, other) -> RF:
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other) -> RF:
        return (-self) + other

    def __mul__(self, other) -> RF:
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        if self.num.is_zero() or other.num.is_zero():
            return RF(self.ctx.constant(0))
        a, b, c, d = self.num, self.den, other.num, other.den
        if b.is_one() and d.is_one():
            return RF(a * c)
        g1 = a.gcd(d)
        g2 = c.gcd(b)
        if not g1.is_one():
            a, d = a / g1, d / g1
        if not g2.is_one():
            c, b = c / g2, b / g2
        num, den = a * c, b * d
        if den.leading_coefficient() < 0:
            num, den = -num, -den
        return RF(num, den, reduced=True)

    __rmul__ = __mul__

    def inverse(self) -> RF:
        if self.is_zero():
            raise ZeroDivisionError("inverse of the zero rational function")
        num, den = self.den, self.num
        if den.leading_coefficient() < 0:
            num, den = -num, -den
        return RF(num, den, reduced=True)

    def __truediv__(self, other) -> RF:
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return self * other.inverse()

    def __rtruediv__(self, other) -> RF:
        return self.inverse() * other

    def __pow__(self, n: int) -> RF:
        if n < 0:
            return self.inverse() ** (-n)
        return RF(self.num**n, self.den**n, reduced=True)

    def __eq__(self, other) -> bool:
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return self.num == other.num and self.den == other.den

    def __hash__(self) -> int:
        return hash((str(self.num), str(self.den)))

    def is_zero(self) -> bool:
        """Whether this is the zero function: the numerator is zero, or the field's registered
        zero test (kernels of unknown independence) says so; may raise
        :class:`~symgrad.exceptions.UndecidedError`."""
        if self.num.is_zero():
            return True
        test = _ZERO_TESTS.get(self.num.context())
        return False if test is None else test(self.num)

    # -- inspection ----------------------------------------------------------
    def size(self) -> int:
        """Number of terms of numerator and denominator: a measure of cost."""
        return len(self.num) + len(self.den)

    def degrees(self) -> tuple[int, int]:
        """Total degrees of numerator and denominator."""
        return (max(int(self.num.total_degree()), 0), max(int(self.den.total_degree()), 0))

    def evaluate(self, point: Sequence[int]) -> Fraction:
        """Exact value at an integer point; ``ZeroDivisionError`` if the denominator vanishes there."""
        vals = [fmpz(int(v)) for v in point]
        n = int(self.num(*vals)) if self.num.context().nvars() else int(self.num.leading_coefficient())
        d = int(self.den(*vals)) if self.den.context().nvars() else int(self.den.leading_coefficient())
        if d == 0:
            raise ZeroDivisionError("denominator vanishes at this point")
        return Fraction(n, d)

    def __repr__(self) -> str:
        if self.den.is_one():
            return f"RF({self.num})"
        return f"RF(({self.num})/({self.den}))"


register_sum(RF, RF.sum_many)
