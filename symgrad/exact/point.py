r"""The lifted field at a point: exact values of the kernels, through public accessors only.

At a point whose coordinates are exact real numbers (rationals, ``sqrt(2)``,
``log(3/2)``, ``pi/3``, ...), every variable of a
:class:`~symgrad.exact.lifting.Lifting` takes a value that is a real constant
expression: ``exp(2/3)``, ``tan(1/4)``, ``log 3``, ``sqrt(2)``, ``exp(exp(1/2))``.
These constants are lifted in turn, into a field of their own (a
:class:`~symgrad.exact.lifting.Lifting` with no symbols), and a rational function
of the model's field is evaluated by composing it with their images.

At a rational point this is the classical picture: all the exponential values
are powers of one number ``exp(1/D)`` and all the tangents are rational
functions of one ``tan(1/(2D'))``; by the Lindemann-Weierstrass theorem the two
are algebraically independent, so the constant field decides zero and rank at
the point exactly.  Other constants (``pi``, logarithms, roots) are decided by
the certified zero test of :mod:`symgrad.exact.certify`: zeros by the relations
of the roots (``sqrt(2)**2 - 2``), non-zeros by a rigorous ball enclosure; what
neither decides raises :class:`~symgrad.exceptions.UndecidedError`.
"""
from __future__ import annotations

from typing import Any, Mapping

import sympy as sp
from flint import fmpz_mpoly, fmpz_mpoly_ctx

from ..exceptions import LiftError
from .lifting import Lifting, poly_to_sympy
from .ratfunc import RF

__all__ = ["PointField"]


def _exact_real(s: sp.Symbol, value: Any) -> sp.Expr:
    v = sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)
    if not getattr(v, "is_number", False) or v.is_Float or v.has(sp.Float):
        raise LiftError(f"the value {value} of {s} is not an exact number; give rationals or exact constants")
    if v.has(sp.I, sp.zoo, sp.oo, sp.nan) or v.is_extended_real is False:
        raise LiftError(f"the value {value} of {s} is not a finite real number")
    return v


class PointField:
    r"""The variables of a :class:`~symgrad.exact.lifting.Lifting` at an exact real point.

    Examples
    ========
    >>> x = sp.Symbol("x", real=True)
    >>> L = Lifting.build([sp.exp(x)])
    >>> F = PointField(L, {x: 2})
    >>> F.to_sympy(F.value(L.lift(sp.exp(x)))) == sp.exp(2)
    True
    >>> F = PointField(Lifting.build([x**2 - 2]), {x: sp.sqrt(2)})
    >>> F.value(F.lifting.lift(x**2 - 2)).is_zero()
    True
    """

    def __init__(self, lifting: Lifting, values: Mapping[sp.Symbol, Any]):
        self.lifting = lifting
        vals: dict[sp.Symbol, sp.Expr] = {}
        for s in lifting.symbols:
            if s not in values:
                raise LiftError(f"no value given for the symbol {s}")
            vals[s] = _exact_real(s, values[s])
        at = []
        for v in lifting.variables:
            m = v.meaning.xreplace(vals)
            if m.has(sp.zoo, sp.oo, sp.nan, sp.I):
                raise LiftError(f"{v.meaning} has no finite real value at this point")
            at.append(m)
        #: the field of the values: a lifting of constants (no symbols)
        self.constants = Lifting.build(at)
        self.ctx = self.constants.ctx
        self.images = [self.constants.lift(m) for m in at]
        #: whether the values involve numbers that are not rational
        self.transcendental = not self.constants._dummy

    def value(self, rf: RF) -> RF:
        """The exact value of ``rf`` at the point, in the constant field; ``ZeroDivisionError`` at a pole."""
        num = self._compose(rf.num)
        den = self._compose(rf.den)
        if den.is_zero():
            raise ZeroDivisionError("the denominator vanishes at this point")
        return num / den

    def _compose(self, p: fmpz_mpoly) -> RF:
        r"""``p`` at the images, by one polynomial composition in python-flint.

        With the images ``n_i / d_i``, ``p(n/d) = P(n, d) / prod d_i^{D_i}`` where ``D_i`` is the degree of
        ``p`` in its ``i``-th variable and ``P(x, w) = sum_m c_m x^m w^{D - m}`` is ``p`` made homogeneous
        in each pair ``(x_i, w_i)``; only the variables whose image has a denominator other than 1 get
        a ``w_i``.  This is the same element as the term-by-term sum of products in the field (both are
        the reduced fraction of the same rational function), without a field operation per term."""
        if p.is_zero():
            return RF.const(self.ctx, 0)
        nums = [i.num for i in self.images]
        degs = [int(d) for d in p.degrees()]
        hom = [i for i, img in enumerate(self.images) if degs[i] > 0 and not img.den.is_one()]
        if not hom:
            return RF(p.compose(*nums, ctx=self.ctx), reduced=True)
        n = len(nums)
        ctx2 = fmpz_mpoly_ctx.get(("y", n + len(hom)), "lex")
        terms = {}
        for monom, c in p.to_dict().items():
            terms[tuple(monom) + tuple(degs[i] - monom[i] for i in hom)] = c
        P = ctx2.from_dict(terms)
        num = P.compose(*nums, *[self.images[i].den for i in hom], ctx=self.ctx)
        den = self.ctx.constant(1)
        for i in hom:
            den *= self.images[i].den ** degs[i]
        return RF(num, den)

    def _compose_termwise(self, p: fmpz_mpoly) -> RF:
        """The same value as :meth:`_compose`, by field operations term by term (a reference for tests)."""
        out = RF.const(self.ctx, 0)
        for monom, coeff in p.terms():
            t = RF.const(self.ctx, int(coeff))
            for img, k in zip(self.images, monom):
                if k:
                    t = t * img**k
            out = out + t
        return out

    def to_sympy(self, rf: RF) -> sp.Expr:
        """The value as a SymPy number.

        Half-angle tangents are rewritten in the cosine and sine of the full angle when the value is
        small (``tan(1/4)`` back to ``cos(1/2)``, ``sin(1/2)``); large values keep the constants as they
        are, which is exact too and avoids a costly rewriting."""
        if self.constants.has_trig and rf.size() <= 40 and max(rf.degrees()) <= 12:
            return self.constants.to_sympy(rf)
        gens = [v.meaning for v in self.constants.variables]
        return poly_to_sympy(rf.num, gens) / poly_to_sympy(rf.den, gens)
