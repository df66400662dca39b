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
from .proof import Certificate, Claim, Verdict, Witness, decide
from .gradient import (
    ANY_LOSS, NaturalGradient, check_generalised_inverses, check_theorem1, coordinate_derivatives,
    loss_differential, natural_gradient,
)
from .parametrisation import Reparametrisation
from .reparam import (
    DampedInvariance, InvarianceProof, StepComparison, check_invariance,
    damped_invariance, step_comparison,
)
from .derivation import Derivation, Report, builtin_derivations, load_derivation, run

__version__ = "0.1.0"


_SINGULAR = (
    "singular_points", "classify", "branch_gradients", "counterexample", "branch_swap", "ensure_nonsingular",
    "SingularPoints", "Classification", "BranchGradient", "RankDropLocus", "Crossing", "CrossingDetail",
    "Preimage", "Branch", "BranchSwap", "Counterexample",
)


def __getattr__(name: str):
    # singular-point analysis is imported on first use (it pulls in Groebner machinery)
    if name in _SINGULAR:
        from . import singular
        return getattr(singular, name)
    raise AttributeError(f"module 'symgrad' has no attribute {name!r}")


__all__ = [
    "Model", "Metric", "Euclidean", "RiemannianMetric", "SimplexFisher", "GaussianFisher",
    "ExponentialFamilyFisher", "fisher_information", "MetricWarning",
    "PseudoInverse", "pinv", "generalised_inverse_family", "is_generalised_inverse",
    "tikhonov_inverse", "tikhonov_limit",
    "Verdict", "Certificate", "Claim", "Witness", "decide",
    "ANY_LOSS", "NaturalGradient", "natural_gradient", "coordinate_derivatives", "loss_differential",
    "check_theorem1", "check_generalised_inverses",
    "Reparametrisation", "InvarianceProof", "check_invariance", "DampedInvariance", "damped_invariance",
    "StepComparison", "step_comparison",
    "Derivation", "Report", "run", "builtin_derivations", "load_derivation",
    *_SINGULAR,
    "SymgradError", "ShapeError", "SymbolError", "MetricError", "DomainError", "RankError", "LiftError",
    "SingularPointError", "ReparametrisationError", "TemplateError", "RenderError", "DerivationError",
]
