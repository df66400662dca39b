r"""Natural gradients: eqs. (1), (4) and (5) of the paper.

For a loss ``L`` on the ambient space (an expression in the coordinates
``z``) and a model ``phi``:

* ``dL(phi)``: the ambient differential at the model point;
* ``nabla L = J^T dL(phi)``: the coordinate derivatives ``d_i L`` (§2);
* ``G^+ nabla L``: the parameter-space natural gradient of eq. (5), which
  depends on the parametrisation;
* ``J G^+ nabla L``: the manifold gradient of eq. (4) (Theorem 1), a tangent
  vector in ambient coordinates, the same for every generalised inverse;
* the Riesz gradient of eq. (1), computed without any inverse of ``G``: the
  ``g``-orthogonal projection of ``g^{-1} dL`` onto the column space of ``J``,
  ``B (B^T g B)^{-1} B^T dL`` for a basis ``B`` of pivot columns of ``J``.

Theorem 1 is then the claim "manifold gradient = Riesz gradient", decided by
:func:`symgrad.proof.decide`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp

from .exact import dense as linalg
from .exceptions import ShapeError, SymbolError
from .proof import Certificate, Claim, Ops, decide

if TYPE_CHECKING:
    from .model import Model

__all__ = [
    "ANY_LOSS", "AnyLoss", "loss_differential", "coordinate_derivatives", "NaturalGradient",
    "natural_gradient", "check_theorem1", "check_generalised_inverses", "riesz_gradient_claim",
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
    """``dL`` at ``z = phi(xi)`` as a column (the ambient differential, pulled to the parameters)."""
    if isinstance(L, AnyLoss):
        return L.covector(model.dim_ambient)
    if isinstance(L, sp.MatrixBase):
        raise ShapeError("the loss must be a scalar expression in the ambient coordinates, not a matrix")
    L = _match_coords(model, sp.sympify(L))
    try:
        dL = [sp.diff(L, zk) for zk in model.z]
        sub = dict(zip(model.z, model.phi))
        out = sp.ImmutableMatrix([d.xreplace(sub).doit() for d in dL])
    except (ValueError, TypeError) as exc:
        raise SymbolError(
            f"cannot differentiate the loss {L} in the coordinates {list(model.z)} ({str(exc).strip()}). For a loss with "
            "Abs, sign, re or im, give real ambient coordinates: coords=[sp.Symbol('z1', real=True), ...]"
        ) from exc
    if any(d.has(sp.Derivative) for d in out):
        raise SymbolError(f"the derivatives of the loss {L} in {list(model.z)} could not be evaluated: {list(out)}. "
                          "For a loss with Abs, sign, re or im, give real ambient coordinates")
    return out


def coordinate_derivatives(model: Model, L: Any) -> sp.ImmutableMatrix:
    r"""``nabla L = J^T dL(phi)``: the derivatives of ``L o phi`` along the ``d_i`` (paper, §2)."""
    dL = loss_differential(model, L)
    E = model.exact_with(list(dL))
    nab = linalg.matmul(linalg.transpose(E.J), E.lifting.lift_matrix(dL))
    return E.lifting.matrix_to_sympy(nab, factor=True)


def _gradients(ops: Ops, inp: dict) -> dict:
    """The computation behind :class:`NaturalGradient`, written once for every level."""
    J, g, dL = inp["J"], inp["g"], inp["dL"]
    Jt = ops.T(J)
    G = ops.mul(ops.mul(Jt, g), J)
    nabla = ops.mul(Jt, dL)
    X = ops.pinv(G, psd=True)
    param = ops.mul(X, nabla)
    manifold = ops.mul(J, param)
    # Riesz (eq. 1): basis of the column space from pivot columns of J, Gram system of that basis
    r, _rows, cols = ops.rank_profile(J)
    B = linalg.submatrix(J, range(len(J)), cols)
    Bt = ops.T(B)
    if r:
        coeff = ops.mul(ops.inv(ops.mul(ops.mul(Bt, g), B)), ops.mul(Bt, dL))
        riesz = ops.mul(B, coeff)
    else:
        riesz = linalg.zeros(len(J), 1, ops.zero)
    # the defining property (1) of the manifold vector: g(grad, d_i) = dL(d_i) for all i
    defining = ops.sub(ops.mul(ops.mul(Jt, g), manifold), nabla)
    residual = ops.sub(manifold, riesz) + defining
    return {"G": G, "nabla": nabla, "parameter": param, "manifold": manifold, "riesz": riesz,
            "residual": residual}


def riesz_gradient_claim(model: Model, L: Any) -> Claim:
    """Theorem 1 as a claim: ``J G^+ nabla L`` equals the Riesz gradient and satisfies eq. (1)."""
    dL = loss_differential(model, L)
    extra = tuple(sorted(dL.free_symbols - set(model.xi) - set(model.constants), key=lambda s: s.name))
    return Claim(
        statement="Theorem 1: J G^+ nabla L = grad L (the Riesz gradient of eq. 1)",
        inputs={"J": model.J, "g": model.g_phi, "dL": dL},
        symbols=model.xi + model.constants,
        extra_symbols=extra,
        compute=_gradients,
        positive=model.metric.domain(list(model.phi)),
    )


@dataclass(eq=False)
class NaturalGradient:
    r"""The natural gradient of a loss on a model, both views, with Theorem 1 checked.

    Attributes
    ==========
    parameter : ``G^+ nabla L`` in parameter coordinates (eq. 5)
    manifold : ``J G^+ nabla L`` in ambient coordinates (eq. 4)
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

    @property
    def grad(self) -> sp.ImmutableMatrix | None:
        """Alias of :attr:`manifold`: ``grad_p L`` in ambient coordinates."""
        return self.manifold

    def at(self, point: dict) -> dict[str, sp.ImmutableMatrix]:
        """The exact vectors of eqs. (5) and (4) at a rational parameter point.

        Refused with :class:`~symgrad.exceptions.SingularPointError` where the
        model is singular (the recipe of eq. 4 is then not the gradient).
        """
        from .inverse import exact_pinv_at
        from .exact.lifting import PointField
        from .singular import ensure_nonsingular
        pt = self.model.check_params(point)
        ensure_nonsingular(self.model, pt)
        E = self.model.exact_with(list(self.dL))
        F = PointField(E.lifting, pt)
        Jp = [[F.value(x) for x in row] for row in E.J]
        gp = [[F.value(x) for x in row] for row in E.g]
        dLp = [[F.value(x) for x in row] for row in E.lifting.lift_matrix(self.dL)]
        Jt = linalg.transpose(Jp)
        Gp = linalg.matmul(linalg.matmul(Jt, gp), Jp)
        param = linalg.matmul(exact_pinv_at(Gp, psd=True), linalg.matmul(Jt, dLp))
        manifold = linalg.matmul(Jp, param)
        conv = lambda M: sp.ImmutableMatrix([[F.to_sympy(x) for x in row] for row in M])  # noqa: E731
        return {"parameter": conv(param), "manifold": conv(manifold)}

    def __str__(self) -> str:
        return (f"natural gradient of {self.loss} on {self.model.name}\n"
                f"  parameter space (eq. 5): {None if self.parameter is None else list(self.parameter)}\n"
                f"  on the model (eq. 4):    {None if self.manifold is None else list(self.manifold)}\n"
                f"  {self.theorem1.summary()}")

    def _repr_latex_(self) -> str:
        parts = []
        if self.parameter is not None:
            parts.append(r"\operatorname{grad}^{\Xi} \mathcal{L} = " + sp.latex(self.parameter))
        if self.manifold is not None:
            parts.append(r"\operatorname{grad}_p \mathcal{L} = " + sp.latex(self.manifold))
        return "$" + r",\quad ".join(parts) + "$"


def natural_gradient(model: Model, L: Any, *, budget: float = 20.0, seed: int | None = None) -> NaturalGradient:
    """Compute eqs. (4), (5) and (1) for ``L`` on ``model``, and decide Theorem 1 for it."""
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
    Jt = ops.T(J)
    G = ops.mul(ops.mul(Jt, g), J)
    nabla = ops.mul(Jt, dL)
    X = ops.pinv(G, psd=True)
    n = len(G)
    if "U" in inp:
        U, V = inp["U"], inp["V"]
        I = ops.eye(n)
        Gm = ops.add(ops.add(X, ops.mul(ops.sub(I, ops.mul(X, G)), U)), ops.mul(V, ops.sub(I, ops.mul(G, X))))
        res = ops.sub(ops.mul(J, ops.mul(Gm, nabla)), ops.mul(J, ops.mul(X, nabla)))
        return {"residual": res}
    # equivalent for all U, V at once: J (I - G^+ G) = 0 and (I - G G^+) nabla = 0
    I = ops.eye(n)
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
                  positive=model.metric.domain(list(model.phi)),
                  extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    return decide(claim, **kw).certificate
