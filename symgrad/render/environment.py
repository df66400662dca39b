r"""The Jinja environment of the LaTeX templates, and :func:`render_document`.

Jinja's default delimiters clash with TeX (``{#1}``, ``{{``), so the
environment uses ``((* *))`` for statements, ``((( )))`` for expressions and
``((= =))`` for comments.  Every template package file can be overridden from a
user directory; the package version of a template stays reachable under the
prefix ``symgrad/`` (``((* extends "symgrad/appendix.tex.j2" *))``).

Examples
========
>>> import sympy as sp
>>> a, b = sp.symbols("a b")
>>> env = make_environment()
>>> env.from_string(r"\[ ((( M | latex ))) \] {#1}").render(M=sp.Matrix([[a, b]]))
'\\[ \\begin{pmatrix}a & b\\end{pmatrix} \\] {#1}'
"""
from __future__ import annotations

import functools
import importlib.resources
import os
import types
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, Union

import jinja2
import sympy as sp

from ..exceptions import RenderError, TemplateError
from ..notation import LATEX_NAMES, THEOREM_1_LATEX
from .abbreviate import abbreviate, where_list
from .filters import (
    assignments, condition, escape_latex, heading, label, latex, latex_list, mathtext, never_zero, point, prose,
)
from .layout import FRAGMENT_MAX_WIDTH, MAX_WIDTH, breakable, conditions, display, display_lines, \
    approximately, display_matrix, display_scaled, matrix_entries, nonzero, numbered, scaled_fits, with_decimals
from .plaintext import message, witness
from .tikz import tikz_curve_figure

__all__ = ["FILTERS", "DEFAULT_TITLE", "FACTORISED_NAMES", "MAX_EXPANDED_LINES", "make_environment",
           "render_document", "render_supplement", "needs_supplement", "preamble"]

PathLike = Union[str, "os.PathLike[str]"]

# -- the environment ------------------------------------------------------------

FILTERS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({
    "latex": latex,
    "mathtext": mathtext,
    "latex_list": latex_list,
    "condition": condition,
    "conditions": conditions,
    "escape_latex": escape_latex,
    "prose": prose,
    "heading": heading,
    "never_zero": never_zero,
    "label": label,
    "display_matrix": display_matrix,
    "matrix_entries": matrix_entries,
    "breakable": breakable,
    "abbreviate": abbreviate,
    "where_list": where_list,
    "numbered": numbered,
    "display": display,
    "point": point,
    "message": message,
    "witness": witness,
    "assignments": assignments,
    "with_decimals": with_decimals,
    "display_nonzero": nonzero,
    "display_lines": display_lines,
    "display_scaled": display_scaled,
    "scaled_fits": scaled_fits,
    "writable": lambda v: writable(v),
    "approximately": approximately,
    "capitalize_first": lambda text: text[:1].upper() + text[1:],
})

#: LaTeX of the objects of the full-row-rank form of ``G^+`` (:class:`symgrad.derivation.Factorisation`),
#: added to :data:`~symgrad.notation.LATEX_NAMES` for the templates' ``names``.
FACTORISED_NAMES: Mapping[str, str] = types.MappingProxyType({
    "K_def": r"K = J J^{\top}",
    "det_K": r"\det K",
    "G_plus_factor": r"G^{+} = J^{\top} K^{-1} g^{-1} K^{-1} J",
    "G_plus_factor_euclidean": r"G^{+} = J^{\top} K^{-2} J \qquad (g = I)",
    "grad_param_factor": r"\operatorname{grad}^{\Xi}_{\xi}\mathcal{L} = G^{+} J^{\top} d\mathcal{L}"
                         r" = J^{\top} K^{-1} g^{-1} d\mathcal{L} = J^{\top} K^{-1} \operatorname{grad}_{p}\mathcal{L}",
    "K_eta_def": r"\tilde K = \tilde J \tilde J^{\top}",
    "det_K_eta": r"\det \tilde K",
    "grad_eta_factor": r"\operatorname{grad}^{H}_{\eta}\mathcal{L} = \tilde J^{\top} \tilde K^{-1}"
                       r" \operatorname{grad}_{p}\mathcal{L}",
    "delta_factor": r"\Delta\operatorname{grad} = \bigl(J^{\top} K^{-1} - Df\, \tilde J^{\top} \tilde K^{-1}\bigr)"
                    r" \operatorname{grad}_{p}\mathcal{L}",
})

#: Expansions longer than this many display lines go to the supplementary file, when one is written.
MAX_EXPANDED_LINES = 12

#: Objects with more expression nodes than this are not written out at all, not even in the
#: supplement: pages of terms nobody reads, and typesetting them takes minutes (a tanh network's
#: expanded ``G^+`` has about a million nodes and its gradient over 38,000 operations; the linear
#: network's ``G^+``, 6,500 nodes, is written out).  The appendix says so and gives the bound.
MAX_WRITTEN_NODES = 20000


def written_size(value: Any, limit: int = MAX_WRITTEN_NODES) -> int:
    """The number of expression nodes of ``value`` (a matrix, expression or None), counted up to just
    past ``limit`` (so a huge object costs no more than a small one to measure); 0 for None.

    Examples
    ========
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> written_size(sp.Matrix([x + 1, 2 * x])), written_size(None)
    (6, 0)
    >>> written_size(sp.Matrix([sum(x**k for k in range(100))]), limit=50)
    51
    """
    if value is None:
        return 0
    items = list(value) if isinstance(value, sp.MatrixBase) else [sp.sympify(value)]
    n = 0
    for e in items:
        for _ in sp.preorder_traversal(e):
            n += 1
            if n > limit:
                return n
    return n


def _max_expanded_terms() -> int:
    from ..derivation import _MAX_EXPANDED_TERMS
    return _MAX_EXPANDED_TERMS


def writable(value: Any) -> bool:
    """True when ``value`` is not None and small enough to write out (:data:`MAX_WRITTEN_NODES`)."""
    return value is not None and written_size(value) <= MAX_WRITTEN_NODES


_WIDTH_FILTERS = ("display_matrix", "matrix_entries", "breakable", "where_list", "conditions", "with_decimals",
                  "display_scaled", "scaled_fits")


def _template_location(exc: BaseException) -> str:
    """``'file', line N`` of the innermost template frame in the traceback of ``exc``."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template {exc.filename or exc.name or '<string>'!r}, line {exc.lineno}"
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            code = frame.f_code
            block = f" ({code.co_name})" if code.co_name.startswith("block") else ""
            where = f"template {code.co_filename!r}{block}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where or "template"


def _template_error(exc: BaseException, name: str | None = None) -> TemplateError:
    if isinstance(exc, jinja2.TemplateNotFound):
        names = ", ".join(repr(n) for n in getattr(exc, "templates", None) or [exc.name])
        msg = (f"template {names} not found in the user directories or the package templates; "
               f"check the name and template_dirs")
        if name and exc.name != name:
            msg = f"while loading {name!r}: " + msg
        return TemplateError(msg)
    where = _template_location(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        hint = "fix the template syntax (delimiters are ((* *)), ((( ))), ((= =)))"
        problem = exc.message
    elif isinstance(exc, jinja2.UndefinedError):
        hint = "the context passed to the template does not provide this name"
        problem = exc.message
    else:
        hint = "a filter or value in the context failed"
        problem = f"{type(exc).__name__}: {exc}"
    return TemplateError(f"{where}: {problem} ({hint})")


class _Template(jinja2.Template):
    """A Jinja template whose ``render`` raises :class:`TemplateError`."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except TemplateError:
            raise
        except Exception as exc:  # Jinja errors and errors of filters, located in the template
            raise _template_error(exc) from exc


class _Environment(jinja2.Environment):
    """A Jinja environment that raises :class:`TemplateError` when loading fails."""

    template_class = _Template

    def get_template(self, name: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        try:
            return super().get_template(name, *args, **kwargs)
        except jinja2.TemplateError as exc:
            raise _template_error(exc, str(name)) from exc

    def select_template(self, names: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        try:
            return super().select_template(names, *args, **kwargs)
        except jinja2.TemplateError as exc:
            raise _template_error(exc) from exc

    def from_string(self, source: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        try:
            return super().from_string(source, *args, **kwargs)
        except jinja2.TemplateError as exc:
            raise _template_error(exc) from exc


def _package_templates() -> Any:
    """The package's template folder: ``symgrad.templates`` if installed, else ``templates/``."""
    try:
        root = importlib.resources.files("symgrad.templates")
        if root.joinpath("base.tex.j2").is_file():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"


def _package_loader() -> jinja2.BaseLoader:
    root = _package_templates()

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        node = root
        for part in name.split("/"):
            if part in ("", ".", ".."):
                return None
            node = node.joinpath(part)
        if not node.is_file():
            return None
        return node.read_text(encoding="utf-8"), str(node), lambda: True

    return jinja2.FunctionLoader(load)


_PACKAGES = (
    r"\usepackage{amsmath, amssymb, amsthm, mathtools}",
    r"\usepackage{tikz}",
    r"\usepackage{pgfplots}",
    r"\pgfplotsset{compat=1.18}",
)
_LAYOUT = (
    r"\allowdisplaybreaks",
    r"\setlength{\emergencystretch}{2em}",
)
_THEOREMS = (
    r"\theoremstyle{plain}",
    r"\newtheorem{theorem}{Theorem}",
    r"\newtheorem{proposition}[theorem]{Proposition}",
    r"\theoremstyle{definition}",
    r"\newtheorem{definition}[theorem]{Definition}",
    r"\theoremstyle{remark}",
    r"\newtheorem{remark}[theorem]{Remark}",
)


def preamble(*, theorems: bool = True) -> str:
    r"""The preamble lines a document needs to ``\input`` an appendix fragment.

    A fragment (``render_document(..., fragment=True)``, ``symgrad render
    --fragment``) uses amsmath, amssymb, amsthm, mathtools and TikZ, long
    displays that may break across pages (``\allowdisplaybreaks``), some
    emergency stretch so that long inline formulas do not run into the margin,
    and the theorem-like environments ``theorem``, ``proposition``,
    ``definition`` and ``remark``.  A document that defines these environments
    already passes ``theorems=False`` and keeps its own.

    Parameters
    ==========
    theorems : bool
        Include the ``\newtheorem`` lines.

    Returns
    =======
    str
        The lines, ending with a newline, to paste before ``\begin{document}``.

    Examples
    ========
    >>> print(preamble(theorems=False), end="")
    \usepackage{amsmath, amssymb, amsthm, mathtools}
    \usepackage{tikz}
    \usepackage{pgfplots}
    \pgfplotsset{compat=1.18}
    \allowdisplaybreaks
    \setlength{\emergencystretch}{2em}
    """
    lines = [*_PACKAGES, *_LAYOUT, *(_THEOREMS if theorems else ())]
    return "\n".join(lines) + "\n"


def make_environment(extra_dirs: Sequence[PathLike] = (), *,
                     max_width: float = MAX_WIDTH) -> jinja2.Environment:
    r"""The Jinja environment for symgrad's LaTeX templates.

    Templates are looked up in ``extra_dirs`` first (in order), then in the
    package templates; ``symgrad/NAME`` always names the package's own
    template, so a user template of the same name can extend it and override
    single blocks.  The delimiters cannot clash with TeX: ``((* *))`` for
    statements, ``((( )))`` for expressions, ``((= =))`` for comments; there
    are no line statements.  Undefined names raise, nothing is escaped
    automatically, and every Jinja error (missing template, undefined name,
    syntax, or an error inside a filter) is re-raised as
    :class:`~symgrad.exceptions.TemplateError` naming the template and line.

    The filters are those of :data:`FILTERS`; the globals are ``names``
    (:data:`LATEX_NAMES`) and ``tikz_curve_figure``.

    Parameters
    ==========
    extra_dirs : sequence of path-like
        User template directories, searched before the package templates.
    max_width : float
        Default line budget (in :func:`latex_width` units) of the filters that
        break displays: ``display_matrix``, ``matrix_entries``, ``breakable``,
        ``where_list`` and ``conditions``.

    Returns
    =======
    jinja2.Environment

    Examples
    ========
    >>> env = make_environment()
    >>> env.from_string("((( t | escape_latex ))) ((= note =))").render(t="a_1")
    'a\\_1 '
    """
    dirs = [os.fspath(d) for d in extra_dirs]
    for d in dirs:
        if not Path(d).is_dir():
            raise TemplateError(f"template directory {d!r} does not exist")
    package = _package_loader()
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(dirs),
        jinja2.PrefixLoader({"symgrad": package}, delimiter="/"),
        package,
    ])
    env = _Environment(
        loader=loader,
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        line_statement_prefix=None, line_comment_prefix=None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    for name in _WIDTH_FILTERS:
        env.filters[name] = functools.partial(FILTERS[name], max_width=max_width)
    env.globals.update(names={**LATEX_NAMES, **FACTORISED_NAMES}, tikz_curve_figure=tikz_curve_figure,
                       theorem1=THEOREM_1_LATEX, preamble=preamble, supplement=None,
                       max_expanded_lines=MAX_EXPANDED_LINES, max_written_nodes=MAX_WRITTEN_NODES,
                       max_expanded_terms=_max_expanded_terms())
    return env


# -- documents and compilation ----------------------------------------------------

DEFAULT_TITLE = "Natural gradients on overparametrised models: derivations"


def render_document(derivations: Sequence[Mapping[str, Any]], *, fragment: bool = False,
                    template_dirs: Sequence[PathLike] = (), title: str = DEFAULT_TITLE,
                    template: str | None = None, max_width: float | None = None,
                    supplement: str | None = None) -> str:
    r"""Render derivations as a LaTeX appendix.

    Parameters
    ==========
    derivations : sequence of dict
        One context per derivation, with the keys documented at the top of
        ``derivation.tex.j2``: ``title``, ``key``, ``summary``, ``model``,
        ``J``, ``G``, ``rank``, ``n_params``, ``pinv``, ``loss``, ``nabla``,
        ``grad_param``, ``grad_manifold``, ``riesz_agrees``, ``reparam``,
        ``singular``, ``tikhonov``, ``step``, ``figure``.  Parts that do not
        apply are ``None``, never missing; only ``notes``,
        ``generalised_verdict``, ``factorised`` and ``display_forms`` may be
        left out.  Extra keys are ignored.
    fragment : bool
        Render only the body (``fragment.tex.j2``), for ``\input`` into a paper
        that loads amsmath, amssymb, amsthm, mathtools and tikz and defines the
        environments ``theorem``, ``proposition``, ``definition`` and ``remark``.
    template_dirs : sequence of path-like
        User template directories, searched first.
    title : str
        Plain-text document title.
    template : str, optional
        A template name overriding the choice made by ``fragment``.
    max_width : float, optional
        Line budget of displayed formulas (see :func:`make_environment`);
        default :data:`MAX_WIDTH`, or :data:`FRAGMENT_MAX_WIDTH` for a fragment.
    supplement : str, optional
        File name of the supplementary document (:func:`render_supplement`)
        written beside this one.  Given, an expansion longer than
        :data:`MAX_EXPANDED_LINES` lines of an object printed in factorised
        form (``G^+`` and the gradients through ``K = J J^T``) is left to that
        file and the text names it; by default every expansion is printed.

    Returns
    =======
    str
        The LaTeX source.

    Raises
    ======
    TemplateError
        If a template is missing or the context lacks a key.
    RenderError
        If two derivations share a key (their labels would clash).
    """
    seen: dict[str, str] = {}
    for d in derivations:
        key = label(d["key"]) if "key" in d else None
        if key is not None and key in seen:
            raise RenderError(f"derivations {seen[key]!r} and {d.get('title')!r} share the key {key!r}: "
                              f"labels must be unique, give one of them another key")
        if key is not None:
            seen[key] = str(d.get("title"))
    name = template or ("fragment.tex.j2" if fragment else "appendix.tex.j2")
    if max_width is None:
        max_width = FRAGMENT_MAX_WIDTH if fragment else MAX_WIDTH
    env = make_environment(template_dirs, max_width=max_width)
    return env.get_template(name).render(derivations=list(derivations), title=title, supplement=supplement)


def needs_supplement(derivations: Sequence[Mapping[str, Any]]) -> bool:
    """True when a derivation has a factorised ``G^+`` (its expansions may go to a supplement)."""
    return any(d.get("factorised") is not None for d in derivations)


def render_supplement(derivations: Sequence[Mapping[str, Any]], *, template_dirs: Sequence[PathLike] = (),
                      title: str = DEFAULT_TITLE, max_width: float | None = None) -> str:
    r"""Render the supplementary document: the expansions of the factorised objects.

    For every derivation whose context has ``factorised`` (a model whose
    Jacobian has full row rank), ``supplement.tex.j2`` writes ``G^+``, the
    parameter-space gradients and ``Delta grad`` entry by entry: the forms that
    :func:`render_document` (with ``supplement=``) leaves out when they are long.

    Parameters and errors are those of :func:`render_document`.
    """
    env = make_environment(template_dirs, max_width=MAX_WIDTH if max_width is None else max_width)
    return env.get_template("supplement.tex.j2").render(derivations=list(derivations), title=title)
