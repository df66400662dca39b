r"""Exponential families from sufficient statistics and a log-partition function.

``p(x; theta) = h(x) exp(theta^T T(x) - A(theta))``.  In the natural
parameters ``theta`` the Fisher metric is the Hessian of the log-partition
function, ``g = D^2 A`` (the covariance of ``T``), and the expectation
parameters are ``eta = grad A``.

When the statistics are affinely dependent (``c^T T(x)`` constant for some
``c != 0``) the family is *not minimal*: ``c^T g c = Var(c^T T) = 0``, so
``det g = 0`` everywhere and ``g`` is no metric.  :func:`exponential_family`
decides this exactly (the rank of ``g`` over the lifted rational-function
field) and either refuses with a :class:`~symgrad.exceptions.MetricError`
that names the dependence, or, with ``reduce=True``, returns the minimal
family: the natural parameters of the dependent statistics set to zero, which
describes the same distributions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from .._inputs import as_expr, as_symbols
from ..exact import dense
from ..exact.lifting import Lifting
from ..exceptions import LiftError, MetricError, ShapeError, SymbolError
from ._base import Family

__all__ = ["exponential_family", "ExponentialFamily", "affine_dependences"]


@dataclass(frozen=True, eq=False)
class ExponentialFamily(Family):
    """A :class:`Family` that also knows its statistics ``T``, natural parameters and log-partition ``A``."""

    statistics: tuple[sp.Expr, ...] = ()
    log_partition: sp.Expr = sp.S.Zero
    sample: tuple[sp.Symbol, ...] = ()

    def expectation_parameters(self) -> sp.ImmutableMatrix:
        r"""``eta = grad A(theta)``, the mean of ``T`` (the Legendre dual coordinates)."""
        return sp.ImmutableMatrix([sp.diff(self.log_partition, t) for t in self.z])


def affine_dependences(g: sp.MatrixBase, theta: Sequence[sp.Symbol]) -> list[list[sp.Expr]]:
    """A basis of the null space of ``g`` over the lifted field (empty when ``det g`` is not identically zero).

    Raises :class:`~symgrad.exceptions.LiftError` when ``g`` has no exact lift.
    """
    L = Lifting.build(list(g), tuple(theta))
    G = L.lift_matrix(sp.Matrix(g))
    rank, _rows, _cols = dense.rank_profile(G)
    if rank == len(theta):
        return []
    return [[L.to_sympy(x, factor=True) for x in v] for v in dense.nullspace(G)]


def _describe(c: Sequence[sp.Expr], T: Sequence[sp.Expr], names: Sequence[str],
              xs: Sequence[sp.Symbol], outcomes: Sequence[Any] | None) -> str:
    """``c1*T1 + c2*T2 = <its value>``, for the message (display only, nothing is decided here)."""
    terms = sp.Add(*[ci * sp.Symbol(n) for ci, n in zip(c, names)])
    stats = sp.Add(*[ci * Ti for ci, Ti in zip(c, T)])
    if outcomes is not None:
        vals = []
        for o in outcomes:
            sub = dict(zip(xs, o if isinstance(o, (tuple, list)) else (o,)))
            vals.append(sp.nsimplify(stats.xreplace(sub)))
        if len(set(vals)) == 1:
            return f"{terms} = {stats} = {vals[0]} on every outcome"
        return f"{terms} = {stats}, which takes the values {vals} on the outcomes"
    return f"{terms} = {sp.simplify(stats)}"


def exponential_family(T: Sequence[Any], theta: Sequence[Any], log_partition: Any, *,
                       x: Sequence[sp.Symbol] | sp.Symbol | None = None, log_base: Any = 0,
                       positive: Sequence[Any] = (), outcomes: Sequence[Any] | None = None,
                       reduce: bool = False, name: str | None = None, sample_space: str = "") -> ExponentialFamily:
    r"""The exponential family ``h(x) exp(theta^T T(x) - A(theta))`` with ``g = D^2 A``.

    Parameters
    ==========
    T : the sufficient statistics, expressions in the sample variables ``x``
    theta : the natural parameters (symbols), one per statistic
    log_partition : ``A(theta)``
    x : the sample variables (default: the free symbols of ``T``)
    log_base : ``log h(x)`` (default 0), used by the log-density
    positive : the domain of the natural parameters (expressions that must be positive)
    outcomes : the sample space when it is finite (then ``A`` can be checked against it)
    reduce : on affinely dependent statistics, return the minimal family instead of raising

    Raises
    ======
    MetricError : the statistics are affinely dependent (``det D^2 A = 0`` identically);
        the message names the dependence ``c^T T = const``.

    Examples
    ========
    >>> t = sp.Symbol("t", real=True); x = sp.Symbol("x")
    >>> F = exponential_family([x], [t], sp.log(1 + sp.exp(t)), outcomes=[0, 1])
    >>> sp.simplify(F.g[0, 0] - sp.exp(t) / (1 + sp.exp(t))**2)
    0
    """
    Ts = tuple(as_expr(e, "sufficient statistic") for e in (T if isinstance(T, (list, tuple)) else [T]))
    th = as_symbols(theta, "natural parameters")
    if len(Ts) != len(th):
        raise ShapeError(f"one natural parameter per sufficient statistic: {len(Ts)} statistics, {len(th)} parameters")
    A = as_expr(log_partition, "log-partition function")
    if A.free_symbols - set(th):
        raise SymbolError(f"the log-partition function uses {sorted(map(str, A.free_symbols - set(th)))}, "
                          f"which are not natural parameters {list(th)}")
    if x is None:
        xs = tuple(sorted(set().union(*[e.free_symbols for e in Ts]) - set(th), key=lambda s: s.name))
    else:
        xs = as_symbols(x, "sample variables")
    g = sp.hessian(A, th)
    try:
        null = affine_dependences(g, th)
    except LiftError:
        null = []   # no exact rank available: positivity is then checked at points, as for any metric
    kept = list(range(len(th)))
    if null:
        names = [f"T{i + 1}" for i in range(len(Ts))]
        deps = "; ".join(_describe(c, Ts, names, xs, outcomes) for c in null)
        if not reduce:
            raise MetricError(
                f"the sufficient statistics {list(Ts)} are affinely dependent: {deps} "
                f"(c^T D^2 A c = Var(c^T T) = 0 for these c), so det(D^2 A) = 0 identically and the Hessian of the log-partition "
                f"function has rank {len(th) - len(null)} < {len(th)}: it is no metric. Drop a dependent "
                "statistic, or pass reduce=True for the minimal family")
        L = Lifting.build(list(g), th)
        _r, _rows, cols = dense.rank_profile(L.lift_matrix(g))
        kept = list(cols)
        dropped = {th[i]: 0 for i in range(len(th)) if i not in kept}
        A = A.xreplace(dropped)
        Ts = tuple(Ts[i] for i in kept)
        th = tuple(th[i] for i in kept)
        g = sp.hessian(A, th)
        positive = [sp.sympify(e).xreplace(dropped) for e in positive]
        positive = [e for e in positive if e.free_symbols]
    g = g.applyfunc(sp.cancel) if not g.has(sp.exp, sp.log) else g
    base = as_expr(log_base, "log base measure")
    Tt, At, xt = Ts, A, xs

    def logpdf(v: Any) -> sp.Expr:
        vals = v if isinstance(v, (tuple, list)) else (v,)
        if len(vals) != len(xt):
            raise ShapeError(f"an outcome of this family gives values to {list(xt)}; got {v!r}")
        sub = dict(zip(xt, [sp.sympify(a) for a in vals]))
        return sp.Add(*[t * Ti.xreplace(sub) for t, Ti in zip(th, Tt)]) - At + base.xreplace(sub)

    F = ExponentialFamily(th, g, name=name or "Fisher metric of an exponential family", latex_name=r"g^{\mathrm{F}}",
                          positive=tuple(sp.sympify(e) for e in positive), is_fisher=True,
                          sample_space=sample_space, log_density=logpdf,
                          outcomes=None if outcomes is None else tuple(outcomes),
                          statistics=Tt, log_partition=At, sample=xt)
    return F
