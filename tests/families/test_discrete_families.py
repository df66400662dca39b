"""Discrete families: the closed-form Fisher metrics against direct expectations.

Bernoulli, categorical (both coordinate systems), binomial and products: exact
finite sums ``sum_x p(x) d log p(x) d log p(x)^T`` with densities written out
here (not taken from the families).  Poisson and geometric: the same series,
summed by SymPy exactly.  Each at three rational points.  Domains: declared
once, a point outside raises DomainError naming the constraint.
"""
from __future__ import annotations

import itertools
import warnings

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad import families
from symgrad.exceptions import DomainError, ShapeError, SymbolError

Q = sp.Rational
k = sp.Symbol("k", integer=True, nonnegative=True)


def mpq(r) -> mpmath.mpf:
    """A rational as an mpmath number at the working precision."""
    r = sp.Rational(r)
    return mpmath.mpf(r.p) / r.q


def fisher_by_sum(logps, coords, point) -> sp.Matrix:
    """sum_x p(x) d log p(x) d log p(x)^T at ``point``, exact."""
    n = len(coords)
    G = sp.zeros(n, n)
    for lp in logps:
        p = sp.exp(lp).xreplace(point)
        s = [sp.diff(lp, c).xreplace(point) for c in coords]
        for i in range(n):
            for j in range(n):
                G[i, j] += p * s[i] * s[j]
    return G.applyfunc(sp.nsimplify)


@pytest.mark.parametrize("pv", [Q(1, 2), Q(1, 7), Q(5, 6)])
def test_bernoulli(pv):
    B = families.bernoulli()
    (p,) = B.z
    assert fisher_by_sum([sp.log(p), sp.log(1 - p)], B.z, {p: pv}) == B.g.xreplace({p: pv})
    assert sp.nsimplify(sum(sp.exp(B.log_p(x)).xreplace({p: pv}) for x in B.outcomes)) == 1


@pytest.mark.parametrize("pv", [(Q(1, 3), Q(1, 3), Q(1, 3)), (Q(1, 2), Q(1, 4), Q(1, 4)), (Q(1, 10), Q(3, 5), Q(3, 10))])
def test_categorical_minimal_coordinates(pv):
    C = families.categorical(3, minimal=True)
    p1, p2 = C.z
    point = {p1: pv[0], p2: pv[1]}
    logps = [sp.log(p1), sp.log(p2), sp.log(1 - p1 - p2)]
    assert fisher_by_sum(logps, C.z, point) == C.g.xreplace(point)
    assert [sp.exp(C.log_p(x)).xreplace(point) for x in C.outcomes] == list(pv)


@pytest.mark.parametrize("pv", [(Q(1, 3), Q(1, 3), Q(1, 3)), (Q(1, 2), Q(1, 4), Q(1, 4)), (Q(1, 10), Q(3, 5), Q(3, 10))])
def test_categorical_simplex_pullback_is_the_fisher_information(pv):
    """diag(1/p) pulled back through the simplex chart (p1, p2, 1 - p1 - p2) = the direct sum."""
    C = families.categorical(3)
    a, b = sp.symbols("a b", real=True)
    M = sg.Model([a, b, 1 - a - b], params=[a, b], metric=C)
    point = {a: pv[0], b: pv[1]}
    logps = [sp.log(a), sp.log(b), sp.log(1 - a - b)]
    assert fisher_by_sum(logps, (a, b), point) == M.G.xreplace(point)
    minimal = families.categorical(3, minimal=True)
    assert (M.G - minimal.g.xreplace(dict(zip(minimal.z, (a, b))))).applyfunc(sp.cancel) == sp.zeros(2, 2)


@pytest.mark.parametrize("n, pv", [(1, Q(1, 3)), (4, Q(1, 2)), (7, Q(2, 9))])
def test_binomial(n, pv):
    Bn = families.binomial(n)
    (p,) = Bn.z
    logps = [sp.log(sp.binomial(n, x)) + x * sp.log(p) + (n - x) * sp.log(1 - p) for x in range(n + 1)]
    assert fisher_by_sum(logps, Bn.z, {p: pv}) == Bn.g.xreplace({p: pv})
    assert sp.nsimplify(sum(sp.exp(Bn.log_p(x)).xreplace({p: pv}) for x in Bn.outcomes)) == 1


@pytest.mark.parametrize("lv", [Q(1, 2), 1, Q(7, 3)])
def test_poisson_by_series_at_30_digits(lv):
    """sum_k p(k) (d log p(k))^2 by mpmath's nsum at 30 digits (SymPy leaves this series unevaluated)."""
    P = families.poisson()
    (lam,) = P.z
    with mpmath.workdps(30):
        L = mpq(lv)
        G = mpmath.nsum(lambda j: mpmath.exp(-L) * L**j / mpmath.factorial(j) * (j / L - 1) ** 2, [0, mpmath.inf])
        assert abs(G - mpq(P.g[0, 0].xreplace({lam: lv}))) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize("pv", [Q(1, 2), Q(1, 5), Q(3, 4)])
def test_geometric_by_series_at_30_digits(pv):
    """sum_k (1 - p)^k p (d log p(k))^2, d log p(k) = 1/p - k/(1 - p), by nsum at 30 digits."""
    Gm = families.geometric()
    (p,) = Gm.z
    with mpmath.workdps(30):
        P = mpq(pv)
        G = mpmath.nsum(lambda j: (1 - P) ** j * P * (1 / P - j / (1 - P)) ** 2, [0, mpmath.inf])
        assert abs(G - mpq(Gm.g[0, 0].xreplace({p: pv}))) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize("pv", [(Q(1, 2), Q(1, 2), Q(1, 3)), (Q(1, 5), Q(2, 3), Q(9, 10)), (Q(3, 4), Q(1, 8), Q(1, 2))])
def test_product_of_bernoullis(pv):
    P = families.product(families.bernoulli(), families.bernoulli(), families.bernoulli())
    assert [s.name for s in P.z] == ["p_1", "p_2", "p_3"]
    point = dict(zip(P.z, pv))
    logps = [sum(x * sp.log(q) + (1 - x) * sp.log(1 - q) for x, q in zip(xs, P.z))
             for xs in itertools.product((0, 1), repeat=3)]
    assert fisher_by_sum(logps, P.z, point) == P.g.xreplace(point)
    assert len(P.outcomes) == 8
    assert sp.nsimplify(sum(sp.exp(P.log_p(o)).xreplace(point) for o in P.outcomes)) == 1


def test_product_of_unlike_families_keeps_names():
    P = families.product(families.bernoulli(), families.poisson())
    assert [s.name for s in P.z] == ["p", "lam"] and P.outcomes is None
    assert P.positive == (P.z[0], 1 - P.z[0], P.z[1])


def test_domains_are_declared_once():
    t = sp.Symbol("t", real=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        M = sg.Model([t], params=[t], coords=None, metric=families.bernoulli())
        assert sp.cancel(M.G[0, 0] - 1 / (t * (1 - t))) == 0
    with pytest.raises(DomainError, match=r"1 - p > 0"):
        M.at({t: Q(3, 2)})
    with pytest.raises(DomainError, match=r"p1 \+ p2 > 0|1 - p1 - p2 > 0|-p1 - p2 \+ 1 > 0"):
        a, b = sp.symbols("a b", real=True)
        sg.Model([a, b], params=[a, b], metric=families.categorical(3, minimal=True)).at({a: Q(1, 2), b: Q(2, 3)})
    with pytest.raises(DomainError, match="lam > 0"):
        sg.Model([t], params=[t], metric=families.poisson()).at({t: -1})


def test_bad_arguments():
    with pytest.raises(ShapeError):
        families.categorical(1)
    with pytest.raises(ShapeError):
        families.binomial(0)
    with pytest.raises(DomainError):
        families.bernoulli().log_p(2)
    with pytest.raises(SymbolError):
        families.product(families.bernoulli(), "not a family")
