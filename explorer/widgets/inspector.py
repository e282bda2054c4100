"""``NodeInspector``: the selected node's numbers — name (for an anonymous node, its role: what
it is), op, value, gradient, its inputs with their local gradients, its consumers with their
``grad +=`` contributions (the chain rule, in numbers), Adam's state for a parameter — and a
"check gradient" button that compares the gradient with a finite-difference estimate.
Controls and layout only: an anonymous input or consumer is listed by its role, not a bare
``#id``."""

from __future__ import annotations

import html

import ipywidgets as W
import traitlets

from microgpt.errors import MicrogptError

from ..adam import adam_preview
from ..gradcheck import finite_difference
from ..node import node_report, resolve_node

__all__ = ["NodeInspector"]


def _f(x) -> str:
    return "–" if x is None else html.escape(f"{x:.6g}")


def _who(t: dict) -> str:
    """An input or consumer: its name, or for an anonymous node its role and then its id."""
    if t.get("role"):
        return (
            f'<span class="microgpt-role">{html.escape(t["role"])}</span> '
            f"<small>{html.escape(t['label'])}</small>"
        )
    return html.escape(t["label"])


def _rows(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="microgpt-table"><tr>{head}</tr>{body}</table>'


class NodeInspector(W.VBox):
    """Shows the node ``selected`` names (a name or ``#id``) in the pass set by ``show``."""

    selected = traitlets.Unicode("")

    def __init__(self, **kwargs) -> None:
        self.fp = None
        self.report = None
        self.check = None
        self._html = W.HTML()
        self._html.add_class("microgpt-inspector-body")
        self._check_button = W.Button(description="check gradient", icon="check")
        self._check_button.add_class("microgpt-check-gradient")
        self._check_button.on_click(lambda _: self.check_gradient())
        self._check_result = W.HTML()
        self._check_result.add_class("microgpt-fd-result")
        super().__init__([self._html, self._check_button, self._check_result], **kwargs)
        self.add_class("microgpt-inspector")
        self._draw()

    def show(self, fp) -> None:
        """Inspect nodes of this pass (keeps the selection if the node exists in it)."""
        self.fp = fp
        self._draw()

    @traitlets.observe("selected")
    def _on_selected(self, change) -> None:
        self._draw()

    def _node_id(self) -> int | None:
        label = self.selected
        if not label or self.fp is None:
            return None
        return resolve_node(self.fp, label)

    def _draw(self) -> None:
        self.check = None
        self._check_result.value = ""
        try:
            node = self._node_id()
        except MicrogptError as e:
            self.report = None
            self._html.value = f'<p class="microgpt-message">{html.escape(str(e))}</p>'
            self._check_button.disabled = True
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
        rows = [
            ["m (first moment)", _f(a.m), "→", _f(a.m_new)],
            ["v (second moment)", _f(a.v), "→", _f(a.v_new)],
            ["m̂, v̂ (bias-corrected)", _f(a.m_hat), "", _f(a.v_hat)],
            ["learning rate at step", str(a.step), "", _f(a.lr)],
            ["next update", "", "", f"<b>{_f(a.update)}</b>"],
        ]
        note = f"<div><i>{html.escape(a.note)}</i></div>" if a.note else ""
        return (
            "<div><b>Adam</b> (with this document's gradient)</div>"
            + _rows(["", "now", "", "after the next step"], rows)
            + note
        )

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
