"""A Gaussian family with a redundant mean.

The normal distributions ``N(mu, sigma^2)`` with the Fisher metric
``diag(1/sigma^2, 2/sigma^2)`` in ``(mu, sigma)``, parametrised by
``mu = m1 + m2`` and ``sigma = s``: three parameters for a two-dimensional
family, so the Fisher information matrix is singular.  The second
parametrisation mixes the two means and uses the log standard deviation
``s = exp(tau)``.  The loss is the negative log-likelihood of the observation
``x = 0``.  Run it directly: ``python derivations/gaussian.py``.
"""
import sympy as sp

import symgrad as sg

m1, m2, u1, u2, tau = sp.symbols("m1 m2 u1 u2 tau", real=True)
s = sp.Symbol("s", positive=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)


def derivation() -> sg.Derivation:
    model = sg.Model([m1 + m2, s], params=[m1, m2, s], metric=sg.families.normal(1, scale="sd", coords=[mu, sigma]),
                     name="Gaussian with two means")
    f = sg.Reparametrisation([u1 - u2, 2 * u2, sp.exp(tau)], params=[u1, u2, tau], name="mixed means, log-sigma")
    x = 0
    nll = sp.log(sigma) + (x - mu) ** 2 / (2 * sigma**2)
    return sg.Derivation(
        key="gaussian",
        title="A Gaussian family with redundant mean parameters",
        summary=("The univariate normal family with the Fisher metric, the mean written as the sum of two "
                 "parameters. The Fisher information matrix is 3 x 3 of rank 2, with null vector (1, -1, 0). "
                 "The loss is the negative log-likelihood of one observation at 0."),
        model=model,
        loss=nll,
        reparametrisation=f,
        tikhonov=True,
        notes=(r"The Moore-Penrose natural gradient splits the change of the mean equally between $m_1$ and "
               r"$m_2$; in the parameters $(u_1, u_2, \tau)$ the split is different, which is "
               r"$\Delta\operatorname{grad} \neq 0$. Both give the same change of $(\mu, \sigma)$.",
               r"The standard deviation enters through $s = e^{\tau}$, so the second parametrisation is "
               r"nonlinear and the exact computations run over $\mathbb{Q}(u_1, u_2, \tau, e^{\tau})$."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
