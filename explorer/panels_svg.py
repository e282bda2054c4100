"""SVG panels of the model view's tensor level: heatmaps across positions, the loss of each
character, and one attention weight explained.

Renderer layer (pure Python string building, like ``explorer.svg``): it draws what the queries
``explorer.positions`` (``stream``, ``letters``) and ``explorer.attention_weight``
(``explain_weight``) return, and computes nothing about the pass: every number shown is a
recorded node's (rounded to 3 significant digits in cells, in full in tooltips).

- ``heatmap_svg(tensor, row_labels)``: a positions × dimensions tensor as two heatmaps, data
  and grad, each on a diverging scale centred at 0 and scaled to its own largest |value|
  (its colour bar, with the numbers, above it); probabilities on the sequential scale 0…1; a
  ReLU's zeros grey (dead), with the count of dead units of each position.
- ``letters_svg(letters)``: the document's characters, each target a box coloured by its
  position's loss, with p(target) and the loss under it.
- ``stream_svg(stream, letters=None)``: a layer's heatmaps stacked with titles (and the
  letters on top when given).
- ``weight_svg(explained)``: q_h, k_h, their products, Σ, ÷√head_dim, the logits and the
  softmax row of the query, the chosen weight outlined; data and grad of each.

Every cell (and every number) carries the ``data-id`` of the scalar node it shows, as the
scalar graph writes it (``explorer.svg``: the name, ``#id`` for an anonymous node); titles
carry the tensor's name. Text is never smaller than 11 px; a picture is at most ``MAX_WIDTH``
px wide when its content allows it (a heatmap's cells shrink to fit, rows of cells wrap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from microgpt.errors import ArgumentTypeError, MicrogptError
from microgpt.validate import _short, check_instance, check_number

from . import style
from .attention_weight import ExplainedWeight, Term
from .graph import NodeKey
from .positions import Letters, Stream
from .tensor_shapes import DEAD_FILL
from .tensors import Tensor

__all__ = ["MAX_WIDTH", "heatmap_svg", "letters_svg", "stream_svg", "weight_svg"]

MAX_WIDTH = 800.0  # px: the widest a picture is drawn when its content allows it
TITLE = 13.0  # px: titles
TEXT = 12.0  # px: row labels, captions, numbers in cells
SMALL = 11.0  # px: ticks, the smallest text of every panel
MARGIN = 8.0
INK, MUTED = "#222222", "#555555"
ROW_H = 16.0  # px: one position's row of a heatmap
BAR_W = 160.0  # px: a colour bar
_SEQUENTIAL = ("probs", "attn_weights")


# -- SVG pieces ------------------------------------------------------------------------------
def _a(value) -> str:
    return escape(str(value), quote=True).replace("\n", "&#10;")


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _num(x: float) -> str:
    """A number in a cell: 3 significant digits (the tooltip has 4, ``data-*`` all)."""
    return f"{x + 0.0:.3g}"


def _w(text: str, size: float = TEXT) -> float:
    return style.text_width(text, size)


def _text(x, y, text, size=TEXT, anchor="start", bold=False, fill=INK, data_id=None) -> str:
    attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    if fill != INK:
        attrs += f' fill="{fill}"'
    if data_id is not None:
        attrs += f' data-id="{_a(data_id)}"'
    return f"<text {attrs}>{_a(text)}</text>"


def _rect(x, y, w, h, fill, stroke=None, width=1.0) -> str:
    s = f' stroke="{stroke}" stroke-width="{_n(width)}"' if stroke else ""
    return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
            f'fill="{fill}"{s}/>')  # fmt: skip


def _group(parts: list[str], x: float, y: float, cls: str, data_id: str | None = None) -> str:
    ident = f' data-id="{_a(data_id)}"' if data_id is not None else ""
    return (f'<g class="{cls}"{ident} transform="translate({_n(x)},{_n(y)})">'
            + "".join(parts) + "</g>")  # fmt: skip


def _document(parts: list[str], width: float, height: float, cls: str) -> str:
    w, h = width + 2 * MARGIN, height + 2 * MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="microgpt-panel {cls}" '
        f'width="{_n(w)}" height="{_n(h)}" viewBox="0 0 {_n(w)} {_n(h)}" '
        f'font-family="{_a(style.FONT_FAMILY)}" fill="{INK}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        + _group(parts, MARGIN, MARGIN, "panel")
        + "</svg>\n"
    )


def _lines(texts: list[tuple[str, float, bool]], width: float, data_id=None):
    """Title and caption lines, wrapped to ``width``: ``(parts, height)``."""
    parts, y = [], 0.0
    for text, size, bold in texts:
        for line in style.wrap(text, size, width, least=16):
            y += size * 1.3
            parts.append(_text(0, y - 0.25 * size, line, size, bold=bold,
                               data_id=data_id if bold else None))  # fmt: skip
    return parts, y + 4


def _check_width(max_width) -> float:
    return check_number(max_width, "max_width", 240, 10_000, fix="the default is 800 (px)")


def _finite_max(values) -> float:
    return max((abs(v) for v in values if math.isfinite(v)), default=0.0)


def _bar(x: float, y: float, colours: list[str], ticks, w: float = BAR_W) -> list[str]:
    """A colour bar (10 px high) with numbers under it at ``ticks`` ((fraction, text))."""
    step = w / len(colours)
    out = [_rect(x + k * step, y, step + 0.4, 10, c) for k, c in enumerate(colours)]
    out.append(_rect(x, y, w, 10, "none", MUTED, 0.5))
    for frac, text in ticks:
        anchor = "start" if frac == 0 else "end" if frac == 1 else "middle"
        tx = x + frac * w
        out.append(f'<line x1="{_n(tx)}" y1="{_n(y + 10)}" x2="{_n(tx)}" y2="{_n(y + 13)}" '
                   f'stroke="{MUTED}" stroke-width="0.5"/>')  # fmt: skip
        out.append(_text(tx, y + 13 + SMALL, text, SMALL, anchor))
    return out


def _scale_bar(x: float, y: float, scale: float, sequential: bool) -> list[str]:
    if sequential:
        return _bar(x, y, style.sequential_swatches(), [(0, "0"), (1, "1")])
    if not scale:
        return _bar(x, y, ["#ffffff"], [(0.5, "0 (all zero)")])
    ticks = [(0, _num(-scale)), (0.5, "0"), (1, "+" + _num(scale))]
    return _bar(x, y, style.diverging_swatches(scale), ticks)


def _tip(name: str, data: float, grad: float) -> str:
    return f"<title>{_a(name)}: data {style.fmt(data)}, grad {style.fmt(grad)}</title>"


# -- heatmaps across positions ---------------------------------------------------------------
@dataclass(frozen=True)
class _Grid:
    """How a tensor's two heatmaps (data, grad) are laid out: ``cw`` px per column, row labels
    in the first ``label_w`` px, the columns that get a tick label, ``group`` columns per head
    (0: no heads marked)."""

    rows: int
    cols: int
    cw: float
    label_w: float
    row_labels: list[str]
    ticks: list[tuple[int, str]]
    group: int
    vocabulary: bool  # columns are tokens (logits, probs), each labelled

    def rotated(self, label: str) -> bool:
        """Whether a column's label stands rotated (a token wider than its column)."""
        return self.vocabulary and _w(label, SMALL) > self.cw + 1

    @property
    def tick_h(self) -> float:
        return max([SMALL, *(_w(x, SMALL) for _, x in self.ticks if self.rotated(x))]) + 4


def _check_heatmap(tensor, row_labels) -> list[str]:
    if not isinstance(tensor, Tensor):
        raise ArgumentTypeError(
            "heatmap_svg draws a Tensor (explorer.tensors.across_positions), got "
            f"{type(tensor).__name__}"
        )
    if len(tensor.shape) != 2 or not tensor.data:
        raise MicrogptError(
            f"heatmap_svg draws a positions × dimensions tensor, got {tensor.name} of shape "
            f"{tensor.shape}: e.g. across_positions(fp, 'layer0.resid_mid')"
        )
    rows = tensor.shape[0]
    if (
        isinstance(row_labels, str)
        or not hasattr(row_labels, "__len__")
        or (len(row_labels) != rows)
    ):
        raise MicrogptError(
            f"{tensor.name} has {rows} rows: give one label for each (e.g. fp.chars), got "
            f"{_short(row_labels)}"
        )
    return [str(x) for x in row_labels]


def _ticks(labels: list[str], cw: float, vocabulary: bool) -> list[tuple[int, str]]:
    """Which columns get a label: every one of a vocabulary (a label wider than its column
    stands rotated), every ``step``-th of numbered dimensions."""
    if vocabulary:
        return list(enumerate(labels))
    widest = max(_w(x, SMALL) for x in labels)
    steps = (1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100)
    step = next((s for s in steps if s * cw >= widest + 3), len(labels))
    return [(c, x) for c, x in enumerate(labels) if c % step == 0]


def _layout(tensor: Tensor, row_labels, max_width: float, group) -> tuple[_Grid, bool]:
    """The grid of ``tensor``'s heatmaps, and whether data and grad stand side by side (when
    cells of 9 px or more fit ``max_width`` so; else one above the other)."""
    row_labels = _check_heatmap(tensor, row_labels)
    rows, cols = tensor.shape
    label_w = max(_w(x) for x in row_labels) + 8
    extra = _w(f"{cols}/{cols}", SMALL) + 8 if _is(tensor, "relu") else 0.0
    side = math.floor((max_width - 2 * (label_w + extra) - 16) / (2 * cols))
    if side >= 9:
        cw = float(min(side, 14))
    else:
        cw = float(max(4, min(14, math.floor((max_width - label_w - extra) / cols))))
    labels = [lab.split(",", 1)[-1] for lab in tensor.labels[:cols]]
    vocabulary = not all(x.isdecimal() for x in labels) and cw >= SMALL
    ticks = _ticks(labels, cw, vocabulary)
    group = group if isinstance(group, int) and 0 < group < cols and cols % group == 0 else 0
    return _Grid(rows, cols, cw, label_w, row_labels, ticks, group, vocabulary), side >= 9


def _is(tensor: Tensor, last: str) -> bool:
    return tensor.name.rsplit(".", 1)[-1] == last


def _fills(values: list[float], scale: float, sequential: bool, dead: bool) -> list[str]:
    if sequential:
        return [style.sequential(min(max(v, 0.0), 1.0)) for v in values]
    fills = [style.diverging(v, scale) for v in values]
    return [DEAD_FILL if v == 0 else f for v, f in zip(values, fills)] if dead else fills


def _block(tensor: Tensor, g: _Grid, which: str) -> tuple[list[str], float, float]:
    """One heatmap (``which``: data or grad) at the origin, its colour bar above it."""
    values = tensor.data if which == "data" else tensor.grad
    sequential = which == "data" and any(_is(tensor, s) for s in _SEQUENTIAL)
    dead = which == "data" and _is(tensor, "relu")
    scale = _finite_max(values)
    parts, width = _block_bar(g.label_w, which, scale, sequential, dead)
    y = 2 + 13 + SMALL + 8
    ticks, y = _block_ticks(g, y)
    parts += ticks
    x0, rows, cols, cw = g.label_w, g.rows, g.cols, g.cw
    if dead:
        parts.append(_text(x0 + cols * cw + 6, y - 4, "dead", SMALL, fill=MUTED))
    parts += _block_cells(tensor, g, which, _fills(values, scale, sequential, dead), y, dead)
    bottom = y + rows * ROW_H
    for h in range(1, cols // g.group if g.group else 0):
        x = x0 + h * g.group * cw
        parts.append(f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x)}" y2="{_n(bottom)}" '
                     f'stroke="{INK}" stroke-width="1.5"/>')  # fmt: skip
    parts.append(_rect(x0, y, cols * cw, rows * ROW_H, "none", MUTED, 0.75))
    right = x0 + cols * cw + (_w(f"{cols}/{cols}", SMALL) + 8 if dead else 0.0)
    return parts, max(width, right), bottom


def _block_bar(x0: float, which: str, scale: float, sequential: bool, dead: bool):
    """A heatmap's name, its colour bar and (a ReLU's data) the dead swatch: ``(parts, width)``."""
    parts = [_text(x0, TEXT, which, TEXT, bold=True)]
    bar_x = x0 + _w("data ") + 6
    parts += _scale_bar(bar_x, 2, scale, sequential)
    width = bar_x + BAR_W + _w("+" + _num(scale), SMALL) / 2
    if dead:
        x = bar_x + BAR_W + 16
        parts += [_rect(x, 2, 12, 10, DEAD_FILL), _text(x + 16, 11, "dead: exactly 0", SMALL)]
        width = x + 16 + _w("dead: exactly 0", SMALL)
    return parts, width


def _block_ticks(g: _Grid, y: float) -> tuple[list[str], float]:
    """The heads over the columns (q, k, v) and the column ticks from ``y`` down: ``(parts,
    the y where the cells begin)``."""
    parts = []
    x0, cols, cw = g.label_w, g.cols, g.cw
    if g.group:
        for h in range(cols // g.group):
            word = f"head {h}" if _w(f"head {h}", SMALL) + 4 <= g.group * cw else f"h{h}"
            cx = x0 + (h + 0.5) * g.group * cw
            parts.append(_text(cx, y + SMALL, word, SMALL, "middle", fill=MUTED))
        y += SMALL + 4
    for c, word in g.ticks:
        cx = x0 + (c + 0.5) * cw
        if g.rotated(word):
            parts.append(f'<text transform="translate({_n(cx + 0.35 * SMALL)},'
                         f'{_n(y + g.tick_h - 2)}) rotate(-90)" font-size="{_n(SMALL)}" '
                         f'fill="{MUTED}">{_a(word)}</text>')  # fmt: skip
        else:
            parts.append(_text(cx, y + g.tick_h - 3, word, SMALL, "middle", fill=MUTED))
    return parts, y + g.tick_h


def _block_cells(tensor: Tensor, g: _Grid, which: str, fills: list[str], y: float, dead: bool):
    """Each position's row label and cells from ``y`` down (a ReLU's data: its dead count)."""
    parts, cells = [], []
    x0, rows, cols, cw = g.label_w, g.rows, g.cols, g.cw
    data, grad, names = tensor.data, tensor.grad, tensor.scalars
    for r in range(rows):
        base, top = r * cols, y + r * ROW_H
        row_id = names[base].rsplit("[", 1)[0]  # this position's tensor: pos3.layer0.mlp.relu
        base_y = top + ROW_H / 2 + 0.35 * TEXT
        parts.append(_text(x0 - 6, base_y, g.row_labels[r], TEXT, "end", data_id=row_id))
        for c in range(cols):
            k = base + c
            cells.append(
                f'<rect data-id="{_a(names[k])}" x="{_n(x0 + c * cw)}" y="{_n(top)}" '
                f'width="{_n(cw)}" height="{_n(ROW_H)}" fill="{fills[k]}">'
                f"{_tip(names[k], data[k], grad[k])}</rect>"
            )
        if dead:
            n_dead = sum(1 for v in data[base : base + cols] if v == 0)
            parts.append(_text(x0 + cols * cw + 6, base_y, f"{n_dead}/{cols}", SMALL,
                               data_id=row_id))  # fmt: skip
    parts.append(f'<g class="cells {which}">{"".join(cells)}</g>')
    return parts


def _heatmap(tensor: Tensor, row_labels, max_width: float, group) -> tuple[list[str], float, float]:
    """A tensor's data and grad heatmaps at the origin: ``(parts, width, height)``."""
    g, side_by_side = _layout(tensor, row_labels, max_width, group)
    (p1, w1, h1), (p2, w2, h2) = _block(tensor, g, "data"), _block(tensor, g, "grad")
    if side_by_side:
        parts = [_group(p1, 0, 0, "heatmap data"), _group(p2, w1 + 16, 0, "heatmap grad")]
        return parts, w1 + 16 + w2, max(h1, h2)
    parts = [_group(p1, 0, 0, "heatmap data"), _group(p2, 0, h1 + 12, "heatmap grad")]
    return parts, max(w1, w2), h1 + 12 + h2


def _section(tensor, row_labels, title, caption, group, max_width):
    """A heatmap pair under its title and caption: ``(parts, width, height)``."""
    heat, w, h = _heatmap(tensor, row_labels, max_width, group)
    rows, cols = tensor.shape
    title = title or f"{tensor.name} · {rows} positions × {cols}"
    texts = [(title, TITLE, True)] + ([(caption, TEXT, False)] if caption else [])
    width = max(w, min(max_width, max(_w(t, s) for t, s, _ in texts)))
    head, top = _lines(texts, width, data_id=tensor.name)
    return [*head, _group(heat, 0, top, "heatmaps", tensor.name)], width, top + h


def heatmap_svg(
    tensor: Tensor,
    row_labels,
    *,
    title: str | None = None,
    caption: str | None = None,
    group: int | None = None,
    max_width: float = MAX_WIDTH,
) -> str:
    """``tensor`` (positions × dimensions, ``explorer.tensors.across_positions``) as two
    heatmaps, data and grad, rows labelled ``row_labels`` (e.g. ``fp.chars``): see the module
    docstring. ``group``: columns per head, marked with a line between heads (q, k, v)."""
    max_width = _check_width(max_width)
    parts, width, height = _section(tensor, row_labels, title, caption, group, max_width)
    return _document(parts, width, height, "microgpt-heatmap")


# -- the loss of each character --------------------------------------------------------------
def _loss_scale(letters: Letters) -> tuple[float, float]:
    """The top of the loss scale (the largest loss, or a uniform guess's if larger) and a
    uniform guess's loss, ln vocab_size (a property of the model, marked on the scale)."""
    uniform = math.log(letters.vocab_size)
    return max(_finite_max(x.loss for x in letters.letters), uniform), uniform


_LETTER_ROWS = ("position", "input", "target", "p(target)", "loss")
_BOX_H = 28.0


def _letters(letters: Letters, max_width: float) -> tuple[list[str], float, float]:
    """The targets as boxes coloured by loss, with p and the loss under each, at the origin."""
    if not isinstance(letters, Letters):
        raise ArgumentTypeError(
            f"letters_svg draws explorer.positions.letters(fp), got {type(letters).__name__}"
        )
    scale, uniform = _loss_scale(letters)
    items = letters.letters
    head_w = max(_w(x) for x in _LETTER_ROWS) + 10
    col_w = max(36.0, *(max(_w(x.target, 16), _w(x.input), _w(_num(x.p)), _w(_num(x.loss)))
                        + 6 for x in items))  # fmt: skip
    per_line = max(1, int((max_width - head_w) // col_w))
    per_line = math.ceil(len(items) / math.ceil(len(items) / per_line))  # lines of equal length
    parts, y = [], 0.0
    for start in range(0, len(items), per_line):
        chunk = items[start : start + per_line]
        rows_y = (y + SMALL, y + SMALL + 16, y + 32 + _BOX_H / 2 + 0.35 * TEXT,
                  y + 36 + _BOX_H + TEXT, y + 52 + _BOX_H + TEXT)  # fmt: skip
        for word, ry in zip(_LETTER_ROWS, rows_y):
            size = SMALL if word == "position" else TEXT
            parts.append(_text(0, ry, word, size, fill=MUTED if size == SMALL else INK))
        for k, x in enumerate(chunk):
            cx = head_w + (k + 0.5) * col_w
            fill = style.loss_colour(x.loss, scale)
            tip = (f"<title>position {x.pos}: reads {x.input}, should predict {x.target}; "
                   f"p = {style.fmt(x.p)} (grad {style.fmt(x.p_grad)}), loss = "
                   f"{style.fmt(x.loss)} (grad {style.fmt(x.loss_grad)})</title>")  # fmt: skip
            parts += [
                _text(cx, rows_y[0], str(x.pos), SMALL, "middle", fill=MUTED,
                      data_id=NodeKey("group", f"pos{x.pos}").id),
                _text(cx, rows_y[1], x.input, TEXT, "middle", data_id=f"wte[{x.input}]"),
                f'<g class="letter" data-id="{_a(x.loss_id)}" data-data="{x.loss!r}" '
                f'data-grad="{x.loss_grad!r}">{tip}'
                + _rect(cx - col_w / 2 + 2, y + 32, col_w - 4, _BOX_H, fill, MUTED, 0.75)
                + _text(cx, rows_y[2] + 2, x.target, 16, "middle", bold=True,
                        fill=style.text_colour(fill)) + "</g>",
                _text(cx, rows_y[3], _num(x.p), TEXT, "middle", data_id=x.p_id),
                _text(cx, rows_y[4], _num(x.loss), TEXT, "middle", data_id=x.loss_id),
            ]  # fmt: skip
        y = rows_y[4] + 14
    # the legend: the loss scale, a uniform guess marked above it, and the mean
    parts.append(_text(0, y + 24, "loss", TEXT, bold=True))
    colours = style.loss_swatches(scale)
    bar_x, bar_y = head_w, y + 14
    parts += _bar(bar_x, bar_y, colours, [(0, "0 (sure)"), (1, _num(scale))], 240)
    ux = bar_x + 240 * uniform / scale
    parts.append(f'<line x1="{_n(ux)}" y1="{_n(bar_y - 3)}" x2="{_n(ux)}" y2="{_n(bar_y + 10)}" '
                 f'stroke="{INK}" stroke-width="1.5"/>')  # fmt: skip
    note = f"ln {letters.vocab_size} = {_num(uniform)}: a uniform guess"
    parts.append(_text(min(ux, bar_x + 240), bar_y - 5, note, SMALL,
                       "end" if uniform / scale > 0.5 else "start"))  # fmt: skip
    mean = f"mean loss {_num(letters.mean_loss)}"
    parts.append(_text(bar_x + 240 + 16, bar_y + 10, mean, TEXT, bold=True,
                       data_id=letters.mean_id))  # fmt: skip
    width = max(head_w + col_w * min(per_line, len(items)), bar_x + 256 + _w(mean))
    return parts, width, bar_y + 13 + SMALL + 4


def _letters_section(letters: Letters, max_width: float):
    body, w, h = _letters(letters, max_width)
    texts = [
        (f"{letters.doc!r}: the loss of each character", TITLE, True),
        ("position p reads its input and predicts the next character, its target; each "
         "target's box is coloured by the loss −log p(target): light when the model was sure "
         "of it, dark when surprised", TEXT, False),
    ]  # fmt: skip
    width = max(w, min(max_width, 560.0))
    head, top = _lines(texts, width, data_id=letters.mean_id)
    return [*head, _group(body, 0, top + 4, "letters")], width, top + 4 + h


def letters_svg(letters: Letters, *, max_width: float = MAX_WIDTH) -> str:
    """The document's characters coloured by their loss (``explorer.positions.letters``)."""
    check_instance(letters, "letters", Letters, "explorer.positions.letters(fp)")
    max_width = _check_width(max_width)
    parts, width, height = _letters_section(letters, max_width)
    return _document(parts, width, height, "microgpt-letters")


# -- a layer's stream, stacked ---------------------------------------------------------------
def _caption(name: str, layer: int) -> str:
    what = name.split(".", 1)[1] if name.startswith("layer") else name
    if name.startswith(f"layer{layer - 1}."):
        return f"the stream into layer {layer}: layer {layer - 1}'s output"
    return {
        "embed.x_emb": "x = tok_emb + pos_emb: the token's embedding plus the position's",
        "embed.resid_pre": "rmsnorm(x): the residual stream into layer 0",
        "attn.q": "q: what each position looks for (the queries; one slice per head)",
        "attn.k": "k: what each position offers later queries (the keys)",
        "attn.v": "v: what each position passes on when attended to (the values)",
        "resid_mid": "the stream after attention: x + attn_out",
        "mlp.relu": "the MLP's hidden layer after relu: grey is dead (exactly 0, so no "
        "gradient flows back through it); at the right, how many are dead",
        "resid_post": "the stream after the MLP: x + fc2",
    }.get(what, "")


def stream_svg(stream: Stream, letters: Letters | None = None, *,
               max_width: float = MAX_WIDTH) -> str:  # fmt: skip
    """A layer's tensors across positions (``explorer.positions.stream``), stacked with their
    titles; with ``letters``, the loss of each character on top."""
    if not isinstance(stream, Stream):
        raise ArgumentTypeError(
            f"stream_svg draws explorer.positions.stream(fp), got {type(stream).__name__}"
        )
    if letters is not None:
        check_instance(letters, "letters", Letters, "explorer.positions.letters(fp) or None")
    max_width = _check_width(max_width)
    texts = [
        (f"{stream.doc!r} · layer {stream.layer} across positions: the residual stream, q, k, "
         "v and the ReLU mask", TITLE, True),
        ("rows: positions, labelled by the character each reads; columns: dimensions; each "
         "tensor's data beside (or above) its grad, each on its own scale (the numbers on its "
         "colour bar); hover a cell for its node", TEXT, False),
    ]  # fmt: skip
    sections = []
    if letters is not None:
        sections.append(_letters_section(letters, max_width))
    for t in stream.tensors:
        rows, cols = t.shape
        group = stream.head_dim if t.name.rsplit(".", 1)[-1] in ("q", "k", "v") else None
        title = f"{t.name} · {rows} positions × {cols}"
        sections.append(_section(t, stream.rows, title, _caption(t.name, stream.layer),
                                 group, max_width))  # fmt: skip
    width = max(min(max_width, 560.0), *(w for _, w, _ in sections))
    parts, y = _lines(texts, width)
    for body, _, h in sections:
        y += 14
        parts.append(_group(body, 0, y, "section"))
        y += h
    return _document(parts, width, y, "microgpt-stream")


# -- one attention weight explained ----------------------------------------------------------
CELL_H = 20.0  # px: a cell of the weight panel (its number at TEXT size inside)


def _cell(x: float, y: float, w: float, term: Term, which: str, fill: str) -> str:
    value = term.data if which == "data" else term.grad
    return (
        f'<g class="cell {which}" data-id="{_a(term.id)}" data-ref="{term.ref}" '
        f'data-data="{term.data!r}" data-grad="{term.grad!r}">'
        f"{_tip(term.id, term.data, term.grad)}"
        + _rect(x, y, w, CELL_H, fill, "#ffffff", 1.0)
        + _text(
            x + w / 2,
            y + CELL_H / 2 + 0.35 * TEXT,
            _num(value),
            TEXT,
            "middle",
            fill=style.text_colour(fill),
        )  # fmt: skip
        + "</g>"
    )


def _row_fills(values: list[float], sequential: bool, scale=None) -> tuple[list[str], str]:
    """Fills of one row of cells and the scale printed at its right (``scale``: the row's
    largest |value| unless given)."""
    if sequential:
        return [style.sequential(min(max(v, 0.0), 1.0)) for v in values], "0…1"
    scale = _finite_max(values) if scale is None else scale
    return [style.diverging(v, scale) for v in values], f"±{_num(scale)}"


def _term_table(rows, heads, cw, label_w, per_line, chosen=None):
    """Rows of terms (``(name, terms, sequential)``), data and grad of each, under column
    ``heads`` (one or two lines each), wrapped every ``per_line`` columns; ``chosen``: the
    column outlined. ``(parts, width, height)`` at the origin."""
    n = len(rows[0][1])
    per_line = math.ceil(n / math.ceil(n / per_line))  # lines of equal length
    parts, y, width = [], 0.0, 0.0
    for start in range(0, n, per_line):
        cols = range(start, min(n, start + per_line))
        for k in cols:
            cx = label_w + (k - start + 0.5) * cw
            for line, word in enumerate(heads[k]):
                bold = k == chosen
                parts.append(_text(cx, y + SMALL + line * (SMALL + 2), word, SMALL, "middle",
                                   bold=bold, fill=INK if bold else MUTED))  # fmt: skip
        y += max(len(h) for h in heads) * (SMALL + 2) + 3
        for name, terms, sequential in rows:
            parts.append(_text(0, y + CELL_H / 2 + 0.35 * TEXT, name, TEXT, bold=True))
            for which in ("data", "grad"):
                values = [t.data if which == "data" else t.grad for t in terms]
                fills, scale = _row_fills(values, sequential and which == "data")
                base = y + CELL_H / 2 + 0.35 * SMALL
                parts.append(_text(label_w - 6, base, which, SMALL, "end", fill=MUTED))
                for k in cols:
                    x = label_w + (k - start) * cw
                    parts.append(_cell(x, y, cw, terms[k], which, fills[k]))
                right = label_w + len(cols) * cw + 6
                parts.append(_text(right, base, scale, SMALL, fill=MUTED))
                width = max(width, right + _w(scale, SMALL))
                y += CELL_H
            y += 6
        if chosen is not None and chosen in cols:
            x = label_w + (chosen - start) * cw
            top = y - len(rows) * (2 * CELL_H + 6)
            for r in range(len(rows)):
                parts.append(_rect(x, top + r * (2 * CELL_H + 6), cw, 2 * CELL_H, "none",
                                   "#000000", 2.5))  # fmt: skip
        y += 8
    return parts, width, y


def _single_fill(term: Term, row: list[Term], which: str) -> str:
    """A lone cell (Σ, the logit) on the scale of the row it comes from (or joins)."""
    values = [t.data if which == "data" else t.grad for t in (term, *row)]
    return style.diverging(values[0], _finite_max(values))


def _weight_body(e: ExplainedWeight, max_width: float) -> tuple[list[str], float, float]:
    terms = [*e.q, *e.k, *e.products, e.total, e.logit, *e.logits, *e.weights]
    cw = max(52.0, *(max(_w(_num(t.data)), _w(_num(t.grad))) + 10 for t in terms))
    names = ("q_h", "k_h", "q_h·k_h", "Σ", "attn_logits", "attn_weights")
    label_w = max(_w(x) for x in names) + 8 + _w("data", SMALL) + 8
    right_w = _w("±-0.000123", SMALL) + 8
    per_line = max(1, int((max_width - label_w - right_w) // cw))
    parts, y = [], 0.0
    # 1. the products q_h[j] · k_h[j]
    rows = [("q_h", e.q, False), ("k_h", e.k, False), ("q_h·k_h", e.products, False)]
    heads = [[f"j={j}"] for j in range(e.head_dim)]
    table, w1, h = _term_table(rows, heads, cw, label_w, per_line)
    parts.append(_group(table, 0, y, "products"))
    y += h
    # 2. their sum, times 1/√head_dim: the logit
    op = f"× {_num(e.scale.data)} (÷√{e.head_dim}) →"
    parts.append(_text(0, y + CELL_H / 2 + 0.35 * TEXT, "Σ", TEXT, bold=True))
    x = label_w
    for which, dy in (("data", 0.0), ("grad", CELL_H)):  # on the products' scale, or its own
        base = y + dy + CELL_H / 2 + 0.35 * SMALL
        parts.append(_text(label_w - 6, base, which, SMALL, "end", fill=MUTED))
        fill = _single_fill(e.total, e.products, which)
        parts.append(_cell(x, y + dy, cw, e.total, which, fill))
    x += cw + 10
    parts.append(_text(x, y + CELL_H + 0.35 * TEXT, op, TEXT, data_id=NodeKey("op", e.logit.id).id))
    x += _w(op) + 10
    parts.append(_text(x, y + CELL_H + 0.35 * TEXT, "logit", TEXT, bold=True,
                       data_id=e.logit.id))  # fmt: skip
    x += _w("logit") + 8
    for which, dy in (("data", 0.0), ("grad", CELL_H)):  # on the scale of the logits' row
        parts.append(_cell(x, y + dy, cw, e.logit, which, _single_fill(e.logit, e.logits, which)))
    w2 = x + cw
    y += 2 * CELL_H + 18
    # 3. the softmax over the query's keys, the explained weight outlined
    line = f"softmax over the keys 0…{e.query} of query {e.query} (its weights sum to 1)"
    parts.append(_text(0, y + TEXT, line, TEXT, bold=True))
    y += TEXT + 8
    rows = [("attn_logits", e.logits, False), ("attn_weights", e.weights, True)]
    heads = [[w.label, e.chars[k]] for k, w in enumerate(e.weights)]
    table, w3, h = _term_table(rows, heads, cw, label_w, per_line, chosen=e.key)
    parts.append(_group(table, 0, y, "softmax"))
    return parts, max(w1, w2, w3), y + h


def _weight_legend(y: float) -> tuple[list[str], float, float]:
    colours = style.diverging_swatches(1.0)
    label_w = _w("attn_weights ", SMALL) + 4
    parts = [_text(0, y + 10, "data, grad", SMALL)]
    parts += _bar(label_w, y + 1, colours, [(0, "−max"), (0.5, "0"), (1, "+max")])
    note = "each row on its own scale: ±max at its right"
    parts.append(_text(label_w + BAR_W + 10, y + 10, note, SMALL))
    width = label_w + BAR_W + 10 + _w(note, SMALL)
    y += 30
    parts.append(_text(0, y + 10, "attn_weights", SMALL))
    parts += _bar(label_w, y + 1, style.sequential_swatches(), [(0, "0"), (1, "1")])
    parts.append(_rect(label_w + BAR_W + 10, y + 1, 12, 10, "#ffffff", "#000000", 2.0))
    note = "outlined: the weight explained"
    parts.append(_text(label_w + BAR_W + 28, y + 10, note, SMALL))
    return parts, max(width, label_w + BAR_W + 28 + _w(note, SMALL)), y + 30


def weight_svg(explained: ExplainedWeight, *, max_width: float = MAX_WIDTH) -> str:
    """One attention weight explained (``explorer.attention_weight.explain_weight``): see the
    module docstring."""
    if not isinstance(explained, ExplainedWeight):
        raise ArgumentTypeError(
            "weight_svg draws explorer.attention_weight.explain_weight(fp, layer, head, query, "
            f"key), got {type(explained).__name__}"
        )
    max_width = _check_width(max_width)
    e = explained
    hd, lo = e.head_dim, e.head * e.head_dim
    texts = [
        (f"{e.doc!r} · layer {e.layer} · head {e.head}: the attention of query {e.query} "
         f"({e.query_char}) on key {e.key} ({e.key_char})", TITLE, True),
        (f"attn_logits[k={e.key}] = Σ_j q_h[j]·k_h[j] / √{hd}; attn_weights = softmax of the "
         f"logits of keys 0…{e.query}. q_h = pos{e.query}.layer{e.layer}.attn.q[{lo}…"
         f"{lo + hd - 1}] (head {e.head}'s slice), k_h = pos{e.key}.layer{e.layer}.attn.k[{lo}…"
         f"{lo + hd - 1}]; every number as recorded (hover a cell for its node)", TEXT, False),
    ]  # fmt: skip
    body, w, h = _weight_body(e, max_width)
    width = max(w, min(max_width, 560.0))
    parts, y = _lines(texts, width, data_id=e.weight.id)
    parts.append(_group(body, 0, y + 6, "explained", e.weight.id))
    legend, lw, y = _weight_legend(y + 6 + h + 4)
    parts += legend
    return _document(parts, max(width, lw), y, "microgpt-weight")
