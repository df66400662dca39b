r"""symgrad: exact symbolic natural gradients, after van Oostrum & Ay.

"Parametrisation independence of the natural gradient in overparametrised
systems" shows that the natural gradient computed with any generalised inverse
of the Fisher information matrix is the same tangent vector on the model at
non-singular points (Theorem 1, eq. 4), while the parameter-space vector of
eq. (5) depends on the parametrisation, and that at singular points even the
model-side vector does.  symgrad computes every object of that story exactly
and says how it knows each claim.

The public names, in the order the data flows (each also lives in its module):

* the model: :class:`Model`, :class:`Metric`, :func:`fisher_information`,
  :class:`Reparametrisation`;
* generalised inverses: :func:`pinv`, :class:`PseudoInverse`,
  :func:`generalised_inverse_family`, :func:`is_generalised_inverse`,
  :func:`tikhonov_inverse`, :func:`tikhonov_limit`;
* the proof engine: :class:`Claim`, :func:`decide`, :class:`Certificate`, :class:`Verdict`;
* gradients (eqs. 1, 4, 5, Theorem 1): :data:`ANY_LOSS`, :func:`loss_differential`,
  :func:`coordinate_derivatives`, :func:`natural_gradient`, :class:`NaturalGradient`,
  :func:`check_theorem1`, :func:`check_generalised_inverses`;
* invariance (eq. 6) and the Conclusion's remarks: :func:`check_invariance`,
  :class:`InvarianceProof`, :func:`damped_invariance`, :func:`step_comparison`;
* singular points (§3, Fig. 2): :func:`singular_points`, :func:`classify`,
  :func:`branch_gradients`, :func:`counterexample`;
* piecewise models (``Max``, ``Min``, ``Abs``, ``Heaviside``, ``sign``, ``Piecewise``): :func:`regions`,
  :class:`Regions`, :class:`Region` (:mod:`symgrad.piecewise`), every claim made per region;
* derivations: :class:`Derivation`, :class:`Report`, :func:`run_derivation`,
  :func:`load_derivation`, :func:`builtin_derivations`;
* the appendix: :mod:`render`, callable as ``symgrad.render(...)``
  (:func:`symgrad.render.render`): derivations, reports or built-in keys to LaTeX and PDF;
* errors: :class:`SymgradError` (its subclasses are in :mod:`symgrad.exceptions`).
"""
from __future__ import annotations

from .exceptions import SymgradError
from .metric import Metric, fisher_information
from .parametrisation import Reparametrisation
from .inverse import (
    PseudoInverse, generalised_inverse_family, is_generalised_inverse, pinv, tikhonov_inverse, tikhonov_limit,
)
from .proof import Certificate, Claim, Verdict, decide
from .model import Model
from . import families
from .supervised import finite_mixture, rbm, supervised
from .singular import classify, singular_points
from .gradient import (
    ANY_LOSS, NaturalGradient, check_generalised_inverses, check_theorem1, coordinate_derivatives,
    loss_differential, natural_gradient,
)
from .reparam import InvarianceProof, check_invariance, damped_invariance, step_comparison
from .counterexample import branch_gradients, counterexample
from . import piecewise
from .piecewise import Region, Regions, regions
from .derivation import Derivation, Report, builtin_derivations, load_derivation, run_derivation
from . import render

__version__ = "0.1.0"

__all__ = [
    "Model", "Metric", "fisher_information", "Reparametrisation", "families", "supervised", "finite_mixture", "rbm",
    "pinv", "PseudoInverse", "generalised_inverse_family", "is_generalised_inverse",
    "tikhonov_inverse", "tikhonov_limit",
    "Claim", "decide", "Certificate", "Verdict",
    "ANY_LOSS", "loss_differential", "coordinate_derivatives", "natural_gradient", "NaturalGradient",
    "check_theorem1", "check_generalised_inverses",
    "check_invariance", "InvarianceProof", "damped_invariance", "step_comparison",
    "singular_points", "classify", "branch_gradients", "counterexample",
    "regions", "Regions", "Region", "piecewise",
    "Derivation", "Report", "run_derivation", "load_derivation", "builtin_derivations", "render",
    "SymgradError",
]
