"""``TrainStepView``: the weights after any step of the run, and one training step taken by hand.

A "weights after step" slider over the whole run (the loss curve marks it) sets the weights every
view of the session shows (replayed exactly from the snapshot before it); "next step's document"
shows the document the run trained on next, so the graph is that training step's own forward
pass. "train one step" takes a real Adam step on the document shown (``explorer.onestep``) and
says what it did — the loss before and after, and for the selected parameter its gradient,
moments, learning rate and update; "undo" puts the weights back bit for bit. The Dashboard
observes ``weights_version`` and redraws every view from the new weights.
"""

from __future__ import annotations

import html

import ipywidgets as W
import traitlets

from microgpt.errors import ConfigError, MicrogptError

from ..onestep import StepLab
from ..plots import loss_curve
from .args import Checked, flag, integer, need, text
from .images import chart_image, show_chart
from .lazy import ShownLater
from .session import Session
from .state import PassState

__all__ = ["TrainStepView"]


def _last_step(w) -> int:
    """The last step the weights can be shown after: the run's, or the hand steps' last."""
    return max(w.session.origin.step, w.lab.step if w.lab is not None else 0)


def _check_step(w, value, what: str) -> int:
    """A step whose weights can be shown: one the run can re-create, or a hand step's."""
    step = integer(0, _last_step)(w, value, what)
    origin = w.session.origin
    if step != origin.step and not (w.lab is not None and step == w.lab.step):
        try:
            origin.check_step(step)
        except MicrogptError as e:
            raise ConfigError(f"{what}: {e}") from None
    return step


class TrainStepView(Checked, ShownLater, W.VBox):
    """One run, stepped through (``concealed``: made in a hidden tab, its chart is drawn when
    first shown). Traits: ``step``, ``doc``, ``selected``, ``message``, ``weights_version``."""

    #: The weights shown: after this many steps of the checkpoint's run (plus hand steps).
    step = traitlets.Int(0)
    #: The document the views show (the Dashboard keeps it in step with its own).
    doc = traitlets.Unicode("")
    #: The selected node's name: a parameter's update is shown for it.
    selected = traitlets.Unicode("")
    message = traitlets.Unicode("")
    #: Bumped whenever the session's weights change (the Dashboard redraws every view).
    weights_version = traitlets.Int(0)

    _checks = {
        "step": _check_step,
        "doc": text(),
        "selected": text(),
        "message": text(),
        "weights_version": integer(0),
    }

    def __init__(self, session: Session, concealed: bool = False,
                 state: PassState | None = None, **kwargs) -> None:  # fmt: skip
        """``state``: the selection shared with other widgets (its document is this view's,
        its selected node shown; None: the view's own)."""
        need(Session, "TrainStepView(session)", "a Session (e.g. Session(), shared with the "
             "other views)", session)  # fmt: skip
        concealed = flag()(self, concealed, "TrainStepView(concealed=...)")
        asked = self.take_traits(kwargs, self._checks)
        self.session = session
        self._concealed = concealed  # made in a hidden tab: the chart waits until it is shown
        self.lab: StepLab | None = None
        self.report = None
        self._charted: int | None = None  # the step the chart marks
        origin = session.origin
        final = origin.step
        self._slider = W.IntSlider(description="weights after step", min=0, max=final,
                                   value=final, continuous_update=False)  # fmt: skip
        self._slider.style.description_width = "initial"
        self._slider.layout.width = "26em"
        self._slider.disabled = not origin.replayable
        self._next_doc = W.Button(description="next step's document", icon="file-text-o")
        self._next_doc.layout.width = "auto"
        self._take = W.Button(description="train one step", icon="step-forward",
                              button_style="primary")  # fmt: skip
        self._undo = W.Button(description="undo", icon="undo")
        self._take.layout.width = self._undo.layout.width = "auto"
        self._next_doc.on_click(lambda _: self.show_next_doc())
        self._take.on_click(lambda _: self._guarded(self.take))
        self._undo.on_click(lambda _: self._guarded(self.undo))
        self._status = W.HTML()
        self._message = W.HTML()
        self._message.add_class("microgpt-message")
        self._report = W.HTML()
        self._param = W.HTML()
        self.image = chart_image()
        controls = W.HBox([self._slider, self._next_doc, self._take, self._undo],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))  # fmt: skip
        tables = W.HBox([self._report, self._param],
                        layout=W.Layout(flex_flow="row wrap", grid_gap="0 2em"))  # fmt: skip
        super().__init__([controls, self._status, self._message, tables, self.image], **kwargs)
        self.add_class("microgpt-trainstep")
        self.step = final
        traitlets.link((self, "step"), (self._slider, "value"))
        self.state = PassState.given(state, "TrainStepView(state=...)")
        self.state.join(self, "doc", lead=state is None)
        self.state.feed(self, lead=state is None, selected="selected")
        self.apply(asked)
        self._live = True
        self._refresh()

    # -- actions -------------------------------------------------------------------------------
    @traitlets.observe("step")
    def _on_step(self, change) -> None:
        """The slider moved: the checkpoint's weights after that step (hand steps dropped)."""
        if self.lab is not None and change["new"] == self.lab.step:
            return  # the step a hand step just reached
        try:
            self._show_run_step(change["new"])
        except MicrogptError as e:
            self.message = str(e)
            return
        dropped = len(self.lab.reports) if self.lab is not None else 0
        self.lab, self.report = None, None
        self.message = (
            f"{dropped} step(s) taken by hand were set aside: the weights are the run's own"
            if dropped
            else ""
        )
        self._changed()

    def show_next_doc(self) -> None:
        """Show the document the run trained on next: the graph becomes that step's own pass
        (its loss is the one the run recorded)."""
        docs = self.session.origin.ckpt.step_docs or []
        if self.lab is not None and self.lab.reports:
            self.message = "undo the steps taken by hand first: they are not the run's own"
        elif self.step >= len(docs):
            self.message = (
                f"the run trained {len(docs)} steps: no step comes after step {self.step}"
            )
        else:
            self.message = ""
            self.doc = docs[self.step]

    def take(self) -> None:
        """One real training step on the document shown."""
        if self.lab is None:
            self.lab = StepLab(self.session.origin, self.step)
        self.report = self.lab.take(self.doc)
        self.session.set_weights(self.lab.source, None)
        self.message = ""
        self.step = self.lab.step
        self._changed()

    def undo(self) -> None:
        """Undo the last step taken by hand."""
        if self.lab is None or not self.lab.reports:
            self.message = "no step taken by hand to undo"
            return
        self.lab.undo()
        self.report = self.lab.reports[-1] if self.lab.reports else None
        if self.lab.reports:
            self.session.set_weights(self.lab.source, None)
        else:
            self._show_run_step(self.lab.start)
        self.message = ""
        self.step = self.lab.step
        self._changed()

    def _show_run_step(self, step: int) -> None:
        """The checkpoint's own weights after ``step`` steps (its final step: as loaded)."""
        self.session.set_weights(None, None if step == self.session.origin.step else step)

    def _guarded(self, action) -> None:
        try:
            action()
        except MicrogptError as e:
            self.message = str(e)

    def _changed(self) -> None:
        self.weights_version += 1
        self._refresh()

    # -- what is shown ---------------------------------------------------------------------
    @traitlets.observe("message")
    def _on_message(self, change) -> None:
        self._message.value = html.escape(change["new"])

    @traitlets.observe("selected", "doc")
    def _on_selection(self, change) -> None:
        self._refresh()

    def _refresh(self) -> None:
        origin = self.session.origin
        hand = len(self.lab.reports) if self.lab is not None else 0
        refusal = StepLab.refusal_at(origin, self.step)
        self._take.disabled = bool(refusal) or not self.doc
        self._take.tooltip = refusal or f"one Adam step on {self.doc!r}"
        self._undo.disabled = hand == 0
        self._next_doc.disabled = hand > 0 or self.step >= origin.step
        what = f"after step {self.step} of {origin.step}"
        if hand:
            what += f" ({hand} of them taken here by hand)"
        self._status.value = (
            f"<b>weights {html.escape(what)}</b> · document shown: "
            f"<code>{html.escape(self.doc)}</code>"
            + (f" · <i>{html.escape(refusal)}</i>" if refusal else "")
        )
        self._report.value = self.report._repr_html_() if self.report else ""
        self._param.value = self._param_html()
        if self._charted != self.step:
            self._draw()

    def _draw(self) -> None:
        """The run's own loss curve, the weights shown marked (a step taken by hand gives its
        loss in the report)."""
        if self._later():  # in a hidden tab: drawn when shown
            return
        self._charted = self.step
        ax = loss_curve(self.session.origin.ckpt.loss_history, mark=self.step,
                        title="the run's training loss (the line: the weights shown)")  # fmt: skip
        show_chart(self.image, ax.figure)

    def _param_html(self) -> str:
        if self.report is None:
            return ""
        names = self.report.names
        if self.selected not in names:
            return (
                "<p><i>select a parameter (click a parameter row's node, or search "
                "<code>wte[*]</code>) to see what the step did to it</i></p>"
            )
        return self.report.param(names.index(self.selected))._repr_html_()
