r"""Reparametrisations ``xi = f(eta)`` and the invariance of the natural gradient.

For a second parametrisation ``phi~ = phi o f`` (paper, Fig. 1) the two
parameter-space gradients of eq. (5) are compared in ``T_xi Xi``:

.. math::

    \Delta\mathrm{grad} = G_\xi^{+} \nabla_\xi L - Df(\eta)\, G_\eta^{+} \nabla_\eta L
    \qquad \text{(paper, eq. 6)}

and the paper's claim is ``dphi_xi Delta grad = J(f(eta)) Delta grad = 0``:
the two vectors differ in parameter space but not on the model.
:func:`check_invariance` decides that claim and, separately, whether
``Delta grad`` itself vanishes (it does when ``G`` is invertible; in general it
does not, and a witness point is given).

Two further remarks of the paper are made computable: Tikhonov damping
(:func:`damped_invariance`: the residual for ``lambda > 0`` and its exact limit)
and the gradient step (:func:`step_comparison`: the two steps agree to first
order in the step size; the second-order coefficient of their difference is
computed exactly).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Sequence

import sympy as sp

from ._budget import DEFAULT_BUDGET, Budget, OutOfTime, as_budget
from .exact import dense as linalg
from .exact.lifting import Lifting
from .exceptions import LiftError
from .gradient import ANY_LOSS, loss_differential, recipe
from .inverse import damped_inverse, lambda_variable, limit_at_zero
from .notation import latex_text
from .model import Model, as_reparametrisation
from .parametrisation import Reparametrisation
from .ops import ExactOps, Ops
from .proof import Certificate, Claim, Decision, Verdict, Witness, decide, exact_witness

__all__ = [
    "InvarianceProof", "check_invariance", "invariance_residual",
    "DampedInvariance", "damped_invariance", "StepComparison", "step_comparison",
]


def invariance_residual(ops: Ops, inp: dict) -> dict:
    """eq. (6) at the level of ``ops``: both gradients at ``xi = f(eta)`` (eq. 5 for ``phi`` and for
    ``phi o f``, whose Jacobian is ``J Df``), their difference, and ``J`` times it."""
    J, g, dL, Df = inp["J"], inp["g"], inp["dL"], inp["Df"]
    grad_xi = recipe(ops, J, g, dL)["parameter"]
    grad_eta = recipe(ops, ops.mul(J, Df), g, dL)["parameter"]
    delta = ops.sub(grad_xi, ops.mul(Df, grad_eta))
    return {"grad_xi": grad_xi, "grad_eta": grad_eta, "delta": delta, "residual": ops.mul(J, delta)}


def _delta_only(ops: Ops, inp: dict) -> dict:
    out = invariance_residual(ops, inp)
    return {"residual": out["delta"]}


@dataclass(eq=False)
class InvarianceProof:
    r"""The outcome of :func:`check_invariance`.

    Attributes
    ==========
    verdict : how ``J(f(eta)) Delta grad = 0`` is known (:class:`~symgrad.proof.Verdict`)
    method : how it was established
    residual : ``J Delta grad`` (the zero matrix when proved exactly)
    witness : where the claim fails, if refuted
    certificate : the full :class:`~symgrad.proof.Certificate`
    delta : ``Delta grad`` of eq. (6), when computed exactly
    delta_certificate : whether ``Delta grad`` vanishes: refuted with a witness
        (the parametrisation dependence of eq. 5) or proved zero
    """

    model: Model
    f: Reparametrisation
    loss: Any
    certificate: Certificate
    delta_certificate: Certificate | None
    lifting: Lifting | None = field(default=None, repr=False)
    lifted: dict = field(default_factory=dict, repr=False)   # exact outputs, in the field of ``lifting``

    def _sympy(self, name: str) -> sp.ImmutableMatrix | None:
        """An exact output as SymPy (factored), converted on first request and remembered."""
        cache = self.__dict__.setdefault("_converted", {})
        if name not in cache:
            M = self.lifted.get(name)
            cache[name] = None if M is None or self.lifting is None else self.lifting.matrix_to_sympy(M, factor=True)
        return cache[name]

    @property
    def grad_xi(self) -> sp.ImmutableMatrix | None:
        """``G_xi^+ nabla_xi L`` at ``xi = f(eta)`` (eq. 5), when computed exactly; SymPy on request."""
        return self._sympy("grad_xi")

    @property
    def grad_eta(self) -> sp.ImmutableMatrix | None:
        """``G_eta^+ nabla_eta L`` (eq. 5 for ``phi o f``), when computed exactly; SymPy on request."""
        return self._sympy("grad_eta")

    @property
    def delta(self) -> sp.ImmutableMatrix | None:
        """``Delta grad`` of eq. (6), when computed exactly; SymPy on request."""
        return self._sympy("delta")

    @property
    def verdict(self) -> Verdict:
        return self.certificate.verdict

    @property
    def method(self) -> str:
        return self.certificate.method

    @property
    def residual(self) -> sp.ImmutableMatrix | None:
        return self.certificate.residual

    @property
    def witness(self) -> Witness | None:
        return self.certificate.witness

    @property
    def delta_is_zero(self) -> bool | None:
        """True if ``Delta grad = 0`` was proved, False if a witness of ``Delta grad != 0`` was found."""
        return None if self.delta_certificate is None else self.delta_certificate.holds

    def __str__(self) -> str:
        lines = [f"invariance of the natural gradient under {self.f.name} on {self.model.name}",
                 "  " + self.certificate.summary()]
        if self.delta_certificate is not None:
            d = self.delta_certificate
            if d.verdict is Verdict.REFUTED:
                lines.append(f"  Delta grad != 0: the parameter-space gradients differ, {d.witness}")
            else:
                lines.append("  " + d.summary())
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        return (r"$J(f(\eta))\,\Delta\operatorname{grad} = 0\colon\ " + latex_text(self.certificate.finding())
                + "$")


def _invariance_inputs(model: Model, f: Reparametrisation, L: Any) -> dict[str, sp.MatrixBase]:
    sub = dict(zip(model.xi, f.f))
    dL = loss_differential(model, L)
    return {"J": model.J.xreplace(sub), "g": model.g_phi.xreplace(sub), "dL": dL.xreplace(sub), "Df": f.Df}


def check_invariance(model: Model, f: Reparametrisation, L: Any = ANY_LOSS, *,
                     budget: Budget | float | None = DEFAULT_BUDGET, seed: int | None = None,
                     levels: Sequence[str] = ("exact", "probabilistic", "numeric")) -> InvarianceProof:
    r"""Decide ``J(f(eta)) Delta grad = 0`` (paper, eq. 6) and whether ``Delta grad`` vanishes.

    The claim is decided by :func:`symgrad.proof.decide`: exactly when the
    lifted computation finishes within the budget, else with a stated
    error probability, else numerically (and then said to be evidence only).
    With the default ``L = ANY_LOSS`` the differential of the loss is a vector
    of free symbols, so the verdict covers every loss.  ``budget`` bounds the
    whole call (both claims).

    Examples
    ========
    >>> a, b, u, v = sp.symbols("a b u v", real=True)
    >>> from symgrad.model import Model
    >>> M = Model([a * b], params=[a, b])
    >>> f = Reparametrisation([u, u + v], params=[u, v])         # xi = (u, u + v)
    >>> proof = check_invariance(M, f, seed=0)
    >>> proof.delta_is_zero                  # the parameter-space gradients differ ...
    False
    >>> proof.verdict                        # ... but not on the model: J(f(eta)) Delta grad = 0
    <Verdict.PROVED: 'proved exactly'>
    """
    f = as_reparametrisation(f, model)
    whole = as_budget(budget)
    inputs = _invariance_inputs(model, f, L)
    syms = f.eta + tuple(dict.fromkeys(model.constants + f.constants))
    extra = set().union(*[M.free_symbols for M in inputs.values()]) - set(syms)
    positive = tuple(e.xreplace(dict(zip(model.xi, f.f))) for e in model.metric.domain(list(model.phi)))
    claim = Claim(f"J(f(eta)) Delta grad = 0 for {f.name} on {model.name} (eq. 6)", inputs, syms,
                  invariance_residual, positive=positive, extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    # no keep=: the exact outputs stay in the lifted field and become SymPy only when asked for
    d = decide(claim, budget=whole.sub(0.6), seed=seed, levels=levels)
    delta_cert = None
    if d.exact_outputs and d.lifting is not None:
        delta_cert = _delta_certificate(claim, d, whole)
    elif d.certificate.verdict is not Verdict.REFUTED:
        delta_claim = Claim(f"Delta grad = 0 for {f.name} on {model.name}", inputs, syms, _delta_only,
                            positive=positive, extra_symbols=claim.extra_symbols)
        delta_cert = decide(delta_claim, budget=whole, seed=seed, levels=levels).certificate
    kept = {k: d.exact_outputs[k] for k in ("grad_xi", "grad_eta", "delta") if k in d.exact_outputs}
    return InvarianceProof(model, f, L, d.certificate, delta_cert, d.lifting, kept)


def _delta_certificate(claim: Claim, d: Decision, budget: Budget) -> Certificate:
    """Decide ``Delta grad = 0`` from the exact run's output (no recomputation).

    A non-zero exact normal form refutes the claim; the witness point is a
    courtesy, searched for only within what is left of ``budget``.
    """
    assert d.lifting is not None
    delta = d.exact_outputs["delta"]
    statement = "Delta grad = 0"
    method = d.certificate.method
    if linalg.is_zero_matrix(delta):
        return Certificate(statement, Verdict.PROVED, method,
                           residual=sp.ImmutableMatrix(sp.zeros(len(delta), 1)))
    witness = None
    notes: tuple[str, ...] = ()
    try:
        with budget.limit():
            witness = exact_witness(claim, d.lifting, delta, random.Random(d.certificate.seed))
    except OutOfTime as exc:
        if not budget.owns(exc):
            raise
        notes = ("the exact normal form of Delta grad is not zero; no witness point was evaluated within "
                 "the budget",)
    notes += ("the exact normal form of Delta grad is InvarianceProof.delta",)
    return Certificate(statement, Verdict.REFUTED, method, witness=witness, notes=notes)


# ---------------------------------------------------------------------------
# Tikhonov damping
# ---------------------------------------------------------------------------

@dataclass(eq=False)
class DampedInvariance:
    r"""Invariance under Tikhonov damping: ``(G + lambda I)^{-1} nabla L`` in both parametrisations.

    ``residual`` is ``J (grad_xi(lambda) - Df grad_eta(lambda))`` as an exact
    rational function of ``lambda``; for ``lambda > 0`` it is in general not
    zero (damping is a Euclidean operation in parameter space), and
    ``limit`` is its exact value as ``lambda -> 0``, which is ``0`` by Theorem 1
    because ``nabla L`` lies in the image of ``G``.
    """

    lam: sp.Symbol
    residual: sp.ImmutableMatrix
    limit: sp.ImmutableMatrix
    residual_is_zero: bool
    limit_certificate: Certificate
    damped_xi: sp.ImmutableMatrix
    damped_limit: sp.ImmutableMatrix

    def __str__(self) -> str:
        state = "vanishes identically" if self.residual_is_zero else "is not zero for lambda > 0"
        return (f"damped natural gradient: the invariance residual {state}; "
                f"{self.limit_certificate.summary()}")


def damped_invariance(model: Model, f: Reparametrisation, L: Any = ANY_LOSS,
                      lam: sp.Symbol | None = None) -> DampedInvariance:
    r"""Exact invariance residual of the Tikhonov-damped gradient and its limit ``lambda -> 0``.

    The damped inverse ``(G + lambda I)^{-1}`` and the limit are those of
    :mod:`symgrad.inverse` (:func:`~symgrad.inverse.damped_inverse`,
    :func:`~symgrad.inverse.limit_at_zero`), in the lifted field; the gradients
    are eq. (5) of :func:`symgrad.gradient.recipe` with that inverse in place of ``G^+``.
    """
    f = as_reparametrisation(f, model)
    lam = lam or sp.Symbol("lambda", positive=True)
    inputs = _invariance_inputs(model, f, L)
    syms = f.eta + model.constants
    exprs = [e for M in inputs.values() for e in M]
    Lf = Lifting.build(exprs + [lam], syms + (lam,))
    ops = ExactOps(Lf)
    I_ = {k: Lf.lift_matrix(M) for k, M in inputs.items()}
    J, g, dL, Df = I_["J"], I_["g"], I_["dL"], I_["Df"]

    l = Lf.lift(lam)
    gx = recipe(ops, J, g, dL, inverse=lambda G: damped_inverse(G, l))["parameter"]
    ge = recipe(ops, ops.mul(J, Df), g, dL, inverse=lambda G: damped_inverse(G, l))["parameter"]
    res = ops.mul(J, ops.sub(gx, ops.mul(Df, ge)))
    k = lambda_variable(Lf, lam)
    lim, conds = limit_at_zero(res, k)
    lim_gx, _ = limit_at_zero(gx, k)
    conditions = [Lf.to_sympy(c, factor=True) for c in conds]
    where = (" where " + ", ".join(f"{c} != 0" for c in conditions)) if conditions else ""
    cert = Certificate("lim_{lambda->0} J Delta_lambda = 0",
                       Verdict.PROVED if linalg.is_zero_matrix(lim) else Verdict.REFUTED,
                       "exact rational functions of lambda, lowest-order terms in lambda after cancellation"
                       + where, residual=Lf.matrix_to_sympy(lim, factor=True))
    return DampedInvariance(lam, Lf.matrix_to_sympy(res, factor=True), Lf.matrix_to_sympy(lim, factor=True),
                            linalg.is_zero_matrix(res), cert, Lf.matrix_to_sympy(gx, factor=True),
                            Lf.matrix_to_sympy(lim_gx, factor=True))


# ---------------------------------------------------------------------------
# Gradient steps
# ---------------------------------------------------------------------------

@dataclass(eq=False)
class StepComparison:
    r"""The steps ``phi(xi - eps grad_xi)`` and ``phi(f(eta - eps grad_eta))`` as series in ``eps``.

    ``first_order_equal`` is decided exactly (it is ``J Delta grad = 0``, whose
    certificate is :attr:`certificate`); ``second_order`` is the exact
    coefficient of ``eps^2`` in the difference of the two model points (paper,
    remark after Theorem 1; Martens 2014, §12), and
    :attr:`second_order_certificate` says whether it vanishes identically.
    """

    first_order_equal: bool
    second_order: sp.ImmutableMatrix
    second_order_is_zero: bool
    certificate: Certificate
    second_order_certificate: Certificate

    def __str__(self) -> str:
        return (f"gradient steps: first order {'equal' if self.first_order_equal else 'DIFFERENT'}; "
                f"second-order coefficient of the difference "
                f"{'is zero' if self.second_order_is_zero else '= ' + str(list(self.second_order))}")


def step_comparison(model: Model, f: Reparametrisation, L: Any, *,
                    budget: Budget | float | None = DEFAULT_BUDGET) -> StepComparison:
    """Compare one natural-gradient step in ``xi`` with one in ``eta``, to second order in the step size."""
    f = as_reparametrisation(f, model)
    proof = check_invariance(model, f, L, levels=("exact",), budget=budget)
    if proof.grad_xi is None or proof.grad_eta is None:
        raise LiftError("the step comparison needs the exact gradients, which could not be computed")
    sub = dict(zip(model.xi, f.f))
    v, w = proof.grad_xi, proof.grad_eta
    phi_t = model.phi.xreplace(sub)
    second = []
    for k in range(model.dim_ambient):
        Hx = sp.hessian(model.phi[k], model.xi).xreplace(sub)
        He = sp.hessian(phi_t[k], f.eta)
        second.append(((v.T * Hx * v)[0] - (w.T * He * w)[0]) / 2)
    exprs = second
    Lf = Lifting.build(exprs, f.eta + model.constants)
    lifted = [Lf.lift(e) for e in exprs]
    sec = sp.ImmutableMatrix([Lf.to_sympy(x, factor=True) for x in lifted])
    zero = all(x.is_zero() for x in lifted)
    second_cert = Certificate("the eps^2 coefficient of phi(xi - eps grad_xi) - phi(f(eta - eps grad_eta)) is zero",
                         Verdict.PROVED if zero else Verdict.REFUTED,
                         "exact rational-function arithmetic (lifted second derivatives)", residual=sec)
    return StepComparison(proof.verdict is Verdict.PROVED, sec, zero, proof.certificate, second_cert)
