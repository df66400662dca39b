"""Tests of symgrad.render: filters (known-answer tables), the Jinja environment,
the templates, and compilation with LaTeX (marked ``tex``)."""
from __future__ import annotations

import os
import re
import shutil
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from symgrad.exceptions import RenderError, TemplateError
from symgrad.render import (
    abbreviate,
    breakable,
    condition,
    conditions,
    display,
    display_matrix,
    escape_latex,
    label,
    latex,
    latex_list,
    latex_width,
    make_environment,
    mathtext,
    matrix_entries,
    numbered,
    overfull_boxes,
    render_document,
    tex_errors,
    tikz_curve_figure,
    where_list,
    write_outputs,
)

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))


# -- contexts -------------------------------------------------------------------

def nodal_cubic_context() -> dict:
    """The curve t -> (t^2 - 1, t^3 - t), which meets itself at the origin (paper, Fig. 2)."""
    phi = sp.Matrix([t**2 - 1, t**3 - t])
    J = phi.jacobian([t])
    G = (J.T * J).applyfunc(sp.expand)
    G_plus = G.inv()
    loss = x + y**2
    dL = sp.Matrix([loss]).jacobian([x, y]).T.subs({x: phi[0], y: phi[1]})
    nabla = (J.T * dL).applyfunc(sp.expand)
    grad_param = (G_plus * nabla).applyfunc(sp.cancel)
    grad_manifold = (J * grad_param).applyfunc(sp.cancel)
    f = sp.Matrix([2 * s])
    Df = f.jacobian([s])
    J_eta = J.subs(t, 2 * s) * Df
    grad_eta = ((J_eta.T * J_eta).inv() * J_eta.T * dL.subs(t, 2 * s)).applyfunc(sp.cancel)
    delta = (grad_param.subs(t, 2 * s) - Df * grad_eta).applyfunc(sp.cancel)
    grad1, grad2 = grad_manifold.subs(t, -1), grad_manifold.subs(t, 1)
    samples = [k / 20 - 1.5 for k in range(61)]
    figure = tikz_curve_figure(
        [(float(phi[0].subs(t, v)), float(phi[1].subs(t, v))) for v in samples], (0, 0),
        [(list(J.subs(t, -1)), "blue", r"\partial(\xi_1)"), (list(J.subs(t, 1)), "red", r"\partial(\xi_2)")])
    return {
        "title": "Nodal cubic: a curve through a point twice",
        "key": "nodal_cubic",
        "summary": "The curve t -> (t^2 - 1, t^3 - t) passes the origin at t = -1 and t = 1 (100% & more).",
        "model": {"phi": phi, "params": [t], "coords": [x, y], "metric_name": "Euclidean",
                  "metric": sp.eye(2), "is_fisher": False},
        "J": J, "G": G, "rank": 1, "n_params": 1,
        "pinv": {"matrix": G_plus, "condition": G[0, 0], "extra_conditions": [],
                 "penrose_verdict": "PENROSE-VERDICT"},
        "loss": loss, "nabla": nabla, "grad_param": grad_param, "grad_manifold": grad_manifold,
        "riesz_agrees": "RIESZ-VERDICT",
        "reparam": {"f": f, "eta": [s], "Df": Df, "det_Df": Df.det(), "grad_eta": grad_eta,
                    "delta": delta, "J_delta_verdict": "JDELTA-VERDICT",
                    "certificate": "probabilistic, error <= 2^-60", "delta_witness": None},
        "singular": {"exact": True, "rank_drops": ["nowhere on the real line"],
                     "crossings": [(sp.Integer(-1), sp.Integer(1), sp.Matrix([0, 0]), "crossing (exact)")],
                     "loci": [], "limit_points": [], "scope": "Complete exact search (SCOPE-TEXT).",
                     "counterexample": {"point": sp.Matrix([0, 0]), "grad1": grad1, "grad2": grad2,
                                        "span1": J.subs(t, -1), "span2": J.subs(t, 1), "method": "exactly"}},
        "tikhonov": {"damped": (nabla / (G[0, 0] + lam)).applyfunc(sp.cancel), "limit": grad_param,
                     "verdict": "TIKHONOV-VERDICT"},
        "step": None,
        "figure": figure,
    }


def wide_context() -> dict:
    """A hand-made overparametrised context whose G is too wide to print whole (layout only)."""
    params = [a, b, c, d]
    phi = sp.Matrix([a * b + c * d, a * c - b * d + a**2 * d, a**2 * b - d**3 + b * c**2])
    J = phi.jacobian(params)
    G = (J.T * J).applyfunc(sp.expand)
    den = 1 + a**2 + b**2 + c**2 + d**2 + a * b * c * d
    G_plus = G / den**2  # not an inverse: layout test only
    nabla = (J.T * sp.Matrix([1, a, b])).applyfunc(sp.expand)
    long_sum = sp.expand((a + b + c + d + 1)**4)
    return {
        "title": "Layout test: a wide Gram matrix",
        "key": "wide-layout",
        "summary": "Exercises wide matrices and long sums; the matrix shown as G^+ is not an inverse.",
        "model": {"phi": phi, "params": params, "coords": list(sp.symbols("z_1:4")),
                  "metric_name": "Euclidean", "metric": sp.eye(3), "is_fisher": True},
        "J": J, "G": G, "rank": 3, "n_params": 4,
        "pinv": {"matrix": G_plus, "condition": den, "extra_conditions": [sp.Gt(a, 0)],
                 "penrose_verdict": "not checked (layout test)"},
        "loss": long_sum, "nabla": nabla, "grad_param": (G_plus * nabla).applyfunc(sp.expand),
        "grad_manifold": sp.Matrix([long_sum, 0, a]),
        "riesz_agrees": "not checked (layout test)",
        "reparam": None, "singular": None, "tikhonov": None,
        "step": {"second_order": sp.Matrix([a * b * c - d**2 / 2, 0, sp.Rational(1, 3) * a])},
        "figure": None,
    }


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
                                        r"\begin{pmatrix}\displaystyle \frac{a}{2}\\[0.6ex]\displaystyle b\end{pmatrix}"),
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


def test_abbreviate_names_large_repeated_subexpressions():
    den = a**2 + b**2 + a * b + 1
    M = sp.Matrix([[a / den, b / den], [1 / den, a * b / den]])
    ab = abbreviate(M, "c")
    assert ab.where == ((sp.Symbol("c_1"), 1 / den),)
    assert ab.expr == M.subs(1 / den, sp.Symbol("c_1"))
    assert ab.expr.subs(dict(ab.where)) == M  # coherence: substituting back gives M


ABBREVIATE_NOTHING = {
    "small repeated subexpression": sp.Matrix([a * b + 1, a * b + 2]),
    "used once": sp.Matrix([1 / (a**2 + b**2 + c**2 + d**2 + 1), a]),
    "whole entries of a symmetric matrix": sp.Matrix([[a, b**3 + a**3 + c**3 + d**3],
                                                      [b**3 + a**3 + c**3 + d**3, b]]),
}


@pytest.mark.parametrize("obj", ABBREVIATE_NOTHING.values(), ids=ABBREVIATE_NOTHING.keys())
def test_abbreviate_leaves_alone(obj):
    ab = abbreviate(obj)
    assert ab.where == () and ab.exprs == (obj,)


ABBREVIATE_AVOID = {
    "letter free": ([sp.Symbol("d_1")], "c_1"),
    "indexed symbol uses the letter": ([sp.Symbol("c_21")], "kappa_1"),
    "plain symbol uses the letter": ([sp.Symbol("c")], "kappa_1"),
    "spare letters used too": ([sp.Symbol(n) for n in ("c", "kappa", "tau", "omega", "varsigma_1")], "c_2"),
    "own spare letter": ([sp.Symbol("c")], "gamma_1"),
}


@pytest.mark.parametrize("avoid, name", ABBREVIATE_AVOID.values(), ids=ABBREVIATE_AVOID.keys())
def test_abbreviate_avoids_names_in_use(avoid, name):
    den = a**2 + b**2 + a * b + 1
    if name == "c_2":
        avoid = avoid + [sp.Symbol("c_1")]
    spare = ("gamma",) if name.startswith("gamma") else abbreviate.__kwdefaults__["spare"]
    ab = abbreviate(sp.Matrix([a / den, b / den]), "c", avoid={"model": {"params": avoid}}, spare=spare)
    assert [str(s) for s, _ in ab.where] == [name]


def test_abbreviate_several_expressions_share_names():
    den = a**2 + b**2 + a * b + 1
    ab = abbreviate([a / den, b / den], "u")
    assert len(ab.exprs) == 2 and [e.subs(dict(ab.where)) for e in ab.exprs] == [a / den, b / den]


def test_where_list():
    c1, c2 = sp.symbols("c_1 c_2")
    assert where_list([(c1, a + 1), (c2, c1**2)]) == \
        r"\begin{aligned}c_{1} &= a + 1\\c_{2} &= c_{1}^{2}\end{aligned}"


DISPLAY_EXAMPLES = {
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


@pytest.mark.parametrize("name", sorted(DISPLAY_EXAMPLES))
def test_numbered_and_display(name):
    tex, as_numbered, as_display = DISPLAY_EXAMPLES[name]
    assert numbered(tex, "eq:t") == as_numbered
    assert display(tex) == as_display


def test_numbered_without_label_keeps_one_unnumbered_row_per_line():
    assert numbered(r"\begin{aligned}a\\b\end{aligned}") == "\\begin{align}\na\\notag\\\\\nb\\notag\n\\end{align}"


# -- figures ---------------------------------------------------------------------

def test_tikz_curve_figure_known_answer():
    out = tikz_curve_figure([(0, 0), (2, 1), (4, 0.123456)], (2, 1),
                            [((1, -1), "red!70!black", r"\partial_1"), ((-1, 1), "blue", ""),
                             ((0, 0), "green", "z")], width_cm=3.2)
    assert out.splitlines() == [
        r"\begin{tikzpicture}[x=0.8cm, y=0.8cm, >=stealth]",
        r"  \draw[thick, black!70] (0, 0) -- (2, 1) -- (4, 0.123);",
        r"  \fill (2, 1) circle[radius=1.5pt];",
        r"  \draw[->, thick, red!70!black] (2, 1) -- ++(1, -1) node[anchor=north west] {$\partial_1$};",
        r"  \draw[->, thick, blue] (2, 1) -- ++(-1, 1);",
        r"  % zero arrow (green) left out",
        r"\end{tikzpicture}",
    ]


TIKZ_ERRORS = {
    "bad colour": (([(0, 0), (1, 1)], (0, 0), [((1, 0), "red}\\evil", "")]), "xcolor"),
    "one point": (([(0, 0)], (0, 0), []), "2 sample points"),
    "not finite": (([(0, 0), (float("nan"), 1)], (0, 0), []), "non-finite"),
    "3d vector": (([(0, 0), (1, 1)], (0, 0), [((1, 0, 0), "red", "")]), "2 coordinates"),
}


@pytest.mark.parametrize("args, message", TIKZ_ERRORS.values(), ids=TIKZ_ERRORS.keys())
def test_tikz_curve_figure_errors(args, message):
    with pytest.raises(RenderError, match=message):
        tikz_curve_figure(*args)


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


# -- the environment and the templates ---------------------------------------------

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
    assert r"$-1$ & $1$ & $\begin{pmatrix}0\\0\end{pmatrix}$ & crossing (exact) \\" in sec
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
