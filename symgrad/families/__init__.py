r"""Statistical families: Fisher metrics in closed form, each in its own coordinates, with its domain.

Each constructor returns a :class:`Family`, a :class:`~symgrad.metric.Metric`
whose matrix is the Fisher metric of the family; a :class:`~symgrad.Model`
into its coordinates pulls it back to the Fisher information matrix
``G = J^T g(phi) J`` (paper, §2 and footnote 1).

* normal: :func:`normal` (``N(mu, Sigma)`` on ``R^d``; mean, covariance or both);
* discrete: :func:`bernoulli`, :func:`categorical`, :func:`binomial`,
  :func:`poisson`, :func:`geometric`, and independent :func:`product` s;
* continuous: :func:`exponential`, :func:`gamma`, :func:`beta`,
  :func:`dirichlet`, :func:`von_mises`;
* :func:`exponential_family`: ``g = D^2 A`` from sufficient statistics and a
  log-partition function, affinely dependent statistics detected exactly;
* :func:`gaussian_mixture`: the two-component Gaussian mixture (numeric
  quadrature at a stated precision, its rank-drop locus found exactly); finite
  mixtures are models, :func:`symgrad.supervised.finite_mixture`.
"""
from __future__ import annotations

from ._base import Family, product
from .continuous import beta, dirichlet, exponential, gamma, von_mises
from .discrete import bernoulli, binomial, categorical, geometric, poisson
from .expfamily import ExponentialFamily, exponential_family
from .mixtures import GaussianMixture, MixtureRankDrop, NumericFisher, gaussian_mixture
from .normal import normal

__all__ = [
    "Family", "ExponentialFamily", "normal", "bernoulli", "categorical", "binomial", "poisson", "geometric",
    "exponential", "gamma", "beta", "dirichlet", "von_mises", "product", "exponential_family",
    "gaussian_mixture", "GaussianMixture", "NumericFisher", "MixtureRankDrop",
]
