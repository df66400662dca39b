"""A two-unit ReLU network, region by region.

``u_i = a_1 max(0, w_1 x_i + b_1) + a_2 max(0, w_2 x_i + b_2)`` at the data
points ``x = 1, 2``: six parameters, two outputs.  The network is not smooth,
so the paper's setting (a smooth ``phi``, §2) holds only inside the regions
where every pre-activation ``w_j x_i + b_j`` keeps a strict sign; there the
network is one polynomial.  :func:`symgrad.piecewise.regions` finds the 16
regions (each with an exact rational point), and this derivation works
through the region where both units are active at both data points, with the
positive rescaling ``a -> a/2``, ``(w, b) -> 2 (w, b)``, which maps that region
onto itself.  Run it directly: ``python derivations/relu_network.py``.
"""
import sympy as sp

import symgrad as sg
from symgrad.piecewise import regions

a1, a2, w1, w2, b1, b2 = sp.symbols("a1 a2 w1 w2 b1 b2", real=True)
u1, u2, v1, v2, c1, c2 = sp.symbols("u1 u2 v1 v2 c1 c2", real=True)
y1, y2 = sp.symbols("y1 y2", real=True)
XS = (1, 2)


def network() -> list:
    return [a1 * sp.Max(0, w1 * x + b1) + a2 * sp.Max(0, w2 * x + b2) for x in XS]


def derivation() -> sg.Derivation:
    R = regions(network(), [a1, a2, w1, w2, b1, b2], coords=[y1, y2], name="ReLU network")
    if not (R.complete and len(R) == 2 ** 4 and not R.empty and not R.no_point_found):
        raise sg.SymgradError(f"the ReLU network's regions are not the 16 sign patterns stated below: {R!r}")
    active = next(r for r in R if all(c.sign > 0 for c in r.conditions) and len(r.conditions) == 4)
    conds = ", ".join(sp.latex(c.relational) for c in active.conditions)
    point = ", ".join(f"{sp.latex(s)} = {sp.latex(x)}" for s, x in active.witness.items())
    loss = ((y1 - 1) ** 2 + (y2 - 3) ** 2) / 2
    model = sg.Model(active.phi, params=[a1, a2, w1, w2, b1, b2], coords=[y1, y2],
                     name="ReLU network, both units active")
    rescale = sg.Reparametrisation([u1 / 2, u2 / 2, 2 * v1, 2 * v2, 2 * c1, 2 * c2],
                                   params=[u1, u2, v1, v2, c1, c2], name="positive rescaling")
    # eq. (5) depends on the parametrisation inside the region itself: Delta grad at a point of f^-1(region)
    on_region = active.check_invariance(rescale, loss)
    eta = on_region.preimage_witness
    delta = on_region.result.delta.xreplace(eta)
    eta_text = ", ".join(f"{sp.latex(s)} = {sp.latex(x)}" for s, x in eta.items())
    return sg.Derivation(
        key="relu-network",
        title="A two-unit ReLU network on one linear region",
        summary=(r"The network $u_i = a_1 \max(0, w_1 x_i + b_1) + a_2 \max(0, w_2 x_i + b_2)$ at the data "
                 r"points $x = 1, 2$, with the Euclidean metric on the outputs. It is smooth only inside the "
                 rf"regions where no pre-activation vanishes; there are {len(R)} of them, and this section works "
                 rf"in the one where both units are active at both points, ${conds}$, where the network is the "
                 "polynomial below."),
        model=model,
        loss=loss,
        reparametrisation=rescale,
        notes=(rf"Every one of the {len(R)} sign patterns of the four pre-activations is a non-empty open region: "
               r"each has an exact rational point, checked by substitution (here "
               rf"${point}$); the splitting is complete, and the regions are disjoint.",
               r"On the boundaries, where some $w_j x_i + b_j = 0$, the network is in general not differentiable, "
               r"and none of the claims below apply there.",
               r"The rescaling $a_j \mapsto a_j/2$, $(w_j, b_j) \mapsto 2 (w_j, b_j)$ multiplies every "
               r"pre-activation by 2, so it maps the region onto itself and $\phi \circ f = \phi$ there; the "
               r"parameter-space gradients still differ, while their images on the model agree. At the point "
               rf"${eta_text}$, which $f$ maps into the region, $\Delta\mathrm{{grad}} = {sp.latex(delta.T)}^{{T}}$ "
               "exactly (the witness of the check below is a point of the polynomial, which need not lie in the "
               "region)."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
