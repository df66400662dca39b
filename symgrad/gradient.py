r"""Natural gradients: eqs. (1), (4) and (5) of the paper, each written once.

For a loss ``L`` on the ambient space (an expression in the coordinates
``z``) and a model ``phi``:

* ``dL(phi)``: the ambient differential at the model point
  (:func:`loss_differential`, the only one in the package);
* ``nabla L = J^T dL(phi)``: the coordinate derivatives ``d_i L`` (§2);
* ``G^+ nabla L``: the parameter-space natural gradient of eq. (5), which
  depends on the parametrisation;
* ``J G^+ nabla L``: the manifold gradient of eq. (4) (Theorem 1), a tangent
  vector in ambient coordinates, the same for every generalised inverse;
* the Riesz gradient of eq. (1), computed without any inverse of ``G``: the
  ``g``-orthogonal projection of ``g^{-1} dL`` onto the column space of ``J``,
  ``B (B^T g B)^{-1} B^T dL`` for a basis ``B`` of pivot columns of ``J``.

:func:`symgrad.model.gram` (``G = J^T g J``) and :func:`recipe` (eqs. 4 and 5)
are written once against the field operations of :class:`~symgrad.ops.Ops` and serve
every level: the exact claims decided by :func:`symgrad.proof.decide`, the
values at a parameter point (:func:`gradient_at`, used by
:meth:`NaturalGradient.at` and by the Figure 2 counterexample), and the
invariance checks of :mod:`symgrad.reparam`.

Theorem 1 is the claim "manifold gradient = Riesz gradient", decided by
:func:`symgrad.proof.decide`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Literal, Mapping

import mpmath
import sympy as sp

from ._budget import DEFAULT_BUDGET, Budget, as_budget
from ._inputs import as_expr, check_finite_exprs, point as read_point
from .exact import dense as linalg
from .exact.domain import exact_field as number_field
from .exact.point import PointField
from .inverse import family_member
from .exceptions import DomainError, LiftError, ShapeError, SymbolError
from .ops import NumericOps, Ops, ValueOps
from .notation import THEOREM_1, latex_text
from .proof import Certificate, Claim, decide
from .model import Model, as_model, gram
from .singular import ensure_nonsingular

__all__ = [
    "ANY_LOSS", "AnyLoss", "loss_differential", "coordinate_derivatives", "recipe", "GradientAt",
    "FieldOf", "gradient_at", "NaturalGradient", "natural_gradient", "check_theorem1", "check_generalised_inverses",
    "riesz_gradient_claim", "theorem1_residual", "riesz_gradient",
]


class AnyLoss:
    """Stands for every loss at once: ``dL`` at the model point is kept as free symbols ``dL_1..dL_m``.

    A check that passes with ``ANY_LOSS`` holds for every smooth loss, since
    only the differential at the point enters eqs. (1), (4) and (5).
    """

    def __repr__(self) -> str:
        return "ANY_LOSS"

    def covector(self, m: int) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([sp.Symbol(f"dL_{k + 1}", real=True) for k in range(m)])


ANY_LOSS = AnyLoss()


# ---------------------------------------------------------------------------
# The loss differential (the only one)
# ---------------------------------------------------------------------------

def _match_coords(model: Model, L: sp.Expr) -> sp.Expr:
    """Replace loss symbols that have the name of an ambient coordinate by that coordinate.

    Other symbols of the loss (targets, weights) are kept as free constants: every
    check then holds for all their values.  A loss that depends on none of the
    ambient coordinates although it has symbols is refused: its gradient would be
    zero, and the likely cause is a misspelt coordinate.
    """
    by_name = {s.name: s for s in model.z}
    sub = {s: by_name[s.name] for s in L.free_symbols if s.name in by_name and s not in model.z}
    L = L.xreplace(sub) if sub else L
    names = {x.name for x in model.xi}
    clash = {s for s in L.free_symbols if s in model.xi or (s.name in names and s not in model.z)}
    if clash:
        raise SymbolError(
            f"the loss uses the parameters {sorted(map(str, clash))}; a loss is a function on the ambient "
            f"space: write it in the ambient coordinates {list(model.z)}"
        )
    others = L.free_symbols - set(model.z) - set(model.constants)
    if others and not (L.free_symbols & set(model.z)):
        raise SymbolError(
            f"the loss uses {sorted(map(str, others))} but none of the ambient coordinates {list(model.z)}, "
            "so its gradient would be zero: write it in those coordinates (a constant loss is written as a number)"
        )
    return L


def loss_differential(model: Model, L: Any) -> sp.ImmutableMatrix:
    r"""``dL`` at the model point ``z = phi(xi)``, as a column in the parameters.

    The loss is an expression in the ambient coordinates (symbols with the name
    of a coordinate are matched to it); other symbols of the loss are free
    constants (targets, weights).  ``ANY_LOSS`` gives free symbols
    ``dL_1, ..., dL_m``: a claim proved with it holds for every loss.

    Examples
    ========
    >>> a, b = sp.symbols("a b", real=True)
    >>> from symgrad.model import Model
    >>> M = Model([a * b], params=[a, b])
    >>> y0 = sp.Symbol("y0", real=True)
    >>> loss_differential(M, (sp.Symbol("z1", real=True) - y0)**2).T
    Matrix([[2*a*b - 2*y0]])
    """
    as_model(model, "loss_differential")
    if isinstance(L, AnyLoss):
        return L.covector(model.dim_ambient)
    if L is None or isinstance(L, sp.MatrixBase):
        raise ShapeError(f"the loss must be a scalar expression in the ambient coordinates {list(model.z)}; "
                         f"got {L!r}")
    L = _match_coords(model, as_expr(L, "loss"))
    check_finite_exprs([L], "loss")
    if L.atoms(sp.core.function.AppliedUndef):
        raise SymbolError(f"the loss {L} uses an undefined function {sorted(map(str, L.atoms(sp.core.function.AppliedUndef)))}; "
                          "write it with explicit functions of the ambient coordinates")
    try:
        dL = [sp.diff(L, zk) for zk in model.z]
        sub = dict(zip(model.z, model.phi))
        out = sp.ImmutableMatrix([d.xreplace(sub).doit() for d in dL])
    except (ValueError, TypeError, NameError) as exc:
        raise SymbolError(
            f"cannot differentiate the loss {L} in the coordinates {list(model.z)} ({str(exc).strip()}). For a loss with "
            "Abs, sign, re or im, give real ambient coordinates: coords=[sp.Symbol('z1', real=True), ...]"
        ) from exc
    if any(d.has(sp.Derivative, sp.DiracDelta) or d.has(sp.Subs) for d in out):
        raise SymbolError(f"the derivatives of the loss {L} in {list(model.z)} could not be evaluated as functions: "
                          f"{list(out)}. Use a loss that is differentiable (no sign, Heaviside or Abs of a complex "
                          "argument); for Abs, give real ambient coordinates")
    return out


def _extra_symbols(model: Model, dL: sp.MatrixBase) -> tuple[sp.Symbol, ...]:
    return tuple(sorted(dL.free_symbols - set(model.xi) - set(model.constants), key=lambda s: s.name))


def coordinate_derivatives(model: Model, L: Any) -> sp.ImmutableMatrix:
    r"""``nabla L = J^T dL(phi)``: the derivatives of ``L o phi`` along the ``d_i`` (paper, §2)."""
    dL = loss_differential(model, L)
    E = model.exact_with(list(dL))
    nab = linalg.matmul(linalg.transpose(E.J), E.lifting.lift_matrix(dL))
    return E.lifting.matrix_to_sympy(nab, factor=True)


# ---------------------------------------------------------------------------
# J^T g J and eqs. (4), (5): written once, for every level
# ---------------------------------------------------------------------------

def recipe(ops: Ops, J: list, g: list, dL: list,
           inverse: Callable[[list], list] | None = None) -> dict[str, Any]:
    r"""The recipe of eqs. (4) and (5) at the level of ``ops``.

    Returns ``G = J^T g J``, ``nabla = J^T dL``, ``G_plus`` (the inverse used, kept as a
    :class:`~symgrad.exact.dense.Factored` product of small factors chosen from the rank
    profile of ``J``; ``.expand()`` forms it), ``parameter = G^+ nabla`` (eq. 5, the factors
    applied to the vector one by one) and ``manifold = J G^+ nabla`` (eq. 4).
    ``inverse`` replaces ``G^+`` by another inverse of ``G`` (a generalised
    inverse, or the Tikhonov-damped ``(G + lambda I)^{-1}``).

    Examples
    ========
    >>> from fractions import Fraction as F
    >>> from symgrad.ops import ValueOps
    >>> ops = ValueOps(F(0), F(1))
    >>> J, g, dL = [[F(1), F(1)]], [[F(1)]], [[F(2)]]     # phi = a + b, L = 2 z
    >>> out = recipe(ops, J, g, dL)
    >>> out["parameter"], out["manifold"]
    ([[Fraction(1, 1)], [Fraction(1, 1)]], [[Fraction(2, 1)]])
    >>> ops.mul(out["G"], out["parameter"]) == out["nabla"]      # G (G^+ nabla) = nabla
    True
    """
    G = gram(ops, J, g)
    nabla = ops.mul(ops.T(J), dL)
    X = ops.gram_pinv(J, g) if inverse is None else linalg.Factored([inverse(G)])
    parameter = X.apply(nabla)
    manifold = ops.mul(J, parameter)
    return {"G": G, "nabla": nabla, "G_plus": X, "parameter": parameter, "manifold": manifold}


@dataclass(frozen=True)
class GradientAt:
    r"""Eqs. (4) and (5) at one parameter point, with what they were computed from.

    Attributes
    ==========
    xi : the parameter point
    p : the model point ``phi(xi)``
    J : ``J`` at the point (its columns are the ``d_i``)
    G : ``G = J^T g J`` at the point
    rank : the rank of ``J`` at the point
    nabla : ``nabla L = J^T dL`` (paper, §2)
    parameter : ``G^+ nabla L`` (eq. 5)
    manifold : ``J G^+ nabla L`` (eq. 4)
    method : ``"exact"`` (exact field arithmetic) or ``"numeric"`` (mpmath at ``dps`` digits)
    dps : the precision of a numeric computation
    """

    xi: dict
    p: tuple
    J: sp.ImmutableMatrix
    G: sp.ImmutableMatrix
    rank: int
    nabla: sp.ImmutableMatrix
    parameter: sp.ImmutableMatrix
    manifold: sp.ImmutableMatrix
    method: Literal["exact", "numeric"]
    dps: int | None = None

    def _how(self) -> str:
        return "exact" if self.method == "exact" else f"numeric, {self.dps} digits"

    def __repr__(self) -> str:
        pt = ", ".join(f"{k} = {v}" for k, v in self.xi.items())
        return (f"<GradientAt {pt} ({self._how()}): grad_p L = {tuple(self.manifold)} (eq. 4), "
                f"grad^Xi L = {tuple(self.parameter)} (eq. 5), rank {self.rank}>")

    def _latex(self, printer: Any = None) -> str:
        """LaTeX mathematics (SymPy's printer hook): the point and the two vectors there."""
        pt = r",\ ".join(f"{sp.latex(k)} = {sp.latex(v)}" for k, v in self.xi.items())
        return (r"\text{at }" + pt + r":\quad \operatorname{grad}_p \mathcal{L} = " + sp.latex(self.manifold)
                + r",\quad \operatorname{grad}^{\Xi} \mathcal{L} = " + sp.latex(self.parameter)
                + r"\quad \text{(" + self._how() + ")}")

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


#: An exact field for the values at a point: maps SymPy numbers to field elements and back.
#: ``exact_field(exprs)`` returns ``(values, to_sympy, zero, one)`` or ``None`` when it cannot hold them.
FieldOf = Callable[[list], "tuple[list, Callable[[Any], sp.Expr], Any, Any] | None"]


def _matrices(vals: list, m: int, n: int) -> tuple[list, list, list]:
    J = [vals[i * n:(i + 1) * n] for i in range(m)]
    g = [vals[m * n + i * m: m * n + (i + 1) * m] for i in range(m)]
    dl = [[v] for v in vals[m * n + m * m:]]
    return J, g, dl


def gradient_at(model: Model, L: Any, point: Mapping[Any, Any], *, exact_field: FieldOf | None = None,
                dps: int = 50, numeric: bool = True) -> GradientAt:
    r"""Eqs. (4) and (5) at an exact parameter point, and ``nabla L`` there.

    No singular-point guard: this is the bare recipe, as the Figure 2
    counterexample needs it at each preimage of a singular point.  The values
    are computed exactly: at a rational point in the field of the lifted
    kernels at that point (:class:`~symgrad.exact.point.PointField`), at
    an algebraic point in a number field (:func:`symgrad.exact.domain.exact_field`,
    or the field ``exact_field`` gives).
    Without an exact field, mpmath at ``dps`` digits is used when ``numeric``
    (and ``method`` says so); else :class:`~symgrad.exceptions.LiftError`.

    Parameters
    ==========
    model : the model
    L : a loss in the ambient coordinates, or its differential ``dL(phi)`` as a column
        (from :func:`loss_differential`)
    point : values of the parameters (and of the model's constants and the loss's free symbols)

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> from symgrad.model import Model
    >>> M = Model([t**2 - 1, t**3 - t], params=[t])
    >>> z1, z2 = M.z
    >>> v = gradient_at(M, z1 + 2*z2, {t: 1})
    >>> v.manifold.T, v.method
    (Matrix([[3/2, 3/2]]), 'exact')
    >>> v.G * v.parameter == v.nabla                      # eq. (5) solves G w = nabla L
    True
    """
    dL = L if isinstance(L, sp.MatrixBase) else loss_differential(model, L)
    extra = _extra_symbols(model, sp.ImmutableMatrix(dL))
    pt = read_point(point, model.xi, what="parameter point", constants=tuple(model.constants) + extra)
    m, n = model.dim_ambient, model.n_params
    p = tuple(x.xreplace(pt) for x in model.phi)
    exprs = list(model.J) + list(model.g_phi) + list(dL)
    at = [e.xreplace(pt) for e in exprs]
    if any(x.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for x in at):
        raise DomainError(f"J, g(phi) or dL is not defined at {dict(pt)}: an entry becomes "
                          f"{next(x for x in at if x.has(sp.nan, sp.zoo, sp.oo, -sp.oo))}. "
                          "Choose a point inside the domain of the model and the loss.")
    found: tuple[list, Callable[[Any], sp.Expr], Any, Any] | None = None
    if all(x.is_Rational for x in at):
        found = ([Fraction(int(x.p), int(x.q)) for x in at], lambda v: sp.Rational(v.numerator, v.denominator),
                 Fraction(0), Fraction(1))
    else:   # exact real values (rationals, sqrt(2), log(3/2), pi/3): the field of the kernels at the point
        try:
            E = model.exact_with(list(dL))
            F = PointField(E.lifting, dict(pt))
            lifted = [E.lifting.lift(e) for e in exprs]
            found = ([F.value(x) for x in lifted], F.to_sympy, F.value(E.lifting.zero), F.value(E.lifting.one))
        except (LiftError, ZeroDivisionError):
            found = None
    if found is None:
        found = (exact_field or number_field)(at)
    if found is not None:
        vals, conv, zero, one = found
        ops = ValueOps(zero, one)
        J, g, dl = _matrices(vals, m, n)
        out = recipe(ops, J, g, dl)
        rank = ops.rank_profile(J)[0]

        def S(A: list) -> sp.ImmutableMatrix:
            return sp.ImmutableMatrix([[conv(x) for x in row] for row in A])

        return GradientAt(dict(pt), p, S(J), S(out["G"]), rank, S(out["nabla"]), S(out["parameter"]),
                          S(out["manifold"]), "exact")
    if not numeric:
        raise LiftError(f"no exact field holds the values of J, g and dL at {dict(pt)}")
    with mpmath.workdps(dps + 10):
        try:
            nvals = [mpmath.mpf(sp.N(x, dps + 10)) for x in at]
        except (TypeError, ValueError) as exc:
            raise DomainError(f"J, g(phi) or dL is not a real number at {dict(pt)} ({exc}); choose a point in the "
                              "real domain of the model") from None
        ops_n = NumericOps(dps)
        J, g, dl = _matrices(nvals, m, n)
        out = recipe(ops_n, J, g, dl)
        rank = ops_n.rank_profile(J)[0]

        def N(A: list) -> sp.ImmutableMatrix:
            return sp.ImmutableMatrix([[sp.Float(x, dps) for x in row] for row in A])

        return GradientAt(dict(pt), p, N(J), N(out["G"]), rank, N(out["nabla"]), N(out["parameter"]),
                          N(out["manifold"]), "numeric", dps)


# ---------------------------------------------------------------------------
# Theorem 1 as a claim
# ---------------------------------------------------------------------------

def riesz_gradient(ops: Ops, J: list, g: list, dL: list, basis: list | None = None) -> list:
    r"""The Riesz gradient of eq. (1), ``B (B^T g B)^{-1} B^T dL``, with no inverse of ``G``.

    ``B`` is ``basis`` (any basis of the column space of ``J``) or else the pivot columns of
    ``J`` found at the level of ``ops`` (a basis of ``T_p M``);
    the vector is the ``g``-orthogonal projection of ``g^{-1} dL`` onto their span.  The one
    place it is written: Theorem 1 compares it with eq. (4), and :mod:`symgrad.reparam` uses
    it for ``J G^- nabla L``, which it equals for every generalised inverse ``G^-`` (the
    lemma in :func:`symgrad.reparam.invariance_residual`).

    Examples
    ========
    >>> from fractions import Fraction as F
    >>> from symgrad.ops import ValueOps
    >>> ops = ValueOps(F(0), F(1))
    >>> J, g, dL = [[F(1)], [F(1)]], [[F(1), F(0)], [F(0), F(1)]], [[F(2)], [F(0)]]
    >>> riesz_gradient(ops, J, g, dL) == [[1], [1]]         # (2, 0) projected onto the diagonal
    True
    """
    if basis is None:
        r, _rows, cols = ops.rank_profile(J)
        if not r:
            return linalg.zeros(len(J), 1, ops.zero)
        basis = linalg.submatrix(J, range(len(J)), cols)
    B = basis
    Bt = ops.T(B)
    return ops.mul(B, ops.solve(ops.mul(ops.mul(Bt, g), B), ops.mul(Bt, dL)))


def theorem1_residual(ops: Ops, inp: dict) -> dict:
    """Theorem 1 at the level of ``ops``: eqs. (4), (5), the Riesz gradient (1) and their difference."""
    J, g, dL = inp["J"], inp["g"], inp["dL"]
    out = recipe(ops, J, g, dL)
    Jt = ops.T(J)
    manifold, nabla = out["manifold"], out["nabla"]
    # Riesz (eq. 1): basis of the column space from pivot columns of J, Gram system of that basis
    riesz = riesz_gradient(ops, J, g, dL)
    # the defining property (1) of the manifold vector: g(grad, d_i) = dL(d_i) for all i
    defining = ops.sub(ops.mul(ops.mul(Jt, g), manifold), nabla)
    residual = ops.sub(manifold, riesz) + defining
    return {"G": out["G"], "nabla": nabla, "parameter": out["parameter"], "manifold": manifold, "riesz": riesz,
            "residual": residual}


def riesz_gradient_claim(model: Model, L: Any) -> Claim:
    """Theorem 1 as a claim: ``J G^+ nabla L`` equals the Riesz gradient and satisfies eq. (1)."""
    dL = loss_differential(model, L)
    return Claim(
        statement="Theorem 1: J G^+ nabla L = grad L (the Riesz gradient of eq. 1)",
        inputs={"J": model.J, "g": model.g_phi, "dL": dL},
        symbols=model.xi + model.constants,
        extra_symbols=_extra_symbols(model, dL),
        compute=theorem1_residual,
        positive=model.positive,
    )


@dataclass(eq=False)
class NaturalGradient:
    r"""The natural gradient of a loss on a model, both views, with Theorem 1 checked.

    Attributes
    ==========
    parameter : ``G^+ nabla L`` in parameter coordinates (eq. 5)
    manifold : ``J G^+ nabla L`` in ambient coordinates (eq. 4), ``grad_p L``
    riesz : the gradient from its definition (eq. 1), computed without ``G^+``
    nabla : ``J^T dL(phi)``
    theorem1 : the certificate for ``manifold == riesz`` (and eq. 1 holding)
    """

    model: Model
    loss: Any
    dL: sp.ImmutableMatrix
    nabla: sp.ImmutableMatrix | None
    parameter: sp.ImmutableMatrix | None
    manifold: sp.ImmutableMatrix | None
    riesz: sp.ImmutableMatrix | None
    theorem1: Certificate
    _outputs: dict = field(default_factory=dict, repr=False)

    def at(self, point: Mapping[Any, Any], *, budget: Budget | float | None = DEFAULT_BUDGET) -> GradientAt:
        """The exact vectors of eqs. (5) and (4) at a parameter point.

        Refused with :class:`~symgrad.exceptions.SingularPointError` where the
        model is singular (the recipe of eq. 4 is then not the gradient), and
        with :class:`~symgrad.exceptions.DomainError` outside the domain.
        """
        pt = self.model.check_params(point)
        b = as_budget(budget)
        with b.limit():
            ensure_nonsingular(self.model, pt)
            return gradient_at(self.model, self.dL, {**pt, **_loss_values(self, point)})

    def __str__(self) -> str:
        return (f"natural gradient of {self.loss} on {self.model.name}\n"
                f"  parameter space (eq. 5): {None if self.parameter is None else list(self.parameter)}\n"
                f"  on the model (eq. 4):    {None if self.manifold is None else list(self.manifold)}\n"
                f"  {self.theorem1.summary()}")

    def __repr__(self) -> str:
        loss = "any loss" if self.loss is ANY_LOSS else str(self.loss)
        return (f"<NaturalGradient of {_clip(loss)} on {self.model.name}: {THEOREM_1}, grad_p L = J G^+ nabla L: "
                f"{self.theorem1.short_finding()}>")

    def _latex(self, printer: Any = None) -> str:
        """LaTeX mathematics (SymPy's printer hook, so a tuple of results displays under
        ``init_printing``): both gradients and the finding of Theorem 1."""
        from .render.plaintext import message_math

        parts = []
        if self.parameter is not None:
            parts.append(r"\operatorname{grad}^{\Xi} \mathcal{L} = " + sp.latex(self.parameter))
        if self.manifold is not None:
            parts.append(r"\operatorname{grad}_p \mathcal{L} = " + sp.latex(self.manifold))
        parts.append(latex_text(f"{THEOREM_1}: ") + message_math(self.theorem1.short_finding()))
        return r",\quad ".join(parts)

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n - 3].rstrip() + "..."


def _loss_values(ng: NaturalGradient, point: Mapping[Any, Any]) -> dict:
    """Values the point gives for the loss's own free symbols (targets, say)."""
    extra = _extra_symbols(ng.model, ng.dL)
    if not extra:
        return {}
    return read_point({k: v for k, v in point.items()
                       if (k if isinstance(k, str) else getattr(k, "name", None)) in {s.name for s in extra}},
                      extra, what="value of the loss's symbols")


def natural_gradient(model: Model, L: Any, *, budget: Budget | float | None = DEFAULT_BUDGET,
                     seed: int | None = None) -> NaturalGradient:
    r"""Compute eqs. (4), (5) and (1) for ``L`` on ``model``, and decide Theorem 1 for it.

    ``budget`` (seconds, or a :class:`~symgrad._budget.Budget`) bounds each
    level of the decision; the certificate says which level finished.

    Examples
    ========
    >>> a, b = sp.symbols("a b", real=True)
    >>> from symgrad.model import Model
    >>> M = Model([a * b], params=[a, b])          # overparametrised: G has rank 1
    >>> z1 = M.z[0]
    >>> ng = natural_gradient(M, z1**2 / 2, seed=0)
    >>> ng.manifold
    Matrix([[a*b]])
    >>> ng.theorem1.holds                          # Theorem 1: J G^+ nabla L = grad_p L
    True
    """
    as_model(model, "natural_gradient")
    claim = riesz_gradient_claim(model, L)
    d = decide(claim, budget=budget, seed=seed, keep=("nabla", "parameter", "manifold", "riesz"))
    o = d.outputs
    return NaturalGradient(model, L, claim.inputs["dL"], o.get("nabla"), o.get("parameter"),
                           o.get("manifold"), o.get("riesz"), d.certificate, o)


def check_theorem1(model: Model, L: Any = ANY_LOSS, **kw: Any) -> Certificate:
    """Decide Theorem 1 on ``model`` for ``L`` (default: every loss at once)."""
    return decide(riesz_gradient_claim(model, L), **kw).certificate


def _all_inverses(ops: Ops, inp: dict) -> dict:
    J, g, dL = inp["J"], inp["g"], inp["dL"]
    out = recipe(ops, J, g, dL)
    G, X, nabla = out["G"], out["G_plus"].expand(), out["nabla"]
    n = len(G)
    I = ops.eye(n)
    if "U" in inp:
        U, V = inp["U"], inp["V"]
        other = recipe(ops, J, g, dL, inverse=lambda G: family_member(G, X, U, V))
        return {"residual": ops.sub(other["manifold"], out["manifold"])}
    # equivalent for all U, V at once: J (I - G^+ G) = 0 and (I - G G^+) nabla = 0
    a = ops.mul(J, ops.sub(I, ops.mul(X, G)))
    b = ops.mul(ops.sub(I, ops.mul(G, X)), nabla)
    return {"residual": [row for row in a] + [[x for x in row] + [ops.zero] * (len(a[0]) - 1) for row in b]}


def check_generalised_inverses(model: Model, L: Any = ANY_LOSS, *, symbolic_family: bool | None = None,
                               **kw: Any) -> Certificate:
    r"""Decide that ``J G^- nabla L`` is the same for every generalised inverse ``G^-`` (Theorem 1).

    With ``symbolic_family=True`` the whole family ``G^+ + (I - G^+G) U + V (I - G G^+)``
    is used with free symbols ``U, V``; otherwise the equivalent pair of
    identities ``J (I - G^+ G) = 0`` and ``(I - G G^+) nabla L = 0`` (the
    family's difference from ``G^+`` is linear in ``U`` and ``V``).
    """
    dL = loss_differential(model, L)
    n = model.n_params
    if symbolic_family is None:
        symbolic_family = n <= 3
    inputs = {"J": model.J, "g": model.g_phi, "dL": dL}
    extra = set(dL.free_symbols) - set(model.xi) - set(model.constants)
    statement = "J G^- nabla L is the same for every generalised inverse G^-"
    if symbolic_family:
        U = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"U_{i + 1}{j + 1}", real=True))
        V = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"V_{i + 1}{j + 1}", real=True))
        inputs.update(U=U, V=V)
        extra |= set(U) | set(V)
        statement += " (whole family, free U and V)"
    claim = Claim(statement, inputs, model.xi + model.constants, _all_inverses,
                  positive=model.positive,
                  extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    return decide(claim, **kw).certificate

