r"""Models with angles: the half-angle form, and smoothness at a point whose fibre is a compact circle.

A parameter ``theta`` that enters ``phi`` only through ``sin(k theta)`` and
``cos(k theta)`` (``k`` an integer) is an *angle*: ``phi`` is ``2 pi``-periodic
in it, and ``u = tan(theta/2)`` turns ``phi`` into a rational function of
``u`` that covers every angle but ``theta = pi`` (:func:`half_angle_form`).
The exact classification then runs on the rational form, and the hyperplanes
``theta = pi`` are examined apart (:func:`fibre`).

:func:`compact_fibre_smooth` proves ``p`` non-singular where every preimage
has a rank drop, as at the origin of polar coordinates or the pole of a
sphere chart: when the closure ``V`` of ``M`` is an ``r``-manifold at ``p``
with ``r >= 2``, the fibre of ``p`` is compact modulo the periods, and the
rank of ``J`` drops near the fibre only on the fibre, then the image of a
small neighbourhood ``W`` of the fibre is open and closed in the punctured
ball ``B \ {p}`` (a regular image away from ``p``; ``phi(boundary W)`` stays
away from ``p``), which is connected, so ``M`` contains ``B``.
"""
from __future__ import annotations

from typing import Mapping

import sympy as sp

from .._budget import Budget
from ..exact.domain import field_of
from ..exact.ideals import components, is_unit, saturate, solve_component
from ..model import Model
from ._reals import split_real
from ._model import RationalParametrisation, in_domain
from .rank_drops import rank_drops_exact

__all__ = ["half_angle_form", "fibre", "compact_fibre_smooth"]


def half_angle_form(model: Model) -> tuple[Model, dict[sp.Symbol, sp.Symbol]] | None:
    """``phi`` with each angle ``theta`` replaced by ``u = tan(theta/2)``: a model rational in ``u``.

    Returns the rational model (same coordinates and metric) and the map ``theta -> u``, or ``None``
    when some parameter is not an angle and still appears inside a trigonometric function, when no
    parameter is an angle, or when the result is not rational.

    >>> r, t = sp.symbols("r t", real=True)
    >>> H, ang = half_angle_form(Model([r * sp.cos(t), r * sp.sin(t)], [r, t]))
    >>> list(H.phi), ang
    ([(-r*t_u**2 + r)/(t_u**2 + 1), 2*r*t_u/(t_u**2 + 1)], {t: t_u})
    """
    if model.constants:
        return None
    exprs = [sp.expand_trig(e) for e in model.phi]
    angles: dict[sp.Symbol, sp.Symbol] = {}
    for s in model.xi:
        if not any(e.has(sp.sin(s)) or e.has(sp.cos(s)) for e in exprs):
            continue
        if s.is_positive or s.is_negative or s.is_nonnegative or s.is_nonpositive or s.is_real is not True:
            return None  # a periodic parameter must range over the whole real line
        S, C = sp.Dummy("S"), sp.Dummy("C")
        if any(s in e.xreplace({sp.sin(s): S, sp.cos(s): C}).free_symbols for e in exprs):
            return None  # theta also appears outside sin(theta), cos(theta)
        u = sp.Symbol(f"{s.name}_u", real=True)
        angles[s] = u
        exprs = [e.xreplace({sp.sin(s): 2 * u / (1 + u**2), sp.cos(s): (1 - u**2) / (1 + u**2)}) for e in exprs]
    if not angles:
        return None
    exprs = [sp.cancel(sp.together(e)) for e in exprs]
    params = [angles.get(s, s) for s in model.xi]
    H = Model(exprs, params, coords=model.z, metric=model.metric, name=f"{model.name} (half-angle form)")
    if RationalParametrisation.of(H) is None:
        return None
    return H, angles


def _rational_fibre(model: Model, p: tuple, B: Budget) -> list[tuple[dict, tuple[sp.Symbol, ...]]] | None:
    A = RationalParametrisation.of(model)
    if A is None:
        return None
    xi = model.xi
    with B.limit():
        P = saturate([sp.expand(nu - pk * de) for nu, de, pk in zip(A.num, A.den, p)], A.h, xi)
        if is_unit(P):
            return []
        comps = components(P, xi)
    out = []
    for C in comps:
        with B.limit():
            s = solve_component(C, xi)
        if s is None or s.unverified:
            return None
        good, unsure = split_real(s.solutions)
        if unsure:
            return None
        for q in good:
            if in_domain(model, q):
                free = tuple(x for x in xi if x not in q or any(x in sp.sympify(v).free_symbols for v in q.values()))
                out.append((q, free))
    return out


def fibre(model: Model, p: tuple, B: Budget) -> list[tuple[dict, tuple[sp.Symbol, ...]]] | None:
    """Every component of ``phi^{-1}(p)``, exactly, as ``(values, free parameters)`` in the model's own
    parameters (angles modulo ``2 pi``); ``None`` when some part could not be found exactly."""
    if not model.xi:
        gap = field_of([e - v for e, v in zip(model.phi, p)])
        if gap is None:
            return None
        return [({}, ())] if all(x.is_zero() for x in gap) else []
    if RationalParametrisation.of(model) is not None:
        return _rational_fibre(model, p, B)
    form = half_angle_form(model)
    if form is None:
        return None
    H, angles = form
    lifted = _rational_fibre(H, p, B)
    if lifted is None:
        return None
    back = {u: s for s, u in angles.items()}
    out = []
    for q, free in lifted:
        vals = {back.get(k, k): (2 * sp.atan(v) if k in back else v) for k, v in q.items()}
        out.append((vals, tuple(back.get(x, x) for x in free)))
    for s in angles:  # the hyperplane theta = pi, which u = tan(theta/2) does not reach
        rest = [x for x in model.xi if x != s]
        sliced = Model(list(model.phi.xreplace({s: sp.pi})), rest, coords=model.z, metric=model.metric) \
            if rest else None
        if sliced is None:
            gap = field_of([sp.sympify(e).xreplace({s: sp.pi}) - v for e, v in zip(model.phi, p)])
            if gap is None:
                return None
            if all(x.is_zero() for x in gap):
                out.append(({s: sp.pi}, ()))
            continue
        if sliced.rank == 0 and all(not e.free_symbols for e in sliced.phi):
            gap = field_of([e - v for e, v in zip(sliced.phi, p)])
            if gap is None:
                return None
            if all(x.is_zero() for x in gap):
                out.append(({s: sp.pi}, tuple(rest)))
            continue
        part = fibre(sliced, p, B)
        if part is None:
            return None
        out += [({**q, s: sp.pi}, free) for q, free in part]
    return out


def _constant_value(model: Model, values: Mapping) -> tuple[sp.Expr, ...] | None:
    """``phi`` on a family ``values``, when it does not depend on the family's free parameters."""
    vals = tuple(sp.expand(sp.sympify(e).xreplace(dict(values))) for e in model.phi)
    if any(v.free_symbols for v in vals):
        return None
    return vals


def compact_fibre_smooth(model: Model, H: Model, p: tuple, angles: Mapping[sp.Symbol, sp.Symbol], B: Budget,
                         V: str | None) -> tuple[str, list[tuple[dict, tuple[sp.Symbol, ...]]]] | None:
    """The reason why ``p`` is non-singular by the compact-fibre argument (module docstring), with the
    fibre; ``None`` when a condition is not shown."""
    r = model.rank
    if r < 2 or V is None:
        return None
    F = fibre(model, p, B)
    if not F:
        return None
    if any(set(free) - set(angles) for _, free in F):
        return None  # a fibre with a free non-angle parameter is not compact
    rd, _, _ = rank_drops_exact(model, B)
    if not rd.complete or rd.unsolved:
        return None
    for q in rd.points:
        c = _constant_value(model, q.xi)
        if c is None:
            return None  # a rank-drop family whose image moves: it may come close to the fibre
        gap = field_of([a - b for a, b in zip(c, p)])
        if gap is None:
            return None
        # a constant image: the family lies in the fibre (value p) or stays away from it (another value)
    names = ", ".join(str(s) for s in angles)
    return (f"the closure of M is smooth of dimension {r} at p ({V}); the fibre of p is compact (free only in "
            f"the angles {names}, modulo 2 pi), and rank J drops near it only on it, so phi maps a "
            "neighbourhood of the fibre onto a neighbourhood of p in that closure (an open and closed subset "
            "of a connected punctured ball)", F)


