"""The command line, run as a user runs it, in process: ``symgrad.cli.main(argv)``.

Each call runs in a temporary directory with standard output and error
captured (not terminals, so no progress may appear); one smoke test runs
``python -m symgrad`` in a subprocess, with the repository on ``PYTHONPATH``.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import symgrad as sg
from symgrad.cli import Progress, main
from symgrad.render import overfull_boxes, tex_errors

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = [key for key, _path in sg.builtin_derivations()]


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def symgrad(*args: str, cwd: Path, timeout: float = 300) -> Completed:
    """``symgrad ARGS`` in ``cwd``, in this process (``timeout`` is the subprocess smoke test's only)."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exc:  # argparse: --help, usage errors
                status = int(exc.code or 0)
    finally:
        os.chdir(old)
    return Completed(status, out.getvalue(), err.getvalue())


def test_subprocess_smoke(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-m", "symgrad", "verify", "product"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "product: The product model $z = ab$" and proc.stderr == ""


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("symgrad: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


# ---------------------------------------------------------------------------
# list, help, usage
# ---------------------------------------------------------------------------

def test_list(tmp_path):
    proc = symgrad("list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == BUILTIN
    assert any(line.startswith("polar ") and "Figure 1" in line for line in lines)
    assert proc.stderr == ""


def test_help_and_usage_errors(tmp_path):
    proc = symgrad("--help", cwd=tmp_path)
    assert proc.returncode == 0 and "verify" in proc.stdout and "render" in proc.stdout
    proc = symgrad(cwd=tmp_path)
    assert proc.returncode == 2 and "usage:" in proc.stderr
    proc = symgrad("verify", "polar", "--budget", "-1", cwd=tmp_path)
    assert proc.returncode == 2 and "budget" in proc.stderr
    for bad in ("0", "inf", "nan", "soon"):
        proc = symgrad("verify", "polar", "--timeout", bad, cwd=tmp_path)
        assert proc.returncode == 2 and "usage:" in proc.stderr, bad


# ---------------------------------------------------------------------------
# verify
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("key", BUILTIN)
def test_verify_builtin_json(key, tmp_path):
    proc = symgrad("verify", key, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""                     # not a terminal: no progress
    data = json.loads(proc.stdout)
    assert data["key"] == key and data["ok"] is True and data["errors"] == []
    verdicts = {c["name"]: c["verdict"] for c in data["checks"]}
    assert verdicts["Theorem 1"] == "PROVED"
    for c in data["checks"]:
        assert c["verdict"] != "REFUTED" or (c["name"] in data["expected_refutations"] and c["expected_refutation"])


def test_verify_text(tmp_path):
    proc = symgrad("verify", "product", "--seed", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == "product: The product model $z = ab$"
    assert any(line.startswith("  [PROVED] J Delta grad = 0") for line in out)
    assert any(line.startswith("  [REFUTED, as expected] Delta grad") for line in out)  # eq. (5) differs
    assert out[-1] == "OK: 8 checks, no claim refuted except the 1 the derivation sets out to refute"
    assert not any(line.count("Theorem 1") > 1 for line in out)  # a check named after its claim says it once
    # formulas in a paper's notation, not Python's (issue 14): no '**', no '*' between factors, and no
    # rounded decimal called exact
    text = proc.stdout
    assert "**" not in text and not re.search(r"[\w)]\*[\w(]", text), text
    assert not re.search(r"= -?\d+\.\d+ \(exact\)", text), text
    assert "u^2" in text                                            # the Tikhonov condition, readable


def test_verify_singular_Df_user_file(tmp_path):
    path = write(tmp_path, "singular_df.py", """
        import sympy as sp
        import symgrad as sg
        a, b, u, v = sp.symbols("a b u v", real=True)

        def derivation():
            model = sg.Model([a * b], params=[a, b])
            f = sg.Reparametrisation([u + v, 2 * u + 2 * v], params=[u, v])
            return sg.Derivation(key="wrong", title="wrong", summary="", model=model, reparametrisation=f)
    """)
    proc = symgrad("verify", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "singular_df.py" in line and "det Df = 0" in line and "diffeomorphism" in line
    proc = symgrad("--debug", "verify", str(path), cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" in proc.stderr and "ReparametrisationError" in proc.stderr


def test_verify_singular_point_user_file(tmp_path):
    path = write(tmp_path, "node.py", """
        import sympy as sp
        import symgrad as sg
        t = sp.Symbol("t", real=True)
        z1, z2 = sp.symbols("z1 z2", real=True)

        def derivation():
            model = sg.Model([t**2 - 1, t**3 - t], params=[t], coords=[z1, z2])
            return sg.Derivation(key="at-node", title="at the node", summary="", model=model,
                                 loss=z1 + 2 * z2, point={t: 1})
    """)
    proc = symgrad("verify", "node.py", cwd=tmp_path)
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "at-node" in line and "singular" in line


def test_verify_refuted_claim_exits_1(tmp_path):
    # a user's own check that fails: the Gram matrix of the product model is not the identity
    write(tmp_path, "false_claim.py", """
        import sympy as sp
        import symgrad as sg
        a, b = sp.symbols("a b", real=True)

        def my_claim(report):
            G = report.derivation.model.G
            claim = sg.Claim("G = I", {"G": G, "I": sp.eye(2)}, (a, b),
                             lambda ops, m: {"residual": ops.sub(m["G"], m["I"])})
            report.checks.append(("G is the identity", sg.decide(claim, seed=0).certificate))
            return {}

        def derivation():
            return sg.Derivation(key="false-claim", title="a false claim", summary="",
                                 model=sg.Model([a * b], params=[a, b]), loss=sp.Symbol("z1")**2, extra=my_claim)
    """)
    proc = symgrad("verify", "false_claim.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "[REFUTED] G is the identity" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("FAILED: G is the identity")
    lines = proc.stderr.strip().splitlines()      # the reason, in one line
    assert len(lines) == 1 and lines[0].startswith("symgrad: refuted: false-claim: G is the identity")
    proc = symgrad("verify", "false_claim.py", "--json", cwd=tmp_path)
    assert proc.returncode == 1 and json.loads(proc.stdout)["ok"] is False


NUMERIC_ONLY = """
    import sympy as sp
    import symgrad as sg
    x = sp.Symbol("x", positive=True)

    def atan_claim(report):
        A = sp.Matrix([[sp.atan(x) + sp.atan(1 / x) - sp.pi / 2]])      # true, but not liftable
        claim = sg.Claim("atan x + atan 1/x = pi/2", {"A": A}, (x,), lambda ops, m: {"residual": m["A"]})
        report.checks.append(("atan identity", sg.decide(claim, seed=0).certificate))
        return {}

    def derivation():
        return sg.Derivation(key="numeric-only", title="a numeric claim", summary="",
                             model=sg.Model([x], params=[x]), loss=sp.Symbol("z1")**2, extra=atan_claim)
"""


def test_verify_exit_status_numeric_claims(tmp_path):
    write(tmp_path, "numeric_only.py", NUMERIC_ONLY)
    proc = symgrad("verify", "numeric_only.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr     # nothing refuted
    assert "[NUMERIC] atan identity" in proc.stdout and proc.stderr == ""
    proc = symgrad("verify", "numeric_only.py", "--require-proof", cwd=tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: not proved: numeric-only: atan identity (numeric)")
    proc = symgrad("verify", "product", "--require-proof", cwd=tmp_path)   # every claim proved exactly
    assert proc.returncode == 0, proc.stderr


SLOW = """
    import time
    import sympy as sp
    import symgrad as sg
    x = sp.Symbol("x", real=True)

    def slow(report):
        time.sleep(30)
        return {}

    def derivation():
        return sg.Derivation(key="slow", title="slow", summary="", model=sg.Model([x], params=[x]),
                             loss=sp.Symbol("z1")**2, extra=slow)
"""


def test_timeout_bounds_the_whole_command(tmp_path):
    write(tmp_path, "slow.py", SLOW)
    t0 = time.monotonic()
    proc = symgrad("verify", "slow.py", "--timeout", "2", cwd=tmp_path)
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "--timeout of 2 s" in line and "while at" in line


@pytest.mark.parametrize("source, needle", [
    ("def derivation(:\n    pass\n", "SyntaxError"),
    ("def derivation():\n    return undefined_name\n", "NameError"),
    ("def derivation():\n    return 42\n", "returned int"),
    ("x = 1\n", "defines no function derivation()"),
])
def test_verify_broken_user_file(tmp_path, source, needle):
    (tmp_path / "broken.py").write_text(source)
    proc = symgrad("verify", "broken.py", cwd=tmp_path)
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "broken.py" in line and needle in line


def test_verify_unknown_name(tmp_path):
    proc = symgrad("verify", "no-such-thing", cwd=tmp_path)
    assert proc.returncode == 2
    assert "polar" in one_error_line(proc)
    proc = symgrad("verify", "missing.py", cwd=tmp_path)
    assert proc.returncode == 2 and "no such file" in one_error_line(proc)


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_render_all_builtin(tmp_path):
    out = tmp_path / "out"
    proc = symgrad("render", "--no-pdf", "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    tex = (out / "appendix.tex").read_text()
    assert tex.lstrip().startswith(r"\documentclass") or r"\documentclass" in tex
    assert r"\end{document}" in tex
    assert tex.count(r"\section{") >= len(BUILTIN)
    for key in BUILTIN:
        assert f"sec:{key}" in tex
    assert not (out / "appendix.pdf").exists()
    assert proc.stdout.splitlines() == [str(out / "appendix.tex"), str(out / "appendix-expanded.tex")]
    assert proc.stderr == ""


@pytest.mark.slow
@pytest.mark.tex
def test_render_all_builtin_pdf(tmp_path):
    """The main job: every built-in derivation compiles, with no TeX error or warning about
    undefined references, and nothing runs off the page (no box overfull by more than 3pt)."""
    if os.environ.get("SYMGRAD_NO_TEX") == "1":
        pytest.skip("SYMGRAD_NO_TEX=1: LaTeX compilation tests switched off")
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk is not on PATH: install TeX Live (see the README) or set SYMGRAD_NO_TEX=1")
    proc = symgrad("render", "--pdf", "-o", "out", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "out" / "appendix.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    # the appendix and its PDF, then the supplementary file of long expansions and its PDF
    assert proc.stdout.splitlines() == [str(Path("out") / n) for n in (
        "appendix.tex", "appendix.pdf", "appendix-expanded.tex", "appendix-expanded.pdf")]
    log = (tmp_path / "out" / "appendix.log").read_text(errors="replace")
    assert not tex_errors(log)
    assert not re.search(r"LaTeX Warning: (Reference|Citation) .* undefined|undefined references", log)
    worst = [(pt, line) for pt, line in overfull_boxes(log) if pt > 3.0]
    assert not worst, worst
    assert "overfull" not in proc.stderr
    for key in BUILTIN:  # each derivation is in the PDF's source, with its section label
        assert f"\\label{{sec:{key}}}" in (tmp_path / "out" / "appendix.tex").read_text()


def test_render_fragment(tmp_path):
    proc = symgrad("render", "product", "nodal-cubic", "--fragment", "-o", "frag", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    tex = (tmp_path / "frag" / "appendix.tex").read_text()
    assert r"\documentclass" not in tex and r"\begin{document}" not in tex
    assert r"The product model \texorpdfstring{$z = ab$}" in tex and r"\begin{tikzpicture}" in tex
    assert not (tmp_path / "frag" / "appendix.pdf").exists()


def test_render_user_file_with_title(tmp_path):
    write(tmp_path, "mine.py", """
        import sympy as sp
        import symgrad as sg
        x, y = sp.symbols("x y", real=True)

        def derivation():
            return sg.Derivation(key="mine", title="My model", summary="x plus y",
                                 model=sg.Model([x + y], params=[x, y]), loss=sp.Symbol("z1")**2 / 2)
    """)
    proc = symgrad("render", "mine.py", "--no-pdf", "--title", "My appendix", "-o", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    tex = (tmp_path / "appendix.tex").read_text()
    assert "My appendix" in tex and "My model" in tex


def test_render_missing_template_dir(tmp_path):
    proc = symgrad("render", "product", "--no-pdf", "--templates", str(tmp_path / "nope"), "-o", "x", cwd=tmp_path)
    assert proc.returncode == 2
    assert "template" in one_error_line(proc)


def test_render_user_template(tmp_path):
    tdir = tmp_path / "templates"
    tdir.mkdir()
    (tdir / "derivation.tex.j2").write_text(
        '((* extends "symgrad/derivation.tex.j2" *))\n'
        "((* block model *))\nUSER-MODEL-BLOCK ((( d.key ))).\n((* endblock model *))\n")
    proc = symgrad("render", "product", "--no-pdf", "--templates", str(tdir), "-o", "x", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "USER-MODEL-BLOCK product." in (tmp_path / "x" / "appendix.tex").read_text()


# ---------------------------------------------------------------------------
# progress (in process)
# ---------------------------------------------------------------------------

class _Stream:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [True, False])
def test_progress_only_on_a_terminal(tty):
    stream = _Stream(tty)
    progress = Progress(stream)
    progress.step("[1/7] polar")("Moore-Penrose inverse")
    if tty:
        assert "symgrad:" in stream.text and "[1/7] polar: Moore-Penrose inverse" in stream.text
    else:
        assert stream.text == ""


def test_main_in_process(capsys):
    assert main(["list"]) == 0
    assert "polar" in capsys.readouterr().out
    assert main(["verify", "no-such-derivation"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symgrad: error: no derivation named 'no-such-derivation'") and err.count("\n") == 1


# ---------------------------------------------------------------------------
# render --preamble, and the supplement of a factorised G^+
# ---------------------------------------------------------------------------

def test_render_preamble_prints_the_lines_a_host_document_needs(tmp_path):
    proc = symgrad("render", "--preamble", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == sg.render.preamble()
    assert r"\allowdisplaybreaks" in proc.stdout and r"\newtheorem{remark}" in proc.stdout
    assert not any(tmp_path.iterdir())                                   # nothing written, nothing run
    bare = symgrad("render", "--preamble", "--no-theorems", cwd=tmp_path)
    assert bare.returncode == 0 and r"\newtheorem" not in bare.stdout and r"\usepackage{tikz}" in bare.stdout


def test_render_preamble_to_a_file_and_refused_with_a_derivation(tmp_path):
    proc = symgrad("render", "--preamble", "-o", "paper", cwd=tmp_path)
    path = tmp_path / "paper" / "appendix-preamble.tex"
    assert proc.returncode == 0 and proc.stdout.strip() == str(Path("paper") / "appendix-preamble.tex")
    assert path.read_text() == sg.render.preamble()
    bad = symgrad("render", "--preamble", "product", cwd=tmp_path)
    assert bad.returncode == 2 and "takes no DERIVATION" in bad.stderr


def test_render_writes_the_supplement(tmp_path):
    proc = symgrad("render", "product", "--no-pdf", "-o", "out", cwd=tmp_path)   # J = (b, a): full row rank
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [str(Path("out") / "appendix.tex"), str(Path("out") / "appendix-expanded.tex")]
    sup = (tmp_path / "out" / "appendix-expanded.tex").read_text()
    assert r"\label{eq:product-Gplus}" in sup and r"\label{eq:product-delta}" in sup
    main_tex = (tmp_path / "out" / "appendix.tex").read_text()
    assert r"G^{+} = J^{\top} K^{-2} J" in main_tex and r"\label{eq:product-Gplus}" in main_tex   # short: shown


def test_verify_shows_the_values_at_the_derivations_point(tmp_path):
    text = symgrad("verify", "product", cwd=tmp_path)
    lines = text.stdout.splitlines()
    i = lines.index("  values at a = 2, b = 1 (exact):")
    # by hand: G^+ nabla L = (b, a)(ab - 1)/(a^2 + b^2) = (1, 2)/5 and grad_p L = ab - 1 = 1 at (2, 1)
    assert lines[i + 1:i + 3] == ["    eq. (5) grad^Xi L = (1/5, 2/5)", "    eq. (4) grad_p L = (1)"]
    data = json.loads(symgrad("verify", "product", "--json", cwd=tmp_path).stdout)["at_point"]
    assert data["point"] == {"a": "2", "b": "1"} and data["parameter"] == ["1/5", "2/5"]
    assert data["manifold"] == ["1"] and data["parameter_decimal"][0].startswith("0.2000000000")
