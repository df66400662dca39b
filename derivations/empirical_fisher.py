"""The empirical Fisher matrix from four samples, with Tikhonov damping.

A distribution on three outcomes, ``p = (a + b, c, 1 - a - b - c)``, with the
probability of the first outcome split redundantly between ``a`` and ``b``.
From the samples ``x = 1, 2, 2, 3`` the empirical Fisher matrix is
``F_emp = (1/N) sum_n d log p(x_n) d log p(x_n)^T`` (derivatives in the
parameters).  By the chain rule it is the pullback ``J^T g_emp J`` of the
ambient form ``g_emp = (1/N) sum_n s_n s_n^T`` with ``s_n = e_{x_n} / p_{x_n}``,
that is ``g_emp = diag(c_k / p_k^2)`` with the empirical frequencies ``c_k``.
Everything in the paper then applies with ``g_emp`` in place of the Fisher
metric ``diag(1/p_k)``, as long as ``g_emp`` is positive definite on the model;
the notes, computed when the derivation runs, say what happens when it is not
(a single sample), and what damping does (shown by exact values at one point,
since the general damped formula fills pages).  The empirical Fisher matrix
of the labelled samples comes from :func:`symgrad.supervised` (four draws of
the categorical family, no inputs).
Run it directly: ``python derivations/empirical_fisher.py``.
"""
import sympy as sp

import symgrad as sg

a, b, c, u, v, w = sp.symbols("a b c u v w", real=True)
p = sp.symbols("p1:4", positive=True)
SAMPLES = (1, 2, 2, 3)
N = len(SAMPLES)
FREQ = [sp.Rational(SAMPLES.count(k), N) for k in (1, 2, 3)]
PHI = [a + b, c, 1 - a - b - c]
F = sg.Reparametrisation([u + v, v, w + u], params=[u, v, w], name="shear")


def empirical_form(samples) -> sp.Matrix:
    """``g_emp = (1/N) sum_n s_n s_n^T`` with the ambient score ``s_n = d log p_{x_n} / dp = e_{x_n} / p_{x_n}``."""
    g = sp.zeros(3)
    for x in samples:
        s = sp.Matrix([sp.diff(sp.log(p[x - 1]), q) for q in p])
        g += s * s.T / len(samples)
    return g


def nll(samples) -> sp.Expr:
    """The average negative log-likelihood of the samples, a function of the ambient point."""
    return -sum(sp.log(p[x - 1]) for x in samples) / len(samples)


def _tex(vector) -> str:
    """A vector as inline mathematics for the notes: ``$(\\frac{1}{4}, u)$``."""
    return "$(" + ", ".join(sp.latex(x) for x in vector) + ")$"


def _sci(x) -> str:
    """A number rounded to three digits, as inline-mathematics text: ``2.76 \\cdot 10^{-3}``."""
    mantissa, exponent = f"{float(x):.2e}".split("e")
    return f"{mantissa} \\cdot 10^{{{int(exponent)}}}" if int(exponent) else mantissa


def _difference(ops, m):
    return {"residual": ops.sub(m["A"], m["B"])}


def _product(ops, m):
    return {"residual": ops.mul(m["A"], m["B"])}


def _solves(ops, m):
    G, nabla = m["G"], m["nabla"]
    return {"residual": ops.sub(ops.mul(G, ops.mul(ops.pinv(G, psd=True), nabla)), nabla)}


def comparisons(report: sg.Report) -> dict:
    """Compare F_emp with the true Fisher matrix, and redo the invariance check with one sample."""
    model = report.derivation.model
    xi = model.xi
    checks, notes = [], []

    # 1. F_emp from the labelled data (symgrad.supervised: the scores s_n = J^T d log p(x_n), summed)
    #    equals the pullback J^T g_emp J.
    data = sg.supervised(PHI, xi, inputs=[()] * N, x=(), family=sg.families.categorical(3), name="four samples")
    direct = data.empirical_fisher(SAMPLES) / N
    claim = sg.Claim("(1/N) sum_n dlog p(x_n) dlog p(x_n)^T = J^T g_emp J", {"A": direct, "B": model.G},
                     xi, _difference)
    checks.append(("empirical Fisher is a pullback", sg.decide(claim, seed=0).certificate))

    # 2. the true Fisher matrix, and where the two agree
    true = sg.Model(PHI, params=xi, metric=sg.families.categorical(3), name="true Fisher")
    on_data = {b: FREQ[0] - a, c: FREQ[1]}        # the points where p = empirical frequencies
    claim = sg.Claim("F_emp = F where p equals the empirical frequencies",
                     {"A": model.G.subs(on_data), "B": true.G.subs(on_data)}, (a,), _difference)
    checks.append(("F_emp = F at the data", sg.decide(claim, seed=0).certificate))
    true_ng = sg.natural_gradient(true, report.derivation.loss, seed=0)
    claim = sg.Claim("Fisher natural gradient of the average NLL = p - c (model point minus frequencies)",
                     {"A": true_ng.manifold, "B": true.phi - sp.Matrix(FREQ)}, xi, _difference)
    checks.append(("Fisher natural gradient = p - c", sg.decide(claim, seed=0).certificate))
    point = {a: sp.Rational(1, 10), b: sp.Rational(1, 10), c: sp.Rational(3, 10)}
    emp_grad = report.gradient.manifold.subs(point)
    true_grad = true_ng.manifold.subs(point)
    notes.append(
        f"At $a = b = 1/10$, $c = 3/10$ ($p = {_tex(model.phi.subs(point))[1:-1]}$) the empirical natural "
        f"gradient on the model is {_tex(emp_grad)} and the natural gradient of the Fisher metric is "
        f"{_tex(true_grad)} ($= p - c$): both are tangent vectors defined independently of the "
        "parametrisation, but they are gradients for different metrics and differ away from the data point "
        f"$p = {_tex(FREQ)[1:-1]}$, where $F_{{\\mathrm{{emp}}}} = F$ (and where this loss is minimal, so both vanish).")

    # 3. Tikhonov damping, shown by its values at one point (the general formula fills pages)
    damped = sg.damped_invariance(model, F, report.derivation.loss)
    checks.append(("Tikhonov limit", damped.limit_certificate))
    at = {u: sp.Rational(1, 20), v: sp.Rational(1, 20), w: sp.Rational(1, 4)}
    residuals = {lam: "$(" + ", ".join(_sci(x) for x in damped.residual.subs(at).subs(damped.lam, lam)) + ")$"
                 for lam in (1, sp.Rational(1, 100))}
    p_at = _tex(model.phi.xreplace(dict(zip(xi, F.f))).xreplace(at))[1:-1]
    notes.append(
        f"Damping, computed exactly: at $(u, v, w) = (1/20, 1/20, 1/4)$, where $p = {p_at}$, the damped steps "
        "of the two parametrisations differ on the model by $J\\,\\Delta_\\lambda = $ "
        f"{residuals[1]} for $\\lambda = 1$ and {residuals[sp.Rational(1, 100)]} for $\\lambda = 1/100$ "
        "(exact values, rounded here); the difference is a rational function of $\\lambda$ that vanishes at "
        "$\\lambda = 0$ (the check `Tikhonov limit').")

    # 4. a single sample: g_emp has rank 1 on the two-dimensional model
    one = (1,)
    g1 = empirical_form(one)
    degenerate = sg.Model(PHI, params=xi, coords=p,
                          metric=sg.Metric(tuple(p), g1, name="empirical form of one sample (degenerate)",
                                           positive=tuple(p)),
                          name="one sample")
    proof = sg.check_invariance(degenerate, F, nll(one), seed=0)
    checks.append(("J Delta grad = 0 (one sample)", proof.certificate))
    report.expected_refutations.add("J Delta grad = 0 (one sample)")
    if proof.delta is not None:
        G1 = degenerate.G.subs(dict(zip(xi, F.f)))
        claim = sg.Claim("G_emp(f(eta)) Delta grad = 0: the two vectors differ only where g_emp is blind",
                         {"A": G1, "B": proof.delta}, F.eta, _product)
        checks.append(("g_emp(J Delta grad, .) = 0 (one sample)", sg.decide(claim, seed=0).certificate))
        claim = sg.Claim("G_emp G_emp^+ nabla L = nabla L: eq. (1) for g_emp has solutions, J G_emp^+ nabla L one",
                         {"G": degenerate.G, "nabla": sg.coordinate_derivatives(degenerate, nll(one))}, xi, _solves)
        checks.append(("eq. (1) solvable (one sample)", sg.decide(claim, seed=0).certificate))
        J_delta = (degenerate.J.subs(dict(zip(xi, F.f))) * proof.delta).applyfunc(sp.factor)
        notes.append(
            "With the single sample $x = 1$, $g_{\\mathrm{emp}} = \\operatorname{diag}(1/p_1^2, 0, 0)$ is degenerate on "
            f"the tangent space of the model, and $F_{{\\mathrm{{emp}}}} = J^{{\\top}} g_{{\\mathrm{{emp}}}} J$ has rank {degenerate.G.rank()} "
            f"while $J$ has rank {degenerate.J.rank()}. Theorem 1 needs an inner product on "
            "$T_p\\mathcal{M}$, so it does not apply, and the recipe $J F_{\\mathrm{emp}}^{+} \\nabla\\mathcal{L}$ depends "
            f"on the parametrisation: $J\\,\\Delta\\operatorname{{grad}} = {_tex(J_delta)[1:-1]}$. "
            "The difference is $g_{\\mathrm{emp}}$-orthogonal to the model (it moves probability between outcomes 2 and "
            "3, about which the sample says nothing), so both vectors satisfy eq.~(1) of the paper for "
            "$g_{\\mathrm{emp}}$; eq.~(1) just no longer determines a unique vector.")
    gi = sg.check_generalised_inverses(degenerate, nll(one), seed=0)
    checks.append(("every generalised inverse (one sample)", gi))
    report.expected_refutations.add("every generalised inverse (one sample)")
    report.checks.extend(checks)
    return {"notes": list(report.derivation.notes) + notes}


def derivation() -> sg.Derivation:
    g_emp = sg.Metric.from_matrix(empirical_form(SAMPLES), p, name="empirical Fisher form of four samples",
                                positive=p)
    model = sg.Model(PHI, params=[a, b, c], coords=p, metric=g_emp, name="empirical Fisher")
    return sg.Derivation(
        key="empirical-fisher",
        title="The empirical Fisher matrix and Tikhonov damping",
        summary=("A three-outcome distribution with a redundant parameter and the samples "
                 f"${', '.join(map(str, SAMPLES))}$. The empirical Fisher matrix is the pullback of "
                 "$g_{\\mathrm{emp}} = \\operatorname{diag}(c_k / p_k^2)$, "
                 f"$c = {_tex(FREQ)[1:-1]}$, a positive-definite form since every outcome was observed; "
                 "the loss is the average negative log-likelihood of the samples."),
        model=model,
        loss=nll(SAMPLES),
        reparametrisation=F,
        extra=comparisons,
        notes=(r"Because $F_{\mathrm{emp}} = J^{\top} g_{\mathrm{emp}} J$ exactly, the Moore-Penrose empirical natural gradient is "
               r"parametrisation independent on the model ($J\,\Delta\operatorname{grad} = 0$ below) whenever "
               r"$g_{\mathrm{emp}}$ is positive definite on the tangent space, which holds here because all three outcomes "
               r"occur in the sample. It is the gradient for $g_{\mathrm{emp}}$, not for the Fisher metric.",
               r"Tikhonov damping $(F_{\mathrm{emp}} + \lambda I)^{-1} \nabla\mathcal{L}$ is not invariant for "
               r"$\lambda > 0$: $\lambda I$ is the Euclidean metric of whichever parameters are used. The "
               r"invariance comes back in the limit $\lambda \to 0$, which is the Moore-Penrose gradient."),
    )


if __name__ == "__main__":
    report = sg.run_derivation(derivation())
    print("\n".join(report.summary_lines()))
    for note in report.extra.get("notes", ()):
        print("  note:", note)
