"""A corpus of bad inputs: each is refused with an error of symgrad's own, or gets a correct answer.

Every refusal must be a :class:`~symgrad.exceptions.SymgradError` subclass (never a raw Python or
SymPy exception) whose message names the problem (the words checked here); the cases that have a
meaning get their answer, checked against a value computed by hand.  The corpus covers model
construction (``phi``, parameters, coordinates, metrics), points, losses, inverses, the values of
eqs. (4) and (5) at a point, reparametrisations, the proof engine, derivations and budgets.
"""
from __future__ import annotations

import math

import pytest
import sympy as sp

import symgrad as sg
from symgrad import exceptions as E

a, b, c, x, u, v, k, w = sp.symbols("a b c x u v k w", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)
P = sp.Symbol("P", positive=True)
f = sp.Function("f")


def prod():
    return sg.Model([a * b, a], [a, b], name="test model")


def ng(model, loss=None):
    return sg.natural_gradient(model, model.z[0] if loss is None else loss, seed=0)


def derivation(**kw):
    return sg.Derivation(**{"key": "k", "title": "t", "summary": "", "model": prod(), **kw})


def claim(compute=lambda ops, inp: {"residual": inp["A"]}):
    return sg.Claim("a claim", {"A": sp.Matrix([[a - a]])}, (a,), compute)


# (id, call, exception class, words the message must contain)
REFUSED = [
    # -- phi ------------------------------------------------------------------------------------------
    ("phi-undefined-function", lambda: sg.Model([f(a)], [a]), E.SymbolError, "undefined function"),
    ("phi-sign", lambda: sg.Model([sp.sign(a)], [a]), E.SymbolError, "not smooth"),
    ("phi-heaviside", lambda: sg.Model([sp.Heaviside(a)], [a]), E.SymbolError, "not smooth"),
    ("phi-diracdelta", lambda: sg.Model([sp.DiracDelta(a)], [a]), E.SymbolError, "not smooth"),
    ("phi-malformed-string", lambda: sg.Model(["a +* b"], [a, b]), E.SymbolError, "cannot read"),
    ("phi-incomplete-string", lambda: sg.Model(["a + "], [a]), E.SymbolError, "cannot read"),
    ("phi-none", lambda: sg.Model(None, [a]), E.ShapeError, "list of SymPy expressions"),
    ("phi-empty", lambda: sg.Model([], [a]), E.ShapeError, "empty"),
    ("phi-dict", lambda: sg.Model({a: 1}, [a]), E.ShapeError, "list of SymPy expressions"),
    ("phi-nested", lambda: sg.Model([[a]], [a]), E.ShapeError, "scalar"),
    ("phi-nan", lambda: sg.Model([sp.nan * a], [a]), E.DomainError, "not a finite real"),
    ("phi-float-nan", lambda: sg.Model([float("nan")], [a]), E.DomainError, "not a finite real"),
    ("phi-oo", lambda: sg.Model([sp.oo * a], [a]), E.DomainError, "not a finite real"),
    ("phi-zoo", lambda: sg.Model([sp.zoo + a], [a]), E.DomainError, "not a finite real"),
    ("phi-imaginary", lambda: sg.Model([sp.I * a], [a]), E.DomainError, "imaginary unit"),
    ("phi-undeclared-symbol", lambda: sg.Model([a * b], [a]), E.SymbolError, "neither parameters"),
    # -- parameters, coordinates, constants -----------------------------------------------------------
    ("params-numbers", lambda: sg.Model([a], [1]), E.SymbolError, "must be SymPy symbols"),
    ("params-repeated", lambda: sg.Model([a], [a, a]), E.SymbolError, "repeated"),
    ("params-empty", lambda: sg.Model([a], []), E.SymbolError, "at least one parameter"),
    ("params-none", lambda: sg.Model([a], None), E.SymbolError, "list of SymPy symbols"),
    ("params-expression", lambda: sg.Model([a], [a + 1]), E.SymbolError, "must be SymPy symbols"),
    ("coords-count", lambda: sg.Model([a, b], [a, b], coords=[z1]), E.ShapeError, "ambient coordinates"),
    ("coords-are-params", lambda: sg.Model([a, b], [a, b], coords=[a, b]), E.SymbolError, "different symbols"),
    ("constant-and-parameter", lambda: sg.Model([a], [a], constants=[a]), E.SymbolError, "both parameters"),
    # -- metrics --------------------------------------------------------------------------------------
    ("metric-not-symmetric", lambda: sg.Metric.from_matrix([[1, z1], [0, 1]], [z1, z2]), E.MetricError,
     "not symmetric"),
    ("metric-not-positive-definite", lambda: sg.Model([a, b], [a, b], metric=[[1, 2], [2, 1]]), E.MetricError,
     "not positive definite"),
    ("metric-nan", lambda: sg.Model([a, b], [a, b], metric=[[sp.nan, 0], [0, 1]]), E.DomainError,
     "not a finite real"),
    ("metric-oo", lambda: sg.Model([a, b], [a, b], metric=[[sp.oo, 0], [0, 1]]), E.DomainError,
     "not a finite real"),
    ("metric-imaginary", lambda: sg.Model([a, b], [a, b], metric=[[1, sp.I], [-sp.I, 1]]), E.DomainError,
     "imaginary"),
    ("metric-shape", lambda: sg.Model([a, b], [a, b], metric=[[1, 0, 0], [0, 1, 0]]), E.ShapeError, "2x2"),
    ("metric-string", lambda: sg.Model([a, b], [a, b], metric="identity"), E.ShapeError, "must be a matrix"),
    ("metric-ragged", lambda: sg.Metric.from_matrix([[1, 2], [3]], [z1, z2]), E.ShapeError, "cannot read"),
    ("metric-undeclared-symbol", lambda: sg.Metric.from_matrix([[1 + w**2]], [z1]), E.SymbolError, "w"),
    ("euclidean-numbers", lambda: sg.Metric.euclidean([1]), E.SymbolError, "must be SymPy symbols"),
    ("simplex-repeated", lambda: sg.Metric.simplex_fisher([z1, z1]), E.SymbolError, "repeated"),
    # -- points ---------------------------------------------------------------------------------------
    ("point-list", lambda: prod().at([1, 2]), E.SymbolError, "mapping"),
    ("point-none", lambda: prod().at(None), E.SymbolError, "mapping"),
    ("point-value-none", lambda: prod().at({a: None, b: 1}), E.DomainError, "single finite real number"),
    ("point-value-list", lambda: prod().at({a: [1], b: 1}), E.DomainError, "single finite real number"),
    ("point-value-string", lambda: prod().at({a: "x", b: 1}), E.DomainError, "single finite real number"),
    ("point-value-bool", lambda: prod().at({a: True, b: 1}), E.DomainError, "boolean"),
    ("point-nan", lambda: prod().at({a: float("nan"), b: 1}), E.DomainError, "not a finite real"),
    ("point-inf", lambda: prod().at({a: math.inf, b: 1}), E.DomainError, "not a finite real"),
    ("point-imaginary", lambda: prod().at({a: sp.I, b: 1}), E.DomainError, "not a finite real"),
    ("point-unknown-name", lambda: prod().at({a: 1, b: 1, c: 1}), E.SymbolError, "not a parameter"),
    ("point-missing", lambda: prod().at({a: 1}), E.SymbolError, "no value"),
    ("point-symbolic", lambda: prod().at({a: b, b: 1}), E.SymbolError, "not a number"),
    ("point-pole", lambda: sg.Model([1 / a], [a]).at({a: 0}), E.DomainError, "not defined"),
    ("point-against-sign", lambda: sg.Model([P], [P]).at({P: -1}), E.DomainError, "declared positive"),
    ("point-outside-simplex", lambda: sg.Model([a, 1 - a], [a], coords=[P, sp.Symbol("Q", positive=True)],
                                               metric=sg.Metric.simplex_fisher([P, sp.Symbol("Q", positive=True)])
                                               ).at({a: 2}), E.DomainError, "> 0"),
    # -- losses ---------------------------------------------------------------------------------------
    ("gradient-model-none", lambda: sg.natural_gradient(None, z1), E.ArgumentError, "symgrad.Model"),
    ("gradient-model-string", lambda: sg.natural_gradient("model", z1), E.ArgumentError, "symgrad.Model"),
    ("loss-none", lambda: sg.natural_gradient(prod(), None), E.ShapeError, "scalar expression"),
    ("loss-malformed", lambda: sg.natural_gradient(prod(), "z1 +* 2"), E.SymbolError, "cannot read the loss"),
    ("loss-list", lambda: sg.natural_gradient(prod(), [z1, z2]), E.SymbolError, "cannot read the loss"),
    ("loss-matrix", lambda: sg.natural_gradient(prod(), sp.Matrix([1, 2])), E.ShapeError, "scalar"),
    ("loss-nan", lambda: sg.natural_gradient(prod(), sp.nan * z1), E.DomainError, "not a finite real"),
    ("loss-oo", lambda: sg.natural_gradient(prod(), sp.oo * z1), E.DomainError, "not a finite real"),
    ("loss-imaginary", lambda: sg.natural_gradient(prod(), sp.I * z1), E.DomainError, "imaginary"),
    ("loss-undefined-function", lambda: sg.natural_gradient(prod(), f(z1)), E.SymbolError, "undefined function"),
    ("loss-sign", lambda: sg.natural_gradient(prod(), sp.sign(z1)), E.SymbolError, "differentiate"),
    ("loss-heaviside", lambda: sg.natural_gradient(prod(), sp.Heaviside(z1)), E.SymbolError, "differentiable"),
    ("loss-in-parameters", lambda: sg.natural_gradient(prod(), a**2), E.SymbolError, "ambient coordinates"),
    ("loss-in-no-coordinate", lambda: sg.natural_gradient(prod(), w**2), E.SymbolError, "none of the ambient"),
    ("loss-differential-model-none", lambda: sg.loss_differential(None, z1), E.ArgumentError, "symgrad.Model"),
    ("nabla-model-none", lambda: sg.coordinate_derivatives(None, z1), E.ArgumentError, "symgrad.Model"),
    ("theorem1-model-none", lambda: sg.check_theorem1(None), E.ArgumentError, "symgrad.Model"),
    # -- inverses -------------------------------------------------------------------------------------
    ("pinv-none", lambda: sg.pinv(None), E.ShapeError, "must be a matrix"),
    ("pinv-string", lambda: sg.pinv("garbage"), E.ShapeError, "must be a matrix"),
    ("pinv-psd-not-square", lambda: sg.pinv(sp.Matrix([[1, 2]]), psd=True), E.ShapeError, "square"),
    ("pinv-nan", lambda: sg.pinv(sp.Matrix([[sp.nan]])), E.SymgradError, "nan"),
    ("pinv-unknown-method", lambda: sg.pinv(sp.eye(2), method="svd"), E.SymgradError, "method"),
    # -- eqs. (4), (5) at a point ---------------------------------------------------------------------
    ("at-list", lambda: ng(prod()).at([1, 2]), E.SymbolError, "mapping"),
    ("at-none", lambda: ng(prod()).at(None), E.SymbolError, "mapping"),
    ("at-nan", lambda: ng(prod()).at({a: float("nan"), b: 1}), E.DomainError, "not a finite real"),
    ("at-singular-point", lambda: ng(sg.Model([x**2 - 1, x**3 - x], [x]), z1 + 2 * z2).at({x: 1}),
     E.SingularPointError, "singular"),
    ("at-sqrt-at-zero", lambda: ng(sg.Model([sp.sqrt(x), x], [x]), z1 + z2).at({x: 0}), E.SingularPointError,
     "p = (0, 0)"),
    # -- reparametrisations ---------------------------------------------------------------------------
    ("reparam-none", lambda: sg.Reparametrisation(None, [u]), E.ShapeError, "list of SymPy expressions"),
    ("reparam-dimensions", lambda: sg.Reparametrisation([u], [u, v]), E.ReparametrisationError, "same dimension"),
    ("reparam-det-zero", lambda: sg.Reparametrisation([u + v, u + v], [u, v]), E.ReparametrisationError,
     "det Df = 0"),
    ("reparam-nan", lambda: sg.Reparametrisation([sp.nan * u], [u]), E.DomainError, "not a finite real"),
    ("reparam-undefined-function", lambda: sg.Reparametrisation([f(u)], [u]), E.SymbolError, "undefined"),
    ("invariance-f-string", lambda: sg.check_invariance(prod(), "f"), E.ReparametrisationError,
     "symgrad.Reparametrisation"),
    ("invariance-wrong-dimension", lambda: sg.check_invariance(prod(), sg.Reparametrisation([u], [u])),
     E.ShapeError, "2 parameters"),
    ("invariance-same-symbols", lambda: sg.check_invariance(prod(), sg.Reparametrisation([a, b + a], [a, b])),
     E.SymbolError, "different symbols"),
    ("invariance-model-none", lambda: sg.check_invariance(None, sg.Reparametrisation([u, v], [u, v])),
     E.ArgumentError, "symgrad.Model"),
    ("damped-f-string", lambda: sg.damped_invariance(prod(), "f"), E.ReparametrisationError, "Reparametrisation"),
    ("step-f-none", lambda: sg.step_comparison(prod(), None, z1), E.ReparametrisationError, "Reparametrisation"),
    # -- the proof engine -----------------------------------------------------------------------------
    ("decide-none", lambda: sg.decide(None), E.ArgumentError, "symgrad.Claim"),
    ("decide-no-residual", lambda: sg.decide(claim(lambda ops, inp: {})), E.ArgumentError, "'residual'"),
    ("fisher-information-none", lambda: sg.fisher_information(None, [a]), E.ShapeError, "log_density"),
    ("fisher-information-malformed", lambda: sg.fisher_information(["a +* b"], [a]), E.SymbolError, "cannot read"),
    ("fisher-information-nan", lambda: sg.fisher_information([sp.nan * a], [a]), E.DomainError,
     "not a finite real"),
    # -- derivations ----------------------------------------------------------------------------------
    ("derivation-model-none", lambda: derivation(model=None), E.DerivationError, "model="),
    ("derivation-key-int", lambda: derivation(key=5), E.DerivationError, "key"),
    ("derivation-reparam-string", lambda: derivation(reparametrisation="f"), E.DerivationError,
     "reparametrisation="),
    ("derivation-point-list", lambda: derivation(point=[1, 2]), E.DerivationError, "point="),
    ("run-derivation-none", lambda: sg.run_derivation(None), E.DerivationError, "symgrad.Derivation"),
    ("load-derivation-none", lambda: sg.load_derivation(None), E.DerivationError, "built-in key"),
    ("load-derivation-int", lambda: sg.load_derivation(5), E.DerivationError, "built-in key"),
    ("load-derivation-unknown", lambda: sg.load_derivation("no-such-thing"), E.DerivationError, "built-in ones"),
    # -- budgets --------------------------------------------------------------------------------------
    ("budget-negative", lambda: sg.natural_gradient(prod(), z1, budget=-1), E.BudgetError, "positive finite"),
    ("budget-string", lambda: sg.natural_gradient(prod(), z1, budget="x"), E.BudgetError, "number of seconds"),
    ("budget-inf", lambda: sg.Model([a], [a], budget=math.inf), E.BudgetError, "positive finite"),
    ("budget-nan-invariance", lambda: sg.check_invariance(prod(), sg.Reparametrisation([u, v], [u, v]),
                                                          budget=math.nan), E.BudgetError, "positive finite"),
]


#: cases whose fix lies in a module owned elsewhere (asked for in the hand-over note)
PENDING: dict[str, str] = {}  # refusals not yet of our own: none


@pytest.mark.parametrize("call, exc, words", [
    pytest.param(*c[1:], marks=pytest.mark.xfail(reason=PENDING[c[0]], raises=ValueError, strict=False))
    if c[0] in PENDING else c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_an_error_of_our_own(call, exc, words):
    with pytest.raises(E.SymgradError) as info:
        call()
    err = info.value
    assert isinstance(err, exc), f"{type(err).__name__}: {err}"
    assert words in str(err), f"the message {str(err)!r} does not name {words!r}"


# -- inputs that have a meaning get the right answer ------------------------------------------------

def test_expanded_power_60():
    # (a + b + 1)^60 expanded has 1891 terms; J = 60 (a + b + 1)^59 (1, 1), so G = 3600 (a + b + 1)^118 [[1, 1], [1, 1]]
    M = sg.Model([sp.expand((a + b + 1) ** 60)], [a, b])
    assert sp.expand(M.G - 3600 * (a + b + 1) ** 118 * sp.ones(2, 2)) == sp.zeros(2, 2)
    assert sg.natural_gradient(M, sp.Symbol("z1") ** 2 / 2, seed=0).theorem1.verdict is sg.Verdict.PROVED


def test_declared_constant_at_a_point():
    # phi = k a, L = z1^2: eq. (5) is G^+ nabla = (2 k^2 a) / k^2 = 2 a, eq. (4) is J times it = 2 k a
    M = sg.Model([k * a], [a], constants=[k])
    at = ng(M, sp.Symbol("z1") ** 2).at({a: 1, k: sp.Rational(5, 3)})
    assert at.parameter == sp.Matrix([2]) and at.manifold == sp.Matrix([sp.Rational(10, 3)])


def test_plain_rational_model_at_a_point():
    # phi = a / (9 a^2 + 1) at a = 3: phi' = (1 - 9 a^2) / (9 a^2 + 1)^2 = -80/6724; with L = z1^2 / 2 the
    # gradient on the model is phi (the Euclidean gradient of L), and eq. (5) is phi / phi'
    M = sg.Model([a / (9 * a**2 + 1)], [a])
    at = ng(M, sp.Symbol("z1") ** 2 / 2).at({a: 3})
    p, dp = sp.Rational(3, 82), sp.Rational(-80, 6724)
    assert at.manifold == sp.Matrix([p]) and at.parameter == sp.Matrix([p / dp])


def test_float_values_are_the_rationals_they_denote():
    at = ng(prod(), z1).at({a: 0.5, b: 2.0})
    assert at.xi == {a: sp.Rational(1, 2), b: 2}


def test_the_corpus_is_large_enough():
    assert len(REFUSED) + 4 >= 60
