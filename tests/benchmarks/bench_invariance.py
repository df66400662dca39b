"""Benchmark: the full invariance check of eq. (6) against the straightforward SymPy route.

Run from the repository root::

    python tests/benchmarks/bench_invariance.py [--timeout 300] [--quick]

For each acceptance model (tests/models.py) it times, in this process,
``symgrad.check_invariance`` (J Delta grad = 0 proved exactly, and Delta grad
!= 0 witnessed) and ``symgrad.check_theorem1`` (manifold gradient = Riesz
gradient), and, in a subprocess with a timeout, the straightforward route:
``G.pinv()`` for both parametrisations, ``J * Delta``, then ``simplify``.
It prints a Markdown table with the seconds and the ratio.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))                     # tests/ (models.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))    # the repository root

import sympy as sp  # noqa: E402

import symgrad as sg  # noqa: E402
from models import ACCEPTANCE  # noqa: E402


def _naive(name: str, q: mp.Queue) -> None:
    M, f = ACCEPTANCE[name]()
    t0 = time.perf_counter()
    sub = dict(zip(M.xi, f.f))
    dL = sp.Matrix(sg.ANY_LOSS.covector(M.dim_ambient))
    J = sp.Matrix(M.J.xreplace(sub))
    g = sp.Matrix(M.g_phi.xreplace(sub))
    Jt = J * f.Df
    gx = (J.T * g * J).pinv() * (J.T * dL)
    ge = (Jt.T * g * Jt).pinv() * (Jt.T * dL)
    res = sp.simplify(J * (gx - f.Df * ge))
    q.put((time.perf_counter() - t0, all(x == 0 for x in res)))


def naive(name: str, timeout: float) -> tuple[float | None, bool | None]:
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_naive, args=(name, q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()
        return None, None
    return q.get() if not q.empty() else (None, None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds for the SymPy route (default 300)")
    ap.add_argument("--quick", action="store_true", help="timeout 20 s for the SymPy route")
    args = ap.parse_args()
    timeout = 20.0 if args.quick else args.timeout
    rows = []
    for name in ACCEPTANCE:
        M, f = ACCEPTANCE[name]()
        t0 = time.perf_counter()
        proof = sg.check_invariance(M, f, seed=0)
        t1 = time.perf_counter()
        thm = sg.check_theorem1(M, seed=0)
        t2 = time.perf_counter()
        ns, ok = naive(name, timeout)
        ratio = f"{ns / (t1 - t0):.0f}x" if ns else f"> {timeout / (t1 - t0):.0f}x"
        naive_txt = f"{ns:.2f}" if ns else f"timeout > {timeout:.0f} s"
        if ok is False:
            naive_txt += " (simplify did not reach 0)"
        rows.append((name, t1 - t0, proof.verdict.name, proof.delta_certificate.verdict.name, t2 - t1,
                     thm.verdict.name, naive_txt, ratio))
        print(f"{name}: done", file=sys.stderr, flush=True)
    print(f"Invariance check of eq. (6), every loss at once (ANY_LOSS); SymPy route timeout {timeout:.0f} s. "
          "\"check_invariance\" proves J Delta grad = 0 and decides \"Delta grad = 0\" (REFUTED: a witness point "
          "where the parameter-space gradients differ; PROVED: they agree, as when G is invertible); "
          "\"Theorem 1\" compares eq. (4) with the Riesz gradient of eq. (1). The SymPy route computes G.pinv() "
          "for both parametrisations, J Delta and simplify; the ratio is its time over check_invariance's.\n")
    print("| model | check_invariance (s) | J Delta grad = 0 | Delta grad = 0 | Theorem 1 (s) | Theorem 1 | "
          "SymPy pinv + simplify (s) | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.3f} | {r[2]} | {r[3]} | {r[4]:.3f} | {r[5]} | {r[6]} | {r[7]} |")


if __name__ == "__main__":
    main()
