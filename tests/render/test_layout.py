"""Tests of symgrad.render.layout: the width estimate, line breaking, matrices, numbered displays."""
from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from symgrad.render import (
    breakable,
    conditions,
    display,
    display_matrix,
    latex,
    latex_width,
    matrix_entries,
    numbered,
)
from render_contexts import wide_context

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))



def test_conditions_breaks_a_long_condition():
    out = conditions(long_sum, [a**2 + 1], max_width=24)
    assert out == (r"\begin{gathered}\begin{aligned}&- x_{1} + x_{2} - x_{3} + x_{4} - x_{5}\\ &\quad"
                   r" + x_{6} - x_{7} + x_{8}\end{aligned} \neq 0,\\a^{2} + 1 \neq 0\end{gathered}")


WIDTH_EXAMPLES = {
    "letters": ("ab", 2.0),
    "binary operator": ("a + b", 4.0),
    "superscript": ("a^{2}", 1.7),
    "fraction takes the wider part": (r"\frac{a^{2}}{b + c}", 4.2),
    "macros count one": (r"\alpha \beta", 2.0),
    "left right are free": (r"\left(a\right)", 3.0),
    "environments are free": (r"\begin{pmatrix}a\end{pmatrix}", 1.0),
    "widest line": (r"a \\ b + c + d", 7.0),
    "spacing": (r"a\,b\quad c", 5.3),
    "relations": (r"a \neq 0", 4.0),
}


@pytest.mark.parametrize("tex, expected", WIDTH_EXAMPLES.values(), ids=WIDTH_EXAMPLES.keys())
def test_latex_width(tex, expected):
    assert latex_width(tex) == pytest.approx(expected)



BREAKABLE_EXAMPLES = {
    "short stays inline": ((a + b, "s"), {}, "s = a + b"),
    "no name": ((a + b,), {}, "a + b"),
    "long sum is broken": ((long_sum, "s"), {"max_width": 20},
                           r"\begin{aligned}s &= - x_{1} + x_{2} - x_{3} + x_{4}\\ &\quad - x_{5} + x_{6} - x_{7} + x_{8}\end{aligned}"),
    "quotient with long numerator": ((long_sum / (a + 1), "q"), {"max_width": 25},
                                     r"\begin{aligned}q &= \frac{1}{a + 1} \Bigl(- x_{1} + x_{2} - x_{3} + x_{4}\\ &\quad - x_{5} + x_{6} - x_{7} + x_{8}\Bigr)\end{aligned}"),
    "long sum, no name": ((long_sum,), {"max_width": 22},
                          r"\begin{aligned}&- x_{1} + x_{2} - x_{3} + x_{4} - x_{5}\\ &\quad + x_{6} - x_{7} + x_{8}\end{aligned}"),
    "long denominator": ((a / (long_sum + 1)**2, "r"), {"max_width": 30},
                         r"\begin{aligned}r &= a \Bigl(- x_{1} + x_{2} - x_{3} + x_{4} - x_{5} + x_{6}\\ &\quad - x_{7} + x_{8} + 1\Bigr)^{-2}\end{aligned}"),
    "function of a sum cannot be broken": ((sp.exp(long_sum), "p"), {"max_width": 10},
                                           r"p = e^{- x_{1} + x_{2} - x_{3} + x_{4} - x_{5} + x_{6} - x_{7} + x_{8}}"),
    "product with a long factor": ((-3 * a * long_sum**2 / (2 * b), "p"), {"max_width": 30},
                                   r"\begin{aligned}p &= - \frac{3}{2 b} a \Bigl(- x_{1} + x_{2} - x_{3} + x_{4} - x_{5}\\ &\quad + x_{6} - x_{7} + x_{8}\Bigr)^{2}\end{aligned}"),
    "long term of a sum": ((1 + a * long_sum, "p"), {"max_width": 30},
                           r"\begin{aligned}p &= a \Bigl(- x_{1} + x_{2} - x_{3} + x_{4} - x_{5} + x_{6}\\ &\quad - x_{7} + x_{8}\Bigr) + 1\end{aligned}"),
}


@pytest.mark.parametrize("args, kwargs, expected", BREAKABLE_EXAMPLES.values(), ids=BREAKABLE_EXAMPLES.keys())
def test_breakable(args, kwargs, expected):
    assert breakable(*args, **kwargs) == expected


@given(st.lists(st.integers(-20, 20).filter(bool), min_size=1, max_size=25), st.integers(10, 80))
@example([1] * 25, 10)
@example([-1, 5], 10)
def test_breakable_lines_fit_and_keep_every_term(coefficients, width):
    expr = sum(k * sp.Symbol(f"y_{i}") for i, k in enumerate(coefficients))
    out = breakable(expr, "e", max_width=width)
    if out.startswith(r"\begin{aligned}"):
        lines = out[len(r"\begin{aligned}e &= "):-len(r"\end{aligned}")].split(r"\\ &\quad ")
        budget = width - latex_width("e ") - 2
        assert all(latex_width(line) <= budget or " " not in line.strip("- ") for line in lines)
    else:
        lines = [out[len("e = "):]]
    assert " ".join(lines) == latex(expr)  # nothing lost, nothing reordered


MATRIX_ENTRY_EXAMPLES = {
    "symmetric, zeros left out": ((sp.Matrix([[a, b], [b, 0]]), "G"), {},
                                  r"\begin{aligned}G_{11} &= a\\G_{12} &= b\\&\text{(symmetric; entries not listed are zero)}\end{aligned}"),
    "general": ((sp.Matrix([[a, b], [c, d]]), "J"), {},
                r"\begin{aligned}J_{11} &= a\\J_{12} &= b\\J_{21} &= c\\J_{22} &= d\end{aligned}"),
    "vector gets one index": ((sp.Matrix([a, b]), r"\nabla\mathcal{L}"), {},
                              r"\begin{aligned}\left(\nabla\mathcal{L}\right)_{1} &= a\\\left(\nabla\mathcal{L}\right)_{2} &= b\end{aligned}"),
    "row vector": ((sp.Matrix([[0, b]]), r"\phi"), {},
                   r"\begin{aligned}\phi_{2} &= b\\&\text{(entries not listed are zero)}\end{aligned}"),
    "zero matrix": ((sp.zeros(2, 2), "Z"), {}, r"\begin{aligned}Z &= 0\end{aligned}"),
    "keep zeros, no symmetry": ((sp.Matrix([[a, 0], [0, a]]), "D"), {"symmetric": False, "skip_zeros": False},
                                r"\begin{aligned}D_{11} &= a\\D_{12} &= 0\\D_{21} &= 0\\D_{22} &= a\end{aligned}"),
}


@pytest.mark.parametrize("args, kwargs, expected", MATRIX_ENTRY_EXAMPLES.values(), ids=MATRIX_ENTRY_EXAMPLES.keys())
def test_matrix_entries(args, kwargs, expected):
    assert matrix_entries(*args, **kwargs) == expected


def test_matrix_entries_uses_commas_beyond_nine():
    out = matrix_entries(sp.diag(*sp.symbols("e_1:12")), "E")
    assert "E_{11,11} &= e_{11}" in out and "E_{1,1} &= e_{1}" in out


def test_matrix_entries_breaks_long_entries():
    out = matrix_entries(sp.Matrix([[long_sum, a]]), "M", max_width=20)
    assert out.count(r"\\ &\quad") >= 1 and r"M_{2} &= a" in out


DISPLAY_EXAMPLES = {
    "fits": ((sp.Matrix([[a, b]]), "J"), {}, r"J = \begin{pmatrix}a & b\end{pmatrix}"),
    "bmatrix": ((sp.Matrix([[a, b]]), "J"), {"matrix": "bmatrix"}, r"J = \begin{bmatrix}a & b\end{bmatrix}"),
    "too wide": ((sp.Matrix([[a, b]]), "J"), {"max_width": 6},
                 r"\begin{aligned}J_{1} &= a\\J_{2} &= b\end{aligned}"),
    "more than 10 columns": ((sp.Matrix([list(range(1, 12))]), "r"), {}, None),
    "scalar": ((a + b, "s"), {}, "s = a + b"),
}


@pytest.mark.parametrize("args, kwargs, expected", DISPLAY_EXAMPLES.values(), ids=DISPLAY_EXAMPLES.keys())
def test_display_matrix(args, kwargs, expected):
    out = display_matrix(*args, **kwargs)
    if expected is None:
        assert out.startswith(r"\begin{aligned}") and "r_{11} &= 11" in out
    else:
        assert out == expected


def test_display_matrix_chooses_entries_for_the_wide_gram_matrix():
    ctx = wide_context()
    assert display_matrix(ctx["G"], "G").startswith(r"\begin{aligned}G_{11}")
    assert display_matrix(ctx["model"]["phi"], r"\phi").startswith(r"\phi = \begin{pmatrix}")


NUMBERED_EXAMPLES = {
    "one line": ("x = 1", "\\begin{equation}\nx = 1\\label{eq:t}\n\\end{equation}", "\\[\nx = 1\n\\]"),
    "two rows": (r"\begin{aligned}a &= 1\\b &= 2\end{aligned}",
                 "\\begin{align}\na &= 1\\notag\\\\\nb &= 2\\label{eq:t}\n\\end{align}",
                 "\\begin{align*}\na &= 1\\\\\nb &= 2\n\\end{align*}"),
    # a \\ inside a nested environment or a brace group is not a row break
    "nested matrix": (r"\begin{aligned}v &= \begin{pmatrix}1\\2\end{pmatrix}\\w &= {a\\b}\end{aligned}",
                      "\\begin{align}\nv &= \\begin{pmatrix}1\\\\2\\end{pmatrix}\\notag\\\\\nw &= {a\\\\b}"
                      "\\label{eq:t}\n\\end{align}",
                      "\\begin{align*}\nv &= \\begin{pmatrix}1\\\\2\\end{pmatrix}\\\\\nw &= {a\\\\b}\n\\end{align*}"),
    # two aligned blocks side by side are not one block: they stay in one (unbreakable) display
    "two blocks": (r"\begin{aligned}a\end{aligned}, \begin{aligned}b\end{aligned}",
                   "\\begin{equation}\n\\begin{aligned}a\\end{aligned}, \\begin{aligned}b\\end{aligned}"
                   "\\label{eq:t}\n\\end{equation}",
                   "\\[\n\\begin{aligned}a\\end{aligned}, \\begin{aligned}b\\end{aligned}\n\\]"),
}


@pytest.mark.parametrize("name", sorted(NUMBERED_EXAMPLES))
def test_numbered_and_display(name):
    tex, as_numbered, as_display = NUMBERED_EXAMPLES[name]
    assert numbered(tex, "eq:t") == as_numbered
    assert display(tex) == as_display


def test_numbered_without_label_keeps_one_unnumbered_row_per_line():
    assert numbered(r"\begin{aligned}a\\b\end{aligned}") == "\\begin{align}\na\\notag\\\\\nb\\notag\n\\end{align}"
