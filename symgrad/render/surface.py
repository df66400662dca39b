r"""A surface in three ambient dimensions with tangent vectors at one point (pgfplots).

:func:`pgfplots_surface_figure` draws a sampled patch of a two-dimensional model
in ``R^3`` as a pgfplots ``surf`` plot and arrows at a point on it.  The view is
an orthographic projection fixed by an azimuth and an elevation, set through
the axis unit vectors (``x={(...)}``, ``y=...``, ``z=...``) rather than
pgfplots' ``view=`` key, so that lengths on the page are known here: the labels
are placed on the projected picture, each away from the arrows, the point and
the labels before it (the placement of :mod:`symgrad.render.tikz`), and
proportions are kept (a tangent vector looks tangent).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from ..exceptions import RenderError
from .tikz import _Labels, _colour, _num, _segment_samples

__all__ = ["Arrow3", "pgfplots_surface_figure", "projection"]


@dataclass(frozen=True)
class Arrow3:
    r"""One arrow of :func:`pgfplots_surface_figure`, at the base point.

    Attributes
    ==========
    vector : (dx, dy, dz) in ambient coordinates
    colour : an xcolor colour (``blue``, ``red!70!black``)
    label : LaTeX math at the tip (empty for none)
    style : extra TikZ options (``dashed``, ``thin``)
    """

    vector: tuple[float, ...]
    colour: str
    label: str = ""
    style: str = "thick"


def projection(azimuth: float, elevation: float) -> tuple[tuple[float, float], ...]:
    r"""The page images of the unit vectors ``e_x, e_y, e_z`` under the orthographic view with the given
    azimuth and elevation (degrees), as pgfplots' ``view={azimuth}{elevation}`` draws them:
    ``e_x = (cos h, -sin h sin v)``, ``e_y = (sin h, cos h sin v)``, ``e_z = (0, cos v)``.

    >>> [tuple(round(c, 3) + 0.0 for c in e) for e in projection(0, 90)]      # seen from above
    [(1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]
    """
    h, v = math.radians(azimuth), math.radians(elevation)
    return ((math.cos(h), -math.sin(h) * math.sin(v)), (math.sin(h), math.cos(h) * math.sin(v)),
            (0.0, math.cos(v)))


def view_towards(normal: Sequence[float], *, tilt: float = 25.0) -> tuple[float, float]:
    r"""A view ``(azimuth, elevation)`` (degrees) from which a surface with this normal is seen at an angle
    ``tilt`` off face-on (turned in azimuth, so that the ``z``-axis stays upright), with the elevation
    kept between 10 and 60 degrees.  The viewer of ``view={h}{v}`` looks from
    ``(sin h cos v, -cos h cos v, sin v)``.

    >>> [round(x) for x in view_towards((1, 1, 1), tilt=0)]     # the probability simplex, face-on
    [135, 35]
    """
    x, y, z = (float(c) for c in normal)
    norm = math.sqrt(x * x + y * y + z * z)
    if norm == 0:
        return 35.0, 25.0
    if z < 0:
        x, y, z = -x, -y, -z
    elevation = math.degrees(math.asin(z / norm))
    azimuth = math.degrees(math.atan2(x, -y)) if (x or y) else 35.0
    return (azimuth + tilt) % 360, min(60.0, max(10.0, elevation))


def _triple(v: Sequence[float], what: str) -> tuple[float, float, float]:
    items = [float(x) for x in v]
    if len(items) != 3:
        raise RenderError(f"{what} must have 3 coordinates, got {len(items)}: {v!r}")
    if not all(math.isfinite(x) for x in items):
        raise RenderError(f"cannot draw the non-finite {what} {v!r}: sample the surface where it is defined")
    return items[0], items[1], items[2]


def pgfplots_surface_figure(grid: Sequence[Sequence[Sequence[float]]], point: Sequence[float],
                            arrows: Sequence[Arrow3], *, axis_labels: Sequence[str] = ("z_1", "z_2", "z_3"),
                            point_label: str = "p", view: tuple[float, float] = (35.0, 25.0),
                            width_cm: float = 8.0, max_height_cm: float = 7.0, decimals: int = 4) -> str:
    r"""A ``tikzpicture`` with a pgfplots ``axis``: the surface patch ``grid`` (rows of points
    ``(x, y, z)``, each row one parameter line) drawn as ``\addplot3[surf]``, the base point and the
    arrows at it.

    The picture is scaled so that its projection is at most ``width_cm`` wide and ``max_height_cm``
    high, with the same scale on all three axes; each label goes to the side of its arrow's tip
    farthest from the other arrows, the point and the labels already placed.

    Examples
    ========
    >>> grid = [[(x, y, x * y) for x in (-1, 0, 1)] for y in (-1, 0, 1)]
    >>> tex = pgfplots_surface_figure(grid, (0, 0, 0), [Arrow3((1, 0, 0), "blue", "v")])
    >>> r"\addplot3[surf" in tex and r"{$v$}" in tex and "mesh/cols=3" in tex
    True
    """
    rows = [[_triple(p, "a surface point") for p in row] for row in grid]
    if len(rows) < 2 or any(len(r) != len(rows[0]) for r in rows) or len(rows[0]) < 2:
        raise RenderError("the surface grid must be at least 2 x 2 points, every row of the same length")
    p = _triple(point, "the base point")
    vecs = [(_triple(a.vector, "an arrow"), _colour(a.colour), a) for a in arrows]
    ex, ey, ez = projection(*view)

    def proj(q: Sequence[float]) -> tuple[float, float]:
        return (q[0] * ex[0] + q[1] * ey[0] + q[2] * ez[0], q[0] * ex[1] + q[1] * ey[1] + q[2] * ez[1])

    everything = [q for r in rows for q in r] + [p] + [tuple(p[i] + v[i] for i in range(3)) for v, _, _ in vecs]
    flat = [proj(q) for q in everything]
    span_x = max(x for x, _ in flat) - min(x for x, _ in flat)
    span_y = max(y for _, y in flat) - min(y for _, y in flat)
    scale = min(width_cm / span_x if span_x > 0 else math.inf, max_height_cm / span_y if span_y > 0 else math.inf)
    if not math.isfinite(scale):
        scale = 1.0

    def n(x: float) -> str:
        return _num(x, decimals)

    unit = [f"{{({_num(e[0] * scale, 4)}cm, {_num(e[1] * scale, 4)}cm)}}" for e in (ex, ey, ez)]
    out = [r"\begin{tikzpicture}[>=stealth]",
           rf"\begin{{axis}}[x={unit[0]}, y={unit[1]}, z={unit[2]}, hide axis, clip=false,",
           r"    every axis plot/.append style={thin}]",
           rf"\addplot3[surf, shader=flat corner, fill opacity=0.35, draw=black!30, colormap/blackwhite, "
           rf"mesh/cols={len(rows[0])}] coordinates {{"]
    for r in rows:
        out.append("  " + " ".join(f"({n(x)}, {n(y)}, {n(z)})" for x, y, z in r))
    out.append("};")
    base = f"(axis cs:{n(p[0])}, {n(p[1])}, {n(p[2])})"
    p2 = proj(p)
    obstacles = [p2]
    for v, _, _ in vecs:
        tip2 = proj(tuple(p[i] + v[i] for i in range(3)))
        obstacles += _segment_samples(p2, tip2)
    labels = _Labels(obstacles, scale)
    for v, colour, a in vecs:
        if v == (0.0, 0.0, 0.0):
            out.append(f"% zero arrow ({colour}) left out")
            continue
        tip = tuple(p[i] + v[i] for i in range(3))
        out.append(rf"\draw[->, {a.style}, {colour}] {base} -- (axis cs:{n(tip[0])}, {n(tip[1])}, {n(tip[2])});")
    out.append(rf"\fill {base} circle[radius=1.5pt];")
    out.append(rf"\node[{labels.place(p2[0], p2[1], 250.0, point_label)}] at {base} {{${point_label}$}};")
    for v, colour, a in vecs:
        if not a.label or v == (0.0, 0.0, 0.0):
            continue
        tip = tuple(p[i] + v[i] for i in range(3))
        t2 = proj(tip)
        direction = math.degrees(math.atan2(t2[1] - p2[1], t2[0] - p2[0]))
        out.append(rf"\node[{labels.place(t2[0], t2[1], direction, a.label)}, {colour}] at "
                   rf"(axis cs:{n(tip[0])}, {n(tip[1])}, {n(tip[2])}) {{${a.label}$}};")
    out += [r"\end{axis}", r"\end{tikzpicture}"]
    return "\n".join(out)


# -- the figure of a derivation ------------------------------------------------------

#: Candidate base points, tried in order when a derivation gives none: small exact values first.
_CANDIDATES = ("0", "1", "-1", "1/2", "-1/2", "1/4", "-1/4", "2", "-2")


def surface_figure(report: object, *, half_width: float | None = None, samples: int = 13) -> object | None:
    r"""The surface figure of a derivation whose model is a surface in three ambient dimensions
    (``m = 3`` and generic rank 2), or None when it is not one (or no base point is found).

    At the derivation's ``point`` (or the first point of small integer parameters, with the
    second parametrisation's ``eta`` for ``xi = f(eta)`` when there is one, where the model is
    defined, not singular and the gradient is not zero) it draws the patch of the model swept by
    the two pivot parameters of ``J`` about the point, the pushforwards of those two coordinate
    vectors (thin, grey), the ambient vector ``g^{-1} dL`` (dashed, grey), the gradient on the model
    ``grad_p L = dphi(grad^Xi)`` (eq. 4; blue) and ``dphi~(grad^H)`` (eq. 5 for ``phi o f``
    mapped to the model; red, dashed on top of the blue one).  Values are exact at the point
    (:meth:`symgrad.gradient.NaturalGradient.at`) and drawn as floats.
    """
    import sympy as sp

    from ..gradient import ANY_LOSS, natural_gradient
    from .tikz import Figure

    rep = report
    d = rep.derivation  # type: ignore[attr-defined]
    M, ng = d.model, rep.gradient  # type: ignore[attr-defined]
    if ng is None or d.loss is ANY_LOSS or M.dim_ambient != 3:
        return None
    try:
        E = M.exact
        if E.rank != 2:
            return None
        cols = list(E.cols)
    except Exception:  # noqa: BLE001 - no exact form: no figure (a display aid, not a check)
        return None
    f = d.reparametrisation
    tilde = None if f is None else natural_gradient(M.reparametrise(f), d.loss, seed=0)

    def attempt(xi: dict, eta: dict | None) -> tuple | None:
        try:
            at = ng.at(xi, budget=None)
            at_eta = None if (eta is None or tilde is None) else tilde.at(eta, budget=None)
        except Exception:  # noqa: BLE001 - outside the domain or singular: try the next point
            return None
        if all(x == 0 for x in at.manifold):
            return None
        return at, at_eta

    found: Any = None
    if d.point is not None:
        xi0 = {sp.sympify(k) if not isinstance(k, sp.Symbol) else k: sp.sympify(v) for k, v in d.point.items()}
        found = attempt(xi0, None), xi0, None
    else:
        import itertools
        free = f.eta if f is not None else M.xi
        for values in itertools.islice(itertools.product(_CANDIDATES, repeat=len(free)), 800):
            pt = dict(zip(free, map(sp.Rational, values)))
            xi0 = dict(zip(M.xi, [sp.sympify(e).subs(pt) for e in f.f])) if f is not None else pt
            got = attempt(xi0, pt if f is not None else None)
            if got is not None:
                found = got, xi0, pt if f is not None else None
                break
    if found is None or found[0] is None:
        return None
    (at, at_eta), xi0, eta0 = found
    p = [float(x) for x in at.p]
    J0 = sp.Matrix(at.J)
    g0 = sp.Matrix(M.g_phi).subs(xi0)
    dL0 = sp.Matrix(ng.dL).subs(xi0)
    ambient = [float(x) for x in g0.inv() * dL0]
    grad = [float(x) for x in at.manifold]
    glen = math.sqrt(sum(x * x for x in grad))

    def column(j: int) -> tuple[float, ...]:      # d_j, rescaled to the length of grad_p L (a direction)
        v = [float(x) for x in J0[:, j]]
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return tuple(x * glen / norm for x in v)

    arrows = [Arrow3(column(j), "black!55", rf"\partial_{{{j + 1}}}", "thin") for j in cols]
    arrows.append(Arrow3(tuple(ambient), "black!60", r"g^{-1} d\mathcal{L}", "thick, dashed"))
    arrows.append(Arrow3(tuple(grad), "blue", r"\operatorname{grad}_{p}\mathcal{L}", "very thick"))
    if at_eta is not None:
        arrows.append(Arrow3(tuple(float(x) for x in at_eta.manifold), "red!70!black", "", "thick, dashed"))
    # the patch: the two pivot parameters about the point, the others fixed, inside the model's domain
    xs = [M.xi[j] for j in cols]
    rest = {k: v for k, v in xi0.items() if k not in xs}
    phi = sp.lambdify(xs, list(M.phi.subs(rest)), "math")
    domain = [sp.lambdify(xs, sp.sympify(e).subs(rest), "math") for e in M.positive]
    half = []
    for j in cols:
        norm = math.sqrt(sum(float(x)**2 for x in J0[:, j])) or 1.0
        half.append(half_width if half_width is not None else min(3.0, 1.5 * glen / norm))
    grid: list = []
    for _ in range(8):                 # halve the patch until it lies in the domain
        grid = []
        try:
            for i in range(samples):
                s = float(xi0[xs[0]]) + half[0] * (2 * i / (samples - 1) - 1)
                row = []
                for k in range(samples):
                    t = float(xi0[xs[1]]) + half[1] * (2 * k / (samples - 1) - 1)
                    if any(not q(s, t) > 0 for q in domain):
                        raise ValueError("outside the domain")
                    row.append(tuple(float(c) for c in phi(s, t)))
                grid.append(row)
            break
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            half = [h / 2 for h in half]
            grid = []
    if not grid:
        return None
    labels = [sp.latex(z) for z in M.z]
    # every vector at one common scale, the longest reaching 80 % of the patch's half-extent
    extent = max(max(q[i] for row in grid for q in row) - min(q[i] for row in grid for q in row) for i in range(3))
    longest = max(math.sqrt(sum(c * c for c in ar.vector)) for ar in arrows) or 1.0
    k = 0.4 * extent / longest
    arrows = [Arrow3(tuple(c * k for c in ar.vector), ar.colour, ar.label, ar.style) for ar in arrows]
    a, b = (arrows[0].vector, arrows[1].vector)
    normal = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
    tex = pgfplots_surface_figure(grid, p, arrows, axis_labels=labels, view=view_towards(normal))
    point = r",\ ".join(f"{sp.latex(k)} = {sp.latex(v)}" for k, v in xi0.items())
    pivots = " and ".join(f"${sp.latex(x)}$" for x in xs)
    parts = [f"The model as a surface in $\\mathcal{{Z}}$, swept by {pivots} about the point ${point}$ "
             f"(the other parameters fixed), and at $p = \\phi(\\xi)$: the directions of the pushforwards "
             + " and ".join(f"$\\partial_{{{j + 1}}}$" for j in cols)
             + " (thin, grey, drawn with the length of $\\operatorname{grad}_{p}\\mathcal{L}$), which span "
             "$T_p\\mathcal{M}$; the vector $g^{-1} d\\mathcal{L}$ (dashed, grey); and "
             "the gradient on the model $\\operatorname{grad}_{p}\\mathcal{L} = d\\phi(\\operatorname{grad}^{\\Xi}_{\\xi}"
             "\\mathcal{L})$ (the paper's eq.~(4); blue), its $g$-orthogonal projection onto $T_p\\mathcal{M}$."]
    if at_eta is not None:
        eta_pt = r",\ ".join(f"{sp.latex(k)} = {sp.latex(v)}" for k, v in dict(eta0 or {}).items())
        parts.append(f"Dashed red on top of it: $d\\tilde\\phi(\\operatorname{{grad}}^{{H}}_{{\\eta}}\\mathcal{{L}})$ "
                     f"at ${eta_pt}$, the gradient of the second parametrisation mapped to the model; the "
                     "two parameter-space gradients differ, their images are one tangent vector.")
    parts.append(f"Equal scales on the three axes; the vectors are drawn at one common scale (times {k:.3g}).")
    return Figure(tex, caption=" ".join(parts))
