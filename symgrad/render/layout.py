r"""Displays that fit the page: a width estimate, line breaking, matrices, numbered displays.

:func:`latex_width` estimates the printed width of math-mode LaTeX; the
display filters (:func:`breakable`, :func:`display_matrix`,
:func:`matrix_entries`, :func:`conditions`) break what does not fit a line
budget of :data:`MAX_WIDTH` units, and :func:`numbered` / :func:`display` put
the result in an environment that may break across pages.

Examples
========
>>> import sympy as sp
>>> a, b = sp.symbols("a b")
>>> display_matrix(sp.Matrix([a, b]), "v")
'v = \\begin{pmatrix}a\\\\b\\end{pmatrix}'
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import sympy as sp

from .filters import latex
from .plaintext import decimal

__all__ = [
    "MAX_WIDTH", "FRAGMENT_MAX_WIDTH", "latex_width", "breakable", "matrix_entries", "display_matrix",
    "conditions", "numbered", "display", "with_decimals", "nonzero", "display_lines", "display_scaled",
    "scaled_fits", "approximately",
]

#: Width budget of one displayed line, in the units of :func:`latex_width`
#: (roughly the width of one math glyph at 11pt).  Calibrated so that a line of
#: this width fits the 16 cm text block of ``base.tex.j2`` with some margin.
MAX_WIDTH = 62.0

#: The width budget used for fragments, which go into documents with narrower text
#: (345pt in the standard 10pt article class).
FRAGMENT_MAX_WIDTH = 46.0


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
    small_den: list[sp.Expr] = []
    big_den: list[sp.Expr] = []
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
    if M is None:   # a formula not written out within the budget (the section's notes say so)
        return rf"{name} \quad \text{{(not written out: see the notes of this section)}}"
    if not isinstance(M, sp.MatrixBase):
        return breakable(M, name, max_width=max_width)
    if M.cols <= 10 and latex_width(name) + 2.0 + _matrix_width(M) <= max_width:
        return f"{name} = {latex(M, matrix=matrix)}"
    return matrix_entries(M, name, max_width=max_width)



def _needs_decimal(x: Any) -> bool:
    x = sp.sympify(x)
    return bool(x.is_number and x.is_finite and (not x.is_Rational or latex_width(latex(x)) > 8))


def with_decimals(M: Any, name: str, *, max_width: float = MAX_WIDTH, digits: int = 10) -> str:
    r"""Display ``name = M`` exactly and, if an entry is irrational or long, ``pprox`` its decimals.

    The decimals are rounded to ``digits`` significant digits and follow an
    ``pprox``, so they are never mistaken for the exact value.  Entries that
    are short rationals are repeated as they are.  The decimal form goes on a
    second line when both do not fit ``max_width``.

    Examples
    ========
    >>> import sympy as sp
    >>> print(with_decimals(sp.Matrix([sp.Rational(1, 5), sp.sqrt(2)]), "v"))
    v = \begin{pmatrix}\displaystyle \frac{1}{5}\\[1.1ex]\displaystyle \sqrt{2}\end{pmatrix} \approx \begin{pmatrix}\frac{1}{5}\\1.414213562\end{pmatrix}
    >>> with_decimals(sp.Matrix([1, 2]), "w")
    'w = \\begin{pmatrix}1\\\\2\\end{pmatrix}'
    """
    exact = display_matrix(M, name, max_width=max_width)
    items = list(M) if isinstance(M, sp.MatrixBase) else [M]
    if not any(_needs_decimal(x) for x in items):
        return exact
    if isinstance(M, sp.MatrixBase):
        cells = [[decimal(M[i, j], digits) if _needs_decimal(M[i, j]) else latex(M[i, j])
                  for j in range(M.cols)] for i in range(M.rows)]
        approx = r"\begin{pmatrix}" + r"\\".join(" & ".join(row) for row in cells) + r"\end{pmatrix}"
    else:
        approx = decimal(M, digits)
    if exact.startswith(r"\begin{aligned}"):  # entry by entry: the decimals as a last row
        return exact[:-len(r"\end{aligned}")] + rf"\\&\approx {approx}" + r"\end{aligned}"
    if latex_width(exact) + 2.0 + latex_width(approx) <= max_width:
        return rf"{exact} \approx {approx}"
    lhs, _, rhs = exact.partition(" = ")
    return rf"\begin{{aligned}}{lhs} &= {rhs}\\ &\approx {approx}\end{{aligned}}"


def approximately(M: Any, name: str, *, digits: int = 10) -> str:
    r"""Display ``name \approx`` the decimals of ``M`` (rounded to ``digits`` significant digits; short
    rationals as they are): for an exact value too long to print, whose exact form is elsewhere.

    Examples
    ========
    >>> import sympy as sp
    >>> print(approximately(sp.Matrix([sp.Rational(1, 5), sp.exp(1)]), "v"))
    v \approx \begin{pmatrix}\frac{1}{5}\\2.718281828\end{pmatrix}
    """
    if isinstance(M, sp.MatrixBase):
        cells = [[decimal(M[i, j], digits) if _needs_decimal(M[i, j]) else latex(M[i, j])
                  for j in range(M.cols)] for i in range(M.rows)]
        return rf"{name} \approx " + r"\begin{pmatrix}" + r"\\".join(" & ".join(row) for row in cells) + r"\end{pmatrix}"
    return rf"{name} \approx {decimal(M, digits)}"


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


def nonzero(tex: str) -> str:
    r"""``tex \neq 0``: a display (one line or an ``aligned`` block) stated to be non-zero.

    Examples
    ========
    >>> nonzero(r"\det K = a^{2} + b^{2}")
    '\\det K = a^{2} + b^{2} \\neq 0'
    >>> nonzero(r"\begin{aligned}s &= a\\ &\quad + b\end{aligned}")
    '\\begin{aligned}s &= a\\\\ &\\quad + b \\neq 0\\end{aligned}'
    """
    end = r"\end{aligned}"
    if tex.rstrip().endswith(end):
        body = tex.rstrip()[:-len(end)]
        return body + r" \neq 0" + end
    return tex.rstrip() + r" \neq 0"


def display_lines(tex: str) -> int:
    r"""How many lines a display takes: one more than its line breaks (matrix rows count).

    Used to decide whether an expansion is short enough for the main document.

    Examples
    ========
    >>> display_lines("x = 1"), display_lines(r"\begin{aligned}a &= 1\\b &= 2\end{aligned}")
    (1, 2)
    """
    return str(tex).count("\\\\") + 1


def display_scaled(M: Any, name: str, scalar: Any, *, matrix: str = "pmatrix", max_width: float = MAX_WIDTH) -> str:
    r"""Display ``name = scalar M``: a common factor in front of a matrix (or vector).

    The factor is wrapped in parentheses when it is a sum; when the line would be too wide, the
    factor goes on the first line and the matrix on the second.

    Examples
    ========
    >>> import sympy as sp
    >>> t = sp.Symbol("t")
    >>> display_scaled(sp.Matrix([sp.cos(t), sp.sin(t)]), r"\delta", -sp.exp(-t) / 8)
    '\\delta = - \\frac{e^{- t}}{8}\\, \\begin{pmatrix}\\cos{\\left(t \\right)}\\\\\\sin{\\left(t \\right)}\\end{pmatrix}'
    """
    s = latex(scalar)
    if isinstance(sp.sympify(scalar), sp.Add):
        s = rf"\left({s}\right)"
    body = latex(M, matrix=matrix) if isinstance(M, sp.MatrixBase) else latex(M)
    if latex_width(f"{name} = {s}") + 2.0 + latex_width(body) <= max_width:
        return rf"{name} = {s}\, {body}"
    return rf"\begin{{aligned}}{name} &= {s}\\ &\quad \times {body}\end{{aligned}}"


def scaled_fits(M: Any, name: str, scalar: Any, *, matrix: str = "pmatrix", max_width: float = MAX_WIDTH) -> bool:
    r"""Whether :func:`display_scaled` fits the page: the factor on one line and the matrix on one.

    Examples
    ========
    >>> import sympy as sp
    >>> x = sp.symbols("x_1:30")
    >>> scaled_fits(sp.Matrix([1, 2]), "v", x[0]), scaled_fits(sp.Matrix([sum(x), 2]), "v", x[0])
    (True, False)
    """
    s = latex(scalar)
    body = latex(M, matrix=matrix) if isinstance(M, sp.MatrixBase) else latex(M)
    entries = [latex(e) for e in (M if isinstance(M, sp.MatrixBase) else [M])]
    return (latex_width(f"{name} = {s}") + 2.0 <= max_width and latex_width(body) + 4.0 <= max_width
            and all(latex_width(e) + 4.0 <= max_width for e in entries))

