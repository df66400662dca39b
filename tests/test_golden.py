"""Golden-file test: the LaTeX of one small derivation, reviewed once and diffed ever after.

``tests/golden/product.tex`` is the standalone document that ``symgrad render product``
writes.  It was read, compiled and looked at as pages before it was committed.  Any change
to the templates, filters or mathematics that alters it fails here with a unified diff;
if the change is intended, review the new output (compile it, look at the pages) and
regenerate the file with::

    SYMGRAD_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import symgrad as sg
from symgrad.render import render_document
from symgrad.render.context import derivation_context

GOLDEN = Path(__file__).resolve().parent / "golden"


def rendered(key: str) -> str:
    report = sg.run_derivation(sg.load_derivation(key), seed=0)  # seed 0, as the command line uses
    return render_document([derivation_context(report).as_dict()])


def test_product_derivation_matches_the_reviewed_tex():
    path = GOLDEN / "product.tex"
    new = rendered("product")
    if os.environ.get("SYMGRAD_UPDATE_GOLDEN") == "1":
        path.write_text(new, encoding="utf-8")
    old = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        "tests/golden/product.tex (reviewed)", "rendered now", n=2))
    assert not diff, ("the rendered LaTeX of the product derivation changed; review it and, if intended, "
                      "regenerate with SYMGRAD_UPDATE_GOLDEN=1:\n" + diff[:6000])


def test_rendering_is_deterministic():
    assert rendered("product") == rendered("product")
