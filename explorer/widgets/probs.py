"""``ProbabilitiesView``: the model's next-token distribution at a position, reshaped by a
temperature, and sampling one character at a time from the end of the document.

Sampling stops where the model stops: once it draws BOS (the end of a name) the document is
complete, BOS is never appended, and the view refuses to sample again until the document
changes. What the last sample did stays on screen (``message``) until the learner's next
action: another sample, a temperature or a position, or a document other than the one the
sample grew.
"""

from __future__ import annotations

import html
import random

import ipywidgets as W
import numpy as np
import traitlets

from microgpt.errors import MicrogptError
from microgpt.sample import temperature_probs
from microgpt.validate import check_int

from ..plots import next_token_chart
from .args import Checked, flag, integer, need_pass, number, text
from .images import chart_image, show_chart
from .lazy import ShownLater
from .state import PassState

__all__ = ["ProbabilitiesView"]


def _prefix(doc: str, pos: int) -> str:
    """What position ``pos`` has read, as a learner says it: BOS, then the first characters."""
    return "BOS" if pos == 0 else f"BOS + {doc[:pos]!r}"


#: The temperatures the slider offers (and the constructor and a trait take).
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.1, 2.0


class ProbabilitiesView(Checked, ShownLater, W.VBox):
    """Next-token probabilities of the pass given to ``show``. Traits: ``pos``,
    ``temperature``, ``sampled``, ``sample_count``, ``message``, ``ended``."""

    pos = traitlets.Int(0)
    temperature = traitlets.Float(1.0)
    #: The last character sampled ("" for BOS: the model ends the name there).
    sampled = traitlets.Unicode("")
    #: How many characters (or BOS) were drawn; the dashboard appends ``sampled`` when it grows.
    sample_count = traitlets.Int(0)
    #: What the last sample (or refusal to sample) did, as plain text; "" once the learner
    #: has moved on.
    message = traitlets.Unicode("")
    #: The model drew BOS after the current document: it is complete, sampling is refused
    #: until the document changes.
    ended = traitlets.Bool(False)

    _checks = {
        "pos": integer(0),  # past the document's end: its last position is shown
        "temperature": number(MIN_TEMPERATURE, MAX_TEMPERATURE, fix="e.g. 1.0 (the article's)"),
        "sampled": text(),
        "sample_count": integer(0),
        "message": text(),
        "ended": flag(),
    }

    def __init__(self, seed: int = 0, state: PassState | None = None, **kwargs) -> None:
        """``state``: the selection shared with other widgets (its position is this view's);
        None: the view's own."""
        seed = check_int(seed, "ProbabilitiesView(seed=...)")
        asked = self.take_traits(kwargs, self._checks)
        self.fp = None
        self.figure = None
        self.rng = random.Random(seed)
        self._continuation = None  # the document the last sample asked for (doc + character)
        self._temperature = W.FloatSlider(description="temperature", min=MIN_TEMPERATURE,
                                          max=MAX_TEMPERATURE, step=0.05,
                                          continuous_update=False)  # fmt: skip
        self._temperature.style.description_width = "initial"
        self._sample = W.Button(description="sample next character", icon="random",
                                layout=W.Layout(width="auto"))  # fmt: skip
        self._sample.add_class("microgpt-sample-next")
        self._sample.on_click(lambda _: self.sample_next())
        self._reading = W.HTML()  # what the chart shows: the position and the true next token
        self._info = W.HTML()  # ``message``: what the last sample did
        self._info.add_class("microgpt-probs-message")
        self.image = chart_image()
        controls = W.HBox([self._temperature, self._sample],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))  # fmt: skip
        super().__init__([controls, self._reading, self._info, self.image], **kwargs)
        self.add_class("microgpt-probs")
        traitlets.link((self, "temperature"), (self._temperature, "value"))
        self.state = PassState.given(state, "ProbabilitiesView(state=...)")
        self.state.join(self, "pos", lead=state is None)
        self.apply(asked)
        self._live = True
        self._update_button()

    def show(self, fp) -> None:
        """Show ``fp``. A new document ends the last sample's story (its message and BOS),
        unless it is the one that sample grew."""
        need_pass(fp, "ProbabilitiesView.show(fp)", expression_ok=False)
        previous = self.fp
        self.fp = fp
        if previous is None or fp.doc != previous.doc:
            if fp.doc != self._continuation:
                self.message = ""
            self._continuation = None
            self.ended = False
        self._draw()
        self._update_button()

    @traitlets.observe("pos", "temperature")
    def _on_change(self, change) -> None:
        self.message = ""  # the learner moved on
        self._draw()

    @traitlets.observe("message")
    def _on_message(self, change) -> None:
        self._info.value = html.escape(change["new"])

    @traitlets.observe("ended")
    def _on_ended(self, change) -> None:
        self._update_button()

    def distribution(self, pos: int | None = None) -> np.ndarray:
        """The distribution sampling would draw from at ``pos`` (at this temperature)."""
        if self.fp is None:
            raise MicrogptError("no document yet: show a forward pass first (show(fp))")
        pos = self.pos if pos is None else check_int(pos, "ProbabilitiesView.distribution(pos)")
        return np.array(self._weights(pos))

    def _weights(self, pos: int) -> list[float]:
        """``microgpt.sample``'s weights from the pass's logits at ``pos``: the numbers
        ``sample`` would draw with after the same characters, bit for bit."""
        fp = self.fp
        pos = fp.check_pos(pos)
        logits = [fp.node(f"pos{pos}.lm_head.logits[{c}]").data for c in fp.source.token_labels]
        return temperature_probs(logits, self.temperature)

    def refusal(self) -> str:
        """Why ``sample_next`` would draw nothing now ("" if it would draw)."""
        if self.fp is None:
            return "no document yet: show a forward pass first"
        doc = self.fp.doc
        if self.ended:
            return (
                f"{doc!r} is complete: the model drew BOS, which ends a name. Change the "
                "document to sample again."
            )
        if len(doc) + 1 >= self.fp.source.config.block_size:
            return (
                f"{doc!r} fills the model's context ({self.fp.source.config.block_size} "
                "positions): nothing more can follow it"
            )
        return ""

    def _update_button(self) -> None:
        reason = self.refusal() if self.fp is not None else ""
        self._sample.disabled = bool(reason)
        self._sample.tooltip = reason or "draw the character after the whole document"
        if not reason:
            self._sample.description = "sample next character"
        else:
            self._sample.description = "name complete (BOS drawn)" if self.ended else "context full"

    def _draw(self) -> None:
        if self._later():  # in a hidden tab: drawn when shown
            return
        if self.fp is None:
            return
        fp = self.fp
        pos = min(self.pos, fp.positions - 1)
        labels = fp.source.token_labels
        target = fp.tokens[pos + 1]
        title = (
            f"after {_prefix(fp.doc, pos)} (position {pos} of {fp.doc!r}), "
            f"temperature {self.temperature:g}"
        )
        probs = fp.probs(pos)
        # the bars are the very weights a sample would draw with at this temperature
        ax = next_token_chart(self._weights(pos), labels, target=target, title=title)
        self.figure = ax.figure  # the chart shown (for tests and tools: its data, its title)
        show_chart(self.image, ax.figure)
        read = html.escape(fp.chars[pos])
        self._reading.value = (
            f"position {pos} of {html.escape(repr(fp.doc))} reads <b>{read}</b>; the document "
            f"continues with <b>{html.escape(labels[target])}</b> "
            f"(probability {probs[target]:.3f})"
        )

    def sample_next(self) -> str:
        """Draw the character after the whole document (from its last position, where the chart
        moves) and say what was drawn; the dashboard appends it and runs the model again (the
        chart then marks it as the character that follows). Returns the character,
        or "" for BOS (the end of the name: sampling stops there) and when sampling is refused
        (``refusal``; then nothing is counted)."""
        reason = self.refusal()
        if reason:
            if self.fp is None:
                raise MicrogptError(reason)
            self.message = reason
            return ""
        fp = self.fp
        last = fp.positions - 1
        self.pos = last  # the chart shows what is drawn from (in a Dashboard: every view)
        weights = self._weights(last)
        token = self.rng.choices(range(len(weights)), weights=weights)[0]  # as sample() draws
        tokenizer = fp.source.tokenizer
        drew = (
            f"sampled after {fp.doc!r} (position {last}) at temperature {self.temperature:g}: "
            f"{tokenizer.label(token)} (probability {weights[token]:.3f})"
        )
        if token == tokenizer.BOS:
            self._continuation = None
            self.message = f"{drew}. BOS ends the name: {fp.doc!r} is complete, sampling stops."
            self.sampled = ""
            self.ended = True
        else:
            char = tokenizer.chars[token]
            self._continuation = fp.doc + char
            self.message = drew
            self.sampled = char
        self.sample_count += 1  # last: the dashboard grows the document on this
        return self.sampled
