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

How it is decided, cheapest first (issue 12): ``J Delta grad`` needs no
pseudo-inverse at all, since ``J G^- J^T = B (B^T g B)^{-1} B^T`` for every
generalised inverse and any basis ``B`` of the column space (the lemma in
:func:`invariance_residual`); over the lifted field equal canonical bases of the
column spaces of ``J`` and ``J Df`` settle it outright.  ``Delta grad != 0`` is
shown by one exact evaluation at a point (:func:`_delta_certificate`), and the
parameter-space gradients themselves, which the verdicts do not need, are
computed and converted to SymPy only when asked for
(:attr:`InvarianceProof.grad_xi`), or evaluated at a point without any formula
(:meth:`InvarianceProof.at`).

Two further remarks of the paper are made computable: Tikhonov damping
(:func:`damped_invariance`: the residual for ``lambda > 0`` and its exact limit)
and the gradient step (:func:`step_comparison`: the two steps agree to first
order in the step size; the second-order coefficient of their difference is
computed exactly).
"""
from __future__ import annotations

import random
import time
from fractions import Fraction
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Mapping, Sequence

import sympy as sp

from ._budget import DEFAULT_BUDGET, Budget, OutOfTime, as_budget
from .exact import dense as linalg
from .exact.lifting import Lifting
from .exceptions import LiftError, OutOfBudgetError, RankError
from .exact.point import PointField
from .exact.ratfunc import RF
from .gradient import ANY_LOSS, loss_differential, recipe, riesz_gradient
from .inverse import damped_inverse, lambda_variable, limit_at_zero
from .notation import latex_text
from .model import Model, as_reparametrisation
from .parametrisation import Reparametrisation
from .ops import ExactOps, Ops, ValueOps
from ._inputs import point as read_point
from ._sampling import sample_point
from .proof import (LONG_VALUE_CHARS, Certificate, Claim, Verdict, Witness, _in_domain, certified_decimal, decide,
                    exact_witness, lifted_witness, nonzero_points, simple_points)

__all__ = [
    "InvarianceProof", "check_invariance", "invariance_residual", "parameter_gradients", "canonical_basis",
    "DampedInvariance", "damped_invariance", "StepComparison", "step_comparison",
]


def invariance_residual(ops: Ops, inp: dict) -> dict:
    r"""``J(f(eta)) Delta grad`` of eq. (6) at the level of ``ops``, without any pseudo-inverse.

    **Lemma.** Let ``G = J^T g J`` with ``g`` symmetric, and let the columns of
    ``B`` be a basis of the column space of ``J`` with ``H = B^T g B`` invertible.
    Then ``J G^- J^T = B H^{-1} B^T`` for *every* generalised inverse ``G^-``
    (paper, Def. 1), the Moore-Penrose inverse included.

    *Proof.* Write ``J = B R``; ``R`` has full row rank because ``B`` is a basis
    of the column space.  Then ``G = R^T H R`` and ``G G^- G = G`` reads
    ``R^T H R G^- R^T H R = R^T H R``.  Multiplying by ``(R R^T)^{-1} R`` on the
    left and by ``R^T (R R^T)^{-1}`` on the right leaves ``H (R G^- R^T) H = H``,
    so ``R G^- R^T = H^{-1}`` and ``J G^- J^T = B R G^- R^T B^T = B H^{-1} B^T``.

    With ``nabla L = J^T dL`` this gives ``J G_xi^+ nabla_xi L = B H^{-1} B^T dL``
    and, for ``phi o f`` with Jacobian ``J Df``, ``J Df G_eta^+ nabla_eta L =
    B' H'^{-1} B'^T dL`` for a basis ``B'`` of the column space of ``J Df``; so
    ``J Delta grad`` is the difference of two ``g``-orthogonal projections of
    ``g^{-1} dL``, each from an ``r x r`` system
    (:func:`symgrad.gradient.riesz_gradient`) instead of an ``n x n`` pseudo-inverse.

    Over the lifted field the bases are the canonical ones: the identity when ``J`` and
    ``J Df`` both have full row rank ``m`` (shown by a rank-``m`` minor that is non-zero at an
    exact point, :func:`_rank_at_a_point`), otherwise the reduced row echelon forms of ``J^T``
    and of ``(J Df)^T`` (:func:`canonical_basis`).  When the two are
    equal (the same column space, as for a local diffeomorphism ``f``), both
    projections are the same function of the same basis, so ``J Delta grad = 0``
    exactly once ``H`` is shown invertible: its determinant is non-zero at one exact
    point of the lifted variables (evaluation is a ring homomorphism, so a rational
    function that is non-zero at a point is not the zero function;
    :func:`_invertible_at_a_point`).  Otherwise both projections are computed and
    subtracted.  At a random point (the probabilistic level) the bases are pivot columns
    of ``J`` and ``J Df`` and every rank decision is counted among the bad events of the
    Schwartz-Zippel bound (:meth:`symgrad.ops.PointOps.rank_profile`).  Where ``H`` is
    singular (a degenerate ``g``, such as an empirical Fisher form) the residual is eq. (6)
    as written, with both pseudo-inverses.
    """
    J, g, dL, Df = inp["J"], inp["g"], inp["dL"], inp["Df"]
    Jt = ops.mul(J, Df)
    try:
        if isinstance(ops, ExactOps):
            m = len(J)
            if _rank_at_a_point(ops, J) == m and _rank_at_a_point(ops, Jt) == m:
                # both of full row rank: both column spaces are all of R^m, with the canonical basis I
                if _invertible_at_a_point(ops, g):
                    return {"residual": linalg.zeros(m, 1, ops.zero), "rank": m,
                            "route": "J and J Df of full row rank (rank m at an exact point of the free lifted "
                            "variables): both column spaces are R^m, g invertible, both projections of eq. (6) "
                            "coincide"}
            if len(Df) == len(Df[0]) and _invertible_at_a_point(ops, Df) and _invertible_at_a_point(ops, g):
                # a square Df with det Df != 0: J Df and J have the same column space over the field, so
                # the two g-orthogonal projections of eq. (6) are one (Df^{-1} G^- Df^{-T} is a generalised
                # inverse of Df^T G Df, and J G^- J^T does not depend on the choice, g being positive
                # definite): no echelon form is needed
                full = _rank_at_a_point(ops, J)
                return {"residual": linalg.zeros(len(J), 1, ops.zero),
                        "rank": full if full == min(len(J), len(J[0])) else None,
                        "route": "square Df with det Df != 0 (at an exact point of the free lifted variables): "
                        "J Df and J have the same column space, so both projections of eq. (6) coincide"}
            C, Ct = canonical_basis(ops, J), canonical_basis(ops, Jt)
            if _same(C, Ct) and _invertible_at_a_point(ops, ops.mul(ops.mul(ops.T(C), g), C)):
                zero = linalg.zeros(len(J), 1, ops.zero)
                return {"residual": zero, "rank": len(C[0]),
                        "route": "equal canonical bases of the column spaces of J and J Df "
                        "(reduced row echelon forms), B^T g B invertible: both projections of eq. (6) coincide"}
            on_xi = riesz_gradient(ops, J, g, dL, basis=C)
            on_eta = riesz_gradient(ops, Jt, g, dL, basis=Ct)
        else:
            on_xi = riesz_gradient(ops, J, g, dL)
            on_eta = riesz_gradient(ops, Jt, g, dL)
    except RankError:
        # H singular: g is degenerate on the tangent space (an empirical Fisher metric, say), so the
        # lemma does not apply; eq. (6) as written, with both pseudo-inverses
        return {"residual": ops.mul(J, parameter_gradients(ops, inp)["delta"]),
                "route": "eq. (6) as written (g degenerate on the tangent space)"}
    return {"manifold_xi": on_xi, "manifold_eta": on_eta, "residual": ops.sub(on_xi, on_eta),
            "route": "projector route: J G^+ J^T = B (B^T g B)^{-1} B^T for both parametrisations"}


def canonical_basis(ops: Ops, J: list) -> list:
    """The canonical basis of the column space of ``J``: the reduced row echelon form of ``J^T``,
    as the columns of an ``m x r`` matrix (equal column spaces give equal matrices)."""
    R, _pivots = linalg.rref(ops.T(J), ops.pivot_zero, ops.cost)
    if not R:
        raise RankError("J is zero: its column space has no basis")
    return ops.T(R)


def _same(A: list, B: list) -> bool:
    return linalg.shape(A) == linalg.shape(B) and all(a == b for ra, rb in zip(A, B) for a, b in zip(ra, rb))


#: the kinds of lifted variables between which the field has no relations (evaluation at any
#: point of them is a ring homomorphism)
_FREE_KINDS = frozenset({"symbol", "root", "exp", "tan", "log", "one"})


def _rank_at_a_point(ops: ExactOps, A: list, tries: int = 4) -> int | None:
    """A lower bound on the generic rank of ``A``: its exact rank at an integer point of the lifted variables.

    Only for fields of free variables (:data:`_FREE_KINDS`): there evaluation is a ring
    homomorphism wherever the denominators do not vanish, so a non-zero minor at the point is a
    non-zero minor of ``A``.  The largest rank seen at ``tries`` points; ``None`` when the
    field has relations or every point is a pole.  When it equals the smaller dimension it is
    the generic rank.
    """
    L = ops.lifting
    if any(v.kind not in _FREE_KINDS for v in L.variables) or getattr(L, "faithful", True) is False:
        return None
    rng = random.Random(len(A) + 7 * len(A[0]))
    best = None
    full = min(len(A), len(A[0]))
    for _ in range(tries):
        point = [rng.randrange(1, 2**20) for _ in L.variables]
        try:
            A0 = [[Fraction(x.evaluate(point)) for x in row] for row in A]
        except ZeroDivisionError:
            continue
        r = linalg.rank_profile(A0)[0]
        best = r if best is None else max(best, r)
        if best == full:
            break
    return best


def _invertible_at_a_point(ops: ExactOps, H: list) -> bool:
    """True when ``det H`` is shown non-zero by its exact value at an integer point of the lifted variables
    (:func:`_rank_at_a_point`); False means "not shown" (the caller then computes without the shortcut)."""
    return _rank_at_a_point(ops, H) == len(H)


def parameter_gradients(ops: Ops, inp: dict) -> dict:
    """Both gradients of eq. (5) at ``xi = f(eta)`` (for ``phi`` and for ``phi o f``, whose Jacobian
    is ``J Df``), and ``Delta grad`` of eq. (6), at the level of ``ops``."""
    J, g, dL, Df = inp["J"], inp["g"], inp["dL"], inp["Df"]
    grad_xi = recipe(ops, J, g, dL)["parameter"]
    grad_eta = recipe(ops, ops.mul(J, Df), g, dL)["parameter"]
    delta = ops.sub(grad_xi, ops.mul(Df, grad_eta))
    return {"grad_xi": grad_xi, "grad_eta": grad_eta, "delta": delta, "residual": delta}


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
    claim: Claim | None = field(default=None, repr=False)

    def _sympy(self, name: str) -> sp.ImmutableMatrix | None:
        """An exact output as SymPy (factored), computed and converted on first request, then remembered.

        The gradients of eq. (5) are not needed for the verdict; they are computed here, in
        the lifted field and within the model's budget, only when asked for (``None`` when
        the inputs have no exact lift, or when the formulas do not finish within the model's budget:
        :meth:`at` gives the values at a point without them)."""
        cache = self.__dict__.setdefault("_converted", {})
        if name in cache:
            return cache[name]
        if name not in self.lifted and self.claim is not None:
            try:
                with self.model._bounded("the parameter-space gradients of eq. (5)"):
                    if self.lifting is None:
                        self.lifting = _lift_claim(self.claim)
                    L = self.lifting
                    out = parameter_gradients(ExactOps(L), {k: L.lift_matrix(sp.Matrix(M))
                                                            for k, M in self.claim.inputs.items()})
                self.lifted.update({k: out[k] for k in ("grad_xi", "grad_eta", "delta")})
            except LiftError:
                self.claim = None
            except OutOfBudgetError:
                cache.update(grad_xi=None, grad_eta=None, delta=None)  # not reached: stated by None
                return None
        M = self.lifted.get(name)
        cache[name] = None if M is None or self.lifting is None else self.lifting.matrix_to_sympy(M, factor=True)
        return cache[name]

    def at(self, point: Mapping[Any, Any]) -> dict[str, sp.ImmutableMatrix]:
        r"""The exact vectors of eq. (5) for both parametrisations, ``Delta grad`` and ``J Delta grad`` at a point.

        ``point`` gives every new parameter ``eta`` (and the model's constants, and with
        ``ANY_LOSS`` the components ``dL_k``).  The inputs are evaluated in the field of the
        kernels at the point and the Moore-Penrose inverses are taken there with the rank
        decided exactly, so these are the true values at the point (at a rank-drop point too),
        with no formula built.  Returns ``grad_xi``, ``grad_eta``, ``delta`` and ``residual``.
        :class:`~symgrad.exceptions.LiftError` when the inputs have no exact lift.
        """
        if self.claim is None:
            raise LiftError("this invariance check has no exact inputs to evaluate")
        if self.lifting is None:
            self.lifting = _lift_claim(self.claim)
        L = self.lifting
        lifted = self.__dict__.get("_lifted_inputs")
        if lifted is None:
            lifted = {k: L.lift_matrix(sp.Matrix(M)) for k, M in self.claim.inputs.items()}
            self.__dict__["_lifted_inputs"] = lifted
        pt = read_point(point, tuple(L.symbols), what="point of eta (and of dL)")
        F = PointField(L, pt)
        value = _point_evaluator(F)
        vals = {k: [[value(x) for x in row] for row in M] for k, M in lifted.items()}
        ops = ValueOps(F.value(L.zero), F.value(L.one))
        out = parameter_gradients(ops, vals)
        out["residual"] = ops.mul(vals["J"], out["delta"])
        return {k: sp.ImmutableMatrix([[F.to_sympy(x) for x in row] for row in out[k]])
                for k in ("grad_xi", "grad_eta", "delta", "residual")}

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
            if d.verdict is Verdict.REFUTED and d.witness is not None:
                lines.append(f"  Delta grad != 0: the parameter-space gradients differ, {d.witness.brief()}")
            else:
                lines.append("  " + d.summary())
        return "\n".join(lines)

    def __repr__(self) -> str:
        out = f"<InvarianceProof {self.f.name} on {self.model.name}: J Delta grad = 0 {self.certificate.short_finding()}"
        d = self.delta_certificate
        if d is not None:
            out += ("; Delta grad != 0 (the parameter-space gradients differ)" if d.verdict is Verdict.REFUTED
                    else f"; Delta grad = 0 {d.short_finding()}")
        return out + ">"

    def _latex(self, printer: Any = None) -> str:
        """LaTeX mathematics (SymPy's printer hook, so a tuple of results displays under
        ``init_printing``): the finding of eq. (6) and whether ``Delta grad`` itself vanishes."""
        from .render.plaintext import message_math

        out = r"J(f(\eta))\,\Delta\operatorname{grad} = 0\colon\ " + message_math(self.certificate.finding())
        d = self.delta_certificate
        if d is not None and d.verdict is Verdict.REFUTED and d.witness is not None:
            out += r";\quad \Delta\operatorname{grad} \neq 0\colon\ " + d.witness._latex()
        elif d is not None:
            out += r";\quad \Delta\operatorname{grad} = 0\colon\ " + message_math(d.finding())
        return out

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


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
    positive = tuple(e.xreplace(dict(zip(model.xi, f.f))) for e in model.positive)
    claim = Claim(f"J(f(eta)) Delta grad = 0 for {f.name} on {model.name} (eq. 6)", inputs, syms,
                  invariance_residual, positive=positive, extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    # no keep=: the exact outputs stay in the lifted field and become SymPy only when asked for
    d = decide(claim, budget=whole.sub(0.6), seed=seed, levels=levels)
    route = d.exact_outputs.get("route")
    if isinstance(route, str):
        d.certificate = replace(d.certificate, notes=d.certificate.notes + (f"route: {route}",))
    delta_cert = None
    exact_delta: dict = {}
    lifting = d.lifting
    if d.certificate.verdict is not Verdict.REFUTED:
        if "exact" in levels and lifting is None:
            try:
                with whole.limit():
                    lifting = _lift_claim(claim)
            except LiftError:
                lifting = None
            except OutOfTime as exc:
                if not whole.owns(exc):
                    raise
                lifting = None
        if "exact" in levels and lifting is not None:
            delta_cert, exact_delta = _delta_certificate(claim, lifting, d.certificate.seed, whole,
                                                         _int_or_none(d.exact_outputs.get("rank")))
        else:
            delta_claim = Claim(f"Delta grad = 0 for {f.name} on {model.name}", inputs, syms, _delta_only,
                                positive=positive, extra_symbols=claim.extra_symbols)
            delta_cert = decide(delta_claim, budget=whole, seed=seed, levels=levels).certificate
    return InvarianceProof(model, f, L, d.certificate, delta_cert, lifting, exact_delta, claim)


def _int_or_none(x: Any) -> int | None:
    return x if isinstance(x, int) else None


def _delta_only(ops: Ops, inp: dict) -> dict:
    return {"residual": parameter_gradients(ops, inp)["delta"]}


def _lift_claim(claim: Claim) -> Lifting:
    return Lifting.build([e for M in claim.inputs.values() for e in M],
                         tuple(claim.symbols) + tuple(claim.extra_symbols))


def _point_evaluator(F: PointField) -> Callable[[RF], RF]:
    """``F.value``, or the same value by one polynomial composition in python-flint when every image
    of a lifted variable is a polynomial in free constants (``exp(1/D)``, ``tan(1/(2D'))``: no
    relations to reduce by), which avoids a field operation per term."""
    images = getattr(F, "images", None)
    consts = getattr(F, "constants", None)
    if (images is None or consts is None or not all(isinstance(i, RF) and i.den.is_one() for i in images)
            or any(v.kind not in _FREE_KINDS for v in consts.variables)):
        return F.value
    polys = [i.num for i in images]
    ctx = F.ctx
    seen: dict[tuple, list] = {}  # the entries of J mostly share a denominator: compose it once

    def compose(p: Any) -> Any:
        key = (len(p), int(p.total_degree()), int(p.leading_coefficient()) if not p.is_zero() else 0)
        bucket = seen.setdefault(key, [])
        for q, v in bucket:
            if q == p:
                return v
        v = p.compose(*polys, ctx=ctx)
        bucket.append((p, v))
        return v

    def value(rf: RF) -> RF:
        num, den = compose(rf.num), compose(rf.den)
        if den.is_zero():
            raise ZeroDivisionError("the denominator vanishes at this point")
        return RF(num, den)

    return value


#: rational points tried for a witness of ``Delta grad != 0`` before the exact normal form is computed:
#: small exact points first, then random grid points
_SIMPLE_POINTS = 24
_WITNESS_POINTS = 6


def _delta_certificate(claim: Claim, lifting: Lifting, seed: int | None, budget: Budget,
                       rank: int | None = None) -> tuple[Certificate, dict]:
    r"""Decide ``Delta grad = 0``: witness points first, the exact normal form only if none is found.

    ``r`` is the generic rank of ``J`` (``rank``, or the size of its canonical basis by exact
    elimination over the lifted field).

    1. At integer points of the lifted variables (when they are free: no relations between
       them) the inputs are exact rationals and eq. (5) costs a few small exact inverses.  At
       such a point where ``J`` and ``J Df`` both have rank ``r`` and ``Df`` is invertible, the
       Moore-Penrose inverses there are the values of the generic formulas, so a non-zero
       ``Delta grad`` there shows that ``Delta grad`` is not the zero rational function; the
       kernels being algebraically independent, it is not the zero function either.
    2. At rational points of the parameters (and of ``dL``), small ones first (``0, ±1, 1/2,
       2, ...`` within the declared signs and the domain, :func:`symgrad.proof.simple_points`),
       every input takes an exact value in the field of the kernels there
       (:class:`~symgrad.exact.point.PointField`) and the Moore-Penrose inverses are taken there,
       so a non-zero value is a witness in the parameters themselves, which is the witness
       reported (its decimal from a ball enclosure, :func:`symgrad.proof.certified_decimal`).
       When step 1 found a witness this search gets half of the budget left (it can be slow:
       powers of ``exp(1)`` of high degree), and step 1's witness is reported when it finds none.
    3. Only when neither finds a non-zero value is ``Delta grad`` computed exactly in the lifted
       field (proved zero, or refuted by its non-zero normal form).

    Either way within ``budget``.  Returns the certificate and the exact outputs computed on
    the way (``grad_xi``, ``grad_eta``, ``delta``; empty when a witness point decided it).
    """
    statement = "Delta grad = 0"
    rng = random.Random(seed)
    try:
        with budget.limit():
            lifted = {k: lifting.lift_matrix(sp.Matrix(M)) for k, M in claim.inputs.items()}
            ops = ExactOps(lifting)
            Df = lifted["Df"]
            if (rank is not None and rank == len(lifted["J"][0]) and len(Df) == len(Df[0])
                    and _invertible_at_a_point(ops, Df)):
                # J of full column rank: G = J^T g J is invertible, and so is Df^T G Df; then
                # grad_eta = Df^{-1} G^{-1} Df^{-T} Df^T J^T dL = Df^{-1} grad_xi, and Delta grad = 0
                return Certificate(statement, Verdict.PROVED,
                                   f"J has full column rank {rank} (a non-zero {rank}x{rank} minor at an exact point "
                                   "of the free lifted variables) and Df is square with det Df != 0 there: both "
                                   "Gram matrices are invertible and grad_eta = Df^{-1} grad_xi (eq. 5)",
                                   residual=sp.ImmutableMatrix(sp.zeros(len(Df), 1))), {}
            r = rank if rank is not None else (0 if linalg.is_zero_matrix(lifted["J"]) else
                                               len(canonical_basis(ops, lifted["J"])[0]))
            seen_zero: list[bool] = []
            lifted_cert = _lifted_point_witness(lifting, lifted, r, rng, statement, seen_zero=seen_zero)
            # a witness in the parameters (small exact values first) is the one a reader can check; when
            # the lifted point already shows Delta grad != 0 it may use half of what is left, but no more
            # than the check has taken so far (at least 2 s), the lifted witness standing by: at a point
            # of the parameters the values lie in Q(exp(1/D)), which can cost far more than the proof
            search = budget
            if lifted_cert is not None:
                rem = budget.remaining()
                share = max(2.0, budget.elapsed())
                search = Budget(share if rem is None else min(share, 0.5 * rem))
            found = None
            if not seen_zero:   # zero at a generic lifted point: decide it exactly instead
                try:
                    with search.limit():
                        found = _parameter_point_witness(claim, lifting, lifted, r, rng, statement,
                                                         known_nonzero=lifted_cert is not None)
                except OutOfTime as exc:
                    if not search.owns(exc) or lifted_cert is None:
                        raise
            if isinstance(found, Certificate):
                return found, {}
            if lifted_cert is not None:
                return lifted_cert, {}
            out = parameter_gradients(ExactOps(lifting), lifted)
            method = "exact rational-function arithmetic in the lifted field (both pseudo-inverses of eq. 5)"
            if linalg.is_zero_matrix(out["delta"]):
                cert = Certificate(statement, Verdict.PROVED, method,
                                   residual=sp.ImmutableMatrix(sp.zeros(len(out["delta"]), 1)))
            else:
                witness = exact_witness(claim, lifting, out["delta"], rng)
                cert = Certificate(statement, Verdict.REFUTED, method, witness=witness,
                                   notes=("the exact normal form of Delta grad is InvarianceProof.delta",))
            return cert, {k: out[k] for k in ("grad_xi", "grad_eta", "delta")}
    except OutOfTime as exc:
        if not budget.owns(exc):
            raise
    return Certificate(statement, Verdict.UNDECIDED, "no witness point and no exact normal form within the budget",
                       notes=("Delta grad = 0 was not decided within the budget",)), {}


def _generic_ranks(ops: Ops, vals: dict, r: int) -> bool:
    """``Df`` invertible and ``J``, ``J Df`` of the generic rank ``r`` at the point of ``vals``."""
    J, Df = vals["J"], vals["Df"]
    return (ops.rank_profile(Df)[0] == len(Df) and ops.rank_profile(J)[0] == r
            and ops.rank_profile(ops.mul(J, Df))[0] == r)


def _lifted_point_witness(lifting: Lifting, lifted: dict, r: int, rng: random.Random,
                          statement: str, tries: int = 3, seen_zero: list | None = None) -> Certificate | None:
    """Step 1 of :func:`_delta_certificate`: a non-zero ``Delta grad`` at an integer point of the lifted
    variables (``None`` when there is none; ``True`` is appended to ``seen_zero`` when ``Delta grad``
    vanished at a point where the ranks are generic)."""
    if any(v.kind not in _FREE_KINDS for v in lifting.variables) or getattr(lifting, "faithful", True) is False:
        return None
    ops = ValueOps(Fraction(0), Fraction(1))
    for _ in range(tries):
        point = [rng.randrange(1, 2**20) for _ in lifting.variables]
        try:
            vals = {k: [[Fraction(x.evaluate(point)) for x in row] for row in M] for k, M in lifted.items()}
        except ZeroDivisionError:
            continue
        if not _generic_ranks(ops, vals, r):
            continue
        delta = parameter_gradients(ops, vals)["delta"]
        nz = [i for i, row in enumerate(delta) if row[0] != 0]
        if not nz:
            if seen_zero is not None:
                seen_zero.append(True)
            return None  # zero at a generic point: leave it to the exact computation
        w = lifted_witness(lifting, point, (nz[0] + 1, 1), delta[nz[0]][0])
        return Certificate(statement, Verdict.REFUTED,
                           "exact rational arithmetic at an integer point of the lifted variables where J and "
                           f"J Df have the generic rank {r}: Delta grad is a non-zero rational function of "
                           "those variables, which are algebraically independent, hence not the zero function",
                           witness=w,
                           notes=("no witness in the parameters themselves was found within its share of the "
                                  "budget",))
    return None


def _parameter_point_witness(claim: Claim, lifting: Lifting, lifted: dict, r: int, rng: random.Random,
                             statement: str, known_nonzero: bool = False) -> Certificate | None:
    """Step 2 of :func:`_delta_certificate`: a non-zero ``Delta grad`` at a rational point of the parameters.

    Small exact points first (:func:`symgrad.proof.simple_points`: ``0, ±1, 1/2, 2, ...`` within the
    declared signs, a loss differential that is not zero), then random grid points.  A point where
    ``Delta grad`` vanishes with generic ranks ends the search (``Delta grad`` is then probably zero:
    the exact computation decides it), unless ``known_nonzero`` (a lifted witness exists), when the
    search goes on: a small point can be special without being a rank drop.  Of the non-zero entries
    the one with the shortest exact value is stated; when that is long, a few more points are tried
    (within a share of the time left) for a shorter one.
    """
    found: list[Witness] = []
    points = _delta_witnesses(claim, lifting, lifted, r, rng, known_nonzero)
    t0 = time.monotonic()
    for w in points:
        found.append(w)
        break
    if not found:
        return None
    if len(str(found[0].value["value"])) > LONG_VALUE_CHARS:
        # a shorter value is worth a few times what the first one cost, not the rest of the budget: a
        # random point can be far more expensive than a small one (high powers of exp(1/D))
        rem = Budget(None).remaining()
        share = max(0.5, 3.0 * (time.monotonic() - t0))
        more = Budget(share if rem is None else min(share, 0.3 * rem))
        try:
            with more.limit():
                for w in points:
                    found.append(w)
                    if len(found) >= _WITNESS_CHOICES or len(str(w.value["value"])) <= LONG_VALUE_CHARS:
                        break
        except OutOfTime:
            # this budget's end, or an enclosing one's that fired while C code ran past ours: either way
            # the witness found is kept (an enclosing budget's alarm repeats, so it stops its caller at
            # the next tick)
            pass
    best = min(found, key=lambda w: len(str(w.value["value"])))
    return Certificate(statement, Verdict.REFUTED,
                       "exact arithmetic at a rational point: the Moore-Penrose inverses of both Gram "
                       f"matrices there (the generic rank {r} for both), eq. (5) evaluated exactly", witness=best)


#: how many witness points :func:`_parameter_point_witness` compares when the first has a long value
_WITNESS_CHOICES = 4


def _delta_witnesses(claim: Claim, lifting: Lifting, lifted: dict, r: int, rng: random.Random,
                     known_nonzero: bool) -> Iterator[Witness]:
    """The witnesses of :func:`_parameter_point_witness`, in the order of its search."""
    extra = tuple(claim.extra_symbols)
    simple = simple_points(lifting.symbols, nonzero=extra)
    # then points of small non-zero values (cheap: low powers of exp(1/D)), then random grid points
    plain = nonzero_points(lifting.symbols)
    zeros = tried = candidates = 0
    while tried < _SIMPLE_POINTS + 3 * _WITNESS_POINTS and candidates < 10 * (_SIMPLE_POINTS + 3 * _WITNESS_POINTS):
        candidates += 1
        pt = next(simple, None) if tried < _SIMPLE_POINTS else None
        if pt is None and tried < _SIMPLE_POINTS + 2 * _WITNESS_POINTS:
            pt = next(plain, None)
        if pt is None:
            pt = sample_point(lifting.symbols, rng, kind="grid")
        if not _in_domain(claim, pt):
            continue
        tried += 1
        point = {s: sp.Rational(v.numerator, v.denominator) for s, v in pt.items()}
        try:
            F = PointField(lifting, point)
            value = _point_evaluator(F)
            vals = {key: [[value(x) for x in row] for row in M] for key, M in lifted.items()}
        except (LiftError, ZeroDivisionError):
            continue
        ops = ValueOps(F.value(lifting.zero), F.value(lifting.one))
        if not _generic_ranks(ops, vals, r):
            continue
        delta = parameter_gradients(ops, vals)["delta"]
        nz = [i for i, row in enumerate(delta) if not row[0].is_zero()]
        if not nz:
            zeros += 1
            if not known_nonzero and zeros >= 2:
                return  # generic points where Delta grad vanishes: decide it exactly instead
            continue
        i, v = min(((i, F.to_sympy(delta[i][0])) for i in nz), key=lambda iv: len(str(iv[1])))
        dec = certified_decimal(v)
        yield Witness(point, {"entry": (i + 1, 1), "value": v}, numeric=sp.N(v, 15), exact=True,
                      decimal=dec, certified=dec is not None)


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

    def __repr__(self) -> str:
        state = "zero" if self.residual_is_zero else "not zero for lambda > 0"
        return f"<DampedInvariance: J Delta_lambda {state}; its limit lambda -> 0 {self.limit_certificate.short_finding()}>"

    def _latex(self, printer: Any = None) -> str:
        from .render.plaintext import message_math

        state = r"= 0" if self.residual_is_zero else r"\neq 0 \text{ for } \lambda > 0"
        return (r"J\,\Delta_{\lambda} " + state + r",\quad \lim_{\lambda \to 0^{+}} J\,\Delta_{\lambda} = "
                + sp.latex(self.limit) + r"\colon\ " + message_math(self.limit_certificate.finding()))

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


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
    # conditions that hold everywhere (a numerator that SymPy proves non-zero from the symbols' assumptions:
    # 4 exp(tau), a constant) restrict nothing and are not stated
    conditions = [c for c in (Lf.to_sympy(x, factor=True) for x in conds) if not _never_zero(c)]
    where = (" where " + ", ".join(f"{c} != 0" for c in conditions)) if conditions else ""
    cert = Certificate("lim_{lambda->0} J Delta_lambda = 0",
                       Verdict.PROVED if linalg.is_zero_matrix(lim) else Verdict.REFUTED,
                       "exact rational functions of lambda, lowest-order terms in lambda after cancellation"
                       + where, residual=Lf.matrix_to_sympy(lim, factor=True))
    return DampedInvariance(lam, Lf.matrix_to_sympy(res, factor=True), Lf.matrix_to_sympy(lim, factor=True),
                            linalg.is_zero_matrix(res), cert, Lf.matrix_to_sympy(gx, factor=True),
                            Lf.matrix_to_sympy(lim_gx, factor=True))


def _never_zero(c: sp.Expr) -> bool:
    """Whether the numerator of ``c`` is non-zero wherever it is defined, by SymPy's assumptions (a
    non-zero constant, a product of exponentials of real arguments, ...); ``False`` when not known."""
    num = sp.fraction(sp.together(c))[0]
    return bool(num.is_nonzero or num.is_positive or num.is_negative)


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

    def __repr__(self) -> str:
        return (f"<StepComparison: first order {'equal' if self.first_order_equal else 'different'}, second-order "
                f"coefficient of the difference {'zero' if self.second_order_is_zero else 'not zero'}>")

    def _latex(self, printer: Any = None) -> str:
        first = r"\text{first order equal}" if self.first_order_equal else r"\text{first order different}"
        return first + r",\quad \delta^{(2)} = " + sp.latex(self.second_order)

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"

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
