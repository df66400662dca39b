"""Exponential families: g = D^2 A, redundant statistics, and the natural-gradient identity.

* ``exponential_family`` against the direct sum over a finite sample space, and
  against the normal family pulled back through the natural-parameter chart;
* affinely dependent statistics: refused with an error naming the dependence,
  or reduced to the minimal family (``reduce=True``), never a wrong rank;
* the exponential-family identity: the natural gradient in the natural
  parameters is the ordinary gradient in the expectation parameters, proved
  exactly (for every loss at once: the loss ``c^T eta`` with free ``c`` has any
  differential) for the Bernoulli, the univariate and the bivariate normal;
* Amari (1998): the natural gradient of ``KL(N(2, 1) || N(mu, sigma^2))`` at
  ``(1/2, 3/2)`` is ``(-3/2, -1/3)``, in ``(mu, sigma)`` and through ``normal(1)``.
"""
from __future__ import annotations

import pytest
import sympy as sp

import symgrad as sg
from symgrad import families
from symgrad.exceptions import MetricError

Q = sp.Rational
x = sp.Symbol("x", real=True)


def _difference(ops, m):
    return {"residual": ops.sub(m["A"], m["B"])}


def proved_equal(A, B, symbols, extra=(), positive=()) -> sg.Certificate:
    claim = sg.Claim("A = B", {"A": sp.Matrix(A), "B": sp.Matrix(B)}, tuple(symbols), _difference,
                     positive=tuple(positive), extra_symbols=tuple(extra))
    return sg.decide(claim, seed=0, levels=("exact",)).certificate


# ---------------------------------------------------------------------------
# g = D^2 A
# ---------------------------------------------------------------------------

def test_bernoulli_in_natural_parameters_against_the_sum():
    t = sp.Symbol("t", real=True)
    F = families.exponential_family([x], [t], sp.log(1 + sp.exp(t)), outcomes=[0, 1])
    direct = sg.fisher_information([F.log_p(0), F.log_p(1)], [t])
    assert proved_equal(F.g, direct, [t]).verdict is sg.Verdict.PROVED
    assert F.expectation_parameters()[0].equals(sp.exp(t) / (1 + sp.exp(t)))


def test_categorical_in_natural_parameters_against_the_sum():
    t = sp.symbols("t1 t2", real=True)
    xs = sp.symbols("x1 x2", real=True)
    A = sp.log(1 + sp.exp(t[0]) + sp.exp(t[1]))
    F = families.exponential_family(list(xs), t, A, outcomes=[(0, 0), (1, 0), (0, 1)])
    direct = sg.fisher_information([F.log_p(o) for o in F.outcomes], t)
    assert proved_equal(F.g, direct, t).verdict is sg.Verdict.PROVED


def normal2_natural():
    t = sp.symbols("t1:6", real=True)
    b = sp.Matrix(t[:2])
    Theta = sp.Matrix([[t[2], t[3] / 2], [t[3] / 2, t[4]]])
    A = -(b.T * Theta.inv() * b)[0, 0] / 4 - sp.log((-2 * Theta).det()) / 2
    x1, x2 = sp.symbols("x1 x2", real=True)
    F = families.exponential_family([x1, x2, x1**2, x1 * x2, x2**2], t, A,
                                    positive=[-t[2], 4 * t[2] * t[4] - t[3] ** 2])
    return t, Theta, b, F


def test_normal2_exponential_family_is_the_pullback_of_normal2():
    """The Hessian of A equals normal(2) pulled back through theta -> (mu, Sigma)."""
    t, Theta, b, F = normal2_natural()
    S = -(2 * Theta).inv()        # Sigma = -(2 Theta)^{-1}, mu = Sigma b
    mu = S * b
    u = sp.symbols("u1:6", real=True)
    sub = dict(zip(t, u))
    phi = [e.xreplace(sub) for e in (mu[0], mu[1], S[0, 0], S[0, 1], S[1, 1])]
    M = sg.Model(phi, params=u, metric=families.normal(2))
    cert = proved_equal(M.G, F.g.xreplace(sub), u)
    assert cert.verdict is sg.Verdict.PROVED


# ---------------------------------------------------------------------------
# redundant statistics
# ---------------------------------------------------------------------------

def test_redundant_statistics_are_refused_naming_the_dependence():
    """One-hot statistics x1 + x2 + x3 = 1: det D^2 A = 0 identically."""
    t = sp.symbols("t1:4", real=True)
    xs = sp.symbols("x1:4", real=True)
    A = sp.log(sum(sp.exp(ti) for ti in t))
    one_hot = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    assert sp.simplify(sp.hessian(A, t).det()) == 0
    with pytest.raises(MetricError, match=r"affinely dependent: T1 \+ T2 \+ T3 = x1 \+ x2 \+ x3 = 1 on every outcome"):
        families.exponential_family(list(xs), t, A, outcomes=one_hot)


def test_redundant_statistics_reduced_to_the_minimal_family():
    t = sp.symbols("t1:4", real=True)
    xs = sp.symbols("x1:4", real=True)
    A = sp.log(sum(sp.exp(ti) for ti in t))
    F = families.exponential_family(list(xs), t, A, outcomes=[(1, 0, 0), (0, 1, 0), (0, 0, 1)], reduce=True)
    assert F.dim == 2 and len(F.statistics) == 2
    # the same distributions: the reduced family's density sums to one and its metric is non-degenerate
    assert sp.simplify(sum(sp.exp(F.log_p(o)) for o in F.outcomes)) == 1
    u = sp.symbols("u1 u2", real=True)
    M = sg.Model(list(u), params=u, metric=F)
    assert M.rank == 2 and M.G.rank() == 2
    direct = sg.fisher_information([F.log_p(o) for o in F.outcomes], F.z)
    assert proved_equal(F.g, direct, F.z).verdict is sg.Verdict.PROVED


def test_continuous_redundant_statistics():
    t = sp.symbols("t1 t2", real=True)
    with pytest.raises(MetricError, match=r"2\*T1 - T2|T1 - T2/2|-2\*T1 \+ T2"):
        families.exponential_family([x, 2 * x], t, (t[0] + 2 * t[1]) ** 2 / 2)


# ---------------------------------------------------------------------------
# natural gradient in natural parameters = ordinary gradient in expectation parameters
# ---------------------------------------------------------------------------

def identity_certificate(F, extra_positive=()):
    """natural_gradient(theta -> theta, c^T eta(theta)).parameter == c, exactly, for free c."""
    n = F.dim
    u = sp.symbols(f"u1:{n + 1}", real=True)
    c = sp.symbols(f"c1:{n + 1}", real=True)
    M = sg.Model(list(u), params=u, metric=F)
    eta = F.expectation_parameters()
    loss = sum(ci * ei for ci, ei in zip(c, eta))
    ng = sg.natural_gradient(M, loss, seed=0)
    assert ng.theorem1.verdict is sg.Verdict.PROVED
    return proved_equal(ng.parameter, sp.Matrix(c), u, extra=c, positive=M.metric.domain(list(M.phi)))


def test_identity_bernoulli():
    t = sp.Symbol("t", real=True)
    F = families.exponential_family([x], [t], sp.log(1 + sp.exp(t)), outcomes=[0, 1])
    assert identity_certificate(F).verdict is sg.Verdict.PROVED


def test_identity_normal1():
    t1, t2 = sp.symbols("t1 t2", real=True)
    A = -t1**2 / (4 * t2) - sp.log(-2 * t2) / 2
    F = families.exponential_family([x, x**2], [t1, t2], A, positive=[-t2])
    assert identity_certificate(F).verdict is sg.Verdict.PROVED


def test_identity_normal2():
    _t, _Theta, _b, F = normal2_natural()
    assert identity_certificate(F).verdict is sg.Verdict.PROVED


def test_identity_through_the_normal_family():
    """The same identity with the metric of families.normal(2), the model being the natural-parameter chart.

    The loss is c^T eta written in the family's coordinates, eta = (mu, Sigma + mu mu^T) entries.
    """
    t, Theta, b, _F = normal2_natural()
    S = -(2 * Theta).inv()
    mu = S * b
    N = families.normal(2)
    m1, m2, s11, s12, s22 = N.z
    c = sp.symbols("c1:6", real=True)
    eta = [m1, m2, s11 + m1**2, s12 + m1 * m2, s22 + m2**2]
    M = sg.Model([mu[0], mu[1], S[0, 0], S[0, 1], S[1, 1]], params=t, metric=N)
    ng = sg.natural_gradient(M, sum(ci * ei for ci, ei in zip(c, eta)), seed=0)
    cert = proved_equal(ng.parameter, sp.Matrix(c), t, extra=c)
    assert cert.verdict is sg.Verdict.PROVED


def test_identity_through_the_bernoulli_family():
    t = sp.Symbol("t", real=True)
    c = sp.Symbol("c", real=True)
    B = families.bernoulli()
    M = sg.Model([sp.exp(t) / (1 + sp.exp(t))], params=[t], metric=B)
    ng = sg.natural_gradient(M, c * B.z[0], seed=0)
    assert proved_equal(ng.parameter, sp.Matrix([c]), [t], extra=[c]).verdict is sg.Verdict.PROVED


# ---------------------------------------------------------------------------
# Amari (1998)
# ---------------------------------------------------------------------------

def test_amari_kl_in_mu_sigma():
    N = families.normal(1, scale="sd")
    mu, sigma = N.z
    m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    kl = sp.log(sigma) + (1 + (2 - mu) ** 2) / (2 * sigma**2) - sp.Rational(1, 2)
    ng = sg.natural_gradient(sg.Model([m, s], params=[m, s], metric=N), kl, seed=0)
    at = ng.parameter.xreplace({m: Q(1, 2), s: Q(3, 2)})
    assert list(at) == [Q(-3, 2), Q(-1, 3)]


def test_amari_kl_through_the_multivariate_family():
    N = families.normal(1)
    mu1, s11 = N.z
    m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    kl = sp.log(s11) / 2 + (1 + (2 - mu1) ** 2) / (2 * s11) - sp.Rational(1, 2)
    ng = sg.natural_gradient(sg.Model([m, s**2], params=[m, s], metric=N), kl, seed=0)
    at = ng.parameter.xreplace({m: Q(1, 2), s: Q(3, 2)})
    assert list(at) == [Q(-3, 2), Q(-1, 3)]
    assert ng.theorem1.verdict is sg.Verdict.PROVED
