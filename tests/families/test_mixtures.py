"""Mixtures: exact on a finite sample space; the two-component Gaussian mixture numerically.

* finite mixtures: G is the Fisher information of the mixture (against the sum
  over outcomes written out here), the rank says what the mixture identifies
  (two Bernoullis: one dimension; two binomials of two trials: two);
* Watanabe's mixture (1 - w) N(0, 1) + w N(m, 1): the Fisher information by
  quadrature, labelled numeric, agreeing at 30 and 40 digits and with the
  closed form e^{m^2} - 1 of I_ww at w = 0; the rank-drop locus w m^2 = 0 found
  exactly, its components w = 0 and m = 0.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad import families
from symgrad.exceptions import DomainError, ShapeError

Q = sp.Rational


def test_two_bernoullis_identify_one_dimension():
    M = sg.finite_mixture([families.bernoulli(), families.bernoulli()])
    w1, p1, p2 = M.xi
    assert M.rank == 1 and M.is_fisher
    assert sp.expand(M.phi[1] - (w1 * p1 + (1 - w1) * p2)) == 0


@pytest.mark.parametrize("pt", [(Q(1, 2), Q(1, 3), Q(3, 4)), (Q(1, 5), Q(1, 2), Q(1, 7)), (Q(2, 3), Q(4, 5), Q(1, 4))])
def test_binomial_mixture_fisher_against_the_sum(pt):
    M = sg.finite_mixture([families.binomial(2), families.binomial(2)])
    w1, p1, p2 = M.xi
    probs = [w1 * sp.binomial(2, k) * p1**k * (1 - p1) ** (2 - k) + (1 - w1) * sp.binomial(2, k) * p2**k
             * (1 - p2) ** (2 - k) for k in range(3)]
    point = dict(zip(M.xi, pt))
    direct = sp.zeros(3, 3)
    for q in probs:
        s = [sp.diff(q, t).xreplace(point) for t in M.xi]
        qv = q.xreplace(point)
        direct += sp.Matrix(3, 3, lambda i, j: s[i] * s[j] / qv)
    assert M.G.xreplace(point) == direct
    assert M.rank == 2          # three outcomes: at most two dimensions


def test_finite_mixture_refusals():
    with pytest.raises(DomainError, match="minimal"):
        sg.finite_mixture([families.categorical(3), families.categorical(3)])
    with pytest.raises(ShapeError):
        sg.finite_mixture([families.bernoulli(), families.binomial(2)])
    with pytest.raises(sg.SymgradError):
        sg.finite_mixture([families.poisson(), families.poisson()])


def test_gaussian_mixture_numeric_fisher():
    gm = families.gaussian_mixture()
    F30 = gm.fisher({"w": Q(1, 2), "m": 1}, dps=30)
    F40 = gm.fisher({"w": Q(1, 2), "m": 1}, dps=40)
    assert F30.label == "numeric" and F30.dps == 30 and "quadrature" in F30.method
    assert max(abs(F30.matrix[i, j] - F40.matrix[i, j]) for i in range(2) for j in range(2)) < mpmath.mpf(10) ** -25
    assert F30.matrix[0, 0] * F30.matrix[1, 1] - F30.matrix[0, 1] ** 2 > mpmath.mpf(10) ** -3
    at0 = gm.fisher({"w": 0, "m": 2})
    with mpmath.workdps(30):
        assert abs(at0.matrix[0, 0] - (mpmath.e**4 - 1)) < mpmath.mpf(10) ** -25
        assert abs(at0.matrix[1, 1]) < mpmath.mpf(10) ** -25 and "numeric" in str(at0)
    with pytest.raises(DomainError, match="0 <= w <= 1"):
        gm.fisher({"w": 2, "m": 0})


def test_gaussian_mixture_rank_drop_locus_exact():
    gm = families.gaussian_mixture()
    locus = gm.rank_drop_locus()
    w, m = gm.params
    assert sp.expand(locus.equation - w * m**2) == 0
    assert locus.components == ({w: 0}, {m: 0}) and locus.exact
    assert "Groebner" in locus.necessary and "Wronskian" in locus.sufficient
