r"""Where parametrisation independence fails (paper, §3, Fig. 2), made explicit.

At a singular point ``p`` reached from two parameters ``xi1 != xi2`` along
branches with different tangent spaces, the recipe of eq. (4),
``J (J^T g J)^+ J^T dL``, gives a vector in the span of the ``d_i(xi1)`` (the
blue arrows) at ``xi1`` and one in the span of the ``d_i(xi2)`` (the red
arrows) at ``xi2``; a reparametrisation ``f`` with ``f(xi1) = xi2`` turns the
first into the second.  So there is no single gradient at ``p``.

* :func:`branch_gradients` evaluates eq. (4) at every preimage of ``p``,
  with the one recipe of :func:`symgrad.gradient.gradient_at`;
* :func:`branch_swap` builds ``f`` (a :class:`~symgrad.parametrisation.Reparametrisation`,
  so it can be handed to :func:`symgrad.reparam.check_invariance`);
* :func:`counterexample` evaluates eq. (4) for ``phi`` and ``phi o f`` at the
  same parameter value and compares the two vectors in an exact field.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

import mpmath
import sympy as sp

from ._inputs import point_tuple
from .exact.domain import exact_field, field_of, span_basis
from .exceptions import DomainError, SingularPointError, ShapeError
from .gradient import gradient_at, loss_differential
from .model import Model
from .notation import latex_text
from .parametrisation import Reparametrisation
from .proof import Certificate, Verdict, Witness
from .singular import Classification, classify
from .singular._model import representative, sort_key
from .singular._numeric import numeric_span
from .singular.results import fmt_point, latex_point, latex_vec

__all__ = ["BranchGradient", "BranchSwap", "Counterexample", "branch_gradients", "branch_swap", "counterexample"]

Method = Literal["exact", "numeric"]


@dataclass(frozen=True, eq=False)
class BranchGradient:
    r"""The recipe of eq. (4) at one preimage ``xi`` of ``p``: ``J (J^T g J)^+ J^T dL``.

    At a non-singular point every preimage gives the gradient (Theorem 1).  At
    a singular point each branch gives a vector in its own span of the
    ``d_i``: Figure 2's blue and red arrows.

    Attributes
    ==========
    xi : the preimage (a representative point when the component is a family)
    p : the model point
    d : the pushforwards ``d_i = dphi(e_i)`` at ``xi`` (the columns of ``J``)
    span : canonical basis of ``span(d_i)``
    rank : ``rank J`` at ``xi``
    G : ``J^T g J`` at ``xi``
    nabla : ``J^T dL``, the coordinate derivatives
    vector : the recipe ``J G^+ nabla`` (ambient coordinates)
    method : ``"exact"`` or ``"numeric"``
    """

    xi: Mapping[sp.Symbol, sp.Expr]
    p: tuple[sp.Expr, ...]
    d: tuple[tuple[sp.Expr, ...], ...]
    span: tuple[tuple[sp.Expr, ...], ...]
    rank: int
    G: sp.ImmutableMatrix
    nabla: tuple[sp.Expr, ...]
    vector: tuple[sp.Expr, ...]
    method: Method = "exact"

    def __str__(self) -> str:
        return (f"at {fmt_point(tuple(self.xi), self.xi)}: J G^+ nabla L = {self.vector} "
                f"in span{[tuple(v) for v in self.span]} ({self.method})")

    __repr__ = __str__

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer: LaTeX of this object inside containers under ``init_printing``."""
        return self._repr_latex_().strip("$")

    def _repr_latex_(self) -> str:
        return (r"$" + latex_point(tuple(self.xi), self.xi) + r":\ J G^{+} \nabla L = " + latex_vec(self.vector)
                + r" \in \operatorname{span}\{" + ", ".join(latex_vec(v) for v in self.span) + r"\}$")


class BranchSwap(Reparametrisation):
    r"""A reparametrisation ``f: H -> Xi`` with ``f(xi1) = xi2`` (paper, Fig. 2).

    ``f(eta) = eta + (xi2 - xi1)``, a translation, or ``f(eta)_k = eta_k * xi2_k / xi1_k``
    (a scaling) when the parameters are declared positive.  Either is a
    diffeomorphism with ``Df`` invertible, so ``phi o f`` is another
    parametrisation of the same model.  It is a
    :class:`~symgrad.parametrisation.Reparametrisation`: ``model.reparametrise(f)``
    and :func:`symgrad.reparam.check_invariance` take it.
    """

    def __init__(self, f: Sequence[sp.Expr], eta: Sequence[sp.Symbol], xi1: tuple[sp.Expr, ...],
                 xi2: tuple[sp.Expr, ...], kind: Literal["translation", "scaling"]):
        super().__init__(list(f), params=list(eta), name="f")
        self.xi1, self.xi2, self.kind = tuple(xi1), tuple(xi2), kind

    def __str__(self) -> str:
        return f"f({', '.join(map(str, self.eta))}) = {tuple(self.f)}  ({self.kind}; f{self.xi1} = {self.xi2})"

    __repr__ = __str__

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer: LaTeX of this object inside containers under ``init_printing``."""
        return self._repr_latex_().strip("$")

    def _repr_latex_(self) -> str:
        return r"$f" + latex_vec(self.eta) + " = " + latex_vec(tuple(self.f)) + "$"


def _branch_gradient(model: Model, dL: sp.ImmutableMatrix, point: Mapping) -> BranchGradient:
    """Eq. (4) at ``point`` through :func:`symgrad.gradient.gradient_at`, with the span of the ``d_i``."""
    pt = {s: point[s] for s in model.xi}
    v = gradient_at(model, dL, pt, exact_field=exact_field)
    n = model.n_params
    d = tuple(tuple(v.J[:, j]) for j in range(n))
    if v.method == "exact":
        sb = span_basis([list(c) for c in d])
        span = sb[1] if sb is not None else ()
    else:
        with mpmath.workdps(v.dps or 50):
            A = mpmath.matrix([[mpmath.mpf(x) for x in row] for row in v.J.tolist()])
            span = numeric_span(A, mpmath.mpf(10) ** -30)
    p = tuple(sp.cancel(x) if v.method == "exact" else x for x in v.p)
    return BranchGradient(pt, p, d, span, v.rank, sp.ImmutableMatrix(v.G), tuple(v.nabla), tuple(v.manifold),
                          v.method)


def branch_gradients(model: Model, L: Any, p: Any, *, classification: Classification | None = None,
                     **kwargs: Any) -> list[BranchGradient]:
    r"""The recipe of eq. (4) at each preimage of ``p`` (paper, §3, Fig. 2's blue and red arrows).

    For each preimage component of ``p`` (a representative point when it is
    a family), computes ``J (J^T g J)^+ J^T dL`` with exact arithmetic at that
    point, together with the span of the ``d_i`` there.  Rank-drop preimages
    are included: eq. (4) is evaluated there too.

    Parameters
    ==========
    model : a :class:`~symgrad.model.Model`
    L : the loss, a SymPy expression in the ambient coordinates ``model.z`` (matched by name)
    p : the model point
    classification : a :class:`~symgrad.singular.Classification` of ``p`` already computed (else
        :func:`~symgrad.singular.classify` runs)
    kwargs : passed to :func:`~symgrad.singular.classify`

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> M = Model([t**2 - 1, t**3 - t], [t])
    >>> z1, z2 = M.z
    >>> [b.vector for b in branch_gradients(M, z1 + 2*z2, (0, 0))]
    [(3/2, 3/2), (-1/2, 1/2)]
    """
    C = classification if classification is not None else classify(model, p, **kwargs)
    dL = loss_differential(model, L)
    out: list[BranchGradient] = []
    seen: list[dict] = []
    for pre in C.preimages:
        rep = (representative(model, pre.xi, pre.free, avoid_rank_below=pre.rank) if pre.method == "exact"
               else dict(pre.xi))
        seen.append(rep)
        out.append(_branch_gradient(model, dL, rep))
    for q in C.rank_drop_points:
        try:
            rep = representative(model, q)
        except DomainError:  # pragma: no cover
            continue
        if any(rep == s for s in seen):
            continue
        seen.append(rep)
        out.append(_branch_gradient(model, dL, rep))
    out.sort(key=lambda b: sort_key([b.xi[s] for s in model.xi]), reverse=True)
    return out


def branch_swap(model: Model, xi1: Any, xi2: Any, eta: Sequence[sp.Symbol] | None = None) -> BranchSwap:
    r"""A reparametrisation ``f`` with ``f(xi1) = xi2`` (paper, Fig. 2): a translation, or a scaling.

    Parameters
    ==========
    model : the model whose parameters ``f`` maps to
    xi1, xi2 : parameter points (mappings from the parameters, or sequences in ``model.xi`` order)
    eta : names for the new parameters (default ``eta`` for one parameter, else ``eta1, eta2, ...``)

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> f = branch_swap(Model([t**2 - 1, t**3 - t], [t]), (1,), (-1,))
    >>> tuple(f.f), f.f[0].subs(f.eta[0], 1)                      # f(xi1) = xi2
    ((eta - 2,), -1)
    """
    a = point_tuple(xi1, model.xi, what="parameter point")
    b = point_tuple(xi2, model.xi, what="parameter point")
    n = len(model.xi)
    positive = all(s.is_positive for s in model.xi) and all(v.is_positive for v in a + b)
    if eta is None:
        names = ["eta"] if n == 1 else [f"eta{k + 1}" for k in range(n)]
        eta = tuple(sp.Symbol(nm, positive=True) if positive else sp.Symbol(nm, real=True) for nm in names)
    eta = tuple(eta)
    if len(eta) != n:
        raise ShapeError(f"f needs {n} new parameters; got {len(eta)}")
    if positive:
        return BranchSwap([e * (bv / av) for e, av, bv in zip(eta, a, b)], eta, a, b, "scaling")
    return BranchSwap([e + (bv - av) for e, av, bv in zip(eta, a, b)], eta, a, b, "translation")


def _compare(u: Sequence[sp.Expr], v: Sequence[sp.Expr]) -> bool | None:
    """Are the vectors equal? Decided in an exact field; ``None`` when none holds them (numeric vectors)."""
    vals = field_of([sp.sympify(a) - sp.sympify(b) for a, b in zip(u, v)])
    if vals is None:
        return None
    return all(x.is_zero() for x in vals)


def _numeric_gap(u: Sequence[sp.Expr], v: Sequence[sp.Expr]) -> sp.Float:
    return max([abs(sp.N(sp.sympify(a) - sp.sympify(b), 30)) for a, b in zip(u, v)] + [sp.Float(0)])


@dataclass(frozen=True, eq=False)
class Counterexample:
    r"""Parametrisation dependence of eq. (4) at a singular point, made explicit (paper, Fig. 2).

    Attributes
    ==========
    swap : the :class:`BranchSwap` ``f`` with ``f(xi1) = xi2``
    model_f : the model ``phi o f``
    blue : eq. (4) for ``phi`` at ``xi1``
    red : eq. (4) for ``phi o f`` at ``eta = xi1`` (the same parameter value, the same point ``p``)
    other : eq. (4) for ``phi`` at ``xi2``
    differ : True when the two vectors are proved different, False when proved equal, ``None`` when
        undecided (numeric vectors: then :attr:`certificate` states the numeric gap)
    matches_other_branch : the same verdict for ``red`` against ``other``
    certificate : the claim "eq. (4) gives the same vector for phi and phi o f", refuted with an exact
        witness when :attr:`differ` is proved
    """

    swap: BranchSwap
    model_f: Model
    blue: BranchGradient
    red: BranchGradient
    other: BranchGradient
    differ: bool | None
    matches_other_branch: bool | None
    certificate: Certificate = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.certificate is None:
            object.__setattr__(self, "certificate", _counterexample_certificate(self))

    def __str__(self) -> str:
        verdict = {True: "differ", False: "agree", None: "were not compared exactly"}[self.differ]
        return (f"reparametrisation {self.swap}\n"
                f"  phi     at {self.swap.xi1}: {self.blue.vector} in span{[tuple(v) for v in self.blue.span]}\n"
                f"  phi o f at {self.swap.xi1}: {self.red.vector} in span{[tuple(v) for v in self.red.span]}\n"
                f"  the vectors {verdict}; phi o f reproduces the branch at "
                f"{self.swap.xi2}: {self.matches_other_branch}")

    __repr__ = __str__

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer: LaTeX of this object inside containers under ``init_printing``."""
        return self._repr_latex_().strip("$")

    def _repr_latex_(self) -> str:
        rel = {True: r" \neq ", False: " = ", None: r" \quad\text{vs.}\quad "}[self.differ]
        return (r"$\begin{gathered}" + self.swap._repr_latex_().strip("$") + r" \\ "
                + r"\overline{\operatorname{grad}}^{\phi} = " + latex_vec(self.blue.vector) + rel
                + r"\overline{\operatorname{grad}}^{\phi\circ f} = " + latex_vec(self.red.vector)
                + (r" \\ " + latex_text("(numeric vectors: not compared exactly)") if self.differ is None else "")
                + r"\end{gathered}$")


def _counterexample_certificate(X: Counterexample) -> Certificate:
    p = X.blue.p
    claim = (f"eq. (4) gives the same vector at the singular point p = {tuple(p)} for phi and for "
             f"phi o f with {X.swap}")
    diff = tuple(sp.sympify(a) - sp.sympify(b) for a, b in zip(X.blue.vector, X.red.vector))
    if X.differ is True:
        return Certificate(claim=claim, verdict=Verdict.REFUTED, method="exact arithmetic at the preimages "
                           "(symgrad.counterexample)", witness=Witness(dict(X.blue.xi), diff, exact=True))
    if X.differ is False:
        return Certificate(claim=claim, verdict=Verdict.PROVED, method="exact arithmetic at the preimages "
                           "(symgrad.counterexample)")
    gap = _numeric_gap(X.blue.vector, X.red.vector)
    return Certificate(claim=claim, verdict=Verdict.UNDECIDED, method="mpmath at 50 digits at the preimages "
                       "(symgrad.counterexample)", dps=50, max_residual=gap, points=(dict(X.blue.xi),),
                       notes=(f"the vectors were computed numerically (no exact field holds them); they differ by "
                              f"{sp.N(gap, 6)} at 50 digits, which is evidence, not a proof",))


def counterexample(model: Model, L: Any, p: Any, *, branches: tuple[int, int] | None = None,
                   **kwargs: Any) -> Counterexample:
    r"""Fig. 2 made explicit: two parametrisations whose eq. (4) vectors at ``p`` differ.

    Takes two preimages ``xi1, xi2`` of ``p`` on branches with different
    tangent spaces, builds ``f`` with ``f(xi1) = xi2`` (:func:`branch_swap`)
    and evaluates eq. (4) for ``phi`` at ``xi1`` (blue) and for ``phi o f``
    at the same parameter value (red).  The red vector equals the vector of
    ``phi`` at ``xi2``, since ``d(phi o f) = dphi Df`` with ``Df`` invertible.
    The vectors are compared in an exact field.

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> M = Model([t**2 - 1, t**3 - t], [t])
    >>> z1, z2 = M.z
    >>> X = counterexample(M, z1 + 2*z2, (0, 0))
    >>> X.blue.vector, X.red.vector, X.differ and X.matches_other_branch
    ((3/2, 3/2), (-1/2, 1/2), True)
    >>> X.certificate.holds                       # "the same vector for phi and phi o f" is refuted
    False
    """
    C = classify(model, p, **kwargs)
    bgs = branch_gradients(model, L, p, classification=C)
    if branches is None:
        pair = None
        for i, j in itertools.combinations(range(len(bgs)), 2):
            if bgs[i].rank == bgs[j].rank == C.generic_rank and bgs[i].span != bgs[j].span:
                pair = (i, j)
                break
        if pair is None:
            raise SingularPointError(
                f"no two preimages of p = {C.p} with different tangent spaces, so no counterexample of Fig. 2 "
                f"type: {C}")
    else:
        pair = branches
    b1, b2 = bgs[pair[0]], bgs[pair[1]]
    swap = branch_swap(model, b1.xi, b2.xi)
    Mf = model.reparametrise(swap)
    dL = loss_differential(Mf, L)
    red = _branch_gradient(Mf, dL, dict(zip(swap.eta, swap.xi1)))
    same = _compare(b1.vector, red.vector)
    matches = _compare(b2.vector, red.vector)
    return Counterexample(swap, Mf, b1, red, b2, None if same is None else not same, matches)
