r"""The normal family ``N(mu, Sigma)`` in dimension ``d``, with its Fisher metric in closed form.

In the coordinates ``(mu_1, ..., mu_d, s_ij for i <= j)`` (the mean and the
entries of the covariance matrix on and above the diagonal) the Fisher metric
is

.. math::

    g(d\mu, d\Sigma) = d\mu^{\top} \Sigma^{-1} d\mu
        + \tfrac12 \operatorname{tr}(\Sigma^{-1} d\Sigma\, \Sigma^{-1} d\Sigma),

with ``dSigma = E_ij + E_ji`` for an off-diagonal coordinate ``s_ij``.  Every
other parametrisation of the covariance (a Cholesky or log-Cholesky factor, a
precision matrix, an overparametrisation ``Sigma = A A^T``) is a model into
these coordinates, whose Gram matrix ``J^T g J`` is the Fisher information
matrix (paper, footnote 1).  The domain, ``Sigma`` positive definite, is
declared by Sylvester's criterion: the leading principal minors are positive.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..exceptions import MetricError, ShapeError
from ._base import Family, coordinates

__all__ = ["normal"]


def _index(i: int, j: int, d: int) -> str:
    return f"{i + 1}{j + 1}" if d < 10 else f"{i + 1}_{j + 1}"


def normal(d: int = 1, *, mean: Any = True, covariance: Any = True, scale: str = "variance",
           coords: Sequence[Any] | None = None) -> Family:
    r"""The Fisher metric of the normal family ``N(mu, Sigma)`` on ``R^d``.

    Parameters
    ==========
    d : the dimension of the sample space
    mean : ``True``: the mean is a coordinate; ``False`` (zero) or a vector: the mean is known
    covariance : ``True``: the covariance entries are coordinates; a ``d x d`` positive-definite
        matrix: the covariance is known (then ``g = Sigma^{-1}`` on the mean)
    scale : ``"variance"`` (the entries of ``Sigma``), or ``"sd"`` for ``d = 1``: the
        coordinates ``(mu, sigma)`` with the standard deviation, ``g = diag(1/sigma^2, 2/sigma^2)``
    coords : names (or symbols) for the coordinates, default ``mu1, ..., s11, s12, ...``

    Examples
    ========
    >>> N = normal(1)
    >>> mu1, s11 = N.z
    >>> N.g == sp.diag(1 / s11, 1 / (2 * s11**2))
    True
    >>> normal(2).z
    (mu1, mu2, s11, s12, s22)
    >>> mu, sigma = normal(1, scale="sd").z
    >>> normal(1, scale="sd").g == sp.diag(1 / sigma**2, 2 / sigma**2)
    True
    """
    if not isinstance(d, int) or isinstance(d, bool) or d < 1:
        raise ShapeError(f"the dimension d of a normal family is a positive integer; got {d!r}")
    if scale not in ("variance", "sd"):
        raise ShapeError(f"scale is 'variance' or 'sd'; got {scale!r}")
    if scale == "sd":
        if d != 1 or mean is not True or covariance is not True:
            raise ShapeError("scale='sd' is the univariate family in (mu, sigma): use normal(1, scale='sd')")
        mu, sigma = coordinates(coords, ["mu", "sigma"], assumptions=[{"real": True}, {"positive": True}])

        def logpdf_sd(v: Any) -> sp.Expr:
            v = v[0] if isinstance(v, (tuple, list)) else v
            return -(sp.sympify(v) - mu) ** 2 / (2 * sigma**2) - sp.log(sigma) - sp.log(2 * sp.pi) / 2

        return Family((mu, sigma), sp.diag(1 / sigma**2, 2 / sigma**2),
                      name="Fisher metric of the normal family N(mu, sigma^2)", latex_name=r"g^{\mathrm{F}}",
                      positive=(sigma,), is_fisher=True, sample_space="R", log_density=logpdf_sd)

    names: list[str] = []
    assum: list[dict] = []
    if mean is True:
        names += [f"mu{i + 1}" for i in range(d)]
        assum += [{"real": True}] * d
    pairs = [(i, j) for i in range(d) for j in range(i, d)]
    if covariance is True:
        names += [f"s{_index(i, j, d)}" for i, j in pairs]
        assum += [{"positive": True} if i == j else {"real": True} for i, j in pairs]
    if not names:
        raise ShapeError("a normal family with known mean and known covariance has no coordinates")
    z = coordinates(coords, names, assumptions=assum)
    k = d if mean is True else 0
    if mean is True:
        mu = sp.Matrix(z[:d])
    elif mean is False or mean is None:
        mu = sp.zeros(d, 1)
    else:
        mu = sp.Matrix(mean)
        if mu.shape != (d, 1):
            raise ShapeError(f"a known mean of N(mu, Sigma) on R^{d} is a vector of {d} numbers; got {mean!r}")
    if covariance is True:
        S = sp.zeros(d, d)
        for (i, j), s in zip(pairs, z[k:]):
            S[i, j] = S[j, i] = s
        constants: tuple[sp.Symbol, ...] = ()
    else:
        S = sp.Matrix(covariance)
        if S.shape != (d, d) or S != S.T:
            raise ShapeError(f"a known covariance is a symmetric {d}x{d} matrix; got {covariance!r}")
        constants = tuple(sorted(S.free_symbols, key=lambda s: s.name))
        if not S.free_symbols and not S.is_positive_definite:
            raise MetricError(f"the known covariance {S.tolist()} is not positive definite")
    minors = [sp.expand(S[:m, :m].det()) for m in range(1, d + 1)]
    D = minors[-1]
    Sinv = (S.adjugate() / D).applyfunc(sp.cancel)
    blocks = []
    if mean is True:
        blocks.append(Sinv)
    if covariance is True:
        E = []
        for i, j in pairs:
            Eij = sp.zeros(d, d)
            Eij[i, j] = Eij[j, i] = 1
            E.append(Sinv * Eij)
        n = len(pairs)
        C = sp.zeros(n, n)
        for a in range(n):
            for b in range(a, n):
                C[a, b] = C[b, a] = sp.factor(sp.cancel((E[a] * E[b]).trace() / 2))
        blocks.append(C)
    g = sp.diag(*blocks)
    positive = tuple(m for m in minors if m.free_symbols) if covariance is True else ()

    def logpdf(x: Any) -> sp.Expr:
        xv = sp.Matrix([x] if not isinstance(x, (tuple, list, sp.MatrixBase)) else list(x))
        if xv.shape != (d, 1):
            raise ShapeError(f"an outcome of N(mu, Sigma) on R^{d} has {d} components; got {x!r}")
        r = xv - mu
        quad = (r.T * Sinv * r)[0, 0]
        return -quad / 2 - sp.log(D) / 2 - d * sp.log(2 * sp.pi) / 2

    what = {(True, True): "N(mu, Sigma)", (True, False): "N(mu, Sigma) with known Sigma",
            (False, True): "N(mu, Sigma) with known mean"}[(mean is True, covariance is True)]
    return Family(z, g, name=f"Fisher metric of the normal family {what} on R^{d}", latex_name=r"g^{\mathrm{F}}",
                  positive=positive, is_fisher=True, constants=constants, sample_space=f"R^{d}",
                  log_density=logpdf)
