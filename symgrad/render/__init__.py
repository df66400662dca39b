r"""LaTeX rendering: a Jinja environment, small tested filters, and compilation.

The templates in ``templates/`` (shipped as the package ``symgrad.templates``)
hold the prose and the document structure; every piece of mathematical
formatting lives in the filters, so templates contain nothing beyond loops,
conditionals, blocks and macros.  The layering follows nbconvert's LaTeX
exporter, one concern per module:

* :mod:`~symgrad.render.filters`: text and mathematics filters
  (``escape_latex``, ``prose``, ``label``, ``latex``, ``condition``, ...);
* :mod:`~symgrad.render.layout`: the width estimate and the displays that fit
  the page (``breakable``, ``display_matrix``, ``numbered``, ...);
* :mod:`~symgrad.render.abbreviate`: named repeated subexpressions;
* :mod:`~symgrad.render.tikz`: figures;
* :mod:`~symgrad.render.environment`: the Jinja environment and
  :func:`render_document`;
* :mod:`~symgrad.render.latexmk`: compilation and TeX logs;
* :mod:`~symgrad.render.api`: :func:`render`, the entry point from Python.

The package itself is callable: ``symgrad.render(...)`` is :func:`render`
(``symgrad.render("product", output="out")`` writes ``out/appendix.tex``
and, with TeX, its PDF; ``symgrad.render(report).tex`` is the LaTeX alone).

The templates:

* ``base.tex.j2``: the standalone document (preamble, theorem environments,
  blocks ``preamble``, ``title``, ``body``);
* ``appendix.tex.j2``: extends the base with a table of contents, the general
  theory (statement and proof of Theorem 1 and of :math:`d\phi\,\Delta = 0`,
  paper eqs. (4) and (6)) once, and one section per derivation;
* ``derivation.tex.j2``: the section for one derivation, included by the
  appendix once per derivation with the variable ``d`` set;
* ``fragment.tex.j2``: the appendix body alone, for ``\input`` into a paper.

Examples
========
>>> import sympy as sp
>>> a, b = sp.symbols("a b")
>>> env = make_environment()
>>> env.from_string(r"\[ ((( M | latex ))) \] {#1}").render(M=sp.Matrix([[a, b]]))
'\\[ \\begin{pmatrix}a & b\\end{pmatrix} \\] {#1}'
"""
from __future__ import annotations

import sys
import types
from typing import Any

from ..notation import LATEX_NAMES
from .abbreviate import Abbreviation, abbreviate, where_list
from .environment import (
    DEFAULT_TITLE, FILTERS, MAX_EXPANDED_LINES, make_environment, preamble, render_document, render_supplement,
)
from .filters import assignments, condition, escape_latex, heading, label, latex, latex_list, mathtext, point, prose
from .latexmk import overfull_boxes, tex_errors, write_outputs
from .layout import (
    FRAGMENT_MAX_WIDTH, MAX_WIDTH, breakable, conditions, display, display_matrix, latex_width, matrix_entries,
    numbered, with_decimals,
)
from .lint import code_text
from .plaintext import message, witness
from .tikz import Figure, Panel, tikz_curve_figure, tikz_panels_figure
from .api import Rendered, render, write_appendix

__all__ = [
    "MAX_WIDTH",
    "FRAGMENT_MAX_WIDTH",
    "FILTERS",
    "LATEX_NAMES",
    "DEFAULT_TITLE",
    "Abbreviation",
    "make_environment",
    "latex",
    "mathtext",
    "latex_list",
    "condition",
    "conditions",
    "escape_latex",
    "prose",
    "heading",
    "point",
    "message",
    "witness",
    "code_text",
    "label",
    "latex_width",
    "display_matrix",
    "matrix_entries",
    "breakable",
    "numbered",
    "display",
    "abbreviate",
    "where_list",
    "tikz_curve_figure",
    "tikz_panels_figure",
    "Panel",
    "Figure",
    "render_document",
    "render_supplement",
    "MAX_EXPANDED_LINES",
    "render",
    "Rendered",
    "write_appendix",
    "preamble",
    "assignments",
    "with_decimals",
    "write_outputs",
    "tex_errors",
    "overfull_boxes",
]


class _CallableModule(types.ModuleType):
    """The module ``symgrad.render``, callable as :func:`render`."""

    def __call__(self, *derivations: Any, **options: Any) -> Rendered:
        return render(*derivations, **options)


sys.modules[__name__].__class__ = _CallableModule

