"""Tests of symgrad.render.latexmk: TeX logs, writing outputs, compilation (marked ``tex``)."""
from __future__ import annotations

import os
import re
import shutil

import pytest
import sympy as sp

from symgrad.exceptions import RenderError
from symgrad.render import (
    overfull_boxes,
    render_document,
    tex_errors,
    write_outputs,
)
from render_contexts import nodal_cubic_context, wide_context

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))



# -- logs --------------------------------------------------------------------------

LOG = r"""This is pdfTeX
Overfull \hbox (12.3pt too wide) in paragraph at lines 10--12
[]\OT1/cmr/m/n/10.95 text
Overfull \hbox (0.5pt too wide) detected at line 45
Underfull \hbox (badness 10000) in paragraph at lines 3--4
Overfull \vbox (3.0pt too high) has occurred while \output is active
! Undefined control sequence.
l.42 \foo
         
Here is how much of TeX's memory you used:
"""


def test_overfull_boxes():
    assert overfull_boxes(LOG) == [
        (12.3, r"Overfull \hbox (12.3pt too wide) in paragraph at lines 10--12"),
        (0.5, r"Overfull \hbox (0.5pt too wide) detected at line 45"),
        (3.0, r"Overfull \vbox (3.0pt too high) has occurred while \output is active"),  # off the page
    ]
    assert overfull_boxes("no boxes") == []


def test_tex_errors():
    (error,) = tex_errors(LOG, context=1)
    assert error == "! Undefined control sequence.\nl.42 \\foo"


def test_write_outputs_without_pdf(tmp_path):
    result = write_outputs("hello", tmp_path / "out", basename="doc", pdf=False)
    assert result["tex"].read_text() == "hello" and result["pdf"] is None
    with pytest.raises(RenderError, match="basename"):
        write_outputs("x", tmp_path, basename="../evil", pdf=False)


# -- compilation -------------------------------------------------------------------

def require_tex() -> None:
    """Fail loudly without latexmk, unless the TeX tests are switched off with SYMGRAD_NO_TEX=1."""
    if os.environ.get("SYMGRAD_NO_TEX") == "1":
        pytest.skip("SYMGRAD_NO_TEX=1: LaTeX compilation tests switched off")
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk is not on PATH: install TeX Live (latexmk, pdflatex, texlive-latex-extra, "
                    "texlive-pictures), or set SYMGRAD_NO_TEX=1 to skip the LaTeX compilation tests")


@pytest.mark.tex
@pytest.mark.slow
def test_compile_appendix_with_wide_matrix(tmp_path):
    require_tex()
    tex = render_document([nodal_cubic_context(), wide_context()])
    result = write_outputs(tex, tmp_path, pdf=True)
    assert result["pdf"].exists()
    log = result["log"].read_text(errors="replace")
    assert not tex_errors(log)
    assert not re.search(r"Reference `[^']*' on page \d+ undefined", log)
    too_wide = [(pt, line) for pt, line in result["overfull"] if pt > 5.0]
    assert not too_wide, too_wide


@pytest.mark.tex
@pytest.mark.slow
def test_compile_fragment_inside_a_paper(tmp_path):
    require_tex()
    (tmp_path / "appendix-body.tex").write_text(render_document([nodal_cubic_context()], fragment=True))
    paper = "\n".join([
        r"\documentclass{article}",
        r"\usepackage{amsmath, amssymb, amsthm, mathtools, tikz}",
        r"\newtheorem{theorem}{Theorem}\newtheorem{proposition}{Proposition}",
        r"\theoremstyle{definition}\newtheorem{definition}{Definition}\newtheorem{remark}{Remark}",
        r"\begin{document}", r"\appendix", r"\input{appendix-body}", r"\end{document}", ""])
    result = write_outputs(paper, tmp_path, basename="paper", pdf=True)
    assert result["pdf"].exists()
    assert not [(pt, line) for pt, line in result["overfull"] if pt > 5.0]


@pytest.mark.tex
def test_compile_error_carries_tex_lines(tmp_path):
    require_tex()
    bad = "\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n\\end{document}\n"
    with pytest.raises(RenderError, match=r"(?s)! Undefined control sequence\..*undefinedmacro"):
        write_outputs(bad, tmp_path, basename="bad", pdf=True, timeout=120)
