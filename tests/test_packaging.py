"""The wheel is complete: built from this checkout, installed into a fresh virtual
environment, it renders the built-in appendix with nothing from the checkout.

This is what a user gets from ``pip install symgrad``: the templates and the
built-in derivations must be inside the wheel, not only in the repository.
The fresh environment installs the dependencies from the package index (pip's
cache makes that quick after the first run).
"""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_installs_and_renders_from_a_fresh_environment(tmp_path):
    pytest.importorskip("build", reason="building the wheel needs the 'test' extra (build)")
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], cwd=tmp_path)
    wheels = list(dist.glob("symgrad-*.whl"))
    assert len(wheels) == 1, wheels

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    run([str(py), "-m", "pip", "install", "-q", str(wheels[0])], cwd=tmp_path)

    # imported from the fresh environment, not from the checkout
    where = run([str(py), "-c", "import symgrad, sys; print(symgrad.__file__)"], cwd=tmp_path).stdout.strip()
    assert Path(where).resolve().is_relative_to(env_dir.resolve()), where

    work = tmp_path / "work"
    work.mkdir()
    proc = run([str(py), "-m", "symgrad", "list"], cwd=work)
    keys = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert {"polar", "product", "softmax", "nodal-cubic", "linear-network", "gaussian",
            "empirical-fisher"} <= set(keys), proc.stdout
    run([str(py), "-m", "symgrad", "render", "product", "--no-pdf", "-o", "out"], cwd=work)
    tex = (work / "out" / "appendix.tex").read_text(encoding="utf-8")
    assert r"\documentclass" in tex and r"\label{sec:product}" in tex and r"\end{document}" in tex
    assert r"\begin{theorem}" in tex  # the theory section comes from the shipped appendix template
