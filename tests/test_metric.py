"""Tests of symgrad.metric: ambient metrics and Fisher information.

* known answers: the closed forms of the Euclidean, simplex-Fisher, Gaussian
  and exponential-family metrics;
* coherence: the Fisher information of a statistical model computed from its
  log-density (``fisher_information``) against the pullback of the simplex
  Fisher metric (``Model(..., metric=SimplexFisher(p)).G``), for the softmax
  and binomial models; the Gaussian Fisher metric against the integral of the
  products of the scores (``sympy.integrate``); an exponential family's Hessian
  against the same sum over its sample space;
* errors: shapes, symbols, symmetry, definiteness, domain.
"""
from __future__ import annotations

import itertools
import warnings

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.metric import MetricWarning
from symgrad.exceptions import MetricError
from symgrad.exceptions import DomainError, MetricError, ShapeError, SymbolError, SymgradError
from symgrad.metric import as_metric
from symgrad.numeric import evaluate_matrix, max_abs_diff, random_point

SETTINGS = settings(derandomize=True, deadline=None, max_examples=30, print_blob=True)
DPS = 50
TOL = mpmath.mpf(10) ** -40

z1, z2, z3 = sp.symbols("z1 z2 z3", real=True)
mu = sp.Symbol("mu", real=True)
sigma, v, q = sp.symbols("sigma v q", positive=True)
x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)


def equal(A, B):
    return sp.Matrix(A).shape == sp.Matrix(B).shape and all(sp.simplify(e) == 0 for e in sp.Matrix(A) - sp.Matrix(B))


# -- known answers ----------------------------------------------------------------

def test_euclidean():
    g = sg.Metric.euclidean([z1, z2, z3])
    assert g.g == sp.eye(3) and g.z == (z1, z2, z3) and not g.is_fisher


def test_simplex_fisher():
    p = sp.symbols("p1:4", positive=True)
    g = sg.Metric.simplex_fisher(p)
    assert g.g == sp.diag(1 / p[0], 1 / p[1], 1 / p[2])
    assert g.is_fisher and set(g.positive) == set(p)


def test_gaussian_fisher_closed_forms():
    # Fisher information of N(mu, sigma^2): diag(1/sigma^2, 2/sigma^2); in (mu, v = sigma^2): diag(1/v, 1/(2 v^2))
    assert sg.families.normal(1, scale="sd", coords=[mu, sigma]).g == sp.diag(1 / sigma**2, 2 / sigma**2)
    assert sg.families.normal(1, coords=[mu, v]).g == sp.diag(1 / v, 1 / (2 * v**2))


@pytest.mark.parametrize(
    "psi, expected",
    [
        (sp.log(1 + sp.exp(x)), sp.exp(x) / (1 + sp.exp(x)) ** 2),  # Bernoulli: p(1 - p)
        (sp.exp(x), sp.exp(x)),  # Poisson: the mean
        (x**2 / 2, sp.Integer(1)),  # normal with unit variance: 1
    ],
    ids=["bernoulli", "poisson", "unit_normal"],
)
def test_exponential_family_one_parameter(psi, expected):
    g = sg.families.exponential_family([y], [x], psi)
    assert equal(g.g, [[expected]])


def test_pullback_metric_matches_change_of_coordinates():
    # the Euclidean plane in polar coordinates: J^T I J = diag(1, r^2)
    r, t = sp.symbols("r t", positive=True)
    M = sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t], coords=[z1, z2], metric=sg.Metric.euclidean([z1, z2]))
    assert equal(M.G, sp.diag(1, r**2))


# -- coherence: Fisher information two ways --------------------------------------

def _softmax(n):
    th = sp.symbols(f"th1:{n + 1}", real=True)
    p = sp.symbols(f"p1:{n + 1}", positive=True)
    E = [sp.exp(s) for s in th]
    phi = [e / sum(E) for e in E]
    logs = [s - sp.log(sum(E)) for s in th]
    return th, p, phi, logs


@pytest.mark.parametrize("n", [2, 3])
def test_fisher_information_softmax_equals_pullback(n):
    th, p, phi, logs = _softmax(n)
    direct = sg.fisher_information(logs, th)
    M = sg.Model(phi, params=th, coords=p, metric=sg.Metric.simplex_fisher(p))
    assert equal(direct, M.G)
    # and both are diag(s) - s s^T with s the softmax
    s = sp.Matrix(phi)
    assert equal(M.G, sp.diag(*phi) - s * s.T)
    assert M.is_fisher


def _binomial(n, q_of):
    k_range = range(n + 1)
    p = sp.symbols(f"p0:{n + 1}", positive=True)
    phi = [sp.binomial(n, k) * q_of**k * (1 - q_of) ** (n - k) for k in k_range]
    logs = [sp.log(sp.binomial(n, k)) + k * sp.log(q_of) + (n - k) * sp.log(1 - q_of) for k in k_range]
    return p, phi, logs


@pytest.mark.parametrize("n", [1, 3, 4])
def test_fisher_information_binomial_equals_pullback(n):
    p, phi, logs = _binomial(n, q)
    direct = sg.fisher_information(logs, [q])
    M = sg.Model(phi, params=[q], coords=p, metric=sg.Metric.simplex_fisher(p))
    assert equal(direct, M.G)
    assert equal(M.G, [[n / (q * (1 - q))]])  # the textbook value n / (q (1 - q))


def test_fisher_information_overparametrised_binomial():
    """q = sigmoid(t1 + t2): two parameters, rank one; both routes agree exactly and numerically."""
    t1, t2 = sp.symbols("t1 t2", real=True)
    s = sp.exp(t1 + t2)
    n = 3
    p = sp.symbols(f"p0:{n + 1}", positive=True)
    phi = [sp.binomial(n, k) * s**k / (1 + s) ** n for k in range(n + 1)]
    logs = [sp.log(sp.binomial(n, k)) + k * (t1 + t2) - n * sp.log(1 + s) for k in range(n + 1)]
    direct = sg.fisher_information(logs, [t1, t2])
    M = sg.Model(phi, params=[t1, t2], coords=p, metric=sg.Metric.simplex_fisher(p))
    assert M.rank == 1
    assert equal(direct, M.G)
    for seed in range(3):
        pt = random_point([t1, t2], seed)
        assert max_abs_diff(evaluate_matrix(direct, pt, DPS), evaluate_matrix(M.G, pt, DPS), DPS) < TOL


def _gaussian_by_integration(coords, log_density):
    """G_ij = int p d_i log p d_j log p dx, with x = mu + sqrt(var) y (so sympy integrates Gaussian moments)."""
    scale = sigma if coords[1] == sigma else sp.sqrt(v)
    scores = [sp.diff(log_density, c) for c in coords]
    density = sp.exp(log_density)
    G = sp.zeros(2, 2)
    for i in range(2):
        for j in range(2):
            integrand = sp.simplify((density * scores[i] * scores[j]).subs(x, mu + scale * y) * scale)
            G[i, j] = sp.integrate(sp.expand(integrand), (y, -sp.oo, sp.oo))
    return G


def test_gaussian_fisher_against_integral_of_scores():
    logp = -sp.log(sigma) - sp.log(2 * sp.pi) / 2 - (x - mu) ** 2 / (2 * sigma**2)
    assert equal(_gaussian_by_integration((mu, sigma), logp), sg.families.normal(1, scale="sd", coords=[mu, sigma]).g)


def test_gaussian_fisher_variance_against_integral_of_scores():
    logp = -sp.log(v) / 2 - sp.log(2 * sp.pi) / 2 - (x - mu) ** 2 / (2 * v)
    assert equal(_gaussian_by_integration((mu, v), logp), sg.families.normal(1, coords=[mu, v]).g)


def test_exponential_family_against_finite_sample_space():
    """Categorical on 3 outcomes in natural parameters: Hessian of log(1 + e^t1 + e^t2) = sum_x p d log p d log p."""
    t1, t2 = sp.symbols("t1 t2", real=True)
    psi = sp.log(1 + sp.exp(t1) + sp.exp(t2))
    logs = [-psi, t1 - psi, t2 - psi]
    assert equal(sg.families.exponential_family([z1, z2], [t1, t2], psi).g, sg.fisher_information(logs, [t1, t2]))


@SETTINGS
@given(st.lists(st.fractions(1, 20, max_denominator=20), min_size=3, max_size=3))
def test_simplex_metric_is_a_generalised_inverse_of_the_softmax_fim(ws):
    """At a random point p of the open simplex, G = diag(p) - p p^T satisfies G g G = G with
    g = diag(1/p) the simplex Fisher metric, and G is symmetric PSD of rank n - 1 with null vector 1."""
    tot = sum(ws)
    pv = [sp.Rational(w.numerator, w.denominator) / sp.Rational(tot.numerator, tot.denominator) for w in ws]
    p = sp.symbols("p1:4", positive=True)
    g = sg.Metric.simplex_fisher(p).g.subs(dict(zip(p, pv)))
    G = sp.diag(*pv) - sp.Matrix(pv) * sp.Matrix(pv).T
    assert G * g * G == G
    assert G == G.T and G * sp.ones(3, 1) == sp.zeros(3, 1)
    assert all(G.extract(list(S), list(S)).det() >= 0
               for k in (1, 2, 3) for S in itertools.combinations(range(3), k))
    assert G.rank() == 2


# -- errors ---------------------------------------------------------------------------

def _raises(exc, words, call):
    with pytest.raises(exc) as info:
        call()
    assert isinstance(info.value, SymgradError)
    assert words in str(info.value), f"message {info.value!s} does not name {words!r}"


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: sg.Metric.from_matrix([[1, z1], [0, 1]], [z1, z2]), MetricError, "not symmetric"),
        (lambda: sg.Metric.from_matrix([[1, 2], [2, 1]], [z1, z2]), MetricError, "not positive definite"),
        (lambda: sg.Metric.from_matrix([[1, 0], [0, -1]], [z1, z2]), MetricError, "not positive definite"),
        (lambda: sg.Metric.from_matrix([[-z1**2 - 1]], [z1]), MetricError, "never positive"),
        (lambda: sg.Metric.from_matrix([[1, 0, 0], [0, 1, 0]], [z1, z2]), ShapeError, "2x3"),
        (lambda: sg.Metric.from_matrix([[1, 0], [0, 1]], [z1, z2, z3]), ShapeError, "3x3"),
        (lambda: sg.Metric.from_matrix([[1, 2], [3]], [z1, z2]), ShapeError, "cannot read"),
        (lambda: sg.Metric.from_matrix([[1 + z3**2]], [z1]), SymbolError, "z3"),
        (lambda: sg.Metric.from_matrix([[1]], [z1 + 1]), SymbolError, "must be SymPy symbols"),
        (lambda: sg.Metric.simplex_fisher([z1, z1]), SymbolError, "repeated"),
        (lambda: sg.Metric.simplex_fisher([z1, 2 * z2]), SymbolError, "2*z2"),
        (lambda: sg.Metric.euclidean([z1]).at([1, 2]), ShapeError, "1 coordinates"),
        (lambda: as_metric(sg.Metric.euclidean([z1, z2]), [z2, z1], 2), SymbolError, "differ"),
        (lambda: as_metric(sg.Metric.euclidean([z1, z2]), None, 3), ShapeError, "2-dimensional"),
        (lambda: sg.fisher_information([x], [x + 1]), SymbolError, "must be SymPy symbols"),
    ],
    ids=["not_symmetric", "indefinite_constant", "negative_eigenvalue", "never_positive", "not_square",
         "wrong_size", "ragged", "undeclared_symbol", "coordinate_not_symbol", "repeated_coordinate",
         "simplex_not_symbol", "point_wrong_length", "coords_differ", "dimension_differs", "fisher_params"],
)
def test_errors(call, exc, words):
    _raises(exc, words, call)


def test_declared_constants_are_allowed():
    c = sp.Symbol("c", positive=True)
    g = sg.Metric.from_matrix([[c, 0], [0, 1]], [z1, z2], constants=[c])
    assert g.g == sp.diag(c, 1)


def test_undecidable_definiteness_warns():
    with pytest.warns(MetricWarning, match="could not decide"):
        sg.Metric.from_matrix([[1, 0], [0, z1]], [z1, z2])
    zp = sp.Symbol("zp", positive=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sg.Metric.from_matrix([[1, 0], [0, zp]], [z1, zp])  # decidable: no warning


@pytest.mark.parametrize("bad", [0, -1, sp.Rational(-1, 3)])
def test_simplex_fisher_domain(bad):
    p1, p2 = sp.symbols("p1 p2", positive=True)
    g = sg.Metric.simplex_fisher([p1, p2])
    g.check_point({p1: sp.Rational(1, 3), p2: sp.Rational(2, 3)})  # inside: no error
    _raises(DomainError, "p2 > 0", lambda: g.check_point({p1: 1, p2: bad}))


def test_gaussian_fisher_domain():
    g = sg.families.normal(1, scale="sd", coords=[mu, sigma])
    g.check_point({mu: -3, sigma: 2})
    _raises(DomainError, "sigma > 0", lambda: g.check_point({mu: 0, sigma: 0}))


def test_constant_indefinite_metrics_are_refused_at_construction():
    th = sp.Symbol("theta", real=True)
    z1 = sp.Symbol("z1")
    with pytest.raises(MetricError, match="not positive definite"):
        sg.Metric((z1,), sp.Matrix([[-1]]))
    with pytest.raises(MetricError, match="not positive definite"):
        sg.families.exponential_family([z1], [th], -th**2)   # the Hessian of a concave log-partition
