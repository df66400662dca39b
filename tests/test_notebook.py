"""The tour notebook runs from top to bottom in a real Jupyter kernel without an error."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the 'test' extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the 'test' extra (nbclient)")
pytest.importorskip("ipykernel", reason="the notebook test needs the 'test' extra (ipykernel)")

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "derivations" / "tour.ipynb"


@pytest.mark.slow
def test_tour_notebook_executes(tmp_path):
    nb = nbformat.read(TOUR, as_version=4)
    assert any(c.cell_type == "code" and "init_printing" in c.source for c in nb.cells)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                                     resources={"metadata": {"path": str(tmp_path)}})
    # the kernel is this interpreter's ipykernel; a failing cell raises CellExecutionError
    client.execute(env=env)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    latex = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type in ("execute_result", "display_data") and "text/latex" in o.get("data", {})]
    assert len(latex) >= 10, "the tour should show objects through _repr_latex_ and SymPy's printer"
