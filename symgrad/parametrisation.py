r"""Reparametrisations ``xi = f(eta)`` (paper, Fig. 1): a second chart of the same model.

A reparametrisation is a map ``f: H -> Xi`` between parameter spaces of the
same dimension whose Jacobian ``Df`` is invertible where it is used (a local
diffeomorphism).  The pulled-back model is ``phi~ = phi o f``; the
invariance claims about the two charts live in :mod:`symgrad.reparam`.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ._inputs import as_column, as_symbols, check_finite_exprs
from .exact import dense as linalg
from .exact.lifting import Lifting
from .exceptions import LiftError, ReparametrisationError, SymbolError

__all__ = ["Reparametrisation"]


class Reparametrisation:
    r"""A reparametrisation ``f: H -> Xi``, ``xi = f(eta)``, checked to be a local diffeomorphism.

    Parameters
    ==========
    f : list of SymPy expressions in ``params`` (one per model parameter)
    params : the new parameters ``eta``
    constants : other symbols ``f`` may use

    ``Df`` must be invertible generically; :attr:`det_Df` and
    :attr:`singular_set` say where it is not, and :meth:`check_point` refuses
    points there.

    Examples
    ========
    >>> rho, s = sp.symbols("rho s", real=True)
    >>> f = Reparametrisation([sp.exp(rho), s], params=[rho, s])
    >>> f.det_Df
    exp(rho)
    """

    def __init__(self, f: Any, params: Sequence[sp.Symbol], constants: Sequence[sp.Symbol] = (),
                 name: str | None = None):
        self.f = as_column(f, "f")
        check_finite_exprs(list(self.f), "reparametrisation f")
        undefined = set().union(*[e.atoms(sp.core.function.AppliedUndef) for e in self.f])
        if undefined:
            raise SymbolError(f"f uses the undefined functions {sorted(map(str, undefined))}; write each component "
                              "with SymPy's functions (exp, sin, ...)")
        if isinstance(params, sp.Symbol):
            params = [params]
        self.eta = as_symbols(params, "new parameters eta")
        self.constants = as_symbols(constants, "constants")
        self.name = name or "f"
        unknown = self.f.free_symbols - set(self.eta) - set(self.constants)
        if unknown:
            raise SymbolError(
                f"f uses {sorted(map(str, unknown))}, which are neither its parameters {list(self.eta)} "
                "nor constants; the new parameters must be given with params=[...]"
            )
        if self.f.rows != len(self.eta):
            raise ReparametrisationError(
                f"f maps {len(self.eta)} parameters to {self.f.rows} values; a reparametrisation is a "
                "diffeomorphism between spaces of the same dimension"
            )
        self.Df = sp.ImmutableMatrix(self.f.jacobian(self.eta))
        try:
            L = Lifting.build(list(self.Df), self.eta + self.constants)
            d = linalg.det(L.lift_matrix(self.Df))
            self._det_exact = True
            self.det_Df = L.to_sympy(d, factor=True)
            zero = d.is_zero()
        except LiftError:
            self._det_exact = False
            self.det_Df = sp.factor(self.Df.det())
            zero = self.det_Df == 0
        if zero:
            raise ReparametrisationError(
                f"f = {list(self.f)} is not invertible anywhere: det Df = 0 identically. "
                "A reparametrisation must be a local diffeomorphism (Df invertible)."
            )

    @property
    def singular_set(self) -> sp.Expr:
        """The equation of the set where ``Df`` is not invertible (``det Df = 0``)."""
        return sp.Eq(self.det_Df, 0)

    def check_point(self, point: dict) -> None:
        """Refuse a point where ``det Df = 0`` (there ``f`` is not a local diffeomorphism)."""
        val = sp.sympify(self.det_Df).xreplace(point)
        if val.is_number and val == 0:
            raise ReparametrisationError(
                f"det Df = {self.det_Df} vanishes at {point}: f is not a local diffeomorphism there, "
                "and the gradients cannot be compared. Choose another point."
            )

    def __repr__(self) -> str:
        return f"Reparametrisation({self.name}: xi = {list(self.f)}, eta = {list(self.eta)})"

    def _repr_latex_(self) -> str:
        return r"$\xi = f(\eta) = " + sp.latex(self.f) + "$"
