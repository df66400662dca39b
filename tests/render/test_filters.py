"""Tests of symgrad.render.filters and symgrad.notation's escaper: known-answer tables."""
from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from symgrad.exceptions import RenderError
from symgrad.render import (
    condition,
    conditions,
    escape_latex,
    label,
    latex,
    latex_list,
    mathtext,
)

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))


# -- filters: text ----------------------------------------------------------------

ESCAPE_EXAMPLES = {
    "backslash": ("a\\b", r"a\textbackslash{}b"),
    "ampersand": ("A & B", r"A \& B"),
    "percent": ("50%", r"50\%"),
    "dollar": ("$5", r"\$5"),
    "hash": ("#1", r"\#1"),
    "underscore": ("x_1", r"x\_1"),
    "braces": ("{a}", r"\{a\}"),
    "tilde": ("~", r"\textasciitilde{}"),
    "caret": ("t^2", r"t\textasciicircum{}2"),
    "angle": ("a < b > c", r"a \textless{} b \textgreater{} c"),
    "bar": ("|x|", r"\textbar{}x\textbar{}"),
    "no double escaping": ("\\&", r"\textbackslash{}\&"),
    "plain": ("proved exactly", "proved exactly"),
    "non-string": (3, "3"),
}


@pytest.mark.parametrize("text, expected", ESCAPE_EXAMPLES.values(), ids=ESCAPE_EXAMPLES.keys())
def test_escape_latex(text, expected):
    assert escape_latex(text) == expected


_UNESCAPE = {r"\textbackslash{}": "\\", r"\textasciitilde{}": "~", r"\textasciicircum{}": "^",
             r"\textless{}": "<", r"\textgreater{}": ">", r"\textbar{}": "|",
             r"\&": "&", r"\%": "%", r"\$": "$", r"\#": "#", r"\_": "_", r"\{": "{", r"\}": "}"}
_UNESCAPE_RE = re.compile("|".join(re.escape(k) for k in _UNESCAPE))


@given(st.text())
@example("\\textbackslash{}")
@example("}{\\%")
def test_escape_latex_is_reversible_and_leaves_no_bare_specials(text):
    escaped = escape_latex(text)
    assert _UNESCAPE_RE.sub(lambda m: _UNESCAPE[m.group(0)], escaped) == text
    rest = _UNESCAPE_RE.sub("", escaped)
    assert not set(rest) & set("\\&%$#_{}~^<>|")


LABEL_EXAMPLES = {
    "spaces and case": (("Softmax n = 3", None), "softmax-n-3"),
    "prefix": (("nodal_cubic", "sec"), "sec:nodal-cubic"),
    "accents": (("Métrique de Fisher", "eq"), "eq:metrique-de-fisher"),
    "TeX specials": (("a{b}\\c#%", None), "a-b-c"),
    "keeps dots and dashes": (("v1.2-beta", None), "v1.2-beta"),
    "trims": (("  --x--  ", None), "x"),
}


@pytest.mark.parametrize("args, expected", LABEL_EXAMPLES.values(), ids=LABEL_EXAMPLES.keys())
def test_label(args, expected):
    assert label(*args) == expected


def test_label_refuses_empty_keys():
    with pytest.raises(RenderError, match="label"):
        label("%%")


# -- filters: mathematics -----------------------------------------------------------

LATEX_EXAMPLES = {
    "int": ((3,), {}, "3"),
    "negative Fraction": ((Fraction(-3, 4),), {}, r"- \frac{3}{4}"),
    "Rational": ((sp.Rational(1, 2),), {}, r"\frac{1}{2}"),
    "symbol with index": ((xi1,), {}, r"\xi_{1}"),
    "pmatrix": ((sp.Matrix([[a, b]]),), {}, r"\begin{pmatrix}a & b\end{pmatrix}"),
    "bmatrix column": ((sp.Matrix([a, 1]),), {"matrix": "bmatrix"}, r"\begin{bmatrix}a\\1\end{bmatrix}"),
    "fraction cells in display style": ((sp.Matrix([a / 2, b]),), {},
                                        r"\begin{pmatrix}\displaystyle \frac{a}{2}\\[1.1ex]\displaystyle b\end{pmatrix}"),
    "tuple": (((a, b),), {}, r"\left( a, \  b\right)"),
}


@pytest.mark.parametrize("args, kwargs, expected", LATEX_EXAMPLES.values(), ids=LATEX_EXAMPLES.keys())
def test_latex(args, kwargs, expected):
    assert latex(*args, **kwargs) == expected


def test_latex_refuses_text_and_unknown_environments():
    with pytest.raises(TypeError, match="escape_latex"):
        latex("x_1")
    with pytest.raises(ValueError, match="pmatrix"):
        latex(sp.eye(2), matrix="array")


SMALL_FILTER_EXAMPLES = {
    "mathtext expr": (mathtext, (a**2,), "$a^{2}$"),
    "mathtext text": (mathtext, ("a_1 = 0",), r"a\_1 = 0"),
    "latex_list": (latex_list, ([xi1, xi2],), r"\xi_{1}, \xi_{2}"),
    "latex_list sep": (latex_list, ([a, b], " < "), "a < b"),
    "condition expr": (condition, (a**2 + b**2,), r"a^{2} + b^{2} \neq 0"),
    "condition relation": (condition, (sp.Gt(a, 0),), "a > 0"),
    "conditions": (conditions, (a**2 + b**2, [sp.Gt(a, 0)]),
                   r"\begin{gathered}a^{2} + b^{2} \neq 0,\\a > 0\end{gathered}"),
    "condition boolean": (condition, (sp.And(sp.Gt(a, 0), sp.Ne(b, 0)),), r"a > 0 \wedge b \neq 0"),
}


@pytest.mark.parametrize("func, args, expected", SMALL_FILTER_EXAMPLES.values(), ids=SMALL_FILTER_EXAMPLES.keys())
def test_small_filters(func, args, expected):
    assert func(*args) == expected
