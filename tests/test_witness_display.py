"""Witnesses and results as a reader sees them (issue 14): exact values shown exactly, decimals marked as
decimals, witnesses at small parameter points, LaTeX hooks for notebooks.

Every decimal a witness prints is checked here against an independent mpmath evaluation at 50 digits,
and the witness of ``Delta grad != 0`` on the three-link arm against ``Delta grad`` computed from
scratch with mpmath (SVD pseudo-inverses of the two Gram matrices, not symgrad's code).
"""
from __future__ import annotations

import random
import re
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

import symgrad as sg
from symgrad import reparam as R
from symgrad.cli import _terminal
from symgrad.ops import ExactOps
from symgrad.proof import (SIMPLE_VALUES, Certificate, Claim, Verdict, Witness, certified_decimal, decide,
                           simple_points)
from symgrad.render import message, witness as witness_tex
from symgrad.render.plaintext import message_math

from models import three_link_arm

_DEC = re.compile(r"≈ (-?\d\.\d+(?:e[-+]\d+)?|-?\d+\.\d+)")


def _mp(value, dps=50):
    with mpmath.workdps(dps + 10):
        return mpmath.mpf(sp.N(value, dps + 10))


def _agrees_to_10_digits(decimal: str, value) -> bool:
    ref = _mp(value)
    return abs(mpmath.mpf(decimal) - ref) <= abs(ref) * mpmath.mpf("1e-9")


# -- the text of a witness ---------------------------------------------------------------------

def test_short_rational_is_exact_and_has_no_decimal():
    u = sp.Symbol("u")
    text = str(Witness({u: 0}, {"entry": (1, 1), "value": sp.Rational(-3, 7)}))
    assert text == "at u = 0: entry (1, 1) is exactly -3/7"


def test_irrational_value_is_exact_with_a_marked_decimal_that_is_right():
    u = sp.Symbol("u")
    value = (1 + sp.exp(sp.Rational(12, 7))) * sp.exp(-sp.Rational(27, 14)) / 3
    text = str(Witness({u: 1}, {"entry": (2, 1), "value": value}))
    assert text.startswith("at u = 1: entry (2, 1) is exactly (1 + exp(12/7))*exp(-27/14)/3 ≈ ")
    assert "(exact)" not in text and " = 0." not in text      # no decimal called exact
    assert _agrees_to_10_digits(_DEC.search(text).group(1), value)
    assert len(_DEC.search(text).group(1).lstrip("-").replace(".", "").lstrip("0")) == 10


def test_long_value_is_abbreviated_in_terminal_text_and_full_in_str():
    u = sp.Symbol("u")
    value = sp.Rational(3**300, 7**290) * -1
    w = Witness({u: 0}, {"entry": (1, 1), "value": value})
    full, brief = str(w), w.brief()
    assert str(value) in full and _agrees_to_10_digits(_DEC.search(full).group(1), value)
    p, q = len(str(3**300)), len(str(7**290))
    assert f"a fraction of {p} and {q} digits" in brief and str(value) not in brief and len(brief) < 160
    assert _agrees_to_10_digits(_DEC.search(brief).group(1), value)
    cert = Certificate("Delta grad = 0", Verdict.REFUTED, "exact", witness=w)
    assert len(cert.finding()) < 200 and "≈" in cert.finding()


def test_certified_decimal_against_mpmath():
    for value in [sp.exp(-sp.Rational(27, 14)) * 2 / 3, sp.tan(sp.Rational(1, 4)) - sp.Rational(1, 4),
                  sp.sqrt(2) * sp.pi - 4, sp.log(3) / sp.atan(sp.Rational(1, 3)), sp.Rational(-1659, 1675),
                  sp.exp(-60) * 7]:
        dec = certified_decimal(value)
        assert dec is not None and _agrees_to_10_digits(dec, value), (value, dec)
    assert certified_decimal(sp.Integer(0)) is None                # a ball around 0 certifies nothing
    assert certified_decimal(sp.Symbol("x")) is None


def test_rendered_witness_says_exactly_and_approximately():
    out = witness_tex("at u = 0, v = 1: entry (2, 1) is exactly (1 + exp(12/7))*exp(-27/14)/3 ≈ 0.3174911494")
    assert r"is exactly $\frac{1 + e^{\frac{12}{7}}}{3 e^{\frac{27}{14}}} \approx 0.3174911494$" in out
    assert "rounded to 10 significant digits" in out and "≈" not in out
    num = witness_tex("at u = 1/3: entry (1, 1) is approximately 0.1234567891 (numeric)")
    assert "approximately $0.1234567891$" in num and "not exact" in num and "exactly" not in num
    # the older text (a six-digit decimal called exact) is still read, its decimal recomputed
    old = witness_tex("at u = 1 entry (1, 1) is (1 + exp(8))*exp(-8)/3 = 0.333749 (exact)")
    dec = re.search(r"\\approx (\S+)\$", old).group(1)
    assert "0.333749" not in old and _agrees_to_10_digits(dec, (1 + sp.exp(8)) * sp.exp(-8) / 3)


def test_message_typesets_signs_and_does_not_glue_names():
    assert message("a ≈ 0.5 and b ≠ 0") == r"a $\approx$ 0.5 and b $\neq$ 0"
    assert "_n_" not in message("J G^+ nabla L = grad L") and "JG" not in message("J G^+ nabla L = grad L")
    assert r"\mathbb{Q}(r" in message("proved exactly (Q(r, theta))")
    assert message_math("proved in Q(r)") == r"\text{proved in }\mathbb{Q}(r)"
    # an unevaluated 1/4 is Mul(1, 1/4): no "1 \cdot" in a witness point or a condition
    assert message("at u = 1/4, v = 0") == r"at $u = \frac{1}{4}$, $v = 0$"
    assert message("where 1/(1 + x) != 0") == r"where $\frac{1}{x + 1} \neq 0$"


def test_terminal_lines_use_the_sign_and_fall_back_to_ascii(monkeypatch):
    assert _terminal("where u^2 + 1 != 0") == "where u^2 + 1 ≠ 0"

    class Latin1:
        encoding = "ascii"
    monkeypatch.setattr("sys.stdout", Latin1())
    assert _terminal("x != 0, y ≈ 0.5") == "x != 0, y ~ 0.5"


# -- small exact points first ---------------------------------------------------------------------

def test_simple_points_are_simplest_first_and_respect_signs():
    x = sp.Symbol("x", real=True)
    a = sp.Symbol("a", positive=True)
    n = sp.Symbol("n", negative=True)
    pts = list(simple_points([x, a, n]))
    assert pts[0] == {x: 0, a: 1, n: -1}
    assert all(p[a] > 0 and p[n] < 0 for p in pts)
    assert all(v in SIMPLE_VALUES for p in pts for v in p.values())
    assert len({tuple(p.values()) for p in pts}) == len(pts)
    # a zero loss differential is skipped
    d1, d2 = sp.symbols("dL_1 dL_2", real=True)
    assert all(p[d1] != 0 or p[d2] != 0 for p in simple_points([x, d1, d2], nonzero=[d1, d2]))


def test_exact_level_witness_is_the_simplest_failing_point():
    x, y = sp.symbols("x y", real=True)
    wrong = Claim("x y = x", {"A": sp.Matrix([[x * y - x]])}, (x, y), lambda ops, inp: {"residual": inp["A"]})
    w = decide(wrong, levels=("exact",)).certificate.witness
    assert w.point == {x: 1, y: 0} and w.value["value"] == -1 and not w.lifted


def test_probabilistic_level_prefers_a_parameter_point():
    x, y = sp.symbols("x y", real=True)
    wrong = Claim("exp(x) y = y", {"A": sp.Matrix([[sp.exp(x) * y - y]])}, (x, y),
                  lambda ops, inp: {"residual": inp["A"]})
    cert = decide(wrong, levels=("probabilistic",)).certificate
    assert cert.verdict is Verdict.REFUTED
    w = cert.witness
    assert set(w.point) == {x, y} and not w.lifted and all(v in SIMPLE_VALUES for v in w.point.values())
    exact = (sp.exp(x) * y - y).xreplace(w.point)
    assert sp.simplify(w.value["value"] - exact) == 0 and exact != 0
    assert w.decimal is not None and _agrees_to_10_digits(w.decimal, exact)


# -- the three-link arm: a witness in the parameters, checked independently ----------------------------

def _mp_pinv(A, tol=mpmath.mpf("1e-30")):
    U, S, V = mpmath.svd_r(A)
    out = mpmath.zeros(A.cols, A.rows)
    for k in range(len(S)):
        if S[k] > tol:
            out += (V[k, :].T * (1 / S[k])) * U[:, k].T
    return out


def _mp_matrix(M, point):
    return mpmath.matrix([[_mp(x.xreplace(point), 50) for x in row] for row in M.tolist()])


def test_arm_witness_is_a_small_parameter_point_checked_with_mpmath():
    M, f = three_link_arm()
    z1, z2 = M.z
    L = (z1 - 1) ** 2 + z2 ** 2
    proof = sg.check_invariance(M, f, L, seed=0, budget=30)
    d = proof.delta_certificate
    assert d.verdict is Verdict.REFUTED
    w = d.witness
    assert not w.lifted and set(w.point) == set(f.eta)                 # a point of the parameters u, v, w
    assert all(v in SIMPLE_VALUES for v in w.point.values())
    text = str(w)
    assert "tan(" not in text.split(":")[0] and "x0" not in text
    # Delta grad from scratch at 50 digits: eq. (5) in both parametrisations, SVD pseudo-inverses
    sub = dict(zip(M.xi, f.f))
    J = M.J.xreplace(sub)
    dL = sp.Matrix([sp.diff(L, z) for z in M.z]).xreplace(dict(zip(M.z, M.phi))).xreplace(sub)
    with mpmath.workdps(60):
        Jn, dLn, Dfn = (_mp_matrix(X, w.point) for X in (J, dL, f.Df))
        Jt = Jn * Dfn
        gx = _mp_pinv(Jn.T * Jn) * (Jn.T * dLn)
        ge = _mp_pinv(Jt.T * Jt) * (Jt.T * dLn)
        delta = gx - Dfn * ge
        i, _ = w.value["entry"]
        assert abs(delta[i - 1]) > mpmath.mpf("1e-20")
        assert abs(delta[i - 1] - _mp(w.value["value"])) < mpmath.mpf("1e-40")
        assert _agrees_to_10_digits(_DEC.search(text).group(1), w.value["value"])
        assert max(abs(x) for x in Jn * delta) < mpmath.mpf("1e-40")      # J Delta grad = 0 there (eq. 6)


def test_lifted_fallback_is_worded_as_a_point_of_independent_variables():
    M, f = three_link_arm()
    z1, z2 = M.z
    proof = sg.check_invariance(M, f, (z1 - 1) ** 2 + z2 ** 2, seed=0, budget=30)
    L_ = R._lift_claim(proof.claim)
    lifted = {k: L_.lift_matrix(sp.Matrix(X)) for k, X in proof.claim.inputs.items()}
    r = len(R.canonical_basis(ExactOps(L_), lifted["J"])[0])
    cert = R._lifted_point_witness(L_, lifted, r, random.Random(5), "Delta grad = 0")
    w = cert.witness
    text = str(w)
    assert "an integer point of the lifted variables" in text and "not values of those functions" in text
    assert not re.search(r"tan\([^)]*\) = \d", text)                  # never "tan(u/2) = 933489"
    assert ("u3", "tan(u/2)") in w.lifted or any(m == "tan(u/2)" for _, m in w.lifted)
    assert "algebraically independent" in cert.method
    tex = witness_tex(text)
    assert "lifted variables" in tex and "not values of those functions" in tex and "≈" not in tex


# -- notebooks: reprs and LaTeX hooks ---------------------------------------------------------------

@pytest.fixture(scope="module")
def polar_results():
    r, th = sp.symbols("r theta", positive=True)
    M = sg.Model([r * sp.cos(th), r * sp.sin(th)], params=[r, th], name="polar")
    z1, z2 = M.z
    ng = sg.natural_gradient(M, (z1 - 1) ** 2 + z2 ** 2)
    P = sg.pinv(sp.Matrix([[r ** 2, r * th], [r * th, th ** 2]]))
    return M, ng, P


def test_reprs_say_the_finding(polar_results):
    M, ng, P = polar_results
    assert repr(ng).startswith("<NaturalGradient of ") and "Theorem 1" in repr(ng)
    assert "proved exactly" in repr(ng) and len(repr(ng)) < 200
    assert repr(P) == "<PseudoInverse of a 2x2 matrix of rank 1>"            # nothing computed for a repr
    P.penrose
    assert repr(P).endswith("; Penrose conditions proved exactly>")
    g = ng.at({sp.Symbol("r", positive=True): 1, sp.Symbol("theta", positive=True): 1})
    assert repr(g).startswith("<GradientAt r = 1, theta = 1 (exact): grad_p L = ")


def test_containers_of_results_print_as_latex(polar_results):
    M, ng, P = polar_results
    x = sp.Symbol("x")
    tex = sp.latex((x, ng, P, ng.theorem1))
    assert tex.startswith(r"\left( x,") and r"\operatorname{grad}_p \mathcal{L}" in tex and "A^{+} =" in tex
    assert r"\mathbb{Q}(r" in tex and "NaturalGradient" not in tex and r"\mathtt" not in tex
    assert tex.count("{") == tex.count("}")
    for obj in (ng, P, ng.theorem1):
        assert obj._repr_latex_() == "$" + obj._latex() + "$"


def test_invariance_proof_displays_its_witness_as_mathematics():
    a, b, u, v = sp.symbols("a b u v", real=True)
    M = sg.Model([a * b], params=[a, b], name="product")
    f = sg.Reparametrisation([u + v, v], params=[u, v])
    proof = sg.check_invariance(M, f, seed=0)
    assert repr(proof).startswith("<InvarianceProof ") and "Delta grad != 0" in repr(proof)
    tex = sp.latex((a, proof))
    assert r"\Delta\operatorname{grad} \neq 0" in tex and r"\text{ is exactly }" in tex
    assert "InvarianceProof" not in tex and tex.count("{") == tex.count("}")


def test_tikhonov_conditions_that_hold_everywhere_are_not_stated():
    assert R._never_zero(4 * sp.exp(sp.Symbol("tau", real=True)))
    s = sp.Symbol("s", real=True)
    assert R._never_zero(4 / s ** 4)
    u, v = sp.symbols("u v", real=True)
    assert not R._never_zero(u ** 2 + 2 * u * v ** 3 + v ** 6 + v ** 2)       # zero at u = v = 0
    d = sg.load_derivation("gaussian")   # its damped limit needed "4 exp(tau) != 0", which always holds
    damp = R.damped_invariance(d.model, d.reparametrisation, d.loss)
    assert damp.limit_certificate.verdict is Verdict.PROVED and " where " not in damp.limit_certificate.method
