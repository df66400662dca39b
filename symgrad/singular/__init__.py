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
  (:mod:`~symgrad.singular.classify`), and at which preimages the
  parametrisation is *proper* (the ``d_i`` span ``T_p M``), two findings kept
  apart as the paper does.  Smoothness is proved by a preimage of full
  ambient rank, by the Zariski closure (or an affine subspace holding ``M``)
  smooth of dimension ``r`` at ``p`` with a preimage of rank ``r`` or an arc
  through ``p``, or by the compact-fibre argument for angles
  (:mod:`~symgrad.singular.angles`: the pole of a sphere chart); it is refuted
  by branches with different tangent spaces, tangencies, half-branches of a
  cusp or an end point, a graph whose expansion has a non-integer exponent
  (``(t^3, t^5)``), or a limit of self-crossings
  (:mod:`~symgrad.singular.smoothness`).  Ranks at points with transcendental
  values are proved by interval enclosures, and solution values are called
  real only when that is proved (:mod:`~symgrad.singular._reals`).
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
