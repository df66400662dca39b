"""The normal family N(mu, Sigma): closed-form Fisher metric against direct expectations.

* ``normal(1)`` and ``normal(1, scale="sd")`` against SymPy integrals of the
  products of the scores, at three rational points;
* ``normal(2)`` against the exact expectation of the products of the scores
  (the scores are polynomials in ``x``; ``x = mu + L u`` with ``u`` standard
  normal, whose moments are exact), at three rational points, in the entry
  coordinates and pulled back to a Cholesky factor and to a precision matrix;
* the domain: Sigma positive definite, declared once, refused points name the
  constraint, no MetricWarning.
"""
from __future__ import annotations

import warnings

import pytest
import sympy as sp

import symgrad as sg
from symgrad import families
from symgrad.exceptions import DomainError, ShapeError

Q = sp.Rational
x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)


def gaussian_moment(k: int) -> sp.Integer:
    """E[u^k] for u ~ N(0, 1): (k - 1)!! for even k, 0 for odd k."""
    return sp.Integer(0) if k % 2 else sp.factorial2(k - 1) if k else sp.Integer(1)


def expectation_normal(poly: sp.Expr, mu, L, xs) -> sp.Expr:
    """E[poly(x)] for x ~ N(mu, L L^T), exactly, by x = mu + L u and the moments of u."""
    d = len(xs)
    u = sp.symbols(f"u1:{d + 1}")
    sub = {xs[i]: mu[i] + sum(L[i, j] * u[j] for j in range(d)) for i in range(d)}
    P = sp.Poly(sp.expand(poly.xreplace(sub)), *u)
    total = sp.Integer(0)
    for monom, coeff in P.terms():
        term = coeff
        for k in monom:
            term *= gaussian_moment(k)
        total += term
    return sp.nsimplify(total)


def fisher_by_moments(logp: sp.Expr, params, point, mu, L, xs) -> sp.Matrix:
    """E[d_i log p d_j log p] at ``point`` (the scores are polynomials in x there)."""
    scores = [sp.expand(sp.diff(logp, t).xreplace(point)) for t in params]
    n = len(params)
    return sp.Matrix(n, n, lambda i, j: expectation_normal(scores[i] * scores[j], mu, L, xs))


# ---------------------------------------------------------------------------
# d = 1
# ---------------------------------------------------------------------------

def integral_fisher(logp, coords, point, m, sd):
    """int p(x) d_i log p d_j log p dx by SymPy, in the standardised variable x = m + sd*y."""
    scores = [sp.diff(logp, t).xreplace(point).xreplace({x: m + sd * y}) for t in coords]
    n = len(coords)
    weight = sp.exp(-y**2 / 2) / sp.sqrt(2 * sp.pi)      # p(x) dx in y
    return sp.Matrix(n, n, lambda i, j: sp.integrate(sp.expand(scores[i] * scores[j]) * weight, (y, -sp.oo, sp.oo)))


@pytest.mark.parametrize("m, v", [(0, 1), (Q(1, 2), Q(9, 4)), (-3, Q(1, 5))])
def test_normal1_against_integral(m, v):
    N = families.normal(1)
    mu1, s11 = N.z
    logp = -(x - mu1) ** 2 / (2 * s11) - sp.log(s11) / 2 - sp.log(2 * sp.pi) / 2
    point = {mu1: m, s11: v}
    G = integral_fisher(logp, N.z, point, m, sp.sqrt(v))
    assert (G - N.g.xreplace(point)).applyfunc(sp.simplify) == sp.zeros(2, 2)


@pytest.mark.parametrize("m, s", [(0, 1), (Q(1, 2), Q(3, 2)), (2, Q(1, 3))])
def test_normal1_sd_against_integral(m, s):
    N = families.normal(1, scale="sd")
    mu, sigma = N.z
    logp = -(x - mu) ** 2 / (2 * sigma**2) - sp.log(sigma) - sp.log(2 * sp.pi) / 2
    point = {mu: m, sigma: s}
    G = integral_fisher(logp, N.z, point, m, s)
    assert (G - N.g.xreplace(point)).applyfunc(sp.simplify) == sp.zeros(2, 2)


def test_normal1_closed_forms_and_log_density():
    N = families.normal(1)
    mu1, s11 = N.z
    assert N.g == sp.diag(1 / s11, 1 / (2 * s11**2))
    assert N.positive == (s11,) and N.is_fisher
    assert sp.simplify(N.log_p(x) - (-(x - mu1) ** 2 / (2 * s11) - sp.log(2 * sp.pi * s11) / 2)) == 0
    mu, sigma = families.normal(1, scale="sd").z
    assert families.normal(1, scale="sd").g == sp.diag(1 / sigma**2, 2 / sigma**2)
    assert families.normal(1, covariance=[[4]]).g == sp.Matrix([[Q(1, 4)]])
    assert families.normal(1, mean=False).g == sp.Matrix([[1 / (2 * families.normal(1, mean=False).z[0] ** 2)]])


def test_sd_is_the_pullback_of_the_variance_coordinates():
    """normal(1) pulled back through (mu, sigma) -> (mu, sigma^2) is normal(1, scale='sd')."""
    m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    M = sg.Model([m, s**2], params=[m, s], metric=families.normal(1))
    assert M.G == sp.diag(1 / s**2, 2 / s**2)


# ---------------------------------------------------------------------------
# d = 2
# ---------------------------------------------------------------------------

X = sp.symbols("x1 x2", real=True)
POINTS_2 = [
    ((0, 0), sp.Matrix([[1, 0], [0, 1]])),
    ((Q(1, 2), -1), sp.Matrix([[2, 0], [Q(1, 2), 1]])),
    ((3, Q(2, 3)), sp.Matrix([[Q(1, 3), 0], [-1, Q(3, 2)]])),
]


def normal2_log_density(mu, S):
    r = sp.Matrix(X) - sp.Matrix(mu)
    return -(r.T * S.inv() * r)[0, 0] / 2 - sp.log(S.det()) / 2 - sp.log(2 * sp.pi)


@pytest.mark.parametrize("mean, L", POINTS_2)
def test_normal2_against_exact_expectation(mean, L):
    N = families.normal(2)
    mu1, mu2, s11, s12, s22 = N.z
    S = sp.Matrix([[s11, s12], [s12, s22]])
    logp = normal2_log_density((mu1, mu2), S)
    Sig = L * L.T
    point = {mu1: mean[0], mu2: mean[1], s11: Sig[0, 0], s12: Sig[0, 1], s22: Sig[1, 1]}
    G = fisher_by_moments(logp, N.z, point, mean, L, X)
    assert G == N.g.xreplace(point)


@pytest.mark.parametrize("mean, L", POINTS_2)
def test_cholesky_pullback_against_exact_expectation(mean, L):
    """The issue's example: Model(..., metric=normal(2)).G in the Cholesky factor = E[score score^T]."""
    N = families.normal(2)
    m1, m2, l11, l21, l22 = sp.symbols("m1 m2 l11 l21 l22", real=True)
    Lc = sp.Matrix([[l11, 0], [l21, l22]])
    S = Lc * Lc.T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        M = sg.Model([m1, m2, S[0, 0], S[0, 1], S[1, 1]], params=[m1, m2, l11, l21, l22], metric=N)
        G = M.G
    logp = normal2_log_density((m1, m2), S)
    point = {m1: mean[0], m2: mean[1], l11: L[0, 0], l21: L[1, 0], l22: L[1, 1]}
    assert G.xreplace(point) == fisher_by_moments(logp, M.xi, point, mean, L, X)
    assert M.rank == 5


def test_precision_parametrisation_against_exact_expectation():
    """Sigma = P^{-1} for a precision matrix P: the pullback equals the expectation in P."""
    N = families.normal(2)
    p11, p12, p22 = sp.symbols("p11 p12 p22", real=True)
    P = sp.Matrix([[p11, p12], [p12, p22]])
    S = P.inv()
    M = sg.Model([sp.Integer(0), sp.Integer(0), S[0, 0], S[0, 1], S[1, 1]], params=[p11, p12, p22],
                 metric=families.normal(2))
    r = sp.Matrix(X)
    logp = -(r.T * P * r)[0, 0] / 2 + sp.log(P.det()) / 2
    for Pv in (sp.Matrix([[1, 0], [0, 1]]), sp.Matrix([[2, Q(1, 2)], [Q(1, 2), 1]]), sp.Matrix([[5, -2], [-2, 3]])):
        point = {p11: Pv[0, 0], p12: Pv[0, 1], p22: Pv[1, 1]}
        L = (Pv.inv()).cholesky(hermitian=False)
        assert M.G.xreplace(point).applyfunc(sp.nsimplify) == fisher_by_moments(logp, M.xi, point, (0, 0), L, X)
    assert N.dim == 5


def test_overparametrised_covariance_has_rank_three():
    """Sigma = A A^T with a full 2x2 A: four parameters for three entries (rotations of A)."""
    a = sp.symbols("a11 a12 a21 a22", real=True)
    A = sp.Matrix([[a[0], a[1]], [a[2], a[3]]])
    S = A * A.T
    M = sg.Model([S[0, 0], S[0, 1], S[1, 1]], params=a, metric=families.normal(2, mean=False))
    assert M.n_params == 4 and M.rank == 3


def test_known_covariance_gives_the_inverse_on_the_mean():
    S = sp.Matrix([[2, 1], [1, 3]])
    N = families.normal(2, covariance=S)
    assert N.z == sp.symbols("mu1 mu2", real=True) and N.g == S.inv()


# ---------------------------------------------------------------------------
# the domain: declared once
# ---------------------------------------------------------------------------

def test_domain_is_declared_and_refused_points_name_it():
    N = families.normal(2)
    mu1, mu2, s11, s12, s22 = N.z
    assert set(N.positive) == {s11, s11 * s22 - s12**2}
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # no MetricWarning: the family states its domain
        a, b, c = sp.symbols("a b c", real=True)
        M = sg.Model([0, 0, a, b, c], params=[a, b, c], metric=N)
        M.G
    with pytest.raises(DomainError, match=r"s11\*s22 - s12\*\*2 > 0"):
        M.at({a: 1, b: 2, c: 1})
    assert list(M.at({a: 2, b: 1, c: 1})) == [0, 0, 2, 1, 1]


def test_bad_arguments():
    with pytest.raises(ShapeError):
        families.normal(0)
    with pytest.raises(ShapeError):
        families.normal(2, scale="sd")
    with pytest.raises(ShapeError):
        families.normal(2, mean=False, covariance=sp.eye(2))
    with pytest.raises(ShapeError):
        families.normal(1, coords=["a"])
