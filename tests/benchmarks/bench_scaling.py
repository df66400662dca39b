#!/usr/bin/env python
r"""Scaling benchmark (issue 12): eq. (6) on growing families, one process per size.

For every family and size a fresh interpreter runs ``check_invariance``
(``J(f(eta)) Delta grad = 0``, paper eq. 6, every loss at once) and reports

* ``import``: seconds to import symgrad;
* ``build``: seconds to build the model and the reparametrisation;
* ``G``: seconds for ``M.G`` (the Gram/Fisher matrix ``J^T g J`` as SymPy);
* ``check``: seconds of ``check_invariance`` alone (import excluded);
* ``process``: whole-process wall time, import included (measured by the parent);
* ``peak MB``: the peak resident memory of that process (``wait4`` rusage);
* the verdict level: ``exact``, ``probabilistic`` (with its error bound),
  ``numeric`` (evidence only), ``undecided``, ``refuted``, or ``timeout`` /
  ``memory`` when the process had to be stopped (then the last stage it reached);
* ``agree``: an independent 50-digit mpmath computation at a random rational
  point (``J``, ``g``, ``Df`` by SymPy differentiation and ``lambdify``, an SVD
  pseudo-inverse from ``mpmath.svd_r``, the residual ``J Delta``) compared with
  the verdict, and with symgrad's ``G`` and gradient formulas at that point when
  they were produced.

and, for the smallest sizes only, the straightforward SymPy route in its own
process (``Matrix.pinv()`` of both Gram matrices, ``J Delta``, ``simplify``).
At the end it fits the log-log slope of the check time against the size and
against the number of parameters, per family.

Usage (from the repository root)::

    .venv/bin/python tests/benchmarks/bench_scaling.py              # every size, 60 s per size
    .venv/bin/python tests/benchmarks/bench_scaling.py --quick      # the small sizes
    .venv/bin/python tests/benchmarks/bench_scaling.py --only linear --timeout 120
    .venv/bin/python tests/benchmarks/bench_scaling.py --markdown   # the README table at the end
    .venv/bin/python tests/benchmarks/bench_scaling.py --json out.json

Measured before and after the issue-12 work (structured pseudo-inverses, the projector route of
eq. 6, witnesses at points, common-denominator products, Cramer degree bounds): see
``tests/benchmarks/README.md`` for the table and the commands.  In CPU seconds of the check,
before -> after: softmax n = 32 undecided (5.1) -> exact 3.8; Gaussian k = 64 undecided (4.9) ->
exact 0.27; two-layer linear width 8 undecided (3.9) -> exact 0.07; three-layer width 3 numeric ->
exact 0.08; tanh (through exp) 8 hidden numeric -> exact 1.3; RBM 2x2 timeout -> exact 0.51.

The families (and their module-level builders, used by
``tests/test_scaling_agreement.py``) are plain SymPy; only :func:`symgrad_objects`
touches symgrad's API.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
# the checkout to benchmark: this file's own, or SYMGRAD_TREE (a snapshot, say ``git archive HEAD``)
TREE = Path(os.environ.get("SYMGRAD_TREE") or ROOT).resolve()
if str(TREE) not in sys.path:
    sys.path.insert(0, str(TREE))

import sympy as sp  # noqa: E402

# ---------------------------------------------------------------------------
# The families, in plain SymPy
# ---------------------------------------------------------------------------


@dataclass
class Problem:
    """One instance: ``phi(xi)`` in ambient coordinates ``z`` with metric ``g(z)``, and ``xi = f(eta)``."""

    family: str
    size: str
    phi: list
    xi: list
    z: list
    metric: str          # "euclidean", "simplex", "gaussian"
    f: list
    eta: list
    n: float             # the size as a number (for the slope)
    notes: str = ""
    constants: list = field(default_factory=list)

    @property
    def n_params(self) -> int:
        return len(self.xi)

    def g(self) -> sp.Matrix:
        """The ambient metric ``g(z)`` as a SymPy matrix (independent of symgrad's metric classes)."""
        if self.metric == "simplex":
            return sp.diag(*[1 / p for p in self.z])
        if self.metric == "gaussian":
            s = self.z[1]
            return sp.diag(1 / s**2, 2 / s**2)
        return sp.eye(len(self.z))


def softmax(n: int) -> Problem:
    """Softmax ``p_i = exp(th_i) / sum exp(th_j)`` with the simplex Fisher metric; a shear ``th_i = eta_i + eta_{i-1}``."""
    th = list(sp.symbols(f"th1:{n + 1}", real=True))
    et = list(sp.symbols(f"eta1:{n + 1}", real=True))
    p = list(sp.symbols(f"p1:{n + 1}", positive=True))
    E = [sp.exp(x) for x in th]
    S = sum(E)
    f = [et[0]] + [et[i] + et[i - 1] for i in range(1, n)]
    return Problem("softmax", f"n={n}", [e / S for e in E], th, p, "simplex", f, et, n)


def gaussian(k: int) -> Problem:
    """Normal family with mean ``m_1 + ... + m_k`` and standard deviation ``sigma``, Fisher metric;
    ``m_1 = e_1``, ``m_i = e_i + e_1^3``, ``sigma = exp(r)``."""
    m = list(sp.symbols(f"m1:{k + 1}", real=True))
    sigma = sp.Symbol("sigma", positive=True)
    e = list(sp.symbols(f"e1:{k + 1}", real=True))
    r = sp.Symbol("r", real=True)
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    f = [e[0]] + [e[i] + e[0] ** 3 for i in range(1, k)] + [sp.exp(r)]
    return Problem("gaussian", f"k={k}", [sum(m), sigma], m + [sigma], [mu, s], "gaussian", f, e + [r], k)


def _layer_reparam(first: list, rest: list, tag: str) -> tuple[list, list]:
    """``a_i = exp(c_i)`` for the first layer, ``b = c_b + c_1`` for every later weight."""
    c = list(sp.symbols(f"c{tag}1:{len(first) + 1}", real=True))
    d = [sp.Symbol(f"d{tag}_{s.name}", real=True) for s in rest]
    return [sp.exp(x) for x in c] + [y + c[0] for y in d], c + d


def linear(width: int, layers: int = 2) -> Problem:
    """``y = W_L ... W_1 x`` at the input ``x = 1``, two outputs, hidden width ``width`` in every layer."""
    h = width
    W1 = sp.Matrix(h, 1, lambda i, j: sp.Symbol(f"a{i + 1}", real=True))
    mats = []
    for ell in range(2, layers):
        mats.append(sp.Matrix(h, h, lambda i, j, ell=ell: sp.Symbol(f"w{ell}_{i + 1}{j + 1}", real=True)))
    WL = sp.Matrix(2, h, lambda i, j: sp.Symbol(f"b{i + 1}{j + 1}", real=True))
    y = W1
    for W in mats:
        y = W * y
    y = WL * y
    first = list(W1)
    rest = [s for W in mats for s in W] + list(WL)
    f, eta = _layer_reparam(first, rest, "")
    fam = "linear2" if layers == 2 else f"linear{layers}"
    return Problem(fam, f"width {h}", [sp.expand(v) for v in y], first + rest, [], "euclidean", f, eta, h,
                   notes=f"{layers} layers, x = 1")


def tanh_net(hidden: int, via_exp: bool = False) -> Problem:
    """``u_i = sum_j a_j tanh(w_j x_i)`` at ``x = (1, 2)``; ``a_j = exp(alpha_j)``, ``w_j = omega_j + alpha_1``.

    With ``via_exp`` ``tanh(t)`` is written ``(exp(2t) - 1)/(exp(2t) + 1)``, as a user can today."""
    a = list(sp.symbols(f"a1:{hidden + 1}", real=True))
    w = list(sp.symbols(f"w1:{hidden + 1}", real=True))

    def th(t):
        return (sp.exp(2 * t) - 1) / (sp.exp(2 * t) + 1) if via_exp else sp.tanh(t)

    u = [sum(a[j] * th(w[j] * x) for j in range(hidden)) for x in (1, 2)]
    al = list(sp.symbols(f"alpha1:{hidden + 1}", real=True))
    om = list(sp.symbols(f"omega1:{hidden + 1}", real=True))
    f = [sp.exp(x) for x in al] + [o + al[0] for o in om]
    return Problem("tanh-exp" if via_exp else "tanh", f"{hidden} hidden", u, a + w, [], "euclidean", f, al + om,
                   hidden, notes="x = 1, 2; " + ("tanh through exp" if via_exp else "sp.tanh"))


def rbm(nv: int, nh: int) -> Problem:
    """Restricted Boltzmann machine: ``p(v) ~ exp(b.v) prod_j (1 + exp(c_j + sum_i W_ij v_i))`` on the
    ``2^nv`` visible states, simplex Fisher metric; ``b_1 = beta_1 + gamma_1^3`` (others unchanged)."""
    b = list(sp.symbols(f"b1:{nv + 1}", real=True))
    c = list(sp.symbols(f"c1:{nh + 1}", real=True))
    W = [[sp.Symbol(f"W{i + 1}{j + 1}", real=True) for j in range(nh)] for i in range(nv)]
    states = [[(s >> i) & 1 for i in range(nv)] for s in range(2 ** nv)]
    weights = []
    for v in states:
        wv = sp.exp(sum(b[i] * v[i] for i in range(nv)))
        for j in range(nh):
            wv *= 1 + sp.exp(c[j] + sum(W[i][j] * v[i] for i in range(nv)))
        weights.append(wv)
    Z = sum(weights)
    xi = b + c + [x for row in W for x in row]
    beta = list(sp.symbols(f"beta1:{nv + 1}", real=True))
    gamma = list(sp.symbols(f"gamma1:{nh + 1}", real=True))
    om = [sp.Symbol(f"o{i + 1}{j + 1}", real=True) for i in range(nv) for j in range(nh)]
    f = [beta[0] + gamma[0] ** 3] + beta[1:] + gamma + om
    p = list(sp.symbols(f"p1:{2 ** nv + 1}", positive=True))
    return Problem("rbm", f"{nv}x{nh}", [wv / Z for wv in weights], xi, p, "simplex", f, beta + gamma + om,
                   len(xi), notes="size = number of parameters")


#: family -> list of (size label, builder, target seconds or None, levels that meet the target)
EXACT = ("exact",)
EXACT_OR_PROB = ("exact", "probabilistic")
FAMILIES: dict[str, list[tuple[str, Callable[[], Problem], float | None, tuple]]] = {
    "softmax": [(f"n={n}", (lambda n=n: softmax(n)), 10.0 if n == 32 else None, EXACT) for n in (4, 8, 16, 32)],
    "gaussian": [(f"k={k}", (lambda k=k: gaussian(k)), 5.0 if k == 64 else None, EXACT) for k in (4, 16, 32, 64)],
    "linear2": [(f"width {h}", (lambda h=h: linear(h, 2)), {2: 0.3, 4: 2.0, 8: 10.0}.get(h), EXACT)
                for h in (2, 3, 4, 8)],
    "linear3": [(f"width {h}", (lambda h=h: linear(h, 3)), 10.0, EXACT) for h in (2, 3)],
    "tanh": [(f"{h} hidden", (lambda h=h: tanh_net(h)), 5.0 if h == 2 else 10.0, EXACT if h == 2 else EXACT_OR_PROB)
             for h in (2, 3, 4, 8)],
    "tanh-exp": [(f"{h} hidden", (lambda h=h: tanh_net(h, True)), 5.0 if h == 2 else 10.0,
                  EXACT if h == 2 else EXACT_OR_PROB) for h in (2, 3, 4, 8)],
    "rbm": [(f"{v}x{h}", (lambda v=v, h=h: rbm(v, h)), 10.0, EXACT if v == 2 else EXACT_OR_PROB)
            for v, h in ((2, 1), (2, 2), (3, 2), (4, 2))],
}
QUICK = {"softmax": 2, "gaussian": 2, "linear2": 2, "linear3": 1, "tanh": 1, "tanh-exp": 1, "rbm": 2}


def problem(family: str, size: str) -> Problem:
    for label, build, _t, _l in FAMILIES[family]:
        if label == size:
            return build()
    raise KeyError(f"{family} has no size {size!r}")


# ---------------------------------------------------------------------------
# The only place that touches symgrad's API
# ---------------------------------------------------------------------------

def symgrad_objects(P: Problem):
    """``(Model, Reparametrisation)`` for a problem, through symgrad's public names."""
    import symgrad as sg
    metric: Any = None
    if P.metric == "simplex":
        metric = sg.Metric.simplex_fisher
        metric = metric(P.z)
    elif P.metric == "gaussian":
        metric = sg.families.normal(1, scale="sd", coords=P.z)
    kw: dict[str, Any] = {"metric": metric}
    if P.z:
        kw["coords"] = P.z
    if P.family == "rbm":
        # the library's constructor, as a user builds an RBM (it knows the scores d log w, so J and
        # G are written through them); checked to be this problem's model exactly
        from symgrad.supervised import rbm as rbm_model
        nv, nh = (int(x) for x in P.size.split("x"))
        M = rbm_model(nv, nh, name=f"{P.family} {P.size}")
        if tuple(M.xi) != tuple(P.xi) or tuple(M.z) != tuple(P.z) or not _same_functions(M.phi, P.phi):
            raise AssertionError(f"symgrad's rbm({nv}, {nh}) is not the benchmark's RBM {P.size}")
    else:
        M = sg.Model(P.phi, P.xi, name=f"{P.family} {P.size}", **kw)
    f = sg.Reparametrisation(P.f, P.eta, name="reparametrisation")
    return M, f


def _same_functions(A: Any, B: list) -> bool:
    """Whether two lists of expressions are the same functions (structurally equal, or by exact lifting)."""
    if list(A) == list(B):
        return True
    from symgrad.exact.lifting import Lifting
    diffs = [a - b for a, b in zip(A, B)]
    L = Lifting.build(diffs)
    return len(A) == len(B) and all(L.lift(d).is_zero() for d in diffs)


def verdict_level(proof: Any) -> tuple[str, str]:
    """``(level, detail)`` from an invariance result."""
    v = proof.verdict
    name = getattr(v, "name", str(v))
    cert = getattr(proof, "certificate", None)
    if name == "PROVED":
        return "exact", ""
    if name == "PROVED_PROBABILISTIC":
        b = getattr(cert, "error_bound", None)
        if not b:
            return "probabilistic", ""
        lg = math.log2(b)
        # the charter calls a claim proved only with an error probability of at most 2^-40
        return "probabilistic", f"<= 2^{lg:.0f}" + ("" if lg <= -40 else ", NOT a proof: bound above 2^-40")
    if name == "NUMERIC":
        return "numeric", ""
    if name == "REFUTED":
        return "refuted", ""
    return "undecided", "; ".join(getattr(cert, "notes", ()) or ())


# ---------------------------------------------------------------------------
# The independent reference: mpmath at 50 digits
# ---------------------------------------------------------------------------

DPS = 50


def random_point(P: Problem, rng: random.Random) -> dict:
    """A random rational point of ``eta`` (nine decimals in (-1, 1), never 0)."""
    pt = {}
    for s in P.eta + P.constants:
        while True:
            v = Fraction(rng.randrange(-10**9 + 1, 10**9), 10**9)
            if v != 0 and (v > 0 or not s.is_positive):
                break
        pt[s] = v
    return pt


def simple_point(P: Problem, rng: random.Random) -> dict:
    """A random point of ``eta`` on the grid of eighths in ``[-2, 2]`` (never 0; positive where declared)."""
    pt = {}
    for s in P.eta + P.constants:
        while True:
            v = Fraction(rng.randint(-16, 16), 8)
            if v != 0 and (v > 0 or not s.is_positive):
                break
        pt[s] = v
    return pt


def mp_reference(P: Problem, pt: dict, dL: list) -> dict:
    """``J``, ``G``, both gradients of eq. (5) and ``J Delta`` at ``eta = pt``, by mpmath alone."""
    import mpmath
    with mpmath.workdps(DPS + 20):
        eta = list(pt)
        args = [mpmath.mpf(v.numerator) / v.denominator for v in pt.values()]
        xi_val = [mpmath.mpf(x) for x in sp.lambdify(eta, P.f, "mpmath")(*args)]
        Df = mpmath.matrix(sp.lambdify(eta, sp.Matrix(P.f).jacobian(P.eta), "mpmath")(*args).tolist())
        phi = sp.Matrix(P.phi)
        Jfun = sp.lambdify(P.xi, phi.jacobian(P.xi), "mpmath")
        J = mpmath.matrix(Jfun(*xi_val).tolist())
        z_val = [mpmath.mpf(x) for x in sp.lambdify(P.xi, list(phi), "mpmath")(*xi_val)]
        g = P.g()
        gm = mpmath.matrix(sp.lambdify(P.z, g, "mpmath")(*z_val).tolist()) if P.z else mpmath.eye(len(P.phi))
        dl = mpmath.matrix([mpmath.mpf(x.numerator) / x.denominator for x in dL])
        G = J.T * gm * J
        Jt = J * Df
        Gt = Jt.T * gm * Jt
        Gp, r = svd_pinv(G)
        Gtp, rt = svd_pinv(Gt)
        gx = Gp * (J.T * dl)
        ge = Gtp * (Jt.T * dl)
        delta = gx - Df * ge
        res = J * delta
        scale = max([mpmath.mpf(1)] + [abs(x) for x in J] + [abs(x) for x in gx])
        return {"xi": xi_val, "G": G, "rank": r, "rank_eta": rt, "grad_xi": gx, "grad_eta": ge, "delta": delta,
                "residual": max(abs(x) for x in res) / scale, "delta_norm": max(abs(x) for x in delta) / scale}


def svd_pinv(A):
    """Moore-Penrose inverse from ``mpmath.svd_r``; singular values below ``s_max 10^-25`` count as zero."""
    import mpmath
    U, s, V = mpmath.svd_r(A, full_matrices=False, compute_uv=True)
    tol = max(s[i] for i in range(s.rows)) * mpmath.mpf(10) ** (-(DPS // 2))
    r = sum(1 for i in range(s.rows) if s[i] > tol)
    X = mpmath.matrix(A.cols, A.rows)
    for k in range(r):
        X += (V[k, :].T * U[:, k].T) / s[k]
    return X, r


def _mp_max_diff(sym: Any, syms: list, vals: list, ref) -> float:
    """Largest relative difference between a SymPy matrix at a point and an mpmath matrix."""
    import mpmath
    with mpmath.workdps(DPS + 20):
        M = sp.Matrix(sym)
        vals = [mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v for v in vals]
        val = mpmath.matrix(sp.lambdify(syms, M, "mpmath")(*vals).tolist())
        scale = max([mpmath.mpf(1)] + [abs(x) for x in ref])
        return float(max(abs(val[i, j] - ref[i, j]) for i in range(M.rows) for j in range(M.cols)) / scale)


def agreement(P: Problem, M: Any, proof: Any, level: str, seed: int = 1, part_seconds: float | None = None) -> dict:
    """Compare symgrad's verdict (and ``G``, ``grad_xi`` when available) with :func:`mp_reference`.

    ``part_seconds`` bounds each of the two optional parts (symgrad's exact values at a point,
    and its SymPy formula for ``grad_xi``); a part that runs out is reported, not failed."""
    import mpmath
    rng = random.Random(seed)
    pt = random_point(P, rng)
    dL = [Fraction(rng.randrange(-10**6, 10**6) or 1, 10**6) for _ in P.phi]
    ref = mp_reference(P, pt, dL)
    out: dict = {"residual": float(ref["residual"]), "delta": float(ref["delta_norm"]), "rank": ref["rank"]}
    zero = ref["residual"] < mpmath.mpf(10) ** -30
    ok = zero if level in ("exact", "probabilistic", "numeric") else (not zero if level == "refuted" else None)
    dc = getattr(proof, "delta_certificate", None)
    if dc is not None and getattr(dc, "holds", None) is not None:
        dzero = ref["delta_norm"] < mpmath.mpf(10) ** -30
        out["delta_verdict_ok"] = bool(dzero == dc.holds)
        ok = ok and out["delta_verdict_ok"] if ok is not None else ok
    try:
        out["G_diff"] = _mp_max_diff(M.G, list(P.xi), ref["xi"], ref["G"])
        ok = ok and out["G_diff"] < 1e-40 if ok is not None else ok
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        out["G_error"] = f"{type(exc).__name__}: {exc}"[:120]
    dl_syms = [sp.Symbol(f"dL_{k + 1}", real=True) for k in range(len(P.phi))]
    at = getattr(proof, "at", None)
    if at is not None and getattr(proof, "claim", None) is not None:
        # symgrad's exact values at a point (no formula built): eq. (5) and J Delta there.  The point
        # has small denominators (exp(1/8) and its powers are then small exact numbers), and gets
        # its own mpmath reference
        pt2 = simple_point(P, rng)
        ref2 = mp_reference(P, pt2, dL)
        try:
            def run_at() -> Any:
                return at({**{s: sp.Rational(v.numerator, v.denominator) for s, v in pt2.items()},
                           **{s: sp.Rational(v.numerator, v.denominator) for s, v in zip(dl_syms, dL)}})
            vals = run_at() if part_seconds is None else _with_alarm(part_seconds, run_at)
            out["grad_xi_at_diff"] = _mp_max_diff(vals["grad_xi"], [], [], ref2["grad_xi"])
            out["residual_at_zero"] = all(x == 0 for x in vals["residual"])
            if level in ("exact", "probabilistic") and ok is not None:
                ok = ok and out["grad_xi_at_diff"] < 1e-40 and out["residual_at_zero"]
        except _Alarm:
            out["at_error"] = f"the exact values at a point took more than {part_seconds:g} s (not compared)"
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            out["at_error"] = f"{type(exc).__name__}: {exc}"[:120]
    if P.n_params <= FORMULA_PARAMS:
        saved = M.budget
        if part_seconds is not None:
            M.budget = part_seconds  # the formula is built under the model's budget (None when it runs out)
        try:
            gx = getattr(proof, "grad_xi", None)
        finally:
            M.budget = saved
        if gx is not None:
            out["grad_xi_diff"] = _mp_max_diff(gx, list(pt) + dl_syms, list(pt.values()) + dL, ref["grad_xi"])
            ok = ok and out["grad_xi_diff"] < 1e-40 if ok is not None else ok
        else:
            out["formula"] = "the SymPy formula for grad_xi was not built within its time (not compared)"
    out["ok"] = ok
    return out


#: the SymPy formula for grad_xi (built only on request) is compared too up to this many parameters
FORMULA_PARAMS = 6


# ---------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------

def _emit(**kw: Any) -> None:
    print("@@" + json.dumps(kw, default=str), flush=True)


class _Alarm(BaseException):
    pass


def _with_alarm(seconds: float, fn: Callable[[], Any]) -> Any:
    def handler(signum, frame):
        raise _Alarm
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _cpu() -> float:
    """CPU seconds of this process and of any workers it waited for (both cores count)."""
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_symgrad(family: str, size: str, budget: float | None, agree: bool, agree_timeout: float) -> None:
    t0 = time.perf_counter()
    import symgrad as sg
    _emit(stage="import", seconds=time.perf_counter() - t0)
    P = problem(family, size)
    t0 = time.perf_counter()
    M, f = symgrad_objects(P)
    _emit(stage="build", seconds=time.perf_counter() - t0, params=P.n_params)
    kw: dict[str, Any] = {"seed": 0}
    if budget is not None:
        kw["budget"] = budget
    t0, c0 = time.perf_counter(), _cpu()
    proof = sg.check_invariance(M, f, **kw)
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    level, detail = verdict_level(proof)
    _emit(stage="check", seconds=secs, cpu=cpu, level=level, detail=detail, peak_mb=_peak_mb(),
          delta=getattr(getattr(proof, "delta_certificate", None), "holds", None),
          method=getattr(proof, "method", ""))
    t0, c0 = time.perf_counter(), _cpu()
    M.G
    _emit(stage="G", seconds=time.perf_counter() - t0, cpu=_cpu() - c0, peak_mb=_peak_mb())
    if agree:
        t0 = time.perf_counter()
        # each optional part has its own limit; the parent stops the process if the whole overruns
        a = agreement(P, M, proof, level, part_seconds=agree_timeout / 4)
        a["seconds"] = time.perf_counter() - t0
        _emit(stage="agree", **a)


def child_sympy(family: str, size: str) -> None:
    """The straightforward route: ``pinv`` of both Gram matrices, ``J Delta``, ``simplify``."""
    P = problem(family, size)
    t0 = time.perf_counter()
    sub = dict(zip(P.xi, P.f))
    phi = sp.Matrix(P.phi)
    dL = sp.Matrix([sp.Symbol(f"dL_{k + 1}", real=True) for k in range(len(P.phi))])
    J = phi.jacobian(P.xi).xreplace(sub)
    g = P.g().xreplace(dict(zip(P.z, list(phi.xreplace(sub))))) if P.z else sp.eye(len(P.phi))
    Df = sp.Matrix(P.f).jacobian(P.eta)
    Jt = J * Df
    gx = (J.T * g * J).pinv() * (J.T * dL)
    ge = (Jt.T * g * Jt).pinv() * (Jt.T * dL)
    res = sp.simplify(J * (gx - Df * ge))
    _emit(stage="sympy", seconds=time.perf_counter() - t0, zero=all(x == 0 for x in res))


# ---------------------------------------------------------------------------
# The parent: one subprocess per size, with a time and memory limit
# ---------------------------------------------------------------------------

@dataclass
class Run:
    stages: dict
    wall: float
    peak_mb: float
    stopped: str | None       # None, "timeout", "memory", "error: ..."
    cpu: float = 0.0          # user + system CPU seconds of the process (less sensitive to a busy machine)


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process (its threads included), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


#: a size is also stopped after this many times its CPU budget in wall-clock seconds (a busy machine)
WALL_FACTOR = 4.0


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_child(args: list[str], timeout: float, mem_mb: float, stage_timeouts: dict | None = None) -> Run:
    """Run one child; stop it after ``timeout`` CPU seconds, or ``stage_timeouts[stage]`` CPU seconds after
    it reported ``stage`` (so ``M.G`` and the agreement check get their own time after the check), or
    above ``mem_mb`` MB of resident memory.  CPU seconds, not wall-clock ones, so that a busy machine
    (six engineers on two cores) does not turn a slow size into a timeout; a wall-clock limit of
    ``WALL_FACTOR`` times that stays as a safety net."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]

    def limit() -> None:  # a hard ceiling well above the polled one, so a spike cannot take the machine
        cap = int(mem_mb * 2 * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            preexec_fn=limit)
    os.set_blocking(proc.stdout.fileno(), False)
    os.set_blocking(proc.stderr.fileno(), False)
    out, err, stopped, ru = [], [], None, None
    seen: dict = {}
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        for stream, buf in ((proc.stdout, out), (proc.stderr, err)):
            chunk = stream.read()
            if chunk:
                buf.append(chunk)
        if pid:
            break
        now, cpu = time.perf_counter(), _cpu_of(proc.pid)
        deadline = timeout
        text = b"".join(out).decode("utf-8", "replace")
        for st, extra in (stage_timeouts or {}).items():
            if f'"stage": "{st}"' in text:
                seen.setdefault(st, cpu)
                deadline = max(deadline, seen[st] + extra)
        if cpu > deadline or now - t0 > WALL_FACTOR * deadline + 10:
            stopped = "timeout"
        elif _rss_mb(proc.pid) > mem_mb:
            stopped = "memory"
        if stopped:
            proc.kill()
            _, status, ru = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    for stream, buf in ((proc.stdout, out), (proc.stderr, err)):
        try:
            chunk = stream.read()
        except (OSError, ValueError):
            chunk = None
        if chunk:
            buf.append(chunk)
    stdout = b"".join(out).decode("utf-8", "replace")
    stderr = b"".join(err).decode("utf-8", "replace")
    stages: dict = {}
    for line in stdout.splitlines():
        if line.startswith("@@"):
            d = json.loads(line[2:])
            stages[d.pop("stage")] = d
    if stopped is None and proc.returncode != 0:
        tail = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        stopped = "error: " + (tail[-1][:160] if tail else f"exit {proc.returncode}")
        if "MemoryError" in stopped:
            stopped = "memory"
    return Run(stages, wall, ru.ru_maxrss / 1024.0 if ru else 0.0, stopped,
               (ru.ru_utime + ru.ru_stime) if ru else 0.0)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of ``log t`` against ``log n``."""
    pts = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def describe(run: Run, timeout: float, mem_mb: float) -> tuple[str, str]:
    """``(verdict, note)``: the verdict level, or why the process was stopped and in which stage."""
    st = run.stages
    c = st.get("check", {})
    lvl = c.get("level")
    if lvl == "probabilistic" and c.get("detail"):
        lvl += f" ({c['detail']})"
    if not run.stopped:
        return lvl or "?", ""
    what = {"timeout": "timeout", "memory": f"memory > {mem_mb:g} MB"}.get(run.stopped, run.stopped)
    if lvl is None:
        last = list(st)[-1] if st else "start"
        nxt = {"start": "import", "import": "build", "build": "check"}.get(last, last)
        return (f"timeout > {timeout:g} CPU s" if run.stopped == "timeout" else what), f"(in {nxt})"
    nxt = "M.G" if "G" not in st else "agreement"
    return lvl, f"({what} in {nxt})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=60.0, help="CPU seconds per size for symgrad (default 60)")
    ap.add_argument("--sympy-timeout", type=float, default=30.0, help="seconds for the SymPy route (default 30)")
    ap.add_argument("--sympy-sizes", type=int, default=1, help="run the SymPy route on this many smallest sizes")
    ap.add_argument("--budget", type=float, default=None, help="budget= for check_invariance (default: library's)")
    ap.add_argument("--mem", type=float, default=3000.0, help="stop a size above this resident memory, MB")
    ap.add_argument("--quick", action="store_true", help="only the small sizes")
    ap.add_argument("--only", default="", help="comma-separated families (substring match)")
    ap.add_argument("--no-agree", action="store_true", help="skip the mpmath agreement check")
    ap.add_argument("--agree-timeout", type=float, default=60.0, help="seconds for the agreement check")
    ap.add_argument("--g-timeout", type=float, default=60.0, help="seconds for M.G after the check")
    ap.add_argument("--markdown", action="store_true", help="print the README table and slopes at the end")
    ap.add_argument("--json", type=Path, help="write every measurement to this file")
    ap.add_argument("--tree", type=Path, help="benchmark the symgrad package of this checkout instead")
    ap.add_argument("--child", nargs=2, metavar=("FAMILY", "SIZE"), help=argparse.SUPPRESS)
    ap.add_argument("--child-sympy", nargs=2, metavar=("FAMILY", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.tree:
        os.environ["SYMGRAD_TREE"] = str(args.tree.resolve())
    if args.child:
        child_symgrad(*args.child, args.budget, not args.no_agree, args.agree_timeout)
        return 0
    if args.child_sympy:
        child_sympy(*args.child_sympy)
        return 0

    import flint
    if args.tree:
        sys.path.insert(0, str(args.tree.resolve()))
    try:
        import symgrad
        print(f"# symgrad from {Path(symgrad.__file__).parent}", flush=True)
    except Exception as exc:  # noqa: BLE001 - the children will report it per size
        print(f"# symgrad does not import here: {type(exc).__name__}: {exc}", flush=True)
    wanted = [w for w in args.only.split(",") if w]
    fams = [f for f in FAMILIES if not wanted or any(w in f for w in wanted)]
    print(f"# symgrad scaling benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; Python "
          f"{platform.python_version()}, SymPy {sp.__version__}, python-flint {flint.__version__}, "
          f"{os.cpu_count()} CPUs; timeout {args.timeout:g} s, memory cap {args.mem:g} MB per size", flush=True)
    rows, results = [], []
    for fam in fams:
        sizes = FAMILIES[fam][: QUICK[fam]] if args.quick else FAMILIES[fam]
        for idx, (label, build, target, levels) in enumerate(sizes):
            cargs = ["--child", fam, label, "--agree-timeout", str(args.agree_timeout)]
            if args.budget is not None:
                cargs += ["--budget", str(args.budget)]
            if args.no_agree:
                cargs.append("--no-agree")
            run = run_child(cargs, args.timeout, args.mem,
                            {"check": args.g_timeout, "G": 0 if args.no_agree else args.agree_timeout})
            st = run.stages
            verdict, reached = describe(run, args.timeout, args.mem)
            sym = None
            if idx < args.sympy_sizes:
                srun = run_child(["--child-sympy", fam, label], args.sympy_timeout, args.mem)
                if srun.stopped:
                    sym = {"timeout": f"timeout > {args.sympy_timeout:g} s"}.get(srun.stopped, srun.stopped)
                else:
                    s = srun.stages["sympy"]
                    sym = f"{fmt_s(s['seconds'])} ({'0' if s['zero'] else 'not 0 after simplify'})"
            check = st.get("check", {}).get("seconds")
            check_cpu = st.get("check", {}).get("cpu")
            G = st.get("G", {}).get("seconds")
            G_cpu = st.get("G", {}).get("cpu")
            total = None if check_cpu is None else check_cpu + ((G_cpu or math.inf) if fam == "rbm" else 0.0)
            lvl = st.get("check", {}).get("level")
            if "NOT a proof" in (st.get("check", {}).get("detail") or ""):
                lvl = "probabilistic, bound above 2^-40"
            met = "-"
            if target is not None:
                if fam == "rbm" and check_cpu is not None and G_cpu is None:
                    met = "no (M.G did not finish)"
                elif total is not None and lvl in levels and total <= target:
                    met = "yes"
                elif total is not None and lvl in levels:
                    met = f"no ({total / target:.1f}x)"
                elif total is not None:
                    met = f"no ({lvl}, {total:.1f} s)"
                else:
                    met = "no"
            a = st.get("agree", {})
            agree = "-" if args.no_agree else ("yes" if a.get("ok") else ("NO" if a.get("ok") is False else
                                                                           ("n/a" if not a else "?")))
            if a.get("error"):
                agree += " (" + a["error"] + ")"
            rec = {"family": fam, "size": label, "params": st.get("build", {}).get("params"),
                   "n": build().n, "import": st.get("import", {}).get("seconds"),
                   "build": st.get("build", {}).get("seconds"), "G": G, "G_cpu": G_cpu, "check": check,
                   "check_cpu": check_cpu, "process": run.wall,
                   "peak_mb": run.peak_mb, "cpu": run.cpu, "verdict": verdict, "reached": reached, "target": target, "met": met,
                   "sympy": sym, "agree": a, "stopped": run.stopped,
                   "method": st.get("check", {}).get("method")}
            results.append(rec)
            row = (f"| {fam} | {label} | {rec['params'] or '-'} | {fmt_s(rec['build'])} | {fmt_s(G)} | "
                   f"{fmt_s(check) if check is not None else verdict} | {fmt_s(check_cpu)} | {fmt_s(run.wall)} | {fmt_s(run.cpu)} | {run.peak_mb:.0f} | "
                   f"{verdict}{' ' + reached if reached else ''} | "
                   f"{'-' if target is None else f'{target:g} s'} | {met} | {agree} | {sym or '-'} |")
            rows.append(row)
            print(row, flush=True)
    head = ("| family | size | params | build (s) | M.G (s) | check (s) | check CPU (s) | process (s) | process CPU (s) | peak MB | verdict | "
            "target | met | mpmath agrees | SymPy route |\n"
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- | --- |")
    slopes = []
    for fam in fams:
        pts = [(r["n"], r["check_cpu"]) for r in results if r["family"] == fam and r["check_cpu"] is not None]
        ptp = [(r["params"], r["check_cpu"]) for r in results if r["family"] == fam and r["check_cpu"] is not None
               and r["params"]]
        s1, s2 = slope(pts), slope(ptp)
        slopes.append(f"| {fam} | {len(pts)} | {'-' if s1 is None else f'{s1:.2f}'} | "
                      f"{'-' if s2 is None else f'{s2:.2f}'} |")
    shead = ("| family | sizes fitted (check CPU s) | slope vs size | slope vs params |\n| --- | ---: | ---: | ---: |")
    print()
    if args.markdown:
        print(head)
        print("\n".join(rows))
        print()
    print(shead)
    print("\n".join(slopes))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "slopes": slopes}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
