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
from ..exact.ideals import TooLarge, components, dimension, is_unit, real_solutions, saturate, solve_component
from ..exceptions import DomainError, SingularPointError
from ..model import Model
from ._model import RationalParametrisation, free_of, in_domain, rename_free, representative, span_exact
from ._numeric import NumericModel, levenberg_marquardt, lm_system, norm, num_out, numeric_span, \
    same_sheet_numeric
from .rank_drops import rank_drop_system
from .results import Branch, Classification, Method, Preimage, Status, fmt_point
from .scope import Step

__all__ = ["classify", "classify_exact", "classify_numeric", "ensure_nonsingular", "group_branches",
           "domain_ends", "valuation", "S_END"]

#: The variable ``s -> 0+`` in which the ends of a parameter's domain are written.
S_END = sp.Symbol("s_end", positive=True)


def classify(model: Model, p: Any, *, budget: Budget | float | None = DEFAULT_BUDGET,
             box: tuple[float, float] = (-3.0, 3.0), starts: int = 32, seed: int = 0, dps: int = 50
             ) -> Classification:
    r"""Is the model point ``p`` singular? With the reason (paper, §3, Fig. 2).

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    p : the model point: a sequence of coordinates or a mapping from coordinates (or their names)
    budget : seconds for the exact stage; after it a numeric search decides, and says so
    box, starts, seed, dps : the numeric search (used only when the exact stage cannot decide)

    Returns
    =======
    Classification

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> C = classify(Model([t**2, t**3], [t]), (0, 0))
    >>> C.status, C.kinds
    ('singular', ('rank drop',))
    >>> classify(Model([t**2, t**3], [t]), (1, 1)).status
    'non-singular'
    """
    pt = point_tuple(p, model.z, what=f"point of {model.name}", constants=model.constants)
    B = as_budget(budget)
    A = RationalParametrisation.of(model)
    steps: list[Step] = []
    if A is not None:
        try:
            return classify_exact(model, A, pt, B, box=box, seed=seed, dps=dps)
        except OutOfTime as exc:
            if not B.owns(exc):
                raise
            steps.append(Step("classification", "out of time", None, False, {"budget": B.seconds}))
        except TooLarge as exc:
            steps.append(Step("classification", "no exact", None, False, {"reason": str(exc)}))
    else:
        steps.append(Step("classification", "not rational", None, False))
    return classify_numeric(model, pt, box=box, starts=starts, seed=seed, dps=dps, steps=steps)


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
        sols += [(q, True) for q in real_solutions(s.solutions)] + [(q, False) for q in real_solutions(s.unverified)]
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
            rd_points += [q for q in real_solutions(s.all) if in_domain(model, q)]
    # each preimage component: generic rank and span
    pres: list[Preimage] = []
    for q, ok in sols:
        sp_ = span_exact(model.J.xreplace(q))
        if sp_ is None:  # pragma: no cover
            raise TooLarge("the span at a preimage has no exact field")
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
    drop = None
    if rd_points:
        desc = "; ".join("{" + fmt_point(xi, q) + "}" + (f" ({', '.join(map(str, free_of(model, q)))} free)"
                                                        if free_of(model, q) else "") for q in rd_points)
        drop = (f"rank drop: at {desc} the d_i span less than the generic rank {r}, so eq. (4) there "
                "does not see the whole tangent space")
        if len(branches) == 1:
            steps.append(Step("classification", "smooth set possible"))
    reasons, kinds = _verdict(branches, different, tangency, drop, "exact")
    if kinds == ["rank drop"] and len(branches) != 1:
        steps.append(Step("classification", "smoothness not decided"))
    undecided: list[str] = []
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
    status: Status = "singular" if kinds else ("undecided" if undecided or unverified else "non-singular")
    reasons += [] if kinds else undecided
    method: Method = sheet_method[0]
    if method == "numeric":
        steps.append(Step("sheets", "numeric", "numeric"))
    steps.append(Step("preimages", "exact", "exact", not unverified, {"unverified": unverified}))
    return Classification(model, p, status, tuple(reasons), tuple(kinds), tuple(pres), branches,
                          tuple(rd_points), r, method, tuple(steps),
                          dps if method == "numeric" else None)


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


def valuation(e: sp.Expr, s: sp.Symbol) -> tuple[int, sp.Expr] | None:
    """Order and leading coefficient of a rational function of ``s`` at ``s = 0`` (None for 0)."""
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    if num == 0:
        return None
    pn, pd = sp.Poly(num, s), sp.Poly(den, s)
    on = min(m[0] for m in pn.monoms())
    od = min(m[0] for m in pd.monoms())
    return on - od, pn.coeff_monomial(s**on) / pd.coeff_monomial(s**od)


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
    keep = sorted(set(i for g in groups for i in g[:3]) | {i for i, k in enumerate(ranks) if k < r})
    if len(keep) < len(pres):
        steps.append(Step("preimages", "listed", "numeric", False, {"found": len(pres)}))
    index = {i: k for k, i in enumerate(keep)}
    groups = [[index[i] for i in g[:3]] for g in groups]
    pres = [pres[i] for i in keep]
    branches = tuple(Branch(pres[g[0]].span, tuple(g)) for g in groups)
    pres = _with_branches(pres, groups)
    drop = None
    if rd:
        drop = (f"rank drop (numeric SVD) at {len(rd)} preimage(s) found: "
                + "; ".join("{" + fmt_point(xi, q) + "}" for q in rd))
    reasons, kinds = _verdict(branches, different, tangency, drop, "numeric")
    steps = list(steps) + [Step("preimages", "numeric", "numeric", False,
                                {"starts": starts, "box": box, "dps": dps, "seed": seed})]
    status: Status = "singular" if kinds else "non-singular"
    return Classification(model, p, status, tuple(reasons), tuple(kinds), tuple(pres), branches, tuple(rd), r,
                          "numeric", tuple(steps), dps, residual)


def ensure_nonsingular(model: Model, xi_point: Mapping[Any, Any], **kwargs: Any) -> Classification:
    """Raise :class:`~symgrad.exceptions.SingularPointError` unless ``phi(xi_point)`` is non-singular.

    The guard for APIs that assume a non-singular point (Theorem 1): it
    classifies the model point ``p = phi(xi_point)`` with :func:`classify`
    (all preimages of ``p`` count, not only ``xi_point``) and puts the
    classification in the error message.  Returns the
    :class:`Classification` otherwise; an ``"undecided"`` classification
    passes, with its notes.

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
    C = classify(model, p, **kwargs)
    if C.is_singular:
        raise SingularPointError(
            f"the gradient is not defined at xi = {dict(point)}: its model point is singular, and eq. (4) "
            "depends on the parametrisation there (paper, §3, Fig. 2).\n"
            f"{C}\n"
            "Move the parameters off the singular point, or use symgrad.counterexample.branch_gradients to see "
            "the vector of each branch.")
    return C
