r"""The lifted field at a point: exact values of the kernels, through public accessors only.

At a point where every symbol takes a rational value, the kernels take the
values ``exp(q)`` and ``tan(q/2)`` for rationals ``q``.  All the exponential
values are powers of one number ``T_e = exp(1/D)`` and all the tangents are
rational functions of one number ``T_u = tan(1/(2D'))``.  By the
Lindemann-Weierstrass theorem ``exp(1/D)`` and ``exp(i/D')`` are
algebraically independent, and so are ``T_e`` and ``T_u``: computing in
``Q(T_e, T_u)`` with ``T_e, T_u`` as indeterminates decides zero and rank at
the point exactly.  Logarithms at the point, and roots of non-powers, are
refused (no such theorem is at hand).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import sympy as sp
from flint import fmpz_mpoly, fmpz_mpoly_ctx

from ..exceptions import LiftError
from .lifting import Lifting, poly_to_sympy
from .ratfunc import RF

__all__ = ["PointField"]


class PointField:
    r"""The variables of a :class:`~symgrad.exact.lifting.Lifting` at a rational point, exactly.

    Examples
    ========
    >>> x = sp.Symbol("x", real=True)
    >>> L = Lifting.build([sp.exp(x)])
    >>> F = PointField(L, {x: 2})
    >>> F.to_sympy(F.value(L.lift(sp.exp(x)))) == sp.exp(2)
    True
    """

    def __init__(self, lifting: Lifting, values: Mapping[sp.Symbol, Any]):
        self.lifting = lifting
        vals: dict[sp.Symbol, sp.Rational] = {}
        for s in lifting.symbols:
            if s not in values:
                raise LiftError(f"no value given for the symbol {s}")
            v = sp.nsimplify(values[s]) if isinstance(values[s], float) else sp.sympify(values[s])
            if not v.is_Rational:
                raise LiftError(f"the value {values[s]} of {s} is not rational")
            vals[s] = v
        # the exponents and half angles at the point
        args = {i: v.meaning.args[0].subs(vals) for i, v in enumerate(lifting.variables) if v.kind in ("exp", "tan")}
        De = math.lcm(1, *[int(a.q) for i, a in args.items() if lifting.variables[i].kind == "exp"])
        Du = math.lcm(1, *[int(a.q) for i, a in args.items() if lifting.variables[i].kind == "tan"])
        names: list[str] = []
        te = tu = None
        if any(a != 0 for i, a in args.items() if lifting.variables[i].kind == "exp"):
            te = len(names)
            names.append("Te")
        if any(a != 0 for i, a in args.items() if lifting.variables[i].kind == "tan"):
            tu = len(names)
            names.append("Tu")
        self.meanings: list[sp.Expr] = []
        if te is not None:
            self.meanings.append(sp.exp(sp.Rational(1, De)))
        if tu is not None:
            self.meanings.append(sp.tan(sp.Rational(1, Du)))
        self.ctx = ctx = fmpz_mpoly_ctx.get(tuple(names) or ("_one",), "degrevlex")
        gens = [RF(g) for g in ctx.gens()]
        one = RF.const(ctx, 1)
        zero = RF.const(ctx, 0)
        images: list[RF] = []
        for i, var in enumerate(lifting.variables):
            if var.kind == "one":
                images.append(one)
            elif var.kind == "symbol":
                images.append(RF.const(ctx, vals[var.meaning]))
            elif var.kind == "root":
                s, L = var.meaning.base, int(1 / var.meaning.exp)
                v = vals[s]
                root = sp.root(v, L) if v >= 0 else None
                if root is None or not root.is_Rational:
                    raise LiftError(f"{s} = {v} is not a perfect {L}-th power; the lifted root is not rational there")
                images.append(RF.const(ctx, root))
            elif var.kind == "exp":
                k = args[i] * De
                images.append(gens[te] ** int(k) if k != 0 and te is not None else one)
            elif var.kind == "tan":
                k = int(args[i] * Du)
                if k == 0 or tu is None:
                    images.append(zero)
                    continue
                T = gens[tu]
                re, im = one, zero
                for _ in range(abs(k)):
                    re, im = re - im * T, re * T + im
                images.append(im / re if k > 0 else -(im / re))
            elif var.kind == "log":
                s = var.meaning.args[0]
                if vals[s] != 1:
                    raise LiftError(f"log({s}) at {s} = {vals[s]} is not handled exactly")
                images.append(zero)
            else:  # pragma: no cover - every kind is handled above
                raise LiftError(f"no value at a point for a variable of kind {var.kind}")
        self.images = images
        self.transcendental = bool(names)

    def value(self, rf: RF) -> RF:
        """The exact value of ``rf`` at the point, in ``Q(T_e, T_u)``; ``ZeroDivisionError`` at a pole."""
        num = self._compose(rf.num)
        den = self._compose(rf.den)
        if den.is_zero():
            raise ZeroDivisionError("the denominator vanishes at this point")
        return num / den

    def _compose(self, p: fmpz_mpoly) -> RF:
        out = RF.const(self.ctx, 0)
        for monom, coeff in p.terms():
            t = RF.const(self.ctx, int(coeff))
            for img, k in zip(self.images, monom):
                if k:
                    t = t * img**k
            out = out + t
        return out

    def to_sympy(self, rf: RF) -> sp.Expr:
        """The value as a SymPy number (``T_e``, ``T_u`` put back)."""
        return poly_to_sympy(rf.num, self.meanings) / poly_to_sympy(rf.den, self.meanings)
