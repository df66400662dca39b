r"""Derivations: one model, loss and reparametrisation, worked through end to end.

A :class:`Derivation` is data: what to compute.  :func:`run_derivation` computes it
(Jacobian, Gram matrix, Moore-Penrose inverse, the gradients of eqs. 4 and 5,
Theorem 1, the invariance claim of eq. 6, and optionally singular points,
Tikhonov damping and the step comparison) and returns a :class:`Report`, which
carries every certificate and the context the LaTeX templates render.

The built-in derivations live in the top-level ``derivations/`` folder (the
package ``symgrad.derivations`` once installed); each file defines a function
``derivation()`` returning a :class:`Derivation`.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import sympy as sp

from .exceptions import DerivationError, LiftError, SymgradError
from .gradient import ANY_LOSS, check_generalised_inverses, natural_gradient
from .model import Model
from .parametrisation import Reparametrisation
from .reparam import check_invariance, damped_invariance, step_comparison
from .proof import Certificate, Verdict, Witness
from .singular import counterexample, ensure_nonsingular, singular_points

__all__ = ["Derivation", "Report", "run_derivation", "builtin_derivations", "load_derivation", "derivations_dir"]


@dataclass
class Derivation:
    """What to derive: a model, a loss, optionally a reparametrisation and extra analyses.

    Attributes
    ==========
    key : a short identifier (letters, digits, ``-``), used on the command line
    title : the section title
    summary : one or two sentences of text; inline mathematics between dollar signs
        (``$G^{+}$``) goes to LaTeX unchanged, the rest is escaped
    model : the :class:`~symgrad.model.Model`
    loss : an expression in the ambient coordinates, or ``ANY_LOSS``
    reparametrisation : ``xi = f(eta)``, or None
    singular : also search for singular points (needs a polynomial model)
    tikhonov : also compute the damped gradient and its limit
    step : also compare gradient steps to second order
    figure : a callable returning TikZ code for a figure, or None
    point : a rational parameter point at which to show numbers, or None
    notes : extra paragraphs, written like ``summary``
    """

    key: str
    title: str
    summary: str
    model: Model
    loss: Any = ANY_LOSS
    reparametrisation: Reparametrisation | None = None
    singular: bool = False
    tikhonov: bool = False
    step: bool = False
    figure: Callable[[Report], str] | None = None
    point: dict | None = None
    notes: Sequence[str] = ()
    extra: Callable[[Report], dict] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", self.key):
            raise DerivationError(f"derivation key {self.key!r} must be letters, digits, '-' or '_'")


@dataclass
class Report:
    """Everything :func:`run_derivation` computed for a derivation, with the certificates."""

    derivation: Derivation
    checks: list[tuple[str, Certificate]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def refuted(self) -> list[tuple[str, Certificate]]:
        """Claims that were refuted (a built-in derivation should have none, except where it says so)."""
        return [(n, c) for n, c in self.checks if c.verdict is Verdict.REFUTED and n not in self.values.get(
            "expected_refutations", ())]

    def ok(self) -> bool:
        return not self.refuted and not self.errors

    def expected(self, name: str) -> bool:
        """The check ``name`` is one whose refutation the derivation is about (``Delta grad != 0``,
        the counterexample at a singular point)."""
        return name in self.values.get("expected_refutations", ())

    def summary_lines(self) -> list[str]:
        """One line per check: ``[VERDICT] name: claim: finding``; a refutation the derivation
        expects (its point is that the claim fails) is marked ``as expected``."""
        out = [f"{self.derivation.key}: {self.derivation.title}"]
        for name, cert in self.checks:
            mark = cert.verdict.name + (", as expected" if self.expected(name) and cert.verdict is
                                        Verdict.REFUTED else "")
            text = cert.summary()
            if text.startswith(f"{name}: "):  # the check is named after its claim: say it once
                text = text[len(name) + 2:]
            out.append(f"  [{mark}] {name}: {text}")
        for e in self.errors:
            out.append(f"  [ERROR] {e}")
        for n in self.notes:
            out.append(f"  note: {n}")
        return out

    def as_json(self) -> dict:
        return {
            "key": self.derivation.key,
            "title": self.derivation.title,
            "ok": self.ok(),
            "checks": [{
                "name": n, "claim": c.claim, "verdict": c.verdict.name, "holds": c.holds, "method": c.method,
                "error_bound": None if c.error_bound is None else str(c.error_bound),
                "dps": c.dps, "witness": None if c.witness is None else str(c.witness),
                "seconds": round(c.seconds, 4), "notes": list(c.notes), "seed": c.seed,
                "expected_refutation": self.expected(n),
            } for n, c in self.checks],
            "errors": list(self.errors),
            "notes": list(self.notes),
        }

    def context(self) -> dict:
        """The plain dictionary the LaTeX templates render (see ``templates/derivation.tex.j2``)."""
        return self.values["context"]


def _verdict_text(c: Certificate) -> str:
    """The finding alone: the template's sentence states the claim in mathematics."""
    return c.finding()


def run_derivation(d: Derivation, *, budget: float = 20.0, seed: int | None = 0,
        progress: Callable[[str], None] | None = None) -> Report:
    """Compute a derivation; every claim is decided and its certificate kept.

    ``seed`` fixes the random points of the probabilistic and numeric levels
    (and of witnesses), so a report is reproducible.
    """
    say = progress or (lambda s: None)
    rep = Report(d)
    M = d.model
    say("Jacobian and Gram matrix")
    ctx: dict[str, Any] = {
        "title": d.title, "key": d.key, "summary": d.summary, "notes": list(d.notes),
        "model": {"phi": M.phi, "params": list(M.xi), "coords": list(M.z), "metric_name": M.metric.name,
                  "metric": M.g, "is_fisher": M.is_fisher, "name": M.name},
        "J": M.J, "n_params": M.n_params,
    }
    try:
        ctx["G"] = M.G
        ctx["rank"] = M.rank
        say("Moore-Penrose inverse")
        P = M.G_plus
        pen = P.penrose
        ctx["pinv"] = {"matrix": P.matrix, "condition": P.condition, "extra_conditions": list(P.extra_conditions),
                       "penrose_verdict": str(pen)}
        rep.checks.append(("Penrose conditions", Certificate(
            "G^+ satisfies the four Penrose conditions", Verdict.PROVED if pen.holds else Verdict.REFUTED,
            pen.method)))
    except LiftError as exc:
        rep.errors.append(f"no exact form of G: {exc}")
        ctx.update(G=M.G, rank=None, pinv=None)
    loss = d.loss
    ctx["loss"] = None if loss is ANY_LOSS else sp.sympify(loss)
    say("natural gradient and Theorem 1")
    ng = natural_gradient(M, loss, budget=budget, seed=seed)
    rep.checks.append(("Theorem 1", ng.theorem1))
    ctx.update(nabla=ng.nabla, grad_param=ng.parameter, grad_manifold=ng.manifold,
               riesz_agrees=_verdict_text(ng.theorem1), dL=ng.dL)
    say("all generalised inverses")
    gi = check_generalised_inverses(M, loss, budget=budget, seed=seed)
    rep.checks.append(("every generalised inverse", gi))
    ctx["generalised_verdict"] = _verdict_text(gi)
    rep.values["natural_gradient"] = ng
    ctx["at_point"] = None
    if d.point is not None:
        # the documented point: validated (domain, singular points refused) and evaluated exactly
        say("values at the given point")
        if loss is ANY_LOSS:
            ensure_nonsingular(M, d.point)
        else:
            at = ng.at(d.point)
            rep.values["at_point"] = at
            ctx["at_point"] = {"point": M.check_params(d.point), "parameter": at.parameter,
                               "manifold": at.manifold}
    ctx["reparam"] = None
    if d.reparametrisation is not None:
        f = d.reparametrisation
        say("reparametrisation and eq. (6)")
        proof = check_invariance(M, f, loss, budget=budget, seed=seed)
        det = sp.sympify(f.det_Df)
        if not (det.is_number and det != 0) and det.is_positive is not True and det.is_negative is not True:
            rep.notes.append(f"det Df = {det} may vanish (where {det} = 0): f is a diffeomorphism only off "
                             "that set, and the comparison of the two parametrisations holds there only")
        rep.values["invariance"] = proof
        rep.checks.append(("J Delta grad = 0", proof.certificate))
        if proof.delta_certificate is not None:
            rep.checks.append(("Delta grad", proof.delta_certificate))
            rep.values.setdefault("expected_refutations", set()).add("Delta grad")
        Mt = M.reparametrise(f)
        dc = proof.delta_certificate
        ctx["reparam"] = {
            "f": f.f, "eta": list(f.eta), "Df": f.Df, "det_Df": f.det_Df, "grad_xi": proof.grad_xi,
            "grad_eta": proof.grad_eta, "delta": proof.delta, "J_delta_verdict": _verdict_text(proof.certificate),
            "certificate": _certificate_kind(proof.certificate),
            "delta_witness": None if dc is None or dc.witness is None else str(dc.witness),
            "delta_zero": None if dc is None else dc.holds,
            "delta_verdict": None if dc is None else _verdict_text(dc),
            "phi_tilde": Mt.phi, "G_tilde": _safe(lambda: Mt.G),
        }
        if d.tikhonov:
            say("Tikhonov damping")
            damp = damped_invariance(M, f, loss)
            rep.checks.append(("Tikhonov limit", damp.limit_certificate))
            ctx["tikhonov"] = {"lam": damp.lam, "residual": damp.residual, "residual_is_zero": damp.residual_is_zero,
                               "damped": damp.damped_xi, "limit": damp.damped_limit,
                               "verdict": _verdict_text(damp.limit_certificate)}
        if d.step:
            say("gradient steps")
            st = step_comparison(M, f, loss)
            ctx["step"] = {"second_order": st.second_order, "is_zero": st.second_order_is_zero,
                           "first_order_equal": st.first_order_equal}
    ctx.setdefault("tikhonov", None)
    ctx.setdefault("step", None)
    ctx["singular"] = None
    if d.singular:
        say("singular points")
        S = singular_points(M)
        rep.values["singular"] = S
        drops = [str(q) for q in S.rank_drops.points]
        if S.rank_drops.unsolved:
            drops.append(f"{S.rank_drops.unsolved} component(s) given only by the equations "
                         + ", ".join(f"{e} = 0" for e in S.rank_drops.equations))
        ctx["singular"] = {
            "report": S, "exact": S.exact, "rank_drops": drops,
            "crossings": [(dt.crossing.xi1, dt.crossing.xi2, dt.crossing.p,
                           f"{dt.kind} ({dt.method})") for dt in S.details],
            "loci": [f"xi1 = {c.xi1}, xi2 = {c.xi2}, p = {c.p} ({', '.join(map(str, free))} free)"
                     for c, free in S.crossing_loci],
            "limit_points": [str(C).splitlines()[0] for C in S.limit_points],
            "scope": S.scope, "counterexample": None}
        crossing = next((dt.crossing for dt in S.details if dt.kind == "crossing"), None)
        if crossing is not None and loss is not ANY_LOSS:
            p = crossing.p
            say("eq. (4) on both branches of a singular point")
            X = counterexample(M, loss, p)
            rep.values["counterexample"] = X
            ctx["singular"]["counterexample"] = {
                "point": sp.ImmutableMatrix(p), "grad1": sp.ImmutableMatrix(X.blue.vector),
                "grad2": sp.ImmutableMatrix(X.red.vector), "span1": sp.ImmutableMatrix(X.blue.span).T,
                "span2": sp.ImmutableMatrix(X.red.span).T,
                "method": ("exactly" if X.blue.method == X.red.method == "exact"
                           else "numerically, with mpmath at 50 digits")}
            diff = tuple(sp.simplify(a - b) for a, b in zip(X.blue.vector, X.red.vector))
            exact = X.blue.method == X.red.method == "exact"
            claim = (f"eq. (4) gives the same vector at the singular point p = {tuple(p)} for phi and for "
                     f"phi o f with {X.swap}")
            if exact:
                verdict = Verdict.REFUTED if X.differ else Verdict.PROVED
                method = "exact arithmetic at the preimages (symgrad.singular.counterexample)"
            else:  # transcendental values at irrational preimages: mpmath at 50 digits
                verdict = Verdict.REFUTED if X.differ else Verdict.NUMERIC
                method = "mpmath at 50 digits at the preimages (symgrad.singular.counterexample)"
            rep.checks.append(("eq. (4) at a singular point", Certificate(
                claim, verdict, method, dps=None if exact else 50,
                max_residual=None if exact else max(abs(sp.N(x, 30)) for x in diff),
                points=() if exact else (dict(X.blue.xi),),
                witness=Witness(dict(X.blue.xi), diff, exact=exact) if X.differ else None)))
            rep.values.setdefault("expected_refutations", set()).add("eq. (4) at a singular point")
    if d.extra is not None:
        ctx.update(d.extra(rep))
    ctx["figure"] = None
    if d.figure is not None:
        say("figure")
        ctx["figure"] = d.figure(rep)
    rep.values["context"] = ctx
    return rep


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except SymgradError:
        return None


def _certificate_kind(c: Certificate) -> str:
    if c.verdict is Verdict.PROVED:
        return "exact: " + c.method
    if c.verdict is Verdict.PROVED_PROBABILISTIC:
        return c.finding()
    if c.verdict is Verdict.NUMERIC:
        return f"numeric evidence only ({c.dps} digits), not a proof"
    return c.finding()


# ---------------------------------------------------------------------------
# Finding derivations
# ---------------------------------------------------------------------------

def derivations_dir() -> Path:
    """The folder of built-in derivations (installed package, or the source checkout)."""
    try:
        from importlib.resources import files
        p = Path(str(files("symgrad.derivations")))
        if p.is_dir() and any(p.glob("*.py")):
            return p
    except (ModuleNotFoundError, TypeError):
        pass
    p = Path(__file__).resolve().parent.parent / "derivations"
    if p.is_dir():
        return p
    raise DerivationError("cannot find the built-in derivations folder; reinstall symgrad")


def load_derivation(name_or_path: str | Path) -> Derivation:
    """A built-in derivation by key, or a user's file defining ``derivation()``."""
    path = Path(name_or_path)
    if path.suffix == ".py" and not path.is_file():
        raise DerivationError(f"{path}: no such file (a derivation is a built-in key or the path of a .py file)")
    if not (path.suffix == ".py" and path.exists()):
        cand = derivations_dir() / f"{str(name_or_path).replace('-', '_')}.py"
        if not cand.exists():
            known = ", ".join(k for k, _ in builtin_derivations())
            raise DerivationError(f"no derivation named {name_or_path!r}; built-in ones: {known}; "
                                  "or give the path of a .py file that defines derivation()")
        path = cand
    modname = f"_symgrad_derivation_{path.stem}"
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:
        raise DerivationError(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    try:
        spec.loader.exec_module(mod)
    except SymgradError:
        raise
    except Exception as exc:
        raise DerivationError(f"{path} failed to load: {type(exc).__name__}: {exc}") from exc
    fn = getattr(mod, "derivation", None)
    if not callable(fn):
        raise DerivationError(f"{path} defines no function derivation() returning a symgrad.Derivation")
    try:
        d = fn()
    except SymgradError:
        raise
    except Exception as exc:
        raise DerivationError(f"derivation() in {path} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(d, Derivation):
        raise DerivationError(f"derivation() in {path} returned {type(d).__name__}, not a symgrad.Derivation")
    return d


#: The built-in derivations in the order of the paper's argument: Figure 1 (one model,
#: two parametrisations), the overparametrised models of Theorem 1 and eq. (6), the
#: empirical Fisher matrix and damping of the Conclusion, then Figure 2 (a singular point).
BUILTIN_ORDER = ("polar", "product", "softmax", "linear-network", "gaussian", "empirical-fisher",
                 "nodal-cubic")


def builtin_derivations() -> list[tuple[str, Path]]:
    """``(key, path)`` of every built-in derivation, in the order of :data:`BUILTIN_ORDER`
    (any other file in the folder after them, by name)."""
    found = {p.stem.replace("_", "-"): p for p in derivations_dir().glob("*.py") if not p.name.startswith("_")}
    rank = {key: i for i, key in enumerate(BUILTIN_ORDER)}
    return sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
