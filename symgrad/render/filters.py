r"""Small, pure filters: plain text, labels, and mathematics for the templates.

Text goes through :func:`~symgrad.notation.escape_latex` (or :func:`prose`, which
keeps inline mathematics); mathematics through :func:`latex`, which refuses
text.  Every filter is table-tested in ``tests/render/test_filters.py``.

Examples
========
>>> import sympy as sp
>>> latex(sp.Symbol("xi_1")**2), label("Polar, r > 0", "sec")
('\\xi_{1}^{2}', 'sec:polar-r-0')
"""
from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from typing import Any, Iterable, Mapping

import sympy as sp

from ..exceptions import RenderError
from ..notation import escape_latex

__all__ = ["escape_latex", "prose", "heading", "never_zero", "label", "latex", "mathtext", "latex_list", "condition", "point", "assignments"]

_MATRIX_ENVIRONMENTS = ("pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix")


def prose(text: Any) -> str:
    r"""Text with inline mathematics between dollar signs, for a LaTeX paragraph.

    The segments outside ``$...$`` are escaped with :func:`escape_latex`; the
    segments inside go to LaTeX unchanged, with their dollar signs, so a note can
    say ``the Moore-Penrose inverse $G^{+}$`` and get mathematics.  A dollar sign
    meant as text is written ``\$``.  A ``~`` is LaTeX's non-breaking space, as in
    ``eq.~(4)``.

    Raises
    ======
    RenderError
        If a ``$`` is left open: the text is named, so the note can be fixed.

    Examples
    ========
    >>> print(prose(r"100% sure that $G^{+} \nabla L$ is tangent, for \$5, by eq.~(4)"))
    100\% sure that $G^{+} \nabla L$ is tangent, for \$5, by eq.~(4)
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
            out.append(r"\$".join("~".join(escape_latex(y) for y in x.split("~")) for x in pieces))
    return "".join(out)


def heading(text: Any) -> str:
    r"""A title for ``\section`` or a caption: :func:`prose`, with each inline formula also given a
    plain form for the PDF's bookmarks (``\texorpdfstring``).

    Examples
    ========
    >>> print(heading(r"The product model $\phi(a, b) = ab$"))
    The product model \texorpdfstring{$\phi(a, b) = ab$}{phi(a, b) = ab}
    """
    out = []
    for k, part in enumerate(re.split(r"(?<!\\)(\$[^$]*(?<!\\)\$)", str(text))):
        if k % 2:
            plain = re.sub(r"[{}^_]", "", re.sub(r"\\([A-Za-z]+)", r"\1", part[1:-1]))
            out.append(rf"\texorpdfstring{{{part}}}{{{escape_latex(plain)}}}")
        else:
            out.append(prose(part))
    return "".join(out)


def never_zero(expr: Any) -> str:
    r"""``> 0``, ``< 0`` or ``\neq 0`` when ``expr`` is non-zero at every point, else ``""``.

    Only what is evident is used: a non-zero number, or SymPy's sign deduction from the
    symbols' declared assumptions (``2 e^{2 tau}`` with ``tau`` real is positive); a sum of
    squares that can vanish gives ``""``.  Used so that a condition that always holds is not
    presented as a restriction.

    Examples
    ========
    >>> import sympy as sp
    >>> tau, a = sp.symbols("tau a", real=True)
    >>> never_zero(2 * sp.exp(2 * tau)), never_zero(-3), never_zero(a**2 + 1), never_zero(a**2)
    ('> 0', '< 0', '> 0', '')
    """
    e = sp.sympify(expr)
    if e.is_positive is True:
        return "> 0"
    if e.is_negative is True:
        return "< 0"
    if e.is_number and e.is_zero is False:
        return r"\neq 0"
    return ""


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
    has_frac = [any(r"\frac" in c for c in row) for row in cells]
    if any(has_frac):
        cells = [[rf"\displaystyle {c}" for c in row] for row in cells]
    # A display-style fraction reaches far below and above its row: rows that meet one get extra
    # space (an array's \\[len] adds to the row's strut, so it must exceed a fraction's depth).
    out = " & ".join(cells[0]) if cells else ""
    for i in range(1, len(cells)):
        gap = {2: "[2.2ex]", 1: "[1.1ex]", 0: ""}[has_frac[i - 1] + has_frac[i]]
        out += "\\\\" + gap + " & ".join(cells[i])
    return rf"\begin{{{env}}}{out}\end{{{env}}}"


def point(obj: Any) -> str:
    r"""LaTeX of a point as a tuple ``(a, b)``; a point with one coordinate is that coordinate.

    For parameters and model points in running text, where a column vector
    would break the line spacing.

    Examples
    ========
    >>> import sympy as sp
    >>> point((sp.Integer(1),)), point(sp.Matrix([0, sp.Rational(1, 2)]))
    ('1', '\\left(0, \\frac{1}{2}\\right)')
    """
    if isinstance(obj, sp.MatrixBase):
        items = list(obj)
    elif isinstance(obj, (tuple, list)):
        items = list(obj)
    else:
        return latex(obj)
    if len(items) == 1:
        return latex(items[0])
    return r"\left(" + ", ".join(latex(x) for x in items) + r"\right)"


def assignments(values: Mapping[Any, Any], sep: str = ",\\ ") -> str:
    r"""LaTeX of ``name = value`` for each item of a mapping (a parameter point), joined by ``sep``.

    Examples
    ========
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> print(assignments({a: 2, b: sp.Rational(-1, 3)}))
    a = 2,\ b = - \frac{1}{3}
    """
    return sep.join(f"{latex(k)} = {latex(v)}" for k, v in dict(values).items())


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
