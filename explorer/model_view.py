"""The model view: one position's pass as the article's ``gpt()`` reads, one node per tensor.

A graph query (pure Python; no graphviz, matplotlib or widgets). Between the overview (groups
of thousands of scalars) and the scalar graph (micrograd style, within the node budget) sits
the level a learner knows from the article's code: ``tok_emb`` + ``pos_emb`` → ``x`` →
rmsnorm → per layer: rmsnorm → ``q``, ``k``, ``v`` (and the KV cache of positions 0 … t) → per
head: ``attn_logits`` → softmax → ``attn_weights`` → ``head_out`` → ``attn_out`` → the
residual ``resid_mid`` → rmsnorm → ``fc1`` → ``relu`` → ``fc2`` → ``resid_post`` → ``logits``
→ ``probs`` → the position's loss; the parameter matrices beside the step that reads them.

``model_view(fp, pos)`` returns a ``GraphView`` of kind ``"model"`` whose nodes are
``TensorNode``s (``explorer.graph``; ``kind="tensor"``): each with its name, shape, labels and
the recorded ``data`` and ``grad`` of every entry (``explorer.tensors`` reads them; nothing is
recomputed), and edges from each tensor to the ones computed from it. The renderers draw each
tensor as heat strips (data, and grad under it), a matrix as two small heatmaps. Node ids are
the tensors' names (``wte[m]`` / ``wpe[2]`` for the embedding rows); ``scalar_view_of`` says
which scalar view a click on a tensor opens.
"""

from __future__ import annotations

from microgpt.errors import ArgumentTypeError, MicrogptError
from microgpt.model import loss_position, parse_name
from microgpt.validate import _short as short_repr
from microgpt.validate import check_instance, check_int

from . import style
from .checks import check_model_pass, check_options, check_pass
from .graph import GraphEdge, GraphView, TensorNode
from .tensors import Tensor, position_tensors

__all__ = ["default_pos", "model_view", "scalar_view_of", "tensor_table"]


def default_pos(fp) -> int:
    """The position a model view shows when none is given: the root's (``loss@T``), else
    the last one (whose attention reads the whole document)."""
    check_pass(fp, "default_pos")
    pos = loss_position(getattr(fp, "root_name", ""))
    return pos if pos is not None and pos >= 0 else fp.positions - 1


def model_view(fp, pos: int | None = None, budget: int | None = None) -> GraphView:
    """Position ``pos``'s pass (default: ``default_pos``) as tensors: see the module docstring.

    ``budget`` (the most nodes drawn, default 1,000) is checked like every view's: a model
    with so many layers and heads that its tensors do not fit says so instead of drawing."""
    check_model_pass(fp, "model_view")
    check_options(pos=pos, budget=budget)
    pos = default_pos(fp) if pos is None else fp.check_pos(pos)
    tensors = position_tensors(fp, pos)
    ids = {t.name: _node_id(t) for t in tensors}
    nodes = [_node(fp, t, ids[t.name]) for t in tensors]
    budget = 1000 if budget is None else budget
    if len(nodes) > budget:
        raise MicrogptError(
            f"the model view of this model has {len(nodes):,} tensors, over the budget of "
            f"{budget:,} nodes: raise --budget to {len(nodes):,}"
        )
    edges = [
        GraphEdge(ids[src], ids[t.name], count=_count(t))
        for t in tensors
        for src in t.inputs
        if src in ids
    ]
    labels = fp.source.token_labels
    now, target = labels[fp.tokens[pos]], labels[fp.tokens[pos + 1]]
    index = fp.index
    stats = {
        "trace_nodes": len(index),
        "graph_nodes": len(index.in_graph),
        "drawn_nodes": len(nodes),
        "root": index.label(index.root),
        "root_value": index.values[index.root].data,
        "level": "tensors",
        "pos": pos,
        "tensors": len(nodes),
        "scalars": sum(len(t.data) for t in tensors),
    }
    notes = [
        f"position {pos}: the input {now!r} predicts the next character, {target!r}; one box "
        f"per tensor of gpt() ({stats['scalars']:,} scalar nodes, every number as recorded)",
        "each strip is scaled to its own largest |value| (printed at its right); click a "
        "tensor for its scalar nodes",
        *getattr(fp, "notes", ()),
    ]
    title = f"{fp.doc!r} · model · position {pos} ({now} → {target}) · root {fp.root_name}"
    view = GraphView("model", title, nodes, edges, stats, notes, str(fp.address))
    view.layout = "model"
    return view


def _node_id(t: Tensor) -> str:
    if t.name in ("wte", "wpe"):  # one row of the matrix: wte[m], wpe[2]
        return f"{t.name}[{t.labels[0].split(',')[0]}]"
    return t.name


def _count(t: Tensor) -> int:
    return max(1, len(t.data))


def _short(name: str) -> str:
    """The name as the picture writes it: without its position (the view is of one
    position) or its layer (each layer is a band labelled with it), and a head's tensors
    without ``attn.`` (they sit under their head): ``head1.attn_weights``, ``mlp.relu``."""
    at, parts = parse_name(name), name.split(".")
    for place in (f"pos{at.pos}", f"layer{at.layer}"):  # in this order, each if it is first
        if parts[0] == place and len(parts) > 1:
            parts = parts[1:]
    if parts[0] == "attn" and len(parts) > 2 and parts[1].startswith("head"):
        parts = parts[1:]
    return ".".join(parts)


def _node(fp, t: Tensor, node_id: str) -> TensorNode:
    marks: dict = {}
    short = _short(t.name)
    if t.name in ("wte", "wpe"):
        label = f"{t.var} = {node_id}"
    elif t.var and t.var not in ("x",) and t.var != short.rsplit(".", 1)[-1]:
        label = f"{t.var} ({short})"
    else:
        label = short
    detail = None
    if short.endswith("mlp.relu"):
        dead = [lab for lab, d in zip(t.labels, t.data) if d == 0]
        marks["dead"] = dead
        detail = f"{len(dead)} of {len(t.data)} dead (relu = 0: no gradient reaches fc1 there)"
    elif short == "probs":
        target = fp.source.token_labels[fp.tokens[parse_name(t.name).pos + 1]]
        marks["target"] = target
        p, _ = t.entry(target)
        detail = f"p({target}) = {style.fmt(p)}, the target's probability (outlined)"
    role = "root" if t.ids and t.ids[0] == fp.index.root and not t.shape else None
    scope = parse_name(t.name).where if t.stage != "params" else ""
    return TensorNode(
        id=node_id,
        kind="tensor",
        label=label,
        op=t.op or None,
        data=list(t.data),
        grad=list(t.grad),
        scope=scope,
        count=len(t.data),
        name=t.name,
        detail=detail,
        role=role,
        first=min(t.ids),
        shape=list(t.shape),
        labels=list(t.labels),
        scalars=list(t.scalars),
        var=t.var,
        stage=t.stage,
        marks=marks,
    )


def scalar_view_of(node_id: str, pos: int, view: GraphView | None = None) -> dict:
    """What a click on the tensor ``node_id`` of a model view at ``pos`` opens: the options of
    ``explorer.views.build_view`` for its scalar nodes.

    - a vector: every one of its scalars (``full`` view of ``name[*]``: the 64 ReLUs of
      ``pos2.layer0.mlp.relu``);
    - an embedding row (``wte[m]``, ``wpe[2]``): its gradient path to the root;
    - a parameter matrix: the gradient path of its row with the largest gradient (its L2
      norm, read from ``view``, the model view drawn; row 0 without it): a whole matrix has
      too many paths to draw;
    - the KV cache: this position's keys or values;
    - a scalar (the loss): its node view."""
    if not isinstance(node_id, str) or not node_id:
        raise ArgumentTypeError(
            "node_id must be a tensor's name in the model view (a string), got "
            f"{short_repr(node_id)}"
        )
    pos = check_int(pos, "pos", 0, fix="the model view's position")
    if view is not None:
        check_instance(view, "view", GraphView, "the model view drawn (a GraphView) or None")
    if parse_name(node_id).parameter:
        if "[" in node_id:
            return {"view": "path", "source": node_id, "pos": pos}
        return {"view": "path", "source": f"{node_id}[{_busiest_row(node_id, view)}]", "pos": pos}
    if node_id.endswith((".keys", ".values")):
        which = "k" if node_id.endswith(".keys") else "v"
        return {"view": "full", "pattern": f"{node_id.rsplit('.', 1)[0]}.{which}[*]"}
    if node_id.endswith(".loss") or node_id == "loss":
        return {"view": "node", "node": node_id}
    return {"view": "full", "pattern": f"{node_id}[*]"}


def _busiest_row(node_id: str, view: GraphView | None) -> str:
    """The row label of a drawn matrix whose gradients have the largest L2 norm."""
    node = next((n for n in view.nodes if n.id == node_id), None) if view is not None else None
    if not isinstance(node, TensorNode) or len(node.shape) != 2:
        return "0"
    cols = node.shape[1]
    norms = {}
    for k in range(0, len(node.grad), cols):
        norms[node.labels[k].split(",")[0]] = sum(g * g for g in node.grad[k : k + cols])
    return max(norms, key=norms.get)


def tensor_table(node: TensorNode) -> list[tuple[str, float, float]]:
    """``(index, data, grad)`` for every entry of a drawn tensor, in label order: what the
    inspector shows for a selected tensor."""
    if not isinstance(node, TensorNode):
        raise ArgumentTypeError(
            f"tensor_table takes a tensor node of a model view, got {type(node).__name__}"
        )
    return list(zip(node.labels, node.data, node.grad))
