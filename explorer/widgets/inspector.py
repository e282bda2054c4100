"""``NodeInspector``: the selected node's numbers — name (for an anonymous node, its role: what
it is), op, value, gradient, its inputs with their local gradients, its consumers with their
``grad +=`` contributions (the chain rule, in numbers), Adam's state for a parameter — and a
"check gradient" button that compares the gradient with a finite-difference estimate.
Controls and layout only: an anonymous input or consumer is listed by its role, not a bare
``#id``.

A selected **tensor** of the model view (``pos2.layer0.mlp.relu``, ``layer0.mlp_fc1``,
``wte[m]``: ``explorer.model_view``'s node ids) is shown as a table instead: its shape and op,
then index, data and grad of every entry, read from the recorded pass (``tensor_table``), in a
panel that scrolls when long. ``TensorLookup`` finds a tensor by its id; ``GraphExplorer`` uses
it too."""

from __future__ import annotations

import html
import re

import ipywidgets as W
import traitlets

from microgpt.errors import MicrogptError
from microgpt.model import parse_name

from ..adam import adam_preview
from ..gradcheck import finite_difference
from ..graph import TensorNode
from ..model_view import default_pos, model_view, tensor_table
from ..node import node_report, resolve_node
from ..style import fmt
from ..tables import html_table
from .args import Checked, integer, need, need_pass, text
from .state import PassState

__all__ = ["NodeInspector", "TensorLookup", "names_a_node"]


#: A tensor table longer than this says that it scrolls.
_SHORT_TABLE = 16


def _f(x) -> str:
    return html.escape(fmt(x))  # the one number format ("–" for None)


def _who(t: dict) -> str:
    """An input or consumer: its name, or for an anonymous node its role and then its id."""
    if t.get("role"):
        return (
            f'<span class="microgpt-role">{html.escape(t["role"])}</span> '
            f"<small>{html.escape(t['label'])}</small>"
        )
    return html.escape(t["label"])


def _rows(header: list[str], rows: list[list[str]]) -> str:
    return html_table(header, rows, left={0})  # the one HTML table (explorer.tables)


def names_a_node(fp, label: str) -> bool:
    """Whether ``label`` is a scalar node's name or ``#id`` in ``fp``: a quick no, without the
    search for close names that ``resolve_node``'s error makes (half a second on a long pass;
    a tensor's id is not a node's name)."""
    if fp is None or not isinstance(label, str):
        return False
    if re.fullmatch(r"#\d+", label):
        return int(label[1:]) < len(fp.trace)
    return label in fp.trace.names


class TensorLookup:
    """The tensors of a pass's model views by node id, one position's view kept (a tensor is
    looked up again and again as a selection moves; a model view takes ~60 ms to read)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._nodes: dict[str, TensorNode] = {}

    def clear(self, fp=None) -> None:
        """Forget the view kept unless it is of ``fp`` (a pass no longer shown: let it go)."""
        if self._key is not None and self._key[0] is not fp:
            self._key, self._nodes = None, {}

    def keep(self, fp, view) -> None:
        """Keep a model view already built (the graph's, drawn): no second reading."""
        self._key, self._nodes = (fp, view.stats["pos"]), {n.id: n for n in view.nodes}

    def _at(self, fp, pos: int) -> dict[str, TensorNode]:
        if self._key is None or self._key[0] is not fp or self._key[1] != pos:
            nodes = model_view(fp, pos, budget=20_000).nodes  # the most allowed: look, not draw
            self._key, self._nodes = (fp, pos), {n.id: n for n in nodes}
        return self._nodes

    def find(self, fp, label: str, pos: int | None = None) -> TensorNode | None:
        """The tensor node ``label`` names in ``fp`` (``None`` if it names none). A name with
        a position (``pos2.…``) is looked up at it; a parameter at ``pos`` (default: the model
        view's default position), an embedding row where its token or position is read."""
        if fp is None or not isinstance(label, str) or not label:
            return None
        at = parse_name(label)
        tries = [at.pos] if at.pos is not None else [default_pos(fp) if pos is None else pos]
        row = at.what in ("wte", "wpe") and not at.where and len(at.which) == 1
        if row and at.what == "wpe" and isinstance(at.which[0], int):
            tries.append(at.which[0])
        elif row and at.what == "wte":  # wte[c]: the first position whose input is c
            labels = fp.source.token_labels
            tries += [p for p in range(fp.positions) if labels[fp.tokens[p]] == at.which[0]][:1]
        for p in tries:
            if not 0 <= p < fp.positions:
                continue
            try:
                node = self._at(fp, p).get(label)
            except MicrogptError:  # e.g. a hand-built expression: it has no model view
                return None
            if node is not None:
                return node
        return None


def tensor_html(node: TensorNode) -> str:
    """A tensor's name, shape and op, and the table of its entries (index, data, grad), the
    table in a panel of its own that scrolls (the inspector keeps its width)."""
    rows = tensor_table(node)
    shape = " × ".join(str(n) for n in node.shape) or "scalar"
    index = "row,column" if len(node.shape) == 2 else "index"
    head = "".join(
        f'<th style="position: sticky; top: 0; background: var(--jp-layout-color1, white)">{h}</th>'
        for h in (index, "data", "grad")
    )
    body = "".join(
        f"<tr><td>{html.escape(str(i))}</td><td>{_f(d)}</td>"
        f'<td class="microgpt-grad">{_f(g)}</td></tr>'
        for i, d, g in rows
    )
    long = len(rows) > _SHORT_TABLE
    scroll = (
        f"<div><i>{len(rows):,} entries: the table scrolls</i></div>"
        if long
        else f"<div><i>{len(rows):,} entr{'ies' if len(rows) != 1 else 'y'}</i></div>"
    )
    parts = [
        f'<div class="microgpt-inspector-name"><b>{html.escape(node.id)}</b></div>',
        f"<div>tensor <code>{html.escape(node.label)}</code> · shape {shape}"
        + (f" · op <code>{html.escape(node.op)}</code>" if node.op else "")
        + "</div>",
        f"<div>{html.escape(node.detail)}</div>" if node.detail else "",
        scroll,
        '<div class="microgpt-tensor-table" style="max-height: 22em; overflow: auto; '
        f'overflow-y: {"scroll" if long else "auto"}; border: 1px solid #bbb">'
        f'<table class="microgpt-table"><tr>{head}</tr>{body}</table></div>',
    ]
    return "".join(parts)


class NodeInspector(Checked, W.VBox):
    """Shows the node ``selected`` names (a name or ``#id``) in the pass set by ``show``, or
    the tensor it names (a model view's node id). ``pos``: the position whose model view a
    parameter's id is looked up in (its numbers are the same at every position; the
    Dashboard links it to the graph's, whose view is then read once)."""

    selected = traitlets.Unicode("")
    pos = traitlets.Int(-1)  # -1: the model view's default position

    _checks = {"selected": text(), "pos": integer(-1)}

    def __init__(self, tensors: TensorLookup | None = None, state: PassState | None = None,
                 **kwargs) -> None:  # fmt: skip
        """``tensors``: where tensors are looked up (the Dashboard shares the graph's);
        ``state``: the selection shared with other widgets (its selected node is this one's,
        its position follows; None: the inspector's own)."""
        need(TensorLookup, "NodeInspector(tensors=...)", "a TensorLookup (e.g. a "
             "GraphExplorer's .tensors) or None", tensors, none_ok=True)  # fmt: skip
        asked = self.take_traits(kwargs, self._checks)
        self.fp = None
        self.report = None
        self.check = None
        #: The tensor shown (a ``TensorNode``), when ``selected`` names one.
        self.tensor = None
        self._tensors = tensors or TensorLookup()
        self._html = W.HTML()
        self._html.add_class("microgpt-inspector-body")
        self._check_button = W.Button(description="check gradient", icon="check")
        self._check_button.add_class("microgpt-check-gradient")
        self._check_button.on_click(lambda _: self.check_gradient())
        self._check_result = W.HTML()
        self._check_result.add_class("microgpt-fd-result")
        self._message = W.HTML()  # a value refused (``Checked``)
        super().__init__([self._message, self._html, self._check_button, self._check_result],
                         **kwargs)  # fmt: skip
        self.add_class("microgpt-inspector")
        self.state = PassState.given(state, "NodeInspector(state=...)")
        self.state.join(self, "selected", lead=state is None)
        self.state.feed(self, lead=state is None, pos="pos")
        self.apply(asked)
        self._live = True
        self._draw()

    def show(self, fp) -> None:
        """Inspect nodes of this pass (keeps the selection if the node exists in it)."""
        need_pass(fp, "NodeInspector.show(fp)")
        self.fp = fp
        self._tensors.clear(fp)
        self._draw()

    @traitlets.observe("selected")
    def _on_selected(self, change) -> None:
        self._message.value = ""
        self._draw()

    def _node_id(self) -> int | None:
        label = self.selected
        if not label or self.fp is None:
            return None
        return resolve_node(self.fp, label)

    def _draw(self) -> None:
        self.check = None
        self.tensor = None
        self._check_result.value = ""
        label, fp = self.selected, self.fp
        if label and fp is not None and not names_a_node(fp, label):
            self.tensor = self._tensors.find(fp, label, None if self.pos < 0 else self.pos)
        if self.tensor is not None:
            self.report = None
            self._check_button.disabled = True
            self._html.value = tensor_html(self.tensor)
            return
        try:
            node = self._node_id()
        except MicrogptError as e:
            self.report = None
            self._check_button.disabled = True
            self._html.value = f'<p class="microgpt-message">{html.escape(str(e))}</p>'
            return
        if node is None:
            self.report = None
            self._html.value = "<p><i>Click a node of the graph to inspect it.</i></p>"
            self._check_button.disabled = True
            return
        r = self.report = node_report(self.fp, node)
        self._check_button.disabled = node not in self.fp.index.in_graph
        op = r["op"] + (f" {r['exponent']:g}" if r["exponent"] is not None else "")
        parts = [
            f'<div class="microgpt-inspector-name"><b>{html.escape(r["label"])}</b></div>',
            f'<div class="microgpt-role">{html.escape(r["role"])}</div>' if r["role"] else "",
            f"<div>op <code>{html.escape(op)}</code> · scope "
            f"<code>{html.escape(r['scope'] or '(top)')}</code></div>",
            f'<div>value <b>{_f(r["data"])}</b> · gradient <b class="microgpt-grad">'
            f"{_f(r['grad'])}</b></div>",
        ]
        if r["inputs"]:
            parts.append("<div><b>inputs</b> (local gradient ∂ this / ∂ input)</div>")
            parts.append(_rows(
                ["input", "op", "value", "local grad"],
                [[_who(t), t["op"], _f(t["data"]), _f(t["local_grad"])] for t in r["inputs"]],
            ))  # fmt: skip
        parts.append("<div><b>gradient</b> = Σ over consumers of local grad × consumer.grad</div>")
        if r["consumers"]:
            parts.append(_rows(
                ["consumer", "local grad", "consumer.grad", "contribution"],
                [[_who(t), _f(t["local_grad"]), _f(t["grad"]), _f(t["contribution"])]
                 for t in r["consumers"]],
            ))  # fmt: skip
        parts.append(f"<div><code>{html.escape(r['formula'])}</code></div>")
        if node < self.fp.num_params:
            parts.append(self._adam(node))
        self._html.value = "".join(parts)

    def _adam(self, node: int) -> str:
        try:
            a = adam_preview(self.fp, node)
        except MicrogptError as e:
            return f"<div><i>{html.escape(str(e))}</i></div>"
        return a._repr_html_()  # the one Adam step table (explorer.adam.AdamStep)

    def check_gradient(self):
        """Estimate the selected node's gradient by finite differences; show both numbers."""
        try:
            node = self._node_id()
            if node is None:
                raise MicrogptError("select a node first")
            self.check = finite_difference(self.fp, node)
        except MicrogptError as e:
            self._check_result.value = (
                f'<span class="microgpt-message">{html.escape(str(e))}</span>'
            )
            return None
        c = self.check
        verdict = "agree" if c.agrees else "DISAGREE"
        self._check_result.value = (
            f'backward: <b class="microgpt-fd-grad">{_f(c.grad)}</b> · finite difference '
            f'(h={c.h:.0e}): <b class="microgpt-fd-estimate">{_f(c.estimate)}</b> · {verdict} '
            f"(relative error {c.rel_error:.1e})"
        )
        return c
