"""The built-in derivations in ``derivations/``, and what loading a broken one says.

Every built-in derivation must run and verify: no refuted claim except the
refutations it declares (``Delta grad != 0`` and the counterexamples it is
about).  Known answers pin the numbers the derivations' notes state.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sympy as sp

import symgrad as sg
from symgrad.exceptions import DerivationError, ReparametrisationError, SingularPointError
from symgrad.render import render_document
from symgrad.render.context import derivation_context

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = [key for key, _path in sg.builtin_derivations()]
EXPECTED = {"polar", "nodal-cubic", "product", "softmax", "linear-network", "relu-network", "gaussian", "empirical-fisher"}

# the keys the LaTeX templates read from a derivation context (see symgrad.render.render_document)
CONTEXT_KEYS = {"title", "key", "summary", "model", "J", "G", "rank", "n_params", "pinv", "loss", "nabla",
                "grad_param", "grad_manifold", "riesz_agrees", "reparam", "singular", "tikhonov", "step",
                "figure", "notes"}

_REPORTS: dict[str, tuple[sg.Report, float]] = {}


def report(key: str) -> sg.Report:
    """Run a built-in derivation once per test session (seed 0, as the command line does)."""
    if key not in _REPORTS:
        t0 = time.perf_counter()
        rep = sg.run_derivation(sg.load_derivation(key), seed=0)
        _REPORTS[key] = (rep, time.perf_counter() - t0)
    return _REPORTS[key][0]


def context(rep: sg.Report) -> dict:
    """The plain template context of a report (what the templates read)."""
    return derivation_context(rep).as_dict()


def check(rep: sg.Report, name: str) -> sg.Certificate:
    found = [c for n, c in rep.checks if n == name]
    assert found, f"{rep.derivation.key} has no check named {name!r}: {[n for n, _ in rep.checks]}"
    return found[0]


# ---------------------------------------------------------------------------
# every built-in derivation
# ---------------------------------------------------------------------------

def test_the_builtin_set():
    assert EXPECTED <= set(BUILTIN)
    # the paper's order: Figure 1 first, the singular point of Figure 2 last
    assert BUILTIN[0] == "polar" and BUILTIN[-1] == "nodal-cubic"


@pytest.mark.parametrize("key", BUILTIN)
def test_builtin_derivation_verifies(key):
    rep = report(key)
    assert rep.ok(), "\n".join(rep.summary_lines())
    assert rep.derivation.key == key
    names = [n for n, _ in rep.checks]
    assert "Theorem 1" in names and "every generalised inverse" in names
    for name, cert in rep.checks:
        assert cert.verdict is not sg.Verdict.UNDECIDED, f"{key}: {name} undecided: {cert.summary()}"
    if rep.derivation.reparametrisation is not None:     # the paper's claim, proved exactly
        assert check(rep, "J Delta grad = 0").verdict is sg.Verdict.PROVED
    # the only refutations are the ones the derivation declares
    declared = rep.expected_refutations
    for name, cert in rep.checks:
        if cert.verdict is sg.Verdict.REFUTED:
            assert name in declared


@pytest.mark.parametrize("key", BUILTIN)
def test_builtin_derivation_is_fast(key):
    report(key)
    assert _REPORTS[key][1] < 20.0, f"{key} took {_REPORTS[key][1]:.1f} s"


@pytest.mark.parametrize("key", BUILTIN)
def test_report_outputs(key):
    rep = report(key)
    lines = rep.summary_lines()
    assert lines[0].startswith(f"{key}: ")
    point_lines = 0 if rep.at_point is None else 3                        # the values at the point
    assert len(lines) == 1 + len(rep.checks) + len(rep.errors) + point_lines
    data = json.loads(json.dumps(rep.as_json()))
    assert data["key"] == key and data["ok"] is True
    assert len(data["checks"]) == len(rep.checks)
    ctx = context(rep)
    assert CONTEXT_KEYS <= set(ctx), CONTEXT_KEYS - set(ctx)


@pytest.mark.parametrize("key", BUILTIN)
def test_builtin_derivation_renders(key):
    tex = render_document([context(report(key))], fragment=True)
    assert r"\documentclass" not in tex
    assert "section{" in tex


@pytest.mark.slow
def test_a_derivation_file_runs_directly():
    proc = subprocess.run([sys.executable, str(ROOT / "derivations" / "product.py")], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("product: The product model $z = ab$")
    assert "[PROVED] J Delta grad = 0" in proc.stdout


# ---------------------------------------------------------------------------
# known answers stated by the derivations
# ---------------------------------------------------------------------------

def test_polar_parameter_gradients_correspond_exactly():
    rep = report("polar")
    assert check(rep, "Delta grad").verdict is sg.Verdict.PROVED          # G invertible: Delta = 0
    assert context(rep)["grad_manifold"] == sp.Matrix([sp.Rational(1, 2), 1])
    assert context(rep)["step"]["is_zero"] is False                       # steps differ at second order
    assert r"\begin{tikzpicture}" in context(rep)["figure"]


def test_nodal_cubic_branch_vectors():
    rep = report("nodal-cubic")
    cert = check(rep, "eq. (4) at a singular point")
    assert cert.verdict is sg.Verdict.REFUTED
    ce = context(rep)["singular"]["counterexample"]
    vectors = {tuple(ce["grad1"]), tuple(ce["grad2"])}
    half = sp.Rational(1, 2)
    assert vectors == {(3 * half, 3 * half), (-half, half)}
    assert tuple(ce["point"]) == (0, 0)
    fig = context(rep)["figure"]
    assert "++(-0.5, 0.5)" in fig and "++(1.5, 1.5)" in fig            # the two vectors of eq. (4)
    assert fig.count(r"\draw[dotted") == 2 and "++(1, 2)" in fig       # projections of g^-1 dL = (1, 2)
    assert r"\xi_1 = 1$ (blue)" in fig.caption and r"\bigl(\frac{3}{2}, \frac{3}{2}\bigr)$ (blue)" in fig.caption


def test_product_gradient_and_damping():
    rep = report("product")
    a, b = rep.derivation.model.xi
    expected = sp.Matrix([b, a]) * (a * b - 1) / (a**2 + b**2)
    assert sp.simplify(context(rep)["grad_param"] - expected) == sp.zeros(2, 1)
    assert check(rep, "Delta grad").verdict is sg.Verdict.REFUTED
    assert check(rep, "Tikhonov limit").verdict is sg.Verdict.PROVED
    assert context(rep)["tikhonov"]["residual_is_zero"] is False
    assert context(rep)["at_point"]["manifold"] == sp.Matrix([1])


def test_softmax_fisher_matrix():
    rep = report("softmax")
    assert rep.derivation.model.rank == 2
    assert check(rep, "Fisher information matrix").verdict is sg.Verdict.PROVED
    delta = context(rep)["reparam"]["delta"]
    assert delta[0] == delta[1] == delta[2] != 0                          # a multiple of (1, 1, 1)
    assert context(rep)["step"]["is_zero"] is True                         # a linear shear


def test_linear_network_rank_condition():
    rep = report("linear-network")
    M = rep.derivation.model
    a1, a2, b11, b12, b21, b22 = M.xi
    n1, n2 = a1**2 + a2**2, b11**2 + b12**2 + b21**2 + b22**2
    assert M.rank == 2 and M.n_params == 6
    assert sp.expand(M.G_plus.condition - (n1**2 + n1 * n2 + (b11 * b22 - b12 * b21) ** 2)) == 0


def test_gaussian_splits_the_mean():
    rep = report("gaussian")
    u1, u2, _tau = rep.derivation.reparametrisation.eta
    assert context(rep)["reparam"]["delta"] == sp.Matrix([(u1 + u2) / 2, -(u1 + u2) / 2, 0])


def test_empirical_fisher_statements():
    rep = report("empirical-fisher")
    proved = ["empirical Fisher is a pullback", "F_emp = F at the data", "Fisher natural gradient = p - c",
              "g_emp(J Delta grad, .) = 0 (one sample)", "eq. (1) solvable (one sample)", "J Delta grad = 0",
              "Tikhonov limit"]
    for name in proved:
        assert check(rep, name).verdict is sg.Verdict.PROVED, name
    for name in ["J Delta grad = 0 (one sample)", "every generalised inverse (one sample)"]:
        assert check(rep, name).verdict is sg.Verdict.REFUTED, name
    notes = context(rep)["notes"]
    assert any("single sample" in n and "rank 1" in n for n in notes)
    assert context(rep)["tikhonov"] is None          # damping is shown by values at a point, in the notes
    assert any(n.startswith("Damping, computed exactly") for n in notes)


# ---------------------------------------------------------------------------
# broken derivations
# ---------------------------------------------------------------------------

def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


SINGULAR_DF = """
    import sympy as sp
    import symgrad as sg
    a, b, u, v = sp.symbols("a b u v", real=True)

    def derivation():
        model = sg.Model([a * b], params=[a, b])
        f = sg.Reparametrisation([u + v, 2 * u + 2 * v], params=[u, v])   # det Df = 0 everywhere
        return sg.Derivation(key="wrong", title="wrong", summary="", model=model, reparametrisation=f)
"""

AT_THE_NODE = """
    import sympy as sp
    import symgrad as sg
    t = sp.Symbol("t", real=True)
    z1, z2 = sp.symbols("z1 z2", real=True)

    def derivation():
        model = sg.Model([t**2 - 1, t**3 - t], params=[t], coords=[z1, z2])
        return sg.Derivation(key="at-node", title="at the node", summary="", model=model, loss=z1 + 2 * z2,
                             point={t: 1})
"""


def test_singular_Df_is_refused(tmp_path):
    path = write(tmp_path, "singular_df.py", SINGULAR_DF)
    with pytest.raises(ReparametrisationError, match="det Df = 0"):
        sg.load_derivation(path)


def test_a_point_at_a_singular_point_is_refused(tmp_path):
    d = sg.load_derivation(write(tmp_path, "at_node.py", AT_THE_NODE))
    with pytest.raises(SingularPointError, match="singular"):
        sg.run_derivation(d)


def test_syntax_error(tmp_path):
    path = write(tmp_path, "broken.py", "def derivation(:\n    pass\n")
    with pytest.raises(DerivationError, match=r"broken\.py failed to load: SyntaxError"):
        sg.load_derivation(path)


def test_error_inside_derivation_function(tmp_path):
    path = write(tmp_path, "raises.py", "def derivation():\n    return undefined_name\n")
    with pytest.raises(DerivationError, match="NameError"):
        sg.load_derivation(path)


def test_import_error(tmp_path):
    path = write(tmp_path, "imports.py", "import no_such_module_for_symgrad\n")
    with pytest.raises(DerivationError, match="ModuleNotFoundError"):
        sg.load_derivation(path)


def test_no_derivation_function(tmp_path):
    path = write(tmp_path, "empty.py", "x = 1\n")
    with pytest.raises(DerivationError, match=r"defines no function derivation\(\)"):
        sg.load_derivation(path)


def test_wrong_return_type(tmp_path):
    path = write(tmp_path, "number.py", "def derivation():\n    return 42\n")
    with pytest.raises(DerivationError, match="returned int"):
        sg.load_derivation(path)


def test_missing_file_and_unknown_key(tmp_path):
    with pytest.raises(DerivationError, match="no such file"):
        sg.load_derivation(tmp_path / "missing.py")
    with pytest.raises(DerivationError, match="built-in ones: .*polar"):
        sg.load_derivation("no-such-derivation")


def test_bad_key():
    t = sp.Symbol("t", real=True)
    with pytest.raises(DerivationError, match="key"):
        sg.Derivation(key="has space", title="", summary="", model=sg.Model([t], params=[t]))


def test_a_reparametrisation_singular_on_a_hypersurface_is_noted():
    # f(u, v) = (u^3, v) is a diffeomorphism only off u = 0: the identity is proved, and the report says where
    a, b, u, v = sp.symbols("a b u v", real=True)
    d = sg.Derivation(key="cube", title="cube", summary="", model=sg.Model([a * b], params=[a, b]),
                      reparametrisation=sg.Reparametrisation([u**3, v], [u, v]))
    rep = sg.run_derivation(d, seed=0)
    assert rep.ok()
    assert any("det Df = 3*u**2 may vanish" in n for n in rep.notes)
    assert any(line.startswith("  note: det Df") for line in rep.summary_lines())
    assert rep.as_json()["notes"] == rep.notes
    # a reparametrisation whose Jacobian determinant never vanishes gets no such note
    rho, s = sp.symbols("rho s", real=True)
    r, t = sp.symbols("r t", positive=True)
    d = sg.Derivation(key="lp", title="lp", summary="", model=sg.Model([r * sp.cos(t), r * sp.sin(t)], [r, t]),
                      reparametrisation=sg.Reparametrisation([sp.exp(rho), s], [rho, s]))
    assert not sg.run_derivation(d, seed=0).notes


def test_short_reprs_say_the_findings():
    rep = report("product")
    text = repr(rep)
    assert text.startswith("<Report 'product': ") and "1 refuted as expected" in text and len(text) < 120
    assert str(rep) == "\n".join(rep.summary_lines())
    assert repr(rep.derivation).startswith("<Derivation 'product': ") and "point" in repr(rep.derivation)
    assert repr(rep.factorised).startswith("<Factorisation: K = J J^T (1x1)") and "proved exactly" in repr(rep.factorised)


def test_results_print_inside_containers_under_init_printing():
    rep = report("product")
    tex = sp.latex((rep.factorised, rep, sp.Symbol("x")))      # SymPy's printer uses each object's _latex
    assert r"G^{+} = J^{\top} K^{-2} J" in tex and r"\text{product: 8 checks}" in tex and tex.endswith(r"x\right)")
    assert rep._repr_latex_().startswith(r"$\begin{gathered}") and rep._repr_latex_().endswith("$")


def test_display_forms_take_out_a_proved_common_factor():
    rep = report("product")
    F = rep.display_forms["grad_param"]
    a, b = rep.derivation.model.xi
    assert F.certificate.verdict is sg.Verdict.PROVED and F.short == sp.Matrix([b, a])
    assert sp.cancel(F.scalar - (a * b - 1) / (a**2 + b**2)) == 0
    assert sp.simplify(F.short * F.scalar - rep.gradient.parameter) == sp.zeros(2, 1)   # independent check
    assert "grad_param" not in [n for n, _ in rep.checks]                               # display only
    delta = report("softmax").display_forms["delta"]
    assert delta.short == sp.Matrix([1, 1, 1])                                         # c (1, 1, 1)^T
