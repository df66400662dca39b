"""Softmax with three outcomes and the Fisher metric of the simplex.

``p_i = exp(theta_i) / sum_j exp(theta_j)`` uses three logits for a
two-dimensional family: adding the same constant to every logit does not change
``p``.  With the Fisher metric ``diag(1/p_i)`` the Gram matrix is the Fisher
information matrix ``diag(p) - p p^T``, singular along ``(1, 1, 1)``.  A shear
of the logits changes the Moore-Penrose natural gradient in parameter space but
not on the simplex.  Run it directly: ``python derivations/softmax.py``.
"""
import sympy as sp

import symgrad as sg

theta = sp.symbols("theta1:4", real=True)
eta = sp.symbols("eta1:4", real=True)
p = sp.symbols("p1:4", positive=True)


def _in_words(cert: sg.Certificate) -> str:
    """A verdict as a sentence of the appendix (no code text)."""
    if cert.verdict is sg.Verdict.PROVED:
        return r"proved exactly, as an identity of rational functions of $e^{\theta_1}, e^{\theta_2}, e^{\theta_3}$"
    return str(cert.verdict)


def fisher_checks(report: sg.Report) -> dict:
    """Two independent routes to the FIM, ``diag(p) - p p^T`` and the log-density formula, and the
    gradient on the model written in ``p`` (``p - e_1`` for the loss ``-log p_1``), each proved equal to
    what the library computed; the appendix shows the matrices and vectors in terms of ``p``."""
    model = report.derivation.model
    softmax = model.phi
    log_density = [sp.log(q) for q in softmax]
    inputs = {
        "G": model.G,
        "closed_form": sp.diag(*softmax) - softmax * softmax.T,
        "from_log_density": sg.fisher_information(log_density, theta),
    }

    def compute(ops, m):
        return {"residual": ops.sub(m["G"], m["closed_form"]) + ops.sub(m["G"], m["from_log_density"])}

    claim = sg.Claim("J^T diag(1/p) J = diag(p) - p p^T = sum_x p(x) dlog p(x) dlog p(x)^T",
                     inputs, theta, compute)
    fim = sg.decide(claim, seed=0).certificate
    report.checks.append(("Fisher information matrix", fim))
    notes = list(report.derivation.notes)
    P = sp.Matrix(p)
    G_p = sp.Matrix(3, 3, lambda i, j: sp.Mul(p[i], 1 - p[i], evaluate=False) if i == j else -p[i] * p[j])
    notes.append(r"In terms of the probabilities $p_i = e^{\theta_i} / (e^{\theta_1} + e^{\theta_2} + e^{\theta_3})$, "
                 rf"the Gram matrix below is the Fisher information matrix $G = \operatorname{{diag}}(p) - p p^{{\top}} = "
                 rf"{sp.latex(G_p, mat_str='pmatrix', mat_delim='')}$: {_in_words(fim)} (the check of the Fisher information matrix below, which "
                 "also compares it with the log-density formula).")
    ng = report.gradient
    if ng is not None and ng.manifold is not None:
        e1 = sp.Matrix([1, 0, 0])
        gclaim = sg.Claim("grad_p L = p - e_1 on the simplex, with p the softmax of theta",
                          {"manifold": ng.manifold, "closed_form": softmax - e1}, theta,
                          lambda ops, m: {"residual": ops.sub(m["manifold"], m["closed_form"])})
        gcert = sg.decide(gclaim, seed=0).certificate
        report.checks.append(("gradient on the model in terms of p", gcert))
        notes.append(r"In the same terms, the gradient on the model of the loss $-\log p_1$ is "
                     r"$\operatorname{grad}_{p}\mathcal{L} = p - e_1 = (p_1 - 1, p_2, p_3)^{\top}$, "
                     r"the vector $g^{-1} d\mathcal{L} = (-1, 0, 0)^{\top}$ made tangent to the simplex by adding "
                     rf"$p$: {_in_words(gcert)}.")
    return {"notes": notes}


def derivation() -> sg.Derivation:
    Z = sum(sp.exp(t) for t in theta)
    model = sg.Model([sp.exp(t) / Z for t in theta], params=theta, metric=sg.Metric.simplex_fisher(p),
                     name="softmax")
    shear = sg.Reparametrisation([eta[0] + eta[1], eta[1], eta[2]], params=eta, name="shear")
    return sg.Derivation(
        key="softmax",
        title="Softmax with the Fisher metric of the simplex",
        summary=("Three logits parametrise the two-dimensional family of distributions on three outcomes. "
                 r"The pullback of the Fisher metric $\operatorname{diag}(1/p)$ is the Fisher information matrix "
                 r"$\operatorname{diag}(p) - p p^{\top}$, of rank 2; the loss is the negative log-likelihood "
                 "of outcome 1."),
        model=model,
        loss=-sp.log(p[0]),
        reparametrisation=shear,
        step=True,
        extra=fisher_checks,
        notes=(r"$G\,(1, 1, 1)^{\top} = 0$: shifting every logit by the same amount does not move the "
               r"distribution, so $G$ is singular at every point and the natural gradient needs a generalised "
               "inverse.",
               r"The shear $\theta_1 = \eta_1 + \eta_2$ moves the null direction of $G$: in the $\eta$ coordinates "
               r"it is $Df^{-1} (1, 1, 1)^{\top} = (0, 1, 1)^{\top}$. The Moore-Penrose inverse removes a different "
               r"null component in each parametrisation, so $\Delta\operatorname{grad}$ is a non-zero multiple of "
               r"$(1, 1, 1)^{\top}$, which $J$ maps to zero.",
               "Because the shear is linear, the two gradient steps differ in the logits by a multiple of "
               r"$(1, 1, 1)^{\top}$, a common shift that does not change the distribution: here the steps agree "
               "exactly, not only to first order (the second-order term below vanishes)."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
