r"""symgrad: exact symbolic natural gradients, after van Oostrum & Ay.

"Parametrisation independence of the natural gradient in overparametrised
systems" shows that the natural gradient computed with any generalised inverse
of the Fisher information matrix is the same tangent vector on the model at
non-singular points (Theorem 1, eq. 4), while the parameter-space vector of
eq. (5) depends on the parametrisation, and that at singular points even the
model-side vector does.  symgrad computes every object of that story exactly
and says how it knows each claim.
"""
from __future__ import annotations

from .exceptions import (
    DerivationError, DomainError, LiftError, MetricError, RankError, RenderError,
    ReparametrisationError, ShapeError, SingularPointError, SymbolError, SymgradError, TemplateError,
)
from .inverse import (
    PseudoInverse, generalised_inverse_family, is_generalised_inverse, pinv, tikhonov_inverse, tikhonov_limit,
)
from .metric import (
    Euclidean, ExponentialFamilyFisher, GaussianFisher, Metric, MetricWarning, RiemannianMetric,
    SimplexFisher, fisher_information,
)
from .model import Model

__version__ = "0.1.0"

__all__ = [
    "Model", "Metric", "Euclidean", "RiemannianMetric", "SimplexFisher", "GaussianFisher",
    "ExponentialFamilyFisher", "fisher_information", "MetricWarning",
    "PseudoInverse", "pinv", "generalised_inverse_family", "is_generalised_inverse",
    "tikhonov_inverse", "tikhonov_limit",
    "SymgradError", "ShapeError", "SymbolError", "MetricError", "DomainError", "RankError", "LiftError",
    "SingularPointError", "ReparametrisationError", "TemplateError", "RenderError", "DerivationError",
]
