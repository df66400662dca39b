"""Piecewise models split into regions (symgrad.piecewise): ReLU linear regions, Abs, Heaviside, Piecewise.

Every region's witness is re-checked here by substitution in exact arithmetic,
the expression of each region against SymPy's own evaluation of Max, Abs,
Heaviside and Piecewise at rational points, the region's Jacobian against an
exact central difference of the original piecewise expression, the count of
regions against the sign patterns met by random points, and each proof of
emptiness by multiplying out its Farkas certificate.
"""
from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad._fourier_motzkin import Feasible, Inequality, Infeasible, simplest_between, solve_strict
from symgrad.exceptions import ArgumentError, DomainError, SymbolError, SymgradError
from symgrad.numeric import evaluate_matrix, numeric_pinv
from symgrad.piecewise import BoundaryPointError, PiecewiseError, regions

a1, a2, w1, w2, b1, b2 = sp.symbols("a1 a2 w1 w2 b1 b2", real=True)
u1, u2, v1, v2, c1, c2 = sp.symbols("u1 u2 v1 v2 c1 c2", real=True)
w, b, v, a = sp.symbols("w b v a", real=True)
c = sp.Symbol("c", positive=True)
XS = (1, 2)
RELU_PARAMS = [a1, a2, w1, w2, b1, b2]
PRE = [(w1 * x + b1, w2 * x + b2) for x in XS]          # pre-activations at each data point


def relu_phi():
    return [a1 * sp.Max(0, w1 * x + b1) + a2 * sp.Max(0, w2 * x + b2) for x in XS]


@pytest.fixture(scope="module")
def relu():
    return regions(relu_phi(), RELU_PARAMS)


def random_point(rng, params, den=7):
    return {s: sp.Rational(rng.randint(-20, 20), rng.randint(1, den)) for s in params}


def check_witness(region, phi):
    """The witness satisfies each condition strictly (exact rationals), and phi_R equals phi there,
    phi evaluated by SymPy's own Max/Abs/Heaviside/Piecewise at the rational point."""
    pt = region.witness
    assert pt is not None and "exact rational" in region.witness_check
    assert all(isinstance(x, sp.Rational) for x in pt.values())
    for cond in region.conditions:
        val = cond.h.xreplace(pt)
        assert val.is_Rational and (val > 0 if cond.sign > 0 else val < 0), (region, cond, val)
    original = sp.Matrix(phi).xreplace(pt)
    assert all(x.is_number for x in original)
    assert sp.Matrix(region.phi).xreplace(pt) == original


# ---------------------------------------------------------------------------
# a two-unit ReLU network over two data points
# ---------------------------------------------------------------------------

def test_relu_regions_are_the_sign_patterns_of_the_preactivations(relu):
    assert relu.complete and not relu.no_point_found
    # independent count: unit j sees only (w_j, b_j); the sign patterns of (w_j + b_j, 2 w_j + b_j) met on a
    # circle of directions in that plane, multiplied over the two units (their parameters are disjoint)
    per_unit = set()
    for k in range(720):
        t = 2 * mpmath.pi * (k + mpmath.mpf(1) / 3) / 720
        wv, bv = sp.Rational(str(mpmath.nstr(mpmath.cos(t), 12))), sp.Rational(str(mpmath.nstr(mpmath.sin(t), 12)))
        vals = [wv * x + bv for x in XS]
        if all(x != 0 for x in vals):
            per_unit.add(tuple(int(sp.sign(x)) for x in vals))
    assert len(relu) == len(per_unit) ** 2
    assert len({frozenset(r.conditions) for r in relu}) == len(relu)
    # random points: the located region's conditions are the signs of the pre-activations there, and its
    # expression is the network evaluated by SymPy's Max
    rng = random.Random(3)
    for _ in range(80):
        pt = random_point(rng, RELU_PARAMS)
        if any(e.xreplace(pt) == 0 for pair in PRE for e in pair):
            continue
        region = relu.region_of(pt)
        for cond in region.conditions:
            assert int(sp.sign(cond.h.xreplace(pt))) == cond.sign
        assert sp.Matrix(region.phi).xreplace(pt) == sp.Matrix(relu_phi()).xreplace(pt)


def test_relu_witnesses_and_expressions(relu):
    for region in relu:
        check_witness(region, relu_phi())
        # phi_R is the network with the active units of the region only
        pt = region.witness
        active = [[bool(e.xreplace(pt) > 0) for e in pair] for pair in PRE]
        expected = [sum(aj * e for aj, e, on in zip((a1, a2), pair, act) if on) for pair, act in zip(PRE, active)]
        assert sp.expand(sp.Matrix(region.phi) - sp.Matrix(expected)) == sp.zeros(2, 1)


def test_relu_jacobian_against_an_exact_central_difference(relu):
    """phi_R is quadratic, so a central difference of the original Max expression is exact inside the region."""
    phi = sp.Matrix(relu_phi())
    h = sp.Rational(1, 1000)
    for region in relu:
        pt = region.witness
        J = region.model.J.xreplace(pt)
        for j, s in enumerate(RELU_PARAMS):
            up, down = dict(pt), dict(pt)
            up[s] += h
            down[s] -= h
            assert region.contains(up) and region.contains(down)
            diff = (phi.xreplace(up) - phi.xreplace(down)) / (2 * h)
            assert diff == J[:, j], (region.label, s)


def test_relu_rank_per_region(relu):
    """The rank of J on a region is the number of independent active pre-activation directions, checked at
    the witness by SymPy's rank of the exact central-difference Jacobian of the original expression."""
    phi = sp.Matrix(relu_phi())
    h = sp.Rational(1, 1000)
    for region in relu:
        pt = region.witness
        cols = []
        for s in RELU_PARAMS:
            up, down = dict(pt), dict(pt)
            up[s] += h
            down[s] -= h
            cols.append((phi.xreplace(up) - phi.xreplace(down)) / (2 * h))
        at_witness = sp.Matrix.hstack(*cols).rank()
        assert region.rank >= at_witness
        claim = region.rank_claim()
        assert claim.result == region.rank and region.label in str(claim)


def test_relu_str_is_one_line_per_region(relu):
    lines = str(relu).splitlines()
    assert len(lines) == len(relu) + 1
    assert lines[0].startswith(f"{len(relu)} regions") and "complete" in lines[0]
    for line, region in zip(lines[1:], relu):
        assert line.strip().startswith(region.label + ":") and "witness" in line
    assert "Region(" in repr(relu[0]) and "Regions(" in repr(relu)


def test_invariance_per_region_under_positive_rescaling(relu):
    """a -> a/c, w -> c w, b -> c b with c > 0 keeps every ReLU region; eq. (6) is proved on each."""
    f = sg.Reparametrisation([u1 / c, u2 / c, c * v1, c * v2, c * c1, c * c2], [u1, u2, v1, v2, c1, c2],
                             constants=[c], name="rescaling")
    rename = dict(zip(RELU_PARAMS, [u1, u2, v1, v2, c1, c2]))
    for region in relu:
        out = region.check_invariance(f, seed=1)
        assert out.verdict is sg.Verdict.PROVED, str(out)
        assert out.result.residual == sp.zeros(2, 1)
        # f^-1(R) is R itself in the new names (the positive factor c is dropped)
        assert {(cd.h, cd.sign) for cd in out.preimage} == {(cd.h.xreplace(rename), cd.sign) for cd in region.conditions}
        # and its point is mapped into the region by f
        eta = out.preimage_witness
        assert eta is not None and eta[c] > 0
        xi = {s: fs.xreplace(eta) for s, fs in zip(RELU_PARAMS, f.f)}
        assert region.contains(xi)
        assert region.label in str(out) and "proved exactly" in str(out)
    # an independent numeric check on one region: J(f(eta)) Delta grad at 50 digits with mpmath SVD inverses,
    # at c = 2 and the eta that f maps onto the region's witness
    region = relu[-1]
    eta = {c: 2, u1: 2 * region.witness[a1], u2: 2 * region.witness[a2]}
    eta.update({new: region.witness[old] / 2 for old, new in [(w1, v1), (w2, v2), (b1, c1), (b2, c2)]})
    M = region.model
    sub = dict(zip(M.xi, f.f))
    L = (M.z[0] - 1) ** 2 + 3 * M.z[1] ** 2
    dL = sg.loss_differential(M, L).xreplace(sub)
    J = M.J.xreplace(sub)
    with mpmath.workdps(50):
        Jn, dLn, Dfn = (evaluate_matrix(X, eta, 50) for X in (J, dL, f.Df))
        Jt = Jn * Dfn
        gx = numeric_pinv(Jn.T * Jn, 50)[0] * (Jn.T * dLn)
        ge = numeric_pinv(Jt.T * Jt, 50)[0] * (Jt.T * dLn)
        delta = gx - Dfn * ge
        assert max(abs(x) for x in Jn * delta) < mpmath.mpf(10) ** -30
        assert max(abs(x) for x in delta) > mpmath.mpf(10) ** -10       # Delta itself is not zero


def test_preimage_of_a_region_under_a_sign_flip(relu):
    """w -> -c w, b -> -c b (c > 0) reverses every pre-activation: f^-1(R) is R with every sign reversed."""
    f = sg.Reparametrisation([u1, u2, -c * v1, -c * v2, -c * c1, -c * c2], [u1, u2, v1, v2, c1, c2],
                             constants=[c], name="flip")
    rename = dict(zip(RELU_PARAMS, [u1, u2, v1, v2, c1, c2]))
    region = relu[1]
    out = region.check_invariance(f, seed=0)
    assert out.verdict is sg.Verdict.PROVED
    assert {(cd.h, cd.sign) for cd in out.preimage} == {(cd.h.xreplace(rename), -cd.sign) for cd in region.conditions}
    xi = {s: fs.xreplace(out.preimage_witness) for s, fs in zip(RELU_PARAMS, f.f)}
    assert region.contains(xi)


def test_gradient_inside_a_region_and_refused_on_a_boundary(relu):
    L = (sp.Symbol("z1") - 1) ** 2
    region = relu[-1]
    g = relu.gradient_at(region.witness, L)
    direct = sg.natural_gradient(region.model, L).at(region.witness)
    assert g.manifold == direct.manifold and g.parameter == direct.parameter
    # independently: J has full row rank 2 there, so the Riesz gradient (eq. 1, Euclidean) is dL itself
    p = sp.Matrix(relu_phi()).xreplace(region.witness)
    assert sp.Matrix(region.model.J.xreplace(region.witness)).rank() == 2
    assert g.manifold == sp.Matrix([2 * (p[0] - 1), 0])
    on_edge = dict(region.witness)
    on_edge[b1] = -on_edge[w1]                         # w1*1 + b1 = 0: the kink of the first unit at x = 1
    loc = relu.locate(on_edge)
    assert loc.on_boundary and loc.region is None
    assert any(sp.expand(h - (w1 + b1)) == 0 for _, h in loc.boundaries)
    assert "smooth setting" in str(loc)
    with pytest.raises(BoundaryPointError, match="smooth setting") as err:
        relu.gradient_at(on_edge, L)
    assert isinstance(err.value, DomainError) and isinstance(err.value, SymgradError)
    with pytest.raises(BoundaryPointError):
        region.gradient_at(on_edge, L)
    other = relu[0]
    with pytest.raises(DomainError, match="not in"):
        other.gradient_at(region.witness, L)


# ---------------------------------------------------------------------------
# Abs, Heaviside, sign, Min, Piecewise, nested kinks
# ---------------------------------------------------------------------------

def test_abs_and_heaviside_with_a_proof_of_emptiness():
    phi = [v * sp.Abs(w - 1), v * sp.Heaviside(w) + w]
    R = regions(phi, [v, w])
    for region in R:
        check_witness(region, phi)
    # w - 1 > 0 and w < 0 cannot hold together: proved, and the proof is checked here by multiplying it out
    assert len(R.empty) == 1
    e = R.empty[0]
    conds = e.system
    assert conds == e.conditions                      # v, w carry no sign assumptions
    assert all(l >= 0 for l in e.lambdas) and any(l > 0 for l in e.lambdas)
    combo = sp.expand(sum(sp.Rational(l.numerator, l.denominator) * cd.sign * cd.h for cd, l in zip(conds, e.lambdas)))
    assert combo.is_number and combo <= 0
    assert "proved empty" in str(e)
    # the regions and the proved-empty pattern cover the four sign patterns of (w - 1, w)
    assert len(R) + len(R.empty) == 4


def test_piecewise_with_relational_conditions_against_sympy():
    phi = [sp.Piecewise((w ** 2, sp.And(w > 1, b > 0)), (b - w, sp.Or(w < -1, sp.Eq(b, 2))), (2 * w, True)),
           v * sp.sign(b) + sp.Min(w, b)]
    R = regions(phi, [w, b, v])
    assert R.complete and not R.no_point_found
    for region in R:
        check_witness(region, phi)
    rng = random.Random(11)
    hits = 0
    for _ in range(150):
        pt = random_point(rng, [w, b, v], den=3)
        loc = R.locate(pt)
        if loc.on_boundary:
            # a boundary: one of the listed kink arguments vanishes at the point
            assert any(h.xreplace(pt) == 0 for _, h in loc.boundaries)
            continue
        hits += 1
        assert sp.Matrix(loc.region.phi).xreplace(pt) == sp.Matrix(phi).xreplace(pt)
    assert hits > 100


def test_nested_kinks_split_layer_by_layer():
    phi = [sp.Max(0, v * sp.Max(0, w + b) - 1), a]
    R = regions(phi, [w, b, v, a])
    for region in R:
        check_witness(region, phi)
    rng = random.Random(5)
    for _ in range(200):
        pt = random_point(rng, [w, b, v, a])
        loc = R.locate(pt)
        if not loc.on_boundary:
            assert sp.Matrix(loc.region.phi).xreplace(pt) == sp.Matrix(phi).xreplace(pt)
    inner = R.locate({w: 1, b: -1, v: 2, a: 1})                # w + b = 0
    assert inner.on_boundary and [sp.expand(h) for _, h in inner.boundaries] == [b + w]
    outer = R.locate({w: 1, b: 1, v: sp.Rational(1, 2), a: 1})  # v (w + b) - 1 = 0
    assert outer.on_boundary and sp.expand(outer.boundaries[0][1] - (v * (w + b) - 1)) == 0
    with pytest.raises(BoundaryPointError):
        R.gradient_at({w: 1, b: 1, v: sp.Rational(1, 2), a: 1}, sp.Symbol("z1"))


def test_no_point_found_is_not_called_empty():
    # b^2 - 2bw + w^2 + 1 < 0 has no solution, but the conditions are not linear: nothing is claimed
    phi = [v * sp.Max(0, w ** 2 - 2 * w * b + b ** 2 + 1)]
    R = regions(phi, [w, b, v])
    lost = R.no_point_found
    assert len(lost) == 1 and not R.empty
    assert "no point found" in lost[0].search and "not proved empty" in lost[0].search
    assert "no point found" in str(R)
    with pytest.raises(PiecewiseError, match="may be empty"):
        lost[0].rank


def test_budget_and_region_cap_are_reported():
    xs = (1, 2, 3, -1)
    ws, bs, as_ = sp.symbols("w1:4", real=True), sp.symbols("b1:4", real=True), sp.symbols("a1:4", real=True)
    phi = [sum(aj * sp.Max(0, wj * x + bj) for aj, wj, bj in zip(as_, ws, bs)) for x in xs]
    R = regions(phi, [*as_, *ws, *bs], budget=0.05)
    assert not R.complete and "ran out" in R.reached and R.unexplored
    assert "INCOMPLETE" in str(R)
    capped = regions(relu_phi(), RELU_PARAMS, max_regions=3)
    assert len(capped) == 3 and not capped.complete and "max_regions" in capped.reached


def test_irredundant_conditions_define_the_same_region():
    phi = [sp.Abs(sp.Abs(w) - 1), sp.Max(0, w + b) + sp.Max(0, 2 * w + b) + sp.Max(0, 3 * w + b)]
    R = regions(phi, [w, b])
    grid = [sp.Rational(i, 4) for i in range(-24, 25)]
    points = [{w: x, b: y} for x in grid for y in grid]

    def holds(conds, pt):
        return all((cd.h.xreplace(pt) > 0) if cd.sign > 0 else (cd.h.xreplace(pt) < 0) for cd in conds)

    shrunk = 0
    for region in R:
        full, small = region.conditions, region.irredundant_conditions
        assert set(small) <= set(full)
        shrunk += len(small) < len(full)
        for pt in points[::5]:
            assert holds(full, pt) == holds(small, pt)
        for cd in small:          # each kept condition is needed: a grid point meets the others but not it
            others = [o for o in small if o is not cd]
            assert any(holds(others, pt) and not holds([cd], pt) for pt in points)
    assert shrunk > 0


def test_outside_patterns_and_transcendental_kink_arguments():
    R = regions([sp.Piecewise((w, w > 1), (0, w < -1)), v], [w, v])
    assert len(R) == 2 and len(R.outside) == 1 and "outside the domain" in str(R)
    with pytest.raises(DomainError, match="no branch"):
        R.locate({w: 0, v: 1})
    phi = [sp.Max(0, sp.exp(w) - 2) * v, b]
    R = regions(phi, [w, v, b])
    assert len(R) == 2 and not R.no_point_found
    for region in R:              # exp(w) - 2 at the rational witness: its sign by a 50-digit evaluation
        assert "interval" in region.witness_check
        (cd,) = region.conditions
        with mpmath.workdps(50):
            val = mpmath.exp(mpmath.mpf(region.witness[w].p) / region.witness[w].q) - 2
        assert (val > 0) == (cd.sign > 0) and abs(val) > mpmath.mpf(10) ** -5


def test_smooth_model_is_one_region():
    R = regions([w * b, w + b], [w, b])
    assert len(R) == 1 and R[0].conditions == () and R[0].rank == 2


def test_relu_derivation_verifies():
    """The ReLU derivation (one region of the network, with the positive rescaling) runs and verifies."""
    root = Path(__file__).resolve().parent.parent / "derivations"
    path = next(p for p in (root / "relu_network.py", root / "_relu_network.py") if p.exists())
    rep = sg.run_derivation(sg.load_derivation(path), seed=0)
    assert rep.ok(), "\n".join(rep.summary_lines())
    checks = dict(rep.checks)
    assert checks["J Delta grad = 0"].verdict is sg.Verdict.PROVED
    assert checks["Delta grad"].verdict is sg.Verdict.REFUTED
    assert all(cert.verdict is not sg.Verdict.UNDECIDED for _, cert in rep.checks)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

def test_non_relational_piecewise_condition_is_refused():
    q = sp.Symbol("q")
    with pytest.raises(PiecewiseError, match="not built from relations"):
        regions([sp.Piecewise((w, q), (0, True))], [w])
    with pytest.raises(PiecewiseError, match="not built from relations"):
        regions([sp.Piecewise((w, sp.Contains(w, sp.Interval(0, 1))), (0, True))], [w])


def test_kink_in_a_symbol_that_is_not_a_parameter_is_refused():
    x = sp.Symbol("x", real=True)
    with pytest.raises(SymbolError, match="data points must be numbers") as err:
        regions([sp.Max(0, w * x + b)], [w, b])
    assert "'x'" in str(err.value)
    with pytest.raises(SymbolError, match="constants"):
        regions([sp.Max(0, w - c) * b], [w, b], constants=[c])


def test_unsupported_functions_are_refused():
    with pytest.raises(PiecewiseError, match="floor"):
        regions([sp.floor(w) * b], [w, b])
    with pytest.raises(SymbolError, match="neither parameters"):
        regions([w * sp.Symbol("t")], [w])
    with pytest.raises(ArgumentError, match="max_regions"):
        regions([sp.Max(0, w)], [w], max_regions=0)


# ---------------------------------------------------------------------------
# Fourier-Motzkin
# ---------------------------------------------------------------------------

def test_fourier_motzkin_against_brute_force():
    """Random strict systems in two variables: a point is verified by substitution, an emptiness claim by
    its Farkas certificate, and a grid search never finds a point in a system called empty."""
    rng = random.Random(2)
    F = Fraction
    empty = feasible = 0
    for _ in range(150):
        rows = [Inequality(tuple((j, F(rng.randint(-3, 3))) for j in range(2) if rng.random() < 0.9),
                           F(rng.randint(-3, 3))) for _ in range(rng.randint(2, 5))]
        rows = [Inequality(tuple((j, q) for j, q in r.coeffs if q != 0), r.const) for r in rows]
        res = solve_strict(rows, 2)
        if isinstance(res, Feasible):
            feasible += 1
            assert all(r.value(res.point) > 0 for r in rows)
        else:
            assert isinstance(res, Infeasible)
            empty += 1
            lam = res.lambdas
            assert all(x >= 0 for x in lam) and any(x > 0 for x in lam)
            for j in range(2):
                assert sum(l * dict(r.coeffs).get(j, 0) for l, r in zip(lam, rows)) == 0
            assert sum(l * r.const for l, r in zip(lam, rows)) <= 0
            grid = [F(i, 4) for i in range(-40, 41)]
            assert not any(all(r.value((x, y)) > 0 for r in rows) for x in grid[::3] for y in grid[::3])
    assert empty > 5 and feasible > 5


def test_simplest_rational_between():
    F = Fraction
    for lo, hi in [(F(1, 3), F(1, 2)), (F(-7, 5), F(-4, 3)), (F(2), F(3)), (F(0), F(1, 100))]:
        q = simplest_between(lo, hi)
        assert lo < q < hi
        # no rational with a smaller denominator lies in the interval
        assert not any(lo < F(n, d) < hi for d in range(1, q.denominator) for n in range(-10 * d, 10 * d + 1))
