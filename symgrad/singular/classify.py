r"""Is a model point singular? With the reason (paper, §3, Fig. 2).

:func:`classify` finds every preimage of ``p`` (exactly, by a Groebner basis
of ``phi(xi) = p`` split into components, for rational parametrisations; by a
bounded numeric search otherwise), the rank of ``J`` and the span of the
``d_i`` on each, and groups the preimages into branches (one tangent space
and one sheet per branch, :func:`group_branches`, shared by the exact and the
numeric classification).  :func:`ensure_nonsingular` is the guard used by APIs
that assume a non-singular point.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Mapping, Sequence

import mpmath
import sympy as sp

from .._budget import DEFAULT_BUDGET, Budget, OutOfTime, as_budget
from .._inputs import point_tuple
from ..exact.domain import field_of, is_algebraic
from ..exact.ideals import (
    TooLarge, components, dimension, is_unit, saturate, solve_component,
)
from ..exceptions import DomainError, NotProperError, SingularPointError
from ..model import Model
from ._reals import split_real
from ._model import EXACT_FAILURES, RationalParametrisation, free_of, in_domain, no_exact_reason, rank_at_point, \
    family_rank, rename_free, representative, span_exact, zero_exact
from ._numeric import NumericModel, levenberg_marquardt, lm_system, norm, num_out, numeric_span, \
    same_sheet_numeric
from .angles import compact_fibre_smooth, half_angle_form
from .exps import exp_form
from .smoothness import affine_hull_smooth, crossings_accumulate, graph_not_smooth, half_branches, implicit_smooth, order_at, \
    valuation
from .rank_drops import rank_drop_system
from .results import Branch, Classification, Method, Preimage, Status, fmt_point
from .scope import Step

__all__ = ["classify", "classify_exact", "classify_numeric", "ensure_nonsingular", "group_branches",
           "domain_ends", "valuation", "S_END"]

#: The variable ``s -> 0+`` in which the ends of a parameter's domain are written.
S_END = sp.Symbol("s_end", positive=True)


def classify(model: Model, p: Any, *, preimage: Mapping[Any, Any] | None = None,
             budget: Budget | float | None = DEFAULT_BUDGET, box: tuple[float, float] = (-3.0, 3.0),
             starts: int = 32, seed: int = 0, dps: int = 50) -> Classification:
    r"""Is the model point ``p`` singular? With the reason (paper, §3, Fig. 2).

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    p : the model point: a sequence of coordinates or a mapping from coordinates (or their names)
    preimage : a parameter point known to reach ``p`` (optional); when the parametrisation is proper
        there and that decides smoothness (``rank J = dim`` of the ambient space, or ``rank J`` generic with
        the closure of ``M`` smooth at ``p``), the other preimages are not searched
    budget : seconds for the whole classification: the exact stage may use 70 % of it, a numeric search
        that follows (which never concludes non-singular) the rest
    box, starts, seed, dps : the numeric search (used only when the exact stage cannot decide)

    Returns
    =======
    Classification

    Examples
    ========
    The cusp of ``(t^2, t^3)`` is singular; the origin of ``(t^3, t^6)``, whose image is the parabola
    ``y = x^2``, is non-singular, with a preimage where the parametrisation is not proper:

    >>> t = sp.Symbol("t", real=True)
    >>> C = classify(Model([t**2, t**3], [t]), (0, 0))
    >>> C.status, C.kinds
    ('singular', ('half-branches',))
    >>> C = classify(Model([t**3, t**6], [t]), (0, 0))
    >>> C.status, C.not_proper
    ('non-singular', ({t: 0},))
    """
    pt = point_tuple(p, model.z, what=f"point of {model.name}", constants=model.constants)
    whole = as_budget(budget)
    B = whole.sub(0.7)
    A = RationalParametrisation.of(model)
    steps: list[Step] = []
    if preimage is not None:
        try:
            with B.limit():
                known = _decided_by_preimage(model, A, pt, model.check_params(preimage))
        except OutOfTime as exc:
            if not (B.owns(exc) or whole.owns(exc)):
                raise
            known = None
        if known is not None:
            return known
    if A is not None:
        try:
            with B.limit():
                return classify_exact(model, A, pt, B, box=box, seed=seed, dps=dps)
        except OutOfTime as exc:
            if not (B.owns(exc) or whole.owns(exc)):
                raise
            steps.append(Step("classification", "out of time", None, False, B.facts()))
        except EXACT_FAILURES as exc:
            steps.append(Step("classification", "no exact", None, False, {"reason": no_exact_reason(exc)}))
    else:
        try:
            with B.limit():
                angled = _classify_angles(model, pt, B, box=box, seed=seed, dps=dps)
        except OutOfTime as exc:
            if not (B.owns(exc) or whole.owns(exc)):
                raise
            angled = None
            steps.append(Step("classification", "out of time", None, False, B.facts()))
        except DomainError as exc:
            angled = None
            steps.append(Step("classification", "no exact", None, False, {"reason": str(exc)}))
        except EXACT_FAILURES as exc:
            angled = None
            steps.append(Step("classification", "no exact", None, False, {"reason": no_exact_reason(exc)}))
        if angled is None:
            try:
                with B.limit():
                    angled = _classify_exps(model, pt, B, box=box, seed=seed, dps=dps)
            except OutOfTime as exc:
                if not (B.owns(exc) or whole.owns(exc)):
                    raise
                steps.append(Step("classification", "out of time", None, False, B.facts()))
            except EXACT_FAILURES as exc:
                steps.append(Step("classification", "no exact", None, False, {"reason": no_exact_reason(exc)}))
        if angled is not None:
            return angled
        steps.append(Step("classification", "not rational", None, False))
    # the numeric search gets what is left of the whole budget
    NB = whole.sub(1.0)
    try:
        with NB.limit():
            return classify_numeric(model, pt, box=box, starts=starts, seed=seed, dps=dps, steps=steps)
    except OutOfTime as exc:
        if not NB.owns(exc):
            raise
        r = model.rank
        return Classification(model, pt, "undecided", (), (), (), (), (), r, "numeric", tuple(steps) + (
            Step("preimages", "stopped", "numeric", False, NB.facts()),), dps, None, "undecided",
            "the numeric preimage search did not finish within its budget")


def _classify_angles(model: Model, p: tuple, B: Budget, *, box: tuple[float, float], seed: int, dps: int
                     ) -> Classification | None:
    """Exact classification of a model with angles (:mod:`~symgrad.singular.angles`), or ``None``."""
    form = half_angle_form(model)
    if form is None:
        return None
    H, angles = form
    A_H = RationalParametrisation.of(H)
    assert A_H is not None
    back = {u: s for s, u in angles.items()}
    names = ", ".join(f"{u} = tan({s}/2)" for s, u in angles.items())

    def to_theta(q: Mapping) -> dict:
        return {back.get(k, k): (2 * sp.atan(v) if k in back else v) for k, v in q.items()}

    # the compact-fibre argument first (cheap when it applies, as at a pole of a sphere chart), on at most
    # half of the budget; then the exact classification of the half-angle form
    r = model.rank
    res = None
    if r >= 2:
        share = B.sub(1 / 2)
        try:
            with share.limit():
                V = implicit_smooth(H, A_H, p, r)
                res = compact_fibre_smooth(model, H, p, angles, share, V)
        except OutOfTime as exc:
            if not share.owns(exc):
                raise
            res = None
        except EXACT_FAILURES:
            res = None
    if res is not None:
        C_F = _compact_fibre_classification(model, p, r, names, res)
        if C_F is not None:
            return C_F
    try:
        C_H: Classification | None = classify_exact(H, A_H, p, B, box=box, seed=seed, dps=dps)
    except DomainError:
        C_H = None  # the half-angle form misses p: the hyperplanes theta = pi may still reach it
    if C_H is not None and C_H.method == "exact" and (
            C_H.smooth == "proved" or (C_H.smooth == "refuted"
                                       and set(C_H.kinds) <= {"branches", "limit of singular points"})):
        pres = tuple(Preimage(to_theta(q.xi), tuple(back.get(x, x) for x in q.free), q.rank, q.span, q.branch,
                              "exact", q.verified, q.proper) for q in C_H.preimages)
        steps = C_H.steps + (Step("classification", "half-angle form", "exact", False, {"names": names}),)
        return Classification(model, p, C_H.status, C_H.reasons, C_H.kinds, pres, C_H.branches,
                              tuple(to_theta(q) for q in C_H.rank_drop_points), model.rank, "exact", steps,
                              None, None, C_H.smooth, C_H.smooth_reason, C_H.dimension)
    return None


def _classify_exps(model: Model, p: tuple, B: Budget, *, box: tuple[float, float], seed: int, dps: int
                   ) -> Classification | None:
    """Exact classification of a model with exponentials of its parameters, through its exponential form
    (:mod:`~symgrad.singular.exps`: the same set M, preimages ``x = d log E``, the same ranks and spans),
    or ``None`` when the model has no such form or ``p`` is not algebraic."""
    if not is_algebraic(list(p)):
        return None
    form = exp_form(model)
    if form is None:
        return None
    H, back = form
    A_H = RationalParametrisation.of(H)
    assert A_H is not None
    to_x = {E: (x, d) for x, (E, d) in back.items()}
    names = ", ".join(f"{E} = exp({x}/{d})" if d != 1 else f"{E} = exp({x})" for x, (E, d) in back.items())

    def conv(q: Mapping) -> dict:
        ren = {E: x for E, (x, _) in to_x.items()}
        out = {}
        for k, v in q.items():
            v = sp.sympify(v)
            if k in to_x:
                x, d = to_x[k]
                out[x] = d * sp.log(v.xreplace({E: sp.exp(y / dd) for E, (y, dd) in to_x.items()}))
            else:
                out[ren.get(k, k)] = v.xreplace({E: sp.exp(y / dd) for E, (y, dd) in to_x.items()})
        return out

    C_H = classify_exact(H, A_H, p, B, box=box, seed=seed, dps=dps)
    pres = tuple(Preimage(conv(q.xi), tuple(to_x[x][0] if x in to_x else x for x in q.free), q.rank, q.span,
                          q.branch, q.method, q.verified, q.proper) for q in C_H.preimages)
    steps = C_H.steps + (Step("classification", "exponential form", "exact", False, {"names": names}),)
    return Classification(model, p, C_H.status, C_H.reasons, C_H.kinds, pres, C_H.branches,
                          tuple(conv(q) for q in C_H.rank_drop_points), model.rank, C_H.method, steps,
                          C_H.dps, None, C_H.smooth, C_H.smooth_reason, C_H.dimension)


def _compact_fibre_classification(model: Model, p: tuple, r: int, names: str,
                                  res: tuple[str, list[tuple[dict, tuple[sp.Symbol, ...]]]]) -> Classification | None:
    """The classification proved by :func:`~symgrad.singular.angles.compact_fibre_smooth`: non-singular, each
    component of the fibre with its rank at a representative (proper where it equals ``dim M = r``)."""
    why, F = res
    pres_l: list[Preimage] = []
    for vals, free in F:
        rank = family_rank(model, vals)
        best: tuple[int, tuple] | None = None
        for ang in (sp.pi / 2, sp.pi / 3, 2 * sp.pi / 5):  # a span at a representative, for display
            at = {**{x: ang for x in free}, **{k: sp.sympify(v).xreplace({x: ang for x in free})
                                               for k, v in vals.items()}}
            s_ = span_exact(model.J.xreplace(at))
            if s_ is not None and (best is None or s_[0] > best[0]):
                best = s_
        if rank is None or best is None or best[0] != rank:
            return None
        pres_l.append(Preimage(vals, free, rank, best[1], None, "exact", True, rank == r))
    steps2 = (Step("classification", "compact fibre", "exact", True, {"names": names}),
              Step("classification", "not proper", "exact", True,
                   {"points": [q.xi for q in pres_l if not q.proper], "dim": r}))
    return Classification(model, p, "non-singular", (), (), tuple(pres_l), (), (), r, "exact",
                          steps2 if any(not q.proper for q in pres_l) else steps2[:1], None, None, "proved", why, r)


def _decided_by_preimage(model: Model, A: RationalParametrisation | None, p: tuple, point: Mapping
                         ) -> Classification | None:
    """A classification decided by one known preimage where the parametrisation is proper, or ``None``.

    The rank of ``J`` there is proved (exactly, or by interval enclosures of its minors with the larger
    minors zero exactly); ``rank J = m`` makes ``M`` open near ``p``; ``rank J = r`` with the Zariski closure
    of ``M`` smooth of dimension ``r`` at ``p`` (for a model with angles: the closure of its half-angle form,
    the same set) makes ``M`` that closure near ``p``."""
    gaps = [zero_exact(sp.sympify(e).xreplace(dict(point)) - v) for e, v in zip(model.phi, p)]
    if any(g is False for g in gaps):
        raise DomainError(f"the preimage {dict(point)} given for p = {p} does not map to p")
    if any(g is None for g in gaps):
        return None
    Jx = model.J.xreplace(dict(point))
    rank = rank_at_point(Jx, at_most=model.rank)
    if rank is None:
        return None
    s_ = span_exact(Jx)
    span = s_[1] if s_ is not None else ()
    m, r = model.phi.rows, model.rank
    xi = model.xi
    how = "" if s_ is not None else " (proved by interval enclosures of its minors)"
    if rank == m:
        why = (f"at the preimage {{{fmt_point(xi, point)}}} rank J = {m}, the ambient dimension{how}, so phi maps "
               f"a neighbourhood of it onto a neighbourhood of p: M is open in R^{m} near p")
    elif rank == r and (H := affine_hull_smooth(model, r)) is not None:
        why = (f"M lies in the affine subspace {H} of dimension {r} (relations verified exactly), and rank J = {r} "
               f"at the preimage {{{fmt_point(xi, point)}}}{how}, so phi maps a neighbourhood of it onto a "
               "neighbourhood of p in that subspace")
    elif rank == r:
        if A is None:
            form = half_angle_form(model)
            if form is None:
                return None
            A_c = RationalParametrisation.of(form[0])
            if A_c is None:  # pragma: no cover - half_angle_form checks it
                return None
            V = implicit_smooth(form[0], A_c, p, r)
        else:
            V = implicit_smooth(model, A, p, r)
        if V is None:
            return None
        why = (f"the Zariski closure of M is smooth of dimension {r} at p ({V}), and phi is an immersion at the "
               f"preimage {{{fmt_point(xi, point)}}}{how}, so M contains a neighbourhood of p in it")
    else:
        return None
    pre = Preimage(dict(point), (), rank, span, 0, "exact", True, True)
    steps = (Step("preimages", "decided by one", "exact", False, {"point": dict(point)}),)
    return Classification(model, p, "non-singular", (), (), (pre,), (Branch(span, (0,)),), (), r, "exact",
                          steps, None, None, "proved", why, rank)


def group_branches(indices: Sequence[int], same_span: Callable[[int, int], bool],
                   same_sheet: Callable[[int, int], bool]) -> tuple[list[list[int]], bool, bool]:
    """Group full-rank preimages into branches: one tangent space and one sheet per branch.

    Returns ``(groups, tangency, different)``: ``different`` when two groups
    have different tangent spaces, ``tangency`` when two preimages share a
    tangent space but lie on different sheets.

    >>> group_branches([0, 1, 2], lambda i, j: (i % 2) == (j % 2), lambda i, j: True)
    ([[0, 2], [1]], False, True)
    """
    groups: list[list[int]] = []
    tangency = different = False
    for i in indices:
        placed = False
        for g in groups:
            j = g[0]
            if not same_span(i, j):
                different = True
                continue
            if same_sheet(j, i):
                g.append(i)
                placed = True
                break
            tangency = True
        if not placed:
            groups.append([i])
    return groups, tangency, different


def _verdict(branches: Sequence[Branch], different: bool, tangency: bool, rank_drop: str | None,
             method: Method) -> tuple[list[str], list[str]]:
    """The reasons (sentences) and kinds (keywords) of a singular point."""
    reasons, kinds = [], []
    num = " (numeric)" if method == "numeric" else ""
    if rank_drop is not None:
        kinds.append("rank drop")
        reasons.append(rank_drop)
    if different:
        kinds.append("branches")
        reasons.append(f"{len(branches)} branches with different tangent spaces{num}: "
                       + "; ".join(f"span{[tuple(v) for v in b.span]}" for b in branches))
    if tangency:
        kinds.append("tangency")
        reasons.append("two sheets meet with the same tangent space" + (" (a tangency)" if not num else num))
    return reasons, kinds


def _with_branches(pres: Sequence[Preimage], groups: list[list[int]]) -> list[Preimage]:
    return [Preimage(q.xi, q.free, q.rank, q.span, next((b for b, g in enumerate(groups) if i in g), None),
                     q.method, q.verified) for i, q in enumerate(pres)]


def classify_exact(model: Model, A: RationalParametrisation, p: tuple, B: Budget, *,
                   box: tuple[float, float], seed: int, dps: int) -> Classification:
    """The exact classification of ``p`` (raises ``TooLarge`` or ``OutOfTime`` when it cannot finish)."""
    xi = model.xi
    r = model.rank
    n = len(xi)
    steps: list[Step] = []
    with B.limit():
        P = saturate([sp.expand(nu - pk * de) for nu, de, pk in zip(A.num, A.den, p)], A.h, xi)
    if is_unit(P):
        raise DomainError(f"p = {p} is not a point of {model.name}: phi(xi) = p has no solution, "
                          "not even a complex one")
    with B.limit():
        comps = components(P, xi)
    sols: list[tuple[dict, bool]] = []
    for C in comps:
        with B.limit():
            s = solve_component(C, xi)
        if s is None:
            raise TooLarge(f"a component of the preimage, {C}, has no explicit solution")
        good, unsure = split_real(s.solutions)
        bad, unsure2 = split_real(s.unverified)
        if unsure or unsure2:
            raise TooLarge(f"a component of the preimage, {C}, is given by sympy.solve with values whose real "
                           f"points are not explicit ({(unsure + unsure2)[0]})")
        sols += [(q, True) for q in good] + [(q, False) for q in bad]
    sols = [(s, ok) for s, ok in sols if in_domain(model, s)]
    if not sols:
        raise DomainError(f"p = {p} is not reached by real parameters in the domain of {model.name}")
    # rank drops among the preimages
    rd_points: list[dict] = []
    if r > 0:
        with B.limit():
            minors, h, gens, back, _ = rank_drop_system(model)
            if back:  # pragma: no cover - rational models have no kernels
                raise TooLarge("lifted variables in a rational model")
            R = saturate(list(P) + minors, A.h, xi)
            rcomps = components(R, xi) if not is_unit(R) else []
        for C in rcomps:
            with B.limit():
                s = solve_component(C, xi)
            if s is None:
                raise TooLarge(f"rank-drop component {C} has no explicit solution")
            good, unsure = split_real(s.all)
            if unsure:
                raise TooLarge(f"rank-drop component {C} has values whose real points are not explicit")
            rd_points += [q for q in good if in_domain(model, q)]
    # each preimage component: generic rank and span
    pres: list[Preimage] = []
    m = model.phi.rows
    for q, ok in sols:
        sp_ = span_exact(model.J.xreplace(q))
        if sp_ is None:
            # a family with radicals: at a rational representative rank J = m decides the span (all of R^m),
            # the largest rank there is, so it is the generic rank of the family too
            try:
                rep = representative(model, q)
            except DomainError:
                rep = None
            at = span_exact(model.J.xreplace(rep)) if rep is not None else None
            if at is None or at[0] != m:
                raise TooLarge("the span at a preimage has no exact field")
            sp_ = at
        pres.append(Preimage(q, free_of(model, q), sp_[0], sp_[1], verified=ok))
    full = [i for i, q in enumerate(pres) if q.rank == r]
    sheet_method: list[Method] = ["exact"]

    def same_sheet(j: int, i: int) -> bool:
        same, how = _same_sheet(model, A, pres[j], pres[i], B, seed=seed, dps=dps)
        if how == "numeric":
            sheet_method[0] = "numeric"
        return same

    groups, tangency, different = group_branches(full, lambda i, j: _same_span(model, pres[i], pres[j], r),
                                                 same_sheet)
    branches = tuple(Branch(pres[g[0]].span, tuple(g)) for g in groups)
    pres = _with_branches(pres, groups)
    reasons, kinds = _verdict(branches, different, tangency, None, "exact")
    undecided: list[str] = []
    limits: list[tuple[str, tuple[sp.Expr, ...]]] = []
    if n == 1:
        with B.limit():
            limits = _limit_branches(model, p)
        for end, direction in limits:
            inside = [b for b in branches if _in_span(direction, b.span)]
            if not inside and branches:
                if "branches" not in kinds:
                    kinds.append("branches")
                reasons.append(f"the model also approaches p as {xi[0]} -> {end}, along the direction "
                               f"{tuple(direction)}, which is not tangent to the branches through p: a branch "
                               "reached only in the limit")
            else:
                undecided.append(f"the model also approaches p as {xi[0]} -> {end} (direction "
                                 f"{tuple(direction)}); whether that limit branch is the same sheet as a branch "
                                 "through p was not decided")
        steps.append(Step("ends", "approached", "exact", True, {"t": xi[0], "ends": [e for e, _ in limits]}))
    else:
        steps.append(Step("ends", "not examined for several parameters"))
    unverified = sum(not q.verified for q in pres)
    orders = [order_at(model, q.xi, p) for q in pres] if n == 1 and r == 1 else []
    if not kinds and n == 1 and r == 1 and not unverified:
        half = half_branches(orders, limits)
        if half is not None:
            kinds.append("half-branches")
            reasons.append(half)
        elif len(pres) == 1 and not limits and orders and orders[0] is not None:
            # the only preimage, an arc of odd order: is M the graph of a smooth function there?
            graph = graph_not_smooth(model, pres[0].xi, p, *orders[0])
            if graph is not None:
                kinds.append("not a smooth graph")
                reasons.append(graph)
    smooth: str
    why = ""
    m = model.phi.rows
    if kinds:
        smooth, why = "refuted", "; ".join(reasons)
    else:
        smooth, why = "undecided", ""
        full_ambient = next((q for q in pres if q.rank == m and q.verified), None)
        if full_ambient is not None:
            smooth = "proved"
            why = (f"at the preimage {{{fmt_point(xi, full_ambient.xi)}}} rank J = {m}, the ambient dimension, so "
                   "phi maps a neighbourhood of it onto a neighbourhood of p: M is open in R^" + str(m) + " near p")
        else:
            proper_pre = next((q for q in pres if q.rank == r and q.verified), None)
            arc = next((q for q, o in zip(pres, orders) if q.verified and o is not None and o[0] % 2 == 1), None)
            if proper_pre is not None or arc is not None:
                with B.limit():
                    V = implicit_smooth(model, A, p, r)
                if V is not None:
                    smooth = "proved"
                    if proper_pre is not None:
                        why = (f"the Zariski closure of M is smooth of dimension {r} at p ({V}), and phi is an "
                               f"immersion at the preimage {{{fmt_point(xi, proper_pre.xi)}}}, so M contains a "
                               "neighbourhood of p in it")
                    else:
                        assert arc is not None
                        why = (f"the Zariski closure of M is a smooth curve at p ({V}), and phi passes through p "
                               f"at {{{fmt_point(xi, arc.xi)}}} as an arc (its first non-zero derivative there has "
                               "odd order), so M contains a neighbourhood of p in that curve")
        if smooth == "undecided" and rd_points and not unverified:
            # is p a limit of self-crossings? (a search of its own: at most a third of what is left)
            share = B.sub(1 / 3)
            try:
                with share.limit():
                    acc = crossings_accumulate(model, A, p, share, r)
            except OutOfTime as exc:
                if not share.owns(exc):
                    raise
                acc = None
                steps.append(Step("classification", "accumulation not examined", None, False,
                                  share.facts()))
            if acc is not None:
                kinds.append("limit of singular points")
                reasons.append(acc)
                smooth, why = "refuted", acc
        if smooth == "undecided":
            why = "; ".join(undecided) or (
                "no criterion decided whether M is an embedded submanifold near p (no preimage of full ambient "
                "rank, and the closure of M is not shown smooth at p with a proper preimage or an arc through p)")
            if unverified:
                why += f"; {unverified} preimage(s) could not be verified exactly"
    status: Status = {"refuted": "singular", "proved": "non-singular"}.get(smooth, "undecided")  # type: ignore
    dim = (m if any(q.rank == m for q in pres) else r) if smooth == "proved" else None
    pres = [Preimage(q.xi, q.free, q.rank, q.span, q.branch, q.method, q.verified,
                     None if dim is None else q.rank == dim) for q in pres]
    improper = [q.xi for q in pres if q.proper is False] + [q for q in rd_points]
    if smooth == "proved" and improper:
        steps.append(Step("classification", "not proper", "exact", True, {"points": improper, "dim": dim}))
    method: Method = sheet_method[0]
    if method == "numeric":
        steps.append(Step("sheets", "numeric", "numeric"))
    steps.append(Step("preimages", "exact", "exact", not unverified, {"unverified": unverified}))
    return Classification(model, p, status, tuple(reasons), tuple(kinds), tuple(pres), branches,
                          tuple(rd_points), r, method, tuple(steps),
                          dps if method == "numeric" else None, None, smooth, why, dim)  # type: ignore[arg-type]


def _in_span(v: Sequence[sp.Expr], span: Sequence[Sequence[sp.Expr]]) -> bool:
    """``v`` lies in the span of the vectors ``span`` (exact ranks)."""
    if not span:
        return all(x == 0 for x in v)
    a = span_exact(sp.Matrix([list(w) for w in span]).T)
    b = span_exact(sp.Matrix([list(w) for w in span] + [list(v)]).T)
    if a is None or b is None:  # pragma: no cover - limit directions are rational
        raise TooLarge("a limit direction without an exact field")
    return a[0] == b[0]


def domain_ends(t: sp.Symbol) -> list[tuple[str, sp.Expr]]:
    """The open ends of the real domain of ``t``: ``(name, t as a function of s -> 0+)``."""
    s = S_END
    if t.is_positive:
        return [("+oo", 1 / s), ("0+", s)]
    if t.is_negative:
        return [("-oo", -1 / s), ("0-", -s)]
    if t.is_nonnegative:
        return [("+oo", 1 / s)]
    if t.is_nonpositive:
        return [("-oo", -1 / s)]
    return [("+oo", 1 / s), ("-oo", -1 / s)]


def _limit_branches(model: Model, p: tuple) -> list[tuple[str, tuple[sp.Expr, ...]]]:
    """For a one-parameter rational model: the ends of the domain at which ``phi`` tends to ``p``,
    each with the direction of approach (the leading coefficient of ``phi - p``)."""
    t = model.xi[0]
    out = []
    for name, sub in domain_ends(t):
        diffs = [sp.cancel(sp.together(e.xreplace({t: sub}) - pk)) for e, pk in zip(model.phi, p)]
        vals = [valuation(d, S_END) for d in diffs]
        orders = [v[0] for v in vals if v is not None]
        if not orders or min(orders) <= 0:
            continue  # phi - p does not tend to zero at this end (or phi is constant p: no branch)
        k = min(orders)
        direction = tuple(v[1] if v is not None and v[0] == k else sp.Integer(0) for v in vals)
        out.append((name, direction))
    return out


def _same_span(model: Model, a: Preimage, b: Preimage, r: int) -> bool:
    """Spans of the d_i equal at generic points of two components (exact rank of ``[J(a) | J(b)]``)."""
    if a.rank == b.rank == model.phi.rows:
        return True  # both span the whole ambient space
    Ja = model.J.xreplace(rename_free(a.free, a.xi, "a"))
    Jb = model.J.xreplace(rename_free(b.free, b.xi, "b"))
    s = span_exact(Ja.row_join(Jb))
    if s is None:  # pragma: no cover
        raise TooLarge("spans without an exact field")
    return s[0] == r


def _same_sheet(model: Model, A: RationalParametrisation, a: Preimage, b: Preimage, B: Budget, *, seed: int,
                dps: int) -> tuple[bool, Method]:
    """Do two preimage components with one tangent space lie on one sheet near ``p``?

    Exact when the model is not overparametrised and ``phi(x) = phi(y)`` off
    the diagonal is finite: then no sheet is covered twice near any point, so
    two isolated preimages lie on different sheets (a tangency).  Otherwise a
    numeric test (:func:`~symgrad.singular._numeric.same_sheet_numeric`).
    """
    xi = model.xi
    n = len(xi)
    if model.rank == model.phi.rows:
        # phi is a submersion at both preimages: each maps a neighbourhood onto a neighbourhood of p
        return True, "exact"
    if model.rank == n and not a.free and not b.free:
        X, Y, F, hxy = A.pair_equations()
        with B.limit():
            dims = [dimension(saturate(F, sp.expand((X[i] - Y[i]) * hxy), X + Y), X + Y) for i in range(n)]
        if max(dims) <= 0:
            return False, "exact"
    rng = random.Random(seed)
    with mpmath.workdps(dps):
        N = NumericModel(model, dps)
        x = [mpmath.mpf(sp.N(v, dps)) for v in representative(model, a.xi, a.free).values()]
        y = [mpmath.mpf(sp.N(v, dps)) for v in representative(model, b.xi, b.free).values()]
        same, _ = same_sheet_numeric(N, x, y, rng)
    return same, "numeric"


def classify_numeric(model: Model, p: tuple, *, box: tuple[float, float], starts: int, seed: int, dps: int,
                     steps: list[Step]) -> Classification:
    """The numeric classification of ``p``: a bounded preimage search (evidence, never a proof)."""
    rng = random.Random(seed)
    r = model.rank
    xi = model.xi
    residual = f"1e-{(dps * 4) // 5}"
    try:
        with mpmath.workdps(dps):
            N = NumericModel(model, dps)
            F, DF = lm_system([e - t for e, t in zip(model.phi, p)], xi)
            found: list[list] = []
            for x0 in N.starts(rng, box, starts):
                x, res = levenberg_marquardt(F, DF, x0, N.res_tol)
                if res > N.res_tol or not N.in_domain(x):
                    continue
                if any(norm([a - b for a, b in zip(x, q)]) < mpmath.mpf("1e-8") for q in found):
                    continue
                found.append(x)
            if not found:
                return Classification(model, p, "undecided", (), (), (), (), (), r, "numeric", tuple(steps) + (
                    Step("preimages", "none found", "numeric", False, {"starts": starts, "box": box}),), dps, residual)
            ranks = [N.rank(N.J(x)) for x in found]
            pres, rd = [], []
            for x, k in zip(found, ranks):
                sol = {s: num_out(v) for s, v in zip(xi, x)}
                pres.append(Preimage(sol, (), k, numeric_span(N.J(x), N.rank_tol), None, "numeric"))
                if k < r:
                    rd.append(sol)
            full = [i for i, k in enumerate(ranks) if k == r]

            def same_span(i: int, j: int) -> bool:
                M = mpmath.matrix(N.m, 2 * N.n)
                Ji, Jj = N.J(found[i]), N.J(found[j])
                for a in range(N.m):
                    for b in range(N.n):
                        M[a, b], M[a, N.n + b] = Ji[a, b], Jj[a, b]
                return N.rank(M) <= r

            def same_sheet(j: int, i: int) -> bool:
                if r < N.n or r == N.m:
                    return True
                return same_sheet_numeric(N, found[j], found[i], rng)[0]

            groups, tangency, different = group_branches(full, same_span, same_sheet)
    except TooLarge as exc:
        return Classification(model, p, "undecided", (), (), (), (), (), r, "numeric", tuple(steps) + (
            Step("preimages", "no numeric", None, False, {"reason": str(exc)}),), dps, residual)
    # keep at most three preimages per branch (an overparametrised model has whole fibres of them)
    keep = sorted(set(i for g in groups for i in g[:3]) | set([i for i, k in enumerate(ranks) if k < r][:3]))
    if len(keep) < len(pres):
        steps.append(Step("preimages", "listed", "numeric", False, {"found": len(pres)}))
    index = {i: k for k, i in enumerate(keep)}
    groups = [[index[i] for i in g[:3]] for g in groups]
    found_total, drops_total = len(pres), len(rd)
    pres = [pres[i] for i in keep]
    rd = rd[:3]
    branches = tuple(Branch(pres[g[0]].span, tuple(g)) for g in groups)
    pres = _with_branches(pres, groups)
    reasons, kinds = _verdict(branches, different, tangency, None, "numeric")
    steps = list(steps) + [Step("preimages", "numeric", "numeric", False,
                                {"starts": starts, "box": box, "dps": dps, "seed": seed})]
    # a bounded search may miss preimages (another branch outside the box): it never shows p non-singular
    status: Status = "singular" if kinds else "undecided"
    why = "; ".join(reasons) if kinds else (
        f"a bounded numeric search ({starts} starts in {list(box)}) found {found_total} preimage(s)"
        + (f", {drops_total} of them with a rank drop (numeric SVD)" if drops_total else "")
        + "; preimages outside its box or missed by it may lie on other branches, so whether p is singular is "
        "not decided")
    return Classification(model, p, status, tuple(reasons), tuple(kinds), tuple(pres), branches, tuple(rd), r,
                          "numeric", tuple(steps), dps, residual, "refuted" if kinds else "undecided", why)


def ensure_nonsingular(model: Model, xi_point: Mapping[Any, Any], **kwargs: Any) -> Classification:
    """The guard of Theorem 1: ``phi(xi_point)`` non-singular and the parametrisation proper at ``xi_point``.

    Classifies the model point ``p = phi(xi_point)`` with :func:`classify` (all
    preimages of ``p`` count, not only ``xi_point``).  Raises
    :class:`~symgrad.exceptions.SingularPointError` when ``p`` is singular, or
    when that is not decided (a bounded search, say: eq. (4) is then not known
    to be the gradient); raises :class:`~symgrad.exceptions.NotProperError`
    (a subclass) when ``p`` is non-singular but ``rank J(xi_point)`` is below
    ``dim M`` there, so the ``d_i`` do not span ``T_p M``.  Returns the
    :class:`Classification` otherwise.

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> M = Model([t**2 - 1, t**3 - t], [t])
    >>> ensure_nonsingular(M, {t: 2}).status
    'non-singular'
    >>> try:
    ...     ensure_nonsingular(M, {t: 1})
    ... except SingularPointError as e:
    ...     print("2 branches with different tangent spaces" in str(e))
    True
    """
    point = model.check_params(xi_point)
    p = tuple(model.phi.xreplace(point))
    C = classify(model, p, preimage=point, **kwargs)
    if C.status == "singular":
        raise SingularPointError(
            f"the gradient is not defined at xi = {dict(point)}: its model point is singular (M is not an "
            "embedded submanifold there), and eq. (4) depends on the parametrisation there (paper, §3, Fig. 2).\n"
            f"{C}\n"
            "Move the parameters off the singular point, or use symgrad.counterexample.branch_gradients to see "
            "the vector of each branch.")
    if C.status == "undecided":
        raise SingularPointError(
            f"whether the model point p = {p} of xi = {dict(point)} is singular was not decided, so eq. (4) there "
            f"is not known to be the gradient: {C.smooth_reason}.\n{C}\n"
            "Give a larger budget, or a point whose model point is known to be non-singular.")
    rank = rank_at_point(model.J.xreplace(point), at_most=model.rank)
    dim = C.dimension
    if rank is None or dim is None:  # pragma: no cover - exact classifications have both
        raise SingularPointError(
            f"the rank of J at xi = {dict(point)} could not be proved (neither exactly nor by interval "
            "enclosures of its minors), so whether the parametrisation is proper there is not known. Evaluate at "
            "a point with rational or algebraic parameter values.")
    if rank < dim:
        proper = [q for q in C.preimages if q.proper]
        where = ("; proper preimages of p: " + "; ".join("{" + fmt_point(model.xi, q.xi) + "}"
                                                         + (f" ({', '.join(map(str, q.free))} free)" if q.free
                                                            else "") for q in proper)) if proper else ""
        raise NotProperError(
            f"p = {p} is non-singular (M is an embedded submanifold of dimension {dim} there: {C.smooth_reason}), "
            f"so grad_p L exists; but the parametrisation is not proper at xi = {dict(point)}: rank J drops to "
            f"{rank} there (a rank drop below dim M = {dim}), so the d_i do not span T_p M and eq. (4) at this "
            f"preimage is not the gradient{where}. Evaluate at a proper preimage of p.")
    return C
