r"""The result objects of the singular-point search (paper, §3): what was found, how, and how sure.

Every result carries a :class:`~symgrad.proof.Certificate` built here from
its own fields, and the scope of its search as :class:`~symgrad.singular.scope.Step` s.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, NamedTuple, Sequence

import sympy as sp

from ..model import Model
from ..notation import latex_text
from ..proof import Certificate, Verdict
from .scope import Step, describe, note_text, scope_text

__all__ = [
    "Method", "Status", "RankDropPoint", "RankDropLocus", "Crossing", "CrossingDetail", "NumericSearch",
    "SingularPoints", "Preimage", "Branch", "Classification", "fmt_point", "latex_point", "latex_vec",
]

Method = Literal["exact", "numeric"]
Status = Literal["non-singular", "singular", "undecided"]


def fmt_point(xi: Sequence[sp.Symbol], vals: Mapping) -> str:
    """``a = 1, b = 2`` (the parameters of ``xi`` that ``vals`` gives)."""
    return ", ".join(f"{s} = {vals[s]}" for s in xi if s in vals) or "(all parameters free)"


def latex_point(xi: Sequence[sp.Symbol], vals: Mapping) -> str:
    return ",\\ ".join(f"{sp.latex(s)} = {sp.latex(vals[s])}" for s in xi if s in vals)


def latex_vec(v: Sequence[sp.Expr]) -> str:
    return r"\left(" + ", ".join(sp.latex(x) for x in v) + r"\right)"


_text = latex_text


@dataclass(frozen=True, eq=False)
class RankDropPoint:
    """A set of parameters where ``rank J`` is below its generic rank.

    Attributes
    ==========
    xi : the parameter values (a mapping; parameters not listed are free along the component)
    free : the parameters that stay free (empty for an isolated point)
    p : the model point ``phi(xi)`` (may depend on the free parameters)
    rank : the rank of ``J`` at generic points of this set (``None`` when no exact field holds it)
    method : ``"exact"`` or ``"numeric"``
    verified : False for a solution of ``sympy.solve`` that could not be verified exactly
    """

    xi: Mapping[sp.Symbol, sp.Expr]
    free: tuple[sp.Symbol, ...]
    p: tuple[sp.Expr, ...]
    rank: int | None
    method: Method = "exact"
    verified: bool = True

    def __str__(self) -> str:
        what = f"{{{fmt_point(tuple(self.xi), self.xi)}}}"
        if self.free:
            what += f" ({', '.join(map(str, self.free))} free)"
        rank = self.rank if self.rank is not None else "not decided exactly"
        return f"{what}: rank {rank}, p = {self.p}" + ("" if self.verified else " (unverified)")

    def __repr__(self) -> str:
        return f"<RankDropPoint {self}>"

    def _repr_latex_(self) -> str:
        rank = str(self.rank) if self.rank is not None else r"\text{not decided}"
        free = (r"\ " + _text(f"({', '.join(map(str, self.free))} free)")) if self.free else ""
        return (r"$" + (latex_point(tuple(self.xi), self.xi) or _text("all parameters free")) + free
                + r":\ \operatorname{rank} J = " + rank + r",\ p = " + latex_vec(self.p) + "$")


@dataclass(frozen=True, eq=False)
class RankDropLocus:
    r"""Where ``rank J`` falls below the generic rank ``r`` (paper, §3).

    Attributes
    ==========
    equations : a reduced Groebner basis (grevlex) with the same zeros as the ``r x r`` minors of ``J``
        (square-free parts taken), as expressions that vanish on the locus; ``(1,)`` when it is empty
    components : the locus split into components, each given by its own equations
    points : explicit solutions, one :class:`RankDropPoint` per component when SymPy can solve it
    generic_rank : ``r``
    dimension : the dimension of the locus over the complex numbers (``-1`` when empty)
    method : ``"exact"`` (Groebner bases) or ``"numeric"`` (points found by a numeric search)
    step : how it was obtained, as data (:attr:`note` phrases it)
    unsolved : components without explicit solution
    """

    equations: tuple[sp.Expr, ...]
    components: tuple[tuple[sp.Expr, ...], ...]
    points: tuple[RankDropPoint, ...]
    generic_rank: int
    dimension: int
    method: Method
    step: Step | None = None
    unsolved: int = 0

    @property
    def note(self) -> str:
        """How the locus was obtained, in words."""
        return note_text(self.step) if self.step is not None else ""

    @property
    def complete(self) -> bool:
        """Exact, every solution verified, every minor decided (unsolved components count: their
        equations describe them exactly)."""
        return (self.method == "exact" and all(q.verified for q in self.points)
                and not (self.step is not None and self.step.facts.get("undecided_minors")))

    def __bool__(self) -> bool:
        return bool(self.points) or self.unsolved > 0

    @property
    def is_empty(self) -> bool:
        """True when the rank never drops (proved when ``method == "exact"``)."""
        return not self

    def __str__(self) -> str:
        if self.method == "exact" and self.dimension < 0:
            k = self.generic_rank
            return f"rank drops: none (exact: the {k}x{k} minors of J have no common zero)"
        if self.method == "exact" and not self:
            return ("rank drops: none in the real parameter domain (exact: the locus "
                    + ", ".join(f"{e} = 0" for e in self.equations) + " has no real point there)")
        if self.method == "numeric" and not self.points:
            return "rank drops: none found by the numeric search (not a proof that there are none)"
        lines = [f"rank drops below the generic rank {self.generic_rank} ({self.method}):"]
        if self.method == "exact":
            lines.append("  equations: " + ", ".join(f"{e} = 0" for e in self.equations))
        for pt in self.points:
            lines.append(f"  {pt}")
        if self.unsolved:
            lines.append(f"  ({self.unsolved} component(s) without explicit solution; see .components)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        if self.method == "exact" and not self:
            return f"<RankDropLocus: rank J = {self.generic_rank} everywhere on the real domain (exact)>"
        if self.method == "numeric" and not self.points:
            return "<RankDropLocus: none found (numeric search, not a proof)>"
        where = (" where " + ", ".join(f"{e} = 0" for e in self.equations)) if self.method == "exact" else ""
        return (f"<RankDropLocus: rank J < {self.generic_rank}{where} ({self.method}, {len(self.points)} "
                f"component(s) solved{', ' + str(self.unsolved) + ' not' if self.unsolved else ''})>")

    def _repr_latex_(self) -> str:
        if self.method == "exact" and not self:
            return r"$\operatorname{rank} J = " + str(self.generic_rank) + r"\text{ on the whole real domain (exact)}$"
        if self.method == "numeric" and not self:
            return r"$\text{no rank drop found (numeric search, not a proof)}$"
        eqs = ",\\ ".join(sp.latex(e) + " = 0" for e in self.equations)
        return r"$\operatorname{rank} J < " + str(self.generic_rank) + r"\iff " + eqs + "$"


class Crossing(NamedTuple):
    """Two parameters reaching one point: ``phi(xi1) = phi(xi2) = p`` with ``xi1 != xi2`` (Fig. 2)."""

    xi1: tuple[sp.Expr, ...]
    xi2: tuple[sp.Expr, ...]
    p: tuple[sp.Expr, ...]


@dataclass(frozen=True, eq=False)
class CrossingDetail:
    """A crossing with its tangent spaces.

    Attributes
    ==========
    crossing : the :class:`Crossing` ``(xi1, xi2, p)``
    kind : ``"crossing"`` (the spans of the ``d_i`` differ) or ``"tangency"`` (two sheets with the
        same tangent space that still differ as sets)
    span1, span2 : bases of the spans of the ``d_i`` at ``xi1`` and ``xi2`` (canonical: reduced echelon form)
    method : ``"exact"`` or ``"numeric"``
    verified : False when the pair is a solution of ``sympy.solve`` that could not be verified exactly
    """

    crossing: Crossing
    kind: Literal["crossing", "tangency"]
    span1: tuple[tuple[sp.Expr, ...], ...]
    span2: tuple[tuple[sp.Expr, ...], ...]
    method: Method
    verified: bool = True

    def __str__(self) -> str:
        c = self.crossing
        return (f"{self.kind} at p = {c.p}: xi1 = {c.xi1} spans {list(self.span1)}, "
                f"xi2 = {c.xi2} spans {list(self.span2)} ({self.method}"
                + ("" if self.verified else ", unverified") + ")")

    def __repr__(self) -> str:
        c = self.crossing
        x1, x2 = ", ".join(map(str, c.xi1)), ", ".join(map(str, c.xi2))
        return (f"<CrossingDetail: {self.kind} at p = {c.p}, phi({x1}) = phi({x2}) ({self.method}"
                + ("" if self.verified else ", unverified") + ")>")

    def _repr_latex_(self) -> str:
        c = self.crossing
        spans = (r"\operatorname{span}\{" + ", ".join(latex_vec(v) for v in self.span1) + r"\}"
                 + (r" \neq " if self.kind == "crossing" else " = ")
                 + r"\operatorname{span}\{" + ", ".join(latex_vec(v) for v in self.span2) + r"\}")
        return (r"$\phi" + latex_vec(c.xi1) + r" = \phi" + latex_vec(c.xi2) + " = " + latex_vec(c.p) + r",\quad "
                + spans + r"\ " + _text(f"({self.kind}, {self.method})") + "$")


@dataclass(frozen=True, eq=False)
class NumericSearch:
    """What a bounded numeric search did and found; evidence, never a proof of absence.

    Attributes
    ==========
    box : the interval each parameter's starting values were drawn from
    starts : how many random starting points were planned (per search)
    dps : mpmath working precision (decimal digits)
    seed : the random seed
    residual_tol : the residual below which a solution was accepted
    rank_drops : parameter points found with numeric rank below the generic rank
    crossings : :class:`CrossingDetail` found (kind ``"crossing"`` or ``"tangency"``)
    same_sheet_pairs : how many converged off-diagonal pairs had the same tangent space and the same
        sheet (fibres of an overparametrised model, or repeated coverings): not singular
    searched : what was searched (``"rank drops"``, ``"self-crossings"``)
    stopped : the searches the time budget stopped and how far each got (``""`` when all ran to the end)
    budget : the budget in seconds that stopped them
    """

    box: tuple[float, float]
    starts: int
    dps: int
    seed: int
    residual_tol: str
    rank_drops: tuple[RankDropPoint, ...] = ()
    crossings: tuple[CrossingDetail, ...] = ()
    same_sheet_pairs: int = 0
    searched: tuple[str, ...] = ()
    stopped: str = ""
    budget: float | None = None

    @property
    def step(self) -> Step:
        """This search as a step of a scope."""
        return Step("numeric search", "ran", "numeric", False, {
            "searched": self.searched, "starts": self.starts, "box": self.box, "dps": self.dps,
            "residual_tol": self.residual_tol, "seed": self.seed, "rank_drops": len(self.rank_drops),
            "crossings": len(self.crossings), "same_sheet": self.same_sheet_pairs, "stopped": self.stopped,
            "budget": self.budget})

    def __str__(self) -> str:
        return describe(self.step)

    def __repr__(self) -> str:
        return (f"<NumericSearch: {self.starts} starts in {list(self.box)}, {self.dps} digits: "
                f"{len(self.rank_drops)} rank drop(s), {len(self.crossings)} crossing(s)"
                + (", stopped by the budget" if self.stopped else "") + " (evidence, not a proof of absence)>")


def _search_certificate(S: SingularPoints) -> Certificate:
    claim = f"the singular points of {S.model.name} found by the search are all there are"
    if S.exact:
        return Certificate(claim=claim, verdict=Verdict.PROVED, method="exact and exhaustive search "
                           "(Groebner bases over QQ)", seconds=S.seconds)
    return Certificate(claim=claim, verdict=Verdict.UNDECIDED, method="not exhaustive", seconds=S.seconds,
                       notes=(S.scope,))


@dataclass(frozen=True, eq=False)
class SingularPoints:
    r"""The singular points of a model found by :func:`singular_points`, with the scope of the search.

    Attributes
    ==========
    model : the :class:`~symgrad.model.Model`
    rank_drops : a :class:`RankDropLocus`
    crossings : tuple of :class:`Crossing` ``(xi1, xi2, p)``: points reached from two parameters with
        different tangent spaces, or tangent sheets that differ (see :attr:`details`)
    details : one :class:`CrossingDetail` per crossing, in the same order
    crossing_loci : families of crossings whose model point varies along a curve or surface (double
        curves of a surface, say), as pairs ``(Crossing with symbolic entries, free symbols)``
    numeric : the :class:`NumericSearch` when one ran, else ``None``
    steps : what was searched, how, and what was not, as data (:attr:`scope` phrases it)
    exact : True when both searches finished exactly and left nothing out (then no other singular
        point exists over the parameter domain; its ends too, when :attr:`scope` says they were examined)
    seconds : the time taken
    limit_points : :class:`Classification` s of points that ``phi`` tends to at an end of the domain
        and also reaches at a finite parameter, where the model is singular or undecided (the
        lemniscate's node, approached as ``t -> oo``); one-parameter rational models only
    certificate : whether the list is complete: proved for an exact search, else undecided
    """

    model: Model
    rank_drops: RankDropLocus
    crossings: tuple[Crossing, ...]
    details: tuple[CrossingDetail, ...]
    crossing_loci: tuple[tuple[Crossing, tuple[sp.Symbol, ...]], ...]
    numeric: NumericSearch | None
    steps: tuple[Step, ...]
    exact: bool
    seconds: float = 0.0
    limit_points: tuple[Classification, ...] = ()
    certificate: Certificate = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.certificate is None:
            object.__setattr__(self, "certificate", _search_certificate(self))

    @property
    def scope(self) -> str:
        """What was searched, how, and what was not, in words."""
        return scope_text(self.steps)

    @property
    def is_empty(self) -> bool:
        """No singular point found (a proof only when :attr:`exact`)."""
        return not self.rank_drops and not self.crossings and not self.crossing_loci and not self.limit_points

    def __str__(self) -> str:
        lines = [f"Singular points of {self.model.name} ({'exact' if self.exact else 'not exhaustive'}, "
                 f"{self.seconds:.2f} s)", str(self.rank_drops)]
        if self.details or self.crossing_loci:
            lines.append("self-crossings:")
            lines += [f"  {d}" for d in self.details]
            for c, free in self.crossing_loci:
                lines.append(f"  family of crossings ({', '.join(map(str, free))} free): xi1 = {c.xi1}, "
                             f"xi2 = {c.xi2}, p = {c.p}")
        else:
            lines.append("self-crossings: none found")
        for C in self.limit_points:
            lines.append(f"limit point: {str(C).splitlines()[0]}")
        lines.append("scope: " + self.scope)
        return "\n".join(lines)

    def __repr__(self) -> str:
        found = [f"{len(self.rank_drops.points)} rank-drop component(s)" if self.rank_drops.points else
                 "no rank drop", f"{len(self.crossings)} crossing(s)"]
        if self.crossing_loci:
            found.append(f"{len(self.crossing_loci)} family(ies) of crossings")
        if self.limit_points:
            found.append(f"limit points {[C.p for C in self.limit_points]}")
        how = "exact and exhaustive" if self.exact else "not exhaustive, see .scope"
        return f"<SingularPoints of {self.model.name}: {', '.join(found)} ({how})>"

    def _repr_latex_(self) -> str:
        parts = [self.rank_drops._repr_latex_().strip("$")]
        for d in self.details:
            c = d.crossing
            parts.append(r"\phi" + latex_vec(c.xi1) + r" = \phi" + latex_vec(c.xi2) + " = " + latex_vec(c.p)
                         + r"\ " + _text(f"({d.kind}, {d.method})"))
        for c, free in self.crossing_loci:
            parts.append(r"\phi" + latex_vec(c.xi1) + r" = \phi" + latex_vec(c.xi2) + " = " + latex_vec(c.p)
                         + r"\ " + _text(f"(a family: {', '.join(map(str, free))} free)"))
        for C in self.limit_points:
            parts.append("p = " + latex_vec(C.p) + r"\ " + _text(f"({C.status}: a branch reached only in the limit)"))
        if not self.details and not self.crossing_loci and not self.limit_points:
            parts.append(_text("no self-crossings found"))
        parts.append(_text("(exact and exhaustive search; the scope is in .scope)" if self.exact else
                           "(not exhaustive: what was not examined is in .scope)"))
        return r"$\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}$"


@dataclass(frozen=True, eq=False)
class Preimage:
    """One component of ``phi^{-1}(p)``: a point, or a family (a fibre) with free parameters.

    Attributes
    ==========
    xi : the values (parameters not listed, and symbols in the values, are free)
    free : the free parameters along the component
    rank : the rank of ``J`` at generic points of the component
    span : a canonical basis (reduced echelon form) of the span of the ``d_i`` there
    branch : index into :attr:`Classification.branches`, or ``None`` for a component where the rank drops
    method : ``"exact"`` or ``"numeric"``
    verified : False for a solution of ``sympy.solve`` that could not be verified exactly
    proper : whether the parametrisation is *proper* there (paper, §2): ``rank J`` equals the
        dimension of ``M`` at ``p``, so the ``d_i`` span ``T_p M``; ``None`` where ``p`` is not known
        to be a smooth point (then ``T_p M`` is not defined)
    """

    xi: Mapping[sp.Symbol, sp.Expr]
    free: tuple[sp.Symbol, ...]
    rank: int
    span: tuple[tuple[sp.Expr, ...], ...]
    branch: int | None = None
    method: Method = "exact"
    verified: bool = True
    proper: bool | None = None

    def __str__(self) -> str:
        s = "{" + fmt_point(tuple(self.xi), self.xi) + "}"
        if self.free:
            s += f" with {', '.join(map(str, self.free))} free"
        tail = {True: ", proper", False: ", not proper", None: ""}[self.proper]
        return f"{s}: rank {self.rank}, span {[tuple(v) for v in self.span]}{tail}" + (
            "" if self.verified else " (unverified)")

    def __repr__(self) -> str:
        s = "{" + fmt_point(tuple(self.xi), self.xi) + "}"
        if self.free:
            s += f" with {', '.join(map(str, self.free))} free"
        tail = {True: ", proper", False: ", not proper", None: ""}[self.proper]
        return f"<Preimage {s}: rank {self.rank}{tail} ({self.method})>"

    def _repr_latex_(self) -> str:
        free = (r"\ " + _text(f"({', '.join(map(str, self.free))} free)")) if self.free else ""
        tail = {True: r",\ " + _text("proper"), False: r",\ " + _text("not proper"), None: ""}[self.proper]
        return (r"$" + (latex_point(tuple(self.xi), self.xi) or _text("all parameters free")) + free
                + r":\ \operatorname{rank} J = " + str(self.rank) + r",\ \operatorname{span}\{"
                + ", ".join(latex_vec(v) for v in self.span) + r"\}" + tail + "$")


@dataclass(frozen=True, eq=False)
class Branch:
    """Preimages with one tangent space that lie on one sheet of the model near ``p``."""

    span: tuple[tuple[sp.Expr, ...], ...]
    preimages: tuple[int, ...]

    def __str__(self) -> str:
        return f"branch with tangent span {[tuple(v) for v in self.span]} from preimages {list(self.preimages)}"

    def __repr__(self) -> str:
        return f"<Branch: tangent span {[tuple(v) for v in self.span]}, preimages {list(self.preimages)}>"

    def _repr_latex_(self) -> str:
        return (r"$\operatorname{span}\{" + ", ".join(latex_vec(v) for v in self.span) + r"\}\ "
                + _text(f"(the tangent space of the branch through preimages {', '.join(map(str, self.preimages))})")
                + "$")


def _classification_certificate(C: Classification) -> Certificate:
    claim = f"M is an embedded submanifold near p = {C.p} (p in Smooth(M))"
    if C.smooth == "undecided":
        return Certificate(claim=claim, verdict=Verdict.UNDECIDED, method=f"classification ({C.method})",
                           notes=(C.smooth_reason,) + C.notes if C.smooth_reason else C.notes)
    if C.method == "exact":
        verdict = Verdict.PROVED if C.smooth == "proved" else Verdict.REFUTED
        return Certificate(claim=claim, verdict=verdict, method="exact: " + C.smooth_reason, notes=C.notes)
    # numeric evidence that p is singular: never a refutation
    return Certificate(claim=claim, verdict=Verdict.UNDECIDED, method="numeric steps (see notes)", dps=C.dps,
                       points=tuple(dict(q.xi) for q in C.preimages),
                       notes=(f"numeric evidence against: {C.smooth_reason}",) + C.notes)


@dataclass(frozen=True, eq=False)
class Classification:
    r"""Whether a model point ``p`` is singular, and at which preimages the parametrisation is proper.

    The paper's two words, kept apart (§2, §3): ``p`` is *singular* when
    ``M`` is not an embedded submanifold near ``p`` (``p`` not in
    ``Smooth(M)``), *non-singular* when it is; at a non-singular ``p`` the
    parametrisation is *proper* at a preimage ``xi`` when the ``d_i(xi)``
    span ``T_p M`` (``rank J(xi) = dim_p M``).  The origin of polar
    coordinates or of ``phi = a b`` is non-singular with a non-proper
    preimage; the node of the nodal cubic is singular.

    Attributes
    ==========
    p : the model point
    status : ``"non-singular"``, ``"singular"`` or ``"undecided"`` (from :attr:`smooth`)
    smooth : whether ``p`` is in ``Smooth(M)``: ``"proved"``, ``"refuted"`` or ``"undecided"``
        (refuted by a numeric step only when :attr:`method` is ``"numeric"``: evidence, not proof)
    smooth_reason : why, in one sentence
    dimension : the dimension of ``M`` at ``p`` when ``p`` is non-singular, else ``None``
    reasons : the reasons for ``"singular"``, as sentences
    kinds : the reasons as keywords: ``"branches"``, ``"tangency"``, ``"half-branches"``, ``"not a smooth graph"``,
        ``"limit of singular points"``
    preimages : the :class:`Preimage` components of ``phi^{-1}(p)``
    branches : the :class:`Branch` es of full rank
    rank_drop_points : the preimages where the rank of ``J`` drops (as mappings)
    generic_rank : the generic rank ``r`` of ``J``
    method : ``"exact"`` or ``"numeric"`` (the weakest step used)
    steps : what was examined and how, as data (:attr:`notes` phrases it)
    dps, residual : precision and residual tolerance of the numeric steps (``None`` when exact)
    certificate : the verdict on :attr:`status`: proved (exact), numeric evidence, or undecided
    """

    model: Model
    p: tuple[sp.Expr, ...]
    status: Status
    reasons: tuple[str, ...]
    kinds: tuple[str, ...]
    preimages: tuple[Preimage, ...]
    branches: tuple[Branch, ...]
    rank_drop_points: tuple[Mapping, ...]
    generic_rank: int
    method: Method
    steps: tuple[Step, ...] = ()
    dps: int | None = None
    residual: str | None = None
    smooth: Literal["proved", "refuted", "undecided"] = "undecided"
    smooth_reason: str = ""
    dimension: int | None = None
    certificate: Certificate = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.certificate is None:
            object.__setattr__(self, "certificate", _classification_certificate(self))

    @property
    def not_proper(self) -> tuple[Mapping, ...]:
        """Where the parametrisation is not proper at a non-singular ``p``: preimage components of low
        rank and the rank-drop points among the preimages (as mappings; empty unless ``p`` is non-singular)."""
        if self.smooth != "proved":
            return ()
        out: list[Mapping] = [dict(q.xi) for q in self.preimages if q.proper is False]
        for q in self.rank_drop_points:
            if dict(q) not in out:
                out.append(dict(q))
        return tuple(out)

    @property
    def notes(self) -> tuple[str, ...]:
        """What was not examined or how a step was decided, in words."""
        return tuple(describe(s) for s in self.steps)

    @property
    def is_singular(self) -> bool:
        return self.status == "singular"

    @property
    def spans(self) -> tuple[tuple[tuple[sp.Expr, ...], ...], ...]:
        """The tangent span of each branch."""
        return tuple(b.span for b in self.branches)

    def __str__(self) -> str:
        head = f"p = {self.p} is {self.status} ({self.method})"
        if self.reasons:
            head += ": " + "; ".join(self.reasons)
        elif self.smooth_reason:
            head += ": " + self.smooth_reason
        if self.not_proper:
            head += (f"; the parametrisation is not proper at {len(self.not_proper)} preimage(s) (rank J below "
                     f"dim M = {self.dimension})")
        lines = [head, f"  preimages (generic rank {self.generic_rank}):"]
        lines += [f"    [{i}] {pre}" for i, pre in enumerate(self.preimages)]
        lines += [f"  {b}" for b in self.branches]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        why = "; ".join(self.kinds) if self.kinds else ""
        tail = f", not proper at {len(self.not_proper)} preimage(s)" if self.not_proper else ""
        return f"<Classification: p = {self.p} {self.status} ({self.method}{': ' + why if why else ''}){tail}>"

    def _repr_latex_(self) -> str:
        body = r"p = " + latex_vec(self.p) + r"\ " + _text(f"is {self.status} ({self.method})")
        rows = [body] + [_text(r) for r in self.reasons]
        for pre in self.preimages:
            rows.append(latex_point(tuple(pre.xi), pre.xi) + r":\ \operatorname{span}\{"
                        + ", ".join(latex_vec(v) for v in pre.span) + r"\}")
        return r"$\begin{gathered}" + r" \\ ".join(rows) + r"\end{gathered}$"
