r"""The proof engine: decides identities and says how much it knows.

Every claim symgrad makes ("the manifold gradient equals the Riesz gradient",
"``J Delta = 0``", "the Penrose conditions hold") is a :class:`Claim`: a
computation, written once against a small set of field operations, whose
result must be the zero matrix.  :func:`decide` runs it at up to three levels
and returns a :class:`Certificate` whose :class:`Verdict` is one of

``PROVED``
    exact: the computation ran over the field of rational functions in the
    parameters and lifted kernels (:mod:`symgrad.exact.lifting`), and the result is the
    zero rational function;
``PROVED_PROBABILISTIC``
    the computation ran in exact rational arithmetic at ``k`` independent
    random integer points of the lifted variables, every result was zero, and
    the Schwartz-Zippel lemma bounds the chance of a non-zero identity passing
    by the number printed (degrees are tracked through every operation,
    :class:`~symgrad.exact.field.DegreeTracked`);
``NUMERIC``
    mpmath at a stated precision at stated points, largest residual stated:
    evidence, never called a proof;
``REFUTED``
    the result is not zero: a witness point and the value there are given;
``UNDECIDED``
    nothing above finished within the budget.

The levels are tried in that order, each under a time budget, so a check
falls back instead of hanging.
"""
from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Callable, Iterator, Sequence

import mpmath
import sympy as sp

from ._sampling import sample_point
from ._budget import DEFAULT_BUDGET, Budget, OutOfMemory, OutOfTime, as_budget
from .exact import dense as linalg
from .exceptions import ArgumentError, LiftError, RankError, ShapeError
from .exact.field import DegreeTracked
from .exact.lifting import Lifting
from .exact.point import PointField
from .numeric import interval_enclosure
from .notation import latex_text
from .ops import ExactOps, Interval, IntervalOps, NumericOps, Ops, PointOps, ValueOps

__all__ = ["Verdict", "Certificate", "Claim", "Decision", "decide", "exact_witness", "lifted_witness",
           "simple_points", "certified_decimal", "Witness", "PROOF_THRESHOLD"]


class Verdict(Enum):
    """How much is known about a claimed identity."""

    PROVED = "proved exactly"
    PROVED_PROBABILISTIC = "proved with bounded error probability"
    NUMERIC = "supported numerically (not a proof)"
    REFUTED = "refuted"
    UNDECIDED = "undecided"

    @property
    def holds(self) -> bool | None:
        """True (proved, either way), False (refuted) or None, like ``Expr.equals``."""
        if self in (Verdict.PROVED, Verdict.PROVED_PROBABILISTIC):
            return True
        if self is Verdict.REFUTED:
            return False
        return None

    def __str__(self) -> str:
        return self.value


#: An exact value whose plain text is longer than this is abbreviated by :meth:`Witness.brief`
#: (its decimal and its size; the full value stays in :attr:`Witness.value`, ``str`` and the JSON report).
LONG_VALUE_CHARS = 80


def _arb(e: sp.Expr) -> Any:
    """A python-flint ``arb`` ball enclosing the real constant ``e`` at the working precision;
    :class:`TypeError` for an expression with no ball rule here, :class:`ValueError` outside a domain."""
    from flint import arb, fmpq

    if e.is_Integer:
        return arb(int(e))
    if e.is_Rational:
        return arb(fmpq(int(e.p), int(e.q)))
    if e is sp.pi:
        return arb.pi()
    if e is sp.E:
        return arb.const_e()
    if e.is_Add or e.is_Mul:
        vals = [_arb(a) for a in e.args]
        out = vals[0]
        for v in vals[1:]:
            out = out + v if e.is_Add else out * v
        return out
    if e.is_Pow:
        base, ex = e.args
        if ex.is_Integer:
            b = _arb(base)
            if int(ex) < 0 and b.contains(0):
                raise ValueError("a negative power of a ball that contains 0")
            return b ** int(ex)
        if ex.is_Rational:
            b = _arb(base)
            if not b > 0:
                raise ValueError("a fractional power of a ball that is not positive")
            return b.root(int(ex.q)) ** int(ex.p)
        return (_arb(ex) * _arb(base).log()).exp()
    fns = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.atan: "atan",
           sp.asin: "asin", sp.acos: "acos", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.erf: "erf"}
    if e.func in fns and len(e.args) == 1:
        x = _arb(e.args[0])
        if e.func is sp.log and not x > 0:
            raise ValueError("log of a ball that is not positive")
        return getattr(x, fns[e.func])()
    raise TypeError(f"no ball rule for {e.func}")


def certified_decimal(value: Any, digits: int = 10) -> str | None:
    """``value`` (an exact real constant) to ``digits`` significant digits from a rigorous ball
    enclosure (python-flint ``arb``, Johansson 2017) that excludes 0 and is narrow enough that the
    digits are right up to one unit in the last place; ``None`` when no such ball was found.

    >>> certified_decimal(sp.exp(-sp.Rational(27, 14)) * 2 / 3)
    '0.09690380082'
    >>> certified_decimal(sp.Integer(0)) is None
    True
    """
    from flint import ctx as flint_ctx

    try:
        e = sp.sympify(value)
    except (sp.SympifyError, TypeError):
        return None
    if not getattr(e, "is_number", False) or e.has(sp.Float):
        return None
    old = flint_ctx.prec
    try:
        for prec in (128, 512, 2048):
            flint_ctx.prec = prec
            try:
                ball = _arb(e)
            except (TypeError, ValueError, ZeroDivisionError):
                return None
            if ball.is_finite() and not ball.contains(0) and ball.rad() < abs(ball.mid()) * 2 ** -(4 * digits):
                return ball.str(digits, radius=False)
    finally:
        flint_ctx.prec = old
    return None


def _decimal_of(value: Any, digits: int = 10) -> str:
    """A ``digits``-digit decimal of ``value``: certified by balls when possible, else SymPy's ``N``."""
    dec = certified_decimal(value, digits)
    if dec is not None:
        return dec
    v = sp.sympify(value)
    return str(mpmath.nstr(mpmath.mpf(sp.N(v, digits + 10)), digits)) if v.is_real else str(sp.N(v, digits))


def _size_of(v: sp.Expr) -> str:
    """How long an exact value is, in words: digits of a fraction, characters of an expression."""
    if v.is_Integer:
        return f"an integer of {len(str(abs(int(v))))} digits"
    if v.is_Rational:
        return f"a fraction of {len(str(abs(int(v.p))))} and {len(str(int(v.q)))} digits"
    return f"an expression of {len(str(v))} characters"


@dataclass(frozen=True)
class Witness:
    """A point where a claimed zero is not zero, with the value there.

    ``point`` maps the symbols (or, for a point of the lifted variables, their names) to exact
    values; ``value`` is ``{"entry": (i, j), "value": v}`` for an entry of the residual, or the
    residual itself; ``exact`` says whether ``v`` is the exact value (else a floating-point one,
    ``certified`` when an interval enclosure excludes 0); ``decimal`` is a 10-digit decimal of an
    exact value (from a ball enclosure when the witness search made one); ``lifted`` lists, for a
    point of the lifted variables, each variable's name and what it stands for: the values are then
    values of independent variables of a field of rational functions, not of the functions they name.
    """

    point: dict
    value: Any
    numeric: Any = None
    exact: bool = True
    certified: bool = False
    decimal: str | None = None
    lifted: tuple[tuple[str, str], ...] = ()

    def _where(self) -> str:
        pt = ", ".join(f"{k} = {v}" for k, v in self.point.items())
        if not self.lifted:
            return pt
        names = ", ".join(n for n, _ in self.lifted)
        meanings = ", ".join(m for _, m in self.lifted)
        return (f"{pt}, an integer point of the lifted variables {names}, independent variables that stand for "
                f"{meanings} (not values of those functions)")

    def _value_text(self, brief: bool) -> str:
        """``exactly V ≈ D``, ``exactly V``, ``approximately D (numeric)``; abbreviated when ``brief``."""
        v = self.value["value"] if isinstance(self.value, dict) else self.value
        if not self.exact:
            kind = "certified by interval arithmetic" if self.certified else "numeric"
            try:
                shown = _decimal_of(v) if not isinstance(v, str) else v
            except (TypeError, ValueError):
                shown = str(v)
            return f"approximately {shown} ({kind})"
        try:
            e = sp.sympify(v)
        except (sp.SympifyError, TypeError):
            return f"exactly {v}"
        if not getattr(e, "is_number", False) or not e.is_real:
            return f"exactly {e}"
        text = str(e)
        if e.is_Rational and len(text) <= 16:
            return f"exactly {text}"
        dec = self.decimal if self.decimal is not None else _decimal_of(e)
        if brief and len(text) > LONG_VALUE_CHARS:
            return f"exactly {_size_of(e)} ≈ {dec} (the exact value in full: Witness.value, or --json)"
        return f"exactly {text} ≈ {dec}"

    def _text(self, brief: bool) -> str:
        if isinstance(self.value, dict):
            i, j = self.value["entry"]
            return f"at {self._where()}: entry ({i}, {j}) is {self._value_text(brief)}"
        if isinstance(self.value, (tuple, list)) or isinstance(self.value, sp.MatrixBase):
            return f"at {self._where()}: the residual is exactly {tuple(self.value)}" if self.exact else \
                f"at {self._where()}: the residual is approximately {tuple(self.value)} (numeric)"
        if isinstance(self.value, str) and not self.exact:
            return f"at {self._where()}: the residual has size about {self.value} (numeric)"
        return f"at {self._where()}: the residual is {self._value_text(brief)}"

    def __str__(self) -> str:
        """The witness in full: every exact value written out, a 10-digit decimal beside long ones."""
        return self._text(brief=False)

    def brief(self) -> str:
        """As ``str``, but an exact value longer than :data:`LONG_VALUE_CHARS` characters is given by its
        size and its 10-digit decimal (for a terminal line)."""
        return self._text(brief=True)

    def __repr__(self) -> str:
        return f"<Witness {self.brief()}>"

    def _latex(self, printer: Any = None) -> str:
        """LaTeX mathematics (SymPy's printer hook): the sentence of :func:`symgrad.render.witness`, a value
        longer than :data:`LONG_VALUE_CHARS` given by its size and decimal."""
        from .render.plaintext import message_math, witness as witness_tex
        long = isinstance(self.value, dict) and self.exact and len(str(self.value["value"])) > LONG_VALUE_CHARS
        return message_math(self.brief()) if long else _math_of_tex(witness_tex(self))

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


def _math_of_tex(paragraph: str) -> str:
    """LaTeX paragraph text with ``$...$`` mathematics as LaTeX mathematics (prose in ``\\text{...}``)."""
    import re

    out = []
    for k, part in enumerate(re.split(r"(?<!\\)\$", paragraph)):
        if part:
            out.append(part if k % 2 else r"\text{" + part + "}")
    return "".join(out)


@dataclass(frozen=True)
class Certificate:
    """The outcome of :func:`decide`: a verdict and everything needed to check it."""

    claim: str
    verdict: Verdict
    method: str
    residual: sp.ImmutableMatrix | None = None
    witness: Witness | None = None
    error_bound: Fraction | None = None
    dps: int | None = None
    points: tuple = ()
    max_residual: Any = None
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    seed: int | None = None

    @property
    def holds(self) -> bool | None:
        return self.verdict.holds

    def summary(self) -> str:
        """One line saying what is known and how: ``claim: finding``."""
        return f"{self.claim}: {self.finding()}"

    def finding(self) -> str:
        """What is known and how, without the claim: ``proved exactly (method)``."""
        v = self.verdict
        if v is Verdict.PROVED:
            return f"proved exactly ({self.method})"
        if v is Verdict.PROVED_PROBABILISTIC:
            return f"proved with error probability at most {_fmt_prob(self.error_bound)} ({self.method})"
        if v is Verdict.NUMERIC:
            return (f"supported numerically, not proved: largest residual "
                    f"{mpmath.nstr(self.max_residual, 3)} at {len(self.points)} random points, {self.dps} digits")
        if v is Verdict.REFUTED:
            if self.witness is None:
                return "REFUTED: the residual is a non-zero rational function (no witness point was found)"
            return f"REFUTED, {self.witness.brief()}"
        if self.witness is not None and self.witness.exact:  # exact values at points that may be rank drops
            return (f"undecided: evidence against the claim, {self.witness.brief()}; not a refutation, since the "
                    f"point may be a rank-drop point ({'; '.join(self.notes) or self.method})")
        if self.witness is not None:  # a floating-point residual: evidence, not a refutation
            return (f"undecided: numeric evidence against the claim, {self.witness.brief()}; a floating-point "
                    "residual "
                    f"is not a refutation ({'; '.join(self.notes) or self.method})")
        return f"undecided ({'; '.join(self.notes) or self.method})"

    def __str__(self) -> str:
        return self.summary()

    def short_finding(self) -> str:
        """The finding in a few words: the verdict and its one key number or field."""
        v = self.verdict
        if v is Verdict.PROVED:
            field = self.method.split(" in ", 1)[1] if " in Q(" in self.method else self.method
            return f"proved exactly ({_clip(field)})"
        if v is Verdict.PROVED_PROBABILISTIC:
            return f"proved with error probability at most {_fmt_prob(self.error_bound)}"
        if v is Verdict.NUMERIC:
            return (f"supported numerically (residual {mpmath.nstr(self.max_residual, 3)} at {len(self.points)} "
                    f"points, {self.dps} digits), not proved")
        if v is Verdict.REFUTED:
            return "refuted" + (f", {_clip(self.witness.brief(), 60)}" if self.witness is not None else
                                " (non-zero rational function)")
        if self.witness is not None:
            return "undecided, evidence against the claim"
        return "undecided" + (f" ({_clip(self.notes[0], 60)})" if self.notes else "")

    def __repr__(self) -> str:
        return f"<Certificate {_clip(self.claim, 50)!r}: {self.short_finding()}>"

    def _latex(self, printer: Any = None) -> str:
        """LaTeX mathematics (SymPy's printer hook, so a tuple of results displays under
        ``init_printing``): the claim and the finding, a witness typeset as mathematics."""
        from .render.plaintext import message_math

        if self.verdict is Verdict.REFUTED and self.witness is not None:
            return message_math(f"{self.claim}: refuted,") + r"\ " + self.witness._latex()
        return message_math(self.summary())

    def _repr_latex_(self) -> str:
        return "$" + self._latex() + "$"


def _clip(text: str, n: int = 40) -> str:
    """``text`` cut to ``n`` characters, an ellipsis marking the cut."""
    return text if len(text) <= n else text[:n - 3].rstrip() + "..."


def _fmt_prob(b: Fraction | None) -> str:
    if b is None:
        return "?"
    if b == 0:
        return "0"
    e = math.floor(math.log10(float(b))) if b > 0 else 0
    return f"{float(b) / 10**e:.2f}e{e}"


# ---------------------------------------------------------------------------
# Claims and the decision procedure
# ---------------------------------------------------------------------------

@dataclass
class Claim:
    """An identity to decide: ``compute(ops, inputs)["residual"]`` must be the zero matrix.

    ``inputs`` are SymPy matrices in ``symbols``; ``compute`` may return other
    named matrices too, which :func:`decide` converts back to SymPy when the
    exact level ran (for display).  ``positive`` lists expressions that must be
    positive at numeric sample points (the domain).
    """

    statement: str
    inputs: dict[str, sp.MatrixBase]
    symbols: tuple[sp.Symbol, ...]
    compute: Callable[[Ops, dict[str, list]], dict[str, list]]
    positive: tuple[sp.Expr, ...] = ()
    extra_symbols: tuple[sp.Symbol, ...] = ()

    def __repr__(self) -> str:
        ins = ", ".join(f"{k} ({sp.Matrix(M).rows}x{sp.Matrix(M).cols})" for k, M in self.inputs.items())
        syms = ", ".join(map(str, tuple(self.symbols) + tuple(self.extra_symbols)))
        return f"<Claim {_clip(self.statement, 50)!r}: residual from {ins} in {syms or 'no symbols'}>"


@dataclass
class Decision:
    """A certificate plus the named outputs of the exact run (SymPy), when there was one."""

    certificate: Certificate
    outputs: dict[str, sp.ImmutableMatrix] = field(default_factory=dict)
    exact_outputs: dict[str, list] = field(default_factory=dict)
    lifting: Lifting | None = None

    def __repr__(self) -> str:
        outs = f"; outputs {', '.join(self.outputs)}" if self.outputs else ""
        return f"<Decision {_clip(self.certificate.claim, 50)!r}: {self.certificate.short_finding()}{outs}>"

    def _latex(self, printer: Any = None) -> str:
        return self.certificate._latex(printer)

    def _repr_latex_(self) -> str:
        return self.certificate._repr_latex_()


class _TracedPointOps(PointOps):
    """:class:`~symgrad.ops.PointOps` that also records each rank decision as ``(rank, full)``: a value
    computed at a point where every rank decision saw full rank is the generic formula's value there (the
    generic rank is at least the rank at any point, and at most full)."""

    def __init__(self) -> None:
        super().__init__()
        self.ranks: list[tuple[int, int]] = []

    def rank_profile(self, A):
        out = super().rank_profile(A)
        if A and A[0]:
            self.ranks.append((out[0], min(len(A), len(A[0]))))
        return out

    @property
    def all_full(self) -> bool:
        return all(r == k for r, k in self.ranks)


class _TracedIntervalOps(IntervalOps):
    """:class:`~symgrad.ops.IntervalOps` recording each rank decision as ``(rank, full)`` (see
    :class:`_TracedPointOps`)."""

    def __init__(self) -> None:
        super().__init__()
        self.ranks: list[tuple[int, int]] = []

    def rank_profile(self, A):
        out = super().rank_profile(A)
        if A and A[0]:
            self.ranks.append((out[0], min(len(A), len(A[0]))))
        return out

    @property
    def all_full(self) -> bool:
        return all(r == k for r, k in self.ranks)


def _in_domain(claim: Claim, point: dict) -> bool:
    for e in claim.positive:
        v = sp.sympify(e).xreplace({k: sp.Rational(x.numerator, x.denominator) if isinstance(x, Fraction) else x
                                    for k, x in point.items()})
        try:
            if not bool(sp.N(v, 30) > 0):
                return False
        except TypeError:
            return False
    return True


#: The largest error probability a probabilistic verdict may state and still be called proved.
PROOF_THRESHOLD = Fraction(1, 2**40)

#: Shares of a check's budget given to the exact and probabilistic levels (of what is left then);
#: the numeric level gets the rest.
_SHARES = {"exact": 0.6, "probabilistic": 0.6, "numeric": 1.0}


def decide(claim: Claim, *, budget: Budget | float | None = DEFAULT_BUDGET,
           levels: Sequence[str] = ("exact", "probabilistic", "numeric"),
           trials: int = 3, dps: int = 50, seed: int | None = None, keep: Sequence[str] = ()) -> Decision:
    """Decide ``claim`` exactly if possible, else probabilistically, else numerically.

    Parameters
    ==========
    budget : seconds (or a :class:`~symgrad._budget.Budget`) for the whole decision; the exact
        level may use 60 % of it, the probabilistic level 60 % of what is left, the numeric level
        the rest.  An enclosing budget (a command's ``--timeout``) is honoured and propagates.
    levels : which levels to try, in order
    trials : the least number of random points for the probabilistic and numeric levels (the
        probabilistic level adds points and widens the sample set until its error bound is at most
        :data:`PROOF_THRESHOLD`)
    dps : decimal digits for the numeric level
    seed : random seed (recorded in the certificate); the default 0 makes every run give the same
        points and witnesses (pass another seed to draw others)
    keep : names of outputs to convert to SymPy after an exact run

    Examples
    ========
    >>> t = sp.Symbol("t", real=True)
    >>> A = sp.Matrix([[sp.cos(t)**2 + sp.sin(t)**2 - 1]])
    >>> claim = Claim("cos^2 + sin^2 = 1", {"A": A}, (t,), lambda ops, inp: {"residual": inp["A"]})
    >>> decide(claim, seed=0).certificate.verdict      # zero in Q(tan(t/2)): cos^2 + sin^2 - 1 = 0
    <Verdict.PROVED: 'proved exactly'>
    """
    if not isinstance(claim, Claim):
        raise ArgumentError(f"decide needs a symgrad.Claim; got {claim!r}")
    whole = as_budget(budget)
    seed = 0 if seed is None else seed   # reproducible by default, as the command line is
    rng = random.Random(seed)
    notes: list[str] = []
    t0 = time.perf_counter()
    lifting: Lifting | None = None
    lifted: dict[str, list] | None = None
    all_syms = tuple(claim.symbols) + tuple(claim.extra_symbols)

    def spent(level: str, stage: Budget, exc: OutOfTime) -> None:
        if isinstance(exc, OutOfMemory):
            notes.append(f"{level} level stopped at {exc.spent()}")
        else:
            notes.append(f"{level} level exceeded its budget of {stage.seconds:.3g} s")

    if "exact" in levels or "probabilistic" in levels:
        try:
            with whole.limit():
                exprs = [e for M in claim.inputs.values() for e in M]
                lifting = Lifting.build(exprs, all_syms)
                lifted = {k: lifting.lift_matrix(sp.Matrix(M)) for k, M in claim.inputs.items()}
        except LiftError as exc:
            notes.append(f"no exact lift: {exc}")
        except OutOfTime as exc:
            if not whole.owns(exc):
                raise
            notes.append("the exact lift did not finish within the budget")
            lifting = lifted = None
    if "exact" in levels and lifted is not None and lifting is not None:
        stage = whole.sub(_SHARES["exact"])
        try:
            with stage.limit():
                ops = ExactOps(lifting)
                out = claim.compute(ops, lifted)
                res = _residual(claim, out)
                zero = linalg.is_zero_matrix(res)
                field_desc = ", ".join(f"{v.meaning}" for v in lifting.variables[:8])
                more = "" if len(lifting.variables) <= 8 else f", ... ({len(lifting.variables)} variables)"
                method = f"exact rational-function arithmetic in Q({field_desc}{more})"
                if not lifting.faithful:
                    method += ("; the kernels are not known to be independent: zeros follow from the field and "
                               "the relations of the roots, non-zeros are certified by ball arithmetic at a point")
                if not zero:
                    outputs = _convert(lifting, out, keep, stage, notes)
                    residual = lifting.matrix_to_sympy(res, factor=True)
                    witness = exact_witness(claim, lifting, res, rng, lifted)
            if zero:
                if not stage.enforced:
                    notes.append("exact level ran without a time limit (not on the main thread)")
                seconds = time.perf_counter() - t0
                # the verdict is reached; the SymPy formulas asked for are built with what is left of the
                # whole budget, and a formula that does not finish is left out (the verdict stands)
                outputs = _convert(lifting, out, keep, whole, notes)
                cert = Certificate(claim.statement, Verdict.PROVED, method,
                                   residual=sp.ImmutableMatrix(sp.zeros(len(res), len(res[0]) if res else 0)),
                                   seconds=seconds, notes=tuple(notes), seed=seed)
                return Decision(cert, outputs, out, lifting)
            if lifting.faithful or (witness is not None and witness.exact):
                cert = Certificate(claim.statement, Verdict.REFUTED, method, residual=residual, witness=witness,
                                   seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
                return Decision(cert, outputs, out, lifting)
            # kernels of unknown independence: the residual is non-zero near the field's base point, which
            # may lie outside the claim's domain; without an exact witness inside it, nothing is refuted
            notes.append("exact level: the residual is not zero near the base point "
                         f"{lifting.zero_test.point if lifting.zero_test else ''} of the field, and no exact witness "
                         "was found inside the claim's domain: not refuted")
        except OutOfTime as exc:
            if not (stage.owns(exc) or whole.owns(exc)):
                raise
            spent("exact", stage, exc)
        except LiftError as exc:   # an undecided zero test in a field of kernels of unknown independence
            notes.append(f"exact level undecided: {exc}")
    against: Certificate | None = None  # evidence against the claim from the probabilistic level
    if lifting is not None and not lifting.faithful and "probabilistic" in levels:
        # random values of the lifted variables ignore the relations between kernels: no conclusion
        notes.append("probabilistic level skipped: the lifted kernels are not known to be independent")
    elif "probabilistic" in levels and lifted is not None and lifting is not None:
        stage = whole.sub(_SHARES["probabilistic"])
        try:
            with stage.limit():
                pcert = _probabilistic(claim, lifting, lifted, rng, trials, notes, t0, seed)
            if pcert is not None and pcert.verdict is not Verdict.UNDECIDED:
                return Decision(pcert)
            if pcert is not None:
                against = pcert
        except OutOfTime as exc:
            if not (stage.owns(exc) or whole.owns(exc)):
                raise
            spent("probabilistic", stage, exc)
    if "numeric" in levels:
        stage = whole.sub(_SHARES["numeric"])
        try:
            with stage.limit():
                ncert = _numeric(claim, rng, trials, dps, notes, t0, seed)
            if against is not None and ncert.verdict is not Verdict.REFUTED:
                # exact non-zero values at some points outweigh floating-point agreement at others
                return Decision(Certificate(claim.statement, Verdict.UNDECIDED, against.method,
                                            witness=against.witness, seconds=time.perf_counter() - t0,
                                            notes=tuple(notes) + (f"numeric level: {ncert.finding()}",), seed=seed))
            return Decision(ncert)
        except OutOfTime as exc:
            if not (stage.owns(exc) or whole.owns(exc)):
                raise
            spent("numeric", stage, exc)
    if against is not None:
        return Decision(against)
    return Decision(Certificate(claim.statement, Verdict.UNDECIDED, "no level finished", notes=tuple(notes),
                                seconds=time.perf_counter() - t0, seed=seed))


def _convert(lifting: Lifting, out: dict, keep: Sequence[str], budget: Budget, notes: list[str]) -> dict:
    """The exact outputs named in ``keep`` as SymPy matrices (factored), as many as ``budget`` allows;
    those that do not finish are left out, with a note."""
    outputs: dict = {}
    todo = [k for k in keep if k in out]
    try:
        with budget.limit():
            for k in todo:
                outputs[k] = lifting.matrix_to_sympy(out[k], factor=True)
    except OutOfTime as exc:
        if not budget.owns(exc):
            raise
        missing = [k for k in todo if k not in outputs]
        notes.append(f"the formulas for {', '.join(missing)} were not written out within the budget "
                     "(the verdict does not depend on them)")
    return outputs


def _value_at(claim: Claim, F: PointField, lifted: dict, i: int, j: int) -> Any:
    """The residual entry ``(i, j)`` of the claim computed at the point itself (its ranks decided there,
    exactly), in the point's constant field; ``None`` where the computation fails (a pole, a rank error)."""
    try:
        inputs = {k: [[F.value(x) for x in row] for row in M] for k, M in lifted.items()}
        ops = ValueOps(F.value(F.lifting.zero), F.value(F.lifting.one))
        return _residual(claim, claim.compute(ops, inputs))[i][j]
    except (LiftError, ZeroDivisionError, RankError, ShapeError):
        return None


def _fails_at(claim: Claim, F: PointField, lifted: dict, i: int, j: int) -> bool:
    """Whether the claim, computed at the point itself (its ranks decided there, exactly), has a non-zero
    residual entry ``(i, j)``: a generic formula evaluated at a point where a rank drops is not the
    claim's value there."""
    at = _value_at(claim, F, lifted, i, j)
    return at is not None and not at.is_zero()


#: Small exact values tried first for a witness, simplest first (a reader can check a witness at
#: ``u = 0, v = 1`` by hand; one at ``u = 885441`` or ``u = 27/14`` not).
SIMPLE_VALUES = tuple(Fraction(v) for v in ("0", "1", "-1", "1/2", "-1/2", "2", "-2", "1/4", "1/3", "3", "-1/4",
                                             "-1/3", "-3", "3/2", "-3/2", "1/5", "1/10", "-1/5", "-1/10"))


def _simple_values(s: sp.Symbol, size: int) -> list[Fraction]:
    """The first ``size`` values of :data:`SIMPLE_VALUES` that respect the declared sign of ``s``."""
    vals = [v for v in SIMPLE_VALUES if _respects_signs({s: v})]
    return vals[:size]


#: Up to this many symbols :func:`simple_points` gives the points strictly in order of simplicity.
_FEW_SYMBOLS = 6


def nonzero_points(symbols: Sequence[sp.Symbol], *, size: int = 4) -> Iterator[dict]:
    """Points whose coordinates are all non-zero small integers (``±1, ±2, 3, ...``: the first ``size``
    integers of :data:`SIMPLE_VALUES` other than 0 within each symbol's sign), drawn from a fixed seed.
    After the simplest points, whose zeros often make a special point, these are still cheap to compute
    at (the exponential values are powers of ``e``: no ``exp(1/D)`` of a high degree) and generic in the
    coordinates that matter.
    The caller stops the sequence.

    >>> a, b = sp.symbols("a b", real=True)
    >>> all(0 not in p.values() for p, _ in zip(nonzero_points([a, b]), range(20)))
    True
    """
    syms = list(symbols)
    # integers first: exp of an integer combination is a power of e, so the values stay of low degree
    pools = [[v for v in _simple_values(s, len(SIMPLE_VALUES)) if v != 0 and v.denominator == 1][:size]
             or [v for v in _simple_values(s, size) if v != 0] for s in syms]
    if any(not p for p in pools):
        return
    rng = random.Random(7 * len(syms) + 1)
    seen: set[tuple] = set()
    misses = 0
    while misses < 100:
        cand = tuple(p[rng.randrange(len(p))] for p in pools)
        if cand in seen:
            misses += 1
            continue
        seen.add(cand)
        yield dict(zip(syms, cand))


def simple_points(symbols: Sequence[sp.Symbol], *, nonzero: Sequence[sp.Symbol] = ()) -> Iterator[dict]:
    """Points with small exact coordinates, the simplest first: each coordinate runs through
    :data:`SIMPLE_VALUES` (``0, ±1, ±1/2, ±2, 1/4, ...`` within the symbol's declared sign), and the
    points come in the order of the sum of the coordinates' positions in that list (all points of sum 0,
    then 1, ...), so ``(0, 1)`` comes before ``(1/2, 0)`` and ``(1/4, 0, 0)`` long before ``(2, 3, -3)``.
    With more than :data:`_FEW_SYMBOLS` symbols, points whose coordinates are drawn (from a fixed seed)
    among the first few values alternate with these, since points of small sum are then mostly zeros.
    Points where every symbol of ``nonzero`` is 0 (a zero loss differential) are skipped.  The caller
    stops the sequence.

    >>> a, b = sp.symbols("a b", positive=True)
    >>> [tuple(map(str, p.values())) for p in simple_points([a, b])][:4]
    [('1', '1'), ('1', '1/2'), ('1/2', '1'), ('1', '2')]
    """
    syms = list(symbols)
    pools = [_simple_values(s, len(SIMPLE_VALUES)) for s in syms]
    if any(not p for p in pools):
        return
    skip = [k for k, s in enumerate(syms) if s in set(nonzero)]

    def with_sum(k: int, t: int) -> Iterator[tuple[int, ...]]:
        if k == len(pools):
            if t == 0:
                yield ()
            return
        rest = sum(len(p) - 1 for p in pools[k + 1:])
        for i in range(max(0, t - rest), min(t, len(pools[k]) - 1) + 1):
            for tail in with_sum(k + 1, t - i):
                yield (i,) + tail

    def ordered() -> Iterator[list]:
        for t in range(sum(len(p) - 1 for p in pools) + 1):
            for idx in with_sum(0, t):
                yield [p[i] for p, i in zip(pools, idx)]

    def mixed() -> Iterator[list]:
        # with many symbols the points of small sum are mostly zeros, where ranks drop: points whose
        # coordinates are each drawn from the first 3, 5, 8, ... values come in between
        rng = random.Random(len(syms))
        for size in itertools.cycle((3, 5, 8, 13)):
            yield [p[rng.randrange(min(size, len(p)))] for p in pools]

    sources = [ordered()] if len(syms) <= _FEW_SYMBOLS else [ordered(), mixed()]
    seen: set[tuple] = set()
    for cand in itertools.chain.from_iterable(zip(*sources)) if len(sources) > 1 else sources[0]:
        key = tuple(cand)
        if key in seen or (skip and all(cand[k] == 0 for k in skip)):
            continue
        seen.add(key)
        yield dict(zip(syms, cand))


def _exact_point_witness(value: Any, F: PointField, point: dict, entry: tuple[int, int]) -> Witness:
    """A witness of the non-zero exact value ``value`` (an element of ``F``'s constant field) at ``point``,
    its decimal from a ball enclosure of the SymPy value (:func:`certified_decimal`)."""
    v = F.to_sympy(value)
    dec = certified_decimal(v)
    return Witness({s: sp.Rational(x.numerator, x.denominator) for s, x in point.items()},
                   {"entry": entry, "value": v}, numeric=sp.N(v, 15), exact=True, decimal=dec,
                   certified=dec is not None)


#: How many small exact points :func:`exact_witness` tries before random grid points, and the share of
#: the time left to the enclosing budget it may spend on them.
_SIMPLE_TRIES = 40
_SIMPLE_SHARE = 0.5


def _simple_witness(claim: Claim, lifting: Lifting, res: list, rng: random.Random, lifted: dict,
                    i: int, j: int) -> Witness | None:
    """The small-point stage of :func:`exact_witness`, within :data:`_SIMPLE_SHARE` of the time left."""
    extra = tuple(getattr(claim, "extra_symbols", ()))
    search = Budget(None).sub(_SIMPLE_SHARE)
    try:
        with search.limit():
            tried = 0
            for k, pt in enumerate(simple_points(lifting.symbols, nonzero=extra)):
                if tried >= _SIMPLE_TRIES or k >= 10 * _SIMPLE_TRIES:
                    break
                if not _in_domain(claim, pt):
                    continue
                tried += 1
                try:
                    F = PointField(lifting, {s: sp.Rational(v.numerator, v.denominator) for s, v in pt.items()})
                    val = F.value(res[i][j])
                except (LiftError, ZeroDivisionError):
                    continue
                if val.is_zero():
                    continue
                at = _value_at(claim, F, lifted, i, j)
                if at is not None and (at - val).is_zero():
                    return _exact_point_witness(val, F, pt, (i + 1, j + 1))
    except OutOfTime as exc:
        if not search.owns(exc):
            raise
    return None


def exact_witness(claim: Claim, lifting: Lifting, res: list, rng: random.Random,
                  lifted: dict | None = None) -> Witness | None:
    """For an exact non-zero residual ``res`` (lifted), a rational point of the original symbols, inside the
    claim's domain and the symbols' declared signs, where the residual is non-zero.

    With ``lifted`` (the claim's lifted inputs) small exact points come first
    (:func:`simple_points`): at each the claim is recomputed at the point itself and the point kept only
    if that value is the generic residual's value there and non-zero (so a simple point where a rank
    drops is never a witness, and the stated value is the claim's own value at the point).  Then
    random grid points, kept when the claim fails there too.  The value is exact (in the field of the
    kernels at the point: powers of ``exp(1/D)``, rational functions of ``tan(1/(2D'))``, decided exactly
    by Lindemann-Weierstrass) and its decimal comes from a ball enclosure that excludes 0.
    """
    nonzero = [(i, j) for i, row in enumerate(res) for j, x in enumerate(row) if not x.is_zero()]
    i, j = nonzero[0]
    if lifted is not None:
        found = _simple_witness(claim, lifting, res, rng, lifted, i, j)
        if found is not None:
            return found
    for _ in range(60):
        pt = sample_point(lifting.symbols, rng, kind="grid")
        if not _in_domain(claim, pt) or not _respects_signs(pt):
            continue
        try:
            F = PointField(lifting, {s: sp.Rational(v.numerator, v.denominator) for s, v in pt.items()})
            val = F.value(res[i][j])
        except (LiftError, ZeroDivisionError):
            continue
        if not val.is_zero() and (lifted is None or _fails_at(claim, F, lifted, i, j)):
            return _exact_point_witness(val, F, pt, (i + 1, j + 1))
    # no exact point (roots that are not perfect powers there, say): the residual's value at 30 digits
    expr = lifting.to_sympy(res[i][j])
    for _ in range(20):
        fpt = sample_point(lifting.symbols, rng, kind="decimal")
        if not _in_domain(claim, fpt) or not _respects_signs(fpt):
            continue
        pt = {s: sp.Rational(q.numerator, q.denominator) for s, q in fpt.items()}
        try:
            val = sp.N(expr.xreplace(pt), 30)
        except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover
            continue
        if val.is_real and val.is_finite and abs(val) > sp.Float(10) ** -20:
            return Witness(pt, {"entry": (i + 1, j + 1), "value": val}, numeric=val, exact=False)
    return None


def _respects_signs(pt: dict) -> bool:
    """Whether every value has the sign its symbol is declared to have."""
    for sym, v in pt.items():
        if (sym.is_positive and not v > 0) or (sym.is_negative and not v < 0) \
                or (sym.is_nonnegative and not v >= 0) or (sym.is_nonpositive and not v <= 0):
            return False
    return True


def lifted_witness(lifting: Lifting, point: Sequence[int], entry: tuple[int, int], value: Any,
                   **kw: Any) -> Witness:
    """A witness at an integer point of the lifted variables: the point by the variables' names, and
    what each variable stands for (the values are not values of those functions)."""
    v = sp.Rational(value.numerator, value.denominator) if isinstance(value, Fraction) else sp.sympify(value)
    return Witness({var.name: sp.Integer(x) for var, x in zip(lifting.variables, point)},
                   {"entry": entry, "value": v}, exact=True,
                   lifted=tuple((var.name, str(var.meaning)) for var in lifting.variables), **kw)


class _TracedValueOps(ValueOps):
    """:class:`~symgrad.ops.ValueOps` recording each rank decision as ``(rank, full)`` (see
    :class:`_TracedPointOps`)."""

    def __init__(self, zero: Any, one: Any) -> None:
        super().__init__(zero, one)
        self.ranks: list[tuple[int, int]] = []

    def rank_profile(self, A):
        out = super().rank_profile(A)
        if A and A[0]:
            self.ranks.append((out[0], min(len(A), len(A[0]))))
        return out

    @property
    def all_full(self) -> bool:
        return all(r == k for r, k in self.ranks)


def _parameter_space_witness(claim: Claim, lifting: Lifting, lifted: dict, rng: random.Random,
                             share: float = 0.3, tries: int = _SIMPLE_TRIES) -> Witness | None:
    """A witness at a small exact point of the parameters (:func:`simple_points`, inside the claim's
    domain) where the claim, computed exactly at the point, has every rank decision at full rank and a
    non-zero residual: the value is then the generic formula's value there, so it refutes the identity
    as a witness at a random point of the lifted variables would, and a reader can check it.  Within
    ``share`` of the time left; ``None`` when none is found."""
    extra = tuple(getattr(claim, "extra_symbols", ()))
    search = Budget(None).sub(share)
    try:
        with search.limit():
            tried = 0
            for k, pt in enumerate(simple_points(lifting.symbols, nonzero=extra)):
                if tried >= tries or k >= 10 * tries:
                    break
                if not _in_domain(claim, pt):
                    continue
                tried += 1
                try:
                    F = PointField(lifting, {s: sp.Rational(v.numerator, v.denominator) for s, v in pt.items()})
                    inputs = {key: [[F.value(x) for x in row] for row in M] for key, M in lifted.items()}
                    ops = _TracedValueOps(F.value(lifting.zero), F.value(lifting.one))
                    res = _residual(claim, claim.compute(ops, inputs))
                except (LiftError, ZeroDivisionError, RankError, ShapeError):
                    continue
                if not ops.all_full:
                    continue
                hit = next(((i, j) for i, row in enumerate(res) for j, x in enumerate(row) if not x.is_zero()), None)
                if hit is not None:
                    return _exact_point_witness(res[hit[0]][hit[1]], F, pt, (hit[0] + 1, hit[1] + 1))
    except OutOfTime as exc:
        if not search.owns(exc):
            raise
    return None


#: At most this many random points for the probabilistic level, and sample sets of at most 2^this.
_MAX_POINTS = 12
_FIRST_LOG2_SAMPLE = 40
_MAX_LOG2_SAMPLE = 4096


def _probabilistic(claim: Claim, lifting: Lifting, lifted: dict, rng: random.Random, trials: int,
                   notes: list, t0: float, seed: int) -> Certificate | None:
    """The probabilistic level: exact arithmetic at random integer points of the lifted variables.

    A non-zero residual entry, a rational function of degree at most ``deg``, vanishes at a point drawn
    uniformly from ``S^n`` with probability at most ``deg / |S|`` (Schwartz-Zippel); a point where a
    pseudo-inverse sees a lower rank than the generic one (a *bad* point) has probability at most
    ``bad / |S|``; both conditioned on the point not being a pole of the inputs.  The sample set
    starts at ``2^40`` and, once the degrees are known from a first point, is widened so that each
    further point contributes at most ``2^-40``; points are added until the product of the bounds is at
    most :data:`PROOF_THRESHOLD` (and at least ``trials`` points were taken).  When that is not
    reached, the level concludes nothing (``None``, with a note).
    """
    nvars = len(lifting.variables)
    log2S = _FIRST_LOG2_SAMPLE
    used: list[int] = []
    bound = Fraction(1)
    pts: list[tuple] = []
    evidence: list[Witness] = []
    attempts = 0
    while len(pts) < _MAX_POINTS and attempts < 3 * _MAX_POINTS:
        if len(pts) >= trials and bound <= PROOF_THRESHOLD:
            break
        attempts += 1
        S = 2**log2S
        for _attempt in range(20):
            point = [rng.randrange(-S // 2, S // 2) for _ in range(nvars)]
            try:
                inputs = {}
                for k, M in lifted.items():
                    inputs[k] = [[DegreeTracked(x.evaluate(point), *x.degrees()) for x in row] for row in M]
                break
            except ZeroDivisionError:
                continue
        else:
            notes.append("probabilistic level: every sampled point hit a pole")
            return None
        ops = _TracedPointOps()
        try:
            out = claim.compute(ops, inputs)
        except (ZeroDivisionError, RankError):
            continue
        res = _residual(claim, out)
        vals = [x.value for row in res for x in row]
        if any(v != 0 for v in vals):
            k = next(n for n, x in enumerate(vals) if x != 0)
            cols = len(res[0])
            witness = lifted_witness(lifting, point, (k // cols + 1, k % cols + 1), vals[k],
                                     certified=ops.all_full)
            if ops.all_full:
                # every rank decision saw full rank, so the point is not a rank-drop point: the value is the
                # generic formula's, and a non-zero value refutes the identity; a witness a reader can check
                # (small exact parameters) is preferred to this point of the lifted variables
                simple = _parameter_space_witness(claim, lifting, lifted, rng)
                if simple is not None:
                    return Certificate(claim.statement, Verdict.REFUTED,
                                       "exact arithmetic at a small rational point where every rank decision had "
                                       "full rank (so the value is the generic formula's there); a random point "
                                       "of the lifted variables gave a non-zero residual too",
                                       witness=simple, seconds=time.perf_counter() - t0, notes=tuple(notes),
                                       seed=seed)
                return Certificate(claim.statement, Verdict.REFUTED,
                                   "exact rational arithmetic at a random point of the lifted variables where "
                                   "every rank decision had full rank (so the point is generic): the residual is a "
                                   "non-zero rational function of the lifted variables, which are algebraically "
                                   "independent, so it is not the zero function",
                                   witness=witness, seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
            # a rank below full may be a rank drop of this point only: evidence, not a refutation
            evidence.append(witness)
            if len(evidence) >= 3:
                break
            continue
        pts.append(tuple(point))
        used.append(log2S)
        deg = max((x.num_deg for row in res for x in row), default=0)
        dens = sum(x.den_deg for M in inputs.values() for row in M for x in row)
        p = Fraction(deg + ops.bad, max(S - dens, 1))
        bound *= min(p, Fraction(1))
        # the next sample set: large enough that one more point alone contributes at most 2^-40
        log2S = min(max(log2S, (deg + ops.bad + dens).bit_length() + 41), _MAX_LOG2_SAMPLE)
    if evidence:
        ranks = "a rank decision there was below full rank"
        notes.append(f"probabilistic level: the residual is non-zero at {len(evidence)} random point(s), but at each "
                     f"{ranks}, so the point may be a rank-drop point where the generic formula does not apply: "
                     "evidence against the claim, not a refutation")
        if not pts or len(evidence) >= len(pts):
            return Certificate(claim.statement, Verdict.UNDECIDED,
                               "exact rational arithmetic at random points: evidence against the claim",
                               witness=evidence[0], seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
    if not pts:
        return None
    if bound > PROOF_THRESHOLD:
        notes.append(f"probabilistic level: the error bound {_fmt_prob(bound)} after {len(pts)} points is above "
                     f"2^-40, so nothing is concluded from it")
        return None
    sizes = f"2^{used[0]}" if min(used) == max(used) else f"2^{min(used)} to 2^{max(used)}"
    return Certificate(claim.statement, Verdict.PROVED_PROBABILISTIC,
                       f"exact rational arithmetic at {len(pts)} independent random integer points of the lifted "
                       f"variables (sample sets of size {sizes}; Schwartz-Zippel with tracked degrees)",
                       error_bound=bound, points=tuple(pts), seconds=time.perf_counter() - t0,
                       notes=tuple(notes), seed=seed)


def _residual(claim: Claim, out: Any) -> list:
    """The ``"residual"`` a claim's computation returned; :class:`ArgumentError` if it returned none."""
    if not isinstance(out, dict) or "residual" not in out:
        raise ArgumentError(f"the computation of the claim {claim.statement!r} must return a dict with the key "
                            f"'residual' (the matrix that must vanish); it returned {type(out).__name__}")
    return out["residual"]


def _interval_witness(claim: Claim, pt: dict, dps: int) -> Witness | None:
    """A witness certified by interval arithmetic at the rational point ``pt``, or ``None``.

    The inputs are enclosed exactly (:func:`symgrad.numeric.interval_enclosure`), the claim is
    computed with :class:`IntervalOps`, and the witness is kept only when no rank decision was
    uncertain and some residual entry's enclosure excludes zero.
    """
    point = {s: sp.Rational(v.numerator, v.denominator) for s, v in pt.items()}
    try:
        inputs = {k: [[Interval(interval_enclosure(x, point, dps + 10)) for x in row] for row in sp.Matrix(M).tolist()]
                  for k, M in claim.inputs.items()}
        ops = _TracedIntervalOps()
        res = claim.compute(ops, inputs)["residual"]
    except Exception:  # no interval rule, a domain error inside an interval, a pivot straddling 0: not certified
        return None
    if ops.uncertain or not ops.all_full:
        return None  # a rank below full may be this point's rank drop, not the generic rank
    for i, row in enumerate(res):
        for j, x in enumerate(row):
            if x.excludes_zero():
                return Witness(point, {"entry": (i + 1, j + 1), "value": sp.Float(mpmath.mpf(x.x.mid), 15)},
                               numeric=mpmath.nstr(x.x.mid, 10), exact=False, certified=True)
    return None


def _numeric(claim: Claim, rng: random.Random, trials: int, dps: int, notes: list, t0: float,
             seed: int) -> Certificate:
    """The numeric level: the residual at ``trials`` random points, with mpmath at ``dps`` digits.

    A residual counts as zero below ``10^-(dps/2)`` (relative to the size of the inputs), far above
    the rounding noise of a computation at ``dps + 10`` digits and far below any honest non-zero
    value.  The claim is supported when every point gives zero.  When every point gives a non-zero
    value it is refuted only if interval arithmetic certifies one of them (:func:`_interval_witness`);
    otherwise a floating-point residual is evidence against the claim, never a refutation, and the
    verdict is undecided.  It is undecided too when the points disagree (a sample point where the formula degenerates, a rank drop say, or a claim that
    holds on part of the domain only).  Points outside the domain or where a value is complex or
    infinite are skipped.
    """
    syms = tuple(claim.symbols) + tuple(claim.extra_symbols)
    worst = mpmath.mpf(0)
    pts, nonzero = [], []
    threshold = mpmath.mpf(10) ** (-(dps // 2))
    skipped = 0
    with mpmath.workdps(dps + 10):
        fns = {k: sp.lambdify(syms, sp.Matrix(M), modules="mpmath") for k, M in claim.inputs.items()}
        for _ in range(trials):
            for _attempt in range(50):
                pt = sample_point(syms, rng, kind="decimal")
                if _in_domain(claim, pt):
                    break
            else:
                skipped += 1
                continue
            args = [mpmath.mpf(v.numerator) / v.denominator for v in pt.values()]
            try:
                inputs = {k: [[mpmath.mpf(x) for x in row] for row in f(*args).tolist()] for k, f in fns.items()}
                if any(not mpmath.isfinite(x) for M in inputs.values() for row in M for x in row):
                    raise ValueError("infinite value")
                out = claim.compute(NumericOps(dps), inputs)
            except (ZeroDivisionError, RankError, TypeError, ValueError):
                skipped += 1  # a pole, a complex value (outside the real domain) or a degenerate point
                continue
            res = _residual(claim, out)
            scale = max([mpmath.mpf(1)] + [abs(x) for M in inputs.values() for row in M for x in row])
            r = max((abs(x) for row in res for x in row), default=mpmath.mpf(0)) / scale
            pts.append({str(k): str(v) for k, v in pt.items()})
            if r > threshold:
                nonzero.append((pt, r))
            worst = max(worst, r)
    if skipped:
        notes.append(f"numeric level: {skipped} sample point(s) skipped (outside the domain, a pole, a complex "
                     "value or a degenerate point)")
    if not pts:
        return Certificate(claim.statement, Verdict.UNDECIDED, "no numeric sample point was usable",
                           notes=tuple(notes), seconds=time.perf_counter() - t0, seed=seed)
    if nonzero and len(nonzero) == len(pts):
        for pt, r in nonzero[:3]:
            certified = _interval_witness(claim, pt, dps)
            if certified is not None:
                return Certificate(claim.statement, Verdict.REFUTED,
                                   f"interval arithmetic at {dps} digits at a random rational point (every rank "
                                   "decision and the residual's enclosure exclude zero)", witness=certified,
                                   dps=dps, points=tuple(pts), max_residual=worst,
                                   seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
        pt, r = nonzero[0]
        notes.append(f"the residual is non-zero at all {len(pts)} random points at {dps} digits (largest "
                     f"{mpmath.nstr(worst, 3)}), but no interval enclosure excluded zero: evidence against the "
                     "claim, not a refutation")
        return Certificate(claim.statement, Verdict.UNDECIDED,
                           f"mpmath at {dps} digits: numeric evidence against the claim",
                           witness=Witness({str(k): v for k, v in pt.items()}, mpmath.nstr(r, 10), exact=False),
                           dps=dps, points=tuple(pts), max_residual=worst,
                           seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
    if nonzero:
        notes.append(f"the residual was zero at {len(pts) - len(nonzero)} and non-zero at {len(nonzero)} of "
                     f"{len(pts)} random points (largest {mpmath.nstr(worst, 3)})")
        return Certificate(claim.statement, Verdict.UNDECIDED, f"mpmath at {dps} digits: the sample points disagree",
                           dps=dps, points=tuple(pts), max_residual=worst,
                           seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
    return Certificate(claim.statement, Verdict.NUMERIC, f"mpmath at {dps} digits at {len(pts)} random points",
                       dps=dps, points=tuple(pts), max_residual=worst,
                       seconds=time.perf_counter() - t0, notes=tuple(notes), seed=seed)
