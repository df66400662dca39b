r"""The template context of a derivation: a :class:`~symgrad.derivation.Report` as typed data.

:func:`derivation_context` reads the result objects of a report (each with the
certificate the library built) and returns a :class:`DerivationContext`, whose
fields are what ``templates/derivation.tex.j2`` may use.  The schema is this
module: every field is present, ``None`` where a part does not apply.
:meth:`DerivationContext.as_dict` gives the plain nested dictionaries that
:func:`symgrad.render.render_document` passes to Jinja (the keys are the
field names, plus whatever the derivation's ``extra`` hook added).

Verdict strings are the certificates' own :meth:`~symgrad.proof.Certificate.finding`;
nothing here decides anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

import sympy as sp

from ..derivation import Report
from ..exceptions import SymgradError
from ..gradient import ANY_LOSS
from ..proof import Certificate, Verdict
from ..singular.scope import describe

__all__ = [
    "DerivationContext", "ModelContext", "PinvContext", "FactorisedContext", "PointContext", "ReparamContext", "TikhonovContext",
    "StepContext", "SingularContext", "CounterexampleContext", "derivation_context",
]


def _plain(value: Any) -> Any:
    if isinstance(value, _Part):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Part:
    """A typed part of the context; :meth:`as_dict` turns it into the dictionary Jinja reads."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class ModelContext(_Part):
    """The model: ``phi(xi)``, its parameters, ambient coordinates and metric ``g``."""

    phi: sp.ImmutableMatrix
    params: list
    coords: list
    metric_name: str
    metric: sp.ImmutableMatrix
    is_fisher: bool
    name: str


@dataclass(frozen=True)
class PinvContext(_Part):
    """``G^+``, where it is valid, and the Penrose certificate in words."""

    matrix: sp.ImmutableMatrix | None      # None: exact, but not written out within the budget
    condition: sp.Expr | None
    extra_conditions: list
    penrose_verdict: str


@dataclass(frozen=True)
class FactorisedContext(_Part):
    """``G^+`` and the gradients through ``K = J J^T`` (``J`` of full row rank), and how their
    equality with the expanded forms is known."""

    K: sp.ImmutableMatrix
    det_K: sp.Expr
    euclidean: bool
    verdict: str
    K_eta: sp.ImmutableMatrix | None
    det_K_eta: sp.Expr | None
    eta_verdict: str | None


@dataclass(frozen=True)
class PointContext(_Part):
    """Eqs. (5) and (4) at the derivation's parameter point."""

    point: dict
    parameter: sp.ImmutableMatrix
    manifold: sp.ImmutableMatrix


@dataclass(frozen=True)
class ReparamContext(_Part):
    """The second parametrisation ``phi o f`` and eq. (6)."""

    f: sp.ImmutableMatrix
    eta: list
    Df: sp.ImmutableMatrix
    det_Df: sp.Expr
    grad_xi: sp.ImmutableMatrix | None
    grad_eta: sp.ImmutableMatrix | None
    delta: sp.ImmutableMatrix | None
    J_delta_verdict: str
    certificate: str
    delta_witness: str | None
    delta_zero: bool | None
    delta_verdict: str | None
    phi_tilde: sp.ImmutableMatrix
    G_tilde: sp.ImmutableMatrix | None
    # a witness of Delta grad != 0 whose exact value is too long for the appendix: the appendix shows
    # its decimal, the supplement the exact value (see _long_witness)
    delta_witness_long: bool = False
    delta_witness_entry: str | None = None
    delta_witness_point: str | None = None
    delta_witness_value: sp.Expr | None = None
    delta_witness_decimal: str | None = None
    delta_witness_chars: int = 0


@dataclass(frozen=True)
class TikhonovContext(_Part):
    """The damped gradient, its invariance residual and its limit ``lambda -> 0``."""

    lam: sp.Symbol
    residual: sp.ImmutableMatrix
    residual_is_zero: bool
    damped: sp.ImmutableMatrix
    limit: sp.ImmutableMatrix
    verdict: str


@dataclass(frozen=True)
class StepContext(_Part):
    """Two gradient steps compared to second order in the step size."""

    second_order: sp.ImmutableMatrix
    is_zero: bool
    first_order_equal: bool
    factored_scalar: sp.Expr | None = None
    factored_vector: sp.ImmutableMatrix | None = None
    factored_verdict: str | None = None


@dataclass(frozen=True)
class CounterexampleContext(_Part):
    """Eq. (4) on two branches through a singular point (Fig. 2)."""

    point: sp.ImmutableMatrix
    grad1: sp.ImmutableMatrix
    grad2: sp.ImmutableMatrix
    span1: sp.ImmutableMatrix
    span2: sp.ImmutableMatrix
    method: str
    verdict: str


@dataclass(frozen=True)
class SingularContext(_Part):
    """The singular-point search: what was found, how, and its scope."""

    report: Any
    exact: bool
    rank_drops: list
    crossings: list
    loci: list
    limit_points: list
    scope: str
    counterexample: CounterexampleContext | None


@dataclass(frozen=True)
class DerivationContext(_Part):
    """Everything ``derivation.tex.j2`` renders for one derivation."""

    title: str
    key: str
    summary: str
    notes: list
    model: ModelContext
    J: sp.ImmutableMatrix
    n_params: int
    G: sp.ImmutableMatrix
    rank: int | None
    pinv: PinvContext | None
    factorised: FactorisedContext | None
    loss: sp.Expr | None
    dL: sp.ImmutableMatrix
    nabla: sp.ImmutableMatrix | None
    grad_param: sp.ImmutableMatrix | None
    grad_manifold: sp.ImmutableMatrix | None
    riesz_agrees: str
    generalised_verdict: str
    at_point: PointContext | None
    reparam: ReparamContext | None
    tikhonov: TikhonovContext | None
    step: StepContext | None
    singular: SingularContext | None
    figure: str | None
    extra: dict
    display_forms: dict = None  # type: ignore[assignment]
    rank_form: dict | None = None  # symgrad.derivation.RankForm for the templates, or None

    def as_dict(self) -> dict[str, Any]:
        """The dictionary the templates read: the fields, with ``extra``'s keys merged in."""
        out = super().as_dict()
        extra = out.pop("extra")
        out.update(extra)
        return out


def _certificate_kind(c: Certificate) -> str:
    if c.verdict is Verdict.PROVED:
        return "exact: " + c.method
    if c.verdict is Verdict.NUMERIC:
        return f"numeric evidence only ({c.dps} digits), not a proof"
    return c.finding()


def _check(rep: Report, name: str) -> Certificate | None:
    return next((c for n, c in rep.checks if n == name), None)


#: An exact witness value whose LaTeX is longer than this is shown in the appendix by its decimal,
#: the exact value going to the supplement.
LONG_WITNESS_CHARS = 400


def _long_witness(cert: Certificate | None) -> dict[str, Any]:
    """The fields of a witness of ``Delta grad != 0`` whose exact value is long (an empty dict when
    there is none, or it is short enough to print in the appendix, or not exact)."""
    from .plaintext import decimal

    w = None if cert is None else cert.witness
    if w is None or not getattr(w, "exact", False) or not isinstance(w.value, dict):
        return {}
    (i, j), value = w.value["entry"], sp.sympify(w.value["value"])
    tex = sp.latex(value)
    if len(tex) <= LONG_WITNESS_CHARS or not value.is_number:
        return {}
    entry = rf"(\Delta\operatorname{{grad}})_{{{i}}}" if j == 1 else rf"(\Delta\operatorname{{grad}})_{{{i}{j}}}"
    point = r",\ ".join(f"{sp.latex(k)} = {sp.latex(v)}" for k, v in w.point.items())
    return {"delta_witness_long": True, "delta_witness_entry": entry, "delta_witness_point": point,
            "delta_witness_value": value, "delta_witness_decimal": decimal(value),
            "delta_witness_chars": len(tex)}


def _reparam(rep: Report) -> ReparamContext | None:
    proof, Mt = rep.invariance, rep.reparametrised
    if proof is None or Mt is None:
        return None
    f, dc = proof.f, proof.delta_certificate
    G_tilde: sp.ImmutableMatrix | None = None
    if "G_tilde" not in rep.unshown:
        try:
            G_tilde = Mt.G
        except SymgradError:
            G_tilde = None
    F = rep.factorised
    if F is not None and F.eta_certificate is not None:
        # the vectors of eqs. (5) and (6) through K and K~ (proved by the Penrose argument, see
        # symgrad.derivation.Factorisation), None when too large to write out: the library's
        # expansions through G~ are not formed
        grad_xi, grad_eta, delta = F.grad_xi_eta, F.grad_eta, F.delta
    else:
        # formulas that were not written out within the run's budget stay None (not built here unbounded)
        grad_xi, grad_eta, delta = (None if k in rep.unshown else getattr(proof, k)
                                    for k in ("grad_xi", "grad_eta", "delta"))
    return ReparamContext(
        f=f.f, eta=list(f.eta), Df=f.Df, det_Df=f.det_Df, grad_xi=grad_xi, grad_eta=grad_eta,
        delta=delta, J_delta_verdict=proof.certificate.finding(), certificate=_certificate_kind(proof.certificate),
        delta_witness=None if dc is None or dc.witness is None else str(dc.witness),
        delta_zero=None if dc is None else dc.holds, delta_verdict=None if dc is None else dc.finding(),
        phi_tilde=Mt.phi, G_tilde=G_tilde, **_long_witness(dc))


_END_WORDS = {"+oo": "{t} -> +oo", "-oo": "{t} -> -oo", "0+": "{t} -> 0 from above", "0-": "{t} -> 0 from below"}


def _scope_sentence(step: Any) -> str:
    """One step of a singular-point search in words; the ends of a parameter line as limits
    (``t -> +oo and t -> -oo``), not as a pair that reads like an interval."""
    text = describe(step)
    f = step.facts
    if step.stage == "ends" and step.outcome == "examined" and not f.get("ends") and f.get("all_ends"):
        limits = " and as ".join(_END_WORDS.get(e, "{t} -> " + str(e)).format(t=f["t"]) for e in f["all_ends"])
        text = re.sub(r"phi is unbounded at every end \([^)]*\)", lambda m: f"phi is unbounded as {limits}", text)
    # "2 real solution(s)" -> "2 real solutions", "1 component(s)" -> "1 component"
    return re.sub(r"\b(\d+)((?: [a-z-]+)*?) ([a-z]+)\(s\)",
                  lambda m: f"{m.group(1)}{m.group(2)} {m.group(3)}{'' if m.group(1) == '1' else 's'}", text)


def scope_text(steps: Any) -> str:
    """The scope paragraph of a singular-point search, from its steps (as
    :func:`symgrad.singular.scope.scope_text`, with the ends phrased as limits)."""
    return ". ".join(s[:1].upper() + s[1:].rstrip(".") for s in map(_scope_sentence, steps)) + "."


def _singular(rep: Report) -> SingularContext | None:
    S = rep.singular
    if S is None:
        return None
    drops: list = [str(q) for q in S.rank_drops.points]
    if S.rank_drops.unsolved:
        drops.append(f"{S.rank_drops.unsolved} component(s) given only by the equations "
                     + ", ".join(f"{e} = 0" for e in S.rank_drops.equations))
    X = rep.counterexample
    ce = None
    if X is not None:
        ce = CounterexampleContext(
            point=sp.ImmutableMatrix(X.blue.p), grad1=sp.ImmutableMatrix(X.blue.vector),
            grad2=sp.ImmutableMatrix(X.red.vector), span1=sp.ImmutableMatrix(X.blue.span).T,
            span2=sp.ImmutableMatrix(X.red.span).T,
            method=("exactly" if X.blue.method == X.red.method == "exact"
                    else "numerically, with mpmath at 50 digits"),
            verdict=X.certificate.finding())
    return SingularContext(
        report=S, exact=S.exact, rank_drops=drops,
        crossings=[(dt.crossing.xi1, dt.crossing.xi2, dt.crossing.p, f"{dt.kind} ({dt.method})") for dt in S.details],
        loci=[f"xi1 = {c.xi1}, xi2 = {c.xi2}, p = {c.p} ({', '.join(map(str, free))} free)"
              for c, free in S.crossing_loci],
        limit_points=[str(C).splitlines()[0] for C in S.limit_points],
        scope=scope_text(S.steps) if getattr(S, "steps", None) else S.scope, counterexample=ce)


def derivation_context(rep: Report) -> DerivationContext:
    """The typed template context of a report (the schema of ``derivation.tex.j2``).

    Examples
    ========
    >>> import symgrad as sg
    >>> from symgrad.derivation import load_derivation
    >>> ctx = derivation_context(sg.run_derivation(load_derivation("product")))
    >>> ctx.key, sorted(ctx.as_dict())[:3]
    ('product', ['G', 'J', 'at_point'])
    >>> ctx.at_point.manifold == ctx.grad_manifold.subs(ctx.at_point.point)    # eq. (4) at the point
    True
    """
    d, M, ng = rep.derivation, rep.derivation.model, rep.gradient
    assert ng is not None, "a report always holds the natural gradient"
    P = rep.pinv
    pinv = None
    if P is not None and "G_plus" in rep.unshown:      # exact, but its formula not written out in time
        pinv = PinvContext(None, None, [], str(P.penrose))
    elif P is not None:
        pinv = PinvContext(P.matrix, P.condition, list(P.extra_conditions), str(P.penrose))
    F = rep.factorised
    factorised = None if F is None else FactorisedContext(
        F.K, F.det_K, F.euclidean, F.certificate.finding(), F.K_eta, F.det_K_eta,
        None if F.eta_certificate is None else F.eta_certificate.finding())
    gi = _check(rep, "every generalised inverse")
    at = rep.at_point
    damp, st = rep.damped, rep.step
    return DerivationContext(
        title=d.title, key=d.key, summary=d.summary, notes=list(d.notes) + list(rep.unshown.values()),
        model=ModelContext(M.phi, list(M.xi), list(M.z), M.metric.name, M.g, M.is_fisher, M.name),
        J=M.J, n_params=M.n_params, G=None if "G" in rep.unshown else M.G,
        rank=None if P is None else M.rank, pinv=pinv,
        factorised=factorised,
        loss=None if d.loss is ANY_LOSS else sp.sympify(d.loss),
        dL=ng.dL, nabla=ng.nabla, grad_param=ng.parameter, grad_manifold=ng.manifold,
        riesz_agrees=ng.theorem1.finding(), generalised_verdict="" if gi is None else gi.finding(),
        at_point=None if at is None else PointContext(at.xi, at.parameter, at.manifold),
        reparam=_reparam(rep),
        tikhonov=None if damp is None else TikhonovContext(damp.lam, damp.residual, damp.residual_is_zero,
                                                           damp.damped_xi, damp.damped_limit,
                                                           damp.limit_certificate.finding()),
        step=None if st is None else StepContext(
            st.second_order, st.second_order_is_zero, st.first_order_equal,
            *((None, None, None) if rep.step_form is None else
              (rep.step_form.scalar, rep.step_form.short, rep.step_form.certificate.finding()))),
        singular=_singular(rep), figure=rep.figure, extra=dict(rep.extra),
        display_forms={k: {"scalar": f.scalar, "short": f.short, "verdict": f.certificate.finding()}
                       for k, f in rep.display_forms.items()},
        rank_form=None if rep.rank_form is None else {
            "kind": rep.rank_form.kind, "rank": rep.rank_form.rank, "cols": [j + 1 for j in rep.rank_form.cols],
            "R": rep.rank_form.R, "K": rep.rank_form.K, "g_B": rep.rank_form.g_B, "N": rep.rank_form.N,
            "P": rep.rank_form.P, "verdict": rep.rank_form.certificate.finding()})
