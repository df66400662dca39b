r"""Singular points of a model (paper, §3): where ``M`` is not an embedded submanifold.

Theorem 1 of the paper computes the natural gradient at a *non-singular*
point ``p`` of the model ``M = phi(Xi)``: near ``p`` the set ``M`` is an
embedded submanifold and the pushforwards ``d_i = dphi(e_i)`` span its
tangent space at every preimage of ``p``.  This package finds the points where
that fails and says how it knows:

* :func:`singular_points` finds where the rank of ``J`` falls below its
  generic rank ``r`` (the common zeros of the ``r x r`` minors, reduced and
  split into components, :mod:`~symgrad.singular.rank_drops`), and the points
  reached twice, ``phi(xi1) = phi(xi2)`` with ``xi1 != xi2``
  (:mod:`~symgrad.singular.crossings`).  For rational parametrisations both
  are exact elimination problems (:mod:`symgrad.exact.ideals`) solved within
  a time budget; when the exact search does not finish, or the model is not
  rational, a bounded numeric search follows and is reported as such: it is
  evidence, never a proof that nothing else exists.
* :func:`classify` decides whether a model point ``p`` is singular
  (:mod:`~symgrad.singular.classify`).
* :func:`ensure_nonsingular` is the guard used by APIs that assume a
  non-singular point.

The scope of every search is data (:class:`~symgrad.singular.scope.Step`),
phrased by one formatter; every result carries a
:class:`~symgrad.proof.Certificate`.  Figure 2's counterexample (eq. (4) on
two branches, and the reparametrisation swapping them) lives above the
gradient, in :mod:`symgrad.counterexample`.

What is *exact* here: the Groebner bases, the component splitting (by
factorisation over the rationals), and every rank and span computed at
rational or algebraic parameter values (exact field arithmetic, never floating
point).  What is *numeric*: the fallback searches (Levenberg-Marquardt in
mpmath at a stated precision) and, where it is used, the test whether two
preimages with the same tangent space lie on the same sheet.
"""
from __future__ import annotations

from .classify import classify, ensure_nonsingular
from .results import (
    Branch, Classification, Crossing, CrossingDetail, NumericSearch, Preimage, RankDropLocus, RankDropPoint,
    SingularPoints,
)
from .scope import Step, describe, scope_text
from .search import singular_points

__all__ = [
    "singular_points", "classify", "ensure_nonsingular",
    "SingularPoints", "RankDropLocus", "RankDropPoint", "Crossing", "CrossingDetail", "NumericSearch",
    "Preimage", "Branch", "Classification", "Step", "describe", "scope_text",
]
