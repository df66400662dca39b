"""Tests of symgrad.render.abbreviate: named repeated subexpressions."""
from __future__ import annotations

import pytest
import sympy as sp

from symgrad.render import abbreviate, where_list

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))


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
