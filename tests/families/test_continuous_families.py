"""Continuous families: closed-form Fisher metrics against direct expectations.

The exponential family by SymPy integrals (exact); Gamma, Beta, Dirichlet (on
three components) and von Mises by mpmath quadrature of the products of the
scores at 30 digits, against the closed forms evaluated at 30 digits.  Each at
three rational points.  The scores are written out here, not taken from the
families.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symgrad import families
from symgrad.exceptions import DomainError, ShapeError

Q = sp.Rational
x = sp.Symbol("x", positive=True)
DPS = 30
TOL = mpmath.mpf(10) ** -25


def mpq(r) -> mpmath.mpf:
    r = sp.Rational(r)
    return mpmath.mpf(r.p) / r.q


def closed_form(F, point) -> mpmath.matrix:
    g = F.g.xreplace(point)
    return mpmath.matrix([[sp.N(e, DPS + 10) for e in row] for row in g.tolist()])


def quad_near(f, a, q, lo, hi):
    """int_lo^hi f(t) dt with t = a + w^q (a + w^q on [lo, hi], lo >= a): smooths a power singularity at a."""
    return mpmath.quad(lambda w: f(a + w**q) * q * w ** (q - 1), [(lo - a) ** (mpmath.mpf(1) / q),
                                                                    (hi - a) ** (mpmath.mpf(1) / q)])


def close(A: mpmath.matrix, B: mpmath.matrix) -> bool:
    return max(abs(A[i, j] - B[i, j]) for i in range(A.rows) for j in range(A.cols)) < TOL


@pytest.mark.parametrize("lv", [Q(1, 2), 1, Q(5, 3)])
def test_exponential_by_exact_integral(lv):
    E = families.exponential()
    (lam,) = E.z
    score = 1 / lam - x
    G = sp.integrate(((lam * sp.exp(-lam * x)) * score**2).xreplace({lam: lv}), (x, 0, sp.oo))
    assert G == E.g[0, 0].xreplace({lam: lv})
    assert sp.integrate(sp.exp(E.log_p(x)).xreplace({lam: lv}), (x, 0, sp.oo)) == 1


@pytest.mark.parametrize("av, bv", [(1, 1), (Q(5, 2), Q(1, 2)), (Q(1, 3), 4)])
def test_gamma_by_quadrature(av, bv):
    F = families.gamma()
    with mpmath.workdps(DPS):
        a, b = mpq(av), mpq(bv)
        dens = lambda t: b**a * t ** (a - 1) * mpmath.exp(-b * t) / mpmath.gamma(a)   # noqa: E731
        s = [lambda t: mpmath.log(b) + mpmath.log(t) - mpmath.digamma(a), lambda t: a / b - t]
        G = mpmath.matrix(2, 2)
        for i in range(2):
            for j in range(2):
                f = lambda t: dens(t) * s[i](t) * s[j](t)   # noqa: E731
                G[i, j] = quad_near(f, 0, sp.Rational(av).q, 0, 1) + mpmath.quad(f, [1, mpmath.inf])
        assert close(G, closed_form(F, dict(zip(F.z, (av, bv)))))


@pytest.mark.parametrize("av, bv", [(1, 1), (Q(3, 2), Q(5, 2)), (4, Q(2, 3))])
def test_beta_by_quadrature(av, bv):
    F = families.beta()
    with mpmath.workdps(DPS):
        a, b = mpq(av), mpq(bv)
        c = mpmath.digamma(a + b)
        # the integrand as a function of (t, 1 - t), so that 1 - t keeps its precision near t = 1
        dens = lambda t, u: t ** (a - 1) * u ** (b - 1) / mpmath.beta(a, b)   # noqa: E731
        s = [lambda t, u: mpmath.log(t) - mpmath.digamma(a) + c, lambda t, u: mpmath.log(u) - mpmath.digamma(b) + c]
        G = mpmath.matrix(2, 2)
        half = mpmath.mpf(1) / 2
        for i in range(2):
            for j in range(2):
                f = lambda t, u: dens(t, u) * s[i](t, u) * s[j](t, u)   # noqa: E731
                G[i, j] = (quad_near(lambda t: f(t, 1 - t), 0, sp.Rational(av).q, 0, half)
                           + quad_near(lambda u: f(1 - u, u), 0, sp.Rational(bv).q, 0, half))
        assert close(G, closed_form(F, dict(zip(F.z, (av, bv)))))


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [(1, 1, 1), (2, Q(3, 2), 3), (Q(5, 2), 4, 2)])
def test_dirichlet_by_quadrature(alpha):
    """Three components: a two-dimensional integral over the simplex, x1 = u, x2 = (1 - u) v."""
    F = families.dirichlet(3)
    with mpmath.workdps(DPS):
        a = [mpq(v) for v in alpha]
        c = mpmath.digamma(sum(a))
        lognorm = mpmath.loggamma(sum(a)) - sum(mpmath.loggamma(ai) for ai in a)

        def integrand(u, v, i, j):
            xs = (u, (1 - u) * v, (1 - u) * (1 - v))
            dens = mpmath.exp(lognorm + sum((ai - 1) * mpmath.log(xi) for ai, xi in zip(a, xs)))
            si = mpmath.log(xs[i]) - mpmath.digamma(a[i]) + c
            sj = mpmath.log(xs[j]) - mpmath.digamma(a[j]) + c
            return dens * si * sj * (1 - u)

        G = mpmath.matrix(3, 3)
        for i in range(3):
            for j in range(i, 3):
                G[i, j] = G[j, i] = mpmath.quad(lambda u, v: integrand(u, v, i, j), [0, 1], [0, 1])
        assert close(G, closed_form(F, dict(zip(F.z, alpha))))


@pytest.mark.parametrize("av, bv", [(1, 1), (Q(3, 2), Q(5, 2)), (4, Q(2, 3))])
def test_beta_is_the_two_component_dirichlet(av, bv):
    B, D = families.beta(), families.dirichlet(2)
    assert B.g.xreplace(dict(zip(B.z, (av, bv)))) == D.g.xreplace(dict(zip(D.z, (av, bv))))


@pytest.mark.parametrize("mv, kv", [(0, 1), (Q(1, 2), Q(5, 2)), (-2, Q(1, 4))])
def test_von_mises_by_quadrature(mv, kv):
    F = families.von_mises()
    with mpmath.workdps(DPS):
        m, k = mpq(mv), mpq(kv)
        A = mpmath.besseli(1, k) / mpmath.besseli(0, k)
        dens = lambda t: mpmath.exp(k * mpmath.cos(t - m)) / (2 * mpmath.pi * mpmath.besseli(0, k))   # noqa: E731
        s = [lambda t: k * mpmath.sin(t - m), lambda t: mpmath.cos(t - m) - A]
        G = mpmath.matrix(2, 2)
        for i in range(2):
            for j in range(2):
                G[i, j] = mpmath.quad(lambda t: dens(t) * s[i](t) * s[j](t), mpmath.linspace(0, 2 * mpmath.pi, 5))
        assert close(G, closed_form(F, dict(zip(F.z, (mv, kv)))))


def test_domains_and_arguments():
    import symgrad as sg
    t = sp.Symbol("t", real=True)
    with pytest.raises(DomainError, match="alpha > 0"):
        sg.Model([t, 1], params=[t], metric=families.gamma()).at({t: -1})
    with pytest.raises(ShapeError):
        families.dirichlet(1)
    with pytest.raises(ShapeError):
        families.dirichlet(3).log_p((Q(1, 2), Q(1, 2)))
