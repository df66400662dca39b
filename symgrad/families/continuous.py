r"""Continuous families other than the normal, with their Fisher metrics in closed form.

* :func:`exponential`: rate ``lam > 0``, ``g = 1/lam^2``;
* :func:`gamma`: shape ``alpha > 0`` and rate ``beta > 0``,
  ``g = [[psi'(alpha), -1/beta], [-1/beta, alpha/beta^2]]``;
* :func:`beta`: ``a, b > 0``, ``g = diag(psi'(a), psi'(b)) - psi'(a + b) 1 1^T``;
* :func:`dirichlet`: ``a_1, ..., a_k > 0``, ``g = diag(psi'(a_i)) - psi'(sum a) 1 1^T``;
* :func:`von_mises`: mean direction ``mu`` and concentration ``kappa > 0``,
  ``g = diag(kappa A(kappa), A'(kappa))`` with ``A = I_1/I_0``.

``psi'`` is the trigamma function ``polygamma(1, .)``; those metrics are not
rational functions, so exact computations with them fall back to the
probabilistic and numeric levels and say so.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..exceptions import ShapeError
from ._base import Family, coordinates

__all__ = ["exponential", "gamma", "beta", "dirichlet", "von_mises"]

_F = r"g^{\mathrm{F}}"
_POS = {"positive": True}


def _scalar(x: Any) -> sp.Expr:
    return sp.sympify(x[0] if isinstance(x, (tuple, list)) else x)


def exponential(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The exponential family of rate ``lam > 0`` (density ``lam e^{-lam x}`` on ``x > 0``): ``g = 1/lam^2``.

    Examples
    ========
    >>> exponential().g
    Matrix([[lam**(-2)]])
    """
    (lam,) = coordinates(coords, ["lam"], assumptions=[_POS])
    return Family((lam,), sp.Matrix([[1 / lam**2]]), name="Fisher metric of the exponential family",
                  latex_name=_F, positive=(lam,), is_fisher=True, sample_space="(0, oo)",
                  log_density=lambda x: sp.log(lam) - lam * _scalar(x))


def gamma(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The Gamma family, shape ``alpha`` and rate ``beta`` (density ``beta^alpha x^(alpha-1) e^(-beta x)/Gamma(alpha)``).

    Examples
    ========
    >>> a, b = gamma().z
    >>> gamma().g == sp.Matrix([[sp.polygamma(1, a), -1 / b], [-1 / b, a / b**2]])
    True
    """
    a, b = coordinates(coords, ["alpha", "beta"], assumptions=[_POS, _POS])
    g = sp.Matrix([[sp.polygamma(1, a), -1 / b], [-1 / b, a / b**2]])
    return Family((a, b), g, name="Fisher metric of the Gamma family", latex_name=_F, positive=(a, b),
                  is_fisher=True, sample_space="(0, oo)",
                  log_density=lambda x: (a * sp.log(b) + (a - 1) * sp.log(_scalar(x)) - b * _scalar(x)
                                         - sp.loggamma(a)))


def dirichlet(k: int, *, coords: Sequence[Any] | None = None) -> Family:
    r"""The Dirichlet family on the ``(k-1)``-simplex with concentrations ``a_1, ..., a_k > 0``.

    Examples
    ========
    >>> dirichlet(2).g[0, 1]
    -polygamma(1, a1 + a2)
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 2:
        raise ShapeError(f"a Dirichlet family needs k >= 2 components; got {k!r}")
    a = coordinates(coords, [f"a{i + 1}" for i in range(k)], assumptions=[_POS] * k)
    total = sp.polygamma(1, sp.Add(*a))
    g = sp.diag(*[sp.polygamma(1, ai) for ai in a]) - total * sp.ones(k, k)

    def logpdf(x: Any) -> sp.Expr:
        xs = [sp.sympify(v) for v in x]
        if len(xs) != k:
            raise ShapeError(f"an outcome of a Dirichlet family on {k} components is a point of the simplex "
                             f"with {k} coordinates; got {x!r}")
        return (sp.loggamma(sp.Add(*a)) - sp.Add(*[sp.loggamma(ai) for ai in a])
                + sp.Add(*[(ai - 1) * sp.log(xi) for ai, xi in zip(a, xs)]))

    return Family(a, g, name=f"Fisher metric of the Dirichlet family on {k} components", latex_name=_F,
                  positive=tuple(a), is_fisher=True, sample_space=f"the {k - 1}-simplex", log_density=logpdf)


def beta(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The Beta family ``x^(a-1) (1-x)^(b-1) / B(a, b)`` on ``(0, 1)``: the Dirichlet family with ``k = 2``.

    Examples
    ========
    >>> a, b = beta().z
    >>> beta().g[0, 1] == -sp.polygamma(1, a + b)
    True
    """
    a, b = coordinates(coords, ["a", "b"], assumptions=[_POS, _POS])
    D = dirichlet(2, coords=(a, b))
    return Family((a, b), D.g, name="Fisher metric of the Beta family", latex_name=_F, positive=(a, b),
                  is_fisher=True, sample_space="(0, 1)",
                  log_density=lambda x: D.log_p((_scalar(x), 1 - _scalar(x))))


def von_mises(*, coords: Sequence[Any] | None = None) -> Family:
    r"""The von Mises family ``e^{kappa cos(x - mu)} / (2 pi I_0(kappa))`` on the circle.

    ``g = diag(kappa A, 1 - A/kappa - A^2)`` with ``A = I_1(kappa)/I_0(kappa)``
    (``A' = 1 - A/kappa - A^2``).

    Examples
    ========
    >>> von_mises().z
    (mu, kappa)
    """
    mu, kappa = coordinates(coords, ["mu", "kappa"], assumptions=[{"real": True}, _POS])
    A = sp.besseli(1, kappa) / sp.besseli(0, kappa)
    g = sp.diag(kappa * A, 1 - A / kappa - A**2)
    return Family((mu, kappa), g, name="Fisher metric of the von Mises family", latex_name=_F,
                  positive=(kappa,), is_fisher=True, sample_space="the circle [0, 2 pi)",
                  log_density=lambda x: (kappa * sp.cos(_scalar(x) - mu) - sp.log(2 * sp.pi)
                                         - sp.log(sp.besseli(0, kappa))))
