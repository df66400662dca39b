#!/usr/bin/env python
r"""Benchmark of symgrad's core against the straightforward SymPy route.

For each model it times, in this process, symgrad's

* ``J``: the Jacobian ``D phi`` (``Model.J``);
* ``G``: the Gram/Fisher matrix ``J^T g(phi) J``, exact (``Model.G``);
* ``G^+``: the exact Moore-Penrose inverse with its rank and validity condition
  (``Model.G_plus`` with ``.condition``, ``.extra_conditions``), then the SymPy
  form of the formula (``.matrix``) separately;
* the four Penrose conditions checked exactly on the formula (separately);

and, in a subprocess bounded by ``--timeout`` seconds, the straightforward
SymPy route: ``J = phi.jacobian(xi)``, ``G = J.T * g(phi) * J``,
``G.pinv()`` and ``simplify``.  A route that does not finish is reported as
``timeout > N s``.  symgrad's own steps are bounded by the same timeout (with
``SIGALRM``), so the script always ends.

Usage::

    python tests/benchmarks/bench_core.py                 # timeout 300 s per model
    python tests/benchmarks/bench_core.py --timeout 60
    python tests/benchmarks/bench_core.py --quick         # timeout 20 s
    python tests/benchmarks/bench_core.py --only softmax  # models whose name contains "softmax"

The Markdown table goes to stdout (and to ``--output FILE`` if given).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import sympy as sp

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmark the checkout this file belongs to


# -- the models, in plain SymPy (shared by both routes) -----------------------------

def polar():
    r, t = sp.symbols("r t", real=True)
    return [r * sp.cos(t), r * sp.sin(t)], [r, t], None, None


def product():
    a, b = sp.symbols("a b", real=True)
    return [a * b], [a, b], None, None


def softmax(n: int):
    th = sp.symbols(f"th1:{n + 1}", real=True)
    p = sp.symbols(f"p1:{n + 1}", positive=True)
    E = [sp.exp(x) for x in th]
    return [e / sum(E) for e in E], list(th), list(p), "simplex-fisher"


def linear_net(h: int):
    """y = W2 W1 x, scalar input x = 1, hidden width h, two outputs; 3h parameters."""
    w = sp.symbols(f"w1:{h + 1}", real=True)
    V = sp.Matrix(2, h, lambda i, j: sp.Symbol(f"v{i + 1}{j + 1}", real=True))
    y = V * sp.Matrix(w)
    return list(y), list(w) + list(V), None, None


MODELS: dict[str, Callable[[], tuple]] = {
    "polar coordinates": polar,
    "product a*b": product,
    **{f"softmax n={n} (simplex Fisher)": (lambda n=n: softmax(n)) for n in (3, 4, 6, 8)},
    **{f"linear net width {h}": (lambda h=h: linear_net(h)) for h in (1, 2, 4, 6)},
}


# -- the straightforward SymPy route (run in a subprocess) ----------------------------

def sympy_route(name: str) -> dict:
    phi, xi, z, metric = MODELS[name]()
    phi = sp.Matrix(phi)
    out = {}
    t0 = time.perf_counter()
    J = phi.jacobian(xi)
    out["J"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    g = sp.eye(len(phi)) if metric is None else sp.diag(*[1 / zi for zi in z]).subs(dict(zip(z, phi)))
    G = J.T * g * J
    out["G"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    Gp = G.pinv()
    Gp = sp.simplify(Gp)
    out["pinv"] = time.perf_counter() - t0
    out["total"] = out["J"] + out["G"] + out["pinv"]
    return out


def run_sympy_route(name: str, timeout: float) -> dict | None:
    """The SymPy route in a fresh interpreter; ``None`` when it exceeds ``timeout``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--sympy-route", name]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- symgrad's route (this process) -----------------------------------------------------

class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def timed(fn: Callable[[], object], budget: float) -> float | None:
    """Seconds taken by ``fn()``, or ``None`` if it exceeds ``budget`` seconds."""
    if budget <= 0:
        return None
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    t0 = time.perf_counter()
    try:
        fn()
        return time.perf_counter() - t0
    except _Timeout:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def symgrad_route(name: str, timeout: float) -> dict:
    import symgrad as sg

    phi, xi, z, metric = MODELS[name]()
    out: dict = {"params": len(xi)}
    M = sg.Model(phi, params=xi, coords=z, metric=sg.SimplexFisher(z) if metric else None)
    left = timeout
    steps = [
        ("J", lambda: M.J),
        ("G", lambda: M.G),
        ("pinv", lambda: (M.G_plus.condition, M.G_plus.extra_conditions)),
        ("sympy", lambda: M.G_plus.matrix),
    ]
    for key, fn in steps:
        out[key] = timed(fn, left)
        if out[key] is None:
            out["total"] = None
            return out
        left -= out[key]
    out["total"] = out["J"] + out["G"] + out["pinv"] + out["sympy"]
    out["rank"] = M.G_plus.rank
    out["penrose"] = timed(lambda: M.G_plus.penrose.holds, timeout)
    if out["penrose"] is not None:
        out["penrose_ok"] = M.G_plus.penrose.holds
    return out


# -- the table ---------------------------------------------------------------------------

def fmt(x: float | None, timeout: float) -> str:
    if x is None:
        return f"timeout > {timeout:g} s"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def ratio(sym: dict, ref: dict | None, timeout: float) -> str:
    if sym.get("total") is None:
        return "n/a"
    if ref is None:
        return f"> {timeout / sym['total']:,.0f}x"
    if "error" in ref:
        return "n/a"
    return f"{ref['total'] / sym['total']:,.1f}x"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per model for each route (default 300)")
    ap.add_argument("--quick", action="store_true", help="a short trial run: timeout 20 s")
    ap.add_argument("--only", default="", help="run only the models whose name contains this text")
    ap.add_argument("--output", type=Path, help="also write the Markdown table to this file")
    ap.add_argument("--sympy-route", metavar="MODEL", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.sympy_route:
        print(json.dumps(sympy_route(args.sympy_route)))
        return 0

    timeout = 20.0 if args.quick else args.timeout
    names = [n for n in MODELS if args.only in n]
    import flint

    header = [
        f"# symgrad core benchmark ({datetime.date.today().isoformat()})",
        "",
        f"Timeout {timeout:g} s per model and route"
        + (" (the full 300 s per model was too long for this session; rerun without --timeout for it)"
           if timeout < 300 else "") + ".",
        f"Python {platform.python_version()}, SymPy {sp.__version__}, python-flint {flint.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}); symgrad in one process, the SymPy route "
        "(`J`, `G = J.T*g*J`, `G.pinv()`, `simplify`) in a subprocess per model.",
        "Seconds. \"G^+ & condition\": the exact Moore-Penrose inverse (rational functions in python-flint) with "
        "its validity condition as a SymPy expression; \"SymPy form\": converting the formula for G^+ into a "
        "SymPy matrix (factored entries), which is what the SymPy route ends with; the total includes both. "
        "\"Penrose\" is the exact check of the four Penrose conditions, timed separately and not in the total; "
        "the ratio is SymPy total / symgrad total.",
        "",
        "| model | params | rank | J | G | G^+ & condition | SymPy form | symgrad total | Penrose check | "
        "SymPy route | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(header), flush=True)
    rows = []
    for name in names:
        sym = symgrad_route(name, timeout)
        ref = run_sympy_route(name, timeout)
        ref_s = fmt(None, timeout) if ref is None else (f"error: {ref['error']}" if "error" in ref
                                                          else fmt(ref["total"], timeout))
        pen = fmt(sym.get("penrose"), timeout) if sym.get("total") is not None else "-"
        if sym.get("penrose_ok") is False:
            pen += " (REFUTED)"
        row = (f"| {name} | {sym['params']} | {sym.get('rank', '-')} | {fmt(sym.get('J'), timeout)} | "
               f"{fmt(sym.get('G'), timeout) if 'G' in sym else '-'} | "
               f"{fmt(sym.get('pinv'), timeout) if 'pinv' in sym else '-'} | "
               f"{fmt(sym.get('sympy'), timeout) if 'sympy' in sym else '-'} | {fmt(sym.get('total'), timeout)} | "
               f"{pen} | {ref_s} | {ratio(sym, ref, timeout)} |")
        rows.append(row)
        print(row, flush=True)
    if args.output:
        args.output.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
