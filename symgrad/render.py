r"""LaTeX rendering: a Jinja environment, small tested filters, and compilation.

The templates in ``templates/`` (shipped as the package ``symgrad.templates``)
hold the prose and the document structure; every piece of mathematical
formatting lives in the filters of this module, so templates contain nothing
beyond loops, conditionals and blocks.  The layering follows nbconvert's LaTeX
exporter:

* ``base.tex.j2``: the standalone document (preamble, theorem environments,
  blocks ``preamble``, ``title``, ``body``);
* ``appendix.tex.j2``: extends the base with a table of contents, the general
  theory (statement and proof of Theorem 1 and of :math:`d\phi\,\Delta = 0`,
  paper eqs. (4) and (6)) once, and one section per derivation;
* ``derivation.tex.j2``: the section for one derivation, included by the
  appendix once per derivation with the variable ``d`` set;
* ``fragment.tex.j2``: the appendix body alone, for ``\input`` into a paper.

Jinja's default delimiters clash with TeX (``{#1}``, ``{{``), so the
environment uses ``((* *))`` for statements, ``((( )))`` for expressions and
``((= =))`` for comments.  Every template package file can be overridden from a
user directory; the package version of a template stays reachable under the
prefix ``symgrad/`` (``((* extends "symgrad/appendix.tex.j2" *))``).

Examples
========
>>> import sympy as sp
>>> a, b = sp.symbols("a b")
>>> env = make_environment()
>>> env.from_string(r"\[ ((( M | latex ))) \] {#1}").render(M=sp.Matrix([[a, b]]))
'\\[ \\begin{pmatrix}a & b\\end{pmatrix} \\] {#1}'
"""
from __future__ import annotations

import functools
import importlib.resources
import math
import os
import re
import shutil
import subprocess
import types
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

import jinja2
import sympy as sp

from .exceptions import RenderError, TemplateError

__all__ = [
    "MAX_WIDTH",
    "FRAGMENT_MAX_WIDTH",
    "FILTERS",
    "LATEX_NAMES",
    "Abbreviation",
    "make_environment",
    "latex",
    "mathtext",
    "latex_list",
    "condition",
    "conditions",
    "escape_latex",
    "label",
    "latex_width",
    "display_matrix",
    "matrix_entries",
    "breakable",
    "abbreviate",
    "where_list",
    "tikz_curve_figure",
    "render_document",
    "write_outputs",
    "tex_errors",
    "overfull_boxes",
]

PathLike = Union[str, "os.PathLike[str]"]

#: Width budget of one displayed line, in the units of :func:`latex_width`
#: (roughly the width of one math glyph at 11pt).  Calibrated so that a line of
#: this width fits the 16 cm text block of ``base.tex.j2`` with some margin.
MAX_WIDTH = 62.0

#: The width budget used for fragments, which go into documents with narrower text
#: (345pt in the standard 10pt article class).
FRAGMENT_MAX_WIDTH = 46.0

#: LaTeX names of the objects a derivation context holds (paper notation);
#: available in templates as ``names``.  Keeping them here keeps backslashes
#: out of template string literals.
LATEX_NAMES: Mapping[str, str] = types.MappingProxyType({
    "phi": r"\phi",
    "g": "g",
    "J": "J",
    "G": "G",
    "G_plus": "G^{+}",
    "nabla": r"\nabla\mathcal{L}",
    "loss": r"\mathcal{L}",
    "grad_param": r"\operatorname{grad}^{\Xi}_{\xi}\mathcal{L}",
    "grad_manifold": r"\operatorname{grad}_{p}\mathcal{L}",
    "f": "f",
    "Df": "Df",
    "det_Df": r"\det Df",
    "grad_eta": r"\operatorname{grad}^{H}_{\eta}\mathcal{L}",
    "delta": r"\Delta\operatorname{grad}",
    "damped": r"(G + \lambda I)^{-1}\nabla\mathcal{L}",
    "limit": r"\lim_{\lambda \to 0^{+}} (G + \lambda I)^{-1}\nabla\mathcal{L}",
    "second_order": r"\delta^{(2)}",
    "grad_bar_1": r"\overline{\operatorname{grad}}^{(1)}_{p}\mathcal{L}",
    "grad_bar_2": r"\overline{\operatorname{grad}}^{(2)}_{p}\mathcal{L}",
    "span_1": "S_{1}",
    "span_2": "S_{2}",
})

_MATRIX_ENVIRONMENTS = ("pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix")


# -- filters: text ----------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_SPECIALS_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def escape_latex(text: Any) -> str:
    r"""Escape plain text for a LaTeX text paragraph.

    Replaces the ten characters TeX treats specially, and ``< > |`` (which
    the default OT1 font encoding would print as other glyphs), in one pass, so
    an escape is never escaped again.  Only for text: never apply it to the output
    of :func:`latex` or to anything meant as mathematics.

    Parameters
    ==========
    text : str
        Plain text (anything else is converted with ``str``).

    Returns
    =======
    str
        Text safe to typeset in a paragraph.

    Examples
    ========
    >>> print(escape_latex("50% of a_1 & {b}"))
    50\% of a\_1 \& \{b\}
    """
    return _LATEX_SPECIALS_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], str(text))


def prose(text: Any) -> str:
    r"""Text with inline mathematics between dollar signs, for a LaTeX paragraph.

    The segments outside ``$...$`` are escaped with :func:`escape_latex`; the
    segments inside go to LaTeX unchanged, with their dollar signs, so a note can
    say ``the Moore-Penrose inverse $G^{+}$`` and get mathematics.  A dollar sign
    meant as text is written ``\$``.

    Raises
    ======
    RenderError
        If a ``$`` is left open: the text is named, so the note can be fixed.

    Examples
    ========
    >>> print(prose(r"100% sure that $G^{+} \nabla L$ is tangent, for \$5"))
    100\% sure that $G^{+} \nabla L$ is tangent, for \$5
    """
    text = str(text)
    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:
        raise RenderError(f"unbalanced $ in the text {text[:80]!r}...: close the inline mathematics "
                          r"with a second $, or write \$ for a dollar sign")
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(f"${part}$")
        else:
            pieces = part.split(r"\$")
            out.append(r"\$".join(escape_latex(x) for x in pieces))
    return "".join(out)


def label(name: Any, prefix: str | None = None) -> str:
    r"""Make a safe ``\label`` key from a name.

    Accents are dropped, letters lowered, and every run of characters other
    than ASCII letters, digits, ``.`` and ``-`` becomes one ``-``.

    Parameters
    ==========
    name : str
        Any name, e.g. a derivation title or key.
    prefix : str, optional
        A kind such as ``"sec"`` or ``"eq"``, joined with ``:``.

    Returns
    =======
    str

    Raises
    ======
    RenderError
        If nothing usable is left of ``name``.

    Examples
    ========
    >>> label("Softmax, n = 3 (Fisher)", "sec")
    'sec:softmax-n-3-fisher'
    """
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9.-]+", "-", ascii_name.lower()).strip("-.")
    key = re.sub(r"-{2,}", "-", key)
    if not key:
        raise RenderError(f"cannot make a \\label key from {name!r}: give it ASCII letters or digits")
    return f"{label(prefix)}:{key}" if prefix else key


# -- filters: mathematics ---------------------------------------------------

def latex(obj: Any, matrix: str = "pmatrix", **settings: Any) -> str:
    r"""LaTeX for a SymPy object or a number, by :func:`sympy.latex`.

    Parameters
    ==========
    obj : sympy.Basic, sympy.MatrixBase, int, fractions.Fraction, tuple or list
        The mathematics.  Text is refused: use :func:`escape_latex`.
    matrix : str
        The amsmath environment for matrices: ``pmatrix`` (default),
        ``bmatrix``, ``Bmatrix``, ``vmatrix`` or ``Vmatrix``.
    **settings
        Passed on to :func:`sympy.latex`.

    Returns
    =======
    str
        Math-mode LaTeX, without surrounding ``$``.

    Examples
    ========
    >>> import sympy as sp
    >>> from fractions import Fraction
    >>> latex(Fraction(-3, 4))
    '- \\frac{3}{4}'
    >>> latex(sp.Matrix([1, sp.Symbol("xi_1")]), matrix="bmatrix")
    '\\begin{bmatrix}1\\\\\\xi_{1}\\end{bmatrix}'
    """
    if isinstance(obj, str):
        raise TypeError(f"the latex filter formats mathematics, not text ({obj!r}): use escape_latex")
    if matrix not in _MATRIX_ENVIRONMENTS:
        raise ValueError(f"matrix={matrix!r} is not one of {', '.join(_MATRIX_ENVIRONMENTS)}")
    if isinstance(obj, Fraction):
        obj = sp.Rational(obj.numerator, obj.denominator)
    if isinstance(obj, sp.MatrixBase):
        return _latex_matrix(obj, matrix, settings)
    return sp.latex(obj, mat_str=matrix, mat_delim="", **settings)


def _latex_matrix(M: sp.MatrixBase, env: str, settings: Mapping[str, Any]) -> str:
    """``\\begin{env} ... \\end{env}``; cells holding a fraction are set in display style."""
    cells = [[sp.latex(M[i, j], **settings) for j in range(M.cols)] for i in range(M.rows)]
    tall = any(r"\frac" in c for row in cells for c in row)
    if tall:
        cells = [[rf"\displaystyle {c}" for c in row] for row in cells]
    rows = (r"\\[0.6ex]" if tall else r"\\").join(" & ".join(row) for row in cells)
    return rf"\begin{{{env}}}{rows}\end{{{env}}}"


def mathtext(obj: Any) -> str:
    r"""Inline mathematics for a SymPy object, escaped text for a string.

    Useful for lists whose items are either expressions or descriptions.

    Examples
    ========
    >>> import sympy as sp
    >>> mathtext(sp.Symbol("a")**2), mathtext("where a_1 = 0")
    ('$a^{2}$', 'where a\\_1 = 0')
    """
    return escape_latex(obj) if isinstance(obj, str) else f"${latex(obj)}$"


def latex_list(seq: Iterable[Any], sep: str = ", ") -> str:
    r"""LaTeX of each item, joined by ``sep`` (for symbol lists).

    Examples
    ========
    >>> import sympy as sp
    >>> latex_list(sp.symbols("xi_1 xi_2"))
    '\\xi_{1}, \\xi_{2}'
    """
    return sep.join(latex(x) for x in seq)


def condition(expr: Any) -> str:
    r"""LaTeX of a validity condition: ``expr \neq 0`` unless it is already a relation.

    A symbolic inverse holds where an expression (e.g. the sum of squares of
    the ``r x r`` minors) does not vanish; conditions that are relations or
    boolean combinations are printed as they are.

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> condition(a**2 + b**2), condition(sp.Gt(a, 0))
    ('a^{2} + b^{2} \\neq 0', 'a > 0')
    """
    expr = sp.sympify(expr)
    if isinstance(expr, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
        return latex(expr)
    return rf"{latex(expr)} \neq 0"


def conditions(first: Any, extra: Iterable[Any] = (), *, max_width: float = MAX_WIDTH) -> str:
    r"""Display validity conditions one per line in ``gathered``, long ones broken.

    Each condition is printed as by :func:`condition`; a long expression is
    broken with the rules of :func:`breakable` before its ``\neq 0``.

    Parameters
    ==========
    first : sympy.Expr or relation
    extra : iterable of sympy.Expr or relations
    max_width : float
        Line budget in :func:`latex_width` units.

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> print(conditions(a**2 + b**2, [sp.Gt(a, 0)]))
    \begin{gathered}a^{2} + b^{2} \neq 0,\\a > 0\end{gathered}
    """
    lines = []
    for item in [first, *extra]:
        expr = sp.sympify(item)
        if isinstance(expr, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
            lines.append(latex(expr))
            continue
        parts = _pack(expr, max_width - 4.0)
        body = parts[0] if len(parts) == 1 else \
            r"\begin{aligned}&" + r"\\ &\quad ".join(parts) + r"\end{aligned}"
        lines.append(rf"{body} \neq 0")
    return r"\begin{gathered}" + ",\\\\".join(lines) + r"\end{gathered}"


# -- width heuristic ----------------------------------------------------------

_SPACES = {",": 0.3, ":": 0.4, ";": 0.5, " ": 0.5, "!": -0.2, "quad": 2.0, "qquad": 4.0}
_RELATIONS = {"cdot", "times", "neq", "ne", "leq", "le", "geq", "ge", "approx", "to", "mapsto",
              "in", "equiv", "pm", "mp", "implies", "iff", "colon"}
_ZERO_WIDTH = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big",
               "displaystyle", "textstyle", "limits", "nonumber", "notag", "mathcal", "mathbf",
               "mathrm", "mathit", "boldsymbol", "operatorname", "text", "textrm", "mathbb"}
_TWO_GROUPS = {"frac", "dfrac", "tfrac", "binom", "overset", "underset"}


def _read_group(s: str, i: int) -> tuple[str, int]:
    """The next argument at ``s[i:]`` (braced group, macro or character) and the index after it."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        depth = 0
        for j in range(i, len(s)):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
        return s[i + 1:], len(s)
    if s[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", s[i:])
        assert m is not None
        return m.group(0), i + m.end()
    return s[i], i + 1


def _width(s: str) -> float:
    total, i = 0.0, 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            name = m.group(1) if m else ""
            i += m.end() if m else 1
            if name in ("begin", "end"):
                _, i = _read_group(s, i)
            elif name in _TWO_GROUPS:
                g1, i = _read_group(s, i)
                g2, i = _read_group(s, i)
                total += max(_width(g1), _width(g2)) + (1.0 if name == "binom" else 0.2)
            elif name in _SPACES:
                total += _SPACES[name]
            elif name in _RELATIONS:
                total += 2.0
            elif name in _ZERO_WIDTH:
                pass
            else:
                total += 1.0
        elif c in "^_":
            g, i = _read_group(s, i + 1)
            total += 0.7 * _width(g)
        elif c == "{":
            g, i = _read_group(s, i)
            total += _width(g)
        elif c in "+-=<>":
            total += 2.0
            i += 1
        elif c in " }":
            i += 1
        elif c == "&":
            total += 1.0
            i += 1
        else:
            total += 1.0
            i += 1
    return total


def latex_width(tex: str) -> float:
    r"""Estimate the printed width of math-mode LaTeX, in glyph widths.

    The heuristic: letters, digits and symbol macros count 1; binary operators
    and relations 2 (they carry space on both sides); sub- and superscripts 0.7
    of their content; a fraction the wider of numerator and denominator;
    ``\left``, ``\right``, font switches and environment markers nothing; the
    width of several lines (split at ``\\``) is that of the widest.

    Examples
    ========
    >>> latex_width(r"\frac{a^{2}}{b + c}")
    4.2
    >>> latex_width(r"a \\ b + c")
    4.0
    """
    lines = re.split(r"\\\\", tex)
    return round(max(_width(line) for line in lines), 6)


# -- displays: matrices and long sums -----------------------------------------

def _subscripted(name: str, index: str) -> str:
    simple = re.fullmatch(r"(\\[A-Za-z]+|[A-Za-z])", name.strip())
    base = name.strip() if simple else rf"\left({name}\right)"
    return f"{base}_{{{index}}}"


def _signed(term: sp.Expr) -> tuple[str, str, sp.Expr]:
    """``(sign, LaTeX without the sign, the term without the sign)`` of one term of a sum."""
    tex = latex(term)
    return ("-", tex[1:].lstrip(), -term) if tex.startswith("-") else ("+", tex, term)


def _group(expr: sp.Expr, opening: str, closing: str) -> list[tuple[str, str]]:
    """The terms of the sum ``expr`` as pieces between ``opening`` and ``closing``."""
    terms = [_signed(t)[:2] for t in expr.as_ordered_terms()]
    sign, first = terms[0]
    terms[0] = ("", opening + ("- " if sign == "-" else "") + first)
    sign, last = terms[-1]
    terms[-1] = (sign, last + closing)
    return terms


def _factor_pieces(factor: sp.Expr, budget: float, inverse: bool = False) -> list[tuple[str, str]]:
    """Pieces of one factor; a long sum, or an integer power of one, is opened up."""
    base, power = factor.as_base_exp()
    power = -power if inverse else power
    if isinstance(base, sp.Add) and power.is_Integer and latex_width(latex(base)) > budget / 2:
        exponent = "" if power == 1 else f"^{{{latex(power)}}}"
        return _group(base, r"\Bigl(", rf"\Bigr){exponent}")
    if isinstance(factor, sp.Add):
        return [("", rf"\left({latex(factor)}\right)")]
    return [("", latex(factor**-1 if inverse else factor))]


def _product_pieces(expr: sp.Expr, budget: float) -> list[tuple[str, str]]:
    """Pieces of a product or quotient: its factors, long sums opened up inside ``\\Bigl( \\Bigr)``.

    Long sums in the denominator (or integer powers of them) become
    ``\\Bigl(\\dots\\Bigr)^{-k}``; the numerical coefficient and the rest of the
    denominator lead the first piece as ``\\frac{c}{\\dots}``.
    """
    num, den = sp.fraction(expr)
    coeff, num = num.as_coeff_Mul()
    small_den, big_den = [], []
    for f in sp.Mul.make_args(den):
        base = f.as_base_exp()[0]
        long = isinstance(base, sp.Add) and latex_width(latex(base)) > budget / 2
        (big_den if long else small_den).append(f)
    lead = abs(coeff) / sp.Mul(*small_den)
    factors = [num] if isinstance(num, sp.Add) else ([] if num == 1 else num.as_ordered_factors())
    pieces = [p for f in factors for p in _factor_pieces(f, budget)]
    pieces += [p for f in big_den for p in _factor_pieces(f, budget, inverse=True)]
    if lead != 1 or not pieces:
        if pieces:
            pieces[0] = ("", f"{latex(lead)} {pieces[0][1]}")
        else:
            pieces = [("", latex(lead))]
    if coeff < 0:
        pieces[0] = ("-", pieces[0][1])
    return pieces


def _pieces(expr: Any, budget: float) -> list[tuple[str, str]]:
    """``expr`` as pieces ``(glue, LaTeX)``; a line may break before any piece but the first.

    The glue is ``+`` or ``-`` for a term of a sum and ``""`` for a factor.  A sum
    gives its terms, and a term too wide for a line its factors; a product or
    quotient gives its factors (see :func:`_product_pieces`); anything else is
    one piece.
    """
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Add):
        pieces = []
        for term in expr.as_ordered_terms():
            sign, tex, positive = _signed(term)
            if latex_width(tex) > budget and isinstance(positive, (sp.Mul, sp.Pow)):
                sub = _product_pieces(positive, budget)
                pieces += [(sign, sub[0][1])] + sub[1:]
            else:
                pieces.append((sign, tex))
        return pieces
    if isinstance(expr, (sp.Mul, sp.Pow)):
        return _product_pieces(expr, budget)
    return [("", latex(expr))]


def _pack(expr: Any, budget: float) -> list[str]:
    """Lines of ``expr``, broken between pieces so each line fits ``budget`` if it can."""
    whole = latex(expr)
    if latex_width(whole) <= budget:
        return [whole]
    pieces = _pieces(expr, budget)
    if len(pieces) < 2:
        return [whole]
    lines: list[str] = []
    current = ""
    for k, (glue, tex) in enumerate(pieces):
        start = f"{glue} {tex}" if glue and (k > 0 or glue == "-") else tex
        if not current:
            current = start
        elif latex_width(f"{current} {start}") > budget:
            lines.append(current)
            current = start
        else:
            current = f"{current} {start}"
    lines.append(current)
    return lines


def breakable(expr: Any, name: str | None = None, *, max_width: float = MAX_WIDTH) -> str:
    r"""Display ``name = expr``, broken across lines at top-level terms when too wide.

    The result goes inside an ``equation`` (or ``\[ \]``): a short expression
    stays on one line; a long one becomes an ``aligned`` block whose
    continuation lines start with ``\quad`` and the sign of the next term.  It
    is broken between the terms of a sum; a quotient with a long sum as
    numerator is written ``\frac{1}{den}\Bigl(\dots\Bigr)``, and one whose
    denominator is a long sum (or a power of one) ``num\Bigl(\dots\Bigr)^{-k}``,
    and broken inside the parentheses.  Anything else (a long product, a
    function of a long sum) stays on one line.

    Parameters
    ==========
    expr : sympy.Expr
    name : str, optional
        LaTeX of the left-hand side.
    max_width : float
        Line budget in :func:`latex_width` units.

    Examples
    ========
    >>> import sympy as sp
    >>> x = sp.symbols("x_1:5")
    >>> print(breakable(x[0] - x[1] + x[2] - x[3], "s", max_width=12))
    \begin{aligned}s &= x_{1} - x_{2}\\ &\quad + x_{3} - x_{4}\end{aligned}
    """
    lhs = f"{name} " if name else ""
    budget = max_width - latex_width(lhs) - 2.0
    lines = _pack(expr, budget)
    if len(lines) == 1:
        return f"{lhs}= {lines[0]}" if name else lines[0]
    body = r"\\ &\quad ".join(lines)
    return rf"\begin{{aligned}}{lhs}&= {body}\end{{aligned}}" if name else \
        rf"\begin{{aligned}}&{body}\end{{aligned}}"


def _entry_lines(M: sp.MatrixBase, name: str, max_width: float,
                 symmetric: bool | None, skip_zeros: bool) -> list[str]:
    rows, cols = M.shape
    if symmetric is None:
        symmetric = rows == cols and rows > 1 and M == M.T
    vector = rows == 1 or cols == 1
    sep = "," if max(rows, cols) > 9 else ""
    lines, skipped = [], False
    for i in range(rows):
        for j in range(cols):
            if symmetric and j < i:
                continue
            entry = M[i, j]
            if skip_zeros and entry == 0:
                skipped = True
                continue
            index = str(max(i, j) + 1) if vector else f"{i + 1}{sep}{j + 1}"
            lhs = _subscripted(name, index)
            parts = _pack(entry, max_width - latex_width(lhs) - 2.0)
            lines.append(f"{lhs} &= " + r"\\ &\quad ".join(parts))
    notes = []
    if symmetric:
        notes.append("symmetric")
    if skipped and lines:
        notes.append("entries not listed are zero")
    if not lines:
        return [f"{name} &= 0"]
    if notes:
        lines.append(r"&\text{(" + "; ".join(notes) + ")}")
    return lines


def matrix_entries(M: sp.MatrixBase, name: str, *, max_width: float = MAX_WIDTH,
                   symmetric: bool | None = None, skip_zeros: bool = True) -> str:
    r"""Display a matrix entry by entry, one ``name_{ij} = ...`` per line, inside ``aligned``.

    For matrices too wide to print whole.  Vectors get one index, matrices two
    (separated by a comma beyond 9 rows or columns).  A symmetric matrix lists
    only ``i <= j``; zero entries are left out; a last line says which of these
    applied.  Long entries are broken with the rules of :func:`breakable`.

    Parameters
    ==========
    M : sympy.MatrixBase
    name : str
        LaTeX of the matrix; anything but a single letter or macro is parenthesised.
    max_width : float
        Line budget in :func:`latex_width` units.
    symmetric : bool, optional
        Default: detected as ``M == M.T`` (structurally, no simplification).
    skip_zeros : bool
        Leave out entries that are structurally zero.

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> print(matrix_entries(sp.Matrix([[a, b], [b, 0]]), "G"))
    \begin{aligned}G_{11} &= a\\G_{12} &= b\\&\text{(symmetric; entries not listed are zero)}\end{aligned}
    """
    lines = _entry_lines(sp.Matrix(M), name, max_width, symmetric, skip_zeros)
    return r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}"


def _matrix_width(M: sp.MatrixBase) -> float:
    rows, cols = M.shape
    widths = [max(latex_width(latex(M[i, j])) for i in range(rows)) for j in range(cols)]
    return sum(widths) + 2.0 * (cols - 1) + 2.0


def display_matrix(M: Any, name: str, *, matrix: str = "pmatrix",
                   max_width: float = MAX_WIDTH) -> str:
    r"""Display ``name = M``: the whole matrix if it fits, else entry by entry.

    The matrix is printed whole when it has at most 10 columns (amsmath's
    limit) and ``latex_width(name) + sum of column widths + gaps`` is at most
    ``max_width``; otherwise :func:`matrix_entries` is used.  A non-matrix is
    passed to :func:`breakable`.

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> display_matrix(sp.Matrix([a, b]), "v")
    'v = \\begin{pmatrix}a\\\\b\\end{pmatrix}'
    >>> display_matrix(sp.Matrix([[a, b]]), "v", max_width=5)
    '\\begin{aligned}v_{1} &= a\\\\v_{2} &= b\\end{aligned}'
    """
    if not isinstance(M, sp.MatrixBase):
        return breakable(M, name, max_width=max_width)
    if M.cols <= 10 and latex_width(name) + 2.0 + _matrix_width(M) <= max_width:
        return f"{name} = {latex(M, matrix=matrix)}"
    return matrix_entries(M, name, max_width=max_width)


# -- abbreviations ------------------------------------------------------------

@dataclass(frozen=True)
class Abbreviation:
    """Expressions with large repeated subexpressions replaced by names.

    Attributes
    ==========
    exprs : tuple
        The expressions (or matrices), rewritten with the names.
    where : tuple of (sympy.Symbol, sympy.Expr)
        The definitions, in an order where each uses only earlier names.
    """

    exprs: tuple[Any, ...]
    where: tuple[tuple[sp.Symbol, sp.Expr], ...]

    @property
    def expr(self) -> Any:
        """The first (often the only) rewritten expression."""
        return self.exprs[0]


def _free_names(obj: Any) -> set[str]:
    """Names of the symbols in ``obj``, looking inside dicts, lists and tuples."""
    if isinstance(obj, Mapping):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple, set)):
        return set().union(*(_free_names(o) for o in obj)) if obj else set()
    return {s.name for s in getattr(obj, "free_symbols", ())}


def _resolve(expr: Any, inline: Mapping[sp.Symbol, Any]) -> Any:
    """Substitute ``inline`` into ``expr`` until none of its names is left."""
    for _ in range(len(inline) + 1):
        if not (expr.free_symbols & inline.keys()):
            break
        expr = expr.xreplace(inline)
    return expr


def _count(expr: Any, sym: sp.Symbol) -> int:
    """How often ``sym`` occurs in ``expr`` (as a node of the expression tree)."""
    return sum(1 for node in sp.preorder_traversal(expr) if node == sym)


_SPARE_PREFIXES = ("kappa", "tau", "omega", "varsigma")


def abbreviate(obj: Any, prefix: str = "c", *, avoid: Any = None,
               spare: Sequence[str] = _SPARE_PREFIXES, min_width: float = 12.0) -> Abbreviation:
    r"""Name repeated large subexpressions (by :func:`sympy.cse`) and list the definitions.

    Common subexpressions narrower than ``min_width`` (in :func:`latex_width`
    units) are put back, so only abbreviations that shorten the display
    remain.  The names are ``prefix_1, prefix_2, ...``.  If ``obj`` or
    ``avoid`` already uses the letter (a symbol ``prefix`` or ``prefix_...``),
    the first free letter of ``spare`` is used instead; failing that, numbers
    already taken are skipped.  Give each display its own ``prefix`` and
    ``spare`` so that names never mean two things in one document part.

    Parameters
    ==========
    obj : sympy.Expr, sympy.MatrixBase, or a list or tuple of them
    prefix : str
        Letter (or SymPy symbol name) for the new names.
    avoid : optional
        Anything whose symbols the new names must not reuse: an expression,
        or a dict or list holding expressions (e.g. a whole derivation context).
    spare : sequence of str
        Letters (SymPy symbol names) to use when ``prefix`` is taken.
    min_width : float
        Smallest subexpression worth a name.

    Returns
    =======
    Abbreviation

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> s = (a**2 + b**2 + a*b + 1)
    >>> ab = abbreviate(sp.Matrix([[a / s, b / s]]), "q")
    >>> ab.where
    ((q_1, 1/(a**2 + a*b + b**2 + 1)),)
    >>> ab.expr.subs(dict(ab.where)) == sp.Matrix([[a / s, b / s]])
    True
    """
    items = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    taken = _free_names(items) | _free_names(avoid)
    replacements, reduced = sp.cse(items, symbols=sp.numbered_symbols("_cse"))
    inline: dict[sp.Symbol, sp.Expr] = {}
    kept: dict[sp.Symbol, sp.Expr] = {}
    for sym, sub in replacements:
        sub = _resolve(sub, inline)
        if latex_width(latex(sub)) < min_width:
            inline[sym] = sub
        else:
            kept[sym] = sub
    # A name used once shortens nothing: put it back.  Uses as a whole entry count once
    # together (they are the mirror entries of a symmetric matrix).
    while True:
        outputs = [_resolve(r, inline) for r in reduced]
        entries = [e for r in outputs for e in (r if isinstance(r, sp.MatrixBase) else [r])]
        uses = {s: sum(_count(e, s) for e in entries if e != s) + any(e == s for e in entries)
                + sum(_count(e, s) for e in kept.values()) for s in kept}
        drop = [s for s in kept if uses[s] < 2]
        if not drop:
            break
        for s in drop:
            inline[s] = kept.pop(s)
        kept = {s: _resolve(e, inline) for s, e in kept.items()}
    for letter in (prefix, *spare):
        if not any(n == letter or n.startswith(f"{letter}_") for n in taken):
            prefix = letter
            break
    rename: dict[sp.Symbol, sp.Symbol] = {}
    k = 0
    for sym in kept:
        k += 1
        while f"{prefix}_{k}" in taken:
            k += 1
        rename[sym] = sp.Symbol(f"{prefix}_{k}")
    # Put the small ones back everywhere, then rename the kept ones.
    where = tuple((rename[s], e.xreplace(rename)) for s, e in kept.items())
    exprs = tuple(_resolve(r, inline).xreplace(rename) for r in reduced)
    if not where:  # nothing worth a name: return the input untouched (no reordering)
        exprs = tuple(items)
    return Abbreviation(exprs, where)


def where_list(definitions: Iterable[tuple[Any, Any]], *, max_width: float = MAX_WIDTH) -> str:
    r"""Display definitions ``name = expr`` one per line inside ``aligned``.

    Examples
    ========
    >>> import sympy as sp
    >>> a, c = sp.symbols("a c_1")
    >>> print(where_list([(c, a**2 + 1)]))
    \begin{aligned}c_{1} &= a^{2} + 1\end{aligned}
    """
    lines = []
    for sym, expr in definitions:
        lhs = latex(sym)
        parts = _pack(expr, max_width - latex_width(lhs) - 2.0)
        lines.append(f"{lhs} &= " + r"\\ &\quad ".join(parts))
    return r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}"


_ALIGNED_OPEN, _ALIGNED_CLOSE = r"\begin{aligned}", r"\end{aligned}"


def _aligned_rows(tex: str) -> list[str] | None:
    r"""The rows of ``tex`` if it is exactly one ``aligned`` block, else ``None``.

    Rows are split at the top-level ``\\`` only: a ``\\`` inside a nested
    environment (a ``pmatrix`` in an entry, say) or a brace group stays in its row.
    """
    tex = tex.strip()
    if not (tex.startswith(_ALIGNED_OPEN) and tex.endswith(_ALIGNED_CLOSE)):
        return None
    body = tex[len(_ALIGNED_OPEN):-len(_ALIGNED_CLOSE)]
    rows, depth, braces, start, i = [], 0, 0, 0, 0
    while i < len(body):
        if body.startswith(r"\begin{", i) or body.startswith(r"\end{", i):
            opening = body.startswith(r"\begin{", i)
            depth += 1 if opening else -1
            if depth < 0:
                return None  # the outer aligned closes early: not a single block
            close = body.find("}", i)
            i = len(body) if close < 0 else close + 1  # past the environment's name
        elif body.startswith("\\\\", i):
            if depth == 0 and braces == 0:
                rows.append(body[start:i])
                start = i + 2
            i += 2
        elif body.startswith("\\", i):
            i += 2  # an escaped character such as \{ or \\ handled above
        else:
            braces += {"{": 1, "}": -1}.get(body[i], 0)
            i += 1
    rows.append(body[start:])
    return rows


def numbered(tex: str, label_name: str | None = None) -> str:
    r"""A numbered display of ``tex`` that may break across pages.

    A single line becomes an ``equation``.  A multi-line ``aligned`` block (from
    :func:`display_matrix`, :func:`breakable` or :func:`where_list`) becomes an
    ``align`` whose rows LaTeX may put on different pages (with
    ``\allowdisplaybreaks``); only the last row carries the number and label, so
    the display keeps one equation number.

    Examples
    ========
    >>> print(numbered("x = 1", "eq:x"))
    \begin{equation}
    x = 1\label{eq:x}
    \end{equation}
    >>> print(numbered(r"\begin{aligned}a &= 1\\b &= 2\end{aligned}", "eq:ab"))
    \begin{align}
    a &= 1\notag\\
    b &= 2\label{eq:ab}
    \end{align}
    """
    tag = rf"\label{{{label_name}}}" if label_name else ""
    rows = _aligned_rows(tex)
    if rows is None:
        return "\\begin{equation}\n" + tex.strip() + tag + "\n\\end{equation}"
    lines = [row + r"\notag\\" for row in rows[:-1]] + [rows[-1] + (tag or r"\notag")]
    return "\\begin{align}\n" + "\n".join(lines) + "\n\\end{align}"


def display(tex: str) -> str:
    r"""An unnumbered display of ``tex`` that may break across pages.

    Like :func:`numbered` without a number: ``\[ \]`` for one line,
    ``align*`` for a multi-line ``aligned`` block.

    Examples
    ========
    >>> print(display("x = 1"))
    \[
    x = 1
    \]
    >>> print(display(r"\begin{aligned}a &= 1\\b &= 2\end{aligned}"))
    \begin{align*}
    a &= 1\\
    b &= 2
    \end{align*}
    """
    rows = _aligned_rows(tex)
    if rows is None:
        return "\\[\n" + tex.strip() + "\n\\]"
    return "\\begin{align*}\n" + "\\\\\n".join(rows) + "\n\\end{align*}"


# -- figures ----------------------------------------------------------------------

def _num(x: Any, decimals: int) -> str:
    value = float(x)
    if not math.isfinite(value):
        raise RenderError(f"cannot draw the non-finite coordinate {x!r}: sample the curve where it is defined")
    s = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _pair(v: Any, what: str) -> tuple[float, float]:
    items = list(v)
    if len(items) != 2:
        raise RenderError(f"{what} must have 2 coordinates, got {len(items)}: {v!r}")
    return float(items[0]), float(items[1])


def tikz_curve_figure(points_xy: Sequence[tuple[float, float]], base_point: Sequence[float],
                      arrows: Sequence[tuple[Sequence[float], str, str]], *,
                      width_cm: float = 7.0, max_height_cm: float = 6.0, decimals: int = 3) -> str:
    r"""A ``tikzpicture`` of a sampled plane curve with arrows attached at one point.

    The picture keeps the aspect ratio of the data (so orthogonality shows) and
    is scaled to be ``width_cm`` wide or ``max_height_cm`` high, whichever is
    smaller; arrow tips are included in the bounding box.

    Parameters
    ==========
    points_xy : sequence of (x, y)
        Samples of the curve, drawn as one polyline in order.
    base_point : (x, y)
        The point the arrows start from (marked with a dot).
    arrows : sequence of (vector, colour, label)
        ``vector`` is (dx, dy) in data units, ``colour`` an xcolor expression
        such as ``blue`` or ``red!70!black``, ``label`` LaTeX *math* typeset at
        the tip (empty for none).  Zero vectors are left out.
    width_cm, max_height_cm : float
        Size of the picture.
    decimals : int
        Decimals of the printed coordinates.

    Returns
    =======
    str

    Examples
    ========
    >>> print(tikz_curve_figure([(0, 0), (1, 1)], (0, 0), [((1, 0), "blue", "v")], width_cm=2))
    \begin{tikzpicture}[x=2cm, y=2cm, >=stealth]
      \draw[thick, black!70] (0, 0) -- (1, 1);
      \fill (0, 0) circle[radius=1.5pt];
      \draw[->, thick, blue] (0, 0) -- ++(1, 0) node[anchor=south west] {$v$};
    \end{tikzpicture}
    """
    pts = [_pair(p, "a curve point") for p in points_xy]
    if len(pts) < 2:
        raise RenderError(f"a curve needs at least 2 sample points, got {len(pts)}")
    px, py = _pair(base_point, "the base point")
    vecs = []
    for vector, colour, text in arrows:
        if not re.fullmatch(r"[A-Za-z]+(![0-9.]+(![A-Za-z]+)?)*", str(colour)):
            raise RenderError(f"{colour!r} is not an xcolor colour such as 'blue' or 'red!70!black'")
        vecs.append((_pair(vector, "an arrow"), str(colour), str(text)))
    xs = [x for x, _ in pts] + [px] + [px + v[0] for v, _, _ in vecs]
    ys = [y for _, y in pts] + [py] + [py + v[1] for v, _, _ in vecs]
    for v in xs + ys:
        _num(v, decimals)  # raises on non-finite input
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    scale = min(width_cm / span_x if span_x > 0 else math.inf,
                max_height_cm / span_y if span_y > 0 else math.inf)
    if not math.isfinite(scale):
        scale = 1.0
    unit = _num(scale, 4)
    out = [rf"\begin{{tikzpicture}}[x={unit}cm, y={unit}cm, >=stealth]"]
    path = " -- ".join(f"({_num(x, decimals)}, {_num(y, decimals)})" for x, y in pts)
    out.append(rf"  \draw[thick, black!70] {path};")
    base = f"({_num(px, decimals)}, {_num(py, decimals)})"
    out.append(rf"  \fill {base} circle[radius=1.5pt];")
    for (dx, dy), colour, text in vecs:
        if dx == 0 and dy == 0:
            out.append(f"  % zero arrow ({colour}) left out")
            continue
        anchor = ("south" if dy >= 0 else "north") + (" west" if dx >= 0 else " east")
        node = f" node[anchor={anchor}] {{${text}$}}" if text else ""
        out.append(rf"  \draw[->, thick, {colour}] {base} -- ++({_num(dx, decimals)}, {_num(dy, decimals)}){node};")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)


# -- the environment ------------------------------------------------------------

FILTERS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({
    "latex": latex,
    "mathtext": mathtext,
    "latex_list": latex_list,
    "condition": condition,
    "conditions": conditions,
    "escape_latex": escape_latex,
    "prose": prose,
    "label": label,
    "display_matrix": display_matrix,
    "matrix_entries": matrix_entries,
    "breakable": breakable,
    "abbreviate": abbreviate,
    "where_list": where_list,
    "numbered": numbered,
    "display": display,
})


_WIDTH_FILTERS = ("display_matrix", "matrix_entries", "breakable", "where_list", "conditions")


def _template_location(exc: BaseException) -> str:
    """``'file', line N`` of the innermost template frame in the traceback of ``exc``."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template {exc.filename or exc.name or '<string>'!r}, line {exc.lineno}"
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            code = frame.f_code
            block = f" ({code.co_name})" if code.co_name.startswith("block") else ""
            where = f"template {code.co_filename!r}{block}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where or "template"


def _template_error(exc: BaseException, name: str | None = None) -> TemplateError:
    if isinstance(exc, jinja2.TemplateNotFound):
        names = ", ".join(repr(n) for n in getattr(exc, "templates", None) or [exc.name])
        msg = (f"template {names} not found in the user directories or the package templates; "
               f"check the name and template_dirs")
        if name and exc.name != name:
            msg = f"while loading {name!r}: " + msg
        return TemplateError(msg)
    where = _template_location(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        hint = "fix the template syntax (delimiters are ((* *)), ((( ))), ((= =)))"
        problem = exc.message
    elif isinstance(exc, jinja2.UndefinedError):
        hint = "the context passed to the template does not provide this name"
        problem = exc.message
    else:
        hint = "a filter or value in the context failed"
        problem = f"{type(exc).__name__}: {exc}"
    return TemplateError(f"{where}: {problem} ({hint})")


class _Template(jinja2.Template):
    """A Jinja template whose ``render`` raises :class:`TemplateError`."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except TemplateError:
            raise
        except Exception as exc:  # Jinja errors and errors of filters, located in the template
            raise _template_error(exc) from exc


class _Environment(jinja2.Environment):
    """A Jinja environment that raises :class:`TemplateError` when loading fails."""

    template_class = _Template

    def get_template(self, name: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        try:
            return super().get_template(name, *args, **kwargs)
        except jinja2.TemplateError as exc:
            raise _template_error(exc, str(name)) from exc

    def select_template(self, names: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        try:
            return super().select_template(names, *args, **kwargs)
        except jinja2.TemplateError as exc:
            raise _template_error(exc) from exc

    def from_string(self, source: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        try:
            return super().from_string(source, *args, **kwargs)
        except jinja2.TemplateError as exc:
            raise _template_error(exc) from exc


def _package_templates() -> Any:
    """The package's template folder: ``symgrad.templates`` if installed, else ``templates/``."""
    try:
        root = importlib.resources.files("symgrad.templates")
        if root.joinpath("base.tex.j2").is_file():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def _package_loader() -> jinja2.BaseLoader:
    root = _package_templates()

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        node = root
        for part in name.split("/"):
            if part in ("", ".", ".."):
                return None
            node = node.joinpath(part)
        if not node.is_file():
            return None
        return node.read_text(encoding="utf-8"), str(node), lambda: True

    return jinja2.FunctionLoader(load)


def make_environment(extra_dirs: Sequence[PathLike] = (), *,
                     max_width: float = MAX_WIDTH) -> jinja2.Environment:
    r"""The Jinja environment for symgrad's LaTeX templates.

    Templates are looked up in ``extra_dirs`` first (in order), then in the
    package templates; ``symgrad/NAME`` always names the package's own
    template, so a user template of the same name can extend it and override
    single blocks.  The delimiters cannot clash with TeX: ``((* *))`` for
    statements, ``((( )))`` for expressions, ``((= =))`` for comments; there
    are no line statements.  Undefined names raise, nothing is escaped
    automatically, and every Jinja error (missing template, undefined name,
    syntax, or an error inside a filter) is re-raised as
    :class:`~symgrad.exceptions.TemplateError` naming the template and line.

    The filters are those of :data:`FILTERS`; the globals are ``names``
    (:data:`LATEX_NAMES`) and ``tikz_curve_figure``.

    Parameters
    ==========
    extra_dirs : sequence of path-like
        User template directories, searched before the package templates.
    max_width : float
        Default line budget (in :func:`latex_width` units) of the filters that
        break displays: ``display_matrix``, ``matrix_entries``, ``breakable``,
        ``where_list`` and ``conditions``.

    Returns
    =======
    jinja2.Environment

    Examples
    ========
    >>> env = make_environment()
    >>> env.from_string("((( t | escape_latex ))) ((= note =))").render(t="a_1")
    'a\\_1 '
    """
    dirs = [os.fspath(d) for d in extra_dirs]
    for d in dirs:
        if not Path(d).is_dir():
            raise TemplateError(f"template directory {d!r} does not exist")
    package = _package_loader()
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(dirs),
        jinja2.PrefixLoader({"symgrad": package}, delimiter="/"),
        package,
    ])
    env = _Environment(
        loader=loader,
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        line_statement_prefix=None, line_comment_prefix=None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    for name in _WIDTH_FILTERS:
        env.filters[name] = functools.partial(FILTERS[name], max_width=max_width)
    env.globals.update(names=LATEX_NAMES, tikz_curve_figure=tikz_curve_figure)
    return env


# -- documents and compilation ----------------------------------------------------

DEFAULT_TITLE = "Natural gradients on overparametrised models: derivations"


def render_document(derivations: Sequence[Mapping[str, Any]], *, fragment: bool = False,
                    template_dirs: Sequence[PathLike] = (), title: str = DEFAULT_TITLE,
                    template: str | None = None, max_width: float | None = None) -> str:
    r"""Render derivations as a LaTeX appendix.

    Parameters
    ==========
    derivations : sequence of dict
        One context per derivation, with the keys documented at the top of
        ``derivation.tex.j2``: ``title``, ``key``, ``summary``, ``model``,
        ``J``, ``G``, ``rank``, ``n_params``, ``pinv``, ``loss``, ``nabla``,
        ``grad_param``, ``grad_manifold``, ``riesz_agrees``, ``reparam``,
        ``singular``, ``tikhonov``, ``step``, ``figure``.  Parts that do not
        apply are ``None``, never missing; only ``notes`` and
        ``generalised_verdict`` may be left out.  Extra keys are ignored.
    fragment : bool
        Render only the body (``fragment.tex.j2``), for ``\input`` into a paper
        that loads amsmath, amssymb, amsthm, mathtools and tikz and defines the
        environments ``theorem``, ``proposition``, ``definition`` and ``remark``.
    template_dirs : sequence of path-like
        User template directories, searched first.
    title : str
        Plain-text document title.
    template : str, optional
        A template name overriding the choice made by ``fragment``.
    max_width : float, optional
        Line budget of displayed formulas (see :func:`make_environment`);
        default :data:`MAX_WIDTH`, or :data:`FRAGMENT_MAX_WIDTH` for a fragment.

    Returns
    =======
    str
        The LaTeX source.

    Raises
    ======
    TemplateError
        If a template is missing or the context lacks a key.
    RenderError
        If two derivations share a key (their labels would clash).
    """
    seen: dict[str, str] = {}
    for d in derivations:
        key = label(d["key"]) if "key" in d else None
        if key is not None and key in seen:
            raise RenderError(f"derivations {seen[key]!r} and {d.get('title')!r} share the key {key!r}: "
                              f"labels must be unique, give one of them another key")
        if key is not None:
            seen[key] = str(d.get("title"))
    name = template or ("fragment.tex.j2" if fragment else "appendix.tex.j2")
    if max_width is None:
        max_width = FRAGMENT_MAX_WIDTH if fragment else MAX_WIDTH
    env = make_environment(template_dirs, max_width=max_width)
    return env.get_template(name).render(derivations=list(derivations), title=title)


def tex_errors(log_text: str, context: int = 3) -> list[str]:
    r"""The TeX error lines of a log: each line starting with ``!`` and ``context`` lines after it.

    Examples
    ========
    >>> tex_errors("x\n! Undefined control sequence.\nl.3 \\foo\n\ny", context=1)
    ['! Undefined control sequence.\nl.3 \\foo']
    """
    lines = log_text.splitlines()
    return ["\n".join(lines[i:i + 1 + context]).rstrip()
            for i, line in enumerate(lines) if line.startswith("!")]


_OVERFULL = re.compile(r"^Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too (?:wide|high)\).*$", re.MULTILINE)


def overfull_boxes(log_text: str) -> list[tuple[float, str]]:
    r"""The overfull boxes of a TeX log, as ``(points too wide or too high, log line)``.

    Both kinds count: an ``\hbox`` too wide runs into the margin, a ``\vbox``
    too high (a display taller than what is left of the page) runs off the page.

    Examples
    ========
    >>> overfull_boxes("Overfull \\hbox (12.3pt too wide) in paragraph at lines 5--7\nok")
    [(12.3, 'Overfull \\hbox (12.3pt too wide) in paragraph at lines 5--7')]
    >>> overfull_boxes("Overfull \\vbox (93.2pt too high) has occurred while \\output is active []")
    [(93.2, 'Overfull \\vbox (93.2pt too high) has occurred while \\output is active []')]
    """
    return [(float(m.group(1)), m.group(0).strip()) for m in _OVERFULL.finditer(log_text)]


def write_outputs(tex: str, out_dir: PathLike, *, basename: str = "appendix",
                  pdf: bool | None = None, timeout: float = 300.0) -> dict[str, Any]:
    r"""Write ``basename.tex`` to ``out_dir`` and, if asked or possible, compile it with latexmk.

    Parameters
    ==========
    tex : str
        The LaTeX source (e.g. from :func:`render_document`).
    out_dir : path-like
        Created if missing.
    basename : str
        File name without ``.tex``.
    pdf : bool, optional
        ``True``: compile (``latexmk`` must be on ``PATH``); ``False``: only
        write; ``None`` (default): compile when ``latexmk`` is on ``PATH``.
    timeout : float
        Seconds allowed for latexmk.

    Returns
    =======
    dict
        ``tex``: path of the source; ``pdf`` and ``log``: paths, or ``None``
        when not compiled; ``overfull``: :func:`overfull_boxes` of the log.

    Raises
    ======
    RenderError
        If latexmk is required but missing, times out, or fails; the message
        carries TeX's error lines from the log.
    """
    out = Path(out_dir)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", basename):
        raise RenderError(f"basename {basename!r} must be a plain file name (letters, digits, . _ -)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        tex_path = out / f"{basename}.tex"
        tex_path.write_text(tex, encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot write {basename}.tex to {out}: {exc}") from exc
    result: dict[str, Any] = {"tex": tex_path, "pdf": None, "log": None, "overfull": []}
    latexmk = shutil.which("latexmk")
    if pdf is False or (pdf is None and latexmk is None):
        return result
    if latexmk is None:
        raise RenderError("latexmk is not on PATH: install TeX Live (latexmk, pdflatex) or call with pdf=False")
    cmd = [latexmk, "-pdf", "-interaction=nonstopmode", "-halt-on-error", f"{basename}.tex"]
    log_path = out / f"{basename}.log"
    try:
        proc = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"latexmk on {tex_path} did not finish within {timeout} s") from exc
    log_text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    if proc.returncode != 0:
        errors = tex_errors(log_text) or [proc.stdout[-2000:] + proc.stderr[-2000:]]
        raise RenderError(f"LaTeX failed on {tex_path} (log: {log_path}):\n" + "\n".join(errors))
    result.update(pdf=out / f"{basename}.pdf", log=log_path, overfull=overfull_boxes(log_text))
    return result
