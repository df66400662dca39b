"""A two-layer linear network, overparametrised by its rescaling symmetry.

``y = W2 W1 x`` with input ``x = 1``, a hidden layer of width 2 and two outputs:
six weights for a point ``y`` of the plane.  Scaling the first layer by ``c``
and the second by ``1/c`` leaves every output unchanged, and so does any
invertible mixing of the hidden units.  The reparametrisation used here is that
rescaling with ``c = 2``: ``phi o f`` is literally the same function of its
parameters as ``phi``, yet the Moore-Penrose natural gradients in parameter
space are not related by ``Df``.  Run it directly:
``python derivations/linear_network.py``.
"""
import sympy as sp

import symgrad as sg

a1, a2 = sp.symbols("a1 a2", real=True)                   # W1 (2 x 1)
b11, b12, b21, b22 = sp.symbols("b11 b12 b21 b22", real=True)  # W2 (2 x 2)
u1, u2 = sp.symbols("u1 u2", real=True)
c11, c12, c21, c22 = sp.symbols("c11 c12 c21 c22", real=True)
y1, y2 = sp.symbols("y1 y2", real=True)


def derivation() -> sg.Derivation:
    W1 = sp.Matrix([a1, a2])
    W2 = sp.Matrix([[b11, b12], [b21, b22]])
    x = 1
    model = sg.Model(W2 * W1 * x, params=[a1, a2, b11, b12, b21, b22], coords=[y1, y2],
                     name="linear network")
    rescale = sg.Reparametrisation([2 * u1, 2 * u2, c11 / 2, c12 / 2, c21 / 2, c22 / 2],
                                   params=[u1, u2, c11, c12, c21, c22], name="rescaling")
    return sg.Derivation(
        key="linear-network",
        title="A two-layer linear network",
        summary=(r"The network $y = W_2 W_1 x$ with scalar input $x = 1$, hidden width 2 and two outputs, "
                 "with the Euclidean metric on the outputs. Six weights describe the plane of outputs, so "
                 r"$G$ is a $6 \times 6$ matrix of rank 2. The second parametrisation doubles the first layer "
                 "and halves the second, a symmetry of the network."),
        model=model,
        loss=((y1 - 1) ** 2 + y2 ** 2) / 2,
        reparametrisation=rescale,
        notes=(r"The rescaling $f$ maps the parameters $(u, C)$ to $(2u, C/2)$, and $\phi \circ f$ has the same "
               r"formula as $\phi$. The parameter-space gradients still differ: $Df$ is not orthogonal, and the "
               "Moore-Penrose inverse is defined with the Euclidean inner product of the parameters, which "
               r"$f$ does not preserve.",
               r"The columns of $J$ are the columns of $W_2$ and $a_j e_i$, so $J$ has rank 2 unless $W_1 = 0$ "
               r"and $W_2$ is singular. The condition of the formula for $G^{+}$ says exactly this: it is "
               r"$\lvert W_1\rvert^4 + \lvert W_1\rvert^2 \lvert W_2\rvert^2 + (\det W_2)^2$, with Frobenius "
               "norms, which vanishes only there."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
