r"""Find programmer text in rendered LaTeX: what a reader of the PDF should never see.

:func:`code_text` splits a LaTeX source into text and mathematics (``$...$``,
``\[...\]``, ``\(...\)`` and the amsmath display environments; ``\text{...}``
inside mathematics is text again; TikZ pictures, comments and the arguments of
``\label``, ``\ref``, ``\eqref`` and ``\begin``/``\end`` are skipped) and reports
Python or SymPy syntax: ``**``, ``oo``, ``QQ``, one-element tuples ``(x, )``,
``!=``, function calls such as ``exp(`` or ``sqrt(`` and escaped ``_ ~ ^ < >``
in text (an escaped underscore in a paragraph is a subscript that should have
been mathematics), and Greek letters spelled out in text.

Examples
========
>>> for finding in code_text(r"Proved in Q(r, theta): $x^{2}$ and a\_1, eq.\textasciitilde{}(4)."):
...     print(finding)
Q(...) field in text: Proved in Q(r, theta):
theta in text: Proved in Q(r, theta):
escaped _ in text: and a\_1, eq.\textasciitilde{}(4).
escaped ~ in text: and a\_1, eq.\textasciitilde{}(4).
>>> code_text(r"Theorem~\ref{thm:a} says $G^{+} \neq 0$ on $(0, \infty)$.")
[]
"""
from __future__ import annotations

import re

__all__ = ["code_text", "split_math"]

_MATH_ENVS = ("equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
              "flalign", "flalign*", "displaymath", "math")
_SKIP_ENVS = ("tikzpicture",)
_SKIP_ARGS = re.compile(r"\\(?:label|ref|eqref|pageref|cref|Cref|begin|end|usepackage|documentclass|"
                        r"newtheorem|theoremstyle|input|include|hypersetup|usetikzlibrary)\*?"
                        r"(?:\[[^\]]*\])?\{[^{}]*\}(?:\{[^{}]*\})?")
_TEXT_IN_MATH = re.compile(r"\\(?:text|textrm|textit|mbox|mathrm)\{")

_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "theta", "vartheta", "iota",
          "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi",
          "psi", "omega")

#: (name, pattern) for text outside mathematics.
TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("**", re.compile(r"\*\*")),
    ("oo", re.compile(r"(?<![A-Za-z\\])oo(?![A-Za-z])")),
    ("QQ", re.compile(r"(?<![A-Za-z])(?:QQ|ZZ|RR)(?![a-z])")),
    ("Q(...) field", re.compile(r"(?<![A-Za-z\\])Q\(")),
    ("tuple (x, )", re.compile(r",\s*\)")),
    ("!=", re.compile(r"!=")),
    ("==", re.compile(r"==")),
    ("function call", re.compile(r"(?<![A-Za-z\\])(?:exp|sqrt|log|sin|cos|tan|atan|Abs|Piecewise|Matrix)\(")),
    ("escaped _", re.compile(r"\\_")),
    ("escaped ~", re.compile(r"\\textasciitilde")),
    ("escaped ^", re.compile(r"\\textasciicircum")),
    ("escaped <", re.compile(r"\\textless")),
    ("escaped >", re.compile(r"\\textgreater")),
    *((g, re.compile(rf"(?<![A-Za-z\\]){g}(?:_?\d+)?(?![A-Za-z])")) for g in _GREEK),
)

#: (name, pattern) for mathematics.
MATH_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("**", re.compile(r"\*\*")),
    ("oo", re.compile(r"(?<![A-Za-z\\])oo(?![A-Za-z])")),
    ("QQ", re.compile(r"(?<![A-Za-z\\])(?:QQ|ZZ|RR)(?![a-z])")),
    ("tuple (x, )", re.compile(r",\s*(?:\\right\)|\))")),
    ("!=", re.compile(r"!=")),
)


def _brace_end(s: str, i: int) -> int:
    """Index just past the brace group opening at ``s[i] == '{'``."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "\\":
            continue
        if s[j] == "{" and (j == 0 or s[j - 1] != "\\"):
            depth += 1
        elif s[j] == "}" and (j == 0 or s[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return j + 1
    return len(s)


def _strip_comments(tex: str) -> str:
    return re.sub(r"(?<!\\)%.*", "", tex)


def _split_math_part(math: str, text: list[str], maths: list[str]) -> None:
    """Math with its ``\\text{...}`` groups moved to ``text``."""
    out, i = [], 0
    for m in _TEXT_IN_MATH.finditer(math):
        if m.start() < i:
            continue
        out.append(math[i:m.start()])
        end = _brace_end(math, m.end() - 1)
        text.append(math[m.end():end - 1])
        out.append(" ")
        i = end
    out.append(math[i:])
    maths.append("".join(out))


def split_math(tex: str) -> tuple[list[str], list[str]]:
    r"""The text pieces and the mathematics pieces of a LaTeX source.

    Examples
    ========
    >>> split_math(r"a $b$ \[c \text{ d }\] e")
    (['a ', ' ', ' d ', ' e'], ['b', 'c  '])
    """
    tex = _strip_comments(tex)
    for env in _SKIP_ENVS:
        tex = re.sub(rf"\\begin\{{{re.escape(env)}\}}.*?\\end\{{{re.escape(env)}\}}", " ", tex, flags=re.S)
    envs = "|".join(re.escape(e) for e in _MATH_ENVS)
    opener = re.compile(rf"(?<!\\)\$\$?|\\\[|\\\(|\\begin\{{({envs})\}}")
    text: list[str] = []
    maths: list[str] = []
    i = 0
    while i < len(tex):
        m = opener.search(tex, i)
        if m is None:
            text.append(tex[i:])
            break
        text.append(tex[i:m.start()])
        tok = m.group(0)
        if tok.startswith("$"):
            close = re.compile(r"(?<!\\)" + re.escape(tok))
        elif tok == r"\[":
            close = re.compile(r"\\\]")
        elif tok == r"\(":
            close = re.compile(r"\\\)")
        else:
            close = re.compile(rf"\\end\{{{re.escape(m.group(1))}\}}")
        c = close.search(tex, m.end())
        end = len(tex) if c is None else c.start()
        _split_math_part(tex[m.end():end], text, maths)
        i = len(tex) if c is None else c.end()
    return [_SKIP_ARGS.sub(" ", t) for t in text], [_SKIP_ARGS.sub(" ", x) for x in maths]


def _context(s: str, start: int, end: int, width: int = 30) -> str:
    return " ".join(s[max(0, start - width):end + width].split())


def code_text(tex: str) -> list[str]:
    r"""Programmer text in a LaTeX source: one line per finding, ``rule in text|math: context``.

    An empty list means none of the rules (:data:`TEXT_RULES`, :data:`MATH_RULES`) fired.
    """
    text, maths = split_math(tex)
    found = []
    for piece in text:
        for name, rule in TEXT_RULES:
            for m in rule.finditer(piece):
                found.append(f"{name} in text: {_context(piece, m.start(), m.end())}")
    for piece in maths:
        for name, rule in MATH_RULES:
            for m in rule.finditer(piece):
                found.append(f"{name} in math: {_context(piece, m.start(), m.end())}")
    return found
