"""The pgfplots surface figure of a model in three ambient dimensions (issue 14): the drawing
function, the figure of a derivation (a, b) -> (a, b, ab) with its vectors checked against an
independent computation, and a compiled page with no overfull box."""
from __future__ import annotations

import re

import pytest
import sympy as sp

import symgrad as sg
from symgrad.exceptions import RenderError
from symgrad.render.surface import Arrow3, pgfplots_surface_figure, projection, surface_figure, view_towards

a, b, u, v = sp.symbols("a b u v", real=True)


def saddle_derivation(**kw):
    M = sg.Model([a, b, a * b], params=[a, b])
    z1, z2, z3 = M.z
    return sg.Derivation(key="saddle", title="A saddle surface", summary="", model=M,
                         loss=(z1 - 1) ** 2 / 2 + z3, reparametrisation=sg.Reparametrisation([u + v**3, v], [u, v]),
                         **kw)


def test_the_drawing_has_the_surface_the_arrows_and_their_labels():
    grid = [[(x, y, x * y) for x in (-1, 0, 1)] for y in (-1, 0, 1)]
    tex = pgfplots_surface_figure(grid, (0, 0, 0), [Arrow3((1, 0, 0), "blue", "v"), Arrow3((0, 1, 0), "red", "w")])
    assert tex.count(r"\addplot3[surf") == 1 and "mesh/cols=3" in tex
    assert r"{$v$}" in tex and r"{$w$}" in tex and tex.count(r"\draw[->") == 2
    # the unit vectors are those of pgfplots' view={35}{25}, scaled alike (equal scales on the axes)
    units = [tuple(map(float, m)) for m in re.findall(r"=\{\(([-\d.]+)cm, ([-\d.]+)cm\)\}", tex)]
    ref = projection(35, 25)
    ratio = units[0][0] / ref[0][0]
    for got, want in zip(units, ref):
        assert got == pytest.approx((want[0] * ratio, want[1] * ratio), abs=2e-4)
    anchors = re.findall(r"anchor=([a-z ]+), inner sep", tex)
    assert len(anchors) == 3                 # p, v and w each placed


def test_bad_input_is_refused():
    with pytest.raises(RenderError, match="2 x 2"):
        pgfplots_surface_figure([[(0, 0, 0)]], (0, 0, 0), [])
    with pytest.raises(RenderError, match="3 coordinates"):
        pgfplots_surface_figure([[(0, 0, 0), (1, 0, 0)], [(0, 1, 0), (1, 1)]], (0, 0, 0), [])
    with pytest.raises(RenderError, match="non-finite"):
        pgfplots_surface_figure([[(0, 0, 0), (1, 0, 0)], [(0, 1, 0), (1, 1, float("nan"))]], (0, 0, 0), [])


def test_view_towards_a_normal():
    h, e = view_towards((0, 0, 1), tilt=0)
    assert e == 60.0                        # face-on from above, clamped so that z stays upright
    h, e = view_towards((1, 1, 1), tilt=0)
    assert (round(h), round(e)) == (135, 35)


@pytest.fixture(scope="module")
def saddle_report():
    return sg.run_derivation(saddle_derivation(), seed=0)


def test_a_surface_in_three_dimensions_gets_the_figure(saddle_report):
    fig = saddle_report.figure
    assert fig is not None and r"\addplot3[surf" in fig
    assert "grad" in fig.caption and r"d\tilde\phi" in fig.caption
    # the drawn gradient is grad_p L at the point, an independent computation: the g-orthogonal (here
    # Euclidean) projection of dL onto the span of the columns of J
    pt = {a: 0, b: 0}        # the first candidate point (u, v) = (0, 0), xi = f(0, 0) = (0, 0)
    assert r"a = 0,\ b = 0" in fig.caption
    J = sp.Matrix([a, b, a * b]).jacobian([a, b]).subs(pt)
    dL = sp.Matrix([sp.Symbol("z1") - 1, 0, 1]).subs(sp.Symbol("z1"), 0)
    grad = J * (J.T * J).inv() * J.T * dL
    k = float(re.search(r"times ([\d.e+-]+)\)", fig.caption).group(1))
    tips = re.findall(r"\\draw\[->, very thick, blue\] \(axis cs:([^)]*)\) -- \(axis cs:([^)]*)\)", fig)
    assert len(tips) == 1
    p = [float(x) for x in tips[0][0].split(",")]
    q = [float(x) for x in tips[0][1].split(",")]
    assert [qi - pi for pi, qi in zip(p, q)] == pytest.approx([float(x) * k for x in grad], rel=5e-3, abs=1e-4)  # k printed to 3 digits


def test_no_surface_figure_for_other_models():
    r, t = sp.symbols("r t", real=True)
    d = sg.Derivation(key="polar", title="p", summary="", model=sg.Model([r * sp.cos(t), r * sp.sin(t)], [r, t]),
                      loss=sp.Symbol("z1"))
    rep = sg.run_derivation(d, seed=0)
    assert rep.figure is None and surface_figure(rep) is None


@pytest.mark.tex
def test_the_surface_figure_compiles_with_no_overfull_box(saddle_report, tmp_path):
    from test_latexmk import require_tex
    from symgrad.render import write_outputs
    require_tex()
    result = write_outputs(sg.render(saddle_report).tex, tmp_path, pdf=True)
    assert result["pdf"].exists() and not [w for w, _ in result["overfull"] if w > 3.0], result["overfull"]
