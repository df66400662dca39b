r"""Models: a parametrisation ``phi: Xi -> Z`` with an ambient metric (paper, §2).

A :class:`Model` holds ``phi`` as SymPy expressions in the parameters ``xi``,
the ambient coordinates ``z`` and the metric ``g(z)``.  From them it derives,
lazily and once:

* ``J = D phi``, whose columns are the pushforwards ``d_i = dphi(e_i)``;
* ``G = J^T g(phi) J``, the Gram matrix ``G_ij = g(d_i, d_j)`` (footnote 1:
  the Fisher information matrix when ``g`` is a Fisher metric);
* ``rank``, the generic rank of ``J`` (equal to that of ``G``), computed
  exactly over the field of rational functions after lifting ``exp``, ``sin``,
  ``cos`` to new variables (:mod:`symgrad.exact.lifting`);
* ``G_plus``, the Moore-Penrose inverse of ``G`` with its validity condition.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping, Sequence

import sympy as sp

from ._budget import DEFAULT_BUDGET, as_budget, bounded
from ._inputs import as_column, as_symbols, check_finite_exprs, point as read_point
from .exact import dense as linalg
from .exact.lifting import Lifting
from .exact.ratfunc import RF
from .exceptions import ArgumentError, DomainError, LiftError, ReparametrisationError, ShapeError, SymbolError
from .inverse import PseudoInverse, pinv_gram
from .metric import Metric, as_metric
from .parametrisation import Reparametrisation
from .ops import ExactOps, Ops

__all__ = ["Model", "ExactModel", "GibbsForm", "gram", "as_model", "as_reparametrisation"]


def gram(ops: Ops, J: list, g: list) -> list:
    r"""``G = J^T g J``, ``G_ij = g(d_i, d_j)`` (paper, §2 and footnote 1), at the level of ``ops``.

    The only place the pullback of the metric is written; the exact form of a
    model, the claims of :mod:`symgrad.gradient` and the values at a point all
    call it.

    Examples
    ========
    >>> from fractions import Fraction as F
    >>> from symgrad.ops import ValueOps
    >>> J, g = [[F(1), F(2)]], [[F(3)]]
    >>> gram(ValueOps(F(0), F(1)), J, g) == [[3, 6], [6, 12]]      # 3 * (1, 2)^T (1, 2)
    True
    """
    # g J first (cheap for a diagonal g); for a symmetric g only the upper triangle of G is computed
    m = len(g)
    symmetric = all(g[i][j] is g[j][i] or g[i][j] == g[j][i] for i in range(m) for j in range(i + 1, m))
    return linalg.matmul(ops.T(J), ops.mul(g, J), symmetric=symmetric)


class ExactModel:
    """The lifted, exact form of a model: ``J``, ``g(phi)``, ``G`` as rational-function matrices.

    ``J`` and ``g`` are lifted when the form is built; ``G`` and the rank profile of ``J`` are computed
    on first request (``G`` of an RBM with 4 visible units has some 19 million terms, and the checks of
    eq. (6) never need it)."""

    def __init__(self, model: Model, extra: Sequence[sp.Expr] = ()):
        self.model = model
        g_phi = model.g_phi
        exprs = list(model.J) + list(g_phi) + list(extra)
        if model._gibbs is not None:
            exprs += list(model._gibbs.weights) + list(model._gibbs.scores)
        self.lifting = Lifting.build(exprs, model.xi + model.constants)
        L = self.lifting
        self.J = L.lift_matrix(model.J)
        self.g = L.lift_matrix(g_phi)

    @cached_property
    def G(self) -> list[list[RF]]:
        """``G = J^T g J`` in the lifted field (for a model of normalised weights, from its scores)."""
        G = self.G_within(None)
        assert G is not None
        return G

    def G_within(self, limit: int | None) -> list[list[RF]] | None:
        """``G``, or ``None`` as soon as its entries have more than ``limit`` terms in all (then it is not
        finished: an expanded form that large is of no use in SymPy)."""
        if "G" in self.__dict__:
            G = self.__dict__["G"]
            return G if limit is None or sum(x.size() for row in G for x in row) <= limit else None
        gibbs = self.model._gibbs if self.model._simplex_fisher else None
        if gibbs is None:
            G = gram(ExactOps(self.lifting), self.J, self.g)
            if limit is not None and sum(x.size() for row in G for x in row) > limit:
                return None
        else:
            G = _gibbs_gram(self.lifting, gibbs, limit)
            if G is None:
                return None
        self.__dict__["G"] = G
        return G

    @cached_property
    def profile(self) -> tuple[int, list[int], list[int]]:
        """The generic rank of ``J`` and pivot rows and columns (exact elimination, on first request:
        ``G`` does not need it)."""
        return linalg.rank_profile(self.J)

    @property
    def rank(self) -> int:
        return self.profile[0]

    @property
    def rows(self) -> list[int]:
        return self.profile[1]

    @property
    def cols(self) -> list[int]:
        return self.profile[2]


@dataclass(frozen=True)
class GibbsForm:
    r"""A model on a finite sample space written as normalised weights: ``phi_k = w_k / Z``, ``Z = sum_l w_l``.

    ``scores[k, a]`` is ``d log w_k / d xi_a``.  With ``m_a = sum_k phi_k scores[k, a]`` (``= d log Z /
    d xi_a``) the score of the model is ``d log phi_k / d xi_a = scores[k, a] - m_a``, so

    .. math::  J_{ka} = \frac{w_k (Z\, t_{ka} - Z_a)}{Z^2}, \qquad
               G_{ab} = \sum_k \phi_k (t_{ka} - m_a)(t_{kb} - m_b) = \frac{Z S_{ab} - Z_a Z_b}{Z^2}

    with ``t = scores``, ``Z_a = sum_k w_k t_{ka}`` and ``S_ab = sum_k w_k t_{ka} t_{kb}``: the Fisher
    information of the simplex metric ``diag(1/p)`` is the covariance of the scores (paper, footnote 1).
    Constructors that derive the scores themselves (:func:`symgrad.supervised.rbm`) pass this form;
    ``J`` and ``G`` are then written in it instead of by differentiating the quotient, the same
    functions (checked exactly in the tests) in far fewer terms.
    """

    weights: tuple[sp.Expr, ...]
    scores: sp.ImmutableMatrix

    @cached_property
    def Z(self) -> sp.Expr:
        return sp.Add(*self.weights)

    @cached_property
    def Z_a(self) -> list[sp.Expr]:
        t, w = self.scores, self.weights
        return [sp.Add(*[w[k] * t[k, a] for k in range(len(w)) if t[k, a] != 0]) for a in range(t.cols)]

    def jacobian(self) -> sp.ImmutableMatrix:
        t, w, Z, Za = self.scores, self.weights, self.Z, self.Z_a
        return sp.ImmutableMatrix(len(w), t.cols, lambda k, a: w[k] * (Z * t[k, a] - Za[a]) / Z**2)

    def gram(self) -> sp.ImmutableMatrix:
        """``G`` for the simplex Fisher metric, as ``(Z S - Z_a Z_b) / Z^2`` (not expanded)."""
        t, w, Z, Za = self.scores, self.weights, self.Z, self.Z_a
        n = t.cols
        entries: dict[tuple[int, int], sp.Expr] = {}
        for a in range(n):
            for b in range(a, n):
                S = sp.Add(*[w[k] * t[k, a] * t[k, b] for k in range(len(w)) if t[k, a] != 0 and t[k, b] != 0])
                entries[a, b] = entries[b, a] = (Z * S - Za[a] * Za[b]) / Z**2
        return sp.ImmutableMatrix(n, n, lambda a, b: entries[a, b])


def _gibbs_gram(L: Lifting, gibbs: GibbsForm, limit: int | None) -> list[list[RF]] | None:
    """``G = sum_k p_k (t_k - m)(t_k - m)^T = T^T diag(p) T - m m^T`` in the lifted field (see
    :class:`GibbsForm`); ``None`` once the entries pass ``limit`` terms in all."""
    t = L.lift_matrix(gibbs.scores)
    w = [L.lift(x) for x in gibbs.weights]
    Z = RF.sum_many(w)
    p = [x / Z for x in w]
    K, n = len(t), len(t[0])
    A = [[p[k] * t[k][a] for a in range(n)] for k in range(K)]
    m = [RF.sum_many([A[k][a] for k in range(K)]) for a in range(n)]
    if limit is None:
        S = linalg.matmul(linalg.transpose(t), A, symmetric=True)
        return [[S[a][b] - m[a] * m[b] for b in range(n)] for a in range(n)]
    G: list[list[Any]] = [[None] * n for _ in range(n)]
    size = 0
    for a in range(n):
        for b in range(a, n):
            terms = [A[k][a] * t[k][b] for k in range(K) if not A[k][a].num.is_zero() and not t[k][b].num.is_zero()]
            x = (RF.sum_many(terms) if terms else L.zero) - m[a] * m[b]
            G[a][b] = G[b][a] = x
            size += x.size() * (1 if a == b else 2)
            if size > limit:
                return None
    return G


def _check_gibbs(gibbs: Any, phi: sp.ImmutableMatrix, xi: tuple[sp.Symbol, ...]) -> None:
    if not isinstance(gibbs, GibbsForm):
        raise ArgumentError(f"gibbs= takes a symgrad.model.GibbsForm; got {type(gibbs).__name__}")
    if len(gibbs.weights) != phi.rows or gibbs.scores.shape != (phi.rows, len(xi)):
        raise ShapeError(f"a GibbsForm for {phi.rows} probabilities and {len(xi)} parameters needs {phi.rows} "
                         f"weights and a {phi.rows}x{len(xi)} matrix of scores; got {len(gibbs.weights)} weights "
                         f"and scores of shape {gibbs.scores.shape}")
    Z = gibbs.Z
    bad = [k for k in range(phi.rows) if phi[k] != gibbs.weights[k] / Z]
    if bad:
        raise ArgumentError(f"phi_{bad[0] + 1} = {phi[bad[0]]} is not written as w_{bad[0] + 1} / sum(w) with the "
                            "GibbsForm's weights; build phi from the same weights")


class Model:
    r"""A parametrised model ``M = phi(Xi)`` in a Riemannian manifold ``(Z, g)``.

    Parameters
    ==========
    phi : list of SymPy expressions, or a column matrix: the parametrisation
    params : the parameters ``xi`` (SymPy symbols)
    coords : the ambient coordinates ``z`` (default ``z1, ..., zm``)
    metric : ``None`` (Euclidean), a SymPy matrix in ``coords``, or a :class:`~symgrad.metric.Metric`
    constants : symbols other than parameters that ``phi`` or the metric may use
    name : a short name, used in reports
    budget : seconds allowed for each derived quantity (``exact``, ``G``, ``rank``, ``G_plus``;
        default 20); an enclosing budget (``run_derivation``'s, a command's ``--timeout``) also
        applies.  When it runs out, :class:`~symgrad.exceptions.OutOfBudgetError` says which
        quantity; ``budget=None`` sets no limit of the model's own
    gibbs : a :class:`GibbsForm` (``phi_k = w_k / sum w`` with the scores ``d log w_k / d xi``), given by
        constructors that derive it (:func:`symgrad.supervised.rbm`): ``J`` and ``G`` are then written
        through it.  ``phi`` must be exactly ``w_k / sum w``; the scores are taken as given.

    Examples
    ========
    >>> r, t = sp.symbols("r t", positive=True)
    >>> M = Model([r*sp.cos(t), r*sp.sin(t)], params=[r, t])
    >>> M.G
    Matrix([
    [1,    0],
    [0, r**2]])
    >>> M.rank
    2
    """

    def __init__(self, phi: Any, params: Sequence[sp.Symbol], coords: Sequence[sp.Symbol] | None = None,
                 metric: Any = None, constants: Sequence[sp.Symbol] = (), name: str | None = None, *,
                 budget: float | None = DEFAULT_BUDGET, gibbs: GibbsForm | None = None,
                 domain: Sequence[Any] = ()):
        phi = as_column(phi, "phi")
        check_finite_exprs(list(phi), "parametrisation phi")
        undefined = set().union(*[e.atoms(sp.core.function.AppliedUndef) for e in phi])
        if undefined:
            raise SymbolError(f"phi uses the undefined functions {sorted(map(str, undefined))}; symgrad needs "
                              "explicit expressions: write each component with SymPy's functions (exp, sin, ...)")
        if any(e.has(sp.Heaviside, sp.sign, sp.DiracDelta) for e in phi):
            raise SymbolError(f"phi = {list(phi)} uses sign, Heaviside or DiracDelta, which are not smooth: the "
                              "natural gradient needs a differentiable parametrisation; write phi piecewise as "
                              "separate smooth models")
        xi = as_symbols(params, "parameters")
        if not xi:
            raise SymbolError("a model needs at least one parameter")
        consts = as_symbols(constants, "constants")
        if set(consts) & set(xi):
            raise SymbolError(f"{sorted(map(str, set(consts) & set(xi)))} cannot be both parameters and constants")
        if coords is None and isinstance(metric, Metric):
            coords = metric.z
        if coords is None:
            coords = [sp.Symbol(f"z{i + 1}") for i in range(phi.rows)]
        g = as_metric(metric, coords, phi.rows, consts)
        unknown = phi.free_symbols - set(xi) - set(consts)
        if unknown:
            raise SymbolError(
                f"phi uses {sorted(map(str, unknown))}, which are neither parameters {list(xi)} nor constants; "
                "add them to params=[...] or declare them with constants=[...]"
            )
        if set(g.z) & set(xi):
            raise SymbolError("the ambient coordinates must be different symbols from the parameters")
        self._phi, self._xi, self._metric, self._constants = phi, xi, g, consts
        self.name = name or "model"
        as_budget(budget)  # a budget that is not a positive finite number is refused here
        self.budget = budget
        if gibbs is not None:
            _check_gibbs(gibbs, phi, xi)
        self._gibbs = gibbs
        self._domain = _domain_conditions(domain, xi, consts)

    @property
    def domain(self) -> tuple[sp.Expr, ...]:
        """The model's own conditions on the parameters, each ``e`` meaning ``e > 0`` (the open set
        ``Xi``: the weights of a mixture in the open simplex, the sign conditions of a region)."""
        return self._domain

    @property
    def positive(self) -> tuple[sp.Expr, ...]:
        """Every condition ``e > 0`` a parameter point must meet: the metric's domain pulled back by
        ``phi``, and :attr:`domain`."""
        return tuple(self._metric.domain(list(self._phi))) + self._domain

    # -- the paper's symbols ------------------------------------------------------------
    @property
    def phi(self) -> sp.ImmutableMatrix:
        r"""The parametrisation ``phi(xi)`` as a column (paper, §2)."""
        return self._phi

    @property
    def xi(self) -> tuple[sp.Symbol, ...]:
        """The parameters ``xi``."""
        return self._xi

    @property
    def z(self) -> tuple[sp.Symbol, ...]:
        """The ambient coordinates ``z``."""
        return self._metric.z

    @property
    def metric(self) -> Metric:
        return self._metric

    @property
    def g(self) -> sp.ImmutableMatrix:
        """The ambient metric ``g(z)``."""
        return self._metric.g

    @property
    def constants(self) -> tuple[sp.Symbol, ...]:
        return self._constants

    @property
    def n_params(self) -> int:
        return len(self._xi)

    @property
    def dim_ambient(self) -> int:
        return self._phi.rows

    @cached_property
    def J(self) -> sp.ImmutableMatrix:
        r"""``J = D phi``; column ``i`` is the pushforward ``d_i = dphi(e_i)`` (paper, §2).

        For a model given with a :class:`GibbsForm` it is written through the scores,
        ``J_ka = w_k (Z t_ka - Z_a) / Z^2`` (the same functions as differentiating the quotient, in far
        fewer terms: SymPy's derivative of an RBM with 4 visible units takes 1.4-4 s)."""
        if self._gibbs is not None:
            return self._gibbs.jacobian()
        return sp.ImmutableMatrix(self._phi.jacobian(self._xi))

    @property
    def _simplex_fisher(self) -> bool:
        """Whether the metric is ``diag(1/z_k)`` (the Fisher metric of the simplex)."""
        z, g = self.z, self.g
        return all(g[i, j] == (1 / z[i] if i == j else 0) for i in range(len(z)) for j in range(len(z)))

    @cached_property
    def g_phi(self) -> sp.ImmutableMatrix:
        """``g(phi(xi))``: the metric at the model point."""
        g = self._metric.at(list(self._phi))
        if any(x.has(sp.zoo, sp.nan) for x in g):
            raise DomainError(f"the {self._metric.name} is undefined on the whole model {self.name}: g(phi) = "
                              f"{g.tolist()}. A component of phi lies on the boundary of the metric's domain "
                              "(a probability fixed at 0, say); leave that coordinate out of the model")
        return g

    def _bounded(self, what: str) -> Any:
        return bounded(self.budget, f"computing {what} of the model {self.name}",
                       "give it more time with Model(..., budget=S) (seconds), or budget=None for no limit")

    @cached_property
    def exact(self) -> ExactModel:
        """The lifted exact form (raises :class:`~symgrad.exceptions.LiftError` if there is none)."""
        with self._bounded("the exact form (lifted J, g(phi))"):
            return ExactModel(self)

    def exact_with(self, extra: Sequence[sp.Expr]) -> ExactModel:
        """The exact form in a field that also holds ``extra`` (a loss, say)."""
        E = self.exact
        try:
            for e in extra:
                E.lifting.lift(e)
            return E
        except LiftError:
            return ExactModel(self, extra)

    #: ``G`` is given in SymPy cancelled and factored when its entries have at most this many terms in all
    #: in the lifted field; above that it is given unexpanded (converting an RBM 3x2's 283,000 terms took
    #: 80-130 s, all of it in building SymPy expressions, and a formula that long is read by no one)
    G_EXPAND_LIMIT = 10000

    @cached_property
    def G(self) -> sp.ImmutableMatrix:
        r"""``G = J^T g(phi) J``, ``G_ij = g(d_i, d_j)`` (paper, §2 and footnote 1), exact.

        Cancelled and factored (from the lifted field).  For a model given with a :class:`GibbsForm`
        and the simplex Fisher metric whose cancelled form has more than :attr:`G_EXPAND_LIMIT`
        terms, the same matrix unexpanded: ``G_ab = (Z S_ab - Z_a Z_b) / Z^2`` (the covariance of
        the scores).
        Either way an exact expression of the same function (:attr:`exact` holds its lifted form)."""
        with self._bounded("G = J^T g J"):
            try:
                E = self.exact
            except LiftError:  # no exact field: the same product, in SymPy
                return sp.ImmutableMatrix(self.J.T * self.g_phi * self.J)
            if self._gibbs is None or not self._simplex_fisher:
                # no shorter exact form to fall back on: cancelled and factored, as the limit allows
                # (a product J^T g J of expanded entries can be far longer than its factored form)
                return E.lifting.matrix_to_sympy(E.G, factor=True)
            G = E.G_within(self.G_EXPAND_LIMIT)
            if G is not None:
                return E.lifting.matrix_to_sympy(G, factor=True)
            return self._gibbs.gram()

    @property
    def is_fisher(self) -> bool:
        """True when ``G`` is a Fisher information matrix (the metric is a Fisher metric)."""
        return self._metric.is_fisher

    @cached_property
    def rank(self) -> int:
        """The generic rank of ``J`` (and of ``G``), exact over the lifted rational-function field."""
        return self.exact.rank

    @property
    def is_overparametrised(self) -> bool:
        """True when the generic rank is smaller than the number of parameters (``G`` singular)."""
        return self.rank < self.n_params

    @cached_property
    def G_plus(self) -> PseudoInverse:
        r"""The Moore-Penrose inverse ``G^+`` with its validity condition (used in eqs. 4, 5)."""
        with self._bounded("G^+"):
            E = self.exact
            return pinv_gram(E.lifting, E.J, E.g, E.G, source=lambda: self.G, profile=(E.rank, E.rows, E.cols),
                             domain=self.check_params, defined_by=(self.J, self.g_phi))

    # -- evaluation -----------------------------------------------------------------------
    def check_params(self, point: Mapping[Any, Any]) -> dict[sp.Symbol, sp.Expr]:
        """Validate a parameter point: every parameter given, no unknown names, inside the domain.

        Keys are the parameters (or their names) and the model's constants;
        values exact numbers (a float is read as the rational it denotes).
        Refused with :class:`~symgrad.exceptions.DomainError` where ``phi`` or
        the metric is undefined, not real, or not positive definite.
        """
        out = read_point(point, self._xi, what=f"parameter point of {self.name}", constants=self._constants)
        try:
            p = self._phi.xreplace(out)
        except (TypeError, ValueError, ZeroDivisionError) as exc:  # pragma: no cover - SymPy evaluates lazily
            raise DomainError(f"phi cannot be evaluated at {out}: {exc}") from None
        if any(x.has(sp.zoo, sp.nan, sp.oo, -sp.oo) for x in p):
            raise DomainError(f"phi is not defined at {out}: it evaluates to {list(p)}; choose a point in its domain")
        if any(x.is_number and x.is_real is False for x in p):
            raise DomainError(f"phi is not real at {out}: it evaluates to {list(p)}; choose a point in its real domain")
        for e in self._domain:
            v = e.xreplace(out)
            if v.is_number and not bool(v > 0):
                raise DomainError(f"the parameter point {out} is outside the domain of {self.name}: it needs "
                                  f"{e} > 0, but there {e} = {v}; choose a point inside the domain")
        self._metric.check_point(dict(zip(self.z, p)))
        for z, x in zip(self.z, p):
            if z.is_positive and x.is_number and not bool(x > 0):
                raise DomainError(f"the coordinate {z} is declared positive, so the model needs {z} > 0, but "
                                  f"phi gives {z} = {x} at {out}")
        gp = self._metric.g.xreplace(dict(zip(self.z, p)))
        if all(x.is_number for x in gp):
            if any(x.has(sp.zoo, sp.nan, sp.oo, -sp.oo) for x in gp):
                raise DomainError(f"the metric is not defined at phi({out}) = {list(p)}: it becomes {gp.tolist()}")
            if gp.is_positive_definite is False:
                raise DomainError(f"the metric is not positive definite at phi({out}) = {list(p)}: there it is "
                                  f"{gp.tolist()}, so it is no inner product. Choose a point where it is one.")
        return out

    def at(self, point: Mapping[Any, Any]) -> sp.ImmutableMatrix:
        """The model point ``phi(xi)`` at a parameter point."""
        return self._phi.xreplace(self.check_params(point))

    # -- operations -----------------------------------------------------------------------
    def reparametrise(self, f: Reparametrisation) -> Model:
        r"""The model ``phi o f`` in the new parameters ``eta`` (paper, Fig. 1)."""
        f = as_reparametrisation(f, self)
        phi = self._phi.xreplace(dict(zip(self._xi, f.f)))
        sub = dict(zip(self._xi, f.f))
        return Model(phi, f.eta, coords=self.z, metric=self._metric, constants=self._constants,
                     name=f"{self.name} o f", budget=self.budget, domain=[e.xreplace(sub) for e in self._domain])

    # -- display --------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"Model({self.name}: phi = {list(self._phi)}, params = {list(self._xi)}, "
                f"metric = {self._metric.name})")

    def __str__(self) -> str:
        lines = [f"Model {self.name}",
                 f"  phi({', '.join(map(str, self._xi))}) = {list(self._phi)}",
                 f"  ambient coordinates {list(self.z)}, {self._metric.name}"]
        try:
            lines.append(f"  generic rank {self.rank} of {self.n_params} parameters"
                         + (" (overparametrised)" if self.is_overparametrised else ""))
        except LiftError:
            pass
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        args = ", ".join(sp.latex(s) for s in self._xi)
        return (rf"$\phi({args}) = {sp.latex(self._phi)},\quad {self._metric.latex_name} = "
                rf"{sp.latex(self.g)}$")


def as_reparametrisation(f: Any, model: Model) -> Reparametrisation:
    """``f`` checked as a reparametrisation of ``model``: as many values as parameters, new symbols."""
    as_model(model, "a reparametrisation check")
    if not isinstance(f, Reparametrisation):
        raise ReparametrisationError(f"expected a symgrad.Reparametrisation, got {type(f).__name__}")
    if f.f.rows != model.n_params:
        raise ShapeError(
            f"f gives {f.f.rows} values but the model has {model.n_params} parameters {list(model.xi)}"
        )
    if set(f.eta) & set(model.xi):
        raise SymbolError("the new parameters eta must be different symbols from the model's parameters xi")
    return f


def as_model(model: Any, caller: str) -> Model:
    """``model`` if it is a :class:`Model`; :class:`~symgrad.exceptions.ArgumentError` naming ``caller`` otherwise."""
    if not isinstance(model, Model):
        raise ArgumentError(f"{caller} needs a symgrad.Model as its model argument; got {model!r}. "
                            "Build one with sg.Model(phi, params=[...])")
    return model


def _domain_conditions(domain: Any, xi: Sequence[sp.Symbol], consts: Sequence[sp.Symbol]) -> tuple[sp.Expr, ...]:
    """``domain=`` as expressions ``e`` meaning ``e > 0``: each item an expression (``e > 0``) or a
    strict inequality ``lhs > rhs`` / ``lhs < rhs`` in the parameters and constants."""
    if isinstance(domain, (sp.Basic, str)):
        domain = [domain]
    try:
        items = list(domain)
    except TypeError:
        raise ArgumentError(f"domain= takes a list of conditions (expressions e meaning e > 0, or strict "
                            f"inequalities); got {domain!r}") from None
    out = []
    for c in items:
        try:
            c = sp.sympify(c)
        except (sp.SympifyError, TypeError):
            raise ArgumentError(f"the domain condition {c!r} is not a SymPy expression or inequality") from None
        if isinstance(c, (sp.StrictGreaterThan, sp.StrictLessThan)):
            c = c.lhs - c.rhs if isinstance(c, sp.StrictGreaterThan) else c.rhs - c.lhs
        elif isinstance(c, sp.core.relational.Relational) or not isinstance(c, sp.Expr):
            raise ArgumentError(f"the domain condition {c} is not a strict inequality: the parameter domain is "
                                "open, so give conditions e > 0 or lhs > rhs / lhs < rhs")
        extra = c.free_symbols - set(xi) - set(consts)
        if extra:
            raise SymbolError(f"the domain condition {c} > 0 uses {sorted(map(str, extra))}, which are neither "
                              "parameters nor constants of the model")
        check_finite_exprs([c], "domain condition")
        out.append(c)
    return tuple(out)
