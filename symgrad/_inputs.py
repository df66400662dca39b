"""The one input-validation vocabulary of symgrad.

Everything a user hands to the package (expressions, symbols, matrices,
points) is read here, and every refusal is an exception of the package's own
that names the problem and what to do.  Nothing else in the package validates
a point by hand.
"""
from __future__ import annotations

import math
from fractions import Fraction
from tokenize import TokenError
from typing import Any, Iterable, Mapping, Sequence

import sympy as sp

from .exceptions import DomainError, ShapeError, SymbolError

__all__ = [
    "as_expr", "as_matrix", "as_column", "as_symbols", "as_value", "point", "point_tuple",
    "check_real_values", "check_finite_exprs",
]

_NOT_FINITE = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def as_expr(e: Any, what: str = "expression") -> sp.Expr:
    """A SymPy expression from ``e``; strings are parsed, anything else unreadable is refused."""
    if isinstance(e, sp.Basic) and not isinstance(e, sp.Expr):
        raise ShapeError(f"the {what} must be a scalar SymPy expression; got {e!r}")
    try:
        out = sp.sympify(e, strict=not isinstance(e, str))
    except (sp.SympifyError, SyntaxError, TypeError, ValueError, TokenError) as exc:
        raise SymbolError(f"cannot read the {what} {e!r} as a SymPy expression ({type(exc).__name__}); "
                          "write it with SymPy symbols, e.g. sp.symbols('a b', real=True)") from None
    if isinstance(out, sp.MatrixBase) or not isinstance(out, sp.Expr):
        raise ShapeError(f"the {what} must be a scalar SymPy expression; got {out!r}")
    return out


def check_finite_exprs(exprs: Iterable[sp.Expr], what: str) -> None:
    """Refuse ``nan``, ``oo``, ``zoo`` and non-real constants (``I``) inside expressions."""
    for e in exprs:
        if e.has(*_NOT_FINITE):
            raise DomainError(f"the {what} contains a value that is not a finite real number ({e}); "
                              "write the model with finite real expressions")
        if e.has(sp.I):
            raise DomainError(f"the {what} contains the imaginary unit ({e}); symgrad works with real "
                              "models: write the real and imaginary parts as separate coordinates")


def as_matrix(A: Any, what: str = "matrix") -> sp.ImmutableMatrix:
    """An immutable SymPy matrix from nested lists or a matrix; :class:`ShapeError` otherwise."""
    if isinstance(A, (str, bytes)) or A is None:
        raise ShapeError(f"the {what} must be a matrix (nested lists or a SymPy Matrix); got {A!r}")
    try:
        M = sp.ImmutableMatrix(A)
    except Exception as exc:  # SymPy raises several types here
        raise ShapeError(f"cannot read the {what} {A!r} as a matrix: {exc}") from None
    if M.rows == 0 or M.cols == 0:
        raise ShapeError(f"the {what} is empty ({M.rows}x{M.cols})")
    for x in M:
        if not isinstance(x, sp.Expr):
            raise ShapeError(f"the {what} has an entry that is not a scalar expression: {x!r}")
    return M


def as_column(exprs: Any, what: str) -> sp.ImmutableMatrix:
    """A column matrix from a list, tuple or SymPy matrix; :class:`ShapeError` otherwise."""
    if exprs is None or isinstance(exprs, (Mapping, set, frozenset)):
        raise ShapeError(f"{what} must be a list of SymPy expressions; got {exprs!r}")
    if isinstance(exprs, sp.MatrixBase):
        if exprs.cols != 1 and exprs.rows == 1:
            exprs = exprs.T
        if exprs.cols != 1:
            raise ShapeError(f"{what} must be a vector (one column); got a {exprs.rows}x{exprs.cols} matrix")
        M = sp.ImmutableMatrix(exprs)
    else:
        if isinstance(exprs, (str, bytes)) or not hasattr(exprs, "__iter__"):
            exprs = [exprs]
        items = []
        for e in exprs:
            if isinstance(e, (list, tuple, sp.MatrixBase)):
                raise ShapeError(f"{what} must be a list of scalar SymPy expressions; found {e!r}")
            items.append(as_expr(e, f"entry of {what}"))
        M = sp.ImmutableMatrix(len(items), 1, items)
    if M.rows == 0:
        raise ShapeError(f"{what} is empty")
    return M


def as_symbols(seq: Any, what: str) -> tuple[sp.Symbol, ...]:
    """Distinct SymPy symbols from a sequence (strings become real symbols)."""
    if seq is None or isinstance(seq, (sp.Expr, str)) and not isinstance(seq, sp.Symbol):
        if isinstance(seq, str):
            seq = sp.symbols(seq, real=True)
            seq = seq if isinstance(seq, tuple) else (seq,)
        else:
            raise SymbolError(f"{what} must be a list of SymPy symbols; got {seq!r}")
    if isinstance(seq, sp.Symbol):
        seq = (seq,)
    out = []
    for s in seq:
        if isinstance(s, str):
            s = sp.Symbol(s, real=True)
        if not isinstance(s, sp.Symbol):
            raise SymbolError(f"{what} must be SymPy symbols; got {s!r} of type {type(s).__name__}")
        out.append(s)
    if len(set(out)) != len(out):
        raise SymbolError(f"{what} contain a repeated symbol: {out}")
    return tuple(out)


def as_value(v: Any, name: Any) -> sp.Expr:
    """An exact SymPy number from a user's value (floats become the rational they denote)."""
    if v is None or isinstance(v, (list, tuple, dict, set, str, bytes, sp.MatrixBase)):
        raise DomainError(f"the value given for {name} is {v!r}; give a single finite real number")
    if isinstance(v, bool):
        raise DomainError(f"the value given for {name} is the boolean {v}; give a number")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise DomainError(f"{name} = {v} is not a finite real number: give a real value")
        return sp.Rational(Fraction(v))
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    try:
        out = sp.sympify(v, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
        raise DomainError(f"cannot read the value {v!r} given for {name} as a number") from None
    if not isinstance(out, sp.Expr):
        raise DomainError(f"the value given for {name} is {v!r}; give a single finite real number")
    return out


def check_real_values(values: Mapping[sp.Symbol, sp.Expr], *, signs: bool = True) -> None:
    """Refuse values that are not finite reals or (with ``signs``) are against a symbol's sign assumptions."""
    for s, v in values.items():
        if not v.is_number:
            continue
        if v.has(*_NOT_FINITE) or v.is_real is False or v.is_finite is False:
            raise DomainError(f"{s} = {v} is not a finite real number: give a real value")
        if signs and ((s.is_positive and not v.is_positive) or (s.is_nonnegative and v.is_negative)
                      or (s.is_negative and not v.is_negative) or (s.is_nonpositive and v.is_positive)):
            kind = ("positive" if s.is_positive else "non-negative" if s.is_nonnegative
                    else "negative" if s.is_negative else "non-positive")
            raise DomainError(f"{s} is declared {kind} but the point gives {s} = {v}; "
                              "choose a point in the domain")


def point(mapping: Any, symbols: Sequence[sp.Symbol], *, what: str = "point",
          ignore_unknown: bool = False, allow_missing: bool = False,
          constants: Sequence[sp.Symbol] = (), check_signs: bool = True) -> dict[sp.Symbol, sp.Expr]:
    """Read a point ``{symbol or name: value}`` for ``symbols`` (and ``constants``).

    Keys may be symbols or their names; values are exact numbers (a float is
    read as the rational it denotes).  A key that is none of the symbols is an
    error unless ``ignore_unknown``; a missing symbol is an error unless
    ``allow_missing``.  Values must be finite reals obeying the symbols' sign
    assumptions.
    """
    if not isinstance(mapping, Mapping):
        raise SymbolError(f"a {what} is a mapping from symbols to values, e.g. {{a: 0, b: 1}}; got {mapping!r}")
    known = tuple(symbols) + tuple(c for c in constants if c not in symbols)
    by_name = {s.name: s for s in known}
    out: dict[sp.Symbol, sp.Expr] = {}
    for k, v in mapping.items():
        key_name = k if isinstance(k, str) else getattr(k, "name", None)
        s = k if k in known else by_name.get(key_name) if key_name is not None else None
        if s is None:
            if ignore_unknown and isinstance(k, (str, sp.Symbol)):
                continue
            raise SymbolError(f"the {what} names {k!r}, which is not a parameter or symbol of it; "
                              f"its symbols are {list(known)}")
        out[s] = as_value(v, s)
    missing = [s for s in known if s not in out]
    if missing and not allow_missing:
        raise SymbolError(f"the {what} gives no value for {missing}; every one of {list(known)} needs one")
    for s, v in out.items():
        stray = v.free_symbols
        if stray:
            raise SymbolError(f"the value {v} given for {s} is not a number (it contains {sorted(map(str, stray))})")
    check_real_values(out, signs=check_signs)
    return out


def point_tuple(p: Any, coords: Sequence[sp.Symbol], *, what: str = "point",
                constants: Sequence[sp.Symbol] = ()) -> tuple[sp.Expr, ...]:
    """A point given as a mapping or a sequence, as a tuple of exact values in ``coords`` order."""
    m = len(coords)
    if isinstance(p, Mapping):
        vals = point(p, coords, what=what)
        return tuple(vals[z] for z in coords)
    if isinstance(p, sp.MatrixBase):
        items = list(p)
    elif isinstance(p, (str, bytes)) or not hasattr(p, "__iter__"):
        items = [p]
    else:
        items = list(p)
    if len(items) != m:
        raise ShapeError(f"a {what} has {m} coordinates {tuple(coords)}; got {len(items)}")
    out = []
    for z, v in zip(coords, items):
        x = as_value(v, z)
        if x.free_symbols - set(constants):
            raise SymbolError(f"the {what} coordinate {x} is not a number")
        out.append(x)
    check_real_values({z: x for z, x in zip(coords, out) if not x.free_symbols})
    return tuple(out)
