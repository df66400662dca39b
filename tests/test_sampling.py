"""Tests of symgrad._sampling: the one random-point generator.

* known answers: the value streams are those the package drew before the samplers were merged
  (the former ``verify._sample_value`` and ``_numeric_sample``, written out here), so a seed gives
  the same points as before;
* properties: ranges, positivity, no zero unless asked for, reproducibility from a seed.
"""
from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp

from symgrad._sampling import decimal_rational, grid_rational, sample_point, small_rational, uniform_float
from symgrad.numeric import random_point


def _old_sample_value(positive: bool, rng: random.Random) -> Fraction:
    lo = Fraction(1, 4) if positive else Fraction(-2)
    while True:
        v = lo + Fraction(rng.randint(1, 7 * 8), 8) * (2 - lo) / 7
        if v != 0:
            return v


def _old_numeric_sample(positive: bool, rng: random.Random) -> Fraction:
    scale = 10**9
    if positive:
        return Fraction(rng.randrange(1, 2 * scale), scale)
    while True:
        v = Fraction(rng.randrange(-2 * scale + 1, 2 * scale), scale)
        if v != 0:
            return v


def test_streams_are_the_former_samplers():
    for positive in (False, True):
        r1, r2, r3, r4 = (random.Random(5) for _ in range(4))
        assert [grid_rational(r1, positive=positive) for _ in range(50)] == \
            [_old_sample_value(positive, r2) for _ in range(50)]
        assert [decimal_rational(r3, positive=positive) for _ in range(50)] == \
            [_old_numeric_sample(positive, r4) for _ in range(50)]


def test_ranges_and_positivity():
    rng = random.Random(0)
    for _ in range(200):
        assert 0 < small_rational(rng, positive=True) <= 9
        v = small_rational(rng, bound=2, max_den=3)
        assert v != 0 and abs(v) <= 2 and v.denominator <= 3
        assert Fraction(1, 4) < grid_rational(rng, positive=True) <= 2
        assert -2 < grid_rational(rng) <= 2
        assert 0 < decimal_rational(rng, positive=True) < 2
        assert 1e-3 <= uniform_float(rng, -1.0, 1.0, positive=True) <= 1.0
    zeros = {small_rational(random.Random(s), bound=1, max_den=1, allow_zero=True) for s in range(60)}
    assert Fraction(0) in zeros


def test_points_follow_the_assumptions_and_the_seed():
    a = sp.Symbol("a", real=True)
    b = sp.Symbol("b", nonnegative=True)
    for kind in ("small", "grid", "decimal"):
        pt = sample_point([a, b], 11, kind=kind)
        assert pt == sample_point([a, b], 11, kind=kind) and pt[b] > 0
    # numeric.random_point draws through the same sampler
    p = sp.Symbol("p", positive=True)
    assert random_point([a, p], 3) == {s: sp.Rational(v.numerator, v.denominator)
                                       for s, v in sample_point([a, p], 3, positive=[p]).items()}
