r"""Ambient metrics ``g`` on the space ``Z`` in which a model lives (paper, §2).

A metric is a symmetric positive-definite matrix ``g(z)`` in ambient
coordinates ``z``, together with the domain on which it is one.  The pullback
through a parametrisation is ``G = J^T g(phi) J`` (footnote 1 of the paper: the
Fisher information matrix when ``g`` is the Fisher metric).

* :meth:`Metric.euclidean`: ``g = I``;
* :meth:`Metric.from_matrix`: any symmetric positive-definite ``g(z)``, checked;
* :meth:`Metric.simplex_fisher`: the Fisher metric ``diag(1/p_i)`` of the probability
  simplex (the softmax model then gets ``G = diag(p) - p p^T``);
* :func:`fisher_information`: the Fisher information of a statistical model on
  a finite sample space computed straight from its log-density,
  ``sum_x p(x) d_i log p(x) d_j log p(x)``, independently of any pullback.

The Fisher metrics of parametric families (normal, Bernoulli, categorical,
exponential families, ...) are in :mod:`symgrad.families`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import sympy as sp

from ._inputs import as_column, as_expr, as_matrix, as_symbols, check_finite_exprs, point as read_point
from .exceptions import DomainError, LiftError, MetricError, ShapeError, SymbolError
from .exact.lifting import Lifting

__all__ = [
    "Metric", "fisher_information", "MetricWarning", "as_metric",
]


class MetricWarning(UserWarning):
    """Positive definiteness could not be decided symbolically; it is checked at points instead."""


@dataclass(frozen=True, eq=False)
class Metric:
    r"""A Riemannian metric ``g(z)`` on ambient coordinates ``z``.

    Attributes
    ==========
    z : the ambient coordinates
    g : the matrix ``g(z)``
    name : a short description; ``latex_name`` for templates
    positive : expressions that must be positive for ``g`` to be defined (the domain)
    is_fisher : True when ``g`` is a Fisher metric (then ``G`` is a Fisher information matrix)
    """

    z: tuple[sp.Symbol, ...]
    g: sp.ImmutableMatrix
    name: str = "metric"
    latex_name: str = "g"
    positive: tuple[sp.Expr, ...] = ()
    is_fisher: bool = False
    constants: tuple[sp.Symbol, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "z", as_symbols(self.z, "ambient coordinates"))
        g = as_matrix(self.g, "metric")
        check_finite_exprs(list(g), "metric")
        object.__setattr__(self, "positive", tuple(as_expr(e, "domain condition") for e in self.positive))
        if g.rows != g.cols or g.rows != len(self.z):
            raise ShapeError(
                f"the metric must be a {len(self.z)}x{len(self.z)} matrix for the coordinates {list(self.z)}; "
                f"got {g.rows}x{g.cols}"
            )
        unknown = g.free_symbols - set(self.z) - set(self.constants)
        if unknown:
            raise SymbolError(
                f"the metric uses {sorted(map(str, unknown))}, which are neither ambient coordinates "
                f"{list(self.z)} nor declared constants; declare them with constants=[...]"
            )
        if not g.free_symbols and g.is_positive_definite is False:
            raise MetricError(f"the metric {g.tolist()} is not positive definite (it is constant, so this holds "
                              "everywhere): a metric must be symmetric positive definite")
        object.__setattr__(self, "g", g)

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def euclidean(cls, z: Sequence[sp.Symbol]) -> Metric:
        """The Euclidean metric ``g = I`` on coordinates ``z``.

        Examples
        ========
        >>> Metric.euclidean(sp.symbols("x y", real=True)).g == sp.eye(2)
        True
        """
        z = as_symbols(z, "ambient coordinates")
        return cls(z, sp.eye(len(z)), name="Euclidean metric", latex_name=r"\delta")

    @classmethod
    def simplex_fisher(cls, p: Sequence[sp.Symbol]) -> Metric:
        r"""The Fisher metric of the probability simplex, ``g = diag(1/p_i)``, for ``p_i > 0``.

        On the tangent space of the simplex (vectors summing to zero) this is the
        Fisher-Rao metric; a softmax parametrisation pulls it back to
        ``diag(p) - p p^T``.
        """
        p = as_symbols(p, "probability coordinates")
        return cls(p, sp.diag(*[1 / pi for pi in p]), name="Fisher metric of the simplex",
                   latex_name=r"g^{\mathrm{F}}", positive=p, is_fisher=True)

    @classmethod
    def from_matrix(cls, g: Any, z: Sequence[sp.Symbol], *, name: str = "metric",
                    positive: Sequence[sp.Expr] = (), constants: Sequence[sp.Symbol] = (),
                    is_fisher: bool = False) -> Metric:
        r"""A general metric ``g(z)``, checked symmetric (exactly) and positive definite.

        Positive definiteness is decided with Sylvester's criterion, each leading
        minor by SymPy's assumptions.  A minor that is negative or zero somewhere
        decidable raises :class:`MetricError`; one that cannot be decided gives a
        :class:`MetricWarning` and is checked again at each point where numbers are
        computed.
        """
        z = as_symbols(z, "ambient coordinates")
        G = as_matrix(g, "metric")
        M = cls(z, G, name=name, positive=tuple(positive), constants=tuple(constants), is_fisher=is_fisher)
        _check_symmetric(M.g)
        _check_positive_definite(M.g)
        return M

    @property
    def dim(self) -> int:
        return len(self.z)

    def at(self, phi: Sequence[sp.Expr]) -> sp.ImmutableMatrix:
        """``g(phi)``: the metric at the model point ``z = phi``."""
        if len(phi) != self.dim:
            raise ShapeError(f"a point of Z has {self.dim} coordinates; got {len(phi)}")
        return self.g.xreplace(dict(zip(self.z, phi)))

    def check_point(self, point: Mapping[Any, Any]) -> None:
        """Raise :class:`DomainError` if ``point`` (ambient coordinates) is outside the domain.

        ``point`` maps the coordinates (or their names) to values, or to
        expressions in a model's parameters (then only what is decidable is checked).
        """
        by_name = {s.name: s for s in self.z + self.constants}
        raw = {by_name.get(k, k) if isinstance(k, str) else k: v for k, v in point.items()}
        numbers = {k: v for k, v in raw.items() if not sp.sympify(v).free_symbols}
        vals: dict[Any, Any] = {k: sp.sympify(v) for k, v in raw.items() if k not in numbers}
        vals.update(read_point(numbers, self.z, what=f"point of the {self.name}", allow_missing=True,
                               constants=self.constants, check_signs=False))
        for expr in self.positive:
            val = expr.xreplace(vals)
            if val.is_number and not bool(val > 0):
                raise DomainError(
                    f"the {self.name} is defined only where {expr} > 0; at {dict(point)} it is {val}. "
                    "Choose a point inside the domain."
                )

    def domain(self, phi: Sequence[sp.Expr]) -> tuple[sp.Expr, ...]:
        """The positivity conditions pulled back to a parametrisation."""
        sub = dict(zip(self.z, phi))
        return tuple(sp.sympify(e).xreplace(sub) for e in self.positive)

    def __str__(self) -> str:
        return f"{self.name} on ({', '.join(map(str, self.z))}): g = {self.g.tolist()}"

    def _repr_latex_(self) -> str:
        return f"${self.latex_name} = {sp.latex(self.g)}$"


def _check_symmetric(g: sp.ImmutableMatrix) -> None:
    diff = [g[i, j] - g[j, i] for i in range(g.rows) for j in range(i + 1, g.cols)]
    if not diff:
        return
    try:
        L = Lifting.build(diff)
        nonzero = [d for d in diff if not L.lift(d).is_zero()]
    except LiftError:
        nonzero = [d for d in diff if sp.simplify(d) != 0]
    if nonzero:
        raise MetricError(f"the metric is not symmetric: g - g^T has the non-zero entry {nonzero[0]}. "
                          "A metric must satisfy g_ij = g_ji.")


def _check_positive_definite(g: sp.ImmutableMatrix) -> None:
    undecided = []
    for k in range(1, g.rows + 1):
        m = sp.factor(g[:k, :k].det(method="berkowitz"))
        if m.is_positive:
            continue
        if m.is_number:
            raise MetricError(f"the metric is not positive definite: its leading {k}x{k} minor is {m}. "
                              "A metric must be symmetric positive definite (Sylvester's criterion).")
        if m.is_nonpositive:
            raise MetricError(f"the metric is not positive definite: its leading {k}x{k} minor {m} is never positive.")
        undecided.append((k, m))
    if undecided:
        k, m = undecided[0]
        warnings.warn(
            f"could not decide that the leading {k}x{k} minor {m} of the metric is positive; "
            "declare the coordinates positive=True (or give the domain with positive=[...]). "
            "Positive definiteness is checked at every point where numbers are computed.",
            MetricWarning, stacklevel=3,
        )


def as_metric(metric: Any, z: Sequence[sp.Symbol] | None, dim: int, constants: Sequence[sp.Symbol] = ()) -> Metric:
    """Normalise the ``metric=`` argument of a model: ``None``, a matrix, or a :class:`Metric`."""
    if isinstance(metric, Metric):
        if z is not None and tuple(z) != metric.z:
            raise SymbolError(f"the model's coordinates {list(z)} differ from the metric's {list(metric.z)}")
        if metric.dim != dim:
            raise ShapeError(f"the metric lives on a {metric.dim}-dimensional space but phi has {dim} components")
        return metric
    if z is None:
        z = tuple(sp.Symbol(f"z{i + 1}", real=True) for i in range(dim))
    z = as_symbols(z, "ambient coordinates")
    if len(z) != dim:
        raise ShapeError(f"phi has {dim} components but {len(z)} ambient coordinates were given")
    if metric is None:
        return Metric.euclidean(z)
    return Metric.from_matrix(metric, z, constants=constants)


def fisher_information(log_density: Sequence[sp.Expr], params: Sequence[sp.Symbol]) -> sp.Matrix:
    r"""Fisher information of a model on a finite sample space, from its log-density.

    ``log_density[x]`` is ``log p(x; xi)`` for each outcome ``x``; the result is
    ``G_ij = sum_x p(x) d_i log p(x) d_j log p(x)``, computed directly (no
    pullback), which is the independent check of ``J^T diag(1/p) J`` (paper,
    footnote 1: the Fisher information matrix is the Gram matrix of the
    pushforwards under the Fisher metric).

    Examples
    ========
    >>> a = sp.Symbol("a", real=True)
    >>> log_p = [a - sp.log(1 + sp.exp(a)), -sp.log(1 + sp.exp(a))]     # a Bernoulli variable, logit a
    >>> F = fisher_information(log_p, [a])
    >>> sp.cancel(F[0] - sp.exp(a) / (1 + sp.exp(a))**2)       # = p (1 - p), as J^T diag(1/p) J gives
    0
    """
    params = as_symbols(params, "parameters")
    logs = list(as_column(log_density, "log_density"))
    check_finite_exprs(logs, "log-density")
    G = sp.zeros(len(params))
    for ell in logs:
        p = sp.exp(ell)
        grad = [sp.diff(ell, t) for t in params]
        for i in range(len(params)):
            for j in range(len(params)):
                G[i, j] += p * grad[i] * grad[j]
    return G
