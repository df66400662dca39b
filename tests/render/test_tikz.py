"""Tests of symgrad.render.tikz: the curve figure, the panels figure (the paper's Figure 1), Figure."""
from __future__ import annotations

import re

import pytest
import sympy as sp

from symgrad.exceptions import RenderError
from symgrad.render import Figure, Panel, tikz_curve_figure, tikz_panels_figure
from symgrad.render.tikz import Branch, _Labels, tikz_branches_figure

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))


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


# -- panels (the paper's Figure 1) --------------------------------------------------------


def _panels():
    return [Panel("$H$", (0.5, 1.0), r"\eta", [((0.53, 0.18), "red", "g_H", False)], axes=(r"\rho", r"\vartheta")),
            Panel(r"$\Xi$", (2.0, 1.0), r"\xi", [((1.06, 0.18), "blue", "g_X", False), ((1.06, 0.18), "red", "m", True)]),
            Panel("$M$", (1.4, 1.4), "p", [((0.5, 1.0), "black", "v", False)], curve=[(2, 0), (1.4, 1.4), (0, 2)],
                  values=["$v = (1/2, 1)$"])]


def test_panels_figure_draws_every_arrow_and_map():
    tex = tikz_panels_figure(_panels(), [(0, 1, "f"), (1, 2, r"\phi"), (0, 2, r"\tilde\phi")])
    assert tex.startswith(r"\begin{tikzpicture}") and tex.endswith(r"\end{tikzpicture}")
    assert tex.count(r"\draw[->, thick") == 4 and tex.count("dashed, red] (symgradpanel1)") == 1
    assert "node[midway, below] {$f$}" in tex and r"to[out=30, in=150] node[midway, above] {$\tilde\phi$}" in tex
    assert r"\clip" in tex and "$v = (1/2, 1)$" in tex


def test_panels_figure_keeps_coinciding_labels_apart():
    tex = tikz_panels_figure(_panels())
    first = re.search(r"blue\] \(symgradpanel1\).*node\[anchor=(\d+)", tex)
    second = re.search(r"dashed, red\] \(symgradpanel1\).*node\[anchor=(\d+)", tex)
    assert first and second and first.group(1) != second.group(1)


def test_panels_figure_arrow_lengths_are_to_scale_within_a_panel():
    tex = tikz_panels_figure([Panel("$A$", (0, 0), arrows=[((2, 0), "blue", "", False), ((1, 0), "red", "", False)])])
    lengths = [float(m) for m in re.findall(r"-- \+\+\(([0-9.]+), 0\)", tex)]
    assert lengths == [pytest.approx(1.05), pytest.approx(0.525)]  # 35 % of 3 cm for the longest


@pytest.mark.parametrize("args, message", [
    (([],), "at least one panel"),
    (([Panel("$A$", (0, 0), arrows=[((1, 0), "not a colour!", "", False)])],), "xcolor"),
    (([Panel("$A$", (0, 0))], [(0, 0, "f")]), "two different panels"),
    (([Panel("$A$", (0, float("nan")))],), "non-finite"),
])
def test_panels_figure_errors(args, message):
    with pytest.raises(RenderError, match=message):
        tikz_panels_figure(*args)


def test_figure_is_tikz_with_a_caption():
    f = Figure("TIKZ", caption="What is drawn.")
    assert f == "TIKZ" and isinstance(f, str) and f.caption == "What is drawn."
    assert Figure("TIKZ").caption == ""


# -- Figure 2: branches through a singular point ------------------------------------------

def _projection(w, s):
    k = (w[0] * s[0] + w[1] * s[1]) / (s[0] ** 2 + s[1] ** 2)
    return (k * s[0], k * s[1])


def _nodal_figure():
    curve = [(float(u**2 - 1), float(u**3 - u)) for u in (k / 20 for k in range(-27, 28))]
    w = (1.0, 2.0)                                   # the Euclidean gradient of z1 + 2 z2
    spans = [(1.0, 1.0), (1.0, -1.0)]               # tangent lines of the nodal cubic at t = 1, -1
    branches = [Branch(s, _projection(w, s), colour, f"v_{i}", f"S_{i}", parameter=par, parameter_label=f"t_{i}")
                for i, (s, colour, par) in enumerate(zip(spans, ["blue", "red!75!black"], [1.0, -1.0]), 1)]
    return tikz_branches_figure(curve, (0, 0), branches, ambient=(w, "w"), parameter_range=(-1.6, 1.6))


def test_branches_figure_draws_spans_vectors_and_projections():
    tex = _nodal_figure()
    assert tex.count(r"\draw[->, very thick") == 2 and tex.count(r"\draw[dotted") == 2
    assert tex.count("thin]") == 2 and "dashed" in tex
    for label in ("v_1", "v_2", "S_1", "S_2", "t_1", "t_2", "w", "p", r"\phi", r"\Xi"):
        assert "{$" + label + "$}" in tex, label
    # each dotted segment runs from the tip of w to a branch vector, orthogonally to that branch's line
    segs = re.findall(r"\\draw\[dotted, [^\]]+\] \(([-\d.]+), ([-\d.]+)\) -- \(([-\d.]+), ([-\d.]+)\)", tex)
    for (x0, y0, x1, y1), span in zip(segs, [(1, 1), (1, -1)]):
        dx, dy = float(x1) - float(x0), float(y1) - float(y0)
        assert (float(x0), float(y0)) == (1.0, 2.0) and abs(dx * span[0] + dy * span[1]) < 1e-3


def test_labels_go_where_the_drawing_is_not():
    # the drawing fills the right of the point: the label goes left, with the anchor on its east side
    obstacles = [(x / 10, y / 10) for x in range(0, 30) for y in range(-10, 11)]
    anchor = _Labels(obstacles, scale=1.0).place(0, 0, prefer=0.0, text="v").split(",")[0]
    assert anchor in ("anchor=east", "anchor=north east", "anchor=south east"), anchor
    # a free side is taken as preferred, close to the point
    assert _Labels([], scale=1.0).place(0, 0, prefer=90.0, text="v") == "anchor=south, inner sep=2.3pt"


def test_branches_figure_errors():
    with pytest.raises(RenderError, match="span vector is zero"):
        tikz_branches_figure([(0, 0), (1, 1)], (0, 0), [Branch((0, 0), (1, 1), "blue")])
    with pytest.raises(RenderError, match="xcolor"):
        tikz_branches_figure([(0, 0), (1, 1)], (0, 0), [Branch((1, 0), (1, 1), "not a colour!")])
