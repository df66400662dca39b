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

__all__ = ["tikz_curve_figure", "tikz_panels_figure", "tikz_branches_figure", "Branch", "Panel", "Figure"]

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


@dataclass(frozen=True)
class Branch:
    r"""One branch through the singular point of :func:`tikz_branches_figure`.

    Attributes
    ==========
    span : (dx, dy), a vector spanning the branch's tangent line ``span d_i(xi)`` at the point
    vector : (dx, dy), the right-hand side of eq. (4) evaluated on this branch
    colour : an xcolor colour (``blue``, ``red!70!black``)
    vector_label, span_label : LaTeX math at the arrow's tip and at the end of the line
    parameter : the preimage on the parameter line (a number), or None
    parameter_label : LaTeX math under the preimage's mark
    """

    span: tuple[float, float]
    vector: tuple[float, float]
    colour: str
    vector_label: str = ""
    span_label: str = ""
    parameter: float | None = None
    parameter_label: str = ""


def _colour(colour: str) -> str:
    if not re.fullmatch(r"[A-Za-z]+(![0-9.]+(![A-Za-z]+)?)*", str(colour)):
        raise RenderError(f"{colour!r} is not an xcolor colour such as 'blue' or 'red!70!black'")
    return str(colour)


def _side(angle: float, turn: float) -> int:
    """A TikZ anchor angle that puts a label on the side ``turn`` degrees from the direction ``angle``."""
    return round(angle + 180 + turn) % 360


def _segment_samples(a: tuple[float, float], b: tuple[float, float], k: int = 12) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * i / k, a[1] + (b[1] - a[1]) * i / k) for i in range(k + 1)]


def _label_half_width(text: str) -> float:
    """A rough half-width in cm of a math label at the normal size (about 0.2 cm per visible character)."""
    visible = re.sub(r"\\(?:operatorname|overline|mathcal|mathrm|text)\b|\\[A-Za-z]+|[{}^_\s\\]", "x", text)
    visible = re.sub(r"x+", "x", re.sub(r"\\[A-Za-z]+", "x", text))  # a command name counts as one glyph
    visible = re.sub(r"[{}^_\s]", "", visible)
    return 0.1 * max(1, len(visible)) + 0.05


_COMPASS = {  # direction of the label from its point -> (unit offsets, the TikZ anchor that puts it there)
    0: ((1, 0), "west"), 45: ((1, 1), "south west"), 90: ((0, 1), "south"), 135: ((-1, 1), "south east"),
    180: ((-1, 0), "east"), 225: ((-1, -1), "north east"), 270: ((0, -1), "north"), 315: ((1, -1), "north west"),
}


class _Labels:
    """Places labels near points, each where it is farthest from the drawing and the labels so far.

    Distances are in centimetres on the page.  A label is a box of the estimated half-width and a
    fixed half-height, set beside its point in one of the eight compass directions (a corner or
    side anchor of the box on the point); its score is the least distance from points of the box
    to the obstacles and to the boxes already placed.  Directions nearer the preferred one win ties.
    """

    HALF_HEIGHT = 0.2
    GAP = 0.08

    def __init__(self, obstacles: list[tuple[float, float]], scale: float):
        self.obstacles = [(x * scale, y * scale) for x, y in obstacles]
        self.scale = scale
        self.placed: list[tuple[float, float]] = []

    def _box(self, cx: float, cy: float, ux: int, uy: int, w: float, g: float) -> list[tuple[float, float]]:
        h = self.HALF_HEIGHT
        bx, by = cx + ux * (w + g), cy + uy * (h + g)
        return [(bx + fx * w, by + fy * h) for fx in (-1, -0.5, 0, 0.5, 1) for fy in (-1, 0, 1)]

    def place(self, x: float, y: float, prefer: float, text: str = "") -> str:
        """TikZ options placing a label at data point (x, y), preferably in the direction ``prefer``
        (degrees) and close to the point: an anchor and an ``inner sep`` that sets the gap."""
        cx, cy = x * self.scale, y * self.scale
        w = _label_half_width(text)
        order = sorted(_COMPASS, key=lambda a: abs((a - prefer + 180) % 360 - 180))
        best, best_box, best_score = (order[0], self.GAP), None, -math.inf
        i = 0
        for g in (self.GAP, 0.2, 0.32):
            for a in order:
                (ux, uy), _ = _COMPASS[a]
                box = self._box(cx, cy, ux, uy, w, g)
                near = min((math.hypot(bx - ox, by - oy) for bx, by in box
                            for ox, oy in self.obstacles + self.placed), default=math.inf)
                score = min(near, 0.22) - 0.001 * i  # clear enough is enough; then near and preferred win
                i += 1
                if score > best_score:
                    best, best_box, best_score = (a, g), box, score
        self.placed += best_box or []
        a, g = best
        return f"anchor={_COMPASS[a][1]}, inner sep={_num(g * 28.45, 1)}pt"


def tikz_branches_figure(points_xy: Sequence[tuple[float, float]], point: Sequence[float],
                         branches: Sequence[Branch], *, ambient: tuple[Sequence[float], str] | None = None,
                         parameter_range: tuple[float, float] | None = None, parameter_name: str = r"\Xi",
                         map_label: str = r"\phi", width_cm: float = 5.5, max_height_cm: float = 6.0,
                         decimals: int = 3) -> str:
    r"""The paper's Figure 2: a curve through a singular point, each branch's span and its vector.

    At the point, each :class:`Branch` contributes its tangent line (the span
    of its pushforwards, drawn across the picture, thin, in its colour) and the
    vector eq. (4) gives on it (a thick arrow in the same colour).  With
    ``ambient = (vector, label)`` the ambient gradient ``g^{-1} dL`` is drawn
    dashed, with dotted lines from its tip to the tips of the branch vectors:
    each branch vector is its projection onto that branch's line.  With
    ``parameter_range = (lo, hi)`` the parameter line is drawn on the left,
    with the branches' preimages marked in their colours and a map arrow
    (``map_label``) to the curve.  Each label goes, among a few directions
    around its point, to the one farthest from the curve, the arrows, the lines
    and the labels placed before it.

    Examples
    ========
    >>> tex = tikz_branches_figure([(-1, -1), (1, 1)], (0, 0), [Branch((1, 1), (1, 1), "blue", "v", "S")],
    ...                            ambient=((1, 2), "w"), parameter_range=(-1, 1))
    >>> tex.count(r"\draw[->, very thick, blue]"), r"{$w$}" in tex, r"{$\phi$}" in tex
    (1, True, True)
    """
    pts = [_pair(p, "a curve point") for p in points_xy]
    if len(pts) < 2:
        raise RenderError(f"a curve needs at least 2 sample points, got {len(pts)}")
    px, py = _pair(point, "the singular point")
    items = [(_pair(b.span, "a span"), _pair(b.vector, "a branch vector"), _colour(b.colour), b) for b in branches]
    tips = [(px + v[0], py + v[1]) for _, v, _, _ in items]
    amb = None if ambient is None else (_pair(ambient[0], "the ambient gradient"), str(ambient[1]))
    if amb is not None:
        tips.append((px + amb[0][0], py + amb[0][1]))
    xs = [x for x, _ in pts] + [px] + [x for x, _ in tips]
    ys = [y for _, y in pts] + [py] + [y for _, y in tips]
    for v in xs + ys:
        _num(v, decimals)
    pad = 0.08 * max(max(xs) - min(xs), max(ys) - min(ys))
    lo_x, hi_x, lo_y, hi_y = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    span_x, span_y = hi_x - lo_x, hi_y - lo_y
    scale = min(width_cm / span_x if span_x > 0 else math.inf, max_height_cm / span_y if span_y > 0 else math.inf)
    if not math.isfinite(scale):
        scale = 1.0

    def n(v: float) -> str:
        return _num(v, decimals)

    base_xy = (px, py)
    obstacles = list(pts) + [base_xy]
    lines = []
    for (sx, sy), (vx, vy), colour, b in items:
        norm = math.hypot(sx, sy)
        if norm == 0:
            raise RenderError("a branch's span vector is zero: give a vector spanning its tangent line")

        def leave(dx: float, dy: float) -> float:  # how far along (dx, dy) the line stays in the picture
            return min([(hi_x - px) / dx if dx > 0 else (lo_x - px) / dx if dx < 0 else math.inf,
                        (hi_y - py) / dy if dy > 0 else (lo_y - py) / dy if dy < 0 else math.inf])

        a, c = leave(-sx, -sy), leave(sx, sy)
        end_neg, end_pos = (px - sx * a, py - sy * a), (px + sx * c, py + sy * c)
        lines.append((end_neg, end_pos, colour, b))
        obstacles += _segment_samples(end_neg, end_pos, 24) + _segment_samples(base_xy, (px + vx, py + vy))
    if amb is not None:
        (ax, ay), _ = amb
        obstacles += _segment_samples(base_xy, (px + ax, py + ay))
        for _, (vx, vy), _, _ in items:
            obstacles += _segment_samples((px + ax, py + ay), (px + vx, py + vy), 6)
    labels = _Labels(obstacles, scale)

    out = [rf"\begin{{tikzpicture}}[x={_num(scale, 4)}cm, y={_num(scale, 4)}cm, >=stealth]"]
    for end_neg, end_pos, colour, _ in lines:
        out.append(rf"  \draw[{colour}!55, thin] ({n(end_neg[0])}, {n(end_neg[1])}) -- "
                   rf"({n(end_pos[0])}, {n(end_pos[1])});")
    out.append(r"  \begin{scope}")
    out.append(rf"    \clip ({n(lo_x)}, {n(lo_y)}) rectangle ({n(hi_x)}, {n(hi_y)});")
    out.append(r"    \draw[thick, black!70] " + " -- ".join(f"({n(x)}, {n(y)})" for x, y in pts) + ";")
    out.append(r"  \end{scope}")
    base = f"({n(px)}, {n(py)})"
    if amb is not None:
        (ax, ay), text = amb
        out.append(rf"  \draw[->, thick, dashed, black!60] {base} -- ++({n(ax)}, {n(ay)});")
        for _, (vx, vy), colour, _ in items:
            out.append(rf"  \draw[dotted, {colour}] ({n(px + ax)}, {n(py + ay)}) -- ({n(px + vx)}, {n(py + vy)});")
    for _, (vx, vy), colour, b in items:
        if vx == 0 and vy == 0:
            out.append(f"  % zero vector ({colour}) left out")
            continue
        out.append(rf"  \draw[->, very thick, {colour}] {base} -- ++({n(vx)}, {n(vy)});")
    out.append(rf"  \fill {base} circle[radius=1.6pt];")
    # labels: the point, the vectors at their tips, the lines at one of their ends
    out.append(rf"  \node[{labels.place(px, py, 270.0, 'p')}] "
               rf"at {base} {{$p$}};")
    if amb is not None and amb[1]:
        (ax, ay), text = amb
        d = math.degrees(math.atan2(ay, ax))
        out.append(rf"  \node[{labels.place(px + ax, py + ay, d, text)}, "
                   rf"black!70] at ({n(px + ax)}, {n(py + ay)}) {{${text}$}};")
    for _, (vx, vy), colour, b in items:
        if b.vector_label and (vx or vy):
            d = math.degrees(math.atan2(vy, vx))
            out.append(rf"  \node[{labels.place(px + vx, py + vy, d, b.vector_label)}, "
                       rf"{colour}] at ({n(px + vx)}, {n(py + vy)}) {{${b.vector_label}$}};")
    for end_neg, end_pos, colour, b in lines:
        if not b.span_label:
            continue
        # the end of the line farther from everything drawn near it
        best = max((end_pos, end_neg), key=lambda e: min(math.hypot(e[0] - ox, e[1] - oy)
                                                         for ox, oy in tips + [base_xy]))
        d = math.degrees(math.atan2(best[1] - py, best[0] - px))
        out.append(rf"  \node[{labels.place(best[0], best[1], d, b.span_label)}, {colour}, "
                   rf"font=\small] at ({n(best[0])}, {n(best[1])}) {{${b.span_label}$}};")
    if parameter_range is not None:
        lo, hi = (float(v) for v in parameter_range)
        if not hi > lo:
            raise RenderError(f"the parameter range must be (lo, hi) with lo < hi, got {parameter_range!r}")
        length = 3.0 / scale                       # 3 cm, in the picture's units
        right = lo_x - 1.5 / scale
        left, mid = right - length, (lo_y + hi_y) / 2

        def at(value: float) -> float:
            return left + (value - lo) / (hi - lo) * length

        out.append(rf"  \draw[black!70] ({n(left)}, {n(mid)}) -- ({n(right)}, {n(mid)});")
        out.append(rf"  \node[anchor=south west, black!70] at ({n(left)}, {n(mid)}) {{${parameter_name}$}};")
        for _, _, colour, b in items:
            if b.parameter is None:
                continue
            x = at(float(b.parameter))
            out.append(rf"  \fill[{colour}] ({n(x)}, {n(mid)}) circle[radius=1.6pt]"
                       + (rf" node[anchor=north, {colour}, inner sep=4pt] {{${b.parameter_label}$}}"
                          if b.parameter_label else "") + ";")
        out.append(rf"  \draw[->, black!70] ({n(right + 0.3 / scale)}, {n(mid)}) -- ({n(lo_x - 0.3 / scale)}, {n(mid)}) "
                   rf"node[midway, above] {{${map_label}$}};")
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
    >>> tex.count(r"\draw[->, thick"), r"node[midway, below] {$f$}" in tex
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
                       rf"({_num(xb, decimals)}, {_num(low, decimals)}) node[midway, below] {{${text}$}};")
        else:
            ca = a * (panel_cm + gap_cm) + half
            cb = b * (panel_cm + gap_cm) + half
            out.append(rf"  \draw[->, black!70] ({_num(ca, decimals)}, {_num(panel_cm, decimals)}) "
                       rf"to[out=30, in=150] node[midway, above] {{${text}$}} "
                       rf"({_num(cb, decimals)}, {_num(panel_cm, decimals)});")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)
