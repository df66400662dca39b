"""Short forms for display (symgrad.factored): a common factor times a short vector, trigonometric
factors as linear forms in sin and cos, each proved equal to the computed vector."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad import factored as fmod
from symgrad.factored import common_factor_form, factored

rho, t = sp.symbols("rho vartheta", real=True)


def _close(a: sp.Expr, b: sp.Expr, syms, seed: int = 1) -> bool:
    rng = random.Random(seed)
    with mpmath.workdps(50):
        for _ in range(4):
            pt = {s: sp.Rational(rng.randint(-300, 300), 97) for s in syms}
            if abs(sp.N((a - b).xreplace(pt), 50)) > sp.Float("1e-40"):
                return False
    return True


def test_polar_second_order_step_term_is_factored_and_proved():
    rep = sg.run_derivation(sg.load_derivation("polar"), seed=0)
    F = rep.step_form
    assert F is not None and F.certificate.verdict is sg.Verdict.PROVED
    assert ("step term, factored", F.certificate) in rep.checks
    rho_, th = rep.derivation.reparametrisation.eta
    expected_scalar = -sp.exp(-rho_) * (2 * sp.sin(th) + sp.cos(th)) ** 2 / 8    # issue 14's form
    assert sp.simplify(F.scalar - expected_scalar) == 0 or _close(F.scalar, expected_scalar, (rho_, th))
    assert F.short == sp.Matrix([sp.cos(th), sp.sin(th)])
    # the product against the computed term, independently of the proof engine, at 50 digits
    for got, want in zip(F.short * F.scalar, rep.step.second_order):
        assert _close(got, want, (rho_, th))


def test_linear_forms_of_the_half_angle_variable():
    u = sp.Symbol("u")
    rng = random.Random(3)
    for _ in range(5):
        f = sp.Poly([rng.randint(-5, 5) for _ in range(3)], u)
        form = fmod._linear_trig(f, t)
        value = sp.Rational(rng.randint(-50, 50), 17)
        tan_half = sp.tan(value / 2)
        lhs = f.as_expr().subs(u, tan_half) / (1 + tan_half**2)
        assert abs(sp.N(lhs - form.subs(t, value), 40)) < 1e-30


def test_no_common_factor_gives_no_form():
    a, b = sp.symbols("a b", real=True)
    assert common_factor_form(sp.Matrix([a, b])) is None
    assert common_factor_form(sp.Matrix([a**2 + 1])) is None           # one entry: nothing to take out
    assert common_factor_form(sp.Matrix([sp.sin(a), sp.cos(b)])) is None  # two angles: not handled


def test_a_wrong_form_is_not_printed(monkeypatch):
    v = sp.Matrix([sp.sin(t) * sp.cos(t), sp.cos(t) ** 2])
    assert factored(v).certificate.holds
    monkeypatch.setattr(fmod, "common_factor_form", lambda M: (2 * sp.cos(t), sp.ImmutableMatrix([sp.sin(t), sp.cos(t)])))
    assert factored(v) is None                                         # refuted: the original is shown


@pytest.mark.parametrize("v", [
    sp.Matrix([rho * (rho + 1), rho**2 * (rho + 1)]),
    sp.Matrix([sp.exp(rho) * sp.sin(t), sp.exp(rho) * (1 + sp.cos(t))]),
], ids=["polynomial", "exp and trig"])
def test_factored_forms_multiply_back(v):
    F = factored(v)
    assert F is not None and F.certificate.holds
    for got, want in zip(F.short * F.scalar, v):
        assert _close(got, want, (rho, t))
