"""The proof engine: verdict levels, fallbacks, budgets, and wrong claims refuted at every level."""
from __future__ import annotations

import time

import pytest
import sympy as sp

import symgrad as sg
from symgrad.exact import dense as linalg
from symgrad.exact.field import DegreeTracked
from symgrad.gradient import theorem1_residual
from symgrad.reparam import invariance_residual
from symgrad.proof import Claim, Verdict, decide

from models import ACCEPTANCE, product, softmax

LEVELS = ["exact", "probabilistic", "numeric"]


def _trig_claim():
    t = sp.Symbol("t", real=True)
    M = sp.Matrix([[sp.cos(t) ** 2 + sp.sin(t) ** 2 - 1, sp.sin(2 * t) - 2 * sp.sin(t) * sp.cos(t)]])
    return Claim("trig identities", {"A": M}, (t,), lambda ops, inp: {"residual": inp["A"]})


def test_verdict_semantics():
    assert Verdict.PROVED.holds is True
    assert Verdict.PROVED_PROBABILISTIC.holds is True
    assert Verdict.REFUTED.holds is False
    assert Verdict.NUMERIC.holds is None and Verdict.UNDECIDED.holds is None


@pytest.mark.parametrize("level,verdict", [
    ("exact", Verdict.PROVED),
    ("probabilistic", Verdict.PROVED_PROBABILISTIC),
    ("numeric", Verdict.NUMERIC),
])
def test_each_level_on_a_true_identity(level, verdict):
    cert = decide(_trig_claim(), levels=(level,), seed=11).certificate
    assert cert.verdict is verdict
    text = cert.summary()
    if level == "probabilistic":
        assert cert.error_bound is not None and cert.error_bound < sp.Rational(1, 10**20)
        assert "error probability at most" in text
    if level == "numeric":
        assert "not proved" in text and "digits" in text
        assert cert.max_residual < 1e-40


def test_unliftable_falls_back_to_numeric_and_says_why():
    x = sp.Symbol("x", positive=True)
    A = sp.Matrix([[sp.atan(x) + sp.atan(1 / x) - sp.pi / 2]])
    cert = decide(Claim("atan identity", {"A": A}, (x,), lambda o, i: {"residual": i["A"]}), seed=1).certificate
    # atan(x), atan(1/x) and pi lift to variables of unknown independence: the field cannot decide the
    # residual (not zero as a rational function, zero as a function), and says so; numerics support it
    assert cert.verdict is Verdict.NUMERIC
    assert any("exact level undecided" in n for n in cert.notes)
    assert any("probabilistic level skipped" in n for n in cert.notes)
    B = sp.Matrix([[sp.gamma(x + 1) - x * sp.gamma(x)]])      # gamma has no lift at all
    cert = decide(Claim("gamma recursion", {"B": B}, (x,), lambda o, i: {"residual": i["B"]}), seed=1).certificate
    assert cert.verdict is Verdict.NUMERIC
    assert any("no exact lift" in n for n in cert.notes)


def test_budget_exceeded_falls_back():
    claim = _trig_claim()
    inner = claim.compute

    def slow(ops, inp):
        if ops.level == "exact":
            t_end = time.time() + 5
            while time.time() < t_end:
                pass
        return inner(ops, inp)

    claim.compute = slow
    cert = decide(claim, budget=0.3, seed=3).certificate
    assert cert.verdict is Verdict.PROVED_PROBABILISTIC
    assert any("exceeded its budget" in n for n in cert.notes)


# -- deliberately wrong claims: each must be refuted at every level -------------------------

def _perturbed_inverse(ops, inp):
    """eq. (6) with G^+ replaced by G^+ + E_11 for the first parametrisation."""
    J, g, dL, Df = inp["J"], inp["g"], inp["dL"], inp["Df"]
    Jt = ops.T(J)
    G = ops.mul(ops.mul(Jt, g), J)
    X = ops.pinv(G, psd=True)
    X = [[x + (ops.one if i == j == 0 else ops.zero) for j, x in enumerate(row)] for i, row in enumerate(X)]
    gx = ops.mul(X, ops.mul(Jt, dL))
    Jtil = ops.mul(J, Df)
    Jtt = ops.T(Jtil)
    ge = ops.mul(ops.pinv(ops.mul(ops.mul(Jtt, g), Jtil), psd=True), ops.mul(Jtt, dL))
    return {"residual": ops.mul(J, ops.sub(gx, ops.mul(Df, ge)))}


def _dropped_metric(ops, inp):
    """eq. (6) with the metric dropped from the second Gram matrix (G~ = J~^T J~)."""
    J, g, dL, Df = inp["J"], inp["g"], inp["dL"], inp["Df"]
    Jt = ops.T(J)
    gx = ops.mul(ops.pinv(ops.mul(ops.mul(Jt, g), J), psd=True), ops.mul(Jt, dL))
    Jtil = ops.mul(J, Df)
    Jtt = ops.T(Jtil)
    ge = ops.mul(ops.pinv(ops.mul(Jtt, Jtil), psd=True), ops.mul(Jtt, dL))
    return {"residual": ops.mul(J, ops.sub(gx, ops.mul(Df, ge)))}


def _off_by_one_gradient(ops, inp):
    """Theorem 1 with nabla L shifted by e_1."""
    inp = dict(inp)
    out = theorem1_residual(ops, inp)
    J, g, dL = inp["J"], inp["g"], inp["dL"]
    Jt = ops.T(J)
    G = ops.mul(ops.mul(Jt, g), J)
    nab = ops.mul(Jt, dL)
    nab = [[x + (ops.one if i == 0 else ops.zero) for x in row] for i, row in enumerate(nab)]
    manifold = ops.mul(J, ops.mul(ops.pinv(G, psd=True), nab))
    return {"residual": ops.sub(manifold, out["riesz"])}


def _claim(kind, model_fn):
    M, f = model_fn()
    L = sum((zi - k - 1) ** 2 for k, zi in enumerate(M.z))
    if kind == "off-by-one":
        return Claim("wrong Theorem 1", {"J": M.J, "g": M.g_phi, "dL": sg.loss_differential(M, L)},
                     M.xi, _off_by_one_gradient, positive=M.metric.domain(list(M.phi)))
    sub = dict(zip(M.xi, f.f))
    inputs = {"J": M.J.xreplace(sub), "g": M.g_phi.xreplace(sub),
              "dL": sg.loss_differential(M, L).xreplace(sub), "Df": f.Df}
    fn = {"perturbed-inverse": _perturbed_inverse, "dropped-metric": _dropped_metric}[kind]
    pos = tuple(e.xreplace(sub) for e in M.metric.domain(list(M.phi)))
    return Claim(f"wrong eq. (6): {kind}", inputs, f.eta, fn, positive=pos)


WRONG = [("perturbed-inverse", product), ("perturbed-inverse", lambda: softmax(3)),
         ("dropped-metric", lambda: softmax(3)), ("dropped-metric", ACCEPTANCE["gaussian"]),
         ("off-by-one", product), ("off-by-one", ACCEPTANCE["polar"])]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("kind,model_fn", WRONG, ids=[f"{k}-{i}" for i, (k, _) in enumerate(WRONG)])
def test_wrong_claims_are_refuted(kind, model_fn, level):
    cert = decide(_claim(kind, model_fn), levels=(level,), seed=5).certificate
    assert cert.witness is not None
    if level == "exact":
        assert cert.verdict is Verdict.REFUTED, cert.summary()
        assert "REFUTED" in cert.summary()
        return
    if level == "probabilistic":
        # refuted only at a point where every rank decision had full rank (then the point is generic); a
        # non-zero value where a rank is below full may be that point's rank drop: evidence, not a refutation
        assert cert.holds is not True, cert.summary()
        if cert.verdict is Verdict.REFUTED:
            assert cert.witness.certified and "full rank" in cert.method
        else:
            assert cert.verdict is Verdict.UNDECIDED and "evidence against the claim" in cert.summary()
            assert not cert.witness.certified
        return
    # at the numeric level a wrong claim is never supported; it is refuted only with a witness that
    # interval arithmetic certifies, and otherwise undecided with the numeric evidence against it
    assert cert.holds is not True and cert.verdict is not Verdict.NUMERIC, cert.summary()
    if cert.verdict is Verdict.REFUTED:
        assert cert.witness.certified and "certified by interval arithmetic" in cert.summary()
    else:
        assert cert.verdict is Verdict.UNDECIDED and "numeric evidence against the claim" in cert.summary()


@pytest.mark.parametrize("level", LEVELS)
def test_the_correct_claim_passes_at_every_level(level):
    M, f = softmax(3)
    sub = dict(zip(M.xi, f.f))
    L = sum((zi - k - 1) ** 2 for k, zi in enumerate(M.z))
    inputs = {"J": M.J.xreplace(sub), "g": M.g_phi.xreplace(sub),
              "dL": sg.loss_differential(M, L).xreplace(sub), "Df": f.Df}
    cert = decide(Claim("eq. (6)", inputs, f.eta, invariance_residual,
                        positive=tuple(e.xreplace(sub) for e in M.metric.domain(list(M.phi)))),
                  levels=(level,), seed=9).certificate
    assert cert.verdict in (Verdict.PROVED, Verdict.PROVED_PROBABILISTIC, Verdict.NUMERIC)
    assert cert.verdict.name.startswith({"exact": "PROVED", "probabilistic": "PROVED_PROB",
                                         "numeric": "NUMERIC"}[level])


def test_degree_tracking_is_an_upper_bound():
    x, y = sp.symbols("x y")
    from symgrad.exact.lifting import Lifting
    exprs = [(x**2 + y) / (x - y**3), x * y + 1]
    L = Lifting.build(exprs, (x, y))
    a, b = (L.lift(e) for e in exprs)
    pt = [3, 5]
    A = DegreeTracked(a.evaluate(pt), *a.degrees())
    B = DegreeTracked(b.evaluate(pt), *b.degrees())
    for sym, tr in [(a * b + a / b, A * B + A / B), (a - b * b, A - B * B)]:
        nd, dd = sym.degrees()
        assert nd <= tr.num_deg and dd <= tr.den_deg
        assert sym.evaluate(pt) == tr.value


# -- the numeric level: what it may and may not conclude -----------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_numeric_level_does_not_refute_a_true_identity_at_special_points(seed):
    # only numbers decide here; Df = -7 pi sin(7 pi u) vanishes at every integer u, where the comparison
    # of eq. (6) degenerates.  Random sample points miss those.
    a, u = sp.symbols("a u", real=True)
    cert = sg.check_invariance(sg.Model([a], [a]), sg.Reparametrisation([sp.cos(7 * sp.pi * u)], [u]),
                               seed=seed, levels=("numeric",)).certificate
    assert cert.verdict is Verdict.NUMERIC, cert.summary()


def test_numeric_level_refutes_a_small_perturbation():
    # 10^-20 is far above the noise at 50 digits: not "supported numerically"; interval arithmetic at the
    # witness point encloses the residual away from zero, so the refutation is certified
    x = sp.Symbol("x", positive=True)
    A = sp.Matrix([[sp.cos(x) ** 2 + sp.sin(x) ** 2 - 1 + sp.Rational(1, 10**20)]])
    cert = decide(Claim("perturbed trig identity", {"A": A}, (x,), lambda o, i: {"residual": i["A"]}),
                  seed=1, levels=("numeric",)).certificate
    assert cert.verdict is Verdict.REFUTED and cert.witness is not None and not cert.witness.exact
    assert cert.witness.certified


def test_numeric_level_is_undecided_when_the_points_disagree():
    # a residual that vanishes on half of the domain only: zero at some points, not at others
    x = sp.Symbol("x", real=True)
    A = sp.Matrix([[sp.Abs(x) - x]])
    verdicts = {decide(Claim("|x| = x", {"A": A}, (x,), lambda o, i: {"residual": i["A"]}), seed=s,
                       trials=4).certificate.verdict for s in range(8)}
    # never "proved"; undecided whenever the points fall on both sides of 0 (which some seeds do)
    assert verdicts <= {Verdict.UNDECIDED, Verdict.REFUTED, Verdict.NUMERIC}
    assert Verdict.UNDECIDED in verdicts


def test_refuted_without_exact_witness_gives_a_numeric_one():
    # sqrt lifts to a new variable; exact points must be perfect squares, so the witness is numeric
    a, b = sp.symbols("a b", positive=True)
    A = sp.Matrix([[sp.sqrt(a) * b**3 + sp.sqrt(b)]])
    cert = decide(Claim("sqrt(a) b^3 + sqrt(b) = 0", {"A": A}, (a, b), lambda o, i: {"residual": i["A"]}),
                  seed=0).certificate
    assert cert.verdict is Verdict.REFUTED
    assert cert.witness is not None and "None" not in cert.summary()


# -- the probabilistic level: "proved" only with an error bound of at most 2^-40 ---------------------

def test_the_threshold_is_pinned():
    from symgrad.proof import PROOF_THRESHOLD
    assert PROOF_THRESHOLD == sp.Rational(1, 2**40)


def _polynomial_claim():
    # (x + y)(x - y) = x^2 - y^2, multiplied out at the point: the residual has degree 2
    x, y = sp.symbols("x y", real=True)
    inputs = {"A": sp.Matrix([[x + y]]), "B": sp.Matrix([[x - y]]), "C": sp.Matrix([[x**2 - y**2]])}
    return Claim("difference of squares", inputs, (x, y),
                 lambda ops, m: {"residual": ops.sub(ops.mul(m["A"], m["B"]), m["C"])})


def test_a_bound_above_the_threshold_is_never_proved(monkeypatch):
    import symgrad.proof as proof
    # a sample set of 8 values: each point bounds the chance of a false zero by 2/8 only, and twelve points
    # leave (1/4)^12 = 2^-24 > 2^-40; the level must not call that a proof
    monkeypatch.setattr(proof, "_FIRST_LOG2_SAMPLE", 3)
    monkeypatch.setattr(proof, "_MAX_LOG2_SAMPLE", 3)
    cert = decide(_polynomial_claim(), levels=("probabilistic",), seed=0).certificate
    assert cert.verdict is Verdict.UNDECIDED, cert.summary()
    assert any("above 2^-40" in n for n in cert.notes)


def test_the_engine_widens_the_sample_set_to_reach_the_threshold(monkeypatch):
    import symgrad.proof as proof
    monkeypatch.setattr(proof, "_FIRST_LOG2_SAMPLE", 3)     # the first point says little; the next ones suffice
    cert = decide(_polynomial_claim(), levels=("probabilistic",), seed=0).certificate
    assert cert.verdict is Verdict.PROVED_PROBABILISTIC
    assert cert.error_bound <= proof.PROOF_THRESHOLD
    assert "2^3 to 2^" in cert.method


def _rbm(nv, nh):
    b = list(sp.symbols(f"b1:{nv + 1}", real=True))
    c = list(sp.symbols(f"c1:{nh + 1}", real=True))
    W = [[sp.Symbol(f"W{i + 1}{j + 1}", real=True) for j in range(nh)] for i in range(nv)]
    weights = []
    for s in range(2 ** nv):
        v = [(s >> i) & 1 for i in range(nv)]
        w = sp.exp(sum(b[i] * v[i] for i in range(nv)))
        for j in range(nh):
            w *= 1 + sp.exp(c[j] + sum(W[i][j] * v[i] for i in range(nv)))
        weights.append(w)
    p = list(sp.symbols(f"p1:{2 ** nv + 1}", positive=True))
    return sg.Model([w / sum(weights) for w in weights], b + c + [x for row in W for x in row], coords=p,
                    metric=sg.Metric.simplex_fisher(p))


@pytest.mark.slow
def test_rbm_theorem1_is_not_a_vacuous_proof():
    # a 2x2 restricted Boltzmann machine: the residual's degree exceeds 2^40, so the first point's bound is 1;
    # the engine must widen the sample set instead of printing "error probability at most 1.00e0"
    from symgrad.gradient import riesz_gradient_claim
    from symgrad.proof import PROOF_THRESHOLD
    cert = decide(riesz_gradient_claim(_rbm(2, 2), sg.ANY_LOSS), levels=("probabilistic",), seed=0,
                  budget=120).certificate
    assert cert.verdict is Verdict.PROVED_PROBABILISTIC, cert.summary()
    assert cert.error_bound <= PROOF_THRESHOLD
    assert "1.00e0" not in cert.summary()


# -- true identities on ill-conditioned models: a floating-point residual never refutes ----------------

def _ill_conditioned():
    a, b = sp.symbols("a b", real=True)
    eps = sp.Rational(1, 10**13)
    return {"eps": sg.Model([a * b, eps * a], [a, b]), "scaled-up": sg.Model([10**13 * a * b], [a, b]),
            "scaled-down": sg.Model([eps * a * b], [a, b]), "exp": sg.Model([sp.exp(20 * a**2 + 1) * b], [a, b])}


@pytest.mark.parametrize("name", ["eps", "scaled-up", "scaled-down", "exp"])
def test_true_identities_on_ill_conditioned_models_are_never_refuted(name):
    from symgrad.gradient import check_generalised_inverses, check_theorem1
    M = _ill_conditioned()[name]
    u, v = sp.symbols("u v", real=True)
    f = sg.Reparametrisation([u + v**3, v], [u, v])
    for seed in range(2):
        for cert in (check_theorem1(M, levels=("numeric",), seed=seed),
                     check_generalised_inverses(M, levels=("numeric",), seed=seed),
                     sg.check_invariance(M, f, levels=("numeric",), seed=seed).certificate):
            assert cert.verdict is not Verdict.REFUTED, cert.summary()
            assert cert.verdict in (Verdict.NUMERIC, Verdict.UNDECIDED)


# -- refutations need a generic point: a rank drop of the sample point is not a counterexample ----------

def _generic_inverse_claim(shift=0):
    # pinv(A) A = I holds for A = diag(x, y) wherever x y != 0 (generically); at y = 0 the point's own
    # pseudo-inverse gives diag(1, 0): a rank drop, not a counterexample.  shift=1 plants a wrong claim.
    x, y = sp.symbols("x y", real=True)
    A = sp.Matrix([[x, 0], [0, y]])

    def compute(ops, m):
        P = ops.mul(ops.pinv(m["A"]), m["A"])
        return {"residual": [[P[i][j] - (ops.one * (1 + shift) if i == j else ops.zero) for j in range(2)]
                             for i in range(2)]}
    return Claim("pinv(A) A = I" if not shift else "pinv(A) A = 2 I", {"A": A}, (x, y), compute)


@pytest.mark.parametrize("seed", range(6))
def test_probabilistic_level_never_refutes_at_a_rank_drop(monkeypatch, seed):
    import symgrad.proof as proof
    # sample sets of two values {-1, 0}: most points have x = 0 or y = 0, where the rank drops
    monkeypatch.setattr(proof, "_FIRST_LOG2_SAMPLE", 1)
    monkeypatch.setattr(proof, "_MAX_LOG2_SAMPLE", 1)
    cert = decide(_generic_inverse_claim(), levels=("probabilistic",), seed=seed).certificate
    assert cert.verdict is not Verdict.REFUTED, cert.summary()
    assert cert.verdict is not Verdict.PROVED_PROBABILISTIC      # a bound of 1/2 per point is no proof
    # independent check: at a rank-drop point the residual really is non-zero, at a generic one zero
    A0 = sp.Matrix([[-1, 0], [0, 0]])
    assert A0.pinv() * A0 != sp.eye(2)
    A1 = sp.Matrix([[-1, 0], [0, -1]])
    assert A1.pinv() * A1 == sp.eye(2)


def test_probabilistic_level_refutes_at_a_full_rank_point():
    cert = decide(_generic_inverse_claim(shift=1), levels=("probabilistic",), seed=0).certificate
    assert cert.verdict is Verdict.REFUTED and cert.witness.certified and "full rank" in cert.method


def test_exact_evidence_is_not_outweighed_by_numeric_agreement(monkeypatch):
    import symgrad.proof as proof
    monkeypatch.setattr(proof, "_FIRST_LOG2_SAMPLE", 1)
    monkeypatch.setattr(proof, "_MAX_LOG2_SAMPLE", 1)
    for seed in range(4):
        cert = decide(_generic_inverse_claim(), levels=("probabilistic", "numeric"), seed=seed).certificate
        assert cert.verdict in (Verdict.UNDECIDED, Verdict.NUMERIC), cert.summary()
        if any("evidence against" in n for n in cert.notes):
            assert cert.verdict is Verdict.UNDECIDED


def test_the_vacuous_bound_is_never_proved(monkeypatch):
    import symgrad.proof as proof
    # one value in the sample set: each point's bound is 1; "error probability at most 1.00e0" is no proof
    monkeypatch.setattr(proof, "_FIRST_LOG2_SAMPLE", 0)
    monkeypatch.setattr(proof, "_MAX_LOG2_SAMPLE", 0)
    cert = decide(_polynomial_claim(), levels=("probabilistic",), seed=0).certificate
    assert cert.verdict is Verdict.UNDECIDED and "1.00e0" not in cert.summary().split("bound")[0]
    assert cert.holds is None


def test_reprs_are_short_and_say_the_finding():
    t = sp.Symbol("t", real=True)
    A = sp.Matrix([[sp.cos(t)**2 + sp.sin(t)**2 - 1]])
    claim = Claim("cos^2 + sin^2 = 1", {"A": A}, (t,), lambda ops, inp: {"residual": inp["A"]})
    assert repr(claim) == "<Claim 'cos^2 + sin^2 = 1': residual from A (1x1) in t>"
    D = decide(claim, seed=0)
    assert repr(D.certificate) == "<Certificate 'cos^2 + sin^2 = 1': proved exactly (Q(t, tan(t/2)))>"
    assert repr(D).startswith("<Decision 'cos^2 + sin^2 = 1': proved exactly")
    x, y = sp.symbols("x y", real=True)
    wrong = Claim("x y = x", {"A": sp.Matrix([[x * y - x]])}, (x, y), lambda ops, inp: {"residual": inp["A"]})
    cert = decide(wrong, seed=0, levels=("exact",)).certificate
    assert repr(cert).startswith("<Certificate 'x y = x': refuted, at x = ") and len(repr(cert)) < 160
    w = cert.witness
    # the witness is exact: the residual x y - x really is the stated value at the stated point
    (i, j), v = w.value["entry"], w.value["value"]
    assert (x * y - x).xreplace({x: w.point[x], y: w.point[y]}) == v != 0
    tex = w._repr_latex_()
    assert tex.startswith("$") and tex.count("{") == tex.count("}")
    assert r"\text{ is exactly }" + sp.latex(v) in tex and w.point == {x: 1, y: 0}  # the simplest failing point
    num = decide(wrong, seed=0, levels=("numeric",)).certificate
    assert repr(num).startswith("<Certificate 'x y = x': refuted") or "undecided" in repr(num)
