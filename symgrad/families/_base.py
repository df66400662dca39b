r"""The common ground of the statistical families: :class:`Family` and :func:`product`.

A family is a :class:`~symgrad.metric.Metric` in the family's own coordinates
(``N(mu, Sigma)`` in the mean and the entries of the covariance, the Bernoulli
family in ``p``) whose matrix is the Fisher metric, together with what makes it
a family of distributions: the log-density of an outcome, and the list of
outcomes when the sample space is finite.  Its domain is declared once, in
``positive`` (every expression must be positive), so no warning asks the user
to state it again, and a point outside raises
:class:`~symgrad.exceptions.DomainError` naming the constraint.

A model ``phi: Xi -> Z`` into the family's coordinates pulls the metric back,
``G = J^T g(phi) J`` (paper, §2 and footnote 1): the Fisher information matrix
of the parametrised family.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product as _cartesian
from typing import Any, Callable, Sequence

import sympy as sp

from .._inputs import as_symbols
from ..exceptions import ShapeError, SymbolError
from ..metric import Metric

__all__ = ["Family", "product", "coordinates"]

LogDensity = Callable[[Any], sp.Expr]


@dataclass(frozen=True, eq=False)
class Family(Metric):
    r"""A parametric family of distributions: its Fisher metric ``g(z)`` in its coordinates ``z``.

    Attributes (beyond those of :class:`~symgrad.metric.Metric`)
    ==========
    sample_space : a short description of the outcomes (``"{0, 1}"``, ``"R^2"``)
    log_density : ``x -> log p(x; z)``, an expression in the coordinates ``z``
        (``x`` an outcome: a number, a tuple for products and vectors, or symbols)
    outcomes : the outcomes when the sample space is finite, else ``None``

    Examples
    ========
    >>> from symgrad import families
    >>> B = families.bernoulli()
    >>> B.g
    Matrix([[1/(p*(1 - p))]])
    >>> sp.simplify(sum(sp.exp(B.log_density(x)) for x in B.outcomes))
    1
    """

    sample_space: str = ""
    log_density: LogDensity | None = field(default=None, repr=False)
    outcomes: tuple[Any, ...] | None = None

    def log_p(self, x: Any) -> sp.Expr:
        """``log p(x; z)`` for an outcome ``x``."""
        if self.log_density is None:
            raise SymbolError(f"the {self.name} has no log-density attached")
        return self.log_density(x)

    def renamed(self, coords: Sequence[Any]) -> Family:
        """The same family in coordinates with other names (same assumptions unless symbols are given)."""
        new = coordinates(coords, [s.name for s in self.z], like=self.z)
        sub = dict(zip(self.z, new))
        ld = self.log_density
        return Family(
            new, self.g.xreplace(sub), name=self.name, latex_name=self.latex_name,
            positive=tuple(sp.sympify(e).xreplace(sub) for e in self.positive), is_fisher=self.is_fisher,
            constants=self.constants, sample_space=self.sample_space,
            log_density=None if ld is None else (lambda x: ld(x).xreplace(sub)), outcomes=self.outcomes,
        )


def coordinates(given: Sequence[Any] | None, default: Sequence[str], *,
                like: Sequence[sp.Symbol] | None = None, assumptions: Sequence[dict] | None = None
                ) -> tuple[sp.Symbol, ...]:
    """The coordinate symbols of a family: ``given`` names or symbols, else ``default`` names.

    Names become symbols with the assumptions of ``like`` (or ``assumptions``),
    so that a coordinate known to be positive stays declared positive.
    """
    names = list(default) if given is None else given
    if isinstance(names, (str, sp.Symbol)):
        names = [names]
    names = list(names)
    if len(names) != len(default):
        raise ShapeError(f"this family has {len(default)} coordinates ({', '.join(default)}); "
                         f"got {len(names)} names: {names}")
    out = []
    for k, s in enumerate(names):
        if isinstance(s, str):
            if like is not None:
                kw = like[k].assumptions0
                kw = {a: v for a, v in kw.items() if a in ("real", "positive", "nonnegative")}
            elif assumptions is not None:
                kw = assumptions[k]
            else:
                kw = {"real": True}
            s = sp.Symbol(s, **(kw or {"real": True}))
        out.append(s)
    return as_symbols(out, "coordinates of a family")


def product(*families: Family, name: str | None = None) -> Family:
    r"""The independent product of families: a block-diagonal Fisher metric.

    The Fisher information of independent observations adds, and each block
    depends on its own coordinates, so ``g = diag(g_1, ..., g_m)``.  Coordinates
    whose names clash get the suffix ``_k`` of their factor; an outcome of the
    product is a tuple of outcomes of the factors.

    Examples
    ========
    >>> from symgrad import families
    >>> P = families.product(families.bernoulli(), families.bernoulli())
    >>> P.z
    (p_1, p_2)
    >>> P.g == sp.diag(1 / (P.z[0] * (1 - P.z[0])), 1 / (P.z[1] * (1 - P.z[1])))
    True
    """
    if not families:
        raise ShapeError("product() needs at least one family")
    for F in families:
        if not isinstance(F, Family):
            raise SymbolError(f"product() takes families (symgrad.families.normal(1), ...); got {F!r}")
    names = [s.name for F in families for s in F.z]
    clash = {n for n in names if names.count(n) > 1}
    parts = []
    for k, F in enumerate(families, start=1):
        if any(s.name in clash for s in F.z):
            F = F.renamed([f"{s.name}_{k}" if s.name in clash else s.name for s in F.z])
        parts.append(F)
    z = tuple(s for F in parts for s in F.z)
    g = sp.diag(*[F.g for F in parts])
    positive = tuple(e for F in parts for e in F.positive)
    constants = tuple(dict.fromkeys(c for F in parts for c in F.constants))
    finite = [F.outcomes for F in parts if F.outcomes is not None]
    outcomes = tuple(_cartesian(*finite)) if len(finite) == len(parts) else None

    def log_density(x: Any) -> sp.Expr:
        if not isinstance(x, (tuple, list)) or len(x) != len(parts):
            raise ShapeError(f"an outcome of a product of {len(parts)} families is a tuple of {len(parts)} "
                             f"outcomes; got {x!r}")
        return sp.Add(*[F.log_p(xk) for F, xk in zip(parts, x)])

    has_density = all(F.log_density is not None for F in parts)
    return Family(z, g, name=name or "Fisher metric of the product " + " x ".join(F.name.removeprefix(
        "Fisher metric of the ") for F in parts), latex_name=r"g^{\mathrm{F}}", positive=positive,
        is_fisher=True, constants=constants,
        sample_space=" x ".join(F.sample_space for F in parts),
        log_density=log_density if has_density else None, outcomes=outcomes)
