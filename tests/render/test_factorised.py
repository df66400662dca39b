"""G^+ in factorised form (issue 14): ``G^+ = J^T K^-1 g^-1 K^-1 J`` with ``K = J J^T`` when ``J`` has
full row rank, proved equal to the expanded Moore-Penrose inverse, checked against an independent
inverse at rational points, and the width-2 linear network's section within its page budget."""
from __future__ import annotations

import dataclasses
import random
import re
import shutil
import subprocess

import pytest
import sympy as sp

import symgrad as sg
from symgrad.derivation import Factorisation, factorise
from symgrad.proof import Verdict
from symgrad.render import code_text, write_outputs
from test_latexmk import require_tex

PAGE_BUDGET = 4  # pages of the width-2 linear network's section (issue 14)


@pytest.fixture(scope="module")
def network_report():
    return sg.run_derivation(sg.load_derivation("linear-network"), seed=0)


def _penrose_inverse_at(G: sp.Matrix) -> sp.Matrix:
    """The Moore-Penrose inverse of a rational matrix by SymPy (rank factorisation), independent of symgrad."""
    return sp.Matrix(G).pinv()


def test_network_factorisation_is_proved_exactly(network_report):
    F = network_report.factorised
    assert isinstance(F, Factorisation)
    assert F.certificate.verdict is Verdict.PROVED and F.eta_certificate.verdict is Verdict.PROVED
    names = [n for n, _ in network_report.checks]
    assert "factorised G^+" in names and "factorised Delta grad" in names
    M = network_report.derivation.model
    J = sp.Matrix(M.J)
    assert sp.expand(F.K - J * J.T) == sp.zeros(2, 2) and F.euclidean


def test_factorised_form_equals_an_independent_pseudo_inverse_at_rational_points(network_report):
    M = network_report.derivation.model
    J = sp.Matrix(M.J)
    rng = random.Random(5)
    for _ in range(3):
        pt = {x: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for x in M.xi}
        Jp = J.subs(pt)
        K = Jp * Jp.T
        factor = Jp.T * K.inv() * K.inv() * Jp                      # g = I
        assert factor == _penrose_inverse_at(Jp.T * Jp)              # SymPy's own pinv of G at the point
        assert factor == sp.Matrix(M.G_plus.matrix).subs(pt)        # the expanded formula at the point
        for A, B in ((factor, Jp.T * Jp),):                          # Penrose conditions, exactly
            assert B * A * B == B and A * B * A == A and (A * B).T == A * B and (B * A).T == B * A


def test_a_wrong_expansion_is_refuted():
    a, b = sp.symbols("a b", real=True)
    M = sg.Model([a * b], params=[a, b])
    ng = sg.natural_gradient(M, (M.z[0] - 1) ** 2 / 2, seed=0)
    F = factorise(M, ng)
    assert F is not None and F.certificate.verdict is Verdict.PROVED
    assert F.K == sp.Matrix([[a**2 + b**2]])

    class Tampered:  # the same gradient object with one entry of eq. (5) doubled
        parameter = sp.ImmutableMatrix([2 * ng.parameter[0], ng.parameter[1]])
        manifold, dL, loss = ng.manifold, ng.dL, ng.loss
    bad = factorise(M, Tampered())  # type: ignore[arg-type]
    assert bad is not None and bad.certificate.verdict is Verdict.REFUTED


def test_no_factorisation_unless_J_has_full_row_rank_and_the_model_is_overparametrised():
    r, t = sp.symbols("r t", real=True)
    polar = sg.Model([r * sp.cos(t), r * sp.sin(t)], params=[r, t])      # G invertible: nothing to factorise
    assert factorise(polar, sg.natural_gradient(polar, polar.z[0], seed=0)) is None
    a, b, c = sp.symbols("a b c", real=True)
    flat = sg.Model([a + b, 2 * a + 2 * b, c], params=[a, b, c])          # rank 2 < 3 coordinates
    assert factorise(flat, sg.natural_gradient(flat, flat.z[0], seed=0)) is None


@pytest.fixture(scope="module")
def network_rendered(network_report):
    return sg.render(network_report)       # the LaTeX only, as written beside a supplement


def test_expansions_move_to_the_supplement(network_rendered):
    kept = network_rendered
    assert "appendix-expanded.tex" in kept.tex and kept.supplement is not None
    assert r"\label{eq:linear-network-Gplus}" not in kept.tex          # 49 lines: in the supplement
    assert r"\label{eq:linear-network-Gplus-factor}" in kept.tex
    assert r"\label{eq:linear-network-Gplus}" in kept.supplement
    assert r"\label{eq:linear-network-delta}" in kept.supplement and code_text(kept.supplement) == []


def _pages(pdf) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))


@pytest.mark.tex
def test_width_2_network_section_fits_its_page_budget(network_rendered, tmp_path):
    require_tex()
    if shutil.which("pdfinfo") is None:
        pytest.fail("pdfinfo (poppler-utils) is not on PATH; .ci/run installs it")
    result = write_outputs(network_rendered.tex, tmp_path, pdf=True)
    aux = (tmp_path / "appendix.aux").read_text()
    start = int(re.search(r"\\newlabel\{sec:linear-network\}\{\{\d+\}\{(\d+)\}", aux).group(1))
    pages = _pages(result["pdf"]) - start + 1
    assert 1 <= pages <= PAGE_BUDGET, f"the section takes {pages} pages (budget {PAGE_BUDGET})"
    assert not [w for w, _ in result["overfull"] if w > 3.0], result["overfull"]


@pytest.mark.tex
@pytest.mark.slow
def test_supplement_compiles(network_rendered, tmp_path):
    require_tex()
    result = write_outputs(network_rendered.supplement, tmp_path, basename="appendix-expanded", pdf=True)
    assert result["pdf"].exists() and not [w for w, _ in result["overfull"] if w > 3.0], result["overfull"]


def test_an_unproved_factorisation_is_not_printed(monkeypatch):
    import symgrad.derivation as dmod
    from symgrad.proof import Certificate
    real = dmod.factorise

    def numeric_only(*args, **kw):
        F = real(*args, **kw)
        return dataclasses.replace(F, certificate=Certificate("x", Verdict.NUMERIC, "mpmath", dps=50))

    monkeypatch.setattr(dmod, "factorise", numeric_only)
    rep = sg.run_derivation(sg.load_derivation("product"), seed=0)
    assert rep.factorised is None and "factorised G^+" not in [n for n, _ in rep.checks]
    assert any("factorised form of G^+ was not proved" in n for n in rep.notes)
    assert rep.ok() and not rep.unproved                  # a display aid does not make the run unproved


def test_factorised_eta_vectors_equal_the_library_expansions(network_report):
    # grad^H and Delta grad through K~ (the Penrose argument) against the library's own expansions
    # through the Gram matrix of phi o f: the same rational functions
    F, inv = network_report.factorised, network_report.invariance
    assert F.grad_eta is not None and F.delta is not None and F.grad_xi_eta is not None
    for mine, theirs in ((F.grad_eta, inv.grad_eta), (F.delta, inv.delta), (F.grad_xi_eta, inv.grad_xi)):
        assert sp.Matrix(mine).shape == sp.Matrix(theirs).shape
        assert all(sp.cancel(sp.together(x - y)) == 0 for x, y in zip(mine, theirs))


def test_the_factorised_check_never_multiplies_the_expanded_inverse(monkeypatch):
    # the Penrose argument decides only small premises: reading the expanded G^+ would be an error
    from symgrad.inverse import PseudoInverse
    a, b, c = sp.symbols("a b c", real=True)
    M = sg.Model([a * b + c, a - c**2], params=[a, b, c])
    ng = sg.natural_gradient(M, (M.z[0] - 1) ** 2 / 2 + M.z[1] ** 2 / 2, seed=0)
    assert M.G_plus.penrose.holds                          # computed before the guard is set

    def forbidden(self):
        raise AssertionError("factorise read the expanded G^+")

    monkeypatch.setattr(PseudoInverse, "matrix", property(forbidden))
    F = factorise(M, ng)
    assert F is not None and F.certificate.verdict is Verdict.PROVED
    J = sp.Matrix(M.J)
    X = J.T * (J * J.T).inv() * (J * J.T).inv() * J       # g = I; checked at a point against SymPy's pinv
    pt = {a: sp.Rational(1, 2), b: 3, c: -2}
    assert X.subs(pt) == (J.T * J).subs(pt).pinv()


def test_a_wrong_gram_matrix_is_refuted_by_the_premises(monkeypatch):
    # G = J^T g J is a premise of the argument: a model whose G is not that product is refuted
    a, b = sp.symbols("a b", real=True)
    M = sg.Model([a * b], params=[a, b])
    ng = sg.natural_gradient(M, (M.z[0] - 1) ** 2 / 2, seed=0)
    assert M.G_plus.penrose.holds
    monkeypatch.setattr(type(M), "G", property(lambda self: sp.ImmutableMatrix([[b**2, a * b], [a * b, 2 * a**2]])))
    F = factorise(M, ng)
    assert F is not None and F.certificate.verdict is Verdict.REFUTED


def test_a_long_exact_witness_is_shown_by_its_decimal():
    from symgrad.proof import Certificate, Witness
    from symgrad.render.context import LONG_WITNESS_CHARS, _long_witness
    long_value = sum(sp.exp(k) / (k + 1) for k in range(30)) / sp.exp(30)
    w = Witness({sp.Symbol("u"): 1}, {"entry": (2, 1), "value": long_value}, exact=True)
    out = _long_witness(Certificate("Delta grad = 0", Verdict.REFUTED, "exact", witness=w))
    assert out["delta_witness_long"] and out["delta_witness_chars"] > LONG_WITNESS_CHARS
    ref = sp.N(long_value, 30)                               # mpmath-backed, independent of the filter
    assert abs(float(out["delta_witness_decimal"]) - float(ref)) < 1e-9 * abs(float(ref))
    assert out["delta_witness_entry"] == r"(\Delta\operatorname{grad})_{2}"
    short = Witness({sp.Symbol("u"): 1}, {"entry": (1, 1), "value": sp.Rational(3, 7)}, exact=True)
    assert _long_witness(Certificate("x", Verdict.REFUTED, "exact", witness=short)) == {}
