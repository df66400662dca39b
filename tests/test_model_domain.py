"""A model's own open parameter domain (``Model(..., domain=[...])``): refused points, sampling, the
numeric preimage search, mixtures (weights in the open simplex) and the regions of a piecewise model."""
from __future__ import annotations

import pytest
import sympy as sp

import symgrad as sg
from symgrad import families as F
from symgrad.exceptions import ArgumentError, DomainError, SymbolError

a, b = sp.symbols("a b", real=True)


def test_domain_conditions_are_enforced_and_pulled_back():
    M = sg.Model([a * b, a + b], [a, b], domain=[a - 1, sp.StrictLessThan(b, 2)])
    assert M.domain == (a - 1, 2 - b)
    assert M.check_params({a: 2, b: 1}) == {a: 2, b: 1}
    with pytest.raises(DomainError, match=r"a - 1 > 0"):
        M.check_params({a: 1, b: 1})                 # on the boundary: not in the open domain
    with pytest.raises(DomainError, match=r"2 - b > 0"):
        sg.natural_gradient(M, M.z[0] ** 2).at({a: 3, b: 5})
    u, v = sp.symbols("u v", real=True)
    Mt = M.reparametrise(sg.Reparametrisation([u + 1, v], [u, v]))
    assert Mt.domain == (u, 2 - v)


@pytest.mark.parametrize("bad, err", [(["a >= 1"], ArgumentError), ([sp.Eq(a, 1)], ArgumentError),
                                      ([a - sp.Symbol("c")], SymbolError), ([a + sp.oo], sg.SymgradError),
                                      (3, ArgumentError)])
def test_bad_domain_conditions_are_refused(bad, err):
    with pytest.raises(err):
        sg.Model([a * b], [a, b], domain=bad)


def test_mixture_weights_and_components_stay_inside_their_domains():
    # outside the open simplex of weights (w2 = 1 - w1 = 0, or w1 = 3/2) or with a component's
    # probability above 1, the point is not a parameter of the mixture: refused, never classified
    M = sg.finite_mixture([F.binomial(2), F.binomial(2)])
    w, p1, p2 = M.xi
    for pre in ({w: 1, p1: sp.Rational(1, 3), p2: sp.Rational(1, 2)},
                {w: sp.Rational(3, 2), p1: sp.Rational(1, 3), p2: sp.Rational(1, 5)},
                {w: sp.Rational(1, 2), p1: sp.Rational(1, 3), p2: 7}):
        with pytest.raises(DomainError):
            sg.natural_gradient(M, M.z[0] ** 2).at(pre)
        with pytest.raises(DomainError):
            sg.classify(M, tuple(sp.Matrix(M.phi).subs(pre)), preimage=pre, budget=10)
    # Bin(2, 1/3) lies on the boundary curve p_1 = p_2 of the mixture's image (a half-disc there): the
    # numeric search may not conclude "non-singular", and lists only preimages inside the domain
    C = sg.classify(M, (sp.Rational(4, 9), sp.Rational(4, 9), sp.Rational(1, 9)), budget=10)
    assert C.status != "non-singular"
    assert C.preimages
    for pre in C.preimages:
        vals = {s: float(v) for s, v in pre.xi.items() if sp.sympify(v).is_number}
        for s in (w, p1, p2):
            if s in vals:
                assert 0 < vals[s] < 1, (pre, "a preimage outside the domain")


def test_a_region_model_refuses_points_outside_its_region():
    a1, a2, w1, w2, b1, b2 = sp.symbols("a1 a2 w1 w2 b1 b2", real=True)
    R = sg.regions([a1 * sp.Max(0, w1 * x + b1) + a2 * sp.Max(0, w2 * x + b2) for x in (1, 2)],
                   params=[a1, a2, w1, w2, b1, b2])
    active = next(r for r in R if r.witness is not None and r.rank == 2)
    z1, z2 = active.model.z
    ng = sg.natural_gradient(active.model, (z1 - 1) ** 2 + (z2 - 3) ** 2, seed=0)
    inside = active.witness
    assert ng.at(inside).manifold.shape == (2, 1)
    dead = {a1: 1, a2: 2, w1: -3, w2: -4, b1: 2, b2: 3}          # both units off at x = 1, 2
    assert not active.contains(dead)
    with pytest.raises(DomainError):
        ng.at(dead)
