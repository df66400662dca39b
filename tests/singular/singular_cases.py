"""Shared models and independent numerics for the singular-point tests (paper, §3 and Fig. 2).

Every exact answer is cross-checked with independent numerics written here
(mpmath SVD ranks, mpmath polynomial roots and Newton solves), not with the
numeric code of :mod:`symgrad.singular`.
"""
from __future__ import annotations

import random

import mpmath
import sympy as sp

from symgrad.model import Model

t = sp.Symbol("t", real=True)
a, b = sp.symbols("a b", real=True)
w1, w2a, w2b = sp.symbols("w1 w2a w2b", real=True)

DPS = 40
TOL = mpmath.mpf(10) ** -25


def nodal():
    return Model([t**2 - 1, t**3 - t], [t], name="nodal cubic")


def product():
    return Model([a * b], [a, b], name="product")


def linear_net():
    return Model([w2a * w1, w2b * w1], [w1, w2a, w2b], name="linear network of width 1")


def cusp():
    return Model([t**2, t**3], [t], name="cusp")


def smooth():
    return Model([t, t**3], [t], name="smooth injective")


# -- independent numerics ------------------------------------------------------------------

def num_matrix(M: sp.MatrixBase, point: dict) -> mpmath.matrix:
    with mpmath.workdps(DPS):
        return mpmath.matrix([[mpmath.mpf(sp.N(M[i, j].xreplace(point), DPS)) for j in range(M.cols)]
                              for i in range(M.rows)])


def svd_rank(A: mpmath.matrix) -> int:
    with mpmath.workdps(DPS):
        S = mpmath.svd_r(A, compute_uv=False)
        return sum(1 for s in S if abs(s) > TOL)


def num_rank_at(model: Model, point: dict) -> int:
    return svd_rank(num_matrix(model.J, point))


def num_joint_rank(model: Model, p1: dict, p2: dict) -> int:
    """Numeric rank of [J(xi1) | J(xi2)]: larger than rank J exactly when the two spans differ."""
    return svd_rank(num_matrix(model.J.xreplace(p1).row_join(model.J.xreplace(p2)), {}))


def real_roots_1d(model: Model, p: tuple) -> list[mpmath.mpf]:
    """All real preimages of p for a polynomial curve phi(t): roots of one component, filtered by the others."""
    (s,) = model.xi
    with mpmath.workdps(DPS):
        comps = [sp.Poly(e - v, s) for e, v in zip(model.phi, p)]
        base = next(c for c in comps if c.degree() > 0)
        roots = mpmath.polyroots([mpmath.mpf(int(c)) for c in base.all_coeffs()], maxsteps=200, extraprec=200)
        out = []
        for r in roots:
            if abs(mpmath.im(r)) > mpmath.mpf(10) ** -15:
                continue
            x = mpmath.re(r)
            if all(abs(c.eval(sp.Float(x, DPS))) < 1e-15 for c in comps):
                if all(abs(x - y) > 1e-10 for y in out):
                    out.append(x)
        return sorted(out)


def sliced_preimages(model: Model, p: tuple, tries: int = 12, seed: int = 1) -> list[list]:
    """Numeric preimages of p: phi(xi) = p plus random affine slices, solved by Newton's method (mpmath)."""
    rng = random.Random(seed)
    xi = list(model.xi)
    n, m = len(xi), model.phi.rows
    k = n - m
    C = sp.Matrix(k, n, lambda i, j: sp.Symbol(f"c{i}{j}"))
    D = [sp.Symbol(f"d{i}") for i in range(k)]
    eqs = sp.Matrix([e - v for e, v in zip(model.phi, p)] + [sum(C[i, j] * xi[j] for j in range(n)) - D[i]
                                                            for i in range(k)])
    args = xi + list(C) + D
    f = sp.lambdify(args, list(eqs), "mpmath")
    jac = sp.lambdify(args, eqs.jacobian(xi).tolist(), "mpmath")
    found = []
    with mpmath.workdps(DPS):
        for _ in range(tries):
            consts = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(k * n)] + [mpmath.mpf(rng.uniform(-2, 2))
                                                                              for _ in range(k)]
            x0 = [mpmath.mpf(rng.uniform(-2, 2)) for _ in xi]
            try:
                x = mpmath.findroot(lambda *v: f(*v, *consts), x0, J=lambda *v: jac(*v, *consts),
                                    tol=mpmath.mpf(10) ** -30, maxsteps=60)
            except (ValueError, ZeroDivisionError):
                continue
            x = [x[i] for i in range(n)]
            if max(abs(v) for v in f(*x, *consts)) < 1e-25:
                found.append(x)
    return found


def numeric_recipe(model: Model, L, point: dict) -> list:
    """J (J^T J)^+ J^T dL by an SVD pseudo-inverse (Euclidean metric), independently of symgrad."""
    dL = [sp.diff(L, z).xreplace(dict(zip(model.z, model.phi))) for z in model.z]
    with mpmath.workdps(DPS):
        J = num_matrix(model.J, point)
        g = mpmath.matrix([mpmath.mpf(sp.N(e.xreplace(point), DPS)) for e in dL])
        G = J.T * J
        U, S, V = mpmath.svd_r(G)
        Gp = mpmath.zeros(G.rows, G.cols)
        for k in range(len(S)):
            if abs(S[k]) > TOL:
                Gp += V.T[:, k] * U.T[k, :] / S[k]
        v = J * (Gp * (J.T * g))
        return [v[i] for i in range(v.rows)]
