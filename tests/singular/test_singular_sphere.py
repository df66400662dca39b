"""The pole of a sphere chart (paper, §2-§3): a non-singular model point (M is the unit sphere, an embedded
surface) whose preimages are not proper (the d_i span only a line there), so eq. (4) at a preimage is not
the gradient although grad_p L exists.  Cross-checked by an independent mpmath computation."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import NotProperError
from symgrad.gradient import natural_gradient
from symgrad.model import Model
from symgrad.proof import Verdict
from symgrad.singular import classify, ensure_nonsingular
from symgrad.singular._model import rank_at_point, zero_exact
from singular_cases import DPS, TOL, num_rank_at

th, ph = sp.symbols("theta phi", real=True)


def sphere():
    return Model([sp.sin(th) * sp.cos(ph), sp.sin(th) * sp.sin(ph), sp.cos(th)], [th, ph], name="sphere chart")


def test_sphere_pole_is_non_singular_with_non_proper_preimages():
    M = sphere()
    C = classify(M, (0, 0, 1), budget=20)
    assert C.status == "non-singular" and C.smooth == "proved" and C.method == "exact"
    assert C.dimension == 2 and C.certificate.verdict is Verdict.PROVED
    # how it knows: the sphere's equation is smooth at p, the fibre theta = 0 is a compact circle
    assert "z1**2 + z2**2 + z3**2 - 1 = 0" in C.smooth_reason and "compact" in C.smooth_reason
    assert C.not_proper and all(q.proper is False for q in C.preimages)
    assert {th: 0} in [dict(q) for q in C.not_proper]
    assert "not proper" in str(C)
    # independent numerics: rank 1 < 2 at the pole (any phi), the sphere's gradient 2p is non-zero there
    for phv in (sp.Rational(1, 3), 1, sp.Rational(5, 2)):
        assert num_rank_at(M, {th: 0, ph: phv}) == 1
    with mpmath.workdps(DPS):
        f = sp.lambdify((th, ph), list(M.phi), "mpmath")
        for a, b in [(mpmath.mpf("1e-6"), mpmath.mpf(2)), (mpmath.mpf("0.3"), mpmath.mpf("-1"))]:
            x, y, z = f(a, b)
            assert abs(x**2 + y**2 + z**2 - 1) < TOL


def test_sphere_pole_refuses_eq4_and_names_the_non_proper_preimage():
    M = sphere()
    x, y, z = M.z
    with pytest.raises(NotProperError, match=r"grad_p L exists.*not proper at xi = \{theta: 0, phi: 1\}.*not the "
                                             "gradient"):
        natural_gradient(M, x + 2 * y).at({th: 0, ph: 1})


def test_sphere_at_a_transcendental_point_is_proved_non_singular():
    # p = phi(1/2, 1) has transcendental coordinates: rank J = 2 there is proved by interval enclosures, and
    # the sphere's equation has a non-zero gradient at p by an interval lower bound
    M = sphere()
    pt = {th: sp.Rational(1, 2), ph: 1}
    C = classify(M, tuple(M.phi.xreplace(pt)), preimage=pt)
    assert C.status == "non-singular" and C.method == "exact" and C.preimages[0].proper
    assert "interval" in C.smooth_reason and "z1**2 + z2**2 + z3**2 - 1 = 0" in C.smooth_reason
    assert num_rank_at(M, pt) == 2                       # independent: mpmath SVD


def test_exponential_model_at_a_transcendental_point():
    a, b = sp.symbols("a b", real=True)
    M = Model([sp.exp(a), sp.exp(b)], [a, b])
    C = ensure_nonsingular(M, {a: 1, b: 0})
    assert C.status == "non-singular" and C.dimension == 2 and "interval" in C.smooth_reason


def test_rank_at_point_and_zero_exact():
    assert rank_at_point(sp.Matrix([[sp.cos(1), 0], [sp.sin(1), 0]])) == 1
    assert rank_at_point(sp.Matrix([[sp.E, 1], [1, sp.pi]])) == 2
    # e * pi - pi * e is zero only after expansion: proved zero, so the rank is 1
    assert rank_at_point(sp.Matrix([[sp.E, sp.pi], [1, sp.pi / sp.E]])) == 1
    assert zero_exact(sp.exp(1) - sp.Rational(2718281828, 10**9)) is False
    # a non-zero that intervals cannot separate from zero at 60 digits is not decided (never called zero)
    assert zero_exact(sp.exp(1) - sp.Rational(int(sp.N(sp.E, 80) * 10**75), 10**75)) is None
    assert zero_exact(sp.cos(th)**2 + sp.sin(th)**2 - 1) is True
    assert zero_exact(sp.cos(th) - sp.sin(th)) is False


def test_rank_of_a_rank_drop_family_with_an_angle_is_decided():
    # polar coordinates: rank J = 1 on the family r = 0 (theta free), decided in the lifted field
    from symgrad._budget import Budget
    from symgrad.singular.rank_drops import rank_drops_exact
    r = sp.Symbol("r", real=True)
    M = Model([r * sp.cos(th), r * sp.sin(th)], [r, th])
    rd, _, _ = rank_drops_exact(M, Budget(10))
    fam = [q for q in rd.points if dict(q.xi) == {r: 0}]
    assert fam and fam[0].rank == 1 and fam[0].free == (th,)
    for v in (sp.Rational(7, 10), 2, -3):
        assert num_rank_at(M, {r: 0, th: v}) == 1
