"""The exceptions symgrad raises: one hierarchy, rooted at :class:`SymgradError`.

Every message says what failed, on which object, and what to try.  An
*undecided* proof is not an error: it is a :class:`symgrad.proof.Verdict`.
"""
from __future__ import annotations

__all__ = [
    "SymgradError",
    "ShapeError",
    "SymbolError",
    "MetricError",
    "DomainError",
    "RankError",
    "UndecidedError",
    "LiftError",
    "SingularPointError",
    "ReparametrisationError",
    "TemplateError",
    "RenderError",
    "DerivationError",
    "BudgetError",
    "NotProperError",
    "OutOfBudgetError",
    "ArgumentError",
]


class SymgradError(Exception):
    """Base class of every exception symgrad raises on purpose."""


class ShapeError(SymgradError, ValueError):
    """Matrices or vectors whose dimensions do not fit together."""


class SymbolError(SymgradError, ValueError):
    """A parameter that is not a symbol, or an expression with an undeclared symbol."""


class MetricError(SymgradError, ValueError):
    """An ambient metric that is not symmetric, not positive definite, or undecidable."""


class DomainError(SymgradError, ValueError):
    """A point outside the domain of a model, metric or formula (e.g. ``p_i <= 0``)."""


class RankError(SymgradError, ValueError):
    """A formula used where the rank of its matrix differs from the rank it assumes."""


class LiftError(SymgradError, ValueError):
    """An expression that cannot be written exactly as a rational function.

    Raised by the exact layer when a function (``Abs(x)``, an undefined ``f(x)``, a
    float) has no lift into the exact field; callers fall back to probabilistic or
    numeric checks and say so.
    """


class UndecidedError(LiftError):
    """A zero test the exact field cannot decide.

    The kernels of the expression are not known to be algebraically independent,
    the element is not zero modulo the known relations, and no ball enclosure at
    the points tried excluded zero (:mod:`symgrad.exact.certify`).  Nothing is
    claimed; callers fall back to numeric evidence and say so.
    """


class SingularPointError(SymgradError, ValueError):
    """A computation that needs a non-singular model point was asked at a singular one."""


class ReparametrisationError(SymgradError, ValueError):
    """A reparametrisation that is not a diffeomorphism where it is used."""


class TemplateError(SymgradError):
    """A Jinja template is missing, or uses a name the renderer does not provide."""


class RenderError(SymgradError):
    """LaTeX could not be written or compiled; the message carries TeX's own error."""


class DerivationError(SymgradError):
    """A derivation file or name that cannot be loaded."""


class BudgetError(SymgradError, ValueError):
    """A time budget that is not a positive finite number of seconds."""


class NotProperError(SingularPointError):
    """A non-singular model point asked at a preimage where the parametrisation is not proper.

    There ``rank J`` is below the dimension of the model at ``p``, so the
    ``d_i`` do not span ``T_p M`` and eq. (4) at that preimage is not the
    gradient (paper, §2: the proper-parametrisation assumption of Theorem 1).
    """


class OutOfBudgetError(SymgradError, TimeoutError):
    """A computation with no partial answer (``M.G``, ``M.G_plus``, a loss differential) ran out of its
    time budget; the message says what was being computed and how to give it more time."""


class ArgumentError(SymgradError, TypeError):
    """An argument of the wrong kind (``None`` or a string where a model, a claim or a path is needed)."""
