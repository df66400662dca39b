"""The appendix inside a researcher's paper (issue 14): the preamble lines, a host ``article``
that ``\\input``s the fragment of every built-in derivation and compiles with no overfull box,
and the paper's theorem named "Theorem 1 (van Oostrum & Ay)" in the compiled text."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from symgrad.notation import THEOREM_1
from symgrad.render import preamble, render_document, tex_errors, write_outputs
from render_contexts import builtin_contexts, nodal_cubic_context
from test_latexmk import require_tex


def test_preamble_lines_are_in_the_standalone_document():
    tex = render_document([nodal_cubic_context()])
    head = tex[:tex.index(r"\begin{document}")]
    for line in preamble().splitlines():
        assert line in head, line


def test_preamble_without_theorems():
    assert r"\newtheorem" not in preamble(theorems=False)
    assert r"\newtheorem{remark}[theorem]{Remark}" in preamble()


def test_the_paper_theorem_is_theorem_1_everywhere():
    tex = render_document([nodal_cubic_context()])
    assert r"\begin{theorem}[van Oostrum \& Ay]" in tex and r"\renewcommand{\thetheorem}{1}" in tex
    assert r"Theorem~\ref{thm:symgrad-gradient}" not in tex and "vOA, Theorem" not in tex
    assert tex.count(r"Theorem~1 (van Oostrum \& Ay)") >= 3


def _pdf_text(pdf) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _host(theorems: bool) -> str:
    return "\n".join([
        r"\documentclass{article}",
        preamble(theorems=theorems).rstrip("\n"),
        r"\begin{document}",
        r"\section{Introduction}",
        "A paper with an appendix.",
        r"\appendix",
        r"\input{appendix-body}",
        r"\end{document}", ""])


@pytest.mark.tex
@pytest.mark.slow
def test_fragment_of_every_builtin_compiles_in_a_plain_article(tmp_path):
    require_tex()
    (tmp_path / "appendix-body.tex").write_text(render_document(builtin_contexts(), fragment=True))
    result = write_outputs(_host(theorems=True), tmp_path, basename="paper", pdf=True)
    log = result["log"].read_text(errors="replace")
    assert not tex_errors(log)
    assert not re.search(r"Reference `[^']*' on page \d+ undefined", log)
    assert result["overfull"] == [], result["overfull"][:10]
    text = " ".join(_pdf_text(result["pdf"]).split())
    assert THEOREM_1 + "." in text  # the heading, as amsthm sets it
    assert "Theorem 2" not in text and "vOA, Theorem" not in text


@pytest.mark.tex
@pytest.mark.slow
def test_fragment_in_a_paper_with_its_own_theorems(tmp_path):
    """A host whose own Theorem 1 comes first: the paper's theorem still reads Theorem 1
    (van Oostrum & Ay), and the host's numbering goes on undisturbed."""
    require_tex()
    (tmp_path / "appendix-body.tex").write_text(render_document([nodal_cubic_context()], fragment=True))
    host = _host(theorems=True).replace("A paper with an appendix.",
                                        r"\begin{theorem}Host one.\end{theorem}\begin{theorem}Host two.\end{theorem}")
    result = write_outputs(host, tmp_path, basename="host", pdf=True)
    assert result["overfull"] == []
    text = " ".join(_pdf_text(result["pdf"]).split())
    assert "Theorem 1. Host one." in text and "Theorem 2. Host two." in text
    assert THEOREM_1 + "." in text
