r"""``G^+`` in a structured form when the Jacobian has neither full row nor full column rank.

When the generic rank ``r`` of ``J`` is below both the number ``m`` of ambient coordinates and the
number ``d`` of parameters (softmax, a distribution with a redundant parameter, a linear network
with a bottleneck), neither ``G`` nor ``J J^T`` is invertible and the full-row-rank form of
:class:`symgrad.derivation.Factorisation` does not apply.  :func:`rank_form` writes ``G^+`` either
through a full-rank factorisation ``J = B R`` or with the orthogonal projector onto the null space,
whichever prints shorter, and decides the premises of the Penrose argument that makes it the
Moore-Penrose inverse (Definition 1 of van Oostrum & Ay), so that it equals the expanded ``G^+``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import sympy as sp

from ._budget import DEFAULT_BUDGET
from .exact import dense as linalg
from .exceptions import DerivationError, LiftError, RankError
from .gradient import NaturalGradient
from .model import Model
from .notation import latex_text
from .ops import Ops
from .proof import Certificate, Claim, decide

__all__ = ["RankForm", "rank_form"]


def _hstack(ops: Ops, *blocks: list) -> list:
    """The blocks side by side, shorter ones padded with zero rows (a residual must be rectangular)."""
    height = max(len(b) for b in blocks)
    out: list = [[] for _ in range(height)]
    for b in blocks:
        w = len(b[0]) if b else 0
        for i in range(height):
            out[i] += list(b[i]) if i < len(b) else [ops.zero] * w
    return out

def _columns(J: list, cols: Sequence[int]) -> list:
    return [[row[j] for j in cols] for row in J]


def _rank_factor_premises(cols: Sequence[int]) -> Callable[[Ops, dict], dict]:
    r"""The residuals of the Penrose argument for ``X = R^T K^{-1} g_B^{-1} K^{-1} R`` (``J = B R``,
    ``B`` the columns ``cols`` of ``J``, ``K = R R^T``, ``g_B = B^T g B``) and of the two gradient
    identities, side by side (see :class:`RankForm`)."""
    def compute(ops: Ops, inp: dict) -> dict:
        J, g, dL, G, R = inp["J"], inp["g"], inp["dL"], inp["G"], inp["R"]
        B = _columns(J, cols)
        r = len(R)
        eye = [[ops.one if i == j else ops.zero for j in range(r)] for i in range(r)]
        K = ops.mul(R, ops.T(R))
        gB = ops.mul(ops.T(B), ops.mul(g, B))
        Ki, gBi = ops.inv(K), ops.inv(gB)
        w = ops.mul(gBi, ops.mul(ops.T(B), dL))            # g_B^{-1} B^T dL, an r-vector
        res = _hstack(ops, ops.sub(J, ops.mul(B, R)), ops.sub(G, ops.mul(ops.T(J), ops.mul(g, J))),
                      ops.sub(g, ops.T(g)), ops.sub(ops.mul(K, Ki), eye), ops.sub(ops.mul(gB, gBi), eye),
                      ops.sub(ops.mul(ops.T(R), ops.mul(Ki, w)), inp["grad_param"]),
                      ops.sub(ops.mul(B, w), inp["grad_manifold"]))
        return {"residual": res}
    return compute


def _projector_premises(ops: Ops, inp: dict) -> dict:
    r"""The residuals of the Penrose argument for ``X = (G + P)^{-1} - P`` with
    ``P = N (N^T N)^{-1} N^T`` and of the two gradient identities (see :class:`RankForm`)."""
    G, J, N, nabla = inp["G"], inp["J"], inp["N"], inp["nabla"]
    k, d = len(N[0]), len(G)
    eye_k = [[ops.one if i == j else ops.zero for j in range(k)] for i in range(k)]
    eye_d = [[ops.one if i == j else ops.zero for j in range(d)] for i in range(d)]
    S = ops.mul(ops.T(N), N)
    Si = ops.inv(S)
    P = ops.mul(N, ops.mul(Si, ops.T(N)))
    GP = ops.add(G, P)
    Y = ops.inv(GP)
    v = ops.mul(Y, nabla)
    res = _hstack(ops, ops.sub(G, ops.T(G)), ops.mul(J, N), ops.sub(ops.mul(S, Si), eye_k),
                  ops.sub(ops.mul(GP, Y), eye_d), ops.sub(v, inp["grad_param"]),
                  ops.sub(ops.mul(J, v), inp["grad_manifold"]))
    return {"residual": res}


def _tex_length(*objects: Any) -> int:
    return sum(len(sp.latex(o)) for o in objects)


@dataclass(frozen=True)
class RankForm:
    r"""``G^+`` in a structured form when the generic rank ``r`` of ``J`` is below both the number
    ``m`` of ambient coordinates and the number ``d`` of parameters (so neither ``G`` nor ``J J^T``
    is invertible: softmax, a distribution with a redundant parameter, a linear network with a
    bottleneck).  Two forms, both exact; the one whose new objects print shorter is shown:

    **Full-rank factorisation** (``kind == "factorisation"``).  Let ``B`` be the ``r`` columns
    ``cols`` of ``J`` at a generic pivot (a basis of its column space) and ``R = W^{-1} J[rows, :]``
    with ``W = J[rows, cols]`` invertible, so that ``J = B R``, ``R`` has full row rank and
    ``R[:, cols] = I``.  With ``g_B = B^T g B`` (``r x r``, symmetric and invertible when ``g`` is
    positive definite) and ``K = R R^T``,

    .. math::

        G = R^{\top} g_B R, \qquad G^+ = R^{\top} K^{-1} g_B^{-1} K^{-1} R, \qquad
        \operatorname{grad}^{\Xi} = R^{\top} K^{-1} g_B^{-1} B^{\top} d\mathcal{L}, \qquad
        \operatorname{grad}_p = B g_B^{-1} B^{\top} d\mathcal{L}.

    Why: this is :class:`Factorisation`'s argument with ``R`` for ``J`` and ``g_B`` for ``g``.  For
    ``X = R^T K^{-1} g_B^{-1} K^{-1} R``, ``G X = R^T g_B (R R^T) K^{-1} g_B^{-1} K^{-1} R = R^T K^{-1} R``
    and ``X G = R^T K^{-1} R`` likewise; ``Pi = R^T K^{-1} R`` is symmetric and ``Pi^2 = Pi``, so
    ``G X G = Pi G = G`` and ``X G X = Pi X = X``: the four Penrose conditions (Definition 1 of the
    paper) hold wherever ``det K != 0`` and ``det g_B != 0``.  ``G^+ nabla L`` with
    ``nabla L = J^T dL = R^T B^T dL`` collapses to the third formula, and ``J`` times it to the
    fourth, the ``g``-orthogonal projection of ``g^{-1} dL`` onto the column space of ``J``
    (eq. 4).  Only ``r x r`` matrices are inverted.

    **Projector form** (``kind == "projector"``).  Let ``N`` be a basis of the null space of ``J``
    (``N[cols, :] = -R[:, others]``, ``N[others, :] = I``) and ``P = N (N^T N)^{-1} N^T`` the orthogonal
    projector onto it; then

    .. math::

        G^+ = (G + P)^{-1} - P, \qquad \operatorname{grad}^{\Xi} = (G + P)^{-1} \nabla\mathcal{L}.

    Why: ``J N = 0`` gives ``G N = 0`` and, ``G`` being symmetric, ``G P = P G = 0``; with ``P^2 = P``,
    ``(G + P) P = P``, so ``Y = (G + P)^{-1}`` has ``Y P = P Y = P`` and ``G Y = Y G = I - P``, which is
    symmetric and idempotent.  For ``X = Y - P``: ``G X = X G = I - P``, ``G X G = G`` and
    ``X G X = X - P Y + P = X``.  And ``P nabla L = N (N^T N)^{-1} (J N)^T dL = 0``.

    **How it is checked.**  As for :class:`Factorisation`: only the premises are decided (for the
    factorisation ``J = B R``, ``G = J^T g J``, ``g = g^T``, ``K K^{-1} = I``, ``g_B g_B^{-1} = I``;
    for the projector ``G = G^T``, ``J N = 0``, ``(N^T N)(N^T N)^{-1} = I``, ``(G + P)(G + P)^{-1} = I``),
    together with the two gradient formulas against the vectors the library computed.  The expanded
    ``G^+`` satisfies the Penrose conditions (its own certificate; the form is made only then) and the
    Moore-Penrose inverse is unique, so the structured and the expanded ``G^+`` are equal as rational
    functions.

    Attributes
    ==========
    kind : ``"factorisation"`` or ``"projector"``, the form shown
    rank : the generic rank ``r`` of ``J``
    cols : the pivot columns (0-based) of ``J`` that make up ``B``
    R, K, g_B : ``R`` (``r x d``), ``K = R R^T`` and ``g_B = B^T g B`` (SymPy, factored)
    N, P : the null-space basis and the projector onto ``ker G`` (SymPy, factored)
    certificate : the premises and gradient identities of the form shown
    lengths : printed length (LaTeX characters) of the new objects of each form
        (``R``, ``K``, ``g_B``; ``N``, ``P``), by which the form was chosen
    """

    kind: str
    rank: int
    cols: tuple[int, ...]
    R: sp.ImmutableMatrix
    K: sp.ImmutableMatrix
    g_B: sp.ImmutableMatrix
    N: sp.ImmutableMatrix
    P: sp.ImmutableMatrix
    certificate: Certificate
    lengths: Mapping[str, int]

    @property
    def formula(self) -> str:
        """``G^+`` in the form shown, as plain text."""
        return ("G^+ = R^T K^-1 g_B^-1 K^-1 R" if self.kind == "factorisation" else "G^+ = (G + P)^-1 - P")

    def _repr_latex_(self) -> str:
        if self.kind == "factorisation":
            form = (r"G^{+} = R^{\top} K^{-1} g_B^{-1} K^{-1} R,\ J = B R,\ R = "
                    + sp.latex(self.R) + r",\ K = R R^{\top},\ g_B = B^{\top} g B")
        else:
            form = r"G^{+} = (G + P)^{-1} - P,\ P = " + sp.latex(self.P)
        return "$" + form + r"\colon\ " + latex_text(self.certificate.finding()) + "$"

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer (containers under ``init_printing``)."""
        return self._repr_latex_().strip("$")

    def __repr__(self) -> str:
        return f"<RankForm (rank {self.rank}): {self.formula}: {self.certificate.finding()}>"


def _null_basis(R: sp.MatrixBase, cols: Sequence[int]) -> sp.ImmutableMatrix:
    """A basis of ``ker R`` (``R[:, cols] = I``): for each other column ``j``, ``e_j - sum_i R[i, j] e_{cols[i]}``."""
    r, d = R.shape
    others = [j for j in range(d) if j not in cols]
    N = sp.zeros(d, len(others))
    for k, j in enumerate(others):
        N[j, k] = 1
        for i, c in enumerate(cols):
            N[c, k] = -R[i, j]
    return sp.ImmutableMatrix(N)


def rank_form(model: Model, ng: NaturalGradient, *, kind: str = "auto", budget: float | None = DEFAULT_BUDGET,
              seed: int | None = 0) -> RankForm | None:
    r"""``G^+`` as a full-rank factorisation or in projector form (:class:`RankForm`), with the
    certificate of its premises and of the gradient formulas; None unless the generic rank of ``J``
    is below both the number of ambient coordinates and of parameters and the expanded ``G^+``
    satisfies the Penrose conditions.

    ``kind`` is ``"factorisation"``, ``"projector"`` or ``"auto"`` (the form whose new objects print
    shorter).

    Examples
    ========
    >>> import symgrad as sg
    >>> a, b, c = sp.symbols("a b c", real=True)
    >>> M = sg.Model([a + b, c, 1 - a - b - c], params=[a, b, c])       # rank 2 < 3, 3
    >>> ng = sg.natural_gradient(M, M.z[0]**2 / 2, seed=0)
    >>> F = rank_form(M, ng)                       # J = B R with B the columns 1 and 3 of J
    >>> F.kind, F.R, F.certificate.holds
    ('factorisation', Matrix([
    [1, 1, 0],
    [0, 0, 1]]), True)
    >>> F = rank_form(M, ng, kind="projector")     # G^+ = (G + P)^-1 - P, P onto span (-1, 1, 0)
    >>> F.N.T, F.certificate.holds
    (Matrix([[-1, 1, 0]]), True)
    """
    if kind not in ("auto", "factorisation", "projector"):
        raise DerivationError(f"kind= must be 'auto', 'factorisation' or 'projector'; got {kind!r}")
    if ng.parameter is None or ng.manifold is None or ng.nabla is None:
        return None
    try:
        E = model.exact
        r, rows, cols = E.rank, list(E.rows), list(E.cols)
        if not (0 < r < model.dim_ambient and r < model.n_params):
            return None
        if model.G_plus.penrose.holds is not True:
            return None
        L = E.lifting
        R_l = linalg.solve(linalg.submatrix(E.J, rows, cols), linalg.submatrix(E.J, rows, range(model.n_params)))
        R = L.matrix_to_sympy(R_l, factor=True)
    except (LiftError, RankError):
        return None
    J, g = sp.Matrix(model.J), sp.Matrix(model.g_phi)
    B = J[:, cols]
    K = sp.ImmutableMatrix((R * R.T).applyfunc(sp.factor))
    g_B = sp.ImmutableMatrix((B.T * g * B).applyfunc(lambda e: sp.factor(sp.cancel(e))))
    N = _null_basis(R, cols)
    P = sp.ImmutableMatrix((N * (N.T * N).inv() * N.T).applyfunc(sp.factor))
    lengths = {"factorisation": _tex_length(R, K, g_B), "projector": _tex_length(N, P)}
    if kind == "auto":
        kind = "factorisation" if lengths["factorisation"] <= lengths["projector"] else "projector"
    syms = model.xi + model.constants
    positive = model.positive
    if kind == "factorisation":
        inputs = {"J": model.J, "g": model.g_phi, "dL": ng.dL, "G": model.G, "R": R,
                  "grad_param": ng.parameter, "grad_manifold": ng.manifold}
        statement = ("G^+ = R^T K^-1 g_B^-1 K^-1 R with J = B R (B the pivot columns of J), K = R R^T, "
                     "g_B = B^T g B (the Penrose conditions in factored form: J = B R, G = J^T g J, g = g^T, "
                     "K K^-1 = I, g_B g_B^-1 = I; equal to the expanded G^+ by uniqueness), "
                     "grad^Xi = R^T K^-1 g_B^-1 B^T dL and J G^+ nabla L = B g_B^-1 B^T dL")
        compute: Callable[[Ops, dict], dict] = _rank_factor_premises(cols)
    else:
        inputs = {"G": model.G, "J": model.J, "N": N, "nabla": ng.nabla,
                  "grad_param": ng.parameter, "grad_manifold": ng.manifold}
        statement = ("G^+ = (G + P)^-1 - P with P = N (N^T N)^-1 N^T (the Penrose conditions in factored form: "
                     "G = G^T, J N = 0, (N^T N)(N^T N)^-1 = I, (G + P)(G + P)^-1 = I; equal to the expanded G^+ "
                     "by uniqueness), grad^Xi = (G + P)^-1 nabla L and J G^+ nabla L = J (G + P)^-1 nabla L")
        compute = _projector_premises
    extra = set().union(*[sp.Matrix(v).free_symbols for v in inputs.values()]) - set(syms)
    claim = Claim(statement, inputs, syms, compute, positive=positive,
                  extra_symbols=tuple(sorted(extra, key=lambda s: s.name)))
    cert = decide(claim, budget=budget, seed=seed).certificate
    return RankForm(kind=kind, rank=r, cols=tuple(cols), R=sp.ImmutableMatrix(R), K=K, g_B=g_B, N=N, P=P,
                    certificate=cert, lengths=lengths)
