r"""Compilation with latexmk, and reading TeX logs (errors, overfull boxes)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Union

from ..exceptions import RenderError

__all__ = ["write_outputs", "tex_errors", "overfull_boxes"]

PathLike = Union[str, "os.PathLike[str]"]


def tex_errors(log_text: str, context: int = 3) -> list[str]:
    r"""The TeX error lines of a log: each line starting with ``!`` and ``context`` lines after it.

    Examples
    ========
    >>> tex_errors("x\n! Undefined control sequence.\nl.3 \\foo\n\ny", context=1)
    ['! Undefined control sequence.\nl.3 \\foo']
    """
    lines = log_text.splitlines()
    return ["\n".join(lines[i:i + 1 + context]).rstrip()
            for i, line in enumerate(lines) if line.startswith("!")]


_OVERFULL = re.compile(r"^Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too (?:wide|high)\).*$", re.MULTILINE)


def overfull_boxes(log_text: str) -> list[tuple[float, str]]:
    r"""The overfull boxes of a TeX log, as ``(points too wide or too high, log line)``.

    Both kinds count: an ``\hbox`` too wide runs into the margin, a ``\vbox``
    too high (a display taller than what is left of the page) runs off the page.

    Examples
    ========
    >>> overfull_boxes("Overfull \\hbox (12.3pt too wide) in paragraph at lines 5--7\nok")
    [(12.3, 'Overfull \\hbox (12.3pt too wide) in paragraph at lines 5--7')]
    >>> overfull_boxes("Overfull \\vbox (93.2pt too high) has occurred while \\output is active []")
    [(93.2, 'Overfull \\vbox (93.2pt too high) has occurred while \\output is active []')]
    """
    return [(float(m.group(1)), m.group(0).strip()) for m in _OVERFULL.finditer(log_text)]


def write_outputs(tex: str, out_dir: PathLike, *, basename: str = "appendix",
                  pdf: bool | None = None, timeout: float = 300.0) -> dict[str, Any]:
    r"""Write ``basename.tex`` to ``out_dir`` and, if asked or possible, compile it with latexmk.

    Parameters
    ==========
    tex : str
        The LaTeX source (e.g. from :func:`render_document`).
    out_dir : path-like
        Created if missing.
    basename : str
        File name without ``.tex``.
    pdf : bool, optional
        ``True``: compile (``latexmk`` must be on ``PATH``); ``False``: only
        write; ``None`` (default): compile when ``latexmk`` is on ``PATH``.
    timeout : float
        Seconds allowed for latexmk.

    Returns
    =======
    dict
        ``tex``: path of the source; ``pdf`` and ``log``: paths, or ``None``
        when not compiled; ``overfull``: :func:`overfull_boxes` of the log.

    Raises
    ======
    RenderError
        If latexmk is required but missing, times out, or fails; the message
        carries TeX's error lines from the log.
    """
    out = Path(out_dir)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", basename):
        raise RenderError(f"basename {basename!r} must be a plain file name (letters, digits, . _ -)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        tex_path = out / f"{basename}.tex"
        tex_path.write_text(tex, encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot write {basename}.tex to {out}: {exc}") from exc
    result: dict[str, Any] = {"tex": tex_path, "pdf": None, "log": None, "overfull": []}
    latexmk = shutil.which("latexmk")
    if pdf is False or (pdf is None and latexmk is None):
        return result
    if latexmk is None:
        raise RenderError("latexmk is not on PATH: install TeX Live (latexmk, pdflatex) or call with pdf=False")
    cmd = [latexmk, "-pdf", "-interaction=nonstopmode", "-halt-on-error", f"{basename}.tex"]
    log_path = out / f"{basename}.log"
    try:
        proc = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"latexmk on {tex_path} did not finish within {timeout} s") from exc
    log_text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    if proc.returncode != 0:
        errors = tex_errors(log_text) or [proc.stdout[-2000:] + proc.stderr[-2000:]]
        raise RenderError(f"LaTeX failed on {tex_path} (log: {log_path}):\n" + "\n".join(errors))
    result.update(pdf=out / f"{basename}.pdf", log=log_path, overfull=overfull_boxes(log_text))
    return result
