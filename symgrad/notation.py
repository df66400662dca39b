r"""The paper's notation, and the one escaper of plain text for LaTeX.

Ground floor: imports nothing of symgrad, so every module (result objects'
``_repr_latex_``, the renderer, the command line) can use it.

* :data:`LATEX_NAMES`: the LaTeX of each object of the paper (van Oostrum & Ay)
  that a derivation holds, keyed as in the template context;
* :data:`THEOREM_1`: how every output names the paper's main theorem;
* :func:`escape_latex`: plain text made safe for a LaTeX paragraph;
* :func:`latex_text`: plain text as ``\text{...}`` inside mathematics.

Examples
========
>>> print(LATEX_NAMES["G_plus"])
G^{+}
>>> print(escape_latex("a_1 & b"), latex_text("p_i"))
a\_1 \& b \text{p\_i}
"""
from __future__ import annotations

import re
import types
from typing import Any, Mapping

__all__ = ["LATEX_NAMES", "THEOREM_1", "THEOREM_1_LATEX", "escape_latex", "latex_text"]

#: How every output (appendix, command line, JSON, notebook) names the paper's
#: main theorem: the natural gradient on the model does not depend on the
#: generalised inverse nor on the parametrisation (paper, Theorem 1, eq. (4)).
THEOREM_1 = "Theorem 1 (van Oostrum & Ay)"

#: The same name in LaTeX, as the appendix writes it (a tie before the number).
THEOREM_1_LATEX = r"Theorem~1 (van Oostrum \& Ay)"

#: LaTeX names of the objects a derivation context holds (paper notation);
#: available in templates as ``names``.  Keeping them here keeps backslashes
#: out of template string literals.
LATEX_NAMES: Mapping[str, str] = types.MappingProxyType({
    "phi": r"\phi",
    "g": "g",
    "J": "J",
    "G": "G",
    "G_plus": "G^{+}",
    "nabla": r"\nabla\mathcal{L}",
    "loss": r"\mathcal{L}",
    "grad_param": r"\operatorname{grad}^{\Xi}_{\xi}\mathcal{L}",
    "grad_manifold": r"\operatorname{grad}_{p}\mathcal{L}",
    "f": "f",
    "Df": "Df",
    "det_Df": r"\det Df",
    "grad_eta": r"\operatorname{grad}^{H}_{\eta}\mathcal{L}",
    "delta": r"\Delta\operatorname{grad}",
    "damped": r"(G + \lambda I)^{-1}\nabla\mathcal{L}",
    "limit": r"\lim_{\lambda \to 0^{+}} (G + \lambda I)^{-1}\nabla\mathcal{L}",
    "second_order": r"\delta^{(2)}",
    "grad_bar_1": r"\overline{\operatorname{grad}}^{(1)}_{p}\mathcal{L}",
    "grad_bar_2": r"\overline{\operatorname{grad}}^{(2)}_{p}\mathcal{L}",
    "span_1": "S_{1}",
    "span_2": "S_{2}",
})

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_SPECIALS_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def escape_latex(text: Any) -> str:
    r"""Escape plain text for a LaTeX text paragraph.

    Replaces the ten characters TeX treats specially, and ``< > |`` (which
    the default OT1 font encoding would print as other glyphs), in one pass, so
    an escape is never escaped again.  Only for text: never apply it to
    LaTeX mathematics.

    Parameters
    ==========
    text : str
        Plain text (anything else is converted with ``str``).

    Returns
    =======
    str
        Text safe to typeset in a paragraph.

    Examples
    ========
    >>> print(escape_latex("50% of a_1 & {b}"))
    50\% of a\_1 \& \{b\}
    """
    return _LATEX_SPECIALS_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], str(text))


def latex_text(text: Any) -> str:
    r"""Plain text as ``\text{...}`` for use inside mathematics, every special character escaped.

    For the ``_repr_latex_`` of result objects (Jupyter renders them with
    MathJax); the escaping is that of :func:`escape_latex`.

    Examples
    ========
    >>> print(latex_text("G^+ nabla L: 100% & more, p_i > 0"))
    \text{G\textasciicircum{}+ nabla L: 100\% \& more, p\_i \textgreater{} 0}
    """
    return r"\text{" + escape_latex(text) + "}"
