r"""Points reached twice (paper, Fig. 2): ``phi(xi1) = phi(xi2)`` with ``xi1 != xi2``.

For a rational parametrisation the pairs are an exact elimination problem:
``phi(x) = phi(y)`` cleared of denominators, the diagonal removed by
saturation.  A full-rank model whose off-diagonal solution set is finite has
every real pair listed.  Otherwise (an overparametrised model, or a
positive-dimensional set of pairs) only pairs whose tangent spaces differ are
searched: some ``(r+1) x (r+1)`` minor of ``[J(x) | J(y)]`` is non-zero, again
by saturation; tangencies are then not searched, and the scope says so.

:func:`numeric_search` is the bounded fallback: random starts and
Levenberg-Marquardt in mpmath, under the caller's time budget; it is
evidence, never a proof that nothing else exists.
"""
from __future__ import annotations

import itertools
import random
from typing import Any, Literal

import mpmath
import sympy as sp

from .._budget import Budget, OutOfTime
from ..exact.ideals import TooLarge, components, dimension, has_gens, is_unit, saturate, solve_component
from ..model import Model
from ._reals import real_verdict
from ._model import RationalParametrisation, sort_key, span_exact
from ._numeric import NumericModel, levenberg_marquardt, lm_system, norm, num_out, numeric_rank, numeric_span, \
    same_sheet_numeric
from .results import Crossing, CrossingDetail, Method, NumericSearch, RankDropPoint
from .scope import Step

__all__ = ["crossings_exact", "numeric_search", "MAX_PAIR_MINORS"]

#: ``(r+1)``-minors of ``[J(x) | J(y)]`` used for saturation, at most.
MAX_PAIR_MINORS = 60


def _free_in(vals: Any, gens: Any) -> tuple[sp.Symbol, ...]:
    syms = set().union(*[sp.sympify(v).free_symbols for v in vals]) & set(gens)
    return tuple(g for g in gens if g in syms)


def crossings_exact(model: Model, A: RationalParametrisation, budget: Budget, r: int
                    ) -> tuple[list[CrossingDetail], list, list[Step], bool, bool]:
    """Exact self-crossings of a rational model.

    Returns ``(details, loci, steps, complete, tangency_gap)``: ``complete`` when every
    pair with different tangent spaces was found exactly (and verified), ``tangency_gap``
    when pairs of different sheets with one tangent space (tangencies) were not searched.
    """
    xi = model.xi
    n, m = len(xi), model.phi.rows
    X, Y, F, hxy = A.pair_equations()
    sx, sy = dict(zip(xi, X)), dict(zip(xi, Y))
    gens = X + Y
    steps: list[Step] = []
    details: list[CrossingDetail] = []
    loci: list = []
    seen: set = set()
    swap = {**dict(zip(X, Y)), **dict(zip(Y, X))}
    undecided = [0]

    def record(sol: dict, kind_hint: str | None = None, verified: bool = True) -> None:
        a = tuple(sp.sympify(sol.get(s, s)) for s in X)
        b = tuple(sp.sympify(sol.get(s, s)) for s in Y)
        real = [real_verdict(v) for v in a + b]
        if any(x is False for x in real):
            return
        if any(x is None for x in real):
            undecided[0] += 1  # real points not explicit: the search is not exhaustive
            return
        pa = A.phi_at(dict(zip(xi, a)))
        if any(v.has(sp.zoo, sp.nan) for v in pa):
            return
        # the same pair with the two sides exchanged (and the copies of the parameters swapped with them)
        a2 = tuple(v.xreplace(swap) for v in b)
        b2 = tuple(v.xreplace(swap) for v in a)
        (a, b) = max([(a, b), (a2, b2)], key=lambda ab: (sort_key(ab[0]), sort_key(ab[1])))
        if (a, b) in seen:
            return
        seen.add((a, b))
        if any(v.free_symbols & set(gens) for v in pa):
            loci.append((Crossing(a, b, A.phi_at(dict(zip(xi, a)))), _free_in(a + b, gens)))
            return
        Ja = model.J.xreplace(dict(zip(xi, a)))
        Jb = model.J.xreplace(dict(zip(xi, b)))
        sa, sb, sab = span_exact(Ja), span_exact(Jb), span_exact(Ja.row_join(Jb))
        method: Method = "exact"
        if sa is None or sb is None or sab is None:  # pragma: no cover - non-algebraic values
            method = "numeric"
            with mpmath.workdps(50):
                def num(M: sp.MatrixBase) -> int:
                    return numeric_rank(mpmath.matrix(M.evalf(50).tolist()), mpmath.mpf(10) ** -20)
                ra, rb, rab = num(Ja), num(Jb), num(Ja.row_join(Jb))
            sa, sb = (ra, ()), (rb, ())
        else:
            ra, rb, rab = sa[0], sb[0], sab[0]
        kind: Literal["crossing", "tangency"] = "tangency" if (ra == rb == rab) else "crossing"
        if kind_hint == "crossing" and kind != "crossing":
            return
        p = A.phi_at(dict(zip(xi, a)))
        details.append(CrossingDetail(Crossing(a, b, p), kind, sa[1], sb[1], method, verified))

    complete = tangency_gap = False
    unverified = 0
    if r == n:
        # remove the diagonal coordinate by coordinate; all pairs off the diagonal
        dims, pieces = [], []
        with budget.limit():
            for i in range(n):
                Q = saturate(F, sp.expand((X[i] - Y[i]) * hxy), gens)
                dims.append(dimension(Q, gens))
                pieces.append(Q)
        if max(dims) <= 0:
            nsol = 0
            for Q in pieces:
                if is_unit(Q):
                    continue
                with budget.limit():
                    comps = components(Q, gens)
                for C in comps:
                    with budget.limit():
                        solved = solve_component(C, gens)
                    if solved is None:
                        raise TooLarge(f"no explicit solution of the crossing equations {C}")
                    nsol += len(solved.all)
                    unverified += len(solved.unverified)
                    for s in solved.solutions:
                        record(s)
                    for s in solved.unverified:
                        record(s, verified=False)
            unverified += undecided[0]
            steps.append(Step("self-crossings", "finite", "exact", not unverified,
                              {"x": X, "y": Y, "poles": has_gens(A.h, xi), "count": nsol, "unverified": unverified}))
            complete = not unverified
        else:
            steps.append(Step("self-crossings", "positive-dimensional", "exact", False, {"dimension": max(dims)}))
    if not complete and not unverified:
        if r + 1 > m:
            steps.append(Step("self-crossings", "full ambient rank", "exact", True, {"rank": r, "ambient": m}))
            complete = True
        else:
            Jx = sp.Matrix([[A.Jp[i, j].xreplace(sx) * A.den[i].xreplace(sy) ** 2 for j in range(n)]
                            for i in range(m)])
            Jy = sp.Matrix([[A.Jp[i, j].xreplace(sy) * A.den[i].xreplace(sx) ** 2 for j in range(n)]
                            for i in range(m)])
            JJ = Jx.row_join(Jy)
            minors = []
            with budget.limit():
                for R in itertools.combinations(range(m), r + 1):
                    for Cc in itertools.combinations(range(2 * n), r + 1):
                        if all(c < n for c in Cc) or all(c >= n for c in Cc):
                            continue  # one side alone has rank <= r
                        dt = sp.expand(JJ.extract(list(R), list(Cc)).det(method="berkowitz"))
                        if dt != 0:
                            minors.append(dt)
                        if len(minors) > MAX_PAIR_MINORS:
                            raise TooLarge(f"more than {MAX_PAIR_MINORS} minors of [J(x) | J(y)]")
            for M_ in minors:
                with budget.limit():
                    Q = saturate(F, sp.expand(M_ * hxy), gens)
                    if is_unit(Q):
                        continue
                    comps = components(Q, gens)
                for C in comps:
                    with budget.limit():
                        solved = solve_component(C, gens)
                    if solved is None:
                        raise TooLarge("a crossing component without explicit solution")
                    unverified += len(solved.unverified)
                    for s in solved.solutions:
                        record(s, "crossing")
                    for s in solved.unverified:
                        record(s, "crossing", verified=False)
            unverified += undecided[0]
            steps.append(Step("self-crossings", "different spans", "exact", False,
                              {"minors": len(minors), "rank": r, "unverified": unverified}))
            complete = not unverified
            tangency_gap = True
    return details, loci, steps, complete, tangency_gap


def numeric_search(model: Model, *, box: tuple[float, float], starts: int, seed: int, dps: int, rank: bool,
                   crossings: bool, budget: Budget) -> NumericSearch:
    """A bounded numeric search for rank drops and self-crossings, stopped by ``budget`` if need be."""
    rng = random.Random(seed)
    r = model.rank
    found_rd: list[RankDropPoint] = []
    found_cr: list[CrossingDetail] = []
    state: dict[str, Any] = {"same": 0, "done": 0}
    planned = (["rank drops"] if rank and r > 0 else []) + (["self-crossings"] if crossings else [])
    searched: list[str] = []
    stopped: list[str] = []
    with mpmath.workdps(dps):
        try:
            with budget.limit():
                N = NumericModel(model, dps)
        except OutOfTime as exc:
            if not budget.owns(exc):
                raise
            planned, stopped = [], ["setting up the numeric model (nothing searched)"]
        for k, stage in enumerate(planned):
            # each search gets an equal share of what is left, so one cannot starve the other
            share = budget.sub(1.0 / (len(planned) - k))
            state["done"] = 0
            try:
                with share.limit():
                    searched.append(stage)
                    if stage == "rank drops":
                        _search_rank_drops(model, N, rng, box, starts, r, found_rd, state)
                    else:
                        _search_crossings(model, N, rng, box, starts, found_cr, state)
            except OutOfTime as exc:
                if not (share.owns(exc) or budget.owns(exc)):
                    raise
                stopped.append(f"{stage} after {state['done']} of {starts} starts")
    return NumericSearch((box[0], box[1]), starts, dps, seed, f"1e-{(dps * 4) // 5}", tuple(found_rd),
                         tuple(found_cr), state["same"], tuple(searched), "; ".join(stopped),
                         budget.seconds if stopped else None)


def _search_rank_drops(model: Model, N: NumericModel, rng: random.Random, box: tuple[float, float], starts: int,
                       r: int, found: list[RankDropPoint], state: dict) -> None:
    xi = model.xi
    Jm = model.J
    minors = []
    for R in itertools.combinations(range(Jm.rows), r):
        for C in itertools.combinations(range(Jm.cols), r):
            minors.append(Jm.extract(list(R), list(C)).det(method="berkowitz"))
            if len(minors) >= 200:
                break
    F, DF = lm_system(minors, xi)
    for x0 in N.starts(rng, box, starts):
        state["done"] += 1
        x, res = levenberg_marquardt(F, DF, x0, N.res_tol)
        if res > N.res_tol or not N.in_domain(x):
            continue
        if N.rank(N.J(x)) >= r:
            continue
        pt = tuple(num_out(v) for v in x)
        if any(max(abs(float(a) - float(b)) for a, b in zip(pt, q.xi.values())) < 1e-6 for q in found):
            continue
        found.append(RankDropPoint(dict(zip(xi, pt)), (), tuple(num_out(v) for v in N.phi(x)), N.rank(N.J(x)),
                                   "numeric"))


def _search_crossings(model: Model, N: NumericModel, rng: random.Random, box: tuple[float, float], starts: int,
                      found: list[CrossingDetail], state: dict) -> None:
    xi = model.xi
    n = N.n
    X = tuple(sp.Dummy(f"{s.name}1") for s in xi)
    Y = tuple(sp.Dummy(f"{s.name}2") for s in xi)
    sx, sy = dict(zip(xi, X)), dict(zip(xi, Y))
    diff = [e.xreplace(sx) - e.xreplace(sy) for e in model.phi]
    w = 1 + 1 / sum((a - b) ** 2 for a, b in zip(X, Y))
    F, DF = lm_system([d * w for d in diff], X + Y)
    Fplain = sp.lambdify(X + Y, diff, "mpmath")
    for x0, y0 in zip(N.starts(rng, box, starts), N.starts(rng, box, starts)):
        state["done"] += 1
        z, _ = levenberg_marquardt(F, DF, x0 + y0, N.res_tol)
        x, y = z[:n], z[n:]
        if not (N.in_domain(x) and N.in_domain(y)):
            continue
        try:
            res = norm(Fplain(*z))
        except (ZeroDivisionError, ValueError):
            continue
        if res > N.res_tol or norm([a - b for a, b in zip(x, y)]) < mpmath.mpf("1e-6"):
            continue
        Jx, Jy = N.J(x), N.J(y)
        rx, ry = N.rank(Jx), N.rank(Jy)
        if rx < model.rank or ry < model.rank:
            continue  # a rank-drop point (the rank-drop search reports those), not two branches crossing
        Jxy = mpmath.matrix(Jx.rows, 2 * n)
        for i in range(Jx.rows):
            for j in range(n):
                Jxy[i, j], Jxy[i, n + j] = Jx[i, j], Jy[i, j]
        rxy = N.rank(Jxy)
        if rx == ry == rxy:
            on_sheet, _ = same_sheet_numeric(N, x, y, rng)
            if on_sheet:
                state["same"] += 1
                continue
            kind: Literal["crossing", "tangency"] = "tangency"
        else:
            kind = "crossing"
        a = tuple(num_out(v) for v in x)
        b = tuple(num_out(v) for v in y)
        spans = {a: numeric_span(Jx, N.rank_tol), b: numeric_span(Jy, N.rank_tol)}
        a, b = (a, b) if sort_key(a) >= sort_key(b) else (b, a)
        p = tuple(num_out(v) for v in N.phi(x))
        if any(max(abs(float(u) - float(v)) for u, v in zip(p, d.crossing.p)) < 1e-6 for d in found):
            continue
        found.append(CrossingDetail(Crossing(a, b, p), kind, spans[a], spans[b], "numeric"))
