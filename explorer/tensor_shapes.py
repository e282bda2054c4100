"""What a tensor of the model view looks like: a box with its name, shape, and heat strips.

Renderer layer (pure Python; ``explorer.shapes`` calls ``tensor_shape`` for nodes of kind
``tensor``, ``explorer.svg`` draws the cells). A vector is two strips of cells, ``data`` above
``grad``, each on the diverging scale (blue < 0 < red, white at 0) scaled to its own largest
|value|, which is printed at the strip's right; probabilities and attention weights are drawn
on the sequential scale (white 0 to purple 1). A matrix is two small heatmaps, data and grad;
the KV cache is one row per cached position, its columns under the columns of ``k`` / ``v``.
A dead ReLU (0) is grey; the probability the loss reads is outlined.

Every cell is a ``Cell`` placed from the box's top-left corner; the SVG writer adds the box's
position. Sizes come from ``style.text_width`` (an upper bound for the monospace font), so no
text outgrows its box.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import style
from .graph import TensorNode

__all__ = ["Cell", "Label", "TITLE_SIZE", "TEXT_SIZE", "tensor_shape"]

TITLE_SIZE = 14.0  # px: a tensor's name
TEXT_SIZE = 13.0  # px: its shape, summary, strip labels and scales
TOKEN_SIZE = 10.0  # px: the characters under a vocabulary strip
STRIP_W = 192.0  # px: a vector's strip is at most this wide (cells of 3 to 12 px)
ROW_H = 14.0  # px: one strip's height
GAP = 4.0
DEAD_FILL = "#9a9a9a"  # a ReLU at exactly 0
TENSOR_FILL = "#fbfbfb"
_SEQUENTIAL = ("attn_weights", "probs")


@dataclass(frozen=True)
class Cell:
    """One coloured cell (or a strip's outline when ``fill`` is ``"none"``). ``box`` is
    ``(x, y, w, h)``: its top-left corner from the box's top-left, and its size; ``outline``,
    ``(colour, width)``, draws a border; ``tip`` is the hover tooltip, the ``(label, data,
    grad)`` of the entry it shows."""

    box: tuple[float, float, float, float]
    fill: str
    outline: tuple[str, float] | None = None
    tip: str | None = None


@dataclass(frozen=True)
class Label:
    """A piece of text: ``at`` is ``(x, y)``, where it is anchored (its start, middle or end,
    as ``anchor`` says) and its baseline, from the box's top-left."""

    at: tuple[float, float]
    text: str
    size: float = TEXT_SIZE
    anchor: str = "start"


def _cell_w(n: int) -> float:
    return float(max(3, min(12, int(STRIP_W // max(n, 1)))))


def _sequential(node: TensorNode) -> bool:
    return (node.name or "").rsplit(".", 1)[-1] in _SEQUENTIAL


def _scale(values: list[float]) -> float:
    finite = [abs(v) for v in values if v == v and abs(v) != float("inf")]
    return max(finite, default=0.0)


def _fills(node: TensorNode, values: list[float], which: str) -> list[str]:
    if which == "data" and _sequential(node):
        return [style.sequential(min(max(v, 0.0), 1.0)) for v in values]
    s = _scale(values)
    fills = [style.diverging(v, s) for v in values]
    if which == "data" and "dead" in node.marks:
        dead = set(node.marks["dead"])
        fills = [DEAD_FILL if lab in dead else f for lab, f in zip(node.labels, fills)]
    return fills


def _scale_text(node: TensorNode, values: list[float], which: str) -> str:
    if which == "data" and _sequential(node):
        return "0…1"
    return f"±{style.fmt(_scale(values))}"


def _tip(node: TensorNode, k: int) -> str:
    return f"{node.scalars[k]}: data {style.fmt(node.data[k])}, grad {style.fmt(node.grad[k])}"


def tensor_shape(node: TensorNode, lines_height: float, lines_width: float, pad_x: float):
    """The cells and labels of ``node`` below its text lines (which end ``lines_height`` px
    from the box's top), and the box's width and height: ``(cells, labels, width, height)``."""
    shape = node.shape
    if not shape:  # a scalar: its numbers are in the text lines
        return [], [], lines_width, lines_height
    if len(shape) == 1:
        return _vector(node, lines_height, lines_width, pad_x)
    if node.stage == "params":
        return _matrix(node, lines_height, lines_width, pad_x)
    return _stacked(node, lines_height, lines_width, pad_x)


def _row_words(node: TensorNode) -> tuple[float, float]:
    """Widths of the strips' left labels (``data`` / ``grad``) and right labels (scales)."""
    left = style.text_width("grad", TEXT_SIZE) + GAP
    right = GAP + max(
        style.text_width(_scale_text(node, node.data, "data"), TEXT_SIZE),
        style.text_width(_scale_text(node, node.grad, "grad"), TEXT_SIZE),
    )
    return left, right


def _vector(node: TensorNode, top: float, width: float, pad_x: float):
    n = node.shape[0]
    cw = _cell_w(n)
    left, right = _row_words(node)
    strip = cw * n
    inner = left + strip + right
    box_w = max(width, inner + 2 * pad_x)
    x0 = (box_w - inner) / 2 + left  # the strip's left edge, the rows centred in the box
    cells, labels = [], []
    y = top + GAP
    target = node.marks.get("target")
    for which, values in (("data", node.data), ("grad", node.grad)):
        fills = _fills(node, values, which)
        for k, fill in enumerate(fills):
            cells.append(Cell((x0 + k * cw, y, cw, ROW_H), fill, tip=_tip(node, k)))
        cells.append(Cell((x0, y, strip, ROW_H), "none", ("#777777", 0.75)))
        if target is not None and target in node.labels:
            k = node.labels.index(target)
            cells.append(Cell((x0 + k * cw, y, cw, ROW_H), "none", ("#000000", 2.0)))
        base = y + ROW_H / 2 + 0.35 * TEXT_SIZE
        labels.append(Label((x0 - GAP, base), which, anchor="end"))
        labels.append(Label((x0 + strip + GAP, base), _scale_text(node, values, which)))
        y += ROW_H + 3
    if node.labels and not node.labels[0].isdecimal() and cw >= TOKEN_SIZE * style.CHAR_EM:
        # a vocabulary (logits, probs) or keys (k=0 …): each entry's character under it
        words = [_short_label(lab) for lab in node.labels]
        if all(style.text_width(w, TOKEN_SIZE) <= cw + 1 for w in words):
            for k, word in enumerate(words):
                labels.append(Label((x0 + (k + 0.5) * cw, y + TOKEN_SIZE), word, TOKEN_SIZE,
                                    "middle"))  # fmt: skip
            y += TOKEN_SIZE * 1.3
    return cells, labels, box_w, y + GAP


def _short_label(label: str) -> str:
    if label == "BOS":
        return "•"
    return label[2:] if label.startswith("k=") else label


def _grid(node, values, which, x, y, rows, cols, cw, ch, cells):
    fills = _fills(node, values, which)
    for r in range(rows):
        for c in range(cols):
            k = r * cols + c
            cells.append(Cell((x + c * cw, y + r * ch, cw, ch), fills[k]))
    cells.append(Cell((x, y, cols * cw, rows * ch), "none", ("#777777", 0.75)))


def _matrix(node: TensorNode, top: float, width: float, pad_x: float):
    """A parameter matrix: its data and grad heatmaps side by side, captions above."""
    rows, cols = node.shape
    cell = float(max(3, min(6, int(160 // max(rows, cols)))))
    gw, gh = cols * cell, rows * cell
    captions = [f"{w} {_scale_text(node, v, w)}" for w, v in (("data", node.data),
                                                               ("grad", node.grad))]  # fmt: skip
    col_w = max(gw, *(style.text_width(c, TEXT_SIZE) for c in captions))
    inner = 2 * col_w + 3 * GAP
    box_w = max(width, inner + 2 * pad_x)
    x = (box_w - inner) / 2
    y = top + GAP
    cells, labels = [], []
    for caption, (which, values) in zip(captions, (("data", node.data), ("grad", node.grad))):
        labels.append(Label((x + col_w / 2, y + TEXT_SIZE * 0.9), caption, anchor="middle"))
        _grid(node, values, which, x + (col_w - gw) / 2, y + TEXT_SIZE * 1.3, rows, cols,
              cell, cell, cells)  # fmt: skip
        x += col_w + 3 * GAP
    return cells, labels, box_w, y + TEXT_SIZE * 1.3 + gh + GAP


def _stacked(node: TensorNode, top: float, width: float, pad_x: float):
    """The KV cache: one row per cached position, data then grad, columns as wide as the
    cells of the vector it caches (so a key's dimensions line up with ``k``'s)."""
    rows, cols = node.shape
    cw, ch = _cell_w(cols), 8.0
    left, right = _row_words(node)
    strip = cw * cols
    inner = left + strip + right
    box_w = max(width, inner + 2 * pad_x)
    x0 = (box_w - inner) / 2 + left
    cells, labels = [], []
    y = top + GAP
    for which, values in (("data", node.data), ("grad", node.grad)):
        _grid(node, values, which, x0, y, rows, cols, cw, ch, cells)
        base = y + min(rows * ch, ROW_H) / 2 + 0.35 * TEXT_SIZE
        labels.append(Label((x0 - GAP, base), which, anchor="end"))
        labels.append(Label((x0 + strip + GAP, base), _scale_text(node, values, which)))
        y += max(rows * ch, ROW_H) + 3
    return cells, labels, box_w, y + GAP
