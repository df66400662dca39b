r"""Polynomial ideals over the rationals: the commutative algebra under the singular-point search.

Thin, exact helpers around SymPy's Groebner bases: reduced bases, saturation
``I : h^\infty`` (which removes the zero set of ``h``: poles, the diagonal of
a pair of copies), the Krull dimension from the leading monomials, square-free
parts, a factorising split into components, ideal containment, and explicit
solutions of one component.

An empty answer of a solver is never taken as a proof of absence unless the
method is complete for the system (:func:`solve_component`), and a candidate
solution is kept only when it is verified exactly; a candidate that cannot be
verified is returned as *unverified*, never dropped.
"""
from __future__ import annotations

import itertools
from typing import NamedTuple, Sequence

import sympy as sp
from sympy.polys.orderings import MonomialOrder, monomial_key

from .domain import field_of

__all__ = [
    "TooLarge", "MAX_COMPONENTS", "has_gens", "gb", "is_unit", "saturate", "dimension", "squarefree",
    "components", "ideal_contains", "Solved", "solve_component", "eliminate",
]

#: At most this many components are split off one ideal.
MAX_COMPONENTS = 64
_GREVLEX = monomial_key("grevlex")


class TooLarge(Exception):
    """An exact computation that would not fit the stated limits (too many minors or components)."""


class _BlockOrder(MonomialOrder):
    """Elimination order: grevlex on the first ``k`` variables, ties broken by grevlex on the rest."""

    alias = "elim"
    is_global = True
    is_default = False

    def __init__(self, k: int):
        self.k = k

    def __call__(self, m):
        a, b = m[:self.k], m[self.k:]
        return ((sum(a), tuple(reversed([-x for x in a]))), (sum(b), tuple(reversed([-x for x in b]))))

    def __repr__(self) -> str:
        return f"_BlockOrder({self.k})"

    def __eq__(self, other) -> bool:
        return isinstance(other, _BlockOrder) and other.k == self.k

    def __hash__(self) -> int:
        return hash((_BlockOrder, self.k))


def has_gens(e: sp.Expr, gens: Sequence[sp.Symbol]) -> bool:
    """True when ``e`` involves one of the variables ``gens``."""
    return bool(e.free_symbols & set(gens))


def gb(polys: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Reduced Groebner basis (grevlex); ``[]`` for the zero ideal, ``[1]`` for the unit ideal.

    >>> x, y = sp.symbols("x y")
    >>> gb([x**2 - y, x*y - 1], [x, y]) == [x**2 - y, x*y - 1, y**2 - x]
    True
    >>> gb([x, x + 1], [x])                         # no common zero: the unit ideal
    [1]
    """
    polys = [sp.expand(p) for p in polys]
    polys = [p for p in polys if p != 0]
    if not polys:
        return []
    if any(not has_gens(p, gens) for p in polys):
        return [sp.Integer(1)]
    G = sp.groebner(polys, *gens, order="grevlex")
    out = list(G.exprs)
    if any(not has_gens(g, gens) for g in out):
        return [sp.Integer(1)]
    return out


def is_unit(G: Sequence[sp.Expr]) -> bool:
    """The basis ``G`` is ``[1]``: the ideal has no zero, not even a complex one."""
    return len(G) == 1 and G[0] == 1


def saturate(polys: Sequence[sp.Expr], h: sp.Expr, gens: Sequence[sp.Symbol]) -> list[sp.Expr]:
    r"""Reduced Groebner basis of the saturation ``I : h^\infty`` (the closure of ``V(I) \ V(h)``).

    >>> x, y = sp.symbols("x y")
    >>> saturate([x*y], x, [x, y]) == [y]           # V(xy) minus the line x = 0
    True
    """
    h = sp.expand(h)
    if not has_gens(h, gens):
        return gb(polys, gens) if h != 0 else [sp.Integer(1)]
    s = sp.Dummy("s")
    polys = [sp.expand(p) for p in polys if sp.expand(p) != 0]
    G = sp.groebner(list(polys) + [1 - s * h], s, *gens, order=_BlockOrder(1))
    keep = [g for g in G.exprs if not g.has(s)]
    return gb(keep, gens) if keep else []


def dimension(G: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> int:
    """Krull dimension of the ideal with reduced Groebner basis ``G`` (``-1`` for the unit ideal).

    >>> x, y = sp.symbols("x y")
    >>> dimension([x*y], [x, y]), dimension([x, y - 1], [x, y]), dimension([sp.Integer(1)], [x, y])
    (1, 0, -1)
    """
    if is_unit(G):
        return -1
    if not G:
        return len(gens)
    supports = []
    for g in G:
        lm = max(sp.Poly(g, *gens).monoms(), key=_GREVLEX)
        supports.append({i for i, k in enumerate(lm) if k})
    n = len(gens)
    for size in range(n, -1, -1):
        for U in itertools.combinations(range(n), size):
            Us = set(U)
            if all(not sup <= Us for sup in supports):
                return size
    return 0  # pragma: no cover


def squarefree(G: list[sp.Expr], gens: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Replace generators by their square-free parts until stable: same zero set, smaller ideal basis."""
    for _ in range(6):
        F = [sp.sqf_part(g, *gens) if has_gens(g, gens) else g for g in G]
        G2 = gb(F, gens)
        if G2 == G:
            break
        G = G2
    return G


def components(G: list[sp.Expr], gens: Sequence[sp.Symbol], limit: int = MAX_COMPONENTS) -> list[list[sp.Expr]]:
    """Split ``V(G)`` into pieces whose Groebner bases have only irreducible generators (over QQ).

    A factorising Groebner basis: if a generator factors as ``f1 * f2 * ...``
    the zero set is the union of the zero sets of ``G + (f_k)``.  Pieces
    contained in others are dropped, so what remains is the list of
    components (irreducible over QQ in all the examples this is used on).

    >>> x, y = sp.symbols("x y")
    >>> sorted(map(str, components([x*y], [x, y])))
    ['[x]', '[y]']
    """
    out: list[list[sp.Expr]] = []
    stack = [squarefree(G, gens)]
    while stack:
        C = stack.pop()
        if is_unit(C):
            continue
        split = None
        for g in C:
            _, facs = sp.factor_list(g, *gens)
            facs = [f for f, _k in facs if has_gens(f, gens)]
            if len(facs) > 1:
                split = facs
                break
        if split is None:
            if C not in out:
                out.append(C)
            if len(out) > limit:
                raise TooLarge(f"more than {limit} components")
            continue
        for f in split:
            stack.append(squarefree(gb(list(C) + [f], gens), gens))
    # drop pieces contained in others: V(C1) ⊆ V(C2) when every generator of C2 lies in (C1)
    minimal = []
    for i, C in enumerate(out):
        contained = False
        for j, D in enumerate(out):
            if i == j or C == D:
                continue
            if ideal_contains(C, D, gens) and not (ideal_contains(D, C, gens) and j > i):
                contained = True
                break
        if not contained:
            minimal.append(C)
    return minimal


def ideal_contains(C: list[sp.Expr], D: list[sp.Expr], gens: Sequence[sp.Symbol]) -> bool:
    """Every generator of ``D`` reduces to zero modulo the Groebner basis ``C`` (so ``V(C) ⊆ V(D)``)."""
    if is_unit(C):
        return True
    if not D:
        return True
    if not C:
        return False
    try:   # over QQ: over ZZ, SymPy's reduction fails with CoercionFailed on systems such as 3a/((4a+1)^2+1)
        Gb = sp.groebner(C, *gens, order="grevlex", domain=sp.QQ)
    except sp.polys.polyerrors.CoercionFailed:   # coefficients outside QQ: SymPy picks the domain
        Gb = sp.groebner(C, *gens, order="grevlex")
    return all(Gb.contains(d) for d in D)


class Solved(NamedTuple):
    """Explicit solutions of one component.

    ``solutions`` are verified exactly (every generator vanishes in an exact
    field); ``unverified`` are candidates of the solver that could not be
    verified (an exact field does not hold them): they are kept, never
    dropped, and a search that meets one is not exhaustive.
    """

    solutions: list[dict]
    unverified: list[dict]

    @property
    def all(self) -> list[dict]:
        return self.solutions + self.unverified


def _vanishes(g: sp.Expr, sol: dict) -> bool | None:
    """Does ``g`` vanish at ``sol``? Decided in an exact field; ``None`` when none holds the value."""
    try:
        v = sp.expand(g.xreplace(sol))
    except Exception:  # pragma: no cover - defensive
        return None
    if v == 0:
        return True
    if v.is_Rational:
        return False
    vals = field_of([v])
    if vals is None:
        return None
    return vals[0].is_zero()


def _verify(C: Sequence[sp.Expr], sols: list[dict]) -> Solved:
    good, unsure = [], []
    for s in sols:
        checks = [_vanishes(g, s) for g in C]
        if all(c is True for c in checks):
            good.append(s)
        elif not any(c is False for c in checks):
            unsure.append(s)
    return Solved(good, unsure)


def solve_component(C: list[sp.Expr], gens: Sequence[sp.Symbol]) -> Solved | None:
    """Explicit solutions of one component in the domain of ``gens``, or ``None`` when SymPy cannot give them.

    SymPy's ``solve`` honours the symbols' assumptions (``real``,
    ``positive``).  Its empty answer is taken as "no solution in that domain"
    only when the same system solved without assumptions gives solutions that
    are each provably outside the domain (a non-real or wrong-signed number);
    otherwise an empty answer is no proof of absence and the result is
    ``None``.  Every candidate is verified by substituting it in the
    generators and deciding zero in an exact field (:func:`Solved`).

    >>> x = sp.Symbol("x", real=True)
    >>> solve_component([x**2 - 2], [x]).solutions
    [{x: -sqrt(2)}, {x: sqrt(2)}]
    >>> solve_component([x**2 + 1], [x]).all          # no real solution, proved by the complex ones
    []
    """
    if not C:
        return Solved([{}], [])
    try:
        sols = sp.solve(C, list(gens), dict=True)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return None
    if not sols:
        # an empty answer is no proof of absence: only a finite system whose complex solutions are each
        # provably outside the domain has none there
        if not any(s.is_real is not None for s in gens) or dimension(C, gens) != 0:
            return None
        if not _proved_outside(C, gens):
            return None
        return Solved([], [])
    out = _verify(C, sols)
    return out if out.all else None


def _proved_outside(C: list[sp.Expr], gens: Sequence[sp.Symbol]) -> bool:
    """The system has solutions over C, and each one is provably outside the symbols' domain."""
    plain = [sp.Dummy(s.name) for s in gens]
    to_plain = dict(zip(gens, plain))
    try:
        sols = sp.solve([c.xreplace(to_plain) for c in C], plain, dict=True)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return False
    if not sols:
        return False
    back = dict(zip(plain, gens))
    for s in sols:
        if set(s) != set(plain):
            return False  # a parametric family: its real part is not decided here
        outside = False
        for d, v in s.items():
            v = sp.sympify(v)
            if v.free_symbols:
                return False
            sym = back[d]
            if v.is_real is False:
                outside = True
            elif v.is_real and ((sym.is_positive and v.is_nonpositive) or (sym.is_nonnegative and v.is_negative)
                                or (sym.is_negative and v.is_nonnegative) or (sym.is_nonpositive and v.is_positive)):
                outside = True
        if not outside:
            return False
    return True


def eliminate(polys: Sequence[sp.Expr], elim: Sequence[sp.Symbol], keep: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Generators of the elimination ideal ``(polys) ∩ QQ[keep]`` (a block order eliminating ``elim``).

    >>> t, x, y = sp.symbols("t x y")
    >>> eliminate([x - t**2, y - t**3], [t], [x, y])       # the cusp y^2 = x^3
    [x**3 - y**2]
    """
    polys = [sp.expand(p) for p in polys if sp.expand(p) != 0]
    if not polys:
        return []
    G = sp.groebner(polys, *elim, *keep, order=_BlockOrder(len(elim)))
    if any(not has_gens(g, list(elim) + list(keep)) for g in G.exprs):
        return [sp.Integer(1)]
    return [g for g in G.exprs if not (g.free_symbols & set(elim))]
