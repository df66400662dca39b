r"""Discrete families with their Fisher metrics in closed form.

Each is the Fisher metric ``E[d log p d log p^T]`` in the family's usual
coordinates, with its domain:

* :func:`bernoulli`: ``p`` in ``(0, 1)``, ``g = 1/(p (1 - p))``;
* :func:`categorical`: ``p_1, ..., p_k`` with ``g = diag(1/p_i)`` (the Fisher
  metric of the probability simplex; on the positive orthant it is the Fisher
  metric of independent Poisson counts, so it is a metric everywhere there and
  the categorical one on models whose probabilities sum to 1), or the minimal
  coordinates ``p_1, ..., p_{k-1}``;
* :func:`binomial`: ``n`` trials, ``g = n/(p (1 - p))``;
* :func:`poisson`: rate ``lam > 0``, ``g = 1/lam``;
* :func:`geometric`: failures before the first success, ``g = 1/(p^2 (1 - p))``.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..exceptions import DomainError, ShapeError
from ._base import Family, coordinates

__all__ = ["bernoulli", "categorical", "binomial", "poisson", "geometric"]

_F = r"g^{\mathrm{F}}"


def _outcome(x: Any, allowed: Sequence[int] | None, family: str) -> sp.Expr:
    v = sp.sympify(x)
    if allowed is not None and v.is_number and v not in allowed:
        raise DomainError(f"{x!r} is not an outcome of the {family} family; its outcomes are {list(allowed)}")
    return v


def bernoulli(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The Bernoulli family ``P(x = 1) = p``: ``g = 1/(p (1 - p))`` on ``0 < p < 1``.

    Examples
    ========
    >>> B = bernoulli()
    >>> B.z, B.positive
    ((p,), (p, 1 - p))
    """
    (p,) = coordinates(coords, ["p"], assumptions=[{"positive": True}])

    def logpdf(x: Any) -> sp.Expr:
        v = _outcome(x, (0, 1), "Bernoulli")
        return v * sp.log(p) + (1 - v) * sp.log(1 - p)

    return Family((p,), sp.Matrix([[1 / (p * (1 - p))]]), name="Fisher metric of the Bernoulli family",
                  latex_name=_F, positive=(p, 1 - p), is_fisher=True, sample_space="{0, 1}",
                  log_density=logpdf, outcomes=(0, 1))


def categorical(k: int, *, minimal: bool = False, coords: Sequence[Any] | None = None) -> Family:
    r"""The categorical family on ``k`` outcomes ``1, ..., k``.

    With ``minimal=False`` (the default) the coordinates are ``p_1, ..., p_k`` and
    ``g = diag(1/p_i)``: a model into them whose probabilities sum to 1 (a softmax,
    say) gets the Fisher information matrix ``J^T diag(1/p) J``.  With
    ``minimal=True`` the coordinates are ``p_1, ..., p_{k-1}``,
    ``p_k = 1 - sum p_i``, and ``g = diag(1/p_i) + 1 1^T / p_k``.

    Examples
    ========
    >>> p1, p2, p3 = categorical(3).z
    >>> categorical(3).g == sp.diag(1 / p1, 1 / p2, 1 / p3)
    True
    >>> categorical(2, minimal=True).g == sp.Matrix([[1 / p1 + 1 / (1 - p1)]])
    True
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 2:
        raise ShapeError(f"a categorical family needs k >= 2 outcomes; got {k!r}")
    n = k - 1 if minimal else k
    p = coordinates(coords, [f"p{i + 1}" for i in range(n)], assumptions=[{"positive": True}] * n)
    if minimal:
        last = 1 - sp.Add(*p)
        probs = list(p) + [last]
        g = sp.diag(*[1 / q for q in p]) + sp.ones(n, n) / last
        positive = tuple(p) + (last,)
    else:
        probs = list(p)
        g = sp.diag(*[1 / q for q in p])
        positive = tuple(p)

    def logpdf(x: Any) -> sp.Expr:
        v = _outcome(x, range(1, k + 1), f"categorical({k})")
        if not v.is_number:
            raise DomainError(f"an outcome of categorical({k}) is one of 1, ..., {k}; got {x!r}")
        return sp.log(probs[int(v) - 1])

    return Family(p, g, name=f"Fisher metric of the categorical family on {k} outcomes"
                  + (" (minimal coordinates)" if minimal else " (the simplex)"),
                  latex_name=_F, positive=positive, is_fisher=True,
                  sample_space="{" + ", ".join(str(i) for i in range(1, k + 1)) + "}",
                  log_density=logpdf, outcomes=tuple(range(1, k + 1)))


def binomial(n: int, *, coords: Sequence[Any] | None = None) -> Family:
    r"""The binomial family of ``n`` trials with success probability ``p``: ``g = n/(p (1 - p))``.

    Examples
    ========
    >>> binomial(4).g
    Matrix([[4/(p*(1 - p))]])
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ShapeError(f"the number of trials n of a binomial family is a positive integer; got {n!r}")
    (p,) = coordinates(coords, ["p"], assumptions=[{"positive": True}])

    def logpdf(x: Any) -> sp.Expr:
        v = _outcome(x, range(n + 1), f"binomial({n})")
        return sp.log(sp.binomial(n, v)) + v * sp.log(p) + (n - v) * sp.log(1 - p)

    return Family((p,), sp.Matrix([[n / (p * (1 - p))]]), name=f"Fisher metric of the binomial family of {n} trials",
                  latex_name=_F, positive=(p, 1 - p), is_fisher=True, sample_space=f"{{0, ..., {n}}}",
                  log_density=logpdf, outcomes=tuple(range(n + 1)))


def poisson(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The Poisson family of rate ``lam > 0``: ``g = 1/lam``.

    Examples
    ========
    >>> poisson().g
    Matrix([[1/lam]])
    """
    (lam,) = coordinates(coords, ["lam"], assumptions=[{"positive": True}])

    def logpdf(x: Any) -> sp.Expr:
        v = _outcome(x, None, "Poisson")
        return v * sp.log(lam) - lam - sp.log(sp.factorial(v))

    return Family((lam,), sp.Matrix([[1 / lam]]), name="Fisher metric of the Poisson family", latex_name=_F,
                  positive=(lam,), is_fisher=True, sample_space="{0, 1, 2, ...}", log_density=logpdf)


def geometric(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The geometric family: ``P(x) = (1 - p)^x p`` failures before the first success, ``g = 1/(p^2 (1 - p))``.

    Examples
    ========
    >>> geometric().g
    Matrix([[1/(p**2*(1 - p))]])
    """
    (p,) = coordinates(coords, ["p"], assumptions=[{"positive": True}])

    def logpdf(x: Any) -> sp.Expr:
        v = _outcome(x, None, "geometric")
        return v * sp.log(1 - p) + sp.log(p)

    return Family((p,), sp.Matrix([[1 / (p**2 * (1 - p))]]), name="Fisher metric of the geometric family",
                  latex_name=_F, positive=(p, 1 - p), is_fisher=True, sample_space="{0, 1, 2, ...}",
                  log_density=logpdf)
