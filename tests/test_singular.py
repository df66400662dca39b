"""Singular points (paper, §3 and Fig. 2): rank drops, self-crossings, classification, branch gradients.

Every exact answer is cross-checked with independent numerics written here
(mpmath SVD ranks, mpmath polynomial roots and Newton solves), not with the
numeric code of :mod:`symgrad.singular`.
"""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from symgrad.exceptions import DomainError, ShapeError, SingularPointError, SymbolError
from symgrad.model import Model
from symgrad.singular import (
    Classification, Crossing, SingularPoints, branch_gradients, branch_swap, classify, counterexample,
    ensure_nonsingular, singular_points,
)

t = sp.Symbol("t", real=True)
a, b = sp.symbols("a b", real=True)
w1, w2a, w2b = sp.symbols("w1 w2a w2b", real=True)

DPS = 40
TOL = mpmath.mpf(10) ** -25


def nodal():
    return Model([t**2 - 1, t**3 - t], [t], name="nodal cubic")


def product():
    return Model([a * b], [a, b], name="product")


def linear_net():
    return Model([w2a * w1, w2b * w1], [w1, w2a, w2b], name="linear network of width 1")


def cusp():
    return Model([t**2, t**3], [t], name="cusp")


def smooth():
    return Model([t, t**3], [t], name="smooth injective")


# -- independent numerics ------------------------------------------------------------------

def num_matrix(M: sp.MatrixBase, point: dict) -> mpmath.matrix:
    with mpmath.workdps(DPS):
        return mpmath.matrix([[mpmath.mpf(sp.N(M[i, j].xreplace(point), DPS)) for j in range(M.cols)]
                              for i in range(M.rows)])


def svd_rank(A: mpmath.matrix) -> int:
    with mpmath.workdps(DPS):
        S = mpmath.svd_r(A, compute_uv=False)
        return sum(1 for s in S if abs(s) > TOL)


def num_rank_at(model: Model, point: dict) -> int:
    return svd_rank(num_matrix(model.J, point))


def num_joint_rank(model: Model, p1: dict, p2: dict) -> int:
    """Numeric rank of [J(xi1) | J(xi2)]: larger than rank J exactly when the two spans differ."""
    return svd_rank(num_matrix(model.J.xreplace(p1).row_join(model.J.xreplace(p2)), {}))


def real_roots_1d(model: Model, p: tuple) -> list[mpmath.mpf]:
    """All real preimages of p for a polynomial curve phi(t): roots of one component, filtered by the others."""
    (s,) = model.xi
    with mpmath.workdps(DPS):
        comps = [sp.Poly(e - v, s) for e, v in zip(model.phi, p)]
        base = next(c for c in comps if c.degree() > 0)
        roots = mpmath.polyroots([mpmath.mpf(int(c)) for c in base.all_coeffs()], maxsteps=200, extraprec=200)
        out = []
        for r in roots:
            if abs(mpmath.im(r)) > mpmath.mpf(10) ** -15:
                continue
            x = mpmath.re(r)
            if all(abs(c.eval(sp.Float(x, DPS))) < 1e-15 for c in comps):
                if all(abs(x - y) > 1e-10 for y in out):
                    out.append(x)
        return sorted(out)


def sliced_preimages(model: Model, p: tuple, tries: int = 12, seed: int = 1) -> list[list]:
    """Numeric preimages of p: phi(xi) = p plus random affine slices, solved by Newton's method (mpmath)."""
    rng = random.Random(seed)
    xi = list(model.xi)
    n, m = len(xi), model.phi.rows
    k = n - m
    C = sp.Matrix(k, n, lambda i, j: sp.Symbol(f"c{i}{j}"))
    D = [sp.Symbol(f"d{i}") for i in range(k)]
    eqs = sp.Matrix([e - v for e, v in zip(model.phi, p)] + [sum(C[i, j] * xi[j] for j in range(n)) - D[i]
                                                            for i in range(k)])
    args = xi + list(C) + D
    f = sp.lambdify(args, list(eqs), "mpmath")
    jac = sp.lambdify(args, eqs.jacobian(xi).tolist(), "mpmath")
    found = []
    with mpmath.workdps(DPS):
        for _ in range(tries):
            consts = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(k * n)] + [mpmath.mpf(rng.uniform(-2, 2))
                                                                              for _ in range(k)]
            x0 = [mpmath.mpf(rng.uniform(-2, 2)) for _ in xi]
            try:
                x = mpmath.findroot(lambda *v: f(*v, *consts), x0, J=lambda *v: jac(*v, *consts),
                                    tol=mpmath.mpf(10) ** -30, maxsteps=60)
            except (ValueError, ZeroDivisionError):
                continue
            x = [x[i] for i in range(n)]
            if max(abs(v) for v in f(*x, *consts)) < 1e-25:
                found.append(x)
    return found


# -- known answers -------------------------------------------------------------------------

RANK_DROPS = {
    # model: (generic rank, reduced equations, explicit rank-drop points with their rank and model point)
    "nodal": (nodal, 1, (1,), []),
    "product": (product, 1, (a, b), [({a: 0, b: 0}, 0, (0,))]),
    "linear_net": (linear_net, 2, (w1,), [({w1: 0}, 1, (0, 0))]),
    "cusp": (cusp, 1, (t,), [({t: 0}, 0, (0, 0))]),
    "smooth": (smooth, 1, (1,), []),
}


@pytest.mark.parametrize("name", list(RANK_DROPS))
def test_rank_drop_locus_known_answers(name):
    make, r, eqs, pts = RANK_DROPS[name]
    M = make()
    S = singular_points(M)
    assert isinstance(S, SingularPoints)
    assert S.exact
    assert S.rank_drops.generic_rank == r == M.rank
    assert S.rank_drops.method == "exact"
    assert set(S.rank_drops.equations) == set(sp.sympify(e) for e in eqs)
    got = [(dict(q.xi), q.rank, q.p) for q in S.rank_drops.points]
    assert got == [(d, k, tuple(sp.sympify(v) for v in p)) for d, k, p in pts]
    assert S.rank_drops.is_empty == (not pts)
    # numeric cross-check: the SVD rank at each rank-drop point (free parameters at random values)
    rng = random.Random(5)
    for q in S.rank_drops.points:
        for _ in range(3):
            point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in M.xi}
            point.update({s: sp.sympify(v).xreplace(point) for s, v in q.xi.items()})
            assert num_rank_at(M, point) == q.rank < r
    # and off the locus the rank is generic
    for _ in range(5):
        point = {s: sp.Rational(rng.randint(1, 9), rng.randint(1, 5)) for s in M.xi}
        assert num_rank_at(M, point) == r


@pytest.mark.parametrize("phi", [[t**2 - 1, t**3 - t], [(t**2 - 1) / (t**2 + 1), t * (t**2 - 1) / (t**2 + 1)]],
                         ids=["nodal cubic", "strophoid (rational)"])
def test_nodal_cubic_crossing(phi):
    M = Model(phi, [t])
    S = singular_points(M)
    assert S.crossings == (((1,), (-1,), (0, 0)),)
    assert isinstance(S.crossings[0], Crossing)
    d = S.details[0]
    assert d.kind == "crossing" and d.method == "exact"
    assert d.span1 == ((1, 1),) and d.span2 == ((1, -1),)
    assert "saturation" in S.scope and "finite" in S.scope
    # numeric cross-check: same point, different tangent lines
    x1, x2 = {t: 1}, {t: -1}
    with mpmath.workdps(DPS):
        assert all(abs(mpmath.mpf(sp.N(e.xreplace(x1) - e.xreplace(x2), DPS))) < TOL for e in M.phi)
    assert num_joint_rank(M, x1, x2) == 2 > M.rank
    # and the only real self-intersection: t^2 = s^2 with t != s forces s = -t, then t^2 = 1
    if all(e.is_polynomial(t) for e in phi):
        assert [float(x) for x in real_roots_1d(M, (0, 0))] == [-1.0, 1.0]


def test_family_of_crossings_whitney_umbrella():
    # (u v, v, u^2) meets itself along the half-line (0, 0, c), c > 0, reached from (u, 0) and (-u, 0)
    u, v = sp.symbols("u v", real=True)
    M = Model([u * v, v, u**2], [u, v])
    S = singular_points(M)
    # crossings with different tangent spaces are found exactly; tangencies are not searched, and it says so
    assert not S.exact and S.crossings == () and "not exhaustive" in S.scope and "tangencies" in S.scope
    assert len(S.crossing_loci) == 1
    c, free = S.crossing_loci[0]
    (s,) = free
    assert c.xi1 == (-s, 0) and c.xi2 == (s, 0) and c.p == (0, 0, s**2)
    assert [dict(q.xi) for q in S.rank_drops.points] == [{u: 0, v: 0}]
    # numeric: at u = +-2 one point, two different tangent planes
    assert num_joint_rank(M, {u: 2, v: 0}, {u: -2, v: 0}) == 3 > M.rank
    C = classify(M, (0, 0, 4))
    assert C.kinds == ("branches",) and len(C.branches) == 2


@pytest.mark.parametrize("make", [product, linear_net, cusp, smooth])
def test_no_crossings_exactly(make):
    M = make()
    S = singular_points(M)
    assert S.crossings == () and S.details == () and S.crossing_loci == ()
    assert S.exact and S.numeric is None
    assert S.scope.startswith("Complete exact search")
    if len(M.xi) == 1:  # the ends of a one-parameter domain are examined too
        assert "its ends included" in S.scope and "Ends of the parameter domain: examined exactly" in S.scope
    else:
        assert "at finite parameter values" in S.scope and "not examined" in S.scope.lower()


def test_smooth_injective_scope_and_numeric_evidence():
    M = smooth()
    S = singular_points(M)
    assert S.is_empty and S.exact
    assert "rank drops: none" in str(S)
    assert "self-crossings: none found" in str(S)
    assert "finite over C (0 real solution(s)" in S.scope
    # numeric evidence: J = (1, 3 t^2) never small; a Newton search for phi(x) = phi(y), x != y, finds only x = y
    rng = random.Random(3)
    for _ in range(30):
        x = sp.Rational(rng.randint(-300, 300), 100)
        assert num_rank_at(M, {t: x}) == 1
    # and phi(x) - phi(y) never vanishes off the diagonal: |phi(x) - phi(y)| >= |x - y| on a grid of pairs
    grid = [sp.Rational(k, 7) for k in range(-21, 22)]
    f = sp.lambdify(t, list(M.phi), "mpmath")
    with mpmath.workdps(DPS):
        worst = min(mpmath.norm(mpmath.matrix(f(x)) - mpmath.matrix(f(y))) / abs(x - y)
                    for x in grid for y in grid if x != y)
    assert worst >= 1


def test_overparametrised_crossing_tells_fibres_from_branches():
    # the nodal cubic through the product u = a*b: fibres a*b = const, and a genuine crossing at u = +-1
    M = Model([(a * b) ** 2 - 1, (a * b) ** 3 - a * b], [a, b], name="nodal cubic of a product")
    assert M.rank == 1 < len(M.xi)
    S = singular_points(M)
    assert not S.exact and "tangencies" in S.scope  # a fibre cannot be told from a tangency here
    assert len(S.crossings) == 1
    (c,) = S.crossings
    assert c.p == (0, 0)
    prods = {sp.simplify(c.xi1[0] * c.xi1[1]), sp.simplify(c.xi2[0] * c.xi2[1])}
    assert prods == {1, -1}                       # one preimage on each fibre a*b = 1, a*b = -1
    assert "different tangent spaces" in S.scope
    # numeric: on one fibre the spans agree (not a crossing), across the two fibres they differ
    assert num_joint_rank(M, {a: 2, b: sp.Rational(1, 2)}, {a: 3, b: sp.Rational(1, 3)}) == 1
    assert num_joint_rank(M, {a: 2, b: sp.Rational(1, 2)}, {a: 3, b: -sp.Rational(1, 3)}) == 2
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("branches",)
    assert len(C.branches) == 2


# -- classification ------------------------------------------------------------------------

CLASSIFY = [
    # (model, p, status, kinds, number of preimage components)
    (nodal, (0, 0), "singular", ("branches",), 2),
    (nodal, (-1, 0), "non-singular", (), 1),
    (nodal, (3, 6), "non-singular", (), 1),
    (product, (0,), "singular", ("rank drop",), 2),
    (product, (2,), "non-singular", (), 1),
    (linear_net, (0, 0), "singular", ("rank drop",), 2),
    (linear_net, (1, 2), "non-singular", (), 1),
    (cusp, (0, 0), "singular", ("rank drop",), 1),
    (cusp, (4, 8), "non-singular", (), 1),
    (smooth, (2, 8), "non-singular", (), 1),
]


@pytest.mark.parametrize("make,p,status,kinds,ncomp", CLASSIFY,
                         ids=[f"{m.__name__}-{p}" for m, p, *_ in CLASSIFY])
def test_classify_known_answers_with_numeric_cross_check(make, p, status, kinds, ncomp):
    M = make()
    C = M.classify(p)
    assert isinstance(C, Classification)
    assert (C.status, C.kinds, C.method) == (status, kinds, "exact")
    assert C.is_singular == (status == "singular")
    assert len(C.preimages) == ncomp
    r = M.rank
    rng = random.Random(11)
    # numeric: every preimage component really maps to p, with the stated rank (SVD) at random points of it
    for pre in C.preimages:
        for _ in range(3):
            free = {s: sp.Rational(rng.randint(1, 9), rng.randint(1, 4)) for s in pre.free}
            point = {s: sp.sympify(pre.xi[s]).xreplace(free) if s in pre.xi else free[s] for s in M.xi}
            with mpmath.workdps(DPS):
                assert all(abs(mpmath.mpf(sp.N(e.xreplace(point) - v, DPS))) < TOL for e, v in zip(M.phi, p))
            assert num_rank_at(M, point) == pre.rank
    # numeric: rank drops exactly at the listed points
    for q in C.rank_drop_points:
        point = {s: sp.sympify(q.get(s, 1)).xreplace({x: 1 for x in M.xi}) for s in M.xi}
        assert num_rank_at(M, point) < r
    assert bool(C.rank_drop_points) == ("rank drop" in kinds)
    # numeric: branches have pairwise different spans (rank of [J1 | J2] > r)
    reps = []
    for br in C.branches:
        pre = C.preimages[br.preimages[0]]
        reps.append({s: sp.sympify(pre.xi.get(s, 1)).xreplace({x: 1 for x in pre.free}) for s in M.xi})
    for i in range(len(reps)):
        for j in range(i + 1, len(reps)):
            assert num_joint_rank(M, reps[i], reps[j]) > r
    # numeric: an independent preimage search finds nothing outside the exact components
    if len(M.xi) == 1:
        roots = real_roots_1d(M, p)
        assert sorted(float(sp.N(pre.xi[t])) for pre in C.preimages) == pytest.approx([float(x) for x in roots])
    else:
        found = sliced_preimages(M, p)
        assert found, "the numeric search should find some preimages"
        for x in found:
            point = dict(zip(M.xi, x))
            on = []
            for pre in C.preimages:
                # a numeric point lies on a component when the component's equations hold there
                eqs = [s - v for s, v in pre.xi.items()]
                f = sp.lambdify(list(M.xi), eqs, "mpmath")
                with mpmath.workdps(DPS):
                    on.append(max([abs(e) for e in f(*x)] + [0]) < 1e-20)
            assert any(on), f"numeric preimage {point} is on no exact component"
            # and the SVD rank there agrees with the exact classification of rank drops
            drop = num_rank_at(M, {s: sp.Float(v, DPS) for s, v in point.items()}) < r
            if drop:
                assert C.rank_drop_points


def test_classify_tangency_and_covering():
    # two arcs touching at the origin with one tangent line: singular, decided exactly
    M = Model([t**2 - 1, (t**2 - 1) ** 2 * t], [t])
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("tangency",) and C.method == "exact"
    assert C.preimages[0].span == C.preimages[1].span == ((1, 0),)
    assert num_joint_rank(M, {t: 1}, {t: -1}) == 1      # the same tangent line, numerically
    # t -> t^2 covers (0, oo) twice, on one sheet: p = 1 is non-singular
    Q = Model([t**2], [t])
    C = classify(Q, (1,))
    assert C.status == "non-singular" and len(C.preimages) == 2 and len(C.branches) == 1


def test_classify_errors():
    M = nodal()
    with pytest.raises(DomainError, match="not a point"):
        classify(M, (3, 24))
    with pytest.raises(ShapeError):
        classify(M, (0,))
    with pytest.raises(SymbolError):
        classify(M, {"q": 0, "z2": 0})
    assert classify(M, {"z1": 0, "z2": 0}).kinds == ("branches",)


# -- branch gradients and the counterexample (Fig. 2) ----------------------------------------

def numeric_recipe(model: Model, L, point: dict) -> list:
    """J (J^T J)^+ J^T dL by an SVD pseudo-inverse (Euclidean metric), independently of symgrad."""
    dL = [sp.diff(L, z).xreplace(dict(zip(model.z, model.phi))) for z in model.z]
    with mpmath.workdps(DPS):
        J = num_matrix(model.J, point)
        g = mpmath.matrix([mpmath.mpf(sp.N(e.xreplace(point), DPS)) for e in dL])
        G = J.T * J
        U, S, V = mpmath.svd_r(G)
        Gp = mpmath.zeros(G.rows, G.cols)
        for k in range(len(S)):
            if abs(S[k]) > TOL:
                Gp += V.T[:, k] * U.T[k, :] / S[k]
        v = J * (Gp * (J.T * g))
        return [v[i] for i in range(v.rows)]


def test_branch_gradients_nodal_cubic_by_hand():
    M = nodal()
    z1, z2 = M.z
    L = z1 + 2 * z2
    B = branch_gradients(M, L, (0, 0))
    assert [dict(x.xi) for x in B] == [{t: 1}, {t: -1}]
    # by hand: at t = 1, d = (2, 2), G = 8, nabla = 2 + 4 = 6, vector = d * 6/8 = (3/2, 3/2);
    #          at t = -1, d = (-2, 2), G = 8, nabla = -2 + 4 = 2, vector = d * 2/8 = (-1/2, 1/2)
    assert B[0].d == ((2, 2),) and B[0].G == sp.Matrix([[8]]) and B[0].nabla == (6,)
    assert B[0].vector == (sp.Rational(3, 2), sp.Rational(3, 2))
    assert B[1].d == ((-2, 2),) and B[1].nabla == (2,)
    assert B[1].vector == (-sp.Rational(1, 2), sp.Rational(1, 2))
    assert B[0].span == ((1, 1),) and B[1].span == ((1, -1),)
    assert all(x.method == "exact" for x in B)
    for x in B:
        assert [float(v) for v in numeric_recipe(M, L, dict(x.xi))] == pytest.approx([float(v) for v in x.vector])


def test_branch_gradients_rank_drop_and_fibres():
    # the cusp: one preimage, J = 0 there, so eq. (4) gives the zero vector
    (B,) = branch_gradients(cusp(), sp.Symbol("z1") + sp.Symbol("z2"), (0, 0))   # loss matched by name
    assert B.rank == 0 and B.vector == (0, 0) and B.span == ()
    # the product model at 0: full-rank preimages give dL, the rank-drop preimage gives 0
    M = product()
    (z,) = M.z
    B = branch_gradients(M, 3 * z, (0,))
    vecs = sorted(x.vector for x in B)
    assert vecs == [(0,), (3,), (3,)]
    for x in B:
        assert [float(v) for v in numeric_recipe(M, 3 * z, dict(x.xi))] == pytest.approx([float(v) for v in x.vector])
    # the linear network at the origin: the rank-drop fibre w1 = 0 sees only a line
    N = linear_net()
    z1, z2 = N.z
    B = branch_gradients(N, z1 + 2 * z2, (0, 0))
    full = [x for x in B if x.rank == 2]
    low = [x for x in B if x.rank == 1]
    assert full and low
    assert all(x.vector == (1, 2) for x in full)          # the whole gradient of z1 + 2 z2
    assert all(x.vector != (1, 2) for x in low)
    for x in B:
        assert [float(v) for v in numeric_recipe(N, z1 + 2 * z2, dict(x.xi))] == pytest.approx(
            [float(v) for v in x.vector])


def test_counterexample_reparametrisation():
    M = nodal()
    z1, z2 = M.z
    X = counterexample(M, z1 + 2 * z2, (0, 0))
    eta = X.swap.eta[0]
    assert X.swap.f == (eta - 2,) and X.swap.kind == "translation"
    assert X.swap.f[0].subs(eta, 1) == -1                    # f(xi1) = xi2
    assert X.blue.vector == (sp.Rational(3, 2), sp.Rational(3, 2))
    assert X.red.vector == (-sp.Rational(1, 2), sp.Rational(1, 2))
    assert X.differ and X.matches_other_branch
    # numeric: phi o f at eta = 1 reaches p = (0, 0), and its recipe is the red vector
    Mf = X.model_f
    with mpmath.workdps(DPS):
        assert all(abs(mpmath.mpf(sp.N(e.subs(eta, 1), DPS))) < TOL for e in Mf.phi)
    assert [float(v) for v in numeric_recipe(Mf, Mf.z[0] + 2 * Mf.z[1], {eta: 1})] == pytest.approx([-0.5, 0.5])
    # a scaling for positive parameters
    s = sp.Symbol("s", positive=True)
    P = Model([s, s**2], [s])
    F = branch_swap(P, (2,), (6,))
    assert F.kind == "scaling" and F.f[0].subs(F.eta[0], 2) == 6
    with pytest.raises(SingularPointError):
        counterexample(cusp(), sp.Symbol("z1"), (0, 0))      # one branch only: no Fig. 2 counterexample


def test_ensure_nonsingular():
    M = nodal()
    assert ensure_nonsingular(M, {t: 2}).status == "non-singular"
    with pytest.raises(SingularPointError) as err:
        ensure_nonsingular(M, {t: -1})
    msg = str(err.value)
    assert "p = (0, 0) is singular" in msg and "branches with different tangent spaces" in msg
    with pytest.raises(SingularPointError, match="rank drop"):
        ensure_nonsingular(linear_net(), {w1: 0, w2a: 1, w2b: 3})
    # a full-rank preimage of a point that another preimage reaches with a rank drop is refused too
    with pytest.raises(SingularPointError, match="rank drop"):
        ensure_nonsingular(product(), {a: 1, b: 0})


# -- the numeric fallback -------------------------------------------------------------------

def test_numeric_fallback_is_reported_as_such():
    M = nodal()
    S = singular_points(M, budget=0, starts=16)
    assert not S.exact
    assert S.numeric is not None
    assert "did not finish within the budget" in S.scope
    assert "Not a proof that nothing else exists" in S.scope
    assert S.rank_drops.method == "numeric" and "not a proof" in str(S.rank_drops)
    assert len(S.crossings) == 1
    c = S.crossings[0]
    assert float(c.xi1[0]) == pytest.approx(1) and float(c.xi2[0]) == pytest.approx(-1)
    assert [float(v) for v in c.p] == pytest.approx([0, 0], abs=1e-20)
    assert S.details[0].kind == "crossing" and S.details[0].method == "numeric"
    C = classify(M, (0, 0), budget=0)
    assert C.status == "singular" and C.method == "numeric" and C.kinds == ("branches",)
    assert any("numeric" in n for n in C.notes)


def test_transcendental_model_rank_drops_exact_crossings_numeric():
    # a figure eight: (sin t, sin 2t) passes through 0 at t = 0 and t = pi with different tangents
    M = Model([sp.sin(t), sp.sin(2 * t)], [t], name="figure eight")
    S = singular_points(M, starts=16)
    assert not S.exact
    assert S.rank_drops.method == "exact" and S.rank_drops.is_empty
    assert "not a rational function" in S.scope
    assert any(d.kind == "crossing" and all(abs(float(v)) < 1e-20 for v in d.crossing.p) for d in S.details)
    assert S.numeric.same_sheet_pairs >= 0


# -- display -----------------------------------------------------------------------------------

def test_str_repr_latex():
    M = nodal()
    S = singular_points(M)
    C = classify(M, (0, 0))
    B = branch_gradients(M, M.z[0] + 2 * M.z[1], (0, 0), classification=C)
    X = counterexample(M, M.z[0] + 2 * M.z[1], (0, 0))
    assert "crossing at p = (0, 0)" in str(S) and "exact=True" in repr(S)
    assert str(C).startswith("p = (0, 0) is singular (exact)") and "branches" in repr(C)
    assert "(3/2, 3/2)" in str(B[0])
    assert "phi o f" in str(X)
    for obj in (S, S.rank_drops, C, B[0], X, X.swap):
        tex = obj._repr_latex_()
        assert tex.startswith("$") and tex.endswith("$") and tex.count("{") == tex.count("}")
    assert r"\frac{3}{2}" in B[0]._repr_latex_()


def test_branch_reached_only_in_the_limit():
    # the lemniscate (t + t^3, t - t^3) / (1 + t^4) passes the origin at t = 0 with tangent (1, 1), and
    # approaches it again as t -> +-oo with tangent (1, -1): the origin is singular although reached once
    M = Model([(t + t**3) / (1 + t**4), (t - t**3) / (1 + t**4)], [t])
    C = classify(M, (0, 0))
    assert C.status == "singular" and C.kinds == ("branches",) and "t -> +oo" in C.reasons[0]
    S = singular_points(M)
    assert not S.is_empty and [L.p for L in S.limit_points] == [(0, 0)]
    # numeric cross-check: far out, phi is close to the origin along the direction (1, -1)
    with mpmath.workdps(DPS):
        far = [mpmath.mpf(sp.N(e.subs(t, 10**6), DPS)) for e in M.phi]
    assert abs(far[0] + far[1]) < 1e-17 and 0 < far[0] < 1e-5
    # a nodal cubic on the half-line t > 0, shifted so that one branch arrives only as t -> 0+
    tp = sp.Symbol("t", positive=True)
    C = classify(Model([(tp - 1)**2 - 1, (tp - 1)**3 - (tp - 1)], [tp]), (0, 0))
    assert C.status == "singular" and "0+" in C.reasons[0]


def test_double_covering_with_a_tangency_is_not_called_exhaustive():
    # (T^2 - 1, T (T^2 - 1)^2) with T = (t^2 - 1) / (2t) covers the curve twice; its two sheets
    # y = x^2 and y = -x^2 touch at the origin with one tangent line
    T = (t**2 - 1) / (2 * t)
    M = Model([sp.cancel(T**2 - 1), sp.cancel(T * (T**2 - 1)**2)], [t])
    S = singular_points(M)
    assert not S.exact and "tangencies" in S.scope
    C = classify(M, (0, 0))
    assert C.status == "singular" and "tangency" in C.kinds


@pytest.mark.parametrize("phi, drops", [
    ([1 + sp.cos(t)], [({t: 0}, (2,)), ({t: sp.pi}, (0,))]),
    ([sp.cos(t), sp.sin(t)**2], [({t: 0}, (1, 0)), ({t: sp.pi}, (-1, 0))]),
], ids=["1 + cos t", "(cos t, sin^2 t)"])
def test_rank_drop_at_pi_is_not_lost_to_the_half_angle_lift(phi, drops):
    # tan(t/2) is infinite at t = pi, so the lifted equations cannot see it: it is examined apart
    M = Model(phi, [t])
    S = singular_points(M)
    assert [(dict(q.xi), q.p) for q in S.rank_drops.points] == drops
    assert "period 2*pi in t" in S.rank_drops.note
    for q in S.rank_drops.points:  # numeric cross-check: J vanishes there
        assert num_rank_at(M, dict(q.xi)) == 0


def test_rank_drop_where_a_quarter_angle_tangent_is_infinite():
    # cos(x/2) lifts to tan(x/4), infinite at x = 2 pi, where J = (0, 0)
    x = sp.Symbol("x", real=True)
    S = singular_points(Model([sp.cos(x / 2), sp.sin(x / 2) ** 3], [x]))
    assert [dict(q.xi) for q in S.rank_drops.points] == [{x: 0}, {x: 2 * sp.pi}]
    assert "period 4*pi in x" in S.rank_drops.note
    # an angle the search cannot place (x t) is not called exhaustive
    t2 = sp.Symbol("s", real=True)
    assert not singular_points(Model([sp.cos(x * t2), t2], [x, t2])).exact
