"""Tests of symgrad.model: parametrisations, Jacobian, Gram/Fisher matrix, generic rank.

* the example session of issue 2 (polar coordinates; softmax with the simplex
  Fisher metric given as a SymPy matrix, where ``G = diag(p) - p p^T``);
* known answers: ``J``, ``G`` and the generic rank of small models, by hand;
* coherence: ``G`` against plain SymPy ``J^T g(phi) J``, the generic rank
  against the numeric rank at random points, ``G_plus`` against mpmath's SVD;
* properties (hypothesis, derandomised): ``G`` symmetric positive
  semi-definite at random rational points (exactly for polynomial models, at 50
  digits otherwise), ``G_plus.at`` the true inverse at rank-drop points;
* errors: shapes, symbols, metrics, domains, unliftable expressions.
"""
from __future__ import annotations

import itertools

import mpmath
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.exceptions import DomainError, LiftError, MetricError, ShapeError, SymbolError, SymgradError
from symgrad.numeric import evaluate_matrix, max_abs_diff, numeric_pinv, random_point

SETTINGS = settings(derandomize=True, deadline=None, max_examples=30, print_blob=True)
DPS = 50
TOL = mpmath.mpf(10) ** -35
R = sp.Rational

a, b, c, m, s = sp.symbols("a b c m s", real=True)
r, t = sp.symbols("r t", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
k = sp.Symbol("k", positive=True)


def equal(A, B):
    return sp.Matrix(A).shape == sp.Matrix(B).shape and all(sp.simplify(e) == 0 for e in sp.Matrix(A) - sp.Matrix(B))


def softmax_model(n, metric_as_matrix=True):
    th = sp.symbols(f"th1:{n + 1}", real=True)
    p = sp.symbols(f"p1:{n + 1}", positive=True)
    E = [sp.exp(x) for x in th]
    metric = sp.diag(*[1 / pi for pi in p]) if metric_as_matrix else sg.Metric.simplex_fisher(p)
    return sg.Model([e / sum(E) for e in E], params=th, coords=p, metric=metric), th


def linear_net(h):
    """y = W2 W1 x with scalar input x = 1, hidden width h, two outputs."""
    w = sp.symbols(f"w1:{h + 1}", real=True)
    V = sp.Matrix(2, h, lambda i, j: sp.Symbol(f"v{i + 1}{j + 1}", real=True))
    return sg.Model(list(V * sp.Matrix(w)), params=list(w) + list(V))


# -- the example session of issue 2 ---------------------------------------------------

def test_issue_example_polar():
    rr, tt = sp.symbols("r t", real=True)
    M = sg.Model([rr * sp.cos(tt), rr * sp.sin(tt)], params=[rr, tt])
    assert M.J == sp.Matrix([[sp.cos(tt), -rr * sp.sin(tt)], [sp.sin(tt), rr * sp.cos(tt)]])
    assert equal(M.G, sp.diag(1, rr**2))
    assert M.rank == 2 and not M.is_overparametrised
    P = sg.pinv(M.G)
    assert P.rank == 2 and equal(P.matrix, sp.diag(1, 1 / rr**2))
    assert P.condition.subs(rr, 0) == 0
    assert P.at({rr: 0, tt: 1}) == sp.diag(1, 0)


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("as_matrix", [True, False], ids=["metric_matrix", "SimplexFisher"])
def test_issue_example_softmax(n, as_matrix):
    S, th = softmax_model(n, as_matrix)
    E = [sp.exp(x) for x in th]
    p = sp.Matrix([e / sum(E) for e in E])
    assert equal(S.G, sp.diag(*p) - p * p.T)
    assert S.rank == n - 1 and S.is_overparametrised
    assert S.G_plus.rank == n - 1 and S.G_plus.penrose.holds


# -- known answers ------------------------------------------------------------------

# name -> (builder, J, G, rank), J and G computed by hand
MODELS = {
    "polar": (lambda: sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t]),
              [[sp.cos(t), -r * sp.sin(t)], [sp.sin(t), r * sp.cos(t)]], [[1, 0], [0, r**2]], 2),
    "product": (lambda: sg.Model([a * b], params=[a, b]), [[b, a]], [[b**2, a * b], [a * b, a**2]], 1),
    "linear_net_1": (lambda: linear_net(1), [[sp.Symbol("v11", real=True), sp.Symbol("w1", real=True), 0],
                                             [sp.Symbol("v21", real=True), 0, sp.Symbol("w1", real=True)]],
                     None, 2),
    # g = diag(1 + z1^2, 1) pulled back through phi = (a + b, a - b): J^T g J, with d = 1 + (a + b)^2
    "curved_metric": (lambda: sg.Model([a + b, a - b], params=[a, b], coords=[z1, z2], metric=sp.diag(1 + z1**2, 1)),
                      [[1, 1], [1, -1]], [[2 + (a + b) ** 2, (a + b) ** 2], [(a + b) ** 2, 2 + (a + b) ** 2]], 2),
    # the normal family in (mu, sigma) reparametrised by sigma = exp(s): G = diag(exp(-2 s), 2)
    "gaussian_log_scale": (lambda: sg.Model([m, sp.exp(s)], params=[m, s], metric=sg.families.normal(1, scale="sd", coords=[mu, sigma])),
                           [[1, 0], [0, sp.exp(s)]], [[sp.exp(-2 * s), 0], [0, 2]], 2),
    # an overparametrised Gaussian: mu = a + b, sigma = exp(c); rank 2 of 3 parameters
    "gaussian_overparametrised": (
        lambda: sg.Model([a + b, sp.exp(c)], params=[a, b, c], metric=sg.families.normal(1, scale="sd", coords=[mu, sigma])),
        [[1, 1, 0], [0, 0, sp.exp(c)]],
        [[sp.exp(-2 * c), sp.exp(-2 * c), 0], [sp.exp(-2 * c), sp.exp(-2 * c), 0], [0, 0, 2]], 2),
    # a declared constant k: phi = k a, G = k^2
    "with_constant": (lambda: sg.Model([k * a], params=[a], constants=[k]), [[k]], [[k**2]], 1),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_known_jacobian_gram_rank(name):
    build, J, G, rank = MODELS[name]
    M = build()
    assert equal(M.J, J)
    if G is None:  # Euclidean: G = J^T J
        G = sp.Matrix(J).T * sp.Matrix(J)
    assert equal(M.G, G)
    assert M.rank == rank
    assert M.is_overparametrised == (rank < M.n_params)


@pytest.mark.parametrize("h, n", [(1, 2), (2, 2), (3, 2)])
def test_linear_network_rank(h, n):
    M = linear_net(h)
    assert M.n_params == 3 * h and M.dim_ambient == 2
    assert M.rank == n


@pytest.mark.parametrize("n", [2, 3, 5])
def test_softmax_rank(n):
    assert softmax_model(n)[0].rank == n - 1


# -- coherence ------------------------------------------------------------------------

COHERENCE = {name: spec[0] for name, spec in MODELS.items()}
COHERENCE["softmax_3"] = lambda: softmax_model(3)[0]
COHERENCE["linear_net_2"] = lambda: linear_net(2)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "softmax_3" else n
                                  for n in sorted(COHERENCE)])
def test_G_against_plain_sympy_pullback(name):
    M = COHERENCE[name]()
    J = M.phi.jacobian(M.xi)
    g = M.g.subs(dict(zip(M.z, M.phi)))
    assert equal(M.G, J.T * g * J)


@pytest.mark.parametrize("name", sorted(COHERENCE))
def test_rank_against_numeric_rank(name):
    """The exact generic rank equals the numeric rank of J (mpmath SVD) at random points."""
    M = COHERENCE[name]()
    ranks = set()
    for seed in range(3):
        pt = random_point(M.xi + M.constants, seed)
        ranks.add(numeric_pinv(evaluate_matrix(M.J, pt, DPS), DPS)[1])
    assert ranks == {M.rank}


@pytest.mark.parametrize("name", sorted(COHERENCE))
def test_G_plus_against_mpmath_svd(name):
    M = COHERENCE[name]()
    for seed in range(2):
        pt = random_point(M.xi + M.constants, 100 + seed)
        Xn, rank, _ = numeric_pinv(evaluate_matrix(M.G, pt, DPS), DPS)
        assert rank == M.G_plus.rank == M.rank
        assert max_abs_diff(Xn, evaluate_matrix(M.G_plus.matrix, pt, DPS), DPS) < TOL
        assert max_abs_diff(Xn, evaluate_matrix(M.G_plus.at(pt), {}, DPS), DPS) < TOL


def test_model_point():
    S, th = softmax_model(3)
    pt = S.at({th[0]: 0, th[1]: 0, th[2]: 0})
    assert pt == sp.Matrix([R(1, 3)] * 3)
    assert S.check_params({"th1": 1, "th2": 0.5, "th3": 0})[th[1]] == R(1, 2)


# -- properties -------------------------------------------------------------------------

rational = st.fractions(-5, 5, max_denominator=7).map(lambda q: sp.Rational(q.numerator, q.denominator))


def _psd_exact(G):
    n = G.rows
    return G == G.T and all(G.extract(list(S), list(S)).det() >= 0
                            for size in range(1, n + 1) for S in itertools.combinations(range(n), size))


@SETTINGS
@given(st.lists(rational, min_size=6, max_size=6))
@example([0] * 6)
def test_G_symmetric_psd_exact(vals):
    """Polynomial models: G at a rational point is exactly symmetric with all principal minors >= 0."""
    for M in (sg.Model([a * b], params=[a, b]), linear_net(2),
              sg.Model([a + b, a - b], params=[a, b], coords=[z1, z2], metric=sp.diag(1 + z1**2, 1))):
        pt = dict(zip(M.xi, vals))
        assert _psd_exact(sp.Matrix(M.G.subs(pt)))


@SETTINGS
@given(st.lists(rational, min_size=3, max_size=3))
@example([0, 0, 0])
def test_G_symmetric_psd_numeric(vals):
    """Transcendental models: G is symmetric exactly, and its eigenvalues are >= 0 at 50 digits."""
    S, th = softmax_model(3)
    for M in (S, sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t]),
              sg.Model([a + b, sp.exp(c)], params=[a, b, c], metric=sg.families.normal(1, scale="sd", coords=[mu, sigma]))):
        pt = dict(zip(M.xi, vals))
        assert M.G == M.G.T
        with mpmath.workdps(DPS):
            ev = mpmath.eigsy(evaluate_matrix(M.G, pt, DPS), eigvals_only=True)
            assert min(ev) > -TOL


@SETTINGS
@given(rational, rational)
@example(0, 0)
@example(0, 1)
@example(R(1, 2), 0)
def test_G_plus_at_product_model(av, bv):
    """phi = a b: G^+ at any rational point (the origin included) is SymPy's pinv of G there."""
    M = sg.Model([a * b], params=[a, b])
    G0 = M.G.subs({a: av, b: bv})
    assert M.G_plus.at({a: av, b: bv}) == G0.pinv()
    if av == bv == 0:
        assert M.G_plus.at({a: 0, b: 0}) == sp.zeros(2, 2)


@SETTINGS
@given(rational, rational, rational)
@example(0, 1, 1)
@example(0, 0, 0)
@example(1, 0, 0)
def test_G_plus_at_linear_net_rank_drops(w, v1, v2):
    """y = (v1 w, v2 w): the rank drops to 1 at w = 0 and to 0 at w = v = 0."""
    M = linear_net(1)
    pt = dict(zip(M.xi, (w, v1, v2)))
    G0 = sp.Matrix(M.G.subs(pt))
    assert M.G_plus.at(pt) == G0.pinv()


def test_G_plus_at_polar_origin():
    M = sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t])
    assert M.G_plus.at({r: 0, t: R(1, 3)}) == sp.diag(1, 0)


# -- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: sg.Model([a * b], params=[a, 2 * b]), SymbolError, "2*b"),
        (lambda: sg.Model([a * b], params=["a", 1]), SymbolError, "must be SymPy symbols"),
        (lambda: sg.Model([a * b], params=[a, a]), SymbolError, "repeated"),
        (lambda: sg.Model([a * b], params=[]), SymbolError, "at least one parameter"),
        (lambda: sg.Model([a * b * c], params=[a, b]), SymbolError, "['c']"),
        (lambda: sg.Model([a * b], params=[a, b], constants=[b]), SymbolError, "both parameters and constants"),
        (lambda: sg.Model([a, b], params=[a, b], coords=[a, z2]), SymbolError, "different symbols"),
        (lambda: sg.Model(sp.Matrix([[a, b], [a, b]]), params=[a, b]), ShapeError, "2x2"),
        (lambda: sg.Model([[a, b], [a, b]], params=[a, b]), ShapeError, "scalar"),
        (lambda: sg.Model([], params=[a]), ShapeError, "empty"),
        (lambda: sg.Model([a, b], params=[a, b], coords=[z1]), ShapeError, "1 ambient coordinates"),
        (lambda: sg.Model([a, b], params=[a, b], coords=[z1, z2], metric=sp.eye(3)), ShapeError, "3x3"),
        (lambda: sg.Model([a], params=[a], metric=sg.Metric.euclidean([z1, z2])), ShapeError, "2-dimensional"),
        (lambda: sg.Model([a, b], params=[a, b], coords=[z1, z2], metric=[[1, z1], [0, 1]]), MetricError,
         "not symmetric"),
        (lambda: sg.Model([a, b], params=[a, b], coords=[z1, z2], metric=[[1, 0], [0, -1]]), MetricError,
         "not positive definite"),
        (lambda: sg.Model([a, b], params=[a, b], coords=[z1, z2], metric=[[1, 0], [0, c]]), SymbolError,
         "neither ambient coordinates"),
        (lambda: sg.Model([a * sp.Float("0.5")], params=[a]).rank, LiftError, "float"),
        (lambda: sg.Model([a * sp.Float("0.5")], params=[a]).G_plus, LiftError, "float"),
        (lambda: sg.Model([sp.Abs(a)], params=[a]).rank, LiftError, "sign"),
        (lambda: sg.Model([sp.gamma(a)], params=[a]).rank, LiftError, "gamma"),
        (lambda: sg.Model([sp.log(-2) * a], params=[a]).rank, DomainError, "imaginary unit"),
    ],
    ids=["param_expression", "param_number", "param_repeated", "no_params", "undeclared_symbol",
         "param_and_constant", "coords_are_params", "phi_matrix", "phi_nested_list", "phi_empty",
         "coords_count", "metric_size", "metric_object_size", "metric_not_symmetric", "metric_indefinite",
         "metric_undeclared_symbol", "float_rank", "float_G_plus", "abs", "gamma_function", "complex_constant"],
)
def test_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert isinstance(info.value, SymgradError)
    assert words in str(info.value), f"message {info.value!s} does not name {words!r}"


def _simplex_model():
    p1, p2 = sp.symbols("p1 p2", positive=True)
    return sg.Model([a, 1 - a], params=[a], coords=[p1, p2], metric=sg.Metric.simplex_fisher([p1, p2]))


@pytest.mark.parametrize(
    "point, exc, words",
    [
        ({a: -1}, DomainError, "p1 > 0"),
        ({a: 0}, DomainError, "p1 > 0"),
        ({a: 1}, DomainError, "p2 > 0"),
        ({a: R(3, 2)}, DomainError, "p2 > 0"),
        ({b: R(1, 2)}, SymbolError, "not a parameter"),
        ({}, SymbolError, "no value"),
    ],
    ids=["p1_negative", "p1_zero", "p2_zero", "p2_negative", "unknown_parameter", "missing_parameter"],
)
def test_points_outside_the_domain(point, exc, words):
    M = _simplex_model()
    assert equal(M.G, [[1 / a + 1 / (1 - a)]])  # sum of (dp_i)^2 / p_i, by hand
    M.at({a: R(1, 3)})  # inside: fine
    with pytest.raises(exc) as info:
        M.at(point)
    assert isinstance(info.value, SymgradError)
    assert words in str(info.value), f"message {info.value!s} does not name {words!r}"


def test_other_domain_errors():
    with pytest.raises(DomainError, match="declared positive"):
        sg.Model([k * a], params=[a], constants=[k]).at({a: 1, k: -2})
    with pytest.raises(DomainError, match="not defined"):
        sg.Model([1 / a], params=[a]).at({a: 0})
    with pytest.raises(DomainError, match="sigma > 0"):
        sg.Model([m, s], params=[m, s], metric=sg.families.normal(1, scale="sd", coords=[mu, sigma])).at({m: 0, s: -1})
