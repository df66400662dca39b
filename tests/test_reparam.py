"""Reparametrisations and eq. (6): J Delta grad = 0 proved, Delta grad != 0 witnessed."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exceptions import ReparametrisationError, ShapeError, SymbolError
from symgrad.numeric import evaluate_matrix, numeric_pinv
from symgrad.proof import Verdict

from models import ACCEPTANCE, product


def _numeric_delta(M, f, L, point, dps=50):
    """Delta grad and J Delta at a point, from mpmath SVD inverses (independent of symgrad's exact code)."""
    sub = dict(zip(M.xi, f.f))
    dL = sg.loss_differential(M, L).xreplace(sub)
    J = M.J.xreplace(sub)
    g = M.g_phi.xreplace(sub)
    with mpmath.workdps(dps):
        Jn, gn, dLn, Dfn = (evaluate_matrix(X, point, dps) for X in (J, g, dL, f.Df))
        Jt = Jn * Dfn
        Gx, Gt = Jn.T * gn * Jn, Jt.T * gn * Jt
        gx = numeric_pinv(Gx, dps)[0] * (Jn.T * dLn)
        ge = numeric_pinv(Gt, dps)[0] * (Jt.T * dLn)
        delta = gx - Dfn * ge
        return delta, Jn * delta


@pytest.mark.parametrize("name", sorted(ACCEPTANCE))
def test_invariance_proved_exactly(name):
    M, f = ACCEPTANCE[name]()
    proof = sg.check_invariance(M, f, seed=1)
    assert proof.verdict is Verdict.PROVED, proof
    assert proof.residual == sp.zeros(M.dim_ambient, 1)
    assert "exact rational-function arithmetic" in proof.method


@pytest.mark.parametrize("name", sorted(ACCEPTANCE))
def test_delta_is_witnessed_or_proved_zero(name):
    M, f = ACCEPTANCE[name]()
    proof = sg.check_invariance(M, f, seed=2)
    d = proof.delta_certificate
    if not M.is_overparametrised:
        # G invertible: the parameter-space gradient is itself invariant
        assert d.verdict is Verdict.PROVED and proof.delta_is_zero is True
        return
    assert d.verdict is Verdict.REFUTED and proof.delta_is_zero is False
    w = d.witness
    assert w is not None and w.exact
    # re-check the witness independently, numerically at 50 digits
    point = {s: v for s, v in w.point.items()}
    delta, Jdelta = _numeric_delta(M, f, sg.ANY_LOSS, point)
    i, _ = w.value["entry"]
    with mpmath.workdps(50):
        assert abs(delta[i - 1] - mpmath.mpf(sp.N(w.value["value"], 60))) < mpmath.mpf(10) ** -40
        assert abs(delta[i - 1]) > mpmath.mpf(10) ** -30
        assert max(abs(x) for x in Jdelta) < mpmath.mpf(10) ** -30


@pytest.mark.parametrize("name", sorted(ACCEPTANCE))
def test_invariance_numerically_at_random_points(name):
    M, f = ACCEPTANCE[name]()
    rng = random.Random(7)
    L = sum((zi - k) ** 2 * (k + 1) for k, zi in enumerate(M.z))
    for _ in range(2):
        point = {s: sp.Rational(rng.randint(1, 15), 8) for s in f.eta}
        delta, Jdelta = _numeric_delta(M, f, L, point)
        with mpmath.workdps(50):
            assert max(abs(x) for x in Jdelta) < mpmath.mpf(10) ** -30


def test_specific_loss_and_gradients_shown():
    M, f = product()
    z1 = M.z[0]
    proof = sg.check_invariance(M, f, (z1 - 3) ** 2)
    assert proof.verdict is Verdict.PROVED
    u, v = f.eta
    a, b = u + v**3, v
    # grad_xi = G^+ nabla with G = [[b^2, ab], [ab, a^2]] and nabla = 2(ab - 3)(b, a): (a^2+b^2) cancels
    expected = sp.Matrix([2 * b * (a * b - 3), 2 * a * (a * b - 3)]) / (a**2 + b**2)
    assert sp.simplify(proof.grad_xi - expected) == sp.zeros(2, 1)


def test_reparametrisation_validation():
    u, v = sp.symbols("u v", real=True)
    with pytest.raises(ReparametrisationError, match="det Df = 0 identically"):
        sg.Reparametrisation([u + v, 2 * u + 2 * v], [u, v])
    with pytest.raises(ReparametrisationError, match="same dimension"):
        sg.Reparametrisation([u, v, u * v], [u, v])
    with pytest.raises(SymbolError, match="neither its parameters"):
        sg.Reparametrisation([u + sp.Symbol("w"), v], [u, v])
    f = sg.Reparametrisation([u**3, v], [u, v])
    assert sp.simplify(f.det_Df - 3 * u**2) == 0
    with pytest.raises(ReparametrisationError, match="not a local diffeomorphism"):
        f.check_point({u: 0, v: 1})
    f.check_point({u: 1, v: 1})
    M, _ = product()
    with pytest.raises(ShapeError, match="2 parameters"):
        sg.check_invariance(M, sg.Reparametrisation([u], [u]))


def test_tikhonov_damping_breaks_invariance_but_the_limit_does_not():
    M, f = product()
    z1 = M.z[0]
    d = sg.damped_invariance(M, f, (z1 - 3) ** 2)
    assert not d.residual_is_zero
    assert d.limit_certificate.verdict is Verdict.PROVED
    assert d.limit == sp.zeros(1, 1)
    # the damped gradient tends to G^+ nabla L (nabla L lies in the image of G)
    proof = sg.check_invariance(M, f, (z1 - 3) ** 2)
    assert sp.simplify(d.damped_limit - proof.grad_xi) == sp.zeros(2, 1)
    # at a positive lambda the residual is a definite non-zero number
    u, v = f.eta
    val = d.residual[0].subs({d.lam: 1, u: 1, v: 1})
    assert val != 0


def test_step_comparison():
    M, f = product()
    z1 = M.z[0]
    st = sg.step_comparison(M, f, (z1 - 3) ** 2)
    assert st.first_order_equal
    assert not st.second_order_is_zero
    # a linear model under a linear reparametrisation: the steps agree exactly
    a, b, u, v = sp.symbols("a b u v", real=True)
    lin = sg.Model([a + 2 * b, a - b], [a, b])
    st2 = sg.step_comparison(lin, sg.Reparametrisation([u + v, 3 * v], [u, v]), (lin.z[0] - 1) ** 2)
    assert st2.first_order_equal and st2.second_order_is_zero


def test_invariance_reports_fallback_when_not_liftable():
    x, y = sp.symbols("x y", positive=True)
    M = sg.Model([sp.Float("0.3") * x**2, y], [x, y])   # a float has no exact lift
    s, t = sp.symbols("s t", positive=True)
    f = sg.Reparametrisation([s + t, t], [s, t])
    proof = sg.check_invariance(M, f, seed=3)
    assert proof.verdict is Verdict.NUMERIC
    assert "no exact lift" in " ".join(proof.certificate.notes)
    assert "not proved" in proof.certificate.summary()


@pytest.mark.parametrize("name", ["linear-network-2", "softmax3", "gaussian"])
def test_lifted_point_witness_is_the_value_of_the_exact_normal_form(name):
    """A witness of Delta grad != 0 at an integer point of the lifted variables (true Moore-Penrose
    inverses at the point, generic ranks) equals the exact normal form of Delta grad evaluated there."""
    from symgrad import reparam as R
    from symgrad.ops import ExactOps
    M, f = ACCEPTANCE[name]()
    proof = sg.check_invariance(M, f, seed=4)
    claim = proof.claim
    L = R._lift_claim(claim)
    lifted = {k: L.lift_matrix(sp.Matrix(X)) for k, X in claim.inputs.items()}
    r = len(R.canonical_basis(ExactOps(L), lifted["J"])[0])
    assert r == M.rank
    cert = R._lifted_point_witness(L, lifted, r, random.Random(5), "Delta grad = 0")
    assert cert is not None and cert.verdict is Verdict.REFUTED
    point = [int(v) for v in cert.witness.point.values()]
    i, _ = cert.witness.value["entry"]
    exact = R.parameter_gradients(ExactOps(L), lifted)["delta"]
    assert exact[i - 1][0].evaluate(point) == cert.witness.value["value"] != 0


def test_constant_model_has_zero_gradients():
    """J = 0 (a constant piece of a piecewise model): both gradients of eq. (5) vanish."""
    a, b, u, v = sp.symbols("a b u v", real=True)
    M = sg.Model([sp.Integer(2), sp.Integer(3)], [a, b])
    proof = sg.check_invariance(M, sg.Reparametrisation([u + v**3, v], [u, v]), seed=0)
    assert proof.verdict is Verdict.PROVED
    assert proof.delta_certificate.verdict is Verdict.PROVED
