r"""Derivations: one model, loss and reparametrisation, worked through end to end.

A :class:`Derivation` is data: what to compute.  :func:`run_derivation` computes it
(Jacobian, Gram matrix, Moore-Penrose inverse, the gradients of eqs. 4 and 5,
Theorem 1, the invariance claim of eq. 6, and optionally singular points,
Tikhonov damping and the step comparison) and returns a :class:`Report`, which
holds the library's result objects, each with its certificate.  The template
context is built from a report by :mod:`symgrad.render.context`.

The built-in derivations live in the top-level ``derivations/`` folder (the
package ``symgrad.derivations`` once installed); each file defines a function
``derivation()`` returning a :class:`Derivation`.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib.util
from importlib.resources import files
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import sympy as sp

from ._budget import DEFAULT_BUDGET, Budget, OutOfTime, as_budget
from .exceptions import DerivationError, LiftError, OutOfBudgetError, SymgradError
from .gradient import (
    ANY_LOSS, GradientAt, NaturalGradient, check_generalised_inverses, loss_differential, natural_gradient,
)
from .inverse import PseudoInverse
from .model import Model
from .notation import latex_text
from .parametrisation import Reparametrisation
from .ops import ExactOps, Ops
from .proof import Certificate, Claim, Verdict, decide
from .reparam import (
    DampedInvariance, InvarianceProof, StepComparison, check_invariance, damped_invariance, step_comparison,
)
from .counterexample import Counterexample, counterexample
from .exact import dense as linalg
from .factored import FactoredForm, factored
from .singular import SingularPoints, ensure_nonsingular, singular_points
from .structured import RankForm, rank_form

__all__ = ["Derivation", "Report", "Factorisation", "RankForm", "run_derivation", "builtin_derivations",
           "load_derivation", "derivations_dir", "factorise", "rank_form"]


@dataclass
class Derivation:
    """What to derive: a model, a loss, optionally a reparametrisation and extra analyses.

    Attributes
    ==========
    key : a short identifier (letters, digits, ``-``), used on the command line
    title : the section title, written like ``summary`` (inline mathematics between dollar signs)
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

    def __repr__(self) -> str:
        extras = [name for name, on in (("reparametrisation", self.reparametrisation is not None),
                                        ("singular points", self.singular), ("Tikhonov", self.tikhonov),
                                        ("steps", self.step), ("point", self.point is not None)) if on]
        return f"<Derivation {self.key!r}: {self.title}" + (f" ({', '.join(extras)})" if extras else "") + ">"

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise DerivationError(f"a Derivation needs model=symgrad.Model(...); got {self.model!r}")
        if self.reparametrisation is not None and not isinstance(self.reparametrisation, Reparametrisation):
            raise DerivationError("reparametrisation= must be a symgrad.Reparametrisation or None; got "
                                  f"{type(self.reparametrisation).__name__}")
        if self.point is not None and not isinstance(self.point, Mapping):
            raise DerivationError(f"point= must be a mapping from the parameters to values; got {self.point!r}")
        if not isinstance(self.key, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", self.key):
            raise DerivationError(f"derivation key {self.key!r} must be letters, digits, '-' or '_'")


def _pad(rows: list, width: int, zero: Any) -> list:
    return [list(r) + [zero] * (width - len(r)) for r in rows]


def _hstack(ops: Ops, *blocks: list) -> list:
    """The blocks side by side, shorter ones padded with zero rows (a residual must be rectangular)."""
    height = max(len(b) for b in blocks)
    width = [len(b[0]) if b else 0 for b in blocks]
    out: list = [[] for _ in range(height)]
    for b, w in zip(blocks, width):
        for i in range(height):
            out[i] += list(b[i]) if i < len(b) else [ops.zero] * w
    return out


def _factor_xi(ops: Ops, inp: dict) -> dict:
    r"""The premises of the Penrose argument for ``X = J^T K^{-1} g^{-1} K^{-1} J`` (``K = J J^T``) and
    the two gradient identities, as residuals side by side: ``G - J^T g J``, ``g - g^T``,
    ``K K^{-1} - I``, ``g g^{-1} - I``, ``J^T K^{-1} w - grad^Xi`` and ``grad_manifold - w`` with
    ``w = g^{-1} dL``.  No product with the expanded ``G^+`` is formed (see :class:`Factorisation`)."""
    J, g, dL, G = inp["J"], inp["g"], inp["dL"], inp["G"]
    m = len(J)
    eye = [[ops.one if i == j else ops.zero for j in range(m)] for i in range(m)]
    K = ops.mul(J, ops.T(J))
    Ki, gi = ops.inv(K), ops.inv(g)
    w = ops.mul(gi, dL)
    res = _hstack(ops, ops.sub(G, ops.mul(ops.T(J), ops.mul(g, J))), ops.sub(g, ops.T(g)),
                  ops.sub(ops.mul(K, Ki), eye), ops.sub(ops.mul(g, gi), eye),
                  ops.sub(ops.mul(ops.mul(ops.T(J), Ki), w), inp["grad_param"]),
                  ops.sub(inp["grad_manifold"], w))
    return {"residual": res, "K": K, "det_K": [[linalg.det(K, ops.pivot_zero, ops.cost)]]}


def _factor_eta(ops: Ops, inp: dict) -> dict:
    r"""The premises of the Penrose argument for ``phi o f``, with ``Jt = J(f(eta)) Df`` and
    ``Kt = Jt Jt^T``: ``Jt_model - J Df`` (the library's Jacobian of ``phi o f`` against the chain
    rule), ``g - g^T``, ``K K^{-1} - I``, ``Kt Kt^{-1} - I`` and ``g g^{-1} - I``; and, as outputs,
    ``grad^Xi = J^T K^{-1} w`` at ``xi = f(eta)``, ``grad^H = Jt^T Kt^{-1} w`` and
    ``Delta grad = grad^Xi - Df grad^H`` with ``w = g^{-1} dL``."""
    J, g, dL, Df = inp["J"], inp["g"], inp["dL"], inp["Df"]
    m = len(J)
    eye = [[ops.one if i == j else ops.zero for j in range(m)] for i in range(m)]
    Jt = ops.mul(J, Df)
    K, Kt = ops.mul(J, ops.T(J)), ops.mul(Jt, ops.T(Jt))
    Ki, Kti, gi = ops.inv(K), ops.inv(Kt), ops.inv(g)
    res = _hstack(ops, ops.sub(inp["J_tilde"], Jt), ops.sub(g, ops.T(g)), ops.sub(ops.mul(K, Ki), eye),
                  ops.sub(ops.mul(Kt, Kti), eye), ops.sub(ops.mul(g, gi), eye))
    return {"residual": res, "K": Kt, "det_K": [[linalg.det(Kt, ops.pivot_zero, ops.cost)]],
            "Ki": Ki, "Kti": Kti, "Jt": Jt, "w": ops.mul(gi, dL)}


#: Vectors of eqs. (5) and (6) through ``K`` are converted to SymPy only while the sum of the sizes
#: (terms of numerator and denominator) of their exact entries stays below this; larger ones (a tanh
#: network's ``Delta grad`` has millions of operations) are not expanded at all.
_MAX_EXPANDED_TERMS = 3000


def _eta_vectors(dec: Any, Df: sp.MatrixBase, J: sp.MatrixBase) -> dict[str, sp.ImmutableMatrix | None]:
    """``J^T K^{-1} w``, ``Jt^T Kt^{-1} w`` and ``Delta grad`` from an exact run of :func:`_factor_eta`,
    each stopped (None) as soon as one is larger than :data:`_MAX_EXPANDED_TERMS`."""
    out: dict[str, sp.ImmutableMatrix | None] = {"grad_xi": None, "grad_eta": None, "delta": None}
    o, L = dec.exact_outputs, dec.lifting
    if L is None or "Kti" not in o:
        return out
    ops = ExactOps(L)
    lifted_J, lifted_Df = L.lift_matrix(sp.Matrix(J)), L.lift_matrix(sp.Matrix(Df))

    def small(v: list) -> bool:
        return sum(x.size() for row in v for x in row) <= _MAX_EXPANDED_TERMS

    grad_eta = ops.mul(ops.T(o["Jt"]), ops.mul(o["Kti"], o["w"]))
    if not small(grad_eta):
        return out
    grad_xi = ops.mul(ops.T(lifted_J), ops.mul(o["Ki"], o["w"]))
    delta = ops.sub(grad_xi, ops.mul(lifted_Df, grad_eta))
    if not (small(grad_xi) and small(delta)):
        return out
    return {k: L.matrix_to_sympy(v, factor=True) for k, v in
            (("grad_xi", grad_xi), ("grad_eta", grad_eta), ("delta", delta))}


@dataclass(frozen=True)
class Factorisation:
    r"""``G^+`` and the gradients through ``K = J J^T``, when ``J`` has full row rank.

    When the generic rank of ``J`` equals the number ``m`` of ambient
    coordinates and is smaller than ``d`` (an overparametrised model that fills
    an open set of ``Z``), ``K = J J^T`` is an invertible ``m x m`` matrix and

    .. math::

        G^+ = J^T K^{-1} g^{-1} K^{-1} J, \qquad
        \operatorname{grad}^{\Xi} = J^T K^{-1} w, \qquad
        J G^+ \nabla\mathcal{L} = w = g^{-1}\, d\mathcal{L},

    **Why, and how it is checked.**  Let ``X = J^T K^{-1} g^{-1} K^{-1} J``.  With
    ``G = J^T g J``, ``g`` symmetric and invertible and ``K K^{-1} = I``, every
    product in the Penrose conditions collapses through ``J J^T = K``:

    * ``G X = J^T g (J J^T) K^{-1} g^{-1} K^{-1} J = J^T K^{-1} J``, and likewise
      ``X G = J^T K^{-1} g^{-1} K^{-1} (J J^T) g J = J^T K^{-1} J``;
    * ``P = J^T K^{-1} J`` is symmetric (``K`` is) and ``P^2 = J^T K^{-1} K K^{-1} J = P``;
    * ``G X G = P G = J^T K^{-1} (J J^T) g J = G`` and ``X G X = P X = X`` by the same step.

    So ``X`` satisfies the four Penrose conditions at every point where
    ``det K != 0`` (and ``g`` is invertible), i.e. it is the Moore-Penrose
    inverse there (Definition 1 of the paper).  The expanded ``G^+`` of the
    library satisfies the Penrose conditions too (its own certificate, checked
    on the formula), and the Moore-Penrose inverse of a matrix is unique, so
    the two formulas agree on the intersection of their (dense, open) validity
    sets, hence as rational functions.  The check therefore decides only the
    premises, each a small identity: ``G - J^T g J = 0``, ``g = g^T``,
    ``K K^{-1} = I`` and ``g g^{-1} = I``; it never forms a product with the
    expanded ``G^+``, whose entries can run to hundreds of thousands of
    operations (a tanh network), so it costs about as much as ``K^{-1}``.  It is
    made only when the Penrose conditions of the expanded form are proved.

    Eqs. (5) and (4) follow with ``nabla L = J^T dL``: ``G^+ nabla L =
    J^T K^{-1} g^{-1} K^{-1} (J J^T) dL = J^T K^{-1} w`` and ``J J^T K^{-1} w =
    w``; these two are decided directly against the vectors the library
    computed (vectors, so the subtraction is cheap).  For the second
    parametrisation ``Jt = J(f(eta)) Df`` has full row rank too, and
    ``Delta grad`` of eq. (6) is ``J^T K^{-1} w - Df Jt^T Kt^{-1} w`` at
    ``xi = f(eta)``: the same argument for ``Gt = Jt^T g Jt`` (with ``Jt`` checked
    against the Jacobian of ``phi o f`` the library computed, the chain rule)
    shows ``Gt^+ = Jt^T Kt^{-1} g^{-1} Kt^{-1} Jt``, so these are the vectors of
    eqs. (5) and (6); they are computed here through ``K`` and ``Kt`` instead of
    being compared with expansions through the Gram matrix of ``phi o f``.

    Attributes
    ==========
    K, det_K : ``J J^T`` and its determinant (``G^+`` above holds where ``det K != 0``)
    euclidean : ``g`` is the identity matrix (then ``G^+ = J^T K^{-2} J``)
    certificate : the premises of the Penrose argument and the two gradient identities, in the
        parameters ``xi`` (with the expanded form's Penrose certificate, this proves the factorised
        ``G^+`` equal to the expanded one)
    K_eta, det_K_eta : ``Jt Jt^T`` and its determinant, or None without a reparametrisation
    eta_certificate : the premises of the same argument for ``phi o f`` (so ``grad^H`` and
        ``Delta grad`` below are those of eqs. 5 and 6), or None
    grad_xi_eta, grad_eta, delta : ``J^T K^{-1} w`` at ``xi = f(eta)``, ``Jt^T Kt^{-1} w`` and
        ``Delta grad`` (SymPy, factored), computed exactly through ``K`` and ``Kt``; None when the
        exact level did not run or they are too large to write out (:data:`_MAX_EXPANDED_TERMS`).
        These replace the library's expansions through the Gram matrix of ``phi o f``, which can
        take far longer to form
    """

    K: sp.ImmutableMatrix
    det_K: sp.Expr
    euclidean: bool
    certificate: Certificate
    K_eta: sp.ImmutableMatrix | None = None
    det_K_eta: sp.Expr | None = None
    eta_certificate: Certificate | None = None
    grad_xi_eta: sp.ImmutableMatrix | None = None
    grad_eta: sp.ImmutableMatrix | None = None
    delta: sp.ImmutableMatrix | None = None

    def _repr_latex_(self) -> str:
        form = r"J^{\top} K^{-2} J" if self.euclidean else r"J^{\top} K^{-1} g^{-1} K^{-1} J"
        return (rf"$G^{{+}} = {form},\quad K = J J^{{\top}} = {sp.latex(self.K)}\colon\ "
                + latex_text(self.certificate.finding()) + "$")

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer (containers under ``init_printing``)."""
        return self._repr_latex_().strip("$")

    def __repr__(self) -> str:
        m = self.K.rows
        out = f"<Factorisation: K = J J^T ({m}x{m}), G^+ = J^T K^-1 g^-1 K^-1 J: {self.certificate.finding()}"
        if self.eta_certificate is not None:
            out += f"; grad^H and Delta grad through Kt: {self.eta_certificate.finding()}"
        return out + ">"


def _sympy_K(decision: Any, J: sp.MatrixBase) -> tuple[sp.ImmutableMatrix, sp.Expr]:
    """``K`` and ``det K`` (factored) from the exact run, or computed in SymPy for display only."""
    K, det = decision.outputs.get("K"), decision.outputs.get("det_K")
    if K is None:  # no exact run: the same product in SymPy, for display only
        K = (J * J.T).applyfunc(lambda e: sp.factor(sp.expand(e)))
    if det is None:
        det = sp.factor(sp.Matrix(K).det(method="berkowitz"))
    else:
        det = det[0, 0]
    return sp.ImmutableMatrix(K), det


def factorise(model: Model, ng: NaturalGradient, invariance: InvarianceProof | None = None, *,
              budget: float | None = DEFAULT_BUDGET, seed: int | None = 0) -> Factorisation | None:
    r"""The full-row-rank form of ``G^+`` and of the gradients, proved equal to the expanded ones.

    Returns None unless ``J`` has full row rank and the model is overparametrised
    (generic rank ``= m < d``) and the expanded results of ``ng`` (and of
    ``invariance``) are available.  See :class:`Factorisation` for the formulas.

    Examples
    ========
    >>> import symgrad as sg
    >>> a, b = sp.symbols("a b", real=True)
    >>> M = sg.Model([a * b], params=[a, b])
    >>> F = factorise(M, sg.natural_gradient(M, (M.z[0] - 1)**2 / 2, seed=0))
    >>> F.K, F.certificate.holds                   # K = J J^T = a^2 + b^2; G^+ = J^T K^-2 J proved
    (Matrix([[a**2 + b**2]]), True)
    """
    if ng.parameter is None or ng.manifold is None:
        return None
    try:
        if not (model.rank == model.dim_ambient < model.n_params):
            return None
        # the uniqueness argument needs the expanded form to be the Moore-Penrose inverse
        if model.G_plus.penrose.holds is not True:
            return None
    except LiftError:  # no exact rank or G^+: nothing to factorise against
        return None
    syms = model.xi + model.constants
    positive = model.positive
    inputs = {"J": model.J, "g": model.g_phi, "dL": ng.dL, "G": model.G,
              "grad_param": ng.parameter, "grad_manifold": ng.manifold}
    extra = set().union(*[sp.Matrix(v).free_symbols for v in inputs.values()]) - set(syms)
    claim = Claim("G^+ = J^T K^-1 g^-1 K^-1 J with K = J J^T (the Penrose conditions in factored form: "
                  "G = J^T g J, g = g^T, K K^-1 = I, g g^-1 = I; equal to the expanded G^+ by uniqueness), "
                  "grad^Xi = J^T K^-1 g^-1 dL and J G^+ nabla L = g^-1 dL", inputs, syms, _factor_xi,
                  positive=positive, extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    dec = decide(claim, budget=budget, seed=seed, keep=("K", "det_K"))
    K, det_K = _sympy_K(dec, model.J)
    euclidean = sp.Matrix(model.g_phi) == sp.eye(model.dim_ambient)
    out = Factorisation(K=K, det_K=det_K, euclidean=euclidean,
                        certificate=dec.certificate)
    if invariance is None or out.certificate.holds is not True:
        return out
    f = invariance.f
    sub = dict(zip(model.xi, f.f))
    eta_syms = f.eta + tuple(dict.fromkeys(model.constants + f.constants))
    try:
        J_tilde = model.reparametrise(f).J
    except SymgradError:
        return out
    inputs = {"J": model.J.xreplace(sub), "g": model.g_phi.xreplace(sub),
              "dL": loss_differential(model, ng.loss).xreplace(sub), "Df": f.Df, "J_tilde": J_tilde}
    extra = set().union(*[sp.Matrix(v).free_symbols for v in inputs.values()]) - set(eta_syms)
    claim = Claim("grad^H = Jt^T Kt^-1 g^-1 dL with Jt = J(f(eta)) Df, Kt = Jt Jt^T, and "
                  "Delta grad = J^T K^-1 g^-1 dL - Df grad^H at xi = f(eta) (the Penrose conditions for "
                  "Jt^T g Jt in factored form: Jt is the Jacobian of phi o f, Kt Kt^-1 = I, K K^-1 = I, "
                  "g = g^T, g g^-1 = I)", inputs, eta_syms, _factor_eta,
                  positive=tuple(sp.sympify(e).xreplace(sub) for e in positive),
                  extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    dec = decide(claim, budget=budget, seed=seed, keep=("K", "det_K"))
    Kt, det_Kt = _sympy_K(dec, inputs["J"] * f.Df)
    vec = _eta_vectors(dec, f.Df, inputs["J"])
    return Factorisation(K=K, det_K=out.det_K, euclidean=euclidean, certificate=out.certificate, K_eta=Kt,
                         det_K_eta=det_Kt, eta_certificate=dec.certificate, grad_xi_eta=vec["grad_xi"],
                         grad_eta=vec["grad_eta"], delta=vec["delta"])


@dataclass
class Report:
    """Everything :func:`run_derivation` computed for a derivation, with the certificates.

    Attributes
    ==========
    derivation : the :class:`Derivation` that was run
    checks : ``(name, certificate)`` for every claim decided, in order
    errors, notes : what went wrong, and remarks on the scope of the results
    expected_refutations : names of checks whose refutation the derivation is about
        (``Delta grad``: eq. 5 depends on the parametrisation; the counterexample of Fig. 2)
    pinv : ``G^+`` with its validity condition and Penrose certificate, when ``G`` is exact
    factorised : ``G^+`` and the gradients through ``K = J J^T`` when ``J`` has full row rank,
        proved equal to the expanded forms (:class:`Factorisation`), else None
    rank_form : ``G^+`` as a full-rank factorisation or in projector form when the rank of ``J`` is
        below both its dimensions, proved equal to the expanded form (:class:`RankForm`), else None
    gradient : eqs. (4), (5), (1) and Theorem 1 (:class:`~symgrad.gradient.NaturalGradient`)
    at_point : the exact vectors at the derivation's point (:class:`~symgrad.gradient.GradientAt`)
    invariance : eq. (6) under the reparametrisation (:class:`~symgrad.reparam.InvarianceProof`)
    reparametrised : the model ``phi o f``
    damped : Tikhonov damping (:class:`~symgrad.reparam.DampedInvariance`)
    step : the gradient steps to second order (:class:`~symgrad.reparam.StepComparison`)
    step_form : the second-order term as a common factor times a short vector, proved equal
        (:class:`~symgrad.factored.FactoredForm`), or None
    display_forms : the same for the vectors of eqs. (5), (4) and (6) (keys ``grad_param``,
        ``grad_manifold``, ``grad_eta``, ``delta``) where it makes them shorter; display only,
        not among the checks
    singular : the singular-point search (:class:`~symgrad.singular.SingularPoints`)
    counterexample : eq. (4) on two branches of a singular point (Fig. 2), with its certificate
    figure : TikZ code of the figure
    extra : what the derivation's ``extra`` hook added for its template
    unshown : the formulas that were not written out within the budget (keys ``G``, ``G_plus``,
        ``G_tilde``, ``grad_xi``, ``grad_eta``, ``delta``), each with the sentence saying so; the
        verdicts do not depend on them, and the appendix says which formulas it leaves out
    """

    derivation: Derivation
    checks: list[tuple[str, Certificate]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    expected_refutations: set[str] = field(default_factory=set)
    pinv: PseudoInverse | None = None
    factorised: Factorisation | None = None
    rank_form: RankForm | None = None
    gradient: NaturalGradient | None = None
    at_point: GradientAt | None = None
    invariance: InvarianceProof | None = None
    reparametrised: Model | None = None
    damped: DampedInvariance | None = None
    step: StepComparison | None = None
    step_form: FactoredForm | None = None
    display_forms: dict[str, FactoredForm] = field(default_factory=dict)
    singular: SingularPoints | None = None
    counterexample: Counterexample | None = None
    figure: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    unshown: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for name, c in self.checks:
            word = {Verdict.PROVED: "proved exactly", Verdict.PROVED_PROBABILISTIC: "proved with bounded error",
                    Verdict.NUMERIC: "numeric only", Verdict.UNDECIDED: "undecided"}.get(c.verdict, "refuted")
            if c.verdict is Verdict.REFUTED and self.expected(name):
                word = "refuted as expected"
            counts[word] = counts.get(word, 0) + 1
        parts = ", ".join(f"{n} {w}" for w, n in counts.items())
        errors = f", {len(self.errors)} error(s)" if self.errors else ""
        return f"<Report {self.derivation.key!r}: {len(self.checks)} checks ({parts}){errors}>"

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())

    def _repr_latex_(self) -> str:
        rows = [latex_text(f"{name}: {c.finding()}") for name, c in self.checks]
        return r"$\begin{gathered}" + latex_text(f"{self.derivation.key}: {len(self.checks)} checks") + r"\\ " \
            + r"\\ ".join(rows) + r"\end{gathered}$"

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer (containers under ``init_printing``)."""
        return self._repr_latex_().strip("$")

    @property
    def refuted(self) -> list[tuple[str, Certificate]]:
        """Claims that were refuted, other than those the derivation declares it refutes."""
        return [(n, c) for n, c in self.checks if c.verdict is Verdict.REFUTED and n not in self.expected_refutations]

    @property
    def unproved(self) -> list[tuple[str, Certificate]]:
        """Claims that are only supported numerically or undecided (neither proved nor refuted)."""
        return [(n, c) for n, c in self.checks if c.verdict in (Verdict.NUMERIC, Verdict.UNDECIDED)]

    def ok(self) -> bool:
        return not self.refuted and not self.errors

    def expected(self, name: str) -> bool:
        """The check ``name`` is one whose refutation the derivation is about (``Delta grad != 0``,
        the counterexample at a singular point)."""
        return name in self.expected_refutations

    def summary_lines(self) -> list[str]:
        """One line per check: ``[VERDICT] name: claim: finding``; a refutation the derivation
        expects (its point is that the claim fails) is marked ``as expected``.  Formulas are written
        for a reader (:func:`_readable`: ``x^2``, ``2 u v^3``), not in Python syntax."""
        return [_readable(line) for line in self._summary_lines()]

    def _summary_lines(self) -> list[str]:
        out = [f"{self.derivation.key}: {self.derivation.title}"]
        for name, cert in self.checks:
            mark = cert.verdict.name + (", as expected" if self.expected(name) and cert.verdict is
                                        Verdict.REFUTED else "")
            text = cert.summary()
            if text.startswith(f"{name}: "):  # the check is named after its claim: say it once
                text = text[len(name) + 2:]
            out.append(f"  [{mark}] {name}: {text}")
        if self.at_point is not None:
            out.extend("  " + line for line in self._point_lines())
        for e in self.errors:
            out.append(f"  [ERROR] {e}")
        for n in self.notes:
            out.append(f"  note: {n}")
        return out

    def _point_values(self) -> dict | None:
        """The values at the derivation's point: exact strings and 10-digit decimals."""
        at = self.at_point
        if at is None:
            return None

        def entries(M: Any) -> list[str]:
            return [str(x) for x in M]

        def decimals(M: Any) -> list[str]:
            return [str(sp.N(x, 10)) for x in M]

        return {"point": {str(k): str(v) for k, v in at.xi.items()}, "method": at.method,
                "parameter": entries(at.parameter), "manifold": entries(at.manifold),
                "parameter_decimal": decimals(at.parameter), "manifold_decimal": decimals(at.manifold)}

    def _point_lines(self) -> list[str]:
        v = self._point_values()
        if v is None:
            return []
        pt = ", ".join(f"{k} = {x}" for k, x in v["point"].items())
        kind = "exact" if v["method"] == "exact" else f"numeric ({v['method']})"
        lines = [f"values at {pt} ({kind}):"]
        for label, key in (("eq. (5) grad^Xi L", "parameter"), ("eq. (4) grad_p L", "manifold")):
            exact, dec = v[key], v[f"{key}_decimal"]
            shown = f"({', '.join(exact)})"
            if any(not _is_short_rational(x) for x in exact):
                shown += f" ~ ({', '.join(dec)}) (decimals to 10 digits)"
            lines.append(f"  {label} = {shown}")
        return lines

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
            "expected_refutations": sorted(self.expected_refutations),
            "at_point": self._point_values(),
            "errors": list(self.errors),
            "notes": list(self.notes),
        }


_POWER = re.compile(r"\s*\*\*\s*")
_TIMES = re.compile(r"(?<=[\w)])\*(?=[\w(])")
_EXACT_DECIMAL = re.compile(r" = (?P<d>-?\d+\.\d+(?:e[-+]?\d+)?) \(exact\)")


def _readable(line: str) -> str:
    """A terminal line with its formulas in the notation of a paper rather than Python's: powers as
    ``^``, products by juxtaposition, and a rounded decimal beside an exact value marked as such
    (``... = 0.333749 (exact)`` reads ``... (exact; about 0.333749)``).

    Examples
    ========
    >>> _readable("where (u**2 + 2*u*v**3)*(v + 1) != 0")
    'where (u^2 + 2 u v^3) (v + 1) != 0'
    >>> _readable("entry (1, 1) is (1 + exp(8))*exp(-8)/3 = 0.333749 (exact)")
    'entry (1, 1) is (1 + exp(8)) exp(-8)/3 (exact; about 0.333749)'
    """
    line = _POWER.sub("^", line)
    line = _TIMES.sub(" ", line)
    return _EXACT_DECIMAL.sub(lambda m: f" (exact; about {m['d']})", line)


def _presentation(rep: Report, what: str, seconds: float | None, fn: Callable[[], Any]) -> Any:
    """A short form for display (factorised G^+, a factored vector): ``fn()``, or None with a note when
    it runs out of its budget.  Unlike a claim of the derivation it adds no undecided check: the
    expanded form it would replace is shown instead."""
    b = Budget(seconds)
    try:
        with b.limit():
            return fn()
    except OutOfTime as exc:
        if not b.owns(exc):
            raise
    except (OutOfBudgetError, LiftError):
        pass
    rep.notes.append(f"{what} did not finish within the budget; the expanded form is shown")
    return None


def _write_out(rep: Report, seconds: float | None) -> None:
    """Build the SymPy formulas the appendix shows, each within the budget of one check.

    They are formed on first request (converting exact results to SymPy can take longer than the
    proofs); a formula that does not finish in time is recorded in ``rep.unshown`` and left out of
    the appendix, which says so, instead of being built later without a limit.
    """
    M, P, inv = rep.derivation.model, rep.pinv, rep.invariance
    jobs: list[tuple[str, str, Callable[[], Any]]] = [("G", "the Gram matrix G", lambda: M.G)]
    if P is not None:
        jobs.append(("G_plus", "the expanded Moore-Penrose inverse G^+",
                     lambda: (P.matrix, P.condition, P.extra_conditions)))
    if rep.reparametrised is not None:
        Mt = rep.reparametrised
        jobs.append(("G_tilde", "the Gram matrix of the reparametrised model", lambda: Mt.G))
    F = rep.factorised
    if inv is not None and not (F is not None and F.eta_certificate is not None):
        jobs += [(k, f"the formula for {w}", functools.partial(getattr, inv, k))
                 for k, w in (("grad_xi", "grad^Xi at xi = f(eta)"), ("grad_eta", "grad^H"),
                              ("delta", "Delta grad"))]
    for key, what, fn in jobs:
        b = Budget(seconds)
        try:
            with b.limit():
                fn()
            continue
        except OutOfTime as exc:
            if not b.owns(exc):
                raise
        except SymgradError:
            continue        # no exact form: the context shows what the object itself offers
        rep.unshown[key] = (f"{what} was not written out: converting it to a formula did not finish within "
                            f"{b.spent()}")
        rep.notes.append(rep.unshown[key])


#: Vectors larger than this (SymPy operation count over their entries) are not searched for a
#: common factor: the search would take seconds, and such vectors go to the supplement anyway.
_DISPLAY_FORM_OPS = 400


def _display_forms(rep: Report, seconds: float | None, seed: int | None) -> dict[str, FactoredForm]:
    """Common-factor forms of the gradient vectors that are proved equal and make the display
    shorter (the printed length at most 80 % of the original's); silent when none is found."""
    ng, inv = rep.gradient, rep.invariance
    vectors = {"grad_param": None if ng is None else ng.parameter, "grad_manifold": None if ng is None else ng.manifold}
    F = rep.factorised
    if F is not None and F.eta_certificate is not None:
        # computed through K~ (eqs. 5 and 6 by the Penrose argument), or too large to expand at all
        vectors.update(grad_eta=F.grad_eta, delta=F.delta)
    elif inv is not None:
        vectors.update({k: None if k in rep.unshown else getattr(inv, k) for k in ("grad_eta", "delta")})
    out: dict[str, FactoredForm] = {}
    for name, v in vectors.items():
        if v is None or sum(sp.count_ops(e) for e in v) > _DISPLAY_FORM_OPS:
            continue
        b = Budget(None if seconds is None else min(seconds, 5.0))
        try:
            with b.limit():
                form = factored(v, budget=None, seed=seed, statement=f"{name} equals its factored form")
        except OutOfTime as exc:
            if not b.owns(exc):
                raise
            continue
        except (OutOfBudgetError, LiftError):
            continue
        if form is None or form.scalar.is_number:
            continue
        short = len(sp.latex(form.scalar)) + sum(len(sp.latex(e)) for e in form.short)
        if short <= 0.8 * sum(len(sp.latex(e)) for e in v):
            out[name] = form
    return out


def _proved_parts(rep: Report, F: Factorisation) -> Factorisation | None:
    """The parts of a factorisation whose identity is proved (or refuted: a refutation is a defect
    the report must show); an identity only supported numerically or undecided is dropped with a note."""
    def keep(c: Certificate) -> bool:
        return c.verdict in (Verdict.PROVED, Verdict.PROVED_PROBABILISTIC, Verdict.REFUTED)

    if not keep(F.certificate):
        rep.notes.append(f"the factorised form of G^+ was not proved ({F.certificate.finding()}); "
                         "the expanded form is shown")
        return None
    if F.eta_certificate is not None and not keep(F.eta_certificate):
        rep.notes.append(f"the factorised forms of grad^H and Delta grad were not proved "
                         f"({F.eta_certificate.finding()}); the expanded forms are shown")
        return dataclasses.replace(F, K_eta=None, det_K_eta=None, eta_certificate=None)
    return F


def _is_short_rational(text: str) -> bool:
    """An exact value written as a rational with at most 8 characters (no decimal needed)."""
    x = sp.sympify(text)
    return bool(x.is_Rational) and len(text) <= 8


def _is_surface(M: Model) -> bool:
    """The model is two-dimensional in three ambient coordinates (generic rank 2, m = 3)."""
    try:
        return M.dim_ambient == 3 and M.rank == 2
    except SymgradError:
        return False


class _Stages:
    """Runs the stages of a derivation, each under its own budget, and records the ones that ran out.

    A stage that runs out of its budget (not an enclosing one, which propagates) becomes an
    undecided check named after the stage, saying what was reached; the run goes on.
    """

    def __init__(self, rep: Report, seconds: float | None, say: Callable[[str], None]):
        self.rep, self.seconds, self.say = rep, seconds, say

    def run(self, name: str, fn: Callable[[], Any], undecided_on: tuple[type[LiftError], ...] = ()
            ) -> tuple[bool, Any]:
        """``(True, fn())``, or ``(False, None)`` with an undecided check when the budget ran out
        (or ``fn`` raised one of ``undecided_on``: a stage that cannot be done at this level)."""
        self.say(name)
        b = Budget(self.seconds)
        try:
            with b.limit():
                return True, fn()
        except OutOfTime as exc:
            if not b.owns(exc):
                raise
        except (OutOfBudgetError, LiftError) as exc:  # a model's own budget, or no exact form
            if isinstance(exc, LiftError) and not isinstance(exc, undecided_on):
                raise
            self.rep.checks.append((name, Certificate(name, Verdict.UNDECIDED, "did not finish",
                                                      notes=(str(exc),), seconds=b.elapsed())))
            return False, None
        why = (f"{name} stopped at {b.spent()} (--memory)" if b.stopped_by is not None else
               f"{name} did not finish within the budget of {self.seconds:g} s per check (budget=, --budget)")
        self.rep.checks.append((name, Certificate(name, Verdict.UNDECIDED, "did not finish", notes=(why,),
                                                  seconds=b.elapsed())))
        return False, None


def run_derivation(d: Derivation, *, budget: float | None = DEFAULT_BUDGET, seed: int | None = 0,
                   progress: Callable[[str], None] | None = None) -> Report:
    """Compute a derivation; every claim is decided and its certificate kept.

    ``budget`` (seconds, default 20) bounds each check: each claim's decision
    and each other stage (``G`` and ``G^+``, the values at the point, the
    damped gradient, the steps, the singular points, the figure).  A stage that
    runs out is reported as an undecided check named after it, and the run goes
    on; an enclosing budget (a command's ``--timeout``) bounds the whole run.
    ``seed`` fixes the random points of the probabilistic and numeric levels
    (and of witnesses), so a report is reproducible.  The report holds the
    library's result objects; their template context is
    :func:`symgrad.render.context.derivation_context`.
    """
    if not isinstance(d, Derivation):
        raise DerivationError(f"run_derivation needs a symgrad.Derivation; got {type(d).__name__}")
    as_budget(budget)  # refuse a budget that is not a positive finite number before any work
    say = progress or (lambda s: None)
    rep = Report(d)
    stages = _Stages(rep, budget, say)
    M = d.model

    def gram_and_inverse() -> None:
        _ = M.G
        rep.pinv = M.G_plus
        pen = rep.pinv.penrose
        rep.checks.append(("Penrose conditions", Certificate(
            "G^+ satisfies the four Penrose conditions", Verdict.PROVED if pen.holds else Verdict.REFUTED,
            pen.method)))

    try:
        stages.run("Gram matrix and Moore-Penrose inverse", gram_and_inverse)
    except LiftError as exc:
        rep.errors.append(f"no exact form of G: {exc}")
    loss = d.loss
    say("natural gradient and Theorem 1")
    ng = natural_gradient(M, loss, budget=budget, seed=seed)
    rep.gradient = ng
    rep.checks.append(("Theorem 1", ng.theorem1))
    say("all generalised inverses")
    rep.checks.append(("every generalised inverse", check_generalised_inverses(M, loss, budget=budget, seed=seed)))
    point = d.point
    if point is not None:
        # the documented point: validated (domain, singular points refused) and evaluated exactly
        if loss is ANY_LOSS:
            stages.run("the given point", lambda: ensure_nonsingular(M, point))
        else:
            rep.at_point = stages.run("values at the given point", lambda: ng.at(point, budget=None))[1]
    if d.reparametrisation is not None:
        f = d.reparametrisation
        say("reparametrisation and eq. (6)")
        proof = check_invariance(M, f, loss, budget=budget, seed=seed)
        det = sp.sympify(f.det_Df)
        if not (det.is_number and det != 0) and det.is_positive is not True and det.is_negative is not True:
            rep.notes.append(f"det Df = {det} may vanish (where {det} = 0): f is a diffeomorphism only off "
                             "that set, and the comparison of the two parametrisations holds there only")
        rep.invariance = proof
        rep.checks.append(("J Delta grad = 0", proof.certificate))
        if proof.delta_certificate is not None:
            rep.checks.append(("Delta grad", proof.delta_certificate))
            rep.expected_refutations.add("Delta grad")
        rep.reparametrised = M.reparametrise(f)
        if d.tikhonov:
            done, damp = stages.run("Tikhonov damping", lambda: damped_invariance(M, f, loss),
                                    undecided_on=(LiftError,))
            if done:
                rep.damped = damp
                rep.checks.append(("Tikhonov limit", damp.limit_certificate))
        if d.step:
            rep.step = stages.run("gradient steps", lambda: step_comparison(M, f, loss, budget=None),
                                  undecided_on=(LiftError,))[1]
            step = rep.step
            if step is not None and not step.second_order_is_zero:
                rep.step_form = _presentation(rep, "the factored form of the step term", budget, lambda: factored(
                    step.second_order, budget=budget, seed=seed,
                    statement="the second-order step term equals its factored form"))
                if rep.step_form is not None:
                    rep.checks.append(("step term, factored", rep.step_form.certificate))
    if rep.pinv is not None:
        F = _presentation(rep, "the factorised form of G^+", budget,
                          lambda: factorise(M, ng, rep.invariance, budget=budget, seed=seed))
        if F is not None:
            F = _proved_parts(rep, F)
        if F is not None:
            rep.checks.append(("factorised G^+", F.certificate))
            if F.eta_certificate is not None:
                rep.checks.append(("factorised Delta grad", F.eta_certificate))
            # a refuted identity stays a (failing) check, but its form is not printed
            if F.certificate.verdict is Verdict.REFUTED:
                F = None
            elif F.eta_certificate is not None and F.eta_certificate.verdict is Verdict.REFUTED:
                F = dataclasses.replace(F, K_eta=None, det_K_eta=None, eta_certificate=None)
            rep.factorised = F
        if F is None:
            R = _presentation(rep, "the structured form of G^+", budget,
                              lambda: rank_form(M, ng, budget=budget, seed=seed))
            if R is not None and R.certificate.verdict not in (Verdict.PROVED, Verdict.PROVED_PROBABILISTIC,
                                                               Verdict.REFUTED):
                rep.notes.append(f"the structured form of G^+ was not proved ({R.certificate.finding()}); "
                                 "the expanded form is shown")
                R = None
            if R is not None:
                rep.checks.append(("structured G^+", R.certificate))
                # a refuted identity stays a (failing) check, but its form is not printed
                rep.rank_form = None if R.certificate.verdict is Verdict.REFUTED else R
    if d.singular:
        done, S = stages.run("singular points", lambda: singular_points(M, budget=budget))
        rep.singular = S
        crossing = None if S is None else next((dt.crossing for dt in S.details if dt.kind == "crossing"), None)
        if crossing is not None and loss is not ANY_LOSS:
            done, X = stages.run("eq. (4) on both branches of a singular point",
                                 lambda: counterexample(M, loss, crossing.p))
            if done:
                rep.counterexample = X
                rep.checks.append(("eq. (4) at a singular point", X.certificate))
                rep.expected_refutations.add("eq. (4) at a singular point")
    _write_out(rep, budget)
    rep.display_forms = _display_forms(rep, budget, seed)
    if d.extra is not None:
        extra = d.extra
        rep.extra = dict(stages.run("the derivation's own checks", lambda: extra(rep))[1] or {})
    if d.figure is not None:
        figure = d.figure
        rep.figure = stages.run("figure", lambda: figure(rep))[1]
    elif _is_surface(M) and loss is not ANY_LOSS:
        # a surface in three ambient dimensions: the pgfplots figure of the model and the vectors at a point
        from .render.surface import surface_figure
        rep.figure = stages.run("figure", lambda: surface_figure(rep))[1]
    return rep


# ---------------------------------------------------------------------------
# Finding derivations
# ---------------------------------------------------------------------------

def derivations_dir() -> Path:
    """The folder of built-in derivations (installed package, or the source checkout)."""
    try:
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
    if not isinstance(name_or_path, (str, Path)) or not str(name_or_path):
        raise DerivationError(f"a derivation is named by a built-in key or the path of a .py file; got "
                              f"{name_or_path!r}")
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
BUILTIN_ORDER = ("polar", "product", "softmax", "linear-network", "relu-network", "gaussian", "bivariate-normal",
                 "empirical-fisher", "nodal-cubic")


def builtin_derivations() -> list[tuple[str, Path]]:
    """``(key, path)`` of every built-in derivation, in the order of :data:`BUILTIN_ORDER`
    (any other file in the folder after them, by name)."""
    found = {p.stem.replace("_", "-"): p for p in derivations_dir().glob("*.py") if not p.name.startswith("_")}
    rank = {key: i for i, key in enumerate(BUILTIN_ORDER)}
    return sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
