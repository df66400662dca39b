"""G^+ in a structured form when J has neither full row nor full column rank (issue 14): the
full-rank factorisation G^+ = R^T K^-1 g_B^-1 K^-1 R (J = B R) and the projector form
G^+ = (G + P)^-1 - P, each decided by the premises of its Penrose argument, checked against the
expanded Moore-Penrose inverse exactly and against SymPy's own pinv at rational points, and typeset."""
from __future__ import annotations

import random

import pytest
import sympy as sp
from sympy.polys.matrices import DomainMatrix

import symgrad as sg
import symgrad.structured as structured
from symgrad.structured import RankForm, rank_form
from symgrad.proof import Verdict

a, b, c, u1, u2, v1, v2 = sp.symbols("a b c u1 u2 v1 v2", real=True)


def bottleneck():
    """A depth-3 linear network with a width-1 bottleneck: the 2x2 matrix a u v^T, rank 3 < 4 outputs < 5 parameters."""
    phi = [a * u1 * v1, a * u1 * v2, a * u2 * v1, a * u2 * v2]
    return sg.Model(phi, params=[a, u1, u2, v1, v2], name="bottleneck"), sum(z**2 for z in sp.symbols("z1:5")) / 2


def redundant():
    """A distribution on three outcomes with a redundant parameter (the empirical-Fisher model, Euclidean metric)."""
    return sg.Model([a + b, c, 1 - a - b - c], params=[a, b, c]), None


def softmax3():
    th = sp.symbols("th1:4", real=True)
    p = sp.symbols("p1:4", positive=True)
    Z = sum(sp.exp(t) for t in th)
    return sg.Model([sp.exp(t) / Z for t in th], th, coords=p, metric=sg.Metric.simplex_fisher(p)), -sp.log(p[0])


MODELS = {"bottleneck": bottleneck, "redundant": redundant, "softmax3": softmax3}


def _loss(M, loss):
    return loss if loss is not None else (M.z[0] - 1) ** 2 / 2 + M.z[1] * M.z[2]


def _structured(F: RankForm, M, pt) -> sp.Matrix:
    """The structured G^+ at a point, multiplied out in SymPy from the form's own parts (independent of
    symgrad's algebra)."""
    def at(X):
        return sp.Matrix(X).subs(pt).applyfunc(sp.simplify)
    if F.kind == "factorisation":
        Rm, K, gB = at(F.R), at(F.K), at(F.g_B)
        return Rm.T * K.inv() * gB.inv() * K.inv() * Rm
    P = at(F.P)
    return (at(M.G) + P).inv() - P


def _rational_points(M, k, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(k):
        if any(isinstance(e, sp.exp) for x in M.phi for e in sp.preorder_traversal(x)):
            # exp(theta) rational: theta = log q
            out.append({x: sp.log(sp.Rational(rng.randint(1, 9), rng.randint(1, 5))) for x in M.xi})
        else:
            out.append({x: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for x in M.xi})
    return out


@pytest.mark.parametrize("kind", ["factorisation", "projector"])
@pytest.mark.parametrize("name", MODELS)
def test_both_forms_are_proved_and_equal_the_moore_penrose_inverse(name, kind):
    M, loss = MODELS[name]()
    ng = sg.natural_gradient(M, _loss(M, loss), seed=0)
    F = rank_form(M, ng, kind=kind)
    assert isinstance(F, RankForm) and F.kind == kind
    assert F.certificate.verdict is Verdict.PROVED, F.certificate
    assert F.rank == sp.Matrix(M.J).subs(_rational_points(M, 1, 1)[0]).rank() < min(M.dim_ambient, M.n_params)
    J = sp.Matrix(M.J)
    B = J[:, list(F.cols)]
    assert (B * F.R - J).applyfunc(sp.simplify) == sp.zeros(*J.shape)          # J = B R
    assert (J * F.N).applyfunc(sp.simplify) == sp.zeros(J.rows, F.N.cols)     # J N = 0
    for pt in _rational_points(M, 3, 7):
        Gp = sp.Matrix(M.G).subs(pt).applyfunc(sp.simplify)
        Xp = _structured(F, M, pt)
        assert Xp == Gp.pinv().applyfunc(sp.simplify)                          # SymPy's own pinv at the point
        assert Xp == sp.Matrix(M.G_plus.matrix).subs(pt).applyfunc(sp.simplify)  # the expanded formula there
        assert Gp * Xp * Gp == Gp and Xp * Gp * Xp == Xp                        # Penrose, exactly at the point
        assert (Gp * Xp).T == Gp * Xp and (Xp * Gp).T == Xp * Gp


def test_structured_and_expanded_forms_are_the_same_rational_functions():
    # exact equality as rational functions, not only at points (the bottleneck network, polynomial J)
    M, loss = bottleneck()
    ng = sg.natural_gradient(M, _loss(M, loss), seed=0)
    field = sp.QQ.frac_field(*M.xi)                 # SymPy's own rational-function field, not symgrad's

    def dm(X):
        return DomainMatrix.from_Matrix(sp.Matrix(X)).convert_to(field)

    Gplus = dm(M.G_plus.matrix)
    F = rank_form(M, ng, kind="factorisation")
    R, K, gB = dm(F.R), dm(F.K), dm(F.g_B)
    assert R.transpose() * K.inv() * gB.inv() * K.inv() * R == Gplus
    F = rank_form(M, ng, kind="projector")       # G^+ = (G + P)^-1 - P  <=>  (G + P)(G^+ + P) = I
    GP = dm(M.G) + dm(F.P)
    assert GP * (Gplus + dm(F.P)) == DomainMatrix.eye(M.n_params, field)


def test_the_shorter_form_is_chosen():
    M, loss = softmax3()
    F = rank_form(M, sg.natural_gradient(M, loss, seed=0))
    # the projector onto (1, 1, 1) prints far shorter than R, K and g_B in the logits
    assert F.kind == "projector" and F.lengths["projector"] < F.lengths["factorisation"]
    assert F.P == sp.ones(3, 3) / 3 and F.N.T == sp.Matrix([[1, 1, 1]])
    M, loss = bottleneck()
    F = rank_form(M, sg.natural_gradient(M, _loss(M, loss), seed=0))
    assert F.lengths[F.kind] == min(F.lengths.values())


def test_a_wrong_gradient_is_refuted():
    M, loss = redundant()
    ng = sg.natural_gradient(M, _loss(M, loss), seed=0)

    class Tampered:  # the same gradient with one entry of eq. (5) doubled
        parameter = sp.ImmutableMatrix([2 * ng.parameter[0]] + list(ng.parameter[1:]))
        manifold, dL, nabla, loss = ng.manifold, ng.dL, ng.nabla, ng.loss
    for kind in ("factorisation", "projector"):
        F = rank_form(M, Tampered(), kind=kind)  # type: ignore[arg-type]
        assert F is not None and F.certificate.verdict is Verdict.REFUTED


def test_a_null_space_basis_that_misses_the_kernel_is_refuted(monkeypatch):
    # J N = 0 is a premise: a basis that is not in the null space is refuted, not trusted
    M, loss = bottleneck()
    ng = sg.natural_gradient(M, _loss(M, loss), seed=0)
    real = structured._null_basis
    monkeypatch.setattr(structured, "_null_basis", lambda R, cols: sp.ImmutableMatrix(real(R, cols) + sp.ones(5, 2)))
    F = rank_form(M, ng, kind="projector")
    assert F is not None and F.certificate.verdict is Verdict.REFUTED


def test_no_structured_form_when_G_or_J_J_T_is_invertible():
    r, t = sp.symbols("r t", real=True)
    polar = sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t])     # G invertible
    assert rank_form(polar, sg.natural_gradient(polar, polar.z[0], seed=0)) is None
    prod = sg.Model([a * b], params=[a, b])                                 # full row rank: Factorisation's case
    assert rank_form(prod, sg.natural_gradient(prod, prod.z[0], seed=0)) is None
    with pytest.raises(sg.SymgradError, match="kind="):
        rank_form(prod, sg.natural_gradient(prod, prod.z[0], seed=0), kind="svd")


def test_the_appendix_shows_the_structured_form():
    M, loss = redundant()
    d = sg.Derivation(key="redundant", title="A redundant parameter", summary="", model=M, loss=_loss(M, loss))
    rep = sg.run_derivation(d, seed=0)
    assert rep.rank_form is not None and ("structured G^+", rep.rank_form.certificate) in rep.checks
    assert rep.factorised is None and rep.ok()
    tex = sg.render(rep).tex
    assert r"\label{eq:redundant-Gplus-factor}" in tex and r"\label{eq:redundant-grad-param-factor}" in tex
    if rep.rank_form.kind == "projector":
        assert r"G^{+} = (G + P)^{-1} - P" in tex
    else:
        assert r"G^{+} = R^{\top} K^{-1} g_B^{-1} K^{-1} R" in tex
    assert "proved exactly" in tex
    from symgrad.render import code_text
    assert code_text(tex) == []
