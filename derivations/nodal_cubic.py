"""Figure 2 of the paper: the nodal cubic and its singular point.

``phi(t) = (t^2 - 1, t^3 - t)`` traces a curve that crosses itself at the
origin: ``t = -1`` and ``t = 1`` both reach ``p = (0, 0)``.  Each branch has its
own tangent line there, so the recipe of eq. (4) gives a vector on the first
branch's tangent from ``t = -1`` and one on the second branch's tangent from
``t = 1``: at a singular point the "gradient" depends on the parametrisation
(a reparametrisation with ``f(-1) = 1`` picks the other branch).
Run it directly: ``python derivations/nodal_cubic.py``.
"""
import sympy as sp

import symgrad as sg
from symgrad.render import tikz_curve_figure

t = sp.Symbol("t", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)


def branch_vectors(report: sg.Report) -> dict:
    """The vectors J G^+ nabla L of eq. (4) at t = -1 and t = 1, both at the model point (0, 0)."""
    assert report.gradient is not None
    grad = report.gradient.manifold
    return {s: grad.subs(t, s) for s in (-1, 1)}


def figure(report: sg.Report) -> str:
    """The curve for -1.6 <= t <= 1.6 and, at the node, the two branch vectors of eq. (4)."""
    phi = report.derivation.model.phi
    ts = [sp.Rational(k, 20) for k in range(-32, 33)]
    curve = [(float(phi[0].subs(t, s)), float(phi[1].subs(t, s))) for s in ts]
    vec = branch_vectors(report)
    arrows = [([float(x) for x in vec[-1]], "blue", r"t=-1"),
              ([float(x) for x in vec[1]], "red!70!black", r"t=1")]
    return tikz_curve_figure(curve, (0, 0), arrows, width_cm=6.0)


def derivation() -> sg.Derivation:
    model = sg.Model([t**2 - 1, t**3 - t], params=[t], coords=[z1, z2], name="nodal cubic")
    return sg.Derivation(
        key="nodal-cubic",
        title="The nodal cubic (the paper's Figure 2)",
        summary=(r"The curve $\phi(t) = (t^2 - 1, t^3 - t)$ in the Euclidean plane. Its Jacobian never "
                 r"vanishes, so $G = \lvert\phi'(t)\rvert^2$ is invertible for every $t$, yet the curve passes "
                 "twice through the origin, which is therefore a singular point of the model."),
        model=model,
        loss=z1 + 2 * z2,
        singular=True,
        figure=figure,
        notes=(r"At $t = -1$ the tangent is $(-2, 2)$ and at $t = 1$ it is $(2, 2)$. Eq.~(4) of the paper "
               r"projects the Euclidean gradient $(1, 2)$ of the loss onto the tangent line of the branch it is "
               r"evaluated on, which gives $(-1/2, 1/2)$ from $t = -1$ and $(3/2, 3/2)$ from $t = 1$: two "
               r"different vectors at the same model point, although $G$ is a non-degenerate $1 \times 1$ "
               "matrix.",),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
