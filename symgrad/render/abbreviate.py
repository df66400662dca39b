r"""Abbreviations: large repeated subexpressions named, and the list of their definitions.

Examples
========
>>> import sympy as sp
>>> a, b = sp.symbols("a b")
>>> ab = abbreviate(sp.Matrix([[a / (a**2 + a*b + b**2 + 1), b / (a**2 + a*b + b**2 + 1)]]), "q")
>>> print(where_list(ab.where))
\begin{aligned}q_{1} &= \frac{1}{a^{2} + a b + b^{2} + 1}\end{aligned}
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import sympy as sp

from .filters import latex
from .layout import MAX_WIDTH, _pack, latex_width

__all__ = ["Abbreviation", "abbreviate", "where_list"]

# -- abbreviations ------------------------------------------------------------

@dataclass(frozen=True)
class Abbreviation:
    """Expressions with large repeated subexpressions replaced by names.

    Attributes
    ==========
    exprs : tuple
        The expressions (or matrices), rewritten with the names.
    where : tuple of (sympy.Symbol, sympy.Expr)
        The definitions, in an order where each uses only earlier names.
    """

    exprs: tuple[Any, ...]
    where: tuple[tuple[sp.Symbol, sp.Expr], ...]

    @property
    def expr(self) -> Any:
        """The first (often the only) rewritten expression."""
        return self.exprs[0]


def _free_names(obj: Any) -> set[str]:
    """Names of the symbols in ``obj``, looking inside dicts, lists and tuples."""
    if isinstance(obj, Mapping):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple, set)):
        return set().union(*(_free_names(o) for o in obj)) if obj else set()
    return {s.name for s in getattr(obj, "free_symbols", ())}


def _resolve(expr: Any, inline: Mapping[sp.Symbol, Any]) -> Any:
    """Substitute ``inline`` into ``expr`` until none of its names is left."""
    for _ in range(len(inline) + 1):
        if not (expr.free_symbols & inline.keys()):
            break
        expr = expr.xreplace(inline)
    return expr


def _count(expr: Any, sym: sp.Symbol) -> int:
    """How often ``sym`` occurs in ``expr`` (as a node of the expression tree)."""
    return sum(1 for node in sp.preorder_traversal(expr) if node == sym)


_SPARE_PREFIXES = ("kappa", "tau", "omega", "varsigma")


def abbreviate(obj: Any, prefix: str = "c", *, avoid: Any = None,
               spare: Sequence[str] = _SPARE_PREFIXES, min_width: float = 12.0) -> Abbreviation:
    r"""Name repeated large subexpressions (by :func:`sympy.cse`) and list the definitions.

    Common subexpressions narrower than ``min_width`` (in :func:`latex_width`
    units) are put back, so only abbreviations that shorten the display
    remain.  The names are ``prefix_1, prefix_2, ...``.  If ``obj`` or
    ``avoid`` already uses the letter (a symbol ``prefix`` or ``prefix_...``),
    the first free letter of ``spare`` is used instead; failing that, numbers
    already taken are skipped.  Names are compared as LaTeX prints them, so a
    parameter ``c11`` (printed ``c_{11}``) keeps the letter ``c`` from being used.  Give each display its own ``prefix`` and
    ``spare`` so that names never mean two things in one document part.

    Parameters
    ==========
    obj : sympy.Expr, sympy.MatrixBase, or a list or tuple of them
    prefix : str
        Letter (or SymPy symbol name) for the new names.
    avoid : optional
        Anything whose symbols the new names must not reuse: an expression,
        or a dict or list holding expressions (e.g. a whole derivation context).
    spare : sequence of str
        Letters (SymPy symbol names) to use when ``prefix`` is taken.
    min_width : float
        Smallest subexpression worth a name.

    Returns
    =======
    Abbreviation

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> s = (a**2 + b**2 + a*b + 1)
    >>> ab = abbreviate(sp.Matrix([[a / s, b / s]]), "q")
    >>> ab.where
    ((q_1, 1/(a**2 + a*b + b**2 + 1)),)
    >>> ab.expr.subs(dict(ab.where)) == sp.Matrix([[a / s, b / s]])
    True
    """
    if obj is None:   # a formula not written out within the budget: nothing to name
        return Abbreviation((None,), ())
    items = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    taken = _free_names(items) | _free_names(avoid)
    try:  # the same display is abbreviated in the appendix and again in its supplement: once is enough
        key = tuple(sp.ImmutableMatrix(x) if isinstance(x, sp.MatrixBase) else sp.sympify(x) for x in items)
        hash(key)
    except (TypeError, sp.SympifyError):
        return _abbreviate(items, prefix, frozenset(taken), tuple(spare), min_width)
    return _abbreviate_cached(key, prefix, frozenset(taken), tuple(spare), min_width)


@functools.lru_cache(maxsize=64)
def _abbreviate_cached(items: tuple, prefix: str, taken: frozenset, spare: tuple, min_width: float) -> Abbreviation:
    return _abbreviate(list(items), prefix, taken, spare, min_width)


def _abbreviate(items: list, prefix: str, taken: frozenset | set, spare: Sequence[str], min_width: float
                ) -> Abbreviation:
    replacements, reduced = sp.cse(items, symbols=sp.numbered_symbols("_cse"))
    inline: dict[sp.Symbol, sp.Expr] = {}
    kept: dict[sp.Symbol, sp.Expr] = {}
    for sym, sub in replacements:
        sub = _resolve(sub, inline)
        if latex_width(latex(sub)) < min_width:
            inline[sym] = sub
        else:
            kept[sym] = sub
    # A name used once shortens nothing: put it back.  Uses as a whole entry count once
    # together (they are the mirror entries of a symmetric matrix).
    while True:
        outputs = [_resolve(r, inline) for r in reduced]
        entries = [e for r in outputs for e in (r if isinstance(r, sp.MatrixBase) else [r])]
        uses = {s: sum(_count(e, s) for e in entries if e != s) + any(e == s for e in entries)
                + sum(_count(e, s) for e in kept.values()) for s in kept}
        drop = [s for s in kept if uses[s] < 2]
        if not drop:
            break
        for s in drop:
            inline[s] = kept.pop(s)
        kept = {s: _resolve(e, inline) for s, e in kept.items()}
    # Names are compared as printed: the symbol c11 prints as c_{11}, like the name c_11 would.
    printed = {sp.latex(sp.Symbol(n)) for n in taken}

    def clashes(letter: str) -> bool:
        head = sp.latex(sp.Symbol(letter))
        return any(t == head or t.startswith(f"{head}_") for t in printed)

    for letter in (prefix, *spare):
        if not clashes(letter):
            prefix = letter
            break
    rename: dict[sp.Symbol, sp.Symbol] = {}
    k = 0
    for sym in kept:
        k += 1
        while sp.latex(sp.Symbol(f"{prefix}_{k}")) in printed:
            k += 1
        rename[sym] = sp.Symbol(f"{prefix}_{k}")
    # Put the small ones back everywhere, then rename the kept ones.
    where = tuple((rename[s], e.xreplace(rename)) for s, e in kept.items())
    exprs = tuple(_resolve(r, inline).xreplace(rename) for r in reduced)
    if not where:  # nothing worth a name: return the input untouched (no reordering)
        exprs = tuple(items)
    return Abbreviation(exprs, where)


def where_list(definitions: Iterable[tuple[Any, Any]], *, max_width: float = MAX_WIDTH) -> str:
    r"""Display definitions ``name = expr`` one per line inside ``aligned``.

    Examples
    ========
    >>> import sympy as sp
    >>> a, c = sp.symbols("a c_1")
    >>> print(where_list([(c, a**2 + 1)]))
    \begin{aligned}c_{1} &= a^{2} + 1\end{aligned}
    """
    lines = []
    for sym, expr in definitions:
        lhs = latex(sym)
        parts = _pack(expr, max_width - latex_width(lhs) - 2.0)
        lines.append(f"{lhs} &= " + r"\\ &\quad ".join(parts))
    return r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}"
