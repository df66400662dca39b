"""No programmer text in the appendix (issue 14): the scanner, the message typesetter, and a
scan of every rendered .tex of the built-in derivations (standalone and fragment)."""
from __future__ import annotations

import functools

import pytest
import sympy as sp

import symgrad as sg
from symgrad.render import code_text, message, render_document, render_supplement, witness
from symgrad.proof import Witness
from symgrad.render.lint import split_math
from symgrad.render.context import derivation_context
from render_contexts import builtin_contexts

# -- the scanner ------------------------------------------------------------------

CODE_TEXT = {
    "power": r"the value x**2 is",
    "infinity": r"unbounded at (+oo, -oo).",
    "QQ": r"factorised over QQ.",
    "field": r"in Q(r, theta).",
    "one-tuple in text": r"at (1, ) it is",
    "one-tuple in math": r"at $\left( 1,\right)$ it is",
    "exp call": r"is exp(-2)/3 here",
    "sqrt call": r"is sqrt(2) here",
    "escaped tilde": r"eq.\textasciitilde{}(1) of the paper",
    "underscore in text": r"the entry U\_11 is",
    "not equal": r"where u != 0",
    "Greek name in text": r"rational functions of lambda",
    "power in math": r"$x**2$",
}

CLEAN = {
    "tie": r"Theorem~\ref{thm:symgrad-gradient} and eq.~\eqref{eq:a-b_c}",
    "math": r"$\mathbb{Q}(r, \theta)$, $(1, 2)$, $x^{2} \neq 0$ on $(0, \infty)$",
    "display": "\\begin{equation}\nG_{11} = e^{x}\\label{eq:x_1}\n\\end{equation}",
    "text in math": r"$a \text{ for all } b$",
    "tikz": "\\begin{tikzpicture}\\draw (0, 0) -- ++(1, 0) node {$v$};\\end{tikzpicture}",
    "comment": "% QQ and x**2 in a comment\nfine",
}


@pytest.mark.parametrize("tex", CODE_TEXT.values(), ids=CODE_TEXT.keys())
def test_code_text_finds_programmer_text(tex):
    assert code_text(tex), tex


@pytest.mark.parametrize("tex", CLEAN.values(), ids=CLEAN.keys())
def test_code_text_passes_typeset_mathematics(tex):
    assert code_text(tex) == []


def test_split_math_puts_text_in_math_back_to_text():
    text, maths = split_math(r"a $b \text{c_d}$ \[e\] \begin{align}f\end{align} g")
    assert "c_d" in text and maths[0].startswith("b") and maths[1:] == ["e", "f"]


# -- the typesetter of the library's messages -----------------------------------------

MESSAGES = {
    "field": ("exact arithmetic in Q(r, theta, tan(theta/2))",
              r"exact arithmetic in $\mathbb{Q}(r,\allowbreak \theta,\allowbreak \tan{\left(\frac{\theta}{2} \right)})$"),
    "field with more generators": ("in Q(a, U_11, ... (10 variables))",
                                   r"in $\mathbb{Q}(a,\allowbreak U_{11},\allowbreak \dots)$ (10 generators)"),
    "rationals": ("over QQ and finite over C", r"over $\mathbb{Q}$ and finite over $\mathbb{C}$"),
    "relation": ("with s*(x_k - y_k) = 1;", r"with $s \left(x_{k} - y_{k}\right) = 1$;"),
    "condition": ("where u**2 + 1 != 0", r"where $u^{2} + 1 \neq 0$"),
    "greek word": ("functions of lambda", r"functions of $\lambda$"),
    "interval": ("starts in [-3, 3] per parameter", r"starts in $\left[-3, 3\right]$ per parameter"),
    "scientific": ("residual < 1e-20, bound 1.5e-12", r"residual $< 10^{-20}$, bound $1.5 \cdot 10^{-12}$"),
    "plain words stay": ("proved exactly (exact rational-function arithmetic)",
                         "proved exactly (exact rational-function arithmetic)"),
    "a single letter word stays": ("a crossing (exact)", "a crossing (exact)"),
    "specials escaped": ("100% & more", r"100\% \& more"),
}


@pytest.mark.parametrize("text, expected", MESSAGES.values(), ids=MESSAGES.keys())
def test_message(text, expected):
    assert message(text) == expected
    assert code_text(message(text)) == []


def test_witness_from_text_shows_the_exact_value_and_a_marked_decimal():
    out = witness("at eta1 = 27/14, eta2 = -3/14 entry (1, 1) is (1 + exp(12/7))*exp(-27/14)/3 = 0.65 (exact)")
    assert out.startswith(r"at $\eta_{1} = \frac{27}{14}$, $\eta_{2} = - \frac{3}{14}$ the entry $(1, 1)$ is exactly $")
    value = (1 + sp.exp(sp.Rational(12, 7))) * sp.exp(-sp.Rational(27, 14)) / 3
    assert rf"\approx {sp.N(value, 10)}$" in out and "decimal rounded to 10 significant digits" in out
    assert "0.65 " not in out and code_text(out) == []


def test_witness_from_a_witness_object():
    u = sp.Symbol("u")
    out = witness(Witness({u: sp.Rational(1, 2)}, {"entry": (1, 2), "value": sp.Rational(1, 3)}))
    assert out == r"at $u = \frac{1}{2}$ the entry $(1, 2)$ is exactly $\frac{1}{3}$"
    numeric = witness(Witness({u: 1}, sp.sqrt(2), exact=False))
    assert "approximately $1.414213562$" in numeric and "not exact" in numeric and "exactly" not in numeric


def test_short_rationals_get_no_decimal():
    assert r"\approx" not in witness("at u = 1 entry (1, 1) is 6/7 (exact)")


# -- every built-in derivation ---------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("fragment", [False, True], ids=["standalone", "fragment"])
def test_builtin_appendix_has_no_code_text(fragment):
    tex = render_document(builtin_contexts(), fragment=fragment)
    found = code_text(tex)
    assert not found, "programmer text in the rendered appendix:\n" + "\n".join(found[:40])


@pytest.mark.slow
def test_builtin_supplement_has_no_code_text():
    found = code_text(render_supplement(builtin_contexts()))
    assert not found, "programmer text in the supplement:\n" + "\n".join(found[:40])


@functools.lru_cache(maxsize=None)
def _corpus_contexts() -> tuple:
    """The acceptance models of the invariance tests (tests/models.py) as derivations, every loss at once."""
    from models import ACCEPTANCE
    out = []
    for key, build in ACCEPTANCE.items():
        M, f = build()
        d = sg.Derivation(key=f"corpus-{key}", title=f"The corpus model {key}", summary="", model=M,
                          reparametrisation=f)
        out.append(derivation_context(sg.run_derivation(d, seed=0)).as_dict())
    return tuple(out)


@pytest.mark.slow
def test_corpus_appendix_has_no_code_text():
    contexts = _corpus_contexts()
    for tex in (render_document(contexts), render_document(contexts, fragment=True), render_supplement(contexts)):
        found = code_text(tex)
        assert not found, "programmer text in the corpus appendix:\n" + "\n".join(found[:40])


@pytest.mark.tex
@pytest.mark.slow
def test_corpus_appendix_compiles_with_no_overfull_box(tmp_path):
    from test_latexmk import require_tex
    from symgrad.render import write_appendix
    require_tex()
    res = write_appendix(list(_corpus_contexts()), tmp_path, pdf=True)
    boxes = list(res["overfull"]) + list(res["supplement"]["overfull"] if res["supplement"] else [])
    assert res["pdf"].exists() and not [w for w, _ in boxes if w > 3.0], boxes

