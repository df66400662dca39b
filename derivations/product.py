"""The product ``a*b``: the smallest overparametrised model.

Two parameters describe one number ``z = a b``, so ``G`` has rank 1 and the
natural gradient needs a generalised inverse.  Under the nonlinear
reparametrisation ``a = u + v^3, b = v`` the parameter-space gradients of
eq. (5) differ (``Delta grad != 0``), while ``J Delta grad = 0``: both give the
same vector on the model.  Damping and the gradient step are worked out too.
Run it directly: ``python derivations/product.py``.
"""
import sympy as sp

import symgrad as sg

a, b, u, v = sp.symbols("a b u v", real=True)
z = sp.Symbol("z", real=True)


def derivation() -> sg.Derivation:
    model = sg.Model([a * b], params=[a, b], coords=[z], name="product")
    f = sg.Reparametrisation([u + v**3, v], params=[u, v], name="cubic shear")
    return sg.Derivation(
        key="product",
        title=r"The product model $z = ab$",
        summary=(r"The map $(a, b) \mapsto ab$ from the plane to the line, with the Euclidean metric: two "
                 r"parameters for a one-dimensional model, so $G = J^{\top} J$ has rank 1 everywhere except at "
                 "the origin, where it vanishes."),
        model=model,
        loss=(z - 1) ** 2 / 2,
        reparametrisation=f,
        tikhonov=True,
        step=True,
        point={a: 2, b: 1},
        notes=(r"$G^{+}\nabla\mathcal{L}$ is proportional to $(b, a)$: the Moore-Penrose inverse picks the "
               "parameter direction orthogonal, in the Euclidean sense of the parameters, to the fibre "
               r"$ab = \mathrm{const}$. The sheared parameters $(u, v)$ have another Euclidean structure and "
               "pick another direction; both directions map to the same vector on the line.",
               r"At $a = b = 0$ the rank of $J$ drops to 0: there the formula for $G^{+}$ does not apply "
               r"(its condition $a^2 + b^2 \neq 0$ fails), and the model point $z = 0$ is reached by the whole "
               "union of both axes."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
