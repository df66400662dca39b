r"""Figures: a sampled plane curve with vectors at one point, and panels joined by maps.

:func:`tikz_curve_figure` draws the model near one point; :func:`tikz_panels_figure`
draws the paper's Figure 1: parameter spaces and the model side by side, with the
vectors at corresponding points and the maps between them.  A :class:`Figure` is
TikZ code that carries its caption.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

from ..exceptions import RenderError

__all__ = ["tikz_curve_figure", "tikz_panels_figure", "Panel", "Figure"]

# -- figures ----------------------------------------------------------------------

def _num(x: Any, decimals: int) -> str:
    value = float(x)
    if not math.isfinite(value):
        raise RenderError(f"cannot draw the non-finite coordinate {x!r}: sample the curve where it is defined")
    s = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _pair(v: Any, what: str) -> tuple[float, float]:
    items = list(v)
    if len(items) != 2:
        raise RenderError(f"{what} must have 2 coordinates, got {len(items)}: {v!r}")
    return float(items[0]), float(items[1])


def tikz_curve_figure(points_xy: Sequence[tuple[float, float]], base_point: Sequence[float],
                      arrows: Sequence[tuple[Sequence[float], str, str]], *,
                      width_cm: float = 7.0, max_height_cm: float = 6.0, decimals: int = 3) -> str:
    r"""A ``tikzpicture`` of a sampled plane curve with arrows attached at one point.

    The picture keeps the aspect ratio of the data (so orthogonality shows) and
    is scaled to be ``width_cm`` wide or ``max_height_cm`` high, whichever is
    smaller; arrow tips are included in the bounding box.

    Parameters
    ==========
    points_xy : sequence of (x, y)
        Samples of the curve, drawn as one polyline in order.
    base_point : (x, y)
        The point the arrows start from (marked with a dot).
    arrows : sequence of (vector, colour, label)
        ``vector`` is (dx, dy) in data units, ``colour`` an xcolor expression
        such as ``blue`` or ``red!70!black``, ``label`` LaTeX *math* typeset at
        the tip (empty for none).  Zero vectors are left out.
    width_cm, max_height_cm : float
        Size of the picture.
    decimals : int
        Decimals of the printed coordinates.

    Returns
    =======
    str

    Examples
    ========
    >>> print(tikz_curve_figure([(0, 0), (1, 1)], (0, 0), [((1, 0), "blue", "v")], width_cm=2))
    \begin{tikzpicture}[x=2cm, y=2cm, >=stealth]
      \draw[thick, black!70] (0, 0) -- (1, 1);
      \fill (0, 0) circle[radius=1.5pt];
      \draw[->, thick, blue] (0, 0) -- ++(1, 0) node[anchor=south west] {$v$};
    \end{tikzpicture}
    """
    pts = [_pair(p, "a curve point") for p in points_xy]
    if len(pts) < 2:
        raise RenderError(f"a curve needs at least 2 sample points, got {len(pts)}")
    px, py = _pair(base_point, "the base point")
    vecs = []
    for vector, colour, text in arrows:
        if not re.fullmatch(r"[A-Za-z]+(![0-9.]+(![A-Za-z]+)?)*", str(colour)):
            raise RenderError(f"{colour!r} is not an xcolor colour such as 'blue' or 'red!70!black'")
        vecs.append((_pair(vector, "an arrow"), str(colour), str(text)))
    xs = [x for x, _ in pts] + [px] + [px + v[0] for v, _, _ in vecs]
    ys = [y for _, y in pts] + [py] + [py + v[1] for v, _, _ in vecs]
    for v in xs + ys:
        _num(v, decimals)  # raises on non-finite input
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    scale = min(width_cm / span_x if span_x > 0 else math.inf,
                max_height_cm / span_y if span_y > 0 else math.inf)
    if not math.isfinite(scale):
        scale = 1.0
    unit = _num(scale, 4)
    out = [rf"\begin{{tikzpicture}}[x={unit}cm, y={unit}cm, >=stealth]"]
    path = " -- ".join(f"({_num(x, decimals)}, {_num(y, decimals)})" for x, y in pts)
    out.append(rf"  \draw[thick, black!70] {path};")
    base = f"({_num(px, decimals)}, {_num(py, decimals)})"
    out.append(rf"  \fill {base} circle[radius=1.5pt];")
    for (dx, dy), colour, text in vecs:
        if dx == 0 and dy == 0:
            out.append(f"  % zero arrow ({colour}) left out")
            continue
        anchor = ("south" if dy >= 0 else "north") + (" west" if dx >= 0 else " east")
        node = f" node[anchor={anchor}] {{${text}$}}" if text else ""
        out.append(rf"  \draw[->, thick, {colour}] {base} -- ++({_num(dx, decimals)}, {_num(dy, decimals)}){node};")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)


class Figure(str):
    """TikZ code with the caption that says what it draws (a ``str``, so it goes wherever TikZ goes).

    Examples
    ========
    >>> f = Figure(r"\\begin{tikzpicture}\\end{tikzpicture}", caption="Nothing at all.")
    >>> f.caption, f.startswith(r"\\begin{tikzpicture}")
    ('Nothing at all.', True)
    """

    caption: str

    def __new__(cls, tikz: str, caption: str = "") -> Figure:
        obj = super().__new__(cls, tikz)
        obj.caption = caption
        return obj


@dataclass(frozen=True)
class Panel:
    r"""One panel of :func:`tikz_panels_figure`: a point of a plane, vectors at it, an optional curve.

    Attributes
    ==========
    title : LaTeX text under the panel (e.g. ``$\Xi$, coordinates $(r, \theta)$``).
    point : (x, y) the base point, in the panel's own coordinates.
    point_label : LaTeX math set next to the point (empty for none).
    arrows : sequence of (vector, colour, label math, dashed) at the point.
    axes : (x name, y name) in LaTeX math: the coordinate lines through the point are drawn
        and named; ``None`` for none.
    curve : points (x, y) of a curve through the point, drawn thin and clipped to the panel.
    values : lines of LaTeX text under the title (the vectors' coordinates, say).
    """

    title: str
    point: tuple[float, float]
    point_label: str = ""
    arrows: Sequence[tuple[Sequence[float], str, str, bool]] = ()
    axes: tuple[str, str] | None = None
    curve: Sequence[tuple[float, float]] = ()
    values: Sequence[str] = ()


def tikz_panels_figure(panels: Sequence[Panel], maps: Sequence[tuple[int, int, str]] = (), *,
                       panel_cm: float = 3.0, gap_cm: float = 1.2, decimals: int = 3) -> str:
    r"""Panels side by side (parameter spaces and the model), with labelled maps between them.

    Each panel is a square of ``panel_cm`` with the base point at its centre and
    its own scale: the longest arrow takes 35 % of the width, and the panel's
    curve is drawn to the same scale (aspect ratio kept, so orthogonality
    shows).  ``maps`` are ``(from, to, label)``: neighbouring panels are joined by
    a straight arrow, others by one bent over the top.

    Examples
    ========
    >>> tex = tikz_panels_figure([Panel("$A$", (0, 0), "a", [((1, 0), "blue", "v", False)]),
    ...                           Panel("$B$", (1, 1), arrows=[((0, 2), "red", "w", True)])], [(0, 1, "f")])
    >>> tex.count(r"\draw[->, thick"), r"node[midway, above] {$f$}" in tex
    (2, True)
    """
    if not panels:
        raise RenderError("a panels figure needs at least one panel")
    half = panel_cm / 2
    out = [r"\begin{tikzpicture}[>=stealth]"]
    for k, panel in enumerate(panels):
        x0 = k * (panel_cm + gap_cm)
        px, py = _pair(panel.point, "a panel's point")
        vecs = []
        for vector, colour, text, dashed in panel.arrows:
            if not re.fullmatch(r"[A-Za-z]+(![0-9.]+(![A-Za-z]+)?)*", str(colour)):
                raise RenderError(f"{colour!r} is not an xcolor colour such as 'blue' or 'red!70!black'")
            vecs.append((_pair(vector, "an arrow"), str(colour), str(text), bool(dashed)))
        longest = max([math.hypot(*v) for v, _, _, _ in vecs] + [0.0])
        scale = 0.35 * panel_cm / longest if longest > 0 else 1.0
        for v in [px, py, scale]:
            _num(v, decimals)
        name = f"symgradpanel{k}"

        def at(x: float, y: float) -> str:
            return f"({_num(x0 + half + (x - px) * scale, decimals)}, {_num(half + (y - py) * scale, decimals)})"

        out.append(rf"  \draw[black!25] ({_num(x0, decimals)}, 0) rectangle "
                   rf"({_num(x0 + panel_cm, decimals)}, {_num(panel_cm, decimals)});")
        out.append(rf"  \coordinate ({name}) at ({_num(x0 + half, decimals)}, {_num(half, decimals)});")
        if panel.axes is not None:
            out.append(rf"  \draw[black!35, dashed] ({_num(x0 + panel_cm, decimals)}, {_num(half, decimals)}) -- "
                       rf"({_num(x0, decimals)}, {_num(half, decimals)}) "
                       rf"node[anchor=south west, black!70] {{${panel.axes[0]}$}};")
            out.append(rf"  \draw[black!35, dashed] ({_num(x0 + half, decimals)}, 0) -- "
                       rf"({_num(x0 + half, decimals)}, {_num(panel_cm, decimals)}) "
                       rf"node[anchor=north west, black!70] {{${panel.axes[1]}$}};")
        if panel.curve:
            pts = [_pair(p, "a curve point") for p in panel.curve]
            out.append(r"  \begin{scope}")
            out.append(rf"    \clip ({_num(x0, decimals)}, 0) rectangle ({_num(x0 + panel_cm, decimals)}, "
                       rf"{_num(panel_cm, decimals)});")
            out.append(r"    \draw[thick, black!60] " + " -- ".join(at(x, y) for x, y in pts) + ";")
            out.append(r"  \end{scope}")
        out.append(rf"  \fill ({name}) circle[radius=1.5pt];")
        angles = [math.atan2(dy, dx) for (dx, dy), _, _, _ in vecs if dx or dy]
        if panel.point_label:  # on the side away from the arrows
            mean = math.degrees(math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles)))) \
                if angles else 45.0
            out.append(rf"  \node[anchor={round(mean) % 360}, inner sep=2pt] at ({name}) {{${panel.point_label}$}};")
        for i, ((dx, dy), colour, text, dashed) in enumerate(vecs):
            if dx == 0 and dy == 0:
                out.append(f"  % zero arrow ({colour}) left out")
                continue
            angle = round(math.degrees(math.atan2(dy, dx)))
            # the label beyond the tip, turned to the left of the arrow; an arrow drawn on top of an
            # earlier labelled one gets its label turned to the right
            same = any(math.isclose(dx, v[0], abs_tol=1e-12) and math.isclose(dy, v[1], abs_tol=1e-12) and s
                       for v, _, s, _ in vecs[:i])
            where = f"anchor={(angle + 135) % 360}" if same else f"anchor={(angle + 225) % 360}"
            style = "->, thick, dashed" if dashed else "->, thick"
            node = f" node[{where}, inner sep=1pt] {{${text}$}}" if text else ""
            out.append(rf"  \draw[{style}, {colour}] ({name}) -- ++({_num(dx * scale, decimals)}, "
                       rf"{_num(dy * scale, decimals)}){node};")
        below = [panel.title, *panel.values]
        out.append(rf"  \node[anchor=north, align=center, font=\small, text width={_num(panel_cm + gap_cm - 0.2, 2)}cm] "
                   rf"at ({_num(x0 + half, decimals)}, -0.15) {{" + r"\\ ".join(below) + "};")
    for a, b, text in maps:
        if not (0 <= a < len(panels) and 0 <= b < len(panels)) or a == b:
            raise RenderError(f"a map joins two different panels 0..{len(panels) - 1}, got {a} -> {b}")
        xa = a * (panel_cm + gap_cm) + (panel_cm if b > a else 0)
        xb = b * (panel_cm + gap_cm) + (0 if b > a else panel_cm)
        if abs(a - b) == 1:  # low in the gap, away from the labels near the centre
            low = 0.25 * panel_cm
            out.append(rf"  \draw[->, black!70] ({_num(xa, decimals)}, {_num(low, decimals)}) -- "
                       rf"({_num(xb, decimals)}, {_num(low, decimals)}) node[midway, above] {{${text}$}};")
        else:
            ca = a * (panel_cm + gap_cm) + half
            cb = b * (panel_cm + gap_cm) + half
            out.append(rf"  \draw[->, black!70] ({_num(ca, decimals)}, {_num(panel_cm, decimals)}) "
                       rf"to[out=30, in=150] node[midway, above] {{${text}$}} "
                       rf"({_num(cb, decimals)}, {_num(panel_cm, decimals)});")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)
