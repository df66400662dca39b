r"""Short forms of computed vectors for display, each proved equal to the computed one.

A vector such as the second-order term of two gradient steps comes out of the
exact field with its entries expanded; a reader writes it as a common factor
times a short vector, with trigonometric factors in their shortest form
(``-e^{-rho} (2 sin t + cos t)^2 (cos t, sin t)^T / 8`` rather than two
entries of five terms each).  :func:`common_factor_form` finds such a form and
:func:`factored` decides, exactly when possible, that it equals the original:
the short form is printed only with that certificate.

Trigonometric factors are recognised in the half-angle variable
``u = tan(x/2)``: with ``D = 1 + u^2``, ``cos x = (1 - u^2)/D`` and
``sin x = 2u/D``, every polynomial ``f`` of degree at most 2 in ``u`` satisfies

.. math::

    f / D = \tfrac12 (f_0 + f_2) + \tfrac12 (f_0 - f_2) \cos x + \tfrac12 f_1 \sin x,

so a factor of degree at most 2 paired with one power of ``D`` is a linear
trigonometric form.  The identity is only the search's guide: the result is
proved equal to the input by :func:`symgrad.proof.decide`, never assumed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ._budget import DEFAULT_BUDGET
from .proof import Certificate, Claim, decide

__all__ = ["FactoredForm", "common_factor_form", "factored"]


@dataclass(frozen=True)
class FactoredForm:
    r"""``vector = scalar * short`` with the certificate of the identity.

    Attributes
    ==========
    scalar : the common factor (a SymPy expression)
    short : the remaining vector (a SymPy column)
    certificate : how ``original - scalar * short = 0`` is known
    """

    scalar: sp.Expr
    short: sp.ImmutableMatrix
    certificate: Certificate

    def __repr__(self) -> str:
        return f"<FactoredForm ({self.scalar}) * {list(self.short)}: {self.certificate.finding()}>"

    def _latex(self, printer: Any = None) -> str:
        """For SymPy's printer (containers under ``init_printing``)."""
        return self._repr_latex_().strip("$")

    def _repr_latex_(self) -> str:
        return "$" + sp.latex(self.scalar) + r"\, " + sp.latex(self.short) + "$"


def _linear_trig(f: sp.Poly, x: sp.Symbol) -> sp.Expr:
    """``f(u) / (1 + u^2)`` as ``a + b cos x + c sin x`` for ``f`` of degree <= 2 in ``u``."""
    f0, f1, f2 = (f.coeff_monomial(f.gen**k) for k in range(3))
    return sp.expand((f0 + f2) / 2) + sp.expand((f0 - f2) / 2) * sp.cos(x) + sp.expand(f1 / 2) * sp.sin(x)


def _to_trig(expr: sp.Expr, u: sp.Symbol, x: sp.Symbol) -> sp.Expr | None:
    """A rational function of ``u = tan(x/2)`` as a product of linear trigonometric forms, or None."""
    num, den = sp.fraction(sp.factor(expr))
    D = 1 + u**2
    const, factors = sp.factor_list(num)
    dconst, dfactors = sp.factor_list(den)
    d_power = 0
    rest_den = sp.Integer(dconst)
    for g, m in dfactors:
        if sp.expand(g - D) == 0:
            d_power += m
        elif u in g.free_symbols:
            return None
        else:
            rest_den *= g**m
    out = sp.Integer(const) / rest_den
    groups: list[sp.Expr] = []  # products of degree <= 2 in u, each to be paired with one D
    linear: list[sp.Expr] = []
    for g, m in factors:
        deg = sp.degree(g, u)
        if sp.expand(g - D) == 0:
            d_power -= m
        elif deg == 0:
            out *= g**m
        elif deg == 1:
            linear += [g] * m
        elif deg == 2:
            groups += [g] * m
        else:
            return None
    groups += [linear[k] * linear[k + 1] for k in range(0, len(linear) - 1, 2)]
    if len(linear) % 2:
        groups.append(linear[-1])
    if len(groups) > d_power:
        return None
    forms: dict[sp.Expr, int] = {}
    for g in groups:
        form = _linear_trig(sp.Poly(sp.expand(g), u), x)
        if form.could_extract_minus_sign():
            form, out = -form, -out
        forms[form] = forms.get(form, 0) + 1
    for form, m in forms.items():
        out *= form**m
    if d_power > len(groups):  # 1/D = (1 + cos x)/2 for every power left over
        out *= ((1 + sp.cos(x)) / 2)**(d_power - len(groups))
    return out


def _groups_needed(q: sp.Expr, u: sp.Symbol) -> int:
    """How many powers of ``1 + u^2`` the numerator of ``q`` needs under it (see :func:`_to_trig`)."""
    num, den = sp.fraction(sp.factor(q))
    D = 1 + u**2
    have = sum(m for f, m in sp.factor_list(den)[1] if sp.expand(f - D) == 0)
    quad = sum(m for f, m in sp.factor_list(num)[1] if sp.degree(f, u) == 2 and sp.expand(f - D) != 0)
    lin = sum(m for f, m in sp.factor_list(num)[1] if sp.degree(f, u) == 1)
    return quad + (lin + 1) // 2 - have


def _half_angle(v: sp.MatrixBase) -> tuple[list[sp.Expr], sp.Symbol | None, sp.Symbol | None, dict] | None:
    """The entries with ``sin x``, ``cos x`` written in ``u = tan(x/2)`` and each ``exp`` as a symbol."""
    trig = set().union(*[e.atoms(sp.sin, sp.cos) for e in v])
    if any(a.func not in (sp.sin, sp.cos) for e in v for a in e.atoms(sp.Function) - trig
           if not isinstance(a, sp.exp)):
        return None
    args = {a.args[0] for a in trig}
    if len(args) > 1 or any(not isinstance(a, sp.Symbol) for a in args):
        return None
    exps = {a: sp.Dummy("E", positive=True) for e in v for a in e.atoms(sp.exp)}
    back = {s: a for a, s in exps.items()}
    if not args:
        return [sp.sympify(e).xreplace(exps) for e in v], None, None, back
    (x,) = args
    u = sp.Dummy("u", real=True)
    sub = {sp.sin(x): 2 * u / (1 + u**2), sp.cos(x): (1 - u**2) / (1 + u**2)}
    return [sp.cancel(sp.sympify(e).xreplace(exps).xreplace(sub)) for e in v], u, x, back


def common_factor_form(v: sp.MatrixBase) -> tuple[sp.Expr, sp.ImmutableMatrix] | None:
    r"""``(scalar, short)`` with ``v = scalar * short``, the common factor of the entries taken out and
    trigonometric factors written as linear forms in ``sin x`` and ``cos x``; None when there is no
    common factor worth taking out (or the entries are not of the supported kind: rational functions
    of the symbols, ``exp`` of anything, and ``sin``, ``cos`` of one symbol).

    Not a proof: :func:`factored` decides the identity.

    Examples
    ========
    >>> r, t = sp.symbols("rho t", real=True)
    >>> c, s = sp.cos(t), sp.sin(t)
    >>> v = sp.Matrix([(-4*s*c + 3*c**2 - 4)*sp.exp(-r)*c/8, (3*s*c**2 - 4*s + 4*c**3 - 4*c)*sp.exp(-r)/8])
    >>> scalar, short = common_factor_form(v)
    >>> scalar, short.T
    (-(2*sin(t) + cos(t))**2*exp(-rho)/8, Matrix([[cos(t), sin(t)]]))
    """
    v = sp.Matrix(v)
    if v.rows * v.cols < 2 or all(e == 0 for e in v):
        return None
    hv = _half_angle(v)
    if hv is None:
        return None
    entries, u, x, back = hv
    nonzero = [sp.together(e) for e in entries if e != 0]
    nums, dens = zip(*(sp.fraction(e) for e in nonzero))
    g = sp.Integer(0)
    for n in nums:
        g = sp.gcd(g, n)
    lcm = sp.Integer(1)
    for d in dens:
        lcm = sp.lcm(lcm, d)
    scalar = sp.factor(g / lcm)
    quotients = [sp.factor(sp.cancel(e / scalar)) for e in entries]
    if u is not None:
        D = 1 + u**2
        # every group of factors of degree <= 2 in u of a quotient needs one power of D under it
        need = max([_groups_needed(q, u) for q in quotients if q != 0] + [0])
        scalar, quotients = scalar * D**need, [sp.factor(q / D**need) for q in quotients]
        scalar_t = _to_trig(scalar, u, x)
        short_t = [sp.Integer(0) if q == 0 else _to_trig(q, u, x) for q in quotients]
        if scalar_t is None or any(q is None for q in short_t):
            return None
        scalar, quotients = scalar_t, short_t
    if all(sp.sympify(q).could_extract_minus_sign() for q in quotients if q != 0):
        scalar, quotients = -scalar, [-q for q in quotients]
    scalar = sp.sympify(scalar).xreplace(back)
    short = sp.ImmutableMatrix(v.rows, v.cols, [sp.sympify(q).xreplace(back) for q in quotients])
    if scalar.is_number and scalar.is_Rational and abs(scalar) == 1:
        return None  # nothing taken out
    return scalar, short


def _difference(ops: Any, inp: dict) -> dict:
    return {"residual": ops.sub(inp["original"], inp["factored"])}


def factored(v: sp.MatrixBase, *, budget: float | None = DEFAULT_BUDGET, seed: int | None = 0,
             statement: str = "the factored form equals the computed vector") -> FactoredForm | None:
    """:func:`common_factor_form` of ``v`` with the certificate of ``v = scalar * short``; None when
    there is no such form or the identity was not proved (the original is shown instead)."""
    try:
        form = common_factor_form(v)
    except (sp.PolynomialError, sp.SympifyError, ValueError, TypeError, ZeroDivisionError):
        return None  # an entry of a kind the search does not handle: the original is shown
    if form is None:
        return None
    scalar, short = form
    syms = tuple(sorted(sp.Matrix(v).free_symbols | scalar.free_symbols | short.free_symbols, key=lambda s: s.name))
    claim = Claim(statement, {"original": sp.Matrix(v), "factored": sp.Matrix(short) * scalar}, syms, _difference)
    cert = decide(claim, budget=budget, seed=seed).certificate
    if not cert.holds:
        return None
    return FactoredForm(scalar, short, cert)
