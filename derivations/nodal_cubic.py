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
from symgrad.render import Figure
from symgrad.render.tikz import Branch, tikz_branches_figure

t = sp.Symbol("t", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)


def branch_vectors(report: sg.Report) -> dict:
    """The vectors J G^+ nabla L of eq. (4) at t = -1 and t = 1, both at the model point (0, 0)."""
    assert report.gradient is not None
    grad = report.gradient.manifold
    return {s: grad.subs(t, s) for s in (-1, 1)}


def _pair_latex(v) -> str:
    return r"\bigl(" + ", ".join(sp.latex(sp.nsimplify(x)) for x in v) + r"\bigr)"


def figure(report: sg.Report) -> Figure:
    """The paper's Figure 2: the parameter line with xi_1 = 1 and xi_2 = -1, the curve near the node
    p = phi(1) = phi(-1), the spans of the pushforwards at xi_1 (blue) and xi_2 (red), the vectors
    eq. (4) gives there, and the Euclidean gradient they are the projections of.  Computed from the
    model and its gradient alone, so the figure does not depend on the singular-point search."""
    M = report.derivation.model
    phi, J = M.phi, M.J
    assert report.gradient is not None and report.gradient.manifold is not None
    ts = [sp.Rational(k, 20) for k in range(-27, 28)]
    curve = [(float(phi[0].subs(t, s)), float(phi[1].subs(t, s))) for s in ts]
    # the two preimages of the node, as the singular-point section lists them (xi_1 = 1, xi_2 = -1)
    xi1, xi2 = sp.Integer(1), sp.Integer(-1)
    p = tuple(phi.subs(t, xi1))
    if p != tuple(phi.subs(t, xi2)):
        raise sg.SymgradError(f"phi(1) = {p} and phi(-1) = {tuple(phi.subs(t, xi2))} differ: no node to draw")
    dL = sg.loss_differential(M, report.derivation.loss).subs(t, xi1)
    ambient = M.g_phi.subs(t, xi1).inv() * dL                       # g^{-1} dL at p
    grad = report.gradient.manifold                                  # eq. (4) along the curve
    v1, v2 = tuple(grad.subs(t, xi1)), tuple(grad.subs(t, xi2))
    branches = [
        Branch(span=tuple(float(x) for x in J.subs(t, xi1)), vector=tuple(float(x) for x in v1),
               colour="blue", vector_label=r"\overline{\operatorname{grad}}^{(1)}_{p}",
               span_label=r"\operatorname{span}\,\partial(\xi_1)", parameter=float(xi1),
               parameter_label=r"\xi_1"),
        Branch(span=tuple(float(x) for x in J.subs(t, xi2)), vector=tuple(float(x) for x in v2),
               colour="red!75!black", vector_label=r"\overline{\operatorname{grad}}^{(2)}_{p}",
               span_label=r"\operatorname{span}\,\partial(\xi_2)", parameter=float(xi2),
               parameter_label=r"\xi_2"),
    ]
    tikz = tikz_branches_figure(curve, [float(x) for x in p], branches,
                                ambient=([float(x) for x in ambient], r"g^{-1} d\mathcal{L}"),
                                parameter_range=(-1.6, 1.6), width_cm=5.5, max_height_cm=5.5)
    caption = (
        rf"The paper's Figure 2 for the nodal cubic $\phi(t) = (t^2 - 1, t^3 - t)$, $-1.35 \le t \le 1.35$. "
        rf"Left: the parameter line, with $\xi_1 = {sp.latex(xi1)}$ (blue) and $\xi_2 = {sp.latex(xi2)}$ (red), "
        rf"which $\phi$ maps to the same point $p = {_pair_latex(p)}$. Right: the curve near $p$; the "
        r"blue and red lines are the spans of the pushforwards $\partial(\xi_1)$ and $\partial(\xi_2)$, the "
        r"tangent lines of the two branches. The thick arrows are the right-hand side of eq.~(4) of the paper "
        rf"evaluated at $\xi_1$, ${_pair_latex(v1)}$ (blue), and at $\xi_2$, "
        rf"${_pair_latex(v2)}$ (red): the orthogonal projections (dotted) of the Euclidean gradient "
        rf"$g^{{-1}} d\mathcal{{L}} = {_pair_latex(ambient)}$ (dashed) onto the two lines. Two different "
        r"vectors at one point: at a singular point eq.~(4) depends on the parametrisation.")
    return Figure(tikz, caption=caption)


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
