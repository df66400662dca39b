r"""All singular points of a model: rank drops, self-crossings and limit points, with the scope stated."""
from __future__ import annotations

import sympy as sp

from .._budget import DEFAULT_BUDGET, Budget, OutOfTime, as_budget
from ..exact.ideals import TooLarge
from ..exceptions import DomainError, LiftError, SymbolError
from ..model import Model
from ._model import EXACT_FAILURES, RationalParametrisation, no_exact_reason
from .classify import S_END, classify_exact, domain_ends, valuation
from .crossings import crossings_exact, numeric_search
from .rank_drops import rank_drops_exact
from .results import Classification, CrossingDetail, RankDropLocus, SingularPoints
from .scope import Step

__all__ = ["singular_points"]


def singular_points(model: Model, *, budget: Budget | float | None = DEFAULT_BUDGET,
                    box: tuple[float, float] = (-3.0, 3.0), starts: int = 32, seed: int = 0, dps: int = 50,
                    numeric: bool | None = None) -> SingularPoints:
    r"""Rank drops and self-crossings of a model, with the scope of the search stated (paper, §3, Fig. 2).

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    budget : seconds for the whole search (a positive number, a :class:`~symgrad._budget.Budget`, or
        ``None`` for no limit of its own); the exact rank drops may use half of it, the exact crossings
        70 % of what is left, a numeric search that follows the rest, so the call returns within the budget
        and a small margin (the stage that was stopped, and what it reached, is stated in the scope)
    box : interval for the starting values of the numeric search, per parameter
    starts : random starting points of the numeric search (per search)
    seed : random seed of the numeric search
    dps : mpmath precision of the numeric search
    numeric : run the numeric search always (``True``), never (``False``), or only where the exact
        stage did not finish or does not apply (``None``)

    Returns
    =======
    SingularPoints
        ``rank_drops`` (a :class:`RankDropLocus`), ``crossings`` (tuples
        ``(xi1, xi2, p)``), ``details``, ``scope``, ``exact``, ``certificate``.

    Notes
    =====
    The rank-drop locus is the zero set of the ``r x r`` minors of ``J``,
    ``r`` the generic rank.  Self-crossings solve ``phi(x) = phi(y)``, with
    the diagonal removed by saturation; for an overparametrised model the
    pairs are further restricted to different tangent spaces, since a fibre
    ``phi^{-1}(p)`` of a constant-rank map lies over one sheet.  Points that
    ``phi`` only approaches are examined for one-parameter rational models.

    Examples
    ========
    The nodal cubic of Fig. 2 meets itself at the origin:

    >>> t = sp.Symbol("t", real=True)
    >>> S = singular_points(Model([t**2 - 1, t**3 - t], [t]))
    >>> S.crossings
    (Crossing(xi1=(1,), xi2=(-1,), p=(0, 0)),)
    >>> S.rank_drops.is_empty, S.exact, S.certificate.holds
    (True, True, True)
    """
    if not isinstance(model, Model):
        raise SymbolError(f"singular_points needs a symgrad Model; got {type(model).__name__}")
    B = as_budget(budget)
    seconds = B.seconds
    steps: list[Step] = []
    try:
        with B.limit():
            r = model.rank
    except OutOfTime as exc:
        if not B.owns(exc):
            raise
        return _out_of_time_before_rank(model, B)
    # -- rank drops --------------------------------------------------------------------
    rank_exact = False
    rd: RankDropLocus | None = None
    RB = B.sub(0.5)
    try:
        with RB.limit():
            rd, _, _ = rank_drops_exact(model, RB)
        rank_exact = rd.complete
        assert rd.step is not None
        steps.append(rd.step)
    except OutOfTime as exc:
        if not (RB.owns(exc) or B.owns(exc)):
            raise
        steps.append(Step("rank drops", "out of time", None, False, RB.facts()))
    except LiftError as exc:
        steps.append(Step("rank drops", "no exact", None, False, {"reason": str(exc)}))
    except EXACT_FAILURES as exc:
        steps.append(Step("rank drops", "no exact", None, False, {"reason": no_exact_reason(exc)}))
    # -- crossings ---------------------------------------------------------------------
    A = RationalParametrisation.of(model)
    cross_exact = tangency_gap = False
    details: list[CrossingDetail] = []
    loci: list = []
    if r == 0:
        steps.append(Step("self-crossings", "constant", "exact", True))
        cross_exact = True
    elif A is None:
        steps.append(Step("self-crossings", "not rational", None, False))
    else:
        CB = B.sub(0.7)
        try:
            with CB.limit():
                details, loci, sc, cross_exact, tangency_gap = crossings_exact(model, A, CB, r)
            steps += sc
        except OutOfTime as exc:
            if not (CB.owns(exc) or B.owns(exc)):
                raise
            steps.append(Step("self-crossings", "out of time", None, False, CB.facts()))
        except EXACT_FAILURES as exc:
            steps.append(Step("self-crossings", "no exact", None, False, {"reason": no_exact_reason(exc)}))
    # -- numeric ---------------------------------------------------------------------------
    NS = None
    want_rank = numeric is True or (numeric is None and not rank_exact)
    want_cross = numeric is True or (numeric is None and not cross_exact)
    if (want_rank or want_cross) and numeric is not False:
        try:
            NS = numeric_search(model, box=box, starts=starts, seed=seed, dps=dps, rank=want_rank and r > 0,
                                crossings=want_cross and r > 0, budget=B.sub(1.0))
            steps.append(NS.step)
        except TooLarge as exc:
            steps.append(Step("numeric search", "not run", None, False, {"reason": str(exc)}))
    if rd is None:
        pts = NS.rank_drops if NS else ()
        rd = RankDropLocus((), (), pts, r, -1 if not pts else 0, "numeric", Step("rank drops", "numeric", "numeric"))
    if not cross_exact and NS is not None:
        details = details + [d for d in NS.crossings]
    if not B.enforced:
        steps.append(Step("budget", "not enforced"))
    limit_points: list[Classification] = []
    ends_examined = False
    if len(model.xi) == 1 and A is not None:
        try:
            with B.limit():
                limit_points, sc1 = _limit_points(model, A, B)
            steps.append(sc1)
            ends_examined = True
        except OutOfTime as exc:
            if not B.owns(exc):
                raise
            steps.append(Step("ends", "not examined", None, False, {"reason": "out of time"}))
        except EXACT_FAILURES as exc:
            steps.append(Step("ends", "not examined", None, False, {"reason": no_exact_reason(exc) or "out of time"}))
    else:
        steps.append(Step("ends", "one parameter only", None, False))
    exact = rank_exact and cross_exact and not tangency_gap
    if exact:
        steps.insert(0, Step("summary", "complete", "exact", True, {"ends": ends_examined}))
    details = sorted(details, key=lambda d: sp.default_sort_key(d.crossing.p))
    return SingularPoints(model, rd, tuple(d.crossing for d in details), tuple(details), tuple(loci), NS,
                          tuple(steps), exact, B.elapsed(), tuple(limit_points))


def _out_of_time_before_rank(model: Model, B: Budget) -> SingularPoints:
    """The result when the budget ran out before the generic rank of ``J`` was known: nothing searched."""
    steps = (Step("budget", "before rank", None, False, B.facts()),)
    rd = RankDropLocus((), (), (), -1, -1, "numeric", steps[0])
    return SingularPoints(model, rd, (), (), (), None, steps, False, B.elapsed(), ())


def _limit_points(model: Model, A: RationalParametrisation, B: Budget) -> tuple[list[Classification], Step]:
    """One-parameter rational models: the finite limits of ``phi`` at the ends of the domain that
    are also reached at a finite parameter, classified; and the step describing it."""
    t = model.xi[0]
    s = S_END
    found: list[Classification] = []
    ends: list[tuple[str, tuple[sp.Expr, ...]]] = []
    for name, sub in domain_ends(t):
        vals = [valuation(sp.cancel(sp.together(e.xreplace({t: sub}))), s) for e in model.phi]
        if any(v is not None and v[0] < 0 for v in vals):
            continue  # phi is unbounded at this end
        L = tuple(sp.Integer(0) if v is None or v[0] > 0 else v[1] for v in vals)
        same = [k for k, (_, q) in enumerate(ends) if q == L]
        if same:
            ends[same[0]] = (f"{ends[same[0]][0]} and {t} -> {name}", L)
            continue
        ends.append((name, L))
    for name, L in ends:
        if any(v.free_symbols for v in L):
            raise TooLarge(f"the limit of phi as {t} -> {name} depends on constants")
        try:
            C = classify_exact(model, A, L, B, box=(-3.0, 3.0), seed=0, dps=50)
        except DomainError:
            continue  # a limit point the model never reaches: not a point of M
        if C.status != "non-singular":
            found.append(C)
    return found, Step("ends", "examined", "exact", True, {
        "t": t, "ends": ends, "found": len(found), "all_ends": [n for n, _ in domain_ends(t)]})
