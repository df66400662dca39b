"""``symgrad.render(...)``: the entry point from Python (issue 14)."""
from __future__ import annotations

import pytest

import symgrad as sg
from symgrad.exceptions import ArgumentError
from symgrad.render import Rendered, render


@pytest.fixture(scope="module")
def product_report():
    return sg.run_derivation(sg.load_derivation("product"), seed=0)


def test_the_package_is_callable_and_keeps_its_names(product_report):
    out = sg.render(product_report)
    assert isinstance(out, Rendered) and out.files == {} and out.reports == (product_report,)
    assert out.tex.startswith(r"\documentclass") and r"\section{The product model" in out.tex
    assert sg.render.preamble is not None and sg.render.render is render    # still the module
    assert "1 derivation(s)" in repr(out)


def test_keys_and_reports_render_alike(product_report):
    assert sg.render("product").tex == sg.render(product_report).tex     # the same seed, the same LaTeX


def test_fragment_and_files(product_report, tmp_path):
    out = sg.render(product_report, fragment=True, output=tmp_path)
    assert not out.tex.startswith(r"\documentclass") and out.files["pdf"] is None
    assert (tmp_path / "appendix.tex").read_text() == out.tex
    assert (tmp_path / "appendix-expanded.tex").read_text() == out.supplement


def test_bad_input_is_refused():
    with pytest.raises(ArgumentError, match="reports"):
        sg.render(42)
