"""The tower of kernels (issue 10): the models researchers write, lifted exactly.

* user models: tanh networks, softplus units, a Gaussian in natural parameters (``sqrt`` of an
  expression), a log-slope logistic model (``exp(exp(omega))``): rank, ``G^+`` and the paper's
  claims proved in the field, ``G^+`` checked against an mpmath SVD at 50 digits at a point;
* constants: Moore-Penrose inverses of numeric matrices with ``cos(1/3)``, ``exp(-1)``, ``E``,
  ``tanh(1/2)``, ``sqrt(2)`` against mpmath; planted dependences found exactly (ranks drop),
  independent-looking ones certified non-zero;
* soundness: what the field cannot decide raises ``UndecidedError`` instead of a guess.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exact.lifting import Lifting, lift
from symgrad.exceptions import UndecidedError
from symgrad.inverse import pinv
from symgrad.numeric import evaluate_matrix, max_abs_diff, numeric_pinv
from symgrad.proof import Verdict

DPS = 50
TOL = mpmath.mpf(10) ** -40
R = sp.Rational


def _against_svd(M: sg.Model, point: dict) -> None:
    """``M.G_plus`` at ``point`` (exact) against the pseudo-inverse of ``G`` from an mpmath SVD."""
    exact = M.G_plus.at(point)
    G = evaluate_matrix(M.G, point, DPS)
    Xn, _, _ = numeric_pinv(G, DPS)
    assert max_abs_diff(Xn, evaluate_matrix(exact, {}, DPS), DPS) < TOL


def tanh_network(hidden: int, xs=(1, 2)):
    a = sp.symbols(f"a1:{hidden + 1}", real=True)
    w = sp.symbols(f"w1:{hidden + 1}", real=True)
    phi = [sum(a[j] * sp.tanh(w[j] * x) for j in range(hidden)) for x in xs]
    return sg.Model(phi, params=[*a, *w], name=f"tanh network, {hidden} hidden units"), a, w


@pytest.mark.parametrize("hidden", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_tanh_network_is_exact(hidden):
    M, a, w = tanh_network(hidden)
    assert M.exact.lifting.faithful            # tanh(w x) = rational function of exp(w): classical kernels
    assert M.rank == 2
    pt = {**{s: R(j + 1, 2) for j, s in enumerate(a)}, **{s: R(1, j + 2) for j, s in enumerate(w)}}
    z1, z2 = M.z
    L = (z1 - 1) ** 2 + z2**2
    # a generous budget: the exact level needs about 1 s for 2 hidden units on an idle machine, and the
    # test must not depend on the load
    ng = sg.natural_gradient(M, L, seed=0, budget=120 if hidden == 2 else 30)
    # exactly for 2 hidden units; for 3 the exact level needs more than its share of 30 s today and
    # the probabilistic level (error at most 2^-40) decides
    assert ng.theorem1.verdict in ((Verdict.PROVED,) if hidden == 2 else (Verdict.PROVED, Verdict.PROVED_PROBABILISTIC))
    # the manifold gradient at the point against the Riesz definition, in mpmath: J^T g grad = J^T dL
    at = ng.at(pt)
    Jn = evaluate_matrix(M.J, pt, DPS)
    grad = evaluate_matrix(sp.Matrix(at.manifold), {}, DPS)
    dL = evaluate_matrix(sp.Matrix([sp.diff(L, z) for z in M.z]).subs(dict(zip(M.z, M.phi.subs(pt)))), {}, DPS)
    assert mpmath.mnorm(Jn.T * grad - Jn.T * dL, 1) < TOL
    if hidden == 2:
        _against_svd(M, pt)


def test_tanh_network_invariance_under_a_shear():
    M, a, w = tanh_network(2)
    b1, b2, v1, v2 = sp.symbols("b1 b2 v1 v2", real=True)
    f = sg.Reparametrisation([b1 + v2**3, b2 - b1, v1, v2 + v1], [b1, b2, v1, v2], name="shear")
    proof = sg.check_invariance(M, f, seed=0, budget=60)
    assert proof.verdict is Verdict.PROVED


def test_gaussian_in_natural_parameters():
    """mu = -t1/(2 t2), sigma = sqrt(-1/(2 t2)) on t2 < 0: the root of an expression, lifted with its relation."""
    t1 = sp.Symbol("t1", real=True)
    t2 = sp.Symbol("t2", negative=True)
    mu, sigma = -t1 / (2 * t2), sp.sqrt(-1 / (2 * t2))
    M = sg.Model([mu, sigma], params=[t1, t2], name="Gaussian, natural parameters")
    assert M.rank == 2
    _against_svd(M, {t1: R(1, 3), t2: R(-2, 5)})
    # a point where sigma is irrational: still exact
    _against_svd(M, {t1: 1, t2: R(-1, 3)})


def test_softplus_inside_a_sigmoid():
    w, c = sp.symbols("w c", real=True)
    softplus = lambda u: sp.log(1 + sp.exp(u))                     # noqa: E731
    phi = [1 / (1 + sp.exp(-c * softplus(w * x))) for x in (1, 2, 3)]
    M = sg.Model(phi, params=[w, c], name="sigmoid of a softplus unit")
    assert not M.exact.lifting.faithful       # log(1 + exp(w)) is a kernel of its own
    assert M.rank == 2
    _against_svd(M, {w: R(1, 2), c: R(3, 2)})


def test_log_slope_logistic_regression():
    """p(x) = sigmoid(exp(omega) x + b): exp(exp(omega)) appears in J."""
    om, b = sp.symbols("omega b", real=True)
    phi = [1 / (1 + sp.exp(-(sp.exp(om) * x + b))) for x in (1, 2)]
    M = sg.Model(phi, params=[om, b], name="log-slope logistic regression")
    assert M.rank == 2
    _against_svd(M, {om: R(-1, 2), b: R(1, 3)})


@pytest.mark.parametrize(
    "entries",
    [
        [[sp.cos(R(1, 3)), sp.exp(-1)], [sp.E, sp.tanh(R(1, 2))], [sp.sqrt(2), 1]],
        [[sp.sqrt(2), 2], [1, sp.sqrt(2)]],                               # det = 0: rank 1
        [[sp.log(6), sp.log(2) + sp.log(3)], [1, 1]],                     # log 6 = log 2 + log 3: rank 1
        [[sp.exp(R(1, 2)) ** 2, sp.E], [sp.pi, sp.pi]],                   # exp(1/2)^2 = E: rank 1
        [[sp.pi, sp.E], [sp.E, sp.pi]],                                    # pi^2 - E^2 != 0: rank 2
        [[sp.atan(R(1, 2)), sp.sqrt(3) / 2, sp.cos(sp.pi / 7)]],
    ],
    ids=["mixed_constants", "sqrt2_dependence", "log_dependence", "exp_dependence", "pi_and_e", "atan_root_cos"],
)
def test_constant_pinv_against_mpmath_svd(entries):
    A = sp.Matrix(entries)
    X = pinv(A).matrix
    Xn, rank, _ = numeric_pinv(evaluate_matrix(A, {}, DPS), DPS)
    assert max_abs_diff(Xn, evaluate_matrix(X, {}, DPS), DPS) < TOL
    assert pinv(A).rank == rank


def test_planted_rank_drops_are_exact():
    x = sp.Symbol("x", positive=True)
    assert sg.Model([sp.sqrt(2) * x, 2 * x / sp.sqrt(2)], params=[x]).rank == 1
    y = sp.Symbol("y", real=True)
    M = sg.Model([sp.log(1 + sp.exp(y)), sp.log((1 + sp.exp(y)) ** 2) / 2 + y], params=[x, y])
    assert M.rank == 1                                                # the second is the first plus y


def test_undecidable_zero_is_not_guessed():
    """atan(x) + atan(1/x) = pi/2 for x > 0, but atan(x), atan(1/x) and pi are independent variables of
    the field: it is not zero there, no enclosure can exclude 0, and the test says it cannot decide."""
    x = sp.Symbol("x", positive=True)
    L, (r,) = lift([sp.atan(x) + sp.atan(1 / x) - sp.pi / 2])
    with pytest.raises(UndecidedError, match="cannot decide"):
        r.is_zero()


def test_roots_reduce_modulo_their_relations():
    x = sp.Symbol("x", real=True)
    u = sp.sqrt(1 + x**2)
    L = Lifting.build([u, sp.diff(u, x)])
    w = L.lift(u)
    # w * w - (1 + x^2) is not zero as a rational function of x and w; it is zero modulo w^2 = 1 + x^2
    assert not (w * w - L.lift(1 + x**2)).num.is_zero()
    assert (w * w - L.lift(1 + x**2)).is_zero()
    assert (L.lift(sp.diff(u, x)) * w - L.lift(x)).is_zero()
    assert not (w - L.lift(x)).is_zero()
    assert L.zero_test is not None and L.zero_test.reduced_to_zero >= 1


@pytest.mark.parametrize("point", [{"l": sp.log(R(3, 2)), "s": sp.pi / 3}, {"l": sp.sqrt(2), "s": 1},
                                   {"l": sp.E, "s": R(1, 2)}], ids=["log_and_pi", "sqrt2", "e"])
def test_gradients_at_irrational_points_are_exact(point):
    """``ng.at`` and ``G_plus.at`` at points such as l = log(3/2): exact values, equal to mpmath's."""
    l, s = sp.symbols("l s", real=True)
    pt = {l: point["l"], s: point["s"]}
    M = sg.Model([sp.exp(l) * sp.cos(s), sp.exp(l) * sp.sin(s)], params=[l, s], name="log-polar")
    z1, z2 = M.z
    L = (z1 - 1) ** 2 + z2**2
    at = sg.natural_gradient(M, L, seed=0).at(pt)
    assert at.method == "exact" and not any(x.has(sp.Float) for x in at.manifold)
    # the model is a diffeomorphism here: the natural gradient on M is the Euclidean gradient of L
    p = [sp.exp(pt[l]) * sp.cos(pt[s]), sp.exp(pt[l]) * sp.sin(pt[s])]
    expected = evaluate_matrix(sp.Matrix([2 * (p[0] - 1), 2 * p[1]]), {}, DPS)
    assert max_abs_diff(expected, evaluate_matrix(sp.Matrix(at.manifold), {}, DPS), DPS) < TOL
    _against_svd(M, pt)


# -- soundness: the adversarial review of the tower (each of these printed a false claim once) ----------

def _claim(statement, e, syms, positive=()):
    from symgrad.proof import Claim
    return Claim(statement, {"A": sp.Matrix([[e]])}, tuple(syms), lambda ops, inp: {"residual": inp["A"]},
                 positive=positive)


def test_a_kernel_not_seen_is_refused_not_truncated():
    """exp(x/3) in a field built for exp(x/2) once lifted as exp(0) = 1; now a LiftError, and the
    loss differential of a Hellinger-type loss is right."""
    x, a, b = sp.symbols("x a b", real=True)
    with pytest.raises(sg.exceptions.LiftError, match="not seen"):
        Lifting.build([sp.exp(x / 2)]).lift(sp.exp(x / 3))
    M = sg.Model([sp.exp(a), b], params=[a, b])
    z1, z2 = M.z
    at = sg.natural_gradient(M, sp.sqrt(z1) + z2**2).at({a: 1, b: 1})
    assert sp.simplify(at.parameter[0] - sp.exp(-R(3, 2)) / 2) == 0 and at.parameter[1] == 2


def test_zero_divisors_are_not_certified_non_zero():
    """f = sqrt((x+1)^2) - (x+1) vanishes for x > -1 and g = sqrt((x+1)^2) + (x+1) for x < -1, so
    diag(f, g) has rank 1 everywhere; certifying f and g non-zero at different points gave rank 2."""
    x = sp.Symbol("x", real=True)
    w = sp.sqrt(x**2 + 2 * x + 1)
    with pytest.raises(UndecidedError):
        _ = pinv(sp.diag(w - (x + 1), w + (x + 1)), [x]).rank


def test_the_declared_domain_is_respected():
    from symgrad.proof import decide
    q = sp.Symbol("q", nonnegative=True)
    cert = decide(_claim("sqrt((q+1)^2) = q+1", sp.sqrt(q**2 + 2 * q + 1) - (q + 1), [q])).certificate
    assert cert.verdict is not Verdict.REFUTED
    x = sp.Symbol("x", real=True)
    cert = decide(_claim("on x > 0", sp.sqrt(x**2 + 2 * x + 1) - (x + 1), [x], positive=(x,))).certificate
    assert cert.verdict is not Verdict.REFUTED
    m = sp.Symbol("m", negative=True)
    cert = decide(_claim("m < 0", sp.sqrt(m**6 + m**2) + m * sp.sqrt(m**4 + 1), [m]), seed=6).certificate
    assert cert.verdict is not Verdict.REFUTED
    n = sp.Symbol("n", integer=True)
    with pytest.raises(sg.exceptions.LiftError, match="integer"):
        Lifting.build([sp.sin(sp.pi * n * (n + 1) / 2)])


def test_a_witness_is_a_point_where_the_claim_fails():
    """trace(A^+ A) = 1 for A = diag(x, 14x - 27) fails generically but holds at x = 27/14 (a rank drop);
    the witness must be a point where the claim, computed there, fails."""
    from symgrad.proof import decide
    x = sp.Symbol("x", real=True)
    A = sp.diag(x, 14 * x - 27)
    claim = sg.Claim("trace(A^+ A) = 1", {"A": A}, (x,),
                     lambda ops, inp: {"residual": [[sum(ops.mul(ops.pinv(inp["A"]), inp["A"])[i][i]
                                                         for i in range(2)) - 1]]})
    cert = decide(claim, seed=0).certificate
    assert cert.verdict is Verdict.REFUTED
    x0 = cert.witness.point[x]
    assert (A.subs(x, x0).pinv() * A.subs(x, x0)).trace() != 1


def test_the_hemisphere_is_decided():
    """sqrt(1 - a^2 - b^2) is real only on the unit disc: the base point must be found there."""
    a, b = sp.symbols("a b", real=True)
    M = sg.Model([a, b, sp.sqrt(1 - a**2 - b**2)], params=[a, b])
    assert M.rank == 2
    _against_svd(M, {a: R(1, 3), b: R(1, 4)})


def test_tikhonov_limit_sees_a_coefficient_that_is_zero_as_a_function():
    """z = (a^2+1)^(3/2) - a^2 sqrt(a^2+1) - sqrt(a^2+1) is identically 0, so lam/(lam (a^2+2) + z) tends
    to 1/(a^2+2); reading the lowest order of lam off the polynomial gave 0 under an impossible condition."""
    a, lam = sp.symbols("a lam", real=True)
    z = (a**2 + 1) ** R(3, 2) - a**2 * sp.sqrt(a**2 + 1) - sp.sqrt(a**2 + 1)
    T = sg.tikhonov_limit(sp.Matrix([[lam / (lam * (a**2 + 2) + z)]]), lam)
    assert sp.simplify(T.limit[0, 0] - 1 / (a**2 + 2)) == 0
