"""Tests of symgrad.render.environment: the Jinja environment, the templates, render_document."""
from __future__ import annotations

import re

import pytest
import sympy as sp

from symgrad.exceptions import RenderError, TemplateError
from symgrad.render import (
    make_environment,
    render_document,
)
from render_contexts import nodal_cubic_context, wide_context

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))



def test_delimiters_leave_tex_alone():
    source = r"\newcommand{\pair}[2]{{#1},{#2}} {{x}} 100% {% raw %} \def\a#1{#1} ((( v ))) ((= gone =))."
    out = make_environment().from_string(source).render(v="V")
    assert out == r"\newcommand{\pair}[2]{{#1},{#2}} {{x}} 100% {% raw %} \def\a#1{#1} V ."


def test_blocks_trim_and_strip():
    source = "a\n  ((* if true *))\nb\n  ((* endif *))\nc\n"
    assert make_environment().from_string(source).render() == "a\nb\nc\n"


def test_undefined_name_raises_template_error_naming_template_and_line():
    env = make_environment()
    with pytest.raises(TemplateError, match=r"line 2.*'missing' is undefined"):
        env.from_string("ok\n((( missing )))").render()


def test_missing_key_in_derivation_context_names_the_template():
    ctx = nodal_cubic_context()
    del ctx["rank"]
    with pytest.raises(TemplateError, match=r"derivation\.tex\.j2.*has no attribute 'rank'"):
        render_document([ctx])


def test_missing_template_raises_template_error():
    with pytest.raises(TemplateError, match="'nope.tex.j2' not found"):
        make_environment().get_template("nope.tex.j2")
    with pytest.raises(TemplateError, match="not found"):
        make_environment().from_string('((* extends "nope.tex.j2" *))').render()


def test_syntax_error_raises_template_error_with_line():
    with pytest.raises(TemplateError, match="line 2"):
        make_environment().from_string("a\n((* if *))")


def test_filter_errors_are_located():
    with pytest.raises(TemplateError, match=r"line 1.*TypeError.*escape_latex"):
        make_environment().from_string("((( 'text' | latex )))").render()


def test_missing_template_directory():
    with pytest.raises(TemplateError, match="does not exist"):
        make_environment(["/nonexistent/symgrad-templates"])


def test_user_directory_overrides_a_block(tmp_path):
    (tmp_path / "appendix.tex.j2").write_text(
        '((* extends "symgrad/appendix.tex.j2" *))\n'
        "((* block contents *))\nUSER-CONTENTS\n((* endblock contents *))\n")
    (tmp_path / "derivation.tex.j2").write_text(
        '((* extends "symgrad/derivation.tex.j2" *))\n'
        "((* block figure *))\nUSER-FIGURE for ((( d.key | label )))\n((* endblock figure *))\n")
    tex = render_document([nodal_cubic_context()], template_dirs=[tmp_path])
    assert "USER-CONTENTS" in tex and r"\tableofcontents" not in tex
    assert "USER-FIGURE for nodal-cubic" in tex and r"\begin{tikzpicture}" not in tex
    assert r"\documentclass" in tex and r"\begin{theorem}" in tex  # the rest is the package's


def test_user_directory_overrides_the_base(tmp_path):
    (tmp_path / "base.tex.j2").write_text(
        '((* extends "symgrad/base.tex.j2" *))\n'
        "((* block preamble *))\n\\usepackage{microtype}\n((* endblock preamble *))\n")
    tex = render_document([], template_dirs=[tmp_path])
    assert r"\usepackage{microtype}" in tex and r"\section{Parametrisation independence" in tex


def _section(tex: str, title: str) -> str:
    start = tex.index(r"\section{" + title)
    end = tex.find(r"\section{", start + 1)
    return tex[start:end if end > 0 else None]


def test_render_document_contains_the_expected_pieces():
    ctx = nodal_cubic_context()
    tex = render_document([ctx, wide_context()], title="Test & title")
    assert tex.startswith(r"\documentclass[11pt]{article}")
    assert r"\title{Test \& title}" in tex and r"\tableofcontents" in tex
    for env in ("theorem", "proposition", "definition", "remark"):
        assert rf"\newtheorem{{{env}}}" in tex
    assert tex.count(r"\begin{theorem}") == 1 and tex.count(r"\begin{proof}") == 2  # theory once
    assert r"\label{eq:symgrad-grad}" in tex and r"\label{eq:symgrad-delta}" in tex
    sec = _section(tex, "Nodal cubic")
    assert r"\label{sec:nodal-cubic}" in sec
    assert r"(100\% \& more)" in sec and r"t -\textgreater{} (t\textasciicircum{}2" in sec
    assert r"\phi = \begin{pmatrix}t^{2} - 1\\t^{3} - t\end{pmatrix}" in sec
    assert r"J = \begin{pmatrix}2 t\\3 t^{2} - 1\end{pmatrix}" in sec
    assert r"\label{eq:nodal-cubic-G}" in sec and r"\eqref{eq:symgrad-param-grad}" in sec
    assert r"9 t^{4} - 2 t^{2} + 1 \neq 0" in sec
    for verdict in ("PENROSE-VERDICT", "RIESZ-VERDICT", "JDELTA-VERDICT", "TIKHONOV-VERDICT"):
        assert verdict in sec
    assert r"\Delta\operatorname{grad} = 0$, the conclusion of" in sec  # the claim in mathematics
    assert "overparametrised" not in sec  # rank 1 of 1 parameter
    assert r"\item nowhere on the real line" in sec
    assert r"$-1$ & $1$ & $\left(0, 0\right)$ & crossing (exact) \\" in sec  # points as tuples (issue 14)
    assert "exhaustive and exact" in sec and "SCOPE-TEXT" in sec and "respectively, both computed exactly." in sec
    assert r"\begin{tikzpicture}" in sec and r"\label{fig:nodal-cubic}" in sec
    assert r"\subsection{Gradient step}" not in sec
    wide = _section(tex, "Layout test")
    assert "The model is overparametrised" in wide and "Fisher information matrix" in wide
    # entry-by-entry displays are align environments, which may break across pages, one number each
    assert "\\begin{align}\nG_{11} &=" in wide and r"(G^{+})" not in wide
    assert r"\notag\\" in wide and r"\begin{aligned}G_{11}" not in wide
    # the model uses the letter c, so the abbreviations are named kappa
    assert r"\left(G^{+}\right)_{11} &= \kappa_{1}" in wide and r"\kappa_{1} &= \frac{1}{" in wide
    assert r"\neq 0,\\a > 0\end{gathered}" in wide
    assert r"\mathcal{L} &= a^{4}" in wide and "\\\\\n &\\quad +" in wide  # long loss broken
    assert r"\subsection{Reparametrisation}" not in wide and r"\subsection{Gradient step}" in wide
    labels = re.findall(r"\\label\{([^}]*)\}", tex)
    assert len(labels) == len(set(labels))
    assert not re.search(r"\(\(\(|\(\(\*|\(\(=", tex)  # no template syntax leaked


def test_render_document_without_exact_inverse_and_with_optional_keys():
    ctx = dict(nodal_cubic_context(), pinv=None, rank=None, notes=["A note: 5% & more."],
               generalised_verdict="GENERALISED-VERDICT")
    sec = _section(render_document([ctx]), "Nodal cubic")
    assert "No exact formula for the Moore--Penrose inverse" in sec
    assert "rank was not determined exactly" in sec and "overparametrised" not in sec
    assert r"A note: 5\% \& more." in sec and "GENERALISED-VERDICT" in sec


def test_render_fragment_has_no_preamble():
    tex = render_document([nodal_cubic_context()], fragment=True)
    assert r"\documentclass" not in tex and r"\begin{document}" not in tex
    assert r"\usepackage" not in tex and r"\tableofcontents" not in tex
    assert r"\begin{theorem}" in tex and r"\section{Nodal cubic" in tex
    assert tex.lstrip().startswith("% Generated by symgrad")


def test_render_document_refuses_duplicate_keys():
    with pytest.raises(RenderError, match="share the key"):
        render_document([nodal_cubic_context(), nodal_cubic_context()])
