r"""Criteria for whether a model point is in Smooth(M), each sound on its own (paper, §3).

Proofs: the Zariski closure of ``M`` smooth at ``p`` (the Jacobian criterion on the elimination
ideal, :func:`implicit_smooth`); refutations: half-branches that leave ``p`` with no two in opposite
directions (:func:`half_branches`), and ``p`` a limit of self-crossings (:func:`crossings_accumulate`).
"""
from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction
from typing import Mapping, Sequence

import sympy as sp

from .._budget import Budget
from ..exact import dense
from ..exact.domain import field_of, is_algebraic, span_basis
from ..exact.lifting import lift
from ..exceptions import LiftError
from ..exact.ideals import TooLarge, dimension, eliminate, has_gens, is_unit
from ..model import Model
from ._model import EXACT_FAILURES, RationalParametrisation, rank_lower_bound, span_exact
from .crossings import crossings_exact

__all__ = ["valuation", "order_at", "half_branches", "implicit_smooth", "crossings_accumulate", "graph_not_smooth",
           "affine_hull_smooth"]


def valuation(e: sp.Expr, s: sp.Symbol) -> tuple[int, sp.Expr] | None:
    """Order and leading coefficient of a rational function of ``s`` at ``s = 0`` (None for 0)."""
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    if num == 0:
        return None
    pn, pd = sp.Poly(num, s), sp.Poly(den, s)
    on = min(m[0] for m in pn.monoms())
    od = min(m[0] for m in pd.monoms())
    return on - od, pn.coeff_monomial(s**on) / pd.coeff_monomial(s**od)


def order_at(model: Model, xi_map: Mapping, p: tuple) -> tuple[int, tuple[sp.Expr, ...]] | None:
    """For a one-parameter model at an isolated preimage ``t0``: the order ``k`` and the direction ``a_k``
    of ``phi(t0 + s) - p = a_k s^k + O(s^(k+1))``; ``None`` when ``t0`` is not an isolated exact value."""
    t = model.xi[0]
    if t not in xi_map or sp.sympify(xi_map[t]).free_symbols:
        return None
    s = sp.Dummy("s")
    t0 = sp.sympify(xi_map[t])
    vals = [valuation(sp.cancel(sp.together(e.xreplace({t: t0 + s}) - pk)), s) for e, pk in zip(model.phi, p)]
    orders = [v[0] for v in vals if v is not None]
    if not orders or min(orders) <= 0:
        return None
    k = min(orders)
    return k, tuple(v[1] if v is not None and v[0] == k else sp.Integer(0) for v in vals)


def _opposite(u: Sequence[sp.Expr], v: Sequence[sp.Expr]) -> bool | None:
    """Is ``v`` a negative multiple of ``u``? Decided in an exact field (``None`` when none holds them)."""
    k = next((i for i, x in enumerate(u) if x != 0), None)
    if k is None or v[k] == 0:
        return False
    lam = sp.sympify(v[k]) / sp.sympify(u[k])
    vals = field_of([sp.sympify(b) - lam * sp.sympify(a) for a, b in zip(u, v)])
    if vals is None or not lam.is_number:
        return None
    return all(x.is_zero() for x in vals) and bool(lam.is_negative)


def half_branches(orders: list, limits: list) -> str | None:
    """A one-dimensional ``M`` near ``p`` is the union of finitely many half-branches leaving ``p``; a curve
    that is a manifold at ``p`` has two of them leaving in opposite directions.  Returns the reason when no
    two half-branches are opposite (a cusp, or an end point), else ``None``."""
    if any(o is None for o in orders):
        return None
    dirs: list[tuple[sp.Expr, ...]] = []
    for k, a in orders:
        dirs.append(a)
        if k % 2 == 1:
            dirs.append(tuple(-x for x in a))
    dirs += [d for _, d in limits]
    for u, v in itertools.combinations(dirs, 2):
        opp = _opposite(u, v)
        if opp is None or opp:
            return None
    cusp = ", ".join(f"{tuple(a)} (order {k})" for k, a in orders)
    return (f"every half-branch of M leaves p in the direction {cusp}" + (" or along the limits" if limits else "")
            + " and no two leave in opposite directions, so M is not a curve through p (a cusp or an end point)")


def implicit_smooth(model: Model, A: RationalParametrisation, p: tuple, r: int) -> str | None:
    """Is the Zariski closure ``V`` of ``M`` smooth of dimension ``r`` at ``p``? (exact Jacobian criterion)

    ``V`` is irreducible (the closure of the image of an affine space), its ideal the elimination ideal
    of ``den_i z_i - num_i`` with the poles saturated away.  Returns the equations used when the gradients
    of its generators at ``p`` have rank ``m - r``, else ``None``."""
    m = model.phi.rows
    if model.constants:
        return None
    if r == m:
        return "V is the whole space"
    z = sp.symbols(f"zz_0:{m}")
    w = sp.Dummy("w")
    polys = [d * zi - nu for zi, nu, d in zip(z, A.num, A.den)] + ([1 - w * A.h] if has_gens(A.h, A.xi) else [])
    G = eliminate(polys, [w, *A.xi], list(z))
    if not G or is_unit(G) or dimension(G, list(z)) != r:
        return None
    sub = dict(zip(z, p))
    grads = [[sp.diff(g, zi).xreplace(sub) for zi in z] for g in G]
    rk = span_basis(grads)
    if rk is None:
        # p with transcendental coordinates: the ideal is prime of dimension r, so the gradients have rank at
        # most m - r on V; a lower bound of m - r proved by interval arithmetic decides it
        if rank_lower_bound(sp.Matrix(grads)) != m - r:
            return None
    elif rk[0] != m - r:
        return None
    return ", ".join(f"{sp.factor(g.xreplace(dict(zip(z, model.z))))} = 0" for g in G[:4]) + (
        ", ..." if len(G) > 4 else "")


def crossings_accumulate(model: Model, A: RationalParametrisation, p: tuple, B: Budget, r: int
                                ) -> str | None:
    """Is ``p`` a limit of self-crossings? ``Smooth(M)`` is open, so then ``p`` is singular.

    Uses the families of crossings with one free parameter ``s`` found exactly, whose sides and model
    point are rational in ``s`` over QQ (so real for real ``s``) and whose tangent spaces differ for
    generic ``s``; if ``p(s0) = p`` at a real ``s0`` where the family is defined, the crossings
    ``p(s)``, ``s -> s0``, accumulate at ``p``."""
    try:
        _, loci, _, _, _ = crossings_exact(model, A, B, r)
    except EXACT_FAILURES:
        return None
    for c, free in loci:
        if len(free) != 1:
            continue
        (s,) = free
        ents = list(c.xi1) + list(c.xi2) + list(c.p)
        if not is_algebraic(ents) or any(not sp.sympify(e).is_rational_function(s) for e in ents):
            continue
        if any(sp.Poly(sp.fraction(sp.together(e))[0], s).domain not in (sp.ZZ, sp.QQ) for e in ents
               if sp.sympify(e).free_symbols):
            continue
        try:
            sols = sp.solve([sp.numer(sp.together(pk - v)) for pk, v in zip(c.p, p)], s, dict=True)
        except (NotImplementedError, ValueError, TypeError):
            continue
        Jab = model.J.xreplace(dict(zip(model.xi, c.xi1))).row_join(model.J.xreplace(dict(zip(model.xi, c.xi2))))
        generic = span_exact(Jab)
        if generic is None or generic[0] <= r:
            continue
        for sol in sols:
            s0 = sol.get(s)
            if s0 is None or not (s0.is_Rational or (s0.is_real and s0.is_algebraic)):
                continue
            at = [sp.sympify(e).xreplace({s: s0}) for e in ents]
            if any(v.has(sp.zoo, sp.nan, sp.oo) for v in at):
                continue
            gap = field_of([a - b for a, b in zip(at[2 * len(model.xi):], p)])
            if gap is None or not all(x.is_zero() for x in gap):
                continue
            return (f"p is a limit of self-crossings with different tangent spaces: the family "
                    f"phi{tuple(c.xi1)} = phi{tuple(c.xi2)} = {tuple(c.p)} reaches p as {s} -> {s0}, and "
                    "Smooth(M) is open")
    return None


#: Terms of the series of a one-parameter curve examined for a non-integer exponent.
GRAPH_ORDER = 24


def graph_not_smooth(model: Model, xi_map: Mapping, p: tuple, k: int, direction: Sequence[sp.Expr]) -> str | None:
    """For a one-parameter rational model passing through ``p`` only at ``t0``, as an arc of odd order ``k``
    (``phi(t0 + s) - p = a s^k + O(s^(k+1))``): the reason why ``M`` is not a smooth curve at ``p``, or ``None``.

    Near ``p``, ``M`` is the image of a neighbourhood of ``t0``.  With ``x`` a coordinate in which ``a`` is
    not zero, ``x - p_x = c s^k (1 + O(s))`` is strictly monotone in ``s`` near 0 (``k`` odd), so ``M`` is the
    graph of a continuous function ``y(x)`` of the other coordinates.  If ``M`` were a smooth curve at ``p``,
    its tangent line would contain the limit of the secants, ``a``, so it would not be perpendicular to the
    ``x`` axis and ``M`` would be the graph of a smooth function of ``x``: the same ``y(x)``.  Writing
    ``x - p_x = c w^k``, ``y`` is a power series in ``w = ((x - p_x)/c)^(1/k)``; a non-zero coefficient at
    ``w^j`` with ``k`` not dividing ``j``, after only multiples of ``k`` below it, gives
    ``y = P(x) + b x^(j/k) + o(x^(j/k))`` with ``P`` a polynomial: not ``C^ceil(j/k)`` at ``p``.  Every
    coefficient is computed in QQ (rational ``t0`` only).
    """
    t = model.xi[0]
    t0 = sp.sympify(xi_map.get(t))
    if t0 is None or not t0.is_Rational or k % 2 == 0 or k < 2:
        return None
    i = next((j for j, a in enumerate(direction) if a != 0), None)
    if i is None:
        return None
    N = GRAPH_ORDER
    ser = [_series_at(e, t, t0, pk, N) for e, pk in zip(model.phi, p)]
    if any(q is None for q in ser):
        return None
    X = ser[i]
    assert X is not None
    c = X[k]
    if c == 0 or any(X[:k]):
        return None
    # x - p_x = c s^k u(s), u(0) = 1; w = s u(s)^(1/k) (so x - p_x = c w^k), inverted to s(w)
    u = [x / c for x in X[k:]] + [Fraction(0)] * k
    w_of_s = [Fraction(0)] + _power(u[:N], Fraction(1, k), N)[:N - 1]
    s_of_w = _revert(w_of_s, N)
    polys = []
    for j, Y in enumerate(ser):
        if j == i:
            continue
        assert Y is not None
        polys.append((j, _compose(Y, s_of_w, N)))
    valid = N - k  # u is known to N - k terms, so w(s), s(w) and y(w) are exact below w^(N - k + 1)
    for j, y in polys:
        for e, coeff in enumerate(y[:valid + 1]):
            if coeff == 0:
                continue
            if e % k:
                z = model.z
                xs = sp.Symbol(z[i].name) - p[i]
                base = xs / sp.Rational(c.numerator, c.denominator)
                term = sp.Rational(coeff.numerator, coeff.denominator) * sp.Pow(base, sp.Rational(e, k),
                                                                                    evaluate=False)
                return (f"near p, M is the graph over {z[i]} of a function whose expansion has the term "
                        f"{term} in {z[j]} "
                        f"(phi passes through p only at {t} = {t0}, as an arc of order {k}); a smooth curve with the "
                        f"tangent {tuple(direction)} would be the graph of a smooth function, so M is not a smooth "
                        f"curve at p (not C^{sp.ceiling(sp.Rational(e, k))} there)")
    return None


def _series_at(e: sp.Expr, t: sp.Symbol, t0: sp.Expr, pk: sp.Expr, N: int) -> list[Fraction] | None:
    """Coefficients of ``e(t0 + s) - pk`` in ``s`` up to ``s^(N-1)``, in QQ (``None`` when not rational)."""
    s = sp.Dummy("s")
    num, den = sp.fraction(sp.cancel(sp.together(sp.sympify(e).xreplace({t: t0 + s}) - pk)))
    try:
        P, Q = sp.Poly(num, s), sp.Poly(den, s)
    except sp.PolynomialError:
        return None
    if P.domain not in (sp.ZZ, sp.QQ) or Q.domain not in (sp.ZZ, sp.QQ):
        return None

    def coeffs(R: sp.Poly) -> list[Fraction]:
        out = [Fraction(0)] * N
        for (d,), cf in R.terms():
            if d < N:
                q = sp.Rational(cf)
                out[d] = Fraction(int(q.p), int(q.q))
        return out
    a, b = coeffs(P), coeffs(Q)
    if b[0] == 0:
        return None
    out: list[Fraction] = []
    for n in range(N):
        out.append((a[n] - sum((b[j] * out[n - j] for j in range(1, n + 1)), Fraction(0))) / b[0])
    return out


def _mul(a: Sequence[Fraction], b: Sequence[Fraction], N: int) -> list[Fraction]:
    out = [Fraction(0)] * N
    for i, x in enumerate(a[:N]):
        if x:
            for j, y in enumerate(b[:N - i]):
                out[i + j] += x * y
    return out


def _power(u: Sequence[Fraction], alpha: Fraction, N: int) -> list[Fraction]:
    """``u^alpha`` for a series with ``u[0] = 1`` (J. C. P. Miller's recurrence), ``N`` terms."""
    u = list(u) + [Fraction(0)] * max(0, N - len(u))
    f = [Fraction(1)] + [Fraction(0)] * (N - 1)
    for n in range(1, N):
        f[n] = sum((((alpha + 1) * j - n) * u[j] * f[n - j] for j in range(1, n + 1)), Fraction(0)) / Fraction(n)
    return f


def _compose(y: Sequence[Fraction], s: Sequence[Fraction], N: int) -> list[Fraction]:
    """``y(s(w))`` for ``s(0) = 0``, ``N`` terms (Horner)."""
    out = [Fraction(0)] * N
    for c in reversed(list(y[:N])):
        out = _mul(out, s, N)
        out[0] += c
    return out


def _revert(w: Sequence[Fraction], N: int) -> list[Fraction]:
    """The inverse series ``s(w)`` of ``w(s) = s + O(s^2)``, ``N`` terms (fixed point ``s = w - (w(s) - s)``)."""
    ident = [Fraction(0), Fraction(1)] + [Fraction(0)] * (N - 2)
    higher = [Fraction(0), Fraction(0)] + list(w[2:N]) + [Fraction(0)] * max(0, N - len(w))
    s = list(ident)
    for m in range(2, N + 1):  # after the step with m terms, s is exact below w^m
        h = _compose(higher[:m], s[:m], m) + [Fraction(0)] * (N - m)
        s = [a - b for a, b in zip(ident, h)]
    return s




def affine_hull_smooth(model: Model, r: int, seed: int = 0) -> str | None:
    """``M`` lies in an affine subspace ``V`` of dimension ``r`` (the generic rank), proved: the affine
    relations ``sum_i c_i phi_i = d`` that hold identically, found at random points and each verified exactly
    in the lifted field.  Then at a preimage of rank ``r``, ``phi`` maps a neighbourhood onto a
    neighbourhood of ``p`` in ``V`` (its differential is onto ``T V``), so ``M`` is ``V`` near ``p``.

    Returns the relations (as equations) when they cut out a subspace of dimension ``r``, else ``None``.

    >>> a, b = sp.symbols("a b", real=True)
    >>> S = 1 + sp.exp(a) + sp.exp(b)
    >>> affine_hull_smooth(Model([1 / S, sp.exp(a) / S, sp.exp(b) / S], [a, b]), 2)
    'z1 + z2 + z3 - 1 = 0'
    """
    m = model.phi.rows
    if model.constants or m - r <= 0:
        return None
    try:
        L, vals = lift(list(model.phi), model.xi)
    except LiftError:
        return None
    rng = random.Random(seed)
    nv = len(L.variables)
    rows: list[list[Fraction]] = []
    tries = 0
    while len(rows) < m + 8 and tries < 10 * (m + 8):
        tries += 1
        point = [rng.randrange(-10**6, 10**6) for _ in range(nv)]
        try:
            rows.append([v.evaluate(point) for v in vals] + [Fraction(-1)])
        except ZeroDivisionError:
            continue
    if len(rows) < m + 1:
        return None
    null = dense.nullspace(rows)  # candidates (c, d): every true relation is among them
    if len(null) != m - r:
        return None  # fewer candidates than needed: the affine hull is larger than r
    eqs = []
    for vec in null:
        rel = sum((x * v for x, v in zip(vec[:m], vals)), L.zero) - L.one * vec[m]
        try:
            if not rel.is_zero():
                return None  # a candidate that is not an identity: no proof of the hull
        except LiftError:
            return None
        lcm = 1
        for x in vec:
            lcm = lcm * x.denominator // math.gcd(lcm, x.denominator)
        eqs.append(sp.Add(*[sp.Integer(int(x * lcm)) * z for x, z in zip(vec[:m], model.z)])
                   - sp.Integer(int(vec[m] * lcm)))
    return ", ".join(f"{e} = 0" for e in eqs)
