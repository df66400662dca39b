r"""Models with exponentials of the parameters: the exponential form, rational in ``E = exp(x/d)``.

A parameter ``x`` that enters ``phi`` only through ``exp(k x / d)`` (``k`` an integer) can be replaced by
``E = exp(x/d)``, a positive variable: ``x -> exp(x/d)`` is a diffeomorphism of the real line onto
``(0, oo)``, so the model in ``E`` has the same image ``M``, its preimages correspond one to one
(``x = d log E``), and its Jacobian is ``J`` times an invertible diagonal matrix (``dx/dE = d/E``), with
the same rank at corresponding points.  Whether ``p`` is singular, and whether the parametrisation is
proper at a preimage, are therefore the same for both; the exponential form is rational, so the exact
classification applies to it (:func:`exp_form`).  Softmax, logistic and Boltzmann models are of this kind.
"""
from __future__ import annotations

import sympy as sp

from ..exact.lifting import Lifting, poly_to_sympy
from ..exceptions import LiftError
from ..model import Model
from ._model import RationalParametrisation

__all__ = ["exp_form"]


def exp_form(model: Model) -> tuple[Model, dict[sp.Symbol, tuple[sp.Symbol, int]]] | None:
    """``phi`` with each exponential parameter ``x`` replaced by a positive ``E = exp(x/d)``: a rational model.

    Returns the rational model (same coordinates and metric) and the map ``x -> (E, d)``, or ``None`` when
    no parameter enters only through exponentials, some parameter also appears outside them, or the
    result is not rational over QQ.

    >>> a, b = sp.symbols("a b", real=True)
    >>> S = 1 + sp.exp(a) + sp.exp(b)
    >>> H, back = exp_form(Model([sp.exp(a) / S, sp.exp(b) / S], [a, b]))
    >>> list(H.phi), back
    ([a_e/(a_e + b_e + 1), b_e/(a_e + b_e + 1)], {a: (a_e, 1), b: (b_e, 1)})
    """
    if model.constants or any(not (s.is_real and s.is_positive is None and s.is_negative is None
                                   and s.is_nonnegative is None and s.is_nonpositive is None)
                              for s in model.xi):
        return None  # a parameter with a sign assumption does not range over the whole line
    try:
        L = Lifting.build(list(model.phi), model.xi)
        lifted = [L.lift(e) for e in model.phi]
    except LiftError:
        return None
    params = set(model.xi)
    gens: list[sp.Expr] = []
    back: dict[sp.Symbol, tuple[sp.Symbol, int]] = {}
    for var in L.variables:
        if var.kind == "symbol" and var.meaning in params:
            gens.append(var.meaning)
        elif var.kind == "exp":
            arg = var.meaning.args[0]
            x = next(iter(arg.free_symbols)) if len(arg.free_symbols) == 1 else None
            d = sp.cancel(x / arg) if x is not None else None
            if x is None or x not in params or d is None or not (d.is_Integer and d > 0) or x in back:
                return None
            E = sp.Symbol(f"{x.name}_e", positive=True)
            back[x] = (E, int(d))
            gens.append(E)
        elif var.kind == "one":
            gens.append(sp.Integer(1))
        else:
            return None  # another kernel (a half-angle tangent, a root, a logarithm): not this form
    if not back:
        return None
    used = [i for i in range(len(gens)) if any(f.degrees()[i] > 0 for q in lifted for f in (q.num, q.den))]
    for i in used:
        g = gens[i]
        if g in back:
            return None  # x also appears outside its exponentials
    exprs = [sp.cancel(poly_to_sympy(q.num, gens) / poly_to_sympy(q.den, gens)) for q in lifted]
    new_params = [back[x][0] if x in back else x for x in model.xi]
    H = Model(exprs, new_params, coords=model.z, metric=model.metric, name=f"{model.name} (exponential form)")
    if RationalParametrisation.of(H) is None:
        return None
    return H, back
