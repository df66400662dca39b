r"""Piecewise models: ``Max``, ``Min``, ``Abs``, ``Heaviside``, ``sign``, ``Piecewise``, region by region.

The paper's setting is smooth: ``phi: Xi -> Z`` is a smooth map, ``J = D phi``
exists everywhere, and Theorem 1 (eq. 4) and the invariance of eq. (6) are
statements about ``J``, ``G = J^T g J`` and ``G^+`` (paper, §2).  A ReLU
network ``u_i = sum_j a_j Max(0, w_j x_i + b_j)`` is not smooth, but it is
*piecewise* elementary: every kink (a ``Max`` or ``Min`` of several arguments,
``Abs(u)``, ``Heaviside(u)``, ``sign(u)``, a ``Piecewise`` whose conditions are
relations) selects one of its branches according to the signs of finitely many
expressions ``h`` of the parameters (the *kink arguments*: ``u``, or the
differences of the arguments of a ``Max``).  Fixing the strict sign of each
``h`` that is met gives an open set of parameters, a *region*, on which
``phi`` equals one elementary expression ``phi_R``; for a ReLU network these
are its linear regions.  On the open set ``R`` the maps ``phi`` and ``phi_R``
agree, so they have the same ``J``, ``G``, gradients (eqs. 4, 5) and Riesz
gradient (eq. 1) at every point of ``R``: every claim of symgrad about the
smooth model :attr:`Region.model` of ``phi_R`` is a claim about ``phi`` on
``R``, and it is reported with ``R`` stated.

Where a kink argument vanishes (a *boundary*) ``phi`` is in general not
differentiable and none of this applies: :meth:`Regions.locate` says that a
point lies there, and asking for a gradient there raises
:class:`BoundaryPointError` instead of computing a number.  (Some boundaries are
harmless, ``a Max(0, u)`` at ``a = u = 0`` is differentiable; the package does
not decide smoothness across a boundary, so it refuses all of them.)

How the regions are found
-------------------------
The kinks are split innermost first (a ``Max`` inside a ``Max`` is split once
its arguments are kink-free, so a nested network is split layer by layer),
depth first, under one time budget (:mod:`symgrad._budget`).  A sign pattern
is a conjunction of strict conditions ``h > 0`` or ``h < 0``, each ``h``
written in a canonical form (a primitive integer polynomial with positive
leading coefficient when ``h`` is a polynomial), so that the same argument met
twice, or met as ``-h`` or ``2 h``, is recognised.  Each pattern is tested as
soon as it is formed, and infeasible patterns are pruned before they are split
further:

* conditions *linear* in the parameters are decided exactly by Fourier-Motzkin
  elimination (:mod:`symgrad._fourier_motzkin`): either a rational witness
  point or a Farkas certificate ``sum_k lambda_k s_k h_k = c <= 0`` with
  ``lambda_k >= 0``, which proves the pattern empty ("proved empty");
* otherwise a witness is searched for: variables that make the conditions
  non-linear are fixed at rational values (the enclosing region's witness,
  then random ones), the rest is solved exactly by Fourier-Motzkin.  A pattern
  for which that search finds nothing is kept and reported as "no point found"
  with the search described: it is never called empty without a proof.

Every witness is checked by substituting it into the conditions, exactly for
rational values (and by interval arithmetic, :func:`symgrad.numeric.interval_enclosure`,
when a kink argument is transcendental), and ``phi`` at the witness is checked
to equal ``phi_R`` there.  A non-empty open region is what makes the region's
rank meaningful: the generic rank of ``J_R`` is reached on a dense open subset
of parameter space, which meets every non-empty open set, so it is the largest
rank of ``J`` on ``R``.

Using it
--------
``R = regions(phi, params)`` returns a :class:`Regions`, a sequence of
:class:`Region`; ``print(R)`` gives one line per region.  A region carries
its ``conditions`` (also as SymPy relations, ``relationals`` and
``condition``), ``phi`` (``phi_R``), ``witness``, ``model`` (a
:class:`symgrad.Model`), and the claims ``rank``, ``check_theorem1``,
``natural_gradient``, ``check_invariance(f)`` and ``gradient_at(point, loss)``,
each delegated to symgrad on ``model`` and returned with the region stated
(:class:`OnRegion`).  ``R.locate(point)`` says where an exact point lies
(:class:`Location`); ``R.empty`` lists the patterns proved empty with their
certificates, ``R.complete`` and ``R.reached`` what the budget allowed.

What this module does not do: the singular points of ``M = phi(Xi)`` (§3,
Fig. 2) involve every preimage of a model point, in all regions at once, while
the region's model :attr:`Region.model` extends ``phi_R`` to all of ``Xi``;
the guard of :meth:`Region.gradient_at` is that of the smooth model ``phi_R``,
and a point of ``M`` reached from two regions is not examined.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any, Iterator, Mapping, Sequence

import sympy as sp
from sympy.core.relational import Relational

from ._budget import DEFAULT_BUDGET, Budget, OutOfTime, as_budget
from ._fourier_motzkin import Feasible, Inequality, TooLarge, solve_strict
from ._inputs import as_column, as_symbols, check_finite_exprs, check_real_values, point as read_point
from .exceptions import ArgumentError, DomainError, SymbolError, SymgradError
from .gradient import ANY_LOSS, GradientAt, NaturalGradient, check_theorem1, natural_gradient
from .metric import Metric
from .model import Model
from .numeric import interval_enclosure
from .parametrisation import Reparametrisation
from .proof import Certificate, Verdict
from .reparam import InvarianceProof, check_invariance

__all__ = ["regions", "Regions", "Region", "SignCondition", "EmptyPattern", "Location", "OnRegion",
           "BoundaryPointError", "PiecewiseError", "KINKS"]

#: The functions split into regions.
KINKS: tuple[type, ...] = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)
_UNSUPPORTED: tuple[type, ...] = (sp.DiracDelta, sp.floor, sp.ceiling, sp.frac, sp.Mod, sp.re, sp.im, sp.arg)


class BoundaryPointError(DomainError):
    """A gradient (or another smooth quantity) asked at a point where a kink argument vanishes.

    There ``phi`` is in general not differentiable, so ``J``, eq. (4) and
    eq. (5) are not defined and the paper's smooth setting (§2) does not apply.
    """


class PiecewiseError(SymgradError, ValueError):
    """A piecewise construct that cannot be split into regions (a ``Piecewise`` condition that is not
    made of relations, ``floor``, ``DiracDelta``, ...), or a point whose side of a boundary cannot be decided."""


# ---------------------------------------------------------------------------
# Sign conditions
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SignCondition:
    """The strict condition ``h > 0`` (``sign = 1``) or ``h < 0`` (``sign = -1``) on the parameters."""

    h: sp.Expr
    sign: int

    @property
    def relational(self) -> Relational:
        """The condition as a SymPy relation (``h > 0`` or ``h < 0``)."""
        return sp.StrictGreaterThan(self.h, 0) if self.sign > 0 else sp.StrictLessThan(self.h, 0)

    def __str__(self) -> str:
        return f"{self.h} {'>' if self.sign > 0 else '<'} 0"


@lru_cache(maxsize=8192)
def _canonical(d: sp.Expr, variables: tuple[sp.Symbol, ...]) -> tuple[sp.Expr, int] | int:
    """``(h, s)`` with ``d = s k h`` for a positive constant ``k`` and ``h`` canonical; or the sign of ``d``
    (``1, -1, 0``) when ``d`` is a number."""
    d = sp.sympify(d)
    if not (d.free_symbols & set(variables)):
        s = _number_sign(d)
        return s
    try:
        p = sp.Poly(d, *variables)
    except sp.PolynomialError:
        p = None
    if p is not None and (p.domain.is_ZZ or p.domain.is_QQ):
        if p.is_zero:
            return 0
        s = 1 if p.LC() > 0 else -1
        _, q = (p * s).clear_denoms(convert=True)
        _, q = q.primitive()
        h = q.as_expr()
        if any(v.is_positive for v in h.free_symbols):
            # drop factors that are positive by the symbols' assumptions (c*w with c > 0 has the sign of w)
            coeff, factors = sp.factor_list(h)
            kept = [(fac, e) for fac, e in factors if fac.is_positive is not True]
            if len(kept) < len(factors):
                t = s * (1 if coeff > 0 else -1)
                if not kept:
                    return t
                r = _canonical(sp.Mul(*[fac**e for fac, e in kept]), variables)
                return r * t if isinstance(r, int) else (r[0], r[1] * t)
        return h, s
    c, rest = d.as_coeff_Mul()
    if c.is_Rational and c != 1:
        return _canonical_sign(rest, 1 if c > 0 else -1)
    return _canonical_sign(d, 1)


def _canonical_sign(h: sp.Expr, s: int) -> tuple[sp.Expr, int]:
    if h.could_extract_minus_sign():
        return -h, -s
    return h, s


_DPS = (30, 80, 240)


def _number_sign(v: sp.Expr) -> int:
    """The sign of a real constant, exactly for rationals and by interval arithmetic otherwise."""
    v = sp.sympify(v)
    if v.is_Rational:
        return int(sp.sign(v))
    if v.is_zero:
        return 0
    for dps in _DPS:
        try:
            enc = interval_enclosure(v, {}, dps)
        except (TypeError, ValueError, ZeroDivisionError):
            break
        if enc.a > 0:
            return 1
        if enc.b < 0:
            return -1
    raise PiecewiseError(f"cannot decide the sign of {v}: interval arithmetic at {_DPS[-1]} digits does not separate "
                         "it from 0 (it may be exactly 0). Use a rational point, or one whose kink arguments are "
                         "clearly away from 0")


def _sign_at(h: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> int:
    return _number_sign(h.xreplace(dict(point)))


# ---------------------------------------------------------------------------
# Kinks and their branches
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Branch:
    conditions: tuple[SignCondition, ...]
    value: sp.Expr | None        # None: no branch of a Piecewise applies (outside phi's domain)


def _decision_exprs(k: sp.Expr) -> list[sp.Expr]:
    """The expressions whose signs decide which branch of the kink ``k`` applies."""
    if isinstance(k, (sp.Max, sp.Min)):
        return list(k.args)
    if isinstance(k, sp.Piecewise):
        rels = set().union(*[c.atoms(Relational) for _, c in k.args])
        return [r.lhs - r.rhs for r in sorted(rels, key=sp.default_sort_key)]
    return [k.args[0]]


def _is_kink(e: sp.Basic) -> bool:
    return isinstance(e, KINKS)


def _splittable(k: sp.Expr) -> bool:
    return not any(d.has(*KINKS) for d in _decision_exprs(k))


def _next_kink(exprs: Sequence[sp.Expr]) -> sp.Expr | None:
    return _next_kink_cached(tuple(exprs))


@lru_cache(maxsize=4096)
def _next_kink_cached(exprs: tuple[sp.Expr, ...]) -> sp.Expr | None:
    """The kink to split next: one whose decision expressions are kink-free, and not inside another such
    kink (a ``Piecewise`` piece is split only when that piece applies); the order depends on the
    expressions alone, so :meth:`Regions.locate` walks the same tree."""
    atoms: set[sp.Expr] = set()
    for e in exprs:
        atoms |= e.atoms(*KINKS)
    ready = [k for k in atoms if _splittable(k)]
    outer = [k for k in ready if not any(o is not k and o != k and o.has(k) for o in ready)]
    return min(outer or ready, key=sp.default_sort_key) if ready else None


def _condition(d: sp.Expr, s: int, variables: tuple[sp.Symbol, ...]) -> SignCondition | bool:
    """``s d > 0`` as a canonical condition, or its truth value when ``d`` is a number."""
    c = _canonical(d, variables)
    if isinstance(c, int):
        return c * s > 0
    h, t = c
    return SignCondition(h, s * t)


def _conj(parts: Sequence[SignCondition | bool]) -> tuple[SignCondition, ...] | None:
    """The conditions of a branch, or ``None`` when one of them is false (or two contradict)."""
    out: dict[sp.Expr, int] = {}
    for p in parts:
        if p is True:
            continue
        if p is False:
            return None
        assert isinstance(p, SignCondition)
        if out.get(p.h, p.sign) != p.sign:
            return None
        out[p.h] = p.sign
    return tuple(SignCondition(h, s) for h, s in out.items())


@lru_cache(maxsize=4096)
def _branches(k: sp.Expr, variables: tuple[sp.Symbol, ...]) -> tuple[_Branch, ...]:
    """Every branch of the kink ``k``: the strict conditions under which it applies, and its value."""
    out: list[_Branch] = []

    def add(parts: Sequence[SignCondition | bool], value: sp.Expr | None) -> None:
        c = _conj(parts)
        if c is not None:
            out.append(_Branch(c, value))

    if isinstance(k, (sp.Max, sp.Min)):
        s = 1 if isinstance(k, sp.Max) else -1
        for i, a in enumerate(k.args):
            add([_condition(a - b, s, variables) for j, b in enumerate(k.args) if j != i], a)
    elif isinstance(k, sp.Abs):
        u = k.args[0]
        add([_condition(u, 1, variables)], u)
        add([_condition(u, -1, variables)], -u)
    elif isinstance(k, sp.sign):
        u = k.args[0]
        add([_condition(u, 1, variables)], sp.S.One)
        add([_condition(u, -1, variables)], sp.S.NegativeOne)
    elif isinstance(k, sp.Heaviside):
        u = k.args[0]
        add([_condition(u, 1, variables)], sp.S.One)
        add([_condition(u, -1, variables)], sp.S.Zero)
    elif isinstance(k, sp.Piecewise):
        for conds, value in _piecewise_tree(k, variables, ()):
            add(conds, value)
    else:  # pragma: no cover - _next_kink returns only KINKS
        raise PiecewiseError(f"no rule to split {k}")
    return tuple(out)


def _truth(rel: Relational, assigned: Mapping[sp.Expr, int], variables: tuple[sp.Symbol, ...]) -> bool | None:
    """The value of ``rel`` on the open cells where the canonical form of ``lhs - rhs`` has the assigned sign."""
    c = _canonical(rel.lhs - rel.rhs, variables)
    if isinstance(c, int):
        sgn = c
    else:
        h, t = c
        if h not in assigned:
            return None
        sgn = t * assigned[h]
    if isinstance(rel, sp.Eq):
        return sgn == 0
    if isinstance(rel, sp.Ne):
        return sgn != 0
    if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)):
        return sgn > 0
    return sgn < 0


def _piecewise_tree(k: sp.Piecewise, variables: tuple[sp.Symbol, ...], assigned: tuple[SignCondition, ...]
                    ) -> list[tuple[tuple[SignCondition, ...], sp.Expr | None]]:
    """The branches of a ``Piecewise``, splitting on one relation at a time and only as far as needed."""
    signs = {c.h: c.sign for c in assigned}
    for value, cond in k.args:
        rels = cond.atoms(Relational)
        sub = {r: _truth(r, signs, variables) for r in rels}
        cv = cond.xreplace({r: sp.true if t else sp.false for r, t in sub.items() if t is not None})
        if cv == sp.true:
            return [(assigned, value)]
        if cv == sp.false:
            continue
        r = min((r for r, t in sub.items() if t is None), key=sp.default_sort_key)
        c = _canonical(r.lhs - r.rhs, variables)
        assert not isinstance(c, int)
        h = c[0]
        return (_piecewise_tree(k, variables, assigned + (SignCondition(h, 1),))
                + _piecewise_tree(k, variables, assigned + (SignCondition(h, -1),)))
    return [(assigned, None)]


def _validate(phi: sp.ImmutableMatrix, xi: tuple[sp.Symbol, ...], consts: tuple[sp.Symbol, ...]) -> None:
    """Refuse what cannot be split: unsupported functions, non-relational conditions, kinks in symbols that
    are not parameters."""
    for e in phi:
        bad = sorted(map(str, e.atoms(*_UNSUPPORTED)))
        if bad:
            raise PiecewiseError(f"phi uses {bad}, which symgrad.piecewise does not split into regions; it splits "
                                 "Max, Min, Abs, Heaviside, sign and Piecewise with relational conditions")
        for k in sorted(e.atoms(*KINKS), key=sp.default_sort_key):
            if isinstance(k, sp.Piecewise):
                for _, cond in k.args:
                    rels = cond.atoms(Relational)
                    probe = cond.xreplace({r: sp.true for r in rels})
                    if not isinstance(probe, sp.logic.boolalg.BooleanAtom):
                        raise PiecewiseError(
                            f"the Piecewise {k} has the condition {cond}, which is not built from relations "
                            "(<, <=, >, >=, ==, !=) joined by And/Or/Not; write each condition as a relation "
                            "between expressions of the parameters, e.g. w > 0")
            decisions = _decision_exprs(k)
            syms = set().union(*[d.free_symbols for d in decisions]) - set(xi)
            if syms & set(consts):
                raise SymbolError(
                    f"the kink {k} depends on the constants {sorted(map(str, syms & set(consts)))}: regions are sets "
                    "of parameters, so a kink argument may use only the parameters and numbers; substitute the "
                    "constants' values, or make them parameters")
            if syms:
                raise SymbolError(
                    f"the kink {k} depends on {sorted(map(str, syms))}, which are not parameters {list(xi)}; data "
                    "points must be numbers (substitute them, e.g. x = 1, 2), and every other symbol of a kink "
                    "argument must be a parameter (params=[...])")
            for d in decisions:
                if d.has(sp.I):
                    raise PiecewiseError(f"the kink {k} has a complex argument {d}; kinks need real arguments")


# ---------------------------------------------------------------------------
# Witness search and proofs of emptiness
# ---------------------------------------------------------------------------

def _assumption_conditions(variables: Sequence[sp.Symbol]) -> list[SignCondition]:
    out = []
    for s in variables:
        if s.is_positive or s.is_nonnegative:
            out.append(SignCondition(s, 1))
        elif s.is_negative or s.is_nonpositive:
            out.append(SignCondition(s, -1))
    return out


def _holds(conds: Sequence[SignCondition], point: Mapping[sp.Symbol, sp.Expr]) -> bool:
    try:
        return all(_sign_at(c.h, point) == c.sign for c in conds)
    except PiecewiseError:
        return False


def _affine(c: SignCondition, index: Mapping[sp.Symbol, int]) -> Inequality | None:
    """``c`` as ``a . x + const > 0`` over the symbols of ``index``, or ``None`` if it is not affine there."""
    try:
        p = sp.Poly(c.sign * c.h, *index)
    except sp.PolynomialError:
        return None
    if not (p.domain.is_ZZ or p.domain.is_QQ) or p.total_degree() > 1:
        return None
    coeffs: dict[int, Fraction] = {}
    const = Fraction(0)
    for monom, coef in p.terms():
        q = Fraction(int(coef.p), int(coef.q))
        if sum(monom) == 0:
            const += q
        else:
            coeffs[monom.index(1)] = q
    return Inequality(tuple(sorted(coeffs.items())), const)


@dataclass(frozen=True)
class _Search:
    status: str                               # "witness", "empty", "unknown"
    point: dict[sp.Symbol, sp.Expr] | None = None
    how: str = ""
    lambdas: tuple[Fraction, ...] = ()


_POOL = [sp.Rational(p, q) for q in (1, 2, 3, 4) for p in range(-6, 7) if p != 0 and sp.gcd(p, q) == 1]


def _search(conds: Sequence[SignCondition], variables: tuple[sp.Symbol, ...], start: Mapping | None,
            rng: random.Random, trials: int = 24, prefer: Mapping[sp.Symbol, int] | None = None) -> _Search:
    """A rational point where every condition holds, a Farkas proof that none exists, or the search described.

    Free variables take the value ``prefer[s]`` where allowed (default ``1, 2, 3, 1, ...`` in order)."""
    full = list(conds) + _assumption_conditions(variables)
    if start is not None and _holds(full, start):
        return _Search("witness", dict(start), "the enclosing pattern's witness")
    index = {s: i for i, s in enumerate(variables)}
    prefer = prefer or {}
    preferred = [Fraction(prefer.get(s, 1 + i % 3)) for i, s in enumerate(variables)]
    rows = [_affine(c, index) for c in full]
    if all(r is not None for r in rows):
        try:
            res = solve_strict([r for r in rows if r is not None], len(variables), preferred=preferred)
        except TooLarge as exc:
            return _Search("unknown", how=f"no point found: Fourier-Motzkin stopped ({exc}); not proved empty")
        if isinstance(res, Feasible):
            pt = {s: sp.Rational(v.numerator, v.denominator) for s, v in zip(variables, res.point)}
            return _Search("witness", pt, "Fourier-Motzkin elimination, exact rational arithmetic")
        lam = res.lambdas
        return _Search("empty", how=_farkas_text(full, lam), lambdas=lam)
    # non-linear: fix the variables that make the conditions non-linear, solve the rest exactly
    fixed = _linearising_set(full, variables)
    free = tuple(s for s in variables if s not in fixed)
    findex = {s: i for i, s in enumerate(free)}
    tried = 0
    for t in range(trials):
        if t == 0:
            vals = {s: start[s] if start is not None else sp.Integer(1) for s in fixed}
        else:
            vals = {s: _signed(s, rng.choice(_POOL)) for s in fixed}
        tried += 1
        try:
            check_real_values(vals)
        except DomainError:
            continue
        slice_rows = []
        ok = True
        for c in full:
            hc = c.h.xreplace(vals)
            if not (hc.free_symbols & set(free)):
                try:
                    if _number_sign(hc) != c.sign:
                        ok = False
                        break
                except PiecewiseError:
                    ok = False
                    break
                continue
            r = _affine(SignCondition(hc, c.sign), findex)
            if r is None:
                ok = False
                break
            slice_rows.append(r)
        if not ok:
            continue
        try:
            res = solve_strict(slice_rows, len(free), preferred=[Fraction(1 + i % 3) for i in range(len(free))])
        except TooLarge:
            continue
        if isinstance(res, Feasible):
            pt = dict(vals)
            pt.update({s: sp.Rational(v.numerator, v.denominator) for s, v in zip(free, res.point)})
            pt = {s: pt[s] for s in variables}
            if _holds(full, pt):
                return _Search("witness", pt, f"{sorted(map(str, fixed))} fixed at rationals, the rest solved "
                                              "exactly by Fourier-Motzkin")
    return _Search("unknown", how=(
        f"no point found: {tried} slices with {sorted(map(str, fixed))} fixed at rationals (the enclosing pattern's "
        "witness, then values p/q with |p| <= 6, q <= 4, chosen at random) and the remaining conditions solved "
        "exactly by Fourier-Motzkin; the pattern is not proved empty"))


def _signed(s: sp.Symbol, v: sp.Rational) -> sp.Expr:
    """``v`` with the sign the symbol's assumptions ask for."""
    if s.is_positive or s.is_nonnegative:
        return abs(v)
    if s.is_negative or s.is_nonpositive:
        return -abs(v)
    return v


def _linearising_set(conds: Sequence[SignCondition], variables: tuple[sp.Symbol, ...]) -> set[sp.Symbol]:
    """Variables whose values, once fixed, leave every condition affine in the others (greedy)."""
    fixed: set[sp.Symbol] = set()
    while True:
        count: dict[sp.Symbol, int] = {}
        for c in conds:
            free = [s for s in variables if s not in fixed]
            if not free:
                break
            try:
                p = sp.Poly(c.h.xreplace({s: sp.Integer(2) for s in fixed}), *free)
            except sp.PolynomialError:
                for s in c.h.free_symbols & set(free):
                    count[s] = count.get(s, 0) + 100
                continue
            if not (p.domain.is_ZZ or p.domain.is_QQ):
                for s in c.h.free_symbols & set(free):
                    count[s] = count.get(s, 0) + 100
                continue
            for monom in p.monoms():
                if sum(monom) > 1:
                    for s, e in zip(free, monom):
                        if e:
                            count[s] = count.get(s, 0) + 1
        if not count:
            return fixed
        fixed.add(max(sorted(count, key=lambda s: s.name), key=lambda s: count[s]))


def _farkas_text(conds: Sequence[SignCondition], lam: Sequence[Fraction]) -> str:
    terms, total = [], sp.S.Zero
    for c, l in zip(conds, lam):
        if l:
            q = sp.Rational(l.numerator, l.denominator)
            terms.append(("" if q == 1 else f"{q}*") + f"({c.sign * c.h})")
            total += q * c.sign * c.h
    return (f"proved empty (Fourier-Motzkin, Farkas certificate): {' + '.join(terms)} = {sp.expand(total)} <= 0, "
            "although every term is positive on the pattern")


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

def _fmt_point(pt: Mapping[sp.Symbol, sp.Expr] | None) -> str:
    if pt is None:
        return "none"
    return "{" + ", ".join(f"{k}: {v}" for k, v in pt.items()) + "}"


def _fmt_conds(conds: Sequence[SignCondition]) -> str:
    return "{" + ", ".join(map(str, conds)) + "}" if conds else "{all parameters}"


@dataclass(frozen=True)
class EmptyPattern:
    """A sign pattern proved to contain no parameter point, with its proof (a Farkas certificate).

    ``system`` is ``conditions`` followed by the parameters' sign assumptions
    (``p > 0`` for a positive symbol); ``lambdas`` pairs with it, and
    ``sum lambda_k s_k h_k`` over ``system`` is a constant ``<= 0``, although
    every term would be positive at a point of the pattern.
    """

    conditions: tuple[SignCondition, ...]
    proof: str
    lambdas: tuple[Fraction, ...]
    system: tuple[SignCondition, ...] = ()

    def __str__(self) -> str:
        return f"{_fmt_conds(self.conditions)}: {self.proof}"


@dataclass(frozen=True)
class OnRegion:
    """A result of symgrad about the smooth model of one region, with the region stated.

    ``result`` is what the delegated symgrad function returned (an
    :class:`~symgrad.reparam.InvarianceProof`, a :class:`~symgrad.gradient.NaturalGradient`,
    a :class:`~symgrad.proof.Certificate`, or an int for the rank).  For a
    reparametrisation ``f``, ``preimage`` is ``f^{-1}(R)`` as sign conditions in
    ``eta`` and ``preimage_witness`` a point of it (or ``None`` with the search in ``notes``).
    """

    region: Region
    what: str
    result: Any
    preimage: tuple[SignCondition, ...] | None = None
    preimage_witness: dict | None = None
    notes: tuple[str, ...] = ()

    @property
    def certificate(self) -> Certificate | None:
        r = self.result
        if isinstance(r, Certificate):
            return r
        if isinstance(r, InvarianceProof):
            return r.certificate
        if isinstance(r, NaturalGradient):
            return r.theorem1
        return None

    @property
    def verdict(self) -> Verdict | None:
        c = self.certificate
        return None if c is None else c.verdict

    def __str__(self) -> str:
        head = f"on {self.region.label} = {_fmt_conds(self.region.conditions)}"
        if self.preimage is not None:
            where = ("no point found" if self.preimage_witness is None
                     else f"a point: {_fmt_point(self.preimage_witness)}")
            head += f", for eta in f^-1({self.region.label}) = {_fmt_conds(self.preimage)} ({where})"
        c = self.certificate
        body = c.summary() if c is not None else f"{self.what} = {self.result}"
        lines = [f"{head}: {body}"]
        r = self.result
        if isinstance(r, NaturalGradient):
            lines += [f"  parameter space (eq. 5): {None if r.parameter is None else list(r.parameter)}",
                      f"  on the model (eq. 4):    {None if r.manifold is None else list(r.manifold)}"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(eq=False)
class Region:
    r"""One region: an open set of parameters on which ``phi`` is the elementary expression :attr:`phi`.

    Attributes
    ==========
    label : ``R1``, ``R2``, ... in the order found
    conditions : the strict sign conditions whose conjunction defines the region
    phi : ``phi_R``, the expression of ``phi`` on the region
    witness : a rational point of the region (every condition checked by substitution), or ``None``
    search : how the witness was found, or the search that found none ("no point found ...")
    """

    label: str
    conditions: tuple[SignCondition, ...]
    phi: sp.ImmutableMatrix
    witness: dict[sp.Symbol, sp.Expr] | None
    search: str
    owner: Regions = field(repr=False)

    @property
    def relationals(self) -> tuple[Relational, ...]:
        """The conditions as SymPy relations (their conjunction is the region)."""
        return tuple(c.relational for c in self.conditions)

    @property
    def condition(self) -> sp.Basic:
        """The region as one SymPy boolean: the conjunction of :attr:`relationals`."""
        return sp.And(*self.relationals)

    @property
    def has_witness(self) -> bool:
        return self.witness is not None

    @property
    def witness_check(self) -> str:
        """How the witness was checked: exactly (every condition a rational number there) or, for a
        transcendental kink argument, by certified interval enclosures."""
        if self.witness is None:
            return "no witness"
        vals = [c.h.xreplace(self.witness) for c in self.conditions]
        if all(v.is_Rational for v in vals):
            return "every condition substituted in exact rational arithmetic"
        return "every condition substituted; the signs of irrational values certified by interval arithmetic"

    @cached_property
    def model(self) -> Model:
        """The smooth :class:`~symgrad.model.Model` of ``phi_R`` (same coordinates, metric, constants)."""
        o = self.owner
        return Model(self.phi, o.xi, coords=o.coords, metric=o.metric, constants=o.constants,
                     name=f"{o.name} on {self.label}", budget=o.budget,
                     domain=[c.h if c.sign > 0 else -c.h for c in self.conditions])

    def contains(self, point: Mapping[Any, Any]) -> bool:
        """Whether the exact point satisfies every condition strictly (a boundary point is in no region)."""
        pt = self.owner._read(point)
        return all(_sign_at(c.h, pt) == c.sign for c in self.conditions)

    def _need_witness(self, what: str) -> None:
        if self.witness is None:
            raise PiecewiseError(
                f"{what} on {self.label} = {_fmt_conds(self.conditions)} is not stated: no point of the region is "
                f"known ({self.search}), so it may be empty")

    @property
    def rank(self) -> int:
        """The rank of ``J`` on the region: the generic rank of ``J_R``, reached on the non-empty open region."""
        self._need_witness("the rank")
        return self.model.rank

    @cached_property
    def irredundant_conditions(self) -> tuple[SignCondition, ...]:
        """A subset of :attr:`conditions` defining the same region, each one needed.

        A condition is dropped when the others (with the parameters' sign
        assumptions) and its reverse have no common point, proved by
        Fourier-Motzkin; that is exact for conditions affine in the
        parameters, since an open set on which an affine ``h`` is never
        negative lies in ``h > 0``.  Non-affine conditions are all kept.
        """
        xi = self.owner.xi
        index = {s: i for i, s in enumerate(xi)}
        context = _assumption_conditions(xi)
        kept = list(self.conditions)
        for cond in list(kept):
            others = [c for c in kept if c is not cond]
            rows = [_affine(c, index) for c in others + context + [SignCondition(cond.h, -cond.sign)]]
            if any(r is None for r in rows):
                continue
            try:
                res = solve_strict([r for r in rows if r is not None], len(xi))
            except TooLarge:
                continue
            if not isinstance(res, Feasible):
                kept = others
        return tuple(kept)

    def rank_claim(self) -> OnRegion:
        """:attr:`rank` with the region and the argument stated."""
        r = self.rank
        return OnRegion(self, "rank J", r, notes=(
            f"the generic rank of J for phi_R (exact); it is reached on a dense open set, which meets the "
            f"non-empty open region (witness {_fmt_point(self.witness)})",))

    def natural_gradient(self, loss: Any, **kw: Any) -> OnRegion:
        """eqs. (4), (5), (1) and Theorem 1 for ``loss`` on the region (:func:`symgrad.natural_gradient`)."""
        return OnRegion(self, "natural gradient", natural_gradient(self.model, loss, **kw))

    def check_theorem1(self, loss: Any = ANY_LOSS, **kw: Any) -> OnRegion:
        """Theorem 1 (eq. 4 equals the Riesz gradient of eq. 1) on the region (:func:`symgrad.check_theorem1`)."""
        return OnRegion(self, "Theorem 1", check_theorem1(self.model, loss, **kw))

    def check_invariance(self, f: Reparametrisation, loss: Any = ANY_LOSS, *,
                         budget: Budget | float | None = DEFAULT_BUDGET, seed: int | None = 0) -> OnRegion:
        r"""``J(f(eta)) Delta grad = 0`` (eq. 6) on the region, by :func:`symgrad.check_invariance`.

        The claim is proved for the smooth models ``phi_R`` and ``phi_R o f``;
        on the open set ``f^{-1}(R)`` these are ``phi`` and ``phi o f``, so it is a
        claim about ``phi`` for ``eta`` there.  The result states ``f^{-1}(R)``
        (the conditions with ``xi = f(eta)`` substituted) and a point of it.
        """
        proof = check_invariance(self.model, f, loss, budget=budget, seed=seed)
        sub = dict(zip(self.owner.xi, f.f))
        variables = tuple(f.eta) + tuple(c for c in f.constants if c not in f.eta)
        parts = [_condition(c.h.xreplace(sub), c.sign, variables) for c in self.conditions]
        pre = _conj(parts)
        notes = []
        wit = None
        if pre is None:
            notes.append(f"f^-1({self.label}) is empty (a condition becomes false or two contradict): the claim "
                         "is vacuous there")
        else:
            # a constant of f (a scale c, say) is preferred at 2: at c = 1 many f are the identity
            s = _search(pre, variables, None, random.Random(seed), prefer={k: 2 for k in f.constants})
            if s.status == "witness":
                wit = s.point
            else:
                notes.append(f"f^-1({self.label}): {s.how}")
        if proof.delta is not None and proof.delta_is_zero is False:
            if wit is not None and (d := proof.delta.xreplace(wit)) and all(x.is_Rational for x in d) \
                    and any(x != 0 for x in d):
                notes.append(f"Delta grad != 0 at the point {_fmt_point(wit)} of f^-1({self.label}): Delta grad = "
                             f"{list(d)} there (exact), so eq. (5) depends on the parametrisation on this region")
            else:
                notes.append(f"Delta grad is a non-zero rational function, so it is non-zero on a dense open set, "
                             f"which meets the open set f^-1({self.label}) (a witness point of the smooth model "
                             "phi_R need not lie in it)")
        return OnRegion(self, "J Delta grad = 0", proof, preimage=pre, preimage_witness=wit, notes=tuple(notes))

    def gradient_at(self, point: Mapping[Any, Any], loss: Any, *,
                    budget: Budget | float | None = DEFAULT_BUDGET) -> GradientAt:
        """eqs. (5) and (4) at an exact point of the region (:meth:`symgrad.NaturalGradient.at` on ``phi_R``).

        Raises :class:`BoundaryPointError` on a boundary and
        :class:`~symgrad.exceptions.DomainError` at a point of another region.
        """
        loc = self.owner.locate(point)
        loc.require_smooth("the gradient")
        if loc.region is not self:
            where = loc.region.label if loc.region is not None else "a part the enumeration did not reach"
            raise DomainError(f"the point {_fmt_point(loc.point)} lies in {where}, not in {self.label} = "
                              f"{_fmt_conds(self.conditions)}; ask that region, or Regions.gradient_at")
        return natural_gradient(self.model, loss, budget=budget).at(point, budget=budget)

    def summary(self) -> str:
        """One line: label, conditions, ``phi_R`` and the witness (or the failed search)."""
        w = f"witness {_fmt_point(self.witness)}" if self.witness is not None else self.search
        return f"{self.label}: {_fmt_conds(self.conditions)}; phi = {list(self.phi)}; {w}"

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"Region({self.summary()})"


@dataclass(frozen=True)
class Location:
    """Where an exact parameter point lies: in a region, or on the boundaries listed.

    Attributes
    ==========
    point : the point read exactly
    region : the :class:`Region` containing it, or ``None``
    conditions : the sign conditions met on the way (all strict when the point is in a region)
    phi : the elementary expression of ``phi`` around the point (``None`` on a boundary)
    boundaries : ``(kink, h)`` for every kink argument ``h`` that vanishes at the point where its kink is decided
    """

    point: dict[sp.Symbol, sp.Expr]
    region: Region | None
    conditions: tuple[SignCondition, ...]
    phi: sp.ImmutableMatrix | None
    boundaries: tuple[tuple[sp.Expr, sp.Expr], ...] = ()

    @property
    def on_boundary(self) -> bool:
        return bool(self.boundaries)

    def require_smooth(self, what: str) -> None:
        """Raise :class:`BoundaryPointError` if the point is on a boundary."""
        if self.boundaries:
            raise BoundaryPointError(f"{what} is not defined at {_fmt_point(self.point)}: {self.finding()}. "
                                     "Choose a point inside a region (Regions.locate says which)")

    def finding(self) -> str:
        if self.boundaries:
            bs = "; ".join(f"{h} = 0 (the argument of {k})" for k, h in self.boundaries)
            return (f"the point lies on the boundary {bs}: phi is in general not differentiable there, and the "
                    "paper's smooth setting (a smooth phi, §2; Theorem 1, eqs. 4-6) does not apply here")
        if self.region is None:
            return (f"the point satisfies {_fmt_conds(self.conditions)}, where phi = {list(self.phi or [])}; the "
                    "enumeration did not reach this region (budget)")
        return f"the point lies in {self.region.label} = {_fmt_conds(self.region.conditions)}, where phi = " \
               f"{list(self.region.phi)}"

    def __str__(self) -> str:
        return f"{_fmt_point(self.point)}: {self.finding()}"


class Regions(Sequence[Region]):
    """The regions of a piecewise parametrisation, found by :func:`regions`.

    A sequence of :class:`Region`.  Also: ``empty`` (sign patterns proved
    empty, with their Farkas certificates), ``outside`` (patterns where no
    ``Piecewise`` branch applies, so ``phi`` is undefined), ``complete``
    (whether every pattern was decided or kept) and ``reached`` (what the
    budget allowed when it ran out), ``boundaries`` (every kink argument met).
    """

    def __init__(self, phi: sp.ImmutableMatrix, xi: tuple[sp.Symbol, ...], coords: Sequence[sp.Symbol] | None,
                 metric: Any, constants: tuple[sp.Symbol, ...], name: str, budget: float | None):
        self.phi, self.xi, self.coords, self.metric, self.constants = phi, xi, coords, metric, constants
        self.name, self.budget = name, budget
        self._regions: list[Region] = []
        self.empty: list[EmptyPattern] = []
        self.outside: list[tuple[SignCondition, ...]] = []
        self.unexplored: list[tuple[SignCondition, ...]] = []
        self.complete = True
        self.reached = ""
        self.boundaries: list[sp.Expr] = []
        self.patterns = 0
        self.seconds = 0.0

    # -- sequence ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._regions)

    def __getitem__(self, i: Any) -> Any:
        return self._regions[i]

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions)

    @property
    def with_witness(self) -> list[Region]:
        return [r for r in self._regions if r.witness is not None]

    @property
    def no_point_found(self) -> list[Region]:
        return [r for r in self._regions if r.witness is None]

    # -- points -----------------------------------------------------------------------------
    def _read(self, point: Mapping[Any, Any]) -> dict[sp.Symbol, sp.Expr]:
        return read_point(point, self.xi, what=f"parameter point of {self.name}", constants=self.constants)

    def locate(self, point: Mapping[Any, Any]) -> Location:
        """Which region an exact point lies in, or which boundaries it lies on (decided exactly).

        The kinks are resolved at the point in the order of the enumeration;
        at each, the branch whose conditions hold strictly is followed.  When
        none does, the kink arguments that vanish are the boundaries reported.
        """
        pt = self._read(point)
        variables = self.xi
        exprs = list(self.phi)
        met: list[SignCondition] = []
        while True:
            k = _next_kink(exprs)
            if k is None:
                break
            strict, weak, zeros = None, [], []
            for br in _branches(k, variables):
                signs = [_sign_at(c.h, pt) for c in br.conditions]
                if all(s == c.sign for s, c in zip(signs, br.conditions)):
                    strict = br
                    break
                if all(s in (0, c.sign) for s, c in zip(signs, br.conditions)):
                    weak.append(br)
                    zeros += [c.h for s, c in zip(signs, br.conditions) if s == 0]
            if strict is None:
                uniq = list(dict.fromkeys(zeros))
                return Location(pt, None, tuple(met), None, tuple((k, h) for h in uniq))
            if strict.value is None:
                raise DomainError(f"phi is not defined at {_fmt_point(pt)}: no branch of {k} applies there")
            met += [c for c in strict.conditions if c not in met]
            exprs = [e.xreplace({k: strict.value}) for e in exprs]
        key = frozenset(met)
        region = next((r for r in self._regions if frozenset(r.conditions) == key), None)
        return Location(pt, region, tuple(met), sp.ImmutableMatrix(exprs), ())

    def region_of(self, point: Mapping[Any, Any]) -> Region:
        """The region containing the point; :class:`BoundaryPointError` on a boundary."""
        loc = self.locate(point)
        loc.require_smooth("the region")
        if loc.region is None:
            raise PiecewiseError(f"{loc}; rerun regions() with a larger budget")
        return loc.region

    def gradient_at(self, point: Mapping[Any, Any], loss: Any, *,
                    budget: Budget | float | None = DEFAULT_BUDGET) -> GradientAt:
        """eqs. (5) and (4) at an exact point, in its region; :class:`BoundaryPointError` on a boundary."""
        return self.region_of(point).gradient_at(point, loss, budget=budget)

    # -- claims on every region ----------------------------------------------------------
    def check_invariance(self, f: Reparametrisation, loss: Any = ANY_LOSS, **kw: Any) -> list[OnRegion]:
        """:meth:`Region.check_invariance` on every region that has a witness (eq. 6, region by region)."""
        return [r.check_invariance(f, loss, **kw) for r in self.with_witness]

    def ranks(self) -> dict[str, int]:
        """The rank of ``J`` on each region that has a witness, by label."""
        return {r.label: r.rank for r in self.with_witness}

    # -- display ----------------------------------------------------------------------------
    def headline(self) -> str:
        n = len(self._regions)
        status = "complete" if self.complete else f"INCOMPLETE ({self.reached})"
        extra = []
        if self.empty:
            extra.append(f"{len(self.empty)} sign patterns proved empty")
        if self.no_point_found:
            extra.append(f"{len(self.no_point_found)} regions with no point found (not proved empty)")
        if self.outside:
            extra.append(f"{len(self.outside)} patterns outside the domain of phi")
        return (f"{n} region{'s' if n != 1 else ''} of {self.name} in ({', '.join(map(str, self.xi))}), {status}"
                + (f"; {', '.join(extra)}" if extra else ""))

    def __str__(self) -> str:
        return "\n".join([self.headline()] + ["  " + r.summary() for r in self._regions]
                         + [f"  unexplored: {_fmt_conds(u)}" for u in self.unexplored])

    def __repr__(self) -> str:
        return f"Regions({self.headline()})"


# ---------------------------------------------------------------------------
# The enumeration
# ---------------------------------------------------------------------------

def regions(phi: Any, params: Sequence[sp.Symbol], coords: Sequence[sp.Symbol] | None = None, metric: Any = None,
            constants: Sequence[sp.Symbol] = (), name: str | None = None, *,
            budget: Budget | float | None = DEFAULT_BUDGET, max_regions: int = 4096, seed: int = 0,
            model_budget: float | None = DEFAULT_BUDGET) -> Regions:
    r"""Split a piecewise parametrisation into the regions where it is one elementary expression.

    Parameters
    ==========
    phi : list of SymPy expressions (or a column) in ``params`` with ``Max``, ``Min``, ``Abs``,
        ``Heaviside``, ``sign`` or ``Piecewise``; data points are numbers
    params : the parameters ``xi``
    coords, metric, constants, name : as for :class:`~symgrad.model.Model`; each region's model gets them
    budget : seconds for the enumeration (an enclosing budget also applies); when it runs out the
        result is marked incomplete and says what was reached
    max_regions : stop after this many regions (also reported as incomplete)
    seed : the seed of the random rationals of the witness search for non-linear conditions
    model_budget : the ``budget`` of each region's :class:`~symgrad.model.Model`

    Examples
    ========
    >>> w, b = sp.symbols("w b", real=True)
    >>> R = regions([sp.Max(0, w + b), sp.Max(0, 2*w + b)], params=[w, b])
    >>> len(R), R.complete
    (4, True)
    >>> r = R[0]; r.phi.xreplace(r.witness) == sp.Matrix([sp.Max(0, w + b), sp.Max(0, 2*w + b)]).xreplace(r.witness)
    True
    """
    col = as_column(phi, "phi")
    check_finite_exprs(list(col), "parametrisation phi")
    xi = as_symbols(params, "parameters")
    if not xi:
        raise SymbolError("a model needs at least one parameter")
    consts = as_symbols(constants, "constants")
    if metric is not None and not isinstance(metric, Metric):
        g = sp.Matrix(metric) if not isinstance(metric, sp.MatrixBase) else metric
        if any(x.has(*KINKS) for x in g):
            raise PiecewiseError("the metric has kinks; only phi may be piecewise (a metric must be smooth)")
    _validate(col, xi, consts)
    unknown = col.free_symbols - set(xi) - set(consts)
    if unknown:
        raise SymbolError(f"phi uses {sorted(map(str, unknown))}, which are neither parameters {list(xi)} nor "
                          "constants; add them to params=[...] or constants=[...] (data points must be numbers)")
    if not isinstance(max_regions, int) or isinstance(max_regions, bool) or max_regions < 1:
        raise ArgumentError(f"max_regions must be a positive integer; got {max_regions!r}")
    as_budget(model_budget)
    out = Regions(col, xi, coords, metric, consts, name or "phi", model_budget)
    b = as_budget(budget)
    rng = random.Random(seed)
    boundaries: dict[sp.Expr, None] = {}
    root = _search((), xi, None, rng)
    if root.status != "witness":  # pragma: no cover - the sign assumptions of distinct symbols are satisfiable
        raise DomainError(f"no point satisfies the sign assumptions of {list(xi)}")
    # the stack of open patterns: (expressions, conditions, witness, how)
    stack: list[tuple[list[sp.Expr], tuple[SignCondition, ...], dict | None, str]] = [
        (list(col), (), root.point, root.how)]
    try:
        with b.limit():
            while stack:
                exprs, conds, wit, how = stack.pop()
                k = _next_kink(exprs)
                if k is None:
                    if len(out._regions) >= max_regions:
                        stack.append((exprs, conds, wit, how))
                        out.complete = False
                        out.reached = f"stopped at max_regions = {max_regions}"
                        break
                    out._regions.append(_leaf(out, exprs, conds, wit, how))
                    continue
                children = []
                for br in _branches(k, xi):
                    for c in br.conditions:
                        boundaries.setdefault(c.h, None)
                    merged = _conj(list(conds) + list(br.conditions))
                    out.patterns += 1
                    if merged is None:
                        continue      # contradicts a condition already imposed: empty by inspection
                    s = _search(merged, xi, wit, rng)
                    if s.status == "empty":
                        out.empty.append(EmptyPattern(merged, s.how, s.lambdas,
                                                      merged + tuple(_assumption_conditions(xi))))
                        continue
                    if br.value is None:
                        out.outside.append(merged)
                        continue
                    nexprs = [e.xreplace({k: br.value}) for e in exprs]
                    children.append((nexprs, merged, s.point, s.how))
                stack.extend(reversed(children))
    except OutOfTime as exc:
        if not b.owns(exc):
            raise
        out.complete = False
        out.reached = (f"the budget of {b.seconds:g} s ran out after {out.patterns} sign patterns: "
                       f"{len(out._regions)} regions found, {len(stack)} patterns left unexplored")
    if not out.complete:
        out.unexplored = [s[1] for s in stack]
    out.boundaries = list(boundaries)
    out.seconds = b.elapsed()
    return out


def _leaf(out: Regions, exprs: list[sp.Expr], conds: tuple[SignCondition, ...], wit: dict | None,
          how: str) -> Region:
    label = f"R{len(out._regions) + 1}"
    phi_r = sp.ImmutableMatrix(exprs)
    if wit is not None:
        # the witness is checked against the conditions and against phi itself, exactly
        if not _holds(conds, wit):  # pragma: no cover - a bug, never a claim
            raise AssertionError(f"{label}: the witness {wit} violates {conds}")
        for x, y in zip(out.phi.xreplace(wit), phi_r.xreplace(wit)):
            d = sp.expand(x - y)
            if d != 0 and not d.free_symbols and _differs(d):  # pragma: no cover - a bug, never a claim
                raise AssertionError(f"{label}: phi and phi_R differ at the witness {wit}")
    return Region(label, conds, phi_r, wit, how, out)


def _differs(d: sp.Expr) -> bool:
    try:
        return _number_sign(d) != 0
    except PiecewiseError:
        return False
