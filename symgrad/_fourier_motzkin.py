r"""Exact feasibility of strict linear inequalities by Fourier-Motzkin elimination.

A system ``a_k . x + c_k > 0`` (``k = 1..m``) with rational data is decided
exactly: either a rational point satisfying every inequality is returned, or a
*Farkas certificate* is: multipliers ``lambda_k >= 0``, not all zero, with
``sum_k lambda_k a_k = 0`` and ``sum_k lambda_k c_k <= 0``.  The certificate
proves that the system has no solution, since at a solution the same
combination would be a positive number; anyone can check it by one
multiplication, without trusting the elimination.

Elimination of ``x_j`` keeps the inequalities free of ``x_j`` and adds, for
every pair of a lower bound ``x_j > L(x')`` and an upper bound
``x_j < U(x')``, the inequality ``U(x') - L(x') > 0``; a strict system is
feasible exactly when the reduced one is (Fourier's theorem, e.g. Schrijver,
*Theory of Linear and Integer Programming*, §12.2).  Back-substitution then
chooses each eliminated ``x_j`` strictly between its bounds, preferring small
integers and otherwise the simplest rational of the interval, so witness
points stay readable.

This module is pure rational arithmetic (:class:`fractions.Fraction`); it
knows nothing of SymPy.  It is used by :mod:`symgrad.piecewise` to prove the
emptiness of sign patterns that are linear in the parameters, and to find
witness points of the non-empty ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

__all__ = ["Inequality", "Feasible", "Infeasible", "solve_strict", "simplest_between", "TooLarge"]


class TooLarge(Exception):
    """The elimination produced more inequalities than the caller allows (internal signal)."""


@dataclass(frozen=True)
class Inequality:
    """``sum_j coeffs[j] x_j + const > 0``; ``coeffs`` maps variable indices to non-zero rationals."""

    coeffs: tuple[tuple[int, Fraction], ...]
    const: Fraction

    def value(self, x: Sequence[Fraction]) -> Fraction:
        return sum((c * x[j] for j, c in self.coeffs), self.const)


@dataclass(frozen=True)
class Feasible:
    """A rational point satisfying every inequality (checked by substitution before it is returned)."""

    point: tuple[Fraction, ...]


@dataclass(frozen=True)
class Infeasible:
    """A Farkas certificate: ``lambdas[k] >= 0``, not all zero, ``sum lambdas[k] a_k = 0`` and
    ``sum lambdas[k] c_k <= 0`` (checked before it is returned)."""

    lambdas: tuple[Fraction, ...]


@dataclass
class _Row:
    a: dict[int, Fraction]
    c: Fraction
    lam: dict[int, Fraction]

    def scaled(self, s: Fraction) -> _Row:
        return _Row({j: s * v for j, v in self.a.items()}, s * self.c, {k: s * v for k, v in self.lam.items()})


def _combine(p: _Row, q: _Row, j: int) -> _Row:
    """``(-q_j) p + p_j q`` with ``p_j > 0 > q_j``: a positive combination free of ``x_j``."""
    sp_, sq = -q.a[j], p.a[j]
    a: dict[int, Fraction] = {}
    for k in set(p.a) | set(q.a):
        v = sp_ * p.a.get(k, Fraction(0)) + sq * q.a.get(k, Fraction(0))
        if v != 0 and k != j:
            a[k] = v
    lam: dict[int, Fraction] = {}
    for k in set(p.lam) | set(q.lam):
        v = sp_ * p.lam.get(k, Fraction(0)) + sq * q.lam.get(k, Fraction(0))
        if v != 0:
            lam[k] = v
    return _Row(a, sp_ * p.c + sq * q.c, lam)


def _normalise(rows: list[_Row]) -> tuple[list[_Row], _Row | None]:
    """Scale each row so its first coefficient is +-1, keep the tightest of parallel rows, and return
    a contradictory constant row (``0 > -c`` with ``c <= 0``) if there is one."""
    best: dict[tuple, _Row] = {}
    for r in rows:
        if not r.a:
            if r.c <= 0:
                return [], r
            continue
        first = min(r.a)
        r = r.scaled(1 / abs(r.a[first]))
        key = tuple(sorted(r.a.items()))
        old = best.get(key)
        if old is None or r.c < old.c:
            best[key] = r
    return list(best.values()), None


def simplest_between(lo: Fraction | None, hi: Fraction | None) -> Fraction:
    """The rational of smallest denominator (then smallest magnitude) in the open interval ``(lo, hi)``;
    ``None`` is an infinite end.

    >>> simplest_between(Fraction(1, 3), Fraction(1, 2)), simplest_between(None, Fraction(-7, 2))
    (Fraction(2, 5), Fraction(-4, 1))
    """
    if lo is not None and hi is not None and not lo < hi:
        raise ValueError(f"empty interval ({lo}, {hi})")
    if lo is None and hi is None:
        return Fraction(0)
    if lo is None:
        assert hi is not None
        return Fraction(min(0, math.ceil(hi) - 1))
    if hi is None:
        return Fraction(max(0, math.floor(lo) + 1))
    first, last = math.floor(lo) + 1, math.ceil(hi) - 1
    if first <= last:                                   # an integer lies inside: the one nearest 0
        return Fraction(0 if first <= 0 <= last else first if first > 0 else last)
    n = math.floor(lo)                                  # lo, hi in [n, n + 1]: x = n + 1/y
    y = simplest_between(1 / (hi - n), None if lo == n else 1 / (lo - n))
    return n + 1 / y


def _pick(lo: Fraction | None, hi: Fraction | None, preferred: Fraction) -> Fraction:
    """A readable value in ``(lo, hi)``: ``preferred`` if it lies inside, else the nearest integer
    inside other than 0, else the simplest rational."""
    inside = (lo is None or lo < preferred) and (hi is None or preferred < hi)
    if inside:
        return preferred
    ints = []
    first = None if lo is None else math.floor(lo) + 1
    last = None if hi is None else math.ceil(hi) - 1
    if first is not None and (last is None or first <= last):
        ints.append(first)
    if last is not None and (first is None or first <= last):
        ints.append(last)
    ints = [k for k in ints if k != 0] or ints
    if ints:
        return Fraction(min(ints, key=lambda k: abs(k - preferred)))
    return simplest_between(lo, hi)


def solve_strict(system: Sequence[Inequality], n: int, *, preferred: Sequence[Fraction] | None = None,
                 max_rows: int = 20000, tick: Callable[[], None] | None = None) -> Feasible | Infeasible:
    """Decide ``system`` (strict inequalities in ``n`` variables) exactly.

    Returns :class:`Feasible` with a rational point (each free variable set to
    ``preferred[j]`` when that is allowed, default ``j + 1``) or
    :class:`Infeasible` with a Farkas certificate; both are verified before
    they are returned.  Raises :class:`TooLarge` when an elimination step
    would hold more than ``max_rows`` inequalities; ``tick`` is called once
    per elimination step (a budget check).

    >>> F = Fraction
    >>> x_pos = Inequality(((0, F(1)),), F(0))          # x > 0
    >>> x_neg = Inequality(((0, F(-1)),), F(0))         # -x > 0
    >>> solve_strict([x_pos, x_neg], 1)
    Infeasible(lambdas=(Fraction(1, 1), Fraction(1, 1)))
    >>> solve_strict([x_pos, Inequality(((0, F(-2)),), F(1))], 1)   # 0 < x < 1/2
    Feasible(point=(Fraction(1, 3),))
    """
    pref = [Fraction(j + 1) for j in range(n)] if preferred is None else [Fraction(p) for p in preferred]
    rows = [_Row(dict(q.coeffs), Fraction(q.const), {k: Fraction(1)}) for k, q in enumerate(system)]
    rows, bad = _normalise(rows)
    history: list[tuple[int, list[_Row], list[_Row]]] = []
    remaining = set(range(n))
    while bad is None and rows:
        if tick is not None:
            tick()
        present = {j for r in rows for j in r.a}
        for j in remaining - present:
            history.append((j, [], []))
        remaining &= present
        if not remaining:
            break

        def growth(j: int) -> int:
            p = sum(1 for r in rows if r.a.get(j, 0) > 0)
            q = sum(1 for r in rows if r.a.get(j, 0) < 0)
            return p * q - p - q

        j = min(sorted(remaining), key=growth)
        lower = [r for r in rows if r.a.get(j, 0) > 0]
        upper = [r for r in rows if r.a.get(j, 0) < 0]
        keep = [r for r in rows if j not in r.a]
        if len(keep) + len(lower) * len(upper) > max_rows:
            raise TooLarge(f"eliminating one variable would give {len(keep) + len(lower) * len(upper)} inequalities")
        history.append((j, lower, upper))
        remaining.discard(j)
        rows, bad = _normalise(keep + [_combine(p, q, j) for p in lower for q in upper])
    if bad is not None:
        lam = tuple(bad.lam.get(k, Fraction(0)) for k in range(len(system)))
        _check_certificate(system, n, lam)
        return Infeasible(lam)
    for j in sorted(remaining):
        history.append((j, [], []))
    x: list[Fraction | None] = [None] * n
    for j, lower, upper in reversed(history):
        def rest(r: _Row) -> Fraction:
            return sum((v * x[k] for k, v in r.a.items() if k != j), r.c)  # type: ignore[operator]
        lo = max((-rest(r) / r.a[j] for r in lower), default=None)
        hi = min((-rest(r) / r.a[j] for r in upper), default=None)
        x[j] = _pick(lo, hi, pref[j])
    point = tuple(Fraction(1) if v is None else v for v in x)
    if not all(q.value(point) > 0 for q in system):  # pragma: no cover - a bug, never a claim
        raise AssertionError(f"Fourier-Motzkin back-substitution gave {point}, which violates the system")
    return Feasible(point)


def _check_certificate(system: Sequence[Inequality], n: int, lam: tuple[Fraction, ...]) -> None:
    combo = [Fraction(0)] * n
    const = Fraction(0)
    for q, l in zip(system, lam):
        for j, c in q.coeffs:
            combo[j] += l * c
        const += l * q.const
    if not (all(l >= 0 for l in lam) and any(l > 0 for l in lam) and all(v == 0 for v in combo)
            and const <= 0):  # pragma: no cover - a bug, never a claim
        raise AssertionError(f"Fourier-Motzkin produced an invalid Farkas certificate {lam}")
