"""Tests of symgrad.render.tikz: the curve figure."""
from __future__ import annotations

import pytest
import sympy as sp

from symgrad.exceptions import RenderError
from symgrad.render import tikz_curve_figure

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
