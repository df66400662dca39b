r"""Figures: a TikZ picture of a sampled plane curve with vectors at one point."""
from __future__ import annotations

import math
import re
from typing import Any, Sequence

from ..exceptions import RenderError

__all__ = ["tikz_curve_figure"]

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
