"""The README's five-minute tour runs as written, and says what it computes.

The tour is the first code a new user copies; it is executed here verbatim (the first
``python`` block after the heading), and the values its comments state are checked.
"""
from __future__ import annotations

import re
from pathlib import Path

import sympy as sp

import symgrad as sg

README = Path(__file__).resolve().parent.parent / "README.md"


def tour_source() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## A five-minute tour")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert block, "the tour has no python block"
    return block.group(1)


def test_the_tour_runs_and_its_comments_are_true():
    env: dict = {}
    exec(compile(tour_source(), "README.md (tour)", "exec"), env)  # noqa: S102 - our own README
    r, t = env["r"], env["t"]
    M, P, S = env["M"], env["P"], env["S"]
    assert M.G == sp.diag(1, r**2) and M.rank == 2
    assert P.matrix == sp.diag(1, r**-2) and P.rank == 2 and P.condition == r**4
    assert P.at({r: 0, t: 1}) == sp.diag(1, 0)                      # the true inverse at the rank drop
    p = sp.Matrix([e / sum(env["E"]) for e in env["E"]])
    assert sp.simplify(S.G - (sp.diag(*p) - p * p.T)) == sp.zeros(3, 3)  # diag(p) - p p^T
    assert env["ng"].theorem1.verdict is sg.Verdict.PROVED
    assert env["proof"].verdict is sg.Verdict.PROVED                 # the product under u + v^3
    assert env["proof"].delta_certificate.witness is not None
    cubic, z1, z2 = env["cubic"], env["z1"], env["z2"]
    assert sg.singular_points(cubic).crossings == (((1,), (-1,), (0, 0)),)
    vectors = [b.vector for b in sg.branch_gradients(cubic, z1 + 2 * z2, (0, 0))]
    assert vectors == [(sp.Rational(3, 2), sp.Rational(3, 2)), (-sp.Rational(1, 2), sp.Rational(1, 2))]


def test_the_own_derivation_example_runs():
    text = README.read_text(encoding="utf-8")
    start = text.index("## Writing your own derivation")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)
    env: dict = {}
    exec(compile(block, "README.md (own derivation)", "exec"), env)  # noqa: S102
    report = sg.run_derivation(env["derivation"](), seed=0)
    assert report.ok(), "\n".join(report.summary_lines())
    assert dict(report.checks)["J Delta grad = 0"].verdict is sg.Verdict.PROVED


def test_your_own_models_block_runs_and_its_comments_are_true():
    text = README.read_text(encoding="utf-8")
    start = text.index("## Your own models")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert block
    env: dict = {}
    exec(compile(block.group(1), "README.md (own models)", "exec"), env)  # noqa: S102 - our own README
    assert env["net"].rank == 2 and env["net"].exact.lifting.faithful
    assert env["ng"].theorem1.verdict is sg.Verdict.PROVED
    at = env["ng"].at({env["a1"]: 1, env["a2"]: 2, env["w1"]: sp.log(sp.Rational(3, 2)), env["w2"]: 0})
    assert at.method == "exact" and not any(x.has(sp.Float) for x in at.manifold)
    assert env["gauss"].rank == 2
    relu = env["relu"]
    assert len(relu) > 1 and all(r.witness is not None for r in relu)
