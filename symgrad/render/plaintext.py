r"""The library's plain-text messages typeset as LaTeX: prose with its mathematics in ``$...$``.

Certificates, witnesses and the scope of a search speak plain text for the
terminal (``proved exactly (exact rational-function arithmetic in Q(r, theta,
tan(theta/2)))``, ``phi(t_1) = phi(t_2) was solved over QQ``).  In a paper the
same sentence must show mathematics, not code.  :func:`message` finds the
mathematical fragments of such a sentence (fields ``Q(...)``, relations, sums,
products and powers written in SymPy syntax, tuples and intervals, indexed and
Greek names, numbers in scientific notation) and typesets each with SymPy's
LaTeX printer, escaping the prose around them.  A fragment that does not parse
stays text, escaped.

:func:`witness` does the same for a witness of a refuted identity and states
long exact values with a 10-digit decimal beside them, marked as a decimal.

Examples
========
>>> print(message("proved exactly (exact rational-function arithmetic in Q(r, theta, tan(theta/2)))"))
proved exactly (exact rational-function arithmetic in $\mathbb{Q}(r,\allowbreak \theta,\allowbreak \tan{\left(\frac{\theta}{2} \right)})$)
>>> print(message("phi(t_1) = phi(t_2) was solved over QQ with s*(x_k - y_k) = 1"))
$\phi{\left(t_{1} \right)} = \phi{\left(t_{2} \right)}$ was solved over $\mathbb{Q}$ with $s \left(x_{k} - y_{k}\right) = 1$
"""
from __future__ import annotations

import keyword
import re
from typing import Any

import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from ..notation import escape_latex

__all__ = ["message", "message_math", "witness", "math_of", "decimal"]

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
          "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "varrho", "sigma", "varsigma",
          "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi",
          "Pi", "Sigma", "Phi", "Psi", "Omega"}
_FUNCTIONS = {"exp", "sqrt", "log", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "atan2",
              "sinh", "cosh", "tanh", "Abs", "sign", "floor", "ceiling", "re", "im", "Max", "Min"}
_CONSTANTS = {"oo": sp.oo, "zoo": sp.zoo, "nan": sp.nan}
_TRANSFORMS = standard_transformations + (convert_xor,)

_TOKEN = re.compile(r"""
    (?P<num>\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![A-Za-z_]))
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>\*\*|->|!=|<=|>=|==|[-+*/^=<>])
  | (?P<open>[(\[])
  | (?P<close>[)\]])
  | (?P<comma>,)
  | (?P<space>[ ]+)
  | (?P<dots>\.\.\.)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

_RELATIONS = {"=": "=", "==": "=", "!=": r"\neq", "->": r"\to", "<=": r"\leq", ">=": r"\geq", "<": "<", ">": ">"}
_INDEXED = re.compile(r"[A-Za-z]+(?:_[A-Za-z0-9]+|\d+)")


def _word_kind(word: str, followed_by_paren: bool) -> str:
    """``strong`` (surely mathematics), ``weak`` (mathematics only beside a strong part) or ``text``."""
    if "." in word:
        return "text"
    base = re.sub(r"(?:_?\d+|_[A-Za-z0-9]+)$", "", word)
    if word in _CONSTANTS or base in _GREEK or (word in _FUNCTIONS and followed_by_paren):
        return "strong"
    if _INDEXED.fullmatch(word) and len(base) <= 2:
        return "strong"
    if len(word) == 1:
        if word in ("A", "I"):
            return "text"
        return "strong" if word.isupper() else "weak"
    return "text"


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group(0)) for m in _TOKEN.finditer(text)]


def _next_nonspace(toks: list[tuple[str, str]], i: int) -> int:
    while i < len(toks) and toks[i][0] == "space":
        i += 1
    return i


def _symbol_table(toks: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    """The source of the tokens with every name bound: symbols, undefined functions, constants."""
    local: dict[str, Any] = {}
    out = []
    for k, (kind, tok) in enumerate(toks):
        if kind != "id":
            out.append(tok)
            continue
        j = _next_nonspace(toks, k + 1)
        call = j < len(toks) and toks[j] == ("open", "(")
        if tok in _CONSTANTS:
            name = f"_c_{tok}"
            local[name] = _CONSTANTS[tok]
        elif tok in _FUNCTIONS and call:
            name = tok
        else:
            name = f"_s_{tok}" if keyword.iskeyword(tok) or not tok.isidentifier() else f"_n_{tok}"
            local[name] = sp.Function(tok) if call else sp.Symbol(tok)
        out.append(name)
    return "".join(out), local


def _latex_expr(toks: list[tuple[str, str]]) -> str | None:
    """LaTeX of one expression (no relation, no top-level comma), or ``None`` if it does not parse."""
    toks = [t for t in toks if t[0] != "space"]
    if not toks:
        return None
    if len(toks) == 1 and toks[0][0] == "num" and "e" in toks[0][1]:  # 1e-20, 2.5e3
        mantissa, exponent = toks[0][1].split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if float(mantissa) == 1 else rf"{mantissa} \cdot {power}"
    if toks[0] == ("open", "[") and toks[-1] == ("close", "]") or toks[0] == ("open", "(") and \
            toks[-1] == ("close", ")") and _top_level_commas(toks[1:-1]):
        items = _split_commas(toks[1:-1])
        parts = [_latex_expr(it) for it in items]
        if any(p is None for p in parts):
            return None
        left, right = (r"\left[", r"\right]") if toks[0][1] == "[" else (r"\left(", r"\right)")
        return left + ", ".join(p for p in parts if p is not None) + right
    if toks[0] == ("op", "+") and len(toks) > 1:
        rest = _latex_expr(toks[1:])
        return None if rest is None else "+" + rest
    if any(a[0] in ("id", "num", "close") and b[0] in ("id", "num") for a, b in zip(toks, toks[1:])):
        return None  # juxtaposed names ("J G"): not SymPy syntax (joined, they would read as one name)
    source, local = _symbol_table(toks)
    try:
        expr = parse_expr(source, local_dict=local, transformations=_TRANSFORMS, evaluate=False)
    except Exception:  # SymPy's parser raises many kinds: anything unparsable stays text
        return None
    if isinstance(expr, tuple):
        return r"\left(" + ", ".join(sp.latex(_unit_factors_dropped(e)) for e in expr) + r"\right)"
    try:
        return sp.latex(_unit_factors_dropped(expr))
    except Exception:  # an unevaluated object the printer does not know
        return None


def _unit_factors_dropped(e: Any) -> Any:
    r"""``e`` without the factors 1 that an unevaluated parse keeps (``1/4`` is ``Mul(1, 1/4)``, which
    would print as ``1 \cdot \frac{1}{4}``)."""
    if not isinstance(e, sp.Basic):
        return e

    def drop(m: sp.Mul) -> sp.Expr:
        rest = [a for a in m.args if a != 1]
        return sp.Integer(1) if not rest else rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)

    return e.replace(lambda x: x.is_Mul and len(x.args) > 1 and any(a == 1 for a in x.args), drop)


def _top_level_commas(toks: list[tuple[str, str]]) -> bool:
    depth = 0
    for kind, _ in toks:
        depth += kind == "open"
        depth -= kind == "close"
        if kind == "comma" and depth == 0:
            return True
    return False


def _split_commas(toks: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    items: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for t in toks:
        depth += t[0] == "open"
        depth -= t[0] == "close"
        if t[0] == "comma" and depth == 0:
            items.append([])
        else:
            items[-1].append(t)
    return items


def _latex_math(toks: list[tuple[str, str]]) -> str | None:
    """LaTeX of a mathematical fragment: expressions joined by relations."""
    sides: list[list[tuple[str, str]]] = [[]]
    rels: list[str] = []
    depth = 0
    for t in toks:
        depth += t[0] == "open"
        depth -= t[0] == "close"
        if t[0] == "op" and t[1] in _RELATIONS and depth == 0:
            rels.append(_RELATIONS[t[1]])
            sides.append([])
        else:
            sides[-1].append(t)
    if rels and not [t for t in sides[0] if t[0] != "space"]:  # a leading relation: "< 10^-20"
        parts = [""] + [_latex_expr(s) for s in sides[1:]]
    else:
        parts = [_latex_expr(s) for s in sides]
    if any(p is None for p in parts):
        return None
    out = parts[0] or ""
    for rel, part in zip(rels, parts[1:]):
        out += f" {rel} {part}" if out else f"{rel} {part}"
    return out


def _group_end(toks: list[tuple[str, str]], i: int) -> int | None:
    """Index past the bracket group opening at ``i`` if everything inside may be mathematics."""
    depth = 0
    for j in range(i, len(toks)):
        kind, tok = toks[j]
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                return j + 1
        elif kind in ("other", "dots") or (kind == "id" and _word_kind(
                tok, _next_nonspace(toks, j + 1) < len(toks) and toks[_next_nonspace(toks, j + 1)][1] == "(")
                == "text"):
            return None
    return None


def _field(toks: list[tuple[str, str]], i: int) -> tuple[str, int] | None:
    """``Q(g_1, ..., g_k)`` at ``i`` as ``$\\mathbb{Q}(...)$`` (``..., (N variables)`` kept as words)."""
    depth, j = 0, i + 1
    for j in range(i + 1, len(toks)):
        depth += toks[j][0] == "open"
        depth -= toks[j][0] == "close"
        if depth == 0:
            break
    else:
        return None
    items = _split_commas(toks[i + 2:j])
    gens, tail = [], ""
    for item in items:
        words = "".join(t for _, t in item).strip()
        m = re.fullmatch(r"\.\.\.(?: \((\d+) variables\))?", words)
        if m:
            gens.append(r"\dots")
            if m.group(1):
                tail = f" ({m.group(1)} generators)"
            continue
        tex = _latex_expr(item)
        if tex is None:
            return None
        gens.append(tex)
    # a long list of generators may break after a comma (it ran into the margin of a fragment)
    body = ",\\allowbreak ".join(gens)
    return rf"$\mathbb{{Q}}({body})$" + tail, j + 1


_SETS = {"QQ": r"\mathbb{Q}", "ZZ": r"\mathbb{Z}", "RR": r"\mathbb{R}", "CC": r"\mathbb{C}"}


def message(text: Any) -> str:
    r"""A plain-text message of the library as LaTeX text, its mathematics in ``$...$``.

    Parameters
    ==========
    text : str
        A message in symgrad's terminal style (SymPy syntax for mathematics).

    Returns
    =======
    str
        Text for a LaTeX paragraph.

    Examples
    ========
    >>> print(message("phi is unbounded at every end (+oo, -oo); see [-3, 3] and d_i"))
    $\phi$ is unbounded at every end $\left(+\infty, -\infty\right)$; see $\left[-3, 3\right]$ and $d_{i}$
    >>> print(message("where (u**2 + v**2)*(u - v) != 0, 1.5e-12"))
    where $\left(u - v\right) \left(u^{2} + v^{2}\right) \neq 0$, $1.5 \cdot 10^{-12}$
    """
    toks = _tokens(str(text))
    out: list[str] = []
    i = 0
    while i < len(toks):
        kind, tok = toks[i]
        if kind == "space":
            out.append(tok)
            i += 1
            continue
        if kind == "id" and tok == "Q" and i + 1 < len(toks) and toks[i + 1] == ("open", "("):
            field = _field(toks, i)
            if field is not None:
                out.append(field[0])
                i = field[1]
                continue
        if kind == "open" and toks[i + 1:i + 3] == [("id", "Q"), ("open", "(")]:
            out.append(escape_latex(tok))   # "(Q(...))": the parenthesis is prose, the field follows
            i += 1
            continue
        if kind == "id" and tok in _SETS:
            out.append(f"${_SETS[tok]}$")
            i += 1
            continue
        if kind == "id" and tok == "C" and "".join(out[-2:]).endswith("over "):
            out.append(r"$\mathbb{C}$")
            i += 1
            continue
        end, strong = _span(toks, i)
        if end > i and strong:
            tex = _latex_math(toks[i:end])
            if tex is not None:
                out.append(f"${tex}$")
                i = end
                continue
        if end > i:  # weak or unparsable: text
            out.append(escape_latex("".join(t for _, t in toks[i:end])))
            i = end
            continue
        out.append(_UNICODE_MATH[tok] if tok in _UNICODE_MATH else escape_latex(tok))
        i += 1
    return "".join(out)


#: Mathematical signs a message may contain (a witness's ``≈``), typeset as LaTeX.
_UNICODE_MATH = {"≈": r"$\approx$", "≠": r"$\neq$", "≤": r"$\leq$", "≥": r"$\geq$", "±": r"$\pm$"}


def message_math(text: Any) -> str:
    r"""A message as LaTeX *mathematics*, for the ``_latex`` hooks of results (SymPy's printer puts them
    inside ``$...$``): the prose of :func:`message` in ``\text{...}``, its mathematics as it is.

    Examples
    ========
    >>> print(message_math("proved exactly in Q(r, theta)"))
    \text{proved exactly in }\mathbb{Q}(r,\allowbreak \theta)
    """
    out = []
    for k, part in enumerate(re.split(r"(?<!\\)\$", message(text))):
        if part:
            out.append(part if k % 2 else r"\text{" + part + "}")
    return "".join(out)


def _span(toks: list[tuple[str, str]], i: int) -> tuple[int, bool]:
    """The end of the mathematical fragment starting at ``i`` and whether it is surely mathematics."""
    j, last, strong = i, i, False
    while j < len(toks):
        kind, tok = toks[j]
        if kind == "space":
            j += 1
            continue
        if kind == "num":
            strong = strong or "e" in tok
        elif kind == "id":
            k = _next_nonspace(toks, j + 1)
            w = _word_kind(tok, k < len(toks) and toks[k][1] == "(")
            if w == "text":
                break
            strong = strong or w == "strong"
        elif kind == "op":
            if tok in ("-", "+", "*", "/", "^", "**") and j == i and not (j + 1 < len(toks) and toks[j + 1][0] in ("num", "id", "open")):
                break
            strong = True
        elif kind == "open":
            end = _group_end(toks, j)
            if end is None:
                break
            inner = toks[j + 1:end - 1]
            strong = strong or tok == "[" or _top_level_commas(inner) or any(
                _span(inner, 0)[1] for _ in (0,) if inner)
            j = last = end
            continue
        else:
            break
        j += 1
        last = j
    # an operator cannot end the fragment
    while last > i and toks[last - 1][0] in ("op", "space"):
        last -= 1
    if last > i and toks[last - 1][0] == "op":
        last -= 1
    return last, strong and last > i


def decimal(value: Any, digits: int = 10) -> str:
    r"""LaTeX of ``value`` rounded to ``digits`` significant digits (for display beside an exact value).

    Examples
    ========
    >>> import sympy as sp
    >>> decimal(sp.Rational(2, 3)), decimal(sp.exp(-sp.Rational(27, 14)))
    ('0.6666666667', '0.1453557012')
    """
    x = sp.N(sp.sympify(value), digits + 5)
    if x.is_real:
        s = sp.Float(x, digits)
        out = sp.latex(s)
        if "cdot" not in out:
            out = f"{float(x):.{digits}g}" if abs(float(x)) >= 1e-4 else out
        return out
    return sp.latex(sp.N(x, digits))


def math_of(value: Any) -> str:
    """LaTeX of an exact value, with a 10-digit decimal beside it when it is long or not rational."""
    v = sp.sympify(value)
    tex = sp.latex(v)
    if v.is_number and (not v.is_Rational or len(tex) > 16) and v.is_finite:
        return rf"{tex} \approx {decimal(v)}"
    return tex


# The plain text of :class:`symgrad.proof.Witness` (``str(w)``): ``at POINT: entry (i, j) is exactly V
# [≈ D]``, ``... is approximately D (numeric)``, a point of the lifted variables with the names of what they
# stand for, ``at POINT: the residual is exactly (...)``; and the older form ``at POINT entry (i, j) is V
# [= D] (exact)`` (a six-digit decimal there is ignored: the decimal is recomputed).
_WITNESS = re.compile(
    r"at (?P<point>.*?)(?:, an integer point of the lifted variables (?P<names>.*?), independent variables "
    r"that stand for (?P<meanings>.*?) \(not values of those functions\))?: "
    r"(?:entry \((?P<i>\d+), (?P<j>\d+)\)|the residual(?P<size> has size about)?) (?:is (?P<how>exactly|approximately) )?"
    r"(?P<value>.*?)(?: ≈ (?P<dec>-?[0-9.]+(?:e[-+]?\d+)?))?"
    r"(?: \((?P<kind>numeric|certified by interval arithmetic)\))?$", re.S)
_OLD_WITNESS = re.compile(r"at (?P<point>.*?) (?:entry \((?P<i>\d+), (?P<j>\d+)\) is|the residual is) "
                          r"(?P<value>.*?)(?: = (?P<dec>-?[0-9.e+-]+))? \((?P<kind>exact|numeric)\)$", re.S)


def witness(w: Any) -> str:
    r"""LaTeX of a witness: the point, the entry and its value, exact values with a decimal beside them.

    ``w`` is a :class:`symgrad.proof.Witness` or its plain text.  An exact value
    that is long or irrational gets ``\approx`` and its decimal to 10 significant
    digits, and the sentence says that the decimal is rounded.  A point of the lifted
    variables is said to be one, with what each variable stands for.

    Examples
    ========
    >>> print(witness("at u = 27/14, v = -3/14: entry (1, 1) is exactly 32048030767311/323497464541720 ≈ 0.09906733214"))
    at $u = \frac{27}{14}$, $v = - \frac{3}{14}$ the entry $(1, 1)$ is exactly $\frac{32048030767311}{323497464541720} \approx 0.09906733214$ (the decimal rounded to 10 significant digits)
    """
    if hasattr(w, "point") and hasattr(w, "value"):
        point, value, exact = dict(w.point), w.value, bool(getattr(w, "exact", True))
        entry = None
        if isinstance(value, dict):
            entry, value = value["entry"], value["value"]
        pt = ", ".join(f"${_name_latex(k)} = {sp.latex(sp.sympify(v))}$" for k, v in point.items())
        lifted = tuple(getattr(w, "lifted", ()) or ())
        if lifted:
            pt += _lifted_clause(", ".join(n for n, _ in lifted), ", ".join(m for _, m in lifted))
        return _witness_sentence(pt, entry, value, exact, getattr(w, "decimal", None))
    text = str(w).strip()
    m = _WITNESS.fullmatch(text)
    old = m is None
    if old:
        m = _OLD_WITNESS.fullmatch(text)
    if m is None:
        return message(w)
    pt = message(m["point"])
    if not old and m["names"]:
        pt += _lifted_clause(m["names"], m["meanings"])
    entry = (int(m["i"]), int(m["j"])) if m["i"] else None
    if not old and m["size"]:
        return f"at {pt} the residual has size about {message(m['value'])} (a numerical value, not exact)"
    exact = m["kind"] == "exact" if old else m["how"] == "exactly"
    toks = _tokens(m["value"])
    source, local = _symbol_table(toks)
    try:
        value = parse_expr(source, local_dict=local, transformations=_TRANSFORMS)
    except Exception:  # not SymPy syntax: say it as text
        return message(w)
    return _witness_sentence(pt, entry, value, exact, None if old else m["dec"])


def _name_latex(k: Any) -> str:
    return sp.latex(k) if isinstance(k, sp.Basic) else sp.latex(sp.Symbol(str(k)))


def _lifted_clause(names: str, meanings: str) -> str:
    return (f", an integer point of the lifted variables {message(names)} (independent variables that stand "
            f"for {message(meanings)}, not values of those functions),")


def _witness_sentence(pt: str, entry: tuple[int, int] | None, value: Any, exact: bool,
                      dec: str | None = None) -> str:
    what = f"the entry $({entry[0]}, {entry[1]})$" if entry else "the residual"
    try:
        v = sp.sympify(value)
    except (sp.SympifyError, TypeError):
        return f"at {pt} {what} is {message(value)}"
    if not exact:
        shown = decimal(v) if v.is_number else sp.latex(v)
        return f"at {pt} {what} is approximately ${shown}$ (a numerical value, not exact)"
    if v.is_number and dec is not None and (not v.is_Rational or len(sp.latex(v)) > 16):
        tex = rf"{sp.latex(v)} \approx {_decimal_tex(dec)}"
    else:
        tex = math_of(v) if v.is_number else sp.latex(v)
    note = " (the decimal rounded to 10 significant digits)" if r"\approx" in tex else ""
    return f"at {pt} {what} is exactly ${tex}${note}"


def _decimal_tex(dec: str) -> str:
    """LaTeX of a decimal in plain text (``-1.2e-7`` as ``-1.2 \\cdot 10^{-7}``)."""
    if "e" in dec:
        mantissa, exponent = dec.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return dec
