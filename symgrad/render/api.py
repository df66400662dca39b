r"""Rendering from Python: :func:`render` (also callable as ``symgrad.render(...)``) and
:func:`write_appendix`, which the ``symgrad render`` command uses too.

An appendix is written as ``<basename>.tex`` (and its PDF when TeX is there);
when a derivation prints ``G^+`` and its gradients in factorised form (a
Jacobian of full row rank, :class:`symgrad.derivation.Factorisation`), their
entry-by-entry expansions go to the supplementary file
``<basename>-expanded.tex`` beside it, which the appendix names.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from .._budget import DEFAULT_BUDGET
from ..derivation import Derivation, Report, builtin_derivations, load_derivation, run_derivation
from ..exceptions import ArgumentError
from .context import derivation_context
from .environment import DEFAULT_TITLE, needs_supplement, render_document, render_supplement
from .latexmk import write_outputs

__all__ = ["Rendered", "render", "write_appendix", "supplement_name"]

PathLike = Union[str, "os.PathLike[str]"]


def supplement_name(basename: str) -> str:
    """File name of the supplementary document of ``basename.tex``."""
    return f"{basename}-expanded.tex"


@dataclass(frozen=True)
class Rendered:
    """The LaTeX of an appendix, its supplement, and the files written.

    Attributes
    ==========
    tex : the LaTeX source of the appendix (or of the fragment)
    supplement : the LaTeX of the supplementary file, or None when no derivation needs one
    files : paths written: ``tex``, ``pdf`` (None when not compiled), ``log``, and, with a supplement,
        ``supplement_tex`` and ``supplement_pdf``; empty when nothing was written
    overfull : overfull boxes of the compiled appendix and supplement, ``(points, log line)``
    reports : the derivation reports rendered
    """

    tex: str
    supplement: str | None
    files: Mapping[str, Path | None] = field(default_factory=dict)
    overfull: tuple = ()
    reports: tuple = ()

    def __repr__(self) -> str:
        where = self.files.get("pdf") or self.files.get("tex")
        written = f", written to {where}" if where else ", not written"
        extra = ", with a supplement" if self.supplement else ""
        return f"<Rendered appendix of {len(self.reports)} derivation(s){extra}{written}>"


def write_appendix(contexts: Sequence[Mapping[str, Any]], out_dir: PathLike, *, basename: str = "appendix",
                   fragment: bool = False, pdf: bool | None = None, template_dirs: Sequence[PathLike] = (),
                   title: str = DEFAULT_TITLE) -> dict[str, Any]:
    r"""Render template contexts and write the appendix (and its supplement) to ``out_dir``.

    ``pdf`` is as in :func:`~symgrad.render.write_outputs` (``None``: compile
    when latexmk is on ``PATH``); a fragment is never compiled.  Returns the
    dictionary of :func:`~symgrad.render.write_outputs` for the appendix, with
    the keys ``source`` (its LaTeX), ``supplement`` (the supplement's result
    dictionary, or None) and ``supplement_source``.
    """
    supplement = supplement_name(basename) if needs_supplement(contexts) else None
    tex = render_document(contexts, fragment=fragment, template_dirs=template_dirs, title=title,
                          supplement=supplement)
    compile_pdf = False if fragment else pdf
    result = write_outputs(tex, out_dir, basename=basename, pdf=compile_pdf)
    result["source"] = tex
    result["supplement"] = result["supplement_source"] = None
    if supplement is not None:
        sup = render_supplement(contexts, template_dirs=template_dirs, title=title)
        result["supplement_source"] = sup
        result["supplement"] = write_outputs(sup, out_dir, basename=supplement[:-len(".tex")],
                                             pdf=False if result["pdf"] is None else compile_pdf)
    return result


def _report(item: Any, budget: float | None, seed: int | None) -> Report:
    if isinstance(item, Report):
        return item
    if isinstance(item, (str, Path)):
        item = load_derivation(item)
    if isinstance(item, Derivation):
        return run_derivation(item, budget=budget, seed=seed)
    raise ArgumentError(f"symgrad.render takes reports (symgrad.run_derivation(...)), symgrad.Derivation objects, "
                        f"built-in keys or paths of .py files; got {type(item).__name__}")


def render(*derivations: Any, output: PathLike | None = None, fragment: bool = False, pdf: bool | None = None,
           basename: str = "appendix", title: str = DEFAULT_TITLE, templates: Sequence[PathLike] = (),
           budget: float | None = DEFAULT_BUDGET, seed: int | None = 0) -> Rendered:
    r"""Render derivations as a LaTeX appendix, from Python (what ``symgrad render`` does).

    Parameters
    ==========
    *derivations : reports, derivations, keys or paths
        Each a :class:`~symgrad.derivation.Report` (from
        :func:`~symgrad.derivation.run_derivation`), a
        :class:`~symgrad.derivation.Derivation` (run here), the key of a
        built-in derivation (``"product"``) or the path of a ``.py`` file
        defining ``derivation()``.  None given: every built-in derivation.
    output : path-like, optional
        Directory to write ``<basename>.tex`` to, the supplement
        ``<basename>-expanded.tex`` when one is needed, and their PDFs when
        TeX is there.  None: write nothing and only return the LaTeX.
    fragment : bool
        The body alone, for ``\input`` into a paper whose preamble has the
        lines of :func:`~symgrad.render.preamble` (never compiled).
    pdf : bool, optional
        ``True``: compile (latexmk must be on ``PATH``); ``False``: do not;
        ``None``: compile when latexmk is on ``PATH``.  Only with ``output``.
    basename, title, templates : the file name without ``.tex``, the document title, and
        user template directories searched before the package's
    budget, seed : passed to :func:`~symgrad.derivation.run_derivation` for the derivations run here
        (the default seed 0 makes every witness point reproducible)

    Returns
    =======
    Rendered
        The LaTeX (``.tex``), the supplement's LaTeX, the files written and the reports.

    Examples
    ========
    >>> import symgrad as sg
    >>> out = sg.render("product")                     # nothing written: the LaTeX only
    >>> out.tex.startswith(r"\documentclass") and r"\section{The product" in out.tex
    True
    """
    items = derivations or tuple(path for _key, path in builtin_derivations())
    reports = tuple(_report(item, budget, seed) for item in items)
    contexts = [derivation_context(r).as_dict() for r in reports]
    if output is None:
        supplement = supplement_name(basename) if needs_supplement(contexts) else None
        tex = render_document(contexts, fragment=fragment, template_dirs=templates, title=title,
                              supplement=supplement)
        sup = None if supplement is None else render_supplement(contexts, template_dirs=templates, title=title)
        return Rendered(tex, sup, {}, (), reports)
    res = write_appendix(contexts, output, basename=basename, fragment=fragment, pdf=pdf, template_dirs=templates,
                         title=title)
    files: dict[str, Path | None] = {"tex": res["tex"], "pdf": res["pdf"], "log": res["log"]}
    overfull = list(res["overfull"])
    if res["supplement"] is not None:
        files.update(supplement_tex=res["supplement"]["tex"], supplement_pdf=res["supplement"]["pdf"])
        overfull += res["supplement"]["overfull"]
    return Rendered(res["source"], res["supplement_source"], files, tuple(overfull), reports)
