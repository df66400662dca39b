"""The bivariate normal family with a Cholesky factor of the covariance.

``N(mu, Sigma)`` on ``R^2`` with the Fisher metric of ``symgrad.families.normal(2)``
in its own coordinates ``(mu1, mu2, s11, s12, s22)``,
``g = dmu^T Sigma^-1 dmu + 1/2 tr(Sigma^-1 dSigma Sigma^-1 dSigma)``, parametrised
by the mean and a lower-triangular Cholesky factor ``L``, ``Sigma = L L^T``.  The
second parametrisation is the log-Cholesky factor (the diagonal of ``L`` as
exponentials), used in variational inference so that every parameter is
unconstrained.  The loss is the negative log-likelihood of the observation
``x = (1, 0)``.  Run it directly: ``python derivations/bivariate_normal.py``.
"""
import sympy as sp

import symgrad as sg

m1, m2, l21, n1, n2, a, b, c = sp.symbols("m1 m2 l21 n1 n2 a b c", real=True)
l11, l22 = sp.symbols("l11 l22", positive=True)
X = (1, 0)


def nll(N: sg.Metric) -> sp.Expr:
    """``-log p(x)`` in the family's coordinates (up to the constant ``log 2 pi``)."""
    mu1, mu2, s11, s12, s22 = N.z
    S = sp.Matrix([[s11, s12], [s12, s22]])
    r = sp.Matrix([X[0] - mu1, X[1] - mu2])
    return (r.T * S.adjugate() * r)[0, 0] / (2 * S.det()) + sp.log(S.det()) / 2


def derivation() -> sg.Derivation:
    N = sg.families.normal(2)
    L = sp.Matrix([[l11, 0], [l21, l22]])
    S = L * L.T
    model = sg.Model([m1, m2, S[0, 0], S[0, 1], S[1, 1]], params=[m1, m2, l11, l21, l22], metric=N,
                     name="bivariate normal, Cholesky factor")
    f = sg.Reparametrisation([n1, n2, sp.exp(a), b, sp.exp(c)], params=[n1, n2, a, b, c], name="log-Cholesky")
    return sg.Derivation(
        key="bivariate-normal",
        title="The bivariate normal family with a Cholesky factor",
        summary=(r"The normal family $N(\mu, \Sigma)$ on $\mathbb{R}^2$ with its Fisher metric "
                 r"$d\mu^{\top} \Sigma^{-1} d\mu + \tfrac12 \operatorname{tr}(\Sigma^{-1} d\Sigma\, \Sigma^{-1} d\Sigma)$ "
                 r"in the mean and the entries of $\Sigma$, parametrised by the mean "
                 r"and a Cholesky factor $\Sigma = L L^{\top}$. The loss is the negative log-likelihood of one "
                 r"observation at $(1, 0)$."),
        model=model,
        loss=nll(N),
        reparametrisation=f,
        notes=(r"The Gram matrix is the Fisher information matrix in the Cholesky parametrisation, computed as "
               r"the pullback $J^{\top} g(\phi) J$ of the family's metric; it is block diagonal (mean and "
               r"covariance are orthogonal for the Fisher metric) and of full rank 5 wherever $l_{11} l_{22} \neq 0$.",
               r"The log-Cholesky parametrisation $l_{11} = e^{a}$, $l_{22} = e^{c}$ is a diffeomorphism onto "
               r"$l_{11}, l_{22} > 0$; the Fisher information matrix is invertible, so the natural gradient is the "
               r"same vector in both parametrisations ($\Delta\operatorname{grad} = 0$), as Theorem 1 says for "
               r"a full-rank model."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
