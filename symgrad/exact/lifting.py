r"""Exact lifting of SymPy expressions into a field of rational functions: a tower of kernels.

Everything symgrad calls *exact* happens here, in :math:`\mathbb{Q}(v_1, \dots, v_k)`,
a field of rational functions with python-flint's multivariate polynomials doing
the arithmetic.  A family of SymPy expressions is *lifted* by replacing each
kernel with a new variable, from the inside out, so that the argument of every
kernel is already an element of the field below it:

* ``exp(u)``: ``u`` is split into a sum of rational multiples of *atoms* (the
  terms of its expansion with their rational coefficients removed), and each atom
  ``a`` seen with denominators ``q`` gets the variable ``E_a = exp(a/d)``, ``d`` the
  least common multiple of those ``q``; ``exp(c*log(v))`` is ``v**c``;
* ``cos``, ``sin``, ``tan`` of such sums become rational functions of the half-angle
  tangents ``tan(a/(2d))`` (``cos = (1 - u**2)/(1 + u**2)``, ``sin = 2u/(1 + u**2)``),
  which builds ``cos**2 + sin**2 = 1`` into the arithmetic;
* ``tanh``, ``sinh``, ``cosh`` (and their reciprocals) are rewritten through ``exp``, the
  inverse hyperbolic functions through ``log``; a logistic sigmoid ``1/(1 + exp(-u))`` or
  a softplus ``log(1 + exp(u))`` needs nothing special;
* ``x**(p/q)`` for a symbol ``x`` is ``w**(p*L/q)`` with ``x = w**L``; ``u**(p/q)`` for any
  other ``u`` (``sqrt(2)``, ``sqrt(1 + x**2)``) is ``w**(p*L/q)`` for a variable ``w``
  standing for ``u**(1/L)``, with the *defining relation* ``w**L = u``; ``b**e`` for a
  non-rational exponent is ``exp(e*log(b))``;
* ``log(x)`` for a symbol, ``log(u)`` for any other ``u``, ``log(p)`` for each prime
  ``p`` of a rational argument, ``atan``, ``asin``, ``acos``, ``erf`` of any ``u``, and the
  constants ``pi``, Euler's gamma and Catalan's constant are variables of their own.

Soundness.  Putting the kernels back is a ring homomorphism from the polynomials
onto functions, so an element that is zero in the field is the zero function:
a "proved exactly" needs nothing more (provided nothing was divided by a zero
function: every division certifies its divisor non-zero first).  The converse,
*faithfulness*, is what ranks, refutations and "this minor is not zero" need.
It holds when every variable is *classical*: symbols, roots of symbols,
``exp`` and half-angle tangents of monomials in the symbols or of the constant 1,
and logarithms of symbols.  These are algebraically independent over the
constants (Risch's structure theorems; for the constants ``exp(1/D)`` and
``tan(1/(2D'))``, the Lindemann-Weierstrass theorem applied to ``1/D`` and
``i/D'``), and a field of independent variables decides zero by its numerator.
For every other kernel independence is not assumed: the field then gets the
zero test of :mod:`symgrad.exact.certify` (non-zero certified by a rigorous ball
enclosure at a point, zero by the defining relations of the roots, otherwise
:class:`~symgrad.exceptions.UndecidedError`), and :attr:`Lifting.faithful` is
False so results can say which of the two an answer rests on.

Anything else (``Abs``, undefined functions, floats, complex numbers) raises
:class:`~symgrad.exceptions.LiftError` and the callers fall back, saying so.
Piecewise models are split into regions first (:mod:`symgrad.piecewise`).
"""
from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Any, Callable, Iterable, Literal, Sequence

import sympy as sp
from flint import arb, fmpz_mpoly, fmpz_mpoly_ctx

from ..exceptions import LiftError
from .certify import KernelValue, ZeroTest
from .ratfunc import RF, register_zero_test

__all__ = ["Lifting", "lift", "poly_to_sympy", "KernelKind", "normalise"]

#: what a variable of the field stands for: a symbol, a root ``s**(1/L)`` of a symbol, ``exp(a/d)``,
#: a half-angle tangent ``tan(a/(2d))``, a logarithm, a root ``u**(1/L)`` of a non-symbol (with its
#: defining relation), ``atan``/``asin``/``acos``/``erf`` of an element, a constant such as ``pi``, or the
#: constant 1 (a field with no variables)
KernelKind = Literal["symbol", "root", "exp", "tan", "log", "algebraic", "function", "constant", "one"]


def poly_to_sympy(p: fmpz_mpoly, gens: Sequence[sp.Expr]) -> sp.Expr:
    """A python-flint polynomial as a SymPy expression, its ``i``-th variable replaced by ``gens[i]``.

    The one flint-to-SymPy converter of the package.

    >>> ctx = fmpz_mpoly_ctx.get(("a", "b"), "degrevlex")
    >>> a, b = ctx.gens()
    >>> x = sp.Symbol("x")
    >>> poly_to_sympy(3*a**2*b - 1, [x, sp.exp(x)]) == 3*x**2*sp.exp(x) - 1
    True
    """
    return sp.Add(*[sp.Mul(sp.Integer(int(coeff)), *[v**k for v, k in zip(gens, monom) if k])
                    for monom, coeff in p.terms()])


# ---------------------------------------------------------------------------
# Rewriting and kernels
# ---------------------------------------------------------------------------

_THROUGH_EXP = (sp.tanh, sp.sinh, sp.cosh, sp.coth, sp.sech, sp.csch)
_THROUGH_LOG = (sp.asinh, sp.acosh, sp.atanh, sp.acoth)
_RECIPROCALS: dict[type, type] = {sp.sec: sp.cos, sp.csc: sp.sin, sp.cot: sp.tan}
_FUNCTIONS: dict[type, str] = {sp.atan: "atan", sp.asin: "asin", sp.acos: "acos", sp.erf: "erf"}
_CONSTANTS: dict[sp.Expr, Callable[[], arb]] = {sp.pi: arb.pi, sp.EulerGamma: arb.const_euler,
                                                sp.Catalan: arb.const_catalan}
_REWRITTEN = _THROUGH_EXP + _THROUGH_LOG + tuple(_RECIPROCALS)


def normalise(e: sp.Expr) -> sp.Expr:
    """``e`` with hyperbolic functions written through ``exp``, inverse hyperbolic ones through ``log``,
    ``sec``/``csc``/``cot`` as reciprocals and the golden ratio as ``(1 + sqrt(5))/2``: the same
    function, in the kernels the field knows.

    >>> w = sp.Symbol("w", real=True)
    >>> normalise(sp.tanh(w)) == (sp.exp(w) - sp.exp(-w)) / (sp.exp(w) + sp.exp(-w))
    True
    """
    if not e.has(*_REWRITTEN, sp.GoldenRatio):
        return e
    e = e.replace(lambda n: isinstance(n, _THROUGH_EXP), lambda n: n.rewrite(sp.exp))
    e = e.replace(lambda n: isinstance(n, _THROUGH_LOG), lambda n: n.rewrite(sp.log))
    e = e.replace(lambda n: type(n) in _RECIPROCALS, lambda n: 1 / _RECIPROCALS[type(n)](n.args[0]))
    return e.xreplace({sp.GoldenRatio: (1 + sp.sqrt(5)) / 2})


def _monomial_key(expr: sp.Expr) -> sp.Expr | None:
    """``expr`` if it is a product of symbols to positive integer powers, else None."""
    if expr.is_Symbol:
        return expr
    if expr.is_Pow:
        return expr if (expr.base.is_Symbol and expr.exp.is_Integer and expr.exp > 0) else None
    if expr.is_Mul:
        return expr if all(_monomial_key(f) is not None for f in expr.args) else None
    return None


def _terms(arg: sp.Expr) -> list[tuple[sp.Rational, sp.Expr]]:
    """``arg`` as a sum of rational multiples of atoms (the constant term has the atom 1)."""
    out: list[tuple[sp.Rational, sp.Expr]] = []
    for term in sp.Add.make_args(sp.expand(arg)):
        coeff, rest = term.as_coeff_Mul()
        if not coeff.is_Rational:
            coeff, rest = sp.Integer(1), term
        out.append((coeff, rest))
    return out


def _classical_atom(atom: sp.Expr) -> bool:
    return atom == 1 or _monomial_key(atom) is not None


def _primes(q: sp.Rational) -> list[tuple[int, int]]:
    """``q = prod p**e`` for a positive rational: the pairs ``(p, e)``."""
    out = [(int(p), int(e)) for p, e in sp.factorint(int(q.p)).items()]
    out += [(int(p), -int(e)) for p, e in sp.factorint(int(q.q)).items()]
    return out


def _refuse_complex(e: sp.Expr) -> None:
    raise LiftError(f"cannot lift {e}: its value is not real (symgrad's exact field is real). "
                    "Write the model with real quantities.")


@dataclass(frozen=True)
class Variable:
    """A variable of the lifted field: its name in flint, the SymPy expression it stands for, its kind,
    and whether it is *classical* (known independent of the others, see the module docstring)."""

    name: str
    meaning: sp.Expr
    kind: KernelKind
    classical: bool = True


@dataclass
class _Kernel:
    kind: KernelKind
    atom: sp.Expr          # exp/tan: the atom; log/function: the argument; algebraic: the base; constant: itself
    d: int = 1             # exp/tan: lcm of the denominators; algebraic: the root degree L
    fn: str = ""           # function: its arb name
    classical: bool = False

    def meaning(self) -> sp.Expr:
        if self.kind == "exp":
            return sp.exp(self.atom / self.d)
        if self.kind == "tan":
            return sp.tan(self.atom / (2 * self.d))
        if self.kind == "log":
            return sp.log(self.atom, evaluate=False) if self.atom.is_Integer else sp.log(self.atom)
        if self.kind == "algebraic":
            return self.atom ** sp.Rational(1, self.d)
        if self.kind == "function":
            return {"atan": sp.atan, "asin": sp.asin, "acos": sp.acos, "erf": sp.erf}[self.fn](self.atom)
        return self.atom


class _Scanner:
    """Finds the symbols and kernels of some expressions, inner kernels first."""

    def __init__(self) -> None:
        self.free: set[sp.Symbol] = set()
        self.roots: dict[sp.Symbol, int] = {}
        self.kernels: dict[tuple, _Kernel] = {}     # insertion order = tower order
        self._seen: set[sp.Expr] = set()

    def kernel(self, key: tuple, kind: KernelKind, atom: sp.Expr, q: int = 1, fn: str = "",
               classical: bool = False) -> None:
        k = self.kernels.get(key)
        if k is None:
            self.kernels[key] = _Kernel(kind, atom, q, fn, classical)
        else:
            k.d = math.lcm(k.d, q)

    def exp_terms(self, arg: sp.Expr, kind: KernelKind) -> None:
        for c, atom in _terms(arg):
            if kind == "exp" and isinstance(atom, sp.log):
                self.scan(sp.Pow(atom.args[0], c))
                continue
            classical = _classical_atom(atom)
            if not classical:
                self.scan(atom)
            else:
                self.free |= atom.free_symbols
            self.kernel((kind, atom), kind, atom, int(c.q), classical=classical)

    def scan(self, e: sp.Expr) -> None:
        if e in self._seen:
            return
        self._seen.add(e)
        if e.is_Rational:
            return
        if e.is_Symbol:
            self.free.add(e)
            return
        if e.is_Float:
            raise LiftError(f"cannot lift the float {e}: floats are not exact. "
                            "Use sympy.Rational or sympy.nsimplify to give exact numbers.")
        if e.is_Add or e.is_Mul:
            for a in e.args:
                self.scan(a)
            return
        if e is sp.E:
            self.kernel(("exp", sp.S.One), "exp", sp.S.One, 1, classical=True)
            return
        if e in _CONSTANTS:
            self.kernel(("constant", e), "constant", e)
            return
        if e.is_Pow:
            b, x = e.args
            if x.is_Integer:
                self.scan(b)
            elif x.is_Rational:
                if b.is_Symbol:
                    self.free.add(b)
                    self.roots[b] = math.lcm(self.roots.get(b, 1), int(x.q))
                else:
                    if b.is_number and b.is_extended_negative:
                        _refuse_complex(e)
                    self.scan(b)
                    self.kernel(("algebraic", b), "algebraic", b, int(x.q))
            else:
                self.scan(b)
                self.exp_terms(x * sp.log(b), "exp")
            return
        if isinstance(e, sp.exp):
            self.exp_terms(e.args[0], "exp")
            return
        if isinstance(e, (sp.sin, sp.cos, sp.tan)):
            self.exp_terms(e.args[0], "tan")
            return
        if isinstance(e, sp.log):
            a = e.args[0]
            if a.is_Symbol:
                self.free.add(a)
                self.kernel(("log", a), "log", a, classical=True)
            elif a.is_Rational:
                if a <= 0:
                    _refuse_complex(e)
                for p, _ in _primes(a):
                    self.kernel(("log", sp.Integer(p)), "log", sp.Integer(p))
            else:
                if a.is_number and a.is_extended_negative:
                    _refuse_complex(e)
                self.scan(a)
                self.kernel(("log", a), "log", a)
            return
        if type(e) in _FUNCTIONS:
            self.scan(e.args[0])
            self.kernel(("function", _FUNCTIONS[type(e)], e.args[0]), "function", e.args[0], fn=_FUNCTIONS[type(e)])
            return
        if e.is_number and (e.has(sp.I) or e.is_extended_real is False):
            _refuse_complex(e)
        if isinstance(e, (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.Piecewise)):
            raise LiftError(f"cannot lift {e}: {type(e).__name__} is piecewise, and the paper's smooth setting holds "
                            "only inside the regions where it is one expression. Split the parameter domain with "
                            "symgrad.regions(phi, params) and work with each region's model.")
        if isinstance(e, sp.Function):
            raise LiftError(
                f"cannot lift {e}: the function {type(e).__name__} has no exact lift (supported: exp, log, "
                "sin, cos, tan, their hyperbolic and inverse hyperbolic relatives, atan, asin, acos, erf, and "
                "rational powers).")
        raise LiftError(f"cannot lift {e} (type {type(e).__name__}): it is not an expression of the exact field.")


_SERIAL = itertools.count()


def _whole(k: sp.Rational, e: sp.Expr) -> int:
    """The integer exponent ``k`` of a kernel variable in the lift of ``e``; a fraction means ``e`` was
    not seen when the lifting was built (``exp(x/3)`` in a field made for ``exp(x/2)``)."""
    if not k.is_Integer:
        raise LiftError(f"kernel {e} was not seen when this lifting was built (its exponent {k} is not whole)")
    return int(k)


class Lifting:
    """An embedding of some SymPy expressions into ``Q(v_1, ..., v_k)`` (see the module docstring).

    Build it once over every expression a computation needs
    (:meth:`Lifting.build`), then :meth:`lift` each of them.  Variables are the
    free symbols (a symbol under a fractional power is replaced by a root
    variable) followed by the kernel variables, inner kernels first;
    :attr:`variables` lists what each one stands for, and :attr:`faithful` tells
    whether the field's zero test is plain (all variables classical) or certified.

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> L = Lifting.build([sp.cos(t)**2 + sp.sin(t)**2])
    >>> L.lift(sp.cos(t)**2 + sp.sin(t)**2) == L.one
    True
    >>> w = sp.Symbol("w", real=True)
    >>> L = Lifting.build([sp.tanh(w), sp.sqrt(2)])
    >>> L.lift(sp.sqrt(2)**2 - 2).is_zero(), L.lift(sp.tanh(w) - 1).is_zero(), L.faithful
    (True, False, False)
    """

    def __init__(self, symbols: Sequence[sp.Symbol], kernels: Sequence[_Kernel], roots: dict[sp.Symbol, int]):
        self.symbols = tuple(symbols)
        self._roots = dict(roots)        # symbol -> L     (x = w**L)
        self._kernels = list(kernels)
        self.faithful = all(k.classical for k in self._kernels)
        suffix = "" if self.faithful else f"_{next(_SERIAL)}"
        letter = {"exp": "e", "tan": "u", "log": "l", "algebraic": "r", "function": "f", "constant": "c"}
        names: list[str] = []
        meanings: list[sp.Expr] = []
        kinds: list[KernelKind] = []
        classical: list[bool] = []
        for i, s in enumerate(self.symbols):
            L = self._roots.get(s, 1)
            names.append(f"x{i}{suffix}")
            meanings.append(s if L == 1 else s ** sp.Rational(1, L))
            kinds.append("symbol" if L == 1 else "root")
            classical.append(True)
        self._index: dict[tuple, int] = {}
        for k in self._kernels:
            key = (k.kind, k.fn, k.atom) if k.kind == "function" else (k.kind, k.atom)
            self._index[key] = len(names)
            names.append(f"{letter[k.kind]}{len(names)}{suffix}")
            meanings.append(k.meaning())
            kinds.append(k.kind)
            classical.append(k.classical)
        self._by_index = {self._index[key]: k for key, k in zip(self._index, self._kernels)}
        if not names:
            names, meanings, kinds, classical = ["_one"], [sp.Integer(1)], ["one"], [True]
            self._dummy = True
        else:
            self._dummy = False
        self.variables = tuple(Variable(n, m, k, c) for n, m, k, c in zip(names, meanings, kinds, classical))
        self.ctx = fmpz_mpoly_ctx.get(tuple(names), "degrevlex")
        self._gens = [RF(g) for g in self.ctx.gens()]
        self.one = RF.const(self.ctx, 1)
        self.zero = RF.const(self.ctx, 0)
        self._memo: dict[sp.Expr, RF] = {}
        self._back: dict[tuple, list] = {}  # converted polynomials: (invariants, factor) -> [(poly, SymPy form)]
        self.zero_test: ZeroTest | None = None
        if not self.faithful:
            self._install_zero_test()

    def _install_zero_test(self) -> None:
        """Register the certified zero test; the kernels' arguments are lifted one by one, each
        needing only the variables (and hence the part of the test) below it."""
        for s in self.symbols:
            if s.is_integer or s.is_rational:
                raise LiftError(
                    f"cannot lift with the symbol {s}, declared {'integer' if s.is_integer else 'rational'}: with "
                    f"the kernels {', '.join(str(v.meaning) for v in self.variables if not v.classical)} the exact "
                    "field decides zero near a real base point, which says nothing about a function on a discrete "
                    "set. Declare the symbol real.")
        values: list[KernelValue] = []
        relations: list[tuple[int, int, fmpz_mpoly, fmpz_mpoly]] = []
        self.zero_test = test = ZeroTest(values, relations, self._base_point())
        register_zero_test(self.ctx, test)
        for i, s in enumerate(self.symbols):
            values.append(KernelValue("symbol", q=self._roots.get(s, 1)))
        for i in range(len(self.symbols), len(self.variables)):
            k = self._by_index[i]
            if k.kind == "constant":
                values.append(KernelValue("constant", const=_CONSTANTS[k.atom]))
                continue
            if k.kind == "exp":
                arg = self._conv(k.atom) / k.d
            elif k.kind == "tan":
                arg = self._conv(k.atom) / (2 * k.d)
            elif k.kind == "log" and k.atom.is_Integer:
                arg = RF.const(self.ctx, k.atom)
            else:
                arg = self._conv(k.atom)
            fn = {"exp": "exp", "tan": "tan", "log": "log", "algebraic": "root"}.get(k.kind, k.fn)
            values.append(KernelValue(fn, (arg.num, arg.den), q=k.d))
            if k.kind == "algebraic":
                relations.append((i, k.d, arg.num, arg.den))

    def _base_point(self) -> dict[int, Fraction]:
        """A rational point inside the declared domain of the symbols (their signs) where every
        variable's meaning is real and finite: the base point of the certified zero test."""
        rng = random.Random(20261202)
        n = len(self.symbols)
        signs = [1 if (s.is_positive or s.is_nonnegative or self._roots.get(s, 1) > 1)
                 else (-1 if (s.is_negative or s.is_nonpositive) else 0) for s in self.symbols]
        for attempt in range(80):
            scale = (1, 1, 3, 10)[min(attempt // 20, 3)]
            vals = []
            for sign in signs:
                x = Fraction(rng.randint(1, 12), rng.randint(5, 17)) * scale + Fraction(1, 101)
                if sign < 0 or (sign == 0 and attempt % 2 == 1 and rng.random() < 0.5):
                    x = -x
                vals.append(x)
            pt = {s: sp.Rational(v.numerator, v.denominator) for s, v in zip(self.symbols, vals)}
            ok = True
            for v in self.variables[n:]:
                try:
                    val = sp.N(v.meaning.xreplace(pt), 20)
                except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover - SymPy edge cases
                    ok = False
                    break
                if not (val.is_real and val.is_finite) or val.has(sp.zoo, sp.nan):
                    ok = False
                    break
            if ok:
                return dict(enumerate(vals))
        raise LiftError(
            "cannot lift: no rational point of the symbols' declared domain was found where every kernel "
            f"({', '.join(str(v.meaning) for v in self.variables[n:])}) is real and finite. Check the model's "
            "domain, or declare the signs of the symbols (positive=True, ...).")

    # -- construction ----------------------------------------------------------
    @classmethod
    def build(cls, exprs: Iterable[sp.Expr], symbols: Sequence[sp.Symbol] = ()) -> Lifting:
        """Scan ``exprs`` for symbols and kernels and make the field that holds them all.

        ``symbols`` fixes the order of the first variables (parameters first is
        convenient); free symbols not listed are appended in sorted order.
        """
        sc = _Scanner()
        for e in exprs:
            sc.scan(normalise(sp.sympify(e)))
        free = sc.free
        ordered = [s for s in symbols if s in free] + sorted(free - set(symbols), key=lambda s: s.name)
        # symbols listed explicitly are always variables, even if absent
        for s in symbols:
            if s not in ordered:
                ordered.append(s)
        return cls(ordered, list(sc.kernels.values()), sc.roots)

    # -- lifting ---------------------------------------------------------------
    def gen(self, i: int) -> RF:
        return self._gens[i]

    def symbol_variable(self, s: sp.Symbol) -> RF:
        i = self.symbols.index(s)
        L = self._roots.get(s, 1)
        return self._gens[i] ** L

    def lift(self, expr: sp.Expr) -> RF:
        """The rational function standing for ``expr``; raises ``LiftError`` if it has none here."""
        expr = sp.sympify(expr)
        try:
            return self._conv(normalise(expr))
        except RecursionError as exc:  # pragma: no cover - pathological depth
            raise LiftError(f"expression too deep to lift: {expr}") from exc
        except ZeroDivisionError as exc:
            raise LiftError(f"cannot lift {expr}: it divides by an expression that is the zero function") from exc

    def lift_matrix(self, M: sp.MatrixBase) -> list[list[RF]]:
        return [[self.lift(M[i, j]) for j in range(M.cols)] for i in range(M.rows)]

    def _conv(self, e: sp.Expr) -> RF:
        hit = self._memo.get(e)
        if hit is not None:
            return hit
        out = self._conv_uncached(e)
        self._memo[e] = out
        return out

    def _kernel_gen(self, key: tuple, e: sp.Expr) -> tuple[RF, _Kernel]:
        i = self._index.get(key)
        if i is None:
            raise LiftError(f"kernel {e} was not seen when this lifting was built")
        return self._gens[i], self._by_index[i]

    def _exp_of(self, arg: sp.Expr, e: sp.Expr) -> RF:
        out = self.one
        for c, atom in _terms(arg):
            if isinstance(atom, sp.log):
                out = out * self._conv(sp.Pow(atom.args[0], c))
                continue
            g, k = self._kernel_gen(("exp", atom), e)
            out = out * g ** _whole(c * k.d, e)
        return out

    def _conv_uncached(self, e: sp.Expr) -> RF:
        if e.is_Rational:
            return RF.const(self.ctx, e)
        if e.is_Symbol:
            if e not in self.symbols:
                raise LiftError(f"symbol {e} is not a variable of this lifting; build it over all expressions")
            return self.symbol_variable(e)
        if e.is_Add:
            return reduce(lambda a, b: a + b, (self._conv(a) for a in e.args))
        if e.is_Mul:
            return reduce(lambda a, b: a * b, (self._conv(a) for a in e.args))
        if e is sp.E:
            g, k = self._kernel_gen(("exp", sp.S.One), e)
            return g ** k.d
        if e in _CONSTANTS:
            return self._kernel_gen(("constant", e), e)[0]
        if e.is_Pow:
            b, x = e.args
            if x.is_Integer:
                return self._conv(b) ** int(x)
            if x.is_Rational:
                if b.is_Symbol and b in self._roots:
                    k_ = x * self._roots[b]
                    if not k_.is_Integer:
                        raise LiftError(f"internal: root lcm missed {e}")
                    return self._gens[self.symbols.index(b)] ** int(k_)
                g, k = self._kernel_gen(("algebraic", b), e)
                return g ** _whole(x * k.d, e)
            return self._exp_of(x * sp.log(b), e)
        if isinstance(e, sp.exp):
            return self._exp_of(e.args[0], e)
        if isinstance(e, (sp.sin, sp.cos, sp.tan)):
            re, im, den = self._unit_complex(e)
            if isinstance(e, sp.cos):
                return re / den
            if isinstance(e, sp.sin):
                return im / den
            return im / re
        if isinstance(e, sp.log):
            a = e.args[0]
            if a.is_Rational and not a.is_Integer or (a.is_Integer and not sp.isprime(int(a))):
                out = self.zero
                for p, m in _primes(a):
                    out = out + self._kernel_gen(("log", sp.Integer(p)), e)[0] * m
                return out
            return self._kernel_gen(("log", a), e)[0]
        if type(e) in _FUNCTIONS:
            return self._kernel_gen(("function", _FUNCTIONS[type(e)], e.args[0]), e)[0]
        raise LiftError(f"cannot lift {e} (type {type(e).__name__})")

    def _unit_complex(self, e: sp.Expr) -> tuple[RF, RF, RF]:
        """``exp(i*arg) = (re + i*im)/den`` with ``(1 + i*u)**2/(1 + u**2) = exp(i*theta)``."""
        re, im, den = self.one, self.zero, self.one
        for c, atom in _terms(e.args[0]):
            u, kern = self._kernel_gen(("tan", atom), e)
            k = _whole(c * kern.d, e)
            # (1 + i u)^2 = (1 - u^2) + i (2u); conjugate for negative k
            br, bi = self.one - u * u, (u + u) if k > 0 else -(u + u)
            for _ in range(abs(k)):
                re, im = re * br - im * bi, re * bi + im * br
                den = den * (self.one + u * u)
        return re, im, den

    # -- back to SymPy -----------------------------------------------------------
    def _converted(self, p: fmpz_mpoly, factor: bool) -> sp.Expr:
        """:meth:`poly_to_sympy` or :meth:`_factored`, remembered: the entries of an inverse
        usually share one large denominator, which is then factored and converted once."""
        if p.is_zero():
            return sp.Integer(0)
        # bucket by cheap invariants, then compare exactly (str(p) as a key costs more than converting)
        key = (len(p), int(p.total_degree()), int(p.leading_coefficient()), factor)
        bucket = self._back.setdefault(key, [])
        for q, expr in bucket:
            if q == p:
                return expr
        out = self._factored(p) if factor else self.poly_to_sympy(p)
        bucket.append((p, out))
        return out

    def poly_to_sympy(self, p: fmpz_mpoly) -> sp.Expr:
        """``p`` as a SymPy expression, each variable replaced by what it stands for."""
        return poly_to_sympy(p, [v.meaning for v in self.variables])

    def to_sympy(self, rf: RF, *, factor: bool = False) -> sp.Expr:
        """The SymPy expression of ``rf``, kernels put back (``E -> exp(m/d)``, ``u -> tan(m/(2d))``).

        With ``factor=True`` numerator and denominator are factored (exactly, by
        flint), which reads better and costs little for small entries.  Half-angle
        tangents are rewritten in ``cos`` and ``sin`` of the full angle
        (:meth:`_trig_back`), so results read as the user wrote the model; above
        :attr:`TRIG_BACK_LIMIT` terms that rewriting (SymPy polynomial arithmetic) would cost more than
        everything else, and the half-angle tangents are kept (the value is the same).
        """
        if self.has_trig and rf.size() <= self.TRIG_BACK_LIMIT:
            return self._trig_back(rf, factor)
        factor = factor and not self._dummy
        num = self._converted(rf.num, factor)
        den = self._converted(rf.den, factor)
        return num / den if den != 1 else num

    def _trig_back(self, rf: RF, factor: bool) -> sp.Expr:
        r"""Rewrite a rational function of ``u = tan(theta/2)`` in ``c = cos(theta)``, ``s = sin(theta)``.

        A polynomial of degree ``k`` in ``u`` equals ``(1 + c)^{-k}`` times
        ``sum_j n_j s^j (1 + c)^{k - j}`` (since ``u = s/(1 + c)``); numerator and
        denominator are rewritten so, reduced modulo ``s^2 + c^2 - 1`` and
        cancelled.  Every step is an identity on the circle, so the result is
        equal to the input as a function of ``theta``.
        """
        placeholders = {}
        sub_back = {}
        vars_: list[sp.Expr] = []
        for v in self.variables:
            if v.kind == "tan":
                U = sp.Dummy(v.name)
                theta = 2 * v.meaning.args[0]
                C, S = sp.Dummy("c"), sp.Dummy("s")
                placeholders[U] = (C, S)
                sub_back[C], sub_back[S] = sp.cos(theta), sp.sin(theta)
                vars_.append(U)
            else:
                vars_.append(v.meaning)

        num, den = poly_to_sympy(rf.num, vars_), poly_to_sympy(rf.den, vars_)
        for U, (C, S) in placeholders.items():
            pn, pd = sp.Poly(num, U), sp.Poly(den, U)
            k, l = pn.degree(), pd.degree()
            k, l = max(k, 0), max(l, 0)

            def lift_poly(P, deg):
                return sp.Add(*[coef * S**j * (1 + C) ** (deg - j) for (j,), coef in P.terms()])

            n2, d2 = lift_poly(pn, k), lift_poly(pd, l)
            if l > k:
                n2 = n2 * (1 + C) ** (l - k)
            elif k > l:
                d2 = d2 * (1 + C) ** (k - l)
            circle = S**2 + C**2 - 1
            n2 = sp.Poly(n2, S, C).rem(sp.Poly(circle, S, C)).as_expr() if n2.has(S) else sp.expand(n2)
            d2 = sp.Poly(d2, S, C).rem(sp.Poly(circle, S, C)).as_expr() if d2.has(S) else sp.expand(d2)
            q = sp.cancel(n2 / d2)
            num, den = sp.fraction(q)
        out = (sp.factor(num) / sp.factor(den)) if factor else num / den
        return out.xreplace(sub_back)

    #: rational functions with more terms than this keep their half-angle tangents in :meth:`to_sympy`
    TRIG_BACK_LIMIT = 150

    #: polynomials with more terms than this are converted expanded: factoring them costs minutes and
    #: their factored form is no easier to read
    FACTOR_LIMIT = 400
    #: ... and so are polynomials of higher total degree (``E**100000 + E`` takes flint minutes)
    FACTOR_DEGREE_LIMIT = 200

    def _factored(self, p: fmpz_mpoly) -> sp.Expr:
        if p.is_zero():
            return sp.Integer(0)
        if (len(p) == 1 or p.total_degree() <= 1 or len(p) > self.FACTOR_LIMIT
                or p.total_degree() > self.FACTOR_DEGREE_LIMIT):
            return self.poly_to_sympy(p)
        c, facs = p.factor()
        out = sp.Integer(int(c))
        for f, k in facs:
            out = out * self.poly_to_sympy(f) ** int(k)
        return out

    def matrix_to_sympy(self, M: Sequence[Sequence[RF]], *, factor: bool = False) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([[self.to_sympy(x, factor=factor) for x in row] for row in M])

    @property
    def has_trig(self) -> bool:
        return any(v.kind == "tan" for v in self.variables)

    def describe(self) -> list[tuple[str, sp.Expr]]:
        """The variables of the field and what each one stands for."""
        return [(v.name, v.meaning) for v in self.variables if not self._dummy]


def lift(exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol] = ()) -> tuple[Lifting, list[RF]]:
    """Lift several expressions into one field; returns the lifting and their images."""
    L = Lifting.build(exprs, symbols)
    return L, [L.lift(e) for e in exprs]
