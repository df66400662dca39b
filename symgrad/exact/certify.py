r"""Deciding zero in a tower of kernels whose independence is not known.

A :class:`~symgrad.exact.lifting.Lifting` replaces every kernel of an
expression (``exp(u)``, ``log(u)``, ``u**(1/q)``, ``atan(u)``, ``pi``, ...) by a
variable of a field of rational functions.  Substituting the kernels back is a
ring homomorphism from the polynomials onto functions, so an element that is
zero in the field is the zero function: identities proved in the field are
proved (away from the poles, which the field arithmetic only ever divides by
after certifying them non-zero, see below).

The converse needs the kernels to be algebraically independent.  For the
classical kernels (exponentials and half-angle tangents of Q-linearly
independent monomials, logarithms and roots of symbols, and the constants
``exp(1/D)``, ``tan(1/(2D'))`` by the Lindemann-Weierstrass theorem) this is
known, and the field's zero test is the function's.  For the rest it is not
known in general (``pi`` with ``e``, ``log 2`` with ``log 3``, ``sqrt(u)``
with its own square), and the field may even have zero divisors as functions
(``sqrt((x + 1)**2) - (x + 1)`` vanishes for ``x > -1`` only).  So every decision
is made at one *base point* ``p0``, chosen once per field inside the declared
domain of the symbols (signs from their assumptions) where every kernel is real,
finite and analytic.  Near ``p0`` the functions form the ring of germs of
analytic functions, an integral domain, and :class:`ZeroTest` decides a
polynomial ``p`` of the field as follows:

1. ``p`` is zero in the field: zero (the homomorphism).
2. A ball enclosure of ``p`` at ``p0`` (python-flint's ``arb``, rigorous error
   bounds) excludes 0: ``p`` is non-zero, and invertible near ``p0``.
3. ``p`` reduced modulo the defining relations ``den(u) w^q - num(u)`` of the
   algebraic kernels ``w = u^(1/q)`` (from the top of the tower down) is zero in
   the field: zero (the relations hold for the functions).
4. Balls at ``p0`` at higher precision: non-zero if one excludes 0.
5. Otherwise :class:`~symgrad.exceptions.UndecidedError`: nothing is claimed.

Every "non-zero" therefore rests on a rigorous enclosure at ``p0``, and every
"zero" on exact algebra; neither rests on an independence that is not known.
Ranks, inverses and refutations computed with this test are those of the germs
at ``p0``: they hold on a neighbourhood of ``p0`` and, by analytic continuation,
on the connected part of the domain that contains it (:attr:`ZeroTest.point`
names ``p0``).  :attr:`ZeroTest.certified` counts the non-zero decisions.

Sources: Risch, "Algebraic properties of the elementary functions of analysis",
Amer. J. Math. 101 (1979) (structure theorems: when kernels are independent);
Baker, *Transcendental Number Theory*, ch. 1 (Lindemann-Weierstrass); Johansson,
"Arb: efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE
Trans. Comput. 66 (2017) (the ball arithmetic).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

from flint import arb, ctx as flint_ctx, fmpq, fmpz_mpoly

from ..exceptions import UndecidedError

__all__ = ["KernelValue", "ZeroTest", "ball_of_poly"]

#: working precisions in bits, tried in turn
_PRECISIONS = (128, 512, 2048)


@dataclass
class KernelValue:
    """How to evaluate one variable of the field as a real ball.

    ``fn`` is ``"symbol"`` (its value at the base point ``x``; for ``q > 1`` the variable is the
    root ``x**(1/q)``, with ``x > 0``), an ``arb`` method name applied to the ball of ``arg``
    (``"exp"``, ``"tan"``, ``"log"``, ``"atan"``, ``"asin"``, ``"acos"``, ``"erf"``),
    ``"root"`` (``arg**(1/q)``, real for ``arg > 0``) or ``"constant"`` (``const()``).
    ``arg`` is a pair ``(num, den)`` of polynomials in the earlier variables.
    """

    fn: str
    arg: tuple[fmpz_mpoly, fmpz_mpoly] | None = None
    q: int = 1
    const: Callable[[], arb] | None = None


def ball_of_poly(p: fmpz_mpoly, balls: Sequence[arb]) -> arb:
    """``p`` evaluated at balls, term by term (each power computed once)."""
    powers: dict[tuple[int, int], arb] = {}
    total = arb(0)
    for monom, coeff in p.terms():
        t = arb(int(coeff))
        for i, k in enumerate(monom):
            if k:
                key = (i, k)
                pw = powers.get(key)
                if pw is None:
                    pw = powers[key] = balls[i] ** k
                t = t * pw
        total = total + t
    return total


@dataclass
class ZeroTest:
    """The zero test of a tower field (see the module docstring).

    ``values`` describes each variable; ``relations`` lists ``(i, q, num, den)``
    for algebraic kernels ``w_i = (num/den)^(1/q)`` in the order of the tower.
    """

    values: Sequence[KernelValue]
    relations: Sequence[tuple[int, int, fmpz_mpoly, fmpz_mpoly]]
    #: the base point ``p0``: a value for each symbol variable (by variable index)
    point: dict[int, Fraction] = field(default_factory=dict)
    certified: int = 0
    reduced_to_zero: int = 0
    _cache: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict)

    # -- the base point ---------------------------------------------------------------
    def _balls(self, prec: int) -> list[arb] | None:
        """Balls of the variables known so far at ``p0``, or None where a kernel is not real and finite
        there.  (The list of variables grows while a lifting installs its zero test.)"""
        n = len(self.values)
        cached = self._cache.get(prec)
        if cached is not None and (cached[0] is None or len(cached[0]) == n):
            return cached[0]
        balls: list[arb] = [] if cached is None or cached[0] is None else list(cached[0])
        old = flint_ctx.prec
        flint_ctx.prec = prec
        try:
            for i in range(len(balls), n):
                b = self._ball(self.values[i], i, balls)
                if b is None or not b.is_finite():
                    self._cache[prec] = (None,)
                    return None
                balls.append(b)
        finally:
            flint_ctx.prec = old
        self._cache[prec] = (balls,)
        return balls

    def _ball(self, v: KernelValue, i: int, balls: list[arb]) -> arb | None:
        if v.fn == "symbol":
            x = self.point[i]
            b = arb(fmpq(x.numerator, x.denominator))
            return b if v.q == 1 else b.root(v.q)
        if v.fn == "constant":
            assert v.const is not None
            return v.const()
        assert v.arg is not None
        num, den = v.arg
        d = ball_of_poly(den, balls)
        if d.contains(0):
            return None
        a = ball_of_poly(num, balls) / d
        if v.fn == "root":
            if not a > 0:
                return None
            return a.root(v.q)
        if v.fn == "log" and not a > 0:
            return None
        if v.fn in ("asin", "acos") and not (a > -1 and a < 1):
            return None
        if v.fn == "tan":
            c = a.cos()
            if c.contains(0):
                return None
        return getattr(a, v.fn)()

    # -- the test -------------------------------------------------------------------
    def _nonzero_at_p0(self, p: fmpz_mpoly, precs: Sequence[int]) -> bool:
        for prec in precs:
            balls = self._balls(prec)
            if balls is None:
                return False
            old = flint_ctx.prec
            flint_ctx.prec = prec
            try:
                val = ball_of_poly(p, balls)
            finally:
                flint_ctx.prec = old
            if val.is_finite() and not val.contains(0):
                return True
        return False

    def reduce(self, p: fmpz_mpoly) -> fmpz_mpoly:
        """``p`` times a non-zero factor, reduced modulo the relations of the algebraic kernels."""
        ctx = p.context()
        for i, q, un, ud in reversed(self.relations):
            while not p.is_zero() and p.degrees()[i] >= q:
                hi: dict[tuple[int, ...], Any] = {}
                lo: dict[tuple[int, ...], Any] = {}
                for monom, coeff in p.terms():
                    if monom[i] >= q:
                        m = list(monom)
                        m[i] -= q
                        hi[tuple(m)] = coeff
                    else:
                        lo[monom] = coeff
                p = ctx.from_dict(lo) * ud + ctx.from_dict(hi) * un
        return p

    def _lookup(self, p: fmpz_mpoly) -> bool | None:
        key = (len(p), p.degrees())
        for q, verdict in self._memo.get(key, ()):
            if q == p:
                return verdict
        return None

    def _remember(self, p: fmpz_mpoly, verdict: bool) -> bool:
        self._memo.setdefault((len(p), p.degrees()), []).append((p, verdict))
        return verdict

    def __call__(self, p: fmpz_mpoly) -> bool:
        """Whether the polynomial ``p`` (non-zero in the field) is the zero function."""
        if p.is_zero():
            return True
        if p.is_constant():
            return False
        hit = self._lookup(p)
        if hit is not None:
            return hit
        if self._nonzero_at_p0(p, _PRECISIONS[:1]):
            self.certified += 1
            return self._remember(p, False)
        r = self.reduce(p) if self.relations else p
        if r.is_zero():
            self.reduced_to_zero += 1
            return self._remember(p, True)
        if self._nonzero_at_p0(r, _PRECISIONS):
            self.certified += 1
            return self._remember(p, False)
        where = ", ".join(f"{x}" for x in self.point.values())
        raise UndecidedError(
            "cannot decide whether an expression of the lifted field is zero: it is not zero as a "
            "rational function of the kernels, the kernels are not known to be independent, and a ball "
            f"enclosure at the base point ({where}) up to {_PRECISIONS[-1]} bits did not exclude 0. "
            "Nothing exact is claimed; where a numeric level exists (symgrad.decide), it is used instead."
        )
