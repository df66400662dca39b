"""Models with exponentials of the parameters, classified exactly through their exponential form
(E = exp(x), a positive variable): softmax, logistic, a cusp traced through exp.  Cross-checked with mpmath."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad.exceptions import DomainError, SingularPointError
from symgrad.singular import classify, ensure_nonsingular
from symgrad.singular.exps import exp_form
from singular_cases import DPS, num_rank_at

a, b = sp.symbols("a b", real=True)


def softmax():
    E = [sp.exp(a), sp.exp(b), sp.Integer(1)]
    p = list(sp.symbols("p1:4", positive=True))
    return sg.Model([e / sum(E) for e in E], [a, b], coords=p, metric=sg.Metric.simplex_fisher(p), name="softmax")


def test_softmax_point_is_classified_exactly_without_a_preimage():
    M = softmax()
    C = classify(M, (sp.Rational(1, 3),) * 3)
    assert C.status == "non-singular" and C.method == "exact" and C.dimension == 2
    assert [dict(q.xi) for q in C.preimages] == [{a: 0, b: 0}] and C.preimages[0].proper
    assert "exponential form" in str(C)
    assert num_rank_at(M, {a: 0, b: 0}) == 2


def test_a_cusp_through_exp_is_singular():
    M = sg.Model([(sp.exp(a) - 1) ** 2, (sp.exp(a) - 1) ** 3], [a])
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("half-branches",)
    with pytest.raises(SingularPointError):
        ensure_nonsingular(M, {a: 0})
    f = sp.lambdify(a, list(M.phi), "mpmath")
    with mpmath.workdps(DPS):       # both sides of a = 0 leave the origin towards x > 0
        assert all(f(s)[0] > 0 for s in (mpmath.mpf("-1e-8"), mpmath.mpf("1e-8")))


def test_logistic_point_outside_the_image_is_not_reached():
    M = sg.Model([1 / (1 + sp.exp(-a))], [a], name="logistic")
    assert classify(M, (sp.Rational(1, 2),)).status == "non-singular"
    with pytest.raises(DomainError, match="not reached"):
        classify(M, (2,))
    f = sp.lambdify(a, M.phi[0], "mpmath")
    with mpmath.workdps(DPS):
        assert all(0 < f(mpmath.mpf(s)) < 1 for s in (-40, -1, 0, 3, 40))


def test_exp_form_refuses_what_it_cannot_carry():
    assert exp_form(sg.Model([sp.exp(a) * a], [a])) is None            # a also outside exp
    assert exp_form(sg.Model([sp.exp(a) * sp.cos(b)], [a, b])) is None  # another kernel
    x = sp.Symbol("x", positive=True)
    assert exp_form(sg.Model([sp.exp(x)], [x])) is None                # x does not range over the line
