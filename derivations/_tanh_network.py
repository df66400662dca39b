"""A tanh network with two hidden units, fitted to two data points.

``u(x) = a1 tanh(w1 x) + a2 tanh(w2 x)`` observed at ``x = 1`` and ``x = 2``: four
weights for a point ``(u(1), u(2))`` of the plane, the setting of Zhang, Martens
and Grosse (2019) at its smallest.  ``tanh(w x)`` is a rational function of
``exp(w)``, so every claim is decided exactly in the field of the kernels
``exp(w1)``, ``exp(w2)``.  The second parametrisation is a nonlinear shear of the
weights.  Run it directly: ``python derivations/tanh_network.py``.
"""
import sympy as sp

import symgrad as sg

a1, a2, w1, w2 = sp.symbols("a1 a2 w1 w2", real=True)
b1, b2, v1, v2 = sp.symbols("b1 b2 v1 v2", real=True)
y1, y2 = sp.symbols("y1 y2", real=True)


def derivation() -> sg.Derivation:
    xs = (1, 2)
    phi = [a1 * sp.tanh(w1 * x) + a2 * sp.tanh(w2 * x) for x in xs]
    model = sg.Model(phi, params=[a1, a2, w1, w2], coords=[y1, y2], name="tanh network")
    shear = sg.Reparametrisation([b1 + v2**3, b2 - b1, v1, v2 + v1], params=[b1, b2, v1, v2], name="shear")
    return sg.Derivation(
        key="tanh-network",
        title="A tanh network with two hidden units",
        summary=(r"The network $u(x) = a_1 \tanh(w_1 x) + a_2 \tanh(w_2 x)$ observed at the inputs $x = 1, 2$, "
                 "with the Euclidean metric on the outputs. Four weights describe the plane of outputs, so "
                 r"$G$ is a $4 \times 4$ matrix of rank 2. The second parametrisation is the shear "
                 r"$(b, v) \mapsto (b_1 + v_2^3,\ b_2 - b_1,\ v_1,\ v_2 + v_1)$ of the weights."),
        model=model,
        loss=((y1 - 1) ** 2 + (y2 - sp.Rational(1, 2)) ** 2) / 2,
        reparametrisation=shear,
        point={a1: 1, a2: sp.Rational(1, 2), w1: sp.Rational(1, 2), w2: -1},
        notes=(r"Since $\tanh(w x) = (e^{2 w x} - 1)/(e^{2 w x} + 1)$ and the inputs are integers, every entry "
               r"of $J$, $G$ and $G^{+}$ is a rational function of $a_1, a_2, e^{w_1}, e^{w_2}$. These are "
               "algebraically independent functions, so a rational function of them vanishes identically "
               "exactly when it is zero as a rational function: the claims below are proved in that field.",),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
