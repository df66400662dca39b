r"""The one random-point generator of symgrad.

Every random point the package draws comes from here, so a seed reproduces it
and the choice of values is stated in one place.  Three kinds of value, all
drawn from a :class:`random.Random` the caller owns (and logs the seed of):

* :func:`small_rational`: ``p/q`` with ``|p/q| <= bound`` and ``1 <= q <= max_den``
  (readable points for exact evaluation, :func:`symgrad.numeric.random_point`);
* :func:`grid_rational`: a multiple of ``(2 - lo)/56`` in ``(lo, 2]``, ``lo = 1/4`` for a
  positive symbol and ``-2`` otherwise (the Schwartz-Zippel points of :mod:`symgrad.proof`);
* :func:`decimal_rational`: a rational with ``digits`` decimals in ``(0, 2)`` or ``(-2, 2)``,
  generic enough to miss the special values (integers, simple fractions) where a
  formula degenerates (the numeric level of :mod:`symgrad.proof`);
* :func:`uniform_float`: a float in a box (starting points of numeric searches).

Zero is never drawn unless asked for: random points are meant to be generic.
:func:`sample_point` draws one value per symbol, positive where the symbol is
declared positive or non-negative.
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Callable, Iterable, Literal

import sympy as sp

__all__ = ["rng_of", "is_positive_symbol", "small_rational", "grid_rational", "decimal_rational",
           "uniform_float", "sample_point"]

Kind = Literal["small", "grid", "decimal"]


def rng_of(rng: random.Random | int | None) -> random.Random:
    """A :class:`random.Random` from a generator, a seed, or ``None`` (fresh entropy)."""
    return rng if isinstance(rng, random.Random) else random.Random(rng)


def is_positive_symbol(s: sp.Symbol) -> bool:
    """Whether values drawn for ``s`` must be positive (declared positive or non-negative)."""
    return bool(s.is_positive or s.is_nonnegative)


def small_rational(rng: random.Random, *, positive: bool = False, bound: int = 9, max_den: int = 9,
                   allow_zero: bool = False) -> Fraction:
    """``p/q`` with ``|p/q| <= bound``, ``1 <= q <= max_den``; ``> 0`` when ``positive``.

    >>> v = small_rational(random.Random(1), positive=True)
    >>> 0 < v <= 9 and v.denominator <= 9
    True
    """
    while True:
        q = rng.randint(1, max_den)
        p = rng.randint(0 if positive else -bound * q, bound * q)
        v = Fraction(p, q)
        if v == 0 and (positive or not allow_zero):
            continue
        return v


def grid_rational(rng: random.Random, *, positive: bool = False) -> Fraction:
    """A non-zero multiple of ``(2 - lo)/56`` in ``(lo, 2]``, ``lo = 1/4`` if ``positive`` else ``-2``.

    >>> v = grid_rational(random.Random(1), positive=True)
    >>> Fraction(1, 4) < v <= 2
    True
    """
    lo = Fraction(1, 4) if positive else Fraction(-2)
    while True:
        v = lo + Fraction(rng.randint(1, 7 * 8), 8) * (2 - lo) / 7
        if v != 0:
            return v


def decimal_rational(rng: random.Random, *, positive: bool = False, digits: int = 9) -> Fraction:
    """A non-zero rational with ``digits`` decimals in ``(0, 2)`` if ``positive``, else in ``(-2, 2)``.

    >>> v = decimal_rational(random.Random(1))
    >>> -2 < v < 2 and v != 0 and (v * 10**9).denominator == 1
    True
    """
    scale = 10**digits
    if positive:
        return Fraction(rng.randrange(1, 2 * scale), scale)
    while True:
        v = Fraction(rng.randrange(-2 * scale + 1, 2 * scale), scale)
        if v != 0:
            return v


def uniform_float(rng: random.Random, lo: float, hi: float, *, positive: bool = False) -> float:
    """A float drawn uniformly from ``[lo, hi]`` (from ``[max(lo, 1e-3), hi]`` when ``positive``)."""
    return rng.uniform(max(lo, 1e-3) if positive else lo, hi)


_KINDS: dict[str, Callable[..., Fraction]] = {"small": small_rational, "grid": grid_rational,
                                               "decimal": decimal_rational}


def sample_point(symbols: Iterable[sp.Symbol], rng: random.Random | int | None = None, *,
                 kind: Kind = "small", positive: Iterable[sp.Symbol] | None = None,
                 **options: int | bool) -> dict[sp.Symbol, Fraction]:
    """One value of the given ``kind`` for each symbol, positive for the symbols in ``positive``
    (default: those declared positive or non-negative), negative for those declared negative or
    non-positive; ``options`` go to the value function.

    >>> a, b = sp.symbols("a b", positive=True)
    >>> sample_point([a, b], 7) == sample_point([a, b], 7)
    True
    """
    rng = rng_of(rng)
    syms = list(symbols)
    pos = {s for s in syms if is_positive_symbol(s)} if positive is None else set(positive)
    neg = {s for s in syms if s.is_negative or s.is_nonpositive}   # drawn positive, then negated
    draw = _KINDS[kind]
    return {s: (-draw(rng, positive=True, **options) if s in neg else draw(rng, positive=s in pos, **options))
            for s in syms}
