"""The acceptance models of the invariance checks, shared by several test files."""
from __future__ import annotations

import sympy as sp

import symgrad as sg


def polar():
    r, t, rho, s = sp.symbols("r t rho s", real=True)
    M = sg.Model([r * sp.cos(t), r * sp.sin(t)], [r, t], name="polar")
    return M, sg.Reparametrisation([sp.exp(rho), s], [rho, s], name="log-polar")


def product():
    a, b, u, v = sp.symbols("a b u v", real=True)
    return sg.Model([a * b], [a, b], name="product"), sg.Reparametrisation([u + v**3, v], [u, v])


def softmax(n: int):
    th = sp.symbols(f"th1:{n + 1}", real=True)
    et = sp.symbols(f"eta1:{n + 1}", real=True)
    p = sp.symbols(f"p1:{n + 1}", positive=True)
    E = [sp.exp(x) for x in th]
    M = sg.Model([e / sum(E) for e in E], th, coords=p, metric=sg.Metric.simplex_fisher(p), name=f"softmax{n}")
    shear = [et[0]] + [et[i] + et[i - 1] for i in range(1, n)]
    return M, sg.Reparametrisation(shear, et, name="shear")


def linear_network(width: int = 2):
    w = sp.symbols(f"w1:{width + 1}", real=True)
    V = sp.symbols(f"v1:{2 * width + 1}", real=True)
    y = sp.Matrix(2, width, V) * sp.Matrix(w)
    M = sg.Model(list(y), list(w) + list(V), name=f"linear network width {width}")
    e = sp.symbols(f"e1:{3 * width + 1}", real=True)
    f = [e[0] + e[width] ** 3] + list(e[1:])
    return M, sg.Reparametrisation(f, e, name="nonlinear shear")


def gaussian():
    m1, m2, k1, k2, k3 = sp.symbols("m1 m2 k1 k2 k3", real=True)
    mu = sp.Symbol("mu", real=True)
    s = sp.Symbol("s", positive=True)
    sigma = sp.Symbol("sigma", positive=True)
    M = sg.Model([m1 + m2, sigma], [m1, m2, sigma], coords=[mu, s], metric=sg.families.normal(1, scale="sd", coords=[mu, s]),
                 name="Gaussian, redundant mean")
    return M, sg.Reparametrisation([k1, k2 + k1**3, sp.exp(k3)], [k1, k2, k3])


ACCEPTANCE = {
    "polar": polar,
    "product": product,
    "softmax3": lambda: softmax(3),
    "softmax4": lambda: softmax(4),
    "linear-network-2": lambda: linear_network(2),
    "gaussian": gaussian,
}


ARM_SOURCE = '''
import sympy as sp
import symgrad as sg
a, b, c = sp.symbols("a b c", real=True)
u, v, w = sp.symbols("u v w", real=True)

def derivation():
    phi = [sp.cos(a) + sp.cos(a + b) + sp.cos(a + b + c), sp.sin(a) + sp.sin(a + b) + sp.sin(a + b + c)]
    M = sg.Model(phi, params=[a, b, c], name="three-link arm")
    z1, z2 = M.z
    f = sg.Reparametrisation([u + v**3, v + w, w], params=[u, v, w])
    return sg.Derivation(key="arm", title="three-link arm", summary="", model=M, loss=(z1 - 1)**2 + z2**2,
                         reparametrisation=f, tikhonov=True, step=True)
'''


def three_link_arm():
    """A planar arm of three unit links: slow to decide exactly (the budget tests use it)."""
    env: dict = {}
    exec(ARM_SOURCE, env)  # noqa: S102 - the same source the command-line test writes to a file
    d = env["derivation"]()
    return d.model, d.reparametrisation
