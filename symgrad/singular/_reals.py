"""Is a solution value real? Decided exactly, or left undecided; never by a floating-point test.

The singular-point search keeps the real solutions of polynomial systems.  A value is called real only
when that is proved: by SymPy's assumptions when they decide it, by construction (an expression built
from real numbers by operations that keep them real, each domain condition certified by an interval
enclosure), or, for an algebraic number, by its minimal polynomial having only real roots.  It is called
non-real when SymPy's assumptions say so or an interval enclosure of its imaginary part excludes zero.
Otherwise the answer is ``None`` (:func:`real_verdict`) or an error (:func:`is_real_value`).
"""
from __future__ import annotations

import itertools
from typing import Any

import mpmath
import sympy as sp

from ..exceptions import DomainError
from ..numeric import interval_enclosure

__all__ = ["real_value", "is_real_value", "real_verdict", "split_real"]

_REAL_FUNCS = (sp.exp, sp.sin, sp.cos, sp.atan, sp.sinh, sp.cosh, sp.tanh)


def _positive(e: sp.Expr) -> bool:
    """``e`` (a real number by construction) proved positive by an interval enclosure."""
    try:
        iv = interval_enclosure(e, dps=40)
    except Exception:  # no interval rule, a domain error: not proved
        return False
    return bool(mpmath.isfinite(iv.a) and iv.a > 0)


def _real_by_construction(e: sp.Expr) -> bool:
    """``e`` is built from rationals, ``pi`` and ``E`` by operations that keep real numbers real."""
    if e.is_Rational or e in (sp.pi, sp.E):
        return True
    if isinstance(e, sp.CRootOf):
        return bool(e.is_real)  # decided exactly by root isolation
    if e.is_Add or e.is_Mul:
        return all(_real_by_construction(a) for a in e.args)
    if e.is_Pow:
        if not _real_by_construction(e.base):
            return False
        if e.exp.is_Integer:
            return True
        if e.exp.is_Rational:
            return _positive(e.base)  # SymPy's root of a negative number is the principal complex one
        return False
    if isinstance(e, _REAL_FUNCS):
        return _real_by_construction(e.args[0])
    if isinstance(e, sp.log):
        return _real_by_construction(e.args[0]) and _positive(e.args[0])
    return False


def _imaginary_part_nonzero(e: sp.Expr) -> bool:
    """An interval enclosure of ``im(e)`` excludes zero (``e`` written as ``re + I im`` by SymPy)."""
    try:
        re, im = e.as_real_imag()
    except Exception:  # pragma: no cover - SymPy could not split it
        return False
    if im.has(sp.re, sp.im, sp.arg, sp.Abs) or im.free_symbols:
        return False
    try:
        iv = interval_enclosure(im, dps=40)
    except Exception:
        return False
    return bool(mpmath.isfinite(iv.a) and mpmath.isfinite(iv.b) and not (iv.a <= 0 <= iv.b))


def _all_conjugates_real(e: sp.Expr) -> bool:
    """``e`` is an algebraic number whose minimal polynomial over QQ has only real roots (Sturm count)."""
    if not e.is_algebraic:
        return False
    x = sp.Dummy("x")
    try:
        P = sp.Poly(sp.minimal_polynomial(e, x), x)
    except (NotImplementedError, ValueError, sp.PolynomialError):
        return False
    return bool(P.count_roots() == P.degree())  # count_roots counts the real roots exactly


def real_value(v: Any) -> bool | None:
    """Is the number ``v`` real? ``True`` or ``False`` only when proved, ``None`` when not decided.

    >>> real_value(sp.sqrt(2)), real_value(sp.I), real_value((-8) ** sp.Rational(1, 3))
    (True, False, False)
    >>> c = sp.solve(sp.Symbol("x") ** 3 - 3 * sp.Symbol("x") + 1)[0]    # Cardano's form, with I
    >>> c.has(sp.I), real_value(c)
    (True, True)
    """
    v = sp.sympify(v)
    if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return False
    if v.is_extended_real is False:
        return False
    if v.is_real is True:
        return True
    if _real_by_construction(v):
        return True
    if _imaginary_part_nonzero(v):
        return False
    if _all_conjugates_real(v):
        return True
    return None


def is_real_value(v: Any) -> bool:
    """:func:`real_value`, with an error when it is not decided."""
    out = real_value(v)
    if out is None:
        raise DomainError(f"cannot decide whether {v} is real: SymPy's assumptions do not say, it is not real by "
                          "construction, no interval enclosure of its imaginary part excludes zero, and it is not an "
                          "algebraic number whose conjugates are all real. Give the value in another form (a "
                          "CRootOf, say).")
    return out


def real_verdict(v: Any) -> bool | None:
    """Is the solution value ``v`` real (for real values of its free symbols)?

    Numbers: by :func:`real_value`.  A value with free symbols is real when it is a rational function of
    them with real (proved) coefficients; with the imaginary unit or a radical of a non-constant expression
    it may be real on a smaller set only, and the answer is ``None`` (undecided).
    """
    v = sp.sympify(v)
    if not v.free_symbols:
        return real_value(v)
    if v.has(sp.I):
        return None
    for a in sp.preorder_traversal(v):
        if isinstance(a, sp.Pow) and not a.exp.is_Integer and a.base.free_symbols:
            return None
        if isinstance(a, sp.Function):
            return None
    coeffs = [c for c in sp.preorder_traversal(v) if c.is_number and not c.is_Rational and c.is_Atom is False]
    if any(real_value(c) is not True for c in coeffs if not c.free_symbols):
        return None
    return True


def _radicands(sol: dict) -> list[sp.Expr]:
    return [a.base for v in sol.values() for a in sp.preorder_traversal(sp.sympify(v))
            if isinstance(a, sp.Pow) and not a.exp.is_Integer and a.base.free_symbols]


def _real_on_an_open_set(sol: dict) -> bool:
    """A family with radicals (no imaginary unit) is real on an open set: some rational point of its
    free symbols makes every radicand positive (decided exactly, the radicands are rational there)."""
    if any(sp.sympify(v).has(sp.I) for v in sol.values()):
        return False
    rads = _radicands(sol)
    if not rads or any(isinstance(a, sp.Function) for v in sol.values() for a in sp.preorder_traversal(v)):
        return False
    free = sorted(set().union(*[sp.sympify(v).free_symbols for v in sol.values()]), key=lambda s: s.name)
    cands = [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Rational(1, 2), sp.Integer(2), sp.Rational(-1, 2),
             sp.Integer(-2), sp.Rational(1, 3), sp.Integer(3)]
    for combo in itertools.islice(itertools.product(cands, repeat=len(free)), 500):
        sub = dict(zip(free, combo))
        vals = [q.xreplace(sub) for q in rads]
        if all(q.is_Rational and q > 0 for q in vals):
            return True
    return False


def split_real(sols: list[dict]) -> tuple[list[dict], list[dict]]:
    """``(real, undecided)``: solutions with every value proved real, and those whose real points are not
    explicit or whose reality is not decided (solutions with a value proved non-real are dropped).

    >>> x, y = sp.symbols("x y", real=True)
    >>> split_real([{x: 1}, {x: sp.I}, {x: sp.I * y}, {x: y / 2}, {x: sp.sqrt(1 - y**2)}, {x: sp.sqrt(-y**2)}])
    ([{x: 1}, {x: y/2}, {x: sqrt(1 - y**2)}], [{x: I*y}, {x: I*Abs(y)}])
    """
    real: list[dict] = []
    unsure: list[dict] = []
    for s in sols:
        verdicts = [real_verdict(v) for v in s.values()]
        if any(x is False for x in verdicts):
            continue
        ok = all(x is True for x in verdicts) or _real_on_an_open_set(s)
        (real if ok else unsure).append(s)
    return real, unsure
