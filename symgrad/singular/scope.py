r"""The scope of a search, as data, and the one formatter that phrases it.

A search for singular points or preimages says what it searched, by which
method, whether that step was exhaustive, and its bounds.  The algorithms
record this as :class:`Step` s (a stage, an outcome keyword and the facts of
that outcome); :func:`describe` turns one step into the sentence the package
prints, and :func:`scope_text` a sequence of them into a paragraph.  The
templates and the command line may phrase the same steps their own way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

__all__ = ["Step", "Stage", "describe", "scope_text", "note_text"]

Stage = Literal["summary", "rank drops", "self-crossings", "numeric search", "budget", "ends", "preimages",
                "sheets", "classification"]


@dataclass(frozen=True)
class Step:
    """One step of a search.

    Attributes
    ==========
    stage : what was searched (``"rank drops"``, ``"self-crossings"``, ``"numeric search"``, ``"ends"``,
        ``"preimages"``, ``"sheets"``, ``"budget"``, ``"summary"``, ``"classification"``)
    outcome : a keyword for what happened (``"exact"``, ``"out of time"``, ``"too large"``, ...)
    method : ``"exact"``, ``"numeric"`` or ``None`` (not run)
    exhaustive : True when this step left nothing out within its stated domain
    facts : the numbers and objects of the outcome (counts, bounds, budgets, reasons)

    >>> s = Step("rank drops", "out of time", None, False, {"budget": 2.0})
    >>> describe(s)
    'rank drops: the exact computation did not finish within the budget of 2 s'
    """

    stage: Stage
    outcome: str
    method: Literal["exact", "numeric"] | None = None
    exhaustive: bool = False
    facts: Mapping[str, Any] = field(default_factory=dict)


def _rank_drops_exact(f: Mapping[str, Any]) -> str:
    out = (f"exact: reduced Groebner basis of the {f['count']} minors of size {f['rank']} of J"
           + (" (rows cleared of denominators, poles removed by saturation)" if f.get("poles") else "")
           + ", square-free parts taken, split into components by factorisation over QQ")
    back = f.get("lifted") or {}
    if back:
        out += ("; computed in the lifted variables " + ", ".join(f"{k} = {v}" for k, v in back.items())
                + ", explicit solutions by sympy.solve in the original parameters")
    if f.get("half_angle"):
        out += (f"; the points {f['half_angle']}, where a lifted half-angle tangent is infinite, examined "
                f"separately by substitution; every solution repeats with period {f['periods']} (the lifted "
                "solutions are listed once per period)")
    if f.get("divisors"):
        out += (f"; the explicit solutions divide by {', '.join(f['divisors'])}, so they describe their "
                "components only where that is non-zero: the equations are the complete description")
    if f.get("unsolved"):
        out += f"; {f['unsolved']} component(s) given by equations only (no explicit solution)"
    if f.get("undecided_minors"):
        out += (f"; on {f['undecided_minors']} hyperplane(s) where a lifted tangent is infinite, a minor could not "
                "be decided zero or non-zero exactly, so the points there are not all listed")
    if f.get("unverified"):
        out += (f"; {f['unverified']} solution(s) of sympy.solve could not be verified exactly (kept, marked "
                "unverified)")
    if f.get("no_real"):
        out += f"; {f['no_real']} component(s) with no real point in the parameter domain"
    return out


def _crossings_finite(f: Mapping[str, Any]) -> str:
    out = (f"self-crossings: exact; phi({', '.join(map(str, f['x']))}) = phi({', '.join(map(str, f['y']))}) was "
           "solved over QQ with the diagonal removed by saturation (a variable s with s*(x_k - y_k) = 1"
           + (", and poles removed the same way" if f.get("poles") else "")
           + f"); the solution set is finite over C ({f['count']} real solution(s), both orders counted), so every "
           "real pair is listed and classified by comparing the spans of the d_i (a crossing when they "
           "differ, a tangency when two isolated sheets share a tangent space)")
    if f.get("unverified"):
        out += (f"; {f['unverified']} solution(s) could not be verified exactly and are kept, so the list is not "
                "proved complete")
    return out


def _crossings_spans(f: Mapping[str, Any]) -> str:
    out = (f"self-crossings with different tangent spaces: exact; phi(x) = phi(y) was solved with the "
           f"saturation by each of the {f['minors']} non-trivial minors of size {f['rank'] + 1} of [J(x) | J(y)] "
           "(a pair survives exactly when the spans of the d_i at x and y differ, which also removes the "
           "diagonal and pairs on one fibre). Not searched: points where two different sheets touch "
           "with one tangent space (tangencies), which this test cannot tell from pairs on one sheet; "
           "so the search is not exhaustive for them (classify a point to examine it)")
    if f.get("unverified"):
        out += f"; {f['unverified']} solution(s) could not be verified exactly and are kept"
    return out


def _ends(f: Mapping[str, Any]) -> str:
    t = f["t"]
    ends = f["ends"]
    return ("ends of the parameter domain: examined exactly; "
            + (", ".join(f"phi -> {L} as {t} -> {name}" for name, L in ends) if ends else
               f"phi is unbounded at every end ({', '.join(f['all_ends'])})")
            + (f"; {f['found']} of these limit points also reached at a finite parameter, where the model "
               "is singular or undecided" if f["found"] else
               "; no limit point is reached at a finite parameter with a different branch"))


def _numeric_search(f: Mapping[str, Any]) -> str:
    out = (f"bounded numeric search ({', '.join(f['searched'])}): {f['starts']} random starts in "
           f"{list(f['box'])} per parameter, Levenberg-Marquardt at {f['dps']} digits, residual < "
           f"{f['residual_tol']}, seed {f['seed']}; found {f['rank_drops']} rank-drop point(s), "
           f"{f['crossings']} crossing(s), {f['same_sheet']} same-sheet pair(s). ")
    if f.get("stopped"):
        out += f"Stopped by the time budget of {_secs(f['budget'])} s: {f['stopped']}. "
    return out + "Not a proof that nothing else exists."


_TEMPLATES: dict[tuple[str, str], Callable[[Mapping[str, Any]], str]] = {
    ("summary", "complete"): lambda f: ("complete exact search over the real parameter domain"
                                        + (", its ends included" if f["ends"] else " at finite parameter values")),
    ("rank drops", "constant"): lambda f: "rank drops: phi is constant: the generic rank is 0 and cannot drop",
    ("rank drops", "exact"): lambda f: "rank drops: " + _rank_drops_exact(f),
    ("rank drops", "numeric"): lambda f: "rank drops: numeric: points found by the bounded search only",
    ("rank drops", "out of time"): lambda f: ("rank drops: the exact computation did not finish within the budget "
                                              f"of {_secs(f['budget'])} s"),
    ("rank drops", "no exact"): lambda f: f"rank drops: no exact computation ({f['reason']})",
    ("self-crossings", "constant"): lambda f: ("self-crossings: phi is constant, so every parameter reaches the same "
                                               "point (one fibre)"),
    ("self-crossings", "not rational"): lambda f: ("self-crossings: phi is not a rational function of the "
                                                   "parameters, so no exact search"),
    ("self-crossings", "finite"): _crossings_finite,
    ("self-crossings", "positive-dimensional"): lambda f: (
        "self-crossings: phi(x) = phi(y) off the diagonal has a positive-dimensional solution set "
        f"(dimension {f['dimension']} over C): pairs on one sheet (repeated coverings) are not singular, so only "
        "pairs with different tangent spaces are searched"),
    ("self-crossings", "full ambient rank"): lambda f: (
        f"self-crossings with different tangent spaces: none (exact): the generic rank {f['rank']} equals the "
        f"ambient dimension {f['ambient']}, so at full rank every tangent space is the whole space; pairs "
        "phi(xi1) = phi(xi2) are fibres of the parametrisation, not singular points"),
    ("self-crossings", "different spans"): _crossings_spans,
    ("self-crossings", "out of time"): lambda f: ("self-crossings: the exact elimination did not finish within the "
                                                  f"budget of {_secs(f['budget'])} s"),
    ("self-crossings", "no exact"): lambda f: f"self-crossings: no exact elimination ({f['reason']})",
    ("numeric search", "ran"): _numeric_search,
    ("numeric search", "not run"): lambda f: f"numeric search: not run ({f['reason']})",
    ("budget", "not enforced"): lambda f: ("the time budget could not be enforced (not in the main thread); the "
                                           "exact stage ran to the end"),
    ("ends", "examined"): _ends,
    ("ends", "not examined"): lambda f: f"ends of the parameter domain: not examined ({f['reason']})",
    ("ends", "one parameter only"): lambda f: (
        "not examined: points that phi only approaches (parameters tending to infinity or to the boundary of the "
        "domain; examined for one-parameter rational models only)"),
    # classification of one point
    ("classification", "out of time"): lambda f: (f"the exact computation did not finish within {_secs(f['budget'])} s; "
                                                  "numeric search instead"),
    ("classification", "no exact"): lambda f: f"no exact computation ({f['reason']}); numeric search instead",
    ("classification", "not rational"): lambda f: ("phi is not a rational function of the parameters: preimages "
                                                   "found by a numeric search"),
    ("classification", "smooth set possible"): lambda f: (
        "other preimages have full rank on one sheet, so the set M may still be smooth at p; what fails is the "
        "proper-parametrisation assumption of Theorem 1 at the rank-drop preimages"),
    ("classification", "smoothness not decided"): lambda f: (
        "whether the set M is a smooth submanifold at p is not decided: what is certain is that the d_i do not "
        "span the tangent space at the rank-drop preimages, so the parametrisation is not proper there and "
        "Theorem 1 does not apply"),
    ("classification", "half-angle form"): lambda f: (
        f"classified exactly in the half-angle form {f['names']}; preimages on the hyperplanes where an angle "
        "is pi are not listed (the verdict does not need them)"),
    ("classification", "exponential form"): lambda f: (
        f"classified exactly in the exponential form {f['names']} (x -> exp(x/d) maps the real line onto "
        "(0, oo): the same set M, one preimage for one, the same ranks and spans)"),
    ("classification", "compact fibre"): lambda f: (
        f"the fibre of p found exactly in the half-angle form {f['names']} and on the hyperplanes where an "
        "angle is pi; listed modulo 2 pi"),
    ("classification", "accumulation not examined"): lambda f: (
        f"whether p is a limit of self-crossings was not decided within {f['budget']:.3g} s"),
    ("classification", "not proper"): lambda f: (
        f"the parametrisation is not proper at {len(f['points'])} preimage(s) (rank J below dim M = {f['dim']} "
        "there): the d_i do not span T_p M, so eq. (4) at those preimages is not the gradient, although grad_p L "
        "exists (p is non-singular; evaluate at a proper preimage)"),
    ("ends", "approached"): lambda f: ("ends of the parameter domain examined exactly: the model approaches p at "
                                       + (", ".join(f"{f['t']} -> {e}" for e in f["ends"]) if f["ends"]
                                          else "none of them")),
    ("ends", "not examined for several parameters"): lambda f: (
        "points approached only as parameters tend to infinity or to the boundary of the domain are not examined "
        "(done for one-parameter models only)"),
    ("sheets", "numeric"): lambda f: "whether preimages with the same tangent space lie on one sheet was decided "
                                     "numerically",
    ("budget", "before rank"): lambda f: (
        f"the time budget of {_secs(f['budget'])} s ran out while the generic rank of J was computed, before any "
        "search began: nothing was searched, and nothing is concluded (not a proof that nothing exists)"),
    ("preimages", "exact"): lambda f: ("preimages searched exactly over the whole parameter domain"
                                       + (f"; {f['unverified']} preimage(s) found by sympy.solve could not be "
                                          "verified exactly" if f.get("unverified") else "")),
    ("preimages", "decided by one"): lambda f: (
        f"the other preimages were not searched: the parametrisation is proper at the given preimage "
        f"{f['point']}, which decides that p is non-singular (they may include preimages where it is not "
        "proper)"),
    ("preimages", "stopped"): lambda f: (f"the numeric preimage search was stopped by its time budget of "
                                         f"{_secs(f['budget'])} s: nothing is concluded from it"),
    ("preimages", "none found"): lambda f: f"no preimage found by {f['starts']} numeric starts in {list(f['box'])}",
    ("preimages", "listed"): lambda f: (f"{f['found']} numeric preimages found; at most three per branch "
                                        "(and three with a rank drop) are listed"),
    ("preimages", "numeric"): lambda f: (f"numeric: {f['starts']} random starts in {list(f['box'])}, {f['dps']} "
                                         f"digits, seed {f['seed']}; preimages outside the box or missed by the "
                                         "search are not examined"),
    ("preimages", "no numeric"): lambda f: str(f["reason"]),
}


def _secs(x: Any) -> str:
    """Seconds in three significant digits (``None``: no limit)."""
    return "no" if x is None else f"{float(x):.3g}"


def describe(step: Step) -> str:
    """The sentence for one step (lower-case start, no final full stop)."""
    if step.facts.get("memory"):     # stopped by the memory budget, not by its time
        return f"{step.stage}: stopped at {step.facts['memory']} before it finished; nothing is concluded from it"
    try:
        fmt = _TEMPLATES[(step.stage, step.outcome)]
    except KeyError:
        return f"{step.stage}: {step.outcome}"
    return fmt(step.facts)


def note_text(step: Step) -> str:
    """The sentence for one step without its stage prefix (``"rank drops: "``)."""
    s = describe(step)
    prefix = f"{step.stage}: "
    return s[len(prefix):] if s.startswith(prefix) else s


def scope_text(steps: Sequence[Step]) -> str:
    """A paragraph: each step's sentence, capitalised, ended by a full stop.

    >>> scope_text([Step("budget", "not enforced"), Step("rank drops", "no exact", facts={"reason": "too big"})])
    'The time budget could not be enforced (not in the main thread); the exact stage ran to the end. Rank drops: no exact computation (too big).'
    """
    return ". ".join(s[:1].upper() + s[1:].rstrip(".") for s in map(describe, steps)) + "."
