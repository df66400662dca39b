"""Figure 1 of the paper: one model, two parametrisations.

The plane with the Euclidean metric, parametrised by polar coordinates
``(r, theta)`` and, through ``r = exp(rho)``, by log-polar coordinates
``(rho, vartheta)``.  The two parameter-space gradients of eq. (5) are different
vectors, but ``Df`` maps one onto the other and both give the same arrow on the
model.  Run it directly: ``python derivations/polar.py``.
"""
import sympy as sp

import symgrad as sg
from symgrad.render import Figure, Panel, tikz_panels_figure

r = sp.Symbol("r", positive=True)
theta, rho, vartheta = sp.symbols("theta rho vartheta", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)

# the base point of the figure: r = 2, theta = pi/4
R0, T0 = 2, sp.pi / 4


def figure(report: sg.Report) -> Figure:
    """Figure 1 of the paper for this model: the two parameter-space gradients of eq. (5), each in its own
    chart, and their common image grad_p L on the model (the circle r = 2 through p for orientation)."""
    inv = report.invariance
    assert inv is not None and inv.grad_xi is not None and inv.grad_eta is not None
    at_eta = {rho: sp.log(R0), vartheta: T0}              # eta with f(eta) = xi = (2, pi/4)
    grad_xi = inv.grad_xi.subs(at_eta)                     # eq. (5) for phi, at xi = f(eta)
    grad_eta = inv.grad_eta.subs(at_eta)                   # eq. (5) for phi o f, at eta
    mapped = (inv.f.Df * inv.grad_eta).subs(at_eta)        # df_eta grad^H, in T_xi Xi
    J = report.derivation.model.J.subs({r: R0, theta: T0})
    p = (float(R0 * sp.cos(T0)), float(R0 * sp.sin(T0)))
    circle = [(float(R0 * sp.cos(a)), float(R0 * sp.sin(a))) for a in [sp.pi * k / 40 for k in range(0, 21)]]

    def vec(M: sp.MatrixBase) -> list[float]:
        return [float(x) for x in M]

    def approx(M: sp.MatrixBase) -> str:
        return r"\approx (" + ", ".join(f"{float(x):.3f}" for x in M) + ")"

    grad_h, grad_x = r"\operatorname{grad}^{H}_{\eta}\mathcal{L}", r"\operatorname{grad}^{\Xi}_{\xi}\mathcal{L}"
    panels = [
        Panel(r"$H$: $(\rho, \vartheta)$", (float(sp.log(R0)), float(T0)), r"\eta",
              [(vec(grad_eta), "red!70!black", r"\operatorname{grad}^{H}", False)], axes=(r"\rho", r"\vartheta"),
              values=[f"${grad_h} {approx(grad_eta)}$"]),
        Panel(r"$\Xi$: $(r, \theta)$", (float(R0), float(T0)), r"\xi",
              [(vec(grad_xi), "blue", r"\operatorname{grad}^{\Xi}", False),
               (vec(mapped), "red!70!black", r"df_{\eta}\operatorname{grad}^{H}", True)], axes=("r", r"\theta"),
              values=[f"${grad_x} {approx(grad_xi)}$"]),
        Panel(r"$\mathcal{M} \subseteq \mathcal{Z}$: $(z_1, z_2)$", p, "p",
              [(vec(J * grad_xi), "blue", "", False),
               (vec(J * mapped), "red!70!black", r"\operatorname{grad}_{p}\mathcal{L}", True)], curve=circle,
              values=[r"$\operatorname{grad}_{p}\mathcal{L} " + approx(J * grad_xi) + "$"]),
    ]
    caption = (r"The paper's Figure~1 for polar coordinates. Left: the parameter space $H$ of the log-polar "
               r"coordinates with the gradient~(5) of $\tilde\phi = \phi \circ f$ at $\eta$. Middle: the parameter "
               r"space $\Xi$ of the polar coordinates with the gradient~(5) of $\phi$ at $\xi = f(\eta)$ (solid) and "
               r"the left vector carried over by $df_{\eta}$ (dashed). The two parameter-space gradients are different "
               r"coordinate vectors (their values are printed below the panels); mapped to the model (right) by "
               r"$d\phi$ and $d\tilde\phi$ they are one tangent vector $\operatorname{grad}_{p}\mathcal{L}$. The arc "
               r"is the circle $r = 2$ through $p$. Each panel has its own scale.")
    return Figure(tikz_panels_figure(panels, [(0, 1, "f"), (1, 2, r"\phi"), (0, 2, r"\tilde\phi = \phi \circ f")],
                                     panel_cm=2.7, gap_cm=1.1),
                  caption=caption)


def derivation() -> sg.Derivation:
    polar = sg.Model([r * sp.cos(theta), r * sp.sin(theta)], params=[r, theta], coords=[z1, z2],
                     name="polar coordinates")
    log_polar = sg.Reparametrisation([sp.exp(rho), vartheta], params=[rho, vartheta], name="log-polar")
    return sg.Derivation(
        key="polar",
        title="Polar and log-polar coordinates (the paper's Figure 1)",
        summary=(r"The Euclidean plane in polar coordinates $(r, \theta)$ and in log-polar coordinates "
                 r"$(\rho, \vartheta)$ with $r = e^{\rho}$. $G$ is invertible, so the parameter-space gradients "
                 r"correspond exactly under $Df$; they are still different coordinate vectors, and the "
                 "same tangent vector on the model."),
        model=polar,
        loss=z1 / 2 + z2,
        reparametrisation=log_polar,
        step=True,
        figure=figure,
        notes=(r"With the linear loss $\mathcal{L} = z_1/2 + z_2$ the Euclidean gradient is the constant "
               r"vector $(1/2, 1)$; both parametrisations recover it from their own $G^{+}$ and $\nabla\mathcal{L}$.",
               r"A gradient step taken in $(r, \theta)$ and one taken in $(\rho, \vartheta)$ agree only to first "
               "order in the step size: the second-order coefficient of their difference is not zero."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
