r"""Where the rank of ``J`` drops (paper, §3): the common zeros of the ``r x r`` minors.

The minors are computed exactly in the lifted field of the model (rows
cleared of denominators), the poles removed by saturation, and the locus
reduced, made square-free and split into components over QQ
(:mod:`symgrad.exact.ideals`).  Where a lifted half-angle tangent is infinite
(``x = pi`` for ``tan(x/2)``) the lifted equations cannot see the rank, so that
hyperplane is examined apart, by substitution, with every minor decided zero
or non-zero in an exact field.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Mapping, Sequence

import sympy as sp

from .._budget import Budget
from ..exact import dense
from ..exact.domain import field_of
from ..exact.lifting import lift, poly_to_sympy
from ..exceptions import LiftError
from ..exact.ideals import (
    TooLarge, components, dimension, has_gens, is_unit, saturate, solve_component, squarefree,
)
from ..model import Model
from ._reals import split_real
from ._model import family_rank, in_domain, zero_exact
from .results import RankDropLocus, RankDropPoint
from .scope import Step

__all__ = ["rank_drop_system", "rank_drops_exact", "rank_drop_point", "poly_expr", "MAX_MINORS"]

#: Rank-drop minors computed exactly at most.
MAX_MINORS = 400


def poly_expr(p: Any, gens: Sequence[sp.Expr]) -> sp.Expr:
    """A python-flint ``fmpz_mpoly`` as a SymPy expression in ``gens`` (kernels kept as plain symbols)."""
    terms = []
    for monom, coeff in p.terms():
        t = sp.Integer(int(coeff))
        for g, k in zip(gens, monom):
            if k:
                t = t * g**k
        terms.append(t)
    return sp.Add(*terms)


def rank_drop_system(model: Model) -> tuple[list[sp.Expr], sp.Expr, tuple[sp.Symbol, ...], dict, int]:
    """The ``r x r`` minors of ``J`` (rows cleared of denominators) as polynomials in the lifted variables.

    Returns ``(minors, h, gens, back, n_minors)``: ``h`` is the product of the
    row multipliers (non-zero where ``phi`` is defined), ``gens`` the
    variables, ``back`` maps kernel variables to their meaning.
    """
    E = model.exact
    L = E.lifting
    r = E.rank
    gens: list[sp.Symbol | None] = []
    back: dict[sp.Symbol, sp.Expr] = {}
    params = set(model.xi)
    for v in L.variables:
        if isinstance(v.meaning, sp.Symbol) and v.meaning in params:
            gens.append(v.meaning)
        elif isinstance(v.meaning, sp.Symbol) and v.meaning in set(model.constants):
            gens.append(None)
        else:
            g = sp.Symbol(v.name)
            gens.append(g)
            back[g] = v.meaning
    all_syms = [g if g is not None else L.variables[i].meaning for i, g in enumerate(gens)]
    rows = []
    h = sp.Integer(1)
    for row in E.J:
        mult: Any = None
        for x in row:
            d = x.den
            mult = d if mult is None else (mult * d) / mult.gcd(d)
        scaled = [(x * type(x)(mult)) for x in row]
        rows.append(scaled)
        if not mult.is_constant():
            h = h * poly_expr(mult, all_syms)
    m, n = len(rows), len(rows[0])
    count = math.comb(m, r) * math.comb(n, r) if r else 0
    if count > MAX_MINORS:
        raise TooLarge(f"{count} minors of size {r} (more than {MAX_MINORS})")
    minors = []
    if r:
        for R in itertools.combinations(range(m), r):
            for C in itertools.combinations(range(n), r):
                dt = dense.det(dense.submatrix(rows, R, C))
                if not dt.is_zero():
                    minors.append(poly_expr(dt.num, all_syms))
    pgens = tuple(g for g in gens if g is not None)
    return minors, h, pgens, back, count


def rank_drops_exact(model: Model, budget: Budget) -> tuple[RankDropLocus, list[sp.Expr], tuple]:
    """The rank-drop locus, exactly; raises :class:`~symgrad.exact.ideals.TooLarge` or ``OutOfTime``."""
    r = model.rank
    if r == 0:
        return (RankDropLocus((sp.Integer(1),), (), (), 0, -1, "exact", Step("rank drops", "constant", "exact", True)),
                [sp.Integer(1)], ())
    with budget.limit():
        minors, h, gens, back, count = rank_drop_system(model)
        G = saturate(minors, h, gens)
        G = squarefree(G, gens)
        dim = dimension(G, gens)
        comps = components(G, gens) if not is_unit(G) else []
    facts: dict[str, Any] = {"count": count, "rank": r, "poles": has_gens(h, gens), "lifted": dict(back)}
    points: list[RankDropPoint] = []
    unsolved = no_real = unverified = 0
    for C in comps:
        sols: list[dict] | None = None
        bad: list[dict] = []
        try:
            with budget.limit():
                if back:
                    sols = sp.solve([sp.sympify(c).xreplace(back) for c in C], list(model.xi), dict=True) or None
                else:
                    solved = solve_component(C, gens)
                    if solved is not None:
                        sols, bad = solved.solutions, solved.unverified
        except (TooLarge, NotImplementedError, ValueError, TypeError):
            sols = None
        if sols is None and not bad:
            unsolved += 1
            continue
        real_all, unsure = split_real(sols or [])
        bad_all, unsure_bad = split_real(bad)
        if unsure or unsure_bad:
            unsolved += 1  # a family whose real points are not explicit: the equations describe it
        real = [s for s in real_all if in_domain(model, s)]
        real_bad = [s for s in bad_all if in_domain(model, s)]
        no_real += not (real or real_bad or unsure or unsure_bad)
        unverified += len(real_bad)
        points += [rank_drop_point(model, s) for s in real]
        points += [rank_drop_point(model, s, verified=False) for s in real_bad]
    # tan(c x) is infinite at x = pi / (2 c): the lifted equations cannot see those points, so examine them apart
    half_angle, where = [], {}
    for mng in back.values():
        if not isinstance(mng, sp.tan):
            continue
        arg = mng.args[0]
        x = next(iter(arg.free_symbols)) if len(arg.free_symbols) == 1 else None
        c = sp.cancel(arg / x) if x is not None else None
        if x is None or x not in model.xi or c is None or not (c.is_Rational and c != 0):
            raise TooLarge(f"the lifted variable {mng} is infinite on a set this search does not examine")
        half_angle.append(x)
        where[x] = sp.pi / (2 * c)
    undecided = 0
    for x in half_angle:
        extra_pts, extra_unsolved, extra_undecided = _rank_drops_at(model, x, r, where[x])
        # leave out what a component found already covers (its equations are a subset of the new point's)
        points += [q for q in extra_pts
                   if not any(all(k in q.xi and q.xi[k] == v for k, v in old.xi.items()) for old in points)]
        unsolved += extra_unsolved
        undecided += extra_undecided
    # a point inside a larger family found later ({phi = pi, theta = pi} inside {theta = pi}) is left out
    points = [q for q in points if not any(o is not q and len(o.xi) < len(q.xi)
                                           and all(k in q.xi and q.xi[k] == v for k, v in o.xi.items())
                                           for o in points)]
    if half_angle:
        facts["half_angle"] = ", ".join(f"{x} = {where[x]}" for x in half_angle)
        facts["periods"] = ", ".join(f"{2 * where[x]} in {x}" for x in half_angle)
    facts["divisors"] = sorted({str(f) for q in points for v in q.xi.values()
                                for f in [sp.fraction(sp.together(sp.sympify(v)))[1]] if f.free_symbols}, key=str)
    facts.update(unsolved=unsolved, no_real=no_real, unverified=unverified, undecided_minors=undecided)
    step = Step("rank drops", "exact", "exact", not (unsolved or unverified or undecided), facts)
    eqs_out = tuple(sp.factor(sp.sympify(g).xreplace(back)) for g in G)
    comps_out = tuple(tuple(sp.factor(sp.sympify(c).xreplace(back)) for c in C) for C in comps)
    return RankDropLocus(eqs_out, comps_out, tuple(points), r, dim, "exact", step, unsolved), G, gens


def _zero_in_field(e: sp.Expr) -> bool | None:
    """Is ``e`` zero? Decided exactly (:func:`~symgrad.singular._model.zero_exact`), ``None`` when not."""
    return zero_exact(e)


def _rank_drops_at(model: Model, x: sp.Symbol, r: int, value: sp.Expr) -> tuple[list[RankDropPoint], int, int]:
    """Rank drops on the hyperplane ``x = value`` (``pi`` for the half-angle lift ``tan(x/2)``),
    which the lifted equations cannot see.

    Returns the points found, the number of pieces left unsolved, and 1 when
    some minor could not be decided zero or non-zero exactly (then the points
    there are not all known).
    """
    return _rank_drops_on(model, {x: value}, r)


def _rank_drops_on(model: Model, fixed: Mapping[sp.Symbol, sp.Expr], r: int
                   ) -> tuple[list[RankDropPoint], int, int]:
    """Rank drops where the parameters ``fixed`` take their values (see :func:`_rank_drops_at`).

    The non-zero minors there are lifted again (the other angles to their half-angle tangents), their
    common zeros found by Groebner bases in the lifted variables, and each hyperplane where one of those
    tangents is infinite is examined the same way, one angle fewer each time.
    """
    Jpi = model.J.xreplace(dict(fixed))
    rest = [s for s in model.xi if s not in fixed]
    minors = []
    for R in itertools.combinations(range(Jpi.rows), r):
        for C in itertools.combinations(range(Jpi.cols), r):
            dt = sp.expand(Jpi.extract(list(R), list(C)).det())
            z = _zero_in_field(dt)
            if z is None:
                return [], 0, 1
            if not z:
                minors.append(dt)
    if not minors:
        return [rank_drop_point(model, dict(fixed))], 0, 0
    if not rest or not any(m.free_symbols & set(rest) for m in minors):
        return [], 0, 0  # a minor that is a non-zero constant: full rank on the whole hyperplane
    try:
        L, lifted = lift(minors, rest)
    except LiftError:
        return [], 1, 0
    gens: list[sp.Symbol] = []
    back: dict[sp.Symbol, sp.Symbol] = {}   # half-angle variable -> its angle
    angle_of: dict[sp.Symbol, sp.Expr] = {}  # half-angle variable -> where it is infinite
    used = set()
    for i, var in enumerate(L.variables):
        if any(f.degrees()[i] > 0 for q in lifted for f in (q.num, q.den)):
            used.add(i)
    for i, var in enumerate(L.variables):
        g = sp.Symbol(f"_hv{i}", real=True)
        gens.append(g)
        if var.kind == "symbol" and var.meaning in rest:
            if i in used:
                back[g] = var.meaning
            continue
        if var.kind == "tan":
            arg = var.meaning.args[0]
            syms = [s for s in arg.free_symbols if s in rest]
            if len(syms) == 1 and sp.cancel(arg / syms[0]) == sp.Rational(1, 2):
                back[g] = syms[0]
                angle_of[g] = sp.pi
                continue
        if i in used:
            return [], 1, 0  # a kernel this examination does not invert
    # an angle that also appears outside its tangent: the two variables are not independent here
    targets = [back[g] for g in gens if g in back]
    if len(targets) != len(set(targets)):
        return [], 1, 0
    polys = [poly_to_sympy(q.num, gens) for q in lifted]
    h = sp.Mul(*[poly_to_sympy(q.den, gens) for q in lifted])
    pgens = [g for g in gens if g in back]
    points: list[RankDropPoint] = []
    unsolved = undecided = 0
    G = saturate(polys, h, pgens)
    for comp in (components(G, pgens) if not is_unit(G) else []):
        solved = solve_component(comp, pgens)
        if solved is None or solved.unverified:
            unsolved += 1
            continue
        real, unsure = split_real(solved.solutions)
        unsolved += int(bool(unsure))
        for sol in real:
            vals = {back[g]: (2 * sp.atan(v) if g in angle_of else v) for g, v in sol.items()}
            if any(sp.sympify(v).free_symbols & set(pgens) for v in vals.values()):
                unsolved += 1  # a value that depends on a half-angle variable left free
                continue
            q = {**dict(fixed), **vals}
            if in_domain(model, q):
                points.append(rank_drop_point(model, q))
    for g, where in angle_of.items():  # the hyperplane where that tangent is infinite
        extra, u2, d2 = _rank_drops_on(model, {**dict(fixed), back[g]: where}, r)
        points += [q for q in extra if not any(all(k in q.xi and q.xi[k] == v for k, v in old.xi.items())
                                               for old in points)]
        unsolved += u2
        undecided = max(undecided, d2)
    return points, unsolved, undecided


def rank_drop_point(model: Model, sol: Mapping, verified: bool = True) -> RankDropPoint:
    """A :class:`RankDropPoint` for the solution ``sol``, with its exact rank where a field holds it."""
    sol = {k: v for k, v in sol.items()}
    free = tuple(s for s in model.xi if s not in sol or any(s in sp.sympify(v).free_symbols for v in sol.values()))
    free = tuple(sorted(set(free) | {s for v in sol.values() for s in sp.sympify(v).free_symbols if s in model.xi},
                        key=lambda s: model.xi.index(s)))
    try:
        p = tuple(sp.cancel(e.xreplace(sol)) for e in model.phi)
    except Exception:  # pragma: no cover
        p = tuple(e.xreplace(sol) for e in model.phi)
    Js = model.J.xreplace(sol)
    vals = field_of(list(Js))
    rank = None
    if vals is not None:
        M = [vals[i * Js.cols:(i + 1) * Js.cols] for i in range(Js.rows)]
        rank = dense.rank_profile(M)[0]
    elif not any(sp.sympify(v).free_symbols - set(model.xi) for v in sol.values()):
        rank = family_rank(model, sol)  # free parameters with kernels (cos(phi) on theta = 0): the lifted field
    return RankDropPoint(sol, free, p, rank, "exact", verified)
