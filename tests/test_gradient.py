"""Natural gradients: eqs. (4) and (5), Theorem 1 against the Riesz definition (1), all generalised inverses."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exceptions import DomainError, ShapeError, SingularPointError, SymbolError
from symgrad.numeric import evaluate_matrix, numeric_pinv
from symgrad.proof import Verdict

from models import ACCEPTANCE, product, softmax


@pytest.mark.parametrize("name", sorted(ACCEPTANCE))
def test_theorem1_exact_for_every_loss(name):
    M, _ = ACCEPTANCE[name]()
    cert = sg.check_theorem1(M, seed=0)
    assert cert.verdict is Verdict.PROVED, cert


@pytest.mark.parametrize("name", sorted(ACCEPTANCE))
def test_every_generalised_inverse_gives_the_same_manifold_gradient(name):
    M, _ = ACCEPTANCE[name]()
    cert = sg.check_generalised_inverses(M, seed=0)
    assert cert.verdict is Verdict.PROVED, cert


def test_whole_family_with_free_U_V():
    M, _ = product()
    cert = sg.check_generalised_inverses(M, symbolic_family=True)
    assert cert.verdict is Verdict.PROVED and "free U and V" in cert.claim


def test_polar_known_answer():
    M, _ = ACCEPTANCE["polar"]()
    z1, z2 = sp.symbols("z1 z2")  # plain symbols: matched to the model's coordinates by name
    ng = sg.natural_gradient(M, (z1 - 1) ** 2 + 3 * (z2 + 2) ** 2)
    r, t = M.xi
    # full rank and Euclidean: the manifold gradient is the Euclidean gradient of L at phi
    expected = sp.Matrix([2 * (r * sp.cos(t) - 1), 6 * (r * sp.sin(t) + 2)])
    assert sp.simplify(ng.manifold - expected) == sp.zeros(2, 1)
    assert sp.simplify(ng.riesz - expected) == sp.zeros(2, 1)
    assert ng.theorem1.verdict is Verdict.PROVED


def test_softmax_cross_entropy_known_answer():
    # Fisher metric on the simplex: the gradient of -sum q_i log p_i is p - q when sum q = 1 (in general
    # -q + (sum q) p: project g^{-1} dL = -q onto the tangent space {sum v = 0} in the metric diag(1/p))
    M, _ = softmax(3)
    q = sp.symbols("q1:4", positive=True)
    L = -sum(qi * sp.log(pi) for qi, pi in zip(q, M.z))
    ng = sg.natural_gradient(M, L)
    p = M.phi
    expected = -sp.Matrix(q) + sum(q) * p
    assert sp.simplify(ng.manifold - expected) == sp.zeros(3, 1)


def test_parameter_gradient_against_mpmath_svd():
    rng = random.Random(4)
    for name in ("product", "softmax3", "linear-network-2", "gaussian"):
        M, _ = ACCEPTANCE[name]()
        L = sum((zi - k - 1) ** 2 for k, zi in enumerate(M.z))
        ng = sg.natural_gradient(M, L)
        for _ in range(2):
            point = {s: sp.Rational(rng.randint(1, 12), 5) for s in M.xi}
            with mpmath.workdps(50):
                Gn = evaluate_matrix(M.J.T * M.g_phi * M.J, point, 50)
                nab = evaluate_matrix(M.J.T * sg.loss_differential(M, L), point, 50)
                ref = numeric_pinv(Gn, 50)[0] * nab
                got = evaluate_matrix(ng.parameter, point, 50)
                assert max(abs(ref[i] - got[i]) for i in range(M.n_params)) < mpmath.mpf(10) ** -35, name


def test_gradient_at_a_point_and_refusal_at_a_singular_point():
    M, _ = product()
    z1 = M.z[0]
    ng = sg.natural_gradient(M, (z1 - 3) ** 2)
    a, b = M.xi
    vals = ng.at({a: 1, b: 2})
    assert vals.manifold == sp.Matrix([2 * (2 - 3)])
    assert vals.parameter == sp.Matrix([2 * 2 * (2 - 3), 2 * 1 * (2 - 3)]) / 5
    with pytest.raises(SingularPointError):
        ng.at({a: 0, b: 0})


def test_nabla_is_the_chain_rule():
    M, _ = ACCEPTANCE["linear-network-2"]()
    L = sum((zi - k - 1) ** 2 for k, zi in enumerate(M.z))
    direct = sp.Matrix([sp.diff(L.xreplace(dict(zip(M.z, M.phi))), x) for x in M.xi])
    assert sp.expand(sg.coordinate_derivatives(M, L) - direct) == sp.zeros(M.n_params, 1)


def test_loss_errors():
    M, _ = product()
    a, b = M.xi
    with pytest.raises(SymbolError, match="ambient coordinates"):
        sg.natural_gradient(M, a**2)
    with pytest.raises(ShapeError):
        sg.natural_gradient(M, sp.Matrix([1, 2]))
    # a loss in no ambient coordinate (a misspelt coordinate, say) would have gradient zero: refused
    with pytest.raises(SymbolError, match=r"none of the ambient coordinates"):
        sg.natural_gradient(M, sp.Symbol("w") ** 2)
    # a loss with a target symbol besides the coordinates is fine: it holds for every target
    y0 = sp.Symbol("y0")
    ng = sg.natural_gradient(M, (M.z[0] - y0) ** 2)
    assert sp.simplify(ng.manifold[0] - 2 * (a * b - y0)) == 0


def test_a_loss_symbol_named_like_a_parameter_is_refused():
    # Symbol("a") without assumptions is not the parameter a (real=True), but it reads as one
    M, _ = product()
    z1 = M.z[0]
    with pytest.raises(SymbolError, match="parameters"):
        sg.natural_gradient(M, (z1 - sp.Symbol("a")) ** 2)


def test_abs_loss_needs_real_coordinates_and_says_so():
    a, b = sp.symbols("a b", real=True)
    with pytest.raises(SymbolError, match="real ambient coordinates"):
        sg.natural_gradient(sg.Model([a * b, a], [a, b]), sp.Abs(sp.Symbol("z1")))
    z = sp.symbols("z1 z2", real=True)
    ng = sg.natural_gradient(sg.Model([a * b, a], [a, b], coords=z), sp.Abs(z[0]))
    assert ng.dL == sp.Matrix([sp.sign(a * b), 0])
    # sign does not lift: Theorem 1 is then only supported numerically, and it says so
    assert ng.theorem1.verdict is sg.Verdict.NUMERIC


def test_a_model_on_the_boundary_of_the_metric_is_refused():
    a = sp.Symbol("a", real=True)
    M = sg.Model([a, 1 - a, 0], [a], metric=sg.Metric.simplex_fisher(sp.symbols("p1:4", positive=True)))
    with pytest.raises(DomainError, match="boundary"):
        M.G


@pytest.mark.parametrize("name", ["softmax3", "linear-network-2", "gaussian", "polar"])
def test_riesz_route_equals_J_Gplus_nabla_by_mpmath_svd(name):
    """The lemma behind the projector route of eq. (6): ``J G^+ J^T dL = B (B^T g B)^{-1} B^T dL``.
    The left side from an mpmath SVD pseudo-inverse at 50 digits, the right side by symgrad's
    :func:`riesz_gradient` exactly at the point (in the lifted field there)."""
    from symgrad.exact.lifting import Lifting
    from symgrad.exact.point import PointField
    from symgrad.gradient import riesz_gradient
    from symgrad.ops import ValueOps
    M, _ = ACCEPTANCE[name]()
    rng = random.Random(11)
    dL = sp.Matrix([sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(M.dim_ambient)])
    L = Lifting.build(list(M.J) + list(M.g_phi), M.xi)
    for _ in range(2):
        pt = {s: sp.Rational(rng.randint(1, 15), 7) for s in M.xi}
        F = PointField(L, pt)
        val = lambda A: [[F.value(L.lift(x)) for x in row] for row in sp.Matrix(A).tolist()]  # noqa: E731
        right = riesz_gradient(ValueOps(F.value(L.zero), F.value(L.one)), val(M.J), val(M.g_phi), val(dL))
        right_m = sp.Matrix([[F.to_sympy(x) for x in row] for row in right])
        with mpmath.workdps(50):
            Jn, gn = evaluate_matrix(M.J, pt, 50), evaluate_matrix(M.g_phi, pt, 50)
            X = numeric_pinv(Jn.T * gn * Jn, 50)[0]
            left = Jn * X * Jn.T * evaluate_matrix(dL, {}, 50)
            assert max(abs(x) for x in left - evaluate_matrix(right_m, {}, 50)) < mpmath.mpf(10) ** -40
