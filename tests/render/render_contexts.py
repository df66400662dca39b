"""Hand-made derivation contexts for the render tests (shared by several test files)."""
from __future__ import annotations

import functools

import sympy as sp

import symgrad as sg
from symgrad.render import tikz_curve_figure
from symgrad.render.context import derivation_context

a, b, c, d, t, s, lam = sp.symbols("a b c d t s lambda", real=True)
x, y = sp.symbols("x y", real=True)
xi1, xi2 = sp.symbols("xi_1 xi_2")
long_sum = sum(sp.Symbol(f"x_{k}") * (-1)**k for k in range(1, 9))


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


@functools.lru_cache(maxsize=None)
def builtin_contexts() -> tuple:
    """The contexts of every built-in derivation, run once per test session (seed 0, as the CLI)."""
    return tuple(derivation_context(sg.run_derivation(sg.load_derivation(key), seed=0)).as_dict()
                 for key, _ in sg.builtin_derivations())
