"""Figure 1 of the paper: one model, two parametrisations.

The plane with the Euclidean metric, parametrised by polar coordinates
``(r, theta)`` and, through ``r = exp(rho)``, by log-polar coordinates
``(rho, vartheta)``.  The two parameter-space gradients of eq. (5) are different
vectors, but ``Df`` maps one onto the other and both give the same arrow on the
model.  Run it directly: ``python derivations/polar.py``.
"""
import sympy as sp

import symgrad as sg
from symgrad.render import tikz_curve_figure

r = sp.Symbol("r", positive=True)
theta, rho, vartheta = sp.symbols("theta rho vartheta", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)

# the base point of the figure: r = 2, theta = pi/4
R0, T0 = 2, sp.pi / 4


def figure(report: sg.Report) -> str:
    """The circle r = 2, the pushforwards d_r, d_theta, d_rho at the base point, and grad_p L."""
    inv = report.invariance
    assert inv is not None and report.gradient is not None
    at = {r: R0, theta: T0}
    d_r, d_theta = (report.derivation.model.J[:, i].subs(at) for i in range(2))
    grad = report.gradient.manifold.subs(at)
    circle = [(float(R0 * sp.cos(a)), float(R0 * sp.sin(a)))
              for a in [sp.pi * k / 40 for k in range(0, 21)]]
    base = [float(R0 * sp.cos(T0)), float(R0 * sp.sin(T0))]
    # d_rho = (dr/drho) d_r = r d_r: the log-polar pushforward is the polar one scaled by r
    d_rho = (inv.f.Df[0, 0] * d_r).subs(rho, sp.log(R0))
    arrows = [
        (d_rho, "red!70!black", r"\partial_\rho"),
        (d_r, "blue", r"\partial_r"),
        (d_theta, "blue", r"\partial_\theta = \partial_\vartheta"),
        (grad, "black", r"\operatorname{grad}_p\mathcal{L}"),
    ]
    return tikz_curve_figure(circle, base, [([float(x) for x in v], c, t) for v, c, t in arrows],
                             width_cm=6.0)


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
