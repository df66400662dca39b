r"""Exact values at points: algebraic numbers (and fractions over them) as elements of one field.

At a parameter point with algebraic coordinates (``sqrt(2)``, a root of a
cubic) the entries of ``J`` and ``g`` lie in a number field, or in a field of
fractions over one when some parameters stay free.  :func:`field_of` finds
such a field with SymPy's domain constructor and returns the values as
:class:`DomainElement` s, which have the plain operators the dense kernel of
:mod:`symgrad.exact.dense` needs.  Zero is then decided exactly
(:meth:`DomainElement.is_zero`), never by ``simplify``.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Sequence

import sympy as sp
from sympy.polys.constructor import construct_domain

from . import dense

__all__ = ["DomainElement", "field_of", "exact_field", "is_algebraic", "rref_rows", "span_basis"]

_NON_ALGEBRAIC = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh, sp.asin, sp.acos, sp.atan)


class DomainElement:
    """An element of a SymPy domain (``QQ``, ``QQ<sqrt(2)>``, ``QQ(t)``, ...) with plain operators.

    >>> a, b = field_of([sp.sqrt(2), 1 + sp.sqrt(2)])
    >>> (b - a - 1).is_zero(), (a * a).to_sympy()
    (True, 2)
    """

    __slots__ = ("K", "x")

    def __init__(self, K: Any, x: Any):
        self.K, self.x = K, x

    def _o(self, o: Any) -> Any:
        if isinstance(o, DomainElement):
            return o.x
        if isinstance(o, Fraction):
            return self.K.from_sympy(sp.Rational(o.numerator, o.denominator))
        return self.K.convert(o)

    def __add__(self, o: Any) -> DomainElement:
        return DomainElement(self.K, self.x + self._o(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> DomainElement:
        return DomainElement(self.K, self.x - self._o(o))

    def __rsub__(self, o: Any) -> DomainElement:
        return DomainElement(self.K, self._o(o) - self.x)

    def __mul__(self, o: Any) -> DomainElement:
        return DomainElement(self.K, self.x * self._o(o))

    __rmul__ = __mul__

    def __neg__(self) -> DomainElement:
        return DomainElement(self.K, -self.x)

    def inverse(self) -> DomainElement:
        if self.K.is_zero(self.x):
            raise ZeroDivisionError("inverse of zero")
        return DomainElement(self.K, self.K.quo(self.K.one, self.x))

    def __truediv__(self, o: Any) -> DomainElement:
        o = o if isinstance(o, DomainElement) else DomainElement(self.K, self._o(o))
        return self * o.inverse()

    def __rtruediv__(self, o: Any) -> DomainElement:
        return DomainElement(self.K, self._o(o)) * self.inverse()

    def __pow__(self, k: int) -> DomainElement:
        if k < 0:
            return self.inverse() ** (-k)
        out = DomainElement(self.K, self.K.one)
        for _ in range(k):
            out = out * self
        return out

    def is_zero(self) -> bool:
        return bool(self.K.is_zero(self.x))

    def size(self) -> int:
        return 1

    def to_sympy(self) -> sp.Expr:
        return self.K.to_sympy(self.x)

    def __repr__(self) -> str:
        return f"DomainElement({self.to_sympy()} in {self.K})"


def is_algebraic(exprs: Sequence[sp.Expr]) -> bool:
    """No float, ``pi``, ``E``, infinity or transcendental function in the expressions."""
    for e in exprs:
        if e.has(sp.Float) or e.has(sp.pi) or e.has(sp.E) or e.has(sp.zoo) or e.has(sp.nan) or e.has(sp.oo):
            return False
        if any(isinstance(a, _NON_ALGEBRAIC) for a in sp.preorder_traversal(e)):
            return False
    return True


def field_of(exprs: Sequence[Any]) -> list[DomainElement] | None:
    """The expressions as elements of one exact field (rationals, a number field, or fractions over one).

    ``None`` when no exact field is at hand (transcendental numbers, floats).

    >>> [x.to_sympy() for x in field_of([sp.Rational(1, 2), sp.sqrt(3)])]
    [1/2, sqrt(3)]
    >>> field_of([sp.pi]) is None
    True
    """
    exprs = [sp.sympify(e) for e in exprs]
    if not is_algebraic(exprs):
        return None
    try:
        K, els = construct_domain(exprs, field=True, extension=True)
    except Exception:
        K, els = sp.EX, None
    if K.is_EX or getattr(K, "is_EXRAW", False):
        alg = set()
        for e in exprs:
            for a in sp.preorder_traversal(e):
                if a.is_number and not a.is_Rational and (a.is_Pow or isinstance(a, sp.CRootOf)):
                    alg.add(a)
        free = sorted(set().union(*[e.free_symbols for e in exprs]), key=lambda s: s.name)
        try:
            K0 = sp.QQ.algebraic_field(*sorted(alg, key=sp.default_sort_key)) if alg else sp.QQ
            K = K0.frac_field(*free) if free else K0
            els = [K.from_sympy(e) for e in exprs]
        except Exception:
            return None
    assert els is not None
    return [DomainElement(K, x) for x in els]


def exact_field(exprs: Sequence[Any]) -> tuple[list, Callable[[Any], sp.Expr], Any, Any] | None:
    """:func:`field_of` in the form :func:`symgrad.gradient.gradient_at` takes: ``(values, to_sympy, zero, one)``."""
    vals = field_of(list(exprs) + [sp.Integer(0), sp.Integer(1)])
    if vals is None:
        return None
    return vals[:-2], (lambda v: v.to_sympy()), vals[-2], vals[-1]


def rref_rows(A: list[list[Any]]) -> list[list[Any]]:
    """The non-zero rows of the reduced row echelon form (a canonical basis of the row space).

    Built on the one elimination of :mod:`symgrad.exact.dense`: the leftmost
    pivot columns ``P`` are found by rank profiles of growing column sets, and
    the basis is ``A[R, P]^{-1} A[R, :]`` for independent rows ``R``.

    >>> from fractions import Fraction as F
    >>> rref_rows([[F(2), F(4)], [F(1), F(2)]])
    [[Fraction(1, 1), Fraction(2, 1)]]
    """
    if not A or not A[0]:
        return []
    r, rows, _ = dense.rank_profile(A)
    if r == 0:
        return []
    R = dense.submatrix(A, rows, range(len(A[0])))
    piv: list[int] = []
    for j in range(len(A[0])):
        if dense.rank_profile(dense.submatrix(R, range(r), piv + [j]))[0] > len(piv):
            piv.append(j)
            if len(piv) == r:
                break
    W = dense.inverse(dense.submatrix(R, range(r), piv))
    return dense.matmul(W, R)


def span_basis(vectors: list[list[Any]]) -> tuple[int, tuple[tuple[sp.Expr, ...], ...]] | None:
    """Rank and canonical basis (reduced echelon form) of the span of SymPy vectors; ``None`` without a field.

    >>> span_basis([[2, 2], [1, 1]])
    (1, ((1, 1),))
    """
    if not vectors:
        return 0, ()
    n = len(vectors[0])
    vals = field_of([x for v in vectors for x in v])
    if vals is None:
        return None
    rows = [vals[i * n:(i + 1) * n] for i in range(len(vectors))]
    R = rref_rows(rows)
    return len(R), tuple(tuple(x.to_sympy() for x in row) for row in R)
