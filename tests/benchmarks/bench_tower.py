#!/usr/bin/env python
r"""Benchmark of the tower of kernels (issue 10): the models users write, exact, against plain SymPy.

For each model, in a fresh process each (so one cannot warm the caches of another):

* ``symgrad``: seconds for ``M.rank``, ``M.G_plus`` (the exact Moore-Penrose inverse with its
  condition) and ``natural_gradient(M, L).theorem1`` (Theorem 1, eq. 4), and the verdict;
* ``sympy``: seconds for the straightforward SymPy route, ``M.G.pinv()`` followed by
  ``simplify(J G^+ J^T g dL - dL)`` (Theorem 1 for a full-rank ``J``), or ``timeout``.

Usage (from the repository root)::

    .venv/bin/python tests/benchmarks/bench_tower.py               # every model, 120 s each
    .venv/bin/python tests/benchmarks/bench_tower.py --timeout 20 --only tanh
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def build(name: str):
    import sympy as sp

    import symgrad as sg
    if name.startswith("tanh"):
        k = int(name[-1])
        a = sp.symbols(f"a1:{k + 1}", real=True)
        w = sp.symbols(f"w1:{k + 1}", real=True)
        return sg.Model([sum(a[j] * sp.tanh(w[j] * x) for j in range(k)) for x in (1, 2)], params=[*a, *w])
    if name == "softplus-sigmoid":
        w, c = sp.symbols("w c", real=True)
        return sg.Model([1 / (1 + sp.exp(-c * sp.log(1 + sp.exp(w * x)))) for x in (1, 2, 3)], params=[w, c])
    if name == "gaussian-natural":
        t1, t2 = sp.Symbol("t1", real=True), sp.Symbol("t2", negative=True)
        return sg.Model([-t1 / (2 * t2), sp.sqrt(-1 / (2 * t2))], params=[t1, t2])
    if name == "log-slope-logistic":
        om, b = sp.symbols("omega b", real=True)
        return sg.Model([1 / (1 + sp.exp(-(sp.exp(om) * x + b))) for x in (1, 2)], params=[om, b])
    raise KeyError(name)


MODELS = ("tanh-2", "tanh-3", "softplus-sigmoid", "gaussian-natural", "log-slope-logistic")


def _symgrad(name: str, out) -> None:
    import sympy as sp

    import symgrad as sg
    t0 = time.perf_counter()
    M = build(name)
    r = M.rank
    t1 = time.perf_counter()
    try:
        _ = M.G_plus.matrix
        t_pinv = f"{time.perf_counter() - t1:.2f}"
    except sg.SymgradError as exc:          # G^+ out of the model's budget: say so, go on
        t_pinv = f"{type(exc).__name__} after {time.perf_counter() - t1:.0f}"
    t2 = time.perf_counter()
    L = sum((z - sp.Rational(k + 1, 2)) ** 2 for k, z in enumerate(M.z))
    ng = sg.natural_gradient(M, L, seed=0, budget=60)
    t3 = time.perf_counter()
    out.put({"rank": r, "t_rank": t1 - t0, "t_pinv": t_pinv, "t_thm1": t3 - t2,
             "verdict": ng.theorem1.verdict.value, "faithful": M.exact.lifting.faithful})


def _sympy(name: str, out) -> None:
    import sympy as sp
    t0 = time.perf_counter()
    M = build(name)
    G = M.G
    Gp = G.pinv()
    L = sum((z - sp.Rational(k + 1, 2)) ** 2 for k, z in enumerate(M.z))
    dL = sp.Matrix([sp.diff(L, z) for z in M.z]).subs(dict(zip(M.z, M.phi)))
    res = sp.simplify(M.J * Gp * M.J.T * dL - dL)
    out.put({"t": time.perf_counter() - t0, "zero": res == sp.zeros(*res.shape)})


def run(target, name: str, timeout: float) -> dict | None:
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=target, args=(name, q))
    t0 = time.perf_counter()
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.terminate()
        p.join()
        return None
    try:
        res = q.get(timeout=1)
    except Exception:  # noqa: BLE001 - a crashed child
        return {"error": f"exit {p.exitcode}"}
    res["wall"] = time.perf_counter() - t0
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    print("| model | faithful | rank | rank s | G^+ s | Theorem 1 s | verdict | SymPy pinv+simplify s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in MODELS:
        if args.only and args.only not in name:
            continue
        s = run(_symgrad, name, args.timeout)
        y = run(_sympy, name, args.timeout)
        if s is None or "error" in s:
            srow = f"| {name} | | | timeout ({args.timeout:g} s) | | | | "
        else:
            srow = (f"| {name} | {s['faithful']} | {s['rank']} | {s['t_rank']:.2f} | {s['t_pinv']} | "
                    f"{s['t_thm1']:.2f} | {s['verdict']} | ")
        yrow = "timeout" if y is None else (y.get("error") or f"{y['t']:.2f} ({'zero' if y['zero'] else 'not shown zero'})")
        print(srow + yrow + " |", flush=True)


if __name__ == "__main__":
    main()
