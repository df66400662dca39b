"""Supervised models: G = sum_i J_i^T F(f(x_i)) J_i and the exact empirical Fisher.

* Gaussian regression (known variance): G = X^T X; the Kunstner-style
  instance: one natural-gradient step lands on the least-squares optimum from
  every starting point (proved exactly), the empirical-Fisher step does not;
* logistic regression: G = sum_i p_i (1 - p_i) x_i x_i^T, exactly;
* a two-layer network with softmax outputs over three inputs: G from
  supervised() equals the pullback of the simplex Fisher metric summed over the
  inputs, and J Delta grad = 0 is proved exactly under a layer rescaling;
* the empirical Fisher against the scores of the log-likelihood written
  directly in the parameters.
"""
from __future__ import annotations

import pytest
import sympy as sp

import symgrad as sg
from symgrad import families
from symgrad.exceptions import DomainError, ShapeError
from symgrad.supervised import supervised

Q = sp.Rational
a, b, x = sp.symbols("a b x", real=True)


def _difference(ops, m):
    return {"residual": ops.sub(m["A"], m["B"])}


def proved_equal(A, B, symbols, extra=()):
    claim = sg.Claim("A = B", {"A": sp.Matrix(A), "B": sp.Matrix(B)}, tuple(symbols), _difference,
                     extra_symbols=tuple(extra))
    return sg.decide(claim, seed=0, levels=("exact",)).certificate


def regression():
    return supervised([a * x + b], [a, b], inputs=[0, 1, 2], family=families.normal(1, covariance=[[1]]))


def test_gaussian_regression_fisher_is_xtx():
    M = regression()
    X = sp.Matrix([[0, 1], [1, 1], [2, 1]])
    assert M.G == X.T * X
    assert [s.name for s in M.z] == ["mu1_1", "mu1_2", "mu1_3"] and M.is_fisher


def test_kunstner_natural_step_lands_on_the_optimum_empirical_does_not():
    M = regression()
    y = [1, 2, 4]
    loss = M.nll(y)
    ng = sg.natural_gradient(M, loss, seed=0)
    X = sp.Matrix([[0, 1], [1, 1], [2, 1]])
    optimum = (X.T * X).inv() * X.T * sp.Matrix(y)       # least squares: (3/2, 5/6)
    assert list(optimum) == [Q(3, 2), Q(5, 6)]
    step = sp.Matrix([a, b]) - ng.parameter
    assert proved_equal(step, optimum, [a, b]).verdict is sg.Verdict.PROVED     # from every starting point
    start = {a: 0, b: 0}
    F_emp = M.empirical_fisher(y).xreplace(start)
    grad = sg.coordinate_derivatives(M, loss).xreplace(start)
    assert grad == sp.Matrix([-10, -7])
    assert F_emp == sp.Matrix([[68, 36], [36, 21]])     # sum_i r_i^2 x_i x_i^T with residuals 1, 2, 4
    emp_step = sp.Matrix([0, 0]) - F_emp.inv() * grad
    assert list(emp_step) == [Q(-7, 22), Q(29, 33)] and emp_step != optimum


def test_logistic_regression():
    p = 1 / (1 + sp.exp(-(a * x + b)))
    M = supervised([p], [a, b], inputs=[-1, 0, 2], family=families.bernoulli())
    closed = sp.zeros(2, 2)
    for xv in (-1, 0, 2):
        pv = p.xreplace({x: xv})
        closed += pv * (1 - pv) * sp.Matrix([[xv**2, xv], [xv, 1]])
    assert proved_equal(M.G, closed, [a, b]).verdict is sg.Verdict.PROVED
    # the empirical Fisher from labels against the scores of the log-likelihood in the parameters
    y = [0, 1, 1]
    direct = sp.zeros(2, 2)
    for xv, yv in zip((-1, 0, 2), y):
        pv = p.xreplace({x: xv})
        ell = yv * sp.log(pv) + (1 - yv) * sp.log(1 - pv)
        s = sp.Matrix([sp.diff(ell, t) for t in (a, b)])
        direct += s * s.T
    assert proved_equal(M.empirical_fisher(y), direct, [a, b]).verdict is sg.Verdict.PROVED


# two-layer network: hidden h = w x, logits (v1 h, v2 h, 0), softmax over three classes
w, v1, v2, u, r1, r2 = sp.symbols("w v1 v2 u r1 r2", real=True)
INPUTS = (1, 2, -1)


def softmax_net():
    logits = [v1 * w * x, v2 * w * x, sp.Integer(0)]
    Z = sum(sp.exp(t) for t in logits)
    return [sp.exp(t) / Z for t in logits]


def test_softmax_network_is_the_summed_pullback_of_the_simplex_fisher():
    outs = softmax_net()
    M = supervised(outs, [w, v1, v2], inputs=INPUTS, family=families.categorical(3))
    total = sp.zeros(3, 3)
    p = sp.symbols("p1:4", positive=True)
    for xv in INPUTS:
        Mi = sg.Model([e.xreplace({x: xv}) for e in outs], params=[w, v1, v2], metric=sg.Metric.simplex_fisher(p))
        total += Mi.G
    assert proved_equal(M.G, total, [w, v1, v2]).verdict is sg.Verdict.PROVED
    assert M.rank == 2 and M.n_params == 3        # the rescaling w -> c w, v -> v / c is a null direction


def test_softmax_network_invariance_under_layer_rescaling():
    M = supervised(softmax_net(), [w, v1, v2], inputs=INPUTS, family=families.categorical(3))
    f = sg.Reparametrisation([2 * u, r1 / 2, r2 / 2], params=[u, r1, r2], name="layer rescaling")
    proof = sg.check_invariance(M, f, M.nll([1, 2, 3]), seed=0)
    assert proof.certificate.verdict is sg.Verdict.PROVED


def test_refusals():
    with pytest.raises(DomainError, match="softmax"):
        supervised([a, b, 1 - a], [a, b], inputs=[0], x=[x], family=families.categorical(3))
    with pytest.raises(ShapeError):
        supervised([a * x, b], [a, b], inputs=[0], family=families.bernoulli())
    with pytest.raises(ShapeError):
        regression().nll([1, 2])


def test_rbm_is_the_marginal_of_the_joint_boltzmann_law():
    # independent: sum exp(b.v + c.h + v^T W h) over every hidden state h, normalised, with mpmath at 50 digits
    import itertools
    import random

    import mpmath
    from symgrad.supervised import rbm
    nv, nh = 2, 2
    M = rbm(nv, nh)
    assert len(M.xi) == nv + nh + nv * nh and M.phi.rows == 2 ** nv
    rng = random.Random(3)
    vals = {s: sp.Rational(rng.randint(-20, 20), 10) for s in M.xi}
    b = [vals[sp.Symbol(f"b{i + 1}", real=True)] for i in range(nv)]
    c = [vals[sp.Symbol(f"c{j + 1}", real=True)] for j in range(nh)]
    W = [[vals[sp.Symbol(f"W{i + 1}{j + 1}", real=True)] for j in range(nh)] for i in range(nv)]
    with mpmath.workdps(50):
        joint = []
        for s in range(2 ** nv):
            v = [(s >> i) & 1 for i in range(nv)]
            tot = mpmath.mpf(0)
            for h in itertools.product((0, 1), repeat=nh):
                e = sum(b[i] * v[i] for i in range(nv)) + sum(c[j] * h[j] for j in range(nh)) \
                    + sum(v[i] * W[i][j] * h[j] for i in range(nv) for j in range(nh))
                tot += mpmath.exp(mpmath.mpf(e.p) / e.q)
            joint.append(tot)
        Z = sum(joint)
        for k in range(2 ** nv):
            got = mpmath.mpf(sp.N(M.phi[k].xreplace(vals), 60))
            assert abs(got - joint[k] / Z) < mpmath.mpf(10) ** -45
