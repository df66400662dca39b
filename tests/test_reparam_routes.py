"""The shortcuts of ``check_invariance`` for a square reparametrisation, checked against an independent
50-digit computation (mpmath SVD pseudo-inverses of both Gram matrices at random points), and the
exact evaluation at a point (one polynomial composition) against the term-by-term field arithmetic."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exact.lifting import Lifting
from symgrad.exceptions import ReparametrisationError
from symgrad.exact.point import PointField
from symgrad.proof import Verdict

a, b, c, u, v, w = sp.symbols("a b c u v w", real=True)


def _mp_pinv(A: mpmath.matrix) -> mpmath.matrix:
    U, S, V = mpmath.svd_r(A)
    tol = mpmath.mpf(10) ** -30 * max(S[i] for i in range(len(S)))
    Sp = mpmath.zeros(A.cols, A.rows)
    for i in range(len(S)):
        if S[i] > tol:
            Sp[i, i] = 1 / S[i]
    return V.T * Sp * U.T


def _mp(M: sp.Matrix, sub: dict) -> mpmath.matrix:
    return mpmath.matrix([[mpmath.mpf(sp.N(x.xreplace(sub), 60)) for x in row] for row in M.tolist()])


def _reference_delta(phi: list, xi: list, f: list, eta: list, point: dict, dL: list) -> tuple[mpmath.matrix, mpmath.matrix]:
    """``Delta grad`` and ``J Delta grad`` (eq. 6), Euclidean ambient metric, by 50-digit SVDs."""
    mpmath.mp.dps = 50
    sub_eta = {s: sp.Rational(point[s]) for s in eta}
    sub_xi = {x: fx.xreplace(sub_eta) for x, fx in zip(xi, f)}
    J = _mp(sp.Matrix(phi).jacobian(xi), sub_xi)
    Df = _mp(sp.Matrix(f).jacobian(eta), sub_eta)
    d = mpmath.matrix(dL)
    Jt = J * Df
    gx = _mp_pinv(J.T * J) * (J.T * d)
    ge = _mp_pinv(Jt.T * Jt) * (Jt.T * d)
    delta = gx - Df * ge
    return delta, J * delta


def _norm(A: mpmath.matrix) -> mpmath.mpf:
    return max(abs(A[i, j]) for i in range(A.rows) for j in range(A.cols))


def _route(proof) -> str:
    return next((n for n in proof.certificate.notes if n.startswith("route:")), "")


def test_square_reparametrisation_of_an_overparametrised_model_uses_the_column_space_route():
    # phi(a, b, c) = (a + b, (a + b)^2, c): rank 2, below both the 3 outputs and the 3 parameters, so
    # G is singular, neither full-rank shortcut applies, and Delta grad != 0
    phi, xi = [a + b, (a + b)**2, c], [a, b, c]
    f, eta = [u, v + u**3, w + sp.exp(u)], [u, v, w]
    M = sg.Model(phi, params=xi)
    proof = sg.check_invariance(M, sg.Reparametrisation(f, params=eta), seed=0)
    assert proof.verdict is Verdict.PROVED
    assert "square Df" in _route(proof)
    assert proof.delta_certificate.verdict is Verdict.REFUTED
    rng = random.Random(3)
    for _ in range(3):
        pt = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in eta}
        dL = [rng.randint(-5, 5) for _ in phi]
        delta, residual = _reference_delta(phi, xi, f, eta, pt, dL)
        assert _norm(residual) < mpmath.mpf(10) ** -35
    # the witness is independent evidence too: Delta grad is not zero at the reference's random points
    pt = {u: sp.Rational(1, 3), v: sp.Rational(-2, 7), w: 1}
    delta, _ = _reference_delta(phi, xi, f, eta, pt, [1, 2, 3])
    assert _norm(delta) > mpmath.mpf(10) ** -5


def test_full_column_rank_and_square_reparametrisation_proves_delta_zero():
    # phi(a, b) = (a, a b, b^2 + a): J of full column rank 2, G invertible, so grad_eta = Df^{-1} grad_xi
    phi, xi = [a, a * b, b**2 + a], [a, b]
    f, eta = [u + v**3, sp.exp(v)], [u, v]
    M = sg.Model(phi, params=xi)
    proof = sg.check_invariance(M, sg.Reparametrisation(f, params=eta), seed=0)
    assert proof.verdict is Verdict.PROVED
    assert proof.delta_certificate.verdict is Verdict.PROVED
    assert "full column rank 2" in proof.delta_certificate.method
    rng = random.Random(5)
    for _ in range(3):
        pt = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in eta}
        delta, _ = _reference_delta(phi, xi, f, eta, pt, [rng.randint(-5, 5) for _ in phi])
        assert _norm(delta) < mpmath.mpf(10) ** -35


def test_a_reparametrisation_with_det_df_identically_zero_is_refused():
    # the square-Df shortcut needs det Df != 0; a map with det Df = 0 everywhere never reaches it
    M = sg.Model([a * b, a + b], params=[a, b])
    with pytest.raises(ReparametrisationError, match="not invertible"):
        sg.check_invariance(M, sg.Reparametrisation([u + v, u + v], params=[u, v]), seed=0)


@pytest.mark.parametrize("point", [{"x": -1, "y": sp.Rational(1, 2)}, {"x": sp.Rational(-2, 3), "y": -3},
                                   {"x": 0, "y": 2}, {"x": sp.Rational(5, 4), "y": sp.Rational(-1, 6)}])
def test_point_composition_equals_field_arithmetic_and_the_value(point):
    x, y = sp.symbols("x y", real=True)
    exprs = [sp.exp(x) + y**2 * sp.exp(-2 * y) / (1 + sp.exp(x * y)), sp.exp(x / 3) * x - sp.exp(y)**3 + 7,
             sp.tan(x) * sp.exp(-x) + y**5]
    L = Lifting.build(exprs)
    pt = {x: point["x"], y: point["y"]}
    F = PointField(L, pt)
    mpmath.mp.dps = 40
    for e in exprs:
        rf = L.lift(e)
        assert F._compose(rf.num) == F._compose_termwise(rf.num)
        assert F._compose(rf.den) == F._compose_termwise(rf.den)
        got = sp.N(F.to_sympy(F.value(rf)), 40)
        want = sp.N(e.xreplace(pt), 40)
        assert abs(got - want) < 1e-30 * (1 + abs(want))
